"""Plain-text explanations of verdicts (returns strings; the CLI prints them)."""

from __future__ import annotations

from netsim.match.peers import describe_peer
from netsim.model import Direction, Endpoint, NetworkPolicy, Protocol
from netsim.verdict import DirectionVerdict, RuleOutcome, Verdict

__all__ = ["explain", "policy_label"]


def policy_label(policy: NetworkPolicy) -> str:
    """``ns/name (file:line:col)``."""
    return f"{policy.ref} ({policy.span})" if policy.span else policy.ref


def _rule_label(outcome: RuleOutcome) -> str:
    where = f" ({outcome.rule.span})" if outcome.rule.span else ""
    return f"{outcome.policy.ref} {outcome.field}{where}"


def _peers_text(outcome: RuleOutcome) -> str:
    if outcome.matched_peer is None:
        side = "sources" if outcome.direction is Direction.INGRESS else "destinations"
        return f"all {side}"
    return describe_peer(outcome.matched_peer, outcome.policy.namespace)


def _ports_text(outcome: RuleOutcome) -> str:
    if not outcome.rule.ports:
        return "all ports"
    return ", ".join(str(p) for p in outcome.rule.ports)


def _remote_word(direction: Direction) -> str:
    return "source" if direction is Direction.INGRESS else "destination"


def _direction_lines(side: DirectionVerdict, port: int, protocol: Protocol) -> list[str]:
    head = f"  {side.direction.value.lower():<7} at {side.subject}:"
    allowed = side.allows(port, protocol)
    verdict = "allowed" if allowed else "denied"
    if side.exemption is not None:
        return [f"{head} {side.exemption} -> allowed"]
    if not side.isolating:
        return [f"{head} not isolated: no policy selects {side.subject} for {side.direction.value} -> allowed"]
    names = []
    for pol in side.isolating:
        label = policy_label(pol)
        if pol.policy_types_defaulted:
            types = "+".join(sorted(t.value for t in pol.policy_types))
            label += f" [policyTypes defaulted to {types}]"
        names.append(label)
    lines = [f"{head} isolated by " + ", ".join(names) + f" -> {verdict}"]
    rule_count = {pol.ref: 0 for pol in side.isolating}
    for outcome in side.outcomes:
        rule_count[outcome.policy.ref] += 1
        where = f"{port}/{protocol}"
        if outcome.peer_matched and outcome.ports.allows(port, protocol):
            lines.append(
                f"    + {_rule_label(outcome)}: {_peers_text(outcome)}, {_ports_text(outcome)}: allows {where}"
            )
        elif not outcome.peer_matched:
            reasons = outcome.peer_misses
            if len(reasons) == 1:
                lines.append(f"    x {_rule_label(outcome)}: {_remote_word(side.direction)} not matched: {reasons[0]}")
            else:
                lines.append(
                    f"    x {_rule_label(outcome)}: {_remote_word(side.direction)} matched by none of its peers:"
                )
                key = "from" if side.direction is Direction.INGRESS else "to"
                lines.extend(f"        {key}[{i}]: {r}" for i, r in enumerate(reasons))
        else:
            allowed_text = str(outcome.ports) if outcome.ports else "nothing"
            lines.append(
                f"    x {_rule_label(outcome)}: {_remote_word(side.direction)} matched ({_peers_text(outcome)}), "
                f"but {where} is not in its ports ({_ports_text(outcome)} -> {allowed_text})"
            )
        lines.extend(f"        note: {n}" for n in outcome.port_notes)
    for pol in side.isolating:
        if rule_count[pol.ref] == 0:
            lines.append(
                f"    - {pol.ref} has no {side.direction.value.lower()} rules: it only isolates "
                f"(default deny for {side.direction.value})"
            )
    return lines


def _endpoint(ep: Endpoint) -> str:
    return str(ep)


def explain(verdict: Verdict) -> str:
    """The verdict and, for each direction, the evidence it was computed from."""
    t = verdict.traffic
    word = "ALLOWED" if verdict.allowed else "DENIED"
    lines = [f"{_endpoint(t.source)} -> {_endpoint(t.destination)} {t.port}/{t.protocol}: {word}"]
    lines += _direction_lines(verdict.egress, t.port, t.protocol)
    lines += _direction_lines(verdict.ingress, t.port, t.protocol)
    if verdict.allowed:
        lines.append("  => allowed: egress and ingress both allow it")
    else:
        where = [d for d, ok in (("egress", verdict.egress_allowed), ("ingress", verdict.ingress_allowed)) if not ok]
        lines.append(f"  => denied at {' and '.join(where)}")
    return "\n".join(lines) + "\n"
