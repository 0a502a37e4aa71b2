"""`netsim matrix`: the pod-to-pod truth table for one port."""

from __future__ import annotations

import click

from netsim.cli.app import Common, common_options, handle_interrupt, main, reporting
from netsim.matrix import build_matrix
from netsim.model import Protocol
from netsim.render.matrix import matrix_csv, matrix_json, matrix_text

__all__ = ["matrix"]


@main.command()
@common_options
@click.option("--port", required=True, type=click.IntRange(1, 65535), help="Destination port number.")
@click.option(
    "--protocol",
    type=click.Choice(["TCP", "UDP", "SCTP"], case_sensitive=False),
    default="TCP",
    show_default=True,
)
@click.option("-o", "--output", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@handle_interrupt
def matrix(
    common: Common,
    port: int,
    protocol: str,
    output: str,
) -> None:
    """The pod-to-pod truth table for one port.

    Sources are rows, destinations columns. Named ports in policies are resolved per
    destination pod. A cell is `.` allowed, `X` denied, or `?` undetermined (the answer depends
    on what the input does not give; `netsim check` says on what). On the diagonal, a workload
    with replicas is one replica to another. `-o json` prints {"port", "protocol", "pods",
    "allowed", "undetermined"}: the ordered pairs of distinct pods allowed for certain, and
    those undetermined, sorted.

    \b
    Examples:
      netsim matrix scenarios/k8s-docs/default-deny-ingress/manifests --port 80
      netsim matrix manifests/ --port 53 --protocol UDP -o csv > dns.csv
      netsim matrix manifests/ --port 8080 -o json | jq '.allowed | length'
    """
    with reporting():
        m = build_matrix(common.index(), port, Protocol(protocol.upper()))
    render = {"text": matrix_text, "csv": matrix_csv, "json": matrix_json}[output]
    click.echo(render(m), nl=False)
