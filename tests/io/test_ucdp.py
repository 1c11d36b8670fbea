"""Tests of analysis.io.ucdp: UCDP GED and Candidate CSV files -> canonical incident table.

Every file is written by the tests (tmp_path) with invented SIMULATED values;
no UCDP row is copied.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.validate import validate_incidents
from analysis.errors import DataError, DataNotFoundError, RejectedRowsWarning
from analysis.io._events import CANONICAL_COLUMNS
from analysis.io.ucdp import UCDP_COLUMNS, load_ucdp_ged


def ucdp_row(i: int, **values: str) -> dict[str, str]:
    """One SIMULATED event row."""
    row = dict.fromkeys(UCDP_COLUMNS, "")
    row.update(
        id=str(1000 + i),
        relid=f"TST-{i}",
        year="2024",
        active_year="1",
        code_status="Clear",
        type_of_violence="1",
        conflict_dset_id="9001",
        conflict_new_id="9001",
        conflict_name="Testland: Government",
        dyad_dset_id="9101",
        dyad_new_id="9101",
        dyad_name="Government of Testland - Test actor A",
        side_a_dset_id="901",
        side_a_new_id="901",
        side_a="Government of Testland",
        side_b_dset_id="902",
        side_b_new_id="902",
        side_b="Test actor A",
        number_of_sources="1",
        source_headline="SIMULATED headline",
        where_prec="1",
        where_description="Test town",
        latitude="31.5",
        longitude="34.5",
        priogrid_gid="123456",
        country="Testland",
        country_id="999",
        region="Test region",
        event_clarity="1",
        date_prec="1",
        date_start="2024-11-04",
        date_end="2024-11-04",
        deaths_a="1",
        deaths_b="1",
        deaths_civilians="0",
        deaths_unknown="0",
        best="2",
        high="3",
        low="2",
        gwnoa="999",
        gwnob="",
    )
    row.update(values)
    return row


def write_ucdp(
    path: Path,
    rows: list[dict[str, str]],
    *,
    columns: tuple[str, ...] = UCDP_COLUMNS,
    header: bool = True,
) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\n")
    if header:
        writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_ucdp(
        tmp_path / "ged.csv",
        [
            ucdp_row(1),
            ucdp_row(2, date_prec="4", date_start="2024-10-01", date_end="2024-10-31"),
            ucdp_row(3, date_prec="5", date_start="2024-01-01 00:00:00.000", date_end="2024-12-31"),
            ucdp_row(4, type_of_violence="3", side_b="Civilians", best="5", low="4", high="9"),
            ucdp_row(5, date_prec="3", date_start="2024-10-28", date_end="2024-11-03"),
        ],
    )


def test_canonical_and_source_columns(good):
    table = load_ucdp_ged(good)
    assert set(CANONICAL_COLUMNS) <= set(table.columns)
    assert set(UCDP_COLUMNS) <= set(table.columns)
    assert table["incident_id"].tolist() == [f"ucdp-ged-{1000 + i}" for i in range(1, 6)]
    assert table["actor"].iloc[0] == "Government of Testland"
    assert table["target"].iloc[3] == "Civilians"
    assert table["event_type"].tolist()[2:4] == ["state-based conflict", "one-sided violence"]
    assert table[["low", "best", "high"]].iloc[3].tolist() == [4, 5, 9]
    assert all(str(table[c].dtype) == "int64" for c in ("best", "low", "high", "date_prec"))
    assert table["source_name"].iloc[0] == "UCDP Georeferenced Event Dataset (GED)"
    assert table["source_ref"].iloc[0] == "id 1001"
    assert table["source_url"].isna().all()


def test_precision_and_window_are_carried(good):
    table = load_ucdp_ged(good)
    assert table["time_precision"].tolist() == ["day", "month", "year", "day", "week"]
    assert table["date_prec"].tolist() == [1, 4, 5, 1, 3]
    # the window is UCDP's own: start is date_start, date_end closes it
    assert table["start"].iloc[1] == pd.Timestamp("2024-10-01")
    assert table["date_end"].iloc[1] == pd.Timestamp("2024-10-31")
    assert table["date_end"].iloc[2] == pd.Timestamp("2024-12-31")
    assert table["start"].iloc[2] == pd.Timestamp("2024-01-01")  # "2024-01-01 00:00:00.000"


def test_the_table_passes_the_canonical_schema(good):
    table = load_ucdp_ged(good)
    report = validate_incidents(table.drop(columns=["row"]))
    assert report.problems == []


def test_candidate_dataset_names_its_source(good):
    table = load_ucdp_ged(good, dataset="candidate")
    assert table["incident_id"].iloc[0] == "ucdp-candidate-1001"
    assert table["source_name"].iloc[0] == "UCDP Candidate Events Dataset"
    with pytest.raises(ValueError, match="dataset"):
        load_ucdp_ged(good, dataset="acd")  # type: ignore[call-overload]


def test_a_file_without_its_header_is_read_with_the_49_names(tmp_path):
    path = write_ucdp(tmp_path / "cand.csv", [ucdp_row(1), ucdp_row(2, best="-1")], header=False)
    table, rejects = load_ucdp_ged(path, return_rejects=True)
    assert table["row"].tolist() == [1] and rejects["row"].tolist() == [2]
    assert table["id"].tolist() == ["1001"]


def test_public_api(good):
    assert it.load_ucdp_ged is load_ucdp_ged


def malformed_file(tmp_path: Path) -> tuple[Path, int]:
    rows = [
        ucdp_row(1),
        ucdp_row(2, date_start="2024-13-01"),  # unparseable
        ucdp_row(3, date_start="04/11/2024", date_end="04/11/2024"),  # ambiguous
        ucdp_row(4, best="-3"),  # negative
        ucdp_row(5, high="2.5"),  # not whole
        ucdp_row(6, low="5", best="2"),  # low > best
        ucdp_row(7, date_prec="6"),
        ucdp_row(8, type_of_violence="4"),
        ucdp_row(1),  # duplicate id
        ucdp_row(10, date_start="2024-11-05", date_end="2024-11-04"),
        ucdp_row(11, id=""),
        ucdp_row(12, deaths_civilians="-1"),
    ]
    path = write_ucdp(tmp_path / "bad.csv", rows)
    path.write_text(path.read_text(encoding="utf-8") + "1014,TST-14,2024\n", encoding="utf-8")
    return path, len(rows) + 1


def test_loaded_plus_rejected_equals_read(tmp_path):
    path, n = malformed_file(tmp_path)
    table, rejects = load_ucdp_ged(path, return_rejects=True)
    assert len(table) + len(rejects) == n
    assert sorted([*table["row"], *rejects["row"]]) == list(range(2, n + 2))
    assert table["id"].tolist() == ["1001"]


def test_every_reject_names_its_column_and_reason(tmp_path):
    path, _ = malformed_file(tmp_path)
    _, rejects = load_ucdp_ged(path, return_rejects=True)
    assert (rejects["file"] == str(path)).all()
    got = dict(
        zip(rejects["row"], zip(rejects["column"], rejects["reason"], strict=True), strict=True)
    )
    assert got[3][0] == "date_start" and "not a date" in got[3][1]
    assert got[4][0] == "date_start, date_end" and "ambiguous date" in got[4][1]
    assert got[5] == ("best", "best: negative count (-3)")
    assert got[6] == ("high", "high: not a whole number (2.5)")
    assert got[7][0] == "best" and "low <= best <= high" in got[7][1]
    assert got[8][0] == "date_prec" and "not 1-5" in got[8][1]
    assert got[9][0] == "type_of_violence"
    assert got[10][0] == "id" and "duplicate id '1001' (first at row 2)" in got[10][1]
    assert got[11] == ("date_end", "date_end: date_end is before date_start")
    assert got[12] == ("id", "id: empty id")
    assert got[13] == ("deaths_civilians", "deaths_civilians: negative count (-1)")
    assert "expected 49 fields" in got[14][1]


def test_rejects_warn_and_all_rejected_raises(tmp_path):
    path, n = malformed_file(tmp_path)
    with pytest.warns(RejectedRowsWarning, match=f"{n - 1} of {n} rows"):
        load_ucdp_ged(path)
    only_bad = write_ucdp(tmp_path / "b.csv", [ucdp_row(1, best="x")])
    with pytest.raises(DataError, match="no usable row"):
        load_ucdp_ged(only_bad)


def test_truncated_file_in_a_quoted_field(tmp_path):
    path = write_ucdp(tmp_path / "a.csv", [ucdp_row(1)])
    path.write_text(path.read_text(encoding="utf-8") + '1002,TST-2,2024,1,"Cle', encoding="utf-8")
    table, rejects = load_ucdp_ged(path, return_rejects=True)
    assert table["row"].tolist() == [2] and rejects["row"].tolist() == [3]
    assert "ends inside a quoted field" in rejects["reason"].iloc[0]


def test_wrong_delimiter(tmp_path):
    path = write_ucdp(tmp_path / "a.csv", [ucdp_row(1)])
    path.write_text(path.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    with pytest.raises(DataError, match="tab"):
        load_ucdp_ged(path)


def test_wrong_encoding(tmp_path):
    path = tmp_path / "a.csv"
    write_ucdp(path, [ucdp_row(1, where_description="Tëst town"), ucdp_row(2)])
    path.write_bytes(path.read_text(encoding="utf-8").encode("cp1252"))
    table, rejects = load_ucdp_ged(path, return_rejects=True)
    assert table["row"].tolist() == [3] and "not UTF-8" in rejects["reason"].iloc[0]
    assert load_ucdp_ged(path, encoding="cp1252")["where_description"].iloc[0] == "Tëst town"


def test_missing_required_column(tmp_path):
    columns = tuple(c for c in UCDP_COLUMNS if c not in ("best", "date_prec"))
    path = write_ucdp(tmp_path / "a.csv", [ucdp_row(1)], columns=columns)
    with pytest.raises(DataError) as info:
        load_ucdp_ged(path)
    assert sorted(p.column for p in info.value.problems) == ["best", "date_prec"]


def test_missing_file(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_ucdp_ged(tmp_path / "none.csv")


def test_the_committed_synthetic_fixture():
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "ucdp" / "ged_simulated.csv"
    table, rejects = load_ucdp_ged(fixture, return_rejects=True)
    assert len(table) == 4 and len(rejects) == 1  # as its README says
    assert table["time_precision"].tolist() == ["day", "month", "day", "week"]
    assert rejects["column"].tolist() == ["best"]


def test_code_columns_are_numbers_or_text_and_never_reject(tmp_path):
    path = write_ucdp(tmp_path / "a.csv", [ucdp_row(1), ucdp_row(2)])
    assert str(load_ucdp_ged(path)["priogrid_gid"].dtype) == "Int64"
    odd = write_ucdp(tmp_path / "b.csv", [ucdp_row(1), ucdp_row(2, priogrid_gid="12.5")])
    table, rejects = load_ucdp_ged(odd, return_rejects=True)
    assert len(rejects) == 0 and table["priogrid_gid"].tolist() == ["123456", "12.5"]


def test_a_zip_is_a_clear_error(tmp_path):
    path = tmp_path / "ged.csv"
    path.write_bytes(b"PK\x03\x04 not csv")
    with pytest.raises(DataError, match="not a CSV file"):
        load_ucdp_ged(path)
