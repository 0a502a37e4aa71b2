"""Reading input files into located YAML node trees.

netsim composes YAML (never constructs Python objects from tags), so every value keeps the line
and column it came from and no YAML tag can run code. libyaml's C parser is used when PyYAML has
it; the pure-Python parser is the fallback.

Two composers build the same node trees. The iterative one (:func:`_compose_events`) reads
events and handles everything: tags, anchors and aliases, every limit, every error. The fast one
(:func:`_compose_fast`) lets libyaml's C composer build the nodes, for text that has no tags and
no anchors (most manifests); it enforces the limits through the resolver hooks libyaml calls for
each node, and it yields a document only when the iterative composer would yield the same one.
On anything else (a syntax error, a limit, an alias) it hands over to the iterative composer,
which carries on from the same document and reports the problem with its own message.
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from netsim.errors import InputError, SourceSpan

__all__ = [
    "INPUT_SUFFIXES",
    "KUSTOMIZATION_NAMES",
    "Budget",
    "Document",
    "Found",
    "Limits",
    "compose_documents",
    "discover",
    "find_inputs",
    "read_documents",
    "span_of",
]

INPUT_SUFFIXES = (".yaml", ".yml", ".json")
#: The names kustomize looks for in a directory (``Kustomization`` has no suffix: a directory walk
#: does not read it as a manifest, :func:`find_inputs` lists it apart).
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

#: Deepest nesting of mappings and sequences accepted. Kubernetes objects nest a few dozen levels
#: at most; the bound keeps a hostile file from exhausting the stack (libyaml's composer recurses).
MAX_NESTING = 500
#: Deepest nesting the fast composer (libyaml's, recursive in C: about 300 bytes of stack a level)
#: builds; deeper documents go to the iterative composer. 64 levels fit the smallest thread stack
#: Python allows (32 KiB, ``threading.stack_size``).
_FAST_MAX_DEPTH = 64

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
# plain scalars are resolved by their first character; most names and values start with a
# character no resolver claims and are strings without trying a regular expression
_IMPLICIT: dict[str | None, list[tuple[str, re.Pattern[str]]]] = _resolver.yaml_implicit_resolvers
_STR_TAG = _YAML_TAG_PREFIX + "str"
_SEQ_TAG = _YAML_TAG_PREFIX + "seq"
_MAP_TAG = _YAML_TAG_PREFIX + "map"
_TAG_CACHE_SIZE = 4096
# libyaml's parser (events built in C), else the pure-Python one; both only parse, never construct
_CParser: type[Any] | None
try:
    from yaml._yaml import CParser as _Parser

    class _HookedParser(_Parser):
        """libyaml's parser, whose C composer calls these three hooks for each node (set per use)."""

        __slots__ = ("ascend_resolver", "descend_resolver", "resolve")

    _CParser = _HookedParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parser = yaml.SafeLoader  # type: ignore[misc,assignment]
    _CParser = None


def _hooks_are_called(parser_class: type[Any]) -> bool:
    """Whether libyaml's composer calls the hooks the fast composer's limits rely on, once per
    node (PyYAML's has since its first version; without them, only the iterative composer runs)."""
    calls: list[str] = []

    def descend_resolver(parent: object, index: object) -> None:
        calls.append("descend")

    def ascend_resolver() -> None:
        calls.append("ascend")

    def resolve(kind: type[yaml.Node], value: str | None, implicit: object) -> str:
        calls.append("resolve")
        return _SEQ_TAG if value is None else _STR_TAG

    parser = parser_class("[x]")
    parser.descend_resolver, parser.ascend_resolver, parser.resolve = descend_resolver, ascend_resolver, resolve
    try:
        composed = parser.check_node() and parser.get_node() is not None
    except Exception:  # pragma: no cover - a composer that works otherwise
        return False
    return composed and calls == ["descend", "resolve", "descend", "resolve", "ascend", "ascend"]


if _CParser is not None and not _hooks_are_called(_CParser):  # pragma: no cover
    _CParser = None
