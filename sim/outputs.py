"""The kernel's outputs declared once: every column of every accumulator, with its unit and its part
in the money identities.

- :data:`COLUMNS`: each column of each output table once (:data:`OUTPUT_TABLES`). From them: the
  column names and indices of :mod:`sim.layout`, the monthly series and outcome tables of
  :mod:`sim.aggregate`, and docs/columns.md.
- :data:`IDENTITIES`: the money identities, whose terms are the columns' ``roles``. From them: the
  accounting checks of :func:`sim.aggregate.accounting_residual_usd` and the tests.

The kernel's parameters and the policy levers are the other half of the model table, :mod:`sim.schema`.
What is left to write by hand for a new column is its arithmetic: in the kernel and in the references
(README, "Adding a mechanism").
"""
from typing import NamedTuple

class Column(NamedTuple):
    """A column of one of the kernel's outputs.

    table : ``"monthly"`` (one row per month, summed over workers abroad), ``"monthly_by_destination"``
        (the same, one row per month and destination), ``"monthly_by_status"`` (the same, one row
        per month and status: work permit, then the scenario's statuses), ``"cells"`` (sums over
        the returned hires of the run, per destination, skill and regime), ``"histograms"`` (the
        outcomes kept as 0.1% histograms per cell, :mod:`sim.bins`), or a per-worker record:
        ``"worker_codes"`` (integers), ``"worker_cents"`` (money), ``"worker_values"`` (floats)
    unit : what one entry counts; ``"USD"`` and ``"USD per month"`` are held as whole cents (int64)
        in every table but ``worker_values``; ``"months summed"`` is a sum over the workers abroad
        that the monthly table reports as a mean per worker (``_sum`` becomes ``_mean``)
    roles : its terms in the money identities: ``"+earned"`` or ``"-earned"`` and so on, the sign
        it takes in the sum that is zero (:data:`IDENTITIES`)
    """

    name: str
    table: str
    unit: str
    description: str
    roles: tuple = ()


class Identity(NamedTuple):
    """A money identity: in each table holding its terms, the signed sum of the terms is zero."""

    name: str
    statement: str


IDENTITIES = (
    Identity("earned", "gross earnings = to state + to managers + expenses + kept"),
    Identity("asked", "planned contributions asked = to state + to managers + arrears at return - arrears "
                      "collected at return (the arrears forgiven)"),
    Identity("home", "cash brought home = kept - loan repayment - travel cost"),
)
"""Identities that hold exactly, for every worker, month, cell and seed (money in whole cents)."""

_EARNED = ("-earned",)
_PAID = ("-earned", "-asked")
"""The roles of kept money and expenses (earned only), and of payments (earned and asked)."""


def _money(table, earned_and_asked, kept_roles=_EARNED):
    """The money columns every table shares: gross, payments, expenses, kept (with ``kept_roles``),
    and (with ``earned_and_asked``) the arrears at return, the terms of "asked" but :func:`_asked`."""
    columns = (
        Column("gross_earnings_usd", table, "USD", "earned abroad", ("+earned",)),
        Column("to_state_usd", table, "USD", "paid to the state, arrears collected at return included",
               _PAID if earned_and_asked else _EARNED),
        Column("to_managers_usd", table, "USD", "kept by managers and agents (the skim), arrears collected at "
                                                  "return included", _PAID if earned_and_asked else _EARNED),
        Column("expenses_usd", table, "USD", "day-to-day expenses abroad", _EARNED),
        Column("kept_usd", table, "USD", "savings put by: gross - to state - to managers - expenses",
               kept_roles),
    )
    if not earned_and_asked:
        return columns
    return columns + (
        Column("arrears_at_return_usd", table, "USD", "planned contributions still owed as he went home",
               ("-asked",)),
        Column("arrears_collected_usd", table, "USD", "of those, paid from savings at return (0 when forgiven)",
               ("+asked",)),
    )


