"""Every command that README.md, CHANGELOG.md and docs/*.md show runs, or at least parses (#16).

What a command is:

- a ``$ `` line of a ```console block; the lines after it, up to the next ``$ ``, are its output;
- a line starting with ``netsim `` in a ```sh, ```shell or ```bash block;
- a line starting with ``netsim `` in a ```yaml block (a CI recipe's ``run: netsim ...`` or
  ``- netsim ...``): those are written for another repository, so they are parsed only.

``\\`` continuations are joined. A ```text block that follows a command block with no heading in
between shows the output of the block's first command (so a doc puts the command whose output it
shows first, and an illustration that is no command's output after a heading or in prose).

Each command is then one of:

- **run**, when every file it reads is in this repository: the values of the netsim command's path
  parameters (PATHS, ``-f``, ``--flows``, ...; globs expanded), ``< FILE``, and the files ``cat``
  or ``diff`` read. It runs from a temporary directory with those paths made absolute, so that
  what it writes (``--output-file``, ``--output-dir``, ``--junit``, ``> FILE``) lands there and
  nothing is written into the checkout. A command with a pipe or a redirection runs in ``bash``,
  with ``netsim`` on PATH (this checkout's, as ``python -m netsim``); the others run in-process.
  Every netsim must exit 0, 1 or 3 (allowed, denied, undetermined; never 2, bad input or usage),
  every other program 0. When the doc shows the output, every shown line must be in what the
  command prints (stdout and stderr, the repository's absolute path printed as the relative one
  the doc shows), in the order shown; the docs elide with ``...``: a line that is ``...`` is
  skipped, and ``...`` inside a line stands for any text.
- **syntax-only**, when it reads a placeholder (``k8s/``, ``manifests/``, ``flows.json``, ``old/
  new/``, ``netpol-analyzer/tests/CASE``...), its input comes from a program that needs a cluster
  or the network (``kubectl``, ``hubble``), or it needs the history of a git repository with a
  remote (``--base-ref``). Such commands are the ones the docs cannot run on a fresh machine, by
  construction. The netsim part is parsed by click as netsim parses it: the command exists, every
  option exists on it and takes a value of the right kind, required options are given, and it
  names its input. So a renamed or removed option in the docs fails here.
- **not netsim's** (``$ hubble observe ... > flows.json``): shown for context, nothing to check.

Each distinct command runs once, whichever docs show it. ``python benchmarks/run.py``,
``pip install`` and ``git`` lines of sh blocks are not commands here: the README's Quickstart and
test command are pinned by tests/test_docs.py, the pre-commit recipe by tests/test_pre_commit_hook.py.
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import re
import shlex
import subprocess
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.conftest import REPO

DOCS = ["README.md", "CHANGELOG.md", *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md"))]
SHELL_LANGS = frozenset({"sh", "shell", "bash", "console"})
PARSED_ONLY_LANGS = frozenset({"yaml", "yml"})
OPENING = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")

RUN, SYNTAX, OTHER = "run", "syntax-only", "not netsim"
ANSWERS = (0, 1, 3)  # allowed (or success), denied (or a failure found), undetermined
#: shell operators that end a pipeline stage, and those that redirect
LISTS = frozenset({"||", "&&", ";", "&"})
REDIRECTIONS = frozenset({">", ">>", "<", ">&", "&>", ">|"})
#: programs whose arguments are not files (they read standard input)
FILTERS = frozenset({"dot", "jq", "head", "tail", "wc", "sort", "grep", "less"})
#: programs whose non-option arguments are the files they read
READERS = frozenset({"cat", "diff", "zcat"})


# -- reading the docs ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A fenced code block: its language, the line of its first content line, its lines (with the
    fence's indentation removed), and whether a heading stands between it and the block before."""

    lang: str
    line: int
    lines: tuple[str, ...]
    after_heading: bool


def blocks(markdown: str) -> list[Block]:
    out: list[Block] = []
    lines = markdown.splitlines()
    heading = False
    i = 0
    while i < len(lines):
        opening = OPENING.match(lines[i])
        if opening is None:
            heading = heading or lines[i].startswith("#")
            i += 1
            continue
        indent = opening["indent"]
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i].removeprefix(indent))
            i += 1
        out.append(Block(opening["lang"], i - len(body) + 1, tuple(body), heading))
        heading = False
        i += 1
    return out


