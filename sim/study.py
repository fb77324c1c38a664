"""A study file: which inputs a sweep varies, how it samples them, and what it keeps.

Run-level uncertainty, not worker-level variability (``MODEL.md`` section 2): a study draws
the *values* a scenario file would hold (the mean quota, the skim share, the stock), one set
per design point, and each point is a whole engine run whose workers vary inside it. ::

    base = "../baseline.toml"            # a scenario file, relative to this file; or instead
    # model = "package.module:function"  # a callable: dict of inputs -> dict of outputs
    workers = 100_000                    # simulated workers per run (default: the base's)
    outputs = ["state_revenue_usd_per_year", "cash_home_usd.p50", "share_worse_off_than_home"]
    monthly = ["to_state_usd"]           # monthly series kept for the fan chart

    [design]
    kind = "lhs"                         # "lhs", "sobol" (scrambled) or "grid"
    points = 50                          # sampled points (grid: values per uncertainty)
    replications = 2                     # runs per point; replication r has the same seed at every point
    seed = 1

    [uncertainties]                      # what we do not know: dotted key paths, as with --set
    "skim.share" = { low = 0.05, high = 0.25 }                       # uniform
    "destinations.russia.earning_capacity_usd_per_month.median" = { dist = "pert", low = 900, mode = 1000, high = 1200 }

    [levers]                             # what a policy sets: every value is crossed with the design
    "timeline.quota_multiplier" = [1.0, 1.15, 1.3]

A key path may be quoted (``"skim.share"``) or written as TOML's dotted keys (``skim.share``);
either way it names the value ``--set skim.share=...`` would set. :func:`load_study` validates
all of it at this edge: one :class:`sim.config.ConfigError` line per problem, each naming the
file and the key path. The design itself is :mod:`sim.design`; running it, :mod:`sim.sweeps`.
"""
import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from sim import __version__
from sim.config import MAX_WORKERS, SEED_LIMIT, ConfigError, Scenario
from sim.validation import problems as config_problems
from sim.distributions import Distribution
from sim.scenario_file import load_config, read_toml, read_with_bases

MAX_POINTS = 1_000_000
"""Most design points a study may ask for (levers crossed in)."""
MAX_REPLICATIONS = 10_000
"""Most runs per design point."""


def _uniform_by_default(value):
    """``{ low, high }`` without a ``dist`` key is uniform."""
    if isinstance(value, dict) and "dist" not in value:
        return {**value, "dist": "uniform"}
    return value


Uncertainty = Annotated[Distribution, BeforeValidator(_uniform_by_default)]
"""An uncertain input: ``{ low, high }`` (uniform) or any distribution of :mod:`sim.distributions`."""


class _Section(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)


class Design(_Section):
    """How the uncertain inputs are sampled."""

    kind: Literal["lhs", "sobol", "grid"] = Field(
        default="lhs", description="lhs: Latin hypercube; sobol: scrambled Sobol' (points a power of 2); "
                                   "grid: every combination of evenly spaced values")
    points: int = Field(default=1, ge=1, le=MAX_POINTS,
                        description="points sampled (grid: values per uncertainty)")
    replications: int = Field(default=1, ge=1, le=MAX_REPLICATIONS,
                              description="runs per point; replication r uses the same seed at every point")
    seed: int = Field(default=0, ge=0, lt=SEED_LIMIT, description="seeds the design and the runs")


class StudyFile(_Section):
    """A whole study file, its key paths flattened."""

    base: str | None = Field(default=None, description="scenario file each point overrides, relative to the study")
    model: str | None = Field(default=None, description="instead of base: 'package.module:function', "
                                                        "a dict of inputs -> dict of outputs")
    workers: int | None = Field(default=None, gt=0, le=MAX_WORKERS,
                                description="simulated workers per run (default: the base's simulation.workers)")
    uncertainties: dict[str, Uncertainty] = Field(default_factory=dict)
    levers: dict[str, Annotated[list[Any], Field(min_length=1)]] = Field(default_factory=dict)
    design: Design = Design()
    outputs: Annotated[list[str], Field(min_length=1)]
    monthly: list[str] = Field(default_factory=list, description="monthly series kept per run")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.base is None) == (self.model is None):
            raise ValueError("name either base (a scenario file) or model (package.module:function), not both")
        if self.model is not None and self.workers is not None:
            raise ValueError("workers: only a study with a base scenario simulates workers")
        both = sorted(set(self.uncertainties) & set(self.levers))
        if both:
            raise ValueError(f"{both[0]} is both an uncertainty and a lever")
        for names in (self.outputs, self.monthly):
            repeated = sorted({name for name in names if names.count(name) > 1})
            if repeated:
                raise ValueError(f"{repeated[0]} is listed twice")
        design = self.design
        if not self.uncertainties and design.points != 1:
            raise ValueError("design.points: there are no uncertainties to sample: leave points out (the "
                             "levers alone make the design)")
        if design.kind == "sobol" and design.points & (design.points - 1):
            low = 1 << (design.points.bit_length() - 1)
            raise ValueError(f"design.points: a Sobol' design needs a power of 2 points (balance), "
                             f"e.g. {low} or {2 * low}, got {design.points}")
        total = self.point_count()
        if total > MAX_POINTS:
            raise ValueError(f"the design has {total:,} points (levers crossed in), more than {MAX_POINTS:,}")
        return self

    def point_count(self) -> int:
        """Design points, the levers' values crossed in (replications not counted)."""
        design = self.design
        count = design.points ** len(self.uncertainties) if design.kind == "grid" else design.points
        for values in self.levers.values():
            count *= len(values)
        return count


