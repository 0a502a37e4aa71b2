"""netsim.diff: connections added, removed and changed between two clusters, grouped by namespace,
attributed to the policy, workload and namespace changes behind them; and its three renderings."""

from __future__ import annotations

import json
from dataclasses import replace
from ipaddress import ip_address

import pytest

from netsim.connset import ConnSet
from netsim.diff import ConnectionChange, Diff, diff_clusters, policy_fields
from netsim.errors import SourceSpan
from netsim.externals import ExternalRange, cut_points, external_ranges, split_range
from netsim.model import Cluster, Direction, NetworkPolicy, Options, Pod
from netsim.render.diff import MD_FOLD_ROWS, diff_json, diff_md, diff_summary, diff_text
from tests.unit.builders import ALL, UDP, block, cluster, namespace, peer, pod, policy, port, rule, sel

WEB = pod("shop/web", {"app": "web"}, ip="10.0.1.10")
DB = pod("shop/db", {"app": "db"}, ip="10.0.1.20")
CLIENT = pod("other/client", {"app": "client"}, ip="10.0.2.10")
TOOLS = pod("other/tools", {"app": "tools"}, ip="10.0.2.11")

DB_FROM_WEB_80 = policy(
    "shop/db-from-web", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port(80)])]
)
DENY_SHOP = policy("shop/deny", ALL, types="Ingress")


def _key(c: ConnectionChange) -> tuple[str, str, str]:
    return (c.kind, c.source.label, c.destination.label)


def _pods(*pods: Pod) -> list[Pod]:
    return list(pods)


def _diff(base: Cluster, head: Cluster, options: Options | None = None) -> Diff:
    return diff_clusters(base, head, options)


# -- connections -------------------------------------------------------------------------------------


def test_identical_clusters_have_no_difference() -> None:
    c = cluster(_pods(WEB, DB, CLIENT), [DB_FROM_WEB_80])
    d = _diff(c, c)
    assert (d.connections, d.groups, d.policies, d.endpoints) == ((), (), (), ())
    assert d.empty
    assert not d.opens
    assert not d.closes


def test_spans_do_not_make_a_policy_modified() -> None:
    moved = replace(DB_FROM_WEB_80, span=SourceSpan("elsewhere.yaml", 9, 1))
    d = _diff(cluster([WEB, DB], [DB_FROM_WEB_80]), cluster([WEB, DB], [moved]))
    assert d.empty


def test_a_policy_added_removes_connections_and_is_the_cause() -> None:
    base = cluster([WEB, DB, CLIENT])
    head = cluster([WEB, DB, CLIENT], [DB_FROM_WEB_80])
    d = _diff(base, head)
    assert [_key(c) for c in d.connections] == [
        ("removed", "0.0.0.0-255.255.255.255[External]", "shop/db[Pod]"),
        ("removed", "other/client[Pod]", "shop/db[Pod]"),
        ("changed", "shop/web[Pod]", "shop/db[Pod]"),
    ]
    [changed] = d.of_kind("changed")
    assert (changed.before, changed.after) == (ConnSet.all(), ConnSet.of(port(80).protocol, 80))
    assert changed.gained == ConnSet.none()
    assert changed.lost == ConnSet.all() - ConnSet.of(port(80).protocol, 80)
    for c in d.connections:
        assert [str(cause) for cause in c.causes] == [
            "policy shop/db-from-web added: selects the destination for Ingress"
        ]
    [added] = d.policies
    assert (added.kind, added.ref, added.base, added.head) == ("added", "shop/db-from-web", None, DB_FROM_WEB_80)
    assert d.closes
    assert not d.opens
    assert not d.empty


def test_a_policy_removed_adds_connections() -> None:
    d = _diff(cluster([WEB, DB], [DENY_SHOP]), cluster([WEB, DB]))
    assert [_key(c) for c in d.connections] == [
        ("added", "0.0.0.0-255.255.255.255[External]", "shop/db[Pod]"),
        ("added", "0.0.0.0-255.255.255.255[External]", "shop/web[Pod]"),
        ("added", "shop/db[Pod]", "shop/web[Pod]"),
        ("added", "shop/web[Pod]", "shop/db[Pod]"),
    ]
    assert all(c.before == ConnSet.none() and c.after == ConnSet.all() for c in d.connections)
    assert {str(c) for ch in d.connections for c in ch.causes} == {
        "policy shop/deny removed: selects the destination for Ingress"
    }
    assert d.opens
    assert not d.closes
    assert [(p.kind, p.ref) for p in d.policies] == [("removed", "shop/deny")]


