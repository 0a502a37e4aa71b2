"""Peer matching (docs/semantics.md, "Peers", "ipBlock", "hostNetwork pods"): selectors, ipBlock,
hostNetwork, the ipBlock-pods knob."""

from __future__ import annotations

import pytest

from netsim.match.ipblock import ip_in_block
from netsim.match.peers import describe_peer, explain_peer_miss, matches_peer
from netsim.model import Endpoint, IPBlockPeer, Options, Peer
from tests.unit.builders import ALL, block, cluster, expr, ext, namespace, peer, pod, sel

# Policies below live in namespace "prod"; "dev" and "ops" are the other namespaces.
POLICY_NS = "prod"
PROD_WEB = pod("prod/web", {"app": "web"}, ip="10.0.1.10")
PROD_DB = pod("prod/db", {"app": "db"}, ip="10.0.1.20")
DEV_WEB = pod("dev/web", {"app": "web"}, ip="10.0.2.10")
OPS_AGENT = pod("ops/agent", {"app": "agent"}, ip="fd00::5")
NODE_AGENT = pod("ops/node-agent", {"app": "web"}, host_network=True, node="n1", host_ip="192.168.0.11")
INTERNET = ext("8.8.8.8")
INTERNET6 = ext("2001:db8::1")

CLUSTER = cluster(
    [PROD_WEB, PROD_DB, DEV_WEB, OPS_AGENT, NODE_AGENT],
    namespaces=[namespace("prod", {"env": "prod"}), namespace("dev", {"env": "dev"}), namespace("ops")],
)
DEFAULT = Options()
NO_POD_BLOCKS = Options(ipblock_matches_pods=False)


@pytest.mark.parametrize(
    ("the_peer", "remote", "expected"),
    [
        # podSelector only: pods of the policy's own namespace
        pytest.param(peer(sel({"app": "web"})), PROD_WEB, True, id="podSelector-own-namespace"),
        pytest.param(peer(sel({"app": "web"})), DEV_WEB, False, id="podSelector-other-namespace"),
        pytest.param(peer(sel({"app": "web"})), PROD_DB, False, id="podSelector-label-mismatch"),
        pytest.param(peer(ALL), PROD_DB, True, id="podSelector-empty-own-namespace"),
        pytest.param(peer(ALL), DEV_WEB, False, id="podSelector-empty-not-other-namespace"),
        # namespaceSelector only: every pod of the matching namespaces
        pytest.param(peer(None, sel({"env": "dev"})), DEV_WEB, True, id="nsSelector-matching"),
        pytest.param(peer(None, sel({"env": "dev"})), PROD_WEB, False, id="nsSelector-not-matching"),
        pytest.param(peer(None, ALL), OPS_AGENT, True, id="nsSelector-empty-all-namespaces"),
        pytest.param(
            peer(None, sel({"kubernetes.io/metadata.name": "ops"})), OPS_AGENT, True, id="nsSelector-by-name-label"
        ),
        pytest.param(peer(None, sel(None, expr("env", "NotIn", "prod"))), OPS_AGENT, True, id="ns-NotIn-absent"),
        # both in one peer: AND
        pytest.param(peer(sel({"app": "web"}), sel({"env": "dev"})), DEV_WEB, True, id="both-match"),
        pytest.param(peer(sel({"app": "db"}), sel({"env": "dev"})), DEV_WEB, False, id="both-pod-fails"),
        pytest.param(peer(sel({"app": "web"}), sel({"env": "dev"})), PROD_WEB, False, id="both-namespace-fails"),
        pytest.param(peer(ALL, ALL), OPS_AGENT, True, id="both-empty-every-pod"),
        # selectors never match non-pods or hostNetwork pods
        pytest.param(peer(ALL, ALL), INTERNET, False, id="selector-never-external"),
        pytest.param(peer(sel({"app": "web"}), ALL), NODE_AGENT, False, id="selector-never-hostNetwork"),
        pytest.param(peer(None, ALL), NODE_AGENT, False, id="nsSelector-never-hostNetwork"),
        # ipBlock
        pytest.param(block("8.8.8.0/24"), INTERNET, True, id="ipBlock-contains"),
        pytest.param(block("8.8.4.0/24"), INTERNET, False, id="ipBlock-outside"),
        pytest.param(block("0.0.0.0/0", "8.8.8.0/24"), INTERNET, False, id="ipBlock-excepted"),
        pytest.param(block("0.0.0.0/0", "9.0.0.0/8"), INTERNET, True, id="ipBlock-other-except"),
        pytest.param(block("0.0.0.0/0"), INTERNET6, False, id="ipv4-block-never-ipv6"),
        pytest.param(block("::/0"), INTERNET, False, id="ipv6-block-never-ipv4"),
        pytest.param(block("2001:db8::/32"), INTERNET6, True, id="ipv6-block"),
        pytest.param(block("2001:db8::/32", "2001:db8::/64"), INTERNET6, False, id="ipv6-except"),
        # ipBlock and pods: a pod IP is matched (upstream e2e), a hostNetwork pod by its node IP
        pytest.param(block("10.0.1.10/32"), PROD_WEB, True, id="ipBlock-pod-ip"),
        pytest.param(block("10.0.0.0/16", "10.0.1.0/24"), PROD_WEB, False, id="ipBlock-pod-ip-excepted"),
        pytest.param(block("fd00::/8"), OPS_AGENT, True, id="ipBlock-pod-ipv6"),
        pytest.param(block("192.168.0.0/24"), NODE_AGENT, True, id="ipBlock-hostNetwork-node-ip"),
        pytest.param(block("10.0.0.0/8"), pod("prod/pending"), False, id="ipBlock-pod-without-ip"),
    ],
)
def test_matches_peer(the_peer: Peer, remote: Endpoint, expected: bool) -> None:
    assert matches_peer(the_peer, POLICY_NS, remote, CLUSTER, DEFAULT) is expected


