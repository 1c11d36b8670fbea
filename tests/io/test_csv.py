"""Tests of the strict CSV reader: every file-level problem with its line and column."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from analysis.errors import DataError, DataNotFoundError
from analysis.io.csv import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    MAX_FIELD_CHARS,
    implausible_years,
    parse_date_column,
    read_csv_checked,
    read_csv_text,
)

GOOD = "incident_id,start,weapon\na,2024-11-04,drone\nb,2024-11-05,rocket\n"


def write(tmp_path, data: bytes | str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def only_problem(table):
    assert len(table.problems) == 1, [str(p) for p in table.problems]
    return table.problems[0]


def test_good_file_is_read_as_strings_indexed_by_file_line(tmp_path):
    table = read_csv_checked(write(tmp_path, GOOD))
    assert table.ok and not table.fatal
    assert table.columns == ("incident_id", "start", "weapon")
    assert table.frame.index.tolist() == [2, 3]
    assert table.frame.index.name == "row"
    assert table.frame.loc[3, "weapon"] == "rocket"
    assert all(pd.api.types.is_string_dtype(t) for t in table.frame.dtypes)


def test_values_are_not_converted(tmp_path):
    table = read_csv_text("id,n,flag\n007,1.50,NA\n", file="t.csv")
    row = table.frame.loc[2]
    assert (row["id"], row["n"], row["flag"]) == ("007", "1.50", "NA")


def test_empty_and_blank_cells_are_missing(tmp_path):
    table = read_csv_text("a,b,c\n1,,  \n", file="t.csv")
    assert table.frame.loc[2, "a"] == "1"
    assert table.frame.loc[[2], ["b", "c"]].isna().all().all()


def test_empty_file(tmp_path):
    table = read_csv_checked(write(tmp_path, b""), file="t.csv")
    problem = only_problem(table)
    assert table.fatal and table.n_rows == 0
    assert problem.row == 1  # where the header should be
    assert "empty" in problem.message and "0 bytes" in problem.message


def test_whitespace_only_file_is_empty(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, b"\n  \n")))
    assert "empty" in problem.message


def test_header_only_file_has_no_data_rows(tmp_path):
    table = read_csv_checked(write(tmp_path, "incident_id,start\n"), file="t.csv")
    problem = only_problem(table)
    assert table.fatal
    assert "no data rows" in problem.message
    assert str(problem).startswith("t.csv: no data rows")


def test_utf8_bom_is_accepted_and_removed(tmp_path):
    table = read_csv_checked(write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode()))
    assert table.ok
    assert table.columns[0] == "incident_id"


def test_windows_line_endings(tmp_path):
    table = read_csv_checked(write(tmp_path, GOOD.replace("\n", "\r\n")))
    assert table.ok
    assert table.frame.index.tolist() == [2, 3]
    assert table.frame.loc[3, "weapon"] == "rocket"


def test_latin1_file_names_line_byte_and_column(tmp_path):
    data = "id,name,weapon\n1,ok,drone\n2,caf\u00e9,drone\n".encode("latin-1")
    problem = only_problem(read_csv_checked(write(tmp_path, data), file="t.csv"))
    offset = data.index(b"\xe9")
    assert problem.row == 3
    assert problem.column == "name"
    assert "not UTF-8" in problem.message
    assert f"byte offset {offset}" in problem.message
    assert "0xE9" in problem.message
    assert "UTF-8" in problem.message and "Re-save" in problem.message
    assert str(problem).startswith("t.csv, row 3, column 'name': ")


def test_cp1255_hebrew_file_is_not_utf8(tmp_path):
    data = "id,locality\n1,\u05e9\u05d3\u05e8\u05d5\u05ea\n".encode("cp1255")
    problem = only_problem(read_csv_checked(write(tmp_path, data)))
    assert (problem.row, problem.column) == (2, "locality")
    assert "Windows-1255" in problem.message


def test_non_utf8_after_bom_with_crlf_names_line_and_column(tmp_path):
    data = b"\xef\xbb\xbfid,name\r\n1,ok\r\n2,caf\xe9\r\n"
    problem = only_problem(read_csv_checked(write(tmp_path, data)))
    assert (problem.row, problem.column) == (3, "name")
    offset = data.index(b"\xe9")
    assert f"byte offset {offset}" in problem.message


def test_non_utf8_in_header_has_no_column(tmp_path):
    data = "id,caf\u00e9\n1,2\n".encode("latin-1")
    problem = only_problem(read_csv_checked(write(tmp_path, data)))
    assert (problem.row, problem.column) == (1, None)


@pytest.mark.parametrize(("delimiter", "label"), [(";", "';' (semicolon)"), ("\t", "a tab")])
def test_wrong_delimiter(tmp_path, delimiter, label):
    text = GOOD.replace(",", delimiter)
    table = read_csv_checked(write(tmp_path, text), file="t.csv")
    problem = only_problem(table)
    assert table.fatal
    assert problem.row == 1
    assert f"separated by {label}" in problem.message
    assert "comma-separated" in problem.message


def test_wrong_delimiter_recognised_from_known_column_names(tmp_path):
    # the comma inside the last column name would hide a plain field-count rule
    text = "incident_id;start;notes, free text\na;2024-11-04;x\n"
    problem = only_problem(read_csv_checked(write(tmp_path, text), required=["incident_id"]))
    assert "semicolon" in problem.message


def test_semicolons_inside_values_are_not_a_wrong_delimiter(tmp_path):
    text = 'incident_id,notes\na,"one; two; three"\n'
    assert read_csv_checked(write(tmp_path, text)).ok


def test_unterminated_quote_names_the_line_where_it_opened(tmp_path):
    text = (
        'incident_id,start,weapon\na,2024-11-04,drone\nb,"2024-11-05,rocket\nc,2024-11-06,drone\n'
    )
    table = read_csv_checked(write(tmp_path, text), file="t.csv")
    problem = only_problem(table)
    assert table.fatal
    assert problem.row == 3
    assert "broken quote" in problem.message
    assert "line 3" in problem.message


def test_quote_followed_by_text_names_opening_and_closing_lines(tmp_path):
    text = 'id,a,b\n1,x,y\n2,"p,q\n3,r,"s"t\n'
    problem = only_problem(read_csv_checked(write(tmp_path, text)))
    assert problem.row == 3
    assert "broken quote" in problem.message
    assert "opens on line 3" in problem.message and "line 4" in problem.message


def test_quote_that_swallows_a_line_is_reported_as_field_count_with_hint(tmp_path):
    text = 'id,a,b\n1,"x,y\n2,p,q"\n3,r,s\n'
    table = read_csv_checked(write(tmp_path, text))
    problem = only_problem(table)
    assert problem.row == 2
    assert "expected 3 fields" in problem.message
    assert "quoted field opened on line 2" in problem.message
    assert table.frame.index.tolist() == [4]


def test_quoted_newlines_keep_file_line_numbers(tmp_path):
    text = 'id,notes\na,"first\nsecond\nthird"\nb,plain\n\nc,"x, y"\n'
    table = read_csv_checked(write(tmp_path, text))
    assert table.ok
    assert table.frame.index.tolist() == [2, 5, 7]
    assert table.frame.loc[2, "notes"] == "first\nsecond\nthird"
    assert table.frame.loc[7, "notes"] == "x, y"


def test_rows_with_wrong_number_of_fields_are_each_named(tmp_path):
    text = "a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n"
    table = read_csv_checked(write(tmp_path, text), file="t.csv")
    assert [p.row for p in table.problems] == [3, 5]
    assert "expected 3 fields (as in the header), found 2" in table.problems[0].message
    assert "found 4" in table.problems[1].message
    assert table.malformed["row"].tolist() == [3, 5]
    assert table.malformed["raw"].tolist() == ["4,5", "9,10,11,12"]
    assert table.frame.index.tolist() == [2, 4]
    assert table.n_rows == 4


def test_blank_lines_are_skipped_but_counted(tmp_path):
    table = read_csv_checked(write(tmp_path, "a,b\n\n1,2\n\n3,4\n"))
    assert table.ok
    assert table.frame.index.tolist() == [3, 5]


def test_duplicate_column_names(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, "a,b,a\n1,2,3\n")))
    assert (problem.row, problem.column) == (1, "a")
    assert "twice" in problem.message


def test_empty_column_name(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, "a,b,\n1,2,\n")))
    assert problem.row == 1
    assert "header field 3 is empty" in problem.message


def test_missing_required_columns_one_problem_each(tmp_path):
    table = read_csv_checked(write(tmp_path, "a,b\n1,2\n"), required=["a", "x", "y"])
    assert [(p.row, p.column) for p in table.problems] == [(1, "x"), (1, "y")]


def test_missing_file_raises_not_found(tmp_path):
    with pytest.raises(DataNotFoundError, match="no such file"):
        read_csv_checked(tmp_path / "nope.csv")


def test_directory_raises_data_error(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        read_csv_checked(tmp_path)


def test_raise_if_problems_lists_every_problem(tmp_path):
    table = read_csv_text("a,b\n1\n2,3,4\n", file="t.csv")
    with pytest.raises(DataError) as info:
        table.raise_if_problems()
    assert len(info.value.problems) == 2
    assert "t.csv, row 2" in str(info.value) and "t.csv, row 3" in str(info.value)


def test_rows_of_only_commas_are_reported_not_dropped(tmp_path):
    table = read_csv_checked(write(tmp_path, "a,b,c\n1,2,3\n,,\n"))
    problem = only_problem(table)
    assert problem.row == 3 and "empty row" in problem.message
    assert table.malformed["row"].tolist() == [3]


def test_missing_column_message_points_at_case_mismatch(tmp_path):
    table = read_csv_checked(write(tmp_path, "Unit,b\nx,1\n"), required=["unit"])
    problem = only_problem(table)
    assert problem.column == "unit"
    assert "found 'Unit'" in problem.message and "case-sensitive" in problem.message


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("analysis.io.csv")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_unterminated_quote_names_its_column(tmp_path):
    text = 'id,when,what\na,2024-11-04,drone\nb,"2024-11-05,rocket\nc,2024-11-06,drone\n'
    problem = only_problem(read_csv_checked(write(tmp_path, text)))
    assert (problem.row, problem.column) == (3, "when")


def test_quote_followed_by_text_names_its_column(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, 'id,a,b\n1,x,"y"z\n')))
    assert (problem.row, problem.column) == (2, "b")


def test_wrong_number_of_fields_names_a_column(tmp_path):
    table = read_csv_checked(write(tmp_path, "id,a,b\n1,x\n2,y,z,w\n"))
    assert [(p.row, p.column) for p in table.problems] == [(2, "b"), (3, "b")]
    assert "ends before column 'b'" in table.problems[0].message
    assert "extra field(s) after the last column 'b'" in table.problems[1].message


def test_wrong_delimiter_names_the_column_read(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, "id;a;b\n1;x;y\n")))
    assert (problem.row, problem.column) == (1, "id;a;b")
    assert "read as 1 field" in problem.message


def test_every_line_that_is_not_utf8_is_reported_and_the_rest_is_read(tmp_path):
    data = "id,name\n1,caf\u00e9\n2,ok\n3,na\u00efve\n".encode("latin-1")
    table = read_csv_checked(write(tmp_path, data))
    assert not table.fatal and table.n_rows == 3
    assert [(p.row, p.column) for p in table.problems] == [(2, "name"), (4, "name")]
    assert table.frame.loc[3, "name"] == "ok"


def test_non_utf8_after_leading_blank_lines_still_names_the_column(tmp_path):
    data = "\nid,name\n1,caf\u00e9\n".encode("latin-1")
    problem = only_problem(read_csv_checked(write(tmp_path, data)))
    assert (problem.row, problem.column) == (3, "name")


def test_utf16_file_is_one_problem_on_the_header(tmp_path):
    data = "id,name\n1,x\n".encode("utf-16")
    table = read_csv_checked(write(tmp_path, data))
    problem = only_problem(table)
    assert table.fatal and (problem.row, problem.column) == (1, None)
    assert "UTF-16" in problem.message


def test_pipe_delimiter_is_recognised(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, GOOD.replace(",", "|"))))
    assert problem.row == 1 and "separated by '|' (vertical bar)" in problem.message


def test_pipe_inside_a_comma_separated_header_is_not_a_delimiter(tmp_path):
    table = read_csv_checked(write(tmp_path, "id,a|b\n1,x|y\n"), expected=["id"])
    assert table.ok and table.columns == ("id", "a|b")


# --- damaged text: one problem per row, the other rows still read

HUGE = "x" * (MAX_FIELD_CHARS + 1)


def test_field_longer_than_the_csv_limit_is_a_row_problem(tmp_path):
    text = f"id,note\na,fine\nb,{HUGE}\nc,also fine\n"
    table = read_csv_checked(write(tmp_path, text), file="t.csv")
    problem = only_problem(table)
    assert (problem.file, problem.row, problem.column) == ("t.csv", 3, "note")
    assert f"{MAX_FIELD_CHARS + 1:,} characters long" in problem.message
    assert table.frame.index.tolist() == [2, 4]
    assert table.malformed["row"].tolist() == [3]


def test_rows_after_a_huge_field_are_still_checked(tmp_path):
    text = f"id,note\nb,{HUGE}\nc,too,many\n"
    table = read_csv_checked(write(tmp_path, text), file="t.csv")
    assert [(p.row, p.column) for p in table.problems] == [(2, "note"), (3, "note")]
    assert "expected 2 fields" in table.problems[1].message


def test_quoted_huge_field_is_a_row_problem(tmp_path):
    text = f'id,note\nb,"{HUGE}"\nc,ok\n'
    table = read_csv_checked(write(tmp_path, text))
    assert [(p.row, p.column) for p in table.problems] == [(2, "note")]
    assert table.frame.index.tolist() == [3]


def test_field_limit_of_the_csv_module_is_left_as_it_was(tmp_path):
    before = csv.field_size_limit()
    read_csv_checked(write(tmp_path, f"id,note\nb,{HUGE}\n"))
    assert csv.field_size_limit() == before


def test_huge_value_is_shortened_in_the_problem(tmp_path):
    problem = only_problem(read_csv_checked(write(tmp_path, f"id,note\nb,{HUGE}\n")))
    assert problem.value is not None and len(problem.value) < 100
    assert problem.value.endswith(f"({MAX_FIELD_CHARS + 1:,} characters)")


def test_nul_byte_is_a_row_problem(tmp_path):
    table = read_csv_checked(write(tmp_path, b"id,note\na,ok\nb,x\x00y\nc,ok\n"), file="t.csv")
    problem = only_problem(table)
    assert (problem.row, problem.column) == (3, "note")
    assert "NUL byte (character 2)" in problem.message
    assert table.frame.index.tolist() == [2, 4]


def test_nul_byte_in_the_header_is_refused(tmp_path):
    table = read_csv_checked(write(tmp_path, b"id,no\x00te\na,ok\n"))
    problem = only_problem(table)
    assert table.fatal and problem.row == 1
    assert "header field 2 contains a NUL byte" in problem.message


def test_non_utf8_byte_next_to_a_huge_field(tmp_path):
    data = b"id,note\na,ok\nb,\xff" + HUGE.encode() + b"\nc,ok\n"
    table = read_csv_checked(write(tmp_path, data), file="t.csv")
    assert [(p.row, p.column) for p in table.problems] == [(3, "note"), (3, "note")]
    assert "not UTF-8" in table.problems[0].message
    assert "characters long" in table.problems[1].message
    assert table.frame.index.tolist() == [2, 4]


# --- date columns: one rule for every row, years that cannot be incident times


def dates_of(text: str, **kwargs):
    return parse_date_column(read_csv_text(text, file="t.csv"), "day", **kwargs)


def test_day_first_column_is_read_day_first_on_every_row():
    column = dates_of("id,day\na,04/11/2024\nb,13/11/2024\nc,05/11/2024\n")
    assert column.problems == ()
    assert column.rule == "day-first numeric dates"
    assert column.values.dt.strftime("%Y-%m-%d").tolist() == [
        "2024-11-04",
        "2024-11-13",
        "2024-11-05",
    ]


def test_values_keep_the_file_lines_as_index():
    column = dates_of("id,day\na,2024-11-04\n\nb,2024-11-05\n")
    assert column.values.index.tolist() == [2, 4]


def test_ambiguous_column_is_refused_with_the_rows_that_show_it():
    column = dates_of("id,day\na,04/11/2024\nb,2024-11-06\nc,05/11/2024\n")
    assert [(p.row, p.column, p.value) for p in column.problems] == [
        (2, "day", "04/11/2024"),
        (4, "day", "05/11/2024"),
    ]
    assert "pass dayfirst=True" in column.problems[0].message
    assert column.values.isna().all()


def test_column_mixing_day_first_and_month_first_is_refused():
    column = dates_of("id,day\na,13/11/2024\nb,11/14/2024\n")
    assert [p.row for p in column.problems] == [2, 3]
    assert "mixes day-first and month-first" in column.problems[0].message


def test_dayfirst_settles_an_ambiguous_column():
    column = dates_of("id,day\na,04/11/2024\n", dayfirst=True)
    assert column.problems == ()
    assert column.values.dt.strftime("%Y-%m-%d").tolist() == ["2024-11-04"]


def test_explicit_format_settles_an_ambiguous_column():
    column = dates_of("id,day\na,04/11/2024\n", format="%m/%d/%Y")
    assert column.values.dt.strftime("%Y-%m-%d").tolist() == ["2024-04-11"]


def test_value_that_is_not_a_date_is_a_row_problem():
    column = dates_of("id,day\na,2024-11-04\nb,soon\n")
    problem = only_problem(column)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "t.csv",
        3,
        "day",
        "soon",
    )
    assert column.values.isna().tolist() == [False, True]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:00:00"])
def test_year_far_outside_any_data_is_a_row_problem(value):
    column = dates_of(f"id,day\na,2024-11-04\nb,{value}\n")
    problem = only_problem(column)
    assert (problem.row, problem.column, problem.value) == (3, "day", value)
    assert f"year {value[:4]} in 'day' is outside {EARLIEST_YEAR}-{LATEST_YEAR}" in (
        problem.message
    )
    assert column.values.isna().tolist() == [False, True]


def test_plausible_years_are_inclusive_and_adjustable():
    times = pd.Series(pd.to_datetime(["1851-03-15", "1900-01-01", "2100-12-31"]))
    assert implausible_years(times).tolist() == [True, False, False]
    assert implausible_years(times, earliest=1850).tolist() == [False, False, False]


def test_missing_date_column_names_the_file_and_columns():
    with pytest.raises(KeyError, match=r"t\.csv has no column 'when'"):
        parse_date_column(read_csv_text("id,day\na,2024-11-04\n", file="t.csv"), "when")


# ---------------------------------------------------------------- the one-line reader = the loop


_AWKWARD = [
    "id,start,n\na,2024-01-01,1\n",
    "id,start,n\r\na, 2024-01-01 ,1\r\n\r\nb,,2\r\n",
    'id,start,n\na,"2024-01-01",1\nb,"x, y",2\nc,"say ""hi""",3\n',
    "id,start,n\na,2024-01-01\nb,2024-01-02,2,9\n,,\n , , \nc,2024-01-03,3\n",
    "id,start,n\n   \nd,2024-01-04,4\n\n\n",
    "n\n1\n  \n\n2\n",
    'id,start,n\na,2024-01-01,1\nb,"open\n',
    'id,start,n\na,x"y,1\nb,"q"z,2\n',
    "id,start,n\na,éè ,1\nb,\u00a0x\u00a0,2\n",
    "id,start,n\ra,1,2\rb,3\r",
]


