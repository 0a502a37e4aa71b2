"""netsim.loader: how many pods a workload stands for, and the node addresses of a pod.

A workload's representative pod carries its replica count (``spec.replicas``; a Job's
``spec.parallelism``), defaulted to 1 as the API server does; a DaemonSet's is unknown (one pod per
node). A pod's ``status.hostIPs`` (two on a dual-stack node) are its node's addresses.
"""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from netsim.errors import InputErrors
from netsim.loader import load_texts
from netsim.model import Pod

API = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "ReplicationController": "v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def workload(kind: str, count: str = "") -> str:
    """A workload with ``count`` (e.g. ``replicas: 3``; none when empty) on line 5 (line 8 in a CronJob)."""
    if kind == "CronJob":
        inner = f"      {count}\n" if count else ""
        spec = f"spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n{inner}      template: {{}}\n"
    else:
        line = f"  {count}\n" if count else ""
        spec = f"spec:\n{line}  template: {{}}\n"
    return f"apiVersion: {API[kind]}\nkind: {kind}\nmetadata: {{name: web}}\n{spec}"


def only_pod(text: str) -> Pod:
    (pod,) = load_texts({"w.yaml": text}).cluster.pods
    return pod


def errors(text: str) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load_texts({"w.yaml": text})
    return [str(e) for e in info.value.exceptions]


COUNT_FIELD = {
    "Deployment": "replicas",
    "StatefulSet": "replicas",
    "ReplicaSet": "replicas",
    "ReplicationController": "replicas",
    "Job": "parallelism",
    "CronJob": "parallelism",
}


@pytest.mark.parametrize("kind", sorted(COUNT_FIELD))
@pytest.mark.parametrize(("value", "replicas"), [("0", 0), ("1", 1), ("3", 3), ("0x10", 16)])
def test_the_count_is_read(kind: str, value: str, replicas: int) -> None:
    pod = only_pod(workload(kind, f"{COUNT_FIELD[kind]}: {value}"))
    assert (pod.replicas, pod.is_replicated) == (replicas, replicas >= 2)


@pytest.mark.parametrize("kind", sorted(COUNT_FIELD))
@pytest.mark.parametrize("count", ["", "{field}:", "{field}: null"], ids=["omitted", "empty", "null"])
def test_an_omitted_count_defaults_to_one(kind: str, count: str) -> None:
    assert only_pod(workload(kind, count.format(field=COUNT_FIELD[kind]))).replicas == 1


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n", id="no-spec"),
        pytest.param("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\nspec: {jobTemplate: {}}\n", id="cj"),
    ],
)
def test_a_workload_without_a_spec_runs_one_pod(text: str) -> None:
    assert only_pod(text).replicas == 1


def test_a_job_counts_parallelism_not_completions() -> None:
    assert only_pod(workload("Job", "completions: 10")).replicas == 1


def test_a_cronjob_counts_its_job_templates_parallelism_not_its_own_fields() -> None:
    text = (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\n"
        "spec:\n  parallelism: 7\n  replicas: 7\n  jobTemplate:\n    spec: {parallelism: 4, template: {}}\n"
    )
    assert only_pod(text).replicas == 4


@pytest.mark.parametrize("count", ["", "replicas: 5"], ids=["plain", "replicas-ignored"])
def test_a_daemon_set_stands_for_an_unknown_number_of_pods(count: str) -> None:
    pod = only_pod(workload("DaemonSet", count))
    assert (pod.replicas, pod.is_replicated) == (None, True)


def test_a_bare_pod_is_one_pod() -> None:
    pod = only_pod("apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {replicas: 5}\n")
    assert (pod.replicas, pod.is_replicated) == (1, False)


