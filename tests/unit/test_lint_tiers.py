"""Lint rules of the Admin and Baseline tiers (NP019-NP024), on clusters built in code: whatever
loads ``Cluster.cluster_policies``, the rules read the model.

Each case runs *every* rule and keeps the findings of the rule under test, so a rule that fires
where another one should is caught too. The base cluster: gryffindor/harry (10.0.1.1),
ravenclaw/luna (10.0.2.1, declares ``web`` TCP 80) and slytherin/draco (10.0.3.1), no
NetworkPolicy unless a case adds one.
"""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address, ip_network

import pytest

from netsim.engine import PolicyIndex, evaluate
from netsim.errors import SourceSpan
from netsim.lint import RULES_BY_ID, Finding, Severity, lint
from netsim.lint.tiers import RULES
from netsim.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterPort,
    ClusterRule,
    DomainNamesPeer,
    IPBlockPeer,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Node,
    NodesPeer,
    Pod,
    PodPeer,
    Protocol,
    Requirement,
    Tier,
    Traffic,
)
from netsim.verdict import Decision
from tests.unit.builders import cluster, cport, pod, policy, port, rule, sel

TCP, UDP = Protocol.TCP, Protocol.UDP
ACCEPT, DENY, PASS = Action.ACCEPT, Action.DENY, Action.PASS
HARRY = pod("gryffindor/harry", {"app": "harry"}, ip="10.0.1.1")
LUNA = pod("ravenclaw/luna", {"app": "luna"}, ip="10.0.2.1", ports=[cport(80, name="web")])
DRACO = pod("slytherin/draco", {"app": "draco"}, ip="10.0.3.1")
PODS = (HARRY, LUNA, DRACO)
EVERYWHERE = PodPeer(LabelSelector(), None)  # namespaces: {}
V4, V6 = IPBlockPeer(ip_network("0.0.0.0/0")), IPBlockPeer(ip_network("::/0"))


def ns(name: str) -> PodPeer:
    """``namespaces: {matchLabels: {kubernetes.io/metadata.name: name}}``."""
    return PodPeer(LabelSelector(Labels({"kubernetes.io/metadata.name": name})), None)


def pods(namespace: str, app: str) -> PodPeer:
    """``pods: {namespaceSelector: <by name>, podSelector: {matchLabels: {app: app}}}``."""
    return PodPeer(ns(namespace).namespace_selector, sel({"app": app}))


def net(*cidrs: str) -> tuple[IPBlockPeer, ...]:
    return tuple(IPBlockPeer(ip_network(c)) for c in cidrs)


def tcp(number: int, end: int | None = None) -> tuple[ClusterPort, ...]:
    return (ClusterPort(TCP, number, end),)


def r(action: Action, *peers: ClusterPeer, ports: tuple[ClusterPort, ...] | None = None) -> ClusterRule:
    return ClusterRule(action, peers, ports)


def cnp(
    name: str,
    priority: int,
    subject: PodPeer,
    *,
    egress: tuple[ClusterRule, ...] = (),
    ingress: tuple[ClusterRule, ...] = (),
    tier: Tier = Tier.ADMIN,
) -> ClusterNetworkPolicy:
    return ClusterNetworkPolicy("ClusterNetworkPolicy", name, tier, priority, subject, ingress, egress)


def with_tiers(
    *tiers: ClusterNetworkPolicy,
    policies: tuple[NetworkPolicy, ...] = (),
    pods: tuple[Pod, ...] = PODS,
    nodes: tuple[Node, ...] = (),
) -> Cluster:
    base = cluster(pods, policies)
    return Cluster(base.namespaces, base.pods, base.policies, cluster_policies=tiers, nodes=nodes)


def findings(c: Cluster, rule: str) -> list[Finding]:
    return [f for f in lint(PolicyIndex(c)) if f.rule == rule]


@dataclass(frozen=True)
class Case:
    rule: str
    cluster: Cluster
    expected: tuple[str, ...] = ()  # the exact messages, in order; () = quiet


def fires(rule: str, c: Cluster, *messages: str) -> Case:
    return Case(rule, c, messages)


def quiet(rule: str, c: Cluster) -> Case:
    return Case(rule, c)


