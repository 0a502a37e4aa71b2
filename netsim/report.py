"""The data of ``netsim report``: the reachability graph at two levels, laid out, with the
evidence behind each edge and the lint findings on the nodes they concern.

* **Overview**: namespaces (sized by pod count) and external address ranges, one edge per ordered
  pair with the union of the connections of every pod pair behind it.
* **Per namespace**: its workloads, and every other namespace (and the external addresses) as one
  node each: the edges of its workloads aggregated to those, so a view stays as small as the
  namespace, whatever the size of the cluster.
* **Per workload whose pods differ** (policies do not treat them all alike): its pods in groups
  (one node per group, the pods that policies treat alike), and the ends they connect to
  aggregated as in the namespace views (the namespace's other workloads, the other namespaces,
  the external addresses). Computed from the pod-level graph, within limits (:data:`POD_PAIRS_MAX`,
  :data:`POD_VIEW_EDGES_MAX`); a diff report has none.

Each edge carries its connections (certain and undetermined), how many pod pairs it stands for,
and a representative pair with a port; the explanation of that pair on that port is the text
``netsim check`` prints, computed into the report for the overview's edges first and then the
workload edges, up to :data:`EXPLAINED_MAX` (the rest carry the pair and port, for ``netsim
check``).

The data is plain JSON, compact (5 MB at 10,000 pods): repeated texts (connection sets) are
indexes into ``strings``; the layout is computed here (:func:`layout`), so the page only draws.
:mod:`netsim.render.html` embeds the data in one self-contained page. The format:

``strings``: texts; ``overview.nodes[i]`` and ``workloads.nodes[i]``: ``{"id", "rep" (a pod or an
address that stands for it), "kind" ("namespace" | "workload" | "external"), "label", "ns",
"pods", "openIn", "openOut", "workloadKind"?, "internal"?: [ports, maybe], "removed"?,
"ranges"? (the ranges an ``external`` node stands for, above :data:`MAX_RANGES`)}``
(overview nodes also ``"x", "y", "r"``); ``overview.edges[i]``: ``[source, target, ports, maybe,
pairs, why]`` (node indexes, string indexes, a count, an index into ``why`` or -1);
``overview.behind[3 * i : 3 * i + 3]``: ``source workload, destination workload, ports``, the
workload node indexes of the first workload edge behind overview edge ``i`` (-1 for an end that
is no workload) and its connections (a string index), flat;
``namespaces[ns]``: ``{"pods", "nodes": [[ref, x, y, r, outside 0|1], ...], "edges": [[source,
target, ports, maybe, pairs, why], ...]}`` where ``ref`` is a workload node's index, or ``-1 - i``
for overview node ``i`` (another namespace, the external addresses) and the edges' ends index the
view's nodes; ``pods[i]``: ``[name, workload node index, addresses "a,b", labels "k=v,..." (a string
index)]``; ``why[i]``: ``[source ref, destination ref, port, explanation text]``;
``findings[node id]``: ``[{"rule", "severity", "message", "at"}]``. A workload node whose pods
policies treat as two or more groups has ``"groups": N``, and one whose pods (two or more) are all
alike ``"groups": 1`` (neither when the pod level was not computed: ``counts.podLevel`` false);
``podViews[workload id]``: ``{"groups": [{"label", "pods": [pod indexes], "rep", "openIn",
"openOut"}], "nodes": [[ref, x, y, r, outside 0|1], ...], "edges": [...]}``, nodes and edges as in
a namespace view except that a node with ``outside`` 0 is the group ``ref``. A diff report (two versions)
adds ``overview.diff``, parallel to its edges, and three more items to each namespace edge:
``[status, base ports, base maybe]`` (status 0 same, 1 added, 2 removed, 3 changed); a removed
edge has no ports of its own and a node only the base has is ``"removed": true``.
"""

from __future__ import annotations

import gc
import math
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.graph import Connection, GroupBy, Grouped, NodeInfo, grouped_edges, pod_classes
from netsim.match.peers import peer_state
from netsim.match.selectors import matches_selector
from netsim.model import Endpoint, External, Pod, Protocol, Traffic
from netsim.render.text import explain

__all__ = [
    "ADDED",
    "CHANGED",
    "EXPLAINED_MAX",
    "POD_PAIRS_MAX",
    "POD_VIEW_EDGES_MAX",
    "REMOVED",
    "SAME",
    "FindingNodes",
    "ReportFinding",
    "build_report",
    "layout",
]

#: Explanations computed into the report (the overview's edges first); the rest carry the pair.
EXPLAINED_MAX = 1500
#: The pod views are computed from the pod-level graph when it has at most this many pod pairs
#: (10,000 generated pods have 2.7 million: about 5 s more); above, the report has none.
POD_PAIRS_MAX = 4_000_000
#: Pairs tried to find one behind an explained edge that has its port (:meth:`_Builder._pair`).
PAIR_TRIES = 64
#: Edges of all the pod views together, at most: views are added whole, workloads in order, while
#: they fit (a view is about as large as a namespace's).
POD_VIEW_EDGES_MAX = 100_000

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class ReportFinding:
    """A lint finding as the report shows it on a node."""

    rule: str
    severity: str
    message: str
    at: str  # file:line:col, or ""


