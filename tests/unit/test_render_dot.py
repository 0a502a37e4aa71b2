"""Graphviz pictures: DOT text (escaped, deterministic, focus, merged externals, legend, title) and
rendering to SVG, PNG and PDF with the system ``dot``.
"""

from __future__ import annotations

import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import replace

import networkx as nx
import pytest

from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.errors import RenderError
from netsim.externals import ExternalRange
from netsim.graph import GroupBy, NodeInfo, aggregate, build_graph, grouped_graph
from netsim.model import (
    Action,
    Cluster,
    ClusterNetworkPolicy,
    ClusterPort,
    ClusterRule,
    Labels,
    LabelSelector,
    PodPeer,
    Tier,
)
from netsim.render.dot import (
    FORMATS,
    MAX_LABELLED_EDGES,
    READABLE_EDGES,
    READABLE_NODES,
    Picture,
    _summary,
    dot_available,
    draw,
    render,
    to_dot,
)
from tests.unit.builders import ALL, TCP, UDP, block, cluster, peer, pod, policy, port, rule, sel

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_ROOT = "{http://www.w3.org/2000/svg}svg"


def _shop() -> Cluster:
    """shop/web -> shop/db on 5432; tools/debug is open; an egress ipBlock with an except."""
    pods = [
        pod("shop/web", {"app": "web"}, ip="192.168.7.1"),
        pod("shop/db", {"app": "db"}, ip="192.168.7.2"),
        pod("tools/debug", {"app": "debug"}, ip="192.168.7.3"),
    ]
    pols = [
        policy("shop/deny", ALL, types="Ingress,Egress"),
        policy("shop/web-out", sel({"app": "web"}), egress=[rule(peer(sel({"app": "db"})), ports=[port(5432)])]),
        policy("shop/db-in", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port(5432)])]),
        policy(
            "shop/db-out",
            sel({"app": "db"}),
            egress=[rule(block("10.0.0.0/8", "10.1.0.0/16"), ports=[port(53, UDP)])],
            types="Egress",
        ),
    ]
    return cluster(pods, pols)


def _dot(
    c: Cluster,
    by: GroupBy = GroupBy.POD,
    *,
    focus: Iterable[str] = (),
    title: str | None = None,
    legend: bool = True,
    implied: bool = False,
) -> str:
    graph = grouped_graph(PolicyIndex(c), by)
    return to_dot(graph, by, focus=focus, title=title, legend=legend, implied=implied)


def _ends(edge_line: str) -> tuple[str, str]:
    """The source and destination keys of a DOT edge line."""
    found = re.match(r'"([^"]*)" -> "([^"]*)"', edge_line)
    assert found is not None, edge_line
    return found.group(1), found.group(2)


def _label(line: str) -> str:
    """The label attribute of a DOT line."""
    found = re.search(r'label="([^"]*)"', line)
    assert found is not None, line
    return found.group(1)


def _info(key: str, namespace: str | None = "ns", kind: str = "pod") -> NodeInfo:
    return NodeInfo(key, kind, namespace, f"{key}[Pod]", key.split("/")[-1], "Pod")


def _edge_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if " -> " in line and "legend" not in line]


def _node_line(text: str, key: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(f'"{key}" [')]
    assert len(lines) == 1, (key, lines)
    return lines[0]


# --- DOT text ------------------------------------------------------------------------------------------


def test_dot_is_a_digraph_with_sorted_namespace_clusters() -> None:
    text = _dot(_shop())
    assert text.startswith("digraph netsim {\n")
    assert text.endswith("}\n")
    assert text.index('label="namespace shop"') < text.index('label="namespace tools"')
    assert text.index('"shop/db" [') < text.index('"shop/web" [')
    assert '"shop/web" -> "shop/db"' in text
    assert 'label="TCP 5432"' in text


