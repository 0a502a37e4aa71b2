"""`netsim connections` through click's CliRunner: every output format and every filter.

The cluster: namespace shop with a Deployment web (named port http=8080) and a StatefulSet pod
db-0 (pg=5432, 10.0.1.20); a bare pod debug without a namespace (placed by ``-n``), 10.0.2.30.
shop is default-deny for ingress; web accepts http from anyone; db accepts pg from web and may
send UDP 53 to 10.0.0.0/8 except 10.1.0.0/16 (debug's address is inside, so the block selects it).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main

CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Namespace
metadata:
  name: tools
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx
          ports:
            - {name: http, containerPort: 8080}
---
apiVersion: v1
kind: Pod
metadata:
  name: db-0
  namespace: shop
  labels: {app: db}
  ownerReferences:
    - {apiVersion: apps/v1, kind: StatefulSet, name: db, uid: "1", controller: true}
spec:
  containers:
    - name: db
      image: postgres
      ports:
        - {name: pg, containerPort: 5432}
status:
  podIP: 10.0.1.20
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
  labels: {app: debug}
spec:
  containers:
    - name: debug
      image: busybox
status:
  podIP: 10.0.2.30
"""

POLICIES = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-from-web
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: web}
      ports:
        - port: pg
  egress:
    - to:
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}
      ports:
        - {port: 53, protocol: UDP}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-public
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
    - ports:
        - port: http
"""

# Every line checked by hand: db only from web on pg (5432); web from anyone on 8080; debug and
# web are open for egress; db's egress is UDP 53 to the block, which also selects debug's IP.
EXPECTED = [
    "0.0.0.0-255.255.255.255[External] => shop/web[Deployment] : TCP 8080",
    "0.0.0.0-255.255.255.255[External] => tools/debug[Pod] : All Connections",
    "shop/db[StatefulSet] => 10.0.0.0-10.0.255.255[External] : UDP 53",
    "shop/db[StatefulSet] => 10.2.0.0-10.255.255.255[External] : UDP 53",
    "shop/db[StatefulSet] => tools/debug[Pod] : UDP 53",
    "shop/web[Deployment] => 0.0.0.0-9.255.255.255[External] : All Connections",
    "shop/web[Deployment] => 10.0.0.0-10.0.255.255[External] : All Connections",
    "shop/web[Deployment] => 10.1.0.0-10.1.255.255[External] : All Connections",
    "shop/web[Deployment] => 10.2.0.0-10.255.255.255[External] : All Connections",
    "shop/web[Deployment] => 11.0.0.0-255.255.255.255[External] : All Connections",
    "shop/web[Deployment] => shop/db[StatefulSet] : TCP 5432",
    "shop/web[Deployment] => tools/debug[Pod] : All Connections",
    "tools/debug[Pod] => 0.0.0.0-9.255.255.255[External] : All Connections",
    "tools/debug[Pod] => 10.0.0.0-10.0.255.255[External] : All Connections",
    "tools/debug[Pod] => 10.1.0.0-10.1.255.255[External] : All Connections",
    "tools/debug[Pod] => 10.2.0.0-10.255.255.255[External] : All Connections",
    "tools/debug[Pod] => 11.0.0.0-255.255.255.255[External] : All Connections",
    "tools/debug[Pod] => shop/web[Deployment] : TCP 8080",
]

BASE = ["connections", "cluster.yaml", "policies.yaml", "-n", "tools"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with cluster.yaml and policies.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cluster.yaml").write_text(CLUSTER, encoding="utf-8")
    (tmp_path / "policies.yaml").write_text(POLICIES, encoding="utf-8")
    return tmp_path


def run(runner: CliRunner, *args: str) -> Result:
    """A successful run: exit 0, nothing on stderr."""
    result = runner.invoke(main, [*BASE, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result


def lines(runner: CliRunner, *args: str) -> list[str]:
    return run(runner, *args).stdout.splitlines()


# --- formats ----------------------------------------------------------------------------------------

pytestmark = pytest.mark.usefixtures("workdir")


def test_text_is_one_sorted_line_per_connection(runner: CliRunner) -> None:
    result = run(runner)
    assert result.stdout == "".join(f"{line}\n" for line in EXPECTED)


def test_text_default_namespace_option() -> None:
    # without -n the bare pod lands in `default`
    result = CliRunner().invoke(main, ["connections", "cluster.yaml", "policies.yaml"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "0.0.0.0-255.255.255.255[External] => default/debug[Pod] : All Connections" in result.stdout
    assert "tools/" not in result.stdout


def test_json(runner: CliRunner) -> None:
    data = json.loads(run(runner, "-o", "json").stdout)
    assert len(data) == len(EXPECTED)
    assert data[0] == {
        "src": {"kind": "External", "first": "0.0.0.0", "last": "255.255.255.255"},
        "dst": {"kind": "Deployment", "namespace": "shop", "name": "web"},
        "conns": {"TCP": [[8080, 8080]]},
        "allConnections": False,
        "text": "TCP 8080",
    }
    web_db = next(r for r in data if r["dst"] == {"kind": "StatefulSet", "namespace": "shop", "name": "db"})
    assert web_db["src"] == {"kind": "Deployment", "namespace": "shop", "name": "web"}
    assert web_db["conns"] == {"TCP": [[5432, 5432]]}
    everything = next(r for r in data if r["dst"] == {"kind": "Pod", "namespace": "tools", "name": "debug"})
    assert everything["allConnections"] is True
    assert everything["conns"] == {"SCTP": [[1, 65535]], "TCP": [[1, 65535]], "UDP": [[1, 65535]]}
    assert everything["text"] == "All Connections"
    # the same rows in the same order as the text
    texts = [f"{_label(r['src'])} => {_label(r['dst'])} : {r['text']}" for r in data]
    assert texts == EXPECTED


def _label(node: dict[str, str]) -> str:
    if node["kind"] == "External":
        return f"{node['first']}-{node['last']}[External]"
    if node["kind"] == "Namespace":
        return node["name"]
    return f"{node['namespace']}/{node['name']}[{node['kind']}]"


def test_json_conns_with_holes(runner: CliRunner, workdir: Path) -> None:
    # everything but TCP 80 prints as two intervals
    (workdir / "policies.yaml").write_text(
        """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: not-80, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - ports:
        - {port: 1, endPort: 79}
        - {port: 81, endPort: 65535}
