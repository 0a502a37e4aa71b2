"""Fast all-pairs reachability over equivalence classes of pods.

Pods that every policy treats alike (same namespace, labels, declared ports, ipBlock membership,
host-network and node identity) form a class. Per rule, the classes its peers select are computed
once as a bitset; per *isolation profile* (the tuple of policies isolating a pod in a direction)
those selections are refined into disjoint parts by connection set. A pair's connection set is
``egress[profile(src)][dst] & ingress[profile(dst)][src]`` — the same rule as
:func:`netsim.engine.evaluate_pair`, which stays the single semantic entry point — and it is
computed once per (egress part, ingress part), a *block* of sources x destinations, never per
pair. A side that cluster-scoped policies decide first (Admin tier) or after (Baseline tier) has
its parts computed by :mod:`netsim.tierfold` from the NetworkPolicy parts and the tiers' rules,
keyed by the profile of those policies too. Pairs involving pods treated as their node
(hostNetwork) go through ``evaluate_pair`` directly, and the test suite checks this module against
it on every pair and port of random clusters.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.externals import ExternalRange, external_ranges, ip_blocks
from netsim.match.cluster import cluster_peer_state, networks_cover
from netsim.match.ipblock import AddressSet
from netsim.match.peers import addresses_state, namespace_state
from netsim.match.ports import resolve_named_ports
from netsim.match.selectors import matches_selector
from netsim.model import (
    ClusterNetworkPolicy,
    ClusterRule,
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
    Tier,
)
from netsim.tierfold import Folded, Parts, TierFold, TierProfile, put
from netsim.verdict import PairVerdict

__all__ = [
    "Block",
    "PodClass",
    "Reachability",
    "bits",
    "compute_reachability",
    "distinct_pods",
    "pod_classes",
    "pod_kinds",
]

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


def _block_signatures(pods: tuple[Pod, ...], blocks: tuple[IPBlockPeer, ...]) -> list[tuple[int, ...]]:
    """For each pod, the indices of the blocks holding one of its addresses.

    The blocks' intervals cut each address family into segments that every block either
    covers or not; one sweep gives each segment its blocks, and a pod finds its segment by
    bisection, so the cost does not grow with (pods x blocks) when blocks are wide.
    """
    bounds: dict[int, list[int]] = {}
    segment_blocks: dict[int, list[tuple[int, ...]]] = {}
    for version in (4, 6):
        events: list[tuple[int, int, int]] = []  # (address, +1 opens / -1 closes, block)
        for b, block in enumerate(blocks):
            if block.cidr.version == version:
                for lo, hi in block.intervals():
                    events.append((lo, 1, b))
                    events.append((hi + 1, -1, b))
        events.sort()
        starts: list[int] = []
        sigs: list[tuple[int, ...]] = []
        active: set[int] = set()
        interned: dict[tuple[int, ...], tuple[int, ...]] = {}
        k = 0
        while k < len(events):
            at = events[k][0]
            while k < len(events) and events[k][0] == at:
                _, delta, b = events[k]
                if delta > 0:
                    active.add(b)
                else:
                    active.discard(b)
                k += 1
            sig = tuple(sorted(active))
            starts.append(at)
            sigs.append(interned.setdefault(sig, sig))
        bounds[version] = starts
        segment_blocks[version] = sigs
    out: list[tuple[int, ...]] = []
    empty: tuple[int, ...] = ()
    for pod in pods:
        found: tuple[int, ...] = empty
        for ip in pod.addresses:
            starts = bounds[ip.version]
            at = bisect_right(starts, int(ip)) - 1
            if at >= 0 and (sig := segment_blocks[ip.version][at]):
                found = sig if not found else tuple(sorted({*found, *sig}))
        out.append(found)
    return out


def _classes(index: PolicyIndex, split_nodes: bool = False) -> tuple[list[PodClass], dict[IPBlockPeer, int]]:
    """The pod classes, and for each distinct ipBlock (by value) the classes holding its pods."""
    pods = index.cluster.pods
    blocks = _blocks(index)
    sigs = _block_signatures(pods, blocks)
    has_host_network = split_nodes or any(p.host_network for p in pods)
    groups: dict[Hashable, list[Pod]] = {}
    group_sig: dict[Hashable, tuple[int, ...]] = {}
    for pod, sig in zip(pods, sigs, strict=True):
        node_sig = (pod.node_name, pod.node_addresses, pod.ips) if has_host_network else ()
        key = (pod.namespace, pod.labels, pod.ports, pod.host_network, sig, node_sig, not pod.addresses)
        members = groups.get(key)
        if members is None:
            groups[key] = [pod]
            group_sig[key] = sig
        else:
            members.append(pod)
    classes: list[PodClass] = []
    block_mask = [0] * len(blocks)
    for i, (group, members) in enumerate(groups.items()):
        classes.append(PodClass(i, tuple(members)))
        for b in group_sig[group]:
            block_mask[b] |= 1 << i
    return classes, dict(zip(blocks, block_mask, strict=True))


def pod_kinds(index: PolicyIndex, pods: Iterable[Pod]) -> list[int]:
    """For each of ``pods``, the number of its kind among them: pods of one kind are treated alike
    by every policy (the key of :func:`pod_classes`, the node always in it); kinds are numbered in
    the order their first pod comes."""
    given = tuple(pods)
    sigs = _block_signatures(given, _blocks(index))
    numbers: dict[Hashable, int] = {}
    out: list[int] = []
    for pod, sig in zip(given, sigs, strict=True):
        node = (pod.node_name, pod.node_addresses, pod.ips if pod.host_network else ())
        key = (pod.namespace, pod.labels, pod.ports, pod.host_network, sig, node, not pod.addresses)
        out.append(numbers.setdefault(key, len(numbers)))
    return out


def distinct_pods(index: PolicyIndex, pods: Iterable[Pod]) -> tuple[Pod, ...]:
    """``pods`` without those that every policy treats as an earlier one of them: the first pod of
    each kind (:func:`pod_kinds`), in their order."""
    given = tuple(pods)
    seen: set[int] = set()
    out: list[Pod] = []
    for pod, kind in zip(given, pod_kinds(index, given), strict=True):
        if kind not in seen:
            seen.add(kind)
            out.append(pod)
    return tuple(out)


def pod_classes(index: PolicyIndex) -> list[list[Pod]]:
    """Groups of pods that every policy treats alike (same answer for every pair and port)."""
    return [list(c.pods) for c in _classes(index)[0]]


def bits(mask: int) -> Iterator[int] | list[int]:
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


Block = tuple[int, int, ConnSet]  # (source mask, destination mask, connections)


@dataclass
class Reachability:
    """Allowed connections as disjoint *blocks*: every source of the first mask may open the
    block's connections to every destination of the second (only non-empty ones).

    Masks are bitsets: of pod classes, or of external ranges (``sources`` for ``from_ext``,
    ``destinations`` for ``to_ext``). A block's pair of a class with itself stands for the
    distinct pods of that class (none when it has one pod). Blocks keep the result linear in
    the policies where the pairs they stand for grow with the square of the cluster;
    :func:`netsim.graph.grouped_edges` projects them onto pods, workloads or namespaces.
    """

    classes: list[PodClass]
    sources: tuple[ExternalRange, ...]  # external ranges that may initiate (ingress ipBlock cut)
    destinations: tuple[ExternalRange, ...]  # external ranges that may be reached (egress cut)
    blocks: list[Block]  # class mask x class mask
    to_ext: list[Block]  # class mask x destination-range mask
    from_ext: list[Block]  # source-range mask x class mask
    ingress_open: list[bool]  # per class: not isolated for ingress, and no cluster-scoped policy selects it
    egress_open: list[bool]  # per class: not isolated for egress, and no cluster-scoped policy selects it
    # what may be allowed, when it differs from what is allowed for certain (the blocks above):
    # the same computation with every undecided match counted as a match; same classes and ranges
    possible: Reachability | None = None
    # when asked for (``compute_reachability(attribute=True)``): per cluster-scoped tier, the
    # connections allowed for certain because a rule of that tier accepts them on one side or
    # both; its blocks may overlap (a pair's connections are the union over its blocks)
    accepted: dict[Tier, Reachability] = field(default_factory=dict)


def _refine(parts: Parts, mask: int, conns: ConnSet, union: Callable[[ConnSet, ConnSet], ConnSet]) -> Parts:
    """The partition with ``conns`` added to every member of ``mask`` (parts stay disjoint)."""
    if not mask or not conns:
        return parts
    out: Parts = {}
    for c, m in parts.values():
        overlap = m & mask
        if overlap:
            mask ^= overlap
            merged = union(c, conns)
            if merged is not c:
                m ^= overlap
                put(out, merged, overlap)
        if m:
            put(out, c, m)
    if mask:
        put(out, conns, mask)
    return out


class _Compiler:
    """Per-rule selections and per-profile unions."""

    def __init__(
        self,
        index: PolicyIndex,
        classes: list[PodClass],
        ranges: dict[Direction, tuple[ExternalRange, ...]],
        avoid: frozenset[IPAddress],
        block_classes: dict[IPBlockPeer, int],
        optimistic: bool,
    ) -> None:
        self.index = index
        # what an undecided match counts as: no (what is allowed for certain) or yes (what may be)
        self.optimistic = optimistic
        self.saw_unknown = False  # an undecided match was met: the other resolution may differ
        self.addressless: dict[bool, int] = {False: 0, True: 0}  # by hostNetwork: classes without an IP
        for c in classes:
            if not c.rep.addresses:
                self.addressless[c.rep.host_network] |= 1 << c.index
        self.classes = classes
        self.options = index.options
        self.by_ns: dict[str, int] = {}
        for c in classes:
            self.by_ns[c.rep.namespace] = self.by_ns.get(c.rep.namespace, 0) | (1 << c.index)
        self.undeclared = [ns for ns in self.by_ns if not index.cluster.namespace(ns).declared]
        self.all_mask = (1 << len(classes)) - 1
        self.node_mask = 0
        self.host_network = 0  # classes of hostNetwork pods
        for c in classes:
            if self.options.is_node_traffic(c.rep):
                self.node_mask |= 1 << c.index
            if c.rep.host_network:
                self.host_network |= 1 << c.index
        self.range_reps = {d: [External(r.representative(avoid)) for r in rs] for d, rs in ranges.items()}
        self.block_classes = block_classes
        self.range_starts: dict[Direction, dict[int, list[int]]] = {}
        self.range_offset: dict[Direction, dict[int, int]] = {}
        for side, rs in ranges.items():
            self.range_starts[side] = {v: [r.first_int for r in rs if r.version == v] for v in (4, 6)}
            self.range_offset[side] = {4: 0, 6: sum(1 for r in rs if r.version == 4)}
        self.alg = _Algebra()
        self._ns_sel: dict[LabelSelector, tuple[int, int]] = {}
        self._cluster_peer: dict[int, tuple[int, int]] = {}
        self._cluster_rule: dict[int, tuple[int, int]] = {}
        self._cluster_ranges: dict[tuple[int, Direction], tuple[int, int]] = {}
        self._peer_mask: dict[tuple[int, str], int] = {}
        self._rule_mask: dict[tuple[int, Direction], tuple[int, int]] = {}
        self._ports: dict[tuple[int, tuple[ContainerPort, ...]], ConnSet] = {}
        self._class_labels: dict[tuple[str, str], int] | None = None
        self._ns_labels: dict[tuple[str, str], list[str]] | None = None

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

    def namespace_states(self, selector: LabelSelector) -> tuple[int, int]:
        """Classes in the namespaces ``selector`` selects, and in those it may select (a namespace
        without a manifest: only its name label is known): matchLabels through an index of the
        namespaces' labels, the remaining requirements checked on the candidates only."""
        cached = self._ns_sel.get(selector)
        if cached is None:
            if self._ns_labels is None:
                self._ns_labels = {}
                for ns in self.by_ns:
                    for item in self.index.cluster.namespace_labels(ns).items():
                        self._ns_labels.setdefault(item, []).append(ns)
            names: Iterable[str] = self.by_ns
            for item in selector.match_labels.items():
                found = self._ns_labels.get(item, [])
                if len(found) < len(self.by_ns):
                    names = found
                    break
            yes = maybe = 0
            cluster, options = self.index.cluster, self.options
            candidates = set(names)
            if not options.closed_world:
                # the matchLabels index knows only the name label of an undeclared namespace
                candidates.update(self.undeclared)
            for ns in candidates:
                state = namespace_state(selector, cluster.namespace(ns), options)
                if state is None:
                    maybe |= self.by_ns[ns]
                elif state:
                    yes |= self.by_ns[ns]
            cached = self._ns_sel[selector] = (yes, maybe)
        return cached

    def _namespaces(self, selector: LabelSelector) -> int:
        """Classes in the namespaces ``selector`` selects, in this resolution of the unknowns."""
        yes, maybe = self.namespace_states(selector)
        if maybe:
            self.saw_unknown = True
            return yes | maybe if self.optimistic else yes
        return yes

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
            for i in bits(mask):
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

    def rep(self, mask: int) -> Pod:
        """The representative of the lowest class of ``mask``."""
        return self.classes[(mask & -mask).bit_length() - 1].rep

    def selection_states(self, peer: PodPeer) -> tuple[int, int]:
        """Classes a cluster-scoped ``namespaces``/``pods`` peer or subject selects, and those it
        may select; never a pod treated as its node."""
        cached = self._cluster_peer.get(id(peer))
        if cached is None:
            yes = maybe = 0
            if peer.namespace_selector is not None:
                yes, maybe = self.namespace_states(peer.namespace_selector)
                yes &= ~self.node_mask
                maybe &= ~self.node_mask
                if peer.pod_selector is not None and not peer.pod_selector.is_empty():
                    yes = self._select(peer.pod_selector, yes) if yes else 0
                    maybe = self._select(peer.pod_selector, maybe) if maybe else 0
            cached = self._cluster_peer[id(peer)] = (yes, maybe)
        return cached

    def cluster_rule_states(self, rule: ClusterRule) -> tuple[int, int]:
        """Classes (not treated as their node) that a cluster-scoped rule's peers select, and
        those they may select, as :func:`~netsim.match.cluster.cluster_peer_state` and
        :func:`~netsim.match.cluster.networks_cover` decide them for each class."""
        cached = self._cluster_rule.get(id(rule))
        if cached is not None:
            return cached
        cluster, options = self.index.cluster, self.options
        pods = self.all_mask & ~self.node_mask
        yes = maybe = 0
        for peer in rule.peers:
            if isinstance(peer, PodPeer):
                y, m = self.selection_states(peer)
                yes |= y
                maybe |= m
                continue
            groups: list[int]
            if isinstance(peer, IPBlockPeer):
                yes |= self.block_classes.get(peer, 0) & pods  # pod IPs and hostNetwork pods' node IPs
                groups = [m & pods for m in self.addressless.values() if m & pods]  # each decided alike
            else:  # nodes, domainNames: the same for every pod but hostNetwork ones
                hosts = pods & self.host_network
                groups = [m for m in (pods & ~hosts,) if m] + [1 << i for i in bits(hosts)]
            for members in groups:
                state = cluster_peer_state(peer, self.rep(members), cluster, options)
                if state is None:
                    maybe |= members
                elif state:
                    yes |= members
        for members in self.addressless.values():
            members &= pods & maybe & ~yes
            if members and networks_cover(rule.peers, self.rep(members), options):
                yes |= members
        cached = self._cluster_rule[id(rule)] = (yes, maybe & ~yes)
        return cached

    def cluster_range_states(self, rule: ClusterRule, side: Direction) -> tuple[int, int]:
        """External ranges (of one side's cut) that a cluster-scoped rule's peers select, and those
        they may select (an address DNS or an unlisted Node may hold)."""
        key = (id(rule), side)
        cached = self._cluster_ranges.get(key)
        if cached is not None:
            return cached
        cluster, options = self.index.cluster, self.options
        yes = maybe = 0
        for peer in rule.peers:
            if isinstance(peer, IPBlockPeer):
                yes |= self._block_ranges(peer, side)
            elif not isinstance(peer, PodPeer):  # pods never hold an external address
                for k, rep in enumerate(self.range_reps[side]):
                    state = cluster_peer_state(peer, rep, cluster, options)
                    if state is None:
                        maybe |= 1 << k
                    elif state:
                        yes |= 1 << k
        cached = self._cluster_ranges[key] = (yes, maybe & ~yes)
        return cached

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
            blocks: list[IPBlockPeer] = []
            for peer in rule.peers:
                if isinstance(peer, PodPeer):
                    classes |= self._pod_peer(peer, policy.namespace)
                else:
                    blocks.append(peer)
                    classes |= self._block_classes(peer)
                    ext |= self._block_ranges(peer, remote_side)
            if blocks:
                classes |= self._addressless(blocks)
            result = (classes, ext)
        self._rule_mask[key] = result
        return result

    def _addressless(self, blocks: list[IPBlockPeer]) -> int:
        """Classes without an address that a rule's ipBlocks select (for certain, or possibly
        when optimistic): the same answer for each, given whether it is a hostNetwork pod."""
        if self.options.closed_world:
            return 0
        addresses = AddressSet(blocks)
        mask = 0
        for members in self.addressless.values():
            if not members:
                continue
            state = addresses_state(addresses, self.classes[(members & -members).bit_length() - 1].rep, self.options)
            if state is None:
                self.saw_unknown = True
                state = self.optimistic
            if state:
                mask |= members
        return mask

    def _block_classes(self, peer: IPBlockPeer) -> int:
        """Classes whose pods the ipBlock selects (plugin choice: pod IPs, node addresses).

        Keyed by value: equal ipBlocks of different policies select the same pods."""
        mask = self.block_classes.get(peer, 0)
        return mask if self.options.ipblock_matches_pods else mask & self.node_mask

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


