"""Figures drawn from a small hand-made run directory (no simulation)."""
import json

import numpy as np
import pandas as pd
import pytest

from sim import plots

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURES = ("state_revenue.png", "household_outcomes.png", "calibration.png")


def calibration_rows(compared: bool) -> pd.DataFrame:
    """A calibration table; with ``compared`` False every row is 'not compared'."""
    rows = [
        ("bribe_soviet", "soviet", "russia", None, "television sets", 1.0, 1.0, np.nan,
         "not compared: soviet period", None),
        ("bribe_russia", "present", "russia", "bribe_usd_mean", "USD", 500.0, 700.0, 600.0,
         "in range", True),
        ("cash_home_russia", "present", "russia", "cash_home_completed_usd_mean", "USD",
         4000.0, 6000.0, 7040.9, "out of range", False),
        ("workers_russia", "present", "russia", "workers_active_mean", "workers",
         30000.0, 30000.0, 29982.3, "out of range", False),
        ("share_worse_off", "present", None, "share_mean", "share", 0.0, 0.0, 0.05,
         "out of range", False),
    ]
    frame = pd.DataFrame(rows, columns=["name", "period", "destination", "statistic", "unit",
                                        "low", "high", "simulated", "status", "in_range"])
    if not compared:
        frame["status"] = "not compared: no simulated counterpart"
        frame["simulated"] = np.nan
    frame["measures"] = "what the figure measures"
    frame["citation"] = "a source"
    return frame


def histogram(outcome: str, low: float, high: float, rng) -> pd.DataFrame:
    """$100 bins from ``low`` to ``high`` USD with random counts."""
    edges = np.arange(low, high + 100.0, 100.0)
    return pd.DataFrame({"outcome": outcome, "bin_low_usd": edges[:-1],
                         "bin_high_usd": edges[1:], "workers_simulated": rng.integers(0, 50, len(edges) - 1)})


def write_run(directory, compared: bool = True) -> None:
    """Write the files of a saved run into ``directory``."""
    rng = np.random.default_rng(0)
    months = np.arange(24)
    monthly = pd.DataFrame({
        "month": months, "workers_active": 30_000.0, "hires": 1_000.0, "returns": 1_000.0,
        "early_returns": 100.0, "gross_earnings_usd": 3.4e7, "to_state_usd": 1.96e7 + rng.normal(0, 4e4, 24),
        "to_managers_usd": 2.5e6, "expenses_usd": 3.9e6, "kept_usd": 7.5e6, "arrears_outstanding_usd": 9e5,
    })
    distributions = pd.concat([histogram("cash_home_usd", -1000.0, 20000.0, rng),
                               histogram("net_gain_usd", -3000.0, 18000.0, rng)], ignore_index=True)
    outcomes = pd.DataFrame([{"group": "all", "level": "all", "outcome": "cash_home_usd", "workers_simulated": 1000,
                              "workers_real": 15000.0,
                              "mean": 6600.0, "ci95_low": 6500.0, "ci95_high": 6700.0, "p5": 1400.0,
                              "p25": 4300.0, "p50": 6000.0, "p75": 8000.0, "p95": 14000.0,
                              "out_of_range_share": 0.0}])
    summary = {
        "state_revenue_usd_per_year": {"mean": 2.358e8, "ci95_low": 2.356e8, "ci95_high": 2.360e8},
        "cash_home_usd": {"mean": 6600.0, "p5": 1400.0, "p50": 6000.0, "p95": 14000.0},
        "net_gain_usd": {"mean": 4500.0, "p5": -140.0, "p50": 3800.0, "p95": 12000.0},
        "share_worse_off_than_home": 0.057, "stay_home_earnings_usd_mean": 1700.0,
        "horizon_months": 24, "mode": "stock", "seed": 7,
    }
    monthly.to_parquet(directory / "monthly.parquet", index=False)
    distributions.to_parquet(directory / "distributions.parquet", index=False)
    outcomes.to_parquet(directory / "outcomes.parquet", index=False)
    calibration_rows(compared).to_csv(directory / "calibration.csv", index=False)
    (directory / "summary.json").write_text(json.dumps(summary))
    (directory / "manifest.json").write_text(json.dumps({"config_file": "/x/configs/baseline.toml", "seed": 7}))


def assert_png(path) -> None:
    """``path`` exists, starts with the PNG signature and is more than a blank canvas."""
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    assert path.stat().st_size > 10_000


def test_draw_all_writes_every_figure(tmp_path):
    write_run(tmp_path)
    paths = plots.draw_all(tmp_path)
    assert [path.name for path in paths] == list(FIGURES)
    assert all(path.parent == tmp_path for path in paths)
    for path in paths:
        assert_png(path)


def test_draw_all_accepts_a_string_path(tmp_path):
    write_run(tmp_path)
    assert len(plots.draw_all(str(tmp_path))) == len(FIGURES)


def test_calibration_without_compared_rows_still_draws(tmp_path):
    write_run(tmp_path, compared=False)
    plots.draw_all(tmp_path)
    assert_png(tmp_path / "calibration.png")


def test_point_ranges_become_a_ten_percent_band():
    compared = calibration_rows(compared=True).iloc[1:]
    low, high = plots.normalising_range(compared)
    assert list(low) == pytest.approx([500.0, 4000.0, 27000.0, -1.0])
    assert list(high) == pytest.approx([700.0, 6000.0, 33000.0, 1.0])


def test_central_range_holds_the_requested_share():
    frame = pd.DataFrame({"bin_low_usd": [0.0, 100.0, 200.0, 300.0], "bin_high_usd": [100.0, 200.0, 300.0, 400.0],
                          "workers_simulated": [1, 49, 49, 1]})
    assert plots.central_range(frame, 0.98) == (100.0, 300.0)
    assert plots.central_range(frame, 1.0) == (0.0, 400.0)


def test_run_label_names_config_and_seed():
    assert plots.run_label({"config_file": "/a/b/war.toml", "seed": 3}) == "war, seed 3"


@pytest.mark.parametrize("value, text", [(235_817_311.4, "235,817,311"), (7040.9, "7,041"),
                                         (29.99, "30"), (0.057, "0.057"), (-1236.3, "-1,236")])
def test_number_formats_with_thousands_separators(value, text):
    assert plots.number(value) == text
