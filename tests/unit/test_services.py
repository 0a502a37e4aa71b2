"""A connection to a Service port is one to each backend (netsim.services): backends by selector or
by EndpointSlice, targetPort by number or by name per backend, the answer allowed only when every
backend allows it, external clients seen as a node's address unless externalTrafficPolicy is
Local, and the text and JSON that show it."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address

import pytest

from netsim.engine import PolicyIndex
from netsim.errors import NetsimError
from netsim.model import (
    Cluster,
    EndpointSlice,
    External,
    Labels,
    Node,
    Protocol,
    Service,
    ServicePort,
    ServiceType,
    SliceEndpoint,
    SlicePort,
)
from netsim.render.json import service_verdict_json
from netsim.render.text import explain_service
from netsim.services import evaluate_service, resolve_service, service_backends, service_port
from netsim.verdict import Decision
from tests.unit.builders import block, cluster, cport, peer, pod, policy, port, rule, sel

TCP = Protocol.TCP
WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.1")
# two backends that name their port alike but listen on different numbers
API_0 = pod("payments/api-0", {"app": "api"}, ip="10.0.2.1", ports=[cport(8443, name="https")])
API_1 = pod("payments/api-1", {"app": "api"}, ip="10.0.2.2", ports=[cport(9443, name="https")])
HTTPS = ServicePort(443, "https", TCP, "https")
API = Service("payments", "api", ServiceType.CLUSTER_IP, Labels({"app": "api"}), (HTTPS,), (ip_address("10.96.0.50"),))
# api-1 accepts only 8443 (its https port is 9443), api-0 accepts from shop
ALLOW_8443 = policy(
    "payments/allow-8443", sel({"app": "api"}), ingress=[rule(peer(namespaces=sel()), ports=[port(8443)])]
)


def _cluster(*extra_policies: object, services: tuple[Service, ...] = (API,)) -> Cluster:
    c = cluster([WEB, API_0, API_1], [ALLOW_8443, *extra_policies])  # type: ignore[list-item]
    return replace(c, services=services)


def test_named_target_ports_resolve_per_backend() -> None:
    backends = service_backends(_cluster(), API, HTTPS)
    assert [(b.endpoint.ref, b.port) for b in backends] == [("payments/api-0", 8443), ("payments/api-1", 9443)]
    assert backends[0].how == "targetPort https (8443/TCP)"


def test_allowed_only_when_every_backend_allows() -> None:
    result = evaluate_service(PolicyIndex(_cluster()), WEB, API, HTTPS)
    assert [r.decision for r in result.results] == [Decision.ALLOWED, Decision.DENIED]
    assert result.decision is Decision.DENIED
    assert result.allowed_count == 1
    text = explain_service(result)
    assert (
        text.splitlines()[0]
        == "shop/web -> payments/api[Service] port https (443/TCP): DENIED (1 of 2 backends allow it)"
    )
    assert "backend 2 of 2: payments/api-1 on 9443/TCP (targetPort https (9443/TCP)): DENIED" in text
    assert text.rstrip().endswith(
        "payments/api-1 refuses it, so a connection through the Service fails whenever it lands there"
    )
    data = service_verdict_json(result)
    assert data["verdict"] == "denied"
    assert [b["verdict"] for b in data["backends"]] == ["allowed", "denied"]
    assert data["backends"][1]["verdicts"][0]["port"] == 9443


def test_every_backend_allowing_is_allowed() -> None:
    allow_9443 = policy(
        "payments/allow-9443", sel({"app": "api"}), ingress=[rule(peer(namespaces=sel()), ports=[port(9443)])]
    )
    result = evaluate_service(PolicyIndex(_cluster(allow_9443)), WEB, API, HTTPS)
    assert result.decision is Decision.ALLOWED
    assert explain_service(result).rstrip().endswith("=> allowed: every backend allows it")


def test_a_backend_without_the_named_port_receives_nothing() -> None:
    bare = pod("payments/api-2", {"app": "api"}, ip="10.0.2.3")
    c = replace(cluster([WEB, API_0, bare], [ALLOW_8443]), services=(API,))
    result = evaluate_service(PolicyIndex(c), WEB, API, HTTPS)
    assert [b.endpoint.ref for b in result.receiving] == ["payments/api-0"]
    assert result.decision is Decision.ALLOWED
    assert "backend payments/api-2 declares no TCP port named 'https': the Service sends it nothing" in (
        explain_service(result)
    )


def test_a_service_without_backends_is_denied_with_a_clear_message() -> None:
    lonely = replace(API, name="lonely", selector=Labels({"app": "nothing"}))
    result = evaluate_service(PolicyIndex(_cluster(services=(lonely,))), WEB, lonely, HTTPS)
    assert result.decision is Decision.DENIED
    assert result.results == ()
    assert "=> denied: no backend receives traffic on port https of payments/lonely[Service]" in explain_service(result)


def test_a_numbered_target_port_is_the_same_on_every_backend() -> None:
    plain = ServicePort(80, 8443)
    svc = replace(API, ports=(plain,))
    assert [b.port for b in service_backends(_cluster(services=(svc,)), svc, plain)] == [8443, 8443]


def test_a_service_without_selector_takes_its_backends_from_endpoint_slices() -> None:
    svc = replace(API, name="db", selector=None, ports=(ServicePort(5432, 5432, TCP, "pg"),))
    slice_ = EndpointSlice(
        "payments",
        "db-abc",
        "db",
        "IPv4",
        (
            SliceEndpoint((ip_address("10.0.2.1"),), "payments/api-0"),
            SliceEndpoint((ip_address("192.0.2.10"),)),  # a database outside the cluster
            SliceEndpoint((ip_address("10.0.2.2"),), ready=False),  # not ready: no traffic
        ),
        (SlicePort(5432, TCP, "pg"),),
    )
    c = replace(_cluster(services=(svc,)), endpoint_slices=(slice_,))
    backends = service_backends(c, svc, svc.ports[0])
    assert [(b.endpoint.ref, b.port) for b in backends] == [("192.0.2.10", 5432), ("payments/api-0", 5432)]
    assert isinstance(backends[0].endpoint, External)


def test_service_ports_by_name_or_number() -> None:
    assert service_port(API, "https") is HTTPS
    assert service_port(API, "443") is HTTPS
    with pytest.raises(NetsimError, match=r"payments/api\[Service\] has no port '8443'; its ports: https 443/TCP"):
        service_port(API, "8443")


def test_resolving_a_service_by_reference_or_address() -> None:
    c = _cluster()
    assert resolve_service(c, "payments/api[Service]") is API
    assert resolve_service(c, "api[Service]", "payments") is API
    assert resolve_service(c, "10.96.0.50") is API  # the ClusterIP: its backends, never the address
    assert resolve_service(c, "10.0.2.1") is None  # a pod's address
    assert resolve_service(c, "payments/api") is None  # a pod or workload reference
    with pytest.raises(
        NetsimError, match=r"unknown Service 'payments/apii\[Service\]'.*did you mean 'payments/api\[Service\]'"
    ):
        resolve_service(c, "payments/apii[Service]")


def test_an_external_name_service_is_a_clear_error() -> None:
    name = replace(API, type=ServiceType.EXTERNAL_NAME, selector=None, external_name="api.example.com")
    with pytest.raises(
        NetsimError, match=r"ExternalName Service: clients reach whatever api\.example\.com resolves to"
    ):
        evaluate_service(PolicyIndex(_cluster(services=(name,))), WEB, name, HTTPS)


def _through_node(policy_value: str) -> Decision:
    """An external client through a NodePort whose backends allow only the client's range."""
    client_only = policy("payments/from-client", sel({"app": "api"}), ingress=[rule(block("203.0.113.0/24"))])
    svc = replace(API, type=ServiceType.NODE_PORT, external_traffic_policy=policy_value)
    c = replace(
        cluster([WEB, API_0, API_1], [client_only]),
        services=(svc,),
        nodes=(Node("node-a", Labels(), (ip_address("172.16.0.1"),)),),
    )
    return evaluate_service(PolicyIndex(c), External(ip_address("203.0.113.9")), svc, HTTPS).decision


