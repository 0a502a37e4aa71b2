"""The layering of netsim, read off the imports (docs/architecture.md), and the public API.

Each module of ``netsim/`` is parsed with :mod:`ast` (nothing is imported to check it) and every
``netsim.*`` module it imports must be in its allow-list. Only the CLI may import click, print,
exit or touch ``sys.argv``/``sys.stdout``/``sys.stderr``.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import netsim

PACKAGE_DIR = Path(netsim.__file__).resolve().parent
ANYTHING = frozenset({"*"})

#: The bottom layer: every module may raise netsim's errors.
FOUNDATION = frozenset({"netsim.errors"})

# Layer of a module → the layers it may import (besides FOUNDATION). A layer is a module or a subpackage (its
# submodules share its rules and may import each other). docs/architecture.md draws this graph.
ALLOWED: dict[str, frozenset[str]] = {
    "netsim.errors": frozenset(),
    "netsim.model": frozenset({"netsim.errors"}),
    "netsim.connset": frozenset({"netsim.model"}),
    "netsim.validation": frozenset({"netsim.model"}),
    "netsim.match": frozenset({"netsim.model", "netsim.connset"}),
    "netsim.verdict": frozenset({"netsim.model", "netsim.connset"}),
    "netsim.engine": frozenset({"netsim.match", "netsim.verdict", "netsim.model", "netsim.connset"}),
    # all-pairs evaluation over classes of equivalent pods, checked against evaluate_pair
    "netsim.reach": frozenset(
        {
            "netsim.engine",
            "netsim.tierfold",
            "netsim.externals",
            "netsim.match",
            "netsim.verdict",
            "netsim.connset",
            "netsim.model",
        }
    ),
    # the cluster-scoped tiers over partitions of remote ends (reach's part for them)
    "netsim.tierfold": frozenset({"netsim.match", "netsim.verdict", "netsim.connset", "netsim.model"}),
    "netsim.matrix": frozenset({"netsim.engine", "netsim.reach", "netsim.verdict", "netsim.model"}),
    # a connection to a Service port, evaluated towards each backend with the engine
    "netsim.services": frozenset({"netsim.engine", "netsim.verdict", "netsim.endpoints", "netsim.model"}),
    # a connection from or to a workload, evaluated for a pod of each kind it stands for
    "netsim.workloads": frozenset(
        {"netsim.engine", "netsim.reach", "netsim.services", "netsim.verdict", "netsim.endpoints", "netsim.model"}
    ),
    # findings about policies, computed with the engine (a sibling of graph and matrix)
    "netsim.lint": frozenset(
        {
            "netsim.engine",
            "netsim.reach",
            "netsim.services",
            "netsim.entrypoints",
            "netsim.match",
            "netsim.verdict",
            "netsim.connset",
            "netsim.model",
        }
    ),
    "netsim.externals": frozenset({"netsim.model"}),
    "netsim.graph": frozenset(
        {
            "netsim.engine",
            "netsim.reach",
            "netsim.entrypoints",
            "netsim.externals",
            "netsim.match",
            "netsim.model",
            "netsim.connset",
        }
    ),
    # where outside traffic enters: ingress controllers and Gateways, evaluated with the engine
    "netsim.entrypoints": frozenset(
        {"netsim.engine", "netsim.services", "netsim.match", "netsim.model", "netsim.connset"}
    ),
    "netsim.source": frozenset({"netsim.errors"}),
    "netsim.output": frozenset({"netsim.errors"}),
    # (match: the API server checks that a workload's selector selects its own template)
    "netsim.loader": frozenset({"netsim.source", "netsim.validation", "netsim.match", "netsim.model", "netsim.errors"}),
    "netsim.endpoints": frozenset({"netsim.model", "netsim.errors"}),
    # observed traffic (netsim replay): flow exports read with the input limits, mapped to endpoints
    "netsim.flows": frozenset({"netsim.source", "netsim.endpoints", "netsim.model"}),
    # loader-side (source, endpoints) plus the engine and its verdicts
    "netsim.expectations": frozenset(
        {
            "netsim.source",
            "netsim.endpoints",
            "netsim.model",
            "netsim.engine",
            "netsim.verdict",
            "netsim.connset",
            "netsim.externals",
            "netsim.services",
            "netsim.workloads",
        }
    ),
    # what changes between two versions of the manifests, computed from two graphs
    "netsim.diff": frozenset(
        {"netsim.engine", "netsim.graph", "netsim.reach", "netsim.externals", "netsim.connset", "netsim.model"}
    ),
    # observed connections decided by the engine, as check decides them
    "netsim.replay": frozenset({"netsim.engine", "netsim.verdict", "netsim.flows", "netsim.model"}),
    # policies suggested from observed connections, checked with replay and diff before written
    "netsim.suggest": frozenset(
        {
            "netsim.engine",
            "netsim.replay",
            "netsim.flows",
            "netsim.diff",
            "netsim.graph",
            "netsim.match",
            "netsim.verdict",
            "netsim.connset",
            "netsim.model",
        }
    ),
    # the data of netsim report: the graph at two levels, laid out, with explanations (text renderer)
    "netsim.report": frozenset(
        {"netsim.engine", "netsim.graph", "netsim.render", "netsim.match", "netsim.connset", "netsim.model"}
    ),
    # what the policies allow to and from endpoints not in the input, from the rules and the engine
    "netsim.exposure": frozenset(
        {"netsim.engine", "netsim.graph", "netsim.externals", "netsim.match", "netsim.connset", "netsim.model"}
    ),
    # renderers take data: never the engine or the loader (match only for describe_peer's wording)
    "netsim.render": frozenset(
        {
            "netsim.exposure",
            "netsim.verdict",
            "netsim.model",
            "netsim.matrix",
            "netsim.graph",
            "netsim.match",
            "netsim.connset",
            "netsim.lint",
            "netsim.diff",
            "netsim.expectations",
            "netsim.replay",
            "netsim.suggest",
        }
    ),
    "netsim.cli": ANYTHING,
    "netsim.__main__": frozenset({"netsim.cli"}),
    # the public facade re-exports the library, never the command line
    "netsim": frozenset(
        {"netsim.connset", "netsim.engine", "netsim.errors", "netsim.loader", "netsim.model", "netsim.verdict"}
    ),
}

#: Only the modules of this layer may import click, print, exit, or use the process's argv and streams.
CLI_LAYER = "netsim.cli"
_PROCESS_CALLS = frozenset({"print", "exit", "quit", "sys.exit", "os._exit", "click.echo", "click.secho"})
_PROCESS_ATTRS = frozenset({"sys.argv", "sys.stdout", "sys.stderr"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return (PACKAGE_DIR.parent / module.replace(".", "/") / "__init__.py").is_file()


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))


def netsim_imports(tree: ast.Module, module: str) -> set[str]:
    """Every ``netsim`` module imported by ``tree`` (``from netsim.match import peers`` → netsim.match.peers)."""
    found: set[str] = set()
    package = module if _is_package(module) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name == "netsim" or a.name.startswith("netsim."))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative (ruff bans these; resolve anyway so none slip through)
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base != "netsim" and not base.startswith("netsim."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in MODULES else base)
    return found


def layer_of(module: str) -> str:
    """The allow-list entry governing ``module``: itself or its closest listed parent package."""
    candidate = module
    while candidate not in ALLOWED or (candidate == "netsim" != module):  # the facade governs itself only
        if "." not in candidate:
            raise KeyError(f"{module} is in no layer of ALLOWED: add it (and to docs/architecture.md)")
        candidate = candidate.rpartition(".")[0]
    return candidate


def violations(module: str, imported: set[str]) -> list[str]:
    """The imports of ``module`` its layer does not allow."""
    own = layer_of(module)
    allowed = ALLOWED[own]
    if allowed == ANYTHING:
        return []
    bad = []
    for target in sorted(imported):
        if target == module:
            continue
        target_layer = layer_of(target)
        if target_layer == own and own != "netsim":  # submodules of one subpackage use each other
            continue
        if target_layer not in allowed | FOUNDATION:
            bad.append(f"{module} imports {target} (layer {target_layer}); allowed: {sorted(allowed)}")
    return bad


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def process_effects(tree: ast.Module) -> list[str]:
    """click imports, print/exit calls and argv/stream access in ``tree``, with line numbers."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.split(".")[0] == "click"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "click":
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and _dotted(node.func) in _PROCESS_CALLS:
            found.append(f"line {node.lineno}: {_dotted(node.func)}()")
        elif isinstance(node, ast.Raise) and node.exc is not None:
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if _dotted(exc) == "SystemExit":
                found.append(f"line {node.lineno}: raise SystemExit")
        elif isinstance(node, ast.Attribute) and _dotted(node) in _PROCESS_ATTRS:
            found.append(f"line {node.lineno}: {_dotted(node)}")
    return sorted(found, key=lambda text: int(text.split(":")[0].removeprefix("line ")))


