"""``networking.k8s.io/v1`` NetworkPolicy: strict decoding, the API server's defaulting
(``policyTypes``, ``protocol: TCP``) and validation, with its messages.

Strict as ``kubectl apply --validate=strict``: unknown fields and duplicate keys are errors (with
``--lax``, warnings: unknown fields dropped, the last duplicate kept). A policy with an error is
not recorded; every error of the run is reported.
"""

from __future__ import annotations

import yaml

from netsim.loader.core import INT_TAG, STRING_TAGS, Entries, Family, Reader, is_null
from netsim.model import Direction, IPBlockPeer, IPNetwork, LabelSelector, NetworkPolicy, Peer, PodPeer, PortSpec, Rule
from netsim.validation import format_value, parse_cidr, port_name_errors, port_number_errors, subdomain_errors

__all__ = ["FAMILY", "read_network_policy"]

_POLICY_FIELDS = frozenset({"apiVersion", "kind", "metadata", "spec", "status"})
_POLICY_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
_RULE_FIELDS = {"from": frozenset({"from", "ports"}), "to": frozenset({"to", "ports"})}
_PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
_IPBLOCK_FIELDS = frozenset({"cidr", "except"})
_PORT_FIELDS = frozenset({"protocol", "port", "endPort"})


def read_network_policy(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """A NetworkPolicy, decoded strictly, defaulted and validated; recorded only when it has no error.

    Only ``networking.k8s.io/v1`` is supported: another apiVersion (``extensions/v1beta1``, ...) is
    reported. List items may omit ``apiVersion``: they are read as ``networking.k8s.io/v1``.
    """
    api = entries.get("apiVersion")
    api_text = reader.string(api[1], "apiVersion") if api else "networking.k8s.io/v1"  # list items omit it
    if api_text is None:  # not a string: reported as a type error
        return
    if api_text != "networking.k8s.io/v1":
        where = api[1] if api else node
        reader.error(
            where,
            "apiVersion",
            f'Unsupported value: {format_value(api_text)}: supported values: "networking.k8s.io/v1"',
        )
        return
    # strict decoding also checks the top level (Reader.one_object skipped duplicate keys)
    top = reader.entries(node, "", strict=True) or {}
    reader.known(top, "", _POLICY_FIELDS)
    name, namespace, _, _ = reader.metadata(node, entries, "NetworkPolicy", subdomain_errors, strict=True)
    before = len(reader.errors)
    spec = reader.entries(entries["spec"][1], "spec") if "spec" in entries and not is_null(entries["spec"][1]) else {}
    spec = spec or {}
    reader.known(spec, "spec", _POLICY_SPEC_FIELDS)
    pod_selector = LabelSelector()
    if "podSelector" in spec and not is_null(spec["podSelector"][1]):
        pod_selector = reader.selector(spec["podSelector"][1], "spec.podSelector") or LabelSelector()
    ingress = (
        tuple(
            _rule(reader, r, f"spec.ingress[{i}]", "from")
            for i, r in enumerate(reader.items(spec["ingress"][1], "spec.ingress"))
        )
        if "ingress" in spec
        else ()
    )
    egress = (
        tuple(
            _rule(reader, r, f"spec.egress[{i}]", "to")
            for i, r in enumerate(reader.items(spec["egress"][1], "spec.egress"))
        )
        if "egress" in spec
        else ()
    )
    types, defaulted = _policy_types(reader, spec, egress)
    if name is None or len(reader.errors) > before:
        return
    ref = f"{namespace}/{name}"
    if ref in reader.policies:
        reader.duplicate(node, "NetworkPolicy", ref, reader.policies[ref].span)
        return
    reader.policies[ref] = NetworkPolicy(
        namespace,
        name,
        pod_selector,
        frozenset(types),
        tuple(r for r in ingress if r is not None),
        tuple(r for r in egress if r is not None),
        reader.span(node),
        defaulted,
        pod_selector_span=reader.span(spec["podSelector"][0]) if "podSelector" in spec else None,
        egress_span=reader.span(spec["egress"][0]) if "egress" in spec else None,
    )


def _policy_types(reader: Reader, spec: Entries, egress: tuple[Rule | None, ...]) -> tuple[set[Direction], bool]:
    raw: list[tuple[yaml.Node, str]] = []
    list_node = spec["policyTypes"][1] if "policyTypes" in spec else None
    if list_node is not None:
        for i, item in enumerate(reader.items(list_node, "spec.policyTypes")):
            text = reader.string(item, f"spec.policyTypes[{i}]")
            if text is not None:
                raw.append((item, text))
    if not raw:  # defaulting (docs/semantics.md, "Defaulting"): Ingress always, Egress iff egress rules
        types = {Direction.INGRESS}
        if egress:
            types.add(Direction.EGRESS)
        return types, True
    if len(raw) > 2:
        assert list_node is not None
        shown = "[]networking.PolicyType{" + ", ".join(format_value(t) for _, t in raw) + "}"
        reader.error(
            list_node, "spec.policyTypes", f"Invalid value: {shown}: may not specify more than two policyTypes"
        )
        return set(), False
    types = set()
    for i, (item, text) in enumerate(raw):
        if text in ("Ingress", "Egress"):
            types.add(Direction(text))
        else:
            reader.error(
                item,
                f"spec.policyTypes[{i}]",
                f'Unsupported value: {format_value(text)}: supported values: "Ingress", "Egress"',
            )
    return types, False


def _rule(reader: Reader, node: yaml.Node, fld: str, peers_key: str) -> Rule | None:
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, _RULE_FIELDS[peers_key])
    ports = (
        [_port(reader, p, f"{fld}.ports[{j}]") for j, p in enumerate(reader.items(entries["ports"][1], f"{fld}.ports"))]
        if "ports" in entries
        else []
    )
    peers = (
        [
            _peer(reader, p, f"{fld}.{peers_key}[{k}]")
            for k, p in enumerate(reader.items(entries[peers_key][1], f"{fld}.{peers_key}"))
        ]
        if peers_key in entries
        else []
    )
    if any(p is None for p in ports) or any(p is None for p in peers):
        return None
    return Rule(tuple(p for p in peers if p is not None), tuple(p for p in ports if p is not None), reader.span(node))


