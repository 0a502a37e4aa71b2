"""Evaluation: is a connection allowed, and why.

:func:`evaluate_pair` is the single semantic entry point. It records, for each direction, which
policies isolate the subject and how each of their rules treated the connection; the allowed
connection set is derived from that record. :func:`evaluate` projects a pair verdict onto one
port. A :class:`PolicyIndex`, built once per cluster, groups policies by namespace and caches the
policies that select each pod, so all-pairs evaluation does no repeated work.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.match.cluster import cluster_peer_state, cluster_peer_unknown, cluster_ports, networks_cover
from netsim.match.ipblock import AddressSet
from netsim.match.peers import (
    addresses_state,
    describe_peer,
    explain_peer_miss,
    matches_any_peer,
    namespace_state,
    peer_state,
    undescribed_state,
    unknown_address,
    unknown_namespace,
    unknown_undescribed,
)
from netsim.match.ports import named_port_specs, resolve_named_ports, static_ports
from netsim.match.selectors import matches_selector
from netsim.model import (
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterRule,
    Direction,
    Endpoint,
    External,
    IPBlockPeer,
    NetworkPolicy,
    Options,
    Pod,
    PodPeer,
    PortSpec,
    Rule,
    Tier,
    Traffic,
    UnevaluatedPolicy,
    Unknown,
    UnknownKind,
)
from netsim.verdict import (
    ClusterRuleOutcome,
    DirectionVerdict,
    PairVerdict,
    RuleOutcome,
    TierChain,
    Verdict,
    tier_chain,
)

__all__ = ["PolicyIndex", "evaluate", "evaluate_pair"]

#: The cluster-scoped policies of one tier that select a pod (True) or may (None), in order.
TierPolicies = tuple[tuple[ClusterNetworkPolicy, bool | None], ...]


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    index: int
    static: ConnSet  # numeric and protocol-only ports, computed once
    named: tuple[PortSpec, ...]  # named ports, resolved per destination pod
    pod_peers: tuple[PodPeer, ...]  # the selector peers
    addresses: AddressSet  # the union of the ipBlock peers
    blocks: tuple[IPBlockPeer, ...]  # the ipBlock peers


class PolicyIndex:
    """Policies grouped by namespace, with per-rule port sets and per-pod subject caches."""

    def __init__(self, cluster: Cluster, options: Options | None = None) -> None:
        self.cluster = cluster
        self.options = options or Options()
        self._by_ns: dict[str, list[NetworkPolicy]] = {}
        self._compiled: dict[tuple[int, Direction], tuple[_CompiledRule, ...]] = {}
        for pol in cluster.policies:
            self._by_ns.setdefault(pol.namespace, []).append(pol)
            for direction in Direction:
                self._compiled[(id(pol), direction)] = tuple(
                    _CompiledRule(
                        rule,
                        i,
                        ConnSet.all() if not rule.ports else static_ports(rule.ports),
                        named_port_specs(rule.ports),
                        tuple(p for p in rule.peers if isinstance(p, PodPeer)),
                        AddressSet(p for p in rule.peers if isinstance(p, IPBlockPeer)),
                        tuple(p for p in rule.peers if isinstance(p, IPBlockPeer)),
                    )
                    for i, rule in enumerate(pol.rules(direction))
                )
        self._selecting: dict[tuple[str, Direction], tuple[NetworkPolicy, ...]] = {}
        self._foreign: dict[tuple[str, Direction], tuple[UnevaluatedPolicy, ...]] = {}
        self._foreign_policies = () if self.options.ignore_unevaluated else cluster.unevaluated
        # cluster-scoped policies in evaluation order within their tier: priority, then name (the
        # API leaves equal priorities to the implementation; kube-network-policies orders by name)
        self._tiers: dict[Tier, tuple[ClusterNetworkPolicy, ...]] = {
            tier: tuple(
                sorted((p for p in cluster.cluster_policies if p.tier is tier), key=lambda p: (p.priority, p.name))
            )
            for tier in Tier
        }
        self._tier_cache: dict[tuple[str, Direction, Tier], tuple[tuple[ClusterNetworkPolicy, bool | None], ...]] = {}
        # cluster-scoped peers against the cluster's own pods (by identity: they live as long as
        # the index) and addresses
        self._pod_ids = frozenset(id(p) for p in cluster.pods)
        self._cluster_peer: dict[tuple[int, object], bool | None] = {}
        # one tuple object per distinct answer of tier_policies, and the tiers' outcomes by
        # (that tuple, direction, remote end, destination ports): pods of a namespace share them
        self._tier_tuples: dict[tuple[tuple[int, bool | None], ...], TierPolicies] = {}
        self._tier_outcomes: dict[Hashable, tuple[ClusterRuleOutcome, ...]] = {}
        self._rule_ports: dict[int, ConnSet] = {}
        self._chains: dict[tuple[Hashable, Hashable, bool], TierChain] = {}
        self._subject_states: dict[tuple[int, str], bool | None] = {}

    def policies_in(self, namespace: str) -> tuple[NetworkPolicy, ...]:
        """All policies of a namespace."""
        return tuple(self._by_ns.get(namespace, ()))

    def isolating(self, pod: Pod, direction: Direction) -> tuple[NetworkPolicy, ...]:
        """Policies of the pod's namespace whose podSelector selects it and whose policyTypes
        contain ``direction`` (hostNetwork pods are never selected: docs/semantics.md, "hostNetwork pods")."""
        key = (pod.ref, direction)
        cached = self._selecting.get(key)
        if cached is None:
            if self.options.is_node_traffic(pod):
                cached = ()
            else:
                cached = tuple(
                    pol
                    for pol in self._by_ns.get(pod.namespace, ())
                    if direction in pol.policy_types and matches_selector(pol.pod_selector, pod.labels)
                )
            self._selecting[key] = cached
        return cached

    def tier_order(self, tier: Tier) -> tuple[ClusterNetworkPolicy, ...]:
        """The tier's cluster-scoped policies in evaluation order: priority, then name."""
        return self._tiers[tier]

    def tier_policies(
        self, pod: Pod, direction: Direction, tier: Tier
    ) -> tuple[tuple[ClusterNetworkPolicy, bool | None], ...]:
        """The cluster-scoped policies of a tier that select ``pod`` (True) or may (None), in
        evaluation order, among those with rules in ``direction``; never for a pod treated as its
        node (hostNetwork pods are never selected)."""
        policies = self._tiers[tier]
        if not policies or self.options.is_node_traffic(pod):
            return ()
        key = (pod.ref, direction, tier)
        cached = self._tier_cache.get(key)
        if cached is None:
            found = []
            for pol in policies:
                if not pol.rules(direction):
                    continue
                state = self._subject_state(pol, pod)
                if state is not False:
                    found.append((pol, state))
            ids = tuple((id(pol), state) for pol, state in found)
            cached = self._tier_cache[key] = self._tier_tuples.setdefault(ids, tuple(found))
        return cached

    def _subject_state(self, policy: ClusterNetworkPolicy, pod: Pod) -> bool | None:
        """Does the policy's subject select ``pod``? Per namespace when it has no pod selector."""
        subject = policy.subject
        if pod.undescribed or (subject.pod_selector is not None and not subject.pod_selector.is_empty()):
            return peer_state(subject, "", pod, self.cluster, self.options)
        key = (id(subject), pod.namespace)
        try:
            return self._subject_states[key]
        except KeyError:
            state = self._subject_states[key] = peer_state(subject, "", pod, self.cluster, self.options)
            return state

    def cluster_peer_state(self, peer: ClusterPeer, other: Endpoint) -> bool | None:
        """:func:`~netsim.match.cluster.cluster_peer_state`, remembered for the cluster's pods and
        for addresses."""
        if isinstance(other, External):
            key: tuple[int, object] = (id(peer), other.ip)
        elif id(other) in self._pod_ids:
            key = (id(peer), id(other))
        else:  # a pod made up by the caller: its identity says nothing
            return cluster_peer_state(peer, other, self.cluster, self.options)
        try:
            return self._cluster_peer[key]
        except KeyError:
            state = self._cluster_peer[key] = cluster_peer_state(peer, other, self.cluster, self.options)
            return state

    def tier_chain(
        self, admin: tuple[ClusterRuleOutcome, ...], baseline: tuple[ClusterRuleOutcome, ...], elsewhere: bool
    ) -> TierChain:
        """:func:`~netsim.verdict.tier_chain`, remembered by what decides it: the rules that may
        match (rules live as long as the index), how, and on which ports."""
        key = (_matching(admin), _matching(baseline), elsewhere)
        chain = self._chains.get(key)
        if chain is None:
            chain = self._chains[key] = tier_chain(admin, baseline, elsewhere)
        return chain

    def cluster_rule_ports(self, rule: ClusterRule, destination: Endpoint) -> ConnSet:
        """:func:`~netsim.match.cluster.cluster_ports` of a rule; remembered when it names no port
        (then the destination does not matter)."""
        cached = self._rule_ports.get(id(rule))
        if cached is not None:
            return cached
        ports = cluster_ports(rule.ports, destination)
        if rule.ports is None or not any(isinstance(p.port, str) for p in rule.ports):
            self._rule_ports[id(rule)] = ports
        return ports

    def tier_outcomes(
        self,
        policies: TierPolicies,
        direction: Direction,
        subject: Pod,
        remote: Endpoint,
        destination: Endpoint,
        compute: Callable[[], tuple[ClusterRuleOutcome, ...]],
    ) -> tuple[ClusterRuleOutcome, ...]:
        """``compute()``, remembered per (policies, direction, remote end, destination's ports, and
        the subject's namespace where the unknowns name it) when the remote end is a pod of the
        cluster or an address (their identity is stable)."""
        if isinstance(remote, External):
            remote_key: object = remote.ip
        elif id(remote) in self._pod_ids:
            remote_key = id(remote)
        else:
            return compute()
        ports = destination.ports if isinstance(destination, Pod) else None
        # a policy that may select the subject names the subject's namespace in its unknowns
        namespace = subject.namespace if any(state is None for _, state in policies) else None
        key = (id(policies), direction, remote_key, ports, namespace)
        found = self._tier_outcomes.get(key)
        if found is None:
            found = compute()
            self._tier_outcomes[key] = found
        return found

    def unevaluated(self, pod: Pod, direction: Direction) -> tuple[UnevaluatedPolicy, ...]:
        """Policies of kinds netsim does not evaluate that may select ``pod`` for ``direction``
        (none with ``Options.ignore_unevaluated``)."""
        if not self._foreign_policies:
            return ()
        key = (pod.ref, direction)
        cached = self._foreign.get(key)
        if cached is None:
            cached = tuple(p for p in self._foreign_policies if direction in p.directions and self._may_select(p, pod))
            self._foreign[key] = cached
        return cached

    def _may_select(self, policy: UnevaluatedPolicy, pod: Pod) -> bool:
        if policy.namespace is not None and policy.namespace != pod.namespace:
            return False
        if policy.selects is None:
            return True
        if self.options.is_node_traffic(pod):  # selectors of pods do not select hostNetwork pods
            return False
        home = policy.namespace if policy.namespace is not None else pod.namespace
        return any(peer_state(peer, home, pod, self.cluster, self.options) is not False for peer in policy.selects)

    def open_namespace_selectors(self) -> tuple[Unknown, ...]:
        """Each namespaceSelector that may or may not select a namespace without a manifest which
        holds pods it would select (none with ``Options.closed_world``): one unknown per selector
        written in a policy, naming the namespaces, for a warning at the selector's position."""
        if self.options.closed_world:
            return ()
        cluster = self.cluster
        pods_in: dict[str, list[Pod]] = {}
        for pod in cluster.pods:
            if not cluster.namespace(pod.namespace).declared and not self.options.is_node_traffic(pod):
                pods_in.setdefault(pod.namespace, []).append(pod)
        if not pods_in:
            return ()
        found: list[Unknown] = []
        for pol in cluster.policies:
            for direction in Direction:
                for i, rule in enumerate(pol.rules(direction)):
                    for peer in rule.peers:
                        if not isinstance(peer, PodPeer) or peer.namespace_selector is None:
                            continue
                        selector = peer.namespace_selector
                        names = [
                            ns
                            for ns, pods in pods_in.items()
                            if namespace_state(selector, cluster.namespace(ns), self.options) is None
                            and (
                                peer.pod_selector is None
                                or any(matches_selector(peer.pod_selector, p.labels) for p in pods)
                            )
                        ]
                        if not names:
                            continue
                        which = "namespace " + names[0] if len(names) == 1 else "namespaces " + ", ".join(names)
                        verb = "has" if len(names) == 1 else "have"
                        where = f"spec.{direction.value.lower()}[{i}]"
                        found.append(
                            Unknown(
                                UnknownKind.NAMESPACE_LABELS,
                                which,
                                f"{which} {verb} no manifest, so whether namespaceSelector {selector} of {pol.ref} "
                                f"{where} selects {'it' if len(names) == 1 else 'them'} is undetermined "
                                "(--closed-world: only the name label)",
                                peer.span or rule.span or pol.span,
                            )
                        )
        return tuple(found)

    def compiled_rules(self, policy: NetworkPolicy, direction: Direction) -> tuple[_CompiledRule, ...]:
        """The policy's rules of one direction with precomputed port sets."""
        return self._compiled[(id(policy), direction)]


