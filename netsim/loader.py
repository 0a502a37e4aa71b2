"""Manifests → model: schema checks, API-server defaulting and validation, errors collected.

The loader reads what ``kubectl apply`` would send (Namespaces, Pods and NetworkPolicies, in
files, folders, stdin, multi-document YAML, JSON and ``*List`` objects), applies the API server's
defaulting (``policyTypes``, ``protocol: TCP``) and validation with its exact messages, and
collects every problem of a run into one :class:`~netsim.errors.InputErrors`.

Strict by default, as ``kubectl apply --validate=strict``: unknown fields and duplicate keys in a
NetworkPolicy are errors. ``lax=True`` drops unknown fields and keeps the last duplicate, with a
warning for each. Pods and Namespaces are read for the fields netsim models only, so ``kubectl
get -o yaml`` output (status, managedFields, ...) loads as it is.
"""

from __future__ import annotations

import functools
import os
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
    ContainerPort,
    Direction,
    IPAddress,
    IPBlockPeer,
    IPNetwork,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    Pod,
    PodPeer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
    UnevaluatedPolicy,
)
from netsim.source import Budget, Limits, compose_documents, discover, read_documents, span_of
from netsim.validation import (
    format_value,
    label_key_errors,
    label_value_errors,
    namespace_name_errors,
    parse_cidr,
    port_name_errors,
    port_number_errors,
    subdomain_errors,
)

__all__ = ["LoadOptions", "LoadResult", "load_cluster", "load_texts"]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_TYPE_NAMES = {_STR: "string", _INT: "integer", _BOOL: "boolean", _NULL: "null", _FLOAT: "number"}
# kubectl's YAML decoder (go-yaml v2 via sigs.k8s.io/yaml) keeps an unquoted timestamp such as
# 2024-01-01 as the string it is written as; every other implicit type stays what YAML made it
_STRINGS = frozenset({_STR, _TIMESTAMP})
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
_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
_REQUIREMENT_FIELDS = frozenset({"key", "operator", "values"})
_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_IPBLOCK_FIELDS = frozenset({"cidr", "except"})
_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})
_PROTOCOLS = ("TCP", "UDP", "SCTP")
_POLICY_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
_POLICY_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_RULE_FIELDS = {"from": frozenset({"from", "ports"}), "to": frozenset({"to", "ports"})}
_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")

_constructor = yaml.constructor.SafeConstructor()
_ScalarNode, _SequenceNode, _MappingNode = yaml.ScalarNode, yaml.SequenceNode, yaml.MappingNode
_PROTOCOL_OF = {p.value: p for p in Protocol}
_IP_CACHE_SIZE = 4096


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


Entries = dict[str, tuple[yaml.Node, yaml.Node]]


class _TooManyErrors(Exception):
    """The run has as many errors as ``Limits.max_errors`` allows: reading stops."""


