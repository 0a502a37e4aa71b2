"""Hubble (Cilium) flows: ``hubble observe -o json`` and the files Hubble's exporter writes.

One JSON object per line: a ``GetFlowsResponse`` (``{"flow": {...}, "node_name": ..., "time":
...}``) or a bare ``Flow``. The field names are those of the ``Flow`` message of Cilium's public
``api/v1/flow/flow.proto`` as protobuf's JSON printing writes them with the proto names
(``pod_name``, ``is_reply``, ``destination_port``, ``traffic_direction``); the lowerCamelCase
spellings of the default JSON printing (``podName``, ``isReply``, ...) are read as well, and so
are enums written as numbers (``"verdict": 2``), as older Hubble clients print them.

What is read:

* ``flow.IP.source`` / ``destination`` (the addresses), ``flow.l4.TCP|UDP|SCTP.destination_port``
  (``ICMPv4``/``ICMPv6`` or no ``l4``: not TCP/UDP/SCTP);
* ``flow.source`` / ``destination``: ``namespace``, ``pod_name``, ``workloads[0]`` (the owner
  Cilium resolved, e.g. a Deployment), ``labels`` (``k8s:app=web``: the ``k8s:`` prefix is
  stripped; ``k8s:io.kubernetes.pod.namespace`` and ``io.cilium.*`` are Cilium's, not the pod's;
  ``reserved:world`` and the other reserved identities set ``FlowEnd.reserved``, as does a
  reserved numeric ``identity`` without labels), and ``flow.source_names`` /
  ``destination_names`` (DNS names);
* ``flow.verdict``: FORWARDED and REDIRECTED are *allowed*; DROPPED is *denied* when
  ``drop_reason_desc`` (or the older numeric ``drop_reason``) says a policy dropped it
  (POLICY_DENIED, POLICY_DENY) and no verdict otherwise (a drop for another reason is no policy
  decision); AUDIT is *denied* (a policy in audit mode would have dropped it); ERROR, TRACED,
  TRANSLATED: no verdict;
* ``flow.is_reply`` (older: ``reply``), ``flow.traffic_direction`` (EGRESS: seen at the source,
  INGRESS: at the destination), ``flow.time`` (else the response's ``time``).

L7 records (``Type: L7``: DNS, HTTP, Kafka through Cilium's proxy) carry the addresses and ports of
their connection, so they fold into it like any record of that connection; their verdict is the
L7 policy's, which is no NetworkPolicy verdict, so they bring none. Socket-level translation
events (``Type: SOCK``) and the responses that are no flow (``node_status``, ``lost_events``,
``agent_event``, ``debug_event``) are skipped and counted.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from netsim.flows.fields import address, describe, port_of, time_of
from netsim.flows.model import ALLOWED, DENIED, FlowEnd, RecordError, Row, Side, Skip
from netsim.model import Labels, Protocol

__all__ = ["HubbleParser", "looks_like_hubble"]

_NON_FLOW_KEYS = (
    "node_status",
    "lost_events",
    "agent_event",
    "debug_event",
    "nodeStatus",
    "lostEvents",
    "agentEvent",
    "debugEvent",
)
_ALLOWED_VERDICTS = frozenset({"FORWARDED", "REDIRECTED", 1, 5})
_DROPPED = frozenset({"DROPPED", 2})
_AUDIT = frozenset({"AUDIT", 4})
_POLICY_DROPS = frozenset({"POLICY_DENIED", "POLICY_DENY", 133, 181})
_SOCK = frozenset({"SOCK", 3})
_L7 = frozenset({"L7", 2})
_SIDES: dict[object, Side] = {"EGRESS": "source", 2: "source", "INGRESS": "destination", 1: "destination"}
#: Cilium's reserved numeric identities, for an endpoint that gives its identity but no labels.
_RESERVED_IDENTITIES = {
    1: "host",
    2: "world",
    3: "unmanaged",
    4: "health",
    5: "init",
    6: "remote-node",
    7: "kube-apiserver",
    8: "ingress",
    9: "world-ipv4",
    10: "world-ipv6",
}
_L4 = (("TCP", Protocol.TCP), ("UDP", Protocol.UDP), ("SCTP", Protocol.SCTP))
_TCP = Protocol.TCP
_CACHE_SIZE = 200_000


def looks_like_hubble(record: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a Hubble response or flow (for format detection)."""
    flow = record.get("flow")
    if isinstance(flow, dict):
        return "Key" not in flow and "key" not in flow  # Calico's Goldmane wraps its flows in "flow" too
    if any(key in record for key in _NON_FLOW_KEYS):
        return True
    return "verdict" in record and ("IP" in record or "l4" in record or "source" in record)