def compute_reachability(
    index: PolicyIndex, progress: Progress | None = None, *, attribute: bool = False
) -> Reachability:
    """All allowed connections between classes and external ranges, as disjoint blocks.

    Sources are grouped by egress profile and destinations by ingress key (profile, and the
    declared ports when named ports are involved). Per profile the rules' selections are
    refined into a partition of destinations by connection set, per key into a partition of
    sources; each (egress part, ingress part) pair is one block whose connections are the
    intersection. Classes treated as their node (hostNetwork) go pair by pair through
    :func:`~netsim.engine.evaluate_pair`. With ``attribute``, also what the cluster-scoped
    tiers accept (``Reachability.accepted``), for pictures that show the deciding tier.
    """
    cluster = index.cluster
    avoid: frozenset[IPAddress] = frozenset(ip for p in cluster.pods for ip in (*p.ips, *p.node_addresses))
    ranges = {
        Direction.INGRESS: external_ranges(cluster, Direction.INGRESS, options=index.options),
        Direction.EGRESS: external_ranges(cluster, Direction.EGRESS, options=index.options),
    }
    # a range made only of pod and node addresses is represented by one of them; when that is a
    # node's address, the own-node exemption applies to that node's pods only, so such ranges are
    # evaluated per class and pods on different nodes are kept apart
    host_ips = {ip for p in cluster.pods for ip in p.node_addresses}
    node_ranges = {d: [k for k, r in enumerate(rs) if r.representative(avoid) in host_ips] for d, rs in ranges.items()}
    classes, block_classes = _classes(index, split_nodes=any(node_ranges.values()))
    certain, undecided = _pass(index, classes, block_classes, ranges, avoid, node_ranges, False, progress, attribute)
    if undecided:
        certain.possible = _pass(index, classes, block_classes, ranges, avoid, node_ranges, True, None, False)[0]
    return certain


