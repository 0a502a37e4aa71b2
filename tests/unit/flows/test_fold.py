"""netsim.flows.fold: records into distinct connections. Replies fold away, the two observations of
one connection (Hubble's egress and ingress, Calico's src and dst reporters) fold into one and
count once, times span the records, verdicts and the sides that denied are kept; unmapped records
fold by their ends and reasons; the result does not depend on the order of the records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.flows import ALLOWED, DENIED, Connection, FlowEnd, FlowRecord, FoldResult, Skip
from netsim.flows.fold import fold
from netsim.model import Protocol
from tests.unit.flows.common import DATA, index, open_flows, read_all

TCP, UDP = Protocol.TCP, Protocol.UDP


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def summary(c: Connection) -> tuple[str, int, int, int, list[str], list[str]]:
    return (str(c), c.count, c.records, c.line, sorted(c.observed), sorted(c.denied_at))


def test_the_hubble_export_folds_into_its_connections() -> None:
    result = fold(open_flows(DATA / "hubble.jsonl", lax=True), index())
    assert [summary(c) for c in result.connections] == [
        ("172.18.0.3 -> shop/web-7d9c8b6f5-x2x4k 8080/TCP", 1, 1, 14, ["allowed"], []),
        ("2001:db8:1::7 -> shop/cart 8443/TCP", 1, 1, 8, ["denied"], ["destination"]),
        ("shop/web-7d9c8b6f5-x2x4k -> 203.0.113.7 443/TCP", 1, 1, 7, ["allowed"], []),
        # the L4 record and the L7 one of a DNS query, both at the source
        ("shop/web-7d9c8b6f5-x2x4k -> kube-system/coredns-5d78c9869d-abcde 53/UDP", 2, 2, 9, ["allowed"], []),
        # two connections, the first seen at both ends (its reply folded away): 2 observations in 3 records
        ("shop/web-7d9c8b6f5-x2x4k -> shop/api[Deployment] 8080/TCP", 2, 3, 1, ["allowed"], []),
        # allowed at web's egress, dropped by policy at db's ingress
        ("shop/web-7d9c8b6f5-x2x4k -> shop/db[StatefulSet] 5432/TCP", 1, 2, 5, ["allowed", "denied"], ["destination"]),
    ]
    api = result.connections[4]
    assert (api.first_seen, api.last_seen) == (at("2024-05-01T12:00:00.101234"), at("2024-05-01T12:00:09.250000"))
    # api[Deployment] and db[StatefulSet] are manifests without addresses: the records give them
    assert api.destination_addresses == {ip_address("10.244.2.7")}
    assert result.connections[5].destination_addresses == {ip_address("10.244.2.11")}
    # a pod the manifests address keeps none (the manifests' address is the one that counts)
    assert all(not c.source_addresses for c in result.connections)
    assert not result.connections[3].destination_addresses
    [legacy] = result.unmapped
    assert (str(legacy), legacy.count, legacy.line, legacy.destination_reason) == (
        "shop/legacy-6f7b9c4d2-zz9xq -> shop/api[Deployment] 8080/TCP",
        1,
        13,
        None,
    )
    assert legacy.reasons == (
        "pod shop/legacy-6f7b9c4d2-zz9xq is not in the manifests, nor a workload its name points to; namespace "
        "shop has api[Deployment], backup[CronJob], cart, db[StatefulSet], web[Deployment]",
    )
    assert result.skipped == {Skip.REPLY: 1, Skip.NOT_L4: 1, Skip.NOT_FLOW: 2, Skip.MALFORMED: 1}
    assert (result.records, result.unmapped_records) == (13, 1)


def test_calico_reports_of_both_ends_count_once() -> None:
    result = fold(open_flows(DATA / "calico.jsonl"), index())
    assert [summary(c) for c in result.connections] == [
        ("10.0.5.20 -> shop/cart 8443/TCP", 4, 1, 7, ["denied"], ["destination"]),
        ("shop/web-7d9c8b6f5-q8r2t -> 198.51.100.20 443/TCP", 1, 1, 10, ["allowed"], []),
        ("shop/web-7d9c8b6f5-q8r2t -> 203.0.113.7 443/TCP", 2, 1, 5, ["allowed"], []),
        ("shop/web-7d9c8b6f5-q8r2t -> kube-system/coredns-5d78c9869d-abcde 53/UDP", 7, 1, 8, ["allowed"], []),
        # src reported 3 + 2, dst 3: the larger side counts
        ("shop/web-7d9c8b6f5-q8r2t -> shop/api[Deployment] 8080/TCP", 5, 3, 1, ["allowed"], []),
        ("shop/web-7d9c8b6f5-q8r2t -> shop/db[StatefulSet] 5432/TCP", 1, 2, 3, ["allowed", "denied"], ["destination"]),
    ]
    api = result.connections[4]
    assert (api.first_seen, api.last_seen) == (at("2024-05-01T12:00:00"), at("2024-05-01T12:15:00"))
    [world] = result.unmapped
    assert (str(world), world.count, world.source_reason, world.destination_reason) == (
        "shop/web-7d9c8b6f5-q8r2t -> world 443/TCP",
        5,
        None,
        "world: the record gives no address, so netsim cannot tell which ipBlocks it is in",
    )
    assert result.skipped == {Skip.NOT_L4: 1}


def test_records_fold_alike_from_a_stream_and_from_a_list() -> None:
    records = read_all(DATA / "generic.csv")
    from_list = fold(records, index())
    from_stream = fold(open_flows(DATA / "generic.csv"), index())
    assert from_list == from_stream
    assert [summary(c) for c in from_list.connections][-1] == (
        "shop/web-7d9c8b6f5-x2x4k -> shop/api[Deployment] 8080/TCP",
        15,
        2,
        3,
        ["allowed"],
        [],
    )


def test_a_cluster_may_be_given_instead_of_an_index() -> None:
    assert fold(read_all(DATA / "generic.json"), index().cluster) == fold(read_all(DATA / "generic.json"), index())


def test_a_connection_record_needs_a_port() -> None:
    record = FlowRecord(3, FlowEnd(ip=ip_address("10.0.0.1")), FlowEnd(ip=ip_address("10.0.0.2")), TCP, None)
    with pytest.raises(ValueError, match="line 3: a TCP record without a destination port"):
        fold([record], index())


def test_an_empty_input_folds_to_nothing() -> None:
    assert fold([], index()) == FoldResult((), (), {}, 0)


# -- the laws ----------------------------------------------------------------------------------------

ENDS = [
    FlowEnd(namespace="shop", pod="web-7d9c8b6f5-x2x4k"),
    FlowEnd(namespace="shop", pod="web-7d9c8b6f5-q8r2t", ip=ip_address("10.244.2.6")),
    FlowEnd(ip=ip_address("10.244.1.9")),  # cart, by address
    FlowEnd(namespace="shop", workload="api", workload_kind="Deployment"),
    FlowEnd(ip=ip_address("203.0.113.7"), reserved="world", names=("api.example.com",)),
    FlowEnd(namespace="shop", pod="legacy-6f7b9c4d2-zz9xq"),  # unmapped
    FlowEnd(namespace="shop", pod="legacy-6f7b9c4d2-zz9xq", names=("legacy.shop",)),  # unmapped, another text
    FlowEnd(reserved="world"),  # unmapped: no address
]
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
times = st.one_of(st.none(), st.integers(0, 3600).map(lambda s: T0 + timedelta(seconds=s)))
records = st.builds(
    FlowRecord,
    line=st.integers(1, 10_000),
    source=st.sampled_from(ENDS),
    destination=st.sampled_from(ENDS),
    protocol=st.sampled_from([TCP, UDP, None]),
    port=st.sampled_from([53, 8080]),
    count=st.integers(1, 5),
    first_seen=times,
    last_seen=times,
    observed=st.sampled_from([None, ALLOWED, DENIED]),
    reply=st.booleans(),
    observed_at=st.sampled_from([None, "source", "destination"]),
).map(lambda r: replace(r, port=None) if r.protocol is None else r)


@pytest.mark.property
@settings(max_examples=200, deadline=None)
@given(st.lists(records, max_size=40), st.data())
def test_folding_does_not_depend_on_the_order_of_the_records(batch: list[FlowRecord], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(batch))
    assert fold(batch, index()) == fold(shuffled, index())


@pytest.mark.property
@settings(max_examples=200, deadline=None)
@given(st.lists(records, max_size=40))
def test_every_record_is_folded_or_skipped_once(batch: list[FlowRecord]) -> None:
    result = fold(batch, index())
    folded = sum(c.records for c in result.connections) + result.unmapped_records
    assert (
        folded + result.skipped.get(Skip.REPLY, 0) + result.skipped.get(Skip.NOT_L4, 0) == len(batch) == result.records
    )
    assert result.skipped.get(Skip.REPLY, 0) == sum(1 for r in batch if r.reply)
    for c in result.connections:
        assert 1 <= c.count <= sum(r.count for r in batch if not r.reply and r.protocol is c.protocol)
