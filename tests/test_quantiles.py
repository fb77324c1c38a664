"""Summary quantiles: exact for point masses, within 0.1% of the sample quantile, never NaN."""
import numpy as np
import pytest

from conftest import DEGENERATE, scenario
from sim import api, bins

COHORT = 'simulation={ mode = "cohort", horizon_months = 40, workers = 2000, seed = 5 }'
QUANTILES = {"p5": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75, "p95": 0.95}


def test_a_point_mass_has_exact_quantiles():
    """With every input fixed, every worker has the same outcomes: each quantile is that value,
    to the cent (a histogram read by interpolation would be off by up to a bin)."""
    result = api.run(scenario(*DEGENERATE, COHORT), keep_workers=True)
    cash = result.workers.cash_home_usd
    assert cash.nunique() == 1
    outcomes = result.outcomes.query("group == 'all'").set_index("outcome")
    for name in ("cash_home_usd", "net_gain_usd", "kept_usd_per_month", "months_served"):
        value = result.workers[name].iloc[0]
        assert (outcomes.loc[name, list(QUANTILES)] == value).all(), name
    assert outcomes.loc["months_served", "p95"] == 24


@pytest.fixture(scope="module")
def baseline():
    return api.run(scenario("simulation.horizon_months=60"), seed=2, workers=100_000, keep_workers=True)


@pytest.mark.parametrize("name", ["cash_home_usd", "net_gain_usd", "kept_usd_per_month", "months_served"])
def test_quantiles_are_within_a_tenth_of_a_percent_of_the_sample(baseline, name):
    row = baseline.outcomes.query("group == 'all'").set_index("outcome").loc[name]
    hires = baseline.workers[baseline.workers.hire_cohort == "hired_in_run"]  # outcomes are the run's hires
    sample = hires[name].to_numpy()
    assert len(sample) > 200_000
    for column, q in QUANTILES.items():
        exact = np.quantile(sample, q, method="inverted_cdf")
        assert abs(row[column] - exact) <= max(1.0, 0.001 * abs(exact)), (column, row[column], exact)
        if name == "months_served":
            assert row[column] == exact


@pytest.mark.parametrize("override", [
    "timeline.quota_multiplier=[[0, 1.0], [12, 3.0]]",
    'destinations.russia.earning_capacity_usd_per_month={ dist = "lognormal", median = 4000, range90 = [3200, 5000] }',
], ids=["3x quota", "$4,000 earnings"])
def test_quantiles_far_from_the_baseline_are_never_nan(override):
    result = api.run(scenario(override, "simulation.horizon_months=48"), workers=5_000)
    outcomes = result.outcomes[result.outcomes.workers_simulated > 0]
    quantiles = outcomes[outcomes.outcome != "share_worse_off_than_home"][list(QUANTILES)]
    assert len(quantiles) and np.isfinite(quantiles.to_numpy()).all()


def test_bins_rise_with_the_value_and_are_never_wider_than_a_tenth_of_a_percent():
    values = np.unique(np.concatenate([np.arange(-5000, 5000), np.geomspace(1, 2**41, 20_000).astype(np.int64)]))
    values = np.unique(np.concatenate([values, -values]))
    index = np.array([bins.bin_index(v) for v in values])
    assert (np.diff(index) >= 0).all()
    assert index.min() >= 0 and index.max() < bins.BINS
    inside = np.abs(values) < bins.TOP
    for b in np.unique(index[inside & (np.abs(values) >= bins.EXACT_BELOW)])[::97]:
        members = np.abs(values[(index == b) & inside])
        assert members.max() - members.min() <= members.min() / bins.SUB_BINS
    small = np.abs(values) < bins.EXACT_BELOW
    assert len(np.unique(index[small])) == small.sum()  # one bin per value