class _Reader:
    """Reads the documents of one run, collecting errors and warnings."""

    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self.errors: list[InputError] = []
        self.warnings: list[InputError] = []
        self.namespaces: dict[str, Namespace] = {}
        self.pods: dict[str, Pod] = {}
        self.policies: dict[str, NetworkPolicy] = {}
        self.unevaluated: dict[tuple[str, str, str, str], UnevaluatedPolicy] = {}  # by group, kind, ns, name
        self.generated: dict[tuple[str, str, str], int] = {}  # generateName prefixes used so far
        self.path = ""

    # -- reporting ------------------------------------------------------------------------------
    def span(self, node: yaml.Node) -> SourceSpan:
        return span_of(self.path, node)

    def error(self, node: yaml.Node, fld: str, message: str, hint: str | None = None) -> None:
        self.errors.append(InputError(message, span=self.span(node), field=fld, hint=hint))
        if len(self.errors) >= self.options.limits.max_errors:
            raise _TooManyErrors

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
            shown = "" if node.tag == _NULL else f" {value!r}" if node.tag == _STR else f" {value}"
            hint = None
            if expected == "string" and node.tag in (_BOOL, _FLOAT, _INT) and short:
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
        plain = _plain_entries(node)
        if plain is not None:
            return plain
        if not isinstance(node, yaml.MappingNode):
            self.type_error(node, fld, "a mapping")
            return None
        out: Entries = {}
        sources: list[yaml.Node] = []
        for key, value in node.value:
            if key.tag == _MERGE:
                sources.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
                continue
            if not isinstance(key, yaml.ScalarNode):
                self.error(key, fld, "Invalid type: a mapping key must be a string")
                continue
            name = key.value
            if name in out:
                first = out[name][0].start_mark.line + 1
                path = _join(fld, name)
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
                if key.tag == _MERGE:
                    nested.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
                elif not isinstance(key, yaml.ScalarNode):
                    self.error(key, fld, "Invalid type: a mapping key must be a string")
                else:
                    if key.value in own and self.options.lax:
                        first = own[key.value][0].start_mark.line + 1
                        msg = f'key "{key.value}" already set in map (first set at line {first})'
                        self.warn(key, _join(fld, key.value), msg + "; the last one is used (--lax)")
                    own[key.value] = (key, value)
            for name, kv in own.items():
                out.setdefault(name, kv)
            todo.extend(reversed(nested))

    def known(self, entries: Entries, fld: str, allowed: frozenset[str]) -> None:
        """Report fields the schema does not have (error; a warning and dropped with --lax)."""
        for name, (key, _value) in entries.items():
            if name in allowed:
                continue
            path = _join(fld, name)
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
        if node.tag in _STRINGS and isinstance(node, _ScalarNode):
            return str(node.value)
        self.type_error(node, fld, "string")
        return None

    def integer(self, node: yaml.Node, fld: str) -> int | None:
        if node.tag == _INT and isinstance(node, _ScalarNode):
            plain = _plain_int(node)
            if plain is not None:
                return plain
            value = self.scalar(node, fld)
            return None if value is None else int(value)
        self.type_error(node, fld, "integer")
        return None

    def boolean(self, node: yaml.Node, fld: str) -> bool | None:
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            value = self.scalar(node, fld)
            return None if value is None else bool(value)
        self.type_error(node, fld, "boolean")
        return None

    def items(self, node: yaml.Node, fld: str) -> list[yaml.Node]:
        """A list's items; ``null`` reads as an empty list, as JSON decoding does."""
        if _is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.type_error(node, fld, "a list")
            return []
        return list(node.value)

    def string_map(self, node: yaml.Node, fld: str, *, labels: bool) -> dict[str, str]:
        """A map of strings (labels, matchLabels), keys and values validated when ``labels``."""
        if _is_null(node):
            return {}
        entries = self.entries(node, fld)
        out: dict[str, str] = {}
        for name, (key, value) in (entries or {}).items():
            if value.tag in _STRINGS and isinstance(value, _ScalarNode):
                text: str | None = str(value.value)
            else:
                text = self.string(value, _join(fld, name))
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
    def document(self, node: yaml.Node | None) -> None:
        if node is None or _is_null(node):
            return
        if not isinstance(node, yaml.MappingNode):
            what = "a list" if isinstance(node, yaml.SequenceNode) else _a(_TYPE_NAMES.get(node.tag, "scalar"))
            message = f"a document must be a Kubernetes object (a mapping with kind and apiVersion), not {what}"
            if self.options.lax:  # not a Kubernetes object at all, like a mapping without kind and apiVersion
                self.warn(node, "", message + "; skipped (--lax)")
            else:
                self.error(node, "", message)
            return
        self.object(node, "")

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
        entries = self.entries(node, fld, strict=False) or {}
        kind_node = entries.get("kind")
        api_kv = entries.get("apiVersion")
        api = _plain_str(api_kv[1]) if api_kv is not None else implied_api
        if kind_node is None and implied_kind is not None:
            self.dispatch(node, entries, implied_kind, api)
            return []
        if kind_node is None:
            if "apiVersion" not in entries:
                message = "Required value: not a Kubernetes object (no kind and no apiVersion)"
                if self.options.lax:
                    self.warn(node, _join(fld, "kind"), message + "; skipped (--lax)")
                else:
                    self.error(
                        node, _join(fld, "kind"), message, "pass only Kubernetes manifests, or use --lax to skip"
                    )
            else:
                self.error(node, _join(fld, "kind"), "Required value: kind is missing")
            return []
        kind = self.string(kind_node[1], _join(fld, "kind"))
        if kind is None:
            return []
        if "items" in entries and (kind == "List" or kind.endswith("List")):
            # API list responses (NamespaceList, PodList, ...) may omit each item's kind
            item_kind = kind.removesuffix("List") if kind != "List" else None
            item_api = api if kind != "List" else None
            nested: list[tuple[yaml.MappingNode, str | None, str | None]] = []
            for i, item in enumerate(self.items(entries["items"][1], _join(fld, "items"))):
                path = f"{_join(fld, 'items')}[{i}]"
                if isinstance(item, yaml.MappingNode):
                    nested.append((item, item_kind, item_api))
                else:
                    self.type_error(item, path, "a Kubernetes object (a mapping)")
            return nested
        self.dispatch(node, entries, kind, api)
        return []

    def dispatch(self, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
        """Read an object by its API group and kind; kinds netsim does not model are skipped.

        ``api_version`` is None when the object has none (or one that is not a string, which the
        NetworkPolicy reader reports): such an object is read by its kind alone, as before.
        """
        group = api_version.rpartition("/")[0] if api_version is not None else ""
        foreign = _foreign_kind(group, kind)
        if foreign is not None:
            assert api_version is not None  # a foreign kind has an API group
            self.foreign_policy_object(node, entries, kind, api_version, foreign)
            return
        handler = _HANDLERS.get(kind)
        if handler is not None:
            handler(self, node, entries)

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
        if meta_kv is None or _is_null(meta_kv[1]):
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
        if "namespace" in meta and not _is_null(meta["namespace"][1]):
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

    # -- kinds ------------------------------------------------------------------------------------
    def namespace_object(self, node: yaml.MappingNode, entries: Entries) -> None:
        name, _, labels, _ = self.metadata(node, entries, "Namespace", namespace_name_errors, strict=False)
        if name is None:
            return
        labels[NAMESPACE_NAME_LABEL] = name
        if name in self.namespaces:
            self.duplicate(node, "Namespace", name, self.namespaces[name].span)
            return
        self.namespaces[name] = Namespace(name, Labels(labels), True, self.span(node))

    def duplicate(self, node: yaml.Node, kind: str, ref: str, first: SourceSpan | None) -> None:
        self.error(node, "metadata.name", f"Duplicate value: {kind} {ref!r} is defined twice (first at {first})")

    def pod_object(self, node: yaml.MappingNode, entries: Entries) -> None:
        name, namespace, labels, meta = self.metadata(node, entries, "Pod", subdomain_errors, strict=False)
        spec = self.entries(entries["spec"][1], "spec", strict=False) if "spec" in entries else {}
        status = self.entries(entries["status"][1], "status", strict=False) if "status" in entries else {}
        spec = spec or {}
        status = status or {}
        ports, host_network = self.pod_spec(spec, "spec")
        node_name = None
        if "nodeName" in spec and not _is_null(spec["nodeName"][1]):
            node_name = self.string(spec["nodeName"][1], "spec.nodeName")
        ips: list[IPAddress] = []
        if "podIPs" in status:
            for i, item in enumerate(self.items(status["podIPs"][1], "status.podIPs")):
                fields = _plain_entries(item)
                if fields is None:
                    fields = self.entries(item, f"status.podIPs[{i}]", strict=False) or {}
                if "ip" in fields:
                    ip_node = fields["ip"][1]
                    ip = _plain_ip(ip_node)
                    if ip is None:
                        ip = self.ip(ip_node, f"status.podIPs[{i}].ip")
                    if ip is not None and ip not in ips:
                        ips.append(ip)
        if "podIP" in status and not _is_null(status["podIP"][1]):
            ip = self.ip(status["podIP"][1], "status.podIP")
            if ip is not None and ip not in ips:
                ips.insert(0, ip)
        host_ip = None
        if "hostIP" in status and not _is_null(status["hostIP"][1]):
            host_ip = self.ip(status["hostIP"][1], "status.hostIP")
        host_ips = self.host_ips(status)
        if host_ips:  # status.hostIP is the first of status.hostIPs (the API server keeps them in step)
            if host_ip is None:
                host_ip = host_ips[0]
            elif host_ip not in host_ips:
                host_ips.insert(0, host_ip)
        owner_kind, owner_name = self.controller_owner(meta)
        if name is None:
            return
        pod = Pod(
            namespace,
            name,
            Labels(labels),
            tuple(ports),
            tuple(ips),
            host_network,
            node_name,
            host_ip,
            "Pod",
            self.span(node),
            owner_kind,
            owner_name,
            host_ips=tuple(host_ips),
        )
        self.add_pod(node, pod)

    def host_ips(self, status: Entries) -> list[IPAddress]:
        """``status.hostIPs[*].ip``: the node's addresses (two on a dual-stack node), duplicates dropped."""
        out: list[IPAddress] = []
        if "hostIPs" not in status:
            return out
        for i, item in enumerate(self.items(status["hostIPs"][1], "status.hostIPs")):
            fields = _plain_entries(item)
            if fields is None:
                fields = self.entries(item, f"status.hostIPs[{i}]", strict=False) or {}
            if "ip" in fields and not _is_null(fields["ip"][1]):
                ip = self.ip(fields["ip"][1], f"status.hostIPs[{i}].ip")
                if ip is not None and ip not in out:
                    out.append(ip)
        return out

    def add_pod(self, node: yaml.Node, pod: Pod) -> None:
        if pod.ref in self.pods:
            self.duplicate(node, pod.kind, pod.ref, self.pods[pod.ref].span)
            return
        self.pods[pod.ref] = pod

    def pod_spec(self, spec: Entries, fld: str) -> tuple[list[ContainerPort], bool]:
        """Declared ports (containers, and sidecar init containers) and hostNetwork of a pod spec.

        Ports of init containers count only for sidecars (``restartPolicy: Always``): the others
        have exited before the pod serves traffic.
        """
        ports: list[ContainerPort] = []
        for i, c in enumerate(self.items(spec["containers"][1], f"{fld}.containers") if "containers" in spec else []):
            ports.extend(self.container_ports(c, f"{fld}.containers[{i}]"))
        inits = self.items(spec["initContainers"][1], f"{fld}.initContainers") if "initContainers" in spec else []
        for i, c in enumerate(inits):
            ce = self.entries(c, f"{fld}.initContainers[{i}]", strict=False) or {}
            policy = ce.get("restartPolicy")
            if policy is not None and isinstance(policy[1], yaml.ScalarNode) and policy[1].value == "Always":
                ports.extend(self.container_ports(c, f"{fld}.initContainers[{i}]"))
        host_network = False
        if "hostNetwork" in spec and not _is_null(spec["hostNetwork"][1]):
            host_network = bool(self.boolean(spec["hostNetwork"][1], f"{fld}.hostNetwork"))
        return ports, host_network

    def controller_owner(self, meta: Entries) -> tuple[str | None, str | None]:
        """The owner with ``controller: true`` (kind, name); Node owners (static pods) do not count."""
        if "ownerReferences" not in meta:
            return None, None
        for i, ref in enumerate(self.items(meta["ownerReferences"][1], "metadata.ownerReferences")):
            fields = _plain_entries(ref)
            if fields is None:
                fields = self.entries(ref, f"metadata.ownerReferences[{i}]", strict=False) or {}
            controller = fields.get("controller")
            if controller is None or not (isinstance(controller[1], yaml.ScalarNode) and controller[1].value == "true"):
                continue
            fld = f"metadata.ownerReferences[{i}]"
            owner = self.string(fields["name"][1], f"{fld}.name") if "name" in fields else None
            kind = self.string(fields["kind"][1], f"{fld}.kind") if "kind" in fields else None
            if owner is None or kind == "Node":
                return None, None
            return kind, owner
        return None, None

    def workload_object(self, node: yaml.MappingNode, entries: Entries, kind: str) -> None:
        """Deployment, StatefulSet, ...: one representative pod from the pod template.

        ``kind`` comes from the dispatch: items of a ``DeploymentList`` (an API list response) may
        omit their own ``kind``.
        """
        name, namespace, _, _ = self.metadata(node, entries, kind, subdomain_errors, strict=False)
        path = _TEMPLATE_PATHS[kind]
        current: yaml.Node | None = node
        fld = ""
        walked: list[Entries | None] = []  # the mappings on the way to the template: spec, ...
        for step in path:
            fields = self.entries(current, fld, strict=False) if current is not None else None
            walked.append(fields)
            fld = _join(fld, step)
            current = fields[step][1] if fields and step in fields and not _is_null(fields[step][1]) else None
            if current is None:
                break
        labels: dict[str, str] = {}
        ports: list[ContainerPort] = []
        host_network = False
        if current is not None:
            template = self.entries(current, fld, strict=False) or {}
            if "metadata" in template and not _is_null(template["metadata"][1]):
                tmeta = self.entries(template["metadata"][1], f"{fld}.metadata", strict=False) or {}
                if "labels" in tmeta:
                    labels = self.string_map(tmeta["labels"][1], f"{fld}.metadata.labels", labels=True)
            if "spec" in template and not _is_null(template["spec"][1]):
                tspec = self.entries(template["spec"][1], f"{fld}.spec", strict=False) or {}
                ports, host_network = self.pod_spec(tspec, f"{fld}.spec")
        replicas = self.replicas(walked, kind)
        if name is None:
            return
        pod = Pod(
            namespace,
            name,
            Labels(labels),
            tuple(ports),
            (),
            host_network,
            None,
            None,
            kind,
            self.span(node),
            replicas=replicas,
        )
        self.add_pod(node, pod)

    def replicas(self, walked: list[Entries | None], kind: str) -> int | None:
        """How many pods a workload runs at once: its replica count, or a Job's parallelism.

        ``walked`` holds the mappings read on the way to the pod template (the object, ``spec``,
        ...): the count sits in one of them. Omitted or null, the API server defaults it to 1. A
        DaemonSet runs one pod on each eligible node, which its manifest cannot tell: None. A
        negative value is the API server's validation error.
        """
        path = _COUNT_PATHS.get(kind)
        if path is None:
            return None
        depth = len(path) - 1
        fields = walked[depth] if depth < len(walked) else None
        kv = fields.get(path[-1]) if fields else None
        if kv is None or _is_null(kv[1]):
            return 1
        fld = ".".join(path)
        count = _plain_int(kv[1])
        if count is None:
            count = self.integer(kv[1], fld)
            if count is None:
                return 1
        if count < 0:
            self.invalid(kv[1], fld, count, "must be greater than or equal to 0")
            return 1
        return count

    def container_ports(self, node: yaml.Node, fld: str) -> list[ContainerPort]:
        c = self.entries(node, fld, strict=False) or {}
        out = []
        # the common case (a valid port of plain values) is read without building field paths
        for j, p in enumerate(self.items(c["ports"][1], f"{fld}.ports") if "ports" in c else []):
            pe = _plain_entries(p)
            if pe is None:
                pe = self.entries(p, f"{fld}.ports[{j}]", strict=False)
                if pe is None:
                    continue
            number_kv = pe.get("containerPort")
            if number_kv is None:
                self.error(p, f"{fld}.ports[{j}].containerPort", "Required value")
                continue
            number_node = number_kv[1]
            number = _plain_int(number_node)
            if number is None:
                number = self.integer(number_node, f"{fld}.ports[{j}].containerPort")
                if number is None:
                    continue
            for msg in port_number_errors(number):
                self.invalid(number_node, f"{fld}.ports[{j}].containerPort", number, msg)
            proto = _plain_protocol(pe)
            if proto is None:
                proto = self.protocol(pe, f"{fld}.ports[{j}]")
            name = None
            name_kv = pe.get("name")
            if name_kv is not None and not _is_null(name_kv[1]):
                name_node = name_kv[1]
                name = _plain_str(name_node)
                if name is None or port_name_errors(name):
                    path = f"{fld}.ports[{j}]"
                    name = self.string(name_node, f"{path}.name")
                    for msg in port_name_errors(name or ""):
                        self.invalid(name_node, f"{path}.name", name, msg)
            out.append(ContainerPort(number, proto or Protocol.TCP, name))
        return out

    def protocol(self, entries: Entries, fld: str) -> Protocol | None:
        """``protocol``, defaulted to TCP; None (with an error) when unsupported."""
        kv = entries.get("protocol")
        if kv is None or _is_null(kv[1]):
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
        address = _parse_ip(text)
        if address is None:
            self.invalid(node, fld, text, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)")
        return address

    # -- policy kinds netsim does not evaluate ------------------------------------------------------
    def foreign_policy_object(
        self, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str, foreign: _Foreign
    ) -> None:
        """A policy of another API (Cilium, Calico, ...): recorded, with a warning, never evaluated.

        Only ``metadata`` is read as for every object; the rest is read quietly for what it
        selects and in which directions, and whatever cannot be read exactly leaves the widest
        answer (every pod in scope, both directions) rather than an error: such an object must not
        stop a run.
        """
        name, namespace, _, _ = self.metadata(node, entries, kind, _any_name, strict=False)
        if name is None:
            return
        spec = _quiet_entries(_present(entries, "spec"))
        meta = _quiet_entries(_present(entries, "metadata")) or {}
        cluster_scoped = foreign.cluster_scoped
        if cluster_scoped is None:  # a kind netsim knows only by its name
            ns_node = _present(meta, "namespace")
            no_namespace = ns_node is None or _plain_str(ns_node) == ""
            cluster_scoped = no_namespace and any(w in kind for w in _CLUSTER_WORDS)
        scope = None if cluster_scoped else namespace
        where = f"{scope}/{name}" if scope is not None else name
        if foreign.ignored:
            self.warn(node, "", f"{kind} {where} is ignored: {foreign.ignored}")
            return
        directions, selects = foreign.read(kind, api_version, entries, spec, cluster_scoped)
        policy = UnevaluatedPolicy(api_version, kind, scope, name, directions, selects, foreign.reason, self.span(node))
        key = (api_version.rpartition("/")[0], kind, scope or "", name)
        first = self.unevaluated.get(key)
        if first is not None:
            self.duplicate(node, kind, where, first.span)
            return
        self.unevaluated[key] = policy
        self.warn(
            node,
            "",
            f"{policy.ref} is not evaluated: {foreign.reason}; answers about the pods it may select are "
            "undetermined (--ignore-unevaluated answers without it)",
        )

    # -- NetworkPolicy ----------------------------------------------------------------------------
    def policy_object(self, node: yaml.MappingNode, entries: Entries) -> None:
        api = entries.get("apiVersion")
        api_text = self.string(api[1], "apiVersion") if api else "networking.k8s.io/v1"  # list items omit it
        if api_text is None:  # not a string: reported as a type error
            return
        if api_text != "networking.k8s.io/v1":
            where = api[1] if api else node
            self.error(
                where,
                "apiVersion",
                f'Unsupported value: {format_value(api_text)}: supported values: "networking.k8s.io/v1"',
            )
            return
        # strict decoding also checks the top level (duplicate keys were skipped in `object`)
        top = self.entries(node, "", strict=True) or {}
        self.known(top, "", _POLICY_FIELDS)
        name, namespace, _, _ = self.metadata(node, entries, "NetworkPolicy", subdomain_errors, strict=True)
        before = len(self.errors)
        spec = (
            self.entries(entries["spec"][1], "spec") if "spec" in entries and not _is_null(entries["spec"][1]) else {}
        )
        spec = spec or {}
        self.known(spec, "spec", _POLICY_SPEC_FIELDS)
        pod_selector = LabelSelector()
        if "podSelector" in spec and not _is_null(spec["podSelector"][1]):
            pod_selector = self.selector(spec["podSelector"][1], "spec.podSelector") or LabelSelector()
        ingress = (
            tuple(
                self.rule(r, f"spec.ingress[{i}]", "from")
                for i, r in enumerate(self.items(spec["ingress"][1], "spec.ingress"))
            )
            if "ingress" in spec
            else ()
        )
        egress = (
            tuple(
                self.rule(r, f"spec.egress[{i}]", "to")
                for i, r in enumerate(self.items(spec["egress"][1], "spec.egress"))
            )
            if "egress" in spec
            else ()
        )
        types, defaulted = self.policy_types(spec, egress)
        if name is None or len(self.errors) > before:
            return
        ref = f"{namespace}/{name}"
        if ref in self.policies:
            self.duplicate(node, "NetworkPolicy", ref, self.policies[ref].span)
            return
        self.policies[ref] = NetworkPolicy(
            namespace,
            name,
            pod_selector,
            frozenset(types),
            tuple(r for r in ingress if r is not None),
            tuple(r for r in egress if r is not None),
            self.span(node),
            defaulted,
            pod_selector_span=self.span(spec["podSelector"][0]) if "podSelector" in spec else None,
            egress_span=self.span(spec["egress"][0]) if "egress" in spec else None,
        )

    def policy_types(self, spec: Entries, egress: tuple[Rule | None, ...]) -> tuple[set[Direction], bool]:
        raw: list[tuple[yaml.Node, str]] = []
        list_node = spec["policyTypes"][1] if "policyTypes" in spec else None
        if list_node is not None:
            for i, item in enumerate(self.items(list_node, "spec.policyTypes")):
                text = self.string(item, f"spec.policyTypes[{i}]")
                if text is not None:
                    raw.append((item, text))
        if not raw:  # defaulting (reference §1.2): Ingress always, Egress iff egress rules exist
            types = {Direction.INGRESS}
            if egress:
                types.add(Direction.EGRESS)
            return types, True
        if len(raw) > 2:
            assert list_node is not None
            shown = "[]networking.PolicyType{" + ", ".join(format_value(t) for _, t in raw) + "}"
            self.error(
                list_node, "spec.policyTypes", f"Invalid value: {shown}: may not specify more than two policyTypes"
            )
            return set(), False
        types = set()
        for i, (item, text) in enumerate(raw):
            if text in ("Ingress", "Egress"):
                types.add(Direction(text))
            else:
                self.error(
                    item,
                    f"spec.policyTypes[{i}]",
                    f'Unsupported value: {format_value(text)}: supported values: "Ingress", "Egress"',
                )
        return types, False

    def rule(self, node: yaml.Node, fld: str, peers_key: str) -> Rule | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, _RULE_FIELDS[peers_key])
        ports = (
            [self.port(p, f"{fld}.ports[{j}]") for j, p in enumerate(self.items(entries["ports"][1], f"{fld}.ports"))]
            if "ports" in entries
            else []
        )
        peers = (
            [
                self.peer(p, f"{fld}.{peers_key}[{k}]")
                for k, p in enumerate(self.items(entries[peers_key][1], f"{fld}.{peers_key}"))
            ]
            if peers_key in entries
            else []
        )
        if any(p is None for p in ports) or any(p is None for p in peers):
            return None
        return Rule(tuple(p for p in peers if p is not None), tuple(p for p in ports if p is not None), self.span(node))

    def port(self, node: yaml.Node, fld: str) -> PortSpec | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, _PORT_FIELDS)
        before = len(self.errors)
        proto = self.protocol(entries, fld)
        port: int | str | None = None
        port_node = entries["port"][1] if "port" in entries and not _is_null(entries["port"][1]) else None
        if port_node is not None:
            if isinstance(port_node, yaml.ScalarNode) and port_node.tag == _INT:
                port = self.integer(port_node, f"{fld}.port")
                if port is None:
                    return None
            elif isinstance(port_node, yaml.ScalarNode) and port_node.tag in _STRINGS:
                port = str(port_node.value)
            else:
                self.type_error(port_node, f"{fld}.port", "an integer or a port name")
                return None
        end_port = None
        end_node = entries["endPort"][1] if "endPort" in entries and not _is_null(entries["endPort"][1]) else None
        if end_node is not None:
            end_port = self.integer(end_node, f"{fld}.endPort")
            if end_port is None:
                return None
        if isinstance(port, int):
            assert port_node is not None
            for msg in port_number_errors(port):
                self.invalid(port_node, f"{fld}.port", port, msg)
            if end_port is not None and end_node is not None:
                if end_port < port:  # the API server prints `port` here, not endPort
                    self.error(
                        end_node,
                        f"{fld}.endPort",
                        f"Invalid value: {port}: must be greater than or equal to `port`",
                        f"endPort {end_port} is below port {port}",
                    )
                for msg in port_number_errors(end_port):
                    self.invalid(end_node, f"{fld}.endPort", end_port, msg)
        elif isinstance(port, str):
            assert port_node is not None
            if end_port is not None and end_node is not None:
                self.invalid(end_node, f"{fld}.endPort", end_port, "may not be specified when `port` is non-numeric")
            hint = None
            if port and all(c.isdigit() or c == "-" for c in port):
                hint = "a string port is a named port; write a number (port: 80) or a range (port: 1, endPort: 65535)"
            for msg in port_name_errors(port):
                self.error(port_node, f"{fld}.port", f"Invalid value: {format_value(port)}: {msg}", hint)
                hint = None
        elif end_port is not None and end_node is not None:
            self.invalid(end_node, f"{fld}.endPort", end_port, "may not be specified when `port` is not specified")
        if len(self.errors) > before or proto is None:
            return None
        return PortSpec(proto, port, end_port, self.span(node))

    def peer(self, node: yaml.Node, fld: str) -> Peer | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, _PEER_FIELDS)
        present = {k for k in _PEER_FIELDS if k in entries and not _is_null(entries[k][1])}
        ns_sel = pod_sel = block = None
        before = len(self.errors)
        if "podSelector" in present:
            pod_sel = self.selector(entries["podSelector"][1], f"{fld}.podSelector")
        if "namespaceSelector" in present:
            ns_sel = self.selector(entries["namespaceSelector"][1], f"{fld}.namespaceSelector")
        if "ipBlock" in present:
            block = self.ip_block(entries["ipBlock"][1], f"{fld}.ipBlock")
        if not present:
            self.error(node, fld, "Required value: must specify a peer")
        elif len(present) > 1 and "ipBlock" in present:
            self.error(node, fld, "Forbidden: may not specify both ipBlock and another peer")
        if len(self.errors) > before:
            return None
        if block is not None:
            return block
        return PodPeer(ns_sel, pod_sel, self.span(node))

    def ip_block(self, node: yaml.Node, fld: str) -> IPBlockPeer | None:
        entries = self.entries(node, fld)
        if entries is None:
            return None
        self.known(entries, fld, _IPBLOCK_FIELDS)
        cidr_node = entries["cidr"][1] if "cidr" in entries else None
        cidr_text = self.string(cidr_node, f"{fld}.cidr") if cidr_node is not None and not _is_null(cidr_node) else ""
        if cidr_text is None:
            return None
        if cidr_text == "":
            self.error(cidr_node or node, f"{fld}.cidr", "Required value")
            return None
        assert cidr_node is not None
        before = len(self.errors)
        cidr = self.cidr(cidr_node, f"{fld}.cidr", cidr_text)
        # the subset check runs on what ParseCIDRSloppy reads, even when strict checks failed
        net = parse_cidr(cidr_text, strict=False)[0]
        excepts: list[IPNetwork] = []
        except_nodes = self.items(entries["except"][1], f"{fld}.except") if "except" in entries else []
        for i, item in enumerate(except_nodes):
            path = f"{fld}.except[{i}]"
            text = self.string(item, path)
            if text is None or net is None:
                continue
            exc = self.cidr(item, path, text)
            sub = parse_cidr(text, strict=False)[0]
            if sub is None:
                continue
            if sub.version != net.version or sub.network_address not in net or net.prefixlen >= sub.prefixlen:
                self.invalid(item, path, text, "must be a strict subset of `cidr`")
                continue
            if exc is not None:
                excepts.append(exc)
        if cidr is None or len(self.errors) > before:
            return None
        return IPBlockPeer(cidr, tuple(excepts), self.span(node))

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
        self.known(entries, fld, _SELECTOR_FIELDS)
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
        self.known(entries, fld, _REQUIREMENT_FIELDS)
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
            close = [o for o in _OPERATORS if o.lower() == op.lower()]
            if close:
                hint = f"operators are case-sensitive: write {close[0]}"
            self.error(
                where, f"{fld}.operator", f"Invalid value: {format_value(op)}: not a valid selector operator", hint
            )
        for msg in label_key_errors(key):
            self.invalid(entries["key"][1] if "key" in entries else node, f"{fld}.key", key, msg)
        if op not in _OPERATORS:
            return None
        return Requirement(key, op, tuple(values))  # type: ignore[arg-type]


