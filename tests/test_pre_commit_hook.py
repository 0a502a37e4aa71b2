"""The ``netsim-lint`` pre-commit hook (.pre-commit-hooks.yaml) works as docs/ci.md says.

A copy of this checkout's tracked files is committed into a fresh repository and tagged
``v<version>`` (what a release tag looks like; the copy is of the work tree, so the test sees the
hooks file and the code as they are now). Small consumer repositories hold a bundled scenario's
manifests under ``k8s/``, beside YAML files that are not Kubernetes objects (a CI workflow, Helm
values). Then, with pre-commit from the package index (the dev extras):

* ``pre-commit try-repo COPY netsim-lint --files k8s/*.yaml`` passes on a clean scenario
  (production-hardening: warnings only) and fails on one with an error finding
  (k8s-docs/default-deny-egress: NP003);
* the hook with its own ``files`` pattern, on every file of a commit, gets the other YAML files too,
  and netsim rejects them (exit code 2): why docs/ci.md says to set ``files``;
* both ``.pre-commit-config.yaml`` samples of docs/ci.md, taken from the page, do what the page
  says: their ``repo:`` and ``rev:`` are what ``try-repo --ref`` ran above, and their overrides
  (``files``, ``pass_filenames``, ``args``) are run on the hook as .pre-commit-hooks.yaml defines
  it, as a ``local`` hook whose ``entry`` is the ``netsim`` of this environment.

Installing the hook (a virtualenv, then ``pip install`` of the copy, from the package index) takes
several seconds, and ``try-repo`` installs into a store of its own that it deletes afterwards
(``Store(tempdir)`` in pre-commit's ``commands/try_repo.py``): each ``try-repo`` run installs once,
whatever ``PRE_COMMIT_HOME`` says. So the module-scoped fixture makes two installs, one per input,
at the same time, and the runs of the samples install nothing. ``PRE_COMMIT_HOME`` and virtualenv's
data are temporary folders all the same: the user's ~/.cache/pre-commit is never touched. Needs git.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, SCENARIOS

HOOK = "netsim-lint"
PASSING = SCENARIOS / "production-hardening" / "manifests"  # warnings only: lint exits 0
FAILING = SCENARIOS / "k8s-docs" / "default-deny-egress" / "manifests"  # NP003 is an error: lint exits 1
NOT_MANIFESTS = {
    ".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - run: make test\n",
    "chart/values.yaml": "replicaCount: 2\nimage:\n  repository: example/web\n",
}
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
TAG = f"v{VERSION}"
CI_MD = REPO / "docs" / "ci.md"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the pre-commit hook test needs git")


@dataclass(frozen=True)
class Run:
    code: int
    output: str


def _env(home: Path) -> dict[str, str]:
    """The environment of every git and pre-commit run: no user or system git configuration, a
    pre-commit store and virtualenv data of the test's own."""
    (home / "gitconfig").touch()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),  # this netsim first
        GIT_CONFIG_GLOBAL=str(home / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="netsim test",
        GIT_AUTHOR_EMAIL="netsim-test@example.invalid",
        GIT_COMMITTER_NAME="netsim test",
        GIT_COMMITTER_EMAIL="netsim-test@example.invalid",
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        VIRTUALENV_OVERRIDE_APP_DATA=str(home / "virtualenv"),
    )
    return env


def _git(cwd: Path, env: dict[str, str], *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _pre_commit(cwd: Path, env: dict[str, str], *args: str) -> Run:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return Run(done.returncode, done.stdout + done.stderr)


def _hook_repo(root: Path, env: dict[str, str]) -> Path:
    """This checkout's tracked files, as they are in the work tree, committed and tagged."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("the checkout is not a git repository")
    copy = root / "netsim"
    for name in listed.stdout.decode().split("\0"):
        src = REPO / name
        if name and src.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, copy / name)
    _git(copy, env, "init", "-q")
    _git(copy, env, "add", "-A")
    _git(copy, env, "commit", "-q", "-m", "netsim")
    _git(copy, env, "tag", TAG)
    return copy


def _consumer(root: Path, env: dict[str, str], name: str, manifests: Path, configs: dict[str, str]) -> Path:
    """A repository with ``manifests`` under k8s/, YAML files that are no manifests, and configs."""
    repo = root / name
    (repo / "k8s").mkdir(parents=True)
    for f in sorted(manifests.glob("*.yaml")):
        shutil.copy2(f, repo / "k8s" / f.name)
    for rel, text in {**NOT_MANIFESTS, **configs}.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "manifests")
    return repo


def docs_samples() -> list[str]:
    """The ``.pre-commit-config.yaml`` samples of docs/ci.md's pre-commit section, as written."""
    text = CI_MD.read_text(encoding="utf-8")
    section = text[text.index("\n## pre-commit\n") :]
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section, re.MULTILINE | re.DOTALL)
    return [b for b in blocks if b.startswith("# .pre-commit-config.yaml\n")]


