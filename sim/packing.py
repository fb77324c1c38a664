"""The kernel's parameters packed into two arrays and the timeline into one.

Every array passed to a compiled function costs 7 to 11 machine words of arguments (a
NamedTuple of 25 fields came to 128 words) and reference counting (see :mod:`sim.kernel`).
So, once per run and in plain NumPy (compiling it
cost seconds), the distribution rows of :class:`sim.params.KernelParams` are packed into one
table ``dists`` and its scalars into one vector ``values``, and
:class:`sim.params.TimelineArrays` into one (horizon, T_COUNT) array ``tlm``: a
:class:`PackedParams`. The RD_, RR_, R_, VD_, VS_, V_ and T_ constants name what is where; the
``*_row`` and ``*_at`` functions, compiled, find them in the kernel.
"""
from typing import NamedTuple

import numpy as np
from numba import njit

from sim import layout as L

# ``dists`` has one row per destination for each RD_ field, then one row per regime for each
# RR_ field, then one row for each R_ field (see destination_row, regime_row, shared_row):
(RD_BRIBE, RD_CONTRACT, RD_CAPACITY) = range(3)
RD_COUNT = 3
(RR_EXPENSES, RR_HAZARD) = range(2)
RR_COUNT = 2
(R_HOME_WAGE, R_QUOTA_INPUT, R_SKIM, R_TRAVEL) = range(4)
R_COUNT = 4
# ``values`` starts with one segment of D entries per VD_ field (segment k at k D), then one
# segment of S entries per VS_ field (at VD_COUNT D + k S), then the V_ scalars (at scalars_start):
(VD_CUMULATIVE_SHARE, VD_FREE_MOVER_SHARE, VD_QUOTA_FLOOR, VD_QUOTA_CAP) = range(4)
VD_COUNT = 4
(VS_CUMULATIVE_SHARE, VS_WAGE_MULTIPLIER) = range(2)
VS_COUNT = 2
(V_REGIME_MULT, V_IDLE, V_QUOTA_FROM_RETENTION, V_SHOCK_SD, V_BORROWED_SHARE,
 V_INTEREST, V_ARREARS_DEDUCTED, V_RESERVATION, V_LONGEST_CONTRACT, V_STOCK_MODE) = (0, 2, 4, 5, 6, 7, 8, 9, 10, 11)
V_COUNT = 12
# columns of the packed timeline ``tlm`` (horizon, T_COUNT), one row per month:
(T_WAGE_INDEX, T_QUOTA_MULTIPLIER, T_STAY, T_INTAKE, T_BRIBE_MULTIPLIER) = range(5)
T_COUNT = 5


@njit(cache=True, inline="always")
def destination_row(field, n_dest, destination):
    """Row of ``dists`` holding an RD_ ``field`` of ``destination``."""
    return field * n_dest + destination


@njit(cache=True, inline="always")
def regime_row(field, n_dest, regime):
    """Row of ``dists`` holding an RR_ ``field`` of ``regime``."""
    return RD_COUNT * n_dest + field * len(L.REGIMES) + regime


@njit(cache=True, inline="always")
def shared_row(field, n_dest):
    """Row of ``dists`` holding an R_ ``field`` (one distribution for everyone)."""
    return RD_COUNT * n_dest + RR_COUNT * len(L.REGIMES) + field


@njit(cache=True, inline="always")
def destination_at(field, n_dest, destination):
    """Index in ``values`` of a VD_ ``field`` of ``destination``."""
    return field * n_dest + destination


@njit(cache=True, inline="always")
def skill_at(field, n_dest, n_skill, skill):
    """Index in ``values`` of a VS_ ``field`` of ``skill``."""
    return VD_COUNT * n_dest + field * n_skill + skill


@njit(cache=True, inline="always")
def scalars_start(n_dest, n_skill):
    """Index in ``values`` of the first V_ scalar."""
    return VD_COUNT * n_dest + VS_COUNT * n_skill


