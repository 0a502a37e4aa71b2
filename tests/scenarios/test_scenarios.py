"""The bundled scenarios: expectations hold, explanations match their goldens, the commands in
each README run, and `netsim matrix` agrees with the pod-to-pod expectations.

A scenario is a folder under ``scenarios/`` with a ``manifests/`` folder, a ``README.md`` and
either ``expect.yaml`` (named connections that must be allowed or denied) or
``expected-errors.txt`` (the exact stderr of ``netsim check`` on manifests that must be rejected).
Every test runs from the repository root so that file positions in the output are repo-relative.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.endpoints import PortRef, resolve_endpoint, resolve_port
from netsim.engine import PolicyIndex
from netsim.expectations import ExpectationResult, check_expectations, load_expectations
from netsim.loader import load_cluster
from netsim.model import Pod, Protocol
from netsim.render.text import explain
from tests.conftest import REPO, SCENARIOS, GoldenCheck

EXPECT_FILES = sorted(SCENARIOS.rglob("expect.yaml"))
SCENARIO_DIRS = sorted(p.parent for p in SCENARIOS.rglob("manifests") if p.is_dir())
ERROR_SCENARIOS = sorted(p.parent for p in SCENARIOS.rglob("expected-errors.txt"))

# The scenarios the project documents; a lost folder must fail, not silently shrink the suite.
DOCUMENTED = {
    "cluster-guardrails",
    "common-mistakes",
    "observed-traffic",
    "open-world",
    "production-hardening",
    "services-and-ingress",
    "k8s-docs/allow-all-egress",
    "k8s-docs/allow-all-ingress",
    "k8s-docs/and-vs-or-peers",
    "k8s-docs/default-deny-all",
    "k8s-docs/default-deny-egress",
    "k8s-docs/default-deny-ingress",
    "k8s-docs/namespace-selected-by-name",
    "k8s-docs/test-network-policy",
}

# What `netsim check` is asked in an error scenario (the command its README shows).
ERROR_CHECK_ARGS = ("--from", "a", "--to", "b", "--port", "80")


def _name(path: Path) -> str:
    """A scenario's id: its folder relative to scenarios/ (``k8s-docs/default-deny-all``)."""
    folder = path if path.is_dir() else path.parent
    return folder.relative_to(SCENARIOS).as_posix()


def _rel(folder: Path) -> str:
    """A scenario folder relative to the repository root, as a user would type it."""
    return folder.relative_to(REPO).as_posix()


def _failure_report(failures: list[ExpectationResult]) -> str:
    parts = []
    for r in failures:
        want = "allow" if r.expectation.allow else "deny"
        parts.append(f"{r.expectation.span}: {r.expectation.name!r} expects {want}, got:\n{explain(r.verdict)}")
    return "\n".join(parts)


def _readme_commands(readme: Path) -> list[str]:
    """Lines starting with ``netsim `` inside fenced shell blocks (``sh``, ``shell``, ``bash``,
    ``console`` or no language; a ``text`` block is output, which may start with ``netsim``)."""
    commands: list[str] = []
    fence: str | None = None
    for line in readme.read_text(encoding="utf-8").splitlines():
        stripped = line.lstrip()
        if stripped.startswith("```"):
            fence = stripped[3:].strip() if fence is None else None
        elif fence in ("", "sh", "shell", "bash", "console") and line.startswith("netsim "):
            commands.append(line)
    return commands


def test_every_documented_scenario_is_present() -> None:
    assert {_name(d) for d in SCENARIO_DIRS} >= DOCUMENTED


