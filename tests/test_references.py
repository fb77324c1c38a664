"""The references give exactly the kernel's accumulators: the plain model statement
(:mod:`sim.reference`, from the Scenario) and the NumPy one (:mod:`benchmarks.reference_numpy`)."""
import numba
import numpy as np
import pytest

from benchmarks import elementwise, reference_numpy
from conftest import DEGENERATE, scenario
from sim import engine, recruitment, reference, rng
from sim import layout as L
from sim.layout import REGIMES
from sim.params import compile_params, compile_timeline
from sim.reference import model, random

SHORT = "simulation.horizon_months=36"
SCENARIOS = {
    "stock": [SHORT],
    "cohort": ['simulation={ mode = "cohort", horizon_months = 40, workers = 500, seed = 3 }'],
    "timeline": [
        SHORT,
        "timeline.quota_multiplier=[[0, 1.0], [12, 1.3]]",
        "timeline.repatriation_hazard_per_month=[[0, 0.0], [20, 0.05]]",
        "timeline.intake_multiplier=[[0, 1.0], [10, 0.5]]",
        "timeline.recruit_open=[[0, 1.0], [15, 0.0], [18, 1.0]]",
        "timeline.bribe_multiplier=[[0, 1.0], [5, 2.0]]",
        "timeline.quota_surcharge_usd_per_month=[[0, 0.0], [9, 40.0]]",
        "timeline.wage_index=[[0, 1.0], [7, 0.8]]",
    ],
    # every distribution family, several destinations and skills, zero and drawn hazards
    "families": [
        SHORT,
        "destinations.russia.share=0.6",
        'destinations.china={ share = 0.4, free_mover_share = 0.5, contract_months = 24, '
        'bribe_usd = { dist = "triangular", low = 300, mode = 400, high = 700 }, '
        'earning_capacity_usd_per_month = { dist = "pert", low = 600, mode = 800, high = 1100 } }',
        "skills.skilled.share=0.2",
        "skills.expert={ share = 0.1, wage_multiplier = 1.5 }",
        "regimes.camp.early_return_hazard_per_month=0.0",
        'regimes.free.early_return_hazard_per_month={ dist = "uniform", low = 0.0, high = 0.02 }',
        'quota={ rule = "drawn", floor_usd_per_month = 500, cap_usd_per_month = 900, '
        'quota_usd_per_month = { dist = "discrete_uniform", low = 450, high = 950 } }',
        'skim.share={ dist = "triangular", low = 0.05, mode = 0.05, high = 0.2 }',
        'skim.base="on_top"',
        'home.wage_usd_per_month={ dist = "lognormal", median = 60, range90 = [45, 80] }',
        'return.arrears_at_return="forgiven"',
        "participation.reservation_gain_usd=3000",
    ],
    "new_hires": [SHORT, 'quota.policy_applies_to="new_hires"', "timeline.quota_multiplier=[[0, 1.1], [10, 1.4]]",
                  "timeline.quota_surcharge_usd_per_month=[[0, 15.0], [12, 60.0]]"],
    "queue": [SHORT, "participation.reservation_gain_usd=3000", "participation.candidates_per_post=5",
              "timeline.intake_multiplier=[[0, 0.7], [6, 0.4]]"],
    "fixed": [SHORT, *DEGENERATE, "regimes.camp.early_return_hazard_per_month=1.0"],
    # levers by destination, a ban with diversion, free movers and the skim over time
    "destinations": [
        SHORT,
        "destinations.russia.share=0.7",
        'destinations.china={ share = 0.3, free_mover_share = 0.0, confined = true, contract_months = 24, '
        'bribe_usd = 200, earning_capacity_usd_per_month = { dist = "uniform", low = 700, high = 1000 } }',
        "participation.candidates_per_post=3",
        "timeline.skim_multiplier=[[0, 1.0], [6, 1.5]]",
        "timeline.by_destination.russia.recruit_open=[[0, 1.0], [8, 0.0], [20, 1.0]]",
        "timeline.by_destination.russia.diversion_share=[[0, 0.0], [8, 0.6]]",
        'timeline.by_destination.russia.diversion_to="china"',
        "timeline.by_destination.russia.free_mover_share=[[0, 0.2], [4, 0.6]]",
        "timeline.by_destination.russia.wage_index=[[0, 1.0], [10, 0.7]]",
        "timeline.by_destination.china.quota_multiplier=[[0, 1.0], [12, 1.2]]",
        "timeline.by_destination.china.repatriation_hazard_per_month=[[0, 0.01], [16, 0.1]]",
    ],
}


