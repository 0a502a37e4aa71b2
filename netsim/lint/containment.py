"""Containment and overlap of cluster-scoped rules as written: label selectors as sets of label
sets, peers (namespaces/pods, networks, nodes, domain names) and ports (numbers, ranges, names).

Each answer is shown on the selectors, CIDRs and ports themselves, never guessed from the pods of
one input: a "contains" is true for every cluster, so a lint finding built on it (a rule shadowed
by an earlier one) holds whatever pods and namespaces exist. "False" means "not shown", not
"disjoint".
"""

from __future__ import annotations

from collections.abc import Iterable
from ipaddress import IPv4Address

from netsim.connset import ConnSet
from netsim.match.cluster import cluster_ports
from netsim.model import (
    ClusterPeer,
    ClusterPort,
    ClusterRule,
    DomainNamesPeer,
    External,
    IPBlockPeer,
    LabelSelector,
    NodesPeer,
    PodPeer,
    Requirement,
)

__all__ = [
    "every_address",
    "name_covers",
    "numbered_ports",
    "peer_contains",
    "port_names",
    "ports_contain",
    "ports_meet",
    "rule_contains",
    "selector_contains",
    "selectors_compatible",
]

#: A destination that is no pod: named ports resolve to nothing there, numbers to themselves.
_NOWHERE = External(IPv4Address(0))


# -- label selectors as sets -------------------------------------------------------------------------


def _requirements(selector: LabelSelector | None) -> list[Requirement]:
    """matchLabels as ``In`` requirements, then matchExpressions (None: none, like ``{}``)."""
    if selector is None:
        return []
    return [Requirement(k, "In", (v,)) for k, v in selector.match_labels.items()] + list(selector.match_expressions)


def _implies(narrow: Requirement, broad: Requirement) -> bool:
    """True if every label set that satisfies ``narrow`` satisfies ``broad`` (same key)."""
    if narrow.key != broad.key:
        return False
    n, b = narrow.operator, broad.operator
    nv, bv = set(narrow.values), set(broad.values)
    if b == "In":
        return n == "In" and nv <= bv
    if b == "Exists":
        return n in ("In", "Exists")
    if b == "NotIn":
        return (n == "In" and not nv & bv) or (n == "NotIn" and bv <= nv) or n == "DoesNotExist"
    return n == "DoesNotExist"


def selector_contains(broad: LabelSelector | None, narrow: LabelSelector | None) -> bool:
    """True if ``broad`` matches every label set ``narrow`` matches (None: ``{}``, everything):
    each requirement of ``broad`` follows from one of ``narrow``'s."""
    mine = _requirements(narrow)
    return all(any(_implies(n, b) for n in mine) for b in _requirements(broad))


def selectors_compatible(a: LabelSelector | None, b: LabelSelector | None) -> bool:
    """True if some label set satisfies both selectors (None: ``{}``)."""
    allowed: dict[str, set[str]] = {}
    excluded: dict[str, set[str]] = {}
    present: dict[str, set[bool]] = {}
    for req in _requirements(a) + _requirements(b):
        if req.operator == "In":
            allowed[req.key] = allowed.get(req.key, set(req.values)) & set(req.values)
            present.setdefault(req.key, set()).add(True)
        elif req.operator == "NotIn":
            excluded.setdefault(req.key, set()).update(req.values)
        else:
            present.setdefault(req.key, set()).add(req.operator == "Exists")
    if any(len(flags) > 1 for flags in present.values()):
        return False
    return all(values - excluded.get(key, set()) for key, values in allowed.items())


# -- peers and ports as sets ---------------------------------------------------------------------------


def name_covers(broad: str, narrow: str) -> bool:
    """``*.example.com`` covers ``a.example.com`` and ``*.a.example.com``; names cover themselves."""
    b, n = broad.lower().rstrip("."), narrow.lower().rstrip(".")
    if b == n:
        return True
    return b.startswith("*.") and n.endswith(b[1:])


def peer_contains(broad: ClusterPeer, narrow: ClusterPeer) -> bool:
    """True if ``broad`` selects everything ``narrow`` selects, shown on the peers as written."""
    if isinstance(broad, PodPeer) and isinstance(narrow, PodPeer):
        if broad.namespace_selector is None or narrow.namespace_selector is None:
            return broad == narrow
        return selector_contains(broad.namespace_selector, narrow.namespace_selector) and selector_contains(
            broad.pod_selector, narrow.pod_selector
        )
    if isinstance(broad, IPBlockPeer) and isinstance(narrow, IPBlockPeer):
        if broad.except_ or broad.cidr.version != narrow.cidr.version:
            return False
        return narrow.cidr.subnet_of(broad.cidr)  # type: ignore[arg-type]  # same version, checked above
    if isinstance(broad, NodesPeer) and isinstance(narrow, NodesPeer):
        return selector_contains(broad.selector, narrow.selector)
    if isinstance(broad, DomainNamesPeer) and isinstance(narrow, DomainNamesPeer):
        return all(any(name_covers(b, n) for b in broad.names) for n in narrow.names)
    return False


def every_address(peers: Iterable[ClusterPeer]) -> bool:
    """True if the ``networks`` among ``peers`` hold every IPv4 and every IPv6 address (so every
    pod, node and domain name, whatever its address)."""
    whole = {p.cidr.version for p in peers if isinstance(p, IPBlockPeer) and p.cidr.prefixlen == 0 and not p.except_}
    return whole == {4, 6}


def numbered_ports(ports: tuple[ClusterPort, ...] | None) -> ConnSet:
    """The numbered ports and ranges of a rule (every connection when it has no ports)."""
    return cluster_ports(ports, _NOWHERE)


def port_names(ports: tuple[ClusterPort, ...] | None) -> set[str]:
    return {p.port for p in ports or () if isinstance(p.port, str)}


def ports_contain(broad: tuple[ClusterPort, ...] | None, narrow: tuple[ClusterPort, ...] | None) -> bool:
    """True if ``broad`` matches every port ``narrow`` matches: no ports, or the same numbers
    (ranges within ranges) and the same port names."""
    if broad is None:
        return True
    if narrow is None:
        return False
    return not (numbered_ports(narrow) - numbered_ports(broad)) and port_names(narrow) <= port_names(broad)


def ports_meet(a: tuple[ClusterPort, ...] | None, b: tuple[ClusterPort, ...] | None) -> bool:
    """True if two rules' ports have a port in common on some destination, as written."""
    if a is None or b is None:
        return True
    return bool(port_names(a) & port_names(b)) or bool(numbered_ports(a) & numbered_ports(b))


def rule_contains(broad: ClusterRule, narrow: ClusterRule) -> bool:
    """True if ``broad`` matches every peer and port ``narrow`` matches."""
    if not ports_contain(broad.ports, narrow.ports):
        return False
    return every_address(broad.peers) or all(any(peer_contains(b, n) for b in broad.peers) for n in narrow.peers)