A_ACCEPT_80 = cnp("a", 10, ns("gryffindor"), egress=(r(ACCEPT, ns("ravenclaw"), ports=tcp(80)),))
B_DENY = cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw")),))
TIE = (
    "ClusterNetworkPolicy b spec.egress[0] (Deny) and ClusterNetworkPolicy a spec.egress[0] (Accept) have the same "
    "priority 10 in the Admin tier and match some of the same egress traffic{pods}: the API lets the implementation "
    "apply either policy first, so the answer is undetermined"
)
DENY_INGRESS = policy("gryffindor/deny-ingress", types="Ingress")
DENY_EGRESS = policy("gryffindor/deny-egress", types="Egress")

CASES = {
    # -- NP019: same priority, overlapping rules, different actions ---------------------------------------------
    "NP019-fires-on-a-shared-pod-and-port": fires(
        "NP019", with_tiers(A_ACCEPT_80, B_DENY), TIE.format(pods=" (both apply to gryffindor/harry)")
    ),
    "NP019-fires-on-selectors-as-written-without-pods": fires(
        "NP019", with_tiers(A_ACCEPT_80, B_DENY, pods=()), TIE.format(pods="")
    ),
    "NP019-fires-on-overlapping-networks": fires(
        "NP019",
        with_tiers(
            cnp("a", 10, ns("gryffindor"), egress=(r(ACCEPT, *net("10.1.0.0/16")),)),
            cnp("b", 10, ns("gryffindor"), egress=(r(DENY, *net("10.0.0.0/8")),)),
        ),
        TIE.format(pods=" (both apply to gryffindor/harry)"),
    ),
    "NP019-fires-on-a-named-port-of-the-destination": fires(
        "NP019",
        with_tiers(
            cnp("a", 10, ns("gryffindor"), egress=(r(ACCEPT, ns("ravenclaw"), ports=(ClusterPort(None, "web"),)),)),
            cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw"), ports=tcp(80)),)),
        ),
        TIE.format(pods=" (both apply to gryffindor/harry)"),
    ),
    "NP019-quiet-with-different-priorities": quiet(
        "NP019", with_tiers(A_ACCEPT_80, cnp("b", 11, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw")),)))
    ),
    "NP019-quiet-with-the-same-action": quiet(
        "NP019", with_tiers(cnp("a", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw"), ports=tcp(80)),)), B_DENY)
    ),
    "NP019-quiet-on-different-ports": quiet(
        "NP019",
        with_tiers(A_ACCEPT_80, cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw"), ports=tcp(443)),))),
    ),
    "NP019-quiet-on-different-peers": quiet(
        "NP019", with_tiers(A_ACCEPT_80, cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("slytherin")),)))
    ),
    "NP019-quiet-on-different-subjects": quiet(
        "NP019", with_tiers(A_ACCEPT_80, cnp("b", 10, ns("slytherin"), egress=(r(DENY, ns("ravenclaw")),)))
    ),
    "NP019-quiet-on-disjoint-selectors-without-pods": quiet(
        "NP019",
        with_tiers(
            A_ACCEPT_80,
            cnp("b", 10, ns("slytherin"), egress=(r(DENY, ns("ravenclaw")),)),
            pods=(),
        ),
    ),
    "NP019-quiet-when-an-earlier-rule-takes-the-traffic": quiet(
        "NP019",
        with_tiers(
            A_ACCEPT_80,
            cnp(
                "b", 10, ns("gryffindor"), egress=(r(ACCEPT, ns("ravenclaw"), ports=tcp(80)), r(DENY, ns("ravenclaw")))
            ),
        ),
    ),
    "NP019-quiet-across-tiers": quiet(
        "NP019",
        with_tiers(A_ACCEPT_80, cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw")),), tier=Tier.BASELINE)),
    ),
    # -- NP020: shadowed rule -------------------------------------------------------------------------------------
    "NP020-fires-under-an-earlier-rule-of-its-policy": fires(
        "NP020",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(DENY, EVERYWHERE), r(ACCEPT, pods("ravenclaw", "luna"))))),
        "ClusterNetworkPolicy p spec.egress[1] (Accept) never decides anything: its own spec.egress[0] (Deny) comes "
        "first and matches every peer and port it matches",
    ),
    "NP020-fires-under-a-policy-of-a-lower-priority-number": fires(
        "NP020",
        with_tiers(
            cnp("wide", 5, EVERYWHERE, egress=(r(DENY, *net("10.0.0.0/8"), ports=tcp(1, 1024)),)),
            cnp("p", 10, ns("gryffindor"), egress=(r(ACCEPT, *net("10.1.0.0/16"), ports=tcp(443)),)),
        ),
        "ClusterNetworkPolicy p spec.egress[0] (Accept) never decides anything: ClusterNetworkPolicy wide "
        "spec.egress[0] (Deny, priority 5, whose subject selects every pod this policy's does) comes first and "
        "matches every peer and port it matches",
    ),
    "NP020-fires-under-every-address": fires(
        "NP020",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(PASS, V4, V6), r(DENY, pods("ravenclaw", "luna"))))),
        "ClusterNetworkPolicy p spec.egress[1] (Deny) never decides anything: its own spec.egress[0] (Pass) comes "
        "first and matches every peer and port it matches",
    ),
    "NP020-fires-under-a-set-based-selector": fires(
        "NP020",
        with_tiers(
            cnp(
                "p",
                10,
                EVERYWHERE,
                ingress=(
                    r(DENY, PodPeer(sel({}, Requirement("team", "In", ("a", "b"))), None)),
                    r(ACCEPT, PodPeer(sel({"team": "a", "env": "dev"}), sel({"app": "x"}))),
                ),
            )
        ),
        "ClusterNetworkPolicy p spec.ingress[1] (Accept) never decides anything: its own spec.ingress[0] (Deny) "
        "comes first and matches every peer and port it matches",
    ),
    "NP020-quiet-when-the-earlier-rule-is-narrower": quiet(
        "NP020",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(DENY, pods("ravenclaw", "luna")), r(ACCEPT, EVERYWHERE)))),
    ),
    "NP020-quiet-when-the-earlier-ports-are-narrower": quiet(
        "NP020",
        with_tiers(
            cnp(
                "p",
                10,
                ns("gryffindor"),
                egress=(r(DENY, EVERYWHERE, ports=tcp(80)), r(ACCEPT, ns("ravenclaw"), ports=tcp(80, 81))),
            )
        ),
    ),
    "NP020-quiet-when-containment-cannot-be-shown": quiet(
        "NP020",
        with_tiers(
            cnp(
                "p",
                10,
                ns("gryffindor"),
                # the named port is TCP 80 on luna, but netsim does not guess it for every destination
                egress=(
                    r(DENY, EVERYWHERE, ports=tcp(80)),
                    r(ACCEPT, ns("ravenclaw"), ports=(ClusterPort(None, "web"),)),
                ),
            ),
            # 0.0.0.0/0 alone: not every address of every pod
            cnp("q", 20, ns("gryffindor"), egress=(r(DENY, V4), r(ACCEPT, ns("ravenclaw")))),
        ),
    ),
    "NP020-quiet-under-a-narrower-or-tied-policy": quiet(
        "NP020",
        with_tiers(
            cnp("narrow", 5, ns("gryffindor"), egress=(r(DENY, EVERYWHERE),)),
            cnp("tied", 10, EVERYWHERE, egress=(r(DENY, EVERYWHERE),)),
            cnp("p", 10, EVERYWHERE, egress=(r(ACCEPT, ns("ravenclaw")),)),
        ),
    ),
    # -- NP021: Pass that reaches nothing ---------------------------------------------------------------------------
    "NP021-fires-without-networkpolicy-or-baseline": fires(
        "NP021",
        with_tiers(cnp("p", 10, ns("gryffindor"), ingress=(r(PASS, ns("slytherin")),))),
        "ClusterNetworkPolicy p spec.ingress[0]: Pass leaves the traffic to NetworkPolicy and the Baseline tier, but "
        "no NetworkPolicy isolates its subject pods for ingress and no Baseline-tier policy selects them "
        "(gryffindor/harry), so the default allows it: the Pass is in effect an Accept",
    ),
    "NP021-fires-in-the-direction-no-networkpolicy-isolates": fires(
        "NP021",
        with_tiers(
            cnp("p", 10, ns("gryffindor"), ingress=(r(PASS, ns("slytherin")),), egress=(r(PASS, ns("slytherin")),)),
            policies=(DENY_INGRESS,),
        ),
        "ClusterNetworkPolicy p spec.egress[0]: Pass leaves the traffic to NetworkPolicy and the Baseline tier, but "
        "no NetworkPolicy isolates its subject pods for egress and no Baseline-tier policy selects them "
        "(gryffindor/harry), so the default allows it: the Pass is in effect an Accept",
    ),
    "NP021-quiet-when-networkpolicy-decides": quiet(
        "NP021",
        with_tiers(cnp("p", 10, ns("gryffindor"), ingress=(r(PASS, ns("slytherin")),)), policies=(DENY_INGRESS,)),
    ),
    "NP021-quiet-when-the-baseline-decides": quiet(
        "NP021",
        with_tiers(
            cnp("p", 10, ns("gryffindor"), ingress=(r(PASS, ns("slytherin")),)),
            cnp("b", 10, EVERYWHERE, ingress=(r(DENY, ns("slytherin")),), tier=Tier.BASELINE),
        ),
    ),
    "NP021-quiet-in-the-baseline-tier": quiet(
        "NP021", with_tiers(cnp("b", 10, ns("gryffindor"), ingress=(r(PASS, ns("slytherin")),), tier=Tier.BASELINE))
    ),
    # -- NP022: Deny of networks that hold pod addresses ---------------------------------------------------------
    "NP022-fires-on-0.0.0.0/0": fires(
        "NP022",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(DENY, V4, V6),))),
        "ClusterNetworkPolicy p spec.egress[0]: Deny networks 0.0.0.0/0 also matches pod addresses, so it denies "
        "traffic to 3 pods (gryffindor/harry, ravenclaw/luna, slytherin/draco) as well, not only to addresses "
        "outside the cluster",
    ),
    "NP022-fires-for-the-pods-no-earlier-rule-lets-through": fires(
        "NP022",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(ACCEPT, ns("slytherin")), r(DENY, *net("10.0.0.0/16"))))),
        "ClusterNetworkPolicy p spec.egress[1]: Deny networks 10.0.0.0/16 also matches pod addresses, so it denies "
        "traffic to 2 pods (gryffindor/harry, ravenclaw/luna) as well, not only to addresses outside the cluster",
    ),
    "NP022-fires-without-pods-in-the-input": fires(
        "NP022",
        with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(DENY, V6),), tier=Tier.BASELINE), pods=()),
        "ClusterNetworkPolicy p spec.egress[0]: Deny networks ::/0 also matches pod addresses, so it denies traffic "
        "to pods as well, not only to addresses outside the cluster",
    ),
    "NP022-quiet-after-a-pass-of-pod-traffic": quiet(
        "NP022", with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(PASS, EVERYWHERE), r(DENY, V4, V6))))
    ),
    "NP022-quiet-after-a-policy-that-passes-pod-traffic-first": quiet(
        "NP022",
        with_tiers(
            cnp("pods", 1, EVERYWHERE, egress=(r(PASS, EVERYWHERE),)),
            cnp("p", 10, ns("gryffindor"), egress=(r(DENY, V4, V6),)),
            pods=(),
        ),
    ),
    "NP022-quiet-on-external-networks-and-accepts": quiet(
        "NP022",
        with_tiers(
            cnp("p", 10, ns("gryffindor"), egress=(r(DENY, *net("203.0.113.0/24")), r(ACCEPT, V4, V6))),
        ),
    ),
    "NP022-quiet-on-a-family-the-pods-do-not-use": quiet(
        "NP022", with_tiers(cnp("p", 10, ns("gryffindor"), egress=(r(DENY, V6),)))
    ),
    # -- NP023: Admin Accept over a NetworkPolicy's isolation ------------------------------------------------------
    "NP023-fires-over-a-default-deny": fires(
        "NP023",
        with_tiers(cnp("p", 10, ns("gryffindor"), ingress=(r(ACCEPT, ns("slytherin")),)), policies=(DENY_INGRESS,)),
        "ClusterNetworkPolicy p spec.ingress[0]: Accept is final, so for the ingress traffic it matches, the "
        "NetworkPolicies that isolate its subject pods are never consulted: gryffindor/harry (isolated for ingress by "
        "gryffindor/deny-ingress)",
    ),
    "NP023-quiet-without-isolation-in-that-direction": quiet(
        "NP023",
        with_tiers(cnp("p", 10, ns("gryffindor"), ingress=(r(ACCEPT, ns("slytherin")),)), policies=(DENY_EGRESS,)),
    ),
    "NP023-quiet-in-the-baseline-tier": quiet(
        "NP023",
        with_tiers(
            cnp("p", 10, ns("gryffindor"), ingress=(r(ACCEPT, ns("slytherin")),), tier=Tier.BASELINE),
            policies=(DENY_INGRESS,),
        ),
    ),
    # -- NP024: domainNames outside Accept -----------------------------------------------------------------------------
    "NP024-fires-on-a-deny-by-name": fires(
        "NP024",
        with_tiers(cnp("p", 10, EVERYWHERE, egress=(r(DENY, DomainNamesPeer(("example.com", "*.example.org"))),))),
        "ClusterNetworkPolicy p spec.egress[0]: domainNames example.com, *.example.org in a Deny rule; the API "
        "documents domainNames for Accept rules only",
    ),
    "NP024-quiet-on-an-accept-by-name": quiet(
        "NP024",
        with_tiers(cnp("p", 10, EVERYWHERE, egress=(r(ACCEPT, DomainNamesPeer(("example.com",))), r(DENY, V4, V6)))),
    ),
}


