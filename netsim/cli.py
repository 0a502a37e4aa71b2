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
from typing import Any, NoReturn, TypeVar

import click

from netsim import __version__
from netsim.endpoints import parse_port, resolve_endpoint, resolve_port
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import InputError, InputErrors, NetsimError
from netsim.loader import LoadOptions, LoadResult, load_cluster
from netsim.matrix import build_matrix
from netsim.model import Options, Protocol, Traffic
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
            "--max-file-bytes",
            type=click.IntRange(min=1),
            default=Limits().max_file_bytes,
            show_default=True,
            help="Refuse input files larger than this.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _load(paths: tuple[str, ...], namespace: str, lax: bool, max_file_bytes: int) -> LoadResult:
    result = load_cluster(
        list(paths), LoadOptions(namespace=namespace, lax=lax, limits=Limits(max_file_bytes=max_file_bytes))
    )
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    return result


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
      netsim check scenarios/production-hardening --from production/web --to production/backend --port 8080
      netsim matrix scenarios/k8s-docs/default-deny-ingress --port 80
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
    paths: tuple[str, ...],
    namespace: str,
    lax: bool,
    ipblock_pods: bool,
    egress_to_own_node: bool,
    max_file_bytes: int,
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
      netsim check scenarios/production-hardening --from production/web --to production/backend --port 8080
      netsim check manifests/ -n shop --from frontend --to 10.1.2.3 --port 5432
      kubectl get ns,pods,netpol -A -o yaml | netsim check - --from x/a --to x/b --port dns/UDP
    """
    with _reporting():
        result = _load(paths, namespace, lax, max_file_bytes)
        cluster = result.cluster
        src = resolve_endpoint(cluster, source, namespace)
        dst = resolve_endpoint(cluster, destination, namespace)
        ref = parse_port(port)
        if protocol and ref.protocol and ref.protocol.value != protocol.upper():
            raise NetsimError(f"--port {port} and --protocol {protocol} disagree")
        number, proto = resolve_port(ref, dst, Protocol(protocol.upper()) if protocol else None)
        options = Options(ipblock_matches_pods=ipblock_pods, egress_to_own_node=egress_to_own_node)
        verdict = evaluate(PolicyIndex(cluster, options), Traffic(src, dst, number, proto))
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
    paths: tuple[str, ...],
    namespace: str,
    lax: bool,
    ipblock_pods: bool,
    egress_to_own_node: bool,
    max_file_bytes: int,
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
      netsim matrix scenarios/k8s-docs/default-deny-ingress --port 80
      netsim matrix manifests/ --port 53 --protocol UDP -o csv > dns.csv
      netsim matrix manifests/ --port 8080 -o json | jq '.allowed | length'
    """
    with _reporting():
        result = _load(paths, namespace, lax, max_file_bytes)
        options = Options(ipblock_matches_pods=ipblock_pods, egress_to_own_node=egress_to_own_node)
        m = build_matrix(PolicyIndex(result.cluster, options), port, Protocol(protocol.upper()))
    render = {"text": matrix_text, "csv": matrix_csv, "json": matrix_json}[output]
    click.echo(render(m), nl=False)
