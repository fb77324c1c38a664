"""Statistical checks against closed forms; tolerances are multiples of the standard error."""
import math

import numpy as np
import pytest
import scipy.stats
from numba import njit

from conftest import DEGENERATE, scenario
from sim import api, rng, sampling
from sim.distributions import DiscreteUniform, Lognormal, Pert, Triangular, Uniform

SIGMAS = 4.5  # a correct sampler fails one of these checks about once in 150,000 runs


@njit(cache=True)
def draws(row, n, seed):
    table = row.reshape(1, -1)
    out = np.empty(n)
    for i in range(n):
        out[i] = sampling.draw(table, 0, rng.stream_key(seed, i, 1), 0)
    return out


@njit(cache=True)
def monthly_bits(n, seed):
    u = np.empty((n, 2))
    shock = np.empty(n)
    key = rng.stream_key(seed, 0, rng.MONTHLY_STREAM)
    for t in range(n):
        u[t, 0], u[t, 1] = rng.uniform_pair(rng.bits(key, 2 * t))
        shock[t] = rng.bell(rng.bits(key, 2 * t + 1))
    return u, shock


CASES = [
    (Uniform(dist="uniform", low=500, high=700), scipy.stats.uniform(500, 200)),
    (Triangular(dist="triangular", low=1, mode=2, high=6), scipy.stats.triang(0.2, loc=1, scale=5)),
    (Pert(dist="pert", low=60, mode=90, high=150), scipy.stats.beta(1 + 4 * 30 / 90, 1 + 4 * 60 / 90, loc=60, scale=90)),
    (Lognormal(dist="lognormal", median=1000, range90=[800, 1250]),
     scipy.stats.lognorm(math.log(1250 / 800) / (2 * 1.6448536269514722), scale=1000)),
]


@pytest.mark.parametrize("dist, reference", CASES, ids=lambda c: getattr(c, "dist", ""))
def test_continuous_families_match_their_distribution(dist, reference):
    n = 200_000
    x = draws(dist.compile(), n, 1)
    assert abs(x.mean() - reference.mean()) < SIGMAS * reference.std() / math.sqrt(n)
    assert scipy.stats.kstest(x, reference.cdf).pvalue > 1e-5
    low, high = dist.support()
    assert low <= x.min() and x.max() <= high


def test_lognormal_range90_holds_ninety_percent():
    x = draws(Lognormal(dist="lognormal", median=1000, range90=[800, 1250]).compile(), 100_000, 2)
    inside = ((x >= 800) & (x <= 1250)).mean()
    assert abs(inside - 0.9) < SIGMAS * math.sqrt(0.9 * 0.1 / len(x))
    assert abs(np.median(x) - 1000) < 5


def test_discrete_uniform_hits_every_month_equally():
    x = draws(DiscreteUniform(dist="discrete_uniform", low=24, high=36).compile(), 130_000, 3)
    counts = np.bincount(x.astype(int) - 24, minlength=13)
    assert len(counts) == 13
    assert scipy.stats.chisquare(counts).pvalue > 1e-5


def test_monthly_uniforms_and_wage_shock_have_the_stated_moments():
    n = 400_000
    u, shock = monthly_bits(n, 4)
    assert abs(u.mean() - 0.5) < SIGMAS * math.sqrt(1 / 12 / (2 * n))
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < SIGMAS / math.sqrt(n)
    assert abs(shock.mean()) < SIGMAS / math.sqrt(n)
    assert abs(shock.std() - 1) < 0.01
    assert np.abs(shock).max() <= 2 * math.sqrt(3)


def cohort(*overrides, workers=20_000):
    return api.run(scenario(*DEGENERATE, "participation.reservation_gain_usd=-1e9", *overrides,
                            f'simulation={{ mode = "cohort", horizon_months = 36, workers = {workers}, seed = 5 }}'),
                   keep_workers=True)


def test_early_return_hazard_gives_the_expected_months_served():
    h, contract = 0.02, 24
    w = cohort(f"regimes.camp.early_return_hazard_per_month={h}").workers
    expected = (1 - (1 - h) ** contract) / h
    assert abs(w.months_served.mean() - expected) < SIGMAS * w.months_served.std() / math.sqrt(len(w))
    assert abs(w.early_return.mean() - (1 - (1 - h) ** (contract - 1))) < SIGMAS * 0.5 / math.sqrt(len(w))


def test_repatriation_hazard_adds_to_the_early_return_hazard():
    w = cohort("regimes.camp.early_return_hazard_per_month=0.01",
               "timeline.repatriation_hazard_per_month=0.03").workers
    h = 1 - 0.99 * 0.97
    expected = (1 - (1 - h) ** 24) / h
    assert abs(w.months_served.mean() - expected) < SIGMAS * w.months_served.std() / math.sqrt(len(w))


def test_free_movers_lose_the_idle_share_of_their_earnings():
    p = 0.1
    w = cohort("destinations.russia.free_mover_share=1.0", f"regimes.free.idle_probability_per_month={p}",
               "regimes.free.expenses_usd_per_month=100", "regimes.free.earnings_multiplier=1.0").workers
    gross_per_month = w.gross_earnings_usd / w.months_served
    expected = 1000 * (1 - p)
    sd = 1000 * math.sqrt(p * (1 - p) / 24)
    assert abs(gross_per_month.mean() - expected) < SIGMAS * sd / math.sqrt(len(w))


def test_stock_starts_in_steady_state():
    """Returns per month are the same at the start as later: no transient from an all-new stock."""
    result = api.run(scenario("simulation.horizon_months=72"), seed=2, workers=40_000)
    returns = result.monthly.returns.to_numpy() / result.summary_dict["weight_real_workers_per_simulated"]
    first, last = returns[:24].mean(), returns[-24:].mean()
    sd = math.sqrt(returns.mean() / 24)  # Poisson-like count per month, averaged over 24 months
    assert abs(first - last) < SIGMAS * math.sqrt(2) * sd
    # renewal theorem: returns per month = workers abroad / mean months served
    mean_months = result.outcomes.set_index(["group", "outcome"]).loc[("all", "months_served"), "mean"]
    active = result.monthly.workers_active.mean() / result.summary_dict["weight_real_workers_per_simulated"]
    assert abs(returns.mean() - active / mean_months) < SIGMAS * math.sqrt(returns.sum()) / len(returns)