def _same_node(a: Pod, b: Endpoint, options: Options) -> bool:
    """True if ``b`` is ``a``'s own node: its host IP, or a hostNetwork pod on that node."""
    own = a.node_addresses
    if isinstance(b, External):
        return b.ip in own
    if not options.is_node_traffic(b):
        return False
    if a.node_name and b.node_name:
        return a.node_name == b.node_name
    return any(ip in own for ip in (*b.node_addresses, *b.ips))


def _exemption(direction: Direction, subject: Endpoint, remote: Endpoint, options: Options) -> str | None:
    if isinstance(subject, External):
        return f"{subject.ip} is not a pod, so no NetworkPolicy applies to it"
    if options.is_node_traffic(subject):
        return f"{subject.ref} is a hostNetwork pod; NetworkPolicy does not select those (its traffic is its node's)"
    replicas = options.replica_traffic and subject.is_replicated  # distinct pods with the same labels
    if isinstance(remote, Pod) and remote.ref == subject.ref and not replicas:
        return "a pod can always reach itself"
    if direction is Direction.INGRESS and _same_node(subject, remote, options):
        return f"traffic from {subject.ref}'s own node is always allowed"
    if direction is Direction.EGRESS and options.egress_to_own_node and _same_node(subject, remote, options):
        return f"traffic to {subject.ref}'s own node is always allowed"
    return None


