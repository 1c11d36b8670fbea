"""Tests of analysis.curation.localities (synthetic tables in tests/fixtures/oref/).

The rate test on the real history reads the shared files when present and is
skipped only when ``../shared`` is absent (a missing file inside it fails); its
thresholds are SOURCE.md's measured figures minus 0.2 percentage point.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import pytest

from analysis.curation.localities import METHODS, LocalityMatch, fold_name, match_localities
from analysis.datasets import shared_data_dir
from analysis.io.oref import load_oref_alerts, load_oref_localities

matplotlib.use("Agg")

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
SHARED = shared_data_dir()
SHARED_ALERTS = SHARED / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
SHARED_LOCALITIES = SHARED / "oref-localities" / "oref_localities_merged.csv"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared absent")


@pytest.fixture(scope="module")
def tables():
    return load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )


def _one(tables, data: str) -> pd.Series:
    return match_localities([data], tables).rows.iloc[0]


def _method(tables, name: str) -> str:
    names = match_localities([name], tables).names
    return names.set_index("name").loc[name, "method"]


def test_fold_name_quotes_and_hyphens():
    assert fold_name('בני עי"ש') == fold_name("בני עי''ש") == fold_name("בני עי׳ש")
    assert fold_name("אום אל-גנם") == "אום אל גנם"
    assert fold_name("  a ,  b   c ") == "a,b c"


def test_official_name_with_comma_is_one_locality(tables):
    row = _one(tables, "שדרות, איבים")
    assert row["localities"] == ("שדרות, איבים",)
    assert row["n_names"] == 1


def test_longest_run_wins_then_rest_is_split(tables):
    row = _one(tables, "שדרות, איבים, נתיבות")
    assert row["names"] == ("שדרות, איבים", "נתיבות")


def test_single_piece_that_is_also_a_name_stays_alone(tables):
    row = _one(tables, "נתיבות, איבים")
    assert row["localities"] == ("נתיבות", "איבים")


def test_comma_without_spaces_inside_official_name(tables):
    row = _one(tables, "אשדוד - א,ב,ד,ה, אילת")
    assert row["localities"] == ("אשדוד - א,ב,ד,ה", "אילת")
    assert row["areas_en"] == ("Lachish", "Eilat")


def test_spelling_fold_matches(tables):
    assert _method(tables, 'בני עי"ש') == "folded"


def test_exact_match(tables):
    assert _method(tables, "מטולה") == "exact"


def test_renamed_name_falls_back_to_dropped_names(tables):
    assert _method(tables, "אום אל גנם") == "renamed"
    assert _one(tables, "אום אל גנם")["areas_he"] == ("העמקים",)


def test_alias(tables):
    assert _method(tables, "מבטחים עמיעוז ישע") == "alias"
    assert _one(tables, "'ביר הדאג")["localities"] == ("ביר הדאג'",)


def test_old_zone_by_code_whatever_the_prefix(tables):
    row = _one(tables, "באר שבע 289, אשקלון 224")
    assert row["localities"] == ("מרכז הנגב 289", "עוטף עזה 224")
    assert row["areas_he"] == ("מערב הנגב", "עוטף עזה")
    assert row["areas_en"] == ("West Negev", "Gaza Envelope")
    names = match_localities(["באר שבע 289"], tables).names
    assert names["zone_code"].tolist() == [289]


def test_old_zone_without_modern_area_is_matched_without_area(tables):
    row = _one(tables, "חיפה והקריות 78")
    assert row["matched"]
    assert row["areas_he"] == ()


def test_unmatched_names_are_kept_and_counted(tables):
    m = match_localities(["כפר בדוי, אילת", "כפר בדוי", "אילת"], tables)
    assert m.unmatched.to_dict("list") == {"name": ["כפר בדוי"], "n_occurrences": [2]}
    assert m.rows["unmatched_names"].tolist() == [("כפר בדוי",), ("כפר בדוי",), ()]
    assert m.rows["matched"].tolist() == [False, False, True]


def test_row_without_names_is_unmatched_and_reported(tables):
    m = match_localities(["אילת", ""], tables)
    assert m.rows["matched"].tolist() == [True, False]
    assert "1 rows name no locality" in m.summary()


def test_match_rates(tables):
    m = match_localities(["כפר בדוי, אילת", "מטולה", "אילת", "מטולה"], tables)
    rate = m.match_rate
    assert rate["rows"] == pytest.approx(3 / 4)
    assert rate["names"] == pytest.approx(2 / 3)
    assert rate["occurrences"] == pytest.approx(4 / 5)


def test_coordinates_are_mean_of_matched(tables):
    row = _one(tables, "מטולה, אילת, כפר בדוי")
    assert row["lat"] == pytest.approx((33.20 + 29.50) / 2)
    assert row["lng"] == pytest.approx((35.50 + 34.90) / 2)


def test_index_is_kept(tables):
    data = pd.Series(["אילת", "מטולה"], index=[10, 20])
    assert match_localities(data, tables).rows.index.tolist() == [10, 20]


def test_dataframe_input_gives_per_year_rates_and_first_seen(tables):
    alerts = pd.DataFrame(
        {
            "data": ["אילת", "כפר בדוי", "מטולה"],
            "start": pd.to_datetime(["2019-01-01", "2019-06-01", "2024-01-01"]).tz_localize(
                "Asia/Jerusalem"
            ),
        }
    )
    m = match_localities(alerts, tables)
    assert m.by_year["match_rate"].to_dict() == {2019: 0.5, 2024: 1.0}
    assert m.unmatched["first_seen"].iloc[0] == alerts["start"].iloc[1]


def test_result_object_contract(tables):
    m = match_localities(["אילת", "כפר בדוי"], tables)
    assert isinstance(m, LocalityMatch)
    assert "unmatched: 1 names" in m.summary()
    assert "כפר בדוי" in repr(m)
    d = m.to_dict()
    assert d["unmatched"] == {"כפר בדוי": 1}
    assert set(d["by_method"]) == set(METHODS)
    assert m.to_frame().shape[0] == 2
    ax = m.plot()
    assert ax.get_ylabel() == "distinct names"
    with pytest.raises(AttributeError):
        m.match_rate = {}  # type: ignore[misc]


def test_missing_column_is_a_clear_error(tables):
    with pytest.raises(KeyError, match="'data'"):
        match_localities(pd.DataFrame({"x": ["a"]}), tables)


@pytest.fixture(scope="module")
def shared_match():
    alerts = load_oref_alerts(SHARED_ALERTS)
    return alerts, match_localities(alerts)


@needs_shared
def test_shared_history_match_rates_reach_source_md(shared_match):
    alerts, m = shared_match
    rate = m.match_rate
    # SOURCE.md: 99.0% of distinct names, 99.5% of rows; we allow 0.2 point less
    assert rate["names"] >= 0.988
    assert rate["rows"] >= 0.993
    window = (alerts["start"] >= pd.Timestamp("2023-10-07", tz="Asia/Jerusalem")) & (
        alerts["start"] < pd.Timestamp("2024-10-13", tz="Asia/Jerusalem")
    )
    assert m.rows.loc[window, "matched"].all()
    # what stays unmatched is visible and almost all from before July 2019
    late = m.unmatched["first_seen"] >= pd.Timestamp("2019-07-01", tz="Asia/Jerusalem")
    assert m.unmatched.loc[late, "n_occurrences"].sum() <= 0.05 * m.unmatched["n_occurrences"].sum()
    ax = m.plot()
    assert ax.get_ylabel() == "rows matched (%)"


@needs_shared
def test_shared_history_comma_aware_split_beats_naive_split(shared_match):
    # the point of the comma-aware split: official names with commas occur and match whole
    alerts, ours = shared_match
    assert ours.rows["localities"].explode().dropna().str.contains(",").sum() > 100
    pieces = alerts["data"].str.split(",").explode().str.strip()
    naive = match_localities(pd.Series(pieces.unique()))
    assert naive.match_rate["names"] < ours.match_rate["names"] - 0.02


def test_nothing_to_match_reads_n_a_and_is_strict_json(tables):
    import json

    m = match_localities([], tables)
    assert "n/a of distinct names" in m.summary() and "nan" not in m.summary()
    d = json.loads(json.dumps(m.to_dict(), allow_nan=False))
    assert d["match_rate"] == {"rows": None, "names": None, "occurrences": None}