def _numpy(chosen, seed, n_slots):
    timeline = compile_timeline(chosen)
    return reference_numpy.simulate(compile_params(chosen), timeline, seed, n_slots)


REFERENCES = {"numpy": (_numpy, 2_000), "plain": (reference.simulate, 300)}


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("which", REFERENCES)
def test_reference_equals_kernel(name, which):
    simulate, n_slots = REFERENCES[which]
    chosen = scenario(*SCENARIOS[name])
    kernel = engine.simulate(chosen, seed=17, workers=n_slots)
    ours = simulate(chosen, 17, n_slots)
    assert kernel.monthly.sum() > 0 and kernel.cell_totals.sum() > 0
    if name == "destinations":  # the mechanisms the scenario is there for do happen
        assert kernel.monthly[:, L.M.candidates_diverted].sum() > 0
        assert kernel.monthly_by_destination[9, 0, L.MD.hires] == 0 < kernel.monthly_by_destination[9, 1, L.MD.hires]
    np.testing.assert_array_equal(ours.monthly, kernel.monthly)
    np.testing.assert_array_equal(ours.cell_totals, kernel.cell_totals)
    np.testing.assert_array_equal(ours.histogram, kernel.histogram)
    if which == "plain":  # the NumPy reference does not split months by destination
        np.testing.assert_array_equal(ours.monthly_by_destination, kernel.monthly_by_destination)
        np.testing.assert_array_equal(ours.cell_totals_by_reason, kernel.cell_totals_by_reason)
    assert ours.state_revenue_sumsq_usd2 == kernel.state_revenue_sumsq_usd2
    assert ours.managers_revenue_sumsq_usd2 == kernel.managers_revenue_sumsq_usd2


def test_numpy_reference_across_a_chunk_boundary():
    """Slot indices past CHUNK_WORKERS (and the per-chunk sums of squares) agree too."""
    chosen = scenario('simulation={ mode = "cohort", horizon_months = 30, workers = 10, seed = 3 }')
    params = compile_params(chosen)
    timeline = compile_timeline(chosen)
    kernel = engine.simulate(chosen, seed=5, workers=20_000)
    ours = reference_numpy.simulate(params, timeline, 5, 20_000)
    np.testing.assert_array_equal(ours.monthly, kernel.monthly)
    np.testing.assert_array_equal(ours.cell_totals, kernel.cell_totals)
    assert ours.state_revenue_sumsq_usd2 == kernel.state_revenue_sumsq_usd2


def test_plain_reference_across_a_chunk_boundary():
    """Sums of squares are added per chunk of slots, then the chunks summed: so in the plain
    reference too (short contracts keep it quick)."""
    chosen = scenario('simulation={ mode = "cohort", horizon_months = 3, workers = 10, seed = 3 }',
                      "destinations.russia.contract_months=3")
    kernel = engine.simulate(chosen, seed=5, workers=16_500)
    ours = reference.simulate(chosen, 5, 16_500)
    assert kernel.monthly[0, 1] > 1_000  # hires
    np.testing.assert_array_equal(ours.monthly, kernel.monthly)
    np.testing.assert_array_equal(ours.cell_totals, kernel.cell_totals)
    np.testing.assert_array_equal(ours.histogram, kernel.histogram)
    assert ours.state_revenue_sumsq_usd2 == kernel.state_revenue_sumsq_usd2
    assert ours.managers_revenue_sumsq_usd2 == kernel.managers_revenue_sumsq_usd2


