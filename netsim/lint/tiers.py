"""Rules for the Admin and Baseline tiers: ClusterNetworkPolicy, and AdminNetworkPolicy /
BaselineAdminNetworkPolicy read as one (``Cluster.cluster_policies``).

In a tier, policies are applied by priority (the lower number first) and a policy's rules in
written order; the first rule whose peers and ports match decides (Accept and Deny for good, Pass
by handing the traffic to the next tier). Upstream: ``apis/v1alpha2/clusternetworkpolicy_types.go``
of kubernetes-sigs/network-policy-api.

* NP019: two policies of a tier with the same priority, whose rules match the same traffic with
  different actions: the API lets the implementation apply either first.
* NP020: a rule that never decides anything: an earlier rule matches all it matches.
* NP021: an Admin-tier Pass whose next tiers decide nothing: it allows.
* NP022: a Deny of ``networks`` that cover pod addresses: pod-to-pod traffic is denied too.
* NP023: an Admin-tier Accept over pods a NetworkPolicy isolates: the NetworkPolicy is skipped.
* NP024: ``domainNames`` in a rule whose action is not Accept.

Where a rule needs pods it looks at the pods of the input and reports only what holds for
certain (a subject that may select a pod of a namespace without a manifest does not count); the
containment NP020 needs is shown on the selectors, CIDRs and ports as written, never guessed
(:mod:`netsim.lint.containment`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from netsim.lint.base import Finding, LintContext, LintRule, Severity, count, refs, rule_field
from netsim.lint.containment import (
    name_covers,
    numbered_ports,
    peer_contains,
    ports_meet,
    rule_contains,
    selectors_compatible,
)
from netsim.match.cluster import cluster_peer_state, cluster_ports
from netsim.match.ipblock import ip_in_block
from netsim.match.peers import namespace_state
from netsim.match.selectors import matches_selector
from netsim.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterRule,
    Direction,
    DomainNamesPeer,
    IPAddress,
    IPBlockPeer,
    NetworkPolicy,
    NodesPeer,
    Pod,
    PodPeer,
    Tier,
)

__all__ = ["RULES"]

# -- what the input says ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Subjects:
    """The pods of the input a policy's subject selects for certain, and those it may select."""

    certain: tuple[Pod, ...]
    possible: tuple[Pod, ...]  # certain ones included


class _Tiers:
    """The cluster-scoped policies of a lint run with what the input says about them, cached."""

    def __init__(self, ctx: LintContext) -> None:
        self.ctx = ctx
        self.policies = ctx.cluster.cluster_policies
        self.pods = tuple(p for p in ctx.cluster.pods if not ctx.options.is_node_traffic(p))
        self._subjects: dict[int, _Subjects] = {}
        self._matched: dict[int, frozenset[int]] = {}

    def subjects(self, policy: ClusterNetworkPolicy) -> _Subjects:
        found = self._subjects.get(id(policy))
        if found is None:
            cluster, options = self.ctx.cluster, self.ctx.options
            subject = policy.subject
            states: list[tuple[Pod, bool | None]] = []
            if subject.namespace_selector is not None:  # (the CRDs require it)
                by_namespace: dict[str, bool | None] = {}
                for p in self.pods:
                    if subject.pod_selector is not None and not matches_selector(subject.pod_selector, p.labels):
                        continue
                    if p.namespace not in by_namespace:  # the subject's namespaces: the same for all its pods
                        namespace = cluster.namespace(p.namespace)
                        by_namespace[p.namespace] = namespace_state(subject.namespace_selector, namespace, options)
                    states.append((p, by_namespace[p.namespace]))
            found = _Subjects(tuple(p for p, s in states if s is True), tuple(p for p, s in states if s is not False))
            self._subjects[id(policy)] = found
        return found

    def matched(self, rule: ClusterRule) -> frozenset[int]:
        """The pods of the input (by id) one of the rule's peers selects for certain."""
        found = self._matched.get(id(rule))
        if found is None:
            cluster, options = self.ctx.cluster, self.ctx.options
            found = frozenset(
                id(p)
                for p in self.ctx.cluster.pods
                if any(cluster_peer_state(peer, p, cluster, options) is True for peer in rule.peers)
            )
            self._matched[id(rule)] = found
        return found

    def may_match(self, rule: ClusterRule, pod: Pod) -> bool:
        """True if one of the rule's peers selects ``pod`` or may."""
        cluster, options = self.ctx.cluster, self.ctx.options
        return any(cluster_peer_state(peer, pod, cluster, options) is not False for peer in rule.peers)

    def covers(self, broad: ClusterNetworkPolicy, narrow: ClusterNetworkPolicy) -> bool:
        """True if ``broad``'s subject selects every pod ``narrow``'s does: on the selectors as
        written, or for every pod of the input (when ``narrow`` selects one)."""
        if peer_contains(broad.subject, narrow.subject):
            return True
        mine = self.subjects(narrow).possible
        theirs = {id(p) for p in self.subjects(broad).certain}
        return bool(mine) and all(id(p) in theirs for p in mine)

    def earlier(self, policy: ClusterNetworkPolicy) -> list[ClusterNetworkPolicy]:
        """The policies of the tier applied before ``policy`` to every pod it selects."""
        ordered = sorted(
            (q for q in self.policies if q.tier is policy.tier and q.priority < policy.priority),
            key=lambda q: (q.priority, q.name),
        )
        return [q for q in ordered if self.covers(q, policy)]


