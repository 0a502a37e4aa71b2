"""Rendering a :class:`~netsim.diff.Diff`: text for a reviewer, JSON, and a pull-request comment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from netsim.connset import ConnSet
from netsim.diff import Cause, ChangeGroup, ConnectionChange, Diff, EndpointChange, PolicyChange
from netsim.render.connections import node_json

__all__ = ["diff_json", "diff_md", "diff_summary", "diff_text"]

#: Tables longer than this are folded into a <details> block in Markdown.
MD_FOLD_ROWS = 10

_CONN_KINDS = ("added", "removed", "changed")
_POLICY_KINDS = ("added", "removed", "modified")
_MARK = {"added": "+", "removed": "-", "changed": "~", "modified": "~"}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _counts(parts: Sequence[tuple[str, int]], noun: str) -> str:
    shown = [(kind, n) for kind, n in parts if n]
    if not shown:
        return ""
    first_kind, first_n = shown[0]
    words = [f"{_plural(first_n, noun)} {first_kind}"] + [f"{n} {kind}" for kind, n in shown[1:]]
    return ", ".join(words)


def diff_summary(diff: Diff) -> str:
    """One line: ``2 connections added, 1 removed; 1 policy modified`` (or that nothing changed)."""
    conns = _counts([(k, len(diff.of_kind(k))) for k in _CONN_KINDS], "connection")
    pols = _counts([(k, len(diff.policies_of_kind(k))) for k in _POLICY_KINDS], "policy")
    pols = pols.replace("policys", "policies")
    if not conns and not pols:
        return "no change: the same connections and the same policies"
    if not conns:
        return f"no connection changed; {pols}"
    return f"{conns}; {pols}" if pols else conns


def _grouped(diff: Diff, kind: str) -> tuple[list[ChangeGroup], list[ConnectionChange]]:
    groups = [g for g in diff.groups if g.kind == kind]
    in_group = {id(c) for g in groups for c in g.changes}
    return groups, [c for c in diff.of_kind(kind) if id(c) not in in_group]


def _end(name: str, is_namespace: bool) -> str:
    return f"namespace {name}" if is_namespace else name


def _delta(gained: ConnSet, lost: ConnSet, now_undetermined: ConnSet, now_decided: ConnSet) -> str:
    parts = []
    if gained:
        parts.append(f"gained {gained}")
    if lost:
        parts.append(f"lost {lost}")
    if now_undetermined:
        parts.append(f"now undetermined {now_undetermined}")
    if now_decided:
        parts.append(f"now decided {now_decided}")
    return ", ".join(parts)


def _side(conns: ConnSet, undetermined: ConnSet) -> str:
    """What one side allows: ``TCP 80``, ``TCP 80 + undetermined TCP 443``, ``undetermined TCP 443``."""
    if not undetermined:
        return str(conns)
    if not conns:
        return f"undetermined {undetermined}"
    return f"{conns} + undetermined {undetermined}"


def _before(c: ConnectionChange) -> str:
    return _side(c.before, c.before_undetermined)


def _after(c: ConnectionChange) -> str:
    return _side(c.after, c.after_undetermined)


def _group_text(g: ChangeGroup) -> str:
    n = len(g.changes)
    ends = f"{_end(g.source, g.source_is_namespace)} => {_end(g.destination, g.destination_is_namespace)}"
    if g.kind == "added":
        return f"{ends}: {n} connections added (there were none)"
    if g.kind == "removed":
        return f"{ends}: all {n} connections removed (none remain)"
    return f"{ends}: all {n} connections changed the same way: {_delta(*g.changes[0].delta)}"


def _change_text(c: ConnectionChange) -> str:
    ends = f"{c.source.label} => {c.destination.label}"
    if c.kind == "added":
        return f"{ends} : {_after(c)}"
    if c.kind == "removed":
        return f"{ends} : {_before(c)}"
    return f"{ends} : {_before(c)} -> {_after(c)} ({_delta(*c.delta)})"


def _cause_lines(causes: Sequence[Cause], indent: str) -> list[str]:
    if not causes:
        return [f"{indent}cause: not determined"]
    return [f"{indent}cause: {c}" for c in causes]


def _policy_text(p: PolicyChange) -> str:
    if p.kind == "modified":
        spans = ""
        if p.base is not None and p.head is not None and p.base.span and p.head.span:
            spans = f" ({p.base.span} -> {p.head.span})"
        return f"{p.ref}{spans}: {', '.join(p.fields)}"
    return f"{p.ref} ({p.span})" if p.span else p.ref


def _endpoint_text(e: EndpointChange) -> str:
    name = f"namespace {e.ref}" if e.subject == "namespace" else e.ref
    where = f" ({e.span})" if e.span else ""
    details = f": {'; '.join(e.details)}" if e.details else ""
    return f"{name} {e.kind}{where}{details}"


def diff_text(diff: Diff, base: str, head: str) -> str:
    """A summary line, then a section per kind of change, each change with its causes."""
    lines = [f"netsim diff {base} -> {head}", diff_summary(diff)]
    for kind in _CONN_KINDS:
        changes = diff.of_kind(kind)
        if not changes:
            continue
        lines += ["", f"Connections {kind} ({len(changes)}):"]
        groups, singles = _grouped(diff, kind)
        for g in groups:
            lines.append(f"  {_MARK[kind]} {_group_text(g)}")
            lines += _cause_lines(g.causes, "      ")
        for c in singles:
            lines.append(f"  {_MARK[kind]} {_change_text(c)}")
            lines += _cause_lines(c.causes, "      ")
    for kind in _POLICY_KINDS:
        policies = diff.policies_of_kind(kind)
        if policies:
            lines += ["", f"Policies {kind} ({len(policies)}):"]
            lines += [f"  {_MARK[kind]} {_policy_text(p)}" for p in policies]
    effective = [e for e in diff.endpoints if e.effective]
    if effective:
        lines += ["", f"Workloads and namespaces behind these changes ({len(effective)}):"]
        lines += [f"  {_MARK[e.kind]} {_endpoint_text(e)}" for e in effective]
    return "\n".join(lines) + "\n"


# -- JSON --------------------------------------------------------------------------------------------


def _cause_json(c: Cause) -> dict[str, Any]:
    return {
        "kind": c.subject,
        "ref": c.ref,
        "change": c.change,
        "role": c.role,
        "location": str(c.span) if c.span else None,
    }


def _group_end_json(name: str, is_namespace: bool, change: ConnectionChange, source: bool) -> dict[str, Any]:
    if is_namespace:
        return {"kind": "Namespace", "name": name}
    return node_json(change.source if source else change.destination)


def diff_json(diff: Diff, base: str, head: str) -> str:
    """Everything in the diff as one JSON object (see docs/cli.md)."""
    data = {
        "base": base,
        "head": head,
        "summary": {
            "text": diff_summary(diff),
            "connections": {k: len(diff.of_kind(k)) for k in _CONN_KINDS},
            "policies": {k: len(diff.policies_of_kind(k)) for k in _POLICY_KINDS},
            "opens": diff.opens,
            "closes": diff.closes,
            "changed": not diff.empty,
        },
        "connections": [
            {
                "change": c.kind,
                "src": node_json(c.source),
                "dst": node_json(c.destination),
                "srcLabel": c.source.label,
                "dstLabel": c.destination.label,
                "before": c.before.to_json(),
                "after": c.after.to_json(),
                "beforeText": str(c.before),
                "afterText": str(c.after),
                "gained": c.gained.to_json(),
                "lost": c.lost.to_json(),
                "beforeUndetermined": c.before_undetermined.to_json(),
                "afterUndetermined": c.after_undetermined.to_json(),
                "nowUndetermined": c.now_undetermined.to_json(),
                "nowDecided": c.now_decided.to_json(),
                "causes": [_cause_json(x) for x in c.causes],
            }
            for c in diff.connections
        ],
        "groups": [
            {
                "change": g.kind,
                "from": _group_end_json(g.source, g.source_is_namespace, g.changes[0], True),
                "to": _group_end_json(g.destination, g.destination_is_namespace, g.changes[0], False),
                "count": len(g.changes),
                "gained": g.gained.to_json(),
                "lost": g.lost.to_json(),
                "nowUndetermined": g.now_undetermined.to_json(),
                "nowDecided": g.now_decided.to_json(),
                "connections": [[c.source.label, c.destination.label] for c in g.changes],
            }
            for g in diff.groups
        ],
        "policies": [
            {
                "change": p.kind,
                "policy": p.ref,
                "baseLocation": str(p.base.span) if p.base is not None and p.base.span else None,
                "headLocation": str(p.head.span) if p.head is not None and p.head.span else None,
                "fields": list(p.fields),
            }
            for p in diff.policies
        ],
        "endpoints": [
            {
                "change": e.kind,
                "kind": e.subject,
                "ref": e.ref,
                "details": list(e.details),
                "location": str(e.span) if e.span else None,
                "causesConnectionChanges": e.effective,
            }
            for e in diff.endpoints
        ],
    }
    return json.dumps(data, indent=2) + "\n"


# -- Markdown -----------------------------------------------------------------------------------------


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    """Inline code in a table cell: only ``|`` needs escaping there (entities would show as typed)."""
    escaped = text.replace("|", "\\|")
    return f"`{escaped}`" if text else ""


def _causes_md(causes: Sequence[Cause]) -> str:
    if not causes:
        return "not determined"
    return "<br>".join(_md(f"{c.subject} {c.ref} {c.change}: {c.role}") for c in causes)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], summary: str) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    if len(rows) > MD_FOLD_ROWS:
        return ["<details>", f"<summary>{_md(summary)}</summary>", "", *out, "", "</details>"]
    return out


def _conn_rows(kind: str, changes: Sequence[ConnectionChange]) -> tuple[list[str], list[list[str]]]:
    if kind == "changed":
        header = ["source", "destination", "before", "after", "gained", "lost", "cause"]
        rows = [
            [
                _code(c.source.label),
                _code(c.destination.label),
                _md(_before(c)),
                _md(_after(c)),
                _md(str(c.gained)) if c.gained else "",
                _md(str(c.lost)) if c.lost else "",
                _causes_md(c.causes),
            ]
            for c in changes
        ]
        return header, rows
    word = "now allowed" if kind == "added" else "was allowed"
    header = ["source", "destination", word, "cause"]
    rows = [
        [
            _code(c.source.label),
            _code(c.destination.label),
            _md(_after(c) if kind == "added" else _before(c)),
            _causes_md(c.causes),
        ]
        for c in changes
    ]
    return header, rows


def diff_md(diff: Diff, base: str, head: str) -> str:
    """A pull-request comment: a summary, then tables; long tables fold into <details>."""
    lines = [f"### netsim diff: {_md(diff_summary(diff))}", "", f"Base `{_md(base)}`, head `{_md(head)}`."]
    for kind in _CONN_KINDS:
        changes = diff.of_kind(kind)
        if not changes:
            continue
        lines += ["", f"#### Connections {kind} ({len(changes)})", ""]
        groups, singles = _grouped(diff, kind)
        for g in groups:
            lines.append(f"- **{_md(_group_text(g))}**; cause: {_causes_md(g.causes)}")
        if groups:
            members = [c for g in groups for c in g.changes]
            header, rows = _conn_rows(kind, members)
            lines += ["", "<details>", f"<summary>the {len(members)} connections above, one by one</summary>", ""]
            lines += [
                "| " + " | ".join(header) + " |",
                "|" + "---|" * len(header),
                *("| " + " | ".join(r) + " |" for r in rows),
            ]
            lines += ["", "</details>"]
        if singles:
            header, rows = _conn_rows(kind, singles)
            if groups:
                lines.append("")
            lines += _table(header, rows, f"{len(singles)} connections {kind}")
    policies = diff.policies
    if policies:
        lines += ["", f"#### Policies ({len(policies)})", ""]
        rows = [
            [
                p.kind,
                _code(p.ref),
                _md(str(p.span)) if p.span else "",
                _md(", ".join(p.fields)),
            ]
            for p in policies
        ]
        lines += _table(["change", "policy", "where", "fields"], rows, f"{len(policies)} policies changed")
    effective = [e for e in diff.endpoints if e.effective]
    if effective:
        lines += ["", f"#### Workloads and namespaces behind these changes ({len(effective)})", ""]
        rows = [[e.kind, _code(e.ref), e.subject, _md("; ".join(e.details))] for e in effective]
        lines += _table(["change", "name", "kind", "details"], rows, f"{len(effective)} changes")
    return "\n".join(lines) + "\n"
