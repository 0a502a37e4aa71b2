"""The fast all-pairs path agrees with the engine on a realistic generated cluster.

benchmarks/generate.py makes a multi-team cluster of a few hundred pods (default-deny in most
namespaces, matchExpressions, named ports, endPort ranges, DNS egress, ipBlocks with except). The
reachability graph (:func:`netsim.graph.build_graph`, built on :func:`netsim.reach.compute_reachability`)
must then say exactly what :func:`netsim.engine.evaluate` says:

* every ordered pair of distinct pods: one ``evaluate`` call per pair (on a port of interest taken
  in rotation) whose verdict's full connection set, egress ∩ ingress, must equal the edge's
  ``conns`` — equal ConnSets agree on every port and protocol, not only the ports of interest —
  and whose single-port answer must equal ``edge.allows(port, protocol)``;
* a deterministic sample of pairs (every k-th allowed pair, every k-th denied pair, up to
  ``SAMPLE`` of each) against ``evaluate`` on *every* port of interest × TCP, UDP, SCTP: calling
  ``evaluate`` per port on all ~40,000 pairs would take minutes;
* every external range node, both sides, against every pod, with the range's representative
  address: the same two checks (full set on every pair, every port of interest on the sample);
* nothing else is in the graph, and the grouped graphs (what ``connections`` and ``graph
  --group-by namespace`` draw) are the aggregates of the pod graph.

Ports of interest: every port and endPort a policy mentions with its neighbours (the range
edges), every container port, and 1, 53, 443, 65535. Run with default options and with
``ipblock_matches_pods=False`` on the pod form of the cluster (201 pods), and on its workload form
(Deployments instead of Pods) with those and without egress to the own node.
"""

from __future__ import annotations

import importlib.util
import itertools
from ipaddress import ip_network
from pathlib import Path
from types import ModuleType

import networkx as nx
import pytest
import yaml

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate
from netsim.externals import external_ranges
from netsim.graph import GroupBy, aggregate, build_graph, grouped_graph
from netsim.loader import load_texts
from netsim.model import Cluster, Direction, Endpoint, External, IPAddress, Options, Pod, Protocol, Traffic
from netsim.verdict import Decision

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"
NAMESPACES, PODS_PER_NAMESPACE, POLICIES_PER_NAMESPACE, SEED = 10, 20, 8, 7
SAMPLE = 40  # pairs of each kind (allowed, denied) checked on every port of interest
EXTRA_PORTS = (1, 53, 443, 65535)

