"""netsim.loader: policy kinds of other APIs (Cilium, Calico, Antrea, OVN-Kubernetes, kinds known by
their name) are recognised, recorded as UnevaluatedPolicy and warned about. (The
policy.networking.k8s.io tiers are evaluated: tests/unit/test_loader_cluster_policies.py.)

What each selects is read exactly or not at all: ``selects=None`` (every pod in scope) whenever a
form is not understood, so a selection never comes out narrower than the real one.
"""

from __future__ import annotations

import textwrap

import pytest

from netsim.errors import InputErrors
from netsim.loader import LoadOptions, LoadResult, load_texts
from netsim.model import (
    NAMESPACE_NAME_LABEL,
    Direction,
    Labels,
    LabelSelector,
    PodPeer,
    Requirement,
    UnevaluatedPolicy,
)

INGRESS = frozenset({Direction.INGRESS})
EGRESS = frozenset({Direction.EGRESS})
BOTH = frozenset({Direction.INGRESS, Direction.EGRESS})
ALL = LabelSelector()
UNDETERMINED = "answers about the pods it may select are undetermined (--ignore-unevaluated answers without it)"

CILIUM = "cilium.io/v2"
CALICO = "projectcalico.org/v3"
CALICO_CRD = "crd.projectcalico.org/v1"
ANTREA = "crd.antrea.io/v1beta1"
OVN = "k8s.ovn.org/v1"


def obj(api: str, kind: str, spec: str = "", *, name: str = "p", namespace: str | None = None) -> str:
    """One object; ``spec`` (dedented) is its spec body, starting on line 5 (6 with a namespace)."""
    meta = f"metadata:\n  name: {name}\n" + (f"  namespace: {namespace}\n" if namespace is not None else "")
    body = "spec:\n" + textwrap.indent(textwrap.dedent(spec), "  ") if spec else ""
    return f"apiVersion: {api}\nkind: {kind}\n{meta}{body}"


def load(text: str, *, namespace: str = "default") -> LoadResult:
    return load_texts({"p.yaml": text}, LoadOptions(namespace=namespace))


def only(text: str) -> UnevaluatedPolicy:
    (policy,) = load(text).cluster.unevaluated
    return policy


def errors(text: str) -> list[str]:
    with pytest.raises(InputErrors) as info:
        load(text)
    return [str(e) for e in info.value.exceptions]


def sel(labels: dict[str, str] | None = None, *reqs: Requirement) -> LabelSelector:
    return LabelSelector(Labels(labels or {}), tuple(reqs))


# -- recognition, scope and the warning ---------------------------------------------------------


def test_a_cilium_policy_is_recorded_and_warned_about() -> None:
    text = obj(CILIUM, "CiliumNetworkPolicy", "endpointSelector: {matchLabels: {app: api}}\ningress: [{}]\n")
    result = load(text.replace("name: p", "name: lock-api\n  namespace: payments"))
    assert [str(w) for w in result.warnings] == [
        "p.yaml:1:1: CiliumNetworkPolicy payments/lock-api is not evaluated: netsim does not evaluate Cilium "
        f"policies; {UNDETERMINED}"
    ]
    assert result.cluster.unevaluated == (
        UnevaluatedPolicy(
            CILIUM,
            "CiliumNetworkPolicy",
            "payments",
            "lock-api",
            INGRESS,
            (PodPeer(None, sel({"app": "api"})),),
            "netsim does not evaluate Cilium policies",
        ),
    )
    assert result.cluster.unevaluated[0].span is not None
    assert result.cluster.policies == ()


