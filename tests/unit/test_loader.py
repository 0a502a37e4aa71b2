"""netsim.loader: manifests to model, with the API server's defaulting and validation.

Every error is pinned exactly as a user sees it: ``path:line:col: field.path: message`` plus the
hint line where there is one. Sources: docs/semantics.md, "Defaulting", "Validation messages"
(selectors, labels, policyTypes, ports, peers and ipBlocks), "CIDR strictness" and "Strict and lax
decoding"; the Kubernetes functions each names.
"""

from __future__ import annotations

import textwrap
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest

from netsim.errors import InputErrors
from netsim.loader import LoadOptions, LoadResult, load_cluster, load_texts
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    ContainerPort,
    Direction,
    IPBlockPeer,
    Labels,
    LabelSelector,
    NetworkPolicy,
    PodPeer,
    PortSpec,
    Protocol,
    Requirement,
    Rule,
)
from netsim.source import Limits

INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})
BOTH = frozenset({Direction.INGRESS, Direction.EGRESS})

# Messages longer than a line, written out once.
PORT_RANGE = "must be between 1 and 65535, inclusive"
CIDR_INVALID = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
NAMED_PORT_HINT = (
    "  hint: a string port is a named port; write a number (port: 80) or a range (port: 1, endPort: 65535)"
)
NAME_PART_REGEX = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
KEY_SLASHES = (
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
    "(e.g. 'example.com/MyName')"
)
SUBDOMAIN_REGEX = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
DNS_LABEL_REGEX = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
VALUE_REGEX = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
NOT_AN_OBJECT = "a document must be a Kubernetes object (a mapping with kind and apiVersion), not"


def policy(spec: str) -> str:
    """A NetworkPolicy ``np`` whose spec body (dedented) starts on line 6, column 3."""
    head = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ")


def load(text: str, *, lax: bool = False, namespace: str = "default") -> LoadResult:
    """Load one in-memory file ``np.yaml``; fails the test on input errors."""
    return load_texts({"np.yaml": textwrap.dedent(text)}, LoadOptions(namespace=namespace, lax=lax))


def errors(text: str, *, lax: bool = False) -> list[str]:
    """The errors loading ``np.yaml`` reports, as the user reads them."""
    with pytest.raises(InputErrors) as info:
        load(text, lax=lax)
    return [str(e) for e in info.value.exceptions]


def only_policy(result: LoadResult) -> NetworkPolicy:
    (np,) = result.cluster.policies
    return np


# -- defaulting (docs/semantics.md, "Defaulting") -------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "types", "defaulted"),
    [
        pytest.param("podSelector: {}\n", INGRESS, True, id="omitted-no-rules"),
        pytest.param("ingress: [{}]\n", INGRESS, True, id="omitted-ingress-rules"),
        pytest.param("egress: [{}]\n", BOTH, True, id="omitted-egress-rule-adds-egress"),
        pytest.param("ingress: [{}]\negress: [{ports: [{port: 53}]}]\n", BOTH, True, id="omitted-both-rules"),
        pytest.param("egress: []\n", INGRESS, True, id="empty-egress-does-not-isolate-egress"),
        pytest.param("egress:\n", INGRESS, True, id="null-egress"),
        pytest.param("policyTypes: []\negress: [{}]\n", BOTH, True, id="empty-types-like-omitted"),
        pytest.param("policyTypes: []\n", INGRESS, True, id="empty-types-no-rules"),
        pytest.param("policyTypes:\negress: []\n", INGRESS, True, id="null-types"),
        pytest.param("policyTypes: [Egress]\n", EGRESS, False, id="egress-only"),
        pytest.param("policyTypes: [Egress]\ningress: [{}]\n", EGRESS, False, id="egress-only-with-ingress-rules"),
        pytest.param("policyTypes: [Ingress]\negress: [{}]\n", INGRESS, False, id="ingress-only-with-egress-rules"),
        pytest.param("policyTypes: [Ingress, Egress]\n", BOTH, False, id="both-listed"),
        pytest.param("policyTypes: [Egress, Ingress]\n", BOTH, False, id="both-listed-reversed"),
        pytest.param("policyTypes: [Ingress, Ingress]\n", INGRESS, False, id="duplicate-not-rejected"),
    ],
)
def test_policy_types_defaulting(spec: str, types: frozenset[Direction], defaulted: bool) -> None:
    np = only_policy(load(policy(spec)))
    assert np.policy_types == types
    assert np.policy_types_defaulted is defaulted


@pytest.mark.parametrize(
    ("ports", "expected"),
    [
        pytest.param("[{port: 80}]", (PortSpec(Protocol.TCP, 80),), id="numeric-defaults-to-tcp"),
        pytest.param("[{}]", (PortSpec(Protocol.TCP),), id="empty-entry-is-all-tcp"),
        pytest.param("[{protocol: UDP}]", (PortSpec(Protocol.UDP),), id="protocol-only"),
        pytest.param("[{port: http}]", (PortSpec(Protocol.TCP, "http"),), id="named-defaults-to-tcp"),
        pytest.param("[{port: 80, endPort: 90}]", (PortSpec(Protocol.TCP, 80, 90),), id="range"),
        pytest.param("[{port: 80, endPort: 80}]", (PortSpec(Protocol.TCP, 80, 80),), id="range-of-one"),
        pytest.param(
            "[{protocol: SCTP, port: 1, endPort: 65535}]", (PortSpec(Protocol.SCTP, 1, 65535),), id="full-sctp-range"
        ),
        pytest.param(
            "[{protocol: UDP, port: 53}, {port: 53}]",
            (PortSpec(Protocol.UDP, 53), PortSpec(Protocol.TCP, 53)),
            id="dns-pair",
        ),
        pytest.param("[{port: 80, protocol: null, endPort: null}]", (PortSpec(Protocol.TCP, 80),), id="nulls"),
        pytest.param("[]", (), id="empty-list-is-all-ports"),
    ],
)
def test_port_defaulting(ports: str, expected: tuple[PortSpec, ...]) -> None:
    np = only_policy(load(policy(f"ingress:\n- ports: {ports}\n")))
    assert np.ingress == (Rule((), expected),)


SEL_APP_WEB = LabelSelector(Labels({"app": "web"}))


@pytest.mark.parametrize(
    ("spec", "pod_selector", "rules"),
    [
        pytest.param("{}", LabelSelector(), (), id="empty-spec"),
        pytest.param("podSelector: {}", LabelSelector(), (), id="empty-selector"),
        pytest.param("podSelector:", LabelSelector(), (), id="null-selector"),
        pytest.param(
            "podSelector: {matchLabels: {app: web}, matchExpressions: [{key: env, operator: NotIn, values: [a, b]}]}",
            LabelSelector(Labels({"app": "web"}), (Requirement("env", "NotIn", ("a", "b")),)),
            (),
            id="selector",
        ),
        pytest.param("ingress: [{}]", LabelSelector(), (Rule(),), id="allow-all-rule"),
        pytest.param("ingress: [{from: [], ports: []}]", LabelSelector(), (Rule(),), id="empty-lists-mean-all"),
        pytest.param(
            "ingress: [{from: [{podSelector: {}}]}]",
            LabelSelector(),
            (Rule((PodPeer(None, LabelSelector()),)),),
            id="pod-selector-peer",
        ),
        pytest.param(
            "ingress: [{from: [{namespaceSelector: {}}]}]",
            LabelSelector(),
            (Rule((PodPeer(LabelSelector(), None),)),),
            id="namespace-selector-peer",
        ),
        pytest.param(
            "ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: web}}}]}]",
            LabelSelector(),
            (Rule((PodPeer(LabelSelector(), SEL_APP_WEB),)),),
            id="and-peer",
        ),
        pytest.param(
            "ingress: [{from: [{namespaceSelector: {}}, {podSelector: {matchLabels: {app: web}}}]}]",
            LabelSelector(),
            (Rule((PodPeer(LabelSelector(), None), PodPeer(None, SEL_APP_WEB))),),
            id="or-peers",
        ),
        pytest.param(
            "ingress: [{from: [{namespaceSelector: null, podSelector: {}}]}]",
            LabelSelector(),
            (Rule((PodPeer(None, LabelSelector()),)),),
            id="null-namespace-selector",
        ),
        pytest.param(
            "ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}}]}]",
            LabelSelector(),
            (Rule((IPBlockPeer(ip_network("10.0.0.0/8"), (ip_network("10.1.0.0/16"), ip_network("10.2.0.0/16"))),)),),
            id="ip-block",
        ),
        pytest.param(
            "ingress: [{from: [{ipBlock: {cidr: '2001:DB8::/32', except: []}}]}]",
            LabelSelector(),
            (Rule((IPBlockPeer(ip_network("2001:db8::/32")),)),),
            id="ip-block-v6-non-canonical",
        ),
    ],
)
def test_policy_model(spec: str, pod_selector: LabelSelector, rules: tuple[Rule, ...]) -> None:
    np = only_policy(load(policy(f"{spec}\n")))
    assert np.pod_selector == pod_selector
    assert np.ingress == rules
    assert (np.namespace, np.name, np.ref) == ("default", "np", "default/np")