def _direction(
    index: PolicyIndex,
    direction: Direction,
    subject: Endpoint,
    remote: Endpoint,
    destination: Endpoint,
    explain: bool,
) -> DirectionVerdict:
    options = index.options
    exemption = _exemption(direction, subject, remote, options)
    if exemption is not None or isinstance(subject, External):
        return DirectionVerdict(direction, subject, remote, (), (), exemption)
    isolating = index.isolating(subject, direction)
    cluster = index.cluster
    outcomes: list[RuleOutcome] = []
    for pol in isolating:
        for crule in index.compiled_rules(pol, direction):
            rule = crule.rule
            matched_peer = None
            misses: tuple[str, ...] = ()
            unknowns: tuple[Unknown, ...] = ()
            if not rule.peers:
                peer_ok = True
            else:
                peer_ok = matches_any_peer(crule.pod_peers, crule.addresses, pol.namespace, remote, cluster, options)
                if not peer_ok and isinstance(remote, Pod) and _open(remote, index):
                    # an address-less pod is in the rule's ipBlocks for certain when every address
                    # it may get (the pod network, --pod-cidr) is
                    peer_ok = bool(crule.blocks) and addresses_state(crule.addresses, remote, options) is True
                    if not peer_ok:
                        unknowns = _rule_unknowns(crule, pol.namespace, remote, index)
                if explain and peer_ok:
                    # the first peer that selects it; for blocks that cover the pod network only
                    # together, the first of them that may
                    states = [peer_state(p, pol.namespace, remote, cluster, options) for p in rule.peers]
                    at = states.index(True) if True in states else states.index(None)
                    matched_peer = rule.peers[at]
                elif explain:
                    misses = tuple(
                        explain_peer_miss(p, pol.namespace, remote, cluster, options)
                        for p in rule.peers
                        if peer_state(p, pol.namespace, remote, cluster, options) is False
                    )
            ports = crule.static
            notes: tuple[str, ...] = ()
            if crule.named and (peer_ok or unknowns or explain):
                resolved = resolve_named_ports(crule.named, destination, explain=explain)
                ports = ports | resolved.conns
                notes = resolved.notes
            if explain and peer_ok and isinstance(matched_peer, IPBlockPeer) and _addressless(remote):
                notes = (*notes, _settled_note(remote, options))
            outcomes.append(
                RuleOutcome(pol, direction, crule.index, rule, peer_ok, matched_peer, misses, ports, notes, unknowns)
            )
    unevaluated = index.unevaluated(subject, direction)
    admin = _tier(index, Tier.ADMIN, direction, subject, remote, destination, explain)
    baseline = _tier(index, Tier.BASELINE, direction, subject, remote, destination, explain)
    other = Direction.INGRESS if direction is Direction.EGRESS else Direction.EGRESS
    elsewhere = (
        options.networkpolicy_tier_per_pod
        and not isolating
        and bool(admin or baseline)
        and bool(index.isolating(subject, other))
    )
    return DirectionVerdict(
        direction,
        subject,
        remote,
        isolating,
        tuple(outcomes),
        None,
        unevaluated,
        admin,
        baseline,
        elsewhere,
        None if explain or not (admin or baseline) else index.tier_chain(admin, baseline, elsewhere),
    )


