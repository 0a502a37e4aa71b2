"""Where traffic from outside enters through an HTTP proxy: ``networking.k8s.io/v1`` Ingress, read
into :class:`~netsim.model.Ingress`, and OpenShift's ``route.openshift.io/v1`` Route, read into a
:class:`~netsim.model.Route` of kind ``Route``.

Both are read like Pods: for the fields netsim models only, so ``kubectl get -o yaml`` output
(status, managedFields, annotations, ...) loads as it is and unknown fields are not errors. What
is read is validated as the API server validates it, with its messages: an Ingress as
``ValidateIngressCreate`` does (kubernetes ``pkg/apis/networking/validation``), a Route as
openshift-apiserver's ``ValidateRoute`` does after its defaulting (openshift/library-go
``pkg/route/validation``). An object with an error is not recorded; every error of the run is
reported. docs/ingress.md says what is read, what is left out, and why.
"""

from __future__ import annotations

import yaml

from netsim.loader.core import INT_TAG, STRING_TAGS, Entries, Family, Reader, is_null
from netsim.model import BackendRef, Ingress, Route
from netsim.validation import (
    dns1035_label_errors,
    format_value,
    parse_ip_sloppy,
    path_segment_name_errors,
    port_name_errors,
    port_number_errors,
    subdomain_errors,
    wildcard_subdomain_errors,
)

__all__ = ["FAMILY", "read_ingress", "read_openshift_route"]

_INGRESS_API = "networking.k8s.io/v1"
_ROUTE_API = "route.openshift.io/v1"
#: as the API server lists them (sorted)
_PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")
_INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
_INVALID_PATH_SUFFIXES = ("/..", "/.")
_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
_MAX_ALTERNATE_BACKENDS = 3
_MAX_ROUTE_WEIGHT = 256


# -- Ingress -----------------------------------------------------------------------------------------


