"""One worker's life in a block of slots: start, the month's levers, a status, a month, the arrears
at return (his settlement and record at return are in :mod:`sim.outcome`).

The kernel (:mod:`sim.kernel`) simulates slots BLOCK_SLOTS at a time. The current worker of each
slot lives in a column of two small tables, ``real`` (float64, the F_ rows) and ``whole`` (int64,
the I_ rows), so that a month of the whole block is one branch-free loop over columns that LLVM
vectorises (:func:`month_pass`). Everything else a worker does (starting, changing status, going
home) is a scalar function of one column, here or in :mod:`sim.outcome`.

All functions are :func:`sim.jit.inlined` (inlined by LLVM at every call), so the arrays they take
cost no reference counting (see :mod:`sim.kernel`). Results come back as named tuples of scalars (passed by value).
Money is whole cents (int64) from the worker-month on, so that

    gross earnings = to state + to managers + expenses + kept

holds exactly for every worker and every month.
"""
import math
from typing import NamedTuple

import numpy as np

from sim import rng
from sim.jit import inlined
from sim.packing import TIMELINE, at

BLOCK_SLOTS = 64
"""Slots simulated side by side: 2 tables of (rows, BLOCK_SLOTS) 8-byte values (41 rows, 21 KB). At most
64: the sets of vacant and of returning slots are uint64 bit masks (bit ``i`` for column ``i``)."""
# rows of the float64 table ``real`` (USD, per month where a rate):
(F_EARNING, F_DUE, F_STAY_ALL,  # read every month: his capacity, contribution and stay under this month's levers
 F_SKIM, F_IDLE,  # read every month
 F_CAPACITY, F_QUOTA, F_STAY,  # before the levers (on his status): read when they change (apply_levers)
 F_BRIBE, F_HOME_WAGE, F_EXPENSES,  # read at return
 F_POST_DIVERSION,  # the post's uniform that decides whether its queues are diverted (recruitment.post_of)
 F_COMPLY,  # his uniform U_COMPLY: read when the repatriation hazard sends him home (defies_order)
 F_OWN_STAY,  # read at return: 1 - his own early-return hazard (F_STAY is also times 1 - detection on a status)
 F_TRAVEL,  # his travel cost home (USD), drawn at recruitment, paid at return
 ) = range(15)
F_COUNT = 15
# rows of the int64 table ``whole`` (money in cents, months as month indices):
(I_KEY,  # the slot's monthly stream key (uint64 bits)
 I_SLOT_KEY,  # the slot's sim.rng.slot_key (uint64 bits): its candidates' streams derive from it
 I_OCCUPIED,  # 1 while a worker is abroad, else 0
 I_END,  # hire month + contract: he has served his contract once month I_END - 1 is worked
 I_EXPENSES_CENTS, I_ARREARS, I_GROSS, I_STATE, I_MANAGERS,  # his month's expenses; running totals
 I_HIRE_MONTH,  # month he started (negative for the stock-mode worker met at month 0)
 I_DESTINATION, I_SKILL, I_REGIME, I_CONTRACT, I_BORROWED,
 I_RECORDED,  # 1 for a hire of the run (in the cells), 0 for the stock-mode month-0 worker
 I_CANDIDATES,  # candidates the slot has drawn so far
 I_RECORD_ROW,  # the slot's next row of ``records``, or -1
 I_STATE_REVENUE, I_MANAGERS_REVENUE,  # the slot's payments within the horizon (cents)
 I_DUE,  # planned contributions asked of him so far, arrears aside (cents)
 I_MONTH_GROSS, I_MONTH_STATE, I_MONTH_MANAGERS,  # his last month's earnings and payments (cents; 0 if vacant)
 I_POST,  # the destination of the slot's post (his own, I_DESTINATION, differs if he was diverted)
 I_STATUS,  # 0 on a work permit, s >= 1 on status s of [statuses]
 ) = range(26)
I_COUNT = 26


@inlined
def cents(usd):
    """USD to whole cents (int64), rounding half up."""
    return np.int64(math.floor(usd * 100.0 + 0.5))


