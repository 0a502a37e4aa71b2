"""Graphviz pictures of a (grouped) reachability graph.

:func:`to_dot` returns deterministic DOT text (sorted, escaped) so goldens are stable;
:func:`render` turns DOT into SVG, PNG or PDF with the system ``dot`` program through the
``graphviz`` package.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass, replace
from ipaddress import summarize_address_range
from typing import TYPE_CHECKING

from netsim.connset import ConnSet
from netsim.errors import RenderError
from netsim.graph import Connection, GroupBy, NodeInfo, connections

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "FORMATS",
    "MAX_EXTERNAL_NODES",
    "MAX_LABELLED_EDGES",
    "READABLE_EDGES",
    "READABLE_NODES",
    "Picture",
    "dot_available",
    "draw",
    "render",
    "to_dot",
]

FORMATS = ("dot", "svg", "png", "pdf")

_FONT = "Helvetica"
_OPEN_COLOR = "#c0392b"  # red: open to everything is the most important thing to see
_ALL_COLOR = "#e67e22"  # orange: an edge that allows every port
_EDGE_COLOR = "#34495e"
_UNDETERMINED_COLOR = "#8e44ad"  # purple, dashed: may be allowed, depending on what the input does not give
_ADMIN_COLOR = "#1f5fa8"  # blue, bold: accepted by the Admin tier (no NetworkPolicy can narrow it)
_BASELINE_COLOR = "#138d75"  # green: accepted by the Baseline tier (a namespace's NetworkPolicy would replace it)
_FADED = "#b0b0b0"
_NS_FILL = "#f4f6f7"
_EXT_FILL = "#eaf2f8"
_LABEL_MAX = 36

#: Up to this many edges a label lists up to four port groups, above it two; the rest are
#: counted ("+3 more"), never dropped without a word, and an SVG's tooltips hold every port.
MAX_LABELLED_EDGES = 80
_PORT_GROUPS = 4
_PORT_GROUPS_CROWDED = 2

#: Above this many drawn edges, or nodes, a static picture is no longer readable: ``netsim graph``
#: then suggests an interactive view (see :class:`Picture`).
READABLE_EDGES = 80
READABLE_NODES = 60


def _q(text: str) -> str:
    """A DOT double-quoted string with backslashes, quotes and newlines escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attrs: str) -> str:
    """DOT attributes, sorted; an HTML-like label is written as it is."""
    return "[" + ", ".join(f"{k}={v if isinstance(v, _Html) else _q(v)}" for k, v in sorted(attrs.items())) + "]"


def _short(text: str) -> str:
    return text if len(text) <= _LABEL_MAX else text[: _LABEL_MAX - 1] + "…"


def _summary(conns: ConnSet, groups: int = _PORT_GROUPS) -> str:
    """A label for a connection set: ``all``, or its first ``groups`` port groups (a port or a
    range of one protocol) and how many more there are: ``TCP 80,443,8000-8100 +5 more``."""
    found = [(proto, lo, hi) for proto, ports in conns.items() for lo, hi in ports.intervals]
    if conns.is_all() or len(found) <= groups:
        return _short(conns.compact())
    text = ""
    previous = None
    for proto, lo, hi in found[:groups]:
        ports = str(lo) if lo == hi else f"{lo}-{hi}"
        text += f",{ports}" if proto is previous else f"{',' if text else ''}{proto.value} {ports}"
        previous = proto
    return f"{_short(text)} +{len(found) - groups} more"


