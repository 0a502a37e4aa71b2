"""`netsim graph`: a Graphviz picture of the allowed traffic."""

from __future__ import annotations

import shlex
import sys
from typing import Any

import click

from netsim.cli.app import (
    Choice,
    Common,
    Output,
    common_options,
    format_of,
    handle_interrupt,
    main,
    progress,
    reporting,
    resolve_output,
)
from netsim.endpoints import require_namespace
from netsim.graph import GroupBy, grouped_graph
from netsim.render.dot import draw, render

__all__ = ["graph"]

#: -o formats and the --output-file suffixes that pick them.
FORMATS = {"dot": (".dot", ".gv"), "svg": (".svg",), "png": (".png",), "pdf": (".pdf",)}
#: Formats that are pictures: for a file, or a pipe, never for a terminal.
PICTURES = frozenset({"svg", "png", "pdf"})
AUTO_POD_LIMIT = 30


class _Legacy(str):
    """An ``-o`` value given as a file name (``-o out.svg``, ``-o -``): the form before -o named a
    format, kept for one release with a warning."""


class _FormatOrLegacyFile(Choice):
    """``-o``: a format; or, deprecated, a file name with a picture suffix, or ``-``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        if text == "-" or format_of(text, FORMATS) is not None:
            return _Legacy(text)
        if "." in text or "/" in text:
            self.fail(
                f"{text!r} is not a format: -o is one of {', '.join(FORMATS)}; a file is --output-file FILE "
                f"(suffix {', '.join(s for ss in FORMATS.values() for s in ss)})",
                param,
                ctx,
            )
        return super().convert(value, param, ctx)


def _output(output: str | None, output_file: str | None) -> Output:
    """-o and --output-file (and the deprecated -o FILE) as one :class:`Output`."""
    if isinstance(output, _Legacy):
        if output_file is not None:
            raise click.UsageError(f"-o {output} names a file, and so does --output-file: give --output-file only")
        if output == "-":
            click.echo("warning: -o - is deprecated (-o names a format now): use -o dot", err=True)
            return Output("dot")
        click.echo(f"warning: -o {output} is deprecated (-o names a format now): use --output-file {output}", err=True)
        output, output_file = None, output
    if output_file is not None and output_file != "-" and output is None and format_of(output_file, FORMATS) is None:
        raise click.UsageError(
            f"cannot tell the picture format of {output_file!r} from its suffix: name it "
            f"{', '.join(s for ss in FORMATS.values() for s in ss)}, or give -o {'|'.join(FORMATS)}"
        )
    out = resolve_output(output, output_file, FORMATS, "dot")
    if out.format in PICTURES and out.file is None and _stdout_is_terminal():
        raise click.UsageError(
            f"-o {out.format} draws a picture, which a terminal cannot show: give --output-file "
            f"graph.{out.format}, or redirect standard output (> graph.{out.format})"
        )
    return out


def _stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


@main.command()
@common_options
@click.option(
    "-o",
    "--output",
    "output_format",
    type=_FormatOrLegacyFile(list(FORMATS)),
    default=None,
    help="Format: dot (default), svg, png or pdf; with --output-file, the one its suffix names. SVG, PNG and "
    "PDF need Graphviz's dot program, and go to a file or a pipe, not to a terminal.",
)
@click.option(
    "--output-file",
    "output_file",
    default=None,
    metavar="FILE",
    help="Write the picture to FILE (atomically, never over an input) instead of standard output; its suffix "
    "picks the format: .dot/.gv, .svg, .png, .pdf.",
)
@click.option(
    "--group-by",
    type=Choice(["auto", *(g.value for g in GroupBy)]),
    default="auto",
    show_default=True,
    help=f"Draw pods, workloads or namespaces; auto draws pods up to {AUTO_POD_LIMIT} pods, else namespaces.",
)
@click.option(
    "--focus",
    multiple=True,
    help="Draw only traffic touching this namespace (repeatable); the other ends are shown faded.",
)
@click.option("--title", default=None, help="A title drawn above the picture (default: the inputs; '' for none).")
@click.option("--no-legend", is_flag=True, help="Leave out the legend.")
@click.option(
    "--all-edges",
    is_flag=True,
    help="Also draw the edges between pods that no policy isolates (hidden by default: the red "
    "'open' marks stand for them).",
)
@handle_interrupt
def graph(
    common: Common,
    output_format: str | None,
    output_file: str | None,
    group_by: str,
    focus: tuple[str, ...],
    title: str | None,
    no_legend: bool,
    all_edges: bool,
) -> None:
    """Draw who may talk to whom: a Graphviz picture of the allowed traffic.

    Namespaces are drawn as boxes around their pods, external address ranges as notes, and
    every edge is labelled with the ports it allows ("TCP 8080", "all"). A red border marks
    a pod that no policy isolates (open to everything in that direction). What depends on
    what the input does not give is a dashed purple edge ("? TCP 443"). With cluster-scoped
    policies, what their Admin tier accepts is a bold blue edge ("admin: TCP 9102": no
    NetworkPolicy narrows it) and what their Baseline tier accepts a green one. Labels list a
    few port groups and count the rest ("TCP 80,443 +3 more"). Above 80 drawn edges or 60
    nodes a static picture is hard to read: a hint on stderr points to an interactive view.
    Rendering SVG, PNG or PDF needs Graphviz's `dot` program; DOT output does not.

    With no -o and no --output-file the picture is DOT on standard output (`| dot -Tsvg`).
    `-o FILE` (a file name with a picture suffix, or `-`) is the form of netsim 0.1: it still
    works, with a warning, until the next release.

    \b
    Examples:
      netsim graph scenarios/production-hardening/manifests --output-file production.png
      netsim graph manifests/ --group-by namespace --output-file overview.svg
      netsim graph manifests/ --focus shop --output-file shop.pdf
      netsim graph manifests/ | dot -Tsvg > graph.svg
      netsim graph manifests/ -o svg > graph.svg
      netsim graph scenarios/cluster-guardrails/manifests -o png --output-file tiers.png
    """
    output = _output(output_format, output_file)
    if common.all_namespaces and focus:
        raise click.UsageError("-A/--all-namespaces and --focus cannot be combined: -A asks for every namespace")
    with reporting():
        index = common.index()
        cluster = index.cluster
        if group_by == "auto":
            by = GroupBy.POD if len(cluster.pods) <= AUTO_POD_LIMIT else GroupBy.NAMESPACE
        else:
            by = GroupBy(group_by)
        for ns in focus:
            require_namespace(cluster, ns, "--focus")
        with progress("evaluating") as report:
            grouped = grouped_graph(index, by, report, attribute=bool(cluster.cluster_policies))
        if title is None:
            title = " ".join(common.paths)
        picture = draw(grouped, by, focus=focus, title=title, legend=not no_legend, implied=all_edges)
        output.write(picture.text if output.format == "dot" else render(picture.text, output.format), common.paths)
    if output.file is not None:
        click.echo(f"wrote {output.file} ({by.value} view, {grouped.number_of_nodes()} nodes)", err=True)
    if not picture.readable:
        click.echo(
            f"hint: the picture has {picture.edges} edges and {picture.nodes} nodes; "
            f"netsim report {shlex.join(common.paths)} --output-file report.html draws an interactive view "
            "that stays readable",
            err=True,
        )
