"""The ``report`` subcommand: writes the HTML, clean errors."""

from __future__ import annotations

import nbformat

from analysis.cli import main


def _tiny_notebook(path):
    """A one-cell notebook (simulated values) with a parameters cell."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("n = 3")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print('n is', n)")]
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_cli_report_writes_html(tmp_path, capsys):
    nb = _tiny_notebook(tmp_path / "tiny.ipynb")
    out = tmp_path / "r.html"
    code = main(["report", "--notebook", str(nb), "-o", str(out), "-p", "n=7"])
    assert code == 0
    assert "n is 7" in out.read_text(encoding="utf-8")
    assert str(out) in capsys.readouterr().out


def test_cli_report_missing_notebook_is_a_clean_error(tmp_path, capsys):
    code = main(
        ["report", "--notebook", str(tmp_path / "nope.ipynb"), "-o", str(tmp_path / "r.html")]
    )
    assert code == 1
    assert "notebook not found" in capsys.readouterr().err
