"""``incident-trends report``: the site by default, --incidents, --notebooks, clean errors."""

from __future__ import annotations

import nbformat
import pytest

from analysis.cli import main

from .conftest import INCIDENTS_CSV


def _notebook(path):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("incidents_path = None")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Rows of a SIMULATED file"),
        params,
        nbformat.v4.new_code_cell(
            "import analysis as it\n"
            "rows = it.load_curated_incidents(incidents_path)\n"
            "print(len(rows), 'rows read')"
        ),
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["kernelspec"] = kernel
    nbformat.write(nb, path)


def test_missing_incidents_file_is_a_clean_error(tmp_path, capsys):
    code = main(["report", "--incidents", str(tmp_path / "none.csv"), "-o", str(tmp_path)])
    assert code == 1
    assert "--incidents: no such file" in capsys.readouterr().err


def test_a_site_entry_page_must_be_index_html(tmp_path, capsys):
    assert main(["report", "-o", str(tmp_path / "report.html")]) == 1
    assert "entry page is index.html" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_builds_the_site_on_a_user_incidents_file_and_says_how_long(tmp_path, capsys):
    notebooks = tmp_path / "nbs"
    notebooks.mkdir()
    _notebook(notebooks / "01-rows.ipynb")
    out = tmp_path / "reports" / "index.html"
    code = main(
        ["report", "--notebooks", str(notebooks), "--incidents", str(INCIDENTS_CSV), "-o", str(out)]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert f"wrote {out}: 1 page(s) in " in printed and printed.rstrip().endswith(" s")
    assert "[1/1] 01-rows.ipynb ..." in printed  # progress, as each notebook starts
    page = (tmp_path / "reports" / "pages" / "01-rows.html").read_text(encoding="utf-8")
    assert "110 rows read" in page
    assert "incidents (user-supplied)" in out.read_text(encoding="utf-8")
