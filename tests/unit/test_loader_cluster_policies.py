"""netsim.loader: the cluster-scoped tiers of network-policy-api (ClusterNetworkPolicy v1alpha2,
AdminNetworkPolicy and BaselineAdminNetworkPolicy v1alpha1) and Nodes, read into the model.

Every field's mapping onto the model, the defaults, and every validation error as ``kubectl apply``
against the CRDs (kubernetes-sigs/network-policy-api ``config/crd``, standard and experimental
channel) reports it, pinned exactly with its position. A CLI smoke test checks that ``netsim check``
answers by the tiers.
"""

from __future__ import annotations

import textwrap
from ipaddress import ip_address, ip_network
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.engine import PolicyIndex
from netsim.errors import InputErrors
from netsim.loader import LoadOptions, LoadResult, load_texts
from netsim.model import (
    Action,
    ClusterNetworkPolicy,
    ClusterPort,
    ClusterRule,
    Direction,
    DomainNamesPeer,
    IPBlockPeer,
    Labels,
    LabelSelector,
    Node,
    NodesPeer,
    PodPeer,
    Protocol,
    Requirement,
    Tier,
)

V1ALPHA1 = "policy.networking.k8s.io/v1alpha1"
V1ALPHA2 = "policy.networking.k8s.io/v1alpha2"
ALL = LabelSelector()
TCP, UDP, SCTP = Protocol.TCP, Protocol.UDP, Protocol.SCTP
CNP_NAMED_PORT = (
    'Invalid value: "object": networks/nodes/domainNames peer cannot be set with namedPorts since there are '
    "no namedPorts for networks/nodes/domainNames"
)
BANP_NAMED_PORT = (
    'Invalid value: "object": networks/nodes peer cannot be set with namedPorts since there are no namedPorts '
    "for networks/nodes"
)
BANP_NAME = (
    'Invalid value: "object": Only one baseline admin network policy with metadata.name="default" can be created '
    "in the cluster"
)
DOMAIN_V1ALPHA1 = r"^(\*\.)?([a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"
DOMAIN_V1ALPHA2 = r"^(\*\.)?([a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.)+[a-zA-Z0-9]([-a-zA-Z0-9_]*[a-zA-Z0-9])?\.?$"


def obj(api: str, kind: str, spec: str, name: str) -> str:
    """An object whose spec body (dedented) starts on line 6, column 3."""
    head = f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n"
    return head + textwrap.indent(textwrap.dedent(spec), "  ")


def cnp(spec: str, name: str = "p") -> str:
    return obj(V1ALPHA2, "ClusterNetworkPolicy", spec, name)


def anp(spec: str, name: str = "p") -> str:
    return obj(V1ALPHA1, "AdminNetworkPolicy", spec, name)


def banp(spec: str, name: str = "default") -> str:
    return obj(V1ALPHA1, "BaselineAdminNetworkPolicy", spec, name)


#: minimal valid heads of a spec (lines 6 and 7; the rest starts on line 8)
DOMAIN_RULE = 'egress:\n- {action: Deny, to: [{domainNames: ["*.example.com", "a..b", "-a.io", a.io, a.io]}]}\n'
CNP_HEAD = "tier: Admin\npriority: 10\nsubject: {namespaces: {}}\n"
ANP_HEAD = "priority: 10\nsubject: {namespaces: {}}\n"
BANP_HEAD = "subject: {namespaces: {}}\n"


def load(*texts: str, lax: bool = False) -> LoadResult:
    """Load the texts as files ``p0.yaml``, ``p1.yaml``, ...; fails the test on input errors."""
    return load_texts({f"p{i}.yaml": t for i, t in enumerate(texts)}, LoadOptions(lax=lax))


def only(text: str) -> ClusterNetworkPolicy:
    result = load(text)
    assert result.warnings == ()
    (policy,) = result.cluster.cluster_policies
    return policy


def errors(*texts: str, lax: bool = False) -> list[str]:
    """Every error of loading the texts, as printed (``p0.yaml:line:col: field: message``)."""
    with pytest.raises(InputErrors) as info:
        load(*texts, lax=lax)
    return [str(e) for e in info.value.exceptions]


def sel(labels: dict[str, str] | None = None, *reqs: Requirement) -> LabelSelector:
    return LabelSelector(Labels(labels or {}), tuple(reqs))


def ns(name: str) -> LabelSelector:
    return sel({"kubernetes.io/metadata.name": name})


# -- ClusterNetworkPolicy (v1alpha2): every field ------------------------------------------------

CNP_FULL = """\
tier: Baseline
priority: 20
subject:
  pods:
    namespaceSelector: {matchLabels: {team: a}}
    podSelector: {matchLabels: {app: web}}
ingress:
- name: from-monitoring
  action: Accept
  from:
  - namespaces: {matchLabels: {kubernetes.io/metadata.name: monitoring}}
  - pods: {podSelector: {matchLabels: {app: prom}}}
  protocols:
  - tcp: {destinationPort: {number: 9090}}
  - udp: {destinationPort: {range: {start: 5000, end: 6000}}}
  - sctp: {destinationPort: {number: 9003}}
  - destinationNamedPort: metrics
- action: Deny
  from: [{namespaces: {}}]
egress:
- action: Pass
  to:
  - networks: [10.0.0.0/8, 192.168.1.7/24, "fd00::/8"]
  - nodes: {matchExpressions: [{key: node-role.kubernetes.io/control-plane, operator: Exists}]}
  - domainNames: ["*.example.com", kubernetes.io.]
  - pods: {namespaceSelector: {}, podSelector: {}}
"""


def test_a_cluster_network_policy_reads_every_field() -> None:
    policy = only(cnp(CNP_FULL, name="baseline-web"))
    assert policy == ClusterNetworkPolicy(
        "ClusterNetworkPolicy",
        "baseline-web",
        Tier.BASELINE,
        20,
        PodPeer(sel({"team": "a"}), sel({"app": "web"})),
        ingress=(
            ClusterRule(
                Action.ACCEPT,
                (PodPeer(ns("monitoring"), None), PodPeer(ALL, sel({"app": "prom"}))),
                (
                    ClusterPort(TCP, 9090),
                    ClusterPort(UDP, 5000, 6000),
                    ClusterPort(SCTP, 9003),
                    ClusterPort(None, "metrics"),
                ),
                "from-monitoring",
            ),
            ClusterRule(Action.DENY, (PodPeer(ALL, None),), None, None),
        ),
        egress=(
            ClusterRule(
                Action.PASS,
                (
                    IPBlockPeer(ip_network("10.0.0.0/8")),
                    IPBlockPeer(ip_network("192.168.1.0/24")),  # isCIDR accepts host bits: masked
                    IPBlockPeer(ip_network("fd00::/8")),
                    NodesPeer(
                        LabelSelector(Labels(), (Requirement("node-role.kubernetes.io/control-plane", "Exists"),))
                    ),
                    DomainNamesPeer(("*.example.com", "kubernetes.io.")),
                    PodPeer(ALL, ALL),
                ),
                None,
                None,
            ),
        ),
    )


