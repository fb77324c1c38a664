"""Figures of a run's calibration: each compared figure on its source range
(``calibration.png``), and each tuned figure against a scan of its parameter (``tuning_scan.png``).

Drawn from the saved ``calibration.csv`` and ``tuning_scan.csv`` (see :func:`sim.plots.draw_all`).
"""
import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import tuning_scan
from sim.calibration import evidence_line
from sim.figure_style import IN_RANGE, NUMBER, OUT_OF_RANGE, SIZE, plain
from sim.labels import humanise, number, span, with_unit

COMPARED = ("in range", "out of range")


def calibration_figure(calibration: pd.DataFrame, label: str) -> Figure:
    """Each compared source figure's range as a band, its simulated value as a dot.

    Units differ between figures, so each row is normalised to its own source
    range; a table with no compared row gives a figure saying so.
    """
    compared = calibration[calibration["status"].isin(COMPARED)].reset_index(drop=True)
    height = max(SIZE[1], 0.6 * len(compared) + 1.8)
    figure = Figure(figsize=(SIZE[0], height), layout="constrained")
    ax = figure.add_subplot()
    title = f"Calibration against source figures ({label})"
    if compared.empty:
        ax.text(0.5, 0.5, "No source figure was compared with this run.",
                ha="center", va="center", fontsize="large")
        ax.set_axis_off()
        ax.set_title(title, parse_math=False)
        return figure
    calibration_rows(ax, compared)
    in_range = int((compared["status"] == "in range").sum())
    evidence = f"\n{textwrap.fill(evidence_line(calibration), 90)}" if "kind" in calibration else ""
    ax.set_title(f"{title}: {in_range} of {len(compared)} in range{evidence}", parse_math=False)
    return figure


SHOWN_POSITIONS = (-0.5, 1.5)
"""Place in the source range drawn on the calibration chart; a dot beyond is drawn at the edge."""


def calibration_rows(ax, compared: pd.DataFrame) -> None:
    """Draw bands, source points and simulated dots, one row per compared figure.

    A dot further than half a range outside the band is drawn at the edge of
    :data:`SHOWN_POSITIONS` as an arrow head pointing out, with its place in the range written
    beside it.
    """
    low, high = normalising_range(compared)
    position = ((compared["simulated"] - low) / (high - low)).to_numpy(dtype=float)
    shown = np.clip(position, *SHOWN_POSITIONS)
    clipped = shown != position
    rows = np.arange(len(compared))[::-1]
    ax.barh(rows, 1.0, left=0.0, height=0.6, color="0.85", label="source range")
    point = (compared["low"] == compared["high"]).to_numpy()
    if point.any():
        ax.scatter(np.full(point.sum(), 0.5), rows[point], marker="|", s=300, color="0.4",
                   label="source point (band ±10%)")
    for status, colour in ((COMPARED[0], IN_RANGE), (COMPARED[1], OUT_OF_RANGE)):
        chosen = (compared["status"] == status).to_numpy()
        if (chosen & ~clipped).any():
            ax.scatter(shown[chosen & ~clipped], rows[chosen & ~clipped], color=colour, zorder=3,
                       label=f"simulated, {status}")
        for row, place_in_range, edge in zip(rows[chosen & clipped], position[chosen & clipped],
                                             shown[chosen & clipped]):
            right = edge > 0
            ax.scatter([edge], [row], marker=">" if right else "<", s=90, color=colour, zorder=3)
            ax.annotate(f"at {place_in_range:.1f}", (edge, row), xytext=(-8 if right else 8, 0),
                        textcoords="offset points", ha="right" if right else "left", va="center",
                        fontsize="small", color=colour)
    labels = [f"{humanise(r.name, r.destination)}: {with_unit(r.simulated, r.unit)}\n"
              f"source: {span(r.low, r.high, r.unit)}" for r in compared.itertuples()]
    ax.set_yticks(rows, labels, parse_math=False)  # figure names and units come from the seeds file
    ax.set_ylim(rows.min() - 0.6, rows.max() + 0.6)
    margin = 0.2
    ax.set_xlim(SHOWN_POSITIONS[0] - margin, SHOWN_POSITIONS[1] + margin)
    ax.set_xticks([-0.5, 0.0, 0.5, 1.0, 1.5], ["", "source low", "middle", "source high", ""])
    ax.set_xlabel("simulated value placed on its source range, each row in its own unit"
                  + ("\n(arrow heads: beyond the chart, at the place written)" if clipped.any() else ""))
    ax.grid(axis="x", alpha=0.3)
    plain(ax.figure.legend(loc="outside lower center", ncol=4, fontsize="small"))


