"""PortSet / ConnSet: algebra, canonical form, text and JSON, checked against a brute-force model."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.connset import MAX_PORT, MIN_PORT, ConnSet, PortSet
from netsim.model import Protocol

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP


# ---------------------------------------------------------------------------------------------
# PortSet construction and canonical form


@pytest.mark.parametrize(
    ("intervals", "expected"),
    [
        pytest.param([], (), id="empty"),
        pytest.param([(80, 80)], ((80, 80),), id="single-port"),
        pytest.param([(81, 81), (80, 80)], ((80, 81),), id="adjacent-merge"),
        pytest.param([(1, 10), (5, 20)], ((1, 20),), id="overlap-merge"),
        pytest.param([(1, 10), (12, 20)], ((1, 10), (12, 20)), id="gap-kept"),
        pytest.param([(30, 40), (1, 2), (3, 3)], ((1, 3), (30, 40)), id="unsorted"),
        pytest.param([(5, 4)], (), id="reversed-interval-is-empty"),
        pytest.param([(1, 100), (20, 30)], ((1, 100),), id="contained"),
    ],
)
def test_portset_of_normalises(intervals: list[tuple[int, int]], expected: tuple[tuple[int, int], ...]) -> None:
    assert PortSet.of(*intervals).intervals == expected


@pytest.mark.parametrize(
    ("ports", "port", "expected"),
    [
        pytest.param(PortSet.of((80, 81)), 80, True, id="low-edge"),
        pytest.param(PortSet.of((80, 81)), 81, True, id="high-edge"),
        pytest.param(PortSet.of((80, 81)), 79, False, id="below"),
        pytest.param(PortSet.of((80, 81)), 82, False, id="above"),
        pytest.param(PortSet.of((1, 5), (10, 12)), 7, False, id="in-gap"),
        pytest.param(PortSet.of((1, 5), (10, 12)), 11, True, id="second-interval"),
        pytest.param(PortSet(), 1, False, id="empty"),
        pytest.param(PortSet.all(), MAX_PORT, True, id="all-max"),
        pytest.param(PortSet.all(), MIN_PORT, True, id="all-min"),
    ],
)
def test_portset_contains(ports: PortSet, port: int, expected: bool) -> None:
    assert (port in ports) is expected


def test_portset_algebra_examples() -> None:
    a = PortSet.of((10, 20))
    b = PortSet.of((15, 30))
    assert a | b == PortSet.of((10, 30))
    assert a & b == PortSet.of((15, 20))
    assert a - b == PortSet.of((10, 14))
    assert b - a == PortSet.of((21, 30))
    assert a.complement() == PortSet.of((MIN_PORT, 9), (21, MAX_PORT))
    assert PortSet().complement() == PortSet.all()
    assert PortSet.all().complement() == PortSet()
    assert PortSet.all().is_all()
    assert not a.is_all()
    assert a.count() == 11
    assert PortSet.all().count() == MAX_PORT


@pytest.mark.parametrize(
    ("ports", "text"),
    [
        pytest.param(PortSet(), "", id="empty"),
        pytest.param(PortSet.of((80, 80)), "80", id="single"),
        pytest.param(PortSet.of((80, 81)), "80-81", id="range"),
        pytest.param(PortSet.of((53, 53), (80, 81), (443, 443)), "53,80-81,443", id="mixed"),
        pytest.param(PortSet.all(), "1-65535", id="all"),
    ],
)
def test_portset_text(ports: PortSet, text: str) -> None:
    assert str(ports) == text


# ---------------------------------------------------------------------------------------------
# ConnSet construction, algebra and text


def test_connset_of_and_allows() -> None:
    c = ConnSet.of(TCP, 8080, 8081)
    assert c.allows(8080, TCP)
    assert c.allows(8081, TCP)
    assert not c.allows(8082, TCP)
    assert not c.allows(8080, UDP)
    assert ConnSet.of(UDP).allows(1, UDP)
    assert ConnSet.of(UDP).allows(MAX_PORT, UDP)
    assert not ConnSet.of(UDP).allows(53, TCP)
    assert ConnSet.of(SCTP, 7070).ports(SCTP) == PortSet.of((7070, 7070))


def test_connset_all_and_none() -> None:
    assert ConnSet.all().is_all()
    assert not ConnSet.none()
    assert bool(ConnSet.all())
    assert ConnSet.all() - ConnSet.all() == ConnSet.none()
    assert ConnSet.none() | ConnSet.all() == ConnSet.all()
    assert ConnSet.of(TCP) | ConnSet.of(UDP) | ConnSet.of(SCTP) == ConnSet.all()
    assert (ConnSet.of(TCP) | ConnSet.of(UDP)).is_all() is False


def test_connset_algebra_examples() -> None:
    web = ConnSet.of(TCP, 80, 81) | ConnSet.of(UDP, 53)
    assert web & ConnSet.of(TCP) == ConnSet.of(TCP, 80, 81)
    assert web - ConnSet.of(TCP, 81) == ConnSet.of(TCP, 80) | ConnSet.of(UDP, 53)
    assert web & ConnSet.all() == web
    assert ConnSet.all() & web == web
    assert web & ConnSet.none() == ConnSet.none()
    assert ConnSet.all() - web == ConnSet(
        tcp=PortSet.of((1, 79), (82, MAX_PORT)),
        udp=PortSet.of((1, 52), (54, MAX_PORT)),
        sctp=PortSet.all(),
    )


@pytest.mark.parametrize(
    ("conns", "text"),
    [
        pytest.param(ConnSet.all(), "All Connections", id="all"),
        pytest.param(ConnSet.none(), "No Connections", id="none"),
        pytest.param(ConnSet.of(TCP, 80), "TCP 80", id="one-port"),
        pytest.param(ConnSet.of(TCP), "TCP 1-65535", id="one-protocol"),
        pytest.param(
            ConnSet.of(UDP, 9090) | ConnSet.of(TCP, 8080, 8081) | ConnSet.of(SCTP, 7070),
            "SCTP 7070,TCP 8080-8081,UDP 9090",
            id="protocols-sorted-by-name",
        ),
        pytest.param(ConnSet.of(TCP, 80) | ConnSet.of(TCP, 81), "TCP 80-81", id="merged"),
        pytest.param(ConnSet.of(TCP, 53) | ConnSet.of(TCP, 80), "TCP 53,80", id="comma-list"),
    ],
)
def test_connset_text(conns: ConnSet, text: str) -> None:
    assert str(conns) == text
    assert repr(conns) == f"ConnSet({text!r})"


@pytest.mark.parametrize(
    ("conns", "compact"),
    [
        pytest.param(ConnSet.all(), "all", id="all"),
        pytest.param(ConnSet.none(), "none", id="none"),
        pytest.param(ConnSet.of(UDP, 53), "UDP 53", id="some"),
    ],
)
def test_connset_compact(conns: ConnSet, compact: str) -> None:
    assert conns.compact() == compact


def test_connset_to_json() -> None:
    conns = ConnSet.of(TCP, 8080, 8081) | ConnSet.of(TCP, 9000) | ConnSet.of(SCTP, 7070)
    assert conns.to_json() == {"SCTP": [[7070, 7070]], "TCP": [[8080, 8081], [9000, 9000]]}
    assert ConnSet.none().to_json() == {}
    assert ConnSet.all().to_json() == {p: [[1, 65535]] for p in ("SCTP", "TCP", "UDP")}


def test_connset_items_skip_empty_protocols() -> None:
    conns = ConnSet.of(UDP, 53) | ConnSet.of(SCTP, 9)
    assert [proto for proto, _ in conns.items()] == [SCTP, UDP]


def test_connset_is_hashable_value() -> None:
    a = ConnSet.of(TCP, 80) | ConnSet.of(TCP, 81)
    b = ConnSet.of(TCP, 80, 81)
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


# ---------------------------------------------------------------------------------------------
# Properties against a brute-force model: sets of ports on a small universe (1..40), plus the
# edge ports, so intervals collide, touch and nest often.

SMALL = 40
UNIVERSE = frozenset(range(1, SMALL + 1))
PROBES = sorted(UNIVERSE | {MAX_PORT - 1, MAX_PORT})

interval = st.tuples(st.integers(1, SMALL), st.integers(0, 8)).map(lambda t: (t[0], min(t[0] + t[1], SMALL)))
portsets = st.lists(interval, max_size=5).map(lambda xs: PortSet.of(*xs))
protocols = st.sampled_from([TCP, UDP, SCTP])
connsets = st.builds(ConnSet, tcp=portsets, udp=portsets, sctp=portsets)


def _model(p: PortSet) -> frozenset[int]:
    return frozenset(port for port in PROBES if port in p)


def _is_canonical(p: PortSet) -> bool:
    pairs = p.intervals
    if any(lo > hi or lo < MIN_PORT or hi > MAX_PORT for lo, hi in pairs):
        return False
    return all(a_hi + 1 < b_lo for (_, a_hi), (b_lo, _) in itertools.pairwise(pairs))


@pytest.mark.property
@settings(max_examples=100, deadline=None)
@given(portsets, portsets)
def test_portset_ops_match_set_model(a: PortSet, b: PortSet) -> None:
    ma, mb = _model(a), _model(b)
    assert _model(a | b) == ma | mb
    assert _model(a & b) == ma & mb
    assert _model(a - b) == ma - mb
    # complement is taken in 1..65535: on the probes it flips membership
    assert _model(a.complement()) == frozenset(PROBES) - ma
    for result in (a | b, a & b, a - b, a.complement()):
        assert _is_canonical(result)


@pytest.mark.property
@settings(max_examples=100, deadline=None)
@given(portsets, portsets, portsets)
def test_portset_set_laws(a: PortSet, b: PortSet, c: PortSet) -> None:
    assert a | b == b | a
    assert a & b == b & a
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)
    assert a & (b | c) == (a & b) | (a & c)
    assert a | (b & c) == (a | b) & (a | c)
    assert (a | b).complement() == a.complement() & b.complement()
    assert a.complement().complement() == a
    assert a - b == a & b.complement()
    assert a | a == a
    assert a & a == a
    assert a - a == PortSet()
    assert (a | a.complement()).is_all()


@pytest.mark.property
@settings(max_examples=100, deadline=None)
@given(st.lists(interval, max_size=5), st.lists(interval, max_size=5))
def test_portset_canonical_form(xs: list[tuple[int, int]], ys: list[tuple[int, int]]) -> None:
    """Equal sets are equal objects with equal text, however they were built."""
    a, b = PortSet.of(*xs), PortSet.of(*ys)
    assert _is_canonical(a)
    same_members = frozenset(p for lo, hi in xs for p in range(lo, hi + 1)) == frozenset(
        p for lo, hi in ys for p in range(lo, hi + 1)
    )
    assert (a == b) is same_members
    if same_members:
        assert str(a) == str(b)
        assert hash(a) == hash(b)
    # building the same set through the algebra gives the same canonical object
    assert PortSet.of(*reversed(xs)) == a
    assert (a - PortSet()) | PortSet() == a


@pytest.mark.property
@settings(max_examples=100, deadline=None)
@given(connsets, connsets, protocols, st.sampled_from(PROBES))
def test_connset_ops_are_per_protocol(a: ConnSet, b: ConnSet, proto: Protocol, probe: int) -> None:
    assert (a | b).allows(probe, proto) == (a.allows(probe, proto) or b.allows(probe, proto))
    assert (a & b).allows(probe, proto) == (a.allows(probe, proto) and b.allows(probe, proto))
    assert (a - b).allows(probe, proto) == (a.allows(probe, proto) and not b.allows(probe, proto))
    assert (a | b).ports(proto) == a.ports(proto) | b.ports(proto)


@pytest.mark.property
@settings(max_examples=100, deadline=None)
@given(connsets, connsets)
def test_connset_canonical_text(a: ConnSet, b: ConnSet) -> None:
    """Equal connection sets print the same; the text is a function of the set alone."""
    union = a | b
    rebuilt = ConnSet(union.tcp, union.udp, union.sctp)
    assert union == rebuilt
    assert str(union) == str(rebuilt)
    assert union.to_json() == rebuilt.to_json()
    assert (str(a) == str(b)) is (a == b)
    assert (a & b) | (a - b) == a
