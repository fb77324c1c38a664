"""``python -m benchmarks.warm_run [CONFIG] [--repeats N]``: how long a warm ``sim run`` takes,
and where the time goes.

Prints the median wall time of ``N`` runs (5 by default) of ``python -m sim run CONFIG`` (the
``sim`` executable runs the same :func:`sim.entry.command`; CONFIG is the baseline unless given)
after one to warm Numba's cache (:func:`benchmarks.suite.first_run`). Then runs the command once
more in a child that notes the time at the edges of each phase (the imports, the run's
simulation, which loads the kernel from the cache, the tuning scan, the tables, the figures, the
report) and prints each phase's wall time; the interpreter's start and exit are the rest of the
child's wall time. ``python -m benchmarks`` records the same phases. Timings swing with other jobs on the
machine: compare runs made in the same minutes.
"""
import argparse
import json
import tempfile
from pathlib import Path

from benchmarks.suite import BASELINE, ROOT, first_run, timed_process

PHASES = """
import gc, json, sys, time
started = time.perf_counter()
marks = []
def mark(name):
    marks.append((name, time.perf_counter() - started))
gc.disable()  # as sim.entry.command does: the collector off while sim.cli is imported, then freeze
import sim.cli
gc.freeze()
gc.enable()
mark("import sim.cli (Numba, pandas, pydantic, SciPy)")
from sim import api, plots, report, results, tuning_scan
mark("import sim.api, sim.plots, sim.report (Matplotlib)")
def timed(module, name, before, label):
    function = getattr(module, name)
    def wrapper(*args, **options):
        setattr(module, name, function)  # the first call only
        if before:
            mark(before)
        value = function(*args, **options)
        mark(label)
        return value
    setattr(module, name, wrapper)
timed(api, "simulate", "arguments, scenario and seeds files",
      "the run's simulation (the kernel loaded from the cache)")
timed(tuning_scan, "scan", "the run's tables and calibration", "tuning scan")
timed(results, "write_tables", "run directory, manifest, summary", "tables written")
timed(plots, "draw_all", None, "figures")
timed(report, "build", None, "report.html")
status = sim.cli.main(["--quiet", "run", sys.argv[1], "--out", sys.argv[2]])
gc.freeze()
mark("the rest of the run")
print(json.dumps(marks))
sys.exit(status)
"""
"""The child of :func:`phases`: ``sim run`` with a clock at the edges of its phases."""


def phases(config: str) -> list[tuple[str, float]]:
    """(phase, wall seconds) of one warm ``sim run CONFIG``, in order; the last, the interpreter's
    start and exit."""
    with tempfile.TemporaryDirectory() as out:
        wall, stdout = timed_process(["-c", PHASES, config, out])
    marks = json.loads(stdout.splitlines()[-1])
    edges = [0.0] + [seconds for _, seconds in marks]
    return [(name, end - start) for (name, _), start, end in zip(marks, edges, edges[1:])] + [
        ("interpreter start and exit", wall - marks[-1][1])]


def table(phases_seconds) -> list[str]:
    """The lines of a table of (phase, seconds), with their total."""
    width = max(len(name) for name, _ in phases_seconds)
    total = sum(seconds for _, seconds in phases_seconds)
    rows = [*phases_seconds, ("total", total)]
    return [f"  {name:<{width}}  {seconds:6.3f} s" for name, seconds in rows]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.warm_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("config", nargs="?", type=Path, help="scenario file (default: configs/baseline.toml)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs after the warm-up (default: 5)")
    args = parser.parse_args(argv)
    config = args.config.resolve() if args.config else BASELINE  # the runs start in the repository's root
    _, median = first_run(config, empty_cache=False, repeats=args.repeats)
    shown = args.config or BASELINE.relative_to(ROOT)
    print(f"python -m sim run {shown}: {median:.2f} s wall, median of {args.repeats}")
    print("\n".join(table(phases(str(config)))))


if __name__ == "__main__":
    main()