class FindingNodes:
    """The report nodes a lint finding concerns, from the object it names (``Finding.subject``):

    * a ``Namespace`` its node;
    * a ``NetworkPolicy`` its namespace and the workloads of the pods its ``podSelector`` selects;
    * a ``Service`` its namespace and the workloads of its backends (its selector's pods);
    * a ``Pod`` or a workload (``Deployment shop/web``) its namespace and its workload;
    * a cluster-scoped policy (ClusterNetworkPolicy, AdminNetworkPolicy, ...) the namespaces of
      the pods its subject selects or may select;
    * any other namespaced object (a route, a policy of a kind netsim does not evaluate) its
      namespace.

    A workload node's id is ``Pod.endpoint`` (``ns/name[Kind]``), as the report's workload level
    names it."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        cluster = index.cluster
        self._pods_in: dict[str, list[Pod]] = {}
        for pod in cluster.pods:
            self._pods_in.setdefault(pod.namespace, []).append(pod)
        self._by_name: dict[tuple[str, str, str], str] = {}
        for pod in cluster.pods:
            self._by_name.setdefault((pod.kind, pod.namespace, pod.name), pod.endpoint)
            self._by_name.setdefault((pod.workload_kind, pod.namespace, pod.workload_name), pod.endpoint)
        self._policies = {p.ref: p for p in cluster.policies}
        self._services = {f"{s.namespace}/{s.name}": s for s in cluster.services}
        self._cluster_policies = {p.ref: p for p in cluster.cluster_policies}
        self._memo: dict[str, tuple[str, ...]] = {}

    def __call__(self, subject: str) -> tuple[str, ...]:
        """The node ids (namespaces first, then workloads, each once) ``subject`` concerns."""
        found = self._memo.get(subject)
        if found is None:
            found = self._memo[subject] = tuple(dict.fromkeys(self._nodes(subject)))
        return found

    def _nodes(self, subject: str) -> Iterable[str]:
        kind, _, name = subject.partition(" ")
        if kind == "Namespace":
            return (name,)
        namespace, slash, local = name.partition("/")
        if not slash:
            policy = self._cluster_policies.get(subject)
            if policy is None:
                return ()
            cluster, options = self.index.cluster, self.index.options
            return sorted(
                {p.namespace for p in cluster.pods if peer_state(policy.subject, "", p, cluster, options) is not False}
            )
        pods = self._pods_in.get(namespace, [])
        if kind == "NetworkPolicy" and (pol := self._policies.get(name)) is not None:
            return (namespace, *sorted({p.endpoint for p in pods if matches_selector(pol.pod_selector, p.labels)}))
        if kind == "Service" and (svc := self._services.get(name)) is not None and svc.selector:
            wanted = svc.selector.items()
            return (namespace, *sorted({p.endpoint for p in pods if all(p.labels.get(k) == v for k, v in wanted)}))
        workload = self._by_name.get((kind, namespace, local))
        return (namespace,) if workload is None else (namespace, workload)


def _first_port(conns: ConnSet) -> tuple[int, Protocol] | None:
    """The port an explanation is shown for: the first TCP port, else the first of another protocol."""
    for proto in (Protocol.TCP, Protocol.UDP, Protocol.SCTP):
        ports = conns.ports(proto)
        if ports:
            return ports.intervals[0][0], proto
    return None


class _Builder:
    """Interned strings, explanations within a budget, and the rows made into arrays."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.strings: list[str] = [""]
        self._string_at: dict[str, int] = {"": 0}
        self.why: list[list[Any]] = []
        self._why_at: dict[tuple[str, str, int, Protocol], int] = {}
        self.left = EXPLAINED_MAX
        self.reps: dict[str, Endpoint] = {}
        self.members: dict[str, list[Pod]] = {}  # a namespace's or workload's pods
        self._class_of: dict[str, int] | None = None  # pod -> its pod class, when first needed
        self._conns_at: dict[int, tuple[ConnSet, int]] = {}
        self._unfound: set[tuple[str, str, int, Protocol]] = set()  # explained pairs not behind their edge
        # an edge drawn without the edge behind it given -> that edge (its ends and connections):
        # an overview edge's is the first workload edge between its ends
        self.behind: Callable[[tuple[str, str]], tuple[str, str, ConnSet] | None] = lambda ends: None
        self.merged_ranges = 0  # how many external ranges the ``external`` node stands for

    def string(self, text: str) -> int:
        at = self._string_at.get(text)
        if at is None:
            at = self._string_at[text] = len(self.strings)
            self.strings.append(text)
        return at

    def conns(self, conns: ConnSet) -> int:
        """The index of the text of ``conns`` in ``strings`` (0: none), memoised on the set."""
        if not conns:
            return 0
        hit = self._conns_at.get(id(conns))
        if hit is None or hit[0] is not conns:
            hit = self._conns_at[id(conns)] = (conns, self.string(str(conns)))
        return hit[1]

    def representatives(self, grouped: Grouped, by: GroupBy) -> None:
        """A pod of each group of ``grouped``, and an address of each external range that is no
        pod's and no node's."""
        cluster = self.index.cluster
        for pod in cluster.pods:
            key = pod.namespace if by is GroupBy.NAMESPACE else pod.endpoint
            self.reps.setdefault(key, pod)
            self.members.setdefault(key, []).append(pod)
        avoid = frozenset(ip for p in cluster.pods for ip in (*p.ips, *p.node_addresses))
        for key, info in grouped.nodes.items():
            if info.range is not None:
                self.reps.setdefault(key, External(info.range.representative(avoid)))

    def explain_edge(
        self, ends: tuple[str, str], conns: ConnSet, maybe: ConnSet, behind: tuple[str, str, ConnSet] | None = None
    ) -> int:
        """The index in ``why`` of the explanation of a pair that the edge between ``ends`` (with
        ``conns``, and ``maybe`` undetermined) stands for: a pair of the ends of the edge
        ``behind`` it (the edge's own ends when none is known), on the first port of its
        connections; -1 when the budget is spent (the page then shows the ``netsim check``
        command that prints it)."""
        if self.left <= 0:
            return -1
        if behind is None:
            behind = self.behind(ends)
        src_key, dst_key, first = behind if behind is not None else (*ends, conns | maybe)
        certain = _first_port(first & conns)
        port = certain or _first_port(first)
        if port is None or self.reps.get(src_key) is None or self.reps.get(dst_key) is None:
            return -1
        number, proto = port
        # the representatives' explanation when it was computed for another edge and holds the
        # port (then the pair stands for this edge too)
        key = (self.reps[src_key].ref, self.reps[dst_key].ref, number, proto)
        at = self._why_at.get(key)
        if at is not None and key not in self._unfound:
            return at
        src, dst, found = self._pair(src_key, dst_key, number, proto, certain is not None)
        key = (src.ref, dst.ref, number, proto)
        at = self._why_at.get(key)
        if at is None:
            self.left -= 1
            verdict = evaluate(self.index, Traffic(src, dst, number, proto))
            text = explain(verdict, replica_traffic=self.index.options.replica_traffic)
            at = self._why_at[key] = len(self.why)
            self.why.append([src.ref, dst.ref, f"{number}/{proto.value}", text])
            if not found:
                self._unfound.add(key)
        return at

    def _pair(
        self, src_key: str, dst_key: str, number: int, proto: Protocol, certain: bool
    ) -> tuple[Endpoint, Endpoint, bool]:
        """A pair of the two groups that has the port (for certain, or at least possibly), and
        whether one was found: their representatives when they have it, else the first that has
        it among the groups' pods (one pod of each pod class tried, at most :data:`PAIR_TRIES`
        pairs); none found, the representatives. An edge of a workload whose pods policies treat
        differently may stand for other pods than its representative's."""
        tries = 0
        for src in self._candidates(src_key):
            for dst in self._candidates(dst_key):
                pair = evaluate_pair(self.index, src, dst)
                if (pair.conns if certain else pair.possible).allows(number, proto):
                    return src, dst, True
                tries += 1
                if tries >= PAIR_TRIES:
                    return self.reps[src_key], self.reps[dst_key], False
        return self.reps[src_key], self.reps[dst_key], False

    def _candidates(self, key: str) -> Iterator[Endpoint]:
        """The group's representative, then a pod of each other pod class among its members."""
        rep = self.reps[key]
        yield rep
        members = self.members.get(key, ())
        if len(members) < 2:
            return
        if self._class_of is None:
            self._class_of = {p.ref: i for i, pods in enumerate(pod_classes(self.index)) for p in pods}
        seen = {self._class_of.get(rep.ref, -1)}
        for pod in members:
            c = self._class_of[pod.ref]
            if c not in seen:
                seen.add(c)
                yield pod

    def edge(
        self,
        ends: tuple[str, str],
        node_at: dict[str, int],
        conns: ConnSet,
        maybe: ConnSet,
        pairs: int,
        behind: tuple[str, str, ConnSet] | None = None,
    ) -> list[Any]:
        """An edge of a view: ``[source, target, ports, maybe, pairs, why]``."""
        why = self.explain_edge(ends, conns, maybe, behind)
        return [node_at[ends[0]], node_at[ends[1]], self.conns(conns), self.conns(maybe), pairs, why]

    @staticmethod
    def removed_edge(ends: tuple[str, str], pairs: int, node_at: dict[str, int]) -> list[Any]:
        """An edge of a diff report that the change removes: nothing of it is allowed any more,
        so it has no connections and no explanation (it spends none of the budget)."""
        return [node_at[ends[0]], node_at[ends[1]], 0, 0, pairs, -1]


