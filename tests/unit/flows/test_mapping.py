"""netsim.flows.mapping and netsim.flows.workloads: every kind of end to an endpoint of the
manifests (tests/data/flows/cluster.yaml), or Unmapped with the reason."""

from __future__ import annotations

import time
from ipaddress import ip_address

import pytest

from netsim.flows import EndpointIndex, FlowEnd, Unmapped, map_end
from netsim.flows.workloads import name_candidates, workload_candidates
from netsim.model import Cluster, External, IPAddress, Labels, Namespace, Pod
from tests.unit.flows.common import cluster, index

SHOP = "shop"


def ip(text: str) -> IPAddress:
    return ip_address(text)


def ref(result: object) -> str:
    """What an end maps to, as text: a pod's ref, an address, or ``unmapped: reason``."""
    if isinstance(result, Pod):
        return result.ref
    if isinstance(result, External):
        return f"external {result.ip}"
    assert isinstance(result, Unmapped)
    return f"unmapped: {result.reason}"


@pytest.mark.parametrize(
    ("end", "expected"),
    [
        # 1. the pod by namespace and name
        (FlowEnd(namespace=SHOP, pod="web-7d9c8b6f5-x2x4k"), "shop/web-7d9c8b6f5-x2x4k"),
        (FlowEnd(namespace=SHOP, pod="cart", ip=ip("10.9.9.9")), "shop/cart"),
        # 2. the pod by address (any of its addresses), unless the end names another namespace
        (FlowEnd(ip=ip("10.244.1.9")), "shop/cart"),
        (FlowEnd(ip=ip("fd00:10:244:1::9")), "shop/cart"),
        (FlowEnd(namespace=SHOP, pod="cart-old", ip=ip("10.244.1.9")), "shop/cart"),
        # 3. the workload: a Deployment's pod by its pod-template-hash, on manifests and on a dump
        (FlowEnd(namespace=SHOP, pod="api-5d8f9c7b4-q8r2t"), "shop/api[Deployment]"),
        (FlowEnd(namespace=SHOP, pod="web-7d9c8b6f5-zz9xq"), "shop/web-7d9c8b6f5-q8r2t"),  # the first of its pods
        (FlowEnd(namespace=SHOP, pod="web-5f6b7c8d9-zz9xq"), "shop/web-7d9c8b6f5-q8r2t"),  # another ReplicaSet of web
        (FlowEnd(namespace=SHOP, pod="db-2"), "shop/db[StatefulSet]"),  # a StatefulSet's ordinal
        (FlowEnd(namespace=SHOP, pod="backup-28391234-q8r2t"), "shop/backup[CronJob]"),  # a CronJob's Job's pod
        (FlowEnd(namespace="monitoring", pod="node-exporter-b2x9z"), "monitoring/node-exporter-7x9kq"),  # DaemonSet
        (FlowEnd(namespace=SHOP, workload="web"), "shop/web-7d9c8b6f5-q8r2t"),  # a Calico aggregated name
        (FlowEnd(namespace=SHOP, workload="api", workload_kind="Deployment"), "shop/api[Deployment]"),  # Hubble
        (FlowEnd(namespace=SHOP, workload="backup-28391234"), "shop/backup[CronJob]"),
        (
            FlowEnd(namespace="kube-system", workload="coredns", workload_kind="Deployment"),
            "kube-system/coredns-5d78c9869d-abcde",
        ),
        # 4. outside addresses
        (FlowEnd(ip=ip("203.0.113.7"), reserved="world", names=("api.example.com",)), "external 203.0.113.7"),
        (FlowEnd(ip=ip("10.244.1.9"), reserved="world"), "external 10.244.1.9"),  # world is never a pod
        (FlowEnd(ip=ip("172.18.0.3"), reserved="host"), "external 172.18.0.3"),
        (FlowEnd(ip=ip("172.18.0.3")), "external 172.18.0.3"),  # a hostNetwork pod's address is its node's
        (FlowEnd(ip=ip("198.51.100.9")), "external 198.51.100.9"),
        (
            FlowEnd(
                namespace=SHOP,
                workload="partners",
                workload_kind="NetworkSet",
                reserved="network-set",
                ip=ip("198.51.100.20"),
            ),
            "external 198.51.100.20",
        ),
    ],
)
def test_ends_map_to_endpoints(end: FlowEnd, expected: str) -> None:
    assert ref(index().map(end)) == expected


