"""The pod-to-pod truth table for one port: every ordered pair of distinct pods."""

from __future__ import annotations

from dataclasses import dataclass

from netsim.engine import PolicyIndex
from netsim.model import Protocol
from netsim.reach import bits, compute_reachability

__all__ = ["Matrix", "build_matrix"]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Which ordered pairs of distinct pods may connect on ``port``/``protocol``."""

    port: int
    protocol: Protocol
    pods: tuple[str, ...]  # sorted refs
    allowed: frozenset[tuple[str, str]]

    def is_allowed(self, source: str, destination: str) -> bool:
        """True if ``source`` may open ``port``/``protocol`` to ``destination``."""
        return source == destination or (source, destination) in self.allowed


def build_matrix(index: PolicyIndex, port: int, protocol: Protocol = Protocol.TCP) -> Matrix:
    """Every ordered pair of distinct pods, from the class-level reachability (which the tests
    check against :func:`netsim.engine.evaluate_pair`)."""
    reach = compute_reachability(index)
    refs = [[p.ref for p in c.pods] for c in reach.classes]
    allowed: set[tuple[str, str]] = set()
    for src_mask, dst_mask, conns in reach.blocks:
        if not conns.allows(port, protocol):
            continue
        dst_refs = [ref for d in bits(dst_mask) for ref in refs[d]]
        for s in bits(src_mask):
            allowed.update((src, dst) for src in refs[s] for dst in dst_refs if src != dst)
    pods = sorted(p.ref for p in index.cluster.pods)
    return Matrix(port, protocol, tuple(pods), frozenset(allowed))
