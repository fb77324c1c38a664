"""Stock mode starts in its steady state: month 0 looks like any later month.

Each check compares month 0 with the mean of months 36-47 (after every contract of month 0 has
ended), in simulated units. Headcount and mix use standard errors that are bounds, not fits:
slots are independent, a headcount is a sum of indicators, a contract lies in [24, 36], months
served in [0, 36). Money has no such bound, so it is checked on BATCHES independent runs (seeds
1, 2, ...) with a t-test on their month-0-minus-late differences.
"""
import math

import numpy as np
import pytest
import scipy.stats

from conftest import scenario
from sim import api, engine, layout as L

SIGMAS = 4.5
N = 100_000
LATE = slice(36, 48)
CASES = {  # the baseline's queue of 10 fills every post: these leave some vacant
    "one candidate a month": ["participation.candidates_per_post=1"],
    "half the candidates come forward": ["timeline.intake_multiplier=0.5", "participation.candidates_per_post=1"],
    "most candidates would not go, a queue of 3": ["participation.reservation_gain_usd=3000",
                                                   "participation.candidates_per_post=3"],
}


@pytest.fixture(scope="module", params=CASES, ids=list(CASES))
def monthly(request):
    result = api.run(scenario("simulation.horizon_months=48", *CASES[request.param]), seed=11, workers=N)
    return result.raw.monthly


def tolerance(single_month_sd):
    """SIGMAS standard errors of month 0 minus the late mean, each no noisier than one month."""
    return SIGMAS * math.sqrt(2.0) * single_month_sd


def test_headcount_at_month_0_is_the_long_run_headcount(monthly):
    active = monthly[:, L.M.workers_active].astype(float)
    late = active[LATE].mean()
    assert late < N  # some slots stand vacant in the running simulation
    share = late / N
    assert abs(active[0] - late) < tolerance(math.sqrt(N * share * (1 - share)) + 1.0)


BATCHES, BATCH_WORKERS = 40, 5_000
T_CRITICAL = scipy.stats.t.ppf(1 - 0.5e-5, BATCHES - 1)  # two-sided, as rare as 4.4 sigma
ARREARS_CASES = {
    "baseline": [],
    "free movers idle one month in four": ["destinations.russia.free_mover_share=1.0",
                                           "regimes.free.idle_probability_per_month=0.25"],
}


@pytest.mark.parametrize("overrides", ARREARS_CASES.values(), ids=list(ARREARS_CASES))
@pytest.mark.parametrize("column", [L.M.to_state_usd, L.M.arrears_outstanding_usd], ids=["state revenue", "arrears outstanding"])
def test_money_at_month_0_is_the_long_run_money(overrides, column):
    """Workers met at month 0 carry the arrears of their tenure and pay them off as in any month."""
    chosen = scenario("simulation.horizon_months=48", *overrides)
    differences = []
    for seed in range(1, BATCHES + 1):
        series = engine.simulate(chosen, seed=seed, workers=BATCH_WORKERS).monthly[:, column] / 100.0
        differences.append(series[0] - series[LATE].mean())
    differences = np.array(differences)
    assert abs(differences.mean()) < T_CRITICAL * differences.std(ddof=1) / math.sqrt(BATCHES)


@pytest.mark.parametrize("column, spread", [(L.M.contract_months_sum, 6.0), (L.M.months_served_sum, 18.0)],
                         ids=["contract months", "months already served"])
def test_worker_mix_at_month_0_is_the_long_run_mix(monthly, column, spread):
    """Length bias: month 0 meets long contracts more often than hiring does; and tenures."""
    mean = monthly[:, column] / monthly[:, L.M.workers_active]
    late = mean[LATE].mean()
    assert abs(mean[0] - late) < tolerance(spread / math.sqrt(monthly[0, L.M.workers_active]))


def test_month_0_meets_long_contracts_more_often_than_hiring_does():
    """The mean contract of those abroad exceeds that of hires (24-36 months, mean 30) by
    var / mean = 14 / 30 months: a renewal process's length bias."""
    result = api.run(scenario("simulation.horizon_months=12", "regimes.camp.early_return_hazard_per_month=0.0",
                              "regimes.free.early_return_hazard_per_month=0.0"), seed=3, workers=N)
    m = result.raw.monthly
    contract = m[0, L.M.contract_months_sum] / m[0, L.M.workers_active]
    assert abs(contract - (30 + 14 / 30)) < SIGMAS * 6.0 / math.sqrt(m[0, L.M.workers_active])
    served = m[0, L.M.months_served_sum] / m[0, L.M.workers_active]
    # months served are uniform on 0..L-1 given L, L length-biased: E = (E[L^2] / E[L] - 1) / 2
    assert abs(served - (30 + 14 / 30 - 1) / 2) < SIGMAS * 18.0 / math.sqrt(m[0, L.M.workers_active])