def _get(obj: dict[str, Any], snake: str, camel: str) -> Any:
    value = obj.get(snake)
    return obj.get(camel) if value is None else value


class HubbleParser:
    """Reads one decoded Hubble record into a Row (a FlowRecord's values), or a reason to skip it.

    One parser serves one file: it keeps each distinct end it has built, so that the ends of a
    million records are a few thousand objects, each hashed once.
    """

    name = "hubble"

    def __init__(self) -> None:
        self._ends: dict[tuple[Any, ...], FlowEnd] = {}

    def __call__(self, record: object, line: int) -> Row | Skip:
        if type(record) is not dict:
            raise RecordError(f"expected a JSON object (a Hubble flow), got {describe(record)}")
        flow = record.get("flow")
        prefix = "flow."
        if flow is None:
            if any(key in record for key in _NON_FLOW_KEYS):
                return Skip.NOT_FLOW
            if "verdict" not in record and "IP" not in record and "l4" not in record:
                raise RecordError("not a Hubble flow: the record has no 'flow' field")
            flow, prefix = record, ""
        elif type(flow) is not dict:
            raise RecordError(f"expected an object, got {describe(flow)}", field="flow")
        get = flow.get
        kind = get("Type")
        if type(kind) is not str and type(kind) is not int:
            kind = None  # unknown: read as a flow of layers 3 and 4
        elif kind in _SOCK:
            return Skip.NOT_FLOW
        ip = get("IP")
        if ip is None:
            ip = {}
        elif type(ip) is not dict:
            raise RecordError(f"expected an object, got {describe(ip)}", field=prefix + "IP")
        l4 = get("l4")
        tcp = l4.get("TCP") if type(l4) is dict else None
        port = tcp.get("destination_port") if type(tcp) is dict else None
        if type(port) is int and 0 < port < 65536:  # the common case, checked first
            protocol: Protocol | None = _TCP
        else:
            protocol, port = self._l4(l4, prefix)
        reply = get("is_reply")
        if reply is None:
            reply = get("isReply")
            if reply is None:
                reply = get("reply", False)
        if type(reply) is not bool:
            raise RecordError(f"expected true or false, got {describe(reply)}", field=prefix + "is_reply")
        verdict = get("verdict")
        if kind == "L7" or kind == 2 or "l7" in flow:
            observed = None  # the L7 policy's verdict, not NetworkPolicy's
        elif verdict == "FORWARDED":
            observed = ALLOWED
        else:
            observed = self._observed(flow, verdict, prefix)
        direction = get("traffic_direction")
        if direction is None:
            direction = get("trafficDirection")
        when = get("time")
        if when is None:
            when = record.get("time")
        seen = None
        if type(when) is str:
            try:
                seen = datetime.fromisoformat(when)
            except ValueError:
                seen = time_of(when, prefix + "time")  # Unix seconds, or says what is wrong
            else:
                if seen.tzinfo is None:
                    seen = seen.replace(tzinfo=UTC)
        elif when is not None:
            seen = time_of(when, prefix + "time")
        names = get("source_names")
        if names is None:
            names = get("sourceNames")
        source = self._end(get("source"), ip.get("source"), names, prefix, "source")
        names = get("destination_names")
        if names is None:
            names = get("destinationNames")
        destination = self._end(get("destination"), ip.get("destination"), names, prefix, "destination")
        side = _SIDES.get(direction) if type(direction) is str or type(direction) is int else None
        return (line, source, destination, protocol, port, 1, seen, seen, observed, reply, side)

    @staticmethod
    def _l4(l4: object, prefix: str) -> tuple[Protocol | None, int | None]:
        if l4 is None:
            return None, None
        if not isinstance(l4, dict):
            raise RecordError(f"expected an object, got {describe(l4)}", field=prefix + "l4")
        for name, protocol in _L4:
            sub = l4.get(name)
            if sub is None:
                continue
            fld = f"{prefix}l4.{name}.destination_port"
            if not isinstance(sub, dict):
                raise RecordError(f"expected an object, got {describe(sub)}", field=f"{prefix}l4.{name}")
            port = _get(sub, "destination_port", "destinationPort")
            if port is None:
                raise RecordError("no destination port", field=fld)
            if type(port) is int and 0 < port < 65536:
                return protocol, port
            return protocol, port_of(port, fld)
        return None, None  # ICMPv4, ICMPv6, or a layer 4 this version does not know

    @staticmethod
    def _observed(flow: dict[str, Any], verdict: object, prefix: str) -> str | None:
        if verdict is None:
            return None
        if not isinstance(verdict, str | int):
            raise RecordError(f"expected a verdict, got {describe(verdict)}", field=prefix + "verdict")
        if verdict in _ALLOWED_VERDICTS:
            return ALLOWED
        if verdict in _DROPPED:
            reason = _get(flow, "drop_reason_desc", "dropReasonDesc")
            if reason is None:
                reason = _get(flow, "drop_reason", "dropReason")
            return DENIED if isinstance(reason, str | int) and reason in _POLICY_DROPS else None
        if verdict in _AUDIT:
            return DENIED
        return None

    def _end(self, endpoint: object, ip: object, names: object, prefix: str, side: str) -> FlowEnd:
        key: tuple[Any, ...]
        if type(endpoint) is dict:
            get = endpoint.get
            identity = get("identity")
            pod = get("pod_name")
            if pod is None:
                pod = get("podName")
            if type(identity) is int and identity > 0:
                # Cilium allocates one identity per set of labels: with the pod and the address it
                # tells the end apart from every other, without hashing the labels
                key = (get("namespace"), pod, identity, ip, tuple(names) if type(names) is list else names)
            else:
                labels, workloads = get("labels"), get("workloads")
                owner = workloads[0] if type(workloads) is list and workloads else None
                key = (
                    get("namespace"),
                    pod,
                    tuple(labels) if type(labels) is list else labels,
                    (owner.get("name"), owner.get("kind")) if type(owner) is dict else owner,
                    identity,
                    ip,
                    tuple(names) if type(names) is list else names,
                )
        else:
            key = (endpoint, ip, tuple(names) if type(names) is list else names)
        try:
            end = self._ends.get(key)
        except TypeError:  # something unhashable where a string belongs: the slow path says what
            end = None
        if end is None:
            end = _build_end(endpoint, ip, names, prefix, side)
            if len(self._ends) >= _CACHE_SIZE:
                self._ends.clear()
            self._ends[key] = end  # hashable now: _build_end rejected every value that is not
        return end


