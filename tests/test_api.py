"""The Python API and what a saved run holds."""
import dataclasses
import io
import json
import sys
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE
import sim
from sim import plots

SUMMARY_KEYS = {"state_revenue_usd_per_year", "manager_skim_usd_per_year", "workers_active_mean", "cash_home_usd",
                "net_gain_usd", "kept_usd_per_month", "share_worse_off_than_home",
                "accounting_max_abs_residual_usd", "n_workers_simulated", "seed"}


@pytest.fixture(scope="module")
def result():
    return sim.run(sim.load_config(BASELINE, ["simulation.horizon_months=36"]), seed=4, workers=2_000,
                   keep_workers=True)


def test_result_tables(result):
    assert SUMMARY_KEYS <= set(result.summary_dict)
    assert set(result.summary_dict["cash_home_usd"]) == {"mean", "p5", "p25", "p50", "p75", "p95"}
    assert set(result.summary_dict["state_revenue_usd_per_year"]) == {"mean", "ci95_low", "ci95_high"}
    assert isinstance(result.summary, pd.DataFrame) and len(result.summary) > len(SUMMARY_KEYS)
    assert len(result.monthly) == 36
    groups = set(zip(result.outcomes.group, result.outcomes.level))
    assert {("all", "all"), ("destination", "russia"), ("skill", "skilled"), ("regime", "camp"),
            ("regime", "free")} <= groups
    assert result.summary_dict["seed"] == 4 and result.summary_dict["n_workers_simulated"] == 2_000


def test_repr_is_a_few_lines_with_the_headline(result):
    text = repr(result)
    assert len(text) < 600 and len(text.splitlines()) <= 5, text
    assert text.startswith("<sim.Result baseline: seed 4, 2,000 simulated workers, stock mode, 36 months>")
    for label in ("state revenue, USD m per year", "cash brought home", "worse off than staying home"):
        assert label in text
    assert result.headline["state revenue, USD m per year"] in text


def test_html_repr_is_a_table_of_every_headline_figure(result):
    page = result._repr_html_()
    assert page.count("<tr>") == len(result.headline) + 1
    for label, value in result.headline.items():
        assert f"<td style='text-align:left'>{label}</td><td style='text-align:right'>{value}</td>" in page


def test_html_repr_escapes_the_scenario_name(result):
    scenario = result.scenario.model_copy()
    scenario._source_path = Path("/x/<b>&.toml")
    page = dataclasses.replace(result, scenario=scenario)._repr_html_()
    assert "&lt;b&gt;&amp;" in page and "<b>&" not in page


def test_summary_is_numbers_only_and_metadata_is_apart(result):
    summary = result.summary
    assert summary["value"].dtype == np.float64
    pd.to_numeric(summary["value"])  # raises on any string
    assert not set(summary["figure"]) & {"mode", "seed", "horizon_months", "n_workers_simulated", "wall_seconds"}
    revenue = summary.set_index(["figure", "statistic"]).loc[("state_revenue_usd_per_year", "mean"), "value"]
    assert revenue == result.summary_dict["state_revenue_usd_per_year"]["mean"]
    assert result.metadata == {"scenario": "baseline", "mode": "stock", "horizon_months": 36, "seed": 4,
                               "n_workers_simulated": 2_000, "wall_seconds": result.raw.wall_seconds,
                               "threads": result.raw.threads}


def test_outcomes_count_simulated_hires_and_the_real_workers_they_stand_for(result):
    outcomes = result.outcomes
    weight = result.summary_dict["weight_real_workers_per_simulated"]
    assert outcomes["workers_simulated"].dtype == np.int64
    np.testing.assert_allclose(outcomes["workers_real"], outcomes["workers_simulated"] * weight)
    everyone = outcomes.query("group == 'all'")["workers_simulated"]
    assert (everyone == result.summary_dict["n_returns_recorded"]).all()


class RecordedBar:
    """Stands in for ``tqdm.auto.tqdm``: records each bar made."""

    made = []

    def __init__(self, **options):
        self.made.append(options)

    def update(self, count):
        pass

    def close(self):
        pass


