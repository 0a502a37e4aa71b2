"""Machine-readable verdicts (plain dicts ready for ``json.dumps``).

Answers are three-valued: ``"verdict"`` is ``allowed``, ``denied`` or ``undetermined``, and the
booleans that an unknown may leave open (``allowed``, a rule's ``peerMatched`` and
``allowsThisConnection``) are ``null`` when it does, next to the unknowns they depend on.
"""

from __future__ import annotations

from typing import Any

from netsim.match.peers import describe_peer
from netsim.model import ClusterPeer, Endpoint, External, NetworkPolicy, PodPeer, UnevaluatedPolicy, Unknown
from netsim.render.text import replica_note
from netsim.verdict import (
    ClusterRuleOutcome,
    Decision,
    DirectionVerdict,
    RuleOutcome,
    ServiceVerdict,
    Verdict,
    WorkloadVerdict,
)

__all__ = [
    "endpoint_json",
    "service_verdict_json",
    "unknown_json",
    "verdict_json",
    "workload_verdict_json",
]


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


def unknown_json(unknown: Unknown) -> dict[str, Any]:
    """``{"kind": "pod-address", "about": ..., "condition": ..., "at": "file:line:col" | null}``."""
    return {
        "kind": unknown.kind.value,
        "about": unknown.about,
        "condition": unknown.condition,
        "at": str(unknown.span) if unknown.span else None,
    }


def _unevaluated(policy: UnevaluatedPolicy) -> dict[str, Any]:
    return {
        "policy": policy.ref,
        "apiVersion": policy.api_version,
        "location": str(policy.span) if policy.span else None,
        "reason": policy.reason or None,
    }


def _decided(decision: Decision) -> bool | None:
    """``allowed``/``denied`` as a boolean, ``undetermined`` as None."""
    return None if decision is Decision.UNDETERMINED else decision is Decision.ALLOWED


def _rule(o: RuleOutcome, verdict: Verdict) -> dict[str, Any]:
    port, proto = verdict.traffic.port, verdict.traffic.protocol
    if o.allowed.allows(port, proto):
        allows: bool | None = True
    else:
        allows = None if o.possible.allows(port, proto) else False
    return {
        "policy": o.policy.ref,
        "rule": o.field,
        "location": str(o.rule.span) if o.rule.span else None,
        "peerMatched": None if o.undecided else o.peer_matched,
        "matchedPeer": describe_peer(o.matched_peer, o.policy.namespace) if o.matched_peer else None,
        "peerMisses": list(o.peer_misses),
        "peerUnknowns": [unknown_json(u) for u in o.peer_unknowns],
        "ports": o.ports.to_json(),
        "portNotes": list(o.port_notes),
        "allowsThisConnection": allows,
    }


def _cluster_peer_text(peer: ClusterPeer) -> str:
    """A cluster-scoped rule's peer in words (selector peers as NetworkPolicy peers are worded)."""
    return describe_peer(peer, "") if isinstance(peer, PodPeer) else str(peer)


def _cluster_rule(o: ClusterRuleOutcome, verdict: Verdict) -> dict[str, Any]:
    pol = o.policy
    return {
        "policy": pol.name,
        "kind": pol.kind,
        "tier": pol.tier.value,
        "priority": pol.priority,
        "rule": o.field,
        "name": o.rule.name,
        "action": o.rule.action.value,
        "location": str(o.rule.span or pol.span) if (o.rule.span or pol.span) else None,
        "peerMatched": o.peer_state,
        "matchedPeer": _cluster_peer_text(o.matched_peer) if o.matched_peer is not None else None,
        "peerMisses": list(o.peer_misses),
        "peerUnknowns": [unknown_json(u) for u in o.unknowns],
        "ports": o.ports.to_json(),
        "coversThisConnection": o.ports.allows(verdict.traffic.port, verdict.traffic.protocol),
    }


