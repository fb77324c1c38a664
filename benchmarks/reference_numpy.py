"""NumPy reference of the kernel: the same model, vectorised across slots, month by month.

Each slot attribute is one array (``state[name]``); the loop runs over months only, then over
the run-out until every worker is home, and at month 0 in stock mode over the rounds of the
steady-state rejection sampler, each vectorised over the slots still rejecting. The arithmetic
is :mod:`benchmarks.elementwise` on arrays, so the accumulators equal
:func:`sim.engine.simulate`'s exactly (same seed, same slots).
"""
import time

import numpy as np

from benchmarks.elementwise import (accepted_at_steady_state, arriving, bin_index, collect_arrears, draw_candidate,
                                    new_worker, post_destination, queue_diverted, quota_terms, raw_run, settle,
                                    steady_state_months, steady_state_spell, stream_key, work_month)
from sim import bins
from sim import layout as L
from sim.engine import HISTOGRAM_SHAPE
from sim import rng
from sim.recruitment import MAX_STEADY_STATE_CANDIDATES


_MONTH_FIELDS = ("destination", "regime", "capacity", "quota", "arrears", "expenses_cents", "skim", "months", "contract",
                 "hazard", "savings", "gross", "to_state", "to_managers", "expenses_total", "due")
"""What :func:`work_month` reads: gathered for the occupied slots each month."""


def _candidates(p, tl, t, key, destination):
    """:func:`draw_candidate` with every attribute an array shaped like ``key``."""
    return {name: np.broadcast_to(value, key.shape) for name, value in draw_candidate(p, tl, t, key, destination).items()}


def _subset(fields, chosen):
    return {name: value[chosen] for name, value in fields.items()}


def _store(state, slots, fields):
    """Write ``fields`` (arrays or scalars) into the per-slot arrays of ``state`` at ``slots``."""
    for name, value in fields.items():
        state[name][slots] = value


