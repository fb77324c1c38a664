"""Figures drawn from a saved run directory (placeholder until the plotting module lands)."""


def draw_all(directory):
    """Draw every figure of the run saved in ``directory`` into it."""
