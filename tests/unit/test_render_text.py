"""render/text (and the matching JSON) for verdicts with unknowns: ``?`` rules, sides that are
undetermined, what an undetermined verdict depends on, and no noise where the unknowns do not
matter. Clusters are built from model objects; a namespace missing from ``Cluster.namespaces``
has no manifest.
"""

from __future__ import annotations

from collections.abc import Iterable

from netsim.model import Cluster, NetworkPolicy, Options, Pod
from netsim.render.json import verdict_json
from netsim.render.text import explain
from netsim.verdict import Decision
from tests.unit.builders import ALL, UDP, block, cluster, namespace, peer, pod, policy, port, rule, sel, verdict

WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.10")
DB = pod("prod/db", {"app": "db"}, ip="10.0.2.20")
CLIENT = pod("shop/client", {"app": "client"})  # no IP
NO_IP = "no IP in the input; --pod-cidr gives the pod network"
SHOP_LABELS = "namespace shop has labels matching {team=storefront} (it has no manifest: only its name label is known)"
STOREFRONT = peer(None, sel({"team": "storefront"}))


def open_world(pods: Iterable[Pod], policies: Iterable[NetworkPolicy] = ()) -> Cluster:
    """A cluster where only prod has a Namespace manifest."""
    return Cluster((namespace("prod"),), tuple(sorted(pods, key=lambda p: p.ref)), tuple(policies))


def test_rule_with_two_undecided_peers_lists_both_conditions() -> None:
    allow = policy(
        "prod/allow", sel({"app": "db"}), ingress=[rule(block("10.0.0.0/8"), STOREFRONT, ports=[port(5432)])]
    )
    v = verdict(open_world([CLIENT, DB], [allow]), CLIENT, DB, 5432)
    assert v.decision is Decision.UNDETERMINED
    assert explain(v).splitlines()[2:] == [
        "  ingress at prod/db: isolated by prod/allow [policyTypes defaulted to Ingress] -> undetermined",
        "    ? prod/allow spec.ingress[0]: allows 5432/TCP if any of:",
        f"        - shop/client's IP is in 10.0.0.0/8 ({NO_IP})",
        f"        - {SHOP_LABELS}",
        "  => undetermined, depends on:",
        f"     - allowed if shop/client's IP is in 10.0.0.0/8 ({NO_IP})",
        f"     - allowed if {SHOP_LABELS}",
    ]
    assert [u["kind"] for u in verdict_json(v)["unknowns"]] == ["pod-address", "namespace-labels"]


def test_undecided_rule_whose_ports_miss_is_a_miss() -> None:
    allow = policy("prod/allow", sel({"app": "db"}), ingress=[rule(STOREFRONT, ports=[port(80)])])
    v = verdict(open_world([WEB, DB], [allow]), WEB, DB, 5432)
    assert v.decision is Decision.DENIED
    assert explain(v).splitlines()[2:] == [
        "  ingress at prod/db: isolated by prod/allow [policyTypes defaulted to Ingress] -> denied",
        f"    x prod/allow spec.ingress[0]: source matched if {SHOP_LABELS}, but 5432/TCP is not in its ports "
        "(TCP 80 -> TCP 80)",
        "  => denied at ingress",
    ]
    [r] = verdict_json(v)["ingress"]["rules"]
    assert (r["peerMatched"], r["allowsThisConnection"], len(r["peerUnknowns"])) == (None, False, 1)


def test_both_sides_undetermined_name_their_direction() -> None:
    cache = pod("prod/cache", {"app": "db"})  # no IP either
    out = policy("shop/out", ALL, egress=[rule(block("10.0.0.0/8"))], types="Egress")
    inn = policy("prod/in", sel({"app": "db"}), ingress=[rule(STOREFRONT)])
    v = verdict(open_world([WEB, cache], [out, inn]), WEB, cache, 5432)
    assert v.decision is Decision.UNDETERMINED
    cache_ip = f"prod/cache's IP is in 10.0.0.0/8 ({NO_IP})"
    assert explain(v).splitlines() == [
        "shop/web -> prod/cache 5432/TCP: UNDETERMINED",
        "  egress  at shop/web: isolated by shop/out -> undetermined",
        f"    ? shop/out spec.egress[0]: allows 5432/TCP if {cache_ip}",
        "  ingress at prod/cache: isolated by prod/in [policyTypes defaulted to Ingress] -> undetermined",
        f"    ? prod/in spec.ingress[0]: allows 5432/TCP if {SHOP_LABELS}",
        "  => undetermined, depends on (egress and ingress must both allow it):",
        f"     - egress allowed if {cache_ip}",
        f"     - ingress allowed if {SHOP_LABELS}",
    ]
    data = verdict_json(v)
    assert [u["about"] for u in data["unknowns"]] == ["prod/cache", "namespace shop"]
    assert [data[side]["decision"] for side in ("egress", "ingress")] == ["undetermined", "undetermined"]


