"""netsim.source's two composers give the same documents and the same errors.

Text without tags and anchors is composed by libyaml's C composer (``_compose_fast``), everything
else by the iterative composer (``_compose_events``), which also takes over from the fast one at
the first document the fast one cannot vouch for (an error, a limit). Every case here composes the
same text both ways, :func:`compose_documents` and the iterative composer alone, and compares the
node trees (tags, values, styles, start and end positions) and the error messages with their
file:line:col.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from netsim import source
from netsim.errors import InputError
from netsim.source import MAX_NESTING, Budget, Document, Limits, compose_documents
from tests.conftest import SCENARIOS

pytestmark = pytest.mark.skipif(source._CParser is None, reason="PyYAML without libyaml: one composer only")


def shape(root: yaml.Node | None) -> list[tuple[object, ...]]:
    """A node tree as a flat list, in document order, of everything a composer sets on each node
    and how many children it has (flat and iterative: trees may be deep)."""
    out: list[tuple[object, ...]] = []
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        start, end = node.start_mark, node.end_mark
        where = (type(node).__name__, node.tag, start.index, start.line, start.column, end.index, end.line, end.column)
        if isinstance(node, yaml.ScalarNode):
            out.append((*where, node.value, node.style))
            continue
        assert isinstance(node, yaml.SequenceNode | yaml.MappingNode)
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        out.append((*where, node.flow_style, len(children)))
        todo.extend(reversed(children))
    return out


def outcome(documents: Iterator[Document]) -> list[object]:
    """Every document (path, index, tree), then the error, if any, as the user sees it."""
    seen: list[object] = []
    try:
        seen.extend((doc.path, doc.index, shape(doc.root)) for doc in documents)
    except InputError as exc:
        seen.append(str(exc))
    return seen


class Handover:
    """Records where the iterative composer took over (``None``: it was not used)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.skipped: list[int] = []
        events = source._compose_events

        def record(label: str, text: str, budget: Budget, skip: int = 0) -> Iterator[Document]:
            self.skipped.append(skip)
            return events(label, text, budget, skip)

        monkeypatch.setattr(source, "_compose_events", record)
        self.events = events


@pytest.fixture
def handover(monkeypatch: pytest.MonkeyPatch) -> Handover:
    return Handover(monkeypatch)


def compare(text: str, handover: Handover, limits: Limits | None = None) -> list[object]:
    """Compose ``text`` both ways; assert the outcomes are equal and return it."""
    ours = outcome(compose_documents("p.yaml", text, limits))
    reference = outcome(handover.events("p.yaml", text, Budget(limits)))
    assert ours == reference
    return ours


# -- the fast composer builds what the iterative one builds ------------------------------------------

PLAIN = {
    "pod": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  namespace: shop\n  labels: {app: web, tier: front}\n"
        "spec:\n  containers:\n  - name: c\n    ports:\n    - {name: http, containerPort: 8080, protocol: TCP}\n"
        "status:\n  podIP: 10.0.0.1\n  podIPs:\n  - ip: 10.0.0.1\n"
    ),
    "scalars": "s: 'q'\nd: \"dq\"\ni: 10\no: 010\nx: 0x1F\nf: 1.10\nb: yes\nn: ~\nnull: null\nt: 2024-01-01\ne: ''\n"
    "m: <<\nv: =\nl: |\n  line\n  two\nfold: >-\n  x\n  y\n",
    "flow-and-block": "a: [1, {b: c}, [d, e]]\nf: {g: [h], i: {}}\nj:\n- k\n- - l\n  - m\n- n: o\n  p: []\n",
    "documents": "a: 1\n---\n- x\n--- 5\n...\n---\n---\n# only a comment\n",
    "empty": "",
    "comments-only": "# a\n# b\n",
    "explicit-keys": "? [a, b]\n: 1\n? c\n? {d: e}\n: f\n",
    "json": '{"kind": "Pod", "metadata": {"name": "x", "labels": {"a": "b"}}, "n": [1, 2.5, true, null]}',
    "crlf": "a: 1\r\nb:\r\n  - c\r\n",
    "unicode": "é: ü\nemoji: 😀\nnel: 'a\u0085b'\n",
    "ampersands-and-bangs-inside-values": "url: http://x/?a=1&b=2\nnote: hi!\nq: 'a&b'\nr: x!y\n",
    "duplicate-keys": "a: 1\na: 2\n",
    "merge-key": "a: {x: 1}\nb:\n  <<: {y: 2}\n  z: 3\n",
    "nested-64": "[" * 63 + "x" + "]" * 63,
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_plain_text_is_composed_by_libyaml_alone_with_the_same_nodes(text: str, handover: Handover) -> None:
    compare(text, handover)
    assert handover.skipped == []  # the iterative composer was not needed


def test_the_scenarios_compose_the_same_both_ways(handover: Handover) -> None:
    paths = sorted(Path(SCENARIOS).rglob("*.yaml"))
    assert paths
    for path in paths:
        compare(path.read_text(encoding="utf-8"), handover)


# -- tags and anchors: the iterative composer reads the whole text ----------------------------------

PROPERTIES = {
    "anchor-and-alias": "base: &b {x: 1}\nuse: *b\n",
    "anchor-in-flow": "a: [&x 1, *x]\n",
    "anchor-after-colon-in-flow": '{"a":&x 1, b: *x}\n',
    "anchor-after-question-mark": "{?&x a: b}\n",
    "anchor-at-the-start": "&x a: 1\n",
    "anchor-after-a-tab": "a:\t&x 1\nb: *x\n",
    "tag": "a: !!str 10\n",
    "tag-after-dash": "- !custom x\n",
    "local-tag-at-the-start": "!t {a: 1}\n",
    "python-tag": "a: !!python/object/apply:os.system ['true']\n",
    "verbatim-tag": "a: !<tag:yaml.org,2002:python/name:os.system> x\n",
    "non-specific-tag": "a: ! 10\n",
}


