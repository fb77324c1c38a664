"""A calibration study: which inputs to fit, to which targets, and how hard to try.

A sweep study file (:mod:`sim.study`) with a base scenario and a ``[calibrate]`` table instead of
``outputs`` and uncertainties::

    base = "../policies/scheme_ends.toml"
    workers = 5_000

    [design]
    replications = 4         # runs per point, the same seeds at every point (common random numbers)
    seed = 1

    [calibrate]
    targets = "observed.toml"            # an observed series (sim.observed), relative to this file
    figures = ["kept_per_month_russia"]  # and/or source figures of the base's seeds file, by name
    max_evaluations = 30                 # least_squares' evaluations of the objective
    diff_step = 0.02                     # finite-difference step, share of each input's range

    [calibrate.inputs]                   # key paths, as with --set: the search range and start
    "timeline.repatriation_hazard_per_month" = { low = 0.0, high = 0.1, start = 0.02 }

The inputs become the study's uncertainties (so the sweep's evaluator sets them at their key
paths) and the targets its outputs and monthly series; :mod:`sim.fitting` fits them.
"""
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.config import ConfigError
from sim.observed import figure_targets, series_targets
from sim.study import flatten
from sim.study_section import SectionStudy, read_study_file, section_study, take_section


class Input(BaseModel):
    """One input to fit: its search range and starting value."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    low: float
    high: float
    start: float | None = Field(default=None, description="where the search starts (default: the middle)")

    @model_validator(mode="before")
    @classmethod
    def _floats(cls, data):
        if isinstance(data, dict):
            return {key: float(value) if isinstance(value, int) and not isinstance(value, bool) else value
                    for key, value in data.items()}
        return data

    @model_validator(mode="after")
    def _inside(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.start is None:
            object.__setattr__(self, "start", (self.low + self.high) / 2)
        if not self.low < self.start < self.high:
            raise ValueError(f"start ({self.start}) must lie strictly between low and high")
        return self


class Calibrate(BaseModel):
    """The ``[calibrate]`` table."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)

    inputs: dict[str, Input] = Field(min_length=1)
    targets: str | None = Field(default=None, description="observed series file, relative to the study")
    figures: list[str] = Field(default_factory=list, description="source figures of the base's seeds file")
    max_evaluations: int = Field(default=30, ge=2, le=10_000)
    diff_step: float = Field(default=0.02, gt=0.0, le=0.25, description="finite-difference step, share of a range")

    @model_validator(mode="after")
    def _something_to_fit(self):
        if self.targets is None and not self.figures:
            raise ValueError("targets or figures: name at least one (an observed series file, or source figures)")
        return self


@dataclass(frozen=True)
class CalibrationStudy(SectionStudy):
    """A :class:`sim.study_section.SectionStudy` with its targets (:class:`sim.observed.Target`)."""

    targets: tuple = ()

    def to_dict(self) -> dict:
        """The study as plain data, its targets (values, sd, dates) included."""
        return {**super().to_dict(), "targets": [target._asdict() for target in self.targets]}


REFUSED = {"outputs": "its outputs are its targets", "monthly": "its monthly series are its targets' own",
           "uncertainties": "its inputs are [calibrate.inputs]", "levers": "fix a lever in the base scenario",
           "model": "it fits an engine run: name a base scenario"}
"""Keys of a sweep study a calibration study may not have, and why."""


def validate_calibration(data: dict, source: str = "<study>", path: Path | None = None) -> CalibrationStudy:
    """Validate parsed calibration-study data (``path``, the file, anchors relative paths).

    Raises
    ------
    ConfigError
        One line per problem, naming ``source`` and the key path (or the targets file and target).
    """
    table = data.get("calibrate")
    if isinstance(table, dict) and isinstance(table.get("inputs"), dict):
        data = {**data, "calibrate": {**table, "inputs": flatten(table["inputs"], lambda value: "low" in value)}}
    data, section = take_section(data, "calibrate", Calibrate, source)
    design = data.get("design") if isinstance(data.get("design"), dict) else {}
    refused = [f"{key}: a calibration study cannot have it ({why})" for key, why in REFUSED.items() if key in data]
    refused += [f"design.{key}: a calibration's points are the optimiser's; leave it out"
                for key in ("kind", "points") if key in design]
    if refused:
        raise ConfigError([f"{source}: {line}" for line in refused])
    data["uncertainties"] = {key: {"low": spec.low, "high": spec.high} for key, spec in section.inputs.items()}
    data["outputs"] = ["workers_active_mean"]  # replaced below: the study needs one output to validate
    study = section_study(data, "calibrate", section, source, path)
    targets = figure_targets(section.figures, study.base, f"{source}: calibrate.figures")
    if section.targets is not None:
        where = (path.parent if path else Path.cwd()) / section.targets
        targets += series_targets(where, study.base, f"{source}: calibrate.targets")
    outputs = sorted({target.output for target in targets if target.output}) or ["workers_active_mean"]
    monthly = sorted({target.series for target in targets if target.series})
    spec = study.spec.model_copy(update={"outputs": outputs, "monthly": monthly})
    return CalibrationStudy(spec, study.path, study.base_data, study.base, "calibrate", section, tuple(targets))


def load_calibration(path) -> CalibrationStudy:
    """Read and validate a calibration study file (see the module docstring)."""
    return validate_calibration(*read_study_file(path))
