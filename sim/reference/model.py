"""One worker's trajectory, month by month (MODEL.md section 3), in plain Python.

Every function reads the validated :class:`sim.config.Scenario` by its own names and states one
step of the model; its docstring quotes the equation. Money a worker earns, owes and pays is
rounded to whole cents once per worker-month (:func:`cents`) and then added as Python ints, so
``gross earnings = to state + to managers + expenses + kept`` holds exactly. Random numbers come
from :mod:`sim.reference.random`, drawn where the kernel draws them.
"""
import dataclasses
import math
from dataclasses import dataclass

from sim.reference.random import (ARRIVAL, BORROWED, BRIBE, CAPACITY, CONTRACT, DESTINATION, DIVERT, EXPENSES,
                                  HAZARD, HOME_WAGE, QUOTA_INPUT, REGIME, SKILL, SKIM, TRAVEL, bell, bits, category,
                                  int_power, sample, stream_key, uniform_at, uniform_pair)


def cents(usd):
    """USD to whole cents, half a cent up: ``floor(100 usd + 0.5)``."""
    return math.floor(usd * 100.0 + 0.5)


@dataclass(frozen=True)
class Policy:
    """The policy timeline at one destination in one month (MODEL.md section 5)."""

    recruit_open: float
    intake_multiplier: float
    repatriation_hazard_per_month: float
    quota_multiplier: float
    quota_surcharge_usd_per_month: float
    bribe_multiplier: float
    wage_index: float
    free_mover_share: float
    skim_multiplier: float
    diversion_share: float
    diversion_to: str | None


def policy_in_month(scenario, month, destination):
    """Each lever at ``destination`` (its ``timeline.by_destination`` entry, else ``[timeline]``'s,
    else the destination's own key) in ``month``: a constant, or the value of its last change point
    ``[m, value]`` with ``m <= month``; and where its diverted candidates go."""
    def value(series):
        if isinstance(series, float):
            return series
        return [v for m, v in series if m <= month][-1]

    own = scenario.timeline.by_destination.get(destination)
    return Policy(diversion_to=own.diversion_to if own is not None else None,
                  **{field.name: value(scenario.lever_series(destination, field.name))
                     for field in dataclasses.fields(Policy) if field.name != "diversion_to"})


def post_destination(scenario, seed, slot):
    """A post's destination, by the destination shares, with its first candidate's uniform at
    DESTINATION; every candidate for the post is a candidate for it."""
    return list(scenario.destinations)[category(
        [d.share for d in scenario.destinations.values()], uniform_at(stream_key(seed, slot, 1), DESTINATION))]


@dataclass
class Worker:
    """A worker: what he drew at recruitment (USD, per month where a rate) and his account (cents)."""

    key: int  # his candidate stream: his draws at recruitment and his travel cost at return
    destination: str
    skill: str
    regime: str  # "camp" or "free"
    contract_months: int  # L
    bribe_usd: float  # B, times the bribe multiplier of his hiring month once hired
    home_wage_usd_per_month: float  # h, the stay-home counterfactual
    earning_capacity_usd_per_month: float  # W
    expenses_usd_per_month: float  # X
    idle_probability_per_month: float
    early_return_hazard_per_month: float
    quota_usd_per_month: float  # Q, fixed in USD for the contract
    skim_share: float  # phi
    borrowed: bool  # the bribe was borrowed, repaid with interest at return
    expected_gain_usd: float  # of a completed contract, as he reckons it when he decides to go
    hire_month: int = 0  # negative for a worker met abroad at month 0 in stock mode
    quota_terms: tuple | None = None  # (multiplier, surcharge) of his hiring month, if the quota policy
    # reaches new hires only; None: each month's
    hired_in_run: bool = True  # False for the worker met at month 0: outcome by cohort and reason only
    gross_cents: int = 0
    to_state_cents: int = 0
    to_managers_cents: int = 0
    expenses_cents: int = 0
    arrears_cents: int = 0  # owed and not yet paid
    due_cents: int = 0  # planned contributions asked so far, arrears aside
    arrears_collected_cents: int = 0  # paid at return


