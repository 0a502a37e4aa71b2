"""Policy kinds of other APIs, which netsim recognises but does not evaluate: Cilium, Calico,
Antrea, OVN-Kubernetes, and others by their name. (The ``policy.networking.k8s.io`` tiers,
AdminNetworkPolicy, BaselineAdminNetworkPolicy and ClusterNetworkPolicy, are evaluated: the
``clusterpolicy`` family reads them.)

Each becomes a :class:`~netsim.model.UnevaluatedPolicy` (what it may select, in which directions)
and a warning, so that answers about the pods it may select are undetermined rather than wrong.
Such an object must never stop a run: only its ``metadata`` is read as for every object; the rest
is read quietly, and whatever cannot be read exactly gives the widest answer. Kinds that do not
filter the pod network (Calico's staged policies, Multus' MultiNetworkPolicy) are warned about
and dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml

from netsim.loader.core import (
    MERGE_TAG,
    OPERATORS,
    REQUIREMENT_FIELDS,
    SELECTOR_FIELDS,
    Entries,
    Family,
    Handler,
    Reader,
    is_null,
    plain_entries,
    plain_str,
)
from netsim.model import NAMESPACE_NAME_LABEL, Direction, Labels, LabelSelector, PodPeer, Requirement, UnevaluatedPolicy

__all__ = ["FAMILY"]


def _read_foreign(
    reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str, foreign: _Foreign
) -> None:
    """A policy of another API (Cilium, Calico, ...): recorded, with a warning, never evaluated.

    Only ``metadata`` is read as for every object; the rest is read quietly for what it
    selects and in which directions, and whatever cannot be read exactly leaves the widest
    answer (every pod in scope, both directions) rather than an error: such an object must not
    stop a run.
    """
    name, namespace, _, _ = reader.metadata(node, entries, kind, _any_name, strict=False)
    if name is None:
        return
    spec = _quiet_entries(_present(entries, "spec"))
    meta = _quiet_entries(_present(entries, "metadata")) or {}
    cluster_scoped = foreign.cluster_scoped
    if cluster_scoped is None:  # a kind netsim knows only by its name
        ns_node = _present(meta, "namespace")
        no_namespace = ns_node is None or plain_str(ns_node) == ""
        cluster_scoped = no_namespace and any(w in kind for w in _CLUSTER_WORDS)
    scope = None if cluster_scoped else namespace
    where = f"{scope}/{name}" if scope is not None else name
    if foreign.ignored:
        reader.warn(node, "", f"{kind} {where} is ignored: {foreign.ignored}")
        return
    directions, selects = foreign.read(kind, api_version, entries, spec, cluster_scoped)
    policy = UnevaluatedPolicy(api_version, kind, scope, name, directions, selects, foreign.reason, reader.span(node))
    key = (api_version.rpartition("/")[0], kind, scope or "", name)
    first = reader.unevaluated.get(key)
    if first is not None:
        reader.duplicate(node, kind, where, first.span)
        return
    reader.unevaluated[key] = policy
    reader.warn(
        node,
        "",
        f"{policy.ref} is not evaluated: {foreign.reason}; answers about the pods it may select are "
        "undetermined (--ignore-unevaluated answers without it)",
    )


# -- reading what a policy selects ----------------------------------------------------------------
#
# These readers never report: a foreign object is read only for what it selects and in which
# directions, and anything not understood exactly gives the widest answer (``None``: every pod in
# scope; both directions). A selection must never come out narrower than the real one.

_Selects = tuple[PodPeer, ...] | None
_BOTH = frozenset(Direction)
_INGRESS = frozenset({Direction.INGRESS})
_EGRESS = frozenset({Direction.EGRESS})
_Reading = tuple[frozenset[Direction], _Selects]
#: a kind known only by its name is cluster-scoped when it has no namespace and its name says so
_CLUSTER_WORDS = ("Global", "Cluster", "Admin")


def _any_name(name: str) -> list[str]:
    """No name check for other APIs' objects: each has its own naming rules."""
    return []


def _present(entries: Entries | None, key: str) -> yaml.Node | None:
    """The value of ``key`` unless it is omitted or null."""
    kv = entries.get(key) if entries else None
    return None if kv is None or is_null(kv[1]) else kv[1]


