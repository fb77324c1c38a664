"""Fitting a study's inputs to observed figures by the simulated method of moments (SMM).

For inputs ``theta`` (a few key paths, each within ``low..high``), the simulated moment ``m_j``
is target ``j`` averaged over ``R`` replications, whose seeds are the same at every ``theta``
(common random numbers: the objective is a fixed function of ``theta``, not a new draw at each
call, so the optimiser is not chasing noise). The estimate minimises

    J(theta) = sum_j ((m_j(theta) - observed_j) / sd_j) ** 2

(weights: inverse variances, from each target's stated sd or 95% range), by
``scipy.optimize.least_squares`` (trust region, within the bounds) on the inputs scaled to
``[0, 1]``. Its Jacobian is taken by forward differences with a step of ``diff_step`` of each
input's range, large enough to see through the runs' graininess, the perturbed points of one
Jacobian run together by the executor.

Intervals (sandwich, delta method): with ``G`` the Jacobian of the moments, ``W`` the weights,
``Omega`` the variance of the observations (``sd**2``) and ``S`` that of one replication's
moments (estimated across the ``R`` replications at the estimate),

    Var(theta) = (G'WG)^-1 G'W (Omega + S / R) W G (G'WG)^-1,

which is the textbook ``(1 + 1/R) (G'WG)^-1`` when a replication is as noisy as the
observations (``S = Omega``; used when ``R = 1``, as ``S`` cannot be estimated). 95% intervals
are the estimate +- 1.96 standard errors; an input the targets do not move has none.
"""
import math
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize

from sim.design import point_id
from sim.targets import Z95
from sim.sweep import evaluate


class Fit(NamedTuple):
    """What a calibration found.

    Attributes
    ----------
    inputs : DataFrame, one row per input: ``input``, ``value``, ``ci95_low``, ``ci95_high``,
        ``se``, ``low``, ``high``, ``start``
    targets : DataFrame, one row per target: ``target``, ``date``, ``observed``, ``sd``,
        ``simulated`` (mean over replications), ``simulated_sd`` (across replications),
        ``residual`` (simulated - observed), ``z`` (residual / sd)
    objective : float, J at the estimate
    evaluations : int, points run (each ``R`` replications)
    message : str, the optimiser's
    series : dict, each monthly series the targets read -> ``ndarray(float, (R, months))``, the
        replications at the estimate
    """

    inputs: pd.DataFrame
    targets: pd.DataFrame
    objective: float
    evaluations: int
    message: str
    series: dict


class FitFailed(RuntimeError):
    """A target is undefined (NaN) at a point the optimiser tried: no fit."""


class Simulator:
    """The study's moments at scaled inputs, by the sweep's evaluator, remembered per point."""

    def __init__(self, study, executor):
        self.study, self.executor = study, executor
        self.inputs = study.section.inputs
        self.targets = study.targets
        self.seen: dict[tuple, np.ndarray] = {}
        self.runs: dict[tuple, list[dict]] = {}

    def values(self, z: np.ndarray) -> dict:
        """Input values (key path -> value) at scaled inputs ``z`` (``ndarray(float, (inputs,))``)."""
        return {key: spec.low + float(u) * (spec.high - spec.low) for (key, spec), u in zip(self.inputs.items(), z)}

    def moments(self, zs: np.ndarray) -> list[np.ndarray]:
        """Each replication's moments at each row of ``zs``: ``ndarray(float, (R, targets))`` per row."""
        todo = [z for z in map(tuple, zs) if z not in self.seen]
        if todo:
            rows = [{"point": len(self.seen) + i, "point_id": point_id(self.study.digest, len(self.seen) + i),
                     **self.values(np.array(z))} for i, z in enumerate(todo)]
            table = evaluate(self.study, pd.DataFrame(rows), executor=self.executor, progress=False)
            for row, z in zip(rows, todo):
                runs = table[table["point"] == row["point"]].sort_values("replication").to_dict("records")
                self.seen[z] = np.array([[target.simulated(run) for target in self.targets] for run in runs])
                undefined = [target.name for target, ok in zip(self.targets, np.isfinite(self.seen[z]).all(axis=0))
                             if not ok]
                if undefined:
                    raise FitFailed(f"{', '.join(undefined)} undefined (no run measured it) at "
                                    f"{self.values(np.array(z))}")
                self.runs[z] = runs
        return [self.seen[z] for z in map(tuple, zs)]

    def scaled_residuals(self, z: np.ndarray) -> np.ndarray:
        """(mean simulated - observed) / sd of each target at ``z``."""
        observed, sd = self.observed()
        return (self.moments(z[None, :])[0].mean(axis=0) - observed) / sd

    def observed(self) -> tuple[np.ndarray, np.ndarray]:
        return (np.array([target.value for target in self.targets]), np.array([target.sd for target in self.targets]))

    def jacobian(self, z: np.ndarray, step: float) -> np.ndarray:
        """d(scaled residuals)/dz by forward differences (backward at the upper bound), the
        perturbed points run together: ``ndarray(float, (targets, inputs))``."""
        steps = np.where(z + step <= 1.0, step, -step)
        shifted = z[None, :] + np.diag(steps)
        _, sd = self.observed()
        centre, *moved = self.moments(np.vstack([z[None, :], shifted]))
        return np.column_stack([(m.mean(axis=0) - centre.mean(axis=0)) / sd / h for m, h in zip(moved, steps)])


