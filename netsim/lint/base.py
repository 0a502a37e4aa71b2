"""What every lint rule shares: findings as data, the rule descriptor, and the lint context.

A rule is a :class:`LintRule` (a stable id such as ``NP003``, a default severity, the texts SARIF
and docs/lint.md show) whose ``check`` reads a :class:`LintContext` and yields
:class:`Finding` values. The context answers every semantic question through the engine and the
matchers (which pods a policy isolates, which pods a peer selects, what a pair of pods may open),
so no rule re-implements NetworkPolicy semantics; it only caches the answers.

Lint is never confidently wrong: where the input does not decide what a rule concludes (a pod
without an IP, a namespace without a manifest, a policy of a kind netsim does not evaluate), the
rule either stays quiet or reports what *may* hold with :meth:`LintRule.may`, at most a warning,
naming what it depends on (:func:`depends`) and how to settle it (:func:`settle`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar

from netsim.engine import PolicyIndex, evaluate_pair
from netsim.errors import SourceSpan
from netsim.match.peers import matches_peer, peer_state, unknown_address, unknown_namespace
from netsim.match.selectors import matches_selector
from netsim.model import (
    Cluster,
    Direction,
    IPBlockPeer,
    Labels,
    LabelSelector,
    NetworkPolicy,
    Peer,
    Pod,
    PodPeer,
    Rule,
    UnevaluatedPolicy,
    Unknown,
    UnknownKind,
)
from netsim.reach import pod_classes
from netsim.verdict import PairVerdict

__all__ = [
    "DEFAULT_DNS",
    "Check",
    "DnsTarget",
    "Finding",
    "LintConfig",
    "LintContext",
    "LintRule",
    "Severity",
    "count",
    "dependency",
    "depends",
    "policy_refs",
    "refs",
    "rule_field",
    "settle",
    "span_order",
]

T = TypeVar("T")


class Severity(StrEnum):
    """How bad a finding is; ``--fail-on`` compares against :attr:`rank`."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """0 for info, 1 for warning, 2 for error."""
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found: where, what, and how to fix it."""

    rule: str  # the rule id, e.g. "NP003"
    severity: Severity
    span: SourceSpan | None  # the policy, rule, peer, port or namespace concerned
    subject: str  # the object concerned: "NetworkPolicy shop/web", "Namespace shop"
    field: str  # the API field path inside it ("spec.ingress[0].from[1]"), "" for the whole object
    message: str  # one line
    hint: str  # how to fix it

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """File and position first (findings without a span last), then rule id and text."""
        if self.span is None:
            return ("\uffff", 0, 0, self.rule, self.subject, self.message)
        return (self.span.path, self.span.line, self.span.column, self.rule, self.subject, self.message)


@dataclass(frozen=True, slots=True)
class DnsTarget:
    """Which pods are the cluster DNS: those matching ``selector`` in ``namespace``."""

    namespace: str = "kube-system"
    selector: LabelSelector = field(default_factory=lambda: LabelSelector(Labels({"k8s-app": "kube-dns"})))

    def __str__(self) -> str:
        labels = ",".join(f"{k}={v}" for k, v in self.selector.match_labels.items())
        return f"{labels} in namespace {self.namespace}"


DEFAULT_DNS = DnsTarget()


@dataclass(frozen=True, slots=True)
class LintConfig:
    """What a lint run looks at: the DNS pods, the rules switched off, and the pods of the ingress
    controller or gateway (``--ingress-pod``; none: pods the input does not describe)."""

    dns: DnsTarget = DEFAULT_DNS
    disabled: frozenset[str] = frozenset()
    ingress_pods: tuple[Pod, ...] = ()


