"""A kernel parameter's key is declared once, in its row of sim.schema.PARAMS: the scenario schema's
field (type, bounds, choices, whether it may be left out, meaning) is built from the row, a key cannot
be declared on a section as well, and a new row is a validated key that the tests then hold to be
used by the kernel and the reference."""
import copy
import typing

import annotated_types
import pytest
from bad_input import BASELINE_DICT
from conftest import scenario
from pydantic import AfterValidator, ValidationError, create_model
from test_parameters_used import BASE, EXEMPT, PERTURBED, SEED, WORKERS, differ, leaf_keys

from sim import config, engine, reference, schema
from sim.config import ConfigError
from sim.fields import DISTRIBUTION_TYPES, VALUE_TYPES, DrawsWithin, parameter_fields, section_model
from sim.validation import problems, validate

DECLARED = [p for p in schema.PARAMS if p.kind not in ("longest", "count")]
"""The rows that declare their key (those of kind longest and count read keys declared elsewhere)."""
NAMES = {"<destination>": "russia", "<skill>": "skilled", "<regime>": "free", "<status>": "student"}
"""The entry of each named table the tests set a key of (the baseline's, and a status added below)."""
STATUS = {"share": 1.0, "earnings_multiplier": 0.8, "contribution_multiplier": 0.5, "detection_hazard_per_month": 0.05}


def key_of(param: schema.Param) -> list[str]:
    """``param``'s key as a path of one entry: ``["destinations", "russia", "bribe_usd"]``."""
    return [NAMES.get(part, part) for part in param.path.split(".")]


def baseline_with(path: list[str], value=None) -> dict:
    """The baseline's data with a status, and the key at ``path`` set to ``value`` (None: left out)."""
    raw = copy.deepcopy(BASELINE_DICT)
    raw["statuses"] = {"student": dict(STATUS)}
    table = raw
    for part in path[:-1]:
        table = table[part]
    table.pop(path[-1], None)
    if value is not None:
        table[path[-1]] = value
    return raw


def section_of(param: schema.Param):
    """The model of the section that holds ``param``'s key (``Destination`` for a destination's key)."""
    node = config.Scenario
    for part in key_of(param)[:-1]:
        if typing.get_origin(node) is dict:
            node = typing.get_args(node)[1]
        else:
            node = node.model_fields[part if part in node.model_fields else part + "_"].annotation
    return node


def beyond(param: schema.Param):
    """A value outside what ``param``'s row lets its key take."""
    if param.takes == "choice":
        return "none_of_" + "_".join(param.choices)
    if param.low is not None or param.high is not None:
        return param.high + 1 if param.high is not None else param.low - 1
    value_type = VALUE_TYPES[param.takes]
    if param.takes in DISTRIBUTION_TYPES:
        return next(item.func.high for item in typing.get_args(value_type) if isinstance(item, AfterValidator)
                    and isinstance(item.func, DrawsWithin)) + 1.0
    bounds = [item for item in typing.get_args(value_type)[1:] for item in getattr(item, "metadata", [item])]
    highest = [item.le for item in bounds if isinstance(item, annotated_types.Le)]
    return highest[0] * 2 + 1 if highest else "not a number"


def test_every_row_that_declares_a_key_names_its_value_type_and_meaning():
    for p in DECLARED:
        assert p.description, p.name
        assert p.takes == "choice" or p.takes in VALUE_TYPES, p.name
        assert (p.kind == "distribution") == (p.takes in DISTRIBUTION_TYPES), p.name
        assert (p.kind == "flag") == (p.takes == "choice") == bool(p.choices), p.name
        assert p.equals is None or p.equals in p.choices, p.name
        assert p.low is p.high is None or p.takes in ("number", "whole_number"), p.name
        assert p.default is None or p.unset is schema.REQUIRED, f"{p.name}: its default key is read where unset"
    for p in set(schema.PARAMS) - set(DECLARED):
        assert not (p.takes or p.description or p.choices), f"{p.name} reads a key declared elsewhere"


@pytest.mark.parametrize("param", DECLARED, ids=lambda p: p.name)
def test_the_field_of_a_key_is_built_from_its_row(param):
    section = section_of(param)
    key = key_of(param)[-1]
    assert key in section.parameter_keys, f"{param.path} is declared by hand on {section.__name__}"
    field = section.model_fields[key]
    assert field.description == param.description
    assert field.is_required() == (param.unset is schema.REQUIRED and param.default is None)
    if param.takes == "choice":
        assert typing.get_args(field.annotation) == param.choices


