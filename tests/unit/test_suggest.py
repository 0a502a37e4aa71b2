"""netsim.suggest: policies suggested from observed connections (selectors from workload labels,
one rule per port set, DNS folded, names), netsim's check of its own suggestion, and the files."""

from __future__ import annotations

import json
from dataclasses import replace
from ipaddress import ip_network
from pathlib import Path

import pytest

from netsim.engine import PolicyIndex, evaluate_pair
from netsim.loader import load_texts
from netsim.model import (
    Cluster,
    Direction,
    Endpoint,
    IPBlockPeer,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Options,
    Pod,
    PodPeer,
    PortSpec,
    Protocol,
    Rule,
)
from netsim.render.suggest import policy_yaml, suggestion_files, summary_json, summary_text
from netsim.replay import Observed
from netsim.suggest import DEFAULT_DENY_NAME, SuggestedPolicy, SuggestedRule, Suggestion, suggest, verify
from netsim.suggest.workloads import Workloads, bounded_name
from netsim.validation import subdomain_errors
from tests.conftest import GoldenCheck
from tests.unit.builders import ALL, TCP, UDP, cluster, cport, ext, peer, pod, policy, port, rule, sel

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "suggest"


def workload(ref: str, labels: dict[str, str], *, kind: str = "Deployment", ip: str | None = None, **kw: object) -> Pod:
    """The representative pod of a workload manifest."""
    return replace(pod(ref, labels, ip=ip, **kw), kind=kind)  # type: ignore[arg-type]


def obs(src: Endpoint, dst: Endpoint, number: int, protocol: Protocol = TCP, flows: int = 1, at: str = "") -> Observed:
    return Observed(src, dst, protocol, number, flows, at=at or f"flows.json:{number}")


def run(
    c: Cluster, observed: list[Observed], *, default_deny: bool = False, options: Options | None = None
) -> Suggestion:
    """Suggest, and assert netsim's two checks hold, as the CLI does before writing."""
    opts = options or Options()
    s = suggest(c, opts, observed, default_deny=default_deny)
    v = verify(c, opts, observed, s)
    assert v.ok, v.failures()
    return s


def only(s: Suggestion, name: str) -> SuggestedPolicy:
    found = [p for p in s.policies if p.policy.name == name]
    assert len(found) == 1, [p.policy.ref for p in s.policies]
    return found[0]


WEB = workload("shop/web", {"app": "web", "pod-template-hash": "5d8f9"}, ip="10.0.0.1")
API = workload("shop/api", {"app": "api"}, ip="10.0.0.2", ports=[cport(8080, name="http"), cport(9090)])
DB = workload("data/db", {"app": "db"}, kind="StatefulSet", ip="10.0.1.1", ports=[cport(5432, name="pg")])
DNS = workload("kube-system/coredns", {"k8s-app": "kube-dns"}, ip="10.0.2.1")
#: api and db admit nothing (isolated for ingress, no rules)
ISOLATED = [policy("shop/api-deny", sel({"app": "api"})), policy("data/db-deny", sel({"app": "db"}))]


# -- sides: an ingress rule where ingress denies, an egress rule where egress denies -------------


def test_same_namespace_denied_at_ingress_gets_an_ingress_rule_selecting_the_destination() -> None:
    c = cluster([WEB, API], ISOLATED[:1])
    s = run(c, [obs(WEB, API, 8080, flows=40, at="flows.json:17")])
    assert [p.policy.name for p in s.policies] == ["netsim-suggested-api-ingress"]
    sp = s.policies[0]
    assert sp.file == "shop.api-ingress.yaml"
    assert sp.workload == "shop/api[Deployment]"
    assert sp.policy.pod_selector == sel({"app": "api"})
    assert sp.policy.policy_types == {Direction.INGRESS}
    # same namespace: a podSelector only; the port by the name api declares for it
    assert sp.policy.ingress == (Rule((PodPeer(None, sel({"app": "web"})),), (PortSpec(TCP, "http"),)),)
    assert [str(f) for f in sp.rules[0].flows] == ["shop/web -> shop/api 8080/TCP"]
    assert (sp.rules[0].flows[0].count, sp.rules[0].flows[0].at) == (40, "flows.json:17")
    assert (s.connections, s.covered, s.rules) == (1, 1, 1)