@dataclass(frozen=True)
class Example:
    """A command a doc shows, where, and the output it shows for it (empty: none)."""

    doc: str
    line: int
    command: str
    shown: tuple[str, ...] = ()
    parse_only: bool = False  # a CI recipe's line, for another repository

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.command}"


def _command_start(lang: str, line: str) -> str | None:
    """The command a block's line starts, or None."""
    if lang == "console":
        return line[2:] if line.startswith("$ ") else None
    if lang in PARSED_ONLY_LANGS:
        line = line.strip().removeprefix("- ").removeprefix("run: ").strip()
    return line if line.startswith("netsim ") else None


def examples(doc: str, markdown: str) -> list[Example]:
    """The commands of a doc, in order."""
    out: list[Example] = []
    found = blocks(markdown)
    for k, block in enumerate(found):
        if block.lang not in SHELL_LANGS | PARSED_ONLY_LANGS:
            continue
        commands: list[tuple[int, str, list[str]]] = []  # (index in the block, command, shown output)
        i = 0
        while i < len(block.lines):
            start = i
            command = _command_start(block.lang, block.lines[i])
            if command is None:
                if block.lang == "console" and commands:
                    commands[-1][2].append(block.lines[i])
                i += 1
                continue
            while command.endswith("\\") and i + 1 < len(block.lines):
                i += 1
                command = command[:-1].rstrip() + " " + block.lines[i].strip().removeprefix("> ")
            commands.append((start, command.strip(), []))
            i += 1
        if block.lang in PARSED_ONLY_LANGS:
            out += [Example(doc, block.line + n, command, parse_only=True) for n, command, _ in commands]
            continue
        # a ```text block right after the block (no heading between) shows its first command's output
        following = found[k + 1] if k + 1 < len(found) else None
        first = next((n for n, text in enumerate(block.lines) if text.strip()), None)
        if (
            following is not None
            and following.lang == "text"
            and not following.after_heading
            and commands
            and commands[0][0] == first
            and not any(line.strip() for line in commands[0][2])
        ):
            commands[0][2][:] = following.lines
        out += [Example(doc, block.line + n, command, tuple(shown)) for n, command, shown in commands]
    return out


def missing_lines(shown: Sequence[str], printed: str) -> list[str]:
    """The shown lines that ``printed`` lacks, looked for in order. A blank line or ``...`` is
    skipped; ``...`` inside a line matches any text."""
    lines = [line.rstrip() for line in printed.splitlines()]
    missing: list[str] = []
    position = 0
    for want in shown:
        if want.strip() in ("", "..."):
            continue
        pattern = re.compile(".*".join(re.escape(part) for part in want.rstrip().split("...")))
        hit = next((i for i in range(position, len(lines)) if pattern.fullmatch(lines[i])), None)
        if hit is None:
            missing.append(want)
        else:
            position = hit + 1
    return missing


# -- reading a command ---------------------------------------------------------------------------


@dataclass
class Stage:
    """One program of a pipeline: its words, and its redirections as (operator, target)."""

    words: list[str] = field(default_factory=list)
    redirections: list[tuple[str, str]] = field(default_factory=list)
    piped: bool = False  # its standard input is the output of the stage before


