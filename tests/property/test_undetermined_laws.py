"""Laws of the three-valued answers ("never confidently wrong"), checked on random clusters that
leave facts open (tests/property/open_world_strategies.py).

Every answer has a certain part (``conns``: allowed whatever the unknowns are) and a possible part
(``possible``: allowed for some of them). The laws: the graph and the matrix say what the engine
says on both parts; certain is within possible and the decision follows from the two; a world the
input may describe (a *completion*) never contradicts a decided answer; nothing is open once the
world is closed; with no policy everything is allowed; an allow rule only adds; and a policy of a
kind netsim does not evaluate only makes answers about the pods it may select undetermined.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from ipaddress import ip_address

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.externals import ExternalRange, external_ranges
from netsim.graph import GroupBy, aggregate, build_graph, grouped_graph
from netsim.match.selectors import matches_selector
from netsim.matrix import build_matrix
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    External,
    IPAddress,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Options,
    Pod,
    PodPeer,
    Protocol,
    Requirement,
    Rule,
    Traffic,
    UnevaluatedPolicy,
    UnknownKind,
)
from netsim.verdict import Decision, DirectionVerdict, PairVerdict
from tests.property.open_world_strategies import (
    completions,
    open_clusters,
    open_endpoints,
    open_options,
    open_rules,
    unevaluated_policies,
)
from tests.property.strategies import PORTS, probe_ports, protocols

pytestmark = pytest.mark.property

LAWS = settings(max_examples=100, deadline=None)
GRAPH_LAWS = settings(max_examples=60, deadline=None)

#: Ports probed one at a time: the pool's ports, their neighbours and the ends, on every protocol.
PROBES = [(number, proto) for number in (*PORTS, 1, 54, 82, 65535) for proto in Protocol]
#: The ports the matrix is built for.
MATRIX_PROBES = [(80, Protocol.TCP), (53, Protocol.UDP), (82, Protocol.SCTP)]

Pairs = dict[tuple[str, str], PairVerdict]

# Minimal counterexamples the laws found, pinned so that a derandomised run meets them too.
NOT_IN = Requirement("app", "NotIn", ("a",))
DOES_NOT_EXIST = Requirement("app", "DoesNotExist")


def _excluding_selector_cluster(requirement: Requirement) -> Cluster:
    """n1/p0 admits, for ingress, every pod of the namespaces a selector on ``app`` alone selects;
    n3/p0's namespace has no manifest (only its name label is known)."""
    admit = Rule((PodPeer(LabelSelector(Labels(), (requirement,)), None),))
    return Cluster(
        (Namespace("n1", Labels({NAMESPACE_NAME_LABEL: "n1"})),),
        (Pod("n1", "p0", ips=(ip_address("10.0.1.1"),)), Pod("n3", "p0", ips=(ip_address("10.0.3.1"),))),
        (NetworkPolicy("n1", "np0", LabelSelector(), frozenset({Direction.INGRESS}), (admit,)),),
    )


#: A hostNetwork DaemonSet alone in its class: one replica to another is node-to-node traffic.
HOST_NETWORK_DAEMONSET = Cluster((), (Pod("n1", "ds", host_network=True, kind="DaemonSet", replicas=None),))


def _without_unknown_policies(cluster: Cluster, options: Options) -> Cluster:
    """The cluster, without its unevaluated policies unless the options ignore them anyway."""
    return cluster if options.ignore_unevaluated else dataclasses.replace(cluster, unevaluated=())


def _endpoint_pairs(cluster: Cluster) -> Iterator[tuple[Endpoint, Endpoint]]:
    """Every ordered pair of endpoints with a pod at one end at least, a pod with itself included
    (one replica to another, when it stands for replicas; else the exempt pod-to-itself)."""
    eps = open_endpoints(cluster)
    for src in eps:
        for dst in eps:
            if isinstance(src, Pod) or isinstance(dst, Pod):
                yield src, dst


def _pairs(index: PolicyIndex) -> Pairs:
    return {(s.ref, d.ref): evaluate_pair(index, s, d) for s, d in _endpoint_pairs(index.cluster)}


def _probe(key: tuple[str, str]) -> tuple[int, Protocol]:
    """A probe port for a pair, in rotation (deterministic, so a failure replays)."""
    return PROBES[sum(map(len, key)) % len(PROBES)]


# --- graph = engine, on both parts ---------------------------------------------------------------


def _avoid(cluster: Cluster) -> frozenset[IPAddress]:
    return frozenset(ip for p in cluster.pods for ip in (*p.ips, *p.node_addresses))