def test_edges_are_sorted_and_labelled() -> None:
    edges = _edge_lines(_dot(_shop(), implied=True))
    keys = [_ends(e) for e in edges]
    assert keys == sorted(keys, key=lambda k: (k[0].encode(), k[1].encode()))
    web_db = next(e for e in edges if e.startswith('"shop/web" -> "shop/db"'))
    assert 'tooltip="shop/web[Pod] => shop/db[Pod] : TCP 5432"' in web_db
    # an edge that allows everything is drawn thicker
    debug_out = next(e for e in edges if e.startswith('"tools/debug" -> "0.0.0.0'))
    assert 'label="all"' in debug_out
    assert 'penwidth="1.6"' in debug_out


def test_open_pods_are_marked() -> None:
    text = _dot(_shop())
    assert "⚠ open ingress, open egress" in _node_line(text, "tools/debug")
    assert "⚠" not in _node_line(text, "shop/web")
    assert 'color="#c0392b"' in _node_line(text, "tools/debug")


def test_edges_between_open_ends_are_implied_and_hidden() -> None:
    # tools/debug is open both ways: its edges to and from the world exist only because nothing
    # isolates it, so by default they are left out (the red mark says so), and so are the ranges
    # that only those edges reach
    default = _dot(_shop())
    assert not [e for e in _edge_lines(default) if "tools/debug" in e]
    assert _node_line(default, "tools/debug")  # the pod itself is still drawn
    notes = [_label(line) for line in default.splitlines() if 'shape="note"' in line and "legend" not in line]
    assert notes == ["external\\n10.0.0.0/16\\n10.2.0.0-10.255.255.255"]
    # edges that a policy shapes stay: web -> db and db -> the block
    assert [_ends(e) for e in _edge_lines(default)] == [
        ("shop/db", "10.0.0.0-10.0.255.255[External]"),
        ("shop/web", "shop/db"),
    ]
    everything = _dot(_shop(), implied=True)
    assert [e for e in _edge_lines(everything) if "tools/debug" in e]
    assert set(_edge_lines(default)) < set(_edge_lines(everything))


def test_an_edge_from_an_open_pod_to_an_isolated_pod_is_drawn() -> None:
    c = cluster(
        [pod("a/open", {"app": "open"}), pod("a/closed", {"app": "closed"})],
        [policy("a/closed-in", sel({"app": "closed"}), ingress=[rule(peer(ALL))])],
    )
    # open -> closed is allowed by closed's rule (All Connections), so it is not implied
    edges = [_ends(e) for e in _edge_lines(_dot(c))]
    assert ("a/open", "a/closed") in edges
    assert ("a/closed", "a/open") not in edges  # both ends open: implied


def test_group_edges_are_never_hidden_and_the_legend_says_so() -> None:
    # in the namespace view an open namespace may still hold isolated pods: its edges are drawn
    # (the same traffic both ways is one double-headed edge), and the legend says what is drawn
    text = _dot(cluster([pod("a/x"), pod("b/y")]), GroupBy.NAMESPACE)
    [edge] = [e for e in _edge_lines(text) if set(_ends(e)) == {"a", "b"}]
    assert _ends(edge) == ("a", "b")
    assert 'dir="both"' in edge
    assert "b => a : All Connections" in edge
    assert "(some pod of it no policy\\nisolates: its traffic is drawn)" in text
    assert "is not drawn" not in text
    # the pod view hides traffic between open pods, and its legend says that
    assert "between open ends is not drawn" in _dot(cluster([pod("a/x"), pod("b/y")]))
    assert "its traffic is drawn" in _dot(cluster([pod("a/x"), pod("b/y")]), implied=True)


