"""`netsim lint` through click's CliRunner: exit codes, --fail-on, --disable, the three outputs, and
lint over every bundled scenario.

Each test writes its manifests into its own temporary directory and names them relatively, so
locations read as a user sees them (``app.yaml:20:1: ...``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from netsim.lint import RULES
from tests.conftest import SCENARIOS

# shop/web, isolated in both directions by deny-all, with a DNS rule that forgets UDP: NP003 (error,
# no DNS pods in the input and no egress rule allows UDP 53) and NP005 (warning, the port entry).
APP = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
spec:
  containers:
    - name: web
      ports:
        - {name: http, containerPort: 8080}
status:
  podIP: 10.0.1.10
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web-dns
  namespace: shop
spec:
  podSelector:
    matchLabels: {app: web}
  policyTypes: [Egress]
  egress:
    - ports:
        - port: 53
"""

# The same with UDP 53 allowed as well: NP005 and NP003 are gone, nothing else is found.
CLEAN = APP.replace("        - port: 53\n", "        - port: 53\n        - {port: 53, protocol: UDP}\n")

# Only warnings: a namespace whose pod nothing isolates (NP001, NP002).
OPEN = APP.split("---\napiVersion: networking.k8s.io/v1")[0]

APP_TEXT = """\
app.yaml:20:1: error[NP003] namespace shop: egress-isolated pods cannot reach cluster DNS \
(k8s-app=kube-dns in namespace kube-system, not in the input) on UDP 53, denied at egress: shop/web
  hint: allow egress to the DNS pods: `to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: \
kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]`, `ports: [{protocol: UDP, port: 53}, \
{protocol: TCP, port: 53}]`
app.yaml:40:11: warning[NP005] policy shop/web-dns spec.egress[0].ports[0] allows port 53 on TCP only (protocol \
defaults to TCP): DNS queries go over UDP and stay blocked
  hint: add `{protocol: UDP, port: 53}` next to it (keep TCP 53 for large answers)
2 findings: 1 error, 1 warning, 0 info
"""


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory holding app.yaml, clean.yaml and open.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.yaml").write_text(APP, encoding="utf-8")
    (tmp_path / "clean.yaml").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "open.yaml").write_text(OPEN, encoding="utf-8")
    return tmp_path


def lint(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["lint", *args])


# -- text output and exit codes ----------------------------------------------------------------------