def test_spans_point_at_the_object_rule_peer_and_port() -> None:
    policy = only(cnp(CNP_FULL))
    assert str(policy.span) == "p0.yaml:1:1"
    rule = policy.ingress[0]
    assert str(rule.span) == "p0.yaml:13:5"
    assert [str(p.span) for p in rule.peers] == ["p0.yaml:16:7", "p0.yaml:17:7"]
    assert rule.ports is not None
    assert [str(p.span) for p in rule.ports] == ["p0.yaml:19:7", "p0.yaml:20:7", "p0.yaml:21:7", "p0.yaml:22:7"]
    networks = policy.egress[0].peers[:3]  # each CIDR its own peer, located at the CIDR
    assert [str(p.span) for p in networks] == ["p0.yaml:28:18", "p0.yaml:28:30", "p0.yaml:28:46"]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        pytest.param("{namespaces: {}}", PodPeer(ALL, None), id="every-namespace"),
        pytest.param("{namespaces: {matchLabels: {team: a}}}", PodPeer(sel({"team": "a"}), None), id="namespaces"),
        # v1alpha2: an omitted namespaceSelector is the empty selector (every namespace)
        pytest.param("{pods: {podSelector: {matchLabels: {app: x}}}}", PodPeer(ALL, sel({"app": "x"})), id="pods"),
        pytest.param("{pods: {namespaceSelector: {}, podSelector: {}}}", PodPeer(ALL, ALL), id="pods-all"),
    ],
)
def test_cluster_network_policy_subjects(subject: str, expected: PodPeer) -> None:
    assert only(cnp(f"tier: Admin\npriority: 1\nsubject: {subject}\n")).subject == expected


def test_a_policy_without_rules_has_none_and_the_edges_of_the_ranges_are_valid() -> None:
    policy = only(cnp("tier: Admin\npriority: 0\nsubject: {namespaces: {}}\ningress: []\n"))
    assert (policy.tier, policy.priority, policy.ingress, policy.egress) == (Tier.ADMIN, 0, (), ())
    assert only(cnp("tier: Admin\npriority: 1000\nsubject: {namespaces: {}}\n")).priority == 1000
    text = cnp(
        CNP_HEAD + "ingress:\n- {action: Deny, from: [{namespaces: {}}], protocols: [{tcp: {destinationPort: "
        "{range: {start: 1, end: 65535}}}}]}\n"
    )
    rule = only(text).ingress[0]
    assert (rule.ports, rule.name) == ((ClusterPort(TCP, 1, 65535),), None)


# -- AdminNetworkPolicy and BaselineAdminNetworkPolicy (v1alpha1) ------------------------------------

ANP_FULL = """\
priority: 5
subject:
  pods:
    namespaceSelector: {matchLabels: {team: a}}
    podSelector: {}
ingress:
- name: allow-80
  action: Allow
  from:
  - pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: client}}}
  ports:
  - portNumber: {port: 80}
  - portNumber: {protocol: UDP, port: 53}
  - portRange: {start: 8000, end: 8080}
  - portRange: {protocol: SCTP, start: 9000, end: 9000}
  - namedPort: web
- {name: pass-rest, action: Pass, from: [{namespaces: {}}]}
egress:
- action: Deny
  to:
  - networks: [0.0.0.0/0]
  - nodes: {}
  - domainNames: ["*.kubernetes.io"]
"""


def test_an_admin_network_policy_is_the_admin_tier_and_allow_is_accept() -> None:
    policy = only(anp(ANP_FULL, name="admin"))
    assert policy == ClusterNetworkPolicy(
        "AdminNetworkPolicy",
        "admin",
        Tier.ADMIN,
        5,
        PodPeer(sel({"team": "a"}), ALL),
        ingress=(
            ClusterRule(
                Action.ACCEPT,
                (PodPeer(ALL, sel({"app": "client"})),),
                (
                    ClusterPort(TCP, 80),  # protocol defaults to TCP
                    ClusterPort(UDP, 53),
                    ClusterPort(TCP, 8000, 8080),
                    ClusterPort(SCTP, 9000, 9000),  # a range of one port is valid in v1alpha1
                    ClusterPort(None, "web"),
                ),
                "allow-80",
            ),
            ClusterRule(Action.PASS, (PodPeer(ALL, None),), None, "pass-rest"),
        ),
        egress=(
            ClusterRule(
                Action.DENY,
                (IPBlockPeer(ip_network("0.0.0.0/0")), NodesPeer(ALL), DomainNamesPeer(("*.kubernetes.io",))),
            ),
        ),
    )
    assert policy.ref == "AdminNetworkPolicy admin"


def test_a_baseline_admin_network_policy_sorts_after_every_cluster_network_policy_baseline() -> None:
    spec = "subject: {namespaces: {}}\ningress:\n- {action: Deny, from: [{namespaces: {}}]}\n"
    result = load(
        banp(spec),
        cnp(
            "tier: Baseline\npriority: 1000\nsubject: {namespaces: {}}\ningress: [{action: Accept, from: "
            "[{namespaces: {}}]}]\n",
            name="zzz",
        ),
        cnp("tier: Admin\npriority: 1\nsubject: {namespaces: {}}\n", name="admin"),
    )
    banp_policy = next(p for p in result.cluster.cluster_policies if p.kind == "BaselineAdminNetworkPolicy")
    assert (banp_policy.name, banp_policy.tier, banp_policy.priority) == ("default", Tier.BASELINE, 1001)
    assert banp_policy.ingress == (ClusterRule(Action.DENY, (PodPeer(ALL, None),)),)
    # the engine's evaluation order within the Baseline tier: the CNP at 1000 first, then the BANP
    from tests.unit.builders import pod

    index = PolicyIndex(result.cluster)
    order = index.tier_policies(pod("a/x", {}), Direction.INGRESS, Tier.BASELINE)
    assert [p.ref for p, _ in order] == ["ClusterNetworkPolicy zzz", "BaselineAdminNetworkPolicy default"]


def test_both_api_versions_load_together_and_are_not_unevaluated() -> None:
    result = load(anp(ANP_HEAD), banp(BANP_HEAD), cnp(CNP_HEAD, name="p"))
    assert [p.ref for p in result.cluster.cluster_policies] == [
        "AdminNetworkPolicy p",
        "BaselineAdminNetworkPolicy default",
        "ClusterNetworkPolicy p",
    ]
    assert result.cluster.unevaluated == ()
    assert result.warnings == ()