# where a tag (!) or an anchor (&) can start a token: at the start, after white space, a line break
# or a byte order mark, and right after a flow indicator, ':' or '?' in flow context, or a quote
# (the last ones are errors, but listed all the same); a superset of what libyaml's scanner allows
_TOKEN_BOUNDARY = frozenset(" \t\r\n\x85\u2028\u2029\ufeff\x00[]{},:?\"'-")
_FILE_KINDS = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on what one run reads (adjustable with ``--max-*``; see docs/security.md).

    Every bound refuses input with a located error naming its option; none truncates silently.
    """

    max_file_bytes: int = 256 * 1024 * 1024  # one input file
    max_total_bytes: int = 1024 * 1024 * 1024  # all input files of a run together
    max_files: int = 100_000  # files of a run, after expanding directories
    max_documents: int = 1_000_000  # YAML documents in one file
    max_depth: int = MAX_NESTING  # nesting of mappings and sequences
    max_scalar_length: int = 4 * 1024 * 1024  # characters of one scalar (key or value)
    max_alias_nodes: int = 1_000_000  # nodes YAML aliases stand for, in all files of a run
    max_errors: int = 1000  # errors (and warnings) collected before the loader stops


class Budget:
    """What one run has spent of the limits that span files: bytes read and aliased nodes.

    :func:`~netsim.loader.load_cluster` passes one Budget to every file it reads; a caller that
    passes none gets a fresh one per call, so the limits then hold per file.
    """

    __slots__ = ("alias_nodes", "bytes_read", "limits")

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.bytes_read = 0
        self.alias_nodes = 0


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


@dataclass(frozen=True, slots=True)
class Found:
    """The files of a run's inputs (see :func:`find_inputs`)."""

    files: tuple[str, ...]  # to read, in order
    errors: tuple[InputError, ...]
    #: the files found in a directory, not named on the command line, and that directory (as
    #: given): a document in them that is not a Kubernetes object is skipped rather than an error
    walked: Mapping[str, str] = field(default_factory=dict)
    #: files named ``Kustomization`` found in a directory (not manifests: read only to tell
    #: whether the directory is a kustomize folder)
    kustomizations: tuple[str, ...] = ()


def discover(inputs: list[str], limits: Limits | None = None) -> tuple[list[str], list[InputError]]:
    """Expand files and directories into file paths: :func:`find_inputs`'s files and errors."""
    found = find_inputs(inputs, limits)
    return list(found.files), list(found.errors)


def find_inputs(inputs: list[str], limits: Limits | None = None) -> Found:
    """Expand files and directories (recursively, ``*.yaml``/``*.yml``/``*.json``) into file paths.

    ``-`` stands for standard input. Files named explicitly are read whatever their suffix.
    Symbolic links to directories inside a directory are not followed (a link loop cannot make
    the walk endless); links to files are read. More than ``limits.max_files`` files stop the
    walk with an error and no files.
    """
    limits = limits or Limits()
    files: list[str] = []
    errors: list[InputError] = []
    seen: set[str] = set()
    walked: dict[str, str] = {}
    named: set[str] = set()  # the real paths of the files named on the command line
    kustomizations: list[str] = []

    def add(path: str) -> bool:
        """Add a file once (by its real path); False when that makes too many."""
        key = path if path == "-" else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)
        return len(files) <= limits.max_files

    def add_walked(path: str) -> bool:
        if os.path.basename(path) == "Kustomization":
            kustomizations.append(path)
            return True
        walked.setdefault(path, item)
        return add(path)

    for item in inputs:
        if item == "-":
            fits = add(item)
        else:
            try:
                is_dir = stat.S_ISDIR(os.stat(item).st_mode)
            except OSError as exc:
                errors.append(InputError(_os_reason(exc), field=item))
                continue
            if not is_dir:
                named.add(os.path.realpath(item))
            fits = _walk(item, add_walked, errors) if is_dir else add(item)
        if not fits:
            errors.append(InputError(f"more than {limits.max_files} input files (--max-files)"))
            return Found((), tuple(errors))
    if named:  # a file both named and found in a directory counts as named
        walked = {path: top for path, top in walked.items() if os.path.realpath(path) not in named}
    return Found(tuple(files), tuple(errors), walked, tuple(kustomizations))