def test_text_output_is_exact(runner: CliRunner, here: Path) -> None:
    result = runner.invoke(main, ["lint", "app.yaml"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == APP_TEXT
    assert result.stderr == ""


def test_clean_input_exits_zero(runner: CliRunner, here: Path) -> None:
    result = runner.invoke(main, ["lint", "clean.yaml", "--fail-on", "info"], catch_exceptions=False)
    assert (result.exit_code, result.stdout) == (0, "no findings\n")


@pytest.mark.parametrize(
    ("path", "fail_on", "code"),
    [
        ("app.yaml", None, 1),  # an error, default --fail-on error
        ("app.yaml", "error", 1),
        ("app.yaml", "warning", 1),
        ("open.yaml", None, 0),  # warnings only
        ("open.yaml", "error", 0),
        ("open.yaml", "warning", 1),
        ("open.yaml", "info", 1),
        ("clean.yaml", "info", 0),
    ],
)
def test_fail_on_sets_the_exit_code(runner: CliRunner, here: Path, path: str, fail_on: str | None, code: int) -> None:
    args = [path] if fail_on is None else [path, "--fail-on", fail_on]
    result = lint(runner, *args)
    assert result.exit_code == code, result.output


def test_open_namespace_warnings(runner: CliRunner, here: Path) -> None:
    result = lint(runner, "open.yaml")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("open.yaml:1:1: warning[NP001] namespace shop has no default-deny ingress policy")
    assert lines[2].startswith("open.yaml:1:1: warning[NP002] namespace shop has no default-deny egress policy")
    assert lines[-1] == "2 findings: 0 errors, 2 warnings, 0 info"


@pytest.mark.parametrize("spelling", [["--disable", "NP003"], ["--disable", "np003"], ["--disable", "dns-udp-blocked"]])
def test_disable_silences_a_rule(runner: CliRunner, here: Path, spelling: list[str]) -> None:
    result = lint(runner, "app.yaml", *spelling)
    assert result.exit_code == 0  # only the NP005 warning is left
    assert "NP003" not in result.stdout
    assert "warning[NP005]" in result.stdout


def test_disable_is_repeatable_and_takes_lists(runner: CliRunner, here: Path) -> None:
    repeated = lint(runner, "app.yaml", "--disable", "NP003", "--disable", "NP005", "--fail-on", "info")
    listed = lint(runner, "app.yaml", "--disable", "NP003,dns-port-without-udp", "--fail-on", "info")
    assert (repeated.exit_code, repeated.stdout) == (0, "no findings\n")
    assert (listed.exit_code, listed.stdout) == (0, "no findings\n")


ALL_RULES = ", ".join(f"{r.id} {r.name}" for r in RULES)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("NP999", f"unknown rule 'NP999'; the rules are {ALL_RULES} (see docs/lint.md)"),
        ("NP0004", f"unknown rule 'NP0004'; did you mean 'NP004'? The rules are {ALL_RULES} (see docs/lint.md)"),
        ("np4", f"unknown rule 'np4'; did you mean 'NP004'? The rules are {ALL_RULES} (see docs/lint.md)"),
        (
            "dns-tcp-blokced",
            "unknown rule 'dns-tcp-blokced'; did you mean 'dns-tcp-blocked', 'dns-udp-blocked'? "
            f"The rules are {ALL_RULES} (see docs/lint.md)",
        ),
        (
            "NP003,Dns-Tcp",
            f"unknown rule 'Dns-Tcp'; did you mean 'dns-tcp-blocked'? The rules are {ALL_RULES} (see docs/lint.md)",
        ),
    ],
)
def test_unknown_rule_is_a_usage_error(runner: CliRunner, here: Path, value: str, message: str) -> None:
    result = lint(runner, "app.yaml", "--disable", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.endswith(f"Error: Invalid value for '--disable': {message}\n")


@pytest.mark.parametrize("value", ["k8s-app", "bad key=x", "app=not valid!"])
def test_bad_dns_selector_is_a_usage_error(runner: CliRunner, here: Path, value: str) -> None:
    result = lint(runner, "app.yaml", "--dns-selector", value)
    assert result.exit_code == 2
    assert "Invalid value for '--dns-selector'" in result.stderr


def test_dns_selector_and_namespace_find_the_dns_pods(runner: CliRunner, here: Path) -> None:
    resolver = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: resolver, namespace: dns, labels: {app: resolver}}\n"
        "status: {podIP: 10.0.3.3}\n"
    )
    (here / "dns.yaml").write_text(resolver, encoding="utf-8")
    default = lint(runner, "app.yaml", "dns.yaml")
    custom = lint(runner, "app.yaml", "dns.yaml", "--dns-namespace", "dns", "--dns-selector", "app=resolver")
    assert "not in the input" in default.stdout
    assert "cluster DNS (dns/resolver) on UDP 53" in custom.stdout


def test_bad_input_exits_two(runner: CliRunner, here: Path) -> None:
    (here / "bad.yaml").write_text(APP.replace("policyTypes: [Ingress, Egress]", "policyTypes: [ingress]"))
    result = lint(runner, "bad.yaml")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert 'error: bad.yaml:27:17: spec.policyTypes[0]: Unsupported value: "ingress"' in result.stderr


