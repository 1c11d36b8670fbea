"""Tests of analysis.report, one page (build_report): parameters, offline HTML, escaping.

The tests that executed notebooks/attack-frequency.ipynb (test_main_notebook_*) moved to
the notebooks' own tests with the numbered notebooks that replace it.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import nbformat
import pytest

from analysis.report import (
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
            "import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.plot([0, 1, 4]);"
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


@pytest.fixture(scope="module")
def tiny_report(tmp_path_factory):
    """One page of the tiny notebook, with label=X1 (executed once for the tests below)."""
    folder = tmp_path_factory.mktemp("tiny")
    nb = _tiny_notebook(folder / "tiny.ipynb")
    return build_report(folder / "out" / "index.html", notebook=nb, parameters={"label": "X1"})


@pytest.mark.slow
def test_build_report_injects_parameters_and_is_self_contained(tiny_report):
    text = tiny_report.html.read_text(encoding="utf-8")
    assert "label is X1 n is 3" in text
    assert not EXTERNAL.search(text)
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert images and base64.b64decode(images[0])[:4] == b"\x89PNG"


@pytest.mark.slow
def test_report_escapes_strings_from_data(tiny_report):
    text = tiny_report.html.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text


@pytest.mark.slow
def test_failing_cell_names_the_cell(tmp_path):
    nb = _tiny_notebook(tmp_path / "bad.ipynb", fail=True)
    expected = r"bad.ipynb: cell \d+ failed with ValueError: boom"
    with pytest.raises(ReportError, match=expected) as err:
        build_report(tmp_path / "index.html", notebook=nb)
    # the cell's number counts every cell of the stored notebook; its first line is quoted
    assert "cell 6 failed" in str(err.value)
    assert "the cell begins: raise ValueError('boom')" in str(err.value)
    assert not (tmp_path / "index.html").exists()


@pytest.mark.slow
def test_build_report_refuses_stray_output_and_keeps_the_previous_page(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "index.html"
    out.write_text("<p>the previous page</p>", encoding="utf-8")
    before = out.read_bytes()
    stray = nbformat.read(nb, as_version=4)
    stray.cells.append(nbformat.v4.new_code_cell("ax.set_title('stray')"))
    nbformat.write(stray, nb)
    with pytest.raises(ReportError, match=r"(?s)tiny.ipynb: 1 stray output.*cell 6 \(ax.set_title"):
        build_report(out, notebook=nb)
    assert out.read_bytes() == before


def test_undeclared_parameter_is_refused_before_execution(tmp_path):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    expected = r"tiny.ipynb: parameter\(s\) lable not declared.*label, n"
    with pytest.raises(ReportError, match=expected):
        build_report(tmp_path / "index.html", notebook=nb, parameters={"lable": "typo"})


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


def test_parameters_whose_comment_holds_an_equals_sign_are_declared(tmp_path):
    from analysis.report import declared_parameters

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        'vintage = "2024-10-12"  # drawn 23:43 UTC = 02:43 Israel\nwindow: int = 7\nx, y = 1, 2'
    )
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Py", "language": "python"}
    nbformat.write(nb, tmp_path / "p.ipynb")
    declared = declared_parameters(tmp_path / "p.ipynb")
    assert declared["vintage"] == '"2024-10-12"' and declared["window"] == "7"