def test_items_of_a_typed_list_may_omit_kind_and_api_version() -> None:
    text = (
        f"apiVersion: {V1ALPHA1}\nkind: AdminNetworkPolicyList\nitems:\n"
        "- metadata: {name: a}\n  spec: {priority: 1, subject: {namespaces: {}}}\n"
        "- metadata: {name: b}\n  spec: {priority: 2, subject: {namespaces: {}}}\n"
        f"---\napiVersion: {V1ALPHA2}\nkind: ClusterNetworkPolicyList\nitems:\n"
        "- metadata: {name: c}\n  spec: {tier: Admin, priority: 3, subject: {namespaces: {}}}\n"
    )
    assert [(p.kind, p.name, p.priority) for p in load(text).cluster.cluster_policies] == [
        ("AdminNetworkPolicy", "a", 1),
        ("AdminNetworkPolicy", "b", 2),
        ("ClusterNetworkPolicy", "c", 3),
    ]


def test_an_object_defined_twice_is_an_error_but_kinds_do_not_collide() -> None:
    assert errors(anp(ANP_HEAD, name="x"), anp(ANP_HEAD, name="x")) == [
        "p1.yaml:1:1: metadata.name: Duplicate value: AdminNetworkPolicy 'x' is defined twice (first at p0.yaml:1:1)"
    ]
    assert len(load(anp(ANP_HEAD, name="x"), cnp(CNP_HEAD, name="x")).cluster.cluster_policies) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            obj(V1ALPHA2, "AdminNetworkPolicy", ANP_HEAD, "p"),
            'p0.yaml:1:13: apiVersion: Unsupported value: "policy.networking.k8s.io/v1alpha2": supported values: '
            '"policy.networking.k8s.io/v1alpha1"',
            id="anp-v1alpha2",
        ),
        pytest.param(
            obj("policy.networking.k8s.io/v1beta1", "ClusterNetworkPolicy", CNP_HEAD, "p"),
            'p0.yaml:1:13: apiVersion: Unsupported value: "policy.networking.k8s.io/v1beta1": supported values: '
            '"policy.networking.k8s.io/v1alpha2"',
            id="cnp-v1beta1",
        ),
    ],
)
def test_another_api_version_is_reported(text: str, expected: str) -> None:
    assert errors(text) == [expected]


def test_metadata_namespace_is_ignored_on_a_cluster_scoped_kind() -> None:
    text = anp(ANP_HEAD).replace("  name: p\n", "  name: p\n  namespace: shop\n")
    result = load(text)
    assert [p.ref for p in result.cluster.cluster_policies] == ["AdminNetworkPolicy p"]
    assert result.cluster.namespaces == ()


# -- validation: spec, priority, tier, subject --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            cnp("").replace("spec:\n", ""),
            ["p0.yaml:1:1: spec: Required value"],
            id="no-spec",
        ),
        pytest.param(
            cnp("subject: {namespaces: {}}\n"),
            ["p0.yaml:6:3: spec.priority: Required value", "p0.yaml:6:3: spec.tier: Required value"],
            id="cnp-tier-and-priority-missing",
        ),
        pytest.param(
            anp("subject: {namespaces: {}}\n"),
            ["p0.yaml:6:3: spec.priority: Required value"],
            id="anp-priority-missing",
        ),
        pytest.param(
            cnp("tier: admin\npriority: 1\nsubject: {namespaces: {}}\n"),
            [
                'p0.yaml:6:9: spec.tier: Unsupported value: "admin": supported values: "Admin", "Baseline"\n'
                "  hint: values are case-sensitive: write Admin"
            ],
            id="tier-case",
        ),
        pytest.param(
            anp("priority: 1001\nsubject: {namespaces: {}}\n"),
            [
                "p0.yaml:6:13: spec.priority: Invalid value: 1001: spec.priority in body should be less than or equal "
                "to 1000"
            ],
            id="priority-too-high",
        ),
        pytest.param(
            cnp("tier: Admin\npriority: -1\nsubject: {namespaces: {}}\n"),
            [
                "p0.yaml:7:13: spec.priority: Invalid value: -1: spec.priority in body should be greater than or "
                "equal to 0"
            ],
            id="priority-negative",
        ),
        pytest.param(
            anp("priority: '5'\nsubject: {namespaces: {}}\n"),
            ["p0.yaml:6:13: spec.priority: Invalid type: expected integer, got string '5'"],
            id="priority-string",
        ),
        pytest.param(
            anp("priority: 1\n"),
            ["p0.yaml:6:3: spec.subject: Required value"],
            id="subject-missing",
        ),
        pytest.param(
            anp("priority: 1\nsubject: {}\n"),
            ["p0.yaml:7:12: spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties"],
            id="subject-empty",
        ),
        pytest.param(
            cnp("tier: Admin\npriority: 1\nsubject: {namespaces: {}, pods: {podSelector: {}}}\n"),
            ["p0.yaml:8:12: spec.subject: Too many: 2: must have at most 1 item"],
            id="subject-both",
        ),
        pytest.param(
            anp("priority: 1\nsubject: {pods: {podSelector: {}}}\n"),
            ["p0.yaml:7:19: spec.subject.pods.namespaceSelector: Required value"],
            id="anp-subject-pods-without-namespace-selector",
        ),
        pytest.param(
            banp("subject: {pods: {namespaceSelector: {}}}\n"),
            ["p0.yaml:6:19: spec.subject.pods.podSelector: Required value"],
            id="banp-subject-pods-without-pod-selector",
        ),
        pytest.param(
            cnp("tier: Admin\npriority: 1\nsubject: {pods: {namespaceSelector: {}}}\n"),
            ["p0.yaml:8:19: spec.subject.pods.podSelector: Required value"],
            id="cnp-subject-pods-without-pod-selector",
        ),
        pytest.param(
            banp("priority: 3\nsubject: {namespaces: {}}\n"),
            ['p0.yaml:6:3: spec.priority: strict decoding error: unknown field "spec.priority"'],
            id="banp-has-no-priority",
        ),
        pytest.param(
            banp(BANP_HEAD, name="mine"),
            [
                f"p0.yaml:4:9: metadata.name: {BANP_NAME}\n"
                '  hint: name it "default": a cluster has one BaselineAdminNetworkPolicy'
            ],
            id="banp-not-default",
        ),
        pytest.param(
            anp(ANP_HEAD, name="Bad_Name"),
            [
                'p0.yaml:4:9: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist '
                "of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                "character (e.g. 'example.com', regex used for validation is "
                "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
            ],
            id="name-not-a-subdomain",
        ),
        pytest.param(
            anp("priority: 1\nsubject: {namespaces: {matchExpressions: [{key: a, operator: in, values: [x]}]}}\n"),
            [
                'p0.yaml:7:64: spec.subject.namespaces.matchExpressions[0].operator: Invalid value: "in": not a '
                "valid selector operator\n  hint: operators are case-sensitive: write In"
            ],
            id="selector-operator",
        ),
    ],
)
def test_spec_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


