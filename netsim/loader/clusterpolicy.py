"""The cluster-scoped policy tiers of SIG Network's network-policy-api (``policy.networking.k8s.io``):
ClusterNetworkPolicy (``v1alpha2``) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
(``v1alpha1``, the schema of v0.1.3 and later), read into :class:`~netsim.model.ClusterNetworkPolicy`.

Validation follows the CRDs of kubernetes-sigs/network-policy-api (``apis/v1alpha1``,
``apis/v1alpha2`` and the generated ``config/crd`` manifests), standard and experimental channel
together: every field of either channel is read, and the experimental channel's CEL rules apply. The
API server reports a CRD's schema failures through apiextensions-apiserver's mapping of OpenAPI
errors to field errors, so the messages here are the ones ``kubectl apply`` prints for them:
``Required value``, ``Unsupported value: ...``, ``Too many: N: must have at most M items``,
``Invalid value: N: <field> in body should have at least 1 items`` (MinItems, MinProperties,
Minimum, Maximum and Pattern all print the OpenAPI validator's text), ``Too long: ...`` and
``Duplicate value: ...`` (a ``listType: set``), and for a CEL rule ``Invalid value: "<schema
type>": <the rule's message>`` (the API server prints the type, not the value).

Decoding is strict as for NetworkPolicy: unknown fields and duplicate keys are errors, or, with
``--lax``, warnings (unknown fields dropped, as the API server prunes them). A policy with an error
is not recorded; every error of the run is reported.

Mapping onto the model: AdminNetworkPolicy is the Admin tier at its priority, BaselineAdminNetworkPolicy
the Baseline tier after every ClusterNetworkPolicy of that tier, ``Allow`` is ``Accept``; each
``networks`` CIDR is an :class:`~netsim.model.IPBlockPeer` without excepts; ``namespaces`` is a
PodPeer of that namespace selector and every pod; ``pods`` a PodPeer of both selectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

import yaml

from netsim.loader.core import Entries, Family, Reader, is_null
from netsim.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPeer,
    ClusterPort,
    ClusterRule,
    DomainNamesPeer,
    IPBlockPeer,
    IPNetwork,
    LabelSelector,
    NodesPeer,
    PodPeer,
    Protocol,
    Tier,
)
from netsim.validation import format_value, subdomain_errors

__all__ = ["FAMILY", "read_admin_network_policy", "read_cluster_network_policy"]

_GROUP = "policy.networking.k8s.io"
_V1ALPHA1 = f"{_GROUP}/v1alpha1"
_V1ALPHA2 = f"{_GROUP}/v1alpha2"
_TOP_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
_NAMESPACED_POD_FIELDS = frozenset({"namespaceSelector", "podSelector"})
_SUBJECT_FIELDS = ("namespaces", "pods")
_INGRESS_PEERS = ("namespaces", "pods")
#: BaselineAdminNetworkPolicy has every egress peer of AdminNetworkPolicy but domainNames
_EGRESS_PEERS = ("namespaces", "pods", "nodes", "networks", "domainNames")
_BASELINE_EGRESS_PEERS = ("namespaces", "pods", "nodes", "networks")
_NAME_MAX = 100  # rule names
_CIDR_MAX_LENGTH = 43
_SET_MAX = 25  # networks and domainNames, in both versions
_PROTOCOLS = {p.value: p for p in Protocol}
#: v1alpha1 ``ports`` entries; v1alpha2 ``protocols`` entries
_PORT_FIELDS = ("portNumber", "portRange", "namedPort")
_PROTOCOL_FIELDS = ("tcp", "udp", "sctp", "destinationNamedPort")
#: BaselineAdminNetworkPolicy sorts after every ClusterNetworkPolicy of the Baseline tier (0..1000)
_BASELINE_ADMIN_PRIORITY = 1001

# The DomainName pattern of each API version, as the CRD writes it (and as the API server quotes
# it in its error). v1alpha1 (v0.1.7, v0.1.8) has the upstream typo `A-z` in two places, which
# also admits the characters between Z and a; v1alpha2 writes `A-Z`.
_DOMAIN_PATTERN_V1ALPHA1 = (
    r"^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"
)
_DOMAIN_PATTERN_V1ALPHA2 = (
    r"^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"
)
# Go's `$` matches only at the end of the text; Python's also before a final newline: `\Z` here
_DOMAIN_RE = {p: re.compile(p.removesuffix("$") + r"\Z") for p in (_DOMAIN_PATTERN_V1ALPHA1, _DOMAIN_PATTERN_V1ALPHA2)}

# CEL rules' messages (x-kubernetes-validations in the CRDs)
_BANP_NAME = 'Only one baseline admin network policy with metadata.name="default" can be created in the cluster'
_NAMED_PORT_ANP = (
    "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for "
    "networks/nodes/domainNames"
)
_NAMED_PORT_BANP = "networks/nodes peer cannot be set with namedPorts since there are no namedPorts for networks/nodes"
_RANGE_ORDER = "Start port must be less than End port"
_INVALID_CIDR = "Invalid CIDR format provided"


@dataclass(frozen=True, slots=True)
class _Schema:
    """What differs between the three kinds: limits, actions, peers, ports."""

    kind: str
    v1alpha2: bool
    max_items: int  # rules per direction, peers per rule, ports per rule
    actions: tuple[str, ...]
    egress_peers: tuple[str, ...]
    named_port_message: str  # the experimental CEL rule on an egress rule
    domain_pattern: str

    @property
    def ports_key(self) -> str:
        return "protocols" if self.v1alpha2 else "ports"


_ANP = _Schema(
    "AdminNetworkPolicy",
    False,
    100,
    ("Allow", "Deny", "Pass"),
    _EGRESS_PEERS,
    _NAMED_PORT_ANP,
    _DOMAIN_PATTERN_V1ALPHA1,
)
_BANP = _Schema(
    "BaselineAdminNetworkPolicy",
    False,
    100,
    ("Allow", "Deny"),
    _BASELINE_EGRESS_PEERS,
    _NAMED_PORT_BANP,
    _DOMAIN_PATTERN_V1ALPHA1,
)
# v1alpha2 checks destinationNamedPort with the message of v1alpha1's AdminNetworkPolicy
_CNP = _Schema(
    "ClusterNetworkPolicy",
    True,
    25,
    ("Accept", "Deny", "Pass"),
    _EGRESS_PEERS,
    _NAMED_PORT_ANP,
    _DOMAIN_PATTERN_V1ALPHA2,
)
_ACTIONS = {"Allow": Action.ACCEPT, "Accept": Action.ACCEPT, "Deny": Action.DENY, "Pass": Action.PASS}


def read_cluster_network_policy(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """A ClusterNetworkPolicy (``policy.networking.k8s.io/v1alpha2``): its tier and priority."""
    if reader.api_version_is(node, entries, api_version, _V1ALPHA2):
        _read(reader, node, entries, _CNP)


def read_admin_network_policy(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """An AdminNetworkPolicy (Admin tier) or a BaselineAdminNetworkPolicy (Baseline tier, named
    ``default``), ``policy.networking.k8s.io/v1alpha1``."""
    if reader.api_version_is(node, entries, api_version, _V1ALPHA1):
        _read(reader, node, entries, _ANP if kind == "AdminNetworkPolicy" else _BANP)


def _read(reader: Reader, node: yaml.MappingNode, entries: Entries, schema: _Schema) -> None:
    before = len(reader.errors)
    top = reader.entries(node, "", strict=True) or {}  # strict decoding checks the top level too
    reader.known(top, "", _TOP_FIELDS)
    # cluster-scoped: the API server clears metadata.namespace, so netsim ignores it
    name, _, _, meta = reader.metadata(node, entries, schema.kind, subdomain_errors, strict=True)
    if schema is _BANP and name is not None and name != "default":
        # A CEL rule at the root of the schema: the API server prints its field path as `<nil>`
        # (the rule has no fieldPath); netsim points at metadata.name, the field it is about.
        where = meta["name"][1] if "name" in meta else node
        hint = 'name it "default": a cluster has one BaselineAdminNetworkPolicy'
        reader.error(where, "metadata.name", _cel("object", _BANP_NAME), hint)
    spec_node = entries["spec"][1] if "spec" in entries and not is_null(entries["spec"][1]) else None
    if spec_node is None:
        reader.error(node, "spec", "Required value")
        return
    spec = reader.entries(spec_node, "spec")
    if spec is None:
        return
    fields = {"subject", "ingress", "egress"} | ({"tier", "priority"} if schema.v1alpha2 else set())
    if schema is _ANP:
        fields.add("priority")
    reader.known(spec, "spec", frozenset(fields))
    tier = Tier.ADMIN if schema is _ANP else Tier.BASELINE
    if schema.v1alpha2:
        text = _enum(reader, spec_node, spec, "tier", "spec.tier", ("Admin", "Baseline"))
        tier = Tier(text) if text is not None else tier
    priority: int | None = _BASELINE_ADMIN_PRIORITY
    if schema is not _BANP:
        priority = _integer(reader, spec_node, spec, "priority", "spec.priority", 0, 1000, required=True)
    subject = _subject(reader, spec_node, spec, schema)
    ingress = _rules(reader, spec_node, spec, "ingress", schema)
    egress = _rules(reader, spec_node, spec, "egress", schema)
    if name is None or len(reader.errors) > before or subject is None or priority is None:
        return
    key = (schema.kind, name)
    first = reader.cluster_policies.get(key)
    if first is not None:
        reader.duplicate(node, schema.kind, name, first.span)
        return
    reader.cluster_policies[key] = ClusterNetworkPolicy(
        schema.kind, name, tier, priority, subject, ingress, egress, reader.span(node)
    )


# -- the schema's checks, with the API server's messages -------------------------------------------


def _cel(type_name: str, message: str) -> str:
    """A CEL rule's failure: the API server prints the schema type, not the value
    (kubernetes/kubernetes#132528)."""
    return f"Invalid value: {format_value(type_name)}: {message}"


def _too_many(count: int, most: int) -> str:
    """apimachinery ``field.TooMany`` (MaxItems, MaxProperties)."""
    return f"Too many: {count}: must have at most {most} item{'' if most == 1 else 's'}"


def _present(entries: Entries, key: str) -> yaml.Node | None:
    """A field's value; None when omitted or null (the API server prunes a null it does not allow)."""
    kv = entries.get(key)
    return None if kv is None or is_null(kv[1]) else kv[1]


def _one_of(reader: Reader, node: yaml.Node, fld: str, entries: Entries, keys: tuple[str, ...]) -> str | None:
    """The one field set of a MinProperties=1/MaxProperties=1 struct; None (reported) if not one.

    As the OpenAPI validator, nothing inside is checked when the count is wrong.
    """
    present = [k for k in keys if _present(entries, k) is not None]
    if not present:
        # Not seen from a live API server: apiextensions maps MinProperties to a plain Invalid with
        # the OpenAPI validator's text; the value is the number of properties in current
        # kube-openapi (older versions put the minimum there: 1).
        reader.invalid(node, fld, 0, f"{fld} in body should have at least 1 properties")
        return None
    if len(present) > 1:
        reader.error(node, fld, _too_many(len(present), 1))
        return None
    return present[0]


def _mapping(
    reader: Reader, parent: yaml.Node, entries: Entries, key: str, fld: str
) -> tuple[yaml.Node, Entries] | None:
    """A required object field: its node and entries; None (reported) when missing or not a mapping."""
    node = _present(entries, key)
    if node is None:
        reader.error(parent, fld, "Required value")
        return None
    fields = reader.entries(node, fld)
    return None if fields is None else (node, fields)


def _list(
    reader: Reader,
    parent: yaml.Node,
    entries: Entries,
    key: str,
    fld: str,
    *,
    most: int,
    least: int = 0,
    required: bool = False,
) -> list[yaml.Node] | None:
    """A list field's items (``least``..``most`` of them: MinItems, MaxItems); None when omitted
    (reported when ``required``)."""
    node = _present(entries, key)
    if node is None:
        if required:
            reader.error(parent, fld, "Required value")
        return None
    return reader.bounded_items(node, fld, least, most)


def _integer(
    reader: Reader, parent: yaml.Node, entries: Entries, key: str, fld: str, least: int, most: int, *, required: bool
) -> int | None:
    """An integer field within ``least..most`` (the schema's Minimum and Maximum)."""
    node = _present(entries, key)
    if node is None:
        if required:
            reader.error(parent, fld, "Required value")
        return None
    return reader.bounded_integer(node, fld, least, most)


def _enum(
    reader: Reader, parent: yaml.Node, entries: Entries, key: str, fld: str, values: tuple[str, ...]
) -> str | None:
    """A required enum field."""
    node = _present(entries, key)
    if node is None:
        reader.error(parent, fld, "Required value")
        return None
    text = reader.string(node, fld)
    if text is None:
        return None
    if text not in values:
        hint = None
        close = [v for v in values if v.lower() == text.lower()]
        if close:
            hint = f"values are case-sensitive: write {close[0]}"
        elif text == "Allow" and "Accept" in values:
            hint = "v1alpha2 calls it Accept (Allow is v1alpha1's AdminNetworkPolicy)"
        elif text == "Accept" and "Allow" in values:
            hint = "v1alpha1 calls it Allow (Accept is v1alpha2's ClusterNetworkPolicy)"
        elif text == "Pass":
            hint = "a BaselineAdminNetworkPolicy cannot pass: it is the last tier"
        supported = ", ".join(format_value(v) for v in values)
        reader.error(node, fld, f"Unsupported value: {format_value(text)}: supported values: {supported}", hint)
        return None
    return text


def _string(reader: Reader, entries: Entries, key: str, fld: str, most: int | None = None) -> str | None:
    """An optional string field (at most ``most`` characters: the schema's MaxLength)."""
    node = _present(entries, key)
    if node is None:
        return None
    text = reader.string(node, fld)
    if text is not None and most is not None and len(text) > most:
        # kube-openapi counts characters; apimachinery's TooLong says "bytes" whatever the unit. The
        # wording is current apimachinery's; older API servers say "may not be longer than N".
        reader.error(node, fld, f"Too long: may not be more than {most} bytes")
        return None
    return text


# -- subject and rules -----------------------------------------------------------------------------


def _subject(reader: Reader, spec_node: yaml.Node, spec: Entries, schema: _Schema) -> PodPeer | None:
    found = _mapping(reader, spec_node, spec, "subject", "spec.subject")
    if found is None:
        return None
    node, fields = found
    reader.known(fields, "spec.subject", frozenset(_SUBJECT_FIELDS))
    which = _one_of(reader, node, "spec.subject", fields, _SUBJECT_FIELDS)
    if which is None:
        return None
    value = fields[which][1]
    if which == "namespaces":
        selector = reader.selector(value, "spec.subject.namespaces")
        return None if selector is None else PodPeer(selector, None, reader.span(node))
    return _namespaced_pod(reader, value, "spec.subject.pods", schema, node)


def _rules(
    reader: Reader, spec_node: yaml.Node, spec: Entries, direction: str, schema: _Schema
) -> tuple[ClusterRule, ...]:
    fld = f"spec.{direction}"
    items = _list(reader, spec_node, spec, direction, fld, most=schema.max_items) or []
    rules = [_rule(reader, item, f"{fld}[{i}]", direction, schema) for i, item in enumerate(items)]
    return tuple(r for r in rules if r is not None)


def _rule(reader: Reader, node: yaml.Node, fld: str, direction: str, schema: _Schema) -> ClusterRule | None:
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    peers_key = "from" if direction == "ingress" else "to"
    reader.known(entries, fld, frozenset({"name", "action", peers_key, schema.ports_key}))
    before = len(reader.errors)
    name = _string(reader, entries, "name", f"{fld}.name", _NAME_MAX)
    action = _enum(reader, node, entries, "action", f"{fld}.action", schema.actions)
    peer_keys = _INGRESS_PEERS if direction == "ingress" else schema.egress_peers
    peer_nodes = (
        _list(reader, node, entries, peers_key, f"{fld}.{peers_key}", most=schema.max_items, least=1, required=True)
        or []
    )
    peers: list[ClusterPeer] = []
    for k, item in enumerate(peer_nodes):
        peers.extend(_peer(reader, item, f"{fld}.{peers_key}[{k}]", peer_keys, schema))
    port_nodes = _list(
        reader, node, entries, schema.ports_key, f"{fld}.{schema.ports_key}", most=schema.max_items, least=1
    )
    ports: list[ClusterPort] | None = None
    if port_nodes is not None:
        ports = []
        for j, item in enumerate(port_nodes):
            path = f"{fld}.{schema.ports_key}[{j}]"
            read = _protocol(reader, item, path) if schema.v1alpha2 else _port(reader, item, path)
            if read is not None:
                ports.append(read)
    if direction == "egress" and _named_port_with_address_peer(peer_nodes, port_nodes or [], schema):
        # the experimental channel's CEL rule on the egress rule type
        reader.error(node, fld, _cel("object", schema.named_port_message))
    if len(reader.errors) > before or action is None:
        return None
    return ClusterRule(
        _ACTIONS[action], tuple(peers), None if ports is None else tuple(ports), name or None, reader.span(node)
    )


def _named_port_with_address_peer(peers: list[yaml.Node], ports: list[yaml.Node], schema: _Schema) -> bool:
    """The CEL rule's condition: a networks, nodes or domainNames peer, and a named port."""
    named = "destinationNamedPort" if schema.v1alpha2 else "namedPort"
    return any(_has(p, ("networks", "nodes", "domainNames")) for p in peers) and any(_has(p, (named,)) for p in ports)


def _has(node: yaml.Node, keys: tuple[str, ...]) -> bool:
    """CEL's ``has()`` on a mapping node, for any of ``keys``."""
    if not isinstance(node, yaml.MappingNode):
        return False
    return any(isinstance(k, yaml.ScalarNode) and k.value in keys and not is_null(v) for k, v in node.value)


# -- peers -----------------------------------------------------------------------------------------

#: The peer forms of network-policy-api v0.1.0-v0.1.2, which v0.1.3 removed
_OLD_NAMESPACES_FIELDS = ("namespaceSelector", "sameLabels", "notSameLabels")


def _peer(reader: Reader, node: yaml.Node, fld: str, keys: tuple[str, ...], schema: _Schema) -> list[ClusterPeer]:
    """One ``from``/``to`` item: a PodPeer, NodesPeer or DomainNamesPeer, or one IPBlockPeer per
    ``networks`` CIDR; [] when it has an error (reported)."""
    entries = reader.entries(node, fld)
    if entries is None:
        return []
    if _old_shape(reader, entries, fld):
        return []
    reader.known(entries, fld, frozenset(keys))
    which = _one_of(reader, node, fld, entries, keys)
    if which is None:
        return []
    value = entries[which][1]
    path = f"{fld}.{which}"
    span = reader.span(node)
    if which == "namespaces":
        selector = reader.selector(value, path)
        return [] if selector is None else [PodPeer(selector, None, span)]
    if which == "pods":
        pods = _namespaced_pod(reader, value, path, schema, node)
        return [] if pods is None else [pods]
    if which == "nodes":
        selector = reader.selector(value, path)
        return [] if selector is None else [NodesPeer(selector, span)]
    items = _list(reader, node, entries, which, path, most=_SET_MAX, least=1, required=True) or []
    texts = _set(reader, items, path)
    if which == "networks":
        blocks: list[ClusterPeer] = []
        for item, where, text in texts:
            net = _cidr(reader, item, text, where)
            if net is not None:
                blocks.append(IPBlockPeer(net, (), reader.span(item)))
        return blocks
    names: list[str] = []
    pattern = _DOMAIN_RE[schema.domain_pattern]
    for item, where, text in texts:
        if pattern.search(text) is None:
            reader.invalid(item, where, text, f"{where} in body should match '{schema.domain_pattern}'")
        else:
            names.append(text)
    return [DomainNamesPeer(tuple(names), span)] if names else []


def _old_shape(reader: Reader, entries: Entries, fld: str) -> bool:
    """Report the peer forms of network-policy-api v0.1.0-v0.1.2 (True if there is one).

    An error in strict and lax decoding alike: dropped as unknown fields they would leave an empty
    selector, which selects every namespace.
    """
    found = False
    namespaces = _present(entries, "namespaces")
    fields = _keys(namespaces)
    for old in _OLD_NAMESPACES_FIELDS:
        if old in fields:
            found = True
            if old == "namespaceSelector":
                how = "namespaces is the namespace selector itself: write namespaces: {matchLabels: ...}"
            else:
                how = "it has no equivalent: select the namespaces by their labels (namespaces: {matchLabels: ...})"
            reader.error(
                fields[old],
                f"{fld}.namespaces.{old}",
                f'unknown field "{old}": namespaces: {{{old}: ...}} belongs to network-policy-api v0.1.0-v0.1.2; '
                f"in the current schema (v0.1.3 and later) {how}",
            )
    pods = _present(entries, "pods")
    pod_fields = _keys(pods)
    if "namespaces" in pod_fields:
        found = True
        reader.error(
            pod_fields["namespaces"],
            f"{fld}.pods.namespaces",
            'unknown field "namespaces": pods: {namespaces: {namespaceSelector: ...}, podSelector: ...} belongs to '
            "network-policy-api v0.1.0-v0.1.2; in the current schema (v0.1.3 and later) write "
            "pods: {namespaceSelector: {matchLabels: ...}, podSelector: {...}}",
        )
    return found


def _keys(node: yaml.Node | None) -> dict[str, yaml.Node]:
    """A mapping node's keys (their nodes, for positions) by name; {} for anything else."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _namespaced_pod(reader: Reader, node: yaml.Node, fld: str, schema: _Schema, peer_node: yaml.Node) -> PodPeer | None:
    """``pods``: a namespace selector and a pod selector (v1alpha2: the namespace selector may be
    omitted, selecting every namespace; v1alpha1 requires both)."""
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, _NAMESPACED_POD_FIELDS)
    before = len(reader.errors)
    ns_node = _present(entries, "namespaceSelector")
    pod_node = _present(entries, "podSelector")
    ns_sel: LabelSelector | None = LabelSelector()
    if ns_node is not None:
        ns_sel = reader.selector(ns_node, f"{fld}.namespaceSelector")
    elif not schema.v1alpha2:
        reader.error(node, f"{fld}.namespaceSelector", "Required value")
    pod_sel: LabelSelector | None = None
    if pod_node is not None:
        pod_sel = reader.selector(pod_node, f"{fld}.podSelector")
    else:
        reader.error(node, f"{fld}.podSelector", "Required value")
    if len(reader.errors) > before or ns_sel is None or pod_sel is None:
        return None
    return PodPeer(ns_sel, pod_sel, reader.span(peer_node))


def _set(reader: Reader, items: list[yaml.Node], fld: str) -> list[tuple[yaml.Node, str, str]]:
    """The strings of a ``listType: set`` list with their field paths; a repeated one is
    ``Duplicate value``."""
    out: list[tuple[yaml.Node, str, str]] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"{fld}[{i}]"
        text = reader.string(item, where)
        if text is None:
            continue
        if text in seen:
            reader.error(item, where, f"Duplicate value: {format_value(text)}")
            continue
        seen.add(text)
        out.append((item, where, text))
    return out


def _cidr(reader: Reader, node: yaml.Node, text: str, fld: str) -> IPNetwork | None:
    """A ``networks`` entry: at most 43 characters, and CEL's ``isCIDR``."""
    if len(text) > _CIDR_MAX_LENGTH:
        reader.error(node, fld, f"Too long: may not be more than {_CIDR_MAX_LENGTH} bytes")
        return None
    net, problem = _is_cidr(text)
    if net is None:
        reader.error(node, fld, _cel("string", _INVALID_CIDR), problem)
    return net


def _is_cidr(text: str) -> tuple[IPNetwork | None, str]:
    """The network of a CIDR as the API server's CEL ``isCIDR`` reads it (Go's ``netip.ParsePrefix``),
    or None and why not: an address and a decimal prefix length without sign or leading zeros;
    IPv4 octets without leading zeros; no IPv6 zone; no IPv4-mapped IPv6 address. Host bits may be
    set (they are masked: ``10.0.0.1/8`` is ``10.0.0.0/8``)."""
    addr, slash, bits = text.partition("/")
    if not slash:
        return None, "a CIDR has a prefix length: write 10.0.0.0/8, or 10.0.0.1/32 for one address"
    if not bits.isascii() or not bits.isdigit() or (len(bits) > 1 and bits[0] == "0"):
        return None, "the prefix length is a decimal number without leading zeros"
    if "%" in addr:
        return None, "an IPv6 zone (%...) is not allowed"
    try:
        address = ip_address(addr)  # rejects IPv4 octets with leading zeros, as Go does
    except ValueError:
        return None, f"{addr!r} is not an IP address (IPv4 octets have no leading zeros)"
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return None, "an IPv4-mapped IPv6 address is not allowed: write the IPv4 CIDR"
    width = 32 if isinstance(address, IPv4Address) else 128
    if int(bits) > width:
        return None, f"the prefix length of an IPv{address.version} CIDR is at most {width}"
    return ip_network(f"{address}/{int(bits)}", strict=False), ""


# -- ports -----------------------------------------------------------------------------------------


def _port(reader: Reader, node: yaml.Node, fld: str) -> ClusterPort | None:
    """A v1alpha1 ``ports`` entry: portNumber, portRange (protocol defaulted to TCP) or namedPort.

    The API server accepts two things no implementation can match, which netsim reads as an entry
    that matches nothing (dropped, with a warning): a protocol other than TCP, UDP and SCTP (the
    CRD has no enum) and a portRange whose start is above its end (v1alpha1 does not check it).
    """
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, frozenset(_PORT_FIELDS))
    which = _one_of(reader, node, fld, entries, _PORT_FIELDS)
    if which is None:
        return None
    value = entries[which][1]
    path = f"{fld}.{which}"
    if which == "namedPort":
        name = reader.string(value, path)
        return None if name is None else ClusterPort(None, name, None, reader.span(node))
    fields = reader.entries(value, path)
    if fields is None:
        return None
    numbers = ("port",) if which == "portNumber" else ("start", "end")
    reader.known(fields, path, frozenset({"protocol", *numbers}))
    before = len(reader.errors)
    protocol = _v1alpha1_protocol(reader, fields, path)
    values = [_integer(reader, value, fields, k, f"{path}.{k}", 1, 65535, required=True) for k in numbers]
    if len(reader.errors) > before or any(v is None for v in values):
        return None
    if protocol is None:
        return None
    start, end = values[0], values[-1]
    assert start is not None
    assert end is not None
    if end < start:
        reader.warn(
            value,
            path,
            f"start {start} is above end {end}: the API server accepts this portRange (v1alpha1 does not "
            "check it), but it matches no port; read as matching nothing",
        )
        return None
    return ClusterPort(protocol, start, end if which == "portRange" else None, reader.span(node))


