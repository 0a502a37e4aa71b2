"""One grammar for every command (issue #16): kubectl's -f and -A, -n checked against the input,
-o always a format and --output-file for every result, --protocol in any case, "did you mean" for
every name, and --help that lists a command's own options first and ends with its exit statuses.

Through click's CliRunner in tmp_path, with the cluster of test_connections_cli (shop/web,
shop/db-0, and tools/debug, a pod without a namespace that -n places), exact stderr and exit codes.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from netsim.cli import main
from netsim.cli.app import COMMANDS
from tests.cli.test_connections_cli import CLUSTER, POLICIES
from tests.cli.test_suggest_cli import NAMES

EXPECT = """\
cases:
  - {name: web reaches db, from: shop/web, to: shop/db, port: 5432, expect: allow}
"""

INPUTS = ["cluster.yaml", "policies.yaml"]
FLOW = ["--from", "shop/web", "--to", "shop/db", "--port", "5432"]

#: Each command with the options it needs (besides the inputs).
COMMAND_ARGS: dict[str, list[str]] = {
    "check": FLOW,
    "matrix": ["--port", "5432"],
    "connections": [],
    "graph": [],
    "report": ["--no-lint"],
    "lint": [],
    "test": [],
    "diff": [],
}


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cluster.yaml").write_text(CLUSTER, encoding="utf-8")
    (tmp_path / "policies.yaml").write_text(POLICIES, encoding="utf-8")
    (tmp_path / "expect.yaml").write_text(EXPECT, encoding="utf-8")
    (tmp_path / "names.yaml").write_text(NAMES, encoding="utf-8")
    return tmp_path


def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=stdin)


def usage(command: str, args: str = "PATHS...") -> str:
    """The lines click prints before a usage error (CliRunner runs the group as 'main')."""
    return f"Usage: main {command} [OPTIONS] {args}\nTry 'main {command} --help' for help.\n\n"


def inputs_of(command: str) -> list[str]:
    """The paths each command reads: test also its expectations; diff a base and a head."""
    if command == "test":
        return ["expect.yaml", *INPUTS]
    if command == "diff":
        return ["cluster.yaml", "policies.yaml"]  # BASE (pods only) and HEAD (policies only)
    return INPUTS


# --- -f/--filename --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", sorted(COMMAND_ARGS))
def test_f_reads_what_a_path_argument_reads(runner: CliRunner, command: str) -> None:
    paths = inputs_of(command)
    positional = invoke(runner, command, *paths, "-n", "tools", *COMMAND_ARGS[command])
    with_f = invoke(runner, command, *(a for p in paths for a in ("-f", p)), "-n", "tools", *COMMAND_ARGS[command])
    mixed = invoke(runner, command, paths[0], "--filename", paths[1], *paths[2:], "-n", "tools", *COMMAND_ARGS[command])
    assert positional.exit_code in (0, 1), positional.output
    for result in (with_f, mixed):
        assert (result.exit_code, result.stdout, result.stderr) == (
            positional.exit_code,
            positional.stdout,
            positional.stderr,
        )


def test_f_and_arguments_are_read_in_the_order_written(runner: CliRunner) -> None:
    # diff takes BASE then HEAD from PATHS and -f alike, where they stand on the command line
    def header(*args: str) -> str:
        result = invoke(runner, "diff", *args, "-n", "tools")
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()[0]

    assert header("cluster.yaml", "-f", "policies.yaml") == "netsim diff cluster.yaml -> policies.yaml"
    assert header("-f", "cluster.yaml", "policies.yaml") == "netsim diff cluster.yaml -> policies.yaml"
    assert header("-f", "policies.yaml", "cluster.yaml") == "netsim diff policies.yaml -> cluster.yaml"
    assert header("--filename=cluster.yaml", "-fpolicies.yaml") == "netsim diff cluster.yaml -> policies.yaml"


def test_f_dash_is_standard_input(runner: CliRunner) -> None:
    result = invoke(runner, "check", "-f", "-", "-n", "tools", *FLOW, stdin=CLUSTER + "---\n" + POLICIES)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("shop/web[Deployment] -> shop/db-0 5432/TCP: ALLOWED\n")
    assert "isolated by shop/db-from-web (<stdin>:" in result.stdout
    # with a file after it, in that order
    (Path("policies.yaml")).write_text(POLICIES, encoding="utf-8")
    mixed = invoke(runner, "check", "-f", "-", "policies.yaml", "-n", "tools", *FLOW, stdin=CLUSTER)
    assert mixed.exit_code == 0, mixed.output
    assert "isolated by shop/db-from-web (policies.yaml:" in mixed.stdout


@pytest.mark.parametrize(("command", "args"), [("check", "PATHS..."), ("test", "SPEC... PATHS...")])
def test_no_paths_and_no_f_is_a_usage_error(runner: CliRunner, command: str, args: str) -> None:
    result = invoke(runner, command, *COMMAND_ARGS[command])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage(command, args) + (
        "Error: Missing argument 'PATHS...' (or -f PATH): the files, folders or - to read.\n"
    )


def test_no_option_of_a_command_takes_f_for_itself() -> None:
    # -f is kubectl's --filename everywhere: no command's own option (--format, --fail-on,
    # --focus) may take it
    for name, command in main.commands.items():
        owners = [p.name for p in command.params if isinstance(p, click.Option) and "-f" in p.opts]
        assert owners == ["filenames"], name


# --- -A/--all-namespaces and -n -------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["connections", "matrix", "lint"])
def test_all_namespaces_changes_nothing(runner: CliRunner, command: str) -> None:
    args = ["names.yaml", *(["--port", "80"] if command == "matrix" else [])]
    plain = invoke(runner, command, *args)
    for flag in ("-A", "--all-namespaces"):
        result = invoke(runner, command, *args, flag)
        assert (result.exit_code, result.stdout, result.stderr) == (plain.exit_code, plain.stdout, plain.stderr)


@pytest.mark.parametrize("command", sorted(COMMAND_ARGS))
def test_all_namespaces_with_n_is_a_usage_error(runner: CliRunner, command: str) -> None:
    args = "(BASE HEAD | --base-ref REV PATHS...)" if command == "diff" else None
    args = "SPEC... PATHS..." if command == "test" else args
    result = invoke(runner, command, *inputs_of(command), "-A", "-n", "tools", *COMMAND_ARGS[command])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage(command, args or "PATHS...") + (
        "Error: -A/--all-namespaces and -n/--namespace cannot be combined: netsim evaluates every namespace "
        "either way; -n only names the namespace of objects and endpoint names that give none.\n"
    )


@pytest.mark.parametrize("command", ["connections", "graph"])
def test_all_namespaces_with_focus_is_a_usage_error(runner: CliRunner, command: str) -> None:
    result = invoke(runner, command, "names.yaml", "--all-namespaces", "--focus", "shop")
    assert result.exit_code == 2
    assert result.stderr == usage(command) + (
        "Error: -A/--all-namespaces and --focus cannot be combined: -A asks for every namespace\n"
    )


@pytest.mark.parametrize(
    ("command", "args"),
    [
        ("check", ["--from", "payments/api", "--to", "shop/web", "--port", "80"]),
        ("connections", []),
        ("matrix", ["--port", "80"]),
        ("lint", []),
        ("graph", []),
        ("report", []),
    ],
)
def test_n_that_names_no_namespace_of_the_input(runner: CliRunner, command: str, args: list[str]) -> None:
    result = invoke(runner, command, "names.yaml", "-n", "payment", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: -n payment: no such namespace in the input; did you mean 'payments'?\n"
    # the default, not given, names no namespace of the input either, and is fine
    assert invoke(runner, command, "names.yaml", *args).exit_code in (0, 1)


def test_n_places_objects_that_name_no_namespace(runner: CliRunner) -> None:
    # cluster.yaml's debug pod has no namespace: -n puts it in one, which the input then has
    for namespace in ("tools", "tols"):
        result = invoke(runner, "connections", *INPUTS, "-n", namespace, "--from", f"{namespace}/debug")
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(f"{namespace}/debug[Pod] => ")


def test_n_for_diff_names_a_namespace_of_either_side(runner: CliRunner, workdir: Path) -> None:
    (workdir / "other.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: other}\n", "utf-8")
    assert invoke(runner, "diff", "names.yaml", "other.yaml", "-n", "other").exit_code == 0
    assert invoke(runner, "diff", "names.yaml", "other.yaml", "-n", "payments").exit_code == 0
    result = invoke(runner, "diff", "names.yaml", "other.yaml", "-n", "othr")
    assert result.exit_code == 2
    assert result.stderr == "error: -n othr: no such namespace in the input; did you mean 'other'?\n"


def test_test_checks_n_as_well(runner: CliRunner) -> None:
    result = invoke(runner, "test", "expect.yaml", "names.yaml", "-n", "shpo")
    assert result.exit_code == 2
    assert result.stderr == "error: -n shpo: no such namespace in the input; did you mean 'shop'?\n"


# --- did you mean (endpoints and namespaces: test_suggest_cli.py) ----------------------------------------


@pytest.mark.parametrize(
    ("args", "option", "message"),
    [
        (
            ["--group-by", "namspace"],
            "'--group-by'",
            "'namspace' is not one of 'pod', 'workload', 'namespace'; did you mean 'namespace'?",
        ),
        (["-o", "jsn"], "'-o' / '--output'", "'jsn' is not one of 'text', 'json', 'csv', 'md'; did you mean 'json'?"),
        (["--host-network", "nod"], "'--host-network'", "'nod' is not one of 'node', 'pod'; did you mean 'node'?"),
        (["--host-network", "vm"], "'--host-network'", "'vm' is not one of 'node', 'pod'."),
    ],
)
def test_a_misspelt_choice_gets_did_you_mean(runner: CliRunner, args: list[str], option: str, message: str) -> None:
    result = invoke(runner, "connections", "names.yaml", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage("connections") + f"Error: Invalid value for {option}: {message}\n"


def test_lint_disable_by_name_or_id_suggests(runner: CliRunner) -> None:
    result = invoke(runner, "lint", "names.yaml", "--disable", "dns-tcp-blokced")
    assert result.exit_code == 2
    assert "unknown rule 'dns-tcp-blokced'; did you mean 'dns-tcp-blocked', 'dns-udp-blocked'?" in result.stderr


# --- --protocol -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("spelling", ["udp", "UDP", "Udp"])
def test_protocol_in_any_case(runner: CliRunner, spelling: str) -> None:
    upper = invoke(runner, "check", *INPUTS, "-n", "tools", *FLOW, "--protocol", "UDP")
    result = invoke(runner, "check", *INPUTS, "-n", "tools", *FLOW, "--protocol", spelling)
    assert (result.exit_code, result.stdout) == (upper.exit_code, upper.stdout)
    assert result.stdout.startswith("shop/web[Deployment] -> shop/db-0 5432/UDP: DENIED")
    matrix = invoke(runner, "matrix", *INPUTS, "-n", "tools", "--port", "53", "--protocol", spelling)
    assert matrix.stdout.startswith("port 53/UDP:")


@pytest.mark.parametrize("command", ["check", "matrix"])
def test_protocol_help_shows_the_upper_case_choices(runner: CliRunner, command: str) -> None:
    text = invoke(runner, command, "--help").stdout
    assert "--protocol [TCP|UDP|SCTP]" in text


def test_an_unknown_protocol(runner: CliRunner) -> None:
    result = invoke(runner, "check", *INPUTS, *FLOW, "--protocol", "tpc")
    assert result.exit_code == 2
    assert result.stderr == usage("check") + (
        "Error: Invalid value for '--protocol': 'tpc' is not one of 'TCP', 'UDP', 'SCTP'; did you mean 'TCP'?\n"
    )
    result = invoke(runner, "check", *INPUTS, "-n", "tools", *FLOW[:-1], "5432/udp", "--protocol", "tcp")
    assert result.exit_code == 2
    assert result.stderr == "error: --port 5432/udp and --protocol TCP disagree\n"


# --- -o is a format, --output-file a file ----------------------------------------------------------------

#: (command, its options, a file name, the -o format its suffix stands for)
WRITES = [
    ("check", FLOW, "verdict.json", "json"),
    ("check", FLOW, "verdict.txt", "text"),
    ("matrix", ["--port", "5432"], "matrix.csv", "csv"),
    ("matrix", ["--port", "5432"], "matrix.json", "json"),
    ("connections", [], "list.md", "md"),
    ("connections", [], "list.markdown", "md"),
    ("connections", [], "list.csv", "csv"),
    ("connections", [], "list.JSON", "json"),
    ("graph", [], "graph.gv", "dot"),
    ("lint", [], "findings.sarif", "sarif"),
    ("lint", [], "findings.sarif.json", "sarif"),
    ("lint", [], "findings.json", "json"),
    ("test", [], "junit.xml", "junit"),
    ("diff", [], "diff.md", "md"),
    ("diff", [], "diff.json", "json"),
    ("report", ["--no-lint"], "report.html", "html"),
]


@pytest.mark.parametrize(("command", "args", "name", "fmt"), WRITES, ids=[f"{c}-{n}" for c, _, n, _ in WRITES])
def test_output_file_takes_its_format_from_the_suffix(
    runner: CliRunner, workdir: Path, command: str, args: list[str], name: str, fmt: str
) -> None:
    printed = invoke(runner, command, *inputs_of(command), "-n", "tools", *args, "-o", fmt)
    written = invoke(runner, command, *inputs_of(command), "-n", "tools", *args, "--output-file", name)
    assert written.exit_code == printed.exit_code, written.output
    assert written.exit_code in (0, 1)
    assert written.stdout == ""
    assert written.stderr.endswith(f"wrote {name}\n" if command != "graph" else f"wrote {name} (pod view, 9 nodes)\n")
    content = (workdir / name).read_text(encoding="utf-8")
    if command == "report":  # the page holds its generation's title only
        assert content.startswith("<!DOCTYPE html>")
    else:
        assert content == printed.stdout
    # -o and a suffix of the same format agree
    again = invoke(runner, command, *inputs_of(command), "-n", "tools", *args, "-o", fmt, "--output-file", name)
    assert again.exit_code == printed.exit_code


def test_each_format_is_what_it_says(runner: CliRunner, workdir: Path) -> None:
    invoke(runner, "lint", *INPUTS, "-n", "tools", "--output-file", "lint.sarif")
    assert json.loads((workdir / "lint.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    invoke(runner, "test", "expect.yaml", *INPUTS, "-n", "tools", "--output-file", "junit.xml")
    assert ET.fromstring((workdir / "junit.xml").read_bytes()).tag == "testsuites"
    invoke(runner, "check", *INPUTS, "-n", "tools", *FLOW, "--output-file", "verdict.json")
    assert json.loads((workdir / "verdict.json").read_text(encoding="utf-8"))["allowed"] is True


@pytest.mark.parametrize(
    ("command", "fmt", "name", "by_suffix", "suffixes"),
    [
        ("connections", "json", "list.csv", "csv", ".json"),
        ("check", "text", "verdict.json", "json", ".txt"),
        ("lint", "json", "x.sarif", "sarif", ".json"),
        ("test", "text", "junit.xml", "junit", ".txt"),
        ("diff", "html", "diff.md", "md", ".html, .htm"),
    ],
)
def test_o_and_a_suffix_that_disagree_are_a_usage_error(
    runner: CliRunner, workdir: Path, command: str, fmt: str, name: str, by_suffix: str, suffixes: str
) -> None:
    args = "(BASE HEAD | --base-ref REV PATHS...)" if command == "diff" else "PATHS..."
    args = "SPEC... PATHS..." if command == "test" else args
    result = invoke(runner, command, *inputs_of(command), *COMMAND_ARGS[command], "-o", fmt, "--output-file", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == usage(command, args) + (
        f"Error: -o {fmt} and --output-file {name} disagree: the suffix names {by_suffix} output; "
        f"drop -o to write {by_suffix}, or give the file a suffix of {fmt} ({suffixes})\n"
    )
    assert not (workdir / name).exists()


def test_a_suffix_of_no_format_gets_the_default(runner: CliRunner, workdir: Path) -> None:
    printed = invoke(runner, "connections", *INPUTS, "-n", "tools")
    assert invoke(runner, "connections", *INPUTS, "-n", "tools", "--output-file", "list.out").exit_code == 0
    assert (workdir / "list.out").read_text(encoding="utf-8") == printed.stdout
    # and -o names the format of a file named anyhow
    assert (
        invoke(runner, "connections", *INPUTS, "-n", "tools", "-o", "csv", "--output-file", "list.out").exit_code == 0
    )
    assert (workdir / "list.out").read_text(encoding="utf-8").startswith("src,dst,conn")


def test_output_file_dash_is_standard_output(runner: CliRunner, workdir: Path) -> None:
    result = invoke(runner, "matrix", *INPUTS, "-n", "tools", "--port", "80", "--output-file", "-", "-o", "csv")
    assert result.exit_code == 0
    assert result.stdout.startswith("source,")
    assert result.stderr == ""
    assert not (workdir / "-").exists()


def test_the_format_in_any_case(runner: CliRunner) -> None:
    lower = invoke(runner, "connections", *INPUTS, "-n", "tools", "-o", "json")
    assert invoke(runner, "connections", *INPUTS, "-n", "tools", "-o", "JSON").stdout == lower.stdout


@pytest.mark.parametrize("command", ["check", "connections", "lint", "test", "matrix"])
def test_output_file_is_never_an_input(runner: CliRunner, workdir: Path, command: str) -> None:
    result = invoke(
        runner, command, *inputs_of(command), "-n", "tools", *COMMAND_ARGS[command], "--output-file", "policies.yaml"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "error: refusing to write policies.yaml: it is one of the inputs\n"
    assert (workdir / "policies.yaml").read_text(encoding="utf-8") == POLICIES


def test_the_exit_status_is_the_answer_with_a_file_too(runner: CliRunner, workdir: Path) -> None:
    denied = ["--from", "shop/db", "--to", "shop/web", "--port", "5432"]
    result = invoke(runner, "check", *INPUTS, "-n", "tools", *denied, "--output-file", "verdict.txt")
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "wrote verdict.txt\n")
    assert (workdir / "verdict.txt").read_text(encoding="utf-8").startswith("shop/db-0 -> shop/web[Deployment]")
    result = invoke(runner, "lint", *INPUTS, "-n", "tools", "--fail-on", "info", "--output-file", "lint.json")
    assert result.exit_code == 1
    assert json.loads((workdir / "lint.json").read_text(encoding="utf-8"))


def test_test_o_junit_prints_the_xml_instead_of_the_text(runner: CliRunner, workdir: Path) -> None:
    result = invoke(runner, "test", "expect.yaml", *INPUTS, "-n", "tools", "-o", "junit")
    assert result.exit_code == 0
    assert ET.fromstring(result.stdout_bytes).tag == "testsuites"
    # --junit FILE still writes the XML besides the text report
    both = invoke(runner, "test", "expect.yaml", *INPUTS, "-n", "tools", "--junit", "j.xml", "--output-file", "r.txt")
    assert both.exit_code == 0
    assert both.stderr == "wrote r.txt\n"
    assert (workdir / "r.txt").read_text(encoding="utf-8").startswith("PASS  web reaches db")
    assert ET.fromstring((workdir / "j.xml").read_bytes()).tag == "testsuites"


# --- --help -------------------------------------------------------------------------------------------


def _options(text: str) -> list[str]:
    """The option names of a --help, in order: the first name of each entry."""
    names = []
    for line in text.splitlines():
        match = re.match(r"  (-\w|--[\w-]+)", line)
        if match:
            names.append(match[1])
    return names


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_help_lists_the_command_options_first_and_ends_with_its_exit_statuses(runner: CliRunner, command: str) -> None:
    text = invoke(runner, command, "--help").stdout
    names = _options(text)
    first_shared, first_limit = names.index("-f"), names.index("--max-file-bytes")
    own = names[:first_shared]
    assert own, "the command's own options come first"
    assert "-n" not in own
    assert "--lax" not in own
    assert names[first_shared : first_shared + 3] == ["-f", "-n", "-A"]
    assert all(name.startswith("--max-") for name in names[first_limit:-1])
    assert names[-1] == "-h"
    required = [line for line in text.splitlines() if "[required]" in line]
    if command == "check":
        assert own[:3] == ["--from", "--to", "--port"]
        assert len(required) == 3
    # the last section; a long meaning wraps under itself
    head, _, block = text.rpartition("\nExit status:\n")
    assert head.endswith("Show this message and exit.\n")
    assert " ".join(block.split()) == " ".join(f"{code} {meaning}" for code, meaning in COMMANDS[command].exits)
    assert "\n  130  interrupted (Ctrl-C)\n" in text


def test_check_help_shows_the_workload_form(runner: CliRunner) -> None:
    text = " ".join(invoke(runner, "check", "--help").stdout.split())
    assert "--from SOURCE Source: a pod (ns/name, or name in the -n namespace), a workload (ns/name[Kind], e.g." in text
    assert "shop/web[Deployment])" in text


@pytest.mark.parametrize(
    ("command", "line"),
    [
        ("test", "Usage: main test [OPTIONS] SPEC... PATHS..."),
        ("diff", "Usage: main diff [OPTIONS] (BASE HEAD | --base-ref REV PATHS...)"),
        ("check", "Usage: main check [OPTIONS] PATHS..."),
    ],
)
def test_usage_lines(runner: CliRunner, command: str, line: str) -> None:
    assert invoke(runner, command, "--help").stdout.splitlines()[0] == line


@pytest.mark.parametrize("width", [60, 80, 100])
def test_the_command_list_never_cuts_a_summary(runner: CliRunner, width: int) -> None:
    text = runner.invoke(main, ["--help"], terminal_width=width).stdout
    listing = " ".join(text.split("Commands:")[1].split())
    for name, lazy in COMMANDS.items():
        assert f"{name} {lazy.help}" in listing, f"{name}'s summary is cut at {width} columns"
    assert all(len(line) <= max(width, 80) for line in text.split("Commands:")[1].splitlines())
