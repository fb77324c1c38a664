"""The tuning scan runs each tuned figure's parameter at 9 multiples of its configured value, with
the run's seed, so a reader sees whether a fit holds only on a knife-edge."""
import math

import numba
import pandas as pd
import pytest

from conftest import BASELINE, ROOT, scenario
from sim import api, calibration, engine, tuning_scan
from sim.point import overall_summary
from sim.cli import main
from sim.layout import CHUNK_WORKERS

WORKERS = 5_000


@pytest.fixture(scope="module")
def scanned():
    return api.run(BASELINE, workers=WORKERS, tuning_scan=True)


def test_each_tuned_figure_is_scanned_over_its_parameter(scanned):
    scan = scanned.tuning_scan
    assert set(scan.figure) == {"kept_per_month_russia", "cash_home_russia"}
    assert set(scan.parameter) == {"quota.retention_usd_per_month"}
    assert sorted(scan.factor.unique()) == list(tuning_scan.FACTORS)
    assert 1.0 in tuning_scan.FACTORS
    configured = scan[scan.factor == 1.0]
    assert (configured.parameter_mean == 155.0).all()  # uniform(100, 210)
    assert scan[scan.factor == 0.2].parameter_mean.iloc[0] == pytest.approx(31.0)


def test_a_scan_point_is_the_run_with_the_scaled_parameter_and_the_same_seed(scanned):
    """Common random numbers: the point at 1.4 times the allowance is exactly a run of the baseline
    with the allowance uniform(140, 294) and the run's seed."""
    scan = scanned.tuning_scan.set_index(["factor", "figure"])
    point = api.run(scenario('quota.retention_usd_per_month={ dist = "uniform", low = 140, high = 294 }'),
                    workers=WORKERS).calibration.set_index("name")
    for name in ("kept_per_month_russia", "cash_home_russia"):
        assert scan.loc[(1.4, name), "simulated"] == point.loc[name, "simulated"]
    unscaled = scanned.calibration.set_index("name")
    assert scan.loc[(1.0, "cash_home_russia"), "simulated"] == unscaled.loc["cash_home_russia", "simulated"]


def test_the_scan_shows_how_the_figure_moves_with_its_parameter(scanned):
    """Above the configured value, a larger allowance leaves more cash home at every step; the
    scan finds where the figure leaves its range."""
    cash = scanned.tuning_scan.query("figure == 'cash_home_russia' and factor >= 1.0").sort_values("factor")
    assert cash.simulated.diff().dropna().gt(0).all()
    spans = tuning_scan.in_range_span(scanned.tuning_scan).set_index("figure")
    assert 0 < spans.loc["cash_home_russia", "points_in_range"] < len(tuning_scan.FACTORS)
    assert spans.loc["cash_home_russia", "lowest_in_range"] <= 155.0 <= spans.loc["cash_home_russia", "highest_in_range"]


def test_a_scaled_parameter_beyond_its_limits_is_reported_not_run():
    frame = pd.DataFrame([{"name": "f", "kind": "tuned", "tuned_by": "skim.share", "status": "in range",
                           "unit": "share", "low": 0.0, "high": 1.0}])
    calls = []
    scan = tuning_scan.scan(scenario("skim.share=0.7"), frame, lambda point: calls.append(point) or
                            pd.DataFrame([{"name": "f", "simulated": 0.5, "status": "in range"}]))
    too_big = scan[scan.factor > 1.0 / 0.7]
    assert too_big.simulated.isna().all() and too_big.status.str.startswith("not run: skim.share").all()
    assert len(calls) == (scan.factor <= 1.0 / 0.7).sum()


@pytest.mark.parametrize("parameter, problem", [("quota.quota_usd_per_month", "is not set in this scenario"),
                                                ("quota.rule", "is not a number or a distribution"),
                                                ("quota", "is not a number or a distribution")])
def test_a_parameter_that_cannot_be_scaled_is_said_not_scanned(parameter, problem):
    frame = pd.DataFrame([{"name": "f", "kind": "tuned", "tuned_by": parameter,
                           "status": "in range", "unit": "USD", "low": 0.0, "high": 1.0}])
    scan = tuning_scan.scan(scenario(), frame, lambda point: pytest.fail("nothing should run"))
    assert scan.status.tolist() == [f"not scanned: {parameter} {problem}"]


def test_the_api_scans_only_when_asked(scanned):
    assert api.run(BASELINE, workers=2_000).tuning_scan is None
    assert api.run(scenario("calibration.tuning_scan=false"), workers=2_000, tuning_scan=None).tuning_scan is None


def test_sim_run_writes_the_scan_its_figure_and_its_report_section(tmp_path, capsys):
    assert main(["run", str(BASELINE), "--workers", "2000", "--out", str(tmp_path / "on")]) == 0
    (directory,) = (tmp_path / "on").iterdir()
    scan = pd.read_csv(directory / "tuning_scan.csv")
    assert len(scan) == 2 * len(tuning_scan.FACTORS)
    assert f"tuning scan (values in range of those scanned)    {tuning_scan.describe(scan)}" in capsys.readouterr().out
    assert tuning_scan.describe(scan).endswith(" of quota.retention_usd_per_month, mean")
    assert (directory / "tuning_scan.png").stat().st_size > 10_000
    assert "<h2>How hard the tuning works</h2>" in (directory / "report.html").read_text()
    assert main(["run", str(BASELINE), "--workers", "2000", "--out", str(tmp_path / "off"), "--no-tuning-scan"]) == 0
    (directory,) = (tmp_path / "off").iterdir()
    assert not (directory / "tuning_scan.csv").exists() and not (directory / "tuning_scan.png").exists()
    assert "How hard the tuning works" not in (directory / "report.html").read_text()


