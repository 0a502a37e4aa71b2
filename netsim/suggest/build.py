"""Build the suggestion: the rules each side of the observed connections needs, per workload.

The observed connections are replayed against the manifests (plus, with ``default_deny``, a
default deny in every namespace involved). Each side of a connection that the replay does not allow
is decided per direction, from the verdict's own evidence (``Verdict.egress_decision`` and
``ingress_decision``): a side denied at egress needs an egress rule in a policy of the source's
namespace that selects the source's workload; one denied at ingress, an ingress rule selecting the
destination's. Once a policy selects a workload for a direction, the workload is isolated there,
and connections that were allowed only because it was not isolated need rules too: the replay is
repeated against the manifests plus the policies so far until it adds nothing (the set of needed
sides only grows, so this ends, after two or three rounds in practice).

Some connections get no rule; they are kept with the reason (:class:`Unsuggested`): a side an
unevaluated policy kind may decide, a deny of the Admin tier (evaluated before NetworkPolicy), an
end netsim cannot select (a pod the input does not describe, a hostNetwork pod without an
address), and a connection the cluster's own observer denied every time (the flow export's
verdict: attempted, never carried; opening it is a decision for a person, not a suggestion).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from ipaddress import IPv4Address, IPv6Address

from netsim.engine import PolicyIndex, evaluate_pair
from netsim.flows.model import DENIED
from netsim.model import (
    Action,
    Cluster,
    Direction,
    Endpoint,
    External,
    IPBlockPeer,
    NetworkPolicy,
    Options,
    Peer,
    Pod,
    PortSpec,
    Protocol,
    Rule,
)
from netsim.replay import Observed, with_default_deny
from netsim.suggest.workloads import NAME_PREFIX, Workloads, bounded_name, endpoint_label
from netsim.verdict import Decision, DirectionVerdict, PairVerdict, Verdict

__all__ = [
    "DEFAULT_DENY_NAME",
    "DNS_PORT",
    "Flow",
    "SuggestedPolicy",
    "SuggestedRule",
    "Suggestion",
    "Unsuggested",
    "is_dns",
    "suggest",
]

#: The name of the default-deny policy of each namespace (with ``default_deny``).
DEFAULT_DENY_NAME = f"{NAME_PREFIX}default-deny"
DNS_PORT = 53
_DNS_NAMESPACE = "kube-system"
_DNS_PORTS = (PortSpec(Protocol.UDP, DNS_PORT), PortSpec(Protocol.TCP, DNS_PORT))
#: Longest file name stem (most file systems allow 255 bytes).
_MAX_STEM = 240


@dataclass(frozen=True, slots=True)
class Flow:
    """Observed connections from one workload (or address) to another on one port, folded: what a
    rule's comment lists."""

    source: str  # ns/workload, or an address
    destination: str
    port: int
    protocol: Protocol
    count: int  # observations (Observed.flows) folded into it
    at: str = ""  # where the first record is (file:line)

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol.value}"


@dataclass(frozen=True, slots=True)
class SuggestedRule:
    """One rule and the observed connections it is there for."""

    rule: Rule
    flows: tuple[Flow, ...]
    dns: bool = False  # the DNS rule: the DNS pods on UDP and TCP 53
    # workloads (``ns/name[Kind]``) a peer selects besides those observed: no set of their labels
    # tells them apart
    also: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SuggestedPolicy:
    """One suggested NetworkPolicy, one file: a workload's rules of one direction, or a
    namespace's default deny."""

    policy: NetworkPolicy
    file: str  # the file name: <namespace>.<name without the prefix>.yaml
    workload: str | None  # the subject workload (``ns/name[Kind]``); None for a default deny
    direction: Direction | None
    rules: tuple[SuggestedRule, ...] = ()
    also: tuple[str, ...] = ()  # other workloads its podSelector selects (see SuggestedRule.also)

    @property
    def is_default_deny(self) -> bool:
        """True for a namespace's default deny."""
        return self.workload is None


