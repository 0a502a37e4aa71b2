"""Agreement with netpol-analyzer's 40 NetworkPolicy reference cases (``PLAIN_CASES``; where they
come from and how to get them: tests/peer/cases.py and docs/peer-differences.md).

The peer's expected outputs assume two plugin choices that Kubernetes leaves open: ipBlocks never
select pods (``--no-ipblock-pods``) and hostNetwork pods are ordinary pods (``--host-network
pod``). With those knobs netsim must print every expected file byte for byte. Five cases hold
manifests the API server rejects; netsim reports them (asserted exactly here) and agrees once the
minimal fix is applied. docs/peer-differences.md explains each difference.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.conftest import GoldenCheck
from tests.peer.cases import PLAIN, PLAIN_CASES, Cases, cases_of

PEER_KNOBS = ["--no-ipblock-pods", "--host-network", "pod", "--no-replica-traffic"]


def _underscore_names(folder: Path) -> None:
    """Policy names with '_' are not DNS-1123 subdomains; use '-' instead."""
    for f in folder.glob("*.yaml"):
        f.write_text(re.sub(r"(?m)^(  name: use[a-z_-]*)$", lambda m: m.group(1).replace("_", "-"), f.read_text()))


def _drop_broken_port(folder: Path) -> None:
    """A container port written `containerport:` has no containerPort; remove that entry."""
    f = folder / "pods.yaml"
    f.write_text(
        f.read_text().replace("        - name: udps\n          containerport: 3535\n          protocol: UDP\n", "")
    )


_NAME_ERR = (
    'metadata.name: Invalid value: "{name}": a lowercase RFC 1123 subdomain must consist of lower case '
    "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
    "'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_PORT_ERR = "pods.yaml:31:11: spec.template.spec.containers[0].ports[1].containerPort: Required value"

# case -> (an error netsim must report, the minimal fix after which it must agree)
INVALID: dict[str, tuple[str, Callable[[Path], None]]] = {
    "example_pods_w_same_owner_and_labels_gap_with_good_match_expression": (
        "netpol.yaml:4:9: " + _NAME_ERR.format(name="use_common_labels_same_values"),
        _underscore_names,
    ),
    "example_pods_w_same_owner_and_labels_gap_with_good_match_expression2": (
        "netpol.yaml:4:9: " + _NAME_ERR.format(name="use_match_exp_with_all_gap_values_of_app"),
        _underscore_names,
    ),
    "example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap": (
        "netpol.yaml:4:9: " + _NAME_ERR.format(name="use_common_labels_same_values"),
        _underscore_names,
    ),
    "netpol_named_port_test": (_PORT_ERR, _drop_broken_port),
    "netpol_named_port_test_2": (_PORT_ERR, _drop_broken_port),
}


@pytest.fixture
def cases() -> Cases:
    return cases_of(PLAIN)


def test_all_forty_cases_are_present(cases: Cases) -> None:
    assert len(PLAIN_CASES) == 40
    assert set(INVALID) <= set(PLAIN_CASES)
    for case in PLAIN_CASES:
        assert cases.input(PLAIN, case).is_dir(), case
        assert cases.expected(PLAIN, case).is_file(), case
    if not cases.clone:  # a copy holds these cases and no other
        assert sorted(p.name for p in (cases.root / PLAIN).iterdir() if (p / "input").is_dir()) == list(PLAIN_CASES)


@pytest.mark.parametrize("case", PLAIN_CASES)
def test_connections_match_expected_output(case: str, cases: Cases, runner: CliRunner, tmp_path: Path) -> None:
    expected = cases.expected(PLAIN, case).read_text()
    source = cases.input(PLAIN, case)
    if case in INVALID:
        error, fix = INVALID[case]
        bad = runner.invoke(main, ["connections", *PEER_KNOBS, str(source)])
        assert bad.exit_code == 2
        assert bad.stdout == ""
        assert f"error: {source}/{error}" in bad.stderr.splitlines()
        fixed = tmp_path / "input"
        shutil.copytree(source, fixed)
        fix(fixed)
        source = fixed
    result = runner.invoke(main, ["connections", *PEER_KNOBS, str(source)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


def test_hostnetwork_default_differs_as_documented(cases: Cases, runner: CliRunner, golden: GoldenCheck) -> None:
    """By default hostNetwork pods are their node (docs/semantics.md, "hostNetwork pods"): never
    isolated, never selected. In this case every pod is a hostNetwork DaemonSet pod, so the policies
    have no effect and everything is allowed; the peer applies them as if the pods were ordinary."""
    case = "semanticDiff-same-topologies-new1"
    result = runner.invoke(main, ["connections", "--no-ipblock-pods", str(cases.input(PLAIN, case))])
    assert result.exit_code == 0
    golden(Path(__file__).parent / "golden" / f"{case}.default.txt", result.stdout)
    lines = result.stdout.splitlines()
    assert all(line.endswith(": All Connections") for line in lines)
    assert len(lines) == 12  # 3 workloads: 6 pairs + 3 from and 3 to the outside
