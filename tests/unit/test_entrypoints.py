"""Where outside traffic enters (netsim.entrypoints): the ingress controller behind Ingresses and
OpenShift Routes, each Gateway with the routes that attach to it, the ports they send to the
backends of their Services, and what the policies let through, undetermined where the controller's
namespace or address would decide it."""

from __future__ import annotations

from dataclasses import replace

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.entrypoints import INGRESS_CONTROLLER, entries
from netsim.model import (
    BackendRef,
    Cluster,
    Gateway,
    Ingress,
    Labels,
    LabelSelector,
    Listener,
    Options,
    ParentRef,
    Pod,
    Protocol,
    ReferenceGrant,
    Route,
    Service,
    ServicePort,
)
from tests.unit.builders import block, cluster, cport, peer, pod, policy, port, rule, sel

TCP, UDP = Protocol.TCP, Protocol.UDP
WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.1", ports=[cport(8080, name="http")])
API = pod("shop/api", {"app": "api"}, ip="10.0.1.2", ports=[cport(9000, name="grpc")])
WEB_SVC = Service("shop", "web", selector=Labels({"app": "web"}), ports=(ServicePort(80, "http", TCP, "http"),))
API_SVC = Service("shop", "api", selector=Labels({"app": "api"}), ports=(ServicePort(9000, 9000, TCP, "grpc"),))


def _cluster(*objects: object, policies: tuple[object, ...] = (), pods: tuple[Pod, ...] = (WEB, API)) -> Cluster:
    base = replace(cluster(list(pods), list(policies)), services=(WEB_SVC, API_SVC))  # type: ignore[arg-type]
    return replace(
        base,
        ingresses=tuple(o for o in objects if isinstance(o, Ingress)),
        routes=tuple(o for o in objects if isinstance(o, Route)),
        gateways=tuple(o for o in objects if isinstance(o, Gateway)),
        reference_grants=tuple(o for o in objects if isinstance(o, ReferenceGrant)),
    )


def _lines(
    c: Cluster, options: Options | None = None, pods: tuple[Pod, ...] = ()
) -> dict[tuple[str, str], tuple[str, str]]:
    return {
        (e.point.label, e.backend.ref): (str(e.conns), str(e.undetermined))
        for e in entries(PolicyIndex(c, options), pods)
    }


INGRESS = Ingress("shop", "web", (BackendRef("web", 80, "shop"),))
TO_WEB = (INGRESS_CONTROLLER, "shop/web")
GW_TO_WEB = ("{gateway infra/public}", "shop/web")
OPEN = ("TCP 8080", "No Connections")  # allowed for certain
MAYBE = ("No Connections", "TCP 8080")  # undetermined


def test_an_ingress_sends_to_the_target_port_of_its_services_backends() -> None:
    assert _lines(_cluster(INGRESS)) == {TO_WEB: OPEN}


def test_a_backend_port_by_name_and_a_missing_service() -> None:
    by_name = Ingress("shop", "web", (BackendRef("web", "http", "shop"), BackendRef("gone", 80, "shop")))
    assert _lines(_cluster(by_name)) == {TO_WEB: OPEN}


def test_a_rule_that_needs_the_controllers_namespace_labels_is_undetermined() -> None:
    from_ingress_ns = policy(
        "shop/from-ingress", sel({"app": "web"}), ingress=[rule(peer(namespaces=sel({"team": "ingress"})))]
    )
    c = _cluster(INGRESS, policies=(from_ingress_ns,))
    assert _lines(c) == {TO_WEB: MAYBE}
    # what netpol-analyzer assumes: the controller's namespace has only its name label
    closed = _lines(c, Options(closed_world=True))
    assert closed == {TO_WEB: ("No Connections", "No Connections")}


def test_every_namespace_admits_the_controller_and_an_ip_block_leaves_it_open() -> None:
    all_ns = policy("shop/all-ns", sel({"app": "web"}), ingress=[rule(peer(namespaces=sel()), ports=[port(8080)])])
    assert _lines(_cluster(INGRESS, policies=(all_ns,)))[TO_WEB] == (
        "TCP 8080",
        "No Connections",
    )
    cidr = policy("shop/cidr", sel({"app": "web"}), ingress=[rule(block("10.0.0.0/8"))])
    # the controller's address is not in the input: it may or may not be in the block
    assert _lines(_cluster(INGRESS, policies=(cidr,)))[TO_WEB] == (
        "No Connections",
        "TCP 8080",
    )


def test_given_ingress_pods_are_evaluated_with_their_own_policies() -> None:
    nginx = pod("ingress-nginx/controller", {"app": "nginx"}, ip="10.0.9.1")
    deny_out = policy("ingress-nginx/deny", sel(), types="Egress")
    c = _cluster(INGRESS, policies=(deny_out,), pods=(WEB, API, nginx))
    assert _lines(c, pods=(nginx,))[TO_WEB] == ("No Connections", "No Connections")
    assert _lines(_cluster(INGRESS, pods=(WEB, API, nginx)), pods=(nginx,))[TO_WEB] == (
        "TCP 8080",
        "No Connections",
    )


def test_openshift_route_target_ports() -> None:
    by_number = Route("Route", "shop", "web", (), (BackendRef("web", 8080, "shop"),))
    by_name = Route("Route", "shop", "web-by-name", (), (BackendRef("web", "http", "shop"),))
    any_port = Route("Route", "shop", "api", (), (BackendRef("api", None, "shop"),))
    wrong = Route("Route", "shop", "wrong", (), (BackendRef("web", 80, "shop"),))  # 80 is the Service port
    assert _lines(_cluster(by_number, by_name, any_port, wrong)) == {
        (INGRESS_CONTROLLER, "shop/api"): ("TCP 9000", "No Connections"),
        TO_WEB: OPEN,
    }