def _matching(outcomes: tuple[ClusterRuleOutcome, ...]) -> Hashable:
    """What a tier's walk depends on: the rules that may match, how, and their ports."""
    return tuple((id(o.rule), o.peer_state, o.ports) for o in outcomes if o.peer_state is not False and o.ports)


def _tier(
    index: PolicyIndex,
    tier: Tier,
    direction: Direction,
    subject: Pod,
    remote: Endpoint,
    destination: Endpoint,
    explain: bool,
) -> tuple[ClusterRuleOutcome, ...]:
    """Every rule of the tier's policies that may select ``subject``, in evaluation order."""
    policies = index.tier_policies(subject, direction, tier)
    if not policies:
        return ()
    if explain:
        return _tier_outcomes(index, policies, direction, subject, remote, destination, explain)
    # the same for every subject these policies select alike (pods of a namespace)
    return index.tier_outcomes(
        policies,
        direction,
        subject,
        remote,
        destination,
        lambda: _tier_outcomes(index, policies, direction, subject, remote, destination, explain),
    )


def _tier_outcomes(
    index: PolicyIndex,
    policies: tuple[tuple[ClusterNetworkPolicy, bool | None], ...],
    direction: Direction,
    subject: Pod,
    remote: Endpoint,
    destination: Endpoint,
    explain: bool,
) -> tuple[ClusterRuleOutcome, ...]:
    options = index.options
    out: list[ClusterRuleOutcome] = []
    for pol, selects in policies:
        subject_unknowns = () if selects else (_subject_unknown(pol, subject),)
        for i, rule in enumerate(pol.rules(direction)):
            states = [index.cluster_peer_state(peer, remote) for peer in rule.peers]
            state: bool | None = True if True in states else None if None in states else False
            if state is None and networks_cover(rule.peers, remote, options):
                state = True  # the rule's networks together hold every address the pod may get
            unknowns = (
                tuple(
                    cluster_peer_unknown(p, remote, options)
                    for p, st in zip(rule.peers, states, strict=True)
                    if st is None
                )
                if state is not True
                else ()
            )
            if state is True and not selects:
                state = None  # the rule matches, but the policy may not apply to the subject
            if state is None:
                unknowns = (*subject_unknowns, *unknowns)
            matched = rule.peers[states.index(True)] if explain and True in states else None
            misses = (
                tuple(
                    f"{remote.ref} is not selected by "
                    + (describe_peer(peer, "") if isinstance(peer, PodPeer) else str(peer))
                    for peer in rule.peers
                )
                if explain and state is False
                else ()
            )
            ports = index.cluster_rule_ports(rule, destination)
            out.append(ClusterRuleOutcome(pol, direction, i, rule, state, matched, misses, ports, unknowns))
    return tuple(out)


