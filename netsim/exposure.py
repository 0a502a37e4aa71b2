"""Exposure analysis: what the policies allow to and from endpoints that are not in the input.

For each workload (or pod) and each direction, computed from the rules of the NetworkPolicies that
isolate it, as netpol-analyzer's ``--exposure`` reports it (docs/exposure.md):

- a side that no NetworkPolicy isolates is *not protected*: exposed to the entire cluster on
  every port (and to the outside, as the connection list already says);
- a rule with no peers, or a peer ``namespaceSelector: {}`` without a pod selector (or with
  ``{}``), exposes to the *entire cluster* on the rule's ports;
- any other selector peer exposes to the pods it describes, known only by their labels
  (``[namespace with {k=v}]/[pod with {k=v}]``): what every such pod may open is the union of
  the ports of the rules whose peer holds all of them (exact containment of label selectors);
- the external address ranges are the connection list's own lines with this endpoint.

Named ports resolve on the workload for ingress; towards pods not in the input (egress) they stay
names. Where cluster-scoped policies or unevaluated policy kinds may select the workload in a
direction, that side's lines are *undetermined* and name those policies; where ipBlocks may hold
the addresses of pods not in the input (``--ipblock-pods``, the default), the entire-cluster line
carries what they may add as undetermined. Data only: ``netsim.render.exposure`` prints it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import ip_network

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.externals import ExternalRange
from netsim.graph import Connection, GroupBy
from netsim.match.peers import peer_state
from netsim.match.ports import rule_ports, static_ports
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Direction,
    IPBlockPeer,
    IPNetwork,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Pod,
    PodPeer,
    Protocol,
    Requirement,
    Rule,
    Tier,
)

__all__ = [
    "Exposed",
    "Exposure",
    "ExposureLine",
    "Remote",
    "SideExposure",
    "WorkloadExposure",
    "compute_exposure",
    "selector_contains",
]

_EMPTY = LabelSelector()


@dataclass(frozen=True, slots=True)
class Exposed:
    """Connections towards endpoints not in the input: a ConnSet plus named ports that stay names
    (egress to pods whose declared ports are unknown), as ``(protocol, name)``."""

    conns: ConnSet = field(default_factory=ConnSet.none)
    named: frozenset[tuple[Protocol, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.conns) or bool(self.named)

    def __or__(self, other: Exposed) -> Exposed:
        return Exposed(self.conns | other.conns, self.named | other.named).canonical()

    def __sub__(self, other: Exposed) -> Exposed:
        return Exposed(self.conns - other.conns, self.named - other.named).canonical()

    def canonical(self) -> Exposed:
        """Without the names whose protocol is already allowed on every port."""
        named = frozenset((p, n) for p, n in self.named if not self.conns.ports(p).is_all())
        return self if named == self.named else Exposed(self.conns, named)

    def contained_in(self, other: Exposed) -> bool:
        """True if ``other`` allows everything this allows."""
        return not (self - other)

    def __str__(self) -> str:
        """netpol-analyzer's text: ``TCP 80,http`` (numbers, then the names sorted)."""
        if not self.named:
            return str(self.conns)
        groups = []
        for proto in sorted(Protocol, key=lambda p: p.value):
            ports = self.conns.ports(proto)
            names = sorted(n for p, n in self.named if p is proto)
            items = ([str(ports)] if ports else []) + names
            if items:
                groups.append(f"{proto.value} {','.join(items)}")
        return ",".join(groups)


@dataclass(frozen=True, slots=True)
class Remote:
    """The other end of an exposure line: the entire cluster, pods known only by selectors, or an
    external address range."""

    kind: str  # "entire-cluster", "pods" or "external"
    namespace_selector: LabelSelector = _EMPTY  # pods: {} is every namespace; a policy's own is its name label
    pod_selector: LabelSelector = _EMPTY  # pods: {} is every pod of those namespaces
    range: ExternalRange | None = None  # external
    label: str = ""  # external: the range's label as listed


@dataclass(frozen=True, slots=True)
class ExposureLine:
    """What the workload may open to (egress) or accept from (ingress) ``remote``."""

    remote: Remote
    conns: Exposed  # allowed for certain (as NetworkPolicy decides it)
    undetermined: Exposed = field(default_factory=Exposed)  # may be allowed beyond ``conns``


