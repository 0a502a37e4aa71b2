"""Checking cases against a cluster: every pair a case names, through the engine."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from ipaddress import ip_address

from netsim.connset import ConnSet
from netsim.endpoints import PortRef, members, resolve_endpoint, resolve_port
from netsim.engine import PolicyIndex, evaluate, evaluate_pair
from netsim.errors import InputError, InputErrors, NetsimError
from netsim.expectations.cases import (
    Case,
    CaseResult,
    EndpointSet,
    Expectation,
    ExpectationResult,
    IsolationOffence,
    Offence,
    PairOffence,
)
from netsim.externals import ExternalRange, external_ranges
from netsim.model import (
    Cluster,
    Direction,
    Endpoint,
    External,
    IPAddress,
    IPNetwork,
    Labels,
    Pod,
    Protocol,
    Service,
    Traffic,
    Unknown,
)
from netsim.services import resolve_service, service_backends, service_port
from netsim.verdict import Decision, PairVerdict, Verdict, policy_unknown
from netsim.workloads import evaluate_named

__all__ = ["check_expectations", "run_cases"]

_ORDER = (Protocol.TCP, Protocol.UDP, Protocol.SCTP)


# -- checking -------------------------------------------------------------------------------------------


def check_expectations(
    index: PolicyIndex, cases: tuple[Expectation, ...], namespace: str = "default"
) -> tuple[ExpectationResult, ...]:
    """Evaluate every case; an endpoint that does not exist is an InputError at the case's line."""
    results = []
    errors = []
    for case in cases:
        try:
            src = resolve_endpoint(index.cluster, case.source, namespace)
            dst = resolve_endpoint(index.cluster, case.destination, namespace)
            # a workload stands for its pods (the verdict shown answers as the workload does)
            asked = evaluate_named(
                index, case.source, case.destination, src, dst, PortRef(case.port, case.protocol), None, namespace
            )
        except NetsimError as exc:
            errors.append(InputError(str(exc), span=case.span, field=case.name))
            continue
        results.append(ExpectationResult(case, asked.shown))
    if errors:
        raise InputErrors(errors)
    return tuple(results)


@dataclass(frozen=True, slots=True)
class _Target:
    endpoint: Endpoint
    label: str
    service: Service | None = None  # a backend of this Service: the case's port is the Service's


def _service_targets(cluster: Cluster, service: Service, as_source: bool) -> list[_Target]:
    """The backends of a Service named as a destination (on any of its ports)."""
    if as_source:
        raise NetsimError(f"{service.ref} is not a source: connections come from pods or addresses")
    found: dict[str, _Target] = {}
    for sp in service.ports:
        for b in service_backends(cluster, service, sp):
            if b.port is not None:
                found.setdefault(
                    b.endpoint.ref, _Target(b.endpoint, f"{b.endpoint.ref} (backend of {service.ref})", service)
                )
    if not found:
        raise NetsimError(
            f"{service.ref} has no backend: no pod of {service.namespace} matches its selector, "
            "and no EndpointSlice lists one"
        )
    return [found[k] for k in sorted(found)]


def _backend_port(
    cluster: Cluster, target: _Target, port: int | str | None, protocol: Protocol | None
) -> tuple[int | None, Protocol | None, ConnSet]:
    """For a Service's backend: the case's Service port as the backend's (port, protocol, asked);
    with no port, every port the Service sends it. NetsimError when it receives nothing there."""
    service = target.service
    assert service is not None
    ports = [service_port(service, str(port), protocol)] if port is not None else list(service.ports)
    asked = ConnSet.none()
    number: int | None = None
    proto: Protocol | None = None
    for sp in ports:
        for b in service_backends(cluster, service, sp):
            if b.endpoint.ref == target.endpoint.ref and b.port is not None:
                number, proto = b.port, b.protocol
                asked = asked | ConnSet.of(b.protocol, b.port)
    if not asked:
        raise NetsimError(f"{target.endpoint.ref} receives nothing on port {port} of {service.ref}")
    return (number, proto, asked) if port is not None else (None, protocol, asked)


def _avoid(index: PolicyIndex) -> frozenset[IPAddress]:
    """Pod and node addresses: a range is evaluated at an address that is neither."""
    return frozenset(ip for p in index.cluster.pods for ip in (*p.ips, *((p.host_ip,) if p.host_ip else ())))


def _range_target(rng: ExternalRange, avoid: frozenset[IPAddress]) -> _Target:
    return _Target(External(rng.representative(avoid)), f"{rng.first}-{rng.last}")


def _side_ranges(index: PolicyIndex, as_source: bool) -> tuple[ExternalRange, ...]:
    return external_ranges(index.cluster, Direction.INGRESS if as_source else Direction.EGRESS, options=index.options)


