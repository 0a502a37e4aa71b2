"""netsim's check of its own suggestion, before anything is written.

Two questions, each answered by the code that answers it elsewhere in netsim, not by the code that
built the suggestion:

(a) **Is everything observed allowed?** The observed connections are replayed (``netsim replay``'s
    :func:`~netsim.replay.replay`) against the manifests plus the suggestion. A connection still
    denied fails the check, unless the suggestion said no NetworkPolicy can allow it (the Admin
    tier denies it, ...); one left undetermined is reported with what it depends on.
(b) **Is nothing else opened?** ``netsim diff``'s :func:`~netsim.diff.diff_clusters` compares the
    manifests with the manifests plus the suggestion, workload by workload. Every pair of workloads
    (or workload and external range) that gains a connection, or may gain one, must have been
    observed (its ports may widen: DNS on TCP besides UDP), or be one a selector of the suggestion
    selects because no set of labels tells two workloads apart (which the files say). Any other
    pair fails the check.

A failed check is a bug of netsim, never of the input: the suggestion is not written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.diff import ConnectionChange, diff_clusters
from netsim.engine import PolicyIndex
from netsim.graph import NodeInfo
from netsim.match.peers import describe_peer, peer_state
from netsim.model import Cluster, Direction, External, IPBlockPeer, Options, Pod, PodPeer
from netsim.replay import Observed, Replayed, replay
from netsim.suggest.build import Suggestion
from netsim.suggest.workloads import Workloads
from netsim.verdict import Decision

__all__ = ["Opened", "Verification", "verify"]


@dataclass(frozen=True, slots=True)
class Opened:
    """A pair the suggestion opens, or may open, that was not observed."""

    source: str  # ns/name[Kind], first-last[External], or an entry point
    destination: str
    conns: ConnSet  # what it gains (for certain, or possibly when not ``certain``)
    certain: bool
    reason: str | None  # why the suggestion opens it (a selector that cannot be exact); None: a failure

    def __str__(self) -> str:
        how = "opens" if self.certain else "may open"
        return f"{how} {self.source} -> {self.destination} {self.conns}"


@dataclass(frozen=True, slots=True)
class Verification:
    """The two checks' results."""

    replayed: tuple[Replayed, ...]  # the observed connections against the manifests plus the suggestion
    denied: tuple[Replayed, ...]  # (a) fails: still denied, and a rule should have allowed it
    not_allowable: tuple[tuple[Replayed, str], ...]  # still denied: no NetworkPolicy can allow it (why)
    undetermined: tuple[tuple[Replayed, str], ...]  # what each depends on
    opened: tuple[Opened, ...]  # (b): unobserved pairs opened; those without a reason fail

    @property
    def unexpected(self) -> tuple[Opened, ...]:
        """The unobserved pairs opened for no reason the suggestion states: (b) fails."""
        return tuple(o for o in self.opened if o.reason is None)

    @property
    def allows_observed(self) -> bool:
        """Check (a) holds."""
        return not self.denied

    @property
    def opens_nothing_else(self) -> bool:
        """Check (b) holds."""
        return not self.unexpected

    @property
    def ok(self) -> bool:
        """Both checks hold: the suggestion may be written."""
        return self.allows_observed and self.opens_nothing_else

    def failures(self) -> tuple[str, ...]:
        """Each failure in one line, naming the connection."""
        lines = [f"still denied: {r.observed}" for r in self.denied]
        lines += [f"{o} (not observed)" for o in self.unexpected]
        return tuple(lines)


def verify(cluster: Cluster, options: Options, observed: Sequence[Observed], suggestion: Suggestion) -> Verification:
    """Check the suggestion against the manifests (``cluster``) and the observed connections."""
    after = suggestion.applied_to(cluster)
    replayed = replay(PolicyIndex(after, options), observed)
    expected = {(u.observed.key, u.direction): u.reason for u in suggestion.unsuggested}
    denied: list[Replayed] = []
    not_allowable: list[tuple[Replayed, str]] = []
    undetermined: list[tuple[Replayed, str]] = []
    for r in replayed:
        if r.decision is Decision.UNDETERMINED:
            why = "; ".join(str(u) for u in r.verdict.unknowns()) or "the input does not decide it"
            undetermined.append((r, why))
        elif r.decision is Decision.DENIED:
            v = r.verdict
            sides = ((Direction.EGRESS, v.egress_decision), (Direction.INGRESS, v.ingress_decision))
            reasons = [expected.get((r.observed.key, d)) for d, decision in sides if decision is Decision.DENIED]
            if all(reasons):
                not_allowable.append((r, "; ".join(dict.fromkeys(str(x) for x in reasons))))
            else:
                denied.append(r)
    opened = _opened(cluster, after, options, observed, suggestion)
    return Verification(tuple(replayed), tuple(denied), tuple(not_allowable), tuple(undetermined), opened)


Reach = dict[tuple[str, str], str]  # (source, destination) -> why the suggestion may connect them


