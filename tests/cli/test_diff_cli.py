"""`netsim diff` through click's CliRunner: versions of the production-hardening scenario written
into tmp_path (a policy added, removed, a port changed, a label changed), --base-ref against a git
repository made in the test, exit codes with --exit-code and --fail-on, JSON and Markdown parsed.

Every test runs in tmp_path and names files relatively, so positions read as a user sees them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from tests.conftest import SCENARIOS

MANIFESTS = SCENARIOS / "production-hardening" / "manifests"

KUBE_SYSTEM_DENY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny-ingress
  namespace: kube-system
spec:
  podSelector: {}
  policyTypes: [Ingress]
"""

WEB_TO_NGINX = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-egress-to-nginx
  namespace: production
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchLabels: {app: nginx}
      ports:
        - port: 443
"""


def _edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def policy_added(head: Path) -> None:
    (head / "35-kube-system-deny.yaml").write_text(KUBE_SYSTEM_DENY, encoding="utf-8")


def policy_removed(head: Path) -> None:
    (head / "34-nginx-public.yaml").unlink()


def port_changed(head: Path) -> None:
    _edit(head / "32-web-to-backend.yaml", "port: 8080", "port: 8081")
    _edit(head / "32-web-to-backend.yaml", "port: http-api", "port: management")


def label_changed(head: Path) -> None:
    _edit(head / "20-pods.yaml", "    app: web\n", "    app: frontend\n", 1)


def web_opened(head: Path) -> None:
    (head / "36-web-to-nginx.yaml").write_text(WEB_TO_NGINX, encoding="utf-8")


def selector_rewritten(head: Path) -> None:
    # the same pods, written another way: the policy is modified, no connection changes
    _edit(
        head / "34-nginx-public.yaml",
        "    matchLabels:\n      app: nginx\n",
        "    matchExpressions:\n      - {key: app, operator: In, values: [nginx]}\n",
    )


Change = Callable[[Path], None]


@pytest.fixture
def versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Change], None]:
    """Write base/ (the scenario) and head/ (the scenario with a change) into tmp_path; chdir there."""
    monkeypatch.chdir(tmp_path)

    def make(change: Change) -> None:
        for side in ("base", "head"):
            shutil.rmtree(tmp_path / side, ignore_errors=True)
            shutil.copytree(MANIFESTS, tmp_path / side)
        change(tmp_path / "head")

    return make


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args], catch_exceptions=False)


# -- the four kinds of change ----------------------------------------------------------------------------


def test_port_changed(versions: Callable[[Change], None]) -> None:
    versions(port_changed)
    result = run("base", "head")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        "netsim diff base -> head\n"
        "1 connection changed; 2 policies modified\n"
        "\n"
        "Connections changed (1):\n"
        "  ~ production/web[Pod] => production/backend[Pod] : TCP 8080 -> TCP 8081 (gained TCP 8081, lost TCP 8080)\n"
        "      cause: policy production/backend-ingress-from-web modified (head/32-web-to-backend.yaml:25:1): "
        "selects the destination for Ingress\n"
        "      cause: policy production/web-egress-to-backend modified (head/32-web-to-backend.yaml:3:1): "
        "selects the source for Egress\n"
        "\n"
        "Policies modified (2):\n"
        "  ~ production/backend-ingress-from-web (base/32-web-to-backend.yaml:25:1 -> "
        "head/32-web-to-backend.yaml:25:1): spec.ingress[0].ports\n"
        "  ~ production/web-egress-to-backend (base/32-web-to-backend.yaml:3:1 -> "
        "head/32-web-to-backend.yaml:3:1): spec.egress[0].ports\n"
    )


def test_policy_added_removes_a_whole_namespace_in_one_line(versions: Callable[[Change], None]) -> None:
    versions(policy_added)
    result = run("base", "head")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "5 connections removed; 1 policy added"
    assert "  - namespace production => namespace kube-system: all 4 connections removed (none remain)" in lines
    assert "  - 0.0.0.0-255.255.255.255[External] => kube-system/kube-dns[Pod] : All Connections" in lines
    assert (
        "      cause: policy kube-system/default-deny-ingress added (head/35-kube-system-deny.yaml:1:1): "
        "selects the destination for Ingress"
    ) in lines
    assert lines[-2:] == [
        "Policies added (1):",
        "  + kube-system/default-deny-ingress (head/35-kube-system-deny.yaml:1:1)",
    ]


def test_policy_removed(versions: Callable[[Change], None]) -> None:
    versions(policy_removed)
    result = run("base", "head")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "2 connections removed; 1 policy removed",
        "",
        "Connections removed (2):",
        "  - 0.0.0.0-255.255.255.255[External] => production/nginx[Pod] : TCP 80,443",
        "      cause: policy production/nginx-allow-http-https removed (base/34-nginx-public.yaml:3:1): "
        "selects the destination for Ingress",
        "  - kube-system/kube-dns[Pod] => production/nginx[Pod] : TCP 80,443",
        "      cause: policy production/nginx-allow-http-https removed (base/34-nginx-public.yaml:3:1): "
        "selects the destination for Ingress",
        "",
        "Policies removed (1):",
        "  - production/nginx-allow-http-https (base/34-nginx-public.yaml:3:1)",
    ]


def test_label_changed_is_attributed_to_the_pod(versions: Callable[[Change], None]) -> None:
    versions(label_changed)
    result = run("base", "head")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == [
        "1 connection removed",
        "",
        "Connections removed (1):",
        "  - production/web[Pod] => production/backend[Pod] : TCP 8080",
        "      cause: workload production/web[Pod] changed (head/20-pods.yaml:3:1): "
        "the source (labels app=web,tier=frontend -> app=frontend,tier=frontend)",
        "",
        "Workloads and namespaces behind these changes (1):",
        "  ~ production/web[Pod] changed (head/20-pods.yaml:3:1): "
        "labels app=web,tier=frontend -> app=frontend,tier=frontend",
    ]


def test_label_changed_in_markdown(versions: Callable[[Change], None]) -> None:
    versions(label_changed)
    tables = _md_tables(run("base", "head", "-o", "md").stdout)
    assert tables[-1] == [
        ["change", "name", "kind", "details"],
        [
            "changed",
            "`production/web[Pod]`",
            "workload",
            "labels app=web,tier=frontend -&gt; app=frontend,tier=frontend",
        ],
    ]


def test_no_change() -> None:
    result = run(str(MANIFESTS), str(MANIFESTS), "--exit-code")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[1:] == ["no change: the same connections and the same policies"]


# -- exit codes -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "flags", "status"),
    [
        (policy_removed, [], 0),
        (policy_removed, ["--exit-code"], 1),
        (policy_removed, ["--fail-on", "removed"], 1),
        (policy_removed, ["--fail-on", "added"], 0),
        (policy_removed, ["--fail-on", "any"], 1),
        (web_opened, ["--fail-on", "added"], 1),
        (web_opened, ["--fail-on", "removed"], 0),
        (web_opened, ["--fail-on", "any"], 1),
        (port_changed, ["--fail-on", "added"], 1),  # gained TCP 8081
        (port_changed, ["--fail-on", "removed"], 1),  # lost TCP 8080
        (selector_rewritten, ["--exit-code"], 1),  # a policy changed, even without effect
        (selector_rewritten, ["--fail-on", "any"], 0),  # no traffic changed
        (selector_rewritten, ["--exit-code", "--fail-on", "any"], 1),
    ],
    ids=lambda v: v.__name__ if callable(v) else "_".join(v) if isinstance(v, list) else str(v),
)
def test_exit_codes(versions: Callable[[Change], None], change: Change, flags: list[str], status: int) -> None:
    versions(change)
    result = run("base", "head", *flags)
    assert result.exit_code == status, result.output
    assert result.stdout.startswith("netsim diff base -> head\n")  # the diff is printed either way


def test_bad_input_in_either_side_is_reported_with_both(versions: Callable[[Change], None]) -> None:
    versions(policy_removed)
    Path("base/99-bad.yaml").write_text("kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\n", encoding="utf-8")
    Path("head/99-bad.yaml").write_text("x: [\n", encoding="utf-8")
    result = run("base", "head", "--exit-code")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: base/99-bad.yaml:1:1: metadata.name: Required value: name or generateName is required\n"
        "error: head/99-bad.yaml:2:1: YAML syntax error: did not find expected node content "
        "(while parsing a flow node)\n"
        "netsim: 2 input errors; nothing was evaluated\n"
    )


def test_diff_needs_two_paths_without_base_ref() -> None:
    result = run(str(MANIFESTS))
    assert result.exit_code == 2
    assert "netsim diff takes BASE and HEAD (two paths), or --base-ref REV PATHS..." in result.stderr


def by_ip_block(side: Path) -> None:
    # backend admits web's subnet by address instead of web by label
    old = "    - from:\n        - podSelector:\n            matchLabels:\n              app: web\n"
    _edit(side / "32-web-to-backend.yaml", old, "    - from:\n        - ipBlock: {cidr: 10.0.1.0/24}\n")


def test_common_options_apply_to_both_sides(versions: Callable[[Change], None]) -> None:
    versions(lambda head: None)
    by_ip_block(Path("base"))
    subnet = "10.0.1.0-10.0.1.255[External] => production/backend[Pod] : TCP 8080"
    # the ipBlock matched web's IP (10.0.1.15) already: only the outside subnet loses backend
    default = run("base", "head")
    assert default.exit_code == 0
    assert [line for line in default.stdout.splitlines() if "=>" in line] == [f"  - {subnet}"]
    # without ipBlocks matching pods, web -> backend is new in head
    without = run("base", "head", "--no-ipblock-pods")
    assert [line for line in without.stdout.splitlines() if "=>" in line] == [
        "  + production/web[Pod] => production/backend[Pod] : TCP 8080",
        f"  - {subnet}",
    ]


# -- output formats -----------------------------------------------------------------------------------------


def test_json_output(versions: Callable[[Change], None]) -> None:
    versions(policy_added)
    data = json.loads(run("base", "head", "-o", "json").stdout)
    assert (data["base"], data["head"]) == ("base", "head")
    assert data["summary"]["connections"] == {"added": 0, "removed": 5, "changed": 0}
    assert data["summary"]["policies"] == {"added": 1, "removed": 0, "modified": 0}
    assert (data["summary"]["opens"], data["summary"]["closes"], data["summary"]["changed"]) == (False, True, True)
    [group] = data["groups"]
    assert group["from"] == {"kind": "Namespace", "name": "production"}
    assert group["to"] == {"kind": "Namespace", "name": "kube-system"}
    assert group["count"] == 4
    assert sorted(src for src, _ in group["connections"]) == [
        "production/backend[Pod]",
        "production/database-client[Pod]",
        "production/nginx[Pod]",
        "production/web[Pod]",
    ]
    web = next(c for c in data["connections"] if c["srcLabel"] == "production/web[Pod]")
    assert web["before"] == {"TCP": [[53, 53]], "UDP": [[53, 53]]}
    assert (web["after"], web["gained"]) == ({}, {})
    assert web["causes"] == [
        {
            "kind": "policy",
            "ref": "kube-system/default-deny-ingress",
            "change": "added",
            "role": "selects the destination for Ingress",
            "location": "head/35-kube-system-deny.yaml:1:1",
        }
    ]
    assert data["policies"] == [
        {
            "change": "added",
            "policy": "kube-system/default-deny-ingress",
            "baseLocation": None,
            "headLocation": "head/35-kube-system-deny.yaml:1:1",
            "fields": [],
        }
    ]


def _md_tables(md: str) -> list[list[list[str]]]:
    """Every Markdown table as rows of cells (the header row first, the separator left out)."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in [*md.splitlines(), ""]:
        if line.startswith("|"):
            if not re.fullmatch(r"\|(---\|)+", line):
                current.append([cell.strip() for cell in line.strip("|").split(" | ")])
        elif current:
            tables.append(current)
            current = []
    return tables