def test_cross_namespace_peer_selects_the_namespace_by_its_name() -> None:
    c = cluster([API, DB], ISOLATED[1:])
    s = run(c, [obs(API, DB, 5432)])
    (rule_,) = only(s, "netsim-suggested-db-ingress").policy.ingress
    assert rule_.peers == (PodPeer(sel({"kubernetes.io/metadata.name": "shop"}), sel({"app": "api"})),)
    assert rule_.ports == (PortSpec(TCP, "pg"),)


def test_denied_at_egress_gets_an_egress_rule_in_the_source_namespace() -> None:
    egress_deny = policy("shop/web-deny", sel({"app": "web"}), types="Egress")
    c = cluster([WEB, API, DB], [egress_deny])
    s = run(c, [obs(WEB, API, 8080), obs(WEB, DB, 5432)])
    assert [p.policy.ref for p in s.policies] == ["shop/netsim-suggested-web-egress"]
    sp = s.policies[0]
    assert sp.policy.pod_selector == sel({"app": "web"})  # pod-template-hash is generated: never selected by
    assert sp.policy.policy_types == {Direction.EGRESS}
    # in the order of the ports
    assert sp.policy.egress == (
        Rule((PodPeer(sel({"kubernetes.io/metadata.name": "data"}), sel({"app": "db"})),), (PortSpec(TCP, "pg"),)),
        Rule((PodPeer(None, sel({"app": "api"})),), (PortSpec(TCP, "http"),)),
    )


def test_connections_the_manifests_allow_need_nothing() -> None:
    c = cluster(
        [WEB, API], [policy("shop/api-from-web", sel({"app": "api"}), ingress=[rule(peer(sel({"app": "web"})))])]
    )
    s = run(c, [obs(WEB, API, 8080)])
    assert s.policies == ()
    assert (s.connections, s.covered) == (1, 0)


def test_a_workload_that_becomes_isolated_keeps_what_was_allowed_because_it_was_not() -> None:
    # the manifests isolate only api's canary pod; the suggestion selects every api pod, so the
    # connection to the stable pod, allowed while it was not isolated, needs a rule too
    stable = replace(pod("shop/api-1", {"app": "api", "track": "stable"}, ip="10.0.0.5"), owner_kind="Deployment")
    canary = replace(pod("shop/api-2", {"app": "api", "track": "canary"}, ip="10.0.0.6"), owner_kind="Deployment")
    stable, canary = replace(stable, owner_name="api"), replace(canary, owner_name="api")
    probe = workload("shop/probe", {"app": "probe"}, ip="10.0.0.7")
    c = cluster([WEB, stable, canary, probe], [policy("shop/canary-deny", sel({"track": "canary"}))])
    s = run(c, [obs(WEB, canary, 8080), obs(probe, stable, 8080)])
    sp = only(s, "netsim-suggested-api-ingress")
    assert sp.policy.pod_selector == sel({"app": "api"})  # track differs between the pods: not common
    assert [str(f) for f in sp.rules[0].flows] == ["shop/probe -> shop/api 8080/TCP", "shop/web -> shop/api 8080/TCP"]
    assert s.covered == 2


# -- peers: external addresses, merged only when exact ---------------------------------------------


def test_external_addresses_are_ip_blocks_merged_only_when_the_cidr_is_exact() -> None:
    deny = policy("shop/web-deny", sel({"app": "web"}), types="Egress")
    ips = ["203.0.113.6", "203.0.113.7", "203.0.113.8", "2001:db8::1"]
    s = run(cluster([WEB], [deny]), [obs(WEB, ext(ip), 443) for ip in ips])
    (rule_,) = s.policies[0].policy.egress
    assert rule_.peers == tuple(
        IPBlockPeer(ip_network(n)) for n in ("203.0.113.6/31", "203.0.113.8/32", "2001:db8::1/128")
    )