@pytest.mark.parametrize(
    ("the_peer", "remote", "expected"),
    [
        pytest.param(block("10.0.1.10/32"), PROD_WEB, False, id="pod-ip-not-matched"),
        pytest.param(block("0.0.0.0/0"), PROD_WEB, False, id="catch-all-not-pods"),
        pytest.param(block("192.168.0.0/24"), NODE_AGENT, True, id="hostNetwork-still-node-ip"),
        pytest.param(block("8.8.8.0/24"), INTERNET, True, id="external-unaffected"),
    ],
)
def test_ipblock_matches_pods_knob_off(the_peer: Peer, remote: Endpoint, expected: bool) -> None:
    assert matches_peer(the_peer, POLICY_NS, remote, CLUSTER, NO_POD_BLOCKS) is expected


AS_POD = Options(host_network_as_node=False)


@pytest.mark.parametrize(
    ("the_peer", "options", "expected"),
    [
        # a plugin may treat hostNetwork pods like any pod (--host-network pod: docs/semantics.md)
        pytest.param(peer(sel({"app": "web"}), ALL), AS_POD, True, id="as-pod-selected-by-labels"),
        pytest.param(peer(None, sel({"kubernetes.io/metadata.name": "ops"})), AS_POD, True, id="as-pod-by-namespace"),
        pytest.param(peer(sel({"app": "db"}), ALL), AS_POD, False, id="as-pod-labels-still-count"),
        pytest.param(block("192.168.0.0/24"), AS_POD, True, id="as-pod-ipblock-of-its-ip"),
        pytest.param(
            block("192.168.0.0/24"),
            Options(host_network_as_node=False, ipblock_matches_pods=False),
            False,
            id="as-pod-ipblock-follows-pod-knob",
        ),
        # (b), the default: the node's traffic, matched by ipBlock whatever the pod knob says
        pytest.param(block("192.168.0.0/24"), NO_POD_BLOCKS, True, id="as-node-ipblock-despite-pod-knob"),
    ],
)
def test_host_network_knob(the_peer: Peer, options: Options, expected: bool) -> None:
    assert matches_peer(the_peer, POLICY_NS, NODE_AGENT, CLUSTER, options) is expected


def test_namespace_selector_on_undeclared_namespace_sees_only_name_label() -> None:
    stray = pod("ghost/p", {"app": "web"})
    c = cluster([stray])
    assert matches_peer(peer(None, sel({"kubernetes.io/metadata.name": "ghost"})), "prod", stray, c, DEFAULT)
    assert not matches_peer(peer(None, sel({"env": "prod"})), "prod", stray, c, DEFAULT)


