"""The documentation agrees with the code: every command and option is in docs/cli.md, every
--help has an example, the README's Quickstart is what CI runs and prints what netsim prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.conftest import REPO

CLI_MD = REPO / "docs" / "cli.md"
README = REPO / "README.md"
CI_RUN = REPO / ".ci" / "run"
COMMANDS = sorted(main.commands)
SHELL_LANGS = frozenset({"sh", "shell", "bash", "console"})
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def sections(markdown: str, level: str = "## ") -> dict[str, str]:
    """Heading text → body, for headings of exactly this level."""
    out: dict[str, str] = {}
    current: str | None = None
    body: list[str] = []
    in_fence = False
    for line in markdown.splitlines(keepends=True):
        if line.startswith("```"):
            in_fence = not in_fence
        if not in_fence and line.startswith(level):
            if current is not None:
                out[current] = "".join(body)
            current, body = line[len(level) :].strip(), []
        elif current is not None:
            body.append(line)
    if current is not None:
        out[current] = "".join(body)
    return out


def fences(markdown: str) -> list[tuple[str, str]]:
    """(info string, content) of every fenced code block, in order."""
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(markdown)]


def mentions(text: str, option: str) -> bool:
    """``--port`` as a whole word (not ``--ports`` or ``--port-range``)."""
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def option_names(command: click.Command) -> list[str]:
    names: list[str] = []
    for param in command.params:
        if isinstance(param, click.Option):
            names += [*param.opts, *param.secondary_opts]
        elif isinstance(param, click.Argument):
            names.append(param.human_readable_name)
    return names


# -- docs/cli.md --------------------------------------------------------------------------------------


def test_helpers_find_what_they_should() -> None:
    md = "# t\n## netsim a\ntext --port\n```sh\n## not a heading\n```\n## netsim b\n--ports\n"
    assert sections(md) == {"netsim a": "text --port\n```sh\n## not a heading\n```\n", "netsim b": "--ports\n"}
    assert fences(md) == [("sh", "## not a heading\n")]
    assert mentions("use `--port 80`", "--port")
    assert not mentions("use --ports", "--port")
    assert not mentions("use --no-port", "--port")


def test_there_are_commands_to_check() -> None:
    assert {"check", "matrix"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_command_has_a_section_in_cli_md(name: str) -> None:
    assert f"netsim {name}" in sections(CLI_MD.read_text(encoding="utf-8")), f"add '## netsim {name}' to docs/cli.md"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_documented(name: str) -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    section = sections(text).get(f"netsim {name}", "")
    shared = sections(text).get("Options shared by every command", "")
    command = main.commands[name]
    undocumented = [opt for opt in option_names(command) if not mentions(section, opt) and not mentions(shared, opt)]
    assert undocumented == [], f"docs/cli.md does not mention these options of netsim {name}"


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example(name: str) -> None:
    result = CliRunner().invoke(main, [name, "--help"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Example" in result.stdout


def _help_examples(name: str) -> list[list[str]]:
    """The example command lines of ``netsim NAME --help``, as argv (pipelines left out)."""
    result = CliRunner().invoke(main, [name, "--help"], catch_exceptions=False)
    lines = [line.strip() for line in result.stdout.splitlines()]
    return [
        shlex.split(line)[1:]
        for line in lines
        if line.startswith(f"netsim {name} ") and not any(c in line for c in "|<>")
    ]


def _on_this_repository(argv: list[str]) -> list[str] | None:
    """``argv`` with this repository's scenario paths made absolute; None if it names none."""
    local = [str(REPO / arg) if arg.startswith("scenarios/") and (REPO / arg).exists() else arg for arg in argv]
    return local if local != argv else None


def _run_examples(examples: list[list[str]]) -> list[str]:
    """Run the examples that name a folder of this repository in the working directory; the failures."""
    failures = []
    for argv in examples:
        local = _on_this_repository(argv)
        if local is None:
            continue
        result = CliRunner().invoke(main, local, catch_exceptions=False)
        if result.exit_code not in (0, 1, 3):  # allowed, denied, undetermined
            failures.append(f"netsim {' '.join(argv)}\n{result.stderr}")
    return failures


