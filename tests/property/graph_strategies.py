"""Clusters for the graph laws: the engine's random clusters (tests/property/strategies.py) plus
what only the graph's shortcuts care about.

The graph evaluates one pair per pair of *equivalence classes* of pods and one address per
*external range*, so these clusters add: replicas (pods with the same namespace, labels and ports,
so classes have several members), node placement and hostNetwork pods (the own-node exemption
differs between otherwise equal pods), and ipBlocks on node addresses (ranges made only of
addresses that belong to nodes).
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

from hypothesis import strategies as st

from netsim.model import Cluster, IPBlockPeer, NetworkPolicy, Options, Peer, Pod, Rule
from tests.property.strategies import (
    NAMESPACES,
    clusters,
    directions,
    label_sets,
    peers,
    port_specs,
    selectors,
)

__all__ = ["NODES", "graph_clusters", "options"]

#: Two nodes and their addresses.
NODES = (("n1", ip_address("192.168.0.1")), ("n2", ip_address("192.168.0.2")))

NODE_BLOCKS = (
    IPBlockPeer(ip_network("192.168.0.1/32")),
    IPBlockPeer(ip_network("192.168.0.0/30"), (ip_network("192.168.0.2/32"),)),
    IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.0.1.0/24"), ip_network("10.0.2.0/25"))),
)

# a fresh copy per draw: equal ipBlocks of different rules are distinct objects, as when loaded
graph_peers: st.SearchStrategy[Peer] = st.one_of(peers, st.sampled_from(NODE_BLOCKS).map(lambda b: replace(b)))
graph_rules = st.builds(
    Rule, st.lists(graph_peers, max_size=2).map(tuple), st.lists(port_specs(), max_size=2).map(tuple)
)

options = st.builds(Options, st.booleans(), st.booleans(), st.booleans())


def _policies(name: str) -> st.SearchStrategy[NetworkPolicy]:
    return st.builds(
        NetworkPolicy,
        namespace=st.sampled_from(NAMESPACES),
        name=st.just(name),
        pod_selector=selectors,
        policy_types=directions,
        ingress=st.lists(graph_rules, max_size=2).map(tuple),
        egress=st.lists(graph_rules, max_size=2).map(tuple),
    )


@st.composite
def graph_clusters(draw: st.DrawFn) -> Cluster:
    """A cluster of 2-7 pods, some of them replicas of others, placed on nodes."""
    base = draw(clusters(max_policies=2))
    placed = draw(st.booleans())
    pods: list[Pod] = []
    for i, p in enumerate(base.pods):
        copies = [p] + [
            replace(p, name=f"{p.name}r{j}", ips=(ip_address(f"10.0.{3 + i}.{j + 1}"),))
            for j in range(draw(st.integers(0, 1)))
        ]
        for c in copies:
            if placed:
                node, host_ip = NODES[draw(st.integers(0, 1))]
                c = replace(c, node_name=node, host_ip=host_ip)
            pods.append(c)
    if placed and draw(st.booleans()):
        node, host_ip = NODES[draw(st.integers(0, 1))]
        ns = draw(st.sampled_from(NAMESPACES))
        pods.append(Pod(ns, "agent", draw(label_sets), (), (host_ip,), True, node, host_ip))
    extra = tuple(draw(st.lists(_policies("gp"), max_size=1)))
    pols = tuple(replace(p, name=f"gp{i}") for i, p in enumerate(extra))
    return Cluster(base.namespaces, tuple(sorted(pods, key=lambda p: p.ref)), base.policies + pols)
