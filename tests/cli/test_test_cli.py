"""`netsim test` through click's CliRunner: exit codes, the report, JUnit XML (parsed), and every
bundled scenario's expectations run through the command.

Tests run in tmp_path and name files relatively, so positions read as a user sees them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from netsim.expectations import load_expectations
from tests.cli.open_world_inputs import CIDR_CLUSTER
from tests.conftest import REPO, SCENARIOS

MANIFESTS = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec:
  containers:
    - name: web
      ports: [{name: http, containerPort: 8080}]
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  containers:
    - name: db
      ports: [{name: pg, containerPort: 5432}]
status: {podIP: 10.0.1.20}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: pg}]
"""

PASSING = """\
cases:
  - name: web reaches db
    from: shop/web
    to: shop/db
    port: 5432
    expect: allow
  - name: only web reaches db on pg
    to: shop/db
    port: pg
    only_from: shop/app=web
"""

MIXED = """\
cases:
  - name: web reaches db
    from: shop/web
    to: shop/db
    port: pg
    expect: allow
  - name: db reaches web on 5432
    from: shop/db
    to: shop/web
    port: 5432
    expect: deny
  - name: shop is isolated
    isolated: shop
  - name: only web reaches db
    to: shop/db
    only_from: shop/app=web
"""


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    Path("cluster.yaml").write_text(MANIFESTS, encoding="utf-8")
    Path("passing.yaml").write_text(PASSING, encoding="utf-8")
    Path("mixed.yaml").write_text(MIXED, encoding="utf-8")
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["test", *args], catch_exceptions=False)


# -- exit codes and the report ---------------------------------------------------------------------------


def test_all_pass_exits_0() -> None:
    result = run("passing.yaml", "cluster.yaml")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "PASS  web reaches db  (passing.yaml:2)\n"
        "PASS  only web reaches db on pg  (passing.yaml:7)  [2 pairs]\n"
        "2 cases in 1 file: 2 passed, 0 failed\n"
    )


def test_a_failure_exits_1_and_explains_itself() -> None:
    result = run("mixed.yaml", "cluster.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "PASS  web reaches db  (mixed.yaml:2)\n"
        "FAIL  db reaches web on 5432  (mixed.yaml:7)\n"
        "      shop/db -> shop/web 5432/TCP: allowed, expected denied\n"
        "      why:\n"
        "        shop/db -> shop/web 5432/TCP: ALLOWED\n"
        "          egress  at shop/db: not isolated: no policy selects shop/db for Egress -> allowed\n"
        "          ingress at shop/web: not isolated: no policy selects shop/web for Ingress -> allowed\n"
        "          => allowed: egress and ingress both allow it\n"
        "FAIL  shop is isolated  (mixed.yaml:12)  [2 pods]\n"
        "      2 pods of namespace shop not isolated\n"
        "      shop/db is not isolated for Egress: no policy selects it for Egress\n"
        "      shop/web is not isolated for Ingress: no policy selects it for Ingress\n"
        "      shop/web is not isolated for Egress: no policy selects it for Egress\n"
        "PASS  only web reaches db  (mixed.yaml:14)  [2 pairs]\n"
        "4 cases in 1 file: 2 passed, 2 failed\n"
    )


def test_quiet_prints_failures_and_the_summary() -> None:
    lines = run("-q", "mixed.yaml", "cluster.yaml").stdout.splitlines()
    assert [line for line in lines if not line.startswith(" ")] == [
        "FAIL  db reaches web on 5432  (mixed.yaml:7)",
        "FAIL  shop is isolated  (mixed.yaml:12)  [2 pods]",
        "4 cases in 1 file: 2 passed, 2 failed",
    ]


def test_any_port_failure_names_the_port_it_is_explained_at() -> None:
    Path("any.yaml").write_text(
        "cases:\n  - {name: nothing from db, from: shop/db, to: shop/web, expect: deny}\n", encoding="utf-8"
    )
    lines = run("any.yaml", "cluster.yaml").stdout.splitlines()
    assert lines[1:4] == [
        "      shop/db -> shop/web any port: allowed All Connections, expected nothing allowed",
        "      why (at 1/TCP, one of the ports it allows):",
        "        shop/db -> shop/web 1/TCP: ALLOWED",
    ]