@dataclass(frozen=True)
class Study:
    """A validated study and what it runs on.

    Attributes
    ----------
    spec : StudyFile, the study as written (key paths flattened)
    path : Path or None, the study file
    base_data : dict or None, the base scenario file's data merged over its bases (the dict each
        point's overrides are applied to); None for a ``model`` study
    base : Scenario or None, the base scenario validated
    """

    spec: StudyFile
    path: Path | None
    base_data: dict | None
    base: Scenario | None

    @property
    def name(self) -> str:
        """The study file's stem, or ``"study"``."""
        return self.path.stem if self.path else "study"

    @property
    def source(self) -> str:
        """How messages name the study: its path, or ``<study>``."""
        return str(self.path) if self.path else "<study>"

    @property
    def inputs(self) -> list[str]:
        """Key paths varied: the uncertainties, then the levers."""
        return [*self.spec.uncertainties, *self.spec.levers]

    def to_dict(self) -> dict:
        """The study and its resolved base scenario as plain data (what ``study.json`` holds)."""
        return {"study": self.spec.model_dump(mode="json", exclude_none=True),
                "base_config": self.base.to_toml_dict() if self.base is not None else None,
                "sim_version": __version__}

    @property
    def digest(self) -> str:
        """SHA-256 of :meth:`to_dict` as canonical JSON: two studies that would run the same
        points with the same inputs have the same digest (point ids and resuming rest on it)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), allow_nan=False)
        return hashlib.sha256(text.encode()).hexdigest()


def flatten(table: dict, is_leaf, prefix: str = "") -> dict:
    """``{"skim": {"share": leaf}}`` -> ``{"skim.share": leaf}``: nested tables (TOML's dotted keys)
    joined into key paths down to the values ``is_leaf`` accepts (or that are not tables)."""
    flat = {}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and value and not is_leaf(value):
            flat.update(flatten(value, is_leaf, path + "."))
        else:
            flat[path] = value
    return flat


def _is_distribution(value: dict) -> bool:
    return bool({"dist", "low", "high"} & set(value))


def resolve_model(target: str):
    """The callable that ``package.module:function`` names; ValueError saying why it cannot be had."""
    module_name, colon, function_name = target.partition(":")
    if not colon or not module_name or not function_name:
        raise ValueError(f"expected 'package.module:function', got {target!r}")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"cannot import {module_name}: {error}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ValueError(f"{module_name} has no function {function_name}")
    return function


def validate_study(data: dict, source: str = "<study>", path: Path | None = None) -> Study:
    """Validate parsed study data; ``path`` (the study file) anchors a relative ``base``.

    Raises
    ------
    ConfigError
        One line per problem, naming ``source`` and the key path; a bad base scenario's own
        problems name the base file.
    """
    data = dict(data)
    if isinstance(data.get("uncertainties"), dict):
        data["uncertainties"] = flatten(data["uncertainties"], _is_distribution)
    if isinstance(data.get("levers"), dict):
        data["levers"] = flatten(data["levers"], lambda value: False)
    try:
        spec = StudyFile.model_validate(data)
    except ValidationError as error:
        # a check across keys names its key in the message: no "(top level)" before it
        raise ConfigError([line.replace(": (top level): ", ": ", 1)
                           for line in config_problems(error, source, set(), "")]) from None
    if spec.model is not None:
        try:
            resolve_model(spec.model)
        except ValueError as error:
            raise ConfigError([f"{source}: model: {error}"]) from None
        return Study(spec, path, None, None)
    base_path = (path.parent if path else Path.cwd()) / spec.base
    if not base_path.is_file():
        raise ConfigError([f"{source}: base: {base_path} not found"])
    base_data, _ = read_with_bases(base_path.resolve())
    study = Study(spec, path, base_data, load_config(base_path))
    from sim.point import output_problems  # the engine's figures; sim.point imports this module

    problems = list(output_problems(study))
    if problems:
        raise ConfigError([f"{source}: {problem}" for problem in problems])
    return study


def load_study(path) -> Study:
    """Read and validate a study file (see the module docstring).

    Raises
    ------
    ConfigError
        With one line per problem, each naming the file and the key path.
    """
    path = Path(path)
    return validate_study(read_toml(path, str(path)), str(path), path)
