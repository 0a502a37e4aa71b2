"""netsim.flows.hubble: Hubble's flows as ``hubble observe -o json`` prints them (cilium's
``api/v1/flow/flow.proto``, proto field names), the lowerCamelCase and numeric-enum spellings, and
the records that are no flows."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

import pytest

from netsim.flows import ALLOWED, DENIED, FlowEnd, FlowRecord, Skip
from netsim.flows.hubble import HubbleParser
from netsim.flows.model import RecordError
from netsim.model import Labels, Protocol
from tests.unit.flows.common import DATA, read_all

TCP, UDP = Protocol.TCP, Protocol.UDP


def parse(record: dict[str, Any]) -> FlowRecord | Skip:
    result = HubbleParser()(record, 1)
    return result if isinstance(result, Skip) else FlowRecord(*result)


def flow(**fields: Any) -> dict[str, Any]:
    """A minimal flow from web to api on 8080/TCP, with ``fields`` added."""
    base: dict[str, Any] = {
        "verdict": "FORWARDED",
        "IP": {"source": "10.244.1.5", "destination": "10.244.2.7", "ipVersion": "IPv4"},
        "l4": {"TCP": {"source_port": 40000, "destination_port": 8080}},
        "source": {"namespace": "shop", "pod_name": "web-7d9c8b6f5-x2x4k"},
        "destination": {"namespace": "shop", "pod_name": "api-5d8f9c7b4-q8r2t"},
    }
    return {"flow": {**base, **fields}}


def record_of(**fields: Any) -> FlowRecord:
    result = parse(flow(**fields))
    assert isinstance(result, FlowRecord)
    return result


def test_the_export_reads_into_records() -> None:
    records = {r.line: r for r in read_all(DATA / "hubble.jsonl", lax=True)}
    first = records[1]
    assert first.source == FlowEnd(
        namespace="shop",
        pod="web-7d9c8b6f5-x2x4k",
        workload="web",
        workload_kind="Deployment",
        ip=ip_address("10.244.1.5"),
        labels=Labels({"app": "web", "tier": "front"}),  # k8s: stripped, Cilium's own left out
    )
    assert (first.protocol, first.port, first.count, first.observed, first.reply, first.observed_at) == (
        TCP,
        8080,
        1,
        ALLOWED,
        False,
        "source",
    )
    assert first.first_seen == first.last_seen == datetime(2024, 5, 1, 12, 0, 0, 101234, tzinfo=UTC)
    assert records[2].observed_at == "destination"
    assert records[3].reply  # is_reply: true
    assert (records[6].observed, records[6].observed_at) == (DENIED, "destination")  # POLICY_DENIED at ingress
    world = records[7].destination
    assert (world.reserved, str(world.ip), world.names, world.namespace) == (
        "world",
        "203.0.113.7",
        ("api.example.com",),
        None,
    )
    assert world.text == "world 203.0.113.7 (api.example.com)"
    v6 = records[8]
    assert (str(v6.source.ip), str(v6.destination.ip), v6.destination.pod, v6.observed) == (
        "2001:db8:1::7",
        "fd00:10:244:1::9",
        "cart",
        DENIED,
    )
    assert (records[9].protocol, records[9].port, records[9].observed) == (UDP, 53, ALLOWED)
    l7 = records[10]  # the L7 record brings no verdict: it is the L7 policy's, not NetworkPolicy's
    assert (l7.protocol, l7.port, l7.observed) == (UDP, 53, None)
    assert (records[11].protocol, records[11].port) == (None, None)  # ICMPv4
    assert records[14].source.reserved == "host"


def test_an_end_seen_again_is_the_same_object() -> None:
    parser = HubbleParser()
    one, two = parser(flow(), 1), parser(flow(), 2)
    assert not isinstance(one, Skip)
    assert not isinstance(two, Skip)
    assert one[1] is two[1]
    assert one[2] is two[2]


def test_a_bare_flow_and_the_default_json_spellings_are_read() -> None:
    camel = {
        "time": {"seconds": 1714564800, "nanos": 500000000},
        "verdict": 2,  # DROPPED
        "dropReasonDesc": "POLICY_DENIED",
        "IP": {"source": "10.244.1.5", "destination": "10.244.2.7"},
        "l4": {"UDP": {"sourcePort": 40000, "destinationPort": 53}},
        "source": {"namespace": "shop", "podName": "web-1", "workloads": [{"name": "web", "kind": "Deployment"}]},
        "destination": {"identity": 2},
        "destinationNames": ["dns.example.com"],
        "isReply": False,
        "trafficDirection": 2,  # EGRESS
    }
    record = parse(camel)
    assert isinstance(record, FlowRecord)
    assert (record.protocol, record.port, record.observed, record.observed_at) == (UDP, 53, DENIED, "source")
    assert (record.source.pod, record.source.workload) == ("web-1", "web")
    assert (record.destination.reserved, record.destination.names) == ("world", ("dns.example.com",))
    assert record.first_seen == datetime(2024, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fields", "observed"),
    [
        ({"verdict": "FORWARDED"}, ALLOWED),
        ({"verdict": "REDIRECTED"}, ALLOWED),
        ({"verdict": "DROPPED", "drop_reason_desc": "POLICY_DENIED"}, DENIED),
        ({"verdict": "DROPPED", "drop_reason_desc": "POLICY_DENY"}, DENIED),
        ({"verdict": "DROPPED", "drop_reason": 133}, DENIED),
        ({"verdict": "DROPPED", "drop_reason_desc": "CT_MAP_INSERTION_FAILED"}, None),
        ({"verdict": "DROPPED"}, None),
        ({"verdict": "AUDIT"}, DENIED),
        ({"verdict": "ERROR"}, None),
        ({"verdict": "TRACED"}, None),
        ({"verdict": "TRANSLATED"}, None),
        ({"verdict": 1}, ALLOWED),
        ({"verdict": "FORWARDED", "Type": "L7", "l7": {"type": "REQUEST"}}, None),
    ],
)
def test_the_verdict_is_normalised(fields: dict[str, Any], observed: str | None) -> None:
    assert record_of(**fields).observed == observed


def test_replies_in_either_spelling() -> None:
    assert record_of(is_reply=True).reply
    assert record_of(reply=True).reply  # before is_reply
    assert not record_of().reply  # unknown: taken as a request


def test_labels_reserved_identities_and_workloads() -> None:
    source = {
        "namespace": "shop",
        "pod_name": "api-0",
        "identity": 31877,
        "labels": [
            "k8s:app=api",
            "k8s:io.kubernetes.pod.namespace=shop",
            "k8s:io.cilium.k8s.policy.serviceaccount=api",
            "container:team=x",
            "version=2",
        ],
        "workloads": [{"name": "api", "kind": "StatefulSet"}, {"name": "other", "kind": "Job"}],
    }
    end = record_of(source=source).source
    assert end.labels == Labels({"app": "api", "version": "2"})
    assert (end.workload, end.workload_kind, end.reserved) == ("api", "StatefulSet", None)
    node = record_of(source={"identity": 6, "labels": ["reserved:remote-node"]}).source
    assert (node.reserved, node.outside, node.labels) == ("remote-node", True, None)
    assert record_of(source={"identity": 7}).source.reserved == "kube-apiserver"


@pytest.mark.parametrize(
    ("record", "skip"),
    [
        ({"node_status": {"state_change": "NODE_CONNECTED"}, "node_name": "relay"}, Skip.NOT_FLOW),
        ({"lost_events": {"source": "HUBBLE_RING_BUFFER", "num_events_lost": 3}}, Skip.NOT_FLOW),
        ({"agent_event": {"type": "AGENT_STARTED"}}, Skip.NOT_FLOW),
        (flow(Type="SOCK"), Skip.NOT_FLOW),
    ],
)
def test_responses_that_are_no_flows_are_skipped(record: dict[str, Any], skip: Skip) -> None:
    assert parse(record) is skip


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"flows": []}, "not a Hubble flow: the record has no 'flow' field"),
        ({"flow": []}, "flow: expected an object, got a list"),
        (flow(IP={"source": "10.0.0.300"}), "flow.IP.source: not an IP address: '10.0.0.300'"),
        (flow(l4={"TCP": {"destination_port": 70000}}), "flow.l4.TCP.destination_port: port 70000 is out of range"),
        (flow(l4={"SCTP": {"source_port": 5}}), "flow.l4.SCTP.destination_port: no destination port"),
        (flow(is_reply="yes"), "flow.is_reply: expected true or false, got 'yes'"),
        (flow(time="yesterday"), "flow.time: not a time: 'yesterday'; expected RFC 3339 or Unix seconds"),
        (flow(verdict={"v": 1}), "flow.verdict: expected a verdict, got an object"),
        (flow(source={"labels": "app=web"}), "flow.source.labels: expected a list of labels, got 'app=web'"),
        (flow(source={"labels": [1]}), "flow.source.labels[0]: expected a label 'source:key=value', got 1"),
        (flow(destination={"pod_name": 7}), "flow.destination.pod_name: expected a string, got 7"),
        (flow(destination={"workloads": [{"name": ["x"]}]}), "flow.destination.workloads[0].name: expected a string"),
        (flow(source_names="a.example"), "flow.source_names: expected a list of names, got 'a.example'"),
    ],
)
def test_malformed_flows_say_which_field(record: dict[str, Any], message: str) -> None:
    with pytest.raises(RecordError) as caught:
        HubbleParser()(record, 1)
    error = caught.value
    assert f"{error.field}: {error.message}".removeprefix(": ").startswith(message)
