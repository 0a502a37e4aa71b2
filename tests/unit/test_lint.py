"""Lint rules, one table: for every rule a manifest set where it fires and one where it does not.

Manifests are YAML text loaded with :func:`netsim.loader.load_texts`, so spans, defaulting and
the ``egress:`` key are what a user's files give. Each case runs *every* rule and looks only at
the findings of the rule under test, so a rule that fires where another one should is caught too.

The base cluster: namespace ``shop`` with web (app=web, declares http 8080/TCP) and db (app=db,
declares pg 5432/TCP), namespace ``backend`` with api (app=api), and the cluster DNS pod
``kube-system/coredns`` (k8s-app=kube-dns, dns 53/UDP and dns-tcp 53/TCP).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from netsim.engine import PolicyIndex
from netsim.errors import SourceSpan
from netsim.lint import RULES, RULES_BY_ID, DnsTarget, Finding, LintConfig, LintRule, Severity, lint, unknown_rules
from netsim.loader import load_texts
from netsim.model import Labels, LabelSelector, Options
from netsim.render.lint import findings_text, summary


def namespace(name: str, labels: str = "") -> str:
    return f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: {name}, labels: {{{labels}}}}}\n"


def pod(ref: str, labels: str, ip: str, ports: str = "", *, host_network: bool = False) -> str:
    ns, name = ref.split("/")
    return (
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {ns}, labels: {{{labels}}}}}\n"
        f"spec:\n  hostNetwork: {'true' if host_network else 'false'}\n"
        f"  containers:\n    - name: main\n      ports: [{ports}]\n"
        f"status: {{podIP: {ip}}}\n"
    )


def policy(ref: str, spec: str) -> str:
    """A NetworkPolicy; ``spec`` is the YAML under ``spec:``, unindented."""
    ns, name = ref.split("/")
    body = "".join(f"  {line}\n" for line in spec.strip("\n").splitlines())
    head = f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\n"
    return f"{head}spec:\n{body}"


CLUSTER = [
    namespace("shop", "team: shop"),
    namespace("backend"),
    namespace("kube-system"),
    pod("shop/web", "app: web", "10.0.1.10", "{name: http, containerPort: 8080}"),
    pod("shop/db", "app: db", "10.0.1.20", "{name: pg, containerPort: 5432}"),
    pod("backend/api", "app: api", "10.0.2.10", "{name: http, containerPort: 8080}"),
    pod(
        "kube-system/coredns",
        "k8s-app: kube-dns",
        "10.0.0.10",
        "{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}",
    ),
]

DENY_ALL = policy("shop/deny-all", "podSelector: {}\npolicyTypes: [Ingress, Egress]")
DENY_INGRESS = policy("shop/deny-ingress", "podSelector: {}\npolicyTypes: [Ingress]")
DENY_EGRESS = policy("shop/deny-egress", "podSelector: {}\npolicyTypes: [Egress]")
DNS_PEER = (
    "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}\n"
    "  podSelector: {matchLabels: {k8s-app: kube-dns}}"
)


def egress_allow(ref: str, selector: str, to: str, ports: str) -> str:
    return policy(
        ref, f"podSelector: {selector}\npolicyTypes: [Egress]\negress:\n  - to:\n{_indent(to, 6)}\n    ports: {ports}"
    )


def ingress_allow(ref: str, selector: str, source: str, ports: str) -> str:
    return policy(
        ref,
        f"podSelector: {selector}\npolicyTypes: [Ingress]\ningress:\n"
        f"  - from:\n{_indent(source, 6)}\n    ports: {ports}",
    )


def _indent(text: str, n: int) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


ALLOW_DNS = egress_allow("shop/allow-dns", "{}", DNS_PEER, "[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]")
ALLOW_DNS_UDP = egress_allow("shop/allow-dns", "{}", DNS_PEER, "[{protocol: UDP, port: 53}]")


@dataclass(frozen=True)
class Case:
    rule: str
    manifests: tuple[str, ...]
    expected: tuple[str, ...]  # one regex per expected finding of `rule` (message), in order; () = none
    hint: str = ""  # a regex the first finding's hint must match


def case(rule: str, manifests: list[str], *expected: str, hint: str = "", cluster: bool = True) -> Case:
    return Case(rule, tuple((CLUSTER if cluster else []) + manifests), expected, hint)


CASES = {
    # -- NP001 / NP002: default deny --------------------------------------------------------------
    "NP001-fires-without-any-policy": case(
        "NP001",
        [],
        r"namespace shop has no default-deny ingress policy; .* \(2 of 2\): shop/db, shop/web$",
        r"namespace backend ",
        r"namespace kube-system ",
    ),
    "NP001-quiet-with-default-deny": case(
        "NP001",
        [DENY_INGRESS, policy("backend/deny", "podSelector: {}"), policy("kube-system/deny", "podSelector: {}")],
    ),
    "NP001-quiet-when-every-pod-is-isolated": case(
        "NP001",
        [
            namespace("only"),
            pod("only/a", "app: a", "10.0.9.1"),
            policy("only/a", "podSelector: {matchLabels: {app: a}}"),
        ],
        cluster=False,
    ),
    "NP002-fires-for-the-open-pods": case(
        "NP002",
        [egress_allow("shop/web-out", "{matchLabels: {app: web}}", "- podSelector: {}", "[{port: 1, endPort: 65535}]")],
        r"namespace shop has no default-deny egress policy; .* \(1 of 2\): shop/db$",
        r"namespace backend ",
        r"namespace kube-system ",
    ),
    "NP002-quiet-with-default-deny": case(
        "NP002",
        [namespace("x"), pod("x/a", "", "10.0.9.1"), policy("x/d", "podSelector: {}\npolicyTypes: [Egress]")],
        cluster=False,
    ),
    # -- NP003 / NP004 / NP005: DNS ---------------------------------------------------------------
    "NP003-fires-when-dns-pods-are-unreachable": case(
        "NP003",
        [DENY_ALL],
        r"namespace shop: egress-isolated pods cannot reach cluster DNS \(kube-system/coredns\) on UDP 53 "
        r"\(nor TCP 53\), denied at egress: shop/db, shop/web$",
        hint=r"kubernetes.io/metadata.name: kube-system.*k8s-app: kube-dns",
    ),
    "NP003-fires-when-dns-denies-ingress": case(
        "NP003",
        [DENY_EGRESS, ALLOW_DNS, policy("kube-system/deny", "podSelector: {}")],
        r"denied at ingress",
        hint=r"isolated for ingress",
    ),
    "NP003-fires-without-dns-pods-in-the-input": case(
        "NP003",
        [namespace("x"), pod("x/a", "", "10.0.9.1"), policy("x/d", "podSelector: {}\npolicyTypes: [Egress]")],
        r"cluster DNS \(k8s-app=kube-dns in namespace kube-system, not in the input\)",
        cluster=False,
    ),
    "NP003-quiet-with-a-dns-allow": case("NP003", [DENY_ALL, ALLOW_DNS]),
    "NP003-quiet-without-dns-pods-when-some-rule-allows-53": case(
        "NP003",
        [
            namespace("x"),
            pod("x/a", "", "10.0.9.1"),
            egress_allow("x/dns", "{}", "- ipBlock: {cidr: 169.254.20.10/32}", "[{protocol: UDP, port: 53}]"),
        ],
        cluster=False,
    ),
    "NP004-fires-when-tcp-53-is-missing": case(
        "NP004",
        [DENY_ALL, ALLOW_DNS_UDP],
        r"egress-isolated pods reach .* on UDP 53 but not on TCP 53, .*: shop/db, shop/web$",
    ),
    "NP004-quiet-with-udp-and-tcp": case("NP004", [DENY_ALL, ALLOW_DNS]),
    "NP005-fires-for-port-53-without-protocol": case(
        "NP005",
        [egress_allow("shop/dns", "{}", DNS_PEER, "[{port: 53}]")],
        r"shop/dns spec.egress\[0\].ports\[0\] allows port 53 on TCP only",
    ),
    "NP005-quiet-with-udp-53": case(
        "NP005", [egress_allow("shop/dns", "{}", DNS_PEER, "[{port: 53}, {port: 53, protocol: UDP}]")]
    ),
    # -- NP006: policy selects no pod -------------------------------------------------------------
    "NP006-fires-for-a-label-typo": case(
        "NP006",
        [policy("shop/p", "podSelector: {matchLabels: {app: wbe}}")],
        r"podSelector \{app=wbe\} selects no pod of namespace shop",
        hint=r"app=db; app=web",
    ),
    "NP006-fires-for-pods-of-another-namespace": case(
        "NP006",
        [policy("shop/p", "podSelector: {matchLabels: {app: api}}")],
        r"selects no pod of namespace shop",
        hint=r"in backend \(backend/api\).*create the policy there",
    ),
    "NP006-quiet-when-it-selects": case("NP006", [policy("shop/p", "podSelector: {matchLabels: {app: web}}")]),
    "NP006-quiet-for-a-namespace-without-pods-in-the-input": case(
        "NP006", [policy("elsewhere/p", "podSelector: {matchLabels: {app: web}}")]
    ),
    # -- NP007: peer selects nothing --------------------------------------------------------------
    "NP007-fires-for-namespace-selected-by-name-label": case(
        "NP007",
        [egress_allow("shop/dns", "{}", "- namespaceSelector: {matchLabels: {name: kube-system}}", "[{port: 53}]")],
        r"spec.egress\[0\].to\[0\]: namespaceSelector \{name=kube-system\} matches no namespace",
        hint=r"no `name` label.*`kubernetes.io/metadata.name: kube-system`",
    ),
    "NP007-fires-for-a-pod-label-typo": case(
        "NP007",
        [ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: wbe}}", "[]")],
        r"the peer \(pods \{app=wbe\} in namespace shop\) selects no pod",
    ),
    "NP007-fires-when-only-host-network-pods-match": case(
        "NP007",
        [
            namespace("nodes"),
            pod("nodes/agent", "app: agent", "192.168.0.5", host_network=True),
            ingress_allow(
                "shop/db",
                "{matchLabels: {app: db}}",
                "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: nodes}}",
                "[]",
            ),
        ],
        r"the peer \(all pods in namespaces \{kubernetes.io/metadata.name=nodes\}\) selects no pod in the input",
        hint=r"only hostNetwork pods match.*ipBlock",
    ),
    "NP007-quiet-for-a-matching-peer": case("NP007", [ALLOW_DNS]),
    "NP007-quiet-for-namespaces-without-pods-in-the-input": case(
        "NP007",
        [
            namespace("monitoring"),
            ingress_allow(
                "shop/db",
                "{}",
                "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}\n"
                "  podSelector: {matchLabels: {app: prometheus}}",
                "[]",
            ),
        ],
    ),
    # -- NP008: podSelector alone, pods in another namespace --------------------------------------
    "NP008-fires-for-pods-of-another-namespace": case(
        "NP008",
        [egress_allow("shop/to-api", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: api}}", "[]")],
        r"podSelector \{app=api\} without a namespaceSelector only selects pods of shop.*in backend \(backend/api\)",
        hint=r"namespaceSelector: \{matchLabels: \{kubernetes.io/metadata.name: backend\}\}",
    ),
    "NP008-quiet-with-a-namespace-selector": case(
        "NP008",
        [
            egress_allow(
                "shop/to-api",
                "{matchLabels: {app: web}}",
                "- podSelector: {matchLabels: {app: api}}\n"
                "  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: backend}}",
                "[]",
            )
        ],
    ),
    # -- NP009: named ports -----------------------------------------------------------------------
    "NP009-fires-for-an-undeclared-name": case(
        "NP009",
        [ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: postgres}]")],
        r"named port 'postgres' is declared by none of the destination pods \(shop/db\)",
    ),
    "NP009-fires-for-the-wrong-protocol": case(
        "NP009",
        [egress_allow("shop/dns", "{}", DNS_PEER, "[{port: dns}]")],
        r"named port 'dns' is UDP 53 on the destination pods, but the entry asks for TCP \(the default\)",
        hint=r"protocol: UDP",
    ),
    "NP009-fires-towards-ipblocks": case(
        "NP009",
        [egress_allow("shop/out", "{}", "- ipBlock: {cidr: 192.0.2.0/24}", "[{port: https}]")],
        r"named port 'https' towards ipBlock peers only",
    ),
    "NP009-quiet-when-the-name-resolves": case(
        "NP009", [ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: pg}]")]
    ),
    # -- NP010 / NP011 / NP012: policyTypes -------------------------------------------------------
    "NP010-fires-for-egress-rules-without-policy-types": case(
        "NP010",
        [policy("shop/web-out", "podSelector: {matchLabels: {app: web}}\negress:\n  - to: [{podSelector: {}}]")],
        r"shop/web-out has only egress rules and no policyTypes.*now accept no ingress at all: shop/web$",
    ),
    "NP010-quiet-with-policy-types": case(
        "NP010",
        [
            policy(
                "shop/web-out",
                "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Egress]\negress:\n  - to: [{podSelector: {}}]",
            )
        ],
    ),
    "NP010-quiet-when-already-isolated-for-ingress": case(
        "NP010",
        [
            DENY_INGRESS,
            policy("shop/web-out", "podSelector: {matchLabels: {app: web}}\negress:\n  - to: [{podSelector: {}}]"),
        ],
    ),
    "NP011-fires-for-an-empty-egress-list": case(
        "NP011", [policy("shop/deny-out", "podSelector: {}\negress: []")], r"empty egress list and no policyTypes"
    ),
    "NP011-quiet-with-policy-types": case(
        "NP011", [policy("shop/deny-out", "podSelector: {}\npolicyTypes: [Ingress, Egress]\negress: []")]
    ),
    "NP011-quiet-without-an-egress-key": case("NP011", [policy("shop/deny-in", "podSelector: {}")]),
    "NP012-fires-for-rules-of-an-unlisted-direction": case(
        "NP012",
        [policy("shop/p", "podSelector: {}\npolicyTypes: [Ingress]\negress:\n  - to: [{podSelector: {}}]")],
        r"has egress rules but policyTypes \[Ingress\] does not list Egress: its egress section is ignored",
    ),
    "NP012-quiet-when-listed": case(
        "NP012",
        [policy("shop/p", "podSelector: {}\npolicyTypes: [Ingress, Egress]\negress:\n  - to: [{podSelector: {}}]")],
    ),
    # -- NP013: ipBlock over pod IPs --------------------------------------------------------------
    "NP013-fires-for-a-block-over-pods": case(
        "NP013",
        [egress_allow("shop/out", "{}", "- ipBlock: {cidr: 0.0.0.0/0}", "[{port: 443}]")],
        r"ipBlock 0.0.0.0/0 also covers the addresses of 4 pods .*depends on the network plugin",
    ),
    "NP013-quiet-when-the-pod-cidr-is-excepted": case(
        "NP013",
        [egress_allow("shop/out", "{}", "- ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/16]}", "[{port: 443}]")],
    ),
    "NP013-quiet-for-host-network-pods": case(
        "NP013",
        [
            namespace("x"),
            pod("x/agent", "app: agent", "192.168.0.5", host_network=True),
            egress_allow("x/out", "{}", "- ipBlock: {cidr: 192.168.0.0/24}", "[]"),
        ],
        cluster=False,
    ),
    # -- NP014: NotIn -----------------------------------------------------------------------------
    "NP014-fires-for-pods-without-the-key": case(
        "NP014",
        [policy("shop/p", "podSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}")],
        r"spec.podSelector: `env NotIn \(prod\)` also matches pods that have no env label: shop/db, shop/web",
        hint=r"\{key: env, operator: Exists\}",
    ),
    "NP014-fires-for-namespaces-without-the-key": case(
        "NP014",
        [
            ingress_allow(
                "shop/db",
                "{matchLabels: {app: db}}",
                "- namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [shop]}]}",
                "[]",
            )
        ],
        r"spec.ingress\[0\].from\[0\].namespaceSelector: .* namespaces that have no team label: backend, kube-system",
    ),
    "NP014-quiet-with-exists": case(
        "NP014",
        [
            policy(
                "shop/p",
                "podSelector: {matchExpressions: "
                "[{key: env, operator: Exists}, {key: env, operator: NotIn, values: [prod]}]}",
            )
        ],
    ),
    # -- NP015: allow-all shadowing ---------------------------------------------------------------
    "NP015-fires-under-an-allow-all-policy": case(
        "NP015",
        [
            policy("shop/allow-all", "podSelector: {}\npolicyTypes: [Ingress]\ningress: [{}]"),
            ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[]"),
        ],
        r"shop/db spec.ingress\[0\] has no effect: .* \(shop/allow-all spec.ingress\[0\]\)",
    ),
    "NP015-fires-without-pods-in-the-input": case(
        "NP015",
        [
            policy("x/allow-all", "podSelector: {}\npolicyTypes: [Egress]\negress: [{}]"),
            egress_allow("x/db", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: 5432}]"),
        ],
        r"x/db spec.egress\[0\] has no effect",
        cluster=False,
    ),
    "NP015-quiet-when-the-allow-all-covers-other-pods": case(
        "NP015",
        [
            policy("shop/allow-web", "podSelector: {matchLabels: {app: web}}\npolicyTypes: [Ingress]\ningress: [{}]"),
            ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[]"),
        ],
    ),
    # -- NP016 / NP017: one-sided allows ----------------------------------------------------------
    "NP016-fires-for-the-classic-deny-all-case": case(
        "NP016",
        [
            DENY_ALL,
            ALLOW_DNS,
            ingress_allow(
                "shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[{port: 5432}]"
            ),
        ],
        r"shop/db spec.ingress\[0\] allows TCP 5432 from shop/web to shop/db, but those sources are isolated for "
        r"egress and no egress rule lets them send it",
    ),
    "NP016-quiet-with-the-egress-allow": case(
        "NP016",
        [
            DENY_ALL,
            ingress_allow(
                "shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[{port: 5432}]"
            ),
            egress_allow(
                "shop/web", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: db}}", "[{port: 5432}]"
            ),
        ],
    ),
    "NP016-quiet-when-sources-are-not-egress-isolated": case(
        "NP016",
        [
            DENY_INGRESS,
            ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[]"),
        ],
    ),
    "NP017-fires-when-the-destination-never-accepts": case(
        "NP017",
        [
            DENY_ALL,
            egress_allow(
                "shop/web", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: db}}", "[{port: 5432}]"
            ),
        ],
        r"shop/web spec.egress\[0\] allows TCP 5432 from shop/web to shop/db, but those destinations are isolated "
        r"for ingress",
    ),
    "NP017-quiet-with-the-ingress-allow": case(
        "NP017",
        [
            DENY_ALL,
            egress_allow(
                "shop/web", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: db}}", "[{port: 5432}]"
            ),
            ingress_allow("shop/db", "{matchLabels: {app: db}}", "- podSelector: {}", "[{port: pg}]"),
        ],
    ),
}


def run(manifests: tuple[str, ...] | list[str], config: LintConfig | None = None) -> list[Finding]:
    texts = {f"m{i:02d}.yaml": text for i, text in enumerate(manifests)}
    return lint(PolicyIndex(load_texts(texts).cluster, Options()), config)


@pytest.mark.parametrize("c", list(CASES.values()), ids=list(CASES))
def test_rule(c: Case) -> None:
    found = [f for f in run(c.manifests) if f.rule == c.rule]
    assert len(found) == len(c.expected), "\n".join(f.message for f in found)
    for finding, pattern in zip(found, c.expected, strict=True):
        assert re.search(pattern, finding.message), finding.message
        assert finding.severity is RULES_BY_ID[c.rule].severity
        assert finding.span is not None
        assert finding.span.path.startswith("m")
        assert finding.hint
    if c.hint:
        assert re.search(c.hint, found[0].hint), found[0].hint


def test_every_rule_has_a_firing_and_a_quiet_case() -> None:
    fires = {c.rule for c in CASES.values() if c.expected}
    quiet = {c.rule for c in CASES.values() if not c.expected}
    assert fires == quiet == set(RULES_BY_ID)


# -- locations --------------------------------------------------------------------------------------


def _one(rule: str, manifests: list[str]) -> Finding:
    [finding] = [f for f in run(CLUSTER + manifests) if f.rule == rule]
    return finding


def test_findings_point_at_what_they_concern() -> None:
    # GIVEN the policy is m07.yaml (after the 7 cluster documents):
    # spec.podSelector is on line 5, the port entry of NP005 on line 11, the namespace on line 1
    dns = egress_allow("shop/dns", "{}", DNS_PEER, "[{port: 53}]")
    assert str(_one("NP005", [dns]).span) == "m07.yaml:11:15"
    assert _one("NP005", [dns]).field == "spec.egress[0].ports[0]"
    typo = policy("shop/p", "podSelector: {matchLabels: {app: wbe}}")
    assert str(_one("NP006", [typo]).span) == "m07.yaml:5:3"
    peer = egress_allow("shop/dns", "{}", "- namespaceSelector: {matchLabels: {name: kube-system}}", "[]")
    finding = _one("NP007", [peer])
    assert (str(finding.span), finding.subject) == ("m07.yaml:9:11", "NetworkPolicy shop/dns")
    empty = policy("shop/deny-out", "podSelector: {}\negress: []")
    assert str(_one("NP011", [empty]).span) == "m07.yaml:6:3"
    [open_ns] = [f for f in run(CLUSTER) if f.rule == "NP001" and f.subject == "Namespace shop"]
    assert str(open_ns.span) == "m00.yaml:1:1"


def test_an_undeclared_namespace_is_located_at_its_first_pod() -> None:
    findings = run([pod("x/b", "", "10.0.9.2"), pod("x/a", "", "10.0.9.1")])
    [finding] = [f for f in findings if f.rule == "NP001"]
    assert str(finding.span) == "m00.yaml:1:1"  # x/b comes first in the files, though x/a sorts first


# -- configuration, registry, order -------------------------------------------------------------------


def test_dns_target_is_configurable() -> None:
    resolver = pod("dns/resolver", "app: resolver", "10.0.3.3")
    allow = egress_allow(
        "shop/allow-dns",
        "{}",
        "- namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: dns}}",
        "[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]",
    )
    manifests = [*CLUSTER, namespace("dns"), resolver, DENY_ALL, allow]
    default = [f for f in run(manifests) if f.rule == "NP003"]
    assert len(default) == 1
    assert "kube-system/coredns" in default[0].message
    custom = LintConfig(DnsTarget("dns", LabelSelector(Labels({"app": "resolver"}))))
    assert [f for f in run(manifests, custom) if f.rule == "NP003"] == []


def test_disabled_rules_are_silent_and_unknown_ids_rejected() -> None:
    everything = {f.rule for f in run(CLUSTER)}
    assert {"NP001", "NP002"} <= everything
    quieter = {f.rule for f in run(CLUSTER, LintConfig(disabled=frozenset({"NP001"})))}
    assert quieter == everything - {"NP001"}
    with pytest.raises(ValueError, match="NP999"):
        run(CLUSTER, LintConfig(disabled=frozenset({"NP999"})))
    assert unknown_rules({"NP001", "NP999", "XX"}) == ["NP999", "XX"]


def test_rules_are_documented_and_numbered() -> None:
    ids = [r.id for r in RULES]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"NP\d{3}", i) for i in ids)
    assert len({r.name for r in RULES}) == len(RULES)
    for r in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", r.name), r.name
        assert r.summary.endswith("."), r.id
        assert r.description, r.id
        assert r.reference.startswith("§"), r.id


def test_findings_are_sorted_and_deterministic() -> None:
    manifests = [*CLUSTER, DENY_ALL, egress_allow("shop/dns", "{}", DNS_PEER, "[{port: 53}]")]
    first = run(manifests)
    assert len(first) > 3
    assert first == sorted(first, key=Finding.sort_key)
    assert first == run(manifests)


def test_severity_ranks() -> None:
    assert Severity.INFO.rank < Severity.WARNING.rank < Severity.ERROR.rank


# -- docs/lint.md: every rule documented, every example is what lint prints ------------------------------

LINT_MD = Path(__file__).resolve().parents[2] / "docs" / "lint.md"
_FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def _doc_sections() -> dict[str, str]:
    """``## heading`` → body (a ``##`` line inside a fence is not a heading)."""
    out: dict[str, str] = {}
    heading, fenced = "", False
    for line in LINT_MD.read_text(encoding="utf-8").splitlines(keepends=True):
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif heading:
            out[heading] += line
    return out


