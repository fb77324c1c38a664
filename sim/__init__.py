"""Monte Carlo simulation of labour migration under state control.

The engine follows North Korean workers sent abroad (recruitment, bribe,
planned contribution to the state, managers' skim, arrears, early return) month
by month and reports what the state earns and what households take home.

>>> import sim
>>> result = sim.run(sim.load_config("configs/baseline.toml"), workers=100_000)  # doctest: +SKIP
"""
import sys
import types

__version__ = "0.1.0"

# Before any submodule defines an @njit(cache=True) function: key Numba's cache on every module.
from sim import jit_cache  # noqa: E402

jit_cache.configure(__version__)

_EXPORTS = {
    "run": "sim.api", "Result": "sim.api",
    "compare": "sim.comparison", "Comparison": "sim.comparison",
    "ConfigError": "sim.config", "Scenario": "sim.config",
    "load_config": "sim.scenario_file",
    "load_study": "sim.study", "Study": "sim.study",
    "sweep": "sim.sweep", "evaluate": "sim.sweep", "SweepResult": "sim.sweep",
    "sensitivity": "sim.sensitivity", "load_sensitivity": "sim.sensitivity",
    "calibrate": "sim.calibrate_output", "load_calibration": "sim.calibrate_study",
}
"""Each public name and the module defining it, imported when first used (PEP 562): ``import sim``
stays quick, and ``sim run`` does not load what only comparisons or sweeps need."""

__all__ = sorted(_EXPORTS) + ["__version__"]


class _Package(types.ModuleType):
    """The ``sim`` package, whose public names stay what :data:`_EXPORTS` says: importing a
    submodule named like its function (``sim.sweep``, ``sim.sensitivity``) would otherwise make
    ``sim.sweep`` the module, not the function, for whoever imported it first."""

    def __setattr__(self, name, value):
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return  # the submodule stays reachable as sys.modules["sim.<name>"] and by ``from sim.<name> import``
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
