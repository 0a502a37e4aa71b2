"""netsim.loader.services: Services and EndpointSlices, with the API server's defaulting and validation.

Defaulting follows ``SetDefaults_Service`` (pkg/apis/core/v1/defaults.go) and
``SetDefaults_EndpointPort`` (pkg/apis/discovery/v1/defaults.go); every error is pinned as a user
reads it, ``path:line:col: field.path: message``, with the wording of ``ValidateService``
(pkg/apis/core/validation/validation.go) and ``ValidateEndpointSlice``
(pkg/apis/discovery/validation/validation.go). docs/services.md states the rules.
"""

from __future__ import annotations

import textwrap
from ipaddress import ip_address
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.errors import InputErrors
from netsim.loader import LoadOptions, LoadResult, load_texts
from netsim.model import (
    EndpointSlice,
    IPAddress,
    Labels,
    Protocol,
    Service,
    ServicePort,
    ServiceType,
    SliceEndpoint,
    SlicePort,
)

TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP

# Messages longer than a line, written out once.
PORT_RANGE = "must be between 1 and 65535, inclusive"
IP_INVALID = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
DNS1035_REGEX = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
DNS_LABEL_REGEX = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
SUBDOMAIN_REGEX = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
VALUE_REGEX = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
PROTOCOLS = '"SCTP", "TCP", "UDP"'


def service(spec: str, *, name: str = "web", api_version: str = "v1", tail: str = "") -> str:
    """A Service ``name`` whose spec body (dedented) starts on line 6, column 3; ``tail`` follows
    the spec at the top level (``status``)."""
    head = f"apiVersion: {api_version}\nkind: Service\nmetadata:\n  name: {name}\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ") + textwrap.dedent(tail)


def endpoint_slice(body: str, *, address_type: str = "IPv4", api_version: str = "discovery.k8s.io/v1") -> str:
    """An EndpointSlice ``web-1`` of Service ``web`` whose body (dedented) starts on line 7, column 1."""
    head = (
        f"apiVersion: {api_version}\nkind: EndpointSlice\nmetadata:\n  name: web-1\n"
        f"  labels: {{kubernetes.io/service-name: web}}\naddressType: {address_type}\n"
    )
    return head + textwrap.dedent(body)


def load(text: str, *, namespace: str = "default") -> LoadResult:
    """Load one in-memory file ``s.yaml``; fails the test on input errors."""
    return load_texts({"s.yaml": textwrap.dedent(text)}, LoadOptions(namespace=namespace))


def errors(text: str) -> list[str]:
    """The errors loading ``s.yaml`` reports, as the user reads them."""
    with pytest.raises(InputErrors) as info:
        load(text)
    return [str(e) for e in info.value.exceptions]


def only_service(text: str) -> Service:
    (svc,) = load(text).cluster.services
    return svc


def ips(*texts: str) -> tuple[IPAddress, ...]:
    return tuple(ip_address(t) for t in texts)


# -- Services read, with the API server's defaults ---------------------------------------------------


def test_a_minimal_service_gets_every_default() -> None:
    svc = only_service(service("selector: {app: web}\nports: [{port: 80}]\n"))
    assert svc == Service(
        "default",
        "web",
        ServiceType.CLUSTER_IP,  # type: ClusterIP
        Labels({"app": "web"}),
        (ServicePort(80, 80, TCP),),  # protocol TCP, targetPort = port
        external_traffic_policy="Cluster",
    )
    assert svc.headless is False
    assert svc.cluster_ips == ()
    assert str(svc.span) == "s.yaml:1:1"
    assert str(svc.ports[0].span) == "s.yaml:7:11"
    assert svc.ref == "default/web[Service]"


