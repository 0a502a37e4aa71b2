"""Where traffic from outside enters the cluster, and what it may reach: ingress controllers behind
the Ingresses and OpenShift Routes of the input, and the Gateways of the Gateway API with the
routes attached to them.

An Ingress, a Route or a Gateway API route does not move packets itself: a controller's pods (an
ingress controller, a gateway's data plane) receive the traffic and open connections to the
backend pods of the Services those objects name, on the Services' ``targetPort``. So what matters
to NetworkPolicy is that pod: its egress, and the backends' ingress towards it. The input rarely
describes those pods, so by default each entry point is a pod netsim does not know: no labels, no
address, in a namespace of its own whose name and labels are unknown too (and which holds no
policy of the input), written ``{ingress-controller}`` (for every Ingress and Route, as
netpol-analyzer writes it) or ``{gateway ns/name}`` (one per Gateway). A rule that admits every pod
of every namespace admits it; one that needs its labels, its namespace's name or labels, or its
address is undetermined (``--closed-world``: the pod has no labels and no address, and its
namespace only its name label, as netpol-analyzer assumes). With
``ingress_pods`` (``--ingress-pod ns/name``) the given pods of the input stand for every entry point
instead, and a connection is allowed for certain only when every one of them is allowed.

The ports: an Ingress backend names a Service port (by number or name), an HTTPRoute/GRPCRoute/
TLSRoute/TCPRoute/UDPRoute backendRef a Service port number; each lands on every backend of the
Service on its ``targetPort`` (:mod:`netsim.services`). An OpenShift Route's ``port.targetPort`` is
the backend pods' port (a number), or the name of a Service port; without one, every Service port.
A Gateway API route reaches a Gateway's listener only if the listener lets routes of its kind and
namespace attach, and a Service in another namespace only if a ReferenceGrant there allows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.match.peers import namespace_state
from netsim.model import (
    BackendRef,
    Cluster,
    Gateway,
    Labels,
    Listener,
    Pod,
    Protocol,
    Route,
    Service,
    ServicePort,
)
from netsim.services import service_backends

__all__ = ["INGRESS_CONTROLLER", "Entry", "EntryPoint", "entries", "unknown_pod"]

INGRESS_CONTROLLER = "{ingress-controller}"
_GATEWAY_GROUP = "gateway.networking.k8s.io"
#: The route kinds a listener admits when its allowedRoutes.kinds is empty, by protocol.
_DEFAULT_KINDS = {
    "HTTP": ("HTTPRoute", "GRPCRoute"),
    "HTTPS": ("HTTPRoute", "GRPCRoute"),
    "TLS": ("TLSRoute",),
    "TCP": ("TCPRoute",),
    "UDP": ("UDPRoute",),
}


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """An ingress controller or a Gateway: the pods that bring outside traffic in."""

    label: str  # "{ingress-controller}" or "{gateway ns/name}"
    pods: tuple[Pod, ...]


@dataclass(frozen=True, slots=True)
class Entry:
    """What an entry point may open to one backend pod."""

    point: EntryPoint
    backend: Pod
    ports: ConnSet  # what the Ingresses, Routes and routes send there
    conns: ConnSet  # of those, allowed for certain
    undetermined: ConnSet  # of those, allowed depending on what the input does not give
    via: tuple[str, ...]  # the objects that send it there, e.g. "Ingress shop/web"


def unknown_pod(label: str, name: str) -> Pod:
    """A pod the input does not describe: labels, address and namespace unknown (a namespace of its
    own, with no policy of the input in it). Under ``--closed-world`` it has no labels and its
    namespace only its name label, as netpol-analyzer assumes."""
    return Pod(f"{name}-ns", name, Labels(), kind=label, undescribed=True)


def entries(index: PolicyIndex, ingress_pods: tuple[Pod, ...] = ()) -> tuple[Entry, ...]:
    """Every (entry point, backend pod) with ports, sorted by entry point label then backend."""
    cluster = index.cluster
    # entry point label -> backend pod ref -> (pod, ports sent for certain, ports maybe sent, via)
    found: dict[str, dict[str, tuple[Pod, ConnSet, ConnSet, list[str]]]] = {}
    points: dict[str, EntryPoint] = {}

    def add(point: EntryPoint, pod: Pod, ports: ConnSet, via: str, certain: bool = True) -> None:
        points.setdefault(point.label, point)
        per = found.setdefault(point.label, {})
        pod_, sure, maybe, vias = per.get(pod.ref, (pod, ConnSet.none(), ConnSet.none(), []))
        if certain:
            sure = sure | ports
        else:
            maybe = maybe | ports
        per[pod.ref] = (pod_, sure, maybe, vias if via in vias else [*vias, via])

    controller = EntryPoint(
        INGRESS_CONTROLLER, ingress_pods or (unknown_pod(INGRESS_CONTROLLER, "ingress-controller"),)
    )
    for ingress in cluster.ingresses:
        for ref in ingress.backends:
            for pod, ports in _to_service(cluster, ref, Protocol.TCP):
                add(controller, pod, ports, f"Ingress {ingress.namespace}/{ingress.name}")
    for route in cluster.routes:
        if route.kind == "Route":  # OpenShift
            for ref in route.backends:
                for pod, ports in _openshift(cluster, route, ref):
                    add(controller, pod, ports, f"Route {route.namespace}/{route.name}")
            continue
        protocol = Protocol.UDP if route.kind == "UDPRoute" else Protocol.TCP
        for gateway, attached in _gateways(index, route):
            point = EntryPoint(
                f"{{gateway {gateway.namespace}/{gateway.name}}}",
                ingress_pods or (unknown_pod(f"gateway {gateway.namespace}/{gateway.name}", "gateway"),),
            )
            for ref in route.backends:
                if not _granted(cluster, route, ref):
                    continue
                for pod, ports in _to_service(cluster, ref, protocol):
                    add(point, pod, ports, f"{route.kind} {route.namespace}/{route.name}", attached)
    out: list[Entry] = []
    for label in sorted(found):
        point = points[label]
        for key in sorted(found[label]):
            pod, ports, maybe, via = found[label][key]
            certain, possible = ConnSet.all(), ConnSet.none()
            for source in point.pods:
                pair = evaluate_pair(index, source, pod)
                certain, possible = certain & pair.conns, possible | pair.possible
            conns = certain & ports
            out.append(Entry(point, pod, ports | maybe, conns, (possible & (ports | maybe)) - conns, tuple(via)))
    return tuple(out)


def _service(cluster: Cluster, namespace: str, name: str) -> Service | None:
    for service in cluster.services:
        if service.namespace == namespace and service.name == name:
            return service
    return None


def _landing(cluster: Cluster, service: Service, ports: Iterable[ServicePort]) -> list[tuple[Pod, ConnSet]]:
    """Each backend pod of the Service ports and the ports a connection lands on there."""
    out: list[tuple[Pod, ConnSet]] = []
    for sp in ports:
        for backend in service_backends(cluster, service, sp):
            if backend.port is not None and isinstance(backend.endpoint, Pod):
                out.append((backend.endpoint, ConnSet.of(backend.protocol, backend.port)))
    return out


def _to_service(cluster: Cluster, ref: BackendRef, protocol: Protocol) -> list[tuple[Pod, ConnSet]]:
    """A backend reference by Service port number or name: where its traffic lands."""
    if ref.kind != "Service" or ref.group not in ("", "core"):
        return []
    service = _service(cluster, ref.namespace, ref.name)
    if service is None or ref.port is None:
        return []
    ports = [
        sp
        for sp in service.ports
        if (sp.port == ref.port if isinstance(ref.port, int) else sp.name == ref.port) and sp.protocol is protocol
    ]
    return _landing(cluster, service, ports)


def _openshift(cluster: Cluster, route: Route, ref: BackendRef) -> list[tuple[Pod, ConnSet]]:
    """An OpenShift Route's backend: ``port.targetPort`` is the pods' port number or a Service
    port's name; without it, every Service port."""
    if ref.kind != "Service":
        return []
    service = _service(cluster, route.namespace, ref.name)
    if service is None:
        return []
    if ref.port is None:
        return _landing(cluster, service, service.ports)
    if isinstance(ref.port, str):
        return _landing(cluster, service, [sp for sp in service.ports if sp.name == ref.port])
    number = ref.port
    return [
        (pod, ports) for pod, ports in _landing(cluster, service, service.ports) if ports.allows(number, Protocol.TCP)
    ]


