"""Run the kernel over all slots in bounded batches and sum what it accumulates.

Memory does not grow with the number of simulated workers: slots are fed to
the kernel a batch at a time, and every accumulator has a fixed size (the
per-chunk sums of squares excepted: 16 bytes per 16,384 slots). Per-worker
records, when asked for, are the one output that grows with N.
"""
import concurrent.futures
import itertools
import math
import os
import threading
import time
from typing import NamedTuple

import numba
import numpy as np

from sim import bins, schema
from sim import layout as L
from sim.config import ConfigError, Scenario
from sim.kernel import Accumulators, WorkerRecords, simulate_group
from sim.packing import pack
from sim.params import compile_params, compile_timeline
from sim.worker import BLOCK_SLOTS, F_COUNT, I_COUNT

BATCH_CHUNKS = 64
"""Chunks per kernel call (about 1M slots): bounds memory and paces the progress bar."""
RECORD_BATCH_CHUNKS = 8
"""Chunks per kernel call when per-worker records are kept (about 130,000 slots, some 550,000
records): bounds the memory of a streamed run. Results do not depend on the batch size."""


REASON_ROWS = tuple(itertools.product(schema.HIRE_COHORTS, schema.RETURN_REASONS))
"""The rows of a cell in the totals by hire cohort and return reason, in kernel order."""
HIRED_IN_RUN = schema.HIRE_COHORTS.index("hired_in_run")
HISTOGRAM_SHAPE = (len(L.OUTCOME_METRICS), bins.BINS, 2)
"""Outcome histograms of one cell: per metric and bin, the count and the sum of the values."""
MEMORY_SHARE = 0.5
"""Largest share of the machine's memory a run may plan to use."""


class ResourceError(ConfigError):
    """A scenario that cannot be run at this size on this machine (too much memory, totals too large)."""


class RawRun(NamedTuple):
    """What a run accumulated, summed over threads; see :mod:`sim.layout` for columns.

    monthly : ndarray(int64, (horizon_months, len(MONTHLY_SERIES)))
    monthly_by_destination : ndarray(int64, (horizon_months, destinations, len(MONTHLY_BY_DESTINATION))),
        or None (a reference that does not keep it); its columns summed over destinations equal ``monthly``'s
    cell_totals : ndarray(int64, (cells, len(CELL_TOTALS))), the hires of the run
    monthly_by_status : ndarray(int64, (horizon_months, 1 + statuses, len(MONTHLY_BY_STATUS))), the work
        permit then each status of ``[statuses]``, or None (a reference that does not keep it); its
        columns summed over statuses equal ``monthly``'s
    cell_totals_by_reason : ndarray(int64, (cells, len(HIRE_COHORTS), len(RETURN_REASONS), len(CELL_TOTALS))),
        every returned worker (those met at month 0 of a stock-mode run too), or None (a reference that
        does not keep it); its "hired_in_run" rows sum to ``cell_totals``
    histogram : ndarray(int64, (cells, len(OUTCOME_METRICS), bins.BINS, 2)), count and sum per bin
    state_revenue_sumsq_usd2, managers_revenue_sumsq_usd2 : float, over slots
    workers : dict of column name -> ndarray, or None
    chunk_sumsq : ndarray(float64, (chunks, 2)) or None; the two sums of squares per chunk of
        slots, in slot order (their ``math.fsum`` is the two above), so that parts of a run can
        be joined exactly (:mod:`sim.split`)
    """

    monthly: np.ndarray
    cell_totals: np.ndarray
    histogram: np.ndarray
    state_revenue_sumsq_usd2: float
    managers_revenue_sumsq_usd2: float
    n_slots: int
    seed: int
    threads: int
    wall_seconds: float
    workers: dict | None
    chunk_sumsq: np.ndarray | None = None
    monthly_by_destination: np.ndarray | None = None
    cell_totals_by_reason: np.ndarray | None = None
    monthly_by_status: np.ndarray | None = None