def read_ingress(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """An Ingress: the Service backends of ``spec.defaultBackend`` and of its rules' paths, in the
    Ingress's namespace (an Ingress cannot name another), and ``spec.ingressClassName``.

    Only ``networking.k8s.io/v1`` is read: the ``extensions/v1beta1`` and
    ``networking.k8s.io/v1beta1`` Ingress (removed in Kubernetes 1.22) are reported.
    """
    hint = (
        "Kubernetes 1.22 removed this version: write apiVersion: networking.k8s.io/v1, with pathType on "
        "every path and backend: {service: {name: ..., port: {number: ...}}}"
    )
    if not reader.api_version_is(node, entries, api_version, _INGRESS_API, hint):
        return
    before = len(reader.errors)
    name, namespace, _, meta = reader.metadata(node, entries, "Ingress", subdomain_errors, strict=False)
    spec_node = _present(entries, "spec")
    spec = reader.entries(spec_node, "spec", strict=False) if spec_node is not None else {}
    if spec is None:  # not a mapping (reported)
        return
    backends: list[BackendRef] = []
    default_node = _present(spec, "defaultBackend")
    rules_node = _present(spec, "rules")
    rules = reader.items(rules_node, "spec.rules") if rules_node is not None else []
    if not rules and default_node is None and (rules_node is None or isinstance(rules_node, yaml.SequenceNode)):
        # the API server prints the Go value of spec.rules: nil when omitted, empty when []
        shown = "[]networking.IngressRule{}" if rules_node is not None else "[]networking.IngressRule(nil)"
        reader.error(
            spec_node if spec_node is not None else node,
            "spec",
            f"Invalid value: {shown}: either `defaultBackend` or `rules` must be specified",
        )
    if default_node is not None:
        _add(backends, _backend(reader, default_node, "spec.defaultBackend", namespace))
    for i, rule in enumerate(rules):
        _rule(reader, rule, f"spec.rules[{i}]", namespace, backends)
    ingress_class = _ingress_class(reader, spec, meta)
    if name is None or len(reader.errors) > before:
        return
    key = f"{namespace}/{name}"
    first = reader.ingresses.get(key)
    if first is not None:
        reader.duplicate(node, "Ingress", key, first.span)
        return
    reader.ingresses[key] = Ingress(namespace, name, tuple(backends), ingress_class, reader.span(node))


def _rule(reader: Reader, node: yaml.Node, fld: str, namespace: str, backends: list[BackendRef]) -> None:
    """One ``spec.rules`` entry: its host (validated, not modelled) and its paths' backends. A rule
    without ``http`` is valid and sends nothing anywhere."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return
    host_node = _present(fields, "host")
    host = reader.string(host_node, f"{fld}.host") if host_node is not None else None
    if host_node is not None and host:
        if parse_ip_sloppy(host) is not None:
            reader.invalid(host_node, f"{fld}.host", host, "must be a DNS name, not an IP address")
        check = wildcard_subdomain_errors if "*" in host else subdomain_errors
        for msg in check(host):
            reader.invalid(host_node, f"{fld}.host", host, msg)
    http_node = _present(fields, "http")
    if http_node is None:
        return
    http = reader.entries(http_node, f"{fld}.http", strict=False)
    if http is None:
        return
    paths_node = _present(http, "paths")
    paths = reader.items(paths_node, f"{fld}.http.paths") if paths_node is not None else []
    if not paths and (paths_node is None or isinstance(paths_node, yaml.SequenceNode)):
        reader.error(paths_node if paths_node is not None else http_node, f"{fld}.http.paths", "Required value")
    for j, path in enumerate(paths):
        _path(reader, path, f"{fld}.http.paths[{j}]", namespace, backends)


def _path(reader: Reader, node: yaml.Node, fld: str, namespace: str, backends: list[BackendRef]) -> None:
    """One ``http.paths`` entry: ``pathType`` (required: v1 has no default), ``path`` and the backend.

    As ``validateHTTPIngressPath``: without a pathType nothing else of the entry is checked.
    """
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return
    type_node = _present(fields, "pathType")
    if type_node is None:
        reader.error(
            node,
            f"{fld}.pathType",
            "Required value: pathType must be specified",
            "write pathType: Prefix (or Exact, or ImplementationSpecific)",
        )
        return
    path_node = _present(fields, "path")
    path = reader.string(path_node, f"{fld}.path") if path_node is not None else ""
    path_type = reader.string(type_node, f"{fld}.pathType")
    where = path_node if path_node is not None else node
    if path is not None and path_type in ("Exact", "Prefix"):
        if not path.startswith("/"):
            reader.invalid(where, f"{fld}.path", path, "must be an absolute path")
        for seq in _INVALID_PATH_SEQUENCES:
            if seq in path:
                reader.invalid(where, f"{fld}.path", path, f"must not contain '{seq}'")
        for suffix in _INVALID_PATH_SUFFIXES:
            if path.endswith(suffix):
                reader.invalid(where, f"{fld}.path", path, f"cannot end with '{suffix}'")
    elif path is not None and path_type == "ImplementationSpecific":
        if path and not path.startswith("/"):
            reader.invalid(where, f"{fld}.path", path, "must be an absolute path")
    elif path_type is not None and path_type not in _PATH_TYPES:
        supported = ", ".join(format_value(t) for t in _PATH_TYPES)
        reader.error(
            type_node, f"{fld}.pathType", f"Unsupported value: {format_value(path_type)}: supported values: {supported}"
        )
    backend_node = _present(fields, "backend")
    if backend_node is None:
        reader.invalid(node, f"{fld}.backend", "", "resource or service backend is required")
        return
    _add(backends, _backend(reader, backend_node, f"{fld}.backend", namespace))


def _backend(reader: Reader, node: yaml.Node, fld: str, namespace: str) -> BackendRef | None:
    """A backend: a Service and one of its ports (by number or by name), or a resource (validated,
    then left out: it is no Service and no pod receives its traffic). None also after an error."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return None
    service_node = _present(fields, "service")
    resource_node = _present(fields, "resource")
    if service_node is not None and resource_node is not None:
        reader.invalid(node, fld, "", "cannot set both resource and service backends")
        return None
    if resource_node is not None:
        _resource(reader, resource_node, f"{fld}.resource")
        return None
    if service_node is None:
        reader.invalid(node, fld, "", "resource or service backend is required")
        return None
    service = reader.entries(service_node, f"{fld}.service", strict=False)
    if service is None:
        return None
    before = len(reader.errors)
    path = f"{fld}.service"
    name_node = _present(service, "name")
    name = reader.string(name_node, f"{path}.name") if name_node is not None else ""
    if name == "":
        reader.error(name_node if name_node is not None else service_node, f"{path}.name", "Required value")
    elif name is not None and name_node is not None:
        for msg in dns1035_label_errors(name):
            reader.invalid(name_node, f"{path}.name", name, msg)
    port = _service_port(reader, node, fld, service)
    if name is None or port is None or len(reader.errors) > before:
        return None
    return BackendRef(name, port, namespace, span=reader.span(node))


def _service_port(reader: Reader, node: yaml.Node, fld: str, service: Entries) -> int | str | None:
    """``service.port``: a number or a name, exactly one (a number 0 counts as none, as the API
    server reads it); None after an error."""
    path = f"{fld}.service.port"
    port_node = _present(service, "port")
    port = (reader.entries(port_node, path, strict=False) if port_node is not None else {}) or {}
    number_node = _present(port, "number")
    name_node = _present(port, "name")
    number = reader.integer(number_node, f"{path}.number") if number_node is not None else 0
    name = reader.string(name_node, f"{path}.name") if name_node is not None else ""
    if number is None or name is None:
        return None
    if name and number:
        hint = "keep port.number or port.name"
        reader.error(node, fld, 'Invalid value: "": cannot set both port name & port number', hint)
        return None
    if name:
        assert name_node is not None
        for msg in port_name_errors(name):
            reader.invalid(name_node, f"{path}.name", name, msg)
        return name
    if number:
        assert number_node is not None
        for msg in port_number_errors(number):
            reader.invalid(number_node, f"{path}.number", number, msg)
        return number
    reader.error(
        node,
        fld,
        "Required value: port name or number is required",
        "write service.port.number (a port of the Service) or service.port.name",
    )
    return None


def _resource(reader: Reader, node: yaml.Node, fld: str) -> None:
    """A resource backend (a TypedLocalObjectReference): validated, not modelled."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return
    group_node = _present(fields, "apiGroup")
    if group_node is not None:
        group = reader.string(group_node, f"{fld}.apiGroup")
        if group is not None:  # "" too: a pointer to an empty string is checked, and fails
            for msg in subdomain_errors(group):
                reader.invalid(group_node, f"{fld}.apiGroup", group, msg)
    for key in ("kind", "name"):
        value_node = _present(fields, key)
        value = reader.string(value_node, f"{fld}.{key}") if value_node is not None else ""
        if value == "":
            reader.error(value_node if value_node is not None else node, f"{fld}.{key}", "Required value")
        elif value is not None and value_node is not None:
            for msg in path_segment_name_errors(value):
                reader.invalid(value_node, f"{fld}.{key}", value, msg)


def _ingress_class(reader: Reader, spec: Entries, meta: Entries) -> str | None:
    """``spec.ingressClassName`` (an IngressClass name), which the deprecated
    ``kubernetes.io/ingress.class`` annotation must match when both are given."""
    class_node = _present(spec, "ingressClassName")
    if class_node is None:
        return None
    name = reader.string(class_node, "spec.ingressClassName")
    if name is None:
        return None
    for msg in subdomain_errors(name):
        reader.invalid(class_node, "spec.ingressClassName", name, msg)
    annotations_node = _present(meta, "annotations")
    annotations = None
    if annotations_node is not None:
        annotations = reader.entries(annotations_node, "metadata.annotations", strict=False)
    value_node = _present(annotations or {}, _CLASS_ANNOTATION)
    if value_node is not None:
        value = reader.string(value_node, f"metadata.annotations.{_CLASS_ANNOTATION}")
        if value is not None and value != name:
            # the API server names the field without its "metadata." prefix
            reader.invalid(
                value_node,
                f"annotations.{_CLASS_ANNOTATION}",
                value,
                "must match `ingressClassName` when both are specified",
            )
    return name


# -- OpenShift Route ---------------------------------------------------------------------------------


def read_openshift_route(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """An OpenShift Route: a :class:`~netsim.model.Route` of kind ``Route`` without parents (the
    routers of the cluster admit it), whose backends are ``spec.to`` and ``spec.alternateBackends``.

    Every backend is a Service of the Route's namespace (the only kind and namespace a Route can
    name), and its port is ``spec.port.targetPort`` as written, a number or a name (None when
    ``spec.port`` is absent: the router uses every port of the Service). That is the port on the
    pods, not a port of the Service: OpenShift documents it as "the target port on pods selected by
    the service this route points to", a name being looked up among the endpoints' port names.
    """
    if not reader.api_version_is(node, entries, api_version, _ROUTE_API):
        return
    before = len(reader.errors)
    name, namespace, _, _ = reader.metadata(node, entries, "Route", subdomain_errors, strict=False)
    spec_node = _present(entries, "spec")
    spec = reader.entries(spec_node, "spec", strict=False) if spec_node is not None else {}
    if spec is None:  # not a mapping (reported)
        return
    port = _target_port(reader, spec)
    backends: list[BackendRef] = []
    to_node = _present(spec, "to")
    if to_node is None:  # a struct, not a pointer: omitted, its name is empty
        reader.error(spec_node if spec_node is not None else node, "spec.to.name", "Required value")
    else:
        _add(backends, _target(reader, to_node, "spec.to", namespace, port))
    alternates_node = _present(spec, "alternateBackends")
    alternates = reader.items(alternates_node, "spec.alternateBackends") if alternates_node is not None else []
    if len(alternates) > _MAX_ALTERNATE_BACKENDS:
        assert alternates_node is not None
        reader.error(
            alternates_node,
            "spec.alternateBackends",
            f"Required value: cannot specify more than {_MAX_ALTERNATE_BACKENDS} alternate backends",
        )
    for i, item in enumerate(alternates):
        _add(backends, _target(reader, item, f"spec.alternateBackends[{i}]", namespace, port))
    if name is None or len(reader.errors) > before:
        return
    key = f"Route {namespace}/{name}"
    first = reader.routes.get(key)
    if first is not None:
        reader.duplicate(node, "Route", f"{namespace}/{name}", first.span)
        return
    reader.routes[key] = Route("Route", namespace, name, (), tuple(backends), reader.span(node))


def _target(reader: Reader, node: yaml.Node, fld: str, namespace: str, port: int | str | None) -> BackendRef | None:
    """``spec.to`` or an ``alternateBackends`` entry: a Service (``kind`` defaults to Service, the
    only kind allowed) and its weight (0-256, validated, not modelled)."""
    fields = reader.entries(node, fld, strict=False)
    if fields is None:
        return None
    before = len(reader.errors)
    kind_node = _present(fields, "kind")
    kind = (reader.string(kind_node, f"{fld}.kind") if kind_node is not None else "") or "Service"
    if kind != "Service":
        assert kind_node is not None
        reader.invalid(kind_node, f"{fld}.kind", kind, "must reference a Service")
    name_node = _present(fields, "name")
    name = reader.string(name_node, f"{fld}.name") if name_node is not None else ""
    if name == "":
        reader.error(name_node if name_node is not None else node, f"{fld}.name", "Required value")
    weight_node = _present(fields, "weight")
    weight = reader.integer(weight_node, f"{fld}.weight") if weight_node is not None else None
    if weight is not None and not 0 <= weight <= _MAX_ROUTE_WEIGHT:
        assert weight_node is not None
        reader.invalid(weight_node, f"{fld}.weight", weight, "weight must be an integer between 0 and 256")
    if not name or len(reader.errors) > before:
        return None
    return BackendRef(name, port, namespace, span=reader.span(node))


def _target_port(reader: Reader, spec: Entries) -> int | str | None:
    """``spec.port.targetPort``, a number or a name; None when ``spec.port`` is absent (or after an
    error). Present, it is required: 0 and "" are not ports."""
    port_node = _present(spec, "port")
    if port_node is None:
        return None
    port = reader.entries(port_node, "spec.port", strict=False)
    if port is None:
        return None
    target_node = _present(port, "targetPort")
    target: int | str | None = 0
    if target_node is not None:
        if isinstance(target_node, yaml.ScalarNode) and target_node.tag == INT_TAG:
            target = reader.integer(target_node, "spec.port.targetPort")
        elif isinstance(target_node, yaml.ScalarNode) and target_node.tag in STRING_TAGS:
            target = str(target_node.value)
        else:
            reader.type_error(target_node, "spec.port.targetPort", "an integer or a port name")
            return None
    if target in (0, ""):
        reader.error(target_node if target_node is not None else port_node, "spec.port.targetPort", "Required value")
        return None
    return target


# -- shared ------------------------------------------------------------------------------------------


def _present(entries: Entries, key: str) -> yaml.Node | None:
    """A field's value; None when omitted or null (JSON decoding reads null as omitted)."""
    kv = entries.get(key)
    return None if kv is None or is_null(kv[1]) else kv[1]


def _add(backends: list[BackendRef], backend: BackendRef | None) -> None:
    if backend is not None:
        backends.append(backend)


#: Kubernetes' Ingress (the group's v1, and the removed ``extensions/v1beta1`` and
#: ``networking.k8s.io/v1beta1``, reported) and OpenShift's Route.
FAMILY = Family(
    "ingress",
    by_group={
        ("networking.k8s.io", "Ingress"): read_ingress,
        ("extensions", "Ingress"): read_ingress,
        ("route.openshift.io", "Route"): read_openshift_route,
    },
)
