"""`netsim connections`: every allowed connection with its ports."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, replace
from ipaddress import ip_network
from itertools import chain

import click

from netsim.cli.app import (
    Choice,
    Common,
    Output,
    common_options,
    handle_interrupt,
    ingress_pod_option,
    ingress_pods_of,
    main,
    output_options,
    progress,
    reporting,
)
from netsim.endpoints import did_you_mean, namespaces, parse_port, require_namespace, resolve_endpoint, suggest
from netsim.engine import PolicyIndex
from netsim.errors import NetsimError
from netsim.exposure import Exposure, compute_exposure
from netsim.externals import external_ranges
from netsim.graph import Connection, GroupBy, Grouped, NodeInfo, entry_rows, grouped_edges
from netsim.model import Direction, IPNetwork, Pod, Protocol
from netsim.render.connections import STREAMS
from netsim.render.exposure import exposure_json, exposure_text
from netsim.services import resolve_service, service_backends

__all__ = ["connections"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"text": (".txt",), "json": (".json",), "csv": (".csv",), "md": (".md", ".markdown")}

#: The node a pod belongs to at each --group-by level (as netsim.graph keys them).
_GROUP_KEY: dict[GroupBy, Callable[[Pod], str]] = {
    GroupBy.POD: lambda p: p.ref,
    GroupBy.WORKLOAD: lambda p: p.endpoint,
    GroupBy.NAMESPACE: lambda p: p.namespace,
}


def _group_label(pod: Pod, by: GroupBy) -> str:
    """The label the listing shows for the node ``pod`` belongs to."""
    if by is GroupBy.POD:
        return f"{pod.namespace}/{pod.name}[{pod.kind}]"
    return pod.endpoint if by is GroupBy.WORKLOAD else pod.namespace


def _spellings(pod: Pod, by: GroupBy) -> set[str]:
    """The ``ns/...`` names that select the node ``pod`` belongs to: the node's label and
    ``ns/name``; at pod level also the pod's workload (a workload is a set of pods)."""
    if by is GroupBy.NAMESPACE:
        return set()
    workload = {pod.endpoint, f"{pod.namespace}/{pod.workload_name}"}
    if by is GroupBy.WORKLOAD:
        return workload
    return {_group_label(pod, by), f"{pod.namespace}/{pod.name}", pod.ref} | workload


@dataclass(frozen=True, slots=True)
class _Filter:
    """One ``--from``/``--to`` value, resolved against the input at the --group-by level."""

    keys: frozenset[str]  # the pod, workload or namespace nodes it names
    network: IPNetwork | None = None  # an address or CIDR: the external ranges that overlap it
    label: str | None = None  # an external range by its label

    def matches(self, info: NodeInfo) -> bool:
        rng = info.range
        if rng is None:
            return info.key in self.keys
        if self.network is not None:
            net = self.network
            return (
                net.version == rng.version
                and int(net.network_address) <= rng.last_int
                and rng.first_int <= int(net.broadcast_address)
            )
        return info.label == self.label


def _network(text: str) -> IPNetwork | None:
    """``text`` as an address or CIDR (an address is a /32 or /128), or None when it is neither."""
    try:
        return ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        loose = ip_network(text, strict=False)
    except ValueError:
        return None
    raise NetsimError(f"{text}: the address has bits set beyond the prefix length" + did_you_mean([str(loose)]))


def _families(values: Iterable[str]) -> frozenset[int]:
    """The address families the filters name (their space must be listed to be filtered on)."""
    out = set()
    for text in values:
        with suppress(ValueError):
            out.add(ip_network(text.strip(), strict=False).version)
    return frozenset(out)


