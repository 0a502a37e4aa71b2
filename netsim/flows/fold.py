"""Folding flow records into the distinct connections they observed.

A connection is (source endpoint, destination endpoint, protocol, destination port). Records fold
into it when both ends map to the same endpoints, which brings together:

* the two observations of one connection: Hubble reports it at the source's egress and again at
  the destination's ingress, Calico at the source's node (reporter ``src``) and the destination's
  (``dst``);
* the records of its packets, its L7 requests, the pods of one workload that map to the same
  representative, and repeated connections over time.

Replies are skipped: NetworkPolicy is stateful, so a reply belongs to its request and says
nothing of its own. So are records that are not TCP, UDP or SCTP. A connection keeps its
``count``: the observations at the side that reported more (so a connection both ends report
counts once), plus those that say no side; the number of ``records`` folded; the earliest
``first_seen`` and latest ``last_seen``; the verdicts the observers reported and the sides that
reported a denial; the first line it was seen on; and, for an end that is a pod without an address
in the manifests (a workload's manifest), the addresses the records give it. Records with an end that maps to no
endpoint fold the same way, by their ends' texts and reasons, into :class:`UnmappedFlow`.

The result does not depend on the order of the records.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Any

from netsim.flows.mapping import EndpointIndex, Unmapped
from netsim.flows.model import DENIED, RECORD_FIELDS, FlowRecord, Row, Side, Skip
from netsim.flows.reader import FlowStream
from netsim.model import Cluster, Endpoint, IPAddress, Pod, Protocol

__all__ = ["Connection", "FoldResult", "UnmappedFlow", "fold"]


@dataclass(frozen=True, slots=True)
class Connection:
    """A distinct connection the records observed, between two endpoints of the manifests."""

    source: Endpoint
    destination: Endpoint
    protocol: Protocol
    port: int
    count: int  # observations: the larger of the two sides' reports, plus those of no side
    records: int  # records folded into it
    line: int  # the first line of the input that observed it
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    observed: frozenset[str] = frozenset()  # the verdicts observers reported: "allowed", "denied"
    denied_at: frozenset[Side] = frozenset()  # the sides that reported a denial
    # the addresses the records give for an end that is a pod without one in the manifests (a
    # workload's manifest stands for pods whose addresses only the cluster knows)
    source_addresses: frozenset[IPAddress] = frozenset()
    destination_addresses: frozenset[IPAddress] = frozenset()

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class UnmappedFlow:
    """Records whose source or destination (or both) is no endpoint of the manifests."""

    source: str  # the endpoint, or what the record says about the end
    destination: str
    protocol: Protocol
    port: int
    source_reason: str | None  # why the source maps to no endpoint (None: it maps)
    destination_reason: str | None
    count: int
    records: int
    line: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    observed: frozenset[str] = frozenset()

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reasons, source first."""
        return tuple(r for r in (self.source_reason, self.destination_reason) if r is not None)

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol}"


@dataclass(frozen=True, slots=True)
class FoldResult:
    """The connections of a flow export, what could not be mapped, and what was skipped."""

    connections: tuple[Connection, ...]
    unmapped: tuple[UnmappedFlow, ...]
    # records skipped, by reason: replies and non-L4 flows here; records that are no flow and
    # (with --lax) malformed ones when the records came from a FlowStream
    skipped: Mapping[Skip, int] = field(default_factory=dict, hash=False)
    records: int = 0  # flow records folded or skipped here (the stream's skipped ones are not records)

    @property
    def unmapped_records(self) -> int:
        """The records of the unmapped flows."""
        return sum(flow.records for flow in self.unmapped)


# an accumulator: [source, destination, at source, at destination, at no side, records, line,
# first seen, last seen, verdicts, denied at, source addresses, destination addresses] (+ the ends'
# texts for an unmapped flow); an addresses slot is a set for an end that is a pod without an
# address in the manifests, else None
_SRC, _DST, _AT_SRC, _AT_DST, _AT_NONE, _RECORDS, _LINE, _FIRST, _LAST, _VERDICTS, _DENIED_AT = range(11)
_SRC_IPS, _DST_IPS = 11, 12
_as_row = attrgetter(*RECORD_FIELDS)
_PROTOCOL_SLOT = {Protocol.TCP: 0, Protocol.UDP: 1, Protocol.SCTP: 2}
_PROTOCOLS = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)


