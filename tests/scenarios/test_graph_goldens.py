"""`netsim connections` and `netsim graph` on every bundled scenario, compared with goldens.

``scenarios/<name>/golden/connections.txt`` is the connection listing (netpol-analyzer's format)
and ``golden/graph.dot`` the picture's DOT text with the default grouping; ``pytest
--update-golden`` rewrites them (review the diff: each line must hold by Kubernetes semantics).
Scenarios whose manifests are invalid on purpose (``expected-errors.txt``) have no graph.

The listing is also checked against the scenario's own expectations: a pod-to-pod or pod-to-IP
case is allowed exactly when its line lists the port.
"""

from __future__ import annotations

import json
from ipaddress import ip_address
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.endpoints import PortRef, resolve_endpoint, resolve_port
from netsim.expectations import load_expectations
from netsim.loader import load_cluster
from netsim.model import Endpoint, External, Pod
from tests.conftest import REPO, SCENARIOS, GoldenCheck

GRAPH_SCENARIOS = sorted(
    p.parent for p in SCENARIOS.rglob("manifests") if p.is_dir() and not (p.parent / "expected-errors.txt").exists()
)


def _name(folder: Path) -> str:
    return folder.relative_to(SCENARIOS).as_posix()


def _manifests(folder: Path) -> str:
    return f"{folder.relative_to(REPO).as_posix()}/manifests"


def _run(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_there_are_graph_scenarios() -> None:
    names = {_name(f) for f in GRAPH_SCENARIOS}
    assert {"production-hardening", "k8s-docs/test-network-policy"} <= names
    assert "common-mistakes" not in names


@pytest.mark.parametrize("folder", GRAPH_SCENARIOS, ids=_name)
def test_connections_golden(
    folder: Path, runner: CliRunner, golden: GoldenCheck, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    golden(folder / "golden" / "connections.txt", _run(runner, "connections", _manifests(folder)))


@pytest.mark.parametrize("folder", GRAPH_SCENARIOS, ids=_name)
def test_graph_golden(folder: Path, runner: CliRunner, golden: GoldenCheck, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    golden(folder / "golden" / "graph.dot", _run(runner, "graph", _manifests(folder), "-o", "dot"))


@pytest.mark.parametrize("folder", [f for f in GRAPH_SCENARIOS if (f / "expect.yaml").is_file()], ids=_name)
def test_connections_agree_with_expectations(folder: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    manifests = _manifests(folder)
    cluster = load_cluster([manifests]).cluster
    # addresses of pods and nodes are not external ranges (their own-node rules differ)
    owned = {ip for p in cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ()))}
    listing = json.loads(_run(runner, "connections", manifests, "--group-by", "pod", "-o", "json"))
    checked = 0
    for case in load_expectations(f"{folder.relative_to(REPO).as_posix()}/expect.yaml"):
        src = resolve_endpoint(cluster, case.source)
        dst = resolve_endpoint(cluster, case.destination)
        if isinstance(src, Pod) and isinstance(dst, Pod) and src.ref == dst.ref:
            continue  # a pod to itself is never listed
        if any(isinstance(e, External) and e.ip in owned for e in (src, dst)):
            continue
        number, protocol = resolve_port(PortRef(case.port, case.protocol), dst)
        found = [row for row in listing if _is(row["src"], src) and _is(row["dst"], dst)]
        assert len(found) <= 1
        allowed = bool(found) and any(lo <= number <= hi for lo, hi in found[0]["conns"].get(protocol.value, []))
        assert allowed == case.allow, f"{case.span}: {case.name!r}: listing says {found}"
        checked += 1
    assert checked, "no expectation could be compared with the listing"


def _is(node: dict[str, str], endpoint: Endpoint) -> bool:
    """True if a JSON endpoint of the listing is ``endpoint`` (a pod, or a range holding the IP)."""
    if isinstance(endpoint, External):
        if node["kind"] != "External":
            return False
        first, last = ip_address(node["first"]), ip_address(node["last"])
        return first.version == endpoint.ip.version and int(first) <= int(endpoint.ip) <= int(last)
    return (node.get("namespace"), node.get("name")) == (endpoint.namespace, endpoint.name)
