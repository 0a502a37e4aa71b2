"""The reachability graph: every allowed connection, for all ports at once.

Nodes are pods (key ``namespace/name``) and external address ranges (key
``first-last[External]``); an edge source → destination carries ``conns``, the
:class:`~netsim.connset.ConnSet` that the source's egress and the destination's ingress both
allow. Pairs with nothing allowed have no edge.

Pods that are indistinguishable to every policy (same namespace, labels, declared ports and
ipBlock membership) form one equivalence class; :func:`build_graph` evaluates one representative
pair per pair of classes through :func:`~netsim.engine.evaluate_pair` and expands the result, so
the graph is a projection of the engine and can never disagree with ``check``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

import networkx as nx

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.externals import ExternalRange, external_ranges
from netsim.match.ipblock import ip_in_block
from netsim.model import Direction, Endpoint, External, IPAddress, IPBlockPeer, Pod

__all__ = ["Connection", "GroupBy", "NodeInfo", "Progress", "aggregate", "build_graph", "connections", "pod_classes"]

Progress = Callable[[int], None]


class GroupBy(StrEnum):
    """How to aggregate the pod-level graph."""

    POD = "pod"
    WORKLOAD = "workload"
    NAMESPACE = "namespace"


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a graph node stands for."""

    key: str
    kind: str  # "pod", "workload", "namespace" or "external"
    namespace: str | None  # None for external ranges
    label: str  # the text shown in listings: ns/name[Kind], a namespace, first-last[External]
    name: str  # pod or workload name, namespace name, or the range "first-last"
    endpoint_kind: str  # Pod, a workload kind (Deployment, ...), Namespace or External
    ingress_open: bool = False  # some pod of it is not isolated for ingress
    egress_open: bool = False  # some pod of it is not isolated for egress
    members: int = 1  # pods (or pod pairs' endpoints) aggregated into this node
    range: ExternalRange | None = None


def _blocks(index: PolicyIndex) -> tuple[IPBlockPeer, ...]:
    out: list[IPBlockPeer] = []
    for pol in index.cluster.policies:
        for direction in Direction:
            for rule in pol.rules(direction):
                out.extend(p for p in rule.peers if isinstance(p, IPBlockPeer))
    return tuple(dict.fromkeys(out))


def pod_classes(index: PolicyIndex) -> list[list[Pod]]:
    """Group pods that every policy treats alike (same answer for every pair and port)."""
    blocks = _blocks(index)
    has_host_network = any(p.host_network for p in index.cluster.pods)
    groups: dict[Hashable, list[Pod]] = {}
    for pod in index.cluster.pods:
        block_sig = tuple(any(ip_in_block(ip, b) for ip in pod.ips) for b in blocks) if blocks else ()
        node_sig = (pod.node_name, pod.host_ip, pod.ips) if has_host_network else ()
        key = (pod.namespace, pod.labels, pod.ports, pod.host_network, block_sig, node_sig)
        groups.setdefault(key, []).append(pod)
    return list(groups.values())


def _pod_info(pod: Pod, index: PolicyIndex) -> NodeInfo:
    return NodeInfo(
        key=pod.ref,
        kind="pod",
        namespace=pod.namespace,
        label=f"{pod.namespace}/{pod.name}[{pod.kind}]",
        name=pod.name,
        endpoint_kind=pod.kind,
        ingress_open=not index.isolating(pod, Direction.INGRESS),
        egress_open=not index.isolating(pod, Direction.EGRESS),
    )