def _quiet_entries(node: yaml.Node | None) -> Entries | None:
    """A mapping's entries with merge keys applied, or None (never an error) for anything else,
    including a mapping with a duplicate key: which one the API server keeps is not certain."""
    if node is None:
        return None
    plain = plain_entries(node)
    if plain is not None:
        return plain
    if not isinstance(node, yaml.MappingNode):
        return None
    out: Entries = {}
    sources: list[yaml.Node] = []
    for key, value in node.value:
        if key.tag == MERGE_TAG:
            sources.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
        elif not isinstance(key, yaml.ScalarNode) or key.value in out:
            return None
        else:
            out[key.value] = (key, value)
    seen = {id(node)}
    todo = sources[::-1]
    while todo:  # as Reader.merge: own keys first, then the sources depth first, each once
        src = todo.pop()
        if id(src) in seen or not isinstance(src, yaml.MappingNode):
            continue
        seen.add(id(src))
        nested: list[yaml.Node] = []
        for key, value in src.value:
            if key.tag == MERGE_TAG:
                nested.extend(value.value if isinstance(value, yaml.SequenceNode) else [value])
            elif isinstance(key, yaml.ScalarNode):
                out.setdefault(key.value, (key, value))
        todo.extend(reversed(nested))
    return out


def _quiet_items(node: yaml.Node | None) -> list[yaml.Node] | None:
    """A list's items (``[]`` for an omitted or null list); None for anything else."""
    if node is None or is_null(node):
        return []
    return list(node.value) if isinstance(node, yaml.SequenceNode) else None


def _quiet_selector(node: yaml.Node | None) -> LabelSelector | None:
    """A ``metav1.LabelSelector`` as written (keys untranslated); None unless it reads exactly."""
    if node is None:
        return None
    entries = _quiet_entries(node)
    if entries is None or not entries.keys() <= SELECTOR_FIELDS:
        return None
    labels: dict[str, str] = {}
    if "matchLabels" in entries and not is_null(entries["matchLabels"][1]):
        pairs = _quiet_entries(entries["matchLabels"][1])
        if pairs is None:
            return None
        for name, (_key, value) in pairs.items():
            text = plain_str(value)
            if text is None:
                return None
            labels[name] = text
    reqs: list[Requirement] = []
    exprs = _quiet_items(_present(entries, "matchExpressions"))
    if exprs is None:
        return None
    for expr in exprs:
        fields = _quiet_entries(expr)
        if fields is None or not fields.keys() <= REQUIREMENT_FIELDS:
            return None
        key = plain_str(fields["key"][1]) if "key" in fields else None
        op = plain_str(fields["operator"][1]) if "operator" in fields else None
        value_nodes = _quiet_items(_present(fields, "values"))
        if key is None or op not in OPERATORS or value_nodes is None:
            return None
        values = [plain_str(v) for v in value_nodes]
        if any(v is None for v in values) or (op in ("In", "NotIn")) != bool(values):
            return None
        reqs.append(Requirement(key, op, tuple(v for v in values if v is not None)))  # type: ignore[arg-type]
    return LabelSelector(Labels(labels), tuple(reqs))