@pytest.mark.parametrize(
    ("api", "kind", "namespace", "reason"),
    [
        (CILIUM, "CiliumNetworkPolicy", "shop", "netsim does not evaluate Cilium policies"),
        (CILIUM, "CiliumClusterwideNetworkPolicy", None, "netsim does not evaluate Cilium policies"),
        (CALICO, "NetworkPolicy", "shop", "netsim does not evaluate Calico policies"),
        (CALICO, "GlobalNetworkPolicy", None, "netsim does not evaluate Calico policies"),
        (CALICO_CRD, "NetworkPolicy", "shop", "netsim does not evaluate Calico policies"),
        (CALICO_CRD, "GlobalNetworkPolicy", None, "netsim does not evaluate Calico policies"),
        (ANTREA, "NetworkPolicy", "shop", "netsim does not evaluate Antrea-native policies"),
        ("crd.antrea.io/v1alpha1", "ClusterNetworkPolicy", None, "netsim does not evaluate Antrea-native policies"),
        (OVN, "EgressFirewall", "shop", "netsim does not evaluate OVN-Kubernetes EgressFirewalls"),
        # kinds known by their name only (reason None: "netsim does not evaluate <group> policies")
        ("network.openshift.io/v1", "EgressNetworkPolicy", "shop", None),
        ("example.com/v1", "NetworkPolicy", "shop", None),
        ("networking.gke.io/v1alpha3", "FQDNNetworkPolicy", "shop", None),
        ("firewall.example.org/v1", "GlobalFirewallPolicy", None, None),
        ("cilium.io/v3", "CiliumFutureNetworkPolicy", "shop", None),
    ],
)  # fmt: skip
def test_recognised_kinds_and_their_scope(api: str, kind: str, namespace: str | None, reason: str | None) -> None:
    """Namespaced kinds take the -n namespace when they have none; cluster-scoped kinds have none."""
    reason = reason or f"netsim does not evaluate {api.split('/')[0]} policies"  # a kind known by its name
    result = load(obj(api, kind), namespace="shop")
    (policy,) = result.cluster.unevaluated
    assert (policy.api_version, policy.kind, policy.namespace, policy.name, policy.reason) == (
        api,
        kind,
        namespace,
        "p",
        reason,
    )
    where = f"{namespace}/p" if namespace else "p"
    assert [str(w) for w in result.warnings] == [
        f"p.yaml:1:1: {kind} {where} is not evaluated: {reason}; {UNDETERMINED}"
    ]


def test_a_cluster_scoped_kind_ignores_metadata_namespace() -> None:
    assert only(obj(CILIUM, "CiliumClusterwideNetworkPolicy", namespace="shop")).namespace is None


def test_a_kind_known_by_its_name_is_namespaced_when_it_has_a_namespace() -> None:
    text = obj("firewall.example.org/v1", "GlobalFirewallPolicy", namespace="shop")
    assert only(text).namespace == "shop"
    assert only(obj("firewall.example.org/v1", "FirewallPolicy")).namespace == "default"


@pytest.mark.parametrize(
    ("api", "kind"),
    [
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "IngressClass"),
        ("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy"),
        ("gateway.networking.k8s.io/v1alpha3", "BackendTLSPolicy"),
        ("gateway.networking.x-k8s.io/v1alpha1", "XBackendTrafficPolicy"),
        ("cilium.io/v2", "CiliumEgressGatewayPolicy"),
        ("cilium.io/v2alpha1", "CiliumL2AnnouncementPolicy"),
        ("cilium.io/v2", "CiliumLocalRedirectPolicy"),
        ("projectcalico.org/v3", "IPPool"),
        ("projectcalico.org/v3", "Tier"),
        ("networking.gke.io/v1", "GCPBackendPolicy"),
        ("k8s.ovn.org/v1", "EgressIP"),
        ("security.example.com/v1", "AccessPolicy"),
        ("apps/v1", "ControllerRevision"),
    ],
)
def test_kinds_that_are_not_network_policies_are_skipped_silently(api: str, kind: str) -> None:
    result = load(obj(api, kind))
    assert (result.cluster.unevaluated, result.cluster.policies, result.warnings) == ((), (), ())


def test_only_networking_k8s_io_v1_network_policies_are_evaluated() -> None:
    text = "\n---\n".join(
        [
            obj("networking.k8s.io/v1", "NetworkPolicy", "podSelector: {}\n", name="k8s"),
            obj(CALICO, "NetworkPolicy", "selector: all()\n", name="calico"),
            obj(ANTREA, "NetworkPolicy", "appliedTo: [{podSelector: {}}]\n", name="antrea"),
        ]
    )
    cluster = load(text).cluster
    assert [p.ref for p in cluster.policies] == ["default/k8s"]
    assert [u.ref for u in cluster.unevaluated] == ["NetworkPolicy default/antrea", "NetworkPolicy default/calico"]