def test_escaping_of_quotes_backslashes_and_newlines() -> None:
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    odd = 'ns/a"b\\c\nd'
    graph.add_node(odd, info=_info(odd))
    graph.add_node("ns/plain", info=_info("ns/plain"))
    graph.add_edge(odd, "ns/plain", conns=ConnSet.of(TCP, 80), pairs=1)
    text = to_dot(graph, GroupBy.POD, title='say "hi"\\\nbye', legend=False)
    assert '"ns/a\\"b\\\\c\\nd" -> "ns/plain"' in text
    assert 'label="say \\"hi\\"\\\\\\nbye"' in text
    assert "\nd" not in text.replace("\\nd", "")  # no raw newline from a name
    # and Graphviz reads it as two nodes and one edge
    root = ET.fromstring(render(text, "svg"))
    classes = [g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert (classes.count("node"), classes.count("edge")) == (2, 1)


def test_same_input_gives_the_same_text() -> None:
    assert _dot(_shop()) == _dot(_shop())
    assert _dot(_shop(), GroupBy.NAMESPACE) == _dot(_shop(), GroupBy.NAMESPACE)


def test_input_order_does_not_matter() -> None:
    c = _shop()
    expected = to_dot(aggregate(build_graph(PolicyIndex(c)), GroupBy.POD), GroupBy.POD)
    rng = random.Random(7)
    for _ in range(5):
        pods, pols = list(c.pods), list(c.policies)
        rng.shuffle(pods)
        rng.shuffle(pols)
        shuffled = Cluster(tuple(reversed(c.namespaces)), tuple(pods), tuple(pols))
        assert _dot(shuffled) == expected
        # the same graph with its nodes and edges inserted in another order
        graph = build_graph(PolicyIndex(c))
        nodes = list(graph.nodes(data=True))
        edges = list(graph.edges(data=True))
        rng.shuffle(nodes)
        rng.shuffle(edges)
        again: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
        again.add_nodes_from(nodes)
        again.add_edges_from(edges)
        assert to_dot(again, GroupBy.POD) == expected


def test_focus_draws_only_edges_touching_the_namespace() -> None:
    text = _dot(_shop(), focus=["shop"])
    edges = _edge_lines(text)
    assert edges
    for line in edges:
        src, dst = _ends(line)
        assert src.startswith("shop/") or dst.startswith("shop/"), line
    # shop and tools exchange nothing (shop is isolated both ways), so tools is not drawn at all;
    # edges from shop to the outside touch shop: they keep their colours
    assert "tools/debug" not in text
    db_out = next(e for e in edges if e.startswith('"shop/db" -> "10.0.0.0'))
    assert 'color="#b0b0b0"' not in db_out
    web_db = next(e for e in edges if e.startswith('"shop/web" -> "shop/db"'))
    assert 'color="#b0b0b0"' not in web_db


def test_focus_fades_the_neighbours() -> None:
    c = cluster(
        [pod("a/x", {"app": "x"}), pod("b/y", {"app": "y"}), pod("c/z", {"app": "z"})],
        [
            policy("b/in", ALL, ingress=[rule(peer(ALL, sel({"kubernetes.io/metadata.name": "a"})))]),
            policy("c/deny", ALL, types="Ingress,Egress"),
        ],
    )
    text = _dot(c, focus=["a"])
    # b is a neighbour of a (a -> b), drawn faded in a faded namespace box; c is not drawn
    assert 'label="namespace b"' in text
    assert "c/z" not in text
    b_line = _node_line(text, "b/y")
    assert 'color="#b0b0b0"' in b_line
    assert "dashed" in b_line
    assert 'color="#b0b0b0"' not in _node_line(text, "a/x")
    # an edge that touches the focused namespace is drawn in full colour
    a_to_b = next(e for e in _edge_lines(text) if e.startswith('"a/x" -> "b/y"'))
    assert 'color="#e67e22"' in a_to_b
    assert not any(e.startswith('"b/y" -> "c/z"') for e in _edge_lines(text))


def test_focus_in_the_namespace_view() -> None:
    c = cluster(
        [pod("a/x"), pod("b/y"), pod("c/z")],
        [policy("c/in", ALL)],
    )
    text = _dot(c, GroupBy.NAMESPACE, focus=["c"])
    # nothing reaches c (default deny ingress) but c reaches everything: only c's edges are drawn
    for line in _edge_lines(text):
        assert line.startswith('"c" -> '), line
    assert 'color="#b0b0b0"' in _node_line(text, "a")
    assert 'color="#b0b0b0"' not in _node_line(text, "c")


def test_namespace_view_shows_members_and_internal_traffic() -> None:
    text = _dot(_shop(), GroupBy.NAMESPACE)
    shop = _node_line(text, "shop")
    assert 'label="shop\\n2 pods\\ninternal: TCP 5432"' in shop
    assert 'shape="box3d"' in shop
    tools = _node_line(text, "tools")
    assert "1 pod\\n" in tools
    # the internal edge is a label, not a self-loop
    assert '"shop" -> "shop"' not in text


def test_namespace_edges_count_pairs() -> None:
    c = cluster([pod("a/x", {"app": "x"}), pod("a/y", {"app": "y"}), pod("b/z")])
    a_to_b = next(e for e in _edge_lines(_dot(c, GroupBy.NAMESPACE)) if e.startswith('"a" -> "b"'))
    assert 'label="all\\n(2 pairs)"' in a_to_b


def test_external_ranges_with_the_same_edges_are_one_node() -> None:
    # db's egress reaches 10.0.0.0-10.0.255.255 and 10.2.0.0-10.255.255.255 alike on UDP 53;
    # the other two ranges are reached by tools/debug only: each group is drawn as one note
    text = _dot(_shop(), implied=True)
    notes = [line.strip() for line in text.splitlines() if 'shape="note"' in line and "legend" not in line]
    labels = sorted(_label(n) for n in notes)
    assert labels == sorted(
        [
            "external\\n0.0.0.0/0",
            "external\\n0.0.0.0-9.255.255.255\\n10.1.0.0/16\\n11.0.0.0-255.255.255.255",
            "external\\n10.0.0.0/16\\n10.2.0.0-10.255.255.255",
        ]
    )
    # one edge per drawn pair, even though two ranges stand behind it
    db_out = [e for e in _edge_lines(text) if e.startswith('"shop/db" -> ')]
    assert len(db_out) == 1
    assert 'label="UDP 53"' in db_out[0]


def test_ranges_behind_different_pair_counts_are_not_merged() -> None:
    # namespace view: every range reaches `a` with "all" (the open pod x), but only 172.17.0.0/16
    # also reaches the isolated pod db, so its edge stands for 2 pairs and the others' for 1
    c = cluster(
        [pod("a/x", {"app": "x"}), pod("a/db", {"app": "db"})],
        [policy("a/db-in", sel({"app": "db"}), ingress=[rule(block("172.17.0.0/16"))])],
    )
    text = _dot(c, GroupBy.NAMESPACE, legend=False)
    into_a = sorted(_label(e) for e in _edge_lines(text) if _ends(e)[1] == "a" and _ends(e)[0] != "a")
    assert into_a == ["all", "all\\n(2 pairs)"]
    notes = sorted(_label(line) for line in text.splitlines() if 'shape="note"' in line)
    assert "external\\n172.17.0.0/16" in notes


def test_a_range_that_is_one_cidr_is_written_as_a_cidr() -> None:
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    rng = ExternalRange(4, int.from_bytes(bytes([192, 168, 0, 0])), int.from_bytes(bytes([192, 168, 255, 255])))
    graph.add_node(rng.label, info=NodeInfo(rng.label, "external", None, rng.label, str(rng), "External", range=rng))
    graph.add_node("ns/a", info=_info("ns/a"))
    graph.add_edge(rng.label, "ns/a", conns=ConnSet.all(), pairs=1)
    text = to_dot(graph, GroupBy.POD, legend=False)
    assert 'label="external\\n192.168.0.0/16"' in text
    assert 'tooltip="192.168.0.0-192.168.255.255[External]"' in text


def test_legend_on_and_off() -> None:
    with_legend = _dot(_shop())
    assert "subgraph cluster_legend {" in with_legend
    assert "legend_open" in with_legend
    without = _dot(_shop(), legend=False)
    assert "legend" not in without
    # the legend is the only difference
    lines = with_legend.splitlines()
    start = lines.index("  subgraph cluster_legend {")
    end = start + lines[start:].index("  }")
    assert lines[:start] + lines[end + 1 :] == without.splitlines()


def test_title() -> None:
    assert ', label="Shop traffic"];' in _dot(_shop(), title="Shop traffic").splitlines()[1]
    assert "label=" not in _dot(_shop()).splitlines()[1]


def test_long_labels_list_a_few_port_groups_and_count_the_rest() -> None:
    ports = [port(p) for p in range(1000, 1040, 2)]
    c = cluster(
        [pod("a/x", {"app": "x"}), pod("a/y", {"app": "y"})],
        [policy("a/y-in", sel({"app": "y"}), ingress=[rule(ports=ports), rule(ports=[port(53, UDP)])])],
    )
    line = next(e for e in _edge_lines(_dot(c)) if e.startswith('"a/x" -> "a/y"'))
    assert _label(line) == "TCP 1000,1002,1004,1006 +17 more"
    # the tooltip keeps the whole set
    assert "TCP 1000,1002," in line
    assert ",1038" in line


@pytest.mark.parametrize(
    ("conns", "groups", "label"),
    [
        (ConnSet.all(), 2, "all"),
        (ConnSet.of(TCP, 53) | ConnSet.of(UDP, 53), 2, "TCP 53,UDP 53"),
        (ConnSet.of(TCP, 53) | ConnSet.of(UDP, 53) | ConnSet.of(TCP, 80), 2, "TCP 53,80 +1 more"),
        (ConnSet.of(TCP, 53) | ConnSet.of(UDP, 53) | ConnSet.of(UDP, 60, 70), 2, "TCP 53,UDP 53 +1 more"),
        (ConnSet.of(TCP, 53) | ConnSet.of(UDP, 53) | ConnSet.of(UDP, 60, 70), 4, "TCP 53,UDP 53,60-70"),
    ],
)
def test_summary(conns: ConnSet, groups: int, label: str) -> None:
    assert _summary(conns, groups) == label


def test_crowded_pictures_keep_shorter_labels() -> None:
    """Above MAX_LABELLED_EDGES edges every edge keeps a label, with two port groups."""
    graph: nx.DiGraph = nx.DiGraph()  # type: ignore[type-arg]
    conns = ConnSet.of(TCP, 80) | ConnSet.of(TCP, 443) | ConnSet.of(TCP, 8080)
    for n in range(MAX_LABELLED_EDGES + 1):
        for key in (f"ns/s{n}", f"ns/d{n}"):
            graph.add_node(key, info=_info(key))
        graph.add_edge(f"ns/s{n}", f"ns/d{n}", conns=conns, pairs=1)
    picture = draw(graph, GroupBy.POD, legend=False)
    labels = {_label(e) for e in _edge_lines(picture.text)}
    assert labels == {"TCP 80,443 +1 more"}
    assert (picture.edges, picture.nodes) == (MAX_LABELLED_EDGES + 1, 2 * MAX_LABELLED_EDGES + 2)
    assert not picture.readable
    graph.remove_node("ns/s0")
    assert {_label(e) for e in _edge_lines(to_dot(graph, GroupBy.POD))} == {"TCP 80,443,8080"}


def test_readable_size() -> None:
    picture = draw(grouped_graph(PolicyIndex(_shop()), GroupBy.POD), GroupBy.POD)
    assert (picture.nodes, picture.edges) == (4, 2)  # 3 pods, 1 merged range; the legend not counted
    assert picture.readable
    assert Picture("", READABLE_NODES, READABLE_EDGES).readable
    assert not Picture("", READABLE_NODES + 1, 0).readable
    assert not Picture("", 0, READABLE_EDGES + 1).readable


def test_the_parts_of_an_edge_are_one_edge() -> None:
    """A namespace edge whose pairs are decided by the Admin tier and by NetworkPolicy is one
    edge, a line per part in its colour, drawn as parallel lines."""
    rules = (ClusterRule(Action.ACCEPT, (_namespace("a"),), (ClusterPort(TCP, 9090),)),)
    guard = ClusterNetworkPolicy("ClusterNetworkPolicy", "guard", Tier.ADMIN, 1, EVERYONE, ingress=rules)
    c = cluster(
        [pod("a/x", {"app": "x"}, ip="10.0.0.1"), pod("b/y", {"app": "y"}, ip="10.0.0.2")],
        [policy("b/in", ALL, ingress=[rule(peer(ALL, sel({"kubernetes.io/metadata.name": "a"})), ports=[port(80)])])],
    )
    graph = grouped_graph(PolicyIndex(replace(c, cluster_policies=(guard,))), GroupBy.NAMESPACE, attribute=True)
    text = to_dot(graph, GroupBy.NAMESPACE)
    [a_to_b] = [e for e in _edge_lines(text) if _ends(e) == ("a", "b")]
    assert 'label=<<font color="#1f5fa8">admin: TCP 9090</font><br/><font color="#34495e">TCP 80</font>>' in a_to_b
    assert 'color="#1f5fa8:#34495e"' in a_to_b
    assert 'penwidth="2"' in a_to_b
    assert "(accepted by the Admin tier)\\na => b : TCP 80" in a_to_b
    assert _LEGEND_ADMIN in text
    # and Graphviz reads the label
    root = ET.fromstring(render(text, "svg"))
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"admin: TCP 9090", "TCP 80"} <= texts