class _SelectorParts:
    """Requirements collected for a pod selector or a namespace selector."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.reqs: list[Requirement] = []

    def equals(self, key: str, value: str) -> None:
        if self.labels.setdefault(key, value) != value:  # two values for one key: the In keeps both
            self.reqs.append(Requirement(key, "In", (value,)))

    def selector(self) -> LabelSelector:
        return LabelSelector(Labels(self.labels), tuple(self.reqs))


def _rule_directions(spec: Entries | None, ingress: tuple[str, ...], egress: tuple[str, ...]) -> frozenset[Direction]:
    """The directions whose rule fields a spec has (even empty ones); both when it has neither."""
    found = set()
    if any(_present(spec, k) is not None for k in ingress):
        found.add(Direction.INGRESS)
    if any(_present(spec, k) is not None for k in egress):
        found.add(Direction.EGRESS)
    return frozenset(found) or _BOTH


def _union(peers: list[PodPeer]) -> tuple[PodPeer, ...]:
    return tuple(dict.fromkeys(peers))


# -- Cilium ---------------------------------------------------------------------------------------
# An endpointSelector's keys may carry a label source ("k8s:app", "any:app"; none means any). Cilium
# gives each pod the labels io.kubernetes.pod.namespace (its namespace's name) and
# io.cilium.k8s.namespace.labels.<key> (its namespace's labels), among others of its own.
_CILIUM_NS_NAME = "io.kubernetes.pod.namespace"
_CILIUM_NS_LABELS = "io.cilium.k8s.namespace.labels."


def _cilium_key(key: str) -> tuple[str, str] | None:
    """Where an endpointSelector key points: ("pod", label), ("ns", label), ("name", ""); None if
    it is another source (reserved:, cidr:, ...) or one of Cilium's own labels."""
    source, colon, rest = key.partition(":")
    if colon:
        if source not in ("k8s", "any"):
            return None
        key = rest
    elif key.startswith(("$", "reserved.")):
        return None
    if key == _CILIUM_NS_NAME:
        return ("name", "")
    if key.startswith(_CILIUM_NS_LABELS) and len(key) > len(_CILIUM_NS_LABELS):
        return ("ns", key[len(_CILIUM_NS_LABELS) :])
    if key.startswith(("io.cilium.", "io.kubernetes.")) or not key:
        return None
    return ("pod", key)


def _cilium_peer(node: yaml.Node, clusterwide: bool) -> PodPeer | None:
    """What an endpointSelector selects. A NotIn or DoesNotExist on a pod or namespace label is
    not read: Cilium's identity label filter may drop that label, and the pods then all match."""
    sel = _quiet_selector(node)
    if sel is None:
        return None
    pods, namespaces = _SelectorParts(), _SelectorParts()
    for key, value in sel.match_labels.items():
        where = _cilium_key(key)
        if where is None or (where[0] != "pod" and not clusterwide):
            return None  # a namespaced policy's own namespace match: not read
        if where[0] == "name":
            namespaces.equals(NAMESPACE_NAME_LABEL, value)
        else:
            (pods if where[0] == "pod" else namespaces).equals(where[1], value)
    for req in sel.match_expressions:
        where = _cilium_key(req.key)
        if where is None or (where[0] != "pod" and not clusterwide):
            return None
        if where[0] == "name":  # every pod has it: NotIn and Exists read exactly
            if req.operator == "DoesNotExist":
                return None
            if req.operator != "Exists":
                namespaces.reqs.append(Requirement(NAMESPACE_NAME_LABEL, req.operator, req.values))
            continue
        if req.operator in ("NotIn", "DoesNotExist"):
            return None
        (pods if where[0] == "pod" else namespaces).reqs.append(Requirement(where[1], req.operator, req.values))
    return PodPeer(namespaces.selector() if clusterwide else None, pods.selector())


def _read_cilium(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``spec`` and every item of ``specs``: the union of what each selects, and of its directions
    (ingress/ingressDeny, egress/egressDeny). A nodeSelector selects nodes: not read."""
    nodes: list[yaml.Node] = []
    if "spec" in entries and not is_null(entries["spec"][1]):
        nodes.append(entries["spec"][1])
    more = _quiet_items(_present(entries, "specs"))
    if more is None or not (nodes or more):
        return _BOTH, None
    nodes.extend(more)
    directions: set[Direction] = set()
    peers: list[PodPeer] = []
    readable = True
    for node in nodes:
        rule = _quiet_entries(node)
        directions |= _rule_directions(rule, ("ingress", "ingressDeny"), ("egress", "egressDeny"))
        selector = _present(rule, "endpointSelector")
        peer = None
        if selector is not None and _present(rule, "nodeSelector") is None:
            peer = _cilium_peer(selector, clusterwide)
        if peer is None:
            readable = False
        else:
            peers.append(peer)
    return frozenset(directions), _union(peers) if readable else None


# -- Calico ---------------------------------------------------------------------------------------
# The subset of Calico's selector language read exactly: terms joined by "&&". Anything else
# ("||", "!" before anything but has(), parentheses, contains, starts with, ends with, global())
# is not read. Calico's whitespace is spaces and tabs; a label name runs as far as it can.
_CALICO_KEY = r"[A-Za-z0-9_./-]++"
_CALICO_STR = r"""'[^']*'|"[^"]*\""""
_CALICO_TERM = re.compile(
    rf"""[ \t]*(?:
        (?P<all>all\([ \t]*\))
      | (?P<neg>![ \t]*)?has\([ \t]*(?P<has>{_CALICO_KEY})[ \t]*\)
      | (?P<key>{_CALICO_KEY})[ \t]*(?:
            (?P<op>==|!=)[ \t]*(?P<value>{_CALICO_STR})
          | (?P<setop>not[ \t]*in|in)[ \t]*\{{(?P<set>[^}}]*)\}}
        )
    )[ \t]*""",
    re.VERBOSE,
)
_CALICO_SET_ITEM = re.compile(rf"[ \t]*(?P<value>{_CALICO_STR})[ \t]*(?:,|\Z)")
#: Calico's labels: the namespace of a pod, the name of a namespace, and the ones not read
_CALICO_NAMESPACE = "projectcalico.org/namespace"
_CALICO_NAME = "projectcalico.org/name"
_CALICO_OWN = ("projectcalico.org/", "pcns.", "pcsa.")

