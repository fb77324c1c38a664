"""The month-by-month worker simulation: ``@njit`` loops over plain arrays only.

A *slot* is one position in the simulated workforce. In stock mode a slot is
occupied at month 0 by a worker drawn from the steady state and is refilled by
a new hire the month after each return; in cohort mode it holds one hire from
month 0. Each month an occupied slot's worker earns, pays the planned
contribution (or falls into arrears), keeps the rest, and may go home early. A
worker still abroad at the horizon is followed until return (the run-out,
outside the monthly series) so every hire of the run has a full outcome.

Money is rounded to whole cents once per worker-month; from there on it is
int64 arithmetic, so the accounting identity

    gross earnings = to state + to managers + expenses + kept

holds exactly for every worker and every month, and sums do not depend on the
order threads add them. Results are bit-identical for any thread count.

Draws are counter-based (see :mod:`sim.rng`): month ``t`` of a slot uses
counters ``2t`` and ``2t + 1`` of its monthly stream, and candidate ``k`` of a
slot draws each attribute at a fixed counter of its own stream (the ``U_`` and
``D_`` constants of :mod:`sim.recruitment`), so a draw never depends on what
happened before it.

That is what lets the kernel run months as the outer loop over a *block* of
BLOCK_SLOTS slots: each slot's current worker is a column of two small tables,
and a month of the whole block is one branch-free loop that LLVM vectorises
(:func:`sim.worker.month_pass`, the only place the month's arithmetic is
written, for the months within the horizon, the run-out and the months before 0
alike). Hires and returns, about one worker-month in 28, are handled slot by
slot between month passes. Every number is the one a slot-by-slot loop would
draw, so the results do not depend on the block size either. What one worker
does (start, a month, arrears at return) is in :mod:`sim.worker`, his settlement and record at
return in :mod:`sim.outcome`, what a block does between its month passes (hires, returns,
statuses) in :mod:`sim.month_steps`; this module holds the loops.

Reference counts. Numba counts references to the arrays a compiled function takes, atomically,
and threads whose counters share a cache line serialise on them; each array argument also costs
7 to 11 machine words of arguments (the parameters as one NamedTuple of 25 arrays came to 128).
Hence: the parameters are packed into three arrays (:mod:`sim.packing`), each thread works on
private copies of them, and the kernel, :func:`simulate_group` and all it calls, is compiled without
reference counts (:mod:`sim.jit`): it allocates nothing, :mod:`sim.engine` gives it every array,
its block tables too. The per-worker functions (:mod:`sim.worker`, :mod:`sim.outcome`) are inlined
by LLVM.

Compiling. :func:`_simulate_block` and :func:`_start_steady_state`, each called from one place,
are inlined by Numba (``inline="always"``, their Numba IR copied into the caller's) rather than
compiled as functions of their own: Numba optimises and generates machine code for every compiled
function, and again for each function that calls it, with it linked in, so the block's code went
through LLVM twice. Inlining them saved 1.6 of the 9.3 CPU seconds a first run spent compiling.
"""
from typing import NamedTuple

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from sim import layout as L
from sim import rng
from sim.jit import borrowing, inlined
from sim.month_steps import (GroupSums, add_month_sums, block_terms, defiers, fill_vacancies, quota_terms,
                             send_home, take_statuses)
from sim.packing import TIMELINE, VALUES, at
from sim.recruitment import compliance_uniform, post_of, steady_state_worker
from sim.worker import (BLOCK_SLOTS, F_POST_DIVERSION, I_CANDIDATES, I_HIRE_MONTH, I_KEY, I_MANAGERS,
                        I_MANAGERS_REVENUE, I_OCCUPIED, I_POST, I_RECORD_ROW, I_SLOT_KEY, I_STATE, I_STATE_REVENUE,
                        apply_levers, month_pass, start_worker)


class Accumulators(NamedTuple):
    """Aggregates filled by :func:`simulate_group`; ``G`` groups (one per thread) are summed after.

    monthly : ndarray(int64, (G, horizon_months, len(MONTHLY_SERIES))); kept money is left out
        (derived by :func:`sim.engine.simulate`: gross - expenses - to state - to managers holds for
        every worker-month, so for the sums too)
    monthly_by_destination : ndarray(int64, (G, horizon_months, destinations, len(MONTHLY_BY_DESTINATION))),
        filled only when there are several destinations (with one, it is ``monthly``'s columns)
    monthly_by_status : ndarray(int64, (G, horizon_months, 1 + statuses, len(MONTHLY_BY_STATUS))), the
        work permit then each status of ``[statuses]``, filled only when there are statuses
    cell_totals_by_reason : ndarray(int64, (G, cells * len(HIRE_COHORTS) * len(RETURN_REASONS),
        len(CELL_TOTALS))), every returned worker, those met at month 0 too, by cohort and return reason
    histogram : ndarray(int64, (G, cells, len(OUTCOME_METRICS), bins.BINS, 2)), per bin the
        count and the sum of the values (cents, or months), see :mod:`sim.bins`
    chunk_sumsq : ndarray(float64, (chunks, 2)), per chunk: sum over slots of the square
        of the slot's payments to the state, and to managers, within the horizon (USD squared)
    slot_workers : ndarray(int64, (slots,)), workers that returned, per slot
    """

    monthly: np.ndarray
    monthly_by_destination: np.ndarray
    monthly_by_status: np.ndarray
    cell_totals_by_reason: np.ndarray
    histogram: np.ndarray
    chunk_sumsq: np.ndarray
    slot_workers: np.ndarray


