"""Agreement with netpol-analyzer's exposure analysis (``list --exposure``): the 16 reference cases
whose expected file the peer printed with the flag ``--exposure`` alone (``EXPOSURE_CASES``; the
``--explain`` outputs are another feature). Where they come from and how to get them:
tests/peer/cases.py and docs/peer-differences.md.

netsim runs with the same knobs as for the plain connection lists (``--no-ipblock-pods
--host-network pod --no-replica-traffic``). The connection list must match byte for byte; the
exposure section after collapsing runs of blanks and tabs (the peer pads workload names to a common
width). docs/exposure.md describes the feature, docs/peer-differences.md its differences.
"""

from __future__ import annotations

import csv
import re

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.peer.cases import EXPOSURE, EXPOSURE_CASES, Cases, cases_of

PEER_KNOBS = ["--no-ipblock-pods", "--host-network", "pod", "--no-replica-traffic"]
HEADER = "Exposure Analysis Result:\n"


def _collapse(text: str) -> str:
    return re.sub(r"[ \t]+", " ", text)


def _split(text: str) -> tuple[str, str]:
    """The connection list (with the blank line after it) and the exposure section."""
    at = text.index(HEADER)
    return text[:at], text[at:]


@pytest.fixture
def cases() -> Cases:
    return cases_of(EXPOSURE)


def test_sixteen_cases_have_exposure_only_flags(cases: Cases) -> None:
    assert len(EXPOSURE_CASES) == 16
    for case in EXPOSURE_CASES:
        assert cases.input(EXPOSURE, case).is_dir(), case
        assert cases.expected(EXPOSURE, case, "exposure").is_file(), case
    index = cases.root / EXPOSURE / "index.tsv"
    if not cases.clone and index.is_file():  # a copy says which flags printed each expected file
        with index.open(newline="") as f:
            rows = [r for r in csv.DictReader(f, delimiter="\t") if r["cli_flags"].split() == ["--exposure"]]
        assert sorted(r["case"] for r in rows) == list(EXPOSURE_CASES)
        assert {r["expected_file"] for r in rows} == {"expected_exposure.txt"}
        assert all(r["upstream_golden_file"] == f"test_outputs/connlist/{r['case']}_exposure_output.txt" for r in rows)


@pytest.mark.parametrize("case", EXPOSURE_CASES)
def test_exposure_matches_expected_output(case: str, cases: Cases, runner: CliRunner) -> None:
    expected = cases.expected(EXPOSURE, case, "exposure").read_text()
    result = runner.invoke(
        main, ["connections", *PEER_KNOBS, "--exposure", str(cases.input(EXPOSURE, case))], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    got_list, got_exposure = _split(result.stdout)
    want_list, want_exposure = _split(expected)
    assert got_list == want_list
    assert _collapse(got_exposure) == _collapse(want_exposure)
    # netsim pads as the peer does, so the files agree byte for byte too
    assert result.stdout == expected