def covariance(jacobian: np.ndarray, per_replication: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Sandwich covariance of the scaled inputs (see the module docstring).

    Parameters
    ----------
    jacobian : ndarray(float, (targets, inputs)), d((m - observed) / sd)/dz at the estimate
    per_replication : ndarray(float, (R, targets)), each replication's moments at the estimate
    sd : ndarray(float, (targets,)), the observations' standard deviations

    Returns
    -------
    ndarray(float, (inputs, inputs)); NaN where the targets do not identify the inputs
    """
    replications = len(per_replication)
    scale = np.diag(1.0 / sd)
    noise = np.cov(per_replication, rowvar=False, ddof=1).reshape(len(sd), len(sd)) if replications > 1 \
        else np.diag(sd ** 2)
    middle = np.eye(len(sd)) + scale @ noise @ scale / replications
    information = jacobian.T @ jacobian
    if np.linalg.matrix_rank(information) < information.shape[0]:
        return np.full(information.shape, math.nan)
    bread = np.linalg.inv(information)
    return bread @ jacobian.T @ middle @ jacobian @ bread


def fit(study, executor) -> Fit:
    """Calibrate ``study`` (a calibration study, :mod:`sim.calibrate_study`) on ``executor``."""
    section = study.section
    simulator = Simulator(study, executor)
    start = np.array([(spec.start - spec.low) / (spec.high - spec.low) for spec in section.inputs.values()])
    found = optimize.least_squares(simulator.scaled_residuals, start, bounds=(0.0, 1.0), method="trf",
                                   jac=lambda z: simulator.jacobian(z, section.diff_step),
                                   max_nfev=section.max_evaluations, x_scale=1.0)
    z = found.x
    per_replication = simulator.moments(z[None, :])[0]
    observed, sd = simulator.observed()
    jacobian = simulator.jacobian(z, section.diff_step)
    se = np.sqrt(np.diag(covariance(jacobian, per_replication, sd)))
    ranges = np.array([spec.high - spec.low for spec in section.inputs.values()])
    values = np.array(list(simulator.values(z).values()))
    inputs = pd.DataFrame({
        "input": list(section.inputs), "value": values,
        "ci95_low": values - Z95 * se * ranges, "ci95_high": values + Z95 * se * ranges, "se": se * ranges,
        "low": [spec.low for spec in section.inputs.values()], "high": [spec.high for spec in section.inputs.values()],
        "start": [spec.start for spec in section.inputs.values()]})
    simulated = per_replication.mean(axis=0)
    spread = per_replication.std(axis=0, ddof=1) if len(per_replication) > 1 else np.full(len(sd), math.nan)
    targets = pd.DataFrame({
        "target": [target.name for target in study.targets], "date": [target.date for target in study.targets],
        "observed": observed, "sd": sd, "simulated": simulated, "simulated_sd": spread,
        "residual": simulated - observed, "z": (simulated - observed) / sd})
    runs = simulator.runs[tuple(z)]
    series = {name: np.array([run[name] for run in runs]) for name in study.spec.monthly}
    return Fit(inputs, targets, float(np.sum(((simulated - observed) / sd) ** 2)), len(simulator.seen),
               str(found.message), series)
