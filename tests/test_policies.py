"""The example policies in configs/policies run, and common random numbers make a policy's
effect exactly zero before it starts: a difference is the policy's, not noise."""

import numpy as np
import pandas as pd
import pytest

from conftest import BASELINE
from sim import api
from sim.scenario_file import load_config

POLICIES = sorted((BASELINE.parent / "policies").glob("*.toml"))
WORKERS = 3_000
SERIES = ["workers_active", "hires", "returns", "gross_earnings_usd", "to_state_usd", "to_managers_usd",
          "kept_usd", "arrears_outstanding_usd"]


@pytest.fixture(scope="module")
def baseline():
    return api.run(BASELINE, workers=WORKERS)


@pytest.fixture(scope="module")
def bases():
    """Each base a policy extends, run once: path -> RunResult."""
    runs = {}

    def run(path):
        if path not in runs:
            runs[path] = api.run(path, workers=WORKERS)
        return runs[path]
    return run


def test_there_are_example_policies():
    assert {path.stem for path in POLICIES} >= {"quota_hike", "rouble_crash", "ban_and_recall", "scheme_ends",
                                                "russia_closes", "surcharge"}


@pytest.mark.parametrize("policy", POLICIES, ids=lambda path: path.stem)
def test_an_example_policy_changes_nothing_before_it_starts(bases, policy):
    result = api.run(policy, workers=WORKERS)
    before, after = slice(0, 24), slice(24, None)
    ours, theirs = result.monthly[SERIES], bases(load_config(policy).bases[0]).monthly[SERIES]
    pd.testing.assert_frame_equal(ours.iloc[before], theirs.iloc[before])
    assert not np.array_equal(ours.iloc[after].to_numpy(), theirs.iloc[after].to_numpy())


def test_an_empty_reform_changes_nothing_at_all(tmp_path, baseline):
    empty = tmp_path / "nothing.toml"
    empty.write_text(f'extends = "{BASELINE}"\n')
    result = api.run(empty, workers=WORKERS)
    pd.testing.assert_frame_equal(result.monthly, baseline.monthly)
    pd.testing.assert_frame_equal(result.outcomes, baseline.outcomes)
    ignore = {"wall_seconds"}
    assert {k: v for k, v in result.summary_dict.items() if k not in ignore} == \
        {k: v for k, v in baseline.summary_dict.items() if k not in ignore}
