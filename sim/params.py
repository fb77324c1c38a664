"""Compile a validated scenario into the plain arrays and scalars the kernel reads.

Distributions become float64 rows (see :mod:`sim.sampling`); categorical
shares become cumulative arrays; the policy timeline becomes one float64 array
per series, of length ``horizon_months``. Nothing here is random.
"""
from typing import NamedTuple

import numpy as np

from sim.config import Scenario, Timeline
from sim.layout import REGIMES


class KernelParams(NamedTuple):
    """Worker-level parameters. ``D`` destinations, ``S`` skills, 2 regimes (camp, free);
    a ``dist`` is a compiled distribution row of :data:`sim.sampling.DIST_WIDTH` floats."""

    destination_cumulative_share: np.ndarray  # float (D,)
    free_mover_share: np.ndarray  # float (D,), share of hires living free
    bribe_usd: np.ndarray  # dist (D, .), USD paid up front
    contract_months: np.ndarray  # dist (D, .), whole months
    earning_capacity_usd_per_month: np.ndarray  # dist (D, .), gross USD per month when employed
    skill_cumulative_share: np.ndarray  # float (S,)
    skill_wage_multiplier: np.ndarray  # float (S,)
    regime_earnings_multiplier: np.ndarray  # float (2,)
    expenses_usd_per_month: np.ndarray  # dist (2, .)
    idle_probability_per_month: np.ndarray  # float (2,)
    early_return_hazard_per_month: np.ndarray  # dist (2, .)
    home_wage_usd_per_month: np.ndarray  # dist (.), the stay-home counterfactual
    quota_from_retention: bool  # True: Q = clip(W - X - K*); False: Q = clip(drawn)
    quota_input_usd_per_month: np.ndarray  # dist (.), K* or the drawn Q
    quota_floor_usd_per_month: np.ndarray  # float (D,), the band Q is clipped to, by destination
    quota_cap_usd_per_month: np.ndarray  # float (D,)
    skim_share: np.ndarray  # dist (.), share of each payment kept by managers
    wage_shock_sd: float  # sd of the monthly multiplicative earnings shock
    borrowed_share: float  # share of bribes financed by a loan
    interest_rate_per_month: float  # on bribe loans, compounded monthly
    travel_cost_usd: np.ndarray  # dist (.), paid from savings at return
    arrears_deducted: bool  # True: arrears at return come out of cash home
    reservation_gain_usd: float  # minimum expected net gain for a candidate to go
    longest_contract_months: int  # upper bound of every contract distribution
    stock_mode: bool  # True: slots are refilled and start at steady state


TimelineArrays = NamedTuple("TimelineArrays", [(name, np.ndarray) for name in Timeline.model_fields])
TimelineArrays.__doc__ = """The policy timeline: one float64 array of length ``horizon_months`` per lever of
:class:`sim.config.Timeline` (same names, same order; see each field's description)."""


def _cumulative(shares):
    cumulative = np.cumsum(np.asarray(shares, dtype=np.float64))
    cumulative[-1] = 1.0
    return cumulative


def compile_timeline(timeline: Timeline, horizon_months: int) -> TimelineArrays:
    """Expand constants and change points into monthly arrays."""
    arrays = {}
    for name in TimelineArrays._fields:
        series = getattr(timeline, name)
        values = np.empty(horizon_months)
        points = [(0, series)] if isinstance(series, float) else series
        for index, (month, value) in enumerate(points):
            end = int(points[index + 1][0]) if index + 1 < len(points) else horizon_months
            values[int(month) : end] = value
        arrays[name] = values
    return TimelineArrays(**arrays)


def compile_params(scenario: Scenario) -> KernelParams:
    """Build the kernel's parameter tuple from a validated scenario."""
    destinations = list(scenario.destinations.values())
    skills = list(scenario.skills.values())
    regimes = [getattr(scenario.regimes, name) for name in REGIMES]
    quota = scenario.quota
    retention = quota.rule == "retention"
    return KernelParams(
        destination_cumulative_share=_cumulative([d.share for d in destinations]),
        free_mover_share=np.array([d.free_mover_share for d in destinations]),
        bribe_usd=np.stack([d.bribe_usd.compile() for d in destinations]),
        contract_months=np.stack([d.contract_months.compile() for d in destinations]),
        earning_capacity_usd_per_month=np.stack([d.earning_capacity_usd_per_month.compile() for d in destinations]),
        skill_cumulative_share=_cumulative([s.share for s in skills]),
        skill_wage_multiplier=np.array([s.wage_multiplier for s in skills]),
        regime_earnings_multiplier=np.array([r.earnings_multiplier for r in regimes]),
        expenses_usd_per_month=np.stack([r.expenses_usd_per_month.compile() for r in regimes]),
        idle_probability_per_month=np.array([r.idle_probability_per_month for r in regimes]),
        early_return_hazard_per_month=np.stack([r.early_return_hazard_per_month.compile() for r in regimes]),
        home_wage_usd_per_month=scenario.home.wage_usd_per_month.compile(),
        quota_from_retention=retention,
        quota_input_usd_per_month=(quota.retention_usd_per_month if retention else quota.quota_usd_per_month).compile(),
        quota_floor_usd_per_month=np.array([scenario.quota_band(d)[0] for d in destinations]),
        quota_cap_usd_per_month=np.array([scenario.quota_band(d)[1] for d in destinations]),
        skim_share=scenario.skim.share.compile(),
        wage_shock_sd=scenario.wages.monthly_shock_sd,
        borrowed_share=scenario.bribe_finance.borrowed_share,
        interest_rate_per_month=scenario.bribe_finance.interest_rate_per_month,
        travel_cost_usd=scenario.return_.travel_cost_usd.compile(),
        arrears_deducted=scenario.return_.arrears_at_return == "deducted",
        reservation_gain_usd=scenario.participation.reservation_gain_usd,
        longest_contract_months=int(max(d.contract_months.support()[1] for d in destinations)),
        stock_mode=scenario.simulation.mode == "stock",
    )
