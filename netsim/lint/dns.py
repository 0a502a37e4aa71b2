"""DNS rules: egress isolation that cuts pods off from the cluster DNS, or lets only TCP through
(docs/lint.md, NP003-NP005; a ``ports`` entry without ``protocol`` is TCP: docs/semantics.md,
"Defaulting").

The DNS pods are those of :class:`~netsim.lint.base.DnsTarget` (``k8s-app=kube-dns`` in
``kube-system`` unless configured). When the input has some, each egress-isolated pod is
evaluated against them with the engine (both ends must allow). When it has none, the Admin tier
decides first where it decides for certain (evaluated towards a pod like the DNS target), and
otherwise a pod passes if some egress rule of its isolating policies allows the port towards some
peer.

Three-valued: a pod is reported as cut off only when it is denied for certain. When the answer is
undetermined (a rule towards the DNS pods selects a namespace without a manifest, a policy of a
kind netsim does not evaluate selects the pod or the DNS pods, ...) the finding says so, names what
it depends on, and is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.engine import evaluate_pair
from netsim.lint.base import Finding, LintContext, LintRule, Severity, depends, refs, settle, span_order
from netsim.match.ports import static_ports
from netsim.match.selectors import matches_selector
from netsim.model import ContainerPort, Direction, NetworkPolicy, Pod, Protocol, Rule, Tier, Traffic, Unknown
from netsim.verdict import Decision, Verdict, policy_unknown, tier_chain

__all__ = ["DNS_PORT", "RULES"]

DNS_PORT = 53
UDP, TCP = Protocol.UDP, Protocol.TCP


def _dns_pods(ctx: LintContext) -> tuple[Pod, ...]:
    target = ctx.config.dns
    return tuple(p for p in ctx.pods_in(target.namespace) if matches_selector(target.selector, p.labels))


def _static(rule: Rule) -> ConnSet:
    """What a rule's ports allow before named ports are resolved (no ports: everything)."""
    return static_ports(rule.ports) if rule.ports else ConnSet.all()


@dataclass(frozen=True, slots=True)
class _Reach:
    """Whether a pod reaches DNS on one protocol: allowed, denied (at ``side``), or undetermined
    (depending on ``unknowns``)."""

    decision: Decision
    side: str = ""
    unknowns: tuple[Unknown, ...] = ()


def _reaches(ctx: LintContext, pod: Pod, dns: tuple[Pod, ...], proto: Protocol) -> _Reach:
    """Whether ``pod`` can reach DNS on ``proto``/53; if not, which side denies; if the input does
    not say, on what it depends."""
    if dns:
        egress_ok = ingress_ok = False
        unknowns: list[Unknown] = []
        for server in dns:
            pair = ctx.pair(pod, server)
            verdict = Verdict(Traffic(pod, server, DNS_PORT, proto), pair.egress, pair.ingress)
            if verdict.decision is Decision.ALLOWED:
                return _Reach(Decision.ALLOWED)
            unknowns += verdict.unknowns()
            egress_ok |= pair.egress.allows(DNS_PORT, proto)
            ingress_ok |= pair.ingress.allows(DNS_PORT, proto)
        if unknowns:
            return _Reach(Decision.UNDETERMINED, "", tuple(dict.fromkeys(unknowns)))
        return _Reach(Decision.DENIED, "ingress" if egress_ok and not ingress_ok else "egress")
    decided = _admin_tier(ctx, pod, proto)
    if decided is not None:
        return decided
    for pol in ctx.index.isolating(pod, Direction.EGRESS):
        if any(_static(r).allows(DNS_PORT, proto) for r in pol.egress):
            return _Reach(Decision.ALLOWED)
    foreign = ctx.unevaluated(pod, Direction.EGRESS)
    if foreign:  # such a policy may allow it
        unknowns = [policy_unknown(p, pod, Direction.EGRESS) for p in foreign]
        return _Reach(Decision.UNDETERMINED, "", tuple(unknowns))
    return _Reach(Decision.DENIED, "egress")


