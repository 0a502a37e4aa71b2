"""How fast `netsim report` writes its page and how soon the page answers, in headless Chromium.

For each size, generates a cluster (benchmarks/generate.py), times ``netsim report`` (a fresh
process, as a user runs it) and the file's size, then opens the page from ``file://`` and clicks a
namespace as soon as the page has loaded: "first click answered" is the time from navigation start
(the page's ``performance.now()`` clock) to the panel showing that namespace. The issue's target:
within 3 s at 10,000 pods. Needs chromium, chromedriver and Selenium (pip install -e '.[dev]').

    python benchmarks/report_browser.py                  # 1,000 and 10,000 pods
    python benchmarks/report_browser.py --namespaces 400 # one size (25 pods per namespace)
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

HERE = Path(__file__).resolve().parent

#: The centre of the largest namespace's circle, in page pixels.
BIGGEST_NAMESPACE = """
let best = null, size = -1;
for (const g of document.querySelectorAll("#nodes .node.namespace")) {
  const box = g.querySelector("circle").getBoundingClientRect();
  if (box.width > size) { size = box.width; best = [box.x + box.width / 2, box.y + box.height / 2]; }
}
return best;
"""


def browser() -> Any:
    chromium, driver = shutil.which("chromium") or shutil.which("chromium-browser"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        sys.exit("needs chromium and chromedriver on PATH (Debian: apt-get install chromium chromium-driver)")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,900"):
        options.add_argument(arg)
    options.binary_location = chromium
    return webdriver.Chrome(service=Service(driver), options=options)


def measure(
    driver: Any, namespaces: int, tmp: Path, no_lint: bool
) -> tuple[int, float, float, int, float, float, float]:
    cluster, page = tmp / f"c{namespaces}.yaml", tmp / f"r{namespaces}.html"
    generate = [sys.executable, str(HERE / "generate.py"), "--namespaces", str(namespaces)]
    cluster.write_bytes(subprocess.run(generate, check=True, capture_output=True).stdout)
    pods = cluster.read_text(encoding="utf-8").count("\nkind: Pod\n")
    started = time.perf_counter()
    # the child's peak resident memory: measured in a child of its own, so that the generator's
    # and earlier runs' peaks (RUSAGE_CHILDREN keeps the largest) do not count
    measured = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-m", "netsim", "report", str(cluster), "--output-file", str(page)]
    done = subprocess.run(
        [sys.executable, "-c", measured, *command, *(["--no-lint"] if no_lint else [])],
        check=True,
        capture_output=True,
        text=True,
    )
    generation = time.perf_counter() - started
    peak = int(done.stdout.split()[-1]) / 1024  # kB on Linux
    driver.get(page.as_uri())
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    point = driver.execute_script(BIGGEST_NAMESPACE)
    actions = ActionChains(driver)
    actions.w3c_actions.pointer_action.move_to_location(round(point[0]), round(point[1]))  # type: ignore[no-untyped-call]
    actions.w3c_actions.pointer_action.click()
    actions.perform()
    WebDriverWait(driver, 120).until(
        lambda d: d.execute_script("return document.querySelector('#crumbs button') !== null")
    )
    answered = float(driver.execute_script("return performance.now()")) / 1000
    ready = float(driver.execute_script("return window.netsimReport.readyAt")) / 1000
    loaded = float(driver.execute_script("return performance.getEntriesByType('navigation')[0].loadEventEnd")) / 1000
    return pods, generation, peak, page.stat().st_size, ready, loaded, answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespaces", type=int, action="append", help="namespaces (x25 pods); repeatable")
    parser.add_argument("--no-lint", action="store_true", help="run `netsim report --no-lint` (no lint findings)")
    args = parser.parse_args()
    driver = browser()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for namespaces in args.namespaces or [40, 400]:
                rows.append(measure(driver, namespaces, Path(tmp), args.no_lint))
    finally:
        driver.quit()
    print("| pods | netsim report | peak memory | file size | page drawn | load event | first click answered |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for pods, generation, peak, size, ready, loaded, answered in rows:
        times = f"{ready:.2f} s | {loaded:.2f} s | {answered:.2f} s"
        print(f"| {pods:,} | {generation:.1f} s | {peak:,.0f} MB | {size / 1e6:.1f} MB | {times} |")


if __name__ == "__main__":
    main()