def _is_null(node: yaml.Node) -> bool:
    return node.tag == _NULL and isinstance(node, _ScalarNode)


def _plain_str(node: yaml.Node) -> str | None:
    """The text of a string scalar; None for anything else (which ``_Reader.string`` reports)."""
    if node.tag in _STRINGS and node.__class__ is _ScalarNode:
        return str(node.value)
    return None


def _plain_int(node: yaml.Node) -> int | None:
    """The value of an integer scalar written in plain decimal digits (no sign, base prefix, leading
    0, "_" or ":"), which the YAML int constructor reads as ``int(text)``; None for anything else
    (which ``_Reader.integer`` reads or reports)."""
    if node.tag == _INT and node.__class__ is _ScalarNode:
        text = node.value
        if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0") and len(text) < 19:
            return int(text)
    return None


def _plain_ip(node: yaml.Node) -> IPAddress | None:
    """The address a string scalar holds; None for anything else (which ``_Reader.ip`` reports)."""
    text = _plain_str(node)
    return None if text is None else _parse_ip(text)


def _plain_protocol(entries: Entries) -> Protocol | None:
    """``protocol`` of a port when it is omitted, null or a supported one; None for anything else
    (which ``_Reader.protocol`` reports)."""
    kv = entries.get("protocol")
    if kv is None:
        return Protocol.TCP
    node = kv[1]
    if node.__class__ is _ScalarNode:
        if node.tag in _STRINGS:
            return _PROTOCOL_OF.get(node.value)
        if node.tag == _NULL:
            return Protocol.TCP
    return None


