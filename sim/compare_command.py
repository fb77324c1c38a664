"""``sim compare POLICY [POLICY ...] [--base BASE]``: what a policy changes, with paired intervals.

A folder stands for its ``*.toml`` files, as with ``sim run``: ``sim compare configs/policies``
compares every example policy with the baseline, which runs once.

Every file is read and checked before anything runs: a bad one (missing, an unknown key, a
policy with no base) gives one line per problem naming the file and the key, exit status 2, and
nothing written. Each comparison then prints a table of effects and is saved to a new directory
under ``--out`` (see :mod:`sim.comparison`).
"""
import argparse
import logging
import sys
from pathlib import Path

from sim import arguments, effects
from sim.cli import EXIT_BAD_INPUT, EXIT_FAILED, _expand, refused_output
from sim.comparison import REPLICATIONS


def add_parser(commands, parents) -> None:
    """Add ``sim compare`` to the subcommands ``commands``."""
    parser = commands.add_parser(
        "compare", parents=parents, help="compare policies with their base: effects with paired intervals",
        description="Run each policy and its base with the same seeds (common random numbers) over paired "
                    "replications, print the policy's effects with 95% intervals, and write a new results "
                    "directory for each policy: effects.csv, monthly_effects.parquet, figures, report.html.")
    parser.add_argument("policies", nargs="+", type=Path, metavar="POLICY",
                        help="TOML scenario files of policies, or folders of them")
    parser.add_argument("--base", type=Path, metavar="BASE",
                        help="the scenario to compare with (default: the file each policy extends)")
    parser.add_argument("--replications", type=replications, default=REPLICATIONS, metavar="R",
                        help=f"paired replications, at least 2 (default: {REPLICATIONS})")
    parser.add_argument("--seed", type=arguments.seed, metavar="S",
                        help="seed the replications' seeds are spawned from (default: simulation.seed of the base)")
    parser.add_argument("--workers", type=arguments.positive_int, metavar="N",
                        help="simulated workers of each arm, split over the replications "
                             "(default: simulation.workers of the base)")
    parser.add_argument("--threads", type=arguments.threads, metavar="T",
                        help="threads (default: all; results do not depend on it)")
    parser.add_argument("--out", type=Path, default=Path("results"), metavar="DIR",
                        help="where comparison directories go (default: results)")
    parser.set_defaults(handler=compare_command)


def replications(text: str) -> int:
    value = arguments.positive_int(text)
    if value < 2:
        raise argparse.ArgumentTypeError(f"an interval needs at least 2 replications, got {value}")
    return value


def compare_command(args) -> int:
    from sim.comparison import compare_all
    from sim.config import ConfigError

    policies = _expand(args.policies)
    if not policies:
        print(f"error: {', '.join(map(str, args.policies))}: no .toml files found", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.workers is not None and args.workers < args.replications:
        print(f"error: --workers {args.workers}: fewer than the {args.replications} replications it is split over",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    if refused_output(args.out):
        return EXIT_BAD_INPUT
    try:
        comparisons = compare_all(policies, args.base, seed=args.seed, workers=args.workers,
                                  replications=args.replications, threads=args.threads,
                                  progress=None if args.log_level <= logging.INFO else False)
    except ConfigError as error:
        for line in error.problems:
            print(f"error: {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        for comparison in comparisons:
            print(comparison.title())
            print("\n".join(effects.table_lines(comparison.effects)))
            print(f"  results: {comparison.save(args.out)}")
    except BrokenPipeError:  # piped into a command that stopped reading: sim.cli handles it
        raise
    except OSError as error:  # the disk filled up, a folder vanished: say so without a traceback
        print(f"error: {args.out}: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_FAILED
    return 0
