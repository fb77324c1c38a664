"""Monte Carlo simulation of labour migration under state control.

The engine follows North Korean workers sent abroad (recruitment, bribe,
planned contribution to the state, managers' skim, arrears, early return) month
by month and reports what the state earns and what households take home.

>>> import sim
>>> result = sim.run(sim.load_config("configs/baseline.toml"), workers=100_000)  # doctest: +SKIP
"""
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
    "sweep": "sim.sweeps", "evaluate": "sim.sweeps", "SweepResult": "sim.sweeps",
    "sensitivity": "sim.sensitivity_analysis", "load_sensitivity": "sim.sensitivity_analysis",
    "calibrate": "sim.calibrate_output", "load_calibration": "sim.calibrate_study",
}
"""Each public name and the module defining it, imported when first used (PEP 562): ``import sim``
stays quick, and ``sim run`` does not load what only comparisons or sweeps need."""

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
