"""What runs leave on disk: nothing half-done after Ctrl-C or a kill, safe folder names.

The interrupted and killed runs are real ``sim run`` child processes working on
a job too large to finish (a billion workers over a year), stopped once their
scratch folder shows they are simulating.
"""
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import BASELINE
from sim import plots, scratch
from sim.cli import main

TINY = "2000"
ENDLESS = ["--workers", "1000000000", "--set", "simulation.horizon_months=12", "--keep-workers"]
"""Arguments of a run that would take hours; with --keep-workers it streams records to a scratch folder."""
CHILD = "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); " \
        "from sim.cli import main; sys.exit(main())"
"""``sim run`` as a child that turns SIGINT into KeyboardInterrupt even if started with SIGINT ignored."""
WAIT_SECONDS = 120.0
SEEDS_BESIDE_THE_REPOSITORY = f'\n[calibration]\nseeds_file = "{BASELINE.parent.parent / "seeds" / "figures.toml"}"\n'
"""Appended to a copy of the baseline written elsewhere, so its seeds file is still found."""


def start(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", CHILD, "run", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def wait_for(find, child: subprocess.Popen):
    """Poll ``find()`` until it returns something true while ``child`` runs; return that."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        assert child.poll() is None, child.communicate()
        found = find()
        if found:
            return found
        time.sleep(0.1)
    child.kill()
    raise AssertionError(f"still waiting after {WAIT_SECONDS} s")


def wait_for_records(folder: Path, child: subprocess.Popen) -> Path:
    """Wait until ``child`` has streamed 100 kB of worker records into a scratch folder in ``folder``
    (more than a run of a few thousand workers writes); return that scratch folder."""
    def streaming():
        files = [path for path in folder.glob(".workers-*/workers.parquet") if _size(path) > 100_000]
        return files[0].parent if files else None

    return wait_for(streaming, child)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # its run just ended
        return 0


def hidden(folder: Path) -> list[Path]:
    return [path for path in folder.iterdir() if path.name.startswith(".")]


# --------------------------------------------------------------------------- Ctrl-C and kill

def test_ctrl_c_prints_one_line_exits_130_and_leaves_nothing(tmp_path):
    out = tmp_path / "out"
    child = start(BASELINE, *ENDLESS, "--out", out)
    wait_for_records(out, child)
    child.send_signal(signal.SIGINT)
    stdout, stderr = child.communicate(timeout=WAIT_SECONDS)
    assert child.returncode == 130, stderr
    assert stderr == "interrupted\n"
    assert not out.exists()  # the scratch folder, and the output folder made for this run, are gone


@pytest.fixture
def three_configs(tmp_path):
    """A quick scenario, an endless one, and one more: a batch that Ctrl-C will stop in the middle."""
    text = BASELINE.read_text() + SEEDS_BESIDE_THE_REPOSITORY
    paths = []
    for name, workers in (("quick", 2_000), ("endless", 1_000_000_000), ("after", 2_000)):
        path = tmp_path / f"{name}.toml"
        path.write_text(text.replace("workers = 200_000", f"workers = {workers}", 1)
                        .replace("horizon_months = 120", "horizon_months = 12", 1))
        paths.append(path)
    return paths


def test_an_interrupted_batch_writes_the_index_of_what_finished(tmp_path, three_configs):
    out = tmp_path / "out"
    child = start(*three_configs, "--keep-workers", "--out", out)
    [quick] = wait_for(lambda: list(out.glob("batch-*/quick-*")), child)
    batch = quick.parent
    wait_for_records(batch, child)
    child.send_signal(signal.SIGINT)
    _, stderr = child.communicate(timeout=WAIT_SECONDS)
    assert child.returncode == 130 and stderr.endswith("interrupted\n"), stderr
    index = pd.read_csv(batch / "index.csv")
    assert index["config"].tolist() == [str(path) for path in three_configs]
    assert index["status"].tolist() == ["ok", "interrupted", "not run"]
    assert (batch / index.loc[0, "results"] / "summary.json").exists()
    assert hidden(batch) == [] and hidden(out) == []


def test_the_next_run_removes_what_a_killed_run_left_but_not_what_a_live_one_uses(tmp_path):
    out = tmp_path / "out"
    child = start(BASELINE, *ENDLESS, "--out", out)
    leftover = wait_for_records(out, child)
    child.kill()
    child.communicate()
    assert json.loads((leftover / scratch.MARKER).read_text())["pid"] == child.pid
    live = scratch.make(out, prefix=".workers-")  # this test's own process: alive
    fresh = out / ".something.partial"  # no marker, but new: perhaps a run that just began
    fresh.mkdir()

    assert main(["run", str(BASELINE), "--workers", TINY, "--out", str(out)]) == 0
    assert sorted(hidden(out)) == sorted([live, fresh])


# --------------------------------------------------------------------------- which leftovers are dead

def marker_dir(parent: Path, name: str, owner) -> Path:
    folder = parent / name
    folder.mkdir()
    (folder / scratch.MARKER).write_text(owner if isinstance(owner, str) else json.dumps(owner))
    return folder


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_are_removed_only_when_their_owner_is_gone(tmp_path):
    me = scratch._this_process()
    long_ago = time.time() - scratch.STALE_SECONDS - 60
    kept = [
        marker_dir(tmp_path, ".workers-live", me),
        marker_dir(tmp_path, ".run.live.partial", me),
        marker_dir(tmp_path, ".workers-elsewhere", {**me, "host": "another-machine", "pid": dead_pid()}),
        marker_dir(tmp_path, ".workers-unreadable", "{not json"),  # unreadable but new
        marker_dir(tmp_path, "results-not-ours", {**me, "pid": dead_pid()}),  # not a name we use
        marker_dir(tmp_path, ".git", {**me, "pid": dead_pid()}),
    ]
    removed = [
        marker_dir(tmp_path, ".workers-dead", {**me, "pid": dead_pid()}),
        marker_dir(tmp_path, ".run.dead.partial", {**me, "pid": dead_pid()}),
        marker_dir(tmp_path, ".workers-reused-pid", {**me, "started": (me["started"] or 0) + 1}),
        marker_dir(tmp_path, ".workers-old-unreadable", "{not json"),
        tmp_path / ".index.csv.old.partial",
    ]
    removed[-1].write_text("half an index")
    for path in removed[-2:]:
        os.utime(path, (long_ago, long_ago))
    if me["started"] is None:  # no /proc: a reused PID cannot be told apart
        kept.append(removed.pop(2))
    assert sorted(scratch.remove_dead(tmp_path)) == sorted(removed)
    assert sorted(tmp_path.iterdir()) == sorted(kept)


def test_a_finished_run_holds_no_marker(tmp_path):
    assert main(["run", str(BASELINE), "--workers", TINY, "--out", str(tmp_path)]) == 0
    [run] = tmp_path.iterdir()
    assert not (run / scratch.MARKER).exists()


# --------------------------------------------------------------------------- folder names

@pytest.mark.parametrize("stem", [
    pytest.param("x" * 240, id="240 characters"),
    pytest.param("a$\\foo$b", id="maths text"),
    pytest.param(".hidden", id="leading dot"),
    pytest.param("my scenario (v2)", id="spaces and brackets"),
])
def test_run_folder_names_are_safe_whatever_the_config_is_called(tmp_path, capsys, stem):
    config = tmp_path / f"{stem}.toml"
    config.write_text(BASELINE.read_text() + SEEDS_BESIDE_THE_REPOSITORY)
    out = tmp_path / "out"
    assert main(["run", str(config), "--workers", TINY, "--set", "simulation.horizon_months=12",
                 "--out", str(out)]) == 0, capsys.readouterr().err
    [run] = out.iterdir()
    assert re.fullmatch(r"[A-Za-z0-9_][\w.-]*-seed\d+", run.name), run.name
    assert len(run.name) < 120
    assert {path.name for path in run.glob("*.png")} == {"state_revenue.png", "household_outcomes.png",
                                                         "calibration.png", "flows.png", "tuning_scan.png"}


@pytest.mark.parametrize(("value", "text"), [(None, "n/a"), (math.nan, "n/a"), (1234.5, "1,234"), (0.1234, "0.123")])
def test_numbers_on_plots_say_n_a_when_undefined(value, text):
    assert plots.number(value) == text
