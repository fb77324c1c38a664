"""Text that figures put on the page: numbers with their units, readable names, policy dates.

Kept apart from :mod:`sim.plots` so that what a label *says* can be tested without drawing:
an analyst pastes a figure into a report, and every number on it has to carry its unit
("$247.0m a year", "29,887 workers", "$168 a month") and every name has to read as words
("Kept per month, Russia", not ``kept_per_month_russia``).

>>> usd(247_017_687.0)
'$247.0m'
>>> with_unit(168.2, "USD per month")
'$168 a month'
>>> humanise("kept_per_month_russia", "russia")
'Kept per month, Russia'

Money is in the run's unit (``simulation.money_unit``): US dollars show as ``$``, any other
three-letter code after the amount (``with_unit(3400, "SUR") == '3,400 SUR'``), and a label
written in dollars is put into the run's unit by :func:`in_unit`.
"""
from __future__ import annotations

import math
import re
from typing import NamedTuple

MONEY_CODE = re.compile(r"^[A-Z]{3}$")
"""A money unit: a three-letter currency code (USD, SUR)."""
SYMBOLS = {"USD": "$"}
"""Units written as a symbol before the amount; any other code follows it."""

PER = {"month": "a month", "year": "a year", "day": "a day", "hour": "an hour", "worker": "per worker"}
"""How "USD per X" reads after an amount: "$168 a month"."""


def missing(value) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | None, _position=None) -> str:
    """Format a number with thousands separators; three significant digits below 100; "n/a" for None or NaN."""
    if missing(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def money(value: float | None, code: str = "USD") -> str:
    """An amount in the money unit ``code`` with SI-style abbreviations: ``$1.2bn``, ``$247.0m``,
    ``$3,383``, ``-$43``; ``3,400 SUR``, ``2.1m SUR`` for a unit without a symbol."""
    if missing(value):
        return "n/a"
    sign, text = ("-" if value < 0 else ""), _amount(abs(value))
    return f"{sign}{SYMBOLS[code]}{text}" if code in SYMBOLS else f"{sign}{text} {code}"


def _amount(size: float) -> str:
    """A non-negative amount, abbreviated from a million up: ``1.2bn``, ``247.0m``, ``3,383``."""
    return f"{size / 1e9:.1f}bn" if size >= 1e9 else f"{size / 1e6:.1f}m" if size >= 1e6 else number(size)


def usd(value: float | None) -> str:
    """An amount of US dollars: ``money(value, "USD")``."""
    return money(value, "USD")


def run_money_unit(manifest: dict) -> str:
    """The money unit of a saved run, from its ``manifest.json`` (USD for runs saved before it was recorded)."""
    return manifest.get("money_unit") or "USD"


def money_unit_of(unit: str | None) -> str | None:
    """The money unit a figure's unit is in (``"SUR per month"`` -> ``"SUR"``), None when not money."""
    first = (unit or "").strip().split(" ", 1)[0]
    return first if MONEY_CODE.match(first) else None


def in_unit(text: str, code: str) -> str:
    """A label written in US dollars put into the money unit ``code``:
    ``in_unit("kept per month, USD", "SUR") == 'kept per month, SUR'``."""
    return re.sub(r"\bUSD\b", code, text)


def with_unit(value: float | None, unit: str) -> str:
    """``value`` written with its ``unit`` as a calibration table names it.

    ``USD`` -> ``$599``; ``USD per month`` -> ``$168 a month``; ``USD per year`` ->
    ``$247.0m a year``; ``SUR`` -> ``3,400 SUR``; ``share`` -> ``5.0%``; anything else ->
    ``29,887 workers``.
    """
    if missing(value):
        return "n/a"
    unit = (unit or "").strip()
    code = money_unit_of(unit)
    if code is not None:
        per = unit.removeprefix(code).strip().removeprefix("per ")
        return f"{money(value, code)} {PER.get(per, 'per ' + per)}" if per else money(value, code)
    if unit == "share":
        return f"{value:.1%}"
    return f"{number(value)} {unit}".strip()


def span(low: float, high: float, unit: str) -> str:
    """A source range with its unit once: ``$150 to $300 a month``, ``27,000 to 33,000 workers``;
    a single value when ``low == high``."""
    if low == high:
        return with_unit(low, unit)
    unit = (unit or "").strip()
    code = money_unit_of(unit)
    if code is not None:  # $150 to $300 a month; 11.5m to 11.7m SUR a year
        first = money(low, code) if code in SYMBOLS else ("-" if low < 0 else "") + _amount(abs(low))
        return f"{first} to {with_unit(high, unit)}"
    if unit == "share":
        return f"{low:.1%} to {high:.1%}"
    return f"{number(low)} to {with_unit(high, unit)}"


def place(name: str | None) -> str:
    """A destination's key as a place name: ``middle_east`` -> ``Middle East``."""
    return " ".join(word.capitalize() for word in str(name).replace("_", " ").split())


def humanise(name: str, destination: str | None = None) -> str:
    """A snake_case id as words, its destination suffix after a comma.

    ``kept_per_month_russia`` (destination ``russia``) -> ``Kept per month, Russia``;
    ``home_wage`` -> ``Home wage``.
    """
    name = str(name)
    where = ""
    if not missing(destination) and destination and name.endswith("_" + str(destination)):
        name = name[: -len(str(destination)) - 1]
        where = ", " + place(destination)
    words = name.replace("_", " ").strip()
    return (words[:1].upper() + words[1:] + where) if words else place(destination)


def lever(name: str) -> str:
    """A timeline series' key as words: ``quota_multiplier`` -> ``quota multiplier``."""
    return name.replace("_", " ")


class ChangePoint(NamedTuple):
    """One policy date: the month (since start of run) and what changes then."""

    month: float
    text: str


def lever_series(timeline: dict | None) -> list[tuple[str, str, float | list]]:
    """(name, words, series) of each lever a manifest's ``config['timeline']`` sets: ``[timeline]``'s
    (``quota multiplier``), then each destination's (``russia: recruit open``)."""
    timeline = timeline or {}
    entries = [(name, lever(name), series) for name, series in timeline.items() if name != "by_destination"]
    for destination, table in (timeline.get("by_destination") or {}).items():
        entries += [(name, f"{place(destination)}: {lever(name)}", series) for name, series in table.items()
                    if name != "diversion_to"]
    return entries


def change_points(timeline: dict | None) -> list[ChangePoint]:
    """Change points after month 0 of a manifest's ``config['timeline']``, one per month.

    Series given as one number never change and give none. Levers changing in the same
    month share one entry, e.g. ``ChangePoint(24.0, 'quota multiplier 1.3')``.
    """
    by_month: dict[float, list[str]] = {}
    for _, words, series in lever_series(timeline):
        if not isinstance(series, list):
            continue
        for month, value in series:
            if month > 0:
                by_month.setdefault(float(month), []).append(f"{words} {number(value)}")
    return [ChangePoint(month, "; ".join(texts)) for month, texts in sorted(by_month.items())]