# -- validation: rules --------------------------------------------------------------------------------


def rules(count: int, direction: str = "ingress") -> str:
    peers = "from" if direction == "ingress" else "to"
    return f"{direction}:\n" + f"- {{action: Deny, {peers}: [{{namespaces: {{}}}}]}}\n" * count


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            cnp(CNP_HEAD + rules(26)),
            ["p0.yaml:10:3: spec.ingress: Too many: 26: must have at most 25 items"],
            id="cnp-26-rules",
        ),
        pytest.param(
            anp(ANP_HEAD + rules(101, "egress")),
            ["p0.yaml:9:3: spec.egress: Too many: 101: must have at most 100 items"],
            id="anp-101-rules",
        ),
        pytest.param(
            cnp(CNP_HEAD + "ingress:\n- from: [{namespaces: {}}]\n"),
            ["p0.yaml:10:5: spec.ingress[0].action: Required value"],
            id="action-missing",
        ),
        pytest.param(
            anp(ANP_HEAD + "ingress:\n- {action: Accept, from: [{namespaces: {}}]}\n"),
            [
                'p0.yaml:9:14: spec.ingress[0].action: Unsupported value: "Accept": supported values: "Allow", '
                '"Deny", "Pass"\n  hint: v1alpha1 calls it Allow (Accept is v1alpha2\'s ClusterNetworkPolicy)'
            ],
            id="anp-accept",
        ),
        pytest.param(
            cnp(CNP_HEAD + "ingress:\n- {action: Allow, from: [{namespaces: {}}]}\n"),
            [
                'p0.yaml:10:14: spec.ingress[0].action: Unsupported value: "Allow": supported values: "Accept", '
                '"Deny", "Pass"\n  hint: v1alpha2 calls it Accept (Allow is v1alpha1\'s AdminNetworkPolicy)'
            ],
            id="cnp-allow",
        ),
        pytest.param(
            banp(BANP_HEAD + "egress:\n- {action: Pass, to: [{namespaces: {}}]}\n"),
            [
                'p0.yaml:8:14: spec.egress[0].action: Unsupported value: "Pass": supported values: "Allow", "Deny"\n'
                "  hint: a BaselineAdminNetworkPolicy cannot pass: it is the last tier"
            ],
            id="banp-pass",
        ),
        pytest.param(
            anp(ANP_HEAD + f"ingress:\n- {{name: {'n' * 101}, action: Deny, from: [{{namespaces: {{}}}}]}}\n"),
            ["p0.yaml:9:12: spec.ingress[0].name: Too long: may not be more than 100 bytes"],
            id="name-too-long",
        ),
        pytest.param(
            anp(ANP_HEAD + "ingress:\n- {action: Deny}\n"),
            ["p0.yaml:9:5: spec.ingress[0].from: Required value"],
            id="from-missing",
        ),
        pytest.param(
            cnp(CNP_HEAD + "egress:\n- {action: Deny, to: []}\n"),
            [
                "p0.yaml:10:24: spec.egress[0].to: Invalid value: 0: spec.egress[0].to in body should have at least 1 "
                "items"
            ],
            id="to-empty",
        ),
        pytest.param(
            cnp(CNP_HEAD + "egress:\n- action: Deny\n  to:\n" + "  - namespaces: {}\n" * 26),
            ["p0.yaml:12:5: spec.egress[0].to: Too many: 26: must have at most 25 items"],
            id="cnp-26-peers",
        ),
        pytest.param(
            anp(ANP_HEAD + "ingress:\n- {action: Deny, from: [{}]}\n"),
            [
                "p0.yaml:9:27: spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should have "
                "at least 1 properties"
            ],
            id="peer-empty",
        ),
        pytest.param(
            anp(ANP_HEAD + "egress:\n- {action: Deny, to: [{namespaces: {}, networks: [10.0.0.0/8]}]}\n"),
            ["p0.yaml:9:25: spec.egress[0].to[0]: Too many: 2: must have at most 1 item"],
            id="peer-two-fields",
        ),
        pytest.param(
            anp(ANP_HEAD + "ingress:\n- {action: Deny, from: [{networks: [10.0.0.0/8]}]}\n"),
            [
                "p0.yaml:9:27: spec.ingress[0].from[0]: Invalid value: 0: spec.ingress[0].from[0] in body should "
                "have at least 1 properties",
                "p0.yaml:9:28: spec.ingress[0].from[0].networks: strict decoding error: unknown field "
                '"spec.ingress[0].from[0].networks"',
            ],
            id="ingress-networks",
        ),
        pytest.param(
            banp(BANP_HEAD + "egress:\n- {action: Allow, to: [{domainNames: [a.io]}]}\n"),
            [
                "p0.yaml:8:26: spec.egress[0].to[0]: Invalid value: 0: spec.egress[0].to[0] in body should have at "
                "least 1 properties",
                "p0.yaml:8:27: spec.egress[0].to[0].domainNames: strict decoding error: unknown field "
                '"spec.egress[0].to[0].domainNames"',
            ],
            id="banp-domain-names",
        ),
        pytest.param(
            anp(ANP_HEAD + "egress:\n- {action: Deny, to: [{pods: {namespaceSelector: {}}}]}\n"),
            ["p0.yaml:9:32: spec.egress[0].to[0].pods.podSelector: Required value"],
            id="anp-peer-pods-without-pod-selector",
        ),
        pytest.param(
            anp(ANP_HEAD + "egress:\n- {action: Deny, to: [{pods: {podSelector: {}}}]}\n"),
            ["p0.yaml:9:32: spec.egress[0].to[0].pods.namespaceSelector: Required value"],
            id="anp-peer-pods-without-namespace-selector",
        ),
    ],
)
def test_rule_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_a_peer_without_a_namespace_selector_is_every_namespace_in_v1alpha2() -> None:
    text = cnp(CNP_HEAD + "egress:\n- {action: Deny, to: [{pods: {podSelector: {matchLabels: {app: db}}}}]}\n")
    assert only(text).egress[0].peers == (PodPeer(ALL, sel({"app": "db"})),)


# -- validation: networks and domainNames --------------------------------------------------------------


def networks(*cidrs: str, api: str = "cnp") -> str:
    listed = ", ".join(f'"{c}"' for c in cidrs)
    rule = f"egress:\n- action: Deny\n  to:\n  - networks: [{listed}]\n"
    return cnp(CNP_HEAD + rule) if api == "cnp" else anp(ANP_HEAD + rule)


CIDR_ERROR = 'Invalid value: "string": Invalid CIDR format provided'


