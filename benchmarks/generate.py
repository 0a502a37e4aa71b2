"""Deterministic generator of realistic multi-team clusters for benchmarks.

Each namespace is a team with a few apps (tiers web/api/db/worker, several replicas each); about
80% of namespaces are default-deny in both directions; policies use matchLabels and
matchExpressions, named ports, endPort ranges, DNS egress to kube-system, cross-namespace
selectors and ipBlocks with except. Output: one multi-document YAML stream of Namespaces, Pods
(with IPs, node names and owner references) or Deployments, and NetworkPolicies.

    python benchmarks/generate.py --namespaces 40 --pods-per-namespace 25 --policies-per-namespace 10 > c.yaml
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from typing import Any

import yaml

TIERS = ("web", "api", "db", "worker", "cache")
PORTS = {
    "web": [("http", 8080, "TCP"), ("metrics", 9090, "TCP")],
    "api": [("grpc", 9000, "TCP"), ("http", 8080, "TCP"), ("metrics", 9090, "TCP")],
    "db": [("postgres", 5432, "TCP"), ("metrics", 9187, "TCP")],
    "worker": [("metrics", 9090, "TCP")],
    "cache": [("redis", 6379, "TCP"), ("gossip", 7946, "UDP")],
}


def _namespace(name: str, team: str, env: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"team": team, "env": env}},
    }


def _pod(ns: str, app: str, tier: str, i: int, ip: str, node: str, workloads: bool) -> dict[str, Any]:
    labels = {"app": app, "tier": tier, "version": f"v{i % 3}"}
    containers = [
        {
            "name": tier,
            "image": f"registry.example/{app}:1.0",
            "ports": [{"name": n, "containerPort": p, "protocol": proto} for n, p, proto in PORTS[tier]],
        }
    ]
    if workloads:
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns},
            "spec": {"replicas": 3, "template": {"metadata": {"labels": labels}, "spec": {"containers": containers}}},
        }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": f"{app}-{i:04d}",
            "namespace": ns,
            "labels": labels,
            "ownerReferences": [
                {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-5d8f7", "controller": True}
            ],
        },
        "spec": {"nodeName": node, "containers": containers},
        "status": {"phase": "Running", "podIP": ip, "hostIP": f"192.168.0.{int(node.split('-')[1]) + 1}"},
    }


def _policy(ns: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def _policies(
    rng: random.Random, ns: str, apps: list[tuple[str, str]], all_ns: list[str], count: int
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    default_deny = rng.random() < 0.8
    if default_deny:
        out.append(_policy(ns, "default-deny", {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}))
        out.append(
            _policy(
                ns,
                "allow-dns",
                {
                    "podSelector": {},
                    "policyTypes": ["Egress"],
                    "egress": [
                        {
                            "to": [
                                {
                                    "namespaceSelector": {
                                        "matchLabels": {"kubernetes.io/metadata.name": "kube-system"}
                                    },
                                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                                }
                            ],
                            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
                        }
                    ],
                },
            )
        )
    i = 0
    while len(out) < count:
        app, tier = apps[i % len(apps)]
        i += 1
        kind = rng.choice(["same-ns", "cross-ns", "expr", "range", "ipblock", "egress"])
        name = f"{app}-{kind}-{i}"
        target = {"matchLabels": {"app": app}}
        port_name = PORTS[tier][0][0]
        if kind == "same-ns":
            src_app = rng.choice(apps)[0]
            spec = {
                "podSelector": target,
                "ingress": [
                    {"from": [{"podSelector": {"matchLabels": {"app": src_app}}}], "ports": [{"port": port_name}]}
                ],
            }
        elif kind == "cross-ns":
            other = rng.choice(all_ns)
            spec = {
                "podSelector": target,
                "ingress": [
                    {
                        "from": [
                            {
                                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": other}},
                                "podSelector": {
                                    "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web", "api"]}]
                                },
                            }
                        ],
                        "ports": [{"port": PORTS[tier][0][1], "protocol": PORTS[tier][0][2]}],
                    }
                ],
            }
        elif kind == "expr":
            spec = {
                "podSelector": {
                    "matchExpressions": [
                        {"key": "tier", "operator": "NotIn", "values": ["db"]},
                        {"key": "app", "operator": "Exists"},
                    ]
                },
                "policyTypes": ["Ingress"],
                "ingress": [
                    {
                        "from": [{"namespaceSelector": {"matchLabels": {"env": rng.choice(["prod", "staging"])}}}],
                        "ports": [{"port": "metrics"}],
                    }
                ],
            }
        elif kind == "range":
            lo = rng.choice([8000, 9000, 30000])
            spec = {
                "podSelector": target,
                "ingress": [
                    {
                        "from": [{"podSelector": {}}],
                        "ports": [{"protocol": "TCP", "port": lo, "endPort": lo + rng.choice([10, 100, 1000])}],
                    }
                ],
            }
        elif kind == "ipblock":
            a = rng.randrange(1, 200)
            spec = {
                "podSelector": target,
                "ingress": [
                    {
                        "from": [
                            {"ipBlock": {"cidr": f"{a}.0.0.0/8", "except": [f"{a}.{rng.randrange(0, 255)}.0.0/16"]}}
                        ],
                        "ports": [{"port": 443}],
                    }
                ],
            }
        else:
            dst_app = rng.choice(apps)[0]
            spec = {
                "podSelector": target,
                "policyTypes": ["Egress"],
                "egress": [
                    {"to": [{"podSelector": {"matchLabels": {"app": dst_app}}}]},
                    {
                        "to": [
                            {
                                "ipBlock": {
                                    "cidr": "0.0.0.0/0",
                                    "except": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                                }
                            }
                        ],
                        "ports": [{"port": 443}],
                    },
                ],
            }
        out.append(_policy(ns, name, spec))
    return out[:count]


def _cluster_policies(rng: random.Random, names: list[str], count: int) -> Iterator[dict[str, Any]]:
    """ClusterNetworkPolicies (v1alpha2) over both tiers: Admin guardrails on a few teams'
    namespaces (deny from other envs on some ports, pass within the team's env, accept
    monitoring), and Baseline default denies."""
    envs = ["prod", "staging", "dev"]
    for i in range(count):
        baseline = i % 4 == 3
        team = rng.choice(names)
        subject = (
            {"namespaces": {"matchLabels": {"env": rng.choice(envs)}}}
            if i % 2
            else {"namespaces": {"matchLabels": {"kubernetes.io/metadata.name": team}}}
        )
        port = rng.choice([80, 443, 5432, 8080, 9090])
        rules = [
            {
                "name": "monitoring",
                "action": "Accept",
                "from": [{"namespaces": {"matchLabels": {"team": "platform"}}}],
                "protocols": [{"tcp": {"destinationPort": {"number": 9090}}}],
            },
            {
                "name": "same-env",
                "action": "Pass",
                "from": [{"namespaces": {"matchLabels": {"env": rng.choice(envs)}}}],
            },
            {
                "name": "others",
                "action": "Deny",
                "from": [{"namespaces": {}}],
                "protocols": [{"tcp": {"destinationPort": {"number": port}}}],
            },
        ]
        spec: dict[str, Any] = {
            "tier": "Baseline" if baseline else "Admin",
            "priority": rng.randrange(0, 1000),
            "subject": subject,
            "ingress": rules[2:] if baseline else rules,
        }
        if i % 5 == 0:
            spec["egress"] = [{"action": "Deny", "to": [{"networks": [f"{rng.randrange(11, 250)}.0.0.0/8"]}]}]
        yield {
            "apiVersion": "policy.networking.k8s.io/v1alpha2",
            "kind": "ClusterNetworkPolicy",
            "metadata": {"name": f"cnp-{i:03d}"},
            "spec": spec,
        }


def _services(ns: str, apps: list[tuple[str, str]]) -> Iterator[dict[str, Any]]:
    """One Service per app (its ports by name onto the containers' named ports), and one Ingress
    per namespace to the first app's first port."""
    for app, tier in apps:
        yield {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": app, "namespace": ns},
            "spec": {
                "selector": {"app": app},
                "ports": [{"name": n, "port": p, "targetPort": n, "protocol": proto} for n, p, proto in PORTS[tier]],
            },
        }
    app, tier = apps[0]
    yield {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": app, "namespace": ns},
        "spec": {"defaultBackend": {"service": {"name": app, "port": {"name": PORTS[tier][0][0]}}}},
    }


def generate(
    namespaces: int,
    pods_per_namespace: int,
    policies_per_namespace: int,
    seed: int,
    workloads: bool = False,
    cluster_policies: int = 0,
    services: bool = False,
) -> Iterator[dict[str, Any]]:
    """Yield the cluster's objects: Namespaces, then pods/workloads, then policies (and
    ``cluster_policies`` ClusterNetworkPolicies; with ``services``, a Service per app and an
    Ingress per namespace)."""
    rng = random.Random(seed)
    names = [f"team-{i:04d}" for i in range(namespaces)]
    yield _namespace("kube-system", "platform", "prod")
    yield {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "coredns-0", "namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}},
        "spec": {
            "nodeName": "node-0",
            "containers": [
                {
                    "name": "coredns",
                    "ports": [
                        {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                        {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
                    ],
                }
            ],
        },
        "status": {"phase": "Running", "podIP": "10.96.0.10", "hostIP": "192.168.0.1"},
    }
    ip = 0
    all_apps: dict[str, list[tuple[str, str]]] = {}
    for n, ns in enumerate(names):
        yield _namespace(ns, f"team{n}", rng.choice(["prod", "staging", "dev"]))
        app_count = max(1, pods_per_namespace // 5)
        apps = [(f"{TIERS[a % len(TIERS)]}-{a}", TIERS[a % len(TIERS)]) for a in range(app_count)]
        all_apps[ns] = apps
        emitted: set[str] = set()
        for p in range(pods_per_namespace):
            app, tier = apps[p % len(apps)]
            if workloads and app in emitted:
                continue
            emitted.add(app)
            ip += 1
            addr = f"10.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}"
            yield _pod(ns, app, tier, p, addr, f"node-{p % 16}", workloads)
    for ns in names:
        yield from _policies(rng, ns, all_apps[ns], names, policies_per_namespace)
    yield from _cluster_policies(random.Random(seed + 1), names, cluster_policies)
    if services:
        for ns in names:
            yield from _services(ns, all_apps[ns])


def main(argv: list[str] | None = None) -> None:
    """Write a generated cluster as multi-document YAML to stdout (or --output)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--namespaces", type=int, default=40)
    parser.add_argument("--pods-per-namespace", type=int, default=25)
    parser.add_argument("--policies-per-namespace", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workloads", action="store_true", help="emit Deployments instead of Pods")
    parser.add_argument(
        "--cluster-policies", type=int, default=0, help="also emit N ClusterNetworkPolicies over both tiers"
    )
    parser.add_argument(
        "--services", action="store_true", help="also emit a Service per app and an Ingress per namespace"
    )
    parser.add_argument("--output", "-o", default="-")
    args = parser.parse_args(argv)
    docs = generate(
        args.namespaces,
        args.pods_per_namespace,
        args.policies_per_namespace,
        args.seed,
        args.workloads,
        args.cluster_policies,
        args.services,
    )
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8")  # noqa: SIM115
    try:
        yaml.dump_all(docs, out, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    main()
