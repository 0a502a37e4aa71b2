"""Matrix renderers: a readable grid, CSV, and the JSON shape other tools depend on."""

from __future__ import annotations

import csv
import io
import json

from netsim.matrix import Matrix

__all__ = ["matrix_csv", "matrix_json", "matrix_text"]


def matrix_text(m: Matrix) -> str:
    """A grid with sources as rows and destinations as columns, numbered, with a legend."""
    n = len(m.pods)
    if n == 0:
        return f"port {m.port}/{m.protocol}: no pods\n"
    width = len(str(n))
    name_w = max(len(p) for p in m.pods)
    lines = [
        f"port {m.port}/{m.protocol}: rows are sources, columns destinations",
        "  . allowed   X denied   - the pod itself (always allowed)",
        "",
    ]
    header = " " * (width + 1 + name_w) + " " + " ".join(str(i + 1).rjust(width) for i in range(n))
    lines.append(header.rstrip())
    for i, src in enumerate(m.pods):
        cells = []
        for dst in m.pods:
            mark = "-" if src == dst else "." if (src, dst) in m.allowed else "X"
            cells.append(mark.rjust(width))
        lines.append(f"{str(i + 1).rjust(width)} {src.ljust(name_w)} " + " ".join(cells))
    total = n * (n - 1)
    lines.append("")
    lines.append(f"{len(m.allowed)} of {total} pairs of distinct pods allowed")
    return "\n".join(lines) + "\n"


def matrix_csv(m: Matrix) -> str:
    """``source,<dst1>,<dst2>,...`` rows with ``allow``/``deny`` (``self`` on the diagonal)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["source", *m.pods])
    for src in m.pods:
        row = ["self" if src == dst else "allow" if (src, dst) in m.allowed else "deny" for dst in m.pods]
        writer.writerow([src, *row])
    return buf.getvalue()


def matrix_json(m: Matrix) -> str:
    """``{"port": 80, "protocol": "TCP", "pods": [...], "allowed": [[src, dst], ...]}``."""
    data = {
        "port": m.port,
        "protocol": m.protocol.value,
        "pods": list(m.pods),
        "allowed": [list(pair) for pair in sorted(m.allowed)],
    }
    return json.dumps(data, indent=2) + "\n"
