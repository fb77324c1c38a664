"""Run a study: every design point and replication through an executor, into one tidy table.

>>> import sim
>>> study = sim.load_study("configs/studies/quota_sweep.toml")
>>> result = sim.sweep(study, out="results")                       # doctest: +SKIP
>>> result.table[["timeline.quota_multiplier", "state_revenue_usd_per_year"]]  # doctest: +SKIP

A sweep writes a new directory (``<study>-<UTC time>``) that it fills as it goes:
``study.json`` first (the study, its resolved base scenario and their digest), then one small
Parquet file per finished run, ``points/<point id>-r<replication>.parquet``, each written aside
and renamed into place, so an interruption at any moment leaves only whole files. At the end
it assembles, in design order, ``table.parquet`` (one row per point and replication: ``point``,
``point_id``, ``replication``, ``seed``, the inputs by key path, the outputs by name),
``monthly.parquet`` (the monthly series, one row per run and month), ``failures.csv`` (runs
that raised, with their inputs and the error; the rest of the table is complete),
``manifest.json`` and the figures (:mod:`sim.sweep_plots`). ``resume=DIR`` checks that DIR was
made by the same study (digest) and runs only the runs without a file, so the table it ends
with is the one an uninterrupted sweep would have written.
"""
import functools
import json
import logging
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from sim import executors, results
from sim.config import ConfigError
from sim.design import KEY_COLUMNS, design, point_inputs, run_seed
from sim.point import EngineModel, point_model
from sim.study import Study, load_study

log = logging.getLogger(__name__)

STUDY_FILE, POINTS, TABLE, MONTHLY, FAILURES, MANIFEST = (
    "study.json", "points", "table.parquet", "monthly.parquet", "failures.csv", "manifest.json")
RUN_COLUMNS = (*KEY_COLUMNS, "replication", "seed")
"""Columns that say which run a row is, before its inputs and outputs."""


class Run(NamedTuple):
    """One run of a sweep: a design point at one replication."""

    point: int
    point_id: str
    replication: int
    seed: int
    inputs: dict

    @property
    def name(self) -> str:
        """The stem of its file under ``points/``."""
        return f"{self.point_id}-r{self.replication}"


class PointsFailed(RuntimeError):
    """Some runs raised; ``failures`` (DataFrame) names them, ``table`` holds the others."""

    def __init__(self, failures: pd.DataFrame, table: pd.DataFrame):
        self.failures, self.table = failures, table
        super().__init__(f"{len(failures)} run(s) failed, e.g. point {failures['point'].iloc[0]}: "
                         f"{failures['error'].iloc[0]}")


@dataclass(frozen=True, repr=False)
class SweepResult:
    """What a sweep produced.

    Attributes
    ----------
    directory : Path, the sweep directory
    table : DataFrame, one row per finished run (point and replication)
    monthly : DataFrame, one row per finished run and month (empty without ``monthly`` series)
    failures : DataFrame, one row per run that raised: run columns, inputs, ``error``
    study : Study
    """

    directory: Path
    table: pd.DataFrame
    monthly: pd.DataFrame
    failures: pd.DataFrame
    study: Study

    def __repr__(self) -> str:
        return (f"<sim.SweepResult {self.study.name}: {len(self.table):,} runs, {len(self.failures)} failed, "
                f"in {self.directory}>")


def runs(study: Study, points: pd.DataFrame | None = None) -> list[Run]:
    """Every run of ``points`` (default: the study's design), point by point, replications inside."""
    points = design(study) if points is None else points
    seeds = [run_seed(study.spec.design.seed, r) for r in range(study.spec.design.replications)]
    return [Run(row["point"], row["point_id"], replication, seed, point_inputs(study.spec, row))
            for row in points.to_dict("records") for replication, seed in enumerate(seeds)]


def check_points(study: Study, todo: list[Run]) -> None:
    """Build the scenario of every point a base-scenario study will run; ConfigError naming the
    point, the key and why, at the first point refused (before anything runs)."""
    model = point_model(study)
    if not isinstance(model, EngineModel):
        return
    for run in todo:
        if run.replication == 0:
            values = ", ".join(f"{key} = {value!r}" for key, value in run.inputs.items())
            model.scenario(run.inputs, where=f", point {run.point} ({values})")


def execute(model, threads, run: Run) -> dict:
    """Run ``run`` with ``model`` on ``threads`` Numba threads: its outputs, or the error it raised
    (as ``"Type: message"``) under ``error``. Top level, so executors can pickle it."""
    try:
        return {"run": run, "outputs": model(run.inputs, run.seed, threads)}
    except Exception as error:  # a failing point is reported, the others go on
        return {"run": run, "error": f"{type(error).__name__}: {error}"}


