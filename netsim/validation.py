"""The API server's value checks, with its exact messages (reference §4.3, §5).

Each function returns the list of problems (empty when valid), worded as apimachinery words
them, so ``field: Invalid value: "x": <message>`` reads as ``kubectl apply`` would print it.
"""

from __future__ import annotations

import ipaddress
import re

from netsim.model import IPNetwork

__all__ = [
    "format_value",
    "label_key_errors",
    "label_value_errors",
    "namespace_name_errors",
    "parse_cidr",
    "port_name_errors",
    "port_number_errors",
    "subdomain_errors",
]

_QNAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QNAME_RE = re.compile(f"^{_QNAME_FMT}$")
_QNAME_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
)
_LABEL_VALUE_FMT = f"({_QNAME_FMT})?"
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_RE = re.compile(f"^{_DNS1123_LABEL_FMT}$")
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")
_PORT_CHARSET_RE = re.compile("^[-a-z0-9]+$")
_PORT_LETTER_RE = re.compile("[a-z]")


def _regex_error(msg: str, fmt: str, *examples: str) -> str:
    """apimachinery ``RegexError``, including its ``',  or '`` spacing."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    text = msg + " (e.g. "
    for i, example in enumerate(examples):
        if i:
            text += " or "
        text += f"'{example}', "
    return text + f"regex used for validation is '{fmt}')"


def _max_len(n: int) -> str:
    return f"must be no more than {n} bytes"


def format_value(value: object) -> str:
    """Render a bad value as Go's field errors do: strings quoted, numbers bare."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def subdomain_errors(value: str) -> list[str]:
    """DNS-1123 subdomain (object names such as NetworkPolicy and Pod names)."""
    errs = []
    if len(value.encode()) > 253:
        errs.append(_max_len(253))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                "and must start and end with an alphanumeric character",
                _DNS1123_SUBDOMAIN_FMT,
                "example.com",
            )
        )
    return errs


def namespace_name_errors(value: str) -> list[str]:
    """DNS-1123 label (namespace names)."""
    errs = []
    if len(value.encode()) > 63:
        errs.append(_max_len(63))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):  # a valid subdomain: only the dots are wrong
            errs.append("must not contain dots")
            return errs
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                _DNS1123_LABEL_FMT,
                "my-name",
                "123-abc",
            )
        )
    return errs


def label_key_errors(key: str) -> list[str]:
    """A qualified name ``[prefix/]name`` (apimachinery ``IsQualifiedName``)."""
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
        errs: list[str] = []
    elif len(parts) == 2:
        prefix, name = parts
        errs = []
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            errs.extend("prefix part " + e for e in subdomain_errors(prefix))
    else:
        return [
            "a valid label key "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part " + _max_len(63))
    if not _QNAME_RE.fullmatch(name):  # also for an empty name, as apimachinery does
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """A label value: empty, or up to 63 bytes of the qualified-name alphabet."""
    errs = []
    if len(value.encode()) > 63:
        errs.append(_max_len(63))
    if value and not _QNAME_RE.fullmatch(value):
        errs.append(
            _regex_error(
                "a valid label must be an empty string or " + _QNAME_MSG.removeprefix("must "),
                _LABEL_VALUE_FMT,
                "MyValue",
                "my_value",
                "12345",
            )
        )
    return errs


def port_number_errors(port: int) -> list[str]:
    """``IsValidPortNum``."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


def port_name_errors(name: str) -> list[str]:
    """``IsValidPortName`` (IANA_SVC_NAME): every violated rule is its own error."""
    errs = []
    if len(name.encode()) > 15:
        errs.append(_max_len(15))
    if not _PORT_CHARSET_RE.fullmatch(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_LETTER_RE.search(name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


_CIDR_INVALID = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
_V4_LEADING_ZERO = re.compile(r"(^|\.)0[0-9]")


def parse_cidr(text: str, *, strict: bool = True) -> tuple[IPNetwork | None, list[str]]:
    """Parse a CIDR like Go's ``ParseCIDRSloppy`` plus ``IsValidCIDRForLegacyField``.

    Returns the network (host bits masked) and the problems; with ``strict`` the forms that
    StrictIPCIDRValidation rejects (leading zeros, IPv4-mapped IPv6, host bits) are problems.

    >>> parse_cidr("10.0.0.1/24")
    (IPv4Network('10.0.0.0/24'), ['must not have bits set beyond the prefix length'])
    """
    if "/" not in text:
        return None, [_CIDR_INVALID]
    addr, _, plen = text.partition("/")
    if not plen.isdigit() or not plen.isascii() or "%" in addr:  # Go's ParseCIDR has no IPv6 zones
        return None, [_CIDR_INVALID]
    errs: list[str] = []
    v4 = addr.rpartition(":")[2]  # dotted IPv4, alone or as the tail of an IPv6 address
    leading = (len(plen) > 1 and plen[0] == "0") or ("." in v4 and bool(_V4_LEADING_ZERO.search(v4)))
    if leading:
        octets = (str(int(o)) if o.isdigit() and o.isascii() else o for o in v4.split("."))
        addr = addr[: len(addr) - len(v4)] + ".".join(octets)
        plen = str(int(plen))
    try:
        net = ipaddress.ip_network(f"{addr}/{plen}", strict=False)
        host = ipaddress.ip_interface(f"{addr}/{plen}")
    except ValueError:
        return None, [_CIDR_INVALID]
    if strict:  # at most one of these, in this order (apimachinery's else-if chain)
        if leading:
            errs.append("must not have leading 0s in IP or prefix length")
        elif isinstance(host.ip, ipaddress.IPv6Address) and host.ip.ipv4_mapped is not None:
            errs.append("must not have an IPv4-mapped IPv6 address")
        elif host.ip != net.network_address:
            errs.append("must not have bits set beyond the prefix length")
    return net, errs
