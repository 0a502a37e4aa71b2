"""`netsim test`: check expectations files against manifests, for CI (JUnit XML with --junit)."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import click

from netsim.cli.app import (
    EXIT_UNDETERMINED,
    Common,
    Output,
    common_options,
    handle_interrupt,
    main,
    output_options,
    reporting,
)
from netsim.engine import PolicyIndex
from netsim.errors import InputError, InputErrors
from netsim.expectations import (
    Case,
    CaseOutcome,
    CaseResult,
    IsolationOffence,
    Offence,
    PairOffence,
    is_expectations_file,
    load_cases,
    run_cases,
)
from netsim.model import Pod, Unknown, UnknownKind
from netsim.output import write_atomic
from netsim.render.text import explain
from netsim.source import Limits

__all__ = ["report_case", "test"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "junit": (".xml",)}

#: Offending pairs explained in full per failed case (the others are listed, one line each).
MAX_EXPLAINED = 3
#: Offending pairs listed per failed case.
MAX_LISTED = 20


@dataclass(frozen=True, slots=True)
class _Outcome:
    result: CaseResult
    seconds: float


def _where(case: Case) -> str:
    return f"{case.span.path}:{case.span.line}"


def _port_text(o: PairOffence) -> str:
    if o.port is not None and o.protocol is not None:
        return f"{o.port}/{o.protocol}"
    return f"any {o.protocol} port" if o.protocol else "any port"


def _replicas(o: PairOffence) -> str:
    """`` (one replica to another)`` for a workload of several replicas and itself."""
    src, dst = o.source, o.destination
    return " (one replica to another)" if isinstance(src, Pod) and src.ref == dst.ref else ""


def _offence_line(o: Offence) -> str:
    if isinstance(o, IsolationOffence):
        if o.undetermined:
            return f"{o.pod.ref}: isolation for {o.direction.value} undetermined: {o.reason}"
        return f"{o.pod.ref} is not isolated for {o.direction.value}: {o.reason}"
    want = "allowed" if o.expected_allow else "denied"
    if o.port is not None:
        got = "undetermined" if o.undetermined else "denied" if o.expected_allow else "allowed"
    else:
        want = "some connection allowed" if o.expected_allow else "nothing allowed"
        if o.undetermined:
            got = f"nothing allowed for certain, {o.undetermined_conns} undetermined"
        else:
            got = "nothing allowed" if o.expected_allow else f"allowed {o.allowed}"
    return f"{o.source_label} -> {o.destination_label} {_port_text(o)}{_replicas(o)}: {got}, expected {want}"


def _pods(items: Sequence[Offence]) -> str:
    pods = len({o.pod.ref for o in items if isinstance(o, IsolationOffence)})
    return f"{pods} pod{'s' if pods != 1 else ''}"


def _summary(result: CaseResult) -> str:
    """The one-line message of a failed or undetermined case."""
    items = result.offences if result.failed else result.undecided
    if len(result.offences) + len(result.undecided) == 1 and result.checked == 1:
        return _offence_line(items[0])
    isolation = all(isinstance(o, IsolationOffence) for o in items)
    if result.undetermined:
        if isolation:
            return f"isolation of {_pods(items)} of namespace {result.case.isolated} undetermined"
        return f"{len(items)} of {result.checked} pairs undetermined"
    if isolation:
        more = f"; isolation of {_pods(result.undecided)} undetermined" if result.undecided else ""
        return f"{_pods(items)} of namespace {result.case.isolated} not isolated{more}"
    more = f"; {len(result.undecided)} undetermined" if result.undecided else ""
    return f"{len(items)} of {result.checked} pairs contradict the case{more}"


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line if line else line for line in text.rstrip("\n").split("\n")]


def _dependency(unknown: Unknown) -> str:
    """One thing an undetermined answer depends on, worded as ``netsim check`` words it."""
    if unknown.kind is UnknownKind.POLICY:
        return unknown.condition  # names the policy, the pod and the direction
    return f"allowed if {unknown.condition}"


def _why(o: PairOffence) -> str:
    t = o.verdict.traffic
    if o.port is not None:
        return "why:"
    if o.undetermined:
        return f"why (at {t.port}/{t.protocol}, one of the ports the unknowns decide):"
    if o.expected_allow:
        return f"why (at {t.port}/{t.protocol}; every port is denied):"
    return f"why (at {t.port}/{t.protocol}, one of the ports it allows):"


def report_case(result: CaseResult, *, replica_traffic: bool = True) -> list[str]:
    """The lines under a failed or undetermined case: its offending (or undetermined) pairs or pods,
    what an undetermined case depends on, and the first pairs explained in full."""
    lines: list[str] = []
    items = result.offences if result.failed else result.undecided
    listed = [*result.offences, *result.undecided]  # a failed case lists its undetermined items too
    if not (len(listed) == 1 and result.checked == 1):
        lines += [_offence_line(o) for o in listed[:MAX_LISTED]]
        if len(listed) > MAX_LISTED:
            lines.append(f"... and {len(listed) - MAX_LISTED} more")
    if result.undecided:
        lines.append("undetermined, depends on:" if result.failed else "depends on:")
        lines += [f"  - {_dependency(u)}" for u in result.unknowns()]
    explained = [o for o in items if isinstance(o, PairOffence)][:MAX_EXPLAINED]
    for o in explained:
        lines.append(_why(o))
        lines += _indent(explain(o.verdict, replica_traffic=replica_traffic), "  ")
    lines += [f"note: {n}" for n in result.notes]
    return lines


def _details(result: CaseResult, replica_traffic: bool) -> str:
    return "\n".join([_summary(result), *report_case(result, replica_traffic=replica_traffic)]) + "\n"


def _junit(
    files: Sequence[tuple[str, Sequence[_Outcome]]], *, allow_undetermined: bool, replica_traffic: bool
) -> bytes:
    from netsim.render.junit import JUnitCase, JUnitSuite, junit_xml  # only with --junit (it loads an XML library)

    suites = []
    for path, outcomes in files:
        cases = []
        for outcome in outcomes:
            result = outcome.result
            case = result.case
            message = None if result.passed else _summary(result)
            undetermined = result.outcome is CaseOutcome.UNDETERMINED
            cases.append(
                JUnitCase(
                    name=case.name,
                    classname=path,
                    file=case.span.path,
                    line=case.span.line,
                    time=outcome.seconds,
                    failure=message if result.failed else None,
                    error=message if undetermined and not allow_undetermined else None,
                    skipped=message if undetermined and allow_undetermined else None,
                    details="" if result.passed else _details(result, replica_traffic),
                )
            )
        suites.append(JUnitSuite(path, tuple(cases)))
    return junit_xml(suites)


def _load_specs(specs: Sequence[str], limits: Limits) -> tuple[list[tuple[str, tuple[Case, ...]]], list[InputError]]:
    loaded = []
    errors: list[InputError] = []
    for spec in specs:
        try:
            loaded.append((spec, load_cases(spec, limits)))
        except InputErrors as group:
            errors.extend(e for e in group.exceptions if isinstance(e, InputError))
        except InputError as exc:
            errors.append(exc)
    return loaded, errors


def _run(index: PolicyIndex, cases: Sequence[Case], namespace: str) -> tuple[list[_Outcome], list[InputError]]:
    outcomes = []
    errors: list[InputError] = []
    for case in cases:
        start = time.perf_counter()
        try:
            [result] = run_cases(index, (case,), namespace)
        except InputErrors as group:
            errors.extend(e for e in group.exceptions if isinstance(e, InputError))
            continue
        outcomes.append(_Outcome(result, time.perf_counter() - start))
    return outcomes, errors


@main.command("test", usage_args="SPEC... PATHS...")
@common_options
@click.option(
    "--junit",
    "junit_path",
    metavar="FILE",
    default=None,
    help="Also write a JUnit XML report to FILE (one testcase per case), for CI test reports; the text report "
    "still goes to standard output (or --output-file).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the failed and undetermined cases and the summary.")
@click.option(
    "--allow-undetermined",
    is_flag=True,
    help="Report undetermined cases but do not fail on them (exit status 0 instead of 3).",
)
@output_options(
    FORMATS,
    "text",
    help="text: PASS/FAIL per case; junit: the JUnit XML report instead. Default: text, or with --output-file "
    "the one its suffix names (.xml junit).",
)
@handle_interrupt
def test(common: Common, junit_path: str | None, quiet: bool, allow_undetermined: bool, output: Output) -> None:
    """Check expectations files (SPEC...) against manifests (PATH...).

    Each argument that is a YAML file holding one mapping with a `cases` list (and no `kind`)
    is an expectations file; every other argument is a manifest file or folder. A case says
    that connections must be allowed or denied (between pods, workloads, label selectors,
    namespaces, IPs or CIDRs, on a port or on any port), that a destination accepts a port
    only from some sources (only_from) or a source reaches only some destinations (only_to),
    or that every pod of a namespace is isolated. See docs/expectations.md.

    Prints PASS, FAIL or UNDETERMINED for each case with its file:line; a failure lists the
    offending pairs and explains the verdict (which policy, which rule, file:line). A case is
    UNDETERMINED when nothing contradicts it for certain but some answer depends on what the
    input does not say (a pod without an IP against an ipBlock, a namespace without a manifest,
    a policy of a kind netsim does not evaluate); it lists what. --pod-cidr, Namespace
    manifests, --closed-world or --ignore-unevaluated settle them. A workload with several
    replicas to itself is one replica to another (--no-replica-traffic: one pod).

    \b
    Examples:
      netsim test scenarios/production-hardening/expect.yaml scenarios/production-hardening/manifests
      netsim test policy-tests/*.yaml manifests/ --junit netsim-junit.xml
      netsim test -q expectations.yaml cluster-dump.yaml --no-ipblock-pods
      netsim test expectations.yaml manifests/ --pod-cidr 10.244.0.0/16 --allow-undetermined
      netsim test -f expectations.yaml -f manifests/ -q --output-file netsim-junit.xml
    """
    with reporting():
        specs = [p for p in common.paths if is_expectations_file(p)]
        manifests = tuple(p for p in common.paths if p not in specs)
        if not specs:
            raise click.UsageError(
                "no expectations file among the arguments: one is a YAML file holding a mapping with a 'cases' list"
            )
        if not manifests:
            raise click.UsageError(
                "no manifests among the arguments: give the files or folders to test after the expectations"
            )
        loaded, errors = _load_specs(specs, common.limits)
        try:
            # folders are read as every command reads them: the files in them that hold no
            # Kubernetes objects (the expectations files beside the manifests, a chart's values.yaml)
            # are skipped with one line, not reported as if named on the command line
            index = PolicyIndex(replace(common, paths=manifests).load().cluster, common.options)
        except InputErrors as group:
            errors.extend(e for e in group.exceptions if isinstance(e, InputError))
            raise InputErrors(errors) from None
        if errors:
            raise InputErrors(errors)
        files: list[tuple[str, list[_Outcome]]] = []
        for path, cases in loaded:
            outcomes, run_errors = _run(index, cases, common.namespace)
            errors += run_errors
            files.append((path, outcomes))
        if errors:
            raise InputErrors(errors)
        replicas = common.options.replica_traffic
        junit = b""
        if junit_path is not None or output.format == "junit":
            junit = _junit(files, allow_undetermined=allow_undetermined, replica_traffic=replicas)
        if junit_path is not None:
            write_atomic(junit_path, junit, common.paths)
    lines: list[str] = []
    counts = dict.fromkeys(CaseOutcome, 0)
    for _path, outcomes in files:
        for outcome in outcomes:
            result = outcome.result
            size = f"  [{result.checked} {'pods' if result.case.form == 'isolated' else 'pairs'}]"
            extra = size if result.checked > 1 else ""
            counts[result.outcome] += 1
            if result.passed:
                if not quiet:
                    lines.append(f"PASS  {result.case.name}  ({_where(result.case)}){extra}")
                continue
            word = "FAIL" if result.failed else "UNDETERMINED"
            lines.append(f"{word}  {result.case.name}  ({_where(result.case)}){extra}")
            lines += _indent(_details(result, replicas), "      ")
    total = sum(counts.values())
    noun = "file" if len(files) == 1 else "files"
    passed, failed, undetermined = (counts[o] for o in CaseOutcome)
    summary = f"{total} case{'s' if total != 1 else ''} in {len(files)} {noun}: {passed} passed, {failed} failed"
    if undetermined:
        summary += f", {undetermined} undetermined"
        if allow_undetermined:
            summary += " (allowed by --allow-undetermined)"
    lines.append(summary)
    with reporting():
        output.write(junit if output.format == "junit" else "\n".join(lines) + "\n", common.paths)
    output.done()
    if failed:
        sys.exit(1)
    if undetermined and not allow_undetermined:
        sys.exit(EXIT_UNDETERMINED)