def test_workload_view_shows_kinds() -> None:
    web = replace(pod("a/web-1", {"app": "web"}), owner_kind="Deployment", owner_name="web")
    text = _dot(cluster([web, pod("a/solo")]), GroupBy.WORKLOAD)
    assert 'label="web\\n[Deployment]' in _node_line(text, "a/web[Deployment]")
    assert 'label="solo\\n⚠' in _node_line(text, "a/solo[Pod]")


# --- rendering ------------------------------------------------------------------------------------------


def test_render_dot_returns_the_source() -> None:
    text = _dot(_shop())
    assert render(text, "dot") == text.encode()
    assert FORMATS == ("dot", "svg", "png", "pdf")
    assert dot_available()


def test_render_svg() -> None:
    data = render(_dot(_shop(), title="shop"), "svg")
    root = ET.fromstring(data)
    assert root.tag == SVG_ROOT
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"web", "db", "TCP 5432", "shop"} <= texts


def test_render_png() -> None:
    assert render(_dot(_shop()), "png").startswith(PNG_SIGNATURE)


def test_render_pdf() -> None:
    assert render(_dot(_shop()), "pdf").startswith(b"%PDF")


def test_render_unknown_format() -> None:
    with pytest.raises(RenderError, match="unknown picture format 'gif': use one of dot, svg, png, pdf"):
        render(_dot(_shop()), "gif")


