"""LintContext's indexed answers equal a scan of every pod.

The lint rules ask which pods a peer selects and which pods an ipBlock covers; the context answers
from namespace lists and sorted addresses instead of testing every pod against every peer (which
made ``lint`` quadratic: 148 s on 10,000 pods, now under 10 s). On the generated multi-team
cluster (benchmarks/generate.py), with each ipBlock option, every peer of every policy must give
exactly what :func:`netsim.match.peers.matches_peer` gives over all pods, in input order.
"""

from __future__ import annotations

import importlib.util
from ipaddress import ip_network
from pathlib import Path

import pytest
import yaml

from netsim.engine import PolicyIndex
from netsim.lint.base import LintContext
from netsim.loader import load_texts
from netsim.match.ipblock import ip_in_block
from netsim.match.peers import matches_peer, peer_state
from netsim.model import Direction, IPBlockPeer, Options

GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "generate.py"


def _context(ipblock_matches_pods: bool) -> LintContext:
    spec = importlib.util.spec_from_file_location("netsim_benchmarks_generate_lint", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    docs = list(module.generate(12, 10, 8, 11, False))
    # the generator's pods are in 10.0.0.0/16: a block over them with holes, and the same block twice
    block = {"cidr": "10.0.0.0/8", "except": ["10.0.0.0/30", "10.0.0.64/26"]}
    for name in ("holes-a", "holes-b"):
        docs.append(
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": name, "namespace": "team-0001"},
                "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": block}]}]},
            }
        )
    cluster = load_texts({"generated.yaml": yaml.safe_dump_all(docs)}).cluster
    return LintContext(PolicyIndex(cluster, Options(ipblock_matches_pods=ipblock_matches_pods)))


@pytest.mark.parametrize("ipblock_matches_pods", [True, False])
def test_peer_pods_equal_a_scan_of_every_pod(ipblock_matches_pods: bool) -> None:
    ctx = _context(ipblock_matches_pods)
    cluster, options = ctx.cluster, ctx.options
    peers = covering = 0
    for pol in cluster.policies:
        for direction in Direction:
            for rule in pol.rules(direction):
                expected_rule: dict[str, None] = {}
                for peer in rule.peers:
                    peers += 1
                    expected = tuple(p for p in cluster.pods if matches_peer(peer, pol.namespace, p, cluster, options))
                    assert ctx.peer_pods(peer, pol) == expected, (pol.ref, str(peer))
                    expected_rule.update((p.ref, None) for p in expected)
                    if isinstance(peer, IPBlockPeer):
                        covered = tuple(p for p in cluster.pods if any(ip_in_block(ip, peer) for ip in p.ips))
                        assert ctx.pods_in_block(peer) == covered
                        covering += bool(covered)
                if rule.peers:
                    assert [p.ref for p in ctx.rule_pods(rule, pol)] == [
                        p.ref for p in cluster.pods if p.ref in expected_rule
                    ]
    assert peers > 50
    assert covering > 1, "a block covers pods, so the bisection is exercised"


def test_classes_group_pods_with_equal_answers() -> None:
    ctx = _context(True)
    groups = ctx.classes(ctx.cluster.pods)
    assert sum(len(members) for _, members in groups) == len(ctx.cluster.pods)
    assert len(groups) < len(ctx.cluster.pods)
    for _, members in groups:
        first = members[0]
        for other in members[1:]:
            assert (first.namespace, first.labels, first.ports) == (other.namespace, other.labels, other.ports)


# -- what a peer may select: the pods the input leaves open ------------------------------------------------

OPEN_WORLD = """\
apiVersion: v1
kind: Namespace
metadata: {name: prod, labels: {team: prod}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: prod, labels: {app: db}}
status: {podIP: 10.244.2.20}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
status: {podIP: 10.244.1.10}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client}]}
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: nodes, labels: {app: agent}}
spec: {hostNetwork: true}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: prod}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
    - from:
        - namespaceSelector: {matchLabels: {team: storefront}}
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}
          podSelector: {matchLabels: {app: web}}
        - namespaceSelector: {matchExpressions: [{key: env, operator: NotIn, values: [prod]}]}
        - podSelector: {}
        - ipBlock: {cidr: 10.244.0.0/16}
        - ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}
        - ipBlock: {cidr: 0.0.0.0/0}
"""


@pytest.mark.parametrize(
    "options",
    [
        Options(),
        Options(pod_cidrs=(ip_network("10.244.0.0/16"),)),
        Options(closed_world=True),
        Options(ipblock_matches_pods=False),
    ],
    ids=["open", "pod-cidr", "closed-world", "no-ipblock-pods"],
)
def test_peer_maybe_equals_a_scan_of_every_pod(options: Options) -> None:
    cluster = load_texts({"open.yaml": OPEN_WORLD}).cluster
    ctx = LintContext(PolicyIndex(cluster, options))
    [pol] = cluster.policies
    [rule] = pol.ingress
    found = []
    for peer in rule.peers:
        expected = [
            p.ref
            for p in cluster.pods
            if peer_state(peer, pol.namespace, p, cluster, options) is None
            and not matches_peer(peer, pol.namespace, p, cluster, options)
        ]
        maybe = ctx.peer_maybe(peer, pol)
        assert [p.ref for p, _ in maybe] == expected, str(peer)
        assert all(u.about in (p.ref, f"namespace {p.namespace}") for p, u in maybe)
        found.append(expected)
    if options.closed_world:
        assert found == [[]] * len(rule.peers)
    elif options == Options():
        assert found == [
            ["shop/client[Deployment]", "shop/web"],  # shop has no manifest: team=storefront is undecided
            [],  # by name: decided
            ["shop/client[Deployment]", "shop/web"],  # NotIn: shop's env is unknown, it may be prod
            [],  # the policy's own namespace: decided
            ["nodes/agent", "shop/client[Deployment]"],  # no address in the input
            ["nodes/agent", "shop/client[Deployment]"],
            ["nodes/agent", "shop/client[Deployment]"],
        ]
    rule_maybe = [p.ref for p, _ in ctx.rule_maybe(rule, pol)]
    certain = {p.ref for p in ctx.rule_pods(rule, pol)}
    assert not set(rule_maybe) & certain
