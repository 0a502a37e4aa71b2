"""Agreement with netpol-analyzer's exposure analysis (``list --exposure``): the 16 reference cases
in ../shared/peer-cases/netpol-analyzer-exposure whose expected file the peer printed with the flag
``--exposure`` alone (index.tsv; the ``--explain`` files are another feature).

netsim runs with the same knobs as for the plain connection lists (``--no-ipblock-pods
--host-network pod --no-replica-traffic``). The connection list must match byte for byte; the
exposure section after collapsing runs of blanks and tabs (the peer pads workload names to a common
width). docs/exposure.md describes the feature, docs/peer-differences.md its differences.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.conftest import SHARED

CASES_DIR = SHARED / "peer-cases" / "netpol-analyzer-exposure"
PEER_KNOBS = ["--no-ipblock-pods", "--host-network", "pod", "--no-replica-traffic"]
HEADER = "Exposure Analysis Result:\n"


def _cases() -> list[tuple[str, str]]:
    """(case, expected file) for every index row whose flags are only ``--exposure``."""
    index = CASES_DIR / "index.tsv"
    if not index.is_file():
        return []
    with index.open(newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return sorted((r["case"], r["expected_file"]) for r in rows if r["cli_flags"].split() == ["--exposure"])


CASES = _cases()


def _collapse(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text)


def _split(text: str) -> tuple[str, str]:
    """The connection list (with the blank line after it) and the exposure section."""
    at = text.index(HEADER)
    return text[:at], text[at:]


@pytest.fixture
def cases_dir(shared_dir: Path) -> Path:
    if not CASES_DIR.is_dir():
        pytest.skip("../shared/peer-cases/netpol-analyzer-exposure is not present")
    return CASES_DIR


def test_sixteen_cases_have_exposure_only_flags(cases_dir: Path) -> None:
    assert len(CASES) == 16


@pytest.mark.parametrize(("case", "expected_file"), CASES)
def test_exposure_matches_expected_output(case: str, expected_file: str, cases_dir: Path, runner: CliRunner) -> None:
    expected = (cases_dir / case / expected_file).read_text()
    result = runner.invoke(
        main, ["connections", *PEER_KNOBS, "--exposure", str(cases_dir / case / "input")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    got_list, got_exposure = _split(result.stdout)
    want_list, want_exposure = _split(expected)
    assert got_list == want_list
    assert _collapse(got_exposure) == _collapse(want_exposure)
    # netsim pads as the peer does, so the files agree byte for byte too
    assert result.stdout == expected
