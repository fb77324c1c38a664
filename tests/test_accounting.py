"""Identities that hold for every worker and every seed, and closed forms with nothing random."""
import numpy as np
import pytest

from conftest import DEGENERATE, scenario
from sim import api, layout as L, outputs
from sim.aggregate import accounting_residual_usd


def cents(series):
    return np.rint(series.to_numpy() * 100).astype(np.int64)


@pytest.fixture(scope="module")
def baseline_workers():
    return api.run(scenario("simulation.horizon_months=48"), seed=7, workers=3_000, keep_workers=True)


def test_aggregate_identity_holds_exactly(baseline_workers):
    assert accounting_residual_usd(baseline_workers.raw) == 0.0
    assert baseline_workers.summary_dict["accounting_max_abs_residual_usd"] == 0.0
    m = baseline_workers.raw.monthly
    assert (m[:, L.M.gross_earnings_usd] > 0).all()


def test_net_gain_is_cash_home_less_stay_home_earnings_and_an_unborrowed_bribe(baseline_workers):
    w = baseline_workers.workers
    unborrowed_bribe = np.where(w.borrowed, 0, cents(w.bribe_usd))
    np.testing.assert_array_equal(cents(w.net_gain_usd),
                                  cents(w.cash_home_usd) - cents(w.stay_home_earnings_usd) - unborrowed_bribe)
    assert w.borrowed.any() and not w.borrowed.all()


def test_months_served_never_exceed_the_contract(baseline_workers):
    w = baseline_workers.workers
    assert (w.months_served >= 1).all()
    assert (w.months_served <= w.contract_months).all()
    assert ((w.months_served < w.contract_months) == w.early_return).all()
    assert w.early_return.any() and not w.early_return.all()


def test_workers_table_matches_the_aggregates(baseline_workers):
    result = baseline_workers
    hires = result.workers[result.workers.hire_cohort == "hired_in_run"]  # the cells hold the hires of the run
    assert len(hires) == result.summary_dict["n_returns_recorded"] < len(result.workers)
    totals = result.raw.cell_totals.sum(axis=0)
    assert cents(hires.cash_home_usd).sum() == totals[L.C.cash_home_usd]
    assert cents(hires.to_state_usd).sum() == totals[L.C.to_state_usd]
    everyone = result.raw.cell_totals_by_reason.sum(axis=(0, 1, 2))  # those met at month 0 too
    assert cents(result.workers.cash_home_usd).sum() == everyone[L.C.cash_home_usd]
    assert cents(result.workers.to_state_usd).sum() == everyone[L.C.to_state_usd]
    assert (result.workers.worse_off == (result.workers.net_gain_usd < 0)).all()


def test_stock_revenue_with_nothing_random_is_the_closed_form():
    n = 5_000
    result = api.run(scenario(*DEGENERATE, f"simulation.stock_target={n}", "simulation.horizon_months=36"),
                     workers=n)
    revenue = result.summary_dict["state_revenue_usd_per_year"]
    assert revenue["mean"] == n * 12 * (1 - 0.1) * 700
    assert revenue["ci95_low"] == revenue["ci95_high"] == revenue["mean"]
    assert result.summary_dict["manager_skim_usd_per_year"]["mean"] == n * 12 * 0.1 * 700
    assert (result.monthly.workers_active == n).all()


def test_cohort_outcomes_with_nothing_random_are_the_closed_form():
    result = api.run(scenario(*DEGENERATE, 'simulation={ mode = "cohort", horizon_months = 24, workers = 100, seed = 1 }'))
    s = result.summary_dict
    kept_per_month = 1000 - 100 - 700
    cash = 24 * kept_per_month - 150
    assert s["n_returns_recorded"] == 100
    assert s["kept_usd_per_month"]["mean"] == kept_per_month
    assert s["cash_home_usd"]["mean"] == cash
    assert s["net_gain_usd"]["mean"] == cash - 600 - 24 * 60
    assert s["share_worse_off_than_home"] == 0.0
    assert s["cash_home_usd"]["p5"] == pytest.approx(cash, abs=10)  # within one $10 histogram bin
    assert (result.monthly.workers_active == 100).all()
    assert result.monthly.returns.iloc[-1] == 100


