"""`netsim diff`: what a change of manifests does to reachability, for review and CI."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import click

from netsim.cli.app import Choice, Common, Output, common_options, handle_interrupt, main, output_options, reporting
from netsim.diff import Diff, diff_clusters
from netsim.engine import PolicyIndex
from netsim.errors import InputError, InputErrors, NetsimError
from netsim.loader import LoadResult, load_cluster
from netsim.model import Cluster
from netsim.render.diff import diff_json, diff_md, diff_text
from netsim.source import INPUT_SUFFIXES

__all__ = ["checkout_at", "diff"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "json": (".json",), "md": (".md", ".markdown"), "html": (".html", ".htm")}


def _git(cwd: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", cwd, *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise NetsimError("--base-ref reads files through git, and git is not installed") from None


def _git_message(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[0] if text else f"git exited with status {proc.returncode}"


def _repository(path: str) -> str:
    """The top directory of the git work tree that holds ``path``."""
    anchor = Path(path).absolute()
    if not anchor.is_dir():
        anchor = anchor.parent
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    proc = _git(str(anchor), "rev-parse", "--show-toplevel")
    if proc.returncode != 0:
        raise NetsimError(f"--base-ref: {path} is not in a git repository ({_git_message(proc)})")
    return proc.stdout.decode("utf-8").strip()


def _commit(repo: str, rev: str) -> str:
    if not rev or rev.startswith("-"):
        raise NetsimError(f"--base-ref: invalid revision {rev!r}")
    proc = _git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if proc.returncode != 0:
        raise NetsimError(f"--base-ref: unknown revision {rev!r} in the git repository {repo}")
    return proc.stdout.decode("utf-8").strip()


def _is_input(name: str, under: str) -> bool:
    """Would :func:`netsim.source.discover` read ``name`` when given the directory ``under``?"""
    rest = name[len(under) + 1 :] if under not in ("", ".") else name
    parts = rest.split("/")
    return not any(part.startswith(".") for part in parts) and name.endswith(INPUT_SUFFIXES)


def checkout_at(rev: str, paths: Sequence[str], dest: Path) -> tuple[list[str], dict[str, str], list[str]]:
    """Write ``paths`` as they are at git revision ``rev`` under ``dest``, with their layout.

    Returns the inputs to load, each PATH's copy (a file, or a directory that the loader then
    walks as it walks the working tree's, so a file in it that holds no Kubernetes objects is
    skipped as it is there), the label of each file and directory written (``REV:repo/relative/path``,
    what positions in errors and spans print) and warnings (a path that does not exist at ``rev``).
    """
    files: list[str] = []
    labels: dict[str, str] = {}
    warnings: list[str] = []
    repos: dict[str, Path] = {}  # each repository's files under their own folder of dest
    for path in paths:
        if path == "-":
            raise NetsimError("--base-ref reads each PATH from git and from the working tree; '-' cannot be used")
        repo = _repository(path)
        commit = _commit(repo, rev)
        rel = Path(os.path.relpath(Path(path).resolve(), Path(repo).resolve())).as_posix()
        if rel == ".." or rel.startswith("../"):
            raise NetsimError(f"--base-ref: {path} is outside the git repository {repo}")
        proc = _git(repo, "ls-tree", "-r", "-z", commit, "--", rel)
        if proc.returncode != 0:
            raise NetsimError(f"--base-ref: cannot list {path} at {rev}: {_git_message(proc)}")
        entries = []
        for record in proc.stdout.decode("utf-8").split("\0"):
            if not record:
                continue
            meta, _, name = record.partition("\t")
            mode, kind, _obj = meta.split(" ")
            if kind == "blob" and mode != "120000":  # not a symlink or a submodule
                entries.append(name)
        if entries != [rel]:  # a directory: what discover() would read in it
            entries = [name for name in entries if _is_input(name, rel)]
        if not entries:
            warnings.append(f"{path} does not exist at {rev} (or has no *.yaml, *.yml or *.json files there)")
            continue
        root = repos.setdefault(repo, dest / str(len(repos)))
        for name in entries:
            target = root / name
            if str(target) in labels:
                continue
            blob = _git(repo, "show", f"{commit}:{name}")
            if blob.returncode != 0:
                raise NetsimError(f"--base-ref: cannot read {name} at {rev}: {_git_message(blob)}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(blob.stdout)
            labels[str(target)] = f"{rev}:{name}"
        copy = root / rel
        labels.setdefault(str(copy), f"{rev}:{rel}")
        files.append(str(copy))
    return files, labels, warnings


def _load(common: Common, paths: Sequence[str], labels: dict[str, str] | None = None) -> LoadResult:
    result = load_cluster(list(paths), common.load_options(), labels=labels)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return result


def _load_sides(
    common: Common, base: Sequence[str], head: Sequence[str], labels: dict[str, str] | None = None
) -> tuple[Cluster, Cluster]:
    """Load both sides, reporting the errors of both at once."""
    errors: list[InputError] = []
    clusters: list[Cluster] = []
    for paths, side_labels in ((base, labels), (head, None)):
        try:
            clusters.append(_load(common, paths, side_labels).cluster if paths else Cluster())
        except InputErrors as group:
            errors.extend(e for e in group.exceptions if isinstance(e, InputError))
        except InputError as exc:
            errors.append(exc)
    if errors:
        raise InputErrors(errors)
    return clusters[0], clusters[1]


def _status(result: Diff, exit_code: bool, fail_on: str | None) -> int:
    failed = {
        None: False,
        "added": result.opens,
        "removed": result.closes,
        "any": result.opens or result.closes,
    }[fail_on]
    return 1 if failed or (exit_code and not result.empty) else 0


@main.command(usage_args="(BASE HEAD | --base-ref REV PATHS...)")
@common_options
@click.option(
    "--base-ref",
    "base_ref",
    metavar="REV",
    default=None,
    help="Compare PATHS as they are at git revision REV (base) with the working tree (head).",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit 1 when anything differs: a connection or a policy (like git diff --exit-code).",
)
@click.option(
    "--fail-on",
    type=Choice(["added", "removed", "any"]),
    default=None,
    help="Exit 1 only when traffic is newly allowed (added: connections added or ports gained), "
    "newly denied (removed: connections removed or ports lost), or either (any).",
)
@output_options(
    FORMATS,
    "text",
    help="text, json, md (a pull-request comment) or html (the interactive report of netsim report with the added, "
    "removed and changed connections coloured). Default: text, or with --output-file the one its suffix names "
    "(.json, .md, .html).",
)
@handle_interrupt
def diff(common: Common, base_ref: str | None, output: Output, exit_code: bool, fail_on: str | None) -> None:
    """What changes between two versions of the manifests: connections and policies.

    Takes BASE and HEAD (two files or directories), or --base-ref REV and PATHS, which are read
    at git revision REV (through git) and from the working tree. Compares the workload-level
    reachability of both sides and lists the connections added, removed and changed (with the
    ports gained and lost), one line for a whole namespace that changed the same way, the
    policies added, removed and modified, and for each changed connection the changes behind
    it: a changed policy that selects its source for Egress or its destination for Ingress, or
    a workload or namespace whose labels changed.

    \b
    Examples:
      netsim diff scenarios/k8s-docs/default-deny-ingress/manifests scenarios/k8s-docs/allow-all-ingress/manifests
      netsim diff old/ new/ -o md > pr-comment.md
      netsim diff --base-ref origin/main k8s/policies k8s/apps --fail-on added
      netsim diff --base-ref HEAD~1 manifests/ -o json --exit-code
      netsim diff --base-ref origin/main manifests/ --output-file pr.html
      netsim diff -f old.yaml -f new.yaml -o md
    """
    with reporting():
        if base_ref is None:
            if len(common.paths) != 2:
                raise click.UsageError("netsim diff takes BASE and HEAD (two paths), or --base-ref REV PATHS...")
            base_label, head_label = common.paths
            base, head = _load_sides(common, common.paths[:1], common.paths[1:])
        else:
            base_label, head_label = f"{base_ref}:{' '.join(common.paths)}", "working tree"
            with tempfile.TemporaryDirectory(prefix="netsim-diff-") as tmp:
                files, labels, warnings = checkout_at(base_ref, common.paths, Path(tmp))
                for warning in warnings:
                    click.echo(f"warning: {warning}", err=True)
                base, head = _load_sides(common, files, common.paths, labels)
        result = diff_clusters(base, head, common.options)
        common.require_namespace(base, head)
        if output.format == "html":
            from netsim.render.html import report_html  # the report only when asked for
            from netsim.report import build_report

            data = build_report(
                PolicyIndex(head, common.options),
                base=PolicyIndex(base, common.options),
                title=f"{base_label} -> {head_label}",
            )
            text = report_html(data)
        else:
            render = {"text": diff_text, "json": diff_json, "md": diff_md}[output.format]
            text = render(result, base_label, head_label)
        output.write(text, common.paths)
    output.done()
    status = _status(result, exit_code, fail_on)
    if status:
        sys.exit(status)
