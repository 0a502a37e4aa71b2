"""``netsim check`` when the input does not decide the answer: UNDETERMINED (exit status 3), what it
depends on, and the options that settle it (--pod-cidr, --closed-world, --ignore-unevaluated,
--replica-traffic).

Every test writes its manifests to its own temporary directory and names them relatively, so the
locations read as a user sees them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from tests.cli.open_world_inputs import CIDR_CLUSTER  # (a) a Deployment client, an ipBlock on the pod network

# (b) shop has no Namespace manifest; prod/db admits namespaces labelled team=storefront.
NAMESPACE_CLUSTER = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
status:
  podIP: 10.0.1.10
---
apiVersion: v1
kind: Namespace
metadata: {name: prod}
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: prod
  labels: {app: db}
status:
  podIP: 10.0.2.20
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-storefront
  namespace: prod
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: storefront}}
      ports:
        - port: 5432
"""

SHOP_NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {team: storefront}
"""

# (c) three ledger replicas; only app=api pods may open 5432 on them.
REPLICAS_CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: payments}
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: ledger
  namespace: payments
spec:
  replicas: 3
  serviceName: ledger
  selector: {matchLabels: {app: ledger}}
  template:
    metadata: {labels: {app: ledger}}
    spec:
      containers: [{name: ledger, ports: [{containerPort: 5432}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: ledger-from-api
  namespace: payments
spec:
  podSelector: {matchLabels: {app: ledger}}
  ingress:
    - from:
        - podSelector: {matchLabels: {app: api}}
      ports:
        - port: 5432
"""

# (d) a CiliumNetworkPolicy selects shop/db: netsim does not evaluate it.
CILIUM_CLUSTER = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: shop
  labels: {app: web}
status:
  podIP: 10.0.1.10
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  labels: {app: db}
status:
  podIP: 10.0.1.20
---
apiVersion: cilium.io/v2
kind: CiliumNetworkPolicy
metadata:
  name: db-l7
  namespace: shop