def test_several_files_and_folders_in_any_order(in_tmp: Path) -> None:
    Path("manifests").mkdir()
    Path("cluster.yaml").rename("manifests/cluster.yaml")
    result = run("manifests", "passing.yaml", "mixed.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "6 cases in 2 files: 4 passed, 2 failed"


def test_expectations_files_inside_a_manifest_folder_are_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    folder = "scenarios/production-hardening"
    result = run("-q", f"{folder}/expect.yaml", folder)
    assert result.exit_code == 0, result.stderr
    n = len(load_expectations(f"{folder}/expect.yaml"))
    assert result.stdout == f"{n} cases in 1 file: {n} passed, 0 failed\n"
    # the folder is read as every command reads one (tests/cli/test_real_repositories_cli.py)
    assert result.stderr == (
        f"warning: skipped 1 file that holds no Kubernetes objects: {folder}/expect.yaml (netsim test expectations)\n"
    )


def test_a_folder_of_expectations_only_is_not_manifests() -> None:
    Path("specs").mkdir()
    Path("specs/more.yaml").write_text(PASSING, encoding="utf-8")
    result = run("passing.yaml", "specs")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: specs: no Kubernetes objects in directory, only files that hold none: specs/more.yaml "
        "(netsim test expectations)\n"
        "netsim: 1 input error; nothing was evaluated\n"
    )


# -- bad input: exit 2 -----------------------------------------------------------------------------------------


def test_invalid_expectations_are_all_reported() -> None:
    Path("bad.yaml").write_text(
        "cases:\n  - {name: a, from: shop/web, to: shop/db, port: 0, expect: allow}\n"
        "  - {name: b, isolated: shop, direction: up}\n",
        encoding="utf-8",
    )
    result = run("bad.yaml", "passing.yaml", "cluster.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: bad.yaml:2:50: cases[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n"
        'error: bad.yaml:3:42: cases[1].direction: Unsupported value: "up": supported values: '
        '"ingress", "egress", "both"\n'
        "netsim: 2 input errors; nothing was evaluated\n"
    )


def test_expectation_and_manifest_errors_are_reported_together() -> None:
    Path("bad.yaml").write_text("cases:\n  - {name: a, isolated: shop, port: 80}\n", encoding="utf-8")
    Path("broken.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {namespace: shop}\n", encoding="utf-8")
    result = run("bad.yaml", "broken.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        'error: bad.yaml:2:31: cases[0].port: Forbidden: may not be set with "isolated"\n'
        "error: broken.yaml:3:11: metadata.name: Required value: name or generateName is required\n"
        "netsim: 2 input errors; nothing was evaluated\n"
    )


IPV6 = """\
cases:
  - name: the IPv6 internet reaches web
    from: "2001:db8::/32"
    to: shop/web
    port: 8080
    expect: allow
  - name: an IPv6 address reaches web
    from: "2001:db8::5"
    to: shop/web
    port: 8080
    expect: allow
  - name: db accepts pg from no IPv6 address
    from: "::/0"
    to: shop/db
    port: pg
    expect: deny
  - name: some IPv6 address reaches db
    from: "::/0"
    to: shop/db
    expect: allow
"""


def test_ipv6_cidrs_and_addresses_are_endpoints() -> None:
    # cluster.yaml has no IPv6 address: the cases that name IPv6 are checked against its space
    Path("ipv6.yaml").write_text(IPV6, encoding="utf-8")
    result = run("ipv6.yaml", "cluster.yaml")
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout == (
        "PASS  the IPv6 internet reaches web  (ipv6.yaml:2)\n"
        "PASS  an IPv6 address reaches web  (ipv6.yaml:7)\n"
        "PASS  db accepts pg from no IPv6 address  (ipv6.yaml:12)\n"
        "FAIL  some IPv6 address reaches db  (ipv6.yaml:17)\n"
        "      ::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff -> shop/db any port: nothing allowed, "
        "expected some connection allowed\n"
        "      why (at 5432/TCP; every port is denied):\n"
        "        :: -> shop/db 5432/TCP: DENIED\n"
        "          egress  at ::: :: is not a pod, so no NetworkPolicy applies to it -> allowed\n"
        "          ingress at shop/db: isolated by shop/db-from-web (cluster.yaml:19:1) "
        "[policyTypes defaulted to Ingress] -> denied\n"
        "            x shop/db-from-web spec.ingress[0] (cluster.yaml:25:7): source not matched: "
        ":: is not a pod; a selector only selects pods\n"
        "                note: named port 'pg' is TCP 5432 on shop/db\n"
        "          => denied at ingress\n"
        "4 cases in 1 file: 3 passed, 1 failed\n"
    )


