"""Checks of a rendered page in headless Chromium, shared by the report and notebook tests.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them where apt is
available). :func:`open_page` loads a page at a width and returns what the checks need;
:func:`page_problems` turns that into a list of failures (empty when the page is fine).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

WIDTHS = (1280, 400)


def _find(names: tuple[str, ...]) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
        if os.path.isabs(name) and os.access(name, os.X_OK):
            return name
    return None


CHROMIUM = _find(("chromium", "chromium-browser", "/usr/bin/chromium", "google-chrome"))
DRIVER = _find(("chromedriver", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"))
MISSING_REASON = (
    "Chromium or chromedriver not found (make browser installs Debian's chromium "
    "and chromium-driver)"
)


def browser_missing() -> str | None:
    """Why the browser checks cannot run here (``None`` when they can)."""
    if CHROMIUM is None or DRIVER is None:
        return MISSING_REASON
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


def start_browser() -> Any:
    """A headless Chromium driven by selenium, logging the browser console."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(DRIVER), options=options)


# What the checks read from a loaded page. A "number" cell is a td.it-num (format_table's
# numbers and dates) or any table cell whose text is only digits, dates, signs and
# separators (pandas' own tables); "wide" lists the outermost elements past the window.
_STATE_JS = """
const numeric = /^[\\s\\d.,:;()%+\\-\u2212\u2013\u2009\u00a0<>=]+$/;
const isNumber = td => td.classList.contains('it-num')
  || (numeric.test(td.textContent) && /\\d/.test(td.textContent));
const imgs = Array.from(document.images);
const past = e => e.getBoundingClientRect().right > window.innerWidth + 1;
return {
  images: imgs.map(i => ({ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 40)})),
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  scripts: document.querySelectorAll('script').length,
  broken: Array.from(document.querySelectorAll('td')).filter(isNumber).filter(td => {
    const range = document.createRange();
    range.selectNodeContents(td);
    const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
    return tops.size > 1;
  }).map(td => td.textContent),
  // numbers, dates and intervals (2024-10-29..2024-11-04, 0.36-0.88, 1,605) in wrapped text
  brokenText: (() => {
    const out = [];
    const token = /\\d[\\d.,:%\\-\u2013]*\\d/g;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('td, th, script, style')) continue;
      for (const m of node.textContent.matchAll(token)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
        const tops = new Set(rects.map(r => Math.round(r.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
    return out;
  })(),
  links: Array.from(document.links).map(a => a.getAttribute('href')),
  wide: Array.from(document.querySelectorAll('body *'))
    .filter(e => past(e) && !(e.parentElement && past(e.parentElement)))
    .slice(0, 5).map(e => e.tagName + '.' + e.className),
};
"""


def open_page(driver: Any, path: Path, width: int) -> dict:
    """Load ``path`` at ``width`` px and read its images, width, numbers, links and console."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get_log("browser")  # drop what the previous page logged
    driver.get(path.resolve().as_uri())
    state = driver.execute_script(_STATE_JS)
    state["log"] = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    return state


def full_page_screenshot(driver: Any, path: Path, width: int) -> None:
    """A screenshot of the whole page (its height, at most 12,000 px), not only the window."""
    height = min(12_000, int(driver.execute_script("return document.documentElement.scrollHeight")))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.save_screenshot(str(path))


def page_problems(state: dict, width: int) -> list[str]:
    """Every failed check of a page loaded by :func:`open_page` (empty when it passes).

    Every image loads, the console has no error, no script is on the page, no number or date
    is laid out on two lines, and at phone width (below 600 px) the page is no wider than the
    window (wide tables and printed text scroll inside their box).
    """
    out = []
    if state["innerWidth"] != width:
        # a phone lays a page out wider than its screen when content will not fit
        out.append(
            f"window is {state['innerWidth']} px, not {width} (content wider than the screen: "
            f"{state['wide']})"
        )
    bad = [i["src"] for i in state["images"] if not i["ok"]]
    if bad:
        out.append(f"images that do not load: {bad}")
    if state["log"]:
        out.append(f"console errors: {[e['message'][:200] for e in state['log']]}")
    if state["scripts"]:
        out.append(f"{state['scripts']} script element(s)")
    if state["broken"]:
        out.append(f"numbers split across lines: {state['broken'][:10]}")
    if state["brokenText"]:
        out.append(f"numbers split across lines in text: {state['brokenText'][:10]}")
    if width < 600 and state["scrollWidth"] > state["innerWidth"]:
        out.append(
            f"page {state['scrollWidth']} px wide in a {state['innerWidth']} px window; "
            f"wide elements: {state['wide']}"
        )
    return out