# -- the checker itself: prove it catches what it is meant to catch ------------------------------


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("netsim.render.text", "from netsim.engine import evaluate", {"netsim.engine"}),
        ("netsim.render.text", "import netsim.loader", {"netsim.loader"}),
        ("netsim.engine", "from netsim.match import peers", {"netsim.match.peers"}),
        ("netsim.engine", "from netsim import __version__", {"netsim"}),
        ("netsim.match.peers", "from . import ipblock", {"netsim.match.ipblock"}),
        ("netsim.match.peers", "from ..loader import load_cluster", {"netsim.loader"}),
        ("netsim.model", "import os\nfrom yaml import Node", set()),
    ],
    ids=["from-import", "import", "submodule-via-from", "facade", "relative-sibling", "relative-parent", "non-netsim"],
)
def test_import_collector(module: str, source: str, expected: set[str]) -> None:
    assert netsim_imports(ast.parse(source), module) == expected


@pytest.mark.parametrize(
    ("module", "imported", "allowed"),
    [
        ("netsim.render.text", {"netsim.engine"}, False),
        ("netsim.render.json", {"netsim.loader"}, False),
        ("netsim.model", {"netsim.loader"}, False),
        ("netsim.loader", {"netsim.engine"}, False),
        ("netsim.engine", {"netsim.loader"}, False),
        ("netsim.match.ports", {"netsim.verdict"}, False),
        ("netsim", {"netsim.cli"}, False),
        ("netsim.match.peers", {"netsim.match.ipblock", "netsim.model"}, True),
        ("netsim.cli", {"netsim.loader", "netsim.engine", "netsim.render.text"}, True),
    ],
)
def test_violation_check(module: str, imported: set[str], allowed: bool) -> None:
    assert (violations(module, imported) == []) is allowed


