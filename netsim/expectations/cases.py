"""The cases of an expectations file and their results (data only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from netsim.connset import ConnSet
from netsim.errors import SourceSpan
from netsim.model import Direction, Endpoint, IPNetwork, Labels, Pod, Protocol, Unknown
from netsim.verdict import Decision, Verdict

__all__ = [
    "Case",
    "CaseOutcome",
    "CaseResult",
    "EndpointSet",
    "Expectation",
    "ExpectationResult",
    "Form",
    "IsolationOffence",
    "Offence",
    "PairOffence",
    "SetKind",
]


# -- the original single-connection API ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Expectation:
    """One single-connection case: an endpoint to an endpoint on one port."""

    name: str
    source: str
    destination: str
    port: int | str
    protocol: Protocol | None
    allow: bool
    span: SourceSpan


@dataclass(frozen=True, slots=True)
class ExpectationResult:
    """A case and the verdict it was checked against."""

    expectation: Expectation
    verdict: Verdict

    @property
    def passed(self) -> bool:
        """True when the verdict is what the case expects, for certain."""
        expected = Decision.ALLOWED if self.expectation.allow else Decision.DENIED
        return self.verdict.decision is expected

    @property
    def undetermined(self) -> bool:
        """True when the input does not decide the answer (``verdict.unknowns()`` says on what)."""
        return self.verdict.decision is Decision.UNDETERMINED

    @property
    def failed(self) -> bool:
        """True when the verdict contradicts the case, for certain."""
        return not self.passed and not self.undetermined


# -- the general model -------------------------------------------------------------------------------

SetKind = Literal["endpoint", "address", "network", "selector", "namespace"]


@dataclass(frozen=True, slots=True)
class EndpointSet:
    """What a case names at one end, as written (resolved against a cluster when run).

    ``endpoint``: a pod or workload (``ns/name``, ``name``, ``ns/Kind/name``, ``ns/name[Kind]``);
    ``address``: one IP; ``network``: a CIDR (every external range it overlaps); ``selector``:
    the pods of ``namespace`` with all of ``labels``; ``namespace``: every pod of ``namespace``
    (with all of ``labels`` when given).
    """

    text: str
    kind: SetKind
    span: SourceSpan
    field: str  # cases[3].from
    namespace: str | None = None
    labels: Labels | None = None
    network: IPNetwork | None = None

    @property
    def single(self) -> bool:
        """True for one pod, workload or address (the original form)."""
        return self.kind in ("endpoint", "address")


Form = Literal["connection", "only", "isolated"]


@dataclass(frozen=True, slots=True)
class Case:
    """One case of an expectations file, in any of its forms."""

    name: str
    span: SourceSpan
    field: str  # cases[3]
    form: Form
    source: EndpointSet | None = None  # from (connection form; the fixed end of only_to)
    destination: EndpointSet | None = None  # to (connection form; the fixed end of only_from)
    port: int | str | None = None  # None: any port
    protocol: Protocol | None = None
    allow: bool | None = None  # connection form: expect allow / deny
    only_from: EndpointSet | None = None
    only_to: EndpointSet | None = None
    isolated: str | None = None  # the namespace of the isolated form
    directions: tuple[Direction, ...] = ()
    port_span: SourceSpan | None = None

    def as_expectation(self) -> Expectation | None:
        """The original single-connection form of this case, if it is one."""
        if (
            self.form != "connection"
            or self.source is None
            or self.destination is None
            or not (self.source.single and self.destination.single)
            or self.port is None
            or self.allow is None
        ):
            return None
        return Expectation(
            self.name, self.source.text, self.destination.text, self.port, self.protocol, self.allow, self.span
        )


@dataclass(frozen=True, slots=True)
class PairOffence:
    """A pair that contradicts its case (or whose answer the input does not decide, when
    ``undetermined``), with the verdict that explains it."""

    source: Endpoint
    destination: Endpoint
    source_label: str
    destination_label: str
    expected_allow: bool
    allowed: ConnSet  # everything allowed between the two (all ports)
    port: int | None  # the port checked; None: any port
    protocol: Protocol | None  # the protocol checked; None with no port: any protocol
    verdict: Verdict  # explained, at ``port`` or at a sample port for "any port"
    undetermined: bool = False  # the answer depends on what the input does not say
    unknowns: tuple[Unknown, ...] = ()  # what an undetermined answer depends on
    undetermined_conns: ConnSet = field(default_factory=ConnSet.none)  # possibly allowed, not certainly


@dataclass(frozen=True, slots=True)
class IsolationOffence:
    """A pod that an isolated case expects isolated, and is not (or may not be, when
    ``unknowns`` names the policies netsim does not evaluate that may isolate it)."""

    pod: Pod
    direction: Direction
    reason: str
    unknowns: tuple[Unknown, ...] = ()

    @property
    def undetermined(self) -> bool:
        """True when a policy netsim does not evaluate may isolate the pod."""
        return bool(self.unknowns)


Offence = PairOffence | IsolationOffence


class CaseOutcome(StrEnum):
    """What became of a case."""

    PASSED = "passed"
    FAILED = "failed"  # something contradicts it, for certain
    UNDETERMINED = "undetermined"  # nothing contradicts it for certain, but the input does not decide all of it


@dataclass(frozen=True, slots=True)
class CaseResult:
    """A case, how many pairs (or pods) it checked, those that contradict it, and those whose
    answer the input does not decide."""

    case: Case
    checked: int
    offences: tuple[Offence, ...]  # contradictions, for certain
    verdict: Verdict | None = None  # a single connection: its verdict, passed or not
    notes: tuple[str, ...] = ()
    undecided: tuple[Offence, ...] = ()  # pairs or pods whose answer is undetermined

    @property
    def passed(self) -> bool:
        """True when the case holds for certain: nothing contradicts it and nothing is undetermined."""
        return not self.offences and not self.undecided

    @property
    def failed(self) -> bool:
        """True when something contradicts the case for certain."""
        return bool(self.offences)

    @property
    def undetermined(self) -> bool:
        """True when nothing contradicts the case for certain but some answer is undetermined."""
        return not self.offences and bool(self.undecided)

    @property
    def outcome(self) -> CaseOutcome:
        """Passed, failed or undetermined."""
        if self.offences:
            return CaseOutcome.FAILED
        return CaseOutcome.UNDETERMINED if self.undecided else CaseOutcome.PASSED

    def unknowns(self) -> tuple[Unknown, ...]:
        """What the undetermined answers depend on, each once, in order."""
        return tuple(dict.fromkeys(u for o in self.undecided for u in o.unknowns))
