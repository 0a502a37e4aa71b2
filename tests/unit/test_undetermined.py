"""Three-valued verdicts as the renderers show them: a policy of a kind netsim does not evaluate
(built directly as a ``Cluster.unevaluated`` entry, no YAML), and ``Verdict.decision`` agreeing
with ``Verdict.allowed`` wherever the answer is decided.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from ipaddress import ip_network

import pytest

from netsim.engine import PolicyIndex, evaluate
from netsim.errors import InputErrors, SourceSpan
from netsim.loader import load_cluster
from netsim.model import (
    Cluster,
    Direction,
    Endpoint,
    NetworkPolicy,
    Options,
    Pod,
    PodPeer,
    Protocol,
    Traffic,
    UnevaluatedPolicy,
    UnknownKind,
)
from netsim.render.json import verdict_json
from netsim.render.text import explain
from netsim.verdict import Decision, Verdict
from tests.conftest import SCENARIOS
from tests.unit.builders import ALL, TCP, UDP, block, cluster, expr, ext, namespace, peer, pod, policy, port, rule, sel

WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.10")
DB = pod("shop/db", {"app": "db"}, ip="10.0.1.20")
CNP = UnevaluatedPolicy(
    "cilium.io/v2",
    "CiliumNetworkPolicy",
    "shop",
    "db-l7",
    frozenset({Direction.INGRESS}),
    (PodPeer(None, sel({"app": "db"})),),
    "netsim does not evaluate Cilium policies",
    SourceSpan("cnp.yaml", 1, 1),
)
CONDITION = "CiliumNetworkPolicy shop/db-l7 (cnp.yaml:1:1) selects shop/db for ingress and is not evaluated"


def with_unevaluated(c: Cluster, *policies: UnevaluatedPolicy) -> Cluster:
    return Cluster(c.namespaces, c.pods, c.policies, policies)


def check(c: Cluster, src: Endpoint, dst: Endpoint, number: int = 5432, options: Options | None = None) -> Verdict:
    return evaluate(c, Traffic(src, dst, number, TCP), options)


def test_unevaluated_policy_on_a_side_no_networkpolicy_selects() -> None:
    v = check(with_unevaluated(cluster([WEB, DB]), CNP), WEB, DB)
    assert (v.decision, v.allowed) == (Decision.UNDETERMINED, False)
    assert explain(v) == (
        "shop/web -> shop/db 5432/TCP: UNDETERMINED\n"
        "  egress  at shop/web: not isolated: no policy selects shop/web for Egress -> allowed\n"
        "  ingress at shop/db: no NetworkPolicy selects shop/db for Ingress, but a policy netsim does not "
        "evaluate may decide it -> undetermined\n"
        f"    ? {CONDITION}\n"
        f"  => undetermined: {CONDITION}\n"
    )
    data = verdict_json(v)
    unknown = {
        "kind": "unevaluated-policy",
        "about": "CiliumNetworkPolicy shop/db-l7",
        "condition": CONDITION,
        "at": "cnp.yaml:1:1",
    }
    assert (data["verdict"], data["allowed"], data["unknowns"]) == ("undetermined", None, [unknown])
    assert data["ingress"]["decision"] == "undetermined"
    assert data["ingress"]["allowed"] is None
    assert data["ingress"]["isolated"] is False
    assert data["ingress"]["unknowns"] == [unknown]
    assert data["ingress"]["unevaluatedPolicies"] == [
        {
            "policy": "CiliumNetworkPolicy shop/db-l7",
            "apiVersion": "cilium.io/v2",
            "location": "cnp.yaml:1:1",
            "reason": "netsim does not evaluate Cilium policies",
        }
    ]
    assert (data["egress"]["decision"], data["egress"]["unevaluatedPolicies"]) == ("allowed", [])


def test_unevaluated_policy_next_to_an_isolating_networkpolicy() -> None:
    allow = policy(
        "shop/db-allow-web", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port(5432)])]
    )
    v = check(with_unevaluated(cluster([WEB, DB], [allow]), CNP), WEB, DB)
    assert v.decision is Decision.UNDETERMINED
    assert explain(v).splitlines()[2:] == [
        "  ingress at shop/db: isolated by shop/db-allow-web [policyTypes defaulted to Ingress] -> undetermined",
        f"    ? {CONDITION}",
        "    + shop/db-allow-web spec.ingress[0]: pods {app=web} in namespace shop, TCP 5432: allows 5432/TCP",
        f"  => undetermined: {CONDITION}",
    ]
    [r] = verdict_json(v)["ingress"]["rules"]
    assert (r["peerMatched"], r["allowsThisConnection"], r["peerUnknowns"]) == (True, True, [])


def test_a_side_denied_for_certain_is_not_undetermined_by_the_other() -> None:
    deny = policy("shop/deny-egress", ALL, types="Egress")
    v = check(with_unevaluated(cluster([WEB, DB], [deny]), CNP), WEB, DB)
    assert v.decision is Decision.DENIED
    assert v.unknowns() == ()
    text = explain(v)
    assert "  ingress at shop/db: no NetworkPolicy selects shop/db for Ingress, but a policy" in text
    assert text.endswith("  => denied at egress\n")  # not "egress and ingress": ingress is undetermined
    data = verdict_json(v)
    assert (data["verdict"], data["allowed"], data["unknowns"]) == ("denied", False, [])


def test_unevaluated_policy_that_selects_other_pods_changes_nothing() -> None:
    other = replace(CNP, selects=(PodPeer(None, sel({"app": "cache"})),))
    plain = check(cluster([WEB, DB]), WEB, DB)
    v = check(with_unevaluated(cluster([WEB, DB]), other), WEB, DB)
    assert v.decision is Decision.ALLOWED
    assert explain(v) == explain(plain)
    assert verdict_json(v) == verdict_json(plain)


def test_ignore_unevaluated_answers_as_if_absent() -> None:
    c = with_unevaluated(
        cluster([WEB, DB]), CNP, replace(CNP, name="all", selects=None, directions=frozenset(Direction))
    )
    v = check(c, WEB, DB, options=Options(ignore_unevaluated=True))
    assert v.decision is Decision.ALLOWED
    assert explain(v) == explain(check(cluster([WEB, DB]), WEB, DB))


def test_several_unevaluated_policies_are_listed_one_per_line() -> None:
    anywhere = replace(
        CNP,
        kind="CiliumClusterwideNetworkPolicy",
        namespace=None,
        name="lockdown",
        directions=frozenset(Direction),
        selects=None,
        span=None,
    )
    v = check(with_unevaluated(cluster([WEB, DB]), CNP, anywhere), WEB, DB)
    lines = explain(v).splitlines()
    assert lines[1:] == [
        "  egress  at shop/web: no NetworkPolicy selects shop/web for Egress, but a policy netsim does not "
        "evaluate may decide it -> undetermined",
        "    ? CiliumClusterwideNetworkPolicy lockdown may select shop/web for egress and is not evaluated",
        "  ingress at shop/db: no NetworkPolicy selects shop/db for Ingress, but policies netsim does not "
        "evaluate may decide it -> undetermined",
        f"    ? {CONDITION}",
        "    ? CiliumClusterwideNetworkPolicy lockdown may select shop/db for ingress and is not evaluated",
        "  => undetermined, depends on (egress and ingress must both allow it):",
        "     - CiliumClusterwideNetworkPolicy lockdown may select shop/web for egress and is not evaluated",
        f"     - {CONDITION}",
        "     - CiliumClusterwideNetworkPolicy lockdown may select shop/db for ingress and is not evaluated",
    ]
    assert [u["at"] for u in verdict_json(v)["unknowns"]] == [None, "cnp.yaml:1:1", None]


# -- decision agrees with allowed where the answer is decided ----------------------------------------


def _worlds() -> list[tuple[Cluster, tuple[Endpoint, ...]]]:
    """Small clusters with and without unknowns: pods with and without IPs, a namespace with and
    without a manifest, ipBlock, selector and namespaceSelector rules, an unevaluated kind."""
    client = pod("dev/client", {"app": "client"})  # no IP
    agent = Pod("dev", "agent", sel({"app": "agent"}).match_labels, kind="DaemonSet", replicas=None)
    pods = [WEB, DB, client, agent, pod("ops/probe", {"app": "probe"}, ip="10.9.0.1")]
    rules = [
        rule(block("10.0.0.0/8"), ports=[port(5432)]),
        rule(peer(sel({"app": "web"}))),
        rule(peer(None, sel({"team": "dev"})), ports=[port(5432), port(53, UDP)]),
        rule(block("10.0.1.0/24", "10.0.1.20/32"), peer(ALL, sel({"env": "ops"}))),
    ]
    policies: list[list[NetworkPolicy]] = [[]]
    for i, r in enumerate(rules):
        policies.append([policy(f"shop/in-{i}", sel({"app": "db"}), ingress=[r])])
        policies.append([policy(f"dev/out-{i}", ALL, egress=[r], types="Egress")])
    policies.append([policy("shop/deny", ALL, types="Ingress,Egress")])
    outside: tuple[Endpoint, ...] = (ext("10.0.1.10"), ext("8.8.8.8"))
    worlds: list[tuple[Cluster, tuple[Endpoint, ...]]] = []
    for pols in policies:
        base = cluster(pods, pols)
        undeclared = Cluster(tuple(n for n in base.namespaces if n.name == "shop"), base.pods, base.policies)
        for c in (base, undeclared, with_unevaluated(base, CNP)):
            worlds.append((c, (*c.pods, *outside)))
    return worlds


OPTIONS = [
    Options(),
    Options(closed_world=True),
    Options(pod_cidrs=(ip_network("10.0.0.0/16"),)),
    Options(pod_cidrs=(ip_network("10.99.0.0/16"),)),
    Options(replica_traffic=False, ipblock_matches_pods=False),
]


@pytest.mark.parametrize("options", OPTIONS, ids=["default", "closed-world", "pod-cidr-in", "pod-cidr-out", "knobs"])
def test_decision_agrees_with_allowed_when_decided(options: Options) -> None:
    decisions: set[Decision] = set()
    for c, endpoints in _worlds():
        index = PolicyIndex(c, options)
        for src, dst in itertools.product(endpoints, repeat=2):
            for number, proto in ((5432, Protocol.TCP), (53, Protocol.UDP), (80, Protocol.TCP)):
                if not isinstance(src, Pod) and not isinstance(dst, Pod):
                    continue
                v = evaluate(index, Traffic(src, dst, number, proto))
                decisions.add(v.decision)
                if v.decision is Decision.UNDETERMINED:
                    assert not v.allowed, explain(v)
                    assert v.unknowns(), explain(v)
                    assert verdict_json(v)["allowed"] is None
                else:
                    assert (v.decision is Decision.ALLOWED) == v.allowed, explain(v)
                    assert v.unknowns() == ()
                    data = verdict_json(v)
                    assert (data["verdict"], data["allowed"], data["unknowns"]) == (v.decision.value, v.allowed, [])
                    assert explain(v).splitlines()[0].endswith(("ALLOWED", "DENIED", "(one replica to another)"))
    assert {Decision.ALLOWED, Decision.DENIED} <= decisions
    if options == Options():
        assert Decision.UNDETERMINED in decisions


def test_decision_agrees_with_allowed_on_the_bundled_scenarios() -> None:
    seen = 0
    for manifests in sorted(SCENARIOS.glob("**/manifests")):
        try:
            c = load_cluster([str(manifests)]).cluster
        except InputErrors:  # common-mistakes: invalid on purpose
            continue
        index = PolicyIndex(c)
        for src, dst in itertools.product(c.pods, repeat=2):
            for number, proto in ((80, Protocol.TCP), (53, Protocol.UDP), (8080, Protocol.TCP)):
                v = evaluate(index, Traffic(src, dst, number, proto))
                if v.decision is not Decision.UNDETERMINED:
                    assert (v.decision is Decision.ALLOWED) == v.allowed, explain(v)
                seen += 1
    assert seen > 100


def test_not_in_against_a_namespace_without_a_manifest_is_undetermined() -> None:
    # shop has no manifest: it may carry env=prod, which NotIn excludes, or not
    web, db = pod("shop/web", {"app": "web"}), pod("prod/db", {"app": "db"})
    pol = policy(
        "prod/db-in",
        sel({"app": "db"}),
        ingress=[rule(peer(None, sel(None, expr("env", "NotIn", "prod"))))],
    )
    c = Cluster((namespace("prod"),), (db, web), (pol,))
    result = evaluate(c, Traffic(web, db, 80, Protocol.TCP))
    assert result.decision is Decision.UNDETERMINED
    assert [u.kind for u in result.unknowns()] == [UnknownKind.NAMESPACE_LABELS]
    assert evaluate(c, Traffic(web, db, 80, Protocol.TCP), Options(closed_world=True)).decision is Decision.ALLOWED
    absent = sel(None, expr("env", "DoesNotExist"))
    pol2 = policy("prod/db-in", sel({"app": "db"}), ingress=[rule(peer(None, absent))])
    c2 = Cluster((namespace("prod"),), (db, web), (pol2,))
    assert evaluate(c2, Traffic(web, db, 80, Protocol.TCP)).decision is Decision.UNDETERMINED