@pytest.mark.parametrize(
    ("cidr", "ip", "expected"),
    [
        pytest.param(block("10.0.0.0/8"), "10.255.255.255", True, id="last-address"),
        pytest.param(block("10.0.0.0/8"), "11.0.0.0", False, id="just-outside"),
        pytest.param(block("10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16"), "10.2.3.4", False, id="second-except"),
        pytest.param(block("10.0.0.0/8", "10.1.0.0/16"), "10.3.0.1", True, id="not-excepted"),
        # an IPv4-mapped IPv6 address is IPv6, as with Go's netip.Prefix.Contains (used by KNP)
        pytest.param(block("::/0"), "::ffff:10.0.0.1", True, id="ipv4-mapped-is-ipv6"),
        pytest.param(block("10.0.0.0/8"), "::ffff:10.0.0.1", False, id="ipv4-mapped-not-in-ipv4-block"),
    ],
)
def test_ip_in_block(cidr: IPBlockPeer, ip: str, expected: bool) -> None:
    assert ip_in_block(ext(ip).ip, cidr) is expected


@pytest.mark.parametrize(
    ("the_peer", "remote", "reason"),
    [
        pytest.param(
            peer(sel({"app": "db"})),
            PROD_WEB,
            "pod prod/web not matched by podSelector {app=db}: label app=db required, but app=web",
            id="podSelector",
        ),
        pytest.param(
            peer(sel({"app": "web"})),
            DEV_WEB,
            "pod dev/web is not in the policy's namespace prod (podSelector alone)",
            id="own-namespace-only",
        ),
        pytest.param(
            peer(None, sel({"env": "prod"})),
            DEV_WEB,
            "namespace dev not matched by namespaceSelector {env=prod}: label env=prod required, but env=dev",
            id="namespaceSelector",
        ),
        pytest.param(
            peer(ALL, ALL), INTERNET, "8.8.8.8 is not a pod; a selector only selects pods", id="selector-external"
        ),
        pytest.param(
            peer(None, ALL),
            NODE_AGENT,
            "ops/node-agent is a hostNetwork pod; selectors do not select those",
            id="hostNetwork",
        ),
        pytest.param(block("10.0.0.0/8"), INTERNET, "8.8.8.8 is not in 10.0.0.0/8", id="outside-cidr"),
        pytest.param(
            block("8.0.0.0/8", "8.8.0.0/16"),
            INTERNET,
            "8.8.8.8 is in 8.0.0.0/8 but excepted by 8.8.0.0/16",
            id="except",
        ),
        pytest.param(block("::/0"), INTERNET, "8.8.8.8 is IPv4, ipBlock ::/0 is IPv6", id="family"),
        pytest.param(
            block("10.9.0.0/16"), PROD_WEB, "prod/web (10.0.1.10) is not in ipBlock 10.9.0.0/16", id="pod-ip-outside"
        ),
        pytest.param(
            block("10.0.0.0/8"),
            pod("prod/pending"),
            "prod/pending has no IP address to match ipBlock 10.0.0.0/8",
            id="no-ip",
        ),
    ],
)
def test_explain_peer_miss(the_peer: Peer, remote: Endpoint, reason: str) -> None:
    assert not matches_peer(the_peer, POLICY_NS, remote, CLUSTER, DEFAULT)
    assert explain_peer_miss(the_peer, POLICY_NS, remote, CLUSTER, DEFAULT) == reason


def test_explain_peer_miss_knob_off() -> None:
    reason = explain_peer_miss(block("10.0.0.0/8"), POLICY_NS, PROD_WEB, CLUSTER, NO_POD_BLOCKS)
    assert reason == "ipBlock 10.0.0.0/8 does not select pods (--no-ipblock-pods)"


@pytest.mark.parametrize(
    ("the_peer", "text"),
    [
        pytest.param(peer(sel({"app": "web"})), "pods {app=web} in namespace prod", id="podSelector"),
        pytest.param(peer(ALL), "all pods in namespace prod", id="empty-podSelector"),
        pytest.param(peer(None, ALL), "all pods in all namespaces", id="empty-nsSelector"),
        pytest.param(peer(ALL, sel({"env": "dev"})), "all pods in namespaces {env=dev}", id="nsSelector"),
        pytest.param(block("10.0.0.0/8", "10.1.0.0/16"), "ipBlock 10.0.0.0/8 except 10.1.0.0/16", id="ipBlock"),
    ],
)
def test_describe_peer(the_peer: Peer, text: str) -> None:
    assert describe_peer(the_peer, POLICY_NS) == text