def _admin_tier(ctx: LintContext, pod: Pod, proto: Protocol) -> _Reach | None:
    """Without DNS pods in the input: what the Admin tier decides for certain about ``pod``'s DNS
    traffic towards a pod like the DNS target (its namespace and labels, the usual ``dns`` and
    ``dns-tcp`` ports), before any NetworkPolicy is read; None when it leaves it to them."""
    if not any(ctx.index.tier_policies(pod, Direction.EGRESS, tier) for tier in Tier):
        return None
    target = ctx.config.dns
    server = Pod(target.namespace, "dns", target.selector.match_labels, _DNS_CONTAINER_PORTS)
    egress = evaluate_pair(ctx.index, pod, server).egress
    if not egress.admin or egress.unevaluated:
        return None
    chain = tier_chain(egress.admin, ())
    if chain.admin_accepted.allows(DNS_PORT, proto):
        return _Reach(Decision.ALLOWED)
    if all(walk.denied[0].allows(DNS_PORT, proto) for walk in chain.admin):
        return _Reach(Decision.DENIED, _BY_ADMIN)
    return None


_BY_ADMIN = "egress, by the Admin tier"

#: The ports the cluster DNS pods declare (CoreDNS's manifests).
_DNS_CONTAINER_PORTS = (ContainerPort(DNS_PORT, UDP, "dns"), ContainerPort(DNS_PORT, TCP, "dns-tcp"))


def _first_isolating(ctx: LintContext, pods: list[Pod]) -> NetworkPolicy:
    policies = {pol.ref: pol for p in pods for pol in ctx.index.isolating(p, Direction.EGRESS)}
    return min(policies.values(), key=lambda pol: (span_order(pol.span), pol.ref))


def _answers(ctx: LintContext) -> list[tuple[Pod, dict[Protocol, _Reach]]]:
    """Every egress-isolated pod (not a DNS pod) with whether it reaches DNS on UDP and TCP."""
    dns = _dns_pods(ctx)
    dns_refs = {p.ref for p in dns}
    out = []
    for pod in ctx.cluster.pods:
        if pod.ref in dns_refs or ctx.options.is_node_traffic(pod) or not ctx.index.isolating(pod, Direction.EGRESS):
            continue
        out.append((pod, {proto: _reaches(ctx, pod, dns, proto) for proto in (Protocol.UDP, Protocol.TCP)}))
    return out


def _grouped(items: Iterable[tuple[str, str, Pod]]) -> dict[tuple[str, str], list[Pod]]:
    out: dict[tuple[str, str], list[Pod]] = {}
    for ns, side, pod in items:
        out.setdefault((ns, side), []).append(pod)
    return dict(sorted(out.items()))


def _dns_text(ctx: LintContext) -> str:
    dns = _dns_pods(ctx)
    return f"cluster DNS ({refs(dns)})" if dns else f"cluster DNS ({ctx.config.dns}, not in the input)"


def _fix(ctx: LintContext, side: str) -> str:
    target = ctx.config.dns
    if side == _BY_ADMIN:
        return (
            "a rule of the Admin tier denies it, and no NetworkPolicy can allow what that tier denies: accept "
            f"UDP 53 and TCP 53 towards {target} in a rule the Admin tier applies first"
        )
    if side == "ingress":
        return (
            f"the DNS pods are isolated for ingress and do not accept this: allow ingress on UDP 53 and TCP 53 "
            f"in a policy of {target.namespace} that selects them"
        )
    labels = ", ".join(f"{k}: {v}" for k, v in target.selector.match_labels.items())
    peer = (
        "{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: " + target.namespace + "}}, "
        "podSelector: {matchLabels: {" + labels + "}}}"
    )
    ports = "[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]"
    return f"allow egress to the DNS pods: `to: [{peer}]`, `ports: {ports}`"


def _maybe_hint(ctx: LintContext, unknowns: Iterable[Unknown]) -> str:
    return f"{settle(unknowns)}; if it is denied: {_fix(ctx, 'egress')}"


