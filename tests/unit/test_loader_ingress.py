"""netsim.loader: ``networking.k8s.io/v1`` Ingress and OpenShift's ``route.openshift.io/v1`` Route.

Every field read into the model (backends in the object's namespace, ports by number or name, the
Route's targetPort on every backend), what is left out (resource backends, hosts, TLS), and every
validation error as the API server reports it (kubernetes ``pkg/apis/networking/validation``
``ValidateIngressCreate``; openshift/library-go ``pkg/route/validation`` ``ValidateRoute``), pinned
exactly with its position. The netpol-analyzer cases with Ingresses and Routes load, and a bad
Ingress makes ``netsim check`` exit 2.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.errors import InputErrors, SourceSpan
from netsim.loader import LoadResult, load_cluster, load_texts
from netsim.model import BackendRef, Ingress, Route
from tests.peer.cases import INGRESS, INGRESS_CASES, INGRESS_EXPLAIN_ONLY, cases_of

SUBDOMAIN_REGEX = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS1035_REGEX = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
WILDCARD_REGEX = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist "
    "of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. "
    "'*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
    "[a-z0-9])?)*')"
)
PATH_TYPE_HINT = "\n  hint: write pathType: Prefix (or Exact, or ImplementationSpecific)"
PORT_HINT = "\n  hint: write service.port.number (a port of the Service) or service.port.name"


def ingress(spec: str, name: str = "web", api: str = "networking.k8s.io/v1") -> str:
    """An Ingress of namespace shop whose spec body (dedented) starts on line 7, column 3."""
    head = f"apiVersion: {api}\nkind: Ingress\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ")


def route(spec: str, name: str = "web", api: str = "route.openshift.io/v1") -> str:
    """An OpenShift Route of namespace shop whose spec body starts on line 7, column 3."""
    head = f"apiVersion: {api}\nkind: Route\nmetadata:\n  name: {name}\n  namespace: shop\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ")


#: one path to Service web port 80, as a rule's paths list it
PATH = "- {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}\n"


def one_path(path: str) -> str:
    """An Ingress with one rule and one path, written ``path`` (a flow mapping on line 10, column 9)."""
    return ingress(f"rules:\n- http:\n    paths:\n    - {path}\n")


def load(*texts: str) -> LoadResult:
    """Load the texts as files ``p0.yaml``, ``p1.yaml``, ...; fails the test on input errors."""
    return load_texts({f"p{i}.yaml": t for i, t in enumerate(texts)})


def errors(*texts: str) -> list[str]:
    """Every error of loading the texts, as printed (``p0.yaml:line:col: field: message``)."""
    with pytest.raises(InputErrors) as info:
        load(*texts)
    return [str(e) for e in info.value.exceptions]


def svc(name: str, port: int | str | None, namespace: str = "shop") -> BackendRef:
    return BackendRef(name, port, namespace)


# -- Ingress: what is read -------------------------------------------------------------------------

FULL_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}
  managedFields: [{manager: kubectl, operation: Update}]
spec:
  ingressClassName: nginx
  defaultBackend:
    service: {name: fallback, port: {name: http}}
  tls: [{hosts: [shop.example.com], secretName: shop-tls}]
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /api
        pathType: Prefix
        backend: {service: {name: api, port: {number: 8080}}}
      - path: /static/logo.png
        pathType: Exact
        backend: {resource: {apiGroup: k8s.example.com, kind: StorageBucket, name: static}}
  - host: "*.shop.example.com"
    http:
      paths:
      - pathType: ImplementationSpecific
        backend: {service: {name: web, port: {number: 80}}}
  - host: bare.example.com
status:
  loadBalancer: {ingress: [{ip: 192.0.2.10}]}
"""


def test_an_ingress_reads_its_service_backends_in_its_namespace() -> None:
    result = load(FULL_INGRESS)
    assert result.warnings == ()
    assert result.cluster.ingresses == (
        Ingress(
            "shop",
            "shop",
            # the default backend, then each path in order; the resource backend is no Service
            (svc("fallback", "http"), svc("api", 8080), svc("web", 80)),
            "nginx",
        ),
    )
    (ing,) = result.cluster.ingresses
    assert ing.ref == "shop/shop[Ingress]"
    assert ing.span == SourceSpan("p0.yaml", 1, 1)
    assert [b.span for b in ing.backends] == [
        SourceSpan("p0.yaml", 11, 5),
        SourceSpan("p0.yaml", 19, 18),
        SourceSpan("p0.yaml", 27, 18),
    ]
    # its namespace is known by its name
    assert [(n.name, n.declared) for n in result.cluster.namespaces] == [("shop", False)]


