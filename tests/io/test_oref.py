"""Tests of analysis.io.oref: the Home Front Command alert loader.

Small behaviours use the hand-made synthetic fixtures in tests/fixtures/oref/;
the accounting tests read the shared 2014-2024 file when it is present (it is
never copied into the project) and are skipped otherwise.
"""

from __future__ import annotations

import collections
import csv
import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from analysis.datasets import shared_data_dir
from analysis.errors import DataError, DataNotFoundError
from analysis.io.csv import MAX_FIELD_CHARS
from analysis.io.oref import (
    SOURCE_COLUMNS,
    IncompleteLocalitiesWarning,
    RejectedRowsWarning,
    default_locality_paths,
    load_oref_alerts,
    load_oref_localities,
    plausible_years,
    weapon_for_category,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
_spec = importlib.util.spec_from_file_location("oref_samples", FIXTURES / "samples.py")
assert _spec is not None and _spec.loader is not None
_samples = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_samples)
SAMPLES = _samples.write_samples()  # the synthetic alert files, written to a temp folder
HEADER = ",".join(SOURCE_COLUMNS)
SHARED = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
needs_shared = pytest.mark.skipif(not SHARED.is_file(), reason="shared alert history absent")


def _write(tmp_path: Path, *rows: str, name: str = "alerts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


ROW = "שדרות,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,{rid}"


# --- synthetic fixtures -------------------------------------------------------------------


def test_every_fixture_row_is_in_table_or_rejects():
    table, rejects = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    assert len(table) + len(rejects) == 10
    assert sorted([*table["line"], *rejects["line"]]) == list(range(2, 12))


def test_reject_reasons_name_the_problem():
    _, rejects = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    reasons = dict(zip(rejects["line"], rejects["reason"], strict=True))
    assert reasons[4].startswith("unparseable alertDate")
    assert reasons[5] == "missing category"
    assert reasons[7] == "duplicate rid (first at line 6)"
    assert reasons[8] == "expected 8 fields, found 5"
    assert reasons[10].startswith("unparseable date/time")


def test_rejects_keep_the_source_row():
    _, rejects = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    row = rejects.set_index("line").loc[4]
    assert row["alertDate"] == "not-a-date"
    assert row["data"] == "מטולה"
    assert list(rejects.columns) == ["line", *SOURCE_COLUMNS, "reason"]


def test_duplicate_rid_keeps_the_first_row():
    table, _ = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    kept = table[table["rid"] == 5]
    assert kept["line"].tolist() == [6]


def test_canonical_columns_and_values():
    table, _ = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    first = table.iloc[0]
    assert first["incident_id"] == "oref-1"
    assert first["start"] == pd.Timestamp("2023-10-07 06:30", tz="Asia/Jerusalem")
    assert str(table["start"].dt.tz) == "Asia/Jerusalem"
    assert (table["time_precision"] == "minute").all()
    assert (table["unit"] == "alert").all()
    assert (table["quantity"] == 1).all()
    assert (table["source_url"] == "https://github.com/dleshem/israel-alerts-data").all()
    for column in SOURCE_COLUMNS:
        assert column in table.columns


def test_comma_inside_quoted_locality_is_kept():
    table, _ = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    assert table.loc[table["rid"] == 8, "data"].item() == "שדרות, איבים"


def test_weapon_from_category():
    table, _ = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv", return_rejects=True)
    weapon = dict(zip(table["rid"], table["weapon"], strict=True))
    assert weapon == {1: "rocket", 2: "rocket", 5: "drone", 8: "infiltration", 10: "drill"}


def test_weapon_mapping_keeps_unknown_categories_as_other():
    cats = pd.Series([1, 2, 10, 4, 21, 26, 13, 99])
    assert weapon_for_category(cats).tolist() == [
        "rocket",
        "drone",
        "infiltration",
        "warning",
        "drill",
        "drill",
        "other",
        "other",
    ]


def test_drill_recognised_from_description():
    out = weapon_for_category(pd.Series([40]), pd.Series(["תרגיל כללי"]))
    assert out.tolist() == ["drill"]


def test_rejects_without_return_rejects_warn_with_count():
    with pytest.warns(RejectedRowsWarning, match="5 of 10 rows"):
        table = load_oref_alerts(SAMPLES / "alerts_bad_rows.csv")
    assert len(table) == 5


def test_all_rows_rejected_raises(tmp_path):
    path = _write(tmp_path, "x,1.1.2020,x,bad,1,d,1,1", "y,1.1.2020,x,bad,1,d,1,2")
    with pytest.raises(DataError, match=r"row 2.*unparseable alertDate"):
        load_oref_alerts(path)


def test_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.csv"
    ascii_row = "Sderot,07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,{rid}"
    body = "\n".join([HEADER, ascii_row.format(rid=1), "Caf\xe9" + ascii_row[6:].format(rid=2)])
    path.write_bytes(body.encode("latin-1"))
    with pytest.raises(DataError, match=r"row 3.*not UTF-8"):
        load_oref_alerts(path)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (HEADER + "\n" + ROW.format(rid=1) + "\n").encode())
    assert len(load_oref_alerts(path)) == 1


