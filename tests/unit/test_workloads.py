"""Workloads and pods as netsim reads them: one representative pod per workload manifest, live
pods grouped under their controller owner, ``generateName``, finished pods, lists, JSON, and the
documents a real repository holds besides (skipped without a word) or instead (reported).

The naming rules follow netpol-analyzer's reference cases (tests/peer/test_peer_cases.py) and are
stated in docs/semantics.md, "Workloads and pods", as is which ports a pod has (Kubernetes').
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.endpoints import PortRef, resolve_port
from netsim.engine import PolicyIndex, evaluate
from netsim.errors import InputErrors, NetsimError
from netsim.loader import LoadOptions, LoadResult, load_cluster, load_texts
from netsim.model import NAMESPACE_NAME_LABEL, Cluster, ContainerPort, Labels, Options, Pod, Protocol, Traffic
from netsim.validation import subdomain_errors

KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job", "CronJob"]
API_VERSIONS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "ReplicationController": "v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}
TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP

SUBDOMAIN_REGEX = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
NOT_A_K8S_OBJECT = "kind: Required value: not a Kubernetes object (no kind and no apiVersion)"
LAX_HINT = "  hint: pass only Kubernetes manifests, or use --lax to skip"
HELM_ADVICE = (
    "netsim reads the manifests a cluster receives, so render the chart first "
    "(helm template RELEASE CHART > rendered.yaml)"
)

# A pod template as charts write them: two containers, named ports of three protocols, one unnamed.
TEMPLATE = """\
metadata:
  labels: {app: web, tier: front}
  annotations: {prometheus.io/scrape: "true"}
spec:
  containers:
  - name: app
    image: shop/web:1.2
    ports:
    - {containerPort: 8080, name: http}
    - {containerPort: 53, name: dns, protocol: UDP}
  - name: exporter
    ports:
    - {containerPort: 9102, name: metrics, protocol: SCTP}
    - {containerPort: 9000}
"""
TEMPLATE_PORTS = (
    ContainerPort(8080, TCP, "http"),
    ContainerPort(53, UDP, "dns"),
    ContainerPort(9102, SCTP, "metrics"),
    ContainerPort(9000, TCP, None),
)


def workload(kind: str, template: str = TEMPLATE, *, metadata: str = "{name: web}", spec: str = "") -> str:
    """A ``kind`` manifest whose pod template is ``template``, where Kubernetes reads it
    (``spec.template``; ``spec.jobTemplate.spec.template`` for a CronJob). ``spec`` adds fields
    to the workload's own spec. The workload's own labels differ from the template's."""
    body = textwrap.indent(template, "  " * (4 if kind == "CronJob" else 2))
    if kind == "CronJob":
        tail = '  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n' + body
    else:
        tail = "  selector: {matchLabels: {app: web}}\n  template:\n" + body
    return (
        f"apiVersion: {API_VERSIONS[kind]}\nkind: {kind}\nmetadata: {metadata}\n"
        f"spec:\n{textwrap.indent(spec, '  ')}{tail}"
    )


def load(text: str, *, namespace: str = "default", lax: bool = False, path: str = "w.yaml") -> LoadResult:
    return load_texts({path: text}, LoadOptions(namespace=namespace, lax=lax))


def pods(text: str, *, path: str = "w.yaml") -> tuple[Pod, ...]:
    """The pods of ``text``, which must load without a warning."""
    result = load(text, path=path)
    assert result.warnings == ()
    return result.cluster.pods


def only_pod(text: str, *, path: str = "w.yaml") -> Pod:
    (pod,) = pods(text, path=path)
    return pod


def errors(text: str) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load(text)
    return [str(e) for e in info.value.exceptions]


def allowed(cluster: Cluster, src: str, dst: str, port: int, protocol: Protocol = TCP) -> bool:
    """Whether the pod ``src`` may open ``port`` on the pod ``dst`` (refs as ``Pod.ref``)."""
    source, destination = cluster.pod(src), cluster.pod(dst)
    assert source is not None
    assert destination is not None
    index = PolicyIndex(cluster, Options())
    return evaluate(index, Traffic(source, destination, port, protocol)).allowed


# -- one representative pod per workload manifest ---------------------------------------------------


