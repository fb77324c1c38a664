"""RNG floor: the kernel's counter-based draws and loop control, none of the economics.

The same split of slots into chunks and groups as sim.kernel.simulate_group (a group per prange iteration); per slot: the steady-state
worker's candidate draws, then per worker-month the two monthly counters (2t, 2t + 1) turned
into the hazard/idle uniforms and the bell shock, the same return rule (contract end or hazard),
and per hire the candidate's counters. Draws are folded into a checksum so none is dead code.
Measured by ``python -m benchmarks`` beside the kernel.
"""
import numpy as np
from numba import njit, prange

from sim import layout as L
from sim import rng

N_CANDIDATE_COUNTERS = 7 + 9  # U_ constants + one uniform per D_ attribute (lognormal: +1)


@njit(cache=True, inline="always")
def _candidate(key):
    acc = np.uint64(0)
    for c in range(N_CANDIDATE_COUNTERS + 1):
        acc ^= rng.bits(key, c)
    contract = 24 + int(rng.uniform(rng.bits(key, 9)) * 13.0)
    hazard = 0.003 if rng.uniform(rng.bits(key, 2)) < 0.7 else 0.006
    return acc, contract, hazard


@njit(cache=True, parallel=True)
def floor_slots(seed, n_slots, horizon, active):
    """Draw what ``n_slots`` slots of the kernel draw over ``horizon`` months; count active months
    into ``active`` (int64, (groups, horizon)); return a checksum per group."""
    groups = active.shape[0]
    n_chunks = (n_slots + L.CHUNK_WORKERS - 1) // L.CHUNK_WORKERS
    checks = np.zeros(groups, np.uint64)
    for group in prange(groups):
        check = np.uint64(0)
        row = active[group]
        for chunk in range(group, n_chunks, groups):
            for slot in range(chunk * L.CHUNK_WORKERS, min((chunk + 1) * L.CHUNK_WORKERS, n_slots)):
                mkey = rng.stream_key(seed, slot, 0)
                candidate = 1
                acc, contract, hazard = _candidate(rng.stream_key(seed, slot, candidate))
                check ^= acc
                months = contract // 2
                t = 0
                while True:
                    b = rng.bits(mkey, 2 * t)
                    u_hazard, u_idle = rng.uniform_pair(b)
                    shock = rng.bell(rng.bits(mkey, 2 * t + 1))
                    check += np.uint64(u_idle * 1e9) ^ np.uint64(shock * 1e6 + 1e7)
                    months += 1
                    if t < horizon:
                        row[t] += 1
                    t += 1
                    if months >= contract or u_hazard < hazard:
                        if t >= horizon:
                            break
                        candidate += 1
                        acc, contract, hazard = _candidate(rng.stream_key(seed, slot, candidate))
                        check ^= acc
                        months = 0
        checks[group] = check
    return checks


def allocate(threads, horizon):
    """The per-group active-worker counts ``floor_slots`` fills: int64 (threads, horizon)."""
    return np.zeros((threads, horizon), np.int64)
