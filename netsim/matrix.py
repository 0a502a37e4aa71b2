"""The pod-to-pod truth table for one port: every ordered pair of distinct pods."""

from __future__ import annotations

from dataclasses import dataclass

from netsim.engine import PolicyIndex
from netsim.model import Protocol
from netsim.reach import compute_reachability

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
    allowed: set[tuple[str, str]] = set()
    for (s, d), conns in reach.pairs.items():
        if not conns.allows(port, protocol):
            continue
        for src in reach.classes[s].pods:
            for dst in reach.classes[d].pods:
                if src is not dst:
                    allowed.add((src.ref, dst.ref))
    pods = sorted(p.ref for p in index.cluster.pods)
    return Matrix(port, protocol, tuple(pods), frozenset(allowed))
