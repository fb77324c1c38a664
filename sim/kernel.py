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
"""
import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from sim import layout as L
from sim import rng
from sim.sampling import COUNTERS_PER_DRAW, draw_at

# Counters of a candidate's stream: one per uniform (U_), two per distributed attribute (D_).
U_ARRIVAL, U_ACCEPT, U_DESTINATION, U_SKILL, U_REGIME, U_BORROWED, U_AGE = range(7)
(D_CONTRACT, D_BRIBE, D_HOME_WAGE, D_CAPACITY, D_EXPENSES, D_HAZARD, D_QUOTA_INPUT, D_SKIM,
 D_TRAVEL) = range(8, 8 + 9 * COUNTERS_PER_DRAW, COUNTERS_PER_DRAW)
MAX_STEADY_STATE_CANDIDATES = 10_000
"""Candidates a stock-mode slot tries at month 0 before it starts vacant (no one would go)."""


class Accumulators(NamedTuple):
    """Aggregates filled by :func:`simulate_slots`; ``G`` groups (one per thread) are summed after.

    monthly : ndarray(int64, (G, horizon_months, len(MONTHLY_SERIES)))
    cell_totals : ndarray(int64, (G, cells, len(CELL_TOTALS)))
    histogram : ndarray(int64, (G, cells, len(OUTCOME_METRICS), HISTOGRAM_BINS))
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


@njit(cache=True, inline="always")
def _uniform(key, counter):
    return rng.uniform(rng.bits(key, counter))


# Packed parameters. Every array passed to a compiled function costs 7 to 11 machine words of
# arguments (a NamedTuple of 25 fields came to 128 words, and _record_return took 236), and
# every view of a row costs an atomic reference-count increment and decrement. So the kernel
# packs the distribution rows into one table and the scalars into one vector, once per call:
# rows of ``dists`` (D destinations):
R_BRIBE = 0  # + destination
# R_CONTRACT = D, R_CAPACITY = 2 D, R_EXPENSES = 3 D (+ regime), R_HAZARD = 3 D + 2 (+ regime)
(R_HOME_WAGE, R_QUOTA_INPUT, R_SKIM, R_TRAVEL) = range(4, 8)  # + 3 D
# entries of ``values``, after the D + D + S + S leading ones
# (destination cumulative share, free mover share, skill cumulative share, skill wage multiplier):
(V_REGIME_MULT, V_IDLE, V_QUOTA_FROM_RETENTION, V_QUOTA_FLOOR, V_QUOTA_CAP, V_SHOCK_SD, V_BORROWED_SHARE,
 V_INTEREST, V_ARREARS_DEDUCTED, V_RESERVATION, V_LONGEST_CONTRACT, V_STOCK_MODE) = (0, 2, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13)
V_COUNT = 14
# columns of the packed timeline ``tlm`` (horizon, T_COUNT), one row per month:
(T_WAGE_INDEX, T_QUOTA_MULTIPLIER, T_STAY, T_INTAKE, T_BRIBE_MULTIPLIER) = range(5)
T_COUNT = 5


