"""Distribution families a config parameter can take, and their compilation.

In a TOML file a parameter is either a bare number (fixed) or a table naming
its family::

    bribe_usd = { dist = "uniform", low = 500, high = 700 }
    skim_share = { dist = "pert", low = 0.05, mode = 0.12, high = 0.25 }
    earning_capacity_usd_per_month = { dist = "lognormal", median = 1000, range90 = [750, 1333] }
    contract_months = { dist = "discrete_uniform", low = 24, high = 36 }

Each model validates its own arguments and compiles to one float64 row that
:func:`sim.sampling.draw` samples from (as a row of a table).
"""
import functools
import math
from typing import Annotated, Literal, Union

import numpy as np
import scipy.special
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim import sampling

Z95 = 1.6448536269514722
"""Standard normal quantile at 0.95: a 90% range spans +-Z95 sigma."""


class _Dist(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    def compile(self) -> np.ndarray:
        """The row ``[family code, p1, p2, p3, p4]`` the kernel samples from."""
        raise NotImplementedError

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take."""
        raise NotImplementedError


def _row(code, *params, quantiles=None):
    row = np.zeros(sampling.DIST_WIDTH)
    row[0] = code
    row[1 : 1 + len(params)] = params
    if quantiles is not None:
        row[sampling.TABLE_START :] = quantiles
    return row


class Fixed(_Dist):
    """Always ``value``."""

    dist: Literal["fixed"]
    value: float

    def compile(self):
        return _row(sampling.FIXED, self.value)

    def support(self):
        return self.value, self.value


class _LowHigh(_Dist):
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self

    def support(self):
        return self.low, self.high


class Uniform(_LowHigh):
    """Uniform on [low, high]."""

    dist: Literal["uniform"]

    def compile(self):
        return _row(sampling.UNIFORM, self.low, self.high)


class _LowModeHigh(_LowHigh):
    mode: float

    @model_validator(mode="after")
    def _mode_inside(self):
        if not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie in [low, high] = [{self.low}, {self.high}]")
        return self


class Triangular(_LowModeHigh):
    """Triangular on [low, high] with its peak at ``mode``."""

    dist: Literal["triangular"]

    def compile(self):
        return _row(sampling.TRIANGULAR, self.low, self.mode, self.high)


class Pert(_LowModeHigh):
    """PERT on [low, high] with most likely value ``mode`` (a scaled Beta, lambda = 4)."""

    dist: Literal["pert"]

    def beta_shape(self) -> tuple[float, float]:
        """(alpha, beta) of the Beta distribution on [low, high] (low < high) that this PERT is."""
        width = self.high - self.low
        return 1.0 + 4.0 * (self.mode - self.low) / width, 1.0 + 4.0 * (self.high - self.mode) / width

    def compile(self):
        if self.high == self.low:
            return _row(sampling.FIXED, self.low)
        return _row(sampling.PERT, quantiles=_pert_quantiles(self.low, self.high, *self.beta_shape()))


@functools.lru_cache(maxsize=256)
def _pert_quantiles(low: float, high: float, alpha: float, beta: float) -> np.ndarray:
    """The PERT's quantile table (read-only; cached: a sweep compiles the same PERTs at every point)."""
    u = np.linspace(0.0, 1.0, sampling.QUANTILE_INTERVALS + 1)
    quantiles = low + (high - low) * scipy.special.betaincinv(alpha, beta, u)
    quantiles.flags.writeable = False
    return quantiles


class Lognormal(_Dist):
    """Lognormal with the given median; 90% of draws fall inside ``range90``.

    The range must be centred on the median on a log scale (within 10% of its
    log-width), since a lognormal has only two parameters.
    """

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    range90: Annotated[list[float], Field(min_length=2, max_length=2)]

    @model_validator(mode="after")
    def _range_around_median(self):
        low, high = self.range90
        if not 0 < low < self.median < high:
            raise ValueError(f"range90 {list(self.range90)} must satisfy 0 < low < median ({self.median}) < high")
        width = math.log(high / low)
        offset = math.log(self.median) - 0.5 * (math.log(low) + math.log(high))
        if abs(offset) > 0.1 * width:
            centre = math.sqrt(low * high)
            raise ValueError(
                f"range90 {list(self.range90)} is not centred on the median on a log scale "
                f"(its geometric centre is {centre:.4g}, the median {self.median})"
            )
        return self

    @property
    def sigma(self) -> float:
        low, high = self.range90
        return math.log(high / low) / (2.0 * Z95)

    def compile(self):
        return _row(sampling.LOGNORMAL, math.log(self.median), self.sigma)

    def support(self):
        """The lognormal has no upper bound, but the sampler's normal deviates do: Box-Muller
        from 53-bit uniforms never exceeds :data:`sim.sampling.NORMAL_MAX` (8.57) in magnitude."""
        return (math.exp(math.log(self.median) - self.sigma * sampling.NORMAL_MAX),
                math.exp(math.log(self.median) + self.sigma * sampling.NORMAL_MAX))


class DiscreteUniform(_Dist):
    """Integers low, low + 1, ..., high, equally likely."""

    dist: Literal["discrete_uniform"]
    low: int
    high: int

    @model_validator(mode="after")
    def _ordered(self):
        if self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self

    def compile(self):
        return _row(sampling.DISCRETE_UNIFORM, self.low, self.high)

    def support(self):
        return float(self.low), float(self.high)


Distribution = Annotated[
    Union[Fixed, Uniform, Triangular, Pert, Lognormal, DiscreteUniform],
    Field(discriminator="dist"),
]
"""Any one family, chosen by the ``dist`` key."""


def as_distribution(value):
    """Let a bare number stand for a fixed distribution (a pydantic before-validator)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": float(value)}
    if not isinstance(value, dict):
        raise ValueError(f"expected a number or a table such as {{ dist = \"uniform\", low = 1, high = 2 }}, "
                         f"got {type(value).__name__}")
    return value
