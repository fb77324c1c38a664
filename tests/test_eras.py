"""A figure is compared only with a run of its era and money unit, and a reform is not scored as
the status quo: configs/soviet.toml (Soviet roubles) against the source's Soviet-era figures,
today's configs against today's, and a policy run only over the months before its change."""
import json

import pandas as pd
import pytest

from conftest import BASELINE, scenario
from sim import api
from sim.calibration import evidence_line
from sim.cli import main
from sim.scenario_file import load_config

SOVIET = BASELINE.parent / "soviet.toml"
QUOTA_HIKE = BASELINE.parent / "policies" / "quota_hike.toml"
WORKERS = 20_000


@pytest.fixture(scope="module")
def soviet():
    return api.run(SOVIET, workers=WORKERS)


def test_the_soviet_config_is_in_range_for_every_soviet_figure_it_can_be_compared_with(soviet):
    rows = soviet.calibration.set_index("name")
    soviet_rows = rows[rows.period == "soviet"]
    compared = soviet_rows[soviet_rows.status.isin(["in range", "out of range"])]
    assert set(compared.index) == {"workers_soviet", "contract_soviet", "savings_soviet"}
    assert compared.in_range.astype(bool).all(), compared[["low", "high", "simulated"]]
    assert rows.loc["savings_soviet", "unit"] == "SUR" and rows.loc["savings_soviet", "kind"] == "tuned"
    assert rows.loc["bribe_soviet", "status"] == "not compared: no simulated counterpart"  # a television set
    assert evidence_line(soviet.calibration) == \
        "0 independent figures in range of 0; 1 tuned in range of 1; 2 inputs and constraints echoed"


def test_present_day_figures_are_not_applied_to_the_soviet_era_and_the_reverse(soviet):
    rows = soviet.calibration.set_index("name")
    present = rows[rows.period == "present"]
    assert (present.status == "not compared: present-day figure").all()
    today = api.run(BASELINE, workers=5_000).calibration.set_index("name")
    assert (today[today.period == "soviet"].status == "not compared: Soviet-era figure").all()


def test_a_figure_in_another_money_unit_is_not_compared():
    """The baseline relabelled in roubles keeps its numbers, but no dollar figure is compared with it."""
    in_roubles = api.run(scenario('simulation.money_unit="SUR"'), workers=5_000).calibration.set_index("name")
    in_dollars = api.run(BASELINE, workers=5_000).calibration.set_index("name")
    assert in_roubles.loc["kept_per_month_russia", "status"] == "not compared: figure in USD, run in SUR"
    assert in_roubles.loc["workers_russia", "status"] == "in range"  # workers are workers in any unit
    assert in_roubles.loc["workers_russia", "simulated"] == in_dollars.loc["workers_russia", "simulated"]


def test_a_money_unit_that_is_no_currency_code_is_refused():
    from sim.config import ConfigError

    with pytest.raises(ConfigError, match="simulation.money_unit: String should match pattern"):
        load_config(BASELINE, ['simulation.money_unit="roubles"'])


def test_every_place_a_reader_sees_names_the_run_s_money_unit(tmp_path, capsys):
    assert main(["run", str(SOVIET), "--workers", "3000", "--out", str(tmp_path), "--no-tuning-scan"]) == 0
    printed = capsys.readouterr().out
    assert "state revenue, SUR m per year" in printed and "kept per month, SUR" in printed
    assert "USD" not in printed
    directory = next(tmp_path.iterdir())
    assert json.loads((directory / "manifest.json").read_text())["money_unit"] == "SUR"
    page = (directory / "report.html").read_text()
    assert "SUR a year" in page and "Cash brought home, SUR" in page
    headline = page[page.index("<h2>Headline figures"):page.index("<h2>Figures")]
    assert "$" not in headline and "USD" not in headline
    from sim import plots
    from sim.labels import run_money_unit

    manifest = json.loads((directory / "manifest.json").read_text())
    summary = json.loads((directory / "summary.json").read_text())
    monthly = pd.read_parquet(directory / "monthly.parquet")
    figure = plots.state_revenue_figure(monthly, summary, "soviet", None, run_money_unit(manifest))
    assert figure.axes[0].get_ylabel() == "SUR m per month"