def test_render_reports_a_graphviz_failure() -> None:
    with pytest.raises(RenderError, match="Graphviz failed to render SVG"):
        render("digraph { a -> }", "svg")


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_render_without_dot_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    monkeypatch.setattr("netsim.render.dot.shutil.which", lambda name: None)
    assert not dot_available()
    with pytest.raises(RenderError) as info:
        render(_dot(_shop()), fmt)
    message = str(info.value)
    assert f"Graphviz's `dot` program is not installed, so {fmt.upper()} cannot be rendered" in message
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "(-o dot, or --output-file graph.dot)" in message
    # DOT itself needs no Graphviz
    assert render("digraph {}", "dot") == b"digraph {}"


def test_undetermined_edges_are_dashed_and_the_legend_says_so() -> None:
    # without IPs, whether tools/debug is in db's egress ipBlock depends on the address it gets
    c = _shop()
    c = cluster([replace(p, ips=()) for p in c.pods], list(c.policies))
    text = _dot(c)
    maybe = [e for e in _edge_lines(text) if _ends(e) == ("shop/db", "tools/debug")]
    assert len(maybe) == 1
    assert 'style="dashed"' in maybe[0]
    assert _label(maybe[0]) == "? UDP 53"
    assert "undetermined: UDP 53" in maybe[0]
    assert "legend_maybe" in text
    # decided edges stay solid, and a picture without unknowns has no such legend entry
    web_db = [e for e in _edge_lines(text) if _ends(e) == ("shop/web", "shop/db")]
    assert len(web_db) == 1
    assert "dashed" not in web_db[0]
    assert "legend_maybe" not in _dot(_shop())


