"""Replay observed traffic against manifests: would the policies allow what the cluster carried?

The flows a cluster really carries (read by :mod:`netsim.flows`: Hubble, Calico, a generic CSV or
JSON) are folded into distinct connections (source, destination, protocol, destination port); each
is decided by the engine exactly as ``netsim check`` decides it, so a replayed connection is
*allowed*, *denied* or *undetermined* (the input leaves it open, naming what it depends on), and
carries the :class:`~netsim.verdict.Verdict` it was decided from: its explanation can never
disagree with its decision. Flows whose ends netsim cannot map to the manifests are kept, counted
and reported as *unmapped*, never dropped.

Two more questions are answered from the same replay:

* **What a change does to observed traffic** (:func:`compare`): the connections that the head
  version denies and the base allowed (*newly denied*), and the reverse (*newly allowed*).
* **What a default deny would sever** (:func:`with_default_deny`): the manifests plus, in the
  namespaces named, a NetworkPolicy selecting every pod for the directions named and allowing
  nothing: the Kubernetes documentation's "default deny all ingress/egress traffic" policy
  (https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies).

Evaluation is memoised per pair of endpoints (the verdict of a pair holds every port), so the cost
follows the distinct pairs observed, not the records; only connections that are not allowed are
evaluated again with explanations.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from netsim.engine import PolicyIndex, evaluate_pair
from netsim.flows.fold import FoldResult
from netsim.flows.model import Skip
from netsim.model import (
    Cluster,
    Direction,
    Endpoint,
    IPAddress,
    LabelSelector,
    NetworkPolicy,
    Pod,
    Protocol,
    Traffic,
)
from netsim.verdict import Decision, PairVerdict, Verdict

__all__ = [
    "DEFAULT_DENY_NAME",
    "Change",
    "ChangeKind",
    "FailOn",
    "Observed",
    "ReplayInput",
    "ReplayReport",
    "ReplayResult",
    "Replayed",
    "UnmappedFlows",
    "compare",
    "from_fold",
    "replay",
    "with_default_deny",
]

#: The name of the policies :func:`with_default_deny` adds (one per namespace).
DEFAULT_DENY_NAME = "netsim-what-if-default-deny"

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Observed:
    """One distinct connection the flows show: ``source`` opened ``destination`` on ``port``.

    ``flows`` counts its observations (a connection that both ends report counts once; replies
    are not counted: they belong to their request); ``at`` is where its first record is
    (``file:line``); ``seen`` what the observers decided for it (``allowed``, ``denied``), when
    the flow source says."""

    source: Endpoint
    destination: Endpoint
    protocol: Protocol
    port: int
    flows: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    at: str = ""
    seen: frozenset[str] = frozenset()
    # what the flows say of the addresses of an end that has none in the manifests
    source_addresses: frozenset[IPAddress] = frozenset()
    destination_addresses: frozenset[IPAddress] = frozenset()

    @property
    def key(self) -> tuple[str, str, Protocol, int]:
        """What identifies the connection across two versions of the manifests."""
        return (self.source.ref, self.destination.ref, self.protocol, self.port)

    @property
    def traffic(self) -> Traffic:
        """The connection as the engine takes it."""
        return Traffic(self.source, self.destination, self.port, self.protocol)

    def __str__(self) -> str:
        return f"{self.source.ref} -> {self.destination.ref} {self.port}/{self.protocol.value}"


@dataclass(frozen=True, slots=True)
class UnmappedFlows:
    """Flow records netsim could not map to the manifests, folded by ends and reason."""

    source: str  # the end as the flow wrote it
    destination: str
    reason: str  # why (one line): "pod shop/legacy-0 is not in the manifests"
    flows: int
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    at: str = ""
    protocol: Protocol | None = None
    port: int | None = None

    def __str__(self) -> str:
        where = f" {self.port}/{self.protocol.value}" if self.port is not None and self.protocol is not None else ""
        return f"{self.source} -> {self.destination}{where}"


@dataclass(frozen=True, slots=True)
class Replayed:
    """An observed connection and the verdict the manifests give it (its evidence)."""

    observed: Observed
    verdict: Verdict
    # the addresses the verdict was decided at, for ends the manifests give none (the flows' own:
    # every one of them gives the same answer, and ``verdict`` is the first's); empty otherwise
    at_addresses: tuple[IPAddress, ...] = ()

    @property
    def decision(self) -> Decision:
        """Allowed, denied or undetermined: the verdict's."""
        return self.verdict.decision


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """Every observed connection with its verdict, the unmapped flows, and what was skipped.

    ``records``: the flow records read; ``skipped``: (reason, records) for those that are not
    connections to decide: replies (a reply belongs to its request), records that are no flows,
    protocols NetworkPolicy does not cover, malformed records skipped by ``--lax``."""

    connections: tuple[Replayed, ...]
    unmapped: tuple[UnmappedFlows, ...] = ()
    skipped: tuple[tuple[str, int], ...] = ()
    records: int = 0

    def of(self, decision: Decision) -> tuple[Replayed, ...]:
        """The connections with that decision."""
        return tuple(r for r in self.connections if r.decision is decision)

    @property
    def flows(self) -> int:
        """Flows (observations) behind the connections and the unmapped flows."""
        return sum(r.observed.flows for r in self.connections) + sum(u.flows for u in self.unmapped)