Check = Callable[["LintRule", "LintContext"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class LintRule:
    """A lint rule: stable id, name, default severity, the texts users read, and its check."""

    id: str  # "NP001"; never reused or renumbered
    name: str  # "missing-default-deny-ingress"
    severity: Severity
    summary: str  # one line: what it catches
    description: str  # what it catches and why it matters
    reference: str  # the Kubernetes behaviour it rests on and where Kubernetes states it
    check: Check = field(compare=False, repr=False)

    def run(self, ctx: LintContext) -> Iterator[Finding]:
        """The findings of this rule."""
        yield from self.check(self, ctx)

    def finding(self, span: SourceSpan | None, subject: str, fld: str, message: str, hint: str) -> Finding:
        """A finding of this rule at its default severity."""
        return Finding(self.id, self.severity, span, subject, fld, message, hint)

    def may(self, span: SourceSpan | None, subject: str, fld: str, message: str, hint: str) -> Finding:
        """A finding that may hold, depending on what the input does not say: at most a warning, so
        ``--fail-on error`` never fails on it."""
        severity = Severity.WARNING if self.severity is Severity.ERROR else self.severity
        return Finding(self.id, severity, span, subject, fld, message, hint)


def rule_field(direction: Direction, index: int) -> str:
    """``spec.ingress[0]`` / ``spec.egress[2]``."""
    return f"spec.{direction.value.lower()}[{index}]"


def span_order(span: SourceSpan | None) -> tuple[bool, SourceSpan]:
    """A sort key putting spans in file order and missing spans last."""
    return (span is None, span or SourceSpan("", 0, 0))


def dependency(unknown: Unknown) -> str:
    """One thing an undetermined answer depends on, worded as ``netsim check`` words it."""
    if unknown.kind is UnknownKind.POLICY:
        return unknown.condition  # names the policy, the pod and the direction
    return f"allowed if {unknown.condition}"


def depends(unknowns: Iterable[Unknown], limit: int = 3) -> str:
    """``allowed if A; allowed if B`` (each once, ``and N more`` past ``limit``)."""
    items = list(dict.fromkeys(dependency(u) for u in unknowns))
    shown = "; ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown}; and {len(items) - limit} more"


def settle(unknowns: Iterable[Unknown]) -> str:
    """How to decide what ``unknowns`` leave open: ``to decide it, ...``."""
    found = list(unknowns)
    kinds = {u.kind for u in found}
    ways = []
    if UnknownKind.ADDRESS in kinds:
        ways.append("give the pod network with --pod-cidr")
    namespaces = sorted({u.about.removeprefix("namespace ") for u in found if u.kind is UnknownKind.NAMESPACE_LABELS})
    if namespaces:
        noun = "manifest" if len(namespaces) == 1 else "manifests"
        ways.append(f"add the Namespace {noun} of {', '.join(namespaces)} (`kubectl get ns -o yaml`)")
    policies = sorted({u.about for u in found if u.kind is UnknownKind.POLICY})
    if policies:
        ways.append(f"check {', '.join(policies)} by hand (--ignore-unevaluated lints as if absent)")
    return "to decide it, " + ", or ".join(ways) if ways else "the input does not decide it"


def policy_refs(policies: Iterable[UnevaluatedPolicy], limit: int = 2) -> str:
    """``CiliumNetworkPolicy shop/x (file:line:col)``, each once, ``and N more`` past ``limit``."""
    names = list(dict.fromkeys(f"{p.ref} ({p.span})" if p.span is not None else p.ref for p in policies))
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def count(n: int, noun: str) -> str:
    """``1 pod``, ``2 pods``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def refs(pods: Iterable[Pod], limit: int = 3) -> str:
    """``a, b, c`` or ``a, b, c and 4 more``."""
    names = sorted(p.ref for p in pods)
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


class LintContext:
    """The cluster under lint with the engine's answers, computed once and cached."""

    def __init__(self, index: PolicyIndex, config: LintConfig | None = None) -> None:
        self.index = index
        self.cluster: Cluster = index.cluster
        self.options = index.options
        self.config = config or LintConfig()
        self._pods_by_ns: dict[str, list[Pod]] = {}
        for pod in self.cluster.pods:
            self._pods_by_ns.setdefault(pod.namespace, []).append(pod)
        self._pairs: dict[tuple[str, str], PairVerdict] = {}
        self._selected: dict[tuple[int, Direction], tuple[Pod, ...]] = {}
        self._peer_pods: dict[tuple[Peer, str], tuple[Pod, ...]] = {}
        self._position = {id(p): i for i, p in enumerate(self.cluster.pods)}
        self._ns_selected: dict[LabelSelector, list[str]] = {}
        # a namespaceSelector -> the namespaces (declared, or with pods) whose labels it matches:
        # shared by the two questions below, each selector tested once against each namespace
        self._ns_matched: dict[LabelSelector, frozenset[str]] = {}
        self._ns_names = tuple(dict.fromkeys([*(ns.name for ns in self.cluster.namespaces), *self._pods_by_ns]))
        self._by_address: dict[int, tuple[list[int], list[Pod]]] | None = None
        self._class_of: dict[int, int] | None = None
        self._declared_ns: dict[LabelSelector, list[str]] = {}
        self._maybe: dict[tuple[Peer, str], tuple[tuple[Pod, Unknown], ...]] = {}
        # by the rule's peers and, when a peer selects in the policy's own namespace, that
        # namespace: equal peers select the same pods, so the many rules that admit "every prod
        # namespace" share one answer (and one grouping into classes)
        self._rule_pods: dict[tuple[tuple[Peer, ...], str], tuple[Pod, ...]] = {}
        # classes() of a tuple this context handed out (selected, rule_pods), by the tuple's id;
        # the tuple is kept so that the id stays its own
        self._classes_of: dict[int, tuple[tuple[Pod, ...], list[tuple[int, list[Pod]]]]] = {}
        self._shared: dict[type, object] = {}
        # what the input leaves open: namespaces without a manifest, pods without an address
        open_world = not self.options.closed_world
        self._open_namespaces = [
            ns for ns in self.cluster.namespaces if open_world and not ns.declared and ns.name in self._pods_by_ns
        ]
        self._addressless = [p for p in self.cluster.pods if open_world and not p.addresses]

    def shared(self, kind: type[T], make: Callable[[LintContext], T]) -> T:
        """One ``kind`` object per lint run, made on first use: a rule module's own cache, shared by
        its rules."""
        found = self._shared.get(kind)
        if found is None:
            found = self._shared[kind] = make(self)
        assert isinstance(found, kind)
        return found

    # -- pods --------------------------------------------------------------------------------------
    def pods_in(self, namespace: str) -> tuple[Pod, ...]:
        """Every pod of a namespace in the input (hostNetwork ones included)."""
        return tuple(self._pods_by_ns.get(namespace, ()))

    def subjects_in(self, namespace: str) -> tuple[Pod, ...]:
        """The pods of a namespace that policies can select (hostNetwork pods are their node's)."""
        return tuple(p for p in self.pods_in(namespace) if not self.options.is_node_traffic(p))

    def selected(self, policy: NetworkPolicy, direction: Direction) -> tuple[Pod, ...]:
        """The pods ``policy`` isolates for ``direction`` (the engine's answer)."""
        key = (id(policy), direction)
        cached = self._selected.get(key)
        if cached is None:
            cached = tuple(
                p
                for p in self.pods_in(policy.namespace)
                if any(q is policy for q in self.index.isolating(p, direction))
            )
            self._selected[key] = cached
        return cached

    def selected_any(self, policy: NetworkPolicy) -> tuple[Pod, ...]:
        """The pods ``policy`` isolates in any direction of its policyTypes."""
        pods = {p.ref: p for d in sorted(policy.policy_types) for p in self.selected(policy, d)}
        return tuple(pods[k] for k in sorted(pods))

    def pods_matching(self, selector: LabelSelector, namespaces: Iterable[str] | None = None) -> tuple[Pod, ...]:
        """Pods (not hostNetwork) whose labels ``selector`` matches, in ``namespaces`` (None: all)."""
        wanted = None if namespaces is None else set(namespaces)
        return tuple(
            p
            for p in self.cluster.pods
            if (wanted is None or p.namespace in wanted)
            and not self.options.is_node_traffic(p)
            and matches_selector(selector, p.labels)
        )

    def peer_pods(self, peer: Peer, policy: NetworkPolicy) -> tuple[Pod, ...]:
        """The pods one peer of ``policy`` selects (the matcher's answer), in input order."""
        # the policy's namespace matters only to a peer without namespaceSelector
        key = (peer, policy.namespace if isinstance(peer, PodPeer) and peer.namespace_selector is None else "")
        cached = self._peer_pods.get(key)
        if cached is None:
            ns = policy.namespace
            found = [p for p in self._candidates(peer, ns) if matches_peer(peer, ns, p, self.cluster, self.options)]
            cached = self._peer_pods[key] = self._in_input_order(found)
        return cached

    def _in_input_order(self, pods: Iterable[Pod]) -> tuple[Pod, ...]:
        """``pods`` sorted as the input lists them (what messages and findings rely on)."""
        return tuple(sorted(pods, key=lambda p: self._position[id(p)]))

    def _candidates(self, peer: Peer, policy_ns: str) -> Iterable[Pod]:
        """A superset of the pods ``peer`` can select, found without scanning every pod: the
        namespaces it can reach, or the pods with an address inside the ipBlock's CIDR."""
        if isinstance(peer, IPBlockPeer):
            return self.pods_in_block(peer)
        if peer.namespace_selector is None:
            return self._pods_by_ns.get(policy_ns, ())
        names = self._ns_selected.get(peer.namespace_selector)
        if names is None:
            matched = self._matched(peer.namespace_selector)
            names = [n for n in self._pods_by_ns if n in matched]
            self._ns_selected[peer.namespace_selector] = names
        return [p for n in names for p in self._pods_by_ns[n]]

    def classes(self, pods: Iterable[Pod]) -> list[tuple[int, list[Pod]]]:
        """``pods`` grouped by class (pods every policy treats alike, so every pair of classes
        has one answer), as (class number, members) in order of first appearance."""
        if isinstance(pods, tuple):
            hit = self._classes_of.get(id(pods))
            if hit is not None and hit[0] is pods:
                return hit[1]
        if self._class_of is None:
            self._class_of = {id(p): i for i, group in enumerate(pod_classes(self.index)) for p in group}
        groups: dict[int, list[Pod]] = {}
        for p in pods:
            groups.setdefault(self._class_of[id(p)], []).append(p)
        found = list(groups.items())
        if isinstance(pods, tuple):
            self._classes_of[id(pods)] = (pods, found)
        return found

    def pods_in_block(self, peer: IPBlockPeer) -> tuple[Pod, ...]:
        """Pods with an address in the ipBlock (its CIDR minus its excepts), in input order:
        found by bisection over the sorted pod addresses, not by testing every pod."""
        if self._by_address is None:
            entries: dict[int, list[tuple[int, int, Pod]]] = {4: [], 6: []}
            for i, pod in enumerate(self.cluster.pods):
                for ip in pod.ips:
                    entries[ip.version].append((int(ip), i, pod))
            self._by_address = {}
            for version, items in entries.items():
                items.sort(key=lambda e: (e[0], e[1]))
                self._by_address[version] = ([e[0] for e in items], [e[2] for e in items])
        keys, pods = self._by_address[peer.cidr.version]
        found = {id(p): p for lo, hi in peer.intervals() for p in pods[bisect_left(keys, lo) : bisect_right(keys, hi)]}
        return self._in_input_order(found.values())

    def namespaces_matching(self, selector: LabelSelector) -> list[str]:
        """The declared namespaces whose labels ``selector`` matches (cached per selector)."""
        names = self._declared_ns.get(selector)
        if names is None:
            matched = self._matched(selector)
            names = [ns.name for ns in self.cluster.namespaces if ns.name in matched]
            self._declared_ns[selector] = names
        return list(names)

    def _matched(self, selector: LabelSelector) -> frozenset[str]:
        """The namespaces (declared, or with pods) whose labels ``selector`` matches."""
        found = self._ns_matched.get(selector)
        if found is None:
            labels = self.cluster.namespace_labels
            found = frozenset(n for n in self._ns_names if matches_selector(selector, labels(n)))
            self._ns_matched[selector] = found
        return found

    def peer_maybe(self, peer: Peer, policy: NetworkPolicy) -> tuple[tuple[Pod, Unknown], ...]:
        """The pods one peer of ``policy`` may select, but not for certain, each with what it
        depends on: the labels of a namespace without a manifest, or the address of a pod without
        one (none with ``--closed-world``), in input order."""
        key = (peer, policy.namespace if isinstance(peer, PodPeer) and peer.namespace_selector is None else "")
        cached = self._maybe.get(key)
        if cached is None:
            found: list[tuple[Pod, Unknown]] = []
            ns, cluster, options = policy.namespace, self.cluster, self.options
            if isinstance(peer, IPBlockPeer):
                for pod in self._addressless:
                    if peer_state(peer, ns, pod, cluster, options) is None:
                        found.append((pod, unknown_address(pod, (peer,), options)))
            elif peer.namespace_selector is not None:
                for namespace in self._open_namespaces:
                    pods = [
                        p for p in self._pods_by_ns[namespace.name] if peer_state(peer, ns, p, cluster, options) is None
                    ]
                    unknown = unknown_namespace(namespace, peer.namespace_selector)
                    found += [(p, unknown) for p in pods if not matches_peer(peer, ns, p, cluster, options)]
            order = self._position
            cached = self._maybe[key] = tuple(sorted(found, key=lambda e: order[id(e[0])]))
        return cached

    def rule_maybe(self, rule: Rule, policy: NetworkPolicy) -> tuple[tuple[Pod, Unknown], ...]:
        """The pods a rule's peers may select but none selects for certain, with what each depends on."""
        if not (self._addressless or self._open_namespaces):  # the input leaves nothing open
            return ()
        certain = {id(p) for p in self.rule_pods(rule, policy)}
        out: dict[int, tuple[Pod, Unknown]] = {}
        for peer in rule.peers:
            for pod, unknown in self.peer_maybe(peer, policy):
                if id(pod) not in certain:
                    out.setdefault(id(pod), (pod, unknown))
        return tuple(sorted(out.values(), key=lambda e: self._position[id(e[0])]))

    def unevaluated(self, pod: Pod, direction: Direction) -> tuple[UnevaluatedPolicy, ...]:
        """Policies of kinds netsim does not evaluate that may select ``pod`` for ``direction``
        (none with ``--ignore-unevaluated``)."""
        return self.index.unevaluated(pod, direction)

    def rule_pods(self, rule: Rule, policy: NetworkPolicy) -> tuple[Pod, ...]:
        """The pods a rule's peers select (every pod when the rule has no peers), in input order."""
        if not rule.peers:
            return self.cluster.pods
        own = any(isinstance(p, PodPeer) and p.namespace_selector is None for p in rule.peers)
        key = (rule.peers, policy.namespace if own else "")
        cached = self._rule_pods.get(key)
        if cached is None:
            matched = {id(p): p for peer in rule.peers for p in self.peer_pods(peer, policy)}
            cached = self._rule_pods[key] = self._in_input_order(matched.values())
        return cached

    def namespace_span(self, namespace: str) -> SourceSpan | None:
        """Where a namespace is declared; else where its first pod is (in file order)."""
        ns = self.cluster.namespace(namespace)
        if ns.declared and ns.span is not None:
            return ns.span
        spans = sorted(p.span for p in self.pods_in(namespace) if p.span is not None)
        return spans[0] if spans else None

    # -- evaluation -------------------------------------------------------------------------------
    def pair(self, source: Pod, destination: Pod) -> PairVerdict:
        """Everything ``source`` may open towards ``destination``, with the evidence (cached)."""
        key = (source.ref, destination.ref)
        verdict = self._pairs.get(key)
        if verdict is None:
            verdict = evaluate_pair(self.index, source, destination)
            self._pairs[key] = verdict
        return verdict
