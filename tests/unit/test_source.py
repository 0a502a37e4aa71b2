"""netsim.source: finding input files and composing them into located YAML nodes.

Every message is pinned exactly, as a user sees it (``path:line:col: message``).
"""

from __future__ import annotations

import errno
import io
import os
import socket
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from netsim.errors import InputError, InputErrors, SourceSpan
from netsim.loader import load_cluster
from netsim.source import (
    MAX_NESTING,
    Budget,
    Document,
    Limits,
    compose_documents,
    discover,
    read_documents,
    span_of,
)


def write(path: Path, data: str | bytes) -> str:
    """Create ``path`` (and its parents) with ``data``; return it as a string."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_bytes(data.encode("utf-8"))
    return str(path)


def read_error(path: str, limits: Limits | None = None) -> str:
    """The one InputError reading ``path`` raises, as text."""
    with pytest.raises(InputError) as info:
        list(read_documents(path, limits))
    return str(info.value)


def compose_error(text: str) -> str:
    with pytest.raises(InputError) as info:
        list(compose_documents("p.yaml", text))
    return str(info.value)


# -- discover() ----------------------------------------------------------------------------------


def test_discover_walks_directories_recursively_in_sorted_order(tmp_path: Path) -> None:
    for name in ["b.yaml", "a.yml", "sub/c.json", "sub/deeper/d.yaml", "z/e.yaml"]:
        write(tmp_path / name, "{}")
    files, errors = discover([str(tmp_path)])
    assert errors == []
    assert [Path(f).relative_to(tmp_path).as_posix() for f in files] == [
        "a.yml",
        "b.yaml",
        "sub/c.json",
        "sub/deeper/d.yaml",
        "z/e.yaml",
    ]


def test_discover_filters_suffixes_and_skips_hidden_files_and_directories(tmp_path: Path) -> None:
    for name in [
        "keep.yaml",
        "notes.txt",
        "policy.yaml.bak",
        "README.md",
        ".hidden.yaml",
        ".git/x.yaml",
        "s/.h/y.yaml",
    ]:
        write(tmp_path / name, "{}")
    files, errors = discover([str(tmp_path)])
    assert errors == []
    assert files == [str(tmp_path / "keep.yaml")]


def test_discover_reads_a_named_file_whatever_its_suffix(tmp_path: Path) -> None:
    named = [write(tmp_path / "notes.txt", "{}"), write(tmp_path / ".hidden.yaml", "{}")]
    assert discover(named) == (named, [])


def test_discover_keeps_stdin(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "{}")
    assert discover(["-", a, "-"]) == (["-", a], [])


def test_discover_removes_duplicates_keeping_the_first(tmp_path: Path) -> None:
    a = write(tmp_path / "d" / "a.yaml", "{}")
    b = write(tmp_path / "d" / "b.yaml", "{}")
    link = tmp_path / "link.yaml"
    link.symlink_to(a)
    files, errors = discover([a, str(tmp_path / "d"), str(link), str(tmp_path / "d" / ".." / "d" / "a.yaml")])
    assert errors == []
    assert files == [a, b]


def test_discover_reports_a_missing_path(tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "{}")
    missing = str(tmp_path / "missing.yaml")
    files, errors = discover([missing, a])
    assert files == [a]
    assert [str(e) for e in errors] == [f"{missing}: no such file or directory"]


@pytest.mark.parametrize("content", [[], ["notes.txt", ".hidden.yaml"]], ids=["empty", "no-manifests"])
def test_discover_reports_a_directory_without_manifests(tmp_path: Path, content: list[str]) -> None:
    folder = tmp_path / "policies"
    folder.mkdir()
    for name in content:
        write(folder / name, "{}")
    files, errors = discover([str(folder)])
    assert files == []
    assert [str(e) for e in errors] == [f"{folder}: no *.yaml, *.yml, *.json files in directory"]


def test_discover_enforces_max_files(tmp_path: Path) -> None:
    for name in ["a.yaml", "b.yaml"]:
        write(tmp_path / name, "{}")
    files, errors = discover([str(tmp_path)], Limits(max_files=1))
    assert files == []  # nothing is read: the run fails anyway
    assert [str(e) for e in errors] == ["more than 1 input files (--max-files)"]
    assert discover([str(tmp_path)], Limits(max_files=2)) == ([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], [])


# -- read_documents(): bytes to text -------------------------------------------------------------


def test_read_documents_yields_every_document_with_its_index(tmp_path: Path) -> None:
    path = write(tmp_path / "m.yaml", "a: 1\n---\n# only a comment\n---\nb: [2]\n")
    docs = list(read_documents(path))
    assert [(d.path, d.index) for d in docs] == [(path, 0), (path, 1), (path, 2)]
    roots = [d.root for d in docs]
    assert isinstance(roots[0], yaml.MappingNode)
    assert isinstance(roots[1], yaml.ScalarNode)
    assert roots[1].tag == "tag:yaml.org,2002:null"  # an empty document
    assert isinstance(roots[2], yaml.MappingNode)
    assert span_of(path, roots[2]) == SourceSpan(path, 5, 1)


@pytest.mark.parametrize("text", ["", "# nothing here\n", "\n\n   \n"], ids=["empty", "comment", "blank"])
def test_read_documents_of_a_file_without_content_is_empty(tmp_path: Path, text: str) -> None:
    assert list(read_documents(write(tmp_path / "e.yaml", text))) == []


def test_read_documents_drops_a_utf8_bom(tmp_path: Path) -> None:
    path = write(tmp_path / "bom.yaml", b"\xef\xbb\xbfkind: Pod\n")
    (doc,) = read_documents(path)
    assert isinstance(doc.root, yaml.MappingNode)
    key, value = doc.root.value[0]
    assert (key.value, value.value) == ("kind", "Pod")
    assert span_of(path, key) == SourceSpan(path, 1, 1)


def test_read_documents_reads_crlf_line_ends(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.yaml", b"a: 1\r\nb: two\r\nc: [x]\r\n")
    (doc,) = read_documents(path)
    assert isinstance(doc.root, yaml.MappingNode)
    assert [(k.value, span_of(path, k).line) for k, _ in doc.root.value] == [("a", 1), ("b", 2), ("c", 3)]
    assert doc.root.value[1][1].value == "two"


def test_read_documents_locates_errors_in_crlf_files(tmp_path: Path) -> None:
    path = write(tmp_path / "crlf.yaml", b"a: 1\r\nb: 2\r\nc: @\r\n")
    assert read_error(path) == (
        f"{path}:3:4: YAML syntax error: found character that cannot start any token "
        "(while scanning for the next token)"
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a: 1\nb: \xff\n", "2:4: not valid UTF-8 (byte 0xff); save the file as UTF-8"),
        (b"\xc3\xa9: caf\xe9\n", "1:7: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),  # latin-1
        (b"a: 1\n\nb: \x00\n", "3:1: binary data (a NUL byte): not a YAML or JSON file"),
        (b"\xff\xfek\x00i\x00", "1:1: binary data (a NUL byte): not a YAML or JSON file"),  # UTF-16
    ],
    ids=["bad-byte", "latin1-column-in-characters", "nul", "utf16"],
)
def test_read_documents_rejects_bytes_that_are_not_utf8_text(tmp_path: Path, data: bytes, expected: str) -> None:
    path = write(tmp_path / "bad.yaml", data)
    assert read_error(path) == f"{path}:{expected}"


def test_read_documents_enforces_max_file_bytes(tmp_path: Path) -> None:
    fits = write(tmp_path / "fits.yaml", "a: 123456")  # 9 bytes
    too_big = write(tmp_path / "big.yaml", "a: 1234567")  # 10 bytes
    assert len(list(read_documents(fits, Limits(max_file_bytes=9)))) == 1
    assert read_error(too_big, Limits(max_file_bytes=9)) == (
        f"{too_big}:1:1: file is larger than the limit of 9 bytes (--max-file-bytes)"
    )


def test_read_documents_enforces_max_documents(tmp_path: Path) -> None:
    path = write(tmp_path / "many.yaml", "a: 1\n---\nb: 2\n---\nc: 3\n")
    read: list[Document] = []
    with pytest.raises(InputError) as info:
        read.extend(read_documents(path, Limits(max_documents=2)))
    assert len(read) == 2
    assert str(info.value) == f"{path}:4:1: more than 2 documents (--max-documents)"  # the third one's ---


def test_read_documents_of_a_directory(tmp_path: Path) -> None:
    assert read_error(str(tmp_path)) == f"{tmp_path}:1:1: is a directory"


def test_read_documents_of_a_missing_file(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.yaml")
    assert read_error(missing) == f"{missing}:1:1: cannot read: No such file or directory"


def test_read_documents_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"a: 1\n---\nb: @\n")))
    read: list[Document] = []
    with pytest.raises(InputError) as info:
        read.extend(read_documents("-"))
    assert [d.path for d in read] == ["<stdin>"]
    assert str(info.value) == (
        "<stdin>:3:4: YAML syntax error: found character that cannot start any token "
        "(while scanning for the next token)"
    )


# -- YAML syntax errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "a: [1, 2\nb: 3\n",
            "2:2: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)",
        ),
        ("{a: 1", "2:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping)"),
        ("a: b: c\n", "1:5: YAML syntax error: mapping values are not allowed in this context"),
        (
            "a:\n\tb: 1\n",
            "2:1: YAML syntax error: found character that cannot start any token (while scanning for the next token)"
            "\n  hint: YAML does not allow tabs in indentation: indent with spaces",
        ),
        ('a: "x\n', "2:1: YAML syntax error: found unexpected end of stream (while scanning a quoted scalar)"),
        (
            "- a\nb: 1\n",
            "2:1: YAML syntax error: did not find expected '-' indicator (while parsing a block collection)",
        ),
        ("a: 1\n---\nb: [\n", "4:1: YAML syntax error: did not find expected node content (while parsing a flow node)"),
        ("a: *nowhere\n", "1:4: YAML syntax error: found undefined alias 'nowhere'"),
        (
            "a: 1\nb: x\x07y\n",
            "2:5: YAML syntax error: unacceptable character #x0007: control characters are not allowed",
        ),
        ("é: x\x1b\n", "1:5: YAML syntax error: unacceptable character #x001b: control characters are not allowed"),
    ],
    ids=[
        "unclosed-flow-sequence",
        "unclosed-flow-mapping",
        "nested-mapping-on-one-line",
        "tab-indent",
        "unclosed-quote",
        "sequence-then-mapping",
        "error-in-second-document",
        "undefined-alias",
        "control-character",
        "control-character-after-non-ascii",
    ],
)
def test_yaml_syntax_errors_are_located(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "bad.yaml", text)
    assert read_error(path) == f"{path}:{expected}"


# -- composing: like yaml.compose_all, without its recursion ------------------------------------


def _shape(node: yaml.Node) -> object:
    """A node tree as plain data, with tags and positions, for comparing two composers."""
    where = (node.tag, node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return (where, node.value, node.style)
    if isinstance(node, yaml.SequenceNode):
        return (where, node.flow_style, [_shape(item) for item in node.value])
    assert isinstance(node, yaml.MappingNode)
    return (where, node.flow_style, [(_shape(k), _shape(v)) for k, v in node.value])


COMPOSE_CASES = {
    "block-and-flow": "a: 1\nb: [x, {c: d}]\nc:\n  - e\n  - f: g\n",
    "scalars": "s: 'q'\nd: \"dq\"\ni: 10\nf: 1.10\nb: yes\nn: ~\nt: 2024-01-01\nl: |\n  line\nfold: >\n  x\n",
    "anchors-and-merge": "base: &b {x: 1}\nuse: *b\nm:\n  <<: *b\n  y: 2\nlist: &l [1]\nagain: *l\n",
    "tags": "a: !!str 10\nb: !custom x\nc: !!binary aGVsbG8=\nd: !!set {x}\n",
    "explicit-key": "? [a, b]\n: 1\n? c\n",
    "documents": "a: 1\n---\n- x\n--- 5\n...\n---\n",
    "json": '{"kind": "Pod", "metadata": {"name": "x", "labels": {"a": "b"}}, "n": [1, 2.5, true, null]}',
    "comments-only-documents": "# a\n---\n# b\n---\nk: v\n",
    "crlf": "a: 1\r\nb:\r\n  - c\r\n",
}


@pytest.mark.parametrize("text", COMPOSE_CASES.values(), ids=COMPOSE_CASES.keys())
def test_compose_documents_builds_the_same_nodes_as_pyyaml(text: str) -> None:
    ours = [doc.root for doc in compose_documents("p.yaml", text)]
    theirs = list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    assert [_shape(n) for n in ours if n is not None] == [_shape(n) for n in theirs]


def test_compose_documents_keeps_aliases_shared() -> None:
    (doc,) = compose_documents("p.yaml", "a: &x [1]\nb: *x\n")
    assert isinstance(doc.root, yaml.MappingNode)
    assert doc.root.value[0][1] is doc.root.value[1][1]


def test_compose_documents_accepts_a_redefined_anchor() -> None:
    # YAML 1.2 and go-yaml (kubectl) let a later anchor replace an earlier one
    (doc,) = compose_documents("p.yaml", "a: &x 1\nb: &x 2\nc: *x\n")
    assert isinstance(doc.root, yaml.MappingNode)
    assert doc.root.value[2][1].value == "2"


def test_compose_documents_anchors_do_not_cross_documents() -> None:
    assert compose_error("a: &x 1\n---\nb: *x\n") == "p.yaml:3:4: YAML syntax error: found undefined alias 'x'"


def test_nesting_up_to_the_limit_is_read() -> None:
    text = "[" * MAX_NESTING + "]" * MAX_NESTING
    (doc,) = compose_documents("p.yaml", text)
    assert isinstance(doc.root, yaml.SequenceNode)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), f"p.yaml:1:{MAX_NESTING + 1}"),
        # libyaml's recursive composer would crash; newer libyaml's scanner stops at 1,000 levels
        ("[" * 200_000 + "]" * 200_000, (f"p.yaml:1:{MAX_NESTING + 1}", "p.yaml:1:1001")),
        ("- " * 100_000 + "x\n", f"p.yaml:1:{2 * MAX_NESTING + 1}"),
        ("a: " + "{b: " * 1000 + "1" + "}" * 1000, f"p.yaml:1:{4 + 4 * (MAX_NESTING - 1)}"),
    ],
    ids=["one-too-deep", "flow-200000", "block-100000", "mappings-1000"],
)
def test_deep_nesting_is_an_error_not_a_crash(text: str, expected: str | tuple[str, ...]) -> None:
    places = (expected,) if isinstance(expected, str) else expected
    messages = {f"{at}: YAML nesting deeper than {MAX_NESTING} levels (--max-depth)" for at in places}
    assert compose_error(text) in messages


# -- YAML tags: composed, never constructed ------------------------------------------------------

PYTHON_TAG_MESSAGE = "is not allowed (netsim never constructs objects from tags)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object/apply:os.system ['{cmd}']\n", "1:4: YAML tag !!python/object/apply:os.system"),
        ("a: !!python/object/new:os.system ['{cmd}']\n", "1:4: YAML tag !!python/object/new:os.system"),
        ("a: !!python/name:os.system x\n", "1:4: YAML tag !!python/name:os.system"),
        ("a: !!python/object:os.system {{}}\n", "1:4: YAML tag !!python/object:os.system"),
        ("a: !!python/module:os x\n", "1:4: YAML tag !!python/module:os"),
        ("a: !!python/tuple [1]\n", "1:4: YAML tag !!python/tuple"),
        (
            "a: !<tag:yaml.org,2002:python/object/apply:os.system> ['{cmd}']\n",
            "1:4: YAML tag !!python/object/apply:os.system",
        ),
        (
            "%TAG !py! tag:yaml.org,2002:python/\n---\nb:\n  - !py!object/apply:os.system ['{cmd}']\n",
            "4:5: YAML tag !!python/object/apply:os.system",
        ),
        (
            "a: 1\n---\nkey:\n  ? !!python/object/apply:os.system ['{cmd}']\n",
            "4:5: YAML tag !!python/object/apply:os.system",
        ),
    ],
    ids=["apply", "new", "name", "object", "module", "tuple", "verbatim", "tag-directive", "key-in-second-document"],
)
def test_python_tags_are_rejected_and_never_run(tmp_path: Path, text: str, expected: str) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path / "evil.yaml", text.format(cmd=f"touch {marker}"))
    assert read_error(path) == f"{path}:{expected} {PYTHON_TAG_MESSAGE}"
    assert not marker.exists()


def test_python_tags_are_errors_in_read_and_ignored_fields_alike(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    cmd = f"!!python/object/apply:os.system ['touch {marker}']"
    read_field = write(
        tmp_path / "a-pod.yaml",
        f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: {cmd}\n",
    )
    ignored_field = write(
        tmp_path / "b-policy.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np\n"
        f"  annotations:\n    note: {cmd}\nspec: {{}}\n",
    )
    ignored_kind = write(tmp_path / "c-configmap.yaml", f"apiVersion: v1\nkind: ConfigMap\ndata:\n  x: {cmd}\n")
    with pytest.raises(InputErrors) as info:
        load_cluster([str(tmp_path)])
    assert [str(e) for e in info.value.exceptions] == [
        f"{read_field}:6:10: YAML tag !!python/object/apply:os.system {PYTHON_TAG_MESSAGE}",
        f"{ignored_field}:6:11: YAML tag !!python/object/apply:os.system {PYTHON_TAG_MESSAGE}",
        f"{ignored_kind}:4:6: YAML tag !!python/object/apply:os.system {PYTHON_TAG_MESSAGE}",
    ]
    assert not marker.exists()


def test_other_tags_are_composed_not_constructed() -> None:
    (doc,) = compose_documents("p.yaml", "a: !!binary aGVsbG8=\nb: !custom {x: 1}\nc: !!timestamp 2024-01-01\n")
    assert isinstance(doc.root, yaml.MappingNode)
    assert [(v.tag, type(v).__name__) for _, v in doc.root.value] == [
        ("tag:yaml.org,2002:binary", "ScalarNode"),
        ("!custom", "MappingNode"),
        ("tag:yaml.org,2002:timestamp", "ScalarNode"),
    ]


# -- unrendered Helm charts ------------------------------------------------------------------------

HELM_HINT = (
    "netsim reads the manifests a cluster receives, so render the chart first "
    "(helm template RELEASE CHART > rendered.yaml)"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
            "4:9: unrendered Helm template {{ .Values.name }}",
            id="value-is-an-action",
        ),
        pytest.param(
            "# render {{ .Values.x }} first\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web-{{ .Release.Name }}\n",
            "5:13: unrendered Helm template {{ .Release.Name }}",
            id="helm-object-inside-a-string",
        ),
        pytest.param(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n{{- if .Values.host }}\n  hostNetwork: true\n"
            "{{- end }}\n",
            "5:1: unrendered Helm template {{- if .Values.host }}",
            id="control-structure",
        ),
        pytest.param(
            'a: 1\n---\nlabels:\n  {{- include "chart.labels" . | nindent 4 }}\n',
            '4:3: unrendered Helm template {{- include "chart.labels" . | nindent 4 }}',
            id="include-in-second-document",
        ),
    ],
)
def test_unrendered_helm_templates_are_reported(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path / "chart.yaml", text)
    assert read_error(path) == f"{path}:{expected}: {HELM_HINT}"


RENDERED_TEMPLATE_DATA = """\
# a comment may mention {{ .Values.replicas }}
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: {name: rules}
spec:
  groups:
  - rules:
    - alert: PodDown
      annotations:
        description: Pod {{ $labels.namespace }}/{{ $labels.pod }} is down.
        summary: "{{ .Labels.alertname }} on {{ $value }}"