def test_the_helper_writes_the_pod_template_where_kubernetes_reads_it() -> None:
    assert workload("CronJob", "spec: {}\n") == (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: web}\nspec:\n"
        '  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec: {}\n'
    )
    assert workload("ReplicationController", "spec: {}\n", spec="replicas: 2\n") == (
        "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    spec: {}\n"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_a_workload_is_one_pod_with_its_templates_labels_and_ports(kind: str) -> None:
    text = workload(kind, metadata="{name: web, namespace: shop, labels: {app: not-the-template, team: a}}")
    pod = only_pod(text)
    assert (pod.namespace, pod.name, pod.kind) == ("shop", "web", kind)
    assert pod.ref == pod.endpoint == f"shop/web[{kind}]"
    assert (pod.workload_name, pod.workload_kind, pod.owner_kind, pod.owner_name) == ("web", kind, None, None)
    assert pod.labels == Labels({"app": "web", "tier": "front"})  # the template's, not the workload's
    assert pod.ports == TEMPLATE_PORTS
    # a representative has no address and no node: no ipBlock or node rule can apply to it
    assert (pod.ips, pod.host_network, pod.node_name, pod.host_ip) == ((), False, None, None)
    assert pod.span is not None
    assert (pod.span.path, pod.span.line, pod.span.column) == ("w.yaml", 1, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_named_ports_resolve_against_the_template(kind: str) -> None:
    text = (
        workload(kind, metadata="{name: web, namespace: shop}")
        + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: client, namespace: shop}\n"
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web, namespace: shop}\n"
        + "spec:\n  podSelector: {matchLabels: {app: web}}\n"
        + "  ingress: [{ports: [{port: http}, {port: dns, protocol: UDP}, {port: metrics}]}]\n"
    )
    cluster = load(text).cluster
    web = f"shop/web[{kind}]"
    destination = cluster.pod(web)
    assert destination is not None
    assert resolve_port(PortRef("dns"), destination) == (53, UDP)
    assert resolve_port(PortRef("metrics", SCTP), destination) == (9102, SCTP)
    assert allowed(cluster, "shop/client", web, 8080)
    assert allowed(cluster, "shop/client", web, 53, UDP)
    assert not allowed(cluster, "shop/client", web, 9000)  # declared, but not named in the policy
    # `port: metrics` is TCP (the default); the template declares metrics as SCTP: no match
    assert not allowed(cluster, "shop/client", web, 9102, SCTP)
    assert not allowed(cluster, "shop/client", web, 9102, TCP)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("metadata", "default_namespace", "expected"),
    [
        pytest.param("{name: web}", "default", "default", id="none-is-default"),
        pytest.param("{name: web}", "team", "team", id="none-is-the-n-namespace"),
        pytest.param('{name: web, namespace: ""}', "team", "team", id="empty-is-the-n-namespace"),
        pytest.param("{name: web, namespace: null}", "team", "team", id="null-is-the-n-namespace"),
        pytest.param("{name: web, namespace: shop}", "team", "shop", id="given-wins"),
    ],
)
def test_namespace_defaulting(kind: str, metadata: str, default_namespace: str, expected: str) -> None:
    result = load(workload(kind, metadata=metadata), namespace=default_namespace)
    (pod,) = result.cluster.pods
    assert pod.ref == f"{expected}/web[{kind}]"
    (ns,) = result.cluster.namespaces
    assert (ns.name, ns.declared, ns.labels) == (expected, False, Labels({NAMESPACE_NAME_LABEL: expected}))


@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("Deployment", "replicas"),
        ("StatefulSet", "replicas"),
        ("ReplicaSet", "replicas"),
        ("ReplicationController", "replicas"),
        ("Job", "parallelism"),
        ("Job", "completions"),
    ],
)
def test_one_representative_whatever_the_replica_count(kind: str, field: str) -> None:
    """0, 1 or 50 replicas: one representative pod that stands for every replica; the count is
    kept (``replicas``: one replica to another is a connection when there are two or more)."""
    pods = [only_pod(workload(kind, spec=f"{field}: {n}\n")) for n in (0, 1, 50)]
    assert {(p.ref, p.ports, p.labels) for p in pods} == {(f"default/web[{kind}]", TEMPLATE_PORTS, pods[0].labels)}
    counted = field != "completions"  # a Job's completions run one after another: parallelism counts
    assert [p.replicas for p in pods] == ([0, 1, 50] if counted else [1, 1, 1])
    assert [p.is_replicated for p in pods] == ([False, False, True] if counted else [False, False, False])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("line", "host_network"),
    [("  hostNetwork: true\n", True), ("  hostNetwork: false\n", False), ("", False)],
    ids=["true", "false", "omitted"],
)
def test_host_network_comes_from_the_template(kind: str, line: str, host_network: bool) -> None:
    template = f"metadata: {{labels: {{app: web, role: agent}}}}\nspec:\n{line}  containers: [{{name: agent}}]\n"
    pod = only_pod(workload(kind, template))
    assert pod.host_network is host_network
    assert Options().is_node_traffic(pod) is host_network  # --host-network node (the default)
    assert Options(host_network_as_node=False).is_node_traffic(pod) is False  # --host-network pod


def test_a_workload_without_a_template_is_a_pod_without_labels_or_ports() -> None:
    pod = only_pod("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: empty}\nspec: {replicas: 1}\n")
    assert (pod.ref, pod.labels, pod.ports) == ("default/empty[Deployment]", Labels(), ())