@pytest.mark.parametrize(
    ("cidr", "hint"),
    [
        ("10.0.0.0", "a CIDR has a prefix length: write 10.0.0.0/8, or 10.0.0.1/32 for one address"),
        ("10.0.0.0/08", "the prefix length is a decimal number without leading zeros"),
        ("10.0.0.0/+8", "the prefix length is a decimal number without leading zeros"),
        ("10.0.0.0/33", "the prefix length of an IPv4 CIDR is at most 32"),
        ("fd00::/129", "the prefix length of an IPv6 CIDR is at most 128"),
        ("010.0.0.0/8", "'010.0.0.0' is not an IP address (IPv4 octets have no leading zeros)"),
        ("fe80::1%eth0/64", "an IPv6 zone (%...) is not allowed"),
        ("::ffff:10.0.0.0/104", "an IPv4-mapped IPv6 address is not allowed: write the IPv4 CIDR"),
        ("example.com/8", "'example.com' is not an IP address (IPv4 octets have no leading zeros)"),
    ],
)
def test_networks_must_be_cidrs_as_cel_is_cidr_reads_them(cidr: str, hint: str) -> None:
    assert errors(networks(cidr)) == [f"p0.yaml:12:18: spec.egress[0].to[0].networks[0]: {CIDR_ERROR}\n  hint: {hint}"]


def test_networks_accept_what_is_cidr_accepts() -> None:
    policy = only(networks("10.1.2.3/8", "0.0.0.0/0", "::/0", "2001:db8::1/128", "::1.2.3.4/128"))
    assert [p.cidr for p in policy.egress[0].peers if isinstance(p, IPBlockPeer)] == [
        ip_network("10.0.0.0/8"),
        ip_network("0.0.0.0/0"),
        ip_network("::/0"),
        ip_network("2001:db8::1/128"),
        ip_network("::102:304/128"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            networks("10.0.0.0/8", "10.0.0.0/8"),
            ['p0.yaml:12:32: spec.egress[0].to[0].networks[1]: Duplicate value: "10.0.0.0/8"'],
            id="duplicate",
        ),
        pytest.param(
            networks(*(f"10.0.{i}.0/24" for i in range(26))),
            ["p0.yaml:12:17: spec.egress[0].to[0].networks: Too many: 26: must have at most 25 items"],
            id="26-cidrs",
        ),
        pytest.param(
            cnp(CNP_HEAD + "egress:\n- {action: Deny, to: [{networks: []}]}\n"),
            [
                "p0.yaml:10:36: spec.egress[0].to[0].networks: Invalid value: 0: spec.egress[0].to[0].networks in "
                "body should have at least 1 items"
            ],
            id="empty",
        ),
        pytest.param(
            networks("1111:2222:3333:4444:5555:6666:7777:8888/0128"),  # 44 characters
            ["p0.yaml:12:18: spec.egress[0].to[0].networks[0]: Too long: may not be more than 43 bytes"],
            id="too-long",
        ),
        pytest.param(
            networks("10.0.0.0/8", api="anp"),
            [],
            id="anp-valid",
        ),
    ],
)
def test_networks_errors(text: str, expected: list[str]) -> None:
    if expected:
        assert errors(text) == expected
    else:
        assert only(text).egress[0].peers == (IPBlockPeer(ip_network("10.0.0.0/8")),)


@pytest.mark.parametrize(
    ("text", "line", "pattern"),
    [
        (cnp(CNP_HEAD + DOMAIN_RULE), 10, DOMAIN_V1ALPHA2),
        (anp(ANP_HEAD + DOMAIN_RULE), 9, DOMAIN_V1ALPHA1),
    ],
    ids=["v1alpha2", "v1alpha1"],
)
def test_domain_names_match_the_pattern_of_their_version(text: str, line: int, pattern: str) -> None:
    field = "spec.egress[0].to[0].domainNames"
    assert errors(text) == [
        f"p0.yaml:{line}:57: {field}[1]: Invalid value: \"a..b\": {field}[1] in body should match '{pattern}'",
        f"p0.yaml:{line}:65: {field}[2]: Invalid value: \"-a.io\": {field}[2] in body should match '{pattern}'",
        f'p0.yaml:{line}:80: {field}[4]: Duplicate value: "a.io"',
    ]


def test_a_domain_name_ending_in_a_newline_does_not_match() -> None:
    """The pattern's ``$`` is Go's: the end of the text, not before a final newline."""
    assert len(errors(cnp(CNP_HEAD + 'egress:\n- {action: Accept, to: [{domainNames: ["a.io\\n"]}]}\n'))) == 1


def test_the_v1alpha1_domain_pattern_keeps_its_upstream_typo() -> None:
    """``A-z`` also admits ``[\\]^_`` and the backquote as a label's first or last character."""
    rule = 'egress:\n- {action: Deny, to: [{domainNames: ["^a.io"]}]}\n'
    assert only(anp(ANP_HEAD + rule)).egress[0].peers == (DomainNamesPeer(("^a.io",)),)
    assert len(errors(cnp(CNP_HEAD + rule))) == 1


# -- validation: ports (v1alpha1) and protocols (v1alpha2) ------------------------------------------------


def anp_ports(ports: str) -> str:
    return anp(ANP_HEAD + "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  ports:\n" + ports)


