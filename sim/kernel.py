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
from sim.sampling import COUNTERS_PER_DRAW, category, draw

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


@njit(cache=True)
def _draw_candidate(p, key):
    """A candidate's attributes at recruitment, from the candidate's stream ``key``.

    Returns (destination, skill, regime, contract months, bribe USD, home wage,
    earning capacity, expenses, early-return hazard, planned contribution Q,
    skim share, borrowed, expected net gain USD); money in USD (per month where
    it is a rate), before any policy multiplier.
    """
    destination = category(p.destination_cumulative_share, _uniform(key, U_DESTINATION))
    skill = category(p.skill_cumulative_share, _uniform(key, U_SKILL))
    regime = L.FREE if _uniform(key, U_REGIME) < p.free_mover_share[destination] else L.CAMP
    contract = int(draw(p.contract_months[destination], key, D_CONTRACT))
    bribe = draw(p.bribe_usd[destination], key, D_BRIBE)
    home_wage = draw(p.home_wage_usd_per_month, key, D_HOME_WAGE)
    capacity = (
        draw(p.earning_capacity_usd_per_month[destination], key, D_CAPACITY)
        * p.skill_wage_multiplier[skill]
        * p.regime_earnings_multiplier[regime]
    )
    expenses = draw(p.expenses_usd_per_month[regime], key, D_EXPENSES)
    hazard = draw(p.early_return_hazard_per_month[regime], key, D_HAZARD)
    quota_input = draw(p.quota_input_usd_per_month, key, D_QUOTA_INPUT)
    quota = capacity - expenses - quota_input if p.quota_from_retention else quota_input
    quota = min(max(quota, p.quota_floor_usd_per_month), p.quota_cap_usd_per_month)
    skim = draw(p.skim_share, key, D_SKIM)
    borrowed = _uniform(key, U_BORROWED) < p.borrowed_share
    expected_earnings = capacity * (1.0 - p.idle_probability_per_month[regime])
    expected_gain = contract * (expected_earnings - expenses - quota - home_wage) - bribe
    return (destination, skill, regime, contract, bribe, home_wage, capacity,
            expenses, hazard, quota, skim, borrowed, expected_gain)


@njit(cache=True)
def _expected_months(contract, hazard):
    """Expected months served under a constant monthly hazard, checked after each month."""
    if hazard <= 0.0:
        return float(contract)
    return (1.0 - (1.0 - hazard) ** contract) / hazard


@njit(cache=True)
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
    for group in prange(groups):
        for chunk in range(group, n_chunks, groups):
            _simulate_chunk(p, timeline, seed, first_slot, n_slots, chunk, group, acc, records)


@njit(cache=True)
def _simulate_chunk(p, tl, seed, first_slot, n_slots, chunk, group, acc, records):
    """The slots of one chunk, in order; stores the chunk's sums of squared slot revenues."""
    start = chunk * L.CHUNK_WORKERS
    state_sumsq = 0.0
    managers_sumsq = 0.0
    for j in range(start, min(start + L.CHUNK_WORKERS, n_slots)):
        to_state, to_managers = _simulate_slot(p, tl, seed, first_slot + j, j, group, acc, records)
        state_sumsq += (to_state / 100.0) ** 2
        managers_sumsq += (to_managers / 100.0) ** 2
    acc.chunk_sumsq[chunk, 0] = state_sumsq
    acc.chunk_sumsq[chunk, 1] = managers_sumsq


@njit(cache=True)
def _simulate_slot(p, tl, seed, slot, local_slot, group, acc, records):
    """One slot over the horizon and run-out; returns its payments to the state and to managers
    within the horizon (cents)."""
    horizon = tl.wage_index.shape[0]
    monthly = acc.monthly[group]
    monthly_key = rng.stream_key(seed, slot, rng.MONTHLY_STREAM)
    record_row = records.first_row[local_slot] if records.codes.shape[0] > 0 else -1
    state_revenue = managers_revenue = np.int64(0)
    candidate = 0
    t = 0
    while t < horizon:
        if t == 0 and p.stock_mode:
            candidate, attributes, months = _steady_state_worker(p, seed, slot)
            recorded = False
            if months < 0:  # no candidate would go: the slot starts vacant
                t += 1
                continue
        else:
            if t > 0 and not p.stock_mode:
                break
            key = rng.stream_key(seed, slot, candidate + 1)
            candidate += 1
            hired = _uniform(key, U_ARRIVAL) < tl.recruit_open[t] * tl.intake_multiplier[t]
            if hired:
                attributes = _draw_candidate(p, key)
                hired = attributes[-1] >= p.reservation_gain_usd
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
            bribe *= tl.bribe_multiplier[t]
        (t, months, arrears, savings, gross, to_state, to_managers, expenses_total,
         state_in_horizon, managers_in_horizon) = _work_until_return(
            t, months, contract, capacity, _cents(expenses), quota, skim, hazard,
            p.idle_probability_per_month[regime], p.wage_shock_sd, tl, monthly, monthly_key,
        )
        state_revenue += state_in_horizon
        managers_revenue += managers_in_horizon
        if recorded:
            _record_return(
                p, acc, records, record_row, group, slot, candidate - 1, hire_month, destination, skill,
                regime, contract, months, bribe, borrowed, home_wage, capacity, expenses, quota, skim,
                savings, arrears, gross, to_state, to_managers, expenses_total,
                rng.stream_key(seed, slot, candidate),
            )
            acc.slot_workers[local_slot] += 1
            if record_row >= 0:
                record_row += 1
    return state_revenue, managers_revenue


