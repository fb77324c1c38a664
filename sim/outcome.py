"""A returning worker's accounts and what is recorded of him: his settlement, why he went home,
his row of the totals by return reason, his outcome in the histograms and his per-worker record.

Each function reads one column ``i`` of a block's tables (:mod:`sim.worker`: ``real``, the F_ rows,
and ``whole``, the I_ rows) as the worker of that column goes home, and is :func:`sim.jit.inlined`
into :func:`sim.month_steps.send_home`. Money is in
whole cents (int64).
"""
from typing import NamedTuple

import numpy as np

from sim import bins
from sim import layout as L
from sim.jit import inlined
from sim.schema import HIRE_COHORTS, RETURN_REASONS
from sim.worker import (F_CAPACITY, F_EXPENSES, F_HOME_WAGE, F_QUOTA, F_SKIM, I_ARREARS, I_BORROWED, I_CANDIDATES,
                        I_CONTRACT, I_DESTINATION, I_DUE, I_EXPENSES_CENTS, I_GROSS, I_HIRE_MONTH, I_MANAGERS,
                        I_RECORD_ROW, I_RECORDED, I_REGIME, I_SKILL, I_STATE, I_STATUS, cents)

COMPLETED, EARLY, SENT_HOME_BY_POLICY, ABROAD_AT_HORIZON = range(len(RETURN_REASONS))


class Settlement(NamedTuple):
    """A returning hire's accounts, in cents where money."""

    bribe: np.int64
    loan_repayment: np.int64
    travel: np.int64
    cash_home: np.int64
    stay_home: np.int64  # what he would have earned at home over his months abroad
    net_gain: np.int64
    kept_per_month: np.int64
    completed: bool
    worse_off: bool


@inlined
def settle(bribe, borrowed, months, contract, interest, home_wage, savings, travel):
    """A returning hire's accounts (:class:`Settlement`). ``savings`` are what he kept after every
    payment, arrears collected at return included; ``bribe``, ``home_wage`` and ``travel`` in USD."""
    bribe_cents = cents(bribe)
    loan_repayment = cents(bribe * (1.0 + interest) ** months) if borrowed else np.int64(0)
    travel_cents = cents(travel)
    cash_home = savings - loan_repayment - travel_cents
    stay_home = cents(months * home_wage)
    net_gain = cash_home - stay_home - (np.int64(0) if borrowed else bribe_cents)
    return Settlement(bribe_cents, loan_repayment, travel_cents, cash_home, stay_home, net_gain,
                      cents(savings / 100.0 / months), months >= contract, net_gain < 0)


@inlined
def _count(histogram, cell, metric, value):
    """Add the int64 ``value`` (cents, or months) to its bin of ``histogram[cell, metric]``."""
    b = bins.bin_index(value)
    histogram[cell, metric, b, bins.COUNT] += 1
    histogram[cell, metric, b, bins.SUM] += value


@inlined
def kept_savings(whole, i, months):
    """What the worker of column ``i`` kept over ``months`` (cents): gross - expenses - payments."""
    return (whole[I_GROSS, i] - months * whole[I_EXPENSES_CENTS, i] - whole[I_STATE, i]
            - whole[I_MANAGERS, i])


@inlined
def return_reason(t, horizon, months, contract, sent_home):
    """Why a worker went home after month ``t`` (an index of :data:`sim.schema.RETURN_REASONS`)."""
    if t >= horizon:
        return ABROAD_AT_HORIZON
    if sent_home:
        return SENT_HOME_BY_POLICY
    return COMPLETED if months >= contract else EARLY


@inlined
def _add_totals(totals, row, real, whole, i, months, kept, collected, s):
    """Add the returning worker of column ``i`` to row ``row`` of ``totals`` (columns of CELL_TOTALS)."""
    totals[row, L.C.workers] += 1
    totals[row, L.C.completed] += int(s.completed)
    totals[row, L.C.worse_off] += int(s.worse_off)
    totals[row, L.C.months_served] += months
    totals[row, L.C.contract_months] += whole[I_CONTRACT, i]
    totals[row, L.C.bribe_usd] += s.bribe
    totals[row, L.C.quota_usd_per_month] += cents(whole[I_DUE, i] / 100.0 / months)
    totals[row, L.C.home_wage_usd_per_month] += cents(real[F_HOME_WAGE, i])
    totals[row, L.C.gross_earnings_usd] += whole[I_GROSS, i]
    totals[row, L.C.to_state_usd] += whole[I_STATE, i]
    totals[row, L.C.to_managers_usd] += whole[I_MANAGERS, i]
    totals[row, L.C.expenses_usd] += months * whole[I_EXPENSES_CENTS, i]
    totals[row, L.C.kept_usd] += kept
    totals[row, L.C.arrears_at_return_usd] += whole[I_ARREARS, i]
    totals[row, L.C.cash_home_usd] += s.cash_home
    totals[row, L.C.net_gain_usd] += s.net_gain
    totals[row, L.C.kept_usd_per_month] += s.kept_per_month
    totals[row, L.C.stay_home_earnings_usd] += s.stay_home
    totals[row, L.C.quota_due_usd] += whole[I_DUE, i]
    totals[row, L.C.arrears_collected_usd] += collected
    if s.completed:
        totals[row, L.C.cash_home_completed_usd] += s.cash_home


