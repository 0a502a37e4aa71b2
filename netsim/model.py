"""The cluster model: frozen values for namespaces, pods, NetworkPolicies and traffic.

Every "omitted means X, empty means Y" rule of the Kubernetes API sits in a field comment here.
The loader fills these types after API-server defaulting and validation, so the engine never has
to handle an invalid value.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from typing import Literal

from netsim.errors import SourceSpan

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "PROTOCOLS",
    "Action",
    "BackendRef",
    "Cluster",
    "ClusterNetworkPolicy",
    "ClusterPeer",
    "ClusterPort",
    "ClusterRule",
    "ContainerPort",
    "Direction",
    "DomainNamesPeer",
    "Endpoint",
    "EndpointSlice",
    "External",
    "Gateway",
    "IPAddress",
    "IPBlockPeer",
    "IPNetwork",
    "Ingress",
    "LabelSelector",
    "Labels",
    "Listener",
    "Namespace",
    "NetworkPolicy",
    "Node",
    "NodesPeer",
    "Options",
    "ParentRef",
    "Peer",
    "Pod",
    "PodPeer",
    "PortSpec",
    "Protocol",
    "ReferenceGrant",
    "Requirement",
    "Route",
    "Rule",
    "Service",
    "ServicePort",
    "ServiceType",
    "SliceEndpoint",
    "SlicePort",
    "Tier",
    "Traffic",
    "UnevaluatedPolicy",
    "Unknown",
    "UnknownKind",
]

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

IPAddress = IPv4Address | IPv6Address
IPNetwork = IPv4Network | IPv6Network


class Protocol(StrEnum):
    """Layer-4 protocols NetworkPolicy is defined for."""

    TCP = "TCP"
    UDP = "UDP"
    SCTP = "SCTP"


#: Canonical order of protocols in text output (sorted by name, as netpol-analyzer prints them).
PROTOCOLS: tuple[Protocol, ...] = (Protocol.SCTP, Protocol.TCP, Protocol.UDP)


class Direction(StrEnum):
    """A policy direction, spelled as in ``spec.policyTypes``."""

    INGRESS = "Ingress"
    EGRESS = "Egress"


class Labels(Mapping[str, str]):
    """An immutable, hashable label set that iterates in sorted key order."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping[str, str] | None = None) -> None:
        self._data: dict[str, str] = dict(sorted(data.items())) if data else {}
        self._hash: int | None = None

    def __getitem__(self, key: str) -> str:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._data.get(key, default)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Labels):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Labels({self._data!r})"

    def __str__(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self._data.items()) or "(no labels)"


Operator = Literal["In", "NotIn", "Exists", "DoesNotExist"]


@dataclass(frozen=True, slots=True)
class Requirement:
    """One ``matchExpressions`` entry (validated: In/NotIn have values, Exists/DoesNotExist none)."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.operator in ("Exists", "DoesNotExist"):
            return f"{self.key} {self.operator}"
        return f"{self.key} {self.operator} ({', '.join(self.values)})"


@dataclass(frozen=True, slots=True)
class LabelSelector:
    """k8s: "The result of matchLabels and matchExpressions are ANDed. An empty label selector
    matches all objects." (A null selector is modelled as ``None`` where the API allows it.)"""

    match_labels: Labels = field(default_factory=Labels)
    match_expressions: tuple[Requirement, ...] = ()

    def is_empty(self) -> bool:
        """True for ``{}``, which selects everything."""
        return not self.match_labels and not self.match_expressions

    def __str__(self) -> str:
        parts = [f"{k}={v}" for k, v in self.match_labels.items()]
        parts += [str(r) for r in self.match_expressions]
        return "{" + ", ".join(parts) + "}"


@dataclass(frozen=True, slots=True)
class PodPeer:
    """A peer made of selectors (at least one of them is set; validated by the loader)."""

    namespace_selector: LabelSelector | None  # None → the policy's own namespace; {} → every namespace
    pod_selector: LabelSelector | None  # None or {} → every pod of the selected namespaces
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class IPBlockPeer:
    """``ipBlock``: addresses in ``cidr`` but in none of ``except_`` (strict subsets of cidr)."""

    cidr: IPNetwork
    except_: tuple[IPNetwork, ...] = ()
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    def intervals(self) -> list[tuple[int, int]]:
        """``cidr`` minus every ``except`` as sorted, disjoint integer address intervals."""
        lo, hi = int(self.cidr.network_address), int(self.cidr.broadcast_address)
        holes = sorted((int(e.network_address), int(e.broadcast_address)) for e in self.except_)
        out: list[tuple[int, int]] = []
        cur = lo
        for hlo, hhi in holes:
            if hlo > cur:
                out.append((cur, hlo - 1))
            cur = max(cur, hhi + 1)
        if cur <= hi:
            out.append((cur, hi))
        return out

    def __str__(self) -> str:
        if not self.except_:
            return f"ipBlock {self.cidr}"
        return f"ipBlock {self.cidr} except {', '.join(map(str, self.except_))}"


