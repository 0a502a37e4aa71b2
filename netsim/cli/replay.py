"""`netsim replay`: the flows a cluster carried, replayed against the manifests."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import click

from netsim.cli.app import (
    Choice,
    Common,
    Output,
    common_options,
    handle_interrupt,
    main,
    output_options,
    progress,
    reporting,
)
from netsim.endpoints import did_you_mean, namespaces, suggest
from netsim.engine import PolicyIndex
from netsim.errors import NetsimError
from netsim.flows.reader import FlowStream
from netsim.model import Cluster, Direction
from netsim.replay import FailOn, ReplayInput, ReplayReport, ReplayResult, from_fold, replay, with_default_deny
from netsim.source import Limits

__all__ = ["FLOW_FORMATS", "flow_options", "read_observed", "replay_cmd"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "json": (".json",), "md": (".md",), "junit": (".xml",)}
#: --flows-format: what the reader knows (auto: detected from the first record).
FLOW_FORMATS = ("auto", "hubble", "calico", "generic")
_DIRECTIONS = {
    "ingress": (Direction.INGRESS,),
    "egress": (Direction.EGRESS,),
    "both": (Direction.INGRESS, Direction.EGRESS),
}


#: --max-flow-bytes: flow exports are streamed, so their limit is far above a manifest's.
MAX_FLOW_BYTES = 64 << 30


def flow_options(func: click.decorators.FC) -> click.decorators.FC:
    """``--flows FILE``, ``--flows-format`` and ``--max-flow-bytes``, shared by ``replay`` and
    ``suggest``."""
    func = click.option(
        "--max-flow-bytes",
        "max_flow_bytes",
        type=click.IntRange(min=1),
        default=MAX_FLOW_BYTES,
        show_default=True,
        metavar="N",
        help="Limit: refuse a flow export larger than N bytes once decompressed (it is read as a stream, "
        "a record at a time; a gzip bomb stops as soon as it passes N).",
    )(func)
    func = click.option(
        "--flows-format",
        "flows_format",
        type=Choice(FLOW_FORMATS),
        default="auto",
        show_default=True,
        help="The format of --flows: Hubble flow JSON (hubble observe -o json, Hubble's exporter), Calico "
        "flow logs (JSON), or generic CSV/JSON (source,destination,port,protocol[,count]); auto detects it.",
    )(func)
    return click.option(
        "--flows",
        "flows",
        required=True,
        metavar="FILE",
        type=click.Path(allow_dash=True, dir_okay=False),
        help="The observed flows: a file ('-': standard input), gzip-compressed or not. To replay several "
        "exports, concatenate them: zcat day-*.json.gz | netsim replay ... --flows -",
    )(func)


@contextmanager
def _spooled(path: str, most: int) -> Iterator[str]:
    """``path``, or for standard input a temporary copy of it (read twice with --base-ref), within
    ``--max-flow-bytes`` as it is copied (compressed bytes; the reader counts the rest)."""
    if path != "-":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="netsim-flows-") as tmp:
        copy = os.path.join(tmp, "stdin")
        with open(copy, "wb") as out:
            copied = 0
            while chunk := sys.stdin.buffer.read(1 << 20):
                copied += len(chunk)
                if copied > most:
                    raise NetsimError(f"<stdin>: larger than --max-flow-bytes {most:,} bytes; refused")
                out.write(chunk)
        yield copy


def _expected_bytes(path: str) -> int:
    """How many bytes reading ``path`` will yield, for the progress bar: its size, or for a gzip
    file the size its trailer records (modulo 4 GiB); 0 when unknown (standard input)."""
    if path == "-" or not os.path.isfile(path):
        return 0
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b" or size < 18:
            return size
        f.seek(-4, os.SEEK_END)
        return int.from_bytes(f.read(4), "little") or size


@contextmanager
def _watching(stream: FlowStream, total: int, step: Callable[[int, int], None]) -> Iterator[None]:
    """Show the bytes ``stream`` has read against ``total`` while the body runs (a thread polls
    them, so the reader's loop pays nothing)."""
    if not total:
        yield
        return
    done = threading.Event()

    def poll() -> None:
        while not done.wait(0.25):
            step(min(stream.bytes_read, total), total)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
    step(min(stream.bytes_read, total), total)  # read to the end: the bar ends where the data did


@contextmanager
def _as_is(path: str) -> Iterator[str]:
    yield path


def read_observed(
    cluster: Cluster,
    flows: str,
    flows_format: str,
    limits: Limits,
    *,
    lax: bool,
    label: str | None = None,
    max_flow_bytes: int = MAX_FLOW_BYTES,
) -> ReplayInput:
    """Read a flow export and fold it into the connections it observed between the endpoints of
    ``cluster`` (``label``: how positions name the file; default its path, ``<stdin>`` for -),
    with a progress bar on a terminal. ``limits`` hold for the export, except that its size is
    limited by ``max_flow_bytes`` (decompressed)."""
    limits = dataclasses.replace(limits, max_file_bytes=max_flow_bytes, max_total_bytes=max_flow_bytes)
    from netsim.flows.fold import fold
    from netsim.flows.mapping import EndpointIndex
    from netsim.flows.reader import read_flows

    name = label or ("<stdin>" if flows == "-" else flows)
    fmt = None if flows_format == "auto" else flows_format
    expected = _expected_bytes(flows)
    with (
        progress("reading flows") as step,
        read_flows(flows, fmt, limits, lax=lax, label=name, size_option="--max-flow-bytes") as stream,
        _watching(stream, expected, step),
    ):
        folded = fold(stream, EndpointIndex(cluster))
    return from_fold(folded, name)


def _namespaces_to_deny(cluster: Cluster, names: Sequence[str]) -> list[str]:
    """``--add-default-deny`` values: namespaces of the input, or ``all`` (every namespace with pods
    or a manifest)."""
    known = namespaces(cluster)
    if "all" in names:
        return sorted(known)
    for name in names:
        if name not in known:
            raise NetsimError(
                f"--add-default-deny {name}: no such namespace in the input" + did_you_mean(suggest(name, known))
            )
    return sorted(set(names))


@main.command("replay")
@common_options
@flow_options
@click.option(
    "--base-ref",
    "base_ref",
    metavar="REV",
    default=None,
    help="Also replay against PATHS as they are at git revision REV, and report the connections the "
    "change newly denies or newly allows.",
)
@click.option(
    "--fail-on",
    "fail_on",
    type=Choice([f.value for f in FailOn]),
    default=None,
    help="Exit 1 when an observed connection is denied (denied: the default), newly denied by the change "
    "(newly-denied: the default with --base-ref), or never.",
)
@click.option(
    "--add-default-deny",
    "deny_in",
    multiple=True,
    metavar="NAMESPACE|all",
    help="What if: replay as if a default-deny NetworkPolicy (podSelector {}, no rules) were added in "
    "NAMESPACE (repeatable), or in every namespace (all).",
)
@click.option(
    "--direction",
    type=Choice(list(_DIRECTIONS)),
    default=None,
    help="The directions --add-default-deny denies (default both).",
)
@output_options(FORMATS, "text")
@handle_interrupt
def replay_cmd(
    common: Common,
    flows: str,
    flows_format: str,
    max_flow_bytes: int,
    base_ref: str | None,
    fail_on: str | None,
    deny_in: tuple[str, ...],
    direction: str | None,
    output: Output,
) -> None:
    """Replay observed flows against the manifests: would the policies allow what the cluster carried?

    Reads a flow export (--flows), maps each flow's ends to the pods and workloads of PATHS (by
    namespace and pod name, by address, by the workload that owns the pod; anything else on an
    address is an outside address), folds replies (a reply belongs to its request) and the two
    observations of one connection, and decides each distinct connection as `netsim check` does.
    A connection left undetermined because an end has no address in the manifests (a workload's
    manifest against an ipBlock) is decided at the addresses the flows give, when they all agree.
    Prints a summary (flows and connections allowed, denied, undetermined, unmapped), then every
    connection that is denied or undetermined with how often and when it was seen and the
    rule-level explanation, then the flows that map to nothing in the manifests, which are never
    dropped silently. With --base-ref, also what the change does to the observed traffic; with
    --add-default-deny, what a default deny would sever, before it is rolled out.

    \b
    Examples:
      hubble observe --since 24h -o json > flows.json
      netsim replay k8s/ --flows flows.json
      netsim replay k8s/ --flows flows.json.gz --base-ref origin/main -o md --output-file replay.md
      netsim replay k8s/ --flows flows.json --add-default-deny payments --direction egress
      netsim replay k8s/ --flows calico-flows.json -o junit --output-file replay.xml --fail-on never
      kubectl get ns,pods,netpol -A -o yaml | netsim replay - --flows flows.json
    """
    with reporting():
        if direction is not None and not deny_in:
            raise click.UsageError("--direction says which directions --add-default-deny denies: give that too")
        if fail_on == FailOn.NEWLY_DENIED and base_ref is None:
            raise click.UsageError("--fail-on newly-denied compares with a base: give --base-ref REV")
        if flows == "-" and "-" in common.paths:
            raise click.UsageError("the manifests and --flows cannot both be standard input ('-')")
        chosen = FailOn(fail_on) if fail_on else (FailOn.NEWLY_DENIED if base_ref else FailOn.DENIED)
        with _spooled(flows, max_flow_bytes) if base_ref else _as_is(flows) as flows_path:
            label = "<stdin>" if flows == "-" else flows
            index = common.index()
            cluster = index.cluster
            what_if = None
            if deny_in:
                directions = _DIRECTIONS[direction or "both"]
                names = _namespaces_to_deny(cluster, deny_in)
                cluster = with_default_deny(cluster, names, directions)
                index = PolicyIndex(cluster, common.options)
                words = " and ".join(d.value for d in directions)
                where = "every namespace" if "all" in deny_in else ", ".join(names)
                what_if = f"a default deny for {words} in {where}"

            def replayed(index: PolicyIndex, step: Callable[[int, int], None] | None = None) -> ReplayResult:
                found = read_observed(
                    index.cluster,
                    flows_path,
                    flows_format,
                    common.limits,
                    lax=common.lax,
                    label=label,
                    max_flow_bytes=max_flow_bytes,
                )
                return found.result(replay(index, found.observed, step))

            with progress("replaying") as step:
                head = replayed(index, step)
            base_label = None
            base = None
            if base_ref is not None:
                base_label = f"{base_ref}:{' '.join(common.paths)}"
                base = replayed(_base_index(common, base_ref))
        report = ReplayReport(
            (label,), " ".join(common.paths), head, chosen, base_label=base_label, base=base, what_if=what_if
        )
        from netsim.render.replay import replay_json, replay_junit, replay_md, replay_text

        renderers: dict[str, Callable[[ReplayReport], str | bytes]] = {
            "text": replay_text,
            "json": replay_json,
            "md": replay_md,
            "junit": replay_junit,
        }
        render = renderers[output.format]
        output.write(render(report), common.paths)
    output.done()
    status = report.exit_status()
    if status:
        sys.exit(status)


def _base_index(common: Common, rev: str) -> PolicyIndex:
    """The manifests at git revision ``rev``, indexed."""
    from netsim.cli.diff import checkout_at
    from netsim.loader import load_cluster

    tmp = tempfile.mkdtemp(prefix="netsim-replay-")
    try:
        files, labels, warnings = checkout_at(rev, common.paths, Path(tmp))
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        if not files:  # nothing of PATHS existed at REV: the base has no objects
            return PolicyIndex(Cluster(), common.options)
        result = load_cluster(files, common.load_options(), labels=labels)
        for problem in result.warnings:
            click.echo(f"warning: {problem}", err=True)
        return PolicyIndex(result.cluster, common.options)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