def recruit(scenario, key, destination, policy):
    """A candidate's draws at recruitment for ``destination``, from his stream ``key``; ``policy``
    of his hiring month at ``destination``.

    - skill by its shares; regime ``free`` with the month's free-mover share, else ``camp``;
      contract ``L``, bribe ``B``, capacity ``W_d`` by destination; expenses ``X`` and
      early-return hazard by regime; home wage ``h``, skim share ``phi`` drawn times the month's
      skim multiplier (at most 1)
    - earning capacity ``W = W_d * skill wage multiplier * regime earnings multiplier``
    - planned contribution ``Q = clip(W - X - K*, floor_d, cap_d)`` (rule "retention", ``K*``
      the retention allowance) or ``Q = clip(Q drawn, floor_d, cap_d)`` (rule "drawn")
    - skim base "on_top": he is asked ``Q (1 + phi)`` and managers keep ``phi / (1 + phi)`` of each
      payment (the fields hold these); base "contribution": ``Q`` and ``phi`` as drawn
    - borrowed with probability ``bribe_finance.borrowed_share``
    - expected gain of a completed contract, with the policy of his hiring month:
      ``G* = L (E - X - a - h) + A - B bribe_mult (1 + r)^L [borrowed, else 1] - travel``, with
      ``E = W wage_index (1 - idle)``, asked ``a = Q quota_mult + surcharge``, and the arrears he
      expects never to pay ``A = L max(a - max(E - X, 0), 0)`` where arrears are forgiven (else 0)
    """
    skill = list(scenario.skills)[category([s.share for s in scenario.skills.values()], uniform_at(key, SKILL))]
    where = scenario.destinations[destination]
    regime = "free" if uniform_at(key, REGIME) < policy.free_mover_share else "camp"
    living = getattr(scenario.regimes, regime)
    contract = int(sample(where.contract_months, key, CONTRACT))
    bribe = sample(where.bribe_usd, key, BRIBE)
    home_wage = sample(scenario.home.wage_usd_per_month, key, HOME_WAGE)
    capacity = (sample(where.earning_capacity_usd_per_month, key, CAPACITY)
                * scenario.skills[skill].wage_multiplier * living.earnings_multiplier)
    expenses = sample(living.expenses_usd_per_month, key, EXPENSES)
    hazard = sample(living.early_return_hazard_per_month, key, HAZARD)
    rule = scenario.quota
    if rule.rule == "retention":
        quota = capacity - expenses - sample(rule.retention_usd_per_month, key, QUOTA_INPUT)
    else:
        quota = sample(rule.quota_usd_per_month, key, QUOTA_INPUT)
    floor, cap = scenario.quota_band(where)
    quota = min(max(quota, floor), cap)
    skim = min(sample(scenario.skim.share, key, SKIM) * policy.skim_multiplier, 1.0)
    if scenario.skim.base == "on_top":
        quota, skim = quota * (1.0 + skim), skim / (1.0 + skim)
    borrowed = uniform_at(key, BORROWED) < scenario.bribe_finance.borrowed_share
    expected_earnings = capacity * policy.wage_index * (1.0 - living.idle_probability_per_month)
    asked = quota * policy.quota_multiplier + policy.quota_surcharge_usd_per_month
    forgiven = 0.0
    if scenario.return_.arrears_at_return == "forgiven":
        forgiven = contract * max(asked - max(expected_earnings - expenses, 0.0), 0.0)
    rate = scenario.bribe_finance.interest_rate_per_month
    bribe_cost = bribe * policy.bribe_multiplier * (int_power(1.0 + rate, contract) if borrowed else 1.0)
    travel = sample(scenario.return_.travel_cost_usd, key, TRAVEL)
    expected_gain = contract * (expected_earnings - expenses - asked - home_wage) + forgiven - bribe_cost - travel
    return Worker(key=key, destination=destination, skill=skill, regime=regime, contract_months=contract,
                  bribe_usd=bribe, home_wage_usd_per_month=home_wage, earning_capacity_usd_per_month=capacity,
                  expenses_usd_per_month=expenses, idle_probability_per_month=living.idle_probability_per_month,
                  early_return_hazard_per_month=hazard, quota_usd_per_month=quota, skim_share=skim,
                  borrowed=borrowed, expected_gain_usd=expected_gain)


def queue_diverted(seed, slot, post, policies):
    """Whether a vacant post's queue this month is diverted: when the post's own uniform (its first
    candidate's at DIVERT) is below ``diversion_share[t]`` at ``post``, so a share of the posts
    send their would-be migrants elsewhere, the same posts while the share holds."""
    return uniform_at(stream_key(seed, slot, 1), DIVERT) < policies[post].diversion_share


