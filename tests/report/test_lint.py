"""The output lint on notebook nodes built here (no kernel): what is refused and what is not."""

from __future__ import annotations

import nbformat
import pytest

from analysis.report import ReportError, check_outputs, stray_outputs


def _nb(*outputs, source="x = 1"):
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("n = 1")
    params.metadata["tags"] = ["parameters"]
    injected = nbformat.v4.new_code_cell("n = 2")
    injected.metadata["tags"] = ["injected-parameters"]
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = list(outputs)
    nb.cells = [nbformat.v4.new_markdown_cell("# T"), params, injected, cell]
    return nb


def _result(data):
    return nbformat.v4.new_output("execute_result", data=data, execution_count=1)


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("Text(0.5, 1.0, 'Drone incidents')", "Text repr"),
        ("(Text(0, 0.5, 'a'), Text(0.5, 0, 'b'))", "Text repr"),
        ("<Axes: title={'center': 'x'}>", "Axes repr"),
        ("<Figure size 640x480 with 0 Axes>", "Figure repr"),
        ("[<matplotlib.lines.Line2D at 0x7f3a2c1d0e50>]", "Line2D"),
        ("<matplotlib.legend.Legend at 0x7f3a2c1d0e50>", "matplotlib object repr"),
        ("<analysis.rates._estimate.RateResult object at 0x7f3a2c1d0e50>", "object repr"),
        ("<__main__.Thing at 0x7f3a2c1d0e50>", "object repr"),
    ],
)
def test_stray_text_outputs_are_found_with_the_stored_cell_number(text, what):
    found = stray_outputs(_nb(_result({"text/plain": text}), source="ax.set_title('x')\n"))
    assert len(found) == 1
    assert found[0]["cell"] == 3  # the injected parameters cell is not counted
    assert found[0]["first_line"] == "ax.set_title('x')"
    assert what in found[0]["what"]


def test_a_repr_beside_a_richer_representation_is_not_stray():
    figure_data = {"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": "iVBO"}
    figure = nbformat.v4.new_output("display_data", data=figure_data)
    table = _result({"text/plain": "<pandas.io.formats.style.Styler at 0x7f>", "text/html": "<t>"})
    assert stray_outputs(_nb(figure, table)) == []


def test_printed_object_reprs_are_stray_but_printed_words_are_not():
    printed = nbformat.v4.new_output(
        "stream", name="stdout", text="result: <analysis.X object at 0x7f00>\n"
    )
    words = nbformat.v4.new_output(
        "stream", name="stdout", text="Text(s) and <Axes> are words in a sentence\n"
    )
    assert [f["what"] for f in stray_outputs(_nb(printed))] == ["an unformatted object repr"]
    assert stray_outputs(_nb(words)) == []


def test_plain_values_are_not_stray():
    plain = _nb(_result({"text/plain": "42"}), _result({"text/plain": "'text'"}))
    assert stray_outputs(plain) == []


def test_check_outputs_names_the_notebook_and_every_cell():
    nb = _nb(_result({"text/plain": "Text(0.5, 1.0, 'x')"}), source="ax.set_title('x')")
    with pytest.raises(ReportError, match=r"02-alerts.ipynb: 1 stray output.*\n  cell 3 \(ax"):
        check_outputs(nb, "02-alerts.ipynb")
    check_outputs(_nb(), "clean.ipynb")  # no error
