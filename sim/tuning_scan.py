"""How hard the tuning works: each tuned figure against a one-dimensional scan of its parameter.

A ``tuned`` source figure is in range because a parameter (its ``tuned_by``) was set to hit it.
Whether that says anything depends on how wide the parameter's window is: a figure in range only
at the configured value is a knife-edge fit. The scan runs the scenario again with that
parameter scaled by each of :data:`FACTORS` (its distribution's shape kept: every location and
scale argument multiplied) and records the simulated figure. Every point uses the run's seed, so
the points share their random numbers (common random numbers) and the curve is smooth.

The result is ``tuning_scan.csv`` (one row per parameter value and figure), drawn by
:func:`sim.calibration_plots.tuning_scan_figure` and tabled in ``report.html``.
"""
import math

import numpy as np
import pandas as pd
from pydantic import TypeAdapter

from sim.config import ConfigError, Scenario
from sim.validation import validate
from sim.distributions import Distribution, as_distribution

FACTORS = tuple(np.round(np.linspace(0.2, 1.8, 9), 2))
"""Multiples of the configured parameter scanned: 0.2 to 1.8, the configured value in the middle."""
WORKERS = 10_000
"""Simulated slots per scan point (fewer when the run itself has fewer)."""
SCALED = ("value", "low", "mode", "high", "median", "range90")
"""The arguments of a distribution that scale with it (``dist`` and whole-number families aside)."""
COLUMNS = ["parameter", "factor", "parameter_mean", "figure", "unit", "low", "high", "simulated",
           "in_range", "status"]


def tuned_parameters(calibration: pd.DataFrame) -> dict[str, list[str]]:
    """Parameter (dotted key) -> the compared tuned figures it was set to hit, in table order."""
    compared = calibration[calibration["status"].isin(["in range", "out of range"])
                           & (calibration["kind"] == "tuned")]
    parameters: dict[str, list[str]] = {}
    for row in compared.itertuples():
        parameters.setdefault(row.tuned_by, []).append(row.name)
    return parameters


def scaled(value, factor: float):
    """A config value (a number or a distribution table) with its location and scale times ``factor``."""
    if not isinstance(value, dict):
        return value * factor
    whole = value.get("dist") == "discrete_uniform"
    return {key: ((round(item * factor) if whole else np.multiply(item, factor).tolist()) if key in SCALED else item)
            for key, item in value.items()}


def mean(value) -> float:
    """The mean of a config value (a number or a distribution table)."""
    dist = TypeAdapter(Distribution).validate_python(as_distribution(value))
    args = dist.model_dump()
    family = args["dist"]
    if family == "fixed":
        return float(args["value"])
    if family in ("uniform", "discrete_uniform"):
        return (args["low"] + args["high"]) / 2.0
    if family == "triangular":
        return (args["low"] + args["mode"] + args["high"]) / 3.0
    if family == "pert":
        return (args["low"] + 4.0 * args["mode"] + args["high"]) / 6.0
    return args["median"] * math.exp(dist.sigma ** 2 / 2.0)  # lognormal


def _lookup(raw: dict, parameter: str):
    """The table holding ``parameter`` (a dotted key) in ``raw`` and the key's last part; None when
    the scenario does not set it."""
    *tables, key = parameter.split(".")
    for table in tables:
        raw = raw.get(table) if isinstance(raw, dict) else None
    return (raw, key) if isinstance(raw, dict) and key in raw else None


def unscannable(raw: dict, parameter: str) -> str | None:
    """Why ``parameter`` cannot be scaled in the scenario data ``raw``, or None when it can."""
    found = _lookup(raw, parameter)
    if found is None:
        return "is not set in this scenario"
    value = found[0][found[1]]
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not number and not (isinstance(value, dict) and "dist" in value):
        return "is not a number or a distribution"
    return None


