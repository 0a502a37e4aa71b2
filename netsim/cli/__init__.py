"""The ``netsim`` command line: one module per command, registered on the group in app.py.

Exit status: 0 success (or ALLOWED), 1 a negative answer (DENIED, a failed expectation), 2 bad
input or usage, 130 interrupted.

The command modules are imported when a command is run (see ``COMMANDS`` in app.py), or when read
as attributes of this package (``netsim.cli.check``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from netsim.cli.app import main

if TYPE_CHECKING:
    from netsim.cli import check, connections, diff, graph, lint, matrix, test_cmd

__all__ = ["check", "connections", "diff", "graph", "lint", "main", "matrix", "test_cmd"]

_COMMAND_MODULES = frozenset({"check", "connections", "diff", "graph", "lint", "matrix", "test_cmd"})


if not TYPE_CHECKING:  # mypy sees the real names (above), so a misspelt one is still an error

    def __getattr__(name: str) -> object:
        """A command module, imported on first use."""
        if name in _COMMAND_MODULES:
            return importlib.import_module(f"{__name__}.{name}")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
