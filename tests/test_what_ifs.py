"""Extreme but valid what-ifs run to the end, plots included, and every output is a number.

The four runs a reviewer found crashing after the simulation (nothing saved), then a property
test: random overrides within the schema's bounds, each a full run saved to disk.
"""
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BASELINE, scenario
from sim import api, engine
from sim.aggregate import QUANTILE_COLUMNS
from sim.cli import main
from sim.config import ConfigError
from sim.schema import MONEY_LIMIT_USD, MULTIPLIER_LIMIT

RESULT_FILES = {"manifest.json", "summary.json", "monthly.parquet", "monthly_by_destination.parquet",
                "outcomes.parquet", "outcomes_by_reason.parquet", "distributions.parquet",
                "calibration.csv", "state_revenue.png", "household_outcomes.png", "calibration.png", "flows.png"}
WHAT_IFS = {
    "3x quota from month 12": ["timeline.quota_multiplier=[[0, 1.0], [12, 3.0]]"],
    "$4,000 earning capacity": [
        'destinations.russia.earning_capacity_usd_per_month={ dist = "lognormal", median = 4000, range90 = [3200, 5000] }'],
    "72-month contracts at $2,000": [
        "destinations.russia.contract_months=72",
        'destinations.russia.earning_capacity_usd_per_month={ dist = "lognormal", median = 2000, range90 = [1600, 2500] }'],
    "everyone idle": ["simulation.horizon_months=36", "regimes.camp.idle_probability_per_month=1",
                      "regimes.free.idle_probability_per_month=1", "participation.reservation_gain_usd=-1e9"],
    "nobody hired": ['simulation={ mode = "cohort", horizon_months = 12, workers = 100, seed = 1 }',
                     "timeline.recruit_open=0.0"],
}


def assert_outputs_are_numbers(directory):
    """Every figure of a saved run is finite, except those documented as empty: the outcomes of
    a group with no returned hire (``workers_simulated`` 0) and the summary figures they feed
    (null), and the 95% interval of a group of one."""
    assert RESULT_FILES <= {path.name for path in directory.iterdir()}
    monthly = pd.read_parquet(directory / "monthly.parquet")
    served = monthly.drop(columns=["contract_months_mean", "months_served_mean"])
    assert np.isfinite(served.to_numpy(dtype=float)).all()
    abroad = monthly.workers_active > 0
    assert np.isfinite(monthly.loc[abroad, ["contract_months_mean", "months_served_mean"]].to_numpy()).all()
    outcomes = pd.read_parquet(directory / "outcomes.parquet")
    filled = outcomes[outcomes.workers_simulated > 0]
    with_quantiles = filled.outcome != "share_worse_off_than_home"
    assert np.isfinite(filled.loc[with_quantiles, ["mean", *QUANTILE_COLUMNS]].to_numpy(dtype=float)).all()
    assert np.isfinite(filled["mean"].to_numpy(dtype=float)).all()
    several = filled[filled.workers_simulated > 1]  # an interval needs two workers
    assert np.isfinite(several[["ci95_low", "ci95_high"]].to_numpy(dtype=float)).all()
    summary = json.loads((directory / "summary.json").read_text())
    returned = summary["n_returns_recorded"] > 0
    for name, value in summary.items():
        for item in (value.values() if isinstance(value, dict) else [value]):
            if isinstance(item, float) or item is None:
                assert item is not None or not returned, name
                assert item is None or math.isfinite(item), name


@pytest.mark.parametrize("overrides", WHAT_IFS.values(), ids=list(WHAT_IFS))
def test_a_valid_what_if_completes_with_a_full_results_directory(tmp_path, capsys, overrides):
    sets = [argument for override in overrides for argument in ("--set", override)]
    assert main(["run", str(BASELINE), "--workers", "20000", "--out", str(tmp_path), *sets]) == 0
    (directory,) = [path for path in tmp_path.iterdir() if path.is_dir() and not path.name.startswith(".")]
    assert_outputs_are_numbers(directory)


def _series(low, high):
    """A timeline series: a constant, or a value that changes at month 6."""
    value = st.floats(low, high, allow_nan=False)
    return st.one_of(value.map(repr), st.tuples(value, value).map(lambda v: f"[[0, {v[0]!r}], [6, {v[1]!r}]]"))


