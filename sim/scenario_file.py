"""Reading a scenario file: TOML, the base it ``extends``, and ``--set`` overrides, then validation.

A policy file holds only what differs from its base::

    extends = "../baseline.toml"       # relative to this file

    [timeline]
    quota_multiplier = [[0, 1.0], [24, 1.3]]

``unset = ["simulation.cohort_size"]`` removes keys of the base first (a cohort base made a
stock, say). The base is read (itself perhaps extending another), the policy's tables are merged into it
key by key (a distribution, a table with a ``dist`` key, is replaced whole, as is any other
value), then ``--set`` overrides are applied, and the merged result is validated like any
config: an unknown key in the policy is refused with its key path.
"""
import tomllib
from pathlib import Path

from sim.config import ConfigError, Scenario
from sim.validation import validate

REMOVE = object()
"""The value of ``--set key=`` with nothing after ``=``: remove the key (e.g. to switch a rule)."""


def read_toml(path: Path, where: str) -> dict:
    """The parsed TOML file at ``path``, or one :class:`ConfigError` line starting with ``where``."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError([f"{where}: file not found"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{where}: is a directory, not a TOML file"]) from None
    except (ValueError, RecursionError) as error:  # TOMLDecodeError, UnicodeDecodeError, 4300+ digit integers
        raise ConfigError([f"{where}: invalid TOML: {error}"]) from None
    except OSError as error:
        raise ConfigError([f"{where}: cannot read: {error.strerror}"]) from None


def merged(base: dict, overlay: dict) -> dict:
    """``overlay`` merged into ``base``: tables key by key, everything else (a distribution
    table, a number, a list of change points) replaced whole."""
    result = dict(base)
    for key, value in overlay.items():
        inner = result.get(key)
        if isinstance(value, dict) and isinstance(inner, dict) and "dist" not in value:
            result[key] = merged(inner, value)
        else:
            result[key] = value
    return result


def read_with_bases(path: Path, chain=()) -> tuple[dict, list[Path]]:
    """The scenario data of ``path`` merged over the bases it extends, and those bases (nearest
    first). A missing base, a non-string ``extends`` or a cycle is a ConfigError naming the file."""
    raw = read_toml(path, str(path))
    calibration = raw.get("calibration")
    for key in ("seeds_file", "targets_file"):  # relative to the file that names it
        if isinstance(calibration, dict) and isinstance(calibration.get(key), str):
            calibration[key] = str((path.parent / calibration[key]).resolve())
    if "extends" not in raw:
        if "unset" in raw:
            raise ConfigError([f"{path}: unset: only a file that extends a base can unset its keys"])
        return raw, []
    base_name = raw.pop("extends")
    unset = raw.pop("unset", [])
    if not isinstance(unset, list) or not all(isinstance(key, str) for key in unset):
        raise ConfigError([f"{path}: unset: expected a list of dotted keys of the base, got {unset!r}"])
    if not isinstance(base_name, str):
        raise ConfigError([f"{path}: extends: expected the path of a base scenario file, got {base_name!r}"])
    base = (path.parent / base_name).resolve()
    if base in chain or base == path.resolve():
        raise ConfigError([f"{path}: extends: {base} extends itself (a cycle)"])
    if not base.is_file():
        raise ConfigError([f"{path}: extends: {base} not found"])
    base_raw, bases = read_with_bases(base, (*chain, path.resolve()))
    for key in unset:
        apply_override(base_raw, f"{path}: unset", f"{key}=")
    return merged(base_raw, raw), [base, *bases]


def parse_override(text: str):
    """Split ``dotted.key=value`` into its key path and TOML-typed value (REMOVE when empty)."""
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key or any(not part for part in key.split(".")):
        raise ConfigError([f"--set {text!r}: expected dotted.key=value (or dotted.key= to remove it)"])
    if not value.strip():
        return key.split("."), REMOVE
    try:
        parsed = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    except (ValueError, RecursionError) as error:  # integers past 4300 digits, deep nesting
        raise ConfigError([f"--set {key}: value cannot be read: {error}"]) from None
    return key.split("."), parsed


def apply_override(raw: dict, source: str, text: str) -> str:
    """Set (or, with nothing after ``=``, remove) one ``dotted.key=value`` in ``raw``; return the key."""
    try:
        path, value = parse_override(text)
    except ConfigError as error:
        raise ConfigError([f"{source}: {problem}" for problem in error.problems]) from None
    return set_key(raw, source, path, value)


def set_key(raw: dict, source: str, path: list[str], value, label: str = "--set ") -> str:
    """Set ``raw``'s value at the key path ``path`` (a list of keys) to ``value``, making missing
    tables, or remove it when ``value`` is REMOVE; return the dotted key. A path through a
    value that is not a table is a ConfigError naming ``source`` and ``label`` + the key."""
    dotted = ".".join(path)
    node = raw
    for depth, part in enumerate(path[:-1]):
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        if not isinstance(child, dict):
            raise ConfigError([f"{source}: {label}{dotted}: {'.'.join(path[: depth + 1])} is not a table"])
        node = child
    if value is REMOVE:
        if path[-1] not in node:
            raise ConfigError([f"{source}: {label}{dotted}=: there is no such key to remove"])
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return dotted


def _override_list(overrides) -> list[str]:
    """``overrides`` as a list of strings, or TypeError (a lone string would be read character by character)."""
    if isinstance(overrides, (str, bytes)):
        raise TypeError(f"overrides must be a list of 'key=value' strings, not one string; use [{overrides!r}]")
    try:
        overrides = list(overrides)
    except TypeError:
        raise TypeError(f"overrides must be a list of 'key=value' strings, got {type(overrides).__name__}") from None
    wrong = [text for text in overrides if not isinstance(text, str)]
    if wrong:
        raise TypeError(f"overrides must be 'key=value' strings, got {wrong[0]!r}")
    return overrides


def load_config(path, overrides=()) -> Scenario:
    """Read and validate a scenario file, merged over the bases it ``extends``, after applying
    ``--set`` style overrides.

    Parameters
    ----------
    path : str or Path
        The TOML scenario file.
    overrides : iterable of str
        ``dotted.key=value`` strings; values are parsed as TOML values; ``dotted.key=`` removes.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the file and the key path.
    TypeError
        When ``overrides`` is not a list of strings (a single string included).
    """
    overrides = _override_list(overrides)
    path = Path(path)
    source = str(path)
    raw, bases = read_with_bases(path)
    overridden = [apply_override(raw, source, text) for text in overrides]
    scenario = validate(raw, source, overridden)
    scenario._source_path = path.resolve()
    scenario._bases = tuple(bases)
    return scenario