def _subject_unknown(policy: ClusterNetworkPolicy, subject: Pod) -> Unknown:
    """The policy's subject needs a label of a namespace without a manifest."""
    return Unknown(
        UnknownKind.NAMESPACE_LABELS,
        f"namespace {subject.namespace}",
        f"namespace {subject.namespace} has labels matching {policy.ref}'s subject {policy.subject.namespace_selector} "
        "(it has no manifest: only its name label is known)",
        policy.span,
    )


def _addressless(remote: Endpoint) -> bool:
    return isinstance(remote, Pod) and not remote.addresses


def _settled_note(remote: Endpoint, options: Options) -> str:
    """How an ipBlock matched an endpoint without an address: every address it may get is in it."""
    network = (
        "any address" if isinstance(remote, Pod) and remote.host_network else ", ".join(map(str, options.pod_cidrs))
    )
    return f"{remote.ref} has no IP in the input; every address it may get ({network}) is in the rule's ipBlocks"


def _open(remote: Pod, index: PolicyIndex) -> bool:
    """True if the input leaves something about ``remote`` open: its address or its namespace's labels."""
    if index.options.closed_world:
        return False
    return not remote.addresses or not index.cluster.namespace(remote.namespace).declared


def _rule_unknowns(crule: _CompiledRule, policy_ns: str, remote: Pod, index: PolicyIndex) -> tuple[Unknown, ...]:
    """What would make one of a rule's peers select ``remote`` when none does for certain."""
    options = index.options
    found: list[Unknown] = []
    if crule.blocks and addresses_state(crule.addresses, remote, options) is None:
        found.append(unknown_address(remote, crule.blocks, options))
    if remote.undescribed and not options.closed_world:
        found.extend(unknown_undescribed(remote, p) for p in crule.pod_peers if undescribed_state(p) is None)
        return tuple(found)
    namespace = index.cluster.namespace(remote.namespace)
    if not namespace.declared and not options.closed_world and not options.is_node_traffic(remote):
        for peer in crule.pod_peers:
            selector = peer.namespace_selector
            if (
                selector is not None
                and (peer.pod_selector is None or matches_selector(peer.pod_selector, remote.labels))
                and namespace_state(selector, namespace, options) is None
            ):
                found.append(unknown_namespace(namespace, selector))
    return tuple(found)


def evaluate_pair(index: PolicyIndex, source: Endpoint, destination: Endpoint, *, explain: bool = False) -> PairVerdict:
    """Everything ``source`` may open towards ``destination``, with the evidence per direction.

    ``explain`` adds words (why each peer missed, how named ports resolved); it never changes
    the outcome.
    """
    egress = _direction(index, Direction.EGRESS, source, destination, destination, explain)
    ingress = _direction(index, Direction.INGRESS, destination, source, destination, explain)
    return PairVerdict(source, destination, egress, ingress)


def evaluate(cluster: Cluster | PolicyIndex, traffic: Traffic, options: Options | None = None) -> Verdict:
    """Decide whether ``traffic`` is allowed, recording why."""
    index = cluster if isinstance(cluster, PolicyIndex) else PolicyIndex(cluster, options)
    pair = evaluate_pair(index, traffic.source, traffic.destination, explain=True)
    return Verdict(traffic, pair.egress, pair.ingress)
