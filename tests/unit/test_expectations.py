"""Expectation files: every case form read and checked, every validation error pinned exactly,
the original single-connection API kept, and the examples of docs/expectations.md true."""

from __future__ import annotations

import re
from dataclasses import replace
from ipaddress import ip_network
from pathlib import Path

import pytest

from netsim.engine import PolicyIndex
from netsim.errors import InputErrors, SourceSpan
from netsim.expectations import (
    Case,
    CaseOutcome,
    CaseResult,
    EndpointSet,
    Expectation,
    IsolationOffence,
    PairOffence,
    check_expectations,
    is_expectations_file,
    load_cases,
    load_expectations,
    run_cases,
)
from netsim.loader import load_cluster
from netsim.model import Cluster, Direction, Labels, Options, Pod, PodPeer, Protocol, UnevaluatedPolicy
from netsim.verdict import Decision
from tests.conftest import REPO, SCENARIOS
from tests.unit.builders import ALL, UDP, block, cluster, cport, namespace, peer, pod, policy, port, rule, sel


def _replica(name: str, ip: str) -> Pod:
    base = pod(f"shop/{name}", {"app": "api"}, ip=ip, ports=[cport(9000, name="grpc")])
    return replace(base, owner_kind="ReplicaSet", owner_name="api-1")


WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.10", ports=[cport(8080, name="http")])
DB = pod("shop/db", {"app": "db"}, ip="10.0.1.20", ports=[cport(5432, name="pg")])
API = [_replica("api-1-a", "10.0.1.31"), _replica("api-1-b", "10.0.1.32")]
CLIENT = pod("other/client", {"app": "client"}, ip="10.0.2.10")
AGENT = pod("other/agent", {"app": "agent"}, host_network=True, node="node-1", host_ip="192.168.0.1")

POLICIES = [
    policy("shop/deny", ALL, types="Ingress"),
    policy("shop/web-open", sel({"app": "web"}), ingress=[rule(ports=[port(8080)])]),
    policy("shop/db-from-web", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port("pg")])]),
    policy(
        "shop/db-out",
        sel({"app": "db"}),
        egress=[rule(block("10.0.0.0/8", "10.1.0.0/16"), ports=[port(443)])],
        types="Egress",
    ),
]
CLUSTER = cluster([WEB, DB, *API, CLIENT, AGENT], POLICIES, [namespace("shop", {"team": "shop"})])
INDEX = PolicyIndex(CLUSTER)


