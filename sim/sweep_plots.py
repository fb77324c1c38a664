"""Figures of a sweep, drawn from its saved tables only (``table.parquet``, ``monthly.parquet``).

Bands here are *uncertainty*: the spread of results across design points, whose inputs differ
(``MODEL.md`` section 2). Each point's replications are averaged first, so the bands are not
widened by the simulation's sampling noise.

- ``fan_chart.png``: each monthly series over time, the median across points with bands holding
  the central 50% and 90% of points (millions of the base's money unit per month, or workers).
- ``outputs_distribution.png``: the distribution across points of each output.
- ``outputs_by_input.png``: each output against each input that varies (a line through the
  lever values, or a scatter over sampled points).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.figure_style import NUMBER, save
from sim.sweep import MONTHLY, RUN_COLUMNS, TABLE

BANDS = ((0.05, 0.95, 0.2), (0.25, 0.75, 0.4))
"""(lower quantile, upper quantile, opacity) of the fan chart's bands."""
PANEL = (4.5, 3.2)
"""Inches per panel."""


def scaled(name: str, values, money_unit: str = "USD") -> tuple[float, str]:
    """(divisor, axis label) for an output or series ``name`` taking ``values``: money of a
    million or more in millions of ``money_unit`` (``USD m``, ``SUR m``), anything else as it is."""
    large = np.nanmax(np.abs(np.asarray(values, np.float64)), initial=0.0) >= 1e6
    return (1e6, f"{name} ({money_unit} m)") if "usd" in name and large else (1.0, name)


def study_money_unit(study: dict) -> str:
    """The money unit of a saved study's base scenario (``study.json``); USD without one."""
    return ((study.get("base_config") or {}).get("simulation") or {}).get("money_unit") or "USD"


def point_means(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """``frame`` averaged over replications: one row per point (and ``by`` values)."""
    values = [column for column in frame.columns if column not in (*RUN_COLUMNS, *by)]
    return frame.groupby(["point", *by], sort=True)[values].mean().reset_index()


def _grid(count: int, columns: int = 3):
    columns = min(columns, count)
    rows = -(-count // columns)
    figure = Figure(figsize=(PANEL[0] * columns, PANEL[1] * rows + 0.6), layout="constrained")
    return figure, [figure.add_subplot(rows, columns, i + 1) for i in range(count)]


def fan_chart(monthly: pd.DataFrame, title: str, money_unit: str = "USD") -> Figure:
    """Each monthly series: median across points and bands of the central 50% and 90%."""
    series = [column for column in monthly.columns if column not in (*RUN_COLUMNS, "month")]
    means = point_means(monthly, ["month"])
    figure, axes = _grid(len(series))
    points = means["point"].nunique()
    for ax, name in zip(axes, series):
        divisor, label = scaled(name, means[name], money_unit)
        by_month = means.pivot(index="month", columns="point", values=name) / divisor
        months = by_month.index.to_numpy() / 12.0
        for low, high, alpha in BANDS:
            ax.fill_between(months, by_month.quantile(low, axis=1), by_month.quantile(high, axis=1),
                            color="tab:blue", alpha=alpha, linewidth=0,
                            label=f"{low:.0%} to {high:.0%} of points")
        ax.plot(months, by_month.median(axis=1), color="tab:blue", label="median")
        ax.set_xlabel("years since start of run")
        ax.set_ylabel(label)
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    figure.suptitle(f"{title}: monthly series across {points:,} design points", fontsize="medium")
    return figure


def outputs_distribution(table: pd.DataFrame, outputs: list[str], title: str, money_unit: str = "USD") -> Figure:
    """A histogram across points (replications averaged) of each output."""
    means = point_means(table, [])
    figure, axes = _grid(len(outputs))
    for ax, name in zip(axes, outputs):
        divisor, label = scaled(name, means[name], money_unit)
        values = means[name].to_numpy(np.float64) / divisor
        ax.hist(values[np.isfinite(values)], bins=min(30, max(5, len(values) // 3)), color="tab:blue", alpha=0.8)
        ax.axvline(np.nanmedian(values), color="black", linestyle=":", linewidth=1, label="median")
        ax.set_xlabel(label)
        ax.set_ylabel("design points")
        ax.xaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize="small")
    figure.suptitle(f"{title}: outputs across {len(means):,} design points (uncertainty, not sampling noise)",
                    fontsize="medium")
    return figure


def outputs_by_input(table: pd.DataFrame, inputs: list[str], outputs: list[str], title: str,
                     stepped=(), money_unit: str = "USD") -> Figure:
    """Each output (rows) against each numeric input (columns), replications averaged: a line
    through the mean at each value of an input in ``stepped`` (a lever, a grid), else a scatter."""
    means = point_means(table, [])
    figure, axes = _grid(len(inputs) * len(outputs), columns=len(inputs))
    for i, name in enumerate(outputs):
        divisor, label = scaled(name, means[name], money_unit)
        for j, key in enumerate(inputs):
            ax = axes[i * len(inputs) + j]
            if key in stepped:  # the mean over the other inputs at each value
                line = means.groupby(key)[name].mean() / divisor
                ax.plot(line.index, line.to_numpy(), marker="o")
            else:
                ax.scatter(means[key], means[name] / divisor, s=10, alpha=0.7)
            ax.set_xlabel(key)
            ax.set_ylabel(label)
            ax.yaxis.set_major_formatter(NUMBER)
            ax.grid(alpha=0.3)
    figure.suptitle(f"{title}: outputs by input", fontsize="medium")
    return figure


def draw_all(directory) -> list[Path]:
    """Draw the figures of the sweep saved in ``directory`` into it; return the PNGs written
    (none for a sweep with no finished run)."""
    directory = Path(directory)
    study = json.loads((directory / "study.json").read_text())
    spec = study["study"]
    title = Path(study["study_file"]).stem
    table = pd.read_parquet(directory / TABLE)
    if not len(table):
        return []
    inputs = [key for key in [*spec.get("uncertainties", {}), *spec.get("levers", {})]
              if pd.api.types.is_numeric_dtype(table[key]) and table[key].nunique() > 1]
    unit = study_money_unit(study)
    figures = {"outputs_distribution.png": outputs_distribution(table, spec["outputs"], title, unit)}
    if inputs:
        stepped = [*spec.get("levers", {}), *(spec.get("uncertainties", {}) if spec["design"]["kind"] == "grid" else ())]
        figures["outputs_by_input.png"] = outputs_by_input(table, inputs, spec["outputs"], title, stepped, unit)
    if (directory / MONTHLY).is_file():
        figures["fan_chart.png"] = fan_chart(pd.read_parquet(directory / MONTHLY), title, unit)
    return [save(figure, directory / name) for name, figure in figures.items()]