Peer = PodPeer | IPBlockPeer


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One ``ports`` entry after defaulting."""

    protocol: Protocol = Protocol.TCP  # API-server default when omitted
    port: int | str | None = None  # None → every port of the protocol; str → named port
    end_port: int | None = None  # only with a numeric port: the inclusive range port..end_port
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        if self.port is None:
            return f"{self.protocol} (all ports)"
        if self.end_port is not None:
            return f"{self.protocol} {self.port}-{self.end_port}"
        if isinstance(self.port, str):
            return f"{self.protocol} named port '{self.port}'"
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One ingress or egress rule. Empty ``peers`` or ``ports`` mean "all" (k8s: "If this field is
    empty or missing, this rule matches all sources/ports")."""

    peers: tuple[Peer, ...] = ()  # () → every peer, including every external address
    ports: tuple[PortSpec, ...] = ()  # () → every port of every protocol
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class NetworkPolicy:
    """A networking.k8s.io/v1 NetworkPolicy after defaulting and validation."""

    namespace: str
    name: str
    pod_selector: LabelSelector  # omitted → {} → every pod of the namespace
    policy_types: frozenset[Direction]  # defaulted: Ingress, plus Egress if there are egress rules
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    span: SourceSpan | None = field(default=None, compare=False, repr=False)
    policy_types_defaulted: bool = field(default=False, compare=False)
    # where the YAML wrote spec.podSelector and spec.egress (None when omitted): lint locates its
    # findings there, and an `egress:` key with no rules is how lint's NP011 (`egress: []` without
    # policyTypes) shows, since the empty list and the omitted field decode alike
    pod_selector_span: SourceSpan | None = field(default=None, compare=False, repr=False)
    egress_span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``namespace/name``."""
        return f"{self.namespace}/{self.name}"

    def rules(self, direction: Direction) -> tuple[Rule, ...]:
        """The rules of one direction."""
        return self.ingress if direction is Direction.INGRESS else self.egress

    def __str__(self) -> str:
        return self.ref


class Tier(StrEnum):
    """Where a cluster-scoped policy is evaluated: before NetworkPolicy, or after it."""

    ADMIN = "Admin"  # AdminNetworkPolicy, ClusterNetworkPolicy tier: Admin
    BASELINE = "Baseline"  # BaselineAdminNetworkPolicy, ClusterNetworkPolicy tier: Baseline


class Action(StrEnum):
    """What a cluster-scoped rule does with the traffic it matches (v1alpha1's Allow is Accept)."""

    ACCEPT = "Accept"  # final for this direction: no later rule, tier or NetworkPolicy is consulted
    DENY = "Deny"  # final: dropped
    PASS = "Pass"  # skip the rest of this tier: the next tier decides (after Baseline: allowed)


@dataclass(frozen=True, slots=True)
class NodesPeer:
    """``nodes``: the addresses (``status.addresses``) of the Nodes the selector selects."""

    selector: LabelSelector
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"nodes {self.selector}"


@dataclass(frozen=True, slots=True)
class DomainNamesPeer:
    """``domainNames``: the addresses DNS gives for these names (not known offline)."""

    names: tuple[str, ...]
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"domainNames {', '.join(self.names)}"


#: A cluster-scoped rule's peer: ``namespaces``/``pods`` as a PodPeer (its namespace selector is
#: never None: cluster-scoped policies have no namespace of their own), each ``networks`` CIDR as an
#: IPBlockPeer without excepts, ``nodes``, ``domainNames``.
ClusterPeer = PodPeer | IPBlockPeer | NodesPeer | DomainNamesPeer


@dataclass(frozen=True, slots=True)
class ClusterPort:
    """One ``ports`` (v1alpha1) or ``protocols`` (v1alpha2) entry.

    A number or a range with its protocol, or a named port looked up on the destination pod, which
    matches the container port's own protocol and number (``protocol`` is then None)."""

    protocol: Protocol | None
    port: int | str  # str: a named port
    end_port: int | None = None  # a range port..end_port, inclusive
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        if isinstance(self.port, str):
            return f"named port '{self.port}'"
        if self.end_port is not None:
            return f"{self.protocol} {self.port}-{self.end_port}"
        return f"{self.protocol} {self.port}"


@dataclass(frozen=True, slots=True)
class ClusterRule:
    """One ingress or egress rule of a cluster-scoped policy: the first whose peer and ports match
    the traffic decides, in written order."""

    action: Action
    peers: tuple[ClusterPeer, ...]  # at least one (the API requires it)
    ports: tuple[ClusterPort, ...] | None = None  # None: every port and protocol
    name: str | None = None
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ClusterNetworkPolicy:
    """A ClusterNetworkPolicy (v1alpha2), or an AdminNetworkPolicy / BaselineAdminNetworkPolicy
    (v1alpha1) read as one (ANP: tier Admin; BANP: tier Baseline, after every other baseline).

    It never isolates a pod: it only decides the traffic its rules match, for the pods its subject
    selects (never hostNetwork pods)."""

    kind: str  # ClusterNetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy
    name: str
    tier: Tier
    priority: int  # lower first within the tier (a BANP: after every ClusterNetworkPolicy baseline)
    subject: PodPeer  # namespaces: PodPeer(selector, None); pods: PodPeer(nsSelector, podSelector)
    ingress: tuple[ClusterRule, ...] = ()
    egress: tuple[ClusterRule, ...] = ()
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``Kind name`` (cluster-scoped)."""
        return f"{self.kind} {self.name}"

    def rules(self, direction: Direction) -> tuple[ClusterRule, ...]:
        """The rules of one direction."""
        return self.ingress if direction is Direction.INGRESS else self.egress

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True)
class Node:
    """A Node, for ``nodes`` peers: its labels and addresses (``status.addresses``)."""

    name: str
    labels: Labels = field(default_factory=Labels)
    addresses: tuple[IPAddress, ...] = ()
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """A declared container port; named ports resolve against these."""

    port: int
    protocol: Protocol = Protocol.TCP
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Namespace:
    """A namespace; its labels always include ``kubernetes.io/metadata.name``."""

    name: str
    labels: Labels
    declared: bool = True  # False when only referenced by another object
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Pod:
    """A pod, or the representative pod of a workload."""

    namespace: str
    name: str
    labels: Labels = field(default_factory=Labels)
    ports: tuple[ContainerPort, ...] = ()
    ips: tuple[IPAddress, ...] = ()
    host_network: bool = False
    node_name: str | None = None
    host_ip: IPAddress | None = None
    kind: str = "Pod"  # Pod, or a workload kind for the representative pod of a workload manifest
    span: SourceSpan | None = field(default=None, compare=False, repr=False)
    owner_kind: str | None = None  # the controller owner (ownerReferences with controller: true)
    owner_name: str | None = None
    # how many pods a workload stands for (spec.replicas, defaulted to 1 as the API server does;
    # None when the manifest cannot say, as for a DaemonSet: one pod per node); 1 for a pod
    replicas: int | None = 1
    host_ips: tuple[IPAddress, ...] = ()  # status.hostIPs (dual-stack nodes); host_ip is the first
    # a pod the input does not describe (an ingress controller's, a gateway's): its labels and its
    # namespace (name and labels) are unknown; its namespace holds no policy of the input
    undescribed: bool = False

    @property
    def node_addresses(self) -> tuple[IPAddress, ...]:
        """Every address of the pod's node that the manifest gives (``status.hostIPs``/``hostIP``)."""
        if self.host_ips:
            return self.host_ips
        return (self.host_ip,) if self.host_ip is not None else ()

    @property
    def addresses(self) -> tuple[IPAddress, ...]:
        """The pod's addresses: ``status.podIPs``; a hostNetwork pod without them has its node's."""
        if self.ips or not self.host_network:
            return self.ips
        return self.node_addresses

    @property
    def is_replicated(self) -> bool:
        """True for a workload that stands for two or more distinct pods (or an unknown number)."""
        return self.kind != "Pod" and (self.replicas is None or self.replicas >= 2)

    @property
    def ref(self) -> str:
        """``namespace/name`` for a pod, ``namespace/name[Kind]`` for a workload's representative."""
        if self.kind == "Pod":
            return f"{self.namespace}/{self.name}"
        return f"{self.namespace}/{self.name}[{self.kind}]"

    @property
    def workload_name(self) -> str:
        """The name of the workload this pod belongs to (its own name when it has no owner)."""
        return self.owner_name if self.owner_name is not None else self.name

    @property
    def workload_kind(self) -> str:
        """The kind of the workload this pod belongs to (``Pod`` when it has no owner)."""
        if self.owner_name is not None:
            return self.owner_kind or "Pod"
        return self.kind

    @property
    def endpoint(self) -> str:
        """The workload-level name: ``namespace/name[Kind]`` (``[Pod]`` for a bare pod)."""
        return f"{self.namespace}/{self.workload_name}[{self.workload_kind}]"

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True)
class External:
    """An address outside the modelled pods (a node, the internet, another cluster)."""

    ip: IPAddress

    @property
    def ref(self) -> str:
        """The address as text."""
        return str(self.ip)

    def __str__(self) -> str:
        return str(self.ip)


