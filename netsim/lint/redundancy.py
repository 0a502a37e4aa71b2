"""Redundancy rules: rules made moot by an allow-all rule (policies are additive: docs/semantics.md,
"Isolation, per direction"; docs/lint.md, NP015).

Policies are additive: once one rule with no peers and no ports (``ingress: [{}]``) applies to a
pod, every other rule for that pod and direction allows nothing more. A rule is reported when
every pod it applies to has such an allow-all rule from somewhere else.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.lint.base import Finding, LintContext, LintRule, Severity, rule_field
from netsim.model import Direction, NetworkPolicy, Pod, Rule

__all__ = ["RULES"]

_Where = tuple[NetworkPolicy, int]


def _allows_all(rule: Rule) -> bool:
    """No peers and no ports: every source or destination, on every port (docs/semantics.md, "Omitted and empty")."""
    return not rule.peers and not rule.ports


def _allow_alls(policies: tuple[NetworkPolicy, ...], direction: Direction, skip: _Where) -> list[_Where]:
    return [
        (q, k)
        for q in policies
        for k, rule in enumerate(q.rules(direction))
        if _allows_all(rule) and not (q is skip[0] and k == skip[1])
    ]


def _shadows(ctx: LintContext, pol: NetworkPolicy, direction: Direction, index: int) -> list[_Where] | None:
    """The allow-all rules that make ``pol``'s rule moot, or None when some pod still needs it."""
    pods: tuple[Pod, ...] = ctx.selected(pol, direction)
    if pods:
        per_pod = [_allow_alls(ctx.index.isolating(p, direction), direction, (pol, index)) for p in pods]
        if not all(per_pod):
            return None
        common = [w for w in per_pod[0] if all(any(w[0] is q and w[1] == k for q, k in other) for other in per_pod)]
        return common or per_pod[0]
    if ctx.pods_in(pol.namespace):
        return None  # the policy selects no pod: NP006's finding
    # no pods in the input: an allow-all of a policy selecting at least the same pods
    wider = tuple(
        q
        for q in ctx.index.policies_in(pol.namespace)
        if direction in q.policy_types and (q.pod_selector.is_empty() or q.pod_selector == pol.pod_selector)
    )
    return _allow_alls(wider, direction, (pol, index)) or None


def _check_shadowed(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            word = direction.value.lower()
            for i, r in enumerate(pol.rules(direction)):
                if _allows_all(r):
                    continue
                shadows = _shadows(ctx, pol, direction, i)
                if not shadows:
                    continue
                by = ", ".join(f"{q.ref} {rule_field(direction, k)}" for q, k in shadows[:2])
                field = rule_field(direction, i)
                yield rule.finding(
                    r.span or pol.span,
                    f"NetworkPolicy {pol.ref}",
                    field,
                    f"policy {pol.ref} {field} has no effect: every pod it applies to already allows all {word} "
                    f"through an allow-all rule ({by})",
                    "policies are additive, so an allow-all rule (no peers, no ports) makes the others moot: "
                    "narrow or delete the allow-all rule, or delete this one",
                )


RULES = (
    LintRule(
        "NP015",
        "shadowed-by-allow-all",
        Severity.WARNING,
        "A rule has no effect because an allow-all rule covers the same pods and direction.",
        "Policies are additive: a rule with no peers and no ports (`ingress: [{}]`, `egress: [{}]`) allows "
        "everything for the pods it applies to, so every other rule for those pods and that direction is moot, "
        "and reading it suggests a restriction that does not exist.",
        "policies add up (concept page); default policies (concept page); a common NetworkPolicy mistake",
        _check_shadowed,
    ),
)
