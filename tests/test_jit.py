"""The kernel's functions compiled without reference counts (:mod:`sim.jit`) must not return arrays:
the caller would release a reference that was never taken, and free the array under its owner."""
import numpy as np
import pytest
from numba.core import types

from conftest import ROOT
from sim import engine, jit
from sim.scenario_file import load_config


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


def test_no_function_without_reference_counts_returns_an_array():
    engine.simulate(load_config(ROOT / "configs" / "policies" / "un_order.toml"), seed=1, workers=200,
                    keep_workers=True)
    compiled = [dispatcher for dispatcher in jit.BORROWING if getattr(dispatcher, "overloads", None)]
    if not compiled:
        pytest.skip("NUMBA_DISABLE_JIT: nothing compiled")
    assert len(compiled) > 20
    assert [found for dispatcher in compiled for found in arrays_returned(dispatcher)] == []


def test_the_check_finds_an_array_returned():
    @jit.borrowing
    def first_row(table):
        return table[0], 1.0

    jit.BORROWING.remove(first_row)
    first_row(np.zeros((2, 2)))
    (found,) = arrays_returned(first_row)
    assert found.startswith("test_the_check_finds_an_array_returned.<locals>.first_row returns Tuple(array(float64")