def _node_lines(info: NodeInfo, by: GroupBy, faded: bool, internal: Connection | None) -> str:
    attrs: dict[str, str] = {"fontname": _FONT, "tooltip": info.label}
    if info.kind == "external":
        attrs.update(shape="note", style="filled", fillcolor=_EXT_FILL, label=f"external\n{info.name}")
    else:
        title = info.namespace if info.kind == "namespace" else info.name
        lines = [str(title)]
        if info.kind == "namespace":
            lines.append(f"{info.members} pod" + ("s" if info.members != 1 else ""))
            if internal is not None and internal.conns:
                lines.append(f"internal: {_summary(internal.conns)}")
            if internal is not None and internal.undetermined:
                lines.append(f"internal ?: {_summary(internal.undetermined)}")
        elif info.endpoint_kind != "Pod":
            lines.append(f"[{info.endpoint_kind}]")
        marks = []
        if info.ingress_open:
            marks.append("open ingress")
        if info.egress_open:
            marks.append("open egress")
        if marks:
            lines.append("⚠ " + ", ".join(marks))
        shape = "box3d" if info.kind == "namespace" else "box"
        attrs.update(shape=shape, style="rounded,filled", fillcolor="white", label="\n".join(lines))
        if info.ingress_open or info.egress_open:
            attrs.update(color=_OPEN_COLOR, penwidth="2", fontcolor=_OPEN_COLOR)
        if info.kind == "namespace":
            attrs["fillcolor"] = _NS_FILL
    if faded:
        attrs.update(color=_FADED, fontcolor=_FADED, style=attrs.get("style", "") + ",dashed")
    return f"  {_q(info.key)} {_attrs(**attrs)};"


@dataclass(frozen=True, slots=True)
class _Part:
    """One kind of traffic on an edge: what a tier accepts, the rest, or what is undetermined."""

    text: str  # the label line
    color: str
    penwidth: str | None
    dashed: bool
    tooltip: str


def _parts(c: Connection, faded: bool, groups: int) -> list[_Part]:
    """What an edge carries, in drawing order: what the Admin tier accepts, what the Baseline tier
    accepts, the rest of what is allowed for certain, and what is undetermined."""
    out = []
    ends = f"{c.source.label} => {c.destination.label}"
    admin = c.admin & c.conns
    baseline = (c.baseline & c.conns) - admin
    for tier, conns, tier_color in (("admin", admin, _ADMIN_COLOR), ("baseline", baseline, _BASELINE_COLOR)):
        if conns:
            out.append(
                _Part(
                    f"{tier}: {_summary(conns, groups)}",
                    _FADED if faded else tier_color,
                    "2" if tier == "admin" else "1.4",
                    False,
                    f"{ends} : {conns} (accepted by the {tier.title()} tier)",
                )
            )
    rest = c.conns - admin - baseline
    if rest:
        color = _FADED if faded else _ALL_COLOR if rest.is_all() else _EDGE_COLOR
        out.append(_Part(_summary(rest, groups), color, "1.6" if rest.is_all() else None, False, f"{ends} : {rest}"))
    if c.undetermined:
        out.append(
            _Part(
                "? " + _summary(c.undetermined, groups),
                _FADED if faded else _UNDETERMINED_COLOR,
                None,
                True,
                f"{ends} : undetermined: {c.undetermined}",
            )
        )
    return out


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _edge_attrs(parts: list[_Part], pairs: str) -> dict[str, str]:
    """The attributes of one drawn edge. One part is drawn as before (its colour, dashed when it
    is undetermined); several are one edge with a line per part in the part's colour, drawn as
    parallel lines in the colours of what is certain."""
    attrs = {"fontname": _FONT, "fontsize": "10", "tooltip": "\n".join(p.tooltip for p in parts)}
    if len(parts) == 1:
        part = parts[0]
        attrs.update(label=part.text + pairs, color=part.color, fontcolor=part.color)
        if part.penwidth is not None:
            attrs["penwidth"] = part.penwidth
        if part.dashed:
            attrs["style"] = "dashed"
        return attrs
    lines = [f'<font color="{p.color}">{_html(p.text)}</font>' for p in parts]
    if pairs:
        lines.append(f'<font color="{parts[0].color}">{_html(pairs.strip())}</font>')
    certain = [p for p in parts if not p.dashed]
    widths = [float(p.penwidth) for p in certain if p.penwidth is not None]
    attrs.update(
        label=_Html("<" + "<br/>".join(lines) + ">"),
        color=":".join(p.color for p in certain),
        fontcolor=parts[0].color,
    )
    if widths:
        attrs["penwidth"] = f"{max(widths):g}"
    return attrs


