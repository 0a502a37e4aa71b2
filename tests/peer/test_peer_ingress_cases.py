"""Agreement with netpol-analyzer's Ingress / OpenShift Route reference cases (``INGRESS_CASES``: 8
connection lists; where they come from and how to get them: tests/peer/cases.py and
docs/peer-differences.md, which also explains the peer's choices): the lines from
``{ingress-controller}`` to the backends of the Services that Ingresses and Routes name, limited by
the policies.

The knobs are those of tests/peer/test_peer_cases.py (``--no-ipblock-pods --host-network pod
--no-replica-traffic``). With them netsim prints:

* 5 expected files byte for byte;
* 3 more byte for byte once a minimal fix is applied to manifests the API server rejects: each has
  a Service with two or three ports without a ``name`` (``spec.ports[0].name: Required value``:
  a Service with several ports must name each). The fix names them ``port-<number>``; no Ingress or
  Route refers to a port by name, so nothing else changes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.peer.cases import INGRESS, INGRESS_CASES, Cases, cases_of

CASES = list(INGRESS_CASES)
PEER_KNOBS = ["--no-ipblock-pods", "--host-network", "pod", "--no-replica-traffic"]

_MISSING_NAME = re.compile(r"^error: (?P<file>.+\.yaml):(?P<line>\d+):\d+: spec\.ports\[\d+\]\.name: Required value$")
_PORT = re.compile(r"^ +port: (?P<port>\d+)\r?$")

# case -> how many Service ports the API server rejects for want of a name
INVALID = {
    "multiple_ingress_objects_with_different_ports": 3,
    "one_ingress_multiple_ports": 3,
    "one_ingress_multiple_services": 2,
}


def _name_ports(folder: Path, reported: list[str]) -> int:
    """Name each Service port entry an error points at (``- protocol: TCP`` with ``port: N`` on
    the next line) ``port-N``; returns how many were named. Line endings are kept."""
    named = 0
    at: dict[str, set[int]] = {}
    for line in reported:
        m = _MISSING_NAME.match(line)
        assert m is not None, line
        at.setdefault(Path(m["file"]).name, set()).add(int(m["line"]))
    for f in sorted(folder.glob("*.yaml")):
        lines = f.read_bytes().decode().splitlines(keepends=True)
        for number in sorted(at.get(f.name, ()), reverse=True):
            entry, below = lines[number - 1], _PORT.match(lines[number].rstrip("\n"))
            if below is None or "- protocol: TCP" not in entry:
                continue
            eol = entry[len(entry.rstrip("\r\n")) :]
            indent = entry[: entry.index("- ")]
            lines[number - 1 : number] = [f"{indent}- name: port-{below['port']}{eol}", f"{indent}  protocol: TCP{eol}"]
            named += 1
        f.write_bytes("".join(lines).encode())
    return named


@pytest.fixture
def cases() -> Cases:
    return cases_of(INGRESS)


def test_all_eight_connection_lists_are_present(cases: Cases) -> None:
    assert len(CASES) == 8
    assert set(INVALID) <= set(CASES)
    for case in CASES:
        assert cases.input(INGRESS, case).is_dir(), case
        assert cases.expected(INGRESS, case).is_file(), case
    if not cases.clone:  # a copy holds these cases and no other
        folder = cases.root / INGRESS
        assert sorted(p.name for p in folder.iterdir() if (p / "expected_connlist.txt").is_file()) == CASES


@pytest.mark.parametrize("case", CASES)
def test_connections_match_expected_output(case: str, cases: Cases, runner: CliRunner, tmp_path: Path) -> None:
    source = cases.input(INGRESS, case)
    if case in INVALID:
        rejected = runner.invoke(main, ["connections", str(source), *PEER_KNOBS])
        assert rejected.exit_code == 2, rejected.output
        reported = [line for line in rejected.stderr.splitlines() if line.startswith("error: ")]
        assert len(reported) == INVALID[case]
        assert all(_MISSING_NAME.match(line) for line in reported), reported
        fixed = tmp_path / "input"
        shutil.copytree(source, fixed)
        assert _name_ports(fixed, reported) == INVALID[case]  # one fix per error, and nothing else changed
        source = fixed
    result = runner.invoke(main, ["connections", str(source), *PEER_KNOBS])
    assert result.exit_code == 0, result.output
    assert result.stdout == cases.expected(INGRESS, case).read_text()
