"""The page of `netsim report` (netsim.render.html): one self-contained file whose embedded data
reads back as it was given, whatever text the input holds."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from netsim.errors import RenderError
from netsim.render.html import ASSETS, embed_json, read_report_data, report_html
from tests.conftest import REPO

ASSET_DIR = REPO / "netsim" / "render" / "assets"


def _data(title: str = "t", label: str = "shop/web[Deployment]") -> dict[str, Any]:
    node = {"id": label, "rep": "shop/web-0", "kind": "workload", "label": label, "ns": "shop", "pods": 1}
    return {
        "format": 1,
        "title": title,
        "counts": {"namespaces": 1, "workloads": 1, "pods": 1, "policies": 0, "clusterPolicies": 0, "explained": 0},
        "strings": ["", "All Connections"],
        "overview": {"nodes": [], "edges": []},
        "workloads": {"nodes": [node], "edges": []},
        "namespaces": {},
        "why": [],
        "findings": {label: [{"rule": "NP001", "severity": "warning", "message": label, "at": ""}]},
    }


class _Page(HTMLParser):
    """The page's elements, the embedded data and every attribute that could load something."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.urls: list[str] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._in: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "action", "data", "poster")]
        if tag == "script":
            self._in = dict(attrs)
            self.scripts.append((self._in, ""))

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = None


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _embedded(page: str) -> Any:
    [text] = [t for attrs, t in _parse(page).scripts if attrs.get("id") == "netsim-data"]
    assert json.loads(text) is not None
    return read_report_data(page)


def test_the_page_is_one_self_contained_file() -> None:
    page = report_html(_data())
    parsed = _parse(page)
    assert parsed.urls == []  # no src, href or action: nothing to fetch
    assert not re.search(r"https?://", page.replace("http://www.w3.org/2000/svg", ""))
    assert "Content-Security-Policy" in page
    assert "default-src 'none'" in page
    assert [attrs.get("type") for attrs, _ in parsed.scripts] == ["application/json", None]
    assert "<style>" in page
    assert "link" not in parsed.tags
    assert page.startswith("<!DOCTYPE html>")


def test_the_assets_are_inlined_and_make_no_request() -> None:
    page = report_html(_data())
    for name in ASSETS:
        text = (ASSET_DIR / name).read_text(encoding="utf-8")
        assert text in page
        for forbidden in ("fetch(", "XMLHttpRequest", "import(", "@import", "url(http", "WebSocket", "sendBeacon"):
            assert forbidden not in text, f"{name} uses {forbidden}"


def test_the_data_round_trips() -> None:
    data = _data()
    assert _embedded(report_html(data)) == data


def test_each_view_is_a_part_of_its_own_that_the_page_parses_when_opened() -> None:
    data = _data()
    view = {"nodes": [[0, 1.0, 2.0, 3.0, 0]], "edges": [[0, 0, 1, 0, 2, -1]]}
    data["namespaces"] = {"shop": {**view, "pods": 2}, "</script>": {**view, "pods": 1}}
    data["podViews"] = {"shop/web[Deployment]": {"groups": [{"label": "web-0", "pods": [0]}], **view}}
    page = report_html(data)
    scripts = {attrs.get("id"): text for attrs, text in _parse(page).scripts}
    assert list(scripts) == ["netsim-data", "netsim-part-0", "netsim-part-1", "netsim-part-2", None]
    main = json.loads(scripts["netsim-data"])
    # the first element names the views by part; the page parses a part when it opens the view
    assert main["namespaces"] == {"shop": {"pods": 2, "part": 0}, "</script>": {"pods": 1, "part": 1}}
    assert main["podViews"] == {"shop/web[Deployment]": {"part": 2}}
    assert json.loads(scripts["netsim-part-2"])["groups"] == [{"label": "web-0", "pods": [0]}]
    assert read_report_data(page) == data
    assert "netsim-part-${entry.part}" in (ASSET_DIR / "report.js").read_text(encoding="utf-8")


def test_a_page_that_is_no_report_is_told() -> None:
    with pytest.raises(RenderError, match="not a netsim report"):
        read_report_data("<html></html>")


def test_the_sample_report_round_trips() -> None:
    sample = Path("/tmp/b/sample-report.json")
    if not sample.exists():
        pytest.skip("no sample report in /tmp/b")
    data = json.loads(sample.read_text(encoding="utf-8"))
    assert _embedded(report_html(data)) == data


@pytest.mark.parametrize(
    "text",
    [
        "</script><script>alert(1)</script>",
        "<!-- <script>",
        "</SCRIPT >",
        "a & b < c > d \" ' `",
        "ünïcödé \u2028 \u2029 \x00",
    ],
)
def test_no_text_of_the_input_can_escape_the_data(text: str) -> None:
    page = report_html(_data(title=text, label=text))
    data = _embedded(page)
    assert data["title"] == text
    assert data["workloads"]["nodes"][0]["label"] == text
    assert data["findings"][text][0]["message"] == text
    # exactly the page's own two scripts, and the title escaped in <title>
    assert page.lower().count("<script") == 2
    assert page.lower().count("</script") == 2
    title = page[page.index("<title>") + 7 : page.index("</title>")]
    assert "<" not in title


def test_embed_json_writes_no_angle_bracket() -> None:
    text = embed_json({"a": "</script>", "b": ["<", ">"]})
    assert "<" not in text
    assert json.loads(text) == {"a": "</script>", "b": ["<", ">"]}


def test_the_page_reads_its_assets_through_the_package() -> None:
    # pyproject ships them as package data, so an installed netsim has them
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"render/assets/*"' in pyproject
    assert sorted(p.name for p in ASSET_DIR.iterdir()) == sorted(ASSETS)
