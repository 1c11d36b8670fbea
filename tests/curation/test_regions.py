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
