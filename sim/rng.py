"""Counter-based random numbers: every draw is a pure function of where it is used.

A draw is ``bits(stream_key(seed, slot, stream), counter)``: the splitmix64
output for step ``counter`` of a stream whose starting point is a hash of
``(run seed, slot, stream)``. A slot (one position in the simulated workforce)
has a *monthly* stream (stream 0, counters ``2t`` and ``2t + 1`` in month
``t``) and one stream per candidate it draws (stream ``k + 1`` for candidate
``k``, one counter per attribute).

Nothing carries state from one draw to the next, so:

- worker ``i`` draws the same numbers whatever the chunking, thread count,
  machine or policy (common random numbers come for free, and a month nobody
  works costs nothing to skip);
- the hot loop keeps no generator state in memory;
- a NumPy reference can compute the very same numbers, vectorised.

All functions are ``@njit`` and pure.
"""
import math

import numpy as np
from numba import njit

from sim.jit import inlined

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT_53 = 1.0 / 9007199254740992.0  # 2**-53
_TO_UNIT_32 = 1.0 / 4294967296.0  # 2**-32
_LOW32 = np.uint64(0xFFFFFFFF)
_LOW16 = np.uint64(0xFFFF)
_SUM4_SCALE = math.sqrt(3.0) / 65536.0

MONTHLY_STREAM = 0
"""Stream of a slot's monthly draws; candidate ``k`` uses stream ``k + 1``."""
DRAWS_PER_MONTH = 2
"""Counters a monthly stream uses each month: ``2t`` (hazard and idle), ``2t + 1`` (wage shock)."""


@inlined
def mix64(z):
    """The splitmix64 finaliser: a bijection of uint64 that scrambles every bit."""
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def stream_key(seed, slot, stream):
    """Starting point (uint64) of the stream ``(seed, slot, stream)``."""
    return stream_of(slot_key(seed, slot), stream)


@inlined
def slot_key(seed, slot):
    """What every stream of the slot ``slot`` of the run ``seed`` derives from (uint64): the first
    two of :func:`stream_key`'s three steps, once for a caller that derives many of the slot's
    streams (the kernel keeps it per slot)."""
    return mix64(mix64(np.uint64(seed) + _GOLDEN) ^ (np.uint64(slot) * _GOLDEN))


@inlined
def stream_of(slot, stream):
    """Starting point (uint64) of the stream ``stream`` of the slot whose :func:`slot_key` is ``slot``."""
    return mix64(slot ^ (np.uint64(stream) + _MIX2))


@inlined
def bits(key, counter):
    """64 random bits: step ``counter`` (0, 1, ...) of the splitmix64 stream at ``key``."""
    return mix64(key + np.uint64(counter + 1) * _GOLDEN)


@inlined
def uniform(random_bits):
    """A uniform float in [0, 1) from the top 53 of 64 random bits."""
    return float(np.int64(random_bits >> np.uint64(11))) * _TO_UNIT_53


@inlined
def uniform_at(key, counter):
    """The uniform in [0, 1) at ``counter`` of the stream ``key``."""
    return uniform(bits(key, counter))


@inlined
def uniform_pair(random_bits):
    """Two independent uniforms in [0, 1) with 32 random bits each."""
    high = float(np.int64(random_bits >> np.uint64(32))) * _TO_UNIT_32
    low = float(np.int64(random_bits & _LOW32)) * _TO_UNIT_32
    return high, low


@inlined
def bell(random_bits):
    """A bounded bell-shaped value with mean 0 and sd 1 from 64 random bits.

    The sum of four independent 16-bit uniforms (Irwin-Hall, n = 4), centred
    and scaled: support [-2 sqrt(3), 2 sqrt(3)], excess kurtosis -0.3.
    Branch-free, for the monthly wage shock in the hot loop.
    """
    total = (random_bits & _LOW16) + ((random_bits >> np.uint64(16)) & _LOW16)
    total += ((random_bits >> np.uint64(32)) & _LOW16) + (random_bits >> np.uint64(48))
    return (float(np.int64(total)) - 131070.0) * _SUM4_SCALE


@njit(cache=True)
def normal(u1, u2):
    """A standard normal from two uniforms in [0, 1) (Box-Muller, cosine branch)."""
    return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
