"""Sweeps: the study file, the design, evaluation into a tidy table, resuming, failing points.

Most tests drive the pipeline with plain functions (``tests/sweep_models.py``) so they check the
sweep, not the engine; a few run the engine on a few thousand workers a point.
"""
import numpy as np
import pandas as pd
import pytest

import sim
import sweep_models
from conftest import BASELINE
from sim import engine, executors, split
from sim.cli import main
from sim.config import ConfigError
from sim.design import design, run_seed
from sim.study import load_study
from sim.sweep import PointsFailed, evaluate, sweep

SERIAL = executors.Serial()


def write_study(folder, text: str, name: str = "study.toml"):
    path = folder / name
    path.write_text(text)
    return path


LINEAR = """
model = "sweep_models:linear"
outputs = ["y", "z"]
monthly = ["series"]
[design]
kind = "lhs"
points = 20
seed = 7
[uncertainties]
a = { low = 0.0, high = 1.0 }
b = { dist = "triangular", low = -1.0, mode = 0.0, high = 2.0 }
"""


def test_each_row_holds_the_models_outputs_at_its_inputs(tmp_path):
    table = evaluate(load_study(write_study(tmp_path, LINEAR)), executor=SERIAL, progress=False)
    assert list(table.columns[:6]) == ["point", "point_id", "replication", "seed", "a", "b"]
    assert len(table) == 20 and table["point"].tolist() == list(range(20))
    np.testing.assert_array_equal(table["y"], 1.0 + 2.0 * table["a"] - 3.0 * table["b"])
    np.testing.assert_array_equal(table["z"], table["a"] * table["b"])


def test_a_latin_hypercube_puts_one_point_in_each_of_n_equal_slices_of_every_input(tmp_path):
    points = design(load_study(write_study(tmp_path, LINEAR)))
    n = len(points)
    slices = np.floor(points["a"].to_numpy() * n).astype(int)  # a ~ uniform(0, 1)
    assert sorted(slices) == list(range(n))
    b = points["b"].to_numpy()  # triangular(-1, 0, 2): its CDF maps each point to its slice
    cdf = np.where(b < 0, (b + 1) ** 2 / 3, 1 - (2 - b) ** 2 / 6)
    assert sorted(np.floor(cdf * n).astype(int)) == list(range(n))


def test_the_design_is_the_same_for_the_same_study_and_changes_with_its_seed(tmp_path):
    first = design(load_study(write_study(tmp_path, LINEAR)))
    pd.testing.assert_frame_equal(first, design(load_study(write_study(tmp_path, LINEAR))))
    other = design(load_study(write_study(tmp_path, LINEAR.replace("seed = 7", "seed = 8"), "other.toml")))
    assert not np.array_equal(first["a"], other["a"])
    assert first["point_id"].is_unique and not set(first["point_id"]) & set(other["point_id"])


def test_a_sobol_design_is_balanced_and_needs_a_power_of_two_points(tmp_path):
    points = design(load_study(write_study(tmp_path, LINEAR.replace('"lhs"', '"sobol"').replace("20", "16"))))
    halves = np.floor(points["a"].to_numpy() * 2)  # a scrambled Sobol' net: each half holds half the points
    assert (halves == 0).sum() == 8
    with pytest.raises(ConfigError, match="design.points: a Sobol' design needs a power of 2 points"):
        load_study(write_study(tmp_path, LINEAR.replace('"lhs"', '"sobol"'), "bad.toml"))


def test_a_grid_crosses_evenly_spaced_values_and_levers_cross_the_design(tmp_path):
    text = """
model = "sweep_models:linear"
outputs = ["y"]
[design]
kind = "grid"
points = 3
[uncertainties]
a = { low = 0.0, high = 1.0 }
[levers]
b = [10, 20]
"""
    points = design(load_study(write_study(tmp_path, text)))
    assert points[["a", "b"]].values.tolist() == [[0.0, 10], [0.0, 20], [0.5, 10], [0.5, 20], [1.0, 10], [1.0, 20]]


def test_replication_r_has_the_same_seed_at_every_point(tmp_path):
    text = """
model = "sweep_models:seeded"
outputs = ["y", "seed_seen"]
[design]
replications = 3
seed = 5
[levers]
x = [1.0, 2.0, 3.0]
"""
    table = evaluate(load_study(write_study(tmp_path, text)), executor=SERIAL, progress=False)
    seeds = table.pivot(index="point", columns="replication", values="seed")
    assert (seeds.nunique(axis=0) == 1).all() and seeds.iloc[0].nunique() == 3
    assert seeds.iloc[0].tolist() == [run_seed(5, r) for r in range(3)]
    np.testing.assert_array_equal(table["seed_seen"], table["seed"] % 1000)


ENGINE = f"""
base = "{BASELINE}"
workers = 3000
outputs = ["state_revenue_usd_per_year", "cash_home_usd.p50", "share_worse_off_than_home"]
monthly = ["to_state_usd"]
[design]
replications = 2
seed = 3
[levers]
"timeline.quota_multiplier" = [1.0, 1.2]
"""