def build_graph(index: PolicyIndex, progress: Progress | None = None) -> nx.DiGraph:  # type: ignore[type-arg]
    """Every allowed connection between pods and external ranges, as a networkx DiGraph.

    Node attribute ``info`` is a :class:`NodeInfo`; edge attribute ``conns`` a ConnSet.
    ``progress`` is called with the number of source classes done (for a progress bar).
    """
    cluster = index.cluster
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    for pod in cluster.pods:
        graph.add_node(pod.ref, info=_pod_info(pod, index), pod=pod)
    avoid: frozenset[IPAddress] = frozenset(
        ip for p in cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ()))
    )
    sources = external_ranges(cluster, Direction.INGRESS)
    destinations = external_ranges(cluster, Direction.EGRESS)
    for rng in (*sources, *destinations):
        if rng.label not in graph:
            graph.add_node(
                rng.label, info=NodeInfo(rng.label, "external", None, rng.label, str(rng), "External", range=rng)
            )

    classes = pod_classes(index)
    for done, src_class in enumerate(classes):
        src = src_class[0]
        for dst_class in classes:
            dst = dst_class[0]
            if dst is src:
                if len(src_class) < 2:
                    continue
                dst = src_class[1]
            conns = evaluate_pair(index, src, dst).conns
            if conns:
                _add_edges(graph, src_class, dst_class, conns)
        for rng in destinations:
            conns = evaluate_pair(index, src, External(rng.representative(avoid))).conns
            if conns:
                for pod in src_class:
                    graph.add_edge(pod.ref, rng.label, conns=conns)
        if progress is not None:
            progress(done + 1)
    for rng in sources:
        ext: Endpoint = External(rng.representative(avoid))
        for dst_class in classes:
            conns = evaluate_pair(index, ext, dst_class[0]).conns
            if conns:
                for pod in dst_class:
                    graph.add_edge(rng.label, pod.ref, conns=conns)
    return graph


def _add_edges(graph: nx.DiGraph, srcs: Iterable[Pod], dsts: list[Pod], conns: ConnSet) -> None:  # type: ignore[type-arg]
    for s in srcs:
        for d in dsts:
            if s is not d:
                graph.add_edge(s.ref, d.ref, conns=conns)


def _group(info: NodeInfo, pod: Pod | None, by: GroupBy) -> NodeInfo:
    """The aggregate node a pod-level node belongs to (before members are counted)."""
    if info.kind == "external" or by is GroupBy.POD or pod is None:
        return info
    if by is GroupBy.NAMESPACE:
        ns = pod.namespace
        return NodeInfo(ns, "namespace", ns, ns, ns, "Namespace", info.ingress_open, info.egress_open)
    name = pod.workload_name
    return NodeInfo(
        pod.endpoint,
        "workload",
        pod.namespace,
        pod.endpoint,
        name,
        pod.workload_kind,
        info.ingress_open,
        info.egress_open,
    )


def aggregate(graph: nx.DiGraph, by: GroupBy) -> nx.DiGraph:  # type: ignore[type-arg]
    """Group nodes by pod, workload or namespace.

    An aggregate edge carries the union of its members' connection sets and ``pairs``, the
    number of pod-level edges behind it. Edges inside one workload are dropped (a workload to
    itself is not listed); inside one namespace they are kept as a self-loop.
    """
    out: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    owner: dict[str, str] = {}
    for key, data in graph.nodes(data=True):
        info: NodeInfo = data["info"]
        group = _group(info, data.get("pod"), by)
        owner[key] = group.key
        if group.key in out:
            prev: NodeInfo = out.nodes[group.key]["info"]
            out.nodes[group.key]["info"] = replace(
                prev,
                ingress_open=prev.ingress_open or info.ingress_open,
                egress_open=prev.egress_open or info.egress_open,
                members=prev.members + 1,
            )
        else:
            out.add_node(group.key, info=group)
    for s, d, data in graph.edges(data=True):
        gs, gd = owner[s], owner[d]
        if gs == gd and by is not GroupBy.NAMESPACE:
            continue
        if out.has_edge(gs, gd):
            edge = out.edges[gs, gd]
            edge["conns"] = edge["conns"] | data["conns"]
            edge["pairs"] += 1
        else:
            out.add_edge(gs, gd, conns=data["conns"], pairs=1)
    return out


@dataclass(frozen=True, slots=True)
class Connection:
    """One edge of a (possibly aggregated) graph."""

    source: NodeInfo
    destination: NodeInfo
    conns: ConnSet
    pairs: int = 1


def connections(graph: nx.DiGraph) -> list[Connection]:  # type: ignore[type-arg]
    """The edges as Connection rows, sorted byte-wise by source label then destination label.

    Self-loops (a namespace to itself) are kept; the caller decides whether to show them.
    """
    rows = [
        Connection(graph.nodes[s]["info"], graph.nodes[d]["info"], data["conns"], data.get("pairs", 1))
        for s, d, data in graph.edges(data=True)
    ]
    rows.sort(key=lambda c: (c.source.label.encode(), c.destination.label.encode()))
    return rows
