"""The Python API: run a scenario and get its results as DataFrames.

>>> import sim
>>> scenario = sim.load_config("configs/baseline.toml")
>>> result = sim.run(scenario, seed=1, workers=100_000)          # doctest: +SKIP
>>> result                                                        # doctest: +SKIP
<sim.Result baseline: seed 1, 100,000 simulated workers, stock mode, 120 months>
  state revenue, USD m per year               247.0 (246.9 to 247.1)
  ...
>>> result.summary_dict["state_revenue_usd_per_year"]["mean"]   # doctest: +SKIP
>>> result.outcomes.query("group == 'regime'")                    # doctest: +SKIP
>>> result.save("results")                                        # doctest: +SKIP
"""
import html
import logging
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numba
import pandas as pd

from sim import aggregate, calibration, plots, report, results, schema, targets
from sim import tuning_scan as scanning
from sim.api_arguments import flag, scenario_of, whole_number
from sim.config import MAX_WORKERS, SEED_LIMIT, Scenario
from sim.labels import in_unit
from sim.engine import RawRun, simulate, worker_columns
from sim.point import overall_summary

log = logging.getLogger(__name__)

METADATA_KEYS = ("mode", "horizon_months", "seed", "n_workers_simulated", "wall_seconds")
"""Keys of ``summary.json`` that say how the run was made rather than what it found."""

REPR_FIGURES = ("state revenue, USD m per year", "cash brought home, USD (p5 / median / p95)",
                "worse off than staying home")
"""The headline figures ``repr(result)`` shows (the HTML table shows them all); ``USD`` stands for the
run's money unit (``simulation.money_unit``)."""