OVERRIDES = {
    "simulation": st.sampled_from(['{ mode = "stock", horizon_months = 24, workers = 1500, seed = 1, '
                                   'stock_target = 3000 }',
                                   '{ mode = "cohort", horizon_months = 12, workers = 1500, seed = 2 }']),
    "destinations.russia.earning_capacity_usd_per_month": st.floats(0, 20_000).map(repr),
    "destinations.russia.contract_months": st.integers(1, 120).map(str),
    "destinations.russia.free_mover_share": st.floats(0, 1).map(repr),
    "destinations.russia.bribe_usd": st.floats(0, 100_000).map(repr),
    "regimes.camp.idle_probability_per_month": st.floats(0, 1).map(repr),
    "regimes.free.idle_probability_per_month": st.floats(0, 1).map(repr),
    "regimes.camp.early_return_hazard_per_month": st.floats(0, 1).map(repr),
    "regimes.free.earnings_multiplier": st.floats(0.01, 10).map(repr),
    "skills.skilled.wage_multiplier": st.floats(0.01, 10).map(repr),
    "skim.share": st.floats(0, 1).map(repr),
    "wages.monthly_shock_sd": st.floats(0, 1).map(repr),
    "bribe_finance.interest_rate_per_month": st.floats(0, 0.2).map(repr),
    "bribe_finance.borrowed_share": st.floats(0, 1).map(repr),
    "participation.reservation_gain_usd": st.floats(-1e9, 1e6).map(repr),
    "return.arrears_at_return": st.sampled_from(['"deducted"', '"forgiven"']),
    "timeline.quota_multiplier": _series(0, 10),
    "timeline.wage_index": _series(0, 10),
    "timeline.bribe_multiplier": _series(0, 10),
    "timeline.intake_multiplier": _series(0, 1),
    "timeline.recruit_open": _series(0, 1),
    "timeline.repatriation_hazard_per_month": _series(0, 1),
}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chosen=st.fixed_dictionaries({}, optional=OVERRIDES))
def test_random_valid_overrides_run_to_the_end(tmp_path_factory, chosen):
    """Any values within the schema's bounds either run to a full results directory of numbers,
    or (money beyond MONEY_LIMIT_USD once multiplied) are refused as bad input."""
    try:
        scenario_ = scenario(*(f"{key}={value}" for key, value in chosen.items()))
    except ConfigError as error:
        assert all("limit" in line for line in error.problems), error.problems
        return
    result = api.run(scenario_)
    assert_outputs_are_numbers(result.save(tmp_path_factory.mktemp("run")))


def test_money_limits_refuse_amounts_that_could_overflow():
    for override in ("skills.skilled.wage_multiplier=1e300", "destinations.russia.bribe_usd=1e20",
                     "bribe_finance.interest_rate_per_month=1.0", f"timeline.wage_index={MULTIPLIER_LIMIT * 2}"):
        with pytest.raises(ConfigError):
            scenario(override)
    assert MONEY_LIMIT_USD * 100 * 1200 * 3 * 2**20 < 2**63  # a batch's sums stay inside int64


HUGE = [
    "destinations={ " + ", ".join(f'd{i} = {{ share = 0.01, free_mover_share = 0.3, bribe_usd = 600, '
                                  f'contract_months = 24, earning_capacity_usd_per_month = 1000 }}'
                                  for i in range(100)) + " }",
    "skills={ " + ", ".join(f"s{i} = {{ share = 0.01, wage_multiplier = 1.0 }}" for i in range(100)) + " }",
]
"""100 destinations x 100 skills x 2 regimes = 20,000 outcome cells of 4 MB each."""


def test_a_run_too_big_for_memory_is_refused_before_allocating():
    huge = scenario(*HUGE)
    needed = engine.memory_needed_bytes(huge, threads=2, n_slots=1000, keep_workers=False)
    assert needed > 100 * 2**30
    with pytest.raises(engine.ResourceError, match="20,000 outcome cells"):
        api.run(huge, workers=1000)


def test_the_command_refuses_a_run_too_big_for_memory_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    sets = [argument for override in HUGE for argument in ("--set", override)]
    assert main(["run", str(BASELINE), "--workers", "1000", "--out", str(out), *sets]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {BASELINE}: this run would need about") and "GiB" in line
    assert not out.exists()


def test_totals_beyond_int64_are_an_error_not_a_wrong_number():
    total = np.array([2**61, 7], np.int64)
    engine.add_exactly(total, np.array([5, 5], np.int64))
    assert total.tolist() == [2**61 + 5, 12]
    with pytest.raises(engine.ResourceError, match="int64"):
        engine.add_exactly(total, np.array([2**61, 0], np.int64))
    assert total.tolist() == [2**61 + 5, 12]  # left as it was


def test_a_scenario_built_in_code_saves_with_its_figures(tmp_path):
    from sim.validation import validate
    import tomllib

    built = validate(tomllib.loads(BASELINE.read_text()) | {"calibration": {"seeds_file": str(
        BASELINE.parent.parent / "seeds" / "figures.toml")}})
    directory = api.run(built, workers=2000).save(tmp_path)
    assert RESULT_FILES <= {path.name for path in directory.iterdir()}


def test_several_destinations_with_no_returned_hire_still_draw_their_figure(tmp_path):
    """The by-destination figure when no destination has a returned hire (all its outcomes empty)."""
    overrides = ['simulation={ mode = "cohort", horizon_months = 12, workers = 300, seed = 1 }',
                 "timeline.recruit_open=0.0"]
    sets = [argument for override in overrides for argument in ("--set", override)]
    assert main(["run", str(BASELINE.parent / "destinations.toml"), "--out", str(tmp_path), *sets]) == 0
    (directory,) = [path for path in tmp_path.iterdir() if path.is_dir() and not path.name.startswith(".")]
    assert (directory / "destinations.png").stat().st_size > 0
    assert_outputs_are_numbers(directory)