def test_md_output_is_a_pull_request_comment(versions: Callable[[Change], None]) -> None:
    versions(policy_added)
    md = run("base", "head", "-o", "md").stdout
    assert md.startswith("### netsim diff: 5 connections removed; 1 policy added\n")
    assert "- **namespace production =&gt; namespace kube-system: all 4 connections removed (none remain)**" in md
    tables = _md_tables(md)
    assert [t[0] for t in tables] == [
        ["source", "destination", "was allowed", "cause"],
        ["source", "destination", "was allowed", "cause"],
        ["change", "policy", "where", "fields"],
    ]
    grouped, single, policies = tables
    assert len(grouped) == 5  # header + the 4 connections of the namespace-wide line, inside <details>
    assert single[1][:3] == ["`0.0.0.0-255.255.255.255[External]`", "`kube-system/kube-dns[Pod]`", "All Connections"]
    assert policies[1] == ["added", "`kube-system/default-deny-ingress`", "head/35-kube-system-deny.yaml:1:1", ""]
    assert md.count("<details>") == md.count("</details>") == 1


def test_md_folds_long_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pods = "".join(
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{i}, labels: {{app: p{i}}}}}\n"
        for i in range(4)
    )
    Path("base.yaml").write_text(pods, encoding="utf-8")
    deny = "".join(
        f"---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: deny, namespace: ns{i}}}\n"
        "spec: {podSelector: {}}\n"
        for i in range(4)
    )
    Path("head.yaml").write_text(pods + deny, encoding="utf-8")
    md = run("base.yaml", "head.yaml", "-o", "md").stdout
    # 16 connections removed (3 pods and the outside into each of 4 pods), no namespace-wide line
    assert "#### Connections removed (16)" in md
    assert "<details>\n<summary>16 connections removed</summary>\n\n| source | destination |" in md
    assert md.count("<details>") == md.count("</details>") == 1  # the 4 policies fit in a table