def test_a_port_changed_is_one_changed_connection_with_what_was_gained_and_lost() -> None:
    to_8080 = policy(
        "shop/db-from-web", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})), ports=[port(8080)])]
    )
    base = cluster([WEB, DB], [DB_FROM_WEB_80, DENY_SHOP])
    head = cluster([WEB, DB], [to_8080, DENY_SHOP])
    d = _diff(base, head)
    [change] = d.connections
    assert _key(change) == ("changed", "shop/web[Pod]", "shop/db[Pod]")
    assert (str(change.before), str(change.after)) == ("TCP 80", "TCP 8080")
    assert (str(change.gained), str(change.lost)) == ("TCP 8080", "TCP 80")
    [modified] = d.policies
    assert (modified.kind, modified.fields) == ("modified", ("spec.ingress[0].ports",))
    assert [str(c) for c in change.causes] == ["policy shop/db-from-web modified: selects the destination for Ingress"]
    assert d.opens
    assert d.closes


def test_a_label_change_is_attributed_to_the_workload() -> None:
    renamed = replace(WEB, labels=type(WEB.labels)({"app": "frontend"}))
    base = cluster([WEB, DB], [DB_FROM_WEB_80, DENY_SHOP])
    head = cluster([renamed, DB], [DB_FROM_WEB_80, DENY_SHOP])
    d = _diff(base, head)
    [change] = d.connections
    assert _key(change) == ("removed", "shop/web[Pod]", "shop/db[Pod]")
    assert [str(c) for c in change.causes] == [
        "workload shop/web[Pod] changed: the source (labels app=web -> app=frontend)"
    ]
    assert d.policies == ()
    [endpoint] = d.endpoints
    assert (endpoint.kind, endpoint.subject, endpoint.ref, endpoint.effective) == (
        "changed",
        "workload",
        "shop/web[Pod]",
        True,
    )


def test_a_label_change_without_effect_is_listed_but_not_a_change() -> None:
    relabelled = replace(CLIENT, labels=type(CLIENT.labels)({"app": "client", "version": "2"}))
    d = _diff(cluster([WEB, CLIENT]), cluster([WEB, relabelled]))
    assert d.connections == ()
    assert d.empty
    [endpoint] = d.endpoints
    assert endpoint.details == ("labels app=client -> app=client,version=2",)
    assert not endpoint.effective


def test_a_namespace_label_change_is_a_cause() -> None:
    from_team = policy(
        "shop/db-from-team",
        sel({"app": "db"}),
        ingress=[rule(peer(ALL, sel({"team": "blue"})))],
    )
    base = cluster([DB, CLIENT], [from_team], [namespace("other", {"team": "blue"})])
    head = cluster([DB, CLIENT], [from_team], [namespace("other", {"team": "red"})])
    d = _diff(base, head)
    [change] = d.connections
    assert _key(change) == ("removed", "other/client[Pod]", "shop/db[Pod]")
    assert [str(c) for c in change.causes] == [
        "namespace other changed: the source's namespace "
        "(labels kubernetes.io/metadata.name=other,team=blue -> kubernetes.io/metadata.name=other,team=red)"
    ]


def test_a_workload_added_brings_its_connections_with_it() -> None:
    d = _diff(cluster([WEB], [DENY_SHOP]), cluster([WEB, CLIENT], [DENY_SHOP]))
    assert [_key(c) for c in d.connections] == [
        ("added", "0.0.0.0-255.255.255.255[External]", "other/client[Pod]"),
        ("added", "other/client[Pod]", "0.0.0.0-255.255.255.255[External]"),
        ("added", "shop/web[Pod]", "other/client[Pod]"),
    ]
    assert [str(c) for c in d.connections[1].causes] == [
        "workload other/client[Pod] added: the source (labels app=client)"
    ]
    assert [str(c) for c in d.connections[2].causes] == [
        "workload other/client[Pod] added: the destination (labels app=client)"
    ]