def _plain_entries(node: yaml.Node) -> Entries | None:
    """A mapping's entries by key when that is all there is to it: a mapping whose keys are
    distinct scalars and none a merge key (``<<``). None for anything else (not a mapping, a
    duplicate key, a merge key, a key that is a collection), which ``_Reader.entries`` handles."""
    if node.__class__ is not _MappingNode:
        return None
    pairs = node.value
    out: Entries = {}
    try:
        for pair in pairs:
            key = pair[0]
            if key.tag == _MERGE:
                return None
            out[key.value] = pair
    except TypeError:  # a key that is a mapping or a list (its value is a list: unhashable)
        return None
    return out if len(out) == len(pairs) else None


# a dotted IPv4 address as ipaddress writes it (decimal octets 0-255, no leading zeros)
_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4 = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")


def _parse_ip(text: str) -> IPAddress | None:
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


def _a(noun: str) -> str:
    """``noun`` with its indefinite article: "a string", "an integer"."""
    return ("an " if noun[:1] in ("a", "e", "i", "o", "u") else "a ") + noun


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


# -- policy kinds netsim does not evaluate -------------------------------------------------------------
#
# These readers never report: a foreign object is read only for what it selects and in which
# directions, and anything not understood exactly gives the widest answer (``None``: every pod in
# scope; both directions). A selection must never come out narrower than the real one.

