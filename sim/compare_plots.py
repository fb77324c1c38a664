"""Figures of a saved comparison, drawn from its files only (``manifest.json``,
``monthly_effects.parquet``, ``effects.csv``).

Two monthly figures, state revenue and workers abroad: the base and the policy above (the
policy's dates marked, as on a run's figures, see :mod:`sim.plots`), and below them the effect
with its 95% band, exactly zero before the policy starts, over the wider band the runs would give
unpaired. One bar chart: every figure's effect in
its own unit, the paired interval drawn over the wider unpaired one.

>>> from sim import compare_plots
>>> compare_plots.draw_all("results/quota_hike-vs-baseline-20261127-010000-seed20261126")  # doctest: +SKIP
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import effects
from sim.labels import change_points, in_unit, place, run_money_unit
from sim.figure_style import NUMBER, SIZE, mark_policy_dates, plain, save, time_axis

MONTHLY_FIGURES = {
    "state_revenue.png": ("to_state_usd", ("paid to the state, USD m per month", "effect, USD m per month"), 1e6,
                          "State revenue"),
    "workers_abroad.png": ("workers_active", ("workers abroad", "effect, workers"), 1.0, "Workers abroad"),
}
"""File -> (series of monthly_effects.parquet, axis labels of the arms and of the effect with their unit,
divisor to that unit, title); USD stands for the runs' money unit."""
BASE_COLOUR, POLICY_COLOUR, EFFECT_COLOUR = "tab:blue", "tab:orange", "tab:green"


def draw_all(directory) -> list[Path]:
    """Draw every figure of the comparison saved in ``directory`` into it as PNG.

    Returns
    -------
    list of Path: ``state_revenue.png``, ``workers_abroad.png``, ``effects.png``,
    ``distributions.png`` (comparisons saved with distributions.parquet), and
    ``workers_by_destination.png`` when the comparison has series by destination
    """
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    monthly = pd.read_parquet(directory / "monthly_effects.parquet")
    names = arm_names(manifest)
    timeline = (manifest["policy"].get("config") or {}).get("timeline")
    paths = []
    for file, (series, labels, per_unit, title) in MONTHLY_FIGURES.items():
        rows = monthly[monthly["series"] == series].reset_index(drop=True)
        labels = tuple(in_unit(label, run_money_unit(manifest)) for label in labels)
        paths.append(save(paired_series_figure(rows, labels, per_unit, f"{title}: {names[0]} vs {names[1]}",
                                               names, timeline), directory / file))
    figure = effects_figure(pd.read_csv(directory / "effects.csv"), names, manifest["replications"])
    paths.append(save(figure, directory / "effects.png"))
    distributions = directory / "distributions.parquet"
    if distributions.is_file():
        figure = distributions_figure(pd.read_parquet(distributions), names, run_money_unit(manifest))
        paths.append(save(figure, directory / "distributions.png"))
    by_destination = directory / "monthly_effects_by_destination.parquet"
    if by_destination.is_file():
        figure = by_destination_figure(pd.read_parquet(by_destination), names, timeline)
        paths.append(save(figure, directory / "workers_by_destination.png"))
    return paths


DISTRIBUTION_PANELS = {"cash_home_usd": "cash brought home, USD", "net_gain_usd": "net gain over staying home, USD"}
"""Metric of distributions.parquet -> its axis label (USD stands for the runs' money unit)."""


