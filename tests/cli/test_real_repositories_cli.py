"""The command line on folders as real repositories hold them: the exact stderr and exit code of
each case of tests/unit/test_real_repositories.py."""

from __future__ import annotations

from pathlib import Path

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
