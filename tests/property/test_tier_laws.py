"""Laws of the cluster-scoped tiers (ClusterNetworkPolicy, AdminNetworkPolicy,
BaselineAdminNetworkPolicy) on generated clusters that mix them with NetworkPolicies, pods
without addresses, namespaces without manifests and Nodes:

* the graph (the fast path) and the matrix agree with the engine on three values, and so does
  what the graph says each tier accepts;
* a cluster policy with no rules changes nothing;
* an Admin Deny never adds a connection (certain or possible);
* a Pass of everything at the top of the Admin tier is as if the Admin tier were absent.
"""

from __future__ import annotations

from dataclasses import replace
from ipaddress import ip_network

from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.externals import external_ranges
from netsim.graph import GroupBy, grouped_graph
from netsim.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterPort,
    ClusterRule,
    Direction,
    DomainNamesPeer,
    Endpoint,
    External,
    IPBlockPeer,
    LabelSelector,
    Node,
    NodesPeer,
    Options,
    PodPeer,
    Protocol,
    Tier,
)
from tests.property.graph_strategies import NODES
from tests.property.open_world_strategies import (
    completions,
    open_clusters,
    open_endpoints,
    open_namespace_selectors,
    open_options,
)
from tests.property.strategies import label_sets, selectors
from tests.property.test_undetermined_laws import _addresses, _avoid, _check_completion, _check_graph

LAWS = settings(max_examples=60, deadline=None)

BLOCKS = (
    IPBlockPeer(ip_network("0.0.0.0/0")),
    IPBlockPeer(ip_network("10.0.0.0/16")),
    IPBlockPeer(ip_network("10.0.1.0/24")),
    IPBlockPeer(ip_network("192.168.0.0/30")),
    IPBlockPeer(ip_network("fd00::/8")),
)

subjects = st.builds(PodPeer, open_namespace_selectors, st.none() | selectors)

cluster_peers: st.SearchStrategy[ClusterPeer] = st.one_of(
    subjects,
    st.sampled_from(BLOCKS).map(lambda b: replace(b)),
    label_sets.map(lambda labels: NodesPeer(LabelSelector(labels))),
    st.sampled_from([("example.com",), ("db.shop.svc.cluster.local",)]).map(DomainNamesPeer),
)

cluster_ports = st.one_of(
    st.builds(ClusterPort, st.sampled_from(list(Protocol)), st.sampled_from([53, 80, 443])),
    st.builds(ClusterPort, st.just(Protocol.TCP), st.just(80), st.just(443)),
    st.builds(ClusterPort, st.none(), st.sampled_from(["http", "dns"])),
)

cluster_rules = st.builds(
    ClusterRule,
    st.sampled_from(list(Action)),
    st.lists(cluster_peers, min_size=1, max_size=2).map(tuple),
    st.none() | st.lists(cluster_ports, min_size=1, max_size=2).map(tuple),
)


@st.composite
def cluster_policies(draw: st.DrawFn, name: str) -> ClusterNetworkPolicy:
    return ClusterNetworkPolicy(
        "ClusterNetworkPolicy",
        name,
        draw(st.sampled_from(list(Tier))),
        draw(st.integers(1, 4)),  # few priorities: ties are common (either order may apply)
        draw(subjects),
        tuple(draw(st.lists(cluster_rules, max_size=2))),
        tuple(draw(st.lists(cluster_rules, max_size=2))),
    )


@st.composite
def tiered_clusters(draw: st.DrawFn) -> Cluster:
    base = draw(open_clusters(max_policies=2, max_unevaluated=0, nodes=True))
    tiers = tuple(draw(cluster_policies(f"cnp{i}")) for i in range(draw(st.integers(1, 3))))
    nodes = tuple(Node(name, draw(label_sets), (ip,)) for name, ip in NODES if draw(st.booleans()))
    return replace(base, cluster_policies=tiers, nodes=nodes)


def _pairs(cluster: Cluster) -> list[tuple[Endpoint, Endpoint]]:
    eps = open_endpoints(cluster)
    return [(a, b) for a in eps for b in eps if a is not b]


