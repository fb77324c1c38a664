"""The kernel's model, element-wise: each function takes Python scalars or NumPy arrays alike.

Random numbers (:mod:`sim.rng`, taken from :mod:`sim.reference.random`, whose integer arithmetic
serves uint64 arrays as well), sampling (:mod:`sim.sampling`), a candidate, a worker's month
and his settlement at return, as :mod:`sim.kernel` computes them, to the last bit, from the
kernel's own parameter arrays (:func:`sim.params.compile_params`). :mod:`benchmarks.reference_numpy`
drives these functions on arrays across slots, as a fast reference; the plain statement of the
model, from the scenario itself, is :mod:`sim.reference`. The few operations that differ between
scalars and arrays go through the helpers at the top. Two details matter for bit-exactness:

- numba compiles ``float ** int`` to binary exponentiation, not ``pow``: :func:`int_power`.
- NumPy's SIMD ``log`` and ``exp`` differ from the C library's in the last bit for some inputs
  (on AVX-512 machines); numba calls the C library, so these do too, element by element (only
  per candidate, never per worker-month).
"""
import math
import time

import numpy as np

from sim import bins
from sim import layout as L
from sim import rng
from sim.engine import RawRun
# the random numbers as the plain reference states them: the same arithmetic serves uint64 arrays
from sim.reference.random import bell, bits, stream_key, uniform_at, uniform_pair
from sim.recruitment import (D_BRIBE, D_CAPACITY, D_CONTRACT, D_EXPENSES, D_HAZARD, D_HOME_WAGE,
                        D_QUOTA_INPUT, D_SKIM, D_TRAVEL, U_ACCEPT, U_AGE, U_ARRIVAL, U_BORROWED,
                        U_DESTINATION, U_DIVERT, U_REGIME, U_SKILL)
from sim.sampling import (DISCRETE_UNIFORM, FIXED, LOGNORMAL, PERT, QUANTILE_INTERVALS,
                          TABLE_START, TRIANGULAR, UNIFORM)


# --- the operations that differ between scalars and arrays ---------------------------------
def _is_array(x):
    return isinstance(x, np.ndarray)


def where(condition, if_true, if_false):
    """``if_true if condition else if_false``, element-wise when ``condition`` is an array."""
    if _is_array(condition):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def minimum(a, b):
    """``min(a, b)``, element-wise for arrays."""
    return np.minimum(a, b) if _is_array(a) or _is_array(b) else min(a, b)


def maximum(a, b):
    """``max(a, b)``, element-wise for arrays."""
    return np.maximum(a, b) if _is_array(a) or _is_array(b) else max(a, b)


def floor_int(x):
    """``math.floor(x)`` as int (int64 arrays)."""
    return np.floor(x).astype(np.int64) if _is_array(x) else math.floor(x)


def trunc_int(x):
    """``int(x)``, rounding toward zero (int64 arrays)."""
    return x.astype(np.int64) if _is_array(x) else int(x)


def sqrt(x):
    """Square root (correctly rounded in both)."""
    return np.sqrt(x) if _is_array(x) else math.sqrt(x)


def _c_library(name):
    scalar, per_element = getattr(math, name), np.frompyfunc(getattr(math, name), 1, 1)

    def function(x):
        return per_element(x).astype(np.float64) if _is_array(x) else scalar(x)

    function.__doc__ = f"``math.{name}`` (the C library's, as numba calls), element-wise for arrays."
    return function


log, exp, cos = _c_library("log"), _c_library("exp"), _c_library("cos")


# --- sim.sampling ------------------------------------------------------------------------------
def normal(u1, u2):
    """:func:`sim.rng.normal` (Box-Muller, cosine branch)."""
    return sqrt(-2.0 * log(1.0 - u1)) * cos(2.0 * math.pi * u2)