@dataclass(frozen=True, slots=True)
class SideExposure:
    """One direction of one workload."""

    direction: Direction
    protected: bool  # some NetworkPolicy isolates it in this direction
    lines: tuple[ExposureLine, ...] = ()
    # cluster-scoped and unevaluated policies that may select it in this direction: NetworkPolicy
    # does not decide this side alone, so its lines are undetermined
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WorkloadExposure:
    """A workload (or a pod, with ``--group-by pod``) and its two sides."""

    key: str
    label: str  # ns/name[Kind]
    namespace: str
    name: str
    kind: str
    egress: SideExposure
    ingress: SideExposure

    def side(self, direction: Direction) -> SideExposure:
        """The side of one direction."""
        return self.ingress if direction is Direction.INGRESS else self.egress


@dataclass(frozen=True, slots=True)
class Exposure:
    """Every workload's exposure, sorted by label."""

    workloads: tuple[WorkloadExposure, ...]


# -- label selectors as sets (exact) -------------------------------------------------------------------


def _constraints(selector: LabelSelector) -> dict[str, tuple[bool, frozenset[str], bool]]:
    """Per key, the values the selector allows: ``(cofinite, values, absent_ok)``; cofinite means
    every value but ``values``, otherwise exactly ``values``. Keys not constrained are absent."""
    reqs = [Requirement(k, "In", (v,)) for k, v in selector.match_labels.items()]
    reqs += list(selector.match_expressions)
    out: dict[str, tuple[bool, frozenset[str], bool]] = {}
    for req in reqs:
        values = frozenset(req.values)
        match req.operator:
            case "In":
                new = (False, values, False)
            case "NotIn":
                new = (True, values, True)
            case "Exists":
                new = (True, frozenset(), False)
            case _:  # DoesNotExist
                new = (False, frozenset(), True)
        old = out.get(req.key)
        out[req.key] = new if old is None else _meet(old, new)
    return out


def _meet(
    a: tuple[bool, frozenset[str], bool], b: tuple[bool, frozenset[str], bool]
) -> tuple[bool, frozenset[str], bool]:
    (ac, av, aa), (bc, bv, ba) = a, b
    absent = aa and ba
    if ac and bc:
        return True, av | bv, absent
    if ac:
        return False, bv - av, absent
    if bc:
        return False, av - bv, absent
    return False, av & bv, absent


def _within(inner: tuple[bool, frozenset[str], bool], outer: tuple[bool, frozenset[str], bool]) -> bool:
    (ic, iv, ia), (oc, ov, oa) = inner, outer
    if ia and not oa:
        return False
    if ic:
        return oc and ov <= iv
    return not (iv & ov) if oc else iv <= ov


def _empty(constraint: tuple[bool, frozenset[str], bool]) -> bool:
    cofinite, values, absent = constraint
    return not cofinite and not values and not absent


def selector_contains(outer: LabelSelector, inner: LabelSelector) -> bool:
    """True if ``outer`` selects every label set that ``inner`` selects (exactly: keys are
    independent, so the product of per-key sets is contained key by key)."""
    mine = _constraints(inner)
    if any(_empty(c) for c in mine.values()):
        return True  # inner selects nothing
    theirs = _constraints(outer)
    return all(_within(mine.get(key, (True, frozenset(), True)), c) for key, c in theirs.items())


# -- the analysis ----------------------------------------------------------------------------------------


def _name_selector(namespace: str) -> LabelSelector:
    return LabelSelector(Labels({NAMESPACE_NAME_LABEL: namespace}))


def _remote_of(peer: PodPeer, policy_ns: str) -> Remote:
    """A selector peer as the pods it describes; every pod of every namespace is the entire cluster."""
    ns = _name_selector(policy_ns) if peer.namespace_selector is None else peer.namespace_selector
    pods = peer.pod_selector or _EMPTY
    if ns.is_empty() and pods.is_empty():
        return Remote("entire-cluster")
    return Remote("pods", ns, pods)


