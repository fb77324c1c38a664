"""The Python API and what a saved run holds."""
import json

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


def test_save_writes_a_complete_new_directory_each_time(result, tmp_path):
    first = result.save(tmp_path)
    second = result.save(tmp_path)
    assert first != second
    expected = {"manifest.json", "summary.json", "monthly.parquet", "outcomes.parquet", "distributions.parquet",
                "calibration.csv", "workers.parquet", "state_revenue.png", "household_outcomes.png",
                "calibration.png"}
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