def _described(run: Run, points_row: dict, **values) -> dict:
    """The run columns of ``run``, its inputs as in the design row, then ``values``."""
    inputs = {key: value for key, value in points_row.items() if key not in KEY_COLUMNS}
    return {"point": run.point, "point_id": run.point_id, "replication": run.replication, "seed": run.seed,
            **inputs, **values}


def _row(run: Run, points_row: dict, outputs: dict) -> pd.DataFrame:
    """One run as a one-row frame: run columns, inputs, outputs (a monthly series as a list cell)."""
    return pd.DataFrame({key: [value] for key, value in _described(run, points_row, **outputs).items()})


def _progress(progress, total: int, initial: int, name: str):
    """A tqdm bar over runs with the time left (``tqdm.auto``: a widget in Jupyter), or None."""
    if not (sys.stderr.isatty() if progress is None else progress):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, initial=initial, unit="run", desc=name, mininterval=0.5, smoothing=0.1)


def _evaluated(study, todo, points, executor, progress, done, on_row):
    """Run ``todo`` through ``executor`` (None: local processes); call ``on_row(run, frame)`` for
    each finished run; return the failures (list of dicts), each also logged as it happens."""
    rows = {row["point"]: row for row in points.to_dict("records")}
    model = point_model(study)
    owned = executor is None
    executor = executors.Processes() if owned else executor
    bar = _progress(progress, done + len(todo), done, study.name)
    failures = []
    try:
        for result in executor.map(functools.partial(execute, model, executor.threads), todo):
            run = result["run"]
            if "error" in result:
                failures.append(_described(run, rows[run.point], error=result["error"]))
                log.warning("point %d (id %s, replication %d) failed: %s; inputs: %s", run.point, run.point_id,
                            run.replication, result["error"], run.inputs)
            else:
                on_row(run, _row(run, rows[run.point], result["outputs"]))
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
        if owned:
            executor.close()
    return failures


