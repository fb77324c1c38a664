"""What every figure shares: size, resolution, colours, number and money ticks, the time axis
with the timeline's policy dates marked, legends drawn as written, and saving as PNG.

Used by the figures of a run (:mod:`sim.plots`, :mod:`sim.calibration_plots`), of a comparison
(:mod:`sim.compare_plots`) and of a sweep (:mod:`sim.sweep_plots`).
"""
from pathlib import Path
from typing import Callable, NamedTuple

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.labels import change_points, money, number

SIZE = (10, 5)
"""Inches of a one-panel figure."""
DPI = 120
IN_RANGE, OUT_OF_RANGE, WORSE = "tab:green", "tab:red", "tab:red"


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` as PNG at :data:`DPI` and return the path."""
    figure.savefig(path, dpi=DPI)
    return path



NUMBER = FuncFormatter(number)


def money_axis(unit: str) -> FuncFormatter:
    """Tick labels as amounts in the money unit ``unit`` (``$3,000``, ``3,000 SUR``)."""
    return FuncFormatter(lambda value, _position=None: money(value, unit))


class TimeAxis(NamedTuple):
    """Where months go on a time axis: ``x`` for each row of monthly.parquet, ``at(month)`` for
    any month, and the axis label. Dates when the run has them (``simulation.start``), else
    years since the start of the run."""

    x: pd.Series
    at: Callable
    label: str


def time_axis(monthly: pd.DataFrame) -> TimeAxis:
    """The time axis of a run's monthly series (see :class:`TimeAxis`)."""
    if "date" in monthly:
        first = pd.Timestamp(monthly["date"].iloc[0]) if len(monthly) else pd.Timestamp(0)
        return TimeAxis(monthly["date"], lambda month: first + pd.DateOffset(months=int(month)), "month")
    return TimeAxis(monthly["month"] / 12.0, lambda month: month / 12.0, "years since start of run")


def mark_policy_dates(ax, timeline: dict | None, at=lambda month: month / 12.0) -> None:
    """A thin vertical line at each timeline change point after month 0 (at ``at(month)`` on the
    x axis), labelled with the levers that change and their new values."""
    for point in change_points(timeline):
        x = at(point.month)
        ax.axvline(x, color="0.35", linestyle="--", linewidth=0.8, zorder=1)
        ax.annotate(point.text, xy=(x, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3), textcoords="offset points", ha="left", va="top",
                    fontsize="small", color="0.25", parse_math=False)  # lever names come from the config



def plain(legend):
    """Draw a legend's texts as written: labels hold dollar amounts, not mathtext."""
    for text in legend.get_texts():
        text.set_parse_math(False)
    return legend

