"""Tests of analysis.report: execution with parameters, offline HTML, escaping."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest

from analysis.report import (
    MAIN_NOTEBOOK,
    ReportError,
    build_report,
    escape,
    parse_parameters,
    render_html,
)

EXTERNAL = re.compile(r"<(script|link|img)\b[^>]*(src|href)=[\"']?(https?:)?//", re.I)


def _tiny_notebook(path: Path, *, fail: bool = False) -> Path:
    """A small notebook (simulated values) with a parameters cell, a figure and hostile text."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("label = 'default'\nn = 3")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Tiny report"),
        params,
        nbformat.v4.new_code_cell("print('label is', label, 'n is', n)"),
        nbformat.v4.new_code_cell(
            "import pandas as pd\npd.DataFrame({'note': ['<script>alert(1)</script> & co']})"
        ),
        nbformat.v4.new_code_cell(
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1, 4])"
        ),
    ]
    if fail:
        nb.cells.append(nbformat.v4.new_code_cell("raise ValueError('boom')"))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_escape_neutralises_markup():
    assert escape('<img src=x onerror="y">') == "&lt;img src=x onerror=&quot;y&quot;&gt;"


def test_parse_parameters_reads_json_and_text():
    assert parse_parameters(["a=1", "b=text", "c=null", 'd="q"']) == {
        "a": 1,
        "b": "text",
        "c": None,
        "d": "q",
    }


def test_parse_parameters_rejects_malformed_item():
    with pytest.raises(ReportError, match="name=value"):
        parse_parameters(["no-equals-sign"])


def test_build_report_injects_parameters_and_is_self_contained(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    built = build_report(tmp_path / "out" / "index.html", notebook=nb, parameters={"label": "X1"})
    text = built.html.read_text(encoding="utf-8")
    assert "label is X1 n is 3" in text
    assert not EXTERNAL.search(text)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert images and base64.b64decode(images[0])[:4] == b"\x89PNG"


def test_report_escapes_strings_from_data(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    built = build_report(tmp_path / "index.html", notebook=nb)
    text = built.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


def test_failing_cell_names_the_cell(tmp_path):
    nb = _tiny_notebook(tmp_path / "bad.ipynb", fail=True)
    with pytest.raises(ReportError, match=r"bad.ipynb: cell \d+ failed with ValueError: boom"):
        build_report(tmp_path / "index.html", notebook=nb)


def test_render_html_refuses_outside_resources(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data", data={"text/html": '<script src="https://example.org/x.js"></script>'}
        )
    ]
    nb.cells = [cell]
    with pytest.raises(ReportError, match="outside resources"):
        render_html(nb, tmp_path / "x.html")


def test_main_notebook_is_stored_without_outputs():
    nb = nbformat.read(MAIN_NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)


def _shared_alerts_present() -> bool:
    from analysis.datasets import dataset_path
    from analysis.errors import DataNotFoundError

    try:
        dataset_path("oref_alerts")
    except DataNotFoundError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.skipif(not _shared_alerts_present(), reason="the alert history is not available")
def test_main_notebook_renders_every_section_with_the_alert_history(tmp_path):
    built = build_report(tmp_path / "index.html")
    text = built.html.read_text(encoding="utf-8")
    executed = nbformat.read(built.executed, as_version=4)
    errors = [o for c in executed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    for needle in ["42,002 alerts read", "Change points:", "Count trend model", "Consistent: 41"]:
        assert needle in text, needle
    assert text.count("data:image/png;base64,") >= 8
    assert not EXTERNAL.search(text)


@pytest.mark.slow
def test_main_notebook_says_when_the_alert_history_is_missing(tmp_path, monkeypatch):
    # The kernel inherits this environment: no shared folder, an empty cache.
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "empty-cache"))
    built = build_report(tmp_path / "index.html")
    text = built.html.read_text(encoding="utf-8")
    assert "The alert history is not available on this machine" in text
    assert "incident-trends data fetch oref" in text
    # the sections from the curated figures still render
    assert "Consistent: 41" in text
    assert "Change points:" not in text
