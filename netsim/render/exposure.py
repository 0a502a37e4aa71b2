"""Exposure analysis as text (netpol-analyzer's ``--exposure`` grammar) and as JSON data."""

from __future__ import annotations

from typing import Any

from netsim.exposure import Exposed, Exposure, ExposureLine, Remote, WorkloadExposure
from netsim.model import NAMESPACE_NAME_LABEL, Direction, LabelSelector, Requirement

__all__ = ["exposure_json", "exposure_text", "remote_label"]

_ARROWS = {Direction.EGRESS: ("=>", "=?>"), Direction.INGRESS: ("<=", "<?=")}


def _requirement(req: Requirement) -> str:
    """A matchExpressions entry as the peer prints it (Go's generated ``String()``): values in
    written order, space-separated."""
    return f"{{Key:{req.key},Operator:{req.operator},Values:[{' '.join(req.values)}],}}"


def _selector(selector: LabelSelector) -> str:
    """``k=v,...`` (sorted by key), then the sorted matchExpressions entries."""
    parts = []
    if selector.match_labels:
        parts.append(",".join(f"{k}={v}" for k, v in sorted(selector.match_labels.items())))
    if selector.match_expressions:
        parts.append(",".join(sorted(_requirement(r) for r in selector.match_expressions)))
    return ",".join(parts)


def remote_label(remote: Remote) -> str:
    """``entire-cluster``, a range's label, or ``<namespace part>/<pod part>``."""
    if remote.kind == "entire-cluster":
        return "entire-cluster"
    if remote.kind == "external":
        return remote.label
    ns = remote.namespace_selector
    if ns.is_empty():
        ns_part = "[all namespaces]"
    elif not ns.match_expressions and list(ns.match_labels) == [NAMESPACE_NAME_LABEL]:
        ns_part = ns.match_labels[NAMESPACE_NAME_LABEL]
    else:
        ns_part = f"[namespace with {{{_selector(ns)}}}]"
    pods = remote.pod_selector
    pod_part = "[all pods]" if pods.is_empty() else f"[pod with {{{_selector(pods)}}}]"
    return f"{ns_part}/{pod_part}"


def _shown(w: WorkloadExposure) -> bool:
    return any(side.lines or not side.protected for side in (w.egress, w.ingress))


def exposure_text(exposure: Exposure) -> str:
    """The ``Exposure Analysis Result:`` section: egress and ingress lines (each workload padded to
    the longest name shown, then a blank and a tab, as the peer pads), the workloads not protected,
    and which sides cluster-scoped or unevaluated policies leave undetermined."""
    shown = [w for w in exposure.workloads if _shown(w)]
    width = max((len(w.label) for w in shown), default=0)
    sections: dict[Direction, list[tuple[bytes, bytes, str]]] = {Direction.EGRESS: [], Direction.INGRESS: []}
    unprotected: list[str] = []
    undetermined: list[str] = []
    for w in shown:
        for direction in (Direction.EGRESS, Direction.INGRESS):
            side = w.side(direction)
            sure, maybe = _ARROWS[direction]
            for line in side.lines:
                remote = remote_label(line.remote)
                for arrow, conns in ((sure, line.conns), (maybe, line.undetermined)):
                    if conns:
                        text = f"{w.label:<{width}} \t{arrow} \t{remote} : {conns}"
                        sections[direction].append((w.label.encode(), remote.encode() + arrow.encode(), text))
            if not side.protected:
                unprotected.append(f"{w.label} is not protected on {direction.value}")
            if side.depends_on:
                undetermined.append(f"{w.label} on {direction.value} depends on {', '.join(side.depends_on)}")
    out = "Exposure Analysis Result:\n"
    egress = [t for *_, t in sorted(sections[Direction.EGRESS])]
    ingress = [t for *_, t in sorted(sections[Direction.INGRESS])]
    if egress:
        out += "Egress Exposure:\n" + "\n".join(egress) + "\n"
    if ingress:
        out += ("\n" if egress else "") + "Ingress Exposure:\n" + "\n".join(ingress) + "\n"
    if unprotected:
        out += "\nWorkloads not protected by network policies:\n" + "\n".join(sorted(unprotected)) + "\n"
    if undetermined:
        out += "\nUndetermined exposure (=?> and <?= lines):\n" + "\n".join(sorted(undetermined)) + "\n"
    return out


def _exposed_json(exposed: Exposed) -> dict[str, Any]:
    named: dict[str, list[str]] = {}
    for proto, name in sorted(exposed.named):
        named.setdefault(proto.value, []).append(name)
    return {
        "conns": exposed.conns.to_json(),
        "namedPorts": named,
        "allConnections": exposed.conns.is_all(),
        "text": str(exposed),
    }


def _selector_json(selector: LabelSelector) -> dict[str, Any]:
    return {
        "matchLabels": dict(sorted(selector.match_labels.items())),
        "matchExpressions": [
            {"key": r.key, "operator": r.operator, "values": list(r.values)} for r in selector.match_expressions
        ],
    }


def _remote_json(remote: Remote) -> dict[str, Any]:
    if remote.kind == "entire-cluster":
        return {"kind": "EntireCluster", "text": "entire-cluster"}
    if remote.kind == "external":
        assert remote.range is not None
        return {"kind": "External", "first": str(remote.range.first), "last": str(remote.range.last)}
    return {
        "kind": "Pods",
        "namespaceSelector": _selector_json(remote.namespace_selector),
        "podSelector": _selector_json(remote.pod_selector),
        "text": remote_label(remote),
    }


def _line_json(line: ExposureLine) -> dict[str, Any]:
    out: dict[str, Any] = {"remote": _remote_json(line.remote), **_exposed_json(line.conns)}
    if line.undetermined:
        out["undetermined"] = _exposed_json(line.undetermined)
    return out


def exposure_json(exposure: Exposure) -> dict[str, Any]:
    """``{"workloads": [{"workload": {...}, "egress": {...}, "ingress": {...}}]}``: per side
    ``protected``, ``dependsOn`` (the policies that leave it undetermined) and ``exposure``, the
    lines, each with ``remote``, ``conns``, ``namedPorts``, ``text`` and, when some of it depends
    on what the input does not give, ``undetermined``."""
    return {
        "workloads": [
            {
                "workload": {"kind": w.kind, "namespace": w.namespace, "name": w.name},
                "label": w.label,
                **{
                    d.value.lower(): {
                        "protected": w.side(d).protected,
                        "dependsOn": list(w.side(d).depends_on),
                        "exposure": [_line_json(line) for line in w.side(d).lines],
                    }
                    for d in (Direction.EGRESS, Direction.INGRESS)
                },
            }
            for w in exposure.workloads
        ]
    }