@pytest.mark.parametrize(
    ("spec", "tail", "expected"),
    [
        pytest.param(
            "type: ClusterIP\nclusterIP: 10.96.0.10\nselector: {app: web}\nports: [{port: 80}]\n",
            "",
            Service(
                "default",
                "web",
                ServiceType.CLUSTER_IP,
                Labels({"app": "web"}),
                (ServicePort(80, 80),),
                cluster_ips=ips("10.96.0.10"),
            ),
            id="ClusterIP",
        ),
        pytest.param(
            "type: NodePort\nselector: {app: web}\nports:\n"
            "- {name: a, port: 80, nodePort: 30080}\n- {name: b, port: 81}\n",
            "",
            Service(
                "default",
                "web",
                ServiceType.NODE_PORT,
                Labels({"app": "web"}),
                (ServicePort(80, 80, name="a", node_port=30080), ServicePort(81, 81, name="b")),
            ),
            id="NodePort",
        ),
        pytest.param(
            "type: LoadBalancer\nselector: {app: web}\nports: [{port: 443, targetPort: 8443}]\n"
            "externalTrafficPolicy: Local\n",
            "status: {loadBalancer: {ingress: [{ip: 203.0.113.7}, {hostname: lb.example.com}]}}\n",
            Service(
                "default",
                "web",
                ServiceType.LOAD_BALANCER,
                Labels({"app": "web"}),
                (ServicePort(443, 8443),),
                load_balancer_ips=ips("203.0.113.7"),
                external_traffic_policy="Local",
            ),
            id="LoadBalancer",
        ),
        pytest.param(
            # a node port nobody allocates: not checked, not kept
            "type: ExternalName\nexternalName: db.example.com.\nports: [{port: 5432, nodePort: 99999}]\n",
            "",
            Service(
                "default",
                "web",
                ServiceType.EXTERNAL_NAME,
                ports=(ServicePort(5432, 5432),),
                external_name="db.example.com",
            ),
            id="ExternalName",
        ),
    ],
)
def test_every_service_type(spec: str, tail: str, expected: Service) -> None:
    assert only_service(service(spec, tail=tail)) == expected


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        pytest.param("[{port: 80}]", (ServicePort(80, 80, TCP),), id="target-omitted"),
        pytest.param("[{port: 80, targetPort: 0}]", (ServicePort(80, 80),), id="target-0"),
        pytest.param('[{port: 80, targetPort: ""}]', (ServicePort(80, 80),), id="target-empty"),
        pytest.param("[{port: 80, targetPort: null}]", (ServicePort(80, 80),), id="target-null"),
        pytest.param("[{port: 80, targetPort: 8080}]", (ServicePort(80, 8080),), id="target-number"),
        pytest.param("[{port: 80, targetPort: http}]", (ServicePort(80, "http"),), id="target-name"),
        pytest.param('[{port: 80, protocol: ""}]', (ServicePort(80, 80, TCP),), id="protocol-empty"),
        pytest.param(
            "[{name: dns, port: 53, protocol: UDP, targetPort: dns}, {name: sctp, port: 9, protocol: SCTP}]",
            (ServicePort(53, "dns", UDP, "dns"), ServicePort(9, 9, SCTP, "sctp")),
            id="protocols-and-names",
        ),
        pytest.param(
            "[{name: a, port: 53, protocol: UDP}, {name: b, port: 53, protocol: TCP}]",
            (ServicePort(53, 53, UDP, "a"), ServicePort(53, 53, TCP, "b")),
            id="one-number-two-protocols",
        ),
    ],
)
def test_ports_and_target_ports(ports: str, expected: tuple[ServicePort, ...]) -> None:
    assert only_service(service(f"selector: {{app: web}}\nports: {ports}\n")).ports == expected


@pytest.mark.parametrize("selector", ["", "selector: {}\n", "selector: null\n"], ids=["omitted", "empty", "null"])
def test_a_service_without_selector(selector: str) -> None:
    assert only_service(service(f"{selector}ports: [{{port: 80}}]\n")).selector is None


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("clusterIP: None\nselector: {app: db}\n", id="clusterIP"),
        pytest.param("clusterIP: None\nclusterIPs: [None]\nselector: {app: db}\n", id="both"),
        pytest.param("clusterIP: None\nselector: {app: db}\nports: [{port: 5432}]\n", id="with-ports"),
    ],
)
def test_a_headless_service_needs_no_ports(spec: str) -> None:
    svc = only_service(service(spec))
    assert svc.headless is True
    assert svc.cluster_ips == ()


