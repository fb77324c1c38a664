"""The ``sim`` command: ``sim run``, ``sim validate`` and ``sim report`` (also ``python -m sim``).

Results and tables go to stdout; errors, and informational messages through
the ``sim`` logger (hidden by ``--quiet``; ``--verbose`` adds debug ones),
to stderr. Exit status: 0 on success, 2 when any input is bad (the message
names the file and key, or the output folder; nothing is written for that
config), 1 on any other failure, 130 when interrupted (Ctrl-C).
"""
import argparse
import importlib
import os
import json
import logging
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pandas as pd

from sim import __version__, arguments, calibration, results, scratch, tuning_scan
from sim.config import ConfigError, Scenario
from sim.scenario_file import load_config
from sim.targets import load_targets

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130

log = logging.getLogger("sim")

SUBCOMMAND_MODULES: list[str] = ["sim.compare_command", "sim.sweep_command", "sim.sensitivity_command",
                                  "sim.calibrate_command"]
"""Modules adding a subcommand of their own: each has ``add_parser(commands, parents)``, which adds
its parser to ``commands`` (with ``parents`` for --quiet/--verbose) and sets ``handler`` to the
function taking the parsed arguments and returning the exit status."""


def build_parser() -> argparse.ArgumentParser:
    """The ``sim`` command line: ``--version``, ``--quiet``/``--verbose``, and the subcommands."""
    parser = argparse.ArgumentParser(prog="sim", parents=[arguments.loudness(logging.INFO)],
                                     description="Simulate labour migration under state control.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}",
                        help="print the package version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="sim COMMAND --help tells more")
    after = [arguments.loudness(argparse.SUPPRESS)]  # given after the subcommand, or left as given before it

    run = commands.add_parser("run", parents=after, help="simulate one or more scenarios and write results",
                              description="Simulate each scenario and write a new results directory for it "
                                          "(a batch folder with index.csv for several).")
    run.add_argument("configs", nargs="+", type=Path, metavar="CONFIG",
                     help="TOML scenario files, or folders of them")
    run.add_argument("--seed", type=arguments.seed, metavar="S", help="run seed (default: simulation.seed of the config)")
    run.add_argument("--workers", type=arguments.positive_int, metavar="N",
                     help="simulated workers (default: simulation.workers)")
    run.add_argument("--threads", type=arguments.threads, metavar="T",
                     help="threads (default: all; results do not depend on it)")
    run.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                     help="where run directories go (default: results)")
    run.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                     help="override a config value, e.g. --set skim.share=0.2 (repeatable; KEY= removes the key)")
    run.add_argument("--keep-workers", action="store_true", help="also write workers.parquet, one row per hire")
    run.add_argument("--targets", type=Path, metavar="FILE",
                     help="your own dated figures (TOML, see configs/targets/) to compare with the run, as "
                          "calibration.targets_file; needs simulation.start")
    run.add_argument("--tuning-scan", action=argparse.BooleanOptionalAction, default=None,
                     help="run each tuned figure's parameter at 9 values too (tuning_scan.csv and .png; about 0.2 s); "
                          "default: calibration.tuning_scan of the config, true unless it says false")
    run.set_defaults(handler=run_command)

    validate = commands.add_parser("validate", parents=after, help="check scenario files and print them resolved",
                                   description="Check scenario files (and their seeds files) without "
                                               "simulating; print each resolved, or every problem at once.")
    validate.add_argument("configs", nargs="*", type=Path, metavar="CONFIG",
                          help="TOML scenario files, or folders of them")
    validate.add_argument("--explain", action="store_true",
                          help="print every key of a scenario file, what it takes and what it means")
    validate.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                          help="override a config value, e.g. --set skim.share=0.2 (repeatable; KEY= removes the key)")
    validate.set_defaults(handler=validate_command)

    report = commands.add_parser("report", parents=after, help="rebuild report.html of a results directory",
                                 description="Rebuild report.html, the self-contained page explaining a run or "
                                             "a comparison, from the files saved in a results directory.")
    report.add_argument("directory", type=Path, metavar="DIR",
                        help="a results directory written by sim run or sim compare")
    report.set_defaults(handler=report_command)

    for module in SUBCOMMAND_MODULES:
        importlib.import_module(module).add_parser(commands, after)
    return parser


