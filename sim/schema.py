"""The model declared once: every parameter the kernel reads and every lever of the policy timeline.

Two tables of plain rows, from which the rest is derived, never numbered by hand:

- :data:`PARAMS`, the kernel's parameters: each the key of the scenario file it reads, with what
  the key takes (its value type and bounds, or its choices), whether it may be left out and what it
  means; where the kernel keeps it and how it is compiled. From them: the key's pydantic field on
  its section of :mod:`sim.config` (built by :mod:`sim.fields`), the fields of
  :class:`sim.params.KernelParams` and :func:`sim.params.compile_params`, the packed layout and
  its offsets (:mod:`sim.packing`), and docs/parameters.md.
- :data:`LEVERS` and :data:`TIMELINE_COLUMNS`, the policy timeline: each lever with its default,
  bounds and meaning (from which :class:`sim.config.Timeline` and its validation are built), and
  the columns of the kernel's packed timeline.

The kernel's outputs, each column with its unit and its part in the money identities, are the
other half of the model table, :mod:`sim.outputs`. What is left to write by hand for a new
parameter or column is its arithmetic: in the kernel (:mod:`sim.recruitment`, :mod:`sim.worker`,
:mod:`sim.kernel`) and in the references (:mod:`sim.reference`, :mod:`benchmarks.elementwise`).
See README, "Adding a mechanism".
"""
from typing import Callable, NamedTuple

import numpy as np

REGIMES = ("camp", "free")
"""The living regimes, in kernel order."""
HIRE_COHORTS = ("met_at_month_0", "hired_in_run")
"""Who a returned worker is: one abroad at month 0 of a stock-mode run (hired before it), or a hire
of the run."""
RETURN_REASONS = ("completed", "early", "sent_home_by_policy", "abroad_at_horizon")
"""Why a worker went home, as :func:`sim.outcome.return_reason` decides: his contract served; early, by
his own hazard; early, sent home by the timeline's repatriation hazard; or still abroad at the last
month of the horizon (his outcome is that of the run-out, whatever ended it)."""
AXES = ("destination", "skill", "regime", "shared", "status")
"""How a parameter varies: one value per destination, per skill, per regime, one for everyone, or
one per status of ``[statuses]``. Each packed array holds its per-destination fields first, then
per skill, per regime, shared, and last the per-status fields, status by status (so that no other
offset depends on the number of statuses)."""
PLACEHOLDERS = {"destination": "<destination>", "skill": "<skill>", "regime": "<regime>", "status": "<status>"}
"""The part of a config path that names one destination, skill, regime or status."""
WORK_PERMIT = "work_permit"
"""Status 0 of every worker abroad: the work permit he was sent on. Statuses 1, 2, ... are the
``[statuses.<name>]`` of the scenario, in its order, taken by those who stay abroad against a
repatriation order (docs/model.md, "Repatriation order")."""
MULTIPLIER_LIMIT = 1000.0
"""Largest value of any multiplier (skill, regime, status, timeline)."""
SURCHARGE_LIMIT_USD = 1e6
"""Largest quota surcharge, USD a month."""
MONEY_LIMIT_USD = 1e7
"""Largest amount one worker may draw, earn, be asked for or repay, in a month or at once (USD),
policy multipliers, wage shocks and loan interest included. Beyond it a run's int64 cent totals
could overflow; the engine checks its running totals too (:func:`sim.engine.add_exactly`)."""
REQUIRED = ...
"""The ``unset`` of a row whose key every scenario file must set."""


class Param(NamedTuple):
    """A parameter of the kernel, and what the scenario key it reads takes.

    name : the kernel's name: a field of KernelParams, and of the packed offsets
    path : the scenario key, dotted, with a placeholder of :data:`PLACEHOLDERS` for its axis
    axis : one of :data:`AXES`
    kind : ``"distribution"`` (a compiled row of ``dists``); ``"value"`` (a float of ``values``);
        ``"cumulative"`` (categorical shares, cumulated, the last made 1); ``"flag"`` (1 where the
        key's value is ``equals``, else 0); ``"longest"`` (the highest value the distributions at
        ``path``, over every name, can take); ``"count"`` (how many names the table at ``path`` has).
        The last two read keys that other rows (or sections) declare, and declare no key.
    unit : what one number counts
    takes : the value type of the key, a name of :data:`sim.fields.VALUE_TYPES` (``"usd_amount"``,
        ``"months"``, ``"share"``, ..., each with its bounds; ``"number"`` and ``"whole_number"``
        between ``low`` and ``high``; ``"choice"``: one of ``choices``); "" for ``longest`` and ``count``
    description : what the key means (``sim validate --explain``, docs/parameters.md)
    unset : the key's value where the file leaves it out; :data:`REQUIRED`: the file must set it
        (a row with a ``default`` takes None there, and the ``default`` key is read instead)
    choices : the values a ``"choice"`` may take
    low, high : the inclusive bounds of a ``"number"`` or ``"whole_number"`` (None: unbounded)
    default : the key read where ``path`` is unset (None: ``path`` is always set)
    equals : the value a ``"flag"`` tests for
    note : what the kernel makes of the key, where its meaning alone does not say
    """

    name: str
    path: str
    axis: str
    kind: str
    unit: str
    takes: str = ""
    description: str = ""
    unset: object = REQUIRED
    choices: tuple = ()
    low: float | None = None
    high: float | None = None
    default: str | None = None
    equals: str | None = None
    note: str = ""