# -- NetworkPolicy validation: ports (ValidateNetworkPolicyPort) ----------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "ingress:\n- ports:\n  - protocol: ICMP\n",
            [
                'np.yaml:8:17: spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": '
                'supported values: "TCP", "UDP", "SCTP"'
            ],
            id="protocol-icmp",
        ),
        pytest.param(
            "egress:\n- ports:\n  - protocol: tcp\n    port: 80\n",
            [
                'np.yaml:8:17: spec.egress[0].ports[0].protocol: Unsupported value: "tcp": '
                'supported values: "TCP", "UDP", "SCTP"'
            ],
            id="protocol-lowercase",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 0\n",
            [f"np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}"],
            id="port-zero",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 65536\n  - port: -1\n",
            [
                f"np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: 65536: {PORT_RANGE}",
                f"np.yaml:9:13: spec.ingress[0].ports[1].port: Invalid value: -1: {PORT_RANGE}",
            ],
            id="port-out-of-range",
        ),
        pytest.param(
            'ingress:\n- ports:\n  - port: "80"\n',
            [
                'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "80": '
                "must contain at least one letter (a-z)\n" + NAMED_PORT_HINT
            ],
            id="quoted-number-is-a-named-port",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 1-65535\n",
            [
                'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "1-65535": '
                "must contain at least one letter (a-z)\n" + NAMED_PORT_HINT
            ],
            id="range-as-string",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: Web_UI\n",
            [
                'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "Web_UI": '
                "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
            ],
            id="named-port-charset",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: a--b\n  - port: web-\n  - port: a-very-long-port-name\n",
            [
                'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "a--b": '
                "must not contain consecutive hyphens",
                'np.yaml:9:13: spec.ingress[0].ports[1].port: Invalid value: "web-": '
                "must not begin or end with a hyphen",
                'np.yaml:10:13: spec.ingress[0].ports[2].port: Invalid value: "a-very-long-port-name": '
                "must be no more than 15 bytes",
            ],
            id="named-port-rules",
        ),
        pytest.param(
            # every violated rule is its own error (same position: ordered by text)
            "ingress:\n- ports:\n  - port: -Very_Long--Port-Name-\n",
            [
                f'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "-Very_Long--Port-Name-": {msg}'
                for msg in [
                    "must be no more than 15 bytes",
                    "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                    "must not begin or end with a hyphen",
                    "must not contain consecutive hyphens",
                ]
            ],
            id="named-port-four-rules",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: web\n    endPort: 90\n",
            [
                "np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 90: "
                "may not be specified when `port` is non-numeric"
            ],
            id="end-port-with-named-port",
        ),
        pytest.param(
            'ingress:\n- ports:\n  - port: "80"\n    endPort: 90\n',
            [
                'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "80": '
                "must contain at least one letter (a-z)\n" + NAMED_PORT_HINT,
                "np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 90: "
                "may not be specified when `port` is non-numeric",
            ],
            id="end-port-with-bad-named-port",
        ),
        pytest.param(
            "egress:\n- ports:\n  - endPort: 90\n",
            [
                "np.yaml:8:16: spec.egress[0].ports[0].endPort: Invalid value: 90: "
                "may not be specified when `port` is not specified"
            ],
            id="end-port-without-port",
        ),
        pytest.param(
            # the API server prints the value of `port` here, not endPort's
            "ingress:\n- ports:\n  - port: 80\n    endPort: 70\n",
            [
                "np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 80: "
                "must be greater than or equal to `port`\n  hint: endPort 70 is below port 80"
            ],
            id="end-port-below-port",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 80\n    endPort: 70000\n",
            [f"np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 70000: {PORT_RANGE}"],
            id="end-port-out-of-range",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 80\n    endPort: 0\n",
            [
                f"np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 0: {PORT_RANGE}",
                "np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 80: "
                "must be greater than or equal to `port`\n  hint: endPort 0 is below port 80",
            ],
            id="end-port-below-and-out-of-range",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 0\n    endPort: 70000\n",
            [
                f"np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}",
                f"np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid value: 70000: {PORT_RANGE}",
            ],
            id="both-out-of-range",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - protocol: ICMP\n    port: 0\n",
            [
                'np.yaml:8:17: spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": '
                'supported values: "TCP", "UDP", "SCTP"',
                f"np.yaml:9:13: spec.ingress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}",
            ],
            id="protocol-and-port",
        ),
    ],
)
def test_port_validation(spec: str, expected: list[str]) -> None:
    assert errors(policy(spec)) == expected


