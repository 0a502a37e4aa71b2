"""netsim.validation: the API server's value checks, every message pinned to apimachinery's text.

Sources (docs/semantics.md, "Validation messages"): apimachinery ``content/kube.go`` (label keys and values),
``util/validation/validation.go`` (DNS names, ``IsValidPortNum``, ``IsValidPortName``), ``ip.go``
(``parseCIDR`` / ``IsValidCIDRForLegacyField``) and ``field/errors.go`` (how values print).
"""

from __future__ import annotations

from ipaddress import ip_network

import pytest

from netsim.validation import (
    format_value,
    label_key_errors,
    label_value_errors,
    namespace_name_errors,
    parse_cidr,
    port_name_errors,
    port_number_errors,
    subdomain_errors,
)

# The messages, written out in full once (note RegexError's "',  or '" spacing).
NAME_PART_REGEX = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
KEY_SLASHES = (
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
    "(e.g. 'example.com/MyName')"
)
SUBDOMAIN_REGEX = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_REGEX = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
VALUE_REGEX = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
PORT_RANGE = "must be between 1 and 65535, inclusive"
PORT_LONG = "must be no more than 15 bytes"
PORT_CHARSET = "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
PORT_LETTER = "must contain at least one letter (a-z)"
PORT_DOUBLE_HYPHEN = "must not contain consecutive hyphens"
PORT_EDGE_HYPHEN = "must not begin or end with a hyphen"
CIDR_INVALID = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
CIDR_LEADING_ZEROS = "must not have leading 0s in IP or prefix length"
CIDR_MAPPED = "must not have an IPv4-mapped IPv6 address"
CIDR_HOST_BITS = "must not have bits set beyond the prefix length"


# -- label keys: [prefix/]name -------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        "app",
        "a",
        "A1",
        "my.name_under-score",
        "MyName",
        "123-abc",
        "a" * 63,
        "app.kubernetes.io/name",
        "kubernetes.io/metadata.name",
        "k8s.io/x",
        "example.com/MyName",
        ("a" * 63 + ".") * 3 + "a" * 61 + "/x",  # a 253-byte prefix
    ],
    ids=[
        "plain",
        "one-char",
        "mixed-case-digit",
        "inner-punctuation",
        "camel",
        "leading-digit",
        "name-63-bytes",
        "prefixed",
        "namespace-label",
        "k8s-prefix",
        "prefixed-camel",
        "prefix-253-bytes",
    ],
)
def test_label_key_valid(key: str) -> None:
    assert label_key_errors(key) == []


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        # the name part
        ("", ["name part must be non-empty", NAME_PART_REGEX]),
        ("-app", [NAME_PART_REGEX]),
        ("app-", [NAME_PART_REGEX]),
        ("my app", [NAME_PART_REGEX]),
        ("app\n", [NAME_PART_REGEX]),
        ("a" * 64, ["name part must be no more than 63 bytes"]),
        ("é" * 32, ["name part must be no more than 63 bytes", NAME_PART_REGEX]),
        ("-" * 64, ["name part must be no more than 63 bytes", NAME_PART_REGEX]),
        # the prefix part
        ("/app", ["prefix part must be non-empty"]),
        ("app/", ["name part must be non-empty", NAME_PART_REGEX]),
        ("/", ["prefix part must be non-empty", "name part must be non-empty", NAME_PART_REGEX]),
        ("Example.com/app", ["prefix part " + SUBDOMAIN_REGEX]),
        ("exa_mple.com/app", ["prefix part " + SUBDOMAIN_REGEX]),
        ("example.com./app", ["prefix part " + SUBDOMAIN_REGEX]),
        ("a" * 254 + "/x", ["prefix part must be no more than 253 bytes"]),
        ("-bad/-bad", ["prefix part " + SUBDOMAIN_REGEX, NAME_PART_REGEX]),
        # more than one slash: one message, nothing else checked
        ("a/b/c", [KEY_SLASHES]),
        ("//", [KEY_SLASHES]),
        ("example.com/a/", [KEY_SLASHES]),
    ],
    ids=[
        "empty",
        "leading-hyphen",
        "trailing-hyphen",
        "space",
        "trailing-newline",
        "name-64-bytes",
        "name-64-bytes-multibyte",
        "too-long-and-bad",
        "empty-prefix",
        "empty-name",
        "only-slash",
        "uppercase-prefix",
        "underscore-prefix",
        "prefix-trailing-dot",
        "prefix-254-bytes",
        "bad-prefix-and-name",
        "two-slashes",
        "only-slashes",
        "trailing-second-slash",
    ],
)
def test_label_key_errors(key: str, expected: list[str]) -> None:
    assert label_key_errors(key) == expected


