"""Port rules: named ports that resolve to nothing (docs/semantics.md, "Ports and named ports";
docs/lint.md, NP009).

A named port resolves against the destination pod's declared container ports, by name and
protocol: for an ingress rule the pods the policy selects, for an egress rule the pods its peers
select. :func:`~netsim.match.ports.resolve_named_ports` (the engine's resolver) does the work.
A named port that a pod the rule *may* select declares (in a namespace without a manifest, or
without an IP against an ipBlock) is not reported: it may resolve.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.lint.base import Finding, LintContext, LintRule, Severity, refs, rule_field
from netsim.match.ports import resolve_named_ports
from netsim.model import Direction, IPBlockPeer, NetworkPolicy, Pod, PortSpec, Protocol, Rule

__all__ = ["RULES"]


def _destinations(ctx: LintContext, pol: NetworkPolicy, direction: Direction, rule: Rule) -> tuple[Pod, ...]:
    if direction is Direction.INGRESS:
        return ctx.selected(pol, Direction.INGRESS)
    return ctx.rule_pods(rule, pol)


def _unresolved(spec: PortSpec, field: str, pol: NetworkPolicy, dests: tuple[Pod, ...]) -> tuple[str, str]:
    """(message, hint) for a named port that no destination pod declares with its protocol."""
    other = sorted({f"{cp.protocol} {cp.port}" for d in dests for cp in d.ports if cp.name == spec.port})
    where = f"policy {pol.ref} {field}"
    if other:
        return (
            f"{where}: named port '{spec.port}' is {'/'.join(other)} on the destination pods, but the entry asks "
            f"for {spec.protocol}{' (the default)' if spec.protocol is Protocol.TCP else ''}, so it matches nothing",
            f"set the entry's protocol to the declared one (`protocol: {other[0].split()[0]}`), or use the number",
        )
    return (
        f"{where}: named port '{spec.port}' is declared by none of the destination pods ({refs(dests)}), "
        "so it matches nothing",
        f"declare it in the pods' containers[].ports (`name: {spec.port}`), or use the port number",
    )


def _check_named_ports(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    if not ctx.cluster.pods:
        return
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            for i, r in enumerate(pol.rules(direction)):
                named = [(j, s) for j, s in enumerate(r.ports) if isinstance(s.port, str)]
                if not named:
                    continue
                dests = _destinations(ctx, pol, direction, r)
                # destinations the rule may select (a namespace without a manifest, a pod without an
                # IP): a named port one of them declares may resolve, so it is not reported
                maybe = [d for d, _ in ctx.rule_maybe(r, pol)] if direction is Direction.EGRESS else []
                only_blocks = bool(r.peers) and all(isinstance(p, IPBlockPeer) for p in r.peers)
                for j, spec in named:
                    field = f"{rule_field(direction, i)}.ports[{j}]"
                    if any(resolve_named_ports((spec,), d).conns for d in maybe):
                        continue
                    if not dests and direction is Direction.EGRESS and only_blocks:
                        message = (
                            f"policy {pol.ref} {field}: named port '{spec.port}' towards ipBlock peers only: a named "
                            "port never matches an address that is not a pod"
                        )
                        hint = "use the port number for ipBlock destinations"
                    elif not dests:
                        continue  # nothing to resolve against: NP006/NP007 report the selector
                    elif any(resolve_named_ports((spec,), d).conns for d in dests):
                        continue
                    else:
                        message, hint = _unresolved(spec, field, pol, dests)
                    span = spec.span or r.span or pol.span
                    yield rule.finding(span, f"NetworkPolicy {pol.ref}", field, message, hint)


RULES = (
    LintRule(
        "NP009",
        "named-port-unresolved",
        Severity.WARNING,
        "A named port resolves to no container port of any destination pod.",
        "A named port matches only a container port that the destination pod declares with that name and the "
        "entry's protocol (TCP unless given). A name no destination declares, declared with another protocol, "
        "or used towards ipBlock addresses matches nothing, and the rule opens nothing.",
        "named ports (networking/v1 types.go); a common NetworkPolicy mistake",
        _check_named_ports,
    ),
)
