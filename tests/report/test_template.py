"""The page template: phone-width CSS, no outside resources, a link back to the index."""

from __future__ import annotations

import re

import nbformat

from analysis.report import TEMPLATE_DIR, outside_resources, render_html

CSS = (TEMPLATE_DIR / "offline" / "report.css").read_text(encoding="utf-8")


def _rule(selector_part: str) -> str:
    rules = [r for r in re.findall(r"([^{}]+)\{([^}]*)\}", CSS) if selector_part in r[0]]
    return " ".join(body for _, body in rules)


def test_css_keeps_numbers_whole_scrolls_tables_and_scales_images():
    assert "white-space: nowrap" in _rule("td.it-num")
    assert "overflow-x: auto" in _rule(".it-scroll")
    assert "overflow-x: auto" in _rule(".jp-RenderedHTMLCommon")
    assert "max-width: 100%" in _rule("img")
    assert "min-width: 0" in _rule(".jp-OutputArea-output")  # flex children may shrink
    assert not outside_resources(f"<style>{CSS}</style>")
    assert "@import" not in CSS and "url(" not in CSS


def _page(tmp_path, **kwargs):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("t")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": "<table><tr><td>1</td></tr>"})
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# A <page> title"), cell]
    return render_html(nb, tmp_path / "p.html", **kwargs).read_text(encoding="utf-8")


def test_page_is_offline_has_a_viewport_and_links_back(tmp_path):
    text = _page(tmp_path, index_href="../index.html")
    assert not outside_resources(text)
    assert re.search(r'<meta (?=[^>]*name="viewport")(?=[^>]*content="width=device-width)', text)
    assert '<nav class="it-nav"><a href="../index.html">' in text
    assert "white-space: nowrap" in text  # the report CSS is inline
    assert "<title>A &lt;page&gt; title</title>" in text


def test_single_page_has_no_index_link(tmp_path):
    assert "it-nav" not in _page(tmp_path).split("</style>")[-1]


def test_report_css_comes_after_the_lab_style_sheet(tmp_path):
    # equal specificity: the later rule wins, and the lab sheet says `white-space: normal`
    text = _page(tmp_path)
    lab_rule = text.index(".jp-RenderedHTMLCommon td,")
    ours = text.index("td.it-num, table.it-table th { white-space: nowrap; }")
    assert lab_rule < ours