def test_progress_true_shows_a_tqdm_auto_bar_even_off_a_terminal_and_none_only_on_one(monkeypatch):
    monkeypatch.setattr("tqdm.auto.tqdm", RecordedBar)
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal
    monkeypatch.setattr(RecordedBar, "made", [])
    scenario = sim.load_config(BASELINE, SHORT)
    sim.run(scenario, workers=300, progress=True)
    assert [bar["total"] for bar in RecordedBar.made] == [300]
    sim.run(scenario, workers=300)
    sim.run(scenario, workers=300, progress=False)
    assert len(RecordedBar.made) == 1


def test_the_compile_note_goes_to_the_sim_logger_and_onto_the_progress_bar(caplog):
    from tqdm import tqdm

    from sim import api

    bar = tqdm(total=10, disable=False, file=io.StringIO())
    with caplog.at_level("INFO", logger="sim"):
        api._compile_notice(bar)
    assert [record.name for record in caplog.records] == ["sim.api"]
    assert caplog.records[0].getMessage().startswith("compiling the simulation kernel")
    assert bar.desc.startswith("compiling the kernel")


def test_save_writes_a_complete_new_directory_each_time(result, tmp_path):
    first = result.save(tmp_path)
    second = result.save(tmp_path)
    assert first != second
    expected = {"manifest.json", "summary.json", "monthly.parquet", "monthly_by_destination.parquet",
                "outcomes.parquet", "outcomes_by_reason.parquet", "distributions.parquet",
                "calibration.csv", "workers.parquet", "state_revenue.png", "household_outcomes.png",
                "calibration.png", "flows.png", "report.html"}
    assert {path.name for path in first.iterdir()} == expected
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["seed"] == 4
    assert manifest["config"]["simulation"]["horizon_months"] == 36
    assert set(manifest["versions"]) >= {"sim", "python", "numpy", "numba"}
    assert "git_commit" in manifest
    assert json.loads((first / "summary.json").read_text())["seed"] == 4
    pd.testing.assert_frame_equal(pd.read_parquet(first / "monthly.parquet"), result.monthly)


