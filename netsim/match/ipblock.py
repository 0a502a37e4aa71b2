"""ipBlock matching: an address is in ``cidr`` and in none of ``except``."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv6Address

from netsim.model import IPAddress, IPBlockPeer

__all__ = ["AddressSet", "ip_in_block"]


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
