"""JUnit XML, the test report format CI systems read (GitLab, Jenkins, GitHub test reporters).

The writer is generic: it takes suites of named cases with an optional failure and returns the
document as bytes. One ``<testsuite>`` per suite (netsim: per expectations file), one
``<testcase>`` per case with ``classname``, ``file`` and ``line``; a failed case holds a
``<failure message="...">`` whose text is the full explanation.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["JUnitCase", "JUnitSuite", "junit_xml"]

# characters XML 1.0 cannot carry, even escaped
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class JUnitCase:
    """One test case; ``failure`` is the one-line message of a failed case, None when it passed."""

    name: str
    classname: str
    file: str
    line: int
    time: float = 0.0
    failure: str | None = None
    details: str = ""


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
    def time(self) -> float:
        """The time of all cases, in seconds."""
        return sum(c.time for c in self.cases)


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _counts(element: ET.Element, tests: int, failures: int, time: float) -> None:
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
    element.set("time", f"{time:.3f}")


def junit_xml(suites: Sequence[JUnitSuite], name: str = "netsim") -> bytes:
    """The report as UTF-8 XML with a declaration, indented."""
    root = ET.Element("testsuites", {"name": _clean(name)})
    _counts(
        root,
        sum(len(s.cases) for s in suites),
        sum(s.failures for s in suites),
        sum(s.time for s in suites),
    )
    for suite in suites:
        element = ET.SubElement(root, "testsuite", {"name": _clean(suite.name)})
        _counts(element, len(suite.cases), suite.failures, suite.time)
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
                failure = ET.SubElement(testcase, "failure", {"message": _clean(case.failure), "type": "failure"})
                failure.text = _clean(case.details)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