@dataclass(frozen=True, repr=False)
class Result:
    """Everything one run produced.

    ``repr(result)`` and, in Jupyter, the HTML view show a few headline
    figures; the tables are attributes.

    Attributes
    ----------
    scenario : Scenario, as run
    raw : RawRun, the summed accumulators
    summary_dict : dict, headline figures and run metadata (what ``summary.json`` holds)
    monthly : DataFrame, one row per month at real-world scale (USD, workers)
    monthly_by_destination : DataFrame, one row per month and destination, the same scale
        (:func:`sim.aggregate.monthly_by_destination_frame`)
    monthly_by_status : DataFrame or None, one row per month and status (work permit, then each of
        ``[statuses]``), the same scale; None without statuses (:func:`sim.aggregate.monthly_by_status_frame`)
    outcomes : DataFrame, household outcomes by group (see :func:`sim.aggregate.outcome_frame`)
    outcomes_by_reason : DataFrame, outcomes of every returned worker by hire cohort and return
        reason (:func:`sim.aggregate.outcomes_by_reason_frame`)
    distributions : DataFrame, histograms of cash brought home and net gain ($100 bins)
    calibration : DataFrame, each source figure (and target of a targets file) beside the simulated value
    tuning_scan : DataFrame or None, each tuned figure at 9 values of its parameter
        (:mod:`sim.tuning_scan`; only when asked for)
    workers : DataFrame or None, one row per returned hire (``keep_workers=True``)
    manifest : dict, config, seed, versions, git commit, wall time
    workers_file : Path or None, the per-worker records streamed to Parquet
        (``workers_file=...``); :meth:`save` moves it into the run directory
    """

    scenario: Scenario
    raw: RawRun
    summary_dict: dict
    monthly: pd.DataFrame
    outcomes: pd.DataFrame
    distributions: pd.DataFrame
    calibration: pd.DataFrame
    workers: pd.DataFrame | None
    manifest: dict = field(repr=False)
    workers_file: Path | None = None
    tuning_scan: pd.DataFrame | None = None
    monthly_by_destination: pd.DataFrame | None = None
    outcomes_by_reason: pd.DataFrame | None = None
    monthly_by_status: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """The headline figures as a tidy table: figure, statistic, value (float64, NaN where undefined).

        Run metadata (mode, seed, ...) is not a figure: see :attr:`metadata`.
        """
        rows = []
        for name, value in self.summary_dict.items():
            if name not in METADATA_KEYS:
                items = value.items() if isinstance(value, dict) else [("value", value)]
                rows.extend((name, key, item) for key, item in items)
        return pd.DataFrame(rows, columns=["figure", "statistic", "value"]).astype({"value": "float64"})

    @property
    def metadata(self) -> dict:
        """How the run was made: scenario name, mode, horizon_months, seed,
        n_workers_simulated (slots), threads and wall_seconds."""
        return {"scenario": self.name, **{key: self.summary_dict[key] for key in METADATA_KEYS},
                "threads": self.raw.threads}

    @property
    def name(self) -> str:
        """The scenario file's stem, or ``"scenario"`` for one built in code."""
        return self.scenario.source_path.stem if self.scenario.source_path else "scenario"

    @property
    def money_unit(self) -> str:
        """The unit of every amount of the run (``simulation.money_unit``; columns keep ``_usd`` names)."""
        return self.scenario.simulation.money_unit

    @property
    def headline(self) -> dict:
        """The headline figures as text, label -> value, as ``sim run`` prints them (amounts in
        the run's money unit, which the labels name)."""
        summary = self.summary_dict
        revenue = summary["state_revenue_usd_per_year"]
        figures = {
            "state revenue, USD m per year": f"{revenue['mean'] / 1e6:,.1f} "
                                             f"({revenue['ci95_low'] / 1e6:,.1f} to {revenue['ci95_high'] / 1e6:,.1f})",
            "manager skim, USD m per year": f"{summary['manager_skim_usd_per_year']['mean'] / 1e6:,.1f}",
            "workers abroad, mean": f"{summary['workers_active_mean']:,.0f}",
            "cash brought home, USD (p5 / median / p95)": _quantiles(summary["cash_home_usd"]),
            "net gain over staying home, USD": _quantiles(summary["net_gain_usd"]),
            "kept per month, USD": _quantiles(summary["kept_usd_per_month"]),
            "worse off than staying home": f"{summary['share_worse_off_than_home']:.1%}",
        }
        return {in_unit(label, self.money_unit): value for label, value in figures.items()}

    def _title(self) -> str:
        meta = self.metadata
        return (f"{self.name}: seed {meta['seed']}, {meta['n_workers_simulated']:,} simulated workers, "
                f"{meta['mode']} mode, {meta['horizon_months']} months")

    def __repr__(self) -> str:
        headline = self.headline
        shown = [in_unit(label, self.money_unit) for label in REPR_FIGURES]
        width = max(len(label) for label in shown)
        lines = [f"<sim.Result {self._title()}>"]
        lines += [f"  {label:<{width}}  {headline[label]}" for label in shown]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """A small table of the headline figures, for Jupyter."""
        rows = "".join(f"<tr><td style='text-align:left'>{html.escape(label)}</td>"
                       f"<td style='text-align:right'>{html.escape(value)}</td></tr>"
                       for label, value in self.headline.items())
        return (f"<p><b>sim.Result</b> {html.escape(self._title())}</p>"
                f"<table><thead><tr><th>figure</th><th>value</th></tr></thead><tbody>{rows}</tbody></table>")

    def save(self, parent="results", name: str | None = None) -> Path:
        """Write the run to a new directory under ``parent``; return its path.

        The directory (``<config>-<UTC time>-seed<seed>`` unless ``name`` is
        given; made safe by :func:`sim.results.safe_name` either way) is built
        aside and renamed into place; an existing directory is never overwritten.
        """
        name = results.safe_name(name) if name else default_run_name(self.scenario, self.raw.seed)
        return results.write_atomically(parent, name, self._fill)

    def _fill(self, directory: Path) -> None:
        results.write_json(directory / "manifest.json", self.manifest)
        results.write_json(directory / "summary.json", self.summary_dict)
        results.write_tables(directory, {
            "monthly.parquet": self.monthly, "monthly_by_destination.parquet": self.monthly_by_destination,
            "monthly_by_status.parquet": self.monthly_by_status, "outcomes.parquet": self.outcomes,
            "outcomes_by_reason.parquet": self.outcomes_by_reason, "distributions.parquet": self.distributions,
            "calibration.csv": self.calibration, "tuning_scan.csv": self.tuning_scan,
            "workers.parquet": self.workers})
        if self.workers_file is not None:
            os.replace(self.workers_file, directory / "workers.parquet")
        plots.draw_all(directory)
        report.build(directory)


def _quantiles(values: dict) -> str:
    """``p5 / p50 / p95`` of a distribution in the summary, whole numbers with separators."""
    return f"{values['p5']:,.0f} / {values['p50']:,.0f} / {values['p95']:,.0f}"


