"""`netsim graph` through click's CliRunner: output formats by suffix, DOT on stdout, grouping,
focus, and every way writing a picture can fail (which must leave no file behind).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import graphviz  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner, Result

import netsim.cli.graph
from netsim.cli import main
from tests.cli.test_connections_cli import CLUSTER, POLICIES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
INPUTS = ["cluster.yaml", "policies.yaml", "-n", "tools"]

pytestmark = pytest.mark.usefixtures("workdir")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A temporary working directory with cluster.yaml and policies.yaml."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cluster.yaml").write_text(CLUSTER, encoding="utf-8")
    (tmp_path / "policies.yaml").write_text(POLICIES, encoding="utf-8")
    return tmp_path


def graph(runner: CliRunner, *args: str) -> Result:
    return runner.invoke(main, ["graph", *INPUTS, *args])


def ok(runner: CliRunner, *args: str) -> Result:
    result = runner.invoke(main, ["graph", *INPUTS, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def listing(directory: Path) -> list[str]:
    """Every entry of a directory, hidden ones included."""
    return sorted(p.name for p in directory.iterdir())


# --- formats -------------------------------------------------------------------------------------------


def test_dash_prints_dot(runner: CliRunner) -> None:
    result = ok(runner, "-o", "dot")
    assert result.stdout.startswith("digraph netsim {\n")
    assert result.stdout.endswith("}\n")
    assert '"shop/web[Deployment]" -> "shop/db-0"' in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("name", ["out.dot", "out.gv", "OUT.DOT"])
def test_dot_file(runner: CliRunner, workdir: Path, name: str) -> None:
    result = ok(runner, "--output-file", name)
    assert result.stdout == ""
    assert result.stderr == f"wrote {name} (pod view, 9 nodes)\n"
    assert (workdir / name).read_text(encoding="utf-8") == ok(runner, "-o", "dot").stdout


def test_svg_file(runner: CliRunner, workdir: Path) -> None:
    ok(runner, "--output-file", "out.svg", "--title", "shop")
    root = ET.fromstring((workdir / "out.svg").read_bytes())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {"shop", "web", "db-0", "TCP 5432", "namespace tools"} <= texts


def test_png_file(runner: CliRunner, workdir: Path) -> None:
    ok(runner, "--output-file", "out.png")
    assert (workdir / "out.png").read_bytes().startswith(PNG_SIGNATURE)


def test_pdf_file(runner: CliRunner, workdir: Path) -> None:
    ok(runner, "--output-file", "out.pdf")
    assert (workdir / "out.pdf").read_bytes().startswith(b"%PDF")


def test_written_file_is_readable_by_others(runner: CliRunner, workdir: Path) -> None:
    ok(runner, "--output-file", "out.dot")
    assert (workdir / "out.dot").stat().st_mode & 0o777 == 0o644


def test_overwrites_an_earlier_picture(runner: CliRunner, workdir: Path) -> None:
    (workdir / "out.dot").write_text("old", encoding="utf-8")
    ok(runner, "--output-file", "out.dot")
    assert (workdir / "out.dot").read_text(encoding="utf-8").startswith("digraph netsim {")
    assert listing(workdir) == ["cluster.yaml", "out.dot", "policies.yaml"]


# --- options ---------------------------------------------------------------------------------------------


def test_title_and_no_legend(runner: CliRunner) -> None:
    with_all = ok(runner, "-o", "dot", "--title", 'Shop "prod"').stdout
    assert 'label="Shop \\"prod\\""' in with_all
    assert "cluster_legend" in with_all
    assert "cluster_legend" not in ok(runner, "-o", "dot", "--no-legend").stdout


def test_the_title_is_the_inputs_by_default(runner: CliRunner) -> None:
    def title(*args: str) -> str:
        return ok(runner, "-o", "dot", *args).stdout.splitlines()[1]

    assert ', label="cluster.yaml policies.yaml"];' in title()
    assert ', label="Shop"];' in title("--title", "Shop")
    assert "label=" not in title("--title", "")


def test_a_picture_too_big_to_read_suggests_an_interactive_view(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "hint" not in ok(runner, "--output-file", "x.dot").stderr
    monkeypatch.setattr("netsim.render.dot.READABLE_EDGES", 2)
    result = ok(runner, "--output-file", "x.dot")
    assert result.stderr == (
        "wrote x.dot (pod view, 9 nodes)\n"
        "hint: the picture has 5 edges and 5 nodes; netsim report cluster.yaml policies.yaml "
        "--output-file report.html draws an interactive view that stays readable\n"
    )
    # with DOT on stdout, the hint is on stderr alone
    result = ok(runner, "-o", "dot")
    assert result.stdout.startswith("digraph netsim {")
    assert result.stderr.startswith("hint: the picture has 5 edges")


def test_all_edges(runner: CliRunner) -> None:
    # web (open egress) -> debug (open ingress) exists only because neither end is isolated
    implied = '"shop/web[Deployment]" -> "tools/debug"'
    assert implied not in ok(runner, "-o", "dot").stdout
    everything = ok(runner, "-o", "dot", "--all-edges").stdout
    assert implied in everything
    assert '"tools/debug" -> "0.0.0.0-9.255.255.255[External]"' in everything
    # what a policy shapes is drawn either way
    assert '"shop/web[Deployment]" -> "shop/db-0"' in everything


@pytest.mark.parametrize(
    ("group_by", "node", "view"),
    [
        ("pod", '"shop/db-0" [', "pod view, 9 nodes"),
        ("workload", '"shop/db[StatefulSet]" [', "workload view, 9 nodes"),
        ("namespace", '"shop" [', "namespace view, 8 nodes"),
    ],
)
def test_group_by(runner: CliRunner, group_by: str, node: str, view: str) -> None:
    assert node in ok(runner, "-o", "dot", "--group-by", group_by).stdout
    assert ok(runner, "--output-file", "x.dot", "--group-by", group_by).stderr == f"wrote x.dot ({view})\n"


def test_auto_draws_pods_up_to_the_limit(runner: CliRunner) -> None:
    assert ok(runner, "--output-file", "x.dot").stderr == "wrote x.dot (pod view, 9 nodes)\n"


def test_auto_draws_namespaces_above_the_limit(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netsim.cli.graph, "AUTO_POD_LIMIT", 2)
    result = ok(runner, "-o", "dot")
    assert '"shop" [' in result.stdout
    assert 'shape="box3d"' in result.stdout
    assert "shop/web" not in result.stdout


@pytest.mark.parametrize(("extra", "view"), [(0, "pod"), (1, "namespace")], ids=["at-limit", "above-limit"])
def test_auto_limit_with_real_pod_counts(runner: CliRunner, workdir: Path, extra: int, view: str) -> None:
    count = netsim.cli.graph.AUTO_POD_LIMIT + extra
    pods = "".join(
        f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: bulk}}\n"
        "spec: {containers: [{name: c, image: i}]}\n---\n"
        for i in range(count)
    )
    (workdir / "bulk.yaml").write_text(pods, encoding="utf-8")
    result = runner.invoke(main, ["graph", "bulk.yaml", "--output-file", "x.dot"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"wrote x.dot ({view} view, ")


def test_focus(runner: CliRunner) -> None:
    out = ok(runner, "-o", "dot", "--focus", "tools").stdout
    edges = [line for line in out.splitlines() if " -> " in line and "legend" not in line]
    assert edges
    assert all("tools/debug" in line for line in edges)
    # shop's pods appear only as faded neighbours, and traffic inside shop is not drawn
    assert 'label="namespace shop"' in out
    assert '"shop/web[Deployment]" -> "shop/db-0"' not in out
    assert '"shop/web[Deployment]" -> "shop/db-0"' in ok(runner, "-o", "dot").stdout


# --- errors ----------------------------------------------------------------------------------------------


USAGE = "Usage: main graph [OPTIONS] PATHS...\nTry 'main graph --help' for help.\n\n"


def test_unknown_suffix(runner: CliRunner, workdir: Path) -> None:
    result = graph(runner, "--output-file", "picture.gif")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == USAGE + (
        "Error: cannot tell the picture format of 'picture.gif' from its suffix: name it .dot, .gv, .svg, .png, "
        ".pdf, or give -o dot|svg|png|pdf\n"
    )
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


def test_a_suffix_of_no_format_is_fine_with_o(runner: CliRunner, workdir: Path) -> None:
    # -o says the format: the file may be named anyhow
    assert ok(runner, "-o", "dot", "--output-file", "picture.txt").stderr == "wrote picture.txt (pod view, 9 nodes)\n"
    assert (workdir / "picture.txt").read_text(encoding="utf-8").startswith("digraph netsim {")


def test_no_output_option_prints_dot(runner: CliRunner) -> None:
    result = ok(runner)
    assert result.stdout == ok(runner, "-o", "dot").stdout
    assert result.stdout.startswith("digraph netsim {\n")
    assert result.stderr == ""


@pytest.mark.parametrize("value", ["DOT", "Dot"])
def test_the_format_in_any_case(runner: CliRunner, value: str) -> None:
    assert ok(runner, "-o", value).stdout.startswith("digraph netsim {\n")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("svgz", "'svgz' is not one of 'dot', 'svg', 'png', 'pdf'; did you mean 'svg'?"),
        ("gif", "'gif' is not one of 'dot', 'svg', 'png', 'pdf'."),
        (
            "picture.gif",
            "'picture.gif' is not a format: -o is one of dot, svg, png, pdf; a file is --output-file FILE "
            "(suffix .dot, .gv, .svg, .png, .pdf)",
        ),
    ],
)
def test_an_unknown_format(runner: CliRunner, workdir: Path, value: str, message: str) -> None:
    result = graph(runner, "-o", value)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == USAGE + f"Error: Invalid value for '-o' / '--output': {message}\n"
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


@pytest.mark.parametrize(("fmt", "name"), [("svg", "out.png"), ("dot", "out.svg"), ("png", "out.gv")])
def test_o_and_a_suffix_that_disagree(runner: CliRunner, workdir: Path, fmt: str, name: str) -> None:
    result = graph(runner, "-o", fmt, "--output-file", name)
    assert result.exit_code == 2
    by_suffix = {"png": "png", "svg": "svg", "gv": "dot"}[name.rsplit(".", 1)[1]]
    suffixes = {"svg": ".svg", "dot": ".dot, .gv", "png": ".png"}[fmt]
    assert result.stderr == USAGE + (
        f"Error: -o {fmt} and --output-file {name} disagree: the suffix names {by_suffix} output; "
        f"drop -o to write {by_suffix}, or give the file a suffix of {fmt} ({suffixes})\n"
    )
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_a_picture_goes_to_a_pipe_not_a_terminal(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # standard output that is not a terminal (CliRunner's, a pipe, a redirection) gets the picture
    result = ok(runner, "-o", fmt)
    signature = {"svg": b"<?xml", "png": PNG_SIGNATURE, "pdf": b"%PDF"}[fmt]
    assert result.stdout_bytes.startswith(signature)
    assert result.stderr == ""
    # on a terminal it is a usage error, before anything is read
    monkeypatch.setattr(netsim.cli.graph, "_stdout_is_terminal", lambda: True)
    result = graph(runner, "-o", fmt)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == USAGE + (
        f"Error: -o {fmt} draws a picture, which a terminal cannot show: give --output-file graph.{fmt}, "
        f"or redirect standard output (> graph.{fmt})\n"
    )
    assert ok(runner, "-o", "dot").stdout.startswith("digraph netsim {"), "DOT is text: fine on a terminal"
    assert ok(runner, "-o", fmt, "--output-file", f"out.{fmt}").stderr == f"wrote out.{fmt} (pod view, 9 nodes)\n"
    assert (workdir / f"out.{fmt}").read_bytes().startswith(signature)


def test_output_file_dash_is_standard_output(runner: CliRunner, workdir: Path) -> None:
    result = ok(runner, "--output-file", "-")
    assert result.stdout.startswith("digraph netsim {")
    assert result.stderr == ""
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


# --- the form of 0.1: -o FILE, deprecated ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.dot", "out.gv", "out.svg", "OUT.PNG", "out.pdf", "pics/out.dot"])
def test_o_with_a_file_name_still_writes_it_with_a_warning(runner: CliRunner, workdir: Path, name: str) -> None:
    (workdir / "pics").mkdir()
    result = ok(runner, "-o", name)
    assert result.stdout == ""
    assert result.stderr == (
        f"warning: -o {name} is deprecated (-o names a format now): use --output-file {name}\n"
        f"wrote {name} (pod view, 9 nodes)\n"
    )
    signature = {"dot": b"digraph", "gv": b"digraph", "svg": b"<?xml", "png": PNG_SIGNATURE, "pdf": b"%PDF"}
    assert (workdir / name).read_bytes().startswith(signature[name.rsplit(".", 1)[1].lower()])


def test_o_dash_still_prints_dot_with_a_warning(runner: CliRunner) -> None:
    result = ok(runner, "-o", "-")
    assert result.stdout == ok(runner, "-o", "dot").stdout
    assert result.stderr == "warning: -o - is deprecated (-o names a format now): use -o dot\n"


def test_o_with_a_file_name_and_output_file(runner: CliRunner, workdir: Path) -> None:
    result = graph(runner, "-o", "a.svg", "--output-file", "b.svg")
    assert result.exit_code == 2
    assert result.stderr == USAGE + "Error: -o a.svg names a file, and so does --output-file: give --output-file only\n"
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


@pytest.mark.parametrize("name", ["missing/out.svg", "missing/out.dot"])
def test_missing_directory(runner: CliRunner, workdir: Path, name: str) -> None:
    result = graph(runner, "--output-file", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: cannot write {name}: directory missing does not exist\n"
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


def test_output_is_a_directory(runner: CliRunner, workdir: Path) -> None:
    (workdir / "pics.dot").mkdir()
    result = graph(runner, "--output-file", "pics.dot")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write pics.dot: it is a directory\n"


def test_refuses_to_overwrite_an_input(runner: CliRunner, workdir: Path) -> None:
    # a manifest that happens to be named like a picture is still an input
    (workdir / "cluster.gv").write_text(CLUSTER, encoding="utf-8")
    args = ["graph", "cluster.gv", "policies.yaml", "-n", "tools", "--output-file", "./cluster.gv"]
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr == "error: refusing to write ./cluster.gv: it is one of the inputs\n"
    assert (workdir / "cluster.gv").read_text(encoding="utf-8") == CLUSTER
    assert listing(workdir) == ["cluster.gv", "cluster.yaml", "policies.yaml"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nowhere", "--focus nowhere: no such namespace in the input"),
        ("tols", "--focus tols: no such namespace in the input; did you mean 'tools'?"),
        ("shop/web", "--focus shop/web: no such namespace in the input; did you mean 'shop'?"),
    ],
)
def test_focus_on_an_unknown_namespace(runner: CliRunner, workdir: Path, name: str, message: str) -> None:
    result = graph(runner, "--output-file", "out.svg", "--focus", "tools", "--focus", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"error: {message}\n"
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


def test_bad_input_writes_nothing(runner: CliRunner, workdir: Path) -> None:
    (workdir / "policies.yaml").write_text("kind: NetworkPolicy\nspec: {podselector: {}}\n", encoding="utf-8")
    result = graph(runner, "--output-file", "out.png")
    assert result.exit_code == 2
    assert "policies.yaml:" in result.stderr
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]


@pytest.mark.parametrize("name", ["out.svg", "out.png", "out.pdf"])
def test_missing_dot_program(runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr("netsim.render.dot.shutil.which", lambda program: None)
    result = graph(runner, "--output-file", name)
    assert result.exit_code == 2
    assert result.stdout == ""
    fmt = name.rsplit(".", 1)[1].upper()
    assert result.stderr.startswith(f"error: Graphviz's `dot` program is not installed, so {fmt} cannot be rendered.")
    assert "apt-get install graphviz" in result.stderr
    assert "(-o dot, or --output-file graph.dot)" in result.stderr
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]
    # DOT needs no Graphviz
    ok(runner, "--output-file", "out.dot")
    assert ok(runner, "-o", "dot").stdout.startswith("digraph netsim {")
    assert listing(workdir) == ["cluster.yaml", "out.dot", "policies.yaml"]


def test_render_failure_leaves_nothing_behind(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: object, *args: object, **kwargs: object) -> bytes:
        raise graphviz.CalledProcessError(1, ["dot"], output=b"", stderr=b"boom")

    (workdir / "out.svg").write_text("the previous picture", encoding="utf-8")
    monkeypatch.setattr(graphviz.Source, "pipe", fail)
    result = graph(runner, "--output-file", "out.svg")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: Graphviz failed to render SVG:")
    # the earlier file is untouched and no temporary file is left
    assert (workdir / "out.svg").read_text(encoding="utf-8") == "the previous picture"
    assert listing(workdir) == ["cluster.yaml", "out.svg", "policies.yaml"]


def test_write_failure_leaves_no_temporary_file(
    runner: CliRunner, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("netsim.output.os.replace", fail)
    result = graph(runner, "--output-file", "out.png")
    assert result.exit_code == 2
    assert result.stderr == "error: cannot write out.png: No space left on device\n"
    assert listing(workdir) == ["cluster.yaml", "policies.yaml"]