@njit(cache=True)
def pack_params(p):
    """(dists, values) from KernelParams; see the R_ and V_ constants."""
    n_dest = p.destination_cumulative_share.shape[0]
    n_skill = p.skill_cumulative_share.shape[0]
    dists = np.empty((3 * n_dest + 8, p.bribe_usd.shape[1]))
    for d in range(n_dest):
        dists[d] = p.bribe_usd[d]
        dists[n_dest + d] = p.contract_months[d]
        dists[2 * n_dest + d] = p.earning_capacity_usd_per_month[d]
    for r in range(2):
        dists[3 * n_dest + r] = p.expenses_usd_per_month[r]
        dists[3 * n_dest + 2 + r] = p.early_return_hazard_per_month[r]
    dists[3 * n_dest + R_HOME_WAGE] = p.home_wage_usd_per_month
    dists[3 * n_dest + R_QUOTA_INPUT] = p.quota_input_usd_per_month
    dists[3 * n_dest + R_SKIM] = p.skim_share
    dists[3 * n_dest + R_TRAVEL] = p.travel_cost_usd
    base = 2 * n_dest + 2 * n_skill
    values = np.empty(base + V_COUNT)
    values[:n_dest] = p.destination_cumulative_share
    values[n_dest:2 * n_dest] = p.free_mover_share
    values[2 * n_dest:2 * n_dest + n_skill] = p.skill_cumulative_share
    values[2 * n_dest + n_skill:base] = p.skill_wage_multiplier
    values[base + V_REGIME_MULT:base + V_REGIME_MULT + 2] = p.regime_earnings_multiplier
    values[base + V_IDLE:base + V_IDLE + 2] = p.idle_probability_per_month
    values[base + V_QUOTA_FROM_RETENTION] = 1.0 if p.quota_from_retention else 0.0
    values[base + V_QUOTA_FLOOR] = p.quota_floor_usd_per_month
    values[base + V_QUOTA_CAP] = p.quota_cap_usd_per_month
    values[base + V_SHOCK_SD] = p.wage_shock_sd
    values[base + V_BORROWED_SHARE] = p.borrowed_share
    values[base + V_INTEREST] = p.interest_rate_per_month
    values[base + V_ARREARS_DEDUCTED] = 1.0 if p.arrears_deducted else 0.0
    values[base + V_RESERVATION] = p.reservation_gain_usd
    values[base + V_LONGEST_CONTRACT] = p.longest_contract_months
    values[base + V_STOCK_MODE] = 1.0 if p.stock_mode else 0.0
    return dists, values


@njit(cache=True)
def pack_timeline(tl):
    """The timeline as one (horizon, T_COUNT) array, a month's entries side by side.
    T_STAY is 1 - repatriation hazard (the same float the hot loop computed each month)."""
    horizon = tl.wage_index.shape[0]
    tlm = np.empty((horizon, T_COUNT))
    for t in range(horizon):
        tlm[t, T_WAGE_INDEX] = tl.wage_index[t]
        tlm[t, T_QUOTA_MULTIPLIER] = tl.quota_multiplier[t]
        tlm[t, T_STAY] = 1.0 - tl.repatriation_hazard_per_month[t]
        tlm[t, T_INTAKE] = tl.recruit_open[t] * tl.intake_multiplier[t]
        tlm[t, T_BRIBE_MULTIPLIER] = tl.bribe_multiplier[t]
    return tlm


@njit(cache=True, inline="always")
def _category_at(values, first, count, u):
    """:func:`sim.sampling.category` over ``values[first:first + count]``, without a view."""
    for i in range(count - 1):
        if u < values[first + i]:
            return i
    return count - 1


