"""Rendering a :class:`~netsim.suggest.Suggestion`: one YAML file per policy, and a summary of
what was written and of netsim's two checks (text or JSON).

The files are NetworkPolicy manifests the API server accepts, written by hand so that they read
like the ones people write: the fields in the order of the API reference, block style, a
comment at the top saying where the policy comes from, and above each rule the observed
connections it is there for (at most :data:`MAX_FLOW_LINES`, then how many more). Scalars are
quoted only when YAML would otherwise read them as something else than the string they are
(``"true"``, ``"8080"``, ``""``). netsim's own loader reads them back (the tests check it).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any

import yaml

from netsim.match.peers import describe_peer
from netsim.model import Direction, IPBlockPeer, LabelSelector, NetworkPolicy, Peer, PodPeer, PortSpec, Protocol
from netsim.suggest import Flow, Opened, SuggestedPolicy, SuggestedRule, Suggestion, Verification

__all__ = ["MAX_FLOW_LINES", "policy_yaml", "suggestion_files", "summary_json", "summary_text"]

#: Connections listed above a rule before "and N more".
MAX_FLOW_LINES = 5

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


@functools.lru_cache(maxsize=4096)
def _scalar(value: str) -> str:
    """``value`` as a YAML scalar that reads back as this string."""
    if _PLAIN.match(value) and yaml.safe_load(value) == value:
        return value
    return json.dumps(value)  # a JSON string is a YAML double-quoted scalar


def _n(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def _flow_line(flow: Flow) -> str:
    where = f", first at {flow.at}" if flow.at else ""
    return f"{flow}: {_n(flow.count, 'flow')}{where}"


def _selector(selector: LabelSelector, indent: str) -> list[str]:
    """A label selector's fields below its key (``{}`` is written on the key's line)."""
    lines: list[str] = []
    if selector.match_labels:
        lines.append(f"{indent}matchLabels:")
        lines += [f"{indent}  {_scalar(k)}: {_scalar(v)}" for k, v in selector.match_labels.items()]
    if selector.match_expressions:
        lines.append(f"{indent}matchExpressions:")
        for req in selector.match_expressions:
            lines += [f"{indent}  - key: {_scalar(req.key)}", f"{indent}    operator: {req.operator}"]
            if req.values:
                lines.append(f"{indent}    values:")
                lines += [f"{indent}      - {_scalar(v)}" for v in req.values]
    return lines


def _keyed_selector(key: str, selector: LabelSelector, indent: str) -> list[str]:
    if selector.is_empty():
        return [f"{indent}{key}: {{}}"]
    return [f"{indent}{key}:", *_selector(selector, indent + "  ")]


def _peer(peer: Peer, indent: str) -> list[str]:
    """One from/to item: ``- podSelector: ...`` or ``- ipBlock: ...``."""
    if isinstance(peer, IPBlockPeer):
        lines = [f"{indent}- ipBlock:", f"{indent}    cidr: {peer.cidr}"]
        if peer.except_:
            lines.append(f"{indent}    except:")
            lines += [f"{indent}      - {e}" for e in peer.except_]
        return lines
    assert isinstance(peer, PodPeer)
    fields: list[str] = []
    if peer.namespace_selector is not None:
        fields += _keyed_selector("namespaceSelector", peer.namespace_selector, indent + "  ")
    if peer.pod_selector is not None:
        fields += _keyed_selector("podSelector", peer.pod_selector, indent + "  ")
    return [f"{indent}- {fields[0].lstrip()}", *fields[1:]]


def _port(spec: PortSpec, indent: str) -> list[str]:
    port = _scalar(spec.port) if isinstance(spec.port, str) else str(spec.port)
    lines = [f"{indent}- port: {port}"]
    if spec.protocol is not Protocol.TCP:  # TCP is the API server's default
        lines.append(f"{indent}  protocol: {spec.protocol.value}")
    return lines


def _rule(sr: SuggestedRule, direction: Direction, indent: str) -> list[str]:
    lines: list[str] = []
    if sr.dns:
        lines.append(f"{indent}# DNS: the cluster DNS pods, on UDP and TCP 53")
    shown = sr.flows[:MAX_FLOW_LINES]
    lines += [f"{indent}# {_flow_line(f)}" for f in shown]
    if len(sr.flows) > len(shown):
        lines.append(f"{indent}# and {len(sr.flows) - len(shown):,} more")
    if sr.also:
        lines.append(
            f"{indent}# note: no set of labels selects these peers alone; they also select {', '.join(sr.also)}"
        )
    key = "from" if direction is Direction.INGRESS else "to"
    peers = [line for peer in sr.rule.peers for line in _peer(peer, indent + "    ")]
    lines.append(f"{indent}- {key}:")
    lines += peers
    if sr.rule.ports:
        lines.append(f"{indent}  ports:")
        lines += [line for spec in sr.rule.ports for line in _port(spec, indent + "    ")]
    return lines


def _header(sp: SuggestedPolicy, flows: Sequence[str]) -> list[str]:
    source = f"from {', '.join(flows)}" if flows else "from observed traffic"
    lines = [f"# Generated by `netsim suggest` {source}."]
    if sp.is_default_deny:
        lines += [
            f"# The default deny of namespace {sp.policy.namespace}: every pod, both directions; the other",
            "# files of the suggestion allow what was observed. Review before applying.",
        ]
    else:
        verb = "receive" if sp.direction is Direction.INGRESS else "open"
        lines += [
            f"# Allows what {sp.workload} was observed to {verb} and the manifests deny.",
            "# Review before applying.",
        ]
    return lines


def policy_yaml(sp: SuggestedPolicy, flows: Sequence[str] = ()) -> str:
    """One suggested policy as a commented manifest (``flows``: the flow files it comes from)."""
    policy: NetworkPolicy = sp.policy
    lines = _header(sp, flows)
    lines += [
        "apiVersion: networking.k8s.io/v1",
        "kind: NetworkPolicy",
        "metadata:",
        f"  name: {_scalar(policy.name)}",
        f"  namespace: {_scalar(policy.namespace)}",
        "spec:",
    ]
    if sp.also:
        lines.append(
            f"  # note: no set of its labels selects {sp.workload} alone; this also selects {', '.join(sp.also)}"
        )
    lines += _keyed_selector("podSelector", policy.pod_selector, "  ")
    lines.append("  policyTypes:")
    lines += [f"    - {d.value}" for d in (Direction.INGRESS, Direction.EGRESS) if d in policy.policy_types]
    for direction in (Direction.INGRESS, Direction.EGRESS):
        rules = [r for r in sp.rules if sp.direction is direction]
        if rules:
            lines.append(f"  {direction.value.lower()}:")
            for sr in rules:
                lines += _rule(sr, direction, "    ")
    return "\n".join(lines) + "\n"


def suggestion_files(suggestion: Suggestion, flows: Sequence[str] = ()) -> dict[str, str]:
    """Every file of the suggestion: name -> text, in the suggestion's order."""
    return {sp.file: policy_yaml(sp, flows) for sp in suggestion.policies}