@pytest.mark.parametrize(
    ("addresses", "expected"),
    [
        pytest.param("clusterIP: 10.96.0.1\n", ips("10.96.0.1"), id="clusterIP"),
        pytest.param("clusterIP: 10.96.0.1\nclusterIPs: [10.96.0.1]\n", ips("10.96.0.1"), id="both"),
        pytest.param(
            "clusterIP: 10.96.0.1\nclusterIPs: [10.96.0.1, 'fd00::1']\n", ips("10.96.0.1", "fd00::1"), id="dual-stack"
        ),
        pytest.param(
            "clusterIP: 'fd00::1'\nclusterIPs: ['fd00::1', 10.96.0.1]\n", ips("fd00::1", "10.96.0.1"), id="v6-first"
        ),
        pytest.param('clusterIP: ""\n', (), id="empty: allocated by the cluster"),
    ],
)
def test_cluster_ips(addresses: str, expected: tuple[IPAddress, ...]) -> None:
    assert only_service(service(f"{addresses}ports: [{{port: 80}}]\n")).cluster_ips == expected


def test_external_and_load_balancer_addresses() -> None:
    spec = """\
        type: LoadBalancer
        ports: [{port: 80}]
        externalIPs: [198.51.100.1, 198.51.100.1, '2001:db8::1']
        loadBalancerIP: 203.0.113.1
        """
    tail = "status:\n  loadBalancer:\n    ingress: [{ip: 203.0.113.1}, {ip: 203.0.113.2, ipMode: VIP}]\n"
    svc = only_service(service(spec, tail=tail))
    assert svc.external_ips == ips("198.51.100.1", "2001:db8::1")
    assert svc.load_balancer_ips == ips("203.0.113.1", "203.0.113.2")


def test_load_balancer_addresses_are_read_for_load_balancers_only() -> None:
    tail = "status: {loadBalancer: {ingress: [{ip: 203.0.113.2}]}}\n"
    svc = only_service(service("ports: [{port: 80}]\nloadBalancerIP: 203.0.113.1\n", tail=tail))
    assert svc.load_balancer_ips == ()


def test_a_load_balancer_ip_that_is_no_address_is_ignored_with_a_warning() -> None:
    result = load(service("type: LoadBalancer\nports: [{port: 80}]\nloadBalancerIP: pending\n"))
    assert result.cluster.services[0].load_balancer_ips == ()
    assert [str(w) for w in result.warnings] == [
        's.yaml:8:19: spec.loadBalancerIP: "pending" is not an IP address: ignored'
    ]


@pytest.mark.parametrize(
    ("spec", "policy"),
    [
        pytest.param("type: NodePort\nports: [{port: 80}]\n", "Cluster", id="NodePort-defaulted"),
        pytest.param("type: LoadBalancer\nports: [{port: 80}]\n", "Cluster", id="LoadBalancer-defaulted"),
        pytest.param(
            "type: NodePort\nports: [{port: 80}]\nexternalTrafficPolicy: Local\n", "Local", id="NodePort-Local"
        ),
        pytest.param(
            "ports: [{port: 80}]\nexternalIPs: [198.51.100.1]\nexternalTrafficPolicy: Local\n",
            "Local",
            id="ClusterIP-with-externalIPs",
        ),
    ],
)
def test_external_traffic_policy(spec: str, policy: str) -> None:
    assert only_service(service(spec)).external_traffic_policy == policy


def test_kubectl_get_output_loads_with_the_fields_netsim_does_not_model() -> None:
    dump = """\
        apiVersion: v1
        kind: ServiceList
        items:
        - metadata:
            name: web
            namespace: shop
            uid: 4b5f
            resourceVersion: "811"
            creationTimestamp: "2024-01-01T00:00:00Z"
            annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
            managedFields: [{manager: kubectl, operation: Update, fieldsV1: {f:spec: {}}}]
          spec:
            clusterIP: 10.96.12.7
            clusterIPs: [10.96.12.7]
            internalTrafficPolicy: Cluster
            ipFamilies: [IPv4]
            ipFamilyPolicy: SingleStack
            ports:
            - {name: http, port: 80, protocol: TCP, targetPort: http, appProtocol: http}
            selector: {app: web}
            sessionAffinity: None
            type: ClusterIP
          status: {loadBalancer: {}}
        """
    (svc,) = load(dump).cluster.services
    assert svc == Service(
        "shop",
        "web",
        selector=Labels({"app": "web"}),
        ports=(ServicePort(80, "http", TCP, "http"),),
        cluster_ips=ips("10.96.12.7"),
    )