def _addresses(rng: ExternalRange, avoid: frozenset[IPAddress]) -> Iterator[IPAddress]:
    """The range's representative and its two ends, when they belong to no pod or node."""
    yield rng.representative(avoid)
    for ip in (rng.first, rng.last):
        if ip not in avoid:
            yield ip


def _edge(graph: nx.DiGraph, source: str, destination: str) -> tuple[ConnSet, ConnSet]:  # type: ignore[type-arg]
    """(allowed for certain, undetermined) on the edge; nothing when there is no edge."""
    if not graph.has_edge(source, destination):
        return ConnSet.none(), ConnSet.none()
    data = graph.edges[source, destination]
    conns: ConnSet = data["conns"]
    undetermined: ConnSet = data.get("undetermined", ConnSet.none())
    assert conns or undetermined, f"an edge with no connections: {source} -> {destination}"
    assert "undetermined" not in data or undetermined, f"an empty undetermined set: {source} -> {destination}"
    assert not conns & undetermined, f"connections both certain and undetermined: {source} -> {destination}"
    return conns, undetermined


def _decision(conns: ConnSet, undetermined: ConnSet, number: int, proto: Protocol) -> Decision:
    if conns.allows(number, proto):
        return Decision.ALLOWED
    return Decision.UNDETERMINED if undetermined.allows(number, proto) else Decision.DENIED


def _check_edge(
    index: PolicyIndex,
    graph: nx.DiGraph,  # type: ignore[type-arg]
    src: Endpoint,
    dst: Endpoint,
    skey: str,
    dkey: str,
    what: str,
) -> None:
    conns, undetermined = _edge(graph, skey, dkey)
    pair = evaluate_pair(index, src, dst)
    assert conns == pair.conns, f"{what}: certain {conns} != {pair.conns}"
    assert undetermined == pair.possible - pair.conns, f"{what}: undetermined {undetermined} != {pair.undetermined}"
    number, proto = _probe((skey, dkey))
    verdict = evaluate(index, Traffic(src, dst, number, proto))
    assert verdict.decision == _decision(conns, undetermined, number, proto), f"{what} {number}/{proto}"


def _check_graph(cluster: Cluster, opts: Options) -> None:
    index = PolicyIndex(cluster, opts)
    graph = build_graph(index)
    pods = cluster.pods
    replicated = {p.ref for p in pods if opts.replica_traffic and p.is_replicated}
    assert {p.ref for p in pods} <= set(graph.nodes)
    # a pod has an edge to itself only when it stands for replicas that may talk to each other
    assert {s for s, d in graph.edges if s == d} <= replicated

    for src in pods:
        for dst in pods:
            if src is dst and src.ref not in replicated:
                continue
            _check_edge(index, graph, src, dst, src.ref, dst.ref, f"{src} -> {dst}")

    avoid = _avoid(cluster)
    for rng in external_ranges(cluster, Direction.EGRESS, options=opts):
        for src in pods:
            for ip in _addresses(rng, avoid):
                _check_edge(index, graph, src, External(ip), src.ref, rng.label, f"{src} -> {ip} in {rng}")
    for rng in external_ranges(cluster, Direction.INGRESS, options=opts):
        for dst in pods:
            for ip in _addresses(rng, avoid):
                _check_edge(index, graph, External(ip), dst, rng.label, dst.ref, f"{ip} in {rng} -> {dst}")

    # nothing else: every edge is between pods or between a pod and a range of the right side
    ranges_out = {r.label for r in external_ranges(cluster, Direction.EGRESS, options=opts)}
    ranges_in = {r.label for r in external_ranges(cluster, Direction.INGRESS, options=opts)}
    refs = {p.ref for p in pods}
    for s, d in graph.edges:
        assert (s in refs and (d in refs or d in ranges_out)) or (s in ranges_in and d in refs), (s, d)

    # the matrix: every cell, the diagonal included, is evaluate's decision
    for number, proto in MATRIX_PROBES:
        matrix = build_matrix(index, number, proto)
        assert matrix.replicated == frozenset(replicated)
        for src in pods:
            for dst in pods:
                expected = evaluate(index, Traffic(src, dst, number, proto)).decision
                assert matrix.decision(src.ref, dst.ref) == expected, f"{src} -> {dst} {number}/{proto}"