def _port(reader: Reader, node: yaml.Node, fld: str) -> PortSpec | None:
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, _PORT_FIELDS)
    before = len(reader.errors)
    proto = reader.protocol(entries, fld)
    port: int | str | None = None
    port_node = entries["port"][1] if "port" in entries and not is_null(entries["port"][1]) else None
    if port_node is not None:
        if isinstance(port_node, yaml.ScalarNode) and port_node.tag == INT_TAG:
            port = reader.integer(port_node, f"{fld}.port")
            if port is None:
                return None
        elif isinstance(port_node, yaml.ScalarNode) and port_node.tag in STRING_TAGS:
            port = str(port_node.value)
        else:
            reader.type_error(port_node, f"{fld}.port", "an integer or a port name")
            return None
    end_port = None
    end_node = entries["endPort"][1] if "endPort" in entries and not is_null(entries["endPort"][1]) else None
    if end_node is not None:
        end_port = reader.integer(end_node, f"{fld}.endPort")
        if end_port is None:
            return None
    if isinstance(port, int):
        assert port_node is not None
        for msg in port_number_errors(port):
            reader.invalid(port_node, f"{fld}.port", port, msg)
        if end_port is not None and end_node is not None:
            if end_port < port:  # the API server prints `port` here, not endPort
                reader.error(
                    end_node,
                    f"{fld}.endPort",
                    f"Invalid value: {port}: must be greater than or equal to `port`",
                    f"endPort {end_port} is below port {port}",
                )
            for msg in port_number_errors(end_port):
                reader.invalid(end_node, f"{fld}.endPort", end_port, msg)
    elif isinstance(port, str):
        assert port_node is not None
        if end_port is not None and end_node is not None:
            reader.invalid(end_node, f"{fld}.endPort", end_port, "may not be specified when `port` is non-numeric")
        hint = None
        if port and all(c.isdigit() or c == "-" for c in port):
            hint = "a string port is a named port; write a number (port: 80) or a range (port: 1, endPort: 65535)"
        for msg in port_name_errors(port):
            reader.error(port_node, f"{fld}.port", f"Invalid value: {format_value(port)}: {msg}", hint)
            hint = None
    elif end_port is not None and end_node is not None:
        reader.invalid(end_node, f"{fld}.endPort", end_port, "may not be specified when `port` is not specified")
    if len(reader.errors) > before or proto is None:
        return None
    return PortSpec(proto, port, end_port, reader.span(node))