Endpoint = Pod | External


class UnknownKind(StrEnum):
    """What kind of fact the input leaves open."""

    POLICY = "unevaluated-policy"  # a policy object of a kind netsim does not evaluate
    ADDRESS = "pod-address"  # a pod or workload template without an IP address
    NAMESPACE_LABELS = "namespace-labels"  # a namespace without a manifest: only its name label is known
    NODE = "node"  # whether an address is a node's that the input does not list
    DOMAIN_NAME = "domain-name"  # which addresses a DNS name resolves to
    PRIORITY_TIE = "priority-tie"  # which of two same-priority cluster policies the implementation applies first
    UNDESCRIBED_POD = "undescribed-pod"  # the labels and namespace of a pod the input does not describe


@dataclass(frozen=True, slots=True)
class Unknown:
    """A fact the input does not decide, and the condition under which it would change an answer.

    ``condition`` completes "allowed if ..." / "denied if ...": ``shop/client's IP is in
    10.244.0.0/16``. ``about`` names the endpoint or object the fact is about.
    """

    kind: UnknownKind
    about: str
    condition: str
    span: SourceSpan | None = field(default=None, compare=False)

    def __str__(self) -> str:
        return self.condition


@dataclass(frozen=True, slots=True)
class UnevaluatedPolicy:
    """A policy object of a kind netsim recognises but does not evaluate (Cilium, Calico, Antrea,
    OVN-Kubernetes, the policy.networking.k8s.io cluster tiers, ...).

    It may change any answer about the pods it may select, in the directions it may affect.
    ``selects`` lists what it selects as selector pairs with PodPeer semantics (a ``None``
    namespaceSelector meaning the object's own namespace); ``None`` when netsim cannot read its
    selection, in which case it may select every pod in its scope (its namespace, or every
    namespace for a cluster-wide kind).
    """

    api_version: str
    kind: str
    namespace: str | None  # None: cluster-scoped
    name: str
    directions: frozenset[Direction] = frozenset(Direction)
    selects: tuple[PodPeer, ...] | None = None
    reason: str = ""  # why it is not evaluated, for the warning
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``Kind ns/name`` (``Kind name`` when cluster-scoped)."""
        where = f"{self.namespace}/{self.name}" if self.namespace is not None else self.name
        return f"{self.kind} {where}"

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True)
class Traffic:
    """A connection attempt: source initiates towards destination port/protocol."""

    source: Endpoint
    destination: Endpoint
    port: int
    protocol: Protocol = Protocol.TCP

    def __str__(self) -> str:
        return f"{self.source} -> {self.destination} {self.port}/{self.protocol}"


# -- Services, EndpointSlices, Ingress and the Gateway API: how traffic reaches pods ---------------


class ServiceType(StrEnum):
    """``spec.type`` of a Service (defaulted to ClusterIP by the API server)."""

    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"
    EXTERNAL_NAME = "ExternalName"


@dataclass(frozen=True, slots=True)
class ServicePort:
    """One ``spec.ports`` entry: the Service ``port`` clients use, and the ``targetPort`` on the
    backend pods (a number, or a container port name resolved per backend; defaulted to ``port``)."""

    port: int
    target_port: int | str
    protocol: Protocol = Protocol.TCP
    name: str | None = None
    node_port: int | None = None  # NodePort / LoadBalancer (allocated when not given: None)
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``name`` if the port has one, else its number and protocol (``443/TCP``)."""
        return self.name if self.name else f"{self.port}/{self.protocol.value}"