@inlined
def apply_levers(tlm, month, n_dest, n_skill, quota_everyone, real, whole, i):
    """The worker of column ``i`` under row ``month`` of the timeline ``tlm`` at his destination:
    F_EARNING = capacity * wage index, F_DUE = Q * quota multiplier + surcharge (USD a month; the
    quota's (1, 0) unless ``quota_everyone``: under new hires only his hiring month's are in Q),
    F_STAY_ALL = (1 - his hazard) * (1 - repatriation hazard), on a work permit; on another status
    (1 - his hazard) * (1 - its detection hazard), out of the timeline's reach (F_STAY holds both
    factors, :func:`change_status`). Folding the levers into three fields, refreshed only when
    they change (the timeline's ``levers_change`` column, :data:`sim.schema.TIMELINE_COLUMNS`),
    keeps the month pass to as few reads as a worker-month needs: one more read a slot and LLVM stops vectorising
    it. The products are those the month would form, so the results are bit-identical."""
    d = whole[I_DESTINATION, i]
    multiplier = tlm[month, at(TIMELINE.quota_multiplier, n_dest, n_skill, d)] if quota_everyone else 1.0
    surcharge = tlm[month, at(TIMELINE.quota_surcharge_usd_per_month, n_dest, n_skill, d)] if quota_everyone else 0.0
    real[F_EARNING, i] = real[F_CAPACITY, i] * tlm[month, at(TIMELINE.wage_index, n_dest, n_skill, d)]
    real[F_DUE, i] = real[F_QUOTA, i] * multiplier + surcharge
    timeline_stay = tlm[month, at(TIMELINE.stay, n_dest, n_skill, d)] if whole[I_STATUS, i] == 0 else 1.0
    real[F_STAY_ALL, i] = real[F_STAY, i] * timeline_stay


@inlined
def start_worker(real, whole, i, candidate, idle_probability, hire_month, recorded, bribe_multiplier,
                 quota_multiplier, quota_surcharge, comply):
    """Put a worker (a :class:`sim.recruitment.Candidate` who goes) in column ``i`` of a block, on
    a work permit. A hire of the run (``recorded``) pays his bribe times the timeline's ``bribe_multiplier``. His
    contribution is ``Q * quota_multiplier + quota_surcharge`` for his whole stay: the terms of his
    hiring month when the quota policy reaches new hires only, else (1, 0). ``comply``: his
    uniform U_COMPLY (:func:`sim.recruitment.compliance_uniform`). The caller then applies the
    month's levers (:func:`apply_levers`)."""
    real[F_CAPACITY, i] = candidate.earning_capacity_usd_per_month
    real[F_QUOTA, i] = candidate.quota_usd_per_month * quota_multiplier + quota_surcharge
    real[F_SKIM, i] = candidate.skim_share
    real[F_STAY, i] = 1.0 - candidate.hazard_per_month
    real[F_IDLE, i] = idle_probability
    real[F_BRIBE, i] = candidate.bribe_usd * bribe_multiplier if recorded else candidate.bribe_usd
    real[F_HOME_WAGE, i] = candidate.home_wage_usd_per_month
    real[F_EXPENSES, i] = candidate.expenses_usd_per_month
    real[F_COMPLY, i] = comply
    real[F_OWN_STAY, i] = real[F_STAY, i]
    real[F_TRAVEL, i] = candidate.travel_usd
    whole[I_STATUS, i] = 0
    whole[I_OCCUPIED, i] = 1
    whole[I_END, i] = hire_month + candidate.contract_months
    whole[I_EXPENSES_CENTS, i] = cents(candidate.expenses_usd_per_month)
    whole[I_ARREARS, i] = 0
    whole[I_GROSS, i] = 0
    whole[I_STATE, i] = 0
    whole[I_MANAGERS, i] = 0
    whole[I_DUE, i] = 0
    whole[I_HIRE_MONTH, i] = hire_month
    whole[I_DESTINATION, i] = candidate.destination
    whole[I_SKILL, i] = candidate.skill
    whole[I_REGIME, i] = candidate.regime
    whole[I_CONTRACT, i] = candidate.contract_months
    whole[I_BORROWED, i] = candidate.borrowed
    whole[I_RECORDED, i] = recorded


@inlined
def change_status(real, whole, i, status, earnings_multiplier, contribution_multiplier, detection_hazard):
    """The worker of column ``i``, on a work permit, works from the next month on ``status`` (1, 2,
    ...): his earning capacity and planned contribution Q times its multipliers, its
    ``detection_hazard`` (per month) on top of his own early-return hazard, and out of the
    timeline's reach. The caller then applies the month's levers (:func:`apply_levers`)."""
    whole[I_STATUS, i] = status
    real[F_CAPACITY, i] *= earnings_multiplier
    real[F_QUOTA, i] *= contribution_multiplier
    real[F_STAY, i] *= 1.0 - detection_hazard


