"""The Gateway API (``gateway.networking.k8s.io``): Gateway, the routes (HTTPRoute, GRPCRoute,
TLSRoute, TCPRoute, UDPRoute) and ReferenceGrant, read into :class:`~netsim.model.Gateway`,
:class:`~netsim.model.Route` and :class:`~netsim.model.ReferenceGrant`.

The versions read are those of Gateway API v1.x's CRDs, standard and experimental channel: Gateway
and HTTPRoute ``v1`` and ``v1beta1``, GRPCRoute ``v1``, TLSRoute ``v1alpha2`` and ``v1alpha3``,
TCPRoute and UDPRoute ``v1alpha2``, ReferenceGrant ``v1beta1`` and ``v1alpha2``; another version
is reported. Objects are read like Pods: for the fields netsim models only, so dumps (status,
managedFields, ...) load as they are and unknown fields are not errors (the API server prunes
them). What is read is validated as the CRDs' schemas and CEL rules validate it
(kubernetes-sigs/gateway-api ``apis/`` and ``config/crd``), with the messages ``kubectl apply``
prints for them: ``Required value``, ``Invalid value: 0: <field> in body should have at least 1
items`` and the OpenAPI validator's other texts (MinLength, Minimum, Maximum, Pattern), ``Too
many: N: must have at most M items``, ``Unsupported value: ...``, a ``listType: map`` key's
``Duplicate value: map[string]interface {}{...}``, and for a CEL rule ``Invalid value: "<schema
type>": <the rule's message>`` (the API server prints the type, not the value). Where the two
channels' CEL rules differ (a route's ``parentRefs``), the experimental channel's apply: they
also read ``port``.

Defaulting is the CRDs': a parentRef's group and kind (``gateway.networking.k8s.io``,
``Gateway``), a backendRef's group and kind (``""``, ``Service``), a listener's
``allowedRoutes.namespaces.from`` (``Same``) and a route kind's group; the namespace of a
parentRef or backendRef that names none is the route's own. A cross-namespace backendRef is kept
as written: whether a ReferenceGrant allows it is decided later, from the grants read. An object
with an error is not recorded; every error of the run is reported.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import yaml

from netsim.loader.core import STRING_TAGS, Entries, Family, Reader, is_null
from netsim.model import BackendRef, Gateway, LabelSelector, Listener, ParentRef, ReferenceGrant, Route
from netsim.validation import format_value, subdomain_errors

__all__ = ["FAMILY", "read_gateway", "read_reference_grant", "read_route"]

_GROUP = "gateway.networking.k8s.io"
#: The versions of each kind that netsim reads.
_VERSIONS: dict[str, tuple[str, ...]] = {
    "Gateway": ("v1", "v1beta1"),
    "HTTPRoute": ("v1", "v1beta1"),
    "GRPCRoute": ("v1",),
    "TLSRoute": ("v1alpha2", "v1alpha3"),
    "TCPRoute": ("v1alpha2",),
    "UDPRoute": ("v1alpha2",),
    "ReferenceGrant": ("v1beta1", "v1alpha2"),
}
#: ``listeners``: MinItems 1, MaxItems 64; a listener's ``allowedRoutes.kinds``: MaxItems 8
_MAX_LISTENERS = 64
_MAX_ROUTE_KINDS = 8
_MAX_PARENT_REFS = 32
_MAX_RULES = 16  # also a rule's backendRefs, a route's hostnames, a grant's from and to
_FROM_VALUES = ("All", "Selector", "Same")
#: The protocols of the API, which implementations read case-insensitively
_CORE_PROTOCOLS = frozenset({"HTTP", "HTTPS", "TLS", "TCP", "UDP"})
_L4_PROTOCOLS = frozenset({"TCP", "UDP"})

# CEL rules' messages (x-kubernetes-validations in the CRDs)
_LISTENER_NAMES = "Listener name must be unique within the Gateway"
_LISTENER_COMBINATIONS = "Combination of port, protocol and hostname must be unique for each listener"
_LISTENER_HOSTNAME = "hostname must not be specified for protocols ['TCP', 'UDP']"
_SERVICE_PORT = "Must have port for Service reference"
_PARENTS_SPECIFIED = (
    "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent"
)
_PARENTS_UNIQUE = "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent"


@dataclass(frozen=True, slots=True)
class _Str:
    """A string type of the API: its MinLength, MaxLength and Pattern (as the CRD writes it)."""

    min_len: int
    max_len: int
    pattern: str | None = None


_SUBDOMAIN_PATTERN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_OBJECT_NAME = _Str(1, 253)
_NAMESPACE = _Str(1, 63, r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SECTION_NAME = _Str(1, 253, _SUBDOMAIN_PATTERN)
_GROUP_NAME = _Str(0, 253, r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_KIND = _Str(1, 63, r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$")
_HOSTNAME = _Str(1, 253, r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_PROTOCOL = _Str(
    1,
    255,
    r"^[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?$|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]+$",
)


@dataclass(frozen=True, slots=True)
class _RouteSchema:
    """What differs between the route kinds and versions."""

    hostnames: bool  # has spec.hostnames
    hostnames_required: bool = False  # TLSRoute v1alpha3: 1..16 hostnames
    rules_required: bool = False  # TCPRoute, UDPRoute, TLSRoute: 1..16 rules (else 0..16)
    backend_refs_min: int = 0  # TCPRoute, UDPRoute, TLSRoute: a rule's backendRefs, if given, 1..16


_HTTP = _RouteSchema(hostnames=True)
_TLS_V1ALPHA2 = _RouteSchema(hostnames=True, rules_required=True, backend_refs_min=1)
_TLS_V1ALPHA3 = _RouteSchema(hostnames=True, hostnames_required=True, rules_required=True, backend_refs_min=1)
_L4 = _RouteSchema(hostnames=False, rules_required=True, backend_refs_min=1)
_ROUTE_SCHEMAS: dict[tuple[str, str], _RouteSchema] = {
    ("HTTPRoute", "v1"): _HTTP,
    ("HTTPRoute", "v1beta1"): _HTTP,
    ("GRPCRoute", "v1"): _HTTP,
    ("TLSRoute", "v1alpha2"): _TLS_V1ALPHA2,
    ("TLSRoute", "v1alpha3"): _TLS_V1ALPHA3,
    ("TCPRoute", "v1alpha2"): _L4,
    ("UDPRoute", "v1alpha2"): _L4,
}


# -- Gateway -----------------------------------------------------------------------------------------


def read_gateway(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """A Gateway: its GatewayClass and its listeners (name, protocol, port, and which routes may
    attach: from which namespaces, of which kinds)."""
    version = _version(reader, node, entries, kind, api_version)
    if version is None:
        return
    before = len(reader.errors)
    name, namespace, _, _ = reader.metadata(node, entries, kind, subdomain_errors, strict=False)
    gateway_class: str | None = None
    listeners: list[Listener] = []
    spec = _spec(reader, node, entries, required=True)
    if spec is not None:
        spec_node, fields = spec
        class_node = _present(fields, "gatewayClassName")
        if class_node is None:
            reader.error(spec_node, "spec.gatewayClassName", "Required value")
        else:
            gateway_class = _text(reader, class_node, "spec.gatewayClassName", _OBJECT_NAME)
        listeners_node = _present(fields, "listeners")
        if listeners_node is None:
            reader.error(spec_node, "spec.listeners", "Required value", "a Gateway has 1 to 64 listeners")
        else:
            listeners = _listeners(reader, listeners_node)
    if name is None or gateway_class is None or len(reader.errors) > before:
        return
    key = f"{namespace}/{name}"
    first = reader.gateways.get(key)
    if first is not None:
        reader.duplicate(node, kind, key, first.span)
        return
    reader.gateways[key] = Gateway(namespace, name, gateway_class, tuple(listeners), reader.span(node))


@dataclass(frozen=True, slots=True)
class _RawListener:
    """What the CEL rules on ``listeners`` compare, as written (the hostname None when omitted)."""

    name: str
    port: int
    protocol: str
    hostname: str | None


def _listeners(reader: Reader, node: yaml.Node) -> list[Listener]:
    """``spec.listeners``: each listener, then the list's rules (a ``listType: map`` keyed by name;
    the CEL rules: unique names; unique port, protocol and hostname; no hostname on TCP and UDP)."""
    items = _items(reader, node, "spec.listeners", least=1, most=_MAX_LISTENERS)
    if items is None:
        return []
    listeners: list[Listener] = []
    raws: list[_RawListener | None] = []
    names: dict[str, int] = {}
    for i, item in enumerate(items):
        listener, raw, name = _listener(reader, item, f"spec.listeners[{i}]")
        raws.append(raw)
        if listener is not None:
            listeners.append(listener)
        if name is None:
            continue
        names[name] = names.get(name, 0) + 1
        if names[name] == 2:  # the list-map check reports a key's second entry only
            shown = 'map[string]interface {}{"name":' + format_value(name) + "}"
            reader.error(item, f"spec.listeners[{i}]", f"Duplicate value: {shown}")
    complete = [raw for raw in raws if raw is not None]
    if len(complete) < len(raws):  # the rules read fields that are missing or invalid
        return listeners
    if len({raw.name for raw in complete}) < len(complete):
        reader.error(node, "spec.listeners", _cel("array", _LISTENER_NAMES))
    if len({(raw.port, raw.protocol, raw.hostname) for raw in complete}) < len(complete):
        reader.error(node, "spec.listeners", _cel("array", _LISTENER_COMBINATIONS))
    if any(raw.protocol.upper() in _L4_PROTOCOLS and raw.hostname for raw in complete):
        reader.error(node, "spec.listeners", _cel("array", _LISTENER_HOSTNAME))
    return listeners


def _listener(reader: Reader, node: yaml.Node, fld: str) -> tuple[Listener | None, _RawListener | None, str | None]:
    """One listener, what the list's CEL rules compare (None for both after an error), and its
    name as written (the list-map key, None when it is not a string)."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return None, None, None
    before = len(reader.errors)
    name_node = _present(fields, "name")
    written = name_node.value if isinstance(name_node, yaml.ScalarNode) and name_node.tag in STRING_TAGS else None
    name = _required_text(reader, node, fields, "name", fld, _SECTION_NAME)
    hostname_node = _present(fields, "hostname")
    hostname = _text(reader, hostname_node, f"{fld}.hostname", _HOSTNAME) if hostname_node is not None else None
    port_node = _present(fields, "port")
    port = reader.bounded_integer(port_node, f"{fld}.port", 1, 65535) if port_node is not None else None
    if port_node is None:
        reader.error(node, f"{fld}.port", "Required value")
    protocol = _required_text(reader, node, fields, "protocol", fld, _PROTOCOL)
    routes_from, selector, kinds = _allowed_routes(reader, fields, fld)
    if name is None or port is None or protocol is None or len(reader.errors) > before:
        return None, None, written
    raw = _RawListener(name, port, protocol, hostname)
    canonical = protocol.upper() if protocol.upper() in _CORE_PROTOCOLS else protocol
    return Listener(name, canonical, port, routes_from, selector, kinds), raw, written


