"""A user's own dated figures (``--targets FILE`` or ``calibration.targets_file``), beside the run.

A targets file is TOML, one ``[[target]]`` per observed figure::

    [[target]]
    name = "headcount_mid_2019"
    statistic = "workers_abroad"        # a key of sim.series.STATISTICS
    low = 27_000                        # a range; or value = 30_000 (a point), or value with sd
    high = 33_000                       # (a standard error: the range value +- 1.96 sd)
    date = "2019-06"                    # one month; or dates = ["2019-01", "2019-12"], both included
    source = "a report, page 4"
    kind = "independent"                # the default; input, constrained or tuned (with tuned_by)

The name is optional (default ``statistic@date``). A CSV file (``.csv``) with a header row
naming the same keys, one row per target, is read the same way (an empty cell is a key left
out; a row has a ``date``, not ``dates``). ``sim calibrate`` fits a study's inputs to the same
files (:mod:`sim.observed`), reading a range as a 95% range.

Each is compared with the run's monthly series over its months (:func:`sim.series.over_months`)
and reported like a source figure, in ``calibration.csv``, the terminal's evidence line and
``report.html``. Money is in the run's money unit unless the target names its own
(``money_unit``); one in another unit, or with months outside the run, is listed as not compared.
A target is an observation of the world at its dates, so it is compared in a reform run too.
"""
import csv
from pathlib import Path

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim import calendar, labels, series
from sim.calibration import Kind, Ranged, comparison_row, config_path, months_text, read_tables, validate_tables
from sim.config import ConfigError, Scenario

Z95 = 1.959963984540054
"""Half-width of a normal 95% range in standard deviations: a range ``low..high`` has sd (high - low) / (2 Z95)."""


class Target(Ranged):
    """One ``[[target]]``: a range (or ``value``) of a statistic at a date or over a date range."""

    kind: Kind = "independent"
    value: float | None = None
    sd: float | None = Field(default=None, gt=0)
    statistic: str
    date: str | None = None
    dates: list[str] | None = Field(default=None, min_length=2, max_length=2)
    source: str
    measures: str | None = None
    money_unit: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")

    @field_validator("statistic")
    @classmethod
    def _known(cls, statistic):
        if statistic not in series.STATISTICS:
            raise ValueError(f"unknown statistic {statistic!r}; one of {', '.join(series.STATISTICS)}")
        return statistic

    @field_validator("date")
    @classmethod
    def _month(cls, date):
        calendar.parse(date)
        return date

    @field_validator("dates")
    @classmethod
    def _months(cls, dates):
        first, last = dates
        if calendar.months_after(first, last) < 0:
            raise ValueError(f"{last!r} is before {first!r}")
        return dates

    @model_validator(mode="before")
    @classmethod
    def _value_is_a_range(cls, data):
        """``value = v`` stands for ``low = high = v``, and with ``sd = s`` for the 95% range
        ``v -+ Z95 s``; exactly one of the two forms. The name defaults to ``statistic@date``."""
        if not isinstance(data, dict):
            return data
        if ("value" in data) == ("low" in data or "high" in data):
            raise ValueError("give value, or low and high (one of the two)")
        if "sd" in data and "value" not in data:
            raise ValueError("sd goes with value (low and high are already a range)")
        if "name" not in data:
            when = data.get("date") or " to ".join(map(str, data.get("dates") or []))
            data = {**data, "name": f"{data.get('statistic')}@{when}"}
        value, sd = data.get("value"), data.get("sd")
        if not isinstance(value, (int, float)):
            return data
        spread = Z95 * sd if isinstance(sd, (int, float)) and sd > 0 else 0.0
        return {**data, "low": value - spread, "high": value + spread}

    @model_validator(mode="after")
    def _one_date(self):
        if (self.date is None) == (self.dates is None):
            raise ValueError("give date = \"YYYY-MM\" or dates = [\"YYYY-MM\", \"YYYY-MM\"], one of them")
        return self

    def months(self) -> tuple[str, str]:
        """First and last month it covers, ``YYYY-MM``."""
        return (self.date, self.date) if self.date else tuple(self.dates)

    def centre_sd(self) -> tuple[float, float]:
        """(value, standard deviation): ``value`` and ``sd`` as given, else the range's middle and
        its width read as a 95% range (sd 0 for a point value given without sd)."""
        if self.value is not None and self.sd is not None:
            return self.value, self.sd
        return (self.low + self.high) / 2, (self.high - self.low) / (2 * Z95)