def test_services_of_other_apis_are_not_read() -> None:
    knative = "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: Hello_World}\nspec: {template: {}}\n"
    result = load(knative)
    assert (result.cluster.services, result.warnings) == ((), ())


def test_a_service_without_api_version_is_read_as_v1() -> None:
    assert only_service("kind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n").name == "web"


# -- Service validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # port numbers and names (validateServicePort)
        pytest.param(
            "ports: [{port: 70000}]\n",
            [f"s.yaml:6:18: spec.ports[0].port: Invalid value: 70000: {PORT_RANGE}"],
            id="port-out-of-range",
        ),
        pytest.param(
            "ports: [{targetPort: 80}]\n",
            [f"s.yaml:6:11: spec.ports[0].port: Invalid value: 0: {PORT_RANGE}"],
            id="port-omitted",
        ),
        pytest.param(
            "ports: [{port: 80, targetPort: 65536}]\n",
            [f"s.yaml:6:34: spec.ports[0].targetPort: Invalid value: 65536: {PORT_RANGE}"],
            id="target-port-out-of-range",
        ),
        pytest.param(
            "ports: [{port: 80, targetPort: http--alt}]\n",
            ['s.yaml:6:34: spec.ports[0].targetPort: Invalid value: "http--alt": must not contain consecutive hyphens'],
            id="target-port-bad-name",
        ),
        pytest.param(
            'ports: [{port: 80, targetPort: "8080"}]\n',
            ['s.yaml:6:34: spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'],
            id="target-port-number-as-string",
        ),
        pytest.param(
            "ports: [{port: 80, targetPort: metrics-exporter}]\n",
            ['s.yaml:6:34: spec.ports[0].targetPort: Invalid value: "metrics-exporter": must be no more than 15 bytes'],
            id="target-port-name-too-long",
        ),
        pytest.param(
            "ports: [{port: 80, targetPort: true}]\n",
            ["s.yaml:6:34: spec.ports[0].targetPort: Invalid type: expected integer or string, got boolean true"],
            id="target-port-boolean",
        ),
        pytest.param(
            "ports:\n- {port: 80}\n- {port: 443, name: https}\n",
            ["s.yaml:7:5: spec.ports[0].name: Required value"],
            id="name-required-with-two-ports",
        ),
        pytest.param(
            "ports:\n- {port: 80, name: web}\n- {port: 443, name: web}\n",
            ['s.yaml:8:23: spec.ports[1].name: Duplicate value: "web"'],
            id="duplicate-names",
        ),
        pytest.param(
            "ports: [{port: 80, name: Web_UI}]\n",
            [f's.yaml:6:28: spec.ports[0].name: Invalid value: "Web_UI": {DNS_LABEL_REGEX}'],
            id="name-not-a-dns-label",
        ),
        pytest.param(
            "ports:\n- {port: 80, name: a}\n- {port: 80, name: b}\n",
            [
                's.yaml:8:5: spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", '
                'AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, '
                "NodePort:0}"
            ],
            id="duplicate-port-and-protocol",
        ),
        pytest.param(
            "ports: [{port: 80, protocol: HTTP}]\n",
            [f's.yaml:6:32: spec.ports[0].protocol: Unsupported value: "HTTP": supported values: {PROTOCOLS}'],
            id="bad-protocol",
        ),
        pytest.param(
            "ports: [{port: 80, protocol: tcp}]\n",
            [f's.yaml:6:32: spec.ports[0].protocol: Unsupported value: "tcp": supported values: {PROTOCOLS}'],
            id="protocols-are-case-sensitive",
        ),
        pytest.param(
            "selector: {app: web}\n",
            ["s.yaml:6:3: spec.ports: Required value"],
            id="ports-required",
        ),
        pytest.param(
            "ports: []\n",
            ["s.yaml:6:10: spec.ports: Required value"],
            id="ports-empty",
        ),
        # node ports
        pytest.param(
            "ports: [{port: 80, nodePort: 30080}]\n",
            ["s.yaml:6:32: spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
            id="node-port-on-cluster-ip",
        ),
        pytest.param(
            "type: NodePort\nports: [{port: 80, nodePort: 70000}]\n",
            [f"s.yaml:7:32: spec.ports[0].nodePort: Invalid value: 70000: {PORT_RANGE}"],
            id="node-port-out-of-range",
        ),
        pytest.param(
            "type: NodePort\nports:\n- {name: a, port: 80, nodePort: 30080}\n- {name: b, port: 81, nodePort: 30080}\n",
            ["s.yaml:9:35: spec.ports[1].nodePort: Duplicate value: 30080"],
            id="duplicate-node-port",
        ),
        # type
        pytest.param(
            "type: Internal\nports: [{port: 80}]\n",
            [
                's.yaml:6:9: spec.type: Unsupported value: "Internal": supported values: '
                '"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
            ],
            id="bad-type",
        ),
        # cluster IPs (ValidateServiceClusterIPsRelatedFields)
        pytest.param(
            "clusterIP: 10.96.0.300\nports: [{port: 80}]\n",
            [f's.yaml:6:14: spec.clusterIPs[0]: Invalid value: "10.96.0.300": {IP_INVALID}'],
            id="bad-cluster-ip",
        ),
        pytest.param(
            "clusterIP: 10.96.0.1\nclusterIPs: [10.96.0.2]\nports: [{port: 80}]\n",
            ['s.yaml:7:15: spec.clusterIPs: Invalid value: []string{"10.96.0.2"}: first value must match `clusterIP`'],
            id="cluster-ips-disagree",
        ),
        pytest.param(
            "clusterIPs: [10.96.0.2]\nports: [{port: 80}]\n",
            [
                's.yaml:6:15: spec.clusterIPs: Invalid value: []string{"10.96.0.2"}: '
                "must be empty when `clusterIP` is not specified"
            ],
            id="cluster-ips-without-cluster-ip",
        ),
        pytest.param(
            "clusterIP: 10.96.0.1\nclusterIPs: [10.96.0.1, 10.96.0.2]\nports: [{port: 80}]\n",
            [
                's.yaml:7:15: spec.clusterIPs: Invalid value: []string{"10.96.0.1", "10.96.0.2"}: '
                "may specify no more than one IP for each IP family"
            ],
            id="two-ips-of-one-family",
        ),
        pytest.param(
            "clusterIP: None\nclusterIPs: [None, 10.96.0.2]\nports: [{port: 80}]\n",
            [
                's.yaml:7:15: spec.clusterIPs: Invalid value: []string{"None", "10.96.0.2"}: '
                "'None' must be the first and only value"
            ],
            id="none-and-an-address",
        ),
        pytest.param(
            "type: NodePort\nclusterIP: None\nports: [{port: 80}]\n",
            [
                's.yaml:7:14: spec.clusterIPs[0]: Invalid value: "None": '
                "may not be set to 'None' for NodePort services"
            ],
            id="headless-node-port",
        ),
        pytest.param(
            "type: ExternalName\nexternalName: db.example.com\nclusterIP: 10.96.0.1\n",
            ["s.yaml:8:14: spec.clusterIPs: Forbidden: may not be set for ExternalName services"],
            id="external-name-with-cluster-ip",
        ),
        # externalName
        pytest.param(
            "type: ExternalName\n",
            ["s.yaml:6:3: spec.externalName: Required value"],
            id="external-name-missing",
        ),
        pytest.param(
            'type: ExternalName\nexternalName: ""\n',
            ["s.yaml:7:17: spec.externalName: Required value"],
            id="external-name-empty",
        ),
        pytest.param(
            "type: ExternalName\nexternalName: DB.example.com\n",
            [f's.yaml:7:17: spec.externalName: Invalid value: "DB.example.com": {SUBDOMAIN_REGEX}'],
            id="external-name-not-a-subdomain",
        ),
        # externalIPs (IsValidIPForLegacyField, then ValidateEndpointIP)
        pytest.param(
            "ports: [{port: 80}]\nexternalIPs: [198.51.100.300, 127.0.0.1, 169.254.1.1, 0.0.0.0]\n",
            [
                f's.yaml:7:17: spec.externalIPs[0]: Invalid value: "198.51.100.300": {IP_INVALID}',
                's.yaml:7:33: spec.externalIPs[1]: Invalid value: "127.0.0.1": '
                "may not be in the loopback range (127.0.0.0/8, ::1/128)",
                's.yaml:7:44: spec.externalIPs[2]: Invalid value: "169.254.1.1": '
                "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
                's.yaml:7:57: spec.externalIPs[3]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
            ],
            id="external-ips",
        ),
        # externalTrafficPolicy
        pytest.param(
            "ports: [{port: 80}]\nexternalTrafficPolicy: Local\n",
            [
                's.yaml:7:26: spec.externalTrafficPolicy: Invalid value: "Local": '
                "may only be set for externally-accessible services"
            ],
            id="traffic-policy-on-cluster-ip",
        ),
        pytest.param(
            "type: NodePort\nports: [{port: 80}]\nexternalTrafficPolicy: Global\n",
            [
                's.yaml:8:26: spec.externalTrafficPolicy: Unsupported value: "Global": '
                'supported values: "Cluster", "Local"'
            ],
            id="traffic-policy-unsupported",
        ),
        # selector (ValidateLabels)
        pytest.param(
            "ports: [{port: 80}]\nselector: {app: -web}\n",
            [f's.yaml:7:19: spec.selector: Invalid value: "-web": {VALUE_REGEX}'],
            id="selector-value",
        ),
    ],
)
def test_service_validation(spec: str, expected: list[str]) -> None:
    assert errors(service(spec)) == expected


