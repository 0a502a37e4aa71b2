"""Agreement with netpol-analyzer's 54 AdminNetworkPolicy / BaselineAdminNetworkPolicy reference cases
(``ANP_CASES``; where they come from and how to get them: tests/peer/cases.py and
docs/peer-differences.md, which also explains the peer's choices).

The knobs are those of tests/peer/test_peer_cases.py: the peer never matches an ipBlock against a
pod (``--no-ipblock-pods``), treats hostNetwork pods as ordinary pods (``--host-network pod``), and
counts a workload as one pod (``--no-replica-traffic``). With them netsim prints:

* 30 expected files byte for byte (``MATCHING``);
* 20 more byte for byte once a minimal fix is applied to manifests the API server rejects
  (``INVALID``: netsim reports each of them, asserted exactly here):

  - 16 cases have a v1alpha1 ``pods`` subject or peer without ``podSelector`` or
    ``namespaceSelector``; the CRD requires both (``...pods.podSelector: Required value``). The peer
    decodes leniently and reads a missing selector as the empty one; the fix writes it as ``{}``.
  - 3 cases have a Deployment whose ``selector`` (``app: sensitive`` or ``app: monitoring``) does not
    select its own template's labels (``app: bar``): "`selector` does not match template `labels`".
    The fix makes the selector ``app: bar``; the pods keep their labels, so the connections are the same.
  - ``anp_test_named_ports_multiple_peers`` has a ``namedPort`` in an egress rule with a ``networks``
    peer, which the experimental CRD's CEL rule rejects (the standard CRD has no ``namedPort``). The
    fix moves the named port into a rule of its own with the same action and only the ``pods`` peer:
    the peer skips named ports towards IP ranges, so the rules mean the same.

Four cases differ and are **not** compared byte for byte (``DIFFERING``); the lead decides:

* ``anp_and_banp_using_networks_test`` and ``anp_and_banp_using_networks_and_nodes_test``: the
  workloads have no IP in the manifests. A ``networks`` CIDR also matches pod addresses
  (network-policy-api: cluster-internal traffic is checked against the rule as well), so netsim
  cannot say whether pod-to-pod traffic falls under a ``networks`` rule and lists it as ``=?>``; and
  a ``nodes`` peer may match an external address that is the address of a Node the input does not
  list (there are no Node objects), so egress to external ranges is ``=?>`` too. The peer never
  matches ``networks`` against pods and ignores ``nodes`` peers (a defect by the API's definition).
  With ``--closed-world`` (what the input does not give is absent) netsim agrees byte for byte.
* ``anp_and_banp_using_networks_with_ipv6_test`` and ``anp_banp_test_multiple_warnings``: the same,
  and their ``networks`` have IPv6 CIDRs, which the peer skips ("IPv6 addresses are not supported"):
  netsim also lists the IPv6 external ranges. With ``--closed-world`` netsim's IPv4 lines are the
  expected file byte for byte.

``test_the_differences_are_as_documented`` asserts exactly that, so a change of either shows.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.peer.cases import ANP, ANP_CASES, Cases, cases_of

CASES = list(ANP_CASES)
PEER_KNOBS = ["--no-ipblock-pods", "--host-network", "pod", "--no-replica-traffic"]

#: a v1alpha1 ``pods:`` subject or peer written in block style (its selectors on the lines below)
_PODS = re.compile(r"^(?P<indent> *)(?P<dash>- )?pods: *(#.*)?$")
_MISSING_SELECTOR = re.compile(
    r"^error: .+\.yaml:\d+:\d+: spec\.(subject|(ingress|egress)\[\d+\]\.(from|to)\[\d+\])\.pods\."
    r"(namespaceSelector|podSelector): Required value$"
)


def _add_empty_selectors(folder: Path) -> int:
    """Write the selectors a ``pods:`` subject or peer leaves out as ``{}`` (what the peer reads);
    returns how many were added. Line endings (CRLF in most of these files) are kept."""
    added = 0
    for f in sorted(folder.glob("*.yaml")):
        lines = f.read_bytes().decode().splitlines(keepends=True)
        out: list[str] = []
        for i, line in enumerate(lines):
            out.append(line)
            m = _PODS.match(line.rstrip("\r\n"))
            if m is None:
                continue
            eol = line[len(line.rstrip("\r\n")) :]
            parent = len(m["indent"]) + (2 if m["dash"] else 0)
            block: list[str] = []
            for below in lines[i + 1 :]:
                if below.strip() and len(below) - len(below.lstrip()) <= parent:
                    break
                block.append(below)
            depth = min(len(b) - len(b.lstrip()) for b in block if b.strip())
            keys = {b.strip().split(":")[0] for b in block if b.strip() and len(b) - len(b.lstrip()) == depth}
            for key in ("namespaceSelector", "podSelector"):
                if key not in keys:
                    out.append(" " * depth + key + ": {}" + eol)
                    added += 1
        f.write_bytes("".join(out).encode())
    return added


def _named_port_rule_of_its_own(folder: Path) -> int:
    """Move ``namedPort: dns`` out of the rule with a ``networks`` peer, into a rule with the same
    action and only that rule's ``pods`` peer."""
    f = folder / "policies.yaml"
    text = f.read_text()
    own_rule = (
        '  - action: "Allow"\n'
        '    name: "allow-egress-named-port"\n'
        "    to:\n"
        "    - pods:\n"
        "        namespaceSelector:\n"
        "          matchLabels:\n"
        "            apps: external-apps\n"
        "        podSelector:\n"
        "          matchLabels:\n"
        "            app: web\n"
        "    ports:\n"
        "    - namedPort: dns\n"
    )
    assert text.count("    - namedPort: dns\n") == 1
    f.write_text(text.replace("    - namedPort: dns\n", own_rule))
    return 1