def _allowed_routes(reader: Reader, fields: Entries, fld: str) -> tuple[str, LabelSelector | None, tuple[str, ...]]:
    """``allowedRoutes``: where routes may come from (defaulted to ``Same``), the selector of
    ``Selector``, and the route kinds (``Kind`` for the Gateway API group, ``group/Kind`` else)."""
    allowed_node = _present(fields, "allowedRoutes")
    path = f"{fld}.allowedRoutes"
    allowed = (reader.entries(allowed_node, path, strict=False) if allowed_node is not None else None) or {}
    namespaces_node = _present(allowed, "namespaces")
    namespaces = (
        reader.entries(namespaces_node, f"{path}.namespaces", strict=False) if namespaces_node is not None else None
    ) or {}
    routes_from = "Same"
    from_node = _present(namespaces, "from")
    if from_node is not None:
        text = reader.string(from_node, f"{path}.namespaces.from")
        if text is not None and text not in _FROM_VALUES:
            supported = ", ".join(format_value(v) for v in _FROM_VALUES)
            reader.error(
                from_node,
                f"{path}.namespaces.from",
                f"Unsupported value: {format_value(text)}: supported values: {supported}",
            )
        elif text is not None:
            routes_from = text
    selector: LabelSelector | None = None
    selector_node = _present(namespaces, "selector")
    if selector_node is not None:
        selector = reader.selector(selector_node, f"{path}.namespaces.selector")
    elif routes_from == "Selector":
        assert from_node is not None
        reader.warn(
            from_node,
            f"{path}.namespaces.from",
            "from: Selector without a selector: the API server accepts it, but the Gateway API requires one; "
            "read as allowing routes from no namespace",
        )
    kinds: list[str] = []
    kinds_node = _present(allowed, "kinds")
    items = _items(reader, kinds_node, f"{path}.kinds", most=_MAX_ROUTE_KINDS) if kinds_node is not None else None
    for i, item in enumerate(items or []):
        where = f"{path}.kinds[{i}]"
        kind_fields = reader.entries(item, where, strict=False)
        if kind_fields is None:
            continue
        group_node = _present(kind_fields, "group")
        group = _text(reader, group_node, f"{where}.group", _GROUP_NAME) if group_node is not None else _GROUP
        kind = _required_text(reader, item, kind_fields, "kind", where, _KIND)
        if group is not None and kind is not None:
            kinds.append(kind if group == _GROUP else f"{group}/{kind}")
    return routes_from, selector, tuple(kinds)


