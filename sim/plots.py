"""Figures drawn from a saved run directory.

Reads only the files a run wrote (``summary.json``, ``manifest.json``,
``monthly.parquet``, ``distributions.parquet``, ``outcomes.parquet``,
``calibration.csv``) and draws PNGs beside them. Every axis names its unit (USD m
per month, USD per worker, workers, % of workers); time runs in calendar months when the
run has a ``simulation.start``, else in years since the start of the run, with the
timeline's policy dates marked (:mod:`sim.figure_style`); the calibration's figures are drawn
by :mod:`sim.calibration_plots`. What labels say is worded in :mod:`sim.labels`. Figures are
built with :class:`matplotlib.figure.Figure`, not pyplot, so no global state or interactive
backend is touched.

>>> from sim import plots
>>> plots.draw_all("results/baseline-20261126-160238-seed20261126")  # doctest: +SKIP
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.calibration_plots import calibration_figure, tuning_scan_figure
from sim.figure_style import NUMBER, SIZE, WORSE, mark_policy_dates, money_axis, plain, save, time_axis
from sim.labels import in_unit, lever, money, number, place, run_money_unit

SHOWN_SHARE = 0.99


def draw_all(directory) -> list[Path]:
    """Draw every figure of the run saved in ``directory`` into it as PNG.

    Returns
    -------
    list of Path, the PNG files written: ``state_revenue.png``, ``flows.png``,
    ``household_outcomes.png``, ``destinations.png`` (only when the run had two or more
    destinations), ``statuses.png`` (only when it had statuses), ``calibration.png`` and ``tuning_scan.png`` (only when the run holds
    ``tuning_scan.csv`` with a row), in that order; amounts in the run's money unit
    """
    directory = Path(directory)
    summary = json.loads((directory / "summary.json").read_text())
    manifest = json.loads((directory / "manifest.json").read_text())
    label, unit = run_label(manifest), run_money_unit(manifest)
    timeline = (manifest.get("config") or {}).get("timeline")
    monthly = pd.read_parquet(directory / "monthly.parquet")
    figures = {
        "state_revenue.png": state_revenue_figure(monthly, summary, label, timeline, unit),
        "flows.png": flows_figure(monthly, label, timeline),
        "household_outcomes.png": household_outcomes_figure(
            pd.read_parquet(directory / "distributions.parquet"), summary, label, unit),
    }
    outcomes = directory / "outcomes.parquet"
    if outcomes.is_file():
        by_destination = destination_rows(pd.read_parquet(outcomes))
        if by_destination["level"].nunique() >= 2:
            figures["destinations.png"] = destinations_figure(by_destination, label, unit)
    by_status = directory / "monthly_by_status.parquet"
    if by_status.is_file():
        figures["statuses.png"] = statuses_figure(pd.read_parquet(by_status), label, timeline, unit)
    figures["calibration.png"] = calibration_figure(pd.read_csv(directory / "calibration.csv"), label)
    scan = directory / "tuning_scan.csv"
    if scan.is_file() and not (scanned := pd.read_csv(scan).dropna(subset=["factor"])).empty:
        figures["tuning_scan.png"] = tuning_scan_figure(scanned, label)
    return [save(figure, directory / name) for name, figure in figures.items()]



def run_label(manifest: dict) -> str:
    """Name a run by its config file's stem and seed, e.g. ``'baseline, seed 1'`` (``'scenario'``
    for one built in code)."""
    name = Path(manifest["config_file"]).stem if manifest.get("config_file") else "scenario"
    return f"{name}, seed {manifest['seed']}"



def state_revenue_figure(monthly: pd.DataFrame, summary: dict, label: str,
                         timeline: dict | None = None, unit: str = "USD") -> Figure:
    """Monthly payments to the state and to managers (``unit`` m per month) over time (see :func:`time_axis`).

    The state's mean over the run from ``summary`` (``unit`` per year) is drawn as a
    horizontal line at its monthly equivalent and labelled with both. Policy change
    points of ``timeline`` (a manifest's ``config['timeline']``) are marked.
    """
    figure = Figure(figsize=SIZE, layout=None)
    ax = figure.add_subplot()
    time = time_axis(monthly)
    ax.plot(time.x, monthly["to_state_usd"] / 1e6, label="to the state")
    ax.plot(time.x, monthly["to_managers_usd"] / 1e6, label="to managers (skim)")
    per_year = summary["state_revenue_usd_per_year"]["mean"]
    ax.axhline(per_year / 12.0 / 1e6, color="black", linestyle=":", linewidth=1,
               label=f"state, mean over the run: {money(per_year / 12.0, unit)} a month "
                     f"({money(per_year, unit)} a year)")
    mark_policy_dates(ax, timeline, time.at)
    ax.set_ylim(bottom=0, top=ax.get_ylim()[1] * 1.15)  # room for the policy-date labels
    ax.yaxis.set_major_formatter(NUMBER)
    ax.set_xlabel(time.label)
    ax.set_ylabel(in_unit("USD m per month", unit))
    ax.set_title(f"Payments out of workers' earnings ({label})", parse_math=False)
    plain(ax.legend(loc="center right"))
    ax.grid(alpha=0.3)
    figure.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.93)
    return figure


def statuses_figure(by_status: pd.DataFrame, label: str, timeline: dict | None = None, unit: str = "USD") -> Figure:
    """Workers abroad by status (stacked, real workers) above the payments to the state by status
    (``unit`` m per month), over time; ``by_status`` holds ``monthly_by_status.parquet`` (one row
    per month and status); policy change points of ``timeline`` marked on both."""
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 1.3), layout="constrained")
    stock_ax, paid_ax = figure.subplots(2, 1, sharex=True)
    statuses = list(dict.fromkeys(by_status["status"]))
    workers = by_status.pivot(index="month", columns="status", values="workers_active")[statuses]
    paid = by_status.pivot(index="month", columns="status", values="to_state_usd")[statuses]
    time = time_axis(by_status.drop_duplicates("month").reset_index(drop=True))
    stock_ax.stackplot(time.x, workers.to_numpy().T, labels=[lever(name) for name in statuses], alpha=0.8)
    stock_ax.set_ylim(bottom=0, top=max(workers.sum(axis=1).max(), 1.0) * 1.15)
    stock_ax.set_ylabel("workers abroad")
    for name in statuses:
        paid_ax.plot(time.x, paid[name] / 1e6)
    paid_ax.set_ylim(bottom=0, top=max(paid.to_numpy().max() / 1e6, 1e-6) * 1.15)
    paid_ax.set_ylabel(in_unit("to the state, USD m per month", unit))
    paid_ax.set_xlabel(time.label)
    for ax in (stock_ax, paid_ax):
        mark_policy_dates(ax, timeline, time.at)
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
    plain(figure.legend(*stock_ax.get_legend_handles_labels(), loc="outside lower center", ncol=len(statuses),
                        fontsize="small"))
    figure.suptitle(f"Workers abroad and paying the state, by status (real-world scale; {label})", parse_math=False)
    return figure


def flows_figure(monthly: pd.DataFrame, label: str, timeline: dict | None = None) -> Figure:
    """Workers abroad (a stock, real workers) above hires and returns (real workers per month),
    early returns shaded, over time; policy change points of ``timeline`` marked on both.

    A month whose hires exceed :data:`OFF_SCALE` times the largest monthly returns (a cohort
    leaving at once) is left off the scale and its count written at the top.
    """
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 1.3), layout="constrained")
    stock_ax, flow_ax = figure.subplots(2, 1, sharex=True)
    time = time_axis(monthly)
    stock_ax.plot(time.x, monthly["workers_active"], color="tab:blue", label="workers abroad (stock)")
    stock_ax.set_ylim(bottom=0, top=max(monthly["workers_active"].max(), 1.0) * 1.15)
    stock_ax.set_ylabel("workers abroad")
    flow_ax.step(time.x, monthly["hires"], where="mid", color="tab:green", label="hires")
    flow_ax.step(time.x, monthly["returns"], where="mid", color="tab:purple", label="returns, all")
    flow_ax.fill_between(time.x, 0.0, monthly["early_returns"], step="mid", color="tab:red", alpha=0.3,
                         linewidth=0, label="of which early (before the contract's end)")
    returns = max(float(monthly["returns"].max()), 1.0)
    off_scale = (monthly["hires"] > OFF_SCALE * returns).to_numpy()
    top = max(returns, float(monthly["hires"][~off_scale].max()) if (~off_scale).any() else 0.0) * 1.3
    flow_ax.set_ylim(bottom=0, top=top)
    for x, hires in zip(time.x[off_scale], monthly["hires"][off_scale]):
        flow_ax.annotate(f"{number(hires)} hired (off scale)", xy=(x, top), xytext=(12, -4),
                         textcoords="offset points", ha="left", va="top", fontsize="small", color="tab:green")
    flow_ax.set_ylabel("workers per month")
    flow_ax.set_xlabel(time.label)
    for ax in (stock_ax, flow_ax):
        mark_policy_dates(ax, timeline, time.at)
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
    plain(figure.legend(loc="outside lower center", ncol=4, fontsize="small"))
    figure.suptitle(f"Workers abroad, hired and returning (real-world scale; {label})", parse_math=False)
    return figure


OFF_SCALE = 3.0
"""Hires above this many times the largest monthly returns are written, not drawn to scale."""



def household_outcomes_figure(distributions: pd.DataFrame, summary: dict, label: str, unit: str = "USD") -> Figure:
    """Histograms of cash brought home and net gain over staying home (``unit`` per worker)."""
    figure = Figure(figsize=SIZE, layout="constrained")
    cash_ax, net_ax = figure.subplots(1, 2)
    cash = distributions[distributions["outcome"] == "cash_home_usd"]
    net = distributions[distributions["outcome"] == "net_gain_usd"]
    if cash.empty:
        for ax in (cash_ax, net_ax):
            ax.text(0.5, 0.5, "no worker returned in this run", ha="center", va="center", transform=ax.transAxes)
        figure.suptitle(f"Household outcomes of returned workers ({label})", parse_math=False)
        return figure
    stay_home = summary["stay_home_earnings_usd_mean"]
    histogram(cash_ax, cash, summary["cash_home_usd"]["p50"], stay_home, worse_colour="tab:blue", unit=unit)
    cash_ax.axvline(stay_home, color="black", linestyle=":",
                    label=f"stay home (mean): {money(stay_home, unit)}")
    cash_ax.set_xlabel(in_unit("cash brought home (USD per worker)", unit))
    histogram(net_ax, net, summary["net_gain_usd"]["p50"], 0.0, worse_colour=WORSE, unit=unit)
    net_ax.axvline(0.0, color="black", linestyle=":", label="same as staying home")
    net_ax.axvspan(net_ax.get_xlim()[0], 0.0, color=WORSE, alpha=0.08,
                   label=f"worse off: {summary['share_worse_off_than_home']:.1%} of workers")
    net_ax.set_xlabel(in_unit("net gain over staying home (USD per worker)", unit))
    for ax in (cash_ax, net_ax):
        plain(ax.legend(loc="upper right", fontsize="small"))
    figure.suptitle(f"Household outcomes of returned workers ({label}; "
                    f"central {SHOWN_SHARE:.0%} shown)", parse_math=False)
    return figure


def histogram(ax, frame: pd.DataFrame, median: float, marker: float, worse_colour: str, unit: str = "USD") -> None:
    """Draw one outcome's bins as shares of workers (%), its median and limits.

    Bins ending at or below 0 are drawn in ``worse_colour``. The x axis shows
    the central :data:`SHOWN_SHARE` of workers, widened to include ``median``
    and ``marker`` (in the money unit ``unit``).
    """
    share = (100.0 * frame["workers_simulated"] / max(frame["workers_simulated"].sum(), 1)).to_numpy()
    edges = np.append(frame["bin_low_usd"].to_numpy(), frame["bin_high_usd"].to_numpy()[-1:])
    losses = (frame["bin_high_usd"] <= 0).to_numpy()
    ax.stairs(np.where(losses, 0.0, share), edges, fill=True, color="tab:blue")
    ax.stairs(np.where(losses, share, 0.0), edges, fill=True, color=worse_colour)
    width = frame["bin_high_usd"] - frame["bin_low_usd"]
    ax.axvline(median, color="tab:orange", linestyle="--", label=f"median: {money(median, unit)}")
    low, high = central_range(frame, SHOWN_SHARE)
    ax.set_xlim(min(low, median, marker) - 200.0, max(high, median, marker) + 200.0)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6))  # "12,500"-wide labels: fewer ticks, no overlap
    ax.xaxis.set_major_formatter(NUMBER)
    ax.set_ylabel(f"% of workers per {money(width.iloc[0], unit)} bin")
    ax.grid(alpha=0.3)


def central_range(frame: pd.DataFrame, share: float) -> tuple[float, float]:
    """Bin edges (USD) holding the central ``share`` of a histogram's workers."""
    cumulative = frame["workers_simulated"].cumsum() / max(frame["workers_simulated"].sum(), 1)
    tail = (1.0 - share) / 2.0
    low = frame["bin_low_usd"][cumulative > tail].min()
    high = frame["bin_high_usd"][cumulative >= 1.0 - tail].min()
    return float(low), float(high)


def destination_rows(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``outcomes.parquet`` broken down by destination (``group == 'destination'``)."""
    return outcomes[outcomes["group"] == "destination"]


def destinations_figure(by_destination: pd.DataFrame, label: str, unit: str = "USD") -> Figure:
    """Per destination: median cash brought home with its p25 to p75 range (``unit`` per worker),
    and the share of returned workers worse off than staying home (% with its 95% CI).

    ``by_destination`` holds ``outcomes.parquet``'s rows with ``group == 'destination'``;
    destinations are drawn top to bottom in the order they come.
    """
    cash = by_destination[by_destination["outcome"] == "cash_home_usd"].set_index("level")
    worse = by_destination[by_destination["outcome"] == "share_worse_off_than_home"].set_index("level")
    levels = list(cash.index)
    worse = worse.reindex(levels)
    rows = np.arange(len(levels))[::-1]
    figure = Figure(figsize=(SIZE[0], max(3.0, 0.9 * len(levels) + 1.8)), layout="constrained")
    cash_ax, worse_ax = figure.subplots(1, 2, sharey=True, width_ratios=(3, 2))
    cash_ax.barh(rows, cash["p75"] - cash["p25"], left=cash["p25"], height=0.45, color="tab:blue",
                 alpha=0.3, label="middle half of workers (p25 to p75)")
    cash_ax.scatter(cash["p50"], rows, color="tab:blue", zorder=3, label="median")
    for row, median in zip(rows, cash["p50"]):
        if np.isfinite(median):  # a destination with no returned hire has no median
            cash_ax.annotate(money(median, unit), (median, row), xytext=(0, 9), textcoords="offset points",
                             ha="center", va="bottom", fontsize="small")
    low, high = cash["p25"].min(), cash["p75"].max()  # NaN where no destination has a returned hire
    cash_ax.set_xlim(left=min(0.0, low) if np.isfinite(low) else 0.0, right=high * 1.1 if high > 0 else 1.0)
    cash_ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    cash_ax.xaxis.set_major_formatter(money_axis(unit))
    cash_ax.set_xlabel(in_unit("cash brought home (USD per worker)", unit))
    cash_ax.set_ylim(rows.min() - 0.6, rows.max() + 0.6)
    share = 100.0 * worse["mean"]
    error = np.vstack([share - 100.0 * worse["ci95_low"], 100.0 * worse["ci95_high"] - share])
    worse_ax.barh(rows, share, height=0.45, color=WORSE, alpha=0.6, xerr=error, capsize=3,
                  label="worse off than staying home (95% CI)")
    for row, value, high in zip(rows, share, 100.0 * worse["ci95_high"]):
        if np.isfinite(value):
            worse_ax.annotate(f"{value:.1f}%", (np.nanmax([value, high]), row), xytext=(6, 0),
                              textcoords="offset points", ha="left", va="center", fontsize="small")
    worse_ax.set_xlim(0.0, max(float(share.max()), 1.0) * 1.3 if share.notna().any() else 1.3)
    worse_ax.set_xlabel("% of returned workers worse off")
    ticks = [f"{place(level)}\n{number(cash.loc[level, 'workers_real'])} workers returned" for level in levels]
    cash_ax.set_yticks(rows, ticks, parse_math=False)  # destination names come from the config
    for ax in (cash_ax, worse_ax):
        ax.grid(axis="x", alpha=0.3)
    plain(figure.legend(loc="outside lower center", ncol=3, fontsize="small"))
    figure.suptitle(f"Household outcomes by destination ({label})", parse_math=False)
    return figure


