"""`netsim report`: one self-contained HTML page to explore the allowed traffic."""

from __future__ import annotations

import click

from netsim.cli.app import Common, Output, common_options, handle_interrupt, main, output_options, progress, reporting
from netsim.lint import lint
from netsim.render.html import report_html
from netsim.report import FindingNodes, ReportFinding, build_report

__all__ = ["report"]

#: Above this many pods, `report` says that lint may take minutes (it grows faster than the pods:
#: 14 s at 25,000 generated pods, 103 s at 100,000; docs/performance.md).
LINT_HINT_PODS = 25_000


@main.command()
@common_options
@click.option("--title", default=None, help="The report's title (default: the input paths).")
@click.option(
    "--no-lint", is_flag=True, help="Leave out the lint findings shown on the namespaces and workloads they concern."
)
@output_options({"html": (".html", ".htm")}, "html", help="The format: html, the only one (and the default).")
@handle_interrupt
def report(common: Common, output: Output, title: str | None, no_lint: bool) -> None:
    """Write an interactive report of the allowed traffic: one HTML file, no server.

    The overview draws namespaces (sized by their pods) and external address ranges, with one
    edge per pair labelled with its ports, and the lint findings on the namespaces and workloads they concern;
    a click on a namespace shows its workloads and every connection into and out of them, a click
    on an edge the evidence `netsim check` prints for a representative pair, and how many pod pairs
    the edge stands for. A search box finds
    namespaces, workloads and addresses; filters keep a port, cross-namespace edges or open ends.
    Undetermined connections are drawn dashed. The file needs no network and no Graphviz: open it
    from disk, a CI artifact or an e-mail.

    \b
    Examples:
      netsim report scenarios/production-hardening/manifests --output-file report.html
      netsim report manifests/ --title "payments, PR 123" --output-file pr.html
      kubectl get ns,pods,netpol -A -o yaml | netsim report - > cluster.html
    """
    with reporting():
        index = common.index()
        findings: list[tuple[str, ReportFinding]] = []
        if not no_lint:
            if len(index.cluster.pods) > LINT_HINT_PODS:
                click.echo(
                    f"hint: linting {len(index.cluster.pods):,} pods may take minutes (about 2 at 100,000); "
                    "--no-lint leaves the lint findings out",
                    err=True,
                )
            nodes_of = FindingNodes(index)
            with progress("linting") as step:
                found = lint(index, progress=step)
            for f in found:
                at = f"{f.span.path}:{f.span.line}:{f.span.column}" if f.span is not None else ""
                shown = ReportFinding(f.rule, f.severity.value, f.message, at)
                findings.extend((node, shown) for node in nodes_of(f.subject))
        with progress("evaluating") as step:
            data = build_report(index, title=title or " ".join(common.paths), findings=findings, progress=step)
        output.write(report_html(data), common.paths)
    output.done()
