"""Bad input is refused at the edge: one clear error naming the file and the
dotted key path, exit status 2, and nothing written.

Each bad scenario is the baseline with one thing changed, edited as TOML text
(there is no TOML writer installed, and text edits can also break the syntax).
The CLI runs in-process through :func:`sim.cli.main`.
"""
import json
import math
import os
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.config import ConfigError, Scenario, validate
from sim.scenario_file import load_config

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "configs" / "baseline.toml"
BASELINE_TEXT = BASELINE.read_text()
BASELINE_DICT = tomllib.loads(BASELINE_TEXT)
TINY = "2000"  # simulated workers for the runs that are meant to succeed


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def configs(tmp_path):
    """A folder for scenario files laid out like the repository, so the
    default ``calibration.seeds_file = "../seeds/figures.toml"`` resolves."""
    (tmp_path / "seeds").mkdir()
    shutil.copy(REPO / "seeds" / "figures.toml", tmp_path / "seeds" / "figures.toml")
    folder = tmp_path / "configs"
    folder.mkdir()
    return folder


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"


def edited(old: str, new: str) -> str:
    """The baseline text with ``old`` (which must occur in it) replaced once by ``new``."""
    assert old in BASELINE_TEXT, f"the baseline no longer contains {old!r}; update the test"
    return BASELINE_TEXT.replace(old, new, 1)


