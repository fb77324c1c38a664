"""Checks of a whole scenario that no single field can make: change points past the horizon,
levers by destination that do not fit its destinations, quota bands upside down, amounts beyond
the engine's money limit, a repatriation order whose non-compliers have no status to take.
:func:`problems` yields each as (key path, message); :func:`sim.validation.validate` reports them
naming the file."""
import math

from sim import schema
from sim.config import Scenario
from sim.schema import MONEY_LIMIT_USD


def problems(scenario: Scenario):
    """(key path, message) for each problem of ``scenario`` as a whole."""
    yield from _beyond_horizon(scenario)
    yield from _timeline_problems(scenario)
    yield from _crossed_quota_bands(scenario)
    yield from _money_beyond_limit(scenario)
    yield from _status_problems(scenario)


def _crossed_quota_bands(scenario: Scenario):
    """(key path, message) for each destination whose planned-contribution floor is above its cap."""
    for name, destination in scenario.destinations.items():
        floor, cap = scenario.quota_band(destination)
        if floor > cap:
            yield (f"destinations.{name}.quota_floor_usd_per_month",
                   f"the quota floor ({floor}) is above the cap ({cap}) for this destination")

def _timeline_problems(scenario: Scenario):
    """(key path, message) for each ``timeline.by_destination`` entry that does not fit the
    destinations: an unknown name, a diversion without a valid target, free movers where the
    destination is confined."""
    names = ", ".join(scenario.destinations)
    for name, table in scenario.timeline.by_destination.items():
        where = f"timeline.by_destination.{name}"
        if name not in scenario.destinations:
            yield where, f"not a destination of this scenario ({names})"
        elif table.diversion_to is not None and table.diversion_to not in set(scenario.destinations) - {name}:
            yield f"{where}.diversion_to", f"{table.diversion_to!r} is not another destination ({names})"
    for name, destination in scenario.destinations.items():
        own = scenario.timeline.by_destination.get(name)
        if scenario.timeline_max("diversion_share", name) > 0.0 and (own is None or own.diversion_to is None):
            path = f"timeline.by_destination.{name}" if own is not None and own.diversion_share is not None \
                else "timeline"
            yield f"{path}.diversion_share", (f"diverts {name}'s candidates, but timeline.by_destination."
                                              f"{name}.diversion_to does not say where")
        if destination.confined and scenario.timeline_max("free_mover_share", name) > 0.0:
            path = f"timeline.by_destination.{name}" if own is not None and own.free_mover_share is not None \
                else "timeline"
            yield f"{path}.free_mover_share", f"{name} is confined: it has no free movers"

def _money_beyond_limit(scenario: Scenario):
    """(key path, message) for each amount a worker could draw, earn, owe or repay in a month
    or at once above MONEY_LIMIT_USD, multipliers, shocks and loan interest included."""
    shock = 1.0 + scenario.wages.monthly_shock_sd * 2.0 * math.sqrt(3.0)
    most = {"skill": max(s.wage_multiplier for s in scenario.skills.values()),
            "regime": max(scenario.regimes.camp.earnings_multiplier, scenario.regimes.free.earnings_multiplier),
            "status": max([1.0, *(s.earnings_multiplier for s in scenario.statuses.values())]),
            "contribution": max([1.0, *(s.contribution_multiplier for s in scenario.statuses.values())])}
    longest = max(d.contract_months.support()[1] for d in scenario.destinations.values())
    growth = (1.0 + scenario.bribe_finance.interest_rate_per_month) ** longest
    reported = set()
    for name, destination in scenario.destinations.items():
        where = f"destinations.{name}."
        bribe = destination.bribe_usd.support()[1] * scenario.timeline_max("bribe_multiplier", name)
        checks = (
            (where + "earning_capacity_usd_per_month", "monthly earnings",
             destination.earning_capacity_usd_per_month.support()[1] * most["skill"] * most["regime"]
             * most["status"]
             * scenario.timeline_max("wage_index", name) * shock,
             "with the largest skill, regime and status multipliers, wage index and wage shock"),
            (where + "bribe_usd" if bribe > MONEY_LIMIT_USD else "bribe_finance.interest_rate_per_month",
             "a loan repayment", bribe * growth,
             f"with the bribe multiplier and {longest:g} months of loan interest"),
            (where + "quota_cap_usd_per_month" if destination.quota_cap_usd_per_month is not None
             else "quota.cap_usd_per_month", "the planned contribution",
             scenario.quota_band(destination)[1] * scenario.timeline_max("quota_multiplier", name) * most["contribution"],
             "with the largest quota and status contribution multipliers"),
        )
        for path, what, amount, how in checks:
            if amount > MONEY_LIMIT_USD and path not in reported:
                reported.add(path)
                yield (path, f"{what} could reach ${amount:,.4g} {how}, above the engine's limit of "
                             f"${MONEY_LIMIT_USD:,.0f} (int64 cents must hold every total exactly)")

def _beyond_horizon(scenario: Scenario):
    """(key path, message) for each timeline change point at or past the horizon."""
    horizon = scenario.simulation.horizon_months
    for where, table in scenario.lever_tables():
        for name, series in table.levers().items():
            last = 0 if isinstance(series, float) else int(series[-1][0])
            if last >= horizon:
                yield f"{where}.{name}", f"change point at month {last} is past the horizon ({horizon} months)"
    for where, table in scenario.lever_tables():
        order = table.repatriation_order
        if order is not None and order.deadline > horizon:
            yield f"{where}.repatriation_order.deadline", f"month {order.deadline} is past the horizon ({horizon} months)"

def _status_problems(scenario: Scenario):
    """(key path, message) for a repatriation order whose non-compliers have no status to take,
    and a status that takes the work permit's name."""
    for where, table in scenario.lever_tables():
        order = table.repatriation_order
        if order is not None and order.compliance_share < 1.0 and not scenario.statuses:
            yield (f"{where}.repatriation_order.compliance_share",
                   f"{order.compliance_share:g} leaves some workers abroad, but there is no [statuses.<name>] "
                   f"table for them to stay on")
    if schema.WORK_PERMIT in scenario.statuses:
        yield f"statuses.{schema.WORK_PERMIT}", "the work permit is status 0 of everyone: name the others"
