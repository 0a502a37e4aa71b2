"""The reachability graph is a projection of the engine, checked on random small clusters.

build_graph takes two shortcuts: it evaluates one pair per pair of pod equivalence classes, and
one address per external range. Neither may change an answer: every edge must equal
``evaluate_pair(...).conns`` for the real pair (and for any non-pod, non-node address of a range),
and the single-port ``evaluate`` must agree with the edge on every sampled port.
"""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.externals import ExternalRange, external_ranges
from netsim.graph import GroupBy, aggregate, build_graph, grouped_graph
from netsim.model import Cluster, Direction, Endpoint, External, IPAddress, Options, Protocol, Traffic
from tests.property.graph_strategies import graph_clusters, options
from tests.property.strategies import PORTS, clusters

pytestmark = pytest.mark.property

LAWS = settings(max_examples=60, deadline=None)

#: The ports probed with the single-port check: the pool's ports, their neighbours and the ends.
PROBES = [(number, proto) for number in (*PORTS, 1, 54, 82, 100, 65535) for proto in Protocol]


def _avoid(cluster: Cluster) -> frozenset[IPAddress]:
    return frozenset(ip for p in cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ())))


def _addresses(rng: ExternalRange, avoid: frozenset[IPAddress]) -> Iterator[IPAddress]:
    """The range's representative and its two ends, when they belong to no pod or node."""
    yield rng.representative(avoid)
    for ip in (rng.first, rng.last):
        if ip not in avoid:
            yield ip


def _edge(graph: nx.DiGraph, source: str, destination: str) -> ConnSet:  # type: ignore[type-arg]
    if graph.has_edge(source, destination):
        conns: ConnSet = graph.edges[source, destination]["conns"]
        assert conns, f"an edge with no connections: {source} -> {destination}"
        return conns
    return ConnSet.none()


def _check_ports(index: PolicyIndex, src: Endpoint, dst: Endpoint, edge: ConnSet) -> None:
    for number, proto in PROBES:
        verdict = evaluate(index, Traffic(src, dst, number, proto))
        assert verdict.allowed == edge.allows(number, proto), f"{src} -> {dst} {number}/{proto}: edge {edge}"


def _check_graph(cluster: Cluster, opts: Options) -> None:
    index = PolicyIndex(cluster, opts)
    graph = build_graph(index)
    pods = cluster.pods
    # pods are nodes; a pod never has an edge to itself
    assert {p.ref for p in pods} <= set(graph.nodes)
    assert not any(s == d for s, d in graph.edges)

    for src in pods:
        for dst in pods:
            if src is dst:
                continue
            edge = _edge(graph, src.ref, dst.ref)
            assert edge == evaluate_pair(index, src, dst).conns, f"{src} -> {dst}"
            _check_ports(index, src, dst, edge)

    avoid = _avoid(cluster)
    for rng in external_ranges(cluster, Direction.EGRESS, options=opts):
        assert rng.label in graph
        for src in pods:
            edge = _edge(graph, src.ref, rng.label)
            for ip in _addresses(rng, avoid):
                assert edge == evaluate_pair(index, src, External(ip)).conns, f"{src} -> {ip} in {rng}"
            _check_ports(index, src, External(rng.representative(avoid)), edge)
    for rng in external_ranges(cluster, Direction.INGRESS, options=opts):
        assert rng.label in graph
        for dst in pods:
            edge = _edge(graph, rng.label, dst.ref)
            for ip in _addresses(rng, avoid):
                assert edge == evaluate_pair(index, External(ip), dst).conns, f"{ip} in {rng} -> {dst}"
            _check_ports(index, External(rng.representative(avoid)), dst, edge)

    # nothing else: every edge is between pods or between a pod and a range of the right side
    ranges_out = {r.label for r in external_ranges(cluster, Direction.EGRESS, options=opts)}
    ranges_in = {r.label for r in external_ranges(cluster, Direction.INGRESS, options=opts)}
    refs = {p.ref for p in pods}
    for s, d in graph.edges:
        assert (s in refs and (d in refs or d in ranges_out)) or (s in ranges_in and d in refs), (s, d)


class TestGraphIsTheEngine:
    """An edge source -> destination carries exactly what evaluate_pair allows; no edge, no port."""

    @LAWS
    @given(clusters())
    def test_engine_clusters(self, cluster: Cluster) -> None:
        _check_graph(cluster, Options())

    @LAWS
    @given(graph_clusters(), options)
    def test_replicas_nodes_and_options(self, cluster: Cluster, opts: Options) -> None:
        _check_graph(cluster, opts)


class TestNoPoliciesEverythingConnected:
    """With no policies, every ordered pair of distinct pods and every pod<->world is All Connections."""

    @LAWS
    @given(clusters(max_policies=0), st.booleans())
    def test_complete_graph(self, cluster: Cluster, ipblock_pods: bool) -> None:
        graph = build_graph(PolicyIndex(cluster, Options(ipblock_matches_pods=ipblock_pods)))
        world = "0.0.0.0-255.255.255.255[External]"
        refs = [p.ref for p in cluster.pods]
        expected = {(s, d) for s in refs for d in refs if s != d}
        expected |= {(r, world) for r in refs} | {(world, r) for r in refs}
        assert set(graph.edges) == expected
        assert all(data["conns"].is_all() for _, _, data in graph.edges(data=True))


class TestGroupedGraphIsTheAggregate:
    """grouped_graph(index, by) equals aggregate(build_graph(index), by): same nodes, conns, pairs."""

    @LAWS
    @given(graph_clusters(), options, st.sampled_from(list(GroupBy)))
    def test_same_graph(self, cluster: Cluster, opts: Options, by: GroupBy) -> None:
        index = PolicyIndex(cluster, opts)
        fast = grouped_graph(index, by)
        slow = aggregate(build_graph(index), by)
        assert {k: d["info"] for k, d in fast.nodes(data=True)} == {k: d["info"] for k, d in slow.nodes(data=True)}
        edges_fast = {(s, d): (data["conns"], data["pairs"]) for s, d, data in fast.edges(data=True)}
        edges_slow = {(s, d): (data["conns"], data["pairs"]) for s, d, data in slow.edges(data=True)}
        assert edges_fast == edges_slow
