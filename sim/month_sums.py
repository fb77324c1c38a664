"""Adding a block's month into the run's monthly series: overall, by destination and by status.

Each function takes a block's :class:`sim.worker.MonthSums` or one returning worker and adds, in
whole cents, into one group's rows of the accumulators of :class:`sim.kernel.Accumulators`. All
are :func:`sim.jit.inlined` into the block loop (:func:`sim.kernel._simulate_block`).
"""
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from sim import layout as L
from sim.jit import inlined
from sim.worker import (BLOCK_SLOTS, I_ARREARS, I_EXPENSES_CENTS, I_MONTH_GROSS, I_MONTH_MANAGERS, I_MONTH_STATE,
                        I_OCCUPIED)


@inlined
def undo_returns(monthly, t, whole, switched):
    """Undo, in row ``t`` of ``monthly``, the return of the workers in ``switched``: the month pass
    counted them going home early, but they stay on another status, owing their arrears."""
    while switched:
        i = np.int64(trailing_zeros(switched))
        switched &= switched - np.uint64(1)
        monthly[t, L.M.returns] -= 1
        monthly[t, L.M.early_returns] -= 1
        monthly[t, L.M.arrears_outstanding_usd] += whole[I_ARREARS, i]


@inlined
def add_month(monthly, t, sums):
    """Add a block's :class:`sim.worker.MonthSums` to row ``t`` of ``monthly``."""
    monthly[t, L.M.workers_active] += sums.active
    monthly[t, L.M.gross_earnings_usd] += sums.gross
    monthly[t, L.M.to_state_usd] += sums.to_state
    monthly[t, L.M.to_managers_usd] += sums.to_managers
    monthly[t, L.M.expenses_usd] += sums.expenses
    monthly[t, L.M.arrears_outstanding_usd] += sums.arrears
    monthly[t, L.M.returns] += sums.returns
    monthly[t, L.M.early_returns] += sums.early_returns
    monthly[t, L.M.contract_months_sum] += sums.contract_months
    monthly[t, L.M.months_served_sum] += sums.months_served


@inlined
def add_by_group(table, columns, t, whole, row, n_groups, sums):
    """Month ``t``'s pass by group (destination or status: the row ``row`` of ``whole`` that names
    each slot's group) into ``table`` (columns ``columns``, :data:`sim.layout.MD` or ``MS``):
    workers, expenses, and the month's earnings and payments of each slot (the I_MONTH_ rows
    :func:`sim.worker.month_pass` leaves), summed over each group's workers but the last, which
    gets what remains of the block's ``sums``. Kept money is gross - expenses - to state - to
    managers. Branch-free: a slot's values are masked with all ones or all zeros (no int64
    multiply, which AVX2 lacks)."""
    active, expenses, gross = sums.active, sums.expenses, sums.gross
    to_state, to_managers = sums.to_state, sums.to_managers
    for d in range(n_groups):
        if d < n_groups - 1:
            d_active = d_expenses = d_gross = d_state = d_managers = np.int64(0)
            for i in range(BLOCK_SLOTS):
                mine = np.int64(0) - np.int64((whole[row, i] == d) & (whole[I_OCCUPIED, i] != 0))
                d_active -= mine
                d_expenses += whole[I_EXPENSES_CENTS, i] & mine
                d_gross += whole[I_MONTH_GROSS, i] & mine
                d_state += whole[I_MONTH_STATE, i] & mine
                d_managers += whole[I_MONTH_MANAGERS, i] & mine
            active, expenses, gross = active - d_active, expenses - d_expenses, gross - d_gross
            to_state, to_managers = to_state - d_state, to_managers - d_managers
        else:
            d_active, d_expenses, d_gross, d_state, d_managers = active, expenses, gross, to_state, to_managers
        table[t, d, columns.workers_active] += d_active
        table[t, d, columns.expenses_usd] += d_expenses
        table[t, d, columns.gross_earnings_usd] += d_gross
        table[t, d, columns.to_state_usd] += d_state
        table[t, d, columns.to_managers_usd] += d_managers
        table[t, d, columns.kept_usd] += d_gross - d_expenses - d_state - d_managers


@inlined
def add_return_by_group(table, columns, t, group, arrears_to_state, arrears_to_managers):
    """A worker going home from ``group`` (destination or status) after month ``t`` into ``table``
    (columns ``columns``), with the arrears collected from his savings (cents)."""
    table[t, group, columns.returns] += 1
    table[t, group, columns.to_state_usd] += arrears_to_state
    table[t, group, columns.to_managers_usd] += arrears_to_managers
    table[t, group, columns.kept_usd] -= arrears_to_state + arrears_to_managers