def _gateways(index: PolicyIndex, route: Route) -> list[tuple[Gateway, bool]]:
    """The Gateways the route attaches to: a listener of the parent that admits its kind and
    namespace (and matches its sectionName and port, when given); with False where that depends on
    the labels of a namespace without a manifest."""
    cluster = index.cluster
    out: list[tuple[Gateway, bool]] = []
    for parent in route.parents:
        if parent.kind != "Gateway" or parent.group != _GATEWAY_GROUP:
            continue
        gateway = next((g for g in cluster.gateways if g.namespace == parent.namespace and g.name == parent.name), None)
        if gateway is None or any(g is gateway for g, _ in out):
            continue
        states = [
            _admits(index, gateway, listener, route)
            for listener in gateway.listeners
            if (parent.section_name is None or listener.name == parent.section_name)
            and (parent.port is None or listener.port == parent.port)
        ]
        if True in states:
            out.append((gateway, True))
        elif None in states:
            out.append((gateway, False))
    return out


def _admits(index: PolicyIndex, gateway: Gateway, listener: Listener, route: Route) -> bool | None:
    """Does the listener let the route attach? None when the route's namespace has no manifest
    and the listener selects namespaces by labels."""
    kinds = listener.route_kinds or _DEFAULT_KINDS.get(listener.protocol, ())
    if route.kind not in kinds:
        return False
    if listener.routes_from == "All":
        return True
    if listener.routes_from == "Selector":
        selector = listener.routes_selector
        if selector is None:
            return False
        return namespace_state(selector, index.cluster.namespace(route.namespace), index.options)
    return route.namespace == gateway.namespace


def _granted(cluster: Cluster, route: Route, ref: BackendRef) -> bool:
    """A backend in the route's own namespace, or one a ReferenceGrant in its namespace allows."""
    if ref.namespace == route.namespace:
        return True
    for grant in cluster.reference_grants:
        if grant.namespace != ref.namespace:
            continue
        if not any(g == _GATEWAY_GROUP and k == route.kind and ns == route.namespace for g, k, ns in grant.from_):
            continue
        if any(g in ("", "core") and k == ref.kind and (n is None or n == ref.name) for g, k, n in grant.to):
            return True
    return False
