"""ipBlock rules: blocks that cover pod addresses (docs/semantics.md, "ipBlock"; docs/lint.md, NP013).

Whether an ipBlock selects pod IPs is the network plugin's choice: the upstream e2e tests expect
it, Cilium does not do it. A block that covers pods therefore means different things on different
clusters. hostNetwork pods are left out: their address is their node's, which ipBlock is the only
way to select.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.lint.base import Finding, LintContext, LintRule, Severity, count, refs, rule_field
from netsim.model import Direction, IPBlockPeer

__all__ = ["RULES"]


def _check_covers_pods(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    if not any(p.ips and not ctx.options.is_node_traffic(p) for p in ctx.cluster.pods):
        return
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            key = "from" if direction is Direction.INGRESS else "to"
            for i, r in enumerate(pol.rules(direction)):
                for j, peer in enumerate(r.peers):
                    if not isinstance(peer, IPBlockPeer):
                        continue
                    covered = [p for p in ctx.pods_in_block(peer) if not ctx.options.is_node_traffic(p)]
                    if not covered:
                        continue
                    field = f"{rule_field(direction, i)}.{key}[{j}]"
                    yield rule.finding(
                        peer.span or r.span or pol.span,
                        f"NetworkPolicy {pol.ref}",
                        field,
                        f"policy {pol.ref} {field}: {peer} also covers the addresses of {count(len(covered), 'pod')} "
                        f"({refs(covered)}); whether an ipBlock selects pod IPs depends on the network plugin "
                        "(most do, Cilium does not)",
                        "keep ipBlock for addresses outside the cluster: list the pod CIDR under `except`, and "
                        "select pods with podSelector/namespaceSelector",
                    )


RULES = (
    LintRule(
        "NP013",
        "ipblock-covers-pods",
        Severity.WARNING,
        "An ipBlock covers pod IP addresses, which only some network plugins match.",
        "ipBlock is meant for cluster-external addresses: pod IPs are ephemeral, and whether an ipBlock "
        "selects them is plugin-dependent (the upstream e2e tests expect it, Cilium does not). A block such as "
        '0.0.0.0/0 written for "the internet" may therefore also allow, or not, traffic with every pod.',
        "left to the network plugin (concept page); a common NetworkPolicy mistake",
        _check_covers_pods,
    ),
)