@njit(cache=True)
def _draw_candidate(dists, values, n_dest, n_skill, key, wage_index, quota_multiplier, bribe_multiplier):
    """A candidate's attributes at recruitment, from the candidate's stream ``key``.

    Returns (destination, skill, regime, contract months, bribe USD, home wage,
    earning capacity, expenses, early-return hazard, planned contribution Q,
    skim share, borrowed, expected net gain USD); money in USD (per month where
    it is a rate), before any policy multiplier. The expected net gain of a
    completed contract, which decides whether he goes, is reckoned with the
    policy multipliers of his hiring month: a quota hike or a bribe rise deters.
    """
    base = 2 * n_dest + 2 * n_skill
    rows = 3 * n_dest
    destination = _category_at(values, 0, n_dest, _uniform(key, U_DESTINATION))
    skill = _category_at(values, 2 * n_dest, n_skill, _uniform(key, U_SKILL))
    regime = L.FREE if _uniform(key, U_REGIME) < values[n_dest + destination] else L.CAMP
    contract = int(draw_at(dists, n_dest + destination, key, D_CONTRACT))
    bribe = draw_at(dists, R_BRIBE + destination, key, D_BRIBE)
    home_wage = draw_at(dists, rows + R_HOME_WAGE, key, D_HOME_WAGE)
    capacity = (
        draw_at(dists, 2 * n_dest + destination, key, D_CAPACITY)
        * values[2 * n_dest + n_skill + skill]
        * values[base + V_REGIME_MULT + regime]
    )
    expenses = draw_at(dists, rows + regime, key, D_EXPENSES)
    hazard = draw_at(dists, rows + 2 + regime, key, D_HAZARD)
    quota_input = draw_at(dists, rows + R_QUOTA_INPUT, key, D_QUOTA_INPUT)
    quota = capacity - expenses - quota_input if values[base + V_QUOTA_FROM_RETENTION] != 0.0 else quota_input
    quota = min(max(quota, values[base + V_QUOTA_FLOOR]), values[base + V_QUOTA_CAP])
    skim = draw_at(dists, rows + R_SKIM, key, D_SKIM)
    borrowed = _uniform(key, U_BORROWED) < values[base + V_BORROWED_SHARE]
    expected_earnings = capacity * wage_index * (1.0 - values[base + V_IDLE + regime])
    expected_gain = (contract * (expected_earnings - expenses - quota * quota_multiplier - home_wage)
                     - bribe * bribe_multiplier)
    return (destination, skill, regime, contract, bribe, home_wage, capacity,
            expenses, hazard, quota, skim, borrowed, expected_gain)


@njit(cache=True, inline="always")
def _expected_months(contract, hazard):
    """Expected months served under a constant monthly hazard, checked after each month."""
    if hazard <= 0.0:
        return float(contract)
    return (1.0 - (1.0 - hazard) ** contract) / hazard


@njit(cache=True, inline="always")
def _steady_state_age(contract, hazard, u):
    """Months already served by a worker met at a random month: P(a) ~ (1 - hazard)^a, a < contract."""
    if hazard <= 0.0:
        age = int(u * contract)
    elif hazard >= 1.0:
        age = 0
    else:
        survive_all = (1.0 - hazard) ** contract
        age = int(math.floor(math.log(1.0 - u * (1.0 - survive_all)) / math.log(1.0 - hazard)))
    return min(max(age, 0), contract - 1)


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


