"""The source figures in ``seeds/`` beside the simulated values they describe."""
import math
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import layout as L
from sim.config import ConfigError, Scenario, error_message
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
RUN_STATISTICS = ("workers_active_mean", "state_revenue_usd_per_year")
"""Statistics read from the run summary; they cover every destination together."""
COLUMNS = ["name", "kind", "tuned_by", "period", "destination", "statistic", "unit", "low", "high", "simulated",
           "status", "in_range", "measures", "citation"]
KINDS = {
    "input": "a config value read back",
    "constrained": "in range by construction",
    "tuned": "a parameter was set to hit it (tuned_by names it)",
    "independent": "nothing was set from it: evidence",
}
"""What each kind of source figure is, and so whether being in range is evidence."""


PROJECT_SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "figures.toml"
"""The source figures of the project, used unless a config names others."""


def seeds_path(scenario: Scenario) -> Path:
    """Where the scenario's source figures are: ``calibration.seeds_file`` (relative to the config
    that set it: :mod:`sim.scenario_file` makes a base's path absolute), else PROJECT_SEEDS."""
    if scenario.calibration.seeds_file is None:
        return PROJECT_SEEDS
    base = scenario.source_path.parent if scenario.source_path else Path.cwd()
    return (base / scenario.calibration.seeds_file).resolve()


class Figure(BaseModel):
    """One ``[[figure]]`` of a seeds file: a range the source reports (see ``seeds/README.md``)."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    name: str
    kind: Literal["input", "constrained", "tuned", "independent"]
    tuned_by: str | None = None
    low: float
    high: float
    unit: str | None = None
    period: str | None = None
    measures: str | None = None
    destination: str | None = None
    all_destinations: bool = False  # about every worker abroad, wherever he works
    statistic: str | None = None

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        if (self.kind == "tuned") != (self.tuned_by is not None):
            raise ValueError("a tuned figure names the parameter set to hit it (tuned_by), and only a tuned one")
        return self


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
    data = read_toml(path, where)
    try:
        seeds = SeedsFile.model_validate(data)
    except ValidationError as error:
        raise ConfigError(f"{where}: {_figure_location(item['loc'], data)}: {_seeds_message(item)}"
                          for item in error.errors()) from None
    return [figure.model_dump() for figure in seeds.figure], seeds.source.citation


SEEDS_MESSAGES = {
    "list_type": "must be an array of tables ([[figure]])",
    "model_type": "must be a table",
    "too_short": "the file needs at least one [[figure]] table",
}
"""Messages for the pydantic error types a seeds file commonly meets."""


def _seeds_message(item: dict) -> str:
    if item["loc"] == ("figure",) and item["type"] == "missing":
        return SEEDS_MESSAGES["too_short"]
    return SEEDS_MESSAGES.get(item["type"]) or error_message(item)


def _figure_location(loc: tuple, data: dict) -> str:
    """Where an error lies: ``figure 3 ('bribe_russia'): low`` (counting from 1), or a dotted key."""
    if len(loc) < 2 or loc[0] != "figure" or not isinstance(loc[1], int):
        return ".".join(map(str, loc)) or "(top level)"
    entry = data["figure"][loc[1]]
    name = entry.get("name") if isinstance(entry, dict) else None
    label = f"figure {loc[1] + 1}" + (f" ({name!r})" if isinstance(name, str) else "")
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


def calibration_frame(figures, citation, scenario, cell_totals, summary) -> pd.DataFrame:
    """One row per source figure: its kind, its range, the simulated value, and whether it is in range.

    Only present-day figures with a statistic are compared; the others are
    listed with the reason they are not. Being in range is evidence only for an
    ``independent`` figure (:data:`KINDS`, :func:`evidence_line`).
    """
    rows = []
    source_destinations = {figure["destination"] for figure in figures if figure.get("destination")}
    for figure in figures:
        statistic = figure.get("statistic")
        destination = figure.get("destination")
        simulated, reason = math.nan, None
        if figure.get("period") != "present":
            reason = f"not compared: {figure.get('period')} period"
        elif statistic is None:
            reason = "not compared: no simulated counterpart"
        else:
            covers = source_destinations if figure.get("all_destinations") else ()
            value, reason = _statistic(statistic, destination, scenario, cell_totals, summary, covers)
            simulated = math.nan if value is None else float(value)
        low, high = float(figure["low"]), float(figure["high"])
        in_range = reason is None and low <= simulated <= high
        rows.append({
            "name": figure["name"], "kind": figure["kind"], "tuned_by": figure.get("tuned_by"),
            "period": figure.get("period"), "destination": destination,
            "statistic": statistic, "unit": figure.get("unit"), "low": low, "high": high,
            "simulated": simulated,
            "status": reason or ("in range" if in_range else "out of range"),
            "in_range": in_range if reason is None else None,
            "measures": figure.get("measures"), "citation": citation,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def evidence_line(calibration: pd.DataFrame) -> str:
    """What the comparison shows, counting as evidence only the independent figures, e.g.
    ``'1 independent figure in range of 1; 2 tuned in range of 2; 5 inputs and constraints echoed'``."""
    compared = calibration[calibration["status"].isin(["in range", "out of range"])]
    in_range = compared["status"] == "in range"

    def count(kinds):
        chosen = compared["kind"].isin(kinds)
        return int((chosen & in_range).sum()), int(chosen.sum())

    independent, tuned, echoed = count(["independent"]), count(["tuned"]), count(["input", "constrained"])
    figures = "figure" if independent[1] == 1 else "figures"
    return (f"{independent[0]} independent {figures} in range of {independent[1]}; "
            f"{tuned[0]} tuned in range of {tuned[1]}; {echoed[1]} inputs and constraints echoed")