def cnp_protocols(protocols: str) -> str:
    return cnp(CNP_HEAD + "ingress:\n- action: Deny\n  from: [{namespaces: {}}]\n  protocols:\n" + protocols)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            anp(ANP_HEAD + "ingress:\n- {action: Deny, from: [{namespaces: {}}], ports: []}\n"),
            [
                "p0.yaml:9:53: spec.ingress[0].ports: Invalid value: 0: spec.ingress[0].ports in body should have at "
                "least 1 items"
            ],
            id="ports-empty",
        ),
        pytest.param(
            anp_ports("  - portNumber: {port: 80}\n" * 101),
            ["p0.yaml:12:5: spec.ingress[0].ports: Too many: 101: must have at most 100 items"],
            id="101-ports",
        ),
        pytest.param(
            anp_ports("  - {}\n"),
            [
                "p0.yaml:12:7: spec.ingress[0].ports[0]: Invalid value: 0: spec.ingress[0].ports[0] in body should "
                "have at least 1 properties"
            ],
            id="port-empty",
        ),
        pytest.param(
            anp_ports("  - {namedPort: web, portNumber: {port: 80}}\n"),
            ["p0.yaml:12:7: spec.ingress[0].ports[0]: Too many: 2: must have at most 1 item"],
            id="port-two-fields",
        ),
        pytest.param(
            anp_ports("  - portNumber: {protocol: UDP}\n"),
            ["p0.yaml:12:19: spec.ingress[0].ports[0].portNumber.port: Required value"],
            id="port-missing",
        ),
        pytest.param(
            anp_ports("  - portNumber: {port: 0}\n  - portNumber: {port: 65536}\n"),
            [
                "p0.yaml:12:26: spec.ingress[0].ports[0].portNumber.port: Invalid value: 0: "
                "spec.ingress[0].ports[0].portNumber.port in body should be greater than or equal to 1",
                "p0.yaml:13:26: spec.ingress[0].ports[1].portNumber.port: Invalid value: 65536: "
                "spec.ingress[0].ports[1].portNumber.port in body should be less than or equal to 65535",
            ],
            id="port-range",
        ),
        pytest.param(
            anp_ports("  - portRange: {end: 90}\n"),
            ["p0.yaml:12:18: spec.ingress[0].ports[0].portRange.start: Required value"],
            id="range-start-missing",
        ),
        pytest.param(
            anp_ports("  - portNumber: {port: 80, endPort: 90}\n"),
            [
                "p0.yaml:12:30: spec.ingress[0].ports[0].portNumber.endPort: strict decoding error: unknown field "
                '"spec.ingress[0].ports[0].portNumber.endPort"'
            ],
            id="port-unknown-field",
        ),
        pytest.param(
            cnp(CNP_HEAD + "ingress:\n- {action: Deny, from: [{namespaces: {}}], ports: [{portNumber: {port: 80}}]}\n"),
            ['p0.yaml:10:46: spec.ingress[0].ports: strict decoding error: unknown field "spec.ingress[0].ports"'],
            id="cnp-has-protocols-not-ports",
        ),
        pytest.param(
            cnp_protocols("  - tcp: {}\n"),
            [
                "p0.yaml:13:12: spec.ingress[0].protocols[0].tcp: Invalid value: 0: spec.ingress[0].protocols[0].tcp "
                "in body should have at least 1 properties"
            ],
            id="tcp-empty",
        ),
        pytest.param(
            cnp_protocols("  - udp: {destinationPort: {}}\n"),
            [
                "p0.yaml:13:30: spec.ingress[0].protocols[0].udp.destinationPort: Invalid value: 0: "
                "spec.ingress[0].protocols[0].udp.destinationPort in body should have at least 1 properties"
            ],
            id="destination-port-empty",
        ),
        pytest.param(
            cnp_protocols("  - sctp: {destinationPort: {number: 1, range: {start: 1, end: 2}}}\n"),
            ["p0.yaml:13:31: spec.ingress[0].protocols[0].sctp.destinationPort: Too many: 2: must have at most 1 item"],
            id="number-and-range",
        ),
        pytest.param(
            cnp_protocols("  - tcp: {destinationPort: {range: {start: 80, end: 80}}}\n"),
            [
                'p0.yaml:13:38: spec.ingress[0].protocols[0].tcp.destinationPort.range: Invalid value: "object": '
                "Start port must be less than End port\n  hint: start 80, end 80"
            ],
            id="range-not-increasing",
        ),
        pytest.param(
            cnp_protocols("  - tcp: {destinationPort: {range: {start: 0, end: 70000}}}\n"),
            [
                "p0.yaml:13:46: spec.ingress[0].protocols[0].tcp.destinationPort.range.start: Invalid value: 0: "
                "spec.ingress[0].protocols[0].tcp.destinationPort.range.start in body should be greater than or "
                "equal to 1",
                "p0.yaml:13:54: spec.ingress[0].protocols[0].tcp.destinationPort.range.end: Invalid value: 70000: "
                "spec.ingress[0].protocols[0].tcp.destinationPort.range.end in body should be less than or equal "
                "to 65535",
            ],
            id="range-bounds",
        ),
        pytest.param(
            cnp_protocols("  - {tcp: {destinationPort: {number: 80}}, destinationNamedPort: web}\n"),
            ["p0.yaml:13:7: spec.ingress[0].protocols[0]: Too many: 2: must have at most 1 item"],
            id="protocol-two-fields",
        ),
        pytest.param(
            cnp_protocols("  - icmp: {}\n"),
            [
                "p0.yaml:13:7: spec.ingress[0].protocols[0].icmp: strict decoding error: unknown field "
                '"spec.ingress[0].protocols[0].icmp"',
                "p0.yaml:13:7: spec.ingress[0].protocols[0]: Invalid value: 0: spec.ingress[0].protocols[0] in body "
                "should have at least 1 properties",
            ],
            id="protocol-unknown",
        ),
    ],
)
def test_port_errors(text: str, expected: list[str]) -> None:
    assert errors(text) == expected


def test_the_api_server_accepts_v1alpha1_ports_that_match_nothing_netsim_warns() -> None:
    """v1alpha1 has no enum on ``protocol`` and does not order a portRange: such an entry is read
    as matching nothing, with a warning."""
    result = load(
        anp_ports(
            "  - portNumber: {protocol: tcp, port: 80}\n  - portRange: {start: 90, end: 80}\n"
            "  - portNumber: {protocol: UDP, port: 53}\n"
        )
    )
    assert [str(w) for w in result.warnings] == [
        'p0.yaml:12:30: spec.ingress[0].ports[0].portNumber.protocol: "tcp" is not "TCP", "UDP" or "SCTP": the API '
        "server accepts it (the CRD has no enum), but it matches no traffic (protocols are case-sensitive); read "
        "as matching nothing",
        "p0.yaml:13:18: spec.ingress[0].ports[1].portRange: start 90 is above end 80: the API server accepts this "
        "portRange (v1alpha1 does not check it), but it matches no port; read as matching nothing",
    ]
    (policy,) = result.cluster.cluster_policies
    assert policy.ingress[0].ports == (ClusterPort(UDP, 53),)
    only_bad = load(anp_ports("  - portNumber: {protocol: ICMP, port: 1}\n")).cluster.cluster_policies[0]
    assert only_bad.ingress[0].ports == ()  # a rule that matches no traffic, not every port


# -- the experimental CEL rule: no named port with an address peer ------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            cnp(
                CNP_HEAD + "egress:\n- action: Accept\n  to: [{networks: [10.0.0.0/8]}, {namespaces: {}}]\n"
                "  protocols: [{destinationNamedPort: web}]\n"
            ),
            f"p0.yaml:10:5: spec.egress[0]: {CNP_NAMED_PORT}",
            id="cnp-networks",
        ),
        pytest.param(
            anp(ANP_HEAD + "egress:\n- action: Allow\n  to: [{nodes: {}}]\n  ports: [{namedPort: web}]\n"),
            f"p0.yaml:9:5: spec.egress[0]: {CNP_NAMED_PORT}",
            id="anp-nodes",
        ),
        pytest.param(
            anp(ANP_HEAD + "egress:\n- action: Allow\n  to: [{domainNames: [a.io]}]\n  ports: [{namedPort: web}]\n"),
            f"p0.yaml:9:5: spec.egress[0]: {CNP_NAMED_PORT}",
            id="anp-domain-names",
        ),
        pytest.param(
            banp(BANP_HEAD + "egress:\n- action: Allow\n  to: [{networks: ['::/0']}]\n  ports: [{namedPort: web}]\n"),
            f"p0.yaml:8:5: spec.egress[0]: {BANP_NAMED_PORT}",
            id="banp-networks",
        ),
    ],
)
def test_a_named_port_cannot_go_with_a_networks_nodes_or_domain_names_peer(text: str, expected: str) -> None:
    assert errors(text) == [expected]


