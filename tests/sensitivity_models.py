"""Functions with known sensitivity indices, for studies to name as their model
(``model = "sensitivity_models:ishigami"``): they drive the sensitivity pipeline without the engine."""
import math

import numpy as np

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1
"""The usual constants of the Ishigami function."""


def ishigami(inputs: dict) -> dict:
    """``y = sin x1 + a sin^2 x2 + b x3^4 sin x1`` (inputs uniform on [-pi, pi]); an input ``x4``,
    when given, is ignored (its total index is zero)."""
    x1, x2, x3 = inputs["x1"], inputs["x2"], inputs["x3"]
    return {"y": math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3 ** 4 * math.sin(x1)}


def ishigami_indices() -> dict:
    """Analytic (S1, ST) of each Ishigami input, from the function's variance decomposition."""
    a, b, pi4 = ISHIGAMI_A, ISHIGAMI_B, math.pi ** 4
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * pi4 ** 2 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {"x1": (v1 / total, (v1 + v13) / total), "x2": (v2 / total, v2 / total), "x3": (0.0, v13 / total)}


def linear(inputs: dict) -> dict:
    """``y = 8 a - 4 b + c`` with ``d`` ignored: for inputs uniform on [0, 1], each input's
    elementary effect is its coefficient at every point (mu* 8, 4, 1, 0; sigma 0)."""
    return {"y": 8.0 * inputs["a"] - 4.0 * inputs["b"] + inputs["c"] + 0.0 * inputs["d"]}


NOISE_SD = 0.1
"""Standard deviation of :func:`noisy`'s noise."""


def noisy(inputs: dict, seed: int) -> dict:
    """``y = x1 + noise`` with ``x2`` ignored: the noise, normal with sd :data:`NOISE_SD`, is drawn
    from the run seed and the point (common random numbers: the same seed and point give the
    same draw), as a simulation's sampling noise is."""
    point = [int(abs(value) * 2**40) for value in (inputs["x1"], inputs["x2"])]
    return {"y": inputs["x1"] + NOISE_SD * np.random.default_rng([seed, *point]).standard_normal()}


def partly_undefined(inputs: dict) -> dict:
    """``y`` undefined (NaN) where ``a > 0.8``; ``z`` the same everywhere; ``w = a``."""
    a = inputs["a"]
    return {"y": math.nan if a > 0.8 else a, "z": 1.0, "w": a + 0.0 * inputs["b"]}