def test_load_balancer_status_addresses_are_validated() -> None:
    tail = "status: {loadBalancer: {ingress: [{ip: lb-1}]}}\n"
    assert errors(service("type: LoadBalancer\nports: [{port: 80}]\n", tail=tail)) == [
        f's.yaml:8:40: status.loadBalancer.ingress[0].ip: Invalid value: "lb-1": {IP_INVALID}'
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("1st-web", f's.yaml:4:9: metadata.name: Invalid value: "1st-web": {DNS1035_REGEX}', id="digit"),
        pytest.param("web.shop", f's.yaml:4:9: metadata.name: Invalid value: "web.shop": {DNS1035_REGEX}', id="dot"),
    ],
)
def test_a_service_name_is_a_dns_1035_label(name: str, expected: str) -> None:
    assert errors(service("ports: [{port: 80}]\n", name=name)) == [expected]


def test_every_error_of_a_service_is_reported_and_the_service_is_not_recorded() -> None:
    spec = "type: ExternalName\nports:\n- {port: 0, protocol: ICMP}\n- {port: 80}\n"
    assert errors(service(spec)) == [
        "s.yaml:6:3: spec.externalName: Required value",
        "s.yaml:8:5: spec.ports[0].name: Required value",
        f"s.yaml:8:12: spec.ports[0].port: Invalid value: 0: {PORT_RANGE}",
        f's.yaml:8:25: spec.ports[0].protocol: Unsupported value: "ICMP": supported values: {PROTOCOLS}',
        "s.yaml:9:5: spec.ports[1].name: Required value",
    ]