def test_arrears_build_when_earnings_cannot_cover_the_quota():
    # capacity $700, expenses $100: $600 a month against a $700 quota -> $100 more arrears each month
    result = api.run(scenario(*DEGENERATE, "destinations.russia.earning_capacity_usd_per_month=700",
                              "participation.reservation_gain_usd=-1e9",
                              'simulation={ mode = "cohort", horizon_months = 24, workers = 10, seed = 1 }'),
                     keep_workers=True)
    w = result.workers
    assert len(w) == 10
    assert (w.arrears_at_return_usd == 24 * 100).all()
    assert (result.monthly.arrears_outstanding_usd.iloc[:-1].to_numpy() == 10 * 100 * np.arange(1, 24)).all()


ARREARS_COHORT = [*DEGENERATE, "destinations.russia.earning_capacity_usd_per_month=700",
                  "participation.reservation_gain_usd=-1e9",
                  'simulation={ mode = "cohort", horizon_months = 30, workers = 10, seed = 1 }']
"""Ten identical workers who pay $600 of a $700 quota each month for 24 months: $2,400 of arrears."""


def test_arrears_deducted_at_return_reach_the_state_and_managers_that_month():
    result = api.run(scenario(*ARREARS_COHORT), keep_workers=True)
    w, m = result.workers, result.monthly
    # each month $600 paid, 10% skimmed; at return the $2,400 of arrears, 10% skimmed too
    assert (w.to_state_usd == 24 * 540 + 2160).all()
    assert (w.to_managers_usd == 24 * 60 + 240).all()
    assert (w.kept_usd == 24 * (700 - 100 - 600) - 2400).all()
    assert (w.cash_home_usd == -2400 - 150).all()
    assert (m.arrears_collected_usd.to_numpy() == np.where(m.month == 23, 10 * 2400, 0)).all()
    assert m.to_state_usd[23] == 10 * (540 + 2160) and m.to_managers_usd[23] == 10 * (60 + 240)
    assert m.kept_usd[23] == 10 * (0 - 2400)
    revenue = result.summary_dict["state_revenue_usd_per_year"]["mean"] * 30 / 12
    assert revenue == pytest.approx(10 * (24 * 540 + 2160), abs=0.01)
    assert result.summary_dict["arrears_collected_usd_per_year"] * 30 / 12 == pytest.approx(10 * 2400)
    assert (w.arrears_collected_usd == 2400).all()
    assert result.summary_dict["accounting_max_abs_residual_usd"] == 0.0


def test_forgiven_arrears_are_paid_to_no_one():
    result = api.run(scenario(*ARREARS_COHORT, 'return.arrears_at_return="forgiven"'), keep_workers=True)
    w = result.workers
    assert (w.to_state_usd == 24 * 540).all() and (w.to_managers_usd == 24 * 60).all()
    assert (w.kept_usd == 0).all() and (w.cash_home_usd == -150).all()
    assert (result.monthly.arrears_collected_usd == 0).all() and (w.arrears_collected_usd == 0).all()
    assert result.summary_dict["accounting_max_abs_residual_usd"] == 0.0


@pytest.fixture(scope="module")
def forgiven_workers():
    return api.run(scenario("simulation.horizon_months=48", 'return.arrears_at_return="forgiven"'), seed=7,
                   workers=3_000, keep_workers=True)


@pytest.mark.parametrize("identity", [identity.name for identity in outputs.IDENTITIES])
@pytest.mark.parametrize("rule", ["deducted", "forgiven"])
def test_every_money_identity_of_the_model_table_holds_for_every_worker(baseline_workers, forgiven_workers, rule,
                                                                        identity):
    """Each identity of sim.outputs, with its terms from the columns' roles, to the cent for every
    returned hire: what he earned went to the state, managers, expenses or his savings; every
    planned contribution he was asked for went to the state or managers, or (only when forgiven)
    was still owed when he left; he brought home his savings less loan and travel."""
    w = (baseline_workers if rule == "deducted" else forgiven_workers).workers
    assert len(w) > 3_000 and (w.arrears_at_return_usd > 0).sum() > 100
    terms = outputs.identity_terms("worker_cents")[identity]
    assert len(terms) >= 4
    residual = sum(sign * cents(w[name]) for name, sign in terms)
    np.testing.assert_array_equal(residual, 0)
    if identity == "asked":  # collected is all of the arrears, or nothing
        collected = cents(w.arrears_collected_usd)
        np.testing.assert_array_equal(collected, cents(w.arrears_at_return_usd) if rule == "deducted" else 0)


def test_candidates_expecting_a_loss_stay_home():
    result = api.run(scenario(*DEGENERATE, "destinations.russia.earning_capacity_usd_per_month=700",
                              'simulation={ mode = "cohort", horizon_months = 24, workers = 10, seed = 1 }'))
    assert result.summary_dict["n_returns_recorded"] == 0
    assert (result.monthly.workers_active == 0).all()
