"""Plain functions a study can name as its model (``model = "sweep_models:linear"``), so tests drive
the whole sweep pipeline without the engine; and switches to make a run fail or be interrupted."""

INTERRUPT_AT = None
"""When set, :func:`stoppable` raises KeyboardInterrupt at the point whose ``x`` is this (serial only)."""


def linear(inputs: dict) -> dict:
    """``y = 1 + 2 a - 3 b`` and ``z = a b``; a monthly series ``a, 2a, 3a``."""
    a, b = inputs["a"], inputs["b"]
    return {"y": 1.0 + 2.0 * a - 3.0 * b, "z": a * b, "series": [a, 2.0 * a, 3.0 * a]}


def seeded(inputs: dict, seed: int) -> dict:
    """The run seed, returned as an output (to see which seed each run got)."""
    return {"y": inputs["x"], "seed_seen": float(seed % 1000)}


def failing(inputs: dict) -> dict:
    """Raises at ``x == 2``; ``y = x**2`` elsewhere."""
    if inputs["x"] == 2:
        raise ValueError("no solution at x = 2")
    return {"y": float(inputs["x"]) ** 2}


def stoppable(inputs: dict) -> dict:
    """``y = 10 x``, or KeyboardInterrupt at ``x == INTERRUPT_AT`` (a Ctrl-C mid-sweep)."""
    if inputs["x"] == INTERRUPT_AT:
        raise KeyboardInterrupt
    return {"y": 10.0 * inputs["x"]}
