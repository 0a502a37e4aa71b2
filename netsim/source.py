"""Reading input files into located YAML node trees.

netsim composes YAML (never constructs Python objects from tags), so every value keeps the line
and column it came from and no YAML tag can run code. libyaml's C parser is used when PyYAML has
it; the pure-Python parser is the fallback.
"""

from __future__ import annotations

import bisect
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from netsim.errors import InputError, SourceSpan

__all__ = [
    "INPUT_SUFFIXES",
    "Document",
    "Limits",
    "compose_documents",
    "discover",
    "read_documents",
    "span_of",
]

INPUT_SUFFIXES = (".yaml", ".yml", ".json")

#: Deepest nesting of mappings and sequences accepted. Kubernetes objects nest a few dozen levels
#: at most; the bound keeps a hostile file from exhausting the stack (libyaml's composer recurses).
MAX_NESTING = 500

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_PYTHON_TAG_PREFIX = _YAML_TAG_PREFIX + "python/"
# a Go template action as Helm charts use them: {{ .Values.x }}, {{- include ... }}, {{ $v }}
_HELM_ACTION = re.compile(r"\{\{-?\s*(?:[.$]|include\b|template\b|if\b|range\b|with\b|define\b|toYaml\b|end\b)")
# inside a string value, only an action naming Helm's own objects or helpers marks an unrendered
# chart: rendered manifests carry other template text as data (Prometheus rule annotations
# "{{ $labels.pod }}", Alertmanager "{{ template ... }}", Grafana dashboards)
_HELM_ONLY_ACTION = re.compile(
    r"\{\{-?\s*(?:\.(?:Values|Release|Chart|Capabilities|Files|Template)\b|include\b|toYaml\b|tpl\b)"
)
_COMMENT_START = re.compile(r"(?:^|[ \t])#")
_resolver: Any = yaml.resolver.Resolver()  # untyped in the stubs

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one run reads (adjustable with ``--max-*``; see docs/security.md)."""

    max_file_bytes: int = 256 * 1024 * 1024
    max_documents: int = 1_000_000
    max_files: int = 100_000


@dataclass(frozen=True, slots=True)
class Document:
    """One YAML document of one file; ``root`` is None for an empty document."""

    path: str
    index: int
    root: yaml.Node | None


def _mark_span(path: str, event: Any) -> SourceSpan:
    mark = event.start_mark
    return SourceSpan(path, mark.line + 1, mark.column + 1)


def span_of(path: str, node: yaml.Node) -> SourceSpan:
    """The 1-based position where ``node`` starts."""
    mark = node.start_mark
    return SourceSpan(path, mark.line + 1, mark.column + 1)


def discover(inputs: list[str], limits: Limits | None = None) -> tuple[list[str], list[InputError]]:
    """Expand files and directories (recursively, ``*.yaml``/``*.yml``/``*.json``) into file paths.

    ``-`` stands for standard input. Files named explicitly are read whatever their suffix.
    """
    limits = limits or Limits()
    files: list[str] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    for item in inputs:
        if item == "-":
            files.append("-")
            continue
        path = Path(item)
        if path.is_dir():
            found: list[str] = []
            for root, dirs, names in os.walk(path, onerror=lambda e: errors.append(_os_error(e))):
                dirs.sort()
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in sorted(names):
                    if name.endswith(INPUT_SUFFIXES) and not name.startswith("."):
                        found.append(os.path.join(root, name))
            if not found:
                errors.append(
                    InputError(
                        f"no {', '.join('*' + s for s in INPUT_SUFFIXES)} files in directory", span=None, field=item
                    )
                )
            files.extend(found)
        elif path.exists():
            files.append(item)
        else:
            errors.append(InputError("no such file or directory", field=item))
    unique = []
    for f in files:
        key = f if f == "-" else os.path.realpath(f)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    if len(unique) > limits.max_files:
        errors.append(InputError(f"{len(unique)} input files exceed the limit of {limits.max_files} (--max-files)"))
    return unique, errors


def _os_error(exc: OSError) -> InputError:
    return InputError(exc.strerror or str(exc), field=str(exc.filename or ""))


def _read_text(path: str, limits: Limits, label: str | None = None) -> str:
    if path == "-":
        data = sys.stdin.buffer.read(limits.max_file_bytes + 1)
        label = "<stdin>"
    else:
        label = label or path
        try:
            with open(path, "rb") as fh:
                data = fh.read(limits.max_file_bytes + 1)
        except IsADirectoryError as exc:
            raise InputError("is a directory", span=SourceSpan(label, 1, 1)) from exc
        except OSError as exc:
            raise InputError(f"cannot read: {exc.strerror or exc}", span=SourceSpan(label, 1, 1)) from exc
    if len(data) > limits.max_file_bytes:
        raise InputError(
            f"file is larger than the limit of {limits.max_file_bytes} bytes (--max-file-bytes)",
            span=SourceSpan(label, 1, 1),
        )
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise InputError("binary data (a NUL byte): not a YAML or JSON file", span=SourceSpan(label, line, 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1  # in characters, as YAML marks
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            span=SourceSpan(label, line, col),
        ) from exc
    return text.removeprefix("\ufeff")


def read_documents(path: str, limits: Limits | None = None, label: str | None = None) -> Iterator[Document]:
    """Yield every document of one file as a node tree; raise InputError on unreadable input.

    Positions name the file ``label`` (default: ``path``; ``<stdin>`` for ``-``), e.g. ``REV:path``
    for a file that was read out of git into a temporary directory.
    """
    limits = limits or Limits()
    label = "<stdin>" if path == "-" else label or path
    text = _read_text(path, limits, label)
    if _HELM_ACTION.search(text) is None:
        yield from compose_documents(label, text, limits)
        return
    docs: list[Document] = []
    failure: InputError | None = None
    try:
        docs.extend(compose_documents(label, text, limits))
    except InputError as exc:  # an unrendered template often breaks the YAML: report the template
        failure = exc
    template = _unrendered_template(text, docs)  # after a failure, only the documents before it
    if template is not None:
        line = text.count("\n", 0, template.start()) + 1
        col = template.start() - (text.rfind("\n", 0, template.start()) + 1) + 1
        close = text.find("}}", template.start())
        action = text[template.start() : close + 2] if 0 <= close - template.start() < 60 else template.group(0)
        raise InputError(
            f"unrendered Helm template {action}: netsim reads the manifests a cluster receives, so render "
            "the chart first (helm template RELEASE CHART > rendered.yaml)",
            span=SourceSpan(label, line, col),
        )
    yield from docs
    if failure is not None:
        raise failure


def _unrendered_template(text: str, docs: list[Document]) -> re.Match[str] | None:
    """The first template action that is YAML structure rather than data, outside comments."""
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    todo = [d.root for d in docs if d.root is not None]
    while todo:  # every scalar's character range (iteratively: aliases may share nodes)
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index))
        elif isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            todo.extend(n for pair in node.value for n in pair)
    spans.sort()
    starts = [start for start, _ in spans]
    for match in _HELM_ACTION.finditer(text):
        i = bisect.bisect_right(starts, match.start()) - 1
        if i >= 0 and match.start() < spans[i][1]:
            if _HELM_ONLY_ACTION.match(text, match.start()):
                return match
            continue
        if not _COMMENT_START.search(text, text.rfind("\n", 0, match.start()) + 1, match.start()):
            return match
    return None


def compose_documents(label: str, text: str, limits: Limits | None = None) -> Iterator[Document]:
    """Compose every document of ``text`` into a node tree, as ``yaml.compose_all`` does.

    The composition is iterative (no recursion, so no stack exhaustion), never constructs Python
    objects, and rejects ``!!python/...`` tags outright. An anchor may be redefined (YAML 1.2; an
    alias refers to the latest definition). Raises InputError on the first problem.
    """
    limits = limits or Limits()
    stack: list[list[Any]] = []  # [collection node, pending mapping key or None]
    anchors: dict[str, yaml.Node] = {}
    root: yaml.Node | None = None
    count = 0
    try:
        events: Iterator[Any] = yaml.parse(text, Loader=_Loader)  # libyaml's marks are untyped
        for event in events:
            node: yaml.Node
            start, end = event.start_mark, event.end_mark
            if isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise InputError(
                        f"YAML syntax error: found undefined alias {event.anchor!r}", span=_mark_span(label, event)
                    )
                node = anchors[event.anchor]
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                tag = event.tag
                if tag is not None and tag.startswith(_PYTHON_TAG_PREFIX):
                    shown = "!!" + tag.removeprefix(_YAML_TAG_PREFIX)
                    raise InputError(
                        f"YAML tag {shown} is not allowed (netsim never constructs objects from tags)",
                        span=_mark_span(label, event),
                    )
                if isinstance(event, yaml.ScalarEvent):
                    if tag is None or tag == "!":
                        tag = _resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
                    node = yaml.ScalarNode(tag, event.value, start, end, style=event.style)
                else:
                    if len(stack) >= MAX_NESTING:
                        raise InputError(
                            f"YAML nesting deeper than {MAX_NESTING} levels", span=_mark_span(label, event)
                        )
                    seq = isinstance(event, yaml.SequenceStartEvent)
                    if tag is None or tag == "!":
                        tag = _YAML_TAG_PREFIX + ("seq" if seq else "map")
                    kind = yaml.SequenceNode if seq else yaml.MappingNode
                    node = kind(tag, [], start, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    anchors[event.anchor] = node
                if isinstance(event, yaml.CollectionStartEvent):
                    stack.append([node, None])
                    continue
            elif isinstance(event, yaml.CollectionEndEvent):
                node = stack.pop()[0]
                node.end_mark = end
            elif isinstance(event, yaml.DocumentStartEvent):
                anchors, root = {}, None
                continue
            elif isinstance(event, yaml.DocumentEndEvent):
                if count >= limits.max_documents:
                    raise InputError(
                        f"more than {limits.max_documents} documents (--max-documents)", span=SourceSpan(label, 1, 1)
                    )
                yield Document(label, count, root)
                count += 1
                continue
            else:  # stream start and end
                continue
            if not stack:
                root = node
            elif isinstance(stack[-1][0], yaml.SequenceNode):
                stack[-1][0].value.append(node)
            elif stack[-1][1] is None:
                stack[-1][1] = node
            else:
                stack[-1][0].value.append((stack[-1][1], node))
                stack[-1][1] = None
    except yaml.reader.ReaderError as exc:
        before = text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "ignore")
        span = SourceSpan(label, before.count("\n") + 1, len(before) - before.rfind("\n"))
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError(f"YAML syntax error: unacceptable character {what}: {exc.reason}", span=span) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = SourceSpan(label, mark.line + 1, mark.column + 1) if mark else SourceSpan(label, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        ctx = f" ({exc.context})" if exc.context and exc.problem else ""
        raise InputError(f"YAML syntax error: {problem}{ctx}", span=span) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", span=SourceSpan(label, 1, 1)) from exc
