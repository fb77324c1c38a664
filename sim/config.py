"""The scenario schema: pydantic v2 models of a scenario file, and its validation.

Everything is checked at this edge, once: strict types, unknown keys refused,
shares in [0, 1], low <= high, categorical shares summing to 1, months > 0,
money within its limits. The key of every kernel parameter is a field built from its row
of :data:`sim.schema.PARAMS` (:func:`sim.fields.section_model`), and every timeline lever one
built from its row of :data:`sim.schema.LEVERS`; what is written here is the rest of each
section and the checks across its keys. :func:`sim.validation.validate` gathers every problem into
one :class:`ConfigError` whose lines each name the file and the dotted key path. Reading files
(bases, ``--set``) is :mod:`sim.scenario_file`.
"""
import math
from pathlib import Path
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Field, PrivateAttr, create_model, field_validator, model_validator

from sim import calendar, schema
from sim.fields import Section, Share, UsdAmount, UsdBound, section_model

SHARE_SUM_TOLERANCE = 1e-9
MAX_WORKERS = 10**10
"""Most simulated workers (slots) a run may ask for."""
SEED_LIMIT = 2**63
"""Seeds lie in ``[0, SEED_LIMIT)``."""


class ConfigError(Exception):
    """A scenario that cannot be run; ``problems`` lists one line per error."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _shares_sum_to_one(what):
    def check(items):
        total = math.fsum(item.share for item in items.values())
        if items and abs(total - 1.0) > SHARE_SUM_TOLERANCE:
            raise ValueError(f"{what} shares must sum to 1, they sum to {total:.12g}")
        return items

    return AfterValidator(check)


def _calendar_month(text: str) -> str:
    calendar.parse(text)
    return text


class _Simulation(Section):
    """How the population is simulated."""

    horizon_months: int = Field(gt=0, le=1200, description="months simulated (workers still abroad are then "
                                                           "followed until they return, outside the monthly series)")
    workers: int = Field(gt=0, le=MAX_WORKERS, description="simulated workers (slots); --workers overrides")
    seed: int = Field(ge=0, lt=SEED_LIMIT, description="run seed; --seed overrides")
    stock_target: int | None = Field(default=None, gt=0, description="stock mode: real posts abroad, each slot "
                                                                      "stands for stock_target / workers")
    cohort_size: int | None = Field(default=None, gt=0, description="cohort mode: real workers the cohort stands for")
    start: Annotated[str, AfterValidator(_calendar_month)] | None = Field(
        default=None, description="calendar month of month 0, YYYY-MM: monthly outputs get a date column, "
                                          "figures show dates, and timeline change points may be given as dates")
    money_unit: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$",
        description="currency of every amount of the scenario and its results, a three-letter code (USD; SUR, "
                    "the Soviet rouble): keys and columns keep their _usd names, what a reader sees names this unit")
    period: str = Field(
        default="present", pattern=r"^[a-z][a-z_]*$",
        description="the era the scenario describes (present, soviet): only source figures of this period "
                    "are compared with it")

    @model_validator(mode="after")
    def _mode_needs(self):
        if self.mode == "stock" and self.stock_target is None:
            raise ValueError("stock mode needs stock_target (real workers abroad)")
        if self.mode == "cohort" and self.stock_target is not None:
            raise ValueError("stock_target only applies to stock mode; use cohort_size")
        if self.mode == "stock" and self.cohort_size is not None:
            raise ValueError("cohort_size only applies to cohort mode")
        return self


Simulation = section_model("Simulation", "simulation", __name__, _Simulation)


class _Destination(Section):
    """A host country: its share of hires and what a job there is like."""

    free_mover_share: Share = Field(description="share of hires who live free rather than in a camp")
    confined: bool = Field(default=False, description="workers may not leave their work sites (China): no free "
                                                      "movers, so free_mover_share must be 0")

    @model_validator(mode="after")
    def _confined_means_camps(self):
        if self.confined and self.free_mover_share != 0.0:
            raise ValueError(f"a confined destination has no free movers: free_mover_share must be 0, "
                             f"not {self.free_mover_share}")
        return self


Destination = section_model("Destination", "destinations.<destination>", __name__, _Destination)
Skill = section_model("Skill", "skills.<skill>", __name__,
                      doc="A skill class: its share of hires and its earning-capacity multiplier.")
Regime = section_model("Regime", "regimes.<regime>", __name__,
                       doc="Living regime: camp (room and board, confined) or free (own housing and jobs).")


class Regimes(Section):
    """The two living regimes."""

    camp: Regime = Field(description="dormitories or rural camps, room and board provided, confined")
    free: Regime = Field(description="own housing, finds own jobs")


Home = section_model("Home", "home", __name__, doc="The stay-home counterfactual.")


class _Quota(Section):
    """The planned contribution, set at hiring and fixed in USD for the contract.

    ``retention``: Q = clip(W - X - K*, floor, cap), so the worker keeps K*.
    ``drawn``: Q is drawn from ``quota_usd_per_month``, then clipped likewise.
    """

    quota_usd_per_month: UsdAmount | None = Field(
        default=None, description="rule drawn: the planned contribution before clipping (USD a month)")
    floor_usd_per_month: UsdBound = Field(description="lowest planned contribution (USD a month)")
    cap_usd_per_month: UsdBound = Field(description="highest planned contribution (USD a month), before the "
                                                    "timeline's quota multiplier")

    @model_validator(mode="after")
    def _rule_inputs(self):
        if self.floor_usd_per_month > self.cap_usd_per_month:
            raise ValueError(
                f"floor_usd_per_month ({self.floor_usd_per_month}) is above cap_usd_per_month ({self.cap_usd_per_month})"
            )
        needed, other = (
            ("retention_usd_per_month", "quota_usd_per_month")
            if self.rule == "retention"
            else ("quota_usd_per_month", "retention_usd_per_month")
        )
        if getattr(self, needed) is None:
            raise ValueError(f"rule = \"{self.rule}\" needs {needed}")
        if getattr(self, other) is not None:
            raise ValueError(f"rule = \"{self.rule}\" does not use {other}")
        return self


Quota = section_model("Quota", "quota", __name__, _Quota)
Skim = section_model("Skim", "skim", __name__, doc="What managers and special-service agents keep of each payment.")
Wages = section_model("Wages", "wages", __name__, doc="Month-to-month variation of earnings.")
BribeFinance = section_model("BribeFinance", "bribe_finance", __name__, doc="Informal credit for the bribe.")
Return = section_model("Return", "return", __name__, doc="What happens to a worker's money as he goes home.")
Participation = section_model("Participation", "participation", __name__,
                              doc="Who, of the candidates for a post, decides to go.")
Status = section_model(
    "Status", "statuses.<status>", __name__,
    doc="A status other than the work permit (a student or tourist visa, ...), on which a worker ordered home by "
        "a repatriation order may stay abroad and work; docs/model.md, \"Repatriation order\".")


class Work(Section):
    """Working time, for the effective hourly pay."""

    hours_per_day: float = Field(gt=0.0, le=24.0, description="for the effective hourly pay only")
    days_per_month: float = Field(gt=0.0, le=31.0, description="for the effective hourly pay only")


ChangePoints = list[Annotated[list[float], Field(min_length=2, max_length=2)]]
"""``[[month, value], ...]``: the value holds from that month on; months rise from 0. A month may
be written as a date, ``"YYYY-MM"``, when ``simulation.start`` is set (see :func:`sim.validation.dated_months`)."""
Series = Union[float, ChangePoints]
LEVER_NAMES = tuple(lever.name for lever in schema.LEVERS)


class LeverTable(Section):
    """Monthly policy levers; a number is constant, change points step through the horizon.

    During the run-out after the horizon, every lever keeps its last month's value; month 0 of
    stock mode is the steady state under the month-0 values. The levers, their defaults, bounds
    and meanings are the rows of :data:`sim.schema.LEVERS`.
    """

    @classmethod
    def bounds(cls) -> dict[str, tuple[float, float]]:
        """Lever name -> (lowest, highest) value, from :data:`sim.schema.LEVERS`."""
        return {lever.name: (lever.low, lever.high) for lever in schema.LEVERS}

    @field_validator(*LEVER_NAMES, check_fields=False)
    @classmethod
    def _series_valid(cls, series, info):
        if series is None:
            return series
        low, high = cls.bounds()[info.field_name]
        points = [(0, series)] if isinstance(series, float) else series
        if any(not float(month).is_integer() for month, _ in points):
            raise ValueError("change-point months must be whole numbers")
        if not points or points[0][0] != 0:
            raise ValueError("change points must start at month 0")
        months = [month for month, _ in points]
        if any(b <= a for a, b in zip(months, months[1:])):
            raise ValueError("change-point months must rise strictly")
        for month, value in points:
            if not low <= value <= high:
                raise ValueError(f"value {value} at month {month:g} is outside [{low:g}, {high:g}]")
        return series

    def levers(self) -> dict[str, Series]:
        """Lever name -> its series, for the levers this table sets."""
        return {name: getattr(self, name) for name in LEVER_NAMES if getattr(self, name) is not None}


class RepatriationOrder(Section):
    """``[timeline.repatriation_order]``: work-permit holders ordered home (docs/model.md,
    "Repatriation order"). From ``start`` no new work permits (no hiring); each month from
    ``start`` the workers on a work permit are reached with a monthly hazard, combined with
    ``timeline.repatriation_hazard_per_month`` as 1 - (1 - lever)(1 - order); a worker reached goes
    home if he complies, else stays on a status of ``[statuses]``."""

    start: int = Field(ge=0, description="month (or \"YYYY-MM\" with simulation.start) from which no new work "
                                         "permits are issued and the order reaches work-permit holders")
    deadline: int = Field(gt=0, description="month (or \"YYYY-MM\") by which every work-permit holder has been "
                                            "reached: the hazard is 1 in the month before it and after it")
    shape: Literal["linear", "hazard"] = Field(
        description="linear: an even run-down, hazard 1 / (deadline - t) in months start <= t < deadline; hazard: "
                    "hazard_per_month from start, 1 in month deadline - 1 (everyone left is reached)")
    hazard_per_month: Share | None = Field(default=None, description="shape hazard only: the monthly hazard from "
                                                                     "start until the month before the deadline")
    compliance_share: Share = Field(default=1.0, description="probability that a worker reached by the "
                                                             "repatriation hazard goes home; the others stay abroad "
                                                             "on a status of [statuses] (needed when below 1)")

    @model_validator(mode="after")
    def _consistent(self):
        if self.deadline <= self.start:
            raise ValueError(f"deadline ({self.deadline}) must come after start ({self.start})")
        if self.shape == "hazard" and self.hazard_per_month is None:
            raise ValueError("shape = \"hazard\" needs hazard_per_month")
        if self.shape == "linear" and self.hazard_per_month is not None:
            raise ValueError("shape = \"linear\" does not use hazard_per_month (its hazard is 1 / (deadline - t))")
        return self

    def hazard(self, month: int) -> float:
        """The order's hazard in ``month`` for a worker on a work permit (0 before ``start``)."""
        if month < self.start:
            return 0.0
        if month >= self.deadline - 1:
            return 1.0
        return 1.0 / (self.deadline - month) if self.shape == "linear" else self.hazard_per_month


