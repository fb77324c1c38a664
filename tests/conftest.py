"""Shared fixtures: scenarios built from the baseline with ``--set`` style overrides."""
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("fixed", derandomize=True, database=None)
settings.load_profile("fixed")
"""Property tests draw the same examples on every run (a fixed seed, like every stochastic test
here); explore new ones with ``python -m pytest --hypothesis-profile=default``."""

from sim.scenario_file import load_config

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "baseline.toml"

DEGENERATE = [
    # one destination, one skill, camps only, every amount fixed, nothing random happens
    'skills={ only = { share = 1.0, wage_multiplier = 1.0 } }',
    "destinations.russia.free_mover_share=0.0",
    "destinations.russia.contract_months=24",
    "destinations.russia.earning_capacity_usd_per_month=1000",
    "destinations.russia.bribe_usd=600",
    "regimes.camp.expenses_usd_per_month=100",
    "regimes.camp.early_return_hazard_per_month=0.0",
    "regimes.free.early_return_hazard_per_month=0.0",
    "home.wage_usd_per_month=60",
    'quota={ rule = "drawn", quota_usd_per_month = 700, floor_usd_per_month = 500, cap_usd_per_month = 900 }',
    "skim.share=0.1",
    "wages.monthly_shock_sd=0.0",
    "bribe_finance.borrowed_share=0.0",
    "return.travel_cost_usd=150",
]
"""Overrides that make every worker identical: capacity $1,000, expenses $100, Q $700, skim 10%."""


@pytest.fixture(scope="session")
def baseline():
    return load_config(BASELINE)


def scenario(*overrides):
    """The baseline with ``dotted.key=value`` overrides applied."""
    return load_config(BASELINE, overrides)


@pytest.fixture
def configs(tmp_path):
    """A folder for scenario files laid out like the repository, so the
    default ``calibration.seeds_file = "../seeds/figures.toml"`` resolves."""
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / "seeds" / "figures.toml", tmp_path / "seeds" / "figures.toml")
    folder = tmp_path / "configs"
    folder.mkdir()
    return folder


@pytest.fixture
def out(tmp_path):
    return tmp_path / "out"