def test_template_errors_are_located_in_the_template() -> None:
    text = workload("CronJob", "spec:\n  containers:\n  - ports: [{containerPort: 99999}, {name: x}]\n")
    assert errors(text) == [
        "w.yaml:11:37: spec.jobTemplate.spec.template.spec.containers[0].ports[0].containerPort: "
        "Invalid value: 99999: must be between 1 and 65535, inclusive",
        "w.yaml:11:45: spec.jobTemplate.spec.template.spec.containers[0].ports[1].containerPort: Required value",
    ]


# -- init containers ------------------------------------------------------------------------------

INIT_TEMPLATE = """\
metadata:
  labels: {app: web}
spec:
  initContainers:
  - name: migrate
    ports: [{containerPort: 5432, name: pg}]
  - name: istio-proxy
    restartPolicy: Always
    ports: [{containerPort: 15090, name: envoy-prom}, {containerPort: 15053, name: dns-proxy, protocol: UDP}]
  containers:
  - name: app
    ports: [{containerPort: 8080, name: http}]
"""
INIT_PORTS = (
    ContainerPort(8080, TCP, "http"),
    ContainerPort(15090, TCP, "envoy-prom"),
    ContainerPort(15053, UDP, "dns-proxy"),
)


@pytest.mark.parametrize("kind", ["Pod", *KINDS])
def test_sidecar_init_containers_ports_count_and_plain_init_containers_do_not(kind: str) -> None:
    """A sidecar (``restartPolicy: Always``) runs for the pod's life and serves on its ports; a
    plain init container has exited before the app containers start."""
    if kind == "Pod":
        text = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n" + INIT_TEMPLATE.split("\n", 2)[2]
    else:
        text = workload(kind, INIT_TEMPLATE)
    pod = only_pod(text)
    assert pod.ports == INIT_PORTS
    assert resolve_port(PortRef("dns-proxy"), pod) == (15053, UDP)
    with pytest.raises(NetsimError) as info:
        resolve_port(PortRef("pg"), pod)
    assert str(info.value) == (
        f"{pod.ref} declares no port named 'pg'; its named ports: "
        "dns-proxy (15053/UDP), envoy-prom (15090/TCP), http (8080/TCP)"
    )


def test_a_policy_naming_a_plain_init_containers_port_matches_nothing() -> None:
    text = (
        workload("Deployment", INIT_TEMPLATE)
        + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: client}\n"
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\n"
        + "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress: [{ports: [{port: pg}, {port: envoy-prom}]}]\n"
    )
    cluster = load(text).cluster
    assert not allowed(cluster, "default/client", "default/web[Deployment]", 5432)
    assert allowed(cluster, "default/client", "default/web[Deployment]", 15090)


# -- pods grouped under their controller owner ------------------------------------------------------


def live_pod(name: str, owners: str = "", *, namespace: str = "shop", extra: str = "") -> str:
    """A Pod document as ``kubectl get -o yaml`` prints it; ``owners`` is a YAML flow list."""
    refs = f", ownerReferences: {owners}" if owners else ""
    return (
        f"---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {namespace}, "
        f"labels: {{app: web}}{refs}}}\n{extra}"
    )


@pytest.mark.parametrize(
    ("owners", "endpoint", "owner"),
    [
        pytest.param(
            "[{apiVersion: v1, kind: ConfigMap, name: cfg},"
            " {apiVersion: apps/v1, kind: ReplicaSet, name: old, controller: false},"
            " {apiVersion: apps/v1, kind: StatefulSet, name: db, uid: 1a2b, controller: true,"
            " blockOwnerDeletion: true}]",
            "shop/db[StatefulSet]",
            ("StatefulSet", "db"),
            id="the-controller-among-several-references",
        ),
        pytest.param(
            "[{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: true}]",
            "shop/web-7d9c[ReplicaSet]",
            ("ReplicaSet", "web-7d9c"),
            id="immediate-owner-not-the-deployment-above-it",
        ),
        pytest.param(
            "[{apiVersion: batch/v1, kind: Job, name: backup-28491, controller: true}]",
            "shop/backup-28491[Job]",
            ("Job", "backup-28491"),
            id="job",
        ),
        pytest.param(
            "[{apiVersion: v1, kind: Node, name: minikube, controller: true}]",
            "shop/p[Pod]",
            (None, None),
            id="static-pod-owned-by-a-node-is-itself",
        ),
        pytest.param(
            "[{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c}]",
            "shop/p[Pod]",
            (None, None),
            id="no-controller-field-is-itself",
        ),
        pytest.param(
            "[{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: false}]",
            "shop/p[Pod]",
            (None, None),
            id="controller-false-is-itself",
        ),
        pytest.param("[]", "shop/p[Pod]", (None, None), id="empty-list-is-itself"),
        pytest.param(
            "[{name: internal-security, controller: true}]",
            "shop/internal-security[Pod]",
            (None, "internal-security"),
            id="owner-without-kind-is-the-owners-name-as-a-pod",
        ),
    ],
)
def test_a_pod_belongs_to_its_controller_owner(owners: str, endpoint: str, owner: tuple[str | None, ...]) -> None:
    pod = only_pod(live_pod("p", owners))
    assert (pod.ref, pod.kind) == ("shop/p", "Pod")  # a pod is always addressable by its own name
    assert (pod.owner_kind, pod.owner_name) == owner
    assert pod.endpoint == endpoint
    assert f"{pod.namespace}/{pod.workload_name}[{pod.workload_kind}]" == endpoint