def test_names_that_resolve_to_nothing_exit_2() -> None:
    Path("typo.yaml").write_text(
        "cases:\n  - {name: a, from: shop/webb, to: shop/db, port: 80, expect: deny}\n", encoding="utf-8"
    )
    result = run("typo.yaml", "cluster.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: typo.yaml:2:21: cases[0].from: unknown endpoint 'shop/webb': no such pod or workload; "
        "did you mean 'shop/web', 'shop/db'?\n"
        "netsim: 1 input error; nothing was evaluated\n"
    )


def test_no_expectations_file_is_a_usage_error() -> None:
    result = run("cluster.yaml")
    assert result.exit_code == 2
    assert "no expectations file among the arguments" in result.stderr


def test_no_manifests_is_a_usage_error() -> None:
    result = run("passing.yaml")
    assert result.exit_code == 2
    assert "no manifests among the arguments" in result.stderr


# -- JUnit XML --------------------------------------------------------------------------------------------------


def test_junit_report(in_tmp: Path) -> None:
    result = run("mixed.yaml", "passing.yaml", "cluster.yaml", "--junit", "report.xml")
    assert result.exit_code == 1
    data = Path("report.xml").read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n")
    root = ET.fromstring(data)
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("name", "tests", "failures", "errors", "skipped")} == {
        "name": "netsim",
        "tests": "6",
        "failures": "2",
        "errors": "0",
        "skipped": "0",
    }
    suites = root.findall("testsuite")
    assert [(s.get("name"), s.get("tests"), s.get("failures")) for s in suites] == [
        ("mixed.yaml", "4", "2"),
        ("passing.yaml", "2", "0"),
    ]
    cases = suites[0].findall("testcase")
    assert [(c.get("name"), c.get("classname"), c.get("file"), c.get("line")) for c in cases] == [
        ("web reaches db", "mixed.yaml", "mixed.yaml", "2"),
        ("db reaches web on 5432", "mixed.yaml", "mixed.yaml", "7"),
        ("shop is isolated", "mixed.yaml", "mixed.yaml", "12"),
        ("only web reaches db", "mixed.yaml", "mixed.yaml", "14"),
    ]
    assert all(float(c.get("time", "x")) >= 0 for c in cases)
    assert [c.find("failure") is not None for c in cases] == [False, True, True, False]
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.get("message") == "shop/db -> shop/web 5432/TCP: allowed, expected denied"
    assert failure.text == (
        "shop/db -> shop/web 5432/TCP: allowed, expected denied\n"
        "why:\n"
        "  shop/db -> shop/web 5432/TCP: ALLOWED\n"
        "    egress  at shop/db: not isolated: no policy selects shop/db for Egress -> allowed\n"
        "    ingress at shop/web: not isolated: no policy selects shop/web for Ingress -> allowed\n"
        "    => allowed: egress and ingress both allow it\n"
    )
    isolation = cases[2].find("failure")
    assert isolation is not None
    assert isolation.get("message") == "2 pods of namespace shop not isolated"
    assert (isolation.text or "").splitlines()[1:] == [
        "shop/db is not isolated for Egress: no policy selects it for Egress",
        "shop/web is not isolated for Ingress: no policy selects it for Ingress",
        "shop/web is not isolated for Egress: no policy selects it for Egress",
    ]
    assert sorted(p.name for p in in_tmp.iterdir()) == ["cluster.yaml", "mixed.yaml", "passing.yaml", "report.xml"]


def test_junit_carries_names_xml_cannot_hold() -> None:
    Path("odd.yaml").write_text(
        'cases:\n  - {name: "bell \\a <&> \\u00e9", from: shop/db, to: shop/web, port: 80, expect: deny}\n',
        encoding="utf-8",
    )
    assert run("odd.yaml", "cluster.yaml", "--junit", "odd.xml").exit_code == 1
    [case] = ET.parse("odd.xml").getroot().iter("testcase")
    assert case.get("name") == "bell \ufffd <&> \u00e9"


