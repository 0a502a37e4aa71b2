"""The pod-to-pod truth table for one port: every ordered pair of distinct pods."""

from __future__ import annotations

from dataclasses import dataclass

from netsim.engine import PolicyIndex, evaluate_pair
from netsim.model import Protocol

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
    """Evaluate every ordered pair of distinct pods through :func:`evaluate_pair`."""
    pods = sorted(index.cluster.pods, key=lambda p: p.ref)
    allowed = set()
    for src in pods:
        for dst in pods:
            if src.ref != dst.ref and evaluate_pair(index, src, dst).conns.allows(port, protocol):
                allowed.add((src.ref, dst.ref))
    return Matrix(port, protocol, tuple(p.ref for p in pods), frozenset(allowed))
