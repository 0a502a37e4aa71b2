"""Manifests → model: schema checks, API-server defaulting and validation, errors collected.

The loader reads what ``kubectl apply`` would send (Namespaces, Pods and workloads, Nodes,
NetworkPolicies, the cluster-scoped tiers of ``policy.networking.k8s.io``, Services and
EndpointSlices, Ingresses, OpenShift Routes and the Gateway API's kinds, and the policy kinds of
other APIs that netsim recognises without evaluating them, in files, folders, stdin, multi-document
YAML, JSON and ``*List`` objects), applies the API server's defaulting (``policyTypes``,
``protocol: TCP``) and validation with its exact messages, and collects every problem of a run into
one :class:`~netsim.errors.InputErrors`.

Strict by default, as ``kubectl apply --validate=strict``: unknown fields and duplicate keys in a
NetworkPolicy or a cluster-scoped policy are errors. ``lax=True`` drops unknown fields and keeps the
last duplicate, with a warning for each. Pods, Namespaces and Nodes are read for the fields netsim
models only, so ``kubectl get -o yaml`` output (status, managedFields, ...) loads as it is.

The package: :mod:`netsim.loader.core` decodes (the reader's state, located errors, typed values,
metadata, Lists, dispatch by API group and kind), and each family of kinds is a module that reads
its objects and declares them in a :class:`~netsim.loader.core.Family`: ``namespaces``,
``workloads`` (Pods and the workload kinds), ``nodes``, ``networkpolicy`` (networking.k8s.io/v1),
``clusterpolicy`` (ClusterNetworkPolicy, AdminNetworkPolicy, BaselineAdminNetworkPolicy),
``foreign`` (policy kinds netsim does not evaluate), ``services`` (Service, EndpointSlice),
``ingress`` (Ingress, OpenShift Route) and ``gateway`` (the Gateway API). ``_KINDS`` below puts the families together;
docs/architecture.md, "Adding a kind", says how a kind is added.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from netsim.errors import InputError
from netsim.loader import (
    clusterpolicy,
    foreign,
    gateway,
    ingress,
    namespaces,
    networkpolicy,
    nodes,
    services,
    workloads,
)
from netsim.loader.core import Kinds, LoadOptions, LoadResult, Reader, TooManyErrors, finish, listing
from netsim.source import Budget, compose_documents, find_inputs, read_documents

__all__ = ["LoadOptions", "LoadResult", "load_cluster", "load_texts"]

_NOTHING_IN_DIRECTORY = "no Kubernetes objects in directory, only files that hold none: "
_EMPTY_STDIN = "no Kubernetes objects: standard input is empty or holds only comments"

#: Every kind the loader reads, one family per module (docs/architecture.md, "Adding a kind").
_KINDS = Kinds(
    namespaces.FAMILY,
    workloads.FAMILY,
    nodes.FAMILY,
    services.FAMILY,
    ingress.FAMILY,
    gateway.FAMILY,
    networkpolicy.FAMILY,
    clusterpolicy.FAMILY,
    foreign.FAMILY,
)


def load_cluster(
    inputs: list[str],
    options: LoadOptions | None = None,
    *,
    labels: Mapping[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> LoadResult:
    """Load files, directories (recursively) and ``-`` (stdin) into a Cluster.

    ``labels`` maps a file or directory path to the name positions and errors give it
    (``REV:path`` for one read out of git). ``progress(done, total)`` is called after each
    document, in characters read of the regular files' total size. Raises :class:`InputErrors`
    with every problem found, in file and line order (at most ``limits.max_errors`` of them:
    reading stops there).
    """
    options = options or LoadOptions()
    found = find_inputs(inputs, options.limits)
    files = found.files
    reader = Reader(options, _KINDS)
    reader.errors.extend(found.errors)
    budget = Budget(options.limits)
    sizes = {path: _size(path) for path in files} if progress is not None else {}
    total = sum(sizes.values())
    before = 0
    objects: dict[str, int] = {}  # Kubernetes objects in each directory given
    skipped: dict[str, list[str]] = {}  # files skipped in each directory given
    try:
        for path in files:
            top = found.walked.get(path)
            reader.begin_file("<stdin>" if path == "-" else (labels or {}).get(path, path), walked=top is not None)
            try:
                for doc in read_documents(path, label=reader.path, budget=budget):
                    reader.document(doc.root)
                    if progress is not None and doc.root is not None:
                        progress(before + min(doc.root.end_mark.index, sizes[path]), total)
            except InputError as exc:
                reader.errors.append(exc)
                reader.end_file(failed=True)
                if top is not None:  # its error says enough: the directory is no empty one
                    objects[top] = objects.get(top, 0) + 1
            else:
                was_skipped = len(reader.skipped)
                reader.end_file()
                if path == "-" and not reader.file_documents:
                    reader.errors.append(InputError(_EMPTY_STDIN, field="<stdin>"))
                if top is not None:
                    objects[top] = objects.get(top, 0) + reader.file_objects
                    skipped.setdefault(top, []).extend(reader.skipped[was_skipped:])
            before += sizes.get(path, 0)
        for top, names in skipped.items():  # nothing but files that hold no objects: as an empty one
            if names and not objects[top]:
                where = (labels or {}).get(top, top)  # a directory read out of git: REV:path
                reader.errors.append(InputError(_NOTHING_IN_DIRECTORY + listing(names), field=where))
        for path in found.kustomizations:  # not manifests: only whether they make a kustomize folder
            reader.path = (labels or {}).get(path, path)
            try:
                for doc in read_documents(path, label=reader.path, budget=budget):
                    reader.kustomization(doc.root)
            except InputError:
                pass
    except TooManyErrors:
        reader.stopped()
    return finish(reader, files)


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
    reader = Reader(options or LoadOptions(), _KINDS)
    budget = Budget(reader.options.limits)
    try:
        for path, text in texts.items():
            reader.begin_file(path, walked=False)
            try:
                for doc in compose_documents(path, text, budget=budget):
                    reader.document(doc.root)
            except InputError as exc:
                reader.errors.append(exc)
                reader.end_file(failed=True)
            else:
                reader.end_file()
    except TooManyErrors:
        reader.stopped()
    return finish(reader, texts)
