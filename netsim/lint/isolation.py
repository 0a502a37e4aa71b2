"""Isolation rules: namespaces left open, and policyTypes that isolate more or less than meant.

* NP001/NP002: a namespace with pods and no default deny for ingress/egress (docs/semantics.md,
  "Isolation, per direction" and "Omitted and empty").
  A pod that only a policy of a kind netsim does not evaluate may isolate is "may be open".
* NP010: an egress-only policy without ``policyTypes`` also isolates ingress (docs/semantics.md,
  "Defaulting").
* NP011: ``egress: []`` without ``policyTypes`` does not isolate egress ("Defaulting").
* NP012: rules for a direction ``policyTypes`` does not list are ignored ("Isolation, per direction").
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.lint.base import Finding, LintContext, LintRule, Severity, policy_refs, refs, rule_field
from netsim.model import Direction, NetworkPolicy, Pod, Tier

__all__ = ["RULES"]


def _is_default_deny(policy: NetworkPolicy, direction: Direction) -> bool:
    """``podSelector: {}``, ``direction`` in policyTypes, and no rules for it (docs/semantics.md,
    "Omitted and empty")."""
    return policy.pod_selector.is_empty() and direction in policy.policy_types and not policy.rules(direction)


def _default_deny(rule: LintRule, ctx: LintContext, direction: Direction) -> Iterator[Finding]:
    word = direction.value.lower()
    for ns in ctx.cluster.namespaces:
        pods = ctx.subjects_in(ns.name)
        if not pods or any(_is_default_deny(p, direction) for p in ctx.index.policies_in(ns.name)):
            continue
        open_pods = [p for p in pods if not ctx.index.isolating(p, direction)]
        if not open_pods:
            continue  # every pod is isolated by some policy: a default deny in effect
        # a policy of a kind netsim does not evaluate may isolate a pod no NetworkPolicy selects
        certain = [p for p in open_pods if not ctx.unevaluated(p, direction)]
        maybe = [p for p in open_pods if ctx.unevaluated(p, direction)]
        foreign = policy_refs(q for p in maybe for q in ctx.unevaluated(p, direction))
        what = "open to connections from anywhere" if direction is Direction.INGRESS else "free to connect anywhere"
        head = f"namespace {ns.name} has no default-deny {word} policy; "
        hint = (
            f"add a NetworkPolicy in {ns.name} with `podSelector: {{}}`, `policyTypes: [{direction.value}]` and "
            f"no {word} rules, then allow what each pod needs"
        )
        span, subject = ctx.namespace_span(ns.name), f"Namespace {ns.name}"
        if not certain:
            yield rule.may(
                span,
                subject,
                "",
                f"{head}pods no NetworkPolicy isolates for {word} ({len(maybe)} of {len(pods)}) may be {what}: "
                f"{refs(maybe)}; whether they are depends on {foreign}, which netsim does not evaluate",
                hint,
            )
            continue
        more = f"; {len(maybe)} more may be isolated by {foreign}, which netsim does not evaluate: {refs(maybe)}"
        tiers = _tiers_note(ctx, certain, direction)
        if tiers:  # not everything reaches them: what the tiers do not decide is allowed
            what = "allowed whatever cluster-scoped policies do not decide"
        yield rule.finding(
            span,
            subject,
            "",
            f"{head}pods not isolated for {word}, {what} ({len(certain)} of {len(pods)}): {refs(certain)}"
            + (more if maybe else "")
            + tiers,
            hint,
        )


def _tiers_note(ctx: LintContext, pods: list[Pod], direction: Direction) -> str:
    """Cluster-scoped policies that decide some of these pods' traffic around NetworkPolicy: the
    pods are not isolated, but not everything reaches them (a reviewer should know)."""
    found = {pol.ref: pol for pod in pods for tier in Tier for pol, _ in ctx.index.tier_policies(pod, direction, tier)}
    if not found:
        return ""
    names = ", ".join(
        f"{p.ref} ({p.tier.value} tier)"
        for p in sorted(found.values(), key=lambda p: (p.tier is Tier.BASELINE, p.priority, p.name))
    )
    return f"; cluster-scoped policies decide some of their {direction.value.lower()} traffic: {names}"


def _check_ingress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    return _default_deny(rule, ctx, Direction.INGRESS)


def _check_egress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    return _default_deny(rule, ctx, Direction.EGRESS)


def _check_egress_only(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        if not (pol.policy_types_defaulted and pol.egress and not pol.ingress):
            continue
        if ctx.pods_in(pol.namespace):
            # the pods for which this policy is the only ingress isolation: what it silently denies
            newly = [
                p for p in ctx.selected(pol, Direction.INGRESS) if len(ctx.index.isolating(p, Direction.INGRESS)) == 1
            ]
            if not newly:
                continue
            # a policy of a kind netsim does not evaluate may still let ingress in
            certain = [p for p in newly if not ctx.unevaluated(p, Direction.INGRESS)]
            maybe = [p for p in newly if ctx.unevaluated(p, Direction.INGRESS)]
            foreign = policy_refs(q for p in maybe for q in ctx.unevaluated(p, Direction.INGRESS))
            unless = f"no ingress unless {foreign}, which netsim does not evaluate, allows it: {refs(maybe)}"
            if certain:
                effect = f"these pods now accept no ingress at all: {refs(certain)}"
                effect += f"; these accept {unless}" if maybe else ""
            else:
                effect = f"these pods now accept {unless}"
        else:
            effect = "the pods it selects accept no ingress unless another policy allows it"
        yield rule.finding(
            pol.span,
            f"NetworkPolicy {pol.ref}",
            "spec.policyTypes",
            f"policy {pol.ref} has only egress rules and no policyTypes, which default to [Ingress, Egress]: "
            f"it also isolates ingress with no ingress rule, so {effect}",
            "write `policyTypes: [Egress]` for an egress-only policy (or add the ingress rules you mean)",
        )


def _check_empty_egress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        if pol.policy_types_defaulted and not pol.egress and pol.egress_span is not None:
            yield rule.finding(
                pol.egress_span,
                f"NetworkPolicy {pol.ref}",
                "spec.egress",
                f"policy {pol.ref} has an empty egress list and no policyTypes, which default to [Ingress] only: "
                "it does not isolate egress, which stays fully open",
                "to deny all egress, list Egress in policyTypes: `policyTypes: [Ingress, Egress]` "
                "(or `[Egress]` if the policy should leave ingress alone)",
            )


def _check_unlisted(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        for direction in Direction:
            rules = pol.rules(direction)
            if not rules or direction in pol.policy_types:
                continue
            listed = ", ".join(sorted(t.value for t in pol.policy_types))
            word = direction.value.lower()
            yield rule.finding(
                rules[0].span or pol.span,
                f"NetworkPolicy {pol.ref}",
                rule_field(direction, 0),
                f"policy {pol.ref} has {word} rules but policyTypes [{listed}] does not list {direction.value}: "
                f"its {word} section is ignored",
                f"add {direction.value} to policyTypes, or delete the {word} section",
            )


RULES = (
    LintRule(
        "NP001",
        "missing-default-deny-ingress",
        Severity.WARNING,
        "A namespace with pods has no default-deny ingress policy.",
        "A pod no policy selects for ingress accepts connections from every pod of every namespace and from "
        "every external address. A default-deny policy (`podSelector: {}`, `policyTypes: [Ingress]`, no rules) "
        "makes every allow explicit. Not reported when every pod of the namespace is already isolated.",
        "isolation (NetworkPolicy concept page); default policies (concept page)",
        _check_ingress,
    ),
    LintRule(
        "NP002",
        "missing-default-deny-egress",
        Severity.WARNING,
        "A namespace with pods has no default-deny egress policy.",
        "A pod no policy selects for egress may connect anywhere, which is what an attacker inside it wants. "
        "A default-deny policy (`podSelector: {}`, `policyTypes: [Egress]`, no rules) makes every allow "
        "explicit. Not reported when every pod of the namespace is already isolated for egress.",
        "isolation (NetworkPolicy concept page); default policies (concept page)",
        _check_egress,
    ),
    LintRule(
        "NP010",
        "egress-only-isolates-ingress",
        Severity.WARNING,
        "An egress-only policy without policyTypes also isolates ingress.",
        "When policyTypes is omitted the API server always adds Ingress (and Egress when there are egress "
        "rules), so a policy written only with egress rules makes the pods it selects deny all ingress too.",
        "policyTypes defaulting (networking/v1 defaults.go); a common NetworkPolicy mistake",
        _check_egress_only,
    ),
    LintRule(
        "NP011",
        "empty-egress-not-isolated",
        Severity.WARNING,
        "`egress: []` without policyTypes does not isolate egress.",
        "An empty egress list is the same as no egress list, so defaulting gives policyTypes [Ingress] only: "
        "the policy looks like a default deny for egress but leaves egress fully open.",
        "policyTypes defaulting (networking/v1 defaults.go); a common NetworkPolicy mistake",
        _check_empty_egress,
    ),
    LintRule(
        "NP012",
        "rules-for-unlisted-direction",
        Severity.WARNING,
        "Rules for a direction policyTypes does not list are ignored.",
        "A policy only acts on the directions in its policyTypes: with `policyTypes: [Ingress]`, an egress "
        "section has no effect at all (and likewise the other way round).",
        "isolation (NetworkPolicy concept page); a common NetworkPolicy mistake",
        _check_unlisted,
    ),
)
