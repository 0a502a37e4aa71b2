"""Deterministic generator of Hubble flow exports for a cluster made by benchmarks/generate.py.

Reads the cluster's pods (namespace, name, address, labels, container ports, owner) and writes
``--records`` lines of ``hubble observe -o json`` (one GetFlowsResponse per line, field names of
Cilium's flow.proto): each pod talks to a few fixed peers, as services do (another tier of its
namespace on a declared port, the cluster DNS on UDP 53, a pod of another namespace, an address
on the internet; web pods are also reached from the internet), and the records are drawn from
those connections, so the distinct connections number a few per pod whatever the record count.
About a third of the records are replies and a fifth are the destination's ingress observation
of a request the source's egress already reported, as Hubble exports them; a few are DNS names
of world addresses.

    python benchmarks/generate.py --namespaces 400 > cluster.yaml
    python benchmarks/flows.py cluster.yaml --records 1000000 > flows.json
    python benchmarks/flows.py cluster.yaml --records 1000000 --gzip > flows.json.gz
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

import yaml

START = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
WORLD = ("203.0.113.10", "198.51.100.20", "192.0.2.30", "2001:db8::7")
WORLD_NAMES = {"203.0.113.10": ["api.partner.example"], "198.51.100.20": ["telemetry.example.net"]}


@dataclass(frozen=True)
class PodInfo:
    namespace: str
    name: str
    ip: str
    labels: dict[str, str]
    ports: tuple[tuple[int, str], ...]  # (containerPort, protocol)
    owner: str | None
    node: str


def read_pods(path: str) -> list[PodInfo]:
    pods: list[PodInfo] = []
    with open(path, encoding="utf-8") as f:
        for doc in yaml.load_all(f, Loader=yaml.CSafeLoader):
            if not isinstance(doc, dict) or doc.get("kind") != "Pod":
                continue
            meta, spec, status = doc["metadata"], doc.get("spec") or {}, doc.get("status") or {}
            ip = status.get("podIP")
            if not ip:
                continue
            ports = tuple(
                (p["containerPort"], p.get("protocol", "TCP"))
                for c in spec.get("containers") or []
                for p in c.get("ports") or []
            )
            owners = meta.get("ownerReferences") or []
            owner = owners[0]["name"] if owners else None
            node = spec.get("nodeName") or "node-0"
            pods.append(
                PodInfo(meta["namespace"], meta["name"], ip, dict(meta.get("labels") or {}), ports, owner, node)
            )
    return pods


def _end(pod: PodInfo | None, ip: str, identity: int) -> dict[str, Any]:
    if pod is None:
        return {"identity": 2, "labels": ["reserved:world"]}
    labels = [f"k8s:{k}={v}" for k, v in sorted(pod.labels.items())]
    labels.append(f"k8s:io.kubernetes.pod.namespace={pod.namespace}")
    end: dict[str, Any] = {
        "ID": identity,
        "identity": 10_000 + identity % 50_000,
        "namespace": pod.namespace,
        "labels": labels,
        "pod_name": pod.name,
    }
    if pod.owner is not None:
        end["workloads"] = [{"name": pod.owner, "kind": "ReplicaSet"}]
    return end


def _record(
    src: PodInfo | None,
    src_ip: str,
    dst: PodInfo | None,
    dst_ip: str,
    port: int,
    proto: str,
    when: datetime,
    direction: str,
    reply: bool,
    rng: random.Random,
) -> str:
    ephemeral = rng.randrange(32768, 60999)
    sport, dport = (port, ephemeral) if reply else (ephemeral, port)
    flags = {"ACK": True} if reply else {"SYN": True}
    l4: dict[str, Any] = {proto: {"source_port": sport, "destination_port": dport}}
    if proto == "TCP":
        l4[proto]["flags"] = flags
    node = (src or dst).node if (src or dst) is not None else "node-0"  # type: ignore[union-attr]
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond:06d}000Z"
    flow: dict[str, Any] = {
        "time": stamp,
        "verdict": "FORWARDED",
        "ethernet": {"source": "0a:58:0a:00:00:01", "destination": "0a:58:0a:00:00:02"},
        "IP": {"source": src_ip, "destination": dst_ip, "ipVersion": "IPv6" if ":" in src_ip + dst_ip else "IPv4"},
        "l4": l4,
        "source": _end(src, src_ip, zlib.crc32(src_ip.encode()) & 0xFFFF),
        "destination": _end(dst, dst_ip, zlib.crc32(dst_ip.encode()) & 0xFFFF),
        "Type": "L3_L4",
        "node_name": node,
        "event_type": {"type": 4, "sub_type": 3 if direction == "EGRESS" else 0},
        "traffic_direction": direction,
        "is_reply": reply,
        "Summary": f"{proto} Flags: {', '.join(flags)}" if proto == "TCP" else proto,
    }
    if src is None and src_ip in WORLD_NAMES:
        flow["source_names"] = WORLD_NAMES[src_ip]
    if dst is None and dst_ip in WORLD_NAMES:
        flow["destination_names"] = WORLD_NAMES[dst_ip]
    return json.dumps({"flow": flow, "node_name": node, "time": stamp}, separators=(",", ":"))


Connection = tuple[PodInfo | None, str, PodInfo | None, str, int, str]


def connections(pods: list[PodInfo], rng: random.Random) -> list[Connection]:
    """A few fixed peers per pod: (source, its address, destination, its address, port, protocol)."""
    by_ns: dict[str, list[PodInfo]] = {}
    for p in pods:
        by_ns.setdefault(p.namespace, []).append(p)
    dns = [p for p in pods if p.labels.get("k8s-app") == "kube-dns"]
    out: list[Connection] = []
    for p in pods:
        mates = [q for q in by_ns[p.namespace] if q is not p and q.ports]
        for q in rng.sample(mates, min(2, len(mates))):
            number, proto = rng.choice(q.ports)
            out.append((p, p.ip, q, q.ip, number, proto))
        if dns:
            d = rng.choice(dns)
            out.append((p, p.ip, d, d.ip, 53, "UDP"))
        other = rng.choice(pods)
        if other.namespace != p.namespace and other.ports:
            number, proto = rng.choice(other.ports)
            out.append((p, p.ip, other, other.ip, number, proto))
        if rng.random() < 0.3:
            world = rng.choice(WORLD[:3])
            out.append((p, p.ip, None, world, 443, "TCP"))
        if p.labels.get("tier") == "web" and rng.random() < 0.5:
            out.append((None, rng.choice(WORLD[:3]), p, p.ip, 8080, "TCP"))
    return out


def generate(pods: list[PodInfo], records: int, seed: int, out: IO[str]) -> None:
    rng = random.Random(seed)
    conns = connections(pods, rng)
    step = timedelta(days=7) / max(records, 1)
    for k in range(records):
        src, src_ip, dst, dst_ip, port, proto = conns[rng.randrange(len(conns))]
        when = START + step * k
        roll = rng.random()
        if roll < 0.33:  # the reply of a request: from the destination back to the source
            line = _record(dst, dst_ip, src, src_ip, port, proto, when, "INGRESS", True, rng)
        elif roll < 0.53:  # the request again, as the destination's node observes it
            line = _record(src, src_ip, dst, dst_ip, port, proto, when, "INGRESS", False, rng)
        else:
            line = _record(src, src_ip, dst, dst_ip, port, proto, when, "EGRESS", False, rng)
        out.write(line)
        out.write("\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cluster", help="a cluster written by benchmarks/generate.py (Pods, not --workloads)")
    parser.add_argument("--records", type=int, default=100_000, help="flow records to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="write the export gzip-compressed")
    parser.add_argument("--output", "-o", default="-", help="the file to write ('-': standard output)")
    args = parser.parse_args(argv)
    pods = read_pods(args.cluster)
    if not pods:
        sys.exit(f"{args.cluster}: no pods with addresses (generate the cluster without --workloads)")
    if args.gzip:
        binary = sys.stdout.buffer if args.output == "-" else open(args.output, "wb")  # noqa: SIM115
        with gzip.open(binary, "wt", encoding="utf-8", compresslevel=6) as text:
            generate(pods, args.records, args.seed, text)
        return
    if args.output == "-":
        generate(pods, args.records, args.seed, sys.stdout)
    else:
        with open(args.output, "w", encoding="utf-8") as f:
            generate(pods, args.records, args.seed, f)


if __name__ == "__main__":
    main()