PUBLIC = Gateway("infra", "public", "eg", (Listener("http", "HTTP", 80, "All"),))
ROUTE_TO_WEB = Route("HTTPRoute", "shop", "web", (ParentRef("public", "infra"),), (BackendRef("web", 80, "shop"),))


def test_a_gateway_route_reaches_its_backends_from_the_gateway() -> None:
    assert _lines(_cluster(PUBLIC, ROUTE_TO_WEB)) == {GW_TO_WEB: OPEN}


def test_a_listener_admits_routes_by_namespace_and_kind() -> None:
    same = replace(PUBLIC, listeners=(Listener("http", "HTTP", 80),))  # Same: only routes of infra
    assert _lines(_cluster(same, ROUTE_TO_WEB)) == {}
    tcp_only = replace(PUBLIC, listeners=(Listener("tcp", "TCP", 5000, "All"),))  # TCPRoutes only
    assert _lines(_cluster(tcp_only, ROUTE_TO_WEB)) == {}
    wrong_section = replace(ROUTE_TO_WEB, parents=(ParentRef("public", "infra", section_name="https"),))
    assert _lines(_cluster(PUBLIC, wrong_section)) == {}


def test_a_selector_on_a_namespace_without_manifest_makes_it_undetermined() -> None:
    by_label = replace(
        PUBLIC, listeners=(Listener("http", "HTTP", 80, "Selector", LabelSelector(Labels({"expose": "yes"}))),)
    )
    c = replace(_cluster(by_label, ROUTE_TO_WEB), namespaces=())  # shop has no manifest
    assert _lines(c) == {GW_TO_WEB: MAYBE}


def test_a_cross_namespace_backend_needs_a_reference_grant() -> None:
    route = Route("HTTPRoute", "infra", "web", (ParentRef("public", "infra"),), (BackendRef("web", 80, "shop"),))
    assert _lines(_cluster(PUBLIC, route)) == {}
    grant = ReferenceGrant(
        "shop", "from-infra", (("gateway.networking.k8s.io", "HTTPRoute", "infra"),), (("", "Service", None),)
    )
    assert _lines(_cluster(PUBLIC, route, grant)) == {GW_TO_WEB: OPEN}
    other_kind = replace(grant, from_=(("gateway.networking.k8s.io", "TCPRoute", "infra"),))
    assert _lines(_cluster(PUBLIC, route, other_kind)) == {}


def test_a_udp_route_sends_udp() -> None:
    dns = replace(API_SVC, name="dns", ports=(ServicePort(53, 5353, UDP, "dns"),))
    gw = replace(PUBLIC, listeners=(Listener("dns", "UDP", 53, "All"),))
    route = Route("UDPRoute", "shop", "dns", (ParentRef("public", "infra"),), (BackendRef("dns", 53, "shop"),))
    c = replace(_cluster(gw, route), services=(dns,))
    assert _lines(c) == {("{gateway infra/public}", "shop/api"): ("UDP 5353", "No Connections")}


def test_entries_are_the_engines_answers() -> None:
    """Each entry's sets are what evaluate_pair gives from the controller pod, limited to its ports."""
    from netsim.engine import evaluate_pair
    from netsim.entrypoints import unknown_pod

    cidr = policy("shop/cidr", sel({"app": "web"}), ingress=[rule(block("10.0.0.0/8"), ports=[port(8080)])])
    index = PolicyIndex(_cluster(INGRESS, policies=(cidr,)))
    (entry,) = entries(index)
    pair = evaluate_pair(index, unknown_pod(INGRESS_CONTROLLER, "ingress-controller"), WEB)
    assert entry.conns == pair.conns & ConnSet.of(TCP, 8080)
    assert entry.undetermined == (pair.possible - pair.conns) & ConnSet.of(TCP, 8080)
    assert entry.undetermined  # the block may hold the controller's address


def test_the_controllers_namespace_name_and_labels_are_unknown() -> None:
    """A rule that names the real controller's namespace, or its pods' labels, may admit it: the
    input does not say where the controller runs (--ingress-pod does)."""
    by_name = policy(
        "shop/from-nginx",
        sel({"app": "web"}),
        ingress=[rule(peer(namespaces=sel({"kubernetes.io/metadata.name": "ingress-nginx"})))],
    )
    by_labels = policy(
        "shop/from-nginx-pods", sel({"app": "web"}), ingress=[rule(peer(sel({"app": "nginx"}), namespaces=sel()))]
    )
    same_namespace = policy("shop/from-shop", sel({"app": "web"}), ingress=[rule(peer(sel()))])
    assert _lines(_cluster(INGRESS, policies=(by_name,))) == {TO_WEB: MAYBE}
    assert _lines(_cluster(INGRESS, policies=(by_labels,))) == {TO_WEB: MAYBE}
    # a podSelector alone means the policy's own namespace, which is not the controller's
    assert _lines(_cluster(INGRESS, policies=(same_namespace,))) == {TO_WEB: ("No Connections", "No Connections")}
    index = PolicyIndex(_cluster(INGRESS, policies=(by_name,)))
    from netsim.engine import evaluate
    from netsim.entrypoints import unknown_pod
    from netsim.model import Traffic

    verdict = evaluate(index, Traffic(unknown_pod(INGRESS_CONTROLLER, "ingress-controller"), WEB, 8080, TCP))
    assert [u.condition for u in verdict.unknowns()] == [
        "{ingress-controller}'s pods are all pods in namespaces {kubernetes.io/metadata.name=ingress-nginx} "
        "(the input does not describe them: --ingress-pod names them)"
    ]
