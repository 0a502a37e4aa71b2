"""Lint findings as text (``path:line:col: severity[ID] message``), JSON and SARIF 2.1.0.

SARIF is what code-scanning services read (GitHub's upload-sarif action, GitLab's SAST report
converters): the rules go in ``runs[0].tool.driver.rules``, each finding becomes a result with
the file relative to ``root`` and the 1-based line and column.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from netsim.errors import SourceSpan
from netsim.lint import Finding, LintRule, Severity

__all__ = [
    "SARIF_LEVELS",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "TOOL_URI",
    "findings_json",
    "findings_sarif",
    "findings_text",
    "summary",
]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: Where the rules are explained; the project has no web home of its own yet.
TOOL_URI = "https://kubernetes.io/docs/concepts/services-networking/network-policies/"
#: netsim severity → SARIF result level.
SARIF_LEVELS: dict[Severity, str] = {Severity.INFO: "note", Severity.WARNING: "warning", Severity.ERROR: "error"}

_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)


def summary(findings: Iterable[Finding]) -> str:
    """``3 findings: 1 error, 1 warning, 1 info`` or ``no findings``."""
    items = list(findings)
    if not items:
        return "no findings"
    counts = {s: sum(1 for f in items if f.severity is s) for s in _ORDER}
    parts = [f"{counts[Severity.ERROR]} error{'' if counts[Severity.ERROR] == 1 else 's'}"]
    parts.append(f"{counts[Severity.WARNING]} warning{'' if counts[Severity.WARNING] == 1 else 's'}")
    parts.append(f"{counts[Severity.INFO]} info")
    noun = "finding" if len(items) == 1 else "findings"
    return f"{len(items)} {noun}: {', '.join(parts)}"


def findings_text(findings: Sequence[Finding]) -> str:
    """One ``path:line:col: severity[ID] message`` line per finding, its hint, then the summary."""
    lines: list[str] = []
    for f in findings:
        where = f"{f.span}: " if f.span is not None else ""
        lines.append(f"{where}{f.severity}[{f.rule}] {f.message}")
        lines.append(f"  hint: {f.hint}")
    lines.append(summary(findings))
    return "\n".join(lines) + "\n"


def _finding_json(f: Finding, rules: Mapping[str, LintRule]) -> dict[str, Any]:
    return {
        "rule": f.rule,
        "name": rules[f.rule].name if f.rule in rules else None,
        "severity": f.severity.value,
        "path": f.span.path if f.span else None,
        "line": f.span.line if f.span else None,
        "column": f.span.column if f.span else None,
        "subject": f.subject,
        "field": f.field,
        "message": f.message,
        "hint": f.hint,
    }


def findings_json(findings: Sequence[Finding], rules: Mapping[str, LintRule]) -> str:
    """``{"findings": [...], "summary": {"error": n, "warning": n, "info": n, "total": n}}``."""
    counts: dict[str, int] = {s.value: sum(1 for f in findings if f.severity is s) for s in _ORDER}
    data = {
        "findings": [_finding_json(f, rules) for f in findings],
        "summary": {**counts, "total": len(findings)},
    }
    return json.dumps(data, indent=2) + "\n"


def _uri(path: str, root: Path | None) -> str:
    """The artifact URI: relative to ``root`` when the file is under it, POSIX separators, escaped."""
    p = Path(path)
    if root is not None and p.is_absolute():
        try:
            p = p.relative_to(root)
        except ValueError:
            return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _rule_json(rule: LintRule) -> dict[str, Any]:
    level = SARIF_LEVELS[rule.severity]
    text = f"{rule.description} (NetworkPolicy reference {rule.reference}; docs/lint.md#{rule.id.lower()}-{rule.name})"
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description},
        "help": {"text": text, "markdown": f"**{rule.id} {rule.name}**\n\n{text}"},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["kubernetes", "networkpolicy"], "reference": rule.reference},
    }


def _location(span: SourceSpan, root: Path | None) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(span.path, root)},
            "region": {"startLine": span.line, "startColumn": span.column},
        }
    }


def _fingerprint(f: Finding) -> str:
    """Stable across edits that move lines: the rule, the object and the field concerned."""
    return hashlib.sha256(f"{f.rule}|{f.subject}|{f.field}|{f.message}".encode()).hexdigest()[:32]


def findings_sarif(
    findings: Sequence[Finding],
    rules: Sequence[LintRule],
    *,
    version: str,
    root: Path | None = None,
) -> str:
    """A SARIF 2.1.0 log with one run: every rule in ``rules``, one result per finding."""
    index = {r.id: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule,
            "level": SARIF_LEVELS[f.severity],
            "message": {"text": f"{f.message}. Hint: {f.hint}"},
            "locations": [_location(f.span, root)] if f.span is not None else [],
            "partialFingerprints": {"netsimFinding/v1": _fingerprint(f)},
            "properties": {"subject": f.subject, "field": f.field, "hint": f.hint},
        }
        if f.rule in index:
            result["ruleIndex"] = index[f.rule]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "netsim",
                        "version": version,
                        "semanticVersion": version,
                        "informationUri": TOOL_URI,
                        "rules": [_rule_json(r) for r in rules],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"
