"""Peer matching (``from``/``to`` items), as the SIG-Network reference implementation does it.

* podSelector only: pods matching it in the policy's own namespace;
* namespaceSelector only: every pod of the matching namespaces;
* both in one item: matching pods within matching namespaces (AND);
* ipBlock: addresses in cidr minus except. Whether it also selects pod IPs is a plugin choice
  (``Options.ipblock_matches_pods``; the upstream e2e suite expects it to).

hostNetwork pods never match selector peers; their address is their node's (reference §1.6).
"""

from __future__ import annotations

from typing import assert_never

from netsim.match.ipblock import AddressSet, ip_in_block
from netsim.match.selectors import explain_selector_miss, matches_selector
from netsim.model import Cluster, Endpoint, External, IPBlockPeer, Options, Peer, Pod, PodPeer

__all__ = ["describe_peer", "explain_peer_miss", "matches_any_peer", "matches_peer"]


def _block_matches_pod(peer: IPBlockPeer, pod: Pod, options: Options) -> bool:
    if not (options.is_node_traffic(pod) or options.ipblock_matches_pods):
        return False
    return any(ip_in_block(ip, peer) for ip in pod.ips)


def matches_peer(peer: Peer, policy_ns: str, other: Endpoint, cluster: Cluster, options: Options) -> bool:
    """True if ``other`` (the remote end of the connection) is selected by ``peer``."""
    match peer:
        case IPBlockPeer():
            if isinstance(other, External):
                return ip_in_block(other.ip, peer)
            return _block_matches_pod(peer, other, options)
        case PodPeer():
            if isinstance(other, External) or options.is_node_traffic(other):
                return False
            if peer.pod_selector is not None and not matches_selector(peer.pod_selector, other.labels):
                return False
            if peer.namespace_selector is None:
                return other.namespace == policy_ns
            return matches_selector(peer.namespace_selector, cluster.namespace_labels(other.namespace))
        case _:
            assert_never(peer)


def matches_any_peer(
    pod_peers: tuple[PodPeer, ...],
    addresses: AddressSet,
    policy_ns: str,
    other: Endpoint,
    cluster: Cluster,
    options: Options,
) -> bool:
    """True if any of a rule's peers selects ``other``: its selector peers, or the union of its
    ipBlocks (same answer as :func:`matches_peer` over every peer, without building each)."""
    if isinstance(other, External):
        return other.ip in addresses
    blocks_apply = addresses and (options.is_node_traffic(other) or options.ipblock_matches_pods)
    if blocks_apply and any(ip in addresses for ip in other.ips):
        return True
    return any(matches_peer(peer, policy_ns, other, cluster, options) for peer in pod_peers)


def describe_peer(peer: Peer, policy_ns: str) -> str:
    """The peer in words: ``pods {app=web} in namespace prod``."""
    match peer:
        case IPBlockPeer():
            return str(peer)
        case PodPeer():
            pods = (
                "all pods" if peer.pod_selector is None or peer.pod_selector.is_empty() else f"pods {peer.pod_selector}"
            )
            if peer.namespace_selector is None:
                where = f"in namespace {policy_ns}"
            elif peer.namespace_selector.is_empty():
                where = "in all namespaces"
            else:
                where = f"in namespaces {peer.namespace_selector}"
            return f"{pods} {where}"
        case _:
            assert_never(peer)


def explain_peer_miss(peer: Peer, policy_ns: str, other: Endpoint, cluster: Cluster, options: Options) -> str:
    """Why ``peer`` does not select ``other`` (call only when :func:`matches_peer` is False)."""
    match peer:
        case IPBlockPeer():
            if isinstance(other, External):
                ip = other.ip
                if ip.version != peer.cidr.version:
                    return f"{ip} is IPv{ip.version}, {peer} is IPv{peer.cidr.version}"
                if ip not in peer.cidr:
                    return f"{ip} is not in {peer.cidr}"
                exc = next(e for e in peer.except_ if ip in e)
                return f"{ip} is in {peer.cidr} but excepted by {exc}"
            if not (options.is_node_traffic(other) or options.ipblock_matches_pods):
                return f"{peer} does not select pods (--no-ipblock-pods)"
            if not other.ips:
                return f"{other.ref} has no IP address to match {peer}"
            ips = ", ".join(map(str, other.ips))
            return f"{other.ref} ({ips}) is not in {peer}"
        case PodPeer():
            if isinstance(other, External):
                return f"{other.ip} is not a pod; a selector only selects pods"
            if options.is_node_traffic(other):
                return f"{other.ref} is a hostNetwork pod; selectors do not select those"
            if peer.pod_selector is not None and not matches_selector(peer.pod_selector, other.labels):
                why = explain_selector_miss(peer.pod_selector, other.labels)
                return f"pod {other.ref} not matched by podSelector {peer.pod_selector}: {why}"
            if peer.namespace_selector is None:
                return f"pod {other.ref} is not in the policy's namespace {policy_ns} (podSelector alone)"
            labels = cluster.namespace_labels(other.namespace)
            why = explain_selector_miss(peer.namespace_selector, labels)
            return f"namespace {other.namespace} not matched by namespaceSelector {peer.namespace_selector}: {why}"
        case _:
            assert_never(peer)