# -- --base-ref: a git repository with two commits ---------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "netsim tests",
        "GIT_AUTHOR_EMAIL": "tests@netsim.invalid",
        "GIT_COMMITTER_NAME": "netsim tests",
        "GIT_COMMITTER_EMAIL": "tests@netsim.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return proc.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """k8s/ = the scenario (commit 1), then nginx's policy removed (commit 2), then an uncommitted port change."""
    root = tmp_path / "repo"
    shutil.copytree(MANIFESTS, root / "k8s")
    (root / "README.md").write_text("not a manifest\n", encoding="utf-8")
    (root / "k8s" / ".hidden.yaml").write_text("not: read\n", encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "scenario")
    policy_removed(root / "k8s")
    git(root, "commit", "-q", "-a", "-m", "drop nginx's policy")
    port_changed(root / "k8s")
    monkeypatch.chdir(root)
    return root


def test_base_ref_compares_a_revision_with_the_working_tree(repo: Path) -> None:
    result = run("--base-ref", "HEAD~1", "k8s")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "netsim diff HEAD~1:k8s -> working tree",
        "2 connections removed, 1 changed; 1 policy removed, 2 modified",
    ]
    assert "  - production/nginx-allow-http-https (HEAD~1:k8s/34-nginx-public.yaml:3:1)" in lines
    assert (
        "  ~ production/web-egress-to-backend (HEAD~1:k8s/32-web-to-backend.yaml:3:1 -> "
        "k8s/32-web-to-backend.yaml:3:1): spec.egress[0].ports"
    ) in lines


