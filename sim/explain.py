"""Every key of a scenario file with what it takes and what it means, read from the schema.

The meanings are the ``description`` of each field of :mod:`sim.config`, so the reference
printed by ``sim validate --explain`` cannot drift from what is validated.
"""
import typing

import annotated_types
from pydantic import AfterValidator, BaseModel

from sim.config import LEVER_NAMES, LeverTable, Scenario
from sim.distributions import Fixed
from sim.fields import DrawsWithin

BOUNDS = ((annotated_types.Ge, ">="), (annotated_types.Gt, ">"), (annotated_types.Le, "<="),
          (annotated_types.Lt, "<"))


def key_reference(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, str, str]]:
    """(dotted key, what it takes, meaning) for every key of ``model``, tables first-to-last as
    declared; tables of named entries (destinations, skills) show as ``<name>``."""
    rows = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        section = _section(field.annotation)
        if section is not None:
            rows.append((key, "table", field.description or _first_line(section.__doc__)))
            rows.extend(key_reference(section, key + "."))
            continue
        named = _named_sections(field.annotation)
        if named is not None:
            rows.append((key, "tables, one per name", _first_line(named.__doc__)))
            rows.extend(key_reference(named, key + ".<name>."))
            continue
        rows.append((key, _what_it_takes(model, name, field), field.description or ""))
    return rows


def _section(annotation):
    """The section model an annotation stands for (Regimes, Quota, ..., an optional one too), else None."""
    options = [arg for arg in typing.get_args(annotation) if arg is not type(None)] or [annotation]
    section = options[0] if len(options) == 1 else None
    return section if isinstance(section, type) and issubclass(section, BaseModel) else None


def _named_sections(annotation):
    """The entry model of ``dict[str, Model]``, else None."""
    if typing.get_origin(annotation) is dict:
        return _section(typing.get_args(annotation)[1])
    return None


def _what_it_takes(model, name, field) -> str:
    """A short description of the values a key accepts, bounds included."""
    options = [arg for arg in typing.get_args(field.annotation) if arg is not type(None)]
    if typing.get_origin(field.annotation) is typing.Literal:
        return " | ".join(f'"{option}"' for option in options)
    if issubclass(model, LeverTable) and name in LEVER_NAMES:
        low, high = model.bounds()[name]
        return f"number or [[month, value], ...], values in [{low:g}, {high:g}]"
    optional = ", optional" if not field.is_required() else ""
    if any(isinstance(option, type) and issubclass(option, Fixed) for option in _flatten(field.annotation)):
        draws = [item.func for item in [*field.metadata, *_flatten(field.annotation)]
                 if isinstance(item, AfterValidator) and isinstance(item.func, DrawsWithin)]
        within = "".join(f", draws in [{_number(d.low)}, {_number(d.high)}]" for d in draws)
        return "number or distribution" + within + optional
    metadata = list(field.metadata)
    types = []
    for option in options or [field.annotation]:
        if typing.get_origin(option) is typing.Annotated:
            option, *extra = typing.get_args(option)
            metadata += [item for info in extra for item in getattr(info, "metadata", [info])]
        types.append(getattr(option, "__name__", str(option)))
    bounds = [f"{sign} {_number(getattr(item, type_.__name__.lower()))}" for item in metadata
              for type_, sign in BOUNDS if isinstance(item, type_)]
    return " or ".join(types) + (f" ({', '.join(bounds)})" if bounds else "") + optional


def _number(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"


def _flatten(annotation):
    """Every type inside an annotation (unions, Annotated, optional)."""
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _flatten(arg)


def _first_line(text) -> str:
    return (text or "").strip().splitlines()[0] if text else ""


def format_reference(rows) -> str:
    """The reference as text: each key with what it takes, its meaning indented below."""
    lines = []
    for key, takes, meaning in rows:
        lines.append(f"{key}  [{takes}]")
        if meaning:
            lines.append(f"    {meaning}")
    return "\n".join(lines)
