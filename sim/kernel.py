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
``D_`` constants below), so a draw never depends on what happened before it.

That is what lets the kernel run months as the outer loop over a *block* of
BLOCK_SLOTS slots: each slot's current worker is a column of two small tables,
and a month of the whole block is one branch-free loop that LLVM vectorises
(:func:`_month_pass`, the only place the month's arithmetic is written, for the
months within the horizon and the run-out alike). Hires and returns, about one
worker-month in 28, are handled slot by slot between month passes. Every number
is the one a slot-by-slot loop would draw, so the results do not depend on the
block size either.
"""
import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange
from numba.cpython.unsafe.numbers import trailing_zeros

from sim import bins
from sim import layout as L
from sim import rng
from sim.packing import (R_TRAVEL, T_BRIBE_MULTIPLIER, T_INTAKE, T_QUOTA_MULTIPLIER, T_STAY, T_WAGE_INDEX,
                         V_ARREARS_DEDUCTED, V_IDLE, V_INTEREST, V_RESERVATION, V_SHOCK_SD, V_STOCK_MODE,
                         pack_params, pack_timeline, scalars_start, shared_row)
from sim.recruitment import D_TRAVEL, U_ARRIVAL, draw_candidate, steady_state_worker
from sim.sampling import draw

class Accumulators(NamedTuple):
    """Aggregates filled by :func:`simulate_slots`; ``G`` groups (one per thread) are summed after.

    monthly : ndarray(int64, (G, horizon_months, len(MONTHLY_SERIES)))
    cell_totals : ndarray(int64, (G, cells, len(CELL_TOTALS)))
    histogram : ndarray(int64, (G, cells, len(OUTCOME_METRICS), bins.BINS, 2)), per bin the
        count and the sum of the values (cents, or months), see :mod:`sim.bins`
    chunk_sumsq : ndarray(float64, (chunks, 2)), per chunk: sum over slots of the square
        of the slot's payments to the state, and to managers, within the horizon (USD squared)
    slot_workers : ndarray(int64, (slots,)), hires of the run that returned, per slot
    """

    monthly: np.ndarray
    cell_totals: np.ndarray
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


@njit(cache=True, inline="always")
def _cents(usd):
    return np.int64(math.floor(usd * 100.0 + 0.5))


@njit(cache=True, parallel=True)
def simulate_slots(p, timeline, seed, first_slot, n_slots, acc, records):
    """Simulate ``n_slots`` slots starting at global slot ``first_slot``.

    Slots are taken in chunks of CHUNK_WORKERS; chunk ``c`` goes to group
    ``c % G``, and each group (a prange iteration, one per thread) adds into its
    own rows of ``acc``, so no two threads write the same memory.

    Parameters
    ----------
    p : KernelParams
    timeline : TimelineArrays, each of length horizon_months
    seed : int, the run seed
    first_slot : int, a multiple of CHUNK_WORKERS
    n_slots : int
    acc : Accumulators, added to (not cleared)
    records : WorkerRecords, written when it has rows
    """
    groups = acc.monthly.shape[0]
    n_chunks = (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS
    dists, values = pack_params(p)
    tlm = pack_timeline(timeline)
    n_dest = p.destination_cumulative_share.shape[0]
    n_skill = p.skill_cumulative_share.shape[0]
    for group in prange(groups):
        # Private copies: a compiled call updates the reference counts of the arrays it is
        # passed (atomically), and threads sharing one counter's cache line serialise on it.
        group_dists, group_values, group_tlm = dists.copy(), values.copy(), tlm.copy()
        for chunk in range(group, n_chunks, groups):
            start = chunk * L.CHUNK_WORKERS
            stop = min(start + L.CHUNK_WORKERS, n_slots)
            _simulate_chunk(group_dists, group_values, n_dest, n_skill, group_tlm, seed, first_slot, start, stop, chunk,
                            acc.monthly[group], acc.cell_totals[group], acc.histogram[group],
                            acc.slot_workers, acc.chunk_sumsq, records)


# --- A block of slots, months as the outer loop ----------------------------------------------
# A chunk's slots are simulated BLOCK_SLOTS at a time. The current worker of each slot of the
# block lives in two small tables, one row per field and one column per slot, so that a month
# of the whole block is one branch-free loop over columns that LLVM vectorises
# (:func:`_month_pass`); hires and returns (about one worker-month in 28) are handled slot by
# slot afterwards, visiting only the slots concerned (bit masks of the block, one uint64 each).
# Draws are counter-based, so the block order gives exactly the numbers of a slot-by-slot loop.
BLOCK_SLOTS = 64
"""Slots simulated side by side: 2 tables of (fields, BLOCK_SLOTS) 8-byte values (14 KB). At most
64: the sets of vacant and of returning slots are uint64 bit masks (bit ``i`` for column ``i``)."""
# rows of the float64 table ``real`` (USD, per month where a rate):
(F_CAPACITY, F_QUOTA, F_SKIM, F_STAY, F_IDLE,  # read every month
 F_BRIBE, F_HOME_WAGE, F_EXPENSES) = range(8)  # read at return
F_COUNT = 8
# rows of the int64 table ``whole`` (money in cents, months as month indices):
(I_KEY,  # the slot's monthly stream key (uint64 bits)
 I_OCCUPIED,  # 1 while a worker is abroad, else 0
 I_END,  # hire month + contract: he has served his contract once month I_END - 1 is worked
 I_EXPENSES_CENTS, I_ARREARS, I_GROSS, I_STATE, I_MANAGERS,  # his month's expenses; running totals
 I_HIRE_MONTH,  # month he started (negative for the stock-mode worker met at month 0)
 I_DESTINATION, I_SKILL, I_REGIME, I_CONTRACT, I_BORROWED,
 I_RECORDED,  # 1 for a hire of the run (outcome counted), 0 for the stock-mode month-0 worker
 I_CANDIDATES,  # candidates the slot has drawn so far
 I_RECORD_ROW,  # the slot's next row of ``records``, or -1
 I_STATE_REVENUE, I_MANAGERS_REVENUE,  # the slot's payments within the horizon (cents)
 I_DUE,  # planned contributions asked of him so far, arrears aside (cents)
 ) = range(20)
I_COUNT = 20


@njit(cache=True, inline="always")
def _month_pass(t, wage_index, quota_multiplier, timeline_stay, shock_sd, real, whole, may_return):
    """Month ``t`` of every occupied slot of a block: the worker-month, vectorised across slots.

    ``wage_index``, ``quota_multiplier`` and ``timeline_stay`` (1 - repatriation hazard) are the
    timeline's entries for month ``t`` (its last month during the run-out, its first for the
    months before 0 that a stock-mode worker served). Month ``t`` uses counters ``2t`` (split
    into the hazard and idle uniforms) and ``2t + 1`` (the wage shock) of each slot's monthly
    stream, modulo 2**64 for ``t < 0``. Updates the running fields of ``whole`` (arrears, gross,
    to state, to managers, due); vacant slots are computed too and masked out. With
    ``may_return`` False nobody goes home (the months a worker met at month 0 had served).

    real : ndarray(float64, (F_COUNT, BLOCK_SLOTS)); whole : ndarray(int64, (I_COUNT, BLOCK_SLOTS))

    Returns the block's sums for the month, in cents where money: (active, gross earnings, to
    state, to managers, expenses, arrears of those who stay, returns, early returns, contract
    months, months served before this one), then the set of slots whose worker goes home after
    the month (bit ``i`` for column ``i``, uint64). Kept money is derived by the caller:
    kept = gross - expenses - to state - to managers.
    """
    active = gross_sum = state_sum = managers_sum = expenses_sum = arrears_sum = np.int64(0)
    returns_sum = early_sum = contract_sum = served_sum = np.int64(0)
    returned = np.uint64(0)
    for i in range(BLOCK_SLOTS):
        key = np.uint64(whole[I_KEY, i])
        occupied = whole[I_OCCUPIED, i] != 0
        u_hazard, u_idle = rng.uniform_pair(rng.bits(key, rng.DRAWS_PER_MONTH * t))
        shock = 1.0 + shock_sd * rng.bell(rng.bits(key, rng.DRAWS_PER_MONTH * t + 1))
        works = (u_idle >= real[F_IDLE, i]) & (shock > 0.0)
        earnings = _cents(real[F_CAPACITY, i] * wage_index * shock) if works else np.int64(0)
        expenses_cents = whole[I_EXPENSES_CENTS, i]
        due_now = _cents(real[F_QUOTA, i] * quota_multiplier)
        due = due_now + whole[I_ARREARS, i]
        paid = min(due, max(earnings - expenses_cents, np.int64(0)))
        arrears = due - paid
        to_managers = np.int64(math.floor(real[F_SKIM, i] * paid + 0.5))
        to_state = paid - to_managers
        completed = t + 1 >= whole[I_END, i]
        returns = may_return & (completed | (u_hazard < 1.0 - real[F_STAY, i] * timeline_stay))
        contract = whole[I_CONTRACT, i]
        served = t - whole[I_HIRE_MONTH, i]
        if not occupied:
            earnings = arrears = to_state = to_managers = expenses_cents = due_now = np.int64(0)
            contract = served = np.int64(0)
            returns = completed = False
        whole[I_ARREARS, i] = arrears
        whole[I_GROSS, i] += earnings
        whole[I_STATE, i] += to_state
        whole[I_MANAGERS, i] += to_managers
        whole[I_DUE, i] += due_now
        returned |= np.uint64(returns) << np.uint64(i)
        active += occupied
        gross_sum += earnings
        state_sum += to_state
        managers_sum += to_managers
        expenses_sum += expenses_cents
        arrears_sum += np.int64(0) if returns else arrears
        returns_sum += returns
        early_sum += returns != completed
        contract_sum += contract
        served_sum += served
    return (active, gross_sum, state_sum, managers_sum, expenses_sum, arrears_sum, returns_sum, early_sum,
            contract_sum, served_sum, returned)


@njit(cache=True, inline="always")
def _start_worker(real, whole, i, attributes, idle_probability, hire_month, recorded, bribe_multiplier):
    """Put a worker (the attributes of :func:`sim.recruitment.draw_candidate`) in column ``i`` of a block.
    A hire of the run (``recorded``) pays his bribe times the timeline's ``bribe_multiplier``."""
    (destination, skill, regime, contract, bribe, home_wage, capacity,
     expenses, hazard, quota, skim, borrowed, _) = attributes
    real[F_CAPACITY, i] = capacity
    real[F_QUOTA, i] = quota
    real[F_SKIM, i] = skim
    real[F_STAY, i] = 1.0 - hazard
    real[F_IDLE, i] = idle_probability
    real[F_BRIBE, i] = bribe * bribe_multiplier if recorded else bribe
    real[F_HOME_WAGE, i] = home_wage
    real[F_EXPENSES, i] = expenses
    whole[I_OCCUPIED, i] = 1
    whole[I_END, i] = hire_month + contract
    whole[I_EXPENSES_CENTS, i] = _cents(expenses)
    whole[I_ARREARS, i] = 0
    whole[I_GROSS, i] = 0
    whole[I_STATE, i] = 0
    whole[I_MANAGERS, i] = 0
    whole[I_DUE, i] = 0
    whole[I_HIRE_MONTH, i] = hire_month
    whole[I_DESTINATION, i] = destination
    whole[I_SKILL, i] = skill
    whole[I_REGIME, i] = regime
    whole[I_CONTRACT, i] = contract
    whole[I_BORROWED, i] = borrowed
    whole[I_RECORDED, i] = recorded


