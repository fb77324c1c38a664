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

from sim.api import Result, run
from sim.config import ConfigError, Scenario
from sim.scenario_file import load_config
from sim.study import Study, load_study
from sim.sweep import SweepResult, evaluate, sweep

__all__ = ["ConfigError", "Result", "Scenario", "Study", "SweepResult", "evaluate", "load_config", "load_study",
           "run", "sweep", "__version__"]
