"""The page of ``netsim report``: the report's data (:mod:`netsim.report`) in one self-contained
HTML file, with the script and the style sheet netsim ships (``netsim/render/assets``) inline.

The page makes no request to any host (its Content-Security-Policy forbids them), so it opens from
disk, a CI artifact or an e-mail. The data is a ``<script type="application/json">`` element that
the script parses; every ``<`` in it is written ``\\u003c`` (valid JSON, the same text once
parsed), so no text of the input can close the element or start markup.
"""

from __future__ import annotations

import html
import json
from importlib.resources import files
from typing import Any

from netsim.errors import RenderError

__all__ = ["ASSETS", "report_html"]

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


def report_html(data: dict[str, Any]) -> str:
    """The self-contained page for the report's ``data`` (the format of :mod:`netsim.report`)."""
    title = html.escape(f"netsim report: {data.get('title', '')}")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="netsim">\n'
        f"<title>{title}</title>\n"
        f"<style>\n{_asset('report.css')}</style>\n</head>\n<body>\n"
        '<noscript><p class="noscript">This report is drawn by JavaScript: allow scripts for this file '
        "to see it (it makes no network request).</p></noscript>\n"
        f'<script type="application/json" id="netsim-data">{embed_json(data)}</script>\n'
        f"<script>\n{_asset('report.js')}</script>\n</body>\n</html>\n"
    )
