"""Calendar months: ``simulation.start = "2017-12"`` names month 0, and dates name months.

A date is a month written ``"YYYY-MM"``; month ``t`` of a run is ``t`` months after the start.
"""
import re

import pandas as pd

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
"""A calendar month, ``YYYY-MM``."""


def parse(text: str) -> tuple[int, int]:
    """(year, month) of ``"YYYY-MM"``; ValueError naming the expected form otherwise."""
    match = MONTH.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def months_after(start: str, date: str) -> int:
    """How many months ``date`` is after ``start`` (negative when before)."""
    (start_year, start_month), (year, month) = parse(start), parse(date)
    return (year - start_year) * 12 + (month - start_month)


def month_dates(start: str, months) -> pd.DatetimeIndex:
    """The first day of each of ``months`` (month indices of the run), from ``start``."""
    year, month = parse(start)
    first = pd.Timestamp(year=year, month=month, day=1)
    return pd.DatetimeIndex([first + pd.DateOffset(months=int(t)) for t in months])


def date_of(start: str, month: int) -> str:
    """``"YYYY-MM"`` of month ``month`` of a run that starts in ``start``."""
    year, first = parse(start)
    index = year * 12 + first - 1 + int(month)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"