def _file(tmp_path: Path, text: str, name: str = "expect.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _cases(tmp_path: Path, body: str) -> tuple[Case, ...]:
    return load_cases(_file(tmp_path, "cases:\n" + body))


def _run(tmp_path: Path, body: str) -> tuple[CaseResult, ...]:
    return run_cases(INDEX, _cases(tmp_path, body))


def _one(tmp_path: Path, body: str) -> CaseResult:
    [result] = _run(tmp_path, body)
    return result


def _pairs(result: CaseResult) -> list[tuple[str, str, bool]]:
    return [
        (o.source_label, o.destination_label, o.expected_allow) for o in result.offences if isinstance(o, PairOffence)
    ]


# -- reading every form --------------------------------------------------------------------------------------


def test_every_endpoint_form_is_read(tmp_path: Path) -> None:
    cases = _cases(
        tmp_path,
        """\
  - {name: pod, from: shop/web, to: db, port: 5432, expect: allow}
  - {name: workload, from: shop/ReplicaSet/api-1, to: "shop/api-1[ReplicaSet]", port: grpc, expect: allow}
  - {name: selector, from: "shop/app=web,tier=front", to: shop/*, expect: deny}
  - {name: namespace, from: {namespace: other}, to: {namespace: shop, labels: {app: db}}, expect: deny}
  - {name: addresses, from: 203.0.113.9, to: 10.0.0.0/8, port: 443, protocol: TCP, expect: deny}
""",
    )
    ends = [(c.source, c.destination) for c in cases]
    span = cases[0].span
    assert span.path.endswith("expect.yaml")
    assert (span.line, span.column) == (2, 5)

    def es(text: str, kind: str, field: str, **kw: object) -> tuple[str, str, str, dict[str, object]]:
        return (text, kind, field, kw)

    def shape(e: EndpointSet | None) -> tuple[str, str, str, dict[str, object]]:
        assert e is not None
        found: tuple[tuple[str, object], ...] = (
            ("namespace", e.namespace),
            ("labels", e.labels),
            ("network", e.network),
        )
        extra: dict[str, object] = {k: v for k, v in found if v}
        return (e.text, e.kind, e.field, extra)

    assert [(shape(s), shape(d)) for s, d in ends] == [
        (es("shop/web", "endpoint", "cases[0].from"), es("db", "endpoint", "cases[0].to")),
        (
            es("shop/ReplicaSet/api-1", "endpoint", "cases[1].from"),
            es("shop/api-1[ReplicaSet]", "endpoint", "cases[1].to"),
        ),
        (
            es(
                "shop/app=web,tier=front",
                "selector",
                "cases[2].from",
                namespace="shop",
                labels=Labels({"app": "web", "tier": "front"}),
            ),
            es("shop/*", "namespace", "cases[2].to", namespace="shop"),
        ),
        (
            es("namespace other", "namespace", "cases[3].from", namespace="other"),
            es(
                "namespace shop with app=db", "namespace", "cases[3].to", namespace="shop", labels=Labels({"app": "db"})
            ),
        ),
        (
            es("203.0.113.9", "address", "cases[4].from"),
            es("10.0.0.0/8", "network", "cases[4].to", network=ip_network("10.0.0.0/8")),
        ),
    ]
    assert [(c.form, c.port, c.protocol, c.allow) for c in cases] == [
        ("connection", 5432, None, True),
        ("connection", "grpc", None, True),
        ("connection", None, None, False),
        ("connection", None, None, False),
        ("connection", 443, Protocol.TCP, False),
    ]


def test_only_and_isolated_forms_are_read(tmp_path: Path) -> None:
    only_from, only_to, isolated, default = _cases(
        tmp_path,
        """\
  - {name: a, to: shop/db, port: pg, only_from: shop/app=web}
  - {name: b, from: shop/db, only_to: 10.0.0.0/8}
  - {name: c, isolated: shop, direction: ingress}
  - {name: d, isolated: shop}
""",
    )
    assert (only_from.form, only_from.only_from is not None, only_from.destination is not None) == ("only", True, True)
    assert (only_to.form, only_to.only_to is not None, only_to.source is not None) == ("only", True, True)
    assert (isolated.form, isolated.isolated, isolated.directions) == ("isolated", "shop", (Direction.INGRESS,))
    assert default.directions == (Direction.INGRESS, Direction.EGRESS)


def test_quoted_port_numbers_are_numbers(tmp_path: Path) -> None:
    [case] = _cases(tmp_path, '  - {name: a, from: shop/web, to: shop/db, port: "5432", expect: allow}\n')
    assert case.port == 5432


# -- validation: every error, exactly --------------------------------------------------------------------------

BAD = """\
cases:
  - name: a
    from: production/web
    to: production/backend
    port: 0
    protocol: tcp
    expect: maybe
    colour: red
  - name: b
    isolated: production
    direction: sideways
    port: 80
  - name: c
    to: production/backend
    only_from: production/app=web
    only_to: production/*
    expect: allow
  - name: d
    from: production/web
    to: 10.0.0.1/8
    port: 80/TCP
    expect: deny
  - name: e
    from: {namespace: production, labels: {app: web}, extra: 1}
    to: [a]
    port: http_api
    expect: allow
    direction: ingress
  - name: f
    from: app=web
    to: /x
    expect: allow
  - name: g
    from: production/
    to: ""
    expect: allow
  - just a string
  - name: h
    only_to: production/*
  - from: x/y
    name: i
    name: i2
    to: x/z
    expect: deny
  - name: j
    from: {labels: {a: b}}
    to: {namespace: x, labels: [a]}
    port: 99999
    expect: deny
  - name: [x]
    from: a/b
    to: a/c
    expect: allow
  - name: k
    from: a/b
    to: a/tier=,=x
    port: 80
    expect: alow
  - name: l
    frm: a/b
    to: 10.0.0.0/33
    expect: deny
  - {name: m, from: a/b, to: a/c, expect: deny}
  - {name: m, from: a/b, to: a/d, expect: deny}
  - {from: a/b, to: a/c, expect: deny}
  - {name: n, from: a/b, to: a/c, only_to: a/d}
  - {name: o, to: a/c, only_from: a/d, from: a/e}
  - {name: p, from: null, to: a/c, expect: deny}
extras: 1
"""

BAD_ERRORS = [
    "expect.yaml:5:11: cases[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
    'expect.yaml:6:15: cases[0].protocol: Unsupported value: "tcp": supported values: "TCP", "UDP", "SCTP"',
    'expect.yaml:7:13: cases[0].expect: Unsupported value: "maybe": supported values: "allow", "deny"',
    'expect.yaml:8:5: cases[0].colour: unknown field "colour"',
    'expect.yaml:11:16: cases[1].direction: Unsupported value: "sideways": '
    'supported values: "ingress", "egress", "both"',
    'expect.yaml:12:5: cases[1].port: Forbidden: may not be set with "isolated"',
    'expect.yaml:16:5: cases[2].only_to: Forbidden: may not be set with "only_from"',
    'expect.yaml:17:5: cases[2].expect: Forbidden: may not be set with "only_from"',
    'expect.yaml:20:9: cases[3].to: Invalid value: "10.0.0.1/8": the address has bits set beyond the prefix length\n'
    "  hint: did you mean 10.0.0.0/8?",
    'expect.yaml:21:11: cases[3].port: Invalid value: "80/TCP": a port is a number or a port name\n'
    "  hint: write port: 80 and protocol: TCP",
    'expect.yaml:24:55: cases[4].from.extra: unknown field "extra"',
    "expect.yaml:25:9: cases[4].to: Invalid type: expected a string (ns/name, ns/app=web, ns/*, an IP or a CIDR) "
    "or a mapping with namespace",
    'expect.yaml:26:11: cases[4].port: Invalid value: "http_api": a port name is 1-15 lowercase letters, digits and '
    '"-", with at least one letter, and starts and ends with a letter or digit',
    'expect.yaml:28:5: cases[4].direction: Forbidden: only with "isolated"',
    'expect.yaml:30:11: cases[5].from: Invalid value: "app=web": a label selector needs its namespace\n'
    "  hint: write NAMESPACE/app=web",
    "expect.yaml:31:9: cases[5].to: Invalid value: \"/x\": the namespace before '/' is empty",
    'expect.yaml:34:11: cases[6].from: Invalid value: "production/": nothing after the namespace\n'
    "  hint: write ns/name for a pod, ns/app=web for a selector, ns/* for all",
    'expect.yaml:35:9: cases[6].to: Invalid value: "": an endpoint is required',
    "expect.yaml:37:5: cases[7]: Invalid type: expected a mapping",
    "expect.yaml:38:5: cases[8].from: Required value",
    'expect.yaml:42:5: cases[9].name: key "name" already set (first at line 41)',
    "expect.yaml:46:11: cases[10].from.namespace: Required value",
    "expect.yaml:47:32: cases[10].to.labels: Invalid type: expected a mapping of label keys to values",
    "expect.yaml:48:11: cases[10].port: Invalid value: 99999: must be between 1 and 65535, inclusive",
    "expect.yaml:50:11: cases[11].name: Invalid type: expected a string or number",
    "expect.yaml:56:9: cases[12].to: Invalid value: \"a/tier=,=x\": label selector term '=x' is not key=value",
    'expect.yaml:58:13: cases[12].expect: Unsupported value: "alow": supported values: "allow", "deny"',
    "expect.yaml:59:5: cases[13].from: Required value",
    'expect.yaml:60:5: cases[13].frm: unknown field "frm"\n  hint: did you mean "from"?',
    'expect.yaml:61:9: cases[13].to: Invalid value: "10.0.0.0/33": not a valid CIDR',
    "expect.yaml:64:5: cases[15].name: Duplicate value: case 'm' (first at expect.yaml:63:5)",
    "expect.yaml:65:5: cases[16].name: Required value",
    'expect.yaml:66:26: cases[17].to: Forbidden: may not be set with "only_to"',
    'expect.yaml:67:40: cases[18].from: Forbidden: may not be set with "only_from"',
    "expect.yaml:68:21: cases[19].from: Invalid type: expected a string (ns/name, ns/app=web, ns/*, an IP or a CIDR) "
    "or a mapping with namespace",
    'expect.yaml:69:1: extras: unknown field "extras"',
]


def _errors(path: str) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_cases(path)
    return [str(e) for e in info.value.exceptions]


def test_every_validation_error_is_reported_at_its_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("expect.yaml").write_text(BAD, encoding="utf-8")
    assert _errors("expect.yaml") == BAD_ERRORS


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        ("", ["e.yaml:1:1: an expectations file is one mapping with a 'cases' list"]),
        ("- a\n- b\n", ["e.yaml:1:1: an expectations file is one mapping with a 'cases' list"]),
        ("cases: []\n---\ncases: []\n", ["e.yaml:1:1: an expectations file is one mapping with a 'cases' list"]),
        ("name: x\n", ["e.yaml:1:1: cases: Required value: a list of cases", 'e.yaml:1:1: name: unknown field "name"']),
        ("cases: {a: 1}\n", ["e.yaml:1:1: cases: Required value: a list of cases"]),
        (
            "casse: []\n",
            [
                "e.yaml:1:1: cases: Required value: a list of cases",
                'e.yaml:1:1: casse: unknown field "casse"\n  hint: did you mean "cases"?',
            ],
        ),
    ],
    ids=["empty", "a-list", "two-documents", "no-cases", "cases-not-a-list", "misspelt"],
)
def test_file_shape_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, errors: list[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text(text, encoding="utf-8")
    assert _errors("e.yaml") == errors


# -- checking: connections -----------------------------------------------------------------------------------


def test_a_single_connection_passes_or_fails_with_its_verdict(tmp_path: Path) -> None:
    allowed, denied = _run(
        tmp_path,
        """\
  - {name: web to db, from: shop/web, to: shop/db, port: pg, expect: allow}
  - {name: client to db, from: other/client, to: shop/db, port: 5432, expect: allow}
""",
    )
    assert allowed.passed
    assert allowed.checked == 1
    assert allowed.verdict is not None
    assert allowed.verdict.allowed
    assert (allowed.verdict.traffic.port, allowed.verdict.traffic.protocol) == (5432, Protocol.TCP)
    assert not denied.passed
    [offence] = denied.offences
    assert isinstance(offence, PairOffence)
    assert (offence.source_label, offence.destination_label, offence.port, offence.protocol) == (
        "other/client",
        "shop/db",
        5432,
        Protocol.TCP,
    )
    assert offence.expected_allow
    assert not offence.verdict.allowed
    assert denied.verdict == offence.verdict


def test_any_port(tmp_path: Path) -> None:
    some, nothing, wrong_allow, wrong_deny, udp = _run(
        tmp_path,
        """\
  - {name: some, from: other/client, to: shop/web, expect: allow}
  - {name: nothing, from: other/client, to: shop/db, expect: deny}
  - {name: wrong allow, from: other/client, to: shop/db, expect: allow}
  - {name: wrong deny, from: other/client, to: shop/web, expect: deny}
  - {name: no UDP, from: other/client, to: shop/web, protocol: UDP, expect: deny}
""",
    )
    assert some.passed
    assert nothing.passed
    assert udp.passed
    [o1] = wrong_allow.offences
    assert isinstance(o1, PairOffence)
    assert (str(o1.allowed), o1.port, o1.protocol) == ("No Connections", None, None)
    # explained at a port some rule mentions (db's ingress opens pg to web only)
    assert (o1.verdict.traffic.port, o1.verdict.allowed) == (5432, False)
    [o2] = wrong_deny.offences
    assert isinstance(o2, PairOffence)
    assert str(o2.allowed) == "TCP 8080"
    assert (o2.verdict.traffic.port, o2.verdict.traffic.protocol, o2.verdict.allowed) == (8080, Protocol.TCP, True)


def test_sets_check_every_pair_and_list_the_offending_ones(tmp_path: Path) -> None:
    result = _one(tmp_path, "  - {name: shop reaches web, from: shop/*, to: shop/web, port: 8080, expect: deny}\n")
    assert result.checked == 3  # db and the two api pods (web to itself is not a pair)
    assert _pairs(result) == [  # db's egress only reaches 10.0.0.0/8 on 443
        ("shop/api-1-a", "shop/web", False),
        ("shop/api-1-b", "shop/web", False),
    ]
    assert result.verdict is None


def test_selector_namespace_and_workload_sets(tmp_path: Path) -> None:
    selector, mapping, workload, labelled = _run(
        tmp_path,
        """\
  - {name: selector, from: shop/app=web, to: shop/app=db, port: pg, expect: allow}
  - {name: mapping, from: {namespace: other}, to: shop/db, expect: deny}
  - {name: workload, from: shop/ReplicaSet/api-1, to: shop/web, port: http, expect: allow}
  - {name: labelled, from: {namespace: other, labels: {app: client}}, to: shop/api-1-a, expect: deny}
""",
    )
    assert (selector.passed, selector.checked) == (True, 1)
    assert (mapping.passed, mapping.checked) == (True, 2)  # client and the hostNetwork agent
    assert (workload.passed, workload.checked) == (True, 2)  # both pods of the ReplicaSet
    assert (labelled.passed, labelled.checked) == (True, 1)


def test_a_named_port_skips_destinations_that_do_not_declare_it(tmp_path: Path) -> None:
    result = _one(tmp_path, "  - {name: pg anywhere, from: shop/web, to: shop/*, port: pg, expect: allow}\n")
    assert (result.passed, result.checked) == (True, 1)
    assert result.notes == (
        "shop/api-1-a: shop/api-1-a declares no port named 'pg'; its named ports: grpc (9000/TCP)",
        "shop/api-1-b: shop/api-1-b declares no port named 'pg'; its named ports: grpc (9000/TCP)",
    )


def test_a_cidr_means_every_external_range_it_overlaps(tmp_path: Path) -> None:
    corp, part, outside = _run(
        tmp_path,
        """\
  - {name: corp, from: shop/db, to: 10.0.0.0/8, port: 443, expect: allow}
  - {name: part, from: shop/db, to: 10.2.0.0/16, port: 443, expect: allow}
  - {name: outside, from: shop/db, to: 0.0.0.0/0, port: 443, expect: deny}
""",
    )
    assert corp.checked == 3  # 10.0.0.0-10.0.255.255, 10.1.0.0/16 (excepted), 10.2.0.0-10.255.255.255
    assert _pairs(corp) == [("shop/db", "10.1.0.0-10.1.255.255", True)]
    [offence] = corp.offences
    assert isinstance(offence, PairOffence)
    assert str(offence.verdict.traffic.destination) == "10.1.0.0"
    assert part.passed
    assert _pairs(outside) == [
        ("shop/db", "10.0.0.0-10.0.255.255", False),
        ("shop/db", "10.2.0.0-10.255.255.255", False),
    ]


V6_SPACE = "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"


def test_an_ipv6_cidr_of_an_ipv4_cluster_is_the_ipv6_space(tmp_path: Path) -> None:
    # CLUSTER has no IPv6 address and no IPv6 ipBlock: its ranges are IPv4 only, yet an IPv6 CIDR
    # is checked against the IPv6 space (was: "no pair to check: the two ends name the same single pod")
    v6_to_web, v6_to_db, db_to_v6, db_to_v6_any = _run(
        tmp_path,
        """\
  - {name: v6 to web, from: "2001:db8::/32", to: shop/web, port: 8080, expect: allow}
  - {name: v6 to db, from: "2001:db8::/32", to: shop/db, port: 5432, expect: allow}
  - {name: db to v6, from: shop/db, to: "2001:db8::/32", port: 443, expect: deny}
  - {name: db to v6 on any port, from: shop/db, to: "::/0", expect: allow}
""",
    )
    assert (v6_to_web.passed, v6_to_web.checked) == (True, 1)
    assert _pairs(v6_to_db) == [("2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "shop/db", True)]
    [offence] = v6_to_db.offences
    assert isinstance(offence, PairOffence)
    assert str(offence.verdict.traffic.source) == "2001:db8::"
    # db's egress allows only an IPv4 block
    assert (db_to_v6.passed, db_to_v6.checked) == (True, 1)
    assert _pairs(db_to_v6_any) == [("shop/db", V6_SPACE, True)]


def test_an_ipv6_address_is_an_external_endpoint(tmp_path: Path) -> None:
    web, db = _run(
        tmp_path,
        """\
  - {name: v6 to web, from: "2001:db8::5", to: shop/web, port: 8080, expect: allow}
  - {name: v6 to db, from: "2001:db8::5", to: shop/db, port: 5432, expect: deny}
""",
    )
    assert web.passed
    assert db.passed
    assert web.verdict is not None
    assert str(web.verdict.traffic.source) == "2001:db8::5"


def test_only_from_with_ipv6_ranges(tmp_path: Path) -> None:
    # an IPv6 CIDR of only_from leaves the IPv6 space minus it, and the whole IPv4 space, as others
    # (db is denied: its egress allows 443 only)
    v6, v4 = _run(
        tmp_path,
        """\
  - {name: web only from 2001:db8::/32, to: shop/web, port: 8080, only_from: "2001:db8::/32"}
  - {name: web only from 0.0.0.0/0, to: shop/web, port: 8080, only_from: 0.0.0.0/0}
""",
    )
    others = [(src, dst) for src, dst, expected in _pairs(v6) if not expected]
    assert others == [
        ("other/agent", "shop/web"),
        ("other/client", "shop/web"),
        ("shop/api-1-a", "shop/web"),
        ("shop/api-1-b", "shop/web"),
        ("0.0.0.0-255.255.255.255", "shop/web"),
        ("::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", "shop/web"),
        ("2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "shop/web"),
    ]
    # an IPv4 CIDR does not cut the IPv6 space (the integers of the families overlap), and an
    # IPv4-only case of an IPv4-only cluster has no IPv6 others
    assert ("0.0.0.0-255.255.255.255", "shop/web", False) not in _pairs(v4)
    assert not [src for src, _, _ in _pairs(v4) if ":" in src]


IPV6_CLUSTER = cluster(
    [pod("six/a", {"app": "a"}, ip="2001:db8::1"), pod("six/b", {"app": "b"}, ip="2001:db8::2")],
    [policy("six/a-from-v6", sel({"app": "a"}), ingress=[rule(block("2001:db8:1::/48"))])],
)


def test_ipv6_pods_and_ipblocks(tmp_path: Path) -> None:
    cases = _cases(
        tmp_path,
        """\
  - {name: block reaches a, from: "2001:db8:1::/48", to: six/a, port: 80, expect: allow}
  - {name: the rest does not, from: "2001:db8:2::/48", to: six/a, port: 80, expect: allow}
  - {name: b by address, from: "2001:db8::2", to: six/a, port: 80, expect: deny}
  - {name: only the block reaches a, to: six/a, only_from: "2001:db8:1::/48"}
""",
    )
    inside, outside, by_address, only = run_cases(PolicyIndex(IPV6_CLUSTER), cases)
    assert (inside.passed, inside.checked) == (True, 1)
    assert _pairs(outside) == [("2001:db8:2::-2001:db8:2:ffff:ffff:ffff:ffff:ffff", "six/a", True)]
    assert by_address.passed
    assert by_address.verdict is not None
    assert by_address.verdict.traffic.source == IPV6_CLUSTER.pods[1]  # b's address is b
    assert only.passed
    assert only.checked == 5  # the block; b, the IPv4 space, the IPv6 space below and above the block


# -- checking: only_from / only_to / isolated ----------------------------------------------------------------


def test_only_from(tmp_path: Path) -> None:
    good, bad = _run(
        tmp_path,
        """\
  - {name: db only from web, to: shop/db, port: pg, only_from: shop/app=web}
  - {name: web only from client, to: shop/web, port: 8080, only_from: other/client}
""",
    )
    # web allowed; db's other pods, client, the agent and the outside denied
    assert (good.passed, good.checked) == (True, 6)
    assert bad.checked == 6  # client allowed; the agent, the api pods, db and the outside denied
    assert _pairs(bad) == [
        ("other/agent", "shop/web", False),
        ("shop/api-1-a", "shop/web", False),
        ("shop/api-1-b", "shop/web", False),
        ("0.0.0.0-255.255.255.255", "shop/web", False),
    ]


def test_only_to_with_a_cidr_leaves_out_its_part_of_each_range(tmp_path: Path) -> None:
    wide, narrow = _run(
        tmp_path,
        """\
  - {name: db only to 10.2.0.0/15, from: shop/db, port: 443, only_to: 10.2.0.0/15}
  - {name: db only to 10.2.0.0/16, from: shop/db, port: 443, only_to: 10.2.0.0/16}
""",
    )
    # chosen: the part of 10.2.0.0-10.255.255.255 in 10.2.0.0/15; others: the 5 other pods and the
    # 5 ranges outside it; client (10.0.2.10, not isolated) is in db's ipBlock, so it is allowed
    assert wide.checked == 11
    assert _pairs(wide) == [
        ("shop/db", "other/client", False),
        ("shop/db", "10.0.0.0-10.0.255.255", False),
        ("shop/db", "10.4.0.0-10.255.255.255", False),
    ]
    assert _pairs(narrow)[-1] == ("shop/db", "10.3.0.0-10.255.255.255", False)


def test_isolated(tmp_path: Path) -> None:
    ingress, egress, other = _run(
        tmp_path,
        """\
  - {name: shop ingress, isolated: shop, direction: ingress}
  - {name: shop egress, isolated: shop, direction: egress}
  - {name: other, isolated: other}
""",
    )
    assert (ingress.passed, ingress.checked) == (True, 4)
    assert [(o.pod.ref, o.direction, o.reason) for o in egress.offences if isinstance(o, IsolationOffence)] == [
        ("shop/api-1-a", Direction.EGRESS, "no policy selects it for Egress"),
        ("shop/api-1-b", Direction.EGRESS, "no policy selects it for Egress"),
        ("shop/web", Direction.EGRESS, "no policy selects it for Egress"),
    ]
    hostnet = "it is a hostNetwork pod: policies never select those (its traffic is its node's)"
    assert [(o.pod.ref, o.direction.value, o.reason) for o in other.offences if isinstance(o, IsolationOffence)] == [
        ("other/agent", "Ingress", hostnet),
        ("other/agent", "Egress", hostnet),
        ("other/client", "Ingress", "no policy selects it for Ingress"),
        ("other/client", "Egress", "no policy selects it for Egress"),
    ]


# -- checking: names that resolve to nothing ------------------------------------------------------------------


def test_names_that_resolve_to_nothing_are_input_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text(
        """\
cases:
  - {name: typo, from: shop/webb, to: shop/db, port: 80, expect: deny}
  - {name: no pods, from: shop/app=nope, to: shop/db, expect: deny}
  - {name: no namespace, from: nowhere/*, to: shop/db, expect: deny}
  - {name: itself, from: shop/web, to: shop/web, expect: allow}
  - {name: itself by address, from: 10.0.1.10, to: shop/web, expect: allow}
  - {name: no such port, from: shop/web, to: shop/db, port: http, expect: allow}
  - {name: empty namespace, isolated: nowhere}
""",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        run_cases(INDEX, load_cases("e.yaml"))
    assert [str(e) for e in info.value.exceptions] == [
        "e.yaml:2:24: cases[0].from: unknown endpoint 'shop/webb': no such pod or workload; "
        "did you mean 'shop/web', 'shop/db', 'shop/api-1-b'?",
        "e.yaml:3:27: cases[1].from: no pod of namespace shop has the labels app=nope",
        "e.yaml:4:32: cases[2].from: no pod in namespace 'nowhere' (namespaces with pods: other, shop)",
        "e.yaml:5:5: cases[3]: no pair to check: the two ends name the same single pod",
        "e.yaml:6:5: cases[4]: no pair to check: the two ends name the same single pod",
        "e.yaml:7:61: cases[5].port: no pair to check: shop/db: shop/db declares no port named 'http'; "
        "its named ports: pg (5432/TCP)",
        "e.yaml:8:5: cases[6].isolated: namespace 'nowhere' has no pods to check",
    ]


def test_a_workload_name_means_all_its_pods(tmp_path: Path) -> None:
    result = _one(tmp_path, "  - {name: api, from: shop/api-1, to: shop/web, port: 8080, expect: allow}\n")
    assert (result.passed, result.checked) == (True, 2)


# -- the original API ------------------------------------------------------------------------------------------


def test_load_expectations_reads_single_connections(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        """\
cases:
  - {name: a, from: shop/web, to: shop/db, port: pg, expect: allow}
  - {name: b, from: 203.0.113.9, to: shop/web, port: 8080, protocol: UDP, expect: deny}
""",
    )
    a, b = load_expectations(path)
    assert a == Expectation("a", "shop/web", "shop/db", "pg", None, True, a.span)
    assert b == Expectation("b", "203.0.113.9", "shop/web", 8080, UDP, False, b.span)
    assert (a.span.line, b.span.line) == (2, 3)
    results = check_expectations(INDEX, (a, b))
    assert [r.passed for r in results] == [True, True]


def test_load_expectations_refuses_the_new_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("e.yaml").write_text(
        "cases:\n  - {name: a, from: shop/*, to: shop/db, port: 80, expect: deny}\n"
        "  - {name: b, from: shop/web, to: shop/db, expect: deny}\n  - {name: c, isolated: shop}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputErrors) as info:
        load_expectations("e.yaml")
    message = (
        "this form (a set of endpoints, any port, only_from/only_to or isolated) "
        "is read by load_cases and run by `netsim test`"
    )
    assert [str(e) for e in info.value.exceptions] == [
        f"e.yaml:2:5: cases[0]: {message}",
        f"e.yaml:3:5: cases[1]: {message}",
        f"e.yaml:4:5: cases[2]: {message}",
    ]


def test_is_expectations_file(tmp_path: Path) -> None:
    assert is_expectations_file(_file(tmp_path, "cases: []\n", "a.yaml"))
    assert is_expectations_file(_file(tmp_path, "# comment\ncases:\n  - {name: x}\n", "b.yml"))
    assert not is_expectations_file(_file(tmp_path, "kind: Pod\ncases: []\n", "c.yaml"))
    assert not is_expectations_file(_file(tmp_path, "apiVersion: v1\nkind: Namespace\n", "d.yaml"))
    assert not is_expectations_file(_file(tmp_path, "cases: []\n---\ncases: []\n", "e.yaml"))
    assert not is_expectations_file(_file(tmp_path, "cases: [\n", "f.yaml"))
    assert not is_expectations_file(str(tmp_path))
    assert not is_expectations_file(str(tmp_path / "missing.yaml"))
    assert not is_expectations_file("-")


# -- docs/expectations.md: its examples are true of production-hardening ------------------------------------


def _doc_examples() -> list[str]:
    text = (REPO / "docs" / "expectations.md").read_text(encoding="utf-8")
    return [
        body
        for body in re.findall(r"^```yaml\n(.*?)^```\n", text, re.MULTILINE | re.DOTALL)
        if body.startswith("cases:")
    ]


def test_docs_examples_pass_on_production_hardening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples = _doc_examples()
    assert len(examples) >= 4
    monkeypatch.chdir(REPO)
    index = PolicyIndex(
        load_cluster([str((SCENARIOS / "production-hardening" / "manifests").relative_to(REPO))]).cluster
    )
    for i, body in enumerate(examples):
        path = _file(tmp_path, body, f"example{i}.yaml")
        results = run_cases(index, load_cases(path))
        failed = [(r.case.name, r.offences) for r in results if not r.passed]
        assert failed == [], f"docs/expectations.md example {i + 1}"


# -- three values: undetermined cases are neither passed nor failed -------------------------------------------

CLIENT_NO_IP = replace(pod("shop/client", {"app": "client"}), kind="Deployment", replicas=2)
LEDGER = replace(pod("shop/ledger", {"app": "ledger"}, ports=[cport(5432, name="pg")]), kind="StatefulSet", replicas=3)
VAULT = pod("vault/vault", {"app": "vault"}, ip="10.1.3.3")
CNP = UnevaluatedPolicy(
    "cilium.io/v2",
    "CiliumNetworkPolicy",
    "vault",
    "vault-l7",
    frozenset({Direction.INGRESS}),
    (PodPeer(None, sel({"app": "vault"})),),
    "netsim does not evaluate Cilium policies",
    SourceSpan("cnp.yaml", 1, 1),
)
OPEN = Cluster(
    (namespace("shop"), namespace("prod"), namespace("vault")),
    (CLIENT_NO_IP, LEDGER, pod("prod/db", {"app": "db"}, ip="10.244.1.5", ports=[cport(5432)]), VAULT),
    (
        policy("prod/allow-cidr", sel({"app": "db"}), ingress=[rule(block("10.244.0.0/16"), ports=[port(5432)])]),
        policy("shop/ledger", sel({"app": "ledger"}), ingress=[rule(peer(sel({"app": "api"})), ports=[port(5432)])]),
    ),
    (CNP,),
)
IN_CIDR = "shop/client[Deployment]'s IP is in 10.244.0.0/16 (no IP in the input; --pod-cidr gives the pod network)"


def _open(tmp_path: Path, body: str, options: Options | None = None) -> tuple[CaseResult, ...]:
    return run_cases(PolicyIndex(OPEN, options), _cases(tmp_path, body))


def test_an_undetermined_connection_is_neither_passed_nor_failed(tmp_path: Path) -> None:
    allow, deny = _open(
        tmp_path,
        """\
  - {name: allow, from: "shop/client[Deployment]", to: prod/db, port: 5432, expect: allow}
  - {name: deny, from: "shop/client[Deployment]", to: prod/db, port: 5432, expect: deny}
""",
    )
    for result in (allow, deny):
        assert (result.outcome, result.passed, result.failed, result.undetermined) == (
            CaseOutcome.UNDETERMINED,
            False,
            False,
            True,
        )
        assert result.offences == ()
        [item] = result.undecided
        assert isinstance(item, PairOffence)
        assert item.undetermined
        assert [u.condition for u in result.unknowns()] == [IN_CIDR]
        assert result.verdict is not None
        assert result.verdict.decision is Decision.UNDETERMINED
    # --pod-cidr decides it
    inside = _open(
        tmp_path,
        "  - {name: a, from: shop/client, to: prod/db, port: 5432, expect: allow}\n",
        Options(pod_cidrs=(ip_network("10.244.0.0/16"),)),
    )
    outside = _open(
        tmp_path,
        "  - {name: a, from: shop/client, to: prod/db, port: 5432, expect: allow}\n",
        Options(pod_cidrs=(ip_network("10.96.0.0/16"),)),
    )
    assert [r.outcome for r in (*inside, *outside)] == [CaseOutcome.PASSED, CaseOutcome.FAILED]


def test_any_port_and_protocol_cases_are_three_valued(tmp_path: Path) -> None:
    some, nothing, udp = _open(
        tmp_path,
        """\
  - {name: some, from: shop/client, to: prod/db, expect: allow}
  - {name: nothing, from: shop/client, to: prod/db, expect: deny}
  - {name: no UDP, from: shop/client, to: prod/db, protocol: UDP, expect: deny}
""",
    )
    assert (some.outcome, nothing.outcome, udp.outcome) == (
        CaseOutcome.UNDETERMINED,
        CaseOutcome.UNDETERMINED,
        CaseOutcome.PASSED,
    )
    [item] = some.undecided
    assert isinstance(item, PairOffence)
    assert (str(item.undetermined_conns), str(item.allowed), item.port, item.protocol) == (
        "TCP 5432",
        "No Connections",
        None,
        None,
    )
    assert (item.verdict.traffic.port, item.verdict.decision) == (5432, Decision.UNDETERMINED)


def test_only_is_undetermined_when_another_endpoint_may_reach(tmp_path: Path) -> None:
    [result] = _open(tmp_path, "  - {name: only the pod network, to: prod/db, port: 5432, only_from: 10.244.0.0/16}\n")
    assert result.outcome is CaseOutcome.UNDETERMINED
    # the two workloads without an IP may be in the pod network
    assert [(o.source_label, o.expected_allow) for o in result.undecided if isinstance(o, PairOffence)] == [
        ("shop/client[Deployment]", False),
        ("shop/ledger[StatefulSet]", False),
    ]


def test_a_failure_wins_over_what_is_undetermined(tmp_path: Path) -> None:
    [result] = _open(tmp_path, "  - {name: only client, to: prod/db, port: 5432, only_from: shop/client}\n")
    assert (result.outcome, result.failed, result.undetermined) == (CaseOutcome.FAILED, True, False)
    assert _pairs(result) == [("10.244.0.0-10.244.255.255", "prod/db", False)]
    assert [(o.source_label, o.expected_allow) for o in result.undecided if isinstance(o, PairOffence)] == [
        ("shop/client[Deployment]", True),
        ("shop/ledger[StatefulSet]", False),
    ]


def test_isolation_is_undetermined_where_an_unevaluated_policy_may_select_the_pod(tmp_path: Path) -> None:
    body = "  - {name: vault ingress, isolated: vault, direction: ingress}\n"
    [result] = _open(tmp_path, body)
    assert result.outcome is CaseOutcome.UNDETERMINED
    [item] = result.undecided
    assert isinstance(item, IsolationOffence)
    assert (item.pod.ref, item.reason, item.undetermined) == (
        "vault/vault",
        "no NetworkPolicy selects it for Ingress",
        True,
    )
    assert [u.condition for u in result.unknowns()] == [
        "CiliumNetworkPolicy vault/vault-l7 (cnp.yaml:1:1) selects vault/vault for ingress and is not evaluated"
    ]
    [ignored] = _open(tmp_path, body, Options(ignore_unevaluated=True))
    assert ignored.outcome is CaseOutcome.FAILED


def test_a_replicated_workload_and_itself_is_one_replica_to_another(tmp_path: Path) -> None:
    apart, itself_set = _open(
        tmp_path,
        """\
  - {name: ledger replicas apart, from: shop/ledger, to: shop/ledger, port: pg, expect: deny}
  - {name: shop to shop, from: shop/*, to: shop/*, port: 5432, expect: deny}
""",
    )
    assert (apart.outcome, apart.checked) == (CaseOutcome.PASSED, 1)
    assert apart.verdict is not None
    assert (apart.verdict.traffic.source, apart.verdict.traffic.destination) == (LEDGER, LEDGER)
    # client -> ledger is denied (only app=api); client -> client (2 replicas) and ledger -> client are
    # open: neither is isolated for ingress
    assert itself_set.checked == 4
    assert _pairs(itself_set) == [
        ("shop/client[Deployment]", "shop/client[Deployment]", False),
        ("shop/ledger[StatefulSet]", "shop/client[Deployment]", False),
    ]
    with pytest.raises(InputErrors) as info:
        _open(
            tmp_path,
            "  - {name: one pod, from: shop/ledger, to: shop/ledger, expect: deny}\n",
            Options(replica_traffic=False),
        )
    [error] = info.value.exceptions
    assert str(error).endswith(
        "cases[0]: no pair to check: the two ends name the same single pod "
        "(--no-replica-traffic: a workload is one pod)"
    )


def test_the_original_api_is_three_valued(tmp_path: Path) -> None:
    path = _file(
        tmp_path,
        "cases:\n"
        '  - {name: deny, from: "shop/client[Deployment]", to: prod/db, port: 5432, expect: deny}\n'
        "  - {name: vault, from: prod/db, to: vault/vault, port: 8200, expect: allow}\n",
    )
    results = check_expectations(PolicyIndex(OPEN), load_expectations(path))
    # was: passed, since an undetermined verdict is not allowed for certain
    assert [(r.passed, r.failed, r.undetermined) for r in results] == [(False, False, True), (False, False, True)]