def fold(records: Iterable[FlowRecord] | FlowStream, index: EndpointIndex | Cluster) -> FoldResult:
    """Fold ``records`` into distinct connections between the endpoints ``index`` maps them to.

    ``records`` may be a :class:`~netsim.flows.reader.FlowStream`: it is read through its rows
    (no object per record), and its skipped records (no flow; malformed, with --lax) are added to
    the result's. Errors of the stream propagate.
    """
    with _collector_paused():
        return _fold(records, index if isinstance(index, EndpointIndex) else EndpointIndex(index))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: folding makes no cycles, and a million records' JSON
    (and the connections made of them) would run it over every live object again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _fold(records: Iterable[FlowRecord] | FlowStream, index: EndpointIndex) -> FoldResult:
    rows: Iterable[Row] = records.rows() if isinstance(records, FlowStream) else map(_as_row, records)
    mapped, unmapped, skipped, total = _fold_rows(rows, index)
    if isinstance(records, FlowStream):
        skipped.update(records.skipped)
    connections = [
        Connection(
            source=acc[_SRC],
            destination=acc[_DST],
            protocol=_PROTOCOLS[slot],
            port=port,
            count=_count(acc),
            records=acc[_RECORDS],
            line=acc[_LINE],
            first_seen=acc[_FIRST],
            last_seen=acc[_LAST],
            observed=frozenset(acc[_VERDICTS]),
            denied_at=frozenset(acc[_DENIED_AT]),
            source_addresses=frozenset(acc[_SRC_IPS] or ()),
            destination_addresses=frozenset(acc[_DST_IPS] or ()),
        )
        for (_, _, port, slot), acc in mapped.items()
    ]
    flows = [
        UnmappedFlow(
            source=acc[-2] if type(acc[_SRC]) is Unmapped else str(acc[_SRC]),
            destination=acc[-1] if type(acc[_DST]) is Unmapped else str(acc[_DST]),
            protocol=_PROTOCOLS[slot],
            port=port,
            source_reason=acc[_SRC].reason if type(acc[_SRC]) is Unmapped else None,
            destination_reason=acc[_DST].reason if type(acc[_DST]) is Unmapped else None,
            count=_count(acc),
            records=acc[_RECORDS],
            line=acc[_LINE],
            first_seen=acc[_FIRST],
            last_seen=acc[_LAST],
            observed=frozenset(acc[_VERDICTS]),
        )
        for (_, _, port, slot), acc in unmapped.items()
    ]
    connections.sort(key=lambda c: (str(c.source), str(c.destination), c.protocol, c.port))
    flows.sort(key=lambda f: (f.source, f.destination, f.protocol, f.port))
    return FoldResult(tuple(connections), tuple(flows), dict(skipped), total)


_Table = dict[tuple[Hashable, Hashable, int, int], list[Any]]


def _fold_rows(rows: Iterable[Row], index: EndpointIndex) -> tuple[_Table, _Table, Counter[Skip], int]:
    """The hot loop: one pass over the rows, with the index's cache consulted directly."""
    cached, lookup = index.cache, index.lookup
    mapped: _Table = {}
    unmapped: _Table = {}
    skipped: Counter[Skip] = Counter()
    slots = _PROTOCOL_SLOT
    total = 0
    for line, source, destination, protocol, port, count, first, last, verdict, reply, side in rows:
        total += 1
        if reply:
            skipped[Skip.REPLY] += 1
            continue
        if protocol is None:
            skipped[Skip.NOT_L4] += 1
            continue
        if port is None:
            raise ValueError(f"line {line}: a {protocol} record without a destination port")
        hit = cached.get(source) or lookup(source)
        there = cached.get(destination) or lookup(destination)
        key = (hit[1], there[1], port, slots[protocol])
        acc = mapped.get(key)
        if acc is None:
            acc = unmapped.get(key)
            if acc is None:
                acc = [hit[0], there[0], 0, 0, 0, 0, line, first, last, set(), set(), None, None]
                if type(hit[0]) is Pod and not hit[0].ips:
                    acc[_SRC_IPS] = set()
                if type(there[0]) is Pod and not there[0].ips:
                    acc[_DST_IPS] = set()
                if type(hit[0]) is Unmapped or type(there[0]) is Unmapped:
                    acc += [source.text, destination.text]
                    unmapped[key] = acc
                else:
                    mapped[key] = acc
        if side is None:
            acc[_AT_NONE] += count
        elif side == "source":
            acc[_AT_SRC] += count
        else:
            acc[_AT_DST] += count
        acc[_RECORDS] += 1
        if acc[_SRC_IPS] is not None and source.ip is not None:
            acc[_SRC_IPS].add(source.ip)
        if acc[_DST_IPS] is not None and destination.ip is not None:
            acc[_DST_IPS].add(destination.ip)
        if line < acc[_LINE]:
            acc[_LINE] = line
        if first is not None and (acc[_FIRST] is None or first < acc[_FIRST]):
            acc[_FIRST] = first
        if last is not None and (acc[_LAST] is None or last > acc[_LAST]):
            acc[_LAST] = last
        if verdict is not None:
            acc[_VERDICTS].add(verdict)
            if verdict == DENIED and side is not None:
                acc[_DENIED_AT].add(side)
    return mapped, unmapped, skipped, total


def _count(acc: list[Any]) -> int:
    return int(max(acc[_AT_SRC], acc[_AT_DST]) + acc[_AT_NONE])
