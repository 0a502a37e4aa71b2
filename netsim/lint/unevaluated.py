"""Policies netsim does not evaluate (what a network plugin adds is the plugin's: docs/semantics.md,
"Policy kinds netsim does not evaluate").

* NP018: a policy object of a kind netsim recognises but does not evaluate (Cilium, Calico,
  Antrea, OVN-Kubernetes, others by their name; not the policy.networking.k8s.io tiers, which
  netsim evaluates). Every answer about the pods it may select, in the directions it may affect,
  is undetermined; the finding puts that at the object's ``file:line`` so code scanning (SARIF)
  shows it next to the policy, as the loader's warning shows it on a terminal.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.lint.base import Finding, LintContext, LintRule, Severity, refs
from netsim.model import UnevaluatedPolicy

__all__ = ["RULES"]


def _scope(policy: UnevaluatedPolicy) -> str:
    return f"namespace {policy.namespace}" if policy.namespace is not None else "every namespace"


def _check_unevaluated(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for policy in ctx.cluster.unevaluated:
        directions = " and ".join(d.value.lower() for d in sorted(policy.directions))
        because = f" ({policy.reason})" if policy.reason else ""
        if ctx.options.ignore_unevaluated:
            message = (
                f"{policy.ref} is not evaluated{because}, and --ignore-unevaluated answers as if it were absent: "
                f"answers about the pods it may select ({directions}) may be wrong"
            )
            hint = "check what it allows and denies by hand, or lint without --ignore-unevaluated"
        else:
            pods = [p for p in ctx.cluster.pods if any(policy in ctx.unevaluated(p, d) for d in policy.directions)]
            which = f"{refs(pods)}" if pods else f"no pod of the input ({_scope(policy)})"
            message = (
                f"{policy.ref} is not evaluated{because}: answers about the pods it may select are undetermined "
                f"({directions}): {which}"
            )
            hint = (
                "netsim evaluates NetworkPolicy and the cluster-scoped tiers only: check what this policy "
                "allows and denies by hand; --ignore-unevaluated answers as if it were absent"
            )
        where = f"{policy.namespace}/{policy.name}" if policy.namespace is not None else policy.name
        yield rule.finding(policy.span, f"{policy.kind} {where}", "", message, hint)


RULES = (
    LintRule(
        "NP018",
        "unevaluated-policy",
        Severity.INFO,
        "A policy of a kind netsim does not evaluate (Cilium, Calico, Antrea, ...) may select pods.",
        "netsim evaluates networking.k8s.io/v1 NetworkPolicy and the cluster-scoped tiers of "
        "policy.networking.k8s.io (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy). A policy "
        "object of another API (CiliumNetworkPolicy, Calico NetworkPolicy, Antrea, OVN-Kubernetes EgressFirewall, ...) "
        "may allow or deny traffic on top of those policies, so every answer about the pods it may select, in the "
        "directions it may affect, is undetermined (and lint's other rules say 'may' about them). Reported once per "
        "object, at its position, so code scanning shows it.",
        "left to the network plugin (concept page)",
        _check_unevaluated,
    ),
)