@njit(cache=True)
def _simulate_chunk(dists, values, n_dest, n_skill, tlm, seed, first_slot, start, stop, chunk,
                    monthly, totals, histogram, slot_workers, chunk_sumsq, records):
    """Local slots ``start`` to ``stop`` of one chunk, into one group's accumulator rows.

    Slots go BLOCK_SLOTS at a time (:func:`_simulate_block`); the block tables are allocated
    here, once per chunk. Writes ``chunk_sumsq[chunk]``: the sums over slots, in slot order, of
    the squares of each slot's payments to the state and to managers within the horizon (USD^2).
    """
    horizon = tlm.shape[0]
    real = np.zeros((F_COUNT, BLOCK_SLOTS))
    whole = np.zeros((I_COUNT, BLOCK_SLOTS), np.int64)
    # Kept money per month is derived, not accumulated: kept = gross - expenses - to state -
    # to managers holds for every worker-month, so for the chunk's sums too (int64, exact).
    kept_before = np.empty(horizon, np.int64)
    for t in range(horizon):
        kept_before[t] = monthly[t, L.M_KEPT] - (monthly[t, L.M_GROSS] - monthly[t, L.M_EXPENSES]
                                                 - monthly[t, L.M_STATE] - monthly[t, L.M_MANAGERS])
    state_sumsq = managers_sumsq = 0.0
    for block_start in range(start, stop, BLOCK_SLOTS):
        n = min(BLOCK_SLOTS, stop - block_start)
        _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n,
                        real, whole, monthly, totals, histogram, slot_workers, records)
        for i in range(n):
            state_sumsq += (whole[I_STATE_REVENUE, i] / 100.0) ** 2
            managers_sumsq += (whole[I_MANAGERS_REVENUE, i] / 100.0) ** 2
    for t in range(horizon):
        monthly[t, L.M_KEPT] = kept_before[t] + (monthly[t, L.M_GROSS] - monthly[t, L.M_EXPENSES]
                                                 - monthly[t, L.M_STATE] - monthly[t, L.M_MANAGERS])
    chunk_sumsq[chunk, 0] = state_sumsq
    chunk_sumsq[chunk, 1] = managers_sumsq


