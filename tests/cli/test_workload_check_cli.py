"""`netsim check` with a workload as source or destination asks about every kind of its pods.

On a dump, the pods of one ReplicaSet may be treated differently: here `web-7d9c8b6f5-a` was
labelled `quarantine=true` by hand (a policy isolates it for egress), and `db` has two pods of which
only one declares the named port `pg`. The first pod by name used to answer for the whole workload.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from netsim.cli import main
from tests.unit.test_report import shop_yaml

POD = """\
- apiVersion: v1
  kind: Pod
  metadata:
    name: {name}
    namespace: shop
    labels: {labels}
    ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: {owner}, controller: true}}]
  spec: {{containers: [{{name: c, image: i, ports: {ports}}}]}}
  status: {{podIP: {ip}}}
"""

HEAD = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop, labels: {kubernetes.io/metadata.name: shop}}
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: quarantine, namespace: shop}
  spec:
    podSelector: {matchLabels: {quarantine: "true"}}
    policyTypes: [Egress]
"""

WEB = "{app: web, pod-template-hash: 7d9c8b6f5%s}"
DB = "{app: db, pod-template-hash: 5f6d8c9b7}"
PG = "[{name: pg, containerPort: 5432}]"


def dump(*, quarantined: bool = True) -> str:
    pods = [
        ("web-7d9c8b6f5-a", WEB % (", quarantine: 'true'" if quarantined else ""), "web-7d9c8b6f5", "[]", "10.244.1.5"),
        ("web-7d9c8b6f5-b", WEB % "", "web-7d9c8b6f5", "[]", "10.244.1.7"),
        ("db-5f6d8c9b7-a", DB, "db-5f6d8c9b7", PG, "10.244.1.6"),
        ("db-5f6d8c9b7-b", DB, "db-5f6d8c9b7", "[]", "10.244.1.8"),
    ]
    return HEAD + "".join(POD.format(name=n, labels=lb, owner=o, ports=p, ip=ip) for n, lb, o, p, ip in pods)


def check(runner: CliRunner, text: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, ["check", "-", *args], input=text)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.stdout


def test_a_workload_whose_pods_differ_is_allowed_only_when_every_kind_of_pod_is(runner: CliRunner) -> None:
    code, out = check(runner, dump(), "--from", "shop/web", "--to", "shop/db-5f6d8c9b7-a", "--port", "5432")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "shop/web-7d9c8b6f5-a -> shop/db-5f6d8c9b7-a 5432/TCP: DENIED"
    assert lines[-4:] == [
        "pods treated differently: shop/web-7d9c8b6f5[ReplicaSet] -> shop/db-5f6d8c9b7-a stands for pods that "
        "policies do not all treat alike; each kind asked:",
        "  DENIED   shop/web-7d9c8b6f5-a -> shop/db-5f6d8c9b7-a",
        "  ALLOWED  shop/web-7d9c8b6f5-b -> shop/db-5f6d8c9b7-a",
        "=> denied for shop/web-7d9c8b6f5[ReplicaSet] -> shop/db-5f6d8c9b7-a: 1 of 2 pairs asked allowed (ask about "
        "one pod by its name: shop/web-7d9c8b6f5-b -> shop/db-5f6d8c9b7-a is allowed)",
    ]


