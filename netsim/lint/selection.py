"""Selector rules: policies and peers that select nothing, or more than they seem to.

* NP006: a policy whose podSelector selects no pod of its namespace (docs/semantics.md, "Isolation,
  per direction").
* NP007: a peer that selects no pod; a namespaceSelector on a label no namespace has ("Peers").
* NP008: a podSelector-only peer whose pods exist only in other namespaces ("Peers").
* NP014: a ``NotIn`` requirement that also matches objects without the key ("Label selectors").

Rules about pods need pods: a namespace with no pod in the input is skipped (the input may hold
only policies), never reported.

A namespace without a manifest has unknown labels: NP007 reports a peer that may select its pods
as one that *may* select nothing (with the condition), and NP014 leaves such namespaces out
(with ``--closed-world`` their labels are their name only, and both decide).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from netsim.errors import SourceSpan
from netsim.lint.base import Finding, LintContext, LintRule, Severity, refs, rule_field, settle
from netsim.match.peers import describe_peer
from netsim.match.selectors import matches_selector
from netsim.model import NAMESPACE_NAME_LABEL, Direction, Labels, LabelSelector, NetworkPolicy, Pod, PodPeer, Unknown

__all__ = ["RULES"]


@dataclass(frozen=True, slots=True)
class _PeerAt:
    policy: NetworkPolicy
    field: str  # spec.ingress[0].from[1]
    peer: PodPeer


def _pod_peers(ctx: LintContext) -> Iterator[_PeerAt]:
    """Every selector peer of every rule that takes effect (its direction is in policyTypes)."""
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            key = "from" if direction is Direction.INGRESS else "to"
            for i, rule in enumerate(pol.rules(direction)):
                for j, peer in enumerate(rule.peers):
                    if isinstance(peer, PodPeer):
                        yield _PeerAt(pol, f"{rule_field(direction, i)}.{key}[{j}]", peer)


def _label_sets(pods: Iterable[Pod], limit: int = 4) -> str:
    sets = sorted({str(p.labels) for p in pods})
    shown = "; ".join(sets[:limit])
    return shown if len(sets) <= limit else f"{shown}; ..."


def _namespaces(ctx: LintContext, peer: PodPeer, policy: NetworkPolicy) -> list[str]:
    """The namespaces a peer looks in: its own (no namespaceSelector) or the matching ones."""
    if peer.namespace_selector is None:
        return [policy.namespace]
    return ctx.namespaces_matching(peer.namespace_selector)


def _namespace_hint(ctx: LintContext, sel: LabelSelector) -> str:
    keys = [*sel.match_labels, *(r.key for r in sel.match_expressions if r.operator in ("In", "Exists"))]
    missing = [k for k in keys if not any(k in ns.labels for ns in ctx.cluster.namespaces)]
    if "name" in missing and "name" in sel.match_labels:
        return (
            "namespaces carry no `name` label unless someone adds one: select a namespace by name with the "
            "label the control plane sets on every namespace, "
            f"`kubernetes.io/metadata.name: {sel.match_labels['name']}`"
        )
    if missing:
        return (
            f"no namespace in the input has a label {missing[0]!r}: check the labels with "
            "`kubectl get ns --show-labels`; to select by name, use `kubernetes.io/metadata.name`"
        )
    name = sel.match_labels.get(NAMESPACE_NAME_LABEL)
    if name is not None:
        return f"namespace {name} is not in the input: add its manifest, or fix the name"
    shown = "; ".join(f"{ns.name}: {ns.labels}" for ns in ctx.cluster.namespaces[:4])
    return f"fix the selector; the namespaces in the input are {shown}"


def _elsewhere(ctx: LintContext, at: _PeerAt) -> tuple[Pod, ...]:
    """For a podSelector-only peer: the pods its podSelector matches in other namespaces."""
    peer = at.peer
    if peer.namespace_selector is not None or peer.pod_selector is None:
        return ()
    return tuple(p for p in ctx.pods_matching(peer.pod_selector) if p.namespace != at.policy.namespace)


def _check_policy_selects_none(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        pods = ctx.pods_in(pol.namespace)
        if not pods or ctx.selected_any(pol):
            continue
        sel = pol.pod_selector
        elsewhere = [p for p in ctx.pods_matching(sel) if p.namespace != pol.namespace]
        host = [p for p in pods if ctx.options.is_node_traffic(p) and matches_selector(sel, p.labels)]
        if elsewhere:
            where = ", ".join(sorted({p.namespace for p in elsewhere}))
            hint = (
                f"pods with these labels are in {where} ({refs(elsewhere)}): spec.podSelector only selects pods of "
                "the policy's own namespace, so create the policy there (metadata.namespace)"
            )
        elif host:
            hint = (
                f"{refs(host)} match but use hostNetwork, and policies do not select those (their traffic is "
                "their node's): allow or deny it with ipBlock rules on the node addresses"
            )
        else:
            hint = f"fix the selector; the pods of {pol.namespace} carry: {_label_sets(pods)}"
        yield rule.finding(
            pol.pod_selector_span or pol.span,
            f"NetworkPolicy {pol.ref}",
            "spec.podSelector",
            f"policy {pol.ref}: podSelector {sel} selects no pod of namespace {pol.namespace}, so it has no effect",
            hint,
        )


def _maybe_hint(ctx: LintContext, sel: LabelSelector, unknowns: Iterable[Unknown]) -> str:
    """How to decide a peer that may select nothing; the classic `name` label mistake too."""
    if "name" in sel.match_labels:
        return f"{settle(unknowns)}; {_namespace_hint(ctx, sel)}"
    return settle(unknowns)


def _only_if(maybe: Iterable[tuple[Pod, Unknown]], limit: int = 2) -> str:
    """``only if A or if B``: the conditions under which a peer selects the pods it may select."""
    conditions = list(dict.fromkeys(u.condition for _, u in maybe))
    shown = " or if ".join(conditions[:limit])
    return f"only if {shown}" + (f" (or {len(conditions) - limit} more)" if len(conditions) > limit else "")


def _check_peer_selects_none(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for at in _pod_peers(ctx):
        pol, peer = at.policy, at.peer
        namespaces = _namespaces(ctx, peer, pol)
        span = peer.span or pol.span
        subject = f"NetworkPolicy {pol.ref}"
        # pods of namespaces without a manifest it may select (their labels are unknown)
        maybe = ctx.peer_maybe(peer, pol)
        if peer.namespace_selector is not None and not namespaces:
            if maybe:
                unknowns = [u for _, u in maybe]
                yield rule.may(
                    span,
                    subject,
                    at.field,
                    f"policy {pol.ref} {at.field}: namespaceSelector {peer.namespace_selector} matches no namespace "
                    f"with a manifest in the input, so this peer may select nothing: it selects "
                    f"{refs(p for p, _ in maybe)} {_only_if(maybe)}",
                    _maybe_hint(ctx, peer.namespace_selector, unknowns),
                )
                continue
            yield rule.finding(
                span,
                subject,
                at.field,
                f"policy {pol.ref} {at.field}: namespaceSelector {peer.namespace_selector} matches no namespace "
                "in the input, so this peer selects nothing",
                _namespace_hint(ctx, peer.namespace_selector),
            )
            continue
        if not any(ctx.pods_in(ns) for ns in namespaces) or ctx.peer_pods(peer, pol) or _elsewhere(ctx, at):
            continue  # no pods there in the input (cannot tell), it selects some, or NP008's case
        pods = [p for ns in namespaces for p in ctx.pods_in(ns)]
        host = [p for p in pods if ctx.options.is_node_traffic(p)]
        pod_sel = peer.pod_selector or LabelSelector()
        if any(matches_selector(pod_sel, p.labels) for p in host):
            hint = (
                "only hostNetwork pods match, and selectors never select those (their traffic is their node's): "
                "use an ipBlock with the node addresses"
            )
        else:
            hint = f"fix the podSelector; the pods there carry: {_label_sets(pods)}"
        what = f"policy {pol.ref} {at.field}: the peer ({describe_peer(peer, pol.namespace)}) selects no pod"
        if maybe:
            yield rule.may(
                span,
                subject,
                at.field,
                f"{what} in the input for certain: it selects {refs(p for p, _ in maybe)} {_only_if(maybe)}",
                f"{settle(u for _, u in maybe)}; {hint}",
            )
            continue
        yield rule.finding(span, subject, at.field, f"{what} in the input", hint)


def _check_other_namespace(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for at in _pod_peers(ctx):
        pol, peer = at.policy, at.peer
        if not ctx.pods_in(pol.namespace) or ctx.peer_pods(peer, pol):
            continue
        elsewhere = _elsewhere(ctx, at)
        if not elsewhere:
            continue
        others = sorted({p.namespace for p in elsewhere})
        if len(others) == 1:
            ns_sel = f"{{matchLabels: {{kubernetes.io/metadata.name: {others[0]}}}}}"
        else:
            values = ", ".join(others)
            ns_sel = f"{{matchExpressions: [{{key: kubernetes.io/metadata.name, operator: In, values: [{values}]}}]}}"
        yield rule.finding(
            peer.span or pol.span,
            f"NetworkPolicy {pol.ref}",
            at.field,
            f"policy {pol.ref} {at.field}: podSelector {peer.pod_selector} without a namespaceSelector only "
            f"selects pods of {pol.namespace}, where none matches; the pods it matches are in "
            f"{', '.join(others)} ({refs(elsewhere)})",
            f"add `namespaceSelector: {ns_sel}` to the same peer item (same dash, so both must match)",
        )


@dataclass(frozen=True, slots=True)
class _Scoped:
    """A selector, where it is written, and the objects it is matched against."""

    policy: NetworkPolicy
    field: str
    span: SourceSpan | None
    selector: LabelSelector
    kind: str  # "pods" or "namespaces"
    objects: tuple[tuple[str, Labels], ...]  # (name, labels)


def _selectors(ctx: LintContext) -> Iterator[_Scoped]:
    for pol in ctx.cluster.policies:
        pods = tuple((p.ref, p.labels) for p in ctx.subjects_in(pol.namespace))
        yield _Scoped(pol, "spec.podSelector", pol.pod_selector_span or pol.span, pol.pod_selector, "pods", pods)
    for at in _pod_peers(ctx):
        pol, peer = at.policy, at.peer
        span = peer.span or pol.span
        if peer.namespace_selector is not None:
            # the labels of a namespace without a manifest are unknown (--closed-world: only its name)
            known = [ns for ns in ctx.cluster.namespaces if ns.declared or ctx.options.closed_world]
            namespaces = tuple((ns.name, ns.labels) for ns in known)
            field = f"{at.field}.namespaceSelector"
            yield _Scoped(pol, field, span, peer.namespace_selector, "namespaces", namespaces)
        if peer.pod_selector is not None:
            names = _namespaces(ctx, peer, pol)
            pods = tuple((p.ref, p.labels) for ns in names for p in ctx.subjects_in(ns))
            yield _Scoped(pol, f"{at.field}.podSelector", span, peer.pod_selector, "pods", pods)


def _check_not_in(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for scoped in _selectors(ctx):
        for req in scoped.selector.match_expressions:
            if req.operator != "NotIn":
                continue
            surprising = sorted(
                name
                for name, labels in scoped.objects
                if req.key not in labels and matches_selector(scoped.selector, labels)
            )
            if not surprising:
                continue
            shown = ", ".join(surprising[:3]) + (f" and {len(surprising) - 3} more" if len(surprising) > 3 else "")
            yield rule.finding(
                scoped.span,
                f"NetworkPolicy {scoped.policy.ref}",
                scoped.field,
                f"policy {scoped.policy.ref} {scoped.field}: `{req}` also matches {scoped.kind} that have no "
                f"{req.key} label: {shown}",
                f"NotIn matches objects without the key; if the label must be present, add "
                f"`{{key: {req.key}, operator: Exists}}` to the same selector",
            )


RULES = (
    LintRule(
        "NP006",
        "policy-selects-no-pod",
        Severity.WARNING,
        "A policy's podSelector selects no pod of its namespace.",
        "spec.podSelector only selects pods of the policy's own namespace; a selector that matches none of "
        "them (a typo in a label, the policy created in the wrong namespace, hostNetwork pods) makes the policy "
        "do nothing. Skipped for namespaces with no pod in the input.",
        "isolation (NetworkPolicy concept page); a common NetworkPolicy mistake",
        _check_policy_selects_none,
    ),
    LintRule(
        "NP007",
        "peer-selects-nothing",
        Severity.WARNING,
        "A from/to peer selects no pod, or its namespaceSelector matches no namespace.",
        "A peer that selects nothing allows nothing, usually because of a label typo, or a namespaceSelector on "
        "a label namespaces do not have (`name: kube-system` instead of `kubernetes.io/metadata.name: "
        "kube-system`). Skipped when the namespaces it looks in have no pod in the input.",
        "peers (networking/v1 types.go); a common NetworkPolicy mistake",
        _check_peer_selects_none,
    ),
    LintRule(
        "NP008",
        "pod-selector-other-namespace",
        Severity.ERROR,
        "A podSelector-only peer matches pods in other namespaces only.",
        "A peer with a podSelector and no namespaceSelector selects pods of the policy's own namespace only. "
        "When the pods it names live in another namespace, the rule silently allows nothing.",
        "peers (networking/v1 types.go); a common NetworkPolicy mistake",
        _check_other_namespace,
    ),
    LintRule(
        "NP014",
        "notin-matches-missing-key",
        Severity.WARNING,
        "A NotIn requirement also matches pods or namespaces without the label.",
        "`{key: env, operator: NotIn, values: [prod]}` is true for objects with no env label at all, so the "
        'selector reaches further than "env is set, but not prod". Reported when such objects exist in the input.',
        "label selectors (apimachinery labels.Requirement); a common NetworkPolicy mistake",
        _check_not_in,
    ),
)