_DEST = "destinations.<destination>."
PARAMS = (
    Param("bribe_usd", _DEST + "bribe_usd", "destination", "distribution", "USD", "usd_amount",
          "paid up front to be chosen (USD)"),
    Param("contract_months", _DEST + "contract_months", "destination", "distribution", "months", "months",
          "contract length in whole months"),
    Param("earning_capacity_usd_per_month", _DEST + "earning_capacity_usd_per_month", "destination",
          "distribution", "USD per month", "usd_amount", "gross monthly earnings of an unskilled camp worker in a "
          "month of work (USD), before the skill and regime multipliers, the wage index and the shock"),
    Param("expenses_usd_per_month", "regimes.<regime>.expenses_usd_per_month", "regime", "distribution",
          "USD per month", "usd_amount", "day-to-day expenses, paid every month abroad (USD)"),
    Param("early_return_hazard_per_month", "regimes.<regime>.early_return_hazard_per_month", "regime",
          "distribution", "probability per month", "share_distribution", "monthly probability of going home "
          "before the contract ends (illness, discipline, deportation), checked after each month"),
    Param("home_wage_usd_per_month", "home.wage_usd_per_month", "shared", "distribution", "USD per month",
          "usd_amount", "what he would earn at home (USD a month): the counterfactual"),
    Param("quota_input_usd_per_month", "quota.retention_usd_per_month", "shared", "distribution", "USD per month",
          "usd_amount", "rule retention: K*, what the state plans to leave the worker (USD a month)",
          default="quota.quota_usd_per_month", note="K* under rule retention, the planned contribution before "
                                                    "clipping under rule drawn"),
    Param("skim_share", "skim.share", "shared", "distribution", "share", "share_distribution",
          "phi: the managers' and agents' cut (a share)"),
    Param("travel_cost_usd", "return.travel_cost_usd", "shared", "distribution", "USD", "usd_amount",
          "paid from savings at return (USD)"),
    Param("destination_cumulative_share", _DEST + "share", "destination", "cumulative", "share", "share",
          "share of the posts that are here (destination shares sum to 1)"),
    Param("quota_floor_usd_per_month", _DEST + "quota_floor_usd_per_month", "destination", "value",
          "USD per month", "usd_bound", "floor of the planned contribution here (USD a month); default: [quota]'s",
          default="quota.floor_usd_per_month"),
    Param("quota_cap_usd_per_month", _DEST + "quota_cap_usd_per_month", "destination", "value", "USD per month",
          "usd_bound", "cap of the planned contribution here (USD a month); default: [quota]'s",
          default="quota.cap_usd_per_month"),
    Param("skill_cumulative_share", "skills.<skill>.share", "skill", "cumulative", "share", "share",
          "share of hires in this skill class (skill shares sum to 1)"),
    Param("skill_wage_multiplier", "skills.<skill>.wage_multiplier", "skill", "value", "multiplier", "multiplier",
          "multiplies earning capacity"),
    Param("regime_earnings_multiplier", "regimes.<regime>.earnings_multiplier", "regime", "value", "multiplier",
          "multiplier", "multiplies earning capacity", unset=1.0),
    Param("idle_probability_per_month", "regimes.<regime>.idle_probability_per_month", "regime", "value",
          "probability per month", "share", "probability of a month without work (no earnings; expenses and "
          "quota still due)", unset=0.0),
    Param("quota_policy_for_new_hires", "quota.policy_applies_to", "shared", "flag", "1 or 0", "choice",
          "whom the timeline's quota_multiplier and quota_surcharge_usd_per_month reach: everyone abroad in the "
          "month, or only workers hired from then on (each keeps his hiring month's terms for his whole stay; "
          "those met at month 0 keep month 0's)", unset="everyone", choices=("everyone", "new_hires"),
          equals="new_hires"),
    Param("skim_on_top", "skim.base", "shared", "flag", "1 or 0", "choice",
          "contribution: managers keep phi of each payment, taken out of the planned contribution Q (a higher skim "
          "cannot cost the worker); on_top: the worker is asked Q (1 + phi) and managers keep phi / (1 + phi) of "
          "each payment (the state gets Q when he pays in full)", unset="contribution",
          choices=("contribution", "on_top"), equals="on_top"),
    Param("quota_from_retention", "quota.rule", "shared", "flag", "1 or 0", "choice",
          "retention: Q = clip(W - X - K*, floor, cap); drawn: Q = clip(drawn, floor, cap)",
          choices=("retention", "drawn"), equals="retention"),
    Param("wage_shock_sd", "wages.monthly_shock_sd", "shared", "value", "share of earnings", "number",
          "sd of the multiplicative monthly earnings shock 1 + sd * e, e in [-2 sqrt 3, 2 sqrt 3]", low=0.0,
          high=1.0),
    Param("borrowed_share", "bribe_finance.borrowed_share", "shared", "value", "share", "share",
          "share of hires who borrow the bribe and repay it at return"),
    Param("interest_rate_per_month", "bribe_finance.interest_rate_per_month", "shared", "value", "per month",
          "number", "on a borrowed bribe, compounded over the months served", low=0.0, high=1.0),
    Param("arrears_deducted", "return.arrears_at_return", "shared", "flag", "1 or 0", "choice",
          "deducted: arrears still owed are paid from savings at return, to the state and managers; forgiven: "
          "paid to no one", choices=("forgiven", "deducted"), equals="deducted"),
    Param("reservation_gain_usd", "participation.reservation_gain_usd", "shared", "value", "USD", "number",
          "a candidate goes only if the expected net gain of a completed contract is at least this"),
    Param("candidates_per_post", "participation.candidates_per_post", "shared", "value", "candidates per month",
          "whole_number", "candidates who queue for a vacant post each month: the first, in turn, who comes "
          "forward and would go takes it; 1 (the default): one candidate a month", unset=1, low=1, high=1000,
          note="a vacant post is filled by the first of this many candidates, in turn, who goes"),
    Param("longest_contract_months", _DEST + "contract_months", "shared", "longest", "months",
          note="the longest contract any destination allows: bounds the steady state's acceptance draw"),
    Param("stock_mode", "simulation.mode", "shared", "flag", "1 or 0", "choice",
          "stock: posts kept filled by monthly hiring, month 0 in steady state; cohort: everyone leaves in month 0",
          choices=("stock", "cohort"), equals="stock"),
    Param("status_count", "statuses", "shared", "count", "statuses",
          note="statuses beside the work permit: those who stay abroad against a repatriation order choose one"),
    Param("status_cumulative_share", "statuses.<status>.share", "status", "cumulative", "share", "share",
          "share of the workers staying abroad against the order who take this status (status shares sum to 1)"),
    Param("status_earnings_multiplier", "statuses.<status>.earnings_multiplier", "status", "value", "multiplier",
          "multiplier", "multiplies his earning capacity on this status"),
    Param("status_contribution_multiplier", "statuses.<status>.contribution_multiplier", "status", "value",
          "multiplier", "number", "multiplies his planned contribution Q on this status (under "
          "quota.policy_applies_to = \"new_hires\", Q with his hiring month's terms); the month's quota multiplier "
          "and surcharge apply as on the work permit (0: he is asked the surcharge only)", low=0.0,
          high=MULTIPLIER_LIMIT),
    Param("status_detection_hazard_per_month", "statuses.<status>.detection_hazard_per_month", "status", "value",
          "probability per month", "share", "monthly probability of being detected and sent home (return reason "
          "sent_home_by_policy), on top of his own early-return hazard"),
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


def _levers_change(tl) -> np.ndarray:
    """1.0 in a month whose wage index, quota multiplier, surcharge or repatriation hazard differs
    from the month before's at any destination, else 0 (month 0: 0); the same at every destination."""
    change = np.zeros_like(tl.wage_index)
    for series in (tl.wage_index, tl.quota_multiplier, tl.quota_surcharge_usd_per_month,
                   tl.repatriation_hazard_per_month):
        change[1:] = np.maximum(change[1:], (series[1:] != series[:-1]).any(axis=1, keepdims=True))
    return change


TIMELINE_COLUMNS = (
    TimelineColumn("stay", lambda tl: 1.0 - tl.repatriation_hazard_per_month,
                   "1 - repatriation_hazard_per_month: not sent home this month (the float the hot loop would "
                   "otherwise compute)"),
    TimelineColumn("intake", lambda tl: tl.recruit_open * tl.intake_multiplier,
                   "recruit_open * intake_multiplier: a vacant post's candidate comes forward this month"),
    TimelineColumn("diversion_to", lambda tl: tl.diversion_to,
                   "index of the destination a diverted candidate goes to (the destination itself where it has "
                   "no diversion_to)"),
    TimelineColumn("compliance_share", lambda tl: tl.compliance_share,
                   "timeline.repatriation_order.compliance_share from the order's start, else 1: the share of "
                   "the workers reached by the repatriation hazard who go home (the others change status)"),
    TimelineColumn("levers_change", _levers_change,
                   "1 in a month whose wage index, quota multiplier, surcharge or repatriation hazard differs from "
                   "the month before's at any destination, else 0: the months in which each worker's levers are "
                   "folded in again (sim.worker.apply_levers)"),
)
"""Columns of the packed timeline beside the levers packed as they are. Every column holds one
entry per destination (a lever differs by destination where ``timeline.by_destination`` says)."""
TIMELINE_EXTRAS = ("diversion_to", "compliance_share")
"""Fields of :class:`sim.params.TimelineArrays` beside the levers: what a column needs that is
not a lever (the diversion target's index, constant over the months; the repatriation order's
compliance share, 1 outside the order)."""


def params(array: str) -> tuple[Param, ...]:
    """The parameters packed in ``array``: ``"dists"`` (distributions) or ``"values"`` (the rest)."""
    return tuple(p for p in PARAMS if (p.kind == "distribution") == (array == "dists"))
