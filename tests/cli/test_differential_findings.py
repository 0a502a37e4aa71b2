"""Regressions found by differential testing against an independent evaluator: the same packet
named two ways (by the pod, by its address) gets the same answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main

# x/web is on a dual-stack node (status.hostIPs 192.168.0.1 and fd01::1) and may send only to
# 192.168.0.0/16; delta/agent is a hostNetwork pod whose manifest has status.hostIP but no podIP.
DUAL_STACK = """\
apiVersion: v1
kind: Namespace
metadata: {name: x}
---
apiVersion: v1
kind: Namespace
metadata: {name: delta}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {nodeName: node-1, containers: [{name: web, image: web}]}
status:
  podIP: 10.244.1.5
  podIPs: [{ip: 10.244.1.5}, {ip: "fd00:10::5"}]
  hostIP: 192.168.0.1
  hostIPs: [{ip: 192.168.0.1}, {ip: "fd01::1"}]
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: delta, labels: {app: agent}}
spec: {hostNetwork: true, nodeName: node-7, containers: [{name: a, image: a, ports: [{containerPort: 10250}]}]}
status: {hostIP: 192.168.1.7}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-egress, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
    - to: [{ipBlock: {cidr: 192.168.0.0/16}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-ingress-deny, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
"""


@pytest.fixture
def manifests(tmp_path: Path) -> str:
    (tmp_path / "in.yaml").write_text(DUAL_STACK, encoding="utf-8")
    return str(tmp_path / "in.yaml")


def _verdict(manifests: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", manifests, *args], catch_exceptions=False)
    return result.exit_code, result.stdout.splitlines()[0]


def test_a_host_network_pod_without_pod_ip_has_its_node_address(manifests: str) -> None:
    # it used to be DENIED ("has no IP address to match ipBlock 192.168.0.0/16") while the same
    # packet named by the node's address was ALLOWED
    by_pod = _verdict(manifests, "--from", "x/web", "--to", "delta/agent", "--port", "10250")
    by_address = _verdict(manifests, "--from", "x/web", "--to", "192.168.1.7", "--port", "10250")
    assert by_pod == (0, "x/web -> delta/agent 10250/TCP: ALLOWED")
    assert by_address == (0, "x/web -> 192.168.1.7 10250/TCP: ALLOWED")


@pytest.mark.parametrize("node_address", ["192.168.0.1", "fd01::1"])
def test_every_address_of_a_dual_stack_node_is_the_own_node(manifests: str, node_address: str) -> None:
    # web's ingress is default-deny, but its own node may always reach it: by either address
    # (the second one, status.hostIPs[1], used to be treated as the outside world)
    code, line = _verdict(manifests, "--from", node_address, "--to", "x/web", "--port", "80")
    assert (code, line) == (0, f"{node_address} -> x/web 80/TCP: ALLOWED")
    other = _verdict(manifests, "--from", "fd01::2", "--to", "x/web", "--port", "80")
    assert other == (1, "fd01::2 -> x/web 80/TCP: DENIED")
