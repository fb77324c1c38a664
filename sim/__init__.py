"""Monte Carlo simulation of labour migration under state control.

The engine follows North Korean workers sent abroad (recruitment, bribe,
planned contribution to the state, managers' skim, arrears, early return) month
by month and reports what the state earns and what households take home.

>>> import sim
>>> result = sim.run(sim.load_config("configs/baseline.toml"), workers=100_000)  # doctest: +SKIP
"""
__version__ = "0.1.0"

from sim.api import Result, run
from sim.config import ConfigError, Scenario, load_config

__all__ = ["ConfigError", "Result", "Scenario", "load_config", "run", "__version__"]