# -- NetworkPolicy validation: peers and ipBlock (ValidateNetworkPolicyPeer, ValidateIPBlock) -----


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "ingress:\n- from: [{}]\n",
            ["np.yaml:7:12: spec.ingress[0].from[0]: Required value: must specify a peer"],
            id="empty-peer-from",
        ),
        pytest.param(
            "egress:\n- to:\n  - {}\n",
            ["np.yaml:8:7: spec.egress[0].to[0]: Required value: must specify a peer"],
            id="empty-peer-to",
        ),
        pytest.param(
            "ingress:\n- from:\n  - podSelector: null\n    namespaceSelector:\n",
            ["np.yaml:8:7: spec.ingress[0].from[0]: Required value: must specify a peer"],
            id="null-selectors-are-no-peer",
        ),
        pytest.param(
            "ingress:\n- from:\n  - ipBlock: {cidr: 10.0.0.0/8}\n    podSelector: {}\n",
            ["np.yaml:8:7: spec.ingress[0].from[0]: Forbidden: may not specify both ipBlock and another peer"],
            id="ip-block-and-pod-selector",
        ),
        pytest.param(
            "egress:\n- to:\n  - namespaceSelector: {}\n    ipBlock: {cidr: 10.0.0.0/8}\n",
            ["np.yaml:8:7: spec.egress[0].to[0]: Forbidden: may not specify both ipBlock and another peer"],
            id="ip-block-and-namespace-selector",
        ),
        pytest.param(
            "ingress:\n- from:\n  - ipBlock: {}\n",
            ["np.yaml:8:16: spec.ingress[0].from[0].ipBlock.cidr: Required value"],
            id="cidr-missing",
        ),
        pytest.param(
            'ingress:\n- from:\n  - ipBlock: {cidr: ""}\n  - ipBlock: {cidr: null, except: [10.0.0.0/8]}\n',
            [
                "np.yaml:8:23: spec.ingress[0].from[0].ipBlock.cidr: Required value",
                "np.yaml:9:23: spec.ingress[0].from[1].ipBlock.cidr: Required value",
            ],
            id="cidr-empty-or-null",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.1\n",
            [f'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.1": {CIDR_INVALID}'],
            id="cidr-bare-ip",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/33\n",
            [f'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0/33": {CIDR_INVALID}'],
            id="cidr-prefix-33",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: internet\n",
            [f'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "internet": {CIDR_INVALID}'],
            id="cidr-garbage",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 010.0.0.0/8\n",
            [
                'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "010.0.0.0/8": '
                "must not have leading 0s in IP or prefix length"
            ],
            id="cidr-leading-zero-octet",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/08\n",
            [
                'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.0/08": '
                "must not have leading 0s in IP or prefix length"
            ],
            id="cidr-leading-zero-prefix",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: '::ffff:10.0.0.0/104'\n",
            [
                'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "::ffff:10.0.0.0/104": '
                "must not have an IPv4-mapped IPv6 address"
            ],
            id="cidr-ipv4-mapped",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.5/24\n",
            [
                'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.5/24": '
                "must not have bits set beyond the prefix length"
            ],
            id="cidr-host-bits",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/8\n      except: [10.0.0.0/8]\n",
            [
                'np.yaml:10:18: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/8": '
                "must be a strict subset of `cidr`"
            ],
            id="except-equal-to-cidr",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/8\n      except:\n      - 11.0.0.0/16\n"
            "      - 10.0.0.0/7\n      - '2001:db8::/64'\n      - 10.1.0.0/16\n",
            [
                'np.yaml:11:11: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": '
                "must be a strict subset of `cidr`",
                'np.yaml:12:11: spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.0.0.0/7": '
                "must be a strict subset of `cidr`",
                'np.yaml:13:11: spec.egress[0].to[0].ipBlock.except[2]: Invalid value: "2001:db8::/64": '
                "must be a strict subset of `cidr`",
            ],
            id="except-outside-wider-other-family",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/8\n      except: [bad, 10.1.0.1/16]\n",
            [
                f'np.yaml:10:18: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "bad": {CIDR_INVALID}',
                'np.yaml:10:23: spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.1.0.1/16": '
                "must not have bits set beyond the prefix length",
            ],
            id="except-invalid",
        ),
        pytest.param(
            # an unparseable cidr: the except entries are not checked (ValidateIPBlock returns)
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.1\n      except: [11.0.0.0/16, bad]\n",
            [f'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.1": {CIDR_INVALID}'],
            id="except-unchecked-after-invalid-cidr",
        ),
        pytest.param(
            # a cidr failing only the strict checks still parses, so excepts are checked against it
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.1/8\n      except: [11.0.0.0/16, 10.1.0.0/16]\n",
            [
                'np.yaml:9:15: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "10.0.0.1/8": '
                "must not have bits set beyond the prefix length",
                'np.yaml:10:18: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.0/16": '
                "must be a strict subset of `cidr`",
            ],
            id="except-checked-after-strict-cidr-error",
        ),
        pytest.param(
            "egress:\n- to:\n  - ipBlock:\n      cidr: 10.0.0.0/8\n      except: [11.0.0.1/16]\n",
            [
                'np.yaml:10:18: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.1/16": '
                "must be a strict subset of `cidr`",
                'np.yaml:10:18: spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "11.0.0.1/16": '
                "must not have bits set beyond the prefix length",
            ],
            id="except-outside-with-host-bits",
        ),
    ],
)
def test_peer_validation(spec: str, expected: list[str]) -> None:
    assert errors(policy(spec)) == expected


def test_lax_mode_reads_legacy_cidrs_with_warnings() -> None:
    spec = "egress:\n- to:\n  - ipBlock: {cidr: 010.0.0.0/8}\n  - ipBlock: {cidr: 10.0.0.5/24, except: [10.0.0.9/30]}\n"
    result = load(policy(spec), lax=True)
    assert [str(w) for w in result.warnings] == [
        'np.yaml:8:23: spec.egress[0].to[0].ipBlock.cidr: "010.0.0.0/8" must not have leading 0s in IP or prefix '
        "length; read as 10.0.0.0/8 (--lax)",
        'np.yaml:9:23: spec.egress[0].to[1].ipBlock.cidr: "10.0.0.5/24" must not have bits set beyond the prefix '
        "length; read as 10.0.0.0/24 (--lax)",
        'np.yaml:9:45: spec.egress[0].to[1].ipBlock.except[0]: "10.0.0.9/30" must not have bits set beyond the '
        "prefix length; read as 10.0.0.8/30 (--lax)",
    ]
    assert only_policy(result).egress == (
        Rule(
            (
                IPBlockPeer(ip_network("10.0.0.0/8")),
                IPBlockPeer(ip_network("10.0.0.0/24"), (ip_network("10.0.0.8/30"),)),
            )
        ),
    )


# -- NetworkPolicy validation: policyTypes (ValidateNetworkPolicySpec) ----------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "policyTypes: [Ingress, Egress, Ingress]\n",
            [
                'np.yaml:6:16: spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", '
                '"Ingress"}: may not specify more than two policyTypes'
            ],
            id="more-than-two",
        ),
        pytest.param(
            # more than two returns early: the bad values are not reported one by one
            "policyTypes:\n- ingress\n- egress\n- All\n",
            [
                'np.yaml:7:3: spec.policyTypes: Invalid value: []networking.PolicyType{"ingress", "egress", '
                '"All"}: may not specify more than two policyTypes'
            ],
            id="more-than-two-unsupported",
        ),
        pytest.param(
            "policyTypes: [ingress]\n",
            ['np.yaml:6:17: spec.policyTypes[0]: Unsupported value: "ingress": supported values: "Ingress", "Egress"'],
            id="lowercase",
        ),
        pytest.param(
            "policyTypes: [Ingress, Both]\n",
            ['np.yaml:6:26: spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress"'],
            id="unsupported-second",
        ),
    ],
)
def test_policy_types_validation(spec: str, expected: list[str]) -> None:
    assert errors(policy(spec)) == expected