def _holds(peer: PodPeer, policy_ns: str, remote: Remote) -> bool:
    """True if ``peer`` selects every pod ``remote`` stands for."""
    if remote.kind == "entire-cluster":
        mine = _remote_of(peer, policy_ns)
        return mine.kind == "entire-cluster"
    ns = _name_selector(policy_ns) if peer.namespace_selector is None else peer.namespace_selector
    return selector_contains(ns, remote.namespace_selector) and selector_contains(
        peer.pod_selector or _EMPTY, remote.pod_selector
    )


def _ports(rule: Rule, direction: Direction, pod: Pod) -> Exposed:
    """The rule's ports towards the remote end: resolved on ``pod`` for ingress; kept as names for
    egress, towards pods whose declared ports are unknown."""
    if direction is Direction.INGRESS or not rule.ports:
        return Exposed(rule_ports(rule.ports, pod).conns)
    names = frozenset((s.protocol, s.port) for s in rule.ports if isinstance(s.port, str))
    return Exposed(static_ports(rule.ports), names).canonical()


def _span(net: IPNetwork) -> tuple[int, int, int]:
    return net.version, int(net.network_address), int(net.broadcast_address)


def _inside(a: IPNetwork, b: IPNetwork) -> bool:
    """True if ``a`` is a subnet of ``b`` (same family)."""
    (va, la, ha), (vb, lb, hb) = _span(a), _span(b)
    return va == vb and lb <= la and ha <= hb


def _overlap(a: IPNetwork, b: IPNetwork) -> bool:
    (va, la, ha), (vb, lb, hb) = _span(a), _span(b)
    return va == vb and la <= hb and lb <= ha


def _covers(peer: IPBlockPeer, net: IPNetwork) -> bool:
    """Every address of ``net`` is in the block (in ``cidr``, in no ``except``)."""
    return _inside(net, peer.cidr) and not any(_overlap(e, net) for e in peer.except_)


def _misses(peer: IPBlockPeer, net: IPNetwork) -> bool:
    """No address of ``net`` is in the block."""
    return not _overlap(net, peer.cidr) or any(_inside(net, e) for e in peer.except_)


def _block_state(peer: IPBlockPeer, index: PolicyIndex) -> bool | None:
    """Does the ipBlock hold the address of every pod not in the input (True), of none (False), or
    does that depend on the address (None)? Only when ipBlocks match pods."""
    options = index.options
    if not options.ipblock_matches_pods or options.closed_world:
        return False
    nets = [n for n in options.pod_cidrs if n.version == peer.cidr.version] or (
        [] if options.pod_cidrs else [ip_network("0.0.0.0/0") if peer.cidr.version == 4 else ip_network("::/0")]
    )
    if not nets:
        return False  # the pod network has no address of this family
    if all(_covers(peer, n) for n in nets) and options.pod_cidrs:
        return True
    if all(_misses(peer, n) for n in nets):
        return False
    return None


def _side(index: PolicyIndex, pods: list[Pod], direction: Direction, externals: list[ExposureLine]) -> SideExposure:
    """One direction of a workload: the union over its pods (they are alike in the usual case)."""
    isolating = {pol.ref: pol for pod in pods for pol in index.isolating(pod, direction)}
    depends: dict[str, None] = {}
    for pod in pods:
        for tier in Tier:
            if tier is Tier.BASELINE and index.isolating(pod, direction):
                continue  # NetworkPolicy decides before the Baseline tier
            for pol, _ in index.tier_policies(pod, direction, tier):
                depends.setdefault(f"{pol.ref} ({tier.value} tier)")
        for foreign in index.unevaluated(pod, direction):
            depends.setdefault(f"{foreign.kind} {foreign.ref} (not evaluated)")
    lines: list[ExposureLine] = []
    if not isolating:
        lines.append(ExposureLine(Remote("entire-cluster"), Exposed(ConnSet.all())))
    else:
        lines.extend(_rule_lines(index, pods, direction, isolating.values()))
    lines.extend(externals)
    if depends:
        lines = [ExposureLine(ln.remote, Exposed(), ln.conns | ln.undetermined) for ln in lines]
    return SideExposure(direction, bool(isolating), tuple(lines), tuple(depends))


