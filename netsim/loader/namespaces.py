"""Namespaces (``v1``): a name and labels, plus the name label every namespace has.

Read for the fields netsim models only (``metadata``), so ``kubectl get -o yaml`` output loads as
it is.
"""

from __future__ import annotations

import yaml

from netsim.loader.core import Entries, Family, Reader
from netsim.model import NAMESPACE_NAME_LABEL, Labels, Namespace
from netsim.validation import namespace_name_errors

__all__ = ["FAMILY", "read_namespace"]


def read_namespace(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None
) -> None:
    """A Namespace: its labels, with ``kubernetes.io/metadata.name`` set to its name."""
    name, _, labels, _ = reader.metadata(node, entries, "Namespace", namespace_name_errors, strict=False)
    if name is None:
        return
    labels[NAMESPACE_NAME_LABEL] = name
    if name in reader.namespaces:
        reader.duplicate(node, "Namespace", name, reader.namespaces[name].span)
        return
    reader.namespaces[name] = Namespace(name, Labels(labels), True, reader.span(node))


FAMILY = Family("namespaces", any_group={"Namespace": read_namespace})