class TestTiers:
    @LAWS
    @given(tiered_clusters(), open_options(), st.booleans())
    def test_graph_and_matrix_are_the_engine(self, cluster: Cluster, opts: Options, per_pod: bool) -> None:
        _check_graph(cluster, replace(opts, networkpolicy_tier_per_pod=per_pod))

    @LAWS
    @given(tiered_clusters(), open_options(), st.booleans())
    def test_the_deciding_tier_in_pictures_is_the_engine(self, cluster: Cluster, opts: Options, per_pod: bool) -> None:
        """What the graph says a tier accepts on each edge (pods and external ranges) is what
        evaluate_pair says for that pair, and part of what the edge allows for certain."""
        opts = replace(opts, networkpolicy_tier_per_pod=per_pod)
        index = PolicyIndex(cluster, opts)
        graph = grouped_graph(index, GroupBy.POD, attribute=True)
        avoid = _avoid(cluster)
        pairs: list[tuple[Endpoint, Endpoint, str, str]] = [
            (a, b, a.ref, b.ref) for a in cluster.pods for b in cluster.pods if a is not b
        ]
        for rng in external_ranges(cluster, Direction.EGRESS, options=opts):
            pairs += [(p, External(ip), p.ref, rng.label) for p in cluster.pods for ip in _addresses(rng, avoid)]
        for rng in external_ranges(cluster, Direction.INGRESS, options=opts):
            pairs += [(External(ip), p, rng.label, p.ref) for p in cluster.pods for ip in _addresses(rng, avoid)]
        for src, dst, skey, dkey in pairs:
            data = graph.edges[skey, dkey] if graph.has_edge(skey, dkey) else {}
            verdict = evaluate_pair(index, src, dst)
            for tier in Tier:
                got = data.get(tier.value.lower(), ConnSet.none())
                assert got == verdict.accepted(tier), (src, dst, tier)
                assert not got - verdict.conns, (src, dst, tier)

    @LAWS
    @given(tiered_clusters(), open_options(), subjects)
    def test_a_policy_without_rules_changes_nothing(self, cluster: Cluster, opts: Options, subject: PodPeer) -> None:
        empty = ClusterNetworkPolicy("ClusterNetworkPolicy", "empty", Tier.ADMIN, 0, subject)
        before, after = (
            PolicyIndex(cluster, opts),
            PolicyIndex(replace(cluster, cluster_policies=(*cluster.cluster_policies, empty)), opts),
        )
        for src, dst in _pairs(cluster):
            a, b = evaluate_pair(before, src, dst), evaluate_pair(after, src, dst)
            assert (a.conns, a.possible) == (b.conns, b.possible), (src, dst)

    @LAWS
    @given(tiered_clusters(), open_options(), cluster_rules, subjects)
    def test_an_admin_deny_never_adds_a_connection(
        self, cluster: Cluster, opts: Options, rule: ClusterRule, subject: PodPeer
    ) -> None:
        deny = ClusterNetworkPolicy(
            "ClusterNetworkPolicy",
            "deny",
            Tier.ADMIN,
            0,
            subject,
            (replace(rule, action=Action.DENY),),
            (replace(rule, action=Action.DENY),),
        )
        before = PolicyIndex(cluster, opts)
        after = PolicyIndex(replace(cluster, cluster_policies=(deny, *cluster.cluster_policies)), opts)
        for src, dst in _pairs(cluster):
            a, b = evaluate_pair(before, src, dst), evaluate_pair(after, src, dst)
            assert not b.conns - a.conns, (src, dst)
            assert not b.possible - a.possible, (src, dst)

    @LAWS
    @given(tiered_clusters(), open_options())
    def test_a_pass_of_everything_first_is_no_admin_tier(self, cluster: Cluster, opts: Options) -> None:
        everyone = PodPeer(LabelSelector(), None)
        anything = (everyone, IPBlockPeer(ip_network("0.0.0.0/0")), IPBlockPeer(ip_network("::/0")))
        pass_all = ClusterRule(Action.PASS, anything)
        # priority 0 comes before every generated policy (1 to 4)
        first = ClusterNetworkPolicy("ClusterNetworkPolicy", "aaa", Tier.ADMIN, 0, everyone, (pass_all,), (pass_all,))
        baseline_only = tuple(p for p in cluster.cluster_policies if p.tier is Tier.BASELINE)
        passed = PolicyIndex(replace(cluster, cluster_policies=(first, *cluster.cluster_policies)), opts)
        without = PolicyIndex(replace(cluster, cluster_policies=baseline_only), opts)
        for src, dst in _pairs(cluster):
            a, b = evaluate_pair(passed, src, dst), evaluate_pair(without, src, dst)
            assert (a.conns, a.possible) == (b.conns, b.possible), (src, dst)


decidable_peers: st.SearchStrategy[ClusterPeer] = st.one_of(subjects, st.sampled_from(BLOCKS).map(lambda b: replace(b)))
decidable_rules = st.builds(
    ClusterRule,
    st.sampled_from(list(Action)),
    st.lists(decidable_peers, min_size=1, max_size=2).map(tuple),
    st.none() | st.lists(cluster_ports, min_size=1, max_size=2).map(tuple),
)


@st.composite
def decidable_tiered_clusters(draw: st.DrawFn) -> Cluster:
    """Tiers whose only open facts are what a completion decides (addresses, namespace labels):
    no nodes or domainNames peers, and distinct priorities (no ties)."""
    base = draw(open_clusters(max_policies=2, max_unevaluated=0))
    count = draw(st.integers(1, 3))
    priorities = draw(st.lists(st.integers(0, 9), min_size=count, max_size=count, unique=True))
    tiers = tuple(
        ClusterNetworkPolicy(
            "ClusterNetworkPolicy",
            f"cnp{i}",
            draw(st.sampled_from(list(Tier))),
            priority,
            draw(subjects),
            tuple(draw(st.lists(decidable_rules, max_size=3))),
            tuple(draw(st.lists(decidable_rules, max_size=3))),
        )
        for i, priority in enumerate(priorities)
    )
    return replace(base, cluster_policies=tiers)


class TestTiersNeverConfidentlyWrong:
    """Completing the input (addresses, namespace labels) never flips an answer the tiers decided:
    the certain and possible sets of the first-match walks are sound."""

    @LAWS
    @given(decidable_tiered_clusters(), open_options(closed_world=False), st.data())
    def test_completions_agree(self, cluster: Cluster, opts: Options, data: st.DataObject) -> None:
        opts = replace(opts, ignore_unevaluated=False)
        complete = data.draw(completions(cluster, opts), label="completion")  # of the NetworkPolicy world
        complete = replace(complete, cluster_policies=cluster.cluster_policies, nodes=cluster.nodes)
        _check_completion(cluster, complete, opts)
