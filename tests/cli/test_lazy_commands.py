"""The command group imports a command's module only when that command runs (netsim/cli/app.py):
``netsim --version`` and ``netsim --help`` import none, and each command imports what it needs.

Each run is a fresh Python process that reports the modules it imported (``sys.modules``), so these
tests check what was imported, never how long it took.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

import netsim.cli
from netsim.cli import main
from netsim.cli.app import COMMANDS
from tests.conftest import REPO

MANIFESTS = "scenarios/production-hardening/manifests"
EXPECT = "scenarios/production-hardening/expect.yaml"

#: Runs netsim as its entry point does (``netsim.cli:main``) with argv[2:], then writes the exit
#: status and the imported modules to the file argv[1].
CHILD = """\
import json, sys
from netsim.cli import main
try:
    main(sys.argv[2:], prog_name="netsim")
except SystemExit as exc:
    status = exc.code
else:
    status = 0
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""

#: Prints ``netsim --help`` as a fresh process does, the command modules it imported, and the help
#: once every command is imported (what click alone would print).
HELP_CHILD = """\
import contextlib, io, json, sys
from netsim.cli import main

def help_text():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            main(["--help"], prog_name="netsim")
        except SystemExit:
            pass
    return out.getvalue()

lazy = help_text()
imported = sorted(name for name in sys.modules if name.startswith("netsim.cli."))
main.commands  # imports every command
print(json.dumps({"lazy": lazy, "imported": imported, "loaded": help_text()}))
"""

COMMAND_MODULES = {lazy.module for lazy in COMMANDS.values()}
#: What only drawing (graphviz), graphs (networkx), lint, expectations and diff need.
HEAVY = {
    "networkx",
    "graphviz",
    "netsim.graph",
    "netsim.render.dot",
    "netsim.lint",
    "netsim.expectations",
    "netsim.diff",
}


def python(*args: str, columns: int = 100) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": str(columns)}
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=REPO, env=env, timeout=120
    )


def run(tmp_path: Path, *args: str) -> tuple[int, str, set[str]]:
    """Exit status, output (stdout and stderr) and imported modules of ``netsim ARGS`` in a new process."""
    report = tmp_path / "report.json"
    done = python("-c", CHILD, str(report), *args)
    assert report.exists(), done.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    return data["status"], done.stdout + done.stderr, set(data["modules"])


@pytest.mark.parametrize("args", [["--version"], ["--help"], []], ids=["version", "help", "no-args"])
def test_version_and_help_import_no_command(tmp_path: Path, args: list[str]) -> None:
    status, out, modules = run(tmp_path, *args)
    assert status in (0, 2)  # no arguments: the help, with click's usage status
    assert "netsim" in out
    library = {"netsim.loader", "netsim.source", "netsim.engine", "netsim.model", "yaml"}
    assert modules & (COMMAND_MODULES | HEAVY | library) == set()


@pytest.mark.parametrize(
    ("args", "needed", "unneeded"),
    [
        pytest.param(
            ["check", MANIFESTS, "--from", "production/web", "--to", "production/backend", "--port", "8080"],
            {"netsim.engine", "netsim.loader"},
            HEAVY,
            id="check",
        ),
        pytest.param(["matrix", MANIFESTS, "--port", "8080"], {"netsim.matrix"}, HEAVY, id="matrix"),
        pytest.param(["lint", MANIFESTS], {"netsim.lint"}, HEAVY - {"netsim.lint"}, id="lint"),
        pytest.param(
            ["test", EXPECT, MANIFESTS],
            {"netsim.expectations"},
            (HEAVY - {"netsim.expectations"}) | {"netsim.render.junit"},  # JUnit XML only with --junit
            id="test",
        ),
        pytest.param(
            ["connections", MANIFESTS],
            {"netsim.graph"},
            {"graphviz", "netsim.lint", "netsim.expectations", "netsim.diff"},
            id="connections",
        ),
        pytest.param(
            ["graph", MANIFESTS, "-o", "dot"],
            {"netsim.render.dot"},
            {"graphviz", "netsim.lint", "netsim.expectations"},  # graphviz only to render pictures, not DOT
            id="graph",
        ),
        pytest.param(
            ["diff", f"{MANIFESTS}/30-default-deny-all.yaml", MANIFESTS],
            {"netsim.diff"},
            {"graphviz", "netsim.lint", "netsim.expectations"},
            id="diff",
        ),
    ],
)
def test_a_command_imports_what_it_needs(tmp_path: Path, args: list[str], needed: set[str], unneeded: set[str]) -> None:
    status, out, modules = run(tmp_path, *args)
    assert status == 0, out
    own = COMMANDS[args[0]].module
    assert own in modules
    assert needed <= modules
    assert modules & (unneeded | (COMMAND_MODULES - {own})) == set()


@pytest.mark.parametrize("columns", [60, 100])
def test_help_lists_every_command_as_click_would(columns: int) -> None:
    # the listing without the commands imported is the one click prints from the real commands
    # (at 60 columns their one-line help is shortened)
    done = python("-c", HELP_CHILD, columns=columns)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["imported"] == ["netsim.cli.app"]
    assert data["lazy"] == data["loaded"]
    for name in COMMANDS:
        assert f"\n  {name} " in data["lazy"]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_commands_map_matches_the_command(name: str) -> None:
    command = main.commands[name]
    assert command.callback is not None
    assert command.callback.__module__ == COMMANDS[name].module
    assert command.short_help is None  # the listing shortens the help as click does for these
    stand_in = click.Command(name, help=COMMANDS[name].help)
    for limit in range(10, 130):
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_every_command_module_is_in_the_map() -> None:
    # a new command module registers its command when imported: it needs a COMMANDS entry to be found
    modules = {f"netsim.cli.{m.name}" for m in pkgutil.iter_modules(netsim.cli.__path__)} - {"netsim.cli.app"}
    assert modules == COMMAND_MODULES
    registered = {name: command.callback.__module__ for name, command in main.commands.items() if command.callback}
    assert registered == {name: lazy.module for name, lazy in COMMANDS.items()}


def test_command_modules_are_attributes_of_the_package() -> None:
    assert netsim.cli.check.__name__ == "netsim.cli.check"
    assert netsim.cli.test_cmd.test is main.commands["test"]
    with pytest.raises(AttributeError):
        _ = netsim.cli.no_such_module  # type: ignore[attr-defined]


def test_the_package_imports_its_api_when_used() -> None:
    # `import netsim` (which every run of the command line does) loads no library module; each name
    # of the API, and each submodule, is there when used
    code = (
        "import sys, netsim\n"
        "print(sorted(m for m in sys.modules if m.startswith('netsim.')))\n"
        "from netsim import PolicyIndex, load_cluster\n"
        "import netsim.engine, netsim.loader\n"
        "print(PolicyIndex is netsim.engine.PolicyIndex, load_cluster is netsim.loader.load_cluster)\n"
    )
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\nTrue True\n"
    probe = python("-c", "import netsim; print(netsim.validation.__name__, hasattr(netsim, 'no_such_name'))")
    assert probe.stdout == "netsim.validation False\n", probe.stderr