# -- the summary -------------------------------------------------------------------------------------


def _opened_line(o: Opened) -> str:
    return f"{o}: {o.reason}" if o.reason else f"{o}: NOT OBSERVED"


def _path(directory: str, sp: SuggestedPolicy) -> str:
    return f"{directory.rstrip('/')}/{sp.file}" if directory else sp.file


def summary_text(suggestion: Suggestion, verification: Verification, directory: str) -> str:
    """What was written in ``directory`` and the two checks."""
    policies = suggestion.policies
    denies = sum(1 for p in policies if p.is_default_deny)
    kinds = _n(len(policies) - denies, "policy", "policies")
    if denies:
        kinds += f", {_n(denies, 'default deny', 'default denies')}"
    if policies:
        head = (
            f"{_n(len(policies), 'file')} ({kinds}), {_n(suggestion.rules, 'rule')} for "
            f"{suggestion.covered:,} of {_n(suggestion.connections, 'observed connection')}"
        )
    else:
        head = f"nothing to write: no rule is needed for the {_n(suggestion.connections, 'observed connection')}"
    lines = [f"netsim suggest: {head}"]
    for sp in policies:
        path = _path(directory, sp)
        if sp.is_default_deny:
            lines.append(f"  wrote {path}: default deny, namespace {sp.policy.namespace}")
        else:
            direction = sp.direction.value.lower() if sp.direction else ""
            lines.append(f"  wrote {path}: {sp.workload} {direction}, {_n(len(sp.rules), 'rule')}")
    v = verification
    allowed = sum(1 for r in v.replayed if r.decision.value == "allowed")
    lines.append(
        f"check: observed connections allowed with the suggestion: {allowed:,} of {len(v.replayed):,}"
        + ("" if v.allows_observed else f"; {len(v.denied):,} still denied: FAILED")
    )
    lines += [f"  still denied: {r.observed}" for r in v.denied]
    lines += [f"  not suggested: {r.observed}: {why}" for r, why in v.not_allowable]
    lines += [f"  undetermined {r.observed}: {why}" for r, why in v.undetermined]
    widened = [o for o in v.opened if o.reason]
    if v.opens_nothing_else:
        more = (
            f", but for {_n(len(widened), 'pair')} a selector reaches (it cannot tell workloads apart, or the "
            "input leaves open what it selects):"
            if widened
            else ""
        )
        lines.append(f"check: nothing unobserved is opened between workloads{more}")
    else:
        lines.append(f"check: {_n(len(v.unexpected), 'unobserved pair')} opened: FAILED")
    lines += [f"  {_opened_line(o)}" for o in v.opened]
    return "\n".join(lines) + "\n"