def _where(policy: ClusterNetworkPolicy, direction: Direction, index: int) -> str:
    return f"{policy.ref} {rule_field(direction, index)}"


def _networks(peers: Iterable[IPBlockPeer]) -> str:
    return "networks " + ", ".join(str(p.cidr) for p in peers)


def _policy_refs(policies: Iterable[NetworkPolicy], limit: int = 2) -> str:
    names = list(dict.fromkeys(p.ref for p in policies))
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


# -- NP019: same priority, overlapping rules, different actions ---------------------------------------------


def _node_addresses(tiers: _Tiers, peer: NodesPeer) -> set[IPAddress]:
    """The addresses of the Nodes of the input that a ``nodes`` peer selects."""
    return {ip for n in tiers.ctx.cluster.nodes if matches_selector(peer.selector, n.labels) for ip in n.addresses}


def _external_overlap(tiers: _Tiers, a: ClusterPeer, b: ClusterPeer) -> bool:
    """True if two peers select a common address outside the pods of the input, for certain."""
    if isinstance(a, IPBlockPeer) and isinstance(b, IPBlockPeer):
        return a.cidr.version == b.cidr.version and a.cidr.overlaps(b.cidr)
    if isinstance(a, DomainNamesPeer) and isinstance(b, DomainNamesPeer):
        return any(name_covers(x, y) or name_covers(y, x) for x in a.names for y in b.names)
    if isinstance(a, NodesPeer) and isinstance(b, NodesPeer):
        return a == b or bool(_node_addresses(tiers, a) & _node_addresses(tiers, b))
    if isinstance(b, NodesPeer):
        a, b = b, a
    if isinstance(a, NodesPeer) and isinstance(b, IPBlockPeer):
        return any(ip_in_block(ip, b) for ip in _node_addresses(tiers, a))
    return False


def _overlap(tiers: _Tiers, a: ClusterRule, b: ClusterRule, direction: Direction, subjects: list[Pod] | None) -> bool:
    """True if two rules of one direction match some of the same traffic: towards a pod of the
    input both select (``subjects``: the pods both policies apply to; None without pods in the
    input, where the selectors as written decide), or an address outside the pods."""
    if subjects is None:
        if ports_meet(a.ports, b.ports) and any(
            isinstance(x, PodPeer)
            and isinstance(y, PodPeer)
            and selectors_compatible(x.namespace_selector, y.namespace_selector)
            and selectors_compatible(x.pod_selector, y.pod_selector)
            for x in a.peers
            for y in b.peers
        ):
            return True
    else:
        both = tiers.matched(a) & tiers.matched(b)
        for pod in tiers.ctx.cluster.pods:
            if id(pod) in both and any(
                cluster_ports(a.ports, d) & cluster_ports(b.ports, d)
                for d in ([pod] if direction is Direction.EGRESS else subjects)
            ):
                return True
    if not numbered_ports(a.ports) & numbered_ports(b.ports):
        return False
    return any(_external_overlap(tiers, x, y) for x in a.peers for y in b.peers)