# -- selectors and labels (ValidateLabelSelector, IsQualifiedName, IsValidLabelValue) -------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: app, operator: in, values: [web]}\n",
            [
                'np.yaml:8:28: spec.podSelector.matchExpressions[0].operator: Invalid value: "in": '
                "not a valid selector operator\n  hint: operators are case-sensitive: write In"
            ],
            id="operator-lowercase",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: app, operator: Gt, values: ['1']}\n",
            [
                'np.yaml:8:28: spec.podSelector.matchExpressions[0].operator: Invalid value: "Gt": '
                "not a valid selector operator"
            ],
            id="operator-unknown",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - key: app\n",
            [
                'np.yaml:8:7: spec.podSelector.matchExpressions[0].operator: Invalid value: "": '
                "not a valid selector operator"
            ],
            id="operator-missing",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: app, operator: In}\n"
            "  - {key: app, operator: NotIn, values: []}\n",
            [
                "np.yaml:8:7: spec.podSelector.matchExpressions[0].values: Required value: "
                "must be specified when `operator` is 'In' or 'NotIn'",
                "np.yaml:9:7: spec.podSelector.matchExpressions[1].values: Required value: "
                "must be specified when `operator` is 'In' or 'NotIn'",
            ],
            id="values-required",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: app, operator: Exists, values: [web]}\n"
            "  - {key: app, operator: DoesNotExist, values: []}\n",
            [
                "np.yaml:8:44: spec.podSelector.matchExpressions[0].values: Forbidden: "
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            ],
            id="values-forbidden",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: a/b/c, operator: Exists}\n",
            [f'np.yaml:8:13: spec.podSelector.matchExpressions[0].key: Invalid value: "a/b/c": {KEY_SLASHES}'],
            id="key-two-slashes",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {operator: Exists}\n",
            [
                'np.yaml:8:7: spec.podSelector.matchExpressions[0].key: Invalid value: "": name part must be non-empty',
                f'np.yaml:8:7: spec.podSelector.matchExpressions[0].key: Invalid value: "": {NAME_PART_REGEX}',
            ],
            id="key-missing",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: Example.com/app, operator: Exists}\n",
            [
                'np.yaml:8:13: spec.podSelector.matchExpressions[0].key: Invalid value: "Example.com/app": '
                f"prefix part {SUBDOMAIN_REGEX}"
            ],
            id="key-bad-prefix",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: app, operator: NotIn, values: [ok, -bad-]}\n",
            [f'np.yaml:8:48: spec.podSelector.matchExpressions[0].values[1]: Invalid value: "-bad-": {VALUE_REGEX}'],
            id="value-invalid",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: -app, operator: Equals}\n",
            [
                'np.yaml:8:13: spec.podSelector.matchExpressions[0].key: Invalid value: "-app": ' + NAME_PART_REGEX,
                'np.yaml:8:29: spec.podSelector.matchExpressions[0].operator: Invalid value: "Equals": '
                "not a valid selector operator",
            ],
            id="key-and-operator",
        ),
        pytest.param(
            "ingress:\n- from:\n  - namespaceSelector:\n      matchExpressions: [{key: env, operator: exists}]\n",
            [
                "np.yaml:9:49: spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].operator: "
                'Invalid value: "exists": not a valid selector operator\n'
                "  hint: operators are case-sensitive: write Exists"
            ],
            id="peer-namespace-selector",
        ),
        pytest.param(
            "podSelector:\n  matchLabels:\n    -app: web\n    tier: -db\n",
            [
                f'np.yaml:8:7: spec.podSelector.matchLabels: Invalid value: "-app": {NAME_PART_REGEX}',
                f'np.yaml:9:13: spec.podSelector.matchLabels: Invalid value: "-db": {VALUE_REGEX}',
            ],
            id="match-labels-key-and-value",
        ),
        pytest.param(
            "podSelector:\n  matchLabels:\n    /app: web\n    app/: web\n",
            [
                'np.yaml:8:7: spec.podSelector.matchLabels: Invalid value: "/app": prefix part must be non-empty',
                'np.yaml:9:7: spec.podSelector.matchLabels: Invalid value: "app/": name part must be non-empty',
                f'np.yaml:9:7: spec.podSelector.matchLabels: Invalid value: "app/": {NAME_PART_REGEX}',
            ],
            id="match-labels-empty-parts",
        ),
        pytest.param(
            "egress:\n- to:\n  - podSelector:\n      matchLabels: {app: " + "a" * 64 + "}\n",
            [
                f'np.yaml:9:28: spec.egress[0].to[0].podSelector.matchLabels: Invalid value: "{"a" * 64}": '
                "must be no more than 63 bytes"
            ],
            id="peer-match-labels-value-too-long",
        ),
    ],
)
def test_selector_validation(spec: str, expected: list[str]) -> None:
    assert errors(policy(spec)) == expected


# -- wrong value types ----------------------------------------------------------------------------


def quote_hint(value: str, kind: str) -> str:
    return f'\n  hint: quote it: "{value}" (YAML reads an unquoted {value} as {kind})'


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        pytest.param(
            "podSelector: app=web\n",
            ["np.yaml:6:16: spec.podSelector: Invalid type: expected a mapping, got string 'app=web'"],
            id="selector-as-string",
        ),
        pytest.param(
            "- podSelector: {}\n",
            ["np.yaml:6:3: spec: Invalid type: expected a mapping, got a list"],
            id="spec-as-list",
        ),
        pytest.param(
            "ingress: {from: []}\n",
            ["np.yaml:6:12: spec.ingress: Invalid type: expected a list, got a mapping"],
            id="rules-not-a-list",
        ),
        pytest.param(
            "ingress:\n- ports: {port: 80}\n",
            ["np.yaml:7:12: spec.ingress[0].ports: Invalid type: expected a list, got a mapping"],
            id="ports-not-a-list",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 80.5\n  - port: true\n  - port: [80]\n",
            [
                "np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid type: expected an integer or a port name, "
                "got number 80.5",
                "np.yaml:9:13: spec.ingress[0].ports[1].port: Invalid type: expected an integer or a port name, "
                "got boolean true",
                "np.yaml:10:13: spec.ingress[0].ports[2].port: Invalid type: expected an integer or a port name, "
                "got a list",
            ],
            id="port-types",
        ),
        pytest.param(
            "ingress:\n- ports:\n  - port: 1\n    endPort: '90'\n",
            ["np.yaml:9:16: spec.ingress[0].ports[0].endPort: Invalid type: expected integer, got string '90'"],
            id="end-port-as-string",
        ),
        pytest.param(
            "ingress:\n- from: [web]\n",
            ["np.yaml:7:12: spec.ingress[0].from[0]: Invalid type: expected a mapping, got string 'web'"],
            id="peer-as-string",
        ),
        pytest.param(
            "policyTypes: Egress\n",
            ["np.yaml:6:16: spec.policyTypes: Invalid type: expected a list, got string 'Egress'"],
            id="policy-types-as-string",
        ),
        pytest.param(
            "podSelector:\n  matchLabels: {version: 1.10, enabled: yes, replicas: 10, on: on, gone: null}\n",
            [
                "np.yaml:7:28: spec.podSelector.matchLabels.version: Invalid type: expected string, got number 1.10"
                + quote_hint("1.10", "a number"),
                "np.yaml:7:43: spec.podSelector.matchLabels.enabled: Invalid type: expected string, got boolean yes"
                + quote_hint("yes", "a boolean"),
                "np.yaml:7:58: spec.podSelector.matchLabels.replicas: Invalid type: expected string, got integer 10"
                + quote_hint("10", "an integer"),
                "np.yaml:7:66: spec.podSelector.matchLabels.on: Invalid type: expected string, got boolean on"
                + quote_hint("on", "a boolean"),
                "np.yaml:7:76: spec.podSelector.matchLabels.gone: Invalid type: expected string, got null",
            ],
            id="label-values-not-strings",
        ),
        pytest.param(
            "podSelector:\n  matchExpressions:\n  - {key: v, operator: In, values: [1.10]}\n",
            [
                "np.yaml:8:39: spec.podSelector.matchExpressions[0].values[0]: Invalid type: expected string, "
                "got number 1.10" + quote_hint("1.10", "a number")
            ],
            id="selector-value-not-a-string",
        ),
        pytest.param(
            "egress:\n- to: [{ipBlock: {cidr: 10}}]\n",
            [
                "np.yaml:7:27: spec.egress[0].to[0].ipBlock.cidr: Invalid type: expected string, got integer 10"
                + quote_hint("10", "an integer")
            ],
            id="cidr-not-a-string",
        ),
    ],
)
def test_type_errors(spec: str, expected: list[str]) -> None:
    assert errors(policy(spec)) == expected


# -- unknown fields and duplicate keys (docs/semantics.md, "Strict and lax decoding") -------------

TYPOS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
  lables: {app: x}
spec:
  podSelector:
    matchLabel: {app: db}
  ingres: []
  egress:
  - to:
    - podSelecter: {}
    - ipBlock: {cidr: 10.0.0.0/8, exept: []}
    ports:
    - prot: UDP
    - port: 53
      colour: blue