@njit(cache=True)
def _simulate_block(dists, values, n_dest, n_skill, tlm, seed, first_slot, block_start, n,
                    real, whole, monthly, totals, histogram, slot_workers, records):
    """Local slots ``block_start`` to ``block_start + n`` (n <= BLOCK_SLOTS), months outermost.

    Each month: vacant slots draw candidates (stock mode from month 1, cohort mode at month 0
    only; in stock mode month 0 holds the steady state, see :func:`_start_steady_state`), then
    :func:`_month_pass`, then the returning workers are settled. These two slot-by-slot passes
    visit only the slots in question (about one worker-month in 28 has a return), found in bit
    masks, not by a scan. After the horizon (the run-out) the months go on, with the timeline's
    last month, outside ``monthly``, until every worker is home. Leaves each slot's payments
    within the horizon (cents) in rows I_STATE_REVENUE, I_MANAGERS_REVENUE of ``whole``.
    """
    horizon = tlm.shape[0]
    base = scalars_start(n_dest, n_skill)
    stock_mode = values[base + V_STOCK_MODE] != 0.0
    shock_sd = values[base + V_SHOCK_SD]
    reservation = values[base + V_RESERVATION]
    interest = values[base + V_INTEREST]
    deduct_arrears = values[base + V_ARREARS_DEDUCTED] != 0.0
    keep = records.codes.shape[0] > 0
    codes, cents, worker_values = records.codes, records.cents, records.values
    real[:, :] = 0.0
    whole[:, :] = 0
    for i in range(n):
        slot = first_slot + block_start + i
        whole[I_KEY, i] = np.int64(rng.stream_key(seed, slot, rng.MONTHLY_STREAM))
        whole[I_RECORD_ROW, i] = records.first_row[block_start + i] if keep else -1
    vacancies = (np.uint64(1) << np.uint64(n)) - np.uint64(1) if n < 64 else ~np.uint64(0)
    if stock_mode:
        vacancies = _start_steady_state(dists, values, n_dest, n_skill, tlm, seed, first_slot + block_start, n,
                                        real, whole)
    vacant = _bit_count(vacancies)  # how many slots are vacant, and which (bit i for column i)
    t = 0
    while t < horizon or vacant < n:
        if vacant > 0 and t < horizon and (t > 0 if stock_mode else t == 0):
            pending = vacancies
            while pending:  # each vacant slot: its next candidate comes forward, or not
                i = np.int64(trailing_zeros(pending))
                pending &= pending - np.uint64(1)
                slot = first_slot + block_start + i
                whole[I_CANDIDATES, i] += 1
                key = rng.stream_key(seed, slot, whole[I_CANDIDATES, i])
                if rng.uniform_at(key, U_ARRIVAL) < tlm[t, T_INTAKE]:
                    attributes = draw_candidate(dists, values, n_dest, n_skill, key, tlm[t, T_WAGE_INDEX],
                                                tlm[t, T_QUOTA_MULTIPLIER], tlm[t, T_BRIBE_MULTIPLIER])
                    if attributes[-1] >= reservation:
                        monthly[t, L.M_HIRES] += 1
                        _start_worker(real, whole, i, attributes, values[base + V_IDLE + attributes[2]], t,
                                      True, tlm[t, T_BRIBE_MULTIPLIER])
                        vacant -= 1
                        vacancies &= ~(np.uint64(1) << np.uint64(i))
        month = min(t, horizon - 1)
        (active, month_gross, month_state, month_managers, month_expenses, month_arrears, returns,
         early, contract_months, months_served, returned) = _month_pass(
            t, tlm[month, T_WAGE_INDEX], tlm[month, T_QUOTA_MULTIPLIER], tlm[month, T_STAY], shock_sd, real, whole,
            True)
        if t < horizon:
            monthly[t, L.M_ACTIVE] += active
            monthly[t, L.M_GROSS] += month_gross
            monthly[t, L.M_STATE] += month_state
            monthly[t, L.M_MANAGERS] += month_managers
            monthly[t, L.M_EXPENSES] += month_expenses
            monthly[t, L.M_ARREARS] += month_arrears
            monthly[t, L.M_RETURNS] += returns
            monthly[t, L.M_EARLY_RETURNS] += early
            monthly[t, L.M_CONTRACT_SUM] += contract_months
            monthly[t, L.M_MONTHS_SERVED_SUM] += months_served
        if t == horizon - 1:  # those still abroad: their payments so far fell within the horizon
            for i in range(n):
                if whole[I_OCCUPIED, i] != 0 and (returned >> np.uint64(i)) & np.uint64(1) == 0:
                    whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
                    whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
        vacant += returns
        vacancies |= returned
        while returned:  # each worker who went home: settle his accounts
            i = np.int64(trailing_zeros(returned))
            returned &= returned - np.uint64(1)
            whole[I_OCCUPIED, i] = 0
            arrears = whole[I_ARREARS, i]
            arrears_collected = arrears if deduct_arrears else np.int64(0)
            if deduct_arrears:  # paid as he leaves, split like any payment
                arrears_to_managers = np.int64(math.floor(real[F_SKIM, i] * arrears + 0.5))
                whole[I_STATE, i] += arrears - arrears_to_managers
                whole[I_MANAGERS, i] += arrears_to_managers
                if t < horizon:
                    monthly[t, L.M_STATE] += arrears - arrears_to_managers
                    monthly[t, L.M_MANAGERS] += arrears_to_managers
                    monthly[t, L.M_ARREARS_COLLECTED] += arrears
            if t < horizon:
                whole[I_STATE_REVENUE, i] += whole[I_STATE, i]
                whole[I_MANAGERS_REVENUE, i] += whole[I_MANAGERS, i]
            if whole[I_RECORDED, i] == 0:  # the stock-mode worker met at month 0
                continue
            # the hire's outcome, into this group's rows (written out here: a function taking
            # these arrays would pay two atomic reference-count updates per array and call)
            months = t + 1 - whole[I_HIRE_MONTH, i]
            gross, to_state, to_managers = whole[I_GROSS, i], whole[I_STATE, i], whole[I_MANAGERS, i]
            slot = first_slot + block_start + i
            candidate = whole[I_CANDIDATES, i]
            destination, skill, regime = whole[I_DESTINATION, i], whole[I_SKILL, i], whole[I_REGIME, i]
            contract, borrowed = whole[I_CONTRACT, i], whole[I_BORROWED, i] != 0
            bribe, home_wage, capacity = real[F_BRIBE, i], real[F_HOME_WAGE, i], real[F_CAPACITY, i]
            quota, skim, expenses = real[F_QUOTA, i], real[F_SKIM, i], real[F_EXPENSES, i]
            expenses_total = months * whole[I_EXPENSES_CENTS, i]
            savings = gross - expenses_total - to_state - to_managers
            travel = draw(dists, shared_row(R_TRAVEL, n_dest), rng.stream_key(seed, slot, candidate), D_TRAVEL)
            (bribe_cents, loan_repayment, travel_cents, cash_home, stay_home, net_gain, kept_per_month,
             completed, worse_off) = _settle(bribe, borrowed, months, contract, interest, home_wage, savings, travel)
            cell = (destination * n_skill + skill) * len(L.REGIMES) + regime
            totals[cell, L.C_WORKERS] += 1
            totals[cell, L.C_COMPLETED] += int(completed)
            totals[cell, L.C_WORSE_OFF] += int(worse_off)
            totals[cell, L.C_MONTHS] += months
            totals[cell, L.C_CONTRACT] += contract
            totals[cell, L.C_BRIBE] += bribe_cents
            totals[cell, L.C_QUOTA] += _cents(whole[I_DUE, i] / 100.0 / months)
            totals[cell, L.C_HOME_WAGE] += _cents(home_wage)
            totals[cell, L.C_GROSS] += gross
            totals[cell, L.C_STATE] += to_state
            totals[cell, L.C_MANAGERS] += to_managers
            totals[cell, L.C_EXPENSES] += expenses_total
            totals[cell, L.C_KEPT] += savings
            totals[cell, L.C_ARREARS] += arrears
            totals[cell, L.C_CASH] += cash_home
            totals[cell, L.C_NET] += net_gain
            totals[cell, L.C_KEPT_PER_MONTH] += kept_per_month
            totals[cell, L.C_STAY_HOME] += stay_home
            totals[cell, L.C_DUE] += whole[I_DUE, i]
            totals[cell, L.C_ARREARS_COLLECTED] += arrears_collected
            if completed:
                totals[cell, L.C_CASH_COMPLETED] += cash_home
            _count(histogram, cell, L.H_CASH, cash_home)
            _count(histogram, cell, L.H_NET, net_gain)
            _count(histogram, cell, L.H_KEPT_PER_MONTH, kept_per_month)
            _count(histogram, cell, L.H_MONTHS, months)
            slot_workers[block_start + i] += 1
            record_row = whole[I_RECORD_ROW, i]
            if record_row >= 0:
                whole[I_RECORD_ROW, i] = record_row + 1
                codes[record_row, L.W_SLOT] = slot
                codes[record_row, L.W_CANDIDATE] = candidate - 1
                codes[record_row, L.W_HIRE_MONTH] = whole[I_HIRE_MONTH, i]
                codes[record_row, L.W_DESTINATION] = destination
                codes[record_row, L.W_SKILL] = skill
                codes[record_row, L.W_REGIME] = regime
                codes[record_row, L.W_CONTRACT] = contract
                codes[record_row, L.W_MONTHS] = months
                codes[record_row, L.W_EARLY] = int(not completed)
                codes[record_row, L.W_BORROWED] = borrowed
                codes[record_row, L.W_WORSE_OFF] = worse_off
                cents[record_row, L.WC_BRIBE] = bribe_cents
                cents[record_row, L.WC_GROSS] = gross
                cents[record_row, L.WC_STATE] = to_state
                cents[record_row, L.WC_MANAGERS] = to_managers
                cents[record_row, L.WC_EXPENSES] = expenses_total
                cents[record_row, L.WC_KEPT] = savings
                cents[record_row, L.WC_ARREARS] = arrears
                cents[record_row, L.WC_ARREARS_COLLECTED] = arrears_collected
                cents[record_row, L.WC_LOAN] = loan_repayment
                cents[record_row, L.WC_QUOTA_DUE] = whole[I_DUE, i]
                cents[record_row, L.WC_TRAVEL] = travel_cents
                cents[record_row, L.WC_CASH] = cash_home
                cents[record_row, L.WC_STAY_HOME] = stay_home
                cents[record_row, L.WC_NET] = net_gain
                worker_values[record_row, L.WV_HOME_WAGE] = home_wage
                worker_values[record_row, L.WV_CAPACITY] = capacity
                worker_values[record_row, L.WV_EXPENSES] = expenses
                worker_values[record_row, L.WV_QUOTA] = quota
                worker_values[record_row, L.WV_SKIM] = skim
                worker_values[record_row, L.WV_KEPT_PER_MONTH] = kept_per_month / 100.0
        t += 1