def test_an_engine_point_is_the_base_scenario_with_its_inputs_set_run_with_the_replications_seed(tmp_path):
    table = evaluate(load_study(write_study(tmp_path, ENGINE)), executor=SERIAL, progress=False)
    for row in table.itertuples():
        scenario = sim.load_config(BASELINE, [f"timeline.quota_multiplier={row[5]!r}"])
        result = sim.run(scenario, seed=run_seed(3, row.replication), workers=3000, progress=False)
        summary = result.summary_dict
        assert row.state_revenue_usd_per_year == summary["state_revenue_usd_per_year"]["mean"]
        assert row[7] == summary["cash_home_usd"]["p50"]
        assert row.share_worse_off_than_home == summary["share_worse_off_than_home"]
        np.testing.assert_array_equal(table["to_state_usd"][row.Index], result.monthly["to_state_usd"])


def stop_at(x):
    sweep_models.INTERRUPT_AT = x


STOPPABLE = """
model = "sweep_models:stoppable"
outputs = ["y"]
[design]
replications = 2
[levers]
x = [0, 1, 2, 3, 4, 5]
"""


def test_a_resumed_sweep_ends_with_the_table_of_an_uninterrupted_one(tmp_path):
    study = load_study(write_study(tmp_path, STOPPABLE))
    whole = sweep(study, out=tmp_path / "whole", executor=SERIAL, progress=False)
    stop_at(3)
    try:
        with pytest.raises(KeyboardInterrupt):
            sweep(study, out=tmp_path / "cut", executor=SERIAL, progress=False)
    finally:
        stop_at(None)
    [directory] = (tmp_path / "cut").iterdir()
    finished = {path.name: path.stat().st_ino for path in (directory / "points").iterdir()}
    assert len(finished) == 6  # points 0, 1, 2 at both replications, each file whole
    assert not (directory / "table.parquet").exists()
    resumed = sweep(study, executor=SERIAL, resume=directory, progress=False)
    assert resumed.directory == directory
    kept = {path.name: path.stat().st_ino for path in (directory / "points").iterdir()}
    assert len(kept) == 12 and all(kept[name] == inode for name, inode in finished.items())  # not run again
    pd.testing.assert_frame_equal(resumed.table, whole.table)
    pd.testing.assert_frame_equal(pd.read_parquet(directory / "table.parquet"),
                                  pd.read_parquet(whole.directory / "table.parquet"))


def test_resuming_refuses_a_directory_of_another_study(tmp_path):
    first = sweep(load_study(write_study(tmp_path, STOPPABLE)), out=tmp_path, executor=SERIAL, progress=False)
    other = load_study(write_study(tmp_path, STOPPABLE.replace("5]", "6]"), "other.toml"))
    with pytest.raises(ConfigError, match="was made by another study"):
        sweep(other, executor=SERIAL, resume=first.directory, progress=False)


FAILING = """
model = "sweep_models:failing"
outputs = ["y"]
[levers]
x = [0, 1, 2, 3]
"""


def test_a_failing_point_is_reported_with_its_inputs_and_the_others_complete(tmp_path):
    result = sweep(load_study(write_study(tmp_path, FAILING)), out=tmp_path, executor=SERIAL, progress=False)
    assert result.table["x"].tolist() == [0, 1, 3]
    assert result.table["y"].tolist() == [0.0, 1.0, 9.0]
    failures = pd.read_csv(result.directory / "failures.csv")
    assert failures[["point", "x"]].values.tolist() == [[2, 2]]
    assert failures["error"].iloc[0] == "ValueError: no solution at x = 2"
    with pytest.raises(PointsFailed) as raised:
        evaluate(result.study, executor=SERIAL, progress=False)
    assert raised.value.table["x"].tolist() == [0, 1, 3]


@pytest.mark.parametrize(("line", "message"), [
    ('outputs = ["state_revenue"]', "outputs: 'state_revenue' is not a figure of the run"),
    ('monthly = ["to_state"]', "monthly: 'to_state' is not a figure of the run"),
    ('outputs = []', "outputs: List should have at least 1 item"),
    ('[uncertainties]\n"skim.share" = { low = 0.3, high = 0.1 }', "uncertainties.skim.share: low (0.3) is above high"),
    ('[uncertainties]\n"skim.share" = 0.2', "uncertainties.skim.share: "),
    ('[levers]\n"timeline.quota_multiplier" = []', "levers.timeline.quota_multiplier: List should have at least 1"),
    ('[design]\nkind = "random"', "design.kind: Input should be 'lhs', 'sobol' or 'grid'"),
    ('[design]\npoints = 4', "design.points: there are no uncertainties to sample"),
    ('model = "sweep_models:nothing"', "name either base"),
    ('colour = "red"', "colour: unknown key"),
])
def test_a_bad_study_is_refused_naming_the_file_and_key(tmp_path, line, message):
    text = f'base = "{BASELINE}"\noutputs = ["state_revenue_usd_per_year"]\n' if "outputs" not in line else f'base = "{BASELINE}"\n'
    path = write_study(tmp_path, text + line + "\n")
    with pytest.raises(ConfigError) as raised:
        load_study(path)
    assert any(problem.startswith(f"{path}: ") and message in problem for problem in raised.value.problems), \
        raised.value.problems


