"""``sim calibrate STUDY.toml``: fit inputs to observed figures by the simulated method of moments.

Exit status: 0 with the fit written, 1 when a run failed or a scheduler cannot be reached, 2 for a
bad study, targets file or output folder (nothing written), 130 when interrupted (nothing written).
"""
import sys

from sim.sweep_command import add_study_command, run_study


def add_parser(commands, parents) -> None:
    """Add ``sim calibrate`` to the ``sim`` command's subparsers."""
    add_study_command(
        commands, parents, "calibrate", calibrate_command, resume=False,
        help_text="fit inputs to observed figures (simulated method of moments)",
        description="Fit a study's [calibrate.inputs] to its targets (an observed series with dates, and/or "
                    "source figures by name) by the simulated method of moments with common random numbers; "
                    "write the fitted values with 95% intervals, the fit per target, a figure of simulated "
                    "against observed and fitted.toml, a scenario file to run forward.")


def calibrate_command(args) -> int:
    from sim.calibrate_output import calibrate
    from sim.calibrate_study import load_calibration
    from sim.fitting import FitFailed
    from sim.sweeps import PointsFailed

    def run(study, executor, _progress):
        try:
            return study, *calibrate(study, out=args.out, executor=executor)
        except (PointsFailed, FitFailed) as error:
            print(f"error: {error}; nothing written", file=sys.stderr)
            return None

    status, ran = run_study(args, load_calibration, run)
    if status or ran is None:
        return status or 1
    study, directory, fit = ran
    print(f"{study.source}: {fit.evaluations} points x {study.spec.design.replications} replications, objective {fit.objective:.4g} "
          f"over {len(fit.targets)} targets ({fit.message})")
    print(fit.inputs[["input", "value", "ci95_low", "ci95_high"]].to_string(
        index=False, float_format=lambda value: f"{value:,.5g}"))
    print(fit.targets[["target", "observed", "simulated", "residual", "z"]].to_string(
        index=False, float_format=lambda value: f"{value:,.5g}"))
    print(f"  results: {directory}  (run forward: sim run {directory / 'fitted.toml'})")
    return 0
