"""Connection listings: netpol-analyzer's text form, JSON, CSV and a Markdown table."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from netsim.connset import ConnSet
from netsim.graph import Connection, NodeInfo

__all__ = ["connections_csv", "connections_json", "connections_md", "connections_text", "node_json"]


def connections_text(rows: list[Connection]) -> str:
    """``src => dst : conns``, one line each (the format netpol-analyzer and roxctl print)."""
    return "".join(f"{c.source.label} => {c.destination.label} : {c.conns}\n" for c in rows)


def node_json(info: NodeInfo) -> dict[str, Any]:
    """An endpoint as an object: kind/namespace/name, or an IP range."""
    if info.range is not None:
        return {"kind": "External", "first": str(info.range.first), "last": str(info.range.last)}
    if info.endpoint_kind == "Namespace":
        return {"kind": "Namespace", "name": info.name}
    return {"kind": info.endpoint_kind, "namespace": info.namespace, "name": info.name}


def connections_json(rows: list[Connection]) -> str:
    """``[{"src": {...}, "dst": {...}, "conns": {"TCP": [[80, 80]]}, "allConnections": bool}]``.

    Endpoint and connection-set fragments are encoded once each: large clusters repeat them.
    """
    nodes: dict[str, str] = {}
    sets: dict[ConnSet, str] = {}

    def node(info: NodeInfo) -> str:
        text = nodes.get(info.key)
        if text is None:
            text = nodes[info.key] = json.dumps(node_json(info))
        return text

    def conns(c: ConnSet) -> str:
        text = sets.get(c)
        if text is None:
            text = sets[c] = (
                f'"conns": {json.dumps(c.to_json())}, "allConnections": {json.dumps(c.is_all())}, '
                f'"text": {json.dumps(str(c))}'
            )
        return text

    body = ",\n".join(f'  {{"src": {node(c.source)}, "dst": {node(c.destination)}, {conns(c.conns)}}}' for c in rows)
    return f"[\n{body}\n]\n" if rows else "[]\n"


def connections_csv(rows: list[Connection]) -> str:
    """``src,dst,conns`` with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["src", "dst", "conns"])
    for c in rows:
        writer.writerow([c.source.label, c.destination.label, str(c.conns)])
    return buf.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def connections_md(rows: list[Connection]) -> str:
    """A Markdown table for pull-request comments."""
    lines = ["| source | destination | allowed connections |", "|---|---|---|"]
    lines += [f"| {_md(c.source.label)} | {_md(c.destination.label)} | {_md(str(c.conns))} |" for c in rows]
    if not rows:
        lines.append("| (none) | | |")
    return "\n".join(lines) + "\n"