def test_an_external_source_is_an_ip_block_of_an_ingress_rule() -> None:
    s = run(cluster([API], ISOLATED[:1]), [obs(ext("198.51.100.1"), API, 9090)])
    (rule_,) = s.policies[0].policy.ingress
    assert rule_ == Rule((IPBlockPeer(ip_network("198.51.100.1/32")),), (PortSpec(TCP, 9090),))  # 9090 has no name


# -- ports: named where the destination names them, one rule per port set -----------------------


@pytest.mark.parametrize(
    ("ports", "number", "protocol", "expected"),
    [
        ([cport(8080, name="http")], 8080, TCP, "http"),
        ([cport(8080)], 8080, TCP, 8080),  # declared without a name
        ([cport(8080, UDP, "http")], 8080, TCP, 8080),  # the name is for another protocol
        ([cport(53, UDP, "dns")], 53, UDP, "dns"),
    ],
    ids=["named", "unnamed", "other-protocol", "udp"],
)
def test_a_port_is_named_when_the_destination_declares_that_number_and_protocol(
    ports: list[object], number: int, protocol: Protocol, expected: int | str
) -> None:
    dst = workload("shop/api", {"app": "api"}, ports=ports)
    assert Workloads(cluster([dst]), Options()).port(dst, number, protocol) == PortSpec(protocol, expected)


def test_a_port_is_a_number_when_the_pods_of_the_workload_name_it_differently() -> None:
    a = replace(pod("shop/api-1", {"app": "api"}, ports=[cport(8080, name="http")]), owner_name="api")
    b = replace(pod("shop/api-2", {"app": "api"}, ports=[cport(8080, name="web")]), owner_name="api")
    assert Workloads(cluster([a, b]), Options()).port(a, 8080, TCP) == PortSpec(TCP, 8080)


def test_one_rule_per_distinct_port_set_listing_its_peers() -> None:
    a, b, cc = (workload(f"shop/c{i}", {"app": f"c{i}"}) for i in range(3))
    s = run(
        cluster([a, b, cc, API], ISOLATED[:1]),
        [obs(a, API, 9090), obs(b, API, 9090), obs(cc, API, 9090), obs(cc, API, 8080)],
    )
    rules = s.policies[0].policy.ingress
    assert [r.ports for r in rules] == [(PortSpec(TCP, "http"), PortSpec(TCP, 9090)), (PortSpec(TCP, 9090),)]
    assert [len(r.peers) for r in rules] == [1, 2]  # c2 on both; c0 and c1 on 9090


# -- DNS -------------------------------------------------------------------------------------------


def test_dns_egress_is_one_rule_to_the_dns_pods_on_udp_and_tcp_53() -> None:
    local_dns = workload("infra/resolver", {"k8s-app": "kube-dns"}, ip="10.0.3.1")  # outside kube-system
    resolver = workload("infra/unbound", {"app": "unbound"}, ip="10.0.3.2")  # port 53, but no DNS pod
    deny = policy("shop/web-deny", sel({"app": "web"}), types="Egress")
    observed = [
        obs(WEB, DNS, 53, UDP, flows=7),
        obs(WEB, DNS, 53, TCP),
        obs(WEB, local_dns, 53, UDP),
        obs(WEB, resolver, 53, UDP),
    ]
    s = run(cluster([WEB, DNS, local_dns, resolver], [deny]), observed)
    rules = s.policies[0].rules
    assert [r.dns for r in rules] == [False, True]  # the DNS rule last
    assert rules[0].rule == Rule(
        (PodPeer(sel({"kubernetes.io/metadata.name": "infra"}), sel({"app": "unbound"})),), (PortSpec(UDP, 53),)
    )
    dns = rules[1].rule
    assert dns.ports == (PortSpec(UDP, 53), PortSpec(TCP, 53))
    assert dns.peers == (
        PodPeer(sel({"kubernetes.io/metadata.name": "infra"}), sel({"k8s-app": "kube-dns"})),
        PodPeer(sel({"kubernetes.io/metadata.name": "kube-system"}), sel({"k8s-app": "kube-dns"})),
    )
    assert [str(f) for f in rules[1].flows] == [
        "shop/web -> infra/resolver 53/UDP",
        "shop/web -> kube-system/coredns 53/TCP",
        "shop/web -> kube-system/coredns 53/UDP",
    ]


