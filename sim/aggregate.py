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

from sim import bins, calendar, outputs, schema
from sim import layout as L
from sim.config import Scenario
from sim.engine import RawRun

QUANTILES = (0.05, 0.25, 0.50, 0.75, 0.95)
QUANTILE_COLUMNS = tuple(f"p{round(q * 100)}" for q in QUANTILES)
Z_95 = 1.959963984540054


def weight(raw: RawRun, scenario: Scenario) -> float:
    """Real workers each simulated slot stands for."""
    sim = scenario.simulation
    real = sim.stock_target if sim.mode == "stock" else (sim.cohort_size or raw.n_slots)
    return real / raw.n_slots


MIX_SUMS = {column.name: column.name.removesuffix("_sum") + "_mean" for column in outputs.columns("monthly")
            if column.unit == "months summed"}
"""Monthly sums over the workers abroad -> the per-worker means ``monthly_frame`` reports instead."""


def monthly_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame:
    """Monthly series at real-world scale: one row per month, USD and worker counts.

    With ``simulation.start`` set, a ``date`` column gives each month's first day.
    ``contract_months_mean`` and ``months_served_mean`` describe the workers abroad that month
    (their contract length, and the months they had served before it); NaN when nobody is.
    """
    scale = weight(raw, scenario)
    frame = pd.DataFrame({"month": np.arange(raw.monthly.shape[0])})
    if scenario.simulation.start is not None:
        frame["date"] = calendar.month_dates(scenario.simulation.start, frame["month"])
    active = raw.monthly[:, L.M.workers_active].astype(np.float64)
    for index, column in enumerate(outputs.columns("monthly")):
        values = raw.monthly[:, index].astype(np.float64)
        if column.name in MIX_SUMS:
            frame[MIX_SUMS[column.name]] = np.divide(values, active, out=np.full_like(values, np.nan), where=active > 0)
        else:
            frame[column.name] = values * scale / 100.0 if column.unit in outputs.MONEY_UNITS else values * scale
    return frame


def monthly_by_destination_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame:
    """Monthly series by destination at real-world scale, long: one row per month and destination
    (``month``, ``date`` with ``simulation.start``, ``destination``, then the columns of
    ``sim.layout.MONTHLY_BY_DESTINATION``), so ``frame.groupby("destination")`` gives each
    destination's series and a sum over destinations gives ``monthly_frame``'s same columns."""
    return _by_group_frame(raw, scenario, "monthly_by_destination", "destination", list(scenario.destinations))


def monthly_by_status_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame | None:
    """Monthly series by status at real-world scale, long like :func:`monthly_by_destination_frame`
    (a ``status`` column: ``work_permit``, then the names of ``[statuses]``); None when the
    scenario has no statuses (everyone is on a work permit: ``monthly_frame`` says it all)."""
    if not scenario.statuses:
        return None
    return _by_group_frame(raw, scenario, "monthly_by_status", "status", scenario.status_names())


def _by_group_frame(raw: RawRun, scenario: Scenario, table: str, group: str, names: list) -> pd.DataFrame:
    """``raw``'s ``table`` (months x groups x columns) at real-world scale, long: ``month``,
    ``date`` with ``simulation.start``, ``group`` (the ``names``), then the table's columns."""
    totals = getattr(raw, table)
    horizon, n_groups = totals.shape[:2]
    scale = weight(raw, scenario)
    frame = pd.DataFrame({"month": np.repeat(np.arange(horizon), n_groups)})
    if scenario.simulation.start is not None:
        frame["date"] = calendar.month_dates(scenario.simulation.start, frame["month"])
    frame[group] = np.tile(np.array(names, dtype=object), horizon)
    flat = totals.reshape(horizon * n_groups, -1).astype(np.float64)
    for index, column in enumerate(outputs.columns(table)):
        frame[column.name] = flat[:, index] * scale / (100.0 if column.unit in outputs.MONEY_UNITS else 1.0)
    return frame


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


OUTCOME_MEANS = {column.name: (getattr(L.H, column.name), getattr(L.C, column.name),
                                100.0 if column.unit in outputs.MONEY_UNITS else 1.0)
                 for column in outputs.columns("histograms")}
"""Outcome name -> (histogram metric, the cell-total column of the same name, divisor to USD or months)."""


def _distribution_row(histogram, total, n, divisor):
    """Mean with its 95% interval and quantiles of one outcome; ``histogram``: (bins, 2) int64."""
    counts, sums = histogram[:, bins.COUNT], histogram[:, bins.SUM]
    mean = total / divisor / n if n else math.nan
    half_width = Z_95 * bins.standard_deviation(counts, sums) / divisor / math.sqrt(n) if n > 1 else math.nan
    row = {"mean": mean, "ci95_low": mean - half_width, "ci95_high": mean + half_width}
    row.update(zip(QUANTILE_COLUMNS, bins.quantiles(counts, sums, QUANTILES) / divisor))
    return row


