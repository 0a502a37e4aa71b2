"""The reachability graph on small hand-built clusters: nodes, edges, conns, aggregation and order.

Every expected edge below is what Kubernetes allows: the source's egress and the destination's
ingress must both allow (docs/semantics.md, "The verdict"), a pod no policy selects is open in that
direction, and named ports resolve on the destination pod ("Ports and named ports").
"""

from __future__ import annotations

from dataclasses import replace

import networkx as nx

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex, evaluate_pair
from netsim.graph import Connection, GroupBy, NodeInfo, aggregate, build_graph, connections, pod_classes
from netsim.model import Cluster, Pod
from tests.unit.builders import (
    ALL,
    SCTP,
    TCP,
    UDP,
    block,
    cluster,
    cport,
    ext,
    peer,
    pod,
    policy,
    port,
    rule,
    sel,
)

EVERYWHERE = "0.0.0.0-255.255.255.255[External]"


def _graph(c: Cluster) -> nx.DiGraph:  # type: ignore[type-arg]
    return build_graph(PolicyIndex(c))


def _edges(graph: nx.DiGraph) -> dict[tuple[str, str], str]:  # type: ignore[type-arg]
    """Every edge as ``(source key, destination key) -> conns text``."""
    return {(s, d): str(data["conns"]) for s, d, data in graph.edges(data=True)}


def _owned(p: Pod, kind: str, name: str) -> Pod:
    return replace(p, owner_kind=kind, owner_name=name)


def _assert_no_self_edges(graph: nx.DiGraph) -> None:  # type: ignore[type-arg]
    assert [(s, d) for s, d in graph.edges if s == d] == []


# --- nodes and edges --------------------------------------------------------------------------------


def test_no_policies_everything_is_all_connections() -> None:
    pods = [pod("a/x", {"app": "x"}), pod("a/y", {"app": "y"}), pod("b/z", {"app": "z"})]
    graph = _graph(cluster(pods))
    refs = ["a/x", "a/y", "b/z"]
    assert sorted(graph.nodes) == sorted([*refs, EVERYWHERE])
    expected = {(s, d): "All Connections" for s in refs for d in refs if s != d}
    expected |= {(r, EVERYWHERE): "All Connections" for r in refs}
    expected |= {(EVERYWHERE, r): "All Connections" for r in refs}
    assert _edges(graph) == expected


def test_node_info() -> None:
    c = cluster([pod("a/x", {"app": "x"}), pod("b/y")], [policy("a/deny-in", ALL)])
    graph = _graph(c)
    x: NodeInfo = graph.nodes["a/x"]["info"]
    assert (x.key, x.kind, x.namespace, x.label, x.name, x.endpoint_kind) == ("a/x", "pod", "a", "a/x[Pod]", "x", "Pod")
    assert (x.ingress_open, x.egress_open) == (False, True)
    y: NodeInfo = graph.nodes["b/y"]["info"]
    assert (y.ingress_open, y.egress_open) == (True, True)
    world: NodeInfo = graph.nodes[EVERYWHERE]["info"]
    assert (world.kind, world.namespace, world.name, world.endpoint_kind) == (
        "external",
        None,
        "0.0.0.0-255.255.255.255",
        "External",
    )
    assert world.range is not None
    assert graph.nodes["a/x"]["pod"] == c.pod("a/x")


def test_default_deny_ingress_removes_every_edge_into_the_namespace() -> None:
    c = cluster([pod("a/x"), pod("a/y", {"app": "y"}), pod("b/z")], [policy("a/default-deny", ALL)])
    edges = _edges(_graph(c))
    assert {(s, d) for s, d in edges if d in ("a/x", "a/y")} == set()
    # a's pods still reach everything outside a (their egress is not isolated)
    assert edges[("a/x", "b/z")] == edges[("a/y", EVERYWHERE)] == "All Connections"
    assert edges[("b/z", EVERYWHERE)] == "All Connections"
    assert (EVERYWHERE, "b/z") in edges


