"""How the kernel's small helpers are compiled: once each, and inlined by LLVM.

The helpers (a month of a block, drawing a candidate, settling, the random numbers...) used to
be ``@njit(inline="always")``, inlined by Numba into the Numba IR of every caller. That pass
copies the callee's IR, scope and all, once per block of it, at every call site, and again for
every call site of the caller if the caller is inlined too: a first run spent 70 of its 100 s
of compiling inlining ``draw_candidate`` (nine distributions and some 25 array places
inlined into it) into its two callers.

:func:`inlined` compiles a helper as a function of its own instead, marked for LLVM to inline
at every call (Numba's ``forceinline``): the same machine code, the arrays it takes pass
without reference counting once inlined, and its Numba compile runs once, not once per call
site. Once per argument *types*: Numba would compile a helper anew for every constant it is
called with (``rng.bits(key, 3)``, ``rng.bits(key, 5)``: 17 versions of ``bits``), although
LLVM folds the constant into the inlined copy anyway; :class:`OneSpecialisation` types such
an argument as its plain type (``int64``), so each helper compiles once or twice.
"""
from numba import njit
from numba.core import types
from numba.core.registry import CPUDispatcher


class OneSpecialisation(CPUDispatcher):
    """A dispatcher whose calls from compiled code are typed, and compiled, with literal types
    made plain: ``Literal[int](3)`` as ``int64``, ``Literal[bool](True)`` as ``bool``."""

    def get_call_template(self, args, kws):
        return super().get_call_template([types.unliteral(a) for a in args],
                                         {name: types.unliteral(a) for name, a in kws.items()})


def inlined(function):
    """``@njit(cache=True, forceinline=True)``, compiled once per plain argument types."""
    dispatcher = njit(cache=True, forceinline=True)(function)
    if isinstance(dispatcher, CPUDispatcher):  # not with NUMBA_DISABLE_JIT
        dispatcher.__class__ = OneSpecialisation
    return dispatcher