@njit(cache=True)
def _start_steady_state(dists, values, n_dest, n_skill, tlm, seed, first_slot, n, real, whole):
    """Month 0 of a stock-mode block: each slot holds a worker of the steady state, or is vacant.

    The workers come from :func:`sim.recruitment.steady_state_worker`, which also gives the
    months ``a`` each has served. Those months, ``-a`` to ``-1``, are then simulated like any
    other (with the month-0 timeline, and nobody going home: he is known to have stayed), so
    each worker reaches month 0 with the arrears, and totals, of his tenure. His payments before
    month 0 are left out of the slot's payments within the horizon (rows I_STATE_REVENUE,
    I_MANAGERS_REVENUE start at minus them). Returns the set of slots vacant at month 0.
    """
    base = scalars_start(n_dest, n_skill)
    vacancies = np.uint64(0)
    waiting = np.uint64(0)  # slots whose worker starts in a month before 0
    first_month = 0
    for i in range(n):
        candidate, attributes, served = steady_state_worker(
            dists, values, n_dest, n_skill, seed, first_slot + i, tlm[0, T_INTAKE], tlm[0, T_WAGE_INDEX],
            tlm[0, T_QUOTA_MULTIPLIER], tlm[0, T_BRIBE_MULTIPLIER], tlm[0, T_STAY])
        whole[I_CANDIDATES, i] = candidate
        if served < 0:
            vacancies |= np.uint64(1) << np.uint64(i)
            continue
        _start_worker(real, whole, i, attributes, values[base + V_IDLE + attributes[2]], -served, False, 1.0)
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
            _month_pass(t, tlm[0, T_WAGE_INDEX], tlm[0, T_QUOTA_MULTIPLIER], 1.0, values[base + V_SHOCK_SD],
                        real, whole, False)
    for i in range(n):
        whole[I_STATE_REVENUE, i] = -whole[I_STATE, i]
        whole[I_MANAGERS_REVENUE, i] = -whole[I_MANAGERS, i]
    return vacancies


