"""Machine-readable verdicts (plain dicts ready for ``json.dumps``)."""

from __future__ import annotations

from typing import Any

from netsim.match.peers import describe_peer
from netsim.model import Endpoint, External, NetworkPolicy
from netsim.verdict import DirectionVerdict, Verdict

__all__ = ["endpoint_json", "verdict_json"]


def endpoint_json(ep: Endpoint) -> dict[str, Any]:
    """``{"kind": "Pod", "namespace": ..., "name": ...}`` or ``{"kind": "External", "ip": ...}``."""
    if isinstance(ep, External):
        return {"kind": "External", "ip": str(ep.ip)}
    return {"kind": ep.kind, "namespace": ep.namespace, "name": ep.name}


def _policy(pol: NetworkPolicy) -> dict[str, Any]:
    return {
        "policy": pol.ref,
        "location": str(pol.span) if pol.span else None,
        "policyTypes": sorted(t.value for t in pol.policy_types),
        "policyTypesDefaulted": pol.policy_types_defaulted,
    }


def _direction(side: DirectionVerdict, port: int, verdict: Verdict) -> dict[str, Any]:
    proto = verdict.traffic.protocol
    return {
        "subject": endpoint_json(side.subject),
        "allowed": side.allows(port, proto),
        "isolated": side.isolated,
        "exemption": side.exemption,
        "isolatingPolicies": [_policy(p) for p in side.isolating],
        "rules": [
            {
                "policy": o.policy.ref,
                "rule": o.field,
                "location": str(o.rule.span) if o.rule.span else None,
                "peerMatched": o.peer_matched,
                "matchedPeer": describe_peer(o.matched_peer, o.policy.namespace) if o.matched_peer else None,
                "peerMisses": list(o.peer_misses),
                "ports": o.ports.to_json(),
                "portNotes": list(o.port_notes),
                "allowsThisConnection": o.allowed.allows(port, proto),
            }
            for o in side.outcomes
        ],
    }


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """The verdict with all its evidence."""
    t = verdict.traffic
    return {
        "allowed": verdict.allowed,
        "source": endpoint_json(t.source),
        "destination": endpoint_json(t.destination),
        "port": t.port,
        "protocol": t.protocol.value,
        "egress": _direction(verdict.egress, t.port, verdict),
        "ingress": _direction(verdict.ingress, t.port, verdict),
    }
