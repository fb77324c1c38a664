"""Global sensitivity of a study's outputs to its uncertain inputs: Sobol' indices or Morris screening.

A sensitivity study is a sweep study (:mod:`sim.study`) with a ``[sensitivity]`` table::

    base = "../baseline.toml"
    workers = 20_000
    outputs = ["state_revenue_usd_per_year", "cash_home_usd.p50"]

    [design]
    replications = 2        # runs per point, the same seeds at every point (common random numbers)
    seed = 1

    [uncertainties]
    "skim.share.mode" = { low = 0.05, high = 0.20 }
    "timeline.wage_index" = { low = 0.85, high = 1.15 }

    [sensitivity]
    method = "sobol"        # or "morris"
    n = 64                  # Sobol': base samples, a power of 2 (n (D + 2) points); Morris: trajectories (n (D + 1))

SALib draws the points in the unit cube (Saltelli's scheme for Sobol', ``SALib.sample.sobol``;
trajectories on a grid of ``levels`` for Morris), each coordinate is mapped through its input's
quantile function (:func:`sim.design.quantile`, the sweep's own), and the points are run by the
sweep (:func:`sim.sweeps.sweep`: any executor, resumable, failures isolated). Each point's
replications are averaged, then ``SALib.analyze`` gives per output and input:

- Sobol': ``S1`` (share of the output's variance due to the input alone) and ``ST`` (due to it
  with all its interactions), each with the half-width of its bootstrap confidence interval.
- Morris: ``mu_star`` (mean absolute elementary effect), ``mu``, ``sigma`` (spread of the
  effects: interactions or curvature) and ``mu_star_conf``, in the output's unit per unit of the
  input's probability scale (moving an input from its lowest to its highest quantile).

The runs are noisy (a run simulates a finite sample of workers). With common random numbers the
noise is a fixed, rough function of the inputs, so it shows up as a small spurious ``ST`` of every
input; ``noise_share`` (replications > 1) says how much of the variance of the point means it is:
indices at or below it are not distinguishable from noise.
"""
import json
import math
from importlib.metadata import version
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.config import ConfigError
from sim.design import design_seed, point_id, quantile
from sim.study_section import SectionStudy, read_study_file, section_study, take_section

INDEX_COLUMNS = {
    "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
    "morris": ["mu_star", "mu_star_conf", "mu", "sigma"],
}
"""Columns of ``indices.csv`` after ``output`` and ``input``, by method (``noise_share`` last)."""
MAX_SAMPLES = 1 << 16
"""Largest ``n``."""


class Sensitivity(BaseModel):
    """The ``[sensitivity]`` table."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    method: Literal["sobol", "morris"] = Field(description="sobol: S1 and ST indices; morris: elementary effects")
    n: int = Field(ge=2, le=MAX_SAMPLES, description="sobol: base samples (a power of 2), n (D + 2) points; "
                                                     "morris: trajectories, n (D + 1) points")
    levels: int = Field(default=4, ge=2, le=100, description="morris: levels of each input's grid")
    resamples: int = Field(default=1000, ge=10, le=100_000, description="bootstrap resamples for the intervals")
    confidence: float = Field(default=0.95, gt=0.5, lt=1.0, description="level of the confidence intervals")

    @model_validator(mode="after")
    def _balanced(self):
        if self.method == "sobol" and self.n & (self.n - 1):
            low = 1 << (self.n.bit_length() - 1)
            raise ValueError(f"n: Saltelli's scheme needs a power of 2 base samples, e.g. {low} or {2 * low}, "
                             f"got {self.n}")
        if self.method == "sobol" and self.levels != 4:
            raise ValueError("levels: only a morris study has levels")
        return self


def _refuse_design_keys(data: dict, source: str) -> None:
    """A sensitivity study's points come from [sensitivity]: no levers, no design.kind or points."""
    design = data.get("design") if isinstance(data.get("design"), dict) else {}
    given = [f"design.{key}" for key in ("kind", "points") if key in design]
    given += ["levers"] if data.get("levers") else []
    if given:
        raise ConfigError([f"{source}: {key}: a sensitivity study's points come from [sensitivity] (method, n) "
                           f"and vary the uncertainties only; leave {key} out" for key in given])
    if not data.get("uncertainties"):
        raise ConfigError([f"{source}: uncertainties: a sensitivity study needs at least one uncertain input"])


