"""Connection sets: which (protocol, port) pairs a rule, a direction or an edge allows.

A :class:`PortSet` is a canonical tuple of inclusive, disjoint, non-adjacent port intervals within
1..65535. A :class:`ConnSet` holds one PortSet per protocol (TCP, UDP, SCTP). Both are immutable
values with union (``|``), intersection (``&``), difference (``-``), equality, hashing and a
canonical text form that netpol-analyzer users already read::

    >>> ConnSet.of(Protocol.TCP, 80) | ConnSet.of(Protocol.TCP, 81)
    ConnSet('TCP 80-81')
    >>> str(ConnSet.all())
    'All Connections'
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from netsim.model import PROTOCOLS, Protocol

__all__ = ["MAX_PORT", "MIN_PORT", "ConnSet", "PortSet"]

MIN_PORT = 1
MAX_PORT = 65535

Interval = tuple[int, int]


def _normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    out: list[list[int]] = []
    for lo, hi in sorted(intervals):
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + 1:
            if hi > out[-1][1]:
                out[-1][1] = hi
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


@dataclass(frozen=True, slots=True)
class PortSet:
    """A set of ports as canonical inclusive intervals."""

    intervals: tuple[Interval, ...] = ()

    @classmethod
    def of(cls, *intervals: Interval) -> PortSet:
        """Build a PortSet from any intervals (they are sorted and merged)."""
        return cls(_normalise(intervals))

    @classmethod
    def all(cls) -> PortSet:
        """Every port 1-65535."""
        return _ALL_PORTS

    def __bool__(self) -> bool:
        return bool(self.intervals)

    def __contains__(self, port: int) -> bool:
        for lo, hi in self.intervals:
            if port < lo:
                return False
            if port <= hi:
                return True
        return False

    def __or__(self, other: PortSet) -> PortSet:
        if not other.intervals or self == other:
            return self
        if not self.intervals:
            return other
        return PortSet(_normalise(self.intervals + other.intervals))

    def __and__(self, other: PortSet) -> PortSet:
        if self.is_all():
            return other
        if other.is_all():
            return self
        out: list[Interval] = []
        a, b = self.intervals, other.intervals
        i = j = 0
        while i < len(a) and j < len(b):
            lo = max(a[i][0], b[j][0])
            hi = min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return PortSet(tuple(out))

    def complement(self) -> PortSet:
        """All ports 1-65535 that are not in this set."""
        out: list[Interval] = []
        nxt = MIN_PORT
        for lo, hi in self.intervals:
            if lo > nxt:
                out.append((nxt, lo - 1))
            nxt = hi + 1
        if nxt <= MAX_PORT:
            out.append((nxt, MAX_PORT))
        return PortSet(tuple(out))

    def __sub__(self, other: PortSet) -> PortSet:
        if not other.intervals:
            return self
        return self & other.complement()

    def is_all(self) -> bool:
        """True when every port 1-65535 is in the set."""
        return self.intervals == ((MIN_PORT, MAX_PORT),)

    def count(self) -> int:
        """How many ports the set holds."""
        return sum(hi - lo + 1 for lo, hi in self.intervals)

    def __str__(self) -> str:
        return ",".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.intervals)


_ALL_PORTS = PortSet(((MIN_PORT, MAX_PORT),))
_NO_PORTS = PortSet(())


@dataclass(frozen=True, slots=True)
class ConnSet:
    """Allowed connections: a PortSet for each of TCP, UDP and SCTP."""

    tcp: PortSet = _NO_PORTS
    udp: PortSet = _NO_PORTS
    sctp: PortSet = _NO_PORTS

    # construction ---------------------------------------------------------------------------
    @classmethod
    def all(cls) -> ConnSet:
        """Every port of every protocol ("All Connections")."""
        return _ALL

    @classmethod
    def none(cls) -> ConnSet:
        """No connection at all."""
        return _NONE

    @classmethod
    def of(cls, protocol: Protocol, lo: int | None = None, hi: int | None = None) -> ConnSet:
        """One protocol: all its ports (no ``lo``), one port, or the range ``lo..hi``."""
        ports = _ALL_PORTS if lo is None else PortSet.of((lo, lo if hi is None else hi))
        return cls.from_ports(protocol, ports)

    @classmethod
    def from_ports(cls, protocol: Protocol, ports: PortSet) -> ConnSet:
        """One protocol with the given ports."""
        if protocol is Protocol.TCP:
            return cls(tcp=ports)
        if protocol is Protocol.UDP:
            return cls(udp=ports)
        return cls(sctp=ports)

    # queries ----------------------------------------------------------------------------------
    def ports(self, protocol: Protocol) -> PortSet:
        """The ports of one protocol."""
        if protocol is Protocol.TCP:
            return self.tcp
        if protocol is Protocol.UDP:
            return self.udp
        return self.sctp

    def allows(self, port: int, protocol: Protocol) -> bool:
        """True if ``port``/``protocol`` is in the set."""
        return port in self.ports(protocol)

    def __bool__(self) -> bool:
        return self is not _NONE and bool(self.tcp.intervals or self.udp.intervals or self.sctp.intervals)

    def is_all(self) -> bool:
        """True when every port of every protocol is allowed."""
        return self.tcp.is_all() and self.udp.is_all() and self.sctp.is_all()

    def items(self) -> Iterator[tuple[Protocol, PortSet]]:
        """Non-empty protocols in canonical order (SCTP, TCP, UDP)."""
        for proto in PROTOCOLS:
            ports = self.ports(proto)
            if ports:
                yield proto, ports

    # algebra ----------------------------------------------------------------------------------
    def __or__(self, other: ConnSet) -> ConnSet:
        if self is other or other is _NONE or self is _ALL:
            return self
        if self is _NONE or other is _ALL:
            return other
        return _canonical(self.tcp | other.tcp, self.udp | other.udp, self.sctp | other.sctp)

    def __and__(self, other: ConnSet) -> ConnSet:
        if self is other or other is _ALL:
            return self
        if self is _ALL:
            return other
        if self is _NONE or other is _NONE:
            return _NONE
        return _canonical(self.tcp & other.tcp, self.udp & other.udp, self.sctp & other.sctp)

    def __sub__(self, other: ConnSet) -> ConnSet:
        if other is _NONE or self is _NONE:
            return self
        if other is _ALL or self is other:
            return _NONE
        return _canonical(self.tcp - other.tcp, self.udp - other.udp, self.sctp - other.sctp)

    # text ----------------------------------------------------------------------------------------
    def __str__(self) -> str:
        """netpol-analyzer's grammar: ``All Connections`` or ``SCTP 1-9,TCP 80,UDP 53``."""
        text = _TEXT.get(self)
        if text is None:
            if len(_TEXT) > 4096:  # a bounded cache: few distinct sets occur in one run
                _TEXT.clear()
            text = _TEXT[self] = self._render()
        return text

    def _render(self) -> str:
        if self.is_all():
            return "All Connections"
        if not self:
            return "No Connections"
        return ",".join(f"{proto.value} {ports}" for proto, ports in self.items())

    def compact(self) -> str:
        """Short label for pictures: ``all``, ``none`` or the canonical text."""
        if self.is_all():
            return "all"
        if not self:
            return "none"
        return str(self)

    def __repr__(self) -> str:
        return f"ConnSet({str(self)!r})"

    def to_json(self) -> dict[str, list[list[int]]]:
        """``{"TCP": [[1, 79], [81, 65535]], ...}`` with only non-empty protocols."""
        return {proto.value: [[lo, hi] for lo, hi in ports.intervals] for proto, ports in self.items()}


_TEXT: dict[ConnSet, str] = {}
_ALL = ConnSet(_ALL_PORTS, _ALL_PORTS, _ALL_PORTS)
_NONE = ConnSet()


def _canonical(tcp: PortSet, udp: PortSet, sctp: PortSet) -> ConnSet:
    """The set of these ports: the shared empty and full sets when it is one of them, so that the
    algebra's shortcuts (by identity) apply to computed sets too."""
    if not (tcp.intervals or udp.intervals or sctp.intervals):
        return _NONE
    if tcp.is_all() and udp.is_all() and sctp.is_all():
        return _ALL
    return ConnSet(tcp, udp, sctp)
