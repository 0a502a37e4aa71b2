"""The ``netsim`` command line: the only module that prints, reads argv or exits.

Exit status: 0 success (or ALLOWED), 1 a negative answer (DENIED), 2 bad input or usage,
130 interrupted.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from netsim import __version__
from netsim.endpoints import parse_port, resolve_endpoint, resolve_port
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import InputError, InputErrors, NetsimError
from netsim.graph import GroupBy, NodeInfo, aggregate, build_graph
from netsim.graph import connections as graph_connections
from netsim.loader import LoadOptions, LoadResult, load_cluster
from netsim.matrix import build_matrix
from netsim.model import Options, Protocol, Traffic
from netsim.output import write_atomic
from netsim.render.connections import connections_csv, connections_json, connections_md, connections_text
from netsim.render.dot import render, to_dot
from netsim.render.json import verdict_json
from netsim.render.matrix import matrix_csv, matrix_json, matrix_text
from netsim.render.text import explain
from netsim.source import Limits

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class InputFailure(click.ClickException):
    """Bad input: printed without a traceback, exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file: Any = None) -> None:
        click.echo(self.format_message(), err=True)


@contextmanager
def _reporting() -> Iterator[None]:
    """Translate netsim's errors into exit status 2 with located messages on stderr."""
    try:
        yield
    except InputErrors as group:
        lines = [f"error: {e}" for e in group.exceptions]
        noun = "error" if len(group.exceptions) == 1 else "errors"
        lines.append(f"netsim: {len(group.exceptions)} input {noun}; nothing was evaluated")
        raise InputFailure("\n".join(lines)) from None
    except InputError as exc:
        raise InputFailure(f"error: {exc}") from None
    except NetsimError as exc:
        raise InputFailure(f"error: {exc}") from None


def _common_options(func: F) -> F:
    """Options every command that reads manifests shares."""
    options = [
        click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True)),
        click.option(
            "-n",
            "--namespace",
            default="default",
            show_default=True,
            help="Namespace for objects that name none, and for endpoint names without 'ns/'.",
        ),
        click.option(
            "--lax",
            is_flag=True,
            help="Accept unknown fields, duplicate keys and legacy CIDR forms with a warning "
            "(like a lax API server) instead of rejecting them.",
        ),
        click.option(
            "--ipblock-pods/--no-ipblock-pods",
            default=True,
            show_default=True,
            help="Whether ipBlock peers also match pod IPs (the upstream e2e suite expects this; "
            "some plugins, e.g. Cilium, do not).",
        ),
        click.option(
            "--egress-to-own-node/--no-egress-to-own-node",
            default=True,
            show_default=True,
            help="Whether a pod may always reach its own node (the Kubernetes docs say so).",
        ),
        click.option(
            "--host-network",
            type=click.Choice(["node", "pod"]),
            default="node",
            show_default=True,
            help="How hostNetwork pods are treated: as their node (never selected by policies; most "
            "plugins) or as ordinary pods (some plugins, and netpol-analyzer).",
        ),
        click.option(
            "--max-file-bytes",
            type=click.IntRange(min=1),
            default=Limits().max_file_bytes,
            show_default=True,
            help="Refuse input files larger than this.",
        ),
    ]

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        common = Common(
            paths=kwargs.pop("paths"),
            namespace=kwargs.pop("namespace"),
            lax=kwargs.pop("lax"),
            max_file_bytes=kwargs.pop("max_file_bytes"),
            options=Options(
                ipblock_matches_pods=kwargs.pop("ipblock_pods"),
                egress_to_own_node=kwargs.pop("egress_to_own_node"),
                host_network_as_node=kwargs.pop("host_network") == "node",
            ),
        )
        return func(common, **kwargs)

    out: Callable[..., Any] = wrapper
    for option in reversed(options):
        out = option(out)
    return out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Common:
    """The options every command that reads manifests shares."""

    paths: tuple[str, ...]
    namespace: str
    lax: bool
    max_file_bytes: int
    options: Options

    def load(self) -> LoadResult:
        """Load the inputs; print the warnings on stderr."""
        limits = Limits(max_file_bytes=self.max_file_bytes)
        result = load_cluster(list(self.paths), LoadOptions(namespace=self.namespace, lax=self.lax, limits=limits))
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        return result

    def index(self) -> PolicyIndex:
        """Load the inputs and index their policies."""
        return PolicyIndex(self.load().cluster, self.options)