def test_an_ingress_takes_the_default_namespace_and_needs_no_class() -> None:
    text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  rules:\n  - http:\n"
    text += "      paths:\n      " + PATH
    (ing,) = load(text).cluster.ingresses
    assert ing == Ingress("default", "web", (svc("web", 80, "default"),), None)


def test_rules_without_http_and_a_default_backend_alone_are_valid() -> None:
    only_default = ingress("defaultBackend: {service: {name: web, port: {number: 80}}}\n")
    only_hosts = ingress("rules: [{host: a.example.com}, {host: b.example.com}]\n", name="hosts")
    ingresses = load(only_default, only_hosts).cluster.ingresses
    assert [(i.name, i.backends) for i in ingresses] == [("hosts", ()), ("web", (svc("web", 80),))]


def test_the_items_of_an_ingress_list_may_omit_kind_and_api_version() -> None:
    text = (
        "apiVersion: networking.k8s.io/v1\nkind: IngressList\nitems:\n"
        "- metadata: {name: a, namespace: shop}\n  spec: {defaultBackend: {service: {name: a, port: {number: 1}}}}\n"
        "- metadata: {name: b, namespace: shop}\n  spec: {defaultBackend: {service: {name: b, port: {number: 2}}}}\n"
    )
    assert [(i.name, i.backends) for i in load(text).cluster.ingresses] == [
        ("a", (svc("a", 1),)),
        ("b", (svc("b", 2),)),
    ]


def test_an_ingress_defined_twice_is_an_error() -> None:
    text = ingress("defaultBackend: {service: {name: web, port: {number: 80}}}\n")
    assert errors(text, text) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: Ingress 'shop/web' is defined twice (first at p0.yaml:1:1)"
    ]


