"""``python -m benchmarks``: the hot-loop benchmark suite.

Measures, on the baseline scenario, compile time excluded and medians over repeats:
kernel throughput (worker-months per second) at 1e5, 1e6 and 1e7 workers on 1 and 2
threads; the NumPy and pure-Python references; the RNG floor; their ratios to the
kernel; the first ``sim run`` in a fresh process with an empty and a warm Numba cache, and one
warm run's phases (:mod:`benchmarks.warm_run`);
peak memory with per-worker output off and on; sweep throughput (many design points of
100,000 workers, against the kernel at the same size and at its best, measured in the same run)
and a Dask LocalCluster against the local process pool. Prints a table, writes
a JSON record to ``results/bench/`` and a scaling figure beside it.

Options: ``--quick`` (smaller sizes, for a smoke test), ``--huge`` (also stream 1e8 workers
and report its peak memory; a few minutes).
"""
import argparse
import os
import platform
from pathlib import Path

import numba

from benchmarks import suite, warm_run
from sim import results
from sim.scenario_file import load_config

SIZES = (100_000, 1_000_000, 10_000_000)
QUICK_SIZES = (20_000, 100_000, 300_000)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict:
    return {"cpu": _cpu_model(), "cores": os.cpu_count(), "numba_threads": numba.config.NUMBA_NUM_THREADS,
            "threading_layer": numba.config.THREADING_LAYER, "platform": platform.platform(),
            "versions": results.versions(), "git_commit": results.git_commit(suite.ROOT)}


def measure(quick: bool, huge: bool) -> dict:
    scenario = load_config(suite.BASELINE)
    sizes = QUICK_SIZES if quick else SIZES
    repeats = 1 if quick else 3
    rows = []

    def record(name, n, threads, seconds, worker_months):
        rows.append({"implementation": name, "workers": n, "threads": threads, "seconds": seconds,
                     "worker_months": worker_months, "m_worker_months_per_s": worker_months / seconds / 1e6})
        print(f"  {name:<8} {n:>12,} workers  {threads} thread(s)  {rows[-1]['m_worker_months_per_s']:8.2f} M/s",
              flush=True)

    threads_available = [t for t in (1, 2) if t <= numba.config.NUMBA_NUM_THREADS]
    for n in sizes:
        for threads in threads_available:
            record("kernel", n, threads, *suite.kernel(scenario, n, threads, repeats))
            record("floor", n, threads, *suite.floor(scenario, n, threads, repeats))
    record("numpy", sizes[0], 1, *suite.reference("numpy", scenario, sizes[0], repeats))
    python_n = 500 if quick else 2_000
    record("python", python_n, 1, *suite.reference("python", scenario, python_n, repeats))

    cold, warm = suite.first_run(empty_cache=not quick, repeats=repeats)
    memory = {f"{'on' if keep else 'off'}": suite.peak_memory_mib(sizes[-1], keep) for keep in (False, True)}
    record_memory = {"workers": sizes[-1], "per_worker_output_mib": memory}
    if huge:
        record_memory["streamed_1e8_off_mib"] = suite.peak_memory_mib(100_000_000, False)
    return {
        "machine": machine(),
        "scenario": str(suite.BASELINE.relative_to(suite.ROOT)),
        "horizon_months": scenario.simulation.horizon_months,
        "throughput": rows,
        "ratios": ratios(rows),
        "sim_run_seconds": {"empty_cache": cold, "warm_cache": warm},
        "warm_sim_run_phases_seconds": warm_run.phases(str(suite.BASELINE)),
        "peak_memory": record_memory,
        "sweep": sweep_record(rows, quick),
        "quick": quick,
    }


SWEEP_POINTS, QUICK_SWEEP_POINTS = 1_000, 20
SWEEP_WORKERS, QUICK_SWEEP_WORKERS = 100_000, 20_000


def sweep_record(rows, quick: bool) -> dict:
    """A sweep of many points on every core against the kernel's own throughput (same run): at
    the sweep's size per run (all threads) and its best in ``rows``; Dask against processes."""
    points, n = (QUICK_SWEEP_POINTS, QUICK_SWEEP_WORKERS) if quick else (SWEEP_POINTS, SWEEP_WORKERS)
    processes = os.cpu_count() or 1
    threads = numba.config.NUMBA_NUM_THREADS
    seconds, worker_months = suite.sweep(points, n, processes)
    sweep_rate = worker_months / seconds / 1e6
    kernel_seconds, kernel_months = suite.kernel(load_config(suite.BASELINE), n, threads, 1 if quick else 3)
    kernel_rate = kernel_months / kernel_seconds / 1e6
    best = max(row["m_worker_months_per_s"] for row in rows if row["implementation"] == "kernel")
    executor_points = QUICK_SWEEP_POINTS if quick else 200
    by_executor = suite.executor_seconds(executor_points, n, min(2, processes))
    engine_share = suite.point_engine_share(QUICK_SWEEP_POINTS, n)
    return {"points": points, "workers_per_point": n, "processes": processes, "seconds": seconds,
            "m_worker_months_per_s": sweep_rate, "kernel_same_size_m_worker_months_per_s": kernel_rate,
            "kernel_threads": threads, "vs_kernel_same_size": sweep_rate / kernel_rate, "vs_kernel_best": sweep_rate / best,
            "point_engine_share": engine_share,
            "executor_points": executor_points, "executor_seconds": by_executor,
            "dask_vs_processes": by_executor["dask"] / by_executor["processes"]}


def _best(rows, name, **match):
    chosen = [row for row in rows if row["implementation"] == name
              and all(row[key] == value for key, value in match.items())]
    return max(chosen, key=lambda row: row["workers"]) if chosen else None


