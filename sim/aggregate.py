"""Turn a run's summed accumulators into tables: monthly series, household outcomes, summary.

Pure functions of a :class:`sim.engine.RawRun` and its scenario; no I/O.
Simulated workers are scaled to real ones by ``weight`` (real workers per
simulated slot). Two kinds of numbers, never mixed: within a run, a 95%
interval is sampling noise of the simulation; uncertainty about inputs needs
several runs (sweeps).
"""
import math

import numpy as np
import pandas as pd

from sim import layout as L
from sim.config import Scenario
from sim.engine import RawRun

QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)
QUANTILE_COLUMNS = tuple(f"p{round(q * 100)}" for q in QUANTILES)
Z_95 = 1.959963984540054
MONEY_TOTALS = (L.C_GROSS, L.C_STATE, L.C_MANAGERS, L.C_EXPENSES, L.C_KEPT)


def weight(raw: RawRun, scenario: Scenario) -> float:
    """Real workers each simulated slot stands for."""
    sim = scenario.simulation
    real = sim.stock_target if sim.mode == "stock" else (sim.cohort_size or raw.n_slots)
    return real / raw.n_slots


def monthly_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame:
    """Monthly series at real-world scale: one row per month, USD and worker counts."""
    scale = weight(raw, scenario)
    frame = pd.DataFrame({"month": np.arange(raw.monthly.shape[0])})
    for index, name in enumerate(L.MONTHLY_SERIES):
        column = raw.monthly[:, index].astype(np.float64) * scale
        frame[name] = column / 100.0 if name.endswith("_usd") else column
    return frame


def histogram_edges(metric: int) -> np.ndarray:
    """Edges of the inner bins 1..HISTOGRAM_BINS-2 of ``metric`` (bin 0 and the last catch the rest)."""
    low, width = L.HISTOGRAM_LOW[metric], L.HISTOGRAM_WIDTH[metric]
    return low + width * np.arange(L.HISTOGRAM_BINS - 1)


def histogram_quantiles(counts: np.ndarray, metric: int, quantiles=QUANTILES) -> np.ndarray:
    """Quantiles from a histogram, interpolating linearly within a bin.

    A quantile that falls in an overflow bin is NaN: the histogram's range
    (:data:`sim.layout.HISTOGRAM_LOW`, ``HISTOGRAM_WIDTH``) is too narrow for it.
    """
    total = counts.sum()
    result = np.full(len(quantiles), np.nan)
    if total == 0:
        return result
    edges = histogram_edges(metric)
    cumulative = np.cumsum(counts)
    for i, q in enumerate(quantiles):
        target = q * total
        b = int(np.searchsorted(cumulative, target, side="left"))
        if b == 0 or b >= L.HISTOGRAM_BINS - 1:
            continue
        before = cumulative[b - 1]
        inside = (target - before) / counts[b] if counts[b] else 0.0
        result[i] = edges[b - 1] + inside * (edges[b] - edges[b - 1])
    return result


def histogram_sd(counts: np.ndarray, metric: int) -> float:
    """Standard deviation from bin midpoints (bins are narrow: $10, $0.5, 1 month)."""
    total = counts.sum()
    if total < 2:
        return math.nan
    edges = histogram_edges(metric)
    mids = np.concatenate(([edges[0]], 0.5 * (edges[:-1] + edges[1:]), [edges[-1]]))
    mean = (counts * mids).sum() / total
    return math.sqrt(max(((counts * (mids - mean) ** 2).sum()) / (total - 1), 0.0))


def _cell_index(scenario: Scenario) -> pd.DataFrame:
    """Destination, skill and regime names of each cell, in kernel order."""
    rows = [
        (destination, skill, regime)
        for destination in scenario.destinations
        for skill in scenario.skills
        for regime in L.REGIMES
    ]
    return pd.DataFrame(rows, columns=["destination", "skill", "regime"])


def groups(scenario: Scenario):
    """Yield (group, level, boolean mask over cells): everyone, then by destination, skill, regime."""
    cells = _cell_index(scenario)
    yield "all", "all", np.ones(len(cells), bool)
    for column in ("destination", "skill", "regime"):
        for level in cells[column].unique():
            yield column, level, (cells[column] == level).to_numpy()


OUTCOME_MEANS = {
    "cash_home_usd": (L.H_CASH, L.C_CASH, 100.0),
    "net_gain_usd": (L.H_NET, L.C_NET, 100.0),
    "kept_usd_per_month": (L.H_KEPT_PER_MONTH, L.C_KEPT_PER_MONTH, 100.0),
    "months_served": (L.H_MONTHS, L.C_MONTHS, 1.0),
}
"""Outcome name -> (histogram metric, cell-total column, divisor to USD or months)."""


def _distribution_row(counts, total, n, metric, divisor):
    mean = total / divisor / n if n else math.nan
    half_width = Z_95 * histogram_sd(counts, metric) / math.sqrt(n) if n > 1 else math.nan
    out_of_range = (counts[0] + counts[-1]) / n if n else 0.0
    row = {"mean": mean, "ci95_low": mean - half_width, "ci95_high": mean + half_width}
    row.update(zip(QUANTILE_COLUMNS, histogram_quantiles(counts, metric)))
    row["out_of_range_share"] = out_of_range
    return row


def _scaled(row, factor):
    return {key: (value * factor if key != "out_of_range_share" else value) for key, value in row.items()}


