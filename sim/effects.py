"""A policy's effects from paired replications: the figures compared, and their 95% intervals.

Replication ``r`` runs the base and the policy with the same seed (common random numbers), and
the replications' seeds are independent, so the ``R`` paired differences ``policy_r - base_r``
are independent draws of the effect: their mean is the estimate and a Student t interval on
``R - 1`` degrees of freedom is its 95% interval. The same numbers read as two independent
samples (Welch's interval) show what the pairing buys: the noise both arms share cancels in a
difference, so the paired interval is narrower. Pure NumPy and pandas; nothing here runs the
simulation.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from sim.labels import in_unit, money_unit_of


class Metric(NamedTuple):
    """A figure compared between base and policy: its id (``effects.csv``'s ``metric``), the
    label the terminal prints (with the unit it is shown in), its unit in the files, and the
    divisor from that unit to the one shown (1e6: USD to USD m; 0.01: a share to %)."""

    name: str
    label: str
    unit: str
    shown_per_unit: float


OUTCOME_STATISTICS = ("mean", "p5", "p50", "p95")
"""Statistics of cash brought home and net gain (over returned hires) that are compared."""

METRICS = (
    Metric("state_revenue_usd_per_year", "state revenue, USD m per year", "USD per year", 1e6),
    Metric("state_revenue_usd_total", "state revenue over the horizon, USD m", "USD", 1e6),
    Metric("state_revenue_usd_from_policy_start", "state revenue from the policy's start, USD m", "USD", 1e6),
    Metric("manager_skim_usd_per_year", "manager skim, USD m per year", "USD per year", 1e6),
    Metric("workers_abroad_mean", "workers abroad, mean", "workers", 1.0),
    Metric("kept_usd_total", "kept by workers abroad over the horizon, USD m", "USD", 1e6),
    *(Metric(f"{outcome}_{statistic}", f"{words}, {statistic}, USD", "USD", 1.0)
      for outcome, words in (("cash_home_usd", "cash brought home"), ("net_gain_usd", "net gain over staying home"))
      for statistic in OUTCOME_STATISTICS),
    Metric("share_worse_off_than_home", "worse off than staying home, % of returned hires", "share", 0.01),
)
"""Every figure compared, in the order tables list them."""

BY_NAME = {metric.name: metric for metric in METRICS}


def run_figures(summary: dict, monthly: pd.DataFrame, start_month: int | None) -> dict:
    """The compared figures of one run (one arm of one replication), name -> float.

    Parameters
    ----------
    summary : dict, the run's ``summary_dict`` (what ``summary.json`` holds)
    monthly : DataFrame, the run's monthly series at real-world scale (USD, workers)
    start_month : int or None, first month in which the policy differs from the base; None when
        nothing differs (then ``state_revenue_usd_from_policy_start`` is left out)
    """
    figures = {
        "state_revenue_usd_per_year": summary["state_revenue_usd_per_year"]["mean"],
        "state_revenue_usd_total": monthly["to_state_usd"].sum(),
        "manager_skim_usd_per_year": summary["manager_skim_usd_per_year"]["mean"],
        "workers_abroad_mean": summary["workers_active_mean"],
        "kept_usd_total": monthly["kept_usd"].sum(),
        "share_worse_off_than_home": summary["share_worse_off_than_home"],
    }
    for outcome in ("cash_home_usd", "net_gain_usd"):
        figures.update((f"{outcome}_{statistic}", summary[outcome][statistic]) for statistic in OUTCOME_STATISTICS)
    if start_month is not None:
        figures["state_revenue_usd_from_policy_start"] = monthly["to_state_usd"].iloc[start_month:].sum()
    return {name: float(figures[name]) for name in BY_NAME if name in figures}


class Interval(NamedTuple):
    """An estimate with the half-width of its 95% interval (arrays of one shape)."""

    estimate: np.ndarray
    half_width: np.ndarray


def _half_width(standard_error: np.ndarray, degrees_of_freedom) -> np.ndarray:
    """95% Student t half-width; exactly 0 where the standard error is 0 (no spread at all)."""
    from scipy import stats  # here: scipy.stats takes ~0.3 s to import, and every sim command loads this module

    with np.errstate(invalid="ignore", divide="ignore"):
        quantile = stats.t.ppf(0.975, degrees_of_freedom)
    return np.where(standard_error == 0.0, 0.0, quantile * standard_error)


def paired(base: np.ndarray, policy: np.ndarray) -> Interval:
    """Mean paired difference ``policy - base`` and its 95% t half-width.

    Parameters
    ----------
    base, policy : ndarray(float, (R, ...)), replication r of each arm drawn with the same seed

    Returns
    -------
    Interval of arrays of shape ``(...)``: the mean over replications of ``policy - base``, and
    ``t(0.975, R - 1) * sd / sqrt(R)`` of the differences (0 when they are all equal)
    """
    differences = policy - base
    replications = differences.shape[0]
    standard_error = differences.std(axis=0, ddof=1) / np.sqrt(replications)
    return Interval(differences.mean(axis=0), _half_width(standard_error, replications - 1))


def unpaired(base: np.ndarray, policy: np.ndarray) -> Interval:
    """The difference of the arms' means with Welch's 95% half-width, as if the arms were drawn
    independently (what the comparison would give without common random numbers).

    Parameters
    ----------
    base, policy : ndarray(float, (R, ...))
    """
    replications = base.shape[0]
    base_variance = base.var(axis=0, ddof=1) / replications
    policy_variance = policy.var(axis=0, ddof=1) / replications
    total = base_variance + policy_variance
    with np.errstate(invalid="ignore", divide="ignore"):
        degrees_of_freedom = total**2 / ((base_variance**2 + policy_variance**2) / (replications - 1))
    return Interval(policy.mean(axis=0) - base.mean(axis=0), _half_width(np.sqrt(total), degrees_of_freedom))


def effect_frame(base: pd.DataFrame, policy: pd.DataFrame, money_unit: str = "USD") -> pd.DataFrame:
    """The policy's effect on each compared figure, with paired and unpaired 95% intervals.

    Parameters
    ----------
    base, policy : DataFrame, one row per replication (the same order in both), one column per
        figure of :data:`METRICS` (see :func:`run_figures`)
    money_unit : str, the runs' money unit (``simulation.money_unit``), in which ``unit`` names amounts

    Returns
    -------
    DataFrame, one row per figure in :data:`METRICS` order: metric, base and policy (means over
    replications), effect (mean paired difference), ci95_low, ci95_high (paired t interval),
    unit, unpaired_ci95_low, unpaired_ci95_high (Welch's interval of the difference of means)
    """
    names = [name for name in BY_NAME if name in base.columns]
    base_values, policy_values = base[names].to_numpy(float), policy[names].to_numpy(float)
    pair, apart = paired(base_values, policy_values), unpaired(base_values, policy_values)
    return pd.DataFrame({
        "metric": names,
        "base": base_values.mean(axis=0),
        "policy": policy_values.mean(axis=0),
        "effect": pair.estimate,
        "ci95_low": pair.estimate - pair.half_width,
        "ci95_high": pair.estimate + pair.half_width,
        "unit": [in_unit(BY_NAME[name].unit, money_unit) for name in names],
        "unpaired_ci95_low": apart.estimate - apart.half_width,
        "unpaired_ci95_high": apart.estimate + apart.half_width,
    })


def monthly_effect_frame(base: list[pd.DataFrame], policy: list[pd.DataFrame], group: str | None = None
                         ) -> pd.DataFrame:
    """Each monthly series of both arms and the policy's effect on it, month by month (and, with
    ``group``, by the group each row of the frames is about, e.g. ``"destination"``).

    Parameters
    ----------
    base, policy : lists of R monthly frames (``Result.monthly``, or with ``group``
        ``Result.monthly_by_destination``), replication r at place r; rows in the same order in
        every frame
    group : str, optional; a column naming what each row is about besides its month

    Returns
    -------
    DataFrame in long form, one row per (series, month[, group]): month, date (when the policy's or
    else the base's runs have one), the group column, series, base and policy (means over
    replications), effect (mean paired difference), band (half-width of its 95% paired t interval:
    effect +- band) and unpaired_band (the half-width of Welch's interval, were the runs unpaired)
    """
    keys = ["month", "date"] + ([group] if group else [])
    series = [name for name in base[0].columns if name not in keys]
    base_values = np.stack([frame[series].to_numpy(float) for frame in base])
    policy_values = np.stack([frame[series].to_numpy(float) for frame in policy])
    pair, apart = paired(base_values, policy_values), unpaired(base_values, policy_values)
    frame = pd.DataFrame({"month": np.tile(base[0]["month"].to_numpy(), len(series))})
    dated = next((frames[0]["date"] for frames in (policy, base) if "date" in frames[0]), None)
    if dated is not None:
        frame["date"] = np.tile(dated.to_numpy(), len(series))
    if group:
        frame[group] = np.tile(base[0][group].to_numpy(), len(series))
    frame["series"] = np.repeat(series, len(base[0]))
    for column, values in (("base", base_values.mean(axis=0)), ("policy", policy_values.mean(axis=0)),
                           ("effect", pair.estimate), ("band", pair.half_width),
                           ("unpaired_band", apart.half_width)):
        frame[column] = values.T.reshape(-1)
    return frame


def shown(value: float, metric: Metric, signed: bool = False) -> str:
    """A value of ``metric`` in the unit its label names, one decimal below 1,000: ``247.5``,
    ``+13.8``, ``29,887``, ``9.9``; ``n/a`` for NaN."""
    value = value / metric.shown_per_unit
    if np.isnan(value):
        return "n/a"
    text = f"{abs(value):,.0f}" if abs(value) >= 1000 else f"{abs(value):,.1f}"
    sign = "-" if value < 0 and text.strip("0.,") else ("+" if signed and value > 0 else "")
    return sign + text


def label(metric: Metric, unit: str) -> str:
    """The metric's label with its amounts in the money unit of ``unit`` (its row's unit in
    ``effects.csv``): ``"state revenue, SUR m per year"`` for ``"SUR per year"``."""
    return in_unit(metric.label, money_unit_of(unit) or "USD")


def table_rows(effects: pd.DataFrame) -> list[tuple[str, ...]]:
    """The effects as text cells, a header first: figure, base, policy, effect (paired 95% interval),
    and the unpaired interval, each in the unit the figure's label names."""
    rows = [("figure", "base", "policy", "effect (95% interval, paired)", "unpaired 95% interval")]
    for row in effects.itertuples():
        metric = BY_NAME[row.metric]
        rows.append((label(metric, row.unit), shown(row.base, metric), shown(row.policy, metric),
                     f"{shown(row.effect, metric, True)} ({shown(row.ci95_low, metric)} to "
                     f"{shown(row.ci95_high, metric)})",
                     f"{shown(row.unpaired_ci95_low, metric)} to {shown(row.unpaired_ci95_high, metric)}"))
    return rows


def table_lines(effects: pd.DataFrame) -> list[str]:
    """The effects as aligned text lines (see :func:`table_rows`; the header's first cell left blank)."""
    rows = table_rows(effects)
    rows[0] = ("", *rows[0][1:])
    widths = [max(len(row[column]) for row in rows) for column in range(5)]
    return [f"  {row[0]:<{widths[0]}}  " + "  ".join(f"{cell:>{width}}" for cell, width in zip(row[1:], widths[1:]))
            for row in rows]