@pytest.mark.parametrize("c", list(CASES.values()), ids=list(CASES))
def test_rule(c: Case) -> None:
    found = findings(c.cluster, c.rule)
    assert [f.message for f in found] == list(c.expected)
    for f in found:
        assert f.severity is RULES_BY_ID[c.rule].severity
        assert f.subject.startswith("ClusterNetworkPolicy ")
        assert f.span is None  # built in code: no position, and the finding still stands
        assert f.hint


def test_every_tier_rule_has_a_firing_and_a_quiet_case() -> None:
    ids = {r.id for r in RULES}
    assert ids == {"NP019", "NP020", "NP021", "NP022", "NP023", "NP024"}
    assert {c.rule for c in CASES.values() if c.expected} == ids
    assert {c.rule for c in CASES.values() if not c.expected} == ids
    assert all(r.id in RULES_BY_ID for r in RULES)
    assert {r.id: r.severity for r in RULES} == {
        "NP019": Severity.WARNING,
        "NP020": Severity.WARNING,
        "NP021": Severity.INFO,
        "NP022": Severity.WARNING,
        "NP023": Severity.INFO,
        "NP024": Severity.WARNING,
    }


# -- locations ---------------------------------------------------------------------------------------------------

POLICY_AT = SourceSpan("cnp.yaml", 1, 1)
RULE_AT = SourceSpan("cnp.yaml", 9, 7)


