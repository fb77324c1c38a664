"""One design point of a sweep, run: inputs in, named outputs out.

A point model is a picklable callable ``model(inputs, seed, threads) -> dict``, so an executor
can ship it to another process or machine. Two kinds:

- :class:`EngineModel`: the study's base scenario with the point's inputs set at their key
  paths (the ``--set`` machinery of :mod:`sim.scenario_file`, so a bad value names its key),
  run through :func:`sim.engine.simulate`; only the overall household outcomes are aggregated
  (the outputs never need them by group), no calibration, no histograms for plots.
- :class:`CallableModel`: a plain function of the inputs (``model = "package.module:function"``
  in the study), e.g. an analytic test function; it gets ``seed`` too if it takes one.

Outputs are the run summary's figures (``summary.json``) by name, a statistic after a dot
(``cash_home_usd.p50``; a bare ``state_revenue_usd_per_year`` is its mean), each a float; and
``monthly`` series of ``monthly.parquet``, each an array over months.
"""
import copy
import inspect
import math

import numpy as np

from sim import aggregate, engine
from sim import layout as L
from sim.config import Scenario
from sim.validation import validate
from sim.scenario_file import set_key

NOT_FIGURES = ("mode", "horizon_months", "seed")
"""Summary keys that say how a run was made, not what it found: never outputs."""


def _empty_run(scenario: Scenario) -> engine.RawRun:
    """A run of one slot that accumulated nothing, to read the names of a summary off."""
    cells = len(scenario.destinations) * len(scenario.skills) * len(L.REGIMES)
    horizon = scenario.simulation.horizon_months
    return engine.RawRun(
        monthly=np.zeros((horizon, len(L.MONTHLY_SERIES)), np.int64),
        cell_totals=np.zeros((cells, len(L.CELL_TOTALS)), np.int64),
        histogram=np.zeros((cells, *engine.HISTOGRAM_SHAPE), np.int64),
        state_revenue_sumsq_usd2=0.0, managers_revenue_sumsq_usd2=0.0,
        n_slots=1, seed=0, threads=1, wall_seconds=0.0, workers=None)


def figure_names(summary: dict) -> list[str]:
    """Every output name a summary offers: ``name`` for a number, ``name.statistic`` for each
    statistic of a table (and the bare name of a table with a mean, standing for it)."""
    names = []
    for name, value in summary.items():
        if name in NOT_FIGURES:
            continue
        if isinstance(value, dict):
            names += [name] if "mean" in value else []
            names += [f"{name}.{statistic}" for statistic in value]
        else:
            names.append(name)
    return names


def engine_outputs(scenario: Scenario) -> tuple[list[str], list[str]]:
    """(output names, monthly series names) an engine run of ``scenario`` offers."""
    raw = _empty_run(scenario)
    summary = aggregate.summary(raw, scenario, aggregate.outcome_frame(raw, scenario, by_group=False))
    monthly = [name for name in aggregate.monthly_frame(raw, scenario) if name not in ("month", "date")]
    return figure_names(summary), monthly


def output_problems(study):
    """Yield ``key: message`` for each output or monthly series a base-scenario study names
    that its runs do not produce."""
    figures, series = engine_outputs(study.base)
    for key, names, offered in (("outputs", study.spec.outputs, figures), ("monthly", study.spec.monthly, series)):
        for name in names:
            if name not in offered:
                yield f"{key}: {name!r} is not a figure of the run; choose from {', '.join(offered)}"


def figure(summary: dict, name: str) -> float:
    """The output ``name`` read from a run summary, as a float (NaN for an undefined one)."""
    key, _, statistic = name.partition(".")
    value = summary[key]
    if isinstance(value, dict):
        value = value[statistic or "mean"]
    return math.nan if value is None else float(value)


def overall_summary(raw: engine.RawRun, scenario: Scenario) -> dict:
    """The run summary (``summary.json``'s figures) from the overall outcomes only: what a point
    needs, without the per-group tables a run's report draws."""
    return aggregate.summary(raw, scenario, aggregate.outcome_frame(raw, scenario, by_group=False))


class EngineModel:
    """The study's base scenario, a point's inputs set at their key paths, run by the engine.

    Parameters
    ----------
    base_data : dict, the base scenario file's data (merged over its bases)
    source : str, how validation messages name the point's scenario
    workers : int, simulated workers per run
    outputs, monthly : sequences of str, the figures and monthly series to return
    """

    def __init__(self, base_data: dict, source: str, workers: int, outputs, monthly):
        self.base_data, self.source, self.workers = base_data, source, workers
        self.outputs, self.monthly = tuple(outputs), tuple(monthly)

    def scenario(self, inputs: dict, where: str = "") -> Scenario:
        """The base scenario with ``inputs`` (key path -> value) set; ConfigError naming the key
        (and ``where``, e.g. the point) when a value is refused."""
        data = copy.deepcopy(self.base_data)
        source = f"{self.source}{where}"
        for key, value in inputs.items():
            set_key(data, source, key.split("."), value, label="")
        return validate(data, source, list(inputs), set_by="by the study")

    def __call__(self, inputs: dict, seed: int, threads: int | None = None) -> dict:
        """Run one replication at the point ``inputs`` with run seed ``seed``; return the outputs
        (floats) and monthly series (``ndarray(float64, (horizon_months,))``, USD or workers)."""
        scenario = self.scenario(inputs)
        raw = engine.simulate(scenario, seed=seed, workers=self.workers, threads=threads)
        summary = overall_summary(raw, scenario)
        result = {name: figure(summary, name) for name in self.outputs}
        if self.monthly:
            frame = aggregate.monthly_frame(raw, scenario)
            result.update({name: frame[name].to_numpy(np.float64) for name in self.monthly})
        return result


class CallableModel:
    """A plain function of a point's inputs, named ``package.module:function`` in the study.

    The function takes the dict of inputs (key path -> value) and, if it has a ``seed``
    parameter, the run seed; it returns a dict holding at least the study's outputs (numbers)
    and monthly series (sequences of numbers).
    """

    def __init__(self, target: str, outputs, monthly):
        self.target, self.outputs, self.monthly = target, tuple(outputs), tuple(monthly)

    def __call__(self, inputs: dict, seed: int, threads: int | None = None) -> dict:
        from sim.study import resolve_model

        function = resolve_model(self.target)
        takes_seed = "seed" in inspect.signature(function).parameters
        returned = function(dict(inputs), seed=seed) if takes_seed else function(dict(inputs))
        missing = [name for name in (*self.outputs, *self.monthly) if name not in returned]
        if missing:
            raise ValueError(f"{self.target} returned no {', '.join(map(repr, missing))}")
        result = {name: float(returned[name]) for name in self.outputs}
        result.update({name: np.asarray(returned[name], np.float64) for name in self.monthly})
        return result


def point_model(study):
    """The point model of ``study``: an :class:`EngineModel` or a :class:`CallableModel`."""
    spec = study.spec
    if spec.model is not None:
        return CallableModel(spec.model, spec.outputs, spec.monthly)
    return EngineModel(study.base_data, study.source, spec.workers or study.base.simulation.workers,
                       spec.outputs, spec.monthly)

