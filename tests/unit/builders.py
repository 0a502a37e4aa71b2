"""Small constructors for model objects, so engine tests read like the policies they encode.

Nothing here parses YAML: every helper builds the frozen model values directly (cyclonus's
"traffic as labels" style). ``policy()`` applies the API server's ``policyTypes`` defaulting when
no types are given (docs/semantics.md, "Defaulting"), exactly as the loader does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from ipaddress import ip_address, ip_network

from netsim.engine import PolicyIndex, evaluate
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Cluster,
    ContainerPort,
    Direction,
    Endpoint,
    External,
    IPBlockPeer,
    Labels,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Operator,
    Options,
    Peer,
    Pod,
    PodPeer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
    Traffic,
)
from netsim.verdict import Verdict

__all__ = [
    "ALL",
    "SCTP",
    "TCP",
    "UDP",
    "block",
    "cluster",
    "cport",
    "expr",
    "ext",
    "namespace",
    "peer",
    "pod",
    "policy",
    "port",
    "rule",
    "sel",
    "verdict",
]

TCP = Protocol.TCP
UDP = Protocol.UDP
SCTP = Protocol.SCTP

#: The empty selector ``{}``: matches everything.
ALL = LabelSelector()


def sel(labels: Mapping[str, str] | None = None, *exprs: Requirement) -> LabelSelector:
    """A selector from matchLabels and matchExpressions (``sel()`` is ``{}``)."""
    return LabelSelector(Labels(labels or {}), tuple(exprs))


def expr(key: str, operator: Operator, *values: str) -> Requirement:
    """One matchExpressions entry."""
    return Requirement(key, operator, tuple(values))


def namespace(name: str, labels: Mapping[str, str] | None = None) -> Namespace:
    """A namespace with the automatic ``kubernetes.io/metadata.name`` label."""
    return Namespace(name, Labels({**(labels or {}), NAMESPACE_NAME_LABEL: name}))


def cport(number: int, protocol: Protocol = TCP, name: str | None = None) -> ContainerPort:
    """A declared container port."""
    return ContainerPort(number, protocol, name)


def pod(
    ref: str,
    labels: Mapping[str, str] | None = None,
    *,
    ip: str | None = None,
    ports: Iterable[ContainerPort] = (),
    host_network: bool = False,
    node: str | None = None,
    host_ip: str | None = None,
) -> Pod:
    """A pod ``ns/name``; a hostNetwork pod's address is its node's (``host_ip``)."""
    ns, name = ref.split("/", 1)
    addr = ip if ip is not None else (host_ip if host_network else None)
    return Pod(
        ns,
        name,
        Labels(labels or {}),
        tuple(ports),
        (ip_address(addr),) if addr else (),
        host_network,
        node,
        ip_address(host_ip) if host_ip else None,
    )


def ext(ip: str) -> External:
    """An address outside the modelled pods."""
    return External(ip_address(ip))


def peer(pods: LabelSelector | None = None, namespaces: LabelSelector | None = None) -> PodPeer:
    """A selector peer; ``None`` is an omitted selector, ``ALL`` the empty one."""
    return PodPeer(namespaces, pods)


def block(cidr: str, *excepts: str) -> IPBlockPeer:
    """An ipBlock peer."""
    return IPBlockPeer(ip_network(cidr), tuple(ip_network(e) for e in excepts))


def port(number: int | str | None = None, protocol: Protocol = TCP, end: int | None = None) -> PortSpec:
    """One ``ports`` entry (``port()`` is ``{}``: every TCP port)."""
    return PortSpec(protocol, number, end)


def rule(*peers: Peer, ports: Iterable[PortSpec] = ()) -> Rule:
    """A rule; no peers means every peer, no ports every port."""
    return Rule(tuple(peers), tuple(ports))


def policy(
    ref: str,
    pod_selector: LabelSelector = ALL,
    *,
    ingress: Iterable[Rule] = (),
    egress: Iterable[Rule] = (),
    types: str | None = None,
) -> NetworkPolicy:
    """A policy ``ns/name``; ``types`` is "Ingress", "Egress" or "Ingress,Egress".

    Without ``types`` the API server's defaulting applies: Ingress always, plus Egress when
    there is at least one egress rule.
    """
    ns, name = ref.split("/", 1)
    ing, eg = tuple(ingress), tuple(egress)
    if types is None:
        directions = {Direction.INGRESS} | ({Direction.EGRESS} if eg else set())
    else:
        directions = {Direction(t.strip()) for t in types.split(",")}
    return NetworkPolicy(ns, name, pod_selector, frozenset(directions), ing, eg, policy_types_defaulted=types is None)


def cluster(
    pods: Iterable[Pod] = (),
    policies: Iterable[NetworkPolicy] = (),
    namespaces: Iterable[Namespace] = (),
) -> Cluster:
    """A cluster; namespaces used by pods or policies but not given are declared bare."""
    pod_list, pol_list = sorted(pods, key=lambda p: p.ref), sorted(policies, key=lambda p: p.ref)
    given = {n.name: n for n in namespaces}
    for name in [p.namespace for p in pod_list] + [p.namespace for p in pol_list]:
        given.setdefault(name, namespace(name))
    return Cluster(tuple(sorted(given.values(), key=lambda n: n.name)), tuple(pod_list), tuple(pol_list))


def verdict(
    c: Cluster | PolicyIndex,
    src: Endpoint,
    dst: Endpoint,
    number: int = 80,
    protocol: Protocol = TCP,
    options: Options | None = None,
) -> Verdict:
    """Evaluate one connection attempt."""
    return evaluate(c, Traffic(src, dst, number, protocol), options)
