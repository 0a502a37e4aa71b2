"""Port matching (docs/semantics.md, "Ports and named ports" and "endPort"): numbers, endPort ranges,
protocol-only entries and named ports."""

from __future__ import annotations

import pytest

from netsim.connset import ConnSet
from netsim.match.ports import rule_ports, static_ports
from netsim.model import Endpoint, PortSpec
from tests.unit.builders import SCTP, TCP, UDP, cport, ext, pod, port

# A destination pod with the upstream e2e naming (serve-<port>-<proto>), plus two containers that
# both call their port "metrics" with different numbers (names are unique per container only:
# validateContainerPorts), and "dns" declared only as UDP.
SERVER = pod(
    "x/server",
    ports=[
        cport(80, TCP, "serve-80-tcp"),
        cport(80, UDP, "serve-80-udp"),
        cport(81, SCTP, "serve-81-sctp"),
        cport(9100, TCP, "metrics"),
        cport(9200, TCP, "metrics"),
        cport(53, UDP, "dns"),
        cport(8080, TCP),
    ],
)
BARE = pod("x/bare")
OUTSIDE = ext("203.0.113.9")


@pytest.mark.parametrize(
    ("specs", "dst", "expected"),
    [
        # empty ports: every port of every protocol
        pytest.param((), SERVER, ConnSet.all(), id="no-ports-all"),
        pytest.param((), OUTSIDE, ConnSet.all(), id="no-ports-all-external"),
        # numeric ports, protocol default TCP
        pytest.param((port(80),), SERVER, ConnSet.of(TCP, 80), id="tcp-80"),
        pytest.param((port(53, UDP),), SERVER, ConnSet.of(UDP, 53), id="udp-53-only"),
        pytest.param((port(80), port(443)), SERVER, ConnSet.of(TCP, 80) | ConnSet.of(TCP, 443), id="entries-ORed"),
        # endPort: inclusive range, protocol still applies
        pytest.param((port(8000, TCP, 8010),), SERVER, ConnSet.of(TCP, 8000, 8010), id="endPort-range"),
        pytest.param((port(80, TCP, 80),), SERVER, ConnSet.of(TCP, 80), id="endPort-equal-port"),
        pytest.param((port(1, UDP, 65535),), SERVER, ConnSet.of(UDP), id="endPort-full-udp"),
        # protocol only (port omitted): every port of that protocol
        pytest.param((port(None, UDP),), SERVER, ConnSet.of(UDP), id="protocol-only-udp"),
        pytest.param((port(None, SCTP),), OUTSIDE, ConnSet.of(SCTP), id="protocol-only-sctp-external"),
        # `ports: [{}]` is PortSpec(): every TCP port, and only TCP
        pytest.param((PortSpec(),), SERVER, ConnSet.of(TCP), id="empty-entry-all-tcp-only"),
        # named ports resolve on the destination pod by name AND protocol
        pytest.param((port("serve-80-tcp"),), SERVER, ConnSet.of(TCP, 80), id="named-tcp"),
        pytest.param((port("serve-80-udp", UDP),), SERVER, ConnSet.of(UDP, 80), id="named-udp-with-udp-rule"),
        pytest.param((port("dns"),), SERVER, ConnSet.none(), id="named-udp-port-default-tcp-rule-no-match"),
        pytest.param((port("serve-81-sctp", TCP),), SERVER, ConnSet.none(), id="named-sctp-tcp-rule-no-match"),
        pytest.param(
            (port("metrics"),), SERVER, ConnSet.of(TCP, 9100) | ConnSet.of(TCP, 9200), id="named-several-containers"
        ),
        pytest.param((port("nope"),), SERVER, ConnSet.none(), id="named-undeclared"),
        pytest.param((port("serve-80-tcp"),), BARE, ConnSet.none(), id="named-pod-without-ports"),
        pytest.param((port("serve-80-tcp"),), OUTSIDE, ConnSet.none(), id="named-never-matches-external"),
        # named and numeric entries combine
        pytest.param(
            (port("serve-80-tcp"), port(9090, UDP)),
            SERVER,
            ConnSet.of(TCP, 80) | ConnSet.of(UDP, 9090),
            id="named-plus-numeric",
        ),
        pytest.param((port("serve-80-tcp"), port(443)), OUTSIDE, ConnSet.of(TCP, 443), id="named-dropped-for-external"),
    ],
)
def test_rule_ports(specs: tuple[PortSpec, ...], dst: Endpoint, expected: ConnSet) -> None:
    assert rule_ports(specs, dst).conns == expected
    # explaining adds words, never changes the answer
    assert rule_ports(specs, dst, explain=True).conns == expected


def test_static_ports_skip_named_entries() -> None:
    specs = (port("serve-80-tcp"), port(81), port(None, UDP))
    assert static_ports(specs) == ConnSet.of(TCP, 81) | ConnSet.of(UDP)


@pytest.mark.parametrize(
    ("specs", "dst", "notes"),
    [
        pytest.param(
            (port("serve-80-tcp"),), SERVER, ("named port 'serve-80-tcp' is TCP 80 on x/server",), id="resolved"
        ),
        pytest.param(
            (port("metrics"),),
            SERVER,
            ("named port 'metrics' is TCP 9100 on x/server", "named port 'metrics' is TCP 9200 on x/server"),
            id="resolved-twice",
        ),
        pytest.param(
            (port("dns"),),
            SERVER,
            ("named port 'dns' is UDP 53 on x/server, but the rule asks for TCP",),
            id="wrong-protocol",
        ),
        pytest.param(
            (port("web"),), SERVER, ("named port 'web' is not declared by any container of x/server",), id="undeclared"
        ),
        pytest.param(
            (port("web"),),
            OUTSIDE,
            ("named port 'web' cannot match 203.0.113.9: it is not a pod",),
            id="external",
        ),
        pytest.param((port(80),), SERVER, (), id="numeric-no-notes"),
    ],
)
def test_named_port_notes(specs: tuple[PortSpec, ...], dst: Endpoint, notes: tuple[str, ...]) -> None:
    assert rule_ports(specs, dst, explain=True).notes == notes
    assert rule_ports(specs, dst).notes == ()


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        pytest.param(PortSpec(), "TCP (all ports)", id="empty"),
        pytest.param(port(80), "TCP 80", id="number"),
        pytest.param(port(8000, UDP, 8010), "UDP 8000-8010", id="range"),
        pytest.param(port("http"), "TCP named port 'http'", id="named"),
    ],
)
def test_port_spec_text(spec: PortSpec, text: str) -> None:
    assert str(spec) == text
