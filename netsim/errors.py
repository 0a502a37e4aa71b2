"""Errors netsim reports to its users.

Exception hierarchy::

    NetsimError                 base for everything netsim reports to a user
      InputError                a manifest or expectation file is wrong (has .span and .field)
      InputErrors               every InputError of one run, collected (an ExceptionGroup)
      UnknownEndpointError      a command-line endpoint names no pod or address
      RenderError               an output could not be produced (e.g. Graphviz `dot` missing)

Every InputError prints as ``path:line:col: field.path: message`` so editors and CI annotations
can jump to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Self

__all__ = [
    "InputError",
    "InputErrors",
    "NetsimError",
    "RenderError",
    "SourceSpan",
    "UnknownEndpointError",
]


@dataclass(frozen=True, slots=True, order=True)
class SourceSpan:
    """A position in an input file: 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class NetsimError(Exception):
    """Base class of every error netsim reports to a user."""


class InputError(NetsimError):
    """One problem in one input file, located and attributed to a field path."""

    def __init__(
        self,
        message: str,
        *,
        span: SourceSpan | None = None,
        field: str = "",
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.field = field
        self.hint = hint

    def __str__(self) -> str:
        parts = []
        if self.span is not None:
            parts.append(str(self.span))
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        text = ": ".join(parts)
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order errors by file and position, then text, so output is deterministic."""
        if self.span is None:
            return ("", 0, 0, self.message)
        return (self.span.path, self.span.line, self.span.column, str(self))


class InputErrors(ExceptionGroup[InputError], NetsimError):
    """All the input errors of one run, in file and line order."""

    def __new__(cls, errors: Sequence[InputError]) -> Self:
        ordered = sorted(errors, key=InputError.sort_key)
        noun = "error" if len(ordered) == 1 else "errors"
        return super().__new__(cls, f"{len(ordered)} input {noun}", ordered)

    def __init__(self, errors: Sequence[InputError]) -> None:
        ordered = sorted(errors, key=InputError.sort_key)
        super().__init__(str(self), ordered)


class UnknownEndpointError(NetsimError):
    """A command-line endpoint that names no pod, workload or address, or names several."""

    def __init__(self, text: str, suggestions: tuple[str, ...] = (), *, ambiguous: bool = False) -> None:
        self.text = text
        self.suggestions = suggestions
        if ambiguous:
            msg = f"endpoint {text!r} is ambiguous: it names " + ", ".join(suggestions) + "; write one of those"
        else:
            msg = f"unknown endpoint {text!r}: no such pod or workload"
            if suggestions:
                msg += "; did you mean " + ", ".join(repr(s) for s in suggestions) + "?"
        super().__init__(msg)


class RenderError(NetsimError):
    """An output could not be produced."""