def distributions_figure(distributions: pd.DataFrame, names, unit: str = "USD") -> Figure:
    """The returned hires' cash brought home and net gain under the base and the policy, as
    cumulative shares (the share of hires at or below each amount), one panel each; on the net
    gain's, the line at 0: where each curve crosses it is its share worse off than at home.

    Parameters
    ----------
    distributions : DataFrame, ``distributions.parquet`` (:func:`sim.comparison.distribution_frame`)
    names : (policy, base) names for the legend
    unit : the runs' money unit
    """
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 0.9), layout="constrained")
    axes = figure.subplots(1, len(DISTRIBUTION_PANELS), sharey=True)
    for ax, (metric, label) in zip(axes, DISTRIBUTION_PANELS.items()):
        for arm, colour, name in (("base", BASE_COLOUR, names[1]), ("policy", POLICY_COLOUR, names[0])):
            rows = distributions[(distributions["metric"] == metric) & (distributions["arm"] == arm)]
            if rows.empty:
                continue
            share = rows["workers"].cumsum() / rows["workers"].sum()
            ax.step(rows["value_usd"], share, where="post", color=colour, label=f"{arm}: {name}")
        if metric == "net_gain_usd":
            ax.axvline(0.0, color="black", linewidth=0.8, label="no better off than at home")
        rows = distributions[distributions["metric"] == metric]
        if not rows.empty:  # the central 99% of both arms' hires
            order = rows.sort_values("value_usd")
            share = order["workers"].cumsum() / order["workers"].sum()
            low, high = order["value_usd"].iloc[[int(np.searchsorted(share, 0.005)), int(np.searchsorted(share, 0.995))]]
            ax.set_xlim(min(low, 0.0), high + 0.05 * (high - min(low, 0.0)) + 1e-9)
        ax.set_xlabel(in_unit(label, unit))
        ax.xaxis.set_major_formatter(NUMBER)
        ax.set_ylim(0.0, 1.0)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of returned hires at or below")
    handles = {text: handle for ax in axes for handle, text in zip(*ax.get_legend_handles_labels())}
    plain(figure.legend(handles.values(), handles.keys(), loc="outside lower center", ncol=3, fontsize="small"))
    figure.suptitle(f"Household outcomes, every replication's hires together: {names[0]} vs {names[1]}",
                    parse_math=False)
    return figure


def by_destination_figure(monthly: pd.DataFrame, names, timeline: dict | None = None) -> Figure:
    """Workers abroad at each destination under the base and the policy, one panel each (its own
    scale), with the effect's paired 95% band around the policy's line and the policy's dates
    marked.

    Parameters
    ----------
    monthly : DataFrame, the rows of ``monthly_effects_by_destination.parquet``
    names : (policy, base) names for the legend
    timeline : dict, the policy's ``config['timeline']``
    """
    rows = monthly[monthly["series"] == "workers_active"]
    destinations = list(dict.fromkeys(rows["destination"]))
    figure = Figure(figsize=(SIZE[0], 1.9 * len(destinations) + 1.0), layout="constrained")
    axes = figure.subplots(len(destinations), 1, sharex=True, squeeze=False)[:, 0]
    for ax, destination in zip(axes, destinations):
        own = rows[rows["destination"] == destination].reset_index(drop=True)
        time = time_axis(own)
        ax.plot(time.x, own["base"], color=BASE_COLOUR, label=f"base: {names[1]}")
        ax.plot(time.x, own["policy"], color=POLICY_COLOUR, label=f"policy: {names[0]}")
        ax.fill_between(time.x, own["base"] + own["effect"] - own["band"], own["base"] + own["effect"] + own["band"],
                        color=POLICY_COLOUR, alpha=0.3, linewidth=0, label="policy: 95% band of the paired effect")
        ax.set_ylim(bottom=0.0, top=max(float(own[["base", "policy"]].max().max()), 1.0) * 1.15)
        ax.set_ylabel(place(destination))
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
        mark_policy_dates(ax, timeline if ax is axes[0] else None, time.at)
        for point in change_points(timeline) if ax is not axes[0] else ():
            ax.axvline(time.at(point.month), color="0.35", linestyle="--", linewidth=0.8, zorder=1)
    axes[-1].set_xlabel(time.label)
    plain(figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=3, fontsize="small"))
    figure.suptitle(f"Workers abroad by destination: {names[0]} vs {names[1]}", parse_math=False)
    return figure


def arm_names(manifest: dict) -> tuple[str, str]:
    """(policy, base) as their config files' stems (``scenario`` for one built in code)."""
    return tuple(Path(manifest[arm]["config_file"]).stem if manifest[arm].get("config_file") else "scenario"
                 for arm in ("policy", "base"))


