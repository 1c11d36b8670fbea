"""Tests of analysis.io.acled: ACLED CSV exports -> canonical incident table.

Every file here is written by the tests themselves (tmp_path) with invented
SIMULATED values ("Test actor A", country "Testland"): ACLED rows may not be
redistributed, and none is copied.
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.validate import validate_incidents
from analysis.errors import DataError, DataNotFoundError, RejectedRowsWarning
from analysis.io._events import CANONICAL_COLUMNS
from analysis.io.acled import ACLED_COLUMNS, load_acled


def acled_row(i: int, **values: str) -> dict[str, str]:
    """One SIMULATED export row (every value invented)."""
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        event_id_cnty=f"TST{i}",
        event_date="2024-11-04",
        year="2024",
        time_precision="1",
        disorder_type="Political violence",
        event_type="Explosions/Remote violence",
        sub_event_type="Air/drone strike",
        actor1="Test actor A",
        inter1="8",
        actor2="Test actor B",
        inter2="1",
        interaction="18",
        iso="999",
        region="Test region",
        country="Testland",
        admin1="Test province",
        location="Test town",
        latitude="31.5",
        longitude="34.5",
        geo_precision="1",
        source="Test newspaper",
        source_scale="National",
        notes=f"SIMULATED event {i}: a drone struck a test site.",
        fatalities="0",
        tags="",
        timestamp="1730000000",
    )
    row.update(values)
    return row


def write_acled(
    path: Path, rows: list[dict[str, str]], *, columns: tuple[str, ...] = ACLED_COLUMNS
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_acled(
        tmp_path / "acled.csv",
        [
            acled_row(1),
            acled_row(2, event_date="04 November 2024", fatalities="3"),
            acled_row(3, event_date="15 October 2024", time_precision="3"),
            acled_row(4, event_date="2024-10-30", time_precision="2", actor1="Test actor C"),
        ],
    )


# --------------------------------------------------------------------------- the table


def test_canonical_columns_and_source_columns_kept(good):
    table = load_acled(good)
    assert set(CANONICAL_COLUMNS) <= set(table.columns)
    kept = set(ACLED_COLUMNS) - {"time_precision", "notes"}  # both become canonical columns
    assert kept <= set(table.columns)
    assert table["acled_time_precision"].tolist() == [1, 1, 3, 2]
    assert table["row"].tolist() == [2, 3, 4, 5]
    assert table["incident_id"].tolist() == [f"acled-TST{i}" for i in range(1, 5)]
    assert table["fatalities"].tolist() == [0, 3, 0, 0]
    assert str(table["fatalities"].dtype) == "int64"
    assert set(table["unit"]) == {"incident"} and set(table["weapon"]) == {"unknown"}
    assert table["quantity"].tolist() == [1, 1, 1, 1]
    assert table["source_ref"].iloc[0] == "event_id_cnty TST1, timestamp 1730000000"
    assert table["source_url"].isna().all()  # never an invented address
    assert table["notes"].iloc[0].startswith("SIMULATED event 1")
    assert table["target"].isna().all()  # ACLED's actor2 is not a target


def test_iso_and_named_dates_are_the_same_day(good):
    table = load_acled(good)
    assert table["start"].iloc[0] == table["start"].iloc[1] == pd.Timestamp("2024-11-04")


def test_precision_is_carried_and_the_date_never_moved(good):
    table = load_acled(good)
    assert table["time_precision"].tolist() == ["day", "day", "month", "week"]
    # a month-precision event keeps the date ACLED gives, not the first of the month
    assert table["start"].iloc[2] == pd.Timestamp("2024-10-15")
    assert table["start"].iloc[3] == pd.Timestamp("2024-10-30")


def test_the_table_passes_the_canonical_schema(good):
    table = load_acled(good)
    report = validate_incidents(table.drop(columns=["row"]))
    assert report.problems == []


def test_public_api(good):
    assert it.load_acled is load_acled
    assert len(it.load_acled(good)) == 4


# --------------------------------------------------------------------------- versions


@pytest.mark.parametrize("newest_first", [True, False])
def test_the_newest_version_of_an_event_is_kept(tmp_path, newest_first):
    old = acled_row(7, fatalities="1", timestamp="1730000000")
    new = acled_row(7, fatalities="4", timestamp="1730500000")
    rows = [new, acled_row(8), old] if newest_first else [old, acled_row(8), new]
    table, rejects = load_acled(write_acled(tmp_path / "a.csv", rows), return_rejects=True)
    assert table.loc[table["event_id_cnty"] == "TST7", "fatalities"].tolist() == [4]
    assert len(rejects) == 1
    assert "superseded by a newer version" in rejects["reason"].iloc[0]
    assert rejects["row"].iloc[0] == (4 if newest_first else 2)
    assert rejects["column"].iloc[0] == "event_id_cnty"


def test_two_versions_with_one_timestamp_are_a_duplicate_id(tmp_path):
    rows = [acled_row(7), acled_row(7)]
    table, rejects = load_acled(write_acled(tmp_path / "a.csv", rows), return_rejects=True)
    assert table["row"].tolist() == [2]
    assert "duplicate id 'TST7' (first at row 2)" in rejects["reason"].iloc[0]


def test_without_timestamp_a_repeated_id_is_a_duplicate(tmp_path):
    columns = tuple(c for c in ACLED_COLUMNS if c != "timestamp")
    rows = [acled_row(7), acled_row(7)]
    path = write_acled(tmp_path / "a.csv", rows, columns=columns)
    table, rejects = load_acled(path, return_rejects=True)
    assert len(table) == 1 and "duplicate id" in rejects["reason"].iloc[0]
    assert table["source_ref"].iloc[0] == "event_id_cnty TST7"


# --------------------------------------------------------------------------- malformed rows


def malformed_file(tmp_path: Path) -> tuple[Path, int]:
    rows = [
        acled_row(1),
        acled_row(2, event_date="31 Nowember 2024"),  # unparseable
        acled_row(3, event_date="04/11/2024"),  # ambiguous
        acled_row(4, fatalities="-2"),  # negative
        acled_row(5, fatalities="1.5"),  # not whole
        acled_row(6, time_precision="4"),
        acled_row(7, year="2023"),
        acled_row(1),  # duplicate id, same timestamp
        acled_row(9, event_date=""),
        acled_row(10, actor1=""),
        acled_row(11, latitude="north"),
        acled_row(12, event_date="0001-01-01"),
        acled_row(13, timestamp="yesterday"),
    ]
    path = write_acled(tmp_path / "bad.csv", rows)
    text = path.read_text(encoding="utf-8")
    text += "TST14,2024-11-04,2024\n"  # too few fields (a line cut short)
    path.write_text(text, encoding="utf-8")
    return path, len(rows) + 1


def test_loaded_plus_rejected_equals_read(tmp_path):
    path, n = malformed_file(tmp_path)
    table, rejects = load_acled(path, return_rejects=True)
    assert len(table) + len(rejects) == n
    assert sorted([*table["row"], *rejects["row"]]) == list(range(2, n + 2))
    assert table["event_id_cnty"].tolist() == ["TST1"]


def test_every_reject_names_file_row_column_and_reason(tmp_path):
    path, _ = malformed_file(tmp_path)
    _, rejects = load_acled(path, return_rejects=True)
    assert (rejects["file"] == str(path)).all()
    assert rejects["reason"].str.len().gt(0).all()
    by_row = dict(
        zip(rejects["row"], zip(rejects["column"], rejects["reason"], strict=True), strict=True)
    )
    assert by_row[3][0] == "event_date" and "not a date" in by_row[3][1]
    assert by_row[4][0] == "event_date" and "ambiguous date" in by_row[4][1]
    assert "dayfirst" in by_row[4][1]
    assert by_row[5] == ("fatalities", "fatalities: negative count (-2)")
    assert by_row[6] == ("fatalities", "fatalities: not a whole number (1.5)")
    assert by_row[7][0] == "time_precision" and "not 1, 2 or 3" in by_row[7][1]
    assert by_row[8][0] == "year" and "not the year of event_date" in by_row[8][1]
    assert by_row[9][0] == "event_id_cnty" and "duplicate id" in by_row[9][1]
    assert by_row[10] == ("event_date", "event_date: empty date")
    assert by_row[11] == ("actor1", "actor1: empty actor1")
    assert by_row[12][0] == "latitude" and "not a number" in by_row[12][1]
    assert by_row[13][0] == "event_date" and "year 0001" in by_row[13][1]
    assert by_row[14][0] == "timestamp" and "not a number" in by_row[14][1]
    assert "expected 31 fields" in by_row[15][1] and by_row[15][0] == "time_precision"
    assert rejects.loc[rejects["row"] == 15, "raw"].iloc[0] == "TST14,2024-11-04,2024"


def test_ambiguous_dates_are_read_with_dayfirst_or_when_the_file_settles_it(tmp_path):
    rows = [acled_row(1, event_date="04/11/2024"), acled_row(2, event_date="05/11/2024")]
    path = write_acled(tmp_path / "a.csv", rows)
    table, rejects = load_acled(path, return_rejects=True)
    assert len(table) == 0 and len(rejects) == 2
    assert load_acled(path, dayfirst=True)["start"].dt.month.tolist() == [11, 11]
    assert load_acled(path, dayfirst=False)["start"].dt.month.tolist() == [4, 5]
    settled = write_acled(tmp_path / "b.csv", [*rows, acled_row(3, event_date="13/11/2024")])
    assert load_acled(settled)["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-11-04",
        "2024-11-05",
        "2024-11-13",
    ]


def test_rejects_warn_without_return_rejects(tmp_path):
    path, n = malformed_file(tmp_path)
    with pytest.warns(RejectedRowsWarning, match=f"{n - 1} of {n} rows"):
        table = load_acled(path)
    assert len(table) == 1


def test_no_usable_row_raises(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1, fatalities="-1")])
    with pytest.raises(DataError, match="no usable row") as info:
        load_acled(path)
    assert info.value.problems[0].row == 2 and info.value.problems[0].column == "fatalities"
    table, rejects = load_acled(path, return_rejects=True)
    assert len(table) == 0 and len(rejects) == 1


# --------------------------------------------------------------------------- malformed files


def test_a_file_cut_inside_a_quoted_field_keeps_its_rows(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1), acled_row(2)])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'TST3,2024-11-04,2024,1,"Political vio', encoding="utf-8")
    table, rejects = load_acled(path, return_rejects=True)
    assert table["row"].tolist() == [2, 3]
    assert rejects["row"].tolist() == [4]
    assert "ends inside a quoted field" in rejects["reason"].iloc[0]
    assert "truncated" in rejects["reason"].iloc[0]
    assert rejects["raw"].iloc[0] == 'TST3,2024-11-04,2024,1,"Political vio'


def test_a_file_cut_inside_a_multiline_quoted_field(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1, notes="line one\nline two"), acled_row(2)])
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'TST3,2024-11-04,2024,1,"Political\nviolence, cut', encoding="utf-8")
    table, rejects = load_acled(path, return_rejects=True)
    assert table["row"].tolist() == [2, 4]  # the first record spans lines 2-3
    assert table["notes"].iloc[0] == "line one\nline two"
    assert rejects["row"].tolist() == [5] and len(table) + len(rejects) == 3


def test_a_stray_quote_in_the_middle_is_a_clear_error(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1), acled_row(2)])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("Test town", '"Test" town')  # text after a closing quote
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="quote") as info:
        load_acled(path)
    assert info.value.problems[0].row == 2


def test_wrong_delimiter_is_a_clear_error(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1)])
    path.write_text(path.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    with pytest.raises(DataError, match="semicolon"):
        load_acled(path)


def test_wrong_encoding_rejects_the_row_or_reads_with_encoding(tmp_path):
    path = tmp_path / "a.csv"
    write_acled(path, [acled_row(1, location="Tëst town"), acled_row(2)])
    path.write_bytes(path.read_text(encoding="utf-8").encode("latin-1"))
    table, rejects = load_acled(path, return_rejects=True)
    assert table["row"].tolist() == [3]
    assert rejects["row"].tolist() == [2] and "not UTF-8" in rejects["reason"].iloc[0]
    assert rejects["column"].iloc[0] == "location"
    table = load_acled(path, encoding="latin-1")
    assert table["location"].iloc[0] == "Tëst town"
    with pytest.raises(ValueError, match="encoding="):
        load_acled(path, encoding="no-such-codec")


def test_missing_required_column_is_a_clear_error(tmp_path):
    columns = tuple(c for c in ACLED_COLUMNS if c != "fatalities")
    path = write_acled(tmp_path / "a.csv", [acled_row(1)], columns=columns)
    with pytest.raises(DataError) as info:
        load_acled(path)
    assert [p.column for p in info.value.problems] == ["fatalities"]


@pytest.mark.parametrize("content", [b"", b"  \n", ",".join(ACLED_COLUMNS).encode() + b"\n"])
def test_empty_files_are_clear_errors(tmp_path, content):
    path = tmp_path / "a.csv"
    path.write_bytes(content)
    with pytest.raises(DataError):
        load_acled(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_acled(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="directory"):
        load_acled(tmp_path)


def test_no_traceback_on_garbage(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(DataError):
            load_acled(path)


def test_the_committed_synthetic_fixture():
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "acled" / "acled_simulated.csv"
    table, rejects = load_acled(fixture, return_rejects=True)
    assert len(table) == 5 and len(rejects) == 3  # as its README says
    assert table["notes"].str.startswith("SIMULATED").all()
    assert sorted(rejects["column"]) == ["event_date", "event_id_cnty", "fatalities"]
    assert table.loc[table["event_id_cnty"] == "TST1", "fatalities"].tolist() == [1]


def test_utf16_is_a_clear_error(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1)])
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16"):
        load_acled(path)
    assert len(load_acled(path, encoding="utf-16")) == 1


def test_an_empty_precision_code_is_named_empty(tmp_path):
    path = write_acled(tmp_path / "a.csv", [acled_row(1), acled_row(2, time_precision="")])
    _, rejects = load_acled(path, return_rejects=True)
    assert rejects["reason"].tolist() == ["time_precision: not 1, 2 or 3 (empty)"]


def test_actor_type_codes_stay_as_written(tmp_path):
    rows = [acled_row(1), acled_row(2, inter1="State forces", interaction="State forces-Civilians")]
    table = load_acled(write_acled(tmp_path / "a.csv", rows))
    assert table["inter1"].tolist() == ["8", "State forces"]
    assert table["interaction"].tolist() == ["18", "State forces-Civilians"]


def test_randomly_damaged_files_never_give_a_traceback(tmp_path):
    """Fixed-seed damage (cut, junk cells, stray bytes, lost commas): rejects or DataError."""
    import numpy as np

    rng = np.random.default_rng(20241104)
    clean = write_acled(tmp_path / "clean.csv", [acled_row(i) for i in range(12)]).read_bytes()
    junk = [b"-1", b"2.5", b"04/11/2024", b'"', b"\xe9", b"", b"31 Feb 2024", b"x" * 5, b"\x00"]
    outcomes = {"error": 0, "loaded": 0}
    for trial in range(25):
        data = bytearray(clean)
        for _ in range(int(rng.integers(1, 4))):
            kind = int(rng.integers(4))
            at = int(rng.integers(len(data)))
            if kind == 0:
                del data[at:]  # a truncated file
            elif kind == 1:
                data[at:at] = junk[int(rng.integers(len(junk)))]
            elif kind == 2:
                commas = [i for i, b in enumerate(data) if b == ord(",")]
                if commas:
                    del data[commas[int(rng.integers(len(commas)))]]
            else:
                data[at:at] = bytes(rng.integers(0, 256, size=3, dtype=np.uint8))
        path = tmp_path / f"damaged{trial}.csv"
        path.write_bytes(bytes(data))
        try:
            table, rejects = load_acled(path, return_rejects=True)
        except DataError as exc:
            assert str(exc)  # a message, never a bare traceback
            outcomes["error"] += 1
            continue
        outcomes["loaded"] += 1
        rows = [*table["row"], *rejects["row"]]
        assert len(rows) == len(set(rows))  # each record once, in the table or the rejects
        if b'"' not in data and b"\r" not in data:  # one record per line: count them
            lines = [line for line in bytes(data).split(b"\n")[1:] if line.strip()]
            assert len(table) + len(rejects) == len(lines)
        assert rejects["reason"].str.len().gt(0).all()
    assert outcomes["loaded"] >= 10, outcomes  # the damage mostly leaves rows to account for


def test_a_broken_newest_version_leaves_the_newest_usable_one(tmp_path):
    rows = [
        acled_row(7, fatalities="1", timestamp="1730000000"),
        acled_row(7, fatalities="-5", timestamp="1730500000"),
    ]
    table, rejects = load_acled(write_acled(tmp_path / "a.csv", rows), return_rejects=True)
    assert table["fatalities"].tolist() == [1]
    assert rejects["reason"].tolist() == ["fatalities: negative count (-5)"]


@pytest.mark.parametrize("magic", [b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"PAR1"])
def test_a_workbook_or_parquet_file_is_a_clear_error(tmp_path, magic):
    path = tmp_path / "export.csv"
    path.write_bytes(magic + b"\x00\x01 binary")
    with pytest.raises(DataError, match="not a CSV file"):
        load_acled(path)