def write(folder: Path, text: str, name: str = "bad.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def assert_nothing_written(out: Path) -> None:
    """Not even an empty folder is left (``out`` did not exist before)."""
    assert not out.exists(), f"something was written: {out} {list(out.rglob('*'))}"


def run_dirs(out: Path) -> list[Path]:
    return sorted(path for path in out.iterdir() if path.is_dir() and not path.name.startswith("."))


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


# --------------------------------------------------------------------------- the seeds file

def with_seeds(configs: Path, text: str) -> Path:
    """A copy of the baseline whose ``calibration.seeds_file`` is a new seeds file holding ``text``."""
    (configs.parent / "seeds" / "bad-figures.toml").write_text(text)
    return write(configs, BASELINE_TEXT + '\n[calibration]\nseeds_file = "../seeds/bad-figures.toml"\n')


@pytest.fixture
def no_simulation(monkeypatch):
    """Make any simulation fail loudly: the errors under test must come before one starts."""
    def simulate(*args, **kwargs):
        raise AssertionError("simulated although the input is bad")

    monkeypatch.setattr("sim.api.simulate", simulate)


FIGURE = '[[figure]]\nname = "bribe"\nkind = "input"\nlow = 500.0\nhigh = 700.0\n'

# (id, seeds file text, the end of the one error line)
BAD_SEEDS = [
    ("empty file", "", "figure: the file needs at least one [[figure]] table"),
    ("source only", '[source]\ncitation = "someone"\n', "figure: the file needs at least one [[figure]] table"),
    ("figure a string", 'figure = "x"\n', "figure: must be an array of tables ([[figure]])"),
    ("figure a list of numbers", "figure = [1]\n", "figure 1: must be a table"),
    ("no low", FIGURE.replace("low = 500.0\n", ""), "figure 1 ('bribe'): low: required key is missing"),
    ("no high", FIGURE.replace("high = 700.0\n", ""), "figure 1 ('bribe'): high: required key is missing"),
    ("no name", FIGURE + FIGURE.replace('name = "bribe"\n', ""), "figure 2: name: required key is missing"),
    ("low a string", FIGURE.replace("low = 500.0", 'low = "500"'), "figure 1 ('bribe'): low: Input should be a valid number"),
    ("high a bool", FIGURE.replace("high = 700.0", "high = true"), "figure 1 ('bribe'): high: Input should be a valid number"),
    ("name a number", FIGURE.replace('"bribe"', "7"), "figure 1: name: Input should be a valid string"),
    ("low nan", FIGURE.replace("low = 500.0", "low = nan"), "figure 1 ('bribe'): low: Input should be a finite number"),
    ("low above high", FIGURE + FIGURE.replace("low = 500.0", "low = 800.0"),
     "figure 2 ('bribe'): low (800.0) is above high (700.0)"),
    ("unknown key", FIGURE.replace("high", "hgih = 1.0\nhigh"), "figure 1 ('bribe'): hgih: unknown key"),
    ("no kind", FIGURE.replace('kind = "input"\n', ""), "figure 1 ('bribe'): kind: required key is missing"),
    ("tuned by nothing", FIGURE.replace('"input"', '"tuned"'), "figure 1 ('bribe'): a tuned figure names the parameter"),
    ("an unknown kind", FIGURE.replace('"input"', '"guess"'), "figure 1 ('bribe'): kind: Input should be"),
    ("not TOML", "[[figure", "invalid TOML: Expected ']]' at the end of an array declaration"),
]


@pytest.mark.parametrize("command", ["run", "validate"])
@pytest.mark.parametrize(("text", "message"), [case[1:] for case in BAD_SEEDS], ids=[case[0] for case in BAD_SEEDS])
def test_bad_seeds_file_one_error_naming_config_key_and_figure(configs, out, capsys, no_simulation, command,
                                                               text, message):
    bad = with_seeds(configs, text)
    argv = ["run", str(bad), "--workers", TINY, "--out", str(out)] if command == "run" else ["validate", str(bad)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    seeds = configs.parent / "seeds" / "bad-figures.toml"
    [line] = error_lines(captured.err)
    assert line.startswith(f"error: {bad}: calibration.seeds_file: {seeds}: {message}"), line
    assert "valid" not in captured.out
    assert_nothing_written(out)


def test_seeds_file_that_is_a_folder(configs, out, capsys, no_simulation):
    bad = write(configs, BASELINE_TEXT + '\n[calibration]\nseeds_file = "../seeds"\n')
    assert main(["run", str(bad), "--out", str(out)]) == 2
    seeds = configs.parent / "seeds"
    assert error_lines(capsys.readouterr().err) == [
        f"error: {bad}: calibration.seeds_file: {seeds}: is a directory, not a TOML file"]
    assert_nothing_written(out)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_seeds_file(configs, out, capsys, no_simulation):
    bad = with_seeds(configs, FIGURE)
    (configs.parent / "seeds" / "bad-figures.toml").chmod(0)
    assert main(["run", str(bad), "--out", str(out)]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert line.startswith(f"error: {bad}: calibration.seeds_file: ") and "cannot read: " in line
    assert_nothing_written(out)


def test_api_refuses_a_bad_seeds_file_before_simulating(configs, no_simulation):
    import sim

    with pytest.raises(ConfigError, match="calibration.seeds_file: .*figure 1 \\('bribe'\\): low: required"):
        sim.run(with_seeds(configs, FIGURE.replace("low = 500.0\n", "")), workers=10)


def test_a_seeds_file_with_one_good_figure_is_enough(configs, capsys):
    good = with_seeds(configs, FIGURE + '\n[source]\ncitation = "someone"\nyear = 2020\n')
    assert main(["validate", str(good)]) == 0, capsys.readouterr().err


# --------------------------------------------------------------------------- the output folder

@pytest.fixture
def good(configs):
    return write(configs, BASELINE_TEXT, "good.toml")


@pytest.mark.parametrize("several", [False, True], ids=["one config", "batch"])
@pytest.mark.parametrize(("where", "message"), [
    pytest.param("file", "exists and is not a directory", id="a file"),
    pytest.param("file/out", "{tmp_path}/file is not a directory", id="under a file"),
])
def test_output_that_cannot_be_a_folder_is_refused_before_simulating(good, tmp_path, capsys, no_simulation,
                                                                      several, where, message):
    (tmp_path / "file").write_text("x")
    before = sorted(tmp_path.rglob("*"))
    out = tmp_path / where
    status = main(["run", str(good), *([str(good)] if several else []), "--out", str(out)])
    assert status == 2
    assert error_lines(capsys.readouterr().err) == [f"error: {out}: {message.format(tmp_path=tmp_path)}"]
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("below", [False, True], ids=["the folder", "a new folder in it"])
def test_read_only_output_folder_is_refused_before_simulating(good, tmp_path, capsys, monkeypatch, no_simulation,
                                                               below):
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    if os.geteuid() == 0:  # root writes anywhere: let the check see what another user would
        real_access = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != read_only and real_access(path, mode))
    out = read_only / "new" if below else read_only
    assert main(["run", str(good), "--out", str(out)]) == 2
    [line] = error_lines(capsys.readouterr().err)
    assert line.startswith(f"error: {out}: cannot write there") and "permission denied" in line, line
    assert list(read_only.iterdir()) == []


def test_a_run_that_fails_while_simulating_leaves_no_folder(good, tmp_path, capsys, monkeypatch):
    def simulate(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("sim.api.simulate", simulate)
    out = tmp_path / "new" / "out"
    assert main(["run", str(good), "--workers", TINY, "--keep-workers", "--out", str(out)]) == 1
    [line] = error_lines(capsys.readouterr().err)
    assert line == f"error: {good}: OSError: [Errno 28] No space left on device"
    assert not (tmp_path / "new").exists()


def test_a_batch_where_nothing_ran_leaves_no_folder(configs, out, capsys):
    bad = write(configs, edited("horizon_months = 120", "horizon_months = -5"))
    worse = with_seeds(configs, "")
    assert main(["run", str(bad), str(worse), "--workers", TINY, "--out", str(out)]) == 2
    assert len(error_lines(capsys.readouterr().err)) == 2
    assert_nothing_written(out)


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


# --------------------------------------------------------------------------- hypothesis

def _leaf_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaf_paths(child, prefix + (key,))
    elif isinstance(node, list):
        for position, child in enumerate(node):
            yield from _leaf_paths(child, prefix + (position,))
    else:
        yield prefix


LEAVES = list(_leaf_paths(BASELINE_DICT))
SECTIONS = list(BASELINE_DICT) + ["timeline", "calibration"]

scalars = (st.none() | st.booleans() | st.integers() | st.integers(-(2**63), 2**63 - 1)
           | st.floats(allow_nan=True, allow_infinity=True) | st.floats(-2.0, 2.0) | st.text(max_size=20)
           | st.sampled_from(["fixed", "uniform", "pert", "lognormal", "discrete_uniform", "stock", "cohort"]))
json_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(["dist", "low", "high", "mode", "share", "value"]),
                      children, max_size=4),
    max_leaves=25,
)
toml_scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=True, allow_infinity=True)
                | st.floats(-2.0, 2.0) | st.text(max_size=20))


