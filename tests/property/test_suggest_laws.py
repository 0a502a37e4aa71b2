"""netsim suggest's two promises, on random clusters and random observed connections.

After the suggestion (with or without a default deny), every observed connection is allowed, or
undetermined with a stated reason, or denied where the suggestion said no NetworkPolicy can allow
it (and why); and no pair of workloads that was not observed gains a connection, except where a
selector cannot be exact (no set of labels tells two workloads apart), which the suggestion
states. When every workload has labels of its own, nothing unobserved is opened at all.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netsim.model import Cluster, Labels, Options, Pod
from netsim.replay import Observed
from netsim.suggest import suggest, verify
from netsim.verdict import Decision
from tests.property.graph_strategies import graph_clusters
from tests.property.strategies import clusters, endpoints, probe_ports, protocols

pytestmark = pytest.mark.property

LAWS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def observed_connections(draw: st.DrawFn, cluster: Cluster) -> list[Observed]:
    """Up to six distinct connections between the cluster's pods and external addresses."""
    ends = endpoints(cluster)
    out: dict[tuple[str, str, object, int], Observed] = {}
    for i in range(draw(st.integers(1, 6))):
        src, dst = draw(st.sampled_from(ends)), draw(st.sampled_from(ends))
        if not (isinstance(src, Pod) or isinstance(dst, Pod)):
            continue
        o = Observed(src, dst, draw(protocols), draw(probe_ports), draw(st.integers(1, 50)), at=f"flows.json:{i + 1}")
        out.setdefault(o.key, o)
    return list(out.values())


def _own_labels(cluster: Cluster) -> Cluster:
    """Every pod with a label of its own (as workloads of a real cluster have)."""
    pods = tuple(replace(p, labels=Labels({**p.labels, "id": f"{p.namespace}-{p.name}"})) for p in cluster.pods)
    return replace(cluster, pods=pods)


def _check(cluster: Cluster, options: Options, observed: list[Observed], default_deny: bool) -> None:
    s = suggest(cluster, options, observed, default_deny=default_deny)
    v = verify(cluster, options, observed, s)
    assert v.denied == (), v.failures()
    assert v.unexpected == (), v.failures()
    undetermined = {r.observed.key: why for r, why in v.undetermined}
    not_allowable = {r.observed.key: why for r, why in v.not_allowable}
    for r in v.replayed:
        if r.decision is Decision.UNDETERMINED:
            assert undetermined[r.observed.key]
        elif r.decision is Decision.DENIED:
            assert not_allowable[r.observed.key]
    for o in v.opened:
        assert o.reason, o


@LAWS
@given(data=st.data(), default_deny=st.booleans(), ipblock_pods=st.booleans())
def test_everything_observed_is_allowed_and_nothing_else_opened(
    data: st.DataObject, default_deny: bool, ipblock_pods: bool
) -> None:
    cluster = data.draw(clusters(max_policies=3))
    observed = data.draw(observed_connections(cluster))
    _check(cluster, Options(ipblock_matches_pods=ipblock_pods), observed, default_deny)


@LAWS
@given(data=st.data(), default_deny=st.booleans())
def test_the_same_with_replicas_nodes_and_host_network_pods(data: st.DataObject, default_deny: bool) -> None:
    cluster = data.draw(graph_clusters())
    observed = data.draw(observed_connections(cluster))
    _check(cluster, Options(), observed, default_deny)


@LAWS
@given(data=st.data(), default_deny=st.booleans())
def test_workloads_with_labels_of_their_own_open_nothing_unobserved(data: st.DataObject, default_deny: bool) -> None:
    cluster = _own_labels(data.draw(clusters(max_policies=3)))
    observed = data.draw(observed_connections(cluster))
    s = suggest(cluster, Options(), observed, default_deny=default_deny)
    assert all(not p.also and not any(r.also for r in p.rules) for p in s.policies)
    v = verify(cluster, Options(), observed, s)
    assert v.ok, v.failures()
    assert v.opened == ()
