"""Observed traffic as netsim reads it: what a flow record says about its two ends, and the record.

A record is one line (or one element of a JSON array) of an observer's export: Hubble, Calico or
netsim's own generic form. It says what the observer saw, in the observer's terms: a pod by name,
an owner, an address, labels, a reserved identity. Nothing here knows the manifests; turning an end
into a netsim endpoint is :mod:`netsim.flows.mapping`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from enum import StrEnum
from typing import Literal, TypeAlias

from netsim.model import IPAddress, Labels, Protocol

__all__ = [
    "ALLOWED",
    "DENIED",
    "NOT_A_POD",
    "RECORD_FIELDS",
    "FlowEnd",
    "FlowRecord",
    "RecordError",
    "Row",
    "Side",
    "Skip",
]

#: What an observer decided, normalised (``FlowRecord.observed``).
ALLOWED = "allowed"
DENIED = "denied"

#: Where a record was observed: at the source (its egress; Calico reporter ``src``, Hubble
#: ``EGRESS``) or at the destination (its ingress).
Side = Literal["source", "destination"]

#: ``FlowEnd.reserved`` values that are never a pod: the end is an address outside the pods (the
#: internet, a node, the API server, a Calico network set), mapped to ``External`` by its address.
#: Hubble's other reserved identities (``unmanaged``, ``init``) are pods Cilium does not know yet.
NOT_A_POD = frozenset(
    {
        "world",
        "world-ipv4",
        "world-ipv6",
        "host",
        "remote-node",
        "kube-apiserver",
        "health",
        "ingress",
        "private-network",  # Calico: an address of a private range that is no known endpoint ("pvt")
        "network-set",  # Calico: an address of a NetworkSet or GlobalNetworkSet
    }
)


class Skip(StrEnum):
    """Why a record does not become a connection (counted, never an error)."""

    REPLY = "reply"  # the reply direction of a connection: NetworkPolicy is stateful
    NOT_FLOW = "not a flow"  # node status, lost events, agent events, socket-level translations
    NOT_L4 = "not TCP, UDP or SCTP"  # ICMP and other protocols NetworkPolicy says nothing about
    MALFORMED = "malformed"  # a record with an error, skipped with --lax

    @property
    def description(self) -> str:
        """A phrase for summaries: ``12 records skipped: ...``."""
        return _SKIP_DESCRIPTIONS[self]


_SKIP_DESCRIPTIONS = {
    Skip.REPLY: "replies (a reply belongs to its request: NetworkPolicy is stateful)",
    Skip.NOT_FLOW: "records that are no flow (node status, lost events, socket-level translations)",
    Skip.NOT_L4: "flows that are not TCP, UDP or SCTP (NetworkPolicy does not apply to ICMP and other protocols)",
    Skip.MALFORMED: "malformed records (--lax)",
}


class RecordError(Exception):
    """A record that cannot be read: the reader adds the file and line (``file:line: field: message``)."""

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        column: int | None = None,
        hint: str | None = None,
        fatal: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.column = column
        self.hint = hint
        self.fatal = fatal  # the rest of the file cannot be read either (a CSV header): reading stops


@dataclass(frozen=True, slots=True)
class FlowEnd:
    """What a record says about one end of a flow; every field is None (or empty) when it does not say.

    Hashable, with its hash computed once: the reader hands out one object per distinct end, and
    mapping caches its answer per end.
    """

    namespace: str | None = None
    pod: str | None = None  # the pod's name (without the namespace)
    # the owner the source names: Hubble's workloads[0], a Calico aggregated name ("web" for
    # "web-7d9c8b6f5-*"), a generic ns/name[Kind]; the kind is None when the source does not say
    workload: str | None = None
    workload_kind: str | None = None
    ip: IPAddress | None = None
    labels: Labels | None = None  # the pod's labels as the source reports them (None: not given)
    names: tuple[str, ...] = ()  # DNS names of the address (Hubble source_names/destination_names)
    # an identity that is no workload: Hubble's reserved identities ("world", "host", "remote-node",
    # "kube-apiserver", ...), Calico's non-pod endpoint types ("world", "private-network", "host",
    # "network-set"); see NOT_A_POD
    reserved: str | None = None
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        key = (self.namespace, self.pod, self.workload, self.workload_kind, self.ip, self.labels)
        object.__setattr__(self, "_hash", hash((key, self.names, self.reserved)))

    def __hash__(self) -> int:
        return self._hash

    @property
    def outside(self) -> bool:
        """True for an end that is no pod whatever its other fields say (see NOT_A_POD)."""
        return self.reserved in NOT_A_POD

    @property
    def text(self) -> str:
        """The end as messages write it: ``shop/web-7d9c8b6f5-x2x4k``, ``shop/web[Deployment]``,
        ``world 203.0.113.7 (api.example.com)``, ``10.0.0.9``."""
        ip = str(self.ip) if self.ip is not None else ""
        if self.reserved is not None and (self.outside or not (self.namespace and (self.pod or self.workload))):
            where = f"{self.namespace}/{self.workload}" if self.namespace and self.workload else self.workload or ""
            text = " ".join(part for part in (self.reserved, where, ip) if part)
        elif self.pod or self.workload:
            ns = f"{self.namespace}/" if self.namespace else ""
            text = f"{ns}{self.pod}" if self.pod else f"{ns}{self.workload}[{self.workload_kind or 'workload'}]"
        elif ip:
            text = f"{ip} in namespace {self.namespace}" if self.namespace else ip
        elif self.namespace:
            text = f"namespace {self.namespace}"
        else:
            return "(an end the record does not describe)"
        return f"{text} ({', '.join(self.names)})" if self.names else text

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class FlowRecord:
    """One record of a flow export: a connection (attempt) from ``source`` to ``destination``."""

    line: int  # 1-based line of the file (for a JSON document: the line where the record starts)
    source: FlowEnd
    destination: FlowEnd
    protocol: Protocol | None  # None: ICMP or another protocol that is no TCP, UDP or SCTP
    port: int | None  # the destination port (None without a protocol)
    count: int = 1  # how many observations the record stands for (>= 1; Calico aggregates)
    first_seen: datetime | None = None  # timezone-aware
    last_seen: datetime | None = None
    observed: str | None = None  # what the observer decided: ALLOWED, DENIED, or None (not a policy verdict)
    reply: bool = False  # the reply direction of a connection
    observed_at: Side | None = None  # where the observer saw it (None: not said)

    def __str__(self) -> str:
        what = f"{self.port}/{self.protocol}" if self.protocol is not None else "(not TCP/UDP/SCTP)"
        return f"{self.source.text} -> {self.destination.text} {what}"


#: FlowRecord's fields in order: a :data:`Row` holds their values, ``FlowRecord(*row)`` makes one.
RECORD_FIELDS = tuple(f.name for f in fields(FlowRecord))

#: A record as a plain tuple of FlowRecord's fields, in order: what the parsers produce and
#: :func:`~netsim.flows.fold.fold` consumes (a million records are a million tuples, not objects).
Row: TypeAlias = tuple[
    int,  # line
    FlowEnd,  # source
    FlowEnd,  # destination
    Protocol | None,  # protocol
    int | None,  # port
    int,  # count
    datetime | None,  # first_seen
    datetime | None,  # last_seen
    str | None,  # observed
    bool,  # reply
    Side | None,  # observed_at
]
