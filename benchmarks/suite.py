"""Measurements of the benchmark suite; each returns plain numbers, compile time excluded.

Throughput is worker-months per second, counting the months inside the horizon
(``monthly[:, M.workers_active]``); the run-out after the horizon is extra work not counted.
Every timing is the median over ``repeats`` runs after one warm-up run.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numba

from benchmarks import reference_numpy, rng_floor
from sim import engine, executors, layout as L, reference as plain_reference
from sim.study import validate_study
from sim.point import point_model
from sim.sweeps import evaluate, runs, sweep as run_sweep
from sim.params import compile_params, compile_timeline

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "configs" / "baseline.toml"


def _timed(run, repeats):
    """(median seconds, worker-months) of ``run()``, which returns the worker-months it simulated."""
    run()  # warm-up: compiles or loads the cache
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        worker_months = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), worker_months


def _active_months(raw):
    return int(raw.monthly[:, L.M.workers_active].sum())


def kernel(scenario, n, threads, repeats):
    """Seconds (median) and worker-months of :func:`sim.engine.simulate` at ``n`` slots."""
    return _timed(lambda: _active_months(engine.simulate(scenario, workers=n, threads=threads)), repeats)


def floor(scenario, n, threads, repeats):
    """Seconds and worker-months of the RNG floor (draws and loop control only) at ``n`` slots."""
    horizon = scenario.simulation.horizon_months

    def run():
        numba.set_num_threads(threads)
        active = rng_floor.allocate(threads, horizon)
        rng_floor.floor_slots(scenario.simulation.seed, n, horizon, active)
        return int(active.sum())

    try:
        return _timed(run, repeats)
    finally:
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)


def _numpy_reference(scenario, seed, n):
    """:func:`benchmarks.reference_numpy.simulate` from the scenario (compiling its parameters
    takes a millisecond, beside seconds of simulating)."""
    timeline = compile_timeline(scenario)
    return reference_numpy.simulate(compile_params(scenario), timeline, seed, n)


REFERENCES = {"numpy": _numpy_reference, "python": plain_reference.simulate}
"""Each reference as a function of (scenario, seed, slots), returning a RawRun."""


def reference(name, scenario, n, repeats):
    """Seconds and worker-months of the reference ``name`` (a key of REFERENCES) at ``n`` slots."""
    seed = scenario.simulation.seed
    return _timed(lambda: _active_months(REFERENCES[name](scenario, seed, n)), repeats)


def sweep_study(points, n):
    """A study of the baseline: a Latin hypercube of ``points`` over the skim's mode, ``n`` slots a run."""
    data = {"base": BASELINE.name, "workers": n, "outputs": ["worker_months_simulated", "state_revenue_usd_per_year"],
            "design": {"kind": "lhs", "points": points, "seed": 1},
            "uncertainties": {"skim.share.mode": {"low": 0.05, "high": 0.2}}}
    return validate_study(data, "benchmark study", BASELINE.parent / "benchmark-study.toml")


def _warm(executor, n):
    """Start the executor's workers and load the kernel in each (a sweep of a few small runs)."""
    evaluate(sweep_study(4, min(n, 1_000)), executor=executor, progress=False)


def sweep(points, n, processes):
    """(seconds, worker-months) of :func:`sim.sweeps.sweep` of :func:`sweep_study` on ``processes`` local
    processes, the table, monthly files and figures written included; the pool started and warm."""
    study = sweep_study(points, n)
    with executors.Processes(processes) as pool, tempfile.TemporaryDirectory() as out:
        _warm(pool, n)
        started = time.perf_counter()
        result = run_sweep(study, out=out, executor=pool, progress=False)
        seconds = time.perf_counter() - started
    return seconds, int(result.table["worker_months_simulated"].sum())


def point_engine_share(points, n):
    """Share of a design point's evaluation (its scenario built, run, outputs read) spent in
    :func:`sim.engine.simulate`, both timed back to back at each point on one thread."""
    study = sweep_study(points, n)
    model = point_model(study)
    engine_seconds = point_seconds = 0.0
    for run in runs(study):
        scenario = model.scenario(run.inputs)
        started = time.perf_counter()
        engine.simulate(scenario, seed=run.seed, workers=n, threads=1)
        middle = time.perf_counter()
        model(run.inputs, run.seed, 1)
        engine_seconds += middle - started
        point_seconds += time.perf_counter() - middle
    return engine_seconds / point_seconds


def executor_seconds(points, n, workers):
    """Seconds of :func:`sim.sweeps.evaluate` of :func:`sweep_study` on a local process pool and on
    a Dask LocalCluster, ``workers`` processes each, both started and warm."""
    study = sweep_study(points, n)
    seconds = {}
    for name, make in (("processes", lambda: executors.Processes(workers)),
                       ("dask", lambda: executors.Dask(local=workers))):
        with make() as executor:
            _warm(executor, n)
            started = time.perf_counter()
            evaluate(study, executor=executor, progress=False)
            seconds[name] = time.perf_counter() - started
    return seconds


def _python(code, env=None):
    """Run ``code`` in a fresh interpreter; return (wall seconds, its stdout)."""
    return timed_process(["-c", code], env)


def timed_process(arguments, env=None):
    """Run ``python ARGUMENTS`` from the repository root; return (wall seconds, its stdout)."""
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *arguments], capture_output=True, text=True, check=True,
                               cwd=ROOT, env={**os.environ, **(env or {})})
    return time.perf_counter() - started, completed.stdout


def first_run(config=BASELINE, empty_cache=True, repeats=3):
    """Wall seconds of ``sim run CONFIG`` in a fresh process, as ``python -m sim`` runs it (the
    ``sim`` executable's :mod:`sim.entry`): with an empty Numba cache (None when not
    ``empty_cache``, which spares a compile), then the median of ``repeats`` with a warm one."""
    def run(env=None):
        with tempfile.TemporaryDirectory() as out:
            return timed_process(["-m", "sim", "run", str(config), "--out", out], env)[0]

    if not empty_cache:
        run()  # warms the usual cache, should it be cold
        return None, statistics.median(run() for _ in range(repeats))
    with tempfile.TemporaryDirectory() as cache:
        env = {"NUMBA_CACHE_DIR": cache}
        cold = run(env)
        warm = statistics.median(run(env) for _ in range(repeats))
    return cold, warm


def peak_memory_mib(n, keep_workers, config=BASELINE):
    """Peak resident memory (MiB) of a fresh process running ``n`` slots of the baseline, as
    ``sim run --keep-workers`` does when ``keep_workers`` (records streamed to a Parquet file)."""
    with tempfile.TemporaryDirectory() as scratch:
        workers_file = repr(str(Path(scratch) / "workers.parquet")) if keep_workers else None
        code = (
            "import resource; import sim; "
            f"sim.run(sim.load_config({str(config)!r}), workers={n}, workers_file={workers_file}); "
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
        )
        _, output = _python(code)
    return int(output.split()[-1]) / 1024.0
