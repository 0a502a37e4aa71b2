"""netsim.replay: observed connections decided as ``check`` decides them, compared across two
versions of the manifests, and replayed as if a default deny were added; and their rendering."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime
from ipaddress import ip_address

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netsim.engine import PolicyIndex, evaluate
from netsim.model import Direction, Pod, Protocol, Traffic
from netsim.render.replay import replay_json, replay_junit, replay_md, replay_summary, replay_text
from netsim.replay import (
    DEFAULT_DENY_NAME,
    ChangeKind,
    FailOn,
    Observed,
    ReplayReport,
    ReplayResult,
    UnmappedFlows,
    compare,
    replay,
    with_default_deny,
)
from netsim.verdict import Decision
from tests.unit.builders import block, cluster, ext, peer, pod, policy, port, rule, sel

WEB = pod("shop/web", {"app": "web"}, ip="10.0.0.1")
API = pod("shop/api", {"app": "api"}, ip="10.0.0.2")
DB = pod("shop/db", {"app": "db"}, ip="10.0.0.3")
OTHER = pod("ops/probe", {"app": "probe"}, ip="10.0.1.1")
#: api admits web on 8080; db is isolated and admits api on 5432 only from 10.0.0.0/24 (an address
#: rule: undetermined for a source without an address)
HEAD = cluster(
    [WEB, API, DB, OTHER],
    [
        policy("shop/api-from-web", sel({"app": "api"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port(8080)])]),
        policy("shop/db-from-subnet", sel({"app": "db"}), ingress=[rule(block("10.0.0.0/24"), ports=[port(5432)])]),
    ],
)
T0 = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
T1 = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def obs(src: object, dst: object, number: int, flows: int = 1, at: str = "flows.json:1") -> Observed:
    assert hasattr(src, "ref")
    assert hasattr(dst, "ref")
    return Observed(src, dst, Protocol.TCP, number, flows, T0, T1, at)  # type: ignore[arg-type]


def test_each_connection_is_decided_as_check_decides_it_and_carries_that_verdict() -> None:
    index = PolicyIndex(HEAD)
    observed = [obs(WEB, API, 8080, 40), obs(OTHER, API, 8080, 3), obs(API, DB, 5432), obs(ext("192.0.2.9"), DB, 5432)]
    replayed = replay(index, observed)
    assert [r.decision for r in replayed] == [Decision.ALLOWED, Decision.DENIED, Decision.ALLOWED, Decision.DENIED]
    for r in replayed:
        check = evaluate(index, Traffic(r.observed.source, r.observed.destination, r.observed.port, Protocol.TCP))
        assert r.verdict.decision is check.decision
        assert r.verdict.traffic == check.traffic


def test_a_connection_that_depends_on_an_address_the_input_lacks_is_undetermined() -> None:
    addressless = pod("shop/batch", {"app": "batch"})
    index = PolicyIndex(cluster([*HEAD.pods, addressless], HEAD.policies))
    (r,) = replay(index, [obs(addressless, DB, 5432)])
    assert r.decision is Decision.UNDETERMINED
    text = replay_text(ReplayReport(("f",), "m", ReplayResult((r,))))
    assert "UNDETERMINED shop/batch -> shop/db 5432/TCP" in text
    assert "allowed if shop/batch's IP is in 10.0.0.0/24 (no IP in the input; --pod-cidr gives the pod network)" in text


def test_an_end_without_an_address_is_decided_at_the_addresses_the_flows_observed() -> None:
    # batch is a workload's manifest: no address; the flows say where its pods were
    batch = pod("shop/batch", {"app": "batch"})
    index = PolicyIndex(cluster([*HEAD.pods, batch], HEAD.policies))

    def seen(*addresses: str) -> Observed:
        return replace(obs(batch, DB, 5432, 5), source_addresses=frozenset(ip_address(a) for a in addresses))

    inside, outside, mixed = replay(
        index, [seen("10.0.0.8", "10.0.0.7"), seen("10.9.9.9"), seen("10.0.0.7", "10.9.9.9")]
    )
    assert (inside.decision, inside.at_addresses) == (
        Decision.ALLOWED,
        (ip_address("10.0.0.7"), ip_address("10.0.0.8")),
    )
    placed = inside.verdict.traffic.source
    assert isinstance(placed, Pod)
    assert placed.ips == (ip_address("10.0.0.7"),)  # the evidence: the first address's
    assert (outside.decision, outside.at_addresses) == (Decision.DENIED, (ip_address("10.9.9.9"),))
    # the addresses answer differently: as undetermined as without them, naming the dependency
    assert (mixed.decision, mixed.at_addresses) == (Decision.UNDETERMINED, ())
    report = ReplayReport(("flows.json",), "m", ReplayResult((inside, outside, mixed)))
    text = replay_text(report)
    assert "1 allowed, 1 denied, 1 undetermined (2 decided at the addresses the flows observed)" in text
    assert "DENIED shop/batch -> shop/db 5432/TCP" in text
    assert (
        "  decided at the addresses the flows observed (10.9.9.9), which the manifests do not give: each gives this "
        "answer; the evidence is the first's"
    ) in text
    data = json.loads(replay_json(report))
    assert [c.get("decidedAtObservedAddresses") for c in data["connections"]] == [
        ["10.0.0.7", "10.0.0.8"],
        ["10.9.9.9"],
        None,
    ]


def test_compare_names_the_connections_a_change_newly_denies_and_allows() -> None:
    base = replay(PolicyIndex(HEAD), [obs(WEB, API, 8080), obs(OTHER, API, 8080), obs(WEB, DB, 5432)])
    head_cluster = cluster(
        HEAD.pods,
        [
            policy("shop/api-from-ops", sel({"app": "api"}), ingress=[rule(peer(None, sel()), ports=[port(8080)])]),
            policy("shop/db-closed", sel({"app": "db"})),
        ],
    )
    head = replay(PolicyIndex(head_cluster), [obs(WEB, API, 8080), obs(OTHER, API, 8080), obs(WEB, DB, 5432)])
    changes = compare(base, head)
    assert [(str(c.head.observed), c.kind) for c in changes] == [
        ("ops/probe -> shop/api 8080/TCP", ChangeKind.NEWLY_ALLOWED),
        ("shop/web -> shop/db 5432/TCP", ChangeKind.NEWLY_DENIED),
    ]
    report = ReplayReport(("f",), "m", ReplayResult(head), FailOn.NEWLY_DENIED, "main", ReplayResult(base))
    assert [str(r.observed) for r in report.failing()] == ["shop/web -> shop/db 5432/TCP"]
    assert report.exit_status() == 1


def test_a_default_deny_what_if_names_what_it_would_sever() -> None:
    index = PolicyIndex(with_default_deny(HEAD, ["shop"], [Direction.EGRESS]))
    replayed = replay(index, [obs(WEB, API, 8080), obs(OTHER, API, 8080)])
    assert [r.decision for r in replayed] == [Decision.DENIED, Decision.DENIED]
    assert f"shop/{DEFAULT_DENY_NAME}" in replay_text(ReplayReport(("f",), "m", ReplayResult(replayed)))
    # the other namespace is untouched, and the input's own policies stay
    added = [p for p in index.cluster.policies if p.name == DEFAULT_DENY_NAME]
    assert [(p.namespace, p.policy_types) for p in added] == [("shop", frozenset({Direction.EGRESS}))]
    assert len(index.cluster.policies) == len(HEAD.policies) + 1


def test_exit_status_follows_fail_on_and_undetermined() -> None:
    allowed, denied = replay(PolicyIndex(HEAD), [obs(WEB, API, 8080), obs(OTHER, API, 8080)])
    addressless = pod("shop/batch", {"app": "batch"})
    (maybe,) = replay(PolicyIndex(cluster([*HEAD.pods, addressless], HEAD.policies)), [obs(addressless, DB, 5432)])
    assert ReplayReport((), "m", ReplayResult((allowed,))).exit_status() == 0
    assert ReplayReport((), "m", ReplayResult((allowed, denied))).exit_status() == 1
    assert ReplayReport((), "m", ReplayResult((allowed, maybe))).exit_status() == 3
    assert ReplayReport((), "m", ReplayResult((denied, maybe)), FailOn.NEVER).exit_status() == 0


def _report() -> ReplayReport:
    replayed = replay(PolicyIndex(HEAD), [obs(WEB, API, 8080, 40), obs(OTHER, API, 8080, 3, "flows.json:17")])
    unmapped = (
        UnmappedFlows(
            "10.9.9.9", "shop/legacy-0", "pod shop/legacy-0 is not in the manifests", 12, T0, T0, "flows.json:33"
        ),
    )
    result = ReplayResult(
        replayed, unmapped, (("replies folded into their requests", 43), ("records that are no flows", 2)), 120
    )
    return ReplayReport(("flows.json",), "manifests/", result)


def test_the_summary_counts_records_connections_and_unmapped_flows() -> None:
    assert replay_summary(_report().result) == (
        "120 records, 43 flows in 2 connections: 1 allowed, 1 denied, 0 undetermined; 1 unmapped (12 flows)"
    )


def test_text_lists_what_is_not_allowed_with_its_explanation_and_the_unmapped_flows() -> None:
    text = replay_text(_report())
    assert text.startswith("netsim replay: 120 records, 43 flows in 2 connections")
    assert "  skipped: replies folded into their requests: 43; records that are no flows: 2\n" in text
    assert (
        "DENIED ops/probe -> shop/api 8080/TCP: 3 flows, seen 2026-12-01T10:00:00Z to 2026-12-06T09:30:00Z, "
        "first at flows.json:17\n  egress  at ops/probe: not isolated" in text
    )
    assert "shop/api-from-web spec.ingress[0]" in text
    assert "web -> shop/api" not in text  # an allowed connection is only counted
    assert text.rstrip().endswith(
        "UNMAPPED 10.9.9.9 -> shop/legacy-0: pod shop/legacy-0 is not in the manifests "
        "(12 flows, seen 2026-12-01T10:00:00Z, first at flows.json:33)"
    )


def test_json_has_every_connection_and_the_evidence_of_those_not_allowed() -> None:
    data = json.loads(replay_json(_report()))
    assert data["summary"] == {
        "records": 120,
        "flows": 43,
        "connections": 2,
        "allowed": 1,
        "denied": 1,
        "undetermined": 0,
        "unmapped": 1,
        "unmappedFlows": 12,
        "skipped": {"replies folded into their requests": 43, "records that are no flows": 2},
    }
    allowed, denied = data["connections"]
    assert "verdict" not in allowed
    assert allowed["flows"] == 40
    assert denied["decision"] == "denied"
    assert denied["verdict"]["verdict"] == "denied"
    assert denied["firstSeen"] == "2026-12-01T10:00:00Z"
    assert denied["at"] == "flows.json:17"
    assert data["exitStatus"] == 1
    assert data["failing"] == 1


def test_markdown_is_a_pull_request_comment_with_tables_and_folded_explanations() -> None:
    md = replay_md(_report())
    assert md.startswith("### netsim replay: 120 records, 43 flows in 2 connections")
    assert "#### Denied (1)" in md
    assert (
        "| `ops/probe -> shop/api 8080/TCP` | 3 | 2026-12-01T10:00:00Z | 2026-12-06T09:30:00Z | `flows.json:17` |" in md
    )
    assert "<summary>why (1)</summary>" in md
    assert "#### Unmapped (1)" in md


def test_junit_makes_each_connection_a_case_failing_where_the_exit_status_does() -> None:
    root = ET.fromstring(replay_junit(_report()))
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["shop/web -> shop/api 8080/TCP"].find("failure") is None
    failure = cases["ops/probe -> shop/api 8080/TCP"].find("failure")
    assert failure is not None
    assert failure.get("message") == "observed (3 flows) but denied"
    assert cases["ops/probe -> shop/api 8080/TCP"].get("file") == "flows.json"
    assert cases["ops/probe -> shop/api 8080/TCP"].get("line") == "17"
    skipped = cases["10.9.9.9 -> shop/legacy-0"].find("skipped")
    assert skipped is not None
    assert skipped.get("type") == "unmapped"
    never = ReplayReport(("f",), "m", _report().result, FailOn.NEVER)
    passed = ET.fromstring(replay_junit(never))
    outcomes = [c.find("skipped") for c in passed.iter("testcase")]
    assert [e.get("type") for e in outcomes if e is not None] == [
        "denied",
        "unmapped",
    ]


@given(st.permutations(range(4)))
def test_the_decisions_do_not_depend_on_the_order_of_the_connections(order: list[int]) -> None:
    observed = [obs(WEB, API, 8080), obs(OTHER, API, 8080), obs(API, DB, 5432), obs(WEB, DB, 5432)]
    index = PolicyIndex(HEAD)
    expected = {r.observed.key: r.decision for r in replay(index, observed)}
    shuffled = replay(PolicyIndex(HEAD), [observed[i] for i in order])
    assert {r.observed.key: r.decision for r in shuffled} == expected


def test_a_large_replay_is_the_same_json_written_compact(monkeypatch: pytest.MonkeyPatch) -> None:
    import netsim.render.replay as render

    indented = replay_json(_report())
    monkeypatch.setattr(render, "COMPACT_ABOVE", 1)
    compact = replay_json(_report())
    assert compact.count("\n") == 1
    assert json.loads(compact) == json.loads(indented)