def paired_series_figure(rows: pd.DataFrame, labels: tuple[str, str], per_unit: float, title: str, names,
                         timeline: dict | None = None) -> Figure:
    """One monthly series of both arms (above) and the policy's effect with its 95% band (below),
    drawn over the band the same runs would give unpaired.

    Parameters
    ----------
    rows : DataFrame, the rows of ``monthly_effects.parquet`` of one series, month order
    labels : (str, str), axis labels of the arms and of the effect, with their unit; ``per_unit``
        divides the values into it
    names : (policy, base) names for the legend
    timeline : dict, the policy's ``config['timeline']``; its change points are marked
    """
    figure = Figure(figsize=(SIZE[0], SIZE[1] * 1.3), layout="constrained")
    arms_ax, effect_ax = figure.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    time = time_axis(rows)
    arms_ax.plot(time.x, rows["base"] / per_unit, color=BASE_COLOUR, label=f"base: {names[1]}")
    arms_ax.plot(time.x, rows["policy"] / per_unit, color=POLICY_COLOUR, label=f"policy: {names[0]}")
    arms_ax.set_ylim(bottom=min(0.0, float(rows[["base", "policy"]].min().min()) / per_unit),
                     top=max(float(rows[["base", "policy"]].max().max()) / per_unit, 1e-9) * 1.2)
    arms_ax.set_ylabel(labels[0])
    effect = rows["effect"] / per_unit
    band = rows["band"] / per_unit
    apart = rows["unpaired_band"] / per_unit
    effect_ax.fill_between(time.x, effect - apart, effect + apart, color="0.8", linewidth=0,
                           label="95% interval were the runs unpaired")
    effect_ax.fill_between(time.x, effect - band, effect + band, color=EFFECT_COLOUR, alpha=0.3, linewidth=0,
                           label="95% interval (paired replications)")
    effect_ax.plot(time.x, effect, color=EFFECT_COLOUR, label="effect: policy minus base")
    effect_ax.axhline(0.0, color="black", linewidth=0.8)
    effect_ax.set_ylabel(labels[1])
    effect_ax.set_xlabel(time.label)
    mark_policy_dates(arms_ax, timeline, time.at)
    for point in change_points(timeline):  # the same dates below, named once above
        effect_ax.axvline(time.at(point.month), color="0.35", linestyle="--", linewidth=0.8, zorder=1)
    for ax in (arms_ax, effect_ax):
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
    plain(arms_ax.legend(loc="best", fontsize="small"))
    plain(effect_ax.legend(loc="best", fontsize="small"))
    figure.suptitle(title, parse_math=False)
    return figure


def effects_figure(effects_table: pd.DataFrame, names, replications: int) -> Figure:
    """Each figure's effect as a bar in its own unit (one row each, its own scale), with the
    paired 95% interval (black) drawn over the unpaired one (grey, wider)."""
    figure = Figure(figsize=(SIZE[0], 0.55 * len(effects_table) + 1.6), layout="constrained")
    axes = figure.subplots(len(effects_table), 1, squeeze=False)[:, 0]
    for ax, row in zip(axes, effects_table.itertuples()):
        metric = effects.BY_NAME[row.metric]
        values = np.array([row.effect, row.ci95_low, row.ci95_high, row.unpaired_ci95_low,
                           row.unpaired_ci95_high]) / metric.shown_per_unit
        ax.barh(0, values[0], height=0.6, color=EFFECT_COLOUR, alpha=0.5)
        ax.hlines(0, values[3], values[4], color="0.6", linewidth=7,
                  label="95% interval, the runs taken as unpaired")
        ax.hlines(0, values[1], values[2], color="black", linewidth=2,
                  label=f"95% interval, {replications} paired replications")
        ax.axvline(0.0, color="black", linewidth=0.8)
        shown = effects.shown(row.effect, metric, signed=True)
        ax.set_yticks([0], [f"{effects.label(metric, row.unit)}: {shown}"], parse_math=False)
        ax.set_ylim(-0.5, 0.5)
        ax.xaxis.set_major_formatter(NUMBER)
        ax.tick_params(axis="x", labelsize="small")
        ax.grid(axis="x", alpha=0.3)
    plain(figure.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize="small"))
    figure.suptitle(f"Effects of {names[0]} against {names[1]}, each in the unit its label names "
                    f"(policy minus base)", parse_math=False)
    return figure
