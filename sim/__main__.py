"""``python -m sim``: the ``sim`` command (see :mod:`sim.cli`)."""
import sys

from sim.cli import main

sys.exit(main())
