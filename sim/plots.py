"""Figures drawn from a saved run directory.

Reads only the files a run wrote (``summary.json``, ``manifest.json``,
``monthly.parquet``, ``distributions.parquet``, ``calibration.csv``) and draws
PNGs beside them. Figures are built with :class:`matplotlib.figure.Figure`, not
pyplot, so no global state or interactive backend is touched.

>>> from sim import plots
>>> plots.draw_all("results/baseline-20261126-160238-seed20261126")  # doctest: +SKIP
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

SIZE = (10, 5)
DPI = 120
COMPARED = ("in range", "out of range")
IN_RANGE, OUT_OF_RANGE, WORSE = "tab:green", "tab:red", "tab:red"
SHOWN_SHARE = 0.99


def draw_all(directory) -> list[Path]:
    """Draw every figure of the run saved in ``directory`` into it as PNG.

    Returns
    -------
    list of Path, the PNG files written (``state_revenue.png``,
    ``household_outcomes.png``, ``calibration.png``)
    """
    directory = Path(directory)
    summary = json.loads((directory / "summary.json").read_text())
    manifest = json.loads((directory / "manifest.json").read_text())
    label = run_label(manifest)
    figures = {
        "state_revenue.png": state_revenue_figure(
            pd.read_parquet(directory / "monthly.parquet"), summary, label),
        "household_outcomes.png": household_outcomes_figure(
            pd.read_parquet(directory / "distributions.parquet"), summary, label),
        "calibration.png": calibration_figure(pd.read_csv(directory / "calibration.csv"), label),
    }
    return [save(figure, directory / name) for name, figure in figures.items()]


def save(figure: Figure, path: Path) -> Path:
    """Write ``figure`` to ``path`` as PNG at :data:`DPI` and return the path."""
    figure.savefig(path, dpi=DPI)
    return path


def run_label(manifest: dict) -> str:
    """Name a run by its config file's stem and seed, e.g. ``'baseline, seed 1'`` (``'scenario'``
    for one built in code)."""
    name = Path(manifest["config_file"]).stem if manifest.get("config_file") else "scenario"
    return f"{name}, seed {manifest['seed']}"


def number(value: float | None, _position=None) -> str:
    """Format a number with thousands separators; three significant digits below 100; "n/a" for None or NaN."""
    if value is None or value != value:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


NUMBER = FuncFormatter(number)


def state_revenue_figure(monthly: pd.DataFrame, summary: dict, label: str) -> Figure:
    """Monthly payments to the state and to managers (USD m per month) over years.

    The annual state-revenue mean from ``summary`` (USD per year) is drawn as a
    horizontal line at its monthly equivalent and labelled in USD m per year.
    """
    figure = Figure(figsize=SIZE, layout=None)
    ax = figure.add_subplot()
    years = monthly["month"] / 12.0
    ax.plot(years, monthly["to_state_usd"] / 1e6, label="to the state")
    ax.plot(years, monthly["to_managers_usd"] / 1e6, label="to managers (skim)")
    per_year = summary["state_revenue_usd_per_year"]["mean"] / 1e6
    ax.axhline(per_year / 12.0, color="black", linestyle=":", linewidth=1,
               label=f"state mean: {number(per_year)} USD m per year")
    ax.set_ylim(bottom=0)
    ax.yaxis.set_major_formatter(NUMBER)
    ax.set_xlabel("years since start of run")
    ax.set_ylabel("USD millions per month")
    ax.set_title(f"Payments out of workers' earnings ({label})", parse_math=False)
    ax.legend(loc="center right")
    ax.grid(alpha=0.3)
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.93)
    return figure


def household_outcomes_figure(distributions: pd.DataFrame, summary: dict, label: str) -> Figure:
    """Histograms of cash brought home and net gain over staying home (USD per worker)."""
    figure = Figure(figsize=SIZE, layout=None)
    cash_ax, net_ax = figure.subplots(1, 2)
    cash = distributions[distributions["outcome"] == "cash_home_usd"]
    net = distributions[distributions["outcome"] == "net_gain_usd"]
    if cash.empty:
        for ax in (cash_ax, net_ax):
            ax.text(0.5, 0.5, "no worker returned in this run", ha="center", va="center", transform=ax.transAxes)
        figure.suptitle(f"Household outcomes of returned workers ({label})", parse_math=False)
        return figure
    stay_home = summary["stay_home_earnings_usd_mean"]
    histogram(cash_ax, cash, summary["cash_home_usd"]["p50"], stay_home, worse_colour="tab:blue")
    cash_ax.axvline(stay_home, color="black", linestyle=":",
                    label=f"stay home (mean): ${number(stay_home)}")
    cash_ax.set_xlabel("cash brought home (USD per worker)")
    histogram(net_ax, net, summary["net_gain_usd"]["p50"], 0.0, worse_colour=WORSE)
    net_ax.axvline(0.0, color="black", linestyle=":", label="same as staying home")
    net_ax.axvspan(net_ax.get_xlim()[0], 0.0, color=WORSE, alpha=0.08,
                   label=f"worse off: {summary['share_worse_off_than_home']:.1%}")
    net_ax.set_xlabel("net gain over staying home (USD per worker)")
    for ax in (cash_ax, net_ax):
        ax.legend(loc="upper right", fontsize="small")
    figure.subplots_adjust(left=0.06, right=0.99, bottom=0.1, top=0.91, wspace=0.15)
    figure.suptitle(f"Household outcomes of returned workers ({label}; "
                    f"central {SHOWN_SHARE:.0%} shown)", parse_math=False)
    return figure


def histogram(ax, frame: pd.DataFrame, median: float, marker: float, worse_colour: str) -> None:
    """Draw one outcome's bins as shares of workers (%), its median and limits.

    Bins ending at or below 0 USD are drawn in ``worse_colour``. The x axis shows
    the central :data:`SHOWN_SHARE` of workers, widened to include ``median``
    and ``marker`` (USD).
    """
    share = (100.0 * frame["workers_simulated"] / max(frame["workers_simulated"].sum(), 1)).to_numpy()
    edges = np.append(frame["bin_low_usd"].to_numpy(), frame["bin_high_usd"].to_numpy()[-1:])
    losses = (frame["bin_high_usd"] <= 0).to_numpy()
    ax.stairs(np.where(losses, 0.0, share), edges, fill=True, color="tab:blue")
    ax.stairs(np.where(losses, share, 0.0), edges, fill=True, color=worse_colour)
    width = frame["bin_high_usd"] - frame["bin_low_usd"]
    ax.axvline(median, color="tab:orange", linestyle="--", label=f"median: ${number(median)}")
    low, high = central_range(frame, SHOWN_SHARE)
    ax.set_xlim(min(low, median, marker) - 200.0, max(high, median, marker) + 200.0)
    ax.xaxis.set_major_formatter(NUMBER)
    ax.set_ylabel(f"% of workers per ${number(width.iloc[0])} bin")
    ax.grid(alpha=0.3)


def central_range(frame: pd.DataFrame, share: float) -> tuple[float, float]:
    """Bin edges (USD) holding the central ``share`` of a histogram's workers."""
    cumulative = frame["workers_simulated"].cumsum() / max(frame["workers_simulated"].sum(), 1)
    tail = (1.0 - share) / 2.0
    low = frame["bin_low_usd"][cumulative > tail].min()
    high = frame["bin_high_usd"][cumulative >= 1.0 - tail].min()
    return float(low), float(high)


