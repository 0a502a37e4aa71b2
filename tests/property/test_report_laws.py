"""The data of ``netsim report`` is a projection of the reachability graph, checked on random
small clusters whose workloads own pods that policies may treat differently.

* a namespace's view holds exactly the workload-level edges with an end in it, each aggregated
  onto the view's nodes (another namespace's workloads onto that namespace, the external ranges
  onto one node when there are many): connections and undetermined ones united, pod pairs added;
* the overview holds the namespace-level edges;
* every explanation the report carries is of a pair that its edge stands for: the pair has the
  port for certain, or possibly when the edge has the port only as undetermined.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import netsim.report
from netsim.connset import ConnSet
from netsim.engine import PolicyIndex
from netsim.graph import GroupBy, grouped_edges
from netsim.model import Cluster, Options
from netsim.report import EXTERNAL, build_report
from tests.property.graph_strategies import graph_clusters, options

pytestmark = pytest.mark.property

LAWS = settings(max_examples=60, deadline=None)


@st.composite
def owned_clusters(draw: st.DrawFn) -> Cluster:
    """A graph cluster whose pods are put under a few ReplicaSets (pods of one ReplicaSet may
    differ in labels and addresses, so policies may treat them differently)."""
    cluster = draw(graph_clusters())
    pods = []
    for pod in cluster.pods:
        owner = draw(st.sampled_from([None, "rs-a", "rs-b"]))
        pods.append(
            pod if owner is None or pod.host_network else replace(pod, owner_kind="ReplicaSet", owner_name=owner)
        )
    return replace(cluster, pods=tuple(pods))


def _strings(data: dict[str, Any], at: int) -> str:
    text: str = data["strings"][at]
    return text


def _reference_views(index: PolicyIndex, merged: bool) -> dict[str, dict[tuple[str, str], tuple[str, str, int]]]:
    """Per namespace, its view's edges computed the plain way: every workload row with an end in
    it, its ends mapped onto the view's nodes, aggregated."""
    graph = grouped_edges(index, GroupBy.WORKLOAD)
    acc: dict[str, dict[tuple[str, str], tuple[ConnSet, ConnSet, int]]] = {}
    for row in graph.iter_rows():
        for ns in {row.source.namespace, row.destination.namespace} - {None}:
            assert ns is not None

            def end(info: Any, ns: str = ns) -> str:
                if info.namespace == ns:
                    return str(info.key)
                if info.namespace is not None:
                    return str(info.namespace)
                return EXTERNAL if merged else str(info.key)

            ends = (end(row.source), end(row.destination))
            view = acc.setdefault(ns, {})
            conns, maybe, pairs = view.get(ends, (ConnSet.none(), ConnSet.none(), 0))
            view[ends] = (conns | row.conns, maybe | row.undetermined, pairs + row.pairs)
    return {
        ns: {ends: (str(c) if c else "", str(m - c) if m - c else "", n) for ends, (c, m, n) in view.items()}
        for ns, view in acc.items()
    }


def _view_edges(data: dict[str, Any], ns: str) -> dict[tuple[str, str], tuple[str, str, int]]:
    view = data["namespaces"][ns]
    workloads, overview = data["workloads"]["nodes"], data["overview"]["nodes"]
    ids = [workloads[ref]["id"] if ref >= 0 else overview[-ref - 1]["id"] for ref, *_ in view["nodes"]]
    return {(ids[e[0]], ids[e[1]]): (_strings(data, e[2]), _strings(data, e[3]), e[4]) for e in view["edges"]}


def _check(cluster: Cluster, opts: Options) -> None:
    index = PolicyIndex(cluster, opts)
    data = build_report(index, title="t")
    ranges = sum(1 for info in grouped_edges(index, GroupBy.NAMESPACE).nodes.values() if info.kind == "external")
    merged = ranges > netsim.report.MAX_RANGES
    expected = _reference_views(index, merged)
    for ns in data["namespaces"]:
        assert _view_edges(data, ns) == expected.get(ns, {}), ns
    overview = grouped_edges(index, GroupBy.NAMESPACE)
    ov_ids = [n["id"] for n in data["overview"]["nodes"]]
    drawn = {(ov_ids[e[0]], ov_ids[e[1]]) for e in data["overview"]["edges"]}
    if not merged:
        assert drawn == {(r.source.key, r.destination.key) for r in overview.iter_rows()} - {(k, k) for k in ov_ids}
    for src, dst, port, text in data["why"]:
        first = text.splitlines()[0]
        assert first.endswith(("ALLOWED", "UNDETERMINED")), (
            f"{src} -> {dst} {port} explains an edge it is not behind:\n{text}"
        )


@LAWS
@given(owned_clusters(), options)
def test_the_views_project_the_workload_graph_and_explain_pairs_behind_their_edges(
    cluster: Cluster, opts: Options
) -> None:
    _check(cluster, opts)


@LAWS
@given(owned_clusters(), options)
def test_merged_external_ranges_aggregate_alike(cluster: Cluster, opts: Options) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(netsim.report, "MAX_RANGES", 0)
        _check(cluster, opts)
