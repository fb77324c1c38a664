"""Compile a validated scenario into the plain arrays and scalars the kernel reads.

Distributions become float64 rows (see :mod:`sim.sampling`); categorical
shares become cumulative arrays; the policy timeline becomes one float64 array
per series, of length ``horizon_months``. Nothing here is random.
"""
from typing import NamedTuple

import numpy as np

from sim import schema
from sim.config import LEVER_NAMES, Scenario
from sim.layout import REGIMES


KernelParams = NamedTuple("KernelParams", [(p.name, object) for p in schema.PARAMS])
KernelParams.__doc__ = """The kernel's parameters, one field per row of :data:`sim.schema.PARAMS` (same names,
same order). A field varying by destination, skill or regime is an array with one entry per
name (a float, or a compiled distribution row of :data:`sim.sampling.DIST_WIDTH` floats: (D, .));
a shared one a float, a bool (a flag) or one distribution row."""


TimelineArrays = NamedTuple("TimelineArrays", [(name, np.ndarray) for name in LEVER_NAMES + schema.TIMELINE_EXTRAS])
TimelineArrays.__doc__ = """The policy timeline: one float64 array (horizon_months, destinations) per lever of
:data:`sim.schema.LEVERS` (same names, same order; see each one's description), then
:data:`sim.schema.TIMELINE_EXTRAS`: ``diversion_to``, the index of each destination's diversion target (its
own where it has none)."""


def _cumulative(shares):
    cumulative = np.cumsum(np.asarray(shares, dtype=np.float64))
    cumulative[-1] = 1.0
    return cumulative


def _monthly(series, horizon_months: int) -> np.ndarray:
    """A constant or change points as one value a month (horizon_months,)."""
    values = np.empty(horizon_months)
    points = [(0, series)] if isinstance(series, float) else series
    for index, (month, value) in enumerate(points):
        end = int(points[index + 1][0]) if index + 1 < len(points) else horizon_months
        values[int(month) : end] = value
    return values


def compile_timeline(scenario: Scenario) -> TimelineArrays:
    """Expand each lever at each destination (:meth:`sim.config.Scenario.lever_series`) into
    monthly arrays, (horizon_months, destinations)."""
    horizon = scenario.simulation.horizon_months
    names = list(scenario.destinations)
    arrays = {lever: np.stack([_monthly(scenario.lever_series(name, lever), horizon) for name in names], axis=1)
              for lever in LEVER_NAMES}
    targets = [scenario.timeline.by_destination.get(name) for name in names]
    arrays["diversion_to"] = np.tile(
        [float(names.index(t.diversion_to) if t is not None and t.diversion_to else d) for d, t in enumerate(targets)],
        (horizon, 1))
    return TimelineArrays(**arrays)


def _lookup(section, path: str):
    """The value at the dotted ``path`` below ``section`` (a key ``return`` is the field ``return_``)."""
    for part in path.split("."):
        section = getattr(section, part if part in type(section).model_fields else part + "_")
    return section


def _read(scenario: Scenario, param: schema.Param) -> list:
    """The values at ``param``'s key: one per name where the key has a placeholder (destinations
    and skills in scenario order, regimes in kernel order), else one; the ``default`` key's
    value where it is unset."""
    for placeholder in schema.PLACEHOLDERS.values():
        head, found, tail = param.path.partition(f".{placeholder}.")
        if found:
            named = _lookup(scenario, head)
            sections = named.values() if isinstance(named, dict) else [getattr(named, name) for name in REGIMES]
            entries = [_lookup(section, tail) for section in sections]
            break
    else:
        entries = [_lookup(scenario, param.path)]
    return [_lookup(scenario, param.default) if entry is None else entry for entry in entries]


def _compile(param: schema.Param, entries: list):
    """The kernel's form of ``param``'s ``entries`` (see :class:`sim.schema.Param` for the kinds)."""
    if param.kind == "distribution":
        return np.stack([entry.compile() for entry in entries]) if param.axis != "shared" else entries[0].compile()
    if param.kind == "cumulative":
        return _cumulative(entries)
    if param.kind == "flag":
        return entries[0] == param.equals
    if param.kind == "longest":
        return int(max(entry.support()[1] for entry in entries))
    return np.array(entries, dtype=np.float64) if param.axis != "shared" else entries[0]


def compile_params(scenario: Scenario) -> KernelParams:
    """Build the kernel's parameter tuple from a validated scenario, row by row of the model table."""
    return KernelParams(*(_compile(param, _read(scenario, param)) for param in schema.PARAMS))
