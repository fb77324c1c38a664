"""What every figure shares: size, resolution, colours, number and money ticks, the time axis
with the timeline's policy dates marked, legends drawn as written, and saving as PNG.

Used by the figures of a run (:mod:`sim.plots`, :mod:`sim.calibration_plots`), of a comparison
(:mod:`sim.compare_plots`) and of a sweep (:mod:`sim.sweep_plots`).
"""
from pathlib import Path
from typing import Callable, NamedTuple

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.ticker import FuncFormatter

from sim.labels import change_points, money, number

SIZE = (10, 5)
"""Inches of a one-panel figure."""
DPI = 120
IN_RANGE, OUT_OF_RANGE, WORSE = "tab:green", "tab:red", "tab:red"


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` as PNG at :data:`DPI` and return the path.

    The figure is drawn once, on an Agg canvas at :data:`DPI` (which it keeps), and its pixels
    written as ``Figure.savefig`` writes them (the same bytes). ``savefig`` lays out a figure with
    a layout engine (``layout="constrained"``) in a draw of its own before the draw it saves: an
    eighth of the time ``sim run`` spent saving figures, for nothing, since a draw lays the figure
    out too.
    """
    figure.set_dpi(DPI)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    imsave(path, canvas.buffer_rgba(), format="png", origin="upper", dpi=DPI)
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


LABEL_CHAR_INCHES = 0.07
"""About the width of one character of a policy date's label (``small`` type) on the page."""
LABEL_LINE_POINTS = 11.0
"""How far one row of policy date labels sits below the one above."""


def label_rows(places, widths) -> list[int]:
    """The row of each label (0 at the top) so that no two on one row overlap: each goes on the
    highest row whose last label ends before it starts.

    Parameters
    ----------
    places, widths : sequences of float, each label's left edge and width (one unit, e.g. inches),
        in the order of the labels from left to right
    """
    ends: list[float] = []
    rows = []
    for place, width in zip(places, widths):
        row = next((i for i, end in enumerate(ends) if end <= place), len(ends))
        ends[row:row + 1] = [place + width]
        rows.append(row)
    return rows


def mark_policy_dates(ax, timeline: dict | None, at=lambda month: month / 12.0) -> None:
    """A thin vertical line at each timeline change point after month 0 (at ``at(month)`` on the
    x axis), labelled with the levers that change and their new values, on a white ground over
    the lines; labels that would run into each other (change points a month or two apart) go on
    rows below (:func:`label_rows`).
    Call it once the data are drawn: the axis' range places the labels."""
    points = change_points(timeline)
    if not points:
        return
    xs = [at(point.month) for point in points]
    low, high = ax.get_xlim()
    inches = ax.figure.get_figwidth() * ax.get_position().width
    places = [(ax.convert_xunits(x) - low) / (high - low) * inches for x in xs]
    rows = label_rows(places, [(len(point.text) + 2) * LABEL_CHAR_INCHES for point in points])
    for point, x, row in zip(points, xs, rows):
        ax.axvline(x, color="0.35", linestyle="--", linewidth=0.8, zorder=1)
        ax.annotate(point.text, xy=(x, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -3 - row * LABEL_LINE_POINTS), textcoords="offset points", ha="left", va="top",
                    fontsize="small", color="0.25", parse_math=False,  # lever names come from the config
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 0.5})


def plain(legend):
    """Draw a legend's texts as written: labels hold dollar amounts, not mathtext."""
    for text in legend.get_texts():
        text.set_parse_math(False)
    return legend

