"""Who goes: a post's destination, a candidate's attributes, his decision, and the workers already
abroad at month 0.

Candidate ``k`` of a slot draws from his own stream (stream ``k + 1`` of the slot, see
:mod:`sim.rng`), each attribute at a fixed counter: the U_ constants (one uniform each) and
the D_ constants (a distributed attribute, two counters each, see :mod:`sim.sampling`). The
post's destination is drawn once, with the first candidate's U_DESTINATION.

The timeline's levers are read at the destination they concern, ``tlm[t, at(TIMELINE.<lever>,
n_dest, n_skill, destination)]``.
"""
import math
from typing import NamedTuple

import numpy as np

from sim import layout as L
from sim import rng
from sim.jit import borrowing, inlined
from sim.packing import DISTS, TIMELINE, VALUES, at
from sim.sampling import COUNTERS_PER_DRAW, draw

U_ARRIVAL, U_ACCEPT, U_DESTINATION, U_SKILL, U_REGIME, U_BORROWED, U_AGE = range(7)
(D_CONTRACT, D_BRIBE, D_HOME_WAGE, D_CAPACITY, D_EXPENSES, D_HAZARD, D_QUOTA_INPUT, D_SKIM,
 D_TRAVEL) = range(7, 7 + 9 * COUNTERS_PER_DRAW, COUNTERS_PER_DRAW)
U_DIVERT = 7 + 9 * COUNTERS_PER_DRAW
"""Counter of the post's uniform (its first candidate's) that decides whether its queues are
diverted (:func:`post_of`, :func:`queue_diverted`)."""
U_COMPLY, U_STATUS = range(U_DIVERT + 1, U_DIVERT + 3)
"""After the D_ ranges, so that no earlier draw moved: whether he complies with a repatriation
order, and the status he takes if not."""
NOT_FORWARD = -1
""":func:`arriving_destination` of a candidate who does not come forward."""
MAX_STEADY_STATE_CANDIDATES = 100_000
"""Candidates a stock-mode slot tries at month 0 before it starts vacant. Each is accepted with
probability at least 1 / longest contract (1 / 1,200 at the least), so the cap is never met in
practice: it only bounds the loop."""


class Candidate(NamedTuple):
    """A candidate's attributes at recruitment; money in USD (per month where a rate), before any
    policy multiplier, but ``expected_gain_usd``, which decides whether he goes."""

    destination: np.int64
    skill: np.int64
    regime: np.int64
    contract_months: np.int64
    bribe_usd: float
    home_wage_usd_per_month: float
    earning_capacity_usd_per_month: float
    expenses_usd_per_month: float
    hazard_per_month: float  # of going home early
    quota_usd_per_month: float  # the planned contribution Q
    skim_share: float
    borrowed: bool
    travel_usd: float  # his travel cost home, paid at return
    expected_gain_usd: float  # of a completed contract, with the hiring month's multipliers


@inlined
def _category_at(values, first, count, u):
    """Index of the category the uniform ``u`` falls into, the cumulative shares being
    ``values[first:first + count]`` (the last one 1)."""
    for i in range(count - 1):
        if u < values[first + i]:
            return i
    return count - 1


@inlined
def post_of(values, n_dest, n_skill, slot):
    """The post ``slot``: (its destination, by the destination shares; its own uniform that decides
    whether its queues are diverted, :func:`queue_diverted`), both from its first candidate's
    stream (U_DESTINATION, U_DIVERT). Every candidate for the post is a candidate for it.
    ``slot``: the slot's :func:`sim.rng.slot_key`."""
    key = rng.stream_of(slot, 1)
    destination = _category_at(values, at(VALUES.destination_cumulative_share, n_dest, n_skill, 0), n_dest,
                               rng.uniform_at(key, U_DESTINATION))
    return destination, rng.uniform_at(key, U_DIVERT)


@inlined
def queue_diverted(tlm, t, n_dest, n_skill, post, post_uniform):
    """Whether the month-``t`` queue of a vacant post at ``post`` is diverted: when the post's own
    uniform (:func:`post_of`) is below ``diversion_share[t, post]``. So a share of the posts, the
    same ones month after month while the share holds, send their would-be migrants to
    ``diversion_to[post]``, and the rest stay vacant while the intake turns candidates away."""
    return post_uniform < tlm[t, at(TIMELINE.diversion_share, n_dest, n_skill, post)]


