"""`netsim report` in a real browser: headless Chromium, driven by Selenium.

Each page is written by the command itself and opened from ``file://``; the tests click with the
pointer (at a node's centre, at a point of an edge), type into the search box, and read the panel.
Without Chromium and chromedriver (a contributor's laptop) the module is skipped, saying so; in CI
(``CI`` set, as ``.ci/run`` runs) their absence fails the run, since ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import shlex
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from netsim.cli import main
from tests.browser.page import EDGE_POINT, NODE_CENTRE, click_at
from tests.conftest import REPO

CHROMEDRIVER = shutil.which("chromedriver")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCENARIOS = REPO / "scenarios"
WINDOW = (1400, 900)

#: Installed before any script of the page runs: every uncaught error and rejection is counted.
ERROR_COUNTER = """
window.__errors = [];
window.addEventListener("error", (e) => window.__errors.push(String(e.message)));
window.addEventListener("unhandledrejection", (e) => window.__errors.push(String(e.reason)));
"""


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None or CHROMEDRIVER is None:
        return (
            "no headless browser: install chromium and chromedriver (Debian: apt-get install chromium chromium-driver)"
        )
    return None


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.binary_location = str(CHROMIUM)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ERROR_COUNTER})
    try:
        yield browser
    finally:
        browser.quit()


def _report(tmp: Path, *args: str) -> Path:
    out = tmp / "report.html"
    result = CliRunner().invoke(main, ["report", *args, "--output-file", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def hardening(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _report(tmp_path_factory.mktemp("hardening"), str(SCENARIOS / "production-hardening" / "manifests"))


@pytest.fixture(scope="module")
def open_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _report(tmp_path_factory.mktemp("open-world"), str(SCENARIOS / "open-world" / "manifests"))


def _open(driver: Any, page: Path) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(page.as_uri())
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    _assert_no_errors(driver)


def _assert_no_errors(driver: Any) -> None:
    errors = driver.execute_script("return window.__errors")
    severe = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors
    assert severe == [], severe


def _text(driver: Any, css: str) -> str:
    return str(driver.find_element("css selector", css).text)


def _click_node(driver: Any, label: str) -> None:
    point = driver.execute_script(NODE_CENTRE, label)
    assert point is not None, f"no node {label!r} drawn"
    click_at(driver, *point)


def _click_edge(driver: Any, title: str) -> None:
    point = driver.execute_script(EDGE_POINT, title)
    assert point is not None, f"no clickable edge {title!r} drawn"
    click_at(driver, *point)


def _png_facts(data: bytes) -> tuple[int, int, int]:
    """Width, height and the number of distinct byte values of the image's (filtered) pixel data."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


# -- the tests ------------------------------------------------------------------------------------


def test_the_overview_loads_without_errors_and_says_what_it_draws(driver: Any, hardening: Path) -> None:
    _open(driver, hardening)
    assert "production-hardening" in driver.title
    assert "2 namespaces" in _text(driver, ".counts")
    legend = _text(driver, "#legend")
    assert "namespace, sized by its pods" in legend
    assert "external address range" in legend
    assert "Edges: all 8 drawn" in legend
    assert "undetermined" not in legend  # nothing undetermined is drawn
    assert len(driver.find_elements("css selector", "#edges [data-e]")) == 8
    # kube-system has no policy: open, and the lint findings on it
    kube = driver.find_element("css selector", '#nodes [aria-label^="namespace kube-system"]')
    assert "open" in str(kube.get_attribute("class"))
    assert "lint finding" in str(kube.get_attribute("aria-label"))


def test_a_click_on_a_namespace_shows_its_workloads_and_breadcrumbs_go_back(driver: Any, hardening: Path) -> None:
    _open(driver, hardening)
    _click_node(driver, "namespace production")
    assert _text(driver, "#crumbs") == "Overview›production"
    assert "Namespace production" in _text(driver, "#panel h2")
    labels = [str(e.get_attribute("aria-label")) for e in driver.find_elements("css selector", "#nodes [data-n]")]
    assert any(label.startswith("Pod production/web[Pod]") for label in labels)
    assert any(label.startswith("Pod production/backend[Pod]") for label in labels)
    driver.find_element("css selector", '#crumbs button[data-act="overview"]').click()
    assert _text(driver, "#crumbs") == "Overview"
    # back in the overview, the namespace we came from is selected: its connections are listed
    assert "production" in _text(driver, "#panel h2")
    assert "Out (" in _text(driver, "#panel")
    assert "In (" in _text(driver, "#panel")
    _assert_no_errors(driver)


