"""Command-line endpoint and port references: ``ns/name``, ``name`` (with a default namespace),
an IP address, ``80``, ``53/UDP`` or a named port of the destination pod."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from ipaddress import ip_address

from netsim.errors import NetsimError, UnknownEndpointError
from netsim.model import Cluster, Endpoint, External, Pod, Protocol

__all__ = [
    "PortRef",
    "deployment_of",
    "did_you_mean",
    "members",
    "namespaces",
    "parse_port",
    "require_namespace",
    "resolve_endpoint",
    "resolve_port",
    "suggest",
]


def suggest(text: str, names: Iterable[str] | Mapping[str, str], limit: int = 3) -> tuple[str, ...]:
    """What a misspelt ``text`` may have meant: the closest of ``names`` (difflib), best first,
    then the names whose last segment is ``text``'s (``prod/web`` -> ``shop/web``); ``limit`` at most.

    ``names`` may map each spelling to what to suggest for it (``shop/web`` ->
    ``shop/web[Deployment]``): ``text`` is compared with the spellings, the suggestions are theirs.
    """
    import difflib  # only for a mistake: not paid by every run

    shown = dict(names) if isinstance(names, Mapping) else {name: name for name in names}
    pool = sorted(shown)
    close = difflib.get_close_matches(text, pool, n=limit, cutoff=0.5)
    leaf = text.rsplit("/", 1)[-1]
    same_name = [n for n in pool if n.split("/", 1)[-1].split("[", 1)[0] == leaf and n not in close]
    out: list[str] = []
    for name in close + same_name:
        if shown[name] not in out:
            out.append(shown[name])
    return tuple(out[:limit])


def did_you_mean(suggestions: Iterable[str]) -> str:
    """``"; did you mean 'a', 'b'?"`` (as ``netsim check`` words it), or ``""`` for no suggestion."""
    quoted = ", ".join(repr(s) for s in suggestions)
    return f"; did you mean {quoted}?" if quoted else ""


def namespaces(cluster: Cluster) -> frozenset[str]:
    """The namespaces of the input: declared by a Namespace manifest, or holding a pod, a workload
    or a policy."""
    return frozenset(ns.name for ns in cluster.namespaces) | {p.namespace for p in cluster.pods}


def require_namespace(cluster: Cluster, text: str, option: str) -> None:
    """Raise ``--option NAME: no such namespace in the input; did you mean ...?`` unless the input
    has namespace ``text``."""
    known = namespaces(cluster)
    if text not in known:
        raise NetsimError(f"{option} {text}: no such namespace in the input" + did_you_mean(suggest(text, known)))


_KIND_SUFFIX = re.compile(r"^(?P<ns>[^/]+)/(?P<name>[^/\[]+)\[(?P<kind>[A-Za-z]+)\]$")
_KIND_PATH = re.compile(r"^(?P<ns>[^/]+)/(?P<kind>[A-Za-z]+)/(?P<name>[^/]+)$")


def resolve_endpoint(cluster: Cluster, text: str, default_namespace: str = "default") -> Endpoint:
    """A pod or workload by ``ns/name``, ``name``, ``ns/Kind/name`` or ``ns/name[Kind]``, or an IP.

    ``ns/name`` names a pod or a workload (a Deployment's representative pod, or the pods a
    ReplicaSet owns; on a dump, also the Deployment that owns that ReplicaSet, through its
    ``pod-template-hash``), whichever is unique; for a workload with several pods the first (by name)
    stands for it. An IP that is a (non-hostNetwork) pod's address is that pod: policies see pod
    traffic by the pod, not by its address.
    """
    text = text.strip()
    try:
        ip = ip_address(text)
    except ValueError:
        pass
    else:
        for pod in cluster.pods:
            if ip in pod.ips and not pod.host_network:
                return pod
        return External(ip)
    ref = text if "/" in text else f"{default_namespace}/{text}"
    kinded = _KIND_SUFFIX.match(ref) or _KIND_PATH.match(ref)
    if kinded:
        ns, name, kind = kinded["ns"], kinded["name"], kinded["kind"]
        hits = [p for p in cluster.pods if p.endpoint == f"{ns}/{name}[{kind}]"]
    else:
        hits = [p for p in cluster.pods if p.ref == ref or p.endpoint.rsplit("[", 1)[0] == ref]
    if not hits:
        # a Deployment by its name, on a dump: its pods are owned by a ReplicaSet named
        # "<deployment>-<pod-template-hash>"
        ns, _, name = ref.partition("/")
        if kinded:
            ns, name = kinded["ns"], kinded["name"] if kinded["kind"] == "Deployment" else ""
        hits = [p for p in cluster.pods if p.namespace == ns and name and deployment_of(p) == name]
    endpoints = sorted({p.endpoint for p in hits})
    if len(endpoints) == 1:
        exact = [p for p in hits if p.ref == ref]
        return exact[0] if exact else min(hits, key=lambda p: p.ref)
    if len(endpoints) > 1:
        raise UnknownEndpointError(text, tuple(endpoints), ambiguous=True)
    # suggest only what resolves: a pod's ns/name when it names one endpoint, and every endpoint
    # (a bare pod's endpoint ns/name[Pod] is the pod itself: suggested only when ns/name is ambiguous)
    named: dict[str, set[str]] = {}
    for p in cluster.pods:
        for key in (p.ref, p.endpoint.rsplit("[", 1)[0]):
            named.setdefault(key, set()).add(p.endpoint)
    names = sorted(
        {p.ref for p in cluster.pods if len(named[p.ref]) == 1}
        | {p.endpoint for p in cluster.pods if p.endpoint != f"{p.ref}[Pod]" or len(named[p.ref]) > 1}
    )
    raise UnknownEndpointError(text, suggest(ref, names))


def deployment_of(pod: Pod) -> str | None:
    """The Deployment a pod of a dump belongs to: its owner is a ReplicaSet named
    ``<deployment>-<pod-template-hash>`` (the label the Deployment controller sets); None otherwise."""
    digest = pod.labels.get("pod-template-hash")
    owner = pod.owner_name
    if pod.owner_kind != "ReplicaSet" or not digest or owner is None or not owner.endswith(f"-{digest}"):
        return None
    return owner[: -len(digest) - 1] or None


def members(cluster: Cluster, pod: Pod) -> tuple[Pod, ...]:
    """Every pod of the endpoint (workload) that ``pod`` belongs to."""
    return tuple(p for p in cluster.pods if p.endpoint == pod.endpoint)


@dataclass(frozen=True, slots=True)
class PortRef:
    """A port as given on the command line: a number or a name, with an optional protocol."""

    port: int | str
    protocol: Protocol | None = None


def parse_port(text: str) -> PortRef:
    """``80``, ``80/TCP``, ``53/udp``, ``http`` or ``dns/UDP``."""
    value, _, proto = text.strip().partition("/")
    protocol = None
    if proto:
        try:
            protocol = Protocol(proto.upper())
        except ValueError:
            raise NetsimError(f"unknown protocol {proto!r} in port {text!r}: use TCP, UDP or SCTP") from None
    if value.isdigit():
        number = int(value)
        if not 1 <= number <= 65535:
            raise NetsimError(f"port {number} is out of range: ports are 1-65535")
        return PortRef(number, protocol)
    if not value:
        raise NetsimError(f"empty port in {text!r}")
    return PortRef(value, protocol)


def resolve_port(ref: PortRef, destination: Endpoint, default_protocol: Protocol | None = None) -> tuple[int, Protocol]:
    """A number and protocol; a named port resolves against the destination pod's ports."""
    protocol = ref.protocol or default_protocol
    if isinstance(ref.port, int):
        return ref.port, protocol or Protocol.TCP
    if not isinstance(destination, Pod):
        raise NetsimError(f"named port {ref.port!r} needs a pod destination; {destination} is an address")
    hits = [cp for cp in destination.ports if cp.name == ref.port and (protocol is None or cp.protocol is protocol)]
    if not hits:
        other_protocol = sorted(f"{cp.port}/{cp.protocol}" for cp in destination.ports if cp.name == ref.port)
        if other_protocol:
            declared = ", ".join(other_protocol)
            raise NetsimError(f"{destination.ref} declares port {ref.port!r} as {declared}, not as {protocol}")
        names = sorted({f"{cp.name} ({cp.port}/{cp.protocol})" for cp in destination.ports if cp.name})
        known = ", ".join(names) if names else "none"
        raise NetsimError(f"{destination.ref} declares no port named {ref.port!r}; its named ports: {known}")
    return hits[0].port, hits[0].protocol