class PackedParams(NamedTuple):
    """What the kernel reads: ``dists`` (rows of compiled distributions, float64), ``values``
    (float64 scalars), ``tlm`` (float64, (horizon, T_COUNT)), and the numbers of destinations and
    skills that place them."""

    dists: np.ndarray
    values: np.ndarray
    tlm: np.ndarray
    n_dest: int
    n_skill: int


def pack(p, tl) -> PackedParams:
    """Pack KernelParams ``p`` and TimelineArrays ``tl``; see the R_, V_ and T_ constants."""
    n_dest = p.destination_cumulative_share.shape[0]
    n_skill = p.skill_cumulative_share.shape[0]
    dists = np.empty((shared_row.py_func(R_COUNT, n_dest), p.bribe_usd.shape[1]))
    for d in range(n_dest):
        dists[destination_row.py_func(RD_BRIBE, n_dest, d)] = p.bribe_usd[d]
        dists[destination_row.py_func(RD_CONTRACT, n_dest, d)] = p.contract_months[d]
        dists[destination_row.py_func(RD_CAPACITY, n_dest, d)] = p.earning_capacity_usd_per_month[d]
    for r in range(len(L.REGIMES)):
        dists[regime_row.py_func(RR_EXPENSES, n_dest, r)] = p.expenses_usd_per_month[r]
        dists[regime_row.py_func(RR_HAZARD, n_dest, r)] = p.early_return_hazard_per_month[r]
    dists[shared_row.py_func(R_HOME_WAGE, n_dest)] = p.home_wage_usd_per_month
    dists[shared_row.py_func(R_QUOTA_INPUT, n_dest)] = p.quota_input_usd_per_month
    dists[shared_row.py_func(R_SKIM, n_dest)] = p.skim_share
    dists[shared_row.py_func(R_TRAVEL, n_dest)] = p.travel_cost_usd
    base = scalars_start.py_func(n_dest, n_skill)
    values = np.empty(base + V_COUNT)
    for field, per_destination in ((VD_CUMULATIVE_SHARE, p.destination_cumulative_share),
                                   (VD_FREE_MOVER_SHARE, p.free_mover_share),
                                   (VD_QUOTA_FLOOR, p.quota_floor_usd_per_month),
                                   (VD_QUOTA_CAP, p.quota_cap_usd_per_month)):
        values[destination_at.py_func(field, n_dest, 0):destination_at.py_func(field, n_dest, n_dest)] = per_destination
    for field, per_skill in ((VS_CUMULATIVE_SHARE, p.skill_cumulative_share),
                             (VS_WAGE_MULTIPLIER, p.skill_wage_multiplier)):
        values[skill_at.py_func(field, n_dest, n_skill, 0):skill_at.py_func(field, n_dest, n_skill, n_skill)] = per_skill
    values[base + V_REGIME_MULT:base + V_REGIME_MULT + 2] = p.regime_earnings_multiplier
    values[base + V_IDLE:base + V_IDLE + 2] = p.idle_probability_per_month
    values[base + V_QUOTA_FROM_RETENTION] = 1.0 if p.quota_from_retention else 0.0
    values[base + V_SHOCK_SD] = p.wage_shock_sd
    values[base + V_BORROWED_SHARE] = p.borrowed_share
    values[base + V_INTEREST] = p.interest_rate_per_month
    values[base + V_ARREARS_DEDUCTED] = 1.0 if p.arrears_deducted else 0.0
    values[base + V_RESERVATION] = p.reservation_gain_usd
    values[base + V_LONGEST_CONTRACT] = p.longest_contract_months
    values[base + V_STOCK_MODE] = 1.0 if p.stock_mode else 0.0
    tlm = np.empty((tl.wage_index.shape[0], T_COUNT))
    tlm[:, T_WAGE_INDEX] = tl.wage_index
    tlm[:, T_QUOTA_MULTIPLIER] = tl.quota_multiplier
    tlm[:, T_STAY] = 1.0 - tl.repatriation_hazard_per_month  # the float the hot loop used to compute
    tlm[:, T_INTAKE] = tl.recruit_open * tl.intake_multiplier
    tlm[:, T_BRIBE_MULTIPLIER] = tl.bribe_multiplier
    return PackedParams(dists, values, tlm, n_dest, n_skill)