def from_fold(result: FoldResult, label: str) -> ReplayInput:
    """The observed connections, unmapped flows and skipped records of a folded flow export
    (``label``: how positions name the export, ``file`` in ``file:line``)."""
    observed = tuple(
        Observed(
            c.source,
            c.destination,
            c.protocol,
            c.port,
            c.count,
            c.first_seen,
            c.last_seen,
            f"{label}:{c.line}",
            c.observed,
            c.source_addresses,
            c.destination_addresses,
        )
        for c in result.connections
    )
    unmapped = tuple(
        UnmappedFlows(
            u.source,
            u.destination,
            "; ".join(u.reasons),
            u.count,
            u.first_seen,
            u.last_seen,
            f"{label}:{u.line}",
            u.protocol,
            u.port,
        )
        for u in result.unmapped
    )
    skipped = tuple((reason.description, n) for reason, n in sorted(result.skipped.items()) if n)
    # the records folded (and the replies and other protocols skipped there), plus those the
    # reader skipped: no flow, malformed with --lax
    unread = sum(n for reason, n in result.skipped.items() if reason in (Skip.NOT_FLOW, Skip.MALFORMED))
    return ReplayInput(observed, unmapped, skipped, result.records + unread)


@dataclass(frozen=True, slots=True)
class ReplayInput:
    """What a flow export gives a replay: the connections to decide, the flows that map to
    nothing, the records skipped (reason, count) and the records read."""

    observed: tuple[Observed, ...]
    unmapped: tuple[UnmappedFlows, ...]
    skipped: tuple[tuple[str, int], ...]
    records: int

    def result(self, replayed: tuple[Replayed, ...]) -> ReplayResult:
        """The replay's result, with this input's unmapped flows and counts."""
        return ReplayResult(replayed, self.unmapped, self.skipped, self.records)


def replay(index: PolicyIndex, observed: Iterable[Observed], progress: Progress | None = None) -> tuple[Replayed, ...]:
    """Decide every observed connection (in the order given), with its evidence."""
    items = list(observed)
    pairs: dict[tuple[str, str], PairVerdict] = {}
    out: list[Replayed] = []
    for done, obs in enumerate(items, 1):
        key = (obs.source.ref, obs.destination.ref)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = evaluate_pair(index, obs.source, obs.destination)
        traffic = obs.traffic
        verdict = Verdict(traffic, pair.egress, pair.ingress)
        if verdict.decision is Decision.UNDETERMINED and (obs.source_addresses or obs.destination_addresses):
            decided = _at_addresses(index, obs)
            if decided is not None:
                out.append(decided)
                continue
        if verdict.decision is not Decision.ALLOWED:
            # with the words of each rule's miss, for the report; the decision is the same
            explained = evaluate_pair(index, obs.source, obs.destination, explain=True)
            verdict = Verdict(traffic, explained.egress, explained.ingress)
        out.append(Replayed(obs, verdict))
        if progress is not None and not done % 1024:
            progress(done, len(items))
    if progress is not None:
        progress(len(items), len(items))
    return tuple(out)


#: At most this many pairs of observed addresses are tried for one connection (:func:`_at_addresses`).
MAX_ADDRESS_PAIRS = 256


def _placed(end: Endpoint, addresses: frozenset[IPAddress]) -> list[Endpoint]:
    """The end at each address the flows observed for it, when the manifests give it none."""
    if isinstance(end, Pod) and not end.ips and addresses:
        return [dataclasses.replace(end, ips=(ip,)) for ip in sorted(addresses, key=lambda ip: (ip.version, ip))]
    return [end]


def _at_addresses(index: PolicyIndex, obs: Observed) -> Replayed | None:
    """An undetermined connection decided at the addresses the flows observed for its ends that
    have none in the manifests: when the connection between every pair of those addresses (at most
    :data:`MAX_ADDRESS_PAIRS`) has the same decided answer, that answer, with the first pair's
    evidence; None when they differ, stay undetermined, or are too many."""
    sources = _placed(obs.source, obs.source_addresses)
    destinations = _placed(obs.destination, obs.destination_addresses)
    if len(sources) * len(destinations) > MAX_ADDRESS_PAIRS:
        return None
    decisions = set()
    for src in sources:
        for dst in destinations:
            pair = evaluate_pair(index, src, dst)
            decisions.add(Verdict(Traffic(src, dst, obs.port, obs.protocol), pair.egress, pair.ingress).decision)
            if len(decisions) > 1 or Decision.UNDETERMINED in decisions:
                return None
    src, dst = sources[0], destinations[0]
    explained = evaluate_pair(index, src, dst, explain=True)
    verdict = Verdict(Traffic(src, dst, obs.port, obs.protocol), explained.egress, explained.ingress)
    # the addresses given to the ends placed at them (an end the manifests address stays as it is)
    placed = [
        e
        for end, given in ((obs.source, sources), (obs.destination, destinations))
        if given[0] is not end
        for e in given
    ]
    used = tuple(ip for e in placed if isinstance(e, Pod) for ip in e.ips)
    return Replayed(obs, verdict, used)