def test_the_json_carries_every_pair_asked(runner: CliRunner) -> None:
    code, out = check(
        runner, dump(), "--from", "shop/web", "--to", "shop/db-5f6d8c9b7-a", "--port", "5432", "-o", "json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["verdict"] == "denied"
    assert data["source"]["name"] == "web-7d9c8b6f5-a"
    assert data["pods"]["source"] == "shop/web-7d9c8b6f5[ReplicaSet]"
    assert [(p["source"]["name"], p["verdict"]) for p in data["pods"]["pairs"]] == [
        ("web-7d9c8b6f5-a", "denied"),
        ("web-7d9c8b6f5-b", "allowed"),
    ]


def test_a_pod_named_by_its_name_is_asked_alone(runner: CliRunner) -> None:
    code, out = check(runner, dump(), "--from", "shop/web-7d9c8b6f5-b", "--to", "shop/db-5f6d8c9b7-a", "--port", "5432")
    assert code == 0
    assert "pods treated differently" not in out
    # by its address too
    code, out = check(runner, dump(), "--from", "10.244.1.5", "--to", "shop/db-5f6d8c9b7-a", "--port", "5432")
    assert code == 1
    assert "pods treated differently" not in out


def test_pods_treated_alike_answer_as_before(runner: CliRunner) -> None:
    code, out = check(
        runner, dump(quarantined=False), "--from", "shop/web", "--to", "shop/db-5f6d8c9b7-a", "--port", "5432"
    )
    assert code == 0
    assert out.splitlines()[0] == "shop/web-7d9c8b6f5-a -> shop/db-5f6d8c9b7-a 5432/TCP: ALLOWED"
    assert "pods treated differently" not in out
    code, out = check(
        runner,
        dump(quarantined=False),
        "--from",
        "shop/web",
        "--to",
        "shop/db-5f6d8c9b7-a",
        "--port",
        "5432",
        "-o",
        "json",
    )
    assert "pods" not in json.loads(out)


def test_a_destination_pod_without_the_named_port_is_not_asked(runner: CliRunner) -> None:
    # db-5f6d8c9b7-b declares no port named pg: only db-...-a is asked, for each kind of web pod
    code, out = check(runner, dump(), "--from", "shop/web", "--to", "shop/db", "--port", "pg")
    assert code == 1
    assert "  DENIED   shop/web-7d9c8b6f5-a -> shop/db-5f6d8c9b7-a" in out
    assert "  ALLOWED  shop/web-7d9c8b6f5-b -> shop/db-5f6d8c9b7-a" in out
    assert "db-5f6d8c9b7-b" not in out


def test_a_workload_of_several_pods_to_itself_is_each_kind_of_pod_to_the_others(runner: CliRunner) -> None:
    # on a dump a workload's pods are distinct pods: a pod never counts as reaching itself
    code, out = check(runner, dump(), "--from", "shop/web", "--to", "shop/web", "--port", "80")
    assert code == 1  # the quarantined replica is isolated for egress
    assert out.splitlines()[0] == "shop/web-7d9c8b6f5-a -> shop/web-7d9c8b6f5-b 80/TCP: DENIED"
    assert "  DENIED   shop/web-7d9c8b6f5-a -> shop/web-7d9c8b6f5-b" in out
    assert "  ALLOWED  shop/web-7d9c8b6f5-b -> shop/web-7d9c8b6f5-a" in out
    # --no-replica-traffic: a workload is one pod, which can always reach itself
    code, out = check(runner, dump(), "--from", "shop/web", "--to", "shop/web", "--port", "80", "--no-replica-traffic")
    assert code == 0
    assert out.splitlines()[0] == "shop/web-7d9c8b6f5-a -> shop/web-7d9c8b6f5-a 80/TCP: ALLOWED"
    # alike, one pair of distinct pods answers for all
    code, out = check(runner, dump(quarantined=False), "--from", "shop/web", "--to", "shop/web", "--port", "80")
    assert code == 0
    assert out.splitlines()[0] == "shop/web-7d9c8b6f5-a -> shop/web-7d9c8b6f5-b 80/TCP: ALLOWED"
    assert "pods treated differently" not in out


def test_pods_whose_addresses_fall_in_different_ipblocks_are_different_kinds(runner: CliRunner) -> None:
    # web-0 and web-1 are in the ipBlock db's policy admits, web-2 is not; web-0 and web-1 are
    # one kind (asked once)
    code, out = check(
        runner, shop_yaml(), "--from", "shop/web-5d8f7[ReplicaSet]", "--to", "shop/db-0", "--port", "5432"
    )
    assert code == 1
    assert out.splitlines()[-3:-1] == ["  ALLOWED  shop/web-0 -> shop/db-0", "  DENIED   shop/web-2 -> shop/db-0"]


SERVICE = """\
- apiVersion: v1
  kind: Service
  metadata: {name: db, namespace: shop}
  spec: {selector: {app: db}, ports: [{port: 5432, targetPort: 5432}], clusterIP: 10.96.0.10}
"""


def test_a_workload_to_a_service_asks_the_service_from_each_kind_of_its_pods(runner: CliRunner) -> None:
    code, out = check(runner, dump() + SERVICE, "--from", "shop/web", "--to", "shop/db[Service]", "--port", "5432")
    assert code == 1
    assert (
        out.splitlines()[0]
        == "shop/web-7d9c8b6f5-a -> shop/db[Service] port 5432/TCP: DENIED (0 of 2 backends allow it)"
    )
    assert out.splitlines()[-3:] == [
        "  DENIED   shop/web-7d9c8b6f5-a -> shop/db[Service] port 5432/TCP (0 of 2 backends allow it)",
        "  ALLOWED  shop/web-7d9c8b6f5-b -> shop/db[Service] port 5432/TCP (2 of 2 backends allow it)",
        "=> denied for shop/web-7d9c8b6f5[ReplicaSet] -> shop/db[Service]: 1 of 2 pairs asked allowed (ask about one "
        "pod by its name: shop/web-7d9c8b6f5-b -> shop/db[Service] port 5432/TCP is allowed)",
    ]
    code, out = check(
        runner, dump() + SERVICE, "--from", "shop/web", "--to", "shop/db[Service]", "--port", "5432", "-o", "json"
    )
    data = json.loads(out)
    assert data["verdict"] == "denied"
    assert [(p["source"]["name"], p["service"], p["verdict"]) for p in data["pods"]["pairs"]] == [
        ("web-7d9c8b6f5-a", "shop/db[Service]", "denied"),
        ("web-7d9c8b6f5-b", "shop/db[Service]", "allowed"),
    ]
    # one pod: the Service's answer as before
    code, out = check(
        runner, dump() + SERVICE, "--from", "shop/web-7d9c8b6f5-b", "--to", "shop/db[Service]", "--port", "5432"
    )
    assert code == 0
    assert "pods treated differently" not in out
