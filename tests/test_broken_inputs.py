"""Every way an input can be broken, hostile or unreadable, in one table: the exact stderr.

Each row is a set of files (written to a fresh working directory), a command line, and the lines
netsim must print on stderr. Every row exits with status 2 and prints nothing on stdout: input is
either processed or refused with an error naming the file (and line, where there is one) and the
option that adjusts the limit it hit. The limits and what they protect are in docs/security.md.

Rows that need an unreadable path get it from chmod when the tests run as an ordinary user; root
reads everything, so as root the same error is raised where the OS would raise it (monkeypatched).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import main
from netsim.source import MAX_NESTING

AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

POD = b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
NP = b"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np}\nspec:\n"
LAUGHS = b"a0: &a0 [lol]\n" + b"".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n".encode() for i in range(1, 10)
)
NOT_A_FILE = "netsim reads files, directories and - (standard input)"
HELM = (
    "netsim reads the manifests a cluster receives, so render the chart first "
    "(helm template RELEASE CHART > rendered.yaml)"
)
ONE = "netsim: 1 input error; nothing was evaluated"


def errors(*lines: str) -> tuple[str, ...]:
    """The stderr of a run whose inputs have these errors (hint lines included as they are)."""
    count = sum(1 for line in lines if not line.startswith("  hint: "))
    return (
        *(line if line.startswith("  hint: ") else f"error: {line}" for line in lines),
        f"netsim: {count} input error{'s' if count > 1 else ''}; nothing was evaluated",
    )


Prepare = Callable[[Path, pytest.MonkeyPatch], None]


@dataclass(frozen=True)
class Broken:
    id: str
    files: Mapping[str, bytes]
    args: tuple[str, ...]
    stderr: tuple[str, ...]
    prepare: Prepare | None = field(default=None)
    stdin: bytes | None = None


# -- special files -----------------------------------------------------------------------------------


def symlink_loop(name: str) -> Prepare:
    """``name`` and ``x-name``, two links to each other."""

    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> None:
        link, other = tmp / name, (tmp / name).with_name("x-" + Path(name).name)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(other.name)
        other.symlink_to(link.name)

    return prepare


def dangling(name: str) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> None:
        (tmp / name).symlink_to("gone.yaml")

    return prepare


def fifo(name: str) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> None:
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(tmp / name)

    return prepare


def denied(path: str) -> OSError:
    return PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)


def unreadable_file(name: str) -> Prepare:
    def prepare(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        if not AS_ROOT:
            (tmp / name).chmod(0)
            return
        real_open = os.open

        def fake_open(path: str, flags: int, *args: int) -> int:
            if str(path).endswith(name):
                raise denied(str(path))
            return real_open(path, flags, *args)

        monkeypatch.setattr(os, "open", fake_open)

    return prepare


def unreadable_dir(name: str) -> Prepare:
    def prepare(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp / name).mkdir(parents=True)
        if not AS_ROOT:
            (tmp / name).chmod(0)
            return
        real_scandir = os.scandir

        def fake_scandir(path: str = ".") -> object:
            if os.fspath(path) == name:
                raise denied(name)
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", fake_scandir)

    return prepare


def read_only_dir(name: str) -> Prepare:
    def prepare(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp / name).mkdir()
        if not AS_ROOT:
            (tmp / name).chmod(0o500)
            return

        def fake_mkstemp(*_args: object, dir: str | None = None, **_kwargs: object) -> tuple[int, str]:
            raise denied(str(dir))

        monkeypatch.setattr(tempfile, "mkstemp", fake_mkstemp)

    return prepare


def disk_full(tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_replace(*_args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", fake_replace)


def a_directory(name: str) -> Prepare:
    def prepare(tmp: Path, _: pytest.MonkeyPatch) -> None:
        (tmp / name).mkdir()

    return prepare


# -- the table -------------------------------------------------------------------------------------

CASES = [
    # paths: missing, empty, looping, special, unreadable
    Broken("missing-file", {}, ("connections", "nope.yaml"), errors("nope.yaml: no such file or directory")),
    Broken(
        "directory-without-manifests",
        {"d/notes.txt": b"x", "d/.hidden.yaml": POD},
        ("connections", "d"),
        errors("d: no *.yaml, *.yml, *.json files in directory"),
    ),
    Broken(
        "symlink-loop-named",
        {},
        ("connections", "loop.yaml"),
        errors("loop.yaml: too many levels of symbolic links (a symbolic link loop)"),
        symlink_loop("loop.yaml"),
    ),
    Broken(
        "symlink-loop-in-directory",
        {"d/ok.yaml": POD},
        ("connections", "d"),
        (
            "error: d/loop.yaml:1:1: cannot read: Too many levels of symbolic links (a symbolic link loop)",
            "error: d/x-loop.yaml:1:1: cannot read: Too many levels of symbolic links (a symbolic link loop)",
            "netsim: 2 input errors; nothing was evaluated",
        ),
        symlink_loop("d/loop.yaml"),
    ),
    Broken(
        "dangling-symlink",
        {},
        ("connections", "link.yaml"),
        errors("link.yaml: no such file or directory"),
        dangling("link.yaml"),
    ),
    Broken(
        "fifo-named",
        {},
        ("connections", "pipe.yaml"),
        errors(f"pipe.yaml:1:1: not a regular file (a named pipe): {NOT_A_FILE}"),
        fifo("pipe.yaml"),
    ),
    Broken(
        "fifo-in-directory",
        {"d/ok.yaml": POD},
        ("connections", "d"),
        errors(f"d/pipe.yaml:1:1: not a regular file (a named pipe): {NOT_A_FILE}"),
        fifo("d/pipe.yaml"),
    ),
    Broken(
        "device",
        {},
        ("connections", "/dev/zero"),
        errors(f"/dev/zero:1:1: not a regular file (a character device): {NOT_A_FILE}"),
    ),
    Broken(
        "unreadable-file",
        {"secret.yaml": POD},
        ("connections", "secret.yaml"),
        errors("secret.yaml:1:1: cannot read: Permission denied"),
        unreadable_file("secret.yaml"),
    ),
    Broken(
        "unreadable-directory",
        {"d/ok.yaml": POD},
        ("connections", "d"),
        errors("d/locked: cannot list directory: permission denied"),
        unreadable_dir("d/locked"),
    ),
    # limits, each with the option that adjusts it
    Broken(
        "max-file-bytes",
        {"big.yaml": POD},
        ("connections", "big.yaml", "--max-file-bytes", "40"),
        errors("big.yaml:1:1: file is larger than the limit of 40 bytes (--max-file-bytes)"),
    ),
    Broken(
        "max-total-bytes",
        {"a.yaml": POD, "b.yaml": POD.replace(b"web", b"db")},
        ("connections", "a.yaml", "b.yaml", "--max-total-bytes", "80"),
        errors("b.yaml:1:1: the input files together are larger than the limit of 80 bytes (--max-total-bytes)"),
    ),
    Broken(
        "max-files",
        {"d/a.yaml": POD, "d/b.yaml": POD, "d/c.yaml": POD},
        ("connections", "d", "--max-files", "2"),
        errors("more than 2 input files (--max-files)"),
    ),
    Broken(
        "max-documents",
        {"many.yaml": b"---\n---\n---\n"},
        ("connections", "many.yaml", "--max-documents", "2"),
        errors("many.yaml:3:1: more than 2 documents (--max-documents)"),
    ),
    Broken(
        "max-depth-default",
        {"deep.yaml": b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1)},
        ("connections", "deep.yaml"),
        errors(f"deep.yaml:1:{MAX_NESTING + 1}: YAML nesting deeper than {MAX_NESTING} levels (--max-depth)"),
    ),
    Broken(
        "max-depth",
        {"deep.yaml": POD + b"spec: {containers: [{ports: [{}]}]}\n"},
        ("connections", "deep.yaml", "--max-depth", "4"),
        errors("deep.yaml:5:29: YAML nesting deeper than 4 levels (--max-depth)"),
    ),
    Broken(
        "max-scalar-length",
        {"long.yaml": POD.replace(b"web", b"web-frontend")},
        ("connections", "long.yaml", "--max-scalar-length", "10"),
        errors("long.yaml:4:9: a YAML scalar longer than the limit of 10 characters (--max-scalar-length)"),
    ),
    Broken(
        "billion-laughs",
        {"lol.yaml": LAUGHS},
        ("connections", "lol.yaml"),
        errors("lol.yaml:7:25: YAML aliases stand for more than 1000000 nodes (--max-alias-nodes)"),
    ),
    Broken(
        "max-alias-nodes",
        {"merge.yaml": POD + b"  labels: &l {app: web, tier: front}\n  annotations: *l\n"},
        ("connections", "merge.yaml", "--max-alias-nodes", "4"),
        errors("merge.yaml:6:16: YAML aliases stand for more than 4 nodes (--max-alias-nodes)"),
    ),
    Broken(
        "max-errors",
        {"bad.yaml": POD + b"  labels: {a: 1, b: 2, c: 3}\n"},
        ("connections", "bad.yaml", "--max-errors", "2"),
        (
            "error: 2 errors: netsim stopped reading there (--max-errors)",
            "error: bad.yaml:5:15: metadata.labels.a: Invalid type: expected string, got integer 1",
            '  hint: quote it: "1" (YAML reads an unquoted 1 as an integer)',
            "error: bad.yaml:5:21: metadata.labels.b: Invalid type: expected string, got integer 2",
            '  hint: quote it: "2" (YAML reads an unquoted 2 as an integer)',
            "netsim: 3 input errors; nothing was evaluated",
        ),
    ),
    # YAML that must never be obeyed
    Broken(
        "recursive-alias",
        {"self.yaml": POD.replace(b"metadata:", b"metadata: &m") + b"  <<: *m\n"},
        ("connections", "self.yaml"),
        errors("self.yaml:5:7: YAML alias *m is inside the node its anchor names (a recursive alias)"),
    ),
    Broken(
        "undefined-alias",
        {"alias.yaml": POD + b"  labels: *nowhere\n"},
        ("connections", "alias.yaml"),
        errors("alias.yaml:5:11: YAML syntax error: found undefined alias 'nowhere'"),
    ),
    Broken(
        "python-tag",
        {"evil.yaml": POD + b"  labels: !!python/object/apply:os.system ['touch pwned']\n"},
        ("connections", "evil.yaml"),
        errors(
            "evil.yaml:5:11: YAML tag !!python/object/apply:os.system is not allowed "
            "(netsim never constructs objects from tags)"
        ),
    ),
    Broken(
        "helm-template",
        {"chart.yaml": b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n"},
        ("connections", "chart.yaml"),
        errors(f"chart.yaml:4:9: unrendered Helm template {{{{ .Values.name }}}}: {HELM}"),
    ),
    # bytes that are not YAML text
    Broken(
        "binary-file",
        {"logo.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
        ("connections", "logo.png"),
        errors("logo.png:3:1: binary data (a NUL byte): not a YAML or JSON file"),
    ),
    Broken(
        "nul-byte",
        {"nul.yaml": POD + b"  labels: {a: \x00}\n"},
        ("connections", "nul.yaml"),
        errors("nul.yaml:5:1: binary data (a NUL byte): not a YAML or JSON file"),
    ),
    Broken(
        "utf16",
        {"utf16.yaml": "\ufeffkind: Pod\n".encode("utf-16-le")},
        ("connections", "utf16.yaml"),
        errors("utf16.yaml:1:1: binary data (a NUL byte): not a YAML or JSON file"),
    ),
    Broken(
        "latin1",
        {"latin1.yaml": POD + "  labels: {owner: José}\n".encode("latin-1")},
        ("connections", "latin1.yaml"),
        errors("latin1.yaml:5:22: not valid UTF-8 (byte 0xe9); save the file as UTF-8"),
    ),
    Broken(
        "control-character",
        {"bell.yaml": POD + b"  labels: {a: b\x07}\n"},
        ("connections", "bell.yaml"),
        errors("bell.yaml:5:16: YAML syntax error: unacceptable character #x0007: control characters are not allowed"),
    ),
    Broken(
        "tab-indentation",
        {"tabs.yaml": POD + b"  labels:\n\tapp: web\n"},
        ("connections", "tabs.yaml"),
        errors(
            "tabs.yaml:6:1: YAML syntax error: found character that cannot start any token "
            "(while scanning for the next token)",
            "  hint: YAML does not allow tabs in indentation: indent with spaces",
        ),
    ),
    Broken(
        "unclosed-flow",
        {"flow.yaml": b"apiVersion: v1\nkind: Pod\nmetadata: {name: [web\n"},
        ("connections", "flow.yaml"),
        errors("flow.yaml:4:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence)"),
    ),
    Broken(
        "stdin",
        {},
        ("connections", "-"),
        errors("<stdin>:2:1: binary data (a NUL byte): not a YAML or JSON file"),
        stdin=b"kind: Pod\n\x00",
    ),
    # type confusion: the API server's error, never an exception
    Broken(
        "document-is-a-list",
        {"list.yaml": b"- kind: Pod\n"},
        ("connections", "list.yaml"),
        errors(
            "list.yaml:1:1: a document must be a Kubernetes object (a mapping with kind and apiVersion), not a list"
        ),
    ),
    Broken(
        "kind-is-a-list",
        {"kind.yaml": b"apiVersion: v1\nkind: [Pod]\n"},
        ("connections", "kind.yaml"),
        errors("kind.yaml:2:7: kind: Invalid type: expected string, got a list"),
    ),
    Broken(
        "metadata-is-a-list",
        {"meta.yaml": b"apiVersion: v1\nkind: Pod\nmetadata: [web]\n"},
        ("connections", "meta.yaml"),
        errors("meta.yaml:3:11: metadata: Invalid type: expected a mapping, got a list"),
    ),
    Broken(
        "name-is-a-number",
        {"name.yaml": b"apiVersion: v1\nkind: Pod\nmetadata: {name: 5}\n"},
        ("connections", "name.yaml"),
        errors(
            "name.yaml:3:18: metadata.name: Invalid type: expected string, got integer 5",
            '  hint: quote it: "5" (YAML reads an unquoted 5 as an integer)',
        ),
    ),
    Broken(
        "labels-yes-and-1.10",
        {"labels.yaml": POD + b"  labels: {enabled: yes, version: 1.10}\n"},
        ("connections", "labels.yaml"),
        errors(
            "labels.yaml:5:21: metadata.labels.enabled: Invalid type: expected string, got boolean yes",
            '  hint: quote it: "yes" (YAML reads an unquoted yes as a boolean)',
            "labels.yaml:5:35: metadata.labels.version: Invalid type: expected string, got number 1.10",
            '  hint: quote it: "1.10" (YAML reads an unquoted 1.10 as a number)',
        ),
    ),
    Broken(
        "labels-are-a-list",
        {"ns.yaml": b"apiVersion: v1\nkind: Namespace\nmetadata: {name: ns, labels: [a, b]}\n"},
        ("connections", "ns.yaml"),
        errors("ns.yaml:3:30: metadata.labels: Invalid type: expected a mapping, got a list"),
    ),
    Broken(
        "label-key-is-a-list",
        {"key.yaml": POD + b"  labels: {? [a]: b}\n"},
        ("connections", "key.yaml"),
        errors("key.yaml:5:14: metadata.labels: Invalid type: a mapping key must be a string"),
    ),
    Broken(
        "merge-of-a-number",
        {"merge.yaml": POD + b"  labels: {<<: 5}\n"},
        ("connections", "merge.yaml"),
        errors("merge.yaml:5:16: metadata.labels: Invalid type: expected a mapping, got integer 5"),
    ),
    Broken(
        "spec-is-a-list",
        {"np.yaml": NP + b"  - 1\n"},
        ("connections", "np.yaml"),
        errors("np.yaml:5:3: spec: Invalid type: expected a mapping, got a list"),
    ),
    Broken(
        "selector-is-a-string",
        {"np.yaml": NP + b"  podSelector: app=web\n"},
        ("connections", "np.yaml"),
        errors("np.yaml:5:16: spec.podSelector: Invalid type: expected a mapping, got string 'app=web'"),
    ),
    Broken(
        "null-peer-selector",
        {"np.yaml": NP + b"  podSelector: null\n  ingress:\n  - from:\n    - podSelector: null\n"},
        ("connections", "np.yaml"),
        errors("np.yaml:8:7: spec.ingress[0].from[0]: Required value: must specify a peer"),
    ),
    Broken(
        "ingress-is-a-mapping",
        {"np.yaml": NP + b"  ingress: {from: []}\n"},
        ("connections", "np.yaml"),
        errors("np.yaml:5:12: spec.ingress: Invalid type: expected a list, got a mapping"),
    ),
    Broken(
        "policy-types-is-a-string",
        {"np.yaml": NP + b"  policyTypes: Ingress\n"},
        ("connections", "np.yaml"),
        errors("np.yaml:5:16: spec.policyTypes: Invalid type: expected a list, got string 'Ingress'"),
    ),
    Broken(
        "selector-values-yes-1.10-null",
        {"np.yaml": NP + b"  podSelector:\n    matchExpressions: [{key: a, operator: In, values: [yes, 1.10, ~]}]\n"},
        ("connections", "np.yaml"),
        errors(
            "np.yaml:6:56: spec.podSelector.matchExpressions[0].values[0]: Invalid type: expected string, got "
            "boolean yes",
            '  hint: quote it: "yes" (YAML reads an unquoted yes as a boolean)',
            "np.yaml:6:61: spec.podSelector.matchExpressions[0].values[1]: Invalid type: expected string, got "
            "number 1.10",
            '  hint: quote it: "1.10" (YAML reads an unquoted 1.10 as a number)',
            "np.yaml:6:67: spec.podSelector.matchExpressions[0].values[2]: Invalid type: expected string, got null",
        ),
    ),
    Broken(
        "ports-of-the-wrong-type",
        {"np.yaml": NP + b"  ingress:\n  - ports: [{port: [80]}, {port: !!int abc}, {port: 0x_}]\n"},
        ("connections", "np.yaml"),
        errors(
            "np.yaml:6:20: spec.ingress[0].ports[0].port: Invalid type: expected an integer or a port name, got a list",
            'np.yaml:6:34: spec.ingress[0].ports[1].port: Invalid value: "abc": not a valid integer',
            'np.yaml:6:53: spec.ingress[0].ports[2].port: Invalid value: "0x_": not a valid integer',
        ),
    ),
    Broken(
        "cidr-is-a-number",
        {"np.yaml": NP + b"  egress:\n  - to: [{ipBlock: {cidr: 10}}]\n"},
        ("connections", "np.yaml"),
        errors(
            "np.yaml:6:27: spec.egress[0].to[0].ipBlock.cidr: Invalid type: expected string, got integer 10",
            '  hint: quote it: "10" (YAML reads an unquoted 10 as an integer)',
        ),
    ),
    Broken(
        "port-with-5000-digits",
        {"pod.yaml": POD + b"spec:\n  containers:\n  - ports: [{containerPort: " + b"9" * 5000 + b"}]\n"},
        ("connections", "pod.yaml"),
        errors(
            "pod.yaml:7:29: spec.containers[0].ports[0].containerPort: Invalid value: 99999999999999999999... "
            "(5000 digits): too large"
        ),
    ),
    Broken(
        "bad-tagged-integer-behind-an-alias",
        {"np.yaml": NP + b"  podSelector: {}\n  ingress:\n  - ports:\n    - port: &p !!int abc\n    - port: *p\n"},
        ("connections", "np.yaml"),
        errors(
            'np.yaml:8:13: spec.ingress[0].ports[0].port: Invalid value: "abc": not a valid integer',
            'np.yaml:8:13: spec.ingress[0].ports[1].port: Invalid value: "abc": not a valid integer',
        ),
    ),
    Broken(
        "cidr-prefix-with-5000-leading-zeros",
        {"np.yaml": NP + b"  egress:\n  - to: [{ipBlock: {cidr: 10.0.0.0/" + b"0" * 5000 + b"8}}]\n"},
        ("connections", "np.yaml"),
        errors(
            "np.yaml:6:27: spec.egress[0].to[0].ipBlock.cidr: Invalid value: "
            f'"10.0.0.0/{"0" * 5000}8": must not have leading 0s in IP or prefix length'
        ),
    ),
    Broken(
        "boolean-tag-on-a-word",
        {"pod.yaml": POD + b"spec: {hostNetwork: !!bool maybe}\n"},
        ("connections", "pod.yaml"),
        errors('pod.yaml:5:21: spec.hostNetwork: Invalid value: "maybe": not a valid boolean'),
    ),
    Broken(
        "list-items-is-a-number",
        {"list.yaml": b"apiVersion: v1\nkind: List\nitems: 5\n"},
        ("connections", "list.yaml"),
        errors("list.yaml:3:8: items: Invalid type: expected a list, got integer 5"),
    ),
    Broken(
        "list-item-is-a-number",
        {"list.yaml": b"apiVersion: v1\nkind: List\nitems: [5]\n"},
        ("connections", "list.yaml"),
        errors("list.yaml:3:9: items[0]: Invalid type: expected a Kubernetes object (a mapping), got integer 5"),
    ),
    # writing output
    Broken(
        "output-directory-missing",
        {"pod.yaml": POD},
        ("graph", "pod.yaml", "--output-file", "missing/out.dot"),
        ("error: cannot write missing/out.dot: directory missing does not exist",),
    ),
    Broken(
        "output-parent-is-a-file",
        {"pod.yaml": POD},
        ("graph", "pod.yaml", "--output-file", "pod.yaml/out.dot"),
        ("error: cannot write pod.yaml/out.dot: directory pod.yaml is not a directory",),
    ),
    Broken(
        "output-is-a-directory",
        {"pod.yaml": POD},
        ("graph", "pod.yaml", "--output-file", "out.dot"),
        ("error: cannot write out.dot: it is a directory",),
        a_directory("out.dot"),
    ),
    Broken(
        "output-directory-read-only",
        {"pod.yaml": POD},
        ("graph", "pod.yaml", "--output-file", "ro/out.dot"),
        ("error: cannot write ro/out.dot: Permission denied",),
        read_only_dir("ro"),
    ),
    Broken(
        "output-disk-full",
        {"pod.yaml": POD},
        ("graph", "pod.yaml", "--output-file", "out.dot"),
        ("error: cannot write out.dot: No space left on device",),
        disk_full,
    ),
    Broken(
        "output-over-an-input",
        {"cluster.dot": POD},
        ("graph", "cluster.dot", "--output-file", "cluster.dot"),
        ("error: refusing to write cluster.dot: it is one of the inputs",),
    ),
]


def test_case_ids_are_unique() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_broken_input(case: Broken, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, data in case.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    try:
        if case.prepare is not None:
            case.prepare(tmp_path, monkeypatch)
        result = CliRunner().invoke(main, list(case.args), input=case.stdin)
    finally:
        monkeypatch.undo()  # restore os.open & co. before pytest cleans up, then undo any chmod
        for path in tmp_path.rglob("*"):
            if not path.is_symlink():
                path.chmod(0o700)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines() == list(case.stderr)
    leftovers = sorted(p.name for p in tmp_path.rglob(".*.tmp"))
    assert leftovers == [], "a failed write left its temporary file behind"
