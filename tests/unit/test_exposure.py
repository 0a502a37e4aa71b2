"""Exposure analysis (netsim.exposure, netsim.render.exposure, connections --exposure)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from netsim.cli import main
from netsim.engine import PolicyIndex
from netsim.exposure import Exposure, compute_exposure, selector_contains
from netsim.graph import GroupBy, grouped_edges
from netsim.loader import load_texts
from netsim.model import Direction, Labels, LabelSelector, Options, Requirement
from netsim.render.exposure import exposure_json, exposure_text

NS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: c}]}}}
"""


def _policy(spec: str, name: str = "p") -> str:
    return f"""
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: {name}, namespace: shop}}
spec:
{spec}
"""


def _analyse(text: str, options: Options | None = None) -> tuple[Exposure, str]:
    cluster = load_texts({"in.yaml": text}).cluster
    index = PolicyIndex(cluster, options or Options(ipblock_matches_pods=False))
    grouped = grouped_edges(index, GroupBy.WORKLOAD)
    exposure = compute_exposure(index, grouped.iter_rows())
    return exposure, exposure_text(exposure)


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def test_a_workload_with_no_policy_is_not_protected_either_way() -> None:
    _, text = _analyse(NS)
    lines = _lines(text)
    assert "shop/db[Deployment] => entire-cluster : All Connections" in lines
    assert "shop/db[Deployment] <= entire-cluster : All Connections" in lines
    assert "shop/db[Deployment] => 0.0.0.0-255.255.255.255[External] : All Connections" in lines
    assert "shop/db[Deployment] is not protected on Egress" in lines
    assert "shop/db[Deployment] is not protected on Ingress" in lines


def test_entire_cluster_from_an_empty_namespace_selector_with_named_port_resolved_on_ingress() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: http}]}]"""
    exposure, text = _analyse(NS + _policy(spec))
    assert "shop/web[Deployment] <= entire-cluster : TCP 8080" in _lines(text)
    web = next(w for w in exposure.workloads if w.name == "web")
    assert web.ingress.protected
    assert not web.egress.protected


def test_egress_named_port_towards_unknown_pods_stays_a_name() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress: [{to: [{namespaceSelector: {}}], ports: [{port: dns}, {port: 53, protocol: UDP}, {port: http}]}]"""
    _, text = _analyse(NS + _policy(spec))
    assert "shop/web[Deployment] => entire-cluster : TCP http,dns,UDP 53" not in _lines(text)
    assert "shop/web[Deployment] => entire-cluster : TCP dns,http,UDP 53" in _lines(text)


def test_label_forms_of_the_remote_end() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {role: mon}}}]
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: scrape}}}]
    ports: [{port: 9090}]
  - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ops}}}]
    ports: [{port: 22}]
  - from:
    - namespaceSelector: {matchExpressions: [{key: env, operator: In, values: [prod, dev]}, {key: b, operator: Exists}]}
      podSelector: {matchLabels: {z: "1", a: "2"}}
    ports: [{port: 443}]"""
    _, text = _analyse(NS + _policy(spec))
    lines = _lines(text)
    assert "shop/web[Deployment] <= shop/[pod with {role=mon}] : All Connections" in lines
    assert "shop/web[Deployment] <= [all namespaces]/[pod with {role=scrape}] : TCP 9090" in lines
    assert "shop/web[Deployment] <= ops/[all pods] : TCP 22" in lines
    assert (
        "shop/web[Deployment] <= [namespace with {{Key:b,Operator:Exists,Values:[],},"
        "{Key:env,Operator:In,Values:[prod dev],}}]/[pod with {a=2,z=1}] : TCP 443"
    ) in lines


def test_a_wider_rule_adds_its_ports_to_a_narrower_remote() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {matchLabels: {team: x}}}]
    ports: [{port: 80}]
  - from: [{namespaceSelector: {matchLabels: {team: x}}, podSelector: {matchLabels: {role: a}}}]
    ports: [{port: 443}]"""
    _, text = _analyse(NS + _policy(spec))
    lines = _lines(text)
    assert "shop/web[Deployment] <= [namespace with {team=x}]/[all pods] : TCP 80" in lines
    assert "shop/web[Deployment] <= [namespace with {team=x}]/[pod with {role=a}] : TCP 80,443" in lines


def test_a_remote_that_a_pod_of_the_input_matches_is_left_out_as_the_peer_does() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: shop}}, podSelector: {matchLabels: {app: db}}}]}]"""
    _, text = _analyse(NS + _policy(spec))
    assert not any(line.startswith("shop/web[Deployment] <=") for line in _lines(text))


def test_a_remote_contained_in_the_entire_cluster_line_is_left_out() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{namespaceSelector: {}}]
  - from: [{podSelector: {matchLabels: {role: x}}}]
    ports: [{port: 80}]"""
    _, text = _analyse(NS + _policy(spec))
    ingress = [line for line in _lines(text) if " <= " in line and "web" in line]
    assert ingress == ["shop/web[Deployment] <= entire-cluster : All Connections"]


def test_external_ranges_are_the_connection_lists_lines_even_for_a_protected_workload() -> None:
    spec = """  podSelector: {matchLabels: {app: db}}
  policyTypes: [Ingress, Egress]
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 5432}]}]"""
    _, text = _analyse(NS + _policy(spec))
    lines = _lines(text)
    assert "shop/db[Deployment] <= 10.0.0.0-10.255.255.255[External] : TCP 5432" in lines
    assert not any(line.startswith("shop/db[Deployment] =>") for line in lines)


