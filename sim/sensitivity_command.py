"""``sim sensitivity STUDY.toml``: Sobol' indices or Morris screening of a study's outputs.

Exit status: 0 with the indices written, 1 when some runs failed (``failures.csv`` names them;
``--resume DIR`` reruns them) or a scheduler cannot be reached, 2 for a bad study or output
folder (nothing written), 130 when interrupted (the finished runs stay: ``--resume DIR``).
"""
import sys

from sim.sweep_command import add_study_command, run_study


def add_parser(commands, parents) -> None:
    """Add ``sim sensitivity`` to the ``sim`` command's subparsers."""
    add_study_command(
        commands, parents, "sensitivity", sensitivity_command,
        help_text="Sobol' indices or Morris screening of a study's outputs (SALib)",
        description="Sample a study's uncertain inputs with SALib (Saltelli's scheme for Sobol' indices, or "
                    "Morris trajectories), run every point like a sweep, and write the indices of each output "
                    "(indices.csv) with a bar chart per output. The study file needs a [sensitivity] table "
                    "(method, n).")


def print_indices(study, indices) -> None:
    """The indices as a table, each output's inputs ranked (ST for Sobol', mu* for Morris)."""
    method = study.section.method
    rank = "ST" if method == "sobol" else "mu_star"
    shown = indices.sort_values(["output", rank], ascending=[True, False], key=lambda column: column if
                                column.name == rank else column.map(list(study.spec.outputs).index))
    columns = ["output", "input", *shown.columns[2:-2], "noise_share"]
    print(shown[columns].to_string(index=False, float_format=lambda value: f"{value:,.4g}"))


def sensitivity_command(args) -> int:
    from sim.sensitivity_analysis import load_sensitivity, sensitivity
    from sim.sweeps import PointsFailed

    def run(study, executor, progress):
        try:
            return study, *sensitivity(study, out=args.out, executor=executor, resume=args.resume,
                                       progress=progress)
        except PointsFailed as error:
            print(f"error: {error}; no indices (every point is needed): --resume the sweep directory "
                  f"to rerun the failed runs", file=sys.stderr)
            return None

    status, ran = run_study(args, load_sensitivity, run)
    if status or ran is None:
        return status or 1
    study, result, indices = ran
    points = result.table["point"].nunique()
    print(f"{study.source}: {study.section.method} over {len(study.spec.uncertainties)} inputs, {points:,} points "
          f"x {study.spec.design.replications} replication(s)")
    print_indices(study, indices)
    print(f"  results: {result.directory}")
    return 0