status: {}
specs: {}
"""


def test_unknown_fields_are_strict_errors_with_a_suggestion() -> None:
    assert errors(TYPOS) == [
        'np.yaml:5:3: metadata.lables: strict decoding error: unknown field "metadata.lables"\n'
        '  hint: did you mean "labels"?',
        'np.yaml:8:5: spec.podSelector.matchLabel: strict decoding error: unknown field "spec.podSelector.matchLabel"\n'
        '  hint: did you mean "matchLabels"?',
        'np.yaml:9:3: spec.ingres: strict decoding error: unknown field "spec.ingres"\n  hint: did you mean "ingress"?',
        "np.yaml:12:7: spec.egress[0].to[0].podSelecter: strict decoding error: unknown field "
        '"spec.egress[0].to[0].podSelecter"\n  hint: did you mean "podSelector"?',
        # with the typo dropped, the peer is empty: what the API server would say under --validate=false
        "np.yaml:12:7: spec.egress[0].to[0]: Required value: must specify a peer",
        "np.yaml:13:35: spec.egress[0].to[1].ipBlock.exept: strict decoding error: unknown field "
        '"spec.egress[0].to[1].ipBlock.exept"\n  hint: did you mean "except"?',
        "np.yaml:15:7: spec.egress[0].ports[0].prot: strict decoding error: unknown field "
        '"spec.egress[0].ports[0].prot"\n  hint: did you mean "port"?',
        "np.yaml:17:7: spec.egress[0].ports[1].colour: strict decoding error: unknown field "
        '"spec.egress[0].ports[1].colour"',
        'np.yaml:19:1: specs: strict decoding error: unknown field "specs"\n  hint: did you mean "spec"?',
    ]


def test_unknown_fields_are_dropped_with_a_warning_in_lax_mode() -> None:
    lax_typos = TYPOS.replace("    - podSelecter: {}\n", "")
    result = load(lax_typos, lax=True)
    assert [str(w) for w in result.warnings] == [
        'np.yaml:5:3: metadata.lables: unknown field "metadata.lables" dropped (--lax)',
        'np.yaml:8:5: spec.podSelector.matchLabel: unknown field "spec.podSelector.matchLabel" dropped (--lax)',
        'np.yaml:9:3: spec.ingres: unknown field "spec.ingres" dropped (--lax)',
        'np.yaml:12:35: spec.egress[0].to[0].ipBlock.exept: unknown field "spec.egress[0].to[0].ipBlock.exept" '
        "dropped (--lax)",
        'np.yaml:14:7: spec.egress[0].ports[0].prot: unknown field "spec.egress[0].ports[0].prot" dropped (--lax)',
        'np.yaml:16:7: spec.egress[0].ports[1].colour: unknown field "spec.egress[0].ports[1].colour" dropped (--lax)',
        'np.yaml:18:1: specs: unknown field "specs" dropped (--lax)',
    ]
    np = only_policy(result)
    # the danger of lax decoding (docs/semantics.md): a dropped `matchLabel` leaves {}, every pod
    assert np.pod_selector == LabelSelector()
    assert np.egress == (
        Rule((IPBlockPeer(ip_network("10.0.0.0/8")),), (PortSpec(Protocol.TCP), PortSpec(Protocol.TCP, 53))),
    )


DUPLICATES = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: first
  name: np
spec:
  podSelector: {}
  podSelector:
    matchLabels: {app: web, app: db}
  ingress:
  - ports: [{port: 80}]
    ports: [{port: 81, port: 82}]
"""


def test_duplicate_keys_are_strict_errors() -> None:
    assert errors(DUPLICATES) == [
        'np.yaml:5:3: metadata.name: strict decoding error: key "name" already set in map (first set at line 4)',
        'np.yaml:8:3: spec.podSelector: strict decoding error: key "podSelector" already set in map '
        "(first set at line 7)",
        'np.yaml:9:29: spec.podSelector.matchLabels.app: strict decoding error: key "app" already set in map '
        "(first set at line 9)",
        'np.yaml:12:5: spec.ingress[0].ports: strict decoding error: key "ports" already set in map '
        "(first set at line 11)",
        'np.yaml:12:24: spec.ingress[0].ports[0].port: strict decoding error: key "port" already set in map '
        "(first set at line 12)",
    ]


def test_duplicate_keys_keep_the_last_with_a_warning_in_lax_mode() -> None:
    result = load(DUPLICATES, lax=True)
    assert [str(w) for w in result.warnings] == [
        'np.yaml:5:3: metadata.name: key "name" already set in map (first set at line 4); the last one is used (--lax)',
        'np.yaml:8:3: spec.podSelector: key "podSelector" already set in map (first set at line 7); the last one '
        "is used (--lax)",
        'np.yaml:9:29: spec.podSelector.matchLabels.app: key "app" already set in map (first set at line 9); the '
        "last one is used (--lax)",
        'np.yaml:12:5: spec.ingress[0].ports: key "ports" already set in map (first set at line 11); the last one '
        "is used (--lax)",
        'np.yaml:12:24: spec.ingress[0].ports[0].port: key "port" already set in map (first set at line 12); the '
        "last one is used (--lax)",
    ]
    np = only_policy(result)
    assert np.name == "np"
    assert np.pod_selector == LabelSelector(Labels({"app": "db"}))
    assert np.ingress == (Rule((), (PortSpec(Protocol.TCP, 82),)),)


# -- documents, metadata and kinds ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {}\n",
            ["np.yaml:1:1: metadata.name: Required value: name or generateName is required"],
            id="no-metadata",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n",
            ["np.yaml:1:1: metadata.name: Required value: name or generateName is required"],
            id="null-metadata",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  namespace: prod\n",
            ["np.yaml:4:3: metadata.name: Required value: name or generateName is required"],
            id="no-name",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {labels: {app: web}}\n",
            ["np.yaml:3:11: metadata.name: Required value: name or generateName is required"],
            id="pod-without-name",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: Allow_DB}\n",
            [f'np.yaml:3:18: metadata.name: Invalid value: "Allow_DB": {SUBDOMAIN_REGEX}'],
            id="bad-name",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: 123}\n",
            [
                "np.yaml:3:18: metadata.name: Invalid type: expected string, got integer 123"
                + quote_hint("123", "an integer")
            ],
            id="name-not-a-string",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: Prod}\n",
            [f'np.yaml:3:34: metadata.namespace: Invalid value: "Prod": {DNS_LABEL_REGEX}'],
            id="bad-namespace",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: team.prod}\n",
            ['np.yaml:3:34: metadata.namespace: Invalid value: "team.prod": must not contain dots'],
            id="namespace-with-dots",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: my.team}\n",
            ['np.yaml:3:18: metadata.name: Invalid value: "my.team": must not contain dots'],
            id="namespace-name-with-dots",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web, labels: {app: -web}}\n",
            [f'np.yaml:3:37: metadata.labels: Invalid value: "-web": {VALUE_REGEX}'],
            id="pod-label-value",
        ),
        pytest.param(
            "- apiVersion: v1\n  kind: Pod\n  metadata: {name: web}\n",
            [f"np.yaml:1:1: {NOT_AN_OBJECT} a list"],
            id="document-is-a-list",
        ),
        pytest.param("just text\n", [f"np.yaml:1:1: {NOT_AN_OBJECT} a string"], id="document-is-a-string"),
        pytest.param("42\n", [f"np.yaml:1:1: {NOT_AN_OBJECT} an integer"], id="document-is-an-integer"),
        pytest.param("true\n", [f"np.yaml:1:1: {NOT_AN_OBJECT} a boolean"], id="document-is-a-boolean"),
        pytest.param(
            "metadata: {name: web}\n",
            [
                "np.yaml:1:1: kind: Required value: not a Kubernetes object (no kind and no apiVersion)\n"
                "  hint: pass only Kubernetes manifests, or use --lax to skip"
            ],
            id="no-kind-no-api-version",
        ),
        pytest.param(
            "apiVersion: v1\nmetadata: {name: web}\n",
            ["np.yaml:1:1: kind: Required value: kind is missing"],
            id="no-kind",
        ),
        pytest.param(
            "apiVersion: v1\nkind: [Pod]\n",
            ["np.yaml:2:7: kind: Invalid type: expected string, got a list"],
            id="kind-not-a-string",
        ),
        pytest.param(
            "apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec: {}\n",
            [
                'np.yaml:1:13: apiVersion: Unsupported value: "extensions/v1beta1": '
                'supported values: "networking.k8s.io/v1"'
            ],
            id="policy-api-version-extensions",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1beta1\nkind: NetworkPolicy\nmetadata: {name: np}\n",
            [
                'np.yaml:1:13: apiVersion: Unsupported value: "networking.k8s.io/v1beta1": '
                'supported values: "networking.k8s.io/v1"'
            ],
            id="policy-api-version-beta",
        ),
        pytest.param(
            "apiVersion: 1\nkind: NetworkPolicy\nmetadata: {name: np}\n",
            ["np.yaml:1:13: apiVersion: Invalid type: expected string, got integer 1" + quote_hint("1", "an integer")],
            id="policy-api-version-not-a-string",
        ),
    ],
)
def test_document_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_a_document_without_kind_is_skipped_with_a_warning_in_lax_mode() -> None:
    result = load("metadata: {name: web}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", lax=True)
    assert [str(w) for w in result.warnings] == [
        "np.yaml:1:1: kind: Required value: not a Kubernetes object (no kind and no apiVersion); skipped (--lax)"
    ]
    assert [p.ref for p in result.cluster.pods] == ["default/p"]


