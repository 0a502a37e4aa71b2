"""The README's `kubectl get ns,pods,netpol -A -o yaml | netsim check - --from shop/web --to shop/db
--port pg` on a realistic dump: pods named `web-7d9c8b6f5-x2kqp`, owned by ReplicaSets that the
Deployments `web` and `db` own. A Deployment's name (and `ns/name[Deployment]`) names its pods
through their `pod-template-hash`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from netsim.cli import main

DUMP = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-7d9c8b6f5-x2kqp
    namespace: shop
    labels: {app: web, pod-template-hash: 7d9c8b6f5}
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c8b6f5, controller: true}]
  spec: {containers: [{name: web, image: web}]}
  status: {podIP: 10.244.1.5}
- apiVersion: v1
  kind: Pod
  metadata:
    name: db-5f6d8c9b7-q8w2e
    namespace: shop
    labels: {app: db, pod-template-hash: 5f6d8c9b7}
    ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: db-5f6d8c9b7, controller: true}]
  spec: {containers: [{name: db, image: postgres, ports: [{name: pg, containerPort: 5432}]}]}
  status: {podIP: 10.244.1.6}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: db-from-web, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: db}}
    ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: pg}]
"""


@pytest.mark.parametrize(
    ("source", "destination"),
    [
        ("shop/web", "shop/db"),  # the README's example
        ("shop/web[Deployment]", "shop/db[Deployment]"),
        ("shop/web-7d9c8b6f5[ReplicaSet]", "shop/db-5f6d8c9b7-q8w2e"),
    ],
)
def test_a_deployment_name_resolves_on_a_dump(runner: CliRunner, source: str, destination: str) -> None:
    args = ["check", "-", "--from", source, "--to", destination, "--port", "pg"]
    result = runner.invoke(main, args, input=DUMP)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "shop/web-7d9c8b6f5-x2kqp -> shop/db-5f6d8c9b7-q8w2e 5432/TCP: ALLOWED"


def test_an_unknown_deployment_still_suggests(runner: CliRunner) -> None:
    result = runner.invoke(main, ["check", "-", "--from", "shop/wb", "--to", "shop/db", "--port", "pg"], input=DUMP)
    assert result.exit_code == 2
    assert "unknown endpoint 'shop/wb'" in result.stderr
