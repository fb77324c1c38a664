"""Compare a policy with its base: paired replications with common random numbers.

>>> import sim
>>> comparison = sim.compare("configs/policies/quota_hike.toml")   # doctest: +SKIP
>>> comparison.effects          # metric, base, policy, effect, ci95_low, ci95_high, unit, ...
>>> comparison.monthly.query("series == 'to_state_usd'")           # doctest: +SKIP
>>> comparison.save("results")  # a new directory: effects.csv, figures, report.html, ...

The base is the file the policy ``extends`` unless another is named. Replication ``r`` runs
both with the same seed (``R`` seeds spawned from one by :class:`numpy.random.SeedSequence`),
each on ``workers / R`` simulated workers, so a comparison costs two runs of ``workers``: every
worker draws the same random numbers under both, the effect is exactly zero before the policy
starts, and after it the difference is the policy's, not noise. The intervals come from the
spread of the R paired differences (see :mod:`sim.effects`).
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from html import escape
from datetime import datetime, timezone
from pathlib import Path
from typing import NamedTuple

import numba
import numpy as np
import pandas as pd

from sim import bins, calibration, compare_plots, compare_report, effects, outputs, results
from sim import layout as L
from sim.compare_report import start_text
from sim.api import run
from sim.api_arguments import flag, scenario_of, whole_number
from sim.config import MAX_WORKERS, SEED_LIMIT, ConfigError, Scenario
from sim.policy_start import policy_start_month

REPLICATIONS = 10
"""Paired replications by default: a t interval on 9 degrees of freedom (t = 2.26) at the cost of two runs."""
DISTRIBUTION_METRICS = {L.H.cash_home_usd: "cash_home_usd", L.H.net_gain_usd: "net_gain_usd"}
"""Outcome histograms (:mod:`sim.bins`) a comparison keeps of each arm: index -> name."""


@dataclass(frozen=True, repr=False)
class Comparison:
    """A policy compared with its base over paired replications.

    Attributes
    ----------
    policy, base : Scenario, as run
    effects : DataFrame, one row per compared figure (see :func:`sim.effects.effect_frame`)
    monthly : DataFrame, each monthly series of both arms and the effect with its band, long
        form (see :func:`sim.effects.monthly_effect_frame`)
    monthly_by_destination : DataFrame or None, the same for each series by destination (a
        ``destination`` column); None unless both have the same several destinations
    distributions : DataFrame, the returned hires' cash brought home and net gain under each arm,
        all replications together (see :func:`distribution_frame`)
    monthly_by_status : DataFrame or None, the same by status (a ``status`` column: the work
        permit, then the policy's statuses; a run without statuses has everyone on the work permit);
        None unless the policy has statuses the base has too, or the base has none
    replications : DataFrame, each figure of each arm in each replication: replication, seed,
        metric, base, policy, difference
    manifest : dict, both configs as resolved, seeds, replications, versions, git commit
    """

    policy: Scenario
    base: Scenario
    effects: pd.DataFrame
    monthly: pd.DataFrame
    replications: pd.DataFrame
    manifest: dict
    monthly_by_destination: pd.DataFrame | None = None
    monthly_by_status: pd.DataFrame | None = None
    distributions: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """``<policy>-vs-<base>``, each its file's stem (``scenario`` when built in code)."""
        return f"{_stem(self.policy)}-vs-{_stem(self.base)}"

    def title(self) -> str:
        """One line naming both arms, the replications and where the policy starts."""
        manifest = self.manifest
        return (f"{_shown_path(manifest['policy']['config_file'])} vs "
                f"{_shown_path(manifest['base']['config_file'])}: {manifest['replications']} "
                f"paired replications of {manifest['workers_per_replication']:,} workers, seed {manifest['seed']}; "
                f"{start_text(manifest)}")

    def __repr__(self) -> str:
        return "\n".join([f"<sim.Comparison {self.title()}>", *effects.table_lines(self.effects)])

    def _repr_html_(self) -> str:
        """The effects as a table, for Jupyter."""
        return f"<p><b>sim.Comparison</b> {escape(self.title())}</p>" + compare_report.effects_table(self.effects)

    def save(self, parent="results", name: str | None = None) -> Path:
        """Write the comparison to a new directory under ``parent`` (built aside, then renamed into
        place; never an existing one) and return its path: ``effects.csv``,
        ``monthly_effects.parquet`` (and ``monthly_effects_by_destination.parquet`` with several
        destinations, ``monthly_effects_by_status.parquet`` with statuses), ``distributions.parquet``,
        ``replications.csv``, ``manifest.json``, the figures and ``report.html``.
        The name is ``<policy>-vs-<base>-<UTC time>-seed<seed>`` unless given."""
        name = results.safe_name(name) if name else f"{self.name}-{results.timestamp()}-seed{self.manifest['seed']}"
        return results.write_atomically(parent, name, self._fill)

    def _fill(self, directory: Path) -> None:
        results.write_tables(directory, {
            "effects.csv": self.effects, "monthly_effects.parquet": self.monthly,
            "monthly_effects_by_destination.parquet": self.monthly_by_destination,
            "monthly_effects_by_status.parquet": self.monthly_by_status,
            "distributions.parquet": self.distributions, "replications.csv": self.replications})
        results.write_json(directory / "manifest.json", self.manifest)
        compare_plots.draw_all(directory)
        compare_report.build(directory)


def _shown_path(file: str | None) -> str:
    """A config file's path as a reader would type it: relative to the working directory when inside it."""
    if file is None:
        return "a scenario built in code"
    try:
        return str(Path(file).relative_to(Path.cwd()))
    except ValueError:
        return file


def _stem(scenario: Scenario) -> str:
    return results.safe_name(scenario.source_path.stem) if scenario.source_path else "scenario"


def compare(policy, base=None, seed: int | None = None, workers: int | None = None,
            replications: int = REPLICATIONS, threads: int | None = None, progress: bool | None = None) -> Comparison:
    """Compare ``policy`` with ``base`` over paired replications; see :func:`compare_all`."""
    return compare_all([policy], base, seed, workers, replications, threads, progress)[0]


def compare_all(policies, base=None, seed: int | None = None, workers: int | None = None,
                replications: int = REPLICATIONS, threads: int | None = None,
                progress: bool | None = None) -> list[Comparison]:
    """Compare each of ``policies`` with its base; a base shared by several is run once.

    Parameters
    ----------
    policies : list of Scenario or path of a TOML scenario file
    base : Scenario or path, optional; default: for each policy, the file it ``extends``
    seed : int, optional; in [0, 2**63), defaults to the base's ``simulation.seed``; the
        replications' seeds are spawned from it
    workers : int, optional; simulated workers of each arm, split evenly over the replications
        (at least one each); defaults to the base's ``simulation.workers``
    replications : int; paired replications, at least 2 (an interval needs a spread)
    threads : int, optional; results are bit-identical for any thread count
    progress : bool or None; a progress bar over the runs (None: when stderr is a terminal)

    Raises
    ------
    ConfigError
        A file is missing or bad, a policy names no base and none is given, the two differ in
        horizon, or the base's workers are fewer than the replications (each line names the file
        and the key); nothing has run then.
    TypeError, ValueError
        An argument of the wrong type or out of range (``workers`` below ``replications``).
    """
    seed = whole_number("seed", seed, 0, SEED_LIMIT - 1)
    workers = whole_number("workers", workers, 1, MAX_WORKERS)
    replications = whole_number("replications", replications, 2, 10_000)
    threads = whole_number("threads", threads, 1, numba.config.NUMBA_NUM_THREADS)
    progress = sys.stderr.isatty() if progress is None else flag("progress", progress)
    if workers is not None and workers < replications:
        raise ValueError(f"workers ({workers:,}) must be at least the number of replications ({replications})")
    pairs = resolve_pairs(policies, base)
    if workers is None:
        few = {f"{_where(b)}: simulation.workers: {b.simulation.workers:,} workers cannot be split over "
               f"{replications} replications" for _, b in pairs if b.simulation.workers < replications}
        if few:
            raise ConfigError(sorted(few))
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    bar = _progress_bar(len(pairs), len({id(b) for _, b in pairs}), replications) if progress else None
    arms: dict[int, Arm] = {}
    try:
        comparisons = []
        for policy, base_scenario in pairs:
            run_seed = base_scenario.simulation.seed if seed is None else seed
            per = (workers or base_scenario.simulation.workers) // replications
            seeds = replication_seeds(run_seed, replications)
            if id(base_scenario) not in arms:
                arms[id(base_scenario)] = _arm(base_scenario, seeds, per, threads, bar)
            comparisons.append(_paired(policy, base_scenario, _arm(policy, seeds, per, threads, bar),
                                       arms[id(base_scenario)], run_seed, seeds, per, started, clock))
    finally:
        if bar:
            bar.close()
    return comparisons


def resolve_pairs(policies, base=None) -> list[tuple[Scenario, Scenario]]:
    """Each policy with the base it is compared with, all loaded and checked before anything runs.

    A base named by several policies (or given once) is one Scenario object. Every problem of
    every file is collected into one :class:`ConfigError`.
    """
    if isinstance(policies, (str, Path, Scenario)):
        raise TypeError("policies must be a list of scenarios or paths; for one, use sim.compare")
    problems, loaded, pairs = [], {}, []

    def load(config):
        key = Path(config).resolve() if isinstance(config, (str, Path)) else id(config)
        if key not in loaded:
            scenario = scenario_of(config)
            calibration.load_figures(scenario)  # a bad seeds file is bad input too, found before running
            loaded[key] = scenario
        return loaded[key]

    for policy in policies:
        try:
            scenario = load(policy)
            if base is None and not scenario.bases:
                raise ConfigError([f"{_where(scenario)}: extends: the policy names no base to compare with; "
                                   f"name one (sim compare POLICY --base BASE)"])
            base_scenario = load(scenario.bases[0] if base is None else base)
            problems.extend(_incompatible(scenario, base_scenario))
            pairs.append((scenario, base_scenario))
        except ConfigError as error:
            problems.extend(line for line in error.problems if line not in problems)
    if problems:
        raise ConfigError(problems)
    return pairs


def _where(scenario: Scenario) -> str:
    return str(scenario.source_path) if scenario.source_path else "<policy built in code>"


def _incompatible(policy: Scenario, base: Scenario) -> list[str]:
    """Why ``policy`` cannot be paired month by month with ``base`` (empty when it can)."""
    problems = []
    ours, theirs = policy.simulation.horizon_months, base.simulation.horizon_months
    if ours != theirs:
        problems.append(f"{_where(policy)}: simulation.horizon_months: {ours} months, but the base {_where(base)} "
                        f"simulates {theirs}; paired months need the same horizon")
    ours, theirs = policy.simulation.money_unit, base.simulation.money_unit
    if ours != theirs:
        problems.append(f"{_where(policy)}: simulation.money_unit: {ours}, but the base {_where(base)} counts in "
                        f"{theirs}; an effect needs one money unit")
    return problems


def replication_seeds(seed: int, replications: int) -> list[int]:
    """``replications`` independent run seeds in [0, 2**63) spawned from ``seed``
    (:meth:`numpy.random.SeedSequence.spawn`): the same for every policy compared with one seed."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


class Arm(NamedTuple):
    """What a comparison keeps of one arm's runs (a Result holds its histograms, some megabytes):
    each replication's summary and monthly series, and the scenario as the first run recorded it."""

    summaries: list[dict]
    monthly: list[pd.DataFrame]
    monthly_by_destination: list[pd.DataFrame]
    monthly_by_status: list[pd.DataFrame | None]
    histogram: np.ndarray
    manifest: dict
    threads: int


def _arm(scenario: Scenario, seeds: list[int], per: int, threads: int | None, bar) -> Arm:
    """One run of ``scenario`` per seed, ``per`` simulated workers each."""
    summaries, monthly, by_destination, by_status, manifest, used = [], [], [], [], None, None
    histogram = 0
    for replication_seed in seeds:
        result = run(scenario, seed=replication_seed, workers=per, threads=threads, progress=False)
        summaries.append(result.summary_dict)
        monthly.append(result.monthly)
        by_destination.append(result.monthly_by_destination)
        by_status.append(result.monthly_by_status)
        histogram = histogram + result.raw.histogram[:, list(DISTRIBUTION_METRICS)].sum(axis=0)
        if manifest is None:  # the config file, the files it extends, the config as run
            manifest = {key: result.manifest[key] for key in ("config_file", "extends", "config")}
            used = result.raw.threads
        if bar:
            bar.update()
    return Arm(summaries, monthly, by_destination, by_status, histogram, manifest, used)


def _paired(policy: Scenario, base: Scenario, policy_arm: Arm, base_arm: Arm, seed: int, seeds: list[int],
            per: int, started, clock: float) -> Comparison:
    start = policy_start_month(policy, base)
    base_figures, policy_figures = (
        pd.DataFrame([effects.run_figures(summary, monthly, start) for summary, monthly in zip(arm.summaries,
                                                                                              arm.monthly)])
        for arm in (base_arm, policy_arm))
    monthly = effects.monthly_effect_frame(base_arm.monthly, policy_arm.monthly)
    by_destination = None
    if len(policy.destinations) > 1 and list(policy.destinations) == list(base.destinations):
        by_destination = effects.monthly_effect_frame(base_arm.monthly_by_destination,
                                                      policy_arm.monthly_by_destination, "destination")
    replications = pd.concat(
        [pd.DataFrame({"replication": index, "seed": replication_seed, "metric": base_figures.columns,
                       "base": base_figures.iloc[index].to_numpy(), "policy": policy_figures.iloc[index].to_numpy()})
         for index, replication_seed in enumerate(seeds)], ignore_index=True)
    replications["difference"] = replications["policy"] - replications["base"]
    date = None
    if start is not None and "date" in monthly:
        date = pd.Timestamp(monthly["date"].iloc[start]).strftime("%Y-%m")
    manifest = {
        "policy": policy_arm.manifest,
        "base": base_arm.manifest,
        "seed": seed,
        "replications": len(seeds),
        "replication_seeds": seeds,
        "workers_per_replication": per,
        "workers_per_arm": per * len(seeds),
        "policy_start_month": start,
        "policy_start_date": date,
        "money_unit": policy.simulation.money_unit,  # of every amount, whatever the _usd names say
        "threads": policy_arm.threads,
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_seconds": time.perf_counter() - clock,
        "command": sys.argv if sys.argv and sys.argv[0] else None,
        "versions": results.versions(),
        "git_commit": results.git_commit(Path(__file__).resolve().parent),
    }
    return Comparison(policy, base, effects.effect_frame(base_figures, policy_figures, policy.simulation.money_unit),
                      monthly, replications, manifest, by_destination,
                      _by_status_effects(policy, base, policy_arm, base_arm),
                      distribution_frame(base_arm.histogram, policy_arm.histogram))


def distribution_frame(base: np.ndarray, policy: np.ndarray) -> pd.DataFrame:
    """The returned hires' outcomes of both arms as distributions, from their histograms summed
    over cells and replications (``(len(DISTRIBUTION_METRICS), bins.BINS, 2)`` each, fixed 0.1%
    bins, :mod:`sim.bins`): one row per non-empty bin of each metric and arm, ``metric``, ``arm``
    ("base" or "policy"), ``value_usd`` (the mean of the bin's values, in the runs' money unit)
    and ``workers`` (simulated hires in it), in rising value."""
    rows = []
    for arm, histogram in (("base", base), ("policy", policy)):
        for index, metric in enumerate(DISTRIBUTION_METRICS.values()):
            counts, sums = histogram[index, :, bins.COUNT], histogram[index, :, bins.SUM]
            filled = counts > 0
            rows.append(pd.DataFrame({"metric": metric, "arm": arm,
                                      "value_usd": sums[filled] / counts[filled] / 100.0, "workers": counts[filled]}))
    return pd.concat(rows, ignore_index=True)


def _by_status_effects(policy: Scenario, base: Scenario, policy_arm: Arm, base_arm: Arm) -> pd.DataFrame | None:
    """The monthly effects by status (:func:`sim.effects.monthly_effect_frame`), in the policy's
    statuses; None unless the policy has statuses and the base has the same or none."""
    names = policy.status_names()
    if not policy.statuses or (base.statuses and base.status_names() != names):
        return None
    frames = [_everyone_on_permit(monthly, names) if by_status is None else by_status
              for monthly, by_status in zip(base_arm.monthly, base_arm.monthly_by_status)]
    return effects.monthly_effect_frame(frames, policy_arm.monthly_by_status, "status")


def _everyone_on_permit(monthly: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The monthly series of a run without statuses as series by status ``names``: everyone on
    the work permit (the first), nobody on the others."""
    columns = [column.name for column in outputs.columns("monthly_by_status")]
    frame = monthly.loc[monthly.index.repeat(len(names)), [c for c in ("month", "date") if c in monthly]]
    frame["status"] = np.tile(np.array(names, dtype=object), len(monthly))
    on_permit = np.tile(np.arange(len(names)) == 0, len(monthly))
    for column in columns:
        frame[column] = np.where(on_permit, monthly[column].to_numpy().repeat(len(names)), 0.0)
    return frame.reset_index(drop=True)


def _progress_bar(policies: int, bases: int, replications: int):
    from tqdm.auto import tqdm

    return tqdm(total=(policies + bases) * replications, unit="runs", leave=False, delay=2.0)
