"""The kernel's parameters packed into two arrays and the timeline into one, laid out by the model table.

Every array a compiled call takes costs arguments and reference counting (see "Reference counts"
in :mod:`sim.kernel`), so, once per run and in plain NumPy, :class:`sim.params.KernelParams` is
packed into a table ``dists`` (one compiled distribution per row) and a vector ``values`` (the
rest), and :class:`sim.params.TimelineArrays` into ``tlm`` (horizon, columns): a
:class:`PackedParams`.

Each array is laid out in segments by axis (:data:`sim.schema.AXES`): one entry per destination
for each per-destination field, then one per skill for each per-skill field, one per regime for
each per-regime field, then the shared fields. Nothing is numbered by hand: :data:`DISTS`,
:data:`VALUES` and :data:`TIMELINE` name each field of :data:`sim.schema.PARAMS`,
:data:`sim.schema.LEVERS` and :data:`sim.schema.TIMELINE_COLUMNS` by a code (axis, field,
and the array's per-axis field counts), a module constant that Numba freezes, and :func:`at`
turns a code into a place:

    values[at(VALUES.quota_floor_usd_per_month, n_dest, n_skill, destination)]
    draw(dists, at(DISTS.skim_share, n_dest, n_skill, 0), key, D_SKIM)
    tlm[t, at(TIMELINE.wage_index, n_dest, n_skill, destination)]
"""
from collections import namedtuple
from typing import NamedTuple

import numpy as np

from sim import schema
from sim.jit import inlined
from sim.sampling import DIST_WIDTH

DESTINATION, SKILL, REGIME, SHARED, STATUS = range(len(schema.AXES))
N_REGIMES = len(schema.REGIMES)


def _codes(fields, type_name):
    """A NamedTuple naming each (name, axis) of ``fields`` by its code: (axis, index within the
    axis's segment, fields per destination, per skill, per regime, shared fields and fields per
    status of the whole array)."""
    axes = [schema.AXES.index(axis) for _, axis in fields]
    counts = [axes.count(axis) for axis in range(len(schema.AXES))]
    codes = [(axis, axes[:i].count(axis), counts[DESTINATION], counts[SKILL], counts[REGIME], counts[SHARED],
              counts[STATUS]) for i, axis in enumerate(axes)]
    return namedtuple(type_name, [name for name, _ in fields])(*codes)


DISTS = _codes([(p.name, p.axis) for p in schema.params("dists")], "DistRows")
"""Rows of ``dists``: one compiled distribution per row."""
VALUES = _codes([(p.name, p.axis) for p in schema.params("values")], "ValueIndices")
"""Entries of ``values`` (float64; a flag is 1.0 or 0.0)."""
TIMELINE = _codes([(lever.name, "destination") for lever in schema.LEVERS if lever.packed]
                  + [(column.name, "destination") for column in schema.TIMELINE_COLUMNS], "TimelineColumns")
"""Columns of ``tlm``, one row per month, one column per destination for each."""


@inlined
def at(code, n_dest, n_skill, which):
    """Place of the field ``code`` (of DISTS, VALUES or TIMELINE) for destination, skill, regime
    or status ``which`` (0 for a shared field; 0 for the first status of ``[statuses]``) in its
    array, with ``n_dest`` destinations and ``n_skill`` skills. The per-status fields come last,
    status by status, so their places need no count of statuses."""
    axis, field, destination_fields, skill_fields, regime_fields, shared_fields, status_fields = code
    if axis == DESTINATION:
        return field * n_dest + which
    start = destination_fields * n_dest
    if axis == SKILL:
        return start + field * n_skill + which
    start += skill_fields * n_skill
    if axis == REGIME:
        return start + field * N_REGIMES + which
    start += regime_fields * N_REGIMES
    if axis == SHARED:
        return start + field
    return start + shared_fields + which * status_fields + field


def _length(codes, n_dest, n_skill, n_status) -> int:
    """Entries of the array ``codes`` names, with ``n_status`` statuses."""
    return max((at.py_func(code, n_dest, n_skill, n_status - 1 if code[0] == STATUS else 0) + 1 for code in codes),
               default=0)


class PackedParams(NamedTuple):
    """What the kernel reads: ``dists`` (rows of compiled distributions, float64), ``values``
    (float64 scalars), ``tlm`` (float64, (horizon, len(TIMELINE) * destinations)), and the numbers of
    destinations and skills that place them."""

    dists: np.ndarray
    values: np.ndarray
    tlm: np.ndarray
    n_dest: int
    n_skill: int


def _entries(p, name, axis):
    """The entries of KernelParams field ``name``: one per destination, skill or regime (one if shared)."""
    value = getattr(p, name)
    return [value] if axis == "shared" else value


def pack(p, tl) -> PackedParams:
    """Pack KernelParams ``p`` and TimelineArrays ``tl`` as DISTS, VALUES and TIMELINE place them."""
    n_dest = len(p.destination_cumulative_share)
    n_skill = len(p.skill_cumulative_share)
    n_status = int(p.status_count)
    dists = np.zeros((_length(DISTS, n_dest, n_skill, n_status), DIST_WIDTH))
    values = np.zeros(_length(VALUES, n_dest, n_skill, n_status))
    for array, packed, rows in ((dists, DISTS, schema.params("dists")), (values, VALUES, schema.params("values"))):
        for row in rows:
            for which, entry in enumerate(_entries(p, row.name, row.axis)):
                array[at.py_func(getattr(packed, row.name), n_dest, n_skill, which)] = entry
    tlm = np.empty((tl[0].shape[0], len(TIMELINE) * n_dest))
    columns = [(lever.name, getattr(tl, lever.name)) for lever in schema.LEVERS if lever.packed]
    columns += [(column.name, column.formula(tl)) for column in schema.TIMELINE_COLUMNS]
    for name, monthly in columns:
        first = at.py_func(getattr(TIMELINE, name), n_dest, n_skill, 0)
        tlm[:, first : first + n_dest] = monthly
    return PackedParams(dists, values, tlm, n_dest, n_skill)
