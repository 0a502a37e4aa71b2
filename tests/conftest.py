"""Shared fixtures: repository paths, golden files, a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI (CI=true, as .ci/run runs) explores a fixed set of hypothesis examples so that a run is
# repeatable; developers' runs stay random and find new cases. `--hypothesis-seed` still works.
settings.register_profile("netsim-ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("netsim-ci")

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "scenarios"

GoldenCheck = Callable[[Path, str], None]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite golden files instead of comparing")


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> GoldenCheck:
    """Compare text with a golden file (``--update-golden`` rewrites it)."""
    update = bool(request.config.getoption("--update-golden"))

    def check(path: Path, actual: str) -> None:
        if update or not path.exists():
            if not update:
                pytest.fail(f"golden file missing: {path} (run pytest --update-golden)")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
        expected = path.read_text(encoding="utf-8")
        assert actual == expected, f"golden mismatch: {path} (run: pytest --update-golden, then review git diff)"

    return check


@pytest.fixture
def runner() -> CliRunner:
    """A click runner with stdout and stderr kept apart."""
    return CliRunner()
