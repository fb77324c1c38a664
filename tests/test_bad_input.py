"""Bad input is refused at the edge: one clear error naming the file and the
dotted key path, exit status 2, and nothing written.

Each bad scenario is the baseline with one thing changed, edited as TOML text
(there is no TOML writer installed, and text edits can also break the syntax).
The CLI runs in-process through :func:`sim.cli.main`.
"""
import json

import pandas as pd
import pytest
from bad_input import (
    BASELINE_TEXT,
    TINY,
    assert_nothing_written,
    edited,
    error_lines,
    run_dirs,
    write,
)

from sim.cli import main

# --------------------------------------------------------------------------- one bad thing each

# (id, old text, new text, dotted key path the error must name, words the message must contain)
BAD_EDITS = [
    ("unknown key",
     "free_mover_share = 0.3", "free_mover_share = 0.3\nbribe_usd_extra = 5",
     "destinations.russia.bribe_usd_extra", "unknown key"),
    ("unknown section",
     "[home]", "[homes]\nwage_usd_per_month = 60\n\n[home]",
     "homes", "unknown key"),
    ("wrong type, string for int",
     "horizon_months = 120", 'horizon_months = "120"',
     "simulation.horizon_months", "integer"),
    ("wrong type, float for int",
     "horizon_months = 120", "horizon_months = 120.5",
     "simulation.horizon_months", "integer"),
    ("wrong type, bool for share",
     "free_mover_share = 0.3", "free_mover_share = true",
     "destinations.russia.free_mover_share", "number"),
    ("wrong type, bad literal",
     'mode = "stock"', 'mode = "flow"',
     "simulation.mode", "stock"),
    ("low > high, uniform",
     "low = 500, high = 700", "low = 700, high = 500",
     "destinations.russia.bribe_usd", "above high"),
    ("low > high, discrete uniform",
     "low = 24, high = 36", "low = 36, high = 24",
     "destinations.russia.contract_months", "above high"),
    ("low > high, pert",
     "low = 0.03, mode = 0.10, high = 0.25", "low = 0.25, mode = 0.10, high = 0.03",
     "skim.share", "above high"),
    ("share above 1",
     "idle_probability_per_month = 0.06", "idle_probability_per_month = 1.5",
     "regimes.free.idle_probability_per_month", "1"),
    ("share below 0",
     "free_mover_share = 0.3", "free_mover_share = -0.1",
     "destinations.russia.free_mover_share", "0"),
    ("share distribution above 1",
     'share = { dist = "pert", low = 0.03, mode = 0.10, high = 0.25 }', "share = 1.5",
     "skim.share", "[0, 1]"),
    ("negative horizon",
     "horizon_months = 120", "horizon_months = -5",
     "simulation.horizon_months", "greater than 0"),
    ("negative contract months",
     "low = 24, high = 36", "low = -3, high = 36",
     "destinations.russia.contract_months", "months"),
    ("skill shares not summing to 1",
     "share = 0.3\nwage_multiplier = 1.2", "share = 0.4\nwage_multiplier = 1.2",
     "skills", "sum to 1"),
    ("destination shares not summing to 1",
     "share = 1.0\n", "share = 0.9\n",
     "destinations", "sum to 1"),
]


@pytest.mark.parametrize(("old", "new", "key", "words"), [case[1:] for case in BAD_EDITS],
                         ids=[case[0] for case in BAD_EDITS])