_CalicoTerm = tuple[str, str, tuple[str, ...]]  # key, operator (==, !=, in, not in, has, !has), values


def _calico_terms(text: str) -> list[_CalicoTerm] | None:
    """The terms of a selector in the subset netsim reads; None for any other selector."""
    if not text.strip(" \t"):
        return []  # an empty selector is all()
    terms: list[_CalicoTerm] = []
    pos = 0
    while True:
        m = _CALICO_TERM.match(text, pos)
        if m is None:
            return None
        if m["has"] is not None:
            terms.append((m["has"], "!has" if m["neg"] is not None else "has", ()))
        elif m["op"] is not None:
            terms.append((m["key"], m["op"], (m["value"][1:-1],)))
        elif m["setop"] is not None:
            values = _calico_set(m["set"])
            if values is None:
                return None
            terms.append((m["key"], "in" if m["setop"] == "in" else "not in", values))
        pos = m.end()
        if pos == len(text):
            return terms
        if not text.startswith("&&", pos):
            return None
        pos += 2


def _calico_set(text: str) -> tuple[str, ...] | None:
    if not text.strip(" \t"):
        return ()
    values: list[str] = []
    pos = 0
    while pos < len(text):
        m = _CALICO_SET_ITEM.match(text, pos)
        if m is None or m.end() == pos:
            return None
        values.append(m["value"][1:-1])
        pos = m.end()
        if text[pos - 1] == "," and pos == len(text):
            return None  # a trailing comma
    return tuple(sorted(set(values)))


def _calico_add(parts: _SelectorParts, key: str, op: str, values: tuple[str, ...]) -> bool:
    """Add one term; False when it cannot be a label requirement (``k in {}`` matches nothing)."""
    if op == "==":
        parts.equals(key, values[0])
    elif op in ("!=", "not in"):  # true when the label is absent, as NotIn
        if values:
            parts.reqs.append(Requirement(key, "NotIn", values))
    elif op == "in":
        if not values:
            return False
        parts.reqs.append(Requirement(key, "In", values))
    else:
        parts.reqs.append(Requirement(key, "Exists" if op == "has" else "DoesNotExist"))
    return True


def _calico_selector_text(spec: Entries | None, field_name: str) -> str | None:
    node = _present(spec, field_name)
    return "" if node is None else plain_str(node)


def _calico_directions(api_version: str, spec: Entries | None) -> frozenset[Direction]:
    """``types``; when omitted, Calico's API server defaults it from the rules: Ingress when there
    are no egress rules, Egress when there are only egress rules, else both. An object of the
    crd.projectcalico.org backing API is stored as written (no defaulting): both."""
    types = _quiet_items(_present(spec, "types"))
    if types is None:
        return _BOTH
    if types:
        texts = {plain_str(t) for t in types}
        if not texts <= {"Ingress", "Egress"}:
            return _BOTH
        return frozenset(Direction(t) for t in texts if t is not None)
    if api_version.rpartition("/")[0] != "projectcalico.org":
        return _BOTH
    ingress, egress = _quiet_items(_present(spec, "ingress")), _quiet_items(_present(spec, "egress"))
    if ingress is None or egress is None:
        return _BOTH
    if not egress:
        return _INGRESS
    return _EGRESS if not ingress else _BOTH


