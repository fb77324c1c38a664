"""Shared by the bad-input tests: the baseline as text and data, and what a refused run must (not)
leave behind. (The ``configs`` and ``out`` folders are fixtures in conftest.)"""
import tomllib
from pathlib import Path

from conftest import BASELINE

BASELINE_TEXT = BASELINE.read_text()
BASELINE_DICT = tomllib.loads(BASELINE_TEXT)
TINY = "2000"  # simulated workers for the runs that are meant to succeed


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