def test_default_deny_all_leaves_only_the_other_namespace() -> None:
    c = cluster([pod("a/x"), pod("a/y", {"app": "y"}), pod("b/z")], [policy("a/deny", ALL, types="Ingress,Egress")])
    assert _edges(_graph(c)) == {("b/z", EVERYWHERE): "All Connections", (EVERYWHERE, "b/z"): "All Connections"}


def test_both_ends_must_allow() -> None:
    web = pod("shop/web", {"app": "web"})
    db = pod("shop/db", {"app": "db"})
    policies = [
        policy("shop/deny", ALL, types="Ingress,Egress"),
        # web may send TCP 5432-5433 and UDP 53 to db; db accepts TCP 5432 and SCTP 9 from web
        policy(
            "shop/web-out",
            sel({"app": "web"}),
            egress=[rule(peer(sel({"app": "db"})), ports=[port(5432, TCP, 5433), port(53, UDP)])],
        ),
        policy(
            "shop/db-in",
            sel({"app": "db"}),
            ingress=[rule(peer(sel({"app": "web"})), ports=[port(5432), port(9, SCTP)])],
        ),
    ]
    assert _edges(_graph(cluster([web, db], policies))) == {("shop/web", "shop/db"): "TCP 5432"}


def test_named_ports_are_resolved_per_destination() -> None:
    web = pod("shop/web", {"app": "web"})
    db1 = pod("shop/db-1", {"app": "db"}, ports=[cport(5432, name="pg")])
    db2 = pod("shop/db-2", {"app": "db"}, ports=[cport(6432, name="pg"), cport(53, UDP, "dns")])
    db3 = pod("shop/db-3", {"app": "db"})  # declares no "pg": nothing opens
    policies = [
        policy("shop/deny", ALL, types="Ingress,Egress"),
        policy("shop/web-out", sel({"app": "web"}), egress=[rule(peer(sel({"app": "db"})), ports=[port("pg")])]),
        policy(
            "shop/db-in",
            sel({"app": "db"}),
            ingress=[rule(peer(sel({"app": "web"})), ports=[port("pg"), port("dns", UDP)])],
        ),
    ]
    assert _edges(_graph(cluster([web, db1, db2, db3], policies))) == {
        ("shop/web", "shop/db-1"): "TCP 5432",
        ("shop/web", "shop/db-2"): "TCP 6432",
    }


def test_named_port_with_the_wrong_protocol_opens_nothing() -> None:
    web = pod("shop/web", {"app": "web"})
    dns = pod("shop/dns", {"app": "dns"}, ports=[cport(53, UDP, "dns")])
    pol = policy("shop/dns-in", sel({"app": "dns"}), ingress=[rule(ports=[port("dns", TCP)])])
    edges = _edges(_graph(cluster([web, dns], [pol])))
    assert ("shop/web", "shop/dns") not in edges
    assert (EVERYWHERE, "shop/dns") not in edges


def test_pods_of_one_class_get_edges_between_each_other() -> None:
    replicas = [pod(f"a/web-{i}", {"app": "web"}) for i in range(3)]
    c = cluster(replicas, [policy("a/web-in", sel({"app": "web"}), ingress=[rule(peer(sel({"app": "web"})))])])
    index = PolicyIndex(c)
    assert [len(cls) for cls in pod_classes(index)] == [3]
    edges = _edges(build_graph(index))
    refs = [p.ref for p in replicas]
    assert {(s, d) for s, d in edges if d != EVERYWHERE} == {(s, d) for s in refs for d in refs if s != d}
    assert all(edges[(s, d)] == "All Connections" for s in refs for d in refs if s != d)


def test_a_single_pod_class_has_no_edge_to_itself() -> None:
    graph = _graph(cluster([pod("a/only")]))
    assert set(graph.edges) == {("a/only", EVERYWHERE), (EVERYWHERE, "a/only")}