def test_named_ports_go_with_pod_peers_and_in_ingress_rules() -> None:
    egress = "egress:\n- action: Accept\n  to: [{namespaces: {}}]\n  protocols: [{destinationNamedPort: web}]\n"
    assert only(cnp(CNP_HEAD + egress)).egress[0].ports == (ClusterPort(None, "web"),)
    egress_networks = (
        "egress:\n- action: Accept\n  to: [{networks: [10.0.0.0/8]}]\n  protocols: [{tcp: "
        "{destinationPort: {number: 80}}}]\n"
    )
    assert only(cnp(CNP_HEAD + egress_networks)).egress[0].ports == (ClusterPort(TCP, 80),)


# -- the peer forms of network-policy-api v0.1.0-v0.1.2 -------------------------------------------------

OLD_NAMESPACE_SELECTOR = (
    'unknown field "namespaceSelector": namespaces: {namespaceSelector: ...} belongs to network-policy-api '
    "v0.1.0-v0.1.2; in the current schema (v0.1.3 and later) namespaces is the namespace selector itself: "
    "write namespaces: {matchLabels: ...}"
)
OLD_SAME_LABELS = (
    'unknown field "{0}": namespaces: {{{0}: ...}} belongs to network-policy-api v0.1.0-v0.1.2; in the current '
    "schema (v0.1.3 and later) it has no equivalent: select the namespaces by their labels "
    "(namespaces: {{matchLabels: ...}})"
)
OLD_PODS = (
    'unknown field "namespaces": pods: {namespaces: {namespaceSelector: ...}, podSelector: ...} belongs to '
    "network-policy-api v0.1.0-v0.1.2; in the current schema (v0.1.3 and later) write pods: "
    "{namespaceSelector: {matchLabels: ...}, podSelector: {...}}"
)


@pytest.mark.parametrize("lax", [False, True], ids=["strict", "lax"])
def test_the_old_peer_shapes_are_rejected_with_how_to_write_them(lax: bool) -> None:
    """In lax mode too: dropped as unknown fields they would leave ``{}``, every namespace."""
    spec = ANP_HEAD + (
        "ingress:\n"
        "- action: Deny\n"
        "  from:\n"
        "  - namespaces: {namespaceSelector: {matchLabels: {team: a}}}\n"
        "  - namespaces: {sameLabels: [tenant]}\n"
        "  - namespaces: {notSameLabels: [tenant]}\n"
        "  - pods: {namespaces: {namespaceSelector: {}}, podSelector: {}}\n"
    )
    assert errors(anp(spec), lax=lax) == [
        f"p0.yaml:11:20: spec.ingress[0].from[0].namespaces.namespaceSelector: {OLD_NAMESPACE_SELECTOR}",
        f"p0.yaml:12:20: spec.ingress[0].from[1].namespaces.sameLabels: {OLD_SAME_LABELS.format('sameLabels')}",
        f"p0.yaml:13:20: spec.ingress[0].from[2].namespaces.notSameLabels: {OLD_SAME_LABELS.format('notSameLabels')}",
        f"p0.yaml:14:14: spec.ingress[0].from[3].pods.namespaces: {OLD_PODS}",
    ]


# -- strict and lax decoding ------------------------------------------------------------------------------

UNKNOWN = cnp(
    CNP_HEAD + "color: blue\ningress:\n- action: Deny\n  from: [{namespaces: {}}]\n  ports: [{port: 80}]\n"
).replace("kind: ClusterNetworkPolicy\n", "kind: ClusterNetworkPolicy\nextra: 1\n")


def test_unknown_fields_are_errors_in_strict_mode() -> None:
    assert errors(UNKNOWN) == [
        'p0.yaml:3:1: extra: strict decoding error: unknown field "extra"',
        'p0.yaml:10:3: spec.color: strict decoding error: unknown field "spec.color"',
        'p0.yaml:14:5: spec.ingress[0].ports: strict decoding error: unknown field "spec.ingress[0].ports"',
    ]


def test_unknown_fields_are_dropped_with_a_warning_in_lax_mode() -> None:
    result = load(UNKNOWN, lax=True)
    assert [str(w) for w in result.warnings] == [
        'p0.yaml:3:1: extra: unknown field "extra" dropped (--lax)',
        'p0.yaml:10:3: spec.color: unknown field "spec.color" dropped (--lax)',
        'p0.yaml:14:5: spec.ingress[0].ports: unknown field "spec.ingress[0].ports" dropped (--lax)',
    ]
    (policy,) = result.cluster.cluster_policies
    assert policy.ingress == (ClusterRule(Action.DENY, (PodPeer(ALL, None),), None),)  # every port


def test_duplicate_keys_are_errors_in_strict_mode_and_the_last_wins_in_lax_mode() -> None:
    text = anp("priority: 1\npriority: 2\nsubject: {namespaces: {}}\n")
    assert errors(text) == [
        'p0.yaml:7:3: spec.priority: strict decoding error: key "priority" already set in map (first set at line 6)'
    ]
    result = load(text, lax=True)
    assert [str(w) for w in result.warnings] == [
        'p0.yaml:7:3: spec.priority: key "priority" already set in map (first set at line 6); the last one is used '
        "(--lax)"
    ]
    assert result.cluster.cluster_policies[0].priority == 2


def test_every_error_of_a_run_is_reported_and_a_policy_with_errors_is_not_recorded() -> None:
    bad = anp("priority: 2000\nsubject: {}\ningress:\n- {action: allow, from: []}\n")
    assert errors(bad, cnp(CNP_HEAD + "egress: [{action: Deny, to: [{networks: [nope]}]}]\n")) == [
        "p0.yaml:6:13: spec.priority: Invalid value: 2000: spec.priority in body should be less than or equal to 1000",
        "p0.yaml:7:12: spec.subject: Invalid value: 0: spec.subject in body should have at least 1 properties",
        'p0.yaml:9:14: spec.ingress[0].action: Unsupported value: "allow": supported values: "Allow", "Deny", "Pass"'
        "\n  hint: values are case-sensitive: write Allow",
        "p0.yaml:9:27: spec.ingress[0].from: Invalid value: 0: spec.ingress[0].from in body should have at least 1 "
        "items",
        f"p1.yaml:9:44: spec.egress[0].to[0].networks[0]: {CIDR_ERROR}\n"
        "  hint: a CIDR has a prefix length: write 10.0.0.0/8, or 10.0.0.1/32 for one address",
    ]