# -- label values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("web", []),
        ("1.10", []),
        ("My_Value-1.0", []),
        ("a" * 63, []),
        ("-web", [VALUE_REGEX]),
        ("web.", [VALUE_REGEX]),
        ("a b", [VALUE_REGEX]),
        ("a/b", [VALUE_REGEX]),
        ("ü", [VALUE_REGEX]),
        ("web\n", [VALUE_REGEX]),
        ("a" * 64, ["must be no more than 63 bytes"]),
        ("_" * 64, ["must be no more than 63 bytes", VALUE_REGEX]),
    ],
    ids=[
        "empty",
        "plain",
        "version",
        "mixed",
        "63-bytes",
        "leading-hyphen",
        "trailing-dot",
        "space",
        "slash",
        "non-ascii",
        "trailing-newline",
        "64-bytes",
        "too-long-and-bad",
    ],
)
def test_label_value_errors(value: str, expected: list[str]) -> None:
    assert label_value_errors(value) == expected


# -- DNS-1123 names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("example.com", []),
        ("a", []),
        ("web-1.prod", []),
        ("0", []),
        ("a" * 253, []),
        ("", [SUBDOMAIN_REGEX]),
        ("Web", [SUBDOMAIN_REGEX]),
        ("my_policy", [SUBDOMAIN_REGEX]),
        ("-a", [SUBDOMAIN_REGEX]),
        ("a.", [SUBDOMAIN_REGEX]),
        ("a..b", [SUBDOMAIN_REGEX]),
        ("np\n", [SUBDOMAIN_REGEX]),
        ("a" * 254, ["must be no more than 253 bytes"]),
        ("A" * 254, ["must be no more than 253 bytes", SUBDOMAIN_REGEX]),
    ],
    ids=[
        "dotted",
        "one-char",
        "hyphen-and-dot",
        "digit",
        "253-bytes",
        "empty",
        "uppercase",
        "underscore",
        "leading-hyphen",
        "trailing-dot",
        "empty-label",
        "trailing-newline",
        "254-bytes",
        "too-long-and-bad",
    ],
)
def test_subdomain_errors(name: str, expected: list[str]) -> None:
    assert subdomain_errors(name) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("default", []),
        ("kube-system", []),
        ("123-abc", []),
        ("a" * 63, []),
        # a valid subdomain that is not a label: apimachinery says only what is wrong
        ("my.ns", ["must not contain dots"]),
        ("a" * 63 + ".b", ["must be no more than 63 bytes", "must not contain dots"]),
        ("", [LABEL_REGEX]),
        ("Prod", [LABEL_REGEX]),
        ("my_ns", [LABEL_REGEX]),
        ("-ns", [LABEL_REGEX]),
        ("ns-", [LABEL_REGEX]),
        ("My.NS", [LABEL_REGEX]),
        ("a" * 64, ["must be no more than 63 bytes"]),
    ],
    ids=[
        "default",
        "hyphen",
        "leading-digit",
        "63-bytes",
        "dots",
        "dots-and-too-long",
        "empty",
        "uppercase",
        "underscore",
        "leading-hyphen",
        "trailing-hyphen",
        "uppercase-with-dots",
        "64-bytes",
    ],
)
def test_namespace_name_errors(name: str, expected: list[str]) -> None:
    assert namespace_name_errors(name) == expected


