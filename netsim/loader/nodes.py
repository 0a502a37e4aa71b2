"""Nodes (``v1``): a name, labels and addresses, for the ``nodes`` peers of the cluster-scoped tiers.

Read for the fields netsim models only (``metadata``, ``status.addresses``), so ``kubectl get
nodes -o yaml`` output loads as it is; what is read is validated as for Pods (the name, label keys
and values, the addresses).
"""

from __future__ import annotations

import yaml

from netsim.loader.core import Entries, Family, Reader, is_null, plain_entries, plain_ip, plain_str
from netsim.model import IPAddress, Labels, Node
from netsim.validation import subdomain_errors

__all__ = ["FAMILY", "read_node"]

#: The address types a ``nodes`` peer matches. kube-network-policies (the SIG Network reference
#: implementation) compares a destination with a selected Node's InternalIP and ExternalIP
#: addresses only; the others (Hostname, InternalDNS, ExternalDNS) are names, not addresses.
_ADDRESS_TYPES = frozenset({"InternalIP", "ExternalIP"})


def read_node(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
    """A Node: its labels and its InternalIP and ExternalIP addresses (``status.addresses``)."""
    name, _, labels, _ = reader.metadata(node, entries, "Node", subdomain_errors, strict=False)
    status = reader.entries(entries["status"][1], "status", strict=False) if "status" in entries else {}
    addresses: list[IPAddress] = []
    if status and "addresses" in status:
        for i, item in enumerate(reader.items(status["addresses"][1], "status.addresses")):
            fields = plain_entries(item)
            if fields is None:
                fields = reader.entries(item, f"status.addresses[{i}]", strict=False) or {}
            type_kv, address_kv = fields.get("type"), fields.get("address")
            if type_kv is None or address_kv is None or is_null(address_kv[1]):
                continue
            type_text = plain_str(type_kv[1])
            if type_text is None:
                type_text = reader.string(type_kv[1], f"status.addresses[{i}].type")
            if type_text not in _ADDRESS_TYPES:
                continue
            ip = plain_ip(address_kv[1])
            if ip is None:
                ip = reader.ip(address_kv[1], f"status.addresses[{i}].address")
            if ip is not None and ip not in addresses:
                addresses.append(ip)
    if name is None:
        return
    first = reader.nodes.get(name)
    if first is not None:
        reader.duplicate(node, "Node", name, first.span)
        return
    reader.nodes[name] = Node(name, Labels(labels), tuple(addresses), reader.span(node))


FAMILY = Family("nodes", by_group={("", "Node"): read_node})
