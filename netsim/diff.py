"""Semantic diff of two clusters: which connections a change of manifests adds, removes or changes.

Both sides are projected to their workload-level reachability graphs
(:func:`~netsim.graph.grouped_edges` by workload) and compared
edge by edge, endpoints keyed by their label (``ns/name[Kind]``, ``first-last[External]``).
External ranges are compared *by address*: each side's address space is cut on the union of both
sides' ipBlock boundaries, so a range of one side is a range of the other.

Each changed connection is attributed, where it can be, to the policies that changed and select
its source for Egress or its destination for Ingress (in base or in head), and to changes of its
endpoints (a workload added, removed or relabelled) or of their namespaces' labels.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address, IPv6Address
from typing import Literal

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.errors import SourceSpan
from netsim.externals import ExternalRange, cut_points, external_ranges, split_range
from netsim.graph import GroupBy, NodeInfo, grouped_edges
from netsim.model import (
    Cluster,
    ClusterNetworkPolicy,
    ClusterRule,
    Direction,
    External,
    IPAddress,
    NetworkPolicy,
    Options,
    Pod,
    Rule,
    Tier,
)

__all__ = [
    "Cause",
    "ChangeGroup",
    "ConnectionChange",
    "Diff",
    "EndpointChange",
    "PolicyChange",
    "diff_clusters",
]

ConnKind = Literal["added", "removed", "changed"]
PolicyKind = Literal["added", "removed", "modified"]

#: The order sections are listed in.
KIND_ORDER: dict[str, int] = {"added": 0, "removed": 1, "changed": 2, "modified": 2}

#: Fewest connections a namespace-wide line stands for (one connection is listed as it is).
MIN_GROUP = 2

_MAX_V6 = (1 << 128) - 1


@dataclass(frozen=True, slots=True)
class Cause:
    """Something that changed and can explain a changed connection."""

    subject: Literal["policy", "workload", "namespace"]
    ref: str  # ns/name of a policy, ns/name[Kind] of a workload, a namespace's name
    change: str  # "added", "removed", "modified", "changed"
    role: str  # how it touches the connection: "selects the source for Egress", "the destination", ...
    span: SourceSpan | None = None

    def __str__(self) -> str:
        where = f" ({self.span})" if self.span else ""
        return f"{self.subject} {self.ref} {self.change}{where}: {self.role}"


def _cause_order(cause: Cause) -> tuple[int, str, str]:
    return ({"policy": 0, "workload": 1, "namespace": 2}[cause.subject], cause.ref, cause.role)


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """One workload-level connection that differs between base and head."""

    kind: ConnKind
    source: NodeInfo
    destination: NodeInfo
    before: ConnSet  # allowed for certain in base (none when added)
    after: ConnSet  # allowed for certain in head (none when removed)
    causes: tuple[Cause, ...] = ()
    # what depends on what the input does not give, in base and in head
    before_undetermined: ConnSet = field(default_factory=ConnSet.none)
    after_undetermined: ConnSet = field(default_factory=ConnSet.none)

    @property
    def gained(self) -> ConnSet:
        """What head allows for certain and base denied for certain."""
        return self.after - self.before - self.before_undetermined

    @property
    def lost(self) -> ConnSet:
        """What base allowed for certain and head denies for certain."""
        return self.before - self.after - self.after_undetermined

    @property
    def now_undetermined(self) -> ConnSet:
        """Decided in base (allowed or denied), undetermined in head."""
        return self.after_undetermined - self.before_undetermined

    @property
    def now_decided(self) -> ConnSet:
        """Undetermined in base, decided in head (allowed if in ``after``, else denied)."""
        return self.before_undetermined - self.after_undetermined

    @property
    def may_open(self) -> bool:
        """Head may allow something base denied for certain, or allows for certain what base
        left open."""
        return bool(self.gained or (self.now_undetermined - self.before) or (self.now_decided & self.after))

    @property
    def may_close(self) -> bool:
        """Head may deny something base allowed for certain, or denies for certain what base
        left open."""
        return bool(self.lost or (self.now_undetermined & self.before) or (self.now_decided - self.after))

    @property
    def delta(self) -> tuple[ConnSet, ConnSet, ConnSet, ConnSet]:
        """(gained, lost, now undetermined, now decided): how the connection changed."""
        return self.gained, self.lost, self.now_undetermined, self.now_decided


@dataclass(frozen=True, slots=True)
class ChangeGroup:
    """Every connection from one namespace (or external range) to another changed the same way."""

    kind: ConnKind
    source: str  # a namespace name, or an external range's label
    destination: str
    source_is_namespace: bool
    destination_is_namespace: bool
    changes: tuple[ConnectionChange, ...]

    @property
    def gained(self) -> ConnSet:
        """What every member gained (they all gained the same)."""
        return self.changes[0].gained

    @property
    def lost(self) -> ConnSet:
        """What every member lost (they all lost the same)."""
        return self.changes[0].lost

    @property
    def now_undetermined(self) -> ConnSet:
        """What became undetermined in every member (the same in all)."""
        return self.changes[0].now_undetermined

    @property
    def now_decided(self) -> ConnSet:
        """What every member's input now decides (the same in all)."""
        return self.changes[0].now_decided

    @property
    def causes(self) -> tuple[Cause, ...]:
        """The causes of the members, each once: policies, then workloads, then namespaces."""
        found = dict.fromkeys(c for change in self.changes for c in change.causes)
        return tuple(sorted(found, key=_cause_order))


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """A NetworkPolicy or a cluster-scoped policy added, removed or modified (spans do not count
    as a modification)."""

    kind: PolicyKind
    ref: str  # ns/name of a NetworkPolicy; "Kind name" of a cluster-scoped one
    base: NetworkPolicy | ClusterNetworkPolicy | None
    head: NetworkPolicy | ClusterNetworkPolicy | None
    fields: tuple[str, ...] = ()  # what was modified: "spec.podSelector", "spec.ingress[0].ports", ...

    @property
    def span(self) -> SourceSpan | None:
        """Where the policy is written: in head, or in base for a removed policy."""
        pol = self.head or self.base
        return pol.span if pol else None


