"""Where a sweep's runs execute: in this process, in local worker processes, or on Dask.

One small interface: ``executor.map(function, items)`` yields ``function(item)`` for every item,
in the order they finish; ``executor.threads`` is the Numba threads each run should use;
``executor.close()`` releases the workers (an executor is also a context manager). A sweep's
table does not depend on the executor: each run is a pure function of its inputs and seed, and
the table is assembled in design order whatever order the runs finish in.

- :class:`Serial`: one run after another in this process, each on all of Numba's threads.
- :class:`Processes`: a :class:`concurrent.futures.ProcessPoolExecutor` (``spawn``: Numba's
  threading layer and ``fork`` do not mix), each run on one thread, so ``K`` processes keep
  ``K`` cores busy.
- :class:`Dask`: a ``distributed`` client, on a :class:`distributed.LocalCluster` of ``K``
  single-threaded worker processes that it starts, or on an existing scheduler.
"""
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed


class _Executor:
    threads: int | None = None
    description = ""

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self.close()

    def close(self) -> None:
        """Release the workers (nothing to release here)."""


class Serial(_Executor):
    """Runs each item in this process, in order; Numba uses all its threads."""

    description = "serial (this process)"

    def map(self, function, items):
        for item in items:
            yield function(item)


class Processes(_Executor):
    """A pool of ``processes`` local worker processes (default: one per core), one thread each."""

    threads = 1

    def __init__(self, processes: int | None = None):
        self.processes = processes or os.cpu_count() or 1
        self.description = f"{self.processes} local processes"
        self.pool = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"))

    def map(self, function, items):
        futures = [self.pool.submit(function, item) for item in items]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class Dask(_Executor):
    """Runs on Dask: a new local cluster of ``local`` worker processes, or the scheduler at
    ``address`` (``tcp://host:8786``). Each run uses one thread."""

    threads = 1

    def __init__(self, local: int | None = None, address: str | None = None):
        from distributed import Client, LocalCluster

        if (local is None) == (address is None):
            raise ValueError("give either local (worker processes to start) or address (a scheduler)")
        self.cluster = None
        if local is not None:
            self.cluster = LocalCluster(n_workers=local, threads_per_worker=1, processes=True,
                                        dashboard_address=None)
            self.client = Client(self.cluster)
            self.description = f"Dask LocalCluster of {local} worker processes"
        else:
            self.client = Client(address)
            self.description = f"Dask scheduler at {address}"

    def map(self, function, items):
        from distributed import as_completed as completed

        futures = self.client.map(function, list(items), pure=False)
        try:
            for future in completed(futures):
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def choose(processes: int | None = None, dask_local: int | None = None, scheduler: str | None = None):
    """The executor the command line asks for: Dask when ``dask_local`` or ``scheduler`` is
    given, else ``processes`` local processes (None: one per core), or :class:`Serial` for 1."""
    if dask_local is not None or scheduler is not None:
        return Dask(local=dask_local, address=scheduler)
    if processes == 1:
        return Serial()
    return Processes(processes)