def draw(row, key, counter):
    """:func:`sim.sampling.draw` from the compiled distribution ``row`` (one row for all keys)."""
    family = int(row[0])
    if family == FIXED:
        return row[1]
    u = uniform_at(key, counter)
    if family == UNIFORM:
        return row[1] + (row[2] - row[1]) * u
    if family == TRIANGULAR:
        low, mode, high = row[1], row[2], row[3]
        if high == low:
            return low
        return where(u * (high - low) < mode - low, low + sqrt(u * (high - low) * (mode - low)),
                     high - sqrt((1.0 - u) * (high - low) * (high - mode)))
    if family == PERT:
        position = u * QUANTILE_INTERVALS
        index = minimum(trunc_int(position), QUANTILE_INTERVALS - 1)
        low = row[TABLE_START + index]
        return low + (position - index) * (row[TABLE_START + index + 1] - low)
    if family == LOGNORMAL:
        return exp(row[1] + row[2] * normal(u, uniform_at(key, counter + 1)))
    if family == DISCRETE_UNIFORM:
        return floor_int(row[1] + (row[2] - row[1] + 1.0) * u)
    raise ValueError(f"unknown distribution family {family}")


def draw_from(table, which, key, counter):
    """Draw from row ``which`` of ``table``; per element when ``which`` is an array."""
    if not _is_array(which):
        return draw(table[which], key, counter)
    out = np.empty(which.shape)
    for row in np.unique(which):
        chosen = which == row
        out[chosen] = draw(table[row], key[chosen], counter)
    return out


def category(cumulative_shares, u):
    """the kernel's category draw: the number of cumulative shares (but the last) <= ``u``."""
    return sum(u >= share for share in cumulative_shares[:-1])


# --- sim.kernel, element-wise -------------------------------------------------------------------
def cents(usd):
    """USD to whole cents: ``floor(usd * 100 + 0.5)``."""
    return floor_int(usd * 100.0 + 0.5)


def int_power(base, exponent):
    """``base ** exponent`` as numba computes it for an integer exponent (binary exponentiation)."""
    result = 1.0
    while (exponent != 0).any() if _is_array(exponent) else exponent != 0:
        result = where((exponent & 1) == 1, result * base, result)
        exponent, base = exponent >> 1, base * base
    return result


def expected_months(contract, hazard):
    """:func:`sim.recruitment._expected_months`."""
    positive = hazard > 0.0
    survival = (1.0 - int_power(1.0 - hazard, contract)) / where(positive, hazard, 1.0)
    return where(positive, survival, contract * 1.0)


def steady_state_age(contract, hazard, u):
    """:func:`sim.recruitment._steady_state_age`: months already served by a worker met at month 0."""
    inside = (hazard > 0.0) & (hazard < 1.0)
    h = where(inside, hazard, 0.5)  # every branch is evaluated: keep the logarithms finite
    survive_all = int_power(1.0 - h, contract)
    age = where(inside, floor_int(log(1.0 - u * (1.0 - survive_all)) / log(1.0 - h)),
                where(hazard <= 0.0, trunc_int(u * contract), 0))
    return minimum(maximum(age, 0), contract - 1)


def post_destination(p, seed, slot):
    """:func:`sim.recruitment.post_destination`: the destination of the post(s) ``slot``."""
    return category(p.destination_cumulative_share, uniform_at(stream_key(seed, slot, 1), U_DESTINATION))


