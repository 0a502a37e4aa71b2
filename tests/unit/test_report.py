"""The data of ``netsim report`` (netsim.report): a workload's pod view, made when policies do not
treat its pods alike, and the workloads whose pods they do treat alike."""

from __future__ import annotations

import gc
from typing import Any

import netsim
from netsim.report import FindingNodes, build_report

#: web's three pods: web-0 and web-1 are in the ipBlock that db's policy admits, web-2 is not; api's
#: two pods differ in a label that no policy reads.
SHOP = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-the-first-subnet, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/24}}]
    ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, ports: [{containerPort: 5432}]}]}
status: {podIP: 10.0.3.1}
"""

REPLICA = """
---
apiVersion: v1
kind: Pod
metadata:
  name: {name}
  namespace: shop
  labels: {labels}
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, controller: true}}]
spec: {{containers: [{{name: c, ports: [{{containerPort: 8080}}]}}]}}
status: {{podIP: {ip}}}
"""


def shop_yaml() -> str:
    """The cluster of the tests (the browser tests write it to a file)."""
    pods = [
        ("web-0", "{app: web}", "web-5d8f7", "10.0.0.1"),
        ("web-1", "{app: web}", "web-5d8f7", "10.0.0.2"),
        ("web-2", "{app: web}", "web-5d8f7", "10.0.1.5"),
        ("api-0", "{app: api, version: v1}", "api-7c9d4", "10.0.2.1"),
        ("api-1", "{app: api, version: v2}", "api-7c9d4", "10.0.2.2"),
    ]
    return SHOP + "".join(REPLICA.format(name=n, labels=lb, owner=o, ip=ip) for n, lb, o, ip in pods)


def _report() -> dict[str, Any]:
    loaded = netsim.load_texts({"shop.yaml": shop_yaml()})
    data: dict[str, Any] = build_report(netsim.PolicyIndex(loaded.cluster), title="shop")
    return data


WEB = "shop/web-5d8f7[ReplicaSet]"
API = "shop/api-7c9d4[ReplicaSet]"
DB = "shop/db-0[Pod]"


def test_a_workload_whose_pods_differ_gets_a_pod_view_of_its_groups() -> None:
    data = _report()
    nodes = {n["id"]: n for n in data["workloads"]["nodes"]}
    assert nodes[WEB]["groups"] == 2
    assert list(data["podViews"]) == [WEB]
    assert data["counts"]["podLevel"] is True
    assert data["counts"]["podViews"] == 1
    view = data["podViews"][WEB]
    names = [data["pods"][k][0] for g in view["groups"] for k in g["pods"]]
    assert names == ["web-0", "web-1", "web-2"]
    assert [(g["label"], g["rep"]) for g in view["groups"]] == [("web-0, web-1", "shop/web-0"), ("web-2", "shop/web-2")]
    # the nodes: the groups (outside 0, ref = the group), then the ends on the ring
    refs = [(row[0], row[4]) for row in view["nodes"]]
    assert refs[:2] == [(0, 0), (1, 0)]
    wl_ids = [n["id"] for n in data["workloads"]["nodes"]]
    ring = {wl_ids[ref] if ref >= 0 else data["overview"]["nodes"][-ref - 1]["id"] for ref, out in refs if out}
    assert {API, DB} <= ring
    db = next(k for k, (ref, out) in enumerate(refs) if out and ref >= 0 and wl_ids[ref] == DB)
    edges = {(e[0], e[1]): e for e in view["edges"]}
    strings = data["strings"]
    # only the group inside the ipBlock reaches db, on 5432, for its two pods
    assert strings[edges[(0, db)][2]] == "TCP 5432"
    assert edges[(0, db)][4] == 2
    assert (1, db) not in edges
    # web-0 and web-1 talk to each other (2 pairs), web-2 alone has no loop
    assert edges[(0, 0)][4] == 2
    assert (1, 1) not in edges
    # a representative pair is explained, in the same list as the namespace views'
    src, dst, port, text = data["why"][edges[(0, db)][5]]
    assert (src, dst, port) == ("shop/web-0", "shop/db-0", "5432/TCP")
    assert text.startswith("shop/web-0 -> shop/db-0 5432/TCP: ALLOWED")


def test_an_edge_is_explained_by_a_pair_it_stands_for_not_by_the_first_pods() -> None:
    # web-0 (the workload's and the namespace's first pod) is outside the ipBlock db admits: the
    # edges web -> db (namespace view) and shop's own traffic are explained by web-1 -> db-0
    pods = [
        ("web-0", "{app: web}", "web-5d8f7", "10.0.1.5"),
        ("web-1", "{app: web}", "web-5d8f7", "10.0.0.2"),
    ]
    text = SHOP + "".join(REPLICA.format(name=n, labels=lb, owner=o, ip=ip) for n, lb, o, ip in pods)
    index = netsim.PolicyIndex(netsim.load_texts({"shop.yaml": text}).cluster)
    data = build_report(index, title="shop", base=index)  # a diff report: no pod views
    view = data["namespaces"]["shop"]
    ids = [data["workloads"]["nodes"][ref]["id"] for ref, *_ in view["nodes"]]
    [edge] = [e for e in view["edges"] if (ids[e[0]], ids[e[1]]) == (WEB, DB)]
    assert data["why"][edge[5]][:3] == ["shop/web-1", "shop/db-0", "5432/TCP"]
    assert data["why"][edge[5]][3].startswith("shop/web-1 -> shop/db-0 5432/TCP: ALLOWED")
    assert all(w[3].splitlines()[0].endswith("ALLOWED") for w in data["why"])


def test_pods_that_differ_only_in_a_label_no_policy_reads_are_alike() -> None:
    data = _report()
    nodes = {n["id"]: n for n in data["workloads"]["nodes"]}
    # api's pods are two classes (their labels differ) but one group: no pod view
    assert nodes[API]["groups"] == 1
    assert API not in data["podViews"]
    assert "groups" not in nodes[DB]  # one pod


def test_a_diff_report_has_no_pod_views() -> None:
    loaded = netsim.load_texts({"shop.yaml": shop_yaml()})
    index = netsim.PolicyIndex(loaded.cluster)
    data = build_report(index, title="shop", base=index)
    assert data["podViews"] == {}
    assert all("groups" not in n for n in data["workloads"]["nodes"])


FINDINGS = """
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: front, namespace: edge}
spec:
  selector: {matchLabels: {app: front}}
  template:
    metadata: {labels: {app: front}}
    spec: {containers: [{name: c}]}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: edge}}}
  ingress:
  - {action: Deny, from: [{namespaces: {}}]}
