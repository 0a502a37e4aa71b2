"""Evaluation: is a connection allowed, and why.

:func:`evaluate_pair` is the single semantic entry point. It records, for each direction, which
policies isolate the subject and how each of their rules treated the connection; the allowed
connection set is derived from that record. :func:`evaluate` projects a pair verdict onto one
port. A :class:`PolicyIndex`, built once per cluster, groups policies by namespace and caches the
policies that select each pod, so all-pairs evaluation does no repeated work.
"""

from __future__ import annotations

from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.match.ipblock import AddressSet
from netsim.match.peers import explain_peer_miss, matches_any_peer, matches_peer
from netsim.match.ports import named_port_specs, resolve_named_ports, static_ports
from netsim.match.selectors import matches_selector
from netsim.model import (
    Cluster,
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
    Traffic,
)
from netsim.verdict import DirectionVerdict, PairVerdict, RuleOutcome, Verdict

__all__ = ["PolicyIndex", "evaluate", "evaluate_pair"]


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    index: int
    static: ConnSet  # numeric and protocol-only ports, computed once
    named: tuple[PortSpec, ...]  # named ports, resolved per destination pod
    pod_peers: tuple[PodPeer, ...]  # the selector peers
    addresses: AddressSet  # the union of the ipBlock peers


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
                    )
                    for i, rule in enumerate(pol.rules(direction))
                )
        self._selecting: dict[tuple[str, Direction], tuple[NetworkPolicy, ...]] = {}

    def policies_in(self, namespace: str) -> tuple[NetworkPolicy, ...]:
        """All policies of a namespace."""
        return tuple(self._by_ns.get(namespace, ()))

    def isolating(self, pod: Pod, direction: Direction) -> tuple[NetworkPolicy, ...]:
        """Policies of the pod's namespace whose podSelector selects it and whose policyTypes
        contain ``direction`` (hostNetwork pods are never selected, reference §1.6)."""
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

    def compiled_rules(self, policy: NetworkPolicy, direction: Direction) -> tuple[_CompiledRule, ...]:
        """The policy's rules of one direction with precomputed port sets."""
        return self._compiled[(id(policy), direction)]


def _same_node(a: Pod, b: Endpoint, options: Options) -> bool:
    """True if ``b`` is ``a``'s own node: its host IP, or a hostNetwork pod on that node."""
    if isinstance(b, External):
        return a.host_ip is not None and b.ip == a.host_ip
    if not options.is_node_traffic(b):
        return False
    if a.node_name and b.node_name:
        return a.node_name == b.node_name
    return a.host_ip is not None and (a.host_ip == b.host_ip or a.host_ip in b.ips)


def _exemption(direction: Direction, subject: Endpoint, remote: Endpoint, options: Options) -> str | None:
    if isinstance(subject, External):
        return f"{subject.ip} is not a pod, so no NetworkPolicy applies to it"
    if options.is_node_traffic(subject):
        return f"{subject.ref} is a hostNetwork pod; NetworkPolicy does not select those (its traffic is its node's)"
    if isinstance(remote, Pod) and remote.ref == subject.ref:
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
            if not rule.peers:
                peer_ok = True
            elif not explain:
                peer_ok = matches_any_peer(crule.pod_peers, crule.addresses, pol.namespace, remote, cluster, options)
            else:
                peer_ok = False
                for peer in rule.peers:
                    if matches_peer(peer, pol.namespace, remote, cluster, options):
                        peer_ok, matched_peer = True, peer
                        break
                if not peer_ok:
                    misses = tuple(explain_peer_miss(p, pol.namespace, remote, cluster, options) for p in rule.peers)
            ports = crule.static
            notes: tuple[str, ...] = ()
            if crule.named and (peer_ok or explain):
                resolved = resolve_named_ports(crule.named, destination, explain=explain)
                ports = ports | resolved.conns
                notes = resolved.notes
            outcomes.append(RuleOutcome(pol, direction, crule.index, rule, peer_ok, matched_peer, misses, ports, notes))
    return DirectionVerdict(direction, subject, remote, isolating, tuple(outcomes), None)


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