EVERYONE = PodPeer(LabelSelector(), None)
_LEGEND_ADMIN = 'legend_pod -> legend_tiered [label="admin: TCP 9090'
_LEGEND_BASELINE = 'legend_pod -> legend_tiered [label="baseline: TCP 53'


def _namespace(name: str) -> PodPeer:
    return PodPeer(LabelSelector(Labels({"kubernetes.io/metadata.name": name})), None)


def _tier_dot(c: Cluster) -> str:
    graph = grouped_graph(PolicyIndex(c), GroupBy.POD, attribute=True)
    return to_dot(graph, GroupBy.POD)


def test_what_the_admin_tier_accepts_is_drawn_in_its_colour_and_the_legend_says_so() -> None:
    """_shop() with an Admin policy that accepts TCP 9090 into every pod from tools and passes
    the rest to NetworkPolicy."""
    rules = (
        ClusterRule(Action.ACCEPT, (_namespace("tools"),), (ClusterPort(TCP, 9090),)),
        ClusterRule(Action.PASS, (EVERYONE,)),
    )
    guard = ClusterNetworkPolicy("ClusterNetworkPolicy", "guard", Tier.ADMIN, 1, EVERYONE, ingress=rules)
    text = _tier_dot(replace(_shop(), cluster_policies=(guard,)))
    into_web = [e for e in _edge_lines(text) if _ends(e) == ("tools/debug", "shop/web")]
    assert len(into_web) == 1  # shop isolates web, but the Admin tier accepts 9090 first
    assert _label(into_web[0]) == "admin: TCP 9090"
    assert "accepted by the Admin tier" in into_web[0]
    assert 'penwidth="2"' in into_web[0]
    assert _LEGEND_ADMIN in text
    assert _LEGEND_BASELINE not in text
    # what NetworkPolicy allows is drawn as before
    web_db = [e for e in _edge_lines(text) if _ends(e) == ("shop/web", "shop/db")]
    assert [_label(e) for e in web_db] == ["TCP 5432"]


