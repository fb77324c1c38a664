"""pytest-benchmark micro-benchmarks of the kernel; skipped in the normal run (``--benchmark-skip``).

Run them with ``python -m pytest tests/test_bench.py --benchmark-only``; the full suite with
ratios against the references is ``python -m benchmarks``. The last test, no benchmark, runs in the
normal run: the patch of ``python -m benchmarks.before_after`` still applies.
"""
import subprocess

import numba
import pytest

from conftest import scenario
from sim import engine, layout as L
from benchmarks import before_after, rng_floor

BASELINE = scenario()
THREADS = [t for t in (1, 2) if t <= numba.config.NUMBA_NUM_THREADS]


@pytest.mark.parametrize("threads", THREADS)
@pytest.mark.parametrize("workers", [100_000, 1_000_000])
def test_kernel(benchmark, workers, threads):
    engine.simulate(BASELINE, workers=1_000, threads=threads)  # compile or load the cache
    raw = benchmark.pedantic(engine.simulate, args=(BASELINE,), kwargs={"workers": workers, "threads": threads},
                             rounds=3, warmup_rounds=1)
    worker_months = int(raw.monthly[:, L.M.workers_active].sum())
    benchmark.extra_info["worker_months"] = worker_months
    benchmark.extra_info["m_worker_months_per_s"] = worker_months / benchmark.stats["median"] / 1e6


@pytest.mark.parametrize("threads", THREADS)
def test_rng_floor(benchmark, threads):
    horizon = BASELINE.simulation.horizon_months

    def run():
        numba.set_num_threads(threads)
        active = rng_floor.allocate(threads, horizon)
        rng_floor.floor_slots(1, 1_000_000, horizon, active)
        return int(active.sum())

    worker_months = benchmark.pedantic(run, rounds=3, warmup_rounds=1)
    benchmark.extra_info["m_worker_months_per_s"] = worker_months / benchmark.stats["median"] / 1e6


def test_before_after_patch_applies_to_its_commit():
    """``python -m benchmarks.before_after`` knocks issue 8's mechanisms out of the kernel at
    PATCH_BASE with a patch; it must still apply there (a clone without the history skips)."""
    commit = f"{before_after.PATCH_BASE}^{{commit}}"
    has_commit = subprocess.run(["git", "-C", str(before_after.REPO), "cat-file", "-e", commit],
                                capture_output=True, check=False).returncode == 0
    if not has_commit:
        pytest.skip(f"this checkout lacks commit {before_after.PATCH_BASE}")
    assert before_after.patch_applies()