@dataclass(frozen=True, slots=True)
class Service:
    """A Service: a stable address in front of the pods its ``selector`` selects (or, without a
    selector, the addresses its EndpointSlices list).

    Traffic to a ClusterIP, a NodePort or a load balancer reaches a backend pod after kube-proxy (or
    the plugin) has rewritten the destination, so NetworkPolicy sees the pod, never the Service."""

    namespace: str
    name: str
    type: ServiceType = ServiceType.CLUSTER_IP
    selector: Labels | None = None  # None (or empty in the manifest): no selector
    ports: tuple[ServicePort, ...] = ()
    cluster_ips: tuple[IPAddress, ...] = ()  # spec.clusterIPs (or clusterIP); () when not given
    headless: bool = False  # clusterIP: None
    external_ips: tuple[IPAddress, ...] = ()  # spec.externalIPs
    load_balancer_ips: tuple[IPAddress, ...] = ()  # spec.loadBalancerIP and status.loadBalancer.ingress[].ip
    external_name: str | None = None  # type ExternalName: a DNS name, no backends
    external_traffic_policy: str = "Cluster"  # Cluster (source NATed) or Local (client IP kept)
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        """``ns/name[Service]``: how netsim writes it as an endpoint."""
        return f"{self.namespace}/{self.name}[Service]"

    def __str__(self) -> str:
        return self.ref