def test_help_has_examples(runner: CliRunner) -> None:
    result = runner.invoke(main, ["lint", "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Examples:\n    netsim lint scenarios/production-hardening/manifests\n" in result.stdout
    for option in ("--fail-on", "--disable", "--dns-selector", "--dns-namespace", "--output"):
        assert option in result.stdout


# -- JSON -------------------------------------------------------------------------------------------------


def test_json_output(runner: CliRunner, here: Path) -> None:
    result = lint(runner, "app.yaml", "-o", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"error": 1, "warning": 1, "info": 0, "total": 2}
    first, second = data["findings"]
    assert first == {
        "rule": "NP003",
        "name": "dns-udp-blocked",
        "severity": "error",
        "path": "app.yaml",
        "line": 20,
        "column": 1,
        "subject": "Namespace shop",
        "field": "",
        "message": first["message"],
        "hint": first["hint"],
    }
    assert first["message"].startswith("namespace shop: egress-isolated pods cannot reach cluster DNS")
    assert (second["rule"], second["field"], second["line"], second["column"]) == (
        "NP005",
        "spec.egress[0].ports[0]",
        40,
        11,
    )


# -- SARIF ------------------------------------------------------------------------------------------------

LEVELS = {"note", "warning", "error"}


def _text(obj: Any) -> str:
    assert isinstance(obj, dict)
    assert isinstance(obj["text"], str)
    assert obj["text"]
    return obj["text"]


def check_sarif_shape(log: Any, root: Path) -> list[dict[str, Any]]:
    """Assert the SARIF 2.1.0 shape code scanning needs; return the results."""
    assert isinstance(log, dict)
    assert isinstance(log["$schema"], str)
    assert log["$schema"].startswith("https://")
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list)
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "netsim"
    assert isinstance(driver["informationUri"], str)
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert isinstance(rules, list)
    ids = []
    for rule in rules:
        assert isinstance(rule["id"], str)
        ids.append(rule["id"])
        _text(rule["shortDescription"])
        _text(rule["fullDescription"])
        _text(rule["help"])
        assert rule["defaultConfiguration"]["level"] in LEVELS
    assert len(set(ids)) == len(ids)
    results = run["results"]
    assert isinstance(results, list)
    for result in results:
        assert result["ruleId"] in ids
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in LEVELS
        _text(result["message"])
        location = result["locations"][0]["physicalLocation"]
        uri = location["artifactLocation"]["uri"]
        assert isinstance(uri, str)
        assert not uri.startswith("/")
        assert "://" not in uri
        assert (root / unquote(uri)).is_file(), uri
        region = location["region"]
        assert isinstance(region["startLine"], int)
        assert region["startLine"] >= 1
        assert isinstance(region["startColumn"], int)
        assert region["startColumn"] >= 1
    return list(results)


def test_sarif_output(runner: CliRunner, here: Path) -> None:
    result = lint(runner, "app.yaml", "-o", "sarif")
    assert result.exit_code == 1
    results = check_sarif_shape(json.loads(result.stdout), here)
    assert [(r["ruleId"], r["level"]) for r in results] == [("NP003", "error"), ("NP005", "warning")]
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {"startLine": 40, "startColumn": 11}
    driver = json.loads(result.stdout)["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES]


def test_sarif_uris_are_relative_to_the_working_directory(runner: CliRunner, here: Path) -> None:
    (here / "sub").mkdir()
    (here / "sub" / "my app.yaml").write_text(APP, encoding="utf-8")
    result = lint(runner, str(here / "sub"), "-o", "sarif")
    results = check_sarif_shape(json.loads(result.stdout), here)
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {"sub/my%20app.yaml"}


def test_sarif_levels_follow_severities(runner: CliRunner, here: Path) -> None:
    result = lint(runner, "open.yaml", "-o", "sarif", "--fail-on", "info")
    results = check_sarif_shape(json.loads(result.stdout), here)
    assert {r["level"] for r in results} == {"warning"}
    assert result.exit_code == 1


# -- the bundled scenarios ----------------------------------------------------------------------------------

# What lint finds in each scenario, by rule, and why that is right:
EXPECTED = {
    # only kube-system is left open (nobody default-denies kube-system in the scenario)
    "production-hardening/manifests": {"NP001", "NP002"},
    "k8s-docs/allow-all-egress/manifests": {"NP001", "NP002"},  # the tools namespace is open
    # backend-allow-frontend is moot under allow-all-ingress (the point of the scenario)
    "k8s-docs/allow-all-ingress/manifests": {"NP002", "NP015"},
    "k8s-docs/and-vs-or-peers/manifests": {"NP001", "NP002"},
    # the docs' deny examples also cut DNS off: no egress rule allows UDP 53
    "k8s-docs/default-deny-all/manifests": {"NP001", "NP002", "NP003"},
    "k8s-docs/default-deny-egress/manifests": {"NP001", "NP002", "NP003"},
    "k8s-docs/default-deny-ingress/manifests": {"NP001", "NP002"},
    "k8s-docs/namespace-selected-by-name/manifests": {"NP001", "NP002"},
    "k8s-docs/test-network-policy/manifests": {"NP001", "NP002", "NP003"},
    # web may use every TCP port but no UDP (no DNS); monitoring is not in the input
    "common-mistakes/fixed": {"NP003", "NP007"},
    # shop has no Namespace manifest, so api-ingress's namespaceSelector may select nothing (NP007,
    # a "may" warning); the Cilium policy in front of vault is not evaluated (NP018, info)
    "open-world/manifests": {"NP001", "NP002", "NP007", "NP018"},
    # the Admin tier guards restricted and monitoring, but lint's NP001/NP002 look at NetworkPolicy
    # isolation only: no NetworkPolicy default-denies these namespaces
    "cluster-guardrails/manifests": {"NP001", "NP002"},
    # no egress default deny anywhere; web's 0.0.0.0/0 ipBlock also covers the pods' addresses; the
    # HTTPRoute's backend api-v2 refuses 9443 to anyone, so the gateway cannot reach it (NP029)
    "services-and-ingress/manifests": {"NP002", "NP013", "NP029"},
    # monitoring and kube-system are open, shop is open for egress; payments' new default deny cuts
    # the gateway off DNS (NP003), which the replay of the observed flows shows too
    "observed-traffic/manifests": {"NP001", "NP002", "NP003"},
}


def _scenario_dirs() -> list[str]:
    found = {str(p.relative_to(SCENARIOS)) for p in SCENARIOS.glob("**/manifests")}
    return sorted(found | {"common-mistakes/fixed"})


def test_every_scenario_is_covered() -> None:
    assert set(_scenario_dirs()) == set(EXPECTED) | {"common-mistakes/manifests"}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_lint_on_bundled_scenarios(runner: CliRunner, scenario: str) -> None:
    result = runner.invoke(main, ["lint", str(SCENARIOS / scenario), "-o", "json"], catch_exceptions=False)
    findings = json.loads(result.stdout)["findings"]
    assert {f["rule"] for f in findings} == EXPECTED[scenario], json.dumps(findings, indent=2)
    assert result.exit_code == (1 if any(f["severity"] == "error" for f in findings) else 0)


def test_production_hardening_is_clean_but_for_kube_system(runner: CliRunner) -> None:
    path = str(SCENARIOS / "production-hardening" / "manifests")
    result = runner.invoke(main, ["lint", path, "-o", "json"], catch_exceptions=False)
    findings = json.loads(result.stdout)["findings"]
    assert {f["subject"] for f in findings} == {"Namespace kube-system"}
    assert result.exit_code == 0


def test_invalid_scenario_is_bad_input(runner: CliRunner) -> None:
    result = runner.invoke(main, ["lint", str(SCENARIOS / "common-mistakes" / "manifests")])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "8 input errors" in result.stderr


# -- what the input does not decide: "may" findings, at most warnings; NP018 for unevaluated policies --------

# shop is isolated both ways and allows DNS towards a namespace selected by a `name` label; kube-system
# has no Namespace manifest (the example of docs/lint.md, "What lint cannot know")
OPEN_DNS = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.1.10}
---
apiVersion: v1
kind: Pod
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  containers:
    - name: coredns
      ports:
        - {name: dns, containerPort: 53, protocol: UDP}
        - {name: dns-tcp, containerPort: 53, protocol: TCP}
status: {podIP: 10.0.0.10}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: shop}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
    - to:
        - namespaceSelector: {matchLabels: {name: kube-system}}
          podSelector: {matchLabels: {k8s-app: kube-dns}}
      ports:
        - {protocol: UDP, port: 53}
        - {protocol: TCP, port: 53}