""",
        encoding="utf-8",
    )
    data = json.loads(run(runner, "--to", "shop/db", "--from", "tools", "-o", "json").stdout)
    assert [r["conns"] for r in data] == [{"TCP": [[1, 79], [81, 65535]]}]
    assert data[0]["text"] == "TCP 1-79,81-65535"


def test_csv(runner: CliRunner) -> None:
    rows = list(csv.reader(io.StringIO(run(runner, "-o", "csv").stdout)))
    assert rows[0] == ["src", "dst", "conns", "undetermined"]
    assert [f"{s} => {d} : {c}" for s, d, c, u in rows[1:] if not u] == EXPECTED


def test_csv_of_filtered_and_empty_listings(runner: CliRunner) -> None:
    out = run(runner, "-o", "csv", "--from", "shop/db", "--to", "tools/debug").stdout
    assert out == "src,dst,conns,undetermined\nshop/db[StatefulSet],tools/debug[Pod],UDP 53,\n"
    # a filter that names an endpoint with no connection: legitimately empty (exit 0)
    out = run(runner, "-o", "csv", "--from", "shop/db", "--to", "shop/web").stdout
    assert list(csv.reader(io.StringIO(out))) == [["src", "dst", "conns", "undetermined"]]


def test_csv_quotes_conns_with_commas(runner: CliRunner, workdir: Path) -> None:
    (workdir / "policies.yaml").write_text(
        """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: dns, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - ports:
        - {port: 53, protocol: UDP}
        - {port: 53, protocol: TCP}