# -- Ingress: validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a backend: a service with a port number or a port name, exactly one of them
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80, name: http}}}}"),
            [
                'p0.yaml:10:46: spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port '
                "name & port number\n  hint: keep port.number or port.name"
            ],
            id="port-number-and-name",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: web}}}"),
            [
                "p0.yaml:10:46: spec.rules[0].http.paths[0].backend: Required value: port name or number is "
                "required" + PORT_HINT
            ],
            id="no-port",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 0}}}}"),
            [
                "p0.yaml:10:46: spec.rules[0].http.paths[0].backend: Required value: port name or number is "
                "required" + PORT_HINT
            ],
            id="port-number-0-is-no-port",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 70000}}}}"),
            [
                "p0.yaml:10:83: spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: "
                "must be between 1 and 65535, inclusive"
            ],
            id="port-number-out-of-range",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: web, port: {name: HTTP}}}}"),
            [
                'p0.yaml:10:81: spec.rules[0].http.paths[0].backend.service.port.name: Invalid value: "HTTP": '
                "must contain at least one letter (a-z)",
                'p0.yaml:10:81: spec.rules[0].http.paths[0].backend.service.port.name: Invalid value: "HTTP": '
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
            ],
            id="port-name",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {port: {number: 80}}}}"),
            ["p0.yaml:10:56: spec.rules[0].http.paths[0].backend.service.name: Required value"],
            id="no-service-name",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {service: {name: 1web, port: {number: 80}}}}"),
            [
                'p0.yaml:10:63: spec.rules[0].http.paths[0].backend.service.name: Invalid value: "1web": '
                + DNS1035_REGEX
            ],
            id="service-name-is-a-dns-1035-label",
        ),
        pytest.param(
            one_path(
                "{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}, "
                "resource: {kind: Bucket, name: b}}}"
            ),
            [
                'p0.yaml:10:46: spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource '
                "and service backends"
            ],
            id="service-and-resource",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {}}"),
            [
                'p0.yaml:10:46: spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend '
                "is required"
            ],
            id="empty-backend",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix}"),
            [
                'p0.yaml:10:9: spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend '
                "is required"
            ],
            id="no-backend",
        ),
        pytest.param(
            one_path("{path: /, pathType: Prefix, backend: {resource: {apiGroup: Example.com, name: a/b}}}"),
            [
                "p0.yaml:10:57: spec.rules[0].http.paths[0].backend.resource.kind: Required value",
                "p0.yaml:10:68: spec.rules[0].http.paths[0].backend.resource.apiGroup: Invalid value: "
                f'"Example.com": {SUBDOMAIN_REGEX}',
                'p0.yaml:10:87: spec.rules[0].http.paths[0].backend.resource.name: Invalid value: "a/b": may not '
                "contain '/'",
            ],
            id="resource-backend",
        ),
        # paths: pathType is required (v1 has no default); Exact and Prefix paths are absolute
        pytest.param(
            one_path("{path: /, backend: {service: {name: web, port: {number: 80}}}}"),
            [
                "p0.yaml:10:9: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"
                + PATH_TYPE_HINT
            ],
            id="no-path-type",
        ),
        pytest.param(
            one_path("{path: api, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}"),
            ['p0.yaml:10:16: spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
            id="relative-prefix",
        ),
        pytest.param(
            one_path("{pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}"),
            ['p0.yaml:10:9: spec.rules[0].http.paths[0].path: Invalid value: "": must be an absolute path'],
            id="exact-without-path",
        ),
        pytest.param(
            one_path(
                "{path: api, pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}"
            ),
            ['p0.yaml:10:16: spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path'],
            id="relative-implementation-specific",
        ),
        pytest.param(
            one_path("{path: /a//b/.., pathType: Exact, backend: {service: {name: web, port: {number: 80}}}}"),
            [
                "p0.yaml:10:16: spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": cannot end with '/..'",
                "p0.yaml:10:16: spec.rules[0].http.paths[0].path: Invalid value: \"/a//b/..\": must not contain '//'",
            ],
            id="path-sequences",
        ),
        pytest.param(
            one_path("{path: /, pathType: prefix, backend: {service: {name: web, port: {number: 80}}}}"),
            [
                'p0.yaml:10:29: spec.rules[0].http.paths[0].pathType: Unsupported value: "prefix": supported '
                'values: "Exact", "ImplementationSpecific", "Prefix"'
            ],
            id="path-types-are-case-sensitive",
        ),
        pytest.param(
            ingress("rules:\n- http: {}\n"),
            ["p0.yaml:8:11: spec.rules[0].http.paths: Required value"],
            id="http-without-paths",
        ),
        # the spec: at least a default backend or one rule
        pytest.param(
            ingress("ingressClassName: nginx\n"),
            [
                "p0.yaml:7:3: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or "
                "`rules` must be specified"
            ],
            id="no-rules",
        ),
        pytest.param(
            ingress("rules: []\n"),
            [
                "p0.yaml:7:3: spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or "
                "`rules` must be specified"
            ],
            id="empty-rules",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web}\n",
            [
                "p0.yaml:1:1: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or "
                "`rules` must be specified"
            ],
            id="no-spec",
        ),
        # hosts: DNS names, a wildcard only as the first label
        pytest.param(
            ingress(
                "rules:\n- host: 192.0.2.1\n- host: Shop.example.com\n- host: '*.*.example.com'\n- host: a.*.com\n"
            ),
            [
                'p0.yaml:8:11: spec.rules[0].host: Invalid value: "192.0.2.1": must be a DNS name, not an IP address',
                f'p0.yaml:9:11: spec.rules[1].host: Invalid value: "Shop.example.com": {SUBDOMAIN_REGEX}',
                f'p0.yaml:10:11: spec.rules[2].host: Invalid value: "*.*.example.com": {WILDCARD_REGEX}',
                f'p0.yaml:11:11: spec.rules[3].host: Invalid value: "a.*.com": {WILDCARD_REGEX}',
            ],
            id="hosts",
        ),
        # the class: an IngressClass name, which the old annotation must match
        pytest.param(
            ingress("ingressClassName: Nginx\ndefaultBackend: {service: {name: web, port: {number: 80}}}\n"),
            [f'p0.yaml:7:21: spec.ingressClassName: Invalid value: "Nginx": {SUBDOMAIN_REGEX}'],
            id="class-name",
        ),
        pytest.param(
            ingress("ingressClassName: nginx\ndefaultBackend: {service: {name: web, port: {number: 80}}}\n").replace(
                "  name: web\n", "  name: web\n  annotations: {kubernetes.io/ingress.class: traefik}\n"
            ),
            [
                'p0.yaml:5:46: annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match '
                "`ingressClassName` when both are specified"
            ],
            id="class-annotation",
        ),
        pytest.param(
            ingress("defaultBackend: {service: {name: web, port: {number: 80}}}\n", name="Web"),
            [f'p0.yaml:4:9: metadata.name: Invalid value: "Web": {SUBDOMAIN_REGEX}'],
            id="name",
        ),
    ],
)
def test_ingress_validation(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_every_error_of_an_ingress_is_reported_and_the_ingress_is_not_recorded() -> None:
    text = ingress(
        "rules:\n- host: 10.0.0.1\n  http:\n    paths:\n"
        "    - {path: a, pathType: Exact, backend: {service: {name: web}}}\n"
        "    - {backend: {service: {name: web, port: {number: 80}}}}\n"
    )
    assert errors(text) == [
        'p0.yaml:8:11: spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
        'p0.yaml:11:16: spec.rules[0].http.paths[0].path: Invalid value: "a": must be an absolute path',
        "p0.yaml:11:45: spec.rules[0].http.paths[0].backend: Required value: port name or number is required"
        + PORT_HINT,
        "p0.yaml:12:9: spec.rules[0].http.paths[1].pathType: Required value: pathType must be specified"
        + PATH_TYPE_HINT,
    ]


@pytest.mark.parametrize("api", ["extensions/v1beta1", "networking.k8s.io/v1beta1"])
def test_the_removed_ingress_versions_are_reported(api: str) -> None:
    text = ingress("backend: {serviceName: web, servicePort: 80}\n", api=api)
    assert errors(text) == [
        f'p0.yaml:1:13: apiVersion: Unsupported value: "{api}": supported values: "networking.k8s.io/v1"\n'
        "  hint: Kubernetes 1.22 removed this version: write apiVersion: networking.k8s.io/v1, with pathType on "
        "every path and backend: {service: {name: ..., port: {number: ...}}}"
    ]


def test_an_ingress_of_another_api_group_is_skipped() -> None:
    # Knative's internal Ingress is not Kubernetes'
    text = ingress("rules: 1\n", api="networking.internal.knative.dev/v1alpha1")
    result = load(text)
    assert (result.cluster.ingresses, result.warnings) == ((), ())


# -- OpenShift Route -------------------------------------------------------------------------------

FULL_ROUTE = """\
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: web
  namespace: shop
spec:
  host: www.example.com
  path: /
  port: {targetPort: http}
  to: {kind: Service, name: web, weight: 90}
  alternateBackends:
  - {name: web-canary, weight: 10}
  - {kind: Service, name: web-next, weight: 0}
  tls: {termination: edge}
  wildcardPolicy: None
status:
  ingress: [{host: www.example.com, routerName: default}]
"""


def test_a_route_reads_its_services_with_the_target_port() -> None:
    result = load(FULL_ROUTE)
    assert result.warnings == ()
    (web,) = result.cluster.routes
    assert web == Route(
        "Route", "shop", "web", (), (svc("web", "http"), svc("web-canary", "http"), svc("web-next", "http"))
    )
    assert web.ref == "shop/web[Route]"
    assert [b.span for b in web.backends] == [
        SourceSpan("p0.yaml", 10, 7),
        SourceSpan("p0.yaml", 12, 5),
        SourceSpan("p0.yaml", 13, 5),
    ]


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        pytest.param("port: {targetPort: 8080}\n", 8080, id="number"),
        pytest.param("port: {targetPort: first-port}\n", "first-port", id="name"),
        pytest.param('port: {targetPort: "8080"}\n', "8080", id="a-quoted-number-is-a-name"),
        pytest.param("", None, id="no-port-every-port-of-the-service"),
    ],
)
def test_a_route_target_port_is_a_number_or_a_name(port: str, expected: int | str | None) -> None:
    (web,) = load(route(port + "to: {name: web}\n")).cluster.routes
    assert web.backends == (svc("web", expected),)