def _check_ties(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    tiers = ctx.shared(_Tiers, _Tiers)
    have_pods = bool(tiers.pods)
    ordered = sorted(tiers.policies, key=lambda p: (p.tier != Tier.ADMIN, p.priority, p.name))
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            if second.tier is not first.tier or second.priority != first.priority:
                continue
            subjects: list[Pod] | None = None
            if have_pods:
                theirs = {id(p) for p in tiers.subjects(second).certain}
                subjects = [p for p in tiers.subjects(first).certain if id(p) in theirs]
                if not subjects:
                    continue
            elif not (
                selectors_compatible(first.subject.namespace_selector, second.subject.namespace_selector)
                and selectors_compatible(first.subject.pod_selector, second.subject.pod_selector)
            ):
                continue
            for direction in Direction:
                yield from _ties(rule, tiers, first, second, direction, subjects)


def _ties(
    rule: LintRule,
    tiers: _Tiers,
    first: ClusterNetworkPolicy,
    second: ClusterNetworkPolicy,
    direction: Direction,
    subjects: list[Pod] | None,
) -> Iterator[Finding]:
    rules_a, rules_b = first.rules(direction), second.rules(direction)
    pairs = [
        (i, j)
        for j, b in enumerate(rules_b)
        for i, a in enumerate(rules_a)
        if a.action is not b.action
        # traffic of both that an earlier rule of either policy takes is not decided by these two
        and not any(rule_contains(e, a) or rule_contains(e, b) for e in (*rules_a[:i], *rules_b[:j]))
        and _overlap(tiers, a, b, direction, subjects)
    ]
    if not pairs:
        return
    i, j = pairs[0]
    a, b = rules_a[i], rules_b[j]
    word = direction.value.lower()
    pods = f" (both apply to {refs(subjects)})" if subjects else ""
    more = f" (and {count(len(pairs) - 1, 'more pair')} of rules)" if len(pairs) > 1 else ""
    yield rule.finding(
        b.span or second.span,
        second.ref,
        rule_field(direction, j),
        f"{_where(second, direction, j)} ({b.action}) and {_where(first, direction, i)} ({a.action}) have the same "
        f"priority {first.priority} in the {first.tier} tier and match some of the same {word} traffic{pods}: the "
        f"API lets the implementation apply either policy first, so the answer is undetermined{more}",
        "give the policies different priorities (the lower number is applied first), or make their rules match "
        "different peers or ports",
    )


# -- NP020: shadowed rule --------------------------------------------------------------------------------------


def _check_shadowed(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    tiers = ctx.shared(_Tiers, _Tiers)
    for pol in sorted(tiers.policies, key=lambda p: (p.tier != Tier.ADMIN, p.priority, p.name)):
        for direction in Direction:
            rules = pol.rules(direction)
            for i, r in enumerate(rules):
                by = next(
                    (
                        f"its own {rule_field(direction, k)} ({e.action})"
                        for k, e in enumerate(rules[:i])
                        if rule_contains(e, r)
                    ),
                    None,
                )
                if by is None:
                    by = next(
                        (
                            f"{_where(q, direction, k)} ({e.action}, priority {q.priority}, whose subject selects "
                            "every pod this policy's does)"
                            for q in tiers.earlier(pol)
                            for k, e in enumerate(q.rules(direction))
                            if rule_contains(e, r)
                        ),
                        None,
                    )
                if by is None:
                    continue
                yield rule.finding(
                    r.span or pol.span,
                    pol.ref,
                    rule_field(direction, i),
                    f"{_where(pol, direction, i)} ({r.action}) never decides anything: {by} comes first and "
                    "matches every peer and port it matches",
                    "the first rule that matches decides (a Pass skips the rest of the tier): put this rule before "
                    "the broader one (or its policy at a lower priority number), narrow the broader one, or delete "
                    "this one",
                )


# -- NP021: Pass that reaches nothing ------------------------------------------------------------------------


def _check_pass(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    tiers = ctx.shared(_Tiers, _Tiers)
    index = ctx.index
    for pol in tiers.policies:
        if pol.tier is not Tier.ADMIN:
            continue
        subjects = tiers.subjects(pol)
        if not subjects.certain:
            continue
        for direction in Direction:
            passes = [i for i, r in enumerate(pol.rules(direction)) if r.action is Action.PASS]
            if not passes:
                continue
            if any(
                index.isolating(p, direction)
                or index.tier_policies(p, direction, Tier.BASELINE)
                or ctx.unevaluated(p, direction)
                for p in subjects.possible
            ):
                continue
            word = direction.value.lower()
            for i in passes:
                r = pol.rules(direction)[i]
                yield rule.finding(
                    r.span or pol.span,
                    pol.ref,
                    rule_field(direction, i),
                    f"{_where(pol, direction, i)}: Pass leaves the traffic to NetworkPolicy and the Baseline tier, "
                    f"but no NetworkPolicy isolates its subject pods for {word} and no Baseline-tier policy selects "
                    f"them ({refs(subjects.certain)}), so the default allows it: the Pass is in effect an Accept",
                    f"write Accept if the traffic is meant to be allowed; if NetworkPolicy should decide it, isolate "
                    f"these pods for {word} with a NetworkPolicy (or select them with a Baseline-tier policy)",
                )


# -- NP022: Deny of networks that hold pod addresses --------------------------------------------------------


def _check_deny_networks(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    tiers = ctx.shared(_Tiers, _Tiers)
    addressed = any(p.ips for p in tiers.pods)
    for pol in tiers.policies:
        earlier = tiers.earlier(pol)
        for direction in Direction:
            rules = pol.rules(direction)
            for i, r in enumerate(rules):
                blocks = [p for p in r.peers if isinstance(p, IPBlockPeer)]
                if r.action is not Action.DENY or not blocks:
                    continue
                # an Accept or Pass applied before it that selects a pod lets (some of) its traffic through
                before = (*(e for q in earlier for e in q.rules(direction)), *rules[:i])
                lets = [e for e in before if e.action is not Action.DENY]
                covered = {id(p): p for b in blocks for p in ctx.pods_in_block(b) if not ctx.options.is_node_traffic(p)}
                cut = [p for p in covered.values() if not any(tiers.may_match(e, p) for e in lets)]
                # without a pod address in the input, a whole address family holds the cluster's pods
                unseen = [b for b in blocks if b.cidr.prefixlen == 0] if not addressed else []
                if cut:
                    which = [b for b in blocks if any(ip_in_block(ip, b) for p in cut for ip in p.ips)]
                    pods = f"{count(len(cut), 'pod')} ({refs(cut)})"
                elif unseen and not any(isinstance(x, PodPeer) for e in lets for x in e.peers):
                    which, pods = unseen, "pods"
                else:
                    continue
                towards = "to" if direction is Direction.EGRESS else "from"
                yield rule.finding(
                    r.span or pol.span,
                    pol.ref,
                    rule_field(direction, i),
                    f"{_where(pol, direction, i)}: Deny {_networks(which)} also matches pod addresses, so it denies "
                    f"traffic {towards} {pods} as well, not only {towards} addresses outside the cluster",
                    "`networks` match pod addresses too: put a rule before it that accepts or passes the pod traffic "
                    "to keep (e.g. Pass `namespaces: {}`), or narrow the CIDRs to addresses outside the cluster",
                )


# -- NP023: Admin Accept over a NetworkPolicy's isolation ------------------------------------------------------


def _check_accept(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    tiers = ctx.shared(_Tiers, _Tiers)
    for pol in tiers.policies:
        if pol.tier is not Tier.ADMIN:
            continue
        for direction in Direction:
            isolated = [p for p in tiers.subjects(pol).certain if ctx.index.isolating(p, direction)]
            if not isolated:
                continue
            by = _policy_refs(q for p in isolated for q in ctx.index.isolating(p, direction))
            word = direction.value.lower()
            for i, r in enumerate(pol.rules(direction)):
                if r.action is not Action.ACCEPT:
                    continue
                yield rule.finding(
                    r.span or pol.span,
                    pol.ref,
                    rule_field(direction, i),
                    f"{_where(pol, direction, i)}: Accept is final, so for the {word} traffic it matches, the "
                    f"NetworkPolicies that isolate its subject pods are never consulted: {refs(isolated)} (isolated "
                    f"for {word} by {by})",
                    "Admin-tier Accept is meant for cluster-wide exceptions; if the namespaces' NetworkPolicies "
                    "should decide, use Pass (or a Baseline-tier policy, which NetworkPolicy overrides)",
                )


# -- NP024: domainNames outside Accept ---------------------------------------------------------------------------


def _check_domain_names(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.cluster_policies:
        for direction in Direction:
            for i, r in enumerate(pol.rules(direction)):
                names = [p for p in r.peers if isinstance(p, DomainNamesPeer)]
                if r.action is Action.ACCEPT or not names:
                    continue
                yield rule.finding(
                    r.span or pol.span,
                    pol.ref,
                    rule_field(direction, i),
                    f"{_where(pol, direction, i)}: {names[0]} in a {r.action} rule; the API documents domainNames "
                    "for Accept rules only",
                    "deny the addresses with `networks` instead, or keep an allowlist: Accept the allowed names, then "
                    "Deny `networks: [0.0.0.0/0, ::/0]` after a rule that passes pod traffic",
                )


RULES = (
    LintRule(
        "NP019",
        "tier-priority-tie",
        Severity.WARNING,
        "Two policies of one tier with the same priority have rules that match the same traffic with different "
        "actions.",
        "Within a tier, policies are applied by priority; when two policies with the same priority match a "
        "connection, the API lets the implementation apply either of them first, so whether it is accepted, "
        "denied or passed on is not determined (netsim answers undetermined).",
        "network-policy-api `clusternetworkpolicy_types.go`",
        _check_ties,
    ),
    LintRule(
        "NP020",
        "tier-rule-shadowed",
        Severity.WARNING,
        "A rule of a cluster-scoped policy never decides anything: an earlier rule matches every peer and port it "
        "matches.",
        "The first rule that matches decides, in written order within a policy and by priority across the "
        "policies of a tier (a Pass skips the rest of the tier), so a rule after a broader one is never reached; "
        "often it was meant to come first.",
        "network-policy-api `clusternetworkpolicy_types.go`",
        _check_shadowed,
    ),
    LintRule(
        "NP021",
        "pass-reaches-nothing",
        Severity.INFO,
        "An Admin-tier Pass rule hands traffic to no NetworkPolicy and no Baseline-tier policy: it allows.",
        "Pass hands the traffic to NetworkPolicy, then to the Baseline tier. For pods that no NetworkPolicy "
        "isolates in that direction and that no Baseline-tier policy selects, neither decides anything and the "
        "default allows: the Pass is an Accept in disguise.",
        "Kubernetes NetworkPolicy isolation; network-policy-api `clusternetworkpolicy_types.go`",
        _check_pass,
    ),
    LintRule(
        "NP022",
        "deny-networks-cuts-pods",
        Severity.WARNING,
        "A Deny rule's networks also hold pod addresses, so it denies pod-to-pod traffic too.",
        "Unlike a NetworkPolicy ipBlock, a `networks` peer always matches pod addresses: a Deny of 0.0.0.0/0 "
        "or ::/0 written for the internet also denies traffic with every pod, unless an earlier Accept or Pass "
        "rule lets pod traffic through.",
        "network-policy-api `clusternetworkpolicy_types.go`; see also NP013",
        _check_deny_networks,
    ),
    LintRule(
        "NP023",
        "admin-accept-over-networkpolicy",
        Severity.INFO,
        "An Admin-tier Accept rule decides traffic of pods a NetworkPolicy isolates, which is then never consulted.",
        "Accept in the Admin tier is final: for the traffic it matches, the NetworkPolicies that isolate the "
        "subject pods (a namespace's default deny) are never consulted. That is what the tier is for, and a "
        "reviewer should see where it happens.",
        "Kubernetes NetworkPolicy isolation; network-policy-api `clusternetworkpolicy_types.go`",
        _check_accept,
    ),
    LintRule(
        "NP024",
        "domain-names-not-accept",
        Severity.WARNING,
        "A rule with domainNames peers has an action other than Accept.",
        "The API documents domainNames for Accept rules only, to keep an allowlist of names ahead of a broader "
        "Deny; a Deny or Pass by name is not supported and implementations may not enforce it.",
        "network-policy-api `clusternetworkpolicy_types.go`",
        _check_domain_names,
    ),
)