def test_missing_column_is_reported(tmp_path):
    path = tmp_path / "nocat.csv"
    path.write_text("data,date,time,alertDate,category_desc,matrix_id,rid\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"row 1, column 'category': required column"):
        load_oref_alerts(path)


def test_wrong_delimiter_hint(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(HEADER.replace(",", ";") + "\n", encoding="utf-8")
    with pytest.raises(DataError, match="delimiter"):
        load_oref_alerts(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty file"):
        load_oref_alerts(path)


def test_unterminated_quote_rejects_its_row_only(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1), '"שדרות,07.10.2023,06:29:40', ROW.format(rid=3))
    table, rejects = load_oref_alerts(path, return_rejects=True)
    assert table["line"].tolist() == [2, 4]  # the row after the broken quote is read as usual
    assert rejects["line"].tolist() == [3]
    assert "unbalanced double quote" in rejects["reason"].iloc[0]


def test_unterminated_quote_in_last_row_is_rejected(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1), ROW.format(rid=2).replace("שדרות", '"שדרות'))
    table, rejects = load_oref_alerts(path, return_rejects=True)
    assert (table["line"].tolist(), rejects["line"].tolist()) == ([2], [3])


def test_every_kind_of_bad_row_is_accounted_for(tmp_path):
    rows = [
        ROW.format(rid=1),
        ROW.format(rid=2).replace("2023-10-07T06:30:00", "2023-13-07T06:30:00"),  # bad date
        ROW.format(rid=1),  # duplicate rid
        ROW.format(rid=4).replace(",1,ירי", ",99,ירי"),  # unknown category: kept as "other"
        ROW.format(rid=5) + ",extra",  # too many fields
        '"' + ROW.format(rid=6),  # broken quote
        ROW.format(rid=7),
    ]
    table, rejects = load_oref_alerts(_write(tmp_path, *rows), return_rejects=True)
    assert len(table) + len(rejects) == len(rows)
    assert table["line"].tolist() == [2, 5, 8]
    assert table.set_index("line").loc[5, "weapon"] == "other"
    assert rejects["line"].tolist() == [3, 4, 6, 7]
    assert rejects["reason"].str.len().gt(0).all()


def test_blank_lines_are_not_rows(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1), "", ROW.format(rid=2))
    table, rejects = load_oref_alerts(path, return_rejects=True)
    assert (len(table), len(rejects)) == (2, 0)
    assert table["line"].tolist() == [2, 4]


def test_non_integer_matrix_id_rejected_empty_kept(tmp_path):
    bad = ROW.format(rid=2).replace(",1,2", ",x,2")
    empty = ROW.format(rid=3).replace(",1,3", ",,3")
    table, rejects = load_oref_alerts(_write(tmp_path, bad, empty), return_rejects=True)
    assert rejects["reason"].tolist() == ["matrix_id not an integer"]
    assert table["matrix_id"].isna().tolist() == [True]


def test_non_integer_rid_rejected(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1), ROW.format(rid="abc"))
    _, rejects = load_oref_alerts(path, return_rejects=True)
    assert rejects["reason"].tolist() == ["rid missing or not an integer"]


# --- daylight saving time --------------------------------------------------------------


@pytest.fixture(scope="module")
def dst():
    return load_oref_alerts(SAMPLES / "alerts_dst.csv", return_rejects=True)


def _offset(table: pd.DataFrame, rid: int) -> str:
    return table.loc[table["rid"] == rid, "start"].item().strftime("%H:%M%z")


def test_spring_forward_gap_time_is_rejected(dst):
    _, rejects = dst
    assert rejects["rid"].tolist() == ["3"]
    assert "spring-forward" in rejects["reason"].item()


