"""Property tests of the loader and the schema: any bytes, any data, any one mutated value gives
a scenario or a ConfigError naming the key, never another exception."""
import json
import math

import pytest
from bad_input import (
    BASELINE_DICT,
    BASELINE_TEXT,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.config import ConfigError, Scenario
from sim.validation import validate
from sim.scenario_file import load_config

# --------------------------------------------------------------------------- hypothesis

def _leaf_paths(node, prefix=()):
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaf_paths(child, prefix + (key,))
    elif isinstance(node, list):
        for position, child in enumerate(node):
            yield from _leaf_paths(child, prefix + (position,))
    else:
        yield prefix


LEAVES = list(_leaf_paths(BASELINE_DICT))
SECTIONS = list(BASELINE_DICT) + ["timeline", "calibration"]

scalars = (st.none() | st.booleans() | st.integers() | st.integers(-(2**63), 2**63 - 1)
           | st.floats(allow_nan=True, allow_infinity=True) | st.floats(-2.0, 2.0) | st.text(max_size=20)
           | st.sampled_from(["fixed", "uniform", "pert", "lognormal", "discrete_uniform", "stock", "cohort"]))
json_like = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=12) | st.sampled_from(["dist", "low", "high", "mode", "share", "value"]),
                      children, max_size=4),
    max_leaves=25,
)
toml_scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=True, allow_infinity=True)
                | st.floats(-2.0, 2.0) | st.text(max_size=20))


def _with_leaf(raw, path, value):
    raw = json.loads(json.dumps(raw))  # deep copy; the baseline holds only JSON types
    node = raw
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return raw


def _toml_bytes():
    """Bytes that are sometimes TOML: raw bytes, text, and the baseline with a splice."""
    baseline = BASELINE_TEXT.encode()
    spliced = st.tuples(st.integers(0, len(baseline)), st.integers(0, 40), st.binary(max_size=20)).map(
        lambda cut: baseline[: cut[0]] + cut[2] + baseline[cut[0] + cut[1]:])
    return st.binary(max_size=200) | st.text(max_size=200).map(str.encode) | spliced


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_toml_bytes())
def test_loader_raises_only_config_error_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data)
    try:
        scenario = load_config(path)
    except ConfigError as error:
        assert error.problems and all(line.startswith(f"{path}: ") for line in error.problems)
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=200, deadline=None)
@given(raw=json_like | st.dictionaries(st.sampled_from(SECTIONS) | st.text(max_size=12), json_like, max_size=6))
def test_validate_raises_only_config_error_on_arbitrary_data(raw):
    with pytest.raises(ConfigError) as error_info:
        validate(raw, "x.toml")
    problems = error_info.value.problems
    assert problems and all(line.startswith("x.toml: ") for line in problems)


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=toml_scalars)
def test_one_mutated_leaf_gives_config_error_or_scenario(path, value):
    try:
        scenario = validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")
    except ConfigError as error:
        assert error.problems and all(line.startswith("x.toml: ") for line in error.problems)
    else:
        assert isinstance(scenario, Scenario)


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=st.sampled_from([math.nan, math.inf, -math.inf]))
def test_one_mutated_leaf_to_nan_or_inf_is_refused(path, value):
    """No NaN or infinity gets past validation to the kernel."""
    with pytest.raises(ConfigError):
        validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")


def _leaves(node):
    if isinstance(node, dict):
        for child in node.values():
            yield from _leaves(child)
    elif isinstance(node, list):
        for child in node:
            yield from _leaves(child)
    else:
        yield node


@settings(max_examples=200, deadline=None)
@given(path=st.sampled_from(LEAVES), value=toml_scalars)
def test_one_mutated_leaf_error_names_that_key(path, value):
    """An error caused by changing one value names that key, its table, or a key beside it in that table,
    never just "(top level)"."""
    try:
        validate(_with_leaf(BASELINE_DICT, path, value), "x.toml")
    except ConfigError as error:
        dotted = [str(part) for part in path]
        keys = [line.split(": ", 2)[1] for line in error.problems]
        near = [key for key in keys
                if dotted[: len(key.split("."))] == key.split(".")            # the key or an ancestor
                or key.split(".")[: len(dotted) - 1] == dotted[:-1]]          # inside the same table
        assert near and "(top level)" not in keys, (dotted, error.problems)


def test_every_timeline_lever_is_declared_once_with_its_bounds_and_meaning():
    """A lever is one row of sim.schema.LEVERS: the Timeline field, its bounds and description
    come from the row, and the kernel's timeline arrays are derived from the same fields."""
    from sim import schema
    from sim.config import DestinationTimeline, Timeline
    from sim.params import TimelineArrays

    levers = tuple(lever.name for lever in schema.LEVERS)
    assert levers + schema.TIMELINE_EXTRAS == TimelineArrays._fields
    assert set(Timeline.model_fields) == {*levers, "by_destination"}
    assert set(DestinationTimeline.model_fields) == {*levers, "diversion_to"}
    for name, (low, high) in Timeline.bounds().items():
        assert low < high and Timeline.model_fields[name].description, name
        with pytest.raises(ConfigError, match=f"timeline.{name}"):
            validate({**BASELINE_DICT, "timeline": {name: high * 2 + 1}}, "x.toml")
        with pytest.raises(ConfigError, match=f"timeline.by_destination.russia.{name}"):
            validate({**BASELINE_DICT, "timeline": {"by_destination": {"russia": {name: high * 2 + 1}}}}, "x.toml")

