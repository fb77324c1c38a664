"""The values a scenario key takes, and the pydantic field of each kernel parameter, built from its row.

A row of :data:`sim.schema.PARAMS` names its key's value type (:data:`VALUE_TYPES`: an amount in
USD, whole months, a share, ...; a number between bounds; one of its choices), whether it may be
left out and what it means. :func:`section_model` turns the rows whose keys lie in one section of
the scenario file into that section's fields, beside the fields and checks written by hand on the
section's base (:mod:`sim.config`), so a parameter's key is declared once, in its row.
"""
from typing import Annotated, ClassVar, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

from sim import schema
from sim.distributions import Distribution, as_distribution


class Section(BaseModel):
    """A table of the scenario file: strict types, unknown keys refused, frozen, finite numbers."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, allow_inf_nan=False)
    parameter_keys: ClassVar[tuple[str, ...]] = ()
    """The keys of this section built from rows of the model table (:func:`section_model`)."""


class DrawsWithin(NamedTuple):
    """A check of a distribution: every draw lies in [low, high]; ``what`` names the values in the error."""

    low: float
    high: float
    what: str

    def __call__(self, dist: Distribution) -> Distribution:
        lo, hi = dist.support()
        if lo < self.low or hi > self.high:
            tail = " (a lognormal's draws reach 8.57 sigma either side of the median)" if dist.dist == "lognormal" else ""
            raise ValueError(f"{self.what}: draws must lie in [{self.low:,.6g}, {self.high:,.6g}], "
                             f"this distribution spans [{lo:,.6g}, {hi:,.6g}]{tail}")
        return dist


def _whole_months(dist: Distribution) -> Distribution:
    if dist.dist not in ("fixed", "discrete_uniform") or not float(dist.support()[0]).is_integer():
        raise ValueError("months must be a whole number: use a fixed integer or dist = \"discrete_uniform\"")
    return dist


_Dist = Annotated[Distribution, BeforeValidator(as_distribution)]
UsdAmount = Annotated[_Dist, AfterValidator(DrawsWithin(0.0, schema.MONEY_LIMIT_USD, "an amount in USD"))]
"""A distribution over USD amounts from 0 to MONEY_LIMIT_USD."""
ShareDist = Annotated[_Dist, AfterValidator(DrawsWithin(0.0, 1.0, "a share or probability"))]
"""A distribution over [0, 1]."""
Months = Annotated[_Dist, AfterValidator(DrawsWithin(1.0, 1200.0, "a number of months")),
                   AfterValidator(_whole_months)]
"""A distribution over whole months, 1 to 1200."""
Multiplier = Annotated[float, Field(gt=0.0, le=schema.MULTIPLIER_LIMIT)]
"""A positive multiplier, at most MULTIPLIER_LIMIT."""
UsdBound = Annotated[float, Field(ge=0.0, le=schema.MONEY_LIMIT_USD)]
"""A USD amount from 0 to MONEY_LIMIT_USD."""
Share = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability in [0, 1]."""

VALUE_TYPES = {
    "usd_amount": UsdAmount, "months": Months, "share_distribution": ShareDist,
    "share": Share, "multiplier": Multiplier, "usd_bound": UsdBound,
    "number": float, "whole_number": int,
}
"""The value types a row's ``takes`` names, but ``"choice"`` (one of the row's ``choices``). The first
three are distributions (kind ``"distribution"``); ``"number"`` and ``"whole_number"`` take the row's
``low`` and ``high``."""
DISTRIBUTION_TYPES = ("usd_amount", "months", "share_distribution")
"""The value types that are distributions, compiled to a row of the kernel's ``dists``."""


def _field(param: schema.Param) -> tuple:
    """(annotation, FieldInfo) of ``param``'s key, as its row declares it."""
    annotation = Literal[param.choices] if param.takes == "choice" else VALUE_TYPES[param.takes]
    if param.low is not None or param.high is not None:
        annotation = Annotated[annotation, Field(ge=param.low, le=param.high)]
    unset = None if param.default else param.unset
    return annotation | None if unset is None else annotation, Field(unset, description=param.description)


def parameter_fields(section: str, params: tuple = schema.PARAMS) -> dict[str, tuple]:
    """Key -> (annotation, FieldInfo) of each row of ``params`` whose key lies directly in ``section``
    (dotted, as the rows write it: ``"destinations.<destination>"``, ``"quota"``), in table order. Rows
    of kind ``longest`` and ``count`` read keys declared elsewhere and give none.

    Raises
    ------
    ValueError
        Where two rows declare the same key.
    """
    fields = {}
    for param in params:
        head, _, key = param.path.rpartition(".")
        if head != section or param.kind in ("longest", "count"):
            continue
        if key in fields:
            raise ValueError(f"{param.path}: declared by two rows of the model table")
        fields[key] = _field(param)
    return fields


def section_model(name: str, section: str, module: str, base: type[Section] = Section, doc: str | None = None,
                  params: tuple = schema.PARAMS) -> type[Section]:
    """The pydantic model of one section: ``base`` (its keys that are no parameter of the kernel, and its
    checks across keys) with a field per row of ``params`` whose key lies in ``section``.

    Parameters
    ----------
    name, module : the model's name and the module that holds it under that name (for pickling)
    section : the section's dotted path in the rows (``"regimes.<regime>"``)
    doc : the model's docstring (default: ``base``'s)

    Raises
    ------
    TypeError
        Where ``base`` declares a key that a row declares too: each key is declared once.
    """
    fields = parameter_fields(section, params)
    both = sorted(set(fields) & set(base.model_fields))
    if both:
        raise TypeError(f"{name}: {', '.join(both)} declared both on {base.__name__} and by a row of the model "
                        f"table (sim.schema.PARAMS): declare it in its row only")
    model = create_model(name, __base__=base, __module__=module, __doc__=doc or base.__doc__, **fields)
    model.parameter_keys = tuple(fields)
    return model