@dataclass(frozen=True, slots=True)
class SliceEndpoint:
    """One ``endpoints`` entry of an EndpointSlice."""

    addresses: tuple[IPAddress, ...]
    target_pod: str | None = None  # targetRef of kind Pod, as ``ns/name``
    ready: bool | None = None  # conditions.ready (None: not given, which means ready)


@dataclass(frozen=True, slots=True)
class SlicePort:
    """One ``ports`` entry of an EndpointSlice: the backend port a Service port name maps to."""

    port: int | None
    protocol: Protocol = Protocol.TCP
    name: str | None = None  # the Service port's name ("" in the API for an unnamed one: None here)


@dataclass(frozen=True, slots=True)
class EndpointSlice:
    """An EndpointSlice (``discovery.k8s.io/v1``): the backends of the Service named by its
    ``kubernetes.io/service-name`` label."""

    namespace: str
    name: str
    service: str | None  # the kubernetes.io/service-name label
    address_type: str  # IPv4, IPv6 or FQDN
    endpoints: tuple[SliceEndpoint, ...] = ()
    ports: tuple[SlicePort, ...] = ()
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class BackendRef:
    """Where an Ingress path or a Gateway API route sends traffic: a Service and its port (a
    Service port number, or for an Ingress also a Service port name). For an OpenShift Route, the
    port is the Route's ``spec.port.targetPort``: a port on the backend pods, by number or by name,
    not a Service port."""

    name: str
    port: int | str | None  # None: not given (a Gateway API backend of another kind; a Route without spec.port)
    namespace: str  # the route's own namespace unless the reference names another
    kind: str = "Service"
    group: str = ""  # "" is the core API group
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ingress:
    """An Ingress (``networking.k8s.io/v1``): its default backend and the backends of its rules'
    paths, all in its own namespace (resource backends are not Services and are left out)."""

    namespace: str
    name: str
    backends: tuple[BackendRef, ...]
    ingress_class: str | None = None
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}[Ingress]"


@dataclass(frozen=True, slots=True)
class Listener:
    """One listener of a Gateway and which namespaces' routes may attach to it."""

    name: str
    protocol: str  # HTTP, HTTPS, TLS, TCP, UDP (upper-cased: implementations read them so), or a domain/name
    port: int
    routes_from: str = "Same"  # allowedRoutes.namespaces.from: Same, All or Selector
    routes_selector: LabelSelector | None = None  # with Selector (None there: no namespace)
    # allowedRoutes.kinds: Kind, or group/Kind for a group other than the Gateway API's (empty: those
    # the protocol allows)
    route_kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gateway:
    """A Gateway (``gateway.networking.k8s.io``): where traffic from outside enters, per listener."""

    namespace: str
    name: str
    gateway_class: str
    listeners: tuple[Listener, ...]
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}[Gateway]"


@dataclass(frozen=True, slots=True)
class ParentRef:
    """A route's ``parentRefs`` entry: the Gateway (and listener) it attaches to."""

    name: str
    namespace: str  # the route's own namespace unless the reference names another
    section_name: str | None = None
    port: int | None = None
    kind: str = "Gateway"
    group: str = "gateway.networking.k8s.io"


