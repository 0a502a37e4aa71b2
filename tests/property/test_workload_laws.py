"""A workload stands for its pods (netsim.workloads): asking one pod of each kind answers as asking
every pod would. Checked on random clusters whose ReplicaSets own pods that policies may treat
differently (labels, addresses in or out of ipBlocks, nodes)."""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim.endpoints import PortRef, members
from netsim.engine import PolicyIndex, evaluate
from netsim.model import Cluster, Options, Pod, Protocol, Traffic
from netsim.verdict import Decision
from netsim.workloads import evaluate_named
from tests.property.graph_strategies import options
from tests.property.strategies import PORTS
from tests.property.test_report_laws import owned_clusters

pytestmark = pytest.mark.property

LAWS = settings(max_examples=80, deadline=None)


#: The worst answer of the pairs is the workload's.
_WORST = {Decision.ALLOWED: 0, Decision.UNDETERMINED: 1, Decision.DENIED: 2}


@LAWS
@given(owned_clusters(), options, st.booleans())
def test_a_pod_of_each_kind_answers_for_every_pod_of_the_workloads(
    cluster: Cluster, opts: Options, replicas: bool
) -> None:
    opts = replace(opts, replica_traffic=replicas)
    index = PolicyIndex(cluster, opts)
    firsts: dict[str, Pod] = {}
    for pod in sorted(cluster.pods, key=lambda p: p.ref):
        firsts.setdefault(pod.endpoint, pod)
    for (a, src), (b, dst) in product(firsts.items(), repeat=2):
        sources, destinations = members(cluster, src), members(cluster, dst)
        for number in PORTS[:2]:
            asked = evaluate_named(index, a, b, src, dst, PortRef(number), Protocol.TCP, "default")
            if a == b and (len(sources) < 2 or not replicas):
                # one pod standing for its replicas: one replica to another, as before; without
                # replica traffic a workload is one pod, which can always reach itself
                assert len(asked.verdicts) == 1
                continue
            pairs = [(s, d) for s in sources for d in destinations if s is not d]
            if not pairs:
                continue
            every = [evaluate(index, Traffic(s, d, number, Protocol.TCP)).decision for s, d in pairs]
            assert asked.decision is max(every, key=_WORST.__getitem__), (
                a,
                b,
                number,
                [v.decision for v in asked.verdicts],
                every,
            )
            assert asked.shown.decision is asked.decision
