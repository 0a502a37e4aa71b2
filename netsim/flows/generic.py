"""netsim's own flow form, for traffic from anywhere else: CSV, or JSON objects with the same keys.

CSV: ``source,destination,port,protocol[,count]``, one flow a line; the header line is optional (a
first line naming ``source`` and ``destination`` columns is one, and then columns may come in any
order and add ``observed``, ``first_seen`` and ``last_seen``); blank lines and lines starting with
``#`` are skipped. JSON: one object a line, or a JSON array, with the keys of the CSV header.

Endpoints are written as netsim writes them (see :mod:`netsim.endpoints`): ``ns/pod``,
``ns/name[Kind]``, ``ns/Kind/name``, or an IP address. The port is a number; the protocol TCP, UDP
or SCTP in any case (TCP when empty), or ICMP, which NetworkPolicy does not cover; the count a
positive number (1 when empty); ``observed`` is ``allowed`` or ``denied`` (``allow``/``deny``).
"""

from __future__ import annotations

import csv
import re
from ipaddress import ip_address, ip_network
from typing import Any

from netsim.flows.fields import count_of, describe, port_of, protocol_of, time_of
from netsim.flows.model import ALLOWED, DENIED, FlowEnd, RecordError, Row, Skip
from netsim.model import Protocol

__all__ = ["COLUMNS", "GenericCsvParser", "GenericJsonParser", "looks_like_generic", "parse_endpoint"]

#: The keys of a generic flow (CSV header columns, JSON keys); the first three are required.
COLUMNS = ("source", "destination", "port", "protocol", "count", "observed", "first_seen", "last_seen")
_POSITIONAL = COLUMNS[:5]
_OBSERVED = {"allowed": ALLOWED, "allow": ALLOWED, "denied": DENIED, "deny": DENIED}
_KIND_SUFFIX = re.compile(r"^(?P<ns>[^/\[\]]+)/(?P<name>[^/\[\]]+)\[(?P<kind>[A-Za-z]+)\]$")
_KIND_PATH = re.compile(r"^(?P<ns>[^/\[\]]+)/(?P<kind>[A-Z][A-Za-z]*)/(?P<name>[^/\[\]]+)$")
_POD = re.compile(r"^(?P<ns>[^/\[\]]+)/(?P<name>[^/\[\]]+)$")
_ENDPOINT_FORMS = "write ns/pod, ns/name[Kind], ns/Kind/name or an IP address"


def looks_like_generic(record: dict[str, Any]) -> bool:
    """Whether a decoded JSON object is a generic flow: endpoints written as text."""
    return isinstance(record.get("source"), str) and isinstance(record.get("destination"), str)


def parse_endpoint(text: str, fld: str = "") -> FlowEnd:
    """An endpoint as netsim writes it: ``ns/pod``, ``ns/name[Kind]``, ``ns/Kind/name``, an address."""
    text = text.strip()
    if not text:
        raise RecordError(f"no endpoint: {_ENDPOINT_FORMS}", field=fld)
    try:
        return FlowEnd(ip=ip_address(text))
    except ValueError:
        pass
    kinded = _KIND_SUFFIX.match(text) or _KIND_PATH.match(text)
    if kinded is not None:
        ns, name, kind = kinded["ns"], kinded["name"], kinded["kind"]
        if kind == "Pod":
            return FlowEnd(namespace=ns, pod=name)
        return FlowEnd(namespace=ns, workload=name, workload_kind=kind)
    pod = _POD.match(text)
    if pod is not None:
        try:
            ip_network(text, strict=False)
        except ValueError:
            # ns/name is a pod or a workload, whichever the manifests have (as on netsim's command line)
            return FlowEnd(namespace=pod["ns"], pod=pod["name"], workload=pod["name"])
        raise RecordError(f"{describe(text)} is an address range: a flow is between addresses", field=fld)
    if "/" not in text:
        raise RecordError(f"endpoint {describe(text)} has no namespace: {_ENDPOINT_FORMS}", field=fld)
    raise RecordError(f"cannot read endpoint {describe(text)}: {_ENDPOINT_FORMS}", field=fld)