def validate_sensitivity(data: dict, source: str = "<study>", path=None) -> SectionStudy:
    """Validate parsed sensitivity-study data (``path``, the file, anchors a relative base).

    Raises
    ------
    ConfigError
        One line per problem, naming ``source`` and the key path.
    """
    data, section = take_section(data, "sensitivity", Sensitivity, source)
    _refuse_design_keys(data, source)
    return section_study(data, "sensitivity", section, source, path)


def load_sensitivity(path) -> SectionStudy:
    """Read and validate a sensitivity study file (see the module docstring)."""
    return validate_sensitivity(*read_study_file(path))


def problem(study: SectionStudy) -> dict:
    """SALib's problem: the study's uncertain inputs, each over the unit interval (its probability scale)."""
    names = list(study.spec.uncertainties)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def _salib_seed(study: SectionStudy) -> int:
    return int(design_seed(study.spec.design.seed).generate_state(1)[0])


def unit_sample(study: SectionStudy) -> np.ndarray:
    """The points in the unit cube, as SALib draws them: ``ndarray(float, (points, inputs))``.

    Sobol': Saltelli's scheme without second-order terms, ``n (D + 2)`` rows. Morris: ``n``
    trajectories of ``D + 1`` rows on the grid ``0, 1/(levels - 1), ..., 1``.
    """
    from SALib.sample import morris, sobol

    section = study.section
    if section.method == "sobol":
        return sobol.sample(problem(study), section.n, calc_second_order=False, seed=_salib_seed(study))
    return morris.sample(problem(study), section.n, num_levels=section.levels, seed=_salib_seed(study))


def probabilities(study: SectionStudy, unit: np.ndarray) -> np.ndarray:
    """The probability at which each input is taken: Sobol' points as drawn (never 0 or 1); a
    Morris grid level ``k`` at the middle of the ``k``-th of ``levels`` equal slices,
    ``(k + 1/2) / levels``, so an unbounded input (a lognormal) has finite values."""
    if study.section.method == "sobol":
        return unit
    levels = study.section.levels
    return (unit * (levels - 1) + 0.5) / levels


def points(study: SectionStudy) -> pd.DataFrame:
    """The design the sweep runs: ``point``, ``point_id`` and one column per uncertain input.

    Returns
    -------
    DataFrame, ``points x (2 + inputs)``, in SALib's order (what the analysis expects).
    """
    u = probabilities(study, unit_sample(study))
    digest = study.digest
    frame = pd.DataFrame({"point": np.arange(len(u), dtype=np.int64),
                          "point_id": [point_id(digest, i) for i in range(len(u))]})
    for i, (name, dist) in enumerate(study.spec.uncertainties.items()):
        frame[name] = quantile(dist, u[:, i])
    return frame


def noise_share(table: pd.DataFrame, output: str, replications: int) -> float:
    """Share of the variance of the point means (replications averaged) that is sampling noise:
    the mean variance across a point's replications over ``replications``, divided by the variance
    of the point means; NaN with one replication (the noise cannot be told apart)."""
    if replications < 2:
        return math.nan
    by_point = table.groupby("point")[output]
    spread = by_point.mean().var(ddof=1)
    return float(by_point.var(ddof=1).mean() / replications / spread) if spread > 0 else math.nan


