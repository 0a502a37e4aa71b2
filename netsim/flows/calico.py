"""Calico flow logs: Calico Enterprise / Calico Cloud flow logs, and Calico Whisker / Goldmane flows.

One JSON object per line, or a JSON array, or a list response (``{"items": [...]}`` from Whisker's
API, ``{"flows": [...]}`` from Goldmane's). Three spellings of one record are read:

* **Flow logs** (Calico Enterprise and Cloud, as their flow log documentation lists the fields and
  Felix writes them): ``start_time`` / ``end_time`` (Unix seconds), ``source_ip``,
  ``source_name`` (``-`` when aggregated), ``source_name_aggr`` (``web-7d9c8b6f5-*``: the pods'
  ``generateName`` and ``*``; ``pub`` / ``pvt`` for a network), ``source_namespace`` (``-``: none),
  ``source_labels`` (``{"labels": ["app=web", ...]}``), ``source_type`` (``wep`` a pod, ``hep`` a
  host endpoint, ``ns`` a network set, ``net`` a network), the same with ``dest_``, ``dest_port``,
  ``proto`` (``tcp``, ``udp``, ``sctp``, ``icmp`` or a protocol number), ``action`` (``allow`` /
  ``deny``), ``reporter`` (``src`` / ``dst``: which end's node logged it) and ``num_flows``.
* **Whisker** (Calico Open Source's flow viewer, its ``/flows`` API): ``start_time`` / ``end_time``
  (RFC 3339), ``action`` (``Allow``, ``Deny``, ``Pass``), ``source_name`` (the aggregated name;
  ``PUBLIC NETWORK`` / ``PRIVATE NETWORK`` for a network), ``source_namespace``,
  ``source_labels`` (``app=web | tier=front``), the same with ``dest_``, ``dest_port``,
  ``protocol``, ``reporter`` (``Src`` / ``Dst``). It gives no addresses.
* **Goldmane** (the aggregator behind Whisker): a ``Flow`` with its ``Key`` (``source_name``,
  ``source_namespace``, ``source_type`` as ``WorkloadEndpoint`` / ``HostEndpoint`` /
  ``NetworkSet`` / ``Network``, ``dest_port``, ``proto``, ``reporter``, ``action``) beside
  ``start_time``, ``end_time``, ``source_labels`` (a list), ``num_connections_started``; a
  ``FlowResult`` wraps it in ``flow``.

An aggregated name sets the end's workload, not its pod: ``web-7d9c8b6f5-*`` is workload ``web``
(the ``-*`` and a part that reads as a pod-template-hash stripped). A ``net`` end is ``world``
(``pub``) or ``private-network`` (``pvt``), a ``hep`` end ``host``, an ``ns`` end
``network-set``: addresses outside the pods. A record's count is its ``num_flows`` (Goldmane:
``num_connections_started``), at least 1. Calico logs connections, not packets: there are no
reply records.
"""

from __future__ import annotations

from typing import Any

from netsim.flows.fields import address, count_of, describe, port_of, protocol_of, time_of
from netsim.flows.model import ALLOWED, DENIED, FlowEnd, RecordError, Row, Side, Skip
from netsim.flows.workloads import strip_template_hash
from netsim.model import Labels

__all__ = ["CalicoParser", "looks_like_calico"]

_CALICO_KEYS = ("source_namespace", "dest_namespace", "dest_port", "source_name_aggr", "dest_name_aggr", "reporter")
_TYPES: dict[object, str] = {
    "wep": "wep",
    "WorkloadEndpoint": "wep",
    1: "wep",
    "hep": "hep",
    "HostEndpoint": "hep",
    2: "hep",
    "ns": "ns",
    "NetworkSet": "ns",
    3: "ns",
    "net": "net",
    "Network": "net",
    4: "net",
}
_PUBLIC = frozenset({"pub", "PUBLIC NETWORK"})
_PRIVATE = frozenset({"pvt", "PRIVATE NETWORK"})
_NO_NAMESPACE = frozenset({"", "-", "Global"})  # Whisker shows a global endpoint's namespace as "Global"
_NO_NAME = frozenset({"", "-"})
_ACTIONS: dict[object, str | None] = {"allow": ALLOWED, "deny": DENIED, "pass": None, 1: ALLOWED, 2: DENIED, 3: None}
_REPORTERS: dict[object, Side] = {"src": "source", "dst": "destination", 1: "source", 2: "destination"}
_CACHE_SIZE = 200_000