# -- selectors: from workload labels, the smallest exact set ---------------------------------------


def test_the_smallest_set_of_labels_that_selects_the_workload_alone_is_chosen() -> None:
    common = {"app.kubernetes.io/part-of": "shop", "team": "x"}
    web = workload("shop/web", {**common, "app.kubernetes.io/name": "web", "component": "frontend"})
    worker = workload("shop/worker", {**common, "app.kubernetes.io/name": "worker", "component": "frontend"})
    cron = workload("shop/cron", {**common, "component": "batch"}, kind="CronJob")
    w = Workloads(cluster([web, worker, cron]), Options())
    assert w.choice(web.endpoint).selector == sel({"app.kubernetes.io/name": "web"})  # preferred to component
    assert w.choice(cron.endpoint).selector == sel({"component": "batch"})
    assert all(not w.choice(p.endpoint).also for p in (web, worker, cron))


def test_two_labels_when_no_single_one_selects_the_workload_alone() -> None:
    a = workload("shop/a", {"app": "shop", "tier": "web"})
    b = workload("shop/b", {"app": "shop", "tier": "api"})
    cc = workload("shop/c", {"app": "other", "tier": "web"})
    w = Workloads(cluster([a, b, cc]), Options())
    assert w.choice(a.endpoint).selector == sel({"app": "shop", "tier": "web"})


def test_labels_a_controller_generates_are_never_selected_by() -> None:
    generated = {
        "pod-template-hash": "1",
        "controller-revision-hash": "2",
        "statefulset.kubernetes.io/pod-name": "db-0",
        "apps.kubernetes.io/pod-index": "0",
        "batch.kubernetes.io/job-name": "j",
        "job-name": "j",
        "controller-uid": "u",
    }
    a = workload("shop/a", {**generated, "app": "a"})
    b = workload("shop/b", {**generated, "app": "b"})
    assert Workloads(cluster([a, b]), Options()).choice(a.endpoint).selector == sel({"app": "a"})


def test_the_pods_of_a_dump_are_selected_by_the_labels_they_share() -> None:
    def replica(name: str, labels: dict[str, str]) -> Pod:
        return replace(pod(f"shop/{name}", labels), owner_kind="Deployment", owner_name="web")

    pods = [replica("web-1", {"app": "web", "version": "v1"}), replica("web-2", {"app": "web", "version": "v2"})]
    w = Workloads(cluster([*pods, workload("shop/api", {"app": "api", "version": "v1"})]), Options())
    assert w.choice("shop/web[Deployment]").selector == sel({"app": "web"})


def test_workloads_that_no_labels_tell_apart_get_all_labels_and_a_note() -> None:
    twin = workload("shop/web-canary", {"app": "web"}, ip="10.0.0.9")
    c = cluster([WEB, twin, API], ISOLATED[:1])
    s = suggest(c, Options(), [obs(WEB, API, 8080)], default_deny=False)
    sp = s.policies[0]
    assert sp.rules[0].also == ("shop/web-canary[Deployment]",)
    assert "# note: no set of labels selects these peers alone; they also select shop/web-canary[Deployment]" in (
        policy_yaml(sp)
    )
    v = verify(c, Options(), [obs(WEB, API, 8080)], s)
    # the canary gains the connection too; not a failure: the file says why
    assert v.ok
    assert [(o.source, o.destination, o.certain) for o in v.opened] == [
        ("shop/web-canary[Deployment]", "shop/api[Deployment]", True)
    ]
    assert v.opened[0].reason == (
        "shop/netsim-suggested-api-ingress spec.ingress[0]: pods {app=web} in namespace shop also selects "
        "shop/web-canary[Deployment]"
    )


