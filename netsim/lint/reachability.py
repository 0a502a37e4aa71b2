"""Reachability rules: one-sided allows, which open a connection the other end never lets through.

A connection needs the source's egress **and** the destination's ingress (reference §1.4). An
ingress rule whose sources are all isolated for egress, with no egress rule allowing them to send
what it accepts, opens nothing; the classic case is a default-deny-all namespace with only an
ingress allow from web to backend. The egress mirror is reported the same way. The engine decides
every pair (exemptions such as the own node included); a pod talking to itself is left out,
since that is always allowed.

Rules with no peers or with an ipBlock peer are skipped: they also reach addresses outside the
input, which no policy restricts.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.connset import ConnSet
from netsim.lint.base import Finding, LintContext, LintRule, Severity, refs, rule_field
from netsim.match.ports import rule_ports
from netsim.model import Direction, IPBlockPeer, Pod

__all__ = ["RULES"]


def _one_sided(rule: LintRule, ctx: LintContext, direction: Direction) -> Iterator[Finding]:
    ingress = direction is Direction.INGRESS
    for pol in ctx.cluster.policies:
        if direction not in pol.policy_types:
            continue
        for i, r in enumerate(pol.rules(direction)):
            if not r.peers or any(isinstance(p, IPBlockPeer) for p in r.peers):
                continue
            selected, remote = ctx.selected(pol, direction), ctx.rule_pods(r, pol)
            if ingress:
                pairs = [(s, d) for d in selected for s in remote]
            else:
                pairs = [(s, d) for s in selected for d in remote]
            opened = ConnSet.none()
            sources: dict[str, Pod] = {}
            destinations: dict[str, Pod] = {}
            possible = False
            for src, dst in pairs:
                ports = rule_ports(r.ports, dst).conns
                if src.ref == dst.ref or not ports:
                    continue
                pair = ctx.pair(src, dst)
                other = pair.egress if ingress else pair.ingress
                if ports & other.conns:
                    possible = True
                    break
                opened |= ports
                sources[src.ref], destinations[dst.ref] = src, dst
            if possible or not opened:
                continue
            field = rule_field(direction, i)
            ports_text = "every port" if opened.is_all() else str(opened)
            what = f"{ports_text} from {refs(sources.values())} to {refs(destinations.values())}"
            if ingress:
                message = (
                    f"policy {pol.ref} {field} allows {what}, but those sources are isolated for egress and no "
                    "egress rule lets them send it: the connection can never happen"
                )
                hint = (
                    f"both ends must allow: add an egress rule for {refs(sources.values())} towards "
                    f"{refs(destinations.values())} on {ports_text}, or drop this rule"
                )
            else:
                message = (
                    f"policy {pol.ref} {field} allows {what}, but those destinations are isolated for ingress and no "
                    "ingress rule accepts it from there: the connection can never happen"
                )
                hint = (
                    f"both ends must allow: add an ingress rule for {refs(destinations.values())} from "
                    f"{refs(sources.values())} on {ports_text}, or drop this rule"
                )
            yield rule.finding(r.span or pol.span, f"NetworkPolicy {pol.ref}", field, message, hint)


def _check_ingress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    return _one_sided(rule, ctx, Direction.INGRESS)


def _check_egress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    return _one_sided(rule, ctx, Direction.EGRESS)


RULES = (
    LintRule(
        "NP016",
        "one-sided-ingress-allow",
        Severity.ERROR,
        "An ingress rule accepts traffic its sources are never allowed to send.",
        "Both the source's egress and the destination's ingress must allow a connection. When every pod an "
        "ingress rule accepts traffic from is isolated for egress and no egress rule lets it send that traffic "
        "to the destination, the rule opens nothing (typically: a default-deny-all namespace with an ingress "
        "allow from web to backend and no egress allow for web).",
        "§1.4",
        _check_ingress,
    ),
    LintRule(
        "NP017",
        "one-sided-egress-allow",
        Severity.ERROR,
        "An egress rule allows traffic its destinations never accept.",
        "The mirror of NP016: when every pod an egress rule sends to is isolated for ingress and no ingress rule "
        "accepts that traffic from the source, the rule opens nothing.",
        "§1.4",
        _check_egress,
    ),
)
