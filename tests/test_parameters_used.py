"""Every key of a scenario file is used: changing it changes what the kernel and the plain
reference compute, or it is listed below as feeding only what they do not compute.

A new key in the schema fails :func:`test_every_key_is_perturbed_or_exempt` until it is given a
perturbation here (and then the kernel and the reference must both respond to it).
"""
import numpy as np
import pytest

from conftest import scenario
from sim import engine, model_docs, reference, schema
from sim.config import Scenario
from sim.explain import key_reference

BASE = [
    "simulation.horizon_months=30",
    "destinations.russia.share=0.6",
    'destinations.china={ share = 0.4, free_mover_share = 0.5, contract_months = 24, bribe_usd = 300, '
    'earning_capacity_usd_per_month = 800 }',
    'return.arrears_at_return="deducted"',
    'timeline.repatriation_order={ start = 12, deadline = 22, shape = "linear", compliance_share = 0.5 }',
    'statuses.student={ share = 0.5, earnings_multiplier = 0.8, contribution_multiplier = 0.5, '
    'detection_hazard_per_month = 0.05 }',
    'statuses.tourist={ share = 0.5, earnings_multiplier = 0.6, contribution_multiplier = 0.2, '
    'detection_hazard_per_month = 0.1 }',
]
"""Two destinations (so that shares can move), a short horizon, a repatriation order from month 12
that half the workers reached defy, on two statuses (so that each of their keys can move)."""
WORKERS, SEED = 200, 5