def _with_leaf(raw, path, value):
    raw = json.loads(json.dumps(raw))  # deep copy; the baseline holds only JSON types
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return raw


def _toml_bytes():
    """Bytes that are sometimes TOML: raw bytes, text, and the baseline with a splice."""
    baseline = BASELINE_TEXT.encode()
    spliced = st.tuples(st.integers(0, len(baseline)), st.integers(0, 40), st.binary(max_size=20)).map(
        lambda cut: baseline[: cut[0]] + cut[2] + baseline[cut[0] + cut[1]:])
    return st.binary(max_size=200) | st.text(max_size=200).map(str.encode) | spliced


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_toml_bytes())
def test_loader_raises_only_config_error_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        scenario = load_config(path)
    except ConfigError as error:
        assert error.problems and all(line.startswith(f"{path}: ") for line in error.problems)
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=200, deadline=None)
@given(raw=json_like | st.dictionaries(st.sampled_from(SECTIONS) | st.text(max_size=12), json_like, max_size=6))
def test_validate_raises_only_config_error_on_arbitrary_data(raw):
    with pytest.raises(ConfigError) as error_info:
        validate(raw, "x.toml")
    problems = error_info.value.problems
    assert problems and all(line.startswith("x.toml: ") for line in problems)


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=toml_scalars)
def test_one_mutated_leaf_gives_config_error_or_scenario(path, value):
    try:
        scenario = validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")
    except ConfigError as error:
        assert error.problems and all(line.startswith("x.toml: ") for line in error.problems)
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_one_mutated_leaf_to_nan_or_inf_is_refused(path, value):
    """No NaN or infinity gets past validation to the kernel."""
    with pytest.raises(ConfigError):
        validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")


def _leaves(node):
    if isinstance(node, dict):
        for child in node.values():
            yield from _leaves(child)
    elif isinstance(node, list):
        for child in node:
            yield from _leaves(child)
    else:
        yield node


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=toml_scalars)
def test_one_mutated_leaf_error_names_that_key(path, value):
    """An error caused by changing one value names that key, its table, or a key beside it in that table,
    never just "(top level)"."""
    try:
        validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")
    except ConfigError as error:
        dotted = [str(part) for part in path]
        keys = [line.split(": ", 2)[1] for line in error.problems]
        near = [key for key in keys
                if dotted[: len(key.split("."))] == key.split(".")            # the key or an ancestor
                or key.split(".")[: len(dotted) - 1] == dotted[:-1]]          # inside the same table
        assert near and "(top level)" not in keys, (dotted, error.problems)


def test_every_timeline_lever_is_declared_once_with_its_bounds_and_meaning():
    """A lever is one field of Timeline: its bounds and description come from the declaration,
    and the kernel's timeline arrays are derived from the same fields."""
    from sim.config import Timeline
    from sim.params import TimelineArrays

    assert tuple(Timeline.model_fields) == TimelineArrays._fields
    for name, (low, high) in Timeline.bounds().items():
        assert low < high and Timeline.model_fields[name].description, name
        with pytest.raises(ConfigError, match=f"timeline.{name}"):
            validate({**BASELINE_DICT, "timeline": {name: high * 2 + 1}}, "x.toml")
