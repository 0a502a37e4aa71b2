"""The page of ``netsim report``: the report's data (:mod:`netsim.report`) in one self-contained
HTML file, with the script and the style sheet netsim ships (``netsim/render/assets``) inline.

The page makes no request to any host (its Content-Security-Policy forbids them), so it opens from
disk, a CI artifact or an e-mail. The data is ``<script type="application/json">`` elements that
the script parses; every ``<`` in them is written ``\\u003c`` (valid JSON, the same text once
parsed), so no text of the input can close an element or start markup.

The data comes in parts, so that a page of 100,000 pods opens as fast as its overview: the first
element (``netsim-data``) holds everything but the namespace and pod views, which it names by part
number (``namespaces[ns]`` is ``{"pods", "part"}``, ``podViews[w]`` is ``{"part"}``); each view is
an element of its own (``netsim-part-N``) that the page parses when the view is first opened.
:func:`read_report_data` puts the parts back together.
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from typing import Any

from netsim.errors import RenderError

__all__ = ["ASSETS", "read_report_data", "report_html"]

#: The files of ``netsim/render/assets`` the page inlines.
ASSETS = ("report.css", "report.js")

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def _asset(name: str) -> str:
    text = files("netsim.render").joinpath("assets", name).read_text(encoding="utf-8")
    closing = "</script" if name.endswith(".js") else "</style"
    if closing in text.lower():
        raise RenderError(f"netsim/render/assets/{name} contains '{closing}': it would end the element early")
    return text


def embed_json(data: Any) -> str:
    """``data`` as JSON text that is safe inside a ``<script>`` element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _split(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The data without its views (each named by its part number), and the views as JSON texts."""
    parts: list[str] = []

    def part(view: dict[str, Any], keep: tuple[str, ...]) -> dict[str, Any]:
        stub = {k: view[k] for k in keep if k in view}
        stub["part"] = len(parts)
        parts.append(embed_json({k: v for k, v in view.items() if k not in keep}))
        return stub

    main = dict(data)
    if "namespaces" in data:
        main["namespaces"] = {ns: part(view, ("pods",)) for ns, view in data["namespaces"].items()}
    if "podViews" in data:
        main["podViews"] = {w: part(view, ()) for w, view in data["podViews"].items()}
    return main, parts


_ELEMENT = re.compile(r'<script type="application/json" id="netsim-(data|part-\d+)">(.*?)</script>', re.S)


def read_report_data(page: str) -> dict[str, Any]:
    """The data of a page that :func:`report_html` wrote, its views put back in place."""
    found: dict[str, str] = dict(_ELEMENT.findall(page))
    if "data" not in found:
        raise RenderError("not a netsim report: it has no netsim-data element")
    data: dict[str, Any] = json.loads(found["data"])
    for key in ("namespaces", "podViews"):
        for view in data.get(key, {}).values():
            view.update(json.loads(found[f"part-{view.pop('part')}"]))
    return data


def report_html(data: dict[str, Any]) -> str:
    """The self-contained page for the report's ``data`` (the format of :mod:`netsim.report`)."""
    title = html.escape(f"netsim report: {data.get('title', '')}")
    main, parts = _split(data)
    views = "".join(
        f'<script type="application/json" id="netsim-part-{k}">{text}</script>\n' for k, text in enumerate(parts)
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="netsim">\n'
        f"<title>{title}</title>\n"
        f"<style>\n{_asset('report.css')}</style>\n"
        # the data in the head: the script replaces the body's content when it draws the page
        f'<script type="application/json" id="netsim-data">{embed_json(main)}</script>\n'
        f"{views}</head>\n<body>\n"
        '<noscript><p class="noscript">This report is drawn by JavaScript: allow scripts for this file '
        "to see it (it makes no network request).</p></noscript>\n"
        f"<script>\n{_asset('report.js')}</script>\n</body>\n</html>\n"
    )