def comes_forward(key, post, policies, diverted):
    """Where the candidate ``key`` for a vacant post at ``post`` comes forward, or None, under the
    month's ``policies`` (destination -> Policy). He comes forward with probability
    ``recruit_open[t] * intake_multiplier[t]`` at ``post``; in a ``diverted`` queue, one turned
    away comes forward at ``post``'s ``diversion_to`` as its own candidates do (the same arrival
    uniform below that destination's intake)."""
    def intake(policy):
        return policy.recruit_open * policy.intake_multiplier

    arrival = uniform_at(key, ARRIVAL)
    if arrival < intake(policies[post]):
        return post
    target = policies[post].diversion_to
    if diverted and target and arrival < intake(policies[target]):
        return target
    return None


def decides_to_go(worker, scenario):
    """He goes if his expected gain clears the reservation threshold: ``G* >= reservation``."""
    return worker.expected_gain_usd >= scenario.participation.reservation_gain_usd


def hire(worker, month, policy, scenario):
    """He starts in ``month`` and pays ``B * bribe_mult[month]`` (up front, or with a loan); when
    the quota policy reaches new hires only, his month's quota terms are his for the whole stay."""
    worker.hire_month = month
    worker.bribe_usd = worker.bribe_usd * policy.bribe_multiplier
    worker.quota_terms = quota_terms_at_hiring(policy, scenario)
    return worker


def quota_terms_at_hiring(policy, scenario):
    """(quota multiplier, surcharge) a worker hired under ``policy`` keeps, under
    ``quota.policy_applies_to = "new_hires"``; None (each month's) under "everyone"."""
    if scenario.quota.policy_applies_to != "new_hires":
        return None
    return policy.quota_multiplier, policy.quota_surcharge_usd_per_month


def return_hazard(worker, policy):
    """Monthly probability of going home early: ``1 - (1 - hazard) (1 - repatriation_hazard[t])``."""
    return 1.0 - (1.0 - worker.early_return_hazard_per_month) * (1.0 - policy.repatriation_hazard_per_month)


@dataclass(frozen=True)
class Month:
    """What one worker-month adds up to, in cents; and whether he goes home after it."""

    earnings: int
    expenses: int
    to_state: int
    to_managers: int
    kept: int
    goes_home: bool
    early: bool  # home before his contract is served
    sent_home: bool  # early, by the timeline's repatriation hazard rather than his own


def work_month(worker, t, policy, scenario, monthly_key, may_return=True):
    """Month ``t`` of ``worker`` (USD amounts rounded to cents as they arise):

    - employed unless idle (probability by regime) or the shock is not positive;
      shock ``= 1 + sd * e``, ``e`` the bounded bell draw
    - earnings ``E_t = W * wage_index[t] * shock`` when employed, else 0
    - asked ``a_t = Q * quota_mult + surcharge``, the month's (or his hiring month's, see
      :func:`quota_terms_at_hiring`)
    - payment ``P_t = min(a_t + arrears, max(E_t - X, 0))``; arrears become ``a_t + arrears - P_t``
    - to managers ``phi * P_t`` (to the cent, half up), to the state ``P_t`` less that
    - kept ``E_t - X - P_t``, added to savings
    - after the month he goes home if his contract is served, or else with probability
      :func:`return_hazard` (never when not ``may_return``: the months a worker met at month 0
      is known to have stayed); going home early with ``u_return`` at or above his own hazard,
      he was sent home by the policy (the policy's part of the combined hazard)
    """
    # the month's draws: counters 2t and 2t + 1 of the slot's monthly stream
    u_return, u_idle = uniform_pair(bits(monthly_key, 2 * t))
    shock = 1.0 + scenario.wages.monthly_shock_sd * bell(bits(monthly_key, 2 * t + 1))
    employed = u_idle >= worker.idle_probability_per_month and shock > 0.0
    earnings = cents(worker.earning_capacity_usd_per_month * policy.wage_index * shock) if employed else 0
    expenses = cents(worker.expenses_usd_per_month)
    multiplier, surcharge = worker.quota_terms or (policy.quota_multiplier, policy.quota_surcharge_usd_per_month)
    asked = cents(worker.quota_usd_per_month * multiplier + surcharge)
    due = asked + worker.arrears_cents
    paid = min(due, max(earnings - expenses, 0))
    to_managers = math.floor(worker.skim_share * paid + 0.5)
    to_state = paid - to_managers
    worker.arrears_cents = due - paid
    worker.due_cents += asked
    worker.gross_cents += earnings
    worker.expenses_cents += expenses
    worker.to_state_cents += to_state
    worker.to_managers_cents += to_managers
    served = t + 1 - worker.hire_month >= worker.contract_months
    goes_home = may_return and (served or u_return < return_hazard(worker, policy))
    early = goes_home and not served
    return Month(earnings=earnings, expenses=expenses, to_state=to_state, to_managers=to_managers,
                 kept=earnings - expenses - paid, goes_home=goes_home, early=early,
                 sent_home=early and u_return >= 1.0 - (1.0 - worker.early_return_hazard_per_month))


