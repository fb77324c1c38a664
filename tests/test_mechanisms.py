"""Each mechanism of the model, switched on, moves the results by what the model says it should.

The references in ``benchmarks/`` state the same model as the kernel, so "reference equals
kernel" cannot see a mechanism switched off in both. Here every expected value is derived by
hand from the model (MODEL.md section 3): exact cents where nothing is random, otherwise an
analytic expectation (scipy for the distributions) with a tolerance of SIGMAS standard errors.
Per-worker checks start from the worker's own recorded inputs (his capacity, quota, skim share,
months served, hiring month), never from the kernel's arithmetic. Each test names the
mechanism it guards; switching that mechanism off, in the kernel and the references alike,
makes it fail.

The degenerate worker (see ``conftest.DEGENERATE``): capacity $1,000, expenses $100, quota $700,
skim 10%, contract 24 months, home wage $60, bribe $600, travel $150, camps only, no shock.
"""
import math

import numpy as np
import pytest
import scipy.integrate
import scipy.stats

from conftest import DEGENERATE, scenario
from sim import api, layout as L

SIGMAS = 4.5  # a correct model fails one of these checks about once in 150,000 runs
NO_THRESHOLD = "participation.reservation_gain_usd=-1e9"


def cohort(*overrides, workers=2_000, horizon=24, seed=11):
    """Degenerate workers all hired at month 0, with ``overrides`` on top; one row per hire."""
    simulation = f'simulation={{ mode = "cohort", horizon_months = {horizon}, workers = {workers}, seed = {seed} }}'
    chosen = scenario(*DEGENERATE, *overrides, simulation)
    return api.run(chosen, keep_workers=True)


def cents(usd):
    """Recorded USD amounts (whole cents) as int64 cents."""
    return np.rint(np.asarray(usd, dtype=np.float64) * 100).astype(np.int64)


def round_cents(usd):
    """An amount in USD rounded to whole cents, half up: the model's one rounding step."""
    return np.floor(np.asarray(usd, dtype=np.float64) * 100 + 0.5).astype(np.int64)


def binomial_share_ok(successes, n, p):
    return abs(successes / n - p) < SIGMAS * math.sqrt(p * (1 - p) / n)


# --- 1. loan interest on a borrowed bribe -----------------------------------------------------
def test_borrowers_repay_the_bribe_with_monthly_compound_interest_and_do_not_pay_it_twice():
    r = 0.02
    w = cohort("bribe_finance.borrowed_share=0.5", f"bribe_finance.interest_rate_per_month={r}",
               "regimes.camp.early_return_hazard_per_month=0.05").workers
    borrowed, months = w.borrowed.to_numpy(), w.months_served.to_numpy()
    assert binomial_share_ok(borrowed.sum(), len(w), 0.5)
    assert (months < 24).any() and (months == 24).any()
    # owed for as many months as he was away: $600 (1 + r)^months, rounded to the cent
    loan = np.where(borrowed, round_cents(600 * (1 + r) ** months.astype(np.float64)), 0)
    np.testing.assert_array_equal(cents(w.loan_repayment_usd), loan)
    assert cents(w.loan_repayment_usd[w.borrowed & (w.months_served == 24)]).max() == 96506  # $965.0623
    # kept $200 a month; cash home = kept - loan - travel; the borrower's bribe is the loan
    cash = 20_000 * months - loan - 15_000
    np.testing.assert_array_equal(cents(w.cash_home_usd), cash)
    np.testing.assert_array_equal(cents(w.net_gain_usd), cash - 6_000 * months - np.where(borrowed, 0, 60_000))


# --- 2. the planned contribution: retention rule and drawn rule -------------------------------
CAPACITY_600_1300 = 'destinations.russia.earning_capacity_usd_per_month={ dist = "uniform", low = 600, high = 1300 }'


def test_retention_rule_sets_the_quota_to_leave_the_allowance_clipped_to_the_band():
    w = cohort('quota={ rule = "retention", retention_usd_per_month = 150, '
               'floor_usd_per_month = 500, cap_usd_per_month = 900 }', CAPACITY_600_1300, NO_THRESHOLD).workers
    capacity, quota = w.earning_capacity_usd_per_month.to_numpy(), w.quota_usd_per_month.to_numpy()
    np.testing.assert_allclose(quota, np.clip(capacity - 100 - 150, 500, 900), rtol=0, atol=1e-9)
    floor, cap = quota == 500, quota == 900
    inside = ~floor & ~cap
    # W - 250 is uniform on [350, 1050]: 150/700 of hires at the floor, 150/700 at the cap
    assert binomial_share_ok(floor.sum(), len(w), 150 / 700)
    assert binomial_share_ok(cap.sum(), len(w), 150 / 700)
    # inside the band he keeps the allowance (within the cent roundings of W and Q)
    np.testing.assert_allclose(w.kept_usd_per_month[inside], 150, atol=0.011)
    # at the floor the state asks more than W - X - K* and he keeps less; at the cap, more
    assert (w.kept_usd_per_month[floor] < 150).all() and (w.kept_usd_per_month[cap] > 150).all()


