"""What a calibration fits: observed figures with their uncertainty, and how a run gives each.

Two kinds of target, each a number with a standard deviation (sd):

- an **observed series** from a TOML file, one ``[[target]]`` per observation at a date (or a
  CSV file with a header row naming the same keys, one row per observation)::

      [[target]]
      name = "abroad_2020_06"          # optional; default: statistic@date
      statistic = "workers_abroad"     # a key of STATISTICS
      date = "2020-06"                 # a month, counted from the base's simulation.start
      value = 21_400
      sd = 300                         # or low and high, a 95% range (sd = (high - low) / 3.92)

- a **source figure** of the base's seeds file (``seeds/figures.toml``) by name: its range is
  read as a 95% range, its centre as the value.

A statistic at a date is read from the run's monthly series (real-world scale); a source figure
from the run summary (:data:`FIGURE_OUTPUTS`).
"""
import csv
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import calendar
from sim.config import ConfigError, Scenario, error_message
from sim.scenario_file import read_toml

Z95 = 1.959963984540054
"""Half-width of a normal 95% range in standard deviations: a range ``low..high`` has sd (high - low) / (2 Z95)."""
STATISTICS = {
    "workers_abroad": ("workers_active", 1.0),
    "hires": ("hires", 1.0),
    "returns": ("returns", 1.0),
    "state_revenue": ("to_state_usd", 12.0),
    "manager_skim": ("to_managers_usd", 12.0),
}
"""Statistic -> (monthly series, factor): its value in a month is the series times the factor
(workers abroad that month; hires or returns that month; money flows per year at that month's rate)."""
FIGURE_OUTPUTS = {
    "state_revenue_usd_per_year": "state_revenue_usd_per_year",
    "workers_active_mean": "workers_active_mean",
    "kept_usd_per_month_mean": "kept_usd_per_month.mean",
}
"""Statistic of a seeds figure -> the run summary's output that measures it."""


class Target(NamedTuple):
    """One moment to fit: ``value`` (with standard deviation ``sd``) against ``output`` (a run
    summary figure) or ``series`` at ``month`` (times ``factor``)."""

    name: str
    value: float
    sd: float
    output: str | None = None
    series: str | None = None
    month: int | None = None
    factor: float = 1.0
    date: str | None = None

    def simulated(self, outputs: dict) -> float:
        """The run's value of this target, from a point model's outputs."""
        if self.output is not None:
            return float(outputs[self.output])
        return float(outputs[self.series][self.month]) * self.factor


class Observation(BaseModel):
    """One ``[[target]]`` of an observed series file."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    name: str | None = None
    statistic: str
    date: str
    value: float | None = None
    sd: float | None = Field(default=None, gt=0)
    low: float | None = None
    high: float | None = None
    source: str | None = None

    @model_validator(mode="after")
    def _one_form(self):
        if self.statistic not in STATISTICS:
            raise ValueError(f"statistic: unknown {self.statistic!r}; one of {', '.join(STATISTICS)}")
        calendar.parse(self.date)
        ranged = self.low is not None or self.high is not None
        if ranged == (self.value is not None or self.sd is not None):
            raise ValueError("give value and sd, or low and high (a 95% range), one of the two")
        if ranged and not (self.low is not None and self.high is not None and self.low < self.high):
            raise ValueError("low and high: both needed, low below high")
        if not ranged and (self.value is None or self.sd is None):
            raise ValueError("value and sd: both needed")
        return self

    def centre_sd(self) -> tuple[float, float]:
        """(value, sd) of the observation."""
        if self.value is not None:
            return self.value, self.sd
        return (self.low + self.high) / 2, (self.high - self.low) / (2 * Z95)


class ObservedFile(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    target: list[Observation] = Field(min_length=1)


def _series_target(item: Observation, base: Scenario, where: str) -> Target:
    start = base.simulation.start
    if start is None:
        raise ConfigError([f"{where}: date {item.date!r}: the base scenario has no simulation.start to count from"])
    month = calendar.months_after(start, item.date)
    horizon = base.simulation.horizon_months
    if not 0 <= month < horizon:
        raise ConfigError([f"{where}: date {item.date!r} is outside the run ({start} to "
                           f"{calendar.date_of(start, horizon - 1)})"])
    series, factor = STATISTICS[item.statistic]
    value, sd = item.centre_sd()
    return Target(item.name or f"{item.statistic}@{item.date}", value, sd, series=series, month=month,
                  factor=factor, date=item.date)


NUMBERS = ("value", "sd", "low", "high")
"""Columns of an observed series CSV read as numbers."""


def read_csv(path, where: str) -> dict:
    """An observed series CSV (a header row naming the keys of a ``[[target]]``: date, statistic,
    value and sd, or low and high; name and source optional) as the TOML file's data; an empty
    cell is a key left out. ConfigError naming ``where`` for an unreadable file or a number that
    is not one."""
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
                raise ConfigError([f"{where}: target.{i + 1}.{key}: {target[key]!r} is not a number"]) from None
        targets.append(target)
    return {"target": targets}


def series_targets(path, base: Scenario, where: str) -> list[Target]:
    """The targets of an observed series file at ``path``; ``where`` names the key that gave it.

    Raises
    ------
    ConfigError
        One line per problem, naming ``where``, the file and the target (counting from 1).
    """
    where = f"{where}: {path}"
    data = read_csv(path, where) if str(path).endswith(".csv") else read_toml(path, where)
    try:
        observed = ObservedFile.model_validate(data)
    except ValidationError as error:
        raise ConfigError([f"{where}: {'.'.join(str(part + 1) if isinstance(part, int) else part for part in item['loc'])}"
                           f": {error_message(item)}" for item in error.errors()]) from None
    return [_series_target(item, base, f"{where}: target {i + 1}") for i, item in enumerate(observed.target)]


def figure_targets(names: list[str], base: Scenario, where: str) -> list[Target]:
    """Targets from the base's source figures named ``names`` (their range read as 95%)."""
    from sim.calibration import load_figures

    figures = {figure["name"]: figure for figure in load_figures(base)[0]}
    targets = []
    for name in names:
        figure = figures.get(name)
        if figure is None:
            raise ConfigError([f"{where}: {name!r} is not a figure of the seeds file; one of {', '.join(figures)}"])
        output = FIGURE_OUTPUTS.get(figure.get("statistic"))
        if output is None or figure["low"] == figure["high"]:
            raise ConfigError([f"{where}: {name!r} cannot be fitted: it needs a range and a statistic of "
                               f"{', '.join(FIGURE_OUTPUTS)}"])
        destination = figure.get("destination")
        if destination is not None and list(base.destinations) != [destination]:
            raise ConfigError([f"{where}: {name!r} is about {destination}; the base must simulate it alone"])
        low, high = figure["low"], figure["high"]
        targets.append(Target(name, (low + high) / 2, (high - low) / (2 * Z95), output=output))
    return targets

