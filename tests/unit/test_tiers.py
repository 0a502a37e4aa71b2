"""Cluster-scoped policy tiers in the engine: Admin tier (first match by priority, then written
order; Accept and Deny final, Pass and no match go on), NetworkPolicy (final when it isolates),
Baseline tier, default allow; three-valued where a peer or the subject depends on the input.

The cases follow the upstream conformance suite's expectations (network-policy-api,
conformance/tests), on a smaller cluster."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.graph import build_graph
from netsim.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterPort,
    ClusterRule,
    IPBlockPeer,
    Labels,
    LabelSelector,
    Node,
    NodesPeer,
    Options,
    PodPeer,
    Protocol,
    Tier,
    Traffic,
)
from netsim.render.text import explain
from netsim.verdict import Decision
from tests.unit.builders import cluster, ext, peer, pod, policy, rule, sel

TCP, UDP = Protocol.TCP, Protocol.UDP
HARRY = pod("gryffindor/harry", {"app": "harry"}, ip="10.0.1.1")
LUNA = pod("ravenclaw/luna", {"app": "luna"}, ip="10.0.2.1")
DRACO = pod("slytherin/draco", {"app": "draco"}, ip="10.0.3.1")
PODS = [HARRY, LUNA, DRACO]


def ns(name: str) -> PodPeer:
    """``namespaces: {matchLabels: {kubernetes.io/metadata.name: name}}``."""
    return PodPeer(LabelSelector(Labels({"kubernetes.io/metadata.name": name})), None)


def tcp(port: int) -> tuple[ClusterPort, ...]:
    return (ClusterPort(TCP, port),)


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


def r(action: Action, *peers: ClusterPeer, ports: tuple[ClusterPort, ...] | None = None) -> ClusterRule:
    return ClusterRule(action, peers, ports)


def with_tiers(*tiers: ClusterNetworkPolicy, policies: tuple = (), nodes: tuple[Node, ...] = ()) -> Cluster:  # type: ignore[type-arg]
    base = cluster(PODS, list(policies))
    return Cluster(base.namespaces, base.pods, base.policies, cluster_policies=tiers, nodes=nodes)


def decision(c: Cluster, src: object, dst: object, port: int, proto: Protocol = TCP) -> Decision:
    return evaluate(c, Traffic(src, dst, port, proto)).decision  # type: ignore[arg-type]


def test_first_matching_rule_decides_in_written_order() -> None:
    accept_then_deny = cnp(
        "p",
        10,
        ns("gryffindor"),
        egress=(r(Action.ACCEPT, ns("ravenclaw"), ports=tcp(80)), r(Action.DENY, ns("ravenclaw"), ports=tcp(80))),
    )
    assert decision(with_tiers(accept_then_deny), HARRY, LUNA, 80) is Decision.ALLOWED
    deny_then_accept = cnp(
        "p",
        10,
        ns("gryffindor"),
        egress=(r(Action.DENY, ns("ravenclaw"), ports=tcp(80)), r(Action.ACCEPT, ns("ravenclaw"), ports=tcp(80))),
    )
    assert decision(with_tiers(deny_then_accept), HARRY, LUNA, 80) is Decision.DENIED
    # Pass first: no NetworkPolicy, no baseline: the default allows
    pass_first = cnp(
        "p", 10, ns("gryffindor"), egress=(r(Action.PASS, ns("ravenclaw")), r(Action.DENY, ns("ravenclaw")))
    )
    assert decision(with_tiers(pass_first), HARRY, LUNA, 80) is Decision.ALLOWED


def test_an_unmatched_port_falls_through() -> None:
    deny_80 = cnp("p", 10, ns("gryffindor"), egress=(r(Action.DENY, ns("slytherin"), ports=tcp(80)),))
    c = with_tiers(deny_80)
    assert decision(c, HARRY, DRACO, 80) is Decision.DENIED
    assert decision(c, HARRY, DRACO, 8080) is Decision.ALLOWED
    assert evaluate_pair(PolicyIndex(c), HARRY, DRACO).conns == ConnSet.all() - ConnSet.of(TCP, 80)


def test_networkpolicy_decides_passed_traffic_and_the_baseline_only_what_it_does_not_isolate() -> None:
    passes = cnp("p", 10, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    baseline_deny = cnp(
        "b",
        10,
        PodPeer(LabelSelector(), None),
        ingress=(r(Action.DENY, PodPeer(LabelSelector(), None)),),
        tier=Tier.BASELINE,
    )
    np_allows = policy(
        "gryffindor/from-slytherin",
        sel({"app": "harry"}),
        ingress=[rule(peer(None, sel({"kubernetes.io/metadata.name": "slytherin"})))],
    )
    c = with_tiers(passes, baseline_deny, policies=(np_allows,))
    assert decision(c, DRACO, HARRY, 80) is Decision.ALLOWED  # the NetworkPolicy allows slytherin
    assert decision(c, LUNA, HARRY, 80) is Decision.DENIED  # isolated by the NetworkPolicy: the baseline is not asked
    without_np = with_tiers(passes, baseline_deny)
    assert decision(without_np, DRACO, HARRY, 80) is Decision.DENIED  # now the baseline decides


def test_lower_priority_number_first() -> None:
    deny50 = cnp("deny", 50, ns("gryffindor"), ingress=(r(Action.DENY, ns("slytherin")),))
    pass60 = cnp("pass", 60, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    assert decision(with_tiers(deny50, pass60), DRACO, HARRY, 80) is Decision.DENIED
    pass40 = cnp("pass", 40, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    assert decision(with_tiers(deny50, pass40), DRACO, HARRY, 80) is Decision.ALLOWED


def test_networks_match_pod_addresses_and_external_ones() -> None:
    accept_luna = cnp("a", 5, ns("gryffindor"), egress=(r(Action.ACCEPT, IPBlockPeer(ip_network("10.0.2.1/32"))),))
    deny_all = cnp("d", 10, ns("gryffindor"), egress=(r(Action.DENY, IPBlockPeer(ip_network("0.0.0.0/0"))),))
    c = with_tiers(accept_luna, deny_all)
    assert decision(c, HARRY, LUNA, 53, UDP) is Decision.ALLOWED
    assert decision(c, HARRY, DRACO, 53, UDP) is Decision.DENIED  # 0.0.0.0/0 also cuts pod-to-pod traffic
    assert decision(c, HARRY, ext("203.0.113.9"), 443) is Decision.DENIED


def test_ingress_rules_never_match_addresses_outside_the_pods() -> None:
    deny_everyone = cnp("d", 1, ns("gryffindor"), ingress=(r(Action.DENY, PodPeer(LabelSelector(), None)),))
    c = with_tiers(deny_everyone)
    assert decision(c, LUNA, HARRY, 80) is Decision.DENIED
    assert decision(c, ext("203.0.113.9"), HARRY, 80) is Decision.ALLOWED


def test_nodes_match_listed_node_addresses_and_leave_unlisted_ones_open() -> None:
    node = Node("n1", Labels({"role": "infra"}), (ip_address("192.168.0.1"),))
    deny_nodes = cnp(
        "d", 1, ns("gryffindor"), egress=(r(Action.DENY, NodesPeer(LabelSelector(Labels({"role": "infra"})))),)
    )
    c = with_tiers(deny_nodes, nodes=(node,))
    assert decision(c, HARRY, ext("192.168.0.1"), 10250) is Decision.DENIED
    assert decision(c, HARRY, LUNA, 80) is Decision.ALLOWED  # a pod's own address is no node's
    # an address the input lists for no Node may be an unlisted Node's
    assert decision(c, HARRY, ext("192.168.0.9"), 10250) is Decision.UNDETERMINED


def test_a_peer_the_input_cannot_decide_makes_what_it_decides_undetermined() -> None:
    # shop has no Namespace manifest: whether it is team=blue is open
    client = pod("shop/client", {"app": "client"}, ip="10.0.4.1")
    deny_blue = cnp(
        "d",
        1,
        ns("gryffindor"),
        ingress=(r(Action.DENY, PodPeer(LabelSelector(Labels({"team": "blue"})), None), ports=tcp(80)),),
    )
    base = cluster([*PODS, client])
    declared = tuple(n for n in base.namespaces if n.name != "shop")
    c = Cluster(declared, base.pods, (), cluster_policies=(deny_blue,))
    verdict = evaluate(c, Traffic(client, HARRY, 80, TCP))
    assert verdict.decision is Decision.UNDETERMINED
    assert [u.about for u in verdict.unknowns()] == ["namespace shop"]
    assert decision(c, client, HARRY, 81) is Decision.ALLOWED  # the rule does not cover 81


def test_a_pod_to_itself_is_exempt() -> None:
    deny_self = cnp(
        "d",
        1,
        ns("gryffindor"),
        ingress=(r(Action.DENY, ns("gryffindor")),),
        egress=(r(Action.DENY, ns("gryffindor")),),
    )
    assert decision(with_tiers(deny_self), HARRY, HARRY, 80) is Decision.ALLOWED


def test_the_graph_agrees_with_the_engine_on_every_pair() -> None:
    node = Node("n1", Labels({"role": "infra"}), (ip_address("192.168.0.1"),))
    tiers = (
        cnp(
            "a",
            5,
            ns("gryffindor"),
            egress=(
                r(Action.ACCEPT, IPBlockPeer(ip_network("10.0.2.1/32"))),
                r(Action.PASS, ns("slytherin"), ports=tcp(80)),
            ),
        ),
        cnp(
            "d",
            10,
            PodPeer(LabelSelector(), None),
            egress=(r(Action.DENY, IPBlockPeer(ip_network("10.0.0.0/8")), ports=tcp(80)),),
            ingress=(r(Action.DENY, ns("ravenclaw"), ports=tcp(443)),),
        ),
        cnp("b", 1, ns("slytherin"), ingress=(r(Action.DENY, PodPeer(LabelSelector(), None)),), tier=Tier.BASELINE),
        cnp("n", 20, ns("ravenclaw"), egress=(r(Action.DENY, NodesPeer(LabelSelector())),)),
    )
    np_deny = policy("gryffindor/deny-in", sel({"app": "harry"}), ingress=[])
    c = with_tiers(*tiers, policies=(np_deny,), nodes=(node,))
    index = PolicyIndex(c)
    graph = build_graph(index)
    endpoints = [*c.pods, ext("192.168.0.1"), ext("10.0.9.9"), ext("203.0.113.9")]
    for src in c.pods:
        for dst in c.pods:
            if src is dst:
                continue
            pair = evaluate_pair(index, src, dst)
            data = graph.edges[src.ref, dst.ref] if graph.has_edge(src.ref, dst.ref) else {}
            assert data.get("conns", ConnSet.none()) == pair.conns, (src.ref, dst.ref)
            assert data.get("undetermined", ConnSet.none()) == pair.undetermined, (src.ref, dst.ref)
    assert len(endpoints) == 6


def test_the_explanation_shows_the_chain() -> None:
    passes = cnp("p", 10, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    deny = cnp("d", 5, ns("gryffindor"), ingress=(r(Action.DENY, ns("ravenclaw"), ports=tcp(80)),))
    baseline_deny = cnp(
        "b",
        10,
        PodPeer(LabelSelector(), None),
        ingress=(r(Action.DENY, PodPeer(LabelSelector(), None)),),
        tier=Tier.BASELINE,
    )
    c = with_tiers(passes, deny, baseline_deny)
    assert explain(evaluate(c, Traffic(DRACO, HARRY, 80, TCP))) == (
        "slytherin/draco -> gryffindor/harry 80/TCP: DENIED\n"
        "  egress  at slytherin/draco: not isolated: no policy selects slytherin/draco for Egress -> allowed\n"
        "  ingress at gryffindor/harry: cluster-scoped policies, then NetworkPolicy -> denied\n"
        "    Admin tier:\n"
        "      x ClusterNetworkPolicy d (priority 5) spec.ingress[0]: Deny rule, peer not matched\n"
        "      - ClusterNetworkPolicy p (priority 10) spec.ingress[0]: passes on 80/TCP\n"
        "    NetworkPolicy: no policy selects gryffindor/harry for Ingress\n"
        "    Baseline tier:\n"
        "      x ClusterNetworkPolicy b (priority 10) spec.ingress[0]: denies 80/TCP\n"
        "  => denied at ingress\n"
    )
    # the Admin Deny decides first: the chain stops there
    text = explain(evaluate(c, Traffic(LUNA, HARRY, 80, TCP)))
    assert "denies 80/TCP" in text
    assert "NetworkPolicy:" not in text


def test_equal_priorities_with_different_actions_are_undetermined() -> None:
    accept = cnp("a", 10, ns("gryffindor"), egress=(r(Action.ACCEPT, ns("ravenclaw"), ports=tcp(80)),))
    deny = cnp("b", 10, ns("gryffindor"), egress=(r(Action.DENY, ns("ravenclaw")),))
    c = with_tiers(accept, deny)
    verdict = evaluate(c, Traffic(HARRY, LUNA, 80, TCP))
    assert verdict.decision is Decision.UNDETERMINED
    [unknown] = verdict.unknowns()
    assert unknown.condition == (
        "ClusterNetworkPolicy a and ClusterNetworkPolicy b have the same priority 10 and the implementation "
        "may apply either first"
    )
    assert decision(c, HARRY, LUNA, 81) is Decision.DENIED  # only b matches 81: no tie there
    # the same action either way: decided
    deny_too = cnp("a", 10, ns("gryffindor"), egress=(r(Action.DENY, ns("ravenclaw"), ports=tcp(80)),))
    assert decision(with_tiers(deny_too, deny), HARRY, LUNA, 80) is Decision.DENIED
    # different priorities: the lower number first, decided
    later = cnp("b", 11, ns("gryffindor"), egress=(r(Action.DENY, ns("ravenclaw")),))
    assert decision(with_tiers(accept, later), HARRY, LUNA, 80) is Decision.ALLOWED


def test_many_ties_stay_sound() -> None:
    # 5 policies at one priority: 120 orders, more than netsim walks; their matches count as undecided
    policies = [
        cnp(f"p{i}", 1, ns("gryffindor"), egress=(r(Action.ACCEPT if i % 2 else Action.DENY, ns("ravenclaw")),))
        for i in range(5)
    ]
    assert decision(with_tiers(*policies), HARRY, LUNA, 80) is Decision.UNDETERMINED
    same = [cnp(f"p{i}", 1, ns("gryffindor"), egress=(r(Action.DENY, ns("ravenclaw")),)) for i in range(5)]
    # coarser, still never wrong: undetermined (it is denied in every order)
    assert decision(with_tiers(*same), HARRY, LUNA, 80) in (Decision.DENIED, Decision.UNDETERMINED)


def test_json_carries_the_chain() -> None:
    from netsim.render.json import verdict_json

    deny = cnp("d", 5, ns("gryffindor"), ingress=(r(Action.DENY, ns("ravenclaw"), ports=tcp(80)),))
    data = verdict_json(evaluate(with_tiers(deny), Traffic(LUNA, HARRY, 80, TCP)))
    assert data["verdict"] == "denied"
    [rule_json] = data["ingress"]["adminRules"]
    assert rule_json == {
        "policy": "d",
        "kind": "ClusterNetworkPolicy",
        "tier": "Admin",
        "priority": 5,
        "rule": "spec.ingress[0]",
        "name": None,
        "action": "Deny",
        "location": None,
        "peerMatched": True,
        "matchedPeer": "all pods in namespaces {kubernetes.io/metadata.name=ravenclaw}",
        "peerMisses": [],
        "peerUnknowns": [],
        "ports": {"TCP": [[80, 80]]},
        "coversThisConnection": True,
    }
    assert data["ingress"]["baselineRules"] == []


def test_diff_names_a_changed_cluster_policy_and_its_priority() -> None:
    from netsim.diff import diff_clusters

    deny50 = cnp("deny", 50, ns("gryffindor"), ingress=(r(Action.DENY, ns("slytherin")),))
    pass60 = cnp("pass", 60, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    pass40 = cnp("pass", 40, ns("gryffindor"), ingress=(r(Action.PASS, ns("slytherin")),))
    d = diff_clusters(with_tiers(deny50, pass60), with_tiers(deny50, pass40))
    [policy_change] = d.policies
    assert (policy_change.kind, policy_change.ref, policy_change.fields) == (
        "modified",
        "ClusterNetworkPolicy pass",
        ("spec.priority",),
    )
    [change] = [c for c in d.connections if c.source.label == "slytherin/draco[Pod]"]
    assert change.kind == "added"
    # only the changed policy is a cause (deny50 is unchanged)
    assert [(c.ref, c.change, c.role) for c in change.causes] == [
        ("ClusterNetworkPolicy pass", "modified", "selects the destination for Ingress")
    ]


def test_an_undetermined_deny_is_worded_as_what_it_depends_on() -> None:
    node = Node("n1", Labels({"role": "infra"}), (ip_address("192.168.0.1"),))
    deny_nodes = cnp("d", 1, ns("gryffindor"), egress=(r(Action.DENY, NodesPeer(LabelSelector())),))
    text = explain(evaluate(with_tiers(deny_nodes, nodes=(node,)), Traffic(HARRY, ext("192.168.0.9"), 443, TCP)))
    assert text.endswith(
        "  => undetermined: whether 192.168.0.9 is the address of a Node matching {} "
        "(the input lists no Node with it)\n"
    )
    assert "allowed if" not in text


def test_unknowns_after_the_deciding_rule_are_not_listed() -> None:
    # rule 0 decides everything for certain; rule 1 (an unlisted node) never sees the traffic
    accept_all = cnp(
        "a",
        1,
        ns("gryffindor"),
        egress=(r(Action.DENY, IPBlockPeer(ip_network("0.0.0.0/0"))), r(Action.ACCEPT, NodesPeer(LabelSelector()))),
    )
    verdict = evaluate(with_tiers(accept_all), Traffic(HARRY, ext("192.168.0.9"), 443, TCP))
    assert verdict.decision is Decision.DENIED
    assert verdict.egress.unknowns(443, TCP) == ()


def test_the_kube_network_policies_reading_of_a_selecting_networkpolicy() -> None:
    # harry's only NetworkPolicy is ingress; a baseline denies egress to ravenclaw
    ingress_only = policy("gryffindor/in", sel({"app": "harry"}), ingress=[])
    baseline = cnp("b", 1, ns("gryffindor"), egress=(r(Action.DENY, ns("ravenclaw")),), tier=Tier.BASELINE)
    c = with_tiers(baseline, policies=(ingress_only,))
    # the API's reading: nothing isolates harry for egress, so the baseline decides
    assert decision(c, HARRY, LUNA, 80) is Decision.DENIED
    # kube-network-policies: a NetworkPolicy selects harry, so NetworkPolicy ends the tiers: allowed
    knp = Options(networkpolicy_tier_per_pod=True)
    verdict = evaluate(c, Traffic(HARRY, LUNA, 80, TCP), knp)
    assert verdict.decision is Decision.ALLOWED
    assert "which ends the tiers for Egress too (--networkpolicy-tier pod): allowed" in explain(verdict)
    assert evaluate_pair(PolicyIndex(c, knp), HARRY, LUNA).conns == ConnSet.all()


def test_a_rule_that_may_match_does_not_blur_a_later_rule_with_the_same_action() -> None:
    # rule 0 may match (shop has no manifest); rule 1 matches for certain, and both accept: accepted
    client = pod("shop/client", {"app": "client"}, ip="10.0.4.1")
    accept = cnp(
        "a",
        1,
        ns("gryffindor"),
        ingress=(
            r(Action.ACCEPT, PodPeer(LabelSelector(Labels({"team": "blue"})), None)),
            r(Action.ACCEPT, PodPeer(LabelSelector(), None)),
        ),
    )
    deny_rest = cnp("d", 2, ns("gryffindor"), ingress=(r(Action.DENY, PodPeer(LabelSelector(), None)),))
    base = cluster([*PODS, client])
    declared = tuple(n for n in base.namespaces if n.name != "shop")
    c = Cluster(declared, base.pods, (), cluster_policies=(accept, deny_rest))
    assert decision(c, client, HARRY, 80) is Decision.ALLOWED
    # with a Deny that may match first, the answer is open
    deny_first = replace(
        accept, ingress=(r(Action.DENY, PodPeer(LabelSelector(Labels({"team": "blue"})), None)), accept.ingress[1])
    )
    c2 = Cluster(declared, base.pods, (), cluster_policies=(deny_first, deny_rest))
    assert decision(c2, client, HARRY, 80) is Decision.UNDETERMINED


def test_shared_outcomes_name_each_subjects_own_namespace() -> None:
    """Pods of two namespaces without a manifest, each possibly selected by the same policy: the
    engine shares the tier's outcomes between pods its policies select alike, never the unknown
    that names the subject's namespace."""
    prod = PodPeer(LabelSelector(Labels({"env": "prod"})), None)
    deny = ClusterRule(Action.DENY, (ns("slytherin"),))
    guard = cnp("guard", 1, prod, ingress=(deny,))
    c = Cluster((), (HARRY, LUNA, DRACO), (), cluster_policies=(guard,))
    index = PolicyIndex(c)
    for target in (HARRY, LUNA):
        pair = evaluate_pair(index, DRACO, target)
        texts = [u.condition for u in pair.unknowns()]
        assert any(f"namespace {target.namespace} has labels" in t for t in texts), texts
        others = [p.namespace for p in (HARRY, LUNA) if p is not target]
        assert not any(f"namespace {ns_name} has" in t for ns_name in others for t in texts), texts