def _net_range(net: IPNetwork) -> tuple[int, int]:
    return int(net.network_address), int(net.broadcast_address)


def _resolve(index: PolicyIndex, es: EndpointSet, as_source: bool, namespace: str) -> list[_Target]:
    """The endpoints a set names; raise NetsimError when it names nothing."""
    cluster = index.cluster
    if es.kind in ("address", "endpoint"):
        service = resolve_service(cluster, es.text, namespace)
        if service is not None:
            return _service_targets(cluster, service, as_source)
    if es.kind == "address":
        ep = resolve_endpoint(cluster, es.text, namespace)
        return [_Target(ep, ep.ref if isinstance(ep, Pod) else str(ep))]
    if es.kind == "endpoint":
        ep = resolve_endpoint(cluster, es.text, namespace)
        if isinstance(ep, External):
            return [_Target(ep, str(ep))]
        ref = es.text if "/" in es.text else f"{namespace}/{es.text}"
        pods = (ep,) if ep.ref == ref else members(cluster, ep)
        return [_Target(p, p.ref) for p in pods]
    if es.kind == "network":
        assert es.network is not None
        lo, hi = _net_range(es.network)
        avoid = _avoid(index)
        out = []
        for rng in _side_ranges(index, as_source):
            if rng.version == es.network.version and rng.first_int <= hi and lo <= rng.last_int:
                part = ExternalRange(rng.version, max(lo, rng.first_int), min(hi, rng.last_int))
                out.append(_range_target(part, avoid))
        return out
    assert es.namespace is not None
    selected = [
        p
        for p in cluster.pods
        if p.namespace == es.namespace and all(p.labels.get(k) == v for k, v in (es.labels or Labels()).items())
    ]
    if not selected:
        known = {p.namespace for p in cluster.pods}
        if es.namespace not in known:
            raise NetsimError(
                f"no pod in namespace {es.namespace!r} (namespaces with pods: {', '.join(sorted(known))})"
            )
        raise NetsimError(f"no pod of namespace {es.namespace} has the labels {es.labels}")
    return [_Target(p, p.ref) for p in selected]


def _others(
    index: PolicyIndex, chosen: Sequence[_Target], chosen_sets: Sequence[EndpointSet], as_source: bool
) -> list[_Target]:
    """Every pod not in ``chosen``, and every external range (minus the networks and addresses chosen)."""
    refs = {t.endpoint.ref for t in chosen if isinstance(t.endpoint, Pod)}
    out = [_Target(p, p.ref) for p in index.cluster.pods if p.ref not in refs]
    holes = sorted(
        [(s.network.version, *_net_range(s.network)) for s in chosen_sets if s.network is not None]
        + [
            (t.endpoint.ip.version, int(t.endpoint.ip), int(t.endpoint.ip))
            for t in chosen
            if isinstance(t.endpoint, External)
        ]
    )
    avoid = _avoid(index)
    for rng in _side_ranges(index, as_source):
        cur = rng.first_int
        for version, lo, hi in holes:
            if version != rng.version:  # the integers of the two families overlap
                continue
            if hi < cur or lo > rng.last_int:
                continue
            if lo > cur:
                out.append(_range_target(ExternalRange(rng.version, cur, lo - 1), avoid))
            cur = max(cur, hi + 1)
        if cur <= rng.last_int:
            out.append(_range_target(ExternalRange(rng.version, cur, rng.last_int), avoid))
    return out


def _first_port(conns: ConnSet, protocol: Protocol | None) -> tuple[int, Protocol] | None:
    for proto in (protocol,) if protocol else _ORDER:
        ports = conns.ports(proto)
        if ports:
            return ports.intervals[0][0], proto
    return None


def _sample_port(pair: PairVerdict, expected_allow: bool, protocol: Protocol | None) -> tuple[int, Protocol]:
    """Where to explain an any-port pair: a port it allows, or one side allows and the other does not."""
    if not expected_allow:
        candidates = [pair.conns]
    else:
        candidates = [side.conns for side in (pair.egress, pair.ingress) if side.isolated]
        candidates += [o.ports for side in (pair.egress, pair.ingress) for o in side.outcomes]
    for conns in candidates:
        found = _first_port(conns, protocol)
        if found is not None:
            return found
    return 1, protocol or Protocol.TCP


def _within(port: int | None, protocol: Protocol | None) -> ConnSet:
    """The connections a case asks about: one port, every port of a protocol, or everything."""
    if protocol is None:
        return ConnSet.all()
    if port is None:
        return ConnSet.of(protocol)
    return ConnSet.of(protocol, port, port)


def _decision(pair: PairVerdict, asked: ConnSet) -> Decision:
    """Allowed when some connection of ``asked`` is allowed for certain; undetermined when none is
    but some may be; else denied."""
    if pair.conns & asked:
        return Decision.ALLOWED
    return Decision.UNDETERMINED if pair.possible & asked else Decision.DENIED


