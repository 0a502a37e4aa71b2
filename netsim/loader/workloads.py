"""Pods and the workloads that stand for pods: Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job and CronJob (any API group: ``extensions/v1beta1`` Deployments load).

A Pod is read with its addresses, node and controller; a workload becomes one representative pod
(its kind and name) from its pod template, with how many pods it runs at once. Both are read for
the fields netsim models only, so ``kubectl get -o yaml`` output loads as it is; what they declare
is still validated as the API server would (port numbers and names, protocols, addresses).
"""

from __future__ import annotations

import yaml

from netsim.loader.core import (
    Entries,
    Family,
    Reader,
    is_null,
    join,
    plain_entries,
    plain_int,
    plain_ip,
    plain_protocol,
    plain_str,
)
from netsim.match.selectors import matches_selector
from netsim.model import ContainerPort, IPAddress, Labels, Pod, Protocol
from netsim.validation import format_value, port_name_errors, port_number_errors, subdomain_errors

__all__ = ["FAMILY", "read_pod", "read_workload"]

#: Where each workload kind keeps its pod template.
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


def read_pod(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """A Pod: labels, declared ports, hostNetwork, node, addresses (``status``) and controller."""
    name, namespace, labels, meta = reader.metadata(node, entries, "Pod", subdomain_errors, strict=False)
    spec = reader.entries(entries["spec"][1], "spec", strict=False) if "spec" in entries else {}
    status = reader.entries(entries["status"][1], "status", strict=False) if "status" in entries else {}
    spec = spec or {}
    status = status or {}
    ports, host_network = _pod_spec(reader, spec, "spec")
    node_name = None
    if "nodeName" in spec and not is_null(spec["nodeName"][1]):
        node_name = reader.string(spec["nodeName"][1], "spec.nodeName")
    ips: list[IPAddress] = []
    if "podIPs" in status:
        for i, item in enumerate(reader.items(status["podIPs"][1], "status.podIPs")):
            fields = plain_entries(item)
            if fields is None:
                fields = reader.entries(item, f"status.podIPs[{i}]", strict=False) or {}
            if "ip" in fields:
                ip_node = fields["ip"][1]
                ip = plain_ip(ip_node)
                if ip is None:
                    ip = reader.ip(ip_node, f"status.podIPs[{i}].ip")
                if ip is not None and ip not in ips:
                    ips.append(ip)
    if "podIP" in status and not is_null(status["podIP"][1]):
        ip = reader.ip(status["podIP"][1], "status.podIP")
        if ip is not None and ip not in ips:
            ips.insert(0, ip)
    host_ip = None
    if "hostIP" in status and not is_null(status["hostIP"][1]):
        host_ip = reader.ip(status["hostIP"][1], "status.hostIP")
    host_ips = _host_ips(reader, status)
    if host_ips:  # status.hostIP is the first of status.hostIPs (the API server keeps them in step)
        if host_ip is None:
            host_ip = host_ips[0]
        elif host_ip not in host_ips:
            host_ips.insert(0, host_ip)
    owner_kind, owner_name = _controller_owner(reader, meta)
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
        reader.span(node),
        owner_kind,
        owner_name,
        host_ips=tuple(host_ips),
    )
    _add_pod(reader, node, pod)


def _host_ips(reader: Reader, status: Entries) -> list[IPAddress]:
    """``status.hostIPs[*].ip``: the node's addresses (two on a dual-stack node), duplicates dropped."""
    out: list[IPAddress] = []
    if "hostIPs" not in status:
        return out
    for i, item in enumerate(reader.items(status["hostIPs"][1], "status.hostIPs")):
        fields = plain_entries(item)
        if fields is None:
            fields = reader.entries(item, f"status.hostIPs[{i}]", strict=False) or {}
        if "ip" in fields and not is_null(fields["ip"][1]):
            ip = reader.ip(fields["ip"][1], f"status.hostIPs[{i}].ip")
            if ip is not None and ip not in out:
                out.append(ip)
    return out


def _add_pod(reader: Reader, node: yaml.Node, pod: Pod) -> None:
    if pod.ref in reader.pods:
        reader.duplicate(node, pod.kind, pod.ref, reader.pods[pod.ref].span)
        return
    reader.pods[pod.ref] = pod


def _pod_spec(reader: Reader, spec: Entries, fld: str) -> tuple[list[ContainerPort], bool]:
    """Declared ports (containers, and sidecar init containers) and hostNetwork of a pod spec.

    Ports of init containers count only for sidecars (``restartPolicy: Always``): the others
    have exited before the pod serves traffic.
    """
    ports: list[ContainerPort] = []
    for i, c in enumerate(reader.items(spec["containers"][1], f"{fld}.containers") if "containers" in spec else []):
        ports.extend(_container_ports(reader, c, f"{fld}.containers[{i}]"))
    inits = reader.items(spec["initContainers"][1], f"{fld}.initContainers") if "initContainers" in spec else []
    for i, c in enumerate(inits):
        ce = reader.entries(c, f"{fld}.initContainers[{i}]", strict=False) or {}
        policy = ce.get("restartPolicy")
        if policy is not None and isinstance(policy[1], yaml.ScalarNode) and policy[1].value == "Always":
            ports.extend(_container_ports(reader, c, f"{fld}.initContainers[{i}]"))
    host_network = False
    if "hostNetwork" in spec and not is_null(spec["hostNetwork"][1]):
        host_network = bool(reader.boolean(spec["hostNetwork"][1], f"{fld}.hostNetwork"))
    return ports, host_network