Probe = tuple[int, Protocol]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("netsim_benchmarks_generate", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _cluster(workloads: bool) -> Cluster:
    docs = list(_generator().generate(NAMESPACES, PODS_PER_NAMESPACE, POLICIES_PER_NAMESPACE, SEED, workloads))
    text = yaml.dump_all(docs, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
    return load_texts({"generated.yaml": text}).cluster


@pytest.fixture(scope="module")
def pods_cluster() -> Cluster:
    return _cluster(workloads=False)


@pytest.fixture(scope="module")
def workloads_cluster() -> Cluster:
    return _cluster(workloads=True)


def _probes(cluster: Cluster) -> list[Probe]:
    """Ports of interest on every protocol."""
    numbers: set[int] = set(EXTRA_PORTS)
    for pol in cluster.policies:
        for rule in (*pol.ingress, *pol.egress):
            for spec in rule.ports:
                if isinstance(spec.port, int):
                    numbers.update((spec.port - 1, spec.port, spec.port + 1))
                if spec.end_port is not None:
                    numbers.update((spec.end_port - 1, spec.end_port, spec.end_port + 1))
    for pod in cluster.pods:
        numbers.update(p.port for p in pod.ports)
    return [(n, proto) for n in sorted(x for x in numbers if 1 <= x <= 65535) for proto in Protocol]


def _edge(graph: nx.DiGraph, source: str, destination: str) -> tuple[ConnSet, ConnSet]:  # type: ignore[type-arg]
    """An edge's connections: (allowed for certain, undetermined)."""
    if graph.has_edge(source, destination):
        data = graph.edges[source, destination]
        conns: ConnSet = data["conns"]
        undetermined: ConnSet = data.get("undetermined", ConnSet.none())
        assert conns or undetermined, f"an edge with no connections: {source} -> {destination}"
        assert not conns & undetermined, f"connections both decided and undetermined: {source} -> {destination}"
        return conns, undetermined
    return ConnSet.none(), ConnSet.none()


def _decision(edge: ConnSet, undetermined: ConnSet, number: int, proto: Protocol) -> Decision:
    if edge.allows(number, proto):
        return Decision.ALLOWED
    return Decision.UNDETERMINED if undetermined.allows(number, proto) else Decision.DENIED


Checked = tuple[Endpoint, Endpoint, str, str, ConnSet]  # source, destination, their graph keys, the edge


def _every_kth(items: list[Checked], count: int) -> list[Checked]:
    return items[:: max(1, len(items) // count)][:count]


def _check(cluster: Cluster, options: Options) -> None:
    index = PolicyIndex(cluster, options)
    graph = build_graph(index)
    probes = _probes(cluster)
    pods = cluster.pods
    avoid: frozenset[IPAddress] = frozenset(
        ip for p in pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip is not None else ()))
    )
    out_ranges = external_ranges(cluster, Direction.EGRESS, options=options)
    in_ranges = external_ranges(cluster, Direction.INGRESS, options=options)
    assert {p.ref for p in pods} | {r.label for r in (*out_ranges, *in_ranges)} == set(graph.nodes)

    # (source, destination, graph key of source, graph key of destination) for every pair checked
    pairs: list[tuple[Endpoint, Endpoint, str, str]] = [
        (src, dst, src.ref, dst.ref) for src, dst in itertools.permutations(pods, 2)
    ]
    if options.replica_traffic:  # one replica of a workload to another
        pairs.extend((p, p, p.ref, p.ref) for p in pods if p.is_replicated)
    for rng in out_ranges:
        rep = External(rng.representative(avoid))
        pairs.extend((src, rep, src.ref, rng.label) for src in pods)
    for rng in in_ranges:
        rep = External(rng.representative(avoid))
        pairs.extend((rep, dst, rng.label, dst.ref) for dst in pods)

    allowed: list[Checked] = []
    denied: list[Checked] = []
    undecided = undecided_only = 0
    for i, (src, dst, skey, dkey) in enumerate(pairs):
        edge, undetermined = _edge(graph, skey, dkey)
        number, proto = probes[i % len(probes)]
        verdict = evaluate(index, Traffic(src, dst, number, proto))
        assert verdict.egress.conns & verdict.ingress.conns == edge, f"{skey} -> {dkey}: edge {edge}"
        possible = verdict.egress.possible & verdict.ingress.possible
        assert possible - edge == undetermined, f"{skey} -> {dkey}: undetermined {undetermined}"
        assert verdict.decision == _decision(edge, undetermined, number, proto), f"{skey} -> {dkey} {number}/{proto}"
        (allowed if edge else denied).append((src, dst, skey, dkey, edge))
        undecided += bool(undetermined)
        undecided_only += bool(undetermined and not edge)
    # every edge was one of the pairs above: nothing between ranges, no pod to itself
    assert graph.number_of_edges() == len(allowed) + undecided_only
    # the cluster exercises every kind of edge, and isolation
    assert any(isinstance(c[0], External) for c in allowed), "no edge from an external range"
    assert any(isinstance(c[1], External) for c in allowed), "no edge to an external range"
    assert any(
        isinstance(src, Pod) and isinstance(dst, Pod) and src.namespace != dst.namespace for src, dst, *_ in allowed
    ), "no edge across namespaces"
    assert denied

    for src, dst, skey, dkey, edge in (*_every_kth(allowed, SAMPLE), *_every_kth(denied, SAMPLE)):
        for number, proto in probes:
            verdict = evaluate(index, Traffic(src, dst, number, proto))
            assert verdict.allowed == edge.allows(number, proto), f"{skey} -> {dkey} {number}/{proto}: edge {edge}"
    # templates without an IP against ipBlocks leave answers open, unless the pod network settles them
    settled = options.closed_world or options.pod_cidrs or not options.ipblock_matches_pods
    assert bool(undecided) == (not settled and any(not p.addresses for p in pods)), undecided

    # the views the CLI prints are aggregates of this graph
    for by in (GroupBy.WORKLOAD, GroupBy.NAMESPACE):
        fast = grouped_graph(index, by)
        slow = aggregate(graph, by, replicas=options.replica_traffic)
        assert {k: d["info"] for k, d in fast.nodes(data=True)} == {k: d["info"] for k, d in slow.nodes(data=True)}
        edges_fast = {
            (s, d): (data["conns"], data["pairs"], data.get("undetermined")) for s, d, data in fast.edges(data=True)
        }
        edges_slow = {
            (s, d): (data["conns"], data["pairs"], data.get("undetermined")) for s, d, data in slow.edges(data=True)
        }
        assert edges_fast == edges_slow, by


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(Options(), id="defaults"),
        pytest.param(Options(ipblock_matches_pods=False), id="no-ipblock-pods"),
    ],
)
def test_pods_cluster_agrees_with_evaluate(pods_cluster: Cluster, options: Options) -> None:
    _check(pods_cluster, options)


@pytest.mark.parametrize(
    "options",
    [
        pytest.param(Options(), id="defaults"),
        pytest.param(Options(ipblock_matches_pods=False), id="no-ipblock-pods"),
        pytest.param(Options(egress_to_own_node=False), id="no-egress-to-own-node"),
        pytest.param(Options(pod_cidrs=(ip_network("10.0.0.0/8"),)), id="pod-cidr-10/8"),
        pytest.param(Options(pod_cidrs=(ip_network("172.16.0.0/12"),)), id="pod-cidr-172.16/12"),
        pytest.param(Options(closed_world=True), id="closed-world"),
        pytest.param(Options(replica_traffic=False), id="no-replica-traffic"),
    ],
)
def test_workloads_cluster_agrees_with_evaluate(workloads_cluster: Cluster, options: Options) -> None:
    _check(workloads_cluster, options)