def _open_unknowns(pair: PairVerdict, asked: ConnSet) -> tuple[Unknown, ...]:
    """What the undetermined connections of ``asked`` depend on: the unknowns of the verdict at one
    port of each rule that might open some of them, and at one port of them all (where the policies
    netsim does not evaluate show)."""
    open_ = pair.undetermined & asked
    samples = [o.ports & open_ for side in (pair.egress, pair.ingress) for o in side.outcomes if o.undecided]
    found: list[Unknown] = []
    for conns in (open_, *samples):
        at = _first_port(conns, None)
        if at is not None:
            traffic = Traffic(pair.source, pair.destination, *at)
            found += Verdict(traffic, pair.egress, pair.ingress).unknowns()
    return tuple(dict.fromkeys(found))


def _isolation_unknowns(index: PolicyIndex, pod: Pod, direction: Direction) -> tuple[Unknown, ...]:
    return tuple(policy_unknown(p, pod, direction) for p in index.unevaluated(pod, direction))


class _Runner:
    def __init__(self, index: PolicyIndex, namespace: str) -> None:
        self.index = index
        self.namespace = namespace

    def targets(self, es: EndpointSet, as_source: bool) -> list[_Target]:
        try:
            return _resolve(self.index, es, as_source, self.namespace)
        except NetsimError as exc:
            raise InputError(str(exc), span=es.span, field=es.field) from None

    def is_pair(self, src: _Target, dst: _Target) -> bool:
        """False for a pod and itself (a pod can always reach itself); a workload of several
        replicas and itself is a pair, one replica to another (``Options.replica_traffic``)."""
        if not (isinstance(src.endpoint, Pod) and src.endpoint.ref == dst.endpoint.ref):
            return True
        return self.index.options.replica_traffic and src.endpoint.is_replicated

    def check_pair(
        self, case: Case, src: _Target, dst: _Target, expected_allow: bool, notes: list[str]
    ) -> tuple[bool, PairOffence | None]:
        """(checked, offence): whether the pair was checked (a named port may not apply) and how it
        failed, or why it is undetermined (an offence with ``undetermined``)."""
        pair = evaluate_pair(self.index, src.endpoint, dst.endpoint)
        port: int | None = None
        protocol = case.protocol
        try:
            if dst.service is not None:
                port, protocol, asked = _backend_port(self.index.cluster, dst, case.port, case.protocol)
            else:
                if case.port is not None:
                    port, protocol = resolve_port(PortRef(case.port, case.protocol), dst.endpoint)
                asked = _within(port, protocol)
        except NetsimError as exc:
            notes.append(f"{dst.label}: {exc}")
            return False, None
        decision = _decision(pair, asked)
        expected = Decision.ALLOWED if expected_allow else Decision.DENIED
        if decision is expected:
            return True, None
        undetermined = decision is Decision.UNDETERMINED
        if port is not None and protocol is not None:
            number, proto = port, protocol
        elif undetermined:  # any port: explain at a port the unknowns decide
            number, proto = _first_port(pair.undetermined & asked, None) or (1, protocol or Protocol.TCP)
        else:  # any port: explain at a port it allows, or one a rule names (resolved with the evidence)
            explained = evaluate_pair(self.index, src.endpoint, dst.endpoint, explain=True)
            number, proto = _sample_port(explained, expected_allow, protocol)
        verdict = evaluate(self.index, Traffic(src.endpoint, dst.endpoint, number, proto))
        offence = PairOffence(
            src.endpoint,
            dst.endpoint,
            src.label,
            dst.label,
            expected_allow,
            pair.conns,
            port,
            protocol if port is not None or case.protocol is not None else None,
            verdict,
            undetermined,
            _open_unknowns(pair, asked) if undetermined else (),
            pair.undetermined & asked if undetermined else ConnSet.none(),
        )
        return True, offence

    def pairs(self, case: Case, pairs: Iterable[tuple[_Target, _Target, bool]], field: str) -> CaseResult:
        checked = 0
        selves = 0
        offences: list[Offence] = []
        undecided: list[Offence] = []
        notes: list[str] = []
        for src, dst, expected in pairs:
            if not self.is_pair(src, dst):
                selves += 1
                continue  # a pod can always reach itself
            done, offence = self.check_pair(case, src, dst, expected, notes)
            checked += done
            if offence is not None:
                (undecided if offence.undetermined else offences).append(offence)
        if not checked:
            if notes:
                why = "; ".join(notes)
            elif selves:
                why = "the two ends name the same single pod"
                if not self.index.options.replica_traffic:
                    why += " (--no-replica-traffic: a workload is one pod)"
            else:
                why = "one end names no endpoint"
            raise InputError(f"no pair to check: {why}", span=case.port_span if notes else case.span, field=field)
        return CaseResult(case, checked, tuple(offences), notes=tuple(notes), undecided=tuple(undecided))

    def connection(self, case: Case) -> CaseResult:
        assert case.source is not None
        assert case.destination is not None
        assert case.allow is not None
        allow = case.allow
        sources = self.targets(case.source, True)
        destinations = self.targets(case.destination, False)
        field = f"{case.field}.port" if case.port is not None else case.field
        result = self.pairs(case, ((s, d, allow) for s in sources for d in destinations), field)
        if len(sources) == 1 and len(destinations) == 1 and case.port is not None and result.checked:
            dst = destinations[0].endpoint
            if destinations[0].service is not None:
                number, proto, _ = _backend_port(self.index.cluster, destinations[0], case.port, case.protocol)
                assert number is not None
                assert proto is not None
            else:
                number, proto = resolve_port(PortRef(case.port, case.protocol), dst)
            verdict = evaluate(self.index, Traffic(sources[0].endpoint, dst, number, proto))
            return CaseResult(case, result.checked, result.offences, verdict, result.notes, result.undecided)
        return result

    def only(self, case: Case) -> CaseResult:
        if case.only_from is not None:
            assert case.destination is not None
            fixed = self.targets(case.destination, False)
            chosen = self.targets(case.only_from, True)
            others = _others(self.index, chosen, [case.only_from], True)
            pairs = [(s, d, True) for s in chosen for d in fixed] + [(s, d, False) for s in others for d in fixed]
        else:
            assert case.source is not None
            assert case.only_to is not None
            fixed = self.targets(case.source, True)
            chosen = self.targets(case.only_to, False)
            others = _others(self.index, chosen, [case.only_to], False)
            pairs = [(s, d, True) for s in fixed for d in chosen] + [(s, d, False) for s in fixed for d in others]
        return self.pairs(case, pairs, case.field)

    def isolated(self, case: Case) -> CaseResult:
        assert case.isolated is not None
        pods = [p for p in self.index.cluster.pods if p.namespace == case.isolated]
        if not pods:
            raise InputError(
                f"namespace {case.isolated!r} has no pods to check", span=case.span, field=f"{case.field}.isolated"
            )
        offences: list[Offence] = []
        undecided: list[Offence] = []
        for pod in pods:
            for direction in case.directions:
                if self.index.isolating(pod, direction):
                    continue
                # a policy of a kind netsim does not evaluate that may select the pod may isolate it
                unknowns = _isolation_unknowns(self.index, pod, direction)
                if self.index.options.is_node_traffic(pod):
                    reason = "it is a hostNetwork pod: policies never select those (its traffic is its node's)"
                elif unknowns:
                    reason = f"no NetworkPolicy selects it for {direction.value}"
                else:
                    reason = f"no policy selects it for {direction.value}"
                offence = IsolationOffence(pod, direction, reason, unknowns)
                (undecided if unknowns else offences).append(offence)
        return CaseResult(case, len(pods), tuple(offences), undecided=tuple(undecided))