def _select_the_template(folder: Path) -> int:
    """Make a Deployment's selector (``matchLabels: {app: X}``) select its own template
    (``app: bar``, at the line the error names), which the API server requires; the pods keep their
    labels, so the connections are the same. Line endings (CRLF in some files) are kept."""
    f = folder / "deployments.yaml"
    lines = f.read_bytes().decode().splitlines(keepends=True)
    template, selector = lines[128], lines[124]  # lines 129 and 125: see _SELECTOR_ERROR
    assert template.strip() == "app: bar"
    assert lines[123].strip() == "matchLabels:"
    assert selector.strip().startswith("app: ")
    eol = selector[len(selector.rstrip("\r\n")) :]
    lines[124] = selector[: selector.index("app: ")] + "app: bar" + eol
    f.write_bytes("".join(lines).encode())
    return 1


_SELECTOR_ERROR = re.compile(
    r"^error: .+/deployments\.yaml:129:9: spec\.template\.metadata\.labels: Invalid value: "
    r'map\[string\]string\{"app":"bar"\}: `selector` does not match template `labels`$'
)

_NAMED_PORT_ERROR = (
    'error: {source}/policies.yaml:10:5: spec.egress[0]: Invalid value: "object": networks/nodes/domainNames peer '
    "cannot be set with namedPorts since there are no namedPorts for networks/nodes/domainNames"
)