def _walk(top: str, add: Callable[[str], bool], errors: list[InputError]) -> bool:
    """Add the manifests under directory ``top`` (and its ``Kustomization`` files); False as soon
    as ``add`` says there are too many."""
    problems: list[OSError] = []
    found = 0
    for root, dirs, names in os.walk(top, onerror=problems.append):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name == "Kustomization":
                add(os.path.join(root, name))
            elif name.endswith(INPUT_SUFFIXES) and not name.startswith("."):
                found += 1
                if not add(os.path.join(root, name)):
                    return False
    errors.extend(
        InputError(f"cannot list directory: {_os_reason(exc)}", field=str(exc.filename or top)) for exc in problems
    )
    if not found and not problems:
        errors.append(
            InputError(f"no {', '.join('*' + s for s in INPUT_SUFFIXES)} files in directory", span=None, field=top)
        )
    return True


def _os_reason(exc: OSError) -> str:
    """An OSError's reason in lower case, as the other messages are written."""
    reason = exc.strerror or str(exc)
    if exc.errno == errno.ELOOP:
        reason += " (a symbolic link loop)"
    return reason[:1].lower() + reason[1:]


def _read_bytes(path: str, label: str, budget: Budget) -> bytes:
    """The bytes of one input, within the file and total size limits; only regular files and stdin."""
    limits = budget.limits
    room = min(limits.max_file_bytes, limits.max_total_bytes - budget.bytes_read)
    where = SourceSpan(label, 1, 1)
    if path == "-":
        data = sys.stdin.buffer.read(room + 1)
        size = len(data)
    else:
        try:
            # never open what is not a regular file: a FIFO blocks until a writer comes, a device
            # may never end (/dev/zero) or may act on being opened
            mode = os.stat(path).st_mode
            if not stat.S_ISREG(mode):
                raise InputError(_not_a_file(mode), span=where)
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
            with os.fdopen(fd, "rb") as fh:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):  # replaced since the first look
                    raise InputError(_not_a_file(info.st_mode), span=where)
                size = info.st_size
                data = fh.read(room + 1) if size <= room else b""
                size = max(size, len(data))  # a file may grow, and /proc files report 0
        except InputError:
            raise
        except OSError as exc:
            loop = " (a symbolic link loop)" if exc.errno == errno.ELOOP else ""
            raise InputError(f"cannot read: {exc.strerror or exc}{loop}", span=where) from exc
    if size > room:
        if size > limits.max_file_bytes:
            message = f"file is larger than the limit of {limits.max_file_bytes} bytes (--max-file-bytes)"
        else:
            message = (
                f"the input files together are larger than the limit of {limits.max_total_bytes} bytes "
                "(--max-total-bytes)"
            )
        raise InputError(message, span=where)
    budget.bytes_read += len(data)
    return data