def test_drawn_rule_sets_the_quota_whatever_the_worker_earns():
    w = cohort('quota={ rule = "drawn", floor_usd_per_month = 500, cap_usd_per_month = 900, '
               'quota_usd_per_month = { dist = "uniform", low = 400, high = 1000 } }',
               CAPACITY_600_1300, NO_THRESHOLD, workers=4_000).workers
    quota, n = w.quota_usd_per_month.to_numpy(), len(w)
    # Q = clip(U(400, 1000), 500, 900): a sixth at the floor, a sixth at the cap, uniform between
    assert binomial_share_ok((quota == 500).sum(), n, 1 / 6)
    assert binomial_share_ok((quota == 900).sum(), n, 1 / 6)
    inside = quota[(quota > 500) & (quota < 900)]
    assert scipy.stats.kstest(inside, scipy.stats.uniform(500, 400).cdf).pvalue > 1e-5
    assert abs(np.corrcoef(quota, w.earning_capacity_usd_per_month)[0, 1]) < SIGMAS / math.sqrt(n)


# --- 3. the skim ----------------------------------------------------------------------------------
def test_managers_take_their_share_of_each_payment_and_the_state_the_rest():
    w = cohort('skim.share={ dist = "uniform", low = 0.0, high = 0.3 }',
               "regimes.camp.early_return_hazard_per_month=0.05").workers
    months, skim = w.months_served.to_numpy(), w.skim_share.to_numpy()
    assert skim.min() < 0.01 and skim.max() > 0.29
    managers_per_month = round_cents(skim * 700)  # each month he pays his $700 in full
    np.testing.assert_array_equal(cents(w.to_managers_usd), months * managers_per_month)
    np.testing.assert_array_equal(cents(w.to_state_usd), months * (70_000 - managers_per_month))


def test_a_skim_on_top_is_asked_of_the_worker_and_leaves_the_state_its_contribution():
    # phi up to 25%: $700 (1 + phi) <= $900 = capacity - expenses, so every month is paid in full
    skims = ('skim.share={ dist = "uniform", low = 0.0, high = 0.25 }',
             "regimes.camp.early_return_hazard_per_month=0.05")
    w = cohort(*skims, NO_THRESHOLD, 'skim.base="on_top"').workers
    taken_out = cohort(*skims, NO_THRESHOLD).workers
    months, kept_share = w.months_served.to_numpy(), w.skim_share.to_numpy()
    phi = kept_share / (1.0 - kept_share)  # the recorded share of each payment is phi / (1 + phi)
    np.testing.assert_allclose(phi, taken_out.skim_share.to_numpy(), rtol=1e-12)  # same draws
    assert phi.max() > 0.24
    asked = round_cents(700 * (1 + phi))  # asked each month: Q (1 + phi)
    managers = np.floor(kept_share * asked + 0.5).astype(np.int64)  # of each payment, to the cent
    np.testing.assert_array_equal(cents(w.quota_due_usd), months * asked)
    np.testing.assert_array_equal(cents(w.to_managers_usd), months * managers)
    np.testing.assert_array_equal(cents(w.to_state_usd), months * (asked - managers))
    # the state gets its $700 a month and managers phi $700, each to within the rounding of a cent
    assert (np.abs(asked - managers - 70_000) <= 1).all()
    assert (np.abs(managers - 70_000 * phi) <= 1).all()
    # the worker pays the skim: he keeps phi $700 a month less than when it is taken out of Q
    lost = cents(taken_out.kept_usd) - cents(w.kept_usd)
    assert (np.abs(lost - months * 70_000 * phi) <= 2 * months).all()