@pytest.mark.parametrize(
    "api",
    ["extensions/v1beta1", "networking.k8s.io/v1beta1", "v1"],
)
def test_old_kubernetes_network_policy_versions_stay_errors(api: str) -> None:
    assert errors(obj(api, "NetworkPolicy")) == [
        f'p.yaml:1:13: apiVersion: Unsupported value: "{api}": supported values: "networking.k8s.io/v1"'
    ]


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        pytest.param(
            "StagedNetworkPolicy",
            "StagedNetworkPolicy default/p is ignored: Calico does not enforce staged policies (they only preview "
            "their effect)",
            id="staged",
        ),
        pytest.param(
            "StagedGlobalNetworkPolicy",
            "StagedGlobalNetworkPolicy p is ignored: Calico does not enforce staged policies (they only preview "
            "their effect)",
            id="staged-global",
        ),
        pytest.param(
            "StagedKubernetesNetworkPolicy",
            "StagedKubernetesNetworkPolicy default/p is ignored: Calico does not enforce staged policies (they only "
            "preview their effect)",
            id="staged-kubernetes",
        ),
    ],
)
def test_staged_calico_policies_are_ignored_with_a_warning(kind: str, message: str) -> None:
    result = load(obj(CALICO, kind, "selector: all()\ntypes: [Ingress]\n"))
    assert result.cluster.unevaluated == ()
    assert [str(w) for w in result.warnings] == [f"p.yaml:1:1: {message}"]


def test_multus_network_policies_are_ignored_with_a_warning() -> None:
    result = load(obj("k8s.cni.cncf.io/v1beta1", "MultiNetworkPolicy", "podSelector: {}\n"))
    assert result.cluster.unevaluated == ()
    assert [str(w) for w in result.warnings] == [
        "p.yaml:1:1: MultiNetworkPolicy default/p is ignored: it applies to secondary (Multus) networks, not the "
        "pod network netsim models"
    ]


def test_unevaluated_policies_are_sorted_and_their_namespaces_exist() -> None:
    text = "\n---\n".join(
        [
            obj(CILIUM, "CiliumNetworkPolicy", name="b", namespace="zeta"),
            obj(CALICO, "NetworkPolicy", name="a", namespace="zeta"),
            obj(CILIUM, "CiliumClusterwideNetworkPolicy", name="z"),
            obj(CALICO, "GlobalNetworkPolicy", name="a"),
            obj(OVN, "EgressFirewall", name="default", namespace="alpha"),
        ]
    )
    cluster = load(text).cluster
    assert [u.ref for u in cluster.unevaluated] == [
        "GlobalNetworkPolicy a",
        "CiliumClusterwideNetworkPolicy z",
        "EgressFirewall alpha/default",
        "NetworkPolicy zeta/a",
        "CiliumNetworkPolicy zeta/b",
    ]
    assert [(ns.name, ns.declared) for ns in cluster.namespaces] == [("alpha", False), ("zeta", False)]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            f"apiVersion: {CILIUM}\nkind: CiliumNetworkPolicyList\nitems:\n"
            "- metadata: {name: a, namespace: x}\n  spec: {endpointSelector: {}, ingress: [{}]}\n",
            id="typed-list-items-without-kind-or-api-version",
        ),
        pytest.param(
            f"apiVersion: v1\nkind: List\nitems:\n- apiVersion: {CILIUM}\n  kind: CiliumNetworkPolicy\n"
            "  metadata: {name: a, namespace: x}\n  spec: {endpointSelector: {}, ingress: [{}]}\n",
            id="list",
        ),
    ],
)
def test_lists_of_foreign_policies(text: str) -> None:
    assert [(u.ref, u.selects) for u in load(text).cluster.unevaluated] == [
        ("CiliumNetworkPolicy x/a", (PodPeer(None, ALL),))
    ]


def test_a_calico_network_policy_list_is_not_read_as_kubernetes_network_policies() -> None:
    text = (
        f"apiVersion: {CALICO}\nkind: NetworkPolicyList\nitems:\n- metadata: {{name: a}}\n  spec: {{selector: all()}}\n"
    )
    cluster = load(text).cluster
    assert (cluster.policies, [u.ref for u in cluster.unevaluated]) == ((), ["NetworkPolicy default/a"])


# -- errors: only what every object needs ------------------------------------------------------


