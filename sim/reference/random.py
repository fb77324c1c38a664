"""Random numbers and sampling for the plain reference: the kernel's specification, in pure Python.

This is the one thing the reference shares with the kernel: which random number is drawn where,
and how a distribution turns it into a value (:mod:`sim.rng`, :mod:`sim.sampling`). It is restated
here on Python ints and floats rather than imported, so that the model in
:mod:`sim.reference.model` depends on nothing of the kernel's code.

- **Streams.** A draw is step ``counter`` (0, 1, ...) of a splitmix64 stream whose start is a
  hash of (run seed, slot, stream). Every slot has a monthly stream (stream 0) and one stream per
  candidate it draws (stream ``k`` for its ``k``-th candidate, ``k`` = 1, 2, ...).
- **Monthly counters.** Month ``t`` uses counters ``2t`` (split into two 32-bit uniforms: the
  return hazard and the idle month) and ``2t + 1`` (the wage shock); ``t`` may be negative (the
  months a worker met at month 0 had served), the counter then wraps modulo 2**64.
- **Candidate counters.** One uniform each at the counters below, and two counters for each
  distributed attribute (the lognormal uses both, the other families the first).
"""
import functools
import math

import numpy as np
import scipy.special

MASK64 = 2**64 - 1
GOLDEN, MIX1, MIX2 = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB

MONTHLY_STREAM = 0
# a candidate's stream: a uniform at each of these counters ...
ARRIVAL, ACCEPT, DESTINATION, SKILL, REGIME, BORROWED, AGE = range(7)
# ... and a distributed attribute at each of these (it owns the next counter too)
CONTRACT, BRIBE, HOME_WAGE, CAPACITY, EXPENSES, HAZARD, QUOTA_INPUT, SKIM, TRAVEL = range(7, 25, 2)
# ... and one more uniform: whether a candidate turned away is diverted
DIVERT = 25

PERT_INTERVALS = 1024
"""A PERT is drawn from its inverse CDF tabulated at u = 0, 1/1024, ..., 1, interpolated linearly."""


def mix64(z):
    """The splitmix64 finaliser, a bijection of 64-bit integers."""
    z = ((z ^ (z >> 30)) * MIX1) & MASK64
    z = ((z ^ (z >> 27)) * MIX2) & MASK64
    return z ^ (z >> 31)


def stream_key(seed, slot, stream):
    """Start of the stream ``(seed, slot, stream)``."""
    key = mix64((seed + GOLDEN) & MASK64)
    key = mix64(key ^ ((slot * GOLDEN) & MASK64))
    return mix64(key ^ ((stream + MIX2) & MASK64))


def bits(key, counter):
    """64 random bits: step ``counter`` of the stream at ``key`` (a negative counter wraps)."""
    return mix64((key + (((counter + 1) * GOLDEN) & MASK64)) & MASK64)


def uniform(random_bits):
    """A uniform in [0, 1): the top 53 bits times 2**-53."""
    return (random_bits >> 11) * 2.0**-53


def uniform_at(key, counter):
    return uniform(bits(key, counter))


def uniform_pair(random_bits):
    """Two uniforms in [0, 1): the high and the low 32 bits, times 2**-32."""
    return (random_bits >> 32) * 2.0**-32, (random_bits & 0xFFFFFFFF) * 2.0**-32


def bell(random_bits):
    """Mean 0, sd 1, bounded: the sum of four 16-bit uniforms, centred and scaled (Irwin-Hall)."""
    total = sum((random_bits >> shift) & 0xFFFF for shift in (0, 16, 32, 48))
    return (total - 131070.0) * (math.sqrt(3.0) / 65536.0)


def normal(u1, u2):
    """A standard normal (Box-Muller, cosine branch), with the C library's log and cos as numba's."""
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)


def category(shares, u):
    """Index of the category ``u`` falls in, given the shares in order: the first whose cumulative
    share is above ``u`` (the last cumulative share counts as exactly 1)."""
    cumulative = 0.0
    for index, share in enumerate(shares[:-1]):
        cumulative += share
        if u < cumulative:
            return index
    return len(shares) - 1


@functools.lru_cache(maxsize=None)
def _pert_quantiles(low, mode, high):
    """The inverse CDF of PERT(low, mode, high), a Beta(1 + 4 (mode - low) / w, 1 + 4 (high - mode)
    / w) scaled to [low, high], w = high - low, at u = 0, 1/1024, ..., 1."""
    width = high - low
    alpha, beta = 1.0 + 4.0 * (mode - low) / width, 1.0 + 4.0 * (high - mode) / width
    u = np.linspace(0.0, 1.0, PERT_INTERVALS + 1)
    return tuple((low + width * scipy.special.betaincinv(alpha, beta, u)).tolist())


def sample(dist, key, counter):
    """A draw from the config distribution ``dist`` (:mod:`sim.distributions`), with the uniform at
    ``counter`` of the stream ``key`` (and at ``counter + 1`` for the lognormal)."""
    if dist.dist == "fixed":
        return dist.value
    u = uniform_at(key, counter)
    if dist.dist == "uniform":
        return dist.low + (dist.high - dist.low) * u
    if dist.dist == "triangular":
        low, mode, high = dist.low, dist.mode, dist.high
        if high == low:
            return low
        if u * (high - low) < mode - low:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1.0 - u) * (high - low) * (high - mode))
    if dist.dist == "pert":
        if dist.high == dist.low:
            return dist.low
        table = _pert_quantiles(dist.low, dist.mode, dist.high)
        position = u * PERT_INTERVALS
        below = min(int(position), PERT_INTERVALS - 1)
        return table[below] + (position - below) * (table[below + 1] - table[below])
    if dist.dist == "lognormal":
        return math.exp(math.log(dist.median) + dist.sigma * normal(u, uniform_at(key, counter + 1)))
    if dist.dist == "discrete_uniform":
        return float(math.floor(dist.low + (dist.high - dist.low + 1.0) * u))
    raise ValueError(f"unknown distribution family {dist.dist!r}")


def int_power(base, exponent):
    """``base ** exponent`` for a whole ``exponent`` >= 0 as numba computes it (binary
    exponentiation, which differs from the C library's ``pow`` in the last bit)."""
    result = 1.0
    while exponent:
        if exponent & 1:
            result *= base
        exponent, base = exponent >> 1, base * base
    return result
