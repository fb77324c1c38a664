"""Kernel-side sampling of compiled distributions.

A compiled distribution is one row of ``DIST_WIDTH`` float64 values:
``[family code, p1, p2, p3, p4]``. The meaning of p1..p4 per family:

=================  =====================================================
FIXED              value
UNIFORM            low, high
TRIANGULAR         low, mode, high
PERT               low, high, alpha, beta (Beta(alpha, beta) on [low, high])
LOGNORMAL          log of the median, sigma of the log
DISCRETE_UNIFORM   low, high (integers, both included)
=================  =====================================================

The rows are built once by :mod:`sim.distributions`; the kernel only sees
arrays. Different families consume different numbers of draws; they are only
used on hire streams, which belong to one candidate each.
"""
import math

import numpy as np
from numba import njit

from sim import rng

FIXED, UNIFORM, TRIANGULAR, PERT, LOGNORMAL, DISCRETE_UNIFORM = range(6)
DIST_WIDTH = 5


@njit(cache=True)
def draw(row, state):
    """Draw one value from the compiled distribution ``row`` using ``state``."""
    family = int(row[0])
    if family == FIXED:
        return row[1]
    if family == UNIFORM:
        return row[1] + (row[2] - row[1]) * rng.uniform(state)
    if family == TRIANGULAR:
        low, mode, high = row[1], row[2], row[3]
        u = rng.uniform(state)
        if high == low:
            return low
        if u * (high - low) < mode - low:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
    if family == PERT:
        return row[1] + (row[2] - row[1]) * rng.beta(state, row[3], row[4])
    if family == LOGNORMAL:
        return math.exp(row[1] + row[2] * rng.normal(state))
    if family == DISCRETE_UNIFORM:
        return math.floor(row[1] + (row[2] - row[1] + 1.0) * rng.uniform(state))
    return np.nan


@njit(cache=True)
def draw_category(cumulative_shares, state):
    """Index of the category a uniform draw falls into (``cumulative_shares[-1] == 1``)."""
    u = rng.uniform(state)
    last = cumulative_shares.shape[0] - 1
    for i in range(last):
        if u < cumulative_shares[i]:
            return i
    return last
