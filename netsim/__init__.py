"""netsim: simulate Kubernetes NetworkPolicy exactly as Kubernetes evaluates it."""

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