# -- Nodes ------------------------------------------------------------------------------------------------

NODE = """\
apiVersion: v1
kind: Node
metadata:
  name: worker-1
  labels: {kubernetes.io/os: linux, node-role.kubernetes.io/worker: ""}
  annotations: {x: y}
spec: {podCIDR: 10.244.1.0/24}
status:
  addresses:
  - {type: Hostname, address: worker-1}
  - {type: InternalIP, address: 10.0.0.11}
  - {type: InternalIP, address: "fd00::11"}
  - {type: ExternalIP, address: 203.0.113.11}
  - {type: InternalDNS, address: worker-1.internal}
  - {type: InternalIP, address: 10.0.0.11}
  conditions: [{type: Ready, status: "True"}]
"""


def test_a_node_keeps_its_labels_and_internal_and_external_ip_addresses() -> None:
    result = load(NODE)
    assert result.cluster.nodes == (
        Node(
            "worker-1",
            Labels({"kubernetes.io/os": "linux", "node-role.kubernetes.io/worker": ""}),
            (ip_address("10.0.0.11"), ip_address("fd00::11"), ip_address("203.0.113.11")),
        ),
    )
    assert str(result.cluster.nodes[0].span) == "p0.yaml:1:1"
    assert result.warnings == ()
    assert result.cluster.pods == ()
    assert result.cluster.namespaces == ()


def test_nodes_of_a_node_list_without_status_or_kind() -> None:
    text = "apiVersion: v1\nkind: NodeList\nitems:\n- metadata: {name: b}\n- metadata: {name: a, labels: {x: y}}\n"
    assert load(text).cluster.nodes == (Node("a", Labels({"x": "y"})), Node("b"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            NODE.replace("address: 203.0.113.11", "address: 203.0.113.300"),
            'p0.yaml:13:33: status.addresses[3].address: Invalid value: "203.0.113.300": must be a valid IP '
            "address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
            id="bad-address",
        ),
        pytest.param(
            NODE + "---\n" + NODE,
            "p0.yaml:18:1: metadata.name: Duplicate value: Node 'worker-1' is defined twice (first at p0.yaml:1:1)",
            id="duplicate",
        ),
        pytest.param(
            NODE.replace("name: worker-1", "name: Worker_1"),
            'p0.yaml:4:9: metadata.name: Invalid value: "Worker_1": a lowercase RFC 1123 subdomain must consist of '
            "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
            "(e.g. 'example.com', regex used for validation is "
            "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            id="bad-name",
        ),
    ],
)
def test_node_errors(text: str, expected: str) -> None:
    assert errors(text) == [expected]


def test_a_node_of_another_api_group_is_not_read() -> None:
    assert load(NODE.replace("apiVersion: v1", "apiVersion: example.com/v1")).cluster.nodes == ()


# -- end to end: netsim check answers by the tiers -------------------------------------------------------

CLUSTER = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, ports: [{containerPort: 80, name: http}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: data, labels: {app: db}}
spec: {containers: [{name: c, ports: [{containerPort: 5432, name: pg}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: batch, namespace: jobs}
spec: {template: {metadata: {labels: {app: batch}}, spec: {containers: [{name: c}]}}}
---
apiVersion: policy.networking.k8s.io/v1alpha1
kind: AdminNetworkPolicy
metadata: {name: protect-data}
spec:
  priority: 10
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
  ingress:
  - name: allow-pg-from-shop
    action: Allow
    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: shop}}}]
    ports: [{namedPort: pg}]
  - name: deny-rest
    action: Deny
    from: [{namespaces: {}}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: data-not-to-web}
spec:
  tier: Baseline
  priority: 1
  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: data}}}
  egress:
  - {action: Deny, to: [{networks: [10.0.0.1/32]}]}
"""


@pytest.mark.parametrize(
    ("args", "code", "decisive"),
    [
        pytest.param(
            ["--from", "shop/web", "--to", "data/db", "--port", "5432"],
            0,
            "AdminNetworkPolicy protect-data (priority 10)",
            id="admin-allow",
        ),
        pytest.param(
            ["--from", "shop/web", "--to", "data/db", "--port", "5433"],
            1,
            "spec.ingress[1] 'deny-rest': denies 5433/TCP",
            id="admin-deny",
        ),
        pytest.param(
            ["--from", "data/db", "--to", "shop/web", "--port", "80"],
            1,
            "ClusterNetworkPolicy data-not-to-web",
            id="baseline-networks-match-pod-ips",
        ),
        pytest.param(
            ["--from", "data/db", "--to", "jobs/batch[Deployment]", "--port", "80"],
            3,
            "UNDETERMINED",
            id="a-pod-without-an-ip",
        ),
    ],
)
def test_check_answers_by_the_tiers(args: list[str], code: int, decisive: str, tmp_path: Path) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(CLUSTER)
    result = CliRunner().invoke(main, ["check", str(path), *args])
    assert result.exit_code == code, result.output
    assert decisive in result.stdout
    assert "not evaluated" not in result.stderr


def test_other_kinds_of_the_group_are_recognised_as_before() -> None:
    """A new ...NetworkPolicy kind of policy.networking.k8s.io is still a policy netsim does not
    evaluate (known by its name); a kind that is not a policy is skipped."""
    text = (
        f"apiVersion: {V1ALPHA2}\nkind: FutureNetworkPolicy\nmetadata: {{name: f}}\n---\n"
        f"apiVersion: {V1ALPHA1}\nkind: ExternalNetworkSet\nmetadata: {{name: e}}\n"
    )
    result = load(text)
    assert [(u.kind, u.namespace) for u in result.cluster.unevaluated] == [("FutureNetworkPolicy", "default")]
    assert result.cluster.cluster_policies == ()


def test_a_nodes_peer_matches_the_addresses_of_the_nodes_it_selects(tmp_path: Path) -> None:
    egress = (
        "egress:\n- {action: Deny, to: [{nodes: {matchLabels: {kubernetes.io/os: linux}}}], "
        "protocols: [{tcp: {destinationPort: {number: 10250}}}]}\n"
    )
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nstatus: {podIP: 10.244.0.5}\n"
    (tmp_path / "all.yaml").write_text("---\n".join([NODE, pod, cnp(CNP_HEAD + egress)]))
    runner = CliRunner()
    denied = runner.invoke(main, ["check", str(tmp_path), "--from", "shop/web", "--to", "10.0.0.11", "--port", "10250"])
    assert denied.exit_code == 1, denied.output
    other = runner.invoke(main, ["check", str(tmp_path), "--from", "shop/web", "--to", "10.0.0.12", "--port", "10250"])
    assert other.exit_code == 3, other.output  # possibly the address of a Node the input does not list