@pytest.mark.parametrize("expect_file", EXPECT_FILES, ids=_name)
def test_scenario(expect_file: Path, golden: GoldenCheck, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    folder = _rel(expect_file.parent)
    loaded = load_cluster([f"{folder}/manifests"])
    # manifests load without warnings, except those the scenario's README shows word for word
    readme = (expect_file.parent / "README.md").read_text(encoding="utf-8")
    unexplained = [w for w in loaded.warnings if f"warning: {w}" not in readme]
    assert unexplained == [], "scenario manifests must load without warnings its README does not show"
    cases = load_expectations(f"{folder}/expect.yaml")
    results = check_expectations(PolicyIndex(loaded.cluster), cases)

    failures = [r for r in results if not r.passed]
    assert not failures, _failure_report(failures)
    assert len(results) == len(cases)
    golden(expect_file.parent / "golden" / "explain.txt", "\n".join(explain(r.verdict) for r in results))


@pytest.mark.parametrize("scenario_dir", ERROR_SCENARIOS, ids=_name)
def test_error_scenario_reports_exactly(scenario_dir: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    args = ["check", f"{_rel(scenario_dir)}/manifests", *ERROR_CHECK_ARGS]
    result = runner.invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == (scenario_dir / "expected-errors.txt").read_text(encoding="utf-8")


def _outputs_to(args: list[str], tmp: Path) -> list[str]:
    """``args`` with what ``--output-file`` and ``--output-dir`` name moved under ``tmp``: a README's
    command writes into the temporary directory, never into the checkout."""
    out = list(args)
    for i, arg in enumerate(out[:-1]):
        if arg in ("--output-file", "--output-dir"):
            out[i + 1] = str(tmp / Path(out[i + 1]).name)
    return out


@pytest.mark.parametrize("scenario_dir", SCENARIO_DIRS, ids=_name)
def test_readme_commands_run(
    scenario_dir: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    readme = scenario_dir / "README.md"
    assert readme.is_file(), f"{_name(scenario_dir)} has no README.md"
    has_expect = (scenario_dir / "expect.yaml").is_file()
    errors_file = scenario_dir / "expected-errors.txt"
    assert has_expect != errors_file.is_file(), "a scenario has expect.yaml or expected-errors.txt (exactly one)"

    commands = _readme_commands(readme)
    assert commands, f"{readme} shows no `netsim ...` command in a fenced block"
    text = readme.read_text(encoding="utf-8")
    rejected = f"{_rel(scenario_dir)}/manifests"
    for command in commands:
        args = _outputs_to(shlex.split(command)[1:], tmp_path)
        result = runner.invoke(main, args, catch_exceptions=False)
        if errors_file.is_file() and rejected in args:
            # the manifests of an error scenario are rejected, with exactly the documented errors
            assert result.exit_code == 2, f"{command}\n{result.output}"
            assert result.stderr == errors_file.read_text(encoding="utf-8"), command
            continue
        # 0 allowed / success, 1 denied, 3 undetermined: every answer the README states
        assert result.exit_code in (0, 1, 3), f"{command}\nexit {result.exit_code}\n{result.stderr}"
        if args[0] == "check":
            # the README states the answer: the verdict line of the explanation
            verdict_line = result.stdout.splitlines()[0]
            assert verdict_line in text, f"{readme} does not state the answer of `{command}`: {verdict_line}"


@pytest.mark.parametrize("expect_file", EXPECT_FILES, ids=_name)
def test_matrix_agrees_with_expectations(expect_file: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    manifests = f"{_rel(expect_file.parent)}/manifests"
    cluster = load_cluster([manifests]).cluster
    # (port, protocol) -> [(case name, source ref, destination ref, expected allowed)]
    by_port: dict[tuple[int, Protocol], list[tuple[str, str, str, bool]]] = {}
    for case in load_expectations(_rel(expect_file)):
        src = resolve_endpoint(cluster, case.source)
        dst = resolve_endpoint(cluster, case.destination)
        if not (isinstance(src, Pod) and isinstance(dst, Pod)) or src.ref == dst.ref:
            continue
        number, protocol = resolve_port(PortRef(case.port, case.protocol), dst)
        by_port.setdefault((number, protocol), []).append((case.name, src.ref, dst.ref, case.allow))
    assert by_port, "the scenario has no pod-to-pod expectation to compare with the matrix"

    for (number, protocol), cases in sorted(by_port.items()):
        args = ["matrix", manifests, "--port", str(number), "--protocol", protocol.value, "-o", "json"]
        result = runner.invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert (data["port"], data["protocol"]) == (number, protocol.value)
        assert data["pods"] == sorted(p.ref for p in cluster.pods)
        allowed = {(pair[0], pair[1]) for pair in data["allowed"]}
        disagree = [name for name, src_ref, dst_ref, allow in cases if ((src_ref, dst_ref) in allowed) != allow]
        assert not disagree, f"matrix {number}/{protocol} disagrees with: {disagree}"