def _read_calico(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``selector`` (pods of the policy's namespace; of every namespace for a GlobalNetworkPolicy,
    narrowed by ``namespaceSelector`` and by ``projectcalico.org/namespace`` terms)."""
    directions = _calico_directions(api_version, spec)
    texts = [_calico_selector_text(spec, f) for f in ("selector", "namespaceSelector", "serviceAccountSelector")]
    if any(t is None for t in texts):
        return directions, None
    selector, ns_selector, sa_selector = (_calico_terms(t or "") for t in texts)
    if selector is None or ns_selector is None or sa_selector or (ns_selector and not clusterwide):
        return directions, None
    pods, namespaces = _SelectorParts(), _SelectorParts()
    for key, op, values in selector:
        if clusterwide and key == _CALICO_NAMESPACE and op != "!has":
            ok = op == "has" or _calico_add(namespaces, NAMESPACE_NAME_LABEL, op, values)  # every pod has it
        elif key.startswith(_CALICO_OWN):
            return directions, None
        else:
            ok = _calico_add(pods, key, op, values)
        if not ok:
            return directions, None
    for key, op, values in ns_selector:
        if key == _CALICO_NAME:
            key = NAMESPACE_NAME_LABEL
        elif key.startswith(_CALICO_OWN):
            return directions, None
        if not _calico_add(namespaces, key, op, values):
            return directions, None
    return directions, (PodPeer(namespaces.selector() if clusterwide else None, pods.selector()),)


# -- Antrea, OVN-Kubernetes, others ---------------------------------------------------------------


def _read_antrea(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """``spec.appliedTo``: podSelector/namespaceSelector entries (in a ClusterNetworkPolicy a
    podSelector alone selects in every namespace). Rule-level appliedTo, groups, service accounts,
    services and the like are not read."""
    directions = _rule_directions(spec, ("ingress",), ("egress",))
    applied = _quiet_items(_present(spec, "appliedTo"))
    if not applied:
        return directions, None
    for direction in ("ingress", "egress"):
        for rule in _quiet_items(_present(spec, direction)) or []:
            if _present(_quiet_entries(rule), "appliedTo") is not None:
                return directions, None
    peers: list[PodPeer] = []
    for item in applied:
        fields = _quiet_entries(item)
        if fields is None or not fields or not fields.keys() <= {"podSelector", "namespaceSelector"}:
            return directions, None
        pod_node, ns_node = _present(fields, "podSelector"), _present(fields, "namespaceSelector")
        pod_sel = _quiet_selector(pod_node) if pod_node is not None else LabelSelector()
        ns_sel = _quiet_selector(ns_node) if ns_node is not None else LabelSelector()
        if pod_sel is None or ns_sel is None or (pod_node is None and ns_node is None):
            return directions, None
        if not clusterwide:
            if ns_node is not None:
                return directions, None
            peers.append(PodPeer(None, pod_sel))
        else:
            peers.append(PodPeer(ns_sel, pod_sel))
    return directions, _union(peers)


def _read_egress_firewall(
    kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool
) -> _Reading:
    """Every pod of its namespace, egress only."""
    return _EGRESS, (PodPeer(None, LabelSelector()),)


def _read_unknown(kind: str, api_version: str, entries: Entries, spec: Entries | None, clusterwide: bool) -> _Reading:
    """A kind known only by its name: every pod in scope; egress only for an Egress... kind."""
    if kind.startswith("Egress"):
        return _EGRESS, None
    if kind.startswith("Ingress"):
        return _INGRESS, None
    return _BOTH, None


@dataclass(frozen=True, slots=True)
class _Foreign:
    """How to read one policy kind of another API."""

    reason: str  # why netsim does not evaluate it
    read: Callable[[str, str, Entries, Entries | None, bool], _Reading] = _read_unknown
    cluster_scoped: bool | None = False  # None: decided by the object (a kind known only by its name)
    ignored: str = ""  # set for a kind that does not filter the pod network: warned about, not recorded


_CILIUM = "netsim does not evaluate Cilium policies"
_CALICO = "netsim does not evaluate Calico policies"
_STAGED = "Calico does not enforce staged policies (they only preview their effect)"
_FOREIGN: dict[tuple[str, str], _Foreign] = {
    ("cilium.io", "CiliumNetworkPolicy"): _Foreign(_CILIUM, _read_cilium),
    ("cilium.io", "CiliumClusterwideNetworkPolicy"): _Foreign(_CILIUM, _read_cilium, True),
    **{
        (group, kind): _Foreign(_CALICO, _read_calico, kind.startswith("Global"))
        for group in ("projectcalico.org", "crd.projectcalico.org")
        for kind in ("NetworkPolicy", "GlobalNetworkPolicy")
    },
    **{
        (group, kind): _Foreign(_CALICO, cluster_scoped="Global" in kind, ignored=_STAGED)
        for group in ("projectcalico.org", "crd.projectcalico.org")
        for kind in ("StagedNetworkPolicy", "StagedGlobalNetworkPolicy", "StagedKubernetesNetworkPolicy")
    },
    ("crd.antrea.io", "NetworkPolicy"): _Foreign("netsim does not evaluate Antrea-native policies", _read_antrea),
    ("crd.antrea.io", "ClusterNetworkPolicy"): _Foreign(
        "netsim does not evaluate Antrea-native policies", _read_antrea, True
    ),
    ("k8s.ovn.org", "EgressFirewall"): _Foreign(
        "netsim does not evaluate OVN-Kubernetes EgressFirewalls", _read_egress_firewall
    ),
    ("k8s.cni.cncf.io", "MultiNetworkPolicy"): _Foreign(
        "", ignored="it applies to secondary (Multus) networks, not the pod network netsim models"
    ),
}
#: groups whose policy kinds are all in _FOREIGN: a new *NetworkPolicy kind there is still recognised
_KNOWN_GROUPS = frozenset(group for group, _ in _FOREIGN)
#: a group that looks like a network plugin's, for kinds named ...Policy
_NETWORK_WORDS = ("network", "cilium", "calico", "antrea", "ovn", "firewall")
#: ...Policy kinds of network plugins and gateways that route, balance or observe, never filter
_NOT_FILTERING = (
    "Backend", "Gateway", "HealthCheck", "LoadBalanc", "Redirect", "BGP", "Announcement", "QoS", "Route",
    "Retry", "Timeout", "TLS", "Logging", "Bandwidth", "Pool", "Telemetry",
)  # fmt: skip


def _handler(foreign: _Foreign) -> Handler:
    """The handler of a kind read as ``foreign`` says."""

    def read(reader: Reader, node: yaml.MappingNode, entries: Entries, kind: str, api_version: str | None) -> None:
        assert api_version is not None  # a kind of another API has an API group
        _read_foreign(reader, node, entries, kind, api_version, foreign)

    return read


def _recognise(group: str, kind: str) -> Handler | None:
    """The handler of a policy kind of another API that is not in _FOREIGN; None for the rest.

    Kubernetes' built-in groups ("", apps, policy, ...) have no dot: their kinds are netsim's own
    or not policies (a policy/v1 PodDisruptionBudget). Other kinds named ...NetworkPolicy, and
    kinds named ...Policy in a network plugin's group, are recognised by their name.
    """
    if "." not in group or group == "networking.k8s.io":
        return None
    reason = f"netsim does not evaluate {group} policies"
    if kind.endswith("NetworkPolicy"):
        return _handler(_Foreign(reason, cluster_scoped=None))
    if group in _KNOWN_GROUPS or group == "k8s.io" or group.endswith((".k8s.io", ".x-k8s.io")):
        return None  # their ...Policy kinds that are not network policies (Gateway API, admission, ...)
    looks_filtering = not any(w in kind for w in _NOT_FILTERING)
    if kind.endswith("Policy") and looks_filtering and any(w in group for w in _NETWORK_WORDS):
        return _handler(_Foreign(reason, cluster_scoped=None))
    return None


#: The kinds of _FOREIGN by their group, and the others recognised by their name. A kind netsim comes
#: to evaluate leaves _FOREIGN for a family of its own (two families registering it is an error).
FAMILY = Family("foreign", by_group={key: _handler(foreign) for key, foreign in _FOREIGN.items()}, recognise=_recognise)