def _families(case: Case) -> frozenset[int]:
    """The address families of the addresses and CIDRs a case names."""
    out: set[int] = set()
    for es in (case.source, case.destination, case.only_from, case.only_to):
        if es is None:
            continue
        if es.network is not None:
            out.add(es.network.version)
        elif es.kind == "address":
            out.add(ip_address(es.text).version)
    return frozenset(out)


def run_cases(index: PolicyIndex, cases: Iterable[Case], namespace: str = "default") -> tuple[CaseResult, ...]:
    """Check every case; names that resolve to nothing are InputErrors (all of them, at their lines)."""
    # an IPv6 address or CIDR is checked against the IPv6 ranges even when the manifests have no
    # IPv6 address (and so no IPv6 range of their own): such a case gets an index that lists them
    runners: dict[frozenset[int], _Runner] = {}

    def runner_for(case: Case) -> _Runner:
        wanted = index.options.address_families | _families(case)
        runner = runners.get(wanted)
        if runner is None:
            options = replace(index.options, address_families=wanted)
            at = index if wanted == index.options.address_families else PolicyIndex(index.cluster, options)
            runner = runners[wanted] = _Runner(at, namespace)
        return runner

    results = []
    errors: list[InputError] = []
    for case in cases:
        try:
            runner = runner_for(case)
            if case.form == "isolated":
                results.append(runner.isolated(case))
            elif case.form == "only":
                results.append(runner.only(case))
            else:
                results.append(runner.connection(case))
        except InputError as exc:
            errors.append(exc)
        except NetsimError as exc:
            errors.append(InputError(str(exc), span=case.span, field=case.field))
    if errors:
        raise InputErrors(errors)
    return tuple(results)