def draw_candidate(p, tl, t, key, destination):
    """:func:`sim.recruitment.draw_candidate` for the candidate stream(s) ``key`` for
    ``destination``, as a dict, under month ``t`` of the timeline (month 0 for the worker met at
    month 0)."""
    skill = category(p.skill_cumulative_share, uniform_at(key, U_SKILL))
    regime = where(uniform_at(key, U_REGIME) < tl.free_mover_share[t, destination], L.FREE, L.CAMP)
    c = dict(destination=destination, skill=skill, regime=regime,
             contract=trunc_int(draw_from(p.contract_months, destination, key, D_CONTRACT)),
             bribe=draw_from(p.bribe_usd, destination, key, D_BRIBE),
             home_wage=draw(p.home_wage_usd_per_month, key, D_HOME_WAGE),
             capacity=(draw_from(p.earning_capacity_usd_per_month, destination, key, D_CAPACITY)
                       * p.skill_wage_multiplier[skill] * p.regime_earnings_multiplier[regime]),
             expenses=draw_from(p.expenses_usd_per_month, regime, key, D_EXPENSES),
             hazard=draw_from(p.early_return_hazard_per_month, regime, key, D_HAZARD),
             skim=minimum(draw(p.skim_share, key, D_SKIM) * tl.skim_multiplier[t, destination], 1.0),
             borrowed=uniform_at(key, U_BORROWED) < p.borrowed_share)
    quota = draw(p.quota_input_usd_per_month, key, D_QUOTA_INPUT)
    if p.quota_from_retention:
        quota = c["capacity"] - c["expenses"] - quota
    quota = minimum(maximum(quota, p.quota_floor_usd_per_month[destination]), p.quota_cap_usd_per_month[destination])
    if p.skim_on_top:
        quota, c["skim"] = quota * (1.0 + c["skim"]), c["skim"] / (1.0 + c["skim"])
    c["quota"] = quota
    expected_earnings = c["capacity"] * tl.wage_index[t, destination] * (1.0 - p.idle_probability_per_month[regime])
    asked = quota * tl.quota_multiplier[t, destination] + tl.quota_surcharge_usd_per_month[t, destination]
    forgiven = 0.0 if p.arrears_deducted else c["contract"] * maximum(
        asked - maximum(expected_earnings - c["expenses"], 0.0), 0.0)
    loan_factor = where(c["borrowed"], int_power(1.0 + p.interest_rate_per_month, c["contract"]), 1.0)
    c["gain"] = (c["contract"] * (expected_earnings - c["expenses"] - asked - c["home_wage"]) + forgiven
                 - c["bribe"] * tl.bribe_multiplier[t, destination] * loan_factor
                 - draw(p.travel_cost_usd, key, D_TRAVEL))
    return c


def steady_state_hazard(c, tl):
    """Monthly hazard of going home with the month-0 timeline's: 1 - (1 - h)(1 - repatriation)."""
    return 1.0 - (1.0 - c["hazard"]) * (1.0 - tl.repatriation_hazard_per_month[0, c["destination"]])


def steady_state_spell(p, tl, c, came):
    """(whether the candidate ``c``, who ``came`` forward or not, goes, the length of his spell in
    the slot's history): his expected months abroad if he goes, else the one month the slot stays
    vacant."""
    goes = came & (c["gain"] >= p.reservation_gain_usd)
    return goes, where(goes, expected_months(c["contract"], steady_state_hazard(c, tl)), 1.0)


def accepted_at_steady_state(p, spell, key):
    """Whether the spell of the candidate ``key`` is the one month 0 falls in (length-biased)."""
    return uniform_at(key, U_ACCEPT) * p.longest_contract_months < spell


def steady_state_months(c, tl, key):
    """Months the candidate ``c`` accepted at month 0 has already served."""
    return steady_state_age(c["contract"], steady_state_hazard(c, tl), uniform_at(key, U_AGE))


def quota_terms(p, tl, t, at_hiring, destination):
    """(multiplier, surcharge) of the planned contribution from month ``t`` at ``destination``:
    applied at hiring (``at_hiring``) when the quota policy reaches new hires only, else every
    month; (1, 0) where it is not applied."""
    if bool(p.quota_policy_for_new_hires) != at_hiring:
        return 1.0, 0.0
    return tl.quota_multiplier[t, destination], tl.quota_surcharge_usd_per_month[t, destination]


def queue_diverted(tl, t, post_key, post):
    """:func:`sim.recruitment.queue_diverted`: whether the queue(s) of the post(s) at ``post``, with
    first candidate stream(s) ``post_key``, are diverted in month ``t``."""
    return uniform_at(post_key, U_DIVERT) < tl.diversion_share[t, post]