def _not_a_file(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory"
    kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a regular file")
    return f"not a regular file ({kind}): netsim reads files, directories and - (standard input)"


def _read_text(path: str, budget: Budget, label: str) -> str:
    data = _read_bytes(path, label, budget)
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


def read_documents(
    path: str, limits: Limits | None = None, label: str | None = None, *, budget: Budget | None = None
) -> Iterator[Document]:
    """Yield every document of one file as a node tree; raise InputError on unreadable input.

    Positions name the file ``label`` (default: ``path``; ``<stdin>`` for ``-``), e.g. ``REV:path``
    for a file that was read out of git into a temporary directory. ``budget`` (which carries its
    own limits) is shared by the files of one run; without one, ``limits`` hold for this file.
    """
    budget = budget or Budget(limits)
    label = "<stdin>" if path == "-" else label or path
    text = _read_text(path, budget, label)
    action = _HELM_ACTION.search(text)
    if action is None:
        yield from compose_documents(label, text, budget=budget)
        return
    # a file that looks templated is checked document by document (holding no more than one):
    # each document's template actions must lie inside its scalars (data), or in comments
    docs = compose_documents(label, text, budget=budget)
    while True:
        try:
            doc = next(docs, None)
        except InputError as failure:  # an unrendered template often breaks the YAML: report the template
            template = _unrendered_template(text, None, action, len(text))
            if template is not None:
                raise _template_error(label, text, template) from failure
            raise
        if doc is None:
            break
        if doc.root is not None and action is not None and action.start() < doc.root.end_mark.index:
            end = doc.root.end_mark.index
            template = _unrendered_template(text, doc.root, action, end)
            if template is not None:
                raise _template_error(label, text, template)
            action = _HELM_ACTION.search(text, end)
        yield doc
    template = _unrendered_template(text, None, action, len(text))
    if template is not None:
        raise _template_error(label, text, template)


def _template_error(label: str, text: str, template: re.Match[str]) -> InputError:
    line = text.count("\n", 0, template.start()) + 1
    col = template.start() - (text.rfind("\n", 0, template.start()) + 1) + 1
    close = text.find("}}", template.start())
    action = text[template.start() : close + 2] if 0 <= close - template.start() < 60 else template.group(0)
    return InputError(
        f"unrendered Helm template {action}: netsim reads the manifests a cluster receives, so render "
        "the chart first (helm template RELEASE CHART > rendered.yaml)",
        span=SourceSpan(label, line, col),
    )


def _unrendered_template(
    text: str, root: yaml.Node | None, action: re.Match[str] | None, end: int
) -> re.Match[str] | None:
    """The first template action from ``action`` up to ``end`` that is YAML structure rather than
    data (outside the scalars of ``root``), outside comments."""
    if action is None or action.start() >= end:
        return None
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    todo = [root] if root is not None else []
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
    match: re.Match[str] | None = action
    while match is not None and match.start() < end:
        i = bisect.bisect_right(starts, match.start()) - 1
        if i >= 0 and match.start() < spans[i][1]:
            if _HELM_ONLY_ACTION.match(text, match.start()):
                return match
        elif not _COMMENT_START.search(text, text.rfind("\n", 0, match.start()) + 1, match.start()):
            return match
        match = _HELM_ACTION.search(text, match.end())
    return None


def compose_documents(
    label: str, text: str, limits: Limits | None = None, *, budget: Budget | None = None
) -> Iterator[Document]:
    """Compose every document of ``text`` into a node tree, as ``yaml.compose_all`` does.

    The composition never recurses deeply (so no stack exhaustion), never constructs Python
    objects, and rejects ``!!python/...`` tags outright. An anchor may be redefined (YAML 1.2; an
    alias refers to the latest definition). An alias shares its node (it is not copied); the nodes
    it stands for count against ``max_alias_nodes``, so a "billion laughs" file stops at the alias
    that crosses the limit. An alias inside its own anchor's node is refused, as kubectl refuses
    it. Raises InputError on the first problem.

    Text without tags and anchors is composed by libyaml's C composer, which recurses but is
    stopped at ``_FAST_MAX_DEPTH`` levels (see :func:`_compose_fast`), as long as it can vouch for
    the result; the iterative composer takes over at the first document it cannot, so both give
    the same documents and the same errors at the same positions.
    """
    budget = budget or Budget(limits)
    done = 0
    if _CParser is not None and not _may_have_properties(text):
        roots = _compose_fast(text, budget.limits)
        while True:
            try:
                root = next(roots, None)
            except Exception:  # any doubt (an error, a limit): the iterative composer decides and reports
                break
            if root is None:
                return
            yield Document(label, done, root)
            done += 1
    yield from _compose_events(label, text, budget, done)


def _may_have_properties(text: str) -> bool:
    """Whether ``text`` may hold a tag (``!``) or an anchor (``&``): a character that can start one
    of them where a token can start (see ``_TOKEN_BOUNDARY``). Never False when it holds one."""
    for mark in "!&":
        at = text.find(mark)
        while at >= 0:
            if at == 0 or text[at - 1] in _TOKEN_BOUNDARY or text[at - 1].isspace():
                return True
            at = text.find(mark, at + 1)
    return False


class _Refused(Exception):
    """The fast composer cannot vouch for what comes next: the iterative composer takes over."""


def _compose_fast(text: str, limits: Limits) -> Iterator[yaml.Node]:
    """The root of each document of ``text`` as libyaml's C composer builds it, for text in which
    :func:`_may_have_properties` finds no tag and no anchor.

    Raises (anything, :class:`_Refused` for a limit) where the iterative composer could differ:
    libyaml's errors (an alias, which without anchors is undefined, is one), a scalar longer or
    nesting deeper than the limits, more documents than ``max_documents``. Without tags every tag
    comes from ``resolve`` below, which resolves as the iterative composer does, and sees every
    scalar. libyaml's composer recurses, once per level: ``descend_resolver``, which it calls
    before each node, stops it at ``max_depth``, and never deeper than ``_FAST_MAX_DEPTH``.
    """
    assert _CParser is not None
    max_depth = min(limits.max_depth, _FAST_MAX_DEPTH)
    max_scalar, max_documents = limits.max_scalar_length, limits.max_documents
    implicit, cache_size, tags = _IMPLICIT, _TAG_CACHE_SIZE, dict[str, str]()
    str_tag, seq_tag, map_tag, sequence_node = _STR_TAG, _SEQ_TAG, _MAP_TAG, yaml.SequenceNode
    open_nodes: list[None] = []  # one entry per node being composed, from the root down
    push = open_nodes.append

    def descend_resolver(parent: object, index: object) -> None:
        push(None)
        if len(open_nodes) > max_depth:
            raise _Refused

    def resolve(kind: type[yaml.Node], value: str | None, implicit_flags: Any) -> str:
        if value is None:  # a collection (implicit_flags is one bool)
            return seq_tag if kind is sequence_node else map_tag
        if len(value) > max_scalar:
            raise _Refused
        # as in _compose_events: quoted (plain_implicit false), or no resolver for the first character
        if not implicit_flags[0] or (value and value[0] not in implicit):
            return str_tag
        tag = tags.get(value)
        if tag is None:
            tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
            if len(tags) >= cache_size:
                tags.clear()
            tags[value] = tag
        return tag

    parser = _CParser(text)
    parser.descend_resolver = descend_resolver
    parser.ascend_resolver = open_nodes.pop
    parser.resolve = resolve
    count = 0
    while parser.check_node():
        if count >= max_documents:
            raise _Refused
        yield parser.get_node()
        count += 1


def _compose_events(label: str, text: str, budget: Budget, skip: int = 0) -> Iterator[Document]:
    """Compose ``text`` from parser events (see :func:`compose_documents`); the first ``skip``
    documents are composed and checked, not yielded."""
    limits = budget.limits
    max_depth, max_scalar = limits.max_depth, limits.max_scalar_length
    alias_room = limits.max_alias_nodes - budget.alias_nodes
    aliased = 0  # nodes the aliases of this text stand for
    stack: list[list[Any]] = []  # [collection node, pending mapping key or None, is a sequence]
    anchors: dict[str, yaml.Node] = {}
    sizes: dict[int, int] = {}  # id of an aliased collection → nodes it stands for
    tags: dict[str, str] = {}  # plain scalar → resolved tag (bounded)
    implicit, cache_size = _IMPLICIT, _TAG_CACHE_SIZE
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    mapping_end, sequence_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    scalar_node, str_tag = yaml.ScalarNode, _STR_TAG
    root: yaml.Node | None = None
    count = 0
    next_event: Any = _Parser(text).get_event  # libyaml's events are untyped
    try:
        while (event := next_event()) is not None:
            cls = event.__class__
            node: yaml.Node
            if cls is scalar_event:
                value, tag = event.value, event.tag
                if tag is None or tag == "!":
                    # quoted, or the non-specific tag "!", or no resolver for the first character
                    if not event.implicit[0] or (value and value[0] not in implicit):
                        tag = str_tag
                    else:
                        tag = tags.get(value)
                        if tag is None:
                            tag = _resolver.resolve(scalar_node, value, (True, False))
                            if len(tags) >= cache_size:
                                tags.clear()
                            tags[value] = tag
                elif tag.startswith(_PYTHON_TAG_PREFIX):
                    raise _python_tag(label, event)
                if len(value) > max_scalar:
                    raise InputError(
                        f"a YAML scalar longer than the limit of {max_scalar} characters (--max-scalar-length)",
                        span=_mark_span(label, event),
                    )
                node = scalar_node(tag, value, event.start_mark, event.end_mark, style=event.style)
                if event.anchor is not None:
                    anchors[event.anchor] = node
            elif cls is mapping_start or cls is sequence_start:
                tag = event.tag
                if tag is not None and tag.startswith(_PYTHON_TAG_PREFIX):
                    raise _python_tag(label, event)
                if len(stack) >= max_depth:
                    raise InputError(
                        f"YAML nesting deeper than {max_depth} levels (--max-depth)", span=_mark_span(label, event)
                    )
                seq = cls is sequence_start
                if tag is None or tag == "!":
                    tag = _SEQ_TAG if seq else _MAP_TAG
                kind = yaml.SequenceNode if seq else yaml.MappingNode
                node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
                if event.anchor is not None:
                    anchors[event.anchor] = node
                stack.append([node, None, seq])
                continue
            elif cls is mapping_end or cls is sequence_end:
                node = stack.pop()[0]
                node.end_mark = event.end_mark
            elif cls is alias_event:
                target = anchors.get(event.anchor)
                if target is None:
                    raise InputError(
                        f"YAML syntax error: found undefined alias {event.anchor!r}", span=_mark_span(label, event)
                    )
                if target.end_mark is None:  # still open: the alias is inside it
                    raise InputError(
                        f"YAML alias *{event.anchor} is inside the node its anchor names (a recursive alias)",
                        span=_mark_span(label, event),
                    )
                aliased += 1 if target.__class__ is scalar_node else sizes.get(id(target)) or _size(target, sizes)
                if aliased > alias_room:
                    raise InputError(
                        f"YAML aliases stand for more than {limits.max_alias_nodes} nodes (--max-alias-nodes)",
                        span=_mark_span(label, event),
                    )
                node = target
            elif cls is yaml.DocumentStartEvent:
                if count >= limits.max_documents:
                    raise InputError(
                        f"more than {limits.max_documents} documents (--max-documents)", span=_mark_span(label, event)
                    )
                anchors, sizes, root = {}, {}, None
                continue
            elif cls is yaml.DocumentEndEvent:
                if count >= skip:
                    yield Document(label, count, root)
                count += 1
                continue
            else:  # stream start and end
                continue
            if not stack:
                root = node
                continue
            top = stack[-1]
            if top[2]:
                top[0].value.append(node)
            elif top[1] is None:
                top[1] = node
            else:
                top[0].value.append((top[1], node))
                top[1] = None
    except yaml.reader.ReaderError as exc:
        before = text.encode("utf-8", "surrogatepass")[: exc.position].decode("utf-8", "ignore")
        span = SourceSpan(label, before.count("\n") + 1, len(before) - before.rfind("\n"))
        what = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        raise InputError(f"YAML syntax error: unacceptable character {what}: {exc.reason}", span=span) from exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = SourceSpan(label, mark.line + 1, mark.column + 1) if mark else SourceSpan(label, 1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if "maximum nesting depth" in problem:  # newer libyaml refuses very deep input while scanning
            raise InputError(f"YAML nesting deeper than {max_depth} levels (--max-depth)", span=span) from exc
        ctx = f" ({exc.context})" if exc.context and exc.problem else ""
        raise InputError(f"YAML syntax error: {problem}{ctx}", span=span, hint=_syntax_hint(text, span)) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", span=SourceSpan(label, 1, 1)) from exc
    finally:
        budget.alias_nodes += aliased


def _python_tag(label: str, event: Any) -> InputError:
    shown = "!!" + event.tag.removeprefix(_YAML_TAG_PREFIX)
    return InputError(
        f"YAML tag {shown} is not allowed (netsim never constructs objects from tags)", span=_mark_span(label, event)
    )


def _size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """The number of nodes ``node`` stands for with every alias in it expanded (memoised in ``sizes``).

    Composed nodes form a DAG (recursive aliases are refused), so each collection is counted once
    however often it is shared: the cost is the number of distinct nodes, never the expansion.
    """
    todo: list[tuple[yaml.Node, bool]] = [(node, False)]
    while todo:
        current, done = todo.pop()
        children = current.value if isinstance(current, yaml.SequenceNode) else [n for kv in current.value for n in kv]
        if done:
            sizes[id(current)] = 1 + sum(1 if isinstance(c, yaml.ScalarNode) else sizes[id(c)] for c in children)
            continue
        if id(current) in sizes:
            continue
        todo.append((current, True))
        todo.extend((c, False) for c in children if not isinstance(c, yaml.ScalarNode) and id(c) not in sizes)
    return sizes[id(node)]


def _syntax_hint(text: str, span: SourceSpan) -> str | None:
    """A hint for the syntax errors whose cause the message hides (a tab in the indentation)."""
    lines = text.split("\n", span.line)
    line = lines[span.line - 1] if span.line <= len(lines) else ""
    if "\t" in line[: span.column] and not line[: span.column - 1].strip(" \t"):
        return "YAML does not allow tabs in indentation: indent with spaces"
    return None