TierEntry = tuple[Hashable, TierProfile, bool]  # (key, profile, a rule names a port)


def _tier_profiles(
    index: PolicyIndex, comp: _Compiler, classes: list[PodClass], opaque: dict[Direction, int]
) -> dict[Direction, list[TierEntry | None]]:
    """Per direction and class: the cluster-scoped policies that select it or may; None when none
    does, when the class is treated as its node, or when an unevaluated policy may decide the side
    (nothing is certain there, whatever the tiers say)."""
    n = len(classes)
    out: dict[Direction, list[TierEntry | None]] = {d: [None] * n for d in Direction}
    if not index.cluster.cluster_policies:
        return out
    Selected = tuple[list[tuple[ClusterNetworkPolicy, bool | None]], list[tuple[ClusterNetworkPolicy, bool | None]]]
    found: dict[Direction, dict[int, Selected]] = {d: {} for d in Direction}
    for tier_at, tier in enumerate((Tier.ADMIN, Tier.BASELINE)):
        for pol in index.tier_order(tier):
            yes, maybe = comp.selection_states(pol.subject)
            for d in Direction:
                if not pol.rules(d):
                    continue
                per_class = found[d]
                for i in bits((yes | maybe) & ~opaque[d]):
                    selected = per_class.get(i)
                    if selected is None:
                        selected = per_class[i] = ([], [])
                    selected[tier_at].append((pol, True if (yes >> i) & 1 else None))
    options = index.options
    entries: dict[Hashable, TierEntry] = {}
    for d, per_class in found.items():
        other = Direction.INGRESS if d is Direction.EGRESS else Direction.EGRESS
        for i, (admin, baseline) in per_class.items():
            rep = classes[i].rep
            elsewhere = (
                options.networkpolicy_tier_per_pod and not index.isolating(rep, d) and bool(index.isolating(rep, other))
            )
            key = (d, tuple((id(p), s) for p, s in admin), tuple((id(p), s) for p, s in baseline), elsewhere)
            entry = entries.get(key)
            if entry is None:
                named = any(
                    rule.ports is not None and any(isinstance(port.port, str) for port in rule.ports)
                    for pol, _ in (*admin, *baseline)
                    for rule in pol.rules(d)
                )
                entry = entries[key] = (key, TierProfile(tuple(admin), tuple(baseline), elsewhere), named)
            out[d][i] = entry
    return out