def test_pods_of_one_workload_are_one_endpoint() -> None:
    def replica(name: str, ip: str) -> Pod:
        return replace(pod(f"shop/{name}", {"app": "api"}, ip=ip), owner_kind="ReplicaSet", owner_name="api-5d8f")

    pods = [replica("api-5d8f-a", "10.0.1.31"), replica("api-5d8f-b", "10.0.1.32"), WEB]
    d = _diff(cluster(pods), cluster(pods, [DENY_SHOP]))
    assert {_key(c) for c in d.connections} == {
        ("removed", "0.0.0.0-255.255.255.255[External]", "shop/api-5d8f[ReplicaSet]"),
        ("removed", "0.0.0.0-255.255.255.255[External]", "shop/web[Pod]"),
        ("removed", "shop/api-5d8f[ReplicaSet]", "shop/web[Pod]"),
        ("removed", "shop/web[Pod]", "shop/api-5d8f[ReplicaSet]"),
        # one replica to another: the two pods of the ReplicaSet no longer talk to each other
        ("removed", "shop/api-5d8f[ReplicaSet]", "shop/api-5d8f[ReplicaSet]"),
    }


# -- namespace-wide lines -------------------------------------------------------------------------------


def test_all_connections_between_two_namespaces_removed_is_one_group() -> None:
    base = cluster([WEB, DB, CLIENT, TOOLS])
    head = cluster([WEB, DB, CLIENT, TOOLS], [DENY_SHOP])
    d = _diff(base, head)
    groups = {(g.kind, g.source, g.destination): len(g.changes) for g in d.groups}
    assert groups == {
        ("removed", "0.0.0.0-255.255.255.255[External]", "shop"): 2,
        ("removed", "other", "shop"): 4,
        ("removed", "shop", "shop"): 2,
    }
    group = next(g for g in d.groups if g.source == "other")
    assert group.source_is_namespace
    assert group.destination_is_namespace
    assert [str(c) for c in group.causes] == ["policy shop/deny added: selects the destination for Ingress"]


def test_a_partial_change_between_namespaces_is_not_grouped() -> None:
    only_client = policy("shop/db-from-web-only", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})))])
    base = cluster([WEB, DB, CLIENT, TOOLS])
    head = cluster([WEB, DB, CLIENT, TOOLS], [only_client])
    d = _diff(base, head)
    # other -> shop: client and tools lose db but keep web, so not "all connections removed"
    assert [(g.source, g.destination) for g in d.groups] == []
    assert {_key(c) for c in d.connections} == {
        ("removed", "0.0.0.0-255.255.255.255[External]", "shop/db[Pod]"),
        ("removed", "other/client[Pod]", "shop/db[Pod]"),
        ("removed", "other/tools[Pod]", "shop/db[Pod]"),
    }


def test_connections_changed_the_same_way_are_grouped() -> None:
    to_80 = policy("shop/in-80", ALL, ingress=[rule(ports=[port(80)])])
    to_443 = policy("shop/in-80", ALL, ingress=[rule(ports=[port(443)])])
    d = _diff(cluster([WEB, DB, CLIENT], [to_80]), cluster([WEB, DB, CLIENT], [to_443]))
    kinds = {(g.kind, g.source, g.destination, len(g.changes)) for g in d.groups}
    assert ("changed", "other", "shop", 2) in kinds
    group = next(g for g in d.groups if g.source == "other")
    assert (str(group.gained), str(group.lost)) == ("TCP 443", "TCP 80")


# -- external ranges compared by address ----------------------------------------------------------------


def test_external_ranges_are_cut_on_both_sides_cut_points() -> None:
    corp_only = policy("shop/web-out", sel({"app": "web"}), egress=[rule(block("10.0.0.0/8"))], types="Egress")
    base = cluster([WEB])
    head = cluster([WEB], [corp_only])
    d = _diff(base, head)
    assert [_key(c) for c in d.connections] == [
        ("removed", "shop/web[Pod]", "0.0.0.0-9.255.255.255[External]"),
        ("removed", "shop/web[Pod]", "11.0.0.0-255.255.255.255[External]"),
    ]  # web -> 10.0.0.0/8 is allowed on both sides: not listed


def test_ipv6_space_is_evaluated_on_the_side_without_ipv6_blocks() -> None:
    v6_only = policy("shop/web-out", sel({"app": "web"}), egress=[rule(block("fd00::/8"))], types="Egress")
    d = _diff(cluster([WEB]), cluster([WEB], [v6_only]))
    assert [c.destination.label for c in d.connections] == [
        "0.0.0.0-255.255.255.255[External]",
        "::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]",
        "fe00::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]",
    ]
    assert {c.kind for c in d.connections} == {"removed"}