def _edges(graph: nx.DiGraph) -> dict[tuple[str, str], tuple[ConnSet, int, ConnSet | None]]:  # type: ignore[type-arg]
    return {(s, d): (data["conns"], data["pairs"], data.get("undetermined")) for s, d, data in graph.edges(data=True)}


class TestGraphIsTheEngineOnThreeValues:
    """An edge carries what evaluate_pair allows for certain (``conns``) and what it may allow
    beyond that (``undetermined``); a matrix cell is evaluate's decision."""

    @GRAPH_LAWS
    @given(open_clusters(nodes=True), open_options())
    def test_edges_and_cells(self, cluster: Cluster, opts: Options) -> None:
        _check_graph(cluster, opts)

    @pytest.mark.parametrize(
        "cluster",
        [
            pytest.param(_excluding_selector_cluster(NOT_IN), id="namespace-without-manifest-NotIn"),
            pytest.param(_excluding_selector_cluster(DOES_NOT_EXIST), id="namespace-without-manifest-DoesNotExist"),
            pytest.param(HOST_NETWORK_DAEMONSET, id="host-network-daemonset-replicas"),
        ],
    )
    def test_counterexamples_found(self, cluster: Cluster) -> None:
        """Minimal clusters the law failed on (with default options)."""
        _check_graph(cluster, Options())

    @GRAPH_LAWS
    @given(open_clusters(nodes=True), open_options())
    def test_grouped_graph_is_the_aggregate(self, cluster: Cluster, opts: Options) -> None:
        index = PolicyIndex(cluster, opts)
        pod_graph = build_graph(index)
        for by in GroupBy:
            fast = grouped_graph(index, by)
            slow = aggregate(pod_graph, by, replicas=opts.replica_traffic)
            fast_nodes = {k: d["info"] for k, d in fast.nodes(data=True)}
            assert fast_nodes == {k: d["info"] for k, d in slow.nodes(data=True)}, by
            assert _edges(fast) == _edges(slow), by


# --- certain within possible; the decision ---------------------------------------------------------


def _check_side(side: DirectionVerdict) -> None:
    assert not side.conns - side.possible, f"{side.direction} at {side.subject}: certain beyond possible"


class TestCertainWithinPossible:
    """What is allowed for certain may be allowed; a connection is allowed when allowed for
    certain, denied when it cannot be allowed, and undetermined (naming why) otherwise."""

    @LAWS
    @given(open_clusters(), open_options(), probe_ports, protocols)
    def test_decision_follows_the_two_sets(self, cluster: Cluster, opts: Options, number: int, proto: Protocol) -> None:
        index = PolicyIndex(cluster, opts)
        foreign = {p.ref for p in cluster.unevaluated}
        for src, dst in _endpoint_pairs(cluster):
            pair = evaluate_pair(index, src, dst)
            _check_side(pair.egress)
            _check_side(pair.ingress)
            assert not pair.conns - pair.possible, f"{src} -> {dst}"
            assert bool(pair.unknowns()) == bool(pair.undetermined), f"{src} -> {dst}"
            verdict = evaluate(index, Traffic(src, dst, number, proto))
            explained = PairVerdict(src, dst, verdict.egress, verdict.ingress)
            assert (explained.conns, explained.possible) == (pair.conns, pair.possible), "explain changed the answer"
            decision = verdict.decision
            assert (decision is Decision.ALLOWED) == pair.conns.allows(number, proto), f"{src} -> {dst}"
            assert (decision is Decision.DENIED) == (not pair.possible.allows(number, proto)), f"{src} -> {dst}"
            assert verdict.allowed == (decision is Decision.ALLOWED)
            unknowns = verdict.unknowns()
            assert bool(unknowns) == (decision is Decision.UNDETERMINED), f"{src} -> {dst}: {unknowns}"
            for unknown in unknowns:  # each names a fact the input leaves open
                if unknown.kind is UnknownKind.POLICY:
                    assert not opts.ignore_unevaluated
                    assert unknown.about in foreign
                    continue
                assert not opts.closed_world, unknown
                if unknown.kind is UnknownKind.ADDRESS:
                    about = cluster.pod(unknown.about)
                    assert about is not None, unknown
                    assert not about.addresses, unknown
                else:
                    name = unknown.about.removeprefix("namespace ")
                    assert not cluster.namespace(name).declared, unknown


# --- soundness: a completion never contradicts a decided answer --------------------------------------