class ChangeKind(StrEnum):
    """How a change of manifests changes the answer for an observed connection."""

    NEWLY_DENIED = "newly-denied"  # head denies it; base allowed it or could not say
    NEWLY_ALLOWED = "newly-allowed"  # head allows it; base denied it or could not say
    NEWLY_UNDETERMINED = "newly-undetermined"  # head cannot say; base decided it


@dataclass(frozen=True, slots=True)
class Change:
    """An observed connection whose decision differs between the base and the head manifests."""

    base: Replayed
    head: Replayed

    @property
    def kind(self) -> ChangeKind:
        """What the change does to it."""
        if self.head.decision is Decision.DENIED:
            return ChangeKind.NEWLY_DENIED
        if self.head.decision is Decision.ALLOWED:
            return ChangeKind.NEWLY_ALLOWED
        return ChangeKind.NEWLY_UNDETERMINED


def compare(base: Sequence[Replayed], head: Sequence[Replayed]) -> tuple[Change, ...]:
    """The connections observed on both sides whose decision changed, in the head's order.

    A connection is the same on both sides when its ends have the same names (``Endpoint.ref``)
    and its protocol and port are equal; one whose ends exist on one side only is not compared
    (the flows that map on one side only are among that side's unmapped)."""
    before = {r.observed.key: r for r in base}
    changes: list[Change] = []
    for r in head:
        b = before.get(r.observed.key)
        if b is not None and b.decision is not r.decision:
            changes.append(Change(b, r))
    return tuple(changes)


def with_default_deny(cluster: Cluster, namespaces: Iterable[str], directions: Iterable[Direction]) -> Cluster:
    """``cluster`` plus, in each of ``namespaces``, a NetworkPolicy named :data:`DEFAULT_DENY_NAME`
    that selects every pod (``podSelector: {}``) for ``directions`` and allows nothing."""
    kinds = frozenset(directions)
    added = tuple(
        NetworkPolicy(namespace=ns, name=DEFAULT_DENY_NAME, pod_selector=LabelSelector(), policy_types=kinds)
        for ns in sorted(set(namespaces))
    )
    policies = tuple(sorted((*cluster.policies, *added), key=lambda p: (p.namespace, p.name)))
    return replace(cluster, policies=policies)


class FailOn(StrEnum):
    """What makes ``netsim replay`` exit 1."""

    DENIED = "denied"  # an observed connection the manifests (head) deny
    NEWLY_DENIED = "newly-denied"  # one the head denies and the base did not (needs a base)
    NEVER = "never"


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """A whole replay, as the renderers show it: what was replayed against what, the result, and
    with a base version the changes.

    ``flows``: the flow inputs; ``manifests``: the manifests (the head); ``base``: the base
    version's label and result, when compared; ``what_if``: the default deny added, in words."""

    flows: tuple[str, ...]
    manifests: str
    result: ReplayResult
    fail_on: FailOn = FailOn.DENIED
    base_label: str | None = None
    base: ReplayResult | None = None
    what_if: str | None = None

    @property
    def changes(self) -> tuple[Change, ...]:
        """The connections whose decision the change of manifests changed (none without a base)."""
        if self.base is None:
            return ()
        return compare(self.base.connections, self.result.connections)

    def failing(self) -> tuple[Replayed, ...]:
        """The connections that make the replay fail under :attr:`fail_on`."""
        if self.fail_on is FailOn.NEVER:
            return ()
        if self.fail_on is FailOn.NEWLY_DENIED:
            return tuple(c.head for c in self.changes if c.kind is ChangeKind.NEWLY_DENIED)
        return self.result.of(Decision.DENIED)

    def exit_status(self) -> int:
        """0: nothing fails; 1: something fails (:attr:`fail_on`); 3: nothing fails, but the
        manifests cannot decide an observed connection (with ``newly-denied``: one the base
        decided); ``never``: always 0."""
        if self.fail_on is FailOn.NEVER:
            return 0
        if self.failing():
            return 1
        if self.fail_on is FailOn.NEWLY_DENIED:
            return 3 if any(c.kind is ChangeKind.NEWLY_UNDETERMINED for c in self.changes) else 0
        return 3 if self.result.of(Decision.UNDETERMINED) else 0
