"""Sensitivity studies: Sobol' indices and Morris screening through the sweep's pipeline.

The indices are checked on functions whose indices are known (``tests/sensitivity_models.py``):
the Ishigami function's analytic S1 and ST, a linear function's exact elementary effects, an
input a function ignores, and a noisy function whose noise floor is known. One test runs the
engine: an input the engine never reads has elementary effects of exactly zero (common random
numbers), one it reads does not.
"""
import json

import numpy as np
import pandas as pd
import pytest

import sensitivity_models
from conftest import BASELINE
from sim import executors
from sim.cli import main
from sim.config import ConfigError
from sim.sensitivity_analysis import analyse, load_sensitivity, points, sensitivity
from sim.sweeps import evaluate

SERIAL = executors.Serial()
PI = float(np.pi)
ISHIGAMI = f"""
model = "sensitivity_models:ishigami"
outputs = ["y"]
[design]
seed = 11
[uncertainties]
x1 = {{ low = {-PI}, high = {PI} }}
x2 = {{ low = {-PI}, high = {PI} }}
x3 = {{ low = {-PI}, high = {PI} }}
x4 = {{ low = 0.0, high = 1.0 }}
[sensitivity]
method = "sobol"
n = 1024
"""


def study_file(folder, text, name="study.toml"):
    path = folder / name
    path.write_text(text)
    return path


def indices_of(path):
    study = load_sensitivity(path)
    table = evaluate(study, points(study), executor=SERIAL, progress=False)
    return analyse(study, table).set_index("input")


def test_sobol_indices_of_the_ishigami_function_are_its_analytic_ones_within_their_intervals(tmp_path):
    found = indices_of(study_file(tmp_path, ISHIGAMI))
    # S1_conf and ST_conf are 1.96 bootstrap standard errors: twice that is 3.9 standard errors, so
    # each of the six checks fails by chance with probability below 1e-4 (the seed is fixed anyway)
    for name, (s1, st) in sensitivity_models.ishigami_indices().items():
        assert abs(found.loc[name, "S1"] - s1) <= 2 * found.loc[name, "S1_conf"], (name, found.loc[name])
        assert abs(found.loc[name, "ST"] - st) <= 2 * found.loc[name, "ST_conf"], (name, found.loc[name])
        # the intervals shrink as 1/sqrt(n), to about 0.1 at n = 1024: the check resolves the indices
        assert found.loc[name, "ST_conf"] < 0.15


def test_an_input_the_function_ignores_has_a_total_index_of_zero(tmp_path):
    found = indices_of(study_file(tmp_path, ISHIGAMI.replace("n = 1024", "n = 64")))
    assert found.loc["x4", "ST"] == 0.0 and found.loc["x4", "S1"] == 0.0
    assert (found.loc[["x1", "x2", "x3"], "ST"] > found.loc[["x1", "x2", "x3"], "ST_conf"]).all()


LINEAR = """
model = "sensitivity_models:linear"
outputs = ["y"]
[design]
seed = 4
[uncertainties]
a = { low = 0.0, high = 1.0 }
b = { low = 0.0, high = 1.0 }
c = { low = 0.0, high = 1.0 }
d = { low = 0.0, high = 1.0 }
[sensitivity]
method = "morris"
n = 10
"""