def test_process_effects_are_found() -> None:
    source = "import click\nimport sys\nprint('x')\nsys.exit(1)\nsys.stdout.write('y')\nraise SystemExit(2)\n"
    assert process_effects(ast.parse(source)) == [
        "line 1: import click",
        "line 3: print()",
        "line 4: sys.exit()",
        "line 5: sys.stdout",
        "line 6: raise SystemExit",
    ]


# -- the real package ------------------------------------------------------------------------------


def test_every_module_is_in_a_layer() -> None:
    layers = {layer_of(m) for m in MODULES}  # raises KeyError for a module no layer covers
    assert layers <= ALLOWED.keys()
    assert "netsim.render.text" in MODULES
    assert "netsim.match.peers" in MODULES


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_follow_the_layers(module: str) -> None:
    assert violations(module, netsim_imports(_tree(module), module)) == []


def test_renderers_never_import_engine_or_loader() -> None:
    render_modules = [m for m in MODULES if m == "netsim.render" or m.startswith("netsim.render.")]
    assert len(render_modules) >= 3
    for module in render_modules:
        imported = {layer_of(t) for t in netsim_imports(_tree(module), module)}
        assert not imported & {"netsim.engine", "netsim.loader", "netsim.source", "netsim.cli"}, module


def _outside_cli(module: str) -> bool:
    try:
        return layer_of(module) != CLI_LAYER
    except KeyError:  # reported by test_every_module_is_in_a_layer, not as a collection error
        return True


@pytest.mark.parametrize("module", sorted(m for m in MODULES if _outside_cli(m)))
def test_only_the_cli_prints_exits_or_imports_click(module: str) -> None:
    assert process_effects(_tree(module)) == [], f"{module} talks to the process; return data and let the CLI print"


def test_the_cli_is_where_the_process_is_touched() -> None:
    # guards the check above against going stale (e.g. the CLI printing through a new helper)
    cli_modules = [m for m in MODULES if not _outside_cli(m)]
    effects = [e for m in cli_modules for e in process_effects(_tree(m))]
    assert any("click" in e for e in effects)
    assert any("exit" in e for e in effects)


# -- public API ---------------------------------------------------------------------------------------


def test_package_all_is_sorted_and_importable() -> None:
    assert netsim.__all__ == sorted(netsim.__all__)
    assert len(set(netsim.__all__)) == len(netsim.__all__)
    missing = [name for name in netsim.__all__ if not hasattr(netsim, name)]
    assert missing == []
    namespace: dict[str, object] = {}
    exec("from netsim import *", namespace)
    assert set(netsim.__all__) <= namespace.keys()


def _defines_anything(module: str) -> bool:
    try:
        tree = _tree(module)
    except SyntaxError:  # the import in test_public_module_declares_all reports it
        return True
    body = tree.body[1:] if ast.get_docstring(tree) is not None else tree.body
    return bool(body)


PUBLIC_MODULES = sorted(
    m for m in MODULES if not any(part.startswith("_") for part in m.split(".")) and _defines_anything(m)
)


def test_public_modules_are_found() -> None:
    assert {"netsim", "netsim.cli", "netsim.engine", "netsim.loader", "netsim.match.ports"} <= set(PUBLIC_MODULES)


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_public_module_declares_all(module: str) -> None:
    mod = importlib.import_module(module)
    exported = getattr(mod, "__all__", None)
    assert isinstance(exported, list), f"{module} has no __all__ list"
    assert [name for name in exported if not hasattr(mod, name)] == []
