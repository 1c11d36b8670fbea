"""Tests of validate_file / validate_incidents / validate_figures and ValidationReport."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.curation.validate import (
    ValidationReport,
    detect_kind,
    validate_figures,
    validate_file,
    validate_incidents,
)
from analysis.errors import DataError, DataNotFoundError

HEADER = "incident_id,start,weapon,quantity,unit,source_url"
GOOD_ROWS = [
    "a,2024-11-04,drone,2,launch,https://example.org/a",
    "b,2024-11-05,drone,2,interception,https://example.org/b",
    "c,2024-11-05T21:30:00+02:00,rocket,1,alert,https://example.org/c",
]
FIG_HEADER = "figure_id,period_start,period_end,value,qualifier,unit,source_url"
FIG_ROWS = [
    "f1,2024-10-29,2024-11-04,41,exact,claim,https://example.org/f",
    "f2,2024-07-01,2024-07-31,13,at_least,claim,https://example.org/g",
]


def write(tmp_path, text: str | bytes, name: str = "incidents.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def incidents_file(tmp_path, *rows: str, header: str = HEADER):
    return write(tmp_path, "\n".join([header, *rows]) + "\n")


def single(report: ValidationReport):
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    return report.problems[0]


def assert_accounted(report: ValidationReport):
    assert len(report.valid) + len(report.rejects) == report.n_rows


def test_valid_file(tmp_path):
    report = validate_file(incidents_file(tmp_path, *GOOD_ROWS))
    assert report.ok and report.kind == "incidents"
    assert report.n_rows == 3 and len(report.valid) == 3 and report.rejects.empty
    assert report.valid.index.tolist() == [2, 3, 4]
    assert report.valid["quantity"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(report.valid["start"])


def test_missing_required_column(tmp_path):
    header = HEADER.replace(",weapon", "")
    rows = [r.replace(",drone", "").replace(",rocket", "") for r in GOOD_ROWS]
    report = validate_file(incidents_file(tmp_path, *rows, header=header))
    problem = single(report)
    assert (problem.row, problem.column) == (1, "weapon")  # the header line
    assert "column 'weapon': required column is missing" in str(problem)
    # no row can be valid without a required column: all are rejected, none dropped
    assert report.valid.empty and len(report.rejects) == 3
    assert_accounted(report)


def test_unparseable_date(tmp_path):
    rows = [*GOOD_ROWS[:1], "b,2024-31-12,drone,2,launch,https://example.org/b"]
    problem = single(validate_file(incidents_file(tmp_path, *rows)))
    assert (problem.row, problem.column, problem.value) == (3, "start", "2024-31-12")
    assert ", row 3, column 'start': " in str(problem)


def test_negative_quantity(tmp_path):
    rows = [*GOOD_ROWS[:2], "c,2024-11-05,drone,-3,launch,https://example.org/c"]
    problem = single(validate_file(incidents_file(tmp_path, *rows)))
    assert (problem.row, problem.column, problem.value) == (4, "quantity", "-3")
    assert "negative" in problem.message


@pytest.mark.parametrize("bad", ["2.5", "two"])
def test_non_integer_quantity(tmp_path, bad):
    rows = [f"a,2024-11-04,drone,{bad},launch,https://example.org/a", *GOOD_ROWS[1:]]
    problem = single(validate_file(incidents_file(tmp_path, *rows)))
    assert (problem.row, problem.column, problem.value) == (2, "quantity", bad)
    assert "whole number" in problem.message


def test_duplicate_id(tmp_path):
    rows = [*GOOD_ROWS, "a,2024-11-06,drone,1,launch,https://example.org/d"]
    report = validate_file(incidents_file(tmp_path, *rows))
    assert [(p.row, p.column) for p in report.problems] == [(2, "incident_id"), (5, "incident_id")]
    assert "first used on row 2" in report.problems[1].message
    assert sorted(report.rejects["row"]) == [2, 5]
    assert_accounted(report)


def test_unknown_unit(tmp_path):
    rows = [*GOOD_ROWS[:1], "b,2024-11-05,drone,2,drones,https://example.org/b"]
    problem = single(validate_file(incidents_file(tmp_path, *rows)))
    assert (problem.row, problem.column, problem.value) == (3, "unit", "drones")
    assert "claim, launch, interception, alert, incident" in problem.message


def test_empty_file(tmp_path):
    report = validate_file(write(tmp_path, b""))
    problem = single(report)
    assert problem.row == 1 and "empty" in problem.message
    assert "row 1: the file is empty" in str(problem)
    assert report.n_rows == 0 and report.valid.empty and report.rejects.empty


def test_header_only_file(tmp_path):
    problem = single(validate_file(write(tmp_path, HEADER + "\n")))
    assert "no data rows" in problem.message


@pytest.mark.parametrize(("delimiter", "word"), [(";", "semicolon"), ("\t", "tab")])
def test_wrong_delimiter(tmp_path, delimiter, word):
    text = "\n".join([HEADER, *GOOD_ROWS]).replace(",", delimiter) + "\n"
    problem = single(validate_file(write(tmp_path, text)))
    assert problem.row == 1
    assert word in problem.message and "comma-separated" in problem.message
    assert ", row 1, column 'incident_id" in str(problem)
    assert "the file is separated by" in str(problem)


@pytest.mark.parametrize("encoding", ["latin-1", "cp1255"])
def test_file_that_is_not_utf8(tmp_path, encoding):
    weapon = {"latin-1": "drône", "cp1255": "כטב״ם"}[encoding]
    bad_row = f"b,2024-11-05,{weapon},2,launch,https://example.org/b"
    text = "\n".join([HEADER, GOOD_ROWS[0], bad_row])
    report = validate_file(write(tmp_path, text.encode(encoding)))
    problem = single(report)
    assert (problem.row, problem.column) == (3, "weapon")
    assert "not UTF-8" in problem.message and "UTF-8" in problem.message
    assert "byte offset" in problem.message
    assert ", row 3, column 'weapon': " in str(problem)


def test_broken_quote(tmp_path):
    rows = [GOOD_ROWS[0], 'b,2024-11-05,"drone,2,launch,https://example.org/b', GOOD_ROWS[2]]
    report = validate_file(incidents_file(tmp_path, *rows))
    problem = single(report)
    assert problem.row == 3
    assert "broken quote" in problem.message and "line 3" in problem.message


def test_wrong_field_count_rows_are_rejected_with_their_line(tmp_path):
    rows = [GOOD_ROWS[0], "b,2024-11-05,drone,2,launch", GOOD_ROWS[2], "d,x,y,z,1,2,3"]
    report = validate_file(incidents_file(tmp_path, *rows))
    assert [p.row for p in report.problems] == [3, 5]
    assert "expected 6 fields" in report.problems[0].message
    assert report.n_rows == 4 and len(report.valid) == 2
    assert report.rejects["row"].tolist() == [3, 5]
    assert report.rejects["raw"].tolist() == ["b,2024-11-05,drone,2,launch", "d,x,y,z,1,2,3"]
    assert_accounted(report)


def test_bom_file_is_valid(tmp_path):
    text = b"\xef\xbb\xbf" + ("\r\n".join([HEADER, *GOOD_ROWS]) + "\r\n").encode()
    report = validate_file(write(tmp_path, text))
    assert report.ok, [str(p) for p in report.problems]
    assert report.n_rows == 3


def test_several_problems_are_all_reported_at_once(tmp_path):
    rows = [
        "a,2024-11-04,drone,2,launch,https://example.org/a",
        "a,not-a-date,drone,-1,launch,https://example.org/b",
        "c,2024-11-05,,2.5,drones,https://example.org/c",
        "d,2024-11-05,rocket,1,alert",
        "e,2024-11-06,rocket,1,alert,https://example.org/e",
    ]
    report = validate_file(incidents_file(tmp_path, *rows))
    assert [(p.row, p.column) for p in report.problems] == [
        (2, "incident_id"),
        (3, "incident_id"),
        (3, "start"),
        (3, "quantity"),
        (4, "weapon"),
        (4, "quantity"),
        (4, "unit"),
        (5, "source_url"),  # the row ends before this column
    ]
    assert report.valid.index.tolist() == [6]
    assert report.rejects["row"].tolist() == [2, 3, 4, 5]
    reason = report.rejects.set_index("row").loc[3, "reason"]
    assert "start:" in reason and "quantity:" in reason and "incident_id:" in reason
    assert_accounted(report)


def test_rejects_keep_the_values_as_read(tmp_path):
    rows = [GOOD_ROWS[0], "b,2024-11-05,drone,-3,launch,https://example.org/b"]
    rejects = validate_file(incidents_file(tmp_path, *rows)).rejects
    assert list(rejects.columns[:2]) == ["row", "reason"]
    assert rejects.loc[0, "quantity"] == "-3"
    assert rejects.loc[0, "incident_id"] == "b"


def test_extra_columns_are_kept(tmp_path):
    header = HEADER + ",analyst"
    rows = [r + ",me" for r in GOOD_ROWS]
    report = validate_file(incidents_file(tmp_path, *rows, header=header))
    assert report.ok and report.valid["analyst"].tolist() == ["me"] * 3


def test_figures_file_detected_and_checked(tmp_path):
    rows = [*FIG_ROWS, "f3,2024-11-05,2024-11-04,4,about,claim,https://example.org/h"]
    path = write(tmp_path, "\n".join([FIG_HEADER, *rows]) + "\n", name="figures.csv")
    report = validate_file(path)
    assert report.kind == "figures"
    problem = single(report)
    assert (problem.row, problem.column) == (4, "period_start")
    assert report.valid["measure"].tolist() == ["count", "count"]


def test_unknown_qualifier_in_figures_file(tmp_path):
    rows = [FIG_ROWS[0], "f2,2024-07-01,2024-07-31,13,more than,claim,https://example.org/g"]
    path = write(tmp_path, "\n".join([FIG_HEADER, *rows]) + "\n", name="figures.csv")
    problem = single(validate_file(path))
    assert (problem.row, problem.column, problem.value) == (3, "qualifier", "more than")


def test_unclear_kind_is_a_problem_and_rejects_every_row(tmp_path):
    report = validate_file(write(tmp_path, "name,count\nx,1\ny,2\n"))
    problem = single(report)
    assert report.kind is None
    assert "cannot tell" in problem.message and "--kind" in problem.message
    assert len(report.rejects) == 2 and report.valid.empty
    assert_accounted(report)


def test_kind_can_be_forced(tmp_path):
    path = write(tmp_path, "name,count\nx,1\n")
    report = validate_file(path, kind="incidents")
    assert report.kind == "incidents"
    assert {p.column for p in report.problems} == {
        "incident_id",
        "start",
        "weapon",
        "quantity",
        "unit",
        "source_url",
    }


def test_bad_kind_argument(tmp_path):
    with pytest.raises(ValueError, match="kind must be"):
        validate_file(incidents_file(tmp_path, *GOOD_ROWS), kind="events")


def test_detect_kind():
    assert detect_kind(HEADER.split(",")) == "incidents"
    assert detect_kind(FIG_HEADER.split(",")) == "figures"
    assert detect_kind(["a", "b"]) is None


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataNotFoundError):
        validate_file(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="directory"):
        validate_file(tmp_path)


def test_validate_incidents_keeps_the_input_index():
    df = pd.DataFrame(
        [r.split(",") for r in GOOD_ROWS], columns=HEADER.split(","), index=["x", "y", "z"]
    )
    df.loc["y", "quantity"] = "-1"
    report = validate_incidents(df)
    assert report.valid.index.tolist() == ["x", "z"]
    assert report.rejects.index.tolist() == ["y"]
    assert report.rejects.loc["y", "row"] == 3  # position + 2, as in a CSV with a header
    assert report.file == "<table>"


def test_validate_figures_in_memory():
    df = pd.DataFrame([r.split(",") for r in FIG_ROWS], columns=FIG_HEADER.split(","))
    report = validate_figures(df, file="mine")
    assert report.ok and report.valid["value"].tolist() == [41.0, 13.0]


def test_validate_incidents_rejects_non_frames():
    with pytest.raises(TypeError, match="DataFrame"):
        validate_incidents([1, 2, 3])  # type: ignore[arg-type]


def test_report_outputs(tmp_path):
    rows = [GOOD_ROWS[0], "b,2024-11-05,drone,-3,launch,https://example.org/b"]
    report = validate_file(incidents_file(tmp_path, *rows))
    data = report.to_dict()
    json.dumps(data)  # JSON-friendly
    assert data["n_rows"] == 2 and data["n_valid"] == 1 and data["n_rejected"] == 1
    assert data["problems"][0]["row"] == 3 and data["problems"][0]["column"] == "quantity"
    frame = report.to_frame()
    assert list(frame.columns) == ["file", "row", "column", "value", "message"]
    assert frame.loc[0, "row"] == 3
    text = report.summary()
    assert "1 valid, 1 rejected" in text and "row 3, column 'quantity'" in text
    assert "ValidationReport" in repr(report)
    assert "&#x27;quantity&#x27;" in report._repr_html_()


def test_raise_if_invalid(tmp_path):
    rows = [GOOD_ROWS[0], "b,bad,drone,-3,launch,https://example.org/b"]
    report = validate_file(incidents_file(tmp_path, *rows))
    with pytest.raises(DataError) as info:
        report.raise_if_invalid()
    assert len(info.value.problems) == 2
    assert "column 'start'" in str(info.value) and "column 'quantity'" in str(info.value)
    ok = validate_file(incidents_file(tmp_path, *GOOD_ROWS))
    assert ok.raise_if_invalid() is ok


def test_report_attributes_are_read_only_and_copies(tmp_path):
    report = validate_file(incidents_file(tmp_path, *GOOD_ROWS))
    with pytest.raises(AttributeError):
        report.n_rows = 5  # type: ignore[misc]
    copy = report.valid
    copy.loc[2, "weapon"] = "changed"
    assert report.valid.loc[2, "weapon"] == "drone"


def test_plot_counts_problems_by_column(tmp_path):
    import matplotlib.pyplot as plt

    rows = [
        GOOD_ROWS[0],
        "b,bad,drone,-3,launch,https://example.org/b",
        "c,bad,drone,1,launch",
        ",,,,,",
    ]
    report = validate_file(incidents_file(tmp_path, *rows))
    fig, ax = plt.subplots()
    try:
        assert report.plot(ax=ax) is ax
        widths = {
            t.get_text(): p.get_width()
            for t, p in zip(ax.get_yticklabels(), ax.patches, strict=True)
        }
        assert widths == {"start": 1, "quantity": 1, "source_url": 1, "(row)": 1}
    finally:
        plt.close(fig)


def test_plot_without_problems(tmp_path):
    import matplotlib.pyplot as plt

    report = validate_file(incidents_file(tmp_path, *GOOD_ROWS))
    ax = report.plot()
    try:
        assert "0 problem" in ax.get_title()
    finally:
        plt.close(ax.figure)


def test_file_whose_rows_are_all_malformed(tmp_path):
    report = validate_file(incidents_file(tmp_path, "a,2024-11-04,drone", "b,2024-11-05"))
    assert [p.row for p in report.problems] == [2, 3]
    assert report.valid.empty and report.rejects["row"].tolist() == [2, 3]
    assert_accounted(report)


def test_input_columns_named_row_or_reason_are_kept_in_rejects(tmp_path):
    header = HEADER + ",reason"
    rows = [GOOD_ROWS[0] + ",checked", "b,bad,drone,1,launch,https://example.org/b,unsure"]
    report = validate_file(incidents_file(tmp_path, *rows, header=header))
    rejects = report.rejects
    assert rejects.loc[0, "reason_input"] == "unsure"
    assert "start:" in rejects.loc[0, "reason"]
    assert report.valid["reason"].tolist() == ["checked"]


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("analysis.curation.validate")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0


def test_quantity_too_large_for_int64_is_a_problem_not_a_crash(tmp_path):
    rows = [GOOD_ROWS[0], "b,2024-11-05,drone,99999999999999999999,launch,https://example.org/b"]
    report = validate_file(incidents_file(tmp_path, *rows))
    problem = single(report)
    assert (problem.row, problem.column) == (3, "quantity")
    assert "too large" in problem.message
    assert report.valid.index.tolist() == [2] and report.valid["quantity"].dtype == "int64"
    assert_accounted(report)


def test_unparseable_period_end_is_one_problem_not_also_an_order_problem(tmp_path):
    rows = [FIG_ROWS[0], "f2,2024-07-01,2024-13-01,13,exact,claim,https://example.org/g"]
    path = write(tmp_path, "\n".join([FIG_HEADER, *rows]) + "\n", name="figures.csv")
    problem = single(validate_file(path))
    assert (problem.row, problem.column, problem.value) == (3, "period_end", "2024-13-01")


def test_rows_that_are_not_utf8_are_rejected_and_other_problems_still_found(tmp_path):
    rows = [
        GOOD_ROWS[0],
        "b,2024-11-05,dr\u00f4ne,2,launch,https://example.org/b",
        "c,2024-13-05,drone,2,launch,https://example.org/c",
    ]
    report = validate_file(write(tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode("latin-1")))
    assert [(p.row, p.column) for p in report.problems] == [(3, "weapon"), (4, "start")]
    assert report.valid.index.tolist() == [2] and report.rejects["row"].tolist() == [3, 4]
    assert_accounted(report)


# --------------------------------------------------------------------------- chunked validation


def _simulated_incident_lines(rng, n: int, *, malformed: bool, offsets: str) -> list[str]:
    """SIMULATED incident rows with errors of every row-level kind spread over the file."""
    weapons = ["drone", "UAV", "rocket", "missile", "catapult"]
    lines = []
    for i in range(n):
        day = pd.Timestamp("2023-10-07") + pd.Timedelta(seconds=int(rng.integers(0, 400 * 86400)))
        start = day.strftime("%Y-%m-%dT%H:%M:%S")
        if offsets == "all" or (offsets == "some" and i < n // 3 and rng.random() < 0.3):
            start += "+02:00" if rng.random() < 0.5 else "Z"
        row = [
            f"sim-{i}",
            start,
            weapons[int(rng.integers(0, 5))],  # catapult: unknown weapon
            str(int(rng.integers(-1, 9))),  # -1: negative
            "launch",
            f"https://example.org/sim/{i}",
            f'"note {i}, with a comma"' if rng.random() < 0.1 else "",
        ]
        u = rng.random()
        if u < 0.02:
            row[1] = "2024-13-01"  # not a date
        elif u < 0.04:
            row[1] = "0001-01-01"  # implausible year
        elif u < 0.06:
            row[5] = "not an address"
        elif u < 0.07:
            row[3] = " 3 "  # blank space around a number
        elif u < 0.08:
            row[6] = '"a note over\ntwo lines"'  # a quoted line break
        elif u < 0.09:
            row[2] = ""  # empty required cell
        elif u < 0.11:
            row[0] = f"sim-{int(rng.integers(0, n))}"  # an id used before or after
        lines.append(",".join(row))
        if rng.random() < 0.01:
            lines.append("")  # a blank line
        if malformed and rng.random() < 0.01:
            lines.append("x,2024-11-04,drone")  # too few fields
    return lines


@pytest.mark.parametrize(
    ("malformed", "offsets", "chunked"),
    [(False, "all", True), (False, "none", True), (True, "all", True), (False, "some", True)],
)
def test_chunked_validation_gives_the_whole_file_report(
    tmp_path, monkeypatch, malformed, offsets, chunked
):
    # a SIMULATED file of 600 rows read in chunks of 40 lines: errors, duplicate ids,
    # quoted line breaks and blank lines fall on both sides of chunk borders
    import numpy as np

    import analysis.curation.validate as validate_module
    import analysis.io.csv as io_csv

    rng = np.random.default_rng(20261201)
    lines = _simulated_incident_lines(rng, 600, malformed=malformed, offsets=offsets)
    path = write(tmp_path, "\n".join([HEADER + ",notes", *lines]) + "\n")
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 10**9)  # too few lines for chunks: whole file
    whole = validate_file(path)
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 40)
    calls = []
    read_whole = validate_module.read_csv_text
    monkeypatch.setattr(
        validate_module, "read_csv_text", lambda *a, **k: calls.append(1) or read_whole(*a, **k)
    )
    chunks = validate_file(path)
    if chunked is not None:
        assert (not calls) is chunked  # the chunks were validated, not the whole file
    assert len(whole.problems) > 60
    assert {p.column for p in whole.problems} >= {"incident_id", "start", "weapon", "quantity"}
    assert chunks.problems == whole.problems
    assert chunks.summary() == whole.summary()
    assert chunks.n_rows == whole.n_rows and chunks.kind == whole.kind
    pd.testing.assert_frame_equal(chunks.valid, whole.valid)
    pd.testing.assert_frame_equal(chunks.rejects, whole.rejects)
    pd.testing.assert_frame_equal(chunks.to_frame(), whole.to_frame())


def test_duplicate_ids_in_different_chunks_name_each_other(tmp_path, monkeypatch):
    import analysis.io.csv as io_csv

    rows = [f"r{i},2024-11-04,drone,1,launch,https://example.org/{i}" for i in range(200)]
    rows[150] = rows[150].replace("r150,", "r3,")
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 30)
    report = validate_file(incidents_file(tmp_path, *rows))
    assert [(p.row, p.message) for p in report.problems] == [
        (5, "duplicate incident_id: the same id is used again on row(s) 152"),
        (152, "duplicate incident_id: the same id is first used on row 5"),
    ]
    assert report.rejects["row"].tolist() == [5, 152]
    assert len(report.valid) == 198 and report.valid.index.is_monotonic_increasing


def _mixed_lines(rng, n: int) -> list[str]:
    """SIMULATED incident rows, every value error spread over the file; quoted cells, blank
    cells, blank lines, malformed rows, blank space and a non-ASCII weapon only in some
    stretches, so that some chunks are plain (read by pyarrow) and others not."""
    weapons = ["drone", "UAV", "rocket", "missile", "catapult"]
    lines = []
    for i in range(n):
        day = pd.Timestamp("2023-10-07") + pd.Timedelta(seconds=int(rng.integers(0, 400 * 86400)))
        row = [
            f"sim-{i}",
            day.strftime("%Y-%m-%dT%H:%M:%S") + ("+02:00" if rng.random() < 0.2 else ""),
            weapons[int(rng.integers(0, 5))],
            str(int(rng.integers(-1, 9))),
            "launch",
            f"https://example.org/{'שדרות/' if i % 7 == 0 else ''}sim/{i}",  # inner non-ASCII
        ]
        u = rng.random()
        if u < 0.02:
            row[1] = "2024-13-01"
        elif u < 0.04:
            row[1] = "0001-01-01"
        elif u < 0.06:
            row[5] = "not an address"
        elif u < 0.08:
            row[0] = f"sim-{int(rng.integers(0, n))}"  # an id used before or after
        elif u < 0.09:
            row[3] = "2.5"
        rough = (i // 100) % 3 == 1  # a stretch of 100 rows with the reader's harder cases
        if rough and rng.random() < 0.1:
            k = int(rng.integers(0, 8))
            if k == 7:
                row[2] = "רחפן"  # non-ASCII at the edge of a cell: maybe blank space
            elif k == 0:
                row[5] = '"https://example.org/q,1"'
            elif k == 1:
                row[2] = ""
            elif k == 2:
                row[3] = " 3 "
            elif k == 3:
                row[5] = '"a line\nbreak"'
            elif k == 4:
                row = row[:3]
            elif k == 5:
                row.append("extra")
            else:
                lines.append("")
        lines.append(",".join(row))
    return lines


def test_plain_chunks_are_read_as_the_reader_reads_them(tmp_path, monkeypatch):
    import numpy as np

    import analysis.curation.validate as validate_module
    import analysis.io.csv as io_csv

    rng = np.random.default_rng(20261202)
    data = ("\n".join([HEADER, *_mixed_lines(rng, 1500)]) + "\n").encode("utf-8")
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 50)
    plain = []
    read_plain = validate_module._plain_frame
    monkeypatch.setattr(
        validate_module,
        "_plain_frame",
        lambda *a: (lambda f: plain.append(f is not None) or f)(read_plain(*a)),
    )
    fast = list(validate_module._chunks(data, file="t.csv", expected=["incident_id"]))
    slow = list(io_csv.csv_chunks(data, file="t.csv", expected=["incident_id"]))
    if validate_module._text_dtype() is not None:
        assert plain[0] and sum(plain) >= 5 and not all(plain)  # both kinds of chunk occur
        assert len(fast) == len(slow) == len(plain)  # the first chunk too
    for a, b in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(a.frame, b.frame)
        pd.testing.assert_frame_equal(a.malformed, b.malformed)
        assert (a.columns, a.problems, a.fatal, a.header_row, a.file) == (
            b.columns,
            b.problems,
            b.fatal,
            b.header_row,
            b.file,
        )


@pytest.mark.parametrize("lead", ["", "\n\n", "\ufeff"])
def test_plain_and_other_chunks_give_the_whole_file_report(tmp_path, monkeypatch, lead):
    import numpy as np

    import analysis.io.csv as io_csv

    rng = np.random.default_rng(20261203)
    path = write(tmp_path, lead + "\n".join([HEADER, *_mixed_lines(rng, 1500)]) + "\n")
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 10**9)
    whole = validate_file(path)
    monkeypatch.setattr(io_csv, "CHUNK_LINES", 50)
    chunks = validate_file(path)
    assert len(whole.problems) > 150 and len(whole.rejects) > 100
    assert {p.column for p in whole.problems} >= {"incident_id", "start", "weapon", "quantity"}
    assert chunks.problems == whole.problems
    assert chunks.n_rows == whole.n_rows and chunks.summary() == whole.summary()
    pd.testing.assert_frame_equal(chunks.valid, whole.valid)
    pd.testing.assert_frame_equal(chunks.rejects, whole.rejects)


def test_plain_lines_agrees_with_the_reader_on_random_text():
    # _plain_lines is _needs_cleaning (io.csv) plus a field count, from the positions of the
    # boundaries: compared on 20,000 random texts over the bytes that matter
    import numpy as np

    import analysis.io.csv as io_csv
    from analysis.curation.validate import _plain_lines

    rng = np.random.default_rng(7)
    alphabet = [b"a", b"b", b",", b"\n", b" ", b"\t", b"\xc3\xa9", b"\x1f", b"7"]
    weights = np.array([6, 6, 3, 2, 1, 0.3, 0.5, 0.2, 2])
    plain = 0
    for _ in range(20_000):
        size = int(rng.integers(1, 30))
        body = b"".join(alphabet[k] for k in rng.choice(9, size, p=weights / weights.sum()))
        width = int(rng.integers(1, 4))
        lines = body.split(b"\n")
        expected = not io_csv._needs_cleaning(body) and all(
            len(line.split(b",")) == width for line in lines
        )
        got = _plain_lines(body, width)
        assert (got is not None) == expected, (body, width)
        if got is not None:
            plain += 1
            assert got == len(lines)
    assert plain > 500  # both answers are well represented
