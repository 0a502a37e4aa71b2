"""netsim.output.write_atomic: a whole file or none, never over an input, clear errors.

Failures the OS would raise for an ordinary user (a read-only directory, a full disk) are
injected by monkeypatching, so they are exercised when the tests run as root too.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

import pytest

from netsim.errors import NetsimError
from netsim.output import _MANIFEST_SUFFIXES, write_atomic
from netsim.source import INPUT_SUFFIXES


def write_error(path: Path | str, data: bytes = b"new", inputs: tuple[str, ...] = ()) -> str:
    with pytest.raises(NetsimError) as info:
        write_atomic(str(path), data, inputs)
    return str(info.value)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_whole_file_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    write_atomic(str(target), b"<svg/>")
    assert target.read_bytes() == b"<svg/>"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_replaces_an_existing_output(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    target.write_bytes(b"old")
    write_atomic(str(target), b"new")
    assert target.read_bytes() == b"new"


def test_a_relative_path_in_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_atomic("out.dot", b"digraph {}")
    assert (tmp_path / "out.dot").read_bytes() == b"digraph {}"


def test_missing_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert write_error("no/such/out.svg") == "cannot write no/such/out.svg: directory no/such does not exist"


def test_parent_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").write_text("x")
    assert write_error("file/out.svg") == "cannot write file/out.svg: directory file is not a directory"


def test_target_is_a_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out.svg").mkdir()
    assert write_error("out.svg") == "cannot write out.svg: it is a directory"


def test_read_only_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:  # root writes anywhere: make the OS's refusal happen where it would

        def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(tempfile, "mkstemp", refuse)
    else:
        folder.chmod(0o500)
    try:
        assert write_error("ro/out.svg") == "cannot write ro/out.svg: Permission denied"
    finally:
        folder.chmod(0o700)
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), "cannot write out.svg: No space left on device"),
        (OSError(errno.EROFS, os.strerror(errno.EROFS)), "cannot write out.svg: Read-only file system"),
    ],
    ids=["disk-full", "read-only-file-system"],
)
def test_a_failed_rename_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: OSError, message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out.svg").write_bytes(b"old")

    def fail(*_args: object) -> None:
        raise failure

    monkeypatch.setattr(os, "replace", fail)
    assert write_error("out.svg") == message
    assert (tmp_path / "out.svg").read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_an_interrupt_while_writing_leaves_no_half_written_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "out.svg").write_bytes(b"old")

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(tmp_path / "out.svg"), b"new")
    assert (tmp_path / "out.svg").read_bytes() == b"old"
    assert leftovers(tmp_path) == []


# -- never over an input ---------------------------------------------------------------------------


def test_refuses_to_write_over_an_input_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cluster.dot").write_text("kind: Pod\n")
    (tmp_path / "link.dot").symlink_to("cluster.dot")
    expected = "refusing to write cluster.dot: it is one of the inputs"
    assert write_error("cluster.dot", inputs=("cluster.dot",)) == expected
    assert write_error("cluster.dot", inputs=("link.dot",)) == expected  # the same file by another name
    assert write_error("./cluster.dot", inputs=("-", str(tmp_path / "cluster.dot"))).endswith("one of the inputs")
    assert (tmp_path / "cluster.dot").read_text() == "kind: Pod\n"


def test_refuses_to_write_over_a_manifest_of_an_input_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k8s" / "apps").mkdir(parents=True)
    (tmp_path / "k8s" / "apps" / "pods.yaml").write_text("kind: Pod\n")
    assert write_error("k8s/apps/pods.yaml", inputs=("k8s",)) == (
        "refusing to write k8s/apps/pods.yaml: it is one of the inputs (in k8s)"
    )
    assert (tmp_path / "k8s" / "apps" / "pods.yaml").read_text() == "kind: Pod\n"


@pytest.mark.parametrize(
    "name",
    ["k8s/graph.svg", "k8s/new.yaml", "k8s/.hidden/pods.yaml", "elsewhere.yaml"],
    ids=["not-a-manifest", "not-there-yet", "hidden-so-never-read", "outside"],
)
def test_writes_what_an_input_directory_does_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "k8s" / ".hidden").mkdir(parents=True)
    (tmp_path / "k8s" / "pods.yaml").write_text("kind: Pod\n")
    for existing in ("k8s/graph.svg", "k8s/.hidden/pods.yaml", "elsewhere.yaml"):
        (tmp_path / existing).write_text("old\n")
    write_atomic(name, b"new\n", ("k8s",))
    assert (tmp_path / name).read_bytes() == b"new\n"


def test_the_manifest_suffixes_are_those_netsim_reads() -> None:
    assert _MANIFEST_SUFFIXES == INPUT_SUFFIXES
