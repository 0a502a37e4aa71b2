"""netsim.loader: the Gateway API (``gateway.networking.k8s.io``) read into the model.

Every kind and version netsim reads (Gateway, HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute,
ReferenceGrant), the CRDs' defaulting (parentRef and backendRef group, kind and namespace,
``allowedRoutes.namespaces.from: Same``), and every validation error as ``kubectl apply`` against
the CRDs of kubernetes-sigs/gateway-api (schemas and CEL rules) reports it, pinned exactly with its
position.
"""

from __future__ import annotations

import textwrap

import pytest

from netsim.errors import InputErrors, SourceSpan
from netsim.loader import LoadResult, load_texts
from netsim.model import BackendRef, Gateway, Labels, LabelSelector, Listener, ParentRef, ReferenceGrant, Route

GROUP = "gateway.networking.k8s.io"
SERVICE_PORT = 'Invalid value: "object": Must have port for Service reference'
SERVICE_PORT_HINT = "\n  hint: give the Service port: port: 80 (a port of the Service)"
LISTENER = "{name: http, port: 80, protocol: HTTP}"
BACKEND = "{name: web, port: 80}"


def obj(kind: str, spec: str, name: str = "web", version: str = "v1") -> str:
    """An object of namespace shop whose spec body (dedented) starts on line 7, column 3."""
    head = f"apiVersion: {GROUP}/{version}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ")


def gateway(listeners: str, name: str = "gw", version: str = "v1") -> str:
    """A Gateway of class example whose listeners list starts on line 8, column 14."""
    return obj("Gateway", f"gatewayClassName: example\nlisteners: {listeners}\n", name, version)


def http_route(spec: str, name: str = "web", version: str = "v1") -> str:
    return obj("HTTPRoute", spec, name, version)


def load(*texts: str) -> LoadResult:
    """Load the texts as files ``p0.yaml``, ``p1.yaml``, ...; fails the test on input errors."""
    return load_texts({f"p{i}.yaml": t for i, t in enumerate(texts)})


def errors(*texts: str) -> list[str]:
    """Every error of loading the texts, as printed (``p0.yaml:line:col: field: message``)."""
    with pytest.raises(InputErrors) as info:
        load(*texts)
    return [str(e) for e in info.value.exceptions]


def svc(name: str, port: int | None, namespace: str = "shop") -> BackendRef:
    return BackendRef(name, port, namespace)


def gw(name: str = "gw", namespace: str = "shop", section: str | None = None, port: int | None = None) -> ParentRef:
    return ParentRef(name, namespace, section, port)


# -- Gateway -----------------------------------------------------------------------------------------

FULL_GATEWAY = """\
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: edge
  namespace: infra
spec:
  gatewayClassName: example
  addresses: [{type: IPAddress, value: 192.0.2.1}]
  listeners:
  - name: http
    port: 80
    protocol: http
  - name: https
    hostname: "*.example.com"
    port: 443
    protocol: HTTPS
    tls: {mode: Terminate, certificateRefs: [{name: wildcard}]}
    allowedRoutes:
      namespaces: {from: All}
      kinds: [{kind: HTTPRoute}, {group: example.com, kind: WebRoute}]
  - name: tcp
    port: 5432
    protocol: TCP
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {gateway-access: "true"}}
  - name: grpc
    port: 9000
    protocol: example.com/grpc
    allowedRoutes: {kinds: [{group: gateway.networking.k8s.io, kind: GRPCRoute}]}
status:
  conditions: [{type: Programmed, status: "True"}]
  listeners: [{name: http, attachedRoutes: 3}]
"""