def _rule_lines(
    index: PolicyIndex, pods: list[Pod], direction: Direction, policies: Iterable[NetworkPolicy]
) -> list[ExposureLine]:
    rules = [(pol.namespace, rule) for pol in policies for rule in pol.rules(direction)]
    cluster = Exposed()
    maybe = Exposed()
    remotes: dict[Remote, None] = {}
    for policy_ns, rule in rules:
        for pod in pods:
            ports = _ports(rule, direction, pod)
            if not rule.peers:
                cluster |= ports
                continue
            for peer in rule.peers:
                if isinstance(peer, IPBlockPeer):
                    state = _block_state(peer, index)
                    if state:
                        cluster |= ports
                    elif state is None:
                        maybe |= ports
                    continue
                remote = _remote_of(peer, policy_ns)
                if remote.kind == "entire-cluster":
                    cluster |= ports
                else:
                    remotes.setdefault(remote)
    out: list[ExposureLine] = []
    if cluster or maybe - cluster:
        out.append(ExposureLine(Remote("entire-cluster"), cluster, maybe - cluster))
    for remote in remotes:
        if _represented(index, remote):
            continue
        got = Exposed()
        for policy_ns, rule in rules:
            if rule.peers and not any(isinstance(p, PodPeer) and _holds(p, policy_ns, remote) for p in rule.peers):
                continue
            for pod in pods:
                got |= _ports(rule, direction, pod)
        if got and not got.contained_in(cluster):
            out.append(ExposureLine(remote, got))
    return out


def _plain(selector: LabelSelector) -> bool:
    return not selector.match_expressions and not selector.is_empty()


def _represented(index: PolicyIndex, remote: Remote) -> bool:
    """netpol-analyzer leaves out pods described by matchLabels alone (namespace and pods, both
    non-empty) when a pod of the input matches them for certain: its own lines show them."""
    if not (_plain(remote.namespace_selector) and _plain(remote.pod_selector)):
        return False
    peer = PodPeer(remote.namespace_selector, remote.pod_selector)
    cluster, options = index.cluster, index.options
    return any(
        not options.is_node_traffic(pod) and peer_state(peer, "", pod, cluster, options) is True for pod in cluster.pods
    )


def _external_lines(rows: Iterable[Connection]) -> dict[tuple[str, Direction], list[ExposureLine]]:
    out: dict[tuple[str, Direction], list[ExposureLine]] = {}
    for row in rows:
        src, dst = row.source, row.destination
        if src.range is not None and dst.range is None:
            key, rng = (dst.key, Direction.INGRESS), src
        elif dst.range is not None and src.range is None:
            key, rng = (src.key, Direction.EGRESS), dst
        else:
            continue
        remote = Remote("external", range=rng.range, label=rng.label)
        out.setdefault(key, []).append(ExposureLine(remote, Exposed(row.conns), Exposed(row.undetermined)))
    return out


def compute_exposure(
    index: PolicyIndex,
    rows: Iterable[Connection],
    by: GroupBy = GroupBy.WORKLOAD,
    namespaces: Mapping[str, object] | Iterable[str] | None = None,
) -> Exposure:
    """The exposure of every workload (``by``: workloads or pods) of ``index``'s cluster, with the
    external lines taken from ``rows`` (the connection list at the same ``by`` level), limited to
    the workloads of ``namespaces`` when given."""
    if by is GroupBy.NAMESPACE:
        raise ValueError("exposure is computed for workloads or pods, not namespaces")
    wanted = None if namespaces is None else frozenset(namespaces)
    groups: dict[str, list[Pod]] = {}
    for pod in index.cluster.pods:
        if wanted is not None and pod.namespace not in wanted:
            continue
        groups.setdefault(pod.endpoint if by is GroupBy.WORKLOAD else pod.ref, []).append(pod)
    externals = _external_lines(rows)
    found = []
    for key, pods in groups.items():
        first = pods[0]
        if by is GroupBy.WORKLOAD:
            label, name, kind = first.endpoint, first.workload_name, first.workload_kind
        else:
            label, name, kind = f"{first.namespace}/{first.name}[{first.kind}]", first.name, first.kind
        sides = {d: _side(index, pods, d, externals.get((key, d), [])) for d in (Direction.EGRESS, Direction.INGRESS)}
        found.append(
            WorkloadExposure(key, label, first.namespace, name, kind, sides[Direction.EGRESS], sides[Direction.INGRESS])
        )
    found.sort(key=lambda w: w.label.encode())
    return Exposure(tuple(found))