@pytest.mark.parametrize("text", PROPERTIES.values(), ids=PROPERTIES.keys())
def test_text_with_a_tag_or_an_anchor_goes_to_the_iterative_composer(text: str, handover: Handover) -> None:
    assert source._may_have_properties(text)
    compare(text, handover)
    assert handover.skipped == [0]


@pytest.mark.parametrize(
    "text",
    ["a: b&c\n", "a: x!\n", "url: http://h/p?x=1&y=2\n", "a: 'x&y!z'\n", "k: [a&b, c!d]\n", 'a: "Q&A"\n'],
)
def test_ampersands_and_bangs_inside_scalars_are_not_properties(text: str) -> None:
    assert not source._may_have_properties(text)


@pytest.mark.parametrize(
    "text",
    ["&a x", "!t x", "a: &x 1", "[&x 1]", "{a:&x 1}", "? &x", "- !t x", "a:\t!t x", "\ufeff&x a", "a: 'x'&b", "-&a"],
)
def test_every_place_a_token_can_start_is_a_possible_property(text: str) -> None:
    assert source._may_have_properties(text)


# -- errors and limits: the iterative composer takes over and reports -----------------------------

ERRORS: dict[str, tuple[str, Limits | None]] = {
    "syntax-error": ("a: [1, 2\nb: 3\n", None),
    "syntax-error-in-third-document": ("a: 1\n---\nb: 2\n---\nc: [\n", None),
    "mapping-value-not-allowed": ("a: 1\n---\na: b: c\n", None),
    "tab-indentation": ("a: 1\n---\na:\n\tb: 1\n", None),
    "undefined-alias": ("a: 1\n---\nb: *nowhere\n", None),
    "control-character": ("a: 1\n---\nb: x\x07y\n", None),
    "too-deep-for-the-limit": ("a: 1\n---\n" + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), None),
    "deep-block": ("- " * 600 + "x\n", None),
    "deeper-than-the-fast-composer-goes": ("a: 1\n---\n" + "[" * 100 + "]" * 100 + "\n---\nb: 2\n", None),
    "max-depth": ("a: 1\n---\n[[[[x]]]]\n", Limits(max_depth=3)),
    "max-depth-scalar-below-the-limit": ("[[[x]]]\n", Limits(max_depth=3)),
    "max-scalar-length-key": ("a: b\n---\nlonger: c\n", Limits(max_scalar_length=5)),
    "max-scalar-length-value": ("a: b\n---\nc: 123456\n", Limits(max_scalar_length=5)),
    "max-scalar-length-quoted": ("a: b\n---\nc: '123456'\n", Limits(max_scalar_length=5)),
    "max-documents": ("a: 1\n---\nb: 2\n---\nc: 3\n", Limits(max_documents=2)),
    "max-documents-empty": ("---\n---\n---\n", Limits(max_documents=0)),
    "unclosed-quote-at-the-end": ('a: 1\n---\nb: "x\n', None),
}


@pytest.mark.parametrize(("text", "limits"), ERRORS.values(), ids=ERRORS.keys())
def test_errors_and_limits_are_the_iterative_composers(text: str, limits: Limits | None, handover: Handover) -> None:
    assert not source._may_have_properties(text)
    compare(text, handover, limits)
    assert len(handover.skipped) == 1  # it took over once, after the documents the fast one read


def test_the_documents_before_a_problem_come_from_the_fast_composer(handover: Handover) -> None:
    text = "a: 1\n---\nb: 2\n---\nc: [\n"
    docs = compose_documents("p.yaml", text)
    assert [next(docs).index, next(docs).index] == [0, 1]
    assert handover.skipped == []
    with pytest.raises(InputError, match=r"p\.yaml:6:1: YAML syntax error"):
        next(docs)
    assert handover.skipped == [2]


def test_a_deep_document_is_read_in_a_thread_with_the_smallest_stack() -> None:
    """libyaml's composer recurses in C: it stops at 64 levels, well within 64 KiB of stack."""
    text = "[" * MAX_NESTING + "]" * MAX_NESTING + "\n---\n" + "- " * 400 + "x\n"
    found: list[object] = []
    previous = threading.stack_size(64 * 1024)
    try:
        thread = threading.Thread(target=lambda: found.append(outcome(compose_documents("p.yaml", text))))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(previous)
    assert found == [outcome(source._compose_events("p.yaml", text, Budget()))]


PIECES = [*"ab1:-[]{},?'\"\n #|>.~*&!%@`\t\u00e9", "0x1", "- ", ": ", "---\n", "  ", "<<"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.sampled_from([None, Limits(max_depth=2), Limits(max_scalar_length=3), Limits(max_documents=1)]),
)
def test_any_text_composes_the_same_both_ways(text: str, limits: Limits | None) -> None:
    ours = outcome(compose_documents("p.yaml", text, limits))
    assert ours == outcome(source._compose_events("p.yaml", text, Budget(limits)))


def test_the_fast_composer_is_used_only_where_libyaml_calls_its_hooks() -> None:
    assert source._CParser is not None
    assert source._hooks_are_called(source._CParser)

    class Silent(source._HookedParser):
        """A composer that gives nodes without calling the hooks the limits rely on."""

        def get_node(self) -> yaml.Node:
            return yaml.ScalarNode(source._STR_TAG, "x")

    assert not source._hooks_are_called(Silent)