@pytest.mark.parametrize(
    ("kind", "count", "expected"),
    [
        (
            "Deployment",
            "replicas: -1",
            "w.yaml:5:13: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
        ),
        (
            "Job",
            "parallelism: -2",
            "w.yaml:5:16: spec.parallelism: Invalid value: -2: must be greater than or equal to 0",
        ),
        (
            "CronJob",
            "parallelism: -3",
            "w.yaml:8:20: spec.jobTemplate.spec.parallelism: Invalid value: -3: must be greater than or equal to 0",
        ),
        (
            "StatefulSet",
            "replicas: '3'",
            "w.yaml:5:13: spec.replicas: Invalid type: expected integer, got string '3'",
        ),
        (
            "ReplicaSet",
            "replicas: 1.5",
            "w.yaml:5:13: spec.replicas: Invalid type: expected integer, got number 1.5",
        ),
        (
            "ReplicationController",
            "replicas: [3]",
            "w.yaml:5:13: spec.replicas: Invalid type: expected integer, got a list",
        ),
    ],
)
def test_count_errors_are_located(kind: str, count: str, expected: str) -> None:
    assert errors(workload(kind, count)) == [expected]


# -- status.hostIPs --------------------------------------------------------------------------------


def pod(status: str) -> Pod:
    return only_pod(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: web}}\nstatus: {status}\n")


@pytest.mark.parametrize(
    ("status", "host_ip", "host_ips"),
    [
        pytest.param("{}", None, [], id="none"),
        pytest.param("{hostIP: 192.168.1.10}", "192.168.1.10", [], id="host-ip-only"),
        pytest.param(
            "{hostIP: 192.168.1.10, hostIPs: [{ip: 192.168.1.10}, {ip: 'fd00::10'}]}",
            "192.168.1.10",
            ["192.168.1.10", "fd00::10"],
            id="dual-stack",
        ),
        pytest.param(
            "{hostIPs: [{ip: 'fd00::10'}, {ip: 192.168.1.10}]}",
            "fd00::10",
            ["fd00::10", "192.168.1.10"],
            id="host-ip-from-the-first",
        ),
        pytest.param(
            "{hostIP: 192.168.1.10, hostIPs: [{ip: 'fd00::10'}]}",
            "192.168.1.10",
            ["192.168.1.10", "fd00::10"],
            id="host-ip-first-when-missing",
        ),
        pytest.param(
            "{hostIPs: [{ip: 10.0.0.1}, {ip: 10.0.0.1}, {}, {ip: null}]}",
            "10.0.0.1",
            ["10.0.0.1"],
            id="duplicates-and-empty-entries",
        ),
        pytest.param("{hostIPs: null}", None, [], id="null"),
    ],
)
def test_host_ips(status: str, host_ip: str | None, host_ips: list[str]) -> None:
    p = pod(status)
    assert p.host_ip == (ip_address(host_ip) if host_ip else None)
    assert p.host_ips == tuple(ip_address(ip) for ip in host_ips)
    expected = host_ips or ([host_ip] if host_ip else [])
    assert p.node_addresses == tuple(ip_address(ip) for ip in expected)


def test_a_host_network_pod_without_pod_ips_has_its_nodes_addresses() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: agent}\nspec: {hostNetwork: true}\n"
        "status: {hostIPs: [{ip: 192.168.1.10}, {ip: 'fd00::10'}]}\n"
    )
    assert only_pod(text).addresses == (ip_address("192.168.1.10"), ip_address("fd00::10"))


def test_host_ip_errors_are_located() -> None:
    assert errors(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nstatus:\n  hostIPs: [{ip: node-a}, 5, {ip: 7}]\n"
    ) == [
        'w.yaml:5:18: status.hostIPs[0].ip: Invalid value: "node-a": '
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        "w.yaml:5:27: status.hostIPs[1]: Invalid type: expected a mapping, got integer 5",
        "w.yaml:5:35: status.hostIPs[2].ip: Invalid type: expected string, got integer 7\n"
        '  hint: quote it: "7" (YAML reads an unquoted 7 as an integer)',
    ]