def test_a_failed_save_leaves_nothing_behind(result, tmp_path, monkeypatch):
    def broken(directory):
        raise RuntimeError("disk full")

    monkeypatch.setattr(plots, "draw_all", broken)
    with pytest.raises(RuntimeError):
        result.save(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_cli_streams_worker_records_to_the_run_directory(tmp_path):
    from sim.cli import main

    out = tmp_path / "out"
    assert main(["run", str(BASELINE), "--workers", "1500", "--keep-workers", "--seed", "4",
                 "--set", "simulation.horizon_months=36", "--out", str(out)]) == 0
    (directory,) = [path for path in out.iterdir()]
    workers = pd.read_parquet(directory / "workers.parquet")
    summary = json.loads((directory / "summary.json").read_text())
    # the cells hold the hires of the run; the records also those abroad at month 0
    assert (workers.hire_cohort == "hired_in_run").sum() == summary["n_returns_recorded"] > 1500
    assert set(workers.regime.unique()) == {"camp", "free"}
    in_memory = sim.run(sim.load_config(BASELINE, ["simulation.horizon_months=36"]), seed=4, workers=1500,
                        keep_workers=True).workers
    pd.testing.assert_frame_equal(workers, in_memory, check_categorical=False)


def test_streamed_records_of_a_run_where_nobody_goes_are_an_empty_table(tmp_path):
    nobody = sim.load_config(BASELINE, ["participation.reservation_gain_usd=1e9", "simulation.horizon_months=2"])
    result = sim.run(nobody, workers=3, workers_file=tmp_path / "w.parquet")
    assert len(pd.read_parquet(tmp_path / "w.parquet")) == 0
    assert (result.save(tmp_path / "runs") / "workers.parquet").exists()


# --------------------------------------------------------------------------- arguments refused

SHORT = ["simulation.horizon_months=12"]

# (id, keyword arguments of sim.run, exception, words the message holds)
BAD_ARGUMENTS = [
    ("seed a float", {"seed": 1.5}, TypeError, "seed must be a whole number"),
    ("seed a bool", {"seed": True}, TypeError, "seed must be a whole number"),
    ("seed a string", {"seed": "1"}, TypeError, "seed must be a whole number"),
    ("seed negative", {"seed": -1}, ValueError, "seed must be between 0 and"),
    ("seed 2**63", {"seed": 2**63}, ValueError, "seed must be between 0 and"),
    ("workers a bool", {"workers": True}, TypeError, "workers must be a whole number"),
    ("workers a float", {"workers": 2000.0}, TypeError, "workers must be a whole number"),
    ("workers zero", {"workers": 0}, ValueError, "workers must be between 1 and 10,000,000,000"),
    ("workers 10**12", {"workers": 10**12}, ValueError, "workers must be between 1 and 10,000,000,000"),
    ("workers numpy too many", {"workers": np.int64(10**11)}, ValueError, "workers must be between"),
    ("threads zero", {"threads": 0}, ValueError, "threads must be between 1 and"),
    ("threads too many", {"threads": numba.config.NUMBA_NUM_THREADS + 1}, ValueError, "threads must be between 1"),
    ("threads a bool", {"threads": True}, TypeError, "threads must be a whole number"),
    ("keep_workers a string", {"keep_workers": "no"}, TypeError, "keep_workers must be True or False"),
    ("keep_workers an int", {"keep_workers": 1}, TypeError, "keep_workers must be True or False"),
    ("progress a string", {"progress": "yes"}, TypeError, "progress must be True or False"),
    ("workers_file a number", {"workers_file": 5}, TypeError, "workers_file must be a path"),
]


@pytest.mark.parametrize(("kwargs", "error", "words"), [case[1:] for case in BAD_ARGUMENTS],
                         ids=[case[0] for case in BAD_ARGUMENTS])
def test_run_refuses_a_bad_argument_naming_it(baseline, kwargs, error, words):
    with pytest.raises(error, match=words):
        sim.run(baseline, **kwargs)


@pytest.mark.parametrize("config", [{"simulation": {}}, None, 42], ids=["dict", "None", "int"])
def test_run_refuses_a_config_that_is_neither_scenario_nor_path(config):
    with pytest.raises(TypeError, match="config must be a Scenario or the path of a TOML scenario file"):
        sim.run(config)


@pytest.mark.parametrize(("overrides", "words"), [
    ("skim.share=0.2", "not one string; use \\['skim.share=0.2'\\]"),
    (b"skim.share=0.2", "not one string"),
    ([("skim.share", 0.2)], "must be 'key=value' strings"),
    (None, "must be a list of 'key=value' strings, got NoneType"),
])
def test_load_config_refuses_overrides_that_are_not_a_list_of_strings(overrides, words):
    with pytest.raises(TypeError, match=words):
        sim.load_config(BASELINE, overrides)


def test_numpy_integers_and_bools_are_accepted_as_plain_ones():
    scenario = sim.load_config(BASELINE, SHORT)
    result = sim.run(scenario, seed=np.int64(4), workers=np.int32(500), threads=np.int64(1),
                     keep_workers=np.bool_(False), progress=np.False_)
    plain = sim.run(scenario, seed=4, workers=500, threads=1)
    assert type(result.raw.seed) is int and result.raw.seed == 4 and result.raw.n_slots == 500
    assert result.summary_dict["state_revenue_usd_per_year"] == plain.summary_dict["state_revenue_usd_per_year"]


def test_save_makes_a_given_name_safe(result, tmp_path):
    assert result.save(tmp_path, name="../.my run$").name == "my_run"
    assert [path.name for path in tmp_path.iterdir()] == ["my_run"]


def test_every_public_name_is_exported_lazily_from_the_package():
    """``sim.sensitivity`` and ``sim.calibrate`` are the functions behind ``sim sensitivity`` and
    ``sim calibrate``; every name of ``sim.__all__`` resolves to what its module defines."""
    import importlib

    from sim.calibrate_output import calibrate
    from sim.sensitivity import sensitivity

    assert sim.sensitivity is sensitivity and sim.calibrate is calibrate
    for name in set(sim.__all__) - {"__version__"}:
        assert getattr(sim, name) is getattr(importlib.import_module(sim._EXPORTS[name]), name)
    with pytest.raises(AttributeError, match="no attribute 'calibration_study'"):
        sim.calibration_study