def test_pods_with_one_owner_form_one_endpoint() -> None:
    rs = "[{apiVersion: apps/v1, kind: ReplicaSet, name: web-7d9c, controller: true}]"
    job = "[{apiVersion: batch/v1, kind: Job, name: web-7d9c, controller: true}]"
    text = (
        live_pod("web-7d9c-a", rs)
        + live_pod("web-7d9c-b", rs)
        + live_pod("web-7d9c-c", rs)
        + live_pod("web-7d9c-d", rs, namespace="other")  # the same owner name in another namespace
        + live_pod("web-7d9c-e", job)  # the same owner name, another kind
        + live_pod("web-7d9c-f")  # no owner
        + "---\n"
        + workload("Deployment", metadata="{name: web, namespace: shop}")  # the ReplicaSet's owner
    )
    groups: dict[str, list[str]] = {}
    for pod in pods(text):
        groups.setdefault(pod.endpoint, []).append(pod.ref)
    assert groups == {
        "other/web-7d9c[ReplicaSet]": ["other/web-7d9c-d"],
        "shop/web-7d9c-f[Pod]": ["shop/web-7d9c-f"],
        "shop/web-7d9c[Job]": ["shop/web-7d9c-e"],
        "shop/web-7d9c[ReplicaSet]": ["shop/web-7d9c-a", "shop/web-7d9c-b", "shop/web-7d9c-c"],
        "shop/web[Deployment]": ["shop/web[Deployment]"],
    }


def test_owner_reference_errors_are_located() -> None:
    text = live_pod("p", "[{kind: ReplicaSet, name: 7, controller: true}]")
    assert errors(text) == [
        "w.yaml:4:101: metadata.ownerReferences[0].name: Invalid type: expected string, got integer 7\n"
        '  hint: quote it: "7" (YAML reads an unquoted 7 as an integer)'
    ]


# -- generateName ---------------------------------------------------------------------------------


def generated(prefix: str, kind: str = "Pod", namespace: str = "shop") -> str:
    if kind == "Pod":
        return f"apiVersion: v1\nkind: Pod\nmetadata: {{generateName: {prefix}, namespace: {namespace}}}\n"
    return workload(kind, metadata=f"{{generateName: {prefix}, namespace: {namespace}}}")


def test_generate_name_gives_a_valid_name_with_five_more_characters() -> None:
    pod = only_pod(generated("web-7d9c-"))
    assert pod.name.startswith("web-7d9c-")
    assert len(pod.name) == len("web-7d9c-") + 5
    assert subdomain_errors(pod.name) == []
    assert pod.ref == f"shop/{pod.name}"


def test_generated_names_are_deterministic_and_do_not_depend_on_the_file() -> None:
    """`netsim diff` reads one side from ``REV:path``: an unchanged manifest must give the same
    pod on both sides, and a pod must keep its name when lines are added above it."""
    names = {
        only_pod(text, path=path).name
        for text in (generated("web-"), "# a comment\n\n" + generated("web-"))
        for path in ("a.yaml", "HEAD~1:k8s/a.yaml")
    }
    assert len(names) == 1


def test_objects_with_one_generate_name_get_different_names() -> None:
    text = generated("job-") + "---\n" + generated("job-") + "---\n" + generated("job-", namespace="other")
    loaded = pods(text)
    assert len({p.ref for p in loaded}) == 3
    assert all(p.name.startswith("job-") and not subdomain_errors(p.name) for p in loaded)


@pytest.mark.parametrize("kind", KINDS)
def test_a_workload_may_have_a_generated_name(kind: str) -> None:
    pod = only_pod(generated("batch-", kind))
    assert pod.ref == f"shop/{pod.name}[{kind}]"
    assert pod.name.startswith("batch-")
    assert not subdomain_errors(pod.name)


def test_a_long_prefix_is_cut_to_58_characters_as_the_api_server_does() -> None:
    prefix = "a" * 250 + "-"
    pod = only_pod(generated(prefix))
    assert pod.name.startswith("a" * 58)
    assert len(pod.name) == 63
    assert not subdomain_errors(pod.name)


