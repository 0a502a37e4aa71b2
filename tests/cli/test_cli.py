"""The command line through click's CliRunner: exit codes, exact error text, output formats.

Every test works in its own temporary directory and names files relatively, so error locations
read exactly as a user sees them (``policy.yaml:10:17: ...``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import netsim
from netsim.cli import main

# shop/web (app=web, declares http=8080) and shop/db (app=db, declares pg=5432 and metrics=9187),
# on two different nodes.
CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: shop}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  nodeName: node-1
  containers:
    - name: web
      ports:
        - {name: http, containerPort: 8080}
status:
  podIP: 10.0.1.10
  hostIP: 192.168.0.1
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
spec:
  nodeName: node-2
  containers:
    - name: db
      ports:
        - {name: pg, containerPort: 5432}
        - {name: metrics, containerPort: 9187}
status:
  podIP: 10.0.1.20
  hostIP: 192.168.0.2
"""

# Only app=web pods may open the db's named port pg (5432).
POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db-allow-web
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
"""

CHECK = ["check", "cluster.yaml", "policy.yaml"]


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary directory holding cluster.yaml and policy.yaml, made the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cluster.yaml").write_text(CLUSTER, encoding="utf-8")
    (tmp_path / "policy.yaml").write_text(POLICY, encoding="utf-8")
    return tmp_path


def invoke(runner: CliRunner, args: list[str], stdin: str | bytes | None = None) -> Result:
    """Run netsim where a traceback is a test failure (use for answers, not for bad input)."""
    return runner.invoke(main, args, input=stdin, catch_exceptions=False)


def flow(src: str, dst: str, port: str) -> list[str]:
    return ["--from", src, "--to", dst, "--port", port]


# -- exit codes and the answer ----------------------------------------------------------------------


@pytest.mark.usefixtures("workdir")
def test_check_allowed_exits_0(runner: CliRunner) -> None:
    result = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "5432")])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "shop/web -> shop/db 5432/TCP: ALLOWED\n"
        "  egress  at shop/web: not isolated: no policy selects shop/web for Egress -> allowed\n"
        "  ingress at shop/db: isolated by shop/db-allow-web (policy.yaml:1:1) "
        "[policyTypes defaulted to Ingress] -> allowed\n"
        "    + shop/db-allow-web spec.ingress[0] (policy.yaml:10:7): pods {app=web} in namespace shop, "
        "TCP named port 'pg': allows 5432/TCP\n"
        "        note: named port 'pg' is TCP 5432 on shop/db\n"
        "  => allowed: egress and ingress both allow it\n"
    )


@pytest.mark.usefixtures("workdir")
def test_check_denied_exits_1(runner: CliRunner) -> None:
    result = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "9187")])
    assert result.exit_code == 1
    assert result.stderr == ""
    assert result.stdout.startswith("shop/web -> shop/db 9187/TCP: DENIED\n")
    assert "but 9187/TCP is not in its ports (TCP named port 'pg' -> TCP 5432)" in result.stdout
    assert result.stdout.endswith("  => denied at ingress\n")


@pytest.mark.usefixtures("workdir")
def test_check_by_named_port_of_destination(runner: CliRunner) -> None:
    # `--port pg` resolves against shop/db's declared container ports
    result = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "pg")])
    assert result.exit_code == 0
    assert result.stdout.startswith("shop/web -> shop/db 5432/TCP: ALLOWED\n")


@pytest.mark.usefixtures("workdir")
def test_check_udp_is_not_allowed_by_a_tcp_rule(runner: CliRunner) -> None:
    result = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "5432/UDP")])
    assert result.exit_code == 1
    assert result.stdout.startswith("shop/web -> shop/db 5432/UDP: DENIED\n")
    same = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "5432"), "--protocol", "udp"])
    assert (same.exit_code, same.stdout) == (result.exit_code, result.stdout)


@pytest.mark.usefixtures("workdir")
def test_usage_error_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(main, [*CHECK, "--from", "shop/web", "--port", "80"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Missing option '--to'" in result.stderr


# -- bad input: exit 2, exact text on stderr, nothing on stdout ---------------------------------------

BAD_PORT = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: bad
  namespace: shop
spec:
  podSelector: {}
  ingress:
    - ports:
        - port: 0
"""

MANY_ERRORS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: many
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: db}
  policyTypes: [ingress]
  ingress:
    - from:
        - podSelecter: {}
      ports:
        - port: 90
          endPort: 80
        - protocol: ICMP
