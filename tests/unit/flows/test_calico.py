"""netsim.flows.calico: Calico Enterprise/Cloud flow logs, Whisker's list response and Goldmane's
flows; aggregated names become workloads, network ends outside addresses."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_address
from typing import Any

import pytest

from netsim.flows import ALLOWED, DENIED, FlowEnd, FlowRecord, Skip
from netsim.flows.calico import CalicoParser
from netsim.flows.model import RecordError
from netsim.flows.workloads import strip_template_hash
from netsim.model import Labels, Protocol
from tests.unit.flows.common import DATA, read_all

TCP = Protocol.TCP
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
WEB = FlowEnd(
    namespace="shop",
    workload="web",
    labels=Labels({"app": "web", "tier": "front", "pod-template-hash": "7d9c8b6f5"}),  # projectcalico.org/ left out
)


def parse(record: dict[str, Any]) -> FlowRecord:
    result = CalicoParser()(record, 1)
    assert not isinstance(result, Skip)
    return FlowRecord(*result)


def test_flow_logs_read_into_records() -> None:
    records = read_all(DATA / "calico.jsonl")
    src, dst = records[0], records[1]
    assert src.source == WEB
    assert src.destination == FlowEnd(
        namespace="shop", workload="api", labels=Labels({"app": "api", "pod-template-hash": "5d8f9c7b4"})
    )
    assert (src.protocol, src.port, src.count, src.observed, src.observed_at) == (TCP, 8080, 3, ALLOWED, "source")
    assert (src.first_seen, src.last_seen) == (T0, datetime(2024, 5, 1, 12, 5, tzinfo=UTC))
    assert (dst.observed_at, dst.source, dst.destination) == ("destination", src.source, src.destination)
    db = records[3]
    assert (db.destination.pod, db.destination.workload, db.observed, db.observed_at) == (
        "db-0",
        None,
        DENIED,
        "destination",
    )
    assert (records[4].destination.reserved, records[4].destination.ip) == ("world", ip_address("203.0.113.7"))
    assert (records[5].destination.reserved, records[5].destination.ip) == ("world", None)  # aggregated away
    client = records[6].source
    assert (client.reserved, str(client.ip), client.text) == (
        "private-network",
        "10.0.5.20",
        "private-network 10.0.5.20",
    )
    assert (records[8].protocol, records[8].port) == (None, None)  # icmp
    netset = records[9].destination
    assert (netset.reserved, netset.namespace, netset.workload, netset.workload_kind, netset.outside) == (
        "network-set",
        "shop",
        "partners",
        "NetworkSet",
        True,
    )


def test_whisker_flows_read_into_records() -> None:
    records = read_all(DATA / "calico-whisker.json")
    first = records[0]
    assert (first.source.workload, first.source.pod, first.source.labels) == (
        "web",
        None,
        Labels({"app": "web", "pod-template-hash": "7d9c8b6f5", "tier": "front"}),
    )
    assert (first.observed, first.observed_at, first.first_seen, first.count) == (ALLOWED, "source", T0, 1)
    assert (records[2].destination.pod, records[2].observed, records[2].observed_at) == ("db-0", DENIED, "destination")
    world = records[3].destination
    assert (world.reserved, world.ip, world.namespace) == ("world", None, None)
    assert records[4].source == FlowEnd(
        namespace="monitoring", workload="node-exporter", labels=Labels({"app": "node-exporter"})
    )


def test_goldmane_flows_with_their_key() -> None:
    flow: dict[str, Any] = {
        "Key": {
            "source_name": "backup-28391234-*",
            "source_namespace": "shop",
            "source_type": "WorkloadEndpoint",
            "dest_name": "pub",
            "dest_namespace": "",
            "dest_type": "Network",
            "dest_port": 443,
            "proto": "tcp",
            "reporter": "Src",
            "action": "Deny",
        },
        "start_time": 1714564800,
        "end_time": 1714564815,
        "source_labels": ["app=backup"],
        "num_connections_started": 4,
    }
    record = parse({"id": 12, "flow": flow})
    assert record.source == FlowEnd(namespace="shop", workload="backup-28391234", labels=Labels({"app": "backup"}))
    assert (record.destination.reserved, record.count, record.observed, record.observed_at) == (
        "world",
        4,
        DENIED,
        "source",
    )
    assert parse(
        {"Key": {**flow["Key"], "source_type": 2, "source_name": "node-1", "source_namespace": "-"}}
    ).source == FlowEnd(workload="node-1", workload_kind="HostEndpoint", reserved="host")


@pytest.mark.parametrize(
    ("aggregated", "workload"),
    [
        ("web-7d9c8b6f5-*", "web"),  # a Deployment's ReplicaSet: the pod-template-hash goes
        ("node-exporter-*", "node-exporter"),  # a DaemonSet
        ("api-v2-5d8f9c7b4-*", "api-v2"),
        ("backup-28391234-*", "backup-28391234"),  # a CronJob's Job: digits are no hash
        ("web-*", "web"),
    ],
)
def test_an_aggregated_name_is_a_workload(aggregated: str, workload: str) -> None:
    end = parse(
        {"source_namespace": "shop", "source_name": "-", "source_name_aggr": aggregated, "dest_port": 80, "proto": 6}
    ).source
    assert (end.workload, end.pod) == (workload, None)


def test_strip_template_hash_only_strips_what_reads_as_one() -> None:
    assert strip_template_hash("web-7d9c8b6f5") == "web"
    assert strip_template_hash("web-7dd9c8b") == "web"
    assert strip_template_hash("node-exporter") == "node-exporter"
    assert strip_template_hash("web-2456789") == "web-2456789"  # only digits: a schedule or an ordinal
    assert strip_template_hash("web-bcdfgh") == "web-bcdfgh"  # only letters: a word
    assert strip_template_hash("web") == "web"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"action": "maybe"}, "action: unknown action 'maybe': expected allow or deny"),
        ({"reporter": "both"}, "reporter: unknown reporter 'both': expected src or dst"),
        ({"source_type": "pod"}, "source_type: unknown endpoint type 'pod': expected wep, hep, ns or net"),
        ({"proto": "gre2"}, "proto: unknown protocol 'gre2': expected TCP, UDP or SCTP"),
        ({"proto": None, "protocol": None}, "proto: no protocol"),
        ({"dest_port": None}, "dest_port: no destination port"),
        ({"dest_port": "http"}, "dest_port: expected a port number, got 'http'"),
        ({"source_ip": "10.0.0"}, "source_ip: not an IP address: '10.0.0'"),
        ({"source_labels": {"labels": ["app"]}}, "source_labels: expected a label 'key=value', got 'app'"),
        ({"dest_namespace": 3}, "dest_namespace: expected a string, got 3"),
        ({"num_flows": -1}, "num_flows: count -1 is not positive"),
        ({"start_time": "noon"}, "start_time: not a time: 'noon'"),
    ],
)
def test_malformed_logs_say_which_field(fields: dict[str, Any], message: str) -> None:
    record = {"source_namespace": "shop", "source_name_aggr": "web-*", "dest_port": 80, "proto": "tcp", **fields}
    with pytest.raises(RecordError) as caught:
        CalicoParser()(record, 1)
    assert f"{caught.value.field}: {caught.value.message}".startswith(message)
    with pytest.raises(RecordError, match="expected a JSON object"):
        CalicoParser()([record], 1)