def _node(info: Any, builder: _Builder) -> dict[str, Any]:
    rep = builder.reps.get(info.key)
    node: dict[str, Any] = {
        "id": info.key,
        "rep": rep.ref if rep is not None else "",
        "kind": info.kind,
        "label": info.label if info.kind != "namespace" else info.name,
        "ns": info.namespace,
        "pods": info.members,
        "openIn": info.ingress_open,
        "openOut": info.egress_open,
    }
    if info.kind == "workload":
        node["workloadKind"] = info.endpoint_kind
    return node


def layout(nodes: list[dict[str, Any]]) -> list[tuple[float, float, float]]:
    """Positions and radii ``(x, y, r)`` in a 1000 x 1000 box for ``nodes``, deterministic and
    linear in their number: the nodes of the view (``outside`` false) as a sunflower, largest in
    the middle, golden angle apart, each sized by its pods; the outside nodes (another namespace's
    workloads) on a ring around them, by label; external ranges in a column on the left."""
    out: list[tuple[float, float, float]] = [(0.0, 0.0, 0.0)] * len(nodes)
    order = range(len(nodes))
    inner = sorted(
        (i for i in order if nodes[i]["kind"] != "external" and not nodes[i].get("outside")),
        key=lambda i: (-(nodes[i].get("pods") or 0), nodes[i]["id"]),
    )
    ring = sorted(
        (i for i in order if nodes[i]["kind"] != "external" and nodes[i].get("outside")),
        key=lambda i: nodes[i]["label"],
    )
    ranges = sorted((i for i in order if nodes[i]["kind"] == "external"), key=lambda i: nodes[i]["id"])
    size = {i: 10 + 6 * math.sqrt(max(1, nodes[i].get("pods") or 1)) for i in order}
    spread = 330 if ring else 420  # the sunflower's radius
    # nodes at least 2.2 mean sizes apart; few nodes spread over most of the sunflower's disc, so
    # their labels (and the edges between them) have room
    spacing = max(2.2 * sum(size[i] for i in inner) / max(1, len(inner)), 0.7 * spread / math.sqrt(max(1, len(inner))))
    scale = min(1.0, spread / max(1.0, spacing * math.sqrt(len(inner))))
    for k, i in enumerate(inner):
        radius = scale * spacing * math.sqrt(k + 0.5) if len(inner) > 1 else 0.0
        angle = k * 2.399963
        out[i] = (560 + radius * math.cos(angle), 500 + radius * math.sin(angle), max(3.0, size[i] * scale))
    for k, i in enumerate(ring):
        angle = 2 * math.pi * k / len(ring)
        out[i] = (560 + 430 * math.cos(angle), 500 + 430 * math.sin(angle), min(size[i], max(3.0, 1300 / len(ring))))
    for k, i in enumerate(ranges):
        out[i] = (40.0, 60 + (k + 0.5) * 880 / len(ranges), min(14.0, max(3.0, 400 / len(ranges))))
    return [(round(x, 1), round(y, 1), round(r, 1)) for x, y, r in out]


#: Edge statuses in a diff report (``level.diff[i][0]``).
SAME, ADDED, REMOVED, CHANGED = 0, 1, 2, 3


#: Above this many external ranges, a level draws them as one node (their edges' unions).
MAX_RANGES = 12
EXTERNAL = "external"


