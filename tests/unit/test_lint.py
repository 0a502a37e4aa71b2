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
from dataclasses import dataclass, field
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


def cnp(ref: str, selector: str, direction: str = "ingress") -> str:
    """A CiliumNetworkPolicy (a kind netsim does not evaluate) selecting ``selector`` for ``direction``."""
    ns, name = ref.split("/")
    peers = "fromEndpoints" if direction == "ingress" else "toEndpoints"
    return (
        f"apiVersion: cilium.io/v2\nkind: CiliumNetworkPolicy\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec:\n  endpointSelector: {{matchLabels: {selector}}}\n  {direction}:\n    - {peers}: [{{}}]\n"
    )


@dataclass(frozen=True)
class Case:
    rule: str
    manifests: tuple[str, ...]
    expected: tuple[str, ...]  # one regex per expected finding of `rule` (message), in order; () = none
    hint: str = ""  # a regex the first finding's hint must match
    may: tuple[bool, ...] = ()  # per finding: it depends on what the input does not say (at most a warning)
    options: Options = field(default_factory=Options)


def case(
    rule: str,
    manifests: list[str],
    *expected: str,
    hint: str = "",
    cluster: bool = True,
    may: bool | tuple[bool, ...] = False,
    options: Options | None = None,
) -> Case:
    mays = (may,) * len(expected) if isinstance(may, bool) else may
    return Case(rule, tuple((CLUSTER if cluster else []) + manifests), expected, hint, mays, options or Options())


# shop/web and the DNS pod in namespaces without a manifest (their labels are unknown)
OPEN_WORLD = [
    pod("shop/web", "app: web", "10.0.1.10"),
    pod("shop/db", "app: db", "10.0.1.20", "{name: pg, containerPort: 5432}"),
    pod(
        "kube-system/coredns",
        "k8s-app: kube-dns",
        "10.0.0.10",
        "{name: dns, containerPort: 53, protocol: UDP}, {name: dns-tcp, containerPort: 53, protocol: TCP}",
    ),
]
DNS_BY_NAME_LABEL = egress_allow(
    "shop/allow-dns",
    "{}",
    "- namespaceSelector: {matchLabels: {name: kube-system}}",
    "[{protocol: UDP, port: 53}, {protocol: TCP, port: 53}]",
)
DB_FROM_WEB = ingress_allow(
    "shop/db", "{matchLabels: {app: db}}", "- podSelector: {matchLabels: {app: web}}", "[{port: 5432}]"
)
WEB_TO_DB = egress_allow(
    "shop/web", "{matchLabels: {app: web}}", "- podSelector: {matchLabels: {app: db}}", "[{port: 5432}]"
)
NOT_IN_TEAM_SHOP = ingress_allow(
    "shop/db",
    "{matchLabels: {app: db}}",
    "- namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [shop]}]}",
    "[]",
)


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
    # -- NP018: policies netsim does not evaluate -------------------------------------------------
    "NP018-fires-for-a-cilium-policy": case(
        "NP018",
        [cnp("shop/db-l7", "{app: db}")],
        r"^CiliumNetworkPolicy shop/db-l7 is not evaluated \(netsim does not evaluate Cilium policies\): answers "
        r"about the pods it may select are undetermined \(ingress\): shop/db$",
        hint=r"NetworkPolicy and the cluster-scoped tiers only.*--ignore-unevaluated",
    ),
    "NP018-fires-for-a-policy-that-selects-no-pod-of-the-input": case(
        "NP018",
        [cnp("shop/nothing", "{app: nope}", "egress")],
        r"undetermined \(egress\): no pod of the input \(namespace shop\)$",
    ),
    "NP018-says-what-ignore-unevaluated-does": case(
        "NP018",
        [cnp("shop/db-l7", "{app: db}")],
        r"is not evaluated \(.*\), and --ignore-unevaluated answers as if it were absent: answers about the pods it "
        r"may select \(ingress\) may be wrong$",
        options=Options(ignore_unevaluated=True),
    ),
    "NP018-quiet-without-such-policies": case("NP018", [DENY_ALL, ALLOW_DNS]),
}