@njit(cache=True)
def _simulate_chunk(dists, values, n_dest, n_skill, tlm, seed, first_slot, start, stop, chunk,
                    monthly, totals, histogram, slot_workers, chunk_sumsq, records):
    """Local slots ``start`` to ``stop`` of one chunk, into one group's accumulator rows.

    The slot loop lives here, not in the caller: a compiled function increments and
    decrements (atomically) the reference count of each array it takes on every call,
    so a per-slot call taking 16 arrays cost some 40 atomic operations per slot, on
    counters shared by the threads.
    """
    horizon = tlm.shape[0]
    base = 2 * n_dest + 2 * n_skill
    stock_mode = values[base + V_STOCK_MODE] != 0.0
    shock_sd = values[base + V_SHOCK_SD]
    reservation = values[base + V_RESERVATION]
    interest = values[base + V_INTEREST]
    deduct_arrears = values[base + V_ARREARS_DEDUCTED] != 0.0
    keep = records.codes.shape[0] > 0
    codes, cents, worker_values = records.codes, records.cents, records.values
    state_sumsq = managers_sumsq = 0.0
    # Kept money per month is derived, not accumulated: kept = gross - expenses - to state -
    # to managers holds for every worker-month, so for the chunk's sums too (int64, exact).
    kept_before = np.empty(horizon, np.int64)
    for t in range(horizon):
        kept_before[t] = monthly[t, L.M_KEPT] - (monthly[t, L.M_GROSS] - monthly[t, L.M_EXPENSES]
                                                 - monthly[t, L.M_STATE] - monthly[t, L.M_MANAGERS])
    for local_slot in range(start, stop):
        slot = first_slot + local_slot
        record_row = records.first_row[local_slot] if keep else -1
        monthly_key = rng.stream_key(seed, slot, rng.MONTHLY_STREAM)
        state_revenue = managers_revenue = np.int64(0)
        candidate = 0
        t = 0
        while t < horizon:
            if t == 0 and stock_mode:
                candidate, attributes, months = _steady_state_worker(dists, values, n_dest, n_skill, seed, slot)
                recorded = False
                if months < 0:  # no candidate would go: the slot starts vacant
                    t += 1
                    continue
            else:
                if t > 0 and not stock_mode:
                    break
                key = rng.stream_key(seed, slot, candidate + 1)
                candidate += 1
                hired = _uniform(key, U_ARRIVAL) < tlm[t, T_INTAKE]
                if hired:
                    attributes = _draw_candidate(dists, values, n_dest, n_skill, key, tlm[t, T_WAGE_INDEX],
                                                 tlm[t, T_QUOTA_MULTIPLIER], tlm[t, T_BRIBE_MULTIPLIER])
                    hired = attributes[-1] >= reservation
                if not hired:
                    t += 1
                    continue
                monthly[t, L.M_HIRES] += 1
                months = 0
                recorded = True
            (destination, skill, regime, contract, bribe, home_wage, capacity,
             expenses, hazard, quota, skim, borrowed, _) = attributes
            hire_month = t - months
            if recorded:
                bribe *= tlm[t, T_BRIBE_MULTIPLIER]
            expenses_cents = _cents(expenses)
            (t, months, arrears, gross, to_state, to_managers,
             state_in_horizon, managers_in_horizon) = _work_until_return(
                t, months, contract, capacity, expenses_cents, quota, skim, 1.0 - hazard,
                values[base + V_IDLE + regime], shock_sd, tlm, monthly, monthly_key,
            )
            expenses_total = months * expenses_cents
            savings = gross - expenses_total - to_state - to_managers
            state_revenue += state_in_horizon
            managers_revenue += managers_in_horizon
            if recorded:
                travel = draw_at(dists, 3 * n_dest + R_TRAVEL, rng.stream_key(seed, slot, candidate), D_TRAVEL)
                (bribe_cents, loan_repayment, travel_cents, cash_home, stay_home, net_gain, kept_per_month,
                 completed, worse_off) = _settle(bribe, borrowed, months, contract, interest, deduct_arrears,
                                                 home_wage, savings, arrears, travel)
                # the hire's outcome, into this group's rows (written out here: a call taking
                # these arrays would pay two atomic reference-count updates per array)
                cell = (destination * n_skill + skill) * len(L.REGIMES) + regime
                totals[cell, L.C_WORKERS] += 1
                totals[cell, L.C_COMPLETED] += int(completed)
                totals[cell, L.C_EARLY] += int(not completed)
                totals[cell, L.C_WORSE_OFF] += int(worse_off)
                totals[cell, L.C_BORROWED] += int(borrowed)
                totals[cell, L.C_MONTHS] += months
                totals[cell, L.C_CONTRACT] += contract
                totals[cell, L.C_BRIBE] += bribe_cents
                totals[cell, L.C_QUOTA] += _cents(quota)
                totals[cell, L.C_HOME_WAGE] += _cents(home_wage)
                totals[cell, L.C_CAPACITY] += _cents(capacity)
                totals[cell, L.C_SKIM_PPM] += np.int64(math.floor(skim * 1e6 + 0.5))
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
                if completed:
                    totals[cell, L.C_CASH_COMPLETED] += cash_home
                histogram[cell, L.H_CASH, _bin(cash_home / 100.0, L.HISTOGRAM_LOW[0], L.HISTOGRAM_WIDTH[0])] += 1
                histogram[cell, L.H_NET, _bin(net_gain / 100.0, L.HISTOGRAM_LOW[1], L.HISTOGRAM_WIDTH[1])] += 1
                histogram[cell, L.H_KEPT_PER_MONTH, _bin(kept_per_month / 100.0, L.HISTOGRAM_LOW[2], L.HISTOGRAM_WIDTH[2])] += 1
                histogram[cell, L.H_MONTHS, _bin(float(months), L.HISTOGRAM_LOW[3], L.HISTOGRAM_WIDTH[3])] += 1

                if record_row >= 0:
                    codes[record_row, L.W_SLOT] = slot
                    codes[record_row, L.W_CANDIDATE] = candidate - 1
                    codes[record_row, L.W_HIRE_MONTH] = hire_month
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
                    cents[record_row, L.WC_LOAN] = loan_repayment
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
                slot_workers[local_slot] += 1
                if record_row >= 0:
                    record_row += 1
        state_sumsq += (state_revenue / 100.0) ** 2
        managers_sumsq += (managers_revenue / 100.0) ** 2
    for t in range(horizon):
        monthly[t, L.M_KEPT] = kept_before[t] + (monthly[t, L.M_GROSS] - monthly[t, L.M_EXPENSES]
                                                 - monthly[t, L.M_STATE] - monthly[t, L.M_MANAGERS])
    chunk_sumsq[chunk, 0] = state_sumsq
    chunk_sumsq[chunk, 1] = managers_sumsq


