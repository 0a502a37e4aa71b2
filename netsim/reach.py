"""Fast all-pairs reachability over equivalence classes of pods.

Pods that every policy treats alike (same namespace, labels, declared ports, ipBlock membership,
host-network and node identity) form a class. Per rule, the classes its peers select are computed
once as a bitset; per *isolation profile* (the tuple of policies isolating a pod in a direction)
the connections towards or from every class are unions over those rules. A pair's connection set
is then ``egress[profile(src)][dst] & ingress[profile(dst)][src]`` — the same rule as
:func:`netsim.engine.evaluate_pair`, which stays the single semantic entry point: pairs involving
pods treated as their node (hostNetwork) go through it directly, and the test suite checks this
module against it on every pair and port of random clusters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.externals import ExternalRange, external_ranges, ip_blocks
from netsim.match.ports import resolve_named_ports
from netsim.match.selectors import matches_selector
from netsim.model import (
    ContainerPort,
    Direction,
    External,
    IPAddress,
    IPBlockPeer,
    LabelSelector,
    NetworkPolicy,
    Pod,
    PodPeer,
    PortSpec,
    Rule,
)

__all__ = ["PodClass", "Reachability", "compute_reachability", "pod_classes"]

Progress = Callable[[int, int], None]

_ALL = ConnSet.all()


@dataclass(frozen=True, slots=True)
class PodClass:
    """Pods that every policy treats alike; ``pods[0]`` represents them."""

    index: int
    pods: tuple[Pod, ...]

    @property
    def rep(self) -> Pod:
        """The representative pod."""
        return self.pods[0]


def _blocks(index: PolicyIndex) -> tuple[IPBlockPeer, ...]:
    """Every distinct ipBlock of either direction."""
    cluster = index.cluster
    return tuple(dict.fromkeys([*ip_blocks(cluster, Direction.INGRESS), *ip_blocks(cluster, Direction.EGRESS)]))


def _pods_in_blocks(pods: tuple[Pod, ...], blocks: tuple[IPBlockPeer, ...]) -> list[list[int]]:
    """For each block, the indices of the pods that have an address in it (sorted-IP bisection)."""
    per_family: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for i, pod in enumerate(pods):
        for ip in pod.ips:
            per_family[ip.version].append((int(ip), i))
    for entries in per_family.values():
        entries.sort()
    keys = {v: [e[0] for e in entries] for v, entries in per_family.items()}
    out: list[list[int]] = []
    for block in blocks:
        version = block.cidr.version
        found: set[int] = set()
        for lo, hi in block.intervals():
            a, b = bisect_left(keys[version], lo), bisect_right(keys[version], hi)
            found.update(e[1] for e in per_family[version][a:b])
        out.append(sorted(found))
    return out


def _classes(index: PolicyIndex, split_nodes: bool = False) -> tuple[list[PodClass], dict[int, list[int]]]:
    """The pod classes, and for each ipBlock (by id) the indices of the pods it covers."""
    pods = index.cluster.pods
    blocks = _blocks(index)
    covered = _pods_in_blocks(pods, blocks)
    sigs: list[list[int]] = [[] for _ in pods]
    for b, members in enumerate(covered):
        for i in members:
            sigs[i].append(b)
    has_host_network = split_nodes or any(p.host_network for p in pods)
    groups: dict[Hashable, list[Pod]] = {}
    for i, pod in enumerate(pods):
        node_sig = (pod.node_name, pod.host_ip, pod.ips) if has_host_network else ()
        key = (pod.namespace, pod.labels, pod.ports, pod.host_network, tuple(sigs[i]), node_sig)
        groups.setdefault(key, []).append(pod)
    classes = [PodClass(i, tuple(members)) for i, members in enumerate(groups.values())]
    return classes, {id(b): members for b, members in zip(blocks, covered, strict=True)}


def pod_classes(index: PolicyIndex) -> list[list[Pod]]:
    """Groups of pods that every policy treats alike (same answer for every pair and port)."""
    return [list(c.pods) for c in _classes(index)[0]]


def _bits(mask: int) -> Iterator[int] | list[int]:
    """Indices of the set bits, ascending (dense masks through the C-level bin() text)."""
    if mask.bit_count() * 16 < mask.bit_length():
        return _sparse_bits(mask)
    text = bin(mask)[:1:-1]
    return [i for i, ch in enumerate(text) if ch == "1"]


def _sparse_bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


class _Algebra:
    """Interned connection sets with memoised union and intersection (few distinct values)."""

    def __init__(self) -> None:
        self._values: dict[ConnSet, ConnSet] = {}
        self._or: dict[tuple[int, int], ConnSet] = {}
        self._and: dict[tuple[int, int], ConnSet] = {}

    def intern(self, c: ConnSet) -> ConnSet:
        return self._values.setdefault(c, c)

    def union(self, a: ConnSet, b: ConnSet) -> ConnSet:
        if a is b:
            return a
        key = (id(a), id(b))
        out = self._or.get(key)
        if out is None:
            out = self._or[key] = self.intern(a | b)
        return out

    def meet(self, a: ConnSet, b: ConnSet) -> ConnSet:
        if a is b or b is _ALL:
            return a
        if a is _ALL:
            return b
        key = (id(a), id(b))
        out = self._and.get(key)
        if out is None:
            out = self._and[key] = self.intern(a & b)
        return out


@dataclass
class Reachability:
    """Connection sets between pod classes and external ranges (only non-empty ones)."""

    classes: list[PodClass]
    sources: tuple[ExternalRange, ...]  # external ranges that may initiate (ingress ipBlock cut)
    destinations: tuple[ExternalRange, ...]  # external ranges that may be reached (egress cut)
    pairs: dict[tuple[int, int], ConnSet]  # (src class, dst class); same class = distinct pods of it
    to_external: dict[tuple[int, int], ConnSet]  # (src class, destination range)
    from_external: dict[tuple[int, int], ConnSet]  # (source range, dst class)
    ingress_open: list[bool]  # per class: not isolated for ingress
    egress_open: list[bool]  # per class: not isolated for egress


class _Compiler:
    """Per-rule selections and per-profile unions."""

    def __init__(
        self,
        index: PolicyIndex,
        classes: list[PodClass],
        ranges: dict[Direction, tuple[ExternalRange, ...]],
        avoid: frozenset[IPAddress],
        pods_in_block: dict[int, list[int]],
    ) -> None:
        self.index = index
        self.classes = classes
        self.options = index.options
        self.by_ns: dict[str, int] = {}
        for c in classes:
            self.by_ns[c.rep.namespace] = self.by_ns.get(c.rep.namespace, 0) | (1 << c.index)
        self.all_mask = (1 << len(classes)) - 1
        self.node_mask = 0
        for c in classes:
            if self.options.is_node_traffic(c.rep):
                self.node_mask |= 1 << c.index
        self.ranges = ranges
        self.range_reps = {d: [External(r.representative(avoid)) for r in rs] for d, rs in ranges.items()}
        self.pods = index.cluster.pods
        self.pods_in_block = pods_in_block
        pod_pos = {id(p): i for i, p in enumerate(self.pods)}
        self.class_of: list[int] = [0] * len(self.pods)
        for c in classes:
            for p in c.pods:
                self.class_of[pod_pos[id(p)]] = c.index
        self.range_starts: dict[Direction, dict[int, list[int]]] = {}
        self.range_offset: dict[Direction, dict[int, int]] = {}
        for side, rs in ranges.items():
            self.range_starts[side] = {v: [r.first_int for r in rs if r.version == v] for v in (4, 6)}
            self.range_offset[side] = {4: 0, 6: sum(1 for r in rs if r.version == 4)}
        self.alg = _Algebra()
        self._ns_sel: dict[LabelSelector, int] = {}
        self._peer_mask: dict[tuple[int, str], int] = {}
        self._rule_mask: dict[tuple[int, Direction], tuple[int, int]] = {}
        self._ports: dict[tuple[int, tuple[ContainerPort, ...]], ConnSet] = {}
        self._class_labels: dict[tuple[str, str], int] | None = None

    def _label_index(self) -> dict[tuple[str, str], int]:
        """(key, value) -> classes whose pods carry that label (built on first use)."""
        if self._class_labels is None:
            index: dict[tuple[str, str], int] = {}
            for c in self.classes:
                bit = 1 << c.index
                for item in c.rep.labels.items():
                    index[item] = index.get(item, 0) | bit
            self._class_labels = index
        return self._class_labels

    def _namespaces(self, selector: LabelSelector) -> int:
        """Classes in the namespaces ``selector`` selects."""
        mask = self._ns_sel.get(selector)
        if mask is None:
            mask = 0
            for ns, ns_mask in self.by_ns.items():
                if matches_selector(selector, self.index.cluster.namespace_labels(ns)):
                    mask |= ns_mask
            self._ns_sel[selector] = mask
        return mask

    def _select(self, selector: LabelSelector, scope: int) -> int:
        """Classes of ``scope`` whose labels ``selector`` matches: matchLabels through the label
        index, the remaining requirements checked on the candidates only."""
        index = self._label_index()
        mask = scope
        for item in selector.match_labels.items():
            mask &= index.get(item, 0)
            if not mask:
                return 0
        if selector.match_expressions:
            bare = LabelSelector(match_expressions=selector.match_expressions)
            kept = 0
            for i in _bits(mask):
                if matches_selector(bare, self.classes[i].rep.labels):
                    kept |= 1 << i
            mask = kept
        return mask

    def _pod_peer(self, peer: PodPeer, policy_ns: str) -> int:
        key = (id(peer), policy_ns if peer.namespace_selector is None else "")
        mask = self._peer_mask.get(key)
        if mask is None:
            scope = (
                self.by_ns.get(policy_ns, 0)
                if peer.namespace_selector is None
                else self._namespaces(peer.namespace_selector)
            )
            scope &= ~self.node_mask
            if peer.pod_selector is not None and not peer.pod_selector.is_empty():
                mask = self._select(peer.pod_selector, scope)
            else:
                mask = scope
            self._peer_mask[key] = mask
        return mask

    def rule_masks(self, policy: NetworkPolicy, rule: Rule, direction: Direction) -> tuple[int, int]:
        """(classes, remote external ranges) the rule's peers select."""
        key = (id(rule), direction)
        cached = self._rule_mask.get(key)
        if cached is not None:
            return cached
        remote_side = Direction.EGRESS if direction is Direction.EGRESS else Direction.INGRESS
        reps = self.range_reps[remote_side]
        if not rule.peers:
            result = (self.all_mask, (1 << len(reps)) - 1)
        else:
            classes = 0
            ext = 0
            for peer in rule.peers:
                if isinstance(peer, PodPeer):
                    classes |= self._pod_peer(peer, policy.namespace)
                else:
                    classes |= self._block_classes(peer)
                    ext |= self._block_ranges(peer, remote_side)
            result = (classes, ext)
        self._rule_mask[key] = result
        return result

    def _block_classes(self, peer: IPBlockPeer) -> int:
        """Classes whose pods the ipBlock selects (plugin choice: pod IPs, node addresses)."""
        mask = 0
        for i in self.pods_in_block.get(id(peer), ()):
            c = self.class_of[i]
            if self.options.ipblock_matches_pods or (self.node_mask >> c) & 1:
                mask |= 1 << c
        return mask

    def _block_ranges(self, peer: IPBlockPeer, side: Direction) -> int:
        """External ranges (of one side's cut) inside the block: ranges never straddle it."""
        starts = self.range_starts[side][peer.cidr.version]
        offset = self.range_offset[side][peer.cidr.version]
        mask = 0
        for lo, hi in peer.intervals():
            a, b = bisect_left(starts, lo), bisect_right(starts, hi)
            for k in range(a, b):
                mask |= 1 << (offset + k)
        return mask

    def ports(self, rule: Rule, static: ConnSet, named: tuple[PortSpec, ...], dst: Pod | None) -> ConnSet:
        """What the rule's ports allow towards ``dst`` (None: an external address)."""
        if not named or dst is None:  # a named port never matches a non-pod destination
            return self.alg.intern(static)
        key = (id(rule), dst.ports)
        cached = self._ports.get(key)
        if cached is None:
            cached = self.alg.intern(static | resolve_named_ports(named, dst).conns)
            self._ports[key] = cached
        return cached