PERTURBED = {
    "simulation.mode": 'simulation={ mode = "cohort", horizon_months = 30, workers = 200, seed = 1 }',
    "simulation.horizon_months": "simulation.horizon_months=24",
    "destinations.<name>.share": "destinations.russia.share=0.3|destinations.china.share=0.7",
    "destinations.<name>.free_mover_share": "destinations.russia.free_mover_share=0.9",
    "destinations.<name>.bribe_usd": "destinations.russia.bribe_usd=3000",
    "destinations.<name>.contract_months": 'destinations.russia.contract_months={ dist = "discrete_uniform", '
                                           'low = 12, high = 18 }',
    "destinations.<name>.earning_capacity_usd_per_month": "destinations.russia.earning_capacity_usd_per_month=700",
    "destinations.<name>.quota_floor_usd_per_month": "destinations.russia.quota_floor_usd_per_month=800",
    "destinations.<name>.quota_cap_usd_per_month": "destinations.russia.quota_cap_usd_per_month=600",
    "skills.<name>.share": "skills.unskilled.share=0.2|skills.skilled.share=0.8",
    "skills.<name>.wage_multiplier": "skills.skilled.wage_multiplier=2.0",
    "regimes.camp.expenses_usd_per_month": "regimes.camp.expenses_usd_per_month=300",
    "regimes.camp.earnings_multiplier": "regimes.camp.earnings_multiplier=1.5",
    "regimes.camp.idle_probability_per_month": "regimes.camp.idle_probability_per_month=0.3",
    "regimes.camp.early_return_hazard_per_month": "regimes.camp.early_return_hazard_per_month=0.1",
    "regimes.free.expenses_usd_per_month": "regimes.free.expenses_usd_per_month=400",
    "regimes.free.earnings_multiplier": "regimes.free.earnings_multiplier=1.5",
    "regimes.free.idle_probability_per_month": "regimes.free.idle_probability_per_month=0.3",
    "regimes.free.early_return_hazard_per_month": "regimes.free.early_return_hazard_per_month=0.1",
    "home.wage_usd_per_month": "home.wage_usd_per_month=500",
    "quota.rule": 'quota={ rule = "drawn", quota_usd_per_month = 600, floor_usd_per_month = 500, '
                  'cap_usd_per_month = 900 }',
    "quota.retention_usd_per_month": "quota.retention_usd_per_month=400",
    "quota.quota_usd_per_month": 'quota={ rule = "drawn", quota_usd_per_month = 800, floor_usd_per_month = 500, '
                                 'cap_usd_per_month = 900 }',
    "quota.floor_usd_per_month": "quota.floor_usd_per_month=700",
    "quota.cap_usd_per_month": "quota.cap_usd_per_month=600",
    "skim.share": "skim.share=0.5",
    "skim.base": 'skim.base="on_top"',
    "wages.monthly_shock_sd": "wages.monthly_shock_sd=0.5",
    "bribe_finance.borrowed_share": "bribe_finance.borrowed_share=0.9",
    "bribe_finance.interest_rate_per_month": "bribe_finance.interest_rate_per_month=0.1",
    "return.travel_cost_usd": "return.travel_cost_usd=900",
    "return.arrears_at_return": 'return.arrears_at_return="forgiven"',
    "participation.reservation_gain_usd": "participation.reservation_gain_usd=8000",
    "participation.candidates_per_post": "participation.candidates_per_post=1",
    "timeline.recruit_open": "timeline.recruit_open=[[0, 1.0], [6, 0.0]]",
    "timeline.intake_multiplier": "timeline.intake_multiplier=[[0, 1.0], [6, 0.3]]",
    "timeline.repatriation_hazard_per_month": "timeline.repatriation_hazard_per_month=[[0, 0.0], [6, 0.2]]",
    "timeline.quota_multiplier": "timeline.quota_multiplier=[[0, 1.0], [6, 1.5]]",
    "timeline.quota_surcharge_usd_per_month": "timeline.quota_surcharge_usd_per_month=[[0, 0.0], [6, 100.0]]",
    "quota.policy_applies_to": 'quota.policy_applies_to="new_hires"|timeline.quota_multiplier=[[0, 1.0], [6, 1.5]]',
    "timeline.bribe_multiplier": "timeline.bribe_multiplier=[[0, 1.0], [6, 3.0]]",
    "timeline.wage_index": "timeline.wage_index=[[0, 1.0], [6, 0.6]]",
    "timeline.free_mover_share": "timeline.free_mover_share=[[0, 0.3], [6, 0.9]]",
    "timeline.skim_multiplier": "timeline.skim_multiplier=[[0, 1.0], [6, 2.0]]",
    "timeline.diversion_share": 'timeline.by_destination.russia.recruit_open=[[0, 1.0], [6, 0.0]]|'
                                'timeline.by_destination.russia.diversion_to="china"|'
                                'timeline.by_destination.china.diversion_to="russia"|'
                                "timeline.diversion_share=[[0, 0.0], [6, 1.0]]",
    "timeline.repatriation_order.start": "timeline.repatriation_order.start=8",
    "timeline.repatriation_order.deadline": "timeline.repatriation_order.deadline=18",
    "timeline.repatriation_order.shape": 'timeline.repatriation_order.shape="hazard"|'
                                         "timeline.repatriation_order.hazard_per_month=0.3",
    "timeline.repatriation_order.hazard_per_month": 'timeline.repatriation_order.shape="hazard"|'
                                                    "timeline.repatriation_order.hazard_per_month=0.02",
    "timeline.repatriation_order.compliance_share": "timeline.repatriation_order.compliance_share=0.9",
    "statuses.<name>.share": "statuses.student.share=0.1|statuses.tourist.share=0.9",
    "statuses.<name>.earnings_multiplier": "statuses.student.earnings_multiplier=0.2",
    "statuses.<name>.contribution_multiplier": "statuses.student.contribution_multiplier=2.0",
    "statuses.<name>.detection_hazard_per_month": "statuses.student.detection_hazard_per_month=0.5",
}
CHINA_ORDER = ('timeline.by_destination.china.repatriation_order={ start = 12, deadline = 22, shape = "linear", '
               'compliance_share = 0.5 }')
