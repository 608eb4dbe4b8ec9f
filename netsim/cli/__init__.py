"""The ``netsim`` command: argument parsing and thin wiring of the other wings.

Nothing in netsim imports this package; it imports everything else.
"""

from netsim.cli.command import build_parser, main

__all__ = ["build_parser", "main"]