# -- ports -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("port", "expected"),
    [
        (1, []),
        (80, []),
        (65535, []),
        (0, [PORT_RANGE]),
        (-1, [PORT_RANGE]),
        (65536, [PORT_RANGE]),
        (2**31, [PORT_RANGE]),
    ],
    ids=["min", "http", "max", "zero", "negative", "above-max", "huge"],
)
def test_port_number_errors(port: int, expected: list[str]) -> None:
    assert port_number_errors(port) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("http", []),
        ("h2", []),
        ("serve-80-tcp", []),
        ("a" * 15, []),
        # each rule of IsValidPortName alone
        ("a" * 16, [PORT_LONG]),
        ("web_1", [PORT_CHARSET]),
        ("80", [PORT_LETTER]),
        ("1-65535", [PORT_LETTER]),
        ("a--b", [PORT_DOUBLE_HYPHEN]),
        ("-web", [PORT_EDGE_HYPHEN]),
        ("web-", [PORT_EDGE_HYPHEN]),
        # several at once, in apimachinery's order
        ("HTTP", [PORT_CHARSET, PORT_LETTER]),
        ("", [PORT_CHARSET, PORT_LETTER]),
        ("-", [PORT_LETTER, PORT_EDGE_HYPHEN]),
        ("--", [PORT_LETTER, PORT_DOUBLE_HYPHEN, PORT_EDGE_HYPHEN]),
        ("-Very_Long--Port-Name-", [PORT_LONG, PORT_CHARSET, PORT_DOUBLE_HYPHEN, PORT_EDGE_HYPHEN]),
        ("--1234567890123--", [PORT_LONG, PORT_LETTER, PORT_DOUBLE_HYPHEN, PORT_EDGE_HYPHEN]),
        ("http\n", [PORT_CHARSET]),
        ("é" * 8, [PORT_LONG, PORT_CHARSET, PORT_LETTER]),  # 16 bytes: the limit counts bytes
    ],
    ids=[
        "plain",
        "letter-digit",
        "e2e-name",
        "15-bytes",
        "16-bytes",
        "underscore",
        "digits-only",
        "range-as-string",
        "double-hyphen",
        "leading-hyphen",
        "trailing-hyphen",
        "uppercase",
        "empty",
        "lone-hyphen",
        "two-hyphens",
        "four-rules",
        "four-rules-no-letter",
        "trailing-newline",
        "multibyte-16-bytes",
    ],
)
def test_port_name_errors(name: str, expected: list[str]) -> None:
    assert port_name_errors(name) == expected


# -- CIDRs -------------------------------------------------------------------------------------

