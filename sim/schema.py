"""The model declared once: every parameter the kernel reads and every column it writes.

Three tables of plain rows, from which the rest is derived, never numbered by hand:

- :data:`PARAMS`, the kernel's parameters: each a key of the scenario file (its bounds and
  meaning are declared once, on the pydantic field of :mod:`sim.config` at that key), where the
  kernel keeps it and how it is compiled. From them: the fields of
  :class:`sim.params.KernelParams` and :func:`sim.params.compile_params`, the packed layout and
  its offsets (:mod:`sim.packing`), and docs/parameters.md.
- :data:`LEVERS` and :data:`TIMELINE_COLUMNS`, the policy timeline: each lever with its default,
  bounds and meaning (from which :class:`sim.config.Timeline` and its validation are built), and
  the columns of the kernel's packed timeline.
- :data:`COLUMNS`, the kernel's output: each column of each accumulator once, with its unit and
  its part in the money identities (:data:`IDENTITIES`). From them: the column names and indices
  of :mod:`sim.layout`, the accounting checks of :func:`sim.aggregate.accounting_residual_usd`
  and the tests, and docs/columns.md.

What is left to write by hand for a new parameter or column is its arithmetic: in the kernel
(:mod:`sim.recruitment`, :mod:`sim.worker`, :mod:`sim.kernel`) and in the references
(:mod:`sim.reference`, :mod:`benchmarks.elementwise`). See README, "Adding a mechanism".
"""
from typing import Callable, NamedTuple

REGIMES = ("camp", "free")
HIRE_COHORTS = ("met_at_month_0", "hired_in_run")
"""Who a returned worker is: one abroad at month 0 of a stock-mode run (hired before it), or a hire
of the run."""
RETURN_REASONS = ("completed", "early", "sent_home_by_policy", "abroad_at_horizon")
"""Why a worker went home, as :func:`sim.worker.return_reason` decides: his contract served; early, by
his own hazard; early, sent home by the timeline's repatriation hazard; or still abroad at the last
month of the horizon (his outcome is that of the run-out, whatever ended it)."""
"""The living regimes, in kernel order."""
AXES = ("destination", "skill", "regime", "shared")
"""How a parameter varies: one value per destination, per skill, per regime, or one for everyone.
Each packed array holds its per-destination fields first, then per skill, per regime, shared."""
PLACEHOLDERS = {"destination": "<destination>", "skill": "<skill>", "regime": "<regime>"}
"""The part of a config path that names one destination, skill or regime."""
MULTIPLIER_LIMIT = 1000.0
"""Largest value of any multiplier (skill, regime, timeline)."""
SURCHARGE_LIMIT_USD = 1e6
"""Largest quota surcharge, USD a month."""


class Param(NamedTuple):
    """A parameter of the kernel.

    name : the kernel's name: a field of KernelParams, and of the packed offsets
    path : the scenario key, dotted, with a placeholder of :data:`PLACEHOLDERS` for its axis
    axis : one of :data:`AXES`
    kind : ``"distribution"`` (a compiled row of ``dists``); ``"value"`` (a float of ``values``);
        ``"cumulative"`` (categorical shares, cumulated, the last made 1); ``"flag"`` (1 where the
        key's value is ``equals``, else 0); ``"longest"`` (the highest value the distributions at
        ``path``, over every name, can take)
    unit : what one number counts
    default : the key read where ``path`` is unset (None: ``path`` is always set)
    equals : the value a ``"flag"`` tests for
    note : what the kernel makes of the key, where its meaning alone does not say
    """

    name: str
    path: str
    axis: str
    kind: str
    unit: str
    default: str | None = None
    equals: str | None = None
    note: str = ""


