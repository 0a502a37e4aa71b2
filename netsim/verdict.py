"""Verdicts and the evidence they are computed from (data only; rendering lives in render/).

The allowed connection set of a direction is a *property* over the recorded rule outcomes, so an
explanation can never disagree with the verdict it explains.

Answers are three-valued. Where the input does not decide whether a rule's peer matches (a pod
without an address against an ipBlock, a namespace without a manifest against a
namespaceSelector) the outcome records the :class:`~netsim.model.Unknown` it depends on, and where
a policy of a kind netsim does not evaluate may select the subject, the direction records it.
Each side then has two connection sets: ``conns``, what it allows whatever the unknowns turn out
to be, and ``possible``, what it allows for some of them. NetworkPolicy only ever adds allowed
traffic once a pod is isolated, so a rule that *might* match can only add to what is allowed;
``possible - conns`` is what is undetermined.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Generic, TypeVar
from typing import Protocol as Interface

from netsim.connset import ConnSet
from netsim.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterRule,
    Direction,
    Endpoint,
    NetworkPolicy,
    Peer,
    Protocol,
    Rule,
    Service,
    ServicePort,
    Tier,
    Traffic,
    UnevaluatedPolicy,
    Unknown,
    UnknownKind,
)

__all__ = [
    "Backend",
    "BackendVerdict",
    "ClusterRuleOutcome",
    "Decided",
    "Decision",
    "DirectionVerdict",
    "PairVerdict",
    "RuleOutcome",
    "ServiceVerdict",
    "TierChain",
    "TierWalk",
    "Verdict",
    "WorkloadVerdict",
    "every_pair",
    "policy_unknown",
    "tier_chain",
    "walk_tier",
]


class Decision(StrEnum):
    """The answer to "is this connection allowed?"."""

    ALLOWED = "allowed"
    DENIED = "denied"
    UNDETERMINED = "undetermined"  # depends on facts the input does not give


def _decide(certain: bool, possible: bool) -> Decision:
    if certain:
        return Decision.ALLOWED
    return Decision.UNDETERMINED if possible else Decision.DENIED


def policy_unknown(policy: UnevaluatedPolicy, subject: Endpoint, direction: Direction) -> Unknown:
    """The unknown an unevaluated policy kind brings to one side of a connection."""
    where = f" ({policy.span})" if policy.span is not None else ""
    how = "selects" if policy.selects is not None else "may select"
    return Unknown(
        UnknownKind.POLICY,
        policy.ref,
        f"{policy.ref}{where} {how} {subject.ref} for {direction.value.lower()} and is not evaluated",
        policy.span,
    )


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """How one rule of an isolating policy treated the connection."""

    policy: NetworkPolicy
    direction: Direction
    index: int  # position in spec.ingress / spec.egress
    rule: Rule
    peer_matched: bool  # True when the rule has no peers ("all") or one of its peers matched
    matched_peer: Peer | None  # the first peer that matched (only when explaining; None: rule has no peers)
    peer_misses: tuple[str, ...]  # why each peer missed (only when explaining and none matched)
    ports: ConnSet  # what the rule's ports allow towards the destination
    port_notes: tuple[str, ...] = ()  # named-port resolutions (only when explaining)
    # when no peer matched for certain: what would make one match (empty: no peer can match)
    peer_unknowns: tuple[Unknown, ...] = ()

    @property
    def allowed(self) -> ConnSet:
        """The connections this rule opens for certain: its ports if its peer matched, else nothing."""
        return self.ports if self.peer_matched else ConnSet.none()

    @property
    def undecided(self) -> bool:
        """True when whether a peer matches depends on what the input does not say."""
        return not self.peer_matched and bool(self.peer_unknowns)

    @property
    def possible(self) -> ConnSet:
        """The connections this rule may open: its ports if a peer matches or might match."""
        return self.ports if self.peer_matched or self.peer_unknowns else ConnSet.none()

    @property
    def field(self) -> str:
        """``spec.ingress[0]`` / ``spec.egress[2]``."""
        return f"spec.{self.direction.value.lower()}[{self.index}]"


@dataclass(frozen=True, slots=True)
class ClusterRuleOutcome:
    """How one rule of a cluster-scoped policy that may select the subject treated the connection.

    ``peer_state`` is True when a peer selects the remote end, False when none does, None when it
    depends on what the input does not give (``unknowns`` says what; also when the policy may or
    may not select the subject)."""

    policy: ClusterNetworkPolicy
    direction: Direction
    index: int  # position in spec.ingress / spec.egress
    rule: ClusterRule
    peer_state: bool | None
    matched_peer: ClusterPeer | None  # the first peer that selects it (only when explaining)
    peer_misses: tuple[str, ...]  # why each peer does not (only when explaining, and none does)
    ports: ConnSet  # the connections the rule's ports cover towards the destination
    unknowns: tuple[Unknown, ...] = ()

    @property
    def action(self) -> Action:
        """What the rule does with what it matches."""
        return self.rule.action

    @property
    def field(self) -> str:
        """``spec.ingress[0]`` / ``spec.egress[2]``."""
        return f"spec.{self.direction.value.lower()}[{self.index}]"


@dataclass(frozen=True, slots=True)
class TierWalk:
    """A tier's first-match walk over one pair, per connection, as (certain, possible) sets: what
    its rules accept, deny and pass on, and what no rule of it matches (left to the next tier)."""

    accepted: tuple[ConnSet, ConnSet]
    denied: tuple[ConnSet, ConnSet]
    passed: tuple[ConnSet, ConnSet]
    unmatched: tuple[ConnSet, ConnSet]

    @property
    def onward(self) -> tuple[ConnSet, ConnSet]:
        """What the next tier decides: passed on, or matched by no rule."""
        return self.passed[0] | self.unmatched[0], self.passed[1] | self.unmatched[1]


def walk_tier(outcomes: tuple[ClusterRuleOutcome, ...], start: tuple[ConnSet, ConnSet]) -> TierWalk:
    """The first-match walk of one tier's rules (in evaluation order) over the connections that
    reach it, ``start`` = (certainly, possibly). A rule that matches for certain decides its ports
    among those possibly still open, for certain where no earlier rule that may match would
    decide them another way; one that may match decides them possibly, and they are no longer
    certainly open. Every set is sound: a connection is in a certain set in every way the unknowns
    can turn out, and in no way outside the possible set."""
    open_c, open_p = start
    none = ConnSet.none()
    got: dict[Action, list[ConnSet]] = {a: [none, none] for a in Action}
    # per action, what a rule that may match may have decided that way (still possibly open)
    maybe: dict[Action, ConnSet] = dict.fromkeys(Action, none)
    unsure = open_p - open_c  # reach this tier in some worlds only (an earlier tier may decide them)
    for o in outcomes:
        if o.peer_state is False or not o.ports:
            continue
        action = o.rule.action
        sets = got[action]
        reached = o.ports & open_p
        sets[1] = sets[1] | reached
        if o.peer_state:
            # decided this way in every world: unless an earlier rule that may match decides
            # it another way, whichever of them matches, the action is this one
            other = unsure  # what may not reach this tier at all
            for a, m in maybe.items():
                if a is not action:
                    other = other | m
            sets[0] = sets[0] | (reached - other)
            open_p = open_p - o.ports
        else:
            maybe[action] = maybe[action] | reached
        open_c = open_c - o.ports
    return TierWalk(
        (got[Action.ACCEPT][0], got[Action.ACCEPT][1]),
        (got[Action.DENY][0], got[Action.DENY][1]),
        (got[Action.PASS][0], got[Action.PASS][1]),
        (open_c, open_p),
    )


#: Above this many orders of tied policies, their matches count as undecided instead (sound, coarser).
_MAX_ORDERS = 24


def _tied_groups(outcomes: tuple[ClusterRuleOutcome, ...]) -> list[list[tuple[ClusterRuleOutcome, ...]]]:
    """The tier's policies in evaluation order, grouped by priority: each group a list of
    policies, each policy the tuple of its rule outcomes."""
    groups: list[list[tuple[ClusterRuleOutcome, ...]]] = []
    current: list[ClusterRuleOutcome] = []
    for o in outcomes:
        if current and o.policy is not current[-1].policy:
            _add_policy(groups, tuple(current))
            current = []
        current.append(o)
    if current:
        _add_policy(groups, tuple(current))
    return groups


def _add_policy(groups: list[list[tuple[ClusterRuleOutcome, ...]]], rules: tuple[ClusterRuleOutcome, ...]) -> None:
    if groups and groups[-1][0][0].policy.priority == rules[0].policy.priority:
        groups[-1].append(rules)
    else:
        groups.append([rules])


def _orders(outcomes: tuple[ClusterRuleOutcome, ...]) -> list[tuple[ClusterRuleOutcome, ...]]:
    """Every order the implementation may apply the tier's rules in: policies of equal priority
    in any order. Too many orders: one order in which the tied policies' matches are undecided."""
    groups = _tied_groups(outcomes)
    if all(len(g) == 1 for g in groups):
        return [outcomes]
    count = 1
    for g in groups:
        count *= math.factorial(len(g))
    if count > _MAX_ORDERS:
        return [
            tuple(
                replace(o, peer_state=None) if len(g) > 1 and o.peer_state else o
                for g in groups
                for rules in g
                for o in rules
            )
        ]
    orders: list[tuple[ClusterRuleOutcome, ...]] = [()]
    for g in groups:
        orders = [
            (*prefix, *(o for rules in perm for o in rules)) for prefix in orders for perm in itertools.permutations(g)
        ]
    return orders