"""

OTHER_FILE_ERROR = """\
apiVersion: v1
kind: Pod
metadata:
  name: Web_1
  namespace: shop
"""


def test_invalid_policy_reports_its_location(runner: CliRunner, workdir: Path) -> None:
    (workdir / "bad.yaml").write_text(BAD_PORT, encoding="utf-8")
    result = runner.invoke(main, ["check", "cluster.yaml", "bad.yaml", *flow("shop/web", "shop/db", "80")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: bad.yaml:10:17: spec.ingress[0].ports[0].port: "
        "Invalid value: 0: must be between 1 and 65535, inclusive\n"
        "netsim: 1 input error; nothing was evaluated\n"
    )


def test_every_error_of_a_run_is_reported_at_once(runner: CliRunner, workdir: Path) -> None:
    # GIVEN five problems in one policy and one in another file
    (workdir / "many.yaml").write_text(MANY_ERRORS, encoding="utf-8")
    (workdir / "pod.yaml").write_text(OTHER_FILE_ERROR, encoding="utf-8")
    # WHEN both are loaded in one run
    result = runner.invoke(main, ["check", "cluster.yaml", "many.yaml", "pod.yaml", *flow("a", "b", "80")])
    # THEN every problem is listed, in file and line order, and nothing is evaluated
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        'error: many.yaml:9:17: spec.policyTypes[0]: Unsupported value: "ingress": '
        'supported values: "Ingress", "Egress"\n'
        "error: many.yaml:12:11: spec.ingress[0].from[0].podSelecter: "
        'strict decoding error: unknown field "spec.ingress[0].from[0].podSelecter"\n'
        '  hint: did you mean "podSelector"?\n'
        "error: many.yaml:12:11: spec.ingress[0].from[0]: Required value: must specify a peer\n"
        # the API server prints the value of `port` here, not the endPort
        "error: many.yaml:15:20: spec.ingress[0].ports[0].endPort: Invalid value: 90: "
        "must be greater than or equal to `port`\n"
        "  hint: endPort 80 is below port 90\n"
        "error: many.yaml:16:21: spec.ingress[0].ports[1].protocol: "
        'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"\n'
        'error: pod.yaml:4:9: metadata.name: Invalid value: "Web_1": a lowercase RFC 1123 subdomain must consist '
        "of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
        "(e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n"
        "netsim: 6 input errors; nothing was evaluated\n"
    )


UNKNOWN = "unknown endpoint"


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    ("src", "dst", "message"),
    [
        ("shop/dbx", "shop/db", f"{UNKNOWN} 'shop/dbx': no such pod or workload; did you mean 'shop/db', 'shop/web'?"),
        ("shop/web", "dbb", f"{UNKNOWN} 'dbb': no such pod or workload; did you mean 'shop/db', 'shop/web'?"),
        ("prod/web", "shop/db", f"{UNKNOWN} 'prod/web': no such pod or workload; did you mean 'shop/web'?"),
        ("nothing-like-it", "shop/db", f"{UNKNOWN} 'nothing-like-it': no such pod or workload"),
    ],
    ids=["typo", "default-namespace", "other-namespace", "no-suggestion"],
)
def test_unknown_endpoint_suggests_pods(runner: CliRunner, src: str, dst: str, message: str) -> None:
    result = runner.invoke(main, [*CHECK, "-n", "shop", *flow(src, dst, "80")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    ("port", "message"),
    [
        ("0", "port 0 is out of range: ports are 1-65535"),
        ("70000", "port 70000 is out of range: ports are 1-65535"),
        ("80/ICMP", "unknown protocol 'ICMP' in port '80/ICMP': use TCP, UDP or SCTP"),
        ("http", "shop/db declares no port named 'http'; its named ports: metrics (9187/TCP), pg (5432/TCP)"),
        ("pg/UDP", "shop/db declares port 'pg' as 5432/TCP, not as UDP"),
    ],
    ids=["zero", "too-big", "icmp", "undeclared-name", "name-with-wrong-protocol"],
)
def test_bad_port(runner: CliRunner, port: str, message: str) -> None:
    result = runner.invoke(main, [*CHECK, *flow("shop/web", "shop/db", port)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"


@pytest.mark.usefixtures("workdir")
def test_named_port_towards_an_address_is_an_error(runner: CliRunner) -> None:
    result = runner.invoke(main, [*CHECK, *flow("shop/web", "8.8.8.8", "dns")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: named port 'dns' needs a pod destination; 8.8.8.8 is an address\n"


@pytest.mark.usefixtures("workdir")
def test_port_suffix_and_protocol_option_must_agree(runner: CliRunner) -> None:
    result = runner.invoke(main, [*CHECK, *flow("shop/web", "shop/db", "53/UDP"), "--protocol", "TCP"])
    assert result.exit_code == 2
    assert result.stderr == "error: --port 53/UDP and --protocol TCP disagree\n"


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_matrix_port_must_be_a_number_in_range(runner: CliRunner, port: str) -> None:
    result = runner.invoke(main, ["matrix", "cluster.yaml", "--port", port])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--port'" in result.stderr


@pytest.mark.usefixtures("workdir")
def test_matrix_says_why_it_needs_a_port_number(runner: CliRunner) -> None:
    result = runner.invoke(main, ["matrix", "cluster.yaml", "--port", "pg"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--port': 'pg' is not a port number: matrix answers for one number on every "
        "pod, and a named port is a different number on each (netsim check --port pg resolves it for one "
        "destination)\n"
    )
    assert "Invalid value for '--port': 70000 is out of range: ports are 1-65535" in (
        runner.invoke(main, ["matrix", "cluster.yaml", "--port", "70000"]).stderr
    )


@pytest.mark.usefixtures("workdir")
def test_missing_file(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "cluster.yaml", "nope.yaml", *flow("shop/web", "shop/db", "80")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: nope.yaml: no such file or directory\nnetsim: 1 input error; nothing was evaluated\n"
    )


def test_non_utf8_input(runner: CliRunner, workdir: Path) -> None:
    (workdir / "latin1.yaml").write_bytes(b"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: caf\xe9\n")
    result = runner.invoke(main, ["check", "latin1.yaml", *flow("a", "b", "80")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "error: latin1.yaml:4:12: not valid UTF-8 (byte 0xe9); save the file as UTF-8\n"
        "netsim: 1 input error; nothing was evaluated\n"
    )


def test_yaml_syntax_error(runner: CliRunner, workdir: Path) -> None:
    (workdir / "broken.yaml").write_text("kind: Pod\nmetadata: {name: a\n", encoding="utf-8")
    result = runner.invoke(main, ["matrix", "broken.yaml", "--port", "80"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: broken.yaml:3:1: YAML syntax error: ")
    assert result.stderr.endswith("\nnetsim: 1 input error; nothing was evaluated\n")


@pytest.mark.parametrize(
    "args",
    [
        ["check", "cluster.yaml", "bad.yaml", *flow("shop/web", "shop/db", "80")],
        ["matrix", "cluster.yaml", "bad.yaml", "--port", "80"],
        ["check", "cluster.yaml", *flow("shop/web", "shop/nope", "80")],
        ["check", "cluster.yaml", *flow("shop/web", "shop/db", "0")],
        ["check", "cluster.yaml", "-o", "json", *flow("shop/web", "shop/db", "0")],
        ["matrix", "missing.yaml", "--port", "80", "-o", "json"],
    ],
    ids=["check-bad-policy", "matrix-bad-policy", "unknown-endpoint", "bad-port", "json-bad-port", "matrix-missing"],
)
def test_nothing_on_stdout_when_input_is_invalid(runner: CliRunner, workdir: Path, args: list[str]) -> None:
    (workdir / "bad.yaml").write_text(BAD_PORT, encoding="utf-8")
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: ")


# -- input forms ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("workdir")
def test_stdin_dash(runner: CliRunner) -> None:
    result = invoke(runner, ["check", "-", *flow("shop/web", "shop/db", "5432")], stdin=CLUSTER + "---\n" + POLICY)
    assert result.exit_code == 0
    assert "isolated by shop/db-allow-web (<stdin>:" in result.stdout


@pytest.mark.usefixtures("workdir")
def test_stdin_errors_are_located_in_stdin(runner: CliRunner) -> None:
    result = runner.invoke(main, ["matrix", "-", "--port", "80"], input=BAD_PORT)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: <stdin>:10:17: spec.ingress[0].ports[0].port: Invalid value: 0:")


def test_directory_json_and_kubectl_list(runner: CliRunner, workdir: Path) -> None:
    # a folder holding a JSON kubectl List (items without kind, as API list responses have)
    manifests = workdir / "manifests"
    manifests.mkdir()
    pods = {
        "apiVersion": "v1",
        "kind": "PodList",
        "items": [
            {"metadata": {"name": name, "namespace": "json", "labels": {"app": name}}, "status": {"podIP": ip}}
            for name, ip in (("a", "10.9.0.1"), ("b", "10.9.0.2"))
        ],
    }
    (manifests / "pods.json").write_text(json.dumps(pods), encoding="utf-8")
    deny = POLICY.replace("namespace: shop", "namespace: json").replace("app: db", "app: b")
    (manifests / "deny.yml").write_text(deny, encoding="utf-8")
    (manifests / "notes.txt").write_text("not a manifest", encoding="utf-8")  # ignored: not *.yaml/yml/json
    result = invoke(runner, ["check", "manifests", *flow("json/a", "json/b", "80")])
    assert result.exit_code == 1
    assert f"isolated by json/db-allow-web ({Path('manifests') / 'deny.yml'}:1:1)" in result.stdout


NO_NAMESPACE = """\
apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: a}}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: b}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: b-deny-ingress}
spec:
  podSelector: {matchLabels: {app: b}}