@pytest.mark.parametrize("name", COMMANDS)
def test_help_examples_on_this_repository_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # an example that names a folder of this repository must work as printed (outputs go to tmp_path)
    monkeypatch.chdir(tmp_path)
    assert _run_examples(_help_examples(name)) == []


# the commands README.md, CHANGELOG.md and docs/*.md show: tests/test_docs_commands.py


# -- README ------------------------------------------------------------------------------------------


def _quickstart() -> list[tuple[str, str]]:
    return fences(sections(README.read_text(encoding="utf-8"))["Quickstart"])


def _setup_commands() -> list[str]:
    return [body for lang, body in _quickstart() if lang in SHELL_LANGS]


def _ci_test_command() -> str:
    lines = [line.strip() for line in CI_RUN.read_text(encoding="utf-8").splitlines()]
    [command] = [line for line in lines if line.startswith("python -m pytest")]
    return command


def test_readme_quickstart_has_exactly_two_one_line_setup_commands() -> None:
    commands = _setup_commands()
    assert len(commands) == 2
    for body in commands:
        assert body.count("\n") == 1, f"not a single shell line: {body!r}"
        assert body.strip(), "an empty command block"


def test_readme_first_command_installs_and_runs_netsim() -> None:
    first = _setup_commands()[0].strip()
    install, _, run = first.partition(" && ")
    assert install == "pip install ."
    assert run.startswith("netsim check scenarios/")


def test_readme_second_command_is_what_ci_runs() -> None:
    second = _setup_commands()[1].strip()
    install, _, test = second.partition(" && ")
    assert test == _ci_test_command()
    assert install == "pip install -e '.[dev]'"
    assert "pip install -q -e '.[dev]'" in CI_RUN.read_text(encoding="utf-8")


def test_readme_quickstart_output_is_what_netsim_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _quickstart()
    first_index = next(i for i, (lang, _) in enumerate(blocks) if lang in SHELL_LANGS)
    lang, shown = blocks[first_index + 1]
    assert lang == "text", "the output of the first command follows it in a ```text block"
    argv = shlex.split(blocks[first_index][1].partition(" && ")[2])
    assert argv[0] == "netsim"
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
    assert result.exit_code == 0
    assert shown == result.stdout, "README Quickstart output is stale: paste the command's real output"


def test_readme_undetermined_example_is_what_netsim_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    section = sections(README.read_text(encoding="utf-8"), "### ")["When the manifests cannot decide: UNDETERMINED"]
    (lang, command), (out_lang, shown) = fences(section)[:2]
    assert (lang, out_lang) == ("sh", "text")
    argv = shlex.split(command)
    assert argv[0] == "netsim"
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
    assert result.exit_code == 3
    assert "UNDETERMINED" in shown
    assert shown == result.stdout, "the README's undetermined example is stale: paste the command's real output"


def test_readme_has_the_sections_the_team_relies_on() -> None:
    headings = sections(README.read_text(encoding="utf-8"))
    assert {"Quickstart", "Usage", "Documentation", "Pictures"} <= headings.keys()


def test_links_to_files_exist() -> None:
    for doc in [README, *sorted((REPO / "docs").glob("*.md"))]:
        prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", doc.read_text(encoding="utf-8")))  # code is not links
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
            if "://" in target:
                continue
            assert (doc.parent / target).exists(), f"{doc.relative_to(REPO)} links to missing {target}"


def test_cluster_policies_doc_example_is_what_netsim_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "docs" / "cluster-policies.md").read_text(encoding="utf-8")
    [shown] = [body for lang, body in fences(text) if lang == "text" and "cluster-scoped policies" in body]
    monkeypatch.chdir(REPO)
    argv = [
        "check",
        "scenarios/cluster-guardrails/manifests",
        "--from",
        "shop/web",
        "--to",
        "shop/cart",
        "--port",
        "http",
    ]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0
    assert shown == result.stdout, "docs/cluster-policies.md shows stale output: paste the command's real output"
