"""What a suggested policy says about workloads: the selector that picks one out of its namespace,
the peer that names it from a policy, the port a rule names it by, and the policy's name.

A workload is the pods that share ``Pod.endpoint`` (``ns/name[Kind]``): a workload manifest's
representative pod, or the pods of a ``kubectl get pods`` dump that one controller owns, or a bare
pod on its own. Its selector is built from its labels, never from pod names:

1. the labels every pod of the workload carries, minus those a controller generates per revision
   or per pod (``pod-template-hash``, ``controller-revision-hash``, ...);
2. of these, the smallest set that selects exactly the workload's pods among its namespace's pods,
   the usual keys first (``app.kubernetes.io/name``, ``app``, ``k8s-app``, ``component``, ...);
3. when no set does (two workloads with the same labels), all of them, and the workloads it also
   selects are recorded so that the policy can say so.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from netsim.match.selectors import matches_selector
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    Direction,
    Endpoint,
    Labels,
    LabelSelector,
    Options,
    Pod,
    PodPeer,
    PortSpec,
    Protocol,
)

__all__ = [
    "GENERATED_LABELS",
    "NAME_PREFIX",
    "PREFERRED_KEYS",
    "Choice",
    "Workloads",
    "bounded_name",
    "endpoint_label",
    "is_generated",
]

#: Labels a controller sets per revision or per pod: they never describe the workload.
GENERATED_LABELS = frozenset(
    {
        "pod-template-hash",
        "controller-revision-hash",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "job-name",
        "controller-uid",
    }
)
_GENERATED_PREFIXES = ("batch.kubernetes.io/",)

#: Keys people select workloads by, in the order a selector prefers them (others follow by name).
PREFERRED_KEYS = (
    "app.kubernetes.io/name",
    "app",
    "k8s-app",
    "component",
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "name",
    "tier",
    "role",
)

#: What every suggested policy's name starts with.
NAME_PREFIX = "netsim-suggested-"

#: Longest name of an object (DNS-1123 subdomain).
_MAX_NAME = 253
#: Above this many candidate keys, only sets of up to _MAX_SUBSET keys are tried before all of them.
_MANY_KEYS = 12
_MAX_SUBSET = 3


def is_generated(key: str) -> bool:
    """True for a label a controller generates (``pod-template-hash``, ``batch.kubernetes.io/...``)."""
    return key in GENERATED_LABELS or key.startswith(_GENERATED_PREFIXES)


def _key_order(key: str) -> tuple[int, str]:
    try:
        return (PREFERRED_KEYS.index(key), key)
    except ValueError:
        return (len(PREFERRED_KEYS), key)


def endpoint_label(end: Endpoint) -> str:
    """How a comment names an end: ``ns/workload`` for a pod, the address for an external one."""
    if isinstance(end, Pod):
        return f"{end.namespace}/{end.workload_name}"
    return str(end.ip)


def bounded_name(name: str, limit: int = _MAX_NAME) -> str:
    """``name`` if it fits in ``limit`` characters, else its start and a stable hash of it.

    >>> bounded_name("netsim-suggested-api-ingress")
    'netsim-suggested-api-ingress'
    >>> len(bounded_name("a" * 300))
    253
    """
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - len(digest) - 1].rstrip('-.')}-{digest}"


@dataclass(frozen=True, slots=True)
class Choice:
    """The selector chosen for a workload: exact, or with the other workloads it also selects."""

    selector: LabelSelector
    also: tuple[str, ...] = ()  # other workloads (endpoints) of the namespace it selects


class Workloads:
    """The cluster's pods by workload and namespace, and what the suggestion needs of them."""

    def __init__(self, cluster: Cluster, options: Options, extra: Iterable[Pod] = ()) -> None:
        self.cluster = cluster
        self.options = options
        self.members: dict[str, list[Pod]] = {}
        self._by_ns: dict[str, list[str]] = {}
        seen: set[str] = set()
        for pod in (*cluster.pods, *extra):
            if pod.undescribed or pod.ref in seen:
                continue
            seen.add(pod.ref)
            key = pod.endpoint
            if key not in self.members:
                self.members[key] = []
                self._by_ns.setdefault(pod.namespace, []).append(key)
            self.members[key].append(pod)
        self._choices: dict[str, Choice] = {}
        self._names: dict[tuple[str, Direction], str] = {}

    def pods(self, key: str) -> Sequence[Pod]:
        """The pods of a workload."""
        return self.members.get(key, ())

    def selected(self, namespace: str, selector: LabelSelector) -> list[str]:
        """The workloads of ``namespace`` of which the selector selects a pod."""
        return [
            key
            for key in self._by_ns.get(namespace, ())
            if any(matches_selector(selector, p.labels) for p in self.members[key])
        ]

    def choice(self, key: str) -> Choice:
        """The workload's selector (computed once)."""
        found = self._choices.get(key)
        if found is None:
            found = self._choices[key] = self._choose(key)
        return found

    def _choose(self, key: str) -> Choice:
        pods = self.members[key]
        namespace = pods[0].namespace
        common = dict(pods[0].labels)
        for pod in pods[1:]:
            common = {k: v for k, v in common.items() if pod.labels.get(k) == v}
        keys = sorted((k for k in common if not is_generated(k)), key=_key_order)
        if not keys:  # nothing to select it by: the namespace's pods, exact only when it is alone there
            every = LabelSelector()
            return Choice(every, tuple(k for k in self.selected(namespace, every) if k != key))
        sizes = range(1, len(keys) + 1) if len(keys) <= _MANY_KEYS else range(1, _MAX_SUBSET + 1)
        for size in sizes:
            for subset in itertools.combinations(keys, size):  # in order of preference, size by size
                selector = LabelSelector(Labels({k: common[k] for k in subset}))
                if self.selected(namespace, selector) == [key]:
                    return Choice(selector)
        selector = LabelSelector(Labels({k: common[k] for k in keys}))
        return Choice(selector, tuple(k for k in self.selected(namespace, selector) if k != key))

    def peer(self, key: str, policy_namespace: str) -> PodPeer:
        """The peer that selects the workload from a policy of ``policy_namespace``: its pod
        selector, with a namespaceSelector on the namespace's name when it lives elsewhere."""
        pods = self.members[key]
        selector = self.choice(key).selector
        if pods[0].namespace == policy_namespace:
            return PodPeer(None, selector)
        return PodPeer(LabelSelector(Labels({NAMESPACE_NAME_LABEL: pods[0].namespace})), selector)

    def port(self, destination: Endpoint, port: int, protocol: Protocol) -> PortSpec:
        """The port as a rule names it: the name every pod of the destination's workload declares
        for that number and protocol, else the number."""
        if not isinstance(destination, Pod) or destination.endpoint not in self.members:
            return PortSpec(protocol, port)
        names: set[str | None] = set()
        for pod in self.members[destination.endpoint]:
            declared = [cp.name for cp in pod.ports if cp.port == port and cp.protocol is protocol and cp.name]
            names.add(declared[0] if len(declared) == 1 else None)
        name = names.pop() if len(names) == 1 else None
        return PortSpec(protocol, name if name is not None else port)

    def name(self, key: str, direction: Direction) -> str:
        """``netsim-suggested-<workload>-<ingress|egress>``, with the workload's kind when another
        workload of the namespace has its name; unique among the namespace's policies."""
        found = self._names.get((key, direction))
        if found is not None:
            return found
        pod = self.members[key][0]
        namesakes = [k for k in self._by_ns[pod.namespace] if self.members[k][0].workload_name == pod.workload_name]
        stem = pod.workload_name if len(namesakes) == 1 else f"{pod.workload_name}-{pod.workload_kind.lower()}"
        name = self.unique(pod.namespace, f"{NAME_PREFIX}{stem}-{direction.value.lower()}")
        self._names[(key, direction)] = name
        return name

    def unique(self, namespace: str, wanted: str) -> str:
        """``wanted`` (bounded), or with a number when the manifests already have a policy of that
        name in the namespace (applying the suggestion must never replace one of them)."""
        taken = {p.name for p in self.cluster.policies if p.namespace == namespace}
        name, n = bounded_name(wanted), 1
        while name in taken:
            n += 1
            name = bounded_name(f"{wanted}-{n}")
        return name