def test_a_point_whose_scenario_is_refused_names_the_point_and_key_before_anything_runs(tmp_path):
    text = ENGINE.replace("[1.0, 1.2]", "[1.0, -1.0]").replace("[levers]", '[uncertainties]\n"skim.shar" = { low = 0.1, high = 0.2 }\n[levers]')
    text = text.replace("[design]\nreplications = 2", "[design]\npoints = 2\nreplications = 2")
    with pytest.raises(ConfigError) as raised:
        sweep(load_study(write_study(tmp_path, text)), out=tmp_path / "out", executor=SERIAL, progress=False)
    assert "point 0" in raised.value.problems[0] and "skim.shar: unknown key (set by the study)" in raised.value.problems[0]
    assert not (tmp_path / "out").exists()


def test_the_table_is_bit_identical_whichever_executor_runs_it(tmp_path):
    study = load_study(write_study(tmp_path, ENGINE))
    serial = sweep(study, out=tmp_path / "serial", executor=SERIAL, progress=False)
    with executors.Processes(2) as pool:
        pooled = sweep(study, out=tmp_path / "pool", executor=pool, progress=False)
    with executors.Dask(local=2) as dask:
        distributed = sweep(study, out=tmp_path / "dask", executor=dask, progress=False)
    for other in (pooled, distributed):
        pd.testing.assert_frame_equal(other.table, serial.table, check_exact=True)
        pd.testing.assert_frame_equal(other.monthly, serial.monthly, check_exact=True)
        assert (other.directory / "table.parquet").read_bytes() == (serial.directory / "table.parquet").read_bytes()


def test_sim_sweep_prints_the_points_and_exits_1_when_a_run_failed(tmp_path, capsys):
    path = write_study(tmp_path, FAILING)
    status = main(["sweep", str(path), "--processes", "1", "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert status == 1
    assert "4 points x 1 replication(s), 3 runs finished, 1 failed" in out
    assert "point 2 (id " in err and "ValueError: no solution at x = 2" in err and "failures.csv" in err
    [directory] = (tmp_path / "out").iterdir()
    assert f"results: {directory}" in out


def test_sim_sweep_refuses_a_bad_study_with_status_2_and_writes_nothing(tmp_path, capsys):
    path = write_study(tmp_path, FAILING.replace('["y"]', '["y"]\nworkers = 10'))
    assert main(["sweep", str(path), "--processes", "1", "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == f"error: {path}: workers: only a study with a base scenario simulates workers\n"
    assert not (tmp_path / "out").exists()


def test_a_run_split_into_parts_across_processes_equals_the_run_in_one_process(baseline):
    whole = engine.simulate(baseline, seed=11, workers=50_000)
    with executors.Processes(2) as pool:
        joined = split.simulate(baseline, pool, seed=11, workers=50_000, part_slots=16_384)  # 4 parts
    for name in (*split.SUMMED, "chunk_sumsq"):
        np.testing.assert_array_equal(getattr(joined, name), getattr(whole, name), err_msg=name)
    assert joined.state_revenue_sumsq_usd2 == whole.state_revenue_sumsq_usd2
    assert joined.managers_revenue_sumsq_usd2 == whole.managers_revenue_sumsq_usd2
    assert joined.n_slots == whole.n_slots == 50_000


def test_parts_start_on_chunk_boundaries_and_cover_every_slot_once():
    assert split.parts(50_000, 16_384) == [(0, 16_384), (16_384, 16_384), (32_768, 16_384), (49_152, 848)]
    assert split.parts(50_000, 20_000) == [(0, 32_768), (32_768, 17_232)]
    assert split.parts(100, 1) == [(0, 100)]


def test_a_sweep_of_a_soviet_base_labels_its_money_in_roubles(tmp_path, monkeypatch):
    """configs/soviet.toml counts in Soviet roubles: the figures' axes say SUR m, never USD."""
    from sim import sweep_plots

    drawn = []
    monkeypatch.setattr(sweep_plots, "save", lambda figure, path: drawn.append(figure) or path)
    text = ENGINE.replace(str(BASELINE), str(BASELINE.parent / "soviet.toml")).replace("workers = 3000", "workers = 1000")
    sweep(load_study(write_study(tmp_path, text)), out=tmp_path / "out", executor=SERIAL, progress=False)
    labels = [label.get_text() for figure in drawn for ax in figure.axes for label in (ax.xaxis.label, ax.yaxis.label)]
    assert len(drawn) == 3 and "state_revenue_usd_per_year (SUR m)" in labels
    assert not [label for label in labels if "USD" in label]