@inlined
def record_outcome(real, whole, i, slot, months, kept, collected, s, reason, n_skill, by_reason, histogram, records):
    """Add the returning worker of column ``i`` (global ``slot``), after ``months`` abroad, to
    ``by_reason`` (row ``(cell * len(HIRE_COHORTS) + cohort) * len(RETURN_REASONS) + reason``), a
    hire of the run also to his cell's histograms (his cell's totals are the sum of its
    ``by_reason`` rows of hires of the run, :func:`sim.engine.simulate`), and to ``records`` when
    it has rows.
    ``kept``: his :func:`kept_savings` (cents); ``collected``: the arrears collected from him at
    return (cents); ``s``: his :class:`Settlement`; ``reason``: his :func:`return_reason`."""
    gross, to_state, to_managers = whole[I_GROSS, i], whole[I_STATE, i], whole[I_MANAGERS, i]
    expenses_total = months * whole[I_EXPENSES_CENTS, i]
    arrears = whole[I_ARREARS, i]
    cell = (whole[I_DESTINATION, i] * n_skill + whole[I_SKILL, i]) * len(L.REGIMES) + whole[I_REGIME, i]
    hired_in_run = whole[I_RECORDED, i]
    _add_totals(by_reason, (cell * len(HIRE_COHORTS) + hired_in_run) * len(RETURN_REASONS) + reason, real, whole, i,
                months, kept, collected, s)
    if hired_in_run:
        _count(histogram, cell, L.H.cash_home_usd, s.cash_home)
        _count(histogram, cell, L.H.net_gain_usd, s.net_gain)
        _count(histogram, cell, L.H.kept_usd_per_month, s.kept_per_month)
        _count(histogram, cell, L.H.months_served, months)
    row = whole[I_RECORD_ROW, i]
    if row < 0:
        return
    whole[I_RECORD_ROW, i] = row + 1
    codes, money, values = records.codes, records.cents, records.values
    codes[row, L.W.slot] = slot
    codes[row, L.W.candidate] = whole[I_CANDIDATES, i] - 1
    codes[row, L.W.hire_month] = whole[I_HIRE_MONTH, i]
    codes[row, L.W.destination] = whole[I_DESTINATION, i]
    codes[row, L.W.skill] = whole[I_SKILL, i]
    codes[row, L.W.regime] = whole[I_REGIME, i]
    codes[row, L.W.contract_months] = whole[I_CONTRACT, i]
    codes[row, L.W.months_served] = months
    codes[row, L.W.early_return] = int(not s.completed)
    codes[row, L.W.return_reason] = reason
    codes[row, L.W.hire_cohort] = hired_in_run
    codes[row, L.W.borrowed] = whole[I_BORROWED, i]
    codes[row, L.W.worse_off] = s.worse_off
    codes[row, L.W.status] = whole[I_STATUS, i]
    money[row, L.WC.bribe_usd] = s.bribe
    money[row, L.WC.gross_earnings_usd] = gross
    money[row, L.WC.to_state_usd] = to_state
    money[row, L.WC.to_managers_usd] = to_managers
    money[row, L.WC.expenses_usd] = expenses_total
    money[row, L.WC.kept_usd] = kept
    money[row, L.WC.arrears_at_return_usd] = arrears
    money[row, L.WC.arrears_collected_usd] = collected
    money[row, L.WC.loan_repayment_usd] = s.loan_repayment
    money[row, L.WC.quota_due_usd] = whole[I_DUE, i]
    money[row, L.WC.travel_cost_usd] = s.travel
    money[row, L.WC.cash_home_usd] = s.cash_home
    money[row, L.WC.stay_home_earnings_usd] = s.stay_home
    money[row, L.WC.net_gain_usd] = s.net_gain
    values[row, L.WV.home_wage_usd_per_month] = real[F_HOME_WAGE, i]
    values[row, L.WV.earning_capacity_usd_per_month] = real[F_CAPACITY, i]
    values[row, L.WV.expenses_usd_per_month] = real[F_EXPENSES, i]
    values[row, L.WV.quota_usd_per_month] = real[F_QUOTA, i]
    values[row, L.WV.skim_share] = real[F_SKIM, i]
    values[row, L.WV.kept_usd_per_month] = s.kept_per_month / 100.0