# What the input does not decide: every rule that concludes from the engine's answers either
# stays quiet or says "may", with what it depends on (docs/lint.md, "What lint cannot know").
CASES |= {
    "NP001-may-when-a-cilium-policy-may-isolate-every-open-pod": case(
        "NP001",
        [cnp("shop/all", "{}")],
        r"^namespace shop has no default-deny ingress policy; pods no NetworkPolicy isolates for ingress \(2 of 2\) "
        r"may be open to connections from anywhere: shop/db, shop/web; whether they are depends on "
        r"CiliumNetworkPolicy shop/all \(m07.yaml:1:1\), which netsim does not evaluate$",
        r"namespace backend ",
        r"namespace kube-system ",
        may=True,
    ),
    "NP001-names-the-open-pods-apart-from-those-a-cilium-policy-may-isolate": case(
        "NP001",
        [cnp("shop/db-l7", "{app: db}")],
        r"open to connections from anywhere \(1 of 2\): shop/web; 1 more may be isolated by CiliumNetworkPolicy "
        r"shop/db-l7 \(m07.yaml:1:1\), which netsim does not evaluate: shop/db$",
        r"namespace backend ",
        r"namespace kube-system ",
    ),
    "NP003-may-when-the-dns-peer-selects-a-namespace-without-manifest": case(
        "NP003",
        [*OPEN_WORLD, DENY_ALL, DNS_BY_NAME_LABEL],
        r"^namespace shop: whether egress-isolated pods reach cluster DNS \(kube-system/coredns\) on UDP 53 is "
        r"undetermined \(allowed if namespace kube-system has labels matching \{name=kube-system\} \(it has no "
        r"manifest: only its name label is known\)\): shop/db, shop/web$",
        hint=r"^to decide it, add the Namespace manifest of kube-system .*; if it is denied: allow egress to the DNS",
        cluster=False,
        may=True,
    ),
    "NP003-may-when-a-cilium-policy-selects-the-dns-pods": case(
        "NP003",
        [DENY_ALL, ALLOW_DNS, cnp("kube-system/dns", "{k8s-app: kube-dns}")],
        r"undetermined \(CiliumNetworkPolicy kube-system/dns \(m09.yaml:1:1\) selects kube-system/coredns for "
        r"ingress and is not evaluated\): shop/db, shop/web$",
        hint=r"check CiliumNetworkPolicy kube-system/dns by hand",
        may=True,
    ),
    "NP003-denied-and-undetermined-pods-apart": case(
        "NP003",
        [DENY_ALL, cnp("shop/web-out", "{app: web}", "egress")],
        r"cannot reach cluster DNS \(kube-system/coredns\) on UDP 53 \(nor TCP 53\), denied at egress: shop/db$",
        r"undetermined \(CiliumNetworkPolicy shop/web-out .* selects shop/web for egress and is not evaluated\): "
        r"shop/web$",
        may=(False, True),
    ),
    "NP003-quiet-in-a-closed-world": case(
        "NP003",
        [
            *OPEN_WORLD,
            DENY_ALL,
            DNS_BY_NAME_LABEL.replace("name: kube-system", "kubernetes.io/metadata.name: kube-system"),
        ],
        cluster=False,
        options=Options(closed_world=True),
    ),
    "NP004-may-when-tcp-53-depends-on-a-namespace-label": case(
        "NP004",
        [
            *OPEN_WORLD,
            DENY_ALL,
            ALLOW_DNS_UDP,
            egress_allow(
                "shop/allow-dns-tcp",
                "{}",
                "- namespaceSelector: {matchLabels: {team: platform}}",
                "[{protocol: TCP, port: 53}]",
            ),
        ],
        r"^namespace shop: egress-isolated pods reach cluster DNS \(kube-system/coredns\) on UDP 53; whether they "
        r"reach it on TCP 53 is undetermined \(allowed if namespace kube-system has labels matching "
        r"\{team=platform\} .*\): shop/db, shop/web$",
        cluster=False,
        may=True,
    ),
    "NP007-may-for-a-namespace-without-manifest": case(
        "NP007",
        [*OPEN_WORLD, DNS_BY_NAME_LABEL],
        r"^policy shop/allow-dns spec.egress\[0\].to\[0\]: namespaceSelector \{name=kube-system\} matches no "
        r"namespace with a manifest in the input, so this peer may select nothing: it selects kube-system/coredns, "
        r"shop/db, shop/web only if namespace kube-system has labels matching \{name=kube-system\} .* or if "
        r"namespace shop has labels matching \{name=kube-system\} .*$",
        hint=r"^to decide it, add the Namespace manifests of kube-system, shop .*`kubernetes.io/metadata.name: kube-s",
        cluster=False,
        may=True,
    ),
    "NP007-may-for-pods-of-a-namespace-without-manifest": case(
        "NP007",
        [
            namespace("monitoring", "team: obs"),
            pod("monitoring/grafana", "app: grafana", "10.0.5.1"),
            pod("metrics/prometheus", "app: prometheus", "10.0.5.2"),
            ingress_allow(
                "shop/db",
                "{}",
                "- namespaceSelector: {matchLabels: {team: obs}}\n  podSelector: {matchLabels: {app: prometheus}}",
                "[]",
            ),
        ],
        r"^policy shop/db spec.ingress\[0\].from\[0\]: the peer \(pods \{app=prometheus\} in namespaces \{team=obs\}\) "
        r"selects no pod in the input for certain: it selects metrics/prometheus only if namespace metrics has "
        r"labels matching \{team=obs\} \(it has no manifest: only its name label is known\)$",
        hint=r"^to decide it, add the Namespace manifest of metrics \(`kubectl get ns -o yaml`\); fix the podSelector",
        may=True,
    ),
    "NP007-decided-in-a-closed-world": case(
        "NP007",
        [*OPEN_WORLD, DNS_BY_NAME_LABEL],
        r"namespaceSelector \{name=kube-system\} matches no namespace in the input, so this peer selects nothing$",
        cluster=False,
        options=Options(closed_world=True),
    ),
    "NP009-quiet-when-a-destination-it-may-select-declares-the-name": case(
        "NP009",
        [
            pod("metrics/prometheus", "app: prometheus", "10.0.5.2", "{name: scrape, containerPort: 9090}"),
            egress_allow(
                "shop/out",
                "{}",
                "- podSelector: {}\n- namespaceSelector: {matchLabels: {team: obs}}",
                "[{port: scrape}]",
            ),
        ],
    ),
    "NP010-says-a-cilium-policy-may-let-ingress-in": case(
        "NP010",
        [
            policy("shop/web-out", "podSelector: {matchLabels: {app: web}}\negress:\n  - to: [{podSelector: {}}]"),
            cnp("shop/web-in", "{app: web}"),
        ],
        r"so these pods now accept no ingress unless CiliumNetworkPolicy shop/web-in \(m08.yaml:1:1\), which netsim "
        r"does not evaluate, allows it: shop/web$",
    ),
    "NP014-quiet-for-namespaces-without-manifest": case(
        "NP014",
        [
            namespace("shop", "team: shop"),
            pod("shop/db", "app: db", "10.0.1.20"),
            pod("other/x", "", "10.0.2.2"),
            NOT_IN_TEAM_SHOP,
        ],
        cluster=False,
    ),
    "NP014-counts-them-in-a-closed-world": case(
        "NP014",
        [
            namespace("shop", "team: shop"),
            pod("shop/db", "app: db", "10.0.1.20"),
            pod("other/x", "", "10.0.2.2"),
            NOT_IN_TEAM_SHOP,
        ],
        r"`team NotIn \(shop\)` also matches namespaces that have no team label: other$",
        cluster=False,
        options=Options(closed_world=True),
    ),
    "NP016-may-when-the-sources-egress-depends-on-a-namespace-label": case(
        "NP016",
        [
            *OPEN_WORLD[:2],
            DENY_ALL,
            DB_FROM_WEB,
            egress_allow(
                "shop/web", "{matchLabels: {app: web}}", "- namespaceSelector: {matchLabels: {team: shop}}", "[]"
            ),
        ],
        r"^policy shop/db spec.ingress\[0\]: no pair it allows is open at both ends for certain, and whether its "
        r"sources may send what it allows is undetermined \(allowed if namespace shop has labels matching "
        r"\{team=shop\} .*\): the connection may never happen$",
        hint=r"^to decide it, add the Namespace manifest of shop .*; both ends must allow$",
        cluster=False,
        may=True,
    ),
    "NP016-may-when-a-cilium-policy-selects-the-sources": case(
        "NP016",
        [DENY_ALL, DB_FROM_WEB, cnp("shop/web-out", "{app: web}", "egress")],
        r"undetermined \(CiliumNetworkPolicy shop/web-out \(m09.yaml:1:1\) selects shop/web for egress and is not "
        r"evaluated\): the connection may never happen$",
        may=True,
    ),
    "NP016-quiet-when-pods-it-may-select-can-send": case(
        "NP016",
        [
            namespace("prod"),
            pod("prod/db", "app: db", "10.0.2.20"),
            pod("shop/web", "app: web", "10.0.1.10"),
            policy("prod/deny", "podSelector: {}\npolicyTypes: [Ingress, Egress]"),
            ingress_allow("prod/db", "{}", "- namespaceSelector: {matchLabels: {team: storefront}}", "[{port: 5432}]"),
        ],
        cluster=False,
    ),
    "NP016-fires-between-replicas-of-a-workload": case(
        "NP016",
        [
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: ledger, namespace: shop}\n"
            "spec:\n  replicas: 3\n  selector: {matchLabels: {app: ledger}}\n"
            "  template:\n    metadata: {labels: {app: ledger}}\n    spec: {containers: [{name: ledger}]}\n",
            DENY_ALL,
            ALLOW_DNS,
            ingress_allow(
                "shop/ledger",
                "{matchLabels: {app: ledger}}",
                "- podSelector: {matchLabels: {app: ledger}}",
                "[{port: 5432}]",
            ),
        ],
        r"allows TCP 5432 from shop/ledger\[StatefulSet\] to shop/ledger\[StatefulSet\], but those sources are "
        r"isolated for egress",
    ),
    "NP017-may-when-a-cilium-policy-selects-the-destinations": case(
        "NP017",
        [DENY_ALL, WEB_TO_DB, cnp("shop/db-in", "{app: db}")],
        r"^policy shop/web spec.egress\[0\]: no pair it allows is open at both ends for certain, and whether its "
        r"destinations accept what it allows is undetermined \(CiliumNetworkPolicy shop/db-in \(m09.yaml:1:1\) "
        r"selects shop/db for ingress and is not evaluated\): the connection may never happen$",
        may=True,
    ),
}


