"""Levers by destination, diversion, and the free-mover share and skim multiplier over time.

A post belongs to a destination (its share of the posts); ``timeline.by_destination.<name>``
sets levers for that destination alone, and a diversion sends candidates its intake turns away
to another destination. Each test fails when its mechanism is switched off.
"""
import math

import numpy as np
import pytest

from conftest import DEGENERATE, scenario
from sim import api, engine
from sim import layout as L
from sim.config import ConfigError
from sim.scenario_file import apply_override
from sim.validation import validate

SIGMAS = 4.5
BAN = "timeline.by_destination.russia.recruit_open=[[0, 1.0], [6, 0.0]]"


def twins(*overrides):
    """The baseline, 36 months, everyone willing, with half its posts in russia and half in a twin of
    russia: a candidate drawn for one has, to the bit, the attributes he would have at the other."""
    raw = scenario("simulation.horizon_months=36", "participation.reservation_gain_usd=-1e9").to_toml_dict()
    raw["destinations"]["russia"]["share"] = 0.5
    raw["destinations"]["twin"] = dict(raw["destinations"]["russia"])
    for override in overrides:
        apply_override(raw, "<test>", override)
    return validate(raw)


def simulate(chosen, workers=4_000):
    return engine.simulate(chosen, seed=7, workers=workers)


def test_a_ban_in_one_destination_leaves_the_others_posts_exactly_as_they_were():
    both = simulate(twins())
    banned = simulate(twins(BAN))
    russia, twin = 0, 1
    assert both.monthly_by_destination[:, twin, L.MD.workers_active].min() > 1_000
    np.testing.assert_array_equal(banned.monthly_by_destination[:, twin], both.monthly_by_destination[:, twin])
    assert banned.monthly_by_destination[6:, russia, L.MD.hires].sum() == 0
    assert both.monthly_by_destination[6:, russia, L.MD.hires].sum() > 100
    assert banned.monthly_by_destination[-1, russia, L.MD.workers_active] < \
        0.5 * both.monthly_by_destination[-1, russia, L.MD.workers_active]


def test_full_diversion_to_an_identical_destination_conserves_every_migrant():
    """Diverted candidates draw, at the twin, the attributes they would have had at home: with a
    share of 1 every month's totals are those without the ban, to the cent; only where the
    workers are differs."""
    both = simulate(twins())
    diverted = simulate(twins(BAN, "timeline.by_destination.russia.diversion_share=1.0",
                              'timeline.by_destination.russia.diversion_to="twin"'))
    totals = [i for i, name in enumerate(L.MONTHLY_SERIES) if name != "candidates_diverted"]
    np.testing.assert_array_equal(diverted.monthly[:, totals], both.monthly[:, totals])
    russia, twin = 0, 1
    moved = diverted.monthly_by_destination[6:, twin, L.MD.hires] - both.monthly_by_destination[6:, twin, L.MD.hires]
    np.testing.assert_array_equal(moved, both.monthly_by_destination[6:, russia, L.MD.hires])
    np.testing.assert_array_equal(diverted.monthly_by_destination[6:, russia, L.MD.candidates_diverted], moved)
    assert diverted.monthly[:, L.M.candidates_diverted].sum() == moved.sum() > 100


def test_a_diversion_share_sends_that_share_of_the_would_be_migrants():
    """A share s of russia's posts is diverted (each by its own uniform). In the ban's first month
    the posts left vacant by a return are filled, if diverted, by the first candidate of their
    queue, who comes forward at the twin and goes (everyone is willing): about s of them."""
    share = 0.3
    diverted = simulate(twins(BAN, f"timeline.by_destination.russia.diversion_share={share}",
                              'timeline.by_destination.russia.diversion_to="twin"'), workers=20_000)
    vacant = diverted.monthly_by_destination[5, 0, L.MD.returns]  # everyone willing: no post vacant longer
    came = diverted.monthly_by_destination[6, 0, L.MD.candidates_diverted]
    assert vacant > 200
    assert abs(came - vacant * share) < SIGMAS * math.sqrt(vacant * share * (1 - share))
    assert diverted.monthly_by_destination[6, 0, L.MD.hires] == 0


def test_free_mover_share_over_time_sets_the_regime_of_those_hired_then():
    chosen = scenario('simulation={ mode = "cohort", horizon_months = 1, workers = 20000, seed = 3 }',
                      "participation.reservation_gain_usd=-1e9", "destinations.russia.free_mover_share=0.1",
                      "timeline.free_mover_share=0.6")
    workers = api.run(chosen, keep_workers=True).workers
    free, n = int((workers["regime"] == "free").sum()), len(workers)
    assert n > 15_000
    assert abs(free / n - 0.6) < SIGMAS * math.sqrt(0.6 * 0.4 / n)


def test_skim_multiplier_scales_the_managers_cut_of_those_hired_that_month():
    # degenerate workers: pay $700 a month of which managers keep 10%, times the multiplier 2.5
    chosen = scenario(*DEGENERATE, 'simulation={ mode = "cohort", horizon_months = 24, workers = 200, seed = 1 }',
                      "timeline.skim_multiplier=2.5")
    raw = engine.simulate(chosen)
    month = raw.monthly[3]
    workers = month[L.M.workers_active]
    assert month[L.M.to_managers_usd] == workers * 17_500  # 25% of $700, in cents
    assert month[L.M.to_state_usd] == workers * 52_500
    capped = engine.simulate(scenario(*DEGENERATE, 'simulation={ mode = "cohort", horizon_months = 24, '
                                                   'workers = 200, seed = 1 }', "timeline.skim_multiplier=50"))
    assert capped.monthly[3, L.M.to_state_usd] == 0  # the share is at most 1


@pytest.mark.parametrize("overrides, key, words", [
    (["timeline.by_destination.mars.recruit_open=0.0"], "timeline.by_destination.mars", "not a destination"),
    (["timeline.by_destination.russia.diversion_share=0.5"], "timeline.by_destination.russia.diversion_share",
     "does not say where"),
    (["timeline.by_destination.russia.diversion_share=0.5", 'timeline.by_destination.russia.diversion_to="russia"'],
     "timeline.by_destination.russia.diversion_to", "not another destination"),
    (["destinations.russia.free_mover_share=0.0", "destinations.russia.confined=true",
      "timeline.free_mover_share=0.2"], "timeline.free_mover_share", "confined"),
    (["timeline.by_destination.russia.wage_index=[[0, 1.0], [500, 0.5]]"],
     "timeline.by_destination.russia.wage_index", "past the horizon"),
])
def test_levers_by_destination_that_do_not_fit_are_refused_naming_the_key(overrides, key, words):
    with pytest.raises(ConfigError) as error:
        scenario(*overrides)
    assert any(f": {key}: " in line and words in line for line in error.value.problems), error.value.problems