def arriving(tl, t, key, post, diverted):
    """:func:`sim.recruitment.arriving_destination`: where the candidate(s) ``key`` for a vacant
    post at ``post``, in a queue ``diverted`` or not, come forward in month ``t``, or -1."""
    u_arrival = uniform_at(key, U_ARRIVAL)
    intake = tl.recruit_open * tl.intake_multiplier
    target = tl.diversion_to[t, post].astype(np.int64)
    elsewhere = diverted & (target != post) & (u_arrival < intake[t, target])
    return where(u_arrival < intake[t, post], post, where(elsewhere, target, -1))


def new_worker(c, key, months, recorded, bribe_multiplier=1.0, quota_terms=(1.0, 0.0)):
    """A worker's fields as he starts: his attributes, stream key, months served, no money yet.

    ``recorded``: a hire of the run (his bribe follows the timeline, his outcome is counted),
    not the worker met at month 0 in stock mode. ``quota_terms``: (multiplier, surcharge) his
    contribution keeps for his whole stay (:func:`quota_terms` at hiring).
    """
    multiplier, surcharge = quota_terms
    w = dict(c, quota=c["quota"] * multiplier + surcharge, key=key, months=months, recorded=recorded, expenses_cents=cents(c["expenses"]),
             arrears=0, savings=0, gross=0, to_state=0, to_managers=0, expenses_total=0, due=0)
    if recorded:
        w["bribe"] = c["bribe"] * bribe_multiplier
    return w


def work_month(w, t, p, tl, monthly_key, may_return=True):
    """Month ``t`` of the worker(s) ``w``: the body of :func:`sim.kernel._month_pass` for one slot.

    For ``t < 0`` (the months a worker met at month 0 had served) the timeline is month 0's and
    ``may_return`` is False.

    Returns
    -------
    row : list, the month's contribution to ``monthly[t]`` in MONTHLY_SERIES order
    running : dict, ``w``'s months served, arrears, savings and totals (cents) after the month
    returns : bool or ndarray(bool), whether he goes home after this month
    """
    month = min(max(t, 0), len(tl.wage_index) - 1)
    destination = w["destination"]
    u_hazard, u_idle = uniform_pair(bits(monthly_key, rng.DRAWS_PER_MONTH * t))
    shock = 1.0 + p.wage_shock_sd * bell(bits(monthly_key, rng.DRAWS_PER_MONTH * t + 1))
    working = (u_idle >= p.idle_probability_per_month[w["regime"]]) & (shock > 0.0)
    earnings = where(working, cents(w["capacity"] * tl.wage_index[month, destination] * shock), 0)
    multiplier, surcharge = quota_terms(p, tl, month, False, destination)
    due_now = cents(w["quota"] * multiplier + surcharge)
    due = due_now + w["arrears"]
    available = earnings - w["expenses_cents"]
    paid = minimum(due, maximum(available, 0))
    to_managers = floor_int(w["skim"] * paid + 0.5)
    months = w["months"] + 1
    completed = months >= w["contract"]
    repatriation = tl.repatriation_hazard_per_month[month, destination]
    returns = may_return & (completed | (u_hazard < 1.0 - (1.0 - w["hazard"]) * (1.0 - repatriation)))
    running = dict(months=months, arrears=due - paid, savings=w["savings"] + available - paid,
                   gross=w["gross"] + earnings, to_state=w["to_state"] + paid - to_managers,
                   to_managers=w["to_managers"] + to_managers,
                   expenses_total=w["expenses_total"] + w["expenses_cents"], due=w["due"] + due_now)
    row = dict(workers_active=1, hires=0, candidates_declined=0, candidates_diverted=0, returns=returns, early_returns=returns != completed,
               gross_earnings_usd=earnings, to_state_usd=paid - to_managers, to_managers_usd=to_managers,
               expenses_usd=w["expenses_cents"], kept_usd=available - paid,
               arrears_outstanding_usd=where(returns, 0, due - paid), arrears_collected_usd=0,
               contract_months_sum=w["contract"], months_served_sum=w["months"])
    return [row[name] for name in L.MONTHLY_SERIES], running, returns