""",
        encoding="utf-8",
    )
    out = run(runner, "-o", "csv", "--from", "tools", "--to", "shop/db").stdout
    assert out == 'src,dst,conns,undetermined\ntools/debug[Pod],shop/db[StatefulSet],"TCP 53,UDP 53",\n'
    assert list(csv.reader(io.StringIO(out)))[1] == ["tools/debug[Pod]", "shop/db[StatefulSet]", "TCP 53,UDP 53", ""]


def test_md(runner: CliRunner) -> None:
    out = lines(runner, "-o", "md")
    assert out[:2] == ["| source | destination | allowed connections |", "|---|---|---|"]
    assert out[2:] == [f"| {line.replace(' => ', ' | ').replace(' : ', ' | ')} |" for line in EXPECTED]


def test_empty_result_in_every_format(runner: CliRunner) -> None:
    none = ["--from", "shop/db", "--to", "shop/web"]
    assert run(runner, *none).stdout == ""
    assert json.loads(run(runner, *none, "-o", "json").stdout) == []
    assert run(runner, *none, "-o", "csv").stdout == "src,dst,conns,undetermined\n"
    assert lines(runner, *none, "-o", "md")[2:] == ["| (none) | | |"]


# --- filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["shop/web", "shop/web[Deployment]"],
    ids=["ns/name", "ns/name[Kind]"],
)
def test_from_a_workload(runner: CliRunner, source: str) -> None:
    assert lines(runner, "--from", source) == [line for line in EXPECTED if line.startswith("shop/web[")]


def test_from_a_namespace(runner: CliRunner) -> None:
    assert lines(runner, "--from", "shop") == [line for line in EXPECTED if line.startswith("shop/")]


def test_from_is_repeatable(runner: CliRunner) -> None:
    got = lines(runner, "--from", "shop/db", "--from", "tools/debug")
    assert got == [line for line in EXPECTED if line.startswith(("shop/db[", "tools/"))]


def test_to_an_address_picks_its_range(runner: CliRunner) -> None:
    assert lines(runner, "--to", "10.3.4.5") == [line for line in EXPECTED if " => 10.2.0.0-" in line]
    assert lines(runner, "--to", "10.1.0.0") == [line for line in EXPECTED if " => 10.1.0.0-" in line]


def test_from_an_address(runner: CliRunner) -> None:
    assert lines(runner, "--from", "203.0.113.9") == [line for line in EXPECTED if line.startswith("0.0.0.0-")]


def test_to_a_range_label(runner: CliRunner) -> None:
    got = lines(runner, "--to", "10.0.0.0-10.0.255.255[External]")
    assert got == [line for line in EXPECTED if " => 10.0.0.0-10.0.255.255" in line]


def test_from_and_to_together(runner: CliRunner) -> None:
    assert lines(runner, "--from", "shop", "--to", "tools") == [
        "shop/db[StatefulSet] => tools/debug[Pod] : UDP 53",
        "shop/web[Deployment] => tools/debug[Pod] : All Connections",
    ]


def test_a_filter_naming_a_workload_at_pod_level_selects_its_pods(runner: CliRunner) -> None:
    got = lines(runner, "--group-by", "pod", "--from", "shop/db[StatefulSet]")
    assert got == [
        line.replace("shop/db[StatefulSet]", "shop/db-0[Pod]") for line in EXPECTED if line.startswith("shop/db[")
    ]
    assert lines(runner, "--group-by", "pod", "--from", "shop/db") == lines(
        runner, "--group-by", "pod", "--from", "shop/db-0"
    )


def test_a_pod_address_stands_for_the_pod_as_in_check(runner: CliRunner) -> None:
    # 10.0.1.20 is db-0's address: the filter is db, not the external range that holds the address
    assert lines(runner, "--to", "10.0.1.20") == lines(runner, "--to", "shop/db")
    assert lines(runner, "--from", "10.0.2.30") == [line for line in EXPECTED if line.startswith("tools/debug[")]


def test_a_cidr_selects_the_ranges_it_overlaps_and_the_pods_it_holds(runner: CliRunner) -> None:
    got = lines(runner, "--to", "10.0.0.0/16")
    assert got == [
        line
        for line in EXPECTED
        if line.split(" => ")[1].startswith(("10.0.0.0-10.0.255.255[", "shop/db[", "tools/debug["))
    ]


def test_a_filter_with_no_connection_lists_nothing(runner: CliRunner, workdir: Path) -> None:
    # every name exists; they have no connection between them: an empty listing, exit 0
    assert lines(runner, "--from", "shop/db", "--to", "shop/web") == []
    # a namespace of the input with no pods is a namespace all the same
    (workdir / "quiet.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: quiet}\n", encoding="utf-8")
    assert lines(runner, "quiet.yaml", "--from", "quiet") == []
    assert lines(runner, "quiet.yaml", "--focus", "quiet") == []


UNKNOWN_FILTERS = [
    (
        ["--from", "shop/wbe"],
        "--from shop/wbe: no such endpoint; did you mean 'shop/web[Deployment]', 'shop/db[StatefulSet]'?",
    ),
    (["--from", "nowhere"], "--from nowhere: no such namespace"),
    (["--from", "shpo"], "--from shpo: no such namespace; did you mean 'shop'?"),
    (["--from", "web"], "--from web: no such namespace; did you mean 'shop/web[Deployment]'?"),
    (
        ["--from", "shop/web", "--to", "tools/debgu"],
        "--to tools/debgu: no such endpoint; did you mean 'tools/debug[Pod]'?",
    ),
    (
        ["--from", "prod/web"],
        "--from prod/web: no such endpoint; did you mean 'shop/web[Deployment]'?",
    ),
    (
        ["--from", "shop/db-0"],
        "--from shop/db-0: no such endpoint at --group-by workload; "
        "did you mean 'shop/db[StatefulSet]', 'shop/web[Deployment]'?",
    ),
    (
        ["--group-by", "namespace", "--to", "shop/web"],
        "--to shop/web: no such endpoint at --group-by namespace; did you mean 'shop'?",
    ),
    (
        ["--to", "10.0.0.0-10.0.255.25[External]"],
        "--to 10.0.0.0-10.0.255.25[External]: no such external range; did you mean "
        "'10.0.0.0-10.0.255.255[External]', '10.1.0.0-10.1.255.255[External]', '10.2.0.0-10.255.255.255[External]'?",
    ),
    (
        # a source range is cut at the ingress ipBlocks: there are none, so this is a destination's
        ["--from", "10.0.0.0-10.0.255.255[External]"],
        "--from 10.0.0.0-10.0.255.255[External]: no such external range; did you mean "
        "'0.0.0.0-255.255.255.255[External]'?",
    ),
    (
        ["--to", "10.0.0.1/8"],
        "--to 10.0.0.1/8: the address has bits set beyond the prefix length; did you mean '10.0.0.0/8'?",
    ),
    (["--from", "shop", "--from", "tols"], "--from tols: no such namespace; did you mean 'tools'?"),
    (["--focus", "shpo"], "--focus shpo: no such namespace in the input; did you mean 'shop'?"),
    (["--focus", "tools", "--focus", "nowhere"], "--focus nowhere: no such namespace in the input"),
]


@pytest.mark.parametrize(("args", "message"), UNKNOWN_FILTERS, ids=[" ".join(a) for a, _ in UNKNOWN_FILTERS])
def test_a_filter_that_names_nothing_is_an_error(runner: CliRunner, args: list[str], message: str) -> None:
    # as `netsim check` does for its endpoints: exit 2, with the names it may have meant
    result = runner.invoke(main, [*BASE, *args])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"


# --- IPv6 ------------------------------------------------------------------------------------------------

V6_SPACE = "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]"

IPV6_PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: six, labels: {app: a}}
spec: {containers: [{name: a, image: a}]}
status: {podIP: "2001:db8::1", podIPs: [{ip: "2001:db8::1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: six, labels: {app: b}}
spec: {containers: [{name: b, image: b}]}
status: {podIP: "2001:db8::2", podIPs: [{ip: "2001:db8::2"}]}
"""