def _resolve_filter(index: PolicyIndex, option: str, text: str, by: GroupBy, direction: Direction) -> _Filter:
    """A filter value: a namespace, ``ns/name``, ``ns/name[Kind]``, an IP address or CIDR, or an
    external range's label; a name that selects nothing at this level is an error with suggestions.

    An IP that is a pod's address stands for that pod, as in ``netsim check``; any other IP, and a
    CIDR, for the external ranges that hold it (a CIDR also for the pods whose addresses it holds).
    """
    text = text.strip()
    cluster = index.cluster
    key = _GROUP_KEY[by]
    if text.startswith("{") and text.endswith("}"):  # an entry point: {ingress-controller}, {gateway ns/name}
        return _Filter(frozenset({text}))
    service = resolve_service(cluster, text) if option == "--to" else None
    if service is not None:  # its backends (policies see them, never the Service)
        backends = {
            b.endpoint for sp in service.ports for b in service_backends(cluster, service, sp) if b.port is not None
        }
        return _Filter(frozenset(key(p) for p in backends if isinstance(p, Pod)))
    try:
        net = _network(text)
    except NetsimError as exc:
        raise NetsimError(f"{option} {exc}") from None
    if net is not None:
        if net.num_addresses == 1:
            endpoint = resolve_endpoint(cluster, str(net.network_address))
            if isinstance(endpoint, Pod):
                return _Filter(frozenset({key(endpoint)}))
            return _Filter(frozenset(), network=net)
        held = {key(p) for p in cluster.pods if not p.host_network and any(ip in net for ip in p.ips)}
        return _Filter(frozenset(held), network=net)
    labels = [r.label for r in external_ranges(cluster, direction, options=index.options)]
    if text in labels:
        return _Filter(frozenset(), label=text)
    if "/" not in text:
        held = {key(p) for p in cluster.pods if p.namespace == text}
        if held or text in namespaces(cluster):
            return _Filter(frozenset(held))
    else:
        held = {key(p) for p in cluster.pods if text in _spellings(p, by)}
        if held:
            return _Filter(frozenset(held))
    # what the name could have meant: the nodes of this level by any of their spellings (a pod or
    # workload of another level as the node that holds it); for a name without '/', a namespace
    # first; for a range's label, a range
    names: dict[str, str] = {}
    for p in cluster.pods:
        label = _group_label(p, by)
        for spelling in (*_spellings(p, GroupBy.POD), label):
            names.setdefault(spelling, label)
    where = f" at --group-by {by.value}" if text in names else ""
    if text.endswith("[External]"):
        what, close = "external range", suggest(text, labels)
    elif "/" not in text:
        what, close = "namespace", suggest(text, namespaces(cluster)) or suggest(text, names)
    else:
        what, close = "endpoint", suggest(text, names)
    raise NetsimError(f"{option} {text}: no such {what}{where}" + did_you_mean(close))


def _exposure(index: PolicyIndex, grouped: Grouped, by: GroupBy, output: str, focus: tuple[str, ...]) -> Exposure:
    """--exposure: the analysis of the listed workloads (those of --focus when given)."""
    if output not in ("text", "json"):
        raise click.UsageError("--exposure is printed with -o text or -o json")
    if by is GroupBy.NAMESPACE:
        raise click.UsageError("--exposure lists workloads or pods, not namespaces (--group-by)")
    return compute_exposure(index, grouped.iter_rows(), by, focus or None)


def _exposure_tail(exposed: Exposure, output: str, listed: int) -> str:
    """What --exposure adds after the connection list: a blank line and the text section, or the
    rest of the JSON object the list began."""
    if output == "json":
        return f', "exposure": {json.dumps(exposure_json(exposed), indent=2)}}}\n'
    return ("\n" if listed else "") + exposure_text(exposed)


