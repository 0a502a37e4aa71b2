"""Services (``v1``) and EndpointSlices (``discovery.k8s.io/v1``): how traffic reaches pods.

Both are read as Pods are, for the fields netsim models only, so ``kubectl get -o yaml`` output
(``status``, ``managedFields``, ``ipFamilies``, ``sessionAffinity``, ...) loads as it is; the
values of the fields read are defaulted and validated as the API server does, with its messages:
a Service as ``SetDefaults_Service`` (pkg/apis/core/v1/defaults.go) and ``ValidateService``
(pkg/apis/core/validation/validation.go) after the create strategy has copied ``clusterIP`` into
``clusterIPs``; an EndpointSlice as ``SetDefaults_EndpointPort`` (pkg/apis/discovery/v1/defaults.go)
and ``ValidateEndpointSlice`` (pkg/apis/discovery/validation/validation.go). An object with an error
is not recorded. docs/services.md lists the rules.
"""

from __future__ import annotations

import yaml

from netsim.loader.core import Entries, Family, Reader, is_null, plain_entries, plain_int, plain_str
from netsim.model import (
    EndpointSlice,
    IPAddress,
    Labels,
    Protocol,
    Service,
    ServicePort,
    ServiceType,
    SliceEndpoint,
    SlicePort,
)
from netsim.validation import (
    dns1035_label_errors,
    endpoint_ip_errors,
    format_value,
    ip_errors,
    ip_family_errors,
    namespace_name_errors,
    parse_ip_sloppy,
    port_name_errors,
    port_number_errors,
    subdomain_errors,
)

__all__ = ["FAMILY", "SERVICE_NAME_LABEL", "read_endpoint_slice", "read_service"]

#: The label by which an EndpointSlice names its Service.
SERVICE_NAME_LABEL = "kubernetes.io/service-name"

_SERVICE_TYPES = {t.value: t for t in ServiceType}
_PROTOCOLS = {p.value: p for p in Protocol}
_TRAFFIC_POLICIES = ("Cluster", "Local")
_ADDRESS_TYPES = ("FQDN", "IPv4", "IPv6")
_IP_VERSIONS = {"IPv4": 4, "IPv6": 6}
# the validators list the values of a Go set, sorted
_SUPPORTED_PROTOCOLS = '"SCTP", "TCP", "UDP"'
_SUPPORTED_TYPES = ", ".join(format_value(t) for t in sorted(_SERVICE_TYPES))
_SUPPORTED_POLICIES = ", ".join(format_value(p) for p in _TRAFFIC_POLICIES)
_SUPPORTED_ADDRESS_TYPES = ", ".join(format_value(t) for t in _ADDRESS_TYPES)
_MAX_ENDPOINTS = 1000
_MAX_ADDRESSES = 100


# -- Service -----------------------------------------------------------------------------------------