PARAMS = (
    Param("bribe_usd", "destinations.<destination>.bribe_usd", "destination", "distribution", "USD"),
    Param("contract_months", "destinations.<destination>.contract_months", "destination", "distribution", "months"),
    Param("earning_capacity_usd_per_month", "destinations.<destination>.earning_capacity_usd_per_month",
          "destination", "distribution", "USD per month"),
    Param("expenses_usd_per_month", "regimes.<regime>.expenses_usd_per_month", "regime", "distribution",
          "USD per month"),
    Param("early_return_hazard_per_month", "regimes.<regime>.early_return_hazard_per_month", "regime",
          "distribution", "probability per month"),
    Param("home_wage_usd_per_month", "home.wage_usd_per_month", "shared", "distribution", "USD per month"),
    Param("quota_input_usd_per_month", "quota.retention_usd_per_month", "shared", "distribution", "USD per month",
          default="quota.quota_usd_per_month", note="K* under rule retention, the planned contribution before "
                                                    "clipping under rule drawn"),
    Param("skim_share", "skim.share", "shared", "distribution", "share"),
    Param("travel_cost_usd", "return.travel_cost_usd", "shared", "distribution", "USD"),
    Param("destination_cumulative_share", "destinations.<destination>.share", "destination", "cumulative", "share"),
    Param("quota_floor_usd_per_month", "destinations.<destination>.quota_floor_usd_per_month", "destination",
          "value", "USD per month", default="quota.floor_usd_per_month"),
    Param("quota_cap_usd_per_month", "destinations.<destination>.quota_cap_usd_per_month", "destination", "value",
          "USD per month", default="quota.cap_usd_per_month"),
    Param("skill_cumulative_share", "skills.<skill>.share", "skill", "cumulative", "share"),
    Param("skill_wage_multiplier", "skills.<skill>.wage_multiplier", "skill", "value", "multiplier"),
    Param("regime_earnings_multiplier", "regimes.<regime>.earnings_multiplier", "regime", "value", "multiplier"),
    Param("idle_probability_per_month", "regimes.<regime>.idle_probability_per_month", "regime", "value",
          "probability per month"),
    Param("quota_policy_for_new_hires", "quota.policy_applies_to", "shared", "flag", "1 or 0", equals="new_hires"),
    Param("skim_on_top", "skim.base", "shared", "flag", "1 or 0", equals="on_top"),
    Param("quota_from_retention", "quota.rule", "shared", "flag", "1 or 0", equals="retention"),
    Param("wage_shock_sd", "wages.monthly_shock_sd", "shared", "value", "share of earnings"),
    Param("borrowed_share", "bribe_finance.borrowed_share", "shared", "value", "share"),
    Param("interest_rate_per_month", "bribe_finance.interest_rate_per_month", "shared", "value", "per month"),
    Param("arrears_deducted", "return.arrears_at_return", "shared", "flag", "1 or 0", equals="deducted"),
    Param("reservation_gain_usd", "participation.reservation_gain_usd", "shared", "value", "USD"),
    Param("candidates_per_post", "participation.candidates_per_post", "shared", "value", "candidates per month",
          note="a vacant post is filled by the first of this many candidates, in turn, who goes"),
    Param("longest_contract_months", "destinations.<destination>.contract_months", "shared", "longest", "months",
          note="the longest contract any destination allows: bounds the steady state's acceptance draw"),
    Param("stock_mode", "simulation.mode", "shared", "flag", "1 or 0", equals="stock"),
)
"""The kernel's parameters. A distribution goes to the packed table ``dists``, anything else to
the vector ``values`` (:mod:`sim.packing`)."""


class Lever(NamedTuple):
    """A lever of the policy timeline (``timeline.<name>``, or ``timeline.by_destination.<name>.<lever>``
    for one destination): a constant or change points, one value a month and destination, every
    value in [low, high]; ``default`` None: the destination's own key of that name; ``packed``: a
    column of the kernel's timeline as it is (else only through a :class:`TimelineColumn`)."""

    name: str
    default: float | None
    low: float
    high: float
    unit: str
    description: str
    packed: bool = True