def _blocks(body: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(body)]


def _lint_doc(example: str | None, rule: str | None = None) -> list[Finding]:
    [(_, cluster)] = _blocks(_doc_sections()["The example cluster"])
    texts = {"cluster.yaml": cluster} | ({"example.yaml": example} if example is not None else {})
    found = lint(PolicyIndex(load_texts(texts).cluster))
    return [f for f in found if rule is None or f.rule == rule]


def test_the_doc_cluster_is_clean() -> None:
    assert _lint_doc(None) == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_is_documented_with_a_true_example(rule: LintRule) -> None:
    body = _doc_sections()[f"{rule.id} {rule.name}"]
    assert f"**Severity:** {rule.severity} · **Reference:** {rule.reference}" in body
    assert "**What it catches.**" in body
    assert "**Why.**" in body
    assert f"](#{rule.id.lower()}-{rule.name})" in LINT_MD.read_text(encoding="utf-8")
    blocks = _blocks(body)
    assert [lang for lang, _ in blocks] == ["yaml", "text", "yaml"]
    (_, example), (_, shown), (_, fix) = blocks
    found = _lint_doc(example, rule.id)
    assert found, f"the example of {rule.id} does not trigger it"
    assert findings_text(found).removesuffix(summary(found) + "\n") == shown
    assert _lint_doc(fix, rule.id) == [], f"the fix of {rule.id} still triggers it"


# -- rendering details the CLI tests do not reach ------------------------------------------------------------


def test_text_of_a_finding_without_location() -> None:
    located = Finding("NP002", Severity.WARNING, SourceSpan("a.yaml", 3, 1), "Namespace a", "", "open", "close it")
    floating = Finding("NP001", Severity.INFO, None, "Namespace b", "", "built in code", "give it a span")
    ordered = sorted([floating, located], key=Finding.sort_key)
    assert ordered == [located, floating]
    assert findings_text(ordered) == (
        "a.yaml:3:1: warning[NP002] open\n"
        "  hint: close it\n"
        "info[NP001] built in code\n"
        "  hint: give it a span\n"
        "2 findings: 0 errors, 1 warning, 1 info\n"
    )


@pytest.mark.parametrize(
    ("severities", "expected"),
    [
        ([], "no findings"),
        ([Severity.ERROR], "1 finding: 1 error, 0 warnings, 0 info"),
        ([Severity.ERROR, Severity.ERROR, Severity.WARNING], "3 findings: 2 errors, 1 warning, 0 info"),
    ],
)
def test_summary(severities: list[Severity], expected: str) -> None:
    findings = [Finding("NP001", s, None, "", "", "m", "h") for s in severities]
    assert summary(findings) == expected