def ratios(rows) -> dict:
    """Kernel against each reference and its floor, each pair measured in this run."""
    largest = max(row["workers"] for row in rows if row["implementation"] == "kernel")
    threads = max(row["threads"] for row in rows if row["implementation"] == "kernel")
    kernel = _best(rows, "kernel", workers=largest, threads=threads)["m_worker_months_per_s"]
    kernel_one = _best(rows, "kernel", workers=largest, threads=1)["m_worker_months_per_s"]
    floor = _best(rows, "floor", workers=largest, threads=threads)["m_worker_months_per_s"]
    return {
        "kernel_vs_numpy": kernel / _best(rows, "numpy")["m_worker_months_per_s"],
        "kernel_vs_python": kernel / _best(rows, "python")["m_worker_months_per_s"],
        "floor_vs_kernel": floor / kernel,
        "two_thread_speedup": kernel / kernel_one,
        "at_workers": largest,
        "at_threads": threads,
    }


def table(record: dict) -> str:
    lines = [f"Machine: {record['machine']['cpu']}, {record['machine']['cores']} cores, "
             f"numba {record['machine']['versions']['numba']}",
             "", "| implementation | workers | threads | M worker-months/s |", "|---|---:|---:|---:|"]
    for row in record["throughput"]:
        lines.append(f"| {row['implementation']} | {row['workers']:,} | {row['threads']} | "
                     f"{row['m_worker_months_per_s']:.3g} |")
    r = record["ratios"]
    memory = record["peak_memory"]
    lines += [
        "",
        f"- kernel ({r['at_workers']:,} workers, {r['at_threads']} threads) vs NumPy reference: "
        f"{r['kernel_vs_numpy']:.1f}x; vs pure Python: {r['kernel_vs_python']:.0f}x",
        f"- RNG floor / kernel: {r['floor_vs_kernel']:.2f}x; 2-thread speedup: {r['two_thread_speedup']:.2f}x",
        "- `sim run configs/baseline.toml` in a fresh process: " + (
            f"{record['sim_run_seconds']['empty_cache']:.1f} s with an empty Numba cache, "
            if record["sim_run_seconds"]["empty_cache"] is not None else "")
        + f"{record['sim_run_seconds']['warm_cache']:.2f} s warm; one warm run by phase (`python -m benchmarks.warm_run`):",
        *warm_run.table(record["warm_sim_run_phases_seconds"]),
        f"- peak memory at {memory['workers']:,} workers: {memory['per_worker_output_mib']['off']:,.0f} MiB "
        f"without per-worker output, {memory['per_worker_output_mib']['on']:,.0f} MiB with it"
        + (f"; 1e8 workers streamed: {memory['streamed_1e8_off_mib']:,.0f} MiB"
           if "streamed_1e8_off_mib" in memory else ""),
        sweep_line(record["sweep"]),
    ]
    return "\n".join(lines)


def sweep_line(sweep: dict) -> str:
    by = sweep["executor_seconds"]
    return (f"- sweep of {sweep['points']:,} points x {sweep['workers_per_point']:,} workers on {sweep['processes']} "
            f"processes: {sweep['m_worker_months_per_s']:.3g} M worker-months/s in {sweep['seconds']:.1f} s, "
            f"{sweep['vs_kernel_same_size']:.0%} of the kernel at {sweep['workers_per_point']:,} workers "
            f"({sweep['kernel_threads']} threads, {sweep['kernel_same_size_m_worker_months_per_s']:.3g} M/s), "
            f"{sweep['vs_kernel_best']:.0%} of its best in this run; of a point's evaluation, "
            f"{sweep['point_engine_share']:.0%} is the engine's run; {sweep['executor_points']} points on a Dask "
            f"LocalCluster: {by['dask']:.2f} s, {sweep['dask_vs_processes']:.2f}x the process pool's {by['processes']:.2f} s")


def scaling_figure(record: dict, path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), layout="constrained")
    ax = figure.add_subplot()
    for name in ("kernel", "floor"):
        for threads in (1, 2):
            rows = [row for row in record["throughput"] if row["implementation"] == name and row["threads"] == threads]
            if rows:
                ax.plot([row["workers"] for row in rows], [row["m_worker_months_per_s"] for row in rows],
                        marker="o", linestyle="-" if name == "kernel" else ":",
                        label=f"{'kernel' if name == 'kernel' else 'RNG floor'}, {threads} thread(s)")
    for name in ("numpy", "python"):
        for row in (row for row in record["throughput"] if row["implementation"] == name):
            ax.scatter(row["workers"], row["m_worker_months_per_s"], marker="s", label=f"{name} reference")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("simulated workers")
    ax.set_ylabel("million worker-months per second")
    ax.set_title(f"Throughput on {record['machine']['cpu']}")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small")
    figure.savefig(path, dpi=120)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat (a smoke test)")
    parser.add_argument("--huge", action="store_true", help="also stream 1e8 workers and report peak memory")
    parser.add_argument("--out", type=Path, default=suite.ROOT / "results" / "bench")
    args = parser.parse_args(argv)
    record = measure(args.quick, args.huge)
    print(table(record))
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"bench-{results.timestamp()}"
    json_path = args.out / f"{name}.json"
    results.write_file_atomically(json_path, lambda path: results.write_json(path, record))
    results.write_file_atomically(args.out / f"{name}.png",
                                  lambda path: scaling_figure(record, path.with_suffix(".png")) or
                                  path.with_suffix(".png").replace(path))
    print(f"\nrecord: {json_path}\nfigure: {args.out / f'{name}.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