@njit(cache=True)
def _steady_state_worker(p, seed, slot):
    """The worker holding a stock-mode slot at month 0, drawn from the steady state.

    Candidates are drawn until one is accepted with probability proportional
    to his expected months abroad (a length-biased draw), then his months
    already served come from P(a) ~ (1 - hazard)^a, a < contract. Returns
    (candidates used, attributes, months already served), the months being -1
    if none of MAX_STEADY_STATE_CANDIDATES candidates would go.
    """
    candidate = 0
    while candidate < MAX_STEADY_STATE_CANDIDATES:
        key = rng.stream_key(seed, slot, candidate + 1)
        candidate += 1
        attributes = _draw_candidate(p, key)
        contract, hazard, expected_gain = attributes[3], attributes[8], attributes[-1]
        if expected_gain < p.reservation_gain_usd:
            continue
        if _uniform(key, U_ACCEPT) * p.longest_contract_months < _expected_months(contract, hazard):
            return candidate, attributes, _steady_state_age(contract, hazard, _uniform(key, U_AGE))
    return candidate, attributes, -1


@njit(cache=True)
def _work_until_return(t, months, contract, capacity, expenses_cents, quota, skim, hazard,
                       idle_probability, shock_sd, tl, monthly, monthly_key):
    """The hot loop: one worker's months from month ``t`` until he goes home.

    Month ``t`` uses counters ``2t`` (split into the hazard and idle
    uniforms) and ``2t + 1`` (the wage shock) of the slot's monthly stream.
    Months at or past the horizon (the run-out) use the timeline's last month
    and are not added to ``monthly``.

    Returns (month after the return month, months served, arrears left,
    savings, then in cents: gross earnings, paid to the state, to managers,
    expenses, and what of the state's and managers' share fell inside the horizon).
    """
    horizon = tl.wage_index.shape[0]
    arrears = savings = gross_total = state_total = managers_total = expenses_total = np.int64(0)
    state_in_horizon = managers_in_horizon = np.int64(0)
    while True:
        u_hazard, u_idle = rng.uniform_pair(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t))
        shock = 1.0 + shock_sd * rng.bell(rng.bits(monthly_key, rng.DRAWS_PER_MONTH * t + 1))
        in_horizon = t < horizon
        month = t if in_horizon else horizon - 1
        earnings = np.int64(0)
        if u_idle >= idle_probability and shock > 0.0:
            earnings = _cents(capacity * tl.wage_index[month] * shock)
        due = _cents(quota * tl.quota_multiplier[month]) + arrears
        available = earnings - expenses_cents
        paid = min(due, max(available, np.int64(0)))
        arrears = due - paid
        to_managers = np.int64(math.floor(skim * paid + 0.5))
        to_state = paid - to_managers
        kept = available - paid
        savings += kept
        gross_total += earnings
        state_total += to_state
        managers_total += to_managers
        expenses_total += expenses_cents
        months += 1
        completed = months >= contract
        returns = completed or u_hazard < 1.0 - (1.0 - hazard) * (1.0 - tl.repatriation_hazard_per_month[month])
        if in_horizon:
            monthly[t, L.M_ACTIVE] += 1
            monthly[t, L.M_GROSS] += earnings
            monthly[t, L.M_STATE] += to_state
            monthly[t, L.M_MANAGERS] += to_managers
            monthly[t, L.M_EXPENSES] += expenses_cents
            monthly[t, L.M_KEPT] += kept
            state_in_horizon += to_state
            managers_in_horizon += to_managers
            if returns:
                monthly[t, L.M_RETURNS] += 1
                monthly[t, L.M_EARLY_RETURNS] += 0 if completed else 1
            else:
                monthly[t, L.M_ARREARS] += arrears
        t += 1
        if returns:
            return (t, months, arrears, savings, gross_total, state_total, managers_total, expenses_total,
                    state_in_horizon, managers_in_horizon)


@njit(cache=True)
def _bin(value, metric):
    index = int(math.floor((value - L.HISTOGRAM_LOW[metric]) / L.HISTOGRAM_WIDTH[metric])) + 1
    return min(max(index, 0), L.HISTOGRAM_BINS - 1)


