"""Verdicts and the evidence they are computed from (data only; rendering lives in render/).

The allowed connection set of a direction is a *property* over the recorded rule outcomes, so an
explanation can never disagree with the verdict it explains.
"""

from __future__ import annotations

from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.model import Direction, Endpoint, NetworkPolicy, Peer, Protocol, Rule, Traffic

__all__ = ["DirectionVerdict", "PairVerdict", "RuleOutcome", "Verdict"]


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """How one rule of an isolating policy treated the connection."""

    policy: NetworkPolicy
    direction: Direction
    index: int  # position in spec.ingress / spec.egress
    rule: Rule
    peer_matched: bool  # True when the rule has no peers ("all") or one of its peers matched
    matched_peer: Peer | None  # the first peer that matched (only when explaining; None: rule has no peers)
    peer_misses: tuple[str, ...]  # why each peer missed (only when explaining and none matched)
    ports: ConnSet  # what the rule's ports allow towards the destination
    port_notes: tuple[str, ...] = ()  # named-port resolutions (only when explaining)

    @property
    def allowed(self) -> ConnSet:
        """The connections this rule opens: its ports if its peer matched, else nothing."""
        return self.ports if self.peer_matched else ConnSet.none()

    @property
    def field(self) -> str:
        """``spec.ingress[0]`` / ``spec.egress[2]``."""
        return f"spec.{self.direction.value.lower()}[{self.index}]"


@dataclass(frozen=True, slots=True)
class DirectionVerdict:
    """One side of a connection: the source's egress or the destination's ingress."""

    direction: Direction
    subject: Endpoint  # egress: the source; ingress: the destination
    remote: Endpoint  # the other end
    isolating: tuple[NetworkPolicy, ...]  # policies that select the subject for this direction
    outcomes: tuple[RuleOutcome, ...]  # every rule of the isolating policies
    exemption: str | None = None  # why policies do not apply at all (not a pod, own node, itself)

    @property
    def isolated(self) -> bool:
        """True when some policy selects the subject for this direction."""
        return bool(self.isolating) and self.exemption is None

    @property
    def conns(self) -> ConnSet:
        """Everything this side allows: all when not isolated, else the union of matched rules."""
        if not self.isolated:
            return ConnSet.all()
        out = ConnSet.none()
        for outcome in self.outcomes:
            out |= outcome.allowed
        return out

    def allows(self, port: int, protocol: Protocol) -> bool:
        """True if this side allows ``port``/``protocol``."""
        return self.conns.allows(port, protocol)

    def matches_for(self, port: int, protocol: Protocol) -> tuple[RuleOutcome, ...]:
        """The rules that allow ``port``/``protocol``."""
        return tuple(o for o in self.outcomes if o.allowed.allows(port, protocol))


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """Everything allowed from ``source`` to ``destination``, over all ports."""

    source: Endpoint
    destination: Endpoint
    egress: DirectionVerdict
    ingress: DirectionVerdict

    @property
    def conns(self) -> ConnSet:
        """Egress-allowed ∩ ingress-allowed."""
        return self.egress.conns & self.ingress.conns


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one connection attempt, with the evidence it was computed from."""

    traffic: Traffic
    egress: DirectionVerdict
    ingress: DirectionVerdict

    @property
    def egress_allowed(self) -> bool:
        """The source's egress side allows the connection."""
        return self.egress.allows(self.traffic.port, self.traffic.protocol)

    @property
    def ingress_allowed(self) -> bool:
        """The destination's ingress side allows the connection."""
        return self.ingress.allows(self.traffic.port, self.traffic.protocol)

    @property
    def allowed(self) -> bool:
        """Both ends must allow (reference §1.4)."""
        return self.egress_allowed and self.ingress_allowed