def test_pod_classes_split_on_labels_ports_namespace_and_ip_blocks() -> None:
    pods = [
        pod("a/p1", {"app": "x"}, ip="10.0.0.1"),
        pod("a/p2", {"app": "x"}, ip="10.0.0.2"),
        pod("a/p3", {"app": "x"}, ip="10.0.1.3"),  # outside the block below
        pod("a/p4", {"app": "y"}, ip="10.0.0.4"),  # other labels
        pod("a/p5", {"app": "x"}, ip="10.0.0.5", ports=[cport(80)]),  # declares a port
        pod("b/p6", {"app": "x"}, ip="10.0.0.6"),  # other namespace
    ]
    c = cluster(pods, [policy("a/from-block", ALL, ingress=[rule(block("10.0.0.0/24"))])])
    classes = sorted(sorted(p.name for p in cls) for cls in pod_classes(PolicyIndex(c)))
    assert classes == [["p1", "p2"], ["p3"], ["p4"], ["p5"], ["p6"]]


def test_ip_block_selects_pods_by_address() -> None:
    # an ipBlock of a pod IP selects that pod (upstream e2e), and only that pod
    near = pod("a/near", {"app": "c"}, ip="10.0.0.1")
    far = pod("a/far", {"app": "c"}, ip="10.0.9.9")
    server = pod("a/server", {"app": "s"}, ip="10.0.5.5")
    pol = policy("a/server-in", sel({"app": "s"}), ingress=[rule(block("10.0.0.0/24"), ports=[port(443)])])
    edges = _edges(_graph(cluster([near, far, server], [pol])))
    assert edges[("a/near", "a/server")] == "TCP 443"
    assert ("a/far", "a/server") not in edges
    assert edges[("10.0.0.0-10.0.0.255[External]", "a/server")] == "TCP 443"
    assert ("0.0.0.0-9.255.255.255[External]", "a/server") not in edges


def test_equal_ip_blocks_of_different_policies_each_select_the_pods() -> None:
    # two policies spelling the same ipBlock are two peers with equal values: both select
    near = pod("a/near", {"app": "c"}, ip="10.0.0.1")
    one = pod("a/one", {"app": "one"}, ip="10.0.5.5")
    two = pod("b/two", {"app": "two"}, ip="10.0.5.6")
    pols = [
        policy("a/one-in", sel({"app": "one"}), ingress=[rule(block("10.0.0.0/24"), ports=[port(443)])]),
        policy("b/two-in", sel({"app": "two"}), ingress=[rule(block("10.0.0.0/24"), ports=[port(443)])]),
    ]
    index = PolicyIndex(cluster([near, one, two], pols))
    edges = _edges(build_graph(index))
    assert edges[("a/near", "a/one")] == "TCP 443"
    assert edges[("a/near", "b/two")] == "TCP 443"
    for dst in (one, two):
        assert str(evaluate_pair(index, near, dst).conns) == "TCP 443"


def test_egress_ip_block_with_except() -> None:
    job = pod("a/job", {"app": "job"})
    pol = policy(
        "a/job-out",
        sel({"app": "job"}),
        egress=[rule(block("10.0.0.0/8", "10.0.0.0/16"), ports=[port(5432)])],
        types="Egress",
    )
    edges = _edges(_graph(cluster([job], [pol])))
    assert {(s, d): v for (s, d), v in edges.items() if s == "a/job"} == {
        ("a/job", "10.1.0.0-10.255.255.255[External]"): "TCP 5432"
    }
    # the other side was not cut: one source range, and job's ingress is open
    assert edges[(EVERYWHERE, "a/job")] == "All Connections"


def test_external_source_and_destination_ranges_are_separate_nodes() -> None:
    app = pod("a/app", {"app": "app"})
    pol = policy(
        "a/app",
        sel({"app": "app"}),
        ingress=[rule(block("192.168.0.0/16"), ports=[port(8080)])],
        egress=[rule(block("10.0.0.0/8"))],
    )
    graph = _graph(cluster([app], [pol]))
    externals = sorted(k for k, data in graph.nodes(data=True) if data["info"].kind == "external")
    assert externals == [
        "0.0.0.0-192.167.255.255[External]",
        "0.0.0.0-9.255.255.255[External]",
        "10.0.0.0-10.255.255.255[External]",
        "11.0.0.0-255.255.255.255[External]",
        "192.168.0.0-192.168.255.255[External]",
        "192.169.0.0-255.255.255.255[External]",
    ]
    assert _edges(graph) == {
        ("192.168.0.0-192.168.255.255[External]", "a/app"): "TCP 8080",
        ("a/app", "10.0.0.0-10.255.255.255[External]"): "All Connections",
    }