def test_junit_is_written_when_everything_passes() -> None:
    assert run("passing.yaml", "cluster.yaml", "--junit", "ok.xml").exit_code == 0
    root = ET.parse("ok.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "0")
    assert root.findall(".//failure") == []


def test_junit_never_overwrites_an_input_nor_writes_into_nowhere() -> None:
    over = run("passing.yaml", "cluster.yaml", "--junit", "cluster.yaml")
    assert over.exit_code == 2
    assert over.stderr == "error: refusing to write cluster.yaml: it is one of the inputs\n"
    assert Path("cluster.yaml").read_text(encoding="utf-8") == MANIFESTS
    nowhere = run("passing.yaml", "cluster.yaml", "--junit", "no/such/dir/report.xml")
    assert nowhere.exit_code == 2
    assert nowhere.stderr == "error: cannot write no/such/dir/report.xml: directory no/such/dir does not exist\n"


# -- the bundled scenarios, through the command -------------------------------------------------------------------

EXPECT_FILES = sorted(SCENARIOS.rglob("expect.yaml"))


@pytest.mark.parametrize("expect_file", EXPECT_FILES, ids=lambda p: p.parent.relative_to(SCENARIOS).as_posix())
def test_scenario_expectations_pass_through_the_command(expect_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    folder = expect_file.parent.relative_to(REPO).as_posix()
    cases = load_expectations(f"{folder}/expect.yaml")
    result = run(f"{folder}/expect.yaml", f"{folder}/manifests")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{len(cases)} cases in 1 file: {len(cases)} passed, 0 failed"
    assert [line.split("  ")[1] for line in lines[:-1]] == [c.name for c in cases]
    assert all(line.startswith("PASS  ") for line in lines[:-1])


def test_there_are_scenarios_to_run() -> None:
    assert len(EXPECT_FILES) >= 5


# -- undetermined cases: exit status 3, what they depend on, --allow-undetermined ------------------------------

# shop/client is a Deployment (no IP in the input); prod/db admits the pod network 10.244.0.0/16 on
# 5432; (extra.yaml) a CiliumNetworkPolicy (not evaluated) selects edge/cache; prod/ledger has 3 replicas.
OPEN_WORLD = CIDR_CLUSTER

EXTRA = """\
apiVersion: v1
kind: Pod
metadata: {name: cache, namespace: edge, labels: {app: cache}}
status: {podIP: 10.244.1.6}
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: cache-l7, namespace: edge}
spec:
  endpointSelector:
    matchLabels: {app: cache}
  ingress:
    - fromEndpoints: [{matchLabels: {app: db}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: ledger, namespace: prod}
spec:
  replicas: 3
  serviceName: ledger
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers: [{name: ledger, ports: [{containerPort: 5432}]}]
"""

CIDR_TESTS = """\
cases:
  - name: client reaches db
    from: \"shop/client[Deployment]\"
    to: prod/db
    port: 5432
    expect: allow
"""

NO_IP = "no IP in the input; --pod-cidr gives the pod network"
CLIENT_IN_CIDR = f"shop/client[Deployment]'s IP is in 10.244.0.0/16 ({NO_IP})"
CILIUM = "CiliumNetworkPolicy edge/cache-l7 (extra.yaml:6:1) selects edge/cache for ingress and is not evaluated"
CILIUM_WARNING = (
    "warning: extra.yaml:6:1: CiliumNetworkPolicy edge/cache-l7 is not evaluated: netsim does not evaluate Cilium "
    "policies; answers about the pods it may select are undetermined (--ignore-unevaluated answers without it)\n"
)

CLIENT_TO_DB_REPORT = (
    "UNDETERMINED  client reaches db  (cidr-tests.yaml:2)\n"
    "      shop/client[Deployment] -> prod/db 5432/TCP: undetermined, expected allowed\n"
    "      depends on:\n"
    f"        - allowed if {CLIENT_IN_CIDR}\n"
    "      why:\n"
    "        shop/client[Deployment] -> prod/db 5432/TCP: UNDETERMINED\n"
    "          egress  at shop/client[Deployment]: not isolated: no policy selects shop/client[Deployment] for "
    "Egress -> allowed\n"
    "          ingress at prod/db: isolated by prod/allow-cidr (cidr.yaml:33:1) [policyTypes defaulted to Ingress] "
    "-> undetermined\n"
    "            ? prod/allow-cidr spec.ingress[0] (cidr.yaml:41:7): allows 5432/TCP if "
    f"{CLIENT_IN_CIDR}\n"
    f"          => undetermined: allowed if {CLIENT_IN_CIDR}\n"
)


@pytest.fixture
def open_world(in_tmp: Path) -> Path:
    Path("cidr.yaml").write_text(OPEN_WORLD, encoding="utf-8")
    Path("extra.yaml").write_text(EXTRA, encoding="utf-8")
    Path("cidr-tests.yaml").write_text(CIDR_TESTS, encoding="utf-8")
    return in_tmp


def cases(text: str) -> str:
    Path("cases.yaml").write_text("cases:\n" + text, encoding="utf-8")
    return "cases.yaml"


@pytest.mark.usefixtures("open_world")
def test_an_undetermined_case_exits_3_with_what_it_depends_on() -> None:
    result = run("cidr-tests.yaml", "cidr.yaml")
    assert (result.exit_code, result.stderr) == (3, "")
    assert result.stdout == CLIENT_TO_DB_REPORT + "1 case in 1 file: 0 passed, 0 failed, 1 undetermined\n"


@pytest.mark.usefixtures("open_world")
def test_the_undetermined_example_of_cli_md_is_what_netsim_prints() -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    shown = text.split("```text\nUNDETERMINED  client reaches db", 1)[1].split("```", 1)[0]
    result = run("cidr-tests.yaml", "cidr.yaml")
    assert "UNDETERMINED  client reaches db" + shown == result.stdout


@pytest.mark.usefixtures("open_world")
def test_allow_undetermined_reports_them_and_exits_0() -> None:
    result = run("cidr-tests.yaml", "cidr.yaml", "--allow-undetermined")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        CLIENT_TO_DB_REPORT + "1 case in 1 file: 0 passed, 0 failed, 1 undetermined (allowed by --allow-undetermined)\n"
    )


@pytest.mark.usefixtures("open_world")
@pytest.mark.parametrize(
    ("options", "code", "line"),
    [
        (["--pod-cidr", "10.244.0.0/16"], 0, "PASS  client reaches db  (cidr-tests.yaml:2)"),
        (["--pod-cidr", "192.168.0.0/16"], 1, "FAIL  client reaches db  (cidr-tests.yaml:2)"),
        (["--closed-world"], 1, "FAIL  client reaches db  (cidr-tests.yaml:2)"),
        (["--closed-world", "--allow-undetermined"], 1, "FAIL  client reaches db  (cidr-tests.yaml:2)"),
    ],
    ids=["pod-cidr-inside", "pod-cidr-outside", "closed-world", "a-failure-is-not-allowed"],
)
def test_the_options_of_every_command_settle_it(options: list[str], code: int, line: str) -> None:
    result = run("cidr-tests.yaml", "cidr.yaml", *options)
    assert result.exit_code == code
    assert result.stdout.splitlines()[0] == line


@pytest.mark.usefixtures("open_world")
def test_a_failure_exits_1_even_with_undetermined_cases_and_lists_both() -> None:
    spec = cases(
        '  - {name: client reaches db, from: "shop/client[Deployment]", to: prod/db, port: 5432, expect: allow}\n'
        "  - {name: only the pod network reaches db, to: prod/db, port: 5432, only_from: 10.244.0.0/16}\n"
        '  - {name: only client reaches db, to: prod/db, port: 5432, only_from: "shop/client[Deployment]"}\n'
    )
    result = run(spec, "cidr.yaml", "-q")
    assert (result.exit_code, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    assert [line for line in lines if not line.startswith(" ")] == [
        "UNDETERMINED  client reaches db  (cases.yaml:2)",
        "UNDETERMINED  only the pod network reaches db  (cases.yaml:3)  [4 pairs]",
        "FAIL  only client reaches db  (cases.yaml:4)  [4 pairs]",
        "3 cases in 1 file: 0 passed, 1 failed, 2 undetermined",
    ]
    # only_from is undetermined when another endpoint may reach the destination: client may
    start = lines.index("UNDETERMINED  only the pod network reaches db  (cases.yaml:3)  [4 pairs]")
    assert lines[start + 1 : start + 5] == [
        "      1 of 4 pairs undetermined",
        "      shop/client[Deployment] -> prod/db 5432/TCP: undetermined, expected denied",
        "      depends on:",
        f"        - allowed if {CLIENT_IN_CIDR}",
    ]
    # a failed case lists its undetermined pairs too
    start = lines.index("FAIL  only client reaches db  (cases.yaml:4)  [4 pairs]")
    assert lines[start + 1 : start + 6] == [
        "      1 of 4 pairs contradict the case; 1 undetermined",
        "      10.244.0.0-10.244.255.255 -> prod/db 5432/TCP: allowed, expected denied",
        "      shop/client[Deployment] -> prod/db 5432/TCP: undetermined, expected allowed",
        "      undetermined, depends on:",
        f"        - allowed if {CLIENT_IN_CIDR}",
    ]


@pytest.mark.usefixtures("open_world")
def test_any_port_cases_are_three_valued() -> None:
    spec = cases(
        '  - {name: client reaches db somehow, from: "shop/client[Deployment]", to: prod/db, expect: allow}\n'
        '  - {name: client never reaches db, from: "shop/client[Deployment]", to: prod/db, expect: deny}\n'
        '  - {name: no UDP from client to db, from: "shop/client[Deployment]", to: prod/db, protocol: UDP, '
        "expect: deny}\n"
    )
    result = run(spec, "cidr.yaml")
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "UNDETERMINED  client reaches db somehow  (cases.yaml:2)",
        "      shop/client[Deployment] -> prod/db any port: nothing allowed for certain, TCP 5432 undetermined, "
        "expected some connection allowed",
        "      depends on:",
    ]
    assert "      why (at 5432/TCP, one of the ports the unknowns decide):" in lines
    assert "UNDETERMINED  client never reaches db  (cases.yaml:3)" in lines
    assert (
        "      shop/client[Deployment] -> prod/db any port: nothing allowed for certain, TCP 5432 undetermined, "
        "expected nothing allowed" in lines
    )
    assert "PASS  no UDP from client to db  (cases.yaml:4)" in lines  # the rule opens TCP only
    assert lines[-1] == "3 cases in 1 file: 1 passed, 0 failed, 2 undetermined"


@pytest.mark.usefixtures("open_world")
def test_isolation_is_undetermined_where_an_unevaluated_policy_may_select_the_pod() -> None:
    spec = cases("  - {name: edge is isolated, isolated: edge}\n")
    result = run(spec, "cidr.yaml", "extra.yaml")
    assert (result.exit_code, result.stderr) == (1, CILIUM_WARNING)  # not isolated for Egress, for certain
    assert result.stdout.splitlines()[:3] == [
        "FAIL  edge is isolated  (cases.yaml:2)",
        "      1 pod of namespace edge not isolated; isolation of 1 pod undetermined",
        "      edge/cache is not isolated for Egress: no policy selects it for Egress",
    ]
    spec = cases("  - {name: edge is isolated for ingress, isolated: edge, direction: ingress}\n")
    result = run(spec, "cidr.yaml", "extra.yaml")
    assert (result.exit_code, result.stderr) == (3, CILIUM_WARNING)
    assert result.stdout.splitlines() == [
        "UNDETERMINED  edge is isolated for ingress  (cases.yaml:2)",
        "      edge/cache: isolation for Ingress undetermined: no NetworkPolicy selects it for Ingress",
        "      depends on:",
        f"        - {CILIUM}",
        "1 case in 1 file: 0 passed, 0 failed, 1 undetermined",
    ]
    # --ignore-unevaluated answers as if the Cilium policy were absent: cache is open
    ignored = run(spec, "cidr.yaml", "extra.yaml", "--ignore-unevaluated")
    assert ignored.exit_code == 1
    assert (
        ignored.stdout.splitlines()[1]
        == "      edge/cache is not isolated for Ingress: no policy selects it for Ingress"
    )


@pytest.mark.usefixtures("open_world")
def test_a_replicated_workload_to_itself_is_one_replica_to_another() -> None:
    spec = cases(
        '  - {name: ledger replicas talk on 5432, from: "prod/ledger[StatefulSet]", to: "prod/ledger[StatefulSet]", '
        "port: 5432, expect: allow}\n"
        "  - {name: ledger replicas reach each other, from: prod/ledger, to: prod/ledger, expect: allow}\n"
    )
    result = run(spec, "cidr.yaml", "extra.yaml")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.splitlines() == [
        "PASS  ledger replicas talk on 5432  (cases.yaml:2)",
        "PASS  ledger replicas reach each other  (cases.yaml:3)",
        "2 cases in 1 file: 2 passed, 0 failed",
    ]
    Path("deny.yaml").write_text(
        'cases:\n  - {name: ledger replicas are apart, from: "prod/ledger[StatefulSet]", '
        '  to: "prod/ledger[StatefulSet]", port: 5432, expect: deny}\n',
        encoding="utf-8",
    )
    denied = run("deny.yaml", "cidr.yaml", "extra.yaml")
    assert denied.exit_code == 1
    assert denied.stdout.splitlines()[1:4] == [
        "      prod/ledger[StatefulSet] -> prod/ledger[StatefulSet] 5432/TCP (one replica to another): allowed, "
        "expected denied",
        "      why:",
        "        prod/ledger[StatefulSet] -> prod/ledger[StatefulSet] 5432/TCP: ALLOWED (one replica to another)",
    ]


@pytest.mark.usefixtures("open_world")
def test_a_pod_to_itself_is_refused() -> None:
    spec = cases(
        "  - {name: db to itself, from: prod/db, to: prod/db, port: 5432, expect: allow}\n"
        '  - {name: ledger as one pod, from: "prod/ledger[StatefulSet]", to: "prod/ledger[StatefulSet]", '
        "expect: allow}\n"
    )
    result = run(spec, "cidr.yaml", "extra.yaml", "--no-replica-traffic")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        CILIUM_WARNING
        + "error: cases.yaml:2:5: cases[0].port: no pair to check: the two ends name the same single pod "
        "(--no-replica-traffic: a workload is one pod)\n"
        "error: cases.yaml:3:5: cases[1]: no pair to check: the two ends name the same single pod "
        "(--no-replica-traffic: a workload is one pod)\n"
        "netsim: 2 input errors; nothing was evaluated\n"
    )