@njit(cache=True)
def _steady_state_worker(dists, values, n_dest, n_skill, seed, slot):
    """The worker holding a stock-mode slot at month 0, drawn from the steady state.

    Candidates are drawn until one is accepted with probability proportional
    to his expected months abroad (a length-biased draw), then his months
    already served come from P(a) ~ (1 - hazard)^a, a < contract. Returns
    (candidates used, attributes, months already served), the months being -1
    if none of MAX_STEADY_STATE_CANDIDATES candidates would go.
    """
    base = 2 * n_dest + 2 * n_skill
    reservation = values[base + V_RESERVATION]
    longest = values[base + V_LONGEST_CONTRACT]
    candidate = 0
    while candidate < MAX_STEADY_STATE_CANDIDATES:
        key = rng.stream_key(seed, slot, candidate + 1)
        candidate += 1
        attributes = _draw_candidate(dists, values, n_dest, n_skill, key, 1.0, 1.0, 1.0)  # hired before month 0
        contract, hazard, expected_gain = attributes[3], attributes[8], attributes[-1]
        if expected_gain < reservation:
            continue
        if _uniform(key, U_ACCEPT) * longest < _expected_months(contract, hazard):
            return candidate, attributes, _steady_state_age(contract, hazard, _uniform(key, U_AGE))
    return candidate, attributes, -1