def scan(scenario: Scenario, calibration: pd.DataFrame, simulate) -> pd.DataFrame:
    """The scan of every tuned figure of ``calibration`` (the run's calibration table).

    Parameters
    ----------
    scenario : the scenario run
    calibration : DataFrame, its calibration table (:func:`sim.calibration.calibration_frame`)
    simulate : callable, Scenario -> its calibration DataFrame (the run's seed, at most :data:`WORKERS`)

    Returns
    -------
    DataFrame with :data:`COLUMNS`: one row per parameter, factor and figure; ``simulated`` is
    NaN (``in_range`` empty), and ``status`` says why, where the scaled scenario is not valid or the
    figure is not compared with it
    """
    rows = []
    source = str(scenario.source_path or "<config>")
    for parameter, names in tuned_parameters(calibration).items():
        base = calibration.set_index("name").loc[names]
        problem = unscannable(scenario.to_toml_dict(), parameter)
        if problem:
            rows += [{"parameter": parameter, "figure": name, "status": f"not scanned: {parameter} {problem}"}
                     for name in names]
            continue
        for factor in FACTORS:
            raw = scenario.to_toml_dict()
            raw["calibration"] = {**raw.get("calibration", {}), "tuning_scan": False}
            raw["calibration"].pop("targets_file", None)
            table, key = _lookup(raw, parameter)
            table[key] = scaled(table[key], float(factor))
            try:
                point = validate(raw, source)
            except ConfigError as error:
                found, status = None, f"not run: {error.problems[0].removeprefix(source + ': ')}"
            else:
                point._source_path = scenario.source_path
                found, status = simulate(point).set_index("name"), None
            for name in names:
                figure = base.loc[name]
                simulated = math.nan if found is None else float(found.loc[name, "simulated"])
                rows.append({"parameter": parameter, "factor": float(factor), "parameter_mean": mean(table[key]),
                             "figure": name, "unit": figure["unit"], "low": figure["low"], "high": figure["high"],
                             "simulated": simulated,
                             "in_range": None if math.isnan(simulated) else bool(figure["low"] <= simulated <= figure["high"]),
                             "status": status or found.loc[name, "status"]})
    return pd.DataFrame(rows, columns=COLUMNS)


def in_range_span(frame: pd.DataFrame) -> pd.DataFrame:
    """Per parameter and figure: scanned values in range (``points_in_range`` of ``points``) and the
    lowest and highest parameter means (``lowest_in_range``, ``highest_in_range``) that keep it in range."""
    frame = frame.assign(kept=frame["in_range"].fillna(False).astype(bool))
    kept = frame[frame["kept"]].groupby(["parameter", "figure"], sort=False)["parameter_mean"]
    spans = frame.groupby(["parameter", "figure"], sort=False).agg(points=("factor", "size"),
                                                                   points_in_range=("kept", "sum"))
    return spans.join(kept.min().rename("lowest_in_range")).join(kept.max().rename("highest_in_range")).reset_index()


def describe(frame: pd.DataFrame) -> str:
    """One line: how many scanned values keep each tuned figure in range, and over what span, e.g.
    ``'kept_per_month_russia 9 of 9 (31 to 279), cash_home_russia 5 of 9 (62 to 186) of
    quota.retention_usd_per_month, mean'``; ``'nothing tuned to scan'`` for an empty scan."""
    scanned = frame.dropna(subset=["factor"])
    if scanned.empty:
        return "; ".join(frame["status"].drop_duplicates()) or "nothing tuned to scan"
    parts = []
    for parameter, spans in in_range_span(scanned).groupby("parameter", sort=False):
        figures = ", ".join(f"{row.figure} {row.points_in_range} of {row.points}"
                            + (f" ({row.lowest_in_range:,.4g} to {row.highest_in_range:,.4g})"
                               if row.points_in_range else "") for row in spans.itertuples())
        parts.append(f"{figures} of {parameter}, mean")
    return "; ".join(parts)