class _Html(str):
    """An HTML-like Graphviz label, written as it is (not quoted)."""

    __slots__ = ()


def _edge_statements(rows: list[Connection], by: GroupBy, faded_edge: dict[int, bool], groups: int) -> list[str]:
    """One edge per pair of ends with every part of its traffic; two ends that exchange the same
    traffic both ways are one double-headed edge."""
    drawn: dict[tuple[str, str], tuple[dict[str, str], str]] = {}
    for n, c in enumerate(rows):
        parts = _parts(c, faded_edge[n], groups)
        if not parts:
            continue
        pairs = f"\n({c.pairs} pairs)" if by is GroupBy.NAMESPACE and c.pairs > 1 else ""
        attrs = _edge_attrs(parts, pairs)
        drawn[(c.source.key, c.destination.key)] = (attrs, attrs["tooltip"])
    out = []
    merged: set[tuple[str, str]] = set()
    for (s, d), (attrs, tooltip) in drawn.items():
        if (s, d) in merged:
            continue
        back = drawn.get((d, s))
        if s != d and back is not None and _same_drawing(attrs, back[0]):
            merged.add((d, s))
            attrs = {**attrs, "dir": "both", "tooltip": tooltip + "\n" + back[1]}
        out.append(f"  {_q(s)} -> {_q(d)} {_attrs(**attrs)};")
    return out


def _same_drawing(a: dict[str, str], b: dict[str, str]) -> bool:
    """True if two edges look the same but for their tooltips."""
    return {k: v for k, v in a.items() if k != "tooltip"} == {k: v for k, v in b.items() if k != "tooltip"}


def _legend(undetermined: bool, tiers: tuple[bool, bool] = (False, False), open_text: str = "") -> list[str]:
    """The legend; entries for undetermined edges and for what each tier accepts only when the
    picture has them. ``open_text`` says what the picture does with the traffic of open ends."""
    admin_text = "admin: TCP 9090\\naccepted by the Admin tier\\n(no NetworkPolicy narrows it)"
    baseline_text = "baseline: TCP 53\\naccepted by the Baseline tier\\n(no NetworkPolicy selects the pod)"
    tier_lines = []
    for present, name, color, text in (
        (tiers[0], "admin", _ADMIN_COLOR, admin_text),
        (tiers[1], "baseline", _BASELINE_COLOR, baseline_text),
    ):
        if present:
            tier_lines.append(
                f'    legend_pod -> legend_tiered [label="{text}", fontsize="9", fontname={_q(_FONT)}, '
                f'color={_q(color)}, fontcolor={_q(color)}, penwidth="{"2" if name == "admin" else "1.4"}"];'
            )
    if tier_lines:
        tier_lines.insert(
            0,
            f'    legend_tiered [shape="box", style="rounded,filled", fillcolor="white", fontname={_q(_FONT)}, '
            'fontsize="9", label="selected by a\\ncluster-scoped policy"];',
        )
    open_label = _q("⚠ open ingress/egress\n" + open_text)
    maybe = (
        [
            f'    legend_maybe [shape="box", style="rounded,filled", fillcolor="white", fontname={_q(_FONT)}, '
            'fontsize="9", label="undetermined: depends on what\\nthe input does not give"];',
            f'    legend_pod -> legend_maybe [label="? TCP 443", fontsize="9", fontname={_q(_FONT)}, '
            f'color={_q(_UNDETERMINED_COLOR)}, fontcolor={_q(_UNDETERMINED_COLOR)}, style="dashed"];',
        ]
        if undetermined
        else []
    )
    return [
        "  subgraph cluster_legend {",
        f'    label="legend"; fontname={_q(_FONT)}; fontsize="10"; style="rounded"; color="#cccccc";',
        f'    legend_pod [shape="box", style="rounded,filled", fillcolor="white", fontname={_q(_FONT)}, '
        'fontsize="9", label="isolated\\n(policies apply)"];',
        f'    legend_open [shape="box", style="rounded,filled", fillcolor="white", color={_q(_OPEN_COLOR)}, '
        f'penwidth="2", fontcolor={_q(_OPEN_COLOR)}, fontname={_q(_FONT)}, fontsize="9", '
        f"label={open_label}];",
        f'    legend_ext [shape="note", style="filled", fillcolor={_q(_EXT_FILL)}, fontname={_q(_FONT)}, '
        'fontsize="9", label="external\\naddress range"];',
        f'    legend_pod -> legend_open [label="TCP 8080", fontsize="9", fontname={_q(_FONT)}, '
        f"color={_q(_EDGE_COLOR)}, fontcolor={_q(_EDGE_COLOR)}];",
        f'    legend_pod -> legend_ext [label="all (every port)", fontsize="9", fontname={_q(_FONT)}, '
        f'color={_q(_ALL_COLOR)}, fontcolor={_q(_ALL_COLOR)}, penwidth="1.6"];',
        *maybe,
        *tier_lines,
        "  }",
    ]


