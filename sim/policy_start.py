"""Where a policy starts: the first month in which a scenario's timeline changes, or in which a
policy simulates something other than its base. A reform run is scored against present-day
figures only before it (:mod:`sim.calibration`); a comparison counts effects from it
(:mod:`sim.comparison`)."""
import itertools

import numpy as np

from sim.config import LEVER_NAMES, Scenario
from sim.params import compile_timeline

ACTING = (*LEVER_NAMES, "compliance_share")
"""Columns of :class:`sim.params.TimelineArrays` that act on the simulation (a repatriation order is
compiled into them); a diversion target acts only through ``diversion_share``."""
RUN_ONLY = {"simulation": ("seed", "workers", "start")}
"""Keys that say how a scenario is run or labelled, not what it simulates: a difference in them
is no policy (the seed and workers are the comparison's, the start only names months)."""
QUOTA_LEVERS = ("quota_multiplier", "quota_surcharge_usd_per_month")
"""The levers whose reach ``quota.policy_applies_to`` sets."""


def reform_start(scenario: Scenario) -> int | None:
    """The first month after month 0 in which a timeline lever changes value or a repatriation
    order starts (a reform starts); None when every lever keeps its month-0 value throughout and
    there is no order."""
    timeline = compile_timeline(scenario)
    changes = np.zeros(scenario.simulation.horizon_months, bool)
    for lever in ACTING:
        monthly = getattr(timeline, lever)
        changes |= (monthly != monthly[0]).any(axis=1)
    return int(np.argmax(changes)) if changes.any() else None


def policy_start_month(policy: Scenario, base: Scenario) -> int | None:
    """First month in which ``policy`` simulates something other than ``base``; None if nothing differs.

    Month 0 when any key outside the timeline differs (the bribe, the skim, ...: these act from
    the start), else the first month in which a timeline lever takes another value. Whom the quota
    levers reach (``quota.policy_applies_to``) matters from the first month they leave their
    month-0 values, in either scenario; statuses act only on those who defy a repatriation order:
    where they differ, from the first month with a compliance share below 1.
    """
    if _simulated(policy) != _simulated(base):
        return 0
    horizon = policy.simulation.horizon_months
    differs = np.zeros(horizon, bool)
    ours, theirs = compile_timeline(policy), compile_timeline(base)
    for lever in ACTING:
        differs |= (getattr(ours, lever) != getattr(theirs, lever)).any(axis=1)
    if policy.quota.policy_applies_to != base.quota.policy_applies_to:
        for timeline, lever in itertools.product((ours, theirs), QUOTA_LEVERS):
            monthly = getattr(timeline, lever)
            differs |= (monthly != monthly[0]).any(axis=1)
    if policy.statuses != base.statuses:
        differs |= ((ours.compliance_share < 1.0) | (theirs.compliance_share < 1.0)).any(axis=1)
    return int(np.argmax(differs)) if differs.any() else None


def _simulated(scenario: Scenario) -> dict:
    """The scenario's keys that decide what is simulated, outside the timeline."""
    data = scenario.to_toml_dict()
    for table in ("timeline", "calibration", "statuses"):
        data.pop(table, None)
    for table, keys in {**RUN_ONLY, "quota": ("policy_applies_to",)}.items():  # its reach: see policy_start_month
        data[table] = {key: value for key, value in data[table].items() if key not in keys}
    return data