@dataclass(frozen=True, slots=True)
class EndpointChange:
    """A workload or a namespace added, removed or changed (labels, ports, addresses)."""

    kind: ConnKind
    subject: Literal["workload", "namespace"]
    ref: str
    details: tuple[str, ...] = ()
    span: SourceSpan | None = None
    effective: bool = False  # some changed connection is attributed to it


@dataclass(frozen=True, slots=True)
class Diff:
    """Everything that differs between base and head."""

    connections: tuple[ConnectionChange, ...]
    groups: tuple[ChangeGroup, ...]  # namespace-wide changes (their members are in connections too)
    policies: tuple[PolicyChange, ...]
    endpoints: tuple[EndpointChange, ...]

    def of_kind(self, kind: str) -> tuple[ConnectionChange, ...]:
        """The connection changes of one kind: added, removed or changed."""
        return tuple(c for c in self.connections if c.kind == kind)

    def policies_of_kind(self, kind: str) -> tuple[PolicyChange, ...]:
        """The policy changes of one kind: added, removed or modified."""
        return tuple(p for p in self.policies if p.kind == kind)

    @property
    def opens(self) -> bool:
        """Some traffic is or may be allowed in head that base denied (a connection added, ports
        gained, or an answer that became undetermined), or that base left undetermined."""
        return any(c.may_open for c in self.connections)

    @property
    def closes(self) -> bool:
        """Some traffic is or may be denied in head that base allowed (a connection removed, ports
        lost, or an answer that became undetermined), or that base left undetermined."""
        return any(c.may_close for c in self.connections)

    @property
    def empty(self) -> bool:
        """No connection and no policy differs (workload changes without effect do not count)."""
        return not self.connections and not self.policies


# -- building -------------------------------------------------------------------------------------


def _union_cuts(a: Cluster, b: Cluster, options: Options) -> dict[Direction, dict[int, frozenset[int]]]:
    out: dict[Direction, dict[int, frozenset[int]]] = {}
    for direction in Direction:
        ca, cb = cut_points(a, direction, options), cut_points(b, direction, options)
        out[direction] = {v: ca.get(v, frozenset()) | cb.get(v, frozenset()) for v in (4, 6)}
    return out


def _range_info(rng: ExternalRange) -> NodeInfo:
    return NodeInfo(rng.label, "external", None, rng.label, str(rng), "External", range=rng)


Edges = dict[tuple[str, str], tuple[ConnSet, ConnSet]]  # (allowed for certain, undetermined)


