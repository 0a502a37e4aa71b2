"""Port matching: numeric ports, endPort ranges, protocol-only entries and named ports.

The port is always the destination port. A named port resolves against the *destination pod's*
declared container ports by name **and** protocol (docs/semantics.md, "Ports and named ports"); it
never matches a destination that is not a pod.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from netsim.connset import ConnSet
from netsim.model import Endpoint, External, PortSpec

__all__ = ["PortResolution", "named_port_specs", "resolve_named_ports", "rule_ports", "static_ports"]


@dataclass(frozen=True, slots=True)
class PortResolution:
    """What a rule's ``ports`` allow towards one destination, with named-port notes."""

    conns: ConnSet
    notes: tuple[str, ...] = ()


def static_ports(specs: Iterable[PortSpec]) -> ConnSet:
    """The connections of the numeric and protocol-only entries (named ones are skipped)."""
    out = ConnSet.none()
    for spec in specs:
        if spec.port is None:
            out |= ConnSet.of(spec.protocol)
        elif isinstance(spec.port, int):
            out |= ConnSet.of(spec.protocol, spec.port, spec.end_port)
    return out


def named_port_specs(specs: Iterable[PortSpec]) -> tuple[PortSpec, ...]:
    """The entries that name a port."""
    return tuple(s for s in specs if isinstance(s.port, str))


def resolve_named_ports(named: Iterable[PortSpec], dst: Endpoint, *, explain: bool = False) -> PortResolution:
    """Resolve named-port entries against the destination's declared container ports."""
    out = ConnSet.none()
    notes: list[str] = []
    for spec in named:
        if isinstance(dst, External):
            if explain:
                notes.append(f"named port '{spec.port}' cannot match {dst.ip}: it is not a pod")
            continue
        hits = [cp for cp in dst.ports if cp.name == spec.port]
        found = False
        for cp in hits:
            if cp.protocol is spec.protocol:
                out |= ConnSet.of(cp.protocol, cp.port)
                found = True
                if explain:
                    notes.append(f"named port '{spec.port}' is {cp.protocol} {cp.port} on {dst.ref}")
        if explain and not found:
            if hits:
                protos = "/".join(sorted({f"{cp.protocol} {cp.port}" for cp in hits}))
                notes.append(
                    f"named port '{spec.port}' is {protos} on {dst.ref}, but the rule asks for {spec.protocol}"
                )
            else:
                notes.append(f"named port '{spec.port}' is not declared by any container of {dst.ref}")
    return PortResolution(out, tuple(notes))


def rule_ports(specs: tuple[PortSpec, ...], dst: Endpoint, *, explain: bool = False) -> PortResolution:
    """Everything a rule's ``ports`` allow towards ``dst``; ``()`` means every port."""
    if not specs:
        return PortResolution(ConnSet.all())
    named = resolve_named_ports(named_port_specs(specs), dst, explain=explain)
    return PortResolution(static_ports(specs) | named.conns, named.notes)