"""China's own order, the same as BASE's: a key of it then changes alone."""
PERTURBED.update({  # each lever and the order again, for one destination
    key.replace("timeline.", "timeline.by_destination.<name>."): "|".join(
        ([CHINA_ORDER] if key.startswith("timeline.repatriation_order.") else [])
        + [part.replace("timeline.", "timeline.by_destination.china.", 1) if part.startswith("timeline.")
           and not part.startswith("timeline.by_destination") else part for part in change.split("|")])
    for key, change in list(PERTURBED.items()) if key.startswith("timeline.") and key != "timeline.diversion_share"})
PERTURBED["timeline.by_destination.<name>.diversion_share"] = PERTURBED["timeline.diversion_share"].replace(
    'timeline.by_destination.china.diversion_to="russia"|', "").replace(
    "timeline.diversion_share", "timeline.by_destination.russia.diversion_share")
"""A change of each key that moves the model's accumulators (``|`` separates overrides)."""
EXEMPT = {
    "simulation.workers": "how many slots: an argument of every run here",
    "simulation.seed": "the run seed: an argument of every run here",
    "simulation.stock_target": "real workers per slot: scales the outputs (sim.aggregate), not the simulation",
    "simulation.cohort_size": "real workers per slot: scales the outputs (sim.aggregate), not the simulation",
    "simulation.start": "names the months (dates in the outputs), changes no number",
    "destinations.<name>.confined": "validation only: a confined destination must have no free movers",
    "work.hours_per_day": "effective hourly pay only (sim.aggregate)",
    "work.days_per_month": "effective hourly pay only (sim.aggregate)",
    "calibration.seeds_file": "which source figures a run is compared with",
    "calibration.targets_file": "a user's dated figures the run is compared with",
    "calibration.tuning_scan": "whether sim run also scans the tuned parameters (more runs, same kernel)",
    "simulation.money_unit": "names the unit amounts are in; the arithmetic is the same in any unit",
    "simulation.period": "which era's source figures a run is compared with",
    "timeline.by_destination.<name>.diversion_to": "where diverted candidates go: perturbed with "
                                                   "timeline.diversion_share (it takes effect only with it); "
                                                   "tests/test_destination_levers.py checks where they go",
}
"""Keys that feed only what the kernel and the reference do not compute, and why."""


def leaf_keys(model=Scenario):
    """The keys of a scenario file that hold a value (not a table), as :func:`key_reference` names them."""
    return {key for key, takes, _ in key_reference(model) if not takes.startswith("table")}


def test_every_key_is_perturbed_or_exempt():
    assert set(PERTURBED) | set(EXEMPT) == leaf_keys()
    assert not set(PERTURBED) & set(EXEMPT)


def test_every_parameter_and_lever_of_the_model_table_is_perturbed():
    # a "count" parameter counts the tables at its key (the statuses), whose own keys are perturbed
    read = ({model_docs.schema_key(p.path) for p in schema.PARAMS if p.kind != "count"}
            | {p.default for p in schema.PARAMS if p.default})
    assert read | {f"timeline.{lever.name}" for lever in schema.LEVERS} <= set(PERTURBED)


def accumulators(raw):
    return [raw.monthly, raw.cell_totals, raw.histogram]


def differ(a, b):
    return any(x.shape != y.shape or not np.array_equal(x, y) for x, y in zip(accumulators(a), accumulators(b)))


@pytest.fixture(scope="module")
def unperturbed():
    chosen = scenario(*BASE)
    return engine.simulate(chosen, seed=SEED, workers=WORKERS), reference.simulate(chosen, SEED, WORKERS)


@pytest.mark.parametrize("key", sorted(PERTURBED))
def test_changing_a_key_changes_what_the_kernel_and_the_reference_compute(unperturbed, key):
    chosen = scenario(*BASE, *PERTURBED[key].split("|"))
    kernel, plain = engine.simulate(chosen, seed=SEED, workers=WORKERS), reference.simulate(chosen, SEED, WORKERS)
    assert differ(kernel, unperturbed[0]), f"the kernel ignores {key}"
    assert differ(plain, unperturbed[1]), f"the plain reference ignores {key}"
