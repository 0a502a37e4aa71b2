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
    "named_pods",
    "namespaces",
    "parse_port",
    "require_namespace",
    "resolve_endpoint",
    "resolve_port",
    "suggest",
]


#: How close (0 to 1) a name must be to be suggested.
SUGGEST_CUTOFF = 0.5


def _name_parts(text: str) -> tuple[str, str, str]:
    """``(namespace, name, kind)`` of ``ns/name[Kind]``, ``ns/Kind/name``, ``ns/name`` or ``name``,
    lower-cased (empty strings for the parts not written)."""
    text = text.strip().lower()
    kind = ""
    if text.endswith("]") and "[" in text:
        text, _, kind = text[:-1].rpartition("[")
    namespace, _, name = text.rpartition("/")
    if "/" in namespace:  # ns/Kind/name
        namespace, _, kind = namespace.partition("/")
    return namespace, name, kind


def _closeness(text: tuple[str, str, str], name: tuple[str, str, str]) -> tuple[float, float]:
    """How close a spelling is to what was typed: ``(score, name score)``, each 0 to 1.

    The namespace and the name are compared apart (a typo in either costs only its part), the name
    weighing more, so ``payment/api`` is closest to ``payments/api[Deployment]``, then to
    ``shop/api`` (the same name elsewhere), then to ``payments/batch``. Between ``ns/name`` and
    a bare name, the names are compared, or the namespace with the bare name (a namespace). A kind
    counts a little, and only when one was typed.
    """
    import difflib  # only for a mistake: not paid by every run

    def ratio(a: str, b: str) -> float:
        return 1.0 if a == b else difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()

    (t_ns, t_name, t_kind), (ns, nm, kind) = text, name
    by_name = ratio(t_name, nm)
    if t_ns and ns:
        score = 0.4 * ratio(t_ns, ns) + 0.6 * by_name
    elif t_ns or ns:
        # one side names no namespace: the names decide, a little below a full match; or it is a
        # namespace, named by the other's namespace part (``shop/web`` -> the namespace ``shop``)
        by_namespace = ratio(t_ns, nm) if t_ns else ratio(t_name, ns)
        score, by_name = max((0.9 * by_name, by_name), (0.8 * by_namespace, by_namespace))
    else:
        score = by_name
    if t_kind:
        score = 0.85 * score + 0.15 * ratio(t_kind, kind)
    return score, by_name


def suggest(text: str, names: Iterable[str] | Mapping[str, str], limit: int = 3) -> tuple[str, ...]:
    """What a misspelt ``text`` may have meant: the closest of ``names``, best first, ``limit`` at most.

    A name is suggested when it is close as a whole (difflib, ignoring case), when its name part is
    the one typed (``prod/web`` -> ``shop/web``), or when namespace and name, compared apart, are
    close. They are ranked by :func:`_closeness` (namespace and name apart, so ``payment/api``
    suggests ``payments/api[Deployment]`` before ``payments/batch``), then by closeness as a whole;
    names equally close keep difflib's order.

    ``names`` may map each spelling to what to suggest for it (``shop/web`` ->
    ``shop/web[Deployment]``): ``text`` is compared with the spellings, the suggestions are theirs,
    each ranked by its closest spelling.
    """
    import difflib  # only for a mistake: not paid by every run

    shown = dict(names) if isinstance(names, Mapping) else {name: name for name in names}
    typed = _name_parts(text)
    whole = text.strip().lower()
    best: dict[str, tuple[float, float, float]] = {}
    for spelling, suggestion in shown.items():
        score, by_name = _closeness(typed, _name_parts(spelling))
        as_a_whole = difflib.SequenceMatcher(None, whole, spelling.lower()).ratio()
        same_name = by_name == 1.0 and bool(typed[1])
        close = score >= SUGGEST_CUTOFF and by_name >= SUGGEST_CUTOFF
        if close or same_name or as_a_whole >= SUGGEST_CUTOFF:
            best[suggestion] = max(best.get(suggestion, (0.0, 0.0, 0.0)), (score, by_name, as_a_whole))
    ranked = sorted(best, reverse=True)  # equally close: difflib's order
    ranked.sort(key=lambda s: best[s], reverse=True)
    return tuple(ranked[:limit])


def did_you_mean(suggestions: Iterable[str]) -> str:
    """``"; did you mean 'a', 'b'?"`` (as ``netsim check`` words it), or ``""`` for no suggestion."""
    quoted = ", ".join(repr(s) for s in suggestions)
    return f"; did you mean {quoted}?" if quoted else ""


def namespaces(cluster: Cluster) -> frozenset[str]:
    """The namespaces of the input: declared by a Namespace manifest, or holding a pod, a workload,
    a NetworkPolicy or a Service."""
    return (
        frozenset(ns.name for ns in cluster.namespaces)
        | {p.namespace for p in cluster.pods}
        | {p.namespace for p in cluster.policies}
        | {s.namespace for s in cluster.services}
    )


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


def named_pods(cluster: Cluster, text: str, endpoint: Endpoint, default_namespace: str = "default") -> tuple[Pod, ...]:
    """Every pod that ``text`` (which :func:`resolve_endpoint` resolved to ``endpoint``) names:
    a workload's pods when it names a workload, else the one pod (none for an address)."""
    if not isinstance(endpoint, Pod):
        return ()
    text = text.strip()
    ref = text if "/" in text else f"{default_namespace}/{text}"
    if ref == endpoint.ref or text in {str(ip) for ip in endpoint.ips}:
        return (endpoint,)
    return members(cluster, endpoint)


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