def test_denied_side_wins_over_an_undetermined_one() -> None:
    deny = policy("shop/deny-egress", ALL, types="Egress")
    allow = policy("prod/allow", sel({"app": "db"}), ingress=[rule(STOREFRONT)])
    v = verdict(open_world([WEB, DB], [deny, allow]), WEB, DB, 5432)
    assert v.decision is Decision.DENIED
    assert v.unknowns() == ()
    assert explain(v).splitlines()[1:] == [
        "  egress  at shop/web: isolated by shop/deny-egress -> denied",
        "    - shop/deny-egress has no egress rules: it only isolates (default deny for Egress)",
        "  ingress at prod/db: isolated by prod/allow [policyTypes defaulted to Ingress] -> undetermined",
        f"    ? prod/allow spec.ingress[0]: allows 5432/TCP if {SHOP_LABELS}",
        "  => denied at egress",
    ]
    data = verdict_json(v)
    assert (data["verdict"], data["allowed"], data["unknowns"]) == ("denied", False, [])
    assert (data["egress"]["decision"], data["ingress"]["decision"]) == ("denied", "undetermined")
    assert data["ingress"]["allowed"] is None


def test_an_unknown_that_does_not_matter_leaves_the_answer_decided() -> None:
    allow = policy(
        "prod/allow",
        sel({"app": "db"}),
        ingress=[rule(peer(sel({"app": "web"}), ALL)), rule(STOREFRONT, ports=[port(53, UDP)])],
    )
    v = verdict(open_world([WEB, DB], [allow]), WEB, DB, 5432)
    assert v.decision is Decision.ALLOWED
    assert explain(v).splitlines()[2:] == [
        "  ingress at prod/db: isolated by prod/allow [policyTypes defaulted to Ingress] -> allowed",
        "    + prod/allow spec.ingress[0]: pods {app=web} in all namespaces, all ports: allows 5432/TCP",
        f"    x prod/allow spec.ingress[1]: source matched if {SHOP_LABELS}, but 5432/TCP is not in its ports "
        "(UDP 53 -> UDP 53)",
        "  => allowed: egress and ingress both allow it",
    ]
    assert verdict_json(v)["unknowns"] == []


def test_closed_world_and_pod_cidr_decide() -> None:
    allow = policy("prod/allow", sel({"app": "db"}), ingress=[rule(block("10.0.0.0/8"), ports=[port(5432)])])
    c = cluster([CLIENT, DB], [allow])
    assert verdict(c, CLIENT, DB, 5432).decision is Decision.UNDETERMINED
    closed = verdict(c, CLIENT, DB, 5432, options=Options(closed_world=True))
    assert closed.decision is Decision.DENIED
    assert explain(closed).splitlines()[-2:] == [
        "    x prod/allow spec.ingress[0]: source not matched: "
        "shop/client has no IP address to match ipBlock 10.0.0.0/8",
        "  => denied at ingress",
    ]


def test_replica_note() -> None:
    ledger = Pod("payments", "ledger", sel({"app": "ledger"}).match_labels, kind="StatefulSet", replicas=3)
    c = cluster([ledger])
    assert explain(verdict(c, ledger, ledger, 5432)).splitlines()[0] == (
        "payments/ledger[StatefulSet] -> payments/ledger[StatefulSet] 5432/TCP: ALLOWED (one replica to another)"
    )
    one = verdict(c, ledger, ledger, 5432, options=Options(replica_traffic=False))
    assert explain(one, replica_traffic=False).splitlines()[0].endswith("5432/TCP: ALLOWED")
    assert verdict_json(one, replica_traffic=False)["oneReplicaToAnother"] is False
    single = Pod("payments", "ledger", sel({"app": "ledger"}).match_labels, kind="StatefulSet", replicas=1)
    assert explain(verdict(cluster([single]), single, single, 5432)).splitlines()[0].endswith(": ALLOWED")