def _check_completion(cluster: Cluster, complete: Cluster, opts: Options) -> None:
    """Every answer decided for ``cluster`` holds in ``complete``, which decides everything."""
    before, after = PolicyIndex(cluster, opts), PolicyIndex(complete, opts)
    by_ref: dict[str, Endpoint] = {e.ref: e for e in open_endpoints(complete)}
    for src, dst in _endpoint_pairs(cluster):
        old = evaluate_pair(before, src, dst)
        new = evaluate_pair(after, by_ref[src.ref], by_ref[dst.ref])
        what = f"{src} -> {dst}"
        assert new.conns == new.possible, f"{what}: undetermined in a complete world: {new.undetermined}"
        assert not old.conns - new.conns, (
            f"{what}: allowed for certain, denied in a completion: {old.conns - new.conns}"
        )
        assert not new.conns - old.possible, f"{what}: denied, allowed in a completion: {new.conns - old.possible}"
        for number, proto in PROBES[::7]:
            was = evaluate(before, Traffic(src, dst, number, proto)).decision
            now = evaluate(after, Traffic(by_ref[src.ref], by_ref[dst.ref], number, proto)).decision
            assert now is not Decision.UNDETERMINED, f"{what} {number}/{proto}"
            if was is not Decision.UNDETERMINED:
                assert now is was, f"{what} {number}/{proto}: {was} in the input, {now} in a completion"


class TestNeverConfidentlyWrong:
    """Whatever the input leaves open turns out to be, an answer netsim decided stays: allowed for
    certain is allowed, denied is denied. A *completion* gives every pod without an address one
    (in the pod network, when the options name it) and every namespace without a manifest one
    with random labels; it decides everything."""

    @LAWS
    @given(open_clusters(nodes=True), open_options(closed_world=False), st.data())
    def test_completions_agree_with_decided_answers(self, cluster: Cluster, opts: Options, data: st.DataObject) -> None:
        cluster = _without_unknown_policies(cluster, opts)
        _check_completion(cluster, data.draw(completions(cluster, opts), label="completion"), opts)

    @pytest.mark.parametrize("requirement", [NOT_IN, DOES_NOT_EXIST], ids=str)
    def test_a_namespace_without_manifest_may_have_the_label_a_selector_excludes(
        self, requirement: Requirement
    ) -> None:
        """The minimal counterexample the law found: ``n3`` has no manifest, so it may carry
        ``app=a``; a namespaceSelector ``app NotIn (a)`` (or ``app DoesNotExist``) may then not
        select it, and ``n3/p0 -> n1/p0`` is not allowed for certain."""
        cluster = _excluding_selector_cluster(requirement)
        labelled = Namespace("n3", Labels({NAMESPACE_NAME_LABEL: "n3", "app": "a"}))
        complete = dataclasses.replace(cluster, namespaces=(*cluster.namespaces, labelled))
        _check_completion(cluster, complete, Options())


# --- closed world; no policies ------------------------------------------------------------------------


class TestClosedWorldDecides:
    """With absent facts taken as absent and unevaluated kinds out of the way, nothing is undetermined."""

    @LAWS
    @given(open_clusters(nodes=True), open_options(closed_world=True), probe_ports, protocols)
    def test_no_undetermined_answer(self, cluster: Cluster, opts: Options, number: int, proto: Protocol) -> None:
        cluster = _without_unknown_policies(cluster, opts)
        index = PolicyIndex(cluster, opts)
        for src, dst in _endpoint_pairs(cluster):
            pair = evaluate_pair(index, src, dst)
            assert pair.conns == pair.possible, f"{src} -> {dst}: {pair.undetermined}"
            assert not pair.unknowns()
            assert evaluate(index, Traffic(src, dst, number, proto)).decision is not Decision.UNDETERMINED
        graph = build_graph(index)
        assert not [(s, d) for s, d, data in graph.edges(data=True) if "undetermined" in data]
        assert not build_matrix(index, number, proto).undetermined


class TestNoPoliciesEverythingAllowed:
    """No NetworkPolicy and nothing unevaluated: every pair is allowed for certain, pods without an
    address and namespaces without a manifest included."""

    @LAWS
    @given(open_clusters(max_policies=0, nodes=True), open_options(), probe_ports, protocols)
    def test_everything_allowed(self, cluster: Cluster, opts: Options, number: int, proto: Protocol) -> None:
        cluster = _without_unknown_policies(cluster, opts)
        index = PolicyIndex(cluster, opts)
        for src, dst in _endpoint_pairs(cluster):
            pair = evaluate_pair(index, src, dst)
            assert pair.conns.is_all(), f"{src} -> {dst}"
            assert pair.possible.is_all(), f"{src} -> {dst}"
            assert evaluate(index, Traffic(src, dst, number, proto)).decision is Decision.ALLOWED
        graph = build_graph(index)
        for s, d, data in graph.edges(data=True):
            assert data["conns"].is_all(), (s, d)
            assert "undetermined" not in data, (s, d)


