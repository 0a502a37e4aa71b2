"""Services and Ingresses on the command line: ``check --to ns/name[Service]`` (or its ClusterIP)
answers for every backend on its targetPort, and ``connections`` lists what the ingress controller
may reach through the Ingresses of the input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main

# payments/api: two backends that name their port alike but listen on 8443 and 9443; the policy
# admits 8443 only, so one backend refuses what the Service sends it
CLUSTER = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api-0, namespace: payments, labels: {app: api}}
spec:
  containers: [{name: api, ports: [{name: https, containerPort: 8443}]}]
status: {podIP: 10.0.2.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api-1, namespace: payments, labels: {app: api}}
spec:
  containers: [{name: api, ports: [{name: https, containerPort: 9443}]}]
status: {podIP: 10.0.2.2}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: payments}
spec:
  selector: {app: api}
  clusterIP: 10.96.0.50
  ports: [{name: https, port: 443, targetPort: https}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-8443, namespace: payments}
spec:
  podSelector: {matchLabels: {app: api}}
  ingress:
  - from: [{namespaceSelector: {}}]
    ports: [{port: 8443}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: api, namespace: payments}
spec:
  defaultBackend: {service: {name: api, port: {name: https}}}
"""


@pytest.fixture
def manifests(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    monkeypatch.chdir(tmp_path)
    return "cluster.yaml"


@pytest.mark.parametrize("destination", ["payments/api[Service]", "10.96.0.50"])
def test_check_answers_for_every_backend(manifests: str, runner: CliRunner, destination: str) -> None:
    result = runner.invoke(main, ["check", manifests, "--from", "shop/web", "--to", destination, "--port", "https"])
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "shop/web -> payments/api[Service] port https (443/TCP): DENIED (1 of 2 backends allow it)"
    assert "  backend 1 of 2: payments/api-0 on 8443/TCP (targetPort https (8443/TCP)): ALLOWED" in lines
    assert "  backend 2 of 2: payments/api-1 on 9443/TCP (targetPort https (9443/TCP)): DENIED" in lines
    assert lines[-1].startswith("  => denied: payments/api-1 refuses it")


def test_check_json_carries_each_backend(manifests: str, runner: CliRunner) -> None:
    args = ["check", manifests, "--from", "shop/web", "--to", "payments/api[Service]", "--port", "443", "-o", "json"]
    result = runner.invoke(main, args)
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["verdict"], data["backendsReceiving"], data["backendsAllowing"]) == ("denied", 2, 1)
    assert [(b["endpoint"]["name"], b["port"], b["verdict"]) for b in data["backends"]] == [
        ("api-0", 8443, "allowed"),
        ("api-1", 9443, "denied"),
    ]
    assert data["servicePort"] == {"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}


def test_unknown_service_and_port_are_clear_errors(manifests: str, runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["check", manifests, "--from", "shop/web", "--to", "payments/apii[Service]", "--port", "443"]
    )
    assert result.exit_code == 2
    assert "unknown Service 'payments/apii[Service]'" in result.stderr
    assert "did you mean 'payments/api[Service]'" in result.stderr
    result = runner.invoke(
        main, ["check", manifests, "--from", "shop/web", "--to", "payments/api[Service]", "--port", "80"]
    )
    assert result.exit_code == 2
    assert "payments/api[Service] has no port '80'; its ports: https 443/TCP" in result.stderr


def test_connections_lists_the_ingress_controller(manifests: str, runner: CliRunner) -> None:
    result = runner.invoke(main, ["connections", manifests, "--from", "{ingress-controller}"])
    assert result.exit_code == 0, result.output
    # the controller is a pod of a namespace the input does not have: namespaceSelector {} admits
    # it on 8443 only, and the Ingress sends 8443 to api-0 and 9443 to api-1 (two bare pods)
    assert result.stdout == "{ingress-controller} => payments/api-0[Pod] : TCP 8443\n"


def test_netsim_test_checks_every_backend_of_a_service(manifests: str, runner: CliRunner) -> None:
    Path("expect.yaml").write_text(
        "cases:\n"
        "  - name: web reaches the api Service\n"
        "    from: shop/web\n"
        "    to: payments/api[Service]\n"
        "    port: https\n"
        "    expect: allow\n"
    )
    result = runner.invoke(main, ["test", "expect.yaml", manifests])
    assert result.exit_code == 1, result.output
    # the backend that listens on 9443 refuses what the Service sends it; the other one accepts
    assert "payments/api-1 (backend of payments/api[Service])" in result.stdout
    assert "payments/api-0 (backend of payments/api[Service])" not in result.stdout
    Path("expect.yaml").write_text(
        "cases:\n"
        "  - name: the api Service refuses web on one backend\n"
        "    from: shop/web\n"
        "    to: 10.96.0.50\n"
        "    port: 443\n"
        "    expect: deny\n"
    )
    result = runner.invoke(main, ["test", "expect.yaml", manifests])
    assert result.exit_code == 1, result.output  # one backend allows it: not denied everywhere
    assert "payments/api-0 (backend of payments/api[Service])" in result.stdout


def test_connections_to_a_service_lists_its_backends(manifests: str, runner: CliRunner) -> None:
    for destination in ("payments/api[Service]", "10.96.0.50"):
        result = runner.invoke(main, ["connections", manifests, "--to", destination, "--group-by", "pod"])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            "payments/api-0[Pod] => payments/api-1[Pod] : TCP 8443",  # the policy admits every namespace
            "payments/api-1[Pod] => payments/api-0[Pod] : TCP 8443",
            "shop/web[Pod] => payments/api-0[Pod] : TCP 8443",
            "shop/web[Pod] => payments/api-1[Pod] : TCP 8443",
            "{ingress-controller} => payments/api-0[Pod] : TCP 8443",
        ]