@pytest.mark.parametrize(
    ("api_version", "expected"),
    [
        pytest.param("v2", 's.yaml:1:13: apiVersion: Unsupported value: "v2": supported values: "v1"', id="v2"),
        pytest.param(
            "1",
            "s.yaml:1:13: apiVersion: Invalid type: expected string, got integer 1\n"
            '  hint: quote it: "1" (YAML reads an unquoted 1 as an integer)',
            id="not-a-string",
        ),
    ],
)
def test_a_service_of_another_core_version_is_reported(api_version: str, expected: str) -> None:
    assert errors(service("ports: [{port: 80}]\n", api_version=api_version)) == [expected]


def test_a_service_defined_twice_is_a_duplicate() -> None:
    text = service("ports: [{port: 80}]\n") + "---\n" + service("ports: [{port: 81}]\n")
    assert errors(text) == [
        "s.yaml:8:1: metadata.name: Duplicate value: Service 'default/web' is defined twice (first at s.yaml:1:1)"
    ]


def test_the_same_name_in_two_namespaces_is_two_services() -> None:
    text = "\n---\n".join(
        f"apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: {ns}}}\nspec: {{ports: [{{port: 80}}]}}"
        for ns in ("a", "b")
    )
    result = load(text)
    assert [s.ref for s in result.cluster.services] == ["a/web[Service]", "b/web[Service]"]
    assert [ns.name for ns in result.cluster.namespaces] == ["a", "b"]


