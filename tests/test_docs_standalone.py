"""The repository stands alone: a reader who has only the repository can follow every reference in
it. A rule netsim applies is cited by a section of docs/semantics.md or by the Kubernetes source
itself (a kubernetes.io page, a file or function of kubernetes/kubernetes), never by a numbered
section of a document that is not in the repository, and nothing points into the team's workspace
folder beside the checkout.

One file is allowed to name that folder, because it reads from it: tests/peer/cases.py looks there
for the team's copy of netpol-analyzer's test data when ``NETSIM_PEER_CASES`` is not set (CI has the
copy; an outside contributor clones netpol-analyzer instead, see docs/peer-differences.md).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.peer import cases

#: what the test reads: the code, the tests, the docs and the scenarios, in every text format they use
SCANNED = ("netsim", "tests", "docs", "scenarios", "benchmarks", "scripts", "README.md", "CHANGELOG.md")
TEXT = frozenset({".py", ".md", ".js", ".css", ".html", ".yaml", ".yml", ".json", ".txt", ".toml", ".tsv", ".sh"})

#: (what, pattern): the patterns are written so that this file's own source does not match them
FORBIDDEN = (
    ("a section sign citation", re.compile("\N{SECTION SIGN}")),
    ("the private reference document", re.compile("networkpolicy" + "-reference", re.IGNORECASE)),
    ("a fact sheet", re.compile(r"fact[\s_-]*sheet", re.IGNORECASE)),
    ("a numbered mistake of an outside list", re.compile(r"\bmistakes? #?\d", re.IGNORECASE)),
)
WORKSPACE = re.compile(r"\.\./shared\b|\bshared/(peer-cases|docs|hooks)\b")
#: files that may name the workspace folder, and why
MAY_NAME_WORKSPACE = {
    "tests/peer/cases.py": "reads the team's copy of netpol-analyzer's cases from there, in place",
}
THIS_FILE = Path(__file__).resolve()


def _files() -> list[Path]:
    found: list[Path] = []
    for name in SCANNED:
        path = REPO / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [
                f
                for f in sorted(path.rglob("*"))
                if f.is_file() and f.suffix in TEXT and "__pycache__" not in f.parts and f.resolve() != THIS_FILE
            ]
    return found


FILES = _files()


def _hits(pattern: re.Pattern[str], text: str) -> list[str]:
    return [f"{n}: {line.strip()}" for n, line in enumerate(text.splitlines(), 1) if pattern.search(line)]


def test_the_scan_covers_the_repository() -> None:
    names = {f.relative_to(REPO).as_posix() for f in FILES}
    assert {"docs/semantics.md", "netsim/engine.py", "tests/peer/cases.py", "README.md"} <= names
    assert any(n.startswith("scenarios/") and n.endswith("README.md") for n in names)
    assert len(FILES) > 200


@pytest.mark.parametrize(("what", "pattern"), FORBIDDEN, ids=[w for w, _ in FORBIDDEN])
def test_nothing_cites_a_document_outside_the_repository(what: str, pattern: re.Pattern[str]) -> None:
    found = {
        f.relative_to(REPO).as_posix(): hits for f in FILES if (hits := _hits(pattern, f.read_text(encoding="utf-8")))
    }
    assert found == {}, f"{what}: cite docs/semantics.md or the Kubernetes source instead"


def test_nothing_points_into_the_workspace_folder() -> None:
    found = {
        rel: hits
        for f in FILES
        if (rel := f.relative_to(REPO).as_posix()) not in MAY_NAME_WORKSPACE
        and (hits := _hits(WORKSPACE, f.read_text(encoding="utf-8")))
    }
    assert found == {}, "a reader of the repository has no such folder (the peer cases: tests/peer/cases.py)"


def test_the_exception_is_still_needed() -> None:
    for rel in MAY_NAME_WORKSPACE:
        assert _hits(WORKSPACE, (REPO / rel).read_text(encoding="utf-8")), f"{rel} no longer needs its exception"


def test_the_checks_catch_what_they_should() -> None:
    bad = {
        "a section sign citation": "(reference \N{SECTION SIGN}1.6)",
        "the private reference document": "see NetworkPolicy" + "-Reference.md",
        "a fact sheet": "per the fact" + " sheet",
        "a numbered mistake of an outside list": "(\N{SECTION SIGN}7, mistake " + "14)",
    }
    for what, pattern in FORBIDDEN:
        assert pattern.search(bad[what]), what
        assert not pattern.search("docs/semantics.md, 'Named ports'; pkg/apis/networking/validation/validation.go")
    assert WORKSPACE.search("cases in ." + "./shared/peer-cases/netpol-analyzer")
    assert not WORKSPACE.search("the shared decoding core; ../netpol-analyzer/tests/CASE")


def test_the_peer_tests_say_how_to_get_their_data() -> None:
    """The skip reason names the variable, the upstream repository and commit, and the doc section
    that explains the rest; that section says what the variable must point at."""
    reason = cases.SKIP_REASON
    assert cases.ENV in reason
    assert cases.UPSTREAM in reason
    assert cases.UPSTREAM_COMMIT[:12] in reason
    assert not WORKSPACE.search(reason)
    doc = (REPO / "docs" / "peer-differences.md").read_text(encoding="utf-8")
    assert "## Getting the cases" in doc
    assert reason in " ".join(doc.split())  # quoted in full (the doc wraps it across lines)
    assert f"git -C ../netpol-analyzer checkout {cases.UPSTREAM_COMMIT}" in doc
    assert f"{cases.ENV}=$PWD/../netpol-analyzer python -m pytest tests/peer" in doc