@pytest.mark.parametrize(
    "texts",
    [
        pytest.param({"a.yaml": ""}, id="empty"),
        pytest.param({"a.yaml": "# only a comment\n"}, id="comment"),
        pytest.param({"a.yaml": "---\n---\n# c\n---\n...\n"}, id="empty-documents"),
        pytest.param({"a.yaml": "null\n", "b.json": "null"}, id="null"),
    ],
)
def test_empty_documents_are_fine(texts: dict[str, str]) -> None:
    result = load_texts(texts)
    assert (result.cluster.namespaces, result.cluster.pods, result.cluster.policies) == ((), (), ())
    assert result.warnings == ()
    assert result.files == tuple(texts)


OTHER_KINDS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {version: 1.10, enabled: yes}
---
apiVersion: v1
kind: Secret
metadata: {name: s}
stringData: {password: hunter2}
---
apiVersion: example.com/v1
kind: Widget
anything: [goes, {here: 1}]
"""


def test_other_kinds_are_skipped_silently() -> None:
    """Kinds that do not change who may connect to whom (Services and Ingresses are read: see
    test_loader_services.py and test_loader_ingress.py)."""
    result = load(OTHER_KINDS)
    assert (result.cluster.namespaces, result.cluster.pods, result.cluster.policies) == ((), (), ())
    assert result.warnings == ()


# -- List objects (kubectl get -o yaml) ---------------------------------------------------------

KUBECTL_LIST = """\
apiVersion: v1
kind: List
metadata:
  resourceVersion: ""
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: prod
    labels: {env: prod, kubernetes.io/metadata.name: prod}
    uid: 0b1c
    creationTimestamp: "2024-01-01T00:00:00Z"
    managedFields:
    - manager: kubectl
      operation: Update
      fieldsType: FieldsV1
      fieldsV1: {"f:metadata": {"f:labels": {".": {}, "f:env": {}}}}
  spec: {finalizers: [kubernetes]}
  status: {phase: Active}
- apiVersion: v1
  kind: Pod
  metadata:
    name: web-1
    namespace: prod
    labels: {app: web}
    ownerReferences: []
    resourceVersion: "42"
  spec:
    nodeName: node-a
    containers:
    - name: nginx
      image: nginx:1.27
      ports: [{containerPort: 80, name: http, protocol: TCP}]
      resources: {limits: {cpu: 500m}}
  status:
    phase: Running
    hostIP: 192.168.1.10
    podIP: 10.0.0.5
    podIPs: [{ip: 10.0.0.5}]
    conditions: [{type: Ready, status: "True"}]
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata:
    name: web
    namespace: prod
    generation: 3
    annotations: {kubectl.kubernetes.io/last-applied-configuration: "{}"}
    managedFields: [{manager: kubectl-client-side-apply, operation: Update}]
  spec:
    podSelector: {matchLabels: {app: web}}
    policyTypes: [Ingress]
  status: {}
"""


def test_kubectl_list_output_loads_with_status_and_managed_fields() -> None:
    result = load(KUBECTL_LIST)
    assert result.warnings == ()
    (ns,) = result.cluster.namespaces
    assert (ns.name, ns.declared, dict(ns.labels)) == ("prod", True, {"env": "prod", NAMESPACE_NAME_LABEL: "prod"})
    (pod,) = result.cluster.pods
    assert (pod.ref, pod.ips, pod.node_name) == ("prod/web-1", (ip_address("10.0.0.5"),), "node-a")
    assert pod.ports == (ContainerPort(80, Protocol.TCP, "http"),)
    np = only_policy(result)
    assert (np.ref, np.policy_types) == ("prod/web", INGRESS)


@pytest.mark.parametrize(
    ("text", "pods", "namespaces", "policies"),
    [
        pytest.param(
            "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: a, namespace: x}\n- metadata: {name: b}\n",
            ["default/b", "x/a"],
            ["default", "x"],
            [],
            id="pod-list-items-without-kind",
        ),
        pytest.param(
            "apiVersion: v1\nkind: NamespaceList\nitems:\n- metadata: {name: a, labels: {team: t}}\n",
            [],
            ["a"],
            [],
            id="namespace-list",
        ),
        pytest.param(
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicyList\nitems:\n"
            "- metadata: {name: a, namespace: x}\n  spec: {podSelector: {}}\n",
            [],
            ["x"],
            ["x/a"],
            id="network-policy-list",
        ),
        pytest.param(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: List\n  items:\n"
            "  - {apiVersion: v1, kind: Pod, metadata: {name: nested}}\n",
            ["default/nested"],
            ["default"],
            [],
            id="nested-list",
        ),
        pytest.param("apiVersion: v1\nkind: List\nitems: []\n", [], [], [], id="empty-list"),
    ],
)
def test_list_kinds(text: str, pods: list[str], namespaces: list[str], policies: list[str]) -> None:
    cluster = load(text).cluster
    assert [p.ref for p in cluster.pods] == pods
    assert [n.name for n in cluster.namespaces] == namespaces
    assert [p.ref for p in cluster.policies] == policies


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "apiVersion: v1\nkind: List\nitems: {kind: Pod}\n",
            ["np.yaml:3:8: items: Invalid type: expected a list, got a mapping"],
            id="items-not-a-list",
        ),
        pytest.param(
            "apiVersion: v1\nkind: List\nitems:\n- web\n",
            ["np.yaml:4:3: items[0]: Invalid type: expected a Kubernetes object (a mapping), got string 'web'"],
            id="item-not-a-mapping",
        ),
        pytest.param(
            "apiVersion: v1\nkind: PodList\nitems:\n- metadata: {name: Web}\n",
            [f'np.yaml:4:20: metadata.name: Invalid value: "Web": {SUBDOMAIN_REGEX}'],
            id="item-error",
        ),
    ],
)
def test_list_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_json_input() -> None:
    text = (
        '{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "np"}, '
        '"spec": {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{"ports": [{"port": 8080}]}]}}'
    )
    np = only_policy(load_texts({"np.json": text}))  # no options: namespace "default", strict
    assert np.ref == "default/np"
    assert np.pod_selector == SEL_APP_WEB
    assert np.ingress == (Rule((), (PortSpec(Protocol.TCP, 8080),)),)


def test_json_errors_are_located() -> None:
    text = '{\n  "apiVersion": "networking.k8s.io/v1",\n  "kind": "NetworkPolicy",\n  "metadata": {"name": "np"},\n'
    text += '  "spec": {"ingress": [{"ports": [{"port": "80"}]}]}\n}\n'
    with pytest.raises(InputErrors) as info:
        load_texts({"np.json": text})
    assert [str(e) for e in info.value.exceptions] == [
        'np.json:5:44: spec.ingress[0].ports[0].port: Invalid value: "80": must contain at least one letter (a-z)\n'
        + NAMED_PORT_HINT
    ]


# -- namespaces -----------------------------------------------------------------------------------

NAMESPACED = """\
apiVersion: v1
kind: Pod
metadata: {name: a}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: prod}
---
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: ""}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: null}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: np, namespace: audit}
"""


@pytest.mark.parametrize(
    ("namespace", "pods", "policies", "namespaces"),
    [
        pytest.param(
            "default",  # LoadOptions' default
            ["default/a", "default/c", "prod/b"],
            ["audit/np", "default/np"],
            ["audit", "default", "prod"],
            id="default",
        ),
        pytest.param(
            "team",
            ["prod/b", "team/a", "team/c"],
            ["audit/np", "team/np"],
            ["audit", "prod", "team"],
            id="namespace-option",
        ),
    ],
)
def test_objects_without_namespace(namespace: str, pods: list[str], policies: list[str], namespaces: list[str]) -> None:
    cluster = load(NAMESPACED, namespace=namespace).cluster
    assert [p.ref for p in cluster.pods] == pods
    assert [p.ref for p in cluster.policies] == policies
    assert [n.name for n in cluster.namespaces] == namespaces
    # namespaces only referenced exist, with nothing but the name label
    for ns in cluster.namespaces:
        assert (ns.declared, dict(ns.labels)) == (False, {NAMESPACE_NAME_LABEL: ns.name})


def test_declared_namespaces_always_carry_the_name_label() -> None:
    text = """\
    apiVersion: v1
    kind: Namespace
    metadata: {name: prod, namespace: ignored, labels: {env: prod}}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: spoof, labels: {kubernetes.io/metadata.name: prod}}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: bare}
    ---
    apiVersion: v1
    kind: Pod
    metadata: {name: p, namespace: other}
    """
    cluster = load(text).cluster
    assert [(n.name, n.declared, dict(n.labels)) for n in cluster.namespaces] == [
        ("bare", True, {NAMESPACE_NAME_LABEL: "bare"}),
        ("other", False, {NAMESPACE_NAME_LABEL: "other"}),
        ("prod", True, {"env": "prod", NAMESPACE_NAME_LABEL: "prod"}),
        ("spoof", True, {NAMESPACE_NAME_LABEL: "spoof"}),
    ]
    assert cluster.namespace_labels("not-loaded") == Labels({NAMESPACE_NAME_LABEL: "not-loaded"})


# -- pods -----------------------------------------------------------------------------------------

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: prod
  labels: {app: web, tier: front, version: "1.10", empty: ""}
spec:
  nodeName: node-a
  hostNetwork: false
  containers:
  - name: app
    ports:
    - containerPort: 8080
      name: http
    - {containerPort: 53, name: dns, protocol: UDP}
    - {containerPort: 9090}
  - name: sidecar
    ports: [{containerPort: 15090, name: metrics, protocol: SCTP}]
status:
  hostIP: 192.168.1.10
  podIP: 10.0.0.5
  podIPs:
  - ip: 10.0.0.5
  - ip: fd00::5
"""


