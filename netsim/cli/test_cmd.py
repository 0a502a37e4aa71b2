"""`netsim test`: check expectations files against manifests, for CI (JUnit XML with --junit)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

import click

from netsim.cli.app import Common, common_options, handle_interrupt, main, reporting
from netsim.engine import PolicyIndex
from netsim.errors import InputError, InputErrors
from netsim.expectations import (
    Case,
    CaseResult,
    IsolationOffence,
    PairOffence,
    is_expectations_file,
    load_cases,
    run_cases,
)
from netsim.output import write_atomic
from netsim.render.text import explain
from netsim.source import Limits, discover

__all__ = ["report_case", "test"]

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


def _offence_line(o: PairOffence | IsolationOffence) -> str:
    if isinstance(o, IsolationOffence):
        return f"{o.pod.ref} is not isolated for {o.direction.value}: {o.reason}"
    want = "allowed" if o.expected_allow else "denied"
    if o.port is not None:
        got = "denied" if o.expected_allow else "allowed"
    else:
        got = "nothing allowed" if o.expected_allow else f"allowed {o.allowed}"
        want = "some connection allowed" if o.expected_allow else "nothing allowed"
    return f"{o.source_label} -> {o.destination_label} {_port_text(o)}: {got}, expected {want}"


def _summary(result: CaseResult) -> str:
    """The one-line failure message."""
    offences = result.offences
    if len(offences) == 1 and result.checked == 1:
        return _offence_line(offences[0])
    if all(isinstance(o, IsolationOffence) for o in offences):
        pods = len({o.pod.ref for o in offences if isinstance(o, IsolationOffence)})
        return f"{pods} pod{'s' if pods != 1 else ''} of namespace {result.case.isolated} not isolated"
    return f"{len(offences)} of {result.checked} pairs contradict the case"


def _indent(text: str, prefix: str) -> list[str]:
    return [prefix + line if line else line for line in text.rstrip("\n").split("\n")]


def report_case(result: CaseResult) -> list[str]:
    """The lines under a failed case: its offences, the first explained in full."""
    lines: list[str] = []
    offences = result.offences
    if not (len(offences) == 1 and result.checked == 1):
        lines += [_offence_line(o) for o in offences[:MAX_LISTED]]
        if len(offences) > MAX_LISTED:
            lines.append(f"... and {len(offences) - MAX_LISTED} more")
    explained = [o for o in offences if isinstance(o, PairOffence)][:MAX_EXPLAINED]
    for o in explained:
        t = o.verdict.traffic
        if o.port is not None:
            lines.append("why:")
        elif o.expected_allow:
            lines.append(f"why (at {t.port}/{t.protocol}; every port is denied):")
        else:
            lines.append(f"why (at {t.port}/{t.protocol}, one of the ports it allows):")
        lines += _indent(explain(o.verdict), "  ")
    lines += [f"note: {n}" for n in result.notes]
    return lines


def _junit(files: Sequence[tuple[str, Sequence[_Outcome]]]) -> bytes:
    from netsim.render.junit import JUnitCase, JUnitSuite, junit_xml  # only with --junit (it loads an XML library)

    suites = []
    for path, outcomes in files:
        cases = []
        for outcome in outcomes:
            result = outcome.result
            case = result.case
            failed = not result.passed
            cases.append(
                JUnitCase(
                    name=case.name,
                    classname=path,
                    file=case.span.path,
                    line=case.span.line,
                    time=outcome.seconds,
                    failure=_summary(result) if failed else None,
                    details="\n".join([_summary(result), *report_case(result)]) + "\n" if failed else "",
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


def _manifest_files(paths: Sequence[str], specs: Sequence[str]) -> tuple[tuple[str, ...], list[InputError]]:
    """The manifest arguments, folders expanded without the expectations files they hold
    (so a scenario folder with its expect.yaml next to its manifests can be given as it is)."""
    out: list[str] = []
    errors: list[InputError] = []
    spec_paths = {os.path.realpath(s) for s in specs}
    for path in paths:
        if path == "-" or not os.path.isdir(path):
            out.append(path)
            continue
        found, problems = discover([path])
        errors += problems
        kept = [f for f in found if os.path.realpath(f) not in spec_paths and not is_expectations_file(f)]
        if found and not kept:
            errors.append(InputError("no manifests in directory, only expectations files", field=path))
        out += kept
    return tuple(out), errors


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


@main.command("test")
@common_options
@click.option(
    "--junit",
    "junit_path",
    metavar="FILE",
    default=None,
    help="Also write a JUnit XML report to FILE (one testcase per case), for CI test reports.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the failed cases and the summary.")
@handle_interrupt
def test(common: Common, junit_path: str | None, quiet: bool) -> None:
    """Check expectations files (SPEC...) against manifests (PATH...).

    Each argument that is a YAML file holding one mapping with a `cases` list (and no `kind`)
    is an expectations file; every other argument is a manifest file or folder. A case says
    that connections must be allowed or denied (between pods, workloads, label selectors,
    namespaces, IPs or CIDRs, on a port or on any port), that a destination accepts a port
    only from some sources (only_from) or a source reaches only some destinations (only_to),
    or that every pod of a namespace is isolated. See docs/expectations.md.

    Prints PASS or FAIL for each case with its file:line; a failure lists the offending pairs
    and explains the verdict (which policy, which rule, file:line).

    Exit status: 0 every case passed, 1 some case failed, 2 bad input or usage.

    \b
    Examples:
      netsim test scenarios/production-hardening/expect.yaml scenarios/production-hardening/manifests
      netsim test policy-tests/*.yaml manifests/ --junit netsim-junit.xml
      netsim test -q expectations.yaml cluster-dump.yaml --no-ipblock-pods
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
        files_in, discover_errors = _manifest_files(manifests, specs)
        errors += discover_errors
        try:
            index = PolicyIndex(replace(common, paths=files_in).load().cluster, common.options)
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
        if junit_path is not None:
            write_atomic(junit_path, _junit(files), common.paths)
    lines: list[str] = []
    passed = failed = 0
    for _path, outcomes in files:
        for outcome in outcomes:
            result = outcome.result
            size = f"  [{result.checked} {'pods' if result.case.form == 'isolated' else 'pairs'}]"
            extra = size if result.checked > 1 else ""
            if result.passed:
                passed += 1
                if not quiet:
                    lines.append(f"PASS  {result.case.name}  ({_where(result.case)}){extra}")
                continue
            failed += 1
            lines.append(f"FAIL  {result.case.name}  ({_where(result.case)}){extra}")
            lines += _indent("\n".join([_summary(result), *report_case(result)]), "      ")
    total = passed + failed
    noun = "file" if len(files) == 1 else "files"
    lines.append(f"{total} case{'s' if total != 1 else ''} in {len(files)} {noun}: {passed} passed, {failed} failed")
    click.echo("\n".join(lines))
    if failed:
        sys.exit(1)