def compute_reachability(index: PolicyIndex, progress: Progress | None = None) -> Reachability:
    """All non-empty connection sets between classes and external ranges."""
    cluster = index.cluster
    avoid: frozenset[IPAddress] = frozenset(
        ip for p in cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ()))
    )
    ranges = {
        Direction.INGRESS: external_ranges(cluster, Direction.INGRESS),
        Direction.EGRESS: external_ranges(cluster, Direction.EGRESS),
    }
    # a range made only of pod and node addresses is represented by one of them; when that is a
    # node's address, the own-node exemption applies to that node's pods only, so such ranges are
    # evaluated per class and pods on different nodes are kept apart
    host_ips = {p.host_ip for p in cluster.pods if p.host_ip is not None}
    node_ranges = {d: [k for k, r in enumerate(rs) if r.representative(avoid) in host_ips] for d, rs in ranges.items()}
    classes, pods_in_block = _classes(index, split_nodes=any(node_ranges.values()))
    comp = _Compiler(index, classes, ranges, avoid, pods_in_block)
    alg = comp.alg
    union, meet = alg.union, alg.meet
    n = len(classes)
    n_src_ext = len(ranges[Direction.INGRESS])
    n_dst_ext = len(ranges[Direction.EGRESS])

    # isolation profiles, keyed by policy ids (hashing the frozen policies deeply would be slow)
    profiles: dict[tuple[int, ...], tuple[NetworkPolicy, ...]] = {}
    egress_profile: list[tuple[int, ...]] = []
    ingress_profile: list[tuple[int, ...]] = []
    for c in classes:
        for direction, out in ((Direction.EGRESS, egress_profile), (Direction.INGRESS, ingress_profile)):
            pols = index.isolating(c.rep, direction)
            key = tuple(id(p) for p in pols)
            profiles.setdefault(key, pols)
            out.append(key)

    # egress: per profile, the connections towards every class and every destination range
    egress_to: dict[tuple[int, ...], dict[int, ConnSet]] = {}
    egress_ext: dict[tuple[int, ...], dict[int, ConnSet]] = {}
    for profile in dict.fromkeys(p for p in egress_profile if p):
        acc: dict[int, ConnSet] = {}
        ext_acc: dict[int, ConnSet] = {}
        for pol in profiles[profile]:
            for crule in index.compiled_rules(pol, Direction.EGRESS):
                mask, ext = comp.rule_masks(pol, crule.rule, Direction.EGRESS)
                if crule.named:
                    for d in _bits(mask):
                        conns = comp.ports(crule.rule, crule.static, crule.named, classes[d].rep)
                        acc[d] = union(acc[d], conns) if d in acc else conns
                else:
                    conns = comp.ports(crule.rule, crule.static, crule.named, None)
                    for d in _bits(mask):
                        acc[d] = union(acc[d], conns) if d in acc else conns
                conns = comp.ports(crule.rule, crule.static, crule.named, None)
                if conns:
                    for k in _bits(ext):
                        ext_acc[k] = union(ext_acc[k], conns) if k in ext_acc else conns
        egress_to[profile] = {d: c for d, c in acc.items() if c}
        egress_ext[profile] = ext_acc

    # ingress: per (profile, destination ports) the connections from every class and source range
    port_ids: dict[tuple[ContainerPort, ...], int] = {}
    ingress_from: dict[tuple[tuple[int, ...], int], dict[int, ConnSet]] = {}
    ingress_ext: dict[tuple[tuple[int, ...], int], dict[int, ConnSet]] = {}
    named_profile: dict[tuple[int, ...], bool] = {}

    def ingress_key(d: int) -> tuple[tuple[int, ...], int]:
        profile = ingress_profile[d]
        named = named_profile.get(profile)
        if named is None:
            named = any(cr.named for pol in profiles[profile] for cr in index.compiled_rules(pol, Direction.INGRESS))
            named_profile[profile] = named
        ports = port_ids.setdefault(classes[d].rep.ports, len(port_ids)) if named else -1
        return profile, ports

    ingress_keys = [ingress_key(d) if ingress_profile[d] else None for d in range(n)]
    key_rep: dict[tuple[tuple[int, ...], int], Pod] = {}
    for d in range(n):
        dkey = ingress_keys[d]
        if dkey is not None:
            key_rep.setdefault(dkey, classes[d].rep)
    for ikey, dst_rep in key_rep.items():
        acc = {}
        ext_acc = {}
        for pol in profiles[ikey[0]]:
            for crule in index.compiled_rules(pol, Direction.INGRESS):
                mask, ext = comp.rule_masks(pol, crule.rule, Direction.INGRESS)
                conns = comp.ports(crule.rule, crule.static, crule.named, dst_rep)
                if not conns:
                    continue
                for s in _bits(mask):
                    acc[s] = union(acc[s], conns) if s in acc else conns
                for r in _bits(ext):
                    ext_acc[r] = union(ext_acc[r], conns) if r in ext_acc else conns
        ingress_from[ikey] = acc
        ingress_ext[ikey] = ext_acc

    pairs: dict[tuple[int, int], ConnSet] = {}
    node_mask = comp.node_mask
    node_classes = list(_bits(node_mask))
    # ingress side inverted: for each source class, the isolated destinations that admit it
    members_of_key: dict[tuple[tuple[int, ...], int], list[int]] = {}
    open_in: list[int] = []
    for d in range(n):
        in_key = ingress_keys[d]
        if (node_mask >> d) & 1:
            continue
        if in_key is None:
            open_in.append(d)
        else:
            members_of_key.setdefault(in_key, []).append(d)
    # only sources that egress anywhere need it; isolated sources look their targets up directly
    admits: list[dict[int, ConnSet]] = [{} for _ in range(n)]
    for in_key, dsts in members_of_key.items():
        for src_index, conns in ingress_from[in_key].items():
            if egress_profile[src_index] or (node_mask >> src_index) & 1:
                continue
            row = admits[src_index]
            for d in dsts:
                row[d] = conns
    for s in range(n):
        src = classes[s]
        s_is_node = (node_mask >> s) & 1
        e_profile = egress_profile[s]
        e_row = egress_to.get(e_profile) if e_profile else None
        candidates: dict[int, ConnSet] = {}
        if s_is_node:
            targets: list[int] = list(range(n))
        else:
            # node classes are always evaluated: a pod may reach its own node whatever its rules
            targets = node_classes
            if e_row is None:
                for d in open_in:
                    candidates[d] = _ALL
                candidates.update(admits[s])
            else:
                for d, egress in e_row.items():
                    if (node_mask >> d) & 1:
                        continue
                    in_key = ingress_keys[d]
                    ingress = _ALL if in_key is None else ingress_from[in_key].get(s)
                    if ingress is not None:
                        conns = meet(egress, ingress)
                        if conns:
                            candidates[d] = conns
        for d, conns in candidates.items():
            if s != d or len(src.pods) > 1:
                pairs[(s, d)] = conns
        for d in targets:
            if s == d and len(src.pods) < 2:
                continue
            if s_is_node or (node_mask >> d) & 1:
                dst_pod = classes[d].pods[1] if s == d else classes[d].rep
                conns = evaluate_pair(index, src.rep, dst_pod).conns
                if conns:
                    pairs[(s, d)] = conns
        if progress is not None:
            progress(s + 1, n)

    to_external: dict[tuple[int, int], ConnSet] = {}
    from_external: dict[tuple[int, int], ConnSet] = {}
    dst_reps = comp.range_reps[Direction.EGRESS]
    src_reps = comp.range_reps[Direction.INGRESS]
    for c in classes:
        s = c.index
        if (node_mask >> s) & 1:
            for k in range(n_dst_ext):
                conns = evaluate_pair(index, c.rep, dst_reps[k]).conns
                if conns:
                    to_external[(s, k)] = conns
            for k in range(n_src_ext):
                conns = evaluate_pair(index, src_reps[k], c.rep).conns
                if conns:
                    from_external[(k, s)] = conns
            continue
        e_profile = egress_profile[s]
        if not e_profile:
            for k in range(n_dst_ext):
                to_external[(s, k)] = _ALL
        else:
            for k, conns in egress_ext[e_profile].items():
                to_external[(s, k)] = conns
        own_key = ingress_keys[s]
        if own_key is None:
            for k in range(n_src_ext):
                from_external[(k, s)] = _ALL
        else:
            for k, conns in ingress_ext[own_key].items():
                from_external[(k, s)] = conns
        for k in node_ranges[Direction.EGRESS]:
            to_external.pop((s, k), None)
            if conns := evaluate_pair(index, c.rep, dst_reps[k]).conns:
                to_external[(s, k)] = conns
        for k in node_ranges[Direction.INGRESS]:
            from_external.pop((k, s), None)
            if conns := evaluate_pair(index, src_reps[k], c.rep).conns:
                from_external[(k, s)] = conns
    return Reachability(
        classes,
        ranges[Direction.INGRESS],
        ranges[Direction.EGRESS],
        pairs,
        to_external,
        from_external,
        [not p for p in ingress_profile],
        [not p for p in egress_profile],
    )
