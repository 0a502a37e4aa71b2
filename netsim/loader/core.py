"""The loader's decoding core: what every kind's reader shares.

:class:`Reader` holds the state of one run (the options, the errors and warnings met so far, the
objects read, keyed for duplicate checks) and the typed decoding every kind uses: located errors
and warnings (:meth:`Reader.error`, :meth:`Reader.invalid`, :meth:`Reader.warn`), mappings read
strictly or laxly (duplicate and unknown keys, merge keys), scalars, strings, integers, booleans,
lists, label maps, label selectors and requirements, protocols, IP addresses, CIDRs, and object
metadata (names, ``generateName``, namespaces, labels). It reads documents and ``*List`` objects
(with the kind their items may omit) and hands each object to the handler :class:`Kinds` finds
for its API group and kind. The kinds themselves are read by one module per family
(``namespaces``, ``workloads``, ``nodes``, ``networkpolicy``, ``clusterpolicy``, ``foreign``),
each of which declares a :class:`Family` of handlers; ``netsim.loader`` puts them together.

The ``plain_*`` functions are the shortcuts of the common case: a plain value is read without
building field paths or reporting anything, and whatever is not plain goes the general way
(:meth:`Reader.entries`, :meth:`Reader.integer`, ...), which reads or reports it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from ipaddress import IPv4Address, ip_address
from typing import Any

import yaml

from netsim.errors import InputError, InputErrors, SourceSpan
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ClusterNetworkPolicy,
    EndpointSlice,
    Gateway,
    Ingress,
    IPAddress,
    IPNetwork,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Node,
    Pod,
    Protocol,
    ReferenceGrant,
    Requirement,
    Route,
    Service,
    UnevaluatedPolicy,
)
from netsim.source import KUSTOMIZATION_NAMES, Limits, span_of
from netsim.validation import (
    format_value,
    label_key_errors,
    label_value_errors,
    namespace_name_errors,
    parse_cidr,
)

__all__ = [
    "BOOL_TAG",
    "FLOAT_TAG",
    "INT_TAG",
    "MERGE_TAG",
    "NULL_TAG",
    "OPERATORS",
    "REQUIREMENT_FIELDS",
    "SELECTOR_FIELDS",
    "STRING_TAGS",
    "STR_TAG",
    "TIMESTAMP_TAG",
    "Entries",
    "Family",
    "Handler",
    "Kinds",
    "LoadOptions",
    "LoadResult",
    "Reader",
    "Recogniser",
    "TooManyErrors",
    "finish",
    "is_null",
    "join",
    "listing",
    "parse_ip",
    "plain_entries",
    "plain_int",
    "plain_ip",
    "plain_protocol",
    "plain_str",
]

STR_TAG = "tag:yaml.org,2002:str"
INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"
NULL_TAG = "tag:yaml.org,2002:null"
FLOAT_TAG = "tag:yaml.org,2002:float"
MERGE_TAG = "tag:yaml.org,2002:merge"
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_TYPE_NAMES = {STR_TAG: "string", INT_TAG: "integer", BOOL_TAG: "boolean", NULL_TAG: "null", FLOAT_TAG: "number"}
# kubectl's YAML decoder (go-yaml v2 via sigs.k8s.io/yaml) keeps an unquoted timestamp such as
# 2024-01-01 as the string it is written as; every other implicit type stays what YAML made it
STRING_TAGS = frozenset({STR_TAG, TIMESTAMP_TAG})
_SHOWN_CHARS = 100  # longer values are cut in type errors

_OBJECT_META = frozenset(
    [
        "name",
        "generateName",
        "namespace",
        "labels",
        "annotations",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "ownerReferences",
        "finalizers",
        "managedFields",
        "selfLink",
    ]
)
SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
REQUIREMENT_FIELDS = frozenset({"key", "operator", "values"})
_PROTOCOLS = ("TCP", "UDP", "SCTP")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

_constructor = yaml.constructor.SafeConstructor()
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_PROTOCOL_OF = {p.value: p for p in Protocol}
_IP_CACHE_SIZE = 4096
_NOT_AN_OBJECT = "Required value: not a Kubernetes object (no kind and no apiVersion)"
_NOT_AN_OBJECT_HINT = "pass only Kubernetes manifests, or use --lax to skip"
_KIND_MISSING = "Required value: kind is missing"
_KUSTOMIZE_GROUP = "kustomize.config.k8s.io"
_KUSTOMIZE_RUN = "run `kustomize build {dir} | netsim ... -`"
_HELM_CHART_HINT = (
    "this is a Helm chart's Chart.yaml: render the chart first (helm template RELEASE CHART > rendered.yaml)"
)
_SHOWN_FILES = 5  # files named in the summary of the skipped ones


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to read manifests."""

    namespace: str = "default"  # where objects without metadata.namespace go
    lax: bool = False  # drop unknown fields, last duplicate key wins, legacy CIDR forms accepted
    limits: Limits = field(default_factory=Limits)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A loaded cluster and the warnings met on the way (lax-mode drops, skipped documents)."""

    cluster: Cluster
    warnings: tuple[InputError, ...] = ()
    files: tuple[str, ...] = ()


#: A mapping's entries by key: (key node, value node).
Entries = dict[str, tuple[yaml.Node, yaml.Node]]

#: Reads one object: ``handler(reader, node, entries, kind, api_version)``. ``node`` is the object's
#: mapping and ``entries`` its top-level fields (duplicate keys not reported yet: a strict kind reads
#: ``node`` again with ``strict=True``); ``kind`` is the object's or the one its List implies;
#: ``api_version`` the object's, its List's, or None when neither says. A handler reports problems
#: with the reader's located errors and warnings and records what it read in the reader's state.
Handler = Callable[["Reader", yaml.MappingNode, Entries, str, "str | None"], None]

#: Recognises kinds by a rule rather than by name: ``recognise(group, kind)`` is a handler or None.
Recogniser = Callable[[str, str], "Handler | None"]


@dataclass(frozen=True, slots=True)
class Family:
    """The kinds one module of the loader reads: what it registers in :class:`Kinds`."""

    name: str  # the module, for the message when two families claim one kind
    #: (API group, kind) -> handler: the kind of that group only ("" is the core group of ``v1``)
    by_group: Mapping[tuple[str, str], Handler] = field(default_factory=dict)
    #: kind -> handler, whatever the group (Kubernetes' own kinds: the handler checks apiVersion)
    any_group: Mapping[str, Handler] = field(default_factory=dict)
    #: kinds known by a rule (a ...NetworkPolicy of any other API), asked when no group matched
    recognise: Recogniser | None = None


class Kinds:
    """Every kind the loader reads: the handlers of some families, by API group and kind.

    An object's handler is, in this order: the one registered for its group and kind
    (``by_group``), the first a family's ``recognise`` returns, the one registered for its kind
    whatever the group (``any_group``). None: a kind netsim does not model, skipped. So a
    ``crd.antrea.io`` NetworkPolicy is Antrea's and an ``example.com`` NetworkPolicy some other
    API's, while a ``networking.k8s.io/v1beta1`` NetworkPolicy reaches Kubernetes' reader, which
    reports the apiVersion. Two families registering the same key is a ValueError.
    """

    def __init__(self, *families: Family) -> None:
        self.by_group: dict[tuple[str, str], Handler] = {}
        self.any_group: dict[str, Handler] = {}
        self.recognisers: tuple[Recogniser, ...] = tuple(f.recognise for f in families if f.recognise is not None)
        claimed: dict[tuple[str | None, str], str] = {}  # (group, or None for any group; kind) -> family
        for family in families:
            for group, kind in [*family.by_group, *((None, kind) for kind in family.any_group)]:
                if (group, kind) in claimed:
                    where = "any group" if group is None else f"group {group!r}"
                    raise ValueError(
                        f"{kind} of {where} is registered by both {claimed[group, kind]} and {family.name}"
                    )
                claimed[group, kind] = family.name
            self.by_group.update(family.by_group)
            self.any_group.update(family.any_group)

    def handler(self, group: str, kind: str) -> Handler | None:
        """The handler of objects of ``kind`` in API ``group``; None for a kind netsim skips."""
        handler = self.by_group.get((group, kind))
        if handler is not None:
            return handler
        for recognise in self.recognisers:
            handler = recognise(group, kind)
            if handler is not None:
                return handler
        return self.any_group.get(kind)


class TooManyErrors(Exception):
    """The run has as many errors as ``Limits.max_errors`` allows: reading stops."""


class Reader:
    """Reads the documents of one run, collecting errors and warnings and the objects read.

    ``kinds`` are the kinds it reads (none: every object is decoded as far as its kind and
    skipped, which is what the core alone does).
    """

    def __init__(self, options: LoadOptions, kinds: Kinds | None = None) -> None:
        self.options = options
        self.kinds = kinds if kinds is not None else Kinds()
        self.errors: list[InputError] = []
        self.warnings: list[InputError] = []
        # what the kinds read, keyed for the duplicate check; finish() makes the Cluster of them
        self.namespaces: dict[str, Namespace] = {}
        self.pods: dict[str, Pod] = {}
        self.policies: dict[str, NetworkPolicy] = {}
        self.unevaluated: dict[tuple[str, str, str, str], UnevaluatedPolicy] = {}  # by group, kind, ns, name
        self.cluster_policies: dict[tuple[str, str], ClusterNetworkPolicy] = {}  # by kind, name
        self.nodes: dict[str, Node] = {}
        # how traffic reaches pods, by "ns/name" (routes: by "Kind ns/name")
        self.services: dict[str, Service] = {}
        self.endpoint_slices: dict[str, EndpointSlice] = {}
        self.ingresses: dict[str, Ingress] = {}
        self.gateways: dict[str, Gateway] = {}
        self.routes: dict[str, Route] = {}
        self.reference_grants: dict[str, ReferenceGrant] = {}
        self.generated: dict[tuple[str, str, str], int] = {}  # generateName prefixes used so far
        self.path = ""
        # the file being read (begin_file, end_file): found in a directory, its Kubernetes objects
        # and documents so far, and the documents that are no object, reported at its end unless
        # the whole file is skipped: (node, field, message, hint, what the file is)
        self.walked = False
        self.file_objects = 0
        self.file_documents = 0
        self.not_objects: list[tuple[yaml.Node, str, str, str | None, str]] = []
        self.skipped: list[str] = []  # files of directories that hold no Kubernetes object, as shown
        self.kustomizations: list[SourceSpan] = []  # where each kustomization file starts

    # -- reporting ------------------------------------------------------------------------------
    def span(self, node: yaml.Node) -> SourceSpan:
        return span_of(self.path, node)

    def error(self, node: yaml.Node, fld: str, message: str, hint: str | None = None) -> None:
        self.errors.append(InputError(message, span=self.span(node), field=fld, hint=hint))
        if len(self.errors) >= self.options.limits.max_errors:
            raise TooManyErrors

    def warn(self, node: yaml.Node, fld: str, message: str) -> None:
        limit = self.options.limits.max_errors
        if len(self.warnings) < limit:
            self.warnings.append(InputError(message, span=self.span(node), field=fld))
        elif len(self.warnings) == limit:
            self.warnings.append(InputError(f"more than {limit} warnings: the others are not shown (--max-errors)"))

    def invalid(self, node: yaml.Node, fld: str, value: object, message: str) -> None:
        self.error(node, fld, f"Invalid value: {format_value(value)}: {message}")

    def stopped(self) -> None:
        """Record that reading stopped at ``max_errors`` (the message sorts first: it has no position)."""
        limit = self.options.limits.max_errors
        self.errors.append(InputError(f"{limit} errors: netsim stopped reading there (--max-errors)"))

    # -- node access ------------------------------------------------------------------------------
    def type_error(self, node: yaml.Node, fld: str, expected: str) -> None:
        if isinstance(node, yaml.ScalarNode):
            got = _TYPE_NAMES.get(node.tag, node.tag)
            short = len(node.value) <= _SHOWN_CHARS
            value = node.value if short else f"{node.value[:_SHOWN_CHARS]}... ({len(node.value)} characters)"
            shown = "" if node.tag == NULL_TAG else f" {value!r}" if node.tag == STR_TAG else f" {value}"
            hint = None
            if expected == "string" and node.tag in (BOOL_TAG, FLOAT_TAG, INT_TAG) and short:
                hint = f'quote it: "{node.value}" (YAML reads an unquoted {node.value} as {_a(got)})'
            self.error(node, fld, f"Invalid type: expected {expected}, got {got}{shown}", hint)
        else:
            got = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
            self.error(node, fld, f"Invalid type: expected {expected}, got {got}")

    def entries(self, node: yaml.Node, fld: str, strict: bool = True) -> Entries | None:
        """A mapping's entries by key, with merge keys applied and duplicate keys reported.

        Keys of the mapping itself win over merged ones, and earlier merge sources over later
        ones, at any depth. The sources are walked iteratively and each once, so a long chain of
        merges costs its length and never the stack.
        """
        plain = plain_entries(node)
        if plain is not None:
            return plain
        if not isinstance(node, yaml.MappingNode):
            self.type_error(node, fld, "a mapping")
            return None
        out: Entries = {}
        sources: list[yaml.Node] = []
        for key, value in node.value:
            if key.tag == MERGE_TAG:
                sources.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, fld, "Invalid type: a mapping key must be a string")
                continue
            name = key.value
            if name in out:
                first = out[name][0].start_mark.line + 1
                path = join(fld, name)
                msg = f'key "{name}" already set in map (first set at line {first})'
                if self.options.lax:
                    self.warn(key, path, msg + "; the last one is used (--lax)")
                elif strict:
                    self.error(key, path, "strict decoding error: " + msg)
            out[name] = (key, value)
        if sources:
            self.merge(node, fld, out, sources)
        return out

    def merge(self, node: yaml.MappingNode, fld: str, out: Entries, sources: list[yaml.Node]) -> None:
        """Add the entries of merge ``sources`` (depth first, in order) that ``out`` does not have."""
        seen = {id(node)}
        todo = sources[::-1]
        while todo:
            src = todo.pop()
            if id(src) in seen:  # shared by two sources: its entries are in already
                continue
            seen.add(id(src))
            if not isinstance(src, yaml.MappingNode):
                self.type_error(src, fld, "a mapping")
                continue
            own: Entries = {}
            nested: list[yaml.Node] = []
            for key, value in src.value:
                if key.tag == MERGE_TAG:
                    nested.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
                elif not isinstance(key, yaml.ScalarNode):
                    self.error(key, fld, "Invalid type: a mapping key must be a string")
                else:
                    if key.value in own and self.options.lax:
                        first = own[key.value][0].start_mark.line + 1
                        msg = f'key "{key.value}" already set in map (first set at line {first})'
                        self.warn(key, join(fld, key.value), msg + "; the last one is used (--lax)")
                    own[key.value] = (key, value)
            for name, kv in own.items():
                out.setdefault(name, kv)
            todo.extend(reversed(nested))

    def known(self, entries: Entries, fld: str, allowed: frozenset[str]) -> None:
        """Report fields the schema does not have (error; a warning and dropped with --lax)."""
        for name, (key, _value) in entries.items():
            if name in allowed:
                continue
            path = join(fld, name)
            import difflib  # only for a mistake: not paid by every run

            close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
            hint = f'did you mean "{close[0]}"?' if close else None
            if self.options.lax:
                self.warn(key, path, f'unknown field "{path}" dropped (--lax)')
            else:
                self.error(key, path, f'strict decoding error: unknown field "{path}"', hint)

    def scalar(self, node: yaml.Node, fld: str) -> Any:
        """The value of an integer or boolean scalar; None, with an error, when it is not one.

        An explicit tag can make any text an "integer" (``!!int abc``), and Python refuses to
        convert integers of more than 4300 digits: both are errors, never exceptions. The tag's
        constructor is called directly: ``construct_object`` would remember every node (keeping it
        alive), and a node that failed once (``&p !!int abc``) would fail again as "recursive"
        when an alias (``*p``) brings it back.
        """
        try:
            return _constructor.yaml_constructors[node.tag](_constructor, node)
        except (ValueError, KeyError, IndexError) as exc:
            text = str(node.value)
            if "digits" in str(exc):
                self.error(node, fld, f"Invalid value: {text[:20]}... ({len(text)} digits): too large")
            else:
                shown = text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}..."
                expected = _TYPE_NAMES.get(node.tag, node.tag)
                self.error(node, fld, f"Invalid value: {format_value(shown)}: not a valid {expected}")
            return None

    def string(self, node: yaml.Node, fld: str) -> str | None:
        if node.tag in STRING_TAGS and isinstance(node, _ScalarNode):
            return str(node.value)
        self.type_error(node, fld, "string")
        return None

    def integer(self, node: yaml.Node, fld: str) -> int | None:
        if node.tag == INT_TAG and isinstance(node, _ScalarNode):
            plain = plain_int(node)
            if plain is not None:
                return plain
            value = self.scalar(node, fld)
            return None if value is None else int(value)
        self.type_error(node, fld, "integer")
        return None

    def api_version_is(
        self,
        node: yaml.Node,
        entries: Entries,
        api_version: str | None,
        want: str,
        hint: str | None = None,
        *,
        absent_ok: bool = False,
    ) -> bool:
        """Whether the object is of the one version netsim reads for its kind; if not, reported at
        ``apiVersion`` with the API server's words. With ``absent_ok`` an object without
        ``apiVersion`` (or a List item that omits it under a List that does too) is read as
        ``want``, as Pods are; one that is not a string is a type error."""
        api = entries.get("apiVersion")
        if api_version is None and absent_ok:
            return api is None or self.string(api[1], "apiVersion") is not None
        if api_version == want:
            return True
        self.error(
            api[1] if api else node,
            "apiVersion",
            f"Unsupported value: {format_value(api_version)}: supported values: {format_value(want)}",
            hint,
        )
        return False

    def bounded_items(self, node: yaml.Node, fld: str, least: int, most: int) -> list[yaml.Node] | None:
        """A list's items, checked as a CRD's OpenAPI schema checks MinItems and MaxItems (the
        items are read either way); None when it is not a list."""
        if not isinstance(node, yaml.SequenceNode):
            self.type_error(node, fld, "a list")
            return None
        items = list(node.value)
        if len(items) < least:
            # MinItems: a plain Invalid with the OpenAPI validator's text; the value is the length
            self.invalid(node, fld, len(items), f"{fld} in body should have at least {least} items")
        if len(items) > most:  # apimachinery field.TooMany
            self.error(node, fld, f"Too many: {len(items)}: must have at most {most} item{'' if most == 1 else 's'}")
        return items

    def bounded_integer(self, node: yaml.Node, fld: str, least: int, most: int) -> int | None:
        """An integer within ``least..most``, checked as a CRD's OpenAPI schema checks Minimum and
        Maximum (with the schema validator's words)."""
        value = self.integer(node, fld)
        if value is None:
            return None
        if value < least:
            self.invalid(node, fld, value, f"{fld} in body should be greater than or equal to {least}")
            return None
        if value > most:
            self.invalid(node, fld, value, f"{fld} in body should be less than or equal to {most}")
            return None
        return value

    def boolean(self, node: yaml.Node, fld: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == BOOL_TAG:
            value = self.scalar(node, fld)
            return None if value is None else bool(value)
        self.type_error(node, fld, "boolean")
        return None

    def items(self, node: yaml.Node, fld: str) -> list[yaml.Node]:
        """A list's items; ``null`` reads as an empty list, as JSON decoding does."""
        if is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.type_error(node, fld, "a list")
            return []
        return list(node.value)

    def string_map(self, node: yaml.Node, fld: str, *, labels: bool) -> dict[str, str]:
        """A map of strings (labels, matchLabels), keys and values validated when ``labels``."""
        if is_null(node):
            return {}
        entries = self.entries(node, fld)
        out: dict[str, str] = {}
        for name, (key, value) in (entries or {}).items():
            if value.tag in STRING_TAGS and isinstance(value, _ScalarNode):
                text: str | None = str(value.value)
            else:
                text = self.string(value, join(fld, name))
            if text is None:
                continue
            if labels:
                for msg in label_key_errors(name):
                    self.invalid(key, fld, name, msg)
                for msg in label_value_errors(text):
                    self.invalid(value, fld, text, msg)
            out[name] = text
        return out

    # -- documents --------------------------------------------------------------------------------
    def begin_file(self, path: str, *, walked: bool) -> None:
        """Start reading a file shown as ``path``; ``walked`` when found in a directory."""
        self.path = path
        self.walked = walked
        self.file_objects = self.file_documents = 0
        self.not_objects = []

    def end_file(self, *, failed: bool = False) -> None:
        """End the file begun last: a file of a directory that holds documents but no Kubernetes
        object is skipped (a chart's values.yaml, a package.json, an expectations file); in any
        other file, each document that is no object is reported (``failed``: the file could not be
        read to its end, whose error says enough when no object came before it)."""
        pending, self.not_objects = self.not_objects, []
        if not pending or (failed and not self.file_objects):
            return
        if self.file_objects:
            for node, fld, message, hint, _what in pending:
                self.report_not_object(node, fld, message, hint)
            return
        what = next((w for *_, w in pending if w), "")
        self.skipped.append(f"{self.path} ({what})" if what else self.path)

    def document(self, node: yaml.Node | None) -> None:
        if node is None or is_null(node):
            return
        self.file_documents += 1
        if not isinstance(node, yaml.MappingNode):
            what = "a list" if isinstance(node, yaml.SequenceNode) else _a(_TYPE_NAMES.get(node.tag, "scalar"))
            message = f"a document must be a Kubernetes object (a mapping with kind and apiVersion), not {what}"
            self.not_object(node, "", message, None)
            return
        if self.no_object(node):
            return
        self.file_objects += 1
        self.object(node, "")

    def not_object(self, node: yaml.Node, fld: str, message: str, hint: str | None, what: str = "") -> None:
        """A document that is no Kubernetes object: in a file of a directory, kept until the file
        ends (:meth:`end_file`); else reported at once."""
        if self.walked:
            self.not_objects.append((node, fld, message, hint, what))
        else:
            self.report_not_object(node, fld, message, hint)

    def report_not_object(self, node: yaml.Node, fld: str, message: str, hint: str | None) -> None:
        if self.options.lax:  # not a Kubernetes object at all: skipped, with a warning
            self.warn(node, fld, message + "; skipped (--lax)")
        else:
            self.error(node, fld, message, hint)

    def no_object(self, node: yaml.MappingNode) -> bool:
        """Whether a document's mapping is no Kubernetes object (reported as such: True), rather
        than an object, maybe a broken one (False: read as one). A mapping with neither ``kind``
        nor ``apiVersion`` is none; nor are a kustomization and a Helm chart's ``Chart.yaml``
        (known by their file names), which have an ``apiVersion`` of their own."""
        keys: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if key.tag == MERGE_TAG:  # the keys may come from elsewhere: read as an object
                return False
            if key.__class__ is _ScalarNode:
                keys.setdefault(key.value, value)
        name = self.path.rpartition("/")[2]
        api = plain_str(keys["apiVersion"]) if "apiVersion" in keys else None
        group = api.rpartition("/")[0] if api is not None else None
        if name in KUSTOMIZATION_NAMES and group in (None, _KUSTOMIZE_GROUP):
            kind = plain_str(keys["kind"]) if "kind" in keys else None
            if kind in (None, "Kustomization"):
                self.kustomizations.append(self.span(node))
            if "kind" not in keys:
                directory = self.path.rpartition("/")[0] or "."
                message = _NOT_AN_OBJECT if api is None else _KIND_MISSING
                hint = "a kustomization: " + _KUSTOMIZE_RUN.format(dir=directory)
                self.not_object(node, "kind", message, hint, "a kustomization")
                return True
            return False
        if "kind" in keys:
            return False
        if "apiVersion" not in keys:
            what = "netsim test expectations" if "cases" in keys else ""
            self.not_object(node, "kind", _NOT_AN_OBJECT, _NOT_AN_OBJECT_HINT, what)
            return True
        if name == "Chart.yaml" and api in ("v1", "v2") and "name" in keys and "metadata" not in keys:
            if self.walked:
                self.not_objects.append((node, "kind", _KIND_MISSING, _HELM_CHART_HINT, "a Helm chart"))
            else:  # it claims an apiVersion: an error in both modes, as any object without a kind
                self.error(node, "kind", _KIND_MISSING, _HELM_CHART_HINT)
            return True
        return False

    def kustomization(self, node: yaml.Node | None) -> None:
        """Record a document of a file named ``Kustomization`` that is a kustomization."""
        if not isinstance(node, yaml.MappingNode):
            return
        keys = {k.value: v for k, v in node.value if k.__class__ is _ScalarNode and k.value in ("apiVersion", "kind")}
        api = plain_str(keys["apiVersion"]) if "apiVersion" in keys else None
        kind = plain_str(keys["kind"]) if "kind" in keys else None
        if (api is None or api.rpartition("/")[0] == _KUSTOMIZE_GROUP) and kind in (None, "Kustomization"):
            self.kustomizations.append(self.span(node))

    def notes(self) -> list[InputError]:
        """The warnings about the run as a whole: the files skipped, a kustomize folder."""
        out = []
        if self.skipped:
            count = len(self.skipped)
            noun = "file that holds" if count == 1 else "files that hold"
            out.append(InputError(f"skipped {count} {noun} no Kubernetes objects: {listing(self.skipped)}"))
        if self.kustomizations:
            out.append(InputError(self.kustomize_message(), span=self.kustomizations[0]))
        return out

    def kustomize_message(self) -> str:
        """What to do with a kustomize folder: build it, then read what kustomize builds."""
        directories = sorted({span.path.rpartition("/")[0] or "." for span in self.kustomizations})
        if len(directories) == 1:
            return "looks like a kustomize folder: " + _KUSTOMIZE_RUN.format(dir=directories[0])
        return (
            "looks like a kustomize folder: "
            + _KUSTOMIZE_RUN.format(dir="DIR")
            + f", DIR being the overlay you apply (kustomizations in {listing(directories)})"
        )

    def object(self, node: yaml.MappingNode, fld: str) -> None:
        """One object, or a List and the objects in it (iteratively: aliases can nest Lists deeply)."""
        todo: list[tuple[yaml.MappingNode, str | None, str | None]] = [(node, None, None)]
        while todo:
            item, implied_kind, implied_api = todo.pop()
            todo.extend(reversed(self.one_object(item, fld, implied_kind, implied_api)))

    def one_object(
        self, node: yaml.MappingNode, fld: str, implied_kind: str | None, implied_api: str | None = None
    ) -> list[tuple[yaml.MappingNode, str | None, str | None]]:
        """Read one object; the items of a List are returned, to be read next.

        ``implied_kind`` and ``implied_api`` are a typed list's (``CiliumNetworkPolicyList``, ...): API
        list responses may omit each item's ``kind`` and ``apiVersion``.
        """
        entries = plain_entries(node)
        if entries is None:
            if self.run_together(node, fld):
                return []
            entries = self.entries(node, fld, strict=False) or {}
        kind_node = entries.get("kind")
        api_kv = entries.get("apiVersion")
        api = plain_str(api_kv[1]) if api_kv is not None else implied_api
        if kind_node is None and implied_kind is not None:
            self.dispatch(node, entries, implied_kind, api)
            return []
        if kind_node is None:
            if "apiVersion" not in entries:
                self.report_not_object(node, join(fld, "kind"), _NOT_AN_OBJECT, _NOT_AN_OBJECT_HINT)
            else:
                self.error(node, join(fld, "kind"), _KIND_MISSING)
            return []
        kind = self.string(kind_node[1], join(fld, "kind"))
        if kind is None:
            return []
        if "items" in entries and (kind == "List" or kind.endswith("List")):
            # API list responses (NamespaceList, PodList, ...) may omit each item's kind
            item_kind = kind.removesuffix("List") if kind != "List" else None
            item_api = api if kind != "List" else None
            nested: list[tuple[yaml.MappingNode, str | None, str | None]] = []
            for i, item in enumerate(self.items(entries["items"][1], join(fld, "items"))):
                path = f"{join(fld, 'items')}[{i}]"
                if isinstance(item, yaml.MappingNode):
                    nested.append((item, item_kind, item_api))
                else:
                    self.type_error(item, path, "a Kubernetes object (a mapping)")
            return nested
        self.dispatch(node, entries, kind, api)
        return []

    def run_together(self, node: yaml.MappingNode, fld: str) -> bool:
        """Whether a mapping sets ``apiVersion`` or ``kind`` twice: objects run together for want of
        ``---`` between them (``cat *.yaml``), reported once, where the second one starts, instead
        of a duplicate key for each of their fields (in both modes: the last would hide the others)."""
        first: dict[str, yaml.Node] = {}
        for key, _value in node.value:
            if key.__class__ is _ScalarNode and key.value in ("apiVersion", "kind"):
                if key.value in first:
                    line = first[key.value].start_mark.line + 1
                    count = sum(1 for k, _ in node.value if k.__class__ is _ScalarNode and k.value == key.value)
                    self.error(
                        key,
                        join(fld, key.value),
                        f'key "{key.value}" already set in map (first set at line {line}): '
                        "missing `---` between documents?",
                        f"{count} objects run together here: put a line --- before each object "
                        "(cat joins files without one)",
                    )
                    return True
                first[key.value] = key
        return False

    def dispatch(self, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
        """Read an object by its API group and kind; kinds netsim does not model are skipped.

        ``api_version`` is None when the object has none (or one that is not a string, which the
        NetworkPolicy reader reports): such an object is read by its kind alone, as before.
        """
        group = api_version.rpartition("/")[0] if api_version is not None else ""
        handler = self.kinds.handler(group, kind)
        if handler is not None:
            handler(self, node, entries, kind, api_version)

    # -- metadata --------------------------------------------------------------------------------
    def metadata(
        self,
        node: yaml.MappingNode,
        entries: Entries,
        kind: str,
        name_check: Callable[[str], list[str]],
        *,
        strict: bool,
    ) -> tuple[str | None, str, dict[str, str], Entries]:
        meta_kv = entries.get("metadata")
        if meta_kv is None or is_null(meta_kv[1]):
            self.error(node, "metadata.name", "Required value: name or generateName is required")
            return None, self.options.namespace, {}, {}
        meta = self.entries(meta_kv[1], "metadata", strict=strict)
        if meta is None:
            return None, self.options.namespace, {}, {}
        if strict:
            self.known(meta, "metadata", _OBJECT_META)
        name = prefix = None
        if "name" in meta:
            name = self.string(meta["name"][1], "metadata.name")
            if name is not None:
                for msg in name_check(name):
                    self.invalid(meta["name"][1], "metadata.name", name, msg)
        elif "generateName" in meta:
            prefix = self.string(meta["generateName"][1], "metadata.generateName")
            if prefix == "":  # empty is the same as omitted
                self.error(meta_kv[1], "metadata.name", "Required value: name or generateName is required")
                prefix = None
            if prefix is not None:  # checked as a prefix, as ValidateObjectMeta does: a trailing '-' is fine
                masked = prefix[:-1] + "a" if len(prefix) > 1 and prefix.endswith("-") else prefix
                for msg in name_check(masked):
                    self.invalid(meta["generateName"][1], "metadata.generateName", prefix, msg)
        else:
            self.error(meta_kv[1], "metadata.name", "Required value: name or generateName is required")
        namespace = self.options.namespace
        if "namespace" in meta and not is_null(meta["namespace"][1]):
            ns = self.string(meta["namespace"][1], "metadata.namespace")
            if ns:  # "" is the same as omitted: kubectl and the API server use the request's namespace
                for msg in namespace_name_errors(ns):
                    self.invalid(meta["namespace"][1], "metadata.namespace", ns, msg)
                namespace = ns
        if prefix is not None:
            name = self.generated_name(kind, namespace, prefix)
        labels = self.string_map(meta["labels"][1], "metadata.labels", labels=True) if "labels" in meta else {}
        return name, namespace, labels, meta

    def generated_name(self, kind: str, namespace: str, prefix: str) -> str:
        """The name for ``metadata.generateName``: the API server cuts the prefix to 58 characters and
        appends 5 random ones; netsim derives them from the kind, namespace, prefix and how many such
        objects came before in the run. Not from the file or line: ``netsim diff`` reads one version
        from ``REV:path``, and the same manifest must give the same pod on both sides."""
        key = (kind, namespace, prefix)
        count = self.generated.get(key, 0)
        self.generated[key] = count + 1
        import hashlib  # only for generateName: not paid by every run

        return prefix[:58] + hashlib.sha1(f"{kind}/{namespace}/{prefix}#{count}".encode()).hexdigest()[:5]

    def duplicate(self, node: yaml.Node, kind: str, ref: str, first: SourceSpan | None) -> None:
        """Report an object defined twice in the run (``first`` is where it was defined first)."""
        self.error(node, "metadata.name", f"Duplicate value: {kind} {ref!r} is defined twice (first at {first})")

    # -- values every kind uses ---------------------------------------------------------------------
    def protocol(self, entries: Entries, fld: str) -> Protocol | None:
        """``protocol``, defaulted to TCP; None (with an error) when unsupported."""
        kv = entries.get("protocol")
        if kv is None or is_null(kv[1]):
            return Protocol.TCP
        node = kv[1]
        text = self.string(node, f"{fld}.protocol")
        if text is None:
            return None
        if text not in _PROTOCOLS:
            self.error(
                node,
                f"{fld}.protocol",
                f'Unsupported value: {format_value(text)}: supported values: "TCP", "UDP", "SCTP"',
            )
            return None
        return _PROTOCOL_OF[text]

    def ip(self, node: yaml.Node, fld: str) -> IPAddress | None:
        text = self.string(node, fld)
        if text is None:
            return None
        address = parse_ip(text)
        if address is None:
            self.invalid(node, fld, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        return address

    def cidr(self, node: yaml.Node, fld: str, text: str) -> IPNetwork | None:
        net, problems = parse_cidr(text, strict=not self.options.lax)
        for msg in problems:
            self.invalid(node, fld, text, msg)
        if net is not None and not problems and self.options.lax:
            for msg in parse_cidr(text, strict=True)[1]:
                self.warn(node, fld, f"{format_value(text)} {msg}; read as {net} (--lax)")
        return net if not problems else None

    def selector(self, node: yaml.Node, fld: str) -> LabelSelector | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, SELECTOR_FIELDS)
        before = len(self.errors)
        labels = (
            self.string_map(entries["matchLabels"][1], f"{fld}.matchLabels", labels=True)
            if "matchLabels" in entries
            else {}
        )
        reqs: list[Requirement] = []
        exprs = (
            self.items(entries["matchExpressions"][1], f"{fld}.matchExpressions")
            if "matchExpressions" in entries
            else []
        )
        for i, expr in enumerate(exprs):
            req = self.requirement(expr, f"{fld}.matchExpressions[{i}]")
            if req is not None:
                reqs.append(req)
        if len(self.errors) > before:
            return None
        return LabelSelector(Labels(labels), tuple(reqs))

    def requirement(self, node: yaml.Node, fld: str) -> Requirement | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, REQUIREMENT_FIELDS)
        key = self.string(entries["key"][1], f"{fld}.key") if "key" in entries else ""
        op = self.string(entries["operator"][1], f"{fld}.operator") if "operator" in entries else ""
        values: list[str] = []
        value_nodes = self.items(entries["values"][1], f"{fld}.values") if "values" in entries else []
        for j, v in enumerate(value_nodes):
            text = self.string(v, f"{fld}.values[{j}]")
            if text is not None:
                values.append(text)
                for msg in label_value_errors(text):
                    self.invalid(v, f"{fld}.values[{j}]", text, msg)
        if key is None or op is None:
            return None
        if op in ("In", "NotIn"):
            if not value_nodes:
                self.error(
                    node, f"{fld}.values", "Required value: must be specified when `operator` is 'In' or 'NotIn'"
                )
        elif op in ("Exists", "DoesNotExist"):
            if value_nodes:
                self.error(
                    entries["values"][1],
                    f"{fld}.values",
                    "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                )
        else:
            where = entries["operator"][1] if "operator" in entries else node
            hint = None
            close = [o for o in OPERATORS if o.lower() == op.lower()]
            if close:
                hint = f"operators are case-sensitive: write {close[0]}"
            self.error(
                where, f"{fld}.operator", f"Invalid value: {format_value(op)}: not a valid selector operator", hint
            )
        for msg in label_key_errors(key):
            self.invalid(entries["key"][1] if "key" in entries else node, f"{fld}.key", key, msg)
        if op not in OPERATORS:
            return None
        return Requirement(key, op, tuple(values))  # type: ignore[arg-type]


def is_null(node: yaml.Node) -> bool:
    """Whether ``node`` is YAML's null (``null``, ``~`` or nothing), which most fields read as omitted."""
    return node.tag == NULL_TAG and isinstance(node, _ScalarNode)


def plain_str(node: yaml.Node) -> str | None:
    """The text of a string scalar; None for anything else (which ``Reader.string`` reports)."""
    if node.tag in STRING_TAGS and node.__class__ is _ScalarNode:
        return str(node.value)
    return None


def plain_int(node: yaml.Node) -> int | None:
    """The value of an integer scalar written in plain decimal digits (no sign, base prefix, leading
    0, "_" or ":"), which the YAML int constructor reads as ``int(text)``; None for anything else
    (which ``Reader.integer`` reads or reports)."""
    if node.tag == INT_TAG and node.__class__ is _ScalarNode:
        text = node.value
        if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0") and len(text) < 19:
            return int(text)
    return None


def plain_ip(node: yaml.Node) -> IPAddress | None:
    """The address a string scalar holds; None for anything else (which ``Reader.ip`` reports)."""
    text = plain_str(node)
    return None if text is None else parse_ip(text)


def plain_protocol(entries: Entries) -> Protocol | None:
    """``protocol`` of a port when it is omitted, null or a supported one; None for anything else
    (which ``Reader.protocol`` reports)."""
    kv = entries.get("protocol")
    if kv is None:
        return Protocol.TCP
    node = kv[1]
    if node.__class__ is _ScalarNode:
        if node.tag in STRING_TAGS:
            return _PROTOCOL_OF.get(node.value)
        if node.tag == NULL_TAG:
            return Protocol.TCP
    return None


def plain_entries(node: yaml.Node) -> Entries | None:
    """A mapping's entries by key when that is all there is to it: a mapping whose keys are
    distinct scalars and none a merge key (``<<``). None for anything else (not a mapping, a
    duplicate key, a merge key, a key that is a collection), which ``Reader.entries`` handles."""
    if node.__class__ is not _MappingNode:
        return None
    pairs = node.value
    out: Entries = {}
    try:
        for pair in pairs:
            key = pair[0]
            if key.tag == MERGE_TAG:
                return None
            out[key.value] = pair
    except TypeError:  # a key that is a mapping or a list (its value is a list: unhashable)
        return None
    return out if len(out) == len(pairs) else None


# a dotted IPv4 address as ipaddress writes it (decimal octets 0-255, no leading zeros)
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def parse_ip(text: str) -> IPAddress | None:
    """``ipaddress.ip_address(text)``, None where it raises ValueError (remembered for short texts)."""
    return _parse_short_ip(text) if len(text) <= 64 else _parse_any_ip(text)


@functools.lru_cache(maxsize=_IP_CACHE_SIZE)
def _parse_short_ip(text: str) -> IPAddress | None:
    return _parse_any_ip(text)


def _parse_any_ip(text: str) -> IPAddress | None:
    if _CANONICAL_IPV4.fullmatch(text):  # the usual case, read directly
        a, b, c, d = text.split(".")
        return IPv4Address((int(a) << 24) | (int(b) << 16) | (int(c) << 8) | int(d))
    try:
        return ip_address(text)
    except ValueError:
        return None


def listing(names: list[str]) -> str:
    """The first few of ``names``, comma-separated, then how many more there are."""
    shown = ", ".join(names[:_SHOWN_FILES])
    return shown + f" and {len(names) - _SHOWN_FILES} more" if len(names) > _SHOWN_FILES else shown


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a string", "an integer"."""
    return ("an " if noun[:1] in ("a", "e", "i", "o", "u") else "a ") + noun


def join(prefix: str, name: str) -> str:
    """A field path one level down: ``join("spec", "podSelector")``; a top-level field is its name."""
    return f"{prefix}.{name}" if prefix else name


def finish(reader: Reader, files: Iterable[str]) -> LoadResult:
    """The cluster a run read, with its warnings; :class:`InputErrors` if it met any error.

    Namespaces that objects use but no manifest declares are added, known by their name label only.
    """
    if reader.errors:
        if reader.kustomizations:  # the objects an overlay patches are defined twice in the folder
            duplicate = next(
                (e for e in sorted(reader.errors, key=InputError.sort_key) if e.message.startswith("Duplicate value:")),
                None,
            )
            if duplicate is not None and duplicate.hint is None:
                duplicate.hint = reader.kustomize_message()
        raise InputErrors(reader.errors)
    namespaces = dict(reader.namespaces)
    referenced = {p.namespace for p in reader.pods.values()} | {p.namespace for p in reader.policies.values()}
    referenced |= {u.namespace for u in reader.unevaluated.values() if u.namespace is not None}
    for routing in (reader.services, reader.endpoint_slices, reader.ingresses, reader.gateways, reader.routes):
        referenced |= {obj.namespace for obj in routing.values()}
    for name in referenced - namespaces.keys():
        namespaces[name] = Namespace(name, Labels({NAMESPACE_NAME_LABEL: name}), declared=False)
    cluster = Cluster(
        tuple(namespaces[n] for n in sorted(namespaces)),
        tuple(reader.pods[k] for k in sorted(reader.pods)),
        tuple(reader.policies[k] for k in sorted(reader.policies)),
        tuple(sorted(reader.unevaluated.values(), key=lambda u: (u.namespace or "", u.name, u.kind, u.api_version))),
        cluster_policies=tuple(reader.cluster_policies[k] for k in sorted(reader.cluster_policies)),
        nodes=tuple(reader.nodes[k] for k in sorted(reader.nodes)),
        services=tuple(reader.services[k] for k in sorted(reader.services)),
        endpoint_slices=tuple(reader.endpoint_slices[k] for k in sorted(reader.endpoint_slices)),
        ingresses=tuple(reader.ingresses[k] for k in sorted(reader.ingresses)),
        gateways=tuple(reader.gateways[k] for k in sorted(reader.gateways)),
        routes=tuple(reader.routes[k] for k in sorted(reader.routes)),
        reference_grants=tuple(reader.reference_grants[k] for k in sorted(reader.reference_grants)),
    )
    warnings = sorted([*reader.warnings, *reader.notes()], key=InputError.sort_key)
    return LoadResult(cluster, tuple(warnings), tuple(files))