def _indices(study: SectionStudy, unit: np.ndarray, y: np.ndarray) -> dict:
    """SALib's indices of one output (``y``: ``ndarray(float, (points,))``, replications averaged)."""
    from SALib.analyze import morris, sobol

    section = study.section
    common = {"num_resamples": section.resamples, "conf_level": section.confidence, "seed": _salib_seed(study)}
    if section.method == "sobol":
        found = sobol.analyze(problem(study), y, calc_second_order=False, **common)
        return {column: found[column] for column in INDEX_COLUMNS["sobol"]}
    found = morris.analyze(problem(study), unit, y, num_levels=section.levels, **common)
    # SALib divides each difference by its grid step; the probabilities step (levels-1)/levels of it
    per_unit = section.levels / (section.levels - 1)
    return {column: np.asarray(found[column], np.float64) * per_unit for column in INDEX_COLUMNS["morris"]}


def analyse(study: SectionStudy, table: pd.DataFrame) -> pd.DataFrame:
    """The indices of every output for every input, from the sweep's table.

    Parameters
    ----------
    study : SectionStudy, a sensitivity study
    table : DataFrame, one row per point and replication (:func:`sim.sweeps.evaluate`), every point

    Returns
    -------
    DataFrame, ``(outputs x inputs) x (2 + indices + 1)``: ``output``, ``input``, the method's
    :data:`INDEX_COLUMNS`, ``noise_share``. An output that is undefined at some point (NaN) or the
    same at every point has NaN indices (and a note in ``note``).
    """
    unit = unit_sample(study)
    names = list(study.spec.uncertainties)
    means = table.groupby("point")[list(study.spec.outputs)].mean().reindex(range(len(unit)))
    frames = []
    for output in study.spec.outputs:
        y = means[output].to_numpy(np.float64)
        note = ("undefined at some points" if not np.isfinite(y).all()
                else "the same at every point" if np.ptp(y) == 0 else "")
        columns = INDEX_COLUMNS[study.section.method]
        found = {column: np.full(len(names), math.nan) for column in columns} if note else _indices(study, unit, y)
        frame = pd.DataFrame({"output": output, "input": names, **found})
        frame["noise_share"] = noise_share(table, output, study.spec.design.replications)
        frame["note"] = note
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


INDICES, MANIFEST = "indices.csv", "manifest.json"


def sensitivity(study, out="results", executor=None, resume=None, progress=None):
    """Run a sensitivity study's points through the sweep, then write its indices and figures.

    Parameters
    ----------
    study : SectionStudy or path of a sensitivity study file
    out, executor, resume, progress : as for :func:`sim.sweeps.sweep` (the directory is a sweep
        directory: ``--resume`` runs what an interrupted one lacks)

    Returns
    -------
    (SweepResult, DataFrame): the sweep, and the indices (:func:`analyse`) also written to
    ``indices.csv``, with one figure per output (``sensitivity_<output>.png``) and the analysis
    added to ``manifest.json``.

    Raises
    ------
    ConfigError : as :func:`sim.sweeps.sweep`
    PointsFailed : some runs failed (``failures.csv``; ``resume`` reruns them); no indices
    """
    from sim import results, sensitivity_plots
    from sim.sweeps import PointsFailed, sweep

    study = study if isinstance(study, SectionStudy) else load_sensitivity(study)
    result = sweep(study, out=out, executor=executor, resume=resume, progress=progress, points=points(study))
    if len(result.failures):
        raise PointsFailed(result.failures, result.table)
    indices = analyse(study, result.table)
    directory = result.directory
    results.write_file_atomically(directory / INDICES, lambda path: indices.to_csv(path, index=False))
    manifest = json.loads((directory / MANIFEST).read_text())
    manifest["sensitivity_analysis"] = {
        "salib": version("SALib"), "points": int(result.table["point"].nunique()),
        "indices": INDICES, "figures": sensitivity_plots.draw_all(directory, study, indices)}
    results.write_file_atomically(directory / MANIFEST, lambda path: results.write_json(path, manifest))
    return result, indices

