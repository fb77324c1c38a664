"""The column names and indices of the kernel's outputs, derived from :data:`sim.outputs.COLUMNS`.

The kernel fills integer arrays; each table's columns are named by a NamedTuple of plain ints
(``M.gross_earnings_usd`` is the column of gross earnings in ``monthly``), a module-level
constant that Numba freezes when it compiles. Money is held in whole US cents (int64) so that
sums are exact and independent of the order in which threads add them. What each column holds
is in :data:`sim.outputs.COLUMNS` and docs/columns.md.
"""
from collections import namedtuple

from sim import outputs, schema

CHUNK_WORKERS = 16_384
"""Slots per chunk: a constant, never derived from the thread count."""
REGIMES = schema.REGIMES
CAMP, FREE = range(len(REGIMES))


def _indices(table: str, type_name: str):
    """A NamedTuple whose fields are the column names of ``table`` and whose values their indices."""
    names = [column.name for column in outputs.columns(table)]
    return namedtuple(type_name, names)(*range(len(names)))


INDICES = {table: _indices(table, "".join(word.title() for word in table.split("_")) + "Columns")
           for table in outputs.OUTPUT_TABLES}
"""Table name -> the NamedTuple of its column indices."""
M = INDICES["monthly"]
"""Columns of the monthly accumulator, (horizon_months, len(MONTHLY_SERIES)); USD in cents.
``to_state_usd`` and ``to_managers_usd`` include the arrears collected from workers going home
that month, so ``kept_usd`` is what the workers' savings grew by."""
MD = INDICES["monthly_by_destination"]
"""Columns of the monthly accumulator by destination, (horizon_months, destinations,
len(MONTHLY_BY_DESTINATION)); USD in cents, summing over destinations to the same columns of ``M``."""
MS = INDICES["monthly_by_status"]
"""Columns of the monthly accumulator by status, (horizon_months, 1 + statuses, len(MONTHLY_BY_STATUS)):
the work permit, then each status of ``[statuses]``; USD in cents, summing over statuses to the
same columns of ``M``."""
C = INDICES["cells"]
"""Columns of the per-cell totals over returned hires of the run, (cells, len(CELL_TOTALS)); USD in
cents."""
H = INDICES["histograms"]
"""Household outcomes kept as histograms (see :mod:`sim.bins`) per cell: cents, or months."""
W, WC, WV = INDICES["worker_codes"], INDICES["worker_cents"], INDICES["worker_values"]
"""Columns of the per-worker records: integers, money in cents, floats."""

MONTHLY_SERIES = M._fields
MONTHLY_BY_DESTINATION = MD._fields
MONTHLY_BY_STATUS = MS._fields
CELL_TOTALS = C._fields
OUTCOME_METRICS = H._fields
WORKER_CODES = W._fields
WORKER_CENTS = WC._fields
WORKER_VALUES = WV._fields
