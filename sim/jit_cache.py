"""Where Numba keeps sim's compiled code: a directory keyed on the contents of every module.

Numba's on-disk cache (``@njit(cache=True)``) checks only the file that *defines* a cached
function. The kernel in ``sim/kernel.py`` inlines and calls code from ``recruitment.py``,
``sampling.py``, ``packing.py``, ``rng.py`` and ``layout.py``, and freezes the offsets and
column indices those derive from the model table (``schema.py``, ``outputs.py``): after an edit
to one of those, Numba would load the kernel compiled from the old code and run it without a word.

:func:`configure`, called by ``sim/__init__.py`` before any submodule defines a compiled
function, therefore points ``numba.config.CACHE_DIR`` at

    ``$XDG_CACHE_HOME/sim/numba/<install>-<key>``   (``~/.cache`` when XDG_CACHE_HOME is unset)

where ``<key>`` hashes the bytes of every ``sim/*.py`` file with the sim, Numba, NumPy and
Python versions, and ``<install>`` hashes where this copy of the package lives and which
interpreter runs it. An edit to any module gives a new, empty directory (one recompile, about
10 s), and the directories of this install's older keys are deleted, so they do not pile up;
other checkouts and virtual environments keep theirs (entries of any install not used for
:data:`STALE_AFTER_DAYS` are deleted too). Processes running the same code share one directory.

Numba reads ``CACHE_DIR`` when a function is decorated, so the setting holds for every
``cache=True`` function defined after ``import sim`` in this process, the benchmarks' and the
tests' too (they inline sim's random numbers); functions decorated earlier keep their own.

If the user has set a cache directory (``NUMBA_CACHE_DIR``, or ``cache_dir`` in a
``.numba_config.yaml``), it is respected and left alone: invalidating it after an edit is then
the user's business.
"""
import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numba
import numpy

PACKAGE_DIR = Path(__file__).resolve().parent
STALE_AFTER_DAYS = 30
"""An entry of another install untouched this long is deleted (that checkout is likely gone)."""
_ENTRY = re.compile(r"^(?P<install>[0-9a-f]{12})-(?P<key>[0-9a-f]{16})$")
"""The names this module gives its directories; nothing else under the root is ever deleted."""


def cache_key(package_dir: Path = PACKAGE_DIR, version: str = "") -> str:
    """16 hex digits that change whenever any ``*.py`` file of the package or a version changes.

    Hashing the whole package (some 20 small files, about a millisecond) rather than a list of
    the kernel's modules cannot miss a module added later.
    """
    digest = hashlib.sha256()
    for part in (version, numba.__version__, numpy.__version__, sys.version):
        digest.update(part.encode() + b"\0")
    for path in sorted(Path(package_dir).glob("*.py")):
        digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def install_id(package_dir: Path = PACKAGE_DIR, prefix: str = sys.prefix) -> str:
    """12 hex digits naming this copy of the package run by this environment."""
    return hashlib.sha256(f"{Path(package_dir).resolve()}\0{prefix}".encode()).hexdigest()[:12]


def cache_root(environ=os.environ) -> Path:
    """``$XDG_CACHE_HOME/sim/numba``, or ``~/.cache/sim/numba``."""
    base = environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sim" / "numba"


def prune(directory: Path, stale_after_days: float = STALE_AFTER_DAYS) -> list[Path]:
    """Delete the siblings of ``directory`` that this module made for older keys of the same
    install, and those of any install untouched for ``stale_after_days``; return them.

    Only names of this module's scheme are touched. A process still running old code keeps the
    compiled code it has loaded (Numba recreates the directory if it saves more).
    """
    current = _ENTRY.match(directory.name)
    removed = []
    if current is None:
        return removed
    oldest = time.time() - stale_after_days * 86400
    try:
        siblings = list(os.scandir(directory.parent))
    except OSError:
        return removed
    for entry in siblings:
        match = _ENTRY.match(entry.name)
        if match is None or entry.name == directory.name or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            stale = entry.stat(follow_symlinks=False).st_mtime < oldest
        except OSError:
            continue
        if match["install"] == current["install"] or stale:
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _usable(directory: Path) -> bool:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        os.utime(directory)  # marks it as in use for prune()
        return os.access(directory, os.W_OK | os.X_OK)
    except OSError:
        return False


def configure(version: str = "") -> Path | None:
    """Point Numba's cache at this code's keyed directory; return it, or None where the user's
    ``NUMBA_CACHE_DIR`` is respected (or no directory could be written)."""
    if numba.config.CACHE_DIR:
        return None
    name = f"{install_id()}-{cache_key(version=version)}"
    user = getattr(os, "getuid", lambda: "")()
    for root in (cache_root(), Path(tempfile.gettempdir()) / f"sim-numba-{user}"):
        directory = root / name
        if _usable(directory):
            prune(directory)
            numba.config.CACHE_DIR = str(directory)
            return directory
    warnings.warn("sim: no writable directory for Numba's cache (tried ~/.cache and the temporary "
                  "directory); compiled code cached elsewhere may be stale after an edit to sim",
                  RuntimeWarning, stacklevel=2)
    return None