def normalising_range(compared: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Source range per row (in its own unit).

    A point value ``v`` becomes ``v ± 0.1 |v|`` (``-1 .. 1`` when ``v`` is 0).
    """
    point = compared["low"] == compared["high"]
    pad = (0.1 * compared["low"].abs()).where(compared["low"] != 0, 1.0)
    low = compared["low"].where(~point, compared["low"] - pad)
    high = compared["high"].where(~point, compared["high"] + pad)
    return low, high


def tuning_scan_figure(scan: pd.DataFrame, label: str) -> Figure:
    """Each tuned figure against the parameter set to hit it (``tuning_scan.csv``, :mod:`sim.tuning_scan`).

    One panel per figure: the simulated value (dots, green in range, red out of it; in the
    figure's unit) at each scanned mean of the parameter, the source range shaded, the
    configured value marked by a dashed line; the title says over what span it stays in range.
    """
    scanned = scan.dropna(subset=["factor"])
    pairs = list(dict.fromkeys(zip(scanned["parameter"], scanned["figure"])))
    figure = Figure(figsize=(SIZE[0], 3.2 * max(len(pairs), 1) + 0.8), layout="constrained")
    spans = tuning_scan.in_range_span(scanned).set_index(["parameter", "figure"])
    for ax, (parameter, name) in zip(figure.subplots(max(len(pairs), 1), 1, squeeze=False)[:, 0], pairs):
        rows = scanned[(scanned["parameter"] == parameter) & (scanned["figure"] == name)]
        first = rows.iloc[0]
        ax.axhspan(first["low"], first["high"], color="0.85",
                   label=f"source: {span(first['low'], first['high'], first['unit'])}")
        ax.plot(rows["parameter_mean"], rows["simulated"], color="0.5", linewidth=1, zorder=2)
        kept = rows["in_range"].fillna(False).astype(bool)
        for chosen, colour, text in ((kept, IN_RANGE, "in range"), (~kept, OUT_OF_RANGE, "out of range")):
            if chosen.any():
                ax.scatter(rows["parameter_mean"][chosen], rows["simulated"][chosen], color=colour, zorder=3, label=text)
        configured = rows.loc[rows["factor"] == 1.0, "parameter_mean"]
        for value in configured:
            ax.axvline(value, color="black", linestyle="--", linewidth=1, label=f"as configured: {number(value)}")
        this = spans.loc[(parameter, name)]
        within = ("in range nowhere scanned" if this["points_in_range"] == 0 else
                  f"in range at {this['points_in_range']:.0f} of {this['points']:.0f} values, "
                  f"{number(this['lowest_in_range'])} to {number(this['highest_in_range'])}")
        ax.set_title(f"{humanise(name)}: {within}", parse_math=False, fontsize="medium")
        ax.set_xlabel(f"{parameter}, mean (scaled {tuning_scan.FACTORS[0]:g} to {tuning_scan.FACTORS[-1]:g} "
                      f"times as configured)")
        ax.set_ylabel(str(first["unit"]))
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
        plain(ax.legend(loc="best", fontsize="small"))
    figure.suptitle(f"How hard the tuning works: each tuned figure as its parameter moves ({label})",
                    parse_math=False)
    return figure
