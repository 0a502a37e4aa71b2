"""JUnit XML, the test report format CI systems read (GitLab, Jenkins, GitHub test reporters).

The writer is generic: it takes suites of named cases with an optional failure and returns the
document as bytes. One ``<testsuite>`` per suite (netsim: per expectations file), one
``<testcase>`` per case with ``classname``, ``file`` and ``line``; a failed case holds a
``<failure message="...">`` whose text is the full explanation.

A case the input does not decide (netsim: an undetermined case) holds an ``<error
type="undetermined">``: CI test reports show errors as red as failures, and count them apart
(``errors``), so an undetermined case fails the report as it fails the run without being
mistaken for a contradiction. When undetermined cases are allowed (``--allow-undetermined``) it
holds a ``<skipped type="undetermined">`` instead: shown, with its reason, but not failing.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["UNDETERMINED", "JUnitCase", "JUnitSuite", "junit_xml"]

# characters XML 1.0 cannot carry, even escaped
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


#: The ``type`` of the error (or skipped) element of a case the input does not decide.
UNDETERMINED = "undetermined"


@dataclass(frozen=True, slots=True)
class JUnitCase:
    """One test case; ``failure`` is the one-line message of a failed case, ``error`` that of an
    undetermined one (``skipped``: one reported without failing), None when it passed.
    ``details`` is the text of that element."""

    name: str
    classname: str
    file: str
    line: int
    time: float = 0.0
    failure: str | None = None
    details: str = ""
    error: str | None = None
    skipped: str | None = None
    kind: str | None = None  # the outcome element's type, when not the default (failure / undetermined)


@dataclass(frozen=True, slots=True)
class JUnitSuite:
    """A named group of cases (netsim: one expectations file)."""

    name: str
    cases: tuple[JUnitCase, ...]

    @property
    def failures(self) -> int:
        """How many cases failed."""
        return sum(1 for c in self.cases if c.failure is not None)

    @property
    def errors(self) -> int:
        """How many cases are undetermined (and fail the report)."""
        return sum(1 for c in self.cases if c.failure is None and c.error is not None)

    @property
    def skipped(self) -> int:
        """How many cases are reported as skipped (undetermined, allowed)."""
        return sum(1 for c in self.cases if c.failure is None and c.error is None and c.skipped is not None)

    @property
    def time(self) -> float:
        """The time of all cases, in seconds."""
        return sum(c.time for c in self.cases)


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _counts(element: ET.Element, tests: int, failures: int, errors: int, skipped: int, time: float) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", str(errors))
    element.set("skipped", str(skipped))
    element.set("time", f"{time:.3f}")


def junit_xml(suites: Sequence[JUnitSuite], name: str = "netsim") -> bytes:
    """The report as UTF-8 XML with a declaration, indented."""
    root = ET.Element("testsuites", {"name": _clean(name)})
    _counts(
        root,
        sum(len(s.cases) for s in suites),
        sum(s.failures for s in suites),
        sum(s.errors for s in suites),
        sum(s.skipped for s in suites),
        sum(s.time for s in suites),
    )
    for suite in suites:
        element = ET.SubElement(root, "testsuite", {"name": _clean(suite.name)})
        _counts(element, len(suite.cases), suite.failures, suite.errors, suite.skipped, suite.time)
        for case in suite.cases:
            attrs = {
                "name": _clean(case.name),
                "classname": _clean(case.classname),
                "file": _clean(case.file),
                "line": str(case.line),
                "time": f"{case.time:.3f}",
            }
            testcase = ET.SubElement(element, "testcase", attrs)
            if case.failure is not None:
                tag, message, kind = "failure", case.failure, "failure"
            elif case.error is not None:
                tag, message, kind = "error", case.error, UNDETERMINED
            elif case.skipped is not None:
                tag, message, kind = "skipped", case.skipped, UNDETERMINED
            else:
                continue
            outcome = ET.SubElement(testcase, tag, {"message": _clean(message), "type": case.kind or kind})
            outcome.text = _clean(case.details)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