@pytest.mark.usefixtures("open_world")
@pytest.mark.parametrize(
    ("options", "element", "counts"),
    [([], "error", ("3", "1", "1", "0")), (["--allow-undetermined"], "skipped", ("3", "1", "0", "1"))],
    ids=["error", "skipped"],
)
def test_junit_marks_undetermined_cases(options: list[str], element: str, counts: tuple[str, str, str, str]) -> None:
    spec = cases(
        '  - {name: client reaches db, from: "shop/client[Deployment]", to: prod/db, port: 5432, expect: allow}\n'
        '  - {name: db never reaches client, from: prod/db, to: "shop/client[Deployment]", expect: deny}\n'
        '  - {name: no UDP to db, from: "shop/client[Deployment]", to: prod/db, protocol: UDP, expect: deny}\n'
    )
    result = run(spec, "cidr.yaml", "--junit", "report.xml", *options)
    assert result.exit_code == 1  # a failure
    root = ET.parse("report.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == counts
    [suite] = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == counts
    undetermined, failed, passed = root.iter("testcase")
    [outcome] = list(undetermined)
    assert (outcome.tag, outcome.get("type")) == (element, "undetermined")
    assert outcome.get("message") == "shop/client[Deployment] -> prod/db 5432/TCP: undetermined, expected allowed"
    assert (outcome.text or "").splitlines()[:3] == [
        "shop/client[Deployment] -> prod/db 5432/TCP: undetermined, expected allowed",
        "depends on:",
        f"  - allowed if {CLIENT_IN_CIDR}",
    ]
    assert [(e.tag, e.get("type")) for e in failed] == [("failure", "failure")]
    assert list(passed) == []


@pytest.mark.usefixtures("open_world")
@pytest.mark.parametrize(("options", "code"), [([], 3), (["--allow-undetermined"], 0)])
def test_junit_of_an_undetermined_run_agrees_with_the_exit_status(options: list[str], code: int) -> None:
    result = run("cidr-tests.yaml", "cidr.yaml", "--junit", "report.xml", *options)
    assert result.exit_code == code
    root = ET.parse("report.xml").getroot()
    assert (root.get("failures"), root.get("errors"), root.get("skipped")) == (
        ("0", "1", "0") if code else ("0", "0", "1")
    )


def test_help_documents_exit_status_3_and_allow_undetermined(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["test", "--help"], catch_exceptions=False).stdout.split())
    assert "3 no case failed, some are undetermined (without --allow-undetermined)" in text
    assert "--allow-undetermined Report undetermined cases but do not fail on them" in text
