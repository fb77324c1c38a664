"""A study's design: the table of points to run, each with a deterministic id.

Uncertainties are sampled in the unit cube (a scrambled Latin hypercube or Sobol' sequence from
:mod:`scipy.stats.qmc`, seeded from the study's seed) and mapped through each distribution's
quantile function; a grid takes evenly spaced values instead. Every lever value is then crossed
with every sampled point. A point's id hashes the study's digest and its position, so the same
study always gives the same ids (which is what lets a sweep resume).

Randomness enters at one door: ``numpy.random.SeedSequence(design.seed)``. Its child 0 seeds
the design; child ``(1, r)`` gives the run seed of replication ``r``, the same at every point
(common random numbers: a difference between points is the inputs' doing, not noise).
"""
import hashlib
import itertools
import json

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats import qmc

from sim.config import SEED_LIMIT

ID_HEX = 16
"""Hex digits of a point id (64 bits)."""
KEY_COLUMNS = ("point", "point_id")
"""Columns of the design before the inputs: position in the design, and id."""


def _frozen(dist):
    """The scipy distribution of a :mod:`sim.distributions` model (a fixed one: None)."""
    kind = dist.dist
    if kind == "fixed" or (kind != "lognormal" and dist.low == dist.high):
        return None
    if kind == "uniform":
        return stats.uniform(loc=dist.low, scale=dist.high - dist.low)
    if kind == "triangular":
        width = dist.high - dist.low
        return stats.triang((dist.mode - dist.low) / width, loc=dist.low, scale=width)
    if kind == "pert":
        return stats.beta(*dist.beta_shape(), loc=dist.low, scale=dist.high - dist.low)
    if kind == "lognormal":
        return stats.lognorm(dist.sigma, scale=dist.median)
    return stats.randint(dist.low, dist.high + 1)


def _constant(dist) -> float:
    return dist.value if dist.dist == "fixed" else dist.low


def quantile(dist, u: np.ndarray) -> np.ndarray:
    """Values of ``dist`` at probabilities ``u`` (``ndarray(float, (n,))`` in (0, 1)): float64, or
    int64 for a discrete uniform."""
    frozen = _frozen(dist)
    values = np.full(len(u), _constant(dist)) if frozen is None else frozen.ppf(u)
    return values.astype(np.int64) if dist.dist == "discrete_uniform" else values.astype(np.float64)


def grid_values(dist, count: int) -> np.ndarray:
    """``count`` evenly spaced values from ``low`` to ``high`` (a lognormal: across its 90% range;
    a discrete uniform: the distinct whole numbers among them; a fixed value: itself)."""
    if dist.dist == "fixed":
        return np.array([dist.value])
    low, high = dist.range90 if dist.dist == "lognormal" else (dist.low, dist.high)
    values = np.linspace(low, high, count)
    return np.unique(np.round(values)).astype(np.int64) if dist.dist == "discrete_uniform" else values


def design_seed(seed: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(seed, spawn_key=(0,))


def run_seed(seed: int, replication: int) -> int:
    """The run seed of replication ``replication`` (in ``[0, 2**63)``), the same at every point."""
    state = np.random.SeedSequence(seed, spawn_key=(1, replication)).generate_state(1, np.uint64)[0]
    return int(state) % SEED_LIMIT


def _sampled(spec) -> pd.DataFrame:
    """The uncertainties' values, one row per sampled point (no levers yet)."""
    names, dists = list(spec.uncertainties), list(spec.uncertainties.values())
    design = spec.design
    if not names:
        return pd.DataFrame(index=range(1))
    if design.kind == "grid":
        rows = list(itertools.product(*(grid_values(dist, design.points) for dist in dists)))
        return pd.DataFrame({name: np.array([row[i] for row in rows]) for i, name in enumerate(names)})
    engine = qmc.LatinHypercube if design.kind == "lhs" else qmc.Sobol
    unit = engine(len(names), rng=np.random.default_rng(design_seed(design.seed))).random(design.points)
    return pd.DataFrame({name: quantile(dist, unit[:, i]) for i, (name, dist) in enumerate(zip(names, dists))})


def lever_column(values: list) -> pd.Series:
    """A lever's values as a column: numbers as int64 (all whole) or float64, bools and strings as
    they are, anything else (a list of change points, a distribution table) as JSON text."""
    kinds = {type(value) for value in values}
    if kinds <= {int, float} and not kinds == {int}:
        return pd.Series(values, dtype=np.float64)
    if len(kinds) == 1 and kinds <= {int, bool, str}:
        return pd.Series(values)
    return pd.Series([json.dumps(value, sort_keys=True) for value in values])


def lever_value(text_or_value, original: list):
    """The lever value a column cell stands for: JSON text back to the original value."""
    if isinstance(text_or_value, str) and not all(isinstance(value, str) for value in original):
        return json.loads(text_or_value)
    return text_or_value


def point_inputs(spec, row: dict) -> dict:
    """The inputs of one design row (``row``: column -> value, as ``DataFrame.to_dict("records")``
    gives it): key path -> the value to set, a lever's JSON text decoded."""
    inputs = {name: row[name] for name in spec.uncertainties}
    inputs.update({name: lever_value(row[name], values) for name, values in spec.levers.items()})
    return inputs


def point_id(digest: str, position: int) -> str:
    """Id of the design's point ``position``: the first :data:`ID_HEX` hex digits of
    SHA-256(study digest, position)."""
    return hashlib.sha256(f"{digest}:{position}".encode()).hexdigest()[:ID_HEX]


def design(study) -> pd.DataFrame:
    """The points of ``study``: one row per point, in run order.

    Returns
    -------
    DataFrame, ``points x (2 + inputs)``: ``point`` (int, position), ``point_id`` (str), then one
    column per uncertainty and per lever, named by its key path. Sampled points vary slowest;
    the levers' values are crossed in, the last lever varying fastest.
    """
    spec = study.spec
    sampled = _sampled(spec)
    levers = pd.DataFrame(list(itertools.product(*(range(len(v)) for v in spec.levers.values()))),
                          columns=list(spec.levers)) if spec.levers else pd.DataFrame(index=range(1))
    rows = sampled.loc[sampled.index.repeat(len(levers))].reset_index(drop=True)
    for name, values in spec.levers.items():
        column = lever_column(values)
        rows[name] = column.iloc[np.tile(levers[name].to_numpy(), len(sampled))].reset_index(drop=True)
    digest = study.digest
    keys = pd.DataFrame({"point": np.arange(len(rows), dtype=np.int64),
                         "point_id": [point_id(digest, i) for i in range(len(rows))]})
    return pd.concat([keys, rows], axis=1)