def _lever_fields(inherit: bool) -> dict:
    """Pydantic fields of the levers: defaults of :data:`sim.schema.LEVERS`, or (``inherit``) None,
    the shared timeline's value."""
    return {lever.name: (Series | None, Field(default=None if inherit else lever.default,
                                              description=lever.description)) for lever in schema.LEVERS}


DestinationTimeline = create_model(
    "DestinationTimeline", __base__=LeverTable, __module__=__name__,
    __doc__="A ``[timeline.by_destination.<name>]`` table: the levers that differ for this destination (the "
            "others are ``[timeline]``'s) and where its diverted candidates go.",
    diversion_to=(str | None, Field(default=None, description="the destination that candidates turned away here "
                                                              "go to, a share diversion_share of them")),
    repatriation_order=(RepatriationOrder | None, Field(
        default=None, description="a repatriation order at this destination alone (absent: [timeline]'s, if any)")),
    **_lever_fields(inherit=True))
Timeline = create_model(
    "Timeline", __base__=LeverTable, __module__=__name__, __doc__=LeverTable.__doc__,
    by_destination=(dict[str, DestinationTimeline], Field(
        default_factory=dict, description="levers for one destination, by its name: each key set there replaces "
                                          "[timeline]'s for that destination")),
    repatriation_order=(RepatriationOrder | None, Field(
        default=None, description="a repatriation order at every destination (absent: none): see "
                                  "[timeline.repatriation_order]")),
    **_lever_fields(inherit=False))
