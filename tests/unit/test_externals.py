"""External address ranges: the address space cut so that every range behaves alike to every pod.

The cut follows netpol-analyzer (peer-cases README, "External IP ranges"): per side, every ipBlock's
``cidr`` minus its ``except`` list gives merged intervals, and the space is cut at the start and at
end+1 of each of them. Sources come from ingress ipBlocks, destinations from egress ipBlocks.
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.externals import ExternalRange, block_intervals, external_ranges, families
from netsim.match.ipblock import AddressSet, ip_in_block
from netsim.model import Cluster, Direction, IPAddress, IPBlockPeer, IPNetwork, Options, Pod
from tests.unit.builders import block, cluster, pod, policy, rule, sel

V4_MAX = (1 << 32) - 1
V6_MAX = (1 << 128) - 1


def _ip(text: str) -> int:
    return int(ip_address(text))


def _texts(ranges: tuple[ExternalRange, ...]) -> list[str]:
    return [str(r) for r in ranges]


def _ingress(*blocks: IPBlockPeer) -> Cluster:
    """A cluster whose only policy has ingress ipBlock peers (so they cut the sources)."""
    return cluster(policies=[policy("ns/p", ingress=[rule(*blocks)])])


def _egress(*blocks: IPBlockPeer) -> Cluster:
    """A cluster whose only policy has egress ipBlock peers (so they cut the destinations)."""
    return cluster(policies=[policy("ns/p", egress=[rule(*blocks)])])


# --- block_intervals: cidr minus excepts as merged intervals ------------------------------------


@pytest.mark.parametrize(
    ("blk", "expected"),
    [
        # no except: the whole cidr
        (block("10.0.0.0/8"), [("10.0.0.0", "10.255.255.255")]),
        # one hole in the middle
        (block("10.0.0.0/8", "10.1.0.0/16"), [("10.0.0.0", "10.0.255.255"), ("10.2.0.0", "10.255.255.255")]),
        # holes given out of order are sorted
        (
            block("10.0.0.0/8", "10.3.0.0/16", "10.1.0.0/16"),
            [("10.0.0.0", "10.0.255.255"), ("10.2.0.0", "10.2.255.255"), ("10.4.0.0", "10.255.255.255")],
        ),
        # a hole at the start and one at the end
        (block("10.0.0.0/8", "10.0.0.0/16", "10.255.0.0/16"), [("10.1.0.0", "10.254.255.255")]),
        # adjacent holes leave no sliver between them (ipblockstest_3)
        (
            block("0.0.0.0/0", "10.0.0.0/9", "10.128.0.0/9"),
            [("0.0.0.0", "9.255.255.255"), ("11.0.0.0", "255.255.255.255")],
        ),
        # nested (overlapping) holes count once
        (
            block("10.0.0.0/8", "10.1.0.0/16", "10.1.2.0/24"),
            [("10.0.0.0", "10.0.255.255"), ("10.2.0.0", "10.255.255.255")],
        ),
        # /32 and /0
        (block("1.2.3.4/32"), [("1.2.3.4", "1.2.3.4")]),
        (block("0.0.0.0/0"), [("0.0.0.0", "255.255.255.255")]),
        # IPv6
        (block("2001:db8::/32", "2001:db8::/33"), [("2001:db8:8000::", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")]),
    ],
    ids=["plain", "one-hole", "unsorted-holes", "holes-at-ends", "adjacent-holes", "nested-holes", "/32", "/0", "ipv6"],
)
def test_block_intervals(blk: IPBlockPeer, expected: list[tuple[str, str]]) -> None:
    assert block_intervals(blk) == [(_ip(lo), _ip(hi)) for lo, hi in expected]


# --- external_ranges: the cut ---------------------------------------------------------------------


def test_no_ipblocks_means_one_range_per_side() -> None:
    c = cluster(pods=[pod("ns/a")], policies=[policy("ns/deny", types="Ingress,Egress")])
    for direction in Direction:
        assert _texts(external_ranges(c, direction)) == ["0.0.0.0-255.255.255.255"]


def test_adjacent_excepts_do_not_add_a_cut() -> None:
    # ipblockstest_2 (one except 10.0.0.0/8) and ipblockstest_3 (10.0.0.0/9 + 10.128.0.0/9) agree
    split = external_ranges(_ingress(block("0.0.0.0/0", "10.0.0.0/9", "10.128.0.0/9")), Direction.INGRESS)
    whole = external_ranges(_ingress(block("0.0.0.0/0", "10.0.0.0/8")), Direction.INGRESS)
    assert _texts(split) == ["0.0.0.0-9.255.255.255", "10.0.0.0-10.255.255.255", "11.0.0.0-255.255.255.255"]
    assert split == whole


def test_overlapping_blocks_cut_at_every_boundary() -> None:
    ranges = external_ranges(_egress(block("10.0.0.0/8"), block("10.1.0.0/16")), Direction.EGRESS)
    assert _texts(ranges) == [
        "0.0.0.0-9.255.255.255",
        "10.0.0.0-10.0.255.255",
        "10.1.0.0-10.1.255.255",
        "10.2.0.0-10.255.255.255",
        "11.0.0.0-255.255.255.255",
    ]


def test_except_cuts_twice() -> None:
    ranges = external_ranges(_ingress(block("172.17.0.0/16", "172.17.1.0/24")), Direction.INGRESS)
    assert _texts(ranges) == [
        "0.0.0.0-172.16.255.255",
        "172.17.0.0-172.17.0.255",
        "172.17.1.0-172.17.1.255",
        "172.17.2.0-172.17.255.255",
        "172.18.0.0-255.255.255.255",
    ]


def test_slash_zero_does_not_cut() -> None:
    assert _texts(external_ranges(_egress(block("0.0.0.0/0")), Direction.EGRESS)) == ["0.0.0.0-255.255.255.255"]


@pytest.mark.parametrize(
    ("cidr", "expected"),
    [
        ("1.2.3.4/32", ["0.0.0.0-1.2.3.3", "1.2.3.4-1.2.3.4", "1.2.3.5-255.255.255.255"]),
        ("0.0.0.0/32", ["0.0.0.0-0.0.0.0", "0.0.0.1-255.255.255.255"]),
        ("255.255.255.255/32", ["0.0.0.0-255.255.255.254", "255.255.255.255-255.255.255.255"]),
    ],
    ids=["middle", "first-address", "last-address"],
)
def test_single_address_block(cidr: str, expected: list[str]) -> None:
    assert _texts(external_ranges(_egress(block(cidr)), Direction.EGRESS)) == expected


def test_ipv6_blocks_cut_their_side_and_the_other_side_lists_the_whole_ipv6_space() -> None:
    c = cluster(
        policies=[
            policy("ns/p", ingress=[rule(block("2001:db8::/32"))], egress=[rule(block("10.0.0.0/8"))]),
        ]
    )
    sources = external_ranges(c, Direction.INGRESS)
    assert _texts(sources) == [
        "0.0.0.0-255.255.255.255",
        "::-2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db8::-2001:db8:ffff:ffff:ffff:ffff:ffff:ffff",
        "2001:db9::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]
    # the input speaks IPv6: the egress side lists the IPv6 destinations too, uncut
    assert _texts(external_ranges(c, Direction.EGRESS)) == [
        "0.0.0.0-9.255.255.255",
        "10.0.0.0-10.255.255.255",
        "11.0.0.0-255.255.255.255",
        "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]


def test_an_ipv6_block_that_holds_no_address_adds_the_ipv6_space_uncut() -> None:
    # two excepts may cover the whole cidr: nothing to cut, but the input speaks IPv6
    ranges = external_ranges(
        _ingress(block("2001:db8::/112", "2001:db8::/113", "2001:db8::8000/113")), Direction.INGRESS
    )
    assert [(r.version, r.first_int, r.last_int) for r in ranges] == [(4, 0, V4_MAX), (6, 0, V6_MAX)]


V6_SPACE = "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"


@pytest.mark.parametrize(
    "ipv6_pod",
    [
        pod("ns/a", ip="2001:db8::1"),  # IPv6-only
        replace(pod("ns/a"), ips=(ip_address("10.0.0.1"), ip_address("2001:db8::1"))),  # dual-stack
        pod("ns/a", ip="10.0.0.1", host_ip="2001:db8::100"),  # an IPv6 node
        replace(pod("ns/a", host_ip="10.1.0.1"), host_ips=(ip_address("10.1.0.1"), ip_address("2001:db8::100"))),
    ],
    ids=["ipv6-pod", "dual-stack-pod", "ipv6-node", "dual-stack-node"],
)
def test_an_ipv6_address_in_the_input_lists_the_ipv6_space_on_both_sides(ipv6_pod: Pod) -> None:
    c = cluster(pods=[ipv6_pod])
    for direction in Direction:
        assert _texts(external_ranges(c, direction)) == ["0.0.0.0-255.255.255.255", V6_SPACE]
    assert families(c) == {4, 6}


def test_an_ipv4_only_input_has_no_ipv6_range() -> None:
    # what netpol-analyzer prints, and the peer goldens hold
    c = cluster(pods=[pod("ns/a", ip="10.0.0.1"), pod("ns/b")], policies=[policy("ns/p", ingress=[rule()])])
    assert families(c) == {4}
    for direction in Direction:
        assert _texts(external_ranges(c, direction)) == ["0.0.0.0-255.255.255.255"]


def test_options_list_the_ipv6_space_of_an_ipv4_input() -> None:
    c = cluster(pods=[pod("ns/a", ip="10.0.0.1")], policies=[policy("ns/p", egress=[rule(block("10.0.0.0/8"))])])
    # a question about an IPv6 address, or an IPv6 pod network, lists the IPv6 space
    for options in (Options(address_families=frozenset({6})), Options(pod_cidrs=(ip_network("fd00:10::/64"),))):
        assert families(c, options) == {4, 6}
        assert _texts(external_ranges(c, Direction.INGRESS, options=options)) == ["0.0.0.0-255.255.255.255", V6_SPACE]
        assert _texts(external_ranges(c, Direction.EGRESS, options=options))[-1] == V6_SPACE
    assert families(c, Options(pod_cidrs=(ip_network("10.244.0.0/16"),))) == {4}
    assert families(c) == {4}
    assert _texts(external_ranges(c, Direction.INGRESS)) == ["0.0.0.0-255.255.255.255"]


def test_ipv6_slash_zero_adds_one_ipv6_range() -> None:
    ranges = external_ranges(_ingress(block("::/0")), Direction.INGRESS)
    assert [(r.version, r.first_int, r.last_int) for r in ranges] == [(4, 0, V4_MAX), (6, 0, V6_MAX)]


def test_sources_and_destinations_are_cut_separately() -> None:
    c = cluster(
        policies=[
            policy("ns/in", ingress=[rule(block("10.0.0.0/8"))]),
            policy("ns/out", egress=[rule(block("192.168.0.0/16"))], types="Egress"),
        ]
    )
    assert _texts(external_ranges(c, Direction.INGRESS)) == [
        "0.0.0.0-9.255.255.255",
        "10.0.0.0-10.255.255.255",
        "11.0.0.0-255.255.255.255",
    ]
    assert _texts(external_ranges(c, Direction.EGRESS)) == [
        "0.0.0.0-192.167.255.255",
        "192.168.0.0-192.168.255.255",
        "192.169.0.0-255.255.255.255",
    ]


def test_policy_that_selects_no_pod_still_cuts() -> None:
    c = cluster(
        pods=[pod("ns/a", {"app": "a"})],
        policies=[policy("ns/nobody", sel({"app": "nobody"}), ingress=[rule(block("10.0.0.0/8"))])],
    )
    assert len(external_ranges(c, Direction.INGRESS)) == 3


def test_ipblocks_of_every_rule_and_policy_count() -> None:
    c = cluster(
        policies=[
            policy("a/p", ingress=[rule(block("10.0.0.0/8")), rule(block("11.0.0.0/8"))]),
            policy("b/q", ingress=[rule(block("12.0.0.0/8"))]),
        ]
    )
    assert [str(r.first) for r in external_ranges(c, Direction.INGRESS)] == [
        "0.0.0.0",
        "10.0.0.0",
        "11.0.0.0",
        "12.0.0.0",
        "13.0.0.0",
    ]


# --- ExternalRange ----------------------------------------------------------------------------------


def test_range_label_and_text() -> None:
    rng = ExternalRange(4, _ip("10.0.0.0"), _ip("10.255.255.255"))
    assert rng.label == "10.0.0.0-10.255.255.255[External]"
    assert str(rng) == "10.0.0.0-10.255.255.255"
    assert (rng.first, rng.last) == (ip_address("10.0.0.0"), ip_address("10.255.255.255"))


def test_ipv6_range_label() -> None:
    rng = ExternalRange(6, 0, V6_MAX)
    assert rng.label == "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]"
    assert rng.first.version == rng.last.version == 6


def test_small_ipv6_values_stay_ipv6() -> None:
    # int 1 alone would be read as IPv4 0.0.0.1
    rng = ExternalRange(6, 0, 1)
    assert str(rng) == "::-::1"


def test_range_membership_checks_the_family() -> None:
    rng = ExternalRange(4, _ip("10.0.0.0"), _ip("10.0.0.255"))
    assert ip_address("10.0.0.0") in rng
    assert ip_address("10.0.0.255") in rng
    assert ip_address("10.0.1.0") not in rng
    assert ip_address("::a00:1") not in ExternalRange(4, 0, V4_MAX)
    assert ip_address("::1") in ExternalRange(6, 0, V6_MAX)


def test_representative_is_the_first_address_not_avoided() -> None:
    rng = ExternalRange(4, _ip("10.0.0.0"), _ip("10.0.0.255"))
    assert rng.representative() == ip_address("10.0.0.0")
    avoid = frozenset({ip_address("10.0.0.0"), ip_address("10.0.0.1"), ip_address("10.0.0.3")})
    assert rng.representative(avoid) == ip_address("10.0.0.2")


def test_representative_of_a_fully_avoided_range_is_its_first_address() -> None:
    rng = ExternalRange(4, _ip("10.0.0.5"), _ip("10.0.0.6"))
    assert rng.representative(frozenset({ip_address("10.0.0.5"), ip_address("10.0.0.6")})) == ip_address("10.0.0.5")


def test_representative_of_an_ipv6_range() -> None:
    rng = ExternalRange(6, 0, V6_MAX)
    assert rng.representative(frozenset({ip_address("::")})) == ip_address("::1")


def test_ranges_sort_by_family_then_address() -> None:
    a = ExternalRange(4, 5, 9)
    b = ExternalRange(4, 10, 20)
    c = ExternalRange(6, 0, 3)
    assert sorted([c, b, a]) == [a, b, c]


# --- properties: the cut is a partition on which every block is constant --------------------------

_V4_BASE = _ip("10.0.0.0")


@st.composite
def networks_v4(draw: st.DrawFn) -> IPv4Network:
    """Networks inside 10.0.0.0/16 (so they overlap often), plus the odd /0 and /32."""
    prefix = draw(st.sampled_from([0, 16, 20, 22, 24, 26, 28, 30, 32]))
    addr = _V4_BASE + draw(st.integers(0, (1 << 16) - 1))
    return IPv4Network((addr, prefix), strict=False)


@st.composite
def networks_v6(draw: st.DrawFn) -> IPv6Network:
    base = int(ip_address("2001:db8::"))
    prefix = draw(st.sampled_from([0, 112, 120, 124, 128]))
    return IPv6Network((base + draw(st.integers(0, (1 << 16) - 1)), prefix), strict=False)


@st.composite
def ip_blocks(draw: st.DrawFn) -> IPBlockPeer:
    """A cidr with zero to three excepts, each a strict subnet of the cidr (as validation demands)."""
    cidr: IPNetwork = draw(st.one_of(networks_v4(), networks_v4(), networks_v6()))
    excepts: list[IPNetwork] = []
    if cidr.prefixlen < cidr.max_prefixlen:
        for _ in range(draw(st.integers(0, 3))):
            new_prefix = draw(st.integers(cidr.prefixlen + 1, min(cidr.prefixlen + 8, cidr.max_prefixlen)))
            offset = draw(st.integers(0, (1 << (new_prefix - cidr.prefixlen)) - 1))
            size = 1 << (cidr.max_prefixlen - new_prefix)
            start = int(cidr.network_address) + offset * size
            excepts.append(ip_network((start, new_prefix)))
    return IPBlockPeer(cidr, tuple(excepts))


@st.composite
def addresses(draw: st.DrawFn) -> IPAddress:
    """Addresses near the blocks (so they hit and miss), anywhere, and IPv6."""
    near = _V4_BASE + draw(st.integers(0, (1 << 16) - 1))
    v6_near = int(ip_address("2001:db8::")) + draw(st.integers(0, (1 << 16) - 1))
    value = draw(st.sampled_from(["near", "any", "v6"]))
    if value == "near":
        return ip_address(near)
    if value == "any":
        return ip_address(draw(st.integers(0, V4_MAX)))
    return IPv6Address(v6_near)


def _has_v6(blocks: list[IPBlockPeer]) -> bool:
    """True if some block is IPv6: the IPv6 space is then listed, even when excepts cover the cidr."""
    return any(b.cidr.version == 6 for b in blocks)


def _in_range(data: st.DataObject, rng: ExternalRange) -> IPAddress:
    value = data.draw(st.integers(rng.first_int, rng.last_int))
    return rng.first.__class__(value)


@pytest.mark.property
class TestCutProperties:
    """Every address of a range belongs to exactly the same blocks; the ranges tile the space."""

    @settings(max_examples=150, deadline=None)
    @given(st.lists(ip_blocks(), max_size=4), st.sampled_from(list(Direction)), st.data())
    def test_ranges_partition_and_blocks_are_constant(
        self, blocks: list[IPBlockPeer], direction: Direction, data: st.DataObject
    ) -> None:
        rule_ = rule(*blocks)
        pol = (
            policy("ns/p", ingress=[rule_], types="Ingress")
            if direction is Direction.INGRESS
            else policy("ns/p", egress=[rule_], types="Egress")
        )
        ranges = external_ranges(cluster(policies=[pol]), direction)
        # the ranges tile each family present, in order, with no gap and no overlap
        for version, top in ((4, V4_MAX), (6, V6_MAX)):
            family = [r for r in ranges if r.version == version]
            if version == 6 and not _has_v6(blocks):
                assert family == []
                continue
            assert family[0].first_int == 0
            assert family[-1].last_int == top
            for prev, nxt in pairwise(family):
                assert nxt.first_int == prev.last_int + 1
        # each block selects all or none of each range: check the ends and one address inside
        for rng in ranges:
            probes = [rng.first, rng.last, _in_range(data, rng)]
            for blk in blocks:
                assert len({ip_in_block(ip, blk) for ip in probes}) == 1, (str(rng), str(blk))

    @settings(max_examples=150, deadline=None)
    @given(st.lists(ip_blocks(), max_size=3))
    def test_merged_cut_points_are_the_interval_boundaries(self, blocks: list[IPBlockPeer]) -> None:
        ranges = external_ranges(_egress(*blocks), Direction.EGRESS)
        starts = {(r.version, r.first_int) for r in ranges}
        expected = {(4, 0)} | ({(6, 0)} if _has_v6(blocks) else set())
        for blk in blocks:
            top = V4_MAX if blk.cidr.version == 4 else V6_MAX
            for lo, hi in block_intervals(blk):
                expected.add((blk.cidr.version, lo))
                if hi < top:
                    expected.add((blk.cidr.version, hi + 1))
        assert starts == expected


@pytest.mark.property
class TestAddressSet:
    """An AddressSet holds exactly the addresses some of its blocks hold (ip_in_block)."""

    @settings(max_examples=200, deadline=None)
    @given(st.lists(ip_blocks(), max_size=4), st.lists(addresses(), min_size=1, max_size=8))
    def test_membership_agrees_with_ip_in_block(self, blocks: list[IPBlockPeer], ips: list[IPAddress]) -> None:
        union = AddressSet(blocks)
        for ip in ips:
            assert (ip in union) == any(ip_in_block(ip, b) for b in blocks), (str(ip), [str(b) for b in blocks])
        assert bool(union) == any(block_intervals(b) for b in blocks)

    @settings(max_examples=100, deadline=None)
    @given(ip_blocks(), st.data())
    def test_interval_ends_are_members(self, blk: IPBlockPeer, data: st.DataObject) -> None:
        union = AddressSet([blk])
        cls = blk.cidr.network_address.__class__
        top = V4_MAX if blk.cidr.version == 4 else V6_MAX
        for lo, hi in block_intervals(blk):
            assert cls(lo) in union
            assert cls(hi) in union
            assert cls(data.draw(st.integers(lo, hi))) in union
            if lo > 0:
                assert cls(lo - 1) not in union
            if hi < top:
                assert cls(hi + 1) not in union


def test_address_set_rejects_non_addresses_and_can_be_empty() -> None:
    union = AddressSet([block("10.0.0.0/8")])
    assert "10.0.0.1" not in union
    assert not AddressSet([])
    assert ip_address("10.0.0.1") not in AddressSet([])
    assert ip_address("::1") not in union
