"""The source figures in ``seeds/`` beside the simulated values they describe.

Each figure has a kind (:data:`KINDS`), which says whether being in range is evidence. A figure is
compared only with a run of its era (``period``, ``simulation.period``) and money unit (its
``unit``, ``simulation.money_unit``); in a reform run (:func:`sim.policy_start.reform_start`) only over the months
before the change, or not at all. A user's dated targets (:mod:`sim.targets`) share the rows'
form (:func:`comparison_row`) and the file reading (:func:`read_tables`).
"""
import math
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import calendar, labels, series
from sim import layout as L
from sim.config import ConfigError, Scenario
from sim.policy_start import reform_start
from sim.validation import error_message
from sim.scenario_file import read_toml

CELL_MEANS = {
    "bribe_usd_mean": (L.C.bribe_usd, L.C.workers, 100.0),
    "quota_usd_per_month_mean": (L.C.quota_usd_per_month, L.C.workers, 100.0),
    "kept_usd_per_month_mean": (L.C.kept_usd_per_month, L.C.workers, 100.0),
    "home_wage_usd_per_month_mean": (L.C.home_wage_usd_per_month, L.C.workers, 100.0),
    "cash_home_completed_usd_mean": (L.C.cash_home_completed_usd, L.C.completed, 100.0),
    "contract_months_mean": (L.C.contract_months, L.C.workers, 1.0),
}
"""Statistic -> (cell-total numerator, denominator, divisor): means over the run's returned hires."""
RUN_STATISTICS = {"workers_active_mean": "workers_abroad", "state_revenue_usd_per_year": "state_revenue"}
"""Statistics read from the run summary (they cover every destination together) -> the same
statistic of the monthly series (:data:`sim.series.STATISTICS`), read over part of a run."""
COLUMNS = ["name", "kind", "tuned_by", "period", "destination", "statistic", "unit", "low", "high", "simulated",
           "status", "in_range", "compared_over", "measures", "citation"]
KINDS = {
    "input": "a config value read back",
    "constrained": "in range by construction",
    "tuned": "a parameter was set to hit it (tuned_by names it)",
    "independent": "nothing was set from it: evidence",
}
"""What each kind of source figure is, and so whether being in range is evidence."""


PROJECT_SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "figures.toml"
"""The source figures of the project, used unless a config names others."""


def config_path(scenario: Scenario, name: str) -> Path | None:
    """The file the ``calibration.<name>`` key names (relative to the config that set it:
    :mod:`sim.scenario_file` makes a base's path absolute), None when the key is not set."""
    value = getattr(scenario.calibration, name)
    if value is None:
        return None
    base = scenario.source_path.parent if scenario.source_path else Path.cwd()
    return (base / value).resolve()


def seeds_path(scenario: Scenario) -> Path:
    """Where the scenario's source figures are: ``calibration.seeds_file``, else PROJECT_SEEDS."""
    return config_path(scenario, "seeds_file") or PROJECT_SEEDS


Kind = Literal["input", "constrained", "tuned", "independent"]
"""What being in range shows (:data:`KINDS`)."""


class Ranged(BaseModel):
    """A range a figure lies in, and its kind: what being in range shows (:data:`KINDS`)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    name: str
    kind: Kind
    tuned_by: str | None = None
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if (self.kind == "tuned") != (self.tuned_by is not None):
            raise ValueError("a tuned figure names the parameter set to hit it (tuned_by), and only a tuned one")
        return self


class Figure(Ranged):
    """One ``[[figure]]`` of a seeds file: a range the source reports (see ``seeds/README.md``)."""

    unit: str | None = None
    period: str | None = None
    measures: str | None = None
    destination: str | None = None
    all_destinations: bool = False  # about every worker abroad, wherever he works
    statistic: str | None = None


class Source(BaseModel):
    """The ``[source]`` table: who reported the figures; any other key is kept as written."""

    model_config = ConfigDict(strict=True, extra="allow", frozen=True)

    citation: str = ""


class SeedsFile(BaseModel):
    """A whole seeds file: its source and at least one figure."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    source: Source = Source()
    figure: list[Figure] = Field(min_length=1)


def load_figures(scenario: Scenario) -> tuple[list[dict], str]:
    """The validated figures and the citation of the source.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the config file, the
        ``calibration.seeds_file`` key, the seeds file and the figure.
    """
    path = seeds_path(scenario)
    where = f"{scenario.source_path or '<config>'}: calibration.seeds_file: {path}"
    seeds = read_tables(path, where, SeedsFile, "figure")
    return [figure.model_dump() for figure in seeds.figure], seeds.source.citation