_OPAQUE: tuple[int, ...] = (-1,)  # the profile of a side an unevaluated policy may decide


def _pass(
    index: PolicyIndex,
    classes: list[PodClass],
    block_classes: dict[IPBlockPeer, int],
    ranges: dict[Direction, tuple[ExternalRange, ...]],
    avoid: frozenset[IPAddress],
    node_ranges: dict[Direction, list[int]],
    optimistic: bool,
    progress: Progress | None,
    attribute: bool = False,
) -> tuple[Reachability, bool]:
    """One resolution of the unknowns: every undecided match as no (``optimistic`` False: what is
    allowed for certain) or as yes (what may be allowed). Also says whether an unknown was met."""
    comp = _Compiler(index, classes, ranges, avoid, block_classes, optimistic)
    alg = comp.alg
    union, meet = alg.union, alg.meet
    n = len(classes)
    # classes treated as their node (hostNetwork) go pair by pair through the engine
    node_mask = comp.node_mask
    pod_mask = comp.all_mask & ~node_mask
    all_dst_ranges = (1 << len(ranges[Direction.EGRESS])) - 1
    all_src_ranges = (1 << len(ranges[Direction.INGRESS])) - 1
    for k in node_ranges[Direction.EGRESS]:
        all_dst_ranges &= ~(1 << k)
    for k in node_ranges[Direction.INGRESS]:
        all_src_ranges &= ~(1 << k)

    # isolation profiles, keyed by policy ids (hashing the frozen policies deeply would be slow)
    profiles: dict[tuple[int, ...], tuple[NetworkPolicy, ...]] = {}
    egress_profile: list[tuple[int, ...]] = []
    ingress_profile: list[tuple[int, ...]] = []
    opaque = {Direction.EGRESS: 0, Direction.INGRESS: 0}  # classes an unevaluated policy may decide
    for c in classes:
        for direction, out in ((Direction.EGRESS, egress_profile), (Direction.INGRESS, ingress_profile)):
            pols: tuple[NetworkPolicy, ...]
            if index.unevaluated(c.rep, direction):
                # the side may deny or allow anything: nothing for certain, everything possibly
                comp.saw_unknown = True
                opaque[direction] |= 1 << c.index
                pols, key = (), () if optimistic else _OPAQUE
            else:
                pols = index.isolating(c.rep, direction)
                key = tuple(id(p) for p in pols)
            profiles.setdefault(key, pols)
            out.append(key)
    tiers = _tier_profiles(index, comp, classes, opaque)

    # sources per egress key, destinations per ingress key (pod classes only)
    port_ids: dict[tuple[ContainerPort, ...], int] = {}
    named_profile: dict[tuple[int, ...], bool] = {}

    def named_rules(profile: tuple[int, ...]) -> bool:
        named = named_profile.get(profile)
        if named is None:
            named = any(cr.named for pol in profiles[profile] for cr in index.compiled_rules(pol, Direction.INGRESS))
            named_profile[profile] = named
        return named

    def ingress_key(d: int) -> Key:
        profile = ingress_profile[d]
        tier = tiers[Direction.INGRESS][d]
        if not profile and tier is None:
            return None
        named = named_rules(profile) or (tier is not None and tier[2])
        ports = port_ids.setdefault(classes[d].rep.ports, len(port_ids)) if named else -1
        return profile, ports, None if tier is None else tier[0]

    Key = tuple[tuple[int, ...], int, Hashable] | None
    SenderKey = tuple[tuple[int, ...], Hashable]
    senders: dict[SenderKey, int] = {}
    receivers: dict[Key, int] = {}
    key_of: list[Key] = [None] * n
    key_rep: dict[Key, Pod] = {}
    by_ports: dict[tuple[ContainerPort, ...], int] = {}
    tier_profile: dict[Hashable, TierProfile] = {}
    for c in classes:
        bit = 1 << c.index
        by_ports[c.rep.ports] = by_ports.get(c.rep.ports, 0) | bit
        if node_mask & bit:
            continue
        tier = tiers[Direction.EGRESS][c.index]
        skey = (egress_profile[c.index], None if tier is None else tier[0])
        senders[skey] = senders.get(skey, 0) | bit
        if tier is not None:
            tier_profile[tier[0]] = tier[1]
        itier = tiers[Direction.INGRESS][c.index]
        if itier is not None:
            tier_profile[itier[0]] = itier[1]
        dkey = key_of[c.index] = ingress_key(c.index)
        receivers[dkey] = receivers.get(dkey, 0) | bit
        key_rep.setdefault(dkey, c.rep)
    port_groups = [(m, comp.rep(m)) for m in by_ports.values()]
    attribute = attribute and not optimistic  # what a tier accepts is drawn for the certain pass

    def fold(direction: Direction, ranges: bool) -> TierFold:
        """The tiers over the remote classes (or the external ranges) of one direction; egress
        rules resolve named ports against the remote class, by its declared ports."""
        states: Callable[[ClusterRule], tuple[int, int]] = (
            (lambda r: comp.cluster_range_states(r, direction)) if ranges else comp.cluster_rule_states
        )
        groups = port_groups if direction is Direction.EGRESS and not ranges else None
        return TierFold(direction, states, alg.intern, optimistic, groups, attribute)

    folds = {(d, ranges): fold(d, ranges) for d in Direction for ranges in (False, True)}
    # per tier, the parts of what a rule of that tier accepts for certain (only when attributing)
    accepted_parts: dict[tuple[Tier, Direction, bool], dict[Hashable, Parts]] = {
        (t, d, ext): {} for t in Tier for d in Direction for ext in (False, True)
    }

    def keep(direction: Direction, ext: bool, key: Hashable, folded: Folded) -> Parts:
        if folded.admin:
            accepted_parts[Tier.ADMIN, direction, ext][key] = folded.admin
        if folded.baseline:
            accepted_parts[Tier.BASELINE, direction, ext][key] = folded.baseline
        return folded.allowed

    # egress: per NetworkPolicy profile, destinations (classes; ranges) partitioned by connection set
    policy_egress: dict[tuple[int, ...], Parts] = {(): {id(_ALL): (_ALL, comp.all_mask)}}
    policy_egress_ext: dict[tuple[int, ...], Parts] = {(): {id(_ALL): (_ALL, all_dst_ranges)}}
    for profile in dict.fromkeys(p for p, _ in senders):
        if not profile:
            continue
        parts: Parts = {}
        ext_parts: Parts = {}
        for pol in profiles[profile]:
            for crule in index.compiled_rules(pol, Direction.EGRESS):
                mask, ext = comp.rule_masks(pol, crule.rule, Direction.EGRESS)
                plain = comp.ports(crule.rule, crule.static, crule.named, None)
                if crule.named:
                    for members in by_ports.values():
                        if sub := mask & members:
                            rep = classes[(sub & -sub).bit_length() - 1].rep
                            parts = _refine(parts, sub, comp.ports(crule.rule, crule.static, crule.named, rep), union)
                else:
                    parts = _refine(parts, mask, plain, union)
                ext_parts = _refine(ext_parts, ext & all_dst_ranges, plain, union)
        policy_egress[profile] = parts
        policy_egress_ext[profile] = ext_parts
    # ... and per sender key, the cluster-scoped tiers around them
    egress_parts: dict[SenderKey, Parts] = {}
    egress_ext: dict[SenderKey, Parts] = {}
    for skey in senders:
        profile, tkey = skey
        if tkey is None:
            egress_parts[skey] = policy_egress[profile]
            egress_ext[skey] = policy_egress_ext[profile]
            continue
        tprof = tier_profile[tkey]
        isolated = bool(profile)
        egress_parts[skey] = keep(
            Direction.EGRESS,
            False,
            skey,
            folds[Direction.EGRESS, False].parts(
                tkey, tprof, policy_egress[profile] if isolated else None, pod_mask, None
            ),
        )
        egress_ext[skey] = keep(
            Direction.EGRESS,
            True,
            skey,
            folds[Direction.EGRESS, True].parts(
                tkey, tprof, policy_egress_ext[profile] if isolated else None, all_dst_ranges, None
            ),
        )

    # ingress: per key, sources (classes; ranges) partitioned by connection set
    ingress_parts: dict[Key, Parts] = {None: {id(_ALL): (_ALL, comp.all_mask)}}
    ingress_ext: dict[Key, Parts] = {None: {id(_ALL): (_ALL, all_src_ranges)}}
    for ikey, dst_rep in key_rep.items():
        if ikey is None:
            continue
        profile, ports_id, tkey = ikey
        parts = {}
        ext_parts = {}
        for pol in profiles[profile]:
            for crule in index.compiled_rules(pol, Direction.INGRESS):
                mask, ext = comp.rule_masks(pol, crule.rule, Direction.INGRESS)
                conns = comp.ports(crule.rule, crule.static, crule.named, dst_rep)
                parts = _refine(parts, mask, conns, union)
                ext_parts = _refine(ext_parts, ext & all_src_ranges, conns, union)
        if tkey is not None:
            tprof = tier_profile[tkey]
            isolated = bool(profile)
            parts = keep(
                Direction.INGRESS,
                False,
                ikey,
                folds[Direction.INGRESS, False].parts(
                    tkey, tprof, parts if isolated else None, pod_mask, dst_rep, ports_id
                ),
            )
            ext_parts = keep(
                Direction.INGRESS,
                True,
                ikey,
                folds[Direction.INGRESS, True].parts(
                    tkey, tprof, ext_parts if isolated else None, all_src_ranges, dst_rep, ports_id
                ),
            )
        ingress_parts[ikey] = parts
        ingress_ext[ikey] = ext_parts
    if any(f.saw_unknown for f in folds.values()):
        comp.saw_unknown = True

    # blocks: (egress part x receivers of a key) meets (ingress part x senders of a profile)
    keys = list(receivers)
    touched: dict[int, list[Key]] = {}

    def keys_in(mask: int) -> list[Key]:
        found = touched.get(mask)
        if found is None:
            if mask.bit_count() > len(keys):
                found = [k for k in keys if receivers[k] & mask]
            else:
                found = list(dict.fromkeys(key_of[d] for d in bits(mask)))
            touched[mask] = found
        return found

    # the pairs evaluated one by one below count as much as their sources' rows
    pairwise_rows = n if node_mask else 0
    total = len(senders) + 1 + pairwise_rows

    def cross(
        egress_of: dict[SenderKey, Parts] | dict[Hashable, Parts],
        ingress_of: dict[Key, Parts] | dict[Hashable, Parts],
        report: Progress | None = None,
    ) -> list[Block]:
        """Blocks of what both partitions give each (source, destination)."""
        out: list[Block] = []
        for done, (skey, src_mask) in enumerate(senders.items()):
            for egress, dst_mask in egress_of.get(skey, {}).values():
                dst_mask &= pod_mask
                for dkey in keys_in(dst_mask):
                    in_parts = ingress_of.get(dkey)
                    if in_parts is None:
                        continue
                    dsts = dst_mask & receivers[dkey]
                    for ingress, allowed in in_parts.values():
                        srcs = allowed & src_mask
                        if srcs and (conns := meet(egress, ingress)):
                            out.append((srcs, dsts, conns))
            if report is not None:
                report(done + 1, total)
        return out

    blocks = cross(egress_parts, ingress_parts, progress)
    # what a tier accepts on a side for certain, and the other side allows
    accepted: dict[Tier, Reachability] = {}
    for tier_of in Tier if attribute else ():
        on_egress = accepted_parts[tier_of, Direction.EGRESS, False]
        on_ingress = accepted_parts[tier_of, Direction.INGRESS, False]
        to_ranges = accepted_parts[tier_of, Direction.EGRESS, True]
        from_ranges = accepted_parts[tier_of, Direction.INGRESS, True]
        accepted[tier_of] = Reachability(
            classes,
            ranges[Direction.INGRESS],
            ranges[Direction.EGRESS],
            [*cross(on_egress, ingress_parts), *cross(egress_parts, on_ingress)] if on_egress or on_ingress else [],
            [(src_mask, m, c) for skey, src_mask in senders.items() for c, m in to_ranges.get(skey, {}).values()],
            [(m, dst_mask, c) for dkey, dst_mask in receivers.items() for c, m in from_ranges.get(dkey, {}).values()],
            [],
            [],
        )

    def resolve(pair: PairVerdict, where: int, src: int, dst: int) -> None:
        """Add a pair evaluated by the engine to the blocks (``where`` 0), the blocks towards
        ranges (1) or from ranges (2); when attributing, what each tier accepts too."""
        certain, possible = pair.conns, pair.possible
        if possible != certain:
            comp.saw_unknown = True
        if conns := possible if optimistic else certain:
            (blocks, to_ext, from_ext)[where].append((src, dst, conns))
        for tier, found in accepted.items():
            if by_tier := pair.accepted(tier):
                (found.blocks, found.to_ext, found.from_ext)[where].append((src, dst, by_tier))

    # classes treated as their node, and pods towards them, pair by pair through the engine
    to_ext: list[Block] = []
    from_ext: list[Block] = []
    replicas = index.options.replica_traffic
    node_classes = list(bits(node_mask))
    row = len(senders)
    for s in range(n) if node_mask else ():
        src = classes[s]
        targets = range(n) if (node_mask >> s) & 1 else node_classes
        row += 1
        if progress is not None and not row % 16:
            progress(row, total)
        for d in targets:
            if s == d and len(src.pods) < 2:
                if not (replicas and src.rep.is_replicated):
                    continue
                dst_pod = src.rep  # one replica to another
            else:
                dst_pod = classes[d].pods[1] if s == d else classes[d].rep
            resolve(evaluate_pair(index, src.rep, dst_pod), 0, 1 << s, 1 << d)

    for skey, src_mask in senders.items():
        to_ext.extend((src_mask, m, c) for c, m in egress_ext[skey].values() if m)
    for dkey, dst_mask in receivers.items():
        from_ext.extend((m, dst_mask, c) for c, m in ingress_ext[dkey].values() if m)
    dst_reps = comp.range_reps[Direction.EGRESS]
    src_reps = comp.range_reps[Direction.INGRESS]
    for c in classes:
        s = c.index
        is_node = (node_mask >> s) & 1
        to_check = range(len(dst_reps)) if is_node else node_ranges[Direction.EGRESS]
        from_check = range(len(src_reps)) if is_node else node_ranges[Direction.INGRESS]
        for k in to_check:
            resolve(evaluate_pair(index, c.rep, dst_reps[k]), 1, 1 << s, 1 << k)
        for k in from_check:
            resolve(evaluate_pair(index, src_reps[k], c.rep), 2, 1 << k, 1 << s)
    if progress is not None:
        progress(total, total)
    reach = Reachability(
        classes,
        ranges[Direction.INGRESS],
        ranges[Direction.EGRESS],
        blocks,
        to_ext,
        from_ext,
        # open: no NetworkPolicy isolates it, and no cluster-scoped policy may decide its traffic
        [not p and t is None for p, t in zip(ingress_profile, tiers[Direction.INGRESS], strict=True)],
        [not p and t is None for p, t in zip(egress_profile, tiers[Direction.EGRESS], strict=True)],
        accepted=accepted,
    )
    return reach, comp.saw_unknown