"""


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    ("options", "namespace"), [([], "default"), (["-n", "team-a"], "team-a")], ids=["default", "team-a"]
)
def test_default_namespace_option(runner: CliRunner, options: list[str], namespace: str) -> None:
    # objects without metadata.namespace, and bare endpoint names, are in the -n namespace
    result = invoke(runner, ["check", "-", *options, *flow("a", "b", "80")], stdin=NO_NAMESPACE)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{namespace}/a -> {namespace}/b 80/TCP: DENIED\n")
    assert f"isolated by {namespace}/b-deny-ingress (<stdin>:9:1)" in result.stdout


@pytest.mark.usefixtures("workdir")
def test_default_namespace_resolves_bare_endpoint_names(runner: CliRunner) -> None:
    bare = invoke(runner, [*CHECK, "-n", "shop", *flow("web", "db", "5432")])
    qualified = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "5432")])
    assert bare.exit_code == qualified.exit_code == 0
    assert bare.stdout == qualified.stdout


# -- strict and lax -----------------------------------------------------------------------------------

TYPO = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: typo
  namespace: shop
spec:
  podSelector:
    matchLabel: {app: db}
  ingress:
    - from:
        - ipBlock: {cidr: 10.0.1.10/24}
"""


def test_strict_rejects_what_lax_accepts_with_warnings(runner: CliRunner, workdir: Path) -> None:
    (workdir / "typo.yaml").write_text(TYPO, encoding="utf-8")
    args = ["check", "cluster.yaml", "typo.yaml", *flow("shop/db", "shop/web", "8080")]
    strict = runner.invoke(main, args)
    assert strict.exit_code == 2
    assert strict.stdout == ""
    assert strict.stderr == (
        'error: typo.yaml:8:5: spec.podSelector.matchLabel: strict decoding error: unknown field "spec.podSelector.'
        'matchLabel"\n'
        '  hint: did you mean "matchLabels"?\n'
        'error: typo.yaml:11:27: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: "10.0.1.10/24": '
        "must not have bits set beyond the prefix length\n"
        "netsim: 2 input errors; nothing was evaluated\n"
    )
    # --lax drops the typo, so podSelector is {}: the policy now isolates every pod of shop
    lax = invoke(runner, [*args, "--lax"])
    assert lax.exit_code == 0
    assert lax.stderr == (
        "warning: typo.yaml:8:5: spec.podSelector.matchLabel: "
        'unknown field "spec.podSelector.matchLabel" dropped (--lax)\n'
        'warning: typo.yaml:11:27: spec.ingress[0].from[0].ipBlock.cidr: "10.0.1.10/24" '
        "must not have bits set beyond the prefix length; read as 10.0.1.0/24 (--lax)\n"
    )
    assert "ingress at shop/web: isolated by shop/typo (typo.yaml:1:1)" in lax.stdout
    assert "ipBlock 10.0.1.0/24, all ports: allows 8080/TCP" in lax.stdout