def test_findings_are_at_the_rule_else_at_the_policy_else_nowhere() -> None:
    rule = ClusterRule(DENY, (DomainNamesPeer(("example.com",)),), span=RULE_AT)
    located = ClusterNetworkPolicy("ClusterNetworkPolicy", "p", Tier.ADMIN, 10, EVERYWHERE, (), (rule,), POLICY_AT)
    [finding] = findings(with_tiers(located), "NP024")
    assert (finding.span, finding.subject, finding.field) == (RULE_AT, "ClusterNetworkPolicy p", "spec.egress[0]")
    bare = ClusterRule(DENY, (DomainNamesPeer(("example.com",)),))
    policy_only = ClusterNetworkPolicy("ClusterNetworkPolicy", "p", Tier.ADMIN, 10, EVERYWHERE, (), (bare,), POLICY_AT)
    assert [f.span for f in findings(with_tiers(policy_only), "NP024")] == [POLICY_AT]
    nowhere = ClusterNetworkPolicy("ClusterNetworkPolicy", "p", Tier.ADMIN, 10, EVERYWHERE, (), (bare,))
    assert [f.span for f in findings(with_tiers(nowhere), "NP024")] == [None]


def test_a_tie_lint_reports_is_one_check_answers_undetermined() -> None:
    tied = with_tiers(A_ACCEPT_80, B_DENY)
    assert findings(tied, "NP019")
    assert evaluate(tied, Traffic(HARRY, LUNA, 80, TCP)).decision is Decision.UNDETERMINED
    apart = with_tiers(A_ACCEPT_80, cnp("b", 10, ns("gryffindor"), egress=(r(DENY, ns("ravenclaw"), ports=tcp(443)),)))
    assert findings(apart, "NP019") == []
    assert evaluate(apart, Traffic(HARRY, LUNA, 80, TCP)).decision is Decision.ALLOWED
    assert evaluate(apart, Traffic(HARRY, LUNA, 443, TCP)).decision is Decision.DENIED