_Selects = tuple[PodPeer, ...] | None
_BOTH = frozenset(Direction)
_INGRESS = frozenset({Direction.INGRESS})
_EGRESS = frozenset({Direction.EGRESS})
_Reading = tuple[frozenset[Direction], _Selects]
#: a kind known only by its name is cluster-scoped when it has no namespace and its name says so
_CLUSTER_WORDS = ("Global", "Cluster", "Admin")


def _any_name(name: str) -> list[str]:
    """No name check for other APIs' objects: each has its own naming rules."""
    return []


def _present(entries: Entries | None, key: str) -> yaml.Node | None:
    """The value of ``key`` unless it is omitted or null."""
    kv = entries.get(key) if entries else None
    return None if kv is None or _is_null(kv[1]) else kv[1]


def _quiet_entries(node: yaml.Node | None) -> Entries | None:
    """A mapping's entries with merge keys applied, or None (never an error) for anything else,
    including a mapping with a duplicate key: which one the API server keeps is not certain."""
    if node is None:
        return None
    plain = _plain_entries(node)
    if plain is not None:
        return plain
    if not isinstance(node, yaml.MappingNode):
        return None
    out: Entries = {}
    sources: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag == _MERGE:
            sources.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        elif not isinstance(key, yaml.ScalarNode) or key.value in out:
            return None
        else:
            out[key.value] = (key, value)
    seen = {id(node)}
    todo = sources[::-1]
    while todo:  # as _Reader.merge: own keys first, then the sources depth first, each once
        src = todo.pop()
        if id(src) in seen or not isinstance(src, yaml.MappingNode):
            continue
        seen.add(id(src))
        nested: list[yaml.Node] = []
        for key, value in src.value:
            if key.tag == _MERGE:
                nested.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
            elif isinstance(key, yaml.ScalarNode):
                out.setdefault(key.value, (key, value))
        todo.extend(reversed(nested))
    return out


def _quiet_items(node: yaml.Node | None) -> list[yaml.Node] | None:
    """A list's items (``[]`` for an omitted or null list); None for anything else."""
    if node is None or _is_null(node):
        return []
    return list(node.value) if isinstance(node, yaml.SequenceNode) else None