@pytest.mark.parametrize("text", _AWKWARD)
def test_one_line_reader_gives_the_records_of_the_csv_module_loop(text, monkeypatch):
    import analysis.io.csv as module

    fast = read_csv_text(text.encode("utf-8"), file="t.csv")
    monkeypatch.setattr(module, "_one_line_records", lambda *args: None)
    slow = read_csv_text(text.encode("utf-8"), file="t.csv")
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    pd.testing.assert_frame_equal(fast.malformed, slow.malformed)
    assert fast.problems == slow.problems
    assert (fast.fatal, fast.columns, fast.header_row) == (
        slow.fatal,
        slow.columns,
        slow.header_row,
    )


def test_one_line_reader_is_used_for_a_plain_file(monkeypatch):
    import analysis.io.csv as module

    calls = []
    real = module._one_line_records
    monkeypatch.setattr(module, "_one_line_records", lambda *a: calls.append(1) or real(*a))
    table = read_csv_text(b"id,n\na,1\nb,2\n")
    assert calls and table.frame["n"].tolist() == ["1", "2"]


@pytest.mark.parametrize(
    "text",
    [
        "id,n\na,1\n,2\n",  # an empty first cell
        "id,n\na,1\nb,\n",  # an empty last cell
        "id,n\na, 1\nb,2\n",  # blank space at an edge
        "id,n\na,1\u00a0\nb,2\n",  # non-breaking space, stripped by str.strip
        "id,n\na,1\nb\n",  # a line with too few fields
        "id,n\na,1\nb,2,3\n",  # too many
        "id,n\na,1\n\nb,2\n",  # a blank line
        "id,n\n a,1\n",
    ],
)
def test_plain_reader_leaves_files_that_need_cleaning_to_the_line_reader(text, monkeypatch):
    import analysis.io.csv as module

    fast = read_csv_text(text.encode("utf-8"), file="t.csv")
    monkeypatch.setattr(module, "_one_line_records", lambda *args: None)
    slow = read_csv_text(text.encode("utf-8"), file="t.csv")
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.problems == slow.problems
    assert module._plain_records(text.splitlines()[1:], ["id", "n"]) is None
    assert module._plain_records(["a,1", "b,2"], ["id", "n"]) is not None


