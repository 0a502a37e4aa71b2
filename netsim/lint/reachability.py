"""Reachability rules: one-sided allows, which open a connection the other end never lets through.

A connection needs the source's egress **and** the destination's ingress (docs/semantics.md, "The
verdict"). An ingress rule whose sources are all isolated for egress, with no egress rule allowing
them to send what it accepts, opens nothing; the classic case is a default-deny-all namespace with
only an ingress allow from web to backend. The egress mirror is reported the same way. The engine decides
every pair (exemptions such as the own node included); a pod talking to itself is left out,
since that is always allowed (a workload of several replicas and itself is one replica to another,
``Options.replica_traffic``).

Three-valued: when the other end lets the rule's traffic through for no pair for certain but may
for some (its rule matches only if a namespace without a manifest has some label, or a policy of a
kind netsim does not evaluate selects it), the finding says the connection *may* never happen,
with what it depends on. The pods the rule may select (in a namespace without a manifest) are
evaluated too, and listed only in what may be.

Rules with no peers or with an ipBlock peer are skipped: they also reach addresses outside the
input, which no policy restricts.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.connset import ConnSet
from netsim.errors import SourceSpan
from netsim.lint.base import Finding, LintContext, LintRule, Severity, depends, refs, rule_field, settle
from netsim.match.ports import rule_ports
from netsim.model import Direction, IPBlockPeer, NetworkPolicy, Pod, Unknown

__all__ = ["RULES"]


def _one_sided(rule: LintRule, ctx: LintContext, direction: Direction) -> Iterator[Finding]:
    ingress = direction is Direction.INGRESS
    replicas = ctx.options.replica_traffic
    for pol in ctx.cluster.policies:
        if direction not in pol.policy_types:
            continue
        for i, r in enumerate(pol.rules(direction)):
            if not r.peers or any(isinstance(p, IPBlockPeer) for p in r.peers):
                continue
            # the pods the rule selects, and those it may select (in a namespace without a manifest)
            maybe = [p for p, _ in ctx.rule_maybe(r, pol)]
            uncertain = {id(p) for p in maybe}
            # (the context's own tuple when nothing is uncertain: its grouping into classes is kept)
            rule_pods = ctx.rule_pods(r, pol)
            selected, remote = ctx.selected(pol, direction), (rule_pods if not maybe else (*rule_pods, *maybe))
            # pods of one class get the same answers: one evaluation per pair of classes
            src_classes = ctx.classes(remote if ingress else selected)
            dst_classes = ctx.classes(selected if ingress else remote)
            opened = ConnSet.none()
            sources: dict[str, Pod] = {}
            destinations: dict[str, Pod] = {}
            happens = False
            unknowns: list[Unknown] = []
            for dst_class, dsts in dst_classes:
                ports = rule_ports(r.ports, dsts[0]).conns
                if not ports:
                    continue
                for src_class, srcs in src_classes:
                    if src_class == dst_class:  # distinct pods only: a pod may always talk to itself
                        pairs = [(a, b) for a in srcs for b in dsts if a.ref != b.ref or (replicas and a.is_replicated)]
                        if not pairs:
                            continue
                        srcs, dsts_here = [a for a, _ in pairs], [b for _, b in pairs]
                    else:
                        pairs, dsts_here = [(srcs[0], dsts[0])], dsts
                    pair = ctx.pair(*pairs[0])
                    other = pair.egress if ingress else pair.ingress
                    # the other end lets it through: not one-sided (whether the rule selects a pod
                    # it may select is NP007's question)
                    if ports & other.conns:
                        happens = True
                        break
                    if ports & other.possible:  # the other end may let it through
                        unknowns += pair.unknowns()
                    elif id(pairs[0][0] if ingress else pairs[0][1]) not in uncertain:
                        opened |= ports
                        sources.update((a.ref, a) for a in srcs)
                        destinations.update((b.ref, b) for b in dsts_here)
                if happens:
                    break
            if happens or not (opened or unknowns):
                continue
            field = rule_field(direction, i)
            yield _finding(rule, pol, r.span or pol.span, field, ingress, opened, sources, destinations, unknowns)


def _finding(
    rule: LintRule,
    pol: NetworkPolicy,
    span: SourceSpan | None,
    field: str,
    ingress: bool,
    opened: ConnSet,
    sources: dict[str, Pod],
    destinations: dict[str, Pod],
    unknowns: list[Unknown],
) -> Finding:
    subject = f"NetworkPolicy {pol.ref}"
    if unknowns:  # no pair opens it for certain, and some may: the connection may never happen
        other = "its sources may send" if ingress else "its destinations accept"
        return rule.may(
            span,
            subject,
            field,
            f"policy {pol.ref} {field}: no pair it allows is open at both ends for certain, and whether {other} "
            f"what it allows is undetermined ({depends(unknowns)}): the connection may never happen",
            f"{settle(unknowns)}; both ends must allow",
        )
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
    return rule.finding(span, subject, field, message, hint)


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
        "both ends must allow (concept page)",
        _check_ingress,
    ),
    LintRule(
        "NP017",
        "one-sided-egress-allow",
        Severity.ERROR,
        "An egress rule allows traffic its destinations never accept.",
        "The mirror of NP016: when every pod an egress rule sends to is isolated for ingress and no ingress rule "
        "accepts that traffic from the source, the rule opens nothing.",
        "both ends must allow (concept page)",
        _check_egress,
    ),
)