def _quiet_selector(node: yaml.Node | None) -> LabelSelector | None:
    """A ``metav1.LabelSelector`` as written (keys untranslated); None unless it reads exactly."""
    if node is None:
        return None
    entries = _quiet_entries(node)
    if entries is None or not entries.keys() <= _SELECTOR_FIELDS:
        return None
    labels: dict[str, str] = {}
    if "matchLabels" in entries and not _is_null(entries["matchLabels"][1]):
        pairs = _quiet_entries(entries["matchLabels"][1])
        if pairs is None:
            return None
        for name, (_key, value) in pairs.items():
            text = _plain_str(value)
            if text is None:
                return None
            labels[name] = text
    reqs: list[Requirement] = []
    exprs = _quiet_items(_present(entries, "matchExpressions"))
    if exprs is None:
        return None
    for expr in exprs:
        fields = _quiet_entries(expr)
        if fields is None or not fields.keys() <= _REQUIREMENT_FIELDS:
            return None
        key = _plain_str(fields["key"][1]) if "key" in fields else None
        op = _plain_str(fields["operator"][1]) if "operator" in fields else None
        value_nodes = _quiet_items(_present(fields, "values"))
        if key is None or op not in _OPERATORS or value_nodes is None:
            return None
        values = [_plain_str(v) for v in value_nodes]
        if any(v is None for v in values) or (op in ("In", "NotIn")) != bool(values):
            return None
        reqs.append(Requirement(key, op, tuple(v for v in values if v is not None)))  # type: ignore[arg-type]
    return LabelSelector(Labels(labels), tuple(reqs))


class _SelectorParts:
    """Requirements collected for a pod selector or a namespace selector."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.reqs: list[Requirement] = []

    def equals(self, key: str, value: str) -> None:
        if self.labels.setdefault(key, value) != value:  # two values for one key: the In keeps both
            self.reqs.append(Requirement(key, "In", (value,)))

    def selector(self) -> LabelSelector:
        return LabelSelector(Labels(self.labels), tuple(self.reqs))


def _rule_directions(spec: Entries | None, ingress: tuple[str, ...], egress: tuple[str, ...]) -> frozenset[Direction]:
    """The directions whose rule fields a spec has (even empty ones); both when it has neither."""
    found = set()
    if any(_present(spec, k) is not None for k in ingress):
        found.add(Direction.INGRESS)
    if any(_present(spec, k) is not None for k in egress):
        found.add(Direction.EGRESS)
    return frozenset(found) or _BOTH


def _union(peers: list[PodPeer]) -> tuple[PodPeer, ...]:
    return tuple(dict.fromkeys(peers))


# -- Cilium ---------------------------------------------------------------------------------------
# An endpointSelector's keys may carry a label source ("k8s:app", "any:app"; none means any). Cilium
# gives each pod the labels io.kubernetes.pod.namespace (its namespace's name) and
# io.cilium.k8s.namespace.labels.<key> (its namespace's labels), among others of its own.
_CILIUM_NS_NAME = "io.kubernetes.pod.namespace"
_CILIUM_NS_LABELS = "io.cilium.k8s.namespace.labels."


def _cilium_key(key: str) -> tuple[str, str] | None:
    """Where an endpointSelector key points: ("pod", label), ("ns", label), ("name", ""); None if
    it is another source (reserved:, cidr:, ...) or one of Cilium's own labels."""
    source, colon, rest = key.partition(":")
    if colon:
        if source not in ("k8s", "any"):
            return None
        key = rest
    elif key.startswith(("$", "reserved.")):
        return None
    if key == _CILIUM_NS_NAME:
        return ("name", "")
    if key.startswith(_CILIUM_NS_LABELS) and len(key) > len(_CILIUM_NS_LABELS):
        return ("ns", key[len(_CILIUM_NS_LABELS) :])
    if key.startswith(("io.cilium.", "io.kubernetes.")) or not key:
        return None
    return ("pod", key)


def _cilium_peer(node: yaml.Node, clusterwide: bool) -> PodPeer | None:
    """What an endpointSelector selects. A NotIn or DoesNotExist on a pod or namespace label is
    not read: Cilium's identity label filter may drop that label, and the pods then all match."""
    sel = _quiet_selector(node)
    if sel is None:
        return None
    pods, namespaces = _SelectorParts(), _SelectorParts()
    for key, value in sel.match_labels.items():
        where = _cilium_key(key)
        if where is None or (where[0] != "pod" and not clusterwide):
            return None  # a namespaced policy's own namespace match: not read
        if where[0] == "name":
            namespaces.equals(NAMESPACE_NAME_LABEL, value)
        else:
            (pods if where[0] == "pod" else namespaces).equals(where[1], value)
    for req in sel.match_expressions:
        where = _cilium_key(req.key)
        if where is None or (where[0] != "pod" and not clusterwide):
            return None
        if where[0] == "name":  # every pod has it: NotIn and Exists read exactly
            if req.operator == "DoesNotExist":
                return None
            if req.operator != "Exists":
                namespaces.reqs.append(Requirement(NAMESPACE_NAME_LABEL, req.operator, req.values))
            continue
        if req.operator in ("NotIn", "DoesNotExist"):
            return None
        (pods if where[0] == "pod" else namespaces).reqs.append(Requirement(where[1], req.operator, req.values))
    return PodPeer(namespaces.selector() if clusterwide else None, pods.selector())


def _read_cilium(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``spec`` and every item of ``specs``: the union of what each selects, and of its directions
    (ingress/ingressDeny, egress/egressDeny). A nodeSelector selects nodes: not read."""
    nodes: list[yaml.Node] = []
    if "spec" in entries and not _is_null(entries["spec"][1]):
        nodes.append(entries["spec"][1])
    more = _quiet_items(_present(entries, "specs"))
    if more is None or not (nodes or more):
        return _BOTH, None
    nodes.extend(more)
    directions: set[Direction] = set()
    peers: list[PodPeer] = []
    readable = True
    for node in nodes:
        rule = _quiet_entries(node)
        directions |= _rule_directions(rule, ("ingress", "ingressDeny"), ("egress", "egressDeny"))
        selector = _present(rule, "endpointSelector")
        peer = None
        if selector is not None and _present(rule, "nodeSelector") is None:
            peer = _cilium_peer(selector, clusterwide)
        if peer is None:
            readable = False
        else:
            peers.append(peer)
    return frozenset(directions), _union(peers) if readable else None


# -- Calico ---------------------------------------------------------------------------------------
# The subset of Calico's selector language read exactly: terms joined by "&&". Anything else
# ("||", "!" before anything but has(), parentheses, contains, starts with, ends with, global())
# is not read. Calico's whitespace is spaces and tabs; a label name runs as far as it can.
_CALICO_KEY = r"[A-Za-z0-9_./-]++"
_CALICO_STR = r"""'[^']*'|"[^"]*\""""
_CALICO_TERM = re.compile(
    rf"""[ \t]*(?:
        (?P<all>all\([ \t]*\))
      | (?P<neg>![ \t]*)?has\([ \t]*(?P<has>{_CALICO_KEY})[ \t]*\)
      | (?P<key>{_CALICO_KEY})[ \t]*(?:
            (?P<op>==|!=)[ \t]*(?P<value>{_CALICO_STR})
          | (?P<setop>not[ \t]*in|in)[ \t]*\{{(?P<set>[^}}]*)\}}
        )
    )[ \t]*""",
    re.VERBOSE,
)
_CALICO_SET_ITEM = re.compile(rf"[ \t]*(?P<value>{_CALICO_STR})[ \t]*(?:,|\Z)")
#: Calico's labels: the namespace of a pod, the name of a namespace, and the ones not read
_CALICO_NAMESPACE = "projectcalico.org/namespace"
_CALICO_NAME = "projectcalico.org/name"
_CALICO_OWN = ("projectcalico.org/", "pcns.", "pcsa.")

_CalicoTerm = tuple[str, str, tuple[str, ...]]  # key, operator (==, !=, in, not in, has, !has), values