def test_a_gateway_reads_its_class_and_listeners_with_the_crd_defaults() -> None:
    result = load(FULL_GATEWAY)
    assert result.warnings == ()
    assert result.cluster.gateways == (
        Gateway(
            "infra",
            "edge",
            "example",
            (
                # a core protocol is case-insensitive (upper-cased); allowedRoutes defaults to Same
                Listener("http", "HTTP", 80),
                # a kind of another group keeps its group
                Listener("https", "HTTPS", 443, "All", None, ("HTTPRoute", "example.com/WebRoute")),
                Listener("tcp", "TCP", 5432, "Selector", LabelSelector(Labels({"gateway-access": "true"}))),
                Listener("grpc", "example.com/grpc", 9000, "Same", None, ("GRPCRoute",)),
            ),
        ),
    )
    (edge,) = result.cluster.gateways
    assert (edge.ref, edge.span) == ("infra/edge[Gateway]", SourceSpan("p0.yaml", 1, 1))
    assert [(n.name, n.declared) for n in result.cluster.namespaces] == [("infra", False)]


def test_a_v1beta1_gateway_and_a_gateway_list_load() -> None:
    text = (
        f"apiVersion: {GROUP}/v1beta1\nkind: GatewayList\nitems:\n"
        f"- metadata: {{name: a, namespace: shop}}\n  spec: {{gatewayClassName: c, listeners: [{LISTENER}]}}\n"
        f"- metadata: {{name: b, namespace: shop}}\n  spec: {{gatewayClassName: c, listeners: [{LISTENER}]}}\n"
    )
    assert [g.ref for g in load(text).cluster.gateways] == ["shop/a[Gateway]", "shop/b[Gateway]"]


def test_from_selector_without_a_selector_is_accepted_and_selects_no_namespace() -> None:
    text = gateway("[{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector}}}]")
    result = load(text)
    (listener,) = result.cluster.gateways[0].listeners
    assert (listener.routes_from, listener.routes_selector) == ("Selector", None)
    assert [str(w) for w in result.warnings] == [
        "p0.yaml:8:89: spec.listeners[0].allowedRoutes.namespaces.from: from: Selector without a selector: the "
        "API server accepts it, but the Gateway API requires one; read as allowing routes from no namespace"
    ]


def test_a_gateway_defined_twice_is_an_error() -> None:
    text = gateway(f"[{LISTENER}]")
    assert errors(text, text) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: Gateway 'shop/gw' is defined twice (first at p0.yaml:1:1)"
    ]