# --- monotonicity -------------------------------------------------------------------------------------


def _with_rule(pol: NetworkPolicy, new: Rule, direction: Direction) -> NetworkPolicy:
    if direction is Direction.INGRESS:
        return dataclasses.replace(pol, ingress=(*pol.ingress, new))
    return dataclasses.replace(pol, egress=(*pol.egress, new))


class TestAdditivity:
    """Policies are additive: an allow rule never removes a connection, certain or possible."""

    @LAWS
    @given(open_clusters(min_policies=1), open_options(), open_rules, st.sampled_from(list(Direction)), st.data())
    def test_adding_a_rule_never_removes_a_connection(
        self, cluster: Cluster, opts: Options, new: Rule, direction: Direction, data: st.DataObject
    ) -> None:
        i = data.draw(st.integers(0, len(cluster.policies) - 1))
        changed = list(cluster.policies)
        changed[i] = _with_rule(changed[i], new, direction)
        before = _pairs(PolicyIndex(cluster, opts))
        after = _pairs(PolicyIndex(dataclasses.replace(cluster, policies=tuple(changed)), opts))
        for key, old in before.items():
            assert not old.conns - after[key].conns, key
            assert not old.possible - after[key].possible, key


def _cannot_select(
    policy: UnevaluatedPolicy, subject: Endpoint, direction: Direction, cluster: Cluster, opts: Options
) -> bool:
    """True when ``policy`` certainly does not select ``subject`` for ``direction``: another
    direction or namespace, or a selection none of whose items can match (computed here from the
    selectors, not with netsim's own ``peer_state``)."""
    if not isinstance(subject, Pod) or opts.ignore_unevaluated or direction not in policy.directions:
        return True
    if policy.namespace is not None and policy.namespace != subject.namespace:
        return True
    if policy.selects is None:
        return False
    if opts.is_node_traffic(subject):  # selectors of pods never select hostNetwork pods
        return True
    namespace = cluster.namespace(subject.namespace)
    for peer in policy.selects:
        if peer.pod_selector is not None and not matches_selector(peer.pod_selector, subject.labels):
            continue
        known = namespace.declared or opts.closed_world
        if (
            peer.namespace_selector is not None
            and known
            and not matches_selector(peer.namespace_selector, namespace.labels)
        ):
            continue
        return False  # this item may select the subject
    return True


class TestUnevaluatedPolicyOnlyWidensTheUndetermined:
    """A policy of a kind netsim does not evaluate may allow or deny anything about the pods it may
    select: it never adds a certain connection nor removes a possible one (so an undetermined
    answer stays undetermined), and answers about pods it cannot select do not change at all."""

    @LAWS
    @given(open_clusters(), open_options(), unevaluated_policies("added"), st.data())
    def test_adding_one(self, cluster: Cluster, opts: Options, added: UnevaluatedPolicy, data: st.DataObject) -> None:
        grown = dataclasses.replace(cluster, unevaluated=(*cluster.unevaluated, added))
        before = _pairs(PolicyIndex(cluster, opts))
        after = _pairs(PolicyIndex(grown, opts))
        for (s, d), old in before.items():
            new = after[(s, d)]
            assert not new.conns - old.conns, f"{s} -> {d}: certain connections added"
            assert not old.possible - new.possible, f"{s} -> {d}: possible connections removed"
            number, proto = _probe((s, d))
            if old.conns.allows(number, proto) is False and old.possible.allows(number, proto):
                assert not new.conns.allows(number, proto)
                assert new.possible.allows(number, proto), f"{s} -> {d} {number}/{proto}: no longer undetermined"
            for side_old, side_new in ((old.egress, new.egress), (old.ingress, new.ingress)):
                if _cannot_select(added, side_old.subject, side_old.direction, cluster, opts):
                    assert side_new.conns == side_old.conns, f"{s} -> {d}: {side_old.direction} changed"
                    assert side_new.possible == side_old.possible, f"{s} -> {d}: {side_old.direction} changed"
                    assert added not in side_new.unevaluated
            if opts.ignore_unevaluated:
                assert (new.conns, new.possible) == (old.conns, old.possible), f"{s} -> {d}"