# -- EndpointSlices ------------------------------------------------------------------------------------


def test_an_endpoint_slice_is_read() -> None:
    body = """\
        endpoints:
        - addresses: [10.244.1.5]
          conditions: {ready: true, serving: true, terminating: false}
          nodeName: node-1
          zone: a
          targetRef: {kind: Pod, name: web-7d4b9-abcde, namespace: default, uid: 1f2e}
        - addresses: [10.244.2.9]
          conditions: {ready: false}
          targetRef: {kind: Pod, name: web-7d4b9-fghij}
        - addresses: [192.0.2.10]
          targetRef: {kind: Node, name: node-2}
        ports:
        - {name: http, port: 8080, protocol: TCP, appProtocol: http}
        - {name: dns, port: 53, protocol: UDP}
        - {name: "", port: null}
        """
    (eps,) = load(endpoint_slice(body)).cluster.endpoint_slices
    assert eps == EndpointSlice(
        "default",
        "web-1",
        "web",
        "IPv4",
        (
            SliceEndpoint(ips("10.244.1.5"), "default/web-7d4b9-abcde", True),
            SliceEndpoint(ips("10.244.2.9"), "default/web-7d4b9-fghij", False),
            SliceEndpoint(ips("192.0.2.10"), None, None),
        ),
        (SlicePort(8080, TCP, "http"), SlicePort(53, UDP, "dns"), SlicePort(None, TCP, None)),
    )
    assert str(eps.span) == "s.yaml:1:1"


def test_endpoint_slice_defaults_and_other_namespaces() -> None:
    text = """\
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: external, namespace: shop}
        addressType: IPv6
        endpoints:
        - addresses: ['2001:db8::5']
          targetRef: {kind: Pod, name: db-0, namespace: data}
        ports: [{port: 5432}]
        """
    (eps,) = load(text).cluster.endpoint_slices
    assert eps.service is None  # no kubernetes.io/service-name label
    assert eps.endpoints == (SliceEndpoint(ips("2001:db8::5"), "data/db-0"),)
    assert eps.ports == (SlicePort(5432, TCP, None),)  # name "" and protocol TCP by default


def test_an_fqdn_slice_keeps_no_addresses() -> None:
    body = "endpoints:\n- addresses: [db.example.com]\nports: [{name: pg, port: 5432}]\n"
    (eps,) = load(endpoint_slice(body, address_type="FQDN")).cluster.endpoint_slices
    assert eps.address_type == "FQDN"
    assert eps.endpoints == (SliceEndpoint(()),)


def test_an_endpoint_slice_list_whose_items_omit_kind() -> None:
    text = """\
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSliceList
        items:
        - metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
          endpoints: [{addresses: [10.0.0.1]}]
        """
    assert [e.name for e in load(text).cluster.endpoint_slices] == ["web-1"]


