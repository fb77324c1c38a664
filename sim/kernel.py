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
does (start, a month, arrears at return, settle, record) is in :mod:`sim.worker`;
this module holds the loops.

Reference counts. Numba counts references to the arrays a compiled function takes, atomically,
and threads whose counters share a cache line serialise on them; each array argument also costs
7 to 11 machine words of arguments (the parameters as one NamedTuple of 25 arrays came to 128).
Hence: the parameters are packed into three arrays (:mod:`sim.packing`), each thread works on
private copies of them, and everything below :func:`simulate_group` is compiled without
reference counts (:mod:`sim.jit`), the per-worker functions (:mod:`sim.worker`) inlined.
"""
from typing import NamedTuple

import numpy as np
from numba import njit
from numba.cpython.unsafe.numbers import trailing_zeros

from sim import layout as L
from sim import rng
from sim.jit import borrowing, inlined
from sim.packing import DISTS, TIMELINE, VALUES, at
from sim.month_sums import add_by_group, add_month, add_return_by_group, undo_returns
from sim.recruitment import (D_TRAVEL, NOT_FORWARD, arriving_destination, compliance_uniform, draw_candidate,
                             draw_status, post_of, queue_diverted, steady_state_worker)
from sim.sampling import draw
from sim.worker import (BLOCK_SLOTS, F_BRIBE, F_COUNT, F_HOME_WAGE, F_POST_DIVERSION, I_BORROWED, I_CANDIDATES,
                        I_CONTRACT, I_COUNT, I_DESTINATION, I_HIRE_MONTH, I_KEY, I_MANAGERS, I_MANAGERS_REVENUE,
                        I_OCCUPIED, I_POST, I_RECORD_ROW, I_STATE, I_STATE_REVENUE, I_STATUS, apply_levers,
                        change_status, collect_arrears, defies_order, kept_savings, month_pass, record_outcome,
                        return_reason, sent_home_by_policy, settle, start_worker)

class Accumulators(NamedTuple):
    """Aggregates filled by :func:`simulate_group`; ``G`` groups (one per thread) are summed after.

    monthly : ndarray(int64, (G, horizon_months, len(MONTHLY_SERIES)))
    monthly_by_destination : ndarray(int64, (G, horizon_months, destinations, len(MONTHLY_BY_DESTINATION))),
        filled only when there are several destinations (with one, it is ``monthly``'s columns)
    monthly_by_status : ndarray(int64, (G, horizon_months, 1 + statuses, len(MONTHLY_BY_STATUS))), the
        work permit then each status of ``[statuses]``, filled only when there are statuses
    cell_totals : ndarray(int64, (G, cells, len(CELL_TOTALS))), the hires of the run
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
    cell_totals: np.ndarray
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


@njit(cache=True, nogil=True)
def simulate_group(dists, values, tlm, n_dest, n_skill, seed, first_slot, n_slots, group, acc, records):
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
    """
    groups, horizon = acc.monthly.shape[0], tlm.shape[0]
    monthly, by_destination, by_status = acc.monthly[group], acc.monthly_by_destination[group], acc.monthly_by_status[group]
    totals, by_reason, histogram = acc.cell_totals[group], acc.cell_totals_by_reason[group], acc.histogram[group]
    real = np.zeros((F_COUNT, BLOCK_SLOTS))
    whole = np.zeros((I_COUNT, BLOCK_SLOTS), np.int64)
    # Kept money per month is derived, not accumulated: kept = gross - expenses - to state -
    # to managers holds for every worker-month, so for the group's sums too (int64, exact).
    kept_before = np.empty(horizon, np.int64)
    for t in range(horizon):
        kept_before[t] = monthly[t, L.M.kept_usd] - (monthly[t, L.M.gross_earnings_usd] - monthly[t, L.M.expenses_usd]
                                                 - monthly[t, L.M.to_state_usd] - monthly[t, L.M.to_managers_usd])
    for chunk in range(group, (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS, groups):
        start = chunk * L.CHUNK_WORKERS
        state_sumsq = managers_sumsq = 0.0
        for block_start in range(start, min(start + L.CHUNK_WORKERS, n_slots), BLOCK_SLOTS):
            n = min(BLOCK_SLOTS, n_slots - block_start, start + L.CHUNK_WORKERS - block_start)
            _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n, real, whole,
                            monthly, by_destination, by_status, totals, by_reason, histogram, acc.slot_workers,
                            records)
            for i in range(n):
                state_sumsq += (whole[I_STATE_REVENUE, i] / 100.0) ** 2
                managers_sumsq += (whole[I_MANAGERS_REVENUE, i] / 100.0) ** 2
        acc.chunk_sumsq[chunk, 0] = state_sumsq
        acc.chunk_sumsq[chunk, 1] = managers_sumsq
    for t in range(horizon):
        monthly[t, L.M.kept_usd] = kept_before[t] + (monthly[t, L.M.gross_earnings_usd] - monthly[t, L.M.expenses_usd]
                                                 - monthly[t, L.M.to_state_usd] - monthly[t, L.M.to_managers_usd])


@borrowing
def _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n,
                    real, whole, monthly, by_destination, by_status, totals, by_reason, histogram, slot_workers,
                    records):
    """Local slots ``block_start`` to ``block_start + n`` (n <= BLOCK_SLOTS), months outermost.

    Each month: vacant slots draw candidates (stock mode from month 1, cohort mode at month 0
    only; in stock mode month 0 holds the steady state, see :func:`_start_steady_state`), then
    :func:`sim.worker.month_pass`, then those going home pay their arrears and are settled and
    recorded (a worker met at month 0 by his cohort and return reason, and in the records, not in the
    cells). The slot-by-slot passes visit only the slots in question
    (about one worker-month in 28 has a return), found in bit masks, not by a scan. After the
    horizon (the run-out) the months go on, with the timeline's last month, outside
    ``monthly``, until every worker is home. Leaves each slot's payments within the horizon
    (cents) in rows I_STATE_REVENUE, I_MANAGERS_REVENUE of ``whole``. With several
    destinations, also adds each month's series by destination into ``by_destination``
    (:func:`sim.month_sums.add_by_group` after each month pass, hires and returns one by one); with statuses,
    by status into ``by_status``. After the returns, the workers who did not comply with the
    repatriation hazard take a status (U_STATUS of their candidate stream, :func:`sim.recruitment.draw_status`),
    from the next month on.
    """
    horizon = tlm.shape[0]
    stock_mode = values[at(VALUES.stock_mode, n_dest, n_skill, 0)] != 0.0
    shock_sd = values[at(VALUES.wage_shock_sd, n_dest, n_skill, 0)]
    reservation = values[at(VALUES.reservation_gain_usd, n_dest, n_skill, 0)]
    queue = int(values[at(VALUES.candidates_per_post, n_dest, n_skill, 0)])
    interest = values[at(VALUES.interest_rate_per_month, n_dest, n_skill, 0)]
    deduct_arrears = values[at(VALUES.arrears_deducted, n_dest, n_skill, 0)] != 0.0
    new_hires_only = values[at(VALUES.quota_policy_for_new_hires, n_dest, n_skill, 0)] != 0.0
    n_status = int(values[at(VALUES.status_count, n_dest, n_skill, 0)])
    keep = records.codes.shape[0] > 0
    split = n_dest > 1
    real[:, :] = 0.0
    whole[:, :] = 0
    for i in range(n):
        slot = first_slot + block_start + i
        whole[I_KEY, i] = np.int64(rng.stream_key(seed, slot, rng.MONTHLY_STREAM))
        whole[I_RECORD_ROW, i] = records.first_row[block_start + i] if keep else -1
        whole[I_POST, i], real[F_POST_DIVERSION, i] = post_of(values, n_dest, n_skill, seed, slot)
    vacancies = (np.uint64(1) << np.uint64(n)) - np.uint64(1) if n < 64 else ~np.uint64(0)
    if stock_mode:
        vacancies = _start_steady_state(dists, values, n_dest, n_skill, tlm, seed, first_slot + block_start, n,
                                        real, whole)
    vacant = _bit_count(vacancies)  # how many slots are vacant, and which (bit i for column i)
    t = 0
    while t < horizon or vacant < n:
        if vacant > 0 and t < horizon and (t > 0 if stock_mode else t == 0):
            pending = vacancies
            while pending:  # each vacant slot: its queue, in turn, until one candidate goes
                i = np.int64(trailing_zeros(pending))
                pending &= pending - np.uint64(1)
                post = whole[I_POST, i]
                slot = first_slot + block_start + i
                diverted = queue_diverted(tlm, t, n_dest, n_skill, post, real[F_POST_DIVERSION, i])
                for _ in range(queue):
                    whole[I_CANDIDATES, i] += 1
                    key = rng.stream_key(seed, slot, whole[I_CANDIDATES, i])
                    d = arriving_destination(tlm, t, n_dest, n_skill, key, post, diverted)
                    if d == NOT_FORWARD:
                        continue
                    if d != post:
                        monthly[t, L.M.candidates_diverted] += 1
                        if split:
                            by_destination[t, post, L.MD.candidates_diverted] += 1
                    c = draw_candidate(dists, values, n_dest, n_skill, key, d, tlm, t)
                    if c.expected_gain_usd < reservation:
                        monthly[t, L.M.candidates_declined] += 1
                        if split:
                            by_destination[t, post, L.MD.candidates_declined] += 1
                    else:
                        monthly[t, L.M.hires] += 1
                        if split:
                            by_destination[t, d, L.MD.hires] += 1
                        hire_multiplier, hire_surcharge = _quota_terms(tlm, t, n_dest, n_skill, d, new_hires_only)
                        start_worker(real, whole, i, c,
                                     values[at(VALUES.idle_probability_per_month, n_dest, n_skill, c.regime)], t,
                                     True, tlm[t, at(TIMELINE.bribe_multiplier, n_dest, n_skill, d)],
                                     hire_multiplier, hire_surcharge, compliance_uniform(key))
                        apply_levers(tlm, t, n_dest, n_skill, not new_hires_only, real, whole, i)
                        vacant -= 1
                        vacancies &= ~(np.uint64(1) << np.uint64(i))
                        break
        month = min(t, horizon - 1)
        if 0 < t < horizon and _levers_change(tlm, t, n_dest, n_skill):
            for i in range(BLOCK_SLOTS):
                apply_levers(tlm, t, n_dest, n_skill, not new_hires_only, real, whole, i)
        sums = month_pass(t, shock_sd, real, whole, True)
        switched = np.uint64(0)  # those the order reaches who do not comply: they stay, on a status
        pending = sums.returned if n_status > 0 else np.uint64(0)
        while pending:
            i = np.int64(trailing_zeros(pending))
            pending &= pending - np.uint64(1)
            if defies_order(real, whole, i, t, tlm[month, at(TIMELINE.compliance_share, n_dest, n_skill,
                                                             whole[I_DESTINATION, i])]):
                switched |= np.uint64(1) << np.uint64(i)
        returned_now = sums.returned & ~switched
        if t < horizon:
            add_month(monthly, t, sums)
            if switched:
                undo_returns(monthly, t, whole, switched)
            if split:
                add_by_group(by_destination, L.MD, t, whole, I_DESTINATION, n_dest, sums)
            if n_status > 0:
                add_by_group(by_status, L.MS, t, whole, I_STATUS, 1 + n_status, sums)
        if t == horizon - 1:  # those still abroad: their payments so far fell within the horizon
            for i in range(n):
                if whole[I_OCCUPIED, i] != 0 and (returned_now >> np.uint64(i)) & np.uint64(1) == 0:
                    whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
                    whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
        vacant += _bit_count(returned_now)
        vacancies |= returned_now
        returned = returned_now
        while returned:  # each worker who went home: his arrears, then the hire's outcome
            i = np.int64(trailing_zeros(returned))
            returned &= returned - np.uint64(1)
            whole[I_OCCUPIED, i] = 0
            arrears_to_state, arrears_to_managers = collect_arrears(real, whole, i, deduct_arrears)
            if t < horizon:
                monthly[t, L.M.to_state_usd] += arrears_to_state
                monthly[t, L.M.to_managers_usd] += arrears_to_managers
                monthly[t, L.M.arrears_collected_usd] += arrears_to_state + arrears_to_managers
                if split:
                    add_return_by_group(by_destination, L.MD, t, whole[I_DESTINATION, i], arrears_to_state,
                                     arrears_to_managers)
                if n_status > 0:
                    add_return_by_group(by_status, L.MS, t, whole[I_STATUS, i], arrears_to_state, arrears_to_managers)
                whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
                whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
            slot = first_slot + block_start + i
            months = t + 1 - whole[I_HIRE_MONTH, i]
            travel = draw(dists, at(DISTS.travel_cost_usd, n_dest, n_skill, 0),
                          rng.stream_key(seed, slot, whole[I_CANDIDATES, i]), D_TRAVEL)
            kept = kept_savings(whole, i, months)
            settlement = settle(real[F_BRIBE, i], whole[I_BORROWED, i] != 0, months, whole[I_CONTRACT, i], interest,
                                real[F_HOME_WAGE, i], kept, travel)
            sent_home = months < whole[I_CONTRACT, i] and sent_home_by_policy(real, whole, i, t)
            reason = return_reason(t, horizon, months, whole[I_CONTRACT, i], sent_home)
            record_outcome(real, whole, i, slot, months, kept, arrears_to_state + arrears_to_managers, settlement,
                           reason, n_skill, totals, by_reason, histogram, records)
            slot_workers[block_start + i] += 1
        while switched:  # each worker who stays against the order: his new status, from next month
            i = np.int64(trailing_zeros(switched))
            switched &= switched - np.uint64(1)
            status = draw_status(values, n_dest, n_skill,
                                 rng.stream_key(seed, first_slot + block_start + i, whole[I_CANDIDATES, i]))
            change_status(real, whole, i, status,
                          values[at(VALUES.status_earnings_multiplier, n_dest, n_skill, status - 1)],
                          values[at(VALUES.status_contribution_multiplier, n_dest, n_skill, status - 1)],
                          values[at(VALUES.status_detection_hazard_per_month, n_dest, n_skill, status - 1)])
            apply_levers(tlm, month, n_dest, n_skill, not new_hires_only, real, whole, i)
        t += 1


@borrowing
def _start_steady_state(dists, values, n_dest, n_skill, tlm, seed, first_slot, n, real, whole):
    """Month 0 of a stock-mode block: each slot holds a worker of the steady state, or is vacant.

    The workers come from :func:`sim.recruitment.steady_state_worker`, which also gives the
    months ``a`` each has served. Those months, ``-a`` to ``-1``, are then simulated like any
    other (with the month-0 timeline, and nobody going home: he is known to have stayed), so
    each worker reaches month 0 with the arrears, and totals, of his tenure. His payments before
    month 0 are left out of the slot's payments within the horizon (rows I_STATE_REVENUE,
    I_MANAGERS_REVENUE start at minus them). Returns the set of slots vacant at month 0.
    """
    new_hires_only = values[at(VALUES.quota_policy_for_new_hires, n_dest, n_skill, 0)] != 0.0
    vacancies = np.uint64(0)
    waiting = np.uint64(0)  # slots whose worker starts in a month before 0
    first_month = 0
    for i in range(n):
        candidate, c, served = steady_state_worker(dists, values, n_dest, n_skill, seed, first_slot + i,
                                                   whole[I_POST, i], real[F_POST_DIVERSION, i], tlm)
        whole[I_CANDIDATES, i] = candidate
        if served < 0:
            vacancies |= np.uint64(1) << np.uint64(i)
            continue
        hire_multiplier, hire_surcharge = _quota_terms(tlm, 0, n_dest, n_skill, c.destination, new_hires_only)
        start_worker(real, whole, i, c, values[at(VALUES.idle_probability_per_month, n_dest, n_skill, c.regime)],
                     -served, False, 1.0, hire_multiplier, hire_surcharge,
                     compliance_uniform(rng.stream_key(seed, first_slot + i, candidate)))
        apply_levers(tlm, 0, n_dest, n_skill, not new_hires_only, real, whole, i)
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
            month_pass(t, values[at(VALUES.wage_shock_sd, n_dest, n_skill, 0)], real, whole, False)
    for i in range(n):
        whole[I_STATE_REVENUE, i] = -whole[I_STATE, i]
        whole[I_MANAGERS_REVENUE, i] = -whole[I_MANAGERS, i]
    return vacancies


@inlined
def _levers_change(tlm, t, n_dest, n_skill):
    """Whether month ``t`` (> 0) of the timeline changes a lever the month pass reads (wage index,
    quota multiplier and surcharge, stay) at any destination."""
    for code in (TIMELINE.wage_index, TIMELINE.quota_multiplier, TIMELINE.quota_surcharge_usd_per_month,
                 TIMELINE.stay):
        for d in range(n_dest):
            if tlm[t, at(code, n_dest, n_skill, d)] != tlm[t - 1, at(code, n_dest, n_skill, d)]:
                return True
    return False


@inlined
def _quota_terms(tlm, t, n_dest, n_skill, destination, new_hires_only):
    """(multiplier, surcharge in USD a month) of the planned contribution that a worker hired for
    ``destination`` in month ``t`` keeps for his whole stay: month ``t``'s when the quota policy
    reaches new hires only, else (1, 0), and each month's apply (:func:`sim.worker.month_pass`)."""
    if new_hires_only:
        return (tlm[t, at(TIMELINE.quota_multiplier, n_dest, n_skill, destination)],
                tlm[t, at(TIMELINE.quota_surcharge_usd_per_month, n_dest, n_skill, destination)])
    return 1.0, 0.0


@inlined
def _bit_count(mask):
    count = 0
    while mask:
        mask &= mask - np.uint64(1)
        count += 1
    return count
