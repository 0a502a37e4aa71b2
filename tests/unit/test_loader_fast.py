"""The loader's shortcuts for the common case read what the general code reads.

The loader reads plain values (a mapping of distinct scalar keys, a decimal integer, a dotted
IPv4 address, a supported protocol) without building field paths, and remembers validation
results per value; anything else goes the general way, which reports. Each shortcut is checked
against the general reading here, and whole manifests are loaded both through libyaml's composer
and through the iterative one, with the same models, warnings and errors.
"""

from __future__ import annotations

import ipaddress
import random
from pathlib import Path

import pytest
import yaml

from netsim import source, validation
from netsim.errors import InputError, InputErrors
from netsim.loader import LoadOptions, LoadResult, core, load_texts
from tests.conftest import SCENARIOS


def scalar(text: str) -> yaml.Node:
    """The value node of ``v: <text>``."""
    root = yaml.compose(f"v: {text}\n", Loader=yaml.SafeLoader)
    assert isinstance(root, yaml.MappingNode)
    node: yaml.Node = root.value[0][1]
    return node


INTEGERS = ["0", "7", "80", "65535", "010", "00", "0x1F", "0o17", "0b101", "1_000", "+5", "-5", "1:30", "9" * 18]
INTEGERS += ["9" * 19, "9" * 5000, "!!int 12", "!!int '12'", "!!int ''", "!!int abc", "'80'", "8.0", "١٢"]


@pytest.mark.parametrize("text", INTEGERS)
def test_plain_integers_read_as_the_yaml_int_constructor_reads_them(text: str) -> None:
    node = scalar(text)
    plain = core.plain_int(node)
    if plain is None:
        return  # the general way reads (or reports) it
    assert plain == yaml.constructor.SafeConstructor().construct_object(node)
    assert node.value.isdigit()
    assert node.value.isascii()


ADDRESSES = ["10.0.0.1", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3", "1.2.3.4.5", " 1.2.3.4"]
ADDRESSES += ["1.2.3.4 ", "1.2.3.4\n", "١.2.3.4", "1..2.3", "::1", "::ffff:1.2.3.4", "fe80::1%eth0", "", "x", "1e3"]


def test_addresses_are_read_as_ipaddress_reads_them() -> None:
    rng = random.Random(0)
    octets = ["0", "1", "9", "10", "99", "100", "199", "200", "249", "250", "255", "256", "300", "00", "01", "001"]
    samples = ADDRESSES + [".".join(rng.choices(octets, k=rng.choice([3, 4, 4, 5]))) for _ in range(2000)]
    for text in samples:
        try:
            expected: object = ipaddress.ip_address(text)
        except ValueError:
            expected = None
        got = core.parse_ip(text)
        assert (got, type(got)) == (expected, type(expected)), text


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("{a: 1, b: [2], c: {d: 3}}", True),
        ("{}", True),
        ("{a: 1, a: 2}", False),  # duplicate: reported (or a warning with --lax)
        ("{<<: {x: 1}, a: 2}", False),  # merge key
        ("{'<<': 1}", True),  # a quoted << is a key like any other
        ("{!!merge m: {x: 1}}", False),
        ("{[a]: 1}", False),  # a key that is a list
        ("{{a: b}: 1}", False),
        ("[a, b]", False),
        ("a", False),
    ],
)
def test_plain_entries_are_what_the_general_reading_gives(text: str, plain: bool) -> None:
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    assert node is not None
    entries = core.plain_entries(node)
    assert (entries is not None) == plain
    if entries is not None:
        reader = core.Reader(LoadOptions())
        assert entries == reader.entries(node, "")
        assert reader.errors == reader.warnings == []


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (validation.label_key_errors, "app"),
        (validation.label_key_errors, "a/b/c"),
        (validation.label_value_errors, "-bad-"),
        (validation.subdomain_errors, "Web"),
        (validation.namespace_name_errors, "a.b"),
        (validation.port_name_errors, "--x--"),
    ],
)
def test_remembered_validation_results_are_fresh_lists(check: object, value: str) -> None:
    assert callable(check)
    first = check(value)
    first.append("changed by a caller")
    assert "changed by a caller" not in check(value)