def default_run_name(scenario: Scenario, seed: int) -> str:
    """``<config stem>-<UTC time>-seed<seed>``, the stem made safe (see :func:`sim.results.safe_name`)."""
    stem = results.safe_name(scenario.source_path.stem) if scenario.source_path else "scenario"
    return f"{stem}-{results.timestamp()}-seed{seed}"


def run(
    config,
    seed: int | None = None,
    workers: int | None = None,
    threads: int | None = None,
    keep_workers: bool = False,
    progress: bool | None = None,
    workers_file=None,
    tuning_scan: bool | None = False,
) -> Result:
    """Simulate a scenario and summarise it.

    Parameters
    ----------
    config : Scenario or path to a TOML scenario file
    seed : int, optional; in [0, 2**63), defaults to the config's ``simulation.seed``
    workers : int, optional; simulated workers (slots), 1 to 10**10, defaults to ``simulation.workers``
    threads : int, optional; 1 to ``numba.config.NUMBA_NUM_THREADS``; results are
        bit-identical for any thread count
    keep_workers : bool; also return one row per returned hire in ``Result.workers``
    progress : bool or None; show a progress bar over simulated workers (after 2 s): None
        (the default) when stderr is a terminal, True always (a widget in Jupyter where
        ipywidgets is installed, text elsewhere), False never
    workers_file : path, optional; stream one row per returned hire to this
        Parquet file as the run goes (memory stays bounded at any size)
    tuning_scan : bool or None; also scan each tuned figure's parameter (:mod:`sim.tuning_scan`,
        9 more runs of up to 10,000 workers (one chunk, so on one thread: :func:`sim.engine.simulate`),
        each aggregated like a sweep's point: about 0.2 s for the baseline): False (the default)
        never, True always, None as the config's ``calibration.tuning_scan`` says (what ``sim run``
        does)

    Raises
    ------
    TypeError, ValueError
        When an argument has the wrong type or is out of range (before anything runs).
    ConfigError
        When the scenario file or its seeds file is bad (before anything runs).
    """
    seed = whole_number("seed", seed, 0, SEED_LIMIT - 1)
    workers = whole_number("workers", workers, 1, MAX_WORKERS)
    threads = whole_number("threads", threads, 1, numba.config.NUMBA_NUM_THREADS)
    keep_workers = flag("keep_workers", keep_workers)
    tuning_scan = None if tuning_scan is None else flag("tuning_scan", tuning_scan)
    progress = sys.stderr.isatty() if progress is None else flag("progress", progress)
    if workers_file is not None and not isinstance(workers_file, (str, os.PathLike)):
        raise TypeError(f"workers_file must be a path, got {type(workers_file).__name__}")
    scenario = scenario_of(config)
    figures, citation = calibration.load_figures(scenario)
    user_targets = targets.load_targets(scenario)
    started = datetime.now(timezone.utc)
    bar = _progress_bar(scenario, workers) if progress else None
    log.debug("simulating %s", scenario.source_path or "a scenario built in code")
    writer = _ParquetSink(Path(workers_file), scenario) if workers_file is not None else None
    try:
        raw = simulate(scenario, seed=seed, workers=workers, threads=threads, keep_workers=keep_workers,
                       progress=bar.update if bar else None, worker_sink=writer,
                       compile_notice=lambda: _compile_notice(bar))
    finally:
        if bar:
            bar.close()
        if writer:
            writer.close()
    log.debug("simulated %s slots, seed %d, on %d threads in %.2f s",
              f"{raw.n_slots:,}", raw.seed, raw.threads, raw.wall_seconds)
    outcomes, summary, monthly, compared = _compared(raw, scenario, figures, citation, user_targets)
    summary["wall_seconds"] = raw.wall_seconds
    scan = None
    if scenario.calibration.tuning_scan if tuning_scan is None else tuning_scan:
        def scan_point(point: Scenario) -> pd.DataFrame:
            raw_point = simulate(point, seed=raw.seed, workers=min(scanning.WORKERS, raw.n_slots), threads=threads)
            return _calibration(raw_point, point, overall_summary(raw_point, point), figures, citation,
                                user_targets)

        scan = scanning.scan(scenario, compared, scan_point)
    return Result(
        scenario=scenario,
        raw=raw,
        summary_dict=summary,
        monthly=monthly,
        monthly_by_destination=aggregate.monthly_by_destination_frame(raw, scenario),
        monthly_by_status=aggregate.monthly_by_status_frame(raw, scenario),
        outcomes=outcomes,
        outcomes_by_reason=aggregate.outcomes_by_reason_frame(raw, scenario),
        distributions=aggregate.distribution_frame(raw),
        calibration=compared,
        workers=None if raw.workers is None else _workers_frame(raw.workers, scenario),
        manifest=_manifest(scenario, raw, started),
        workers_file=None if workers_file is None else Path(workers_file),
        tuning_scan=scan,
    )