def read_tables(path: Path, where: str, model: type[BaseModel], table: str):
    """The TOML file at ``path`` validated as ``model``, whose ``table`` is an array of tables
    (``[[figure]]``); a ConfigError with one line per problem, each starting with ``where`` and
    naming the entry (``figure 3 ('bribe_russia'): low``)."""
    return validate_tables(read_toml(path, where), where, model, table)


def validate_tables(data: dict, where: str, model: type[BaseModel], table: str):
    """``data`` (a file's contents) validated as ``model``; errors as :func:`read_tables`'s."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{where}: {_location(item['loc'], data, table)}: {_message(item, table)}"
                          for item in error.errors()) from None


def _message(item: dict, table: str) -> str:
    """The message of one validation error of a file of ``[[table]]`` entries."""
    if item["loc"] == (table,) and item["type"] in ("missing", "too_short"):
        return f"the file needs at least one [[{table}]] table"
    if item["type"] == "list_type":
        return f"must be an array of tables ([[{table}]])"
    return "must be a table" if item["type"] == "model_type" else error_message(item)


def _location(loc: tuple, data: dict, table: str) -> str:
    """Where an error lies: ``figure 3 ('bribe_russia'): low`` (counting from 1), or a dotted key."""
    if len(loc) < 2 or loc[0] != table or not isinstance(loc[1], int):
        return ".".join(map(str, loc)) or "(top level)"
    entry = data[table][loc[1]]
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f"{table} {loc[1] + 1}" + (f" ({name!r})" if isinstance(name, str) else "")
    return ": ".join([label, *map(str, loc[2:])])


def _statistic(name, destination, scenario, cell_totals, summary, covers):
    """Simulated value of a statistic, or (None, reason) when it cannot be compared.

    A figure about all workers abroad is compared only with a run that simulates every
    destination the source names (``covers``; empty for any other figure).
    """
    destinations = list(scenario.destinations)
    if destination is not None and destination not in destinations:
        return None, f"not compared: destination {destination!r} not simulated"
    missing = sorted(set(covers) - set(destinations))
    if missing:
        return None, f"not compared: covers all destinations ({', '.join(missing)} not simulated)"
    if name in RUN_STATISTICS:
        if scenario.simulation.mode != "stock":
            return None, "not compared: a cohort is not the standing workforce (use stock mode)"
        if destination is not None and len(destinations) > 1:
            return None, "not compared: the run reports this for all destinations together"
        value = summary[name]
        return (value["mean"] if isinstance(value, dict) else value), None
    if name not in CELL_MEANS:
        return None, f"not compared: unknown statistic {name!r}"
    numerator, denominator, divisor = CELL_MEANS[name]
    cells_per_destination = len(scenario.skills) * len(L.REGIMES)
    if destination is None:
        totals = cell_totals.sum(axis=0)
    else:
        first = destinations.index(destination) * cells_per_destination
        totals = cell_totals[first : first + cells_per_destination].sum(axis=0)
    if totals[denominator] == 0:
        return None, "not compared: no returned hires to measure"
    return totals[numerator] / divisor / totals[denominator], None


PERIODS = {"present": "present-day figure", "soviet": "Soviet-era figure"}
"""How a figure of each period is named when a run of another period does not compare it."""


def month_text(scenario: Scenario, month: int) -> str:
    """A month of the run as a reader names it: its date (``2019-12``) or ``month 24``."""
    start = scenario.simulation.start
    return calendar.date_of(start, month) if start else f"month {month}"


def months_text(scenario: Scenario, first: int, last: int) -> str:
    """A span of months of the run: ``2017-12 to 2019-11``, or ``months 0 to 23`` without dates."""
    if scenario.simulation.start:
        return f"{month_text(scenario, first)} to {month_text(scenario, last)}"
    return f"months {first} to {last}"


def comparison_row(name, kind, low, high, simulated, reason, **fields) -> dict:
    """One row of ``calibration.csv``: ``simulated`` in range of [low, high] unless ``reason``
    (``"not compared: ..."``) says why it is not compared; ``fields`` fill the other columns."""
    low, high = float(low), float(high)
    simulated = math.nan if reason is not None or simulated is None else float(simulated)
    in_range = reason is None and low <= simulated <= high
    return {column: None for column in COLUMNS} | fields | {
        "name": name, "kind": kind, "low": low, "high": high, "simulated": simulated,
        "status": reason or ("in range" if in_range else "out of range"),
        "in_range": in_range if reason is None else None}


def _comparable(figure: dict, scenario: Scenario) -> str | None:
    """Why ``figure`` cannot be compared with a run of ``scenario`` at all, or None."""
    period, run_period = figure.get("period") or "present", scenario.simulation.period
    if period != run_period:
        return f"not compared: {PERIODS.get(period, period + ' figure')}"
    if figure.get("statistic") is None:
        return "not compared: no simulated counterpart"
    figure_unit, run_unit = labels.money_unit_of(figure.get("unit")), scenario.simulation.money_unit
    if figure_unit not in (None, run_unit):
        return f"not compared: figure in {figure_unit}, run in {run_unit}"
    return None


def calibration_frame(figures, citation, scenario, cell_totals, summary, monthly=None, more_rows=()) -> pd.DataFrame:
    """One row per source figure: its kind, its range, the simulated value, and whether it is in range.

    A figure is compared only with a run of its period and money unit, and only when it has a
    statistic; the others are listed with the reason they are not. In a reform run (a timeline
    lever changes after month 0, :func:`sim.policy_start.reform_start`) a figure about the status quo is compared
    over the months before the change when it is a standing-workforce figure (read from
    ``monthly``, the run's monthly series) and is ``not applicable`` otherwise: returned hires'
    means mix months before and after the change. Being in range is evidence only for an
    ``independent`` figure (:data:`KINDS`, :func:`evidence_line`). ``more_rows`` (a user's
    targets, :func:`sim.targets.target_rows`) follow the source's figures.
    """
    rows = []
    source_destinations = {figure["destination"] for figure in figures if figure.get("destination")}
    reform = reform_start(scenario)
    for figure in figures:
        statistic, destination = figure.get("statistic"), figure.get("destination")
        reason, value, over = _comparable(figure, scenario), None, None
        if reason is None:
            covers = source_destinations if figure.get("all_destinations") else ()
            value, reason = _statistic(statistic, destination, scenario, cell_totals, summary, covers)
            over = "the run"
        if reason is None and reform is not None:
            value, reason, over = _before_policy(statistic, scenario, monthly, reform)
        rows.append(comparison_row(
            figure["name"], figure["kind"], figure["low"], figure["high"], value, reason,
            tuned_by=figure.get("tuned_by"), period=figure.get("period"), destination=destination,
            statistic=statistic, unit=figure.get("unit"), compared_over=over if reason is None else None,
            measures=figure.get("measures"), citation=citation))
    return pd.DataFrame([*rows, *more_rows], columns=COLUMNS)


def _before_policy(statistic: str, scenario: Scenario, monthly, start: int):
    """(value, reason, compared over) of a status-quo figure in a run whose policy changes in month ``start``."""
    if statistic not in RUN_STATISTICS:
        return None, f"not applicable: policy changes from {month_text(scenario, start)}", None
    value = series.over_months(monthly, RUN_STATISTICS[statistic], 0, start - 1)
    return value, None, f"{months_text(scenario, 0, start - 1)}, before the policy"


def evidence_line(calibration: pd.DataFrame) -> str:
    """What the comparison shows, counting as evidence only the independent figures, e.g.
    ``'1 independent figure in range of 1; 2 tuned in range of 2; 5 inputs and constraints echoed'``
    (then how many status-quo figures a reform made not applicable, if any)."""
    compared = calibration[calibration["status"].isin(["in range", "out of range"])]
    in_range = compared["status"] == "in range"

    def count(kinds):
        chosen = compared["kind"].isin(kinds)
        return int((chosen & in_range).sum()), int(chosen.sum())

    independent, tuned, echoed = count(["independent"]), count(["tuned"]), count(["input", "constrained"])
    figures = "figure" if independent[1] == 1 else "figures"
    line = (f"{independent[0]} independent {figures} in range of {independent[1]}; "
            f"{tuned[0]} tuned in range of {tuned[1]}; {echoed[1]} inputs and constraints echoed")
    policy = int(calibration["status"].str.startswith("not applicable: policy").sum())
    return line + (f"; {policy} not applicable after the policy change" if policy else "")