def _side(
    index: PolicyIndex, cuts: Mapping[Direction, Mapping[int, frozenset[int]]]
) -> tuple[Edges, dict[str, NodeInfo]]:
    """One side's workload-level edges, its external ranges split at the union of both sides' cuts.

    A side without IPv6 ipBlocks has no IPv6 range in its graph; when the other side has some,
    the whole IPv6 space (where all addresses behave alike on this side) is evaluated here.
    A workload to itself is its replicas (present when they may talk).
    """
    grouped = grouped_edges(index, GroupBy.WORKLOAD)
    infos: dict[str, NodeInfo] = dict(grouped.nodes)
    edges: Edges = {}
    none = ConnSet.none()

    def put(src: str, dst: str, conns: ConnSet, undetermined: ConnSet) -> None:
        prev = edges.get((src, dst))
        if prev is not None:
            conns, undetermined = prev[0] | conns, prev[1] | undetermined
            if undetermined:
                undetermined -= conns
        edges[(src, dst)] = (conns, undetermined)

    split: dict[tuple[ExternalRange, Direction], tuple[ExternalRange, ...]] = {}
    cluster = index.cluster
    # pod and node addresses: a range's representative avoids them (a node's own address may
    # behave apart, e.g. the local-node exception), so a part made only of them, cut out by the
    # other side's ipBlocks, is evaluated at its own address rather than given the range's verdict
    avoid = frozenset(ip for p in cluster.pods for ip in (*p.ips, *p.node_addresses))
    own: dict[Direction, set[ExternalRange]] = {d: set() for d in Direction}

    def parts(rng: ExternalRange, direction: Direction) -> tuple[ExternalRange, ...]:
        out = split.get((rng, direction))
        if out is None:  # once per range: every workload's edge to it is split the same way
            whole = split_range(rng, cuts[direction][rng.version])
            for part in whole:
                infos.setdefault(part.label, _range_info(part))
                if len(whole) > 1 and _only(part, avoid):
                    own[direction].add(part)
            out = split[(rng, direction)] = tuple(p for p in whole if p not in own[direction])
        return out

    for direction in Direction:  # find the parts to evaluate apart, on ranges with edges or not
        for rng in external_ranges(cluster, direction, options=index.options):
            parts(rng, direction)
    keys, width = grouped.keys, len(grouped.keys)
    for e in grouped.conns.keys() | grouped.undetermined.keys():
        s, d = keys[e // width], keys[e % width]
        conns, undetermined = grouped.conns.get(e, none), grouped.undetermined.get(e, none)
        src, dst = infos[s], infos[d]
        if src.range is not None:
            for part in parts(src.range, Direction.INGRESS):
                put(part.label, d, conns, undetermined)
        elif dst.range is not None:
            for part in parts(dst.range, Direction.EGRESS):
                put(s, part.label, conns, undetermined)
        else:
            put(s, d, conns, undetermined)
    for direction, found in own.items():
        for part in sorted(found, key=lambda r: (r.version, r.first_int)):
            ext = External(part.representative())
            for pod in cluster.pods:
                if direction is Direction.EGRESS:
                    pair = evaluate_pair(index, pod, ext)
                    if pair.possible:
                        put(pod.endpoint, part.label, pair.conns, pair.undetermined)
                else:
                    pair = evaluate_pair(index, ext, pod)
                    if pair.possible:
                        put(part.label, pod.endpoint, pair.conns, pair.undetermined)
    for direction in Direction:
        if not cuts[direction][6] or cut_points(cluster, direction, index.options)[6]:
            continue
        space = ExternalRange(6, 0, _MAX_V6)
        ext = External(space.representative(avoid))
        for pod in cluster.pods:
            pair = evaluate_pair(index, pod, ext) if direction is Direction.EGRESS else evaluate_pair(index, ext, pod)
            if not pair.possible:
                continue
            for part in parts(space, direction):
                if direction is Direction.EGRESS:
                    put(pod.endpoint, part.label, pair.conns, pair.undetermined)
                else:
                    put(part.label, pod.endpoint, pair.conns, pair.undetermined)
    return edges, infos


def _only(part: ExternalRange, addresses: frozenset[IPAddress]) -> bool:
    """True if every address of ``part`` (a small range) is one of ``addresses``."""
    if part.last_int - part.first_int >= 256:
        return False
    cls = IPv4Address if part.version == 4 else IPv6Address
    return all(cls(v) in addresses for v in range(part.first_int, part.last_int + 1))


def _members(cluster: Cluster) -> dict[str, tuple[Pod, ...]]:
    out: dict[str, list[Pod]] = {}
    for pod in cluster.pods:
        out.setdefault(pod.endpoint, []).append(pod)
    return {k: tuple(v) for k, v in out.items()}


def _rule_fields(
    prefix: str, a: Sequence[Rule | ClusterRule], b: Sequence[Rule | ClusterRule], peers_key: str
) -> list[str]:
    """The rules added, removed or changed between two versions, as field paths (a
    cluster-scoped rule also has an action and a name)."""
    out = []
    for i in range(max(len(a), len(b))):
        where = f"{prefix}[{i}]"
        if i >= len(a):
            out.append(f"{where} added")
        elif i >= len(b):
            out.append(f"{where} removed")
        else:
            x, y = a[i], b[i]
            both = (x, y) if isinstance(x, ClusterRule) and isinstance(y, ClusterRule) else None
            if both and both[0].action != both[1].action:
                out.append(f"{where}.action")
            if x.peers != y.peers:
                out.append(f"{where}.{peers_key}")
            if x.ports != y.ports:
                out.append(f"{where}.ports")
            if both and both[0].name != both[1].name:
                out.append(f"{where}.name")
    return out


def policy_fields(base: NetworkPolicy, head: NetworkPolicy) -> tuple[str, ...]:
    """What differs between two versions of a policy, as API field paths."""
    out = []
    if base.pod_selector != head.pod_selector:
        out.append("spec.podSelector")
    if base.policy_types != head.policy_types:
        out.append("spec.policyTypes")
    out += _rule_fields("spec.ingress", base.ingress, head.ingress, "from")
    out += _rule_fields("spec.egress", base.egress, head.egress, "to")
    return tuple(out)


def cluster_policy_fields(base: ClusterNetworkPolicy, head: ClusterNetworkPolicy) -> tuple[str, ...]:
    """What differs between two versions of a cluster-scoped policy, as API field paths (a
    priority or tier change reorders the chain)."""
    out = []
    if base.tier != head.tier:
        out.append("spec.tier")
    if base.priority != head.priority:
        out.append("spec.priority")
    if base.subject != head.subject:
        out.append("spec.subject")
    out += _rule_fields("spec.ingress", base.ingress, head.ingress, "from")
    out += _rule_fields("spec.egress", base.egress, head.egress, "to")
    return tuple(out)


def _policy_changes(base: Cluster, head: Cluster) -> list[PolicyChange]:
    out = []
    old = {p.ref: p for p in base.policies}
    new = {p.ref: p for p in head.policies}
    for ref in sorted(old.keys() | new.keys()):
        a, b = old.get(ref), new.get(ref)
        if a is None:
            out.append(PolicyChange("added", ref, None, b))
        elif b is None:
            out.append(PolicyChange("removed", ref, a, None))
        elif a != b:
            out.append(PolicyChange("modified", ref, a, b, policy_fields(a, b)))
    old_c = {p.ref: p for p in base.cluster_policies}
    new_c = {p.ref: p for p in head.cluster_policies}
    for ref in sorted(old_c.keys() | new_c.keys()):
        ca, cb = old_c.get(ref), new_c.get(ref)
        if ca is None:
            out.append(PolicyChange("added", ref, None, cb))
        elif cb is None:
            out.append(PolicyChange("removed", ref, ca, None))
        elif ca != cb:
            out.append(PolicyChange("modified", ref, ca, cb, cluster_policy_fields(ca, cb)))
    return out


def _labels_text(pods: Sequence[Pod]) -> str:
    sets = {p.labels for p in pods}
    return str(next(iter(sets))) if len(sets) == 1 else "various"


def _ports_text(pods: Sequence[Pod]) -> str:
    ports = sorted({f"{cp.port}/{cp.protocol}" + (f" ({cp.name})" if cp.name else "") for p in pods for cp in p.ports})
    return ", ".join(ports) if ports else "none"


def _workload_details(a: Sequence[Pod], b: Sequence[Pod]) -> tuple[str, ...]:
    out = []
    if len(a) != len(b):
        out.append(f"pods {len(a)} -> {len(b)}")
    if sorted(str(p.labels) for p in a) != sorted(str(p.labels) for p in b):
        out.append(f"labels {_labels_text(a)} -> {_labels_text(b)}")
    if {cp for p in a for cp in p.ports} != {cp for p in b for cp in p.ports}:
        out.append(f"ports {_ports_text(a)} -> {_ports_text(b)}")
    if sorted(str(ip) for p in a for ip in p.ips) != sorted(str(ip) for p in b for ip in p.ips):
        out.append("pod IPs changed")
    placement = [(p.host_network, p.node_name, p.host_ip) for p in a]
    if sorted(map(str, placement)) != sorted(str((p.host_network, p.node_name, p.host_ip)) for p in b):
        out.append("node or hostNetwork changed")
    if not out:  # same values, another split into pods
        out.append("pods changed")
    return tuple(out)


def _endpoint_changes(
    base: Cluster, head: Cluster, old: Mapping[str, tuple[Pod, ...]], new: Mapping[str, tuple[Pod, ...]]
) -> list[EndpointChange]:
    out = []
    for ref in sorted(old.keys() | new.keys()):
        a, b = old.get(ref, ()), new.get(ref, ())
        if not a:
            out.append(EndpointChange("added", "workload", ref, (f"labels {_labels_text(b)}",), b[0].span))
        elif not b:
            out.append(EndpointChange("removed", "workload", ref, (), a[0].span))
        elif sorted(a, key=lambda p: p.ref) != sorted(b, key=lambda p: p.ref):
            out.append(EndpointChange("changed", "workload", ref, _workload_details(a, b), b[0].span))
    old_ns = {n.name: n for n in base.namespaces}
    new_ns = {n.name: n for n in head.namespaces}
    for name in sorted(old_ns.keys() & new_ns.keys()):
        a_ns, b_ns = old_ns[name], new_ns[name]
        if a_ns.labels != b_ns.labels:
            detail = f"labels {a_ns.labels} -> {b_ns.labels}"
            out.append(EndpointChange("changed", "namespace", name, (detail,), b_ns.span))
    return out


def _selecting(index: PolicyIndex, pods: Sequence[Pod], direction: Direction) -> set[str]:
    """The policies that select any of ``pods`` for ``direction``: NetworkPolicies isolating them,
    and cluster-scoped policies of either tier that select them (or may)."""
    out = {pol.ref for pod in pods for pol in index.isolating(pod, direction)}
    out |= {pol.ref for pod in pods for tier in Tier for pol, _ in index.tier_policies(pod, direction, tier)}
    return out


class _Attributor:
    """Finds the causes of a changed connection among the policy and endpoint changes."""

    def __init__(
        self,
        indexes: tuple[PolicyIndex, PolicyIndex],
        members: tuple[Mapping[str, tuple[Pod, ...]], Mapping[str, tuple[Pod, ...]]],
        policies: Sequence[PolicyChange],
        endpoints: Sequence[EndpointChange],
    ) -> None:
        self.indexes = indexes
        self.members = members
        self.policies = policies
        self.workloads = {e.ref: e for e in endpoints if e.subject == "workload"}
        self.namespaces = {e.ref: e for e in endpoints if e.subject == "namespace"}
        self.used: set[tuple[str, str]] = set()

    def _selected_by(self, info: NodeInfo, direction: Direction) -> set[str]:
        if info.kind == "external":
            return set()
        out: set[str] = set()
        for index, members in zip(self.indexes, self.members, strict=True):
            out |= _selecting(index, members.get(info.key, ()), direction)
        return out

    def causes(self, source: NodeInfo, destination: NodeInfo) -> tuple[Cause, ...]:
        out: list[Cause] = []
        egress = self._selected_by(source, Direction.EGRESS)
        ingress = self._selected_by(destination, Direction.INGRESS)
        for pc in self.policies:
            if pc.ref in egress:
                out.append(Cause("policy", pc.ref, pc.kind, "selects the source for Egress", pc.span))
            if pc.ref in ingress:
                out.append(Cause("policy", pc.ref, pc.kind, "selects the destination for Ingress", pc.span))
        for info, role in ((source, "the source"), (destination, "the destination")):
            change = self.workloads.get(info.key)
            if change is not None:
                what = "; ".join(change.details)
                role_text = f"{role} ({what})" if what else role
                out.append(Cause("workload", change.ref, change.kind, role_text, change.span))
                self.used.add(("workload", change.ref))
        for info, role in ((source, "the source's namespace"), (destination, "the destination's namespace")):
            ns_change = self.namespaces.get(info.namespace or "")
            if ns_change is not None:
                role_text = f"{role} ({'; '.join(ns_change.details)})"
                out.append(Cause("namespace", ns_change.ref, ns_change.kind, role_text, ns_change.span))
                self.used.add(("namespace", ns_change.ref))
        return tuple(out)


def _group_of(info: NodeInfo) -> tuple[str, bool]:
    """The namespace of a workload, or the label of an external range; and whether it is a namespace."""
    if info.kind == "external" or info.namespace is None:
        return info.label, False
    return info.namespace, True


def _groups(
    changes: Sequence[ConnectionChange],
    infos: Mapping[str, NodeInfo],
    edges: tuple[Edges, Edges],
) -> tuple[ChangeGroup, ...]:
    """Namespace-wide changes: every connection between two groups changed, and the same way."""

    def count(side: Edges) -> Counter[tuple[str, str]]:
        return Counter((_group_of(infos[s])[0], _group_of(infos[d])[0]) for s, d in side)

    base_count, head_count = count(edges[0]), count(edges[1])
    buckets: dict[tuple[ConnKind, str, str], list[ConnectionChange]] = {}
    for change in changes:
        src, dst = _group_of(change.source)[0], _group_of(change.destination)[0]
        buckets.setdefault((change.kind, src, dst), []).append(change)
    out = []
    for (kind, src, dst), members in buckets.items():
        n = len(members)
        if n < MIN_GROUP:
            continue
        if kind == "added":  # nothing between the two before, all of this after
            whole = n == head_count[(src, dst)] and not base_count[(src, dst)]
        elif kind == "removed":  # all of this before, nothing after
            whole = n == base_count[(src, dst)] and not head_count[(src, dst)]
        else:
            same = len({m.delta for m in members}) == 1
            whole = same and n == base_count[(src, dst)] == head_count[(src, dst)]
        if whole:
            first = members[0]
            src_ns, dst_ns = _group_of(first.source)[1], _group_of(first.destination)[1]
            out.append(ChangeGroup(kind, src, dst, src_ns, dst_ns, tuple(members)))
    out.sort(key=lambda g: (KIND_ORDER[g.kind], g.source.encode(), g.destination.encode()))
    return tuple(out)


def diff_clusters(base: Cluster, head: Cluster, options: Options | None = None) -> Diff:
    """Compare the reachability of two clusters, and say which changes caused each difference."""
    options = options or Options()
    indexes = (PolicyIndex(base, options), PolicyIndex(head, options))
    cuts = _union_cuts(base, head, options)
    (base_edges, base_infos), (head_edges, head_infos) = _side(indexes[0], cuts), _side(indexes[1], cuts)
    members = (_members(base), _members(head))
    policies = _policy_changes(base, head)
    endpoints = _endpoint_changes(base, head, *members)
    attributor = _Attributor(indexes, members, policies, endpoints)
    infos = {**base_infos, **head_infos}

    changes: list[ConnectionChange] = []
    none = (ConnSet.none(), ConnSet.none())
    for key in base_edges.keys() | head_edges.keys():
        (before, before_u), (after, after_u) = base_edges.get(key, none), head_edges.get(key, none)
        if (before, before_u) == (after, after_u):
            continue
        kind: ConnKind = "added" if not (before or before_u) else "removed" if not (after or after_u) else "changed"
        src, dst = infos[key[0]], infos[key[1]]
        causes = attributor.causes(src, dst)
        changes.append(ConnectionChange(kind, src, dst, before, after, causes, before_u, after_u))
    changes.sort(key=lambda c: (KIND_ORDER[c.kind], c.source.label.encode(), c.destination.label.encode()))
    endpoint_changes = tuple(
        EndpointChange(e.kind, e.subject, e.ref, e.details, e.span, (e.subject, e.ref) in attributor.used)
        for e in endpoints
    )
    return Diff(tuple(changes), _groups(changes, infos, (base_edges, head_edges)), tuple(policies), endpoint_changes)