def test_what_the_baseline_tier_accepts_is_drawn_in_its_colour() -> None:
    """Two namespaces without NetworkPolicy; the Baseline tier accepts TCP 9090 from a and denies
    the rest from every namespace."""
    rules = (
        ClusterRule(Action.ACCEPT, (_namespace("a"),), (ClusterPort(TCP, 9090),)),
        ClusterRule(Action.DENY, (EVERYONE,)),
    )
    default = ClusterNetworkPolicy("ClusterNetworkPolicy", "default", Tier.BASELINE, 1, EVERYONE, ingress=rules)
    c = cluster([pod("a/x", {"app": "x"}, ip="10.0.0.1"), pod("b/y", {"app": "y"}, ip="10.0.0.2")], [])
    text = _tier_dot(replace(c, cluster_policies=(default,)))
    a_to_b = [e for e in _edge_lines(text) if _ends(e) == ("a/x", "b/y")]
    assert [_label(e) for e in a_to_b] == ["baseline: TCP 9090"]
    assert "#138d75" in a_to_b[0]
    assert not [e for e in _edge_lines(text) if _ends(e) == ("b/y", "a/x")]
    assert _LEGEND_BASELINE in text
    assert _LEGEND_ADMIN not in text
    # with a NetworkPolicy isolating b/y, the Baseline tier no longer decides its ingress
    isolated = cluster(c.pods, [policy("b/allow", ALL, ingress=[rule(ports=[port(9090)])])])
    text = _tier_dot(replace(isolated, cluster_policies=(default,)))
    a_to_b = [e for e in _edge_lines(text) if _ends(e) == ("a/x", "b/y")]
    assert [_label(e) for e in a_to_b] == ["TCP 9090"]


def test_pictures_without_cluster_policies_have_no_tier_legend() -> None:
    text = _tier_dot(_shop())
    assert "legend_tiered" not in text