def test_an_external_range_never_gets_an_edge_to_another_range() -> None:
    c = cluster([pod("a/x")], [policy("a/p", ALL, ingress=[rule(block("10.0.0.0/8"))], egress=[rule()])])
    graph = _graph(c)
    kinds = {k: data["info"].kind for k, data in graph.nodes(data=True)}
    assert all("pod" in (kinds[s], kinds[d]) for s, d in graph.edges)


def test_hostnetwork_pod_reaches_pods_on_its_own_node_only() -> None:
    # traffic from a pod's own node is always allowed in (docs/semantics.md, "The local node" and
    # "hostNetwork pods")
    agent = pod("kube-system/agent", {"app": "agent"}, host_network=True, node="n1", host_ip="192.168.0.1")
    on_n1 = pod("a/web-1", {"app": "web"}, ip="10.0.1.1", node="n1", host_ip="192.168.0.1")
    on_n2 = pod("a/web-2", {"app": "web"}, ip="10.0.2.1", node="n2", host_ip="192.168.0.2")
    c = cluster([agent, on_n1, on_n2], [policy("a/deny", ALL)])
    index = PolicyIndex(c)
    assert len(pod_classes(index)) == 3
    edges = _edges(build_graph(index))
    assert edges[("kube-system/agent", "a/web-1")] == "All Connections"
    assert ("kube-system/agent", "a/web-2") not in edges


def test_isolated_pod_still_reaches_the_hostnetwork_pod_on_its_node() -> None:
    # egress to the pod's own node is always allowed (docs/semantics.md, "The local node"), also when
    # no rule selects it
    agent = pod("kube-system/agent", host_network=True, node="n1", host_ip="192.168.0.1")
    web = pod("a/web", {"app": "web"}, ip="10.0.1.1", node="n1", host_ip="192.168.0.1")
    far = pod("a/far", {"app": "web"}, ip="10.0.2.1", node="n2", host_ip="192.168.0.2")
    c = cluster([agent, web, far], [policy("a/deny", ALL, types="Ingress,Egress")])
    edges = _edges(_graph(c))
    assert edges[("a/web", "kube-system/agent")] == "All Connections"
    assert edges[("kube-system/agent", "a/web")] == "All Connections"
    assert ("a/far", "kube-system/agent") not in edges
    assert ("kube-system/agent", "a/far") not in edges


def test_a_range_that_is_one_node_address_is_that_nodes_pods_own_node() -> None:
    # an ipBlock of exactly a node's address makes a range of that address alone: the pods on
    # that node may always reach it and be reached from it, the others only as the policies say
    on_n1 = pod("a/web-1", {"app": "web"}, ip="10.0.1.1", node="n1", host_ip="192.168.0.1")
    on_n2 = pod("a/web-2", {"app": "web"}, ip="10.0.2.1", node="n2", host_ip="192.168.0.2")
    node = "192.168.0.1-192.168.0.1[External]"
    pols = [
        policy("a/deny", ALL, types="Ingress,Egress"),
        policy(
            "a/nobody",
            sel({"app": "nobody"}),
            ingress=[rule(block("192.168.0.1/32"))],
            egress=[rule(block("192.168.0.1/32"))],
        ),
    ]
    index = PolicyIndex(cluster([on_n1, on_n2], pols))
    edges = _edges(build_graph(index))
    assert edges == {("a/web-1", node): "All Connections", (node, "a/web-1"): "All Connections"}
    assert evaluate_pair(index, on_n1, ext("192.168.0.1")).conns.is_all()
    assert not evaluate_pair(index, on_n2, ext("192.168.0.1")).conns


