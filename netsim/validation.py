"""The API server's value checks, with its exact messages (docs/semantics.md, "Validation messages"
and "CIDR strictness"; apimachinery's ``pkg/util/validation``).

Each function returns the list of problems (empty when valid), worded as apimachinery words
them, so ``field: Invalid value: "x": <message>`` reads as ``kubectl apply`` would print it.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Callable

from netsim.model import IPAddress, IPNetwork

__all__ = [
    "dns1035_label_errors",
    "endpoint_ip_errors",
    "format_value",
    "ip_errors",
    "ip_family_errors",
    "label_key_errors",
    "label_value_errors",
    "namespace_name_errors",
    "parse_cidr",
    "parse_ip_sloppy",
    "path_segment_name_errors",
    "port_name_errors",
    "port_number_errors",
    "subdomain_errors",
    "wildcard_subdomain_errors",
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


# A manifest repeats its names, label keys and values and CIDRs many times: each check runs once per
# distinct value (up to this many, and only for values short enough not to keep much text alive).
_CACHE_SIZE = 8192
_CACHED_LENGTH = 256


def _remembered(check: Callable[[str], tuple[str, ...]]) -> Callable[[str], list[str]]:
    """``check`` run once per distinct value (short values only), returning a fresh list."""
    cached = functools.lru_cache(maxsize=_CACHE_SIZE)(check)

    @functools.wraps(check)
    def errors(value: str) -> list[str]:
        return list(cached(value) if len(value) <= _CACHED_LENGTH else check(value))

    return errors


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


@_remembered
def subdomain_errors(value: str) -> tuple[str, ...]:
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
    return tuple(errs)


@_remembered
def namespace_name_errors(value: str) -> tuple[str, ...]:
    """DNS-1123 label (namespace names)."""
    errs = []
    if len(value.encode()) > 63:
        errs.append(_max_len(63))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):  # a valid subdomain: only the dots are wrong
            errs.append("must not contain dots")
            return tuple(errs)
        errs.append(
            _regex_error(
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                "and must start and end with an alphanumeric character",
                _DNS1123_LABEL_FMT,
                "my-name",
                "123-abc",
            )
        )
    return tuple(errs)


@_remembered
def label_key_errors(key: str) -> tuple[str, ...]:
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
        return (
            "a valid label key "
            + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        )
    if not name:
        errs.append("name part must be non-empty")
    elif len(name.encode()) > 63:
        errs.append("name part " + _max_len(63))
    if not _QNAME_RE.fullmatch(name):  # also for an empty name, as apimachinery does
        errs.append("name part " + _regex_error(_QNAME_MSG, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return tuple(errs)


@_remembered
def label_value_errors(value: str) -> tuple[str, ...]:
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
    return tuple(errs)


def port_number_errors(port: int) -> list[str]:
    """``IsValidPortNum``."""
    return [] if 1 <= port <= 65535 else ["must be between 1 and 65535, inclusive"]


@_remembered
def port_name_errors(name: str) -> tuple[str, ...]:
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
    return tuple(errs)


_CIDR_INVALID = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
_V4_LEADING_ZERO = re.compile(r"(^|\.)0[0-9]")


def parse_cidr(text: str, *, strict: bool = True) -> tuple[IPNetwork | None, list[str]]:
    """Parse a CIDR like Go's ``ParseCIDRSloppy`` plus ``IsValidCIDRForLegacyField``.

    Returns the network (host bits masked) and the problems; with ``strict`` the forms that
    StrictIPCIDRValidation rejects (leading zeros, IPv4-mapped IPv6, host bits) are problems.

    >>> parse_cidr("10.0.0.1/24")
    (IPv4Network('10.0.0.0/24'), ['must not have bits set beyond the prefix length'])
    """
    if len(text) > _CACHED_LENGTH:
        net, errs = _parse_cidr(text, strict)
    else:
        net, errs = _parse_cidr_cached(text, strict)
    return net, list(errs)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_cidr_cached(text: str, strict: bool) -> tuple[IPNetwork | None, tuple[str, ...]]:
    return _parse_cidr(text, strict)


def _parse_cidr(text: str, strict: bool) -> tuple[IPNetwork | None, tuple[str, ...]]:
    if "/" not in text:
        return None, (_CIDR_INVALID,)
    addr, _, plen = text.partition("/")
    if not plen.isdigit() or not plen.isascii() or "%" in addr:  # Go's ParseCIDR has no IPv6 zones
        return None, (_CIDR_INVALID,)
    errs: list[str] = []
    v4 = addr.rpartition(":")[2]  # dotted IPv4, alone or as the tail of an IPv6 address
    leading = (len(plen) > 1 and plen[0] == "0") or ("." in v4 and bool(_V4_LEADING_ZERO.search(v4)))
    if leading:
        # as Go reads decimals: leading zeros do not count (str(int()) would refuse 4,300 digits)
        octets = ((o.lstrip("0") or "0") if o.isdigit() and o.isascii() else o for o in v4.split("."))
        addr = addr[: len(addr) - len(v4)] + ".".join(octets)
        plen = plen.lstrip("0") or "0"
    try:
        net = ipaddress.ip_network(f"{addr}/{plen}", strict=False)
        host = ipaddress.ip_interface(f"{addr}/{plen}")
    except ValueError:
        return None, (_CIDR_INVALID,)
    if strict:  # at most one of these, in this order (apimachinery's else-if chain)
        if leading:
            errs.append("must not have leading 0s in IP or prefix length")
        elif isinstance(host.ip, ipaddress.IPv6Address) and host.ip.ipv4_mapped is not None:
            errs.append("must not have an IPv4-mapped IPv6 address")
        elif host.ip != net.network_address:
            errs.append("must not have bits set beyond the prefix length")
    return net, tuple(errs)


# -- Ingress and OpenShift Route names -------------------------------------------------------------

_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_RE = re.compile(f"^{_DNS1035_LABEL_FMT}$")
_WILDCARD_SUBDOMAIN_FMT = "\\*\\." + _DNS1123_SUBDOMAIN_FMT
_WILDCARD_SUBDOMAIN_RE = re.compile(f"^{_WILDCARD_SUBDOMAIN_FMT}$")


@_remembered
def dns1035_label_errors(value: str) -> tuple[str, ...]:
    """DNS-1035 label (``ValidateServiceName``: the Service an Ingress backend names).

    >>> dns1035_label_errors("web-1")
    []
    """
    errs = []
    if len(value.encode()) > 63:
        errs.append(_max_len(63))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(
            _regex_error(
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                "start with an alphabetic character, and end with an alphanumeric character",
                _DNS1035_LABEL_FMT,
                "my-name",
                "abc-123",
            )
        )
    return tuple(errs)


@_remembered
def wildcard_subdomain_errors(value: str) -> tuple[str, ...]:
    """A wildcard DNS-1123 subdomain, ``*.`` and a subdomain (``IsWildcardDNS1123Subdomain``: an
    Ingress rule's host with a ``*``)."""
    errs = []
    if len(value.encode()) > 253:
        errs.append(_max_len(253))
    if not _WILDCARD_SUBDOMAIN_RE.fullmatch(value):
        errs.append(
            _regex_error(
                "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, "
                "which must consist of lower case alphanumeric characters, '-' or '.' and end with an "
                "alphanumeric character",
                _WILDCARD_SUBDOMAIN_FMT,
                "*.example.com",
            )
        )
    return tuple(errs)


def path_segment_name_errors(value: str) -> list[str]:
    """``IsPathSegmentName``: a name that can be a segment of a URL path (an Ingress resource
    backend's kind and name).

    >>> path_segment_name_errors("a/b%")
    ["may not contain '/'", "may not contain '%'"]
    """
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


# -- Services and EndpointSlices ------------------------------------------------------------------

_IP_INVALID = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
_SLOPPY_IPV4 = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
_LINK_LOCAL_MULTICAST_V4 = ipaddress.IPv4Network("224.0.0.0/24")


def parse_ip_sloppy(text: str) -> IPAddress | None:
    """An IP address as Go's ``netutils.ParseIPSloppy`` reads one; None where it reads none.

    Leading zeros in a dotted IPv4 address are decimal (``010.1.1.1`` is 10.1.1.1), an IPv6 zone
    (``fe80::1%eth0``) is not an address, and an IPv4-mapped IPv6 address is its IPv4 address, as
    Go's ``To4`` sees it.

    >>> parse_ip_sloppy("010.001.2.3")
    IPv4Address('10.1.2.3')
    """
    if "%" in text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        if not _SLOPPY_IPV4.fullmatch(text) or not text.isascii():
            return None
        octets = [int(part) for part in text.split(".")]
        if any(o > 255 for o in octets):
            return None
        return ipaddress.IPv4Address(bytes(octets))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def ip_family_errors(text: str, version: int) -> list[str]:
    """``IsValidIPv4Address`` (``version`` 4) or ``IsValidIPv6Address`` (6): an address of that family."""
    address = parse_ip_sloppy(text)
    if address is None or address.version != version:
        return [f"must be a valid IPv{version} address"]
    return []


def endpoint_ip_errors(text: str) -> list[str]:
    """``ValidateEndpointIP``: an address a Service may send traffic to (EndpointSlice addresses,
    ``externalIPs``): not unspecified, loopback, link-local or link-local multicast."""
    address = parse_ip_sloppy(text)
    if address is None:
        return ["must be a valid IP address"]
    errs = []
    if address.is_unspecified:
        errs.append(f"may not be unspecified ({text})")
    if address.is_loopback:
        errs.append("may not be in the loopback range (127.0.0.0/8, ::1/128)")
    if address.is_link_local:
        errs.append("may not be in the link-local range (169.254.0.0/16, fe80::/10)")
    # Go's IsLinkLocalMulticast: 224.0.0.0/24, or ff02::/16 whatever the flags (ffX2::/16)
    if (
        address in _LINK_LOCAL_MULTICAST_V4
        if isinstance(address, ipaddress.IPv4Address)
        else address.packed[0] == 0xFF and address.packed[1] & 0x0F == 0x02
    ):
        errs.append("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)")
    return errs


def ip_errors(text: str) -> list[str]:
    """``IsValidIPForLegacyField`` (clusterIPs, externalIPs): any address ``ParseIPSloppy`` reads."""
    return [] if parse_ip_sloppy(text) is not None else [_IP_INVALID]