def test_external_clients_are_seen_as_a_node_address_unless_the_policy_is_local() -> None:
    assert _through_node("Local") is Decision.ALLOWED  # the client's address is kept
    assert _through_node("Cluster") is Decision.DENIED  # the backends see node-a's address


def test_without_any_node_address_an_external_client_through_a_node_is_undetermined() -> None:
    svc = replace(API, type=ServiceType.LOAD_BALANCER)
    result = evaluate_service(PolicyIndex(_cluster(services=(svc,))), External(ip_address("203.0.113.9")), svc, HTTPS)
    assert result.decision is Decision.UNDETERMINED
    assert result.note is not None
    assert "the input gives none: add the Node objects" in result.note


def test_a_headless_service_is_answered_for_its_backends_too() -> None:
    """Clients of a headless Service connect to the backends' addresses directly (DNS gives them):
    the same backends, on the same target ports."""
    headless = replace(API, cluster_ips=(), headless=True)
    result = evaluate_service(PolicyIndex(_cluster(services=(headless,))), WEB, headless, HTTPS)
    assert [(r.backend.endpoint.ref, r.backend.port, r.decision) for r in result.results] == [
        ("payments/api-0", 8443, Decision.ALLOWED),
        ("payments/api-1", 9443, Decision.DENIED),
    ]
    assert "(ClusterIP, headless)" in explain_service(result)