def test_an_ipblock_that_may_hold_pod_addresses_is_undetermined_towards_the_cluster() -> None:
    spec = """  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8}}], ports: [{port: 5432}]}]"""
    _, text = _analyse(NS + _policy(spec), Options())
    assert "shop/db[Deployment] <?= entire-cluster : TCP 5432" in _lines(text)
    # the pod network inside the block decides it; outside it, there is nothing
    from ipaddress import ip_network

    _, inside = _analyse(NS + _policy(spec), Options(pod_cidrs=(ip_network("10.244.0.0/16"),)))
    assert "shop/db[Deployment] <= entire-cluster : TCP 5432" in _lines(inside)
    _, outside = _analyse(NS + _policy(spec), Options(pod_cidrs=(ip_network("192.168.0.0/16"),)))
    assert "entire-cluster : TCP 5432" not in outside


ANP = """
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: guard}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}
  ingress:
  - {name: deny-all, action: Deny, from: [{namespaces: {}}]}
"""


def test_an_admin_tier_policy_makes_the_side_undetermined_and_names_it() -> None:
    exposure, text = _analyse(NS + ANP)
    lines = _lines(text)
    assert "shop/db[Deployment] <?= entire-cluster : All Connections" in lines
    assert "shop/db[Deployment] <= entire-cluster : All Connections" not in lines
    assert "shop/db[Deployment] => entire-cluster : All Connections" in lines  # egress: no tier policy
    assert "shop/db[Deployment] on Ingress depends on AdminNetworkPolicy guard (Admin tier)" in lines
    db = next(w for w in exposure.workloads if w.name == "db")
    assert db.side(Direction.INGRESS).depends_on == ("AdminNetworkPolicy guard (Admin tier)",)
    assert not db.side(Direction.EGRESS).depends_on


def test_selector_containment_is_exact() -> None:
    def sel(labels: dict[str, str] | None = None, *reqs: Requirement) -> LabelSelector:
        return LabelSelector(Labels(labels or {}), tuple(reqs))

    assert selector_contains(sel(), sel({"a": "1"}))
    assert selector_contains(sel({"a": "1"}), sel({"a": "1", "b": "2"}))
    assert not selector_contains(sel({"a": "1", "b": "2"}), sel({"a": "1"}))
    assert selector_contains(sel(None, Requirement("a", "In", ("1", "2"))), sel({"a": "1"}))
    assert selector_contains(sel(None, Requirement("a", "Exists")), sel({"a": "1"}))
    assert selector_contains(sel(None, Requirement("a", "NotIn", ("2",))), sel(None, Requirement("a", "DoesNotExist")))
    assert not selector_contains(sel(None, Requirement("a", "Exists")), sel(None, Requirement("a", "NotIn", ("2",))))
    # two requirements on one key meet: In (1, 2) and NotIn (2) is In (1)
    assert selector_contains(
        sel({"a": "1"}), sel(None, Requirement("a", "In", ("1", "2")), Requirement("a", "NotIn", ("2",)))
    )


def test_json_carries_the_same_data() -> None:
    spec = """  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {role: mon}}}], ports: [{port: 8080}]}]"""
    exposure, _ = _analyse(NS + _policy(spec))
    data = exposure_json(exposure)
    web = next(w for w in data["workloads"] if w["workload"]["name"] == "web")
    assert web["label"] == "shop/web[Deployment]"
    assert web["ingress"]["protected"] is True
    assert web["egress"]["protected"] is False
    (line,) = web["ingress"]["exposure"]
    assert line["remote"]["kind"] == "Pods"
    assert line["remote"]["text"] == "shop/[pod with {role=mon}]"
    assert line["remote"]["podSelector"] == {"matchLabels": {"role": "mon"}, "matchExpressions": []}
    assert line["conns"] == {"TCP": [[8080, 8080]]}
    assert line["text"] == "TCP 8080"


def test_cli_text_and_json(tmp_path: Path) -> None:
    (tmp_path / "in.yaml").write_text(NS)
    runner = CliRunner()
    text = runner.invoke(main, ["connections", "--no-replica-traffic", "--exposure", str(tmp_path)])
    assert text.exit_code == 0, text.stderr
    listing, section = text.stdout.split("\n\nExposure Analysis Result:\n")
    assert "shop/db[Deployment] => shop/web[Deployment] : All Connections" in listing.splitlines()
    assert section.startswith("Egress Exposure:\nshop/db[Deployment]  \t=> \t0.0.0.0-255.255.255.255[External]")
    out = runner.invoke(main, ["connections", "--exposure", "-o", "json", str(tmp_path)])
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert isinstance(data["connections"], list)
    assert data["connections"]
    assert {w["label"] for w in data["exposure"]["workloads"]} == {"shop/db[Deployment]", "shop/web[Deployment]"}
    plain = runner.invoke(main, ["connections", "-o", "json", str(tmp_path)])
    assert isinstance(json.loads(plain.stdout), list)  # unchanged without --exposure
    bad = runner.invoke(main, ["connections", "--exposure", "-o", "csv", str(tmp_path)])
    assert bad.exit_code == 2
    assert "--exposure is printed with -o text or -o json" in bad.stderr