def _handle_interrupt(func: F) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except KeyboardInterrupt:
            click.echo("netsim: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="netsim")
def main() -> None:
    """Simulate Kubernetes NetworkPolicy: who can reach whom, on which port, and why.

    Point netsim at the manifests you apply to a cluster (files, folders, '-' for stdin,
    `kubectl get -o yaml` output). It evaluates them exactly as Kubernetes does.

    \b
    Examples:
      netsim check scenarios/production-hardening/manifests --from production/web --to production/backend --port 8080
      netsim matrix scenarios/k8s-docs/default-deny-ingress/manifests --port 80
    """


@main.command()
@_common_options
@click.option("--from", "source", required=True, help="Source: a pod (ns/name or name) or an IP address.")
@click.option("--to", "destination", required=True, help="Destination: a pod (ns/name or name) or an IP address.")
@click.option(
    "--port",
    "port",
    required=True,
    help="Destination port: a number, a named port of the destination pod, optionally /TCP, /UDP or /SCTP.",
)
@click.option(
    "--protocol",
    type=click.Choice(["TCP", "UDP", "SCTP"], case_sensitive=False),
    default=None,
    help="Protocol (default TCP, or the named port's protocol); same as a /PROTO suffix on --port.",
)
@click.option("-o", "--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_handle_interrupt
def check(
    common: Common,
    source: str,
    destination: str,
    port: str,
    protocol: str | None,
    output: str,
) -> NoReturn:
    """Can SOURCE open a connection to DESTINATION on PORT, and why?

    Prints ALLOWED or DENIED with the evidence: for the source's egress and the destination's
    ingress, whether the pod is isolated and by which policies (file:line), which rule allowed
    the connection, or why each rule missed.

    Exit status: 0 allowed, 1 denied, 2 bad input or usage.

    \b
    Examples:
      netsim check scenarios/production-hardening/manifests --from production/web --to production/backend --port 8080
      netsim check manifests/ -n shop --from frontend --to 10.1.2.3 --port 5432
      kubectl get ns,pods,netpol -A -o yaml | netsim check - --from x/a --to x/b --port dns/UDP
    """
    with _reporting():
        index = common.index()
        cluster = index.cluster
        src = resolve_endpoint(cluster, source, common.namespace)
        dst = resolve_endpoint(cluster, destination, common.namespace)
        ref = parse_port(port)
        if protocol and ref.protocol and ref.protocol.value != protocol.upper():
            raise NetsimError(f"--port {port} and --protocol {protocol} disagree")
        number, proto = resolve_port(ref, dst, Protocol(protocol.upper()) if protocol else None)
        verdict = evaluate(index, Traffic(src, dst, number, proto))
    if output == "json":
        click.echo(json.dumps(verdict_json(verdict), indent=2))
    else:
        click.echo(explain(verdict), nl=False)
    sys.exit(0 if verdict.allowed else 1)


@main.command()
@_common_options
@click.option("--port", required=True, type=click.IntRange(1, 65535), help="Destination port number.")
@click.option(
    "--protocol",
    type=click.Choice(["TCP", "UDP", "SCTP"], case_sensitive=False),
    default="TCP",
    show_default=True,
)
@click.option("-o", "--output", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@_handle_interrupt
def matrix(
    common: Common,
    port: int,
    protocol: str,
    output: str,
) -> None:
    """The pod-to-pod truth table for one port.

    Sources are rows, destinations columns. Named ports in policies are resolved per
    destination pod. `-o json` prints {"port", "protocol", "pods", "allowed"} where `allowed`
    lists every ordered pair of distinct pods that may connect, sorted.

    \b
    Examples:
      netsim matrix scenarios/k8s-docs/default-deny-ingress/manifests --port 80
      netsim matrix manifests/ --port 53 --protocol UDP -o csv > dns.csv
      netsim matrix manifests/ --port 8080 -o json | jq '.allowed | length'
    """
    with _reporting():
        m = build_matrix(common.index(), port, Protocol(protocol.upper()))
    render = {"text": matrix_text, "csv": matrix_csv, "json": matrix_json}[output]
    click.echo(render(m), nl=False)


def _matches_filter(info: NodeInfo, text: str) -> bool:
    """``--from``/``--to``: a namespace, ``ns/name``, ``ns/name[Kind]``, or an IP in a range."""
    if info.range is not None:
        try:
            return ip_address(text) in info.range
        except ValueError:
            return text == info.label
    if "/" not in text:
        return info.namespace == text
    return text in (info.label, f"{info.namespace}/{info.name}", info.key)


@main.command()
@_common_options
@click.option("--from", "source", multiple=True, help="Only connections from this endpoint (repeatable).")
@click.option("--to", "destination", multiple=True, help="Only connections to this endpoint (repeatable).")
@click.option(
    "--port", "port", default=None, help="Only connections that allow this port (a number, optionally /PROTO)."
)
@click.option(
    "--focus",
    "focus",
    multiple=True,
    help="Only connections with an end in this namespace (repeatable).",
)
@click.option(
    "--group-by",
    type=click.Choice([g.value for g in GroupBy]),
    default=GroupBy.WORKLOAD.value,
    show_default=True,
    help="List pods, workloads (a controller's pods as one endpoint) or namespaces.",
)
@click.option("-o", "--output", type=click.Choice(["text", "json", "csv", "md"]), default="text", show_default=True)
@_handle_interrupt
def connections(
    common: Common,
    source: tuple[str, ...],
    destination: tuple[str, ...],
    port: str | None,
    focus: tuple[str, ...],
    group_by: str,
    output: str,
) -> None:
    """List every allowed connection, with its ports.

    One line per connection, `src => dst : conns`, sorted, where an endpoint is
    `namespace/name[Kind]` or an external address range `first-last[External]`, and conns is
    `All Connections` or protocol groups such as `SCTP 7070,TCP 8080-8081,UDP 9090` (the form
    netpol-analyzer and roxctl print). A workload to itself is not listed.

    \b
    Examples:
      netsim connections scenarios/production-hardening/manifests
      netsim connections manifests/ --from production/web -o json
      netsim connections manifests/ --focus shop --port 5432 -o md >> pr-comment.md
      netsim connections cluster-dump.yaml --no-ipblock-pods --group-by namespace
    """
    with _reporting():
        port_ref = parse_port(port) if port else None
        if port_ref is not None and not isinstance(port_ref.port, int):
            raise NetsimError(f"--port {port}: connections filters by port number (named ports differ per pod)")
        graph = aggregate(build_graph(common.index()), GroupBy(group_by))
    rows = []
    for row in graph_connections(graph):
        if row.source.key == row.destination.key:
            continue
        if source and not any(_matches_filter(row.source, s) for s in source):
            continue
        if destination and not any(_matches_filter(row.destination, d) for d in destination):
            continue
        if focus and row.source.namespace not in focus and row.destination.namespace not in focus:
            continue
        if port_ref is not None:
            assert isinstance(port_ref.port, int)
            protos = [port_ref.protocol] if port_ref.protocol else list(Protocol)
            if not any(row.conns.allows(port_ref.port, p) for p in protos):
                continue
        rows.append(row)
    render = {"text": connections_text, "json": connections_json, "csv": connections_csv, "md": connections_md}
    click.echo(render[output](rows), nl=False)


_SUFFIX_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}
AUTO_POD_LIMIT = 30


@main.command()
@_common_options
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    help="Output file; the suffix picks the format: .dot/.gv, .svg, .png, .pdf. '-' writes DOT to stdout.",
)
@click.option(
    "--group-by",
    type=click.Choice(["auto", *(g.value for g in GroupBy)]),
    default="auto",
    show_default=True,
    help=f"Draw pods, workloads or namespaces; auto draws pods up to {AUTO_POD_LIMIT} pods, else namespaces.",
)
@click.option(
    "--focus",
    multiple=True,
    help="Draw only traffic touching this namespace (repeatable); the other ends are shown faded.",
)
@click.option("--title", default=None, help="A title drawn above the picture.")
@click.option("--no-legend", is_flag=True, help="Leave out the legend.")
@_handle_interrupt
def graph(
    common: Common,
    output_path: str,
    group_by: str,
    focus: tuple[str, ...],
    title: str | None,
    no_legend: bool,
) -> None:
    """Draw who may talk to whom: a Graphviz picture of the allowed traffic.

    Namespaces are drawn as boxes around their pods, external address ranges as notes, and
    every edge is labelled with the ports it allows ("TCP 8080", "all"). A red border marks
    a pod that no policy isolates (open to everything in that direction). Rendering SVG, PNG
    or PDF needs Graphviz's `dot` program; DOT output does not.

    \b
    Examples:
      netsim graph scenarios/production-hardening/manifests -o production.png
      netsim graph manifests/ --group-by namespace -o overview.svg
      netsim graph manifests/ --focus shop -o shop.pdf
      netsim graph manifests/ -o - | dot -Tsvg > graph.svg
    """
    with _reporting():
        fmt = "dot" if output_path == "-" else _SUFFIX_FORMATS.get(Path(output_path).suffix.lower())
        if fmt is None:
            raise NetsimError(
                f"cannot tell the format of {output_path!r} from its suffix: use .dot, .gv, .svg, .png or .pdf"
            )
        index = common.index()
        cluster = index.cluster
        if group_by == "auto":
            by = GroupBy.POD if len(cluster.pods) <= AUTO_POD_LIMIT else GroupBy.NAMESPACE
        else:
            by = GroupBy(group_by)
        unknown = [ns for ns in focus if ns not in {n.name for n in cluster.namespaces}]
        if unknown:
            raise NetsimError(f"--focus {unknown[0]}: no such namespace in the input")
        grouped = aggregate(build_graph(index), by)
        source = to_dot(grouped, by, focus=focus, title=title, legend=not no_legend)
        data = render(source, fmt)
        if output_path == "-":
            click.echo(source, nl=False)
            return
        write_atomic(output_path, data, common.paths)
    click.echo(f"wrote {output_path} ({by.value} view, {grouped.number_of_nodes()} nodes)", err=True)
