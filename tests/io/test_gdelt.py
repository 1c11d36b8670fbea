"""Tests of analysis.io.gdelt: GDELT 1.0 / 2.0 event files -> canonical incident table.

Every file is written by the tests (tmp_path) with invented SIMULATED values.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.validate import validate_incidents
from analysis.errors import DataError, DataNotFoundError, RejectedRowsWarning
from analysis.io._events import CANONICAL_COLUMNS
from analysis.io.gdelt import GDELT1_COLUMNS, GDELT2_COLUMNS, load_gdelt


def gdelt_line(i: int, *, version: str = "2.0", **values: str) -> str:
    """One SIMULATED events line with 61 (2.0), 58 or 57 (1.0) fields."""
    columns = GDELT2_COLUMNS if version == "2.0" else GDELT1_COLUMNS
    row = dict.fromkeys(columns, "")
    row.update(
        GLOBALEVENTID=str(900000 + i),
        SQLDATE="20241104",
        MonthYear="202411",
        Year="2024",
        FractionDate="2024.8411",
        Actor1Code="TSTA",
        Actor1Name="TEST ACTOR A",
        Actor1CountryCode="TST",
        Actor2Code="TSTB",
        Actor2Name="TEST ACTOR B",
        IsRootEvent="1",
        EventCode="195",
        EventBaseCode="195",
        EventRootCode="19",
        QuadClass="4",
        GoldsteinScale="-10.0",
        NumMentions="4",
        NumSources="1",
        NumArticles="4",
        AvgTone="-5.5",
        ActionGeo_Type="4",
        ActionGeo_FullName="Test town, Testland",
        ActionGeo_CountryCode="TS",
        ActionGeo_Lat="31.5",
        ActionGeo_Long="34.5",
        DATEADDED="20241104120000" if version == "2.0" else "20241104",
        SOURCEURL=f"https://example.org/simulated/{i}",
    )
    row.update(values)
    fields = [row[c] for c in columns]
    if version == "1.0-57":
        fields = fields[:-1]
    return "\t".join(fields)


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_version_2_canonical_columns(tmp_path):
    path = write(tmp_path / "e.export.CSV", [gdelt_line(1), gdelt_line(2, SQLDATE="20241105")])
    table = load_gdelt(path)
    assert set(CANONICAL_COLUMNS) <= set(table.columns)
    assert set(GDELT2_COLUMNS) <= set(table.columns)
    assert table["gdelt_version"].tolist() == ["2.0", "2.0"]
    assert table["incident_id"].tolist() == ["gdelt-900001", "gdelt-900002"]
    assert table["start"].tolist() == [pd.Timestamp("2024-11-04"), pd.Timestamp("2024-11-05")]
    assert table["actor"].iloc[0] == "TEST ACTOR A" and table["target"].iloc[0] == "TEST ACTOR B"
    assert table["origin"].iloc[0] == "TST"
    assert table["country"].iloc[0] == "TS" and table["event_type"].iloc[0] == "195"
    assert table["source_url"].iloc[0] == "https://example.org/simulated/1"
    assert table["source_name"].iloc[0] == "GDELT 2.0 events"
    assert table["NumMentions"].tolist() == [4, 4] and str(table["NumMentions"].dtype) == "int64"
    assert table["GoldsteinScale"].iloc[0] == -10.0
    assert table["row"].tolist() == [1, 2]
    assert validate_incidents(table.drop(columns=["row"])).ok


@pytest.mark.parametrize(("version", "width"), [("1.0", 58), ("1.0-57", 57)])
def test_version_1_is_detected(tmp_path, version, width):
    lines = [gdelt_line(i, version=version) for i in range(3)]
    assert all(len(line.split("\t")) == width for line in lines)
    table = load_gdelt(write(tmp_path / "e.csv", lines))
    assert table["gdelt_version"].unique().tolist() == ["1.0"]
    assert "Actor1Geo_ADM2Code" not in table.columns
    assert table["source_name"].iloc[0] == "GDELT 1.0 events"
    if width == 57:  # the back files have no SOURCEURL: cite the event id
        assert table["source_url"].isna().all()
        assert table["source_ref"].iloc[0] == "GLOBALEVENTID 900000"


def test_a_line_of_the_other_version_is_a_reject(tmp_path):
    lines = [gdelt_line(1), gdelt_line(2), gdelt_line(3, version="1.0")]
    table, rejects = load_gdelt(write(tmp_path / "e.csv", lines), return_rejects=True)
    assert table["row"].tolist() == [1, 2]
    assert rejects["reason"].tolist() == ["expected 61 tab-separated fields (GDELT 2.0), found 58"]


def test_version_can_be_insisted_on(tmp_path):
    path = write(tmp_path / "e.csv", [gdelt_line(1)])
    table, rejects = load_gdelt(path, version="1.0", return_rejects=True)
    assert len(table) == 0 and "expected 57 or 58" in rejects["reason"].iloc[0]
    with pytest.raises(ValueError, match="version"):
        load_gdelt(path, version="3.0")  # type: ignore[call-overload]


def malformed_file(tmp_path: Path) -> tuple[Path, int]:
    lines = [
        gdelt_line(1),
        gdelt_line(2, SQLDATE="20241332"),  # not a date
        gdelt_line(3, NumMentions="-1"),
        gdelt_line(4, NumSources="1.5"),
        gdelt_line(1),  # duplicate id
        gdelt_line(6, GLOBALEVENTID="abc"),
        gdelt_line(7, GoldsteinScale="high"),
        gdelt_line(8, SQLDATE="00010101"),
        "\t".join(["900009", "20241104", "202411"]),  # too few fields (a truncated line)
        gdelt_line(10) + "\textra",  # 62 fields
        "",  # a blank line is not a record
        gdelt_line(11, SQLDATE="2024-11-04"),
    ]
    path = write(tmp_path / "bad.csv", lines)
    return path, len(lines) - 1


def test_loaded_plus_rejected_equals_read(tmp_path):
    path, n = malformed_file(tmp_path)
    table, rejects = load_gdelt(path, return_rejects=True)
    assert len(table) + len(rejects) == n
    assert sorted([*table["row"], *rejects["row"]]) == [*range(1, 11), 12]
    assert table["GLOBALEVENTID"].tolist() == [900001]


def test_every_reject_names_its_column_and_reason(tmp_path):
    path, _ = malformed_file(tmp_path)
    _, rejects = load_gdelt(path, return_rejects=True)
    assert (rejects["file"] == str(path)).all()
    got = dict(
        zip(rejects["row"], zip(rejects["column"], rejects["reason"], strict=True), strict=True)
    )
    assert got[2][0] == "SQLDATE" and "YYYYMMDD" in got[2][1]
    assert got[3] == ("NumMentions", "NumMentions: negative count (-1)")
    assert got[4] == ("NumSources", "NumSources: not a whole number (1.5)")
    assert got[5][0] == "GLOBALEVENTID" and "duplicate id 900001 (first at row 1)" in got[5][1]
    assert got[6][0] == "GLOBALEVENTID" and "not a whole number" in got[6][1]
    assert got[7][0] == "GoldsteinScale"
    assert got[8][0] == "SQLDATE"
    assert got[9][1] == "expected 61 tab-separated fields (GDELT 2.0), found 3"
    assert got[10][1] == "expected 61 tab-separated fields (GDELT 2.0), found 62"
    assert got[12][0] == "SQLDATE"
    assert rejects.loc[rejects["row"] == 9, "raw"].iloc[0] == "900009\t20241104\t202411"
    assert got[9][0] == "Year"  # the line ends before its fourth field
    assert got[10][0] == "SOURCEURL"  # extra fields after the last column


def test_rejects_warn(tmp_path):
    path, n = malformed_file(tmp_path)
    with pytest.warns(RejectedRowsWarning, match=f"{n - 1} of {n} rows"):
        load_gdelt(path)


def test_wrong_delimiter_is_a_clear_error(tmp_path):
    path = write(
        tmp_path / "e.csv", [gdelt_line(1).replace("\t", ","), gdelt_line(2).replace("\t", ",")]
    )
    with pytest.raises(DataError, match="separated by commas, not tabs"):
        load_gdelt(path)


def test_wrong_encoding_rejects_the_line(tmp_path):
    path = tmp_path / "e.csv"
    text = "\n".join([gdelt_line(1, Actor1Name="TËST"), gdelt_line(2)]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    table, rejects = load_gdelt(path, return_rejects=True)
    assert table["row"].tolist() == [2]
    assert rejects["row"].tolist() == [1] and "not UTF-8" in rejects["reason"].iloc[0]
    assert rejects["column"].tolist() == ["Actor1Name"]


def test_a_header_line_is_not_a_record(tmp_path):
    path = write(tmp_path / "e.csv", ["\t".join(GDELT2_COLUMNS), gdelt_line(1)])
    table, rejects = load_gdelt(path, return_rejects=True)
    assert table["row"].tolist() == [2] and len(rejects) == 0


def test_zip_with_one_file(tmp_path):
    inner = write(tmp_path / "20241104.export.CSV", [gdelt_line(1)])
    archive = tmp_path / "20241104.export.CSV.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(inner, inner.name)
    assert load_gdelt(archive)["incident_id"].tolist() == ["gdelt-900001"]
    with zipfile.ZipFile(archive, "a") as z:
        z.writestr("other.csv", "x")
    with pytest.raises(DataError, match="holds 2 files"):
        load_gdelt(archive)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:40])
    with pytest.raises(DataError, match="zip"):
        load_gdelt(broken)


def test_empty_and_missing_files(tmp_path):
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        load_gdelt(empty)
    with pytest.raises(DataNotFoundError):
        load_gdelt(tmp_path / "none.csv")


def test_all_rejected(tmp_path):
    path = write(tmp_path / "e.csv", [gdelt_line(1, NumArticles="-4")])
    with pytest.raises(DataError, match="no usable row"):
        load_gdelt(path)
    table, rejects = load_gdelt(path, return_rejects=True)
    assert len(table) == 0 and len(rejects) == 1
    assert list(table.columns[:1]) == ["row"] and set(CANONICAL_COLUMNS) <= set(table.columns)


def test_public_api():
    assert it.load_gdelt is load_gdelt


def test_the_committed_synthetic_fixture():
    fixture = (
        Path(__file__).resolve().parents[1] / "fixtures" / "gdelt" / "events_simulated.export.tsv"
    )
    table, rejects = load_gdelt(fixture, return_rejects=True)
    assert len(table) == 3 and len(rejects) == 2  # as its README says
    assert table["source_url"].str.startswith("https://example.org/simulated/").all()
    assert rejects["row"].tolist() == [4, 5]


def test_utf16_is_a_clear_error(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(("\n".join([gdelt_line(1), gdelt_line(2)]) + "\n").encode("utf-16"))
    with pytest.raises(DataError, match="UTF-16"):
        load_gdelt(path)


def test_randomly_damaged_files_never_give_a_traceback(tmp_path):
    """Fixed-seed damage (cut, junk fields, stray bytes, lost tabs): rejects or DataError."""
    import numpy as np

    rng = np.random.default_rng(20241105)
    clean = write(tmp_path / "clean.csv", [gdelt_line(i) for i in range(12)]).read_bytes()
    junk = [b"-1", b"2.5", b"2024-11-04", b"\xe9", b"", b"\t", b"\n", b"x" * 5]
    outcomes = {"error": 0, "loaded": 0}
    for trial in range(25):
        data = bytearray(clean)
        for _ in range(int(rng.integers(1, 4))):
            kind = int(rng.integers(4))
            at = int(rng.integers(len(data)))
            if kind == 0:
                del data[at:]
            elif kind == 1:
                data[at:at] = junk[int(rng.integers(len(junk)))]
            elif kind == 2:
                tabs = [i for i, b in enumerate(data) if b == 9]
                if tabs:
                    del data[tabs[int(rng.integers(len(tabs)))]]
            else:
                data[at:at] = bytes(rng.integers(1, 256, size=3, dtype=np.uint8))
        path = tmp_path / f"damaged{trial}.csv"
        path.write_bytes(bytes(data))
        try:
            table, rejects = load_gdelt(path, return_rejects=True)
        except DataError as exc:
            assert str(exc)
            outcomes["error"] += 1
            continue
        outcomes["loaded"] += 1
        lines = [ln for ln in re.split(rb"\r\n|\n|\r", bytes(data)) if ln.strip()]
        assert len(table) + len(rejects) == len(lines)
        assert rejects["reason"].str.len().gt(0).all()
    assert outcomes["loaded"] >= 10, outcomes  # the damage mostly leaves rows to account for


@pytest.mark.parametrize("loader", ["load_gdelt", "load_acled", "load_ucdp_ged", "load_table"])
def test_a_path_that_is_not_a_path_names_the_parameter(loader):
    with pytest.raises(TypeError, match="path must be a file path"):
        getattr(it, loader)(42)
