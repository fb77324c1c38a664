"""Run the kernel over all slots in bounded batches and sum what it accumulates.

Memory does not grow with the number of simulated workers: slots are fed to
the kernel a batch at a time, and every accumulator has a fixed size (the
per-chunk sums of squares excepted: 16 bytes per 16,384 slots). Per-worker
records, when asked for, are the one output that grows with N.
"""
import math
import time
from typing import NamedTuple

import numba
import numpy as np

from sim import layout as L
from sim.config import Scenario
from sim.kernel import Accumulators, WorkerRecords, simulate_slots
from sim.params import compile_params, compile_timeline

BATCH_CHUNKS = 64
"""Chunks per kernel call (about 1M slots): bounds memory and paces the progress bar."""
RECORD_BATCH_CHUNKS = 8
"""Chunks per kernel call when per-worker records are kept (about 130,000 slots, some 550,000
records): bounds the memory of a streamed run. Results do not depend on the batch size."""


class RawRun(NamedTuple):
    """What a run accumulated, summed over threads; see :mod:`sim.layout` for columns.

    monthly : ndarray(int64, (horizon_months, len(MONTHLY_SERIES)))
    cell_totals : ndarray(int64, (cells, len(CELL_TOTALS)))
    histogram : ndarray(int64, (cells, len(OUTCOME_METRICS), HISTOGRAM_BINS))
    state_revenue_sumsq_usd2, managers_revenue_sumsq_usd2 : float, over slots
    workers : dict of column name -> ndarray, or None
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


def _allocate(groups, horizon, cells, n_slots) -> Accumulators:
    n_chunks = (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS
    return Accumulators(
        monthly=np.zeros((groups, horizon, len(L.MONTHLY_SERIES)), np.int64),
        cell_totals=np.zeros((groups, cells, len(L.CELL_TOTALS)), np.int64),
        histogram=np.zeros((groups, cells, len(L.OUTCOME_METRICS), L.HISTOGRAM_BINS), np.int64),
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
) -> RawRun:
    """Simulate a scenario; return the summed accumulators.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional; defaults to ``simulation.seed``
    workers : int, optional; simulated slots, defaults to ``simulation.workers``
    threads : int, optional; numba threads, defaults to numba's setting. The
        result is bit-identical for any value.
    keep_workers : bool; also return one record per returned hire (costs a
        second pass over each batch and memory proportional to N)
    progress : callable(slots_done), optional
    worker_sink : callable(columns), optional; receives each batch's worker
        records (a dict as in ``RawRun.workers``) instead of keeping them, so
        memory stays bounded; implies per-worker records
    """
    seed = scenario.simulation.seed if seed is None else seed
    n_slots = scenario.simulation.workers if workers is None else workers
    if not 0 <= seed < 2**63:
        raise ValueError(f"seed must be in [0, 2**63), got {seed}")
    if n_slots < 1:
        raise ValueError(f"workers must be at least 1, got {n_slots}")
    threads = numba.get_num_threads() if threads is None else threads
    params = compile_params(scenario)
    timeline = compile_timeline(scenario.timeline, scenario.simulation.horizon_months)
    cells = len(scenario.destinations) * len(scenario.skills) * len(L.REGIMES)
    horizon = scenario.simulation.horizon_months

    previous_threads = numba.get_num_threads()
    numba.set_num_threads(threads)
    started = time.perf_counter()
    try:
        monthly = np.zeros((horizon, len(L.MONTHLY_SERIES)), np.int64)
        cell_totals = np.zeros((cells, len(L.CELL_TOTALS)), np.int64)
        histogram = np.zeros((cells, len(L.OUTCOME_METRICS), L.HISTOGRAM_BINS), np.int64)
        sumsq_parts = []
        worker_parts = []
        sink = worker_sink if worker_sink is not None else (worker_parts.append if keep_workers else None)
        batch_slots = (BATCH_CHUNKS if sink is None else min(BATCH_CHUNKS, RECORD_BATCH_CHUNKS)) * L.CHUNK_WORKERS
        for first_slot in range(0, n_slots, batch_slots):
            size = min(batch_slots, n_slots - first_slot)
            records = NO_RECORDS
            if sink is not None:
                counting = _allocate(threads, horizon, cells, size)
                simulate_slots(params, timeline, seed, first_slot, size, counting, NO_RECORDS)
                first_row = np.concatenate(([0], np.cumsum(counting.slot_workers)[:-1]))
                records = _records(first_row, int(counting.slot_workers.sum()))
            acc = _allocate(threads, horizon, cells, size)
            simulate_slots(params, timeline, seed, first_slot, size, acc, records)
            monthly += acc.monthly.sum(axis=0)
            cell_totals += acc.cell_totals.sum(axis=0)
            histogram += acc.histogram.sum(axis=0)
            sumsq_parts.append(acc.chunk_sumsq)
            if sink is not None:
                sink(_worker_columns(records))
            if progress is not None:
                progress(size)
    finally:
        numba.set_num_threads(previous_threads)
    sumsq = np.concatenate(sumsq_parts)
    return RawRun(
        monthly=monthly,
        cell_totals=cell_totals,
        histogram=histogram,
        state_revenue_sumsq_usd2=math.fsum(sumsq[:, 0]),
        managers_revenue_sumsq_usd2=math.fsum(sumsq[:, 1]),
        n_slots=n_slots,
        seed=seed,
        threads=threads,
        wall_seconds=time.perf_counter() - started,
        workers={name: np.concatenate([part[name] for part in worker_parts]) for name in worker_parts[0]}
        if worker_parts else None,
    )


def _worker_columns(records: WorkerRecords) -> dict:
    """Per-worker records as named columns; money in USD (exact cents / 100)."""
    codes, cents, values = records.codes, records.cents, records.values
    columns = {name: codes[:, i] for i, name in enumerate(L.WORKER_CODES)}
    columns.update({name: cents[:, i] / 100.0 for i, name in enumerate(L.WORKER_CENTS)})
    columns.update({name: values[:, i] for i, name in enumerate(L.WORKER_VALUES)})
    return columns
