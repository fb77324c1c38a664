"""Every worker's household outcome: those abroad at month 0 of a stock-mode run too, by hire
cohort and by return reason (completed, early, sent home by policy, still abroad at the horizon)."""
import math

import numpy as np
import pytest

from conftest import DEGENERATE, scenario
from sim import api, engine, schema
from sim import layout as L

SIGMAS = 4.5
HORIZON = 30


@pytest.fixture(scope="module")
def stock():
    chosen = scenario(f"simulation.horizon_months={HORIZON}",
                      "timeline.repatriation_hazard_per_month=[[0, 0.0], [12, 0.03]]")
    return engine.simulate(chosen, seed=9, workers=4_000, keep_workers=True)


def test_the_hires_of_the_run_are_the_cells_and_everyone_is_recorded(stock):
    by_reason = stock.cell_totals_by_reason
    assert by_reason.shape == (stock.cell_totals.shape[0], len(schema.HIRE_COHORTS), len(schema.RETURN_REASONS),
                               len(L.CELL_TOTALS))
    np.testing.assert_array_equal(by_reason[:, schema.HIRE_COHORTS.index("hired_in_run")].sum(axis=1),
                                  stock.cell_totals)
    w = stock.workers
    # each worker abroad at month 0 goes home once, with his whole tenure (months before 0 included)
    met = w["hire_cohort"] == schema.HIRE_COHORTS.index("met_at_month_0")
    assert (w["hire_month"][met] <= 0).all() and (w["hire_month"][~met] >= 1).all()
    assert met.sum() == stock.monthly[0, L.M.workers_active] == by_reason[..., 0, :, L.C.workers].sum()
    assert (w["months_served"][met] >= 1 - w["hire_month"][met]).all()
    # his money adds up like anyone's: gross = to state + to managers + expenses + kept
    cents = {name: np.rint(w[name] * 100).astype(np.int64)
             for name in ("gross_earnings_usd", "to_state_usd", "to_managers_usd", "expenses_usd", "kept_usd")}
    np.testing.assert_array_equal(cents["gross_earnings_usd"], cents["to_state_usd"] + cents["to_managers_usd"]
                                  + cents["expenses_usd"] + cents["kept_usd"])


def test_still_abroad_at_the_horizon_is_exactly_those_home_after_it(stock):
    w = stock.workers
    last_month = w["hire_month"] + w["months_served"] - 1
    abroad = w["return_reason"] == schema.RETURN_REASONS.index("abroad_at_horizon")
    np.testing.assert_array_equal(abroad, last_month >= HORIZON)
    policy = w["return_reason"] == schema.RETURN_REASONS.index("sent_home_by_policy")
    assert policy.any() and (last_month[policy] >= 12).all()  # the policy starts at month 12
    inside = ~abroad & ~policy
    np.testing.assert_array_equal(w["return_reason"][inside] == schema.RETURN_REASONS.index("completed"),
                                  w["months_served"][inside] >= w["contract_months"][inside])


def test_the_policy_sends_home_its_share_of_the_early_returns():
    # own hazard h, repatriation hazard r: a worker going home early is sent by the policy with
    # probability (1 - h) r / (1 - (1 - h)(1 - r)) (the policy takes those who would have stayed)
    h, r = 0.02, 0.05
    chosen = scenario(*DEGENERATE, f"regimes.camp.early_return_hazard_per_month={h}",
                      f"timeline.repatriation_hazard_per_month={r}",
                      'simulation={ mode = "cohort", horizon_months = 24, workers = 6000, seed = 4 }')
    w = api.run(chosen, keep_workers=True, progress=False, tuning_scan=False).workers
    early = w[w.months_served < 24]
    sent = (early.return_reason == "sent_home_by_policy").sum()
    p = (1 - h) * r / (1 - (1 - h) * (1 - r))
    n = len(early)
    assert n > 2_000 and abs(sent / n - p) < SIGMAS * math.sqrt(p * (1 - p) / n)
    assert set(early.return_reason) == {"early", "sent_home_by_policy"}


def test_the_frame_has_a_row_per_destination_cohort_and_reason(stock):
    chosen = scenario(f"simulation.horizon_months={HORIZON}")
    result = api.run(chosen, seed=9, workers=2_000, progress=False, tuning_scan=False)
    frame = result.outcomes_by_reason
    assert len(frame) == (1 + 1) * len(schema.HIRE_COHORTS) * len(schema.RETURN_REASONS)
    everyone = frame[frame.destination == "all"]
    hired = everyone[everyone.hire_cohort == "hired_in_run"]
    assert hired.workers_simulated.sum() == result.summary_dict["n_returns_recorded"]
    met = everyone[everyone.hire_cohort == "met_at_month_0"]
    assert met.workers_simulated.sum() == result.raw.monthly[0, L.M.workers_active]
    assert (met.months_served_mean.dropna() > 0).all()
