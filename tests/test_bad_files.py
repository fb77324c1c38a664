"""A bad seeds file or output folder is found before simulating: exit 2, one line naming the path,
and no folder left behind."""
import os
from pathlib import Path

import pytest
from bad_input import (
    BASELINE_TEXT,
    TINY,
    assert_nothing_written,
    edited,
    error_lines,
    write,
)

from sim.cli import main
from sim.config import ConfigError

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