def _calico_terms(text: str) -> list[_CalicoTerm] | None:
    """The terms of a selector in the subset netsim reads; None for any other selector."""
    if not text.strip(" \t"):
        return []  # an empty selector is all()
    terms: list[_CalicoTerm] = []
    pos = 0
    while True:
        m = _CALICO_TERM.match(text, pos)
        if m is None:
            return None
        if m["has"] is not None:
            terms.append((m["has"], "!has" if m["neg"] is not None else "has", ()))
        elif m["op"] is not None:
            terms.append((m["key"], m["op"], (m["value"][1:-1],)))
        elif m["setop"] is not None:
            values = _calico_set(m["set"])
            if values is None:
                return None
            terms.append((m["key"], "in" if m["setop"] == "in" else "not in", values))
        pos = m.end()
        if pos == len(text):
            return terms
        if not text.startswith("&&", pos):
            return None
        pos += 2


def _calico_set(text: str) -> tuple[str, ...] | None:
    if not text.strip(" \t"):
        return ()
    values: list[str] = []
    pos = 0
    while pos < len(text):
        m = _CALICO_SET_ITEM.match(text, pos)
        if m is None or m.end() == pos:
            return None
        values.append(m["value"][1:-1])
        pos = m.end()
        if text[pos - 1] == "," and pos == len(text):
            return None  # a trailing comma
    return tuple(sorted(set(values)))


def _calico_add(parts: _SelectorParts, key: str, op: str, values: tuple[str, ...]) -> bool:
    """Add one term; False when it cannot be a label requirement (``k in {}`` matches nothing)."""
    if op == "==":
        parts.equals(key, values[0])
    elif op in ("!=", "not in"):  # true when the label is absent, as NotIn
        if values:
            parts.reqs.append(Requirement(key, "NotIn", values))
    elif op == "in":
        if not values:
            return False
        parts.reqs.append(Requirement(key, "In", values))
    else:
        parts.reqs.append(Requirement(key, "Exists" if op == "has" else "DoesNotExist"))
    return True


def _calico_selector_text(spec: Entries | None, field_name: str) -> str | None:
    node = _present(spec, field_name)
    return "" if node is None else _plain_str(node)


def _calico_directions(api_version: str, spec: Entries | None) -> frozenset[Direction]:
    """``types``; when omitted, Calico's API server defaults it from the rules: Ingress when there
    are no egress rules, Egress when there are only egress rules, else both. An object of the
    crd.projectcalico.org backing API is stored as written (no defaulting): both."""
    types = _quiet_items(_present(spec, "types"))
    if types is None:
        return _BOTH
    if types:
        texts = {_plain_str(t) for t in types}
        if not texts <= {"Ingress", "Egress"}:
            return _BOTH
        return frozenset(Direction(t) for t in texts if t is not None)
    if api_version.rpartition("/")[0] != "projectcalico.org":
        return _BOTH
    ingress, egress = _quiet_items(_present(spec, "ingress")), _quiet_items(_present(spec, "egress"))
    if ingress is None or egress is None:
        return _BOTH
    if not egress:
        return _INGRESS
    return _EGRESS if not ingress else _BOTH


def _read_calico(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``selector`` (pods of the policy's namespace; of every namespace for a GlobalNetworkPolicy,
    narrowed by ``namespaceSelector`` and by ``projectcalico.org/namespace`` terms)."""
    directions = _calico_directions(api_version, spec)
    texts = [_calico_selector_text(spec, f) for f in ("selector", "namespaceSelector", "serviceAccountSelector")]
    if any(t is None for t in texts):
        return directions, None
    selector, ns_selector, sa_selector = (_calico_terms(t or "") for t in texts)
    if selector is None or ns_selector is None or sa_selector or (ns_selector and not clusterwide):
        return directions, None
    pods, namespaces = _SelectorParts(), _SelectorParts()
    for key, op, values in selector:
        if clusterwide and key == _CALICO_NAMESPACE and op != "!has":
            ok = op == "has" or _calico_add(namespaces, NAMESPACE_NAME_LABEL, op, values)  # every pod has it
        elif key.startswith(_CALICO_OWN):
            return directions, None
        else:
            ok = _calico_add(pods, key, op, values)
        if not ok:
            return directions, None
    for key, op, values in ns_selector:
        if key == _CALICO_NAME:
            key = NAMESPACE_NAME_LABEL
        elif key.startswith(_CALICO_OWN):
            return directions, None
        if not _calico_add(namespaces, key, op, values):
            return directions, None
    return directions, (PodPeer(namespaces.selector() if clusterwide else None, pods.selector()),)


# -- Antrea, the policy.networking.k8s.io tiers, OVN-Kubernetes, others ---------------------------


def _read_antrea(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``spec.appliedTo``: podSelector/namespaceSelector entries (in a ClusterNetworkPolicy a
    podSelector alone selects in every namespace). Rule-level appliedTo, groups, service accounts,
    services and the like are not read."""
    directions = _rule_directions(spec, ("ingress",), ("egress",))
    applied = _quiet_items(_present(spec, "appliedTo"))
    if not applied:
        return directions, None
    for direction in ("ingress", "egress"):
        for rule in _quiet_items(_present(spec, direction)) or []:
            if _present(_quiet_entries(rule), "appliedTo") is not None:
                return directions, None
    peers: list[PodPeer] = []
    for item in applied:
        fields = _quiet_entries(item)
        if fields is None or not fields or not fields.keys() <= {"podSelector", "namespaceSelector"}:
            return directions, None
        pod_node, ns_node = _present(fields, "podSelector"), _present(fields, "namespaceSelector")
        pod_sel = _quiet_selector(pod_node) if pod_node is not None else LabelSelector()
        ns_sel = _quiet_selector(ns_node) if ns_node is not None else LabelSelector()
        if pod_sel is None or ns_sel is None or (pod_node is None and ns_node is None):
            return directions, None
        if not clusterwide:
            if ns_node is not None:
                return directions, None
            peers.append(PodPeer(None, pod_sel))
        else:
            peers.append(PodPeer(ns_sel, pod_sel))
    return directions, _union(peers)


def _read_subject(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """AdminNetworkPolicy, BaselineAdminNetworkPolicy, ClusterNetworkPolicy: ``spec.subject`` is
    ``namespaces`` (every pod of them) or ``pods`` (an omitted selector there selects all)."""
    directions = _rule_directions(spec, ("ingress",), ("egress",))
    subject = _quiet_entries(_present(spec, "subject"))
    given = {k for k in (subject or {}) if _present(subject, k) is not None}
    if given == {"namespaces"}:
        ns_sel = _quiet_selector(_present(subject, "namespaces"))
        return directions, None if ns_sel is None else (PodPeer(ns_sel, LabelSelector()),)
    if given == {"pods"}:
        pods = _quiet_entries(_present(subject, "pods"))
        if pods is None or not pods.keys() <= {"namespaceSelector", "podSelector"}:
            return directions, None
        pod_node, ns_node = _present(pods, "podSelector"), _present(pods, "namespaceSelector")
        pod_sel = _quiet_selector(pod_node) if pod_node is not None else LabelSelector()
        ns_sel = _quiet_selector(ns_node) if ns_node is not None else LabelSelector()
        if pod_sel is None or ns_sel is None:
            return directions, None
        return directions, (PodPeer(ns_sel, pod_sel),)
    return directions, None


def _read_egress_firewall(
    kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool
) -> _Reading:
    """Every pod of its namespace, egress only."""
    return _EGRESS, (PodPeer(None, LabelSelector()),)


def _read_unknown(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """A kind known only by its name: every pod in scope; egress only for an Egress... kind."""
    if kind.startswith("Egress"):
        return _EGRESS, None
    if kind.startswith("Ingress"):
        return _INGRESS, None
    return _BOTH, None


@dataclass(frozen=True, slots=True)
class _Foreign:
    """How to read one policy kind of another API."""

    reason: str  # why netsim does not evaluate it
    read: Callable[[str, str, Entries, Entries | None, bool], _Reading] = _read_unknown
    cluster_scoped: bool | None = False  # None: decided by the object (a kind known only by its name)
    ignored: str = ""  # set for a kind that does not filter the pod network: warned about, not recorded


_CILIUM = "netsim does not evaluate Cilium policies"
_CALICO = "netsim does not evaluate Calico policies"
_STAGED = "Calico does not enforce staged policies (they only preview their effect)"
_FOREIGN: dict[tuple[str, str], _Foreign] = {
    ("cilium.io", "CiliumNetworkPolicy"): _Foreign(_CILIUM, _read_cilium),
    ("cilium.io", "CiliumClusterwideNetworkPolicy"): _Foreign(_CILIUM, _read_cilium, True),
    **{
        (group, kind): _Foreign(_CALICO, _read_calico, kind.startswith("Global"))
        for group in ("projectcalico.org", "crd.projectcalico.org")
        for kind in ("NetworkPolicy", "GlobalNetworkPolicy")
    },
    **{
        (group, kind): _Foreign(_CALICO, cluster_scoped="Global" in kind, ignored=_STAGED)
        for group in ("projectcalico.org", "crd.projectcalico.org")
        for kind in ("StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy")
    },
    ("crd.antrea.io", "NetworkPolicy"): _Foreign("netsim does not evaluate Antrea-native policies", _read_antrea),
    ("crd.antrea.io", "ClusterNetworkPolicy"): _Foreign(
        "netsim does not evaluate Antrea-native policies", _read_antrea, True
    ),
    ("k8s.ovn.org", "EgressFirewall"): _Foreign(
        "netsim does not evaluate OVN-Kubernetes EgressFirewalls", _read_egress_firewall
    ),
    **{
        ("policy.networking.k8s.io", kind): _Foreign(f"netsim does not evaluate {kind} yet", _read_subject, True)
        for kind in ("AdminNetworkPolicy", "BaselineAdminNetworkPolicy", "ClusterNetworkPolicy")
    },
    ("k8s.cni.cncf.io", "MultiNetworkPolicy"): _Foreign(
        "", ignored="it applies to secondary (Multus) networks, not the pod network netsim models"
    ),
}
#: groups whose policy kinds are all in _FOREIGN: a new *NetworkPolicy kind there is still recognised
_KNOWN_GROUPS = frozenset(group for group, _ in _FOREIGN)
#: a group that looks like a network plugin's, for kinds named ...Policy
_NETWORK_WORDS = ("network", "cilium", "calico", "antrea", "ovn", "firewall")
#: ...Policy kinds of network plugins and gateways that route, balance or observe, never filter
_NOT_FILTERING = (
    "Backend", "Gateway", "HealthCheck", "LoadBalanc", "Redirect", "BGP", "Announcement", "QoS", "Route",
    "Retry", "Timeout", "TLS", "Logging", "Bandwidth", "Pool", "Telemetry",
)  # fmt: skip


def _foreign_kind(group: str, kind: str) -> _Foreign | None:
    """The reading of a policy kind of another API; None for Kubernetes' own kinds and the rest.

    Kubernetes' built-in groups ("", apps, policy, ...) have no dot: their kinds are netsim's own
    or not policies (a policy/v1 PodDisruptionBudget). Other kinds named ...NetworkPolicy, and
    kinds named ...Policy in a network plugin's group, are recognised by their name.
    """
    foreign = _FOREIGN.get((group, kind))
    if foreign is not None or "." not in group or group == "networking.k8s.io":
        return foreign
    reason = f"netsim does not evaluate {group} policies"
    if kind.endswith("NetworkPolicy"):
        return _Foreign(reason, cluster_scoped=None)
    if group in _KNOWN_GROUPS or group == "k8s.io" or group.endswith((".k8s.io", ".x-k8s.io")):
        return None  # their ...Policy kinds that are not network policies (Gateway API, admission, ...)
    looks_filtering = not any(w in kind for w in _NOT_FILTERING)
    if kind.endswith("Policy") and looks_filtering and any(w in group for w in _NETWORK_WORDS):
        return _Foreign(reason, cluster_scoped=None)
    return None


_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}

#: Where a workload says how many pods it runs at once (a DaemonSet cannot say: one per node).
_COUNT_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "replicas"),
    "StatefulSet": ("spec", "replicas"),
    "ReplicaSet": ("spec", "replicas"),
    "ReplicationController": ("spec", "replicas"),
    "Job": ("spec", "parallelism"),
    "CronJob": ("spec", "jobTemplate", "spec", "parallelism"),
}

