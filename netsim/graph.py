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

from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import networkx as nx

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.externals import ExternalRange
from netsim.model import Pod
from netsim.reach import compute_reachability, pod_classes

__all__ = [
    "Connection",
    "GroupBy",
    "NodeInfo",
    "Progress",
    "aggregate",
    "build_graph",
    "connections",
    "grouped_graph",
    "pod_classes",
]

Progress = Callable[[int, int], None]


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


def _pod_info(pod: Pod, ingress_open: bool, egress_open: bool) -> NodeInfo:
    return NodeInfo(
        key=pod.ref,
        kind="pod",
        namespace=pod.namespace,
        label=f"{pod.namespace}/{pod.name}[{pod.kind}]",
        name=pod.name,
        endpoint_kind=pod.kind,
        ingress_open=ingress_open,
        egress_open=egress_open,
    )


def _range_info(rng: ExternalRange) -> NodeInfo:
    return NodeInfo(rng.label, "external", None, rng.label, str(rng), "External", range=rng)


def build_graph(index: PolicyIndex, progress: Progress | None = None) -> nx.DiGraph:  # type: ignore[type-arg]
    """Every allowed connection between pods and external ranges, as a networkx DiGraph.

    Node attribute ``info`` is a :class:`NodeInfo` (and ``pod`` the Pod for pod nodes); edge
    attribute ``conns`` a ConnSet. ``progress(done, total)`` reports evaluation progress.
    """
    return grouped_graph(index, GroupBy.POD, progress)


def grouped_graph(index: PolicyIndex, by: GroupBy, progress: Progress | None = None) -> nx.DiGraph:  # type: ignore[type-arg]
    """The reachability graph grouped by pod, workload or namespace, computed per pod class.

    Equal to ``aggregate(build_graph(index), by)`` without materialising every pod pair: an
    edge carries the union of its pod pairs' connection sets and ``pairs``, their number.
    """
    reach = compute_reachability(index, progress)
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    # class -> [(group key, pods of the class in that group)]
    members: list[list[tuple[str, int]]] = []
    for c in reach.classes:
        counts: dict[str, int] = {}
        for pod in c.pods:
            info = _pod_info(pod, reach.ingress_open[c.index], reach.egress_open[c.index])
            group = _group(info, pod, by)
            counts[group.key] = counts.get(group.key, 0) + 1
            if group.key in graph:
                graph.nodes[group.key]["info"] = _absorb(graph.nodes[group.key]["info"], group)
            elif by is GroupBy.POD:
                graph.add_node(group.key, info=group, pod=pod)
            else:
                graph.add_node(group.key, info=group)
        members.append(sorted(counts.items()))
    for rng in (*reach.sources, *reach.destinations):
        if rng.label not in graph:
            graph.add_node(rng.label, info=_range_info(rng))

    # accumulate in plain dicts (a networkx edge lookup per pod pair is slow), unions memoised
    conns_of: dict[tuple[str, str], ConnSet] = {}
    pairs_of: dict[tuple[str, str], int] = {}
    unions: dict[tuple[int, int], ConnSet] = {}

    def add(edge: tuple[str, str], conns: ConnSet, count: int) -> None:
        prev = conns_of.get(edge)
        if prev is None:
            conns_of[edge] = conns
            pairs_of[edge] = count
            return
        if prev is not conns:
            key = (id(prev), id(conns))
            merged = unions.get(key)
            if merged is None:
                merged = unions[key] = prev | conns
            conns_of[edge] = merged
        pairs_of[edge] += count

    keep_self = by is GroupBy.NAMESPACE
    for (s, d), conns in reach.pairs.items():
        dst_members = members[d]
        for gs, ns in members[s]:
            for gd, nd in dst_members:
                if gs == gd and not keep_self:
                    continue
                count = ns * nd - (ns if s == d and gs == gd else 0)
                if count:
                    add((gs, gd), conns, count)
    for (s, k), conns in reach.to_external.items():
        label = reach.destinations[k].label
        for gs, ns in members[s]:
            add((gs, label), conns, ns)
    for (k, d), conns in reach.from_external.items():
        label = reach.sources[k].label
        for gd, nd in members[d]:
            add((label, gd), conns, nd)
    graph.add_edges_from((src, dst, {"conns": c, "pairs": pairs_of[(src, dst)]}) for (src, dst), c in conns_of.items())
    return graph


def _absorb(group: NodeInfo, member: NodeInfo) -> NodeInfo:
    """A group node with one more member: open if any member is open."""
    return replace(
        group,
        ingress_open=group.ingress_open or member.ingress_open,
        egress_open=group.egress_open or member.egress_open,
        members=group.members + 1,
    )


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
            out.nodes[group.key]["info"] = _absorb(out.nodes[group.key]["info"], group)
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