@pytest.mark.parametrize("param", DECLARED, ids=lambda p: p.name)
def test_a_value_outside_a_row_s_bounds_or_choices_is_refused_naming_the_key(param):
    with pytest.raises(ConfigError) as error:
        validate(baseline_with(key_of(param), beyond(param)), "x.toml")
    assert any(line.startswith(f"x.toml: {'.'.join(key_of(param))}: ") for line in error.value.problems), \
        error.value.problems


@pytest.mark.parametrize("param", DECLARED, ids=lambda p: p.name)
def test_a_key_left_out_takes_the_row_s_unset_value_which_is_valid_or_is_missing(param):
    raw = baseline_with(key_of(param))
    if param.unset is schema.REQUIRED and param.default is None:
        with pytest.raises(ConfigError, match=f"x.toml: {'.'.join(key_of(param))}: required key is missing"):
            validate(raw, "x.toml")
        return
    if param.path == "quota.retention_usd_per_month":  # rule retention needs it: read it under rule drawn
        raw["quota"].update(rule="drawn", quota_usd_per_month=600)
    table = validate(raw, "x.toml")
    for part in key_of(param):
        table = table[part] if isinstance(table, dict) else getattr(table, part + "_" * (part == "return"))
    assert table == (None if param.default else param.unset)
    if param.unset is not schema.REQUIRED:  # a value the key may take
        validate(baseline_with(key_of(param), param.unset), "x.toml")


def test_a_key_declared_by_a_row_and_on_its_section_is_refused():
    """Destination holds every key of its rows: a section declaring one of them again does not build."""
    with pytest.raises(TypeError, match="bribe_usd, contract_months, .* declared both on Destination"):
        section_model("Destination", "destinations.<destination>", __name__, base=config.Destination)
    twice = schema.PARAMS + (schema.PARAMS[0]._replace(name="bribe_again_usd"),)
    with pytest.raises(ValueError, match="destinations.<destination>.bribe_usd: declared by two rows"):
        parameter_fields("destinations.<destination>", twice)


BROKER = schema.Param("broker_fee_usd_per_month", "destinations.<destination>.broker_fee_usd_per_month",
                      "destination", "value", "USD per month", "usd_bound", "a broker's fee, paid from earnings")
"""A new row: a per-destination fee, with no arithmetic in the kernel or the references."""


@pytest.fixture(scope="module")
def with_broker():
    """The scenario schema built from the table with :data:`BROKER` added."""
    destination = section_model("Destination", "destinations.<destination>", __name__,
                                base=config.Destination.__bases__[0], params=schema.PARAMS + (BROKER,))
    return create_model("Scenario", __base__=config.Scenario, __module__=__name__,
                        destinations=(dict[str, destination], ...))


def test_a_new_row_is_a_validated_key_with_its_bounds(with_broker):
    raw = copy.deepcopy(BASELINE_DICT)
    assert "broker_fee_usd_per_month" not in config.Destination.model_fields
    raw["destinations"]["russia"]["broker_fee_usd_per_month"] = 40.0
    assert with_broker.model_validate(raw).destinations["russia"].broker_fee_usd_per_month == 40.0
    for fee, message in ((-1.0, "greater than or equal to 0"), (2e7, "less than or equal to"),
                         ("40", "valid number"), (None, "required key is missing")):
        raw["destinations"]["russia"].pop("broker_fee_usd_per_month")
        if fee is not None:
            raw["destinations"]["russia"]["broker_fee_usd_per_month"] = fee
        with pytest.raises(ValidationError) as error:
            with_broker.model_validate(raw)
        (line,) = problems(error.value, "x.toml", set(), "")
        assert line.startswith("x.toml: destinations.russia.broker_fee_usd_per_month: ") and message in line, line


def test_a_new_row_without_arithmetic_fails_the_tests_that_every_key_is_used(with_broker):
    """tests/test_parameters_used.py: the new key is neither perturbed nor exempt; once perturbed there,
    the kernel and the plain reference compute the same with any fee, so its perturbation test fails."""
    assert leaf_keys(with_broker) - set(PERTURBED) - set(EXEMPT) == {"destinations.<name>.broker_fee_usd_per_month"}
    raw = scenario(*BASE).to_toml_dict()
    runs = []
    for fee in (0.0, 500.0):
        for destination in raw["destinations"].values():
            destination["broker_fee_usd_per_month"] = fee
        chosen = with_broker.model_validate(raw)
        runs.append((engine.simulate(chosen, seed=SEED, workers=WORKERS), reference.simulate(chosen, SEED, WORKERS)))
    assert not differ(runs[0][0], runs[1][0]) and not differ(runs[0][1], runs[1][1])