_HANDLERS: dict[str, Callable[[_Reader, yaml.MappingNode, Entries], None]] = {
    "Namespace": _Reader.namespace_object,
    "Pod": _Reader.pod_object,
    "NetworkPolicy": _Reader.policy_object,
    **{kind: functools.partial(_Reader.workload_object, kind=kind) for kind in _TEMPLATE_PATHS},
}


def _finish(reader: _Reader, files: Iterable[str]) -> LoadResult:
    if reader.errors:
        raise InputErrors(reader.errors)
    namespaces = dict(reader.namespaces)
    referenced = {p.namespace for p in reader.pods.values()} | {p.namespace for p in reader.policies.values()}
    referenced |= {u.namespace for u in reader.unevaluated.values() if u.namespace is not None}
    for name in referenced - namespaces.keys():
        namespaces[name] = Namespace(name, Labels({NAMESPACE_NAME_LABEL: name}), declared=False)
    cluster = Cluster(
        tuple(namespaces[n] for n in sorted(namespaces)),
        tuple(reader.pods[k] for k in sorted(reader.pods)),
        tuple(reader.policies[k] for k in sorted(reader.policies)),
        tuple(sorted(reader.unevaluated.values(), key=lambda u: (u.namespace or "", u.name, u.kind, u.api_version))),
    )
    return LoadResult(cluster, tuple(sorted(reader.warnings, key=InputError.sort_key)), tuple(files))


def load_cluster(
    inputs: list[str],
    options: LoadOptions | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load files, directories (recursively) and ``-`` (stdin) into a Cluster.

    ``labels`` maps a file path to the name positions give it (``REV:path`` for a file read out
    of git). ``progress(done, total)`` is called after each document, in characters read of the
    regular files' total size. Raises :class:`InputErrors` with every problem found, in file and
    line order (at most ``limits.max_errors`` of them: reading stops there).
    """
    options = options or LoadOptions()
    files, errors = discover(inputs, options.limits)
    reader = _Reader(options)
    reader.errors.extend(errors)
    budget = Budget(options.limits)
    sizes = {path: _size(path) for path in files} if progress is not None else {}
    total = sum(sizes.values())
    before = 0
    try:
        for path in files:
            reader.path = "<stdin>" if path == "-" else (labels or {}).get(path, path)
            try:
                for doc in read_documents(path, label=reader.path, budget=budget):
                    reader.document(doc.root)
                    if progress is not None and doc.root is not None:
                        progress(before + min(doc.root.end_mark.index, sizes[path]), total)
            except InputError as exc:
                reader.errors.append(exc)
            before += sizes.get(path, 0)
    except _TooManyErrors:
        reader.stopped()
    return _finish(reader, files)


def _size(path: str) -> int:
    """A file's size for progress reports (0 for standard input or when it cannot be told)."""
    if path == "-":
        return 0
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def load_texts(texts: dict[str, str], options: LoadOptions | None = None) -> LoadResult:
    """Load in-memory manifests keyed by a display path (for tests and embedding)."""
    reader = _Reader(options or LoadOptions())
    budget = Budget(reader.options.limits)
    try:
        for path, text in texts.items():
            reader.path = path
            try:
                for doc in compose_documents(path, text, budget=budget):
                    reader.document(doc.root)
            except InputError as exc:
                reader.errors.append(exc)
    except _TooManyErrors:
        reader.stopped()
    return _finish(reader, texts)
