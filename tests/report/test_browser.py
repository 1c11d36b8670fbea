"""The rendered report in headless Chromium, at desktop (1280 px) and phone (400 px) widths.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them where apt is
available); the tests skip, saying why, only where they cannot be found. Screenshots go
to ``reports/screenshots/`` (``INCIDENT_TRENDS_SCREENSHOTS`` overrides the folder).
The site is the one of the fixture notebooks (SIMULATED data; see conftest.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from analysis.datasets import PROJECT_ROOT
from tests.report._browser import (
    WIDTHS,
    browser_missing,
    full_page_screenshot,
    open_page,
    page_problems,
    start_browser,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing())),
]


@pytest.fixture(scope="module")
def browser():
    driver = start_browser()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots() -> Path:
    default = PROJECT_ROOT / "reports" / "screenshots"
    folder = Path(os.environ.get("INCIDENT_TRENDS_SCREENSHOTS", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pages(site) -> list[Path]:
    return [site.index, *(p.html for p in site.pages)]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_renders_offline_without_errors_or_overflow(site, browser, shots, width):
    from selenium.common.exceptions import NoAlertPresentException

    for path in _pages(site):
        state = open_page(browser, path, width)
        full_page_screenshot(browser, shots / f"{path.stem}-{width}.png", width)
        assert state["innerWidth"] == width
        assert all(i["ok"] for i in state["images"]), (path.name, state["images"])
        assert state["log"] == [], (path.name, state["log"])
        assert state["scripts"] == 0, path.name  # nothing runs, hostile or not
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018  (no hostile alert() ran)
        assert state["broken"] == [], (path.name, state["broken"])  # no number split in two
        if width == 400:
            assert state["scrollWidth"] <= state["innerWidth"], (path.name, state["wide"])
        assert page_problems(state, width) == [], path.name
    assert (shots / f"index-{width}.png").stat().st_size > 0


def test_figure_pages_show_their_images_and_link_back(site, browser):
    figures = open_page(browser, site.pages[0].html, 1280)
    assert len(figures["images"]) == 2  # the PNG chart and the SVG chart
    assert "../index.html" in figures["links"]
    index = open_page(browser, site.index, 1280)
    assert [f"pages/{p.html.name}" for p in site.pages] == [
        h for h in index["links"] if h.startswith("pages/")
    ]


def test_the_checks_catch_a_broken_page(tmp_path, browser):
    """A negative control: a missing image, a console error and a wide block are all seen."""
    page = tmp_path / "broken.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta name="viewport" content="width=device-width">'
        '</head><body><img src="missing.png"><div style="width:2000px">wide</div>'
        '<table><tr><td class="it-num" style="width:3em">2023-01-02 12,345</td>'
        '<td style="width:2em">1,234 (1,100-1,400)</td><td style="width:2em">a few words</td>'
        "</tr></table>"
        '<p style="width:4em">a 2024-10-29..2024-11-04 b</p>'
        '<pre style="white-space:pre-wrap;width:5em;overflow-wrap:anywhere">x 12345678901234</pre>'
        "<script>console.error('broken on purpose')</script></body></html>",
        encoding="utf-8",
    )
    state = open_page(browser, page, 400)
    assert [i["ok"] for i in state["images"]] == [False]
    assert state["log"] and any("broken on purpose" in e["message"] for e in state["log"])
    assert state["scrollWidth"] > state["innerWidth"]
    assert state["scripts"] == 1
    # a plain table cell of numbers (pandas' own tables) counts too; a cell of words may wrap
    assert state["broken"] == ["2023-01-02 12,345", "1,234 (1,100-1,400)"]
    # and in wrapped text: a date range that breaks at its dots, a number broken anywhere
    assert state["brokenText"] == ["2024-10-29..2024-11-04", "12345678901234"]
    problems = page_problems(state, 400)
    for what in ("images", "console", "script", "numbers split", "in text", "px wide"):
        assert any(what in p for p in problems), (what, problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_index_of_the_real_data_sources_reads_at_every_width(site, browser, tmp_path, width):
    """The index with the provenance of the real data sources (../shared, the download cache).

    Its vintages are longer than the fixture's ("not found on this machine (get it with
    `incident-trends data fetch oref-cities`)"); made unbreakable as a whole, such a line once
    widened the page to 668 px at 400. The pages listed are the fixture site's.
    """
    import datetime as dt

    from analysis.report._provenance import data_sources
    from analysis.report._site import _index_html

    text = _index_html(
        list(site.pages),
        list(data_sources()),
        output_dir=tmp_path,
        parameters={},
        started=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        seconds=1.0,
    )
    index = tmp_path / "index.html"
    index.write_text(text, encoding="utf-8")
    state = open_page(browser, index, width)
    assert page_problems(state, width) == []
