"""Observed traffic: reading flow exports (Hubble, Calico, generic CSV/JSON), mapping their ends to
the endpoints of the manifests, and folding them into distinct connections (for ``netsim replay``).

The pipeline, each step a module::

    read_flows(path, fmt, limits, lax=...)  -> FlowStream of FlowRecord     (reader; hubble, calico, generic)
    EndpointIndex(cluster).map(end)         -> Endpoint | Unmapped          (mapping)
    fold.fold(stream, index)                -> FoldResult                   (fold)

(``fold`` the function is not re-exported here: it would hide the module ``netsim.flows.fold``.)
"""

from netsim.flows.fold import Connection, FoldResult, UnmappedFlow
from netsim.flows.mapping import EndpointIndex, Unmapped, map_end
from netsim.flows.model import ALLOWED, DENIED, FlowEnd, FlowRecord, Skip
from netsim.flows.reader import FORMATS, FlowStream, detect_format, read_flows

__all__ = [
    "ALLOWED",
    "DENIED",
    "FORMATS",
    "Connection",
    "EndpointIndex",
    "FlowEnd",
    "FlowRecord",
    "FlowStream",
    "FoldResult",
    "Skip",
    "Unmapped",
    "UnmappedFlow",
    "detect_format",
    "map_end",
    "read_flows",
]