def outcome_frame(raw: RawRun, scenario: Scenario, by_group: bool = True) -> pd.DataFrame:
    """Household outcomes of the hires of the run, overall and (``by_group``) by destination,
    skill and regime.

    One row per (group, level, outcome) with the returned hires it covers
    (``workers_simulated``, and ``workers_real``: the real workers they stand
    for, simulated times :func:`weight`), the mean and its 95% interval
    (sampling noise), and quantiles. Outcomes:
    cash brought home, net gain over staying home, kept per month, months
    served, effective hourly pay (kept per month over hours worked), and the
    share worse off than at home (its quantile columns are empty).
    """
    hours_per_month = scenario.work.hours_per_day * scenario.work.days_per_month
    scale = weight(raw, scenario)
    rows = []
    everyone = [("all", "all", np.ones(len(raw.cell_totals), bool))]
    for group, level, mask in groups(scenario) if by_group else everyone:
        totals = raw.cell_totals[mask].sum(axis=0)
        histograms = raw.histogram.sum(axis=0) if mask.all() else raw.histogram[mask].sum(axis=0)  # no copy
        n = int(totals[L.C.workers])
        base = {"group": group, "level": level, "workers_simulated": n, "workers_real": n * scale}
        for name, (metric, column, divisor) in OUTCOME_MEANS.items():
            row = _distribution_row(histograms[metric], totals[column], n, divisor)
            rows.append({**base, "outcome": name, **row})
            if name == "kept_usd_per_month":
                hourly = {key: value / hours_per_month for key, value in row.items()}
                rows.append({**base, "outcome": "effective_hourly_pay_usd", **hourly})
        share = totals[L.C.worse_off] / n if n else math.nan
        half_width = Z_95 * math.sqrt(share * (1 - share) / n) if n else math.nan
        rows.append({**base, "outcome": "share_worse_off_than_home", "mean": share,
                     "ci95_low": share - half_width, "ci95_high": share + half_width})
    columns = ["group", "level", "outcome", "workers_simulated", "workers_real",
               "mean", "ci95_low", "ci95_high", *QUANTILE_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


PLOT_BINS = 100
"""About how many bins the plotted histograms have across the central 99% of workers."""


BY_REASON_MEANS = ("months_served", "gross_earnings_usd", "to_state_usd", "to_managers_usd", "kept_usd",
                   "cash_home_usd", "net_gain_usd", "stay_home_earnings_usd")
"""Cell totals :func:`outcomes_by_reason_frame` reports as a mean per worker (USD, or months)."""


def outcomes_by_reason_frame(raw: RawRun, scenario: Scenario) -> pd.DataFrame:
    """Household outcomes of every returned worker by hire cohort and return reason, overall
    (``destination`` "all") and by destination: one row per (destination, hire_cohort,
    return_reason) of :data:`sim.schema.HIRE_COHORTS` x :data:`sim.schema.RETURN_REASONS`, with
    ``workers_simulated``, ``workers_real``, the share worse off than at home, and the mean per
    worker of :data:`BY_REASON_MEANS` (``_mean`` added to each name; NaN where no worker). The
    cohort "met_at_month_0" (a stock-mode run's workers abroad at month 0, their months before it
    included) is not in ``outcome_frame``, which covers the hires of the run."""
    scale = weight(raw, scenario)
    destinations = _cell_index(scenario)["destination"].to_numpy()
    rows = []
    for destination in ["all", *scenario.destinations]:
        mask = np.ones(len(destinations), bool) if destination == "all" else destinations == destination
        totals = raw.cell_totals_by_reason[mask].sum(axis=0)  # (cohorts, reasons, columns)
        for c, cohort in enumerate(schema.HIRE_COHORTS):
            for r, reason in enumerate(schema.RETURN_REASONS):
                row_totals = totals[c, r]
                n = int(row_totals[L.C.workers])
                row = {"destination": destination, "hire_cohort": cohort, "return_reason": reason,
                       "workers_simulated": n, "workers_real": n * scale,
                       "worse_off_share": row_totals[L.C.worse_off] / n if n else math.nan}
                for name in BY_REASON_MEANS:
                    divisor = 100.0 if name.endswith("_usd") else 1.0
                    row[f"{name}_mean"] = row_totals[getattr(L.C, name)] / divisor / n if n else math.nan
                rows.append(row)
    return pd.DataFrame(rows)


def nice_width(span: float, count: int = PLOT_BINS) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten, at least 1) giving about
    ``count`` bins over ``span``."""
    raw_width = max(span / count, 1.0)
    power = 10.0 ** math.floor(math.log10(raw_width))
    return next(step * power for step in (1.0, 2.0, 2.5, 5.0, 10.0) if step * power >= raw_width)


def distribution_frame(raw: RawRun) -> pd.DataFrame:
    """Overall histograms of cash brought home and net gain (for plots), in round USD bins.

    Each bin counts returned simulated hires (``workers_simulated``).
    The width is chosen so that about :data:`PLOT_BINS` bins span the central 99% of workers;
    every fine bin goes to the coarse bin holding its mean. Bins go one such span beyond it on
    each side; the fewer than 0.5% of workers further out on a side are left out, and so are
    empty bins at the ends.
    """
    frames = []
    for name, metric in (("cash_home_usd", L.H.cash_home_usd), ("net_gain_usd", L.H.net_gain_usd)):
        histogram = raw.histogram[:, metric].sum(axis=0)
        counts, sums = histogram[:, bins.COUNT], histogram[:, bins.SUM]
        filled = np.flatnonzero(counts)
        if not len(filled):
            continue
        low, high = bins.quantiles(counts, sums, (0.005, 0.995)) / 100.0
        width = nice_width(high - low)
        means = sums[filled] / counts[filled] / 100.0
        shown = (means >= low - (high - low) - width) & (means <= high + (high - low) + width)
        coarse = np.floor(means[shown] / width).astype(np.int64)
        first = coarse.min()
        workers = np.bincount(coarse - first, weights=counts[filled][shown]).astype(np.int64)
        keep = np.flatnonzero(workers)
        span = slice(keep[0], keep[-1] + 1)
        bin_low = (first + np.arange(len(workers)))[span] * width
        frames.append(pd.DataFrame({"outcome": name, "bin_low_usd": bin_low, "bin_high_usd": bin_low + width,
                                    "workers_simulated": workers[span]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["outcome", "bin_low_usd", "bin_high_usd", "workers_simulated"])


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
    """Largest breach of the money identities (:data:`sim.outputs.IDENTITIES`) over months (by
    destination and by status too) and over cells, in USD (0 when every cent is accounted for): each
    identity is checked in each table
    that holds its terms, as the columns' roles in :data:`sim.outputs.COLUMNS` give them."""
    worst = 0
    tables = [("monthly", raw.monthly), ("cells", raw.cell_totals)]
    for table in ("monthly_by_destination", "monthly_by_status"):
        totals = getattr(raw, table)
        if totals is not None:
            tables.append((table, totals.reshape(-1, totals.shape[-1])))
    for table, totals in tables:
        for terms in outputs.identity_terms(table).values():
            residual = sum(sign * totals[:, getattr(L.INDICES[table], name)] for name, sign in terms)
            worst = max(worst, int(np.abs(residual).max(initial=0)))
    return worst / 100.0


