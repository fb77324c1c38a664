"""One large run split by slots across an executor, with the result of one process.

>>> from sim import executors, split
>>> with executors.Dask(local=8) as cluster:                                     # doctest: +SKIP
...     raw = split.simulate(scenario, cluster, seed=1, workers=100_000_000)

Why the result is the same, bit for bit: slot ``j`` draws from a stream derived from the seed and
its chunk of :data:`sim.layout.CHUNK_WORKERS` slots only (:mod:`sim.rng`), so a part that starts
on a chunk boundary simulates its slots exactly as the whole run would. Every accumulator is an
int64 total (cents, counts, histogram bins), and integer sums do not depend on their order; the
sums of squares are kept per chunk and added with :func:`math.fsum`, which is correctly rounded
whatever the order. So :func:`join` of the parts equals :func:`sim.engine.simulate` of the whole
run in every array and sum (only the wall time and threads differ).
"""
import functools
import math
import time

import numpy as np

from sim import engine
from sim import layout as L
from sim.config import Scenario

SUMMED = ("monthly", "monthly_by_destination", "monthly_by_status", "cell_totals", "cell_totals_by_reason", "histogram")
"""The RawRun arrays that are int64 totals over slots, added part by part."""

PART_SLOTS = engine.BATCH_CHUNKS * L.CHUNK_WORKERS
"""Slots per part by default: one batch of the engine (about 1M)."""


def parts(n_slots: int, part_slots: int = PART_SLOTS) -> list[tuple[int, int]]:
    """(first slot, slots) of each part of a run of ``n_slots``: ``part_slots`` rounded up to whole
    chunks, the last part what is left."""
    size = -(-max(part_slots, 1) // L.CHUNK_WORKERS) * L.CHUNK_WORKERS
    return [(first, min(size, n_slots - first)) for first in range(0, n_slots, size)]


def simulate_part(scenario: Scenario, seed: int, threads: int | None, part: tuple[int, int]):
    """(first slot, RawRun) of slots ``part = (first, count)`` of the run (top level, so executors
    can pickle it)."""
    first, count = part
    return first, engine.simulate(scenario, seed=seed, workers=count, threads=threads, first_slot=first)


def join(done: list, seed: int, threads: int, wall_seconds: float) -> engine.RawRun:
    """One RawRun from the parts of a run, ``done``: (first slot, RawRun) in any order. Totals
    are added exactly; the sums of squares re-added from their chunks in slot order."""
    runs = [raw for _, raw in sorted(done, key=lambda item: item[0])]
    totals = {name: np.zeros_like(getattr(runs[0], name)) for name in SUMMED}
    for raw in runs:
        for name, total in totals.items():
            engine.add_exactly(total, getattr(raw, name))
    sumsq = np.concatenate([raw.chunk_sumsq for raw in runs])
    return engine.RawRun(
        **totals,
        state_revenue_sumsq_usd2=math.fsum(sumsq[:, 0]), managers_revenue_sumsq_usd2=math.fsum(sumsq[:, 1]),
        n_slots=sum(raw.n_slots for raw in runs), seed=seed, threads=threads, wall_seconds=wall_seconds,
        workers=None, chunk_sumsq=sumsq)


def simulate(scenario: Scenario, executor, seed: int | None = None, workers: int | None = None,
             part_slots: int = PART_SLOTS) -> engine.RawRun:
    """Simulate ``scenario`` with its slots split into parts of ``part_slots`` run by ``executor``
    (:mod:`sim.executors`); the same RawRun as :func:`sim.engine.simulate` of the whole run
    (``threads`` is the executor's per-part threads, and no per-worker records).

    Parameters
    ----------
    scenario : Scenario
    executor : an executor of :mod:`sim.executors`, left open
    seed, workers : int, optional; default to the scenario's ``simulation.seed`` and ``.workers``
    part_slots : int; slots per part, rounded up to whole chunks of ``layout.CHUNK_WORKERS``
    """
    seed = scenario.simulation.seed if seed is None else seed
    n_slots = scenario.simulation.workers if workers is None else workers
    started = time.perf_counter()
    threads = executor.threads or 1
    task = functools.partial(simulate_part, scenario, seed, executor.threads)
    done = list(executor.map(task, parts(n_slots, part_slots)))
    return join(done, seed, threads, time.perf_counter() - started)
