"""A connection from or to a workload is one from or to each of its pods.

``netsim check --from shop/web[Deployment]`` asks about every pod of the workload: on a cluster
dump, the pods of one ReplicaSet may be treated differently by the policies (a pod labelled by
hand, say ``quarantine=true``; pods whose addresses fall in different ipBlocks; pods on
different nodes for a hostNetwork peer). The pods a name stands for are grouped as the pod classes
group them (the pods that every policy treats alike answer alike), and one pod of each kind is
asked: the answer for the workload is allowed only when it is for every pair, as for a Service's
backends. Towards a Service, the Service is asked from a pod of each kind of the source.
"""

from __future__ import annotations

from netsim.endpoints import PortRef, named_pods, resolve_port
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import NetsimError
from netsim.model import Endpoint, Pod, Protocol, Service, ServicePort, Traffic
from netsim.reach import distinct_pods, pod_kinds
from netsim.services import evaluate_service
from netsim.verdict import ServiceVerdict, Verdict, WorkloadVerdict

__all__ = ["evaluate_named", "evaluate_named_service"]


def _asked(index: PolicyIndex, text: str, endpoint: Endpoint, namespace: str) -> tuple[str, tuple[Endpoint, ...]]:
    """What ``text`` names (its label, and one pod of each kind it stands for, ``endpoint`` first)."""
    pods = named_pods(index.cluster, text, endpoint, namespace)
    if len(pods) < 2 or not isinstance(endpoint, Pod):
        return endpoint.ref, (endpoint,)
    kinds = distinct_pods(index, (endpoint, *(p for p in pods if p is not endpoint)))
    return endpoint.endpoint, kinds


def evaluate_named(
    index: PolicyIndex,
    source_text: str,
    destination_text: str,
    source: Endpoint,
    destination: Endpoint,
    port: PortRef,
    protocol: Protocol | None,
    namespace: str,
) -> WorkloadVerdict[Verdict]:
    """The connection from what ``source_text`` names to what ``destination_text`` names (resolved
    to ``source`` and ``destination``, the pods that stand for them) on ``port``: one verdict per
    pair of a pod of each kind on each side, ``source`` to ``destination`` first. A named port is
    resolved on each destination pod; a pod that does not declare it is not asked. From a workload
    to itself: its pods to each other (:func:`_among`)."""
    number, proto = resolve_port(port, destination, protocol)
    first = evaluate(index, Traffic(source, destination, number, proto))
    if isinstance(source, Pod) and isinstance(destination, Pod) and source.endpoint == destination.endpoint:
        return _among(index, source_text, source, destination, port, protocol, namespace, first)
    src_label, sources = _asked(index, source_text, source, namespace)
    dst_label, destinations = _asked(index, destination_text, destination, namespace)
    verdicts = [first]
    for dst in destinations:
        found = _port_on(port, dst, protocol)
        if found is None:
            continue
        for src in sources:
            if src is not source or dst is not destination:
                verdicts.append(evaluate(index, Traffic(src, dst, *found)))
    return WorkloadVerdict(src_label, dst_label, tuple(verdicts))


def _port_on(port: PortRef, pod: Endpoint, protocol: Protocol | None) -> tuple[int, Protocol] | None:
    """The port on ``pod`` (a named one resolved there); None when the pod does not declare it:
    nothing to ask of that pod."""
    try:
        return resolve_port(port, pod, protocol)
    except NetsimError:
        return None


def _among(
    index: PolicyIndex,
    text: str,
    source: Pod,
    destination: Pod,
    port: PortRef,
    protocol: Protocol | None,
    namespace: str,
    first: Verdict,
) -> WorkloadVerdict[Verdict]:
    """A workload to itself. One pod object standing for its replicas (a Deployment's manifest):
    one replica to another, as ``evaluate`` answers it (``first``). Two pods or more (a dump): each
    pod to the others, one pair for each kind of source pod and kind of destination pod (a pod
    never counts as reaching itself). With ``--no-replica-traffic`` a workload is one pod, which
    can always reach itself (``first``)."""
    pods = named_pods(index.cluster, text, source, namespace)
    if len(pods) < 2 or not index.options.replica_traffic:  # one pod, as --no-replica-traffic has it
        return WorkloadVerdict(source.ref, destination.ref, (first,))
    kinds = pod_kinds(index, pods)
    # the first two pods of each kind: enough for a pair of every two kinds, and within a kind
    taken: dict[int, int] = {}
    few: list[tuple[Pod, int]] = []
    for pod, kind in zip(pods, kinds, strict=True):
        if taken.get(kind, 0) < 2:
            taken[kind] = taken.get(kind, 0) + 1
            few.append((pod, kind))
    ports = {pod.ref: _port_on(port, pod, protocol) for pod, _ in few}
    asked: set[tuple[int, int]] = set()
    verdicts: list[Verdict] = []
    for src, src_kind in few:
        for dst, dst_kind in few:
            found = ports.get(dst.ref)
            if src is not dst and found is not None and (src_kind, dst_kind) not in asked:
                asked.add((src_kind, dst_kind))
                verdicts.append(evaluate(index, Traffic(src, dst, *found)))
    if not verdicts:  # every pod alone of its kind without the port, say: as before
        return WorkloadVerdict(source.ref, destination.ref, (first,))
    return WorkloadVerdict(source.endpoint, destination.endpoint, tuple(verdicts))


def evaluate_named_service(
    index: PolicyIndex, source_text: str, source: Endpoint, service: Service, port: ServicePort, namespace: str
) -> WorkloadVerdict[ServiceVerdict]:
    """The connection from what ``source_text`` names (resolved to ``source``) to ``service`` on
    ``port``: the Service's verdict (towards each backend) for a pod of each kind of the source,
    ``source`` first."""
    label, sources = _asked(index, source_text, source, namespace)
    results = tuple(evaluate_service(index, src, service, port) for src in sources)
    return WorkloadVerdict(label, service.ref, results)
