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

from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.externals import ExternalRange, external_ranges
from netsim.match.ipblock import ip_in_block
from netsim.match.peers import matches_peer
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
    seen: dict[IPBlockPeer, None] = {}
    for pol in index.cluster.policies:
        for direction in Direction:
            for rule in pol.rules(direction):
                for peer in rule.peers:
                    if isinstance(peer, IPBlockPeer):
                        seen.setdefault(peer)
    return tuple(seen)


def _classes(index: PolicyIndex) -> list[PodClass]:
    blocks = _blocks(index)
    has_host_network = any(p.host_network for p in index.cluster.pods)
    groups: dict[Hashable, list[Pod]] = {}
    for pod in index.cluster.pods:
        block_sig = tuple(any(ip_in_block(ip, b) for ip in pod.ips) for b in blocks) if blocks and pod.ips else ()
        node_sig = (pod.node_name, pod.host_ip, pod.ips) if has_host_network else ()
        key = (pod.namespace, pod.labels, pod.ports, pod.host_network, block_sig, node_sig)
        groups.setdefault(key, []).append(pod)
    return [PodClass(i, tuple(pods)) for i, pods in enumerate(groups.values())]


def pod_classes(index: PolicyIndex) -> list[list[Pod]]:
    """Groups of pods that every policy treats alike (same answer for every pair and port)."""
    return [list(c.pods) for c in _classes(index)]


def _bits(mask: int) -> Iterator[int]:
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


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
        self._ns_sel: dict[LabelSelector, int] = {}
        self._peer_mask: dict[tuple[PodPeer, str], int] = {}
        self._rule_mask: dict[tuple[int, Direction], tuple[int, int]] = {}
        self._ports: dict[tuple[int, tuple[ContainerPort, ...]], ConnSet] = {}

    def _namespaces(self, selector: LabelSelector) -> int:
        mask = self._ns_sel.get(selector)
        if mask is None:
            mask = 0
            for ns, ns_mask in self.by_ns.items():
                if matches_selector(selector, self.index.cluster.namespace_labels(ns)):
                    mask |= ns_mask
            self._ns_sel[selector] = mask
        return mask

    def _pod_peer(self, peer: PodPeer, policy_ns: str) -> int:
        key = (peer, policy_ns if peer.namespace_selector is None else "")
        mask = self._peer_mask.get(key)
        if mask is None:
            scope = (
                self.by_ns.get(policy_ns, 0)
                if peer.namespace_selector is None
                else self._namespaces(peer.namespace_selector)
            )
            scope &= ~self.node_mask
            if peer.pod_selector is not None and not peer.pod_selector.is_empty():
                sel = peer.pod_selector
                mask = 0
                for i in _bits(scope):
                    if matches_selector(sel, self.classes[i].rep.labels):
                        mask |= 1 << i
            else:
                mask = scope
            self._peer_mask[key] = mask
        return mask

    def rule_masks(self, policy: NetworkPolicy, rule_index: int, rule: Rule, direction: Direction) -> tuple[int, int]:
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
                    for i, c in enumerate(self.classes):
                        if not (classes >> i) & 1 and matches_peer(
                            peer, policy.namespace, c.rep, self.index.cluster, self.options
                        ):
                            classes |= 1 << i
                    for k, ext_rep in enumerate(reps):
                        if ip_in_block(ext_rep.ip, peer):
                            ext |= 1 << k
            result = (classes, ext)
        self._rule_mask[key] = result
        return result

    def ports(self, rule: Rule, static: ConnSet, named: tuple[PortSpec, ...], dst: Pod | None) -> ConnSet:
        """What the rule's ports allow towards ``dst`` (None: an external address)."""
        if not named:
            return static
        if dst is None:
            return static  # a named port never matches a non-pod destination
        key = (id(rule), dst.ports)
        cached = self._ports.get(key)
        if cached is None:
            cached = static | resolve_named_ports(named, dst).conns
            self._ports[key] = cached
        return cached


