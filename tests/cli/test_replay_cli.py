"""``netsim replay`` on the command line: the scenario's Hubble export, the formats, the exit
statuses (0 / 1 / 2 / 3), --base-ref, the default-deny what-if, and bad input (exit 2, nothing
written)."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.conftest import REPO, SCENARIOS, GoldenCheck

SCENARIO = SCENARIOS / "observed-traffic"
MANIFESTS = str(SCENARIO / "manifests")
HUBBLE = str(SCENARIO / "flows" / "hubble.json")


def test_the_scenario_names_what_the_change_would_deny(runner: CliRunner) -> None:
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE], catch_exceptions=False)
    assert result.exit_code == 1  # an observed connection is denied
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "netsim replay: 70 records, 25 flows in 11 connections: 5 allowed, 6 denied, 0 undetermined; "
        "1 unmapped (1 flow)"
    )
    denied = [line.split(":")[0] for line in lines if line.startswith("DENIED ")]
    assert denied == [
        "DENIED 198.51.100.66 -> shop/api[Deployment] 8080/TCP",
        "DENIED 2001",  # an IPv6 address: the line goes on with its colons
        "DENIED monitoring/prometheus[Deployment] -> shop/api[Deployment] 9090/TCP",
        "DENIED monitoring/prometheus[Deployment] -> shop/web[Deployment] 9090/TCP",
        "DENIED payments/gateway[Deployment] -> 198.51.100.23 443/TCP",
        "DENIED payments/gateway[Deployment] -> kube-system/coredns[Deployment] 53/UDP",
    ]
    assert "source not matched: 2001:db8:7::10 is IPv6, ipBlock 0.0.0.0/0 is IPv4" in result.stdout
    assert lines[-1].startswith(
        "UNMAPPED shop/legacy-report-29012345-b7xzq -> shop/api[Deployment] 8080/TCP: pod "
        "shop/legacy-report-29012345-b7xzq is not in the manifests"
    )
    assert result.stderr == ""


def test_json_md_and_junit_say_the_same(runner: CliRunner, tmp_path: Path) -> None:
    data = json.loads(runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "-o", "json"]).stdout)
    assert data["summary"]["denied"] == 6
    assert data["summary"]["skipped"]["replies (a reply belongs to its request: NetworkPolicy is stateful)"] == 24
    assert data["exitStatus"] == 1
    denied = [c for c in data["connections"] if c["decision"] == "denied"]
    assert all(c["verdict"]["verdict"] == "denied" for c in denied)
    out = tmp_path / "replay.md"
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--output-file", str(out)])
    assert result.exit_code == 1
    assert result.stderr == f"wrote {out}\n"
    assert out.read_text(encoding="utf-8").startswith("### netsim replay: 70 records")
    xml = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "-o", "junit"]).stdout
    root = ET.fromstring(xml.encode())
    assert root.get("tests") == "12"  # 11 connections and 1 unmapped flow
    assert root.get("failures") == "6"


def test_fail_on_never_exits_0_and_an_undetermined_connection_exits_3(runner: CliRunner, tmp_path: Path) -> None:
    assert runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--fail-on", "never"]).exit_code == 0
    # prometheus's pods have no address in the manifests: whether web's 0.0.0.0/0 admits them is open
    flows = tmp_path / "flows.csv"
    flows.write_text("source,destination,port,protocol\nmonitoring/prometheus,shop/web,8080,TCP\n", encoding="utf-8")
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows)])
    assert result.exit_code == 3
    assert "UNDETERMINED monitoring/prometheus[Deployment] -> shop/web[Deployment] 8080/TCP" in result.stdout
    assert "--pod-cidr gives the pod network" in result.stdout
    settled = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows), "--pod-cidr", "10.244.0.0/16"])
    assert settled.exit_code == 0


def test_a_default_deny_what_if_names_what_it_would_sever(runner: CliRunner) -> None:
    args = ["replay", MANIFESTS, "--flows", HUBBLE, "--add-default-deny", "shop", "--direction", "egress"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert "  what if: a default deny for Egress in shop\n" in result.stdout
    assert result.stdout.startswith("netsim replay: 70 records, 25 flows in 11 connections: 1 allowed, 10 denied")
    assert "shop/netsim-what-if-default-deny has no egress rules" in result.stdout


def test_bad_options_are_usage_errors_with_suggestions(runner: CliRunner) -> None:
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--add-default-deny", "shopp"])
    assert result.exit_code == 2
    assert "--add-default-deny shopp: no such namespace in the input; did you mean 'shop'?" in result.stderr
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--direction", "egress"])
    assert result.exit_code == 2
    assert "--direction says which directions --add-default-deny denies" in result.stderr
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--fail-on", "newly-denied"])
    assert result.exit_code == 2
    assert "--fail-on newly-denied compares with a base: give --base-ref REV" in result.stderr


def test_malformed_flows_are_bad_input_and_nothing_is_written(runner: CliRunner, tmp_path: Path) -> None:
    flows = tmp_path / "flows.json"
    good = Path(HUBBLE).read_text(encoding="utf-8").splitlines()
    flows.write_text("\n".join([good[1], "{not json", good[2], '{"flow": {"IP": 5}}']) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows), "--output-file", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {flows}:2:")
    assert f"error: {flows}:4" in result.stderr
    assert not out.exists()
    lax = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows), "--lax", "-o", "json"])
    assert lax.exit_code in (0, 1)
    assert json.loads(lax.stdout)["summary"]["skipped"]["malformed records (--lax)"] == 2


def test_gzip_and_standard_input(runner: CliRunner, tmp_path: Path) -> None:
    packed = tmp_path / "flows.json.gz"
    packed.write_bytes(gzip.compress(Path(HUBBLE).read_bytes()))
    expected = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE]).stdout
    from_gzip = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(packed)]).stdout
    assert from_gzip == expected.replace(HUBBLE, str(packed))
    from_stdin = runner.invoke(main, ["replay", MANIFESTS, "--flows", "-"], input=packed.read_bytes()).stdout
    assert from_stdin == expected.replace(HUBBLE, "<stdin>")
    both = runner.invoke(main, ["replay", "-", "--flows", "-"])
    assert both.exit_code == 2
    assert "cannot both be standard input" in both.stderr


def test_a_flow_export_over_the_limit_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", HUBBLE, "--max-flow-bytes", "1000"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {HUBBLE}:2: ")
    assert "1000 bytes" in result.stderr or "1,000 bytes" in result.stderr


@pytest.mark.skipif(
    shutil.which("git") is None, reason="--base-ref reads the base out of git, and git is not installed"
)
def test_base_ref_names_the_connections_the_change_newly_denies(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(SCENARIO / "manifests", repo / "k8s")
    # the base: the workloads and namespaces without the pull request's policies
    for name in ("20-shop-policies.yaml", "30-payments-policies.yaml"):
        (repo / "k8s" / name).rename(tmp_path / name)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "base")
    for name in ("20-shop-policies.yaml", "30-payments-policies.yaml"):
        shutil.copy(tmp_path / name, repo / "k8s" / name)
    monkeypatch.chdir(repo)
    result = runner.invoke(main, ["replay", "k8s", "--flows", HUBBLE, "--base-ref", "HEAD"])
    assert result.exit_code == 1  # newly-denied is the default with --base-ref
    assert "  against HEAD:k8s: 6 newly-denied, 0 newly-undetermined, 0 newly-allowed\n" in result.stdout
    assert "NEWLY DENIED payments/gateway[Deployment] -> kube-system/coredns[Deployment] 53/UDP (was allowed)" in (
        result.stdout
    )
    # the base has no policy: what the cluster already drops (its own policies are not in the
    # repository) is newly denied by these manifests too
    assert "NEWLY DENIED 198.51.100.66 -> shop/api[Deployment] 8080/TCP (was allowed)" in result.stdout
    assert (
        runner.invoke(
            main, ["replay", "k8s", "--flows", HUBBLE, "--base-ref", "HEAD~0", "--fail-on", "never"]
        ).exit_code
        == 0
    )


def test_the_scenario_keeps_its_replay_and_its_suggestion(
    runner: CliRunner, golden: GoldenCheck, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    manifests, flows = "scenarios/observed-traffic/manifests", "scenarios/observed-traffic/flows/hubble.json"
    replayed = runner.invoke(main, ["replay", manifests, "--flows", flows], catch_exceptions=False)
    golden(SCENARIO / "golden" / "replay.txt", replayed.stdout)
    out = tmp_path / "suggested"
    suggested = runner.invoke(main, ["suggest", manifests, "--flows", flows, "--output-dir", str(out)])
    assert suggested.exit_code == 0, suggested.output
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [
        "payments.gateway-egress.yaml",
        "shop.api-ingress.yaml",
        "shop.web-ingress.yaml",
    ]
    for f in files:
        golden(SCENARIO / "golden" / "suggested" / f.name, f.read_text(encoding="utf-8"))


PROMETHEUS_TO_WEB = (
    '{"flow":{"time":"2026-12-01T10:00:00Z","verdict":"FORWARDED",'
    '"IP":{"source":"%s","destination":"10.244.1.5","ipVersion":"IPv4"},'
    '"l4":{"TCP":{"source_port":40000,"destination_port":8080}},'
    '"source":{"namespace":"monitoring","pod_name":"prometheus-6f7b9c4d2-%s",'
    '"workloads":[{"name":"prometheus","kind":"Deployment"}]},'
    '"destination":{"namespace":"shop","pod_name":"web-7d9c8b6f5-x2x4k",'
    '"workloads":[{"name":"web","kind":"Deployment"}]},'
    '"Type":"L3_L4","traffic_direction":"INGRESS","is_reply":false}}\n'
)


def test_an_end_without_an_address_is_decided_at_the_addresses_the_flows_give(
    runner: CliRunner, tmp_path: Path
) -> None:
    # the same connection as above, from a Hubble export that gives the pods' addresses
    flows = tmp_path / "hubble.json"
    flows.write_text(
        PROMETHEUS_TO_WEB % ("10.244.3.3", "a") + PROMETHEUS_TO_WEB % ("10.244.3.4", "b"), encoding="utf-8"
    )
    result = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows), "-o", "json"])
    assert result.exit_code == 0, result.output
    [connection] = json.loads(result.stdout)["connections"]
    assert connection["decision"] == "allowed"
    assert connection["decidedAtObservedAddresses"] == ["10.244.3.3", "10.244.3.4", "10.244.1.5"]
    text = runner.invoke(main, ["replay", MANIFESTS, "--flows", str(flows)]).stdout
    assert "1 allowed, 0 denied, 0 undetermined (1 decided at the addresses the flows observed)" in text