def stages(command: str) -> tuple[list[Stage], bool]:
    """The pipeline's stages, and whether the command is a list (``&&``, ``;``, ...) rather than one
    pipeline. Comments are dropped."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    out = [Stage()]
    is_list = False
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "|":
            out.append(Stage(piped=True))
        elif token in LISTS:
            is_list = True
            out.append(Stage())
        elif token in REDIRECTIONS:
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            if token == ">&" and out[-1].words and out[-1].words[-1].isdigit():
                token = out[-1].words.pop() + token  # 2>&1
            out[-1].redirections.append((token, target))
            i += 1
        else:
            out[-1].words.append(token)
        i += 1
    return [s for s in out if s.words or s.redirections], is_list


def repository_files(value: str) -> list[str]:
    """The files of this repository that a relative path (or glob) names, as absolute paths; [] if
    none, or if it leaves the repository."""
    if value.startswith(("/", "~")) or ".." in Path(value).parts:
        return []
    if glob.has_magic(value):
        return [str(REPO / match) for match in sorted(glob.glob(value, root_dir=REPO))]
    return [str(REPO / value)] if (REPO / value).exists() else []


@dataclass(frozen=True)
class Parsed:
    """A netsim command line as click parses it: the problem, or the files it reads."""

    problem: str | None = None
    inputs: tuple[str, ...] = ()
    base_ref: bool = False


def parse(argv: Sequence[str]) -> Parsed:
    """Parse ``netsim ARGV`` with netsim's own click parser, without running anything."""
    group_ctx = click.Context(main, info_name="netsim")
    if not argv or argv[0].startswith("-"):
        try:
            main.make_context("netsim", list(argv))
        except click.exceptions.Exit as stop:
            return Parsed(None if stop.exit_code == 0 else f"exit {stop.exit_code}")
        except click.ClickException as exc:
            return Parsed(exc.format_message())
        return Parsed("options before the command: the docs write `netsim COMMAND OPTIONS...`")
    command = main.get_command(group_ctx, argv[0])
    if command is None:
        return Parsed(f"no such command: netsim {argv[0]}")
    try:
        with command.make_context(argv[0], list(argv[1:]), parent=group_ctx) as ctx:
            params = dict(ctx.params)
    except click.exceptions.Exit as stop:  # --help
        return Parsed(None if stop.exit_code == 0 else f"exit {stop.exit_code}")
    except click.ClickException as exc:
        return Parsed(exc.format_message())
    inputs: list[str] = []
    for param in command.params:
        if not isinstance(param.type, click.Path) or (param.name or "").startswith("output"):
            continue
        value = params.get(param.name or "")
        values = value if isinstance(value, tuple) else () if value is None else (value,)
        inputs += [str(v) for v in values if str(v) not in inputs]
    if any(p.name == "paths" for p in command.params) and not inputs:
        return Parsed(f"netsim {argv[0]} names no input (PATHS... or -f PATH)")
    return Parsed(inputs=tuple(inputs), base_ref=bool(params.get("base_ref")))


@dataclass(frozen=True)
class Plan:
    """What the test does with a command: run it (in-process ``argv``, or a bash ``script``), parse
    it only (``why``), or nothing (not netsim's); ``problems``: what click rejects in it."""

    kind: str
    why: str = ""
    problems: tuple[str, ...] = ()
    argv: tuple[str, ...] = ()
    script: str = ""
    netsim_stages: tuple[int, ...] = ()
    stage_count: int = 0


def _absolute(words: Sequence[str], inputs: frozenset[str]) -> list[str]:
    """``words`` with each input (or ``--option=input``) made absolute, globs expanded."""
    out: list[str] = []
    for word in words:
        option, equals, value = word.partition("=") if word.startswith("--") else ("", "", word)
        if value in inputs and value != "-":
            files = repository_files(value)
            out += [f"{option}={f}" for f in files] if equals else files
        else:
            out.append(word)
    return out


def _shell_text(stage: Stage, words: Sequence[str]) -> str:
    text = shlex.join(words)
    for operator, target in stage.redirections:
        files = repository_files(target) if operator == "<" else []
        text += f" {operator} {shlex.quote(files[0] if files else target)}"
    return text


