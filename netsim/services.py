"""Services as destinations: the backends behind a Service port, each evaluated as the pod (or
address) that the connection really reaches.

A client connects to a Service's ClusterIP (or a node port, a load balancer, an external IP) and
kube-proxy, or the network plugin in its place, rewrites the destination to one backend pod and
its ``targetPort`` before any NetworkPolicy is applied. So a policy never sees a Service: it sees
the pod, on the pod's port. The Kubernetes documentation says so in "Network Policies"
(``ipBlock``): "cluster ingress and egress mechanisms often require rewriting the source or
destination IP of packets", and in the "Service" page: the proxy "redirects" traffic "to one of
the Service's backend Pods". netsim therefore answers a question about a Service by evaluating
the same connection towards every backend:

* the backends of a Service with a selector are the pods (and workloads' representative pods) of
  its namespace whose labels include the selector's; of a Service without one, the addresses of
  the EndpointSlices labelled ``kubernetes.io/service-name`` with its name (a pod of the input
  when the address or the ``targetRef`` is one, an address otherwise);
* a numbered ``targetPort`` is the same on every backend; a named one is each backend's container
  port of that name and the Service port's protocol, and a backend that declares none receives no
  traffic on that Service port (the EndpointSlice controller leaves it out);
* the answer is allowed only when every backend allows it, denied when one denies it (a connection
  through the Service fails whenever kube-proxy picks that backend), and undetermined otherwise.
"""

from __future__ import annotations

from ipaddress import ip_address

from netsim.endpoints import did_you_mean, suggest
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import NetsimError
from netsim.model import Cluster, Endpoint, External, IPAddress, Pod, Protocol, Service, ServicePort, Traffic
from netsim.verdict import Backend, BackendVerdict, ServiceVerdict

__all__ = [
    "evaluate_service",
    "resolve_service",
    "service_backends",
    "service_for_address",
    "service_port",
]


def service_backends(cluster: Cluster, service: Service, port: ServicePort) -> tuple[Backend, ...]:
    """Every backend of ``service`` with the port ``port`` lands on there (see the module text)."""
    if service.selector is not None:
        selector = service.selector
        pods = [
            p
            for p in cluster.pods
            if p.namespace == service.namespace and all(p.labels.get(k) == v for k, v in selector.items())
        ]
        return tuple(_pod_backend(p, port) for p in sorted(pods, key=lambda p: p.ref))
    return _slice_backends(cluster, service, port)


def _pod_backend(pod: Pod, port: ServicePort) -> Backend:
    target = port.target_port
    if isinstance(target, int):
        return Backend(pod, target, port.protocol, f"targetPort {target}")
    for cp in pod.ports:
        if cp.name == target and cp.protocol is port.protocol:
            return Backend(pod, cp.port, cp.protocol, f"targetPort {target} ({cp.port}/{cp.protocol.value})")
    return Backend(pod, None, port.protocol, f"declares no {port.protocol.value} port named {target!r}")


def _slice_backends(cluster: Cluster, service: Service, port: ServicePort) -> tuple[Backend, ...]:
    by_ip = {ip: p for p in cluster.pods if not p.host_network for ip in p.ips}
    found: dict[str, Backend] = {}
    for eps in cluster.endpoint_slices:
        if eps.namespace != service.namespace or eps.service != service.name:
            continue
        numbers = [sp for sp in eps.ports if sp.name == port.name and sp.protocol is port.protocol]
        number = numbers[0].port if numbers else None
        how = (
            f"EndpointSlice {eps.namespace}/{eps.name} port {number}"
            if number is not None
            else f"EndpointSlice {eps.namespace}/{eps.name} lists no {port.protocol.value} port "
            f"{port.name or '(unnamed)'}"
        )
        for ep in eps.endpoints:
            if ep.ready is False:
                continue  # not ready: kube-proxy sends it nothing
            pod = cluster.pod(ep.target_pod) if ep.target_pod else None
            for ip in ep.addresses:
                target: Endpoint = pod or by_ip.get(ip) or External(ip)
                found.setdefault(target.ref, Backend(target, number, port.protocol, how))
    return tuple(found[k] for k in sorted(found))


