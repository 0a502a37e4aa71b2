"""What the browser tests and ``scripts/report_screenshots.py`` do on a report page: find a drawn
node or edge by its label and click it where a click reaches it. One copy, so that a change of the
page's markup changes both (the tests fail first)."""

from __future__ import annotations

from typing import Any

__all__ = ["EDGE_POINT", "NODE_CENTRE", "click_at"]

#: The centre of the shape of the node whose aria-label starts with arguments[0], in page pixels.
NODE_CENTRE = """
for (const g of document.querySelectorAll("#nodes [data-n]")) {
  if (!g.getAttribute("aria-label").startsWith(arguments[0])) continue;
  const box = g.querySelector("circle, rect").getBoundingClientRect();
  return [box.x + box.width / 2, box.y + box.height / 2];
}
return null;
"""

#: A point of the drawn edge whose tooltip starts with arguments[0] where a click reaches that edge.
EDGE_POINT = """
for (const g of document.querySelectorAll("#edges [data-e]")) {
  if (!g.querySelector("title").textContent.startsWith(arguments[0])) continue;
  const path = g.querySelector(".hit"), length = path.getTotalLength(), m = path.getScreenCTM();
  for (const f of [0.5, 0.4, 0.6, 0.3, 0.7]) {
    const p = path.getPointAtLength(length * f);
    const x = p.x * m.a + p.y * m.c + m.e, y = p.x * m.b + p.y * m.d + m.f;
    const hit = document.elementFromPoint(x, y);
    if (hit && hit.closest("[data-e]") === g) return [x, y];
  }
}
return null;
"""


def click_at(driver: Any, x: float, y: float) -> None:
    """A pointer click at page pixels (x, y)."""
    from selenium.webdriver.common.action_chains import ActionChains  # a dev dependency, absent on a laptop

    actions = ActionChains(driver)
    actions.w3c_actions.pointer_action.move_to_location(round(x), round(y))  # type: ignore[no-untyped-call]
    actions.w3c_actions.pointer_action.click()
    actions.perform()