def _compared(raw: RawRun, scenario: Scenario, figures, citation: str, user_targets):
    """(outcomes, summary, monthly, calibration) of a simulated run: its tables, and the source's
    figures and the user's targets beside it."""
    outcomes = aggregate.outcome_frame(raw, scenario)
    summary = aggregate.summary(raw, scenario, outcomes)
    monthly = aggregate.monthly_frame(raw, scenario)
    return outcomes, summary, monthly, _calibration(raw, scenario, summary, figures, citation, user_targets, monthly)


def _calibration(raw: RawRun, scenario: Scenario, summary: dict, figures, citation: str, user_targets,
                 monthly: pd.DataFrame | None = None) -> pd.DataFrame:
    """The calibration table of a simulated run (:func:`sim.calibration.calibration_frame`) from its
    ``summary`` (the overall outcomes suffice: a tuning scan's point uses
    :func:`sim.point.overall_summary`); ``monthly`` is built when not given."""
    monthly = aggregate.monthly_frame(raw, scenario) if monthly is None else monthly
    return calibration.calibration_frame(figures, citation, scenario, raw.cell_totals, summary, monthly,
                                         targets.target_rows(user_targets, scenario, monthly))


class _ParquetSink:
    """Appends each batch of worker records to one Parquet file."""

    def __init__(self, path: Path, scenario: Scenario):
        self.path, self.scenario, self.writer = path, scenario, None

    def __call__(self, columns: dict) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(_workers_frame(columns, self.scenario), preserve_index=False)
        if self.writer is None:
            self.writer = pq.ParquetWriter(self.path, table.schema)
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is None:  # no hire returned: still write the (empty) table
            self(worker_columns())
        self.writer.close()




def _workers_frame(columns: dict, scenario: Scenario) -> pd.DataFrame:
    """Worker records as a DataFrame with named destination, skill, regime, return reason, cohort and
    status."""
    frame = pd.DataFrame(columns)
    names = {"destination": list(scenario.destinations), "skill": list(scenario.skills),
             "regime": list(aggregate.L.REGIMES), "return_reason": list(schema.RETURN_REASONS),
             "hire_cohort": list(schema.HIRE_COHORTS), "status": scenario.status_names()}
    for column, levels in names.items():
        frame[column] = pd.Categorical.from_codes(frame[column], categories=levels)
    for column in ("early_return", "borrowed", "worse_off"):
        frame[column] = frame[column].astype(bool)
    return frame


def _manifest(scenario: Scenario, raw: RawRun, started) -> dict:
    return {
        "config_file": str(scenario.source_path) if scenario.source_path else None,
        "extends": [str(base) for base in scenario.bases],  # the bases it was merged over, nearest first
        "config": scenario.to_toml_dict(),  # as run: merged, overridden, resolved
        "money_unit": scenario.simulation.money_unit,  # of every amount, whatever the _usd names say
        "period": scenario.simulation.period,
        "seed": raw.seed,
        "workers_simulated": raw.n_slots,
        "threads": raw.threads,
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_seconds": raw.wall_seconds,
        "command": sys.argv if sys.argv and sys.argv[0] else None,
        "versions": results.versions(),
        "git_commit": results.git_commit(Path(__file__).resolve().parent),
    }


COMPILING = "compiling the simulation kernel (first run after an install or an edit only; about 10 s)"


def _compile_notice(bar) -> None:
    """Say that the kernel is compiling: to the ``sim`` logger, and on the progress bar if one is
    shown (in a notebook the logger's INFO lines are hidden by default, the bar is not)."""
    log.info(COMPILING)
    if bar is not None:
        bar.set_description_str("compiling the kernel (first run only)")
        bar.refresh()


def _progress_bar(scenario: Scenario, workers: int | None):
    """A tqdm bar over simulated slots, shown after 2 s (:mod:`tqdm.auto`: a Jupyter widget or text)."""
    from tqdm.auto import tqdm

    total = workers or scenario.simulation.workers
    return tqdm(total=total, unit="workers", unit_scale=True, leave=False, mininterval=0.5, delay=2.0)
