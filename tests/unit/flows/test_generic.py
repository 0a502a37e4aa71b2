"""netsim.flows.generic: netsim's own CSV and JSON flow form, endpoints written as netsim writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

import pytest

from netsim.errors import InputError
from netsim.flows import ALLOWED, DENIED, FlowEnd
from netsim.flows.generic import parse_endpoint
from netsim.flows.model import RecordError
from netsim.model import Protocol
from tests.unit.flows.common import DATA, open_flows, read_all
from tests.unit.flows.test_reader import errors_of, write

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP


@pytest.mark.parametrize(
    ("text", "end"),
    [
        # ns/name: a pod or a workload, whichever the manifests have
        (
            "shop/web-7d9c8b6f5-x2x4k",
            FlowEnd(namespace="shop", pod="web-7d9c8b6f5-x2x4k", workload="web-7d9c8b6f5-x2x4k"),
        ),
        ("shop/api[Deployment]", FlowEnd(namespace="shop", workload="api", workload_kind="Deployment")),
        ("shop/Deployment/api", FlowEnd(namespace="shop", workload="api", workload_kind="Deployment")),
        ("shop/cart[Pod]", FlowEnd(namespace="shop", pod="cart")),
        (" 10.244.1.9 ", FlowEnd(ip=ip_address("10.244.1.9"))),
        ("fd00:10:244:1::9", FlowEnd(ip=ip_address("fd00:10:244:1::9"))),
    ],
)
def test_endpoints_in_the_forms_netsim_writes(text: str, end: FlowEnd) -> None:
    assert parse_endpoint(text) == end


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("web", "endpoint 'web' has no namespace: write ns/pod, ns/name[Kind], ns/Kind/name or an IP address"),
        ("10.0.0.0/8", "'10.0.0.0/8' is an address range: a flow is between addresses"),
        ("shop/web/x/y", "cannot read endpoint 'shop/web/x/y': write ns/pod"),
        ("", "no endpoint: write ns/pod"),
    ],
)
def test_what_is_no_endpoint_is_said(text: str, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        parse_endpoint(text, "source")
    assert (caught.value.field, caught.value.message.startswith(message)) == ("source", True)


def test_the_csv_file_reads_into_records() -> None:
    records = read_all(DATA / "generic.csv")
    assert [(r.line, r.protocol, r.port, r.count, r.observed) for r in records] == [
        (3, TCP, 8080, 12, ALLOWED),
        (5, TCP, 8080, 3, None),
        (6, UDP, 53, 1, None),
        (7, TCP, 8443, 1, DENIED),  # an empty protocol is TCP
        (8, SCTP, 5432, 2, None),
        (9, TCP, 443, 1, ALLOWED),
        (10, None, None, 1, None),  # ICMP: no port needed
    ]
    assert records[1].destination == FlowEnd(namespace="shop", workload="api", workload_kind="Deployment")
    assert all(r.observed_at is None and not r.reply for r in records)


def test_the_json_file_reads_into_records() -> None:
    records = read_all(DATA / "generic.json")
    assert [(r.protocol, r.port, r.count) for r in records] == [
        (TCP, 8080, 12),
        (TCP, 5432, 1),
        (UDP, 53, 1),
        (TCP, 8443, 1),
    ]
    assert (records[1].observed, records[1].first_seen, records[1].last_seen) == (
        DENIED,
        datetime(2024, 5, 1, 12, 0, 1, tzinfo=UTC),
        datetime(2024, 5, 1, 12, 5, tzinfo=UTC),
    )


def test_csv_without_a_header_is_positional(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.csv", "shop/web,shop/api,8080\nshop/web,10.0.0.1,53,UDP,7\n")
    assert [(r.port, r.protocol, r.count) for r in read_all(path)] == [(8080, TCP, 1), (53, UDP, 7)]


def test_a_header_may_order_the_columns_and_add_times(tmp_path: Path) -> None:
    text = "port,destination,source,last_seen\n80,shop/api,shop/web,2024-05-01T12:00:00Z\n"
    [record] = read_all(write(tmp_path, "h.csv", text))
    assert (record.port, record.source.pod, record.first_seen) == (80, "web", datetime(2024, 5, 1, 12, tzinfo=UTC))


def test_unknown_columns_are_refused_unless_lax(tmp_path: Path) -> None:
    path = write(tmp_path, "extra.csv", "source,destination,port,bytes\nshop/web,shop/api,80,1200\n")
    with pytest.raises(InputError) as caught:
        read_all(path)
    assert str(caught.value) == (
        "extra.csv:1: unknown column 'bytes' in the header: the columns are source, destination, port, protocol, "
        "count, observed, first_seen, last_seen\n  hint: --lax ignores unknown columns"
    )
    assert [r.port for r in read_all(path, lax=True)] == [80]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("source,destination,port,port", "dup.csv:1: column 'port' appears twice in the header"),
        ("source,destination,protocol", "dup.csv:1: the header has no port column"),
    ],
)
def test_a_broken_header_stops_reading(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(InputError, match=f"^{message}$"):
        read_all(write(tmp_path, "dup.csv", header + "\nshop/web,shop/api,80\n"))


def test_malformed_rows_say_which_field(tmp_path: Path) -> None:
    text = (
        "source,destination,port,protocol,count,observed\n"
        "shop/web,shop/api,,TCP,,\n"
        "shop/web,shop/api,80,XTP,,\n"
        "shop/web,shop/api,80,TCP,0,\n"
        "shop/web,shop/api,80,TCP,1,maybe\n"
        "shop/web,shop/api,80,TCP,1,allowed,extra\n"
        "shop/web\n"
    )
    assert errors_of(open_flows(write(tmp_path, "rows.csv", text))) == [
        "rows.csv:2: port: no port",
        "rows.csv:3: protocol: unknown protocol 'XTP': expected TCP, UDP or SCTP (or ICMP, which NetworkPolicy does "
        "not cover)",
        "rows.csv:4: count: count 0 is not positive",
        "rows.csv:5: observed: expected allowed or denied, got 'maybe'",
        "rows.csv:6: 7 fields, expected 6 as the header names",
        "rows.csv:7: destination: no endpoint: write ns/pod, ns/name[Kind], ns/Kind/name or an IP address",
    ]


def test_json_objects_are_strict_about_their_keys(tmp_path: Path) -> None:
    text = '{"source": "shop/web", "destination": "shop/api", "port": 80, "bytes": 5}\n'
    text += '{"source": "shop/web", "port": 80, "destination": 7}\n'
    assert errors_of(open_flows(write(tmp_path, "keys.jsonl", text))) == [
        "keys.jsonl:1: unknown key 'bytes': a generic flow has source, destination, port, protocol, count, observed, "
        "first_seen, last_seen\n  hint: --lax ignores unknown keys",
        "keys.jsonl:2: destination: expected an endpoint, got 7",
    ]
    assert [r.line for r in open_flows(write(tmp_path, "keys.jsonl", text), lax=True)] == [1]
