"""Peer and port matching for cluster-scoped policies (ClusterNetworkPolicy, AdminNetworkPolicy,
BaselineAdminNetworkPolicy), three-valued like :mod:`netsim.match.peers`.

* ``namespaces`` / ``pods`` select pods by their namespace's labels and their own, never a
  hostNetwork pod and never an address outside the pods;
* ``networks`` match any address in the CIDR, **pod IPs included** (unlike a NetworkPolicy
  ipBlock, for which that is a plugin choice), a hostNetwork pod by its node's address;
* ``nodes`` match the addresses (``status.addresses``) of the Nodes the selector selects; an
  address that is no listed Node's may be an unlisted Node's (undecided, unless the world is closed);
* ``domainNames`` match the addresses DNS returns for the names, which netsim cannot know: an
  external address is undecided; a pod only for a name in the cluster's DNS domain.
"""

from __future__ import annotations

from typing import assert_never

from netsim.connset import ConnSet
from netsim.match.ipblock import AddressSet, address_state, ip_in_block
from netsim.match.peers import peer_state
from netsim.match.selectors import matches_selector
from netsim.model import (
    Cluster,
    ClusterPeer,
    ClusterPort,
    DomainNamesPeer,
    Endpoint,
    External,
    IPBlockPeer,
    NodesPeer,
    Options,
    Pod,
    PodPeer,
    Unknown,
    UnknownKind,
)

__all__ = ["cluster_peer_state", "cluster_peer_unknown", "cluster_ports", "networks_cover"]

#: Names in the cluster's own DNS domain may resolve to pod addresses (a headless Service).
_CLUSTER_DOMAINS = (".cluster.local", ".cluster.local.", ".svc", ".svc.")


def _node_addresses(peer: NodesPeer, cluster: Cluster) -> set[object]:
    return {ip for node in cluster.nodes if matches_selector(peer.selector, node.labels) for ip in node.addresses}


def cluster_peer_state(peer: ClusterPeer, other: Endpoint, cluster: Cluster, options: Options) -> bool | None:
    """Does ``peer`` select ``other``? None when the input does not decide it."""
    match peer:
        case PodPeer():
            return peer_state(peer, "", other, cluster, options)
        case IPBlockPeer():
            if isinstance(other, External):
                return ip_in_block(other.ip, peer)
            own = other.addresses
            if own or options.closed_world:
                return any(ip_in_block(ip, peer) for ip in own)
            return address_state(AddressSet((peer,)), () if other.host_network else options.pod_cidrs)
        case NodesPeer():
            own = (other.ip,) if isinstance(other, External) else other.node_addresses if other.host_network else ()
            if isinstance(other, Pod) and not other.host_network:
                return False  # a pod's own address is not a node's
            selected = _node_addresses(peer, cluster)
            if any(ip in selected for ip in own):
                return True
            if options.closed_world:
                return False
            listed = {ip for node in cluster.nodes for ip in node.addresses}
            # an address of a listed Node that the selector does not select is decided
            return False if own and all(ip in listed for ip in own) else None
        case DomainNamesPeer():
            if options.closed_world:
                return False
            if isinstance(other, External):
                return None
            return None if any(n.endswith(_CLUSTER_DOMAINS) for n in peer.names) else False
        case _:
            assert_never(peer)


def cluster_peer_unknown(peer: ClusterPeer, other: Endpoint, options: Options) -> Unknown:
    """What an undecided :func:`cluster_peer_state` depends on."""
    ref = other.ref
    match peer:
        case PodPeer():
            selector = peer.namespace_selector
            ns = other.namespace if isinstance(other, Pod) else "?"
            return Unknown(
                UnknownKind.NAMESPACE_LABELS,
                f"namespace {ns}",
                f"namespace {ns} has labels matching {selector} (it has no manifest: only its name label is known)",
            )
        case IPBlockPeer():
            where = (
                f"the pod network is {', '.join(map(str, options.pod_cidrs))}"
                if options.pod_cidrs
                else "--pod-cidr gives the pod network"
            )
            return Unknown(UnknownKind.ADDRESS, ref, f"{ref}'s IP is in {peer.cidr} (no IP in the input; {where})")
        case NodesPeer():
            return Unknown(
                UnknownKind.NODE,
                ref,
                f"{ref} is the address of a Node matching {peer.selector} (the input lists no Node with it)",
            )
        case DomainNamesPeer():
            return Unknown(
                UnknownKind.DOMAIN_NAME, ref, f"{ref} is an address of {', '.join(peer.names)} (DNS decides)"
            )
        case _:
            assert_never(peer)


def cluster_ports(ports: tuple[ClusterPort, ...] | None, dst: Endpoint) -> ConnSet:
    """The connections a rule's ``ports``/``protocols`` cover towards ``dst``: every connection
    when it has none; a named port is the destination pod's container port of that name, with
    its own protocol (nothing when the destination is not a pod or has no such port)."""
    if ports is None:
        return ConnSet.all()
    out = ConnSet.none()
    for spec in ports:
        if isinstance(spec.port, str):
            if isinstance(dst, Pod):
                for cp in dst.ports:
                    if cp.name == spec.port:
                        out |= ConnSet.of(cp.protocol, cp.port)
        elif spec.protocol is not None:
            out |= ConnSet.of(spec.protocol, spec.port, spec.end_port)
    return out


def networks_cover(peers: tuple[ClusterPeer, ...], remote: Endpoint, options: Options) -> bool:
    """True if ``remote`` is a pod without an address and the ``networks`` among ``peers`` hold
    every address it may get (each alone may not: ``0.0.0.0/0`` and ``::/0`` together)."""
    if not isinstance(remote, Pod) or remote.addresses or options.closed_world:
        return False
    blocks = [p for p in peers if isinstance(p, IPBlockPeer)]
    if len(blocks) < 2:
        return False
    return address_state(AddressSet(blocks), () if remote.host_network else options.pod_cidrs) is True
