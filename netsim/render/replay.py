"""Rendering a :class:`~netsim.replay.ReplayReport`: text, JSON, a pull-request comment
(Markdown) and JUnit XML (one test case per distinct observed connection).

Every format says the same: a summary (records read, flows, and distinct connections allowed,
denied, undetermined and unmapped, and the records skipped), then every connection that is denied
or undetermined with its flow count, when it was first and last seen, where its first record is,
and the explanation ``netsim check`` prints for it; with a base version, first what the change
does to the observed traffic (newly denied, newly allowed, newly undetermined).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from netsim.render.json import endpoint_json, verdict_json
from netsim.render.junit import JUnitCase, JUnitSuite, junit_xml
from netsim.render.text import explain
from netsim.replay import ChangeKind, FailOn, Replayed, ReplayReport, ReplayResult, UnmappedFlows
from netsim.verdict import Decision

__all__ = ["replay_json", "replay_junit", "replay_md", "replay_summary", "replay_text"]

_ORDER = (Decision.DENIED, Decision.UNDETERMINED)
_CHANGE_ORDER = (ChangeKind.NEWLY_DENIED, ChangeKind.NEWLY_UNDETERMINED, ChangeKind.NEWLY_ALLOWED)


def _n(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def _time(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is not None:
        at = at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _seen(first: datetime | None, last: datetime | None) -> str:
    if first is None:
        return ""
    if last is None or last == first:
        return f"seen {_time(first)}"
    return f"seen {_time(first)} to {_time(last)}"


def replay_summary(result: ReplayResult) -> str:
    """``70 records, 25 flows in 12 connections: 8 allowed, 3 denied, 1 undetermined; 1 unmapped (2 flows)``."""
    conns = result.connections
    parts = [f"{len(result.of(d)):,} {d.value}" for d in (Decision.ALLOWED, Decision.DENIED, Decision.UNDETERMINED)]
    flows = sum(r.observed.flows for r in conns)
    text = f"{_n(result.records, 'record')}, {_n(flows, 'flow')} in {_n(len(conns), 'connection')}: {', '.join(parts)}"
    at_addresses = sum(1 for r in conns if r.at_addresses)
    if at_addresses:
        text += f" ({at_addresses:,} decided at the addresses the flows observed)"
    if result.unmapped:
        unmapped = sum(u.flows for u in result.unmapped)
        text += f"; {len(result.unmapped):,} unmapped ({_n(unmapped, 'flow')})"
    return text


def _skipped(result: ReplayResult) -> str:
    return "; ".join(f"{reason}: {n:,}" for reason, n in result.skipped if n)


def _facts(flows: int, first: datetime | None, last: datetime | None, at: str) -> str:
    parts = [_n(flows, "flow")]
    seen = _seen(first, last)
    if seen:
        parts.append(seen)
    if at:
        parts.append(f"first at {at}")
    return ", ".join(parts)


def _observers(seen: frozenset[str]) -> str:
    """What the flow source's own verdicts say, when it gives them."""
    if not seen:
        return ""
    return "; the observer reported it " + " and ".join(sorted(seen))


def _head(r: Replayed) -> str:
    o = r.observed
    return f"{r.decision.value.upper()} {o}: {_facts(o.flows, o.first_seen, o.last_seen, o.at)}{_observers(o.seen)}"