def test_hires_attributes_are_bit_identical_to_the_kernels():
    """The accumulators round to cents and would hide a last-bit difference (NumPy's own SIMD
    ``exp`` gives one in about 5% of lognormal draws): compare the hires' attributes exactly."""
    chosen = scenario(*SCENARIOS["families"])
    params = compile_params(chosen)
    workers = engine.simulate(chosen, seed=17, workers=2_000, keep_workers=True).workers
    slot, candidate = workers["slot"].astype(np.uint64), workers["candidate"].astype(np.uint64)
    key = elementwise.stream_key(17, slot, candidate + 1)
    columns = {"destination": "destination", "skill": "skill", "regime": "regime",
               "contract": "contract_months", "borrowed": "borrowed", "skim": "skim_share",
               "home_wage": "home_wage_usd_per_month", "capacity": "earning_capacity_usd_per_month",
               "expenses": "expenses_usd_per_month", "quota": "quota_usd_per_month"}
    destination = workers["destination"]  # no timeline: each works at his post
    timeline = compile_timeline(chosen)
    vectorised = elementwise.draw_candidate(params, timeline, 0, key, destination)
    for ours, theirs in columns.items():
        np.testing.assert_array_equal(np.broadcast_to(vectorised[ours], key.shape), workers[theirs], err_msg=ours)
    names = list(chosen.destinations)
    plain = [model.recruit(chosen, random.stream_key(17, int(s), int(c) + 1), names[d],
                           model.policy_in_month(chosen, 0, names[d])) for s, c, d in zip(slot, candidate, destination)]
    codes = {"destination": list(chosen.destinations), "skill": list(chosen.skills), "regime": list(REGIMES)}
    for ours, theirs in {"destination": "destination", "skill": "skill", "regime": "regime",
                         "contract_months": "contract_months", "borrowed": "borrowed", "skim_share": "skim_share",
                         "home_wage_usd_per_month": "home_wage_usd_per_month",
                         "earning_capacity_usd_per_month": "earning_capacity_usd_per_month",
                         "expenses_usd_per_month": "expenses_usd_per_month",
                         "quota_usd_per_month": "quota_usd_per_month"}.items():
        values = [getattr(worker, ours) for worker in plain]
        if ours in codes:
            values = [codes[ours].index(value) for value in values]
        np.testing.assert_array_equal(values, workers[theirs], err_msg=ours)


def test_plain_reference_draws_where_the_kernel_does():
    """The counter layout restated in :mod:`sim.reference.random` is the kernel's (a clearer
    failure than a mismatch of the accumulators)."""
    assert random.MONTHLY_STREAM == rng.MONTHLY_STREAM and rng.DRAWS_PER_MONTH == 2
    for name in ("ARRIVAL", "ACCEPT", "DESTINATION", "SKILL", "REGIME", "BORROWED", "AGE", "DIVERT"):
        assert getattr(random, name) == getattr(recruitment, "U_" + name), name
    for name in ("CONTRACT", "BRIBE", "HOME_WAGE", "CAPACITY", "EXPENSES", "HAZARD", "QUOTA_INPUT", "SKIM", "TRAVEL"):
        assert getattr(random, name) == getattr(recruitment, "D_" + name), name
    for seed, slot, stream, counter in [(0, 0, 0, 0), (17, 5, 3, 22), (2**63 - 1, 10**9, 99, -7)]:
        key = np.uint64(rng.stream_key(seed, slot, stream))  # returned as a Python int
        assert random.stream_key(seed, slot, stream) == int(key)
        random_bits = rng.bits(key, counter)
        assert random.bits(int(key), counter) == int(random_bits)
        assert random.uniform_pair(int(random_bits)) == rng.uniform_pair(np.uint64(random_bits))
        assert random.bell(int(random_bits)) == rng.bell(np.uint64(random_bits))


def test_int_power_is_numbas_float_to_integer_power():
    """numba compiles ``float ** int`` to binary exponentiation, which differs from ``pow`` in the
    last bit for most exponents; the cents it feeds (loan repayment) would rarely show it."""
    power = numba.njit(lambda base, exponent: base ** exponent)
    bases = np.random.default_rng(0).uniform(0.9, 1.1, 1_000)
    exponents = np.arange(1_000) % 70
    expected = [power(base, int(exponent)) for base, exponent in zip(bases, exponents)]
    np.testing.assert_array_equal(elementwise.int_power(bases, exponents), expected)
    assert [elementwise.int_power(float(b), int(e)) for b, e in zip(bases, exponents)] == expected
    assert [random.int_power(float(b), int(e)) for b, e in zip(bases, exponents)] == expected