def test_name_wins_over_generate_name() -> None:
    """``kubectl get -o yaml`` prints both: the name the API server generated, and the prefix."""
    pod = only_pod("apiVersion: v1\nkind: Pod\nmetadata: {name: web-7d9c-x2k4p, generateName: web-7d9c-}\n")
    assert pod.ref == "default/web-7d9c-x2k4p"


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        pytest.param(
            "{generateName: Web-}",
            f'w.yaml:3:26: metadata.generateName: Invalid value: "Web-": {SUBDOMAIN_REGEX}',
            id="uppercase-prefix",
        ),
        pytest.param(
            "{generateName: web_}",
            f'w.yaml:3:26: metadata.generateName: Invalid value: "web_": {SUBDOMAIN_REGEX}',
            id="underscore-prefix",
        ),
        pytest.param(
            '{generateName: ""}',
            "w.yaml:3:11: metadata.name: Required value: name or generateName is required",
            id="empty-prefix",
        ),
    ],
)
def test_generate_name_errors(metadata: str, expected: str) -> None:
    assert errors(f"apiVersion: v1\nkind: Pod\nmetadata: {metadata}\n") == [expected]


# -- finished pods --------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", ["Pending", "Running", "Succeeded", "Failed", "Unknown"])
def test_pods_count_in_every_phase(phase: str) -> None:
    """A Job's finished pod stands for the pods the Job (or its CronJob) runs again, with the same
    labels: policies apply to those, so netsim keeps it. netpol-analyzer does the same
    (minikube_resources lists kube-system/ingress-nginx-admission-create[Job])."""
    owner = "[{apiVersion: batch/v1, kind: Job, name: backup-28491, controller: true}]"
    text = (
        live_pod("backup-28491-x2k4p", owner, extra=f"status: {{phase: {phase}, podIP: 10.0.0.9}}\n")
        + live_pod("client")
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\n"
        + "spec: {podSelector: {}, policyTypes: [Egress]}\n"
    )
    cluster = load(text).cluster
    job = cluster.pod("shop/backup-28491-x2k4p")
    assert job is not None
    assert job.endpoint == "shop/backup-28491[Job]"
    assert [str(ip) for ip in job.ips] == ["10.0.0.9"]
    assert not allowed(cluster, "shop/backup-28491-x2k4p", "shop/client", 80)  # the policies apply to it


# -- lists ----------------------------------------------------------------------------------------

LIST_WITH_KINDS = """\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata: {name: shop, labels: {team: a}}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: web, namespace: shop}
  spec: {template: {metadata: {labels: {app: web}}, spec: {containers: [{ports: [{containerPort: 80}]}]}}}
- apiVersion: v1
  kind: Pod
  metadata:
    name: db-0
    namespace: shop
    ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: db, controller: true}]
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: web, namespace: shop}
  spec: {podSelector: {}}
- apiVersion: v1
  kind: Service
  metadata: {name: web, namespace: shop}
  spec: {ports: [{port: 80}]}
"""


def list_of(kind: str, items: str, api_version: str = "v1") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{resourceVersion: '123'}}\nitems:\n{items}"


@pytest.mark.parametrize(
    ("text", "endpoints", "namespaces", "policies"),
    [
        pytest.param(
            LIST_WITH_KINDS,
            ["shop/db-0 shop/db[StatefulSet]", "shop/web[Deployment] shop/web[Deployment]"],
            ["shop"],
            ["shop/web"],
            id="list-with-item-kinds",
        ),
        pytest.param(
            list_of(
                "PodList",
                "- metadata:\n    name: a-1\n    namespace: x\n"
                "    ownerReferences: [{kind: ReplicaSet, name: a, controller: true}]\n"
                "- metadata:\n    name: a-2\n    namespace: x\n"
                "    ownerReferences: [{kind: ReplicaSet, name: a, controller: true}]\n"
                "- metadata: {name: solo}\n",
            ),
            ["default/solo default/solo[Pod]", "x/a-1 x/a[ReplicaSet]", "x/a-2 x/a[ReplicaSet]"],
            ["default", "x"],
            [],
            id="pod-list-items-without-kind",
        ),
        pytest.param(
            list_of("PodList", "- {apiVersion: v1, kind: Pod, metadata: {name: solo}}\n"),
            ["default/solo default/solo[Pod]"],
            ["default"],
            [],
            id="pod-list-items-with-kind",
        ),
        pytest.param(
            list_of(
                "NamespaceList", "- metadata: {name: a}\n- {apiVersion: v1, kind: Namespace, metadata: {name: b}}\n"
            ),
            [],
            ["a", "b"],
            [],
            id="namespace-list",
        ),
        pytest.param(
            list_of(
                "NetworkPolicyList",
                "- metadata: {name: a, namespace: x}\n  spec: {podSelector: {}}\n"
                "- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: b}\n",
                "networking.k8s.io/v1",
            ),
            [],
            ["default", "x"],
            ["default/b", "x/a"],
            id="network-policy-list",
        ),
        pytest.param(
            list_of(
                "DeploymentList",
                "- metadata: {name: web}\n  spec: {template: {metadata: {labels: {app: web}}}}\n",
                "apps/v1",
            ),
            ["default/web[Deployment] default/web[Deployment]"],
            ["default"],
            [],
            id="deployment-list-items-without-kind",
        ),
        pytest.param(
            list_of(
                "CronJobList",
                "- metadata: {name: nightly}\n"
                "  spec: {jobTemplate: {spec: {template: {metadata: {labels: {a: b}}}}}}\n",
                "batch/v1",
            ),
            ["default/nightly[CronJob] default/nightly[CronJob]"],
            ["default"],
            [],
            id="cron-job-list-items-without-kind",
        ),
        pytest.param(
            list_of("ServiceList", "- metadata: {name: web}\n  spec: {ports: [{port: 80}]}\n"),
            [],
            ["default"],  # a Service's namespace, known by its name
            [],
            id="service-list",
        ),
    ],
)
def test_lists(text: str, endpoints: list[str], namespaces: list[str], policies: list[str]) -> None:
    result = load(text)
    assert result.warnings == ()
    assert [f"{p.ref} {p.endpoint}" for p in result.cluster.pods] == endpoints
    assert [n.name for n in result.cluster.namespaces] == namespaces
    assert [p.ref for p in result.cluster.policies] == policies


