"""Statistics of a run's monthly series over a span of its months.

What a dated figure is compared with: a user's target (:mod:`sim.targets`) at a date or over a
date range, and a source figure about the standing workforce in a reform run, over the months
before the policy changes (:mod:`sim.calibration`). Each statistic reads one column of
``monthly.parquet`` (real-world scale) over months ``first`` to ``last``, both included.

>>> STATISTICS["state_revenue"].unit
'USD per year'
"""
from typing import NamedTuple

import numpy as np
import pandas as pd


class Statistic(NamedTuple):
    """How a statistic is read from the monthly series.

    ``column`` of ``monthly.parquet``; ``how``: ``mean`` (a stock: its mean over the months),
    ``total`` (a flow: its sum) or ``per_year`` (a money flow: its sum times 12 / months);
    ``unit`` with ``USD`` standing for the run's money unit.
    """

    column: str
    how: str
    unit: str
    description: str


STATISTICS = {
    "workers_abroad": Statistic("workers_active", "mean", "workers", "workers abroad (mean over the months)"),
    "hires": Statistic("hires", "total", "workers", "workers hired (total over the months)"),
    "returns": Statistic("returns", "total", "workers", "workers going home (total over the months)"),
    "early_returns": Statistic("early_returns", "total", "workers",
                               "workers going home before their contract's end (total over the months)"),
    "state_revenue": Statistic("to_state_usd", "per_year", "USD per year",
                               "paid to the state, per year (total over the months x 12 / months)"),
    "manager_skim": Statistic("to_managers_usd", "per_year", "USD per year",
                              "kept by managers and agents, per year (total x 12 / months)"),
    "gross_earnings": Statistic("gross_earnings_usd", "per_year", "USD per year",
                                "earned by the workers abroad, per year (total x 12 / months)"),
    "arrears_outstanding": Statistic("arrears_outstanding_usd", "mean", "USD",
                                     "contributions owed and not yet paid (mean over the months)"),
}
"""Statistic name -> how it is read (see :class:`Statistic`)."""


def over_months(monthly: pd.DataFrame, statistic: str, first: int, last: int) -> float:
    """The value of ``statistic`` over months ``first`` to ``last`` (both included) of ``monthly``.

    Parameters
    ----------
    monthly : DataFrame, one row per month with a ``month`` column (``monthly.parquet``)
    statistic : str, a key of :data:`STATISTICS`
    first, last : int, months of the run, ``0 <= first <= last < len(monthly)``

    Returns
    -------
    float, in the statistic's unit (workers, or the run's money unit, per year for a money flow)
    """
    months = monthly["month"]
    column = STATISTICS[statistic].column
    return of_months(statistic, monthly.loc[(months >= first) & (months <= last), column].to_numpy(dtype=float))


def of_months(statistic: str, values: np.ndarray) -> float:
    """The value of ``statistic`` from its column's ``values`` over some months, ``ndarray(float, (months,))``."""
    how = STATISTICS[statistic]
    if how.how == "mean":
        return float(values.mean())
    total = float(values.sum())
    return total * 12.0 / len(values) if how.how == "per_year" else total