def listeners(count: int) -> str:
    return "[" + ", ".join(f"{{name: l{i}, port: {i + 1}, protocol: TCP}}" for i in range(count)) + "]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the spec: a class and 1 to 64 listeners
        pytest.param(
            obj("Gateway", "gatewayClassName: example\n"),
            ["p0.yaml:7:3: spec.listeners: Required value\n  hint: a Gateway has 1 to 64 listeners"],
            id="no-listeners",
        ),
        pytest.param(
            gateway("[]"),
            ["p0.yaml:8:14: spec.listeners: Invalid value: 0: spec.listeners in body should have at least 1 items"],
            id="empty-listeners",
        ),
        pytest.param(
            gateway(listeners(65)),
            ["p0.yaml:8:14: spec.listeners: Too many: 65: must have at most 64 items"],
            id="65-listeners",
        ),
        pytest.param(
            obj("Gateway", f"listeners: [{LISTENER}]\n"),
            ["p0.yaml:7:3: spec.gatewayClassName: Required value"],
            id="no-class",
        ),
        pytest.param(
            obj("Gateway", f"gatewayClassName: ''\nlisteners: [{LISTENER}]\n"),
            [
                'p0.yaml:7:21: spec.gatewayClassName: Invalid value: "": spec.gatewayClassName in body should be '
                "at least 1 chars long"
            ],
            id="empty-class",
        ),
        pytest.param(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\n",
            ["p0.yaml:1:1: spec: Required value"],
            id="no-spec",
        ),
        # a listener: name, port 1-65535 and protocol required
        pytest.param(
            gateway("[{name: http, port: 0, protocol: HTTP}]"),
            [
                "p0.yaml:8:34: spec.listeners[0].port: Invalid value: 0: spec.listeners[0].port in body should be "
                "greater than or equal to 1"
            ],
            id="port-0",
        ),
        pytest.param(
            gateway("[{name: http, port: 65536, protocol: HTTP}]"),
            [
                "p0.yaml:8:34: spec.listeners[0].port: Invalid value: 65536: spec.listeners[0].port in body should "
                "be less than or equal to 65535"
            ],
            id="port-65536",
        ),
        pytest.param(
            gateway("[{}]"),
            [
                "p0.yaml:8:15: spec.listeners[0].name: Required value",
                "p0.yaml:8:15: spec.listeners[0].port: Required value",
                "p0.yaml:8:15: spec.listeners[0].protocol: Required value",
            ],
            id="empty-listener",
        ),
        pytest.param(
            gateway("[{name: Web, port: 80, protocol: HTTP/2}]"),
            [
                'p0.yaml:8:22: spec.listeners[0].name: Invalid value: "Web": spec.listeners[0].name in body should '
                r"match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
                'p0.yaml:8:47: spec.listeners[0].protocol: Invalid value: "HTTP/2": spec.listeners[0].protocol in '
                r"body should match '^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?"
                r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$'",
            ],
            id="name-and-protocol-patterns",
        ),
        pytest.param(
            gateway("[{name: http, hostname: Shop.example.com, port: 80, protocol: HTTP}]"),
            [
                'p0.yaml:8:38: spec.listeners[0].hostname: Invalid value: "Shop.example.com": '
                r"spec.listeners[0].hostname in body should match '^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?"
                r"(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'"
            ],
            id="hostname",
        ),
        # the listeners' rules: a list-map keyed by name, and the CEL rules
        pytest.param(
            gateway("[{name: http, port: 80, protocol: HTTP}, {name: http, port: 8080, protocol: HTTP}]"),
            [
                'p0.yaml:8:14: spec.listeners: Invalid value: "array": Listener name must be unique within the Gateway',
                'p0.yaml:8:55: spec.listeners[1]: Duplicate value: map[string]interface {}{"name":"http"}',
            ],
            id="duplicate-names",
        ),
        pytest.param(
            gateway("[{name: a, port: 80, protocol: HTTP}, {name: b, port: 80, protocol: HTTP}]"),
            [
                'p0.yaml:8:14: spec.listeners: Invalid value: "array": Combination of port, protocol and hostname '
                "must be unique for each listener"
            ],
            id="same-port-protocol-and-hostname",
        ),
        pytest.param(
            gateway("[{name: a, port: 5432, protocol: tcp, hostname: db.example.com}]"),
            [
                'p0.yaml:8:14: spec.listeners: Invalid value: "array": hostname must not be specified for '
                "protocols ['TCP', 'UDP']"
            ],
            id="hostname-on-tcp",
        ),
        pytest.param(
            gateway("[{name: a, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Any}}}]"),
            [
                'p0.yaml:8:86: spec.listeners[0].allowedRoutes.namespaces.from: Unsupported value: "Any": '
                'supported values: "All", "Selector", "Same"'
            ],
            id="from",
        ),
        pytest.param(
            gateway("[{name: a, port: 80, protocol: HTTP, allowedRoutes: {kinds: [{group: example.com}]}}]"),
            ["p0.yaml:8:75: spec.listeners[0].allowedRoutes.kinds[0].kind: Required value"],
            id="route-kind",
        ),
    ],
)
def test_gateway_validation(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


# -- routes --------------------------------------------------------------------------------------------

FULL_HTTP_ROUTE = """\
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: shop
spec:
  parentRefs:
  - name: gw
  - {name: edge, namespace: infra, sectionName: https, port: 443}
  - {group: "", kind: Service, name: web}
  hostnames: [shop.example.com, "*.shop.example.com"]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: x, value: y}]}}]
    backendRefs:
    - {name: api, port: 8080, weight: 90}
    - {name: api-canary, port: 8080, weight: 10, filters: []}
  - backendRefs:
    - {name: legacy, namespace: legacy, port: 80}
    - {group: multicluster.x-k8s.io, kind: ServiceImport, name: remote}
  - matches: [{path: {type: Exact, value: /healthz}}]
status:
  parents: [{parentRef: {name: gw}, controllerName: example.com/gw, conditions: []}]
"""


def test_an_http_route_reads_its_parents_and_backends_with_the_crd_defaults() -> None:
    result = load(FULL_HTTP_ROUTE)
    assert result.warnings == ()
    (web,) = result.cluster.routes
    assert web == Route(
        "HTTPRoute",
        "shop",
        "web",
        (gw(), ParentRef("edge", "infra", "https", 443), ParentRef("web", "shop", kind="Service", group="")),
        (
            svc("api", 8080),
            svc("api-canary", 8080),
            # a cross-namespace backend is kept as written: a ReferenceGrant decides later
            svc("legacy", 80, "legacy"),
            # a backend of another kind needs no port
            BackendRef("remote", None, "shop", "ServiceImport", "multicluster.x-k8s.io"),
        ),
    )
    assert (web.ref, web.span) == ("shop/web[HTTPRoute]", SourceSpan("p0.yaml", 1, 1))
    assert web.backends[2].span == SourceSpan("p0.yaml", 19, 7)


@pytest.mark.parametrize(
    ("kind", "version", "spec"),
    [
        pytest.param("HTTPRoute", "v1beta1", f"parentRefs: [{{name: gw}}]\nrules: [{{backendRefs: [{BACKEND}]}}]\n"),
        pytest.param("GRPCRoute", "v1", f"parentRefs: [{{name: gw}}]\nrules: [{{backendRefs: [{BACKEND}]}}]\n"),
        pytest.param("TLSRoute", "v1alpha2", f"parentRefs: [{{name: gw}}]\nrules: [{{backendRefs: [{BACKEND}]}}]\n"),
        pytest.param(
            "TLSRoute",
            "v1alpha3",
            f"parentRefs: [{{name: gw}}]\nhostnames: [a.example.com]\nrules: [{{backendRefs: [{BACKEND}]}}]\n",
        ),
        pytest.param("TCPRoute", "v1alpha2", f"parentRefs: [{{name: gw}}]\nrules: [{{backendRefs: [{BACKEND}]}}]\n"),
        pytest.param("UDPRoute", "v1alpha2", f"parentRefs: [{{name: gw}}]\nrules: [{{backendRefs: [{BACKEND}]}}]\n"),
    ],
)
def test_every_route_kind_is_read(kind: str, version: str, spec: str) -> None:
    (route,) = load(obj(kind, spec, version=version)).cluster.routes
    assert route == Route(kind, "shop", "web", (gw(),), (svc("web", 80),))


def test_an_http_route_without_rules_or_parents_has_none() -> None:
    (route,) = load(http_route("hostnames: [a.example.com]\n")).cluster.routes
    assert (route.parents, route.backends) == ((), ())


def test_routes_of_two_kinds_may_share_a_name_but_one_route_is_defined_once() -> None:
    spec = f"rules: [{{backendRefs: [{BACKEND}]}}]\n"
    routes = load(http_route(spec), obj("GRPCRoute", spec)).cluster.routes
    assert [r.ref for r in routes] == ["shop/web[GRPCRoute]", "shop/web[HTTPRoute]"]
    assert errors(http_route(spec), http_route(spec)) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: HTTPRoute 'shop/web' is defined twice (first at p0.yaml:1:1)"
    ]