"""


def _finding_nodes() -> FindingNodes:
    loaded = netsim.load_texts({"shop.yaml": shop_yaml() + FINDINGS})
    return FindingNodes(netsim.PolicyIndex(loaded.cluster))


def test_a_policy_finding_is_shown_on_its_namespace_and_the_workloads_it_selects() -> None:
    assert _finding_nodes()("NetworkPolicy shop/db-from-the-first-subnet") == ("shop", DB)


def test_a_service_finding_is_shown_on_its_namespace_and_its_backends_workloads() -> None:
    assert _finding_nodes()("Service shop/web") == ("shop", WEB)


def test_a_pod_or_workload_finding_is_shown_on_its_namespace_and_its_workload() -> None:
    nodes = _finding_nodes()
    assert nodes("Pod shop/web-2") == ("shop", WEB)
    assert nodes("ReplicaSet shop/web-5d8f7") == ("shop", WEB)
    assert nodes("Deployment edge/front") == ("edge", "edge/front[Deployment]")


def test_a_cluster_policy_finding_is_shown_on_the_namespaces_its_subject_selects() -> None:
    assert _finding_nodes()("AdminNetworkPolicy guard") == ("edge",)


def test_other_findings_are_shown_on_their_namespace_or_nowhere() -> None:
    nodes = _finding_nodes()
    assert nodes("Namespace shop") == ("shop",)
    assert nodes("HTTPRoute shop/www") == ("shop",)
    assert nodes("NetworkPolicy shop/no-such-policy") == ("shop",)
    assert nodes("AdminNetworkPolicy no-such-policy") == ()


def test_building_the_report_leaves_the_cycle_collector_as_it_was() -> None:
    assert gc.isenabled()
    _report()
    assert gc.isenabled()
    gc.disable()
    try:
        _report()
        assert not gc.isenabled()
    finally:
        gc.enable()
