"""Clusters that leave facts open, for the three-valued laws (tests/property/test_undetermined_laws.py).

The engine's strategies (tests/property/strategies.py) draw complete clusters: every namespace has
a manifest, every pod an address, and no policy is of a kind netsim does not evaluate. These add
what the input may leave unknown:

* a third namespace, ``n3``, usually without a Namespace object (``Cluster.namespace`` then makes
  an undeclared one with only its name label), and ``n2`` sometimes; namespaceSelectors on the
  extra labels (``app``, ``tier``) and on the name label, alone and mixed;
* pods without an address (pending pods) and workload representatives (Deployment, StatefulSet,
  DaemonSet with ``replicas`` None, 1, 2 or 3), which have neither an IP nor a node; pods of a ReplicaSet; on
  request pods placed on nodes, a hostNetwork agent (with its address or only its node) and a
  hostNetwork DaemonSet;
* ipBlocks around the addresses such pods may get (``10.0.3.0/24``, ``192.168.0.0/16``, IPv6);
* :class:`~netsim.model.UnevaluatedPolicy` objects, namespaced and cluster-scoped, reading their
  selection (``selects``) or not;
* :class:`~netsim.model.Options` with a pod network (``pod_cidrs``), ``closed_world``,
  ``ignore_unevaluated`` and ``replica_traffic``;
* :func:`completions`: one way the world may be, for a cluster with unknowns (every pod given an
  address, in the pod network when the options give one; every namespace declared, with random
  labels).
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_address, ip_network

from hypothesis import strategies as st

from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Endpoint,
    External,
    IPAddress,
    IPBlockPeer,
    IPNetwork,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Options,
    Peer,
    Pod,
    PodPeer,
    Protocol,
    Requirement,
    Rule,
    UnevaluatedPolicy,
)
from tests.property.graph_strategies import NODE_BLOCKS, NODES
from tests.property.strategies import (
    BLOCKS,
    EXTERNALS,
    NAMESPACES,
    directions,
    label_sets,
    namespace_selectors,
    port_specs,
    selectors,
)

__all__ = [
    "ALL_NAMESPACES",
    "OPEN_EXTERNALS",
    "POD_CIDRS",
    "WORKLOAD_KINDS",
    "completions",
    "open_clusters",
    "open_endpoints",
    "open_options",
    "open_policies",
    "open_rules",
    "unevaluated_policies",
]

#: ``n3`` usually has pods but no Namespace object.
ALL_NAMESPACES = (*NAMESPACES, "n3")
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet")

#: The pod networks the options draw: none, IPv4 ones around the blocks, IPv6, dual-stack, two IPv4.
POD_CIDRS: tuple[tuple[IPNetwork, ...], ...] = (
    (),
    (ip_network("10.0.0.0/8"),),
    (ip_network("10.0.3.0/24"),),
    (ip_network("192.168.0.0/16"),),
    (ip_network("fd00:10::/64"),),
    (ip_network("10.0.3.0/24"), ip_network("fd00::/8")),
    (ip_network("10.0.1.0/24"), ip_network("10.0.3.0/25")),
)

#: ipBlocks whose edges fall inside the pod networks above, so that they decide some and not others.
OPEN_BLOCKS = (
    *BLOCKS,
    *NODE_BLOCKS,
    IPBlockPeer(ip_network("10.0.3.0/24")),
    IPBlockPeer(ip_network("10.0.3.0/25")),
    IPBlockPeer(ip_network("10.0.0.0/8")),
    IPBlockPeer(ip_network("192.168.0.0/16"), (ip_network("192.168.1.0/24"),)),
    IPBlockPeer(ip_network("fd00::/8"), (ip_network("fd00:10::/64"),)),
    IPBlockPeer(ip_network("fd00:10::/64")),
)

#: External addresses probed besides the engine's: a node, and addresses in the pod networks.
OPEN_EXTERNALS = (
    *EXTERNALS,
    External(NODES[0][1]),
    External(ip_address("10.0.3.77")),
    External(ip_address("fd00:10::77")),
)

#: Addresses a completion gives pods, chosen on the blocks' edges (each filtered to the pod network).
_POOL = tuple(
    ip_address(a)
    for a in (
        "10.0.0.1",
        "10.0.1.7",
        "10.0.2.1",
        "10.0.2.2",
        "10.0.3.5",
        "10.0.3.200",
        "10.1.0.1",
        "8.8.4.4",
        "192.168.1.1",
        "192.168.7.7",
        "172.16.0.1",
        "2001:db8::7",
        "fd00:10::5",
        "fd00:20::5",
    )
)

_name_label = st.sampled_from(ALL_NAMESPACES)


@st.composite
def _name_selectors(draw: st.DrawFn) -> LabelSelector:
    """A selector on the name label (known for an undeclared namespace), maybe with an extra label."""
    names = tuple(draw(st.lists(_name_label, min_size=1, max_size=2, unique=True)))
    operators: list[Operator] = ["In", "NotIn"]
    op = draw(st.sampled_from(operators))
    name_req = Requirement(NAMESPACE_NAME_LABEL, op, names)
    extra = draw(st.none() | label_sets)
    return LabelSelector(extra or Labels(), (name_req,))


open_namespace_selectors = st.one_of(
    namespace_selectors,
    _name_label.map(lambda n: LabelSelector(Labels({NAMESPACE_NAME_LABEL: n}))),
    _name_selectors(),
)


@st.composite
def open_pod_peers(draw: st.DrawFn) -> PodPeer:
    """A selector peer; its namespaceSelector may need labels an undeclared namespace may have."""
    ns_sel = draw(st.none() | open_namespace_selectors)
    pod_sel = draw(st.none() | selectors) if ns_sel is not None else draw(selectors)
    return PodPeer(ns_sel, pod_sel)


# a fresh copy per draw: equal ipBlocks of different rules are distinct objects, as when loaded
open_peers: st.SearchStrategy[Peer] = st.one_of(
    open_pod_peers(), st.sampled_from(OPEN_BLOCKS).map(lambda b: replace(b))
)
open_rules = st.builds(Rule, st.lists(open_peers, max_size=2).map(tuple), st.lists(port_specs(), max_size=2).map(tuple))


def open_policies(name: str) -> st.SearchStrategy[NetworkPolicy]:
    """A policy called ``name`` in one of the namespaces (``n3`` included)."""
    return st.builds(
        NetworkPolicy,
        namespace=st.sampled_from(ALL_NAMESPACES),
        name=st.just(name),
        pod_selector=st.just(LabelSelector()) | selectors,  # {} isolates the whole namespace
        policy_types=directions,
        ingress=st.lists(open_rules, max_size=2).map(tuple),
        egress=st.lists(open_rules, max_size=2).map(tuple),
    )


#: (apiVersion, kind, namespaced)
_FOREIGN_KINDS = (
    ("cilium.io/v2", "CiliumNetworkPolicy", True),
    ("cilium.io/v2", "CiliumClusterwideNetworkPolicy", False),
    ("crd.projectcalico.org/v1", "NetworkPolicy", True),
    ("policy.networking.k8s.io/v1alpha1", "AdminNetworkPolicy", False),
)


@st.composite
def unevaluated_policies(draw: st.DrawFn, name: str) -> UnevaluatedPolicy:
    """A policy of a kind netsim does not evaluate, namespaced or cluster-scoped, reading its
    selection (``selects``, possibly empty) or not (``None``)."""
    api, kind, namespaced = draw(st.sampled_from(_FOREIGN_KINDS))
    namespace = draw(st.sampled_from(ALL_NAMESPACES)) if namespaced else None
    selects = draw(st.none() | st.lists(open_pod_peers(), max_size=2).map(tuple))
    return UnevaluatedPolicy(api, kind, namespace, name, draw(directions), selects, "not evaluated in tests")


_mostly_false = st.sampled_from([False, False, True])


def open_options(
    *,
    closed_world: bool | None = None,
    ignore_unevaluated: bool | None = None,
) -> st.SearchStrategy[Options]:
    """Options with a pod network, ``closed_world``, ``ignore_unevaluated``, ``replica_traffic`` and
    ``networkpolicy_tier_per_pod`` drawn (the first two fixed when given), and the plugin choices of
    the graph laws."""
    # mostly the choices that leave facts open, so that there is something to decide
    return st.builds(
        Options,
        ipblock_matches_pods=st.sampled_from([True, True, False]),
        egress_to_own_node=st.booleans(),
        host_network_as_node=st.booleans(),
        ignore_unevaluated=_mostly_false if ignore_unevaluated is None else st.just(ignore_unevaluated),
        closed_world=_mostly_false if closed_world is None else st.just(closed_world),
        pod_cidrs=st.sampled_from(POD_CIDRS),
        replica_traffic=st.booleans(),
        networkpolicy_tier_per_pod=st.booleans(),
    )


_container_ports = st.lists(
    st.sampled_from([ContainerPort(80, Protocol.TCP, "web"), ContainerPort(53, Protocol.UDP, "dns")]),
    unique=True,
    max_size=2,
).map(tuple)


@st.composite
def _open_pod(draw: st.DrawFn, ns_index: int, pod_index: int) -> Pod:
    """A pod with an address (as the engine's strategies make them), one without (pending), or a
    workload's representative (no address, no node)."""
    namespace = ALL_NAMESPACES[ns_index]
    labels = draw(label_sets)
    ports = draw(_container_ports)
    shape = draw(st.sampled_from(["addressed", "addressless", "workload"]))
    # pods of one ReplicaSet form one workload endpoint (and a self-loop in the workload view)
    owner = draw(st.sampled_from([None, None, "rs"]))
    owner_kind = "ReplicaSet" if owner is not None else None
    if shape == "addressed":
        ip = ip_address(f"10.0.{ns_index + 1}.{pod_index + 1}")
        return Pod(namespace, f"p{pod_index}", labels, ports, (ip,), owner_kind=owner_kind, owner_name=owner)
    if shape == "addressless":
        return Pod(namespace, f"p{pod_index}", labels, ports, owner_kind=owner_kind, owner_name=owner)
    kind = draw(st.sampled_from(WORKLOAD_KINDS))
    replicas = draw(st.sampled_from([None, 1, 2, 3]))
    return Pod(namespace, f"w{pod_index}", labels, ports, kind=kind, replicas=replicas)


@st.composite
def open_clusters(
    draw: st.DrawFn,
    max_policies: int = 3,
    min_policies: int = 0,
    max_unevaluated: int = 1,
    nodes: bool = False,
) -> Cluster:
    """Three namespaces (``n1`` declared, ``n2`` usually, ``n3`` seldom) with 1-2, 0-2 and 0-2 pods,
    ``min_policies`` to ``max_policies`` NetworkPolicies and up to ``max_unevaluated`` policies of
    kinds netsim does not evaluate. With ``nodes``, addressed pods may sit on nodes, and a
    hostNetwork agent pod and a hostNetwork DaemonSet may join."""
    pods: list[Pod] = []
    for n in range(len(ALL_NAMESPACES)):
        for i in range(draw(st.integers(1 if n == 0 else 0, 2))):
            pods.append(draw(_open_pod(n, i)))
    if nodes and draw(st.booleans()):
        placed: list[Pod] = []
        for p in pods:
            if p.ips:
                node, host_ip = NODES[draw(st.integers(0, 1))]
                p = replace(p, node_name=node, host_ip=host_ip)
            placed.append(p)
        pods = placed
        if draw(st.booleans()):
            node, host_ip = NODES[draw(st.integers(0, 1))]
            ns = draw(st.sampled_from(ALL_NAMESPACES))
            if draw(st.booleans()):
                pods.append(Pod(ns, "agent", draw(label_sets), (), (host_ip,), True, node, host_ip))
            else:  # scheduled, without a status yet: its node is known, not its address
                pods.append(Pod(ns, "agent", draw(label_sets), (), (), True, node))
    if nodes and draw(st.booleans()):
        ns = draw(st.sampled_from(ALL_NAMESPACES))
        pods.append(Pod(ns, "ds", draw(label_sets), (), (), True, kind="DaemonSet", replicas=None))
    declared = (
        True,
        draw(st.sampled_from([True, True, True, False])),
        draw(st.sampled_from([True, False, False, False])),
    )
    namespaces = tuple(
        Namespace(n, Labels({**draw(label_sets), NAMESPACE_NAME_LABEL: n}))
        for n, d in zip(ALL_NAMESPACES, declared, strict=True)
        if d
    )
    count = draw(st.integers(min_policies, max_policies))
    pols = tuple(draw(open_policies(f"np{i}")) for i in range(count))
    foreign = tuple(draw(unevaluated_policies(f"u{i}")) for i in range(draw(st.integers(0, max_unevaluated))))
    return Cluster(namespaces, tuple(sorted(pods, key=lambda p: p.ref)), pols, foreign)


def open_endpoints(cluster: Cluster) -> list[Endpoint]:
    """Every pod of the cluster and the external addresses."""
    return [*cluster.pods, *OPEN_EXTERNALS]


@st.composite
def _address_in(draw: st.DrawFn, cidr: IPNetwork) -> IPAddress:
    """An address of ``cidr``: one of the pool's, an end, or any."""
    inside = [a for a in _POOL if a.version == cidr.version and a in cidr]
    ends = [cidr.network_address, cidr.broadcast_address]
    offset = st.integers(0, cidr.num_addresses - 1).map(lambda k: cidr.network_address + k)
    chosen: IPAddress = draw(st.sampled_from([*inside, *ends]) | offset)
    return chosen


@st.composite
def _pod_addresses(draw: st.DrawFn, pod_cidrs: tuple[IPNetwork, ...]) -> tuple[IPAddress, ...]:
    """Addresses of a pod of the pod network: one in a CIDR of each family listed; without a pod
    network, one or two anywhere."""
    if not pod_cidrs:
        v4: list[IPAddress] = [a for a in _POOL if a.version == 4]
        v6: list[IPAddress] = [a for a in _POOL if a.version == 6]
        shapes: list[tuple[list[IPAddress], ...]] = [(v4,), (v6,), (v4, v6)]
        family = draw(st.sampled_from(shapes))
        return tuple(draw(st.sampled_from(pool)) for pool in family)
    out: list[IPAddress] = []
    for version in sorted({c.version for c in pod_cidrs}):
        cidr = draw(st.sampled_from([c for c in pod_cidrs if c.version == version]))
        out.append(draw(_address_in(cidr)))
    return tuple(out)


#: Addresses a completion gives a hostNetwork pod without one: a node no other endpoint is on
#: (whether it shares a node with another pod is not one of the unknowns netsim tracks).
_HOST_ADDRESSES = tuple(ip_address(a) for a in ("192.168.0.9", "10.0.3.9", "172.16.0.9", "fd00:10::9", "10.0.1.9"))


@st.composite
def completions(draw: st.DrawFn, cluster: Cluster, options: Options) -> Cluster:
    """One world the cluster may describe: every pod without an address gets one (in the pod
    network when ``options`` gives one; a hostNetwork pod one of a node no other endpoint is on),
    and every namespace of a pod is declared with its name label and random others. Pods keep
    their refs; policies and unevaluated policies are kept as they are."""
    pods: list[Pod] = []
    for p in cluster.pods:
        if not p.addresses:
            if p.host_network:
                ips: tuple[IPAddress, ...] = (draw(st.sampled_from(_HOST_ADDRESSES)),)
            else:
                ips = draw(_pod_addresses(options.pod_cidrs))
            p = replace(p, ips=ips)
        pods.append(p)
    namespaces = list(cluster.namespaces)
    for name in sorted({p.namespace for p in cluster.pods}):
        if not cluster.namespace(name).declared:
            namespaces.append(Namespace(name, Labels({**draw(label_sets), NAMESPACE_NAME_LABEL: name})))
    return Cluster(tuple(namespaces), tuple(pods), cluster.policies, cluster.unevaluated)
