"""What a calibration fits: observed figures with their uncertainty, and how a run gives each.

Two kinds of target, each a number with a standard deviation (sd):

- an **observed series**: a targets file (:mod:`sim.targets`, TOML or CSV, the format of
  ``sim run --targets``), one ``[[target]]`` per observation of a statistic of
  :data:`sim.series.STATISTICS` at a date or over a date range, with ``value`` and ``sd``, or
  ``low`` and ``high`` read as a 95% range (sd = (high - low) / 3.92)::

      [[target]]
      statistic = "workers_abroad"     # name optional; default: statistic@date
      date = "2020-06"                 # a month, counted from the base's simulation.start
      value = 21_400
      sd = 300
      source = "where the figure comes from"

- a **source figure** of the base's seeds file (``seeds/figures.toml``) by name: its range is
  read as a 95% range, its centre as the value.

A statistic over its months is read from the run's monthly series (real-world scale) as
:func:`sim.series.over_months` reads it; a source figure from the run summary (:data:`FIGURE_OUTPUTS`).
"""
from typing import NamedTuple

import numpy as np

from sim import calendar, series
from sim.config import ConfigError, Scenario
from sim.targets import Z95, read_targets

FIGURE_OUTPUTS = {
    "state_revenue_usd_per_year": "state_revenue_usd_per_year",
    "workers_active_mean": "workers_active_mean",
    "kept_usd_per_month_mean": "kept_usd_per_month.mean",
}
"""Statistic of a seeds figure -> the run summary's output that measures it."""


class Target(NamedTuple):
    """One moment to fit: ``value`` (with standard deviation ``sd``) against ``output`` (a run
    summary figure) or ``statistic`` over months ``first`` to ``last`` (both included) of its
    monthly series ``series``; ``date`` says when in words (``2020-06``, ``2018-01 to 2018-12``)."""

    name: str
    value: float
    sd: float
    output: str | None = None
    series: str | None = None
    statistic: str | None = None
    first: int | None = None
    last: int | None = None
    date: str | None = None

    def simulated(self, outputs: dict) -> float:
        """The run's value of this target, from a point model's outputs."""
        if self.output is not None:
            return float(outputs[self.output])
        return series.of_months(self.statistic, np.asarray(outputs[self.series])[self.first:self.last + 1])


def _series_target(item, base: Scenario, where: str) -> Target:
    start = base.simulation.start
    if start is None:
        raise ConfigError([f"{where}: date {item.months()[0]!r}: the base scenario has no simulation.start to count "
                           f"from"])
    horizon = base.simulation.horizon_months
    first, last = (calendar.months_after(start, month) for month in item.months())
    when = item.date or " to ".join(item.dates)
    if first < 0 or last >= horizon:
        raise ConfigError([f"{where}: date {when!r} is outside the run ({start} to "
                           f"{calendar.date_of(start, horizon - 1)})"])
    value, sd = item.centre_sd()
    if sd == 0:
        raise ConfigError([f"{where}: a value to fit needs its sd, or low and high (a 95% range)"])
    return Target(item.name, value, sd, series=series.STATISTICS[item.statistic].column, statistic=item.statistic,
                  first=first, last=last, date=when)


def series_targets(path, base: Scenario, where: str) -> list[Target]:
    """The targets of an observed series file at ``path`` (:func:`sim.targets.read_targets`);
    ``where`` names the key that gave it.

    Raises
    ------
    ConfigError
        One line per problem, naming ``where``, the file and the target (counting from 1).
    """
    where = f"{where}: {path}"
    return [_series_target(item, base, f"{where}: target {i + 1}")
            for i, item in enumerate(read_targets(path, where))]


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