def report_command(args) -> int:
    from sim.pages import build
    from sim.report import ReportError

    try:
        path = build(args.directory)
    except ReportError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"error: {args.directory}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(path)
    return 0


def refused_output(out: Path) -> bool:
    """True, with one line on stderr, when ``--out`` cannot hold results (see :func:`sim.results.output_problem`)."""
    problem = results.output_problem(out)
    if problem:
        print(f"error: {out}: {problem}", file=sys.stderr)
    return problem is not None


def _expand(paths) -> list[Path]:
    """Config files in the order given; a folder stands for its ``*.toml`` files, sorted."""
    expanded = []
    for path in paths:
        expanded.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return expanded


def _report_errors(error: ConfigError) -> None:
    for line in error.problems:
        print(f"error: {line}", file=sys.stderr)


def validate_command(args) -> int:
    if args.explain:
        from sim.explain import format_reference, key_reference

        print(format_reference(key_reference()))
    elif not args.configs:
        print("error: sim validate: name at least one CONFIG (or ask for --explain)", file=sys.stderr)
        return EXIT_BAD_INPUT
    status = 0
    for path in _expand(args.configs):
        try:
            scenario = _load(path, args.overrides)
        except ConfigError as error:
            _report_errors(error)
            status = EXIT_BAD_INPUT
            continue
        print(f"# {path}: valid")
        print(json.dumps(scenario.to_toml_dict(), indent=2))
    return status


def _headline(result) -> dict:
    """The result's headline figures, then calibration and how the run was made, as text."""
    summary = result.summary_dict
    scan = {} if result.tuning_scan is None else {
        "tuning scan (values in range of those scanned)": tuning_scan.describe(result.tuning_scan)}
    return {
        **result.headline,
        "calibration (evidence: independent figures only)": calibration.evidence_line(result.calibration),
        **scan,
        "simulated workers / seed": f"{summary['n_workers_simulated']:,} / {summary['seed']}",
        "simulation time, s (compiles on a first run)": f"{summary['wall_seconds']:.2f}",
    }


def _print_table(title: str, rows: dict) -> None:
    width = max(len(key) for key in rows)
    print(title)
    for key, value in rows.items():
        print(f"  {key:<{width}}  {value}")


def _load(path: Path, overrides, targets: Path | None = None) -> Scenario:
    """The scenario in ``path`` (with ``targets`` as its ``calibration.targets_file``), its seeds
    and targets files checked too; ConfigError naming what is wrong."""
    if targets is not None:
        overrides = [*overrides, f"calibration.targets_file={json.dumps(str(targets.resolve()))}"]
    scenario = load_config(path, overrides)
    calibration.load_figures(scenario)
    load_targets(scenario)
    return scenario


def _run_one(path: Path, args, out: Path):
    """Run one scenario into a new directory under ``out``; return (result, directory).

    ``out`` is made only once the scenario is known to be good, and removed
    again if the run fails and it stays empty.
    """
    from sim.api import run

    scenario = _load(path, args.overrides, args.targets)
    with results.made_directory(out), _scratch(out, args.keep_workers) as scratch_dir:
        workers_file = scratch_dir / "workers.parquet" if scratch_dir else None
        result = run(scenario, seed=args.seed, workers=args.workers, threads=args.threads,
                     progress=None if args.log_level <= logging.INFO else False, workers_file=workers_file,
                     tuning_scan=args.tuning_scan)
        directory = result.save(out)
    _print_table(f"{path}", _headline(result))
    print(f"  results: {directory}")
    return result, directory


def _scratch(out: Path, wanted: bool):
    """A scratch directory in ``out`` for the streamed worker records when ``wanted``, else None."""
    return scratch.directory(out, prefix=".workers-") if wanted else nullcontext(None)


def _remove_leftovers(out: Path) -> None:
    """Remove what runs into ``out`` (and its batches) that died left behind (see :mod:`sim.scratch`)."""
    removed = [path for folder in (out, *sorted(out.glob("batch-*"))) for path in scratch.remove_dead(folder)]
    if removed:
        log.info("removed %d leftover temporary file(s) of runs that were killed, e.g. %s", len(removed), removed[0])