def _cell_mean(raw: RawRun, column: int) -> float:
    workers = raw.cell_totals[:, L.C.workers].sum()
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
            raw.monthly[:, L.M.to_state_usd].sum(), raw.state_revenue_sumsq_usd2, raw, scenario),
        "manager_skim_usd_per_year": _per_year(
            raw.monthly[:, L.M.to_managers_usd].sum(), raw.managers_revenue_sumsq_usd2, raw, scenario),
        "arrears_collected_usd_per_year": float(raw.monthly[:, L.M.arrears_collected_usd].sum() / 100.0 * scale * 12.0
                                                / scenario.simulation.horizon_months),
        "workers_active_mean": float(raw.monthly[:, L.M.workers_active].mean() * scale),
        "cash_home_usd": distribution("cash_home_usd"),
        "net_gain_usd": distribution("net_gain_usd"),
        "kept_usd_per_month": distribution("kept_usd_per_month"),
        "share_worse_off_than_home": float(overall.loc["share_worse_off_than_home", "mean"]),
        "stay_home_earnings_usd_mean": _cell_mean(raw, L.C.stay_home_earnings_usd) / 100.0,
        "accounting_max_abs_residual_usd": accounting_residual_usd(raw),
        "n_workers_simulated": raw.n_slots,
        "n_returns_recorded": int(raw.cell_totals[:, L.C.workers].sum()),
        "worker_months_simulated": int(raw.monthly[:, L.M.workers_active].sum()),
        "weight_real_workers_per_simulated": scale,
        "mode": scenario.simulation.mode,
        "horizon_months": scenario.simulation.horizon_months,
        "seed": raw.seed,
    }