def _before_decided(outcomes: tuple[ClusterRuleOutcome, ...], relevant: Callable[[ConnSet], bool]) -> list[Unknown]:
    """The unknowns of the tier's undecided rules that come before the first rule that decides
    the traffic for certain (the rules after it never see it)."""
    found: list[Unknown] = []
    for o in outcomes:
        if not relevant(o.ports):
            continue
        if o.peer_state is True:  # Accept and Deny decide; Pass leaves the tier
            break
        if o.peer_state is None:
            found.extend(o.unknowns)
    return found


def _tie_unknown(
    outcomes: tuple[ClusterRuleOutcome, ...], port: int | None, protocol: Protocol | None
) -> list[Unknown]:
    """For each group of same-priority policies with matching rules of different actions (for
    the port, when given), the unknown of which one the implementation applies first."""
    found = []
    for g in _tied_groups(outcomes):
        if len(g) < 2:
            continue
        actions = {
            o.rule.action
            for rules in g
            for o in rules
            if o.peer_state is not False and (port is None or protocol is None or o.ports.allows(port, protocol))
        }
        if len(actions) > 1:
            names = " and ".join(rules[0].policy.ref for rules in g)
            found.append(
                Unknown(
                    UnknownKind.PRIORITY_TIE,
                    names,
                    f"{names} have the same priority {g[0][0].policy.priority} and the implementation may apply "
                    "either first",
                    g[0][0].policy.span,
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class TierChain:
    """What the cluster-scoped tiers do with one side's connections towards one remote end,
    before NetworkPolicy's answer is known: the Admin tier's walk in every order the
    implementation may apply its tied policies in, and the whole answer when no NetworkPolicy
    isolates the subject (the Baseline tier and the default allow decide what the Admin tier
    leaves)."""

    admin: tuple[TierWalk, ...]  # per order of the Admin tier's tied policies
    unisolated: tuple[ConnSet, ConnSet]  # (certain, possible) when NetworkPolicy does not isolate
    # what a rule of the tier accepts for certain, in every order (the Baseline tier's: when
    # NetworkPolicy does not isolate the subject)
    admin_accepted: ConnSet
    baseline_accepted: ConnSet

    def accepted(self, tier: Tier, isolated: bool) -> ConnSet:
        """What a rule of ``tier`` accepts for certain (part of what the side allows for certain):
        the Baseline tier decides nothing when NetworkPolicy isolates the subject."""
        if tier is Tier.ADMIN:
            return self.admin_accepted
        return _NOTHING if isolated else self.baseline_accepted

    def allowed(self, policy_allowed: tuple[ConnSet, ConnSet] | None) -> tuple[ConnSet, ConnSet]:
        """What the side allows, (for certain, possibly): the Admin tier, then NetworkPolicy (final
        when it isolates the subject: ``policy_allowed`` is what its rules allow; None when it
        does not), then the Baseline tier, then the default allow. What is certain must be certain
        in every order. Each component depends only on the same component of ``policy_allowed``."""
        if policy_allowed is None:
            return self.unisolated
        allowed_c, allowed_p = policy_allowed
        certain, possible = _NOTHING, _NOTHING
        for k, walk in enumerate(self.admin):
            onward_c, onward_p = walk.onward
            c = walk.accepted[0] | (onward_c & allowed_c)
            certain = c if k == 0 else certain & c
            possible = possible | walk.accepted[1] | (onward_p & allowed_p)
        return certain, possible


_NOTHING = ConnSet.none()
_EVERYTHING = ConnSet.all()


def tier_chain(
    admin: tuple[ClusterRuleOutcome, ...], baseline: tuple[ClusterRuleOutcome, ...], selected_elsewhere: bool = False
) -> TierChain:
    """The tiers' walks over one pair (``admin`` and ``baseline``: the rules of the policies that
    may select the subject, in evaluation order). ``selected_elsewhere``: NetworkPolicy selects
    the subject for the other direction only and the plugin reads that as deciding this one too.

    Rules that match nothing are dropped first: they decide nothing, in any order."""
    admin = tuple(o for o in admin if o.peer_state is not False and o.ports)
    baseline = tuple(o for o in baseline if o.peer_state is not False and o.ports)
    walks = tuple(walk_tier(a, (_EVERYTHING, _EVERYTHING)) for a in _orders(admin))
    results: list[tuple[ConnSet, ConnSet]] = []
    admin_accepted = baseline_accepted = None
    for walk in walks:
        onward_c, onward_p = walk.onward
        admin_accepted = walk.accepted[0] if admin_accepted is None else admin_accepted & walk.accepted[0]
        if selected_elsewhere:  # NetworkPolicy ends the tiers here too, and allows
            results.append((walk.accepted[0] | onward_c, walk.accepted[1] | onward_p))
            baseline_accepted = _NOTHING
            continue
        for b in _orders(baseline):
            base = walk_tier(b, (onward_c, onward_p))
            # a Pass in the Baseline tier, and no match, leave the default: allowed
            allowed_c = base.accepted[0] | base.passed[0] | base.unmatched[0]
            allowed_p = base.accepted[1] | base.passed[1] | base.unmatched[1]
            results.append((walk.accepted[0] | allowed_c, walk.accepted[1] | allowed_p))
            baseline_accepted = base.accepted[0] if baseline_accepted is None else baseline_accepted & base.accepted[0]
    certain, possible = results[0]
    for c, p in results[1:]:
        certain, possible = certain & c, possible | p
    return TierChain(walks, (certain, possible), admin_accepted or _NOTHING, baseline_accepted or _NOTHING)


@dataclass(frozen=True, slots=True)
class DirectionVerdict:
    """One side of a connection: the source's egress or the destination's ingress."""

    direction: Direction
    subject: Endpoint  # egress: the source; ingress: the destination
    remote: Endpoint  # the other end
    isolating: tuple[NetworkPolicy, ...]  # policies that select the subject for this direction
    outcomes: tuple[RuleOutcome, ...]  # every rule of the isolating policies
    exemption: str | None = None  # why policies do not apply at all (not a pod, own node, itself)
    # policies of kinds netsim does not evaluate that may select the subject in this direction
    unevaluated: tuple[UnevaluatedPolicy, ...] = ()
    # the rules of the cluster-scoped policies that may select the subject, in evaluation order:
    # the Admin tier before NetworkPolicy, the Baseline tier after it
    admin: tuple[ClusterRuleOutcome, ...] = ()
    baseline: tuple[ClusterRuleOutcome, ...] = ()
    # a NetworkPolicy selects the subject for the other direction only, and the plugin reads that
    # as NetworkPolicy deciding this direction too: allowed (Options.networkpolicy_tier_per_pod)
    selected_elsewhere: bool = False
    # the tiers' walks over ``admin`` and ``baseline`` when the engine has them already (it shares
    # them between pods its policies select alike); else computed on first use
    tiers: TierChain | None = field(default=None, compare=False, repr=False)
    _chain: TierChain | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def isolated(self) -> bool:
        """True when some policy selects the subject for this direction."""
        return bool(self.isolating) and self.exemption is None

    @property
    def opaque(self) -> bool:
        """True when an unevaluated policy may decide this side (it may deny or allow anything)."""
        return bool(self.unevaluated) and self.exemption is None

    @property
    def conns(self) -> ConnSet:
        """What this side allows for certain: all when not isolated, else the union of the rules
        that match; nothing when an unevaluated policy may decide it. With cluster-scoped
        policies: what their tiers and NetworkPolicy allow, in order."""
        if self.exemption is not None:
            return ConnSet.all()
        if self.unevaluated:
            return ConnSet.none()
        if self.admin or self.baseline:
            return self._tiers()[0]
        if not self.isolating:
            return ConnSet.all()
        return self._policy_allowed()[0]

    @property
    def possible(self) -> ConnSet:
        """What this side may allow: also the rules that might match; all when an unevaluated
        policy may decide it."""
        if self.exemption is not None or self.unevaluated:
            return ConnSet.all()
        if self.admin or self.baseline:
            return self._tiers()[1]
        if not self.isolating:
            return ConnSet.all()
        return self._policy_allowed()[1]

    def _policy_allowed(self) -> tuple[ConnSet, ConnSet]:
        """What the NetworkPolicies isolating the subject allow: (for certain, possibly)."""
        certain, possible = ConnSet.none(), ConnSet.none()
        for outcome in self.outcomes:
            certain |= outcome.allowed
            possible |= outcome.possible
        return certain, possible

    def _tiers(self) -> tuple[ConnSet, ConnSet]:
        """Admin tier, then NetworkPolicy, then the Baseline tier: see :meth:`TierChain.allowed`."""
        policy = self._policy_allowed() if self.isolating else None
        return self.chain().allowed(policy)

    def chain(self) -> TierChain:
        """The tiers' walks over this side's cluster-scoped rules (computed once)."""
        chain = self.tiers or self._chain
        if chain is None:
            chain = tier_chain(self.admin, self.baseline, self.selected_elsewhere)
            object.__setattr__(self, "_chain", chain)  # a cache: the verdict's data does not change
        return chain

    def accepted(self, tier: Tier) -> ConnSet:
        """What a rule of a cluster-scoped ``tier`` accepts on this side for certain (so allowed
        whatever NetworkPolicy says, for the Admin tier)."""
        if self.exemption is not None or self.unevaluated or not (self.admin or self.baseline):
            return _NOTHING
        return self.chain().accepted(tier, self.isolated)

    def allows(self, port: int, protocol: Protocol) -> bool:
        """True if this side allows ``port``/``protocol`` for certain."""
        return self.conns.allows(port, protocol)

    def decision(self, port: int, protocol: Protocol) -> Decision:
        """Allowed, denied, or undetermined on this side."""
        return _decide(self.allows(port, protocol), self.possible.allows(port, protocol))

    def matches_for(self, port: int, protocol: Protocol) -> tuple[RuleOutcome, ...]:
        """The rules that allow ``port``/``protocol`` for certain."""
        return tuple(o for o in self.outcomes if o.allowed.allows(port, protocol))

    def undecided_for(self, port: int, protocol: Protocol) -> tuple[RuleOutcome, ...]:
        """The rules that would allow ``port``/``protocol`` if their peer matched, and might."""
        return tuple(o for o in self.outcomes if o.undecided and o.ports.allows(port, protocol))

    def unknowns(self, port: int | None = None, protocol: Protocol | None = None) -> tuple[Unknown, ...]:
        """What this side's answer depends on (for one port, or for any), each once, in order."""
        if self.exemption is not None:
            return ()
        found: list[Unknown] = [policy_unknown(p, self.subject, self.direction) for p in self.unevaluated]

        def relevant(ports: ConnSet) -> bool:
            return port is None or protocol is None or ports.allows(port, protocol)

        if not self.unevaluated:
            found.extend(_tie_unknown(self.admin, port, protocol))
            found.extend(_before_decided(self.admin, relevant))
            if self.isolating:
                for o in self.outcomes:
                    if o.undecided and relevant(o.ports):
                        found.extend(o.peer_unknowns)
            else:
                found.extend(_tie_unknown(self.baseline, port, protocol))
                found.extend(_before_decided(self.baseline, relevant))
        return tuple(dict.fromkeys(found))


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """Everything allowed from ``source`` to ``destination``, over all ports."""

    source: Endpoint
    destination: Endpoint
    egress: DirectionVerdict
    ingress: DirectionVerdict

    @property
    def conns(self) -> ConnSet:
        """What is allowed for certain: egress-allowed ∩ ingress-allowed."""
        return self.egress.conns & self.ingress.conns

    @property
    def possible(self) -> ConnSet:
        """What may be allowed, depending on the unknowns (a superset of :attr:`conns`)."""
        return self.egress.possible & self.ingress.possible

    @property
    def undetermined(self) -> ConnSet:
        """What the unknowns decide: possibly allowed, not certainly."""
        return self.possible - self.conns

    def accepted(self, tier: Tier) -> ConnSet:
        """What is allowed for certain because a rule of a cluster-scoped ``tier`` accepts it on
        one side or both."""
        return (self.egress.accepted(tier) & self.ingress.conns) | (self.ingress.accepted(tier) & self.egress.conns)

    def unknowns(self) -> tuple[Unknown, ...]:
        """Every unknown that an undetermined connection of this pair depends on."""
        if not self.undetermined:
            return ()
        return tuple(dict.fromkeys([*self.egress.unknowns(), *self.ingress.unknowns()]))


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one connection attempt, with the evidence it was computed from."""

    traffic: Traffic
    egress: DirectionVerdict
    ingress: DirectionVerdict

    @property
    def egress_allowed(self) -> bool:
        """The source's egress side allows the connection for certain."""
        return self.egress.allows(self.traffic.port, self.traffic.protocol)

    @property
    def ingress_allowed(self) -> bool:
        """The destination's ingress side allows the connection for certain."""
        return self.ingress.allows(self.traffic.port, self.traffic.protocol)

    @property
    def egress_decision(self) -> Decision:
        """The source's egress side: allowed, denied or undetermined."""
        return self.egress.decision(self.traffic.port, self.traffic.protocol)

    @property
    def ingress_decision(self) -> Decision:
        """The destination's ingress side: allowed, denied or undetermined."""
        return self.ingress.decision(self.traffic.port, self.traffic.protocol)

    @property
    def allowed(self) -> bool:
        """Allowed for certain: both ends allow it, whatever the unknowns turn out to be."""
        return self.egress_allowed and self.ingress_allowed

    @property
    def decision(self) -> Decision:
        """Denied if either side denies it for certain; allowed if both allow it for certain;
        otherwise undetermined."""
        sides = (self.egress_decision, self.ingress_decision)
        if Decision.DENIED in sides:
            return Decision.DENIED
        if Decision.UNDETERMINED in sides:
            return Decision.UNDETERMINED
        return Decision.ALLOWED

    def unknowns(self) -> tuple[Unknown, ...]:
        """What an undetermined answer depends on (empty for a decided one)."""
        if self.decision is not Decision.UNDETERMINED:
            return ()
        port, proto = self.traffic.port, self.traffic.protocol
        found = [*self.egress.unknowns(port, proto), *self.ingress.unknowns(port, proto)]
        return tuple(dict.fromkeys(found))


# -- Workloads: a connection from or to a workload is one from or to each of its pods -------------


def every_pair(decisions: set[Decision]) -> Decision:
    """A connection made of several (to each backend, from each pod): allowed when every part is;
    denied when one part is; undetermined otherwise."""
    if Decision.DENIED in decisions:
        return Decision.DENIED
    if Decision.UNDETERMINED in decisions:
        return Decision.UNDETERMINED
    return Decision.ALLOWED


class Decided(Interface):
    """Anything with a decision: a verdict, a Service's verdict."""

    @property
    def decision(self) -> Decision: ...


_V = TypeVar("_V", bound=Decided)


@dataclass(frozen=True, slots=True)
class WorkloadVerdict(Generic[_V]):
    """A connection from or to a workload whose pods policies do not all treat alike: one verdict
    per pair of pods that may differ (a pod of each kind on each side; the named endpoints' first
    pods first), or towards a Service one :class:`ServiceVerdict` per kind of source pod. The
    connection is allowed for the workload only when it is for every pair."""

    source: str  # the source as asked (a workload's ``ns/name[Kind]``, a pod, an address)
    destination: str
    verdicts: tuple[_V, ...]

    @property
    def decision(self) -> Decision:
        """Allowed when every pair allows it; denied when one denies it; undetermined otherwise."""
        return every_pair({v.decision for v in self.verdicts})

    @property
    def shown(self) -> _V:
        """The pair whose evidence explains the answer: the first that answers as the workload."""
        return next(v for v in self.verdicts if v.decision is self.decision)

    @property
    def alike(self) -> bool:
        """Whether every pair answers the same (then any pair's evidence is the workload's)."""
        return len({v.decision for v in self.verdicts}) == 1


# -- Services: a connection to a Service port is one to each of its backends ----------------------


@dataclass(frozen=True, slots=True)
class Backend:
    """One backend of a Service port: where a connection lands, or why none does there."""

    endpoint: Endpoint  # a pod of the input, or an address an EndpointSlice lists
    port: int | None  # the port on the backend (None: it receives nothing on this Service port)
    protocol: Protocol
    how: str  # how the port was found: "targetPort 8443", "targetPort https (8443/TCP)", ...


@dataclass(frozen=True, slots=True)
class BackendVerdict:
    """The connection towards one backend: one verdict per address the backend's policies may see
    as the source (one, unless the source is translated to a node's address on the way)."""

    backend: Backend
    verdicts: tuple[Verdict, ...]

    @property
    def decision(self) -> Decision:
        """Allowed or denied when every source address it may be seen from says so; otherwise
        (or when no such address is known) undetermined."""
        decisions = {v.decision for v in self.verdicts}
        return decisions.pop() if len(decisions) == 1 else Decision.UNDETERMINED


@dataclass(frozen=True, slots=True)
class ServiceVerdict:
    """A connection to a Service port: the verdicts towards each backend that receives it."""

    source: Endpoint
    service: Service
    port: ServicePort
    backends: tuple[Backend, ...]  # every backend, also those that receive nothing on this port
    results: tuple[BackendVerdict, ...]  # one per backend that receives it, in the same order
    # how the source reaches the backends, when it is not as itself: the node addresses an
    # external client is translated to (externalTrafficPolicy: Cluster), and why
    seen_as: tuple[Endpoint, ...] | None = None
    note: str | None = None

    @property
    def receiving(self) -> tuple[Backend, ...]:
        """The backends that receive traffic on this Service port."""
        return tuple(b for b in self.backends if b.port is not None)

    @property
    def decision(self) -> Decision:
        """Allowed when every receiving backend allows it; denied when none receives it or one
        denies it; undetermined otherwise."""
        decisions = {r.decision for r in self.results}
        return every_pair(decisions) if decisions else Decision.DENIED

    @property
    def allowed_count(self) -> int:
        """How many receiving backends allow it for certain."""
        return sum(1 for r in self.results if r.decision is Decision.ALLOWED)
