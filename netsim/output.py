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


def write_atomic(path: str, data: bytes, inputs: Iterable[str] = ()) -> None:
    """Write ``data`` to ``path`` atomically; clear errors for missing or read-only places."""
    target = Path(path)
    resolved = target.resolve()
    for item in inputs:
        if item != "-" and Path(item).exists() and Path(item).resolve() == resolved:
            raise NetsimError(f"refusing to write {path}: it is one of the inputs")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise NetsimError(f"cannot write {path}: directory {parent} does not exist")
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