def test_split_range_and_extra_cut_points() -> None:
    whole = ExternalRange(4, 0, (1 << 32) - 1)
    assert split_range(whole, [int(ip_address("10.0.0.0")), int(ip_address("11.0.0.0")), 0]) == (
        ExternalRange(4, 0, int(ip_address("9.255.255.255"))),
        ExternalRange(4, int(ip_address("10.0.0.0")), int(ip_address("10.255.255.255"))),
        ExternalRange(4, int(ip_address("11.0.0.0")), (1 << 32) - 1),
    )
    c = cluster([WEB], [policy("shop/p", ALL, egress=[rule(block("10.0.0.0/8", "10.1.0.0/16"))])])
    assert cut_points(c, Direction.EGRESS) == {
        4: frozenset(int(ip_address(a)) for a in ("10.0.0.0", "10.1.0.0", "10.2.0.0", "11.0.0.0")),
        6: frozenset(),
    }
    assert cut_points(c, Direction.INGRESS) == {4: frozenset(), 6: frozenset()}
    ranges = external_ranges(c, Direction.INGRESS, {4: [int(ip_address("192.168.0.0"))], 6: [0]})
    assert [str(r) for r in ranges] == [
        "0.0.0.0-192.167.255.255",
        "192.168.0.0-255.255.255.255",
        "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    ]


def test_common_options_apply_to_both_sides() -> None:
    by_ip = policy("shop/db-from", sel({"app": "db"}), ingress=[rule(block("10.0.1.0/24"))])
    by_label = policy("shop/db-from", sel({"app": "db"}), ingress=[rule(peer(sel({"app": "web"})))])
    base, head = cluster([WEB, DB], [by_ip]), cluster([WEB, DB], [by_label])
    outside = ("removed", "10.0.1.0-10.0.1.255[External]", "shop/db[Pod]")
    # the ipBlock selected web's IP already (upstream e2e behaviour): web -> db does not change
    assert [_key(c) for c in _diff(base, head).connections] == [outside]
    # without ipBlock matching pods, the podSelector is what lets web in
    without = _diff(base, head, Options(ipblock_matches_pods=False))
    assert [_key(c) for c in without.connections] == [("added", "shop/web[Pod]", "shop/db[Pod]"), outside]


# -- policy fields ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "fields"),
    [
        (replace(DB_FROM_WEB_80, pod_selector=sel({"app": "x"})), ("spec.podSelector",)),
        (replace(DB_FROM_WEB_80, policy_types=frozenset(Direction)), ("spec.policyTypes",)),
        (replace(DB_FROM_WEB_80, ingress=()), ("spec.ingress[0] removed",)),
        (
            replace(DB_FROM_WEB_80, ingress=(*DB_FROM_WEB_80.ingress, rule())),
            ("spec.ingress[1] added",),
        ),
        (
            replace(DB_FROM_WEB_80, ingress=(rule(peer(sel({"app": "x"})), ports=[port(80)]),)),
            ("spec.ingress[0].from",),
        ),
        (
            replace(DB_FROM_WEB_80, egress=(rule(ports=[port(53, UDP)]),)),
            ("spec.egress[0] added",),
        ),
        (
            replace(DB_FROM_WEB_80, ingress=(rule(peer(sel({"app": "x"})), ports=[port(81)]),)),
            ("spec.ingress[0].from", "spec.ingress[0].ports"),
        ),
    ],
    ids=["podSelector", "policyTypes", "rule-removed", "rule-added", "peers", "egress-rule-added", "peers-and-ports"],
)
def test_policy_fields_name_what_was_modified(head: NetworkPolicy, fields: tuple[str, ...]) -> None:
    assert policy_fields(DB_FROM_WEB_80, head) == fields


# -- rendering ----------------------------------------------------------------------------------------------


def _example() -> Diff:
    base = cluster([WEB, DB, CLIENT, TOOLS], [DB_FROM_WEB_80])
    head = cluster(
        [WEB, DB, CLIENT, TOOLS],
        [replace(DB_FROM_WEB_80, ingress=(rule(peer(sel({"app": "web"})), ports=[port(8080)]),)), DENY_SHOP],
    )
    return _diff(base, head)


