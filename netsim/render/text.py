"""Plain-text explanations of verdicts (returns strings; the CLI prints them).

A verdict is allowed, denied or undetermined. Per side, ``+`` marks a rule that allows the
connection, ``x`` one that does not, ``?`` one that might (with the condition it depends on) and
a policy of a kind netsim does not evaluate that may decide the side, ``-`` a policy that only
isolates. An undetermined verdict ends with what it depends on.
"""

from __future__ import annotations

from netsim.match.peers import describe_peer
from netsim.model import Action, Direction, Endpoint, NetworkPolicy, Pod, Protocol, Unknown, UnknownKind
from netsim.verdict import (
    ClusterRuleOutcome,
    Decision,
    DirectionVerdict,
    RuleOutcome,
    ServiceVerdict,
    Verdict,
    WorkloadVerdict,
    policy_unknown,
)

__all__ = ["explain", "explain_service", "explain_workload", "policy_label", "replica_note"]


def policy_label(policy: NetworkPolicy) -> str:
    """``ns/name (file:line:col)``."""
    return f"{policy.ref} ({policy.span})" if policy.span else policy.ref


def replica_note(verdict: Verdict, *, replica_traffic: bool = True) -> str | None:
    """``one replica to another`` when source and destination are one workload of several distinct
    pods (``Options.replica_traffic``), so the answer is not "a pod can always reach itself"."""
    src, dst = verdict.traffic.source, verdict.traffic.destination
    if replica_traffic and isinstance(src, Pod) and isinstance(dst, Pod) and src.ref == dst.ref and src.is_replicated:
        return "one replica to another"
    return None


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


def _isolated_head(side: DirectionVerdict) -> str:
    names = []
    for pol in side.isolating:
        label = policy_label(pol)
        if pol.policy_types_defaulted:
            types = "+".join(sorted(t.value for t in pol.policy_types))
            label += f" [policyTypes defaulted to {types}]"
        names.append(label)
    return "isolated by " + ", ".join(names)


def _rule_lines(side: DirectionVerdict, outcome: RuleOutcome, port: int, protocol: Protocol) -> list[str]:
    where = f"{port}/{protocol}"
    remote = _remote_word(side.direction)
    label = _rule_label(outcome)
    if outcome.peer_matched and outcome.ports.allows(port, protocol):
        return [f"    + {label}: {_peers_text(outcome)}, {_ports_text(outcome)}: allows {where}"]
    allowed_text = str(outcome.ports) if outcome.ports else "nothing"
    if outcome.undecided:
        conditions = [u.condition for u in outcome.peer_unknowns]
        if not outcome.ports.allows(port, protocol):
            return [
                f"    x {label}: {remote} matched if {' or if '.join(conditions)}, "
                f"but {where} is not in its ports ({_ports_text(outcome)} -> {allowed_text})"
            ]
        if len(conditions) == 1:
            return [f"    ? {label}: allows {where} if {conditions[0]}"]
        return [f"    ? {label}: allows {where} if any of:", *(f"        - {c}" for c in conditions)]
    if not outcome.peer_matched:
        reasons = outcome.peer_misses
        if len(reasons) == 1:
            return [f"    x {label}: {remote} not matched: {reasons[0]}"]
        key = "from" if side.direction is Direction.INGRESS else "to"
        return [
            f"    x {label}: {remote} matched by none of its peers:",
            *(f"        {key}[{i}]: {r}" for i, r in enumerate(reasons)),
        ]
    return [
        f"    x {label}: {remote} matched ({_peers_text(outcome)}), "
        f"but {where} is not in its ports ({_ports_text(outcome)} -> {allowed_text})"
    ]


def _foreign_noun(side: DirectionVerdict) -> str:
    return "a policy" if len(side.unevaluated) == 1 else "policies"


_ACTION_WORDS = {Action.ACCEPT: "accepts", Action.DENY: "denies", Action.PASS: "passes on"}


def _cluster_rule_label(outcome: ClusterRuleOutcome) -> str:
    pol = outcome.policy
    where = f" ({pol.span})" if pol.span is not None else ""
    name = f" '{outcome.rule.name}'" if outcome.rule.name else ""
    return f"{pol.ref} (priority {pol.priority}){where} {outcome.field}{name}"


def _tier_lines(
    tier: str, outcomes: tuple[ClusterRuleOutcome, ...], port: int, protocol: Protocol
) -> tuple[list[str], Action | None]:
    """A tier's rules for one port, in evaluation order up to the one that decides (first match):
    the lines, and the deciding rule's action (None when no rule decides for certain)."""
    lines: list[str] = []
    for o in outcomes:
        if not o.ports.allows(port, protocol):
            continue
        label = _cluster_rule_label(o)
        if o.peer_state is False:
            lines.append(f"      x {label}: {o.rule.action} rule, peer not matched")
            continue
        words = _ACTION_WORDS[o.rule.action]
        if o.peer_state is None:
            conditions = "; ".join(u.condition for u in o.unknowns) or "what the input does not give"
            lines.append(f"      ? {label}: {words} {port}/{protocol} if {conditions}")
            continue
        mark = "+" if o.rule.action is Action.ACCEPT else "x" if o.rule.action is Action.DENY else "-"
        lines.append(f"      {mark} {label}: {words} {port}/{protocol}")
        return [f"    {tier} tier:", *lines], o.rule.action
    if not outcomes:
        return [], None
    return [f"    {tier} tier:", *lines, f"      no {tier} rule decides {port}/{protocol}"], None