# --------------------------------------------------------------------------- csv_chunks


def _chunk_test_bytes(newline: str, *, lead: str = "", bom: bool = False) -> bytes:
    import numpy as np

    rng = np.random.default_rng(11)
    lines = ["id,start,notes"]
    for i in range(300):
        note = ["plain", '"a, comma"', '"two\nlines"', '"a ""quote"""', "", "  padded  "][
            int(rng.integers(0, 6))
        ]
        lines.append(f"r{i},2024-11-{1 + i % 28:02d},{note}")
        u = rng.random()
        if u < 0.03:
            lines.append("")  # blank line
        elif u < 0.06:
            lines.append(f"bad{i},2024-11-04")  # too few fields
        elif u < 0.08:
            lines.append(" , , ")  # only commas
    text = lead + "\n".join(lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.replace("\n", newline).encode("utf-8")


@pytest.mark.parametrize(
    ("newline", "lead", "bom"), [("\n", "", False), ("\r\n", "", True), ("\n", "\n\n", True)]
)
@pytest.mark.parametrize("lines", [2, 7, 50])
def test_chunks_hold_the_rows_cells_and_problems_of_the_whole_file(newline, lead, bom, lines):
    from analysis.io.csv import NotChunkable, csv_chunks

    data = _chunk_test_bytes(newline, lead=lead, bom=bom)
    whole = read_csv_text(data, file="t.csv")
    assert len(whole.malformed) > 5 and len(whole.frame) == 300
    if lines <= lead.count("\n") + 1:  # the first chunk ends before the header
        with pytest.raises(NotChunkable):
            list(csv_chunks(data, file="t.csv", lines=lines))
        return
    chunks = list(csv_chunks(data, file="t.csv", lines=lines))
    assert len(chunks) >= 3
    frame = pd.concat([c.frame for c in chunks])
    pd.testing.assert_frame_equal(frame, whole.frame)
    malformed = pd.concat([c.malformed for c in chunks], ignore_index=True)
    pd.testing.assert_frame_equal(malformed, whole.malformed)
    assert [p for c in chunks for p in c.problems] == list(whole.problems)
    assert all(c.columns == whole.columns and c.header_row == whole.header_row for c in chunks)
    picked = list(
        csv_chunks(data, file="t.csv", lines=lines, only={1, 2}, header_row=1 + lead.count("\n"))
    )
    assert [list(c.frame.index) for c in picked] == [list(c.frame.index) for c in chunks[1:3]]


@pytest.mark.parametrize(
    "data",
    [
        GOOD.encode(),  # too small to be worth chunks
        GOOD.encode() * 20 + b"c,\x00,drone\n",  # a NUL byte
        GOOD.encode().replace(b"\n", b"\r") * 20,  # old Mac line breaks
        GOOD.encode() * 20 + b"c,2024-11-04,dr\xf4ne\n",  # not UTF-8
        GOOD.encode() + b'c,"open,drone\n' * 40,  # a broken quote
    ],
)
def test_files_that_cannot_be_read_in_chunks_say_so(data):
    from analysis.io.csv import NotChunkable, csv_chunks

    with pytest.raises(NotChunkable):
        list(csv_chunks(data, file="t.csv", lines=4))


def test_chunk_size_is_checked():
    from analysis.io.csv import csv_chunks

    with pytest.raises(ValueError, match="lines"):
        list(csv_chunks(GOOD.encode() * 10, file="t.csv", lines=1))