def test_summary_line() -> None:
    assert diff_summary(_example()) == "4 connections removed, 1 changed; 1 policy added, 1 modified"
    assert (
        diff_summary(_diff(cluster([WEB]), cluster([WEB]))) == "no change: the same connections and the same policies"
    )
    only_policy = _diff(cluster([WEB], [DB_FROM_WEB_80]), cluster([WEB], [replace(DB_FROM_WEB_80, name="renamed")]))
    assert diff_summary(only_policy) == "no connection changed; 1 policy added, 1 removed"


def test_text_rendering() -> None:
    assert diff_text(_example(), "base", "head") == (
        "netsim diff base -> head\n"
        "4 connections removed, 1 changed; 1 policy added, 1 modified\n"
        "\n"
        "Connections removed (4):\n"
        "  - namespace other => namespace shop: all 2 connections removed (none remain)\n"
        "      cause: policy shop/deny added: selects the destination for Ingress\n"
        "  - 0.0.0.0-255.255.255.255[External] => shop/web[Pod] : All Connections\n"
        "      cause: policy shop/deny added: selects the destination for Ingress\n"
        "  - shop/db[Pod] => shop/web[Pod] : All Connections\n"
        "      cause: policy shop/deny added: selects the destination for Ingress\n"
        "\n"
        "Connections changed (1):\n"
        "  ~ shop/web[Pod] => shop/db[Pod] : TCP 80 -> TCP 8080 (gained TCP 8080, lost TCP 80)\n"
        "      cause: policy shop/db-from-web modified: selects the destination for Ingress\n"
        "      cause: policy shop/deny added: selects the destination for Ingress\n"
        "\n"
        "Policies added (1):\n"
        "  + shop/deny\n"
        "\n"
        "Policies modified (1):\n"
        "  ~ shop/db-from-web: spec.ingress[0].ports\n"
    )


def test_json_rendering() -> None:
    data = json.loads(diff_json(_example(), "base", "head"))
    assert data["summary"] == {
        "text": "4 connections removed, 1 changed; 1 policy added, 1 modified",
        "connections": {"added": 0, "removed": 4, "changed": 1},
        "policies": {"added": 1, "removed": 0, "modified": 1},
        "opens": True,
        "closes": True,
        "changed": True,
    }
    changed = next(c for c in data["connections"] if c["change"] == "changed")
    assert changed["src"] == {"kind": "Pod", "namespace": "shop", "name": "web"}
    assert (changed["before"], changed["after"]) == ({"TCP": [[80, 80]]}, {"TCP": [[8080, 8080]]})
    assert (changed["gained"], changed["lost"]) == ({"TCP": [[8080, 8080]]}, {"TCP": [[80, 80]]})
    assert changed["causes"][0] == {
        "kind": "policy",
        "ref": "shop/db-from-web",
        "change": "modified",
        "role": "selects the destination for Ingress",
        "location": None,
    }
    [group] = data["groups"]
    assert group == {
        "change": "removed",
        "from": {"kind": "Namespace", "name": "other"},
        "to": {"kind": "Namespace", "name": "shop"},
        "count": 2,
        "gained": {},
        "lost": {"SCTP": [[1, 65535]], "TCP": [[1, 65535]], "UDP": [[1, 65535]]},
        "nowUndetermined": {},
        "nowDecided": {},
        "connections": [["other/client[Pod]", "shop/web[Pod]"], ["other/tools[Pod]", "shop/web[Pod]"]],
    }
    external = next(c for c in data["connections"] if c["src"]["kind"] == "External")
    assert external["src"] == {"kind": "External", "first": "0.0.0.0", "last": "255.255.255.255"}
    assert [p["policy"] for p in data["policies"]] == ["shop/db-from-web", "shop/deny"]
    assert data["policies"][0]["fields"] == ["spec.ingress[0].ports"]