def test_a_foreign_policy_needs_a_name() -> None:
    assert errors(f"apiVersion: {CILIUM}\nkind: CiliumNetworkPolicy\nmetadata: {{namespace: x}}\n") == [
        "p.yaml:3:11: metadata.name: Required value: name or generateName is required"
    ]


def test_a_foreign_policy_defined_twice_is_an_error() -> None:
    text = (
        obj(CILIUM, "CiliumNetworkPolicy", namespace="x") + "---\n" + obj(CILIUM, "CiliumNetworkPolicy", namespace="x")
    )
    assert errors(text) == [
        "p.yaml:7:1: metadata.name: Duplicate value: CiliumNetworkPolicy 'x/p' is defined twice (first at p.yaml:1:1)"
    ]


def test_the_same_name_in_two_apis_is_two_objects() -> None:
    text = obj(CALICO, "NetworkPolicy") + "---\n" + obj(ANTREA, "NetworkPolicy")
    assert len(load(text).cluster.unevaluated) == 2


def test_foreign_names_follow_their_own_rules() -> None:
    """Calico names may hold characters a Kubernetes object name may not: not netsim's to check."""
    assert only(obj(CALICO, "GlobalNetworkPolicy", name="Allow_DNS")).name == "Allow_DNS"


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("spec: 5\n", id="spec-not-a-mapping"),
        pytest.param("spec: {endpointSelector: [app]}\n", id="selector-a-list"),
        pytest.param("spec: {endpointSelector: {matchLabels: {app: 1}}}\n", id="label-value-not-a-string"),
        pytest.param("spec: {endpointSelector: {matchLabels: {app: a, app: b}}}\n", id="duplicate-key"),
        pytest.param("spec: {endpointSelector: {matchExpressions: [{key: a, operator: in, values: [x]}]}}\n", id="op"),
        pytest.param("spec: {endpointSelector: {matchExpressions: [{key: a, operator: In}]}}\n", id="in-no-values"),
        pytest.param(
            "spec: {endpointSelector: {matchExpressions: [{key: a, operator: Exists, values: [x]}]}}\n", id="v"
        ),
        pytest.param("spec: {endpointSelector: {matchLabels: {app: a}, extra: 1}}\n", id="unknown-selector-field"),
        pytest.param("specs: {endpointSelector: {}}\n", id="specs-not-a-list"),
        pytest.param("", id="no-spec"),
    ],
)
def test_a_malformed_foreign_policy_is_read_as_selecting_everything(spec: str) -> None:
    result = load(f"apiVersion: {CILIUM}\nkind: CiliumNetworkPolicy\nmetadata: {{name: p}}\n{spec}")
    (policy,) = result.cluster.unevaluated
    assert (policy.selects, policy.directions) == (None, BOTH)
    assert len(result.warnings) == 1


def test_merge_keys_are_read_in_foreign_policies() -> None:
    text = (
        f"apiVersion: {CILIUM}\nkind: CiliumNetworkPolicy\nmetadata: {{name: p}}\n"
        "x-base: &base {matchLabels: {app: api}}\nspec:\n  endpointSelector:\n    <<: *base\n  ingress: [{}]\n"
    )
    assert only(text).selects == (PodPeer(None, sel({"app": "api"})),)