def test_pod_fields() -> None:
    (pod,) = load(POD).cluster.pods
    assert (pod.namespace, pod.name, pod.kind) == ("prod", "web", "Pod")
    assert pod.labels == Labels({"app": "web", "tier": "front", "version": "1.10", "empty": ""})
    assert pod.ports == (
        ContainerPort(8080, Protocol.TCP, "http"),
        ContainerPort(53, Protocol.UDP, "dns"),
        ContainerPort(9090, Protocol.TCP, None),
        ContainerPort(15090, Protocol.SCTP, "metrics"),
    )
    assert pod.ips == (ip_address("10.0.0.5"), ip_address("fd00::5"))
    assert (pod.node_name, pod.host_ip, pod.host_network) == ("node-a", ip_address("192.168.1.10"), False)


@pytest.mark.parametrize(
    ("extra", "host_network", "ips"),
    [
        pytest.param("spec: {hostNetwork: true}\nstatus: {podIP: 192.168.1.10}\n", True, ["192.168.1.10"], id="host"),
        pytest.param("spec: {hostNetwork: null}\n", False, [], id="null-host-network"),
        pytest.param("status: {podIPs: [{ip: 10.0.0.7}, {ip: 10.0.0.7}]}\n", False, ["10.0.0.7"], id="pod-ips"),
        pytest.param("status: {phase: Pending}\n", False, [], id="no-ip-yet"),
    ],
)
def test_pod_network_fields(extra: str, host_network: bool, ips: list[str]) -> None:
    (pod,) = load(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\n{extra}").cluster.pods
    assert pod.host_network is host_network
    assert pod.ips == tuple(ip_address(ip) for ip in ips)


BAD_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p, labels: {v: 1.10}}
spec:
  hostNetwork: "yes"
  nodeName: 5
  containers:
  - ports:
    - {containerPort: 0}
    - {containerPort: "80"}
    - {name: x}
    - {containerPort: 80, name: Http_Port, protocol: icmp}
status:
  podIP: 10.0.0.300
  hostIP: node-a
  podIPs: [{ip: "::1"}, {ip: x}]