# --- 4. idle months of free movers -----------------------------------------------------------------
def test_free_movers_earn_nothing_in_idle_months_which_come_binomially():
    p = 0.1
    w = cohort("destinations.russia.free_mover_share=0.5", f"regimes.free.idle_probability_per_month={p}",
               "regimes.free.expenses_usd_per_month=100", "regimes.free.earnings_multiplier=1.0",
               NO_THRESHOLD, workers=6_000).workers
    camp, free = w[w.regime == "camp"], w[w.regime == "free"]
    assert len(camp) > 0 and len(free) > 0
    assert (cents(camp.gross_earnings_usd) == 24 * 100_000).all()  # camp workers are assigned work
    # a month is worked in full ($1,000) or not at all: idle months = 24 - gross / $1,000
    worked, remainder = np.divmod(cents(free.gross_earnings_usd), 100_000)
    assert (remainder == 0).all()
    idle = 24 - worked
    observed = np.bincount(idle, minlength=25)
    expected = scipy.stats.binom(24, p).pmf(np.arange(25)) * len(free)
    pooled = 7  # pool the tail so every expected count is large
    observed = np.append(observed[:pooled], observed[pooled:].sum())
    expected = np.append(expected[:pooled], expected[pooled:].sum())
    assert scipy.stats.chisquare(observed, expected).pvalue > 1e-5


# --- 5. early return ------------------------------------------------------------------------------
def test_months_served_are_geometric_truncated_at_the_contract():
    """Checked after each month: P(m months) = h (1-h)^(m-1) for m < L; he serves the whole
    contract with probability (1-h)^(L-1) (the check after the last month changes nothing)."""
    h, contract = 0.05, 24
    w = cohort(f"regimes.camp.early_return_hazard_per_month={h}", workers=8_000).workers
    observed = np.bincount(w.months_served, minlength=contract + 1)[1:]
    assert len(observed) == contract
    m = np.arange(1, contract + 1)
    p = np.where(m < contract, h * (1 - h) ** (m - 1), (1 - h) ** (contract - 1))
    assert p.sum() == pytest.approx(1.0)
    assert scipy.stats.chisquare(observed, p * len(w)).pvalue > 1e-5
    assert binomial_share_ok((~w.early_return).sum(), len(w), (1 - h) ** (contract - 1))


# --- 6. travel cost -------------------------------------------------------------------------------
def test_travel_cost_is_drawn_and_comes_out_of_the_cash_brought_home():
    w = cohort('return.travel_cost_usd={ dist = "uniform", low = 100, high = 200 }').workers
    travel = cents(w.travel_cost_usd)
    assert 10_000 <= travel.min() and travel.max() <= 20_000
    assert abs(travel.mean() / 100 - 150) < SIGMAS * (100 / math.sqrt(12)) / math.sqrt(len(w))
    np.testing.assert_array_equal(cents(w.cash_home_usd), 24 * 20_000 - travel)
    np.testing.assert_array_equal(cents(w.net_gain_usd), 24 * 20_000 - travel - 24 * 6_000 - 60_000)


# --- 7. the wage shock ----------------------------------------------------------------------------
def irwin_hall_4_pdf(s):
    """Density of the sum of four uniforms on [0, 1]."""
    return sum((-1) ** k * math.comb(4, k) * max(s - k, 0.0) ** 3 for k in range(5)) / 6


def bell_expectation(g):
    """E[g(Z)] for the shock's Z = (S - 2) sqrt(3), S the sum of four uniforms (sim.rng.bell)."""
    return scipy.integrate.quad(lambda s: g((s - 2) * math.sqrt(3)) * irwin_hall_4_pdf(s), 0, 4,
                                points=[1, 2, 3], epsabs=1e-12)[0]


def test_wage_shock_spreads_monthly_earnings_without_moving_their_mean():
    sd = 0.1
    w = cohort(f"wages.monthly_shock_sd={sd}", workers=5_000).workers
    gross = w.gross_earnings_usd.to_numpy()  # 24 months of $1,000 (1 + sd Z), Z of mean 0, sd 1
    expected_sd = 1000 * sd * math.sqrt(24)
    assert abs(gross.mean() - 24_000) < SIGMAS * expected_sd / math.sqrt(len(w))
    # sd of a sample sd: sd / sqrt(2n) for a normal; the shock's kurtosis (-0.3 / 24) is lower
    assert abs(gross.std() - expected_sd) < SIGMAS * expected_sd / math.sqrt(2 * len(w))