def test_a_subject_selector_that_is_not_exact_is_noted_above_the_pod_selector() -> None:
    twin = workload("shop/api-v2", {"app": "api"}, ip="10.0.0.8")
    c = cluster([WEB, API, twin], ISOLATED[:1])
    s = suggest(c, Options(), [obs(WEB, API, 9090)], default_deny=False)
    assert s.policies[0].also == ("shop/api-v2[Deployment]",)
    text = policy_yaml(s.policies[0])
    assert "  # note: no set of its labels selects shop/api[Deployment] alone; this also selects shop/api-v2" in text
    v = verify(c, Options(), [obs(WEB, API, 9090)], s)
    assert v.ok
    assert [o.reason for o in v.opened] == [
        "the podSelector {app=api} of shop/netsim-suggested-api-ingress also selects shop/api-v2[Deployment]"
    ]


# -- default deny: least privilege -----------------------------------------------------------------


def test_default_deny_allows_every_observed_connection_and_nothing_else() -> None:
    other = workload("shop/batch", {"app": "batch"}, ip="10.0.0.4")
    c = cluster([WEB, API, DB, DNS, other])
    observed = [obs(WEB, API, 8080), obs(API, DB, 5432), obs(WEB, DNS, 53, UDP), obs(API, ext("203.0.113.7"), 443)]
    s = run(c, observed, default_deny=True)
    assert s.default_deny == ("data", "kube-system", "shop")
    denies = [p for p in s.policies if p.is_default_deny]
    assert [(p.policy.ref, p.file) for p in denies] == [
        ("data/netsim-suggested-default-deny", "data.default-deny.yaml"),
        ("kube-system/netsim-suggested-default-deny", "kube-system.default-deny.yaml"),
        ("shop/netsim-suggested-default-deny", "shop.default-deny.yaml"),
    ]
    assert all(p.policy == replace(p.policy, pod_selector=ALL, ingress=(), egress=()) for p in denies)
    assert all(p.policy.policy_types == set(Direction) for p in denies)
    assert sorted(p.policy.name for p in s.policies if not p.is_default_deny) == [
        "netsim-suggested-api-egress",
        "netsim-suggested-api-ingress",
        "netsim-suggested-coredns-ingress",
        "netsim-suggested-db-ingress",
        "netsim-suggested-web-egress",
    ]
    # least privilege: batch, never observed, is cut off; what was observed stays
    after = s.applied_to(c)
    v = verify(c, Options(), observed, s)
    assert all(r.decision.value == "allowed" for r in v.replayed)
    assert not evaluate_pair(PolicyIndex(after), other, API).conns
    assert not evaluate_pair(PolicyIndex(after), WEB, DB).conns


def test_default_deny_names_are_those_of_replay_what_if_in_the_suggestion_style() -> None:
    assert DEFAULT_DENY_NAME == "netsim-suggested-default-deny"


# -- what no NetworkPolicy can allow ---------------------------------------------------------------

ADMIN_DENY = """
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
  ingress:
  - {name: deny-shop, action: Deny, from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]}
"""
CILIUM = """
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: l7, namespace: data}
spec:
  endpointSelector: {matchLabels: {app: db}}
  ingress: [{fromEndpoints: [{}]}]
"""
MANIFESTS = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  selector: {matchLabels: {app: api}}
  template: {metadata: {labels: {app: api}}, spec: {containers: [{name: c, image: i}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: data}
spec:
  selector: {matchLabels: {app: db}}
  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c, image: i}]}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: data}
