"""Calibration by the simulated method of moments: recovering an input from a series the engine made.

The engine generates an observed series (workers abroad at dates after hiring stops) at a known
repatriation hazard and seed; ``sim calibrate`` fits the hazard back from it with other seeds. The
observations' standard deviation is what it is for one run: measured across runs at the true
value (a property of how the data were made, as a survey's standard error would be).
"""
import json

import numpy as np
import pytest

import sim
from conftest import BASELINE, ROOT
from sim import calendar, executors
from sim.calibrate_output import calibrate
from sim.calibrate_study import load_calibration
from sim.cli import main
from sim.config import ConfigError
from sim.fitting import covariance
from sim.observed import figure_targets, series_targets
from sim.targets import Z95

SERIAL = executors.Serial()
TRUE_HAZARD = 0.03
WORKERS = 5000
MONTHS = (27, 30, 33, 36, 42)
"""Months of the observations: 3 to 18 months after hiring stops (month 24, 2019-12)."""

BASE = f"""
extends = "{ROOT / 'configs' / 'policies' / 'scheme_ends.toml'}"
[simulation]
start = "2017-12"
horizon_months = 48
"""
STUDY = f"""
base = "base.toml"
workers = {WORKERS}
[design]
replications = 4
seed = 3
[calibrate]
targets = "observed.toml"
max_evaluations = 20
[calibrate.inputs]
"timeline.repatriation_hazard_per_month" = {{ low = 0.0, high = 0.1, start = 0.06 }}
"""