def parent_refs(count: int) -> str:
    return "parentRefs: [" + ", ".join(f"{{name: gw{i}}}" for i in range(count)) + "]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a backendRef to a Service needs its port (the CEL rule of BackendObjectReference)
        pytest.param(
            http_route("rules:\n- backendRefs: [{name: web}]\n"),
            [f"p0.yaml:8:19: spec.rules[0].backendRefs[0]: {SERVICE_PORT}{SERVICE_PORT_HINT}"],
            id="service-without-port",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [{group: '', kind: Service, name: web, namespace: db}]\n"),
            [f"p0.yaml:8:19: spec.rules[0].backendRefs[0]: {SERVICE_PORT}{SERVICE_PORT_HINT}"],
            id="explicit-service-without-port",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [{name: web, port: 0}]\n"),
            [
                "p0.yaml:8:37: spec.rules[0].backendRefs[0].port: Invalid value: 0: "
                "spec.rules[0].backendRefs[0].port in body should be greater than or equal to 1"
            ],
            id="port-0",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [{port: 80}]\n"),
            ["p0.yaml:8:19: spec.rules[0].backendRefs[0].name: Required value"],
            id="no-name",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [{name: web, namespace: Shop, port: 80}]\n"),
            [
                'p0.yaml:8:42: spec.rules[0].backendRefs[0].namespace: Invalid value: "Shop": '
                "spec.rules[0].backendRefs[0].namespace in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'"
            ],
            id="namespace",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [{kind: my/kind, name: web}]\n"),
            [
                'p0.yaml:8:26: spec.rules[0].backendRefs[0].kind: Invalid value: "my/kind": '
                "spec.rules[0].backendRefs[0].kind in body should match '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$'"
            ],
            id="kind",
        ),
        pytest.param(
            http_route("rules:\n- backendRefs: [" + ", ".join([BACKEND] * 17) + "]\n"),
            ["p0.yaml:8:18: spec.rules[0].backendRefs: Too many: 17: must have at most 16 items"],
            id="17-backend-refs",
        ),
        # the layer-4 routes: 1 to 16 rules, each with 1 to 16 backendRefs if it has any
        pytest.param(
            obj("TCPRoute", "parentRefs: [{name: gw}]\n", version="v1alpha2"),
            ["p0.yaml:7:3: spec.rules: Required value"],
            id="tcp-route-without-rules",
        ),
        pytest.param(
            obj("UDPRoute", "rules: []\n", version="v1alpha2"),
            ["p0.yaml:7:10: spec.rules: Invalid value: 0: spec.rules in body should have at least 1 items"],
            id="udp-route-with-no-rule",
        ),
        pytest.param(
            obj("TLSRoute", "rules: [{backendRefs: []}]\n", version="v1alpha2"),
            [
                "p0.yaml:7:25: spec.rules[0].backendRefs: Invalid value: 0: spec.rules[0].backendRefs in body "
                "should have at least 1 items"
            ],
            id="tls-route-with-no-backend-ref",
        ),
        pytest.param(
            obj("TLSRoute", f"rules: [{{backendRefs: [{BACKEND}]}}]\n", version="v1alpha3"),
            ["p0.yaml:7:3: spec.hostnames: Required value"],
            id="tls-route-v1alpha3-without-hostnames",
        ),
        # hostnames: precise or with a leading wildcard label
        pytest.param(
            http_route("hostnames: [a.example.com, '*.*.example.com', '']\n"),
            [
                'p0.yaml:7:30: spec.hostnames[1]: Invalid value: "*.*.example.com": spec.hostnames[1] in body '
                r"should match '^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
                'p0.yaml:7:49: spec.hostnames[2]: Invalid value: "": spec.hostnames[2] in body should be at least '
                "1 chars long",
            ],
            id="hostnames",
        ),
        # parentRefs: at most 32; two references to one parent set sectionName or port, to different values
        pytest.param(
            http_route(parent_refs(33)),
            ["p0.yaml:7:15: spec.parentRefs: Too many: 33: must have at most 32 items"],
            id="33-parent-refs",
        ),
        pytest.param(
            http_route("parentRefs: [{name: gw}, {name: gw, sectionName: http}]\n"),
            [
                'p0.yaml:7:15: spec.parentRefs: Invalid value: "array": sectionName or port must be specified when '
                "parentRefs includes 2 or more references to the same parent"
            ],
            id="same-parent-one-section",
        ),
        pytest.param(
            http_route("parentRefs: [{name: gw, sectionName: http}, {name: gw, sectionName: http}]\n"),
            [
                'p0.yaml:7:15: spec.parentRefs: Invalid value: "array": sectionName or port must be unique when '
                "parentRefs includes 2 or more references to the same parent"
            ],
            id="same-parent-same-section",
        ),
        pytest.param(
            http_route("parentRefs: [{sectionName: Http}]\n"),
            [
                "p0.yaml:7:16: spec.parentRefs[0].name: Required value",
                'p0.yaml:7:30: spec.parentRefs[0].sectionName: Invalid value: "Http": spec.parentRefs[0].sectionName '
                r"in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'",
            ],
            id="parent-ref",
        ),
        pytest.param(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\n",
            ["p0.yaml:1:1: spec: Required value"],
            id="no-spec",
        ),
    ],
)
def test_route_validation(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_references_to_one_parent_by_distinct_sections_or_ports_are_valid() -> None:
    spec = (
        "parentRefs:\n- {name: gw, sectionName: http}\n- {name: gw, sectionName: https}\n"
        "- {name: gw, namespace: infra}\n- {name: gw, kind: Other}\n"
    )
    (route,) = load(http_route(spec)).cluster.routes
    assert route.parents == (
        gw(section="http"),
        gw(section="https"),
        gw(namespace="infra"),
        ParentRef("gw", "shop", kind="Other"),
    )


# -- ReferenceGrant ------------------------------------------------------------------------------------

GRANT = """\
from:
- {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: shop}
- {group: gateway.networking.k8s.io, kind: TCPRoute, namespace: batch}
to:
- {group: "", kind: Service}
- {group: "", kind: Service, name: db}
"""


@pytest.mark.parametrize("version", ["v1beta1", "v1alpha2"])
def test_a_reference_grant_reads_from_and_to(version: str) -> None:
    (grant,) = load(obj("ReferenceGrant", GRANT, name="allow", version=version)).cluster.reference_grants
    assert grant == ReferenceGrant(
        "shop",
        "allow",
        ((GROUP, "HTTPRoute", "shop"), (GROUP, "TCPRoute", "batch")),
        (("", "Service", None), ("", "Service", "db")),
    )
    assert grant.span == SourceSpan("p0.yaml", 1, 1)


def test_a_reference_grant_without_a_spec_grants_nothing_and_one_grant_is_defined_once() -> None:
    text = f"apiVersion: {GROUP}/v1beta1\nkind: ReferenceGrant\nmetadata: {{name: none, namespace: shop}}\n"
    assert load(text).cluster.reference_grants == (ReferenceGrant("shop", "none", (), ()),)
    assert errors(text, text) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: ReferenceGrant 'shop/none' is defined twice "
        "(first at p0.yaml:1:1)"
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "to: [{group: '', kind: Service}]\n",
            ["p0.yaml:7:3: spec.from: Required value"],
            id="no-from",
        ),
        pytest.param(
            "from: [{group: '', kind: HTTPRoute}]\nto: []\n",
            [
                "p0.yaml:7:10: spec.from[0].namespace: Required value",
                "p0.yaml:8:7: spec.to: Invalid value: 0: spec.to in body should have at least 1 items",
            ],
            id="from-without-namespace-and-empty-to",
        ),
        pytest.param(
            "from: [{kind: HTTPRoute, namespace: shop}]\nto: [{group: '', name: db}]\n",
            [
                "p0.yaml:7:10: spec.from[0].group: Required value",
                "p0.yaml:8:8: spec.to[0].kind: Required value",
            ],
            id="group-and-kind-required",
        ),
    ],
)
def test_reference_grant_validation(spec: str, expected: list[str]) -> None:
    assert errors(obj("ReferenceGrant", spec, version="v1beta1")) == expected


# -- versions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "version", "supported"),
    [
        pytest.param("Gateway", "v1alpha2", '"gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"'),
        pytest.param("GRPCRoute", "v1alpha2", '"gateway.networking.k8s.io/v1"'),
        pytest.param("TCPRoute", "v1", '"gateway.networking.k8s.io/v1alpha2"'),
        pytest.param(
            "ReferenceGrant", "v1", '"gateway.networking.k8s.io/v1beta1", "gateway.networking.k8s.io/v1alpha2"'
        ),
    ],
)
def test_another_version_is_reported(kind: str, version: str, supported: str) -> None:
    assert errors(obj(kind, "{}\n", version=version)) == [
        f'p0.yaml:1:13: apiVersion: Unsupported value: "{GROUP}/{version}": supported values: {supported}'
    ]


def test_other_kinds_of_the_group_are_skipped() -> None:
    text = obj("GatewayClass", "controllerName: example.com/gw\n") + "---\n" + obj("BackendTLSPolicy", "x: 1\n")
    result = load(text)
    assert (result.cluster.gateways, result.cluster.routes, result.warnings) == ((), (), ())