def _controller_owner(reader: Reader, meta: Entries) -> tuple[str | None, str | None]:
    """The owner with ``controller: true`` (kind, name); Node owners (static pods) do not count."""
    if "ownerReferences" not in meta:
        return None, None
    for i, ref in enumerate(reader.items(meta["ownerReferences"][1], "metadata.ownerReferences")):
        fields = plain_entries(ref)
        if fields is None:
            fields = reader.entries(ref, f"metadata.ownerReferences[{i}]", strict=False) or {}
        controller = fields.get("controller")
        if controller is None or not (isinstance(controller[1], yaml.ScalarNode) and controller[1].value == "true"):
            continue
        fld = f"metadata.ownerReferences[{i}]"
        owner = reader.string(fields["name"][1], f"{fld}.name") if "name" in fields else None
        kind = reader.string(fields["kind"][1], f"{fld}.kind") if "kind" in fields else None
        if owner is None or kind == "Node":
            return None, None
        return kind, owner
    return None, None


def read_workload(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """Deployment, StatefulSet, ...: one representative pod from the pod template.

    ``kind`` comes from the dispatch: items of a ``DeploymentList`` (an API list response) may
    omit their own ``kind``.
    """
    name, namespace, _, _ = reader.metadata(node, entries, kind, subdomain_errors, strict=False)
    path = _TEMPLATE_PATHS[kind]
    current: yaml.Node | None = node
    fld = ""
    walked: list[Entries | None] = []  # the mappings on the way to the template: spec, ...
    for step in path:
        fields = reader.entries(current, fld, strict=False) if current is not None else None
        walked.append(fields)
        fld = join(fld, step)
        current = fields[step][1] if fields and step in fields and not is_null(fields[step][1]) else None
        if current is None:
            break
    labels: dict[str, str] = {}
    ports: list[ContainerPort] = []
    host_network = False
    labels_node: yaml.Node | None = current
    if current is not None:
        template = reader.entries(current, fld, strict=False) or {}
        if "metadata" in template and not is_null(template["metadata"][1]):
            tmeta = reader.entries(template["metadata"][1], f"{fld}.metadata", strict=False) or {}
            if "labels" in tmeta:
                labels_node = tmeta["labels"][1]
                labels = reader.string_map(tmeta["labels"][1], f"{fld}.metadata.labels", labels=True)
        if "spec" in template and not is_null(template["spec"][1]):
            tspec = reader.entries(template["spec"][1], f"{fld}.spec", strict=False) or {}
            ports, host_network = _pod_spec(reader, tspec, f"{fld}.spec")
    replicas = _replicas(reader, walked, kind)
    if kind in _SELECTED and walked and walked[-1] is not None and labels_node is not None:
        _check_selector(reader, walked[-1], labels, labels_node, f"{fld}.metadata.labels")
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
        reader.span(node),
        replicas=replicas,
    )
    _add_pod(reader, node, pod)


#: The apps/v1 kinds whose ``spec.selector`` must select their own pod template.
_SELECTED = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"})


def _check_selector(reader: Reader, spec: Entries, labels: dict[str, str], at: yaml.Node, fld: str) -> None:
    """A workload's ``spec.selector`` must select its template's labels (the API server's
    ``ValidatePodTemplateSpecForReplicaSet`` and its siblings); a missing selector is left alone."""
    kv = spec.get("selector")
    if kv is None or is_null(kv[1]):
        return
    selector = reader.selector(kv[1], "spec.selector")
    if selector is None or selector.is_empty() or matches_selector(selector, labels):
        return
    shown = ", ".join(f"{format_value(k)}:{format_value(v)}" for k, v in sorted(labels.items()))
    reader.error(at, fld, f"Invalid value: map[string]string{{{shown}}}: `selector` does not match template `labels`")


def _replicas(reader: Reader, walked: list[Entries | None], kind: str) -> int | None:
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
    if kv is None or is_null(kv[1]):
        return 1
    fld = ".".join(path)
    count = plain_int(kv[1])
    if count is None:
        count = reader.integer(kv[1], fld)
        if count is None:
            return 1
    if count < 0:
        reader.invalid(kv[1], fld, count, "must be greater than or equal to 0")
        return 1
    return count


def _container_ports(reader: Reader, node: yaml.Node, fld: str) -> list[ContainerPort]:
    c = reader.entries(node, fld, strict=False) or {}
    out = []
    # the common case (a valid port of plain values) is read without building field paths
    for j, p in enumerate(reader.items(c["ports"][1], f"{fld}.ports") if "ports" in c else []):
        pe = plain_entries(p)
        if pe is None:
            pe = reader.entries(p, f"{fld}.ports[{j}]", strict=False)
            if pe is None:
                continue
        number_kv = pe.get("containerPort")
        if number_kv is None:
            reader.error(p, f"{fld}.ports[{j}].containerPort", "Required value")
            continue
        number_node = number_kv[1]
        number = plain_int(number_node)
        if number is None:
            number = reader.integer(number_node, f"{fld}.ports[{j}].containerPort")
            if number is None:
                continue
        for msg in port_number_errors(number):
            reader.invalid(number_node, f"{fld}.ports[{j}].containerPort", number, msg)
        proto = plain_protocol(pe)
        if proto is None:
            proto = reader.protocol(pe, f"{fld}.ports[{j}]")
        name = None
        name_kv = pe.get("name")
        if name_kv is not None and not is_null(name_kv[1]):
            name_node = name_kv[1]
            name = plain_str(name_node)
            if name is None or port_name_errors(name):
                path = f"{fld}.ports[{j}]"
                name = reader.string(name_node, f"{path}.name")
                for msg in port_name_errors(name or ""):
                    reader.invalid(name_node, f"{path}.name", name, msg)
        out.append(ContainerPort(number, proto or Protocol.TCP, name))
    return out


FAMILY = Family("workloads", any_group={"Pod": read_pod, **dict.fromkeys(_TEMPLATE_PATHS, read_workload)})
