"""Typed values out of decoded records: addresses, ports, protocols, times, counts, label lists.

Each function takes the raw value and the field path it came from, and raises
:class:`~netsim.flows.model.RecordError` naming that field when the value is wrong. The messages
say what was found and what is expected, as the loader's do.
"""

from __future__ import annotations

from datetime import UTC, datetime
from ipaddress import ip_address

from netsim.flows.model import RecordError
from netsim.model import IPAddress, Protocol

__all__ = [
    "PROTOCOL_NUMBERS",
    "address",
    "count_of",
    "describe",
    "port_of",
    "protocol_of",
    "time_of",
]

#: IANA protocol numbers of the protocols NetworkPolicy knows, and of ICMP (for ``proto: 1``).
PROTOCOL_NUMBERS = {6: Protocol.TCP, 17: Protocol.UDP, 132: Protocol.SCTP}
_NOT_L4_NAMES = frozenset({"ICMP", "ICMP4", "ICMPV4", "ICMP6", "ICMPV6", "IPIP", "ESP", "GRE"})
_PROTOCOLS = {p.value: p for p in Protocol}


def describe(value: object) -> str:
    """A value as messages show it: ``'abc'``, ``12``, ``true``, ``an object``, ``a list``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        shown = value if len(value) <= 60 else value[:57] + "..."
        return repr(shown)
    return str(value)


def address(value: object, fld: str) -> IPAddress | None:
    """An IPv4 or IPv6 address; None for null or an empty string."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordError(f"expected an IP address, got {describe(value)}", field=fld)
    try:
        return ip_address(value)
    except ValueError:
        raise RecordError(f"not an IP address: {describe(value)}", field=fld) from None


def port_of(value: object, fld: str) -> int:
    """A port number 1-65535 (a number, or a string of digits as CSV and some exports write it)."""
    number: object = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, int):
        raise RecordError(f"expected a port number, got {describe(value)}", field=fld)
    if not 1 <= number <= 65535:
        raise RecordError(f"port {number} is out of range: ports are 1-65535", field=fld)
    return number


def protocol_of(value: object, fld: str, *, default: Protocol | None = None) -> Protocol | None:
    """TCP, UDP or SCTP in any case, or its IANA number; None for ICMP and the other protocols
    NetworkPolicy does not cover; ``default`` when the value is empty or missing."""
    if value is None or value == "":
        if default is None:
            raise RecordError("no protocol", field=fld)
        return default
    if isinstance(value, str):
        text = value.strip().upper()
        if text in _PROTOCOLS:
            return _PROTOCOLS[text]
        if text in _NOT_L4_NAMES:
            return None
        if not text.isdigit():
            raise RecordError(
                f"unknown protocol {describe(value)}: expected TCP, UDP or SCTP (or ICMP, which NetworkPolicy does "
                "not cover)",
                field=fld,
            )
        value = int(text)
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"expected a protocol, got {describe(value)}", field=fld)
    if value in PROTOCOL_NUMBERS:
        return PROTOCOL_NUMBERS[value]
    if 0 <= value <= 255:  # ICMP (1), ICMPv6 (58) and the others
        return None
    raise RecordError(f"protocol number {value} is out of range: 0-255", field=fld)


def time_of(value: object, fld: str) -> datetime | None:
    """An aware datetime from RFC 3339 text (``2024-05-01T12:00:00.123456789Z``: nanoseconds are
    cut to microseconds), Unix seconds (a number or a string of digits), or protobuf's JSON
    ``{"seconds": ..., "nanos": ...}``; None for null, an empty string or 0 (proto's unset time)."""
    if value is None or value == "" or value == 0:
        return None
    if isinstance(value, dict):
        seconds, nanos = value.get("seconds", 0), value.get("nanos", 0)
        if isinstance(seconds, str) and seconds.isdigit():
            seconds = int(seconds)
        if not isinstance(seconds, int) or not isinstance(nanos, int) or isinstance(seconds, bool):
            raise RecordError(f"expected a time, got {describe(value)}", field=fld)
        return _from_unix(seconds + nanos / 1e9, value, fld)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return _from_unix(int(text), value, fld)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(f"not a time: {describe(value)}; expected RFC 3339 or Unix seconds", field=fld) from None
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_unix(value, value, fld)
    raise RecordError(f"expected a time, got {describe(value)}", field=fld)


def _from_unix(seconds: float, value: object, fld: str) -> datetime:
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        raise RecordError(f"time out of range: {describe(value)}", field=fld) from None


def count_of(value: object, fld: str) -> int:
    """How many observations a record stands for: a positive integer (a string of digits in CSV)."""
    number: object = value
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, int):
        raise RecordError(f"expected a count, got {describe(value)}", field=fld)
    if number < 1:
        raise RecordError(f"count {number} is not positive", field=fld)
    return number