def collect_arrears(p, w):
    """What the worker(s) ``w`` going home pay of their arrears, as (to state, to managers) in
    cents: all of them, split like any payment, under ``arrears_at_return = "deducted"``."""
    arrears = where(p.arrears_deducted, w["arrears"], 0)
    to_managers = floor_int(w["skim"] * arrears + 0.5)
    return arrears - to_managers, to_managers


def bin_index(value):
    """:func:`sim.bins.bin_index` of int64 values (Python ints or arrays)."""
    magnitude = abs(value)
    if _is_array(value):
        length = np.searchsorted(2 ** np.arange(63, dtype=np.int64), magnitude, side="right")
    else:
        length = magnitude.bit_length()
    shift = maximum(length - (bins.SUB_BITS + 1), 1)
    scaled = bins.EXACT_BELOW + (shift - 1) * bins.SUB_BINS + (magnitude >> shift) - bins.SUB_BINS
    index = where(magnitude < bins.EXACT_BELOW, magnitude, minimum(scaled, bins.MAGNITUDE_BINS - 1))
    return where(value >= 0, bins.MAGNITUDE_BINS + index, bins.MAGNITUDE_BINS - 1 - index)


def settle(p, w):
    """The return accounting of :func:`sim.kernel._simulate_block` for hires whose arrears are
    already collected: a returning hire's cell, CELL_TOTALS row and (metric, value) histogram
    entries."""
    months, borrowed, savings = w["months"], w["borrowed"], w["savings"]
    bribe_cents = cents(w["bribe"])
    loan = where(borrowed, cents(w["bribe"] * int_power(1.0 + p.interest_rate_per_month, months)), 0)
    travel = cents(draw(p.travel_cost_usd, w["key"], D_TRAVEL))
    cash = savings - loan - travel
    stay_home = cents(months * w["home_wage"])
    net = cash - stay_home - where(borrowed, 0, bribe_cents)
    kept_per_month = cents(savings / 100.0 / months)
    completed = months >= w["contract"]
    cell = (w["destination"] * len(p.skill_cumulative_share) + w["skill"]) * len(L.REGIMES) + w["regime"]
    row = dict(workers=1, completed=completed, worse_off=net < 0, months_served=months, contract_months=w["contract"],
               bribe_usd=bribe_cents, quota_usd_per_month=cents(w["due"] / 100.0 / months),
               home_wage_usd_per_month=cents(w["home_wage"]), gross_earnings_usd=w["gross"],
               to_state_usd=w["to_state"], to_managers_usd=w["to_managers"], expenses_usd=w["expenses_total"],
               kept_usd=savings, arrears_at_return_usd=w["arrears"], cash_home_usd=cash, net_gain_usd=net,
               kept_usd_per_month=kept_per_month, cash_home_completed_usd=where(completed, cash, 0),
               stay_home_earnings_usd=stay_home, quota_due_usd=w["due"],
               arrears_collected_usd=where(p.arrears_deducted, w["arrears"], 0))
    return cell, [row[name] for name in L.CELL_TOTALS], [row[name] for name in L.OUTCOME_METRICS]


def raw_run(monthly, cell_totals, histogram, chunk_sumsq, n_slots, seed, started):
    """Wrap the accumulators as :class:`sim.engine.RawRun`; ``chunk_sumsq``: (chunks, 2) floats."""
    return RawRun(monthly=monthly, cell_totals=cell_totals, histogram=histogram,
                  state_revenue_sumsq_usd2=math.fsum(chunk_sumsq[:, 0]),
                  managers_revenue_sumsq_usd2=math.fsum(chunk_sumsq[:, 1]), n_slots=n_slots, seed=seed,
                  threads=1, wall_seconds=time.perf_counter() - started, workers=None)