@dataclass(frozen=True, slots=True)
class Route:
    """An HTTPRoute, GRPCRoute, TLSRoute, TCPRoute or UDPRoute: the Gateways it attaches to and the
    backends of all its rules; or an OpenShift Route (kind ``Route``: no parents, the cluster's
    routers admit it), whose backends are ``spec.to`` and ``spec.alternateBackends``."""

    kind: str
    namespace: str
    name: str
    parents: tuple[ParentRef, ...]
    backends: tuple[BackendRef, ...]
    span: SourceSpan | None = field(default=None, compare=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.name}[{self.kind}]"


@dataclass(frozen=True, slots=True)
class ReferenceGrant:
    """A ReferenceGrant: objects of ``from_`` kinds in other namespaces may refer to objects of
    ``to`` kinds (all of them, or the one named) in this one."""

    namespace: str
    name: str
    from_: tuple[tuple[str, str, str], ...]  # (group, kind, namespace)
    to: tuple[tuple[str, str, str | None], ...]  # (group, kind, name or None for any)
    span: SourceSpan | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Cluster:
    """Everything loaded: namespaces, pods and policies, each sorted for determinism."""

    namespaces: tuple[Namespace, ...] = ()
    pods: tuple[Pod, ...] = ()
    policies: tuple[NetworkPolicy, ...] = ()
    unevaluated: tuple[UnevaluatedPolicy, ...] = ()  # recognised policy kinds netsim does not evaluate
    cluster_policies: tuple[ClusterNetworkPolicy, ...] = ()  # the Admin and Baseline tiers
    nodes: tuple[Node, ...] = ()
    # how traffic reaches pods: Services and their EndpointSlices, Ingresses, the Gateway API
    services: tuple[Service, ...] = ()
    endpoint_slices: tuple[EndpointSlice, ...] = ()
    ingresses: tuple[Ingress, ...] = ()
    gateways: tuple[Gateway, ...] = ()
    routes: tuple[Route, ...] = ()
    reference_grants: tuple[ReferenceGrant, ...] = ()
    _ns_by_name: dict[str, Namespace] = field(init=False, repr=False, compare=False)
    _pods_by_ref: dict[str, Pod] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_ns_by_name", {ns.name: ns for ns in self.namespaces})
        object.__setattr__(self, "_pods_by_ref", {p.ref: p for p in self.pods})

    def namespace(self, name: str) -> Namespace:
        """The namespace named ``name``; an undeclared one has only the name label."""
        ns = self._ns_by_name.get(name)
        if ns is None:
            return Namespace(name, Labels({NAMESPACE_NAME_LABEL: name}), declared=False)
        return ns

    def namespace_labels(self, name: str) -> Labels:
        """Labels of a namespace, including ``kubernetes.io/metadata.name``."""
        return self.namespace(name).labels

    def pod(self, ref: str) -> Pod | None:
        """The pod ``namespace/name``, if loaded."""
        return self._pods_by_ref.get(ref)


@dataclass(frozen=True, slots=True)
class Options:
    """Knobs for behaviour that Kubernetes leaves to the network plugin (docs/semantics.md)."""

    ipblock_matches_pods: bool = True  # upstream e2e: an ipBlock of a pod IP selects that pod
    egress_to_own_node: bool = True  # NPDOC: traffic to/from the pod's own node is always allowed
    host_network_as_node: bool = True  # hostNetwork pods are their node, not policy subjects
    # what netsim may not assume about the input (docs/semantics.md, "What netsim cannot know")
    ignore_unevaluated: bool = False  # answer as if unevaluated policy kinds were absent
    closed_world: bool = False  # absent namespace labels and pod addresses are absent, not unknown
    pod_cidrs: tuple[IPNetwork, ...] = ()  # the pod network: where a pod without an IP has its address
    replica_traffic: bool = True  # a workload's replicas are distinct pods that may talk to each other
    # when NetworkPolicy ends the cluster tiers for a pod: only one isolating it in that direction
    # (False: the API's per-direction reading), or any that selects it, whatever its policyTypes,
    # which then allows the other direction outright (True: kube-network-policies)
    networkpolicy_tier_per_pod: bool = False
    # address families (4, 6) whose external space is listed even when the input has no address of
    # them: a question names one (`connections --from 2001:db8::5`)
    address_families: frozenset[int] = frozenset()

    def is_node_traffic(self, pod: Pod) -> bool:
        """True if policies treat ``pod`` as its node (a hostNetwork pod under model (b))."""
        return pod.host_network and self.host_network_as_node