# -- directions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("api", "kind", "spec", "directions"),
    [
        pytest.param(CILIUM, "CiliumNetworkPolicy", "ingress: [{}]\n", INGRESS, id="cilium-ingress"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "ingressDeny: [{}]\n", INGRESS, id="cilium-ingress-deny"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "egress: []\n", EGRESS, id="cilium-empty-egress-counts"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "egressDeny: [{}]\n", EGRESS, id="cilium-egress-deny"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "ingress: [{}]\negressDeny: [{}]\n", BOTH, id="cilium-both"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "endpointSelector: {}\n", BOTH, id="cilium-no-rules"),
        pytest.param(CILIUM, "CiliumNetworkPolicy", "ingress:\n", BOTH, id="cilium-null-rules"),
        pytest.param(CALICO, "NetworkPolicy", "types: [Egress]\ningress: [{}]\n", EGRESS, id="calico-types"),
        pytest.param(CALICO, "NetworkPolicy", "types: [Ingress, Egress]\n", BOTH, id="calico-types-both"),
        pytest.param(CALICO, "NetworkPolicy", "selector: all()\n", INGRESS, id="calico-default-no-rules"),
        pytest.param(CALICO, "NetworkPolicy", "ingress: [{}]\n", INGRESS, id="calico-default-ingress-rules"),
        pytest.param(CALICO, "GlobalNetworkPolicy", "egress: [{}]\n", EGRESS, id="calico-default-egress-rules-only"),
        pytest.param(CALICO, "NetworkPolicy", "egress: []\n", INGRESS, id="calico-default-empty-egress"),
        pytest.param(CALICO, "NetworkPolicy", "ingress: [{}]\negress: [{}]\n", BOTH, id="calico-default-both"),
        pytest.param(CALICO, "NetworkPolicy", "types: []\negress: [{}]\n", EGRESS, id="calico-empty-types-default"),
        pytest.param(CALICO, "NetworkPolicy", "types: [Forward]\n", BOTH, id="calico-unknown-type"),
        pytest.param(CALICO, "NetworkPolicy", "egress: {}\n", BOTH, id="calico-rules-not-a-list"),
        pytest.param(CALICO_CRD, "NetworkPolicy", "ingress: [{}]\n", BOTH, id="calico-crd-not-defaulted"),
        pytest.param(CALICO_CRD, "NetworkPolicy", "types: [Ingress]\n", INGRESS, id="calico-crd-types"),
        pytest.param(ANTREA, "NetworkPolicy", "ingress: [{}]\n", INGRESS, id="antrea-ingress"),
        pytest.param(ANTREA, "ClusterNetworkPolicy", "egress: [{}]\n", EGRESS, id="antrea-egress"),
        pytest.param(ANTREA, "NetworkPolicy", "priority: 5\n", BOTH, id="antrea-no-rules"),
        pytest.param(ANTREA, "ClusterNetworkPolicy", "ingress: [{}]\negress: [{}]\n", BOTH, id="antrea-both"),
        pytest.param(OVN, "EgressFirewall", "egress: [{type: Deny}]\n", EGRESS, id="egress-firewall"),
        pytest.param("network.openshift.io/v1", "EgressNetworkPolicy", "egress: []\n", EGRESS, id="name-egress"),
        pytest.param("example.com/v1", "NetworkPolicy", "egress: []\n", BOTH, id="name-unknown"),
    ],
)
def test_directions(api: str, kind: str, spec: str, directions: frozenset[Direction]) -> None:
    assert only(obj(api, kind, spec)).directions == directions


def test_cilium_specs_add_up() -> None:
    text = obj(CILIUM, "CiliumNetworkPolicy", "endpointSelector: {}\ningress: [{}]\n") + (
        "specs:\n- {endpointSelector: {matchLabels: {app: a}}, egress: [{}]}\n"
    )
    policy = only(text)
    assert policy.directions == BOTH
    assert policy.selects == (PodPeer(None, ALL), PodPeer(None, sel({"app": "a"})))


# -- what Cilium policies select -------------------------------------------------------------------

NS_NAME = NAMESPACE_NAME_LABEL


