"""Containment and overlap of cluster-scoped rules as written (netsim.lint.containment): what the
shadowing and tie rules rely on holds for every cluster, and "not shown" is never "contained"."""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from netsim.lint.containment import (
    every_address,
    name_covers,
    peer_contains,
    ports_contain,
    ports_meet,
    rule_contains,
    selector_contains,
    selectors_compatible,
)
from netsim.model import (
    Action,
    ClusterPort,
    ClusterRule,
    DomainNamesPeer,
    IPBlockPeer,
    LabelSelector,
    NodesPeer,
    PodPeer,
    Protocol,
)
from tests.unit.builders import expr, sel

TCP, UDP = Protocol.TCP, Protocol.UDP


@pytest.mark.parametrize(
    ("broad", "narrow", "contained"),
    [
        (sel(), sel({"env": "prod"}), True),  # {} selects everything
        (sel({"env": "prod"}), sel({"env": "prod", "team": "a"}), True),
        (sel({"env": "prod", "team": "a"}), sel({"env": "prod"}), False),
        (sel(None, expr("env", "In", "prod", "staging")), sel({"env": "prod"}), True),
        (sel(None, expr("env", "Exists")), sel({"env": "dev"}), True),
        (sel(None, expr("env", "NotIn", "dev")), sel({"env": "prod"}), True),
        (sel(None, expr("env", "NotIn", "dev")), sel(None, expr("env", "NotIn", "dev", "qa")), True),
        (sel(None, expr("env", "NotIn", "dev")), sel(None, expr("env", "DoesNotExist")), True),
        (sel(None, expr("env", "DoesNotExist")), sel({"env": "prod"}), False),
        (sel({"env": "prod"}), sel(), False),
    ],
)
def test_selector_containment(broad: LabelSelector, narrow: LabelSelector, contained: bool) -> None:
    assert selector_contains(broad, narrow) is contained


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [
        (sel({"env": "prod"}), sel({"team": "a"}), True),
        (sel({"env": "prod"}), sel({"env": "dev"}), False),
        (sel({"env": "prod"}), sel(None, expr("env", "NotIn", "prod")), False),
        (sel(None, expr("env", "Exists")), sel(None, expr("env", "DoesNotExist")), False),
        (sel(None, expr("env", "In", "a", "b")), sel(None, expr("env", "In", "b", "c")), True),
    ],
)
def test_selectors_compatible(a: LabelSelector, b: LabelSelector, compatible: bool) -> None:
    assert selectors_compatible(a, b) is compatible


def test_peers_contain_as_written() -> None:
    every_ns = PodPeer(LabelSelector(), None)
    prod = PodPeer(sel({"env": "prod"}), None)
    prod_web = PodPeer(sel({"env": "prod"}), sel({"app": "web"}))
    assert peer_contains(every_ns, prod)
    assert peer_contains(prod, prod_web)
    assert not peer_contains(prod_web, prod)
    wide, narrow = IPBlockPeer(ip_network("10.0.0.0/8")), IPBlockPeer(ip_network("10.1.0.0/16"))
    assert peer_contains(wide, narrow)
    assert not peer_contains(narrow, wide)
    # an except may cut the narrow block out: not shown
    assert not peer_contains(IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.1.0.0/16"),)), narrow)
    assert not peer_contains(wide, IPBlockPeer(ip_network("fd00::/8")))
    assert peer_contains(NodesPeer(LabelSelector()), NodesPeer(sel({"role": "infra"})))
    assert peer_contains(DomainNamesPeer(("*.example.com",)), DomainNamesPeer(("api.example.com",)))
    assert not peer_contains(DomainNamesPeer(("api.example.com",)), DomainNamesPeer(("*.example.com",)))
    assert not peer_contains(prod, wide)  # different kinds are never shown to contain each other


def test_domain_names_cover_themselves_and_wildcards_cover_subdomains() -> None:
    assert name_covers("example.com", "Example.com.")
    assert name_covers("*.example.com", "a.b.example.com")
    assert not name_covers("*.example.com", "example.com")


def test_ports() -> None:
    web = (ClusterPort(TCP, 80),)
    web_range = (ClusterPort(TCP, 80, 90),)
    named = (ClusterPort(None, "http"),)
    assert ports_contain(None, web)
    assert not ports_contain(web, None)
    assert ports_contain(web_range, web)
    assert not ports_contain(web, web_range)
    assert not ports_contain(web, named)
    assert ports_contain((*web, *named), named)
    assert ports_meet(web, web_range)
    assert not ports_meet(web, (ClusterPort(UDP, 80),))
    assert ports_meet(named, (*named, ClusterPort(UDP, 53)))


def test_rules_contain_by_ports_and_peers_or_every_address() -> None:
    everywhere = (IPBlockPeer(ip_network("0.0.0.0/0")), IPBlockPeer(ip_network("::/0")))
    assert every_address(everywhere)
    assert not every_address(everywhere[:1])
    prod = PodPeer(sel({"env": "prod"}), None)
    deny_all = ClusterRule(Action.DENY, everywhere)
    accept_prod_web = ClusterRule(Action.ACCEPT, (prod,), (ClusterPort(TCP, 80),))
    assert rule_contains(deny_all, accept_prod_web)  # every address holds every pod
    assert not rule_contains(accept_prod_web, deny_all)
    assert not rule_contains(ClusterRule(Action.DENY, (prod,), (ClusterPort(TCP, 443),)), accept_prod_web)