# -- NP019 - NP024: the Admin and Baseline tiers (ClusterNetworkPolicy, v1alpha2) ------------------------

SHOP = "namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}"
FROM_ALL, TO_ALL = "from: [{namespaces: {}}]", "to: [{namespaces: {}}]"
TO_DB = "to: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: db}}}}]"


def tier_policy(
    name: str, direction: str, *rules: str, tier: str = "Admin", priority: int = 10, subject: str = SHOP
) -> str:
    """A ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) with ``rules`` (flow mappings) in ``direction``."""
    items = "".join(f"    - {r}\n" for r in rules)
    return (
        f"apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\n"
        f"spec:\n  tier: {tier}\n  priority: {priority}\n  subject: {{{subject}}}\n  {direction}:\n{items}"
    )


TIER_CASES = {
    # -- NP019 - NP024: the Admin and Baseline tiers ---------------------------------------------------------
    "NP019-fires-on-a-priority-tie": case(
        "NP019",
        [
            tier_policy(
                "a",
                "ingress",
                f"{{action: Accept, {FROM_ALL}, protocols: [{{tcp: {{destinationPort: {{number: 80}}}}}}]}}",
            ),
            tier_policy("b", "ingress", f"{{action: Deny, {FROM_ALL}}}"),
        ],
        r"^ClusterNetworkPolicy b spec.ingress\[0\] \(Deny\) and ClusterNetworkPolicy a spec.ingress\[0\] \(Accept\) "
        r"have the same priority 10 in the Admin tier and match some of the same ingress traffic \(both apply to "
        r"shop/db, shop/web\)",
    ),
    "NP019-quiet-with-different-priorities": case(
        "NP019",
        [
            tier_policy("a", "ingress", f"{{action: Accept, {FROM_ALL}}}"),
            tier_policy("b", "ingress", f"{{action: Deny, {FROM_ALL}}}", priority=11),
        ],
    ),
    "NP020-fires-after-a-broader-rule": case(
        "NP020",
        [tier_policy("p", "egress", f"{{action: Deny, {TO_ALL}}}", f"{{action: Accept, {TO_DB}}}")],
        r"^ClusterNetworkPolicy p spec.egress\[1\] \(Accept\) never decides anything: its own spec.egress\[0\] "
        r"\(Deny\) comes first",
    ),
    "NP020-quiet-before-a-broader-rule": case(
        "NP020", [tier_policy("p", "egress", f"{{action: Accept, {TO_DB}}}", f"{{action: Deny, {TO_ALL}}}")]
    ),
    "NP021-fires-when-nothing-isolates-the-pods": case(
        "NP021",
        [tier_policy("p", "ingress", f"{{action: Pass, {FROM_ALL}}}")],
        r"^ClusterNetworkPolicy p spec.ingress\[0\]: Pass leaves the traffic to NetworkPolicy and the Baseline tier, "
        r".*\(shop/db, shop/web\), so the default allows it: the Pass is in effect an Accept$",
    ),
    "NP021-quiet-when-networkpolicy-isolates": case(
        "NP021", [DENY_INGRESS, tier_policy("p", "ingress", f"{{action: Pass, {FROM_ALL}}}")]
    ),
    "NP022-fires-on-a-deny-of-every-address": case(
        "NP022",
        [tier_policy("p", "egress", "{action: Deny, to: [{networks: [0.0.0.0/0]}]}", tier="Baseline")],
        r"^ClusterNetworkPolicy p spec.egress\[0\]: Deny networks 0.0.0.0/0 also matches pod addresses, so it denies "
        r"traffic to 4 pods \(backend/api, kube-system/coredns, shop/db and 1 more\) as well",
    ),
    "NP022-quiet-on-external-addresses": case(
        "NP022", [tier_policy("p", "egress", "{action: Deny, to: [{networks: [203.0.113.0/24]}]}", tier="Baseline")]
    ),
    "NP023-fires-over-a-default-deny": case(
        "NP023",
        [DENY_INGRESS, tier_policy("p", "ingress", f"{{action: Accept, {FROM_ALL}}}")],
        r"^ClusterNetworkPolicy p spec.ingress\[0\]: Accept is final, .* never consulted: shop/db, shop/web "
        r"\(isolated for ingress by shop/deny-ingress\)$",
    ),
    "NP023-quiet-without-networkpolicy": case(
        "NP023", [tier_policy("p", "ingress", f"{{action: Accept, {FROM_ALL}}}")]
    ),
    "NP024-fires-on-a-deny-by-name": case(
        "NP024",
        [tier_policy("p", "egress", "{action: Deny, to: [{domainNames: [pastebin.example]}]}")],
        r"^ClusterNetworkPolicy p spec.egress\[0\]: domainNames pastebin.example in a Deny rule; the API documents "
        r"domainNames for Accept rules only$",
    ),
    "NP024-quiet-on-an-accept-by-name": case(
        "NP024", [tier_policy("p", "egress", "{action: Accept, to: [{domainNames: [api.example]}]}")]
    ),
}