@pytest.mark.parametrize(
    ("kind", "selector", "selects"),
    [
        pytest.param("CiliumNetworkPolicy", "{}", (PodPeer(None, ALL),), id="cnp-all"),
        pytest.param(
            "CiliumNetworkPolicy",
            '{matchLabels: {"k8s:app": api, "any:tier": back, role: db}}',
            (PodPeer(None, sel({"app": "api", "tier": "back", "role": "db"})),),
            id="cnp-sources-stripped",
        ),
        pytest.param(
            "CiliumNetworkPolicy",
            '{matchLabels: {"k8s:app": a, app: b}}',
            (PodPeer(None, sel({"app": "b"}, Requirement("app", "In", ("a",)))),),
            id="cnp-one-key-twice",
        ),
        pytest.param(
            "CiliumNetworkPolicy",
            '{matchExpressions: [{key: "k8s:app", operator: In, values: [a, b]}, {key: tier, operator: Exists}]}',
            (PodPeer(None, sel({}, Requirement("app", "In", ("a", "b")), Requirement("tier", "Exists"))),),
            id="cnp-expressions",
        ),
        pytest.param("CiliumNetworkPolicy", '{matchLabels: {"reserved:host": ""}}', None, id="reserved-source"),
        pytest.param("CiliumNetworkPolicy", '{matchLabels: {"reserved.host": ""}}', None, id="reserved-prefix"),
        pytest.param("CiliumNetworkPolicy", '{matchLabels: {"cidr:10.0.0.0/8": ""}}', None, id="cidr-source"),
        pytest.param(
            "CiliumNetworkPolicy",
            '{matchLabels: {"k8s:io.cilium.k8s.policy.serviceaccount": api}}',
            None,
            id="service-account",
        ),
        pytest.param(
            "CiliumNetworkPolicy",
            '{matchLabels: {"k8s:io.kubernetes.pod.namespace": other}}',
            None,
            id="cnp-namespace-not-read",
        ),
        pytest.param(
            "CiliumNetworkPolicy",
            "{matchExpressions: [{key: env, operator: NotIn, values: [dev]}]}",
            None,
            id="not-in-not-read",
        ),
        pytest.param(
            "CiliumNetworkPolicy",
            "{matchExpressions: [{key: env, operator: DoesNotExist}]}",
            None,
            id="does-not-exist-not-read",
        ),
        pytest.param("CiliumClusterwideNetworkPolicy", "{}", (PodPeer(ALL, ALL),), id="ccnp-all"),
        pytest.param(
            "CiliumClusterwideNetworkPolicy",
            '{matchLabels: {"k8s:io.kubernetes.pod.namespace": kube-system, "k8s:k8s-app": kube-dns}}',
            (PodPeer(sel({NS_NAME: "kube-system"}), sel({"k8s-app": "kube-dns"})),),
            id="ccnp-namespace-name",
        ),
        pytest.param(
            "CiliumClusterwideNetworkPolicy",
            "{matchExpressions: [{key: io.kubernetes.pod.namespace, operator: NotIn, values: [kube-system]},"
            " {key: io.kubernetes.pod.namespace, operator: Exists}]}",
            (PodPeer(sel({}, Requirement(NS_NAME, "NotIn", ("kube-system",))), ALL),),
            id="ccnp-namespace-name-expressions",
        ),
        pytest.param(
            "CiliumClusterwideNetworkPolicy",
            "{matchExpressions: [{key: io.kubernetes.pod.namespace, operator: DoesNotExist}]}",
            None,
            id="ccnp-no-namespace",
        ),
        pytest.param(
            "CiliumClusterwideNetworkPolicy",
            '{matchLabels: {"k8s:io.cilium.k8s.namespace.labels.team": a},'
            ' matchExpressions: [{key: "io.cilium.k8s.namespace.labels.env", operator: In, values: [prod]}]}',
            (PodPeer(sel({"team": "a"}, Requirement("env", "In", ("prod",))), ALL),),
            id="ccnp-namespace-labels",
        ),
    ],
)
def test_cilium_endpoint_selectors(kind: str, selector: str, selects: tuple[PodPeer, ...] | None) -> None:
    assert only(obj(CILIUM, kind, f"endpointSelector: {selector}\ningress: [{{}}]\n")).selects == selects


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param("nodeSelector: {}\ningress: [{}]\n", id="node-selector"),
        pytest.param("ingress: [{}]\n", id="no-selector"),
        pytest.param("endpointSelector: {}\nnodeSelector: {}\n", id="both-selectors"),
    ],
)
def test_cilium_policies_without_an_endpoint_selector_select_everything(spec: str) -> None:
    assert only(obj(CILIUM, "CiliumClusterwideNetworkPolicy", spec)).selects is None


def test_one_unreadable_cilium_spec_makes_the_whole_selection_unreadable() -> None:
    text = obj(CILIUM, "CiliumNetworkPolicy", "endpointSelector: {}\n") + "specs:\n- {nodeSelector: {}}\n"
    assert only(text).selects is None


