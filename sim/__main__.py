"""``python -m sim``: the ``sim`` command (see :mod:`sim.cli` and :mod:`sim.entry`)."""
from sim.entry import command

command()
