"""Printed warnings on report pages read ``Category: message`` (analysis.report._render)."""

from __future__ import annotations

import pytest

nbformat = pytest.importorskip("nbformat")

from analysis.report._render import tidy_warnings  # noqa: E402

HEADER = "/tmp/ipykernel_4242/123456.py:3: RejectedRowsWarning: 2 of 9 rows of x.csv rejected\n"
ECHO = "  counts = it.count_incidents(events)\n"


def _notebook(text: str, name: str = "stderr") -> object:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("counts = it.count_incidents(events)")
    cell.outputs = [nbformat.v4.new_output("stream", name=name, text=text)]
    nb.cells = [cell]
    return nb


def test_location_and_echoed_line_are_dropped() -> None:
    nb = _notebook(HEADER + ECHO + "next output line\n")
    text = tidy_warnings(nb).cells[0].outputs[0]["text"]
    assert text == "RejectedRowsWarning: 2 of 9 rows of x.csv rejected\nnext output line\n"


def test_two_warnings_in_one_stream_are_both_tidied() -> None:
    other = "/usr/lib/python3/site.py:10: UserWarning: second\n  warnings.warn(x)\n"
    text = tidy_warnings(_notebook(HEADER + ECHO + other)).cells[0].outputs[0]["text"]
    assert text == "RejectedRowsWarning: 2 of 9 rows of x.csv rejected\nUserWarning: second\n"


def test_stdout_is_left_as_printed() -> None:
    nb = _notebook(HEADER + ECHO, name="stdout")
    assert tidy_warnings(nb).cells[0].outputs[0]["text"] == HEADER + ECHO


def test_stderr_without_a_warning_is_left_as_printed() -> None:
    text = "  indented progress text\nplain line\n"
    assert tidy_warnings(_notebook(text)).cells[0].outputs[0]["text"] == text


def test_the_executed_notebook_itself_is_not_changed() -> None:
    nb = _notebook(HEADER + ECHO)
    tidy_warnings(nb)
    assert nb.cells[0].outputs[0]["text"] == HEADER + ECHO