# -- routes ------------------------------------------------------------------------------------------


def read_route(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """An HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute: the parents it attaches to and the
    backends of all its rules, in order (hostnames are validated, not modelled)."""
    version = _version(reader, node, entries, kind, api_version)
    if version is None:
        return
    schema = _ROUTE_SCHEMAS[kind, version]
    before = len(reader.errors)
    name, namespace, _, _ = reader.metadata(node, entries, kind, subdomain_errors, strict=False)
    parents: list[ParentRef] = []
    backends: list[BackendRef] = []
    spec = _spec(reader, node, entries, required=True)
    if spec is not None:
        spec_node, fields = spec
        parents = _parent_refs(reader, fields, namespace)
        if schema.hostnames:
            _hostnames(reader, spec_node, fields, schema)
        backends = _rules(reader, spec_node, fields, schema, namespace)
    if name is None or len(reader.errors) > before:
        return
    key = f"{kind} {namespace}/{name}"
    first = reader.routes.get(key)
    if first is not None:
        reader.duplicate(node, kind, f"{namespace}/{name}", first.span)
        return
    reader.routes[key] = Route(kind, namespace, name, tuple(parents), tuple(backends), reader.span(node))


def _hostnames(reader: Reader, spec_node: yaml.Node, fields: Entries, schema: _RouteSchema) -> None:
    node = _present(fields, "hostnames")
    if node is None:
        if schema.hostnames_required:
            reader.error(spec_node, "spec.hostnames", "Required value")
        return
    least = 1 if schema.hostnames_required else 0
    for i, item in enumerate(_items(reader, node, "spec.hostnames", least=least, most=_MAX_RULES) or []):
        _text(reader, item, f"spec.hostnames[{i}]", _HOSTNAME)


def _rules(
    reader: Reader, spec_node: yaml.Node, fields: Entries, schema: _RouteSchema, namespace: str
) -> list[BackendRef]:
    """The backendRefs of every rule, in order (an HTTPRoute without rules has the CRD's default
    rule, which has none)."""
    node = _present(fields, "rules")
    if node is None:
        if schema.rules_required:
            reader.error(spec_node, "spec.rules", "Required value")
        return []
    least = 1 if schema.rules_required else 0
    backends: list[BackendRef] = []
    for i, rule in enumerate(_items(reader, node, "spec.rules", least=least, most=_MAX_RULES) or []):
        fld = f"spec.rules[{i}]"
        rule_fields = reader.entries(rule, fld, strict=False)
        refs_node = _present(rule_fields or {}, "backendRefs")
        if refs_node is None:
            continue
        refs = _items(reader, refs_node, f"{fld}.backendRefs", least=schema.backend_refs_min, most=_MAX_RULES)
        for j, item in enumerate(refs or []):
            backend = _backend_ref(reader, item, f"{fld}.backendRefs[{j}]", namespace)
            if backend is not None:
                backends.append(backend)
    return backends


def _backend_ref(reader: Reader, node: yaml.Node, fld: str, namespace: str) -> BackendRef | None:
    """A backendRef: group (default ``""``), kind (default Service), name, namespace (default the
    route's) and port, which a Service needs (the CEL rule of BackendObjectReference)."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return None
    before = len(reader.errors)
    group_node = _present(fields, "group")
    group = _text(reader, group_node, f"{fld}.group", _GROUP_NAME) if group_node is not None else ""
    kind_node = _present(fields, "kind")
    kind = _text(reader, kind_node, f"{fld}.kind", _KIND) if kind_node is not None else "Service"
    name = _required_text(reader, node, fields, "name", fld, _OBJECT_NAME)
    ns_node = _present(fields, "namespace")
    ref_namespace = _text(reader, ns_node, f"{fld}.namespace", _NAMESPACE) if ns_node is not None else namespace
    port_node = _present(fields, "port")
    port = reader.bounded_integer(port_node, f"{fld}.port", 1, 65535) if port_node is not None else None
    if group == "" and kind == "Service" and port_node is None:
        reader.error(
            node, fld, _cel("object", _SERVICE_PORT), "give the Service port: port: 80 (a port of the Service)"
        )
    if name is None or group is None or kind is None or ref_namespace is None or len(reader.errors) > before:
        return None
    return BackendRef(name, port, ref_namespace, kind, group, reader.span(node))


@dataclass(frozen=True, slots=True)
class _RawParent:
    """What the CEL rules on ``parentRefs`` compare: the parent as written (after the CRD's
    defaulting of group and kind), its sectionName and port ("" and 0 when omitted)."""

    parent: tuple[str, str, str, str | None]  # group, kind, name, namespace (None when omitted)
    section: str
    port: int


def _parent_refs(reader: Reader, fields: Entries, namespace: str) -> list[ParentRef]:
    """``spec.parentRefs`` (at most 32), then the list's rules: two references to one parent set
    the same of sectionName and port, to different values."""
    node = _present(fields, "parentRefs")
    if node is None:
        return []
    items = _items(reader, node, "spec.parentRefs", most=_MAX_PARENT_REFS)
    parents: list[ParentRef] = []
    raws: list[_RawParent] = []
    for i, item in enumerate(items or []):
        parent, raw = _parent_ref(reader, item, f"spec.parentRefs[{i}]", namespace)
        if parent is not None and raw is not None:
            parents.append(parent)
            raws.append(raw)
    if len(raws) < len(items or []):  # the rules read fields that are missing or invalid
        return parents
    if any(
        (a.section == "") != (b.section == "") or (a.port == 0) != (b.port == 0)
        for a in raws
        for b in raws
        if a.parent == b.parent
    ):
        reader.error(node, "spec.parentRefs", _cel("array", _PARENTS_SPECIFIED))
    if any(sum(1 for b in raws if (a.parent, a.section, a.port) == (b.parent, b.section, b.port)) > 1 for a in raws):
        reader.error(node, "spec.parentRefs", _cel("array", _PARENTS_UNIQUE))
    return parents


def _parent_ref(
    reader: Reader, node: yaml.Node, fld: str, namespace: str
) -> tuple[ParentRef | None, _RawParent | None]:
    """A parentRef: group (default the Gateway API's), kind (default Gateway), name, namespace
    (default the route's), sectionName (a listener) and port."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return None, None
    before = len(reader.errors)
    group_node = _present(fields, "group")
    group = _text(reader, group_node, f"{fld}.group", _GROUP_NAME) if group_node is not None else _GROUP
    kind_node = _present(fields, "kind")
    kind = _text(reader, kind_node, f"{fld}.kind", _KIND) if kind_node is not None else "Gateway"
    name = _required_text(reader, node, fields, "name", fld, _OBJECT_NAME)
    ns_node = _present(fields, "namespace")
    ref_namespace = _text(reader, ns_node, f"{fld}.namespace", _NAMESPACE) if ns_node is not None else None
    section_node = _present(fields, "sectionName")
    section = _text(reader, section_node, f"{fld}.sectionName", _SECTION_NAME) if section_node is not None else None
    port_node = _present(fields, "port")
    port = reader.bounded_integer(port_node, f"{fld}.port", 1, 65535) if port_node is not None else None
    if name is None or group is None or kind is None or len(reader.errors) > before:
        return None, None
    parent = ParentRef(name, ref_namespace or namespace, section, port, kind, group)
    return parent, _RawParent((group, kind, name, ref_namespace), section or "", port or 0)


# -- ReferenceGrant ----------------------------------------------------------------------------------


def read_reference_grant(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """A ReferenceGrant: which kinds in which other namespaces (``from``) may refer to which kinds,
    all or one by name, in this namespace (``to``). Without a spec it grants nothing."""
    if _version(reader, node, entries, kind, api_version) is None:
        return
    before = len(reader.errors)
    name, namespace, _, _ = reader.metadata(node, entries, kind, subdomain_errors, strict=False)
    from_: list[tuple[str, str, str]] = []
    to: list[tuple[str, str, str | None]] = []
    spec = _spec(reader, node, entries, required=False)
    if spec is not None:
        spec_node, fields = spec
        for item, fld, item_fields in _grant_items(reader, spec_node, fields, "from"):
            group = _required_text(reader, item, item_fields, "group", fld, _GROUP_NAME)
            source_kind = _required_text(reader, item, item_fields, "kind", fld, _KIND)
            source_ns = _required_text(reader, item, item_fields, "namespace", fld, _NAMESPACE)
            if group is not None and source_kind is not None and source_ns is not None:
                from_.append((group, source_kind, source_ns))
        for item, fld, item_fields in _grant_items(reader, spec_node, fields, "to"):
            group = _required_text(reader, item, item_fields, "group", fld, _GROUP_NAME)
            target_kind = _required_text(reader, item, item_fields, "kind", fld, _KIND)
            name_node = _present(item_fields, "name")
            target = _text(reader, name_node, f"{fld}.name", _OBJECT_NAME) if name_node is not None else None
            if group is not None and target_kind is not None:
                to.append((group, target_kind, target))
    if name is None or len(reader.errors) > before:
        return
    key = f"{namespace}/{name}"
    first = reader.reference_grants.get(key)
    if first is not None:
        reader.duplicate(node, kind, key, first.span)
        return
    reader.reference_grants[key] = ReferenceGrant(namespace, name, tuple(from_), tuple(to), reader.span(node))


def _grant_items(
    reader: Reader, spec_node: yaml.Node, fields: Entries, key: str
) -> list[tuple[yaml.Node, str, Entries]]:
    """The entries of ``spec.from`` or ``spec.to`` (required, 1..16) with their paths and fields."""
    fld = f"spec.{key}"
    node = _present(fields, key)
    if node is None:
        reader.error(spec_node, fld, "Required value")
        return []
    out: list[tuple[yaml.Node, str, Entries]] = []
    for i, item in enumerate(_items(reader, node, fld, least=1, most=_MAX_RULES) or []):
        item_fields = reader.entries(item, f"{fld}[{i}]", strict=False)
        if item_fields is not None:
            out.append((item, f"{fld}[{i}]", item_fields))
    return out


# -- the schema's checks, with the API server's messages ---------------------------------------------


def _version(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> str | None:
    """The object's version if netsim reads it; None (reported) if not."""
    version = (api_version or "").rpartition("/")[2]
    if version in _VERSIONS[kind]:
        return version
    api = entries.get("apiVersion")
    supported = ", ".join(format_value(f"{_GROUP}/{v}") for v in _VERSIONS[kind])
    reader.error(
        api[1] if api else node,
        "apiVersion",
        f"Unsupported value: {format_value(api_version)}: supported values: {supported}",
    )
    return None


def _spec(
    reader: Reader, node: yaml.MappingNode, entries: Entries, *, required: bool
) -> tuple[yaml.Node, Entries] | None:
    """``spec``: its node and fields; None when omitted (reported when ``required``) or not a mapping."""
    spec_node = _present(entries, "spec")
    if spec_node is None:
        if required:
            reader.error(node, "spec", "Required value")
        return None
    fields = reader.entries(spec_node, "spec", strict=False)
    return None if fields is None else (spec_node, fields)


def _cel(type_name: str, message: str) -> str:
    """A CEL rule's failure: the API server prints the schema type, not the value
    (kubernetes/kubernetes#132528)."""
    return f"Invalid value: {format_value(type_name)}: {message}"


def _present(entries: Entries, key: str) -> yaml.Node | None:
    """A field's value; None when omitted or null (the API server drops a null it does not allow)."""
    kv = entries.get(key)
    return None if kv is None or is_null(kv[1]) else kv[1]


def _items(reader: Reader, node: yaml.Node, fld: str, *, most: int, least: int = 0) -> list[yaml.Node] | None:
    """A list's items, ``least``..``most`` of them (MinItems, MaxItems, reported; the items are
    still read); None when it is not a list."""
    return reader.bounded_items(node, fld, least, most)


@functools.cache
def _regex(pattern: str) -> re.Pattern[str]:
    """A CRD pattern as Go reads it: searched, with ``$`` only at the end of the text."""
    return re.compile(pattern.replace("$", r"\Z"))


def _text(reader: Reader, node: yaml.Node, fld: str, schema: _Str) -> str | None:
    """A string of an API type (MaxLength, MinLength, Pattern: the first that fails is reported, as
    the OpenAPI validator does); None when it is not valid."""
    text = reader.string(node, fld)
    if text is None:
        return None
    if len(text) > schema.max_len:
        reader.error(node, fld, f"Too long: may not be more than {schema.max_len} bytes")
        return None
    if len(text) < schema.min_len:
        reader.invalid(node, fld, text, f"{fld} in body should be at least {schema.min_len} chars long")
        return None
    if schema.pattern is not None and _regex(schema.pattern).search(text) is None:
        reader.invalid(node, fld, text, f"{fld} in body should match '{schema.pattern}'")
        return None
    return text


def _required_text(reader: Reader, parent: yaml.Node, fields: Entries, key: str, fld: str, schema: _Str) -> str | None:
    """A required string field of ``parent`` (``Required value`` when omitted)."""
    node = _present(fields, key)
    if node is None:
        reader.error(parent, f"{fld}.{key}", "Required value")
        return None
    return _text(reader, node, f"{fld}.{key}", schema)


#: Every kind of the group that netsim models (GatewayClass, BackendTLSPolicy, ListenerSet, ... are
#: skipped).
FAMILY = Family(
    "gateway",
    by_group={
        (_GROUP, "Gateway"): read_gateway,
        **{(_GROUP, kind): read_route for kind in ("HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "UDPRoute")},
        (_GROUP, "ReferenceGrant"): read_reference_grant,
    },
)
