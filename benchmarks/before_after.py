"""``python -m benchmarks.before_after``: the kernel beside f284431, the commit before issue 7's
changes (the model table, named interfaces, the plain reference, no reference counts), like for like.

Issue 8 added mechanisms to the model after f284431 (a queue of candidates, levers by destination,
diversion, a repatriation order and statuses, the loan and travel in a candidate's decision,
outcomes of the workers met at month 0). So a plain comparison sets today's model against a
smaller one. Three arms, each a checkout of its own run in processes of its own with a Numba
cache of its own, alternated round by round (the machine's speed drifts):

``before``
    f284431, its baseline.
``after``
    PATCH_BASE with ``before_after.patch``, which knocks out of the kernel what issue 8 added to
    every run (the patch's header lists it), run with one candidate a month: f284431's model in
    today's kernel. Its workload (worker-months, hires and returns per slot) is printed beside
    f284431's; they differ by sampling noise only (the slots' random streams differ).
``now``
    This checkout, its baseline: today's model.

``after`` against ``before`` is what issue 7's changes cost; ``now`` against ``after``, what
issue 8's mechanisms cost. Each process simulates ``--workers`` slots on ``--threads`` threads
``--repeats`` times (compiling first, excluded) and prints M worker-months per second. Needs
this repository's git history (f284431 and PATCH_BASE); the checkouts are temporary worktrees.
About 4 minutes with the defaults.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BEFORE = "f284431"
"""The commit before issue 7's first change."""
PATCH_BASE = "887e2a9"
"""The commit ``before_after.patch`` applies to."""
PATCH = Path(__file__).with_name("before_after.patch")

MEASURE = """
import json, os, sys, time
import sim
assert os.path.dirname(sim.__file__) == os.path.join(os.getcwd(), "sim"), sim.__file__  # this checkout's
if os.path.exists("sim/scenario_file.py"):
    from sim.scenario_file import load_config
else:  # f284431
    from sim.config import load_config
from sim import engine, layout as L
workers, threads, repeats = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
scenario = load_config("configs/baseline.toml", sys.argv[4:])
engine.simulate(scenario, seed=1, workers=40_000, threads=threads)  # compile, or load the cache
columns = ([L.M.workers_active, L.M.hires, L.M.returns] if hasattr(L, "M")
           else [L.M_ACTIVE, L.M_HIRES, L.M_RETURNS])
rates = []
for _ in range(repeats):
    started = time.perf_counter()
    raw = engine.simulate(scenario, seed=1, workers=workers, threads=threads)
    rates.append(raw.monthly[:, columns[0]].sum() / (time.perf_counter() - started) / 1e6)
print(json.dumps({"rates": rates, "per_slot": [raw.monthly[:, c].sum() / workers for c in columns]}))
"""
ARMS = {"before": [], "after": ["participation.candidates_per_post=1"], "now": []}
"""Each arm's ``--set`` overrides of configs/baseline.toml."""


def _git(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(REPO), *args], check=check, capture_output=True, text=True, **kwargs)


def patch_applies() -> bool:
    """Whether ``before_after.patch`` applies to PATCH_BASE (checked in a scratch index, no checkout)."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git("read-tree", PATCH_BASE, env=env)
        return _git("apply", "--cached", "--check", str(PATCH), env=env, check=False).returncode == 0


def _measure(tree: Path, cache: Path, workers: int, threads: int, repeats: int, overrides: list) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(cache)}
    run = subprocess.run([sys.executable, "-c", MEASURE, str(workers), str(threads), str(repeats), *overrides],
                         cwd=tree, env=env, capture_output=True, text=True, check=False)
    if run.returncode:
        sys.exit(f"the measurement failed in {tree}:\n{run.stderr}")
    return json.loads(run.stdout.splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.before_after", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the three arms, alternated (default 3)")
    parser.add_argument("--workers", type=float, default=1e7, help="slots a run (default 1e7)")
    parser.add_argument("--threads", type=int, default=2, help="threads (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs a process (default 3)")
    args = parser.parse_args(argv)
    if not patch_applies():
        sys.exit(f"{PATCH.name} does not apply to {PATCH_BASE}")
    with tempfile.TemporaryDirectory(prefix="sim-before-after-") as scratch:
        scratch = Path(scratch)
        trees = {"before": scratch / "before", "after": scratch / "after", "now": REPO}
        try:
            _git("worktree", "add", "--detach", str(trees["before"]), BEFORE)
            _git("worktree", "add", "--detach", str(trees["after"]), PATCH_BASE)
            subprocess.run(["git", "apply", str(PATCH)], cwd=trees["after"], check=True)
            rates = {arm: [] for arm in ARMS}
            for round_ in range(args.rounds):
                for arm, overrides in ARMS.items():
                    result = _measure(trees[arm], scratch / f"cache-{arm}", int(args.workers), args.threads,
                                      args.repeats, overrides)
                    rates[arm] += result["rates"]
                    per_slot = ", ".join(f"{name} {value:.3f}" for name, value in
                                         zip(("worker-months", "hires", "returns"), result["per_slot"]))
                    print(f"round {round_ + 1} {arm:6s} " + " ".join(f"{r:.0f}" for r in result["rates"])
                          + f"  M worker-months/s   per slot: {per_slot}", flush=True)
        finally:
            for arm in ("before", "after"):  # those added; a failed add left nothing to remove
                _git("worktree", "remove", "--force", str(trees[arm]), check=False)
    median = {arm: statistics.median(values) for arm, values in rates.items()}
    threads = f"{args.threads} thread" + ("s" if args.threads > 1 else "")
    print(f"\nmedians, M worker-months/s ({args.workers:.0e} workers, {threads}): "
          + ", ".join(f"{arm} {value:.0f}" for arm, value in median.items()))
    print(f"throughput ratios: after / before {median['after'] / median['before']:.3f} (issue 7's changes), "
          f"now / after {median['now'] / median['after']:.3f} (issue 8's mechanisms), "
          f"now / before {median['now'] / median['before']:.3f}")


if __name__ == "__main__":
    main()
