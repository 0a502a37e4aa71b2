"""`netsim matrix`: the pod-to-pod truth table for one port."""

from __future__ import annotations

import click

from netsim.cli.app import PROTOCOL, Common, Output, common_options, handle_interrupt, main, output_options, reporting
from netsim.matrix import build_matrix
from netsim.model import Protocol
from netsim.render.matrix import matrix_csv, matrix_json, matrix_text

__all__ = ["matrix"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "csv": (".csv",), "json": (".json",)}


class _PortNumber(click.ParamType[int]):
    """A port number; a name gets a message saying why matrix needs a number."""

    name = "port"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        text = str(value).strip()
        if not text.isdigit():
            self.fail(
                f"{text!r} is not a port number: matrix answers for one number on every pod, and a named port "
                f"is a different number on each (netsim check --port {text} resolves it for one destination)",
                param,
                ctx,
            )
        number = int(text)
        if not 1 <= number <= 65535:
            self.fail(f"{number} is out of range: ports are 1-65535", param, ctx)
        return number


@main.command()
@common_options
@click.option("--port", required=True, type=_PortNumber(), help="Destination port number (1-65535).")
@click.option("--protocol", type=PROTOCOL, default="TCP", show_default=True, help="Protocol, in any case.")
@output_options(FORMATS, "text")
@handle_interrupt
def matrix(
    common: Common,
    port: int,
    protocol: str,
    output: Output,
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
      netsim matrix manifests/ --port 443 --protocol tcp --output-file https.csv
    """
    with reporting():
        m = build_matrix(common.index(), port, Protocol(protocol))
        render = {"text": matrix_text, "csv": matrix_csv, "json": matrix_json}[output.format]
        output.write(render(m), common.paths)
    output.done()
