"""Expectation files: named connections that must be allowed or denied.

Format (YAML; every error is reported as ``file:line:col: field: message``)::

    cases:
      - name: web reaches the backend API      # required, unique
        from: production/web                  # a pod (ns/name) or an IP address
        to: production/backend
        port: 8080                            # a number or a named port of the destination pod
        protocol: TCP                         # TCP (default), UDP or SCTP
        expect: allow                         # allow | deny
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from netsim.endpoints import PortRef, resolve_endpoint, resolve_port
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import InputError, InputErrors, NetsimError, SourceSpan
from netsim.model import Protocol, Traffic
from netsim.source import read_documents, span_of
from netsim.verdict import Verdict

__all__ = ["Expectation", "ExpectationResult", "check_expectations", "load_expectations"]

_CASE_FIELDS = ("name", "from", "to", "port", "protocol", "expect")


@dataclass(frozen=True, slots=True)
class Expectation:
    """One named case of an expectations file."""

    name: str
    source: str
    destination: str
    port: int | str
    protocol: Protocol | None
    allow: bool
    span: SourceSpan


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """A case and the verdict it was checked against."""

    expectation: Expectation
    verdict: Verdict

    @property
    def passed(self) -> bool:
        """True when the verdict is what the case expects."""
        return self.verdict.allowed == self.expectation.allow


def _scalar_text(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def load_expectations(path: str) -> tuple[Expectation, ...]:
    """Read and validate an expectations file; raise InputErrors listing every problem."""
    errors: list[InputError] = []
    cases: list[Expectation] = []
    docs = [d for d in read_documents(path) if d.root is not None]
    label = "<stdin>" if path == "-" else path
    if len(docs) != 1 or not isinstance(docs[0].root, yaml.MappingNode):
        where = span_of(label, docs[0].root) if docs and docs[0].root is not None else SourceSpan(label, 1, 1)
        raise InputErrors([InputError("an expectations file is one mapping with a 'cases' list", span=where)])
    root = docs[0].root
    top = {k.value: (k, v) for k, v in root.value}
    for name, (key, _) in top.items():
        if name != "cases":
            errors.append(InputError(f'unknown field "{name}"', span=span_of(label, key), field=name))
    if "cases" not in top or not isinstance(top["cases"][1], yaml.SequenceNode):
        errors.append(InputError("Required value: a list of cases", span=span_of(label, root), field="cases"))
        raise InputErrors(errors)
    seen: dict[str, SourceSpan] = {}
    for i, node in enumerate(top["cases"][1].value):
        fld = f"cases[{i}]"
        span = span_of(label, node)
        if not isinstance(node, yaml.MappingNode):
            errors.append(InputError("Invalid type: expected a mapping", span=span, field=fld))
            continue
        entries = {k.value: (k, v) for k, v in node.value}
        for name, (key, _) in entries.items():
            if name not in _CASE_FIELDS:
                errors.append(InputError(f'unknown field "{name}"', span=span_of(label, key), field=f"{fld}.{name}"))
        values: dict[str, str] = {}
        for name in _CASE_FIELDS:
            if name not in entries:
                if name != "protocol":
                    errors.append(InputError("Required value", span=span, field=f"{fld}.{name}"))
                continue
            text = _scalar_text(entries[name][1])
            if text is None:
                errors.append(
                    InputError(
                        "Invalid type: expected a string or number",
                        span=span_of(label, entries[name][1]),
                        field=f"{fld}.{name}",
                    )
                )
                continue
            values[name] = text
        if "expect" in values and values["expect"] not in ("allow", "deny"):
            node_ = entries["expect"][1]
            errors.append(
                InputError(
                    f'Unsupported value: "{values["expect"]}": supported values: "allow", "deny"',
                    span=span_of(label, node_),
                    field=f"{fld}.expect",
                )
            )
            continue
        protocol = None
        if "protocol" in values:
            try:
                protocol = Protocol(values["protocol"])
            except ValueError:
                node_ = entries["protocol"][1]
                errors.append(
                    InputError(
                        f'Unsupported value: "{values["protocol"]}": supported values: "TCP", "UDP", "SCTP"',
                        span=span_of(label, node_),
                        field=f"{fld}.protocol",
                    )
                )
                continue
        if len(values) < len([f for f in _CASE_FIELDS if f != "protocol"]) + (1 if "protocol" in values else 0):
            continue
        if values["name"] in seen:
            errors.append(
                InputError(
                    f"Duplicate value: case {values['name']!r} (first at {seen[values['name']]})",
                    span=span,
                    field=f"{fld}.name",
                )
            )
            continue
        seen[values["name"]] = span
        port: int | str = int(values["port"]) if values["port"].isdigit() else values["port"]
        cases.append(
            Expectation(values["name"], values["from"], values["to"], port, protocol, values["expect"] == "allow", span)
        )
    if errors:
        raise InputErrors(errors)
    return tuple(cases)


def check_expectations(
    index: PolicyIndex, cases: tuple[Expectation, ...], namespace: str = "default"
) -> tuple[ExpectationResult, ...]:
    """Evaluate every case; an endpoint that does not exist is an InputError at the case's line."""
    results = []
    errors = []
    for case in cases:
        try:
            src = resolve_endpoint(index.cluster, case.source, namespace)
            dst = resolve_endpoint(index.cluster, case.destination, namespace)
            number, proto = resolve_port(PortRef(case.port, case.protocol), dst)
        except NetsimError as exc:
            errors.append(InputError(str(exc), span=case.span, field=case.name))
            continue
        results.append(ExpectationResult(case, evaluate(index, Traffic(src, dst, number, proto))))
    if errors:
        raise InputErrors(errors)
    return tuple(results)
