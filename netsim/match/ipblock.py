"""ipBlock matching: an address is in ``cidr`` and in none of ``except``."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv6Address

from netsim.model import IPAddress, IPBlockPeer, IPNetwork

__all__ = ["AddressSet", "address_state", "ip_in_block"]

_FULL: dict[int, tuple[int, int]] = {4: (0, (1 << 32) - 1), 6: (0, (1 << 128) - 1)}


def ip_in_block(ip: IPAddress, block: IPBlockPeer) -> bool:
    """True if ``ip`` is in the block's cidr and not in any except; families never mix.

    >>> from ipaddress import ip_address, ip_network
    >>> ip_in_block(ip_address("10.1.2.3"), IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.1.0.0/16"),)))
    False
    """
    if ip.version != block.cidr.version or ip not in block.cidr:
        return False
    return not any(ip in exc for exc in block.except_)


class AddressSet:
    """A union of ipBlocks (each cidr minus its excepts) for fast membership tests.

    >>> from ipaddress import ip_address, ip_network
    >>> s = AddressSet([IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.1.0.0/16"),))])
    >>> ip_address("10.2.0.1") in s, ip_address("10.1.0.1") in s
    (True, False)
    """

    __slots__ = ("_ends", "_starts")

    def __init__(self, blocks: Iterable[IPBlockPeer]) -> None:
        per_family: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for block in blocks:
            per_family[block.cidr.version].extend(block.intervals())
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}
        for version, intervals in per_family.items():
            merged: list[list[int]] = []
            for lo, hi in sorted(intervals):
                if merged and lo <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            self._starts[version] = [m[0] for m in merged]
            self._ends[version] = [m[1] for m in merged]

    def __contains__(self, ip: object) -> bool:
        if not isinstance(ip, IPv4Address | IPv6Address):
            return False
        starts = self._starts[ip.version]
        value = int(ip)
        i = bisect_right(starts, value) - 1
        return i >= 0 and value <= self._ends[ip.version][i]

    def __bool__(self) -> bool:
        return any(self._starts.values())

    def covers(self, lo: int, hi: int, version: int) -> bool:
        """True if every address ``lo..hi`` of the family is in the set."""
        starts = self._starts[version]
        i = bisect_right(starts, lo) - 1
        return i >= 0 and self._ends[version][i] >= hi

    def meets(self, lo: int, hi: int, version: int) -> bool:
        """True if some address ``lo..hi`` of the family is in the set."""
        starts = self._starts[version]
        i = bisect_right(starts, hi) - 1
        return i >= 0 and self._ends[version][i] >= lo


def address_state(addresses: AddressSet, pod_cidrs: tuple[IPNetwork, ...]) -> bool | None:
    """Does a pod whose address is not known have an address in ``addresses``?

    With ``pod_cidrs`` (the pod network, ``--pod-cidr``) the pod has one address in a CIDR of each
    family listed; without them it has one or two addresses anywhere. True when that holds for
    every address it could have, False when for none, None (undecided) otherwise.

    >>> from ipaddress import ip_network
    >>> blocks = AddressSet([IPBlockPeer(ip_network("10.0.0.0/8"))])
    >>> address_state(blocks, (ip_network("10.244.0.0/16"),)), address_state(blocks, ())
    (True, None)
    >>> address_state(blocks, (ip_network("192.168.0.0/16"),))
    False
    """
    ranges: dict[int, list[tuple[int, int]]] = {}
    for cidr in pod_cidrs:
        ranges.setdefault(cidr.version, []).append((int(cidr.network_address), int(cidr.broadcast_address)))
    known_families = bool(ranges)
    if not known_families:
        ranges = {v: [r] for v, r in _FULL.items()}
    covered = [all(addresses.covers(lo, hi, v) for lo, hi in rs) for v, rs in ranges.items()]
    if (any if known_families else all)(covered):
        return True
    if not any(addresses.meets(lo, hi, v) for v, rs in ranges.items() for lo, hi in rs):
        return False
    return None