def _v1alpha1_protocol(reader: Reader, fields: Entries, fld: str) -> Protocol | None:
    """``protocol``, defaulted to TCP by the CRD; None (with a warning) for one that matches nothing."""
    node = _present(fields, "protocol")
    if node is None:
        return Protocol.TCP
    text = reader.string(node, f"{fld}.protocol")
    if text is None:
        return None
    protocol = _PROTOCOLS.get(text)
    if protocol is None:
        reader.warn(
            node,
            f"{fld}.protocol",
            f'{format_value(text)} is not "TCP", "UDP" or "SCTP": the API server accepts it (the CRD has no enum), '
            "but it matches no traffic (protocols are case-sensitive); read as matching nothing",
        )
    return protocol


def _protocol(reader: Reader, node: yaml.Node, fld: str) -> ClusterPort | None:
    """A v1alpha2 ``protocols`` entry: tcp, udp or sctp with a destinationPort (a number or a range),
    or destinationNamedPort."""
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, frozenset(_PROTOCOL_FIELDS))
    which = _one_of(reader, node, fld, entries, _PROTOCOL_FIELDS)
    if which is None:
        return None
    value = entries[which][1]
    path = f"{fld}.{which}"
    if which == "destinationNamedPort":
        name = reader.string(value, path)
        return None if name is None else ClusterPort(None, name, None, reader.span(node))
    fields = reader.entries(value, path)
    if fields is None:
        return None
    reader.known(fields, path, frozenset({"destinationPort"}))
    dest = _present(fields, "destinationPort")
    if dest is None:  # MinProperties=1 on tcp/udp/sctp: destinationPort is the only property
        reader.invalid(value, path, 0, f"{path} in body should have at least 1 properties")
        return None
    path = f"{path}.destinationPort"
    port = reader.entries(dest, path)
    if port is None:
        return None
    reader.known(port, path, frozenset({"number", "range"}))
    kind = _one_of(reader, dest, path, port, ("number", "range"))
    protocol = _PROTOCOLS[which.upper()]
    if kind == "number":
        number = _integer(reader, dest, port, "number", f"{path}.number", 1, 65535, required=True)
        return None if number is None else ClusterPort(protocol, number, None, reader.span(node))
    if kind is None:
        return None
    range_node = port["range"][1]
    path = f"{path}.range"
    bounds = reader.entries(range_node, path)
    if bounds is None:
        return None
    reader.known(bounds, path, frozenset({"start", "end"}))
    start = _integer(reader, range_node, bounds, "start", f"{path}.start", 1, 65535, required=True)
    end = _integer(reader, range_node, bounds, "end", f"{path}.end", 1, 65535, required=True)
    if start is None or end is None:
        return None
    if not start < end:  # CEL on PortRange: self.start < self.end
        reader.error(range_node, path, _cel("object", _RANGE_ORDER), f"start {start}, end {end}")
        return None
    return ClusterPort(protocol, start, end, reader.span(node))


#: The three kinds of policy.networking.k8s.io netsim evaluates (no other kind of the group exists).
FAMILY = Family(
    "clusterpolicy",
    by_group={
        (_GROUP, "ClusterNetworkPolicy"): read_cluster_network_policy,
        (_GROUP, "AdminNetworkPolicy"): read_admin_network_policy,
        (_GROUP, "BaselineAdminNetworkPolicy"): read_admin_network_policy,
    },
)
