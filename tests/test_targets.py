"""A user's own dated figures (--targets FILE, calibration.targets_file) are compared with the run
at their dates and reported like the source's; a bad targets file is refused before simulating."""
import pytest
from bad_input import BASELINE_TEXT, assert_nothing_written, error_lines, write

from conftest import BASELINE, ROOT
from sim import api
from sim.calibration import evidence_line
from sim.cli import main
from sim.scenario_file import load_config

EXAMPLE = ROOT / "configs" / "targets" / "example.toml"
DATED = ["simulation.start=2017-12"]

TARGET = '[[target]]\nname = "{name}"\nstatistic = "{statistic}"\n{value}\n{when}\nsource = "a report"\n'


def targets_text(name="headcount", statistic="workers_abroad", value="value = 30_000", when='date = "2019-06"'):
    return TARGET.format(name=name, statistic=statistic, value=value, when=when)


@pytest.fixture(scope="module")
def example_run():
    scenario = load_config(BASELINE, [*DATED, f'calibration.targets_file="{EXAMPLE}"'])
    return api.run(scenario, workers=20_000)


def test_each_target_is_compared_with_the_monthly_series_over_its_months(example_run):
    rows = example_run.calibration.set_index("name")
    monthly = example_run.monthly.set_index(example_run.monthly.date.dt.strftime("%Y-%m"))
    assert rows.loc["headcount_mid_2019", "simulated"] == monthly.loc["2019-06", "workers_active"]
    year_2018 = monthly.loc["2018-01":"2018-12"]
    assert len(year_2018) == 12
    assert rows.loc["state_revenue_2018", "simulated"] == pytest.approx(year_2018.to_state_usd.sum(), rel=1e-12)
    assert rows.loc["hires_2020", "simulated"] == pytest.approx(monthly.loc["2020-01":"2020-12"].hires.sum(), rel=1e-12)
    assert rows.loc["state_revenue_2018", "unit"] == "USD per year"
    assert rows.loc["hires_2020", "compared_over"] == "2020-01 to 2020-12"
    assert rows.loc["hires_2020", "citation"].startswith("illustrative")


def test_targets_are_independent_evidence_unless_the_user_says_otherwise(example_run):
    rows = example_run.calibration.set_index("name")
    assert (rows.loc[["headcount_mid_2019", "state_revenue_2018", "hires_2020"], "kind"] == "independent").all()
    assert (rows.loc[["headcount_mid_2019", "state_revenue_2018", "hires_2020"], "status"] == "in range").all()
    assert evidence_line(example_run.calibration).startswith("3 independent figures in range of 3; 2 tuned")


def test_a_target_outside_the_run_says_so(example_run):
    assert example_run.calibration.set_index("name").loc["headcount_2030", "status"] == \
        "not compared: outside the run (2017-12 to 2027-11)"


def test_a_target_out_of_range_is_said_to_be(tmp_path):
    path = write(tmp_path, targets_text(value="low = 1.0\nhigh = 2.0", when='dates = ["2018-01", "2018-03"]'),
                 "targets.toml")
    scenario = load_config(BASELINE, [*DATED, f'calibration.targets_file="{path}"'])
    row = api.run(scenario, workers=2_000).calibration.set_index("name").loc["headcount"]
    assert row.status == "out of range" and row.simulated > 20_000


def test_sim_run_targets_writes_them_into_calibration_csv(configs, out, capsys):
    import pandas as pd

    config = write(configs, BASELINE_TEXT.replace("seed = 20261126", 'seed = 20261126\nstart = "2017-12"'), "dated.toml")
    assert main(["run", str(config), "--workers", "2000", "--out", str(out), "--targets", str(EXAMPLE),
                 "--no-tuning-scan"]) == 0
    assert "3 independent figures in range of 3" in capsys.readouterr().out
    (directory,) = out.iterdir()
    written = pd.read_csv(directory / "calibration.csv").set_index("name")
    assert {"headcount_mid_2019", "state_revenue_2018", "hires_2020", "headcount_2030"} <= set(written.index)
    assert "headcount_2030" in (directory / "report.html").read_text()