def _range_text(info: NodeInfo) -> str:
    """A range as a CIDR when it is exactly one, else first-last."""
    rng = info.range
    if rng is None:
        return info.name
    cidrs = list(summarize_address_range(rng.first, rng.last))
    return str(cidrs[0]) if len(cidrs) == 1 else info.name


def _merge_externals(
    infos: dict[str, NodeInfo], rows: list[Connection]
) -> tuple[dict[str, NodeInfo], list[Connection], dict[str, str]]:
    """Draw external ranges that have exactly the same edges (conns and pair counts) as one node."""
    Edge = tuple[str, str, str, int]
    signature: dict[str, set[Edge]] = {k: set() for k, i in infos.items() if i.kind == "external"}
    for c in rows:
        if c.source.key in signature:
            signature[c.source.key].add(("out", c.destination.key, f"{c.conns}?{c.undetermined}", c.pairs))
        if c.destination.key in signature:
            signature[c.destination.key].add(("in", c.source.key, f"{c.conns}?{c.undetermined}", c.pairs))
    groups: dict[frozenset[Edge], list[str]] = {}
    for key in sorted(signature, key=lambda k: (infos[k].range or k, k)):
        groups.setdefault(frozenset(signature[key]), []).append(key)
    alias: dict[str, str] = {}
    names: dict[str, str] = {}
    for members in groups.values():
        head = members[0]
        names[head] = "\n".join(_range_text(infos[m]) for m in members)
        for m in members:
            alias[m] = head
    out_infos = {k: v for k, v in infos.items() if k not in alias or alias[k] == k}
    seen: set[tuple[str, str]] = set()
    out_rows = []
    for c in rows:
        s, d = alias.get(c.source.key, c.source.key), alias.get(c.destination.key, c.destination.key)
        if (s, d) in seen:
            continue
        seen.add((s, d))
        out_rows.append(replace(c, source=out_infos[s], destination=out_infos[d]))
    return out_infos, out_rows, names


#: Above this many distinct external nodes a picture draws all addresses as one node.
MAX_EXTERNAL_NODES = 12


def _one_external(
    infos: dict[str, NodeInfo], rows: list[Connection]
) -> tuple[dict[str, NodeInfo], list[Connection], dict[str, str]]:
    """Draw every external range as a single node (edges: unions of ports, sums of pairs)."""
    ranges = [i for i in infos.values() if i.kind == "external"]
    key = "external"
    node = NodeInfo(key, "external", None, "external addresses", key, "External")
    out_infos = {k: v for k, v in infos.items() if v.kind != "external"}
    out_infos[key] = node
    merged: dict[tuple[str, str], Connection] = {}
    for c in rows:
        src = node if c.source.kind == "external" else c.source
        dst = node if c.destination.kind == "external" else c.destination
        edge = (src.key, dst.key)
        prev = merged.get(edge)
        if prev is None:
            merged[edge] = replace(c, source=src, destination=dst)
        else:
            conns = prev.conns | c.conns
            undetermined = (prev.undetermined | c.undetermined) - conns
            merged[edge] = replace(prev, conns=conns, undetermined=undetermined, pairs=prev.pairs + c.pairs)
    return out_infos, list(merged.values()), {key: f"{len(ranges)} address ranges"}


