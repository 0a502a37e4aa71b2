"""Writing output files atomically: a temporary file in the target directory, then a rename.

A failure (disk full, render error, interrupt) never leaves a half-written file behind, and
netsim refuses to write over one of its own inputs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from netsim.errors import NetsimError

__all__ = ["write_atomic"]


#: What netsim reads from a directory (netsim.source.INPUT_SUFFIXES; a test keeps them equal).
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


def write_atomic(path: str, data: bytes, inputs: Iterable[str] = ()) -> None:
    """Write ``data`` to ``path`` atomically; clear errors for missing or read-only places.

    ``inputs`` are the paths the run read (files, directories, ``-``): a file among them, or a
    manifest that one of the directories holds, is never written over.
    """
    target = Path(path)
    resolved = target.resolve()
    for item in inputs:
        if item == "-" or not Path(item).exists():
            continue
        source = Path(item).resolve()
        if source == resolved:
            raise NetsimError(f"refusing to write {path}: it is one of the inputs")
        if source.is_dir() and _read_from(source, resolved):
            raise NetsimError(f"refusing to write {path}: it is one of the inputs (in {item})")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        problem = "is not a directory" if parent.exists() else "does not exist"
        raise NetsimError(f"cannot write {path}: directory {parent} {problem}")
    if target.is_dir():
        raise NetsimError(f"cannot write {path}: it is a directory")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise NetsimError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise NetsimError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise


def _read_from(directory: Path, file: Path) -> bool:
    """Whether reading ``directory`` reads ``file``: an existing manifest, not hidden, inside it."""
    if not file.is_file() or not file.name.endswith(_MANIFEST_SUFFIXES) or not file.is_relative_to(directory):
        return False
    return not any(part.startswith(".") for part in file.relative_to(directory).parts)