MISSING_SELECTORS = [
    "anp_demo",
    "anp_test_3_pass_traffic",
    "anp_test_8",
    "anp_test_8_swapping_rules",
    "anp_test_9",
    "anp_test_9_swapping_rules",
    "anp_test_10",
    "anp_test_10_swapping_rules",
    "anp_test_11",
    "anp_test_11_swapping_rules",
    "anp_test_12",
    "anp_test_12_swapping_rules",
    "anp_test_combining_test_6_and_test_10",
    "anp_test_multiple_anps",
    "example_pods_w_same_owner_and_labels_gap_anp_good",
    "example_pods_w_same_owner_and_labels_gap_banp_good",
]
SELECTOR_MISSES_TEMPLATE = [
    "anp_test_1_deny_traffic_at_cluster_level",
    "anp_test_2_allow_traffic_at_cluster_level",
    "anp_test_ingress_egress_intersection",
]
# case -> the fix (returning how many things it fixed: one error each)
INVALID: dict[str, Callable[[Path], int]] = {
    **dict.fromkeys(MISSING_SELECTORS, _add_empty_selectors),
    **dict.fromkeys(SELECTOR_MISSES_TEMPLATE, _select_the_template),
    "anp_test_named_ports_multiple_peers": _named_port_rule_of_its_own,
}
# case -> whether its expected file leaves out the IPv6 lines netsim prints (see the docstring)
DIFFERING: dict[str, bool] = {
    "anp_and_banp_using_networks_test": False,
    "anp_and_banp_using_networks_and_nodes_test": False,
    "anp_and_banp_using_networks_with_ipv6_test": True,
    "anp_banp_test_multiple_warnings": True,
}
MATCHING = [c for c in CASES if c not in INVALID and c not in DIFFERING]


@pytest.fixture
def cases() -> Cases:
    return cases_of(ANP)


def test_all_fifty_four_cases_are_present_and_sorted_into_one_group(cases: Cases) -> None:
    assert len(CASES) == 54
    for case in CASES:
        assert cases.input(ANP, case).is_dir(), case
        assert cases.expected(ANP, case).is_file(), case
    if not cases.clone:  # a copy holds these cases and no other
        assert sorted(p.name for p in (cases.root / ANP).iterdir() if (p / "expected_connlist.txt").is_file()) == CASES
    assert set(INVALID) | set(DIFFERING) <= set(CASES)
    assert not set(INVALID) & set(DIFFERING)
    assert (len(MATCHING), len(INVALID), len(DIFFERING)) == (30, 20, 4)


@pytest.mark.parametrize("case", sorted([*MATCHING, *INVALID]))
def test_connections_match_expected_output(case: str, cases: Cases, runner: CliRunner, tmp_path: Path) -> None:
    expected = cases.expected(ANP, case).read_text()
    source = cases.input(ANP, case)
    if case in INVALID:
        bad = runner.invoke(main, ["connections", *PEER_KNOBS, str(source)])
        assert bad.exit_code == 2
        assert bad.stdout == ""
        reported = [line for line in bad.stderr.splitlines() if line.startswith("error: ")]
        if INVALID[case] is _named_port_rule_of_its_own:
            assert reported == [_NAMED_PORT_ERROR.format(source=source)]
        elif INVALID[case] is _select_the_template:
            assert all(_SELECTOR_ERROR.match(line) for line in reported), reported
        else:
            assert all(_MISSING_SELECTOR.match(line) for line in reported), reported
        fixed = tmp_path / "input"
        shutil.copytree(source, fixed)
        assert INVALID[case](fixed) == len(reported)  # one fix per error, and nothing else changed
        source = fixed
    result = runner.invoke(main, ["connections", *PEER_KNOBS, str(source)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected


@pytest.mark.parametrize("case", sorted(DIFFERING))
def test_the_differences_are_as_documented(case: str, cases: Cases, runner: CliRunner) -> None:
    expected = cases.expected(ANP, case).read_text()
    source = str(cases.input(ANP, case))
    open_world = runner.invoke(main, ["connections", *PEER_KNOBS, source], catch_exceptions=False)
    assert open_world.exit_code == 0
    assert open_world.stdout != expected
    assert " =?> " in open_world.stdout  # answers the manifests leave open
    closed = runner.invoke(main, ["connections", *PEER_KNOBS, "--closed-world", source], catch_exceptions=False)
    assert closed.exit_code == 0
    if DIFFERING[case]:
        ipv4 = [line for line in closed.stdout.splitlines(keepends=True) if "::" not in line]
        assert len(ipv4) < len(closed.stdout.splitlines())  # the IPv6 ranges the peer does not list
        assert "".join(ipv4) == expected
    else:
        assert closed.stdout == expected
