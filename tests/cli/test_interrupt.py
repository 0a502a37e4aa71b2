"""Ctrl-C in a real process: ``python -m netsim`` exits promptly with status 130 and no traceback.

The signal must arrive while netsim works on the input, not while Python is still importing it,
so each test first waits until the process has certainly read its input (its stdin pipe drained,
or /proc/PID/io counting more bytes read than imports read).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import app, main
from tests.conftest import REPO

#: More bytes than Python reads while importing netsim (about 10 MB of .pyc files), so reading
#: this many bytes means the input file has been read.
BIG = 24 * 1024 * 1024


def big_cluster(size: int) -> bytes:
    """Pods until ``size`` bytes: seconds of work for netsim."""
    pods: list[bytes] = []
    total = i = 0
    while total < size:
        pod = (
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: pod-{i}\n  namespace: team-{i // 100}\n"
            f"  labels: {{app: app-{i % 7}, tier: t{i % 3}}}\nspec:\n  containers:\n  - name: c\n"
            f"    ports: [{{containerPort: 8080, name: http}}]\nstatus: {{podIP: 10.{i // 65536 % 256}."
            f"{i // 256 % 256}.{i % 256}}}\n---\n"
        ).encode()
        pods.append(pod)
        total += len(pod)
        i += 1
    return b"".join(pods)


def start(*args: str, stdin: int | None = None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "netsim", *args],
        stdin=stdin if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
    )


def interrupt(proc: subprocess.Popen[bytes]) -> tuple[int, str, float]:
    """Send SIGINT; the exit status, stderr and seconds until the process ended."""
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return proc.returncode, err.decode(), time.monotonic() - sent


def bytes_read(pid: int) -> int | None:
    try:
        fields = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    except OSError:
        return None
    return int(fields["rchar"])


def test_interrupt_while_loading_a_big_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(big_cluster(BIG))
    proc = start("connections", str(path))
    deadline = time.monotonic() + 60
    while (read := bytes_read(proc.pid)) is not None and read < BIG and proc.poll() is None:
        assert time.monotonic() < deadline, "netsim did not read its input within a minute"
        time.sleep(0.05)
    if read is None:  # no /proc: give the imports a generous head start instead
        time.sleep(3)
    assert proc.poll() is None, "netsim finished before it could be interrupted"
    status, stderr, seconds = interrupt(proc)
    assert (status, stderr) == (130, "netsim: interrupted\n")
    assert seconds < 5, "the interrupt was not prompt"


def test_interrupt_while_reading_stdin() -> None:
    proc = start("check", "-", "--from", "a/p", "--to", "a/q", "--port", "80", stdin=subprocess.PIPE)
    assert proc.stdin is not None
    # the pipe holds 64 KiB: once more than that is written, netsim is reading standard input
    proc.stdin.write(big_cluster(1024 * 1024))
    proc.stdin.flush()
    status, stderr, seconds = interrupt(proc)  # while it waits for the end of its input
    assert (status, stderr) == (130, "netsim: interrupted\n")
    assert seconds < 5, "the interrupt was not prompt"


@pytest.mark.parametrize("args", [["connections", "--help"], ["--version"]])
def test_the_process_runs_as_tested(args: list[str]) -> None:
    # the same way of starting netsim, left alone, exits 0 (so 130 above comes from the interrupt)
    proc = start(*args)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (0, b"")


def test_interrupt_outside_the_command_body(monkeypatch: pytest.MonkeyPatch) -> None:
    # while the shared options are turned into Limits, before the command's own handler runs:
    # click alone would print "Aborted!" and exit 1
    def interrupted(**_limits: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(app, "Limits", interrupted)
    result = CliRunner().invoke(main, ["connections", "-"], input="")
    assert (result.exit_code, result.stdout, result.stderr) == (130, "", "netsim: interrupted\n")
