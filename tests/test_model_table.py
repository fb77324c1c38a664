"""The model table (sim/schema.py) is the one declaration: what is derived from it is consistent,
covers the arrays it lays out, catches a broken identity, and the generated docs are committed."""
import numpy as np
import pytest

from conftest import scenario
from sim import engine, layout as L, model_docs, outputs, packing, schema
from sim.aggregate import accounting_residual_usd
from sim.explain import key_reference
from sim.params import compile_params, compile_timeline


@pytest.mark.parametrize("name", model_docs.PAGES)
def test_the_committed_docs_are_what_the_table_generates(name):
    committed = (model_docs.DOCS / name).read_text()
    assert committed == model_docs.PAGES[name](), f"docs/{name} is stale: run python -m sim.model_docs"


def test_every_parameter_reads_a_key_of_the_scenario_schema():
    keys = {key for key, _, _ in key_reference()}
    for p in schema.PARAMS:
        assert model_docs.schema_key(p.path) in keys, p.name
        assert p.default is None or p.default in keys, p.name
        assert p.axis in schema.AXES and p.kind in ("distribution", "value", "cumulative", "flag", "longest",
                                                  "count"), p.name
        placeholder = schema.PLACEHOLDERS.get(p.axis)
        assert placeholder is None or placeholder in p.path, f"{p.name}: a per-{p.axis} key names <{p.axis}>"
    assert len({p.name for p in schema.PARAMS}) == len(schema.PARAMS)


def test_names_are_unique_and_roles_name_an_identity():
    identities = {identity.name for identity in outputs.IDENTITIES}
    for table in outputs.OUTPUT_TABLES:
        names = [column.name for column in outputs.columns(table)]
        assert len(set(names)) == len(names), table
    for column in outputs.COLUMNS:
        assert column.table in outputs.OUTPUT_TABLES, column.name
        for role in column.roles:
            assert role[0] in "+-" and role[1:] in identities, (column.name, role)
    assert {column.name for column in outputs.columns("histograms")} <= {c.name for c in outputs.columns("cells")}


@pytest.mark.parametrize("n_dest, n_skill, n_status", [(1, 1, 0), (3, 2, 1), (4, 5, 3)])
def test_the_packed_layout_fills_each_array_once_without_overlap(n_dest, n_skill, n_status):
    """Every entry of every field lands in its own place, and the places are 0 .. length - 1."""
    sizes = {"destination": n_dest, "skill": n_skill, "regime": len(schema.REGIMES), "shared": 1, "status": n_status}
    for codes, fields in ((packing.DISTS, [(p.name, p.axis) for p in schema.params("dists")]),
                          (packing.VALUES, [(p.name, p.axis) for p in schema.params("values")]),
                          (packing.TIMELINE, [(name, "destination") for name in packing.TIMELINE._fields])):
        places = [packing.at.py_func(getattr(codes, name), n_dest, n_skill, which)
                  for name, axis in fields for which in range(sizes[axis])]
        assert sorted(places) == list(range(len(places))), type(codes).__name__


def test_packing_puts_each_parameter_where_the_kernel_reads_it():
    chosen = scenario("destinations.russia.share=0.6",
                      'destinations.china={ share = 0.4, free_mover_share = 0.5, contract_months = 24, '
                      'bribe_usd = 300, earning_capacity_usd_per_month = 800, quota_cap_usd_per_month = 850 }')
    p, tl = compile_params(chosen), compile_timeline(chosen)
    packed = packing.pack(p, tl)
    china = list(chosen.destinations).index("china")

    def value(name, which=0):
        return packed.values[packing.at.py_func(getattr(packing.VALUES, name), 2, 2, which)]

    assert value("quota_cap_usd_per_month", china) == 850
    assert value("quota_cap_usd_per_month", 1 - china) == chosen.quota.cap_usd_per_month
    assert packed.tlm[0, packing.at.py_func(packing.TIMELINE.free_mover_share, 2, 2, china)] == 0.5
    assert value("skill_wage_multiplier", 1) == chosen.skills["skilled"].wage_multiplier
    assert value("arrears_deducted") == (chosen.return_.arrears_at_return == "deducted")
    at = packing.at.py_func
    np.testing.assert_array_equal(packed.dists[at(packing.DISTS.bribe_usd, 2, 2, china)],
                                  chosen.destinations["china"].bribe_usd.compile())
    for destination in range(2):
        np.testing.assert_array_equal(packed.tlm[:, at(packing.TIMELINE.stay, 2, 2, destination)],
                                      1.0 - tl.repatriation_hazard_per_month[:, destination])


@pytest.fixture(scope="module")
def small_run():
    return engine.simulate(scenario("simulation.horizon_months=36"), seed=3, workers=2_000)


@pytest.mark.parametrize("table", ["monthly", "cells"])
def test_the_accounting_check_catches_a_cent_missing_from_any_term(small_run, table):
    """Each column with a role in an identity is checked: one cent taken from it shows."""
    assert accounting_residual_usd(small_run) == 0.0
    terms = {name for identity in outputs.identity_terms(table).values() for name, _ in identity}
    assert terms
    for name in terms:
        totals = {"monthly": small_run.monthly.copy(), "cells": small_run.cell_totals.copy()}
        totals[table][-1, getattr(L.INDICES[table], name)] -= 1
        broken = small_run._replace(monthly=totals["monthly"], cell_totals=totals["cells"])
        assert accounting_residual_usd(broken) == 0.01, name
