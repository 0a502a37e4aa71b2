"""Every install line in the README and docs/ installs this project, never the unrelated `netsim`
of the package index: the distribution is `netsim-k8s` (or this checkout: `pip install .`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = sorted([REPO / "README.md", REPO / "CHANGELOG.md", *(REPO / "docs").glob("*.md")])
#: `pip install`, its options, then a requirement that is `netsim` itself (not netsim-k8s, not a path)
WRONG = re.compile(r"pip install(?:\s+-\S+)*\s+[\"']?netsim(?![\w-])(?!\s*@)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_install_lines_install_this_project(doc: Path) -> None:
    wrong = [line.strip() for line in doc.read_text(encoding="utf-8").splitlines() if WRONG.search(line)]
    assert wrong == [], f"{doc.name} installs the package index's unrelated 'netsim': use netsim-k8s"


def test_the_distribution_is_netsim_k8s() -> None:
    assert re.search(r'^name = "netsim-k8s"', (REPO / "pyproject.toml").read_text(), re.M)


def test_the_check_catches_the_wrong_name() -> None:
    assert WRONG.search("run: python -m pip install netsim")
    assert WRONG.search("pip install netsim==0.1")
    assert WRONG.search("pip install -U --quiet 'netsim'")
    assert not WRONG.search('pip install "netsim-k8s @ git+https://example.com/netsim@v0.1.0"')
    assert not WRONG.search("pip install . && netsim check")