def test_no_self_edges_anywhere() -> None:
    pods = [pod(f"a/r{i}", {"app": "r"}) for i in range(3)] + [pod("b/s", {"app": "s"})]
    for pols in ([], [policy("a/p", ALL, ingress=[rule(peer(sel({"app": "r"})))])]):
        _assert_no_self_edges(_graph(cluster(pods, pols)))


def test_edges_equal_evaluate_pair() -> None:
    pods = [
        pod("a/web", {"app": "web"}, ports=[cport(8080, name="http")]),
        pod("a/db", {"app": "db"}, ports=[cport(5432, name="pg")]),
        pod("b/client", {"app": "client"}),
    ]
    pols = [
        policy("a/db-in", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port("pg")])]),
        policy("a/web-in", sel({"app": "web"}), ingress=[rule(peer(ALL, ALL), ports=[port("http")])]),
    ]
    index = PolicyIndex(cluster(pods, pols))
    graph = build_graph(index)
    for s in index.cluster.pods:
        for d in index.cluster.pods:
            if s is d:
                continue
            conns = evaluate_pair(index, s, d).conns
            assert graph.has_edge(s.ref, d.ref) == bool(conns)
            if conns:
                assert graph.edges[s.ref, d.ref]["conns"] == conns
    assert graph.edges["b/client", "a/web"]["conns"] == ConnSet.of(TCP, 8080)
    assert not graph.has_edge("b/client", "a/db")
    # namespaceSelector {} selects pods of every namespace, never an external address
    assert not graph.has_edge(EVERYWHERE, "a/web")
    web = index.cluster.pod("a/web")
    assert web is not None
    assert evaluate_pair(index, ext("1.2.3.4"), web).conns == ConnSet.none()


def test_progress_rises_to_its_total_over_both_phases() -> None:
    pods = [pod("a/x", {"app": "x"}), pod("a/y", {"app": "y"}), pod("a/y2", {"app": "y"})]
    seen: list[tuple[int, int]] = []
    build_graph(PolicyIndex(cluster(pods)), progress=lambda done, total: seen.append((done, total)))
    totals = {total for _, total in seen}
    done = [d for d, _ in seen]
    assert len(totals) == 1
    assert done == sorted(done)
    assert done[-1] == totals.pop()
    assert 0 < done[0] < done[-1]  # the evaluation phase reports before the grouping phase


# --- aggregation ---------------------------------------------------------------------------------------


def _workload_cluster() -> Cluster:
    """Two ReplicaSet pods of web, two StatefulSet pods of db (declaring different "pg" numbers),
    one bare pod; default deny with web -> db on the named port and DNS-like UDP 53 to tools."""
    web = [_owned(pod(f"shop/web-{i}", {"app": "web"}), "ReplicaSet", "web-5d8f") for i in (1, 2)]
    db = [
        _owned(pod("shop/db-0", {"app": "db"}, ports=[cport(5432, name="pg")]), "StatefulSet", "db"),
        _owned(pod("shop/db-1", {"app": "db"}, ports=[cport(5433, name="pg")]), "StatefulSet", "db"),
    ]
    tools = pod("tools/debug", {"app": "debug"})
    pols = [
        policy("shop/deny", ALL, types="Ingress,Egress"),
        policy("shop/web-out", sel({"app": "web"}), egress=[rule(peer(sel({"app": "db"})), ports=[port("pg")])]),
        policy("shop/db-in", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})))]),
        policy("shop/web-in", sel({"app": "web"}), ingress=[rule(peer(sel({"app": "web"})))]),
        policy("shop/web-out-self", sel({"app": "web"}), egress=[rule(peer(sel({"app": "web"})))]),
    ]
    return cluster([*web, *db, tools], pols)


def test_aggregate_by_pod_is_the_pod_graph() -> None:
    graph = _graph(_workload_cluster())
    by_pod = aggregate(graph, GroupBy.POD)
    assert set(by_pod.nodes) == set(graph.nodes)
    assert _edges(by_pod) == _edges(graph)
    assert {data["pairs"] for _, _, data in by_pod.edges(data=True)} == {1}


