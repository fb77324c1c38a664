"""How the kernel's functions are compiled: without reference counts, and the helpers inlined by LLVM.

Reference counts. Numba counts references to every array a compiled function takes: on entry
and exit, atomically, for each array argument, and for each view of a row it makes. The helpers
of the per-worker code (drawing a candidate, settling, recording an outcome...) take the
parameter and accumulator arrays, and run at every hire and return; their counts cost a third of
the kernel's time (``perf``: 28% of the samples in ``NRT_incref`` and ``NRT_decref``). None of
them needs one: they only read and write arrays that their caller holds for the whole call.
:func:`borrowing` compiles a function without reference counting (Numba's ``_nrt=False``): its
arguments are borrowed from its caller. The price is what such a function may not do: allocate
an array (it fails to compile) or return one (its caller would release a reference it was never
given); ``tests/test_jit.py`` checks that none returns an array. The whole kernel is compiled so,
from :func:`sim.kernel.simulate_group` down: :mod:`sim.engine` allocates every array it uses.

Inlining. The helpers used to be ``@njit(inline="always")``, inlined by Numba into the Numba IR
of every caller. That pass copies the callee's IR, scope and all, once per block of it, at every
call site, and again for every call site of the caller if the caller is inlined too: a first run
spent 70 of its 100 s of compiling inlining ``draw_candidate`` (nine distributions and some 25
array places inlined into it) into its two callers. :func:`inlined` compiles a helper as a
function of its own instead, marked for LLVM to inline at every call (Numba's ``forceinline``):
the same machine code, and its Numba compile runs once, not once per call site. Once per argument
*types*: Numba would compile a helper anew for every constant it is called with
(``rng.bits(key, 3)``, ``rng.bits(key, 5)``: 17 versions of ``bits``), although LLVM folds the
constant into the inlined copy anyway; :class:`OneSpecialisation` types such an argument as its
plain type (``int64``), so each helper compiles once or twice. And without a Python entry point
(``no_cpython_wrapper``): the code that converts Python objects to and from Numba's types, some 60
times over, took a second of a first run's compile. A helper called from Python (tests,
interactive use) runs a twin of it that has one, compiled at its first such call
(:attr:`OneSpecialisation.from_python`).
"""
import functools

from numba import njit
from numba.core import types
from numba.core.registry import CPUDispatcher

BORROWING = []
"""Every function compiled by :func:`borrowing` or :func:`inlined`, for the tests."""


class OneSpecialisation(CPUDispatcher):
    """A dispatcher whose calls from compiled code are typed, and compiled, with literal types
    made plain: ``Literal[int](3)`` as ``int64``, ``Literal[bool](True)`` as ``bool``; and whose
    calls from Python run :attr:`from_python`."""

    def get_call_template(self, args, kws):
        return super().get_call_template([types.unliteral(a) for a in args],
                                         {name: types.unliteral(a) for name, a in kws.items()})

    @functools.cached_property
    def from_python(self):
        """The same function compiled with a Python entry point, for calls from Python (tests,
        interactive use); not cached on disk, whose index would not tell it from the inlined one."""
        return njit(_nrt=False)(self.py_func)

    def __call__(self, *args, **kwargs):
        return self.from_python(*args, **kwargs)


def borrowing(function=None, **options):
    """``@njit(cache=True)`` without reference counts: the arrays it takes are borrowed from its caller.
    ``@borrowing(nogil=True)`` passes more options to ``njit``."""
    if function is None:
        return functools.partial(borrowing, **options)
    dispatcher = njit(cache=True, _nrt=False, **options)(function)
    BORROWING.append(dispatcher)
    return dispatcher


def inlined(function):
    """:func:`borrowing`, inlined by LLVM into every caller, compiled once per plain argument types,
    without a Python entry point (a call from Python compiles one, :attr:`OneSpecialisation.from_python`)."""
    dispatcher = njit(cache=True, forceinline=True, _nrt=False, no_cpython_wrapper=True,
                      no_cfunc_wrapper=True)(function)
    if isinstance(dispatcher, CPUDispatcher):  # not with NUMBA_DISABLE_JIT
        dispatcher.__class__ = OneSpecialisation
    BORROWING.append(dispatcher)
    return dispatcher
