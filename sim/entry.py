"""The ``sim`` executable and ``python -m sim``: the command line of :mod:`sim.cli`, run once in a
process of its own.

Such a process keeps what its imports make (a few hundred thousand objects, from Numba, pandas,
Matplotlib, SciPy and pydantic) until it exits, yet Python's cycle collector would walk them all in
each full collection: twice while :mod:`sim.cli` is imported, twice more during a run and again
at exit, over half a second of a 2.7 s warm ``sim run configs/baseline.toml``. So the collector is off while
:mod:`sim.cli` is imported, and :func:`gc.freeze` then moves every object there is out of its
reach, once the imports are done and again at the end; what a run makes and drops in between is
collected as usual. This is done here and not in :func:`sim.cli.main`, which tests and scripts
call many times in one process.
"""
import gc
import sys


def command() -> None:
    """Run ``sim`` on the process's arguments (``sys.argv``) and exit with its status."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        from sim.cli import main
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    status = main()
    gc.freeze()
    sys.exit(status)