@pytest.mark.parametrize(
    ("address_type", "body", "expected"),
    [
        pytest.param(
            "IP",
            "",
            ['s.yaml:6:14: addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'],
            id="bad-address-type",
        ),
        pytest.param(
            "''",
            "",
            ["s.yaml:1:1: addressType: Required value"],
            id="address-type-empty",
        ),
        pytest.param(
            "IPv4",
            "endpoints:\n- addresses: []\n- conditions: {ready: true}\n",
            [
                "s.yaml:8:14: endpoints[0].addresses: Required value: must contain at least 1 address",
                "s.yaml:9:3: endpoints[1].addresses: Required value: must contain at least 1 address",
            ],
            id="addresses-required",
        ),
        pytest.param(
            "IPv4",
            "endpoints:\n- addresses: [10.0.0.300, '2001:db8::1', 127.0.0.1]\n",
            [
                's.yaml:8:15: endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IP address',
                's.yaml:8:15: endpoints[0].addresses[0]: Invalid value: "10.0.0.300": must be a valid IPv4 address',
                's.yaml:8:27: endpoints[0].addresses[1]: Invalid value: "2001:db8::1": must be a valid IPv4 address',
                's.yaml:8:42: endpoints[0].addresses[2]: Invalid value: "127.0.0.1": '
                "may not be in the loopback range (127.0.0.0/8, ::1/128)",
            ],
            id="ipv4-addresses",
        ),
        pytest.param(
            "IPv6",
            "endpoints:\n- addresses: [10.0.0.1, 'fe80::1', 'ff02::1']\n",
            [
                's.yaml:8:15: endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
                's.yaml:8:25: endpoints[0].addresses[1]: Invalid value: "fe80::1": '
                "may not be in the link-local range (169.254.0.0/16, fe80::/10)",
                's.yaml:8:36: endpoints[0].addresses[2]: Invalid value: "ff02::1": '
                "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)",
            ],
            id="ipv6-addresses",
        ),
        pytest.param(
            "FQDN",
            "endpoints:\n- addresses: [localhost, Db.example.com]\n",
            [
                's.yaml:8:15: endpoints[0].addresses[0]: Invalid value: "localhost": '
                "should be a domain with at least two segments separated by dots",
                f's.yaml:8:26: endpoints[0].addresses[1]: Invalid value: "Db.example.com": {SUBDOMAIN_REGEX}',
            ],
            id="fqdn-addresses",
        ),
        pytest.param(
            "IPv4",
            "ports:\n- {name: http, port: 80}\n- {name: http, port: 81, protocol: ICMP}\n- {name: Web}\n",
            [
                's.yaml:9:10: ports[1].name: Duplicate value: "http"',
                f's.yaml:9:36: ports[1].protocol: Unsupported value: "ICMP": supported values: {PROTOCOLS}',
                f's.yaml:10:10: ports[2].name: Invalid value: "Web": {DNS_LABEL_REGEX}',
            ],
            id="ports",
        ),
        pytest.param(
            "IPv4",
            "ports: [{port: 80}, {port: 81}]\n",
            ['s.yaml:7:21: ports[1].name: Duplicate value: ""'],
            id="two-unnamed-ports",
        ),
    ],
)
def test_endpoint_slice_validation(address_type: str, body: str, expected: list[str]) -> None:
    assert errors(endpoint_slice(body, address_type=address_type)) == expected


def test_too_many_addresses() -> None:
    body = "endpoints:\n- addresses: [" + ", ".join(f"10.0.0.{i}" for i in range(1, 102)) + "]\n"
    assert errors(endpoint_slice(body)) == [
        "s.yaml:8:14: endpoints[0].addresses: Too many: 101: must have at most 100 items"
    ]


def test_an_endpoint_slice_of_another_version_is_reported() -> None:
    text = endpoint_slice("", api_version="discovery.k8s.io/v1beta1")
    assert errors(text) == [
        's.yaml:1:13: apiVersion: Unsupported value: "discovery.k8s.io/v1beta1": supported values: '
        '"discovery.k8s.io/v1"'
    ]


def test_an_endpoint_slice_defined_twice_is_a_duplicate() -> None:
    text = endpoint_slice("") + "---\n" + endpoint_slice("")
    assert errors(text) == [
        "s.yaml:8:1: metadata.name: Duplicate value: EndpointSlice 'default/web-1' is defined twice "
        "(first at s.yaml:1:1)"
    ]


# -- the command line ------------------------------------------------------------------------------------


def test_a_bad_service_makes_check_exit_2(runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    pods = "apiVersion: v1\nkind: Pod\nmetadata: {name: a, labels: {app: a}}\n---\n"
    (tmp_path / "svc.yaml").write_text(pods + service("selector: {app: a}\nports: [{port: 80, targetPort: HTTP}]\n"))
    result = runner.invoke(main, ["check", "svc.yaml", "--from", "a", "--to", "a", "--port", "80"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        'error: svc.yaml:11:34: spec.ports[0].targetPort: Invalid value: "HTTP": '
        "must contain at least one letter (a-z)\n"
        'error: svc.yaml:11:34: spec.ports[0].targetPort: Invalid value: "HTTP": '
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)\n"
        "netsim: 2 input errors; nothing was evaluated\n"
    )
