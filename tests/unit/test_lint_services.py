"""Lint rules about Services and Ingress (NP025-NP029): for each rule, a firing case with its exact
message and location, and the cases where it must stay quiet (including what the input leaves open).

Manifests are YAML text loaded with :func:`netsim.loader.load_texts`; the base cluster is
``tests/unit/test_lint.py``'s (shop/web declares http 8080/TCP, shop/db declares pg 5432/TCP).
"""

from __future__ import annotations

import pytest

from netsim.engine import PolicyIndex
from netsim.lint import RULES_BY_ID, Finding, LintConfig, Severity, lint
from netsim.loader import load_texts
from netsim.model import Options
from tests.unit.test_lint import (
    CLUSTER,
    DENY_INGRESS,
    cnp,
    egress_allow,
    ingress_allow,
    namespace,
    pod,
    policy,
)


def _where(finding: Finding) -> tuple[str, int, int]:
    """(file, line, column) of a finding, which always has a position here."""
    assert finding.span is not None
    return finding.span.path, finding.span.line, finding.span.column


def service(ref: str, selector: str, ports: str, extra: str = "") -> str:
    ns, name = ref.split("/")
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec:\n  selector: {{{selector}}}\n  ports: [{ports}]\n{extra}"
    )


def ingress(ref: str, backend: str, port: str = "{number: 80}") -> str:
    ns, name = ref.split("/")
    return (
        f"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec:\n  defaultBackend: {{service: {{name: {backend}, port: {port}}}}}\n"
    )


DB = service("shop/db", "app: db", "{port: 5432, targetPort: pg}", "  clusterIP: 10.96.0.30\n")
WEB = service("shop/web", "app: web", "{name: http, port: 80, targetPort: http}", "  clusterIP: 10.96.0.20\n")
WEB_INGRESS = ingress("shop/web", "web")


def findings(manifests: list[str], rule: str, options: Options | None = None) -> list[Finding]:
    texts = {f"m{i:02d}.yaml": text for i, text in enumerate([*CLUSTER, *manifests])}
    return [f for f in lint(PolicyIndex(load_texts(texts).cluster, options or Options())) if f.rule == rule]


def only(manifests: list[str], rule: str, options: Options | None = None) -> Finding:
    [found] = findings(manifests, rule, options)
    assert found.span is not None
    return found


def test_the_rules_are_registered() -> None:
    assert {i: RULES_BY_ID[i].name for i in ("NP025", "NP026", "NP027", "NP028", "NP029")} == {
        "NP025": "ipblock-covers-service-ip",
        "NP026": "service-port-not-target-port",
        "NP027": "service-no-backend",
        "NP028": "service-accepts-nothing",
        "NP029": "ingress-backend-denied",
    }


# -- NP025: an ipBlock over a Service address ---------------------------------------------------------------


def test_np025_fires_on_an_egress_block_over_a_clusterip() -> None:
    found = only([DB, egress_allow("shop/out", "{}", "- ipBlock: {cidr: 10.96.0.30/32}", "[{port: 5432}]")], "NP025")
    assert found.message == (
        "policy shop/out spec.egress[0].to[0]: ipBlock 10.96.0.30/32 covers the ClusterIP 10.96.0.30 of Service "
        "shop/db and no pod address of the input, but a connection to a Service address reaches policies as a "
        "connection to a backend pod on its targetPort, so this ipBlock never matches it"
    )
    assert found.hint == (
        "select the backend pods of Service shop/db instead: `to: [{podSelector: {matchLabels: {app: db}}}]` "
        "with `ports: [{port: pg}]` (the targetPort)"
    )
    assert found.severity is Severity.WARNING
    assert found.field == "spec.egress[0].to[0]"
    assert _where(found)[:2] == ("m08.yaml", 9)  # the ipBlock peer


def test_np025_fires_on_an_ingress_block_and_external_addresses() -> None:
    lb = service(
        "backend/lb", "app: api", "{port: 443, targetPort: 8443}", "  type: LoadBalancer\n  externalIPs: [192.0.2.7]\n"
    )
    found = only([lb, ingress_allow("shop/in", "{}", "- ipBlock: {cidr: 192.0.2.0/24}", "[]")], "NP025")
    assert found.message.startswith(
        "policy shop/in spec.ingress[0].from[0]: ipBlock 192.0.2.0/24 covers the external IP 192.0.2.7 of Service "
        "backend/lb and no pod address of the input, but no connection comes from a Service address"
    )


