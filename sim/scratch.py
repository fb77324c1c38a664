"""Hidden temporary directories that name their owner, so leftovers of dead runs can be removed.

A run builds its results in a hidden directory beside the target and streams
worker records to another; a run killed outright (SIGKILL, power loss) cannot
remove them, and they can hold gigabytes. Each such directory therefore holds a
small marker file naming the process that made it (PID, host name and the
process's start time, which tells a reused PID from the original). The next run
into the same folder calls :func:`remove_dead` and removes only the directories
whose owner is gone, never those of a run still going beside it.

:mod:`tempfile` makes its directories and files private (modes 0o700 and
0o600); :func:`with_umask_permissions` gives them the modes a plain ``mkdir``
or ``open`` would, so results are readable by whom the user's umask allows.
"""
import json
import os
import shutil
import socket
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

MARKER = ".owner.json"
"""The marker file inside each scratch directory."""
STALE_SECONDS = 6 * 3600
"""A leftover without a readable marker is removed once it is this old (seconds since last change)."""


def make(parent: Path, prefix: str, suffix: str = "") -> Path:
    """Create a hidden scratch directory in ``parent`` holding a marker naming this process.

    Its mode is that of a plain ``mkdir`` (see :func:`with_umask_permissions`).
    """
    directory = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
    try:
        with_umask_permissions(directory)
        (directory / MARKER).write_text(json.dumps(_this_process()))
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return directory


@contextmanager
def directory(parent: Path, prefix: str):
    """A scratch directory (see :func:`make`) for the block, removed afterwards whatever happens."""
    path = make(parent, prefix)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def with_umask_permissions(path: Path) -> None:
    """Set ``path``'s mode to what ``mkdir`` (0o777) or ``open`` (0o666) would give it: less the umask."""
    path.chmod((0o777 if path.is_dir() else 0o666) & ~umask())


def umask() -> int:
    """This process's umask, e.g. 0o022.

    Read from ``/proc/self/status`` (Linux 4.7 and later) without changing it;
    elsewhere it can only be read by setting it and setting it back, so for
    that moment it is 0o077, which makes anything another thread creates
    private, never more open.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def is_leftover_name(name: str) -> bool:
    """Whether ``name`` is one a scratch directory or temporary file of this package can have."""
    return name.startswith(".") and (name.startswith(".workers-") or name.endswith(".partial"))


def remove_dead(parent: Path) -> list[Path]:
    """Remove the scratch directories and temporary files in ``parent`` whose owner is gone.

    A directory is removed when its marker names a process of this host that no
    longer runs, or, with no readable marker, when it is older than
    :data:`STALE_SECONDS`; a temporary file is removed on age alone. Returns the
    paths removed.
    """
    try:
        paths = sorted(parent.iterdir())
    except OSError:  # gone, not a folder, or not readable: nothing to clean
        return []
    removed = []
    for path in paths:
        if is_leftover_name(path.name) and _is_dead(path):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _is_dead(path: Path) -> bool:
    owner = _read_marker(path / MARKER) if path.is_dir() else None
    if owner is None:
        return _age_seconds(path) > STALE_SECONDS
    if owner["host"] != socket.gethostname():
        return False  # another machine's process: no way to tell, keep it
    return not _running(owner["pid"], owner["started"])


def _read_marker(marker: Path) -> dict | None:
    """The owner named in ``marker``, or None when it is missing or malformed."""
    try:
        owner = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    valid = (isinstance(owner, dict) and isinstance(owner.get("host"), str)
             and isinstance(owner.get("pid"), int) and owner["pid"] > 0
             and isinstance(owner.get("started"), (int, type(None))))
    return owner if valid else None


def _age_seconds(path: Path) -> float:
    try:
        return time.time() - path.lstat().st_mtime
    except OSError:
        return 0.0


def _this_process() -> dict:
    return {"pid": os.getpid(), "host": socket.gethostname(), "started": _start_time(os.getpid())}


def _running(pid: int, started: int | None) -> bool:
    """Whether process ``pid`` runs (not a zombie) and, if ``started`` is known, is the same process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc: the PID exists, take it as the owner
    state, now_started = stat
    return state != "Z" and (started is None or now_started == started)


def _start_time(pid: int) -> int | None:
    """Start time of process ``pid`` in clock ticks since boot (Linux), or None where unknown."""
    stat = _proc_stat(pid)
    return None if stat is None else stat[1]


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in clock ticks since boot) from ``/proc/<pid>/stat``, or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rfind(")") + 2:].split()  # the command name may hold spaces and parentheses
    try:
        return fields[0], int(fields[19])
    except (IndexError, ValueError):
        return None
