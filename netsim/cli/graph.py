"""`netsim graph`: a Graphviz picture of the allowed traffic."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from netsim.cli.app import Common, common_options, handle_interrupt, main, progress, reporting
from netsim.endpoints import require_namespace
from netsim.errors import NetsimError
from netsim.graph import GroupBy, grouped_graph
from netsim.output import write_atomic
from netsim.render.dot import draw, render

__all__ = ["graph"]

_SUFFIX_FORMATS = {".dot": "dot", ".gv": "dot", ".svg": "svg", ".png": "png", ".pdf": "pdf"}
AUTO_POD_LIMIT = 30


@main.command()
@common_options
@click.option(
    "-o",
    "--output",
    "output_path",
    required=True,
    help="Output file; the suffix picks the format: .dot/.gv, .svg, .png, .pdf. '-' writes DOT to stdout.",
)
@click.option(
    "--group-by",
    type=click.Choice(["auto", *(g.value for g in GroupBy)]),
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
    output_path: str,
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

    \b
    Examples:
      netsim graph scenarios/production-hardening/manifests -o production.png
      netsim graph manifests/ --group-by namespace -o overview.svg
      netsim graph manifests/ --focus shop -o shop.pdf
      netsim graph manifests/ -o - | dot -Tsvg > graph.svg
      netsim graph scenarios/cluster-guardrails/manifests -o tiers.png
    """
    with reporting():
        fmt = "dot" if output_path == "-" else _SUFFIX_FORMATS.get(Path(output_path).suffix.lower())
        if fmt is None:
            raise NetsimError(
                f"cannot tell the format of {output_path!r} from its suffix: use .dot, .gv, .svg, .png or .pdf"
            )
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
        data = render(picture.text, fmt)
        if output_path == "-":
            click.echo(picture.text, nl=False)
        else:
            write_atomic(output_path, data, common.paths)
    if output_path != "-":
        click.echo(f"wrote {output_path} ({by.value} view, {grouped.number_of_nodes()} nodes)", err=True)
    if not picture.readable:
        click.echo(
            f"hint: the picture has {picture.edges} edges and {picture.nodes} nodes; "
            f"netsim report {shlex.join(common.paths)} --output-file report.html draws an interactive view "
            "that stays readable",
            err=True,
        )