def _asked(table):
    """The column of every planned contribution asked of a worker, the other side of "asked"."""
    return Column("quota_due_usd", table, "USD", "every planned contribution asked over the stay, policy "
                                                 "multipliers included", ("+asked",))


COLUMNS = (
    Column("workers_active", "monthly", "workers", "workers abroad during the month"),
    Column("hires", "monthly", "workers", "workers hired this month"),
    Column("candidates_declined", "monthly", "candidates", "candidates who came forward for a vacant post this "
                                                           "month and would not go"),
    Column("candidates_diverted", "monthly", "candidates", "candidates turned away by their destination's intake "
                                                           "this month who came forward for its diversion_to "
                                                           "destination instead"),
    Column("returns", "monthly", "workers", "workers who went home after the month"),
    Column("early_returns", "monthly", "workers", "of those, before their contract was served"),
    *_money("monthly", False),
    Column("arrears_outstanding_usd", "monthly", "USD", "owed by the workers who stay on after the month"),
    Column("arrears_collected_usd", "monthly", "USD", "arrears paid from savings by those going home this month "
                                                      "(already in to state and to managers)"),
    Column("contract_months_sum", "monthly", "months summed", "contract length of the workers abroad"),
    Column("months_served_sum", "monthly", "months summed", "months the workers abroad had served before the month"),

    Column("workers_active", "monthly_by_destination", "workers", "workers abroad in the destination during the "
                                                                    "month"),
    Column("hires", "monthly_by_destination", "workers", "workers hired for the destination this month (diverted "
                                                          "ones where they went)"),
    Column("candidates_declined", "monthly_by_destination", "candidates", "candidates for its vacant posts who "
                                                                          "came forward and would not go"),
    Column("candidates_diverted", "monthly_by_destination", "candidates", "candidates for its vacant posts whom "
                                                                          "its intake turned away and who came "
                                                                          "forward for its diversion_to "
                                                                          "destination"),
    Column("returns", "monthly_by_destination", "workers", "workers who went home from it after the month"),
    *_money("monthly_by_destination", False),
    Column("workers_active", "monthly_by_status", "workers", "workers abroad on the status during the month"),
    Column("returns", "monthly_by_status", "workers", "workers who went home from the status after the month"),
    *_money("monthly_by_status", False),

    Column("workers", "cells", "workers", "returned hires of the run"),
    Column("completed", "cells", "workers", "of those, who served their whole contract"),
    Column("worse_off", "cells", "workers", "of those, whose net gain is negative"),
    Column("months_served", "cells", "months", "months abroad"),
    Column("contract_months", "cells", "months", "contract length"),
    Column("bribe_usd", "cells", "USD", "bribe paid, policy multiplier of the hiring month included"),
    Column("quota_usd_per_month", "cells", "USD per month", "the planned contribution asked, averaged over his "
                                                            "months (policy multipliers included)"),
    Column("home_wage_usd_per_month", "cells", "USD per month", "what he would have earned at home"),
    *_money("cells", True),
    Column("cash_home_usd", "cells", "USD", "kept, less loan repayment and travel"),
    Column("net_gain_usd", "cells", "USD", "cash home less stay-home earnings, less the bribe unless borrowed"),
    Column("kept_usd_per_month", "cells", "USD per month", "kept over months abroad"),
    Column("cash_home_completed_usd", "cells", "USD", "cash home of those who completed their contract"),
    Column("stay_home_earnings_usd", "cells", "USD", "home wage times months abroad: the counterfactual"),
    _asked("cells"),

    Column("cash_home_usd", "histograms", "USD", "cash brought home"),
    Column("net_gain_usd", "histograms", "USD", "net gain over staying home"),
    Column("kept_usd_per_month", "histograms", "USD per month", "kept per month abroad"),
    Column("months_served", "histograms", "months", "months abroad"),

    Column("slot", "worker_codes", "index", "the simulated post he held"),
    Column("candidate", "worker_codes", "index", "the slot's candidate he was (0 the first)"),
    Column("hire_month", "worker_codes", "month", "month he started (negative for a worker abroad at month "
                                                 "0 of a stock-mode run who started before it)"),
    Column("destination", "worker_codes", "index", "destination, in scenario order"),
    Column("skill", "worker_codes", "index", "skill, in scenario order"),
    Column("regime", "worker_codes", "index", "0 camp, 1 free"),
    Column("contract_months", "worker_codes", "months", "contract length"),
    Column("months_served", "worker_codes", "months", "months abroad"),
    Column("early_return", "worker_codes", "1 or 0", "went home before his contract was served"),
    Column("hire_cohort", "worker_codes", "index", "0 abroad at month 0 of a stock-mode run (hired at month "
                                                   "0 or before, his months before 0 included), 1 a hire of the "
                                                   "run (HIRE_COHORTS)"),
    Column("return_reason", "worker_codes", "index", "why he went home, in the order of RETURN_REASONS: 0 "
                                                     "completed, 1 early, 2 sent home by policy, 3 still abroad "
                                                     "at the horizon"),
    Column("borrowed", "worker_codes", "1 or 0", "borrowed the bribe"),
    Column("worse_off", "worker_codes", "1 or 0", "net gain negative"),
    Column("status", "worker_codes", "index", "his status as he went home: 0 work permit, 1.. the statuses of "
                                              "[statuses] in scenario order"),
    Column("bribe_usd", "worker_cents", "USD", "bribe paid"),
    *_money("worker_cents", True, kept_roles=("-earned", "-home")),
    Column("loan_repayment_usd", "worker_cents", "USD", "bribe with interest, repaid at return if borrowed",
           ("+home",)),
    _asked("worker_cents"),
    Column("travel_cost_usd", "worker_cents", "USD", "paid from savings at return", ("+home",)),
    Column("cash_home_usd", "worker_cents", "USD", "kept, less loan repayment and travel", ("+home",)),
    Column("stay_home_earnings_usd", "worker_cents", "USD", "home wage times months abroad"),
    Column("net_gain_usd", "worker_cents", "USD", "cash home less stay-home earnings, less the bribe unless "
                                                  "borrowed"),
    Column("home_wage_usd_per_month", "worker_values", "USD per month", "his stay-home wage"),
    Column("earning_capacity_usd_per_month", "worker_values", "USD per month", "his earning capacity, skill and "
                                                                               "regime multipliers included (and "
                                                                               "his last status's)"),
    Column("expenses_usd_per_month", "worker_values", "USD per month", "his monthly expenses"),
    Column("quota_usd_per_month", "worker_values", "USD per month", "his planned contribution, before policy "
                                                                    "multipliers (skim.base on_top: Q (1 + phi); "
                                                                    "quota.policy_applies_to new_hires: his hiring "
                                                                    "month's multiplier and surcharge included; "
                                                                    "times his last status's contribution "
                                                                    "multiplier)"),
    Column("skim_share", "worker_values", "share", "share of each payment kept by managers (skim.base "
                                                          "on_top: phi / (1 + phi))"),
    Column("kept_usd_per_month", "worker_values", "USD per month", "kept over months abroad"),
)
"""Every column the kernel writes, table by table in kernel order."""
OUTPUT_TABLES = ("monthly", "monthly_by_destination", "monthly_by_status", "cells", "histograms", "worker_codes",
                 "worker_cents", "worker_values")
MONEY_UNITS = ("USD", "USD per month")
"""Units held as whole cents (but in ``worker_values``)."""


def columns(table: str) -> tuple[Column, ...]:
    """The columns of ``table`` (one of :data:`OUTPUT_TABLES`), in kernel order."""
    return tuple(column for column in COLUMNS if column.table == table)


def identity_terms(table: str) -> dict[str, list[tuple[str, int]]]:
    """Identity name -> [(column name, +1 or -1), ...] of the identities ``table`` holds terms of."""
    terms = {}
    for column in columns(table):
        for role in column.roles:
            terms.setdefault(role[1:], []).append((column.name, 1 if role[0] == "+" else -1))
    return terms