def test_rounded_into_gap_moves_to_first_minute_after(dst):
    table, _ = dst
    # 01:59:40 standard time rounds to 00:00 UTC = 03:00 summer time
    assert _offset(table, 2) == "03:00+0300"
    assert table.loc[table["rid"] == 2, "start"].item() == pd.Timestamp("2024-03-29 00:00Z")


def test_repeated_hour_before_the_clock_goes_back_is_summer_time(dst):
    table, _ = dst
    assert [_offset(table, r) for r in (6, 7, 8)] == ["01:20+0300", "01:50+0300", "01:50+0300"]


def test_repeated_hour_after_the_clock_goes_back_is_standard_time(dst):
    table, _ = dst
    assert [_offset(table, r) for r in (9, 10, 11)] == ["01:10+0200", "01:40+0200", "02:10+0200"]


def test_fall_back_night_is_increasing_in_utc(dst):
    table, _ = dst
    night = table[table["alertDate"].str.startswith("2024-10-27")].sort_values("rid")
    # rid 8 is 20 s earlier than rid 7 (collector jitter); nothing else goes back
    steps = night["start"].diff().dropna()
    assert (steps >= pd.Timedelta(0)).all()


def test_repeated_hour_without_evidence_is_flagged(dst):
    table, _ = dst
    row = table[table["rid"] == 12].iloc[0]
    assert row["start"].strftime("%z") == "+0300"
    assert "assumed" in row["notes"]


def test_ordinary_rows_have_empty_notes(dst):
    table, _ = dst
    assert table.loc[table["rid"].isin([1, 4, 5]), "notes"].tolist() == ["", "", ""]


# --- the shared 2014-2024 file -----------------------------------------------------------


@pytest.fixture(scope="module")
def shared():
    return load_oref_alerts(SHARED, return_rejects=True)


@needs_shared
def test_shared_file_all_rows_accounted_for(shared):
    table, rejects = shared
    with SHARED.open(encoding="utf-8", newline="") as fh:
        n_rows = sum(1 for _ in csv.reader(fh)) - 1
    assert n_rows == 42_002
    assert len(table) + len(rejects) == n_rows
    assert len(rejects) == 0


@needs_shared
def test_shared_file_category_counts_match_source_md(shared):
    table, _ = shared
    counts = table["category"].value_counts()
    assert counts[1] == 36_748
    assert counts[2] == 5_175
    assert counts[10] == 66
    assert counts[[4, 15, 21, 26]].sum() == 13


@needs_shared
def test_shared_file_drone_rows_per_month_match_independent_count(shared):
    # Independent count: the csv module and string slicing of `date` (dd.mm.yyyy), no pandas.
    independent: collections.Counter[str] = collections.Counter()
    with SHARED.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        i_cat, i_date = header.index("category"), header.index("date")
        for row in reader:
            if row[i_cat] == "2":
                independent[row[i_date][6:10] + "-" + row[i_date][3:5]] += 1
    table, _ = shared
    ours = table.loc[table["weapon"] == "drone", "start"].dt.strftime("%Y-%m").value_counts()
    assert sum(independent.values()) == 5_175
    assert ours.to_dict() == dict(independent)


@needs_shared
def test_shared_file_times_agree_with_seconds_columns(shared):
    table, _ = shared
    wall = pd.to_datetime(table["date"] + " " + table["time"], format="%d.%m.%Y %H:%M:%S")
    gap = (table["start"].dt.tz_localize(None) - wall).abs()
    assert gap.max() <= pd.Timedelta(seconds=30)


# --- locality tables -----------------------------------------------------------------------


def test_load_localities_from_fixtures():
    tables = load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    assert {"name", "area_he", "area_en", "lat", "lng", "in_primary"} <= set(tables.localities)
    assert set(tables.aliases.columns) >= {"alert_name", "table_name"}
    assert tables.old_zones["code"].dtype.kind == "i"
    assert tables.paths["aliases"].name == "aliases.csv"