@pytest.mark.parametrize(
    "check",
    [
        validation.label_key_errors,
        validation.label_value_errors,
        validation.subdomain_errors,
        validation.namespace_name_errors,
        validation.port_name_errors,
    ],
)
def test_long_values_are_checked_without_being_remembered(check: object) -> None:
    assert callable(check)
    value = "a" * (validation._CACHED_LENGTH + 1)
    assert check(value) == check(value) == check(value[:-1] + "b")
    assert check(value)  # too long for every one of these


def test_cidrs_are_remembered_as_they_were_parsed() -> None:
    net, errors = validation.parse_cidr("10.0.0.1/24")
    errors.append("changed by a caller")
    assert validation.parse_cidr("10.0.0.1/24") == (net, ["must not have bits set beyond the prefix length"])
    assert validation.parse_cidr("10.0.0.1/24", strict=False) == (net, [])
    long = "1" * (validation._CACHED_LENGTH + 1) + "/8"
    assert validation.parse_cidr(long) == (None, [validation._CIDR_INVALID])


# -- whole manifests: both composers, every shortcut and every general path -----------------------

BROKEN_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web, "bad key/x/y": v, tier: "-bad-"}
  ownerReferences:
  - {kind: ReplicaSet, name: rs, controller: false}
  - {kind: ReplicaSet, name: rs2, controller: true}
spec:
  containers:
  - name: c
    ports:
    - {name: http, containerPort: 8080}
    - {name: Metrics--, containerPort: 0x10, protocol: udp}
    - {name: 123, containerPort: 70000, protocol: SCTP}
    - {containerPort: "80"}
    - {name: ok, containerPort: 010, protocol: null}
    - {name: dup, name: dup2, containerPort: 1}
    - {protocol: TCP}
    - [not, a, mapping]
  initContainers:
  - {name: side, restartPolicy: Always, ports: [{containerPort: 9000, protocol: UDP}]}
status:
  podIP: 10.0.0.1
  podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}, {ip: 10.0.0.300}, {ip: 7}, [x]]
  hostIP: 192.168.0.01
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.0.0.1/8, 11.0.0.0/16]}
    - podSelector: {matchExpressions: [{key: tier, operator: in, values: [a]}]}
    ports:
    - {port: http, protocol: TCP}
    - {port: 80, endPort: 70}
    - {port: 8080, protocol: Tcp}
"""


def both_ways(texts: dict[str, str], options: LoadOptions, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Load ``texts`` through the fast composer and through the iterative one only; assert the same
    result and return it as text."""

    def run() -> list[str]:
        try:
            result: LoadResult = load_texts(texts, options)
        except InputErrors as group:
            return [f"{exc} | {exc.field} | {exc.span!r}" for exc in group.exceptions if isinstance(exc, InputError)]
        shown = [repr(result.cluster)]
        shown += [repr((p.ref, p.span)) for p in result.cluster.pods]
        shown += [repr((p.ref, p.span, p.pod_selector_span, p.egress_span)) for p in result.cluster.policies]
        shown += [
            repr((r.span, [x.span for x in r.peers], [x.span for x in r.ports]))
            for p in result.cluster.policies
            for r in (*p.ingress, *p.egress)
        ]
        return shown + [f"warning: {exc} | {exc.field}" for exc in result.warnings]

    fast = run()
    with monkeypatch.context() as patch:
        patch.setattr(source, "_may_have_properties", lambda text: True)
        assert run() == fast
    return fast


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_broken_manifests_load_the_same_through_both_composers(lax: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    shown = both_ways({"broken.yaml": BROKEN_POD}, LoadOptions(lax=lax), monkeypatch)
    assert any("containerPort" in line for line in shown)


def test_the_scenarios_load_the_same_through_both_composers(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {str(path): path.read_text(encoding="utf-8") for path in sorted(Path(SCENARIOS).rglob("*.yaml"))}
    both_ways(texts, LoadOptions(), monkeypatch)


def test_an_error_met_by_the_fast_composer_is_reported_as_before() -> None:
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\nkind: [\n"
    with pytest.raises(InputErrors) as info:
        load_texts({"p.yaml": text})
    assert [str(exc) for exc in info.value.exceptions] == [
        "p.yaml:6:1: YAML syntax error: did not find expected node content (while parsing a flow node)"
    ]
    assert isinstance(info.value.exceptions[0], InputError)