# -- knobs ----------------------------------------------------------------------------------------------

IPBLOCK = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: metrics-from-web-ip
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: db}
  ingress:
    - from:
        - ipBlock: {cidr: 10.0.1.10/32}
      ports:
        - port: 9187
"""


def test_no_ipblock_pods_changes_the_answer(runner: CliRunner, workdir: Path) -> None:
    (workdir / "ipblock.yaml").write_text(IPBLOCK, encoding="utf-8")
    args = [*CHECK, "ipblock.yaml", *flow("shop/web", "shop/db", "9187")]
    default = invoke(runner, args)
    assert default.exit_code == 0
    assert "+ shop/metrics-from-web-ip spec.ingress[0] (ipblock.yaml:10:7): ipBlock 10.0.1.10/32" in default.stdout
    knob = invoke(runner, [*args, "--no-ipblock-pods"])
    assert knob.exit_code == 1
    assert "source not matched: ipBlock 10.0.1.10/32 does not select pods (--no-ipblock-pods)" in knob.stdout
    assert invoke(runner, [*args, "--ipblock-pods"]).stdout == default.stdout


DENY_EGRESS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Egress]
"""


def test_no_egress_to_own_node_changes_the_answer(runner: CliRunner, workdir: Path) -> None:
    (workdir / "deny-egress.yaml").write_text(DENY_EGRESS, encoding="utf-8")
    args = ["check", "cluster.yaml", "deny-egress.yaml", *flow("shop/web", "192.168.0.1", "10250")]
    default = invoke(runner, args)
    assert default.exit_code == 0
    assert "egress  at shop/web: traffic to shop/web's own node is always allowed -> allowed" in default.stdout
    knob = invoke(runner, [*args, "--no-egress-to-own-node"])
    assert knob.exit_code == 1
    assert knob.stdout.endswith("  => denied at egress\n")
    # another node is never exempt
    other_node = invoke(runner, ["check", "cluster.yaml", "deny-egress.yaml", *flow("shop/web", "192.168.0.2", "1")])
    assert other_node.exit_code == 1