def service_port(service: Service, text: str, protocol: Protocol | None = None) -> ServicePort:
    """The Service port ``text`` names: its name, or its number (with ``protocol`` when two ports
    share the number)."""
    number = int(text) if text.isdigit() else None
    hits = [
        p
        for p in service.ports
        if (p.port == number if number is not None else p.name == text) and (protocol is None or p.protocol is protocol)
    ]
    if len(hits) == 1:
        return hits[0]
    known = ", ".join(f"{p.name + ' ' if p.name else ''}{p.port}/{p.protocol.value}" for p in service.ports) or "none"
    if hits:
        raise NetsimError(f"{service.ref} has several ports {text}: add /TCP, /UDP or /SCTP (its ports: {known})")
    raise NetsimError(
        f"{service.ref} has no port {text!r}{' ' + protocol.value if protocol else ''}; its ports: {known}"
    )


def service_for_address(cluster: Cluster, text: str) -> Service | None:
    """The Service whose ClusterIP, external IP or load balancer address ``text`` is, if any."""
    try:
        ip: IPAddress = ip_address(text.strip())
    except ValueError:
        return None
    for service in cluster.services:
        if ip in service.cluster_ips or ip in service.external_ips or ip in service.load_balancer_ips:
            return service
    return None


def evaluate_service(index: PolicyIndex, source: Endpoint, service: Service, port: ServicePort) -> ServiceVerdict:
    """The connection from ``source`` to ``service`` on ``port``, evaluated towards every backend.

    From outside the cluster (an address that is no pod), through a node port, a load balancer
    or an external IP: with ``externalTrafficPolicy: Local`` the backend sees the client's address;
    with ``Cluster`` (the default) the receiving node translates it to its own address, so the
    backend's policies see a node address, which one depending on the node that received it: each
    node address the input gives is evaluated, and the answer is decided only when they agree."""
    if service.external_name is not None:
        raise NetsimError(
            f"{service.ref} is an ExternalName Service: clients reach whatever {service.external_name} resolves to, "
            "which netsim cannot know; ask about that address with --to ADDRESS"
        )
    cluster = index.cluster
    backends = service_backends(cluster, service, port)
    seen_as: tuple[Endpoint, ...] | None = None
    note = None
    if isinstance(source, External) and service.external_traffic_policy != "Local":
        nodes = sorted(
            {ip for n in cluster.nodes for ip in n.addresses} | {ip for p in cluster.pods for ip in p.node_addresses}
        )
        seen_as = tuple(External(ip) for ip in nodes)
        note = (
            f"externalTrafficPolicy is {service.external_traffic_policy}: the node that receives the connection "
            "replaces the client's address with its own, so the backends' policies see a node address"
            + ("" if seen_as else " (the input gives none: add the Node objects)")
        )
    results = []
    for b in backends:
        if b.port is None:
            continue
        sources = (source,) if seen_as is None else seen_as
        results.append(
            BackendVerdict(b, tuple(evaluate(index, Traffic(s, b.endpoint, b.port, b.protocol)) for s in sources))
        )
    return ServiceVerdict(source, service, port, backends, tuple(results), seen_as, note)


def resolve_service(cluster: Cluster, text: str, default_namespace: str = "default") -> Service | None:
    """The Service ``text`` names: ``ns/name[Service]`` (``name[Service]`` in the default
    namespace), or one of its addresses (ClusterIP, external IP, load balancer); None when it names
    no Service that way. A ``[Service]`` that matches none is an error with suggestions."""
    text = text.strip()
    found = service_for_address(cluster, text)
    if found is not None or not text.endswith(_SUFFIX):
        return found
    ns, _, name = text[: -len(_SUFFIX)].rpartition("/")
    ns = ns or default_namespace
    for service in cluster.services:
        if service.namespace == ns and service.name == name:
            return service
    hint = did_you_mean(suggest(f"{ns}/{name}{_SUFFIX}", [s.ref for s in cluster.services]))
    raise NetsimError(f"unknown Service {text!r}: the input has no Service {name} in namespace {ns}{hint}")


_SUFFIX = "[Service]"