@pytest.mark.parametrize(
    "block",
    [
        "{cidr: 0.0.0.0/0}",  # "anywhere"
        "{cidr: 10.0.0.0/8}",  # also holds the pods' addresses: NP013's
        "{cidr: 10.96.0.0/16, except: [10.96.0.30/32]}",  # the ClusterIP is excepted
        "{cidr: 203.0.113.0/24}",  # no Service address
    ],
)
def test_np025_is_quiet(block: str) -> None:
    assert findings([DB, egress_allow("shop/out", "{}", f"- ipBlock: {block}", "[]")], "NP025") == []


# -- NP026: the Service's port instead of the targetPort -----------------------------------------------------


def test_np026_fires_at_the_port_entry() -> None:
    found = only(
        [WEB, ingress_allow("shop/in", "{matchLabels: {app: web}}", "- podSelector: {}", "[{port: 80}]")], "NP026"
    )
    assert found.message == (
        "policy shop/in spec.ingress[0].ports[0]: TCP 80 is the port of Service shop/web, but a connection through "
        "it reaches shop/web on targetPort http (TCP 8080), and policies match that port, not the Service's: this "
        "entry does not allow it"
    )
    assert found.hint == "name the backends' port: `{port: http}` (the Service's targetPort, or its number)"
    assert found.field == "spec.ingress[0].ports[0]"
    assert _where(found)[:2] == ("m08.yaml", 10)  # the port entry


def test_np026_fires_on_an_egress_rule_towards_the_backends() -> None:
    rule = egress_allow(
        "shop/out", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: db}}", "[{port: 15432}]"
    )
    numbered = service("shop/db", "app: db", "{port: 15432, targetPort: 5432}")
    found = only([numbered, rule], "NP026")
    assert "reaches shop/db on targetPort 5432" in found.message
    assert found.hint == "name the backends' port: `{port: 5432}` (the Service's targetPort)"


@pytest.mark.parametrize(
    "ports",
    [
        "[{port: http}]",  # the targetPort by name
        "[{port: 8080}]",  # by number
        "[{port: 80}, {port: 8080}]",  # the rule also names the targetPort
        "[{port: 80, protocol: UDP}]",  # another protocol
        "[{port: 1, endPort: 1024}]",  # a range is not written for the Service
    ],
)
def test_np026_is_quiet(ports: str) -> None:
    allow = ingress_allow("shop/in", "{matchLabels: {app: web}}", "- podSelector: {}", ports)
    assert findings([WEB, allow], "NP026") == []


def test_np026_is_quiet_when_the_pod_declares_the_service_port_or_the_service_is_headless() -> None:
    allow = ingress_allow("shop/in", "{matchLabels: {app: api}}", "- podSelector: {}", "[{port: 80}]")
    both = pod("shop/api", "app: api", "10.0.1.30", "{name: http, containerPort: 8080}, {containerPort: 80}")
    api = service("shop/api", "app: api", "{port: 80, targetPort: http}")
    assert findings([both, api, allow], "NP026") == []
    headless = service("shop/web", "app: web", "{port: 80, targetPort: http}", "  clusterIP: None\n")
    web_allow = ingress_allow("shop/in", "{matchLabels: {app: web}}", "- podSelector: {}", "[{port: 80}]")
    assert findings([headless, web_allow], "NP026") == []


# -- NP027: a Service that reaches no pod -------------------------------------------------------------------


def test_np027_fires_on_a_selector_that_selects_no_pod() -> None:
    found = only([service("shop/cache", "app: cache", "{port: 6379}")], "NP027")
    assert found.message == (
        "Service shop/cache: selector {app=cache} selects no pod of the input in namespace shop, so connections to "
        "it reach no backend"
    )
    assert found.hint == "fix the selector; the pods of shop carry: app=db; app=web"
    assert found.field == "spec.selector"
    assert found.severity is Severity.WARNING
    assert _where(found) == ("m07.yaml", 1, 1)


def test_np027_names_the_namespace_the_pods_are_in() -> None:
    found = only([service("shop/api", "app: api", "{port: 80}")], "NP027")
    assert found.hint.startswith("pods with these labels are in backend: a Service selects pods of its own namespace")


