"""Service and Ingress rules: policies written against a Service instead of the pods behind it,
Services that reach no pod or that every backend refuses, and Ingresses, Routes and Gateway API
routes whose backends refuse the proxy that sends them traffic.

A connection to a Service reaches policies as a connection to one backend pod on its
``targetPort`` (:mod:`netsim.services`), so these rules resolve each Service port to its backends
with :func:`~netsim.services.service_backends`, and ask the engine (or the rules' ports, resolved
against each backend as the engine resolves them) what the backends accept. The proxies of
Ingresses and routes are those of :func:`~netsim.entrypoints.entries`: pods the input does not
describe, whose namespace, labels and address are unknown, so a backend that admits some pods by
a selector *may* admit them, and only a backend that admits no pod at all on those ports refuses
them for certain.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.engine import evaluate_pair
from netsim.entrypoints import INGRESS_CONTROLLER, Entry, entries
from netsim.errors import SourceSpan
from netsim.lint.base import Finding, LintContext, LintRule, Severity, depends, refs, rule_field, settle
from netsim.match.ipblock import ip_in_block
from netsim.match.ports import rule_ports
from netsim.match.selectors import matches_selector
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Action,
    Direction,
    IPAddress,
    IPBlockPeer,
    LabelSelector,
    NetworkPolicy,
    Pod,
    PodPeer,
    Protocol,
    Service,
    ServicePort,
    Tier,
    Unknown,
    UnknownKind,
)
from netsim.services import service_backends
from netsim.verdict import Backend

__all__ = ["RULES"]


@dataclass(frozen=True, slots=True)
class _Port:
    """One port of a Service with every backend it lands on (those that receive nothing included)."""

    service: Service
    index: int  # position in spec.ports
    port: ServicePort
    backends: tuple[Backend, ...]

    @property
    def field(self) -> str:
        return f"spec.ports[{self.index}]"

    def pods(self) -> tuple[tuple[Pod, int, Protocol], ...]:
        """The backend pods that receive traffic on this port, with the port they receive it on."""
        return tuple(
            (b.endpoint, b.port, b.protocol)
            for b in self.backends
            if isinstance(b.endpoint, Pod) and b.port is not None
        )


class _Ports:
    """Every port of every Service of the input with its backends, computed once per lint run."""

    def __init__(self, ctx: LintContext) -> None:
        cluster = ctx.cluster
        self.ports = tuple(
            _Port(svc, i, sp, service_backends(cluster, svc, sp))
            for svc in cluster.services
            if svc.external_name is None
            for i, sp in enumerate(svc.ports)
        )


def _ports(ctx: LintContext) -> tuple[_Port, ...]:
    return ctx.shared(_Ports, _Ports).ports


def _name(service: Service) -> str:
    return f"Service {service.namespace}/{service.name}"


def _port_entry(protocol: Protocol, port: int | str) -> str:
    """``{port: 8080}``, ``{protocol: UDP, port: dns}``."""
    return f"{{port: {port}}}" if protocol is Protocol.TCP else f"{{protocol: {protocol}, port: {port}}}"


def _backend_peer(service: Service, namespace: str) -> str:
    """A peer selecting the Service's backends, seen from a policy of ``namespace``."""
    if service.selector is None:
        return "a podSelector (and namespaceSelector) for the pods its EndpointSlices list"
    labels = ", ".join(f"{k}: {v}" for k, v in service.selector.items())
    peer = f"podSelector: {{matchLabels: {{{labels}}}}}"
    if service.namespace != namespace:
        peer = f"namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: {service.namespace}}}}}, {peer}"
    return f"`{{{peer}}}`"


# -- NP025: an ipBlock over a Service address ---------------------------------------------------------------


def _service_addresses(service: Service) -> list[tuple[str, IPAddress]]:
    return [
        *(("ClusterIP", ip) for ip in service.cluster_ips),
        *(("external IP", ip) for ip in service.external_ips),
        *(("load balancer IP", ip) for ip in service.load_balancer_ips),
    ]


