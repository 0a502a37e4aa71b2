"""Connection listings: netpol-analyzer's text form, JSON, CSV and a Markdown table."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from netsim.connset import ConnSet
from netsim.graph import Connection, NodeInfo

__all__ = [
    "STREAMS",
    "connections_csv",
    "connections_json",
    "connections_md",
    "connections_text",
    "node_json",
]


def text_chunks(rows: Iterable[Connection]) -> Iterator[str]:
    """``src => dst : conns``, one line each (the format netpol-analyzer and roxctl print); what
    depends on unknowns on a line of its own, ``src =?> dst : conns``."""
    texts: dict[ConnSet, str] = {}
    for c in rows:
        for arrow, conns in (("=>", c.conns), ("=?>", c.undetermined)):
            if not conns:
                continue
            text = texts.get(conns)
            if text is None:
                text = texts[conns] = str(conns)
            yield f"{c.source.label} {arrow} {c.destination.label} : {text}\n"


def connections_text(rows: Iterable[Connection]) -> str:
    """``src => dst : conns``, one line each (the format netpol-analyzer and roxctl print)."""
    return "".join(text_chunks(rows))


def node_json(info: NodeInfo) -> dict[str, Any]:
    """An endpoint as an object: kind/namespace/name, or an IP range."""
    if info.range is not None:
        return {"kind": "External", "first": str(info.range.first), "last": str(info.range.last)}
    if info.endpoint_kind == "Namespace":
        return {"kind": "Namespace", "name": info.name}
    return {"kind": info.endpoint_kind, "namespace": info.namespace, "name": info.name}


def json_chunks(rows: Iterable[Connection]) -> Iterator[str]:
    """``[{"src": {...}, "dst": {...}, "conns": {"TCP": [[80, 80]]}, "allConnections": bool}]``;
    a row with connections that depend on unknowns adds ``"undetermined"`` and
    ``"undeterminedText"`` (``conns`` then holds what is allowed for certain, maybe nothing).

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

    separator = "[\n"
    for c in rows:
        maybe = ""
        if c.undetermined:
            maybe = (
                f', "undetermined": {json.dumps(c.undetermined.to_json())}, '
                f'"undeterminedText": {json.dumps(str(c.undetermined))}'
            )
        yield f'{separator}  {{"src": {node(c.source)}, "dst": {node(c.destination)}, {conns(c.conns)}{maybe}}}'
        separator = ",\n"
    yield "[]\n" if separator == "[\n" else "\n]\n"


def connections_json(rows: Iterable[Connection]) -> str:
    """``[{"src": {...}, "dst": {...}, "conns": {"TCP": [[80, 80]]}, "allConnections": bool}]``."""
    return "".join(json_chunks(rows))


def csv_chunks(rows: Iterable[Connection]) -> Iterator[str]:
    """``src,dst,conns,undetermined`` with a header row (``undetermined``: what depends on what the
    input does not give; empty when nothing does)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["src", "dst", "conns", "undetermined"])
    for c in rows:
        writer.writerow(
            [c.source.label, c.destination.label, str(c.conns), str(c.undetermined) if c.undetermined else ""]
        )
        if buf.tell() > 1 << 16:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def connections_csv(rows: Iterable[Connection]) -> str:
    """``src,dst,conns,undetermined`` with a header row."""
    return "".join(csv_chunks(rows))


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def md_chunks(rows: Iterable[Connection]) -> Iterator[str]:
    """A Markdown table for pull-request comments."""
    yield "| source | destination | allowed connections |\n|---|---|---|\n"
    empty = True
    for c in rows:
        empty = False
        text = str(c.conns) if c.conns else ""
        if c.undetermined:
            text = f"{text} (undetermined: {c.undetermined})" if c.conns else f"undetermined: {c.undetermined}"
        yield f"| {_md(c.source.label)} | {_md(c.destination.label)} | {_md(text)} |\n"
    if empty:
        yield "| (none) | | |\n"


def connections_md(rows: Iterable[Connection]) -> str:
    """A Markdown table for pull-request comments."""
    return "".join(md_chunks(rows))


#: Each format as a stream of text chunks, for listings too large to hold as one string.
STREAMS = {"text": text_chunks, "json": json_chunks, "csv": csv_chunks, "md": md_chunks}