# -- -o json ------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("workdir")
def test_check_json(runner: CliRunner) -> None:
    result = invoke(runner, [*CHECK, *flow("shop/web", "shop/db", "pg"), "-o", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) == {
        "verdict",
        "allowed",
        "source",
        "destination",
        "port",
        "protocol",
        "oneReplicaToAnother",
        "unknowns",
        "egress",
        "ingress",
    }
    assert (data["verdict"], data["allowed"], data["unknowns"], data["oneReplicaToAnother"]) == (
        "allowed",
        True,
        [],
        False,
    )
    assert data["source"] == {"kind": "Pod", "namespace": "shop", "name": "web"}
    assert data["destination"] == {"kind": "Pod", "namespace": "shop", "name": "db"}
    assert (data["port"], data["protocol"]) == (5432, "TCP")
    egress, ingress = data["egress"], data["ingress"]
    sides = {
        "subject",
        "decision",
        "allowed",
        "isolated",
        "exemption",
        "isolatingPolicies",
        "unevaluatedPolicies",
        "unknowns",
        "rules",
        "adminRules",
        "baselineRules",
    }
    assert set(egress) == set(ingress) == sides
    assert egress["adminRules"] == ingress["baselineRules"] == []  # no cluster-scoped policy here
    assert [side[k] for side in (egress, ingress) for k in ("decision", "unevaluatedPolicies", "unknowns")] == [
        "allowed",
        [],
        [],
        "allowed",
        [],
        [],
    ]
    assert egress["subject"] == data["source"]
    assert ingress["subject"] == data["destination"]
    assert [egress[k] for k in ("allowed", "isolated", "exemption", "isolatingPolicies", "rules")] == [
        True,
        False,
        None,
        [],
        [],
    ]
    assert [ingress[k] for k in ("allowed", "isolated", "exemption")] == [True, True, None]
    assert ingress["isolatingPolicies"] == [
        {
            "policy": "shop/db-allow-web",
            "location": "policy.yaml:1:1",
            "policyTypes": ["Ingress"],
            "policyTypesDefaulted": True,
        }
    ]
    assert ingress["rules"] == [
        {
            "policy": "shop/db-allow-web",
            "rule": "spec.ingress[0]",
            "location": "policy.yaml:10:7",
            "peerMatched": True,
            "matchedPeer": "pods {app=web} in namespace shop",
            "peerMisses": [],
            "peerUnknowns": [],
            "ports": {"TCP": [[5432, 5432]]},
            "portNotes": ["named port 'pg' is TCP 5432 on shop/db"],
            "allowsThisConnection": True,
        }
    ]


@pytest.mark.usefixtures("workdir")
def test_check_json_exemptions_and_misses(runner: CliRunner) -> None:
    result = invoke(runner, [*CHECK, *flow("shop/db", "shop/db", "1"), "-o", "json"])
    assert result.exit_code == 0  # a pod can always reach itself
    assert json.loads(result.stdout)["ingress"]["exemption"] == "a pod can always reach itself"
    denied = invoke(runner, [*CHECK, *flow("192.168.0.1", "shop/db", "5432"), "-o", "json"])
    assert denied.exit_code == 1
    data = json.loads(denied.stdout)
    assert (data["verdict"], data["allowed"]) == ("denied", False)
    assert (data["ingress"]["decision"], data["ingress"]["allowed"]) == ("denied", False)
    assert data["source"] == {"kind": "External", "ip": "192.168.0.1"}
    assert data["egress"]["exemption"] == "192.168.0.1 is not a pod, so no NetworkPolicy applies to it"
    [rule] = data["ingress"]["rules"]
    assert rule["peerMatched"] is False
    assert rule["peerMisses"] == ["192.168.0.1 is not a pod; a selector only selects pods"]
    assert rule["allowsThisConnection"] is False


# -- matrix -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("workdir")
def test_matrix_text(runner: CliRunner) -> None:
    result = invoke(runner, ["matrix", "cluster.yaml", "policy.yaml", "--port", "80"])
    assert result.exit_code == 0
    assert result.stderr == ""
    assert result.stdout == (
        "port 80/TCP: rows are sources, columns destinations\n"
        "  . allowed   X denied   - the pod itself (always allowed)\n"
        "\n"
        "           1 2\n"
        "1 shop/db  - .\n"
        "2 shop/web X -\n"
        "\n"
        "1 of 2 pairs of distinct pods allowed\n"
    )


@pytest.mark.usefixtures("workdir")
def test_matrix_csv(runner: CliRunner) -> None:
    result = invoke(runner, ["matrix", "cluster.yaml", "policy.yaml", "--port", "5432", "-o", "csv"])
    assert result.exit_code == 0
    assert result.stdout == "source,shop/db,shop/web\nshop/db,self,allow\nshop/web,allow,self\n"


@pytest.mark.usefixtures("workdir")
def test_matrix_json_shape(runner: CliRunner) -> None:
    result = invoke(runner, ["matrix", "cluster.yaml", "policy.yaml", "--port", "80", "-o", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert list(data) == ["port", "protocol", "pods", "allowed", "undetermined"]
    assert data == {
        "port": 80,
        "protocol": "TCP",
        "pods": ["shop/db", "shop/web"],
        "allowed": [["shop/db", "shop/web"]],
        "undetermined": [],
    }


@pytest.mark.usefixtures("workdir")
def test_matrix_protocol_and_knob(runner: CliRunner) -> None:
    # TCP 5432 is open from web to db; UDP 5432 is not (ports default to TCP)
    udp = invoke(runner, ["matrix", *CHECK[1:], "--port", "5432", "--protocol", "udp", "-o", "json"])
    assert json.loads(udp.stdout)["protocol"] == "UDP"
    assert json.loads(udp.stdout)["allowed"] == [["shop/db", "shop/web"]]
    (Path("ipblock.yaml")).write_text(IPBLOCK, encoding="utf-8")
    args = ["matrix", "cluster.yaml", "ipblock.yaml", "--port", "9187", "-o", "json"]
    assert ["shop/web", "shop/db"] in json.loads(invoke(runner, args).stdout)["allowed"]
    assert ["shop/web", "shop/db"] not in json.loads(invoke(runner, [*args, "--no-ipblock-pods"]).stdout)["allowed"]


# -- help, version, interrupt -------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], *([name] for name in sorted(main.commands))], ids=lambda c: " ".join(c))
def test_help_has_an_example(runner: CliRunner, command: list[str]) -> None:
    result = invoke(runner, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert invoke(runner, [*command, "-h"]).stdout == result.stdout


def test_python_m_netsim_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "netsim", "--version"], capture_output=True, text=True, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"netsim, version {netsim.__version__}\n"


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    "args",
    [[*CHECK, *flow("shop/web", "shop/db", "80")], ["matrix", "cluster.yaml", "--port", "80"]],
    ids=["check", "matrix"],
)
def test_keyboard_interrupt_exits_130(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    # wherever the CLI imported the loader from, make loading raise KeyboardInterrupt
    cli_modules = [m for name, m in sorted(sys.modules.items()) if name.startswith("netsim.cli")]
    patched = [m for m in cli_modules if hasattr(m, "load_cluster")]
    assert patched, "the CLI no longer calls load_cluster; update this test"
    for module in patched:
        monkeypatch.setattr(module, "load_cluster", interrupted)
    result = runner.invoke(main, args)
    assert result.exit_code == 130
    assert result.stdout == ""
    assert result.stderr == "netsim: interrupted\n"
