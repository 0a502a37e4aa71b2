"""The engine against the rules of docs/semantics.md, one row per rule (ids start with the rule's
topic; the comments name the section of docs/semantics.md), plus the explanation evidence and
rendered explanations for a few verdicts.

Every row builds its policies from model objects (no YAML) over one small world:

* prod (env=prod, team=core): web (app=web, node n1), db (app=db, node n2), v6 (IPv6 only)
* dev (env=dev): web (app=web), client (app=client, tier=frontend)
* ops: agent (hostNetwork on n1), remote-agent (hostNetwork on n2)
* outside: 8.8.8.8, 2001:db8::1, and the node addresses 192.168.0.11 (n1), 192.168.0.12 (n2)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.model import Cluster, Direction, Endpoint, NetworkPolicy, Options, Pod, PortSpec, Protocol, Rule
from netsim.render.text import explain
from tests.unit.builders import (
    ALL,
    SCTP,
    TCP,
    UDP,
    block,
    cluster,
    cport,
    expr,
    ext,
    namespace,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
    verdict,
)

N1, N2 = "192.168.0.11", "192.168.0.12"
PODS: dict[str, Pod] = {
    p.ref: p
    for p in [
        pod(
            "prod/web",
            {"app": "web"},
            ip="10.0.1.10",
            node="n1",
            host_ip=N1,
            ports=[cport(80, TCP, "http"), cport(8080, TCP)],
        ),
        pod(
            "prod/db",
            {"app": "db"},
            ip="10.0.1.20",
            node="n2",
            host_ip=N2,
            ports=[
                cport(5432, TCP, "pg"),
                cport(53, UDP, "dns"),
                cport(9100, TCP, "metrics"),
                cport(9200, TCP, "metrics"),
            ],
        ),
        pod("prod/v6", {"app": "v6"}, ip="fd00::10", node="n2", host_ip=N2),
        pod("dev/web", {"app": "web"}, ip="10.0.2.10", node="n1", host_ip=N1),
        pod("dev/client", {"app": "client", "tier": "frontend"}, ip="10.0.2.20", node="n2", host_ip=N2),
        pod("ops/agent", {"app": "agent"}, host_network=True, node="n1", host_ip=N1),
        pod("ops/remote-agent", {"app": "agent"}, host_network=True, node="n2", host_ip=N2),
    ]
}
NAMESPACES = (namespace("prod", {"env": "prod", "team": "core"}), namespace("dev", {"env": "dev"}), namespace("ops"))


def ep(name: str) -> Endpoint:
    """A pod of the world by ``ns/name``, or an address."""
    return PODS[name] if "/" in name else ext(name)


def world(*policies: NetworkPolicy) -> PolicyIndex:
    return PolicyIndex(cluster(PODS.values(), policies, NAMESPACES))


# Reusable policies ------------------------------------------------------------------------------
DENY_INGRESS_PROD = policy("prod/deny-ingress", ALL, types="Ingress")
DENY_EGRESS_PROD = policy("prod/deny-egress", ALL, types="Egress")
DENY_ALL_PROD = policy("prod/deny-all", ALL, types="Ingress,Egress")
DB = sel({"app": "db"})
WEB = sel({"app": "web"})


def db_ingress(*rules: Rule, name: str = "db-ingress") -> NetworkPolicy:
    """An Ingress policy on prod/db with the given rules."""
    return policy(f"prod/{name}", DB, ingress=rules, types="Ingress")


@dataclass(frozen=True)
class Case:
    """One connection attempt in the world with some policies, and the expected verdict."""

    policies: tuple[NetworkPolicy, ...]
    src: str
    dst: str
    allowed: bool
    port: int = 80
    protocol: Protocol = TCP
    denied_at: str = ""  # "egress", "ingress" or "egress and ingress" when denied
    options: Options = field(default_factory=Options)


def case(
    case_id: str,
    policies: list[NetworkPolicy],
    src: str,
    dst: str,
    allowed: bool,
    port_: int = 80,
    protocol: Protocol = TCP,
    denied_at: str = "ingress",
    options: Options | None = None,
) -> object:
    return pytest.param(
        Case(tuple(policies), src, dst, allowed, port_, protocol, "" if allowed else denied_at, options or Options()),
        id=case_id,
    )


CASES = [
    # isolation is per direction, by policies of the pod's own namespace ("Isolation, per direction")
    case("isolation-no-policy-selects-pod-all-allowed", [], "dev/client", "prod/db", True, 5432),
    case(
        "isolation-selected-pod-is-ingress-isolated",
        [policy("prod/p", DB, types="Ingress")],
        "dev/client",
        "prod/db",
        False,
    ),
    case(
        "isolation-unselected-pod-stays-open", [policy("prod/p", DB, types="Ingress")], "dev/client", "prod/web", True
    ),
    case(
        "isolation-only-policies-of-pods-own-namespace-apply",
        [policy("dev/deny-everything", ALL, types="Ingress,Egress")],
        "prod/web",
        "prod/db",
        True,
    ),
    case(
        "isolation-egress-isolation-denies-egress",
        [DENY_EGRESS_PROD],
        "prod/web",
        "dev/client",
        False,
        denied_at="egress",
    ),
    case("isolation-egress-isolation-leaves-ingress-open", [DENY_EGRESS_PROD], "dev/client", "prod/web", True),
    case("isolation-ingress-isolation-leaves-egress-open", [DENY_INGRESS_PROD], "prod/web", "dev/client", True),
    case(
        "isolation-policyTypes-Egress-ignores-ingress-rules",
        [policy("prod/p", WEB, ingress=[rule(peer(DB))], egress=[rule()], types="Egress")],
        "dev/client",
        "prod/web",
        True,
    ),
    case(
        "isolation-policyTypes-Ingress-ignores-egress-rules",
        [policy("prod/p", WEB, ingress=[rule()], egress=[rule(peer(DB))], types="Ingress")],
        "prod/web",
        "dev/client",
        True,
    ),
    case("isolation-empty-podSelector-selects-every-pod", [DENY_INGRESS_PROD], "dev/client", "prod/v6", False),
    # policyTypes defaulting ("Defaulting"; the builder defaults like the API server when types=None)
    case(
        "defaulting-egress-only-without-policyTypes-isolates-ingress",
        [policy("prod/egress-only", WEB, egress=[rule()])],
        "dev/client",
        "prod/web",
        False,
    ),
    case(
        "defaulting-egress-rules-without-policyTypes-isolate-egress",
        [policy("prod/egress-to-db", WEB, egress=[rule(peer(DB))])],
        "prod/web",
        "dev/client",
        False,
        denied_at="egress",
    ),
    case(
        "defaulting-empty-egress-without-policyTypes-leaves-egress-open",
        [policy("prod/no-egress-rules", WEB)],
        "prod/web",
        "dev/client",
        True,
    ),
    case(
        "defaulting-explicit-Egress-without-rules-denies-egress",
        [policy("prod/deny-egress-web", WEB, types="Egress")],
        "prod/web",
        "dev/client",
        False,
        denied_at="egress",
    ),
    # additivity: union across policies and rules; ports AND peers within a rule ("Isolation, ...")
    case(
        "additive-policies-are-additive",
        [
            db_ingress(rule(peer(WEB), ports=[port(5432)]), name="from-web"),
            db_ingress(rule(peer(None, sel({"env": "dev"})), ports=[port(5432)]), name="from-dev"),
        ],
        "dev/client",
        "prod/db",
        True,
        5432,
    ),
    case(
        "additive-deny-all-does-not-override-an-allow",
        [DENY_INGRESS_PROD, db_ingress(rule(peer(None, ALL)))],
        "dev/client",
        "prod/db",
        True,
    ),
    case(
        "additive-rules-of-a-policy-are-ORed",
        [db_ingress(rule(peer(WEB)), rule(peer(None, sel({"env": "dev"}))))],
        "dev/client",
        "prod/db",
        True,
    ),
    case(
        "additive-ports-and-peers-of-a-rule-are-ANDed",
        [db_ingress(rule(peer(WEB), ports=[port(5432)]))],
        "prod/web",
        "prod/db",
        False,
        80,
    ),
    case(
        "additive-ports-entries-are-ORed",
        [db_ingress(rule(peer(WEB), ports=[port(80), port(5432)]))],
        "prod/web",
        "prod/db",
        True,
        5432,
    ),
    case(
        "additive-except-is-not-a-deny-another-rule-allows",
        [
            policy(
                "prod/out",
                WEB,
                egress=[rule(block("8.0.0.0/8", "8.8.8.0/24")), rule(block("8.8.8.8/32"))],
                types="Egress",
            )
        ],
        "prod/web",
        "8.8.8.8",
        True,
    ),
    case(
        "additive-except-is-not-a-deny-another-policy-allows",
        [
            policy("prod/out", WEB, egress=[rule(block("8.0.0.0/8", "8.8.8.0/24"))], types="Egress"),
            policy("prod/dns", WEB, egress=[rule(block("8.8.8.8/32"))], types="Egress"),
        ],
        "prod/web",
        "8.8.8.8",
        True,
    ),
    case(
        "additive-except-narrows-its-own-peer",
        [policy("prod/out", WEB, egress=[rule(block("8.0.0.0/8", "8.8.8.0/24"))], types="Egress")],
        "prod/web",
        "8.8.8.8",
        False,
        denied_at="egress",
    ),
    # both ends must allow; addresses outside the pods have no policy ("The verdict") ------------
    case(
        "both-ends-egress-allows-but-ingress-denies",
        [policy("prod/out", WEB, egress=[rule()], types="Egress"), policy("dev/deny", ALL, types="Ingress")],
        "prod/web",
        "dev/client",
        False,
    ),
    case(
        "both-ends-ingress-allows-but-egress-denies",
        [db_ingress(rule()), policy("dev/deny-out", ALL, types="Egress")],
        "dev/client",
        "prod/db",
        False,
        denied_at="egress",
    ),
    case(
        "both-ends-both-deny",
        [DENY_INGRESS_PROD, policy("dev/deny-out", ALL, types="Egress")],
        "dev/client",
        "prod/db",
        False,
        denied_at="egress and ingress",
    ),
    case(
        "both-ends-both-allow",
        [db_ingress(rule(peer(None, sel({"env": "dev"})))), policy("dev/out", ALL, egress=[rule(peer(DB, ALL))])],
        "dev/client",
        "prod/db",
        True,
    ),
    case(
        "both-ends-external-source-has-no-egress-policy",
        [DENY_EGRESS_PROD, db_ingress(rule(block("0.0.0.0/0")))],
        "8.8.8.8",
        "prod/db",
        True,
    ),
    case(
        "both-ends-external-destination-has-no-ingress-policy",
        [policy("prod/out", WEB, egress=[rule(block("8.0.0.0/8"))], types="Egress")],
        "prod/web",
        "8.8.8.8",
        True,
    ),
    case(
        "both-ends-external-source-still-needs-ingress-allow",
        [db_ingress(rule(peer(None, ALL)))],
        "8.8.8.8",
        "prod/db",
        False,
    ),
    # exemptions: own node, itself ("The local node", "A pod and itself") --------------------------
    case("exempt-ingress-from-own-node-always-allowed", [DENY_INGRESS_PROD], N1, "prod/web", True),
    case("exempt-ingress-from-other-node-follows-rules", [DENY_INGRESS_PROD], N2, "prod/web", False),
    case("exempt-ingress-from-hostNetwork-pod-on-own-node", [DENY_INGRESS_PROD], "ops/agent", "prod/web", True),
    case(
        "exempt-ingress-from-hostNetwork-pod-on-other-node", [DENY_INGRESS_PROD], "ops/remote-agent", "prod/web", False
    ),
    case("exempt-egress-to-own-node-allowed-by-default", [DENY_EGRESS_PROD], "prod/web", N1, True),
    case(
        "exempt-egress-to-own-node-knob-off",
        [DENY_EGRESS_PROD],
        "prod/web",
        N1,
        False,
        denied_at="egress",
        options=Options(egress_to_own_node=False),
    ),
    case("exempt-egress-to-other-node-follows-rules", [DENY_EGRESS_PROD], "prod/web", N2, False, denied_at="egress"),
    case("exempt-pod-to-itself-always-allowed", [DENY_ALL_PROD], "prod/web", "prod/web", True),
    case("exempt-pod-to-itself-any-protocol", [DENY_ALL_PROD], "prod/db", "prod/db", True, 53, UDP),
    # hostNetwork pods: never subjects, never selected, matched by ipBlock of their node IP
    case(
        "hostNetwork-pod-never-ingress-isolated",
        [policy("ops/deny", ALL, types="Ingress,Egress")],
        "dev/client",
        "ops/agent",
        True,
    ),
    case(
        "hostNetwork-pod-never-egress-isolated",
        [policy("ops/deny", ALL, types="Ingress,Egress")],
        "ops/agent",
        "dev/client",
        True,
    ),
    case(
        "hostNetwork-pod-never-matches-selectors",
        [policy("prod/any-pod", WEB, ingress=[rule(peer(ALL, ALL))], types="Ingress")],
        "ops/remote-agent",
        "prod/web",
        False,
    ),
    case(
        "hostNetwork-pod-matched-by-ipBlock-of-node-ip",
        [policy("prod/nodes", WEB, ingress=[rule(block("192.168.0.0/24"))], types="Ingress")],
        "ops/remote-agent",
        "prod/web",
        True,
    ),
    case(
        "hostNetwork-destination-matched-by-ipBlock-only",
        [policy("prod/out", DB, egress=[rule(peer(None, ALL))], types="Egress")],
        "prod/db",
        "ops/agent",
        False,
        denied_at="egress",
    ),
    case(
        "hostNetwork-knob-hostNetwork-as-pod-is-a-subject",
        [policy("ops/deny", ALL, types="Ingress,Egress")],
        "dev/client",
        "ops/agent",
        False,
        options=Options(host_network_as_node=False),
    ),
    case(
        "hostNetwork-knob-hostNetwork-as-pod-matches-selectors",
        [policy("prod/any-pod", WEB, ingress=[rule(peer(ALL, ALL))], types="Ingress")],
        "ops/remote-agent",
        "prod/web",
        True,
        options=Options(host_network_as_node=False),
    ),
    case(
        "hostNetwork-knob-hostNetwork-as-pod-is-not-the-node",
        [DENY_INGRESS_PROD],
        "ops/agent",
        "prod/web",
        False,
        options=Options(host_network_as_node=False),
    ),
    # peers ("Peers") ------------------------------------------------------------------------------
    case("peers-podSelector-only-is-own-namespace", [db_ingress(rule(peer(WEB)))], "prod/web", "prod/db", True),
    case("peers-podSelector-only-not-other-namespace", [db_ingress(rule(peer(WEB)))], "dev/web", "prod/db", False),
    case(
        "peers-namespaceSelector-only-is-all-pods-of-namespaces",
        [db_ingress(rule(peer(None, sel({"env": "dev"}))))],
        "dev/client",
        "prod/db",
        True,
    ),
    case(
        "peers-namespaceSelector-only-not-other-namespaces",
        [db_ingress(rule(peer(None, sel({"env": "dev"}))))],
        "prod/web",
        "prod/db",
        False,
    ),
    case(
        "peers-both-selectors-in-one-peer-AND-pod-fails",
        [db_ingress(rule(peer(WEB, sel({"env": "dev"}))))],
        "dev/client",
        "prod/db",
        False,
    ),
    case(
        "peers-both-selectors-in-one-peer-AND-both-hold",
        [db_ingress(rule(peer(WEB, sel({"env": "dev"}))))],
        "dev/web",
        "prod/db",
        True,
    ),
    case(
        "peers-two-peers-OR-namespace-side",
        [db_ingress(rule(peer(None, sel({"env": "dev"})), peer(WEB)))],
        "dev/client",
        "prod/db",
        True,
    ),
    case(
        "peers-two-peers-OR-pod-side",
        [db_ingress(rule(peer(None, sel({"env": "dev"})), peer(WEB)))],
        "prod/web",
        "prod/db",
        True,
    ),
    case("peers-empty-podSelector-own-namespace-only", [db_ingress(rule(peer(ALL)))], "dev/web", "prod/db", False),
    case(
        "peers-empty-namespaceSelector-every-namespace", [db_ingress(rule(peer(None, ALL)))], "dev/web", "prod/db", True
    ),
    case("peers-both-empty-every-pod", [db_ingress(rule(peer(ALL, ALL)))], "dev/client", "prod/db", True),
    case(
        "peers-namespace-by-metadata-name-label",
        [db_ingress(rule(peer(None, sel({"kubernetes.io/metadata.name": "dev"}))))],
        "dev/client",
        "prod/db",
        True,
    ),
    # omitted vs empty ("Omitted and empty") -------------------------------------------------------
    case("omitted-vs-empty-no-ingress-rules-deny-all", [db_ingress()], "prod/web", "prod/db", False),
    case(
        "omitted-vs-empty-empty-rule-allows-all-sources", [db_ingress(rule())], "8.8.8.8", "prod/db", True, 9999, SCTP
    ),
    case(
        "omitted-vs-empty-rule-without-from-matches-all-sources",
        [db_ingress(rule(ports=[port(5432)]))],
        "8.8.8.8",
        "prod/db",
        True,
        5432,
    ),
    case(
        "omitted-vs-empty-rule-without-ports-matches-every-protocol",
        [db_ingress(rule(peer(WEB)))],
        "prod/web",
        "prod/db",
        True,
        53,
        UDP,
    ),
    case(
        "omitted-vs-empty-empty-port-entry-allows-every-TCP-port",
        [db_ingress(rule(ports=[PortSpec()]))],
        "prod/web",
        "prod/db",
        True,
        65535,
    ),
    case(
        "omitted-vs-empty-empty-port-entry-does-not-allow-UDP",
        [db_ingress(rule(ports=[PortSpec()]))],
        "prod/web",
        "prod/db",
        False,
        53,
        UDP,
    ),
    case(
        "omitted-vs-empty-egress-rule-without-to-matches-all-destinations",
        [policy("prod/out", WEB, egress=[rule(ports=[port(443)])], types="Egress")],
        "prod/web",
        "2001:db8::1",
        True,
        443,
    ),
    # ipBlock ("ipBlock") --------------------------------------------------------------------------
    case("ipBlock-cidr", [db_ingress(rule(block("8.8.0.0/16")))], "8.8.8.8", "prod/db", True),
    case("ipBlock-except", [db_ingress(rule(block("8.8.0.0/16", "8.8.8.0/24")))], "8.8.8.8", "prod/db", False),
    case("ipBlock-ipv6", [db_ingress(rule(block("2001:db8::/32")))], "2001:db8::1", "prod/db", True),
    case("ipBlock-ipv4-never-ipv6", [db_ingress(rule(block("0.0.0.0/0")))], "2001:db8::1", "prod/db", False),
    case("ipBlock-ipv6-never-ipv4", [db_ingress(rule(block("::/0")))], "8.8.8.8", "prod/db", False),
    case(
        "ipBlock-ipv6-pod-ip",
        [policy("prod/v6-out", WEB, egress=[rule(block("fd00::/64"))], types="Egress")],
        "prod/web",
        "prod/v6",
        True,
    ),
    case("ipBlock-selects-pod-ip", [db_ingress(rule(block("10.0.2.20/32")))], "dev/client", "prod/db", True),
    case(
        "ipBlock-pod-ip-knob-off",
        [db_ingress(rule(block("10.0.0.0/8")))],
        "dev/client",
        "prod/db",
        False,
        options=Options(ipblock_matches_pods=False),
    ),
    # ports ("Ports and named ports", "endPort") ----------------------------------------------------
    case("protocol-defaults-to-TCP", [db_ingress(rule(ports=[port(53)]))], "prod/web", "prod/db", False, 53, UDP),
    case("protocol-SCTP-is-not-TCP", [db_ingress(rule(ports=[port(81, SCTP)]))], "prod/web", "prod/db", False, 81),
    case(
        "port-protocol-only-all-its-ports",
        [db_ingress(rule(ports=[port(None, UDP)]))],
        "prod/web",
        "prod/db",
        True,
        9999,
        UDP,
    ),
    case(
        "port-protocol-only-not-others", [db_ingress(rule(ports=[port(None, UDP)]))], "prod/web", "prod/db", False, 80
    ),
    case("named-port-ingress", [db_ingress(rule(ports=[port("pg")]))], "prod/web", "prod/db", True, 5432),
    case(
        "named-port-ingress-other-number",
        [db_ingress(rule(ports=[port("pg")]))],
        "prod/web",
        "prod/db",
        False,
        5433,
    ),
    case(
        "named-port-egress-resolved-on-destination",
        [policy("prod/out", WEB, egress=[rule(ports=[port("dns", UDP)])], types="Egress")],
        "prod/web",
        "prod/db",
        True,
        53,
        UDP,
    ),
    case(
        "named-port-egress-destination-without-that-name",
        [policy("prod/out", WEB, egress=[rule(ports=[port("dns", UDP)])], types="Egress")],
        "prod/web",
        "dev/client",
        False,
        53,
        UDP,
        denied_at="egress",
    ),
    case(
        "named-port-not-resolved-on-the-source",
        [policy("prod/out", WEB, egress=[rule(ports=[port("http")])], types="Egress")],
        "prod/web",
        "dev/web",
        False,
        80,
        denied_at="egress",
    ),
    case(
        "named-port-udp-declared-tcp-rule",
        [db_ingress(rule(ports=[port("dns")]))],
        "prod/web",
        "prod/db",
        False,
        53,
        UDP,
    ),
    case(
        "named-port-several-containers",
        [db_ingress(rule(ports=[port("metrics")]))],
        "prod/web",
        "prod/db",
        True,
        9200,
    ),
    case(
        "named-port-never-matches-external",
        [policy("prod/out", DB, egress=[rule(block("0.0.0.0/0"), ports=[port("dns", UDP)])], types="Egress")],
        "prod/db",
        "8.8.8.8",
        False,
        53,
        UDP,
        denied_at="egress",
    ),
    case(
        "endPort-upper-bound-inclusive",
        [db_ingress(rule(ports=[port(5000, TCP, 5010)]))],
        "prod/web",
        "prod/db",
        True,
        5010,
    ),
    case(
        "endPort-lower-bound-inclusive",
        [db_ingress(rule(ports=[port(5000, TCP, 5010)]))],
        "prod/web",
        "prod/db",
        True,
        5000,
    ),
    case(
        "endPort-outside-range",
        [db_ingress(rule(ports=[port(5000, TCP, 5010)]))],
        "prod/web",
        "prod/db",
        False,
        5011,
    ),
    # label selectors ("Label selectors") ----------------------------------------------------------
    case(
        "selector-NotIn-selects-pods-without-the-key",
        [db_ingress(rule(peer(sel(None, expr("tier", "NotIn", "frontend")), ALL)))],
        "prod/web",
        "prod/db",
        True,
    ),
    case(
        "selector-NotIn-rejects-listed-value",
        [db_ingress(rule(peer(sel(None, expr("tier", "NotIn", "frontend")), ALL)))],
        "dev/client",
        "prod/db",
        False,
    ),
    case(
        "selector-matchLabels-AND-matchExpressions",
        [db_ingress(rule(peer(sel({"app": "client"}, expr("tier", "In", "backend")), ALL)))],
        "dev/client",
        "prod/db",
        False,
    ),
    case(
        "selector-podSelector-with-expressions-selects-subject",
        [policy("prod/p", sel(None, expr("app", "In", "db", "v6")), types="Ingress")],
        "prod/web",
        "prod/v6",
        False,
    ),
    case(
        "selector-namespaceSelector-uses-namespace-labels",
        [db_ingress(rule(peer(None, sel(None, expr("team", "Exists")))))],
        "dev/client",
        "prod/db",
        False,
    ),
]


@pytest.mark.parametrize("c", CASES)
def test_reference_rule(c: Case) -> None:
    index = PolicyIndex(cluster(PODS.values(), c.policies, NAMESPACES), c.options)
    v = verdict(index, ep(c.src), ep(c.dst), c.port, c.protocol)
    assert v.allowed is c.allowed, explain(v)
    denied = [d for d, ok in (("egress", v.egress_allowed), ("ingress", v.ingress_allowed)) if not ok]
    assert " and ".join(denied) == c.denied_at, explain(v)
    # the all-ports pair verdict says the same as the one-port verdict
    pair = evaluate_pair(index, ep(c.src), ep(c.dst))
    assert pair.conns.allows(c.port, c.protocol) is c.allowed


# ------------------------------------------------------------------------------------------------
# Evidence: what a verdict records, so an explanation can never disagree with it.


def test_evidence_matched_peer_and_ports() -> None:
    the_peer = peer(WEB)
    pol = db_ingress(rule(the_peer, ports=[port(5432), port("dns", UDP)]))
    v = verdict(world(pol), ep("prod/web"), ep("prod/db"), 5432)
    assert v.egress.isolating == ()
    assert v.egress.outcomes == ()
    assert v.egress.conns == ConnSet.all()
    assert v.ingress.isolating == (pol,)
    (outcome,) = v.ingress.outcomes
    assert outcome.policy is pol
    assert outcome.direction is Direction.INGRESS
    assert outcome.index == 0
    assert outcome.field == "spec.ingress[0]"
    assert outcome.peer_matched
    assert outcome.matched_peer == the_peer
    assert outcome.peer_misses == ()
    assert outcome.ports == ConnSet.of(TCP, 5432) | ConnSet.of(UDP, 53)
    assert outcome.port_notes == ("named port 'dns' is UDP 53 on prod/db",)
    assert v.ingress.matches_for(5432, TCP) == (outcome,)
    assert v.ingress.matches_for(5433, TCP) == ()


def test_evidence_peer_misses() -> None:
    pol = db_ingress(rule(peer(WEB), peer(None, sel({"env": "prod"}))))
    v = verdict(world(pol), ep("dev/client"), ep("prod/db"))
    (outcome,) = v.ingress.outcomes
    assert not outcome.peer_matched
    assert outcome.matched_peer is None
    assert outcome.peer_misses == (
        "pod dev/client not matched by podSelector {app=web}: label app=web required, but app=client",
        "namespace dev not matched by namespaceSelector {env=prod}: label env=prod required, but env=dev",
    )
    assert outcome.ports == ConnSet.all()
    assert outcome.allowed == ConnSet.none()
    assert v.ingress.conns == ConnSet.none()


def test_evidence_rule_without_peers_matches_without_a_peer() -> None:
    pol = db_ingress(rule(ports=[port(5432)]))
    (outcome,) = verdict(world(pol), ep("8.8.8.8"), ep("prod/db"), 5432).ingress.outcomes
    assert outcome.peer_matched
    assert outcome.matched_peer is None
    assert outcome.allowed == ConnSet.of(TCP, 5432)


def test_evidence_second_peer_recorded_when_first_misses() -> None:
    second = peer(None, sel({"env": "dev"}))
    pol = db_ingress(rule(peer(WEB), second))
    (outcome,) = verdict(world(pol), ep("dev/client"), ep("prod/db")).ingress.outcomes
    assert outcome.matched_peer == second


def test_evidence_every_rule_of_every_isolating_policy() -> None:
    a = db_ingress(rule(peer(WEB)), rule(ports=[port(53, UDP)]), name="a")
    b = policy("prod/b", ALL, ingress=[rule(block("10.0.0.0/8"))], types="Ingress")
    other = policy("prod/c", WEB, ingress=[rule()], types="Ingress")
    v = verdict(world(a, b, other), ep("dev/client"), ep("prod/db"), 53, UDP)
    assert v.ingress.isolating == (a, b)
    assert [(o.policy.name, o.index, o.peer_matched) for o in v.ingress.outcomes] == [
        ("a", 0, False),
        ("a", 1, True),
        ("b", 0, True),
    ]
    assert [o.policy.name for o in v.ingress.matches_for(53, UDP)] == ["a", "b"]


@pytest.mark.parametrize(
    ("src", "dst", "direction", "exemption"),
    [
        pytest.param("prod/web", "prod/web", Direction.INGRESS, "a pod can always reach itself", id="itself"),
        pytest.param(
            N1, "prod/web", Direction.INGRESS, "traffic from prod/web's own node is always allowed", id="node"
        ),
        pytest.param(
            "prod/web", N1, Direction.EGRESS, "traffic to prod/web's own node is always allowed", id="to-node"
        ),
        pytest.param(
            "8.8.8.8",
            "prod/web",
            Direction.EGRESS,
            "8.8.8.8 is not a pod, so no NetworkPolicy applies to it",
            id="external",
        ),
        pytest.param(
            "ops/agent",
            "prod/db",
            Direction.EGRESS,
            "ops/agent is a hostNetwork pod; NetworkPolicy does not select those (its traffic is its node's)",
            id="hostNetwork",
        ),
    ],
)
def test_evidence_exemptions(src: str, dst: str, direction: Direction, exemption: str) -> None:
    v = verdict(world(DENY_ALL_PROD, policy("ops/deny", ALL, types="Ingress,Egress")), ep(src), ep(dst))
    side = v.ingress if direction is Direction.INGRESS else v.egress
    assert side.exemption == exemption
    assert not side.isolated
    assert side.conns == ConnSet.all()


def test_pair_conns_is_intersection_of_sides() -> None:
    out = policy("prod/out", WEB, egress=[rule(ports=[port(80, TCP, 90), port(None, UDP)])], types="Egress")
    into = db_ingress(rule(ports=[port(85, TCP, 100), port(53, UDP)]))
    pair = evaluate_pair(world(out, into), ep("prod/web"), ep("prod/db"))
    assert pair.egress.conns == ConnSet.of(TCP, 80, 90) | ConnSet.of(UDP)
    assert pair.ingress.conns == ConnSet.of(TCP, 85, 100) | ConnSet.of(UDP, 53)
    assert pair.conns == ConnSet.of(TCP, 85, 90) | ConnSet.of(UDP, 53)
    assert str(pair.conns) == "TCP 85-90,UDP 53"


def test_explain_flag_never_changes_the_outcome() -> None:
    pols = [
        db_ingress(rule(peer(WEB), ports=[port("pg")]), rule(block("10.0.0.0/8", "10.0.1.0/24"))),
        policy("dev/out", ALL, egress=[rule(peer(DB, ALL), ports=[port("pg")])], types="Egress"),
    ]
    index = world(*pols)
    for src in PODS.values():
        for dst in PODS.values():
            quiet = evaluate_pair(index, src, dst)
            loud = evaluate_pair(index, src, dst, explain=True)
            assert quiet.conns == loud.conns, (src.ref, dst.ref)


# ------------------------------------------------------------------------------------------------
# Rendered explanations (netsim.render.text.explain), pinned exactly.


def test_explain_text_denied_by_podselector_only_peer() -> None:
    pol = db_ingress(rule(peer(WEB), ports=[port(5432)]), name="db-allow-web")
    text = explain(verdict(world(pol), ep("dev/web"), ep("prod/db"), 5432))
    assert text == (
        "dev/web -> prod/db 5432/TCP: DENIED\n"
        "  egress  at dev/web: not isolated: no policy selects dev/web for Egress -> allowed\n"
        "  ingress at prod/db: isolated by prod/db-allow-web -> denied\n"
        "    x prod/db-allow-web spec.ingress[0]: source not matched: "
        "pod dev/web is not in the policy's namespace prod (podSelector alone)\n"
        "  => denied at ingress\n"
    )


def test_explain_text_allowed_with_named_port_and_defaulted_types() -> None:
    pol = policy("prod/db-pg", DB, ingress=[rule(peer(None, sel({"env": "dev"})), ports=[port("pg")])])
    text = explain(verdict(world(pol), ep("dev/client"), ep("prod/db"), 5432))
    assert text == (
        "dev/client -> prod/db 5432/TCP: ALLOWED\n"
        "  egress  at dev/client: not isolated: no policy selects dev/client for Egress -> allowed\n"
        "  ingress at prod/db: isolated by prod/db-pg [policyTypes defaulted to Ingress] -> allowed\n"
        "    + prod/db-pg spec.ingress[0]: all pods in namespaces {env=dev}, TCP named port 'pg': allows 5432/TCP\n"
        "        note: named port 'pg' is TCP 5432 on prod/db\n"
        "  => allowed: egress and ingress both allow it\n"
    )


def test_explain_text_egress_default_deny_and_port_miss() -> None:
    deny = policy("prod/deny-egress", ALL, types="Egress")
    web_out = policy("prod/web-out", WEB, egress=[rule(block("8.8.8.0/24"), ports=[port(53, UDP)])], types="Egress")
    text = explain(verdict(world(deny, web_out), ep("prod/web"), ep("8.8.8.8"), 53))
    assert text == (
        "prod/web -> 8.8.8.8 53/TCP: DENIED\n"
        "  egress  at prod/web: isolated by prod/deny-egress, prod/web-out -> denied\n"
        "    x prod/web-out spec.egress[0]: destination matched (ipBlock 8.8.8.0/24), "
        "but 53/TCP is not in its ports (UDP 53 -> UDP 53)\n"
        "    - prod/deny-egress has no egress rules: it only isolates (default deny for Egress)\n"
        "  ingress at 8.8.8.8: 8.8.8.8 is not a pod, so no NetworkPolicy applies to it -> allowed\n"
        "  => denied at egress\n"
    )


def test_explain_text_several_peers_missed_and_own_node() -> None:
    pol = db_ingress(rule(peer(WEB), block("10.0.0.0/16")), name="db-in")
    index = world(pol)
    text = explain(verdict(index, ep("8.8.8.8"), ep("prod/db")))
    assert text == (
        "8.8.8.8 -> prod/db 80/TCP: DENIED\n"
        "  egress  at 8.8.8.8: 8.8.8.8 is not a pod, so no NetworkPolicy applies to it -> allowed\n"
        "  ingress at prod/db: isolated by prod/db-in -> denied\n"
        "    x prod/db-in spec.ingress[0]: source matched by none of its peers:\n"
        "        from[0]: 8.8.8.8 is not a pod; a selector only selects pods\n"
        "        from[1]: 8.8.8.8 is not in 10.0.0.0/16\n"
        "  => denied at ingress\n"
    )
    assert explain(verdict(index, ep(N2), ep("prod/db"))) == (
        "192.168.0.12 -> prod/db 80/TCP: ALLOWED\n"
        "  egress  at 192.168.0.12: 192.168.0.12 is not a pod, so no NetworkPolicy applies to it -> allowed\n"
        "  ingress at prod/db: traffic from prod/db's own node is always allowed -> allowed\n"
        "  => allowed: egress and ingress both allow it\n"
    )


def test_open_namespace_selectors_name_the_namespaces_a_selector_cannot_decide() -> None:
    pods = [pod("shop/web", {"app": "web"}), pod("cart/web", {"app": "web"}), pod("ops/tool", {"app": "tool"})]
    pol = policy(
        "prod/db-in",
        sel({"app": "db"}),
        ingress=[
            rule(peer(sel({"app": "web"}), sel({"team": "storefront"}))),  # shop and cart hold web pods
            rule(peer(None, sel({"kubernetes.io/metadata.name": "shop"}))),  # decided by the name label
        ],
    )
    # only prod is declared: shop, cart and ops have no manifest
    c = Cluster((namespace("prod"),), tuple(sorted(pods, key=lambda p: p.ref)), (pol,))
    [unknown] = PolicyIndex(c).open_namespace_selectors()
    assert unknown.about == "namespaces cart, shop"
    assert unknown.condition == (
        "namespaces cart, shop have no manifest, so whether namespaceSelector {team=storefront} of prod/db-in "
        "spec.ingress[0] selects them is undetermined (--closed-world: only the name label)"
    )
    assert PolicyIndex(c, Options(closed_world=True)).open_namespace_selectors() == ()
    declared = Cluster(tuple(namespace(n) for n in ("cart", "ops", "prod", "shop")), c.pods, c.policies)
    assert PolicyIndex(declared).open_namespace_selectors() == ()
