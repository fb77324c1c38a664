"""The ``sim`` command keeps the conventions of Unix tools: ``python -m sim``, ``--version``,
``--quiet``/``--verbose`` through logging, help for every option, modes that respect the umask."""
import argparse
import gc
import os
import stat
import subprocess
import sys
import tomllib

import pytest

from conftest import BASELINE, ROOT
import sim
from sim import scratch
from sim.cli import build_parser, main

QUICK = ["--workers", "300", "--set", "simulation.horizon_months=12"]


def sim_command(*arguments, **options) -> subprocess.CompletedProcess:
    """Run ``python -m sim ARGUMENTS`` from the repository root; the exit status is checked."""
    return subprocess.run([sys.executable, "-m", "sim", *map(str, arguments)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True, **options)


def test_python_dash_m_sim_prints_the_version():
    assert sim_command("--version").stdout == f"sim {sim.__version__}\n"


FREEZE_COUNT_AT_EXIT = ("import atexit, gc, sys; atexit.register(lambda: print('frozen', gc.get_freeze_count())); "
                       "from sim.entry import command; sys.argv[0] = 'sim'; command()")
"""The ``sim`` executable in a child that says, as it exits, how many objects the collector skips."""


@pytest.mark.parametrize(("config", "status"), [(BASELINE, 0), ("missing.toml", 2)])
def test_the_sim_executable_keeps_what_it_imported_from_the_cycle_collector(config, status):
    """``sim`` (:func:`sim.entry.command`) exits with :func:`main`'s status, having frozen the objects
    that live as long as it does (:func:`gc.freeze`); :func:`main`, which tests call, freezes nothing."""
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["sim"] == "sim.entry:command"
    child = subprocess.run([sys.executable, "-c", FREEZE_COUNT_AT_EXIT, "validate", str(config)], cwd=ROOT,
                           capture_output=True, text=True, timeout=300)
    assert child.returncode == status
    assert int(child.stdout.split("frozen ")[-1]) > 0
    frozen = gc.get_freeze_count()
    assert main(["validate", str(BASELINE)]) == 0
    assert gc.get_freeze_count() == frozen


@pytest.mark.parametrize("where", ["before", "after"])
def test_quiet_hides_the_notes_and_keeps_the_results(tmp_path, capsys, where):
    quiet = ["--quiet", "run"] if where == "before" else ["run", "--quiet"]
    assert main([*quiet, str(BASELINE), *QUICK, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "state revenue, USD m per year" in captured.out and "results: " in captured.out


def test_notes_go_to_stderr_and_verbose_adds_debugging_ones(tmp_path, capsys):
    assert main(["run", str(BASELINE), *QUICK, "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("done in ") and "done in" not in captured.out
    assert main(["--verbose", "run", str(BASELINE), *QUICK, "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == f"simulating {BASELINE}" and lines[1].startswith("simulated 300 slots, seed ")
    assert lines[-1].startswith("done in ")


def test_quiet_and_verbose_together_are_refused(capsys):
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["-q", "-v", "validate", str(BASELINE)])
    assert stopped.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def _actions(parser: argparse.ArgumentParser, path: str = "sim"):
    """(command path, action) for every argument of ``parser`` and of its subcommands."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield f"{path} {choice.dest}", choice
            for name, subparser in action.choices.items():
                yield from _actions(subparser, f"{path} {name}")
        yield path, action


def test_every_option_and_subcommand_has_help():
    missing = [f"{path}: {action.dest}" for path, action in _actions(build_parser())
               if not action.help or action.help == argparse.SUPPRESS]
    assert missing == []


@pytest.mark.parametrize(("umask", "directory_mode", "file_mode"), [(0o022, 0o755, 0o644), (0o027, 0o750, 0o640)])
def test_results_are_as_readable_as_the_umask_allows(tmp_path, umask, directory_mode, file_mode):
    out = tmp_path / "out"
    sim_command("--quiet", "run", BASELINE, BASELINE, *QUICK, "--keep-workers", "--out", out, umask=umask)
    (batch,) = out.iterdir()
    runs = [path for path in batch.iterdir() if path.is_dir()]
    assert len(runs) == 2
    for directory in (out, batch, *runs):
        assert stat.S_IMODE(directory.stat().st_mode) == directory_mode, directory
    files = [batch / "index.csv", *(path for run in runs for path in run.iterdir())]
    assert {path.name for path in files} >= {"index.csv", "summary.json", "workers.parquet", "state_revenue.png"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == file_mode, path


def test_the_umask_is_read_from_proc_or_else_by_setting_it_back(monkeypatch):
    def no_proc(path):
        raise OSError("no /proc here")

    previous = os.umask(0o027)
    try:
        assert scratch.umask() == 0o027
        monkeypatch.setattr(scratch.Path, "read_text", no_proc)
        assert scratch.umask() == 0o027
        assert os.umask(0o027) == 0o027  # left as it was
    finally:
        os.umask(previous)


def test_validate_explain_gives_every_key_a_meaning(capsys):
    """``sim validate --explain`` reads the schema: every key of the baseline appears, each with
    what it takes and a meaning, the timeline levers with their bounds."""
    from sim.explain import key_reference

    assert main(["validate", "--explain"]) == 0
    text = capsys.readouterr().out
    rows = key_reference()
    assert [key for key, _, meaning in rows if not meaning] == []
    for key in ("simulation.mode", "destinations.<name>.bribe_usd", "quota.floor_usd_per_month",
                "return.arrears_at_return", "timeline.quota_multiplier"):
        assert key in text
    assert "values in [0, 1000]" in text and "contracts already running included" in text