@inlined
def arriving_destination(tlm, t, n_dest, n_skill, key, post, diverted):
    """Where the candidate ``key`` for a vacant post at ``post`` comes forward in month ``t``, or
    NOT_FORWARD. He comes forward with probability ``intake[t, post]``; in a ``diverted`` queue
    (:func:`queue_diverted`), one the intake turns away comes forward at ``diversion_to[post]``
    instead, as its own candidates do (his arrival uniform below its intake)."""
    u_arrival = rng.uniform_at(key, U_ARRIVAL)
    if u_arrival < tlm[t, at(TIMELINE.intake, n_dest, n_skill, post)]:
        return post
    target = np.int64(tlm[t, at(TIMELINE.diversion_to, n_dest, n_skill, post)])
    if not diverted or target == post or u_arrival >= tlm[t, at(TIMELINE.intake, n_dest, n_skill, target)]:
        return NOT_FORWARD
    return target


@inlined
def draw_candidate(dists, values, n_dest, n_skill, key, destination, tlm, t):
    """A :class:`Candidate`'s attributes at recruitment for ``destination``, from the candidate's
    stream ``key``, under month ``t`` of the timeline ``tlm`` (its free-mover share and skim
    multiplier, and the multipliers his decision reckons with).

    The expected net gain of a completed contract, which decides whether he goes, is reckoned
    with the policy multipliers of his hiring month (a quota hike or a bribe rise deters) and
    counts what the settlement at return will take: the loan's interest over the contract if he
    borrows the bribe, his travel cost home (``travel_usd``, paid at his return), and, where arrears are
    forgiven, the expected arrears he will never pay (docs/model.md, section 2).
    """
    skill = _category_at(values, at(VALUES.skill_cumulative_share, n_dest, n_skill, 0), n_skill,
                         rng.uniform_at(key, U_SKILL))
    free_share = tlm[t, at(TIMELINE.free_mover_share, n_dest, n_skill, destination)]
    regime = L.FREE if rng.uniform_at(key, U_REGIME) < free_share else L.CAMP
    contract = int(draw(dists, at(DISTS.contract_months, n_dest, n_skill, destination), key, D_CONTRACT))
    bribe = draw(dists, at(DISTS.bribe_usd, n_dest, n_skill, destination), key, D_BRIBE)
    home_wage = draw(dists, at(DISTS.home_wage_usd_per_month, n_dest, n_skill, 0), key, D_HOME_WAGE)
    capacity = (
        draw(dists, at(DISTS.earning_capacity_usd_per_month, n_dest, n_skill, destination), key, D_CAPACITY)
        * values[at(VALUES.skill_wage_multiplier, n_dest, n_skill, skill)]
        * values[at(VALUES.regime_earnings_multiplier, n_dest, n_skill, regime)]
    )
    expenses = draw(dists, at(DISTS.expenses_usd_per_month, n_dest, n_skill, regime), key, D_EXPENSES)
    hazard = draw(dists, at(DISTS.early_return_hazard_per_month, n_dest, n_skill, regime), key, D_HAZARD)
    quota_input = draw(dists, at(DISTS.quota_input_usd_per_month, n_dest, n_skill, 0), key, D_QUOTA_INPUT)
    from_retention = values[at(VALUES.quota_from_retention, n_dest, n_skill, 0)] != 0.0
    quota = capacity - expenses - quota_input if from_retention else quota_input
    quota = min(max(quota, values[at(VALUES.quota_floor_usd_per_month, n_dest, n_skill, destination)]),
                values[at(VALUES.quota_cap_usd_per_month, n_dest, n_skill, destination)])
    skim = min(draw(dists, at(DISTS.skim_share, n_dest, n_skill, 0), key, D_SKIM)
               * tlm[t, at(TIMELINE.skim_multiplier, n_dest, n_skill, destination)], 1.0)
    # skim on top: asked Q (1 + phi), managers keep phi / (1 + phi) of each payment (a select, not a branch)
    on_top = 1.0 + skim if values[at(VALUES.skim_on_top, n_dest, n_skill, 0)] != 0.0 else 1.0
    quota = quota * on_top
    skim = skim / on_top
    borrowed = rng.uniform_at(key, U_BORROWED) < values[at(VALUES.borrowed_share, n_dest, n_skill, 0)]
    idle = values[at(VALUES.idle_probability_per_month, n_dest, n_skill, regime)]
    expected_earnings = capacity * tlm[t, at(TIMELINE.wage_index, n_dest, n_skill, destination)] * (1.0 - idle)
    asked = (quota * tlm[t, at(TIMELINE.quota_multiplier, n_dest, n_skill, destination)]
             + tlm[t, at(TIMELINE.quota_surcharge_usd_per_month, n_dest, n_skill, destination)])
    forgiven = 0.0
    if values[at(VALUES.arrears_deducted, n_dest, n_skill, 0)] == 0.0:  # what he cannot pay, he will not owe
        forgiven = contract * max(asked - max(expected_earnings - expenses, 0.0), 0.0)
    interest = values[at(VALUES.interest_rate_per_month, n_dest, n_skill, 0)]
    bribe_multiplier = tlm[t, at(TIMELINE.bribe_multiplier, n_dest, n_skill, destination)]
    bribe_cost = bribe * bribe_multiplier * ((1.0 + interest) ** contract if borrowed else 1.0)
    travel = draw(dists, at(DISTS.travel_cost_usd, n_dest, n_skill, 0), key, D_TRAVEL)
    expected_gain = (contract * (expected_earnings - expenses - asked - home_wage) + forgiven - bribe_cost
                     - travel)
    return Candidate(destination, skill, regime, contract, bribe, home_wage, capacity, expenses, hazard, quota, skim,
                     borrowed, travel, expected_gain)