class WorkerRecords(NamedTuple):
    """Optional per-worker output; zero rows when not asked for.

    first_row : ndarray(int64, (slots,)), row of each slot's first worker
    codes : ndarray(int64, (n, len(WORKER_CODES)))
    cents : ndarray(int64, (n, len(WORKER_CENTS)))
    values : ndarray(float64, (n, len(WORKER_VALUES)))
    """

    first_row: np.ndarray
    codes: np.ndarray
    cents: np.ndarray
    values: np.ndarray


@borrowing(nogil=True)
def simulate_group(dists, values, tlm, n_dest, n_skill, seed, first_slot, n_slots, group, acc, records, real, whole):
    """Simulate group ``group``'s chunks of the ``n_slots`` slots starting at global slot ``first_slot``.

    Slots are taken in chunks of CHUNK_WORKERS; chunk ``c`` goes to group ``c % G`` (``G`` =
    ``acc.monthly.shape[0]``), and each group adds into its own rows of ``acc``, so that groups
    run on threads of their own (the GIL released) and write no memory in common. A chunk's
    slots go BLOCK_SLOTS at a time (:func:`_simulate_block`). Writes ``acc.chunk_sumsq[c]``
    for the group's chunks: the sums over the chunk's slots, in slot order, of the squares of
    each slot's payments to the state and to managers within the horizon (USD^2).

    Parameters
    ----------
    dists, values, tlm, n_dest, n_skill : the fields of a :class:`sim.packing.PackedParams`, the
        group's private copies (see "Reference counts" above)
    seed : int, the run seed
    first_slot : int, a multiple of CHUNK_WORKERS
    n_slots : int
    group : int, 0 to G - 1
    acc : Accumulators, added to (not cleared)
    records : WorkerRecords, written when it has rows
    real, whole : ndarray(float64, (F_COUNT, BLOCK_SLOTS)), ndarray(int64, (I_COUNT, BLOCK_SLOTS)), the
        group's block tables (:mod:`sim.worker`), overwritten
    """
    groups = acc.monthly.shape[0]
    sums = GroupSums(acc.monthly[group], acc.monthly_by_destination[group], acc.monthly_by_status[group],
                     acc.cell_totals_by_reason[group], acc.histogram[group], acc.slot_workers, records)
    for chunk in range(group, (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS, groups):
        start = chunk * L.CHUNK_WORKERS
        stop = min(start + L.CHUNK_WORKERS, n_slots)
        state_sumsq = managers_sumsq = 0.0
        for block_start in range(start, stop, BLOCK_SLOTS):
            n = min(BLOCK_SLOTS, stop - block_start)
            _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n, real, whole, sums)
            for i in range(n):
                state_sumsq += (whole[I_STATE_REVENUE, i] / 100.0) ** 2
                managers_sumsq += (whole[I_MANAGERS_REVENUE, i] / 100.0) ** 2
        acc.chunk_sumsq[chunk, 0] = state_sumsq
        acc.chunk_sumsq[chunk, 1] = managers_sumsq


