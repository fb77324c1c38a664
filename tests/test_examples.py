"""The examples run top to bottom: ``examples/quickstart.py`` (a jupytext percent script)
executed as a notebook in a fresh kernel, from the repository root and from an unrelated
folder, and run as a plain script.

The kernel is a new process: it loads the compiled simulation kernel from Numba's on-disk
cache (warm after ``sim run configs/baseline.toml`` or any earlier test), so each execution
takes a few seconds; on a cold cache the first cell that runs compiles it (about a minute,
within the per-cell timeout).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart.py"
CELL_TIMEOUT_S = 300
PROBE = "import json, sys\nprint(json.dumps({'executable': sys.executable, 'prefix': sys.prefix}))"
"""A cell the test adds after the notebook's own: which interpreter the kernel ran in."""


def cell(notebook, tag):
    """The one code cell tagged ``tag`` (``# %% tags=["tag"]`` in the percent script)."""
    cells = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"expected one cell tagged {tag!r}, found {len(cells)}"
    return cells[0]


def stdout(code_cell) -> str:
    return "".join(o.get("text", "") for o in code_cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


@pytest.fixture(scope="module", params=["repository root", "another folder"])
def quickstart(request, tmp_path_factory):
    """The quickstart notebook, executed in a fresh ``python3`` kernel from ``cwd``."""
    cwd = ROOT if request.param == "repository root" else tmp_path_factory.mktemp("elsewhere")
    notebook = jupytext.read(QUICKSTART)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE, metadata={"tags": ["probe"]}))
    client = NotebookClient(notebook, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                            resources={"metadata": {"path": str(cwd)}})
    with pytest.MonkeyPatch.context() as patch:
        # headless CI often sets this; the notebook's %matplotlib inline must still give a PNG
        patch.setenv("MPLBACKEND", "Agg")
        client.execute()  # raises CellExecutionError, naming the cell, if any cell raised
    return notebook


def test_kernel_is_this_interpreter(quickstart):
    kernel = json.loads(stdout(cell(quickstart, "probe")))
    assert kernel == {"executable": sys.executable, "prefix": sys.prefix}


def test_no_cell_raised_and_every_code_cell_ran(quickstart):
    code = [c for c in quickstart.cells if c.cell_type == "code"]
    assert len(code) >= 8
    for number, code_cell in enumerate(code):
        assert code_cell.execution_count is not None, f"code cell {number} did not run"
        errors = [o for o in code_cell.outputs if o.output_type == "error"]
        assert not errors, f"code cell {number} raised {errors[0].ename}: {errors[0].evalue}"


def test_result_shows_as_the_html_table(quickstart):
    outputs = [o for o in cell(quickstart, "run").outputs if o.output_type == "display_data"]
    assert len(outputs) == 1
    assert "<b>sim.Result</b> baseline: seed 1, 50,000 simulated workers" in outputs[0].data["text/html"]
    assert outputs[0].data["text/plain"].startswith("<sim.Result baseline: seed 1")


def test_policy_comparison_is_exactly_zero_before_the_policy(quickstart):
    text = stdout(cell(quickstart, "compare"))
    assert "largest difference before month 24: 0.00 USD" in text
    assert "state revenue, first month of the policy: +" in text  # a higher contribution brings in more at once
    assert "median cash brought home:" in stdout(cell(quickstart, "cash-home"))


def test_figure_cell_shows_a_png(quickstart):
    outputs = cell(quickstart, "figure").outputs
    assert any("image/png" in o.get("data", {}) for o in outputs if o.output_type == "display_data")


def test_runs_as_a_plain_script(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(QUICKSTART)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=2 * CELL_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    assert "largest difference before month 24: 0.00 USD" in done.stdout
    saved = done.stdout.strip().splitlines()[-1].removeprefix("figure saved to ")
    assert Path(saved).is_file() and Path(saved).stat().st_size > 10_000
    Path(saved).unlink()
    Path(saved).parent.rmdir()