def test_ipv6_only_pods_list_the_ipv6_space(runner: CliRunner, workdir: Path) -> None:
    (workdir / "six.yaml").write_text(IPV6_PODS, encoding="utf-8")
    result = runner.invoke(main, ["connections", "six.yaml"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "0.0.0.0-255.255.255.255[External] => six/a[Pod] : All Connections",
        "0.0.0.0-255.255.255.255[External] => six/b[Pod] : All Connections",
        f"{V6_SPACE} => six/a[Pod] : All Connections",
        f"{V6_SPACE} => six/b[Pod] : All Connections",
        "six/a[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
        f"six/a[Pod] => {V6_SPACE} : All Connections",
        "six/a[Pod] => six/b[Pod] : All Connections",
        "six/b[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
        f"six/b[Pod] => {V6_SPACE} : All Connections",
        "six/b[Pod] => six/a[Pod] : All Connections",
    ]
    from_outside = runner.invoke(main, ["connections", "six.yaml", "--from", "2001:db8::5"], catch_exceptions=False)
    assert from_outside.stdout.splitlines() == [
        f"{V6_SPACE} => six/a[Pod] : All Connections",
        f"{V6_SPACE} => six/b[Pod] : All Connections",
    ]
    # a pod's IPv6 address stands for the pod
    pod = runner.invoke(main, ["connections", "six.yaml", "--to", "2001:db8::2"], catch_exceptions=False)
    assert pod.stdout.splitlines() == [
        "0.0.0.0-255.255.255.255[External] => six/b[Pod] : All Connections",
        f"{V6_SPACE} => six/b[Pod] : All Connections",
        "six/a[Pod] => six/b[Pod] : All Connections",
    ]


def test_an_ipv4_input_lists_no_ipv6_space(runner: CliRunner) -> None:
    # as netpol-analyzer prints it (and the peer goldens hold it)
    assert not [line for line in lines(runner) if "::" in line]


@pytest.mark.parametrize("port", ["8080", "5432"])
def test_an_ipv6_filter_lists_what_check_allows(runner: CliRunner, port: str) -> None:
    # the input has no IPv6 address, the filter does: the IPv6 space is listed for it
    got = lines(runner, "--from", "2001:db8::5", "--port", port)
    allowed = []
    for dst in ("shop/web[Deployment]", "shop/db[StatefulSet]", "tools/debug[Pod]"):
        verdict = runner.invoke(main, ["check", *BASE[1:], "--from", "2001:db8::5", "--to", dst, "--port", port])
        assert verdict.exit_code in (0, 1), verdict.output
        if verdict.exit_code == 0:
            allowed.append(dst)
    assert [line.split(" => ")[1].split(" : ")[0] for line in got] == allowed
    assert all(line.startswith(f"{V6_SPACE} => ") for line in got)
    assert allowed  # web on 8080, debug on both


def test_an_ipv6_cidr_filter(runner: CliRunner) -> None:
    # db's egress allows UDP 53 to an IPv4 block only: no IPv6 destination for it
    assert lines(runner, "--to", "2001:db8::/32") == [
        f"shop/web[Deployment] => {V6_SPACE} : All Connections",
        f"tools/debug[Pod] => {V6_SPACE} : All Connections",
    ]


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        # 5432 is open on TCP only: web -> db, and every All Connections line
        ("5432", [line for line in EXPECTED if line.endswith(("TCP 5432", "All Connections"))]),
        ("5432/TCP", [line for line in EXPECTED if line.endswith(("TCP 5432", "All Connections"))]),
        ("5432/UDP", [line for line in EXPECTED if line.endswith("All Connections")]),
        ("53/UDP", [line for line in EXPECTED if line.endswith(("UDP 53", "All Connections"))]),
        ("8080", [line for line in EXPECTED if line.endswith(("TCP 8080", "All Connections"))]),
    ],
    ids=["number", "tcp", "udp-closed", "udp", "http"],
)
def test_port(runner: CliRunner, port: str, expected: list[str]) -> None:
    assert lines(runner, "--port", port) == expected