def _peer(reader: Reader, node: yaml.Node, fld: str) -> Peer | None:
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, _PEER_FIELDS)
    present = {k for k in _PEER_FIELDS if k in entries and not is_null(entries[k][1])}
    ns_sel = pod_sel = block = None
    before = len(reader.errors)
    if "podSelector" in present:
        pod_sel = reader.selector(entries["podSelector"][1], f"{fld}.podSelector")
    if "namespaceSelector" in present:
        ns_sel = reader.selector(entries["namespaceSelector"][1], f"{fld}.namespaceSelector")
    if "ipBlock" in present:
        block = _ip_block(reader, entries["ipBlock"][1], f"{fld}.ipBlock")
    if not present:
        reader.error(node, fld, "Required value: must specify a peer")
    elif len(present) > 1 and "ipBlock" in present:
        reader.error(node, fld, "Forbidden: may not specify both ipBlock and another peer")
    if len(reader.errors) > before:
        return None
    if block is not None:
        return block
    return PodPeer(ns_sel, pod_sel, reader.span(node))


def _ip_block(reader: Reader, node: yaml.Node, fld: str) -> IPBlockPeer | None:
    entries = reader.entries(node, fld)
    if entries is None:
        return None
    reader.known(entries, fld, _IPBLOCK_FIELDS)
    cidr_node = entries["cidr"][1] if "cidr" in entries else None
    cidr_text = reader.string(cidr_node, f"{fld}.cidr") if cidr_node is not None and not is_null(cidr_node) else ""
    if cidr_text is None:
        return None
    if cidr_text == "":
        reader.error(cidr_node or node, f"{fld}.cidr", "Required value")
        return None
    assert cidr_node is not None
    before = len(reader.errors)
    cidr = reader.cidr(cidr_node, f"{fld}.cidr", cidr_text)
    # the subset check runs on what ParseCIDRSloppy reads, even when strict checks failed
    net = parse_cidr(cidr_text, strict=False)[0]
    excepts: list[IPNetwork] = []
    except_nodes = reader.items(entries["except"][1], f"{fld}.except") if "except" in entries else []
    for i, item in enumerate(except_nodes):
        path = f"{fld}.except[{i}]"
        text = reader.string(item, path)
        if text is None or net is None:
            continue
        exc = reader.cidr(item, path, text)
        sub = parse_cidr(text, strict=False)[0]
        if sub is None:
            continue
        if sub.version != net.version or sub.network_address not in net or net.prefixlen >= sub.prefixlen:
            reader.invalid(item, path, text, "must be a strict subset of `cidr`")
            continue
        if exc is not None:
            excepts.append(exc)
    if cidr is None or len(reader.errors) > before:
        return None
    return IPBlockPeer(cidr, tuple(excepts), reader.span(node))


#: Read whatever the apiVersion's group: the reader reports any apiVersion but networking.k8s.io/v1
#: (NetworkPolicy kinds of other APIs, such as crd.antrea.io's, are registered for their group by
#: the ``foreign`` family, which takes precedence).
FAMILY = Family("networkpolicy", any_group={"NetworkPolicy": read_network_policy})
