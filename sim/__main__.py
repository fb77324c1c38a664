"""``python -m sim``: the ``sim`` command (see :mod:`sim.cli`)."""
from sim.cli import command

command()