def test_np027_fires_on_a_named_target_port_no_backend_declares() -> None:
    found = only([service("shop/web", "app: web", "{name: http, port: 80, targetPort: web}")], "NP027")
    assert found.message == (
        "Service shop/web spec.ports[0] (http): targetPort 'web' is declared by none of its backends (shop/web), "
        "so this port sends traffic to no backend"
    )
    assert found.field == "spec.ports[0].targetPort"
    assert _where(found)[:2] == ("m07.yaml", 6)  # the Service port


def test_np027_fires_on_a_named_target_port_of_another_protocol() -> None:
    found = only([service("shop/web", "app: web", "{name: http, port: 80, targetPort: http, protocol: UDP}")], "NP027")
    assert found.message.startswith(
        "Service shop/web spec.ports[0] (http): targetPort 'http' is TCP 8080 on its backends (shop/web), but the "
        "Service port is UDP"
    )


@pytest.mark.parametrize(
    "manifest",
    [
        WEB,  # selects shop/web, which declares http
        service("shop/web", "app: web", "{port: 80, targetPort: 9999}"),  # a number: nothing to resolve
        service("tools/x", "app: x", "{port: 80}"),  # no pod of tools in the input
        "apiVersion: v1\nkind: Service\nmetadata: {name: ext, namespace: shop}\nspec:\n  ports: [{port: 80}]\n",
    ],
)
def test_np027_is_quiet(manifest: str) -> None:
    assert findings([manifest], "NP027") == []


# -- NP028: a Service port that every backend refuses ----------------------------------------------------------


def test_np028_fires_when_every_backend_refuses_the_target_port() -> None:
    wrong_port = ingress_allow("shop/in", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: 5433}]")
    found = only([DENY_INGRESS, DB, wrong_port], "NP028")
    assert found.message == (
        "Service shop/db spec.ports[0] (5432/TCP): every backend is isolated for ingress and none of their ingress "
        "rules allows TCP 5432 (the targetPort), so no client can connect through this port: shop/db"
    )
    assert found.hint == (
        "allow ingress to the backends from their clients on the targetPort: a rule with `from: [...]` and "
        "`ports: [{port: pg}]` in a policy of shop that selects them"
    )
    assert found.field == "spec.ports[0]"
    assert _where(found)[:2] == ("m08.yaml", 6)  # the Service port


@pytest.mark.parametrize(
    "manifests",
    [
        [DB],  # not isolated
        [DENY_INGRESS, DB, ingress_allow("shop/in", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: pg}]")],
        # a rule allows the port from a peer the input may not have: not "from anywhere"
        [DENY_INGRESS, DB, ingress_allow("shop/in", "{}", "- namespaceSelector: {matchLabels: {x: y}}", "[]")],
        # a policy netsim does not evaluate may let it in
        [DENY_INGRESS, DB, cnp("shop/l7", "{app: db}")],
    ],
)
def test_np028_is_quiet(manifests: list[str]) -> None:
    assert findings(manifests, "NP028") == []


def test_np028_is_quiet_when_one_backend_accepts() -> None:
    db2 = pod("shop/db2", "app: db", "10.0.1.21", "{name: pg, containerPort: 5433}")
    allow = ingress_allow("shop/in", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: 5433}]")
    assert findings([db2, DENY_INGRESS, DB, allow], "NP028") == []


# -- NP029: an Ingress whose backends refuse the ingress controller ---------------------------------------------


def test_np029_fires_when_no_rule_admits_any_pod() -> None:
    found = only([DENY_INGRESS, WEB, WEB_INGRESS], "NP029")
    assert found.message == (
        "Ingress shop/web: the ingress controller ({ingress-controller}) cannot reach its backend shop/web "
        "(TCP 8080): it is isolated for ingress and no ingress rule allows TCP 8080 there from any pod"
    )
    assert found.hint == (
        "allow ingress to the backend from the proxy's pods on TCP 8080: a rule with `from: [{namespaceSelector: "
        "{matchLabels: {kubernetes.io/metadata.name: <its namespace>}}}]`"
    )
    assert found.severity is Severity.ERROR
    assert found.subject == "Ingress shop/web"
    assert _where(found) == ("m09.yaml", 1, 1)  # the Ingress


def test_np029_fires_for_a_gateway_route() -> None:
    gateway = (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: shop}\n"
        "spec:\n  gatewayClassName: x\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n"
    )
    route = (
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web, namespace: shop}\n"
        "spec:\n  parentRefs: [{name: gw}]\n  rules: [{backendRefs: [{name: web, port: 80}]}]\n"
    )
    found = only([DENY_INGRESS, WEB, gateway, route], "NP029")
    assert found.message.startswith(
        "HTTPRoute shop/web: the gateway's pods ({gateway shop/gw}) cannot reach its backend shop/web (TCP 8080)"
    )