---
apiVersion: v1
kind: ConfigMap
metadata: {name: alertmanager-templates}
data:
  slack.tmpl: |
    {{ define "slack.title" }}{{ range .Alerts }}{{ .Labels.alertname }}{{ end }}{{ end }}
    {{ template "slack.title" . }}
"""


def test_template_text_that_is_data_is_not_a_helm_chart(tmp_path: Path) -> None:
    path = write(tmp_path / "monitoring.yaml", RENDERED_TEMPLATE_DATA)
    assert [d.index for d in read_documents(path)] == [0, 1]


# -- hostile input: bounded work, clear refusals (docs/security.md) -----------------------------


def laughs(levels: int, fan_out: int = 10) -> str:
    """The "billion laughs": each level a list of ``fan_out`` aliases of the one before."""
    lines = ["a0: &a0 [lol]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan_out)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_at_the_alias_that_crosses_the_limit() -> None:
    # 10**9 nodes if expanded; counting them takes one step per distinct node
    assert compose_error(laughs(9)) == "p.yaml:7:25: YAML aliases stand for more than 1000000 nodes (--max-alias-nodes)"


def test_aliases_are_counted_as_the_nodes_they_stand_for() -> None:
    text = laughs(3)  # *a0 stands for 2 nodes, *a1 for 21, *a2 for 211: 10 of each
    assert len(list(compose_documents("p.yaml", text, Limits(max_alias_nodes=2340)))) == 1
    with pytest.raises(InputError, match="more than 2339 nodes"):
        list(compose_documents("p.yaml", text, Limits(max_alias_nodes=2339)))


def test_small_shared_structures_keep_working() -> None:
    text = "base: &b {app: web, tier: front}\n" + "".join(f"m{i}: {{<<: *b, n: '{i}'}}\n" for i in range(1000))
    (doc,) = compose_documents("p.yaml", text)
    assert isinstance(doc.root, yaml.MappingNode)
    assert len(doc.root.value) == 1001


def test_the_alias_budget_is_shared_by_the_files_of_a_run() -> None:
    budget = Budget(Limits(max_alias_nodes=40))
    assert len(list(compose_documents("a.yaml", laughs(1), budget=budget))) == 1  # 10 aliases of 2 nodes
    assert budget.alias_nodes == 20
    with pytest.raises(InputError) as info:
        list(compose_documents("b.yaml", laughs(1) + "b: [*a1]\n", budget=budget))
    assert str(info.value) == "b.yaml:3:5: YAML aliases stand for more than 40 nodes (--max-alias-nodes)"


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: &a [*a]\n", "1:8"),
        ("a: &a {b: [c, {d: *a}]}\n", "1:19"),
        ("- &s\n  - x\n  - *s\n", "3:5"),
    ],
    ids=["list", "nested", "block"],
)
def test_recursive_aliases_are_refused(text: str, where: str) -> None:
    name = "a" if "&a" in text else "s"
    assert compose_error(text) == (
        f"p.yaml:{where}: YAML alias *{name} is inside the node its anchor names (a recursive alias)"
    )


def test_an_alias_inside_a_redefinition_of_its_anchor_is_recursive() -> None:
    # the anchor names the node it is written on from the start of that node (YAML, PyYAML, go-yaml)
    assert compose_error("a: &x [1]\nb: &x [*x]\n") == (
        "p.yaml:2:8: YAML alias *x is inside the node its anchor names (a recursive alias)"
    )


def test_max_depth_is_adjustable() -> None:
    deep = "[" * 1000 + "]" * 1000
    (doc,) = compose_documents("p.yaml", deep, Limits(max_depth=1000))
    assert isinstance(doc.root, yaml.SequenceNode)
    with pytest.raises(InputError, match=r"p.yaml:1:4: YAML nesting deeper than 3 levels \(--max-depth\)"):
        list(compose_documents("p.yaml", deep, Limits(max_depth=3)))


def test_long_scalars_up_to_the_limit() -> None:
    value = "x" * (4 * 1024 * 1024)
    (doc,) = compose_documents("p.yaml", f"a: {value}\n")
    assert isinstance(doc.root, yaml.MappingNode)
    assert doc.root.value[0][1].value == value
    assert compose_error(f"a: {value}x\n") == (
        "p.yaml:1:4: a YAML scalar longer than the limit of 4194304 characters (--max-scalar-length)"
    )


def test_keys_are_scalars_too() -> None:
    with pytest.raises(InputError, match=r"p\.yaml:2:1: a YAML scalar longer than the limit of 5 characters"):
        list(compose_documents("p.yaml", "a: b\nlonger: c\n", Limits(max_scalar_length=5)))


def test_many_documents_are_read_quickly() -> None:
    docs = list(compose_documents("p.yaml", "---\n" * 100_000))
    assert len(docs) == 100_000
    assert {d.root.tag for d in docs if d.root is not None} == {"tag:yaml.org,2002:null"}


def test_max_total_bytes_counts_every_file_of_a_run(tmp_path: Path) -> None:
    a, b = write(tmp_path / "a.yaml", "a: 12345\n"), write(tmp_path / "b.yaml", "b: 12345\n")  # 9 bytes each
    budget = Budget(Limits(max_total_bytes=17))
    assert len(list(read_documents(a, budget=budget))) == 1
    with pytest.raises(InputError) as info:
        list(read_documents(b, budget=budget))
    assert str(info.value) == (
        f"{b}:1:1: the input files together are larger than the limit of 17 bytes (--max-total-bytes)"
    )


def test_a_file_larger_than_the_limit_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as fh:  # 200 MB, sparse: nothing is on the disk
        fh.truncate(200 * 1024 * 1024)
    opened = os.fdopen

    class Unread:
        def __init__(self, fd: int, mode: str) -> None:
            self.file = opened(fd, mode)

        def __enter__(self) -> Unread:
            return self

        def __exit__(self, *_exc: object) -> None:
            self.file.close()

        def read(self, *_args: object) -> bytes:
            pytest.fail("the file was read")

    monkeypatch.setattr(os, "fdopen", Unread)
    assert read_error(str(big), Limits(max_file_bytes=100 * 1024 * 1024)) == (
        f"{big}:1:1: file is larger than the limit of 104857600 bytes (--max-file-bytes)"
    )


def test_a_200_megabyte_binary_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "disk.img"
    with open(big, "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    assert read_error(str(big)) == f"{big}:1:1: binary data (a NUL byte): not a YAML or JSON file"


def unix_socket(path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # the socket file stays after the socket is closed


@pytest.mark.parametrize("make", [os.mkfifo, unix_socket], ids=["fifo", "socket"])
def test_special_files_are_refused_without_opening_them(tmp_path: Path, make: Callable[[Path], object]) -> None:
    special = tmp_path / "special.yaml"
    make(special)
    kind = "a named pipe" if stat.S_ISFIFO(os.stat(special).st_mode) else "a socket"
    assert read_error(str(special)) == (
        f"{special}:1:1: not a regular file ({kind}): netsim reads files, directories and - (standard input)"
    )


def test_a_directory_link_loop_is_not_followed(tmp_path: Path) -> None:
    a = write(tmp_path / "d" / "a.yaml", "{}")
    (tmp_path / "d" / "again").symlink_to(tmp_path / "d")  # d/again/again/... would never end
    (tmp_path / "d" / "up.yaml").symlink_to(tmp_path)  # a link to a directory, named like a manifest
    assert discover([str(tmp_path / "d")]) == ([a], [])


def test_a_linked_directory_named_explicitly_is_read(tmp_path: Path) -> None:
    write(tmp_path / "real" / "a.yaml", "{}")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert discover([str(tmp_path / "link")]) == ([str(tmp_path / "link" / "a.yaml")], [])


def test_a_symlink_loop_named_explicitly(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    files, errors = discover([str(loop)])
    assert files == []
    assert [str(e) for e in errors] == [f"{loop}: too many levels of symbolic links (a symbolic link loop)"]


def test_an_unreadable_directory_is_one_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:  # root lists anything: raise what the OS raises for others

        def refuse(path: object = ".") -> object:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

        monkeypatch.setattr(os, "scandir", refuse)
    else:
        folder.chmod(0)
    try:
        files, errors = discover([str(folder)])
    finally:
        monkeypatch.undo()
        folder.chmod(0o700)
    assert files == []
    assert [str(e) for e in errors] == [f"{folder}: cannot list directory: permission denied"]


def test_thousands_of_files_load_quickly(tmp_path: Path) -> None:
    for i in range(3000):
        write(
            tmp_path / f"team-{i % 30}" / f"pod-{i:04}.yaml",
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: team-{i % 30}\n",
        )
    started = time.monotonic()
    result = load_cluster([str(tmp_path)])
    assert len(result.cluster.pods) == 3000
    assert len(result.files) == 3000
    assert time.monotonic() - started < 30  # about a second; generous for a busy CI machine