@functools.cache
def plan(command: str) -> Plan:
    parts, is_list = stages(command)
    netsim = [n for n, stage in enumerate(parts) if stage.words and stage.words[0] == "netsim"]
    if not netsim:
        return Plan(OTHER)
    parsed = {n: parse(parts[n].words[1:]) for n in netsim}
    problems = tuple(f"netsim {shlex.join(parts[n].words[1:])}: {p.problem}" for n, p in parsed.items() if p.problem)
    syntax_only = functools.partial(Plan, SYNTAX, problems=problems)
    if problems:
        return syntax_only(why="does not parse")
    if is_list:
        return syntax_only(why="a list of commands, not one pipeline")
    words = [w for stage in parts for w in stage.words] + [t for stage in parts for _, t in stage.redirections]
    if any(w.startswith(("/", "~")) or ".." in Path(w).parts for w in words if not w.startswith("-")):
        return syntax_only(why="names a file outside the repository")
    inputs: dict[int, frozenset[str]] = {}
    for n, stage in enumerate(parts):
        program = stage.words[0] if stage.words else ""
        for operator, target in stage.redirections:
            if operator == "<" and not repository_files(target):
                return syntax_only(why=f"reads {target}, which is not in the repository")
        if n in parsed:
            if parsed[n].base_ref:
                return syntax_only(why="--base-ref reads the history of a git repository")
            inputs[n] = frozenset(parsed[n].inputs)
            for value in parsed[n].inputs:
                from_stdin = stage.piped or any(op == "<" for op, _ in stage.redirections)
                if (value == "-" and not from_stdin) or (value != "-" and not repository_files(value)):
                    return syntax_only(why=f"reads {value}, which is not in the repository")
        elif program in READERS:
            inputs[n] = frozenset(w for w in stage.words[1:] if not w.startswith("-"))
            missing = [w for w in inputs[n] if not repository_files(w)]
            if missing:
                return syntax_only(why=f"{program} reads {missing[0]}, which is not in the repository")
        elif program not in FILTERS:
            return syntax_only(why=f"its input comes from {program}")
    if len(parts) == 1 and not parts[0].redirections:
        return Plan(RUN, argv=tuple(_absolute(parts[0].words[1:], inputs[0])))
    script = " | ".join(
        _shell_text(stage, _absolute(stage.words, inputs.get(n, frozenset()))) for n, stage in enumerate(parts)
    )
    return Plan(RUN, script=script, netsim_stages=tuple(netsim), stage_count=len(parts))


# -- running a command ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ran:
    """What a run printed (stdout and stderr, paths of the repository made relative), and its
    trouble: a netsim exit status outside 0, 1, 3, another program's non-zero status."""

    output: str
    trouble: str | None


