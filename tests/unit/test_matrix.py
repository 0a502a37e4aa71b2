"""The matrix: three-valued cells, and one replica of a workload to another on the diagonal."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from ipaddress import ip_network

from netsim.engine import PolicyIndex, evaluate
from netsim.matrix import build_matrix
from netsim.model import NetworkPolicy, Options, Pod, Protocol, Traffic
from netsim.render.matrix import matrix_csv, matrix_json, matrix_text
from netsim.verdict import Decision
from tests.unit.builders import ALL, block, cluster, peer, pod, policy, rule, sel


def _shop() -> list[Pod]:
    """web (a Deployment of 3, no IP), db (a pod with an IP), api (a pod with an IP)."""
    web = replace(pod("shop/web", {"app": "web"}), kind="Deployment", replicas=3)
    return [web, pod("shop/db", {"app": "db"}, ip="10.244.0.7"), pod("shop/api", {"app": "api"}, ip="10.244.0.8")]


def _cidr_policy() -> list[NetworkPolicy]:
    """db admits 10.244.0.0/16; web admits web (its replicas)."""
    return [
        policy("shop/db-in", sel({"app": "db"}), ingress=[rule(block("10.244.0.0/16"))]),
        policy("shop/web-in", sel({"app": "web"}), ingress=[rule(peer(sel({"app": "web"})))]),
        policy("shop/api-in", sel({"app": "api"}), ingress=[]),
    ]


def test_cells_are_three_valued_and_agree_with_evaluate() -> None:
    c = cluster(_shop(), _cidr_policy())
    index = PolicyIndex(c)
    m = build_matrix(index, 5432)
    web, db, api = "shop/web[Deployment]", "shop/db", "shop/api"
    assert m.decision(web, db) is Decision.UNDETERMINED  # web's replicas have no IP yet
    assert m.decision(api, db) is Decision.ALLOWED  # 10.244.0.8 is in the block
    assert m.decision(db, api) is Decision.DENIED
    assert m.decision(web, web) is Decision.ALLOWED  # one replica to another, admitted by web-in
    assert m.decision(db, db) is Decision.ALLOWED  # a pod to itself
    assert not m.allowed & m.undetermined
    for src in c.pods:
        for dst in c.pods:
            expected = evaluate(index, Traffic(src, dst, 5432, Protocol.TCP)).decision
            assert m.decision(src.ref, dst.ref) is expected, (src.ref, dst.ref)


def test_the_pod_network_settles_the_cells() -> None:
    c = cluster(_shop(), _cidr_policy())
    inside = build_matrix(PolicyIndex(c, Options(pod_cidrs=(ip_network("10.244.0.0/16"),))), 5432)
    assert inside.decision("shop/web[Deployment]", "shop/db") is Decision.ALLOWED
    assert not inside.undetermined
    outside = build_matrix(PolicyIndex(c, Options(pod_cidrs=(ip_network("192.168.0.0/16"),))), 5432)
    assert outside.decision("shop/web[Deployment]", "shop/db") is Decision.DENIED
    closed = build_matrix(PolicyIndex(c, Options(closed_world=True)), 5432)
    assert closed.decision("shop/web[Deployment]", "shop/db") is Decision.DENIED


def test_replica_diagonal_follows_the_policy_and_the_knob() -> None:
    web = _shop()[0]
    deny = [policy("shop/deny", ALL, ingress=[])]
    m = build_matrix(PolicyIndex(cluster([web], deny)), 80)
    assert m.replicated == {"shop/web[Deployment]"}
    assert m.decision("shop/web[Deployment]", "shop/web[Deployment]") is Decision.DENIED
    one = build_matrix(PolicyIndex(cluster([web], deny), Options(replica_traffic=False)), 80)
    assert not one.replicated
    assert one.decision("shop/web[Deployment]", "shop/web[Deployment]") is Decision.ALLOWED
    single = build_matrix(PolicyIndex(cluster([replace(web, replicas=1)], deny)), 80)
    assert not single.replicated


def test_text_csv_and_json() -> None:
    m = build_matrix(PolicyIndex(cluster(_shop(), _cidr_policy())), 5432)
    assert matrix_text(m) == (
        "port 5432/TCP: rows are sources, columns destinations\n"
        "  . allowed   X denied   ? undetermined   - the pod itself (always allowed)\n"
        "  on the diagonal, a workload with replicas: one replica to another\n"
        "\n"
        "                       1 2 3\n"
        "1 shop/api             - . X\n"
        "2 shop/db              X - X\n"
        "3 shop/web[Deployment] X ? .\n"
        "\n"
        "2 of 7 pairs of distinct pods allowed, 1 undetermined (netsim check says what each depends on)\n"
    )
    rows = list(csv.reader(io.StringIO(matrix_csv(m))))
    assert rows[3] == ["shop/web[Deployment]", "deny", "undetermined", "allow"]
    assert rows[1][1] == "self"
    data = json.loads(matrix_json(m))
    assert data["allowed"] == [["shop/api", "shop/db"], ["shop/web[Deployment]", "shop/web[Deployment]"]]
    assert data["undetermined"] == [["shop/web[Deployment]", "shop/db"]]


def test_decided_text_is_unchanged() -> None:
    m = build_matrix(PolicyIndex(cluster([pod("a/x"), pod("a/y")], [])), 80)
    text = matrix_text(m)
    assert "undetermined" not in text
    assert "  . allowed   X denied   - the pod itself (always allowed)\n" in text
    assert text.endswith("2 of 2 pairs of distinct pods allowed\n")
    assert json.loads(matrix_json(m))["undetermined"] == []
