"""The rendered report in headless Chromium, at desktop (1280 px) and phone (400 px) widths.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them where apt is
available); the tests skip, saying why, only where they cannot be found. Screenshots go
to ``reports/screenshots/`` (``INCIDENT_TRENDS_SCREENSHOTS`` overrides the folder).
The site is the one of the fixture notebooks (SIMULATED data; see conftest.py).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from analysis.datasets import PROJECT_ROOT

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

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None or DRIVER is None,
        reason="Chromium or chromedriver not found (make browser installs Debian's chromium "
        "and chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots() -> Path:
    default = PROJECT_ROOT / "reports" / "screenshots"
    folder = Path(os.environ.get("INCIDENT_TRENDS_SCREENSHOTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _open(driver, path: Path, width: int) -> dict:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get_log("browser")  # drop what the previous page logged
    driver.get(path.resolve().as_uri())
    state = driver.execute_script(
        """
        const imgs = Array.from(document.images);
        return {
          images: imgs.map(i => ({ok: i.complete && i.naturalWidth > 0, src: i.src.slice(0, 40)})),
          scrollWidth: document.documentElement.scrollWidth,
          innerWidth: window.innerWidth,
          scripts: document.querySelectorAll('script').length,
          // numbers and dates (td.it-num) laid out on more than one line
          broken: Array.from(document.querySelectorAll('td.it-num')).filter(td => {
            const range = document.createRange();
            range.selectNodeContents(td);
            const tops = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
            return tops.size > 1;
          }).map(td => td.textContent),
          links: Array.from(document.links).map(a => a.getAttribute('href')),
          wide: Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className),
        };
        """
    )
    state["log"] = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    return state


def _full_page_screenshot(driver, path: Path, width: int) -> None:
    """A screenshot of the whole page (its height, at most 12,000 px), not only the window."""
    height = min(12_000, int(driver.execute_script("return document.documentElement.scrollHeight")))
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.save_screenshot(str(path))


def _pages(site) -> list[Path]:
    return [site.index, *(p.html for p in site.pages)]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_renders_offline_without_errors_or_overflow(site, browser, shots, width):
    from selenium.common.exceptions import NoAlertPresentException

    for path in _pages(site):
        state = _open(browser, path, width)
        _full_page_screenshot(browser, shots / f"{path.stem}-{width}.png", width)
        assert state["innerWidth"] == width
        assert all(i["ok"] for i in state["images"]), (path.name, state["images"])
        assert state["log"] == [], (path.name, state["log"])
        assert state["scripts"] == 0, path.name  # nothing runs, hostile or not
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018  (no hostile alert() ran)
        assert state["broken"] == [], (path.name, state["broken"])  # no number split in two
        if width == 400:
            assert state["scrollWidth"] <= state["innerWidth"], (path.name, state["wide"])
    assert (shots / f"index-{width}.png").stat().st_size > 0


def test_figure_pages_show_their_images_and_link_back(site, browser):
    figures = _open(browser, site.pages[0].html, 1280)
    assert len(figures["images"]) == 2  # the PNG chart and the SVG chart
    assert "../index.html" in figures["links"]
    index = _open(browser, site.index, 1280)
    assert [f"pages/{p.html.name}" for p in site.pages] == [
        h for h in index["links"] if h.startswith("pages/")
    ]


def test_the_checks_catch_a_broken_page(tmp_path, browser):
    """A negative control: a missing image, a console error and a wide block are all seen."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        '</head><body><img src="missing.png"><div style="width:2000px">wide</div>'
        '<table><tr><td class="it-num" style="width:3em">2023-01-02 12,345</td></tr></table>'
        "<script>console.error('broken on purpose')</script></body></html>",
        encoding="utf-8",
    )
    state = _open(browser, page, 400)
    assert [i["ok"] for i in state["images"]] == [False]
    assert state["log"] and any("broken on purpose" in e["message"] for e in state["log"])
    assert state["scrollWidth"] > state["innerWidth"]
    assert state["scripts"] == 1
    assert state["broken"] == ["2023-01-02 12,345"]