LEVERS = (
    Lever("recruit_open", 1.0, 0.0, 1.0, "1 or 0", "1: vacant posts may be filled this month, 0: no new contracts "
          "(a ban); applies to hiring only", packed=False),
    Lever("intake_multiplier", 1.0, 0.0, 1.0, "probability", "probability that a vacant post's candidate comes "
          "forward this month; applies to hiring only", packed=False),
    Lever("repatriation_hazard_per_month", 0.0, 0.0, 1.0, "probability per month", "monthly probability of being "
          "sent home, on top of each worker's own early-return hazard; applies to everyone abroad", packed=False),
    Lever("quota_multiplier", 1.0, 0.0, MULTIPLIER_LIMIT, "multiplier", "multiplies the planned contribution due "
          "this month; quota.policy_applies_to = \"everyone\" (default): everyone abroad, contracts already "
          "running included; \"new_hires\": a worker keeps his hiring month's value (month 0's for those met at "
          "month 0); either way it enters the decision of candidates hired this month"),
    Lever("quota_surcharge_usd_per_month", 0.0, 0.0, SURCHARGE_LIMIT_USD, "USD per month", "added to the "
          "planned contribution asked this month, after the quota multiplier: Q * quota_multiplier + surcharge; "
          "reaches whom quota.policy_applies_to says, like the multiplier"),
    Lever("bribe_multiplier", 1.0, 0.0, MULTIPLIER_LIMIT, "multiplier", "multiplies the bribe of those hired this "
          "month (and deters candidates); workers already abroad paid theirs"),
    Lever("wage_index", 1.0, 0.0, MULTIPLIER_LIMIT, "multiplier", "multiplies earnings this month (exchange rate, "
          "sector); applies to everyone abroad and to the decision of candidates hired this month"),
    Lever("free_mover_share", None, 0.0, 1.0, "share", "share of those hired this month who live free (own "
          "housing, own jobs) rather than in a camp; default: the destination's free_mover_share; a confined "
          "destination allows none"),
    Lever("skim_multiplier", 1.0, 0.0, MULTIPLIER_LIMIT, "multiplier", "multiplies the skim share of those hired "
          "this month (at most 1): the managers' cut is agreed at hiring, like the bribe, and deters candidates "
          "where skim.base is on_top"),
    Lever("diversion_share", 0.0, 0.0, 1.0, "share", "share of a destination's posts (the same posts while it "
          "holds) whose candidates, when its intake turns them away (recruit_open 0, or an intake_multiplier below "
          "1), go to its diversion_to destination instead, as that destination's candidates: the share of its "
          "would-be migrants who go elsewhere (set both under timeline.by_destination.<name>)"),
)
"""The policy levers, in the order of :class:`sim.config.Timeline` and its TOML keys."""


class TimelineColumn(NamedTuple):
    """A column of the kernel's packed timeline computed from levers: ``formula`` takes
    :class:`sim.params.TimelineArrays` and returns the column (horizon_months, destinations);
    ``description`` states it."""

    name: str
    formula: Callable
    description: str


TIMELINE_COLUMNS = (
    TimelineColumn("stay", lambda tl: 1.0 - tl.repatriation_hazard_per_month,
                   "1 - repatriation_hazard_per_month: not sent home this month (the float the hot loop would "
                   "otherwise compute)"),
    TimelineColumn("intake", lambda tl: tl.recruit_open * tl.intake_multiplier,
                   "recruit_open * intake_multiplier: a vacant post's candidate comes forward this month"),
    TimelineColumn("diversion_to", lambda tl: tl.diversion_to,
                   "index of the destination a diverted candidate goes to (the destination itself where it has "
                   "no diversion_to)"),
)
"""Columns of the packed timeline beside the levers packed as they are. Every column holds one
entry per destination (a lever differs by destination where ``timeline.by_destination`` says)."""
TIMELINE_EXTRAS = ("diversion_to",)
"""Fields of :class:`sim.params.TimelineArrays` beside the levers: what a column needs that is
not a lever (the diversion target's index, constant over the months)."""


class Column(NamedTuple):
    """A column of one of the kernel's outputs.

    table : ``"monthly"`` (one row per month, summed over workers abroad), ``"monthly_by_destination"``
        (the same, one row per month and destination), ``"cells"`` (sums over
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
                                                                               "regime multipliers included"),
    Column("expenses_usd_per_month", "worker_values", "USD per month", "his monthly expenses"),
    Column("quota_usd_per_month", "worker_values", "USD per month", "his planned contribution, before policy "
                                                                    "multipliers (skim.base on_top: Q (1 + phi); "
                                                                    "quota.policy_applies_to new_hires: his hiring "
                                                                    "month's multiplier and surcharge included)"),
    Column("skim_share", "worker_values", "share", "share of each payment kept by managers (skim.base "
                                                          "on_top: phi / (1 + phi))"),
    Column("kept_usd_per_month", "worker_values", "USD per month", "kept over months abroad"),
)
"""Every column the kernel writes, table by table in kernel order."""
OUTPUT_TABLES = ("monthly", "monthly_by_destination", "cells", "histograms", "worker_codes", "worker_cents",
                 "worker_values")
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


def params(array: str) -> tuple[Param, ...]:
    """The parameters packed in ``array``: ``"dists"`` (distributions) or ``"values"`` (the rest)."""
    return tuple(p for p in PARAMS if (p.kind == "distribution") == (array == "dists"))
