"""Tests of analysis.curation.filters.filter_incidents on tables from every loader.

The tables are built from SIMULATED rows written by the loader tests' helpers.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.filters import filter_incidents
from analysis.io.acled import load_acled
from analysis.io.gdelt import load_gdelt
from analysis.io.ucdp import load_ucdp_ged

_IO_TESTS = Path(__file__).resolve().parents[1] / "io"


def _helpers(name: str):
    spec = importlib.util.spec_from_file_location(f"_filters_{name}", _IO_TESTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


acled_tests = _helpers("test_acled")
ucdp_tests = _helpers("test_ucdp")
gdelt_tests = _helpers("test_gdelt")


@pytest.fixture
def acled(tmp_path: Path) -> pd.DataFrame:
    row = acled_tests.acled_row
    rows = [
        row(1, actor1="Test actor A", actor2="", event_date="2024-10-30", notes="SIMULATED"),
        row(
            2,
            actor1="Test actor B",
            actor2="Test actor A",
            event_date="2024-11-04",
            sub_event_type="Shelling/artillery/missile attack",
            notes="SIMULATED: rockets fired",
        ),
        row(
            3,
            actor1="Test actor C",
            actor2="",
            country="Otherland",
            event_date="2024-11-20",
            event_type="Battles",
            sub_event_type="Armed clash",
            notes="SIMULATED: an UAV seen",
        ),
        row(
            4,
            actor1="Test actor C",
            actor2="",
            country="Testlandia",
            event_date="2024-11-21",
            event_type="Battles",
            sub_event_type="Armed clash",
            notes="SIMULATED: dronesque",
        ),
    ]
    return load_acled(acled_tests.write_acled(tmp_path / "a.csv", rows))


def ids(table: pd.DataFrame) -> list[str]:
    return table["incident_id"].str.replace("acled-", "").tolist()


def test_actor_matches_any_role_and_part_of_the_name(acled):
    assert ids(filter_incidents(acled, actor="test actor a")) == ["TST1", "TST2"]
    assert ids(filter_incidents(acled, actor=["Actor B", "actor c"])) == ["TST2", "TST3", "TST4"]
    only_actor1 = filter_incidents(acled, actor="Test actor A", actor_columns=["actor1"])
    assert ids(only_actor1) == ["TST1"]


def test_country_is_the_whole_value(acled):
    assert ids(filter_incidents(acled, country="testland")) == ["TST1", "TST2"]
    assert ids(filter_incidents(acled, country=["Otherland", "Testlandia"])) == ["TST3", "TST4"]


def test_event_type_matches_type_or_sub_type(acled):
    assert ids(filter_incidents(acled, event_type="battles")) == ["TST3", "TST4"]
    assert ids(filter_incidents(acled, event_type="Air/drone strike")) == ["TST1"]


def test_weapon_words_with_vocabulary_synonyms(acled):
    # drone: "Air/drone strike" (TST1) and "UAV" (a synonym, TST3); "dronesque" starts
    # with the word too (TST4): words are matched at their start, as documented
    assert ids(filter_incidents(acled, weapon="drone")) == ["TST1", "TST3", "TST4"]
    assert ids(filter_incidents(acled, weapon="rocket")) == ["TST2"]
    assert ids(filter_incidents(acled, weapon="missile")) == ["TST2"]
    assert ids(filter_incidents(acled, weapon="drone", weapon_columns=["notes"])) == [
        "TST3",
        "TST4",
    ]
    assert ids(filter_incidents(acled, weapon="rone")) == []  # not the start of a word


def test_date_range_includes_both_days(acled):
    kept = filter_incidents(acled, start="2024-11-04", end="2024-11-20")
    assert ids(kept) == ["TST2", "TST3"]
    assert ids(filter_incidents(acled, end="2024-10-30")) == ["TST1"]
    assert ids(filter_incidents(acled, start="2024-11-21")) == ["TST4"]


def test_filters_combine_and_keep_index_and_columns(acled):
    kept = filter_incidents(acled, actor="actor c", country="Otherland", weapon="UAV")
    assert kept.index.tolist() == [2] and list(kept.columns) == list(acled.columns)
    kept.loc[2, "notes"] = "changed"
    assert acled.loc[2, "notes"] != "changed"  # a copy
    assert len(filter_incidents(acled)) == 4


def test_ucdp_and_gdelt_tables(tmp_path):
    row = ucdp_tests.ucdp_row
    ucdp = load_ucdp_ged(
        ucdp_tests.write_ucdp(
            tmp_path / "u.csv",
            [row(1), row(2, type_of_violence="3", side_b="Civilians", country="Otherland")],
        )
    )
    assert filter_incidents(ucdp, event_type="one-sided violence")["id"].tolist() == ["1002"]
    assert filter_incidents(ucdp, actor="civilians")["id"].tolist() == ["1002"]
    assert filter_incidents(ucdp, country="Testland")["id"].tolist() == ["1001"]
    line = gdelt_tests.gdelt_line
    gdelt = load_gdelt(
        gdelt_tests.write(
            tmp_path / "g.csv",
            [line(1), line(2, ActionGeo_CountryCode="OT", EventCode="190", SQLDATE="20241110")],
        )
    )
    assert filter_incidents(gdelt, country="OT")["GLOBALEVENTID"].tolist() == [900002]
    assert filter_incidents(gdelt, event_type="195")["GLOBALEVENTID"].tolist() == [900001]
    assert filter_incidents(gdelt, start="2024-11-05")["GLOBALEVENTID"].tolist() == [900002]


def test_a_tz_aware_column_is_filtered_by_its_local_day():
    table = pd.DataFrame(
        {
            "start": pd.to_datetime(["2024-11-04 23:30", "2024-11-05 00:30"]).tz_localize(
                "Asia/Jerusalem"
            ),
            "weapon": ["drone", "rocket"],
        }
    )
    assert filter_incidents(table, end="2024-11-04")["weapon"].tolist() == ["drone"]
    assert filter_incidents(table, start="2024-11-05")["weapon"].tolist() == ["rocket"]


def test_bad_input_names_the_parameter(acled):
    with pytest.raises(ValueError, match=r"start .* is after end"):
        filter_incidents(acled, start="2024-11-05", end="2024-11-01")
    with pytest.raises(ValueError, match="start=2024 is a number"):
        filter_incidents(acled, start=2024)
    with pytest.raises(ValueError, match="actor is empty"):
        filter_incidents(acled, actor=[])
    with pytest.raises(TypeError, match="weapon must be text"):
        filter_incidents(acled, weapon=[3])  # type: ignore[list-item]
    with pytest.raises(KeyError, match="actor: the table has none of the columns"):
        filter_incidents(pd.DataFrame({"x": [1]}), actor="a")
    with pytest.raises(KeyError, match="country"):
        filter_incidents(pd.DataFrame({"x": [1]}), country="a")
    with pytest.raises(KeyError, match="time_col"):
        filter_incidents(pd.DataFrame({"x": [1]}), start="2024-01-01")
    with pytest.raises(TypeError, match="must hold dates"):
        filter_incidents(pd.DataFrame({"start": ["2024-01-01"]}), start="2024-01-01")
    with pytest.raises(TypeError, match="DataFrame"):
        filter_incidents([1, 2], actor="a")  # type: ignore[arg-type]


def test_public_api():
    assert it.filter_incidents is filter_incidents


def test_precise_to_keeps_records_at_least_that_precise(acled, tmp_path):
    row = acled_tests.acled_row
    mixed = load_acled(
        acled_tests.write_acled(
            tmp_path / "p.csv",
            [row(1), row(2, time_precision="2"), row(3, time_precision="3")],
        )
    )
    assert ids(filter_incidents(mixed, precise_to="day")) == ["TST1"]
    assert ids(filter_incidents(mixed, precise_to="week")) == ["TST1", "TST2"]
    assert ids(filter_incidents(mixed, precise_to="year")) == ["TST1", "TST2", "TST3"]
    with pytest.raises(ValueError, match="precise_to must be one of"):
        filter_incidents(mixed, precise_to="days")
    with pytest.raises(KeyError, match="precise_to"):
        filter_incidents(pd.DataFrame({"x": [1]}), precise_to="day")