def test_bad_value_one_error_naming_file_and_key(configs, out, capsys, old, new, key, words):
    bad = write(configs, edited(old, new))
    status = main(["run", str(bad), "--workers", TINY, "--out", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr
    # "<file>: <dotted.key>: <message>", the key path exact, not a parent or "(top level)"
    assert lines[0].startswith(f"error: {bad}: {key}: "), stderr
    assert words in lines[0], stderr
    assert_nothing_written(out)


@pytest.mark.parametrize(("old", "new", "key"), [
    pytest.param('bribe_usd = { dist = "uniform", low = 500, high = 700 }', "bribe_usd = nan",
                 "destinations.russia.bribe_usd", id="nan amount"),
    pytest.param('bribe_usd = { dist = "uniform", low = 500, high = 700 }', "bribe_usd = inf",
                 "destinations.russia.bribe_usd", id="inf amount"),
    pytest.param("low = 500, high = 700", "low = nan, high = nan",
                 "destinations.russia.bribe_usd", id="nan uniform bounds"),
    pytest.param('share = { dist = "pert", low = 0.03, mode = 0.10, high = 0.25 }', "share = nan",
                 "skim.share", id="nan share distribution"),
    pytest.param("range90 = [800, 1250]", "range90 = [800, inf]",
                 "destinations.russia.earning_capacity_usd_per_month", id="inf lognormal range"),
    pytest.param("free_mover_share = 0.3", "free_mover_share = nan",
                 "destinations.russia.free_mover_share", id="nan plain share"),
])
def test_non_finite_numbers_are_refused(configs, out, capsys, old, new, key):
    bad = write(configs, edited(old, new))
    status = main(["run", str(bad), "--workers", TINY, "--out", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    assert f"{bad}: {key}" in stderr
    assert_nothing_written(out)


def test_missing_file(configs, out, capsys):
    missing = configs / "no-such-scenario.toml"
    assert main(["run", str(missing), "--out", str(out)]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert lines == [f"error: {missing}: file not found"]
    assert_nothing_written(out)


@pytest.mark.parametrize("new", [
    pytest.param("horizon_months = = 120", id="double equals"),
    pytest.param("horizon_months = 120\nhorizon_months = 60", id="duplicate key"),
    pytest.param("horizon_months = [120", id="unclosed array"),
])
def test_invalid_toml_syntax(configs, out, capsys, new):
    bad = write(configs, edited("horizon_months = 120", new))
    assert main(["run", str(bad), "--out", str(out)]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1
    assert lines[0].startswith(f"error: {bad}: invalid TOML: ")
    assert "line" in lines[0]  # says where
    assert_nothing_written(out)


def test_undecodable_bytes(configs, out, capsys):
    bad = configs / "bad.toml"
    bad.write_bytes(BASELINE_TEXT.encode().replace(b"# Baseline", b"# \xff\xfe Baseline", 1))
    assert main(["run", str(bad), "--out", str(out)]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and lines[0].startswith(f"error: {bad}: invalid TOML")
    assert_nothing_written(out)


@pytest.mark.parametrize("text", [
    pytest.param(BASELINE_TEXT + "\nhuge = " + "1" * 5000 + "\n", id="integer over 4300 digits"),
    pytest.param(BASELINE_TEXT + "\ndeep = " + "[" * 5000 + "]" * 5000 + "\n", id="arrays nested 5000 deep"),
])
def test_pathological_toml_is_a_config_error(configs, out, capsys, text):
    bad = write(configs, text)
    assert main(["run", str(bad), "--workers", TINY, "--out", str(out)]) == 2
    stderr = capsys.readouterr().err
    assert f"error: {bad}" in stderr
    assert_nothing_written(out)


# --------------------------------------------------------------------------- --set and --workers

def run_good_with_set(configs, out, capsys, override):
    """``sim run`` of the baseline with one ``--set``: assert exit 2 and nothing written;
    return (the config path, stderr, its error lines)."""
    good = write(configs, BASELINE_TEXT, "good.toml")
    status = main(["run", str(good), "--workers", TINY, "--out", str(out), "--set", override])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    assert_nothing_written(out)
    return good, stderr, error_lines(stderr)


@pytest.mark.parametrize("value", [
    pytest.param("1" * 5000, id="integer over 4300 digits"),
    pytest.param("[" * 5000 + "]" * 5000, id="arrays nested 5000 deep"),
])
def test_pathological_set_value_is_a_config_error(configs, out, capsys, value):
    _, stderr, _ = run_good_with_set(configs, out, capsys, f"simulation.seed={value}")
    assert "simulation.seed" in stderr


@pytest.mark.parametrize(("override", "key"), [
    ("skim.shar=0.2", "skim.shar"),
    ("simulation.horizon=60", "simulation.horizon"),
    ("skimm.share=0.2", "skimm"),
    ("skim.share.value=0.2", "skim.share.value"),
])
def test_set_unknown_key(configs, out, capsys, override, key):
    good, stderr, lines = run_good_with_set(configs, out, capsys, override)
    assert lines == [f"error: {good}: {key}: unknown key (set with --set)"], stderr


@pytest.mark.parametrize(("override", "key"), [
    ("skim.share=1.5", "skim.share"),
    ("simulation.horizon_months=abc", "simulation.horizon_months"),
    ("simulation.workers=0", "simulation.workers"),
])
def test_set_bad_value(configs, out, capsys, override, key):
    good, stderr, lines = run_good_with_set(configs, out, capsys, override)
    assert len(lines) == 1 and lines[0].startswith(f"error: {good}: {key}: "), stderr


def test_set_without_equals(configs, out, capsys):
    good = write(configs, BASELINE_TEXT, "good.toml")
    assert main(["run", str(good), "--out", str(out), "--set", "skim.share"]) == 2
    lines = error_lines(capsys.readouterr().err)
    assert len(lines) == 1 and "expected dotted.key=value" in lines[0]
    assert_nothing_written(out)


@pytest.mark.parametrize("workers", ["0", "-5", "-1", "many", "2.5"])
def test_workers_not_positive_whole_number(configs, out, capsys, workers):
    good = write(configs, BASELINE_TEXT, "good.toml")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", str(good), "--workers", workers, "--out", str(out)])
    assert exit_info.value.code == 2
    stderr = capsys.readouterr().err
    assert "--workers" in stderr
    assert ("must be between 1 and" in stderr) if workers.lstrip("-").isdigit() else ("whole number" in stderr)
    assert_nothing_written(out)


# --------------------------------------------------------------------------- sim validate

def test_validate_reports_every_problem_at_once(configs, capsys):
    text = edited("free_mover_share = 0.3", "free_mover_share = 0.3\ncolour = \"red\"")
    text = text.replace("idle_probability_per_month = 0.06", "idle_probability_per_month = 1.5", 1)
    bad = write(configs, text)
    assert main(["validate", str(bad)]) == 2
    captured = capsys.readouterr()
    lines = error_lines(captured.err)
    assert len(lines) == 2, captured.err
    assert f"error: {bad}: destinations.russia.colour: unknown key" in lines
    assert any(line.startswith(f"error: {bad}: regimes.free.idle_probability_per_month: ") for line in lines)
    assert "valid" not in captured.out


def test_validate_good_and_bad_files(configs, capsys):
    good = write(configs, BASELINE_TEXT, "good.toml")
    bad = write(configs, edited("horizon_months = 120", "horizon_months = -5"))
    assert main(["validate", str(good), str(bad)]) == 2
    captured = capsys.readouterr()
    assert f"# {good}: valid" in captured.out
    assert str(bad) not in captured.out
    [line] = error_lines(captured.err)
    assert line.startswith(f"error: {bad}: simulation.horizon_months: ")


def test_validate_good_file(configs, capsys):
    good = write(configs, BASELINE_TEXT, "good.toml")
    assert main(["validate", str(good), "--set", "skim.share=0.2"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    resolved = json.loads(captured.out.split("\n", 1)[1])
    assert resolved["skim"]["share"] == {"dist": "fixed", "value": 0.2}


# --------------------------------------------------------------------------- good runs

def test_good_run_with_override_records_it_and_never_overwrites(configs, out, capsys):
    good = write(configs, BASELINE_TEXT, "good.toml")
    argv = ["run", str(good), "--set", "skim.share=0.2", "--workers", TINY, "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    [first] = run_dirs(out)
    manifest = json.loads((first / "manifest.json").read_text())
    assert manifest["config"]["skim"]["share"] == {"dist": "fixed", "value": 0.2}
    assert manifest["workers_simulated"] == int(TINY)
    assert manifest["config_file"] == str(good.resolve())
    first_files = {path.name: path.read_bytes() for path in first.iterdir()}

    assert main(argv) == 0, capsys.readouterr().err  # same second, same name: must not overwrite
    directories = run_dirs(out)
    assert len(directories) == 2
    assert first in directories
    assert {path.name: path.read_bytes() for path in first.iterdir()} == first_files
    second = next(path for path in directories if path != first)
    assert json.loads((second / "manifest.json").read_text())["config"]["skim"]["share"]["value"] == 0.2
    assert not [path for path in out.iterdir() if path.name.startswith(".")]  # no partial leftovers


def test_batch_with_a_bad_config_runs_the_good_one(configs, out, capsys):
    good = write(configs, BASELINE_TEXT, "good.toml")
    bad = write(configs, edited("idle_probability_per_month = 0.06", "idle_probability_per_month = 1.5"))
    status = main(["run", str(good), str(bad), "--workers", TINY, "--out", str(out)])
    stderr = capsys.readouterr().err
    assert status == 2, stderr
    [line] = error_lines(stderr)
    assert line.startswith(f"error: {bad}: regimes.free.idle_probability_per_month: ")
    [batch] = run_dirs(out)
    index = pd.read_csv(batch / "index.csv")
    assert index["config"].tolist() == [str(good), str(bad)]
    assert index["status"].tolist() == ["ok", "invalid"]
    assert "regimes.free.idle_probability_per_month" in index.loc[1, "error"]
    [run] = run_dirs(batch)
    assert run.name == index.loc[0, "results"]
    assert (run / "manifest.json").exists() and (run / "summary.json").exists()


