"""The upstream Kubernetes e2e NetworkPolicy suite (test/e2e/network/netpol/), replayed on the model.

Upstream builds namespaces x, y, z (labelled ``ns=<name>`` plus the automatic
``kubernetes.io/metadata.name``), each with pods a, b, c (labelled ``pod=<name>``) serving ports 80
and 81 on TCP, UDP and SCTP, one container per port and protocol, with the named ports
``serve-<port>-<protocol>``. Each test creates policies, starts from a reachability matrix over the
9x9 pod pairs that is all true, applies the test's changes (expect / expect-peer / all-ingress /
all-egress, later calls overriding earlier ones) and compares with what it probes on one
port/protocol. Loopback (a pod to itself) is ignored, as upstream does.

Here every expectation is written the upstream way and compared with
:func:`netsim.matrix.build_matrix`. Policy names and shapes follow the upstream tests; multi-step
tests (update a policy, relabel a pod or namespace, delete) are one row per step. The Go code is
not copied: this is an independent transcription of the expected truth tables.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pytest

from netsim.engine import PolicyIndex
from netsim.matrix import build_matrix
from netsim.model import NetworkPolicy, Pod, PortSpec, Protocol, Rule
from tests.unit.builders import (
    ALL,
    SCTP,
    TCP,
    UDP,
    block,
    cluster,
    cport,
    expr,
    namespace,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
)

NAMESPACES = ("x", "y", "z")
POD_NAMES = ("a", "b", "c")
NS_NAME = "kubernetes.io/metadata.name"
ALL_PODS = tuple(f"{ns}/{p}" for ns in NAMESPACES for p in POD_NAMES)


def _ip(ref: str) -> str:
    ns, name = ref.split("/")
    return f"10.0.{NAMESPACES.index(ns) + 1}.{POD_NAMES.index(name) + 1}"


def _model_pod(ref: str, extra: Mapping[str, str]) -> Pod:
    name = ref.split("/")[1]
    ports = [cport(n, proto, f"serve-{n}-{proto.value.lower()}") for n in (80, 81) for proto in (TCP, UDP, SCTP)]
    return pod(ref, {"pod": name, **extra}, ip=_ip(ref), ports=ports)


# ------------------------------------------------------------------------------------------------
# The reachability truth table, with upstream's verbs


@dataclass
class Reachability:
    """Expected connectivity of every ordered pod pair; starts all true."""

    expected: dict[tuple[str, str], bool] = field(
        default_factory=lambda: {(s, d): True for s in ALL_PODS for d in ALL_PODS}
    )

    @staticmethod
    def _matches(ref: str, where: str) -> bool:
        """``where`` is "" (any pod), "x" (a namespace) or "x/a" (one pod)."""
        return where in ("", ref, ref.split("/")[0])

    def expect(self, src: str, dst: str, connected: bool) -> Reachability:
        self.expected[(src, dst)] = connected
        return self

    def expect_peer(self, src: str, dst: str, connected: bool) -> Reachability:
        for s, d in self.expected:
            if self._matches(s, src) and self._matches(d, dst):
                self.expected[(s, d)] = connected
        return self

    def expect_all_ingress(self, dst: str, connected: bool) -> Reachability:
        return self.expect_peer("", dst, connected)

    def expect_all_egress(self, src: str, connected: bool) -> Reachability:
        return self.expect_peer(src, "", connected)


Expectation = Callable[[Reachability], object]


def all_true(r: Reachability) -> object:
    return r


@dataclass(frozen=True)
class E2ECase:
    """One probe of an upstream test: policies (and label changes), a port, the truth table."""

    policies: tuple[NetworkPolicy, ...]
    port: int
    protocol: Protocol
    expectation: Expectation
    pod_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    ns_labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def e2e(
    case_id: str,
    policies: list[NetworkPolicy],
    port_: int,
    expectation: Expectation,
    protocol: Protocol = TCP,
    pod_labels: Mapping[str, Mapping[str, str]] | None = None,
    ns_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> object:
    return pytest.param(
        E2ECase(tuple(policies), port_, protocol, expectation, pod_labels or {}, ns_labels or {}), id=case_id
    )


# ------------------------------------------------------------------------------------------------
# Policy builders in upstream's vocabulary (GenNetworkPolicyWithNameAndPodSelector + SetSpec*Rules:
# policyTypes lists exactly the directions whose rules were set, even when the list is empty)


def ingress_policy(ref: str, target: Mapping[str, str], *rules: Rule) -> NetworkPolicy:
    return policy(ref, sel(target), ingress=rules, types="Ingress")


def egress_policy(ref: str, target: Mapping[str, str], *rules: Rule) -> NetworkPolicy:
    return policy(ref, sel(target), egress=rules, types="Egress")


A = {"pod": "a"}
ANY: dict[str, str] = {}
DENY_INGRESS_X = ingress_policy("x/deny-ingress", ANY)
DENY_ALL_X = policy("x/deny-all", ALL, types="Ingress,Egress")


def ns_is(name: str) -> dict[str, str]:
    return {NS_NAME: name}


NOT_IN_X = sel(None, expr(NS_NAME, "NotIn", "x"))
ALLOW_PORT_81_FROM_Y = ingress_policy(
    "x/allow-client-a-via-ns-selector", A, rule(peer(None, sel(ns_is("y"))), ports=[port(81, TCP)])
)
ALLOW_PORT_80_FROM_Y = ingress_policy(
    "x/allow-client-a-via-ns-selector-80", A, rule(peer(None, sel(ns_is("y"))), ports=[port(80, TCP)])
)
CLIENT_SIDE_EGRESS = egress_policy("x/allow-to-ns-y-pod-a", A, rule(peer(sel(A), sel(ns_is("y")))))
FROM_XA = rule(peer(sel(A), sel(ns_is("x"))))
POD_B_IP = f"{_ip('x/b')}/32"
LARGE_CIDR_AROUND_XB = "0.0.0.0/4"  # upstream's makeLargeCIDRForIP: the /4 holding x/b's address


def _stacked_81(r: Reachability) -> object:
    return r.expect_peer("x", "x/a", False).expect_peer("y", "x/a", True).expect_peer("z", "x/a", False)


def _ingress_egress_81(r: Reachability) -> object:
    r.expect_all_ingress("x/a", False).expect_all_egress("x/a", False)
    return r.expect("x/b", "x/a", True)


def _client_side(r: Reachability) -> object:
    r.expect_peer("x/a", "", False).expect_peer("", "y/a", False)
    return r.expect_peer("x/a", "y/a", True).expect_peer("", "y/b", False)


CASES = [
    # default deny ---------------------------------------------------------------------------------
    e2e("default-deny-ingress", [DENY_INGRESS_X], 80, lambda r: r.expect_peer("", "x", False)),
    e2e("udp-default-deny-ingress", [DENY_INGRESS_X], 80, lambda r: r.expect_peer("", "x", False), UDP),
    e2e("sctp-default-deny-ingress", [DENY_INGRESS_X], 80, lambda r: r.expect_peer("", "x", False), SCTP),
    e2e(
        "default-deny-all",
        [DENY_ALL_X],
        80,
        lambda r: r.expect_peer("", "x", False).expect_peer("x", "", False),
    ),
    # podSelector / namespaceSelector peers ----------------------------------------------------------
    e2e(
        "allow-from-pods-within-server-namespace-by-podSelector",
        [ingress_policy("x/x-a-allows-x-b", A, rule(peer(sel({"pod": "b"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("x/b", "x/a", True),
    ),
    e2e(
        "allow-ingress-for-a-target",
        [
            ingress_policy("x/deny-all", ANY),
            ingress_policy("x/allow-all-to-a", A, rule(peer(ALL, ALL))),
        ],
        80,
        lambda r: r.expect_all_ingress("x/a", True).expect_all_ingress("x/b", False).expect_all_ingress("x/c", False),
    ),
    e2e(
        "allow-ingress-from-pods-in-all-namespaces",
        [ingress_policy("x/allow-from-another-ns", A, rule(peer(None, ALL)))],
        80,
        all_true,
    ),
    e2e(
        "allow-only-from-different-namespace-by-namespaceSelector",
        [ingress_policy("x/allow-client-a-via-ns-selector", A, rule(peer(None, sel(ns_is("y")))))],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "podSelector-with-matchExpressions",
        [ingress_policy("x/x-a-allows-x-b", A, rule(peer(sel(None, expr("pod", "In", "b")))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("x/b", "x/a", True),
    ),
    e2e(
        "namespaceSelector-with-matchExpressions",
        [ingress_policy("x/allow-ns-y-match-selector", A, rule(peer(None, sel(None, expr(NS_NAME, "In", "y")))))],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "podSelector-or-namespaceSelector",
        [ingress_policy("x/allow-ns-y-match-selector", A, rule(peer(None, NOT_IN_X), peer(sel({"pod": "b"}))))],
        80,
        lambda r: r.expect("x/a", "x/a", False).expect("x/c", "x/a", False),
    ),
    e2e(
        "podSelector-and-namespaceSelector",
        [ingress_policy("x/allow-ns-y-podselector-and-nsselector", A, rule(peer(sel({"pod": "b"}), NOT_IN_X)))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("y/b", "x/a", True).expect("z/b", "x/a", True),
    ),
    e2e(
        "multiple-podSelectors-and-namespaceSelectors",
        [ingress_policy("x/allow-ns-y-z-pod-b-c", A, rule(peer(sel(None, expr("pod", "In", "b", "c")), NOT_IN_X)))],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect("y/a", "x/a", False).expect("z/a", "x/a", False),
    ),
    e2e(
        "any-podSelectors",
        [ingress_policy("x/allow-ns-x-pod-b-c", A, rule(peer(sel({"pod": "b"})), peer(sel({"pod": "c"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("x/b", "x/a", True).expect("x/c", "x/a", True),
    ),
    e2e(
        "only-from-a-pod-in-a-different-namespace",
        [ingress_policy("x/allow-ns-y-pod-a-via-namespace-pod-selector", A, rule(peer(sel(A), sel(ns_is("y")))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("y/a", "x/a", True),
    ),
    e2e(
        "udp-only-from-a-pod-in-a-different-namespace",
        [ingress_policy("x/allow-ns-y-pod-a-via-namespace-pod-selector", A, rule(peer(sel(A), sel(ns_is("y")))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("y/a", "x/a", True),
        UDP,
    ),
    e2e(
        "sctp-only-from-a-pod-in-a-different-namespace",
        [ingress_policy("x/allow-ns-y-pod-a-via-namespace-pod-selector", A, rule(peer(sel(A), sel(ns_is("y")))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("y/a", "x/a", True),
        SCTP,
    ),
    e2e(
        "namespaceSelector-matchLabels-default-ns-label",
        [
            ingress_policy(
                "x/allow-client-a-via-ns-selector-for-immutable-ns-label", A, rule(peer(None, sel(ns_is("y"))))
            )
        ],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "namespaceSelector-matchExpressions-NotIn-default-ns-label-egress",
        [
            egress_policy(
                "x/allow-ns-y-match-selector-for-immutable-ns-label",
                A,
                rule(peer(None, sel(None, expr(NS_NAME, "NotIn", "y")))),
            )
        ],
        80,
        lambda r: r.expect_peer("x/a", "y", False),
    ),
    e2e(
        "deny-ingress-from-pods-on-other-namespaces",
        [ingress_policy("x/deny-empty-policy", ANY, rule(peer(ALL)))],
        80,
        lambda r: r.expect_peer("y", "x", False).expect_peer("z", "x", False),
    ),
    # ports and protocols ----------------------------------------------------------------------------
    e2e("ports", [ALLOW_PORT_81_FROM_Y], 81, _stacked_81),
    e2e(
        "udp-ports",
        [
            ingress_policy(
                "x/allow-ingress-on-port-81-ns-x", A, rule(peer(None, sel(ns_is("y"))), ports=[port(81, UDP)])
            )
        ],
        81,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
        UDP,
    ),
    e2e(
        "sctp-ports",
        [
            ingress_policy(
                "x/allow-ingress-on-port-81-ns-x", A, rule(peer(None, sel(ns_is("y"))), ports=[port(81, SCTP)])
            )
        ],
        81,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
        SCTP,
    ),
    e2e("stacked-policies-port-81", [ALLOW_PORT_81_FROM_Y], 81, _stacked_81),
    e2e("stacked-policies-port-80-denied", [ALLOW_PORT_81_FROM_Y], 80, lambda r: r.expect_all_ingress("x/a", False)),
    e2e("stacked-policies-port-80-after-adding-policy", [ALLOW_PORT_81_FROM_Y, ALLOW_PORT_80_FROM_Y], 80, _stacked_81),
    e2e(
        "any-port-on-a-specific-protocol-tcp",
        [ingress_policy("x/allow-ingress-by-proto", A, rule(ports=[port(None, TCP)]))],
        80,
        all_true,
    ),
    e2e(
        "any-port-on-a-specific-protocol-udp",
        [ingress_policy("x/allow-ingress-by-proto", A, rule(ports=[port(None, TCP)]))],
        80,
        lambda r: r.expect_peer("", "x/a", False),
        UDP,
    ),
    e2e(
        "sctp-is-not-tcp",
        [DENY_INGRESS_X, ingress_policy("x/allow-only-sctp-ingress-on-port-81", A, rule(ports=[port(81, SCTP)]))],
        81,
        lambda r: r.expect_peer("", "x", False),
    ),
    e2e(
        "sctp-policy-still-isolates",
        [ingress_policy("x/allow-only-sctp-ingress-on-port-80", A, rule(ports=[port(80, SCTP)]))],
        81,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    e2e(
        "udp-policy-does-not-allow-tcp",
        [ingress_policy("x/allow-only-udp-ingress-on-port-81", A, rule(ports=[port(81, UDP)]))],
        81,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    # endPort (KEP-2079): a range 80-81 behaves like both ports, 81-82 leaves 80 out ---------------
    e2e(
        "endPort-range-includes-port-80",
        [ingress_policy("x/allow-80-81-from-y", A, rule(peer(None, sel(ns_is("y"))), ports=[port(80, TCP, 81)]))],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "endPort-range-includes-port-81",
        [ingress_policy("x/allow-80-81-from-y", A, rule(peer(None, sel(ns_is("y"))), ports=[port(80, TCP, 81)]))],
        81,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "endPort-range-excludes-port-below",
        [ingress_policy("x/allow-81-82-from-y", A, rule(peer(None, sel(ns_is("y"))), ports=[port(81, TCP, 82)]))],
        80,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    e2e(
        "endPort-range-on-egress",
        [egress_policy("x/egress-81-90", ANY, rule(ports=[port(81, TCP, 90)]))],
        80,
        lambda r: r.expect_peer("x", "", False),
    ),
    # named ports --------------------------------------------------------------------------------------
    e2e(
        "ingress-on-one-named-port-81",
        [ingress_policy("x/allow-all", ANY, rule(ports=[port("serve-81-tcp")]))],
        81,
        all_true,
    ),
    e2e(
        "ingress-on-one-named-port-80-denied",
        [ingress_policy("x/allow-all", ANY, rule(ports=[port("serve-81-tcp")]))],
        80,
        lambda r: r.expect_peer("", "x", False),
    ),
    e2e(
        "ingress-from-namespace-on-one-named-port-80",
        [
            ingress_policy(
                "x/allow-client-a-via-ns-selector-80",
                A,
                rule(peer(None, sel(ns_is("y"))), ports=[port("serve-80-tcp")]),
            )
        ],
        80,
        lambda r: r.expect_peer("x", "x/a", False).expect_peer("z", "x/a", False),
    ),
    e2e(
        "ingress-from-namespace-on-one-named-port-81-denied",
        [
            ingress_policy(
                "x/allow-client-a-via-ns-selector-80",
                A,
                rule(peer(None, sel(ns_is("y"))), ports=[port("serve-80-tcp")]),
            )
        ],
        81,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    e2e(
        "egress-on-one-named-port-80",
        [egress_policy("x/allow-egress", ANY, rule(ports=[port("serve-80-tcp")]))],
        80,
        all_true,
    ),
    e2e(
        "egress-on-one-named-port-81-denied",
        [egress_policy("x/allow-egress", ANY, rule(ports=[port("serve-80-tcp")]))],
        81,
        lambda r: r.expect_peer("x", "", False),
    ),
    e2e(
        "egress-named-udp-port-with-udp-protocol",
        [egress_policy("x/allow-egress-udp", ANY, rule(ports=[port("serve-81-udp", UDP)]))],
        81,
        all_true,
        UDP,
    ),
    e2e(
        "egress-named-udp-port-with-default-tcp-protocol",
        [egress_policy("x/allow-egress-udp", ANY, rule(ports=[port("serve-81-udp")]))],
        81,
        lambda r: r.expect_peer("x", "", False),
        UDP,
    ),
    # allow-all and additivity -----------------------------------------------------------------------
    e2e("allow-all-port-80", [ingress_policy("x/allow-all", ANY, rule())], 80, all_true),
    e2e("allow-all-port-81", [ingress_policy("x/allow-all", ANY, rule())], 81, all_true),
    e2e(
        "multiple-ingress-policies-before-allow-all",
        [ingress_policy("x/allow-ingress-port-80", ANY, rule(ports=[port(80)]))],
        81,
        lambda r: r.expect_peer("", "x", False),
    ),
    e2e(
        "multiple-ingress-policies-allow-all-takes-precedence",
        [
            ingress_policy("x/allow-ingress-port-80", ANY, rule(ports=[port(80)])),
            ingress_policy("x/allow-ingress", ANY, rule()),
        ],
        81,
        all_true,
    ),
    e2e(
        "multiple-egress-policies-before-allow-all",
        [egress_policy("x/allow-egress-port-80", ANY, rule(ports=[port(80)]))],
        81,
        lambda r: r.expect_peer("x", "", False),
    ),
    e2e(
        "multiple-egress-policies-allow-all-takes-precedence",
        [
            egress_policy("x/allow-egress-port-80", ANY, rule(ports=[port(80)])),
            egress_policy("x/allow-egress", ANY, rule()),
        ],
        81,
        all_true,
    ),
    # egress -------------------------------------------------------------------------------------------
    e2e(
        "deny-egress-from-pods-by-podSelector",
        [egress_policy("x/deny-egress-pod-a", A)],
        80,
        lambda r: r.expect_all_egress("x/a", False),
    ),
    e2e(
        "deny-egress-from-all-pods-in-namespace",
        [egress_policy("x/deny-egress-ns-x", ANY)],
        80,
        lambda r: r.expect_peer("x", "", False),
    ),
    e2e(
        "egress-to-server-in-other-namespace-by-pod-and-namespace",
        [CLIENT_SIDE_EGRESS],
        80,
        lambda r: r.expect_all_egress("x/a", False).expect("x/a", "y/a", True),
    ),
    e2e(
        "deny-egress-on-client-side-even-if-server-allows",
        [
            CLIENT_SIDE_EGRESS,
            ingress_policy("y/allow-from-xa-on-ya-match-selector", A, FROM_XA),
            ingress_policy("y/allow-from-xa-on-yb-match-selector", {"pod": "b"}, FROM_XA),
        ],
        80,
        _client_side,
    ),
    e2e(
        "ingress-and-egress-together-port-80",
        [
            policy(
                "x/allow-client-a-via-pod-selector",
                sel(A),
                ingress=[rule(peer(sel({"pod": "b"})))],
                egress=[rule(ports=[port(80)])],
                types="Egress,Ingress",
            )
        ],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("x/b", "x/a", True),
    ),
    e2e(
        "ingress-and-egress-together-port-81",
        [
            policy(
                "x/allow-client-a-via-pod-selector",
                sel(A),
                ingress=[rule(peer(sel({"pod": "b"})))],
                egress=[rule(ports=[port(80)])],
                types="Egress,Ingress",
            )
        ],
        81,
        _ingress_egress_81,
    ),
    e2e(
        "ingress-and-egress-controlled-independently-egress-only",
        [egress_policy("x/allow-egress-for-target", A, rule())],
        80,
        all_true,
    ),
    e2e(
        "ingress-and-egress-controlled-independently-plus-deny-ingress",
        [egress_policy("x/allow-egress-for-target", A, rule()), ingress_policy("x/deny-ingress-via-label-selector", A)],
        80,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    # ipBlock with pod IPs -------------------------------------------------------------------------------
    e2e(
        "egress-to-server-in-cidr-block",
        [egress_policy("x/allow-client-a-via-cidr-egress-rule", A, rule(block(f"{_ip('y/b')}/32")))],
        80,
        lambda r: r.expect_all_egress("x/a", False).expect("x/a", "y/b", True),
    ),
    e2e(
        "except-clause-in-cidr-block",
        [egress_policy("x/allow-client-a-via-cidr-egress-rule", A, rule(block(LARGE_CIDR_AROUND_XB, POD_B_IP)))],
        80,
        lambda r: r.expect("x/a", "x/b", False),
    ),
    e2e(
        "ip-in-both-cidr-and-except-allowed-by-another-peer",
        [
            egress_policy("x/allow-client-a-via-cidr-egress-rule", A, rule(block(LARGE_CIDR_AROUND_XB, POD_B_IP))),
            egress_policy("x/allow-client-a-via-cidr-egress-rule-b", A, rule(block(POD_B_IP))),
        ],
        80,
        all_true,
    ),
    e2e(
        "ip-in-both-cidr-and-except-after-policy-update",
        [egress_policy("x/allow-client-a-via-cidr-egress-rule", A, rule(block(POD_B_IP)))],
        80,
        lambda r: r.expect_all_egress("x/a", False).expect("x/a", "x/b", True),
    ),
    # updates, relabelling, deletion, policies selecting no pod ----------------------------------------
    e2e(
        "updated-policy-before-allow-all", [ingress_policy("x/allow-all-mutate-to-deny-all", ANY, rule())], 81, all_true
    ),
    e2e(
        "updated-policy-after-deny-all",
        [ingress_policy("x/allow-all-mutate-to-deny-all", ANY)],
        81,
        lambda r: r.expect_peer("", "x", False),
    ),
    e2e(
        "ingress-from-updated-namespace-before-label",
        [ingress_policy("x/allow-client-a-via-ns-selector", A, rule(peer(None, sel({"ns2": "updated"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    e2e(
        "ingress-from-updated-namespace-after-label",
        [ingress_policy("x/allow-client-a-via-ns-selector", A, rule(peer(None, sel({"ns2": "updated"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect_peer("y", "", True),
        ns_labels={"y": {"ns2": "updated"}},
    ),
    e2e(
        "ingress-from-updated-pod-before-label",
        [ingress_policy("x/allow-client-a-via-pod-selector", A, rule(peer(sel({"pod": "b", "pod2": "updated"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False),
    ),
    e2e(
        "ingress-from-updated-pod-after-label",
        [ingress_policy("x/allow-client-a-via-pod-selector", A, rule(peer(sel({"pod": "b", "pod2": "updated"}))))],
        80,
        lambda r: r.expect_all_ingress("x/a", False).expect("x/b", "x/a", True),
        pod_labels={"x/b": {"pod2": "updated"}},
    ),
    e2e(
        "policy-selecting-no-pod-has-no-effect",
        [ingress_policy("x/deny-ingress-via-label-selector", {"target": "isolated"})],
        80,
        all_true,
    ),
    e2e(
        "deny-ingress-to-updated-pod",
        [ingress_policy("x/deny-ingress-via-label-selector", {"target": "isolated"})],
        80,
        lambda r: r.expect_all_ingress("x/a", False),
        pod_labels={"x/a": {"target": "isolated"}},
    ),
    e2e(
        "stop-enforcing-while-deny-all",
        [DENY_ALL_X],
        80,
        lambda r: r.expect_peer("x", "", False).expect_peer("", "x", False),
    ),
    e2e("stop-enforcing-after-delete", [], 80, all_true),
]


def _cluster_for(c: E2ECase) -> PolicyIndex:
    pods = [_model_pod(ref, c.pod_labels.get(ref, {})) for ref in ALL_PODS]
    namespaces = [namespace(ns, {"ns": ns, **c.ns_labels.get(ns, {})}) for ns in NAMESPACES]
    return PolicyIndex(cluster(pods, c.policies, namespaces))


def _table(cells: Mapping[tuple[str, str], str]) -> str:
    head = "-\t" + "\t".join(ALL_PODS)
    rows = [src + "\t" + "\t".join(cells[(src, dst)] for dst in ALL_PODS) for src in ALL_PODS]
    return "\n".join([head, *rows])


@pytest.mark.parametrize("c", CASES)
def test_upstream_truth_table(c: E2ECase) -> None:
    reach = Reachability()
    c.expectation(reach)
    matrix = build_matrix(_cluster_for(c), c.port, c.protocol)
    assert matrix.pods == ALL_PODS
    wrong = {
        pair: want
        for pair, want in reach.expected.items()
        if pair[0] != pair[1] and matrix.is_allowed(*pair) is not want  # loopback is ignored upstream
    }
    cells = {
        pair: "-" if pair[0] == pair[1] else ("!" if pair in wrong else ("." if want else "X"))
        for pair, want in reach.expected.items()
    }
    assert not wrong, f"{c.port}/{c.protocol}: expected . allowed, X denied; ! marks a difference\n{_table(cells)}"


def test_model_is_the_upstream_one() -> None:
    """Nine pods, each with the six upstream containers' named ports, in labelled namespaces."""
    index = _cluster_for(E2ECase((), 80, TCP, all_true))
    assert len(index.cluster.pods) == 9
    xa = index.cluster.pod("x/a")
    assert xa is not None
    assert dict(xa.labels) == {"pod": "a"}
    assert sorted(cp.name or "" for cp in xa.ports) == [
        "serve-80-sctp",
        "serve-80-tcp",
        "serve-80-udp",
        "serve-81-sctp",
        "serve-81-tcp",
        "serve-81-udp",
    ]
    assert dict(index.cluster.namespace_labels("y")) == {"ns": "y", NS_NAME: "y"}


def test_empty_port_entry_is_tcp_only_on_the_model() -> None:
    """``ports: [{}]`` on x: TCP 80 open for everyone, UDP 80 closed into x."""
    pols = (ingress_policy("x/empty-port", ANY, rule(ports=[PortSpec()])),)
    tcp = build_matrix(_cluster_for(E2ECase(pols, 80, TCP, all_true)), 80, TCP)
    udp = build_matrix(_cluster_for(E2ECase(pols, 80, UDP, all_true)), 80, UDP)
    assert len(tcp.allowed) == 72
    assert {dst for _, dst in set(udp.allowed)} == {"y/a", "y/b", "y/c", "z/a", "z/b", "z/c"}