def test_a_tie_is_reported_at_the_second_policy_by_name() -> None:
    [finding] = findings(with_tiers(B_DENY, A_ACCEPT_80), "NP019")
    assert (finding.subject, finding.field) == ("ClusterNetworkPolicy b", "spec.egress[0]")


def test_v1alpha1_kinds_are_named_by_their_kind() -> None:
    anp = ClusterNetworkPolicy("AdminNetworkPolicy", "dns", Tier.ADMIN, 3, EVERYWHERE, (), (r(PASS, V4, V6),))
    [passes] = findings(with_tiers(anp), "NP021")
    assert (passes.subject, passes.message.split(":")[0]) == (
        "AdminNetworkPolicy dns",
        "AdminNetworkPolicy dns spec.egress[0]",
    )
    banp = ClusterNetworkPolicy(
        "BaselineAdminNetworkPolicy", "default", Tier.BASELINE, 1001, EVERYWHERE, (), (r(DENY, V4),)
    )
    assert [f.subject for f in findings(with_tiers(banp), "NP022")] == ["BaselineAdminNetworkPolicy default"]


# -- the set algebra behind NP019 and NP020 -------------------------------------------------------------------------


def test_nodes_peers_overlap_through_the_nodes_of_the_input() -> None:
    node = Node("n1", Labels({"role": "worker", "zone": "a"}), (ip_address("192.168.0.5"),))
    workers, zone_a = NodesPeer(sel({"role": "worker"})), NodesPeer(sel({"zone": "a"}))
    c = with_tiers(
        cnp("a", 10, ns("gryffindor"), egress=(r(ACCEPT, workers),)),
        cnp("b", 10, ns("gryffindor"), egress=(r(DENY, zone_a), r(DENY, *net("192.168.0.0/24")))),
        nodes=(node,),
    )
    [finding] = findings(c, "NP019")
    assert finding.message.endswith("so the answer is undetermined (and 1 more pair of rules)")
    assert findings(with_tiers(*c.cluster_policies), "NP019") == []  # no Node: no address in common


