"""The baseline reproduces every present-day figure of the source it can be compared with."""
import pytest

from sim import api

from conftest import BASELINE, scenario
from sim.scenario_file import load_config as scenario_of


@pytest.fixture(scope="module")
def calibration():
    return api.run(BASELINE, workers=100_000).calibration


def test_every_present_day_russian_figure_is_in_range(calibration):
    compared = calibration[calibration.status.isin(["in range", "out of range"])]
    assert set(compared.name) == {"bribe_russia", "quota_russia", "kept_per_month_russia", "home_wage",
                                  "cash_home_russia", "contract_russia", "workers_russia"}
    out = compared[~compared.in_range.astype(bool)]
    assert out.empty, out[["name", "low", "high", "simulated"]].to_string()


def test_figures_that_cannot_be_compared_say_why(calibration):
    rows = calibration.set_index("name")
    assert rows.loc["bribe_china", "status"] == "not compared: destination 'china' not simulated"
    assert rows.loc["workers_soviet", "status"] == "not compared: Soviet-era figure"
    assert rows.loc["tip_hours_per_day", "status"] == "not compared: no simulated counterpart"
    assert rows.citation.str.contains("Lankov").all()


DESTINATIONS = BASELINE.parent / "destinations.toml"


def test_three_destinations_match_each_bribe_of_the_source():
    result = api.run(DESTINATIONS, workers=20_000)
    rows = result.calibration.set_index("name")
    for name in ("bribe_russia", "bribe_china", "bribe_middle_east", "cash_home_russia", "quota_russia"):
        assert rows.loc[name, "status"] == "in range", (name, rows.loc[name, "simulated"])
    for name in ("workers_russia", "state_revenue"):  # run-level figures need a standing workforce
        assert rows.loc[name, "status"].startswith("not compared: a cohort")
    levels = set(result.outcomes.query("group == 'destination'").level)
    assert levels == {"russia", "china", "middle_east"}


def test_each_destination_clips_the_contribution_to_its_own_band():
    workers = api.run(DESTINATIONS, workers=3_000, keep_workers=True).workers
    bands = {"russia": (500, 900), "china": (300, 550), "middle_east": (400, 750)}
    for destination, (floor, cap) in bands.items():
        quota = workers.loc[workers.destination == destination, "quota_usd_per_month"]
        assert len(quota) > 100
        assert quota.min() >= floor and quota.max() <= cap
        assert (quota == floor).any() or (quota == cap).any()  # the band binds for some
    assert (workers.loc[workers.destination == "china", "regime"] == "camp").all()


def test_a_destination_band_upside_down_is_refused():
    from sim.config import ConfigError
    from sim.scenario_file import load_config

    with pytest.raises(ConfigError) as error:
        load_config(DESTINATIONS, ["destinations.china.quota_floor_usd_per_month=600"])
    assert error.value.problems == [
        f"{DESTINATIONS}: destinations.china.quota_floor_usd_per_month: "
        "the quota floor (600.0) is above the cap (550.0) for this destination"]


def test_the_quota_compared_is_what_workers_were_asked_to_pay():
    """With a quota multiplier of 1.3 from month 0, hires are asked 1.3 times the planned
    contribution every month, and that (not the contribution set at hiring) is compared."""
    base = api.run(BASELINE, workers=20_000, keep_workers=True)
    hiked = api.run(scenario("timeline.quota_multiplier=1.3"), workers=20_000, keep_workers=True)
    for result, factor in ((base, 1.0), (hiked, 1.3)):
        w = result.workers[result.workers.hire_cohort == "hired_in_run"]  # the figures are of the run's hires
        asked = (w.quota_due_usd / w.months_served).mean()
        assert asked == pytest.approx(factor * w.quota_usd_per_month.mean(), rel=1e-3)
        simulated = result.calibration.set_index("name").loc["quota_russia", "simulated"]
        assert simulated == pytest.approx(asked, abs=0.01)


def test_every_figure_has_a_kind_and_only_independent_ones_count_as_evidence(calibration):
    """The baseline's inputs read back and its constrained quota are echoes; the two figures the
    retention allowance was set to hit are tuned; nothing it compares is independent."""
    from sim.calibration import KINDS, evidence_line

    assert set(calibration.kind) <= set(KINDS) and calibration.kind.notna().all()
    kinds = calibration.set_index("name").kind
    assert kinds["quota_russia"] == "constrained" and kinds["bribe_russia"] == "input"
    assert set(calibration[calibration.kind == "tuned"].tuned_by) == {"quota.retention_usd_per_month"}
    assert evidence_line(calibration) == \
        "0 independent figures in range of 0; 2 tuned in range of 2; 5 inputs and constraints echoed"


def test_an_input_figure_moves_with_its_input_and_is_never_evidence():
    from sim.calibration import evidence_line

    moved = api.run(scenario("destinations.russia.bribe_usd=900"), workers=5_000).calibration
    row = moved.set_index("name").loc["bribe_russia"]
    assert row.simulated == pytest.approx(900) and row.status == "out of range"
    assert evidence_line(moved).startswith("0 independent figures in range of 0; 2 tuned in range of 2; 5 inputs")


def test_a_figure_about_all_workers_abroad_is_compared_only_with_a_run_of_all_destinations(calibration):
    assert calibration.set_index("name").loc["state_revenue", "status"] == \
        "not compared: covers all destinations (china, middle_east not simulated)"
    world = api.run(BASELINE.parent / "world.toml", workers=20_000).calibration
    row = world.set_index("name").loc["state_revenue"]
    assert row.status == "in range" and row.kind == "independent"


def test_china_is_confined_by_validation_not_only_by_a_value():
    from sim.config import ConfigError

    china = scenario_of(DESTINATIONS).destinations["china"]
    assert china.confined and china.free_mover_share == 0.0
    with pytest.raises(ConfigError, match="destinations.china: a confined destination has no free movers"):
        scenario_of(DESTINATIONS, ["destinations.china.free_mover_share=0.2"])
