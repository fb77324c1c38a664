"""Same seed, same numbers: whatever the thread count, batch size or policy elsewhere."""
import numba
import numpy as np
import pytest

from conftest import scenario
from sim import engine
from sim.layout import CHUNK_WORKERS, M

SHORT = scenario("simulation.horizon_months=36")
N = 2 * CHUNK_WORKERS + 1_000  # three chunks, the last one partial


def assert_same(a, b):
    np.testing.assert_array_equal(a.monthly, b.monthly)
    np.testing.assert_array_equal(a.cell_totals, b.cell_totals)
    np.testing.assert_array_equal(a.histogram, b.histogram)
    assert a.state_revenue_sumsq_usd2 == b.state_revenue_sumsq_usd2
    assert a.managers_revenue_sumsq_usd2 == b.managers_revenue_sumsq_usd2


@pytest.fixture(scope="module")
def reference():
    return engine.simulate(SHORT, seed=11, workers=N, threads=1)


def test_same_seed_gives_identical_results(reference):
    assert_same(reference, engine.simulate(SHORT, seed=11, workers=N, threads=1))


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_one_and_two_threads_give_identical_results(reference):
    assert_same(reference, engine.simulate(SHORT, seed=11, workers=N, threads=2))


def test_batch_size_does_not_change_results(reference, monkeypatch):
    monkeypatch.setattr(engine, "BATCH_CHUNKS", 1)
    assert_same(reference, engine.simulate(SHORT, seed=11, workers=N, threads=2))


def test_another_seed_gives_other_results(reference):
    other = engine.simulate(SHORT, seed=12, workers=N, threads=1)
    assert not np.array_equal(reference.monthly, other.monthly)


def test_worker_records_do_not_depend_on_threads():
    one = engine.simulate(SHORT, seed=3, workers=N, threads=1, keep_workers=True).workers
    two = engine.simulate(SHORT, seed=3, workers=N, threads=2, keep_workers=True).workers
    assert one.keys() == two.keys()
    for column in one:
        np.testing.assert_array_equal(one[column], two[column])


def test_a_slot_draws_the_same_whatever_the_other_slots():
    """Slot i's workers do not depend on how many slots run beside it (common random numbers)."""
    small = engine.simulate(SHORT, seed=5, workers=100, keep_workers=True).workers
    large = engine.simulate(SHORT, seed=5, workers=5_000, keep_workers=True).workers
    mask = large["slot"] < 100
    for column in small:
        np.testing.assert_array_equal(small[column], large[column][mask])


def test_a_no_op_policy_changes_nothing(reference):
    written_out = scenario("simulation.horizon_months=36", "timeline.quota_multiplier=[[0, 1.0], [12, 1.0]]",
                           "timeline.wage_index=[[0, 1.0], [24, 1.0]]")
    assert_same(reference, engine.simulate(written_out, seed=11, workers=N, threads=1))


def test_a_quota_hike_changes_payments_but_not_who_is_hired():
    before = engine.simulate(SHORT, seed=9, workers=2_000, keep_workers=True)
    hiked = engine.simulate(scenario("simulation.horizon_months=36", "timeline.quota_multiplier=[[0, 1.0], [12, 1.2]]"),
                            seed=9, workers=2_000, keep_workers=True)
    np.testing.assert_array_equal(before.monthly[:12], hiked.monthly[:12])
    assert hiked.monthly[12:, 5].sum() > before.monthly[12:, 5].sum()  # more paid to the state
    # the same candidates are drawn in the same slots: hires before month 12 keep their attributes
    early_before = before.workers["hire_month"] < 12
    early_hiked = hiked.workers["hire_month"] < 12
    for column in ("slot", "candidate", "destination", "skill", "regime", "contract_months", "bribe_usd"):
        np.testing.assert_array_equal(before.workers[column][early_before], hiked.workers[column][early_hiked])


def test_a_quota_hike_deters_candidates_from_the_month_it_starts():
    before = engine.simulate(SHORT, seed=9, workers=4_000)
    hiked = engine.simulate(scenario("simulation.horizon_months=36", "timeline.quota_multiplier=[[0, 1.0], [12, 1.5]]"),
                            seed=9, workers=4_000)
    hires = M.hires
    np.testing.assert_array_equal(before.monthly[:12, hires], hiked.monthly[:12, hires])
    assert hiked.monthly[12:, hires].sum() < 0.9 * before.monthly[12:, hires].sum()