BAD_TARGETS = [
    ("a bad month", targets_text(when='date = "2019-13"'), "target 1 ('headcount'): date: '2019-13' is not a month "
                                                           "written YYYY-MM"),
    ("an unknown statistic", targets_text(statistic="headcount"),
     "target 1 ('headcount'): statistic: unknown statistic 'headcount'; one of workers_abroad, hires"),
    ("dates backwards", targets_text(when='dates = ["2019-06", "2019-01"]'),
     "target 1 ('headcount'): dates: '2019-01' is before '2019-06'"),
    ("no date", targets_text(when=""), "target 1 ('headcount'): give date = \"YYYY-MM\" or dates"),
    ("value and a range", targets_text(value="value = 1.0\nlow = 0.0"),
     "target 1 ('headcount'): give value, or low and high (one of the two)"),
    ("no source", targets_text().replace('source = "a report"\n', ""), "target 1 ('headcount'): source: required"),
    ("no targets", "", "target: the file needs at least one [[target]] table"),
    ("not TOML", "[[target", "invalid TOML"),
]


@pytest.mark.parametrize("text, message", [case[1:] for case in BAD_TARGETS], ids=[case[0] for case in BAD_TARGETS])
def test_a_bad_targets_file_is_one_error_naming_it_exit_2_and_nothing_written(configs, out, capsys, text, message):
    config = write(configs, BASELINE_TEXT.replace("seed = 20261126", 'seed = 20261126\nstart = "2017-12"'), "dated.toml")
    targets = write(configs, text, "targets.toml")
    assert main(["run", str(config), "--out", str(out), "--targets", str(targets)]) == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert line.startswith(f"error: {config}: calibration.targets_file: {targets}: {message}"), line
    assert_nothing_written(out)


def test_targets_need_calendar_dates(configs, out, capsys):
    targets = write(configs, targets_text(), "targets.toml")
    assert main(["run", str(BASELINE), "--out", str(out), "--targets", str(targets)]) == 2
    (line,) = error_lines(capsys.readouterr().err)
    assert line.endswith("targets are dated, but the scenario sets no simulation.start (the calendar month of month 0)")
    assert_nothing_written(out)


def test_a_config_names_its_targets_file_relative_to_itself(configs):
    write(configs, targets_text(), "mine.toml")
    config = write(configs, BASELINE_TEXT.replace("seed = 20261126", 'seed = 20261126\nstart = "2017-12"')
                   + '\n[calibration]\ntargets_file = "mine.toml"\n', "dated.toml")
    rows = api.run(config, workers=2_000).calibration.set_index("name")
    assert rows.loc["headcount", "status"] in ("in range", "out of range")


def test_a_target_the_user_tuned_is_scanned_like_a_source_figure(tmp_path):
    path = write(tmp_path, targets_text(value="low = 25_000.0\nhigh = 35_000.0")
                 + 'kind = "tuned"\ntuned_by = "destinations.russia.earning_capacity_usd_per_month"\n', "targets.toml")
    scenario = load_config(BASELINE, [*DATED, f'calibration.targets_file="{path}"'])
    scan = api.run(scenario, workers=2_000, tuning_scan=True).tuning_scan
    headcount = scan[scan.figure == "headcount"]
    assert len(headcount) == 9 and headcount.simulated.notna().all()
    assert set(headcount.parameter) == {"destinations.russia.earning_capacity_usd_per_month"}


def test_a_money_target_is_in_the_run_s_unit_unless_it_names_its_own(tmp_path):
    revenue = targets_text(statistic="state_revenue", value="low = 1e6\nhigh = 1e8", when='dates = ["1980-01", "1980-12"]')
    path = write(tmp_path, revenue + revenue.replace('"headcount"', '"in_dollars"') + 'money_unit = "USD"\n',
                 "targets.toml")
    soviet = load_config(BASELINE.parent / "soviet.toml", [f'calibration.targets_file="{path}"'])
    rows = api.run(soviet, workers=2_000).calibration.set_index("name")
    assert rows.loc["headcount", "unit"] == "SUR per year" and rows.loc["headcount", "status"] == "in range"
    assert rows.loc["in_dollars", "status"] == "not compared: target in USD, run in SUR"
