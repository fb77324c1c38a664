"""A calibration's results directory: the fit, the targets, a figure, and a config to run forward.

``fit.csv`` (input, value, ci95_low, ci95_high, se, low, high, start), ``targets.csv`` (target,
date, observed, sd, simulated, simulated_sd, residual, z), ``fit.png`` (simulated against
observed: each series the targets read over the run's dates, the observations with their 95%
ranges; source figures as ranges beside the simulated value), ``fitted.toml`` (a scenario file
that ``extends`` the study's base with the fitted values: ``sim run fitted.toml`` predicts the
dates after the observations) and ``manifest.json``. Written aside and renamed into place.
"""
import json
import os
import re
import time
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from sim import calendar, executors, results, series
from sim.config import ConfigError
from sim.labels import in_unit
from sim.targets import Z95
from sim.figure_style import NUMBER, save

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(part: str) -> str:
    return part if BARE_KEY.match(part) else json.dumps(part)


def fitted_toml(study, fit, directory: Path) -> str:
    """A scenario file extending the study's base (a path relative to ``directory``) with each
    fitted input set at its key path."""
    base = (study.path.parent if study.path else Path.cwd()) / study.spec.base
    lines = [f"# The fitted values of {study.source} (sim calibrate, "
             f"{datetime.now(timezone.utc):%Y-%m-%d}); fit.csv has their 95% intervals.",
             f"extends = {json.dumps(os.path.relpath(base.resolve(), directory.resolve()))}",
             ""]
    tables: dict[str, list[str]] = {}
    for row in fit.inputs.itertuples():
        *table, name = row.input.split(".")
        tables.setdefault(".".join(map(_key, table)), []).append(f"{_key(name)} = {float(row.value)!r}")
    for table, entries in tables.items():
        lines += [f"[{table}]", *entries, ""]
    return "\n".join(lines)


def figure(study, fit) -> Figure:
    """Simulated against observed: a panel per series the targets read, one for source figures."""
    panels = list(fit.series)
    ranged = fit.targets[fit.targets["date"].isna()]
    count = len(panels) + (len(ranged) > 0)
    chart = Figure(figsize=(6.5, 3.4 * count + 0.4), layout="constrained")
    axes = [chart.add_subplot(count, 1, i + 1) for i in range(count)]
    start = study.base.simulation.start
    by_series = {target.name: target for target in study.targets}
    for ax, name in zip(axes, panels):
        runs = fit.series[name]
        months = np.arange(runs.shape[1])
        dates = calendar.month_dates(start, months) if start else months
        chosen = [by_series[row.target] for row in fit.targets.itertuples() if by_series[row.target].series == name]
        statistic = chosen[0].statistic
        how = series.STATISTICS[statistic].how
        factor = 12.0 if how == "per_year" else 1.0  # a total is drawn per month: observed / months
        for run in runs:
            ax.plot(dates, run * factor, color="tab:blue", alpha=0.25, linewidth=0.8)
        ax.plot(dates, runs.mean(axis=0) * factor, color="tab:blue", label=f"simulated at the fit ({len(runs)} runs)")
        observed = fit.targets.set_index("target").loc[[target.name for target in chosen]]
        per = np.array([target.last - target.first + 1 if how == "total" else 1 for target in chosen])
        for target, value in zip(chosen, observed["observed"] / per):
            if target.last > target.first:
                ax.plot([dates[target.first], dates[target.last]], [value, value], color="black", linewidth=1.5)
        at = [dates[(target.first + target.last) // 2] for target in chosen]
        ax.errorbar(at, observed["observed"] / per, yerr=Z95 * observed["sd"] / per, fmt="o", color="black",
                    capsize=3, label="observed (95% range; a bar spans its months)")
        unit = in_unit(series.STATISTICS[statistic].unit, study.base.simulation.money_unit)
        statistic += f" per month ({unit})" if how == "total" else f" ({unit})"
        ax.set_ylabel(statistic)
        ax.yaxis.set_major_formatter(NUMBER)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    if len(ranged):
        ax = axes[-1]
        where = np.arange(len(ranged))
        ax.errorbar(ranged["observed"], where, xerr=Z95 * ranged["sd"], fmt="o", color="black", capsize=3,
                    label="source figure (range)")
        ax.plot(ranged["simulated"], where, "D", color="tab:blue", label="simulated at the fit")
        ax.set_yticks(where, ranged["target"].tolist())
        ax.xaxis.set_major_formatter(NUMBER)
        ax.legend(fontsize="small")
    if panels:
        chart.autofmt_xdate()
    values = ", ".join(f"{row.input} = {row.value:.4g} ({row.ci95_low:.4g} to {row.ci95_high:.4g})"
                       for row in fit.inputs.itertuples())
    chart.suptitle(f"{study.name}: {values}", fontsize="medium", wrap=True)
    return chart


def write(study, fit, out, executor, started: datetime, seconds: float) -> Path:
    """Write the calibration's directory under ``out`` (``<study>-calibrated-<UTC time>``); return it."""
    manifest = {"study_file": study.source, "digest": study.digest, **study.to_dict(),
                "objective": fit.objective, "evaluations": fit.evaluations, "optimiser": fit.message,
                "executor": executor.description, "started_utc": started.isoformat(timespec="seconds"),
                "wall_seconds": seconds, "command": sys.argv if sys.argv and sys.argv[0] else None,
                "versions": results.versions(), "git_commit": results.git_commit(Path(__file__).resolve().parent)}

    def fill(directory: Path):
        fit.inputs.to_csv(directory / "fit.csv", index=False)
        fit.targets.to_csv(directory / "targets.csv", index=False)
        (directory / "fitted.toml").write_text(fitted_toml(study, fit, directory))
        save(figure(study, fit), directory / "fit.png")
        results.write_json(directory / "manifest.json", manifest)

    name = f"{results.safe_name(study.name)}-calibrated-{results.timestamp()}"
    return results.write_atomically(out, name, fill)


def calibrate(study, out="results", executor=None):
    """Fit a calibration study and write its directory (see the module docstring).

    Parameters
    ----------
    study : CalibrationStudy or path of a calibration study file
    out : path; a new directory is made in it
    executor : an executor of :mod:`sim.executors` (default: this process); left open

    Returns
    -------
    (Path, Fit): the directory written, and the fit (:class:`sim.fitting.Fit`)

    Raises
    ------
    ConfigError : a bad study or an unusable ``out`` (nothing written)
    """
    from sim.calibrate_study import CalibrationStudy, load_calibration
    from sim.fitting import fit as fitted

    study = study if isinstance(study, CalibrationStudy) else load_calibration(study)
    problem = results.output_problem(Path(out))
    if problem:
        raise ConfigError([f"{out}: {problem}"])
    executor = executors.Serial() if executor is None else executor
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    found = fitted(study, executor)
    return write(study, found, Path(out), executor, started, time.perf_counter() - clock), found