def simulate(p, tl, seed, n_slots):
    """Simulate ``n_slots`` slots (global indices 0, 1, ...) as :func:`sim.engine.simulate` does.

    Parameters
    ----------
    p : KernelParams, from :func:`sim.params.compile_params`
    tl : TimelineArrays, from :func:`sim.params.compile_timeline`
    seed : int, in [0, 2**63)
    n_slots : int

    Returns
    -------
    RawRun, whose ``monthly``, ``cell_totals``, ``histogram`` and sums of squares equal the kernel's
    """
    started = time.perf_counter()
    horizon = tl.wage_index.shape[0]
    n_cells = len(p.destination_cumulative_share) * len(p.skill_cumulative_share) * len(L.REGIMES)
    monthly = np.zeros((horizon, len(L.MONTHLY_SERIES)), np.int64)
    cell_totals = np.zeros((n_cells, len(L.CELL_TOTALS)), np.int64)
    histogram = np.zeros((n_cells, *HISTOGRAM_SHAPE), np.int64)
    slot = np.arange(n_slots, dtype=np.uint64)
    monthly_key = stream_key(seed, slot, rng.MONTHLY_STREAM)
    candidates = np.zeros(n_slots, np.uint64)  # candidates each slot has drawn so far
    paid_in_horizon = np.zeros((n_slots, 2), np.int64)  # per slot: to the state, to managers
    post = np.broadcast_to(post_destination(p, seed, slot), slot.shape)  # each slot's destination
    nobody = np.zeros(0, np.uint64)  # a worker of no one: gives every field of a slot its dtype
    template = dict(new_worker(_candidates(p, tl, 0, nobody, np.zeros(0, np.int64)), nobody, 0, True), occupied=False)
    state = {name: np.zeros(n_slots, np.asarray(value).dtype) for name, value in template.items()}
    occupied = state["occupied"]

    def next_candidates(slots):
        key = stream_key(seed, slot[slots], candidates[slots] + 1)
        candidates[slots] += 1
        return key

    diverted_queue = np.zeros(n_slots, bool)  # whether each slot's queue this month is diverted

    def queue(slots, t, verdict):
        """Each of ``slots``' month-``t`` queue: up to K candidates in turn until one goes. ``verdict``
        maps (candidate keys, their slots) to (goes, declined, diverted) arrays. Returns (the goer's
        key, or the last candidate's where none goes; whether one goes; how many declined and how
        many were diverted in all)."""
        diverted_queue[slots] = queue_diverted(tl, t, stream_key(seed, slot[slots], 1), post[slots])
        key = next_candidates(slots)
        goes, declined, diverted = verdict(key, slots)
        n_declined, n_diverted = np.count_nonzero(declined), np.count_nonzero(diverted)
        for _ in range(int(p.candidates_per_post) - 1):
            again = np.flatnonzero(~goes)
            if again.size == 0:
                break
            key[again] = next_candidates(slots[again])
            goes[again], declined, diverted = verdict(key[again], slots[again])
            n_declined += np.count_nonzero(declined)
            n_diverted += np.count_nonzero(diverted)
        return key, goes, n_declined, n_diverted

    def candidates_at(t, key, slots):
        """(where they come forward or -1, their attributes there, or at the post where -1)."""
        came = arriving(tl, t, key, post[slots], diverted_queue[slots])
        return came, _candidates(p, tl, t, key, np.where(came < 0, post[slots], came))

    def in_month(t):
        def verdict(key, slots):
            came, c = candidates_at(t, key, slots)
            willing = c["gain"] >= p.reservation_gain_usd
            forward = came >= 0
            return forward & willing, forward & ~willing, forward & (came != post[slots])
        return verdict

    def at_steady_state(key, slots):
        came, c = candidates_at(0, key, slots)
        goes = steady_state_spell(p, tl, c, came >= 0)[0]
        return goes, goes, goes

    pending = np.arange(n_slots) if p.stock_mode else np.arange(0)
    served = np.zeros(n_slots, np.int64)  # stock mode: months served before month 0
    for _ in range(MAX_STEADY_STATE_CANDIDATES):  # stock mode, month 0: a round per queue
        if pending.size == 0:
            break
        key = queue(pending, 0, at_steady_state)[0]
        came, c = candidates_at(0, key, pending)
        goes, spell = steady_state_spell(p, tl, c, came >= 0)
        ok = accepted_at_steady_state(p, spell, key)
        hire = ok & goes
        c, key = _subset(c, hire), key[hire]
        terms = quota_terms(p, tl, 0, True, c["destination"])
        _store(state, pending[hire], dict(new_worker(c, key, 0, False, quota_terms=terms), occupied=True))
        served[pending[hire]] = steady_state_months(c, tl, key)
        pending = pending[~ok]
    for t in range(-served.max(initial=0), 0):  # the months they served
        working = np.flatnonzero(served >= -t)
        _, running, _ = work_month({name: state[name][working] for name in _MONTH_FIELDS}, t, p, tl,
                                   monthly_key[working], may_return=False)
        _store(state, working, running)

    t = 0
    while t < horizon or occupied.any():  # the months, then the run-out
        if t < horizon and (t > 0 if p.stock_mode else t == 0):
            vacant = np.flatnonzero(~occupied)
            key, hired, monthly[t, L.M.candidates_declined], monthly[t, L.M.candidates_diverted] = queue(
                vacant, t, in_month(t))
            c = _subset(candidates_at(t, key, vacant)[1], hired)
            w = new_worker(c, key[hired], 0, True, tl.bribe_multiplier[t, c["destination"]],
                           quota_terms(p, tl, t, True, c["destination"]))
            _store(state, vacant[hired], dict(w, occupied=True))
            monthly[t, L.M.hires] += np.count_nonzero(hired)
        working = np.flatnonzero(occupied)
        row, running, returns = work_month({name: state[name][working] for name in _MONTH_FIELDS},
                                           t, p, tl, monthly_key[working])
        _store(state, working, running)
        if t < horizon:
            monthly[t] += [np.sum(np.broadcast_to(value, working.shape)) for value in row]
            paid_in_horizon[working] += np.stack([row[L.M.to_state_usd], row[L.M.to_managers_usd]], axis=1)
        back = working[returns]
        occupied[back] = False
        to_state, to_managers = collect_arrears(p, {name: state[name][back] for name in ("arrears", "skim")})
        state["to_state"][back] += to_state
        state["to_managers"][back] += to_managers
        state["savings"][back] -= to_state + to_managers
        if t < horizon:
            monthly[t, [L.M.to_state_usd, L.M.to_managers_usd, L.M.arrears_collected_usd]] += [
                to_state.sum(), to_managers.sum(), (to_state + to_managers).sum()]
            monthly[t, L.M.kept_usd] -= (to_state + to_managers).sum()
            paid_in_horizon[back] += np.stack([to_state, to_managers], axis=1)
        back = back[state["recorded"][back]]
        if back.size:
            cell, row, values = settle(p, {name: state[name][back] for name in state})
            np.add.at(cell_totals, cell, np.stack(np.broadcast_arrays(*row), axis=1))
            for metric, value in enumerate(values):
                value = np.broadcast_to(value, back.shape)
                index = (cell, metric, bin_index(value))
                np.add.at(histogram, (*index, bins.COUNT), 1)
                np.add.at(histogram, (*index, bins.SUM), value)
        t += 1

    squares = (paid_in_horizon / 100.0) * (paid_in_horizon / 100.0)
    chunk_sumsq = np.array([np.cumsum(squares[start:start + L.CHUNK_WORKERS], axis=0)[-1]  # slot by slot, as
                            for start in range(0, n_slots, L.CHUNK_WORKERS)])  # the kernel adds them
    return raw_run(monthly, cell_totals, histogram, chunk_sumsq, n_slots, seed, started)
