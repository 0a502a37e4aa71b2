"""Endpoints and ports as the command line names them (netsim.endpoints), and the CLI using them.

Forms: ``ns/name`` (a pod or a workload, whichever is unique), ``name`` in the ``-n`` namespace,
``ns/Kind/name`` and ``ns/name[Kind]`` (for a workload, or to settle an ambiguity), and IP
addresses; ports as ``80``, ``53/UDP``, ``http`` or ``dns/udp``.
"""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.endpoints import (
    PortRef,
    did_you_mean,
    members,
    namespaces,
    parse_port,
    require_namespace,
    resolve_endpoint,
    resolve_port,
    suggest,
)
from netsim.errors import NetsimError, UnknownEndpointError
from netsim.loader import load_texts
from netsim.model import Cluster, ContainerPort, Endpoint, External, Pod, Protocol

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP

RS_OWNER = "[{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: true}]"

MANIFESTS = f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: frontend, namespace: shop}}
spec:
  template:
    metadata: {{labels: {{app: frontend}}}}
    spec: {{containers: [{{ports: [{{containerPort: 8080, name: http}}]}}]}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: db, namespace: shop}}
spec: {{template: {{metadata: {{labels: {{app: db}}}}}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-7d9c-b, namespace: shop, ownerReferences: {RS_OWNER}}}
status: {{podIP: 10.0.0.12}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-7d9c-a, namespace: shop, ownerReferences: {RS_OWNER}}}
status: {{podIPs: [{{ip: 10.0.0.11}}, {{ip: "fd00::11"}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: web-7d9c-c, namespace: shop, ownerReferences: {RS_OWNER}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: p-1, namespace: shop, ownerReferences: [{{name: internal-security, controller: true}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: p-2, namespace: shop, ownerReferences: [{{name: internal-security, controller: true}}]}}
---
apiVersion: v1
kind: Pod
metadata: {{name: debug, namespace: shop}}
status: {{podIP: 10.0.0.50}}
---
apiVersion: v1
kind: Pod
metadata:
  name: etcd-minikube
  namespace: kube-system
  ownerReferences: [{{apiVersion: v1, kind: Node, name: minikube, controller: true}}]
spec: {{hostNetwork: true}}
status: {{podIP: 192.168.49.2, hostIP: 192.168.49.2}}
---
apiVersion: v1
kind: Pod
metadata: {{name: frontend, namespace: both}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: frontend, namespace: both}}
"""


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    result = load_texts({"m.yaml": MANIFESTS})
    assert result.warnings == ()
    return result.cluster


# -- resolve_endpoint -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "default_namespace", "expected"),
    [
        pytest.param("shop/debug", "default", "shop/debug", id="ns/name-of-a-pod"),
        pytest.param("debug", "shop", "shop/debug", id="name-in-the-n-namespace"),
        pytest.param("  shop/debug\n", "default", "shop/debug", id="spaces-around"),
        pytest.param("shop/debug[Pod]", "default", "shop/debug", id="a-bare-pod-as-[Pod]"),
        pytest.param("shop/Pod/debug", "default", "shop/debug", id="a-bare-pod-as-Pod/"),
        pytest.param("shop/frontend", "default", "shop/frontend[Deployment]", id="ns/name-of-a-deployment"),
        pytest.param("frontend", "shop", "shop/frontend[Deployment]", id="deployment-in-the-n-namespace"),
        pytest.param("shop/Deployment/frontend", "default", "shop/frontend[Deployment]", id="ns/Kind/name"),
        pytest.param("shop/frontend[Deployment]", "default", "shop/frontend[Deployment]", id="ns/name[Kind]"),
        pytest.param("frontend[Deployment]", "shop", "shop/frontend[Deployment]", id="name[Kind]-in-the-n-ns"),
        pytest.param("shop/db", "default", "shop/db[StatefulSet]", id="statefulset"),
        # the pods of one ReplicaSet: its first pod (by name) stands for the owner
        pytest.param("shop/web-7d9c", "default", "shop/web-7d9c-a", id="owner-by-ns/name"),
        pytest.param("shop/web-7d9c[ReplicaSet]", "default", "shop/web-7d9c-a", id="owner-by-ns/name[Kind]"),
        pytest.param("shop/ReplicaSet/web-7d9c", "default", "shop/web-7d9c-a", id="owner-by-ns/Kind/name"),
        pytest.param("shop/web-7d9c-b", "default", "shop/web-7d9c-b", id="one-pod-of-an-owner"),
        # an owner reference without kind: the owner's name as a [Pod] (netpol-analyzer's naming)
        pytest.param("shop/internal-security", "default", "shop/p-1", id="owner-without-kind"),
        pytest.param("shop/internal-security[Pod]", "default", "shop/p-1", id="owner-without-kind-as-[Pod]"),
        pytest.param("kube-system/etcd-minikube", "default", "kube-system/etcd-minikube", id="node-owned-static-pod"),
        pytest.param("both/frontend[Pod]", "default", "both/frontend", id="ambiguity-settled-[Pod]"),
        pytest.param("both/Pod/frontend", "default", "both/frontend", id="ambiguity-settled-Pod/"),
        pytest.param("both/frontend[Deployment]", "default", "both/frontend[Deployment]", id="settled-[Deployment]"),
        pytest.param("both/Deployment/frontend", "default", "both/frontend[Deployment]", id="settled-Deployment/"),
    ],
)
def test_names(cluster: Cluster, text: str, default_namespace: str, expected: str) -> None:
    endpoint = resolve_endpoint(cluster, text, default_namespace)
    assert isinstance(endpoint, Pod)
    assert endpoint.ref == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("10.0.0.12", "shop/web-7d9c-b", id="status.podIP"),
        pytest.param("10.0.0.11", "shop/web-7d9c-a", id="status.podIPs"),
        pytest.param("fd00::11", "shop/web-7d9c-a", id="ipv6-of-status.podIPs"),
        pytest.param(" 10.0.0.50 ", "shop/debug", id="spaces-around"),
    ],
)
def test_a_pods_ip_is_that_pod(cluster: Cluster, text: str, expected: str) -> None:
    endpoint = resolve_endpoint(cluster, text)
    assert isinstance(endpoint, Pod)
    assert endpoint.ref == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("192.168.49.2", id="a-hostnetwork-pods-ip-is-its-nodes"),
        pytest.param("10.0.0.99", id="no-pod-has-it"),
        pytest.param("2001:db8::1", id="ipv6"),
    ],
)
def test_other_ips_are_external(cluster: Cluster, text: str) -> None:
    assert resolve_endpoint(cluster, text) == External(ip_address(text))


def test_a_pod_and_a_deployment_with_one_name_are_ambiguous(cluster: Cluster) -> None:
    with pytest.raises(UnknownEndpointError) as info:
        resolve_endpoint(cluster, "both/frontend")
    assert str(info.value) == (
        "endpoint 'both/frontend' is ambiguous: it names both/frontend[Deployment], both/frontend[Pod]; "
        "write one of those"
    )
    # what it tells the user to write works
    resolved = {resolve_endpoint(cluster, s).ref for s in info.value.suggestions}
    assert resolved == {"both/frontend[Deployment]", "both/frontend"}
    with pytest.raises(UnknownEndpointError):
        resolve_endpoint(cluster, "frontend", "both")


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        pytest.param("shop/fronted", ["shop/frontend[Deployment]"], id="typo"),
        pytest.param("shop/frontend[StatefulSet]", ["shop/frontend[Deployment]"], id="wrong-kind"),
        pytest.param("shop/deployment/frontend", ["shop/frontend[Deployment]"], id="kinds-are-case-sensitive"),
        pytest.param(
            "default/frontend",
            # both/frontend names a pod and a Deployment: the pod is suggested as both/frontend[Pod]
            ["both/frontend[Pod]", "both/frontend[Deployment]", "shop/frontend[Deployment]"],
            id="wrong-namespace",
        ),
        pytest.param("shop/web-7d9c-z", ["shop/web-7d9c-a", "shop/web-7d9c-b", "shop/web-7d9c-c"], id="owned-pod"),
        pytest.param("shop/web-7d9c-z[ReplicaSet]", ["shop/web-7d9c[ReplicaSet]"], id="owner"),
    ],
)
def test_unknown_endpoints_come_with_suggestions(cluster: Cluster, text: str, meant: list[str]) -> None:
    with pytest.raises(UnknownEndpointError) as info:
        resolve_endpoint(cluster, text)
    suggestions = info.value.suggestions
    assert set(meant) <= set(suggestions)
    assert len(suggestions) <= 3
    assert str(info.value) == (
        f"unknown endpoint {text!r}: no such pod or workload; did you mean "
        + ", ".join(repr(s) for s in suggestions)
        + "?"
    )
    for suggestion in suggestions:  # every suggestion is something the user can write
        assert isinstance(resolve_endpoint(cluster, suggestion), Pod)


def test_nothing_close_means_no_suggestion(cluster: Cluster) -> None:
    with pytest.raises(UnknownEndpointError) as info:
        resolve_endpoint(cluster, "nowhere/xyz")
    assert str(info.value) == "unknown endpoint 'nowhere/xyz': no such pod or workload"


def test_an_empty_cluster_has_no_suggestions() -> None:
    with pytest.raises(UnknownEndpointError) as info:
        resolve_endpoint(Cluster(), "shop/web")
    assert info.value.suggestions == ()


# -- suggest: the one place every command's "did you mean" comes from -------------------------------


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        pytest.param("shpo", ["shop", "tools", "kube-system"], ("shop",), id="typo"),
        pytest.param("nowhere", ["shop", "tools"], (), id="nothing-close"),
        pytest.param("x", [], (), id="no-names"),
        # closest first, at most three
        pytest.param("shop/wen", ["shop/web-frontend", "shop/web", "tools/x"], ("shop/web", "shop/web-frontend")),
        pytest.param(
            "shop/we", ["shop/web", "shop/wed", "shop/wee", "shop/weed"], ("shop/wee", "shop/wed", "shop/web")
        ),
        # difflib misses it, the last segment finds it
        pytest.param("production/web", ["qa/web", "qa/db"], ("qa/web",), id="same-name-elsewhere"),
        pytest.param("prod/api", ["shop/api[Deployment]"], ("shop/api[Deployment]",), id="same-name-of-a-workload"),
    ],
)
def test_suggest(text: str, names: list[str], expected: tuple[str, ...]) -> None:
    assert suggest(text, names) == expected


def test_suggest_compares_spellings_and_suggests_what_they_stand_for() -> None:
    names = {
        "shop/frontend": "shop/frontend[Deployment]",
        "shop/frontend[Deployment]": "shop/frontend[Deployment]",
        "tools/db": "tools/db[StatefulSet]",
    }
    # "shop/frontned" is closer to "shop/frontend" than to the label; the label is suggested, once
    assert suggest("shop/frontned", names) == ("shop/frontend[Deployment]",)
    assert suggest("shop/frontned", names, limit=1) == ("shop/frontend[Deployment]",)


def test_did_you_mean_quotes_as_check_does() -> None:
    assert did_you_mean(["shop/db", "shop/web"]) == "; did you mean 'shop/db', 'shop/web'?"
    assert did_you_mean([]) == ""


def test_namespaces_are_declared_or_hold_something(cluster: Cluster) -> None:
    assert namespaces(cluster) == {"both", "kube-system", "shop"}
    with_policy = load_texts(
        {
            "p.yaml": "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            "metadata: {name: deny, namespace: quiet}\nspec: {podSelector: {}}\n",
            "ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n",
        }
    ).cluster
    assert namespaces(with_policy) == {"empty", "quiet"}


def test_require_namespace(cluster: Cluster) -> None:
    require_namespace(cluster, "shop", "--focus")
    with pytest.raises(NetsimError) as info:
        require_namespace(cluster, "shpo", "--focus")
    assert str(info.value) == "--focus shpo: no such namespace in the input; did you mean 'shop'?"
    with pytest.raises(NetsimError) as info:
        require_namespace(cluster, "nowhere", "--focus")
    assert str(info.value) == "--focus nowhere: no such namespace in the input"


# -- members --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("shop/web-7d9c-c", ["shop/web-7d9c-a", "shop/web-7d9c-b", "shop/web-7d9c-c"], id="replicaset"),
        pytest.param("shop/p-2", ["shop/p-1", "shop/p-2"], id="owner-without-kind"),
        pytest.param("shop/debug", ["shop/debug"], id="bare-pod"),
        pytest.param("shop/frontend", ["shop/frontend[Deployment]"], id="workload-manifest"),
        pytest.param("kube-system/etcd-minikube", ["kube-system/etcd-minikube"], id="static-pod"),
        pytest.param("both/frontend[Pod]", ["both/frontend"], id="pod-named-like-a-deployment"),
    ],
)
def test_members_are_the_pods_of_one_endpoint(cluster: Cluster, text: str, expected: list[str]) -> None:
    pod = resolve_endpoint(cluster, text)
    assert isinstance(pod, Pod)
    assert [p.ref for p in members(cluster, pod)] == expected
    assert {p.endpoint for p in members(cluster, pod)} == {pod.endpoint}


# -- ports ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("80", PortRef(80)),
        ("65535", PortRef(65535)),
        (" 8080 ", PortRef(8080)),
        ("80/TCP", PortRef(80, TCP)),
        ("53/udp", PortRef(53, UDP)),
        ("7070/Sctp", PortRef(7070, SCTP)),
        ("http", PortRef("http")),
        ("dns/UDP", PortRef("dns", UDP)),
        ("http-api/tcp", PortRef("http-api", TCP)),
    ],
)
def test_parse_port(text: str, expected: PortRef) -> None:
    assert parse_port(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0", "port 0 is out of range: ports are 1-65535"),
        ("65536", "port 65536 is out of range: ports are 1-65535"),
        ("80/ICMP", "unknown protocol 'ICMP' in port '80/ICMP': use TCP, UDP or SCTP"),
        ("", "empty port in ''"),
        ("/UDP", "empty port in '/UDP'"),
    ],
)
def test_parse_port_errors(text: str, message: str) -> None:
    with pytest.raises(NetsimError) as info:
        parse_port(text)
    assert str(info.value) == message


DNS_POD = Pod(
    "kube-system",
    "coredns",
    ports=(
        ContainerPort(53, TCP, "dns-tcp"),
        ContainerPort(53, UDP, "dns"),
        ContainerPort(9153, TCP, "metrics"),
        ContainerPort(8080, TCP, "probe"),
        ContainerPort(8080, UDP, "probe"),
        ContainerPort(8181),
    ),
)


@pytest.mark.parametrize(
    ("ref", "default_protocol", "expected"),
    [
        pytest.param(PortRef(8181), None, (8181, TCP), id="number-defaults-to-tcp"),
        pytest.param(PortRef(53, UDP), None, (53, UDP), id="number-and-protocol"),
        pytest.param(PortRef(53), UDP, (53, UDP), id="number-and---protocol"),
        pytest.param(PortRef(53, SCTP), UDP, (53, SCTP), id="suffix-wins"),
        pytest.param(PortRef(1234), None, (1234, TCP), id="a-number-need-not-be-declared"),
        pytest.param(PortRef("dns"), None, (53, UDP), id="name-takes-the-declared-protocol"),
        pytest.param(PortRef("metrics"), None, (9153, TCP), id="name"),
        pytest.param(PortRef("probe"), None, (8080, TCP), id="name-of-two-protocols-first-declared"),
        pytest.param(PortRef("probe", UDP), None, (8080, UDP), id="name-of-two-protocols-suffix"),
        pytest.param(PortRef("probe"), UDP, (8080, UDP), id="name-of-two-protocols---protocol"),
    ],
)
def test_resolve_port(ref: PortRef, default_protocol: Protocol | None, expected: tuple[int, Protocol]) -> None:
    assert resolve_port(ref, DNS_POD, default_protocol) == expected


@pytest.mark.parametrize(
    ("ref", "destination", "message"),
    [
        pytest.param(
            PortRef("dns", TCP),
            DNS_POD,
            "kube-system/coredns declares port 'dns' as 53/UDP, not as TCP",
            id="protocol-disagrees",
        ),
        pytest.param(
            PortRef("http"),
            DNS_POD,
            "kube-system/coredns declares no port named 'http'; its named ports: "
            "dns (53/UDP), dns-tcp (53/TCP), metrics (9153/TCP), probe (8080/TCP), probe (8080/UDP)",
            id="unknown-name",
        ),
        pytest.param(
            PortRef("http"),
            Pod("shop", "web", kind="Deployment"),
            "shop/web[Deployment] declares no port named 'http'; its named ports: none",
            id="no-named-ports",
        ),
        pytest.param(
            PortRef("http"),
            External(ip_address("10.0.0.1")),
            "named port 'http' needs a pod destination; 10.0.0.1 is an address",
            id="external",
        ),
    ],
)
def test_resolve_port_errors(ref: PortRef, destination: Endpoint, message: str) -> None:
    with pytest.raises(NetsimError) as info:
        resolve_port(ref, destination)
    assert str(info.value) == message


# -- the command line -----------------------------------------------------------------------------

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  replicas: 3
  template:
    metadata: {labels: {app: frontend}}
    spec: {containers: [{name: web, ports: [{containerPort: 8080, name: http}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  template:
    metadata: {labels: {app: backend}}
    spec: {containers: [{name: api, ports: [{containerPort: 9090, name: api}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: backend}
spec:
  podSelector: {matchLabels: {app: backend}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: api}]
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "app.yaml").write_text(APP)
    return tmp_path


@pytest.mark.parametrize(
    ("args", "source"),
    [
        pytest.param(["--from", "default/frontend"], "default/frontend[Deployment]", id="ns/name"),
        pytest.param(["--from", "frontend"], "default/frontend[Deployment]", id="name"),
        pytest.param(["--from", "default/Deployment/frontend"], "default/frontend[Deployment]", id="ns/Kind/name"),
        pytest.param(["--from", "default/frontend[Deployment]"], "default/frontend[Deployment]", id="ns/name[Kind]"),
    ],
)
def test_check_names_a_deployment(app_dir: Path, runner: CliRunner, args: list[str], source: str) -> None:
    result = runner.invoke(main, ["check", str(app_dir), *args, "--to", "default/backend", "--port", "api"])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines()[0] == f"{source} -> default/backend[Deployment] 9090/TCP: ALLOWED"
    assert f"    + default/backend spec.ingress[0] ({app_dir}/app.yaml:24:5): " in result.stdout


def test_check_denies_what_the_policy_does_not_allow(app_dir: Path, runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", str(app_dir), "--from", "backend", "--to", "backend", "--port", "8080"])
    assert result.exit_code == 0  # a workload to itself: always allowed
    result = runner.invoke(
        main, ["check", str(app_dir), "--from", "0.0.0.0", "--to", "default/backend", "--port", "api"]
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == "0.0.0.0 -> default/backend[Deployment] 9090/TCP: DENIED"


def test_check_reports_an_ambiguous_name(app_dir: Path, runner: CliRunner) -> None:
    (app_dir / "pod.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: frontend}\n")
    args = ["check", str(app_dir), "--to", "default/backend", "--port", "api", "--from"]
    result = runner.invoke(main, [*args, "default/frontend"])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "error: endpoint 'default/frontend' is ambiguous: it names default/frontend[Deployment], "
        "default/frontend[Pod]; write one of those\n"
    )
    pod = runner.invoke(main, [*args, "default/frontend[Pod]"])
    assert pod.stdout.splitlines()[0] == "default/frontend -> default/backend[Deployment] 9090/TCP: DENIED"
    deployment = runner.invoke(main, [*args, "default/Deployment/frontend"])
    assert deployment.stdout.splitlines()[0].endswith("9090/TCP: ALLOWED")


REPLICA_SET_PODS = "".join(
    f"""\
---
apiVersion: v1
kind: Pod
metadata:
  name: web-7d9c-{suffix}
  namespace: shop
  labels: {{app: web}}
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, uid: u1, controller: true}}]
spec: {{containers: [{{name: web, ports: [{{containerPort: 8080, name: http}}]}}]}}
status: {{phase: Running, podIP: 10.0.0.{n}}}
"""
    for n, suffix in enumerate(["x2k4p", "b8c9d", "q7r1s"], start=1)
) + (
    "---\napiVersion: v1\nkind: Pod\nmetadata: {name: db, namespace: shop, labels: {app: db}}\n"
    "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: db, namespace: shop}\n"
    "spec:\n  podSelector: {matchLabels: {app: db}}\n  policyTypes: [Ingress, Egress]\n"
    "  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}], ports: [{port: 5432}]}]\n"
)


def test_connections_lists_the_pods_of_one_replicaset_once(tmp_path: Path, runner: CliRunner) -> None:
    (tmp_path / "pods.yaml").write_text(REPLICA_SET_PODS)
    result = runner.invoke(main, ["connections", str(tmp_path)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "0.0.0.0-255.255.255.255[External] => shop/web-7d9c[ReplicaSet] : All Connections\n"
        "shop/web-7d9c[ReplicaSet] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
        "shop/web-7d9c[ReplicaSet] => shop/db[Pod] : TCP 5432\n"
        "shop/web-7d9c[ReplicaSet] => shop/web-7d9c[ReplicaSet] : All Connections\n"
    )
    pods = runner.invoke(main, ["connections", str(tmp_path), "--group-by", "pod", "--to", "shop/db"])
    assert pods.stdout.count(" => shop/db[Pod] : TCP 5432\n") == 3
    # and check accepts the owner, any of its pods, or one of their IPs
    for source in ["shop/web-7d9c", "shop/web-7d9c[ReplicaSet]", "shop/web-7d9c-q7r1s", "10.0.0.2"]:
        check = runner.invoke(main, ["check", str(tmp_path), "--from", source, "--to", "shop/db", "--port", "5432"])
        assert check.exit_code == 0, (source, check.stderr)