def test_list_items_take_their_labels_and_ports() -> None:
    item = "- metadata: {name: web}\n  spec:\n    template:\n" + textwrap.indent(TEMPLATE, "      ")
    (pod,) = load(list_of("DeploymentList", item, "apps/v1")).cluster.pods
    assert (pod.labels, pod.ports) == (Labels({"app": "web", "tier": "front"}), TEMPLATE_PORTS)


# -- JSON -----------------------------------------------------------------------------------------


def test_json_inputs(tmp_path: Path) -> None:
    """``kubectl get -o json`` output: lists with and without item kinds, and single objects."""
    pod_list = {
        "apiVersion": "v1",
        "kind": "PodList",
        "items": [
            {
                "metadata": {
                    "name": f"web-7d9c-{i}",
                    "namespace": "shop",
                    "labels": {"app": "web"},
                    "ownerReferences": [
                        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9c", "controller": True}
                    ],
                },
                "spec": {"containers": [{"name": "app", "ports": [{"containerPort": 8080, "name": "http"}]}]},
                "status": {"phase": "Running", "podIP": f"10.0.0.{i}", "hostIP": "192.168.0.1"},
            }
            for i in (1, 2)
        ],
    }
    namespaces = {
        "apiVersion": "v1",
        "kind": "NamespaceList",
        "items": [{"metadata": {"name": "shop", "labels": {"team": "a"}}}],
    }
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{"ports": [{"containerPort": 9090, "protocol": "UDP"}]}]},
            }
        },
    }
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "podSelector": {"matchLabels": {"app": "api"}},
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}]}],
        },
    }
    for name, obj in [("pods.json", pod_list), ("ns.json", namespaces), ("api.json", deployment), ("np.json", policy)]:
        (tmp_path / name).write_text(json.dumps(obj, indent=2))
    result = load_cluster([str(tmp_path)])
    assert result.warnings == ()
    cluster = result.cluster
    assert [(p.ref, p.endpoint) for p in cluster.pods] == [
        ("shop/api[Deployment]", "shop/api[Deployment]"),
        ("shop/web-7d9c-1", "shop/web-7d9c[ReplicaSet]"),
        ("shop/web-7d9c-2", "shop/web-7d9c[ReplicaSet]"),
    ]
    assert cluster.namespace_labels("shop") == Labels({"team": "a", NAMESPACE_NAME_LABEL: "shop"})
    assert [p.ref for p in cluster.policies] == ["shop/api"]
    api = cluster.pod("shop/api[Deployment]")
    assert api is not None
    assert api.ports == (ContainerPort(9090, UDP, None),)
    assert allowed(cluster, "shop/web-7d9c-1", "shop/api[Deployment]", 9090, UDP)


def test_json_errors_are_located(tmp_path: Path) -> None:
    (tmp_path / "pods.json").write_text(
        '{"apiVersion": "v1", "kind": "PodList", "items": [\n  {"metadata": {"name": "Web"}}\n]}\n'
    )
    with pytest.raises(InputErrors) as info:
        load_cluster([str(tmp_path)])
    assert [str(e) for e in info.value.exceptions] == [
        f'{tmp_path}/pods.json:2:25: metadata.name: Invalid value: "Web": {SUBDOMAIN_REGEX}'
    ]


# -- what else a repository holds -----------------------------------------------------------------