"""


def test_pod_field_errors() -> None:
    assert errors(BAD_POD) == [
        "np.yaml:3:33: metadata.labels.v: Invalid type: expected string, got number 1.10"
        + quote_hint("1.10", "a number"),
        "np.yaml:5:16: spec.hostNetwork: Invalid type: expected boolean, got string 'yes'",
        "np.yaml:6:13: spec.nodeName: Invalid type: expected string, got integer 5" + quote_hint("5", "an integer"),
        f"np.yaml:9:23: spec.containers[0].ports[0].containerPort: Invalid value: 0: {PORT_RANGE}",
        "np.yaml:10:23: spec.containers[0].ports[1].containerPort: Invalid type: expected integer, got string '80'",
        "np.yaml:11:7: spec.containers[0].ports[2].containerPort: Required value",
        'np.yaml:12:33: spec.containers[0].ports[3].name: Invalid value: "Http_Port": '
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        'np.yaml:12:54: spec.containers[0].ports[3].protocol: Unsupported value: "icmp": '
        'supported values: "TCP", "UDP", "SCTP"',
        'np.yaml:14:10: status.podIP: Invalid value: "10.0.0.300": '
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        'np.yaml:15:11: status.hostIP: Invalid value: "node-a": '
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        'np.yaml:16:30: status.podIPs[1].ip: Invalid value: "x": '
        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    ]


# -- duplicates objects ---------------------------------------------------------------------------


def test_objects_defined_twice() -> None:
    texts = {
        "a.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\n",
        "b.yaml": textwrap.dedent(
            """\
            apiVersion: v1
            kind: Pod
            metadata: {name: web, namespace: default}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: prod}
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: prod}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: prod}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: prod}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: np, namespace: other}
            """
        ),
    }
    with pytest.raises(InputErrors) as info:
        load_texts(texts)
    assert [str(e) for e in info.value.exceptions] == [
        "b.yaml:1:1: metadata.name: Duplicate value: Pod 'default/web' is defined twice (first at a.yaml:1:1)",
        "b.yaml:9:1: metadata.name: Duplicate value: Namespace 'prod' is defined twice (first at b.yaml:5:1)",
        "b.yaml:17:1: metadata.name: Duplicate value: NetworkPolicy 'prod/np' is defined twice (first at b.yaml:13:1)",
    ]


# -- YAML features ---------------------------------------------------------------------------------


def test_merge_keys() -> None:
    text = """\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels: &labels {app: web, tier: front}
    ---
    apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: np}
    spec:
      podSelector:
        matchLabels:
          <<: [{app: api, tier: back}, {team: a, tier: mid}]
          app: web
      ingress:
      - from:
        - podSelector: &peer
            matchLabels: {role: client}
        ports: &ports
        - {port: 80}
      - from:
        - podSelector:
            <<: *peer
        ports: *ports
    ---
    apiVersion: v1
    kind: Pod
    metadata:
      <<: {name: merged, namespace: prod}
      labels:
        <<: &base {a: "1"}
        b: "2"
    """
    result = load(text)
    pod, merged = result.cluster.pods
    assert pod.labels == Labels({"app": "web", "tier": "front"})
    assert (merged.ref, merged.labels) == ("prod/merged", Labels({"a": "1", "b": "2"}))
    np = only_policy(result)
    # keys of the mapping itself win over merged ones; earlier merge sources win over later ones
    assert np.pod_selector == LabelSelector(Labels({"app": "web", "tier": "back", "team": "a"}))
    client = PodPeer(None, LabelSelector(Labels({"role": "client"})))
    assert np.ingress == (Rule((client,), (PortSpec(Protocol.TCP, 80),)),) * 2


def test_a_mapping_merging_itself_is_a_recursive_alias() -> None:
    # refused, as kubectl refuses it ("anchor 'm' value contains itself"); never an endless merge
    text = "apiVersion: v1\nkind: Pod\nmetadata: &m\n  name: loop\n  <<: *m\n"
    assert errors(text) == ["np.yaml:5:7: YAML alias *m is inside the node its anchor names (a recursive alias)"]


def test_yaml_syntax_errors_in_memory_are_located_like_files() -> None:
    assert errors("apiVersion: v1\nkind: Pod\nmetadata: {name: [a\n") == [
        "np.yaml:4:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"
    ]


# -- several files ----------------------------------------------------------------------------------


def test_errors_of_several_files_are_collected_and_sorted(tmp_path: Path) -> None:
    (tmp_path / "b.yaml").write_text(policy("ingress:\n- ports:\n  - port: 0\n- from: [{}]\n"))
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: Web}\n---\nkind: [x]\n---\n{broken\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.yml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: my.ns}\n")
    (tmp_path / "d.json").write_text('{"kind": "Pod", "metadata": {"name": "ok", "labels": {"a": 1}}}')
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: fine}\n")
    with pytest.raises(InputErrors) as info:
        load_cluster([str(tmp_path), str(tmp_path / "missing.yaml")])
    a, b, c, d = (str(tmp_path / name) for name in ["a.yaml", "b.yaml", "sub/c.yml", "d.json"])
    assert info.value.message == "8 input errors"
    # errors without a position first, then by file, line and column
    assert [str(e) for e in info.value.exceptions] == [
        f"{tmp_path / 'missing.yaml'}: no such file or directory",
        f'{a}:3:18: metadata.name: Invalid value: "Web": {SUBDOMAIN_REGEX}',
        f"{a}:5:7: kind: Invalid type: expected string, got a list",
        f"{a}:8:1: YAML syntax error: did not find expected ',' or '}}' (while parsing a flow mapping)",
        f"{b}:8:13: spec.ingress[0].ports[0].port: Invalid value: 0: {PORT_RANGE}",
        f"{b}:9:12: spec.ingress[1].from[0]: Required value: must specify a peer",
        f"{d}:1:60: metadata.labels.a: Invalid type: expected string, got integer 1" + quote_hint("1", "an integer"),
        f'{c}:3:18: metadata.name: Invalid value: "my.ns": must not contain dots',
    ]


def test_load_cluster_reads_files_and_reports_what_it_read(tmp_path: Path) -> None:
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: prod}\n")
    (tmp_path / "np.yaml").write_text(policy("podSelector: {}\n").replace("name: np", "name: np\n  namespace: prod"))
    result = load_cluster([str(tmp_path)], LoadOptions())
    assert result.files == (str(tmp_path / "np.yaml"), str(tmp_path / "ns.yaml"))
    assert [p.ref for p in result.cluster.policies] == ["prod/np"]
    assert [(n.name, n.declared) for n in result.cluster.namespaces] == [("prod", True)]


# -- hostile input: aliases, explicit tags, floods of errors (docs/security.md) ---------------------

UNBOUNDED_ALIASES = LoadOptions(limits=Limits(max_alias_nodes=10**9))


def test_a_long_chain_of_merges_is_read_without_recursion() -> None:
    # m2999 merges m2998, which merges m2997, ...: deeper than Python's recursion limit
    chain = "".join(f"    m{i}: &m{i} {{<<: *m{i - 1}, k{i}: v}}\n" for i in range(1, 3000))
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
        f"  annotations:\n    m0: &m0 {{k0: v}}\n{chain}  labels: *m2999\n"
    )
    (pod,) = load_texts({"np.yaml": text}, UNBOUNDED_ALIASES).cluster.pods
    assert len(pod.labels) == 3000
    assert pod.labels.get("k0") == pod.labels.get("k2999") == "v"


def test_merge_sources_shared_by_several_paths_are_read_once() -> None:
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
        "  annotations:\n    a: &a {x: '1'}\n    b: &b {<<: *a, y: '2'}\n    c: &c {<<: [*a, *b], z: '3'}\n"
        "  labels: {<<: [*c, *b, *a], w: '0'}\n"
    )
    (pod,) = load(text).cluster.pods
    assert pod.labels == Labels({"w": "0", "z": "3", "x": "1", "y": "2"})


def test_lists_nested_through_aliases_are_read_without_recursion() -> None:
    lists = "".join(f"  - &l{i} {{kind: List, items: [*l{i - 1}]}}\n" for i in range(1, 2000))
    text = (
        "apiVersion: v1\nkind: List\nx-definitions:\n"
        f"  - &l0 {{apiVersion: v1, kind: Pod, metadata: {{name: deep}}}}\n{lists}items: [*l1999]\n"
    )
    (pod,) = load_texts({"np.yaml": text}, UNBOUNDED_ALIASES).cluster.pods
    assert pod.ref == "default/deep"


def test_timestamps_are_strings_as_kubectl_reads_them() -> None:
    # go-yaml v2 (sigs.k8s.io/yaml) keeps an unquoted date as the string it is written as
    text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {released: 2024-01-01}\n"
    (pod,) = load(text).cluster.pods
    assert pod.labels == Labels({"released": "2024-01-01"})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", 'Invalid value: "abc": not a valid integer'),
        ("!!int ''", 'Invalid value: "": not a valid integer'),
        ("0x_", 'Invalid value: "0x_": not a valid integer'),
        ("0b_", 'Invalid value: "0b_": not a valid integer'),
        ("9" * 5000, "Invalid value: 99999999999999999999... (5000 digits): too large"),
        ("!!float 80", "Invalid type: expected an integer or a port name, got number 80"),
    ],
    ids=["tagged-word", "tagged-empty", "hex-without-digits", "binary-without-digits", "5000-digits", "tagged-float"],
)
def test_integers_that_python_cannot_read_are_errors(value: str, message: str) -> None:
    assert errors(policy(f"ingress:\n- ports:\n  - port: {value}\n")) == [
        f"np.yaml:8:13: spec.ingress[0].ports[0].port: {message}"
    ]


@pytest.mark.parametrize("value", ["!!bool maybe", "!!bool ''"])
def test_booleans_that_python_cannot_read_are_errors(value: str) -> None:
    text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: web}}\nspec: {{hostNetwork: {value}}}\n"
    shown = value.removeprefix("!!bool ").strip("'")
    assert errors(text) == [f'np.yaml:4:21: spec.hostNetwork: Invalid value: "{shown}": not a valid boolean']


def test_long_values_are_cut_in_type_errors() -> None:
    long = "x" * 10_000
    text = f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    a: [{long}]\n    b: !!binary {long}\n"
    assert errors(text) == [
        "np.yaml:6:8: metadata.labels.a: Invalid type: expected string, got a list",
        f"np.yaml:7:8: metadata.labels.b: Invalid type: expected string, got tag:yaml.org,2002:binary "
        f"{'x' * 100}... (10000 characters)",
    ]


def test_reading_stops_at_max_errors() -> None:
    labels = ", ".join(f"k{i}: {i}" for i in range(50))
    texts = {
        "a.yaml": f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  labels: {{{labels}}}\n",
        "b.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: B\n",
    }
    with pytest.raises(InputErrors) as info:
        load_texts(texts, LoadOptions(limits=Limits(max_errors=10)))
    messages = [str(e) for e in info.value.exceptions]
    assert len(messages) == 11
    assert messages[0] == "10 errors: netsim stopped reading there (--max-errors)"
    assert all(m.startswith("a.yaml:5:") for m in messages[1:])  # b.yaml was not read


def test_warnings_stop_at_max_errors() -> None:
    fields = "".join(f"  x{i}: 1\n" for i in range(20))
    result = load_texts({"np.yaml": policy(fields)}, LoadOptions(lax=True, limits=Limits(max_errors=5)))
    assert len(result.warnings) == 6
    assert str(result.warnings[0]) == "more than 5 warnings: the others are not shown (--max-errors)"