# -- what Calico policies select -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "pods"),
    [
        pytest.param(None, ALL, id="omitted"),
        pytest.param("''", ALL, id="empty"),
        pytest.param("all()", ALL, id="all"),
        pytest.param("app == 'web'", sel({"app": "web"}), id="equals"),
        pytest.param('app=="web"', sel({"app": "web"}), id="equals-double-quotes-no-spaces"),
        pytest.param("app != 'web'", sel({}, Requirement("app", "NotIn", ("web",))), id="not-equals"),
        pytest.param("has(app)", sel({}, Requirement("app", "Exists")), id="has"),
        pytest.param("'!has(app)'", sel({}, Requirement("app", "DoesNotExist")), id="not-has"),
        pytest.param("'! has( app )'", sel({}, Requirement("app", "DoesNotExist")), id="not-has-spaces"),
        pytest.param("tier in {'b', \"a\", 'b'}", sel({}, Requirement("tier", "In", ("a", "b"))), id="in"),
        pytest.param("tier not in {'a'}", sel({}, Requirement("tier", "NotIn", ("a",))), id="not-in"),
        pytest.param("tier not in {}", ALL, id="not-in-nothing"),
        pytest.param(
            "app == 'web' && has(tier) && env != 'dev' && all()",
            sel({"app": "web"}, Requirement("tier", "Exists"), Requirement("env", "NotIn", ("dev",))),
            id="and",
        ),
        pytest.param(
            "app == 'a' && app == 'b'",
            sel({"app": "a"}, Requirement("app", "In", ("b",))),
            id="one-key-twice",
        ),
        pytest.param("k8s.example.com/app-name == 'x && y'", sel({"k8s.example.com/app-name": "x && y"}), id="str"),
    ],
)
def test_calico_selectors(selector: str | None, pods: LabelSelector) -> None:
    spec = f"selector: {selector}\n" if selector is not None else "types: [Ingress]\n"
    assert only(obj(CALICO, "NetworkPolicy", spec)).selects == (PodPeer(None, pods),)


@pytest.mark.parametrize(
    "selector",
    [
        "app == 'a' || app == 'b'",
        "(app == 'a')",
        "!(app == 'a')",
        "app contains 'a'",
        "app starts with 'a'",
        "app ends with 'a'",
        "global()",
        "app == a",
        "app == 'a' &&",
        "&& app == 'a'",
        "app in {'a' 'b'}",
        "app in {'a',}",
        "app in {}",
        "appin {'a'}",
        "projectcalico.org/namespace == 'x'",
        "projectcalico.org/serviceaccount == 'x'",
        "pcns.team == 'a'",
    ],
)
def test_calico_selectors_netsim_does_not_read_select_everything(selector: str) -> None:
    spec = f'selector: "{selector}"\n'  # YAML would read an unquoted "!..." as a tag
    assert only(obj(CALICO, "NetworkPolicy", spec)).selects is None


@pytest.mark.parametrize(
    ("spec", "selects"),
    [
        pytest.param("selector: all()\n", (PodPeer(ALL, ALL),), id="all"),
        pytest.param("selector: role == 'db'\n", (PodPeer(ALL, sel({"role": "db"})),), id="pods"),
        pytest.param(
            "selector: \"projectcalico.org/namespace == 'shop' && has(app)\"\n",
            (PodPeer(sel({NS_NAME: "shop"}), sel({}, Requirement("app", "Exists"))),),
            id="namespace-in-selector",
        ),
        pytest.param(
            "selector: \"projectcalico.org/namespace not in {'kube-system'} && has(projectcalico.org/namespace)\"\n",
            (PodPeer(sel({}, Requirement(NS_NAME, "NotIn", ("kube-system",))), ALL),),
            id="namespace-not-in",
        ),
        pytest.param("selector: '!has(projectcalico.org/namespace)'\n", None, id="host-endpoints-only"),
        pytest.param(
            "namespaceSelector: team == 'a'\nselector: has(app)\n",
            (PodPeer(sel({"team": "a"}), sel({}, Requirement("app", "Exists"))),),
            id="namespace-selector",
        ),
        pytest.param(
            "namespaceSelector: projectcalico.org/name in {'a', 'b'}\n",
            (PodPeer(sel({}, Requirement(NS_NAME, "In", ("a", "b"))), ALL),),
            id="namespace-selector-by-name",
        ),
        pytest.param("namespaceSelector: global()\n", None, id="namespace-selector-global"),
        pytest.param("namespaceSelector: pcns.team == 'a'\n", None, id="namespace-selector-own-label"),
        pytest.param("namespaceSelector: 5\n", None, id="namespace-selector-not-a-string"),
        pytest.param("serviceAccountSelector: role == 'x'\n", None, id="service-account-selector"),
        pytest.param("serviceAccountSelector: all()\n", (PodPeer(ALL, ALL),), id="service-account-selector-all"),
    ],
)
def test_calico_global_network_policies(spec: str, selects: tuple[PodPeer, ...] | None) -> None:
    assert only(obj(CALICO, "GlobalNetworkPolicy", spec)).selects == selects


