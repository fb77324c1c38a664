"""Writing a run to disk: a new directory per run, built aside and renamed into place.

A run never overwrites an earlier one and never leaves half-written results:
files go to a hidden temporary directory beside the target, and only a
complete directory is renamed to its final name.
"""
import json
import os
import platform
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numba
import numpy as np
import pandas as pd
import pydantic

from sim import scratch

NAME_BYTES = 80
"""Longest name :func:`safe_name` returns, in UTF-8 bytes (a run directory adds a time stamp and seed)."""


def git_commit(path: Path) -> str | None:
    """Commit of the git checkout holding ``path`` (suffixed ``-dirty`` if modified), or None."""
    try:
        commit = subprocess.run(["git", "-C", str(path), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=5, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(path), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}-dirty" if dirty else commit


def versions() -> dict:
    from sim import __version__

    return {
        "sim": __version__,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "pandas": pd.__version__,
        "pydantic": pydantic.__version__,
    }


def timestamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")


def safe_name(text: str, max_bytes: int = NAME_BYTES) -> str:
    """``text`` made safe as a directory name: letters, digits, ``.``, ``_`` and ``-`` only.

    Any other run of characters becomes ``_``; dots, dashes and underscores at
    either end are dropped (no hidden directory) and the name is cut to
    ``max_bytes`` of UTF-8, so ``".my scenario (v2)"`` becomes
    ``"my_scenario_v2"``. A name with nothing left is ``"scenario"``.
    """
    name = re.sub(r"[^\w.-]+", "_", text).strip("._-")
    name = name.encode()[:max_bytes].decode(errors="ignore").rstrip("._-")
    return name or "scenario"


def output_problem(directory: Path) -> str | None:
    """Why run directories cannot be written under ``directory``, or None when they can.

    Checks, without creating anything, that ``directory`` is (or can be made as)
    a directory this process may write to.
    """
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return "exists and is not a directory" if existing == directory else f"{existing} is not a directory"
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == directory else f" ({existing})"
        return f"cannot write there{where}: permission denied"
    return None


@contextmanager
def made_directory(path: Path):
    """Make ``path`` and its missing parents for the block; afterwards remove those still empty.

    A run that wrote nothing (bad input, a failure, Ctrl-C) so leaves no empty
    directory behind.
    """
    made = [folder for folder in (path, *path.parents) if not folder.exists()]
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    finally:
        remove_empty(made)


def remove_empty(directories) -> None:
    """Remove each of ``directories`` that is empty, in the order given (deepest first); keep the others."""
    for folder in directories:
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty, or already gone


def claim_directory(parent: Path, name: str) -> Path:
    """Create and return ``parent/name`` (or ``name-2``, ``name-3``, ...), never an existing one."""
    for attempt in range(1, 10_000):
        candidate = parent / (name if attempt == 1 else f"{name}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(f"no free directory name for {name} in {parent}")


def write_atomically(parent, name: str, fill) -> Path:
    """Build a directory with ``fill(tmp_dir)``, then rename it to a new ``parent/name``.

    Returns the final path, whose mode is that of a plain ``mkdir`` (0o777 less
    the umask). If ``fill`` fails, nothing is left behind; if the process is
    killed, the next run removes the hidden directory (see :mod:`sim.scratch`).
    """
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    temporary = scratch.make(parent, prefix=f".{name}.", suffix=".partial")
    try:
        fill(temporary)
        (temporary / scratch.MARKER).unlink()
        final = claim_directory(parent, name)
        os.replace(temporary, final)  # replaces the empty claimed directory
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return final


def write_file_atomically(path: Path, write) -> None:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then rename it to ``path``.

    The file gets the mode a plain ``open`` would give it (0o666 less the umask).
    """
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        scratch.with_umask_permissions(Path(temporary))
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_tables(directory: Path, tables: dict) -> None:
    """Write each DataFrame of ``tables`` (file name -> frame, or None for a table this run does not
    have) into ``directory``: ``.parquet`` or ``.csv`` by its name, without the index."""
    for name, frame in tables.items():
        if frame is None:
            continue
        if name.endswith(".csv"):
            frame.to_csv(directory / name, index=False)
        else:
            frame.to_parquet(directory / name, index=False)


def write_json(path: Path, data) -> None:
    """Write ``data`` as strict JSON: NaN (an undefined figure, e.g. no worker returned) becomes null."""
    path.write_text(json.dumps(_without_nan(data), indent=2, default=_json_default, allow_nan=False) + "\n")


def _without_nan(value):
    if isinstance(value, dict):
        return {key: _without_nan(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_without_nan(item) for item in value]
    if isinstance(value, (float, np.floating)) and not np.isfinite(value):
        return None
    return value


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
