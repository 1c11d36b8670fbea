"""Tests of analysis.curation.regions (the shipped area-to-region table and made-up ones)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.curation.regions import default_regions_path, load_area_regions
from analysis.errors import DataError, DataNotFoundError


def test_shipped_table_is_a_tracked_file():
    assert default_regions_path().is_file(), f"tracked file {default_regions_path()} missing"


def test_shipped_table_has_one_region_per_area():
    table = load_area_regions()
    assert table["area_he"].is_unique
    assert table["region"].notna().all() and (table["region"] != "").all()


def test_shipped_table_makes_each_area_its_own_region():
    # the locality data carries no coarser Home Front Command grouping (data/README.md)
    table = load_area_regions()
    assert (table["region"] == table["area_he"]).all()
    assert int((table["in_modern_30"] == "1").sum()) == 30


def test_a_table_given_as_a_frame_fills_region_en():
    table = load_area_regions(pd.DataFrame({"area_he": ["אילת"], "region": ["south"]}))
    assert table.loc[0, "region_en"] == "south"


def test_a_missing_column_is_refused():
    with pytest.raises(DataError, match="column 'region'"):
        load_area_regions(pd.DataFrame({"area_he": ["אילת"]}))


def test_an_area_listed_twice_is_refused():
    frame = pd.DataFrame({"area_he": ["אילת", "דן", "אילת"], "region": ["a", "b", "c"]})
    with pytest.raises(DataError) as info:
        load_area_regions(frame)
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (4, "area_he", "אילת")
    assert "first on row 2" in problem.message


def test_an_empty_region_is_refused():
    with pytest.raises(DataError) as info:
        load_area_regions(pd.DataFrame({"area_he": ["אילת", "דן"], "region": ["a", " "]}))
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "region")]


def test_a_file_is_read(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text("area_he,region,region_en\nאילת,דרום,\n", encoding="utf-8")
    table = load_area_regions(path)
    assert table.loc[0, "region"] == "דרום" and table.loc[0, "region_en"] == "דרום"


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_area_regions(tmp_path / "absent.csv")


def test_other_types_are_refused():
    with pytest.raises(TypeError, match="regions must be"):
        load_area_regions(42)  # type: ignore[arg-type]


def test_a_region_file_read_before_is_not_read_again_but_a_changed_one_is(tmp_path):
    from analysis.curation.regions import load_area_regions

    path = tmp_path / "regions.csv"
    path.write_text("area_he,region\nא,north\n", encoding="utf-8")
    first = load_area_regions(path)
    first.loc[0, "region"] = "changed by the caller"  # a copy: the next call is unaffected
    assert load_area_regions(path)["region"].tolist() == ["north"]
    path.write_text("area_he,region\nא,south\nב,south\n", encoding="utf-8")
    assert load_area_regions(path)["region"].tolist() == ["south", "south"]


def test_a_locality_file_read_before_is_a_copy_and_a_changed_one_is_read_again(tmp_path):
    from analysis.io.oref import _read_lookup

    path = tmp_path / "aliases.csv"
    path.write_text("alert_name,table_name\na,b\n", encoding="utf-8")
    columns = ("alert_name", "table_name")
    got = _read_lookup(path, columns, columns)
    got.loc[0, "table_name"] = "x"
    assert _read_lookup(path, columns, columns)["table_name"].tolist() == ["b"]
    path.write_text("alert_name,table_name\na,c\nd,e\n", encoding="utf-8")
    assert _read_lookup(path, columns, columns)["table_name"].tolist() == ["c", "e"]
