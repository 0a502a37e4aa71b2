"""The progress bar: on stderr, for long work, only when stderr is a terminal.

Loading reports per document (in characters of the inputs), evaluation per isolation profile
and grouping per block. ``PROGRESS_DELAY`` is set to 0 so the short runs here count as long, and
``_stderr_is_terminal`` stands in for a terminal (CliRunner's stderr is not one).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from netsim.cli import app, main

SCENARIO = str(Path(__file__).resolve().parents[2] / "scenarios" / "production-hardening" / "manifests")
OBSERVED = str(Path(__file__).resolve().parents[2] / "scenarios" / "observed-traffic" / "manifests")
FLOWS = str(Path(__file__).resolve().parents[2] / "scenarios" / "observed-traffic" / "flows" / "hubble.json")


@pytest.mark.parametrize(
    ("args", "labels"),
    [
        (["connections", SCENARIO], ["reading", "evaluating"]),
        (["graph", SCENARIO, "-o", "dot", "--group-by", "namespace"], ["reading", "evaluating"]),
        (["check", SCENARIO, "--from", "production/web", "--to", "production/backend", "--port", "8080"], ["reading"]),
        (["replay", OBSERVED, "--flows", FLOWS, "--fail-on", "never"], ["reading", "reading flows", "replaying"]),
        (["lint", SCENARIO], ["reading", "linting"]),
        (["report", SCENARIO], ["reading", "linting", "evaluating"]),
    ],
)
def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch, args: list[str], labels: list[str]) -> None:
    runner = CliRunner()
    monkeypatch.setattr(app, "PROGRESS_DELAY", 0.0)
    quiet = runner.invoke(main, args)
    assert quiet.exit_code in (0, 1), quiet.output
    assert quiet.stderr == "", "no terminal: no progress bar"
    monkeypatch.setattr(app, "_stderr_is_terminal", lambda: True)
    shown = runner.invoke(main, args)
    assert shown.exit_code == quiet.exit_code
    assert shown.stdout == quiet.stdout, "the bar goes to stderr only"
    for label in labels:
        assert label in shown.stderr


def test_load_progress_rises_to_the_input_size() -> None:
    from netsim.loader import load_cluster

    seen: list[tuple[int, int]] = []
    result = load_cluster([SCENARIO], progress=lambda done, total: seen.append((done, total)))
    total = sum(p.stat().st_size for p in Path(SCENARIO).rglob("*.yaml"))
    assert result.cluster.pods
    assert {t for _, t in seen} == {total}
    done = [d for d, _ in seen]
    assert done == sorted(done)
    assert done[0] > 0
    assert done[-1] <= total
    assert total - done[-1] < 200, "the last document ends near the end of the last file"
