"""`netsim connections`: every allowed connection with its ports."""

from __future__ import annotations

from ipaddress import ip_address

import click

from netsim.cli.app import Common, common_options, handle_interrupt, main, progress, reporting
from netsim.endpoints import parse_port
from netsim.errors import NetsimError
from netsim.graph import Connection, GroupBy, NodeInfo, grouped_edges
from netsim.model import Protocol
from netsim.render.connections import STREAMS

__all__ = ["connections"]


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
@common_options
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
@handle_interrupt
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
    with reporting():
        port_ref = parse_port(port) if port else None
        if port_ref is not None and not isinstance(port_ref.port, int):
            raise NetsimError(f"--port {port}: connections filters by port number (named ports differ per pod)")
        index = common.index()
        with progress("evaluating") as report:
            grouped = grouped_edges(index, GroupBy(group_by), report)

    def keep(row: Connection) -> bool:
        if row.source.key == row.destination.key:
            return False
        if source and not any(_matches_filter(row.source, s) for s in source):
            return False
        if destination and not any(_matches_filter(row.destination, d) for d in destination):
            return False
        if focus and row.source.namespace not in focus and row.destination.namespace not in focus:
            return False
        if port_ref is not None:
            assert isinstance(port_ref.port, int)
            protos = [port_ref.protocol] if port_ref.protocol else list(Protocol)
            if not any(row.conns.allows(port_ref.port, p) for p in protos):
                return False
        return True

    # streamed: a 100,000-pod cluster lists millions of rows, never held as one string
    batch: list[str] = []
    size = 0
    for chunk in STREAMS[output](row for row in grouped.iter_rows() if keep(row)):
        batch.append(chunk)
        size += len(chunk)
        if size > 1 << 20:
            click.echo("".join(batch), nl=False)
            batch, size = [], 0
    click.echo("".join(batch), nl=False)