def test_named_port_filter_is_refused(runner: CliRunner) -> None:
    result = runner.invoke(main, [*BASE, "--port", "pg"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: --port pg: connections filters by port number (named ports differ per pod)\n"


def test_focus(runner: CliRunner) -> None:
    got = lines(runner, "--focus", "tools")
    assert got == [line for line in EXPECTED if "tools/" in line]
    both = lines(runner, "--focus", "tools", "--focus", "shop")
    assert both == EXPECTED


def test_group_by_pod(runner: CliRunner) -> None:
    got = lines(runner, "--group-by", "pod")
    # the Deployment's representative pod is named after it; the StatefulSet pod is itself
    assert "shop/web[Deployment] => shop/db-0[Pod] : TCP 5432" in got
    assert "shop/db-0[Pod] => tools/debug[Pod] : UDP 53" in got
    assert len(got) == len(EXPECTED)


def test_group_by_namespace(runner: CliRunner) -> None:
    assert lines(runner, "--group-by", "namespace") == [
        "0.0.0.0-255.255.255.255[External] => shop : TCP 8080",
        "0.0.0.0-255.255.255.255[External] => tools : All Connections",
        "shop => 0.0.0.0-9.255.255.255[External] : All Connections",
        "shop => 10.0.0.0-10.0.255.255[External] : All Connections",
        "shop => 10.1.0.0-10.1.255.255[External] : All Connections",
        "shop => 10.2.0.0-10.255.255.255[External] : All Connections",
        "shop => 11.0.0.0-255.255.255.255[External] : All Connections",
        "shop => tools : All Connections",
        "tools => 0.0.0.0-9.255.255.255[External] : All Connections",
        "tools => 10.0.0.0-10.0.255.255[External] : All Connections",
        "tools => 10.1.0.0-10.1.255.255[External] : All Connections",
        "tools => 10.2.0.0-10.255.255.255[External] : All Connections",
        "tools => 11.0.0.0-255.255.255.255[External] : All Connections",
        "tools => shop : TCP 8080",
    ]
    data = json.loads(run(runner, "--group-by", "namespace", "--to", "tools", "-o", "json").stdout)
    assert data[0]["dst"] == {"kind": "Namespace", "name": "tools"}


def test_group_by_namespace_never_lists_a_namespace_to_itself(runner: CliRunner) -> None:
    # web -> db is inside shop
    assert not [line for line in lines(runner, "--group-by", "namespace") if line.startswith("shop => shop")]


def test_a_workload_to_itself_is_its_replicas(runner: CliRunner, workdir: Path) -> None:
    # two pods of one ReplicaSet may talk to each other: the listing shows it as a self line,
    # unless --no-replica-traffic (netpol-analyzer's model) counts a workload as one pod
    (workdir / "cluster.yaml").write_text(
        "".join(
            f"""\
apiVersion: v1
kind: Pod
metadata:
  name: api-{i}
  namespace: shop
  labels: {{app: api}}
  ownerReferences:
    - {{apiVersion: apps/v1, kind: ReplicaSet, name: api-5d8f, uid: "1", controller: true}}
spec:
  containers: [{{name: api, image: api}}]
---
"""
            for i in (1, 2)
        ),
        encoding="utf-8",
    )
    # no policies; the namespace -n names (a namespace of the input, or -n is an error)
    tools = "apiVersion: v1\nkind: Namespace\nmetadata: {name: tools}\n"
    (workdir / "policies.yaml").write_text(tools, encoding="utf-8")
    assert lines(runner) == [
        "0.0.0.0-255.255.255.255[External] => shop/api-5d8f[ReplicaSet] : All Connections",
        "shop/api-5d8f[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "shop/api-5d8f[ReplicaSet] => shop/api-5d8f[ReplicaSet] : All Connections",
    ]
    assert lines(runner, "--no-replica-traffic") == [
        "0.0.0.0-255.255.255.255[External] => shop/api-5d8f[ReplicaSet] : All Connections",
        "shop/api-5d8f[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections",
    ]
    assert lines(runner, "--group-by", "pod") == [
        "0.0.0.0-255.255.255.255[External] => shop/api-1[Pod] : All Connections",
        "0.0.0.0-255.255.255.255[External] => shop/api-2[Pod] : All Connections",
        "shop/api-1[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "shop/api-1[Pod] => shop/api-2[Pod] : All Connections",
        "shop/api-2[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections",
        "shop/api-2[Pod] => shop/api-1[Pod] : All Connections",
    ]


def test_knobs_change_the_listing(runner: CliRunner) -> None:
    # without ipBlocks selecting pods, db's UDP 53 no longer reaches debug
    got = lines(runner, "--no-ipblock-pods")
    assert got == [line for line in EXPECTED if line != "shop/db[StatefulSet] => tools/debug[Pod] : UDP 53"]


def test_bad_input_exits_2_with_nothing_on_stdout(runner: CliRunner, workdir: Path) -> None:
    (workdir / "policies.yaml").write_text("kind: NetworkPolicy\nspec: {podselector: {}}\n", encoding="utf-8")
    result = runner.invoke(main, BASE)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "policies.yaml:" in result.stderr


def test_bad_option_values_exit_2(runner: CliRunner) -> None:
    for args in (["-o", "yaml"], ["--group-by", "team"], ["--port", "70000"]):
        result = runner.invoke(main, [*BASE, *args])
        assert result.exit_code == 2, args
        assert result.stdout == "", args


UNDETERMINED_INPUT = """\
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: c}]}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
spec: {containers: [{name: db, image: db, ports: [{containerPort: 5432}]}]}
status: {podIP: 10.244.1.5}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-in, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from: [{ipBlock: {cidr: 10.244.0.0/16}}]
      ports: [{port: 5432}]
    - from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
      ports: [{port: 80}]
"""


def test_undetermined_connections_have_their_own_marker(runner: CliRunner, tmp_path: Path) -> None:
    # shop/client has no IP: whether 10.244.0.0/16 admits it is open; port 80 is decided
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "in.yaml").write_text(UNDETERMINED_INPUT, encoding="utf-8")
    args = ["connections", str(tmp_path / "open"), "--to", "prod/db", "--from", "shop"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0
    assert result.stdout == (
        "shop/client[Deployment] => prod/db[Pod] : TCP 80\nshop/client[Deployment] =?> prod/db[Pod] : TCP 5432\n"
    )
    assert result.stderr == (
        "note: 1 connection depends on what the input does not give (marked =?> or 'undetermined'); "
        "netsim check SOURCE DESTINATION --port P says on what\n"
    )
    rows = json.loads(runner.invoke(main, [*args, "-o", "json"]).stdout)
    assert [(r["text"], r.get("undeterminedText")) for r in rows] == [("TCP 80", "TCP 5432")]
    assert rows[0]["undetermined"] == {"TCP": [[5432, 5432]]}
    out = runner.invoke(main, [*args, "-o", "csv"]).stdout
    assert out == "src,dst,conns,undetermined\nshop/client[Deployment],prod/db[Pod],TCP 80,TCP 5432\n"
    md = runner.invoke(main, [*args, "-o", "md"]).stdout.splitlines()
    assert md[2] == "| shop/client[Deployment] | prod/db[Pod] | TCP 80 (undetermined: TCP 5432) |"
    # --port keeps a row whose port is undetermined; the pod network settles it either way
    assert runner.invoke(main, [*args, "--port", "5432"]).stdout.count("=?>") == 1
    inside = runner.invoke(main, [*args, "--pod-cidr", "10.244.0.0/16"])
    assert (inside.stdout, inside.stderr) == ("shop/client[Deployment] => prod/db[Pod] : TCP 80,5432\n", "")
    outside = runner.invoke(main, [*args, "--pod-cidr", "10.96.0.0/16"])
    assert (outside.stdout, outside.stderr) == ("shop/client[Deployment] => prod/db[Pod] : TCP 80\n", "")