def test_routes_and_gateway_api_routes_of_one_name_do_not_collide() -> None:
    http_route = (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: shop}\nspec: {}\n"
    )
    text = route("to: {name: web}\n")
    assert [r.ref for r in load(text, http_route).cluster.routes] == ["shop/web[HTTPRoute]", "shop/web[Route]"]
    assert errors(text, text) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: Route 'shop/web' is defined twice (first at p0.yaml:1:1)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(route("host: www.example.com\n"), ["p0.yaml:7:3: spec.to.name: Required value"], id="no-to"),
        pytest.param(route("to: {kind: Service}\n"), ["p0.yaml:7:7: spec.to.name: Required value"], id="no-name"),
        pytest.param(
            route("to: {kind: Deployment, name: web}\n"),
            ['p0.yaml:7:14: spec.to.kind: Invalid value: "Deployment": must reference a Service'],
            id="not-a-service",
        ),
        pytest.param(
            route("to: {name: web, weight: 300}\n"),
            ["p0.yaml:7:27: spec.to.weight: Invalid value: 300: weight must be an integer between 0 and 256"],
            id="weight",
        ),
        pytest.param(
            route("to: {name: a}\nalternateBackends: [{name: b}, {name: c}, {name: d}, {name: e}]\n"),
            ["p0.yaml:8:22: spec.alternateBackends: Required value: cannot specify more than 3 alternate backends"],
            id="four-alternate-backends",
        ),
        pytest.param(
            route("to: {name: a}\nalternateBackends: [{kind: ConfigMap}]\n"),
            [
                "p0.yaml:8:23: spec.alternateBackends[0].name: Required value",
                'p0.yaml:8:30: spec.alternateBackends[0].kind: Invalid value: "ConfigMap": must reference a Service',
            ],
            id="alternate-backend",
        ),
        pytest.param(
            route("port: {targetPort: 0}\nto: {name: web}\n"),
            ["p0.yaml:7:22: spec.port.targetPort: Required value"],
            id="target-port-0",
        ),
        pytest.param(
            route("port: {}\nto: {name: web}\n"),
            ["p0.yaml:7:9: spec.port.targetPort: Required value"],
            id="port-without-target-port",
        ),
        pytest.param(
            route("port: {targetPort: [80]}\nto: {name: web}\n"),
            ["p0.yaml:7:22: spec.port.targetPort: Invalid type: expected an integer or a port name, got a list"],
            id="target-port-type",
        ),
        pytest.param(
            route("to: {name: web}\n", name="Web"),
            [f'p0.yaml:4:9: metadata.name: Invalid value: "Web": {SUBDOMAIN_REGEX}'],
            id="name",
        ),
        pytest.param(
            route("to: {name: web}\n", api="route.openshift.io/v2"),
            [
                'p0.yaml:1:13: apiVersion: Unsupported value: "route.openshift.io/v2": supported values: '
                '"route.openshift.io/v1"'
            ],
            id="api-version",
        ),
    ],
)
def test_route_validation(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


# -- the peer's inputs and the command line --------------------------------------------------------


def test_the_ingresses_and_routes_of_the_netpol_analyzer_cases_load() -> None:
    """Every Ingress and Route of the 12 cases is valid (their Services are another family's)."""
    cases = cases_of(INGRESS)
    ingresses: list[Ingress] = []
    routes: list[Route] = []
    folders = [cases.input(INGRESS, c) for c in INGRESS_CASES]
    folders += [cases.input(INGRESS, c, explain_only=True) for c in INGRESS_EXPLAIN_ONLY]
    for case in folders:
        files = [str(f) for f in sorted(case.rglob("*.yaml")) if _declares(f, ("kind: Ingress", "kind: Route"))]
        cluster = load_cluster(files).cluster
        ingresses.extend(cluster.ingresses)
        routes.extend(cluster.routes)
    assert (len(ingresses), len(routes)) == (10, 11)
    ports = {(r.namespace, r.name, b.port) for r in routes for b in r.backends}
    assert ("routes-world", "route-1", "first-port") in ports
    assert ("routes-world", "route-2", 8090) in ports
    assert ("frontend", "webapp", None) in ports  # acs_security_frontend_demos: no spec.port
    assert {b.port for i in ingresses for b in i.backends} == {8000, 8050, 8080, 8090, 9080}


def _declares(path: Path, lines: tuple[str, ...]) -> bool:
    text = path.read_text(encoding="utf-8")
    return any(line in text for line in lines)


BAD_INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  rules:
  - http:
      paths:
      - path: /
        backend: {service: {name: web, port: {number: 80}}}
"""


def test_a_bad_ingress_makes_check_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ingress.yaml").write_text(BAD_INGRESS, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "ingress.yaml", "--from", "a", "--to", "b", "--port", "80"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: ingress.yaml:8:9: spec.rules[0].http.paths[0].pathType: Required value: pathType must be "
        "specified\n  hint: write pathType: Prefix (or Exact, or ImplementationSpecific)\n"
        "netsim: 1 input error; nothing was evaluated\n"
    )