@njit(inline="always")  # see "Compiling" above
def _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n, real, whole, sums):
    """Local slots ``block_start`` to ``block_start + n`` (n <= BLOCK_SLOTS), months outermost,
    into ``sums`` (:class:`sim.month_steps.GroupSums`).

    Each month: vacant slots draw candidates (stock mode from month 1, cohort mode at month 0
    only; in stock mode month 0 holds the steady state, see :func:`_start_steady_state`):
    :func:`sim.month_steps.fill_vacancies`; then :func:`sim.worker.month_pass`; then the workers the
    repatriation hazard reaches who do not comply stay (:func:`sim.month_steps.defiers`), the others going home
    pay their arrears and are settled and recorded (:func:`sim.month_steps.send_home`), and those who stay take
    a status from the next month on (:func:`sim.month_steps.take_statuses`). The slot-by-slot passes visit only
    the slots in question (about one worker-month in 28 has a return), found in bit masks, not
    by a scan. After the horizon (the run-out) the months go on, with the timeline's last month,
    outside the monthly sums, until every worker is home. Leaves each slot's payments within the
    horizon (cents) in rows I_STATE_REVENUE, I_MANAGERS_REVENUE of ``whole``.
    """
    terms = block_terms(values, n_dest, n_skill, tlm.shape[0])
    slot0 = first_slot + block_start  # the global slot of column 0
    real[:, :] = 0.0
    whole[:, :] = 0
    for i in range(n):
        slot = rng.slot_key(seed, slot0 + i)
        whole[I_SLOT_KEY, i] = np.int64(slot)
        whole[I_KEY, i] = np.int64(rng.stream_of(slot, rng.MONTHLY_STREAM))
        whole[I_RECORD_ROW, i] = sums.records.first_row[block_start + i] if sums.records.codes.shape[0] > 0 else -1
        whole[I_POST, i], real[F_POST_DIVERSION, i] = post_of(values, n_dest, n_skill, slot)
    vacancies = (np.uint64(1) << np.uint64(n)) - np.uint64(1) if n < 64 else ~np.uint64(0)
    if terms.stock_mode:
        vacancies = _start_steady_state(dists, values, n_dest, n_skill, tlm, n, terms, real, whole)
    occupied = n - _bit_count(vacancies)
    t = 0
    while t < terms.horizon or occupied > 0:
        if vacancies and t < terms.horizon and (t > 0 if terms.stock_mode else t == 0):
            hired = fill_vacancies(dists, values, n_dest, n_skill, tlm, t, terms, real, whole, vacancies, sums)
            vacancies &= ~hired
            occupied += _bit_count(hired)
        month = min(t, terms.horizon - 1)
        if t < terms.horizon and tlm[t, at(TIMELINE.levers_change, n_dest, n_skill, 0)] != 0.0:
            for i in range(BLOCK_SLOTS):
                apply_levers(tlm, t, n_dest, n_skill, not terms.new_hires_only, real, whole, i)
        month_sums = month_pass(t, terms.shock_sd, real, whole, True)
        stay = (defiers(tlm, month, n_dest, n_skill, real, whole, month_sums.returned) if terms.n_status
                else np.uint64(0))
        going = month_sums.returned & ~stay
        if t < terms.horizon:
            add_month_sums(t, terms, whole, month_sums, stay, n_dest, sums)
        if t == terms.horizon - 1:  # those still abroad: their payments so far fell within the horizon
            for i in range(n):
                if whole[I_OCCUPIED, i] != 0 and (going >> np.uint64(i)) & np.uint64(1) == 0:
                    whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
                    whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
        occupied -= _bit_count(going)
        vacancies |= going
        send_home(n_skill, t, slot0, block_start, terms, real, whole, going, sums)
        take_statuses(values, n_dest, n_skill, tlm, month, terms, real, whole, stay)
        t += 1


@njit(inline="always")  # see "Compiling" above
def _start_steady_state(dists, values, n_dest, n_skill, tlm, n, terms, real, whole):
    """Month 0 of a stock-mode block: each slot holds a worker of the steady state, or is vacant.

    The workers come from :func:`sim.recruitment.steady_state_worker`, which also gives the
    months ``a`` each has served. Those months, ``-a`` to ``-1``, are then simulated like any
    other (with the month-0 timeline, and nobody going home: he is known to have stayed), so
    each worker reaches month 0 with the arrears, and totals, of his tenure. His payments before
    month 0 are left out of the slot's payments within the horizon (rows I_STATE_REVENUE,
    I_MANAGERS_REVENUE start at minus them). Returns the set of slots vacant at month 0.
    """
    vacancies = np.uint64(0)
    waiting = np.uint64(0)  # slots whose worker starts in a month before 0
    first_month = 0
    for i in range(n):
        slot = np.uint64(whole[I_SLOT_KEY, i])
        candidate, c, served = steady_state_worker(dists, values, n_dest, n_skill, slot, whole[I_POST, i],
                                                   real[F_POST_DIVERSION, i], tlm)
        whole[I_CANDIDATES, i] = candidate
        if served < 0:
            vacancies |= np.uint64(1) << np.uint64(i)
            continue
        hire_multiplier, hire_surcharge = quota_terms(tlm, 0, n_dest, n_skill, c.destination, terms.new_hires_only)
        start_worker(real, whole, i, c, values[at(VALUES.idle_probability_per_month, n_dest, n_skill, c.regime)],
                     -served, False, 1.0, hire_multiplier, hire_surcharge,
                     compliance_uniform(rng.stream_of(slot, candidate)))
        apply_levers(tlm, 0, n_dest, n_skill, not terms.new_hires_only, real, whole, i)
        whole[I_OCCUPIED, i] = 0
        waiting |= np.uint64(1) << np.uint64(i)
        first_month = min(first_month, -served)
    for t in range(first_month, 1):
        pending = waiting
        while pending:  # workers whose first month this is
            i = np.int64(trailing_zeros(pending))
            pending &= pending - np.uint64(1)
            if whole[I_HIRE_MONTH, i] <= t:
                whole[I_OCCUPIED, i] = 1
                waiting &= ~(np.uint64(1) << np.uint64(i))
        if t < 0:
            month_pass(t, terms.shock_sd, real, whole, False)
    for i in range(n):
        whole[I_STATE_REVENUE, i] = -whole[I_STATE, i]
        whole[I_MANAGERS_REVENUE, i] = -whole[I_MANAGERS, i]
    return vacancies


@inlined
def _bit_count(mask):
    count = 0
    while mask:
        mask &= mask - np.uint64(1)
        count += 1
    return count
