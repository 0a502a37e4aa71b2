"""The reachability graph: every allowed connection, for all ports at once.

Nodes are pods (key ``namespace/name``) and external address ranges (key
``first-last[External]``); an edge source → destination carries ``conns``, the
:class:`~netsim.connset.ConnSet` that the source's egress and the destination's ingress both
allow. Pairs with nothing allowed have no edge.

Pods that are indistinguishable to every policy (same namespace, labels, declared ports and
ipBlock membership) form one equivalence class; :mod:`netsim.reach` computes the allowed
connections between classes as blocks (sets of sources x sets of destinations) with the same
rule as :func:`~netsim.engine.evaluate_pair`, and the tests check every pair against it, so the
graph can never disagree with ``check``. :func:`grouped_edges` projects the blocks onto pods,
workloads or namespaces without materialising the pairs behind an aggregated edge, and without
networkx (which only :func:`grouped_graph` and :func:`aggregate` import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.externals import ExternalRange
from netsim.model import Pod, Tier
from netsim.reach import Reachability, bits, compute_reachability, pod_classes

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Connection",
    "GroupBy",
    "Grouped",
    "NodeInfo",
    "Progress",
    "aggregate",
    "build_graph",
    "connections",
    "entry_rows",
    "grouped_edges",
    "grouped_graph",
    "pod_classes",
]

Progress = Callable[[int, int], None]

_NONE = ConnSet.none()
_TIER_ATTRS = tuple(t.value.lower() for t in Tier)  # edge attributes: what each tier accepts


class GroupBy(StrEnum):
    """How to aggregate the pod-level graph."""

    POD = "pod"
    WORKLOAD = "workload"
    NAMESPACE = "namespace"


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """What a graph node stands for."""

    key: str
    kind: str  # "pod", "workload", "namespace", "external", or "entry" (an ingress controller, a Gateway)
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


def grouped_graph(
    index: PolicyIndex, by: GroupBy, progress: Progress | None = None, *, attribute: bool = False
) -> nx.DiGraph:  # type: ignore[type-arg]
    """The reachability graph grouped by pod, workload or namespace, computed per pod class.

    Equal to ``aggregate(build_graph(index), by)`` without materialising every pod pair: an
    edge carries the union of its pod pairs' connection sets and ``pairs``, their number, and
    ``undetermined`` (when the input leaves some open) what may be allowed beyond ``conns``.
    With ``attribute``, an edge also carries ``admin`` / ``baseline``: the part of ``conns``
    that a rule of that cluster-scoped tier accepts for some pair (on one side or both).
    """
    import networkx as nx  # only the graph API needs networkx; listings do not

    grouped = grouped_edges(index, by, progress, attribute=attribute)
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    for key, info in grouped.nodes.items():
        pod = grouped.pods.get(key)
        if pod is None:
            graph.add_node(key, info=info)
        else:
            graph.add_node(key, info=info, pod=pod)
    graph.add_edges_from((s, d, {"conns": c, "pairs": n}) for (s, d), (c, n) in grouped.edges.items())
    keys, width = grouped.keys, len(grouped.keys)
    for e, maybe in grouped.undetermined.items():
        s, d = keys[e // width], keys[e % width]
        if not graph.has_edge(s, d):
            graph.add_edge(s, d, conns=_NONE, pairs=grouped.pairs[e])
        graph.edges[s, d]["undetermined"] = maybe
    for tier, found in grouped.accepted.items():
        for e, conns in found.items():
            graph.edges[keys[e // width], keys[e % width]][tier.value.lower()] = conns
    return graph


@dataclass(frozen=True, slots=True)
class Grouped:
    """The reachability graph as plain dictionaries (what listings need, without networkx).

    Edges are kept on integer keys (``source group * width + destination group``, groups
    numbered as in ``keys``): at 100,000 pods a workload view has millions of edges, and
    string-pair keys would double its memory. ``edges`` builds the string-keyed view on demand.
    """

    nodes: dict[str, NodeInfo]
    pods: dict[str, Pod]  # pod nodes' pods (grouping by pod)
    keys: list[str]  # group number -> node key
    conns: dict[int, ConnSet]  # edge number -> connections allowed for certain
    pairs: dict[int, int]  # edge number -> pod pairs behind the edge
    # edge number -> connections that depend on what the input does not give (may be allowed,
    # not for certain); an edge may have only these
    undetermined: dict[int, ConnSet] = field(default_factory=dict)
    # per cluster-scoped tier (when asked for): edge number -> the part of ``conns`` that a rule
    # of the tier accepts for some pair behind the edge
    accepted: dict[Tier, dict[int, ConnSet]] = field(default_factory=dict)

    @property
    def edges(self) -> dict[tuple[str, str], tuple[ConnSet, int]]:
        """(source key, destination key) -> (connections, pod pairs)."""
        keys, width, pairs = self.keys, len(self.keys), self.pairs
        out: dict[tuple[str, str], tuple[ConnSet, int]] = {}
        for e, conns in self.conns.items():
            s, d = divmod(e, width)
            out[(keys[s], keys[d])] = (conns, pairs[e])
        return out

    def iter_rows(self) -> Iterator[Connection]:
        """The edges as Connection rows, sorted byte-wise by source then destination label,
        one at a time (the order is computed on integers, the rows made as they are read)."""
        keys, width = self.keys, len(self.keys)
        infos = [self.nodes[k] for k in keys]
        order = sorted(range(width), key=lambda g: infos[g].label.encode())
        rank = [0] * width
        for r, g in enumerate(order):
            rank[g] = r
        conns, pairs, undetermined = self.conns, self.pairs, self.undetermined
        edges = conns.keys() | undetermined.keys() if undetermined else conns.keys()
        ranked = sorted(rank[e // width] * width + rank[e % width] for e in edges)
        for r in ranked:
            s, d = order[r // width], order[r % width]
            e = s * width + d
            yield Connection(infos[s], infos[d], conns.get(e, _NONE), pairs[e], undetermined.get(e, _NONE))


class _Projector:
    """Class bitset -> {group: pods of those classes in the group}, memoised.

    A large mask is projected from a recently projected one it differs from in few classes
    (counts are additive over disjoint masks), so the many near-identical masks of a cluster
    (every namespace admitting "all prod namespaces but ...") cost little each.
    """

    _RECENT = 8
    _CACHE = 200_000

    def __init__(self, members: list[list[tuple[int, int]]], memo: bool) -> None:
        self.members = members
        self.memo = memo
        self.cache: dict[int, dict[int, int]] = {}
        self.recent: list[tuple[int, dict[int, int]]] = []

    def _add(self, counts: dict[int, int], mask: int, sign: int) -> None:
        members = self.members
        for i in bits(mask):
            for g, k in members[i]:
                counts[g] = counts.get(g, 0) + sign * k

    def __call__(self, mask: int) -> dict[int, int]:
        if not self.memo:
            counts: dict[int, int] = {}
            self._add(counts, mask, 1)
            return counts
        hit = self.cache.get(mask)
        if hit is not None:
            return hit
        size = mask.bit_count()
        base: tuple[int, dict[int, int]] | None = None
        if size > 64:
            best = size // 4
            for entry in self.recent:
                diff = (mask ^ entry[0]).bit_count()
                if diff < best:
                    best, base = diff, entry
        if base is None:
            counts = {}
            self._add(counts, mask, 1)
        else:
            counts = dict(base[1])
            self._add(counts, mask & ~base[0], 1)
            self._add(counts, base[0] & ~mask, -1)
            counts = {g: k for g, k in counts.items() if k}
        if size > 64:
            self.recent.append((mask, counts))
            if len(self.recent) > self._RECENT:
                del self.recent[0]
        if len(self.cache) >= self._CACHE:
            self.cache.clear()
        self.cache[mask] = counts
        return counts


def grouped_edges(
    index: PolicyIndex, by: GroupBy, progress: Progress | None = None, *, attribute: bool = False
) -> Grouped:
    """The reachability graph grouped by pod, workload or namespace, as plain dictionaries.

    Computed from the class-level blocks of :func:`~netsim.reach.compute_reachability`: a
    block's sources and destinations are projected onto groups with pod counts, so the work
    follows the size of the grouped output, not the number of pod (or class) pairs behind it.
    ``attribute`` adds what the cluster-scoped tiers accept (``Grouped.accepted``).
    """
    scale = 1000

    def phase(offset: int) -> Progress | None:
        if progress is None:
            return None
        report = progress

        def update(done: int, total: int) -> None:
            report(offset + (scale * done) // max(total, 1), 2 * scale)

        return update

    reach = compute_reachability(index, phase(0), attribute=attribute)
    nodes: dict[str, NodeInfo] = {}
    pods: dict[str, Pod] = {}
    group_of: dict[str, int] = {}
    keys: list[str] = []
    # class -> [(group, pods of the class in that group)]
    members: list[list[tuple[int, int]]] = []
    # per group: its first member's node, members, and whether any member is open
    first: list[NodeInfo] = []
    sizes: list[int] = []
    opened: list[tuple[bool, bool]] = []
    for c in reach.classes:
        counts: dict[int, int] = {}
        open_in, open_out = reach.ingress_open[c.index], reach.egress_open[c.index]
        for pod in c.pods:
            key = pod.ref if by is GroupBy.POD else pod.namespace if by is GroupBy.NAMESPACE else pod.endpoint
            g = group_of.get(key)
            if g is None:
                g = group_of[key] = len(keys)
                keys.append(key)
                first.append(_group(_pod_info(pod, open_in, open_out), pod, by))
                sizes.append(0)
                opened.append((open_in, open_out))
                if by is GroupBy.POD:
                    pods[key] = pod
            else:
                was_in, was_out = opened[g]
                opened[g] = (was_in or open_in, was_out or open_out)
            sizes[g] += 1
            counts[g] = counts.get(g, 0) + 1
        members.append(sorted(counts.items()))
    for g, info in enumerate(first):
        open_in, open_out = opened[g]
        if sizes[g] > 1 or (open_in, open_out) != (info.ingress_open, info.egress_open):
            info = replace(info, ingress_open=open_in, egress_open=open_out, members=sizes[g])
        nodes[info.key] = info

    def range_group(rng: ExternalRange) -> int:
        g = group_of.get(rng.label)
        if g is None:
            g = group_of[rng.label] = len(keys)
            keys.append(rng.label)
            nodes[rng.label] = _range_info(rng)
        return g

    src_groups = [range_group(r) for r in reach.sources]
    dst_groups = [range_group(r) for r in reach.destinations]
    width = len(keys)

    # a pod paired with itself is no connection, except a workload's representative standing for
    # replicas (distinct pods): per class, the pods of each group that do not pair with themselves
    replicas = index.options.replica_traffic
    lone: list[list[tuple[int, int]]] = []
    for c, groups in zip(reach.classes, members, strict=True):
        if replicas and any(p.is_replicated for p in c.pods):
            counts = {}
            for pod in c.pods:
                if not pod.is_replicated:
                    key = pod.ref if by is GroupBy.POD else pod.namespace if by is GroupBy.NAMESPACE else pod.endpoint
                    counts[group_of[key]] = counts.get(group_of[key], 0) + 1
            lone.append(sorted(counts.items()))
        else:
            lone.append(groups)
    keep_self = by is GroupBy.NAMESPACE or replicas
    project = _Projector(members, memo=by is not GroupBy.POD)
    project_lone = _Projector(lone, memo=by is not GroupBy.POD)
    report = phase(scale)
    total = len(reach.blocks) + len(reach.to_ext) + len(reach.from_ext)
    conns_of, pairs_of = _project(reach, width, src_groups, dst_groups, project, project_lone, keep_self, report)
    if report is not None:
        report(total, total)
    undetermined: dict[int, ConnSet] = {}
    if reach.possible is not None:
        possible, possible_pairs = _project(
            reach.possible, width, src_groups, dst_groups, project, project_lone, keep_self, None
        )
        for edge, conns in possible.items():
            certain = conns_of.get(edge)
            extra = conns if certain is None else conns - certain
            if extra:
                undetermined[edge] = extra
        pairs_of = possible_pairs  # pod pairs with a connection, certain or not (a superset)
    accepted: dict[Tier, dict[int, ConnSet]] = {}
    for tier, found in reach.accepted.items():
        by_edge = _project(found, width, src_groups, dst_groups, project, project_lone, keep_self, None)[0]
        if by_edge:
            accepted[tier] = by_edge
    return Grouped(nodes, pods, keys, conns_of, pairs_of, undetermined, accepted)


def _project(
    reach: Reachability,
    width: int,
    src_groups: list[int],
    dst_groups: list[int],
    project: _Projector,
    project_lone: _Projector,
    keep_self: bool,
    report: Progress | None,
) -> tuple[dict[int, ConnSet], dict[int, int]]:
    """The blocks of one reachability projected onto group edges: connections and pod pairs."""
    # accumulate on integer edge keys, unions of the few distinct connection sets memoised
    conns_of: dict[int, ConnSet] = {}
    pairs_of: dict[int, int] = {}
    unions: dict[tuple[int, int], ConnSet] = {}

    def merge(prev: ConnSet, conns: ConnSet) -> ConnSet:
        key = (id(prev), id(conns))
        merged = unions.get(key)
        if merged is None:
            merged = unions[key] = prev | conns
        return merged

    def add(edge: int, conns: ConnSet, count: int) -> None:
        prev = conns_of.get(edge)
        if prev is None:
            conns_of[edge] = conns
            pairs_of[edge] = count
        else:
            pairs_of[edge] += count
            if prev is not conns:
                conns_of[edge] = merge(prev, conns)

    total = len(reach.blocks) + len(reach.to_ext) + len(reach.from_ext)
    lookup = conns_of.get
    for done, (src_mask, dst_mask, conns) in enumerate(reach.blocks, 1):
        into = project(dst_mask)
        own = project_lone(src_mask & dst_mask) if keep_self and src_mask & dst_mask else {}
        for gs, ns in project(src_mask).items():
            row = gs * width
            for gd, nd in into.items():
                count = ns * nd
                if gs == gd:
                    if not keep_self:
                        continue
                    count -= own.get(gs, 0)
                    if not count:
                        continue
                edge = row + gd  # add(), inlined: this loop runs once per output edge and more
                prev = lookup(edge)
                if prev is None:
                    conns_of[edge] = conns
                    pairs_of[edge] = count
                else:
                    pairs_of[edge] += count
                    if prev is not conns:
                        conns_of[edge] = merge(prev, conns)
        if report is not None and not done % 256:
            report(done, total)
    for src_mask, range_mask, conns in reach.to_ext:
        out = project(src_mask)
        for k in bits(range_mask):
            gd = dst_groups[k]
            for gs, ns in out.items():
                add(gs * width + gd, conns, ns)
    for range_mask, dst_mask, conns in reach.from_ext:
        into = project(dst_mask)
        for k in bits(range_mask):
            row = src_groups[k] * width
            for gd, nd in into.items():
                add(row + gd, conns, nd)
    return conns_of, pairs_of


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


def aggregate(graph: nx.DiGraph, by: GroupBy, *, replicas: bool = True) -> nx.DiGraph:  # type: ignore[type-arg]
    """Group nodes by pod, workload or namespace.

    An aggregate edge carries the union of its members' connection sets and ``pairs``, the
    number of pod-level edges behind it, and the union of their ``undetermined`` sets. Inside one
    namespace edges are kept as a self-loop; inside one workload too when ``replicas`` (traffic
    between a workload's replicas, ``Options.replica_traffic``), else they are dropped.
    """
    import networkx as nx  # see grouped_graph

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
        if gs == gd and by is not GroupBy.NAMESPACE and not replicas:
            continue
        if out.has_edge(gs, gd):
            edge = out.edges[gs, gd]
            edge["conns"] = edge["conns"] | data["conns"]
            edge["pairs"] += 1
        else:
            out.add_edge(gs, gd, conns=data["conns"], pairs=1)
        for tier in _TIER_ATTRS:
            if tier in data:
                edge = out.edges[gs, gd]
                edge[tier] = edge.get(tier, _NONE) | data[tier]
        if "undetermined" in data:
            edge = out.edges[gs, gd]
            edge["undetermined"] = edge.get("undetermined", _NONE) | data["undetermined"]
    for _, _, data in out.edges(data=True):  # what some pair allows for certain is decided
        if "undetermined" in data:
            data["undetermined"] = data["undetermined"] - data["conns"]
            if not data["undetermined"]:
                del data["undetermined"]
    return out


@dataclass(frozen=True, slots=True)
class Connection:
    """One edge of a (possibly aggregated) graph."""

    source: NodeInfo
    destination: NodeInfo
    conns: ConnSet  # allowed for certain (may be empty when only undetermined ones exist)
    pairs: int = 1
    undetermined: ConnSet = field(default_factory=ConnSet.none)  # may be allowed, depending on unknowns
    # the part of ``conns`` that a rule of the Admin / Baseline tier accepts for some pair behind
    # the edge (only in graphs built with ``attribute``)
    admin: ConnSet = field(default_factory=ConnSet.none)
    baseline: ConnSet = field(default_factory=ConnSet.none)


def connections(graph: nx.DiGraph) -> list[Connection]:  # type: ignore[type-arg]
    """The edges as Connection rows, sorted byte-wise by source label then destination label.

    Self-loops (a namespace to itself) are kept; the caller decides whether to show them.
    """
    rows = [
        Connection(
            graph.nodes[s]["info"],
            graph.nodes[d]["info"],
            data["conns"],
            data.get("pairs", 1),
            data.get("undetermined", _NONE),
            data.get("admin", _NONE),
            data.get("baseline", _NONE),
        )
        for s, d, data in graph.edges(data=True)
    ]
    rows.sort(key=lambda c: (c.source.label.encode(), c.destination.label.encode()))
    return rows


def entry_rows(
    index: PolicyIndex, grouped: Grouped, by: GroupBy, ingress_pods: tuple[Pod, ...] = ()
) -> list[Connection]:
    """What the entry points (ingress controllers, Gateways: :mod:`netsim.entrypoints`) may open,
    as rows from ``{ingress-controller}`` / ``{gateway ns/name}`` to the nodes of ``grouped``, sorted
    byte-wise like :meth:`Grouped.iter_rows` (``{`` sorts after every name and address)."""
    from netsim.entrypoints import entries  # only when the input has Ingresses, Routes or Gateways

    if not (index.cluster.ingresses or index.cluster.routes):
        return []
    merged: dict[tuple[str, str], tuple[ConnSet, ConnSet, int]] = {}
    for entry in entries(index, ingress_pods):
        pod = entry.backend
        key = pod.ref if by is GroupBy.POD else pod.namespace if by is GroupBy.NAMESPACE else pod.endpoint
        conns, maybe, count = merged.get((entry.point.label, key), (_NONE, _NONE, 0))
        merged[(entry.point.label, key)] = (conns | entry.conns, maybe | entry.undetermined, count + 1)
    rows = []
    for (label, key), (conns, maybe, count) in merged.items():
        maybe = maybe - conns
        if not (conns or maybe) or key not in grouped.nodes:
            continue
        source = NodeInfo(label, "entry", None, label, label, "EntryPoint")
        rows.append(Connection(source, grouped.nodes[key], conns, count, maybe))
    rows.sort(key=lambda c: (c.source.label.encode(), c.destination.label.encode()))
    return rows