def _direction(side: DirectionVerdict, verdict: Verdict) -> dict[str, Any]:
    port, proto = verdict.traffic.port, verdict.traffic.protocol
    decision = side.decision(port, proto)
    return {
        "subject": endpoint_json(side.subject),
        "decision": decision.value,
        "allowed": _decided(decision),
        "isolated": side.isolated,
        "exemption": side.exemption,
        "isolatingPolicies": [_policy(p) for p in side.isolating],
        "unevaluatedPolicies": [_unevaluated(p) for p in side.unevaluated] if side.exemption is None else [],
        "unknowns": [unknown_json(u) for u in side.unknowns(port, proto)] if decision is Decision.UNDETERMINED else [],
        "rules": [_rule(o, verdict) for o in side.outcomes],
        # the cluster-scoped tiers around NetworkPolicy, each rule in evaluation order (first match)
        "adminRules": [_cluster_rule(o, verdict) for o in side.admin],
        "baselineRules": [_cluster_rule(o, verdict) for o in side.baseline],
    }


def verdict_json(verdict: Verdict, *, replica_traffic: bool = True) -> dict[str, Any]:
    """The verdict with all its evidence (``replica_traffic``: as for
    :func:`netsim.render.text.explain`)."""
    t = verdict.traffic
    decision = verdict.decision
    return {
        "verdict": decision.value,
        "allowed": _decided(decision),
        "source": endpoint_json(t.source),
        "destination": endpoint_json(t.destination),
        "port": t.port,
        "protocol": t.protocol.value,
        "oneReplicaToAnother": replica_note(verdict, replica_traffic=replica_traffic) is not None,
        "unknowns": [unknown_json(u) for u in verdict.unknowns()],
        "egress": _direction(verdict.egress, verdict),
        "ingress": _direction(verdict.ingress, verdict),
    }


def workload_verdict_json(
    result: WorkloadVerdict[Verdict] | WorkloadVerdict[ServiceVerdict], *, replica_traffic: bool = True
) -> dict[str, Any]:
    """A connection from or to a workload: the pair that explains the answer, with all its
    evidence (as :func:`verdict_json` or :func:`service_verdict_json`, so its ``verdict`` is the
    workload's), and when the pods answer differently, ``"pods"``: what was asked and every pair
    asked with its verdict."""
    shown = result.shown
    if isinstance(shown, ServiceVerdict):
        out = service_verdict_json(shown, replica_traffic=replica_traffic)
    else:
        out = verdict_json(shown, replica_traffic=replica_traffic)
    if not result.alike:
        verdicts: tuple[Verdict | ServiceVerdict, ...] = result.verdicts
        out["pods"] = {
            "source": result.source,
            "destination": result.destination,
            "pairs": [_asked_json(v) for v in verdicts],
        }
    return out


def _asked_json(v: Verdict | ServiceVerdict) -> dict[str, Any]:
    if isinstance(v, ServiceVerdict):
        return {
            "source": endpoint_json(v.source),
            "service": v.service.ref,
            "port": v.port.ref,
            "verdict": v.decision.value,
        }
    t = v.traffic
    return {
        "source": endpoint_json(t.source),
        "destination": endpoint_json(t.destination),
        "port": t.port,
        "verdict": v.decision.value,
    }


def service_verdict_json(result: ServiceVerdict, *, replica_traffic: bool = True) -> dict[str, Any]:
    """A connection to a Service port: the answer, and for every backend its port and, when it
    receives the traffic, its verdicts with all their evidence."""
    service, port = result.service, result.port
    by_backend = {id(r.backend): r for r in result.results}
    backends = []
    for b in result.backends:
        found = by_backend.get(id(b))
        backends.append(
            {
                "endpoint": endpoint_json(b.endpoint),
                "port": b.port,
                "protocol": b.protocol.value,
                "how": b.how,
                "verdict": found.decision.value if found is not None else None,
                "verdicts": [verdict_json(v, replica_traffic=replica_traffic) for v in found.verdicts] if found else [],
            }
        )
    decision = result.decision
    return {
        "verdict": decision.value,
        "allowed": _decided(decision),
        "source": endpoint_json(result.source),
        "service": {
            "namespace": service.namespace,
            "name": service.name,
            "type": service.type.value,
            "clusterIPs": [str(ip) for ip in service.cluster_ips],
            "headless": service.headless,
            "externalTrafficPolicy": service.external_traffic_policy,
        },
        "servicePort": {
            "name": port.name,
            "port": port.port,
            "protocol": port.protocol.value,
            "targetPort": port.target_port,
        },
        "backendsReceiving": len(result.results),
        "backendsAllowing": result.allowed_count,
        "seenAs": None if result.seen_as is None else [endpoint_json(e) for e in result.seen_as],
        "note": result.note,
        "backends": backends,
    }