class _Generic:
    """What the CSV and JSON forms share: the values of one flow, by column name."""

    def __init__(self, *, lax: bool) -> None:
        self.lax = lax
        self._ends: dict[str, FlowEnd] = {}

    def _end(self, text: object, fld: str) -> FlowEnd:
        if text is None:  # a CSV row shorter than the header
            text = ""
        if not isinstance(text, str):
            raise RecordError(f"expected an endpoint, got {describe(text)}", field=fld)
        end = self._ends.get(text)
        if end is None:
            end = parse_endpoint(text, fld)
            if len(self._ends) < 100_000:
                self._ends[text] = end
        return end

    def _record(self, values: dict[str, Any], line: int) -> Row:
        source = self._end(values.get("source"), "source")
        destination = self._end(values.get("destination"), "destination")
        protocol = protocol_of(values.get("protocol"), "protocol", default=Protocol.TCP)
        port = None
        raw_port = values.get("port")
        if protocol is not None:
            if raw_port is None or raw_port == "":
                raise RecordError("no port", field="port")
            port = port_of(raw_port, "port")
        raw_count = values.get("count")
        count = 1 if raw_count is None or raw_count == "" else count_of(raw_count, "count")
        observed = values.get("observed")
        if observed is not None and observed != "":
            if not isinstance(observed, str) or observed.strip().lower() not in _OBSERVED:
                raise RecordError(f"expected allowed or denied, got {describe(observed)}", field="observed")
            observed = _OBSERVED[observed.strip().lower()]
        else:
            observed = None
        first = time_of(values.get("first_seen"), "first_seen")
        last = time_of(values.get("last_seen"), "last_seen")
        return (line, source, destination, protocol, port, count, first or last, last or first, observed, False, None)


class GenericJsonParser(_Generic):
    """Reads one decoded generic JSON object (``{"source": "shop/web", "destination": ..., "port": 80}``)."""

    name = "generic"

    def __call__(self, record: object, line: int) -> Row | Skip:
        if not isinstance(record, dict):
            raise RecordError(f"expected a JSON object with source, destination and port, got {describe(record)}")
        if not self.lax:
            unknown = sorted(key for key in record if key not in COLUMNS)
            if unknown:
                raise RecordError(
                    f"unknown key {describe(unknown[0])}: a generic flow has {', '.join(COLUMNS)}",
                    hint="--lax ignores unknown keys",
                )
        for key in ("source", "destination"):
            if key not in record:
                raise RecordError(f"no {key}", field=key)
        return self._record(record, line)


class GenericCsvParser(_Generic):
    """Reads the lines of a generic CSV file, the header (if any) first."""

    name = "generic"

    def __init__(self, *, lax: bool) -> None:
        super().__init__(lax=lax)
        self.columns: tuple[str | None, ...] | None = None  # None: the first line decides

    def __call__(self, text: str, line: int) -> Row | None:
        """The flow of one line that is neither blank nor a comment; None for the header."""
        cells = next(csv.reader([text])) if '"' in text else text.split(",")
        cells = [cell.strip() for cell in cells]
        if self.columns is None:
            names = [cell.lower() for cell in cells]
            if "source" in names and "destination" in names:
                self.columns = self._header(names)
                return None
            self.columns = _POSITIONAL
        columns = self.columns
        if columns is _POSITIONAL and not 3 <= len(cells) <= 5:
            if len(cells) < 3 or not self.lax:
                raise RecordError(f"{len(cells)} fields, expected 3 to 5: source,destination,port[,protocol[,count]]")
        elif len(cells) > len(columns) and not self.lax:
            raise RecordError(f"{len(cells)} fields, expected {len(columns)} as the header names")
        values = {name: cell for name, cell in zip(columns, cells, strict=False) if name is not None}
        return self._record(values, line)

    def _header(self, names: list[str]) -> tuple[str | None, ...]:
        seen: set[str] = set()
        columns: list[str | None] = []
        for name in names:
            if name in seen:
                raise RecordError(f"column {describe(name)} appears twice in the header", fatal=True)
            seen.add(name)
            if name not in COLUMNS:
                if not self.lax:
                    raise RecordError(
                        f"unknown column {describe(name)} in the header: the columns are {', '.join(COLUMNS)}",
                        hint="--lax ignores unknown columns",
                        fatal=True,
                    )
                columns.append(None)
            else:
                columns.append(name)
        if "port" not in seen:
            raise RecordError("the header has no port column", fatal=True)
        return tuple(columns)
