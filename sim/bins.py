"""Outcome histograms fine enough to read quantiles off to 0.1%, over any value a run can hold.

A value (whole cents, or whole months) falls in one of :data:`BINS` bins. Magnitudes below
:data:`EXACT_BELOW` (2,048) have a bin each; above, every power of two is split into
:data:`SUB_BINS` (1,024) equal bins, so no bin is wider than 1/1,024 of the values it holds.
Negative values mirror the positive ones; magnitudes of :data:`TOP` (2**40 cents, $11 billion)
and more share the top bin, which the config's money limits keep empty.

Each bin keeps its count and the sum of its values (both int64, exact), so a quantile is the
mean of the bin holding its rank: exact when that bin holds one distinct value (a point mass,
or whole months), and never further off than the bin's width otherwise. Memory is fixed: it
does not grow with the number of workers.
"""
import math

import numpy as np
from numba.cpython.unsafe.numbers import leading_zeros

from sim.jit import inlined

SUB_BITS = 10
SUB_BINS = 1 << SUB_BITS
"""Bins per power of two above EXACT_BELOW."""
EXACT_BELOW = 2 * SUB_BINS
"""Magnitudes below this have a bin of their own."""
TOP_BITS = 40
TOP = 1 << TOP_BITS
"""Magnitudes from here on share the top bin."""
MAGNITUDE_BINS = EXACT_BELOW + (TOP_BITS - SUB_BITS - 1) * SUB_BINS
BINS = 2 * MAGNITUDE_BINS
"""Bins per histogram: negative magnitudes below MAGNITUDE_BINS, the others from it."""
COUNT, SUM = 0, 1
"""The two entries of a bin: how many values, and their sum."""


@inlined
def bin_index(value):
    """Bin of an int64 ``value`` (cents or months); the bins rise with the value."""
    magnitude = value if value >= 0 else -value
    index = magnitude
    if magnitude >= EXACT_BELOW:
        shift = (64 - leading_zeros(np.uint64(magnitude))) - (SUB_BITS + 1)
        index = min(EXACT_BELOW + (shift - 1) * SUB_BINS + (magnitude >> shift) - SUB_BINS, MAGNITUDE_BINS - 1)
    return MAGNITUDE_BINS + index if value >= 0 else MAGNITUDE_BINS - 1 - index


def quantiles(counts: np.ndarray, sums: np.ndarray, probabilities) -> np.ndarray:
    """The ``probabilities`` quantiles of the values in a histogram (NaN for an empty one).

    Inverted-CDF definition: the ``q`` quantile of ``n`` values is the ``ceil(q n)``-th
    smallest (the smallest for ``q = 0``), read as the mean of the bin that holds it.
    """
    n = int(counts.sum())
    result = np.full(len(probabilities), np.nan)
    if n == 0:
        return result
    cumulative = np.cumsum(counts)
    for i, q in enumerate(probabilities):
        rank = min(max(math.ceil(q * n), 1), n)
        b = int(np.searchsorted(cumulative, rank, side="left"))
        result[i] = sums[b] / counts[b]
    return result


def standard_deviation(counts: np.ndarray, sums: np.ndarray) -> float:
    """Sample standard deviation of the values, each read as its bin's mean (NaN below 2 values).

    Leaves out the spread within bins, at most 0.1% of a value: negligible beside the spread
    between them."""
    n = int(counts.sum())
    if n < 2:
        return math.nan
    filled = counts > 0
    means = sums[filled] / counts[filled]
    mean = float(sums.sum()) / n
    return math.sqrt(max(float((counts[filled] * (means - mean) ** 2).sum()) / (n - 1), 0.0))