@njit(cache=True)
def _record_return(p, acc, records, row, group, slot, candidate, hire_month, destination, skill, regime,
                   contract, months, bribe, borrowed, home_wage, capacity, expenses, quota, skim, savings,
                   arrears, gross_total, state_total, managers_total, expenses_total, key):
    """Settle a returning hire's accounts and add them to the outcome aggregates.

    ``key`` is the hire's candidate stream (travel cost is drawn from it).
    """
    travel = draw(p.travel_cost_usd, key, D_TRAVEL)
    bribe_cents = _cents(bribe)
    loan_repayment = _cents(bribe * (1.0 + p.interest_rate_per_month) ** months) if borrowed else np.int64(0)
    arrears_deducted = arrears if p.arrears_deducted else np.int64(0)
    travel_cents = _cents(travel)
    cash_home = savings - loan_repayment - travel_cents - arrears_deducted
    stay_home = _cents(months * home_wage)
    net_gain = cash_home - stay_home - (np.int64(0) if borrowed else bribe_cents)
    kept_per_month = _cents(savings / 100.0 / months)
    completed = months >= contract
    worse_off = net_gain < 0

    n_skills = p.skill_cumulative_share.shape[0]
    cell = (destination * n_skills + skill) * len(L.REGIMES) + regime
    totals = acc.cell_totals
    totals[group, cell, L.C_WORKERS] += 1
    totals[group, cell, L.C_COMPLETED] += int(completed)
    totals[group, cell, L.C_EARLY] += int(not completed)
    totals[group, cell, L.C_WORSE_OFF] += int(worse_off)
    totals[group, cell, L.C_BORROWED] += int(borrowed)
    totals[group, cell, L.C_MONTHS] += months
    totals[group, cell, L.C_CONTRACT] += contract
    totals[group, cell, L.C_BRIBE] += bribe_cents
    totals[group, cell, L.C_QUOTA] += _cents(quota)
    totals[group, cell, L.C_HOME_WAGE] += _cents(home_wage)
    totals[group, cell, L.C_CAPACITY] += _cents(capacity)
    totals[group, cell, L.C_SKIM_PPM] += np.int64(math.floor(skim * 1e6 + 0.5))
    totals[group, cell, L.C_GROSS] += gross_total
    totals[group, cell, L.C_STATE] += state_total
    totals[group, cell, L.C_MANAGERS] += managers_total
    totals[group, cell, L.C_EXPENSES] += expenses_total
    totals[group, cell, L.C_KEPT] += savings
    totals[group, cell, L.C_ARREARS] += arrears
    totals[group, cell, L.C_CASH] += cash_home
    totals[group, cell, L.C_NET] += net_gain
    totals[group, cell, L.C_KEPT_PER_MONTH] += kept_per_month
    totals[group, cell, L.C_STAY_HOME] += stay_home
    if completed:
        totals[group, cell, L.C_CASH_COMPLETED] += cash_home
    histogram = acc.histogram
    histogram[group, cell, L.H_CASH, _bin(cash_home / 100.0, L.H_CASH)] += 1
    histogram[group, cell, L.H_NET, _bin(net_gain / 100.0, L.H_NET)] += 1
    histogram[group, cell, L.H_KEPT_PER_MONTH, _bin(kept_per_month / 100.0, L.H_KEPT_PER_MONTH)] += 1
    histogram[group, cell, L.H_MONTHS, _bin(float(months), L.H_MONTHS)] += 1

    if row < 0:
        return
    codes = records.codes[row]
    codes[L.W_SLOT] = slot
    codes[L.W_CANDIDATE] = candidate
    codes[L.W_HIRE_MONTH] = hire_month
    codes[L.W_DESTINATION] = destination
    codes[L.W_SKILL] = skill
    codes[L.W_REGIME] = regime
    codes[L.W_CONTRACT] = contract
    codes[L.W_MONTHS] = months
    codes[L.W_EARLY] = int(not completed)
    codes[L.W_BORROWED] = borrowed
    codes[L.W_WORSE_OFF] = worse_off
    cents = records.cents[row]
    cents[L.WC_BRIBE] = bribe_cents
    cents[L.WC_GROSS] = gross_total
    cents[L.WC_STATE] = state_total
    cents[L.WC_MANAGERS] = managers_total
    cents[L.WC_EXPENSES] = expenses_total
    cents[L.WC_KEPT] = savings
    cents[L.WC_ARREARS] = arrears
    cents[L.WC_LOAN] = loan_repayment
    cents[L.WC_TRAVEL] = travel_cents
    cents[L.WC_CASH] = cash_home
    cents[L.WC_STAY_HOME] = stay_home
    cents[L.WC_NET] = net_gain
    values = records.values[row]
    values[L.WV_HOME_WAGE] = home_wage
    values[L.WV_CAPACITY] = capacity
    values[L.WV_EXPENSES] = expenses
    values[L.WV_QUOTA] = quota
    values[L.WV_SKIM] = skim
    values[L.WV_KEPT_PER_MONTH] = kept_per_month / 100.0
