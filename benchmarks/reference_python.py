"""Pure-Python reference of the kernel: slot by slot, month by month, on Python ints and floats.

It follows one slot of :func:`sim.kernel._simulate_block` step for step and runs the functions of
:mod:`benchmarks.elementwise` on scalars (the splitmix64 arithmetic on Python ints masked to 64
bits), so its accumulators equal the kernel's exactly. Slow: for small N only.
"""
import time
from collections import Counter

import numpy as np

from benchmarks.elementwise import (accepted_at_steady_state, arrives, draw_candidate, hiring_multipliers,
                                    new_worker, raw_run, settle, steady_state_months, stream_key, work_month)
from sim import layout as L
from sim import rng
from sim.recruitment import MAX_STEADY_STATE_CANDIDATES


def as_python(arrays):
    """The same NamedTuple with every array as (nested) lists of Python numbers."""
    return type(arrays)(*(value.tolist() if isinstance(value, np.ndarray) else value for value in arrays))


def _steady_state_worker(p, seed, slot):
    """:func:`sim.recruitment.steady_state_worker`: (candidates used, the worker or None)."""
    for candidate in range(1, MAX_STEADY_STATE_CANDIDATES + 1):
        key = stream_key(seed, slot, candidate)
        c = draw_candidate(p, key)
        if accepted_at_steady_state(p, c, key):
            return candidate, new_worker(c, key, steady_state_months(c, key), False)
    return MAX_STEADY_STATE_CANDIDATES, None


def _simulate_slot(p, tl, seed, slot, monthly, cell_totals, histogram):
    """One slot over the horizon and run-out, adding into the accumulators (lists, a Counter).

    Returns its payments to the state and to managers within the horizon (cents).
    """
    horizon = len(tl.wage_index)
    monthly_key = stream_key(seed, slot, rng.MONTHLY_STREAM)
    paid_in_horizon = [0, 0]
    candidate = 0
    t = 0
    while t < horizon:
        if t == 0 and p.stock_mode:
            candidate, w = _steady_state_worker(p, seed, slot)
            if w is None:
                t += 1
                continue
        else:
            if t > 0 and not p.stock_mode:
                break
            key = stream_key(seed, slot, candidate + 1)
            candidate += 1
            c = draw_candidate(p, key, *hiring_multipliers(tl, t)) if arrives(tl, t, key) else None
            if c is None or not c["gain"] >= p.reservation_gain_usd:
                t += 1
                continue
            monthly[t][L.M_HIRES] += 1
            w = new_worker(c, key, 0, True, tl.bribe_multiplier[t])
        returns = False
        while not returns:
            row, running, returns = work_month(w, t, p, tl, monthly_key)
            w.update(running)
            if t < horizon:
                monthly[t] = [total + value for total, value in zip(monthly[t], row)]
                paid_in_horizon[0] += row[L.M_STATE]
                paid_in_horizon[1] += row[L.M_MANAGERS]
            t += 1
        if w["recorded"]:
            cell, row, bins = settle(p, w)
            cell_totals[cell] = [total + value for total, value in zip(cell_totals[cell], row)]
            histogram.update((cell, metric, index) for metric, index in enumerate(bins))
    return paid_in_horizon


def simulate(p, tl, seed, n_slots):
    """:func:`benchmarks.reference_numpy.simulate`, slot by slot in pure Python (same arguments,
    same exact result)."""
    started = time.perf_counter()
    p, tl = as_python(p), as_python(tl)
    n_cells = len(p.destination_cumulative_share) * len(p.skill_cumulative_share) * len(L.REGIMES)
    monthly = [[0] * len(L.MONTHLY_SERIES) for _ in tl.wage_index]
    cell_totals = [[0] * len(L.CELL_TOTALS) for _ in range(n_cells)]
    histogram = Counter()
    chunk_sumsq = []
    for slot in range(n_slots):
        if slot % L.CHUNK_WORKERS == 0:
            chunk_sumsq.append([0.0, 0.0])
        for column, cents in enumerate(_simulate_slot(p, tl, seed, slot, monthly, cell_totals, histogram)):
            chunk_sumsq[-1][column] += (cents / 100.0) * (cents / 100.0)
    histogram_array = np.zeros((n_cells, len(L.OUTCOME_METRICS), L.HISTOGRAM_BINS), np.int64)
    for index, count in histogram.items():
        histogram_array[index] = count
    return raw_run(np.array(monthly, np.int64), np.array(cell_totals, np.int64), histogram_array,
                   np.array(chunk_sumsq), n_slots, seed, started)