def _indent(text: str, by: str = "  ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def _addresses(r: Replayed) -> str:
    """How the verdict was decided at the addresses the flows give, when it was (else "")."""
    if not r.at_addresses:
        return ""
    shown = ", ".join(map(str, r.at_addresses))
    return (
        f"decided at the addresses the flows observed ({shown}), which the manifests do not give: "
        "each gives this answer; the evidence is the first's"
    )


def _explained(r: Replayed) -> str:
    """The explanation, with how it was decided at observed addresses when it was."""
    note = _addresses(r)
    return explain(r.verdict) + (f"  {note}\n" if note else "")


def _explanation(r: Replayed) -> str:
    """The explanation without its first line (the connection and the decision, said already)."""
    return "\n".join(_explained(r).splitlines()[1:])


def _unmapped_line(u: UnmappedFlows) -> str:
    return f"UNMAPPED {u}: {u.reason} ({_facts(u.flows, u.first_seen, u.last_seen, u.at)})"


def _change_word(kind: ChangeKind) -> str:
    return kind.value.replace("-", " ").upper()


def replay_text(report: ReplayReport) -> str:
    """For a terminal: the summary, the changes (with a base), the connections not allowed with
    their explanations, and the unmapped flows."""
    result = report.result
    lines = [f"netsim replay: {replay_summary(result)}"]
    lines.append(f"  flows: {', '.join(report.flows)}; manifests: {report.manifests}")
    if report.what_if:
        lines.append(f"  what if: {report.what_if}")
    skipped = _skipped(result)
    if skipped:
        lines.append(f"  skipped: {skipped}")
    if report.base is not None:
        changes = report.changes
        counts = ", ".join(f"{sum(1 for c in changes if c.kind is k):,} {k.value}" for k in _CHANGE_ORDER)
        lines.append(f"  against {report.base_label}: {counts}")
        for kind in _CHANGE_ORDER:
            for c in (c for c in changes if c.kind is kind):
                o = c.head.observed
                lines += [
                    "",
                    f"{_change_word(kind)} {o} (was {c.base.decision.value}): "
                    f"{_facts(o.flows, o.first_seen, o.last_seen, o.at)}",
                ]
                lines.append(_explanation(c.head))
    for decision in _ORDER:
        for r in result.of(decision):
            lines += ["", _head(r), _explanation(r)]
    if result.unmapped:
        lines.append("")
        lines += [_unmapped_line(u) for u in result.unmapped]
    return "\n".join(lines) + "\n"


def _observed_json(r: Replayed, *, evidence: bool) -> dict[str, Any]:
    o = r.observed
    out: dict[str, Any] = {
        "source": endpoint_json(o.source),
        "destination": endpoint_json(o.destination),
        "protocol": o.protocol.value,
        "port": o.port,
        "flows": o.flows,
        "firstSeen": _time(o.first_seen) or None,
        "lastSeen": _time(o.last_seen) or None,
        "at": o.at or None,
        "observed": sorted(o.seen),
        "decision": r.decision.value,
    }
    if r.at_addresses:
        out["decidedAtObservedAddresses"] = [str(ip) for ip in r.at_addresses]
    if evidence:
        out["verdict"] = verdict_json(r.verdict)
    return out


def _unmapped_json(u: UnmappedFlows) -> dict[str, Any]:
    return {
        "source": u.source,
        "destination": u.destination,
        "protocol": u.protocol.value if u.protocol is not None else None,
        "port": u.port,
        "reason": u.reason,
        "flows": u.flows,
        "firstSeen": _time(u.first_seen) or None,
        "lastSeen": _time(u.last_seen) or None,
        "at": u.at or None,
    }


def _summary_json(result: ReplayResult) -> dict[str, Any]:
    return {
        "records": result.records,
        "flows": sum(r.observed.flows for r in result.connections),
        "connections": len(result.connections),
        **{d.value: len(result.of(d)) for d in Decision},
        "unmapped": len(result.unmapped),
        "unmappedFlows": sum(u.flows for u in result.unmapped),
        "skipped": dict(result.skipped),
    }


#: Above this many connections the JSON is written compact (one line): the same document, encoded
#: by the standard library's C encoder item by item instead of indented by its Python one.
COMPACT_ABOVE = 2000


def replay_json(report: ReplayReport) -> str:
    """Every connection with its decision (those not allowed with their verdict's evidence), the
    unmapped flows, and with a base the changes; ``failing``: what makes the exit status 1.

    Indented up to :data:`COMPACT_ABOVE` connections, compact above; the connections are encoded
    one at a time, so a large replay never holds its whole document as Python objects."""
    result = report.result
    compact = len(result.connections) > COMPACT_ABOVE
    head: dict[str, Any] = {
        "flows": list(report.flows),
        "manifests": report.manifests,
        "whatIf": report.what_if,
        "failOn": report.fail_on.value,
        "summary": _summary_json(result),
        "connections": [],
        "unmapped": [_unmapped_json(u) for u in result.unmapped],
        "failing": len(report.failing()),
        "exitStatus": report.exit_status(),
    }
    if report.base is not None:
        head["base"] = {"label": report.base_label, "summary": _summary_json(report.base)}
        head["changes"] = [
            {"change": c.kind.value, "base": c.base.decision.value, **_observed_json(c.head, evidence=True)}
            for c in report.changes
        ]
    if not compact:
        head["connections"] = [
            _observed_json(r, evidence=r.decision is not Decision.ALLOWED) for r in result.connections
        ]
        return json.dumps(head, indent=2) + "\n"
    encode = json.JSONEncoder(separators=(",", ":")).encode
    items = (encode(_observed_json(r, evidence=r.decision is not Decision.ALLOWED)) for r in result.connections)
    before, after = encode(head).split('"connections":[]', 1)
    return "".join((before, '"connections":[', ",".join(items), "]", after, "\n"))


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`" if text else ""


def _md_rows(rows: Sequence[Replayed], extra: Sequence[str] = ()) -> list[str]:
    header = ["connection", "flows", "first seen", "last seen", "first record", *extra]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        o = r.observed
        cells = [_code(str(o)), f"{o.flows:,}", _time(o.first_seen), _time(o.last_seen), _code(o.at)]
        out.append("| " + " | ".join(cells) + " |")
    return out


def _md_explanations(rows: Sequence[Replayed]) -> list[str]:
    out = ["", "<details>", f"<summary>why ({len(rows)})</summary>", "", "```text"]
    for r in rows:
        out += [_explained(r).rstrip("\n"), ""]
    if out[-1] == "":
        out.pop()
    return [*out, "```", "", "</details>"]


def replay_md(report: ReplayReport) -> str:
    """A pull-request comment: the summary, tables of the changes (with a base) and of the
    connections not allowed, each with its explanations folded, and the unmapped flows."""
    result = report.result
    lines = [f"### netsim replay: {_md(replay_summary(result))}", ""]
    lines.append(f"Flows {', '.join(_code(f) for f in report.flows)} against {_code(report.manifests)}.")
    if report.what_if:
        lines.append(f"What if: {_md(report.what_if)}.")
    skipped = _skipped(result)
    if skipped:
        lines.append(f"Skipped: {_md(skipped)}.")
    if report.base is not None:
        changes = report.changes
        if not changes:
            lines += ["", f"No observed connection changes against {_code(report.base_label or '')}."]
        for kind in _CHANGE_ORDER:
            rows = [c.head for c in changes if c.kind is kind]
            if rows:
                lines += ["", f"#### {kind.value.replace('-', ' ').capitalize()} ({len(rows)})", ""]
                lines += _md_rows(rows) + _md_explanations(rows)
    for decision in _ORDER:
        rows = list(result.of(decision))
        if rows:
            lines += ["", f"#### {decision.value.capitalize()} ({len(rows)})", ""]
            lines += _md_rows(rows) + _md_explanations(rows)
    if result.unmapped:
        lines += ["", f"#### Unmapped ({len(result.unmapped)})", ""]
        lines += ["| source | destination | flows | why | first record |", "|---|---|---|---|---|"]
        for u in result.unmapped:
            lines.append(
                f"| {_code(u.source)} | {_code(u.destination)} | {u.flows:,} | {_md(u.reason)} | {_code(u.at)} |"
            )
    return "\n".join(lines) + "\n"


def _location(at: str) -> tuple[str, int]:
    path, _, line = at.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (at, 0)


def replay_junit(report: ReplayReport) -> bytes:
    """One test case per distinct observed connection (classname: the source's namespace or
    address). A case fails where the exit status would (``--fail-on``); an undetermined one is an
    error; a denied one that does not fail the run (``--fail-on newly-denied`` or ``never``) is
    skipped, with its reason."""
    failing = {id(r) for r in report.failing()}
    changed = {id(c.head): c for c in report.changes}
    cases: list[JUnitCase] = []
    for r in report.result.connections:
        o = r.observed
        path, line = _location(o.at)
        classname = getattr(o.source, "namespace", None) or "external"
        name = str(o)
        details = _explained(r)
        change = changed.get(id(r))
        if change is not None:
            details = f"{change.kind.value} (base: {change.base.decision.value})\n{details}"
        if id(r) in failing:
            message = f"observed ({_n(o.flows, 'flow')}) but denied"
            if change is not None:
                message = f"observed ({_n(o.flows, 'flow')}), newly denied"
            cases.append(JUnitCase(name, classname, path, line, failure=message, details=details))
        elif r.decision is Decision.UNDETERMINED and report.fail_on is not FailOn.NEVER:
            message = f"observed ({_n(o.flows, 'flow')}); the manifests cannot decide it"
            cases.append(JUnitCase(name, classname, path, line, error=message, details=details))
        elif r.decision is not Decision.ALLOWED:
            message = f"observed ({_n(o.flows, 'flow')}), {r.decision.value}; --fail-on {report.fail_on} passes it"
            case = JUnitCase(name, classname, path, line, skipped=message, details=details, kind=r.decision.value)
            cases.append(case)
        else:
            cases.append(JUnitCase(name, classname, path, line))
    unmapped = tuple(
        JUnitCase(
            f"{u.source} -> {u.destination}",
            "unmapped",
            *_location(u.at),
            skipped=f"unmapped ({_n(u.flows, 'flow')}): {u.reason}",
            kind="unmapped",
        )
        for u in report.result.unmapped
    )
    suites = [JUnitSuite("netsim replay", tuple(cases))]
    if unmapped:
        suites.append(JUnitSuite("netsim replay: unmapped flows", unmapped))
    return junit_xml(suites, name="netsim replay")