@main.command()
@common_options
@click.option(
    "--from",
    "source",
    multiple=True,
    help="Only connections from this endpoint: a namespace, ns/name, ns/name[Kind], an IP or a CIDR (repeatable).",
)
@click.option(
    "--to",
    "destination",
    multiple=True,
    help="Only connections to this endpoint: a namespace, ns/name, ns/name[Kind], a Service (ns/name[Service] or "
    "its ClusterIP: its backend pods), an IP or a CIDR (repeatable).",
)
@click.option(
    "--port", "port", default=None, help="Only connections that allow this port (a number, optionally /PROTO)."
)
@click.option(
    "--focus",
    "focus",
    multiple=True,
    help="Only connections with an end in this namespace (repeatable).",
)
@click.option(
    "--group-by",
    type=Choice([g.value for g in GroupBy]),
    default=GroupBy.WORKLOAD.value,
    show_default=True,
    help="List pods, workloads (a controller's pods as one endpoint) or namespaces.",
)
@ingress_pod_option
@click.option(
    "--exposure",
    is_flag=True,
    help="Also list what the policies allow to and from endpoints not in the input (entire-cluster, pods known "
    "only by labels, external ranges) and the workloads no policy protects, per direction (-o text or json; "
    "docs/exposure.md). Example: netsim connections manifests/ --exposure",
)
@output_options(FORMATS, "text")
@handle_interrupt
def connections(
    common: Common,
    source: tuple[str, ...],
    destination: tuple[str, ...],
    port: str | None,
    focus: tuple[str, ...],
    group_by: str,
    ingress_pods: tuple[str, ...],
    exposure: bool,
    output: Output,
) -> None:
    """List every allowed connection, with its ports.

    One line per connection, `src => dst : conns`, sorted, where an endpoint is
    `namespace/name[Kind]` or an external address range `first-last[External]`, and conns is
    `All Connections` or protocol groups such as `SCTP 7070,TCP 8080-8081,UDP 9090` (the form
    netpol-analyzer and roxctl print). A workload to itself is not listed.

    With Ingresses, OpenShift Routes or Gateway API routes in the input, lines from
    `{ingress-controller}` and `{gateway ns/name}` list what they send to their Services' backend
    pods and the policies let through (last: `{` sorts after every name).

    \b
    Examples:
      netsim connections scenarios/production-hardening/manifests
      netsim connections manifests/ --from production/web -o json
      netsim connections manifests/ --focus shop --port 5432 -o md >> pr-comment.md
      netsim connections cluster-dump.yaml --no-ipblock-pods --group-by namespace
      netsim connections scenarios/cluster-guardrails/manifests --networkpolicy-tier pod
      netsim connections manifests/ --ingress-pod ingress-nginx/ingress-nginx-controller
      netsim connections -f cluster-dump.yaml --output-file connections.json
    """
    by = GroupBy(group_by)
    if common.all_namespaces and focus:
        raise click.UsageError("-A/--all-namespaces and --focus cannot be combined: -A asks for every namespace")
    with reporting():
        port_ref = parse_port(port) if port else None
        if port_ref is not None and not isinstance(port_ref.port, int):
            raise NetsimError(f"--port {port}: connections filters by port number (named ports differ per pod)")
        # a filter on an address lists its family's space even when the input has no such address
        wanted = common.options.address_families | _families((*source, *destination))
        index = replace(common, options=replace(common.options, address_families=wanted)).index()
        cluster = index.cluster
        for ns in focus:
            require_namespace(cluster, ns, "--focus")
        sources = [_resolve_filter(index, "--from", s, by, Direction.INGRESS) for s in source]
        destinations = [_resolve_filter(index, "--to", d, by, Direction.EGRESS) for d in destination]
        entry_pods = ingress_pods_of(cluster, ingress_pods, common.namespace)
        with progress("evaluating") as report:
            grouped = grouped_edges(index, by, report)
        entered = entry_rows(index, grouped, by, entry_pods)

    def keep(row: Connection) -> bool:
        # a namespace to itself is not a connection between endpoints; a workload (or a pod that
        # stands for replicas) to itself is one replica to another, listed unless --no-replica-traffic
        if row.source.key == row.destination.key and by is GroupBy.NAMESPACE:
            return False
        if sources and not any(f.matches(row.source) for f in sources):
            return False
        if destinations and not any(f.matches(row.destination) for f in destinations):
            return False
        if focus and row.source.namespace not in focus and row.destination.namespace not in focus:
            return False
        if port_ref is not None:
            assert isinstance(port_ref.port, int)
            protos = [port_ref.protocol] if port_ref.protocol else list(Protocol)
            if not any(row.conns.allows(port_ref.port, p) or row.undetermined.allows(port_ref.port, p) for p in protos):
                return False
        return True

    undetermined = listed = 0

    def counted(rows: Iterator[Connection]) -> Iterator[Connection]:
        nonlocal undetermined, listed
        for row in rows:
            undetermined += bool(row.undetermined)
            listed += 1
            yield row

    if exposure:
        exposed = _exposure(index, grouped, by, output.format, focus)

    # streamed: a 100,000-pod cluster lists millions of rows, never held as one string (but as one
    # file's content with --output-file, which is written atomically)
    pieces: list[str] = []
    batch: list[str] = []
    size = 0

    def emit(text: str, *, flush: bool = False) -> None:
        nonlocal batch, size
        batch.append(text)
        size += len(text)
        if flush or size > 1 << 20:
            if output.file is None:
                click.echo("".join(batch), nl=False)
            else:
                pieces.append("".join(batch))
            batch, size = [], 0

    if exposure and output.format == "json":
        emit('{"connections": ')
    rows = chain(grouped.iter_rows(), entered)
    for chunk in STREAMS[output.format](counted(row for row in rows if keep(row))):
        emit(chunk)
    if exposure:
        emit(_exposure_tail(exposed, output.format, listed))
    emit("", flush=True)
    if output.file is not None:
        with reporting():
            output.write("".join(pieces), common.paths)
        output.done()
    if undetermined:
        noun = "connection depends" if undetermined == 1 else "connections depend"
        click.echo(
            f"note: {undetermined} {noun} on what the input does not give (marked =?> or 'undetermined'); "
            "netsim check SOURCE DESTINATION --port P says on what",
            err=True,
        )