def _check_ipblock_service(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    addresses = [(svc, kind, ip) for svc in ctx.cluster.services for kind, ip in _service_addresses(svc)]
    if not addresses:
        return
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            key = "from" if direction is Direction.INGRESS else "to"
            for i, r in enumerate(pol.rules(direction)):
                for k, peer in enumerate(r.peers):
                    # a block for the whole address space means "anywhere"; one over pod addresses is NP013's
                    if not isinstance(peer, IPBlockPeer) or peer.cidr.prefixlen == 0 or ctx.pods_in_block(peer):
                        continue
                    covered = [(svc, kind, ip) for svc, kind, ip in addresses if ip_in_block(ip, peer)]
                    if covered:
                        yield _ipblock_finding(
                            rule, pol, direction, f"{rule_field(direction, i)}.{key}[{k}]", peer, covered
                        )


def _ipblock_finding(
    rule: LintRule,
    pol: NetworkPolicy,
    direction: Direction,
    field: str,
    peer: IPBlockPeer,
    covered: list[tuple[Service, str, IPAddress]],
) -> Finding:
    names = [f"the {kind} {ip} of {_name(svc)}" for svc, kind, ip in covered]
    what = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
    head = f"policy {pol.ref} {field}: {peer} covers {what} and no pod address of the input"
    svc = covered[0][0]
    if direction is Direction.EGRESS:
        targets = sorted({_port_entry(sp.protocol, sp.target_port) for sp in svc.ports})
        message = (
            f"{head}, but a connection to a Service address reaches policies as a connection to a backend pod on "
            "its targetPort, so this ipBlock never matches it"
        )
        hint = (
            f"select the backend pods of {_name(svc)} instead: `to: [{_backend_peer(svc, pol.namespace).strip('`')}]` "
            f"with `ports: [{', '.join(targets)}]` (the targetPort)"
        )
    else:
        message = (
            f"{head}, but no connection comes from a Service address (policies see the client, or a node after "
            "source NAT), so this ipBlock never matches it"
        )
        hint = (
            "select the client pods with podSelector/namespaceSelector; for clients outside the cluster, allow their "
            "addresses (externalTrafficPolicy: Local) or the nodes' (Cluster)"
        )
    return rule.finding(peer.span or pol.span, f"NetworkPolicy {pol.ref}", field, message, hint)


# -- NP026: a policy port that is a Service port, not the backends' targetPort ---------------------------------


def _target(sp: ServicePort, landed: list[tuple[Pod, int, Protocol]]) -> str:
    """``5432``, or ``pg (TCP 5432)`` for a named targetPort."""
    if isinstance(sp.target_port, int):
        return str(sp.target_port)
    numbers = ", ".join(sorted({f"{proto} {port}" for _, port, proto in landed}))
    return f"{sp.target_port} ({numbers})"


def _check_service_port(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    ports = [p for p in _ports(ctx) if not p.service.headless]  # a headless Service's clients use the pod port
    if not ports:
        return
    for pol in ctx.cluster.policies:
        for direction in sorted(pol.policy_types):
            for i, r in enumerate(pol.rules(direction)):
                entries_ = [(j, s) for j, s in enumerate(r.ports) if isinstance(s.port, int) and s.end_port is None]
                if not entries_:
                    continue
                dests = (
                    ctx.selected(pol, Direction.INGRESS) if direction is Direction.INGRESS else ctx.rule_pods(r, pol)
                )
                wanted = {id(p) for p in dests}
                for j, spec in entries_:
                    for sp in ports:
                        if sp.port.protocol is not spec.protocol or sp.port.port != spec.port:
                            continue
                        landed = [
                            (pod, port, proto)
                            for pod, port, proto in sp.pods()
                            if id(pod) in wanted
                            and port != spec.port
                            # the pod also declares the Service's number: the entry may be meant for it
                            and not any(cp.port == spec.port and cp.protocol is proto for cp in pod.ports)
                            and not rule_ports(r.ports, pod).conns.allows(port, proto)
                        ]
                        if landed:
                            field = f"{rule_field(direction, i)}.ports[{j}]"
                            yield _service_port_finding(rule, pol, field, spec.span or r.span, sp, landed)


def _service_port_finding(
    rule: LintRule,
    pol: NetworkPolicy,
    field: str,
    span: SourceSpan | None,
    sp: _Port,
    landed: list[tuple[Pod, int, Protocol]],
) -> Finding:
    port = sp.port
    message = (
        f"policy {pol.ref} {field}: {port.protocol} {port.port} is the port of {_name(sp.service)}, but a connection "
        f"through it reaches {refs(p for p, _, _ in landed)} on targetPort {_target(port, landed)}, and policies "
        "match that port, not the Service's: this entry does not allow it"
    )
    hint = f"name the backends' port: `{_port_entry(port.protocol, port.target_port)}` (the Service's targetPort" + (
        ", or its number)" if isinstance(port.target_port, str) else ")"
    )
    return rule.finding(span or pol.span, f"NetworkPolicy {pol.ref}", field, message, hint)


# -- NP027: a Service that reaches no pod --------------------------------------------------------------------------


def _check_no_backend(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for svc in ctx.cluster.services:
        if svc.selector is None or svc.external_name is not None:
            continue  # the backends of a Service without a selector are its EndpointSlices'
        pods = ctx.pods_in(svc.namespace)
        if not pods:
            continue  # the namespace's pods are not in the input
        selector = LabelSelector(svc.selector)
        selected = [p for p in pods if matches_selector(selector, p.labels)]
        if not selected:
            elsewhere = sorted({p.namespace for p in ctx.cluster.pods if matches_selector(selector, p.labels)})
            hint = (
                f"pods with these labels are in {', '.join(elsewhere)}: a Service selects pods of its own namespace "
                "only, so create it there (metadata.namespace)"
                if elsewhere
                else f"fix the selector; the pods of {svc.namespace} carry: {_label_sets(pods)}"
            )
            yield rule.finding(
                svc.span,
                _name(svc),
                "spec.selector",
                f"{_name(svc)}: selector {selector} selects no pod of the input in namespace {svc.namespace}, so "
                "connections to it reach no backend",
                hint,
            )
            continue
        for k, sp in enumerate(svc.ports):
            name = sp.target_port
            if not isinstance(name, str):
                continue
            if any(cp.name == name and cp.protocol is sp.protocol for p in selected for cp in p.ports):
                continue
            other = sorted({f"{cp.protocol} {cp.port}" for p in selected for cp in p.ports if cp.name == name})
            if other:
                why = (
                    f"targetPort '{name}' is {'/'.join(other)} on its backends ({refs(selected)}), but the Service "
                    f"port is {sp.protocol}"
                )
                hint = f"set the Service port's protocol to the declared one (`protocol: {other[0].split()[0]}`)"
            else:
                why = f"targetPort '{name}' is declared by none of its backends ({refs(selected)})"
                hint = (
                    f"declare it in the backends' containers[].ports (`name: {name}`, protocol {sp.protocol}), or set "
                    "targetPort to the container port's number"
                )
            yield rule.finding(
                sp.span or svc.span,
                _name(svc),
                f"spec.ports[{k}].targetPort",
                f"{_name(svc)} spec.ports[{k}] ({sp.ref}): {why}, so this port sends traffic to no backend",
                hint,
            )


def _label_sets(pods: tuple[Pod, ...], limit: int = 4) -> str:
    sets = sorted({str(p.labels) for p in pods})
    return "; ".join(sets[:limit]) + ("; ..." if len(sets) > limit else "")


# -- NP028: a Service port that every backend refuses ------------------------------------------------------------


def _refuses(ctx: LintContext, pod: Pod, port: int, protocol: Protocol) -> bool:
    """True when ``pod`` accepts ``port`` from no peer for certain: it is isolated for ingress, no
    ingress rule of its policies allows the port (named ports resolved against it), no Admin-tier
    rule may accept it first, and no policy netsim does not evaluate may select it."""
    if ctx.options.is_node_traffic(pod) or ctx.unevaluated(pod, Direction.INGRESS):
        return False
    policies = ctx.index.isolating(pod, Direction.INGRESS)
    if not policies:
        return False
    admin = ctx.index.tier_policies(pod, Direction.INGRESS, Tier.ADMIN)
    if any(r.action is Action.ACCEPT for p, _ in admin for r in p.ingress):
        return False
    return not any(rule_ports(r.ports, pod).conns.allows(port, protocol) for pol in policies for r in pol.ingress)


def _check_refused(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    for sp in _ports(ctx):
        pods = sp.pods()
        receiving = [b for b in sp.backends if b.port is not None]
        if not pods or len(pods) != len(receiving):  # an address that is no pod of the input may accept it
            continue
        if not all(_refuses(ctx, pod, port, proto) for pod, port, proto in pods):
            continue
        conns = ", ".join(sorted({f"{proto} {port}" for _, port, proto in pods}))
        svc, port = sp.service, sp.port
        yield rule.finding(
            port.span or svc.span,
            _name(svc),
            sp.field,
            f"{_name(svc)} {sp.field} ({port.ref}): every backend is isolated for ingress and none of their ingress "
            f"rules allows {conns} (the targetPort), so no client can connect through this port: "
            f"{refs(p for p, _, _ in pods)}",
            f"allow ingress to the backends from their clients on the targetPort: a rule with `from: [...]` and "
            f"`ports: [{_port_entry(port.protocol, port.target_port)}]` in a policy of {svc.namespace} that selects "
            "them",
        )


# -- NP029: an Ingress, Route or Gateway API route whose backends refuse its proxy --------------------------------


def _who(label: str, pods: tuple[Pod, ...] = ()) -> str:
    """The proxy in words: its pods when --ingress-pod names them."""
    if pods:
        named = ", ".join(p.ref for p in pods)
        return f"the ingress controller ({named})" if label == INGRESS_CONTROLLER else f"the gateway's pods ({named})"
    if label == INGRESS_CONTROLLER:
        return f"the ingress controller ({label})"
    return f"the gateway's pods ({label})"


@dataclass(slots=True)
class _Refused:
    """What one Ingress or route sends through one entry point to backends that refuse it."""

    backends: list[str]
    ports: ConnSet
    admitting: list[str]  # peers that may select the proxy (its namespace and labels are unknown)
    unknowns: list[Unknown]  # other things the answer depends on (policies netsim does not evaluate)


def _assess(ctx: LintContext, entry: Entry) -> tuple[bool, list[str], list[Unknown]] | None:
    """(certain, peers that may admit the proxy, other dependencies) for an entry that nothing
    allows for certain; None when the backends may accept it and what refuses it is the proxy's
    own side (which depends on its namespace)."""
    backend = entry.backend
    certain = True
    admitting: list[str] = []
    others: list[Unknown] = []
    for source in entry.point.pods:
        pair = evaluate_pair(ctx.index, source, backend)
        side = pair.ingress
        if not source.undescribed:  # a pod of the input (--ingress-pod): the engine decides
            if side.possible & entry.ports:
                certain = False
                others += pair.unknowns()
            continue
        for o in side.outcomes:
            if not rule_ports(o.rule.ports, backend).conns & entry.ports:
                continue
            for k, peer in enumerate(o.rule.peers):
                # a selector may select the proxy's pods; an ipBlock may hold their address
                if isinstance(peer, PodPeer) or not ctx.options.closed_world:
                    admitting.append(f"policy {o.policy.ref} {o.field}.from[{k}]")
        for c in side.admin:
            if c.action is Action.ACCEPT and c.ports & entry.ports:
                admitting.append(f"{c.policy.kind} {c.policy.name} {c.field}")
        others += [u for u in pair.unknowns() if u.kind is UnknownKind.POLICY]
        if side.possible & entry.ports and not admitting and not others:
            return None
        certain = certain and not (side.possible & entry.ports)
    return certain and not admitting and not others, list(dict.fromkeys(admitting)), list(dict.fromkeys(others))


def _objects(ctx: LintContext) -> dict[str, SourceSpan | None]:
    """Where each Ingress and route is: ``Ingress shop/web``, ``HTTPRoute shop/web``, ``Route shop/web``."""
    found = {f"Ingress {i.namespace}/{i.name}": i.span for i in ctx.cluster.ingresses}
    found.update({f"{r.kind} {r.namespace}/{r.name}": r.span for r in ctx.cluster.routes})
    return found


def _some(items: list[str], limit: int = 3) -> str:
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _check_ingress(rule: LintRule, ctx: LintContext) -> Iterator[Finding]:
    cluster = ctx.cluster
    if not (cluster.ingresses or cluster.routes) or not cluster.services:
        return
    grouped: dict[tuple[str, str, bool], _Refused] = {}
    for entry in entries(ctx.index, ctx.config.ingress_pods):
        if not entry.ports or entry.conns:
            continue
        assessed = _assess(ctx, entry)
        if assessed is None:
            continue
        certain, admitting, others = assessed
        for via in entry.via:
            found = grouped.setdefault((via, entry.point.label, certain), _Refused([], ConnSet.none(), [], []))
            found.backends.append(f"{entry.backend.ref} ({entry.ports})")
            found.ports = found.ports | entry.ports
            found.admitting += [a for a in admitting if a not in found.admitting]
            found.unknowns += [u for u in others if u not in found.unknowns]
    spans = _objects(ctx)
    for (via, label, certain), found in sorted(grouped.items(), key=lambda item: item[0]):
        one = len(found.backends) == 1
        what = f"its backend{'' if one else 's'} {_some(found.backends)}"
        fix = (
            f"allow ingress to the backend{'' if one else 's'} from the proxy's pods on {found.ports}: a rule with "
            f"`from: [{{namespaceSelector: {{matchLabels: {{{NAMESPACE_NAME_LABEL}: <its namespace>}}}}}}]`"
        )
        named = ctx.config.ingress_pods
        if certain:
            isolated = "it is" if one else "they are"
            whom = "from those pods" if named else "from any pod"
            yield rule.finding(
                spans.get(via),
                via,
                "",
                f"{via}: {_who(label, named)} cannot reach {what}: {isolated} isolated for ingress and no ingress "
                f"rule allows {found.ports} there {whom}",
                fix,
            )
            continue
        if not found.unknowns:
            continue  # only who the proxy's pods are decides it, which the input does not say: quiet
        conditions = [depends(found.unknowns)]
        if found.admitting:
            conditions.append(f"allowed if its pods are selected by {_some(found.admitting)}")
        yield rule.may(
            spans.get(via),
            via,
            "",
            f"{via}: whether {_who(label, named)} reaches {what} is undetermined ({'; '.join(conditions)})",
            f"{settle(found.unknowns)}; if it is denied: {fix}",
        )


RULES = (
    LintRule(
        "NP025",
        "ipblock-covers-service-ip",
        Severity.WARNING,
        "An ipBlock covers a Service's ClusterIP, external IP or load balancer IP, and no pod.",
        "A connection to a Service address is rewritten to one backend pod's address and targetPort before "
        "policies see it, so an ipBlock written for a Service address never matches its traffic (nor any source). "
        "Blocks of the whole address space (0.0.0.0/0, ::/0) and blocks over pod addresses (NP013) are left out.",
        "virtual IPs and service proxies (Service concept page); ipBlock and rewritten addresses (NetworkPolicy "
        "concept page)",
        _check_ipblock_service,
    ),
    LintRule(
        "NP026",
        "service-port-not-target-port",
        Severity.WARNING,
        "A policy port is a Service's port, not the targetPort its backends receive the connection on.",
        "Policies match the port of the pod a connection reaches, which for a connection through a Service is "
        "its targetPort. An entry with the Service's port (80) for backends that listen on the targetPort (8080) "
        "does not allow the Service's traffic.",
        "targetPort (Service concept page); policies match pod ports (NetworkPolicy concept page); a common "
        "NetworkPolicy mistake",
        _check_service_port,
    ),
    LintRule(
        "NP027",
        "service-no-backend",
        Severity.WARNING,
        "A Service's selector selects no pod of the input, or a named targetPort is declared by none of its backends.",
        "A Service sends traffic to the pods of its namespace that its selector selects, on the container port a "
        "named targetPort names with the Service port's protocol; a pod that does not declare it is left out of "
        "the endpoints. Either way the connections reach no backend.",
        "selector and targetPort (Service concept page); the EndpointSlice controller",
        _check_no_backend,
    ),
    LintRule(
        "NP028",
        "service-accepts-nothing",
        Severity.WARNING,
        "Every backend of a Service port is isolated for ingress and allows its targetPort from no peer.",
        "A connection through a Service is one to a backend on its targetPort, which the backend's ingress "
        "policies must allow. When every backend is isolated and none of their ingress rules names that port, "
        "no client can use the Service port.",
        "isolation (NetworkPolicy concept page); targetPort (Service concept page)",
        _check_refused,
    ),
    LintRule(
        "NP029",
        "ingress-backend-denied",
        Severity.ERROR,
        "The backends of an Ingress, Route or Gateway API route refuse the proxy that sends them traffic.",
        "An ingress controller or a gateway's pods open the connections to the backends of the Services an "
        "Ingress or route names, on their targetPort, so the backends' ingress policies must admit those pods. "
        "Their namespace, labels and address are not in the input, so only a backend that admits no pod on "
        "those ports refuses them for certain; one that admits some pods may admit them and is not reported.",
        "Ingress controllers (Ingress concept page); the Gateway API; isolation (NetworkPolicy concept page)",
        _check_ingress,
    ),
)
