"""Refresh the screenshots of `netsim report` in docs/images (report-*.png), used by docs/report.md.

Writes a report for each bundled scenario, for a generated cluster of 2,000 pods
(benchmarks/generate.py --namespaces 80) and for a canary rollout (:data:`CANARY`, a workload whose
pods a policy treats differently: its pod view), opens each in headless Chromium (chromium and
chromedriver on PATH, Selenium installed: pip install -e '.[dev]') and saves the overview, and for
some a namespace, a selected workload or an explained edge:

    python scripts/report_screenshots.py            # every picture
    python scripts/report_screenshots.py --only production-hardening
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the page's locators are the browser tests' (tests/browser/page.py)

from tests.browser.page import EDGE_POINT, NODE_CENTRE, click_at  # noqa: E402

IMAGES = REPO / "docs" / "images"
WINDOW = (1400, 860)

#: (picture name, what to do after loading: ("node", aria-label prefix) | ("edge", tooltip prefix) |
#: ("type", text) | ("click", CSS selector))
Steps = list[tuple[str, str]]
SHOTS: dict[str, list[tuple[str, Steps]]] = {
    "production-hardening": [
        ("report-production-hardening.png", []),
        ("report-production-hardening-namespace.png", [("node", "namespace production")]),
        (
            "report-production-hardening-edge.png",
            [("node", "namespace production"), ("edge", "production/web[Pod] → production/backend[Pod]")],
        ),
    ],
    "open-world": [("report-open-world.png", [])],
    "common-mistakes/fixed": [("report-common-mistakes.png", [])],
    "cluster-guardrails": [("report-cluster-guardrails.png", [])],
    "services-and-ingress": [("report-services-and-ingress.png", [])],
    "k8s-docs/test-network-policy": [("report-k8s-docs-test-network-policy.png", [])],
    "generated-2000": [
        ("report-generated-2000.png", []),
        ("report-generated-2000-namespace.png", [("node", "namespace team-0003")]),
        ("report-generated-2000-search.png", [("type", "team-0007/api")]),
    ],
    "canary-rollout": [
        (
            "report-pod-view.png",
            [
                ("node", "namespace shop"),
                ("node", "ReplicaSet shop/web-5d8f7"),
                ("click", '#panel button[data-act="pods"]'),
            ],
        ),
    ],
}

#: A kubectl dump of a rollout in progress: web's pods carry track=stable or track=canary, and the
#: database admits only the stable ones, so policies treat web's pods as two groups.
CANARY_HEAD = """apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db-from-stable-web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web, track: stable}}}]
    ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec: {containers: [{name: db, ports: [{containerPort: 5432}]}]}
status: {podIP: 10.0.3.1}
"""
CANARY_POD = """---
apiVersion: v1
kind: Pod
metadata:
  name: web-5d8f7-{suffix}
  namespace: shop
  labels: {{app: web, track: {track}, pod-template-hash: 5d8f7}}
  ownerReferences: [{{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d8f7, controller: true}}]
spec: {{containers: [{{name: web, ports: [{{containerPort: 8080}}]}}]}}
status: {{podIP: 10.0.1.{n}}}
"""
CANARY = CANARY_HEAD + "".join(
    CANARY_POD.format(suffix=f"{n:05x}", track="canary" if n > 4 else "stable", n=n) for n in range(1, 7)
)


def browser() -> Any:
    chromium, driver = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        sys.exit("needs chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver)")
    options = Options()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
    ):
        options.add_argument(arg)
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=options)


def report(inputs: list[str], out: Path, title: str) -> None:
    command = [sys.executable, "-m", "netsim", "report", *inputs, "--title", title, "--output-file", str(out)]
    subprocess.run(command, check=True, cwd=REPO)


def click(driver: Any, point: list[float] | None, what: str) -> None:
    if point is None:
        sys.exit(f"nothing to click: {what}")
    click_at(driver, *point)


def shoot(driver: Any, page: Path, steps: Steps, target: Path) -> None:
    driver.get(page.as_uri())
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    for kind, arg in steps:
        if kind == "node":
            click(driver, driver.execute_script(NODE_CENTRE, arg), arg)
        elif kind == "edge":
            click(driver, driver.execute_script(EDGE_POINT, arg), arg)
        elif kind == "click":
            driver.find_element("css selector", arg).click()
        else:
            driver.find_element("css selector", "#q").send_keys(arg)
    driver.save_screenshot(str(target))
    print(f"wrote {target.relative_to(REPO)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SHOTS), help="refresh the pictures of one input only")
    args = parser.parse_args()
    IMAGES.mkdir(parents=True, exist_ok=True)
    driver = browser()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for name, shots in SHOTS.items():
                if args.only and name != args.only:
                    continue
                page = Path(tmp) / f"{name.replace('/', '-')}.html"
                if name == "generated-2000":
                    cluster = Path(tmp) / "generated-2000.yaml"
                    generate = [sys.executable, str(REPO / "benchmarks" / "generate.py"), "--namespaces", "80"]
                    cluster.write_bytes(subprocess.run(generate, check=True, capture_output=True).stdout)
                    report([str(cluster)], page, "generated cluster, 2,000 pods")
                elif name == "canary-rollout":
                    dump = Path(tmp) / "canary-rollout.yaml"
                    dump.write_text(CANARY, encoding="utf-8")
                    report([str(dump)], page, "a canary rollout")
                else:
                    folder = REPO / "scenarios" / name
                    inputs = folder / "manifests" if (folder / "manifests").is_dir() else folder
                    report([str(inputs.relative_to(REPO))], page, f"scenarios/{name}")
                for picture, steps in shots:
                    shoot(driver, page, steps, IMAGES / picture)
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