def test_the_scanned_parameter_is_shown_by_its_mean():
    from scipy import stats

    lognormal = {"dist": "lognormal", "median": 1000.0, "range90": [800.0, 1250.0]}
    sigma = math.log(1250.0 / 800.0) / (2 * stats.norm.ppf(0.95))
    assert tuning_scan.mean(lognormal) == pytest.approx(stats.lognorm(s=sigma, scale=1000.0).mean(), rel=1e-12)
    assert tuning_scan.mean({"dist": "triangular", "low": 1.0, "mode": 2.0, "high": 6.0}) == \
        pytest.approx(stats.triang(c=0.2, loc=1.0, scale=5.0).mean())
    pert = {"dist": "pert", "low": 0.03, "mode": 0.10, "high": 0.25}
    alpha, beta = 1 + 4 * 0.07 / 0.22, 1 + 4 * 0.15 / 0.22
    assert tuning_scan.mean(pert) == pytest.approx(stats.beta(alpha, beta, loc=0.03, scale=0.22).mean())
    assert tuning_scan.mean({"dist": "uniform", "low": 100.0, "high": 210.0}) == 155.0 == tuning_scan.mean(155.0)
    assert tuning_scan.scaled(lognormal, 0.5) == {"dist": "lognormal", "median": 500.0, "range90": [400.0, 625.0]}
    assert tuning_scan.scaled({"dist": "discrete_uniform", "low": 24, "high": 36}, 0.5) == \
        {"dist": "discrete_uniform", "low": 12, "high": 18}


def test_a_run_whose_tuned_parameters_cannot_be_scanned_says_why(configs, out, capsys):
    from bad_input import BASELINE_TEXT, write

    seeds = configs.parent / "seeds" / "figures.toml"
    seeds.write_text(seeds.read_text().replace('tuned_by = "quota.retention_usd_per_month"', 'tuned_by = "quota.rule"'))
    config = write(configs, BASELINE_TEXT + '\n[calibration]\nseeds_file = "../seeds/figures.toml"\n', "baseline.toml")
    assert main(["run", str(config), "--workers", "2000", "--out", str(out)]) == 0
    reason = "not scanned: quota.rule is not a number or a distribution"
    assert f"tuning scan (values in range of those scanned)    {reason}" in capsys.readouterr().out
    (directory,) = out.iterdir()
    assert not (directory / "tuning_scan.png").exists()
    page = (directory / "report.html").read_text()
    assert f"<p>{reason}.</p>" in page and "tuning_scan.png is missing" not in page


@pytest.mark.parametrize("config", [BASELINE, ROOT / "configs" / "soviet.toml"], ids=["baseline", "soviet"])
def test_a_scan_points_calibration_needs_only_the_overall_outcomes(config):
    """A scan point aggregates like a sweep's point (:func:`sim.point.overall_summary`, no
    per-group tables); every figure's row is what the full run's calibration says."""
    run = api.run(config, workers=2_000)
    figures, citation = calibration.load_figures(run.scenario)
    light = api._calibration(run.raw, run.scenario, overall_summary(run.raw, run.scenario), figures, citation, [])
    assert light["simulated"].notna().any()
    pd.testing.assert_frame_equal(light, run.calibration)


@pytest.mark.parametrize("slots, threads, used", [(200_000, 2, 2), (10_000, 16, 1), (3_000, 4, 1), (1, 1, 1),
                                                  (3 * CHUNK_WORKERS, 2, 2), (3 * CHUNK_WORKERS, 8, 3),
                                                  (2 * CHUNK_WORKERS + 1, 8, 3)])
def test_a_run_gets_no_more_threads_than_chunks_of_workers(slots, threads, used):
    assert engine.simulate(scenario("simulation.horizon_months=2"), seed=1, workers=slots, threads=threads).threads == used


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two threads")
def test_the_scan_of_a_run_on_two_threads_runs_its_points_on_one_and_finds_the_same(monkeypatch):
    """A point of one chunk is simulated by one thread whatever the run's number: a second would
    only zero and sum idle accumulators. The scan is what it is on the run's two threads."""
    used = []
    simulate = api.simulate
    monkeypatch.setattr(api, "simulate", lambda point, **options: used.append(simulate(point, **options)) or used[-1])
    scan = api.run(BASELINE, workers=2 * CHUNK_WORKERS, threads=2, tuning_scan=True).tuning_scan
    assert [raw.threads for raw in used] == [2] + [1] * len(tuning_scan.FACTORS)
    on_one = api.run(BASELINE, workers=2 * CHUNK_WORKERS, threads=1, tuning_scan=True).tuning_scan
    pd.testing.assert_frame_equal(scan, on_one)
