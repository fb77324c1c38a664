"""Kernel-side sampling of compiled distributions.

A compiled distribution is one row of ``DIST_WIDTH`` float64 values:
``[family code, p1, p2, p3, q_0, ..., q_K]``. Per family:

=================  =====================================================
FIXED              p1 = value
UNIFORM            p1, p2 = low, high
TRIANGULAR         p1, p2, p3 = low, mode, high
PERT               q_0..q_K = quantiles at u = 0, 1/K, ..., 1 (inverse CDF
                   table, interpolated linearly)
LOGNORMAL          p1, p2 = log of the median, sigma of the log
DISCRETE_UNIFORM   p1, p2 = low, high (integers, both included)
=================  =====================================================

The rows are built once by :mod:`sim.distributions`; the kernel only sees
arrays. A draw takes the uniform at ``counter`` of a stream, and the lognormal
also the one at ``counter + 1``: each distributed attribute owns two counters.
"""
import math

import numpy as np

from sim import rng
from sim.jit import inlined

FIXED, UNIFORM, TRIANGULAR, PERT, LOGNORMAL, DISCRETE_UNIFORM = range(6)
QUANTILE_INTERVALS = 1024
"""K: intervals of an inverse-CDF table."""
TABLE_START = 4
"""Column where an inverse-CDF table starts."""
DIST_WIDTH = TABLE_START + QUANTILE_INTERVALS + 1


NORMAL_MAX = math.sqrt(-2.0 * math.log(2.0**-53))
"""Largest magnitude of :func:`sim.rng.normal`: its first uniform is at most 1 - 2**-53."""

COUNTERS_PER_DRAW = 2
"""Counters of its stream a distributed attribute owns."""


@inlined
def draw(table, index, key, counter):
    """Draw from the compiled distribution in row ``index`` of ``table``, with the stream ``key``
    at ``counter``. Takes the table and an index, not a row: a row view would cost reference
    counting (see :mod:`sim.kernel`)."""
    family = int(table[index, 0])
    if family == FIXED:
        return table[index, 1]
    u = rng.uniform(rng.bits(key, counter))
    if family == UNIFORM:
        return table[index, 1] + (table[index, 2] - table[index, 1]) * u
    if family == TRIANGULAR:
        low, mode, high = table[index, 1], table[index, 2], table[index, 3]
        if high == low:
            return low
        if u * (high - low) < mode - low:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
    if family == PERT:
        position = u * QUANTILE_INTERVALS
        position_index = min(int(position), QUANTILE_INTERVALS - 1)
        low = table[index, TABLE_START + position_index]
        return low + (position - position_index) * (table[index, TABLE_START + position_index + 1] - low)
    if family == LOGNORMAL:
        return math.exp(table[index, 1] + table[index, 2] * rng.normal(u, rng.uniform(rng.bits(key, counter + 1))))
    if family == DISCRETE_UNIFORM:
        return math.floor(table[index, 1] + (table[index, 2] - table[index, 1] + 1.0) * u)
    return np.nan
