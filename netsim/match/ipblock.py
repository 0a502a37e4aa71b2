"""ipBlock matching: an address is in ``cidr`` and in none of ``except``."""

from __future__ import annotations

from netsim.model import IPAddress, IPBlockPeer

__all__ = ["ip_in_block"]


def ip_in_block(ip: IPAddress, block: IPBlockPeer) -> bool:
    """True if ``ip`` is in the block's cidr and not in any except; families never mix.

    >>> from ipaddress import ip_address, ip_network
    >>> ip_in_block(ip_address("10.1.2.3"), IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.1.0.0/16"),)))
    False
    """
    if ip.version != block.cidr.version or ip not in block.cidr:
        return False
    return not any(ip in exc for exc in block.except_)