def _tiered_lines(side: DirectionVerdict, head: str, port: int, protocol: Protocol) -> list[str]:
    """The chain for one side: Admin tier, NetworkPolicy, Baseline tier, default allow."""
    verdict = side.decision(port, protocol).value
    lines = [f"{head} cluster-scoped policies, then NetworkPolicy -> {verdict}"]
    admin, decided = _tier_lines("Admin", side.admin, port, protocol)
    lines += admin
    if decided in (Action.ACCEPT, Action.DENY):
        return lines
    if side.isolating:
        lines.append(f"    NetworkPolicy: {_isolated_head(side)}")
        for outcome in side.outcomes:
            lines += ["  " + line for line in _rule_lines(side, outcome, port, protocol)]
        if not side.outcomes:
            lines.append(f"      - no {side.direction.value.lower()} rule: default deny for {side.direction.value}")
        return lines
    if side.selected_elsewhere:
        lines.append(
            f"    NetworkPolicy: a policy selects {side.subject} for the other direction only, which ends the "
            f"tiers for {side.direction.value} too (--networkpolicy-tier pod): allowed"
        )
        return lines
    lines.append(f"    NetworkPolicy: no policy selects {side.subject} for {side.direction.value}")
    baseline, decided = _tier_lines("Baseline", side.baseline, port, protocol)
    lines += baseline
    if decided is None or decided is Action.PASS:
        lines.append("    otherwise allowed (the default)")
    return lines


def _direction_lines(side: DirectionVerdict, port: int, protocol: Protocol) -> list[str]:
    head = f"  {side.direction.value.lower():<7} at {side.subject}:"
    if side.exemption is not None:
        return [f"{head} {side.exemption} -> allowed"]
    if (side.admin or side.baseline) and not side.unevaluated:
        return _tiered_lines(side, head, port, protocol)
    verdict = side.decision(port, protocol).value
    foreign = [f"    ? {policy_unknown(p, side.subject, side.direction)}" for p in side.unevaluated]
    if not side.isolating:
        if foreign:
            return [
                f"{head} no NetworkPolicy selects {side.subject} for {side.direction.value}, but "
                f"{_foreign_noun(side)} netsim does not evaluate may decide it -> {verdict}",
                *foreign,
            ]
        return [f"{head} not isolated: no policy selects {side.subject} for {side.direction.value} -> allowed"]
    lines = [f"{head} {_isolated_head(side)} -> {verdict}", *foreign]
    rule_count = {pol.ref: 0 for pol in side.isolating}
    for outcome in side.outcomes:
        rule_count[outcome.policy.ref] += 1
        lines += _rule_lines(side, outcome, port, protocol)
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


def _dependency(unknown: Unknown, side: str, tiered: bool) -> str:
    """One thing an undetermined verdict depends on, in words (``side``: ``""`` or ``"egress "``).

    Under NetworkPolicy alone a rule that may match can only allow ("allowed if ..."); with
    cluster-scoped tiers it may deny or pass as well, so the wording names the fact only."""
    if unknown.kind in (UnknownKind.POLICY, UnknownKind.PRIORITY_TIE):
        return unknown.condition  # names the policies, the pod and the direction
    if tiered:
        return f"{side}whether {unknown.condition}"
    return f"{side}allowed if {unknown.condition}"


def _conclusion(verdict: Verdict) -> list[str]:
    port, proto = verdict.traffic.port, verdict.traffic.protocol
    decision = verdict.decision
    if decision is Decision.ALLOWED:
        return ["  => allowed: egress and ingress both allow it"]
    sides = (("egress", verdict.egress), ("ingress", verdict.ingress))
    if decision is Decision.DENIED:
        where = [name for name, side in sides if side.decision(port, proto) is Decision.DENIED]
        return [f"  => denied at {' and '.join(where)}"]
    open_sides = [(name, side) for name, side in sides if side.decision(port, proto) is Decision.UNDETERMINED]
    both = len(open_sides) > 1
    items = list(
        dict.fromkeys(
            _dependency(u, f"{name} " if both else "", bool(side.admin or side.baseline))
            for name, side in open_sides
            for u in side.unknowns(port, proto)
        )
    )
    if len(items) == 1:
        return [f"  => undetermined: {items[0]}"]
    head = (
        "  => undetermined, depends on (egress and ingress must both allow it):"
        if both
        else "  => undetermined, depends on:"
    )
    return [head, *(f"     - {item}" for item in items)]