def outcome_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame:
    """Household outcomes of the hires of the run, overall and by destination, skill and regime.

    One row per (group, level, outcome) with the number of simulated workers,
    the mean and its 95% interval (sampling noise), and quantiles. Outcomes:
    cash brought home, net gain over staying home, kept per month, months
    served, effective hourly pay (kept per month over hours worked), and the
    share worse off than at home (its quantile columns are empty).
    """
    hours_per_month = scenario.work.hours_per_day * scenario.work.days_per_month
    rows = []
    for group, level, mask in groups(scenario):
        totals = raw.cell_totals[mask].sum(axis=0)
        histograms = raw.histogram[mask].sum(axis=0)
        n = int(totals[L.C_WORKERS])
        base = {"group": group, "level": level, "workers": n}
        for name, (metric, column, divisor) in OUTCOME_MEANS.items():
            row = _distribution_row(histograms[metric], totals[column], n, metric, divisor)
            rows.append({**base, "outcome": name, **row})
            if name == "kept_usd_per_month":
                hourly = _scaled(row, 1.0 / hours_per_month)
                rows.append({**base, "outcome": "effective_hourly_pay_usd", **hourly})
        share = totals[L.C_WORSE_OFF] / n if n else math.nan
        half_width = Z_95 * math.sqrt(share * (1 - share) / n) if n else math.nan
        rows.append({**base, "outcome": "share_worse_off_than_home", "mean": share,
                     "ci95_low": share - half_width, "ci95_high": share + half_width, "out_of_range_share": 0.0})
    columns = ["group", "level", "outcome", "workers", "mean", "ci95_low", "ci95_high",
               *QUANTILE_COLUMNS, "out_of_range_share"]
    return pd.DataFrame(rows, columns=columns)


def distribution_frame(raw: RawRun, bin_usd: float = 100.0) -> pd.DataFrame:
    """Overall histograms of cash brought home and net gain, re-binned to ``bin_usd`` (for plots)."""
    frames = []
    for name, metric in (("cash_home_usd", L.H_CASH), ("net_gain_usd", L.H_NET)):
        counts = raw.histogram[:, metric].sum(axis=0)[1:-1]
        factor = int(round(bin_usd / L.HISTOGRAM_WIDTH[metric]))
        usable = len(counts) // factor * factor
        coarse = counts[:usable].reshape(-1, factor).sum(axis=1)
        low = L.HISTOGRAM_LOW[metric] + bin_usd * np.arange(len(coarse))
        keep = np.flatnonzero(coarse)
        if len(keep):
            span = slice(keep[0], keep[-1] + 1)
            frames.append(pd.DataFrame({"outcome": name, "bin_low_usd": low[span],
                                        "bin_high_usd": low[span] + bin_usd, "workers": coarse[span]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["outcome", "bin_low_usd", "bin_high_usd", "workers"])


def _per_year(total_cents, sumsq_usd2, raw, scenario):
    """Annual total at real scale with a 95% interval from the spread across slots."""
    n = raw.n_slots
    per_year = weight(raw, scenario) * 12.0 / scenario.simulation.horizon_months
    mean_slot = total_cents / 100.0 / n
    variance = max(sumsq_usd2 - n * mean_slot**2, 0.0) / (n - 1) if n > 1 else math.nan
    mean = per_year * total_cents / 100.0
    half_width = per_year * Z_95 * math.sqrt(n * variance)
    return {"mean": mean, "ci95_low": mean - half_width, "ci95_high": mean + half_width}


def accounting_residual_usd(raw: RawRun) -> float:
    """Largest |gross - state - managers - expenses - kept| over months and over cells (USD)."""
    monthly = raw.monthly
    by_month = (monthly[:, L.M_GROSS] - monthly[:, L.M_STATE] - monthly[:, L.M_MANAGERS]
                - monthly[:, L.M_EXPENSES] - monthly[:, L.M_KEPT])
    gross, state, managers, expenses, kept = (raw.cell_totals[:, c] for c in MONEY_TOTALS)
    by_cell = gross - state - managers - expenses - kept
    return float(max(np.abs(by_month).max(initial=0), np.abs(by_cell).max(initial=0))) / 100.0


def _cell_mean(raw: RawRun, column: int) -> float:
    workers = raw.cell_totals[:, L.C_WORKERS].sum()
    return raw.cell_totals[:, column].sum() / workers if workers else math.nan


def summary(raw: RawRun, scenario: Scenario, outcomes: pd.DataFrame) -> dict:
    """Headline figures of a run (JSON-ready)."""
    overall = outcomes[outcomes["group"] == "all"].set_index("outcome")
    keys = ["mean", *QUANTILE_COLUMNS]

    def distribution(name):
        return {key: float(overall.loc[name, key]) for key in keys}

    scale = weight(raw, scenario)
    return {
        "state_revenue_usd_per_year": _per_year(
            raw.monthly[:, L.M_STATE].sum(), raw.state_revenue_sumsq_usd2, raw, scenario),
        "manager_skim_usd_per_year": _per_year(
            raw.monthly[:, L.M_MANAGERS].sum(), raw.managers_revenue_sumsq_usd2, raw, scenario),
        "workers_active_mean": float(raw.monthly[:, L.M_ACTIVE].mean() * scale),
        "cash_home_usd": distribution("cash_home_usd"),
        "net_gain_usd": distribution("net_gain_usd"),
        "kept_usd_per_month": distribution("kept_usd_per_month"),
        "share_worse_off_than_home": float(overall.loc["share_worse_off_than_home", "mean"]),
        "stay_home_earnings_usd_mean": _cell_mean(raw, L.C_STAY_HOME) / 100.0,
        "accounting_max_abs_residual_usd": accounting_residual_usd(raw),
        "n_workers_simulated": raw.n_slots,
        "n_returns_recorded": int(raw.cell_totals[:, L.C_WORKERS].sum()),
        "worker_months_simulated": int(raw.monthly[:, L.M_ACTIVE].sum()),
        "weight_real_workers_per_simulated": scale,
        "mode": scenario.simulation.mode,
        "horizon_months": scenario.simulation.horizon_months,
        "seed": raw.seed,
    }