class TargetsFile(BaseModel):
    """A whole targets file: at least one target."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    target: list[Target] = Field(min_length=1)


NUMBERS = ("value", "sd", "low", "high")
"""Columns of a targets CSV read as numbers."""


def read_csv(path, where: str) -> dict:
    """A targets CSV as the TOML file's data (see the module docstring). ConfigError naming
    ``where`` for an unreadable file or a number that is not one."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise ConfigError([f"{where}: cannot read: {error}"]) from None
    targets = []
    for i, row in enumerate(rows):
        target = {key: value.strip() for key, value in row.items() if key and value and value.strip()}
        for key in set(NUMBERS) & set(target):
            try:
                target[key] = float(target[key])
            except ValueError:
                raise ConfigError([f"{where}: target {i + 1}: {key}: {target[key]!r} is not a number"]) from None
        targets.append(target)
    return {"target": targets}


def read_targets(path, where: str) -> list[Target]:
    """The validated targets of the TOML or CSV file at ``path``; ConfigError lines start with ``where``."""
    if str(path).endswith(".csv"):
        return list(validate_tables(read_csv(path, where), where, TargetsFile, "target").target)
    return list(read_tables(Path(path), where, TargetsFile, "target").target)


def load_targets(scenario: Scenario) -> list[Target]:
    """The validated targets of ``calibration.targets_file`` (none when it is not set).

    Raises
    ------
    ConfigError
        With one line per problem, each naming the config file, the ``calibration.targets_file``
        key, the targets file and the target; also when the scenario has no ``simulation.start``.
    """
    path = config_path(scenario, "targets_file")
    if path is None:
        return []
    where = f"{scenario.source_path or '<config>'}: calibration.targets_file: {path}"
    targets = read_targets(path, where)
    if scenario.simulation.start is None:
        raise ConfigError([f"{where}: targets are dated, but the scenario sets no simulation.start "
                           f"(the calendar month of month 0)"])
    return list(targets)


def target_rows(targets: list[Target], scenario: Scenario, monthly: pd.DataFrame) -> list[dict]:
    """One ``calibration.csv`` row per target (see :func:`sim.calibration.comparison_row`).

    Parameters
    ----------
    targets : the validated targets (:func:`load_targets`)
    scenario : the scenario run (its start, horizon and money unit)
    monthly : DataFrame, the run's monthly series (``monthly.parquet``)
    """
    horizon = scenario.simulation.horizon_months
    run_unit = scenario.simulation.money_unit
    start = scenario.simulation.start
    rows = []
    for target in targets:
        how = series.STATISTICS[target.statistic]
        money = target.money_unit or run_unit
        first, last = (calendar.months_after(start, month) for month in target.months())
        reason, value = None, None
        if labels.money_unit_of(how.unit) is not None and money != run_unit:
            reason = f"not compared: target in {money}, run in {run_unit}"
        elif first < 0 or last >= horizon:
            reason = f"not compared: outside the run ({months_text(scenario, 0, horizon - 1)})"
        else:
            value = series.over_months(monthly, target.statistic, first, last)
        over = target.date or " to ".join(target.dates)
        rows.append(comparison_row(
            target.name, target.kind, target.low, target.high, value, reason, tuned_by=target.tuned_by,
            period=scenario.simulation.period, statistic=target.statistic,
            unit=labels.in_unit(how.unit, money), compared_over=over,
            measures=target.measures or how.description, citation=target.source))
    return rows