def test_a_namespaced_calico_policy_with_a_namespace_selector_is_not_read() -> None:
    assert only(obj(CALICO, "NetworkPolicy", "namespaceSelector: team == 'a'\n")).selects is None


def test_calico_crd_policies_are_read_alike() -> None:
    assert only(obj(CALICO_CRD, "NetworkPolicy", "selector: app == 'x'\n")).selects == (
        PodPeer(None, sel({"app": "x"})),
    )


# -- what Antrea and EgressFirewall select ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "applied_to", "selects"),
    [
        pytest.param(
            "NetworkPolicy",
            "[{podSelector: {matchLabels: {app: a}}}, {podSelector: {}}]",
            (PodPeer(None, sel({"app": "a"})), PodPeer(None, ALL)),
            id="annp-pods",
        ),
        pytest.param("NetworkPolicy", "[{namespaceSelector: {}}]", None, id="annp-namespace-selector"),
        pytest.param(
            "ClusterNetworkPolicy",
            "[{podSelector: {matchLabels: {app: a}}}]",
            (PodPeer(ALL, sel({"app": "a"})),),
            id="acnp-pods-in-every-namespace",
        ),
        pytest.param(
            "ClusterNetworkPolicy",
            "[{namespaceSelector: {matchLabels: {team: t}}}]",
            (PodPeer(sel({"team": "t"}), ALL),),
            id="acnp-namespaces",
        ),
        pytest.param(
            "ClusterNetworkPolicy",
            "[{namespaceSelector: {matchLabels: {team: t}}, podSelector: {matchLabels: {app: a}}},"
            " {namespaceSelector: {matchLabels: {team: t}}, podSelector: {matchLabels: {app: a}}}]",
            (PodPeer(sel({"team": "t"}), sel({"app": "a"})),),
            id="acnp-both-once",
        ),
        pytest.param("ClusterNetworkPolicy", "[{group: g}]", None, id="group"),
        pytest.param("ClusterNetworkPolicy", "[{serviceAccount: {name: sa, namespace: x}}]", None, id="sa"),
        pytest.param("ClusterNetworkPolicy", "[{service: {name: s, namespace: x}}]", None, id="service"),
        pytest.param("ClusterNetworkPolicy", "[{podSelector: {}, externalEntitySelector: {}}]", None, id="ee"),
        pytest.param("ClusterNetworkPolicy", "[{}]", None, id="empty-entry"),
        pytest.param("ClusterNetworkPolicy", "[]", None, id="empty"),
        pytest.param("ClusterNetworkPolicy", "[{podSelector: {matchLabels: {app: [x]}}}]", None, id="bad-selector"),
    ],
)
def test_antrea_applied_to(kind: str, applied_to: str, selects: tuple[PodPeer, ...] | None) -> None:
    assert only(obj(ANTREA, kind, f"appliedTo: {applied_to}\ningress: [{{}}]\n")).selects == selects


def test_antrea_rule_level_applied_to_is_not_read() -> None:
    spec = "ingress:\n- appliedTo: [{podSelector: {}}]\n  action: Drop\n"
    assert only(obj(ANTREA, "ClusterNetworkPolicy", spec)).selects is None


def test_an_egress_firewall_selects_every_pod_of_its_namespace() -> None:
    policy = only(obj(OVN, "EgressFirewall", "egress: [{type: Deny, to: {cidrSelector: 0.0.0.0/0}}]\n", name="default"))
    assert (policy.namespace, policy.directions, policy.selects) == ("default", EGRESS, (PodPeer(None, ALL),))


def test_kinds_known_by_their_name_select_everything_in_scope() -> None:
    assert only(obj("example.com/v1", "NetworkPolicy", "podSelector: {matchLabels: {app: a}}\n")).selects is None