def _build_end(endpoint: object, ip: object, names: object, prefix: str, side: str) -> FlowEnd:
    fld = prefix + side
    if endpoint is None:
        endpoint = {}
    elif not isinstance(endpoint, dict):
        raise RecordError(f"expected an object, got {describe(endpoint)}", field=fld)
    namespace = _text(endpoint.get("namespace"), f"{fld}.namespace")
    pod = _text(_get(endpoint, "pod_name", "podName"), f"{fld}.pod_name")
    labels, reserved = _labels(endpoint.get("labels"), f"{fld}.labels")
    workload = kind = None
    workloads = endpoint.get("workloads")
    if workloads is not None:
        if not isinstance(workloads, list):
            raise RecordError(f"expected a list, got {describe(workloads)}", field=f"{fld}.workloads")
        if workloads:
            owner = workloads[0]
            if not isinstance(owner, dict):
                raise RecordError(f"expected an object, got {describe(owner)}", field=f"{fld}.workloads[0]")
            workload = _text(owner.get("name"), f"{fld}.workloads[0].name")
            kind = _text(owner.get("kind"), f"{fld}.workloads[0].kind")
    identity = endpoint.get("identity")
    if identity is not None and (isinstance(identity, bool) or not isinstance(identity, int)):
        raise RecordError(f"expected a number, got {describe(identity)}", field=f"{fld}.identity")
    if reserved is None and identity is not None and not namespace:
        reserved = _RESERVED_IDENTITIES.get(identity)
    dns: tuple[str, ...] = ()
    if names is not None:
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RecordError(f"expected a list of names, got {describe(names)}", field=f"{prefix}{side}_names")
        dns = tuple(names)
    return FlowEnd(
        namespace=namespace,
        pod=pod,
        workload=workload,
        workload_kind=kind,
        ip=address(ip, f"{prefix}IP.{side}"),
        labels=labels,
        names=dns,
        reserved=reserved,
    )


def _text(value: object, fld: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected a string, got {describe(value)}", field=fld)
    return value


def _labels(raw: object, fld: str) -> tuple[Labels | None, str | None]:
    """The pod's labels (``k8s:`` source, Cilium's own left out) and the first reserved identity."""
    if raw is None:
        return None, None
    if not isinstance(raw, list):
        raise RecordError(f"expected a list of labels, got {describe(raw)}", field=fld)
    pairs: dict[str, str] = {}
    reserved = None
    for i, item in enumerate(raw):
        if not isinstance(item, str):
            raise RecordError(f"expected a label 'source:key=value', got {describe(item)}", field=f"{fld}[{i}]")
        key, _, value = item.partition("=")
        source, sep, name = key.partition(":")
        if not sep:  # no source: a plain key=value label
            source, name = "k8s", source
        if source == "reserved":
            reserved = reserved or name
        elif source == "k8s" and name != "io.kubernetes.pod.namespace" and not name.startswith("io.cilium."):
            pairs[name] = value
    return (Labels(pairs) if pairs else None), reserved
