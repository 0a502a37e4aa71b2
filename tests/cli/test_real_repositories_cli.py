"""The command line on folders as real repositories hold them: the exact stderr and exit code of
each case of tests/unit/test_real_repositories.py, and ``netsim test SPEC... DIR`` and ``netsim diff
--base-ref REV DIR`` (whose base side is read out of git), which read a folder the same way."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: web}}\nspec: {containers: [{name: c}]}\n"
LISTING = (
    "0.0.0.0-255.255.255.255[External] => default/web[Pod] : All Connections\n"
    "default/web[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
)
NOTHING_EVALUATED = "netsim: 1 input error; nothing was evaluated\n"


def run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_other_files_in_the_folder_are_skipped_with_one_line(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n")
    (tmp_path / "package.json").write_text('{"name": "site"}\n')
    (tmp_path / "connlist_output.json").write_text('[{"src": "a", "dst": "b", "conn": "All Connections"}]\n')
    (tmp_path / "expect.yaml").write_text("cases: []\n")
    assert run(runner, "connections", str(tmp_path)) == (
        0,
        LISTING,
        f"warning: skipped 5 files that hold no Kubernetes objects: {tmp_path}/Chart.yaml (a Helm chart), "
        f"{tmp_path}/connlist_output.json, {tmp_path}/expect.yaml (netsim test expectations), "
        f"{tmp_path}/package.json, {tmp_path}/values.yaml\n",
    )


def test_a_file_named_on_the_command_line_stays_an_error(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n")
    assert run(runner, "connections", str(tmp_path / "values.yaml")) == (
        2,
        "",
        f"error: {tmp_path}/values.yaml:1:1: kind: Required value: not a Kubernetes object (no kind and no "
        "apiVersion)\n  hint: pass only Kubernetes manifests, or use --lax to skip\n" + NOTHING_EVALUATED,
    )


def test_a_folder_of_other_files_only_is_an_error(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "values.yaml").write_text("replicaCount: 2\n")
    assert run(runner, "connections", str(tmp_path)) == (
        2,
        "",
        f"error: {tmp_path}: no Kubernetes objects in directory, only files that hold none: {tmp_path}/values.yaml\n"
        + NOTHING_EVALUATED,
    )


def test_a_kustomize_folder(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [pod.yaml]\n"
    )
    assert run(runner, "connections", str(tmp_path)) == (
        0,
        LISTING,
        f"warning: {tmp_path}/kustomization.yaml:1:1: looks like a kustomize folder: run `kustomize build "
        f"{tmp_path} | netsim ... -`\n",
    )


def test_a_kustomize_folder_that_defines_an_object_twice(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "prod").mkdir()
    (tmp_path / "base" / "pod.yaml").write_text(POD)
    (tmp_path / "prod" / "pod.yaml").write_text(POD)
    (tmp_path / "prod" / "kustomization.yaml").write_text("resources: [../base]\n")
    assert run(runner, "connections", str(tmp_path)) == (
        2,
        "",
        f"error: {tmp_path}/prod/pod.yaml:1:1: metadata.name: Duplicate value: Pod 'default/web' is defined twice "
        f"(first at {tmp_path}/base/pod.yaml:1:1)\n"
        f"  hint: looks like a kustomize folder: run `kustomize build {tmp_path}/prod | netsim ... -`\n"
        + NOTHING_EVALUATED,
    )


def test_files_concatenated_without_separators(runner: CliRunner) -> None:
    assert run(
        runner, "check", "-", "--from", "default/web", "--to", "default/web", "--port", "80", stdin=POD + POD
    ) == (
        2,
        "",
        'error: <stdin>:5:1: apiVersion: key "apiVersion" already set in map (first set at line 1): missing `---` '
        "between documents?\n"
        "  hint: 2 objects run together here: put a line --- before each object (cat joins files without one)\n"
        + NOTHING_EVALUATED,
    )


def test_empty_standard_input(runner: CliRunner) -> None:
    assert run(runner, "connections", "-", stdin="") == (
        2,
        "",
        "error: <stdin>: no Kubernetes objects: standard input is empty or holds only comments\n" + NOTHING_EVALUATED,
    )


def test_an_empty_folder_as_before(tmp_path: Path, runner: CliRunner) -> None:
    assert run(runner, "connections", str(tmp_path)) == (
        2,
        "",
        f"error: {tmp_path}: no *.yaml, *.yml, *.json files in directory\n" + NOTHING_EVALUATED,
    )


# -- netsim test and netsim diff --base-ref read a folder the same way ------------------------------------

EXPECT = "cases:\n  - {name: web reaches out, from: default/web, to: 8.8.8.8, port: 443, expect: allow}\n"
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="--base-ref reads files through git")


def _repository(tmp_path: Path) -> None:
    """A folder k8s/ as a chart's repository holds it: a pod, the chart's files, expectations."""
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "pod.yaml").write_text(POD)
    (tmp_path / "k8s" / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (tmp_path / "k8s" / "values.yaml").write_text("replicaCount: 2\n")
    (tmp_path / "k8s" / "expect.yaml").write_text(EXPECT)


def _commit(tmp_path: Path) -> None:
    env = {
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "PATH": os.environ.get("PATH", ""),
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True)


SKIPPED = (
    "skipped 3 files that hold no Kubernetes objects: {p}k8s/Chart.yaml (a Helm chart), "
    "{p}k8s/expect.yaml (netsim test expectations), {p}k8s/values.yaml\n"
)


def test_netsim_test_skips_the_other_files_of_a_manifest_folder(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expectations beside the manifests, as lint and check skip them: values.yaml is no error."""
    _repository(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run(runner, "test", "-q", "k8s/expect.yaml", "k8s") == (
        0,
        "1 case in 1 file: 1 passed, 0 failed\n",
        "warning: " + SKIPPED.format(p=""),
    )
    # a file named as a manifest is still an error, as with every command
    code, out, err = run(runner, "test", "k8s/expect.yaml", "k8s/pod.yaml", "k8s/values.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("error: k8s/values.yaml:1:1: kind: Required value: not a Kubernetes object")


@needs_git
def test_diff_base_ref_skips_the_same_files_on_both_sides(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repository(tmp_path)
    _commit(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run(runner, "diff", "--base-ref", "HEAD", "k8s") == (
        0,
        "netsim diff HEAD:k8s -> working tree\nno change: the same connections and the same policies\n",
        "warning: " + SKIPPED.format(p="HEAD:") + "warning: " + SKIPPED.format(p=""),
    )


@needs_git
def test_diff_base_ref_a_folder_of_other_files_only(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "chart").mkdir()
    (tmp_path / "chart" / "values.yaml").write_text("replicaCount: 2\n")
    _commit(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert run(runner, "diff", "--base-ref", "HEAD", "chart") == (
        2,
        "",
        "error: HEAD:chart: no Kubernetes objects in directory, only files that hold none: HEAD:chart/values.yaml\n"
        "error: chart: no Kubernetes objects in directory, only files that hold none: chart/values.yaml\n"
        "netsim: 2 input errors; nothing was evaluated\n",
    )


@needs_git
def test_diff_base_ref_a_file_named_on_the_command_line_stays_an_error(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repository(tmp_path)
    _commit(tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(runner, "diff", "--base-ref", "HEAD", "k8s/pod.yaml", "k8s/values.yaml")
    assert (code, out) == (2, "")
    assert [line.split(": kind:")[0] for line in err.splitlines() if line.startswith("error: ")] == [
        "error: HEAD:k8s/values.yaml:1:1",
        "error: k8s/values.yaml:1:1",
    ]