@pytest.fixture(scope="module")
def reform_and_baseline():
    return api.run(QUOTA_HIKE, workers=WORKERS), api.run(BASELINE, workers=WORKERS)


def test_a_reform_is_not_scored_against_the_status_quo_after_it_starts(reform_and_baseline):
    reform, _ = reform_and_baseline
    rows = reform.calibration.set_index("name")
    for name in ("bribe_russia", "quota_russia", "kept_per_month_russia", "cash_home_russia", "contract_russia"):
        assert rows.loc[name, "status"] == "not applicable: policy changes from month 24", name
    assert evidence_line(reform.calibration).endswith("; 6 not applicable after the policy change")


def test_a_standing_workforce_figure_is_compared_over_the_months_before_the_policy(reform_and_baseline):
    """Before month 24 the reform is the baseline (common random numbers), so the headcount compared
    is the baseline's over months 0 to 23, not the reform run's mean over ten years."""
    reform, baseline = reform_and_baseline
    row = reform.calibration.set_index("name").loc["workers_russia"]
    assert row.status == "in range" and row.compared_over == "months 0 to 23, before the policy"
    assert row.simulated == baseline.monthly.workers_active[:24].mean()
    assert row.simulated != reform.monthly.workers_active.mean()


def test_the_policy_date_is_a_calendar_month_when_the_run_has_dates():
    dated = api.run(load_config(QUOTA_HIKE, ["simulation.start=2017-12"]), workers=3_000).calibration
    rows = dated.set_index("name")
    assert rows.loc["kept_per_month_russia", "status"] == "not applicable: policy changes from 2019-12"
    assert rows.loc["workers_russia", "compared_over"] == "2017-12 to 2019-11, before the policy"


def test_a_timeline_constant_from_month_0_is_a_status_quo_not_a_reform():
    rows = api.run(scenario("timeline.quota_multiplier=[[0, 1.3], [12, 1.3]]"), workers=3_000).calibration
    assert not rows.status.str.startswith("not applicable").any()


def test_amounts_read_in_the_unit_they_are_in():
    from sim.labels import in_unit, money_unit_of, span, with_unit

    assert with_unit(3_400, "SUR") == "3,400 SUR" and with_unit(130, "SUR per month") == "130 SUR a month"
    assert with_unit(11.6e6, "SUR per year") == "11.6m SUR a year" and with_unit(-43, "USD") == "-$43"
    assert span(2_000, 5_000, "SUR") == "2,000 to 5,000 SUR" and span(150, 300, "USD per month") == "$150 to $300 a month"
    assert span(11.5e6, 11.7e6, "SUR per year") == "11.5m to 11.7m SUR a year"
    assert money_unit_of("SUR per month") == "SUR" and money_unit_of("television sets") is None
    assert in_unit("cash brought home (USD per worker)", "SUR") == "cash brought home (SUR per worker)"


def test_a_batch_index_says_each_run_s_money_unit(tmp_path):
    import pandas as pd

    assert main(["-q", "run", str(BASELINE), str(SOVIET), "--workers", "2000", "--out", str(tmp_path),
                 "--no-tuning-scan"]) == 0
    (index,) = tmp_path.glob("batch-*/index.csv")
    assert pd.read_csv(index).money_unit.tolist() == ["USD", "SUR"]


def test_every_source_figure_has_a_kind_and_a_tuned_one_names_a_key_its_era_s_config_sets():
    import tomllib

    from sim.tuning_scan import unscannable

    figures = tomllib.loads((BASELINE.parent.parent / "seeds" / "figures.toml").read_text())["figure"]
    assert all(figure.get("kind") for figure in figures)
    configs = {"present": load_config(BASELINE), "soviet": load_config(SOVIET)}
    tuned = [figure for figure in figures if figure["kind"] == "tuned"]
    assert {figure["name"] for figure in tuned} == {"kept_per_month_russia", "cash_home_russia", "savings_soviet"}
    for figure in tuned:
        assert unscannable(configs[figure["period"]].to_toml_dict(), figure["tuned_by"]) is None, figure["name"]