"""The ``[timeline]`` table: one field per row of :data:`sim.schema.LEVERS`, ``by_destination`` and the
optional ``repatriation_order``."""


class Calibration(Section):
    """The source figures a run is compared with."""

    seeds_file: str | None = Field(
        default=None, description="source figures, relative to the file that sets it; default: the "
                                  "project's seeds/figures.toml")
    targets_file: str | None = Field(
        default=None, description="a user's own dated figures (TOML, see configs/targets/), relative to the "
                                  "file that sets it; compared with the run at their dates (needs simulation.start)")
    tuning_scan: bool = Field(
        default=True, description="sim run also runs the scenario at 9 values of each tuned figure's parameter "
                                  "(tuning_scan.csv, tuning_scan.png): does the fit hold only on a knife-edge?")


class Scenario(Section):
    """A whole scenario file."""

    simulation: Simulation
    destinations: Annotated[dict[str, Destination], Field(min_length=1), _shares_sum_to_one("destination")]
    skills: Annotated[dict[str, Skill], Field(min_length=1), _shares_sum_to_one("skill")]
    regimes: Regimes
    home: Home
    quota: Quota
    skim: Skim
    wages: Wages
    bribe_finance: BribeFinance
    return_: Return = Field(alias="return")
    participation: Participation
    work: Work
    statuses: Annotated[dict[str, Status], _shares_sum_to_one("status")] = Field(
        default_factory=dict, description="statuses other than the work permit, by name: those who stay abroad "
                                          "against a repatriation order take one (none: everyone reached goes home)")
    timeline: Timeline = Timeline()
    calibration: Calibration = Calibration()

    _source_path: Path | None = PrivateAttr(default=None)
    _bases: tuple = PrivateAttr(default=())

    @property
    def source_path(self) -> Path | None:
        """The file this scenario was read from (None when built in code)."""
        return self._source_path

    @property
    def bases(self) -> tuple[Path, ...]:
        """The files this scenario extends (``extends = ...``), nearest first."""
        return self._bases

    def status_names(self) -> list[str]:
        """The statuses in kernel order: the work permit (0), then those of ``[statuses]``."""
        return [schema.WORK_PERMIT, *self.statuses]

    def quota_band(self, destination: "Destination") -> tuple[float, float]:
        """(floor, cap) of the planned contribution at ``destination`` (USD per month)."""
        floor = destination.quota_floor_usd_per_month
        cap = destination.quota_cap_usd_per_month
        return (self.quota.floor_usd_per_month if floor is None else floor,
                self.quota.cap_usd_per_month if cap is None else cap)

    def lever_series(self, destination: str, name: str) -> Series:
        """The series of lever ``name`` at ``destination``: its ``timeline.by_destination`` entry, else
        ``[timeline]``'s, else (a lever whose default is None) the destination's own key."""
        own = self.timeline.by_destination.get(destination)
        series = getattr(own, name) if own is not None else None
        series = getattr(self.timeline, name) if series is None else series
        return getattr(self.destinations[destination], name) if series is None else series

    def timeline_max(self, name: str, destination: str) -> float:
        """Largest value the timeline series ``name`` takes at ``destination``."""
        series = self.lever_series(destination, name)
        return series if isinstance(series, float) else max(value for _, value in series)

    def repatriation_order(self, destination: str):
        """The repatriation order at ``destination``: its ``timeline.by_destination`` entry's, else
        ``[timeline]``'s, else None."""
        own = self.timeline.by_destination.get(destination)
        order = own.repatriation_order if own is not None else None
        return self.timeline.repatriation_order if order is None else order

    def lever_tables(self):
        """(key path, table) of ``[timeline]`` and of each ``[timeline.by_destination.<name>]``."""
        yield "timeline", self.timeline
        for name, table in self.timeline.by_destination.items():
            yield f"timeline.by_destination.{name}", table

    def to_toml_dict(self) -> dict:
        """The resolved scenario as plain data, keys as written in TOML."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