@dataclass(frozen=True, slots=True)
class Unsuggested:
    """A side of an observed connection that gets no rule, and why (no NetworkPolicy can allow it,
    or the cluster denied it every time)."""

    observed: Observed
    direction: Direction
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The suggested policies (sorted by namespace, default deny first, then name) and what they
    cannot cover."""

    policies: tuple[SuggestedPolicy, ...]
    unsuggested: tuple[Unsuggested, ...] = ()
    connections: int = 0  # observed connections considered
    covered: int = 0  # of them, those a suggested rule allows on one side or both
    default_deny: tuple[str, ...] = ()  # namespaces given a default deny
    _refs: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_refs", frozenset(p.policy.ref for p in self.policies))

    @property
    def rules(self) -> int:
        """How many rules the policies hold."""
        return sum(len(p.rules) for p in self.policies)

    def applied_to(self, cluster: Cluster) -> Cluster:
        """``cluster`` with the suggested policies added (as ``kubectl apply`` of the files would)."""
        kept = tuple(p for p in cluster.policies if p.ref not in self._refs)
        added = tuple(p.policy for p in self.policies)
        return replace(cluster, policies=tuple(sorted((*kept, *added), key=lambda p: (p.namespace, p.name))))


def is_dns(observed: Observed) -> bool:
    """A connection to a cluster DNS server: port 53 (UDP or TCP) of a pod in kube-system or of a
    pod labelled ``k8s-app: kube-dns``."""
    dst = observed.destination
    return (
        isinstance(dst, Pod)
        and observed.port == DNS_PORT
        and observed.protocol in (Protocol.UDP, Protocol.TCP)
        and (dst.namespace == _DNS_NAMESPACE or dst.labels.get("k8s-app") == "kube-dns")
    )


Side = tuple[str, Direction]  # (subject workload, direction)


#: What an observer reports of a connection it denied every time (``Observed.seen``).
REFUSED = frozenset({DENIED})
REFUSED_REASON = (
    "the cluster denied every flow of it (the flow export's own verdict): it was attempted, never "
    "carried, so no policy is suggested for it"
)


def suggest(cluster: Cluster, options: Options, observed: Sequence[Observed], *, default_deny: bool) -> Suggestion:
    """NetworkPolicies that allow the observed connections the manifests deny: one per workload
    and direction, each rule for one set of ports with the peers that need it; with
    ``default_deny``, a default deny per namespace involved too, so that the manifests and the
    suggestion allow what was observed and, of what the suggestion opens, nothing else."""
    extra = [end for o in observed for end in (o.source, o.destination) if isinstance(end, Pod)]
    workloads = Workloads(cluster, options, extra)
    # what the cluster's own observer denied every time was attempted, never carried: a suggestion
    # does not open it (it is listed, with why, among what is not suggested)
    refused = [o for o in observed if o.seen == REFUSED]
    observed = [o for o in observed if o.seen != REFUSED]
    denies: tuple[SuggestedPolicy, ...] = ()
    if default_deny:
        involved = {p.namespace for p in extra if not p.undescribed}
        denies = tuple(
            SuggestedPolicy(replace(p, name=workloads.unique(p.namespace, DEFAULT_DENY_NAME)), "", None, None)
            for p in with_default_deny(Cluster(), involved, Direction).policies
        )
        denies = tuple(replace(d, file=_file(d.policy)) for d in denies)
    needed: dict[Side, dict[tuple[str, str, Protocol, int], Observed]] = {}
    unsuggested: dict[tuple[tuple[str, str, Protocol, int], Direction], Unsuggested] = {}
    policies: tuple[SuggestedPolicy, ...] = denies
    while True:
        added = False
        for o, verdict in _decided(PolicyIndex(Suggestion(policies).applied_to(cluster), options), observed):
            sides = ((verdict.egress, verdict.egress_decision), (verdict.ingress, verdict.ingress_decision))
            for side, decision in sides:
                if decision is Decision.ALLOWED:
                    continue
                why = _why_not(side, o, options)
                if why is not None:
                    unsuggested[(o.key, side.direction)] = Unsuggested(o, side.direction, why)
                    continue
                subject = side.subject
                assert isinstance(subject, Pod)  # an external subject is exempt: always allowed
                wanted = needed.setdefault((subject.endpoint, side.direction), {})
                if o.key not in wanted:
                    wanted[o.key] = o
                    added = True
        if not added:
            break
        policies = (*denies, *(_policy(workloads, side, list(conns.values())) for side, conns in needed.items()))
    final = PolicyIndex(Suggestion(policies).applied_to(cluster), options)
    for o, verdict in _decided(final, refused):
        for side, decision in ((verdict.egress, verdict.egress_decision), (verdict.ingress, verdict.ingress_decision)):
            if decision is not Decision.ALLOWED:
                unsuggested[(o.key, side.direction)] = Unsuggested(o, side.direction, REFUSED_REASON)
    # a side left to an unevaluated policy (or the Admin tier) in one round may be coverable after
    kept = tuple(u for key, u in unsuggested.items() if not _covered(needed, key[0], u))
    ordered = tuple(sorted(policies, key=lambda p: (p.policy.namespace, not p.is_default_deny, p.policy.name)))
    covered = len({key for conns in needed.values() for key in conns})
    namespaces = tuple(sorted(d.policy.namespace for d in denies))
    return Suggestion(ordered, kept, len(observed) + len(refused), covered, namespaces)


def _decided(index: PolicyIndex, observed: Sequence[Observed]) -> Iterator[tuple[Observed, Verdict]]:
    """Each observed connection with its verdict, as :func:`netsim.replay.replay` decides it
    (memoised per pair of ends), without the words of an explanation nobody reads here."""
    pairs: dict[tuple[str, str], PairVerdict] = {}
    for o in observed:
        key = (o.source.ref, o.destination.ref)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = evaluate_pair(index, o.source, o.destination)
        yield o, Verdict(o.traffic, pair.egress, pair.ingress)


def _covered(needed: dict[Side, dict[tuple[str, str, Protocol, int], Observed]], key: object, u: Unsuggested) -> bool:
    subject = u.observed.source if u.direction is Direction.EGRESS else u.observed.destination
    return isinstance(subject, Pod) and key in needed.get((subject.endpoint, u.direction), {})


def _why_not(side: DirectionVerdict, observed: Observed, options: Options) -> str | None:
    """Why no NetworkPolicy can allow this side of the connection (None: a rule can)."""
    subject, remote = side.subject, side.remote
    if not isinstance(subject, Pod):
        return f"{subject} is not a pod"
    if subject.undescribed:
        return f"{subject.ref} is not described by the input: a policy cannot select it"
    if side.opaque:
        what = "; ".join(str(u) for u in side.unknowns(observed.port, observed.protocol))
        return f"a policy netsim does not evaluate may decide it ({what})"
    for walk in side.chain().admin if side.admin else ():
        if walk.denied[1].allows(observed.port, observed.protocol):
            port, protocol = observed.port, observed.protocol
            rules = [
                o
                for o in side.admin
                if o.action is Action.DENY and o.peer_state is not False and o.ports.allows(port, protocol)
            ]
            by = f" ({rules[0].policy.ref} {rules[0].field})" if rules else ""
            return f"the Admin tier denies it{by}, before any NetworkPolicy is consulted"
    if isinstance(remote, Pod):
        if remote.undescribed:
            return f"{remote.ref} is not described by the input: no peer can select it"
        if options.is_node_traffic(remote) and not remote.addresses:
            return f"{remote.ref} is a hostNetwork pod without an address: no ipBlock can name its node"
    return None


def _file(policy: NetworkPolicy) -> str:
    stem = policy.name.removeprefix(NAME_PREFIX)
    return bounded_name(f"{policy.namespace}.{stem}", _MAX_STEM) + ".yaml"


def _policy(workloads: Workloads, side: Side, conns: list[Observed]) -> SuggestedPolicy:
    key, direction = side
    subject = workloads.pods(key)[0]
    choice = workloads.choice(key)
    policy = NetworkPolicy(
        namespace=subject.namespace,
        name=workloads.name(key, direction),
        pod_selector=choice.selector,
        policy_types=frozenset({direction}),
    )
    rules = _rules(workloads, subject.namespace, direction, conns)
    if direction is Direction.EGRESS:
        policy = replace(policy, egress=tuple(r.rule for r in rules))
    else:
        policy = replace(policy, ingress=tuple(r.rule for r in rules))
    return SuggestedPolicy(policy, _file(policy), key, direction, rules, choice.also)


PortKey = tuple[int, str, str]  # (number, protocol, name): in order of the port numbers observed


def _port_key(number: int, spec: PortSpec) -> PortKey:
    return (number, spec.protocol.value, spec.port if isinstance(spec.port, str) else "")


def _rules(
    workloads: Workloads, namespace: str, direction: Direction, conns: list[Observed]
) -> tuple[SuggestedRule, ...]:
    """One rule per distinct set of ports, listing the peers observed on exactly those ports;
    DNS (egress) folded into one rule on UDP and TCP 53."""
    dns: list[Observed] = []
    ports_of: dict[tuple[str, object], dict[PortKey, PortSpec]] = {}  # peer -> ports
    remotes: dict[tuple[str, object], Endpoint] = {}
    flows_of: dict[tuple[str, object], list[Observed]] = {}
    for o in conns:
        if direction is Direction.EGRESS and is_dns(o):
            dns.append(o)
            continue
        remote = o.destination if direction is Direction.EGRESS else o.source
        spec = workloads.port(o.destination, o.port, o.protocol)
        for peer_key in _peer_keys(workloads, remote):
            ports_of.setdefault(peer_key, {})[_port_key(o.port, spec)] = spec
            remotes[peer_key] = remote
            flows_of.setdefault(peer_key, []).append(o)
    by_ports: dict[tuple[PortKey, ...], list[tuple[str, object]]] = {}
    specs_of: dict[tuple[PortKey, ...], tuple[PortSpec, ...]] = {}
    for peer_key, specs in ports_of.items():
        k = tuple(sorted(specs))
        by_ports.setdefault(k, []).append(peer_key)
        specs_of[k] = tuple(specs[pk] for pk in k)
    out: list[SuggestedRule] = []
    for k in sorted(by_ports):
        peer_keys = by_ports[k]
        peers, also = _peers(workloads, namespace, peer_keys)
        flows = _flows([o for pk in peer_keys for o in flows_of[pk]])
        out.append(SuggestedRule(Rule(peers, specs_of[k]), flows, False, also))
    if dns:
        keys = list(dict.fromkeys(k for o in dns for k in _peer_keys(workloads, o.destination)))
        peers, also = _peers(workloads, namespace, keys)
        out.append(SuggestedRule(Rule(peers, _DNS_PORTS), _flows(dns), True, also))
    return tuple(out)


def _peer_keys(workloads: Workloads, remote: Endpoint) -> list[tuple[str, object]]:
    """How a rule names the remote end: its workload, or its addresses (an external address; a
    hostNetwork pod, whose traffic is its node's)."""
    if isinstance(remote, External):
        return [("ip", remote.ip)]
    if workloads.options.is_node_traffic(remote):
        return [("ip", ip) for ip in remote.addresses]
    return [("pod", remote.endpoint)]


def _peers(
    workloads: Workloads, namespace: str, keys: list[tuple[str, object]]
) -> tuple[tuple[Peer, ...], tuple[str, ...]]:
    """The peers for these remote ends, sorted (this namespace's workloads, other namespaces',
    then address blocks, contiguous addresses merged where they make a CIDR exactly), and the
    workloads they select besides."""
    pods = sorted(str(k) for kind, k in keys if kind == "pod")
    pods.sort(key=lambda key: (workloads.pods(key)[0].namespace != namespace, key))
    peers: list[Peer] = [workloads.peer(key, namespace) for key in pods]
    also = sorted({other for key in pods for other in workloads.choice(key).also})
    ips = [k for kind, k in keys if kind == "ip" and isinstance(k, IPv4Address | IPv6Address)]
    v4 = ipaddress.collapse_addresses(ipaddress.IPv4Network(ip) for ip in ips if isinstance(ip, IPv4Address))
    v6 = ipaddress.collapse_addresses(ipaddress.IPv6Network(ip) for ip in ips if isinstance(ip, IPv6Address))
    peers.extend(IPBlockPeer(net) for net in v4)
    peers.extend(IPBlockPeer(net) for net in v6)
    return tuple(peers), tuple(also)


def _flows(conns: list[Observed]) -> tuple[Flow, ...]:
    """The connections folded by workload (or address) and port, with how often they were seen
    and where the first was; in the order of source, destination, protocol and port."""
    folded: dict[tuple[str, str, int, Protocol], Flow] = {}
    for o in conns:
        src, dst = endpoint_label(o.source), endpoint_label(o.destination)
        k = (src, dst, o.port, o.protocol)
        prev = folded.get(k)
        if prev is None:
            folded[k] = Flow(src, dst, o.port, o.protocol, o.flows, o.at)
        else:
            folded[k] = replace(prev, count=prev.count + o.flows, at=prev.at or o.at)
    return tuple(folded[k] for k in sorted(folded, key=lambda k: (k[0], k[1], k[3].value, k[2])))