def test_base_ref_head_sees_only_the_uncommitted_change(repo: Path) -> None:
    data = json.loads(run("--base-ref", "HEAD", "k8s", "-o", "json").stdout)
    assert data["base"] == "HEAD:k8s"
    assert data["summary"]["connections"] == {"added": 0, "removed": 0, "changed": 1}
    assert [p["change"] for p in data["policies"]] == ["modified", "modified"]
    assert data["policies"][0]["baseLocation"] == "HEAD:k8s/32-web-to-backend.yaml:25:1"
    git(repo, "checkout", "-q", "--", "k8s")
    assert run("--base-ref", "HEAD", "k8s", "--exit-code").exit_code == 0


def test_base_ref_takes_files_and_works_from_a_subdirectory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo / "k8s")
    result = run("--base-ref", "HEAD~1", ".", "--fail-on", "removed")
    assert result.exit_code == 1
    assert "  - production/nginx-allow-http-https (HEAD~1:k8s/34-nginx-public.yaml:3:1)" in result.stdout
    files = sorted(p.name for p in (repo / "k8s").glob("[0-3]*.yaml"))
    result = run("--base-ref", "HEAD", *files, "-o", "json")
    assert json.loads(result.stdout)["summary"]["connections"]["changed"] == 1


def test_base_ref_path_new_in_the_working_tree(repo: Path) -> None:
    (repo / "extra").mkdir()
    (repo / "extra" / "web-to-nginx.yaml").write_text(WEB_TO_NGINX, encoding="utf-8")
    result = run("--base-ref", "HEAD", "k8s", "extra")
    assert result.exit_code == 0
    assert result.stderr == "warning: extra does not exist at HEAD (or has no *.yaml, *.yml or *.json files there)\n"
    assert "  + production/web-egress-to-nginx (extra/web-to-nginx.yaml:1:1)" in result.stdout


def test_base_ref_errors_name_the_revision(repo: Path) -> None:
    (repo / "k8s" / "bad.yaml").write_text("x: [\n", encoding="utf-8")
    git(repo, "add", "k8s/bad.yaml")
    git(repo, "commit", "-q", "-m", "bad")
    result = run("--base-ref", "HEAD", "k8s")
    assert result.exit_code == 2
    syntax = "YAML syntax error: did not find expected node content (while parsing a flow node)"
    assert result.stderr.splitlines() == [
        f"error: HEAD:k8s/bad.yaml:2:1: {syntax}",
        f"error: k8s/bad.yaml:2:1: {syntax}",
        "netsim: 2 input errors; nothing was evaluated",
    ]


def test_base_ref_unknown_revision(repo: Path) -> None:
    result = run("--base-ref", "no-such-branch", "k8s")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: --base-ref: unknown revision 'no-such-branch' in the git repository {repo}\n"
    assert run("--base-ref", "--help", "k8s").exit_code == 2


def test_base_ref_outside_a_git_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(MANIFESTS, tmp_path / "plain")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run("--base-ref", "HEAD", "plain")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --base-ref: plain is not in a git repository (fatal: not a git repository")


def test_base_ref_refuses_stdin(repo: Path) -> None:
    result = run("--base-ref", "HEAD", "-")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --base-ref reads each PATH from git and from the working tree; '-' cannot be used\n"
    )