@njit(cache=True)
def _work_until_return(t, months, contract, capacity, expenses_cents, quota, skim, stay,
                       idle_probability, shock_sd, tlm, monthly, monthly_key):
    """The hot loop: one worker's months from month ``t`` until he goes home.

    ``stay`` is 1 - the worker's early-return hazard. Month ``t`` uses counters ``2t``
    (split into the hazard and idle uniforms) and ``2t + 1`` (the wage shock) of the
    slot's monthly stream. Months at or past the horizon (the run-out) use the
    timeline's last month and are not added to ``monthly``. Kept money is not added
    to ``monthly`` either: the caller derives it from the identity kept = gross -
    expenses - to state - to managers.

    Returns (month after the return month, months served, arrears left, then in
    cents: gross earnings, paid to the state, to managers, and what of the state's
    and managers' share fell inside the horizon). Expenses are ``months *
    expenses_cents`` and savings gross - expenses - to state - to managers.
    """
    horizon = tlm.shape[0]
    arrears = gross_total = state_total = managers_total = np.int64(0)
    # Months inside the horizon (added to ``monthly``), then the run-out; the two loops are
    # the same month, split so that neither carries a branch on the horizon.
    while t < horizon:
        u_hazard, u_idle = rng.uniform_pair(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t))
        shock = 1.0 + shock_sd * rng.bell(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t + 1))
        earnings = np.int64(0)
        if u_idle >= idle_probability and shock > 0.0:
            earnings = _cents(capacity * tlm[t, T_WAGE_INDEX] * shock)
        due = _cents(quota * tlm[t, T_QUOTA_MULTIPLIER]) + arrears
        paid = min(due, max(earnings - expenses_cents, np.int64(0)))
        arrears = due - paid
        to_managers = np.int64(math.floor(skim * paid + 0.5))
        to_state = paid - to_managers
        gross_total += earnings
        state_total += to_state
        managers_total += to_managers
        months += 1
        completed = months >= contract
        returns = completed or u_hazard < 1.0 - stay * tlm[t, T_STAY]
        monthly[t, L.M_ACTIVE] += 1
        monthly[t, L.M_GROSS] += earnings
        monthly[t, L.M_STATE] += to_state
        monthly[t, L.M_MANAGERS] += to_managers
        monthly[t, L.M_EXPENSES] += expenses_cents
        t += 1
        if returns:
            monthly[t - 1, L.M_RETURNS] += 1
            monthly[t - 1, L.M_EARLY_RETURNS] += 0 if completed else 1
            return t, months, arrears, gross_total, state_total, managers_total, state_total, managers_total
        monthly[t - 1, L.M_ARREARS] += arrears
    state_in_horizon, managers_in_horizon = state_total, managers_total
    last = horizon - 1
    wage_index, quota_multiplier, last_stay = tlm[last, T_WAGE_INDEX], tlm[last, T_QUOTA_MULTIPLIER], tlm[last, T_STAY]
    while True:
        u_hazard, u_idle = rng.uniform_pair(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t))
        shock = 1.0 + shock_sd * rng.bell(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t + 1))
        earnings = np.int64(0)
        if u_idle >= idle_probability and shock > 0.0:
            earnings = _cents(capacity * wage_index * shock)
        due = _cents(quota * quota_multiplier) + arrears
        paid = min(due, max(earnings - expenses_cents, np.int64(0)))
        arrears = due - paid
        to_managers = np.int64(math.floor(skim * paid + 0.5))
        gross_total += earnings
        state_total += paid - to_managers
        managers_total += to_managers
        months += 1
        t += 1
        if months >= contract or u_hazard < 1.0 - stay * last_stay:
            return t, months, arrears, gross_total, state_total, managers_total, state_in_horizon, managers_in_horizon


@njit(cache=True, inline="always")
def _bin(value, low, width):
    index = int(math.floor((value - low) / width)) + 1
    return min(max(index, 0), L.HISTOGRAM_BINS - 1)


@njit(cache=True)
def _settle(bribe, borrowed, months, contract, interest, deduct_arrears, home_wage, savings, arrears, travel):
    """A returning hire's accounts, in cents: (bribe, loan repayment, travel, cash home,
    stay-home earnings, net gain, kept per month, completed, worse off). Takes no arrays:
    a call taking arrays pays an atomic reference-count increment and decrement for each."""
    bribe_cents = _cents(bribe)
    loan_repayment = _cents(bribe * (1.0 + interest) ** months) if borrowed else np.int64(0)
    arrears_deducted = arrears if deduct_arrears else np.int64(0)
    travel_cents = _cents(travel)
    cash_home = savings - loan_repayment - travel_cents - arrears_deducted
    stay_home = _cents(months * home_wage)
    net_gain = cash_home - stay_home - (np.int64(0) if borrowed else bribe_cents)
    kept_per_month = _cents(savings / 100.0 / months)
    completed = months >= contract
    worse_off = net_gain < 0
    return (bribe_cents, loan_repayment, travel_cents, cash_home, stay_home, net_gain, kept_per_month,
            completed, worse_off)