def compute_reachability(index: PolicyIndex, progress: Progress | None = None) -> Reachability:
    """All non-empty connection sets between classes and external ranges."""
    cluster = index.cluster
    options = index.options
    classes = _classes(index)
    avoid: frozenset[IPAddress] = frozenset(
        ip for p in cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ()))
    )
    ranges = {
        Direction.INGRESS: external_ranges(cluster, Direction.INGRESS),
        Direction.EGRESS: external_ranges(cluster, Direction.EGRESS),
    }
    comp = _Compiler(index, classes, ranges, avoid)
    n = len(classes)
    n_src_ext = len(ranges[Direction.INGRESS])
    n_dst_ext = len(ranges[Direction.EGRESS])

    egress_profile: list[tuple[NetworkPolicy, ...]] = []
    ingress_profile: list[tuple[NetworkPolicy, ...]] = []
    for c in classes:
        egress_profile.append(index.isolating(c.rep, Direction.EGRESS))
        ingress_profile.append(index.isolating(c.rep, Direction.INGRESS))

    # egress: per profile, the connections towards every class and every destination range
    egress_to: dict[tuple[NetworkPolicy, ...], dict[int, ConnSet]] = {}
    egress_ext: dict[tuple[NetworkPolicy, ...], dict[int, ConnSet]] = {}
    for profile in dict.fromkeys(p for p in egress_profile if p):
        acc: dict[int, ConnSet] = {}
        ext_acc: dict[int, ConnSet] = {}
        for pol in profile:
            for crule in index.compiled_rules(pol, Direction.EGRESS):
                mask, ext = comp.rule_masks(pol, crule.index, crule.rule, Direction.EGRESS)
                for d in _bits(mask):
                    conns = comp.ports(crule.rule, crule.static, crule.named, classes[d].rep)
                    acc[d] = acc[d] | conns if d in acc else conns
                for k in _bits(ext):
                    conns = crule.static
                    if conns:
                        ext_acc[k] = ext_acc[k] | conns if k in ext_acc else conns
        egress_to[profile] = {d: c for d, c in acc.items() if c}
        egress_ext[profile] = ext_acc

    # ingress: per (profile, destination ports) the connections from every class and source range
    ingress_from: dict[tuple[tuple[NetworkPolicy, ...], tuple[ContainerPort, ...]], dict[int, ConnSet]] = {}
    ingress_ext: dict[tuple[tuple[NetworkPolicy, ...], tuple[ContainerPort, ...]], dict[int, ConnSet]] = {}

    def ingress_key(d: int) -> tuple[tuple[NetworkPolicy, ...], tuple[ContainerPort, ...]]:
        profile = ingress_profile[d]
        named = any(cr.named for pol in profile for cr in index.compiled_rules(pol, Direction.INGRESS))
        return profile, classes[d].rep.ports if named else ()

    ingress_keys = [ingress_key(d) if ingress_profile[d] else None for d in range(n)]
    for key in dict.fromkeys(k for k in ingress_keys if k is not None):
        profile, _ports = key
        dst_rep = next(classes[d].rep for d in range(n) if ingress_keys[d] == key)
        acc = {}
        ext_acc = {}
        for pol in profile:
            for crule in index.compiled_rules(pol, Direction.INGRESS):
                mask, ext = comp.rule_masks(pol, crule.index, crule.rule, Direction.INGRESS)
                conns = comp.ports(crule.rule, crule.static, crule.named, dst_rep)
                if not conns:
                    continue
                for s in _bits(mask):
                    acc[s] = acc[s] | conns if s in acc else conns
                for k in _bits(ext):
                    ext_acc[k] = ext_acc[k] | conns if k in ext_acc else conns
        ingress_from[key] = acc
        ingress_ext[key] = ext_acc

    pairs: dict[tuple[int, int], ConnSet] = {}
    node_mask = comp.node_mask
    all_classes = range(n)
    for s in all_classes:
        src = classes[s]
        s_is_node = (node_mask >> s) & 1
        e_profile = egress_profile[s]
        e_row = egress_to.get(e_profile) if e_profile else None
        targets = all_classes if e_row is None or s_is_node else sorted(e_row)
        for d in targets:
            if s == d and len(src.pods) < 2:
                continue
            if s_is_node or (node_mask >> d) & 1:
                dst_pod = classes[d].pods[1] if s == d else classes[d].rep
                conns = evaluate_pair(index, src.rep, dst_pod).conns
            else:
                egress = _ALL if e_row is None else e_row[d]
                in_key = ingress_keys[d]
                if in_key is None:
                    conns = egress
                else:
                    ingress = ingress_from[in_key].get(s)
                    conns = egress & ingress if ingress is not None else ConnSet.none()
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
    del options
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