def test_domain_name_wildcards() -> None:
    wide = DomainNamesPeer(("*.example.com",))
    narrow = DomainNamesPeer(("api.example.com", "*.eu.example.com"))
    shadowed = with_tiers(cnp("p", 10, EVERYWHERE, egress=(r(ACCEPT, wide), r(ACCEPT, narrow))))
    assert [f.field for f in findings(shadowed, "NP020")] == ["spec.egress[1]"]
    apex = DomainNamesPeer(("example.com",))  # *.example.com does not match example.com itself
    assert findings(with_tiers(cnp("p", 10, EVERYWHERE, egress=(r(ACCEPT, wide), r(ACCEPT, apex)))), "NP020") == []


@pytest.mark.parametrize(
    ("broad", "narrow", "contained"),
    [
        (sel({}, Requirement("env", "Exists")), sel({"env": "prod"}), True),
        (sel({}, Requirement("env", "NotIn", ("prod",))), sel({"env": "dev"}), True),
        (sel({}, Requirement("env", "NotIn", ("prod",))), sel({}, Requirement("env", "DoesNotExist")), True),
        (sel({}, Requirement("env", "NotIn", ("prod",))), sel({}, Requirement("env", "NotIn", ("prod", "qa"))), True),
        (sel({}, Requirement("env", "NotIn", ("prod", "qa"))), sel({}, Requirement("env", "NotIn", ("prod",))), False),
        (sel({"env": "prod"}), sel({}, Requirement("env", "Exists")), False),
        (sel({"env": "prod"}), sel({"team": "a"}), False),
    ],
)
def test_selector_containment(broad: LabelSelector, narrow: LabelSelector, contained: bool) -> None:
    c = with_tiers(cnp("p", 10, EVERYWHERE, ingress=(r(DENY, PodPeer(broad, None)), r(ACCEPT, PodPeer(narrow, None)))))
    assert bool(findings(c, "NP020")) is contained


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        (sel({"team": "a"}), sel({"env": "prod"}), True),
        (sel({"team": "a"}), sel({"team": "b"}), False),
        (sel({}, Requirement("team", "In", ("a", "b"))), sel({}, Requirement("team", "NotIn", ("a", "b"))), False),
        (sel({}, Requirement("team", "Exists")), sel({}, Requirement("team", "DoesNotExist")), False),
        (sel({}, Requirement("team", "NotIn", ("a",))), sel({}, Requirement("team", "DoesNotExist")), True),
    ],
)
def test_selector_overlap_without_pods(a: LabelSelector, b: LabelSelector, overlap: bool) -> None:
    c = with_tiers(
        cnp("a", 10, PodPeer(a, None), ingress=(r(ACCEPT, EVERYWHERE),)),
        cnp("b", 10, PodPeer(b, None), ingress=(r(DENY, EVERYWHERE),)),
        pods=(),
    )
    assert bool(findings(c, "NP019")) is overlap