def explain(verdict: Verdict, *, replica_traffic: bool = True) -> str:
    """The verdict and, for each direction, the evidence it was computed from.

    ``replica_traffic``: whether a replicated workload's replicas were evaluated as distinct pods
    (``Options.replica_traffic``); the header then notes "one replica to another".
    """
    t = verdict.traffic
    word = verdict.decision.value.upper()
    note = replica_note(verdict, replica_traffic=replica_traffic)
    lines = [f"{_endpoint(t.source)} -> {_endpoint(t.destination)} {t.port}/{t.protocol}: {word}"]
    if note is not None:
        lines[0] += f" ({note})"
    lines += _direction_lines(verdict.egress, t.port, t.protocol)
    lines += _direction_lines(verdict.ingress, t.port, t.protocol)
    lines += _conclusion(verdict)
    return "\n".join(lines) + "\n"


def _asked_pair(v: Verdict | ServiceVerdict) -> str:
    if isinstance(v, ServiceVerdict):
        counts = f"{v.allowed_count} of {len(v.receiving)} backends allow it"
        return f"{_endpoint(v.source)} -> {v.service.ref} port {v.port.ref} ({counts})"
    return f"{_endpoint(v.traffic.source)} -> {_endpoint(v.traffic.destination)}"


def explain_workload(
    result: WorkloadVerdict[Verdict] | WorkloadVerdict[ServiceVerdict], *, replica_traffic: bool = True
) -> str:
    """A connection from or to a workload: the evidence of the pair that explains the answer, and
    when the pods answer differently, every pair asked with its answer and what that means."""
    shown = result.shown
    if isinstance(shown, ServiceVerdict):
        text = explain_service(shown, replica_traffic=replica_traffic)
    else:
        text = explain(shown, replica_traffic=replica_traffic)
    if result.alike:
        return text
    asked = " -> ".join((result.source, result.destination))
    verdicts: tuple[Verdict | ServiceVerdict, ...] = result.verdicts
    lines = [
        f"pods treated differently: {asked} stands for pods that policies do not all treat alike; each kind asked:"
    ]
    width = max(len(v.decision.value) for v in verdicts)
    for v in verdicts:
        lines.append(f"  {v.decision.value.upper():<{width}}  {_asked_pair(v)}")
    allowed = [v for v in verdicts if v.decision is Decision.ALLOWED]
    line = f"=> {result.decision.value} for {asked}: {len(allowed)} of {len(verdicts)} pairs asked allowed"
    if allowed:
        first = allowed[0]
        pair = _asked_pair(first).split(" (", 1)[0] if isinstance(first, ServiceVerdict) else _asked_pair(first)
        line += f" (ask about one pod by its name: {pair} is allowed)"
    lines.append(line)
    return text + "\n".join(lines) + "\n"


def explain_service(result: ServiceVerdict, *, replica_traffic: bool = True) -> str:
    """A connection to a Service port: the answer, then each backend's port and verdict with its
    evidence (indented), then what decided it."""
    service, port = result.service, result.port
    word = result.decision.value.upper()
    receiving = result.receiving
    head = f"{_endpoint(result.source)} -> {service.ref} port {port.ref}"
    if port.name:
        head += f" ({port.port}/{port.protocol.value})"
    counts = f"{result.allowed_count} of {len(receiving)} backends allow it"
    lines = [f"{head}: {word}" + (f" ({counts})" if len(receiving) > 1 or not receiving else "")]
    address = ", ".join(str(ip) for ip in service.cluster_ips) or ("headless" if service.headless else "no ClusterIP")
    lines.append(
        f"  {service.ref} ({service.type.value}, {address}): the connection reaches one backend pod on its "
        "targetPort, and policies see that pod, never the Service"
    )
    if result.note is not None:
        lines.append(f"  {result.note}")
    for backend in result.backends:
        if backend.port is None:
            lines.append(f"  - backend {backend.endpoint.ref} {backend.how}: the Service sends it nothing on this port")
    for n, item in enumerate(result.results, 1):
        b = item.backend
        lines.append(
            f"  backend {n} of {len(result.results)}: {b.endpoint.ref} on {b.port}/{b.protocol.value} ({b.how}): "
            f"{item.decision.value.upper()}"
        )
        for verdict in item.verdicts:
            lines += ["    " + line for line in explain(verdict, replica_traffic=replica_traffic).splitlines()]
    if not receiving:
        lines.append(f"  => denied: no backend receives traffic on port {port.ref} of {service.ref}")
    elif result.decision is Decision.ALLOWED:
        lines.append("  => allowed: every backend allows it")
    elif result.decision is Decision.DENIED:
        refusing = [r.backend.endpoint.ref for r in result.results if r.decision is Decision.DENIED]
        lines.append(
            f"  => denied: {', '.join(refusing)} {'refuses' if len(refusing) == 1 else 'refuse'} it, so a connection "
            "through the Service fails whenever it lands there"
        )
    else:
        lines.append("  => undetermined: see the backends above")
    return "\n".join(lines) + "\n"