"""

CILIUM = """\
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata: {name: web-l7, namespace: shop}
spec:
  endpointSelector:
    matchLabels: {app: web}
  ingress:
    - fromEndpoints: [{}]
"""

LINT_MD = Path(__file__).resolve().parents[2] / "docs" / "lint.md"


def test_may_findings_are_warnings_as_docs_lint_md_shows(runner: CliRunner, here: Path) -> None:
    (here / "m.yaml").write_text(OPEN_DNS, encoding="utf-8")
    result = runner.invoke(main, ["lint", "m.yaml", "--disable", "NP001,NP002"], catch_exceptions=False)
    assert result.exit_code == 0  # warnings only: --fail-on error does not fail
    assert all(line.startswith("warning: ") for line in result.stderr.splitlines())  # the loader's, if any
    shown = LINT_MD.read_text(encoding="utf-8").split("```text\nm.yaml:17:1:", 1)[1].split("```", 1)[0]
    assert result.stdout == "m.yaml:17:1:" + shown
    assert result.stdout.startswith(
        "m.yaml:17:1: warning[NP003] namespace shop: whether egress-isolated pods reach cluster DNS "
        "(kube-system/coredns) on UDP 53 is undetermined (allowed if namespace kube-system has labels matching "
        "{name=kube-system} (it has no manifest: only its name label is known)): shop/web\n"
    )
    assert lint(runner, "m.yaml", "--disable", "NP001,NP002", "--fail-on", "warning").exit_code == 1


def test_closed_world_decides_them(runner: CliRunner, here: Path) -> None:
    (here / "m.yaml").write_text(OPEN_DNS, encoding="utf-8")
    result = runner.invoke(main, ["lint", "m.yaml", "--disable", "NP001,NP002", "--closed-world"])
    assert result.exit_code == 1
    assert [line for line in result.stdout.splitlines() if not line.startswith("  hint:")] == [
        "m.yaml:17:1: error[NP003] namespace shop: egress-isolated pods cannot reach cluster DNS "
        "(kube-system/coredns) on UDP 53 (nor TCP 53), denied at egress: shop/web",
        "m.yaml:32:11: warning[NP007] policy shop/allow-dns spec.egress[0].to[0]: namespaceSelector "
        "{name=kube-system} matches no namespace in the input, so this peer selects nothing",
        "2 findings: 1 error, 1 warning, 0 info",
    ]


def test_an_unevaluated_policy_is_an_info_finding_and_a_sarif_note(runner: CliRunner, here: Path) -> None:
    (here / "cnp.yaml").write_text(CILIUM, encoding="utf-8")
    result = runner.invoke(main, ["lint", "clean.yaml", "cnp.yaml"])
    assert result.exit_code == 0
    assert result.stdout == (
        "cnp.yaml:1:1: info[NP018] CiliumNetworkPolicy shop/web-l7 is not evaluated (netsim does not evaluate "
        "Cilium policies): answers about the pods it may select are undetermined (ingress): shop/web\n"
        "  hint: netsim evaluates NetworkPolicy and the cluster-scoped tiers only: check what this policy allows and "
        "denies by hand; --ignore-unevaluated answers as if it were absent\n"
        "1 finding: 0 errors, 0 warnings, 1 info\n"
    )
    assert lint(runner, "clean.yaml", "cnp.yaml", "--fail-on", "info").exit_code == 1
    sarif = lint(runner, "clean.yaml", "cnp.yaml", "-o", "sarif")
    [found] = check_sarif_shape(json.loads(sarif.stdout), here)
    assert (found["ruleId"], found["level"]) == ("NP018", "note")
    region = found["locations"][0]["physicalLocation"]
    assert (region["artifactLocation"]["uri"], region["region"]["startLine"]) == ("cnp.yaml", 1)
    [data] = json.loads(lint(runner, "clean.yaml", "cnp.yaml", "-o", "json").stdout)["findings"]
    assert (data["rule"], data["name"], data["severity"], data["subject"]) == (
        "NP018",
        "unevaluated-policy",
        "info",
        "CiliumNetworkPolicy shop/web-l7",
    )


def test_ingress_pod_names_pods_of_the_input(runner: CliRunner) -> None:
    manifests = str(SCENARIOS / "services-and-ingress" / "manifests")
    quiet = lint(runner, manifests)
    named = lint(runner, manifests, "--ingress-pod", "shop/web")
    assert named.exit_code in (0, 1), named.output
    assert "--ingress-pod" not in named.stderr
    address = lint(runner, manifests, "--ingress-pod", "10.9.9.9")
    assert address.exit_code == 2
    assert "--ingress-pod 10.9.9.9: an ingress controller or gateway is a pod of the input, not an address" in (
        address.stderr
    )
    unknown = lint(runner, manifests, "--ingress-pod", "shop/wbe")
    assert unknown.exit_code == 2
    assert "did you mean" in unknown.stderr
    assert quiet.exit_code in (0, 1)