HELM_RENDERED = """\
---
# Source: shop/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
---
# Source: shop/templates/secret.yaml
apiVersion: v1
kind: Secret
metadata: {name: web-db}
type: Opaque
stringData: {password: hunter2}
---
# Source: shop/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata: {name: web}
data: {LOG_LEVEL: debug, enabled: "yes", replicas: "3"}
---
# Source: shop/templates/service.yaml
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
---

---
# an empty document above, a comment-only one below
---
# just a comment
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, annotations: {nginx.ingress.kubernetes.io/rewrite-target: /}}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: web}
rules: [{apiGroups: [""], resources: [pods], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: web}
subjects: [{kind: ServiceAccount, name: web}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: ["*"], resources: ["*"], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: ServiceAccount, name: web, namespace: default}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
---
# a custom resource with a pod-template-like field is not a workload netsim knows
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec: {size: 3, template: {metadata: {labels: {app: w}}, spec: {containers: [{ports: [{containerPort: 1}]}]}}}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tpl}
template: {metadata: {labels: {app: tpl}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, minReplicas: 2, maxReplicas: 5}
---
# Source: shop/templates/hooks/migrate.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: web-migrate
  annotations:
    helm.sh/hook: pre-install,pre-upgrade
    helm.sh/hook-weight: "-5"
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  template:
    metadata: {labels: {app: web-migrate}}
    spec: {restartPolicy: Never, containers: [{name: migrate, image: "shop:1"}]}
---
# Source: shop/templates/tests/test-connection.yaml
apiVersion: v1
kind: Pod
metadata:
  name: web-test-connection
  annotations: {helm.sh/hook: test}
  labels: {app: web-test}
spec: {restartPolicy: Never, containers: [{name: wget, image: busybox, command: [wget, "web:80"]}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: hook-config, annotations: {helm.sh/hook: pre-install}}
data: {}
"""
KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [app.yaml]\n"


def mixed_directory(root: Path) -> Path:
    (root / "chart").mkdir(parents=True)
    (root / "chart" / "rendered.yaml").write_text(HELM_RENDERED)
    (root / "empty.yaml").write_text("")
    (root / "comments.yml").write_text("# nothing to apply here\n# (yet)\n")
    (root / "separators.yaml").write_text("---\n---\n# c\n---\n...\n")
    (root / "kustomization.yaml").write_text(KUSTOMIZATION)
    (root / "rbac.json").write_text(
        '{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "rbac.authorization.k8s.io/v1", '
        '"kind": "ClusterRole", "metadata": {"name": "x"}, "rules": []}]}'
    )
    (root / "web.yaml").write_text(
        workload("Deployment", metadata="{name: web}")
        + "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\n"
        + "spec: {podSelector: {matchLabels: {app: web}}, ingress: [{ports: [{port: http}]}]}\n"
    )
    (root / "README.md").write_text("kind: not read: only *.yaml, *.yml and *.json are\n")
    return root


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_a_repository_with_other_kinds_loads_without_errors_or_warnings(tmp_path: Path, lax: bool) -> None:
    """Services, ConfigMaps, Secrets, RBAC, CRDs and custom resources, Ingress, ... are skipped.
    Helm hook annotations change nothing: a hook Job or Pod runs in the cluster (at install,
    upgrade or `helm test`), so it is a workload like any other; a hook ConfigMap is skipped."""
    root = mixed_directory(tmp_path)
    result = load_cluster([str(root)], LoadOptions(lax=lax))
    # only the kustomization.yaml is worth a word: netsim reads the files, not what kustomize builds
    assert [str(w) for w in result.warnings] == [f"{root}/kustomization.yaml:1:1: {kustomize_note(root)}"]
    assert [p.endpoint for p in result.cluster.pods] == [
        "default/web-migrate[Job]",
        "default/web-test-connection[Pod]",
        "default/web[Deployment]",
    ]
    assert [p.ref for p in result.cluster.policies] == ["default/web"]
    assert len(result.files) == 7  # README.md is not an input


def kustomize_note(root: Path) -> str:
    return f"looks like a kustomize folder: run `kustomize build {root} | netsim ... -`"


def test_the_cli_is_silent_about_other_kinds(tmp_path: Path, runner: CliRunner) -> None:
    root = mixed_directory(tmp_path)
    result = runner.invoke(main, ["connections", str(root), "--to", "default/web[Deployment]"])
    assert (result.exit_code, result.stderr) == (0, f"warning: {root}/kustomization.yaml:1:1: {kustomize_note(root)}\n")
    assert result.stdout == (
        "0.0.0.0-255.255.255.255[External] => default/web[Deployment] : TCP 8080\n"
        "default/web-migrate[Job] => default/web[Deployment] : TCP 8080\n"
        "default/web-test-connection[Pod] => default/web[Deployment] : TCP 8080\n"
        # the chart's Ingress sends its controller's traffic to the web Service's pods
        "{ingress-controller} => default/web[Deployment] : TCP 8080\n"
    )


VALUES = """\
apiVersion: v1
kind: Pod
metadata: {name: web}
---
# values for the chart
replicaCount: 3
image: {repository: nginx}
"""