def _check_udp(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    answers = _answers(ctx)
    denied = _grouped((p.namespace, a[UDP].side, p) for p, a in answers if a[UDP].decision is Decision.DENIED)
    tcp_denied = {p.ref for p, a in answers if a[TCP].decision is Decision.DENIED}
    for (ns, side), pods in denied.items():
        ports = "UDP 53 (nor TCP 53)" if all(p.ref in tcp_denied for p in pods) else "UDP 53"
        pol = _first_isolating(ctx, pods)
        yield rule.finding(
            pol.span,
            f"Namespace {ns}",
            "",
            f"namespace {ns}: egress-isolated pods cannot reach {_dns_text(ctx)} on {ports}, denied at {side}: "
            f"{refs(pods)}",
            _fix(ctx, side),
        )
    undetermined = [(p, a[UDP]) for p, a in answers if a[UDP].decision is Decision.UNDETERMINED]
    yield from _undetermined(
        rule, ctx, undetermined, f"whether egress-isolated pods reach {_dns_text(ctx)} on UDP 53 is undetermined"
    )


def _check_tcp(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    answers = [(p, a) for p, a in _answers(ctx) if a[UDP].decision is Decision.ALLOWED]
    denied = _grouped((p.namespace, a[TCP].side, p) for p, a in answers if a[TCP].decision is Decision.DENIED)
    for (ns, side), pods in denied.items():
        yield rule.finding(
            _first_isolating(ctx, pods).span,
            f"Namespace {ns}",
            "",
            f"namespace {ns}: egress-isolated pods reach {_dns_text(ctx)} on UDP 53 but not on TCP 53, denied at "
            f"{side}, so answers too large for UDP fail: {refs(pods)}",
            _fix(ctx, side),
        )
    undetermined = [(p, a[TCP]) for p, a in answers if a[TCP].decision is Decision.UNDETERMINED]
    yield from _undetermined(
        rule,
        ctx,
        undetermined,
        f"egress-isolated pods reach {_dns_text(ctx)} on UDP 53; whether they reach it on TCP 53 is undetermined",
    )


def _undetermined(
    rule: LintRule, ctx: LintContext, undetermined: list[tuple[Pod, _Reach]], what: str
) -> Iterator[Finding]:
    """One "may" finding per namespace whose pods' answer is undetermined, with what it depends on."""
    for (ns, _), pods in _grouped((p.namespace, "", p) for p, _ in undetermined).items():
        unknowns = [u for p, reach in undetermined if p.namespace == ns for u in reach.unknowns]
        yield rule.may(
            _first_isolating(ctx, pods).span,
            f"Namespace {ns}",
            "",
            f"namespace {ns}: {what} ({depends(unknowns)}): {refs(pods)}",
            _maybe_hint(ctx, unknowns),
        )


def _check_rule_without_udp(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for pol in ctx.cluster.policies:
        for direction in Direction:
            for i, r in enumerate(pol.rules(direction)):
                if static_ports(r.ports).allows(DNS_PORT, Protocol.UDP):
                    continue
                for j, spec in enumerate(r.ports):
                    if spec.protocol is Protocol.TCP and spec.port == DNS_PORT and spec.end_port is None:
                        field = f"spec.{direction.value.lower()}[{i}].ports[{j}]"
                        yield rule.finding(
                            spec.span or r.span or pol.span,
                            f"NetworkPolicy {pol.ref}",
                            field,
                            f"policy {pol.ref} {field} allows port 53 on TCP only (protocol defaults to TCP): "
                            "DNS queries go over UDP and stay blocked",
                            "add `{protocol: UDP, port: 53}` next to it (keep TCP 53 for large answers)",
                        )


RULES = (
    LintRule(
        "NP003",
        "dns-udp-blocked",
        Severity.ERROR,
        "Egress-isolated pods cannot reach the cluster DNS on UDP 53.",
        "An egress default deny blocks DNS too: the pods can no longer resolve any name, which breaks almost "
        "every application. The DNS pods are k8s-app=kube-dns in kube-system (--dns-selector, --dns-namespace); "
        "when the input has none, some egress rule must allow UDP 53 towards some peer.",
        "a common NetworkPolicy mistake",
        _check_udp,
    ),
    LintRule(
        "NP004",
        "dns-tcp-blocked",
        Severity.WARNING,
        "Egress-isolated pods reach the cluster DNS on UDP 53 but not on TCP 53.",
        "Resolvers retry over TCP when an answer does not fit in a UDP packet (many records, DNSSEC); "
        "without TCP 53 those lookups fail intermittently.",
        "a common NetworkPolicy mistake",
        _check_tcp,
    ),
    LintRule(
        "NP005",
        "dns-port-without-udp",
        Severity.WARNING,
        "A rule allows port 53 on TCP only.",
        "`ports: [{port: 53}]` means TCP 53: the protocol defaults to TCP, so the UDP queries DNS mostly uses "
        "are still dropped.",
        "protocols (networking/v1 types.go); a common NetworkPolicy mistake",
        _check_rule_without_udp,
    ),
)
