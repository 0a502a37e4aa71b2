"""External address ranges: the IP space cut so that every range behaves the same to every pod.

For each side (ingress ipBlocks are possible *sources*, egress ipBlocks possible *destinations*)
the address space is cut at the boundaries of every ``cidr`` minus its ``except`` list; each
elementary interval is one external endpoint. With no ipBlocks a side has a single range, the
whole IPv4 space.

The IPv6 space is listed (on both sides) when the input has any IPv6 address: a pod's or a node's
address, or the ``cidr`` of an ipBlock of either direction. An input without any (the common
IPv4-only cluster, and what netpol-analyzer prints) has no IPv6 range, so listings stay short;
a caller that is asked about an IPv6 address of such an input lists the IPv6 space anyway with
``Options.address_families`` (``netsim connections --from 2001:db8::5``), and an IPv6 pod network
(``--pod-cidr``) lists it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from netsim.model import Cluster, Direction, IPAddress, IPBlockPeer, NodesPeer, Options

__all__ = [
    "Cuts",
    "ExternalRange",
    "block_intervals",
    "cut_points",
    "external_ranges",
    "families",
    "ip_blocks",
    "split_range",
]

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
    """Every ipBlock peer of every policy's rules of one direction; for cluster-scoped policies,
    their ``networks`` CIDRs, and each listed Node's address as a single-address block when a
    rule has a ``nodes`` peer (a node's address behaves apart from its neighbours)."""
    for pol in cluster.policies:
        for rule in pol.rules(direction):
            for peer in rule.peers:
                if isinstance(peer, IPBlockPeer):
                    yield peer
    nodes = False
    for cpol in cluster.cluster_policies:
        for crule in cpol.rules(direction):
            for cpeer in crule.peers:
                if isinstance(cpeer, IPBlockPeer):
                    yield cpeer
                elif isinstance(cpeer, NodesPeer):
                    nodes = True
    if nodes:
        for node in cluster.nodes:
            for ip in node.addresses:
                yield IPBlockPeer(ip_network(ip))


#: Cut points of the address space per IP version (4, 6): each is the first address of a range.
Cuts = Mapping[int, Iterable[int]]


def families(cluster: Cluster, options: Options | None = None) -> frozenset[int]:
    """The address families whose space the external ranges cover: IPv4 always, IPv6 when the
    input has an IPv6 address (a pod's or node's, or an ipBlock ``cidr`` of either direction),
    when the pod network (``Options.pod_cidrs``) has an IPv6 CIDR, or when
    ``Options.address_families`` asks for it."""
    extra = () if options is None else (*options.address_families, *(c.version for c in options.pod_cidrs))
    out = frozenset({4, *extra})
    if 6 in out:
        return out
    both = out | {6}
    for direction in (Direction.INGRESS, Direction.EGRESS):
        if any(block.cidr.version == 6 for block in ip_blocks(cluster, direction)):
            return both
    v6 = IPv6Address  # a plain loop: it runs over every pod (100,000 in 10 ms)
    for pod in cluster.pods:
        for ip in pod.ips:
            if type(ip) is v6:
                return both
        if type(pod.host_ip) is v6:
            return both
        for ip in pod.host_ips:
            if type(ip) is v6:
                return both
    return out


def cut_points(cluster: Cluster, direction: Direction, options: Options | None = None) -> dict[int, frozenset[int]]:
    """Where the ipBlocks of one direction cut the address space: ``{4: {...}, 6: {...}}``.

    A cut point is the first address of a range (0, the start of a ``cidr`` or of the space after
    an ``except``, the address after a block). Compare two clusters by address by cutting both
    on the union of their points (:func:`external_ranges` with ``extra``). IPv6 has the point 0
    when the input has IPv6 addresses (:func:`families`), and no point at all otherwise.
    """
    cuts: dict[int, set[int]] = {4: set(), 6: {0} if 6 in families(cluster, options) else set()}
    for block in ip_blocks(cluster, direction):
        version = block.cidr.version
        for lo, hi in block_intervals(block):
            cuts[version].add(lo)
            if hi < _MAX[version]:
                cuts[version].add(hi + 1)
    return {version: frozenset(points) for version, points in cuts.items()}


def external_ranges(
    cluster: Cluster, direction: Direction, extra: Cuts | None = None, options: Options | None = None
) -> tuple[ExternalRange, ...]:
    """The external ranges of one side: INGRESS gives sources, EGRESS destinations.

    Every ipBlock of every policy of that direction counts, whether or not the policy selects a
    pod, so the cut does not depend on pod labels. ``extra`` adds cut points (another cluster's,
    for a diff): the ranges are then finer, each still treated alike by every ipBlock.
    """
    cuts = {version: set(points) for version, points in cut_points(cluster, direction, options).items()}
    for version, points in (extra or {}).items():
        cuts[version].update(p for p in points if 0 <= p <= _MAX[version])
    out: list[ExternalRange] = []
    for version in (4, 6):
        if version == 6 and not cuts[6]:  # the input has no IPv6 address (see families)
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
