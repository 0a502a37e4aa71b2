"""The pod-to-pod truth table for one port: every ordered pair of distinct pods, three-valued."""

from __future__ import annotations

from dataclasses import dataclass

from netsim.engine import PolicyIndex
from netsim.model import Protocol
from netsim.reach import Reachability, bits, compute_reachability
from netsim.verdict import Decision

__all__ = ["Matrix", "build_matrix"]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Which ordered pairs of distinct pods may connect on ``port``/``protocol``.

    A pair is in at most one of ``allowed`` (for certain) and ``undetermined`` (depends on what
    the input does not give); the others are denied. A workload that stands for several replicas
    pairs with itself (one replica to another) when it is in ``replicated``.
    """

    port: int
    protocol: Protocol
    pods: tuple[str, ...]  # sorted refs
    allowed: frozenset[tuple[str, str]]
    undetermined: frozenset[tuple[str, str]] = frozenset()
    replicated: frozenset[str] = frozenset()  # refs whose diagonal cell is replica-to-replica

    def decision(self, source: str, destination: str) -> Decision:
        """The cell's answer; a pod to itself is always allowed."""
        if source == destination and source not in self.replicated:
            return Decision.ALLOWED
        if (source, destination) in self.allowed:
            return Decision.ALLOWED
        return Decision.UNDETERMINED if (source, destination) in self.undetermined else Decision.DENIED

    def is_allowed(self, source: str, destination: str) -> bool:
        """True if ``source`` may open ``port``/``protocol`` to ``destination`` for certain."""
        return self.decision(source, destination) is Decision.ALLOWED

    @property
    def pair_count(self) -> int:
        """Ordered pairs of distinct pods (replica pairs of a workload included)."""
        n = len(self.pods)
        return n * (n - 1) + len(self.replicated)


def _pairs(reach: Reachability, port: int, protocol: Protocol, replicated: frozenset[str]) -> set[tuple[str, str]]:
    refs = [[p.ref for p in c.pods] for c in reach.classes]
    found: set[tuple[str, str]] = set()
    for src_mask, dst_mask, conns in reach.blocks:
        if not conns.allows(port, protocol):
            continue
        dst_refs = [ref for d in bits(dst_mask) for ref in refs[d]]
        for s in bits(src_mask):
            found.update((src, dst) for src in refs[s] for dst in dst_refs if src != dst or src in replicated)
    return found


def build_matrix(index: PolicyIndex, port: int, protocol: Protocol = Protocol.TCP) -> Matrix:
    """Every ordered pair of distinct pods, from the class-level reachability (which the tests
    check against :func:`netsim.engine.evaluate_pair`)."""
    reach = compute_reachability(index)
    replicated = frozenset(p.ref for p in index.cluster.pods if index.options.replica_traffic and p.is_replicated)
    allowed = _pairs(reach, port, protocol, replicated)
    undetermined: set[tuple[str, str]] = set()
    if reach.possible is not None:
        undetermined = _pairs(reach.possible, port, protocol, replicated) - allowed
    pods = sorted(p.ref for p in index.cluster.pods)
    return Matrix(port, protocol, tuple(pods), frozenset(allowed), frozenset(undetermined), replicated)
