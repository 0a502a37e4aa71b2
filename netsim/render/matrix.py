"""Matrix renderers: a readable grid, CSV, and the JSON shape other tools depend on."""

from __future__ import annotations

import csv
import io
import json

from netsim.matrix import Matrix
from netsim.verdict import Decision

__all__ = ["matrix_csv", "matrix_json", "matrix_text"]


def matrix_text(m: Matrix) -> str:
    """A grid with sources as rows and destinations as columns, numbered, with a legend."""
    n = len(m.pods)
    if n == 0:
        return f"port {m.port}/{m.protocol}: no pods\n"
    width = len(str(n))
    name_w = max(len(p) for p in m.pods)
    legend = "  . allowed   X denied   "
    if m.undetermined:
        legend += "? undetermined   "
    legend += "- the pod itself (always allowed)"
    lines = [f"port {m.port}/{m.protocol}: rows are sources, columns destinations", legend]
    if m.replicated:
        lines.append("  on the diagonal, a workload with replicas: one replica to another")
    lines.append("")
    header = " " * (width + 1 + name_w) + " " + " ".join(str(i + 1).rjust(width) for i in range(n))
    lines.append(header.rstrip())
    for i, src in enumerate(m.pods):
        cells = []
        for dst in m.pods:
            mark = "-" if src == dst and src not in m.replicated else _MARKS[m.decision(src, dst)]
            cells.append(mark.rjust(width))
        lines.append(f"{str(i + 1).rjust(width)} {src.ljust(name_w)} " + " ".join(cells))
    lines.append("")
    summary = f"{len(m.allowed)} of {m.pair_count} pairs of distinct pods allowed"
    if m.undetermined:
        summary += f", {len(m.undetermined)} undetermined (netsim check says what each depends on)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


_MARKS = {Decision.ALLOWED: ".", Decision.DENIED: "X", Decision.UNDETERMINED: "?"}
_WORDS = {Decision.ALLOWED: "allow", Decision.DENIED: "deny", Decision.UNDETERMINED: "undetermined"}


def matrix_csv(m: Matrix) -> str:
    """``source,<dst1>,<dst2>,...`` rows with ``allow``/``deny``/``undetermined`` (``self`` on the
    diagonal, unless it is one replica of a workload to another)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", *m.pods])
    for src in m.pods:
        row = ["self" if src == dst and src not in m.replicated else _WORDS[m.decision(src, dst)] for dst in m.pods]
        writer.writerow([src, *row])
    return buf.getvalue()


def matrix_json(m: Matrix) -> str:
    """``{"port": 80, "protocol": "TCP", "pods": [...], "allowed": [[src, dst], ...],
    "undetermined": [[src, dst], ...]}``: a pair is in at most one of the two lists (the others
    are denied); ``[w, w]`` is one replica of workload ``w`` to another."""
    data = {
        "port": m.port,
        "protocol": m.protocol.value,
        "pods": list(m.pods),
        "allowed": [list(pair) for pair in sorted(m.allowed)],
        "undetermined": [list(pair) for pair in sorted(m.undetermined)],
    }
    return json.dumps(data, indent=2) + "\n"
