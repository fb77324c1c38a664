"""Validating a parsed scenario: dates become months, the schema of :mod:`sim.config` is applied,
and every problem becomes one line naming the file and the dotted key path (a :class:`ConfigError`)."""
import copy

from pydantic import ValidationError

from sim import calendar
from sim import scenario_checks
from sim.config import ConfigError, Scenario


def _location(loc) -> str:
    """Dotted key path from a pydantic error location, without union tags."""
    parts = []
    for item in loc:
        text = str(item)
        if text.startswith(("function-", "tagged-union[")) or text in _DIST_TAGS:
            continue
        parts.append(text)
    return ".".join(parts) if parts else "(top level)"


_DIST_TAGS = {"fixed", "uniform", "triangular", "pert", "lognormal", "discrete_uniform", "float", "list[list[float]]"}


def error_message(item: dict) -> str:
    """The message of one pydantic error, worded for a TOML file's reader."""
    if item["type"] == "extra_forbidden":
        return "unknown key"
    if item["type"] == "missing":
        return "required key is missing"
    return item["msg"].removeprefix("Value error, ")


def problems(error: ValidationError, source: str, overridden: set, set_by: str):
    """One line per distinct pydantic error: ``source: key.path: message``, saying when the key was
    set by an override (``set_by``)."""
    seen = set()
    for item in error.errors():
        message = error_message(item)
        location = _location(item["loc"])
        if any(key == location or key.startswith(location + ".") for key in overridden):
            message += f" (set {set_by})"
        line = f"{source}: {location}: {message}"
        if line not in seen:
            seen.add(line)
            yield line


def dated_months(raw: dict):
    """Replace, in place, each timeline change point given as a date (``["2018-06", 1.3]``), and a
    repatriation order's ``start`` and ``deadline`` given as dates, in ``[timeline]`` and
    ``[timeline.by_destination.<name>]``, by its month after
    ``simulation.start``; yield (key path, message) for each that cannot be."""
    timeline = raw.get("timeline") if isinstance(raw, dict) else None
    if not isinstance(timeline, dict):
        return
    simulation = raw.get("simulation")
    start = simulation.get("start") if isinstance(simulation, dict) else None
    tables = [("timeline", timeline)]
    by_destination = timeline.get("by_destination")
    if isinstance(by_destination, dict):
        tables += [(f"timeline.by_destination.{name}", table) for name, table in by_destination.items()
                   if isinstance(table, dict)]
    for where, table in tables:
        order = table.get("repatriation_order")
        for key in ("start", "deadline") if isinstance(order, dict) else ():
            if isinstance(order.get(key), str):
                try:
                    order[key] = _month_of(order[key], start)
                except ValueError as error:
                    yield f"{where}.repatriation_order.{key}", str(error)
        for name, series in table.items():
            for point in series if isinstance(series, list) else []:
                if not (isinstance(point, list) and point and isinstance(point[0], str)):
                    continue
                try:
                    point[0] = float(_month_of(point[0], start, "change point "))
                except ValueError as error:
                    yield f"{where}.{name}", str(error)


def _month_of(date: str, start, what: str = "") -> int:
    """The month after ``start`` (``simulation.start``, or None) that ``date`` ("YYYY-MM") names;
    ValueError when there is no start or the date is before it."""
    if not isinstance(start, str):
        raise ValueError(f"{what}{date!r} is a date, but simulation.start is not set")
    month = calendar.months_after(start, date)
    if month < 0:
        raise ValueError(f"{what}{date!r} is before simulation.start ({start})")
    return month


def validate(raw: dict, source: str = "<config>", overridden=(), set_by: str = "with --set") -> Scenario:
    """Validate parsed TOML data; raise :class:`ConfigError` naming ``source``.

    ``overridden`` lists the key paths set with ``--set`` (or as ``set_by`` says, e.g. by a
    sweep's design point); their errors say so. Change points
    given as dates become months first (:func:`dated_months`).
    """
    if isinstance(raw, dict) and isinstance(raw.get("timeline"), dict):  # dates become months in a copy
        raw = {**raw, "timeline": copy.deepcopy(raw["timeline"])}
    dates = [f"{source}: {path}: {message}" for path, message in dated_months(raw)]
    if dates:
        raise ConfigError(dates)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(problems(error, source, set(overridden), set_by)) from None
    beyond = [f"{source}: {path}: {message}" for path, message in scenario_checks.problems(scenario)]
    if beyond:
        raise ConfigError(beyond)
    return scenario