def test_a_click_on_an_edge_explains_it_with_the_rules(driver: Any, hardening: Path) -> None:
    _open(driver, hardening)
    _click_node(driver, "namespace production")
    _click_edge(driver, "production/web[Pod] → production/backend[Pod]")
    panel = _text(driver, "#panel")
    assert "Allowed: TCP 8080" in panel
    assert "It stands for 1 pod pair." in panel
    explanation = _text(driver, "#explanation")
    assert explanation.startswith("production/web -> production/backend 8080/TCP: ALLOWED")
    assert "production/web-egress-to-backend spec.egress[0]" in explanation
    assert "32-web-to-backend.yaml:15:7" in explanation
    assert "netsim check PATHS --from production/web --to production/backend --port 8080/TCP" in panel
    _assert_no_errors(driver)


def test_a_click_on_a_node_lists_every_connection_in_and_out(driver: Any, hardening: Path) -> None:
    _open(driver, hardening)
    _click_node(driver, "namespace production")
    _click_node(driver, "Pod production/web[Pod]")
    panel = _text(driver, "#panel")
    assert "Out (2)" in panel
    assert "In (0)" in panel
    assert "→ production/backend[Pod]\nTCP 8080" in panel
    assert "→ kube-system\nTCP 53,UDP 53" in panel  # another namespace: its workloads together
    # a connection of the list opens its explanation
    driver.find_element("css selector", '#panel button[data-act="edge"]').click()
    assert "Explanation" in _text(driver, "#panel")


def test_the_search_finds_a_workload_and_an_address_from_the_keyboard(driver: Any, hardening: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(driver, hardening)
    box = driver.find_element("css selector", "#q")
    box.send_keys("backend")
    results = _text(driver, "#results")
    assert "production/backend[Pod]" in results
    box.send_keys(Keys.ARROW_DOWN)
    focused = driver.switch_to.active_element
    assert "production/backend" in str(focused.text)
    focused.send_keys(Keys.ENTER)
    assert "production/backend[Pod]" in _text(driver, "#panel h2")
    assert "← production/web[Pod]\nTCP 8080" in _text(driver, "#panel")
    assert "production" in _text(driver, "#crumbs")
    # an address finds the external range that holds it
    box = driver.find_element("css selector", "#q")
    box.clear()
    box.send_keys("10.20.30.40")
    assert "10.1.0.0-10.255.255.255[External]" in _text(driver, "#results")
    box.send_keys(Keys.ENTER)
    assert "10.1.0.0-10.255.255.255[External]" in _text(driver, "#panel h2")
    _assert_no_errors(driver)


def test_the_filters_keep_a_port_and_cross_namespace_edges(driver: Any, hardening: Path) -> None:
    _open(driver, hardening)
    driver.find_element("css selector", "#f-port").send_keys("5432")
    drawn = driver.find_elements("css selector", "#edges [data-e] title")
    assert len(drawn) == 5  # TCP 5432 itself, and the four "All Connections" edges
    assert "that the filters keep" in _text(driver, "#legend")
    driver.find_element("css selector", "#f-port").clear()
    driver.find_element("css selector", "#f-port").send_keys("53/UDP")
    titles = [str(t.get_attribute("textContent")) for t in driver.find_elements("css selector", "#edges title")]
    assert any(t.startswith("production → kube-system: TCP 53,UDP 53") for t in titles)
    assert not any("TCP 5432" in t for t in titles)
    driver.find_element("css selector", "#f-port").send_keys("x")
    assert driver.find_element("css selector", "#f-port").get_attribute("aria-invalid") == "true"
    driver.find_element("css selector", "#f-port").clear()
    _click_node(driver, "namespace production")
    before = len(driver.find_elements("css selector", "#edges [data-e]"))
    driver.find_element("css selector", "#f-cross").click()
    after = driver.find_elements("css selector", "#edges [data-e] title")
    assert 0 < len(after) < before
    assert all("production/web[Pod] → production/backend" not in str(t.get_attribute("textContent")) for t in after)
    _assert_no_errors(driver)


def test_undetermined_connections_are_dashed_and_in_the_legend(driver: Any, open_world: Path, tmp_path: Path) -> None:
    _open(driver, open_world)
    dashed = driver.find_elements("css selector", "#edges .edge.maybe, #edges .maybe-extra")
    assert dashed
    assert "undetermined: depends on what the input does not give" in _text(driver, "#legend")
    style = driver.execute_script(
        "return getComputedStyle(document.querySelector('#edges .edge.maybe .line, #edges .maybe-extra'))"
        ".strokeDasharray"
    )
    assert style not in ("", "none")
    # a screenshot, compared loosely: the window's size, and not blank
    shot = tmp_path / "open-world.png"
    assert driver.save_screenshot(str(shot))
    width, height, distinct = _png_facts(shot.read_bytes())
    viewport = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    assert (width, height) == tuple(viewport)
    assert distinct > 50, "the screenshot looks blank"


def test_a_thousand_pods_answer_the_first_click_within_three_seconds(driver: Any, tmp_path: Path) -> None:
    import subprocess
    import sys

    cluster = tmp_path / "c1k.yaml"
    generated = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--namespaces", "40"],
        check=True,
        capture_output=True,
    )
    cluster.write_bytes(generated.stdout)
    page = _report(tmp_path, str(cluster))
    started = time.monotonic()
    _open(driver, page)
    _click_node(driver, "namespace team-0001")
    assert "Namespace team-0001" in _text(driver, "#panel h2")
    assert time.monotonic() - started < 3.0
    _assert_no_errors(driver)