def _flow_json(flow: Flow) -> dict[str, Any]:
    return {
        "source": flow.source,
        "destination": flow.destination,
        "port": flow.port,
        "protocol": flow.protocol.value,
        "flows": flow.count,
        "at": flow.at or None,
    }


def _policy_json(sp: SuggestedPolicy, path: str) -> dict[str, Any]:
    policy = sp.policy
    return {
        "file": path,
        "name": policy.name,
        "namespace": policy.namespace,
        "workload": sp.workload,
        "direction": sp.direction.value if sp.direction else None,
        "defaultDeny": sp.is_default_deny,
        "podSelector": str(policy.pod_selector),
        "alsoSelects": list(sp.also),
        "rules": [
            {
                "peers": [describe_peer(p, policy.namespace) for p in sr.rule.peers],
                "ports": [f"{s.port}/{s.protocol.value}" for s in sr.rule.ports],
                "dns": sr.dns,
                "alsoSelects": list(sr.also),
                "flows": [_flow_json(f) for f in sr.flows],
            }
            for sr in sp.rules
        ],
    }


def summary_json(suggestion: Suggestion, verification: Verification, directory: str) -> str:
    """The summary as JSON: files and policies, the rules with the flows they cover, the checks."""
    v = verification
    data = {
        "files": [_path(directory, sp) for sp in suggestion.policies],
        "connections": suggestion.connections,
        "covered": suggestion.covered,
        "rules": suggestion.rules,
        "defaultDeny": list(suggestion.default_deny),
        "policies": [_policy_json(sp, _path(directory, sp)) for sp in suggestion.policies],
        "checks": {
            "observedAllowed": {
                "ok": v.allows_observed,
                "allowed": sum(1 for r in v.replayed if r.decision.value == "allowed"),
                "of": len(v.replayed),
                "denied": [str(r.observed) for r in v.denied],
                "notAllowable": [{"connection": str(r.observed), "reason": why} for r, why in v.not_allowable],
                "undetermined": [{"connection": str(r.observed), "reason": why} for r, why in v.undetermined],
            },
            "nothingElseOpened": {
                "ok": v.opens_nothing_else,
                "opened": [
                    {
                        "source": o.source,
                        "destination": o.destination,
                        "connections": str(o.conns),
                        "certain": o.certain,
                        "reason": o.reason,
                    }
                    for o in v.opened
                ],
            },
        },
    }
    return json.dumps(data, indent=2) + "\n"