def test_aggregate_by_workload() -> None:
    graph = _graph(_workload_cluster())
    # the pod graph: web-1 <-> web-2, and each web pod to each db pod on that pod's "pg"
    assert _edges(graph)[("shop/web-1", "shop/web-2")] == "All Connections"
    assert _edges(graph)[("shop/web-2", "shop/db-1")] == "TCP 5433"
    by_workload = aggregate(graph, GroupBy.WORKLOAD)
    assert sorted(by_workload.nodes) == sorted(
        ["shop/web-5d8f[ReplicaSet]", "shop/db[StatefulSet]", "tools/debug[Pod]", EVERYWHERE]
    )
    edge = by_workload.edges["shop/web-5d8f[ReplicaSet]", "shop/db[StatefulSet]"]
    assert (str(edge["conns"]), edge["pairs"]) == ("TCP 5432-5433", 4)
    # a workload to itself: its replicas (distinct pods) talk to each other, web-1 <-> web-2
    web = "shop/web-5d8f[ReplicaSet]"
    assert (str(by_workload.edges[web, web]["conns"]), by_workload.edges[web, web]["pairs"]) == ("All Connections", 2)
    # ... unless replicas are counted as one pod (netpol-analyzer's model): then it is dropped
    one = aggregate(graph, GroupBy.WORKLOAD, replicas=False)
    assert not one.has_edge(web, web)
    _assert_no_self_edges(one)
    info: NodeInfo = by_workload.nodes["shop/db[StatefulSet]"]["info"]
    assert (info.kind, info.namespace, info.name, info.endpoint_kind, info.label, info.members) == (
        "workload",
        "shop",
        "db",
        "StatefulSet",
        "shop/db[StatefulSet]",
        2,
    )
    assert (info.ingress_open, info.egress_open) == (False, False)
    # a bare pod is its own workload
    assert by_workload.nodes["tools/debug[Pod]"]["info"].members == 1
    assert by_workload.edges["tools/debug[Pod]", EVERYWHERE]["pairs"] == 1


def test_aggregate_by_namespace_keeps_self_loops() -> None:
    by_ns = aggregate(_graph(_workload_cluster()), GroupBy.NAMESPACE)
    assert sorted(by_ns.nodes) == sorted(["shop", "tools", EVERYWHERE])
    loop = by_ns.edges["shop", "shop"]
    # web-1 <-> web-2 (2 pairs, all) and web-i -> db-j (4 pairs, pg)
    assert (str(loop["conns"]), loop["pairs"]) == ("All Connections", 6)
    shop: NodeInfo = by_ns.nodes["shop"]["info"]
    assert (shop.kind, shop.namespace, shop.label, shop.endpoint_kind, shop.members) == (
        "namespace",
        "shop",
        "shop",
        "Namespace",
        4,
    )
    assert (shop.ingress_open, shop.egress_open) == (False, False)
    tools: NodeInfo = by_ns.nodes["tools"]["info"]
    assert (tools.ingress_open, tools.egress_open) == (True, True)
    assert not by_ns.has_edge("tools", "shop")
    assert by_ns.edges["tools", EVERYWHERE]["pairs"] == 1


def test_aggregate_unions_conns() -> None:
    # two pods of one namespace open different ports to the same server
    a1 = pod("a/c1", {"app": "c1"})
    a2 = pod("a/c2", {"app": "c2"})
    srv = pod("b/srv", {"app": "srv"})
    pol = policy(
        "b/srv-in",
        sel({"app": "srv"}),
        ingress=[
            rule(peer(sel({"app": "c1"}), ALL), ports=[port(80)]),
            rule(peer(sel({"app": "c2"}), ALL), ports=[port(53, UDP)]),
        ],
    )
    by_ns = aggregate(_graph(cluster([a1, a2, srv], [pol])), GroupBy.NAMESPACE)
    edge = by_ns.edges["a", "b"]
    assert (str(edge["conns"]), edge["pairs"]) == ("TCP 80,UDP 53", 2)
    assert by_ns.nodes["a"]["info"].ingress_open


