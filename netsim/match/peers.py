"""Peer matching (``from``/``to`` items), as the SIG-Network reference implementation does it.

* podSelector only: pods matching it in the policy's own namespace;
* namespaceSelector only: every pod of the matching namespaces;
* both in one item: matching pods within matching namespaces (AND);
* ipBlock: addresses in cidr minus except. Whether it also selects pod IPs is a plugin choice
  (``Options.ipblock_matches_pods``; the upstream e2e suite expects it to).

hostNetwork pods never match selector peers; their address is their node's.

Where the input does not decide a match, :func:`peer_state` says so (None) and
:func:`peer_unknown` names what it depends on: a pod or workload template without an address
against an ipBlock (``Options.pod_cidrs`` narrows where it may be), or a namespace without a
manifest (only its name label is known) against a namespaceSelector. ``Options.closed_world``
decides both as absent, as if the input were complete.
"""

from __future__ import annotations

from typing import assert_never

from netsim.match.ipblock import AddressSet, address_state, ip_in_block
from netsim.match.selectors import explain_selector_miss, matches_selector, selector_state
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    Endpoint,
    External,
    IPBlockPeer,
    LabelSelector,
    Namespace,
    Options,
    Peer,
    Pod,
    PodPeer,
    Unknown,
    UnknownKind,
)

__all__ = [
    "addresses_state",
    "describe_peer",
    "explain_peer_miss",
    "matches_any_peer",
    "matches_peer",
    "namespace_state",
    "peer_state",
    "undescribed_state",
    "unknown_address",
    "unknown_namespace",
    "unknown_undescribed",
]


def _blocks_apply(pod: Pod, options: Options) -> bool:
    return options.is_node_traffic(pod) or options.ipblock_matches_pods


def _block_matches_pod(peer: IPBlockPeer, pod: Pod, options: Options) -> bool:
    if not _blocks_apply(pod, options):
        return False
    return any(ip_in_block(ip, peer) for ip in pod.addresses)


def addresses_state(addresses: AddressSet, pod: Pod, options: Options) -> bool | None:
    """Does ``addresses`` (a rule's ipBlocks) select ``pod``? None when the pod has no address
    and the answer depends on the one it will get."""
    if not addresses or not _blocks_apply(pod, options):
        return False
    own = pod.addresses
    if own or options.closed_world:
        return any(ip in addresses for ip in own)
    # a hostNetwork pod's address is its node's, outside the pod network
    return address_state(addresses, () if pod.host_network else options.pod_cidrs)


def namespace_state(selector: LabelSelector, namespace: Namespace, options: Options) -> bool | None:
    """Does ``selector`` select ``namespace``? None when it has no manifest and the selector
    needs a label other than its name."""
    if namespace.declared or options.closed_world:
        return matches_selector(selector, namespace.labels)
    return selector_state(selector, namespace.labels, NAMESPACE_NAME_LABEL)


def peer_state(peer: Peer, policy_ns: str, other: Endpoint, cluster: Cluster, options: Options) -> bool | None:
    """Three-valued :func:`matches_peer`: None when the input does not decide it."""
    match peer:
        case IPBlockPeer():
            if isinstance(other, External):
                return ip_in_block(other.ip, peer)
            return addresses_state(AddressSet((peer,)), other, options)
        case PodPeer():
            return _selector_peer_state(peer, policy_ns, other, cluster, options)
        case _:
            assert_never(peer)


def _selector_peer_state(
    peer: PodPeer, policy_ns: str, other: Endpoint, cluster: Cluster, options: Options
) -> bool | None:
    if isinstance(other, External) or options.is_node_traffic(other):
        return False
    if other.undescribed and not options.closed_world:
        return undescribed_state(peer)
    if peer.pod_selector is not None and not matches_selector(peer.pod_selector, other.labels):
        return False
    if peer.namespace_selector is None:
        return other.namespace == policy_ns
    # a namespace without a manifest may carry any label but its name (NotIn, DoesNotExist too)
    return namespace_state(peer.namespace_selector, cluster.namespace(other.namespace), options)


def undescribed_state(peer: PodPeer) -> bool | None:
    """Does a selector peer select a pod the input does not describe? Its namespace is not the
    policy's (no policy of the input is in it), and whether any selector but the empty one selects
    its labels and its namespace's is unknown."""
    if peer.namespace_selector is None:
        return False
    everyone = (peer.pod_selector is None or peer.pod_selector.is_empty()) and peer.namespace_selector.is_empty()
    return True if everyone else None


def unknown_undescribed(pod: Pod, peer: PodPeer) -> Unknown:
    """The unknown behind an undecided match of a pod the input does not describe."""
    return Unknown(
        UnknownKind.UNDESCRIBED_POD,
        pod.kind,
        f"{pod.kind}'s pods are {describe_peer(peer, '')} (the input does not describe them: --ingress-pod names them)",
    )


def unknown_address(pod: Pod, blocks: tuple[IPBlockPeer, ...], options: Options) -> Unknown:
    """The unknown behind an undecided ipBlock match: the address ``pod`` will have."""
    where = " or ".join(str(b).removeprefix("ipBlock ") for b in blocks)
    if pod.host_network:
        known = "no address in the input for its node"
    elif options.pod_cidrs:
        known = f"no IP in the input; the pod network is {', '.join(map(str, options.pod_cidrs))}"
    else:
        known = "no IP in the input; --pod-cidr gives the pod network"
    return Unknown(UnknownKind.ADDRESS, pod.ref, f"{pod.ref}'s IP is in {where} ({known})", pod.span)


def unknown_namespace(namespace: Namespace, selector: LabelSelector) -> Unknown:
    """The unknown behind an undecided namespaceSelector match: the labels of a namespace that has
    no manifest."""
    return Unknown(
        UnknownKind.NAMESPACE_LABELS,
        f"namespace {namespace.name}",
        f"namespace {namespace.name} has labels matching {selector} (it has no manifest: only its name label is known)",
    )


def matches_peer(peer: Peer, policy_ns: str, other: Endpoint, cluster: Cluster, options: Options) -> bool:
    """True if ``other`` (the remote end of the connection) is selected by ``peer``."""
    match peer:
        case IPBlockPeer():
            if isinstance(other, External):
                return ip_in_block(other.ip, peer)
            return _block_matches_pod(peer, other, options)
        case PodPeer():
            return _selector_peer_state(peer, policy_ns, other, cluster, options) is True  # for certain
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
    blocks_apply = addresses and _blocks_apply(other, options)
    if blocks_apply and any(ip in addresses for ip in other.addresses):
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
            if not other.addresses:
                return f"{other.ref} has no IP address to match {peer}"
            ips = ", ".join(map(str, other.addresses))
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
