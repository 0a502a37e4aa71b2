"""Reading input files into located YAML node trees.

netsim composes YAML (never constructs Python objects from tags), so every value keeps the line
and column it came from and no YAML tag can run code. libyaml's C parser is used when PyYAML has
it; the pure-Python parser is the fallback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from netsim.errors import InputError, SourceSpan

__all__ = [
    "INPUT_SUFFIXES",
    "Document",
    "Limits",
    "discover",
    "read_documents",
    "span_of",
]

INPUT_SUFFIXES = (".yaml", ".yml", ".json")

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one run reads (adjustable with ``--max-*``; see docs/security.md)."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_documents: int = 1_000_000
    max_files: int = 100_000


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of one file; ``root`` is None for an empty document."""

    path: str
    index: int
    root: yaml.Node | None


def span_of(path: str, node: yaml.Node) -> SourceSpan:
    """The 1-based position where ``node`` starts."""
    mark = node.start_mark
    return SourceSpan(path, mark.line + 1, mark.column + 1)


def discover(inputs: list[str], limits: Limits | None = None) -> tuple[list[str], list[InputError]]:
    """Expand files and directories (recursively, ``*.yaml``/``*.yml``/``*.json``) into file paths.

    ``-`` stands for standard input. Files named explicitly are read whatever their suffix.
    """
    limits = limits or Limits()
    files: list[str] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for item in inputs:
        if item == "-":
            files.append("-")
            continue
        path = Path(item)
        if path.is_dir():
            found: list[str] = []
            for root, dirs, names in os.walk(path, onerror=lambda e: errors.append(_os_error(e))):
                dirs.sort()
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in sorted(names):
                    if name.endswith(INPUT_SUFFIXES) and not name.startswith("."):
                        found.append(os.path.join(root, name))
            if not found:
                errors.append(
                    InputError(
                        f"no {', '.join('*' + s for s in INPUT_SUFFIXES)} files in directory", span=None, field=item
                    )
                )
            files.extend(found)
        elif path.exists():
            files.append(item)
        else:
            errors.append(InputError("no such file or directory", field=item))
    unique = []
    for f in files:
        key = f if f == "-" else os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if len(unique) > limits.max_files:
        errors.append(InputError(f"{len(unique)} input files exceed the limit of {limits.max_files} (--max-files)"))
    return unique, errors


def _os_error(exc: OSError) -> InputError:
    return InputError(exc.strerror or str(exc), field=str(exc.filename or ""))


def _read_text(path: str, limits: Limits) -> str:
    if path == "-":
        data = sys.stdin.buffer.read(limits.max_file_bytes + 1)
        label = "<stdin>"
    else:
        label = path
        try:
            with open(path, "rb") as fh:
                data = fh.read(limits.max_file_bytes + 1)
        except IsADirectoryError as exc:
            raise InputError("is a directory", span=SourceSpan(label, 1, 1)) from exc
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", span=SourceSpan(label, 1, 1)) from exc
    if len(data) > limits.max_file_bytes:
        raise InputError(
            f"file is larger than the limit of {limits.max_file_bytes} bytes (--max-file-bytes)",
            span=SourceSpan(label, 1, 1),
        )
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("binary data (a NUL byte): not a YAML or JSON file", span=SourceSpan(label, line, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            span=SourceSpan(label, line, col),
        ) from exc
    return text.removeprefix("\ufeff")


def read_documents(path: str, limits: Limits | None = None) -> Iterator[Document]:
    """Yield every document of one file as a node tree; raise InputError on unreadable input."""
    limits = limits or Limits()
    label = "<stdin>" if path == "-" else path
    text = _read_text(path, limits)
    try:
        for i, node in enumerate(yaml.compose_all(text, Loader=_Loader)):
            if i >= limits.max_documents:
                raise InputError(
                    f"more than {limits.max_documents} documents (--max-documents)", span=SourceSpan(label, 1, 1)
                )
            yield Document(label, i, node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = SourceSpan(label, mark.line + 1, mark.column + 1) if mark else SourceSpan(label, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context and exc.problem else ""
        raise InputError(f"YAML syntax error: {problem}{ctx}", span=span) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", span=SourceSpan(label, 1, 1)) from exc
