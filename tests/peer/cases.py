"""Where netpol-analyzer's reference cases are, for the tests of tests/peer/ (and one test of
tests/unit/test_loader_ingress.py).

The cases are test data of np-guard/netpol-analyzer (Apache-2.0) at commit ``UPSTREAM_COMMIT``. They
are not in this repository: docs/peer-differences.md, "Getting the cases", says how to get them. The
tests take them from the first of:

1. the directory named by the environment variable ``NETSIM_PEER_CASES``, in either layout:

   * **a clone of netpol-analyzer** (it has ``tests/`` and ``test_outputs/connlist/``): case C's
     manifests are the folder ``tests/C/``, its expected connection list is
     ``test_outputs/connlist/C_connlist_output.txt`` and its expected exposure analysis
     ``test_outputs/connlist/C_exposure_output.txt``;
   * **a folder per family** (``netpol-analyzer/``, ``netpol-analyzer-anp/``,
     ``netpol-analyzer-exposure/``, ``netpol-analyzer-ingress/``): case C's manifests are
     ``FAMILY/C/input/`` (``FAMILY/explain-only/C/input/`` for a case upstream checks only with
     ``--explain``), its expected files ``FAMILY/C/expected_connlist.txt`` and
     ``FAMILY/C/expected_exposure.txt``, copied unchanged from the two upstream paths above;

2. the folder-per-family copy that the team's workspace and CI keep beside the checkout, in
   ``../shared/peer-cases`` (``_TEAM_COPY``; it is not part of the repository, so an outside
   contributor does not have it).

Without either, every test that needs the cases is skipped with ``SKIP_REASON``, which says how to
get them. A ``NETSIM_PEER_CASES`` that holds neither layout is an error, not a skip.

The case lists are fixed here (the names of upstream's ``tests/`` folders), so a clone, which holds
many more cases, runs the same tests as the copy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO

ENV = "NETSIM_PEER_CASES"
UPSTREAM = "https://github.com/np-guard/netpol-analyzer"
UPSTREAM_COMMIT = "e54a33430edb4a86f077544a5d15afb050e8a3c3"
# The team's copy: present in the team's workspace and in CI, absent in a user's clone.
_TEAM_COPY = REPO.parent / "shared" / "peer-cases"

SKIP_REASON = (
    f"netpol-analyzer's test data is not here: set {ENV} to a clone of {UPSTREAM} at commit "
    f"{UPSTREAM_COMMIT[:12]} (see docs/peer-differences.md, 'Getting the cases')"
)

PLAIN = "netpol-analyzer"
ANP = "netpol-analyzer-anp"
EXPOSURE = "netpol-analyzer-exposure"
INGRESS = "netpol-analyzer-ingress"
FAMILIES = (PLAIN, ANP, EXPOSURE, INGRESS)

#: NetworkPolicy connection lists (``expected_connlist.txt``)
PLAIN_CASES = (
    "core_pods_without_host_ip",
    "example_pods_w_same_owner_and_labels_gap_no_policy",
    "example_pods_w_same_owner_and_labels_gap_with_good_match_expression",
    "example_pods_w_same_owner_and_labels_gap_with_good_match_expression2",
    "example_pods_w_same_owner_and_labels_gap_with_policy_selector_not_in_gap",
    "ipblockstest",
    "ipblockstest_2",
    "ipblockstest_3",
    "ipblockstest_4",
    "minikube_resources",
    "minimal_test_in_ns",
    "multiple_topology_resources_1",
    "multiple_topology_resources_2",
    "multiple_topology_resources_3",
    "multiple_topology_resources_4",
    "netpol-analysis-example-minimal",
    "netpol_named_port_test",
    "netpol_named_port_test_2",
    "new_online_boutique",
    "new_online_boutique_synthesis",
    "online_boutique_workloads_no_ns",
    "onlineboutique",
    "onlineboutique_workloads",
    "semanticDiff-different-topologies-policy-a",
    "semanticDiff-different-topologies-policy-a-with-ipblock",
    "semanticDiff-different-topologies-policy-b",
    "semanticDiff-different-topologies-policy-b-with-ipblock",
    "semanticDiff-orig-topologies-no-policy",
    "semanticDiff-orig-topologies-policy-a",
    "semanticDiff-same-topologies-new1",
    "semanticDiff-same-topologies-new1a",
    "semanticDiff-same-topologies-new2",
    "semanticDiff-same-topologies-new3",
    "semanticDiff-same-topologies-old1",
    "semanticDiff-same-topologies-old2",
    "semanticDiff-same-topologies-old3",
    "test_with_named_ports",
    "test_with_named_ports_changed_netpol",
    "test_with_named_ports_changed_netpol_2",
    "with_end_port_example",
)

#: AdminNetworkPolicy / BaselineAdminNetworkPolicy connection lists
ANP_CASES = (
    "anp_and_banp_using_networks_and_nodes_test",
    "anp_and_banp_using_networks_test",
    "anp_and_banp_using_networks_with_ipv6_test",
    "anp_banp_blog_demo",
    "anp_banp_core_test",
    "anp_banp_test_multiple_warnings",
    "anp_banp_test_with_named_port_matched",
    "anp_banp_test_with_named_port_unmatched",
    "anp_demo",
    "anp_np_banp_core_test",
    "anp_test_10",
    "anp_test_10_swapping_rules",
    "anp_test_11",
    "anp_test_11_swapping_rules",
    "anp_test_12",
    "anp_test_12_swapping_rules",
    "anp_test_1_deny_traffic_at_cluster_level",
    "anp_test_2_allow_traffic_at_cluster_level",
    "anp_test_3_pass_traffic",
    "anp_test_4",
    "anp_test_4_with_priority_chang_pass_to_banp",
    "anp_test_5",
    "anp_test_6",
    "anp_test_6_swapping_rules",
    "anp_test_7",
    "anp_test_7_swapping_rules",
    "anp_test_8",
    "anp_test_8_swapping_rules",
    "anp_test_9",
    "anp_test_9_swapping_rules",
    "anp_test_combining_test_6_and_test_10",
    "anp_test_ingress_egress_intersection",
    "anp_test_multiple_anps",
    "anp_test_named_ports_multiple_peers",
    "anp_with_banp_new_test",
    "anp_with_banp_pass_test",
    "anp_with_np_and_banp_pass_test",
    "anp_with_np_pass_test",
    "banp_test_core_egress_sctp_rules",
    "banp_test_core_egress_sctp_swapping_rules",
    "banp_test_core_egress_tcp_rules",
    "banp_test_core_egress_tcp_swapping_rules",
    "banp_test_core_egress_udp_rules",
    "banp_test_core_egress_udp_swapping_rules",
    "banp_test_core_gress_rules",
    "banp_test_core_gress_swapping_rules",
    "banp_test_core_ingress_sctp_rules",
    "banp_test_core_ingress_sctp_swapping_rules",
    "banp_test_core_ingress_tcp_rules",
    "banp_test_core_ingress_tcp_swapping_rules",
    "banp_test_core_ingress_udp_rules",
    "banp_test_core_ingress_udp_swapping_rules",
    "example_pods_w_same_owner_and_labels_gap_anp_good",
    "example_pods_w_same_owner_and_labels_gap_banp_good",
)

#: exposure analyses the peer printed with ``--exposure`` alone (``expected_exposure.txt``)
EXPOSURE_CASES = (
    "exposure_allow_all_in_cluster_test",
    "exposure_allow_all_test",
    "exposure_allow_egress_deny_ingress_test",
    "exposure_allow_ingress_deny_egress_test",
    "exposure_test_conn_entire_cluster_with_empty_selectors",
    "exposure_test_conn_to_all_pods_in_a_new_ns",
    "exposure_test_conn_to_all_pods_in_an_existing_ns",
    "exposure_test_conn_to_all_pods_in_an_existing_ns_with_ns_selector_only",
    "exposure_test_conn_to_new_pod_in_an_existing_ns",
    "exposure_test_conn_with_new_pod_selector_and_ns_selector",
    "exposure_test_conn_with_only_pod_selector",
    "exposure_test_conn_with_pod_selector_in_any_ns",
    "exposure_test_egress_to_entire_cluster_with_named_ports",
    "exposure_test_egress_with_named_port",
    "exposure_test_egress_with_named_port_with_matching_pod",
    "exposure_test_ingress_from_entire_cluster_with_named_ports",
)

#: Ingress / OpenShift Route connection lists
INGRESS_CASES = (
    "acs-security-demos",
    "acs-security-demos-with-netpol-list",
    "acs_security_frontend_demos",
    "demo_app_with_routes_and_ingress",
    "k8s_ingress_test",
    "multiple_ingress_objects_with_different_ports",
    "one_ingress_multiple_ports",
    "one_ingress_multiple_services",
)
#: Ingress / Route cases upstream checks only with ``--explain`` (their manifests are read all the same)
INGRESS_EXPLAIN_ONLY = (
    "k8s_ingress_test_new",
    "multiple_ingress_objects_with_different_ports_new",
    "onlineboutique_workloads_with_ingress",
    "route_example_with_target_port",
)


@dataclass(frozen=True)
class Cases:
    """The cases under ``root``: a clone of netpol-analyzer (``clone``) or a folder per family."""

    root: Path
    clone: bool

    def has(self, family: str) -> bool:
        return self.clone or (self.root / family).is_dir()

    def input(self, family: str, case: str, *, explain_only: bool = False) -> Path:
        """The folder of a case's manifests."""
        if self.clone:
            return self.root / "tests" / case
        return self.root / family / ("explain-only" if explain_only else "") / case / "input"

    def expected(self, family: str, case: str, output: str = "connlist") -> Path:
        """A case's expected output: ``connlist`` (the connection list) or ``exposure``."""
        if self.clone:
            return self.root / "test_outputs" / "connlist" / f"{case}_{output}_output.txt"
        return self.root / family / case / f"expected_{output}.txt"


def _layout(root: Path) -> Cases | None:
    if (root / "tests").is_dir() and (root / "test_outputs" / "connlist").is_dir():
        return Cases(root, clone=True)
    if any((root / family).is_dir() for family in FAMILIES):
        return Cases(root, clone=False)
    return None


def find() -> Cases | None:
    """The cases, from ``NETSIM_PEER_CASES`` or the team's copy; None when neither is there.
    Fails the test when ``NETSIM_PEER_CASES`` names a folder of neither layout."""
    named = os.environ.get(ENV)
    if named:
        cases = _layout(Path(named).expanduser().resolve())
        if cases is None:
            pytest.fail(
                f"{ENV}={named} is neither a clone of {UPSTREAM} (with tests/ and test_outputs/connlist/) "
                f"nor a folder of {', '.join(f + '/' for f in FAMILIES)}: see docs/peer-differences.md, "
                "'Getting the cases'"
            )
        return cases
    return _layout(_TEAM_COPY) if _TEAM_COPY.is_dir() else None


def cases_of(family: str) -> Cases:
    """The cases of ``family``, or skip the test (with ``SKIP_REASON``) when they are not here."""
    cases = find()
    if cases is None or not cases.has(family):
        pytest.skip(SKIP_REASON)
    return cases
