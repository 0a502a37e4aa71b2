"""From what a flow record says about an end to a netsim endpoint of the manifests.

An end maps, in this order, to:

1. the pod its namespace and pod name name (``Pod.ref``);
2. the pod whose address it has (``Pod.ips``; hostNetwork pods have their node's address and are
   their node, as on netsim's command line), unless the end names another namespace (the address
   was reused);
3. the workload it belongs to: the owner the record names (Hubble's workload, a Calico aggregated
   name), or the one its pod name points to (:mod:`netsim.flows.workloads`), matched against the
   workloads of the manifests (their representative pods) and the controllers of a dump's pods
   (``owner_name``, ``deployment_of``), the first pod by name standing for a workload's pods;
4. an ``External`` address: an end that is no pod (Hubble ``reserved:world``, ``host``, ...;
   Calico ``net``, ``hep``, ``ns``) or names no namespace, and has an address.

An end that names a namespace or pod the manifests lack is :class:`Unmapped` with the reason,
never taken for an outside address. :class:`EndpointIndex` builds its lookup tables once and
caches the answer per end, so mapping a million records costs a dictionary lookup each.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from netsim.endpoints import deployment_of, namespaces
from netsim.flows.model import FlowEnd
from netsim.flows.workloads import Candidate, name_candidates, workload_candidates
from netsim.model import Cluster, Endpoint, External, IPAddress, Pod

__all__ = ["EndpointIndex", "Unmapped", "map_end"]

_CACHE_SIZE = 500_000
_LISTED = 5


@dataclass(frozen=True, slots=True)
class Unmapped:
    """An end that is no endpoint of the manifests, and why."""

    reason: str

    def __str__(self) -> str:
        return self.reason


class EndpointIndex:
    """A cluster's pods, workloads and addresses as lookup tables, and the ends mapped so far."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self._pods: dict[str, Pod] = {}
        self._by_ip: dict[IPAddress, Pod] = {}
        # (namespace, workload name) -> kind -> the pods that stand for it
        self._workloads: dict[tuple[str, str], dict[str, list[Pod]]] = {}
        self._in_namespace: dict[str, set[str]] = {}
        self._namespaces = namespaces(cluster)
        #: the ends mapped so far: (endpoint or Unmapped, key), the key equal for equal endpoints
        self.cache: dict[FlowEnd, tuple[Endpoint | Unmapped, Hashable]] = {}
        for pod in cluster.pods:
            ns = pod.namespace
            deployment = deployment_of(pod) if pod.kind == "Pod" else None
            shown = f"{deployment}[Deployment]" if deployment else pod.endpoint.split("/", 1)[1].removesuffix("[Pod]")
            self._in_namespace.setdefault(ns, set()).add(shown)
            if pod.kind != "Pod":  # a workload manifest's representative pod
                self._add(ns, pod.name, pod.kind, pod)
                continue
            self._pods[pod.ref] = pod
            if not pod.host_network:
                for ip in pod.ips:
                    self._by_ip.setdefault(ip, pod)
            if pod.owner_name is not None and pod.owner_kind is not None:
                self._add(ns, pod.owner_name, pod.owner_kind, pod)
                if pod.owner_kind == "Job":  # a CronJob's Job: <cronjob>-<scheduled time>
                    for name, kinds in workload_candidates(pod.owner_name, "Job")[1:]:
                        for kind in kinds or ():
                            self._add(ns, name, kind, pod)
            if deployment is not None:
                self._add(ns, deployment, "Deployment", pod)

    def _add(self, namespace: str, name: str, kind: str, pod: Pod) -> None:
        self._workloads.setdefault((namespace, name), {}).setdefault(kind, []).append(pod)

    def map(self, end: FlowEnd) -> Endpoint | Unmapped:
        """The endpoint ``end`` stands for, or why there is none."""
        return self.lookup(end)[0]

    def lookup(self, end: FlowEnd) -> tuple[Endpoint | Unmapped, Hashable]:
        """The endpoint (or Unmapped) and a cheap key for it: a pod's ref, an address, or (for an
        Unmapped) its reason and the end's text; equal keys, equal endpoints."""
        hit = self.cache.get(end)
        if hit is None:
            result = self._resolve(end)
            key: Hashable
            if isinstance(result, Pod):
                key = result.ref
            elif isinstance(result, External):
                key = result.ip
            else:  # ends that say different things stay apart, even for one reason
                key = (result.reason, end.text)
            hit = (result, key)
            if len(self.cache) >= _CACHE_SIZE:
                self.cache.clear()
            self.cache[end] = hit
        return hit

    def _resolve(self, end: FlowEnd) -> Endpoint | Unmapped:
        ns = end.namespace
        if not end.outside:
            if ns is not None and end.pod is not None:
                pod = self._pods.get(f"{ns}/{end.pod}")
                if pod is not None:
                    return pod
            if end.ip is not None:
                pod = self._by_ip.get(end.ip)
                if pod is not None and (ns is None or pod.namespace == ns):
                    return pod
            if ns is not None:
                for name, kinds in self._candidates(end):
                    pod = self._workload(ns, name, kinds)
                    if pod is not None:
                        return pod
        if end.ip is not None and (end.outside or ns is None):
            return External(end.ip)
        return Unmapped(self._reason(end))

    @staticmethod
    def _candidates(end: FlowEnd) -> list[Candidate]:
        out: list[Candidate] = []
        if end.workload is not None:
            out.extend(workload_candidates(end.workload, end.workload_kind))
        if end.pod is not None:
            out.extend(name_candidates(end.pod))
        return out

    def _workload(self, namespace: str, name: str, kinds: frozenset[str] | None) -> Pod | None:
        """The pod that stands for workload ``name`` of one of ``kinds``: the workload manifest's
        representative, else the first (by name) of the dump's pods it owns."""
        entry = self._workloads.get((namespace, name))
        if entry is None:
            return None
        pods = [pod for kind, group in entry.items() if kinds is None or kind in kinds for pod in group]
        if not pods:
            return None
        representatives = [pod for pod in pods if pod.kind != "Pod"]
        return min(representatives or pods, key=lambda pod: pod.ref)

    def _reason(self, end: FlowEnd) -> str:
        text, ns = end.text, end.namespace
        if end.outside:
            return f"{text}: the record gives no address, so netsim cannot tell which ipBlocks it is in"
        if ns is None:
            if end.pod is not None or end.workload is not None:
                return f"{text}: the record gives neither its namespace nor its address"
            return "the record gives neither a pod, a namespace nor an address for this end"
        if end.pod is not None:
            what = f"pod {ns}/{end.pod} is not in the manifests, nor a workload its name points to"
        elif end.workload is not None:
            what = f"workload {text} is not in the manifests"
        elif end.ip is not None:
            what = f"no pod of the manifests has address {end.ip} (the record puts it in namespace {ns})"
        else:
            return f"the record names namespace {ns} but no pod, workload or address"
        if ns not in self._namespaces:
            return f"{what}: the manifests have no namespace {ns}"
        names = sorted(self._in_namespace.get(ns, ()))
        if not names:
            return f"{what}; namespace {ns} has no pods in the manifests"
        shown = ", ".join(names[:_LISTED])
        if len(names) > _LISTED:
            shown += f" and {len(names) - _LISTED} more"
        return f"{what}; namespace {ns} has {shown}"


_last: list[tuple[Cluster, EndpointIndex]] = []  # the index of the cluster map_end was last given


def map_end(index: EndpointIndex | Cluster, end: FlowEnd) -> Endpoint | Unmapped:
    """The endpoint of the manifests ``end`` stands for, or why there is none.

    Given a Cluster, the index is built (and kept for the next call with the same cluster); to map
    many ends, build an :class:`EndpointIndex` once and use its ``map``.
    """
    if isinstance(index, Cluster):
        if not _last or _last[0][0] is not index:
            _last[:] = [(index, EndpointIndex(index))]
        index = _last[0][1]
    return index.map(end)
