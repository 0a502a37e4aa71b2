"""External address ranges: the IP space cut so that every range behaves the same to every pod.

For each side (ingress ipBlocks are possible *sources*, egress ipBlocks possible *destinations*)
the address space is cut at the boundaries of every ``cidr`` minus its ``except`` list; each
elementary interval is one external endpoint. With no ipBlocks a side has a single range, the
whole IPv4 space. IPv6 space is added where a side has IPv6 blocks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address

from netsim.model import Cluster, Direction, IPAddress, IPBlockPeer

__all__ = ["Cuts", "ExternalRange", "block_intervals", "cut_points", "external_ranges", "ip_blocks", "split_range"]

_MAX = {4: (1 << 32) - 1, 6: (1 << 128) - 1}


@dataclass(frozen=True, slots=True, order=True)
class ExternalRange:
    """An inclusive address interval ``first``..``last`` of one family."""

    version: int
    first_int: int
    last_int: int
    _text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_text", f"{self.first}-{self.last}")

    @property
    def first(self) -> IPAddress:
        """The lowest address."""
        return ip_address(self.first_int) if self.version == 4 else IPv6Address(self.first_int)

    @property
    def last(self) -> IPAddress:
        """The highest address."""
        return ip_address(self.last_int) if self.version == 4 else IPv6Address(self.last_int)

    def __contains__(self, ip: IPAddress) -> bool:
        return ip.version == self.version and self.first_int <= int(ip) <= self.last_int

    def representative(self, avoid: frozenset[IPAddress] = frozenset()) -> IPAddress:
        """An address of the range that is not in ``avoid`` (pod and node addresses)."""
        cls = IPv4Address if self.version == 4 else IPv6Address
        value = self.first_int
        while value <= self.last_int:
            ip = cls(value)
            if ip not in avoid:
                return ip
            value += 1
        return cls(self.first_int)

    @property
    def label(self) -> str:
        """``first-last[External]`` (netpol-analyzer's form)."""
        return self._text + "[External]"

    def __str__(self) -> str:
        return self._text


def block_intervals(block: IPBlockPeer) -> list[tuple[int, int]]:
    """``cidr`` minus every ``except`` as sorted, merged integer intervals."""
    return block.intervals()


def ip_blocks(cluster: Cluster, direction: Direction) -> Iterator[IPBlockPeer]:
    """Every ipBlock peer of every policy's rules of one direction."""
    for pol in cluster.policies:
        for rule in pol.rules(direction):
            for peer in rule.peers:
                if isinstance(peer, IPBlockPeer):
                    yield peer


#: Cut points of the address space per IP version (4, 6): each is the first address of a range.
Cuts = Mapping[int, Iterable[int]]


def cut_points(cluster: Cluster, direction: Direction) -> dict[int, frozenset[int]]:
    """Where the ipBlocks of one direction cut the address space: ``{4: {...}, 6: {...}}``.

    A cut point is the first address of a range (0, the start of a ``cidr`` or of the space after
    an ``except``, the address after a block). Compare two clusters by address by cutting both
    on the union of their points (:func:`external_ranges` with ``extra``).
    """
    cuts: dict[int, set[int]] = {4: set(), 6: set()}
    for block in ip_blocks(cluster, direction):
        version = block.cidr.version
        for lo, hi in block_intervals(block):
            cuts[version].add(lo)
            if hi < _MAX[version]:
                cuts[version].add(hi + 1)
    return {version: frozenset(points) for version, points in cuts.items()}


def external_ranges(cluster: Cluster, direction: Direction, extra: Cuts | None = None) -> tuple[ExternalRange, ...]:
    """The external ranges of one side: INGRESS gives sources, EGRESS destinations.

    Every ipBlock of every policy of that direction counts, whether or not the policy selects a
    pod, so the cut does not depend on pod labels. ``extra`` adds cut points (another cluster's,
    for a diff): the ranges are then finer, each still treated alike by every ipBlock.
    """
    cuts = {version: set(points) for version, points in cut_points(cluster, direction).items()}
    for version, points in (extra or {}).items():
        cuts[version].update(p for p in points if 0 <= p <= _MAX[version])
    out: list[ExternalRange] = []
    for version in (4, 6):
        if version == 6 and not cuts[6]:
            continue
        points = sorted(cuts[version] | {0})
        for i, start in enumerate(points):
            end = points[i + 1] - 1 if i + 1 < len(points) else _MAX[version]
            out.append(ExternalRange(version, start, end))
    return tuple(out)


def split_range(rng: ExternalRange, cuts: Iterable[int]) -> tuple[ExternalRange, ...]:
    """``rng`` cut at every point of ``cuts`` (addresses of its family) that falls inside it.

    Every part behaves as ``rng`` does, so two clusters' ranges line up when each side's ranges
    are split at the union of both sides' :func:`cut_points`.
    """
    inside = sorted({p for p in cuts if rng.first_int < p <= rng.last_int})
    starts = [rng.first_int, *inside]
    ends = [p - 1 for p in inside] + [rng.last_int]
    return tuple(ExternalRange(rng.version, lo, hi) for lo, hi in zip(starts, ends, strict=True))