def test_np029_says_may_when_a_policy_netsim_does_not_evaluate_decides() -> None:
    found = only([WEB, WEB_INGRESS, cnp("shop/l7", "{app: web}")], "NP029")
    assert found.message.startswith(
        "Ingress shop/web: whether the ingress controller ({ingress-controller}) reaches its backend shop/web "
        "(TCP 8080) is undetermined (CiliumNetworkPolicy shop/l7"
    )
    assert found.severity is Severity.WARNING
    assert found.hint.startswith("to decide it, check CiliumNetworkPolicy shop/l7 by hand")


@pytest.mark.parametrize(
    "source",
    [
        "- namespaceSelector: {}",  # every namespace: allowed for certain
        # the controller's namespace and labels are unknown: these may admit it, so lint stays quiet
        "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}",
        "- namespaceSelector: {matchLabels: {team: edge}}",
        "- podSelector: {matchLabels: {app: nginx}}",
        "- ipBlock: {cidr: 10.0.0.0/8}",
    ],
)
def test_np029_is_quiet_when_the_controller_is_or_may_be_admitted(source: str) -> None:
    allow = ingress_allow("shop/in", "{matchLabels: {app: web}}", source, "[{port: http}]")
    assert findings([DENY_INGRESS, WEB, WEB_INGRESS, allow], "NP029") == []


def test_np029_is_quiet_without_isolation_or_without_a_service() -> None:
    assert findings([WEB, WEB_INGRESS], "NP029") == []
    assert findings([DENY_INGRESS, ingress("shop/web", "missing")], "NP029") == []


def test_np029_counts_only_the_ports_the_ingress_sends() -> None:
    other_port = ingress_allow("shop/in", "{matchLabels: {app: web}}", "- namespaceSelector: {}", "[{port: 9090}]")
    assert len(findings([DENY_INGRESS, WEB, WEB_INGRESS, other_port], "NP029")) == 1


def test_the_rules_are_quiet_without_services() -> None:
    manifests = [namespace("tools"), DENY_INGRESS, policy("shop/p", "podSelector: {}\npolicyTypes: [Ingress]")]
    for rule in ("NP025", "NP026", "NP027", "NP028", "NP029"):
        assert findings(manifests, rule) == []


# -- NP029 with the controller's pods named (--ingress-pod) ---------------------------------------------


NGINX_NS = namespace("ingress-nginx", "kubernetes.io/metadata.name: ingress-nginx")
NGINX = pod("ingress-nginx/controller-0", "app: nginx", "10.0.9.9")


def with_proxy(manifests: list[str]) -> list[Finding]:
    texts = {f"m{i:02d}.yaml": text for i, text in enumerate([*CLUSTER, NGINX_NS, NGINX, *manifests])}
    index = PolicyIndex(load_texts(texts).cluster, Options())
    proxy = next(p for p in index.cluster.pods if p.ref == "ingress-nginx/controller-0")
    return [f for f in lint(index, LintConfig(ingress_pods=(proxy,))) if f.rule == "NP029"]


def test_np029_with_the_controllers_pods_fires_when_a_rule_admits_other_pods_only() -> None:
    # a rule admits pods labelled app=nginx of a namespace team=edge: the controller's namespace is
    # not one; without --ingress-pod lint could not tell and stayed quiet
    allow = ingress_allow(
        "shop/in", "{matchLabels: {app: web}}", "- namespaceSelector: {matchLabels: {team: edge}}", "[{port: http}]"
    )
    assert findings([DENY_INGRESS, WEB, WEB_INGRESS, allow], "NP029") == []
    [found] = with_proxy([DENY_INGRESS, WEB, WEB_INGRESS, allow])
    assert found.message == (
        "Ingress shop/web: the ingress controller (ingress-nginx/controller-0) cannot reach its backend shop/web "
        "(TCP 8080): it is isolated for ingress and no ingress rule allows TCP 8080 there from those pods"
    )
    assert found.severity is Severity.ERROR


def test_np029_with_the_controllers_pods_is_quiet_when_a_rule_admits_them() -> None:
    allow = ingress_allow(
        "shop/in",
        "{matchLabels: {app: web}}",
        "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}",
        "[{port: http}]",
    )
    assert with_proxy([DENY_INGRESS, WEB, WEB_INGRESS, allow]) == []
