"""``sim sweep STUDY.toml``: run a study's design points and write a sweep directory.

Exit status: 0 when every run finished, 1 when some failed (``failures.csv`` names them; the
table holds the others), 2 for a bad study or output folder (nothing written), 130 when
interrupted (the finished runs stay: ``--resume DIR`` runs the rest).
"""
import logging
import sys
from pathlib import Path

from sim import arguments, executors
from sim.config import ConfigError

log = logging.getLogger("sim")

SHOWN_POINTS = 20
"""At most this many points are printed one by one; more are summarised by quantiles."""


def add_parser(commands, parents) -> None:
    """Add ``sim sweep`` to the ``sim`` command's subparsers."""
    add_study_command(
        commands, parents, "sweep", sweep_command, help_text="run a study: many runs over uncertain inputs and policy levers",
        description="Run every design point of a study (a base scenario, uncertain inputs with ranges, policy "
                    "levers, a design) and write one tidy table, one row per point and replication, with "
                    "figures. Interrupted, it resumes with --resume DIR.")


def add_study_command(commands, parents, name: str, handler, help_text: str, description: str,
                      resume: bool = True) -> None:
    """Add subcommand ``name`` running a study's points (sweep, sensitivity, calibrate): the study
    file, ``--out``, ``--resume`` (unless ``resume`` is False) and where the runs execute."""
    parser = commands.add_parser(name, parents=parents, help=help_text, description=description)
    parser.add_argument("study", type=Path, metavar="STUDY", help="the study file (TOML)")
    parser.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                        help="where the new results directory goes (default: results)")
    if resume:
        parser.add_argument("--resume", type=Path, metavar="DIR",
                            help="an interrupted directory of the same study: run only what it lacks")
    parser.set_defaults(handler=handler, resume=None)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--processes", type=arguments.positive_int, metavar="K",
                       help="local worker processes (default: one per core; 1 runs in this process)")
    where.add_argument("--dask-local", type=arguments.positive_int, metavar="K",
                       help="start a Dask LocalCluster of K worker processes and run on it")
    where.add_argument("--scheduler", metavar="ADDRESS", help="run on the Dask scheduler at ADDRESS")


def _number(value: float) -> str:
    """Whole numbers with separators from 10,000 up, four significant digits below."""
    return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:,.4g}"


def _quantile_rows(table, outputs):
    """Each output's median and 5% to 95% range across points, as text."""
    means = table.groupby("point")[outputs].mean()
    return {name: f"{_number(means[name].median())} ({_number(means[name].quantile(0.05))} to "
                  f"{_number(means[name].quantile(0.95))})" for name in outputs}


def print_summary(result) -> None:
    """Print the sweep's points (means over replications) or, for many, the spread of each output."""
    table, spec = result.table, result.study.spec
    runs, failed = len(table), len(result.failures)
    print(f"{result.study.source}: {spec.point_count():,} points x {spec.design.replications} "
          f"replication(s), {runs:,} runs finished, {failed} failed")
    if runs and table["point"].nunique() <= SHOWN_POINTS:
        columns = [*result.study.inputs, *spec.outputs]
        means = table.groupby("point")[columns].mean(numeric_only=True)
        print(means.to_string(index=False, float_format=_number))
    elif runs:
        rows = _quantile_rows(table, list(spec.outputs))
        width = max(map(len, rows))
        print("  output: median across points (5% to 95%)")
        for name, text in rows.items():
            print(f"  {name:<{width}}  {text}")
    print(f"  results: {result.directory}")


def bad_input(error: ConfigError) -> int:
    """Print a ConfigError's lines to stderr; the exit status of bad input (2)."""
    for line in error.problems:
        print(f"error: {line}", file=sys.stderr)
    return 2


def run_study(args, load, run):
    """Load ``args.study`` with ``load``, open the executor the options ask for, and return
    (0, ``run(study, executor, progress)``); or (exit status, None) for a bad study or output
    folder (2) or a scheduler that cannot be reached (1)."""
    try:
        study = load(args.study)
        executor = executors.choose(args.processes, args.dask_local, args.scheduler)
    except ConfigError as error:
        return bad_input(error), None
    except OSError as error:  # a scheduler that cannot be reached
        print(f"error: --scheduler {args.scheduler}: {error}", file=sys.stderr)
        return 1, None
    progress = None if args.log_level <= logging.INFO else False
    try:
        with executor:
            return 0, run(study, executor, progress)
    except ConfigError as error:
        return bad_input(error), None


def sweep_command(args) -> int:
    from sim.study import load_study
    from sim.sweeps import sweep

    status, result = run_study(args, load_study, lambda study, executor, progress: sweep(
        study, out=args.out, executor=executor, resume=args.resume, progress=progress))
    if result is None:
        return status
    print_summary(result)
    if len(result.failures):
        print(f"error: {len(result.failures)} run(s) failed: see {result.directory / 'failures.csv'}", file=sys.stderr)
        return 1
    return 0
