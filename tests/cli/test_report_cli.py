"""``netsim report`` and ``netsim diff -o html`` on the command line: standard output or
``--output-file`` (atomic, never over an input), the data they embed, lint findings on the
namespaces and workloads they concern, and bad input (exit 2, nothing written)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.render.html import read_report_data
from tests.conftest import SCENARIOS

HARDENING = str(SCENARIOS / "production-hardening" / "manifests")


def _data(page: str) -> dict[str, Any]:
    return read_report_data(page)


def test_the_report_goes_to_stdout_by_default(runner: CliRunner) -> None:
    result = runner.invoke(main, ["report", HARDENING])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("<!DOCTYPE html>")
    data = _data(result.stdout)
    assert data["title"] == HARDENING
    assert data["counts"]["namespaces"] == 2
    assert {n["id"] for n in data["overview"]["nodes"]} >= {"production", "kube-system"}


def test_output_file_title_and_lint_findings(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["report", HARDENING, "--title", "prod, PR 12", "--output-file", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"wrote {out}\n"
    data = _data(out.read_text(encoding="utf-8"))
    assert data["title"] == "prod, PR 12"
    # kube-system is left open in the scenario: NP001/NP002 are shown on it
    assert {f["rule"] for f in data["findings"]["kube-system"]} == {"NP001", "NP002"}
    quiet = runner.invoke(main, ["report", HARDENING, "--no-lint"])
    assert _data(quiet.stdout)["findings"] == {}


def test_a_policy_finding_is_shown_on_its_namespace_and_the_workloads_it_selects(runner: CliRunner) -> None:
    result = runner.invoke(main, ["report", str(SCENARIOS / "services-and-ingress" / "manifests")])
    assert result.exit_code == 0, result.output
    findings = _data(result.stdout)["findings"]
    # NP013 on shop/web-ingress, which selects the pod web: on shop and on web's node
    assert [f["rule"] for f in findings["shop/web[Pod]"]] == ["NP013"]
    assert {f["rule"] for f in findings["shop"]} == {"NP002", "NP013"}
    assert findings["shop/web[Pod]"][0]["at"].endswith("40-policies.yaml:27:20")


def test_the_report_never_overwrites_an_input(runner: CliRunner, tmp_path: Path) -> None:
    manifest = tmp_path / "pods.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n")
    before = manifest.read_text()
    result = runner.invoke(main, ["report", str(tmp_path), "--output-file", str(manifest)])
    assert result.exit_code == 2
    assert manifest.read_text() == before


def test_bad_input_is_exit_2_and_writes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 0}]}\n")
    out = tmp_path / "report.html"
    result = runner.invoke(main, ["report", str(bad), "--output-file", str(out)])
    assert result.exit_code == 2
    assert "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive" in result.stderr
    assert not out.exists()


def test_diff_html_marks_each_edge_with_its_change(runner: CliRunner, tmp_path: Path) -> None:
    base = str(SCENARIOS / "k8s-docs" / "default-deny-ingress" / "manifests")
    head = str(SCENARIOS / "k8s-docs" / "allow-all-ingress" / "manifests")
    out = tmp_path / "pr.html"
    result = runner.invoke(main, ["diff", base, head, "-o", "html", "--output-file", str(out)])
    assert result.exit_code == 0, result.output
    data = _data(out.read_text(encoding="utf-8"))
    names = [n["id"] for n in data["overview"]["nodes"]]
    status = {
        (names[e[0]], names[e[1]]): d[0]
        for e, d in zip(data["overview"]["edges"], data["overview"]["diff"], strict=True)
    }
    assert status[("tools", "default")] == 1  # added: default's pods now accept everyone
    assert status[("default", "tools")] == 2  # removed: tools now denies all ingress
    assert status[("default", "0.0.0.0-255.255.255.255[External]")] == 0  # the same


def test_a_large_input_is_told_that_lint_may_take_minutes(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("netsim.cli.report.LINT_HINT_PODS", 1)
    result = runner.invoke(main, ["report", HARDENING])
    assert result.exit_code == 0, result.output
    assert "pods may take minutes (about 2 at 100,000); --no-lint leaves the lint findings out" in result.stderr
    quiet = runner.invoke(main, ["report", HARDENING, "--no-lint"])
    assert quiet.stderr == ""