spec: {podSelector: {}}
"""


def _loaded(*extra: str) -> tuple[Cluster, Pod, Pod]:
    c = load_texts({"m.yaml": MANIFESTS, **{f"x{i}.yaml": t for i, t in enumerate(extra)}}).cluster
    api, db = (next(p for p in c.pods if p.name == n) for n in ("api", "db"))
    return c, api, db


def test_an_admin_tier_deny_is_reported_not_suggested_and_stays_denied() -> None:
    c, api, db = _loaded(ADMIN_DENY)
    observed = [obs(api, db, 5432)]
    s = suggest(c, Options(), observed, default_deny=False)
    assert s.policies == ()
    (u,) = s.unsuggested
    assert u.direction is Direction.INGRESS
    assert (
        u.reason
        == "the Admin tier denies it (AdminNetworkPolicy guard spec.ingress[0]), before any NetworkPolicy is consulted"
    )
    v = verify(c, Options(), observed, s)
    assert v.ok  # nothing the suggestion should have allowed is denied
    assert [(str(r.observed), why) for r, why in v.not_allowable] == [(str(observed[0]), u.reason)]


def test_a_side_an_unevaluated_policy_may_decide_stays_undetermined_with_the_reason() -> None:
    c, api, db = _loaded(CILIUM)
    observed = [obs(api, db, 5432)]
    s = suggest(c, Options(), observed, default_deny=False)
    assert s.policies == ()
    assert s.unsuggested[0].reason.startswith(
        "a policy netsim does not evaluate may decide it (CiliumNetworkPolicy data/l7"
    )
    v = verify(c, Options(), observed, s)
    assert v.ok
    ((_, why),) = v.undetermined
    assert "CiliumNetworkPolicy data/l7" in why


# -- the check catches a suggestion that is wrong -------------------------------------------------


def test_the_check_names_a_connection_left_denied_and_a_pair_opened_that_was_not_observed() -> None:
    probe = workload("shop/probe", {"app": "probe"}, ip="10.0.0.7")
    c = cluster([WEB, API, probe], ISOLATED[:1])
    observed = [obs(WEB, API, 8080), obs(WEB, API, 9090)]
    # too wide (every pod of the namespace) and too narrow (port 8080 only)
    wrong = NetworkPolicy(
        "shop", "wrong", sel({"app": "api"}), frozenset({Direction.INGRESS}), (rule(peer(ALL), ports=[port(8080)]),)
    )
    bad = Suggestion((SuggestedPolicy(wrong, "shop.wrong.yaml", "shop/api[Deployment]", Direction.INGRESS),))
    v = verify(c, Options(), observed, bad)
    assert not v.ok
    assert v.failures() == (
        "still denied: shop/web[Deployment] -> shop/api[Deployment] 9090/TCP",
        "opens shop/probe[Deployment] -> shop/api[Deployment] TCP 8080 (not observed)",
    )


# -- names -----------------------------------------------------------------------------------------


def test_names_are_dns_subdomains_bounded_with_a_stable_hash() -> None:
    long = "a" * 250
    name = bounded_name(f"netsim-suggested-{long}-ingress")
    assert len(name) == 253
    assert not subdomain_errors(name)
    assert name == bounded_name(f"netsim-suggested-{long}-ingress")
    assert name != bounded_name(f"netsim-suggested-{long}-egress")


def test_a_name_gets_the_kind_when_two_workloads_share_it_and_a_number_when_the_manifests_have_it() -> None:
    deploy = workload("shop/web", {"app": "web", "kind": "d"})
    sts = workload("shop/web", {"app": "web", "kind": "s"}, kind="StatefulSet")
    taken = policy("shop/netsim-suggested-api-ingress")
    w = Workloads(cluster([deploy, sts, API], [taken]), Options())
    assert w.name(deploy.endpoint, Direction.INGRESS) == "netsim-suggested-web-deployment-ingress"
    assert w.name(sts.endpoint, Direction.EGRESS) == "netsim-suggested-web-statefulset-egress"
    assert w.name(API.endpoint, Direction.INGRESS) == "netsim-suggested-api-ingress-2"


# -- the files -------------------------------------------------------------------------------------


def _example() -> tuple[Cluster, list[Observed], Suggestion]:
    c = cluster([WEB, API, DB, DNS])
    observed = [
        obs(WEB, API, 8080, flows=40, at="flows.json:17"),
        obs(API, DB, 5432, flows=3, at="flows.json:20"),
        obs(API, DNS, 53, UDP, flows=10, at="flows.json:2"),
        obs(WEB, DNS, 53, UDP, flows=12, at="flows.json:3"),
        obs(API, ext("203.0.113.7"), 443, at="flows.json:30"),
        obs(ext("198.51.100.1"), WEB, 80, at="flows.json:31"),
    ]
    return c, observed, run(c, observed, default_deny=True)


def test_files_match_their_goldens(golden: GoldenCheck) -> None:
    _, _, s = _example()
    files = suggestion_files(s, ["flows.json"])
    assert list(files) == [p.file for p in s.policies]
    for name, text in files.items():
        golden(GOLDEN / name, text)


def test_files_load_back_through_netsims_loader_as_the_policies_suggested() -> None:
    _, _, s = _example()
    result = load_texts(suggestion_files(s, ["flows.json"]))
    assert result.warnings == ()
    assert {p.ref: p for p in result.cluster.policies} == {p.policy.ref: p.policy for p in s.policies}


def test_files_are_deterministic() -> None:
    texts = {tuple(suggestion_files(_example()[2], ["flows.json"]).items()) for _ in range(3)}
    assert len(texts) == 1


@pytest.mark.parametrize(
    "value", ["true", "010", "1.10", "", "null", "yes", "on", "1e3", "0x1f", "12345", "2001-01-01"]
)
def test_label_values_yaml_would_read_as_something_else_are_quoted(value: str) -> None:
    labels = Labels({"app": "api", "odd": value})
    p = NetworkPolicy(
        "shop",
        "netsim-suggested-api-ingress",
        LabelSelector(labels),
        frozenset({Direction.INGRESS}),
        (Rule((PodPeer(None, LabelSelector(Labels({"v": value}))),), (PortSpec(TCP, 80),)),),
    )
    sp = SuggestedPolicy(p, "f.yaml", "shop/api[Deployment]", Direction.INGRESS, (SuggestedRule(p.ingress[0], ()),))
    result = load_texts({"f.yaml": policy_yaml(sp)})
    assert result.cluster.policies == (p,)


def test_at_most_five_connections_are_listed_above_a_rule() -> None:
    sources = [workload(f"shop/c{i}", {"app": f"c{i}"}) for i in range(7)]
    s = run(
        cluster([*sources, API], ISOLATED[:1]), [obs(src, API, 9090, at=f"f.json:{i}") for i, src in enumerate(sources)]
    )
    text = policy_yaml(s.policies[0])
    assert "    # shop/c4 -> shop/api 9090/TCP: 1 flow, first at f.json:4\n    # and 2 more\n" in text
    assert "shop/c5" not in text


def test_the_summary_says_what_was_written_and_how_the_checks_went() -> None:
    c, observed, s = _example()
    v = verify(c, Options(), observed, s)
    text = summary_text(s, v, "out")
    assert (
        text.splitlines()[0]
        == "netsim suggest: 9 files (6 policies, 3 default denies), 9 rules for 6 of 6 observed connections"
    )
    assert "  wrote out/shop.api-egress.yaml: shop/api[Deployment] egress, 3 rules" in text
    assert "check: observed connections allowed with the suggestion: 6 of 6" in text
    assert "check: nothing unobserved is opened between workloads" in text
    data = json.loads(summary_json(s, v, "out"))
    assert data["checks"]["observedAllowed"]["ok"]
    assert data["checks"]["nothingElseOpened"]["ok"]
    assert data["files"][0] == "out/data.default-deny.yaml"
    assert data["policies"][5]["rules"][2]["dns"] is True


def test_a_connection_the_cluster_denied_every_time_gets_no_rule_and_says_why() -> None:
    c = cluster([WEB, API], ISOLATED[:1])
    carried = obs(WEB, API, 8080)
    refused = replace(obs(ext("198.51.100.66"), API, 8080), seen=frozenset({"denied"}))
    s = run(c, [carried, refused])
    (rule_,) = only(s, "netsim-suggested-api-ingress").rules
    assert len(rule_.flows) == 1  # web's connection only
    assert [(str(u.observed), u.reason.split(":")[0]) for u in s.unsuggested] == [
        (
            "198.51.100.66 -> shop/api[Deployment] 8080/TCP",
            "the cluster denied every flow of it (the flow export's own verdict)",
        )
    ]
    # once the cluster also carried it, it is suggested
    seen_both = replace(refused, seen=frozenset({"denied", "allowed"}))
    assert not run(c, [carried, seen_both]).unsuggested
