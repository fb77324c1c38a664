"""``sim report DIR``: rebuild the page (``report.html``) of a results directory, whatever wrote it.

What the directory is comes from its ``manifest.json``: a comparison's names its two arms
(``policy`` and ``base``, :mod:`sim.compare_report`), a run's sits beside its ``summary.json``
(:mod:`sim.report`). A sweep, a sensitivity analysis or a calibration (a ``study.json`` beside
the manifest) has no page: its tables and figures are the result.
"""
import json
from pathlib import Path

from sim import compare_report, report
from sim.report import ReportError

KINDS = ("run", "comparison")
"""The kinds of results directory that have a page."""


def kind_of(directory: Path) -> str:
    """``run`` or ``comparison``, as the directory's ``manifest.json`` says.

    Raises
    ------
    ReportError
        One line naming the directory: it is missing, holds no readable manifest, or is of a
        kind that has no page.
    """
    if not directory.is_dir():
        raise ReportError(f"{directory}: not a directory")
    path = directory / "manifest.json"
    if not path.is_file():
        raise ReportError(f"{directory}: not a results directory (no manifest.json)")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, OSError) as error:
        raise ReportError(f"{directory}: cannot read manifest.json: {error}") from None
    if not isinstance(manifest, dict):
        raise ReportError(f"{directory}: not a results directory (manifest.json is not a JSON object)")
    if isinstance(manifest.get("policy"), dict) and isinstance(manifest.get("base"), dict):
        return "comparison"
    if (directory / "study.json").is_file() or "study_file" in manifest:
        raise ReportError(f"{directory}: a sweep, sensitivity or calibration directory has no report.html; "
                          f"its tables and PNG figures are the result")
    return "run"


def build(directory) -> Path:
    """Write ``report.html`` into the run or comparison saved in ``directory``; return its path.

    Raises
    ------
    ReportError
        When the directory is not a results directory with a page (see :func:`kind_of`), or a
        comparison lacks one of its tables.
    """
    directory = Path(directory)
    if kind_of(directory) == "run":
        return report.build(directory)
    missing = [name for name in ("effects.csv", "monthly_effects.parquet") if not (directory / name).is_file()]
    if missing:
        raise ReportError(f"{directory}: not a whole comparison (no {', '.join(missing)})")
    return compare_report.build(directory)