def test_wage_shock_leaves_arrears_when_earnings_fall_below_what_is_due():
    """Month 0's arrears, summed over the cohort, against E[max(0, due - available)] integrated
    over the shock's distribution (Irwin-Hall, n = 4, as :func:`sim.rng.bell` documents)."""
    # quota $850: available $900 + $100 Z falls short of it when Z < -0.5
    sd, n = 0.1, 20_000
    result = cohort(f"wages.monthly_shock_sd={sd}", NO_THRESHOLD,
                    'quota={ rule = "drawn", quota_usd_per_month = 850, floor_usd_per_month = 500, '
                    'cap_usd_per_month = 900 }', workers=n)
    arrears = result.raw.monthly[0, L.M.arrears_outstanding_usd] / 100  # month 0: nobody has arrears yet, nobody leaves

    def shortfall(z):
        return max(0.0, 850 - (900 + 1000 * sd * z))

    mean = bell_expectation(shortfall)
    sd_shortfall = math.sqrt(bell_expectation(lambda z: shortfall(z) ** 2) - mean ** 2)
    assert bell_expectation(lambda z: 1.0) == pytest.approx(1.0)
    assert bell_expectation(lambda z: z * z) == pytest.approx(1.0)
    assert mean > 10
    assert abs(arrears / n - mean) < SIGMAS * sd_shortfall / math.sqrt(n)


# --- 8. the participation threshold ---------------------------------------------------------------
def test_candidates_expecting_less_than_the_reservation_gain_stay_home():
    """Expected gain of a completed contract: 24 (W - $100 - $700 - $60) - $600, W lognormal (no
    loan, no travel cost: those terms are tested in tests/test_participation.py). A post is filled
    unless all K = 3 of its queue would stay home: 1 - (1 - p)^3."""
    n, reservation, queue = 20_000, 1_000, 3
    result = cohort('destinations.russia.earning_capacity_usd_per_month='
                    '{ dist = "lognormal", median = 1000, range90 = [800, 1250] }',
                    f"participation.reservation_gain_usd={reservation}", f"participation.candidates_per_post={queue}",
                    "bribe_finance.borrowed_share=0.0", "return.travel_cost_usd=0.0", workers=n)
    threshold = 860 + (600 + reservation) / 24  # W at which the expected gain equals the reservation
    capacity = scipy.stats.lognorm(math.log(1250 / 800) / (2 * scipy.stats.norm.ppf(0.95)), scale=1000)
    p = capacity.sf(threshold)
    hires = int(result.monthly.hires.sum())
    assert hires == len(result.workers)
    assert binomial_share_ok(hires, n, 1.0 - (1.0 - p) ** queue)
    assert (result.workers.earning_capacity_usd_per_month >= threshold).all()


# --- 9. the quota multiplier ----------------------------------------------------------------------
def test_quota_multiplier_raises_what_everyone_abroad_owes_that_month():
    """Months 0-5 and 8-23: due $700. Month 6: due $1,050 (x1.5), he can pay $900 and owes $150.
    Month 7: due $700 + $150, all paid."""
    n = 200
    result = cohort("timeline.quota_multiplier=[[0, 1.0], [6, 1.5], [7, 1.0]]", workers=n)
    w, m = result.workers, result.raw.monthly
    assert len(w) == n and (w.months_served == 24).all()
    paid = np.full(24, 70_000)
    paid[6], paid[7] = 90_000, 85_000
    managers = round_cents(0.1 * paid / 100)
    np.testing.assert_array_equal(m[:, L.M.to_state_usd], n * (paid - managers))
    np.testing.assert_array_equal(m[:, L.M.to_managers_usd], n * managers)
    np.testing.assert_array_equal(m[:, L.M.arrears_outstanding_usd], n * np.where(np.arange(24) == 6, 15_000, 0))
    assert (cents(w.to_state_usd) == (paid - managers).sum()).all()
    assert (cents(w.to_managers_usd) == managers.sum()).all()
    assert (cents(w.kept_usd) == 24 * 90_000 - paid.sum()).all()  # $4,450
    assert (cents(w.arrears_at_return_usd) == 0).all()