spec:
  endpointSelector:
    matchLabels: {app: db}
  ingress:
    - fromEndpoints:
        - matchLabels: {app: web}
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The manifests of (a) to (d) in a temporary working directory."""
    monkeypatch.chdir(tmp_path)
    for name, text in {
        "cidr.yaml": CIDR_CLUSTER,
        "namespace.yaml": NAMESPACE_CLUSTER,
        "shop-ns.yaml": SHOP_NAMESPACE,
        "replicas.yaml": REPLICAS_CLUSTER,
        "replicas-1.yaml": REPLICAS_CLUSTER.replace("replicas: 3", "replicas: 1"),
        "cilium.yaml": CILIUM_CLUSTER,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def check(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["check", *args], catch_exceptions=False)


CLIENT_TO_DB = ("cidr.yaml", "--from", "shop/client[Deployment]", "--to", "prod/db", "--port", "5432")
NO_IP = "no IP in the input; --pod-cidr gives the pod network"
CIDR_INGRESS = (
    "  ingress at prod/db: isolated by prod/allow-cidr (cidr.yaml:33:1) [policyTypes defaulted to Ingress] -> "
)


# -- (a) a workload without an IP against an ipBlock ---------------------------------------------------


@pytest.mark.usefixtures("workdir")
def test_workload_without_ip_against_ipblock_is_undetermined(runner: CliRunner) -> None:
    result = check(runner, *CLIENT_TO_DB)
    assert (result.exit_code, result.stderr) == (3, "")
    assert result.stdout == (
        "shop/client[Deployment] -> prod/db 5432/TCP: UNDETERMINED\n"
        "  egress  at shop/client[Deployment]: not isolated: no policy selects shop/client[Deployment] "
        "for Egress -> allowed\n"
        f"{CIDR_INGRESS}undetermined\n"
        "    ? prod/allow-cidr spec.ingress[0] (cidr.yaml:41:7): allows 5432/TCP if "
        f"shop/client[Deployment]'s IP is in 10.244.0.0/16 ({NO_IP})\n"
        f"  => undetermined: allowed if shop/client[Deployment]'s IP is in 10.244.0.0/16 ({NO_IP})\n"
    )


@pytest.mark.usefixtures("workdir")
def test_undetermined_json(runner: CliRunner) -> None:
    result = check(runner, *CLIENT_TO_DB, "-o", "json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    unknown = {
        "kind": "pod-address",
        "about": "shop/client[Deployment]",
        "condition": f"shop/client[Deployment]'s IP is in 10.244.0.0/16 ({NO_IP})",
        "at": "cidr.yaml:9:1",
    }
    assert (data["verdict"], data["allowed"], data["unknowns"]) == ("undetermined", None, [unknown])
    assert (data["egress"]["decision"], data["egress"]["allowed"], data["egress"]["unknowns"]) == ("allowed", True, [])
    ingress = data["ingress"]
    assert (ingress["decision"], ingress["allowed"], ingress["unknowns"]) == ("undetermined", None, [unknown])
    assert ingress["rules"] == [
        {
            "policy": "prod/allow-cidr",
            "rule": "spec.ingress[0]",
            "location": "cidr.yaml:41:7",
            "peerMatched": None,
            "matchedPeer": None,
            "peerMisses": [],
            "peerUnknowns": [unknown],
            "ports": {"TCP": [[5432, 5432]]},
            "portNotes": [],
            "allowsThisConnection": None,
        }
    ]


@pytest.mark.usefixtures("workdir")
def test_pod_cidr_inside_the_ipblock_allows(runner: CliRunner) -> None:
    result = check(runner, *CLIENT_TO_DB, "--pod-cidr", "10.244.0.0/16")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("shop/client[Deployment] -> prod/db 5432/TCP: ALLOWED\n")
    assert f"{CIDR_INGRESS}allowed\n    + prod/allow-cidr spec.ingress[0] (cidr.yaml:41:7): " in result.stdout
    assert result.stdout.endswith("  => allowed: egress and ingress both allow it\n")


DENIED_BY_CIDR = (
    "shop/client[Deployment] -> prod/db 5432/TCP: DENIED\n"
    "  egress  at shop/client[Deployment]: not isolated: no policy selects shop/client[Deployment] "
    "for Egress -> allowed\n"
    f"{CIDR_INGRESS}denied\n"
    "    x prod/allow-cidr spec.ingress[0] (cidr.yaml:41:7): source not matched: "
    "shop/client[Deployment] has no IP address to match ipBlock 10.244.0.0/16\n"
    "  => denied at ingress\n"
)


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    "options",
    [["--pod-cidr", "192.168.0.0/16"], ["--pod-cidr", "192.168.0.0/16", "--pod-cidr", "fd00::/48"], ["--closed-world"]],
    ids=["pod-cidr-outside", "dual-stack-outside", "closed-world"],
)
def test_pod_cidr_outside_the_ipblock_or_closed_world_denies(runner: CliRunner, options: list[str]) -> None:
    result = check(runner, *CLIENT_TO_DB, *options)
    assert (result.exit_code, result.stderr, result.stdout) == (1, "", DENIED_BY_CIDR)


@pytest.mark.usefixtures("workdir")
def test_pod_cidr_that_overlaps_the_ipblock_names_the_pod_network(runner: CliRunner) -> None:
    result = check(runner, *CLIENT_TO_DB, "--pod-cidr", "10.0.0.0/8")
    assert result.exit_code == 3
    assert result.stdout.endswith(
        "  => undetermined: allowed if shop/client[Deployment]'s IP is in 10.244.0.0/16 "
        "(no IP in the input; the pod network is 10.0.0.0/8)\n"
    )


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("10.0.0.1/8", "must not have bits set beyond the prefix length"),
        ("010.0.0.0/8", "must not have leading 0s in IP or prefix length"),
        ("10.0.0.0", "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
        ("pods", "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"),
    ],
)
def test_bad_pod_cidr_exits_2(runner: CliRunner, value: str, problem: str) -> None:
    result = runner.invoke(main, ["check", *CLIENT_TO_DB, "--pod-cidr", "10.244.0.0/16", "--pod-cidr", value])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: --pod-cidr {value}: {problem}\n"


# -- (b) a namespace without a manifest against a namespaceSelector ------------------------------------

WEB_TO_DB = ("--from", "shop/web", "--to", "prod/db", "--port", "5432")
NS_INGRESS = (
    "  ingress at prod/db: isolated by prod/allow-storefront (namespace.yaml:23:1) "
    "[policyTypes defaulted to Ingress] -> "
)
NS_RULE = "prod/allow-storefront spec.ingress[0] (namespace.yaml:31:7)"
NS_CONDITION = "namespace shop has labels matching {team=storefront} (it has no manifest: only its name label is known)"
WEB_EGRESS = "  egress  at shop/web: not isolated: no policy selects shop/web for Egress -> allowed\n"


@pytest.mark.usefixtures("workdir")
def test_namespace_without_manifest_is_undetermined(runner: CliRunner) -> None:
    result = check(runner, "namespace.yaml", *WEB_TO_DB)
    # the run warns once, at the selector, that it cannot be decided for shop
    assert (result.exit_code, result.stderr) == (
        3,
        "warning: namespace.yaml:32:11: namespace shop has no manifest, so whether namespaceSelector "
        "{team=storefront} of prod/allow-storefront spec.ingress[0] selects it is undetermined "
        "(--closed-world: only the name label)\n",
    )
    assert result.stdout == (
        "shop/web -> prod/db 5432/TCP: UNDETERMINED\n"
        f"{WEB_EGRESS}"
        f"{NS_INGRESS}undetermined\n"
        f"    ? {NS_RULE}: allows 5432/TCP if {NS_CONDITION}\n"
        f"  => undetermined: allowed if {NS_CONDITION}\n"
    )


@pytest.mark.usefixtures("workdir")
def test_namespace_manifest_with_the_label_allows(runner: CliRunner) -> None:
    result = check(runner, "namespace.yaml", "shop-ns.yaml", *WEB_TO_DB)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "shop/web -> prod/db 5432/TCP: ALLOWED\n"
        f"{WEB_EGRESS}"
        f"{NS_INGRESS}allowed\n"
        f"    + {NS_RULE}: all pods in namespaces {{team=storefront}}, TCP 5432: allows 5432/TCP\n"
        "  => allowed: egress and ingress both allow it\n"
    )


@pytest.mark.usefixtures("workdir")
def test_namespace_without_manifest_in_a_closed_world_denies(runner: CliRunner) -> None:
    result = check(runner, "namespace.yaml", *WEB_TO_DB, "--closed-world")
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        "shop/web -> prod/db 5432/TCP: DENIED\n"
        f"{WEB_EGRESS}"
        f"{NS_INGRESS}denied\n"
        f"    x {NS_RULE}: source not matched: namespace shop not matched by namespaceSelector "
        "{team=storefront}: label team=storefront required, but team is not set\n"
        "  => denied at ingress\n"
    )


# -- (c) one replica to another -----------------------------------------------------------------------

LEDGER = "payments/ledger[StatefulSet]"
LEDGER_TO_ITSELF = ("--from", LEDGER, "--to", LEDGER, "--port", "5432")
ITSELF = (
    f"{LEDGER} -> {LEDGER} 5432/TCP: ALLOWED\n"
    f"  egress  at {LEDGER}: a pod can always reach itself -> allowed\n"
    f"  ingress at {LEDGER}: a pod can always reach itself -> allowed\n"
    "  => allowed: egress and ingress both allow it\n"
)


@pytest.mark.usefixtures("workdir")
def test_replicas_of_a_workload_are_distinct_pods(runner: CliRunner) -> None:
    result = check(runner, "replicas.yaml", *LEDGER_TO_ITSELF)
    assert (result.exit_code, result.stderr) == (1, "")
    assert result.stdout == (
        f"{LEDGER} -> {LEDGER} 5432/TCP: DENIED (one replica to another)\n"
        f"  egress  at {LEDGER}: not isolated: no policy selects {LEDGER} for Egress -> allowed\n"
        f"  ingress at {LEDGER}: isolated by payments/ledger-from-api (replicas.yaml:19:1) "
        "[policyTypes defaulted to Ingress] -> denied\n"
        "    x payments/ledger-from-api spec.ingress[0] (replicas.yaml:27:7): source not matched: "
        f"pod {LEDGER} not matched by podSelector {{app=api}}: label app=api required, but app=ledger\n"
        "  => denied at ingress\n"
    )
    data = json.loads(check(runner, "replicas.yaml", *LEDGER_TO_ITSELF, "-o", "json").stdout)
    assert (data["verdict"], data["oneReplicaToAnother"]) == ("denied", True)


@pytest.mark.usefixtures("workdir")
def test_no_replica_traffic_is_one_pod(runner: CliRunner) -> None:
    result = check(runner, "replicas.yaml", *LEDGER_TO_ITSELF, "--no-replica-traffic")
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", ITSELF)
    data = json.loads(check(runner, "replicas.yaml", *LEDGER_TO_ITSELF, "--no-replica-traffic", "-o", "json").stdout)
    assert (data["verdict"], data["oneReplicaToAnother"]) == ("allowed", False)


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize("options", [[], ["--replica-traffic"]], ids=["default", "flag"])
def test_a_single_replica_reaches_itself(runner: CliRunner, options: list[str]) -> None:
    result = check(runner, "replicas-1.yaml", *LEDGER_TO_ITSELF, *options)
    assert (result.exit_code, result.stderr, result.stdout) == (0, "", ITSELF)


# -- (d) a policy of a kind netsim does not evaluate -------------------------------------------------

CILIUM_WARNING = (
    "warning: cilium.yaml:23:1: CiliumNetworkPolicy shop/db-l7 is not evaluated: netsim does not evaluate "
    "Cilium policies; answers about the pods it may select are undetermined (--ignore-unevaluated answers "
    "without it)\n"
)
CILIUM_FLOW = ("cilium.yaml", "--from", "shop/web", "--to", "shop/db", "--port", "5432")
CILIUM_CONDITION = "CiliumNetworkPolicy shop/db-l7 (cilium.yaml:23:1) selects shop/db for ingress and is not evaluated"


@pytest.mark.usefixtures("workdir")
def test_unevaluated_policy_kind_makes_its_pods_undetermined(runner: CliRunner) -> None:
    # waits on the loader reading CiliumNetworkPolicy into Cluster.unevaluated (with its warning)
    result = check(runner, *CILIUM_FLOW)
    assert result.exit_code == 3
    assert result.stderr == CILIUM_WARNING
    assert result.stdout == (
        "shop/web -> shop/db 5432/TCP: UNDETERMINED\n"
        f"{WEB_EGRESS}"
        "  ingress at shop/db: no NetworkPolicy selects shop/db for Ingress, but a policy netsim does not "
        "evaluate may decide it -> undetermined\n"
        f"    ? {CILIUM_CONDITION}\n"
        f"  => undetermined: {CILIUM_CONDITION}\n"
    )
    data = json.loads(check(runner, *CILIUM_FLOW, "-o", "json").stdout)
    assert data["unknowns"] == [
        {
            "kind": "unevaluated-policy",
            "about": "CiliumNetworkPolicy shop/db-l7",
            "condition": CILIUM_CONDITION,
            "at": "cilium.yaml:23:1",
        }
    ]
    assert [p["policy"] for p in data["ingress"]["unevaluatedPolicies"]] == ["CiliumNetworkPolicy shop/db-l7"]


@pytest.mark.usefixtures("workdir")
def test_ignore_unevaluated_answers_without_them(runner: CliRunner) -> None:
    result = check(runner, *CILIUM_FLOW, "--ignore-unevaluated")
    assert result.exit_code == 0
    assert result.stderr in ("", CILIUM_WARNING)  # still reported (once the loader reads the kind)
    assert result.stdout == (
        "shop/web -> shop/db 5432/TCP: ALLOWED\n"
        f"{WEB_EGRESS}"
        "  ingress at shop/db: not isolated: no policy selects shop/db for Ingress -> allowed\n"
        "  => allowed: egress and ingress both allow it\n"
    )


# -- help ------------------------------------------------------------------------------------------------


def test_check_help_documents_exit_status_3_and_the_new_options(runner: CliRunner) -> None:
    text = runner.invoke(main, ["check", "--help"], terminal_width=100, catch_exceptions=False).stdout
    assert text.endswith(
        "Exit status:\n"
        "  0    allowed\n"
        "  1    denied\n"
        "  2    bad input or usage (nothing on stdout)\n"
        "  3    undetermined: the answer depends on what the input does not say\n"
        "  130  interrupted (Ctrl-C)\n"
    )
    assert "--pod-cidr 10.244.0.0/16" in text
    options = [line.split()[0] for line in text.splitlines() if line.startswith("  -")]
    # the command's own options first, then the shared ones, then the limits
    assert options.index("--from") < options.index("--host-network") < options.index("--max-file-bytes")
    assert options.index("--host-network") < options.index("--pod-cidr") < options.index("--closed-world")
    assert options.index("--closed-world") < options.index("--ignore-unevaluated")
    assert options.index("--ignore-unevaluated") < options.index("--replica-traffic")


def test_main_help_names_exit_status_3(runner: CliRunner) -> None:
    text = " ".join(runner.invoke(main, ["--help"], catch_exceptions=False).stdout.split())
    assert "2 bad input or usage, 3 undetermined" in text


TIER_CLUSTER = """\
apiVersion: v1
kind: Pod
metadata: {name: harry, namespace: gryffindor, labels: {app: harry}}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: luna, namespace: ravenclaw, labels: {app: luna}}
status: {podIP: 10.0.2.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: in, namespace: gryffindor}
spec:
  podSelector: {matchLabels: {app: harry}}
  policyTypes: [Ingress]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: b}
spec:
  tier: Baseline
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: gryffindor}}}
  egress:
    - action: Deny
      to: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: ravenclaw}}}]
"""


def test_networkpolicy_tier_option(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "tiers.yaml").write_text(TIER_CLUSTER, encoding="utf-8")
    args = [str(tmp_path / "tiers.yaml"), "--from", "gryffindor/harry", "--to", "ravenclaw/luna", "--port", "80"]
    # the API's reading: no NetworkPolicy isolates harry's egress, so the Baseline tier denies
    assert check(runner, *args).exit_code == 1
    # kube-network-policies' reading: a NetworkPolicy selects harry, which ends the tiers: allowed
    assert check(runner, *args, "--networkpolicy-tier", "pod").exit_code == 0
    bad = check(runner, *args, "--networkpolicy-tier", "pods")
    assert bad.exit_code == 2
    message = "Invalid value for '--networkpolicy-tier': 'pods' is not one of 'direction', 'pod'; did you mean 'pod'?"
    assert message in bad.stderr