def test_udp_and_tcp_of_one_number_do_not_overlap() -> None:
    a = cnp("a", 10, ns("gryffindor"), egress=(r(ACCEPT, *net("10.0.0.0/8"), ports=(ClusterPort(UDP, 53),)),))
    b = cnp("b", 10, ns("gryffindor"), egress=(r(DENY, *net("10.0.0.0/8"), ports=tcp(53)),))
    assert findings(with_tiers(a, b), "NP019") == []


def test_np001_names_the_cluster_policies_around_pods_no_networkpolicy_isolates() -> None:
    from netsim.engine import PolicyIndex
    from netsim.lint.registry import lint
    from netsim.loader import load_texts

    text = """\
apiVersion: v1
kind: Pod
metadata: {name: vault, namespace: restricted, labels: {app: vault}}
status: {podIP: 10.244.1.10}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: guard}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: restricted}}}
  ingress:
    - action: Deny
      from: [{namespaces: {}}]
"""
    findings = [f for f in lint(PolicyIndex(load_texts({"m.yaml": text}).cluster)) if f.rule in ("NP001", "NP002")]
    [np001] = [f for f in findings if f.rule == "NP001"]
    assert np001.message.endswith(
        "pods not isolated for ingress, allowed whatever cluster-scoped policies do not decide (1 of 1): "
        "restricted/vault; cluster-scoped policies decide some of their ingress traffic: "
        "ClusterNetworkPolicy guard (Admin tier)"
    )
    [np002] = [f for f in findings if f.rule == "NP002"]  # the guard has no egress rules: unchanged
    assert "free to connect anywhere" in np002.message
    assert "cluster-scoped" not in np002.message


# -- DNS lint (NP003/NP004) with the Admin tier, when the input has no DNS pods --------------------------

DENY_EGRESS = policy("gryffindor/deny-egress", sel(), types="Egress")


def _dns(
    tiers: tuple[ClusterNetworkPolicy, ...], policies: tuple[NetworkPolicy, ...] = (DENY_EGRESS,)
) -> list[Finding]:
    """NP003/NP004 on the base cluster (no DNS pods in it) with ``policies`` and ``tiers``."""
    return [f for f in lint(PolicyIndex(with_tiers(*tiers, policies=policies))) if f.rule in ("NP003", "NP004")]


def _dns_rule(action: Action) -> ClusterNetworkPolicy:
    """An Admin policy over every namespace with one egress rule towards the DNS pods on 53."""
    k8s_dns = PodPeer(ns("kube-system").namespace_selector, sel({"k8s-app": "kube-dns"}))
    both = (ClusterPort(UDP, 53), ClusterPort(TCP, 53))
    return cnp("dns", 1, EVERYWHERE, egress=(r(action, k8s_dns, ports=both),))


def test_an_admin_accept_of_dns_silences_the_dns_rules_without_dns_pods() -> None:
    assert [f.rule for f in _dns(())] == ["NP003"]  # the default deny cuts DNS
    assert _dns((_dns_rule(ACCEPT),)) == []


def test_an_admin_deny_of_dns_is_reported_whatever_networkpolicy_allows() -> None:
    allow_dns = policy(
        "gryffindor/allow-dns", sel(), egress=[rule(ports=[port(53, UDP), port(53, TCP)])], types="Egress"
    )
    assert _dns((), (DENY_EGRESS, allow_dns)) == []
    [finding] = _dns((_dns_rule(DENY),), (DENY_EGRESS, allow_dns))
    assert finding.rule == "NP003"
    assert "denied at egress, by the Admin tier" in finding.message
    assert "no NetworkPolicy can allow what that tier denies" in finding.hint


def test_an_admin_pass_of_dns_leaves_it_to_networkpolicy() -> None:
    assert [f.rule for f in _dns((_dns_rule(PASS),))] == ["NP003"]