def _allocate(groups, horizon, n_dest, n_status, cells, n_slots) -> Accumulators:
    n_chunks = (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS
    return Accumulators(
        monthly=np.zeros((groups, horizon, len(L.MONTHLY_SERIES)), np.int64),
        monthly_by_destination=np.zeros((groups, horizon, n_dest, len(L.MONTHLY_BY_DESTINATION)), np.int64),
        monthly_by_status=np.zeros((groups, horizon, 1 + n_status, len(L.MONTHLY_BY_STATUS)), np.int64),
        cell_totals_by_reason=np.zeros((groups, cells * len(REASON_ROWS), len(L.CELL_TOTALS)), np.int64),
        histogram=np.zeros((groups, cells, *HISTOGRAM_SHAPE), np.int64),
        chunk_sumsq=np.zeros((n_chunks, 2)),
        slot_workers=np.zeros(n_slots, np.int64),
    )


def _records(first_row, n_rows) -> WorkerRecords:
    return WorkerRecords(
        first_row=first_row,
        codes=np.zeros((n_rows, len(L.WORKER_CODES)), np.int64),
        cents=np.zeros((n_rows, len(L.WORKER_CENTS)), np.int64),
        values=np.zeros((n_rows, len(L.WORKER_VALUES))),
    )


NO_RECORDS = _records(np.zeros(0, np.int64), 0)


def simulate(
    scenario: Scenario,
    seed: int | None = None,
    workers: int | None = None,
    threads: int | None = None,
    keep_workers: bool = False,
    progress=None,
    worker_sink=None,
    compile_notice=None,
    first_slot: int = 0,
) -> RawRun:
    """Simulate a scenario; return the summed accumulators.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional; defaults to ``simulation.seed``
    workers : int, optional; simulated slots, defaults to ``simulation.workers``
    threads : int, optional; threads, each simulating one group of chunks, defaults to
        ``numba.get_num_threads()`` (NUMBA_NUM_THREADS unless set); at most one per chunk of
        CHUNK_WORKERS slots is used (``RawRun.threads``). The result is bit-identical for any value.
    keep_workers : bool; also return one record per returned worker (those met at month 0 too) (costs a
        second pass over each batch and memory proportional to N)
    progress : callable(slots_done), optional
    worker_sink : callable(columns), optional; receives each batch's worker
        records (a dict as in ``RawRun.workers``) instead of keeping them, so
        memory stays bounded; implies per-worker records
    compile_notice : callable(), optional; called once if the first kernel call of the
        process is still running after COMPILE_NOTICE_SECONDS (it is compiling)
    first_slot : int, a multiple of ``layout.CHUNK_WORKERS``; simulate slots ``first_slot`` to
        ``first_slot + workers - 1`` of a larger run (a part, see :mod:`sim.split`); 0 by default
    """
    seed = scenario.simulation.seed if seed is None else seed
    n_slots = scenario.simulation.workers if workers is None else workers
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be in [0, 2**63), got {seed}")
    if n_slots < 1:
        raise ValueError(f"workers must be at least 1, got {n_slots}")
    if first_slot < 0 or first_slot % L.CHUNK_WORKERS:
        raise ValueError(f"first_slot must be a multiple of {L.CHUNK_WORKERS} from 0, got {first_slot}")
    # Each thread simulates whole chunks of slots: one beyond their number would only zero and sum
    # a set of accumulators (16 MB of histograms for the baseline). Results do not depend on it.
    threads = min(numba.get_num_threads() if threads is None else threads, -(-n_slots // L.CHUNK_WORKERS))
    check_memory(scenario, threads, n_slots, keep_workers or worker_sink is not None)
    packed = pack(compile_params(scenario), compile_timeline(scenario))
    n_dest, n_status = len(scenario.destinations), len(scenario.statuses)
    cells = n_dest * len(scenario.skills) * len(L.REGIMES)
    horizon = scenario.simulation.horizon_months

    started = time.perf_counter()
    notice = _first_call_notice(compile_notice)
    try:
        monthly = np.zeros((horizon, len(L.MONTHLY_SERIES)), np.int64)
        by_destination = np.zeros((horizon, n_dest, len(L.MONTHLY_BY_DESTINATION)), np.int64)
        by_status = np.zeros((horizon, 1 + n_status, len(L.MONTHLY_BY_STATUS)), np.int64)
        by_reason = np.zeros((cells * len(REASON_ROWS), len(L.CELL_TOTALS)), np.int64)
        histogram = np.zeros((cells, *HISTOGRAM_SHAPE), np.int64)
        sumsq_parts = []
        worker_parts = []
        sink = worker_sink if worker_sink is not None else (worker_parts.append if keep_workers else None)
        batch_slots = (BATCH_CHUNKS if sink is None else min(BATCH_CHUNKS, RECORD_BATCH_CHUNKS)) * L.CHUNK_WORKERS
        for offset in range(0, n_slots, batch_slots):
            size = min(batch_slots, n_slots - offset)
            records = NO_RECORDS
            if sink is not None:
                counting = _allocate(threads, horizon, n_dest, n_status, cells, size)
                _simulate_slots(packed, seed, first_slot + offset, size, counting, NO_RECORDS)
                first_row = np.concatenate(([0], np.cumsum(counting.slot_workers)[:-1]))
                records = _records(first_row, int(counting.slot_workers.sum()))
            acc = _allocate(threads, horizon, n_dest, n_status, cells, size)
            _simulate_slots(packed, seed, first_slot + offset, size, acc, records)
            notice.cancel()
            add_exactly(monthly, _over_threads(acc.monthly))
            add_exactly(by_destination, _over_threads(acc.monthly_by_destination))
            add_exactly(by_status, _over_threads(acc.monthly_by_status))
            add_exactly(by_reason, _over_threads(acc.cell_totals_by_reason))
            add_exactly(histogram, _over_threads(acc.histogram))
            sumsq_parts.append(acc.chunk_sumsq)
            if sink is not None:
                sink(worker_columns(records))
            if progress is not None:
                progress(size)
    finally:
        notice.cancel()
    sumsq = np.concatenate(sumsq_parts)
    # the kernel leaves kept money out: gross - expenses - payments, for every worker-month (int64, exact)
    monthly[:, L.M.kept_usd] = (monthly[:, L.M.gross_earnings_usd] - monthly[:, L.M.expenses_usd]
                                - monthly[:, L.M.to_state_usd] - monthly[:, L.M.to_managers_usd])
    by_reason = by_reason.reshape(cells, len(schema.HIRE_COHORTS), len(schema.RETURN_REASONS), -1)
    if n_dest == 1:  # the kernel splits months by destination only when there are several
        by_destination[:, 0, :] = monthly[:, [getattr(L.M, name) for name in L.MONTHLY_BY_DESTINATION]]
    if n_status == 0:  # and by status only when there are statuses: everyone is on a work permit
        by_status[:, 0, :] = monthly[:, [getattr(L.M, name) for name in L.MONTHLY_BY_STATUS]]
    return RawRun(
        monthly=monthly,
        cell_totals=by_reason[:, HIRED_IN_RUN].sum(axis=1),  # the hires of the run, whatever sent them home
        histogram=histogram,
        state_revenue_sumsq_usd2=math.fsum(sumsq[:, 0]),
        managers_revenue_sumsq_usd2=math.fsum(sumsq[:, 1]),
        n_slots=n_slots,
        seed=seed,
        threads=threads,
        wall_seconds=time.perf_counter() - started,
        workers={name: np.concatenate([part[name] for part in worker_parts]) for name in worker_parts[0]}
        if worker_parts else None,
        chunk_sumsq=sumsq,
        monthly_by_destination=by_destination,
        cell_totals_by_reason=by_reason,
        monthly_by_status=by_status,
    )


def _simulate_slots(packed, seed: int, first_slot: int, n_slots: int, acc: Accumulators, records: WorkerRecords):
    """:func:`sim.kernel.simulate_group` for each group of ``acc``, one thread each (the kernel
    releases the GIL), each with private copies of the parameters and block tables of its own (see
    :mod:`sim.kernel`, "Reference counts"); a single group runs in the calling thread. The kernel
    clears the block tables itself, at each block."""
    groups = acc.monthly.shape[0]

    def run(group):
        copy = (lambda array: array) if groups == 1 else np.copy
        simulate_group(copy(packed.dists), copy(packed.values), copy(packed.tlm), packed.n_dest, packed.n_skill,
                       seed, first_slot, n_slots, group, acc, records, np.empty((F_COUNT, BLOCK_SLOTS)),
                       np.empty((I_COUNT, BLOCK_SLOTS), np.int64))

    if groups == 1:
        run(0)
        return
    with concurrent.futures.ThreadPoolExecutor(groups, thread_name_prefix="sim-kernel") as pool:
        for finished in [pool.submit(run, group) for group in range(groups)]:
            finished.result()


def _over_threads(accumulated: np.ndarray) -> np.ndarray:
    """The sum over the first axis (one set of accumulators per thread); one set is itself, uncopied."""
    return accumulated[0] if len(accumulated) == 1 else accumulated.sum(axis=0)


COMPILE_NOTICE_SECONDS = 1.5
"""Loading the compiled kernel from the cache takes a quarter of a second; compiling, 20 s or more."""


def _first_call_notice(notice) -> threading.Timer:
    """A started timer calling ``notice`` after COMPILE_NOTICE_SECONDS if the kernel has not run in
    this process yet (and ``notice`` is given); the caller cancels it once the kernel returns."""
    timer = threading.Timer(COMPILE_NOTICE_SECONDS, notice or (lambda: None))
    timer.daemon = True
    if notice is not None and not simulate_group.signatures:
        timer.start()
    return timer


INT64_SAFE = 2.0**62
"""Largest magnitude an int64 total may take: beyond it, the next batch could overflow."""


def add_exactly(total: np.ndarray, part: np.ndarray) -> None:
    """``total += part`` in int64, or :class:`ResourceError` if a total would leave the safe range.

    A batch's own sums stay far inside int64: the config bounds every amount a worker can draw
    or earn in a month (:data:`sim.schema.MONEY_LIMIT_USD`) and a batch is about 1M slots. So
    only the running totals need checking, which the float sum does with room to spare; it is
    needed only when the largest magnitudes of the two, added, could reach the limit.
    """
    bound = sum(max(abs(int(array.max(initial=0))), abs(int(array.min(initial=0)))) for array in (total, part))
    if bound >= INT64_SAFE and np.abs(total.astype(np.float64) + part.astype(np.float64)).max(initial=0.0) >= INT64_SAFE:
        raise ResourceError(["the run's money totals would exceed what int64 cents can hold exactly "
                             "(about $46 quadrillion): simulate fewer workers or smaller amounts"])
    total += part


def memory_needed_bytes(scenario: Scenario, threads: int, n_slots: int, keep_workers: bool) -> int:
    """Bytes a run allocates at its peak: the accumulators of a batch (one set per thread, and
    their sum) and, with per-worker records, a batch of records."""
    cells = len(scenario.destinations) * len(scenario.skills) * len(L.REGIMES)
    horizon = scenario.simulation.horizon_months
    per_set = 8 * (cells * (int(np.prod(HISTOGRAM_SHAPE)) + len(REASON_ROWS) * len(L.CELL_TOTALS)) + horizon * len(L.MONTHLY_SERIES)
                   + horizon * len(scenario.destinations) * len(L.MONTHLY_BY_DESTINATION)
                   + horizon * (1 + len(scenario.statuses)) * len(L.MONTHLY_BY_STATUS))
    batch = min(n_slots, (RECORD_BATCH_CHUNKS if keep_workers else BATCH_CHUNKS) * L.CHUNK_WORKERS)
    records = 8 * batch * (len(L.WORKER_CODES) + len(L.WORKER_CENTS) + len(L.WORKER_VALUES)) * 4 if keep_workers else 0
    return (threads + 2) * per_set + 8 * batch + records


def _memory_available_bytes() -> int:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not on this platform: assume 8 GiB
        return 8 * 2**30


def check_memory(scenario: Scenario, threads: int, n_slots: int, keep_workers: bool) -> None:
    """Refuse a run that would need more than :data:`MEMORY_SHARE` of this machine's memory."""
    needed = memory_needed_bytes(scenario, threads, n_slots, keep_workers)
    available = _memory_available_bytes()
    if needed > MEMORY_SHARE * available:
        cells = len(scenario.destinations) * len(scenario.skills) * len(L.REGIMES)
        raise ResourceError([
            f"{scenario.source_path or '<config>'}: this run would need about {needed / 2**30:.1f} GiB ({len(scenario.destinations)} destinations x "
            f"{len(scenario.skills)} skills x {len(L.REGIMES)} regimes = {cells:,} outcome cells, "
            f"{threads} threads), more than half of this machine's {available / 2**30:.1f} GiB: "
            f"use fewer destinations or skills, or fewer threads"])


def worker_columns(records: WorkerRecords = NO_RECORDS) -> dict:
    """Per-worker records as named columns; money in USD (exact cents / 100). With no records,
    the columns of an empty table."""
    codes, cents, values = records.codes, records.cents, records.values
    columns = {name: codes[:, i] for i, name in enumerate(L.WORKER_CODES)}
    columns.update({name: cents[:, i] / 100.0 for i, name in enumerate(L.WORKER_CENTS)})
    columns.update({name: values[:, i] for i, name in enumerate(L.WORKER_VALUES)})
    return columns