def test_a_document_that_is_no_kubernetes_object_is_an_error(tmp_path: Path, runner: CliRunner) -> None:
    # next to a Kubernetes object in one file: a file of a directory is skipped only when it holds
    # no Kubernetes object at all (tests/unit/test_real_repositories.py)
    path = tmp_path / "values.yaml"
    path.write_text(VALUES)
    with pytest.raises(InputErrors) as info:
        load_cluster([str(tmp_path)])
    assert [str(e) for e in info.value.exceptions] == [f"{path}:6:1: {NOT_A_K8S_OBJECT}\n{LAX_HINT}"]
    result = runner.invoke(main, ["connections", str(tmp_path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"error: {path}:6:1: {NOT_A_K8S_OBJECT}\n{LAX_HINT}\nnetsim: 1 input error; nothing was evaluated\n"
    )


def test_lax_skips_a_document_that_is_no_kubernetes_object_with_a_warning(tmp_path: Path, runner: CliRunner) -> None:
    path = tmp_path / "values.yaml"
    path.write_text(VALUES)
    result = load_cluster([str(tmp_path)], LoadOptions(lax=True))
    assert [str(w) for w in result.warnings] == [f"{path}:6:1: {NOT_A_K8S_OBJECT}; skipped (--lax)"]
    assert [p.ref for p in result.cluster.pods] == ["default/web"]
    cli = runner.invoke(main, ["connections", "--lax", str(tmp_path)])
    assert cli.exit_code == 0
    assert cli.stderr == f"warning: {path}:6:1: {NOT_A_K8S_OBJECT}; skipped (--lax)\n"
    assert cli.stdout == (
        "0.0.0.0-255.255.255.255[External] => default/web[Pod] : All Connections\n"
        "default/web[Pod] => 0.0.0.0-255.255.255.255[External] : All Connections\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "- hosts: all\n  tasks: []\n",
            "a document must be a Kubernetes object (a mapping with kind and apiVersion), not a list",
            id="a-list",
        ),
        pytest.param(
            "just some text\n",
            "a document must be a Kubernetes object (a mapping with kind and apiVersion), not a string",
            id="a-string",
        ),
        pytest.param('{"replicaCount": 3}', NOT_A_K8S_OBJECT, id="json-mapping"),
    ],
)
def test_other_documents_that_are_no_kubernetes_objects(text: str, message: str) -> None:
    with pytest.raises(InputErrors) as info:
        load(text, path="x.yaml")
    (error,) = info.value.exceptions
    assert str(error).split("\n")[0] == f"x.yaml:1:1: {message}"
    result = load(text, path="x.yaml", lax=True)
    assert [str(w) for w in result.warnings] == [f"x.yaml:1:1: {message}; skipped (--lax)"]
    assert result.cluster.pods == ()


CHART_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "shop.fullname" . }}
  labels:
    {{- include "shop.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
"""


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_an_unrendered_helm_template_is_an_error(tmp_path: Path, runner: CliRunner, lax: bool) -> None:
    path = tmp_path / "templates" / "deployment.yaml"
    path.parent.mkdir()
    path.write_text(CHART_TEMPLATE)
    expected = f'{path}:4:9: unrendered Helm template {{{{ include "shop.fullname" . }}}}: {HELM_ADVICE}'
    with pytest.raises(InputErrors) as info:
        load_cluster([str(tmp_path)], LoadOptions(lax=lax))
    assert [str(e) for e in info.value.exceptions] == [expected]
    result = runner.invoke(main, ["connections", *(["--lax"] if lax else []), str(tmp_path)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"error: {expected}\nnetsim: 1 input error; nothing was evaluated\n"


SELECTED = """\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: web, namespace: shop}}
spec:
  selector: {selector}
  template:
    metadata:
      labels: {{app: frontend, tier: web}}
    spec:
      containers: [{{name: web, image: nginx}}]
"""


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"])
def test_a_workload_whose_selector_misses_its_template_is_rejected(kind: str) -> None:
    with pytest.raises(InputErrors) as info:
        load_texts({"w.yaml": SELECTED.format(kind=kind, selector="{matchLabels: {app: web}}")})
    assert [str(e) for e in info.value.exceptions] == [
        'w.yaml:8:15: spec.template.metadata.labels: Invalid value: map[string]string{"app":"frontend", '
        '"tier":"web"}: `selector` does not match template `labels`'
    ]


@pytest.mark.parametrize(
    "selector",
    [
        "{matchLabels: {app: frontend}}",
        "{matchExpressions: [{key: tier, operator: In, values: [web, api]}]}",
        "null",  # no selector: left to the API server's defaulting of older versions
    ],
)
def test_a_workload_whose_selector_selects_its_template_loads(selector: str) -> None:
    (pod,) = load_texts({"w.yaml": SELECTED.format(kind="Deployment", selector=selector)}).cluster.pods
    assert pod.endpoint == "shop/web[Deployment]"