def run_command(args) -> int:
    paths = _expand(args.configs)
    if not paths:
        folders = ", ".join(str(path) for path in args.configs)
        print(f"error: {folders}: no .toml files found", file=sys.stderr)
        return EXIT_BAD_INPUT
    if refused_output(args.out):
        return EXIT_BAD_INPUT
    if args.out.is_dir():
        _remove_leftovers(args.out)
    if len(paths) == 1:
        return _run_single(paths[0], args)
    return _run_batch(paths, args)


def _run_single(path: Path, args) -> int:
    try:
        _run_one(path, args, args.out)
    except ConfigError as error:
        _report_errors(error)
        return EXIT_BAD_INPUT
    except OSError as error:  # the disk filled up, a folder vanished: say so without a traceback
        print(f"error: {path}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0


BATCH_STATUS_EXIT = {"ok": 0, "failed": EXIT_FAILED, "invalid": EXIT_BAD_INPUT}
"""Exit status of a batch by the worst status in its index."""


def _run_batch(paths, args) -> int:
    """Run each config into a new ``batch-<time>`` folder with an ``index.csv`` of what happened.

    Ctrl-C stops the batch but still writes the index (the current config
    ``interrupted``, the rest ``not run``); a batch in which no config
    produced results leaves no folder behind.
    """
    with results.made_directory(args.out):
        batch = results.claim_directory(args.out, f"batch-{results.timestamp()}")
        rows = []
        try:
            for path in paths:
                rows.append(_batch_row(path, args, batch))
        except KeyboardInterrupt:
            rows.append({"config": str(paths[len(rows)]), "status": "interrupted"})
            rows.extend({"config": str(path), "status": "not run"} for path in paths[len(rows):])
            _finish_batch(batch, rows)
            raise
        _finish_batch(batch, rows)
    return max(BATCH_STATUS_EXIT[row["status"]] for row in rows)


def _batch_row(path: Path, args, batch: Path) -> dict:
    """Run one config of a batch; return its row of the index (errors reported, not raised)."""
    try:
        result, directory = _run_one(path, args, batch)
    except ConfigError as error:
        _report_errors(error)
        return {"config": str(path), "status": "invalid", "error": " | ".join(error.problems)}
    except Exception as error:  # one failing scenario must not stop the batch
        print(f"error: {path}: {type(error).__name__}: {error}", file=sys.stderr)
        return {"config": str(path), "status": "failed", "error": f"{type(error).__name__}: {error}"}
    summary = result.summary_dict
    return {
        "config": str(path), "status": "ok", "results": directory.name, "money_unit": result.money_unit,
        "state_revenue_usd_per_year": summary["state_revenue_usd_per_year"]["mean"],
        "manager_skim_usd_per_year": summary["manager_skim_usd_per_year"]["mean"],
        "workers_active_mean": summary["workers_active_mean"],
        "cash_home_usd_p50": summary["cash_home_usd"]["p50"],
        "net_gain_usd_p50": summary["net_gain_usd"]["p50"],
        "kept_usd_per_month_p50": summary["kept_usd_per_month"]["p50"],
        "share_worse_off_than_home": summary["share_worse_off_than_home"],
    }


def _finish_batch(batch: Path, rows: list[dict]) -> None:
    """Write the batch's ``index.csv`` if any config produced results; else remove the empty folder."""
    if not any(row["status"] == "ok" for row in rows):
        results.remove_empty([batch])
        return
    index = pd.DataFrame(rows)
    results.write_file_atomically(batch / "index.csv", lambda path: index.to_csv(path, index=False))
    print(f"batch index: {batch / 'index.csv'}")


class _StderrHandler(logging.StreamHandler):
    """Writes each message to ``sys.stderr`` as it is when the message comes (tests replace it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


@contextmanager
def _logging_to_stderr(level: int):
    """Show the ``sim`` logger's messages from ``level`` up on stderr, bare, for the block."""
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    previous = log.level
    log.addHandler(handler)
    log.setLevel(level)
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(previous)


def main(argv=None) -> int:
    """Run the ``sim`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    started = time.perf_counter()
    with _logging_to_stderr(args.log_level):
        try:
            status = args.handler(args)
        except KeyboardInterrupt:  # Ctrl-C: the run's temporary files are already removed
            print("interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # piped into a command that stopped reading (| head): not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit flush is silent
            return 0
        if args.command == "run" and status == 0:
            log.info("done in %.1f s", time.perf_counter() - started)
    return status


if __name__ == "__main__":
    sys.exit(main())
