"""Argument types and options shared by the ``sim`` subcommands (each subcommand's module adds its own parser)."""
import argparse
import logging

import numba

from sim.config import MAX_WORKERS, SEED_LIMIT


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_WORKERS:.0e}, got {value}")
    return value


def seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**63), got {value}")
    return value


def threads(text: str) -> int:
    value = positive_int(text)
    if value > numba.config.NUMBA_NUM_THREADS:
        raise argparse.ArgumentTypeError(
            f"at most {numba.config.NUMBA_NUM_THREADS} on this machine (NUMBA_NUM_THREADS), got {value}")
    return value


def loudness(default) -> argparse.ArgumentParser:
    """``--quiet`` and ``--verbose`` (setting ``log_level``), to add before or after a subcommand."""
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", dest="log_level", action="store_const", const=logging.WARNING,
                       default=default, help="print only results and errors: no notes, no progress bar")
    group.add_argument("-v", "--verbose", dest="log_level", action="store_const", const=logging.DEBUG,
                       default=default, help="also print debugging notes (what runs, on how many threads, how long)")
    return parser