def _local(sample: str | None) -> str:
    """A configuration that runs the hook as .pre-commit-hooks.yaml defines it, with a docs sample's
    overrides (``None``: none), as a ``local`` hook: pre-commit merges a configuration's hook keys
    over the repository's definition in the same way, and this runs without an install."""
    [defined] = [h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text()) if h["id"] == HOOK]
    hook = {k: v for k, v in defined.items() if k != "minimum_pre_commit_version"}
    if sample is not None:
        [repo] = yaml.safe_load(sample)["repos"]
        [override] = repo["hooks"]
        hook |= override
    hook["language"] = "system"  # the netsim on PATH, instead of an install of it
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every pre-commit run of this module, keyed by name (three installs, at the same time)."""
    pytest.importorskip("pre_commit", reason="pre-commit is in the dev extras: pip install -e '.[dev]'")
    root = tmp_path_factory.mktemp("pre-commit")
    env = _env(root)
    hook = _hook_repo(root, env)
    samples = docs_samples()
    configs = {"configs/plain.yaml": _local(None)}
    configs |= {f"configs/docs-{i}.yaml": _local(s) for i, s in enumerate(samples, 1)}
    passing = _consumer(root, env, "passing", PASSING, configs)
    failing = _consumer(root, env, "failing", FAILING, configs)

    def try_repo(consumer: Path) -> Callable[[], dict[str, Run]]:
        files = sorted(f"k8s/{f.name}" for f in (consumer / "k8s").iterdir())
        return lambda: {
            consumer.name: _pre_commit(consumer, env, "try-repo", str(hook), HOOK, "--ref", TAG, "--files", *files)
        }

    def local() -> dict[str, Run]:  # no install: one after the other, while try-repo installs
        out = {"plain": _pre_commit(passing, env, "run", "--all-files", "-c", "configs/plain.yaml")}
        for i in range(1, len(samples) + 1):
            for consumer in (passing, failing):
                config = f"configs/docs-{i}.yaml"
                out[f"docs-{i}-{consumer.name}"] = _pre_commit(consumer, env, "run", "--all-files", "-c", config)
        return out

    with ThreadPoolExecutor(max_workers=3) as pool:
        parts = [pool.submit(job) for job in (try_repo(passing), try_repo(failing), local)]
        results: dict[str, Run] = {}
        for part in parts:
            results |= part.result()
    return results


def _hook_line(output: str) -> str:
    [line] = [line for line in output.splitlines() if line.startswith("netsim lint.")]
    return line


def test_try_repo_passes_on_a_clean_scenario(runs: dict[str, Run]) -> None:
    run = runs["passing"]
    assert run.code == 0, run.output
    assert _hook_line(run.output).endswith("Passed")
    assert f"rev: {TAG}" in run.output  # the tagged copy was the hook's repository
    assert "warning[NP001]" not in run.output  # a passing hook's output is not shown


def test_try_repo_fails_on_an_error_finding(runs: dict[str, Run]) -> None:
    run = runs["failing"]
    assert run.code == 1, run.output
    assert _hook_line(run.output).endswith("Failed")
    assert f"- hook id: {HOOK}\n- exit code: 1\n" in run.output
    assert "k8s/20-default-deny-egress.yaml:3:1: error[NP003] namespace default: egress-isolated pods cannot reach" in (
        run.output
    )
    assert "4 findings: 1 error, 3 warnings, 0 info" in run.output


def test_without_files_the_hook_gets_yaml_that_is_no_manifest(runs: dict[str, Run]) -> None:
    run = runs["plain"]
    assert run.code == 1, run.output
    assert "- exit code: 2\n" in run.output  # invalid input, not a finding
    assert "error: .github/workflows/ci.yml:1:1: kind: Required value: not a Kubernetes object" in run.output
    assert "error: chart/values.yaml:1:1: kind: Required value: not a Kubernetes object" in run.output


def test_docs_ci_md_has_the_two_samples_this_test_runs() -> None:
    samples = docs_samples()
    assert len(samples) == 2
    for sample in samples:
        [repo] = yaml.safe_load(sample)["repos"]
        assert repo["rev"] == TAG  # the release tag of this version (CHANGELOG.md), as try-repo --ref ran
        assert [h["id"] for h in repo["hooks"]] == [HOOK]
        assert repo["repo"].startswith("https://")  # a URL the reader replaces with their clone's
    assert "files: ^k8s/.*\\.ya?ml$" in samples[0]
    assert "pass_filenames: false" in samples[1]
    # the try-repo line the page shows is the run of test_try_repo_*
    shown = f"pre-commit try-repo ../netsim {HOOK} --ref {TAG} --files k8s/*.yaml\n"
    assert shown in CI_MD.read_text(encoding="utf-8")


def test_docs_first_sample_lints_only_the_manifests(runs: dict[str, Run]) -> None:
    clean, broken = runs["docs-1-passing"], runs["docs-1-failing"]
    assert clean.code == 0, clean.output  # the CI workflow and the Helm values are left alone
    assert _hook_line(clean.output).endswith("Passed")
    assert broken.code == 1, broken.output
    assert "error[NP003]" in broken.output
    assert "not a Kubernetes object" not in broken.output


def test_docs_second_sample_lints_the_folder_and_fails_on_warnings(runs: dict[str, Run]) -> None:
    run = runs["docs-2-passing"]
    assert run.code == 1, run.output
    assert "- exit code: 1\n" in run.output
    assert "k8s/00-namespaces.yaml:13:1: warning[NP001] namespace kube-system has no default-deny ingress" in run.output
    assert "2 findings: 0 errors, 2 warnings, 0 info" in run.output
    assert runs["docs-2-failing"].code == 1