def test_md_rendering_has_tables_and_folds_long_ones() -> None:
    md = diff_md(_example(), "base", "head")
    assert md.startswith("### netsim diff: 4 connections removed, 1 changed; 1 policy added, 1 modified\n")
    assert "| source | destination | before | after | gained | lost | cause |" in md
    assert "| `shop/web[Pod]` | `shop/db[Pod]` | TCP 80 | TCP 8080 | TCP 8080 | TCP 80 |" in md
    assert "- **namespace other =&gt; namespace shop: all 2 connections removed (none remain)**" in md
    assert "<summary>the 2 connections above, one by one</summary>" in md
    assert "| `0.0.0.0-255.255.255.255[External]` | `shop/web[Pod]` | All Connections |" in md
    assert md.count("<details>") == md.count("</details>") == 1  # the grouped connections, one by one
    many = [pod(f"other/c{i}", {"app": f"c{i}"}, ip=f"10.0.3.{i}") for i in range(MD_FOLD_ROWS + 1)]
    policies = [policy(f"other/p{i}", sel({"app": f"c{i}"}), egress=[rule(peer(ALL, ALL))]) for i in range(len(many))]
    wide = _diff(cluster([*many, WEB]), cluster([*many, WEB], policies))
    folded = diff_md(wide, "a", "b")
    assert "<summary>12 policies changed</summary>" not in folded
    assert "<summary>11 policies changed</summary>" in folded


# -- three-valued answers ----------------------------------------------------------------------------


def test_a_change_between_decided_and_undetermined_is_reported() -> None:
    # head admits db's ingress from 10.0.0.0/8: whether the address-less client is in it is open
    client = pod("other/client", {"app": "client"})
    db = pod("shop/db", {"app": "db"}, ip="10.0.2.9")
    deny = policy("shop/db-in", sel({"app": "db"}), ingress=[])
    cidr = policy("shop/db-in", sel({"app": "db"}), ingress=[rule(block("10.0.0.0/8"), ports=[port(5432)])])
    d = _diff(cluster([client, db], [deny]), cluster([client, db], [cidr]))
    [change] = [c for c in d.connections if c.source.label == "other/client[Pod]"]
    assert (change.kind, str(change.after), str(change.after_undetermined)) == ("added", "No Connections", "TCP 5432")
    assert (change.gained, str(change.now_undetermined)) == (ConnSet.none(), "TCP 5432")
    assert d.opens  # it may now be allowed: a gate on opening must see it
    assert not d.closes
    text = diff_text(d, "base", "head")
    assert "other/client[Pod] => shop/db[Pod] : undetermined TCP 5432" in text
    # the reverse change: the answer becomes decided (denied), which may close what was open
    back = _diff(cluster([client, db], [cidr]), cluster([client, db], [deny]))
    [change] = [c for c in back.connections if c.source.label == "other/client[Pod]"]
    assert (change.kind, str(change.now_decided)) == ("removed", "TCP 5432")
    assert back.closes
    assert not back.opens
    # a known address decides it: no undetermined change at all
    placed = replace(client, ips=(ip_address("10.0.3.3"),))
    decided = _diff(cluster([placed, db], [deny]), cluster([placed, db], [cidr]))
    [change] = [c for c in decided.connections if c.source.label == "other/client[Pod]"]
    assert (str(change.gained), change.after_undetermined) == ("TCP 5432", ConnSet.none())


def test_undetermined_in_both_versions_is_no_change() -> None:
    client = pod("other/client", {"app": "client"})
    db = pod("shop/db", {"app": "db"}, ip="10.0.2.9")
    cidr = policy("shop/db-in", sel({"app": "db"}), ingress=[rule(block("10.0.0.0/8"), ports=[port(5432)])])
    d = _diff(cluster([client, db], [cidr]), cluster([client, db], [cidr]))
    assert d.empty
    assert not d.opens


def test_an_ipblock_cut_at_a_node_address_changes_nothing_for_that_address() -> None:
    # web's node is 192.168.0.10; web is isolated for egress and may always reach its own node (the
    # local-node exception). The head adds an unrelated egress ipBlock of exactly that address, so
    # its ranges are cut there: the base's verdict for that address must be the node's own, not the
    # one of the wider range around it (which avoids node addresses).
    web = pod("shop/web", {"app": "web"}, ip="10.0.1.10", node="node-a", host_ip="192.168.0.10")
    deny = policy("shop/deny-egress", ALL, types="Egress")
    to_node = policy(
        "shop/other-to-node",
        sel({"app": "none"}),
        egress=[rule(block("192.168.0.10/32"), ports=[port(22)])],
    )
    base = cluster([web], [deny])
    head = cluster([web], [deny, to_node])
    assert [_key(c) for c in _diff(base, head).connections] == []