def test_morris_effects_of_a_linear_function_are_its_coefficients_per_unit_of_probability(tmp_path):
    found = indices_of(study_file(tmp_path, LINEAR))
    np.testing.assert_allclose(found["mu_star"], [8.0, 4.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(found["mu"], [8.0, -4.0, 1.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(found["sigma"], 0.0, atol=1e-12)
    assert list(found.sort_values("mu_star", ascending=False).index) == ["a", "b", "c", "d"]


def test_a_morris_grid_level_is_the_middle_of_its_slice_of_probability(tmp_path):
    text = LINEAR.replace("a = { low = 0.0, high = 1.0 }", 'a = { dist = "lognormal", median = 1.0, range90 = [0.5, 2.0] }')
    values = points(load_sensitivity(study_file(tmp_path, text)))["a"]
    assert np.isfinite(values).all() and values.nunique() == 4  # a lognormal's ends are never taken


NOISY = """
model = "sensitivity_models:noisy"
outputs = ["y"]
[design]
replications = 4
seed = 2
[uncertainties]
x1 = { low = 0.0, high = 1.0 }
x2 = { low = 0.0, high = 1.0 }
[sensitivity]
method = "sobol"
n = 256
"""


def test_the_noise_floor_is_the_share_of_variance_from_replications_and_an_ignored_input_sits_on_it(tmp_path):
    found = indices_of(study_file(tmp_path, NOISY))
    noise = sensitivity_models.NOISE_SD ** 2 / 4  # variance of a mean of 4 replications
    expected = noise / (1 / 12 + noise)  # x1 ~ uniform(0, 1) has variance 1/12
    share = found["noise_share"].iloc[0]
    # 1024 points x 3 degrees of freedom estimate the noise: relative standard error sqrt(2/3072) = 2.6%
    assert abs(share / expected - 1) < 4 * np.sqrt(2 / 3072)
    # the noise is a function of the whole point, so the ignored x2 gets it as its total index
    assert abs(found.loc["x2", "ST"] - share) <= 2 * found.loc["x2", "ST_conf"]
    assert found.loc["x2", "ST"] > 0


def test_a_sensitivity_study_writes_its_indices_figures_and_manifest_beside_the_sweep(tmp_path):
    result, indices = sensitivity(load_sensitivity(study_file(tmp_path, LINEAR)), out=tmp_path / "out",
                                  executor=SERIAL, progress=False)
    directory = result.directory
    pd.testing.assert_frame_equal(pd.read_csv(directory / "indices.csv").drop(columns="note"),
                                  indices.drop(columns="note"))
    manifest = json.loads((directory / "manifest.json").read_text())
    assert manifest["sensitivity_analysis"]["figures"] == ["sensitivity_y.png"]
    assert (directory / "sensitivity_y.png").stat().st_size > 0
    assert manifest["study"] and json.loads((directory / "study.json").read_text())["sensitivity"]["n"] == 10
    assert len(pd.read_parquet(directory / "table.parquet")) == 10 * 5


def test_the_same_study_gives_bit_identical_indices(tmp_path):
    path = study_file(tmp_path, ISHIGAMI.replace("n = 1024", "n = 32"))
    pd.testing.assert_frame_equal(indices_of(path), indices_of(path))


ENGINE = f"""
base = "{BASELINE}"
workers = 2000
outputs = ["state_revenue_usd_per_year", "cash_home_usd.p50"]
[design]
seed = 5
[uncertainties]
"work.hours_per_day" = {{ low = 8, high = 16 }}
"timeline.quota_multiplier" = {{ low = 0.9, high = 1.2 }}
[sensitivity]
method = "morris"
n = 2
"""


def test_an_input_the_engine_does_not_read_for_an_output_has_no_effect_on_it(tmp_path):
    found = indices_of(study_file(tmp_path, ENGINE))
    revenue = found[found["output"] == "state_revenue_usd_per_year"]
    assert revenue.loc["work.hours_per_day", "mu_star"] == 0.0  # common random numbers: exactly the same runs
    assert revenue.loc["timeline.quota_multiplier", "mu_star"] > 0.0


@pytest.mark.parametrize(("change", "message"), [
    (("n = 1024", "n = 1000"), "sensitivity.n: Saltelli's scheme needs a power of 2 base samples, e.g. 512 or 1024"),
    (('method = "sobol"', 'method = "fast"'), "sensitivity.method: Input should be 'sobol' or 'morris'"),
    (("[design]", "[design]\npoints = 8"), "design.points: a sensitivity study's points come from [sensitivity]"),
    (("[sensitivity]", '[levers]\nx5 = [1, 2]\n[sensitivity]'), "levers: a sensitivity study's points come from"),
    (("[sensitivity]\nmethod", "[sensitivit]\nmethod"), "sensitivity: required table [sensitivity] is missing"),
    (("n = 1024", "n = 1024\nlevels = 6"), "sensitivity.levels: only a morris study has levels"),
])
def test_a_bad_sensitivity_study_exits_2_naming_the_file_and_key_and_writes_nothing(tmp_path, capsys, change, message):
    path = study_file(tmp_path, ISHIGAMI.replace(*change))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--processes", "1"]) == 2
    assert f"error: {path}: {message}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    with pytest.raises(ConfigError):
        load_sensitivity(path)


def test_sim_sensitivity_prints_the_inputs_ranked_and_where_the_results_are(tmp_path, capsys):
    path = study_file(tmp_path, LINEAR)
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--processes", "1", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{path}: morris over 4 inputs, 50 points x 1 replication(s)"
    assert [line.split()[1] for line in lines[2:6]] == ["a", "b", "c", "d"]
    assert lines[-1].startswith(f"  results: {tmp_path / 'out'}")


def test_a_sensitivity_directory_resumes_only_for_the_same_analysis(tmp_path):
    study = load_sensitivity(study_file(tmp_path, LINEAR))
    first, indices = sensitivity(study, out=tmp_path / "out", executor=SERIAL, progress=False)
    (first.directory / "indices.csv").unlink()
    resumed, again = sensitivity(study, resume=first.directory, executor=SERIAL, progress=False)
    assert resumed.directory == first.directory
    pd.testing.assert_frame_equal(again, indices)
    other = load_sensitivity(study_file(tmp_path, LINEAR.replace("n = 10", "n = 12"), "other.toml"))
    with pytest.raises(ConfigError, match="was made by another study"):
        sensitivity(other, resume=first.directory, executor=SERIAL, progress=False)


def test_an_output_undefined_at_some_point_or_constant_gets_no_indices_and_says_why(tmp_path):
    text = LINEAR.replace("linear", "partly_undefined").replace('["y"]', '["y", "z", "w"]')
    text = text.replace("c = { low = 0.0, high = 1.0 }\nd = { low = 0.0, high = 1.0 }\n", "")
    found = indices_of(study_file(tmp_path, text))
    notes = found.groupby("output")["note"].first()
    assert notes.to_dict() == {"w": "", "y": "undefined at some points", "z": "the same at every point"}
    assert found[found["output"] != "w"]["mu_star"].isna().all()
    np.testing.assert_allclose(found[found["output"] == "w"]["mu_star"], [1.0, 0.0], atol=1e-12)