@njit(cache=True, inline="always")
def _bit_count(mask):
    count = 0
    while mask:
        mask &= mask - np.uint64(1)
        count += 1
    return count


@njit(cache=True, inline="always")
def _count(histogram, cell, metric, value):
    """Add the int64 ``value`` (cents, or months) to its bin of ``histogram[cell, metric]``."""
    b = bins.bin_index(value)
    histogram[cell, metric, b, bins.COUNT] += 1
    histogram[cell, metric, b, bins.SUM] += value


@njit(cache=True)
def _settle(bribe, borrowed, months, contract, interest, home_wage, savings, travel):
    """A returning hire's accounts, in cents: (bribe, loan repayment, travel, cash home,
    stay-home earnings, net gain, kept per month, completed, worse off). ``savings`` are what he
    kept after every payment, arrears collected at return included. Takes no arrays: a call
    taking arrays pays an atomic reference-count increment and decrement for each."""
    bribe_cents = _cents(bribe)
    loan_repayment = _cents(bribe * (1.0 + interest) ** months) if borrowed else np.int64(0)
    travel_cents = _cents(travel)
    cash_home = savings - loan_repayment - travel_cents
    stay_home = _cents(months * home_wage)
    net_gain = cash_home - stay_home - (np.int64(0) if borrowed else bribe_cents)
    kept_per_month = _cents(savings / 100.0 / months)
    completed = months >= contract
    worse_off = net_gain < 0
    return (bribe_cents, loan_repayment, travel_cents, cash_home, stay_home, net_gain, kept_per_month,
            completed, worse_off)