def looks_like_calico(record: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a Calico flow log, Whisker or Goldmane flow."""
    flow = record.get("flow")
    if isinstance(flow, dict) and ("Key" in flow or "key" in flow):
        return True
    if isinstance(record.get("Key"), dict) or isinstance(record.get("key"), dict):
        return True
    return any(key in record for key in _CALICO_KEYS)


class CalicoParser:
    """Reads one decoded Calico record into a Row (a FlowRecord's values); keeps the distinct ends it has built."""

    name = "calico"

    def __init__(self) -> None:
        self._ends: dict[tuple[Any, ...], FlowEnd] = {}

    def __call__(self, record: object, line: int) -> Row | Skip:
        if not isinstance(record, dict):
            raise RecordError(f"expected a JSON object (a Calico flow), got {describe(record)}")
        flow = record.get("flow")
        if isinstance(flow, dict):  # a Goldmane FlowResult
            record = flow
        key = record.get("Key", record.get("key"))
        if isinstance(key, dict):  # a Goldmane Flow: the identifying fields are in its key
            record = {**record, **key}
        protocol = protocol_of(_first(record, "proto", "protocol"), "proto")
        port = None
        if protocol is not None:
            raw = record.get("dest_port")
            if raw is None:
                raise RecordError("no destination port", field="dest_port")
            port = raw if type(raw) is int and 0 < raw < 65536 else port_of(raw, "dest_port")
        count = 1
        raw_count = _first(record, "num_flows", "num_connections_started")
        if raw_count is not None and raw_count != 0:
            count = count_of(raw_count, "num_flows")
        return (
            line,
            self._end(record, "source"),
            self._end(record, "dest"),
            protocol,
            port,
            count,
            time_of(record.get("start_time"), "start_time"),
            time_of(record.get("end_time"), "end_time"),
            _lookup(_ACTIONS, record.get("action"), "action", "allow or deny"),
            False,
            _lookup(_REPORTERS, record.get("reporter"), "reporter", "src or dst"),
        )

    def _end(self, record: dict[str, Any], side: str) -> FlowEnd:
        labels = record.get(f"{side}_labels")
        if isinstance(labels, dict):
            labels = labels.get("labels")
        key = (
            record.get(f"{side}_namespace"),
            record.get(f"{side}_name"),
            record.get(f"{side}_name_aggr"),
            record.get(f"{side}_ip"),
            record.get(f"{side}_type"),
            tuple(labels) if isinstance(labels, list) else labels,
        )
        try:
            end = self._ends.get(key)
        except TypeError:  # an unhashable value where a string belongs: the slow path says what
            end = None
        if end is None:
            end = _build_end(record, side, labels)
            if len(self._ends) >= _CACHE_SIZE:
                self._ends.clear()
            self._ends[key] = end  # hashable now: _build_end rejected every value that is not
        return end


def _first(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        value = record.get(name)
        if value is not None:
            return value
    return None


def _lookup(table: dict[object, Any], value: object, fld: str, expected: str) -> Any:
    if value is None or value == "":
        return None
    key = value.lower() if isinstance(value, str) else value
    if isinstance(key, bool) or not isinstance(key, str | int) or key not in table:
        raise RecordError(f"unknown {fld} {describe(value)}: expected {expected}", field=fld)
    return table[key]


def _build_end(record: dict[str, Any], side: str, labels: object) -> FlowEnd:
    namespace = _text(record, f"{side}_namespace")
    name = _text(record, f"{side}_name")
    aggregated = _text(record, f"{side}_name_aggr")
    namespace = None if namespace in _NO_NAMESPACE else namespace
    name = None if name in _NO_NAME else name
    aggregated = None if aggregated in _NO_NAME else aggregated
    if name is not None and name.endswith("*"):  # Whisker and Goldmane name pods by their prefix
        name, aggregated = None, name
    raw_type = record.get(f"{side}_type")
    kind = None
    if raw_type is not None and raw_type != "" and raw_type != 0:
        if isinstance(raw_type, bool) or not isinstance(raw_type, str | int) or raw_type not in _TYPES:
            raise RecordError(
                f"unknown endpoint type {describe(raw_type)}: expected wep, hep, ns or net", field=f"{side}_type"
            )
        kind = _TYPES[raw_type]
    shown = aggregated or name
    ip = address(record.get(f"{side}_ip"), f"{side}_ip")
    reserved = workload = workload_kind = pod = None
    if kind == "net" or (kind is None and shown in _PUBLIC | _PRIVATE):
        reserved = "private-network" if shown in _PRIVATE else "world"
    elif kind == "hep":
        reserved, workload, workload_kind = "host", shown, "HostEndpoint"
    elif kind == "ns":
        reserved, workload, workload_kind = "network-set", shown, "NetworkSet"
    else:
        pod = name
        if aggregated is not None and aggregated.endswith("*"):
            workload = strip_template_hash(aggregated[:-1].rstrip("-")) or None
        elif aggregated is not None and pod is None:
            pod = aggregated  # a pod without generateName is aggregated under its own name
        if namespace is None and pod is None and workload is None:
            workload = shown  # a global endpoint Whisker names without saying what it is
    return FlowEnd(
        namespace=namespace,
        pod=pod,
        workload=workload,
        workload_kind=workload_kind,
        ip=ip,
        labels=_labels(labels, f"{side}_labels"),
        reserved=reserved,
    )


def _text(record: dict[str, Any], fld: str) -> str | None:
    value = record.get(fld)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected a string, got {describe(value)}", field=fld)
    return value


def _labels(raw: object, fld: str) -> Labels | None:
    """``["app=web", ...]`` or ``"app=web | tier=front"``; Calico's own ``projectcalico.org/`` labels
    left out."""
    if raw is None or raw == "":
        return None
    items: list[object]
    if isinstance(raw, str):
        items = [part.strip() for part in raw.split("|")]
    elif isinstance(raw, list):
        items = raw
    else:
        raise RecordError(f"expected a list of labels, got {describe(raw)}", field=fld)
    pairs: dict[str, str] = {}
    for item in items:
        if not isinstance(item, str) or "=" not in item:
            raise RecordError(f"expected a label 'key=value', got {describe(item)}", field=fld)
        key, _, value = item.partition("=")
        if not key.startswith("projectcalico.org/"):
            pairs[key.strip()] = value.strip()
    return Labels(pairs) if pairs else None
