"""Checking the arguments of the Python API (:func:`sim.run`, :func:`sim.compare`): a scenario or
the path of one, whole numbers in range, flags; a wrong type or value raises TypeError or
ValueError naming the argument."""
import os

import numpy as np

from sim.config import Scenario
from sim.scenario_file import load_config


def scenario_of(config) -> Scenario:
    """``config`` as a Scenario: itself, or the file it names loaded."""
    if isinstance(config, Scenario):
        return config
    if not isinstance(config, (str, os.PathLike)):
        raise TypeError(f"config must be a Scenario or the path of a TOML scenario file, "
                        f"got {type(config).__name__}")
    return load_config(config)


def whole_number(name: str, value, low: int, high: int) -> int | None:
    """``value`` (None, or a Python or numpy integer, not a bool, in [low, high]) as an int;
    TypeError or ValueError naming ``name`` otherwise."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number (int), got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high:,}, got {value:,}")
    return int(value)


def flag(name: str, value) -> bool:
    """``value`` if it is a bool (numpy's included), TypeError naming ``name`` otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return bool(value)
