"""Reading and validating expectations files: every error as ``file:line:col: field: message``."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from ipaddress import ip_address, ip_network

import yaml

from netsim.errors import InputError, InputErrors, SourceSpan
from netsim.expectations.cases import Case, EndpointSet, Expectation, Form
from netsim.model import Direction, Labels, Protocol
from netsim.source import Limits, read_documents, span_of

__all__ = ["is_expectations_file", "load_cases", "load_expectations"]

_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_CASE_FIELDS = (
    "name",
    "from",
    "to",
    "port",
    "protocol",
    "expect",
    "only_from",
    "only_to",
    "isolated",
    "direction",
)
_ENDPOINT_FIELDS = ("from", "to", "only_from", "only_to")
_SET_FIELDS = frozenset({"namespace", "labels"})
_DIRECTIONS = {"ingress": (Direction.INGRESS,), "egress": (Direction.EGRESS,), "both": tuple(Direction)}
_PORT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_ENDPOINT_HELP = "a string (ns/name, ns/app=web, ns/*, an IP or a CIDR) or a mapping with namespace"


# -- reading ------------------------------------------------------------------------------------------


class _Reader:
    """Validates one expectations file, collecting every error."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.errors: list[InputError] = []

    def error(self, node: yaml.Node, fld: str, message: str, hint: str | None = None) -> None:
        self.errors.append(InputError(message, span=span_of(self.label, node), field=fld, hint=hint))

    def entries(self, node: yaml.MappingNode, fld: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, fld, "Invalid type: a mapping key must be a string")
                continue
            name = str(key.value)
            if name in out:
                first = out[name][0].start_mark.line + 1
                self.error(key, f"{fld}.{name}" if fld else name, f'key "{name}" already set (first at line {first})')
                continue
            out[name] = (key, value)
        return out

    def unknown(self, entries: dict[str, tuple[yaml.Node, yaml.Node]], fld: str, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for name, (key, _) in entries.items():
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f'did you mean "{close[0]}"?' if close else None
                self.error(key, f"{fld}.{name}" if fld else name, f'unknown field "{name}"', hint)

    def scalar(self, node: yaml.Node, fld: str) -> str | None:
        if isinstance(node, yaml.ScalarNode) and node.tag != _NULL:
            return str(node.value)
        self.error(node, fld, "Invalid type: expected a string or number")
        return None

    # -- one end of a case ----------------------------------------------------------------------
    def endpoint_set(self, node: yaml.Node, fld: str) -> EndpointSet | None:
        span = span_of(self.label, node)
        if isinstance(node, yaml.MappingNode):
            return self.set_mapping(node, fld, span)
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL:
            self.error(node, fld, f"Invalid type: expected {_ENDPOINT_HELP}")
            return None
        text = str(node.value).strip()
        problem = _endpoint_problem(text)
        if problem is not None:
            self.error(node, fld, f'Invalid value: "{text}": {problem[0]}', problem[1])
            return None
        return _parse_endpoint(text, span, fld)

    def set_mapping(self, node: yaml.MappingNode, fld: str, span: SourceSpan) -> EndpointSet | None:
        before = len(self.errors)
        entries = self.entries(node, fld)
        self.unknown(entries, fld, sorted(_SET_FIELDS))
        if "namespace" not in entries:
            self.error(node, f"{fld}.namespace", "Required value")
            return None
        namespace = self.scalar(entries["namespace"][1], f"{fld}.namespace")
        labels: dict[str, str] = {}
        if "labels" in entries:
            value = entries["labels"][1]
            if not isinstance(value, yaml.MappingNode):
                self.error(value, f"{fld}.labels", "Invalid type: expected a mapping of label keys to values")
                return None
            for key, (_, item) in self.entries(value, f"{fld}.labels").items():
                text = self.scalar(item, f"{fld}.labels.{key}")
                if text is not None:
                    labels[key] = text
        if namespace is None or len(self.errors) > before:
            return None
        shown = f"namespace {namespace}" + (f" with {Labels(labels)}" if labels else "")
        return EndpointSet(
            shown, "namespace", span, fld, namespace=namespace, labels=Labels(labels) if labels else None
        )

    # -- a case ----------------------------------------------------------------------------------
    def case(self, node: yaml.Node, i: int, seen: dict[str, SourceSpan]) -> Case | None:
        fld = f"cases[{i}]"
        span = span_of(self.label, node)
        if not isinstance(node, yaml.MappingNode):
            self.error(node, fld, "Invalid type: expected a mapping")
            return None
        before = len(self.errors)
        entries = self.entries(node, fld)
        self.unknown(entries, fld, _CASE_FIELDS)

        def value(name: str) -> yaml.Node | None:
            return entries[name][1] if name in entries else None

        def forbid(names: Iterable[str], because: str) -> None:
            for name in names:
                if name in entries:
                    self.error(entries[name][0], f"{fld}.{name}", f'Forbidden: may not be set with "{because}"')

        def require(name: str) -> None:
            if name not in entries:
                self.error(node, f"{fld}.{name}", "Required value")

        require("name")
        if "isolated" in entries:
            form: Form = "isolated"
            forbid(("from", "to", "port", "protocol", "expect", "only_from", "only_to"), "isolated")
        elif "only_from" in entries or "only_to" in entries:
            form = "only"
            if "only_from" in entries:
                forbid(("only_to", "from", "expect"), "only_from")
                require("to")
            else:
                forbid(("to", "expect"), "only_to")
                require("from")
        else:
            form = "connection"
            for required in ("from", "to", "expect"):
                require(required)
        if form != "isolated" and "direction" in entries:
            self.error(entries["direction"][0], f"{fld}.direction", 'Forbidden: only with "isolated"')

        name_node = value("name")
        name = self.scalar(name_node, f"{fld}.name") if name_node is not None else None
        ends: dict[str, EndpointSet | None] = {}
        for key in _ENDPOINT_FIELDS:
            node_ = value(key)
            if node_ is not None:
                ends[key] = self.endpoint_set(node_, f"{fld}.{key}")
        port, port_span = self.port(value("port"), f"{fld}.port")
        protocol = self.choice(value("protocol"), f"{fld}.protocol", ("TCP", "UDP", "SCTP"))
        expect = self.choice(value("expect"), f"{fld}.expect", ("allow", "deny"))
        isolated = self.scalar(entries["isolated"][1], f"{fld}.isolated") if "isolated" in entries else None
        direction = self.choice(value("direction"), f"{fld}.direction", tuple(_DIRECTIONS))
        if len(self.errors) > before or name is None:
            return None
        if name in seen:
            assert name_node is not None
            self.errors.append(
                InputError(
                    f"Duplicate value: case {name!r} (first at {seen[name]})",
                    span=span,
                    field=f"{fld}.name",
                )
            )
            return None
        seen[name] = span
        return Case(
            name,
            span,
            fld,
            form,
            source=ends.get("from"),
            destination=ends.get("to"),
            port=port,
            protocol=Protocol(protocol) if protocol else None,
            allow=None if expect is None else expect == "allow",
            only_from=ends.get("only_from"),
            only_to=ends.get("only_to"),
            isolated=isolated,
            directions=_DIRECTIONS[direction or "both"] if form == "isolated" else (),
            port_span=port_span,
        )

    def choice(self, node: yaml.Node | None, fld: str, supported: Sequence[str]) -> str | None:
        if node is None:
            return None
        text = self.scalar(node, fld)
        if text is None:
            return None
        if text not in supported:
            values = ", ".join(f'"{s}"' for s in supported)
            self.error(node, fld, f'Unsupported value: "{text}": supported values: {values}')
            return None
        return text

    def port(self, node: yaml.Node | None, fld: str) -> tuple[int | str | None, SourceSpan | None]:
        if node is None:
            return None, None
        span = span_of(self.label, node)
        text = self.scalar(node, fld)
        if text is None:
            return None, None
        if text.isdigit() or (isinstance(node, yaml.ScalarNode) and node.tag == _INT):
            try:
                number = int(text, 0)
            except ValueError:
                number = -1
            if not 1 <= number <= 65535:
                self.error(node, fld, f"Invalid value: {text}: must be between 1 and 65535, inclusive")
                return None, None
            return number, span
        if "/" in text:
            number_text, _, proto = text.partition("/")
            self.error(
                node,
                fld,
                f'Invalid value: "{text}": a port is a number or a port name',
                f"write port: {number_text} and protocol: {proto.upper()}",
            )
            return None, None
        if len(text) > 15 or not _PORT_NAME.match(text) or not re.search("[a-z]", text):
            self.error(
                node,
                fld,
                f'Invalid value: "{text}": a port name is 1-15 lowercase letters, digits and "-", '
                "with at least one letter, and starts and ends with a letter or digit",
            )
            return None, None
        return text, span


def _endpoint_problem(text: str) -> tuple[str, str | None] | None:
    """Why a string cannot name an endpoint (message, hint), or None."""
    if not text:
        return "an endpoint is required", None
    if "/" in text:
        head, _, tail = text.partition("/")
        try:
            ip_address(head)
        except ValueError:
            pass
        else:
            try:
                ip_network(text, strict=True)
            except ValueError:
                try:
                    net = ip_network(text, strict=False)
                except ValueError:
                    return "not a valid CIDR", None
                return "the address has bits set beyond the prefix length", f"did you mean {net}?"
            return None
        if not head:
            return "the namespace before '/' is empty", None
        if not tail:
            return "nothing after the namespace", "write ns/name for a pod, ns/app=web for a selector, ns/* for all"
        if "=" in tail:
            for pair in tail.split(","):
                key, eq, _value = pair.partition("=")
                if not eq or not key.strip():
                    return f"label selector term {pair!r} is not key=value", None
    elif "=" in text:
        return "a label selector needs its namespace", f"write NAMESPACE/{text}"
    return None


def _parse_endpoint(text: str, span: SourceSpan, fld: str) -> EndpointSet:
    try:
        ip_address(text)
    except ValueError:
        pass
    else:
        return EndpointSet(text, "address", span, fld)
    head, slash, tail = text.partition("/")
    if slash:
        try:
            ip_address(head)
        except ValueError:
            pass
        else:
            return EndpointSet(text, "network", span, fld, network=ip_network(text))
        if tail == "*":
            return EndpointSet(text, "namespace", span, fld, namespace=head)
        if "=" in tail:
            pairs = dict(p.split("=", 1) for p in tail.split(","))
            labels = Labels({k.strip(): v.strip() for k, v in pairs.items()})
            return EndpointSet(text, "selector", span, fld, namespace=head, labels=labels)
    return EndpointSet(text, "endpoint", span, fld)


def _documents(path: str, limits: Limits | None = None) -> tuple[str, list[yaml.Node]]:
    label = "<stdin>" if path == "-" else path
    return label, [d.root for d in read_documents(path, limits) if d.root is not None]


def is_expectations_file(path: str) -> bool:
    """True for a YAML file whose one document is a mapping with ``cases`` and no ``kind``."""
    if path == "-" or not os.path.isfile(path):
        return False
    try:
        with open(path, "rb") as fh:
            if b"cases" not in fh.read():  # most manifests: no need to parse them twice
                return False
        _, roots = _documents(path)
    except (InputError, OSError):
        return False
    if len(roots) != 1 or not isinstance(roots[0], yaml.MappingNode):
        return False
    keys = {k.value for k, _ in roots[0].value if isinstance(k, yaml.ScalarNode)}
    return "cases" in keys and "kind" not in keys


def load_cases(path: str, limits: Limits | None = None) -> tuple[Case, ...]:
    """Read and validate an expectations file in any form; raise InputErrors listing every problem.

    ``limits`` bound the reading as for manifests (the ``--max-*`` options)."""
    label, roots = _documents(path, limits)
    if len(roots) != 1 or not isinstance(roots[0], yaml.MappingNode):
        where = span_of(label, roots[0]) if roots else SourceSpan(label, 1, 1)
        raise InputErrors([InputError("an expectations file is one mapping with a 'cases' list", span=where)])
    reader = _Reader(label)
    root = roots[0]
    top = reader.entries(root, "")
    reader.unknown(top, "", ("cases",))
    if "cases" not in top or not isinstance(top["cases"][1], yaml.SequenceNode):
        reader.errors.append(InputError("Required value: a list of cases", span=span_of(label, root), field="cases"))
        raise InputErrors(reader.errors)
    seen: dict[str, SourceSpan] = {}
    cases = [reader.case(node, i, seen) for i, node in enumerate(top["cases"][1].value)]
    if reader.errors:
        raise InputErrors(reader.errors)
    return tuple(c for c in cases if c is not None)


def load_expectations(path: str) -> tuple[Expectation, ...]:
    """Read an expectations file of single-connection cases (each with a port).

    Raise InputErrors listing every problem, including cases in a form only :func:`load_cases`
    reads (sets, any port, ``only_from``/``only_to``, ``isolated``).
    """
    out = []
    errors = []
    for case in load_cases(path):
        expectation = case.as_expectation()
        if expectation is None:
            errors.append(
                InputError(
                    "this form (a set of endpoints, any port, only_from/only_to or isolated) "
                    "is read by load_cases and run by `netsim test`",
                    span=case.span,
                    field=case.field,
                )
            )
            continue
        out.append(expectation)
    if errors:
        raise InputErrors(errors)
    return tuple(out)
