"""Pure-Python reference of the kernel: slot by slot, month by month, on Python ints and floats.

It follows one slot of :func:`sim.kernel._simulate_block` step for step and runs the functions of
:mod:`benchmarks.elementwise` on scalars (the splitmix64 arithmetic on Python ints masked to 64
bits), so its accumulators equal the kernel's exactly. Slow: for small N only.
"""
import time
from collections import Counter

import numpy as np

from benchmarks.elementwise import (accepted_at_steady_state, arrives, bin_index, collect_arrears,
                                    draw_candidate, hiring_multipliers, new_worker, raw_run, settle,
                                    steady_state_months, steady_state_multipliers, steady_state_spell,
                                    stream_key, work_month)
from sim import layout as L
from sim.engine import HISTOGRAM_SHAPE
from sim import rng
from sim.recruitment import MAX_STEADY_STATE_CANDIDATES


def as_python(arrays):
    """The same NamedTuple with every array as (nested) lists of Python numbers."""
    return type(arrays)(*(value.tolist() if isinstance(value, np.ndarray) else value for value in arrays))


def _steady_state_worker(p, tl, seed, slot, monthly_key):
    """:func:`sim.kernel._start_steady_state` for one slot: (candidates used, the worker who holds
    it at month 0 with the months he has served simulated, or None for a vacancy)."""
    for candidate in range(1, MAX_STEADY_STATE_CANDIDATES + 1):
        key = stream_key(seed, slot, candidate)
        c = draw_candidate(p, key, *steady_state_multipliers(tl))
        goes, spell = steady_state_spell(p, tl, c, key)
        if accepted_at_steady_state(p, spell, key):
            break
    else:
        return candidate, None
    if not goes:
        return candidate, None
    w = new_worker(c, key, 0, False)
    for t in range(-steady_state_months(c, tl, key), 0):
        _, running, _ = work_month(w, t, p, tl, monthly_key, may_return=False)
        w.update(running)
    return candidate, w


def _simulate_slot(p, tl, seed, slot, monthly, cell_totals, histogram):
    """One slot over the horizon and run-out, adding into the accumulators (lists, two Counters).

    Returns its payments to the state and to managers within the horizon (cents).
    """
    horizon = len(tl.wage_index)
    monthly_key = stream_key(seed, slot, rng.MONTHLY_STREAM)
    paid_in_horizon = [0, 0]
    candidate = 0
    t = 0
    while t < horizon:
        if t == 0 and p.stock_mode:
            candidate, w = _steady_state_worker(p, tl, seed, slot, monthly_key)
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
        to_state, to_managers = collect_arrears(p, w)
        w.update(to_state=w["to_state"] + to_state, to_managers=w["to_managers"] + to_managers,
                 savings=w["savings"] - to_state - to_managers)
        if t - 1 < horizon:
            collected = {L.M_STATE: to_state, L.M_MANAGERS: to_managers, L.M_KEPT: -to_state - to_managers,
                         L.M_ARREARS_COLLECTED: to_state + to_managers}
            for column, value in collected.items():
                monthly[t - 1][column] += value
            paid_in_horizon[0] += to_state
            paid_in_horizon[1] += to_managers
        if w["recorded"]:
            cell, row, values = settle(p, w)
            cell_totals[cell] = [total + value for total, value in zip(cell_totals[cell], row)]
            for metric, value in enumerate(values):
                histogram[0][(cell, metric, bin_index(value))] += 1
                histogram[1][(cell, metric, bin_index(value))] += value
    return paid_in_horizon


def simulate(p, tl, seed, n_slots):
    """:func:`benchmarks.reference_numpy.simulate`, slot by slot in pure Python (same arguments,
    same exact result)."""
    started = time.perf_counter()
    p, tl = as_python(p), as_python(tl)
    n_cells = len(p.destination_cumulative_share) * len(p.skill_cumulative_share) * len(L.REGIMES)
    monthly = [[0] * len(L.MONTHLY_SERIES) for _ in tl.wage_index]
    cell_totals = [[0] * len(L.CELL_TOTALS) for _ in range(n_cells)]
    histogram = Counter(), Counter()  # per (cell, metric, bin): count, sum
    chunk_sumsq = []
    for slot in range(n_slots):
        if slot % L.CHUNK_WORKERS == 0:
            chunk_sumsq.append([0.0, 0.0])
        for column, cents in enumerate(_simulate_slot(p, tl, seed, slot, monthly, cell_totals, histogram)):
            chunk_sumsq[-1][column] += (cents / 100.0) * (cents / 100.0)
    histogram_array = np.zeros((n_cells, *HISTOGRAM_SHAPE), np.int64)
    for entry, counter in enumerate(histogram):
        for index, value in counter.items():
            histogram_array[(*index, entry)] = value
    return raw_run(np.array(monthly, np.int64), np.array(cell_totals, np.int64), histogram_array,
                   np.array(chunk_sumsq), n_slots, seed, started)