def test_localities_missing_column_is_an_error(tmp_path):
    bad = tmp_path / "loc.csv"
    bad.write_text("name,area_he\nx,y\n", encoding="utf-8")
    with pytest.raises(DataError, match="column 'lat'"):
        load_oref_localities(bad, FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv")


def test_localities_from_cities_json():
    tables = load_oref_localities(
        FIXTURES / "cities.json", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    loc = tables.localities
    assert loc["name"].tolist() == ["מטולה", "שדרות, איבים"]  # the "select all" entry dropped
    assert loc["area_en"].tolist() == ["Confrontation Line", "Gaza Envelope"]
    assert (loc["in_primary"] == 1).all()


def test_localities_fall_back_to_downloaded_cities_json(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "cache" / "oref-localities" / "cities.json"
    target.parent.mkdir(parents=True)
    target.write_bytes((FIXTURES / "cities.json").read_bytes())
    with pytest.warns(IncompleteLocalitiesWarning, match="old numbered zones"):
        tables = load_oref_localities()
    assert tables.paths["localities"] == target
    assert len(tables.old_zones) == 0 and len(tables.aliases) == 0


def test_no_locality_table_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "cache"))
    with pytest.raises(DataNotFoundError, match="data fetch oref-cities"):
        load_oref_localities()
    with pytest.raises(DataNotFoundError, match="data fetch oref-cities"):
        default_locality_paths()


def test_default_locality_paths_are_the_files_the_loader_reads(tmp_path, monkeypatch):
    """The paths found without reading are those of ``load_oref_localities().paths``."""
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "cache"))
    target = tmp_path / "cache" / "oref-localities" / "cities.json"
    target.parent.mkdir(parents=True)
    target.write_bytes((FIXTURES / "cities.json").read_bytes())
    with pytest.warns(IncompleteLocalitiesWarning):
        tables = load_oref_localities()
    paths = default_locality_paths()
    assert paths == {"localities": target, "aliases": None, "old_zones": None}
    assert {k: v for k, v in paths.items() if v is not None} == tables.paths


def test_all_rows_rejected_with_return_rejects_gives_them_back(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1) + ",extra", ROW.format(rid="x"))
    table, rejects = load_oref_alerts(path, return_rejects=True)
    assert len(table) == 0 and rejects["line"].tolist() == [2, 3]
    assert "start" in table.columns and "weapon" in table.columns


def test_all_rows_rejected_without_return_rejects_is_an_error(tmp_path):
    path = _write(tmp_path, ROW.format(rid=1) + ",extra")
    with pytest.raises(DataError, match="no usable row"):
        load_oref_alerts(path)


OK_ROW = ROW.format(rid=1)


@pytest.mark.parametrize(
    ("alert_date", "year"), [("0001-10-07T06:30:00", "0001"), ("9999-10-07T06:30:00", "9999")]
)
def test_alert_date_year_far_outside_the_data_is_rejected(tmp_path, alert_date, year):
    bad = f"מטולה,07.10.2023,06:29:40,{alert_date},1,ירי רקטות וטילים,1,2"
    table, rejects = load_oref_alerts(_write(tmp_path, OK_ROW, bad), return_rejects=True)
    assert table["rid"].tolist() == [1]
    assert rejects["line"].tolist() == [3]
    assert f"year {year} in 'alertDate' is outside 2000-" in rejects["reason"].iloc[0]


def test_wall_clock_date_year_far_outside_the_data_is_rejected(tmp_path):
    bad = "מטולה,07.10.0001,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,2"
    table, rejects = load_oref_alerts(_write(tmp_path, OK_ROW, bad), return_rejects=True)
    assert table["rid"].tolist() == [1]
    assert "year 0001 in 'date' is outside" in rejects["reason"].iloc[0]


def test_plausible_years_run_from_2000_to_next_year():
    earliest, latest = plausible_years()
    assert earliest == 2000
    assert latest == pd.Timestamp.now(tz="UTC").year + 1


def test_field_longer_than_the_csv_limit_rejects_its_row_only(tmp_path):
    huge = "x" * (MAX_FIELD_CHARS + 1)
    bad = f"{huge},07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,2"
    table, rejects = load_oref_alerts(
        _write(tmp_path, OK_ROW, bad, ROW.format(rid=3)), return_rejects=True
    )
    assert table["rid"].tolist() == [1, 3]
    assert rejects["line"].tolist() == [3]
    assert rejects["reason"].iloc[0].startswith(f"data is {MAX_FIELD_CHARS + 1:,} characters long")


def test_nul_byte_rejects_its_row_only(tmp_path):
    bad = "מט\x00ולה,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,2"
    table, rejects = load_oref_alerts(
        _write(tmp_path, OK_ROW, bad, ROW.format(rid=3)), return_rejects=True
    )
    assert table["rid"].tolist() == [1, 3]
    assert rejects["reason"].iloc[0].startswith("data contains a NUL byte")