def read_service(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """A Service: its type, selector, ports, cluster IPs, external and load-balancer addresses."""
    if not reader.api_version_is(node, entries, api_version, "v1", absent_ok=True):
        return
    before = len(reader.errors)
    name, namespace, _, _ = reader.metadata(node, entries, "Service", dns1035_label_errors, strict=False)
    spec_node = entries["spec"][1] if "spec" in entries and not is_null(entries["spec"][1]) else None
    spec = (reader.entries(spec_node, "spec", strict=False) or {}) if spec_node is not None else {}
    where = spec_node if spec_node is not None else node  # where a field the spec lacks is reported
    type_text = _string(reader, spec, "type", "spec.type")
    if type_text is None:
        return
    type_text = type_text or ServiceType.CLUSTER_IP.value  # "" is defaulted too
    if type_text not in _SERVICE_TYPES:
        reader.error(
            spec["type"][1],
            "spec.type",
            f"Unsupported value: {format_value(type_text)}: supported values: {_SUPPORTED_TYPES}",
        )
    cluster_ips, headless = _cluster_ips(reader, spec, type_text)
    ports = _ports(reader, spec, where, type_text, headless)
    selector = None
    if "selector" in spec and not is_null(spec["selector"][1]):
        labels = reader.string_map(spec["selector"][1], "spec.selector", labels=True)
        selector = Labels(labels) if labels else None
    external_ips, listed = _external_ips(reader, spec)
    external_name = _external_name(reader, spec, where) if type_text == ServiceType.EXTERNAL_NAME else None
    accessible = type_text in (ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER) or (
        type_text == ServiceType.CLUSTER_IP and listed > 0
    )
    policy = _external_traffic_policy(reader, spec, accessible)
    lb_ips = _load_balancer_ips(reader, spec, entries) if type_text == ServiceType.LOAD_BALANCER else ()
    if name is None or len(reader.errors) > before:
        return
    ref = f"{namespace}/{name}"
    first = reader.services.get(ref)
    if first is not None:
        reader.duplicate(node, "Service", ref, first.span)
        return
    reader.services[ref] = Service(
        namespace,
        name,
        _SERVICE_TYPES[type_text],
        selector,
        tuple(ports),
        tuple(cluster_ips),
        headless,
        tuple(external_ips),
        lb_ips,
        external_name,
        policy,
        reader.span(node),
    )


def _cluster_ips(reader: Reader, spec: Entries, type_text: str) -> tuple[list[IPAddress], bool]:
    """``clusterIPs`` (the create strategy fills it from ``clusterIP`` when only that is given),
    validated as ``ValidateServiceClusterIPsRelatedFields`` does; and whether the Service is
    headless (``clusterIPs: [None]``)."""
    single = _string(reader, spec, "clusterIP", "spec.clusterIP")
    single_node = spec["clusterIP"][1] if "clusterIP" in spec else None
    plural_node = spec["clusterIPs"][1] if "clusterIPs" in spec else None
    plural: list[tuple[str, yaml.Node]] = []
    for i, item in enumerate(reader.items(plural_node, "spec.clusterIPs") if plural_node is not None else []):
        text = _text(reader, item, f"spec.clusterIPs[{i}]")
        if text is None:
            return [], False
        plural.append((text, item))
    if single is None:
        return [], False
    if single and not plural and single_node is not None:
        plural = [(single, single_node)]
        plural_node = single_node
    values = [text for text, _ in plural]
    if type_text == ServiceType.EXTERNAL_NAME:
        if plural and plural_node is not None:
            reader.error(plural_node, "spec.clusterIPs", "Forbidden: may not be set for ExternalName services")
        return [], False
    if plural_node is None:
        return [], False
    if single and values[0] != single:
        reader.error(
            plural_node, "spec.clusterIPs", f"Invalid value: {_go_strings(values)}: first value must match `clusterIP`"
        )
    elif not single and values:
        reader.error(
            plural_node,
            "spec.clusterIPs",
            f"Invalid value: {_go_strings(values)}: must be empty when `clusterIP` is not specified",
        )
    invalid = False
    ips: list[IPAddress] = []
    for i, (text, item) in enumerate(plural):
        if i == 0 and text == "None":
            if len(plural) > 1:
                invalid = True
                reader.error(
                    plural_node,
                    "spec.clusterIPs",
                    f"Invalid value: {_go_strings(values)}: 'None' must be the first and only value",
                )
            continue
        for msg in ip_errors(text):
            invalid = True
            reader.invalid(item, f"spec.clusterIPs[{i}]", text, msg)
        ip = parse_ip_sloppy(text)
        if ip is not None:
            ips.append(ip)
    if len(plural) > 2:
        reader.error(
            plural_node, "spec.clusterIPs", f"Invalid value: {_go_strings(values)}: may only hold up to 2 values"
        )
    if not invalid and len(plural) > 1 and len({ip.version for ip in ips}) < 2:
        reader.error(
            plural_node,
            "spec.clusterIPs",
            f"Invalid value: {_go_strings(values)}: may specify no more than one IP for each IP family",
        )
    headless = values == ["None"]
    if headless and type_text in (ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER):
        reader.invalid(plural[0][1], "spec.clusterIPs[0]", "None", f"may not be set to 'None' for {type_text} services")
    return ips, headless


def _ports(reader: Reader, spec: Entries, where: yaml.Node, type_text: str, headless: bool) -> list[ServicePort]:
    """``spec.ports``, defaulted (``protocol: TCP``, ``targetPort`` = ``port``) and validated as
    ``validateServicePort`` and ``ValidateService`` do."""
    ports_node = spec["ports"][1] if "ports" in spec else None
    items = reader.items(ports_node, "spec.ports") if ports_node is not None else []
    if not items and not headless and type_text != ServiceType.EXTERNAL_NAME:
        reader.error(
            ports_node if ports_node is not None and not is_null(ports_node) else where, "spec.ports", "Required value"
        )
    names: set[str] = set()
    numbers: set[tuple[str, int]] = set()  # (protocol, port): one of each
    node_ports: set[tuple[str, int]] = set()  # (protocol, nodePort): one of each
    out: list[ServicePort] = []
    for i, item in enumerate(items):
        fld = f"spec.ports[{i}]"
        fields = plain_entries(item)
        if fields is None:
            fields = reader.entries(item, fld, strict=False)
            if fields is None:
                continue
        name = _string(reader, fields, "name", f"{fld}.name")
        name_node = fields["name"][1] if "name" in fields else item
        if name is not None:
            if len(items) > 1 and not name:
                reader.error(name_node, f"{fld}.name", "Required value")
            elif name:
                for msg in namespace_name_errors(name):  # a DNS-1123 label
                    reader.invalid(name_node, f"{fld}.name", name, msg)
                if name in names:
                    reader.error(name_node, f"{fld}.name", f"Duplicate value: {format_value(name)}")
                names.add(name)
        port = _integer(reader, fields, "port", f"{fld}.port")
        if port is not None:
            for msg in port_number_errors(port):
                reader.invalid(fields["port"][1] if "port" in fields else item, f"{fld}.port", port, msg)
        protocol = _string(reader, fields, "protocol", f"{fld}.protocol")
        if protocol is not None:
            protocol = protocol or Protocol.TCP.value
            if protocol not in _PROTOCOLS:
                reader.error(
                    fields["protocol"][1],
                    f"{fld}.protocol",
                    f"Unsupported value: {format_value(protocol)}: supported values: {_SUPPORTED_PROTOCOLS}",
                )
        target = _target_port(reader, fields, fld)
        node_port = _node_port(reader, fields, fld, type_text)
        if protocol is None or port is None:
            continue
        if node_port and (protocol, node_port) in node_ports:
            reader.error(fields["nodePort"][1], f"{fld}.nodePort", f"Duplicate value: {node_port}")
        if node_port:
            node_ports.add((protocol, node_port))
        if (protocol, port) in numbers:
            reader.error(item, fld, f"Duplicate value: {_go_service_port(protocol, port)}")
        numbers.add((protocol, port))
        if target is None or protocol not in _PROTOCOLS:
            continue
        kept_node_port = node_port if type_text in (ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER) else None
        out.append(
            ServicePort(
                port, target or port, _PROTOCOLS[protocol], name or None, kept_node_port or None, reader.span(item)
            )
        )
    return out


def _target_port(reader: Reader, fields: Entries, fld: str) -> int | str | None:
    """``targetPort``: a number or a port name; 0 (the default when omitted, null, 0 or "") stands
    for the Service port. None when invalid (reported)."""
    kv = fields.get("targetPort")
    if kv is None or is_null(kv[1]):
        return 0
    value = kv[1]
    path = f"{fld}.targetPort"
    number = plain_int(value)
    if number is None and value.tag == "tag:yaml.org,2002:int" and isinstance(value, yaml.ScalarNode):
        number = reader.integer(value, path)
        if number is None:
            return None
    if number is not None:
        if number == 0:
            return 0
        problems = port_number_errors(number)
        for msg in problems:
            reader.invalid(value, path, number, msg)
        return None if problems else number
    text = plain_str(value)
    if text is None:
        reader.type_error(value, path, "integer or string")
        return None
    if text == "":
        return 0
    problems = port_name_errors(text)
    for msg in problems:
        reader.invalid(value, path, text, msg)
    return None if problems else text


def _node_port(reader: Reader, fields: Entries, fld: str, type_text: str) -> int:
    """``nodePort``: 0 when omitted (the cluster allocates one for NodePort and LoadBalancer).

    Forbidden on a ClusterIP Service. The cluster's port allocator accepts only its node port
    range, which netsim cannot know: a NodePort or LoadBalancer Service's is only checked to be a
    port number; an ExternalName Service's is allocated by no one and not checked.
    """
    number = _integer(reader, fields, "nodePort", f"{fld}.nodePort")
    if not number:
        return 0
    value = fields["nodePort"][1]
    if type_text == ServiceType.CLUSTER_IP:
        reader.error(value, f"{fld}.nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")
    elif type_text in (ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER):
        for msg in port_number_errors(number):
            reader.invalid(value, f"{fld}.nodePort", number, msg)
    return number


def _external_ips(reader: Reader, spec: Entries) -> tuple[list[IPAddress], int]:
    """``spec.externalIPs``, valid and not special (``ValidateEndpointIP``); and how many are listed."""
    out: list[IPAddress] = []
    items = reader.items(spec["externalIPs"][1], "spec.externalIPs") if "externalIPs" in spec else []
    for i, item in enumerate(items):
        fld = f"spec.externalIPs[{i}]"
        text = _text(reader, item, fld)
        if text is None:
            continue
        problems = ip_errors(text) or endpoint_ip_errors(text)
        for msg in problems:
            reader.invalid(item, fld, text, msg)
        ip = parse_ip_sloppy(text)
        if not problems and ip is not None and ip not in out:
            out.append(ip)
    return out, len(items)


def _external_name(reader: Reader, spec: Entries, where: yaml.Node) -> str | None:
    """``spec.externalName`` of an ExternalName Service: a DNS-1123 subdomain, with or without the
    final dot of a fully qualified name (kept without it)."""
    text = _string(reader, spec, "externalName", "spec.externalName")
    if text is None:
        return None
    node = spec["externalName"][1] if "externalName" in spec else where
    name = text.removesuffix(".")
    if not name:
        reader.error(node, "spec.externalName", "Required value")
        return None
    for msg in subdomain_errors(name):
        reader.invalid(node, "spec.externalName", name, msg)
    return name


def _external_traffic_policy(reader: Reader, spec: Entries, accessible: bool) -> str:
    """``spec.externalTrafficPolicy``: defaulted to Cluster where the Service is reachable from
    outside (NodePort, LoadBalancer, ClusterIP with externalIPs), set nowhere else."""
    text = _string(reader, spec, "externalTrafficPolicy", "spec.externalTrafficPolicy")
    if not text:
        return "Cluster"
    node = spec["externalTrafficPolicy"][1]
    if not accessible:
        reader.invalid(node, "spec.externalTrafficPolicy", text, "may only be set for externally-accessible services")
    elif text not in _TRAFFIC_POLICIES:
        reader.error(
            node,
            "spec.externalTrafficPolicy",
            f"Unsupported value: {format_value(text)}: supported values: {_SUPPORTED_POLICIES}",
        )
    return text


def _load_balancer_ips(reader: Reader, spec: Entries, entries: Entries) -> tuple[IPAddress, ...]:
    """The addresses of a LoadBalancer Service's load balancer: ``spec.loadBalancerIP`` (a request
    the API server does not validate: a value that is not an address is ignored, with a warning)
    and ``status.loadBalancer.ingress[].ip`` (hostnames are not addresses netsim can use)."""
    out: list[IPAddress] = []
    requested = _string(reader, spec, "loadBalancerIP", "spec.loadBalancerIP")
    if requested:
        ip = parse_ip_sloppy(requested)
        if ip is None:
            where = spec["loadBalancerIP"][1]
            reader.warn(where, "spec.loadBalancerIP", f"{format_value(requested)} is not an IP address: ignored")
        else:
            out.append(ip)
    status = _mapping(reader, entries, "status", "status")
    balancer = _mapping(reader, status, "loadBalancer", "status.loadBalancer")
    ingress = balancer.get("ingress")
    for i, item in enumerate(reader.items(ingress[1], "status.loadBalancer.ingress") if ingress else []):
        fld = f"status.loadBalancer.ingress[{i}]"
        fields = plain_entries(item)
        if fields is None:
            fields = reader.entries(item, fld, strict=False) or {}
        text = _string(reader, fields, "ip", f"{fld}.ip")
        if not text:
            continue
        for msg in ip_errors(text):
            reader.invalid(fields["ip"][1], f"{fld}.ip", text, msg)
        ip = parse_ip_sloppy(text)
        if ip is not None and ip not in out:
            out.append(ip)
    return tuple(out)


# -- EndpointSlice -----------------------------------------------------------------------------------


def read_endpoint_slice(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """An EndpointSlice: its Service (the ``kubernetes.io/service-name`` label), address type,
    endpoints and ports."""
    if not reader.api_version_is(node, entries, api_version, "discovery.k8s.io/v1", absent_ok=True):
        return
    before = len(reader.errors)
    name, namespace, labels, _ = reader.metadata(node, entries, "EndpointSlice", subdomain_errors, strict=False)
    address_type = _string(reader, entries, "addressType", "addressType")
    if address_type == "":
        reader.error(node, "addressType", "Required value")
    elif address_type is not None and address_type not in _ADDRESS_TYPES:
        reader.error(
            entries["addressType"][1],
            "addressType",
            f"Unsupported value: {format_value(address_type)}: supported values: {_SUPPORTED_ADDRESS_TYPES}",
        )
    endpoints = _endpoints(reader, entries, address_type or "", namespace)
    ports = _slice_ports(reader, entries)
    if name is None or address_type is None or len(reader.errors) > before:
        return
    ref = f"{namespace}/{name}"
    first = reader.endpoint_slices.get(ref)
    if first is not None:
        reader.duplicate(node, "EndpointSlice", ref, first.span)
        return
    reader.endpoint_slices[ref] = EndpointSlice(
        namespace,
        name,
        labels.get(SERVICE_NAME_LABEL),
        address_type,
        tuple(endpoints),
        tuple(ports),
        reader.span(node),
    )


def _endpoints(reader: Reader, entries: Entries, address_type: str, namespace: str) -> list[SliceEndpoint]:
    """``endpoints``: addresses (an FQDN slice's are validated, not kept: netsim cannot resolve
    them), the Pod of ``targetRef`` (in the slice's namespace unless it names another) and
    ``conditions.ready``."""
    node = entries["endpoints"][1] if "endpoints" in entries else None
    items = reader.items(node, "endpoints") if node is not None else []
    if node is not None and len(items) > _MAX_ENDPOINTS:
        reader.error(node, "endpoints", _too_many(len(items), _MAX_ENDPOINTS))
        return []
    version = _IP_VERSIONS.get(address_type)
    out: list[SliceEndpoint] = []
    for i, item in enumerate(items):
        fld = f"endpoints[{i}]"
        fields = plain_entries(item)
        if fields is None:
            fields = reader.entries(item, fld, strict=False)
            if fields is None:
                continue
        listed = fields.get("addresses")
        addresses = reader.items(listed[1], f"{fld}.addresses") if listed else []
        where = listed[1] if listed and not is_null(listed[1]) else item
        if not addresses:
            reader.error(where, f"{fld}.addresses", "Required value: must contain at least 1 address")
        elif len(addresses) > _MAX_ADDRESSES:
            reader.error(where, f"{fld}.addresses", _too_many(len(addresses), _MAX_ADDRESSES))
        ips: list[IPAddress] = []
        for j, value in enumerate(addresses):
            path = f"{fld}.addresses[{j}]"
            text = _text(reader, value, path)
            if text is None:
                continue
            if version is not None:
                problems = ip_family_errors(text, version) + endpoint_ip_errors(text)
                for msg in problems:
                    reader.invalid(value, path, text, msg)
                ip = parse_ip_sloppy(text)
                if not problems and ip is not None:
                    ips.append(ip)
            elif address_type == "FQDN":
                for shown, msg in _fqdn_errors(text):
                    if shown is None:
                        reader.error(value, path, msg)
                    else:
                        reader.invalid(value, path, shown, msg)
        out.append(SliceEndpoint(tuple(ips), _target_pod(reader, fields, fld, namespace), _ready(reader, fields, fld)))
    return out


def _fqdn_errors(name: str) -> list[tuple[str | None, str]]:
    """``IsFullyQualifiedDomainName`` as (the value shown, or None for none; message) pairs: a
    DNS-1123 subdomain of two labels or more, a final dot allowed."""
    if not name:
        return [(None, "Required value")]
    name = name.removesuffix(".")
    problems = subdomain_errors(name)
    if problems:
        return [(name, ",".join(problems))]
    labels = name.split(".")
    if len(labels) < 2:
        return [(name, "should be a domain with at least two segments separated by dots")]
    for label in labels:
        problems = namespace_name_errors(label)  # a DNS-1123 label
        if problems:
            return [(label, ",".join(problems))]
    return []


def _target_pod(reader: Reader, fields: Entries, fld: str, namespace: str) -> str | None:
    """``targetRef`` when it is a Pod, as ``namespace/name``."""
    ref = _mapping(reader, fields, "targetRef", f"{fld}.targetRef")
    if _string(reader, ref, "kind", f"{fld}.targetRef.kind") != "Pod":
        return None
    name = _string(reader, ref, "name", f"{fld}.targetRef.name")
    if not name:
        return None
    return f"{_string(reader, ref, 'namespace', f'{fld}.targetRef.namespace') or namespace}/{name}"


def _ready(reader: Reader, fields: Entries, fld: str) -> bool | None:
    """``conditions.ready`` (None when not given, which consumers read as ready)."""
    conditions = _mapping(reader, fields, "conditions", f"{fld}.conditions")
    kv = conditions.get("ready")
    if kv is None or is_null(kv[1]):
        return None
    return reader.boolean(kv[1], f"{fld}.conditions.ready")


def _slice_ports(reader: Reader, entries: Entries) -> list[SlicePort]:
    """``ports``: names unique ("" for an unnamed one) and DNS-1123 labels, ``protocol`` defaulted
    to TCP; ``port`` may be null (every port)."""
    names: set[str] = set()
    out: list[SlicePort] = []
    for i, item in enumerate(reader.items(entries["ports"][1], "ports") if "ports" in entries else []):
        fld = f"ports[{i}]"
        fields = plain_entries(item)
        if fields is None:
            fields = reader.entries(item, fld, strict=False)
            if fields is None:
                continue
        name = _string(reader, fields, "name", f"{fld}.name")
        name_node = fields["name"][1] if "name" in fields else item
        if name is not None:
            for msg in namespace_name_errors(name) if name else []:
                reader.invalid(name_node, f"{fld}.name", name, msg)
            if name in names:
                reader.error(name_node, f"{fld}.name", f"Duplicate value: {format_value(name)}")
            names.add(name)
        protocol: str | None = Protocol.TCP.value
        kv = fields.get("protocol")
        if kv is not None and not is_null(kv[1]):
            protocol = _text(reader, kv[1], f"{fld}.protocol")
            if protocol is not None and protocol not in _PROTOCOLS:
                reader.error(
                    kv[1],
                    f"{fld}.protocol",
                    f"Unsupported value: {format_value(protocol)}: supported values: {_SUPPORTED_PROTOCOLS}",
                )
        port = None
        kv = fields.get("port")
        if kv is not None and not is_null(kv[1]):
            port = plain_int(kv[1])
            if port is None:
                port = reader.integer(kv[1], f"{fld}.port")
        if protocol in _PROTOCOLS:
            out.append(SlicePort(port, _PROTOCOLS[protocol], name or None))
    return out


# -- shared -------------------------------------------------------------------------------------------


def _text(reader: Reader, node: yaml.Node, fld: str) -> str | None:
    """A string value; None (reported) for anything else."""
    text = plain_str(node)
    return text if text is not None else reader.string(node, fld)


def _string(reader: Reader, fields: Entries, key: str, fld: str) -> str | None:
    """An optional string field: "" when omitted or null, None (reported) when not a string."""
    kv = fields.get(key)
    if kv is None or is_null(kv[1]):
        return ""
    return _text(reader, kv[1], fld)


def _integer(reader: Reader, fields: Entries, key: str, fld: str) -> int | None:
    """An optional integer field: 0 when omitted or null (Go's zero value), None (reported) when
    not an integer."""
    kv = fields.get(key)
    if kv is None or is_null(kv[1]):
        return 0
    number = plain_int(kv[1])
    return number if number is not None else reader.integer(kv[1], fld)


def _mapping(reader: Reader, fields: Entries, key: str, fld: str) -> Entries:
    """An optional mapping field's entries ({} when omitted, null or not a mapping, the last reported)."""
    kv = fields.get(key)
    if kv is None or is_null(kv[1]):
        return {}
    return plain_entries(kv[1]) or reader.entries(kv[1], fld, strict=False) or {}


def _go_strings(values: list[str]) -> str:
    """A list of strings as Go's ``%#v`` prints a ``[]string`` in a field error."""
    return "[]string{" + ", ".join(format_value(v) for v in values) + "}"


def _go_service_port(protocol: str, port: int) -> str:
    """The key of a duplicate Service port as the API server prints it (Go's ``%#v`` of the
    internal ``core.ServicePort`` that holds only the protocol and the port)."""
    return (
        f'core.ServicePort{{Name:"", Protocol:{format_value(protocol)}, AppProtocol:(*string)(nil), Port:{port}, '
        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}'
    )


def _too_many(count: int, most: int) -> str:
    return f"Too many: {count}: must have at most {most} items"


FAMILY = Family(
    "services",
    by_group={("", "Service"): read_service, ("discovery.k8s.io", "EndpointSlice"): read_endpoint_slice},
)