def _is_implied(c: Connection) -> bool:
    """True for an edge that no policy shapes: an open source pod (or address) to an open
    destination pod (or address). Groups are never hidden: some of their pods may be isolated."""
    if {c.source.kind, c.destination.kind} - {"pod", "external"}:
        return False
    src_open = c.source.kind == "external" or c.source.egress_open
    dst_open = c.destination.kind == "external" or c.destination.ingress_open
    return src_open and dst_open and c.conns.is_all()


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture's DOT text and what it draws (the legend not counted)."""

    text: str
    nodes: int
    edges: int  # drawn edges: a double-headed edge counts once

    @property
    def readable(self) -> bool:
        """False above :data:`READABLE_EDGES` edges or :data:`READABLE_NODES` nodes."""
        return self.edges <= READABLE_EDGES and self.nodes <= READABLE_NODES


def to_dot(
    graph: nx.DiGraph,  # type: ignore[type-arg]
    by: GroupBy,
    *,
    focus: Iterable[str] = (),
    title: str | None = None,
    legend: bool = True,
    implied: bool = False,
) -> str:
    """DOT text for an aggregated graph (see :func:`draw`)."""
    return draw(graph, by, focus=focus, title=title, legend=legend, implied=implied).text


def draw(
    graph: nx.DiGraph,  # type: ignore[type-arg]
    by: GroupBy,
    *,
    focus: Iterable[str] = (),
    title: str | None = None,
    legend: bool = True,
    implied: bool = False,
) -> Picture:
    """The picture of an aggregated graph (see :func:`netsim.graph.aggregate`).

    One edge per pair of ends, labelled with every part of its traffic (each summarised to a
    few port groups and "+N more"); the same traffic both ways is one double-headed edge. With
    ``focus`` namespaces, only edges touching them are drawn, in full colour, and the ends
    outside them are faded. Unless ``implied``, the pod view leaves out the edges that exist
    only because neither pod is isolated (the source may send anything, the destination accept
    anything): the red "open" marks say so, and what remains is what the policies allow. The
    workload and namespace views draw every edge (a group's open mark says that some of its
    pods are open, not all), and their legend says so.
    """
    focus_set = set(focus)
    rows = connections(graph)
    # a namespace's own traffic is written in its node; a workload's replicas get a loop
    internal = {c.source.key: c for c in rows if c.source.key == c.destination.key}
    if by is GroupBy.NAMESPACE:
        rows = [c for c in rows if c.source.key != c.destination.key]
    infos: dict[str, NodeInfo] = {key: data["info"] for key, data in graph.nodes(data=True)}
    hidden = not implied and by is GroupBy.POD
    if hidden:
        rows = [c for c in rows if not _is_implied(c)]
        used = {c.source.key for c in rows} | {c.destination.key for c in rows}
        infos = {k: v for k, v in infos.items() if v.kind != "external" or k in used}

    def in_focus(info: NodeInfo) -> bool:
        return not focus_set or info.namespace in focus_set

    if focus_set:
        rows = [c for c in rows if in_focus(c.source) or in_focus(c.destination)]
        keep = {k for k, i in infos.items() if in_focus(i) and i.kind != "external"}
        keep |= {c.source.key for c in rows} | {c.destination.key for c in rows}
        infos = {k: v for k, v in infos.items() if k in keep}
    lines = [
        "digraph netsim {",
        f'  graph [rankdir="LR", fontname={_q(_FONT)}, labelloc="t", nodesep="0.35", ranksep="1.1", '
        f'splines="true", overlap="false", newrank="true"{", label=" + _q(title) if title else ""}];',
        f'  node [fontname={_q(_FONT)}, fontsize="11"];',
        f'  edge [fontname={_q(_FONT)}, arrowsize="0.7"];',
    ]
    infos, rows, range_names = _merge_externals(infos, rows)
    if sum(1 for i in infos.values() if i.kind == "external") > MAX_EXTERNAL_NODES:
        infos, rows, range_names = _one_external(infos, rows)
    externals = sorted((i for i in infos.values() if i.kind == "external"), key=lambda i: i.key)
    if by is GroupBy.NAMESPACE:
        for info in sorted((i for i in infos.values() if i.kind != "external"), key=lambda i: i.key):
            lines.append(_node_lines(info, by, not in_focus(info), internal.get(info.key)))
    else:
        by_ns: dict[str, list[NodeInfo]] = {}
        for info in infos.values():
            if info.kind != "external":
                by_ns.setdefault(str(info.namespace), []).append(info)
        for n, ns in enumerate(sorted(by_ns)):
            faded = bool(focus_set) and ns not in focus_set
            color = _FADED if faded else "#7f8c8d"
            lines.append(f"  subgraph cluster_{n} {{")
            lines.append(
                f'    label={_q("namespace " + ns)}; fontname={_q(_FONT)}; style="rounded,filled"; '
                f"fillcolor={_q(_NS_FILL)}; color={_q(color)}; fontcolor={_q(color)};"
            )
            for info in sorted(by_ns[ns], key=lambda i: i.key):
                lines.append("  " + _node_lines(info, by, faded, None))
            lines.append("  }")
    for info in externals:
        lines.append(_node_lines(replace(info, name=range_names.get(info.key, info.name)), by, False, None))
    # an edge touching a focused namespace keeps its colours; only one between two other ends fades
    faded_edge = {
        n: bool(focus_set) and not (in_focus(c.source) or in_focus(c.destination)) for n, c in enumerate(rows)
    }
    groups = _PORT_GROUPS if len(rows) <= MAX_LABELLED_EDGES else _PORT_GROUPS_CROWDED
    edges = _edge_statements(rows, by, faded_edge, groups)
    lines += edges
    if legend:
        tiers = (any(c.admin & c.conns for c in rows), any((c.baseline & c.conns) - c.admin for c in rows))
        if by is GroupBy.NAMESPACE:
            open_text = "(some pod of it no policy\nisolates: its traffic is drawn)"
        elif hidden:
            open_text = "(no policy isolates it: traffic\nbetween open ends is not drawn)"
        else:
            open_text = "(no policy isolates it:\nits traffic is drawn)"
        lines += _legend(any(c.undetermined for c in (*rows, *internal.values())), tiers, open_text)
    lines.append("}")
    return Picture("\n".join(lines) + "\n", len(infos), len(edges))


def dot_available() -> bool:
    """True if Graphviz's ``dot`` program is on PATH."""
    return shutil.which("dot") is not None


def render(dot_source: str, fmt: str, layout: str = "dot") -> bytes:
    """Render DOT to ``svg``, ``png`` or ``pdf`` bytes with the system Graphviz."""
    if fmt == "dot":
        return dot_source.encode()
    if fmt not in FORMATS:
        raise RenderError(f"unknown picture format {fmt!r}: use one of {', '.join(FORMATS)}")
    if shutil.which(layout) is None:
        raise RenderError(
            f"Graphviz's `{layout}` program is not installed, so {fmt.upper()} cannot be rendered. "
            "Install it (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz; "
            "Fedora: dnf install graphviz), or write DOT instead (-o dot, or --output-file graph.dot)."
        )
    import graphviz  # type: ignore[import-untyped]  # only to render pictures: DOT output does without it

    try:
        data: bytes = graphviz.Source(dot_source, engine=layout).pipe(format=fmt)
        return data
    except (graphviz.CalledProcessError, graphviz.ExecutableNotFound) as exc:
        raise RenderError(f"Graphviz failed to render {fmt.upper()}: {exc}") from exc
