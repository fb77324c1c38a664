"""Counter-seeded random streams for the kernel.

Every stream is a xoshiro256** generator whose four state words come from a
splitmix64 hash of ``(run seed, slot index, stream id)``. A slot (one position
in the simulated workforce) owns a *monthly* stream (stream id 0), advanced a
fixed number of times every month whatever happens to the worker, and one
*hire* stream per candidate it draws (stream id ``k + 1`` for candidate ``k``).
Worker ``i`` therefore draws the same numbers whatever the chunking, thread
count or policy: common random numbers come for free.

A stream's state is a ``uint64`` array of length 4, advanced in place. All
functions here are ``@njit`` and pure apart from that state.
"""
import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT_53 = 1.0 / 9007199254740992.0  # 2**-53
_TO_UNIT_32 = 1.0 / 4294967296.0  # 2**-32
_LOW32 = np.uint64(0xFFFFFFFF)

MONTHLY_STREAM = 0
"""Stream id of a slot's monthly stream; candidate ``k`` uses ``k + 1``."""


@njit(cache=True, inline="always")
def _mix64(z):
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def seed_stream(state, seed, slot, stream_id):
    """Fill ``state`` (uint64[4]) with the stream of ``(seed, slot, stream_id)``."""
    key = _mix64(np.uint64(seed) + _GOLDEN)
    key = _mix64(key ^ (np.uint64(slot) * _GOLDEN))
    key = _mix64(key ^ (np.uint64(stream_id) + _MIX2))
    for i in range(4):
        key += _GOLDEN
        state[i] = _mix64(key)


@njit(cache=True, inline="always")
def _rotl(x, k):
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@njit(cache=True, inline="always")
def _step(s0, s1, s2, s3):
    """One xoshiro256** step on scalar state words; returns (bits, s0, s1, s2, s3)."""
    result = _rotl(s1 * np.uint64(5), 7) * np.uint64(9)
    t = s1 << np.uint64(17)
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = _rotl(s3, 45)
    return result, s0, s1, s2, s3


@njit(cache=True, inline="always")
def next_u64(state):
    """Advance the xoshiro256** stream once; return 64 random bits."""
    result, state[0], state[1], state[2], state[3] = _step(state[0], state[1], state[2], state[3])
    return result


@njit(cache=True, inline="always")
def uniform(state):
    """One uniform float in [0, 1) with 53 random bits."""
    return _unit(next_u64(state))


@njit(cache=True, inline="always")
def two_uniforms(state):
    """Two independent uniforms in [0, 1) with 32 random bits each, from one draw."""
    bits = next_u64(state)
    return float(bits >> np.uint64(32)) * _TO_UNIT_32, float(bits & _LOW32) * _TO_UNIT_32


# Ziggurat for the standard normal (Marsaglia & Tsang 2000, in Doornik's 2005
# form), 128 layers. _ZIG_X[i] is the right edge of layer i, _ZIG_RATIO[i] the
# share of layer i that lies wholly under the density.
_ZIG_LAYERS = 128
_ZIG_R = 3.442619855899
_ZIG_AREA = 9.91256303526217e-3


def _ziggurat_tables():
    x = np.zeros(_ZIG_LAYERS + 1)
    f = math.exp(-0.5 * _ZIG_R * _ZIG_R)
    x[0] = _ZIG_AREA / f
    x[1] = _ZIG_R
    for i in range(2, _ZIG_LAYERS):
        x[i] = math.sqrt(-2.0 * math.log(_ZIG_AREA / x[i - 1] + f))
        f = math.exp(-0.5 * x[i] * x[i])
    x[_ZIG_LAYERS] = 0.0
    return x, x[1:] / x[:-1]


_ZIG_X, _ZIG_RATIO = _ziggurat_tables()
_ZIG_MASK = np.uint64(_ZIG_LAYERS - 1)


@njit(cache=True, inline="always")
def _unit(bits):
    return float(bits >> np.uint64(11)) * _TO_UNIT_53


@njit(cache=True)
def _normal_slow(s0, s1, s2, s3, layer, u):
    """Rejection branch of the ziggurat, out of line so the fast path inlines.

    Takes and returns the state as scalars: passing the state array to a call
    inside the hot loop costs more than the whole fast path.
    Returns (value, s0, s1, s2, s3).
    """
    while True:
        if layer == 0:
            while True:
                bits, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
                x = -math.log(1.0 - _unit(bits)) / _ZIG_R
                bits, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
                y = -math.log(1.0 - _unit(bits))
                if y + y > x * x:
                    return (_ZIG_R + x if u > 0.0 else -_ZIG_R - x), s0, s1, s2, s3
        x0 = u * _ZIG_X[layer]
        f0 = math.exp(-0.5 * (_ZIG_X[layer] ** 2 - x0 * x0))
        f1 = math.exp(-0.5 * (_ZIG_X[layer + 1] ** 2 - x0 * x0))
        bits, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
        if f1 + _unit(bits) * (f0 - f1) < 1.0:
            return x0, s0, s1, s2, s3
        bits, s0, s1, s2, s3 = _step(s0, s1, s2, s3)
        layer = np.int64(bits & _ZIG_MASK)
        u = 2.0 * _unit(bits) - 1.0
        if abs(u) < _ZIG_RATIO[layer]:
            return u * _ZIG_X[layer], s0, s1, s2, s3


@njit(cache=True, inline="always")
def normal(state):
    """One standard normal draw (one 64-bit draw on ~99% of calls)."""
    bits = next_u64(state)
    layer = np.int64(bits & _ZIG_MASK)
    u = 2.0 * _unit(bits) - 1.0
    if abs(u) < _ZIG_RATIO[layer]:
        return u * _ZIG_X[layer]
    value, state[0], state[1], state[2], state[3] = _normal_slow(state[0], state[1], state[2], state[3], layer, u)
    return value


@njit(cache=True)
def gamma(state, shape):
    """One Gamma(shape, 1) draw, Marsaglia & Tsang's method (shape > 0)."""
    if shape < 1.0:
        return gamma(state, shape + 1.0) * (1.0 - uniform(state)) ** (1.0 / shape)
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        z = normal(state)
        v = 1.0 + c * z
        if v <= 0.0:
            continue
        v = v * v * v
        u = 1.0 - uniform(state)
        if math.log(u) < 0.5 * z * z + d - d * v + d * math.log(v):
            return d * v


@njit(cache=True)
def beta(state, a, b):
    """One Beta(a, b) draw as a ratio of gamma draws."""
    x = gamma(state, a)
    y = gamma(state, b)
    return x / (x + y)


_SUM4_SCALE = math.sqrt(3.0) / 65536.0
_LOW16 = np.uint64(0xFFFF)


@njit(cache=True, inline="always")
def bell(state):
    """A bounded bell-shaped draw with mean 0 and sd 1, from one 64-bit draw.

    The sum of four independent 16-bit uniforms (Irwin-Hall, n = 4), centred
    and scaled: support [-2*sqrt(3), 2*sqrt(3)], kurtosis 2.7 against the
    normal's 3. Branch-free, for the monthly wage shock in the hot loop.
    """
    bits = next_u64(state)
    total = (bits & _LOW16) + ((bits >> np.uint64(16)) & _LOW16)
    total += ((bits >> np.uint64(32)) & _LOW16) + (bits >> np.uint64(48))
    return (float(np.int64(total)) - 131070.0) * _SUM4_SCALE