@inlined
def compliance_uniform(key):
    """The hire's uniform U_COMPLY from his stream ``key``: he complies with a repatriation order
    in a month whose compliance share is above it."""
    return rng.uniform_at(key, U_COMPLY)


@inlined
def draw_status(values, n_dest, n_skill, key):
    """The status (1, 2, ...: those of ``[statuses]`` in scenario order) a worker who does not
    comply takes, by their shares, with his uniform U_STATUS from his stream ``key``."""
    n_status = int(values[at(VALUES.status_count, n_dest, n_skill, 0)])
    u = rng.uniform_at(key, U_STATUS)
    for status in range(n_status - 1):
        if u < values[at(VALUES.status_cumulative_share, n_dest, n_skill, status)]:
            return status + 1
    return n_status


@inlined
def _expected_months(contract, hazard):
    """Expected months served under a constant monthly hazard, checked after each month."""
    if hazard <= 0.0:
        return float(contract)
    return (1.0 - (1.0 - hazard) ** contract) / hazard


@inlined
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


@borrowing
def steady_state_worker(dists, values, n_dest, n_skill, slot, post, post_uniform, tlm):
    """What holds a stock-mode slot (``slot``: its :func:`sim.rng.slot_key`), a post at destination
    ``post`` with its diversion uniform ``post_uniform`` (:func:`post_of`), at month 0: a worker
    drawn from the steady state, or a vacancy.

    The steady state is that of the month-0 timeline (intake and diversion, the multipliers,
    and 1 - repatriation hazard, each at the destination it concerns). A slot's history is a
    sequence of monthly queues of up to K = ``participation.candidates_per_post`` candidates
    while it is vacant (diverted or not, :func:`queue_diverted`), each candidate in turn coming
    forward (or not: :func:`arriving_destination`)
    and going (or not): a queue none of whom goes leaves the slot vacant for one month, the first
    who goes holds it for his months abroad. Month 0 falls in one of these spells with
    probability proportional to its length, so queues are drawn until one is accepted, by its
    last candidate's uniform, with probability (length of its spell) / (longest contract): one
    month for a vacancy, the hire's expected months abroad. An accepted hire's months already
    served come from P(a) ~ (1 - h)^a, a < contract, h his hazard with the timeline's.

    Returns (candidates used, the :class:`Candidate`, months already served), the months -1 for a
    slot vacant at month 0 (also after MAX_STEADY_STATE_CANDIDATES candidates, which only a
    longest contract of thousands of months could need). With K = 1 this is one candidate a month.
    """
    reservation = values[at(VALUES.reservation_gain_usd, n_dest, n_skill, 0)]
    longest = values[at(VALUES.longest_contract_months, n_dest, n_skill, 0)]
    queue = int(values[at(VALUES.candidates_per_post, n_dest, n_skill, 0)])
    candidate = 0
    while True:
        diverted = queue_diverted(tlm, 0, n_dest, n_skill, post, post_uniform)
        for _ in range(queue):  # a month's queue: the first who goes takes the post
            key = rng.stream_of(slot, candidate + 1)
            candidate += 1
            destination = arriving_destination(tlm, 0, n_dest, n_skill, key, post, diverted)
            c = draw_candidate(dists, values, n_dest, n_skill, key, post if destination == NOT_FORWARD else destination,
                               tlm, 0)
            goes = destination != NOT_FORWARD and c.expected_gain_usd >= reservation
            if goes:
                break
        hazard = 1.0 - (1.0 - c.hazard_per_month) * tlm[0, at(TIMELINE.stay, n_dest, n_skill, c.destination)]
        spell = _expected_months(c.contract_months, hazard) if goes else 1.0
        if rng.uniform_at(key, U_ACCEPT) * longest < spell:
            age = _steady_state_age(c.contract_months, hazard, rng.uniform_at(key, U_AGE)) if goes else -1
            return candidate, c, age
        if candidate >= MAX_STEADY_STATE_CANDIDATES:
            return candidate, c, -1
