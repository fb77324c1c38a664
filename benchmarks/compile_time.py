"""``python -m benchmarks.compile_time``: where a first run's compile time goes.

Runs the kernel once (the baseline, 500 workers) in this process with an empty Numba cache (a
new temporary ``NUMBA_CACHE_DIR``, deleted after, unless one is set) and prints CPU seconds by compiler pass
and by compiled function, each exclusive of what it calls, from Numba's event API
(``numba.core.event``: ``numba:compile``, ``numba:run_pass``, and ``numba:llvm_lock`` for
LLVM's optimisation and code generation), and how many times each function was compiled (a
function compiled for several argument types counts each). CPU time, not wall time, so that
other jobs on the machine disturb it less.
"""
import atexit
import collections
import os
import re
import shutil
import sys
import tempfile
import time

if "NUMBA_CACHE_DIR" not in os.environ:
    os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="sim-cold-")
    atexit.register(shutil.rmtree, os.environ["NUMBA_CACHE_DIR"], ignore_errors=True)

from numba.core import event  # noqa: E402  (after NUMBA_CACHE_DIR is set)


class CompileClock(event.Listener):
    """Exclusive CPU seconds per pass and per function, and compiles per function."""

    def __init__(self):
        self.stack = []  # [kind, (pass or "compile", function), started, seconds in nested events]
        self.by_pass = collections.defaultdict(float)
        self.by_function = collections.defaultdict(float)
        self.compiles = collections.Counter()

    def on_start(self, ev):
        if ev.kind == "numba:run_pass":
            match = re.match(r"(\S+) \[(.*)\]", ev.data["name"])
            name = (match[1], match[2]) if match else (ev.data["name"], "?")
        elif ev.kind == "numba:compile":
            name = ("compile", getattr(ev.data["dispatcher"], "py_func", ev.data["dispatcher"]).__qualname__)
        else:
            name = ("LLVM", next((entry[1][1] for entry in reversed(self.stack)), "?"))
        self.stack.append([ev.kind, name, time.process_time(), 0.0])

    def on_end(self, ev):
        kind, (stage, function), started, nested = self.stack.pop()
        seconds = time.process_time() - started
        if self.stack:
            self.stack[-1][3] += seconds
        own = seconds - nested
        self.by_pass["(outside passes)" if stage == "compile" else stage] += own
        self.by_function[function] += own
        if kind == "numba:compile":
            self.compiles[function] += 1


def _top(counts, n, unit="s"):
    return ", ".join(f"{name} {value:.2f}{unit}" if unit else f"{name} {value}"
                     for name, value in sorted(counts.items(), key=lambda item: -item[1])[:n])


def main() -> int:
    clock = CompileClock()
    for kind in ("numba:compile", "numba:run_pass", "numba:llvm_lock"):
        event.register(kind, clock)
    started, wall = time.process_time(), time.perf_counter()
    from sim import engine
    from sim.scenario_file import load_config
    imported = time.process_time() - started
    engine.simulate(load_config(os.path.join(os.path.dirname(__file__), "..", "configs", "baseline.toml")),
                    workers=500)
    print(f"Numba cache: {os.environ['NUMBA_CACHE_DIR']}")
    print(f"CPU seconds: imports {imported:.2f}, first kernel call {time.process_time() - started - imported:.2f} "
          f"(wall, all of it: {time.perf_counter() - wall:.1f} s)")
    print("by pass:", _top(clock.by_pass, 8))
    print("by function:", _top(clock.by_function, 10))
    print("compiled more than once:", _top({k: v for k, v in clock.compiles.items() if v > 1}, 10, unit="") or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