def _frames(study: Study, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(table, monthly) from one-row frames of runs in design order."""
    series = list(study.spec.monthly)
    if not frames:
        return pd.DataFrame(columns=[*RUN_COLUMNS, *study.inputs, *study.spec.outputs]), pd.DataFrame()
    combined = pd.concat(frames, ignore_index=True)
    table = combined.drop(columns=series)
    if not series:
        return table, pd.DataFrame()
    lengths = np.array([len(value) for value in combined[series[0]]])
    monthly = pd.DataFrame({column: np.repeat(combined[column].to_numpy(), lengths) for column in RUN_COLUMNS})
    monthly.insert(len(RUN_COLUMNS), "month", np.concatenate([np.arange(n) for n in lengths]))
    for name in series:
        monthly[name] = np.concatenate([np.asarray(value, np.float64) for value in combined[name]])
    return table, monthly


def _failure_frame(study: Study, failures: list[dict]) -> pd.DataFrame:
    columns = [*RUN_COLUMNS, *study.inputs, "error"]
    return pd.DataFrame(sorted(failures, key=lambda row: (row["point"], row["replication"])), columns=columns)


def evaluate(study, points: pd.DataFrame | None = None, executor=None, progress=None) -> pd.DataFrame:
    """Run ``points`` (default: the study's design) in memory and return the tidy table.

    Parameters
    ----------
    study : Study or path of a study file
    points : DataFrame, optional; rows of :func:`sim.design.design` (a subset, or a design of
        one's own with the same columns)
    executor : an executor of :mod:`sim.executors`, optional (default: local processes, one per
        core); left open if given
    progress : bool or None; a progress bar over runs (None: when stderr is a terminal)

    Returns
    -------
    DataFrame, one row per point and replication in design order: ``point``, ``point_id``,
    ``replication``, ``seed``, the inputs by key path, the outputs by name (float64). Monthly
    series, when the study keeps any, are list cells (``ndarray(float64, (months,))``).

    Raises
    ------
    ConfigError : a bad study, or a point whose scenario is refused (before anything runs)
    PointsFailed : some runs raised (after all have run); it holds the failures and the others
    """
    study = study if isinstance(study, Study) else load_study(study)
    points = design(study) if points is None else points
    todo = runs(study, points)
    check_points(study, todo)
    frames = {}
    failures = _evaluated(study, todo, points, executor, progress, 0,
                          lambda run, frame: frames.__setitem__(run.name, frame))
    table = pd.concat([frames[run.name] for run in todo if run.name in frames], ignore_index=True) \
        if frames else _frames(study, [])[0]
    if failures:
        raise PointsFailed(_failure_frame(study, failures), table)
    return table


def _resume_directory(study: Study, directory: Path) -> None:
    """Check that ``directory`` was made by a sweep of ``study``; ConfigError saying why not."""
    try:
        recorded = json.loads((directory / STUDY_FILE).read_text())["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError([f"{directory}: not a sweep directory (no readable {STUDY_FILE})"]) from None
    if recorded != study.digest:
        raise ConfigError([f"{directory}: was made by another study, or {study.source} or its base "
                           f"scenario changed since (digest {recorded[:12]} there, {study.digest[:12]} now)"])


def _start(study: Study, out, resume) -> Path:
    """The sweep directory: ``resume`` checked, or a new one under ``out`` holding ``study.json``."""
    if resume is not None:
        directory = Path(resume)
        _resume_directory(study, directory)
        return directory
    out = Path(out)
    problem = results.output_problem(out)
    if problem:
        raise ConfigError([f"{out}: {problem}"])
    out.mkdir(parents=True, exist_ok=True)
    directory = results.claim_directory(out, f"{results.safe_name(study.name)}-{results.timestamp()}")
    record = {"study_file": study.source, "digest": study.digest, **study.to_dict()}
    results.write_file_atomically(directory / STUDY_FILE, lambda path: results.write_json(path, record))
    return directory


def sweep(study, out="results", executor=None, resume=None, progress=None, points=None) -> SweepResult:
    """Run every point and replication of ``study`` into a sweep directory; see the module docstring.

    Parameters
    ----------
    study : Study or path of a study file
    out : path; a new sweep directory is made in it (ignored with ``resume``)
    executor : an executor of :mod:`sim.executors`, optional (default: local processes, one per
        core); the table is bit-identical whichever runs it
    resume : path of an earlier sweep directory of the same study: run only what it lacks
    progress : bool or None; a progress bar over runs with the time left (None: when stderr
        is a terminal)
    points : DataFrame, optional; the design to run instead of the study's own (rows as
        :func:`sim.design.design` gives them, e.g. a sensitivity analysis's sample)

    Raises
    ------
    ConfigError : a bad study, a point refused, an unusable ``out``, or a ``resume`` directory of
        another study (nothing is written)
    KeyboardInterrupt : the files of finished runs stay, for ``resume``
    """
    study = study if isinstance(study, Study) else load_study(study)
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    points = design(study) if points is None else points
    every = runs(study, points)
    check_points(study, every)
    directory = _start(study, out, resume)
    log.info("sweep directory: %s (if interrupted, --resume %s runs the rest)", directory, directory)
    folder = directory / POINTS
    folder.mkdir(exist_ok=True)
    finished = {path.stem for path in folder.glob("*.parquet")}
    todo = [run for run in every if run.name not in finished]

    def save(run, frame):
        results.write_file_atomically(folder / f"{run.name}.parquet",
                                      lambda path: frame.to_parquet(path, index=False))

    failures = _failure_frame(study, _evaluated(study, todo, points, executor, progress, len(every) - len(todo), save))
    files = [folder / f"{run.name}.parquet" for run in every]
    table, monthly = _frames(study, [pd.read_parquet(path) for path in files if path.is_file()])
    _write(directory, table, monthly, failures)
    manifest = _manifest(study, executor, len(every), len(todo), started, time.perf_counter() - clock)
    results.write_file_atomically(directory / MANIFEST, lambda path: results.write_json(path, manifest))
    from sim import sweep_plots

    sweep_plots.draw_all(directory)
    return SweepResult(directory, table, monthly, failures, study)


def _write(directory: Path, table, monthly, failures) -> None:
    """The sweep's tables, each written aside and renamed; a stale ``failures.csv`` removed."""
    results.write_file_atomically(directory / TABLE, lambda path: table.to_parquet(path, index=False))
    if len(monthly):
        results.write_file_atomically(directory / MONTHLY, lambda path: monthly.to_parquet(path, index=False))
    if len(failures):
        results.write_file_atomically(directory / FAILURES, lambda path: failures.to_csv(path, index=False))
    else:
        (directory / FAILURES).unlink(missing_ok=True)


def _manifest(study, executor, total, ran, started, seconds) -> dict:
    return {
        "study_file": study.source, "digest": study.digest, **study.to_dict(),
        "runs": total, "runs_this_time": ran,
        "executor": executor.description if executor is not None else "local processes, one per core",
        "started_utc": started.isoformat(timespec="seconds"), "wall_seconds": seconds,
        "command": sys.argv if sys.argv and sys.argv[0] else None,
        "versions": results.versions(), "git_commit": results.git_commit(Path(__file__).resolve().parent),
    }