@pytest.mark.parametrize(
    ("end", "reason"),
    [
        (
            FlowEnd(namespace=SHOP, pod="legacy-6f7b9c4d2-zz9xq", ip=ip("10.244.1.40")),
            "pod shop/legacy-6f7b9c4d2-zz9xq is not in the manifests, nor a workload its name points to; namespace "
            "shop has api[Deployment], backup[CronJob], cart, db[StatefulSet], web[Deployment]",
        ),
        (
            FlowEnd(namespace="billing", pod="invoice-0"),
            "pod billing/invoice-0 is not in the manifests, nor a workload its name points to: the manifests have no "
            "namespace billing",
        ),
        (
            FlowEnd(namespace=SHOP, workload="api", workload_kind="StatefulSet"),
            "workload shop/api[StatefulSet] is not in the manifests; namespace shop has api[Deployment], "
            "backup[CronJob], cart, db[StatefulSet], web[Deployment]",
        ),
        (
            FlowEnd(namespace=SHOP, ip=ip("10.244.9.9")),
            "no pod of the manifests has address 10.244.9.9 (the record puts it in namespace shop); namespace shop "
            "has api[Deployment], backup[CronJob], cart, db[StatefulSet], web[Deployment]",
        ),
        (
            FlowEnd(namespace="monitoring", ip=ip("10.244.1.9")),  # cart's address, but not in monitoring
            "no pod of the manifests has address 10.244.1.9 (the record puts it in namespace monitoring); namespace "
            "monitoring has node-exporter[DaemonSet]",
        ),
        (
            FlowEnd(reserved="world"),
            "world: the record gives no address, so netsim cannot tell which ipBlocks it is in",
        ),
        (FlowEnd(workload="node-1"), "node-1[workload]: the record gives neither its namespace nor its address"),
        (FlowEnd(), "the record gives neither a pod, a namespace nor an address for this end"),
        (FlowEnd(namespace=SHOP), "the record names namespace shop but no pod, workload or address"),
    ],
)
def test_what_does_not_map_says_why(end: FlowEnd, reason: str) -> None:
    assert ref(index().map(end)) == f"unmapped: {reason}"


def test_a_namespace_without_pods_says_so() -> None:
    empty = Cluster(namespaces=(Namespace("quiet", Labels({"kubernetes.io/metadata.name": "quiet"})),))
    assert map_end(empty, FlowEnd(namespace="quiet", pod="x")) == Unmapped(
        "pod quiet/x is not in the manifests, nor a workload its name points to; namespace quiet has no pods in the "
        "manifests"
    )


def test_answers_are_cached_per_end_and_map_end_keeps_the_index_of_its_cluster() -> None:
    idx = EndpointIndex(cluster())
    end = FlowEnd(namespace=SHOP, pod="db-1")
    first = idx.lookup(end)
    assert idx.lookup(FlowEnd(namespace=SHOP, pod="db-1")) is first
    assert first[1] == "shop/db[StatefulSet]"  # the key: a pod's ref, an address, or (reason, text)
    assert map_end(cluster(), end) is map_end(cluster(), end)


def test_mapping_is_a_lookup_per_end_at_10000_pods() -> None:
    pods = tuple(
        Pod(f"ns{i % 50}", f"app{i // 4}-7d9c8b6f5-{i:05d}", ips=(ip_address(0x0A400000 + i),)) for i in range(10_000)
    )
    big = Cluster(pods=tuple(sorted(pods, key=lambda p: p.ref)))
    started = time.perf_counter()
    idx = EndpointIndex(big)
    for i in range(10_000):
        assert isinstance(idx.map(FlowEnd(namespace=f"ns{i % 50}", pod=f"app{i // 4}-7d9c8b6f5-{i:05d}")), Pod)
        assert isinstance(idx.map(FlowEnd(ip=ip_address(0x0A400000 + i))), Pod)
        assert isinstance(idx.map(FlowEnd(namespace=f"ns{i % 50}", pod=f"gone{i}-7d9c8b6f5-b2x9z")), Unmapped)
    assert time.perf_counter() - started < 10  # seconds; an index scanning the pods per end takes minutes


@pytest.mark.parametrize(
    ("pod", "candidates"),
    [
        (
            "web-7d9c8b6f5-x2x4k",
            [("web-7d9c8b6f5", {"ReplicaSet", "ReplicationController", "DaemonSet", "Job"}), ("web", {"Deployment"})],
        ),
        (
            "backup-28391234-q8r2t",
            [("backup-28391234", {"ReplicaSet", "ReplicationController", "DaemonSet", "Job"}), ("backup", {"CronJob"})],
        ),
        ("db-0", [("db", {"StatefulSet"})]),
        ("db-12", [("db", {"StatefulSet"})]),
        ("cart", []),
        ("db-01", []),  # no ordinal has a leading zero
    ],
)
def test_a_pod_name_points_to_its_workloads(pod: str, candidates: list[tuple[str, set[str]]]) -> None:
    assert [(name, set(kinds or ())) for name, kinds in name_candidates(pod)] == candidates


def test_an_owner_name_points_to_its_owner() -> None:
    assert workload_candidates("web", "Deployment") == [("web", frozenset({"Deployment"}))]
    assert workload_candidates("web-7d9c8b6f5", "ReplicaSet") == [
        ("web-7d9c8b6f5", frozenset({"ReplicaSet"})),
        ("web", frozenset({"Deployment"})),
    ]
    assert workload_candidates("backup-28391234", "Job") == [
        ("backup-28391234", frozenset({"Job"})),
        ("backup", frozenset({"CronJob"})),
    ]
    assert [name for name, _ in workload_candidates("backup-28391234", None)] == ["backup-28391234", "backup"]