# (text, network read, errors in strict mode, errors in lax mode); the network is what
# ParseCIDRSloppy reads (host bits masked), the same in both modes, or None if it does not parse.
CIDR_CASES = [
    ("10.0.0.0/8", "10.0.0.0/8", [], []),
    ("0.0.0.0/0", "0.0.0.0/0", [], []),
    ("10.1.2.3/32", "10.1.2.3/32", [], []),
    ("::/0", "::/0", [], []),
    ("2001:db8::/64", "2001:db8::/64", [], []),
    # IPv6 canonical form is not required for this legacy field
    ("2001:DB8:0::/64", "2001:db8::/64", [], []),
    ("2001:0db8:0000::/48", "2001:db8::/48", [], []),
    # not a CIDR at all
    ("10.0.0.1", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/33", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("2001:db8::/129", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("garbage", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("garbage/8", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("/8", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/-1", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/+8", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/255.0.0.0", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0/8", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("256.0.0.0/8", None, [CIDR_INVALID], [CIDR_INVALID]),
    (" 10.0.0.0/8", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/8\n", None, [CIDR_INVALID], [CIDR_INVALID]),
    ("10.0.0.0/٨", None, [CIDR_INVALID], [CIDR_INVALID]),  # an Arabic-Indic digit
    ("fe80::%eth0/64", None, [CIDR_INVALID], [CIDR_INVALID]),  # Go's ParseCIDR has no zones
    # leading zeros: octets and prefix length (ParseCIDRSloppy reads them as decimal)
    ("010.0.0.0/8", "10.0.0.0/8", [CIDR_LEADING_ZEROS], []),
    ("10.00.0.0/16", "10.0.0.0/16", [CIDR_LEADING_ZEROS], []),
    ("10.0.0.0/08", "10.0.0.0/8", [CIDR_LEADING_ZEROS], []),
    ("2001:db8::/064", "2001:db8::/64", [CIDR_LEADING_ZEROS], []),
    ("::ffff:010.0.0.0/104", "::ffff:10.0.0.0/104", [CIDR_LEADING_ZEROS], []),
    # IPv4-mapped IPv6
    ("::ffff:10.0.0.0/104", "::ffff:10.0.0.0/104", [CIDR_MAPPED], []),
    ("::ffff:10.0.0.0/64", "::/64", [CIDR_MAPPED], []),
    # host bits
    ("10.0.0.1/24", "10.0.0.0/24", [CIDR_HOST_BITS], []),
    ("2001:db8::1/64", "2001:db8::/64", [CIDR_HOST_BITS], []),
    # only the first failing strict check is reported (apimachinery's else-if chain)
    ("010.0.0.1/8", "10.0.0.0/8", [CIDR_LEADING_ZEROS], []),
    ("::ffff:10.0.0.1/104", "::ffff:10.0.0.0/104", [CIDR_MAPPED], []),
]


@pytest.mark.parametrize(
    ("text", "network", "strict_errors", "lax_errors"),
    CIDR_CASES,
    ids=[
        "v4",
        "v4-all",
        "v4-host",
        "v6-all",
        "v6",
        "v6-non-canonical",
        "v6-zero-groups",
        "bare-ip",
        "prefix-33",
        "prefix-129",
        "garbage",
        "garbage-with-prefix",
        "empty",
        "empty-prefix",
        "empty-address",
        "negative-prefix",
        "plus-prefix",
        "netmask-prefix",
        "three-octets",
        "octet-256",
        "leading-space",
        "trailing-newline",
        "non-ascii-digit",
        "v6-zone",
        "leading-zero-octet",
        "leading-zero-inner-octet",
        "leading-zero-prefix",
        "leading-zero-v6-prefix",
        "leading-zero-mapped",
        "v4-mapped",
        "v4-mapped-short-prefix",
        "host-bits-v4",
        "host-bits-v6",
        "leading-zero-and-host-bits",
        "mapped-and-host-bits",
    ],
)
def test_parse_cidr(text: str, network: str | None, strict_errors: list[str], lax_errors: list[str]) -> None:
    expected = None if network is None else ip_network(network)
    assert parse_cidr(text) == (expected, strict_errors)
    assert parse_cidr(text, strict=True) == (expected, strict_errors)
    assert parse_cidr(text, strict=False) == (expected, lax_errors)


# -- format_value: how a bad value prints ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("web", '"web"'),
        ("", '""'),
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        (80, "80"),
        (-1, "-1"),
        (1.5, "1.5"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (["Ingress", "Egress"], '["Ingress", "Egress"]'),
        (("a", 1), '["a", 1]'),
    ],
    ids=[
        "string",
        "empty-string",
        "quote",
        "backslash",
        "int",
        "negative",
        "float",
        "true",
        "false",
        "none",
        "list",
        "tuple",
    ],
)
def test_format_value(value: object, expected: str) -> None:
    assert format_value(value) == expected