def test_a_diff_report_colours_what_the_change_added(driver: Any, tmp_path: Path) -> None:
    """netsim diff -o html: the head's report, each edge with its status against the base."""
    base = str(SCENARIOS / "k8s-docs" / "default-deny-ingress" / "manifests")
    head = str(SCENARIOS / "k8s-docs" / "allow-all-ingress" / "manifests")
    page = tmp_path / "diff.html"
    result = CliRunner().invoke(main, ["diff", base, head, "-o", "html", "--output-file", str(page)])
    assert result.exit_code == 0, result.output
    _open(driver, page)
    assert driver.execute_script("return document.querySelectorAll('#edges .edge.added').length") > 0
    assert "added by the change: newly allowed" in _text(driver, "#legend")
    title = driver.execute_script("return document.querySelector('#edges .edge.added title').textContent.split(':')[0]")
    _click_edge(driver, title)
    assert "Added by the change: allowed before: nothing." in _text(driver, "#panel")
    _assert_no_errors(driver)


def test_the_search_finds_pods_by_label_and_by_address(driver: Any, hardening: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    _open(driver, hardening)
    box = driver.find_element("css selector", "#q")
    box.send_keys("app=backend")
    results = _text(driver, "#results")
    assert "app=backend" in results
    assert "production/backend" in results
    box.send_keys(Keys.ENTER)
    assert "production/backend[Pod]" in _text(driver, "#panel h2")
    box = driver.find_element("css selector", "#q")
    box.clear()
    box.send_keys("10.0.2.21")  # backend's pod IP
    assert "10.0.2.21: production/backend" in _text(driver, "#results")
    _assert_no_errors(driver)


def test_a_workload_whose_pods_differ_opens_its_pod_view(driver: Any, tmp_path: Path) -> None:
    """web's pods: two inside the ipBlock db's policy admits, one outside; api's differ in a label
    that no policy reads (tests/unit/test_report.py builds the cluster)."""
    from tests.unit.test_report import shop_yaml

    cluster = tmp_path / "shop.yaml"
    cluster.write_text(shop_yaml(), encoding="utf-8")
    _open(driver, _report(tmp_path, str(cluster)))
    _click_node(driver, "namespace shop")
    _click_node(driver, "ReplicaSet shop/api-7c9d4[ReplicaSet]")
    assert "Its 2 pods are treated alike by every policy." in _text(driver, "#panel")
    _click_node(driver, "ReplicaSet shop/web-5d8f7[ReplicaSet]")
    button = driver.find_element("css selector", '#panel button[data-act="pods"]')
    assert button.text == "Show its pods (2 groups that policies treat differently)"
    button.click()
    assert _text(driver, "#crumbs") == "Overview›shop›web-5d8f7[ReplicaSet]"
    assert "Pods of shop/web-5d8f7[ReplicaSet]" in _text(driver, "#panel h2")
    assert "pods that policies treat alike" in _text(driver, "#legend")
    # a group: its pods with their addresses and labels, and its connections
    _click_node(driver, "pods web-0, web-1")
    panel = _text(driver, "#panel")
    assert "Pods web-0, web-1" in panel
    assert "web-0 10.0.0.1\napp=web" in panel
    assert "→ shop/db-0[Pod]\nTCP 5432" in panel
    _click_node(driver, "pods web-2")
    assert "→ shop/db-0[Pod]" not in _text(driver, "#panel")  # outside the ipBlock: db does not admit it
    # an edge explains a pair behind it
    _click_node(driver, "pods web-0, web-1")
    _click_edge(driver, "web-0, web-1 → shop/db-0[Pod]")
    assert _text(driver, "#explanation").startswith("shop/web-0 -> shop/db-0 5432/TCP: ALLOWED")
    # the breadcrumbs go back to the namespace, the workload selected
    driver.find_element("css selector", '#crumbs button[data-act="ns"]').click()
    assert _text(driver, "#crumbs") == "Overview›shop"
    assert "shop/web-5d8f7[ReplicaSet]" in _text(driver, "#panel h2")
    _assert_no_errors(driver)


def test_a_policy_finding_is_shown_on_the_workload_it_selects(driver: Any, tmp_path: Path) -> None:
    page = _report(tmp_path, str(SCENARIOS / "services-and-ingress" / "manifests"))
    _open(driver, page)
    _click_node(driver, "namespace shop")
    web = driver.find_element("css selector", '#nodes [aria-label^="Pod shop/web[Pod]"]')
    assert "1 lint finding" in str(web.get_attribute("aria-label"))
    assert web.find_elements("css selector", ".badge.warning")
    _click_node(driver, "Pod shop/web[Pod]")
    panel = _text(driver, "#panel")
    assert "Lint findings (1)" in panel
    assert "NP013" in panel
    assert "40-policies.yaml:27:20" in panel
    _assert_no_errors(driver)


def test_an_edge_not_explained_names_its_workloads_in_the_command(
    driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no explanation computed into the page, a workload edge's command names the workloads
    (netsim check asks each kind of their pods); an overview edge's says its pods are the first."""
    from tests.unit.test_report import shop_yaml

    monkeypatch.setattr("netsim.report.EXPLAINED_MAX", 0)
    cluster = tmp_path / "shop.yaml"
    cluster.write_text(shop_yaml(), encoding="utf-8")
    _open(driver, _report(tmp_path, str(cluster)))
    _click_node(driver, "namespace shop")
    _click_edge(driver, "shop/web-5d8f7[ReplicaSet] → shop/db-0[Pod]")
    panel = _text(driver, "#panel")
    assert "Not computed into this report (it explains 0 edges); this command prints it:" in panel
    assert "netsim check PATHS --from 'shop/web-5d8f7[ReplicaSet]' --to 'shop/db-0[Pod]' --port 5432/TCP" in panel
    _assert_no_errors(driver)


def test_an_overview_edge_not_explained_names_the_workloads_behind_it(
    driver: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("netsim.report.EXPLAINED_MAX", 0)
    _open(driver, _report(tmp_path, str(SCENARIOS / "production-hardening" / "manifests")))
    _click_edge(driver, "production → kube-system")
    panel = _text(driver, "#panel")
    assert "this command prints it:" in panel
    assert "first pod" not in panel
    cmd = _text(driver, "#panel .cmd")
    assert cmd.startswith("netsim check PATHS --from 'production/")
    assert "--to 'kube-system/" in cmd
    assert cmd.endswith("--port 53/TCP")  # the first port of that workload edge
    # the command, run, allows it: the pair is behind the edge
    args = shlex.split(cmd)[1:]
    args[args.index("PATHS")] = str(SCENARIOS / "production-hardening" / "manifests")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0].endswith("53/TCP: ALLOWED")
    _assert_no_errors(driver)