def test_aggregate_marks_a_group_open_when_any_member_is() -> None:
    c = cluster([pod("a/x", {"app": "x"}), pod("a/y", {"app": "y"})], [policy("a/x-in", sel({"app": "x"}))])
    info: NodeInfo = aggregate(_graph(c), GroupBy.NAMESPACE).nodes["a"]["info"]
    assert (info.ingress_open, info.egress_open, info.members) == (True, True, 2)


# --- connections(): rows sorted byte-wise -----------------------------------------------------------------


def test_connections_sort_workload_names_byte_wise() -> None:
    agents = [
        _owned(pod("default/cognetive-agents-x1", {"app": "agents"}), "DaemonSet", "cognetive-agents"),
        _owned(pod("default/cognetive-agents-agent-x1", {"app": "agent"}), "DaemonSet", "cognetive-agents-agent"),
    ]
    rows = connections(aggregate(_graph(cluster(agents)), GroupBy.WORKLOAD))
    pairs = [(r.source.label, r.destination.label) for r in rows]
    # '-' (0x2D) sorts before '[' (0x5B), and IP ranges before letters
    assert pairs == [
        (EVERYWHERE, "default/cognetive-agents-agent[DaemonSet]"),
        (EVERYWHERE, "default/cognetive-agents[DaemonSet]"),
        ("default/cognetive-agents-agent[DaemonSet]", EVERYWHERE),
        ("default/cognetive-agents-agent[DaemonSet]", "default/cognetive-agents[DaemonSet]"),
        ("default/cognetive-agents[DaemonSet]", EVERYWHERE),
        ("default/cognetive-agents[DaemonSet]", "default/cognetive-agents-agent[DaemonSet]"),
    ]


def test_connections_sort_ranges_as_text_not_numbers() -> None:
    c = cluster([pod("z/p")], [policy("z/in", ALL, ingress=[rule(block("11.0.0.0/8"), block("100.0.0.0/8"))])])
    rows = connections(_graph(c))
    assert [r.source.label for r in rows if r.destination.label == "z/p[Pod]"] == [
        "100.0.0.0-100.255.255.255[External]",
        "11.0.0.0-11.255.255.255[External]",
    ]
    c2 = cluster(
        [pod("z/p")],
        [policy("z/in", ALL, ingress=[rule(block("10.0.0.0/8"), block("11.0.0.0/8"), block("172.16.0.0/12"))])],
    )
    sources = [r.source.label for r in connections(_graph(c2)) if r.destination.label == "z/p[Pod]"]
    assert sources == [
        "10.0.0.0-10.255.255.255[External]",
        "11.0.0.0-11.255.255.255[External]",
        "172.16.0.0-172.31.255.255[External]",
    ]


def test_connections_rows_carry_infos_conns_and_pairs() -> None:
    c = cluster(
        [pod("a/x"), pod("a/y", {"app": "y"})], [policy("a/y-in", sel({"app": "y"}), ingress=[rule(ports=[port(80)])])]
    )
    rows = connections(_graph(c))
    row = next(r for r in rows if (r.source.key, r.destination.key) == ("a/x", "a/y"))
    assert row == Connection(row.source, row.destination, ConnSet.of(TCP, 80), 1)
    assert row.source.label == "a/x[Pod]"
    labels = [(r.source.label.encode(), r.destination.label.encode()) for r in rows]
    assert labels == sorted(labels)


def test_connections_keep_namespace_self_loops() -> None:
    by_ns = aggregate(_graph(cluster([pod("a/x"), pod("a/y", {"app": "y"})])), GroupBy.NAMESPACE)
    rows = connections(by_ns)
    loop = [r for r in rows if r.source.key == r.destination.key]
    assert [(r.source.key, str(r.conns), r.pairs) for r in loop] == [("a", "All Connections", 2)]
