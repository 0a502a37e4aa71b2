"""Hypothesis strategies for clusters and policies, over tiny pools so that selectors match.

Labels come from two keys and two values, namespaces from two names, pod addresses from a fixed
plan (10.0.<namespace>.<pod>) that the ipBlock pool is written against, and ports from a handful of
numbers and two names that the pods declare. Collisions are the point: a random selector should
select something about half the time.
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

from hypothesis import strategies as st

from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IPBlockPeer,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Peer,
    Pod,
    PodPeer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
)

__all__ = [
    "EXTERNALS",
    "KEYS",
    "NAMESPACES",
    "PORTS",
    "VALUES",
    "clusters",
    "endpoints",
    "label_sets",
    "peers",
    "policies",
    "probe_ports",
    "protocols",
    "rules",
    "selectors",
]

KEYS = ("app", "tier")
VALUES = ("a", "b")
NAMESPACES = ("n1", "n2")
PORTS = (53, 80, 81, 443)
PORT_NAMES = ("web", "dns")
EXTERNALS = (External(ip_address("8.8.8.8")), External(ip_address("10.0.9.9")), External(ip_address("2001:db8::1")))
BLOCKS = (
    IPBlockPeer(ip_network("10.0.0.0/16")),
    IPBlockPeer(ip_network("10.0.0.0/16"), (ip_network("10.0.1.0/24"),)),
    IPBlockPeer(ip_network("10.0.1.0/24")),
    IPBlockPeer(ip_network("10.0.2.1/32")),
    IPBlockPeer(ip_network("0.0.0.0/0"), (ip_network("10.0.0.0/8"),)),
    IPBlockPeer(ip_network("::/0")),
)

protocols = st.sampled_from(list(Protocol))
probe_ports = st.sampled_from([*PORTS, 82, 65535])
label_sets = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=2).map(Labels)


@st.composite
def requirements(draw: st.DrawFn) -> Requirement:
    key = draw(st.sampled_from(KEYS))
    operators: list[Operator] = ["In", "NotIn", "Exists", "DoesNotExist"]
    op = draw(st.sampled_from(operators))
    if op in ("In", "NotIn"):
        values = draw(st.lists(st.sampled_from(VALUES), min_size=1, max_size=2, unique=True))
        return Requirement(key, op, tuple(values))
    return Requirement(key, op)


selectors = st.builds(LabelSelector, label_sets, st.lists(requirements(), max_size=2).map(tuple))
namespace_selectors = st.one_of(
    selectors,
    st.sampled_from(NAMESPACES).map(lambda n: LabelSelector(Labels({NAMESPACE_NAME_LABEL: n}))),
)


@st.composite
def pod_peers(draw: st.DrawFn) -> PodPeer:
    ns_sel = draw(st.none() | namespace_selectors)
    pod_sel = draw(st.none() | selectors) if ns_sel is not None else draw(selectors)
    return PodPeer(ns_sel, pod_sel)


# a fresh copy per draw: equal ipBlocks of different rules are distinct objects, as when loaded
peers: st.SearchStrategy[Peer] = st.one_of(pod_peers(), st.sampled_from(BLOCKS).map(lambda b: replace(b)))


@st.composite
def port_specs(draw: st.DrawFn) -> PortSpec:
    protocol = draw(protocols)
    kind = draw(st.sampled_from(["number", "range", "name", "all"]))
    if kind == "number":
        return PortSpec(protocol, draw(st.sampled_from(PORTS)))
    if kind == "range":
        lo = draw(st.sampled_from(PORTS))
        return PortSpec(protocol, lo, lo + draw(st.integers(0, 30)))
    if kind == "name":
        return PortSpec(protocol, draw(st.sampled_from(PORT_NAMES)))
    return PortSpec(protocol)


rules = st.builds(Rule, st.lists(peers, max_size=2).map(tuple), st.lists(port_specs(), max_size=2).map(tuple))
directions = st.sets(st.sampled_from(list(Direction)), min_size=1).map(frozenset)


def policies(name: str) -> st.SearchStrategy[NetworkPolicy]:
    """A policy called ``name`` in one of the namespaces."""
    return st.builds(
        NetworkPolicy,
        namespace=st.sampled_from(NAMESPACES),
        name=st.just(name),
        pod_selector=selectors,
        policy_types=directions,
        ingress=st.lists(rules, max_size=2).map(tuple),
        egress=st.lists(rules, max_size=2).map(tuple),
    )


@st.composite
def _pod(draw: st.DrawFn, ns_index: int, pod_index: int) -> Pod:
    declared = draw(
        st.lists(
            st.sampled_from([ContainerPort(80, Protocol.TCP, "web"), ContainerPort(53, Protocol.UDP, "dns")]),
            unique=True,
            max_size=2,
        )
    )
    return Pod(
        NAMESPACES[ns_index],
        f"p{pod_index}",
        draw(label_sets),
        tuple(declared),
        (ip_address(f"10.0.{ns_index + 1}.{pod_index + 1}"),),
    )


@st.composite
def clusters(draw: st.DrawFn, max_policies: int = 3, min_policies: int = 0) -> Cluster:
    """Two namespaces with 1-2 pods each and ``min_policies`` to ``max_policies`` policies."""
    pods = [draw(_pod(n, i)) for n in range(len(NAMESPACES)) for i in range(draw(st.integers(1, 2)))]
    namespaces = tuple(Namespace(n, Labels({**draw(label_sets), NAMESPACE_NAME_LABEL: n})) for n in NAMESPACES)
    count = draw(st.integers(min_policies, max_policies))
    pols = tuple(draw(policies(f"np{i}")) for i in range(count))
    return Cluster(namespaces, tuple(pods), pols)


def endpoints(cluster: Cluster) -> list[Endpoint]:
    """Every pod of the cluster and the external addresses."""
    return [*cluster.pods, *EXTERNALS]