CASES |= TIER_CASES


# -- NP025 - NP029: Services and Ingress (tests/unit/test_lint_services.py has the details) ----------------


def service(ref: str, selector: str, ports: str, extra: str = "") -> str:
    ns, name = ref.split("/")
    return (
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: {ns}}}\n"
        f"spec:\n  selector: {{{selector}}}\n  ports: [{ports}]\n{extra}"
    )


DB_SERVICE = service("shop/db", "app: db", "{port: 5432, targetPort: pg}", "  clusterIP: 10.96.0.30\n")
WEB_SERVICE = service("shop/web", "app: web", "{name: http, port: 80, targetPort: http}")
WEB_INGRESS = (
    "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: web, namespace: shop}\n"
    "spec:\n  defaultBackend: {service: {name: web, port: {number: 80}}}\n"
)

SERVICE_CASES = {
    "NP025-fires-on-a-clusterip": case(
        "NP025",
        [DB_SERVICE, egress_allow("shop/out", "{}", "- ipBlock: {cidr: 10.96.0.30/32}", "[{port: 5432}]")],
        r"^policy shop/out spec.egress\[0\].to\[0\]: ipBlock 10.96.0.30/32 covers the ClusterIP 10.96.0.30 of "
        r"Service shop/db and no pod address of the input",
    ),
    "NP025-quiet-on-the-backends": case(
        "NP025", [DB_SERVICE, egress_allow("shop/out", "{}", "- podSelector: {matchLabels: {app: db}}", "[]")]
    ),
    "NP026-fires-on-the-service-port": case(
        "NP026",
        [WEB_SERVICE, ingress_allow("shop/in", "{matchLabels: {app: web}}", "- podSelector: {}", "[{port: 80}]")],
        r"^policy shop/in spec.ingress\[0\].ports\[0\]: TCP 80 is the port of Service shop/web, but a connection "
        r"through it reaches shop/web on targetPort http \(TCP 8080\)",
    ),
    "NP026-quiet-on-the-target-port": case(
        "NP026",
        [WEB_SERVICE, ingress_allow("shop/in", "{matchLabels: {app: web}}", "- podSelector: {}", "[{port: http}]")],
    ),
    "NP027-fires-on-a-selector-without-pods": case(
        "NP027",
        [service("shop/cache", "app: cache", "{port: 6379}")],
        r"^Service shop/cache: selector \{app=cache\} selects no pod of the input in namespace shop",
    ),
    "NP027-quiet-on-a-selected-pod": case("NP027", [WEB_SERVICE]),
    "NP028-fires-under-a-default-deny": case(
        "NP028",
        [DENY_INGRESS, DB_SERVICE],
        r"^Service shop/db spec.ports\[0\] \(5432/TCP\): every backend is isolated for ingress and none of their "
        r"ingress rules allows TCP 5432",
    ),
    "NP028-quiet-with-an-allow": case(
        "NP028",
        [DENY_INGRESS, DB_SERVICE, ingress_allow("shop/in", "{matchLabels: {app: db}}", "- podSelector: {}", "[]")],
    ),
    "NP029-fires-under-a-default-deny": case(
        "NP029",
        [DENY_INGRESS, WEB_SERVICE, WEB_INGRESS],
        r"^Ingress shop/web: the ingress controller \(\{ingress-controller\}\) cannot reach its backend shop/web "
        r"\(TCP 8080\)",
    ),
    "NP029-quiet-when-the-controller-may-be-admitted": case(
        "NP029",
        [
            DENY_INGRESS,
            WEB_SERVICE,
            WEB_INGRESS,
            ingress_allow("shop/in", "{matchLabels: {app: web}}", "- namespaceSelector: {}", "[{port: http}]"),
        ],
    ),
}

CASES |= SERVICE_CASES


def run(
    manifests: tuple[str, ...] | list[str], config: LintConfig | None = None, options: Options | None = None
) -> list[Finding]:
    texts = {f"m{i:02d}.yaml": text for i, text in enumerate(manifests)}
    return lint(PolicyIndex(load_texts(texts).cluster, options or Options()), config)


@pytest.mark.parametrize("c", list(CASES.values()), ids=list(CASES))
def test_rule(c: Case) -> None:
    found = [f for f in run(c.manifests, options=c.options) if f.rule == c.rule]
    assert len(found) == len(c.expected), "\n".join(f.message for f in found)
    for finding, pattern, may in zip(found, c.expected, c.may, strict=True):
        severity = RULES_BY_ID[c.rule].severity
        if may and severity is Severity.ERROR:
            severity = Severity.WARNING  # what the input does not decide is at most a warning
        assert re.search(pattern, finding.message), finding.message
        assert finding.severity is severity
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
        # where the rule comes from, in words a reader can follow with the repository and public
        # Kubernetes sources only (no section number of a document the reader does not have)
        assert r.reference, r.id
        assert "\N{SECTION SIGN}" not in r.reference, r.id


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