def calibration_figure(calibration: pd.DataFrame, label: str) -> Figure:
    """Each compared source figure's range as a band, its simulated value as a dot.

    Units differ between figures, so each row is normalised to its own source
    range; a table with no compared row gives a figure saying so.
    """
    compared = calibration[calibration["status"].isin(COMPARED)].reset_index(drop=True)
    height = max(SIZE[1], 0.45 * len(compared) + 1.5)
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
    ax.set_title(f"{title}: {in_range} of {len(compared)} in range", parse_math=False)
    return figure


def calibration_rows(ax, compared: pd.DataFrame) -> None:
    """Draw bands, source points and simulated dots, one row per compared figure."""
    low, high = normalising_range(compared)
    position = (compared["simulated"] - low) / (high - low)
    rows = np.arange(len(compared))[::-1]
    ax.barh(rows, 1.0, left=0.0, height=0.6, color="0.85", label="source range")
    point = compared["low"] == compared["high"]
    if point.any():
        ax.scatter(np.full(point.sum(), 0.5), rows[point], marker="|", s=300, color="0.4",
                   label="source point (band ±10%)")
    for status, colour in ((COMPARED[0], IN_RANGE), (COMPARED[1], OUT_OF_RANGE)):
        chosen = compared["status"] == status
        if chosen.any():
            ax.scatter(position[chosen], rows[chosen], color=colour, zorder=3,
                       label=f"simulated, {status}")
    labels = [f"{r.name} ({r.unit}): {number(r.simulated)}" for r in compared.itertuples()]
    ax.set_yticks(rows, labels, parse_math=False)  # figure names and units come from the seeds file
    ax.set_xlim(min(-0.5, position.min() - 0.25), max(1.5, position.max() + 0.25))
    ax.set_xlabel("simulated value on the source range (0 = low, 1 = high)")
    ax.grid(axis="x", alpha=0.3)
    ax.figure.legend(loc="outside lower center", ncol=4, fontsize="small")


def normalising_range(compared: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Source range per row (in its own unit).

    A point value ``v`` becomes ``v ± 0.1 |v|`` (``-1 .. 1`` when ``v`` is 0).
    """
    point = compared["low"] == compared["high"]
    pad = (0.1 * compared["low"].abs()).where(compared["low"] != 0, 1.0)
    low = compared["low"].where(~point, compared["low"] - pad)
    high = compared["high"].where(~point, compared["high"] + pad)
    return low, high
