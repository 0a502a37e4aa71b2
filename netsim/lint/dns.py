"""DNS rules: egress isolation that cuts pods off from the cluster DNS (reference §7.3, §7.4).

The DNS pods are those of :class:`~netsim.lint.base.DnsTarget` (``k8s-app=kube-dns`` in
``kube-system`` unless configured). When the input has some, each egress-isolated pod is
evaluated against them with the engine (both ends must allow). When it has none, a pod passes if
some egress rule of its isolating policies allows the port towards some peer.
"""

from __future__ import annotations

from collections.abc import Iterator

from netsim.connset import ConnSet
from netsim.lint.base import Finding, LintContext, LintRule, Severity, refs, span_order
from netsim.match.ports import static_ports
from netsim.match.selectors import matches_selector
from netsim.model import Direction, NetworkPolicy, Pod, Protocol, Rule

__all__ = ["DNS_PORT", "RULES"]

DNS_PORT = 53


def _dns_pods(ctx: LintContext) -> tuple[Pod, ...]:
    target = ctx.config.dns
    return tuple(p for p in ctx.pods_in(target.namespace) if matches_selector(target.selector, p.labels))


def _static(rule: Rule) -> ConnSet:
    """What a rule's ports allow before named ports are resolved (no ports: everything)."""
    return static_ports(rule.ports) if rule.ports else ConnSet.all()


def _reaches(ctx: LintContext, pod: Pod, dns: tuple[Pod, ...], proto: Protocol) -> tuple[bool, str]:
    """Whether ``pod`` can reach DNS on ``proto``/53, and if not, which side denies."""
    if dns:
        egress_ok = ingress_ok = False
        for server in dns:
            pair = ctx.pair(pod, server)
            if pair.conns.allows(DNS_PORT, proto):
                return True, ""
            egress_ok |= pair.egress.allows(DNS_PORT, proto)
            ingress_ok |= pair.ingress.allows(DNS_PORT, proto)
        return False, "ingress" if egress_ok and not ingress_ok else "egress"
    for pol in ctx.index.isolating(pod, Direction.EGRESS):
        if any(_static(r).allows(DNS_PORT, proto) for r in pol.egress):
            return True, ""
    return False, "egress"


def _first_isolating(ctx: LintContext, pods: list[Pod]) -> NetworkPolicy:
    policies = {pol.ref: pol for p in pods for pol in ctx.index.isolating(p, Direction.EGRESS)}
    return min(policies.values(), key=lambda pol: (span_order(pol.span), pol.ref))


def _blocked(ctx: LintContext) -> dict[tuple[str, Protocol, str], list[Pod]]:
    """(namespace, protocol, denying side) → the egress-isolated pods that cannot reach DNS."""
    dns = _dns_pods(ctx)
    dns_refs = {p.ref for p in dns}
    out: dict[tuple[str, Protocol, str], list[Pod]] = {}
    for pod in ctx.cluster.pods:
        if pod.ref in dns_refs or ctx.options.is_node_traffic(pod) or not ctx.index.isolating(pod, Direction.EGRESS):
            continue
        for proto in (Protocol.UDP, Protocol.TCP):
            ok, side = _reaches(ctx, pod, dns, proto)
            if not ok:
                out.setdefault((pod.namespace, proto, side), []).append(pod)
    return out


def _dns_text(ctx: LintContext) -> str:
    dns = _dns_pods(ctx)
    return f"cluster DNS ({refs(dns)})" if dns else f"cluster DNS ({ctx.config.dns}, not in the input)"


def _fix(ctx: LintContext, side: str) -> str:
    target = ctx.config.dns
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


def _check_udp(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    blocked = _blocked(ctx)
    for (ns, proto, side), pods in sorted(blocked.items()):
        if proto is not Protocol.UDP:
            continue
        tcp_blocked = {p.ref for s in ("egress", "ingress") for p in blocked.get((ns, Protocol.TCP, s), [])}
        tcp_too = all(p.ref in tcp_blocked for p in pods)
        ports = "UDP 53 (nor TCP 53)" if tcp_too else "UDP 53"
        pol = _first_isolating(ctx, pods)
        yield rule.finding(
            pol.span,
            f"Namespace {ns}",
            "",
            f"namespace {ns}: egress-isolated pods cannot reach {_dns_text(ctx)} on {ports}, denied at {side}: "
            f"{refs(pods)}",
            _fix(ctx, side),
        )


def _check_tcp(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    blocked = _blocked(ctx)
    udp_blocked = {p.ref for (_, proto, _), pods in blocked.items() if proto is Protocol.UDP for p in pods}
    for (ns, proto, side), pods in sorted(blocked.items()):
        only_tcp = [p for p in pods if p.ref not in udp_blocked]
        if proto is not Protocol.TCP or not only_tcp:
            continue
        pol = _first_isolating(ctx, only_tcp)
        yield rule.finding(
            pol.span,
            f"Namespace {ns}",
            "",
            f"namespace {ns}: egress-isolated pods reach {_dns_text(ctx)} on UDP 53 but not on TCP 53, denied at "
            f"{side}, so answers too large for UDP fail: {refs(only_tcp)}",
            _fix(ctx, side),
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
        "§7.3",
        _check_udp,
    ),
    LintRule(
        "NP004",
        "dns-tcp-blocked",
        Severity.WARNING,
        "Egress-isolated pods reach the cluster DNS on UDP 53 but not on TCP 53.",
        "Resolvers retry over TCP when an answer does not fit in a UDP packet (many records, DNSSEC); "
        "without TCP 53 those lookups fail intermittently.",
        "§7.3",
        _check_tcp,
    ),
    LintRule(
        "NP005",
        "dns-port-without-udp",
        Severity.WARNING,
        "A rule allows port 53 on TCP only.",
        "`ports: [{port: 53}]` means TCP 53: the protocol defaults to TCP, so the UDP queries DNS mostly uses "
        "are still dropped.",
        "§3.1, §7.4",
        _check_rule_without_udp,
    ),
)
