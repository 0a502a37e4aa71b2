"""The ``netsim`` command line: one module per command, registered on the group in app.py.

Exit status: 0 success (or ALLOWED), 1 a negative answer (DENIED, a failed expectation), 2 bad
input or usage, 130 interrupted.
"""

from netsim.cli import check, connections, diff, graph, lint, matrix, test_cmd
from netsim.cli.app import main

__all__ = ["check", "connections", "diff", "graph", "lint", "main", "matrix", "test_cmd"]