def workers_abroad(base, seed):
    scenario = sim.load_config(base, [f"timeline.repatriation_hazard_per_month={TRUE_HAZARD}"])
    return sim.run(scenario, seed=seed, workers=WORKERS, progress=False).monthly["workers_active"].to_numpy()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A base scenario, the observed series the engine made at TRUE_HAZARD, and the study."""
    folder = tmp_path_factory.mktemp("calibrate")
    (folder / "base.toml").write_text(BASE)
    observed = workers_abroad(folder / "base.toml", seed=901)
    sd = np.std([workers_abroad(folder / "base.toml", seed) for seed in range(911, 919)], axis=0, ddof=1)
    (folder / "observed.toml").write_text("".join(
        f'[[target]]\nstatistic = "workers_abroad"\ndate = "{calendar.date_of("2017-12", month)}"\n'
        f'value = {observed[month]}\nsd = {sd[month]}\nsource = "the engine, seed 901"\n\n' for month in MONTHS))
    (folder / "study.toml").write_text(STUDY)
    return folder


@pytest.fixture(scope="module")
def fitted(folder):
    return calibrate(load_calibration(folder / "study.toml"), out=folder / "out", executor=SERIAL)


def test_the_hazard_the_series_was_made_with_lies_in_the_fits_interval_and_the_interval_is_narrow(fitted):
    _, fit = fitted
    row = fit.inputs.iloc[0]
    assert row.ci95_low <= TRUE_HAZARD <= row.ci95_high, row
    # five dates of a falling headcount pin the hazard to within a tenth of its search range
    assert row.ci95_high - row.ci95_low < 0.1 * (row.high - row.low)
    assert abs(row.value - row.start) > 0.02  # it moved from where it started


def test_the_fit_is_written_with_a_config_that_runs_forward_from_the_fitted_value(fitted, folder):
    directory, fit = fitted
    assert {"fit.csv", "targets.csv", "fit.png", "fitted.toml", "manifest.json"} <= {p.name for p in directory.iterdir()}
    scenario = sim.load_config(directory / "fitted.toml")
    assert scenario.timeline.repatriation_hazard_per_month == fit.inputs["value"].iloc[0]
    assert scenario.timeline.recruit_open == [[0.0, 1.0], [24.0, 0.0]]  # the base's policy, extended
    targets = fit.targets
    assert targets["date"].tolist() == [calendar.date_of("2017-12", month) for month in MONTHS]
    np.testing.assert_allclose(targets["residual"], targets["simulated"] - targets["observed"])
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["evaluations"] == fit.evaluations and len(manifest["targets"]) == len(MONTHS)


def test_an_input_the_targets_do_not_depend_on_gets_no_interval(folder):
    path = folder / "unidentified.toml"
    path.write_text(STUDY.replace('"timeline.repatriation_hazard_per_month" = { low = 0.0, high = 0.1, start = 0.06 }',
                                  '"work.hours_per_day" = { low = 8, high = 16, start = 10 }'))
    _, fit = calibrate(load_calibration(path), out=folder / "out2", executor=SERIAL)
    assert np.isnan(fit.inputs["ci95_low"].iloc[0]) and np.isnan(fit.inputs["ci95_high"].iloc[0])


def test_the_sandwich_is_the_textbook_one_plus_one_over_r_when_a_replication_is_as_noisy_as_the_data():
    rng = np.random.default_rng(1)
    jacobian, sd = rng.normal(size=(6, 2)), np.full(6, 2.0)
    draws = rng.normal(size=(200_000, 6)) * sd  # replications with the observations' own variance
    textbook = (1 + 1 / len(draws)) * np.linalg.inv(jacobian.T @ jacobian)
    np.testing.assert_allclose(covariance(jacobian, draws, sd), textbook, rtol=0.02)
    one = covariance(jacobian, draws[:1], sd)  # one replication: S cannot be estimated, S = Omega
    np.testing.assert_allclose(one, 2 * np.linalg.inv(jacobian.T @ jacobian))


def test_a_source_figures_range_is_read_as_a_95_percent_range():
    [target] = figure_targets(["workers_russia"], sim.load_config(BASELINE), "here")
    assert target.output == "workers_active_mean" and target.value == 30_000
    assert target.sd == pytest.approx(6_000 / (2 * Z95))
    with pytest.raises(ConfigError, match="'bribe_china' cannot be fitted"):
        figure_targets(["bribe_china"], sim.load_config(BASELINE), "here")


@pytest.mark.parametrize(("observed", "study_change", "message"), [
    ('date = "2030-01"', None, "calibrate.targets: {folder}/bad.toml: target 1: date '2030-01' is outside the run "
                               "(2017-12 to 2021-11)"),
    ('statistic = "headcount"', None, "target 1: statistic: unknown statistic 'headcount'"),
    ('sd = -1.0', None, "target 1: sd: Input should be greater than 0"),
    ('sd = 0.0', None, "target 1: sd: Input should be greater than 0"),
    (None, ("[design]", 'outputs = ["workers_active_mean"]\n[design]'), "outputs: a calibration study cannot have it"),
    (None, ('targets = "observed.toml"', 'targets = "missing.toml"'), "missing.toml: file not found"),
    (None, ("start = 0.06", "start = 0.2"), "calibrate.inputs.timeline.repatriation_hazard_per_month: start (0.2)"),
])
def test_a_bad_calibration_exits_2_naming_the_file_and_key_and_writes_nothing(folder, capsys, observed, study_change,
                                                                                message):
    text = (folder / "observed.toml").read_text()
    if observed:
        key = observed.split(" = ")[0]
        text = "\n".join(observed if line.startswith(f"{key} = ") else line for line in text.splitlines())
    (folder / "bad.toml").write_text(text)
    study = (STUDY.replace(*study_change) if study_change else STUDY).replace('"observed.toml"', '"bad.toml"')
    path = folder / "bad_study.toml"
    path.write_text(study)
    out = folder / "bad_out"
    assert main(["calibrate", str(path), "--out", str(out), "--processes", "1"]) == 2
    assert message.format(folder=folder) in capsys.readouterr().err
    assert not out.exists()


def test_an_observed_series_may_be_a_csv_file_with_the_same_keys(folder):
    base = sim.load_config(folder / "base.toml")
    toml = series_targets(folder / "observed.toml", base, "here")
    rows = [f"{target.date},workers_abroad,{target.value!r},{target.sd!r},the engine" for target in toml]
    (folder / "observed.csv").write_text("date,statistic,value,sd,source\n" + "\n".join(rows) + "\n")
    assert series_targets(folder / "observed.csv", base, "here") == toml
    (folder / "bad.csv").write_text("date,statistic,value,sd\n2020-03,workers_abroad,many,5\n")
    with pytest.raises(ConfigError, match=r"bad.csv: target 1: value: 'many' is not a number"):
        series_targets(folder / "bad.csv", base, "here")


def test_a_target_over_a_date_range_or_a_range_is_read_as_sim_run_targets_reads_it(folder):
    """The targets format of ``sim run --targets``: dates over a range give the statistic over those
    months (a money flow per year, a flow's total), low and high a 95% range; a point value without
    sd cannot be fitted."""
    (folder / "ranged.toml").write_text(
        '[[target]]\nname = "revenue_2018"\nstatistic = "state_revenue"\ndates = ["2018-01", "2018-12"]\n'
        'low = 100e6\nhigh = 300e6\nsource = "s"\n\n'
        '[[target]]\nstatistic = "hires"\ndates = ["2018-01", "2018-03"]\nvalue = 500\nsd = 20\nsource = "s"\n')
    base = sim.load_config(folder / "base.toml")
    revenue, hires = series_targets(folder / "ranged.toml", base, "here")
    assert (revenue.first, revenue.last, revenue.date) == (1, 12, "2018-01 to 2018-12")
    assert (revenue.value, revenue.sd) == (200e6, pytest.approx(200e6 / (2 * Z95)))
    assert hires.name == "hires@2018-01 to 2018-03" and (hires.value, hires.sd) == (500, 20)
    monthly = sim.run(base, workers=2_000, progress=False).monthly
    outputs = {column: monthly[column].to_numpy() for column in ("to_state_usd", "hires")}
    assert revenue.simulated(outputs) == pytest.approx(monthly["to_state_usd"].iloc[1:13].sum(), rel=1e-12)
    assert hires.simulated(outputs) == monthly["hires"].iloc[1:4].sum()
    (folder / "point.toml").write_text('[[target]]\nstatistic = "hires"\ndate = "2018-01"\nvalue = 5\nsource = "s"\n')
    with pytest.raises(ConfigError, match="target 1: a value to fit needs its sd"):
        series_targets(folder / "point.toml", base, "here")
