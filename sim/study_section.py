"""A study file with one more table: ``[sensitivity]`` or ``[calibrate]`` beside the sweep's keys.

``sim sensitivity`` and ``sim calibrate`` read the same study file as ``sim sweep`` (a base
scenario or a model, ``workers``, ``outputs``, ``[design]``, ``[uncertainties]``), plus a table of
their own. The table is taken out and validated here; the rest is validated by
:func:`sim.study.validate_study`. The table is part of the study's digest (what ``study.json``
records and ``--resume`` checks), so a change to it starts a new directory, never a mixed one.
"""
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sim.config import ConfigError
from sim.validation import problems as config_problems
from sim.scenario_file import read_toml
from sim.study import Study, validate_study


@dataclass(frozen=True)
class SectionStudy(Study):
    """A :class:`sim.study.Study` and its extra table.

    Attributes
    ----------
    section_name : str, the table's name in the file (``"sensitivity"``, ``"calibrate"``)
    section : pydantic model, the table validated
    """

    section_name: str = ""
    section: BaseModel | None = None

    def to_dict(self) -> dict:
        """The study as plain data, its extra table included (so the digest covers it)."""
        return {**super().to_dict(), self.section_name: self.section.model_dump(mode="json")}


def take_section(data: dict, name: str, model: type[BaseModel], source: str) -> tuple[dict, BaseModel]:
    """(the study data without table ``name``, the table validated by ``model``).

    Raises
    ------
    ConfigError
        One line per problem, ``source: name.key: message``; a missing table is one too.
    """
    data = dict(data)
    table = data.pop(name, None)
    if not isinstance(table, dict):
        raise ConfigError([f"{source}: {name}: required table [{name}] is missing"])
    try:
        return data, model.model_validate(table)
    except ValidationError as error:
        problems = (problem.replace(f"{source}: (top level): ", f"{source}: ", 1)  # "key: why" of a model check
                    for problem in config_problems(error, source, set(), ""))
        raise ConfigError([problem.replace(f"{source}: ", f"{source}: {name}.", 1) for problem in problems]) from None


def section_study(data: dict, name: str, section: BaseModel, source: str, path: Path | None) -> SectionStudy:
    """Validate the rest of the study (:func:`sim.study.validate_study`) and join ``section`` to it."""
    study = validate_study(data, source, path)
    return SectionStudy(study.spec, study.path, study.base_data, study.base, name, section)


def read_study_file(path) -> tuple[dict, str, Path]:
    """(parsed TOML, how messages name it, its path) of a study file; ConfigError if unreadable."""
    path = Path(path)
    return read_toml(path, str(path)), str(path), path
