"""The kernel's functions compiled without reference counts (:mod:`sim.jit`) must not return arrays:
the caller would release a reference that was never taken, and free the array under its owner."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core import types

from conftest import ROOT
from sim import jit


def arrays_returned(dispatcher) -> list[str]:
    """The compiled signatures of ``dispatcher`` whose return type holds an array, as text."""
    found = []
    for overload in getattr(dispatcher, "overloads", {}).values():
        returned = overload.signature.return_type
        pending = [returned]
        while pending:
            kind = pending.pop()
            if isinstance(kind, (types.Array, types.ArrayCompatible)):
                found.append(f"{dispatcher.py_func.__qualname__} returns {returned}")
                break
            if isinstance(kind, types.BaseTuple):
                pending.extend(kind.types)
    return found


COMPILE_AND_CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
from test_jit import arrays_returned
from sim import engine, jit
from sim.scenario_file import load_config
engine.simulate(load_config(sys.argv[2]), seed=1, workers=200, keep_workers=True)
compiled = [dispatcher for dispatcher in jit.BORROWING if getattr(dispatcher, "overloads", None)]
print(json.dumps({"compiled": len(compiled),
                  "arrays_returned": [found for dispatcher in compiled for found in arrays_returned(dispatcher)]}))
"""


@pytest.mark.slow
@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="NUMBA_DISABLE_JIT: nothing compiled")
def test_no_function_without_reference_counts_returns_an_array(tmp_path):
    """In a process of its own with an empty Numba cache, so that every function of the kernel is
    compiled there (a kernel loaded from the cache compiles none, leaving no signature to check):
    a kernel compile, about 10 s."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    output = subprocess.run([sys.executable, "-c", COMPILE_AND_CHECK, str(Path(__file__).parent),
                             str(ROOT / "configs" / "policies" / "un_order.toml")],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert output.returncode == 0, output.stderr
    found = json.loads(output.stdout.splitlines()[-1])
    assert found["compiled"] > 20
    assert found["arrays_returned"] == []


def test_the_check_finds_an_array_returned():
    @jit.borrowing
    def first_row(table):
        return table[0], 1.0

    jit.BORROWING.remove(first_row)
    first_row(np.zeros((2, 2)))
    (found,) = arrays_returned(first_row)
    assert found.startswith("test_the_check_finds_an_array_returned.<locals>.first_row returns Tuple(array(float64")