@dataclass(frozen=True, slots=True)
class _Level:
    """A grouped graph as the report shows it: above :data:`MAX_RANGES` external ranges, one
    ``external`` node for all of them. Edges stay on the graph's edge numbers; ``shown[g]`` is the
    key of the node group ``g`` is drawn as, and ``rank[g]`` its place in byte-wise label order,
    the order rows are read in (an aggregated edge is explained by the first row behind it)."""

    graph: Grouped
    nodes: dict[str, NodeInfo]
    shown: list[str]
    rank: list[int]
    # per group: its namespace (None for a range), and the node it falls on in another
    # namespace's view (its namespace, or the node a range is shown as)
    home: list[str | None] = field(default_factory=list)
    away: list[str] = field(default_factory=list)
    # unions and differences of connection sets, memoised on the sets (which the graph shares)
    _memo: dict[tuple[int, int, int], tuple[ConnSet, ConnSet, ConnSet]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        infos = [self.graph.nodes[k] for k in self.graph.keys]
        self.home.extend(i.namespace for i in infos)
        self.away.extend(i.namespace if i.namespace is not None else self.shown[g] for g, i in enumerate(infos))

    def edges(self) -> Iterable[int]:
        return _edge_numbers(self.graph)

    def union(self, a: ConnSet, b: ConnSet) -> ConnSet:
        return self._op(0, a, b)

    def minus(self, a: ConnSet, b: ConnSet) -> ConnSet:
        return self._op(1, a, b)

    def _op(self, op: int, a: ConnSet, b: ConnSet) -> ConnSet:
        if a is b:
            return a if op == 0 else _NONE
        key = (op, id(a), id(b))
        hit = self._memo.get(key)
        if hit is None or hit[0] is not a or hit[1] is not b:
            hit = self._memo[key] = (a, b, (a | b) if op == 0 else (a - b))
        return hit[2]

    def behind(self, e: int) -> tuple[str, str, ConnSet]:
        """Edge ``e``'s ends and connections (certain or undetermined)."""
        graph = self.graph
        s, d = divmod(e, len(graph.keys))
        return graph.keys[s], graph.keys[d], self.union(graph.conns.get(e, _NONE), graph.undetermined.get(e, _NONE))


def _shown(grouped: Grouped, builder: _Builder) -> _Level:
    """``grouped`` with its external ranges merged into one node when there are more than
    :data:`MAX_RANGES` (the representative of the merged node is the first range's)."""
    keys = grouped.keys
    infos = [grouped.nodes[k] for k in keys]
    order = sorted(range(len(keys)), key=lambda g: infos[g].label.encode())
    rank = [0] * len(keys)
    for r, g in enumerate(order):
        rank[g] = r
    ranges = {k for k, i in grouped.nodes.items() if i.kind == "external"}
    if len(ranges) <= MAX_RANGES:
        return _Level(grouped, dict(grouped.nodes), list(keys), rank)
    merged = NodeInfo(EXTERNAL, "external", None, f"external addresses ({len(ranges)} ranges)", EXTERNAL, "External")
    builder.merged_ranges = max(builder.merged_ranges, len(ranges))
    first = min(ranges, key=lambda k: (grouped.nodes[k].range is None, k))
    if first in builder.reps:
        builder.reps.setdefault(EXTERNAL, builder.reps[first])
    nodes = {k: i for k, i in grouped.nodes.items() if k not in ranges}
    nodes[EXTERNAL] = merged
    return _Level(grouped, nodes, [EXTERNAL if k in ranges else k for k in keys], rank)


@dataclass(frozen=True, slots=True)
class _Rows:
    """A level's nodes and rows (edges aggregated onto its shown nodes, in row order)."""

    nodes: dict[str, NodeInfo]
    rows: list[Connection]


def _rows(level: _Level) -> _Rows:
    """The level's edges aggregated onto its shown nodes: unions of connections, pod pairs
    added; rows sorted by source then destination label."""
    graph = level.graph
    width, shown = len(graph.keys), level.shown
    certain, maybe, pairs = graph.conns, graph.undetermined, graph.pairs
    out: dict[tuple[str, str], tuple[ConnSet, ConnSet, int]] = {}
    for e in level.edges():
        s, d = divmod(e, width)
        ends = (shown[s], shown[d])
        conns, unsure = certain.get(e, _NONE), maybe.get(e, _NONE)
        prev = out.get(ends)
        if prev is None:
            out[ends] = (conns, unsure, pairs[e])
        else:
            union = prev[0] | conns
            out[ends] = (union, (prev[1] | unsure) - union, prev[2] + pairs[e])
    nodes = level.nodes
    rows = [Connection(nodes[a], nodes[b], c, n, m) for (a, b), (c, m, n) in out.items()]
    rows.sort(key=lambda r: (r.source.label.encode(), r.destination.label.encode()))
    return _Rows(nodes, rows)


def _level(
    builder: _Builder, head: _Rows, base: _Rows | None, keep_self: bool
) -> tuple[list[dict[str, Any]], list[list[Any]], list[list[int]] | None, dict[str, list[int]]]:
    """One level's nodes and edges (a diff's: both sides', with each edge's status and base
    connections), and the namespace's own traffic per node when ``keep_self`` is false (written
    in the node rather than drawn)."""
    infos = dict(head.nodes)
    removed_nodes: set[str] = set()
    if base is not None:
        for key, info in base.nodes.items():
            if key not in infos:
                infos[key] = info
                removed_nodes.add(key)
    nodes = [_node(info, builder) for _, info in sorted(infos.items())]
    for node in nodes:
        if node["id"] in removed_nodes:
            node["removed"] = True
        if node["id"] == EXTERNAL and node["kind"] == "external":
            node["ranges"] = builder.merged_ranges
    at = {n["id"]: i for i, n in enumerate(nodes)}
    internal: dict[str, list[int]] = {}
    head_rows = {(r.source.key, r.destination.key): r for r in head.rows}
    base_rows = {(r.source.key, r.destination.key): r for r in base.rows} if base is not None else {}
    edges: list[list[Any]] = []
    statuses: list[list[int]] | None = [] if base is not None else None
    for ends in sorted(head_rows.keys() | base_rows.keys(), key=lambda k: (at[k[0]], at[k[1]])):
        row, before = head_rows.get(ends), base_rows.get(ends)
        shown = row if row is not None else before
        assert shown is not None
        if ends[0] == ends[1] and not keep_self:
            if row is not None:
                internal[ends[0]] = [builder.conns(row.conns), builder.conns(row.undetermined)]
            continue
        if row is not None:
            edge = builder.edge(ends, at, row.conns, row.undetermined, row.pairs)
        else:
            edge = builder.removed_edge(ends, shown.pairs, at)
        edges.append(edge)
        if statuses is not None:
            if before is None:
                status = ADDED
            elif row is None:
                status = REMOVED
            else:
                same = (row.conns, row.undetermined) == (before.conns, before.undetermined)
                status = SAME if same else CHANGED
            base_conns = (builder.conns(before.conns), builder.conns(before.undetermined)) if before else (0, 0)
            statuses.append([status, *base_conns])
    return nodes, edges, statuses, internal


def _labels(labels: Mapping[str, str]) -> str:
    """Labels as ``k=v,k2=v2`` (sorted), the form the search matches."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


class _ViewEdges:
    """The edges of a workload level bucketed by namespace (each edge with an end in it) in row
    order, as the namespace views read them, one namespace at a time; and, for each pair of
    overview nodes, the first workload edge between them (what explains an overview edge).

    Kept as row-order numbers in compact arrays: at 100,000 pods the workload level has millions
    of edges, and the views must not all be held in memory at once."""

    def __init__(self, level: _Level) -> None:
        self.level = level
        width, rank = len(level.graph.keys), level.rank
        self.order = sorted(range(width), key=rank.__getitem__)
        # a group's overview node is where other namespaces' views see it (``away``): its
        # namespace, or the (maybe merged) range it is shown as
        ov_names = sorted(set(level.away))
        self.ov_at = {k: i for i, k in enumerate(ov_names)}
        ov_of = [self.ov_at[k] for k in level.away]
        has_ns = [ns is not None for ns in level.home]
        size = len(ov_names)
        buckets: dict[int, array[int]] = {}
        first: dict[int, int] = {}
        for e in level.edges():
            s, d = divmod(e, width)
            at = rank[s] * width + rank[d]
            a, b = ov_of[s], ov_of[d]
            if a == b:
                buckets.setdefault(a, array("q")).append(at)
                continue
            pair = a * size + b
            prev = first.get(pair)
            if prev is None or at < prev:
                first[pair] = at
            if has_ns[s]:
                buckets.setdefault(a, array("q")).append(at)
            if has_ns[d]:
                buckets.setdefault(b, array("q")).append(at)
        self.buckets = buckets
        self.first = first

    def of(self, ns: str) -> Iterable[int]:
        """The edge numbers with an end in ``ns``, in row order."""
        bucket = self.buckets.get(self.ov_at.get(ns, -1))
        if bucket is None:
            return ()
        width, order = len(self.order), self.order
        return (order[at // width] * width + order[at % width] for at in sorted(bucket))

    def behind(self, ends: tuple[str, str]) -> tuple[str, str, ConnSet] | None:
        """The first workload edge between two overview nodes: its ends and connections."""
        a, b = self.ov_at.get(ends[0]), self.ov_at.get(ends[1])
        if a is None or b is None:
            return None
        at = self.first.get(a * len(self.ov_at) + b)
        if at is None:
            return None
        width = len(self.order)
        return self.level.behind(self.order[at // width] * width + self.order[at % width])


#: A namespace view's edge: connections, undetermined ones, pod pairs, and the first workload
#: edge behind it (what explains it).
_Agg = tuple[ConnSet, ConnSet, int, int]


def _aggregate(level: _Level, edges: Iterable[int], ns: str) -> dict[tuple[str, str], _Agg]:
    """The workload edges ``edges`` (with an end in ``ns``) onto the nodes of the namespace's
    view: a workload of ``ns`` is itself, another namespace's workload its namespace, a range the
    node it is shown as. Connections and undetermined ones are united, pod pairs added."""
    graph = level.graph
    keys, width, home, away = graph.keys, len(graph.keys), level.home, level.away
    certain, maybe, pairs = graph.conns, graph.undetermined, graph.pairs
    union = level.union
    acc: dict[tuple[str, str], list[Any]] = {}
    lookup = acc.get
    # the hot loop of a large report (millions of edges at 100,000 pods): a connection set is
    # united only when it is not the one already there (the graph shares its sets)
    for e in edges:
        s, d = divmod(e, width)
        ends = (keys[s] if home[s] == ns else away[s], keys[d] if home[d] == ns else away[d])
        prev = lookup(ends)
        c = certain.get(e, _NONE)
        if prev is None:
            acc[ends] = [c, maybe.get(e, _NONE) if maybe else _NONE, pairs[e], e]
            continue
        if prev[0] is not c:
            prev[0] = union(prev[0], c)
        if maybe:
            m = maybe.get(e, _NONE)
            if prev[1] is not m:
                prev[1] = union(prev[1], m)
        prev[2] += pairs[e]
    minus = level.minus
    return {ends: (c, minus(m, c) if m else m, n, e) for ends, (c, m, n, e) in acc.items()}


def _namespace_view(
    builder: _Builder,
    ns: str,
    now: dict[tuple[str, str], _Agg],
    before: dict[tuple[str, str], _Agg] | None,
    level: _Level,
    own: list[str],
    wl_infos: dict[str, NodeInfo],
    wl_at: dict[str, int],
    ov_nodes: list[dict[str, Any]],
) -> dict[str, Any]:
    """A namespace's view: its workloads, the other namespaces and the external addresses as one
    node each (the ends of its workloads' edges), and those edges aggregated (:func:`_aggregate`):
    unions of connections, pod pairs added (with a diff's status when ``before`` is given).
    ``level``: the workload level the edges come from; ``own``: the namespace's workloads, first
    among the view's nodes."""
    ov_at = {n["id"]: i for i, n in enumerate(ov_nodes)}
    keys = dict.fromkeys(own)
    for a, b in (*now, *(before or ())):
        keys.setdefault(a)
        keys.setdefault(b)
    order = list(keys)
    local = {k: i for i, k in enumerate(order)}
    view: list[dict[str, Any]] = []
    refs: list[int] = []
    for key in order:
        if key in wl_at and wl_infos[key].namespace == ns:
            refs.append(wl_at[key])
            view.append({"id": key, "kind": "workload", "label": key, "pods": wl_infos[key].members, "outside": False})
        else:
            at = ov_at[key]  # another namespace, or a range: a node of the overview
            refs.append(-at - 1)
            other = ov_nodes[at]
            view.append({"id": key, "kind": other["kind"], "label": key, "pods": other["pods"], "outside": True})
    edges: list[list[Any]] = []
    had_none: dict[tuple[str, str], _Agg] = {}
    for ends in sorted(now.keys() | (before or had_none).keys(), key=lambda k: (local[k[0]], local[k[1]])):
        got, had = now.get(ends), (before or had_none).get(ends)
        if got is not None:
            conns, maybe, pairs, first = got
            behind = level.behind(first) if builder.left > 0 else None
            edge = builder.edge(ends, local, conns, maybe, pairs, behind)
        else:  # removed by the change
            assert had is not None
            edge = builder.removed_edge(ends, had[2], local)
        if before is not None:
            status = ADDED if had is None else REMOVED if got is None else SAME if (got[:2] == had[:2]) else CHANGED
            edge += [status, *((builder.conns(had[0]), builder.conns(had[1])) if had is not None else (0, 0))]
        edges.append(edge)
    placed = layout(view)
    return {
        "nodes": [[ref, x, y, r, int(v["outside"])] for ref, v, (x, y, r) in zip(refs, view, placed, strict=True)],
        "edges": edges,
    }


_NONE = ConnSet.none()


def _edge_numbers(graph: Grouped) -> Iterable[int]:
    """The edges of ``graph`` (certain or undetermined), as edge numbers."""
    return graph.conns.keys() | graph.undetermined.keys() if graph.undetermined else graph.conns.keys()


def _pod_groups(index: PolicyIndex, pairs: int) -> tuple[dict[str, list[list[Pod]]], Grouped | None]:
    """Each workload whose pods fall into two or more pod classes (:func:`~netsim.graph.pod_classes`),
    its pods grouped, and the pod-level graph (``None`` above :data:`POD_PAIRS_MAX` ``pairs``: then
    the groups are the classes). Two classes are one group when swapping a pod of one with a pod of
    the other changes no connection of the graph and no isolation: a label that no policy reads
    splits classes, not groups."""
    by_workload: dict[str, list[list[Pod]]] = {}
    for members in pod_classes(index):
        split: dict[str, list[Pod]] = {}
        for pod in members:
            split.setdefault(pod.endpoint, []).append(pod)
        for key, pods in split.items():
            by_workload.setdefault(key, []).append(pods)
    classes = {k: v for k, v in by_workload.items() if len(v) > 1}
    if not classes or pairs > POD_PAIRS_MAX:
        return classes, None
    graph = grouped_edges(index, GroupBy.POD)
    at = {k: i for i, k in enumerate(graph.keys)}
    width = len(graph.keys)
    is_rep = bytearray(width)
    for groups in classes.values():
        for members in groups:
            is_rep[at[members[0].ref]] = 1
    outs: dict[int, list[int]] = {}
    ins: dict[int, list[int]] = {}
    for e in _edge_numbers(graph):
        s, d = divmod(e, width)
        if is_rep[s]:
            outs.setdefault(s, []).append(e)
        if is_rep[d]:
            ins.setdefault(d, []).append(e)

    certain, maybe = graph.conns, graph.undetermined
    Profile = tuple[dict[int, Any], dict[int, Any], bool, bool]

    def profile(g: int) -> Profile:
        """What ``g`` opens to each node and each node to it (and whether it is isolated)."""
        info = graph.nodes[graph.keys[g]]
        out: dict[int, Any]
        into: dict[int, Any]
        if maybe:
            out = {e % width: (certain.get(e), maybe.get(e)) for e in outs.get(g, ())}
            into = {e // width: (certain.get(e), maybe.get(e)) for e in ins.get(g, ())}
        else:
            out = {e % width: certain[e] for e in outs.get(g, ())}
            into = {e // width: certain[e] for e in ins.get(g, ())}
        return out, into, info.ingress_open, info.egress_open

    def alike(a: int, b: int, pa: Profile, pb: Profile) -> bool:
        """Whether swapping ``a`` and ``b`` changes no edge nor isolation."""
        (oa, ia, *open_a), (ob, ib, *open_b) = pa, pb
        if open_a != open_b or len(oa) != len(ob) or len(ia) != len(ib):
            return False
        if oa.get(a) != ob.get(b) or oa.get(b) != ob.get(a):
            return False
        # the rest compared without a and b (put back after)
        saved = [(x, k, x.pop(k)) for x in (oa, ob, ia, ib) for k in (a, b) if k in x]
        same = oa == ob and ia == ib
        for x, k, v in saved:
            x[k] = v
        return same

    out: dict[str, list[list[Pod]]] = {}
    for key, groups in classes.items():
        merged: list[tuple[int, Profile, list[Pod]]] = []
        for members in groups:
            g = at[members[0].ref]
            mine = profile(g)
            for rep, theirs, pods in merged:
                if alike(rep, g, theirs, mine):
                    pods.extend(members)
                    break
            else:
                merged.append((g, mine, list(members)))
        out[key] = sorted((sorted(pods, key=lambda p: p.name) for _, _, pods in merged), key=lambda ps: ps[0].name)
    return out, graph


def _group_label(pods: list[Pod]) -> str:
    """``web-0, web-1 (+3 more)``: a group of pods by the names of its first two."""
    shown = ", ".join(p.name for p in pods[:2])
    return f"{shown} (+{len(pods) - 2} more)" if len(pods) > 2 else shown


def _pod_views(
    builder: _Builder,
    graph: Grouped,
    groups_of: dict[str, list[list[Pod]]],
    wl_infos: dict[str, NodeInfo],
    wl_at: dict[str, int],
    ov_nodes: list[dict[str, Any]],
    pod_at: dict[str, int],
) -> dict[str, Any]:
    """The pod view of each workload whose pods fall into two or more groups, while the views fit
    in :data:`POD_VIEW_EDGES_MAX` edges: its groups, and the ends their pod-level edges reach as a
    namespace view aggregates them (the namespace's other workloads, the other namespaces, the
    external addresses), each edge the union of the pod pairs' connections."""
    differ = {k: groups_of[k] for k in sorted(groups_of) if len(groups_of[k]) > 1 and k in wl_infos}
    if not differ:
        return {}
    keys, width = graph.keys, len(graph.keys)
    at = {k: i for i, k in enumerate(keys)}
    ov_at = {n["id"]: i for i, n in enumerate(ov_nodes)}
    # each pod of those workloads -> (workload, group)
    local: list[tuple[str, int] | None] = [None] * width
    for w, groups in differ.items():
        for j, pods in enumerate(groups):
            for pod in pods:
                local[at[pod.ref]] = (w, j)
    rows: dict[str, list[int]] = {w: [] for w in differ}
    for e in _edge_numbers(graph):
        s, d = divmod(e, width)
        ws, wd = local[s], local[d]
        if ws is not None:
            rows[ws[0]].append(e)
        if wd is not None and (ws is None or wd[0] != ws[0]):
            rows[wd[0]].append(e)

    views: dict[str, Any] = {}
    used = 0
    for w, groups in differ.items():
        ns = wl_infos[w].namespace

        def end(g: int, w: str = w, ns: str | None = ns) -> str:
            """The node of the view a pod-level end falls on."""
            mine = local[g]
            if mine is not None and mine[0] == w:
                return f"{w}#{mine[1]}"
            pod = graph.pods.get(keys[g])
            if pod is None:  # an external range, or all of them as one node
                return keys[g] if keys[g] in ov_at else EXTERNAL
            return pod.endpoint if pod.namespace == ns and pod.endpoint in wl_at else pod.namespace

        merged: dict[tuple[str, str], tuple[ConnSet, ConnSet, int, int]] = {}
        for e in sorted(rows[w]):
            s, d = divmod(e, width)
            ends = (end(s), end(d))
            conns, maybe = graph.conns.get(e, _NONE), graph.undetermined.get(e, _NONE)
            prev = merged.get(ends)
            if prev is None:
                merged[ends] = (conns, maybe, graph.pairs[e], e)
            else:
                union = prev[0] | conns
                merged[ends] = (union, (prev[1] | maybe) - union, prev[2] + graph.pairs[e], prev[3])
        if used + len(merged) > POD_VIEW_EDGES_MAX:
            continue
        used += len(merged)
        gids = [f"{w}#{j}" for j in range(len(groups))]
        others = sorted({k for ends in merged for k in ends} - set(gids))
        order = [*gids, *others]
        local_at = {k: i for i, k in enumerate(order)}
        view: list[dict[str, Any]] = []
        refs: list[int] = []
        for j, pods in enumerate(groups):
            builder.reps[gids[j]] = pods[0]
            refs.append(j)
            view.append({"id": gids[j], "kind": "pods", "label": gids[j], "pods": len(pods), "outside": False})
        for key in others:
            if key in wl_at and wl_infos[key].namespace == ns:  # a workload of the namespace
                refs.append(wl_at[key])
                view.append({"id": key, "kind": "workload", "label": key, "pods": wl_infos[key].members})
            else:
                refs.append(-ov_at[key] - 1)
                view.append({"id": key, "kind": ov_nodes[ov_at[key]]["kind"], "label": key})
                view[-1]["pods"] = ov_nodes[ov_at[key]]["pods"]
            view[-1]["outside"] = True
        edges: list[list[Any]] = []
        for ends in sorted(merged, key=lambda k: (local_at[k[0]], local_at[k[1]])):
            conns, maybe, pairs, first = merged[ends]
            s, d = divmod(first, width)
            for g in (s, d):
                found = graph.pods.get(keys[g])
                if found is not None:
                    builder.reps.setdefault(keys[g], found)
            behind = (keys[s], keys[d], graph.conns.get(first, _NONE) | graph.undetermined.get(first, _NONE))
            edges.append(builder.edge(ends, local_at, conns, maybe, pairs, behind))
        placed = layout(view)
        views[w] = {
            "groups": [
                {
                    "label": _group_label(pods),
                    "pods": [pod_at[p.ref] for p in pods if p.ref in pod_at],
                    "rep": pods[0].ref,
                    "openIn": any(graph.nodes[p.ref].ingress_open for p in pods),
                    "openOut": any(graph.nodes[p.ref].egress_open for p in pods),
                }
                for pods in groups
            ],
            "nodes": [[ref, x, y, r, int(v["outside"])] for ref, v, (x, y, r) in zip(refs, view, placed, strict=True)],
            "edges": edges,
        }
    return views


def build_report(
    index: PolicyIndex,
    *,
    title: str,
    base: PolicyIndex | None = None,
    findings: Iterable[tuple[str, ReportFinding]] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The report's data (the format is in the module's text). ``findings``: (node id, finding)
    pairs, a node id being a namespace or ``ns/name[Kind]``. With ``base``, a diff report: the
    edges of both versions, each with its status (``level.diff[i]``: ``[status, base ports, base
    maybe]``, status 0 same, 1 added, 2 removed, 3 changed) and nodes only the base has marked
    ``removed``; explanations are the head's."""
    # the data is millions of small lists and tuples with no reference cycles: the cycle
    # collector, run again and again over them as they are made, would only cost time (a fifth
    # of it at 100,000 pods)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _build(index, title, base, findings, progress)
    finally:
        if collecting:
            gc.enable()


def _build(
    index: PolicyIndex,
    title: str,
    base: PolicyIndex | None,
    findings: Iterable[tuple[str, ReportFinding]],
    progress: Progress | None,
) -> dict[str, Any]:
    cluster = index.cluster
    builder = _Builder(index)
    overview = grouped_edges(index, GroupBy.NAMESPACE)
    workloads = grouped_edges(index, GroupBy.WORKLOAD)
    builder.representatives(overview, GroupBy.NAMESPACE)
    builder.representatives(workloads, GroupBy.WORKLOAD)
    base_levels = (
        (
            _shown(grouped_edges(base, GroupBy.NAMESPACE), builder),
            _shown(grouped_edges(base, GroupBy.WORKLOAD), builder),
        )
        if base is not None
        else None
    )
    head_overview = _rows(_shown(overview, builder))
    base_overview = _rows(base_levels[0]) if base_levels is not None else None
    head_workloads = _shown(workloads, builder)
    # an overview edge is explained by a pair of pods behind it: the first workload edge between
    # its two namespaces (or a namespace and a range)
    head_edges = _ViewEdges(head_workloads)
    base_edges = _ViewEdges(base_levels[1]) if base_levels is not None else None
    builder.behind = head_edges.behind

    # the overview: namespaces and external ranges; a namespace's own traffic is written in it
    ov_nodes, ov_edges, ov_diff, internal = _level(builder, head_overview, base_overview, keep_self=False)
    for node, (x, y, r) in zip(ov_nodes, layout(ov_nodes), strict=True):
        node["x"], node["y"], node["r"] = x, y, r
        if node["id"] in internal:
            node["internal"] = internal[node["id"]]

    # the workloads (for search and the namespace views); each namespace view: its workloads, and
    # every other namespace (and the external addresses) as one node, edges aggregated to them
    wl_infos = dict(head_workloads.nodes)
    if base_levels is not None:
        for key, info in base_levels[1].nodes.items():
            wl_infos.setdefault(key, info)
    wl_keys = sorted(wl_infos)
    wl_at = {k: i for i, k in enumerate(wl_keys)}
    wl_nodes = [_node(wl_infos[k], builder) for k in wl_keys]
    for node in wl_nodes:
        if head_workloads.nodes.get(node["id"]) is None:
            node["removed"] = True
    pods_in: dict[str, int] = {}
    for pod in cluster.pods:
        pods_in[pod.namespace] = pods_in.get(pod.namespace, 0) + 1
    names = sorted(pods_in.keys() | {n["ns"] for n in wl_nodes if n["ns"] is not None})
    own: dict[str, list[str]] = {}  # each namespace's workloads, in the order of wl_infos
    for key, info in wl_infos.items():
        if info.namespace is not None:
            own.setdefault(info.namespace, []).append(key)
    namespaces: dict[str, Any] = {}
    for done, ns in enumerate(names, 1):
        namespaces[ns] = _namespace_view(
            builder,
            ns,
            _aggregate(head_workloads, head_edges.of(ns), ns),
            _aggregate(base_edges.level, base_edges.of(ns), ns) if base_edges is not None else None,
            head_workloads,
            own.get(ns, []),
            wl_infos,
            wl_at,
            ov_nodes,
        )
        namespaces[ns]["pods"] = pods_in.get(ns, 0)
        if progress is not None:
            progress(done, len(names))

    # the pod views of the workloads whose pods policies do not treat alike (not in a diff report)
    listed = [p for p in cluster.pods if p.endpoint in wl_at]
    pod_views: dict[str, Any] = {}
    pod_level = base is None
    if base is None:
        groups_of, pod_graph = _pod_groups(index, sum(workloads.pairs.values()))
        pod_level = pod_graph is not None or not groups_of
        for node in wl_nodes:
            groups = groups_of.get(node["id"])
            if node["kind"] != "workload":
                continue
            if groups is None:
                if node["pods"] > 1:
                    node["groups"] = 1
            elif pod_graph is not None:
                node["groups"] = len(groups)
        if pod_graph is not None:
            pod_at = {p.ref: i for i, p in enumerate(listed)}
            pod_views = _pod_views(builder, pod_graph, groups_of, wl_infos, wl_at, ov_nodes, pod_at)

    by_node: dict[str, list[dict[str, str]]] = {}
    for node_id, f in findings:
        by_node.setdefault(node_id, []).append(
            {"rule": f.rule, "severity": f.severity, "message": f.message, "at": f.at}
        )
    data: dict[str, Any] = {
        "format": 1,
        "title": title,
        "counts": {
            "namespaces": len(names),
            "workloads": sum(1 for n in wl_nodes if n["kind"] == "workload"),
            "pods": len(cluster.pods),
            "policies": len(cluster.policies),
            "clusterPolicies": len(cluster.cluster_policies),
            "explained": EXPLAINED_MAX - builder.left,
            "podLevel": pod_level,
            "podViews": len(pod_views),
        },
        "strings": builder.strings,
        "overview": {"nodes": ov_nodes, "edges": ov_edges},
        "workloads": {"nodes": wl_nodes},
        # for the search: every pod with its workload, addresses and labels
        "pods": [
            [p.name, wl_at[p.endpoint], ",".join(map(str, p.ips)), builder.string(_labels(p.labels))] for p in listed
        ],
        "namespaces": namespaces,
        "podViews": pod_views,
        "why": builder.why,
        "findings": by_node,
    }
    if ov_diff is not None:
        data["overview"]["diff"] = ov_diff
    # for each overview edge, the workloads of the first workload edge behind it (-1: an end that
    # is no workload, or an edge only the base has) and its connections: what `netsim check` is
    # asked about an edge the page does not explain
    ov_ids = [n["id"] for n in ov_nodes]
    behind: list[int] = []  # flat, three numbers an edge: 1.26 million edges at 100,000 pods
    for edge in ov_edges:
        found = head_edges.behind((ov_ids[edge[0]], ov_ids[edge[1]]))
        if found is None:
            behind += (-1, -1, 0)
        else:
            behind += (wl_at.get(found[0], -1), wl_at.get(found[1], -1), builder.conns(found[2]))
    data["overview"]["behind"] = behind
    return data
