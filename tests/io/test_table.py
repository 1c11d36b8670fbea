"""Tests of analysis.io.table: any table (CSV, Excel, Parquet) with a mapping.

Every file is written by the tests (tmp_path) with invented SIMULATED values.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.validate import validate_incidents
from analysis.curation.vocabulary import load_vocabulary
from analysis.errors import DataError, DataNotFoundError
from analysis.io._events import CANONICAL_COLUMNS, fold, vocabulary_terms
from analysis.io.table import load_table, read_mapping

HEADER = "Ref,Date,Group,Type,Number,What,Link"
ROWS = [
    "R1,13/11/2024,Test actor A,Shahed,3,attacks claimed,https://example.org/sim/1",
    "R2,04/11/2024,Test actor A,UAV,1,attacks claimed,https://example.org/sim/2",
    "R3,05/11/2024,Test actor B,Katyusha,2,claims,https://example.org/sim/3",
]
MAPPING = """
[columns]
incident_id = "Ref"
start = "Date"
actor = "Group"
weapon = "Type"
quantity = "Number"
unit = "What"
source_url = "Link"

[weapon]
"Shahed" = "drone"
"Katyusha" = "rocket"

[unit]
"attacks claimed" = "claim"

[dates]
dayfirst = true
"""
KWARGS = {
    "columns": {
        "incident_id": "Ref",
        "start": "Date",
        "actor": "Group",
        "weapon": "Type",
        "quantity": "Number",
        "unit": "What",
        "source_url": "Link",
    },
    "weapons": {"Shahed": "drone", "Katyusha": "rocket"},
    "units": {"attacks claimed": "claim"},
    "dayfirst": True,
}


def write(path: Path, *rows: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def csv_file(tmp_path: Path) -> Path:
    return write(tmp_path / "sheet.csv", *ROWS)


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def test_mapping_file_and_keywords_give_the_same_table(csv_file, mapping_file):
    from_file = load_table(csv_file, mapping_file)
    from_kwargs = load_table(csv_file, **KWARGS)  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(from_file, from_kwargs)
    assert set(CANONICAL_COLUMNS) <= set(from_file.columns)
    assert set(HEADER.split(",")) <= set(from_file.columns)  # the user's columns are kept
    assert from_file["weapon"].tolist() == ["drone", "drone", "rocket"]
    assert from_file["unit"].tolist() == ["claim"] * 3
    assert from_file["start"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-11-13",
        "2024-11-04",
        "2024-11-05",
    ]
    assert from_file["quantity"].tolist() == [3, 1, 2]
    assert from_file["incident_id"].tolist() == ["R1", "R2", "R3"]
    assert from_file["time_precision"].tolist() == ["day"] * 3
    assert validate_incidents(from_file.drop(columns=["row"])).ok


def test_keywords_win_over_the_mapping(csv_file, mapping_file):
    table = load_table(csv_file, mapping_file, values={"unit": "launch"})
    assert table["unit"].tolist() == ["launch"] * 3


def test_a_canonical_file_needs_no_mapping(tmp_path):
    path = write(
        tmp_path / "c.csv",
        "i1,2024-11-04T21:30,drone,2,launch,https://example.org/sim/1",
        "i2,2024-11-05,rocket,1,launch,https://example.org/sim/2",
        header="incident_id,start,weapon,quantity,unit,source_url",
    )
    table = load_table(path)
    assert table["incident_id"].tolist() == ["i1", "i2"]
    assert table["time_precision"].tolist() == ["minute", "day"]
    assert table["start"].iloc[0] == pd.Timestamp("2024-11-04 21:30")


def test_defaults_without_ids_weapons_or_sources(tmp_path):
    path = write(tmp_path / "mine.csv", "2024-11-04,x", "2024-11-05,y", header="Date,Other")
    table = load_table(path, columns={"start": "Date"}, values={"unit": "incident"})
    assert table["incident_id"].tolist() == ["mine-2", "mine-3"]
    assert table["weapon"].tolist() == ["unknown", "unknown"]
    assert table["quantity"].tolist() == [1, 1]
    assert table["source_name"].tolist() == [str(path)] * 2
    assert table["source_ref"].tolist() == ["row 2", "row 3"]
    assert validate_incidents(table.drop(columns=["row"])).ok


def test_vocabulary_reading_equals_the_curation_one():
    for name in ("weapon", "unit"):
        vocabulary = load_vocabulary(name)
        assert vocabulary_terms(name) == vocabulary.lookup
        assert fold(" One-way_attack  DRONE ") == "one way attack drone"


def malformed(tmp_path: Path) -> tuple[Path, int]:
    rows = [
        *ROWS,
        "R4,31/02/2024,Test actor A,UAV,1,claims,https://example.org/sim/4",  # no such day
        "R5,soon,Test actor A,UAV,1,claims,https://example.org/sim/5",
        "R6,06/11/2024,Test actor A,UAV,-1,claims,https://example.org/sim/6",
        "R7,07/11/2024,Test actor A,UAV,1.5,claims,https://example.org/sim/7",
        "R8,08/11/2024,Test actor A,balloon,1,claims,https://example.org/sim/8",
        "R9,09/11/2024,Test actor A,UAV,1,attacks,https://example.org/sim/9",
        "R1,10/11/2024,Test actor A,UAV,1,claims,https://example.org/sim/10",  # duplicate id
        ",11/11/2024,Test actor A,UAV,1,claims,https://example.org/sim/11",  # empty id
        "R12,12/11/2024,Test actor A,UAV,1,claims,example dot org",
        "R13,12/11/2024,Test actor A",  # a line cut short
    ]
    return write(tmp_path / "bad.csv", *rows), len(rows)


def test_loaded_plus_rejected_equals_read(tmp_path, mapping_file):
    path, n = malformed(tmp_path)
    table, rejects = load_table(path, mapping_file, return_rejects=True)
    assert len(table) + len(rejects) == n
    assert sorted([*table["row"], *rejects["row"]]) == list(range(2, n + 2))
    assert table["incident_id"].tolist() == ["R1", "R2", "R3"]


def test_every_reject_names_the_users_column(tmp_path, mapping_file):
    path, _ = malformed(tmp_path)
    _, rejects = load_table(path, mapping_file, return_rejects=True)
    assert (rejects["file"] == str(path)).all()
    got = dict(
        zip(rejects["row"], zip(rejects["column"], rejects["reason"], strict=True), strict=True)
    )
    assert got[5][0] == "Date" and "not a date read day-first" in got[5][1]
    assert got[6][0] == "Date" and "not a date" in got[6][1]
    assert got[7] == ("Number", "Number: negative count (-1)")
    assert got[8] == ("Number", "Number: not a whole number (1.5)")
    assert got[9][0] == "Type" and "unknown weapon 'balloon'" in got[9][1]
    assert "[weapon]" in got[9][1]
    assert got[10][0] == "What" and "unknown unit 'attacks'" in got[10][1]
    assert got[11][0] == "Ref" and "duplicate id 'R1' (first at row 2)" in got[11][1]
    assert got[12] == ("Ref", "Ref: empty incident_id")
    assert got[13][0] == "Link" and "not a web address" in got[13][1]
    assert "expected 7 fields" in got[14][1]


def test_ambiguous_dates_without_a_rule_are_rejected(tmp_path):
    path = write(tmp_path / "a.csv", "04/11/2024,x", "05/11/2024,y", header="Date,Other")
    table, rejects = load_table(
        path, columns={"start": "Date"}, values={"unit": "claim"}, return_rejects=True
    )
    assert len(table) == 0
    assert rejects["reason"].str.contains("ambiguous date").all()
    by_format = load_table(
        path, columns={"start": "Date"}, values={"unit": "claim"}, date_format="%m/%d/%Y"
    )
    assert by_format["start"].dt.month.tolist() == [4, 5]


def test_time_precision_from_a_column(tmp_path):
    path = write(
        tmp_path / "a.csv",
        "2024-11-04,day",
        "2024-10-15,Month",
        "2024-10-28,week",
        "2024-10-29,fortnight",
        header="Date,Precision",
    )
    table, rejects = load_table(
        path,
        columns={"start": "Date", "time_precision": "Precision"},
        values={"unit": "incident"},
        return_rejects=True,
    )
    assert table["time_precision"].tolist() == ["day", "month", "week"]
    assert table["start"].iloc[1] == pd.Timestamp("2024-10-15")  # never moved to the 1st
    assert rejects["column"].tolist() == ["Precision"]


# --------------------------------------------------------------------------- bad mappings


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"colums": {"start": "Date"}}, "unknown section"),
        ({"columns": {"when": "Date"}}, "unknown key 'when'"),
        ({"columns": {"unit": "What"}, "values": {"unit": "claim"}}, "both as a column"),
        ({"dates": {"dayfirst": "yes"}}, "dayfirst must be true or false"),
        ({"dates": {"dayfirst": True, "format": "%d"}}, "not both"),
        ({"values": {"quantity": -1}}, "quantity must be a whole number"),
        ({"columns": {"start": ""}}, "non-empty text"),
        ({"columns": ["start"]}, "table of key = value"),
    ],
)
def test_bad_mappings_are_clear_errors(mapping, message):
    with pytest.raises(ValueError, match=message):
        read_mapping(mapping)


def test_bad_toml_and_missing_mapping_file(tmp_path, csv_file):
    bad = tmp_path / "bad.toml"
    bad.write_text("[columns\nstart = 'Date'", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid TOML"):
        load_table(csv_file, bad)
    with pytest.raises(ValueError, match="no such file"):
        load_table(csv_file, tmp_path / "none.toml")
    with pytest.raises(TypeError, match="mapping must be"):
        load_table(csv_file, 3)  # type: ignore[call-overload]


def test_missing_start_unit_and_bad_values(csv_file):
    with pytest.raises(ValueError, match="no start"):
        load_table(csv_file, values={"unit": "claim"})
    with pytest.raises(ValueError, match="no unit"):
        load_table(csv_file, columns={"start": "Date"})
    with pytest.raises(ValueError, match="'attack' is not a unit term"):
        load_table(csv_file, columns={"start": "Date"}, values={"unit": "attack"})
    with pytest.raises(ValueError, match="'balloon' is not a weapon term"):
        load_table(
            csv_file,
            columns={"start": "Date"},
            values={"unit": "claim"},
            weapons={"Shahed": "balloon"},
        )
    with pytest.raises(ValueError, match="date_format"):
        load_table(csv_file, columns={"start": "Date"}, values={"unit": "claim"}, date_format="dd")
    with pytest.raises(TypeError, match="dayfirst"):
        load_table(csv_file, columns={"start": "Date"}, values={"unit": "claim"}, dayfirst="y")  # type: ignore[arg-type]


def test_a_mapped_column_the_file_lacks(csv_file):
    with pytest.raises(DataError) as info:
        load_table(csv_file, columns={"start": "Day"}, values={"unit": "claim"})
    assert [p.column for p in info.value.problems] == ["Day"]


def test_a_canonical_name_mapped_elsewhere_is_refused(tmp_path):
    path = write(tmp_path / "a.csv", "2024-11-04,2024-11-05", header="start,Date")
    with pytest.raises(ValueError, match="has a column 'start'"):
        load_table(path, columns={"start": "Date"}, values={"unit": "claim"})


# --------------------------------------------------------------------------- malformed files


def test_truncated_wrong_delimiter_wrong_encoding(tmp_path, mapping_file):
    cut = write(tmp_path / "cut.csv", *ROWS)
    cut.write_text(cut.read_text(encoding="utf-8") + 'R4,"05/11/20', encoding="utf-8")
    table, rejects = load_table(cut, mapping_file, return_rejects=True)
    assert table["row"].tolist() == [2, 3, 4] and rejects["row"].tolist() == [5]
    assert "looks truncated" in rejects["reason"].iloc[0]
    semi = write(
        tmp_path / "semi.csv", *[r.replace(",", ";") for r in ROWS], header=HEADER.replace(",", ";")
    )
    with pytest.raises(DataError, match="semicolon"):
        load_table(semi, mapping_file)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(
        "\n".join([HEADER, ROWS[0].replace("Test actor A", "Tëst actor A"), ROWS[1]]).encode(
            "latin-1"
        )
        + b"\n"
    )
    table, rejects = load_table(latin, mapping_file, return_rejects=True)
    assert table["row"].tolist() == [3] and rejects["column"].tolist() == ["Group"]
    assert load_table(latin, mapping_file, encoding="latin-1")["actor"].iloc[0] == "Tëst actor A"


def test_unknown_file_type_and_missing_file(tmp_path, mapping_file):
    other = tmp_path / "a.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="not a CSV"):
        load_table(other, mapping_file)
    with pytest.raises(DataNotFoundError):
        load_table(tmp_path / "none.csv", mapping_file)
    with pytest.raises(DataNotFoundError):
        load_table(tmp_path / "none.parquet", mapping_file)


@pytest.mark.skipif(importlib.util.find_spec("openpyxl") is not None, reason="openpyxl installed")
def test_excel_without_openpyxl_names_the_extra(tmp_path, mapping_file):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ImportError, match="openpyxl"):
        load_table(path, mapping_file)


@pytest.mark.skipif(importlib.util.find_spec("duckdb") is None, reason="needs DuckDB")
def test_parquet_with_typed_columns(tmp_path, mapping_file):
    import duckdb

    frame = pd.DataFrame(  # SIMULATED rows, with the types a Parquet file holds
        {
            "Ref": ["P1", "P2", "P3"],
            "Date": pd.to_datetime(
                ["2024-11-04", "2024-11-05 10:30", "2024-11-06"], format="ISO8601"
            ),
            "Group": ["Test actor A", "Test actor B", None],
            "Type": ["Shahed", "rocket", "UAV"],
            "Number": [2, -1, 1],
            "What": ["claims", "claims", "claims"],
            "Link": ["https://example.org/sim/p1", None, None],
        }
    )
    path = tmp_path / "t.parquet"
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY frame TO '{path}' (FORMAT PARQUET)")
    table, rejects = load_table(path, mapping_file, return_rejects=True)
    assert len(table) + len(rejects) == 3
    assert table["row"].tolist() == [1, 3] and rejects["row"].tolist() == [2]
    assert rejects["reason"].tolist() == ["Number: negative count (-1)"]
    assert table["weapon"].tolist() == ["drone", "drone"]
    assert table["start"].tolist() == [pd.Timestamp("2024-11-04"), pd.Timestamp("2024-11-06")]
    assert table["time_precision"].tolist() == ["day", "day"]


def test_public_api():
    assert it.load_table is load_table


# --------------------------------------------------------------------------- value readers


def test_date_forms_without_options(tmp_path):
    forms = [
        "2024-11-04",
        "04 November 2024",
        "4 Nov 2024",
        "4-Nov-2024",
        "04/November/2024",
        "November 4, 2024",
        "Nov 4 2024",
        "2024-11-04T00:00:00",
        "2024-11-04 00:00:00.000",
    ]
    path = write(tmp_path / "d.csv", *[f'"{f}",x' for f in forms], header="Date,Other")
    table = load_table(path, columns={"start": "Date"}, values={"unit": "claim"})
    assert (table["start"] == pd.Timestamp("2024-11-04")).all() and len(table) == len(forms)


def test_impossible_and_odd_dates_are_rejected(tmp_path):
    odd = ["31 November 2024", "31 Novembre 2024", "2024-02-30", "13/13/2024", "04/11/24", "0"]
    path = write(tmp_path / "d.csv", *[f'"{f}",x' for f in odd], header="Date,Other")
    table, rejects = load_table(
        path, columns={"start": "Date"}, values={"unit": "claim"}, return_rejects=True
    )
    assert len(table) == 0 and len(rejects) == len(odd)
    assert rejects["reason"].str.startswith("Date: not a date").all()


def test_a_time_with_an_offset_keeps_its_wall_clock_day(tmp_path):
    path = write(tmp_path / "d.csv", "2024-11-04T23:30:00+02:00,x", header="Date,Other")
    table = load_table(path, columns={"start": "Date"}, values={"unit": "alert"})
    assert table["start"].iloc[0] == pd.Timestamp("2024-11-04 23:30")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("3.0", 3),
        ("1e3", 1000),
        ("0", 0),
        ("9007199254740993", 9007199254740993),  # above 2**53: read exactly from the digits
        ("-1", "negative count (-1)"),
        ("2.5", "not a whole number (2.5)"),
        ("nan", "not a whole number (nan)"),
        ("inf", "not a whole number (inf)"),
        ("three", "not a number (three)"),
        ("", "empty count"),
        ("99999999999999999999", "too large to be a count (99999999999999999999)"),
    ],
)
def test_counts(cell, expected):
    from analysis.io._events import Reasons, parse_counts

    values = pd.Series([cell, "1"], index=[2, 3], dtype=object)
    reasons = Reasons(values.index)
    got = parse_counts(values, column="n", reasons=reasons)
    assert got.iloc[1] == 1 and reasons.reason_of(3) == ""
    if isinstance(expected, int):
        assert got.iloc[0] == expected and reasons.reason_of(2) == ""
    else:
        assert got.isna().iloc[0] and reasons.reason_of(2) == f"n: {expected}"


def test_typed_counts_and_booleans():
    from analysis.io._events import Reasons, parse_counts

    values = pd.Series([3, 2.0, True, None, -4, 1.5], index=range(2, 8), dtype=object)
    reasons = Reasons(values.index)
    got = parse_counts(values, column="n", reasons=reasons)
    assert got.tolist()[:2] == [3, 2] and got.isna().tolist()[2:] == [True] * 4
    assert [reasons.columns_of(r) for r in range(2, 8)] == ["", "", "n", "n", "n", "n"]
    assert reasons.reason_of(4) == "n: not a number (True)"


def test_user_columns_named_like_the_reject_columns_are_kept(tmp_path):
    path = write(
        tmp_path / "a.csv",
        "2024-11-04,7,x,y,z",
        "soon,8,x,y,z",
        header="Date,row,file,reason,column",
    )
    table, rejects = load_table(
        path, columns={"start": "Date"}, values={"unit": "claim"}, return_rejects=True
    )
    assert table["row"].tolist() == [2] and table["row_source"].tolist() == ["7"]
    assert rejects["row"].tolist() == [3] and rejects["row_source"].tolist() == ["8"]
    assert rejects["reason_source"].tolist() == ["y"] and "not a date" in rejects["reason"].iloc[0]


def test_the_committed_synthetic_fixture():
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "table"
    table, rejects = load_table(
        folder / "claims_simulated.csv", folder / "mapping.toml", return_rejects=True
    )
    assert len(table) == 3 and len(rejects) == 2  # as its README says
    assert table["weapon"].tolist() == ["drone", "drone", "rocket"]
    assert table["unit"].tolist() == ["claim"] * 3
    assert sorted(rejects["column"]) == ["Number", "Type"]


def test_a_source_name_alone_gets_the_row_as_its_identifier(tmp_path):
    path = write(tmp_path / "mine.csv", "2024-11-04,x", header="Date,Other")
    table = load_table(
        path,
        columns={"start": "Date"},
        values={"unit": "claim", "source_name": "Analyst sheet (SIMULATED)"},
    )
    assert table["source_ref"].tolist() == ["mine.csv, row 2"]
    assert validate_incidents(table.drop(columns=["row"])).ok