@inlined
def defies_order(real, whole, i, t, compliance):
    """Whether the worker of column ``i``, whom :func:`month_pass` sends home after month ``t``,
    stays instead on another status: on a work permit, his contract not served, sent home by the
    timeline's repatriation hazard (his hazard uniform of the month at or above his own hazard),
    and his uniform U_COMPLY at or above the month's ``compliance`` share."""
    if whole[I_STATUS, i] != 0 or t + 1 >= whole[I_END, i]:
        return False
    return sent_home_by_policy(real, whole, i, t) and real[F_COMPLY, i] >= compliance


class MonthSums(NamedTuple):
    """A block's month: sums over its occupied slots (money in cents), and who goes home."""

    active: np.int64
    gross: np.int64
    to_state: np.int64
    to_managers: np.int64
    expenses: np.int64
    arrears: np.int64  # owed by those who stay
    returns: np.int64
    early_returns: np.int64
    contract_months: np.int64
    months_served: np.int64  # before this month
    returned: np.uint64  # bit i: the worker of column i goes home after the month


@inlined
def month_pass(t, shock_sd, real, whole, may_return):
    """Month ``t`` of every occupied slot of a block: the worker-month, vectorised across slots.

    Each worker's capacity, contribution and stay are those of this month's levers at his
    destination, on his status, left in ``real`` by :func:`apply_levers`. Month ``t`` uses
    counters ``2t`` (split into the hazard and idle uniforms) and ``2t + 1`` (the wage shock) of
    each slot's monthly stream, modulo 2**64 for ``t < 0``. Updates the running fields of
    ``whole`` (arrears, gross, to state, to managers, due); vacant slots are computed too and
    masked out. With ``may_return`` False nobody goes home (the months a worker met at month 0
    had served). Returns :class:`MonthSums`; kept money is derived by the caller: gross -
    expenses - to state - to managers. Whether an early return was the policy's, and whether he
    defies it, is left to the rare returns (:func:`sent_home_by_policy`, :func:`defies_order`).
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
        earnings = cents(real[F_EARNING, i] * shock) if works else np.int64(0)
        expenses_cents = whole[I_EXPENSES_CENTS, i]
        due_now = cents(real[F_DUE, i])
        due = due_now + whole[I_ARREARS, i]
        paid = min(due, max(earnings - expenses_cents, np.int64(0)))
        arrears = due - paid
        to_managers = np.int64(math.floor(real[F_SKIM, i] * paid + 0.5))
        to_state = paid - to_managers
        completed = t + 1 >= whole[I_END, i]
        returns = may_return & (completed | (u_hazard < 1.0 - real[F_STAY_ALL, i]))
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
        whole[I_MONTH_GROSS, i] = earnings
        whole[I_MONTH_STATE, i] = to_state
        whole[I_MONTH_MANAGERS, i] = to_managers
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
    return MonthSums(active, gross_sum, state_sum, managers_sum, expenses_sum, arrears_sum, returns_sum, early_sum,
                     contract_sum, served_sum, returned)


@inlined
def collect_arrears(real, whole, i, deduct):
    """The arrears of the worker of column ``i`` as he goes home: with ``deduct``, paid from his
    savings and split like any payment. Adds them to his totals; returns (to state, to managers)
    in cents (zeros when forgiven)."""
    arrears = whole[I_ARREARS, i] if deduct else np.int64(0)
    to_managers = np.int64(math.floor(real[F_SKIM, i] * arrears + 0.5))
    whole[I_STATE, i] += arrears - to_managers
    whole[I_MANAGERS, i] += to_managers
    return arrears - to_managers, to_managers


@inlined
def sent_home_by_policy(real, whole, i, t):
    """Whether the worker of column ``i``, going home early after month ``t``, was sent home by the
    policy rather than by his own hazard: his hazard uniform of the month (the one
    :func:`month_pass` drew) at or above his own hazard ``1 - (1 - h)``, so below the combined one
    (the timeline's repatriation hazard on a work permit, his status's detection on another)."""
    u_hazard = rng.uniform_pair(rng.bits(np.uint64(whole[I_KEY, i]), rng.DRAWS_PER_MONTH * t))[0]
    return u_hazard >= 1.0 - real[F_OWN_STAY, i]