@pytest.mark.parametrize("applies_to", ["everyone", "new_hires"])
def test_a_quota_surcharge_is_added_after_the_multiplier_for_whom_the_policy_reaches(applies_to):
    """Asked Q * multiplier + surcharge: $700 x 1.1 + $10 = $780 in months 0-5, $700 x 1.15 + $40 = $845
    from month 6 (both within the $900 he can pay). Everyone abroad pays the month's terms; under
    "new_hires" these workers, all hired at month 0, keep month 0's for their whole stay."""
    w = cohort("timeline.quota_multiplier=[[0, 1.1], [6, 1.15]]",
               "timeline.quota_surcharge_usd_per_month=[[0, 10.0], [6, 40.0]]",
               f'quota.policy_applies_to="{applies_to}"', "regimes.camp.early_return_hazard_per_month=0.05",
               NO_THRESHOLD).workers
    months = w.months_served.to_numpy()
    assert months.min() < 6 and months.max() == 24
    first, later = round_cents(700 * 1.1 + 10), round_cents(700 * 1.15 + 40)
    assert (first, later) == (78_000, 84_500)
    if applies_to == "new_hires":
        later = first
    asked = np.minimum(months, 6) * first + np.maximum(months - 6, 0) * later
    np.testing.assert_array_equal(cents(w.quota_due_usd), asked)
    np.testing.assert_array_equal(cents(w.to_state_usd) + cents(w.to_managers_usd), asked)  # paid in full


# --- 10. the bribe multiplier ---------------------------------------------------------------------
def test_bribe_multiplier_raises_the_bribe_of_those_hired_that_month():
    result = api.run(scenario(*DEGENERATE, "regimes.camp.early_return_hazard_per_month=0.05",
                              "bribe_finance.borrowed_share=0.5",
                              "timeline.bribe_multiplier=[[0, 1.0], [12, 2.0], [24, 1.0]]",
                              "simulation.horizon_months=36"),
                     seed=3, workers=1_000, keep_workers=True)
    w = result.workers
    hire_month, months, borrowed = w.hire_month.to_numpy(), w.months_served.to_numpy(), w.borrowed.to_numpy()
    multiplier = np.where((hire_month >= 12) & (hire_month < 24), 2.0, 1.0)
    assert (multiplier == 2.0).any() and (multiplier == 1.0).any()
    bribe = 600 * multiplier
    np.testing.assert_array_equal(cents(w.bribe_usd), round_cents(bribe))
    loan = np.where(borrowed, round_cents(bribe * 1.02 ** months.astype(np.float64)), 0)
    np.testing.assert_array_equal(cents(w.loan_repayment_usd), loan)
    cash = 20_000 * months - loan - 15_000
    np.testing.assert_array_equal(cents(w.net_gain_usd),
                                  cash - 6_000 * months - np.where(borrowed, 0, round_cents(bribe)))


# --- the money balance, from the worker's side -----------------------------------------------------
def test_what_a_worker_keeps_is_his_earnings_less_expenses_and_payments_month_by_month():
    """Kept money reckoned from the worker's own inputs, not as the residual of the identity:
    each month he earns W, spends X and pays Q (his earnings always cover it), all in cents."""
    result = cohort('destinations.russia.earning_capacity_usd_per_month={ dist = "uniform", low = 1000, high = 1300 }',
                    'regimes.camp.expenses_usd_per_month={ dist = "pert", low = 60, mode = 90, high = 150 }',
                    'quota={ rule = "drawn", floor_usd_per_month = 500, cap_usd_per_month = 900, '
                    'quota_usd_per_month = { dist = "uniform", low = 500, high = 800 } }',
                    "regimes.camp.early_return_hazard_per_month=0.05", NO_THRESHOLD)
    w = result.workers
    months = w.months_served.to_numpy()
    earnings = round_cents(w.earning_capacity_usd_per_month)
    expenses = round_cents(w.expenses_usd_per_month)
    due = round_cents(w.quota_usd_per_month)
    assert (earnings - expenses > due).all()  # $1,000 - $150 > $800: no arrears
    np.testing.assert_array_equal(cents(w.gross_earnings_usd), months * earnings)
    np.testing.assert_array_equal(cents(w.expenses_usd), months * expenses)
    np.testing.assert_array_equal(cents(w.to_state_usd) + cents(w.to_managers_usd), months * due)
    kept = months * (earnings - expenses - due)
    np.testing.assert_array_equal(cents(w.kept_usd), kept)
    np.testing.assert_array_equal(cents(w.cash_home_usd), kept - 15_000)
    # in aggregate: the run's totals and the monthly series
    totals = result.raw.cell_totals.sum(axis=0)
    assert totals[L.C.kept_usd] == kept.sum()
    assert result.raw.monthly[:, L.M.kept_usd].sum() == kept.sum()
    abroad = months[:, None] > np.arange(24)  # worker i is abroad in month t
    np.testing.assert_array_equal(result.raw.monthly[:, L.M.kept_usd],
                                  (abroad * (earnings - expenses - due)[:, None]).sum(axis=0))