def _opened(
    cluster: Cluster, after: Cluster, options: Options, observed: Sequence[Observed], suggestion: Suggestion
) -> tuple[Opened, ...]:
    pairs: set[tuple[str, str]] = set()
    to_addresses: dict[str, set[int]] = {}  # workload -> addresses observed as its egress destinations
    from_addresses: dict[str, set[int]] = {}  # workload -> addresses observed as its ingress sources
    for o in observed:
        src, dst = o.source, o.destination
        if isinstance(src, Pod) and isinstance(dst, Pod):
            pairs.add((src.endpoint, dst.endpoint))
        for here, there, seen in ((src, dst, to_addresses), (dst, src, from_addresses)):
            if isinstance(here, Pod):
                seen.setdefault(here.endpoint, set()).update(_addresses(there, options))
    unobserved = [
        (change, conns, certain)
        for change in diff_clusters(cluster, after, options).connections
        for conns, certain in ((change.gained, True), (change.now_undetermined - change.before, False))
        if conns and not _observed(change.source, change.destination, pairs, to_addresses, from_addresses)
    ]
    if not unobserved:  # the usual case: what the suggestion's selectors reach need not be worked out
        return ()
    extra = [end for o in observed for end in (o.source, o.destination) if isinstance(end, Pod)]
    workloads = Workloads(cluster, options, extra)
    reach, blocks = _reach(workloads, suggestion)
    out: list[Opened] = []
    for change, conns, certain in unobserved:
        why = _why(change, certain, reach, blocks)
        out.append(Opened(change.source.label, change.destination.label, conns, certain, why))
    return tuple(out)


def _addresses(end: object, options: Options) -> set[int]:
    """The addresses an end is seen at by an ipBlock: an external one's, a hostNetwork pod's."""
    if isinstance(end, External):
        return {int(end.ip)}
    if isinstance(end, Pod) and options.is_node_traffic(end):
        return {int(ip) for ip in end.addresses}
    return set()


def _observed(
    src: NodeInfo,
    dst: NodeInfo,
    pairs: set[tuple[str, str]],
    to_addresses: dict[str, set[int]],
    from_addresses: dict[str, set[int]],
) -> bool:
    if src.range is None and dst.range is None:
        return (src.key, dst.key) in pairs
    if dst.range is not None:
        rng, seen = dst.range, to_addresses.get(src.key, set())
    else:
        assert src.range is not None
        rng, seen = src.range, from_addresses.get(dst.key, set())
    size = rng.last_int - rng.first_int + 1
    return size <= len(seen) and all(a in seen for a in range(rng.first_int, rng.last_int + 1))


def _reach(workloads: Workloads, suggestion: Suggestion) -> tuple[Reach, list[tuple[str, Direction, IPBlockPeer, str]]]:
    """Every workload pair a suggested rule may connect, with why it is not only the observed
    ones (a selector that selects more workloads); and the rules' ipBlocks per subject."""
    cluster, options = workloads.cluster, workloads.options
    reach: Reach = {}
    blocks: list[tuple[str, Direction, IPBlockPeer, str]] = []
    pods = [p for key in workloads.members for p in workloads.pods(key)]
    for sp in suggestion.policies:
        if sp.workload is None or sp.direction is None:
            continue
        policy = sp.policy
        subjects = workloads.selected(policy.namespace, policy.pod_selector)
        for index, sr in enumerate(sp.rules):
            where = f"{policy.ref} spec.{sp.direction.value.lower()}[{index}]"
            for peer in sr.rule.peers:
                said = describe_peer(peer, policy.namespace)
                ns = policy.namespace
                remotes: dict[str, bool] = {}  # workload -> selected for certain (else: may be)
                for p in pods:
                    state = peer_state(peer, ns, p, cluster, options)
                    if state is not False:
                        remotes[p.endpoint] = remotes.get(p.endpoint, False) or bool(state)
                for subject in subjects:
                    # the subject observed: its rule's external ranges are the addresses observed
                    why_subject = (
                        None
                        if subject == sp.workload
                        else f"the podSelector {policy.pod_selector} of {policy.ref} also selects {subject}"
                    )
                    if isinstance(peer, IPBlockPeer) and why_subject is not None:
                        blocks.append((subject, sp.direction, peer, why_subject))
                    for remote, certain in remotes.items():
                        why = why_subject or f"{where}: {said} {_selects(peer, remote, certain)}"
                        key = (subject, remote) if sp.direction is Direction.EGRESS else (remote, subject)
                        reach.setdefault(key, why)
    return reach, blocks


def _selects(peer: IPBlockPeer | PodPeer, remote: str, certain: bool) -> str:
    if certain:
        return f"also selects {remote}"
    if isinstance(peer, IPBlockPeer):
        return f"may select {remote}: the input gives no address for its pods"
    return f"may select {remote}: the input does not give the labels of its namespace"


def _why(
    change: ConnectionChange, certain: bool, reach: Reach, blocks: list[tuple[str, Direction, IPBlockPeer, str]]
) -> str | None:
    src, dst = change.source, change.destination
    if src.kind == "entry" or dst.kind == "entry":
        entry = src if src.kind == "entry" else dst
        return None if certain else f"the input does not describe {entry.label}: a selector may select it"
    if src.range is None and dst.range is None:
        return reach.get((src.key, dst.key))
    rng = dst.range if dst.range is not None else src.range
    assert rng is not None
    subject, direction = (src.key, Direction.EGRESS) if dst.range is not None else (dst.key, Direction.INGRESS)
    for key, d, block, why in blocks:
        if key == subject and d is direction and rng.first in block.cidr and rng.last in block.cidr:
            return why
    return None
