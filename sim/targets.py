"""A user's own dated figures (``--targets FILE`` or ``calibration.targets_file``), beside the run.

A targets file is TOML, one ``[[target]]`` per observed figure::

    [[target]]
    name = "headcount_mid_2019"
    statistic = "workers_abroad"        # a key of sim.series.STATISTICS
    low = 27_000                        # or value = 30_000
    high = 33_000
    date = "2019-06"                    # one month; or dates = ["2019-01", "2019-12"], both included
    source = "a report, page 4"
    kind = "independent"                # the default; input, constrained or tuned (with tuned_by)

Each is compared with the run's monthly series over its months (:func:`sim.series.over_months`)
and reported like a source figure, in ``calibration.csv``, the terminal's evidence line and
``report.html``. Money is in the run's money unit unless the target names its own
(``money_unit``); one in another unit, or with months outside the run, is listed as not compared.
A target is an observation of the world at its dates, so it is compared in a reform run too.
"""
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sim import calendar, labels, series
from sim.calibration import Kind, Ranged, comparison_row, config_path, months_text, read_tables
from sim.config import ConfigError, Scenario


class Target(Ranged):
    """One ``[[target]]``: a range (or ``value``) of a statistic at a date or over a date range."""

    kind: Kind = "independent"
    value: float | None = None
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
        """``value = v`` stands for ``low = high = v``; exactly one of the two forms."""
        if not isinstance(data, dict):
            return data
        if ("value" in data) == ("low" in data or "high" in data):
            raise ValueError("give value, or low and high (one of the two)")
        return {**data, "low": data["value"], "high": data["value"]} if "value" in data else data

    @model_validator(mode="after")
    def _one_date(self):
        if (self.date is None) == (self.dates is None):
            raise ValueError("give date = \"YYYY-MM\" or dates = [\"YYYY-MM\", \"YYYY-MM\"], one of them")
        return self

    def months(self) -> tuple[str, str]:
        """First and last month it covers, ``YYYY-MM``."""
        return (self.date, self.date) if self.date else tuple(self.dates)


class TargetsFile(BaseModel):
    """A whole targets file: at least one target."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    target: list[Target] = Field(min_length=1)


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
    targets = read_tables(path, where, TargetsFile, "target").target
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
