"""netsim: simulate Kubernetes NetworkPolicy exactly as Kubernetes evaluates it.

The names below are imported from their modules when first used (PEP 562), so ``import netsim``
(which every ``netsim`` command does, ``netsim --version`` too) costs nothing until they are.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netsim.connset import ConnSet, PortSet
    from netsim.engine import PolicyIndex, evaluate, evaluate_pair
    from netsim.errors import InputError, InputErrors, NetsimError, SourceSpan
    from netsim.loader import LoadOptions, LoadResult, load_cluster, load_texts
    from netsim.model import Cluster, Direction, External, NetworkPolicy, Options, Pod, Protocol, Traffic
    from netsim.verdict import DirectionVerdict, PairVerdict, Verdict

__version__ = "0.1.0"

__all__ = [
    "Cluster",
    "ConnSet",
    "Direction",
    "DirectionVerdict",
    "External",
    "InputError",
    "InputErrors",
    "LoadOptions",
    "LoadResult",
    "NetsimError",
    "NetworkPolicy",
    "Options",
    "PairVerdict",
    "Pod",
    "PolicyIndex",
    "PortSet",
    "Protocol",
    "SourceSpan",
    "Traffic",
    "Verdict",
    "__version__",
    "evaluate",
    "evaluate_pair",
    "load_cluster",
    "load_texts",
]

#: The module each name of the public API comes from.
_SOURCES = {
    "ConnSet": "netsim.connset",
    "PortSet": "netsim.connset",
    "PolicyIndex": "netsim.engine",
    "evaluate": "netsim.engine",
    "evaluate_pair": "netsim.engine",
    "InputError": "netsim.errors",
    "InputErrors": "netsim.errors",
    "NetsimError": "netsim.errors",
    "SourceSpan": "netsim.errors",
    "LoadOptions": "netsim.loader",
    "LoadResult": "netsim.loader",
    "load_cluster": "netsim.loader",
    "load_texts": "netsim.loader",
    "Cluster": "netsim.model",
    "Direction": "netsim.model",
    "External": "netsim.model",
    "NetworkPolicy": "netsim.model",
    "Options": "netsim.model",
    "Pod": "netsim.model",
    "Protocol": "netsim.model",
    "Traffic": "netsim.model",
    "DirectionVerdict": "netsim.verdict",
    "PairVerdict": "netsim.verdict",
    "Verdict": "netsim.verdict",
}


if not TYPE_CHECKING:  # mypy sees the real names (above), so a misspelt one is still an error

    def __getattr__(name: str) -> object:
        """A name of the public API, or a submodule (``netsim.engine``), imported on first use."""
        source = _SOURCES.get(name)
        if source is not None:
            value: object = getattr(importlib.import_module(source), name)
            globals()[name] = value
            return value
        if not name.startswith("_"):
            try:
                return importlib.import_module(f"{__name__}.{name}")
            except ModuleNotFoundError as exc:
                if exc.name != f"{__name__}.{name}":
                    raise
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