def collect_arrears(worker, scenario):
    """At return, under ``return.arrears_at_return = "deducted"``, the arrears ``A`` are paid from
    savings like any payment: ``phi * A`` (to the cent) to managers, the rest to the state;
    "forgiven": nobody is paid. Returns (to state, to managers) in cents."""
    if scenario.return_.arrears_at_return != "deducted":
        return 0, 0
    arrears = worker.arrears_cents
    to_managers = math.floor(worker.skim_share * arrears + 0.5)
    worker.to_state_cents += arrears - to_managers
    worker.to_managers_cents += to_managers
    worker.arrears_collected_cents = arrears
    return arrears - to_managers, to_managers


@dataclass(frozen=True)
class Outcome:
    """A returned hire's household outcome; the fields are the columns of ``sim.layout.CELL_TOTALS``
    (amounts in cents, per month where a rate)."""

    workers: int
    completed: bool
    worse_off: bool
    months_served: int
    contract_months: int
    bribe_usd: int
    quota_usd_per_month: int
    home_wage_usd_per_month: int
    gross_earnings_usd: int
    to_state_usd: int
    to_managers_usd: int
    expenses_usd: int
    kept_usd: int
    arrears_at_return_usd: int
    cash_home_usd: int
    net_gain_usd: int
    kept_usd_per_month: int
    cash_home_completed_usd: int
    stay_home_earnings_usd: int
    quota_due_usd: int
    arrears_collected_usd: int


def settle(worker, last_month, scenario):
    """A hire's accounts at return, after ``last_month`` (arrears already collected):

    - months abroad ``n = last_month + 1 - hire month``; savings ``S = gross - expenses - to state
      - to managers``
    - loan repayment ``B (1 + r)^n`` if he borrowed the bribe; travel cost drawn now
    - cash brought home ``C = S - loan repayment - travel``
    - counterfactual ``H = n h``; net gain ``G = C - H - B`` (``- B`` only if not borrowed: a loan
      was repaid from savings)
    - kept per month ``S / n``; average contribution asked ``due / n``; worse off if ``G < 0``
    """
    months = last_month + 1 - worker.hire_month
    savings = worker.gross_cents - worker.expenses_cents - worker.to_state_cents - worker.to_managers_cents
    bribe = cents(worker.bribe_usd)
    rate = scenario.bribe_finance.interest_rate_per_month
    loan = cents(worker.bribe_usd * int_power(1.0 + rate, months)) if worker.borrowed else 0
    travel = cents(sample(scenario.return_.travel_cost_usd, worker.key, TRAVEL))
    cash = savings - loan - travel
    stay_home = cents(months * worker.home_wage_usd_per_month)
    net_gain = cash - stay_home - (0 if worker.borrowed else bribe)
    completed = months >= worker.contract_months
    return Outcome(
        workers=1, completed=completed, worse_off=net_gain < 0, months_served=months,
        contract_months=worker.contract_months, bribe_usd=bribe,
        quota_usd_per_month=cents(worker.due_cents / 100.0 / months),
        home_wage_usd_per_month=cents(worker.home_wage_usd_per_month), gross_earnings_usd=worker.gross_cents,
        to_state_usd=worker.to_state_cents, to_managers_usd=worker.to_managers_cents,
        expenses_usd=worker.expenses_cents, kept_usd=savings, arrears_at_return_usd=worker.arrears_cents,
        cash_home_usd=cash, net_gain_usd=net_gain, kept_usd_per_month=cents(savings / 100.0 / months),
        cash_home_completed_usd=cash if completed else 0, stay_home_earnings_usd=stay_home,
        quota_due_usd=worker.due_cents, arrears_collected_usd=worker.arrears_collected_cents)