class Runner:
    """Runs each command once, each in a directory of its own under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.bin.mkdir()
        wrapper = self.bin / "netsim"
        wrapper.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m netsim "$@"\n', encoding="utf-8")
        wrapper.chmod(0o755)
        self.done: dict[str, Ran] = {}

    def __call__(self, command: str) -> Ran:
        if command not in self.done:
            where = self.root / f"command-{len(self.done)}"
            where.mkdir()
            todo = plan(command)
            self.done[command] = self._bash(todo, where) if todo.script else self._in_process(todo, where)
        return self.done[command]

    @staticmethod
    def _relative(output: str) -> str:
        return output.replace(f"{REPO}{os.sep}", "")

    def _in_process(self, todo: Plan, where: Path) -> Ran:
        with contextlib.chdir(where):
            result = CliRunner().invoke(main, list(todo.argv))
        output = self._relative(result.output)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            trace = "".join(traceback.format_exception(result.exception))
            return Ran(output, f"raised {result.exception!r}\n{trace}")
        trouble = None if result.exit_code in ANSWERS else f"exit {result.exit_code}"
        return Ran(output, trouble)

    def _bash(self, todo: Plan, where: Path) -> Ran:
        status_file = where.with_suffix(".status")
        script = f'{todo.script}\necho "${{PIPESTATUS[*]}}" > {shlex.quote(str(status_file))}\n'
        path = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
        env = {**os.environ, "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": path}
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=where,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            check=False,
        )
        output = self._relative(done.stdout)
        statuses = [int(s) for s in status_file.read_text(encoding="utf-8").split()] if status_file.exists() else []
        if len(statuses) != todo.stage_count:
            return Ran(output, f"bash exited {done.returncode} before the pipeline ended")
        bad = [
            f"{'netsim' if n in todo.netsim_stages else 'stage ' + str(n + 1)} exited {status}"
            for n, status in enumerate(statuses)
            if status not in (ANSWERS if n in todo.netsim_stages else (0,))
        ]
        return Ran(output, "; ".join(bad) or None)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Runner:
    return Runner(tmp_path_factory.mktemp("doc-commands"))


EXAMPLES = {doc: examples(doc, (REPO / doc).read_text(encoding="utf-8")) for doc in DOCS}


def _runnable(doc: str) -> list[Example]:
    return [ex for ex in EXAMPLES[doc] if not ex.parse_only and plan(ex.command).kind == RUN]


# -- the tests -----------------------------------------------------------------------------------


def test_helpers_read_commands_as_the_docs_write_them() -> None:
    md = (
        "# t\n```console\n$ netsim a x \\\n  --b 1\nout 1\n...\n$ kubectl get pods | netsim c -\n```\n"
        "Prints:\n\n```text\nnot the output: the first command shows its own\n```\n"
        "```sh\nnetsim d  # comment\npip install .\n```\nIt prints:\n\n```text\nd out\n```\n"
        "```sh\npip install . && netsim e\n```\n\n```text\nno netsim line first\n```\n"
        "```yaml\n  - run: netsim f k8s/\n```\n"
        "```console\n$ netsim g\n```\n## h\n```text\nafter a heading\n```\n"
    )
    assert examples("x.md", md) == [
        Example("x.md", 3, "netsim a x --b 1", ("out 1", "...")),
        Example("x.md", 7, "kubectl get pods | netsim c -"),
        Example("x.md", 15, "netsim d  # comment", ("d out",)),
        Example("x.md", 31, "netsim f k8s/", parse_only=True),
        Example("x.md", 34, "netsim g"),
    ]
    assert missing_lines(["a ... c", "...", "", "  d"], "a b c\nx\n  d\n") == []
    assert missing_lines(["  d", "a b c"], "a b c\n  d\n") == ["a b c"]  # in the order shown
    assert missing_lines(["a"], "ab\n") == ["a"]  # whole lines


def test_helpers_plan_what_the_repository_can_run() -> None:
    here = "scenarios/production-hardening/manifests"
    assert plan(f"netsim lint {here}").kind == RUN
    assert plan(f"netsim lint {here}").argv == ("lint", str(REPO / here))
    assert plan(f"netsim lint {here} -o sarif > x.sarif").script.endswith("-o sarif > x.sarif")
    assert plan(f"cat {here}/*.yaml | netsim check - --from a --to b --port 1").kind == RUN
    assert plan("netsim lint k8s/").why == "reads k8s/, which is not in the repository"
    assert plan(f"kubectl get pods -o yaml | netsim lint - {here}").why == "its input comes from kubectl"
    assert plan(f"netsim diff --base-ref HEAD {here}").why == "--base-ref reads the history of a git repository"
    assert plan("netsim lint k8s/ --no-such-option").problems
    assert plan("netsim lint k8s/ --fail-on sometimes").problems  # a value of the wrong kind
    assert plan("netsim check k8s/ --from a --to b").problems  # a required option missing
    assert plan("netsim lint --fail-on error").problems  # no input
    assert plan("netsim no-such-command k8s/").problems
    assert plan("hubble observe -o json > flows.json").kind == OTHER


def test_every_doc_is_read() -> None:
    on_disk = {p.relative_to(REPO).as_posix() for p in [*REPO.glob("*.md"), *(REPO / "docs").glob("*.md")]}
    assert set(DOCS) == on_disk
    assert _runnable("README.md")
    assert _runnable("docs/cli.md")


@pytest.mark.parametrize("doc", DOCS)
def test_documented_commands_parse(doc: str) -> None:
    failures = [f"{ex}\n    {problem}" for ex in EXAMPLES[doc] for problem in plan(ex.command).problems]
    assert failures == [], f"{doc} shows netsim commands that netsim rejects:\n" + "\n".join(failures)


@pytest.mark.parametrize("doc", DOCS)
def test_documented_commands_on_this_repository_run(doc: str, run: Runner) -> None:
    failures = []
    for ex in _runnable(doc):
        ran = run(ex.command)
        if ran.trouble is not None:
            failures.append(f"{ex}\n    {ran.trouble}\n{ran.output}")
    assert failures == [], f"{doc} shows commands that fail:\n" + "\n".join(failures)


@pytest.mark.parametrize("doc", DOCS)
def test_documented_output_is_what_netsim_prints(doc: str, run: Runner) -> None:
    failures = []
    for ex in _runnable(doc):
        if not ex.shown:
            continue
        missing = missing_lines(ex.shown, run(ex.command).output)
        if missing:
            failures.append(f"{ex}\n  shows lines it does not print:\n" + "\n".join(f"    {line}" for line in missing))
    assert failures == [], f"{doc} shows output that netsim does not print:\n" + "\n".join(failures)
