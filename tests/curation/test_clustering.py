"""Tests of analysis.curation.clustering (synthetic alerts unless marked shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.curation.clustering import alerts_to_incidents
from analysis.curation.localities import match_localities
from analysis.datasets import shared_data_dir
from analysis.errors import DataError
from analysis.io.oref import load_oref_alerts, load_oref_localities

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
SHARED_ALERTS = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_shared = pytest.mark.skipif(not shared_data_dir().is_dir(), reason="../shared absent")
T0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")


def _alerts(minutes, categories, data=None, index=None) -> pd.DataFrame:
    """Synthetic alert table (made up for the tests)."""
    n = len(minutes)
    weapon = {1: "rocket", 2: "drone"}
    return pd.DataFrame(
        {
            "incident_id": [f"oref-{i + 1}" for i in range(n)],
            "start": T0 + pd.to_timedelta(minutes, unit="min"),
            "category": categories,
            "weapon": [weapon.get(c, "other") for c in categories],
            "time_precision": "minute",
            "source_name": "synthetic",
            "source_url": "https://example.invalid/synthetic",
            "data": data if data is not None else ["אילת"] * n,
        },
        index=index,
    )


def test_chaining_within_gap_makes_one_incident():
    inc = alerts_to_incidents(_alerts([0, 8, 16, 24], [1, 1, 1, 1]), gap="10min")
    assert len(inc) == 1
    assert inc.loc[0, "start"] == T0
    assert inc.loc[0, "end"] == T0 + pd.Timedelta(minutes=24)
    assert inc.loc[0, "n_alerts"] == 4


def test_gap_is_inclusive_and_larger_gap_splits():
    inc = alerts_to_incidents(_alerts([0, 10, 21], [1, 1, 1]), gap="10min")
    assert inc["n_alerts"].tolist() == [2, 1]


def test_categories_are_clustered_separately():
    inc = alerts_to_incidents(_alerts([0, 1, 2, 3], [1, 2, 1, 2]), gap="10min")
    assert sorted(zip(inc["weapon"], inc["n_alerts"], strict=True)) == [("drone", 2), ("rocket", 2)]


def test_by_none_merges_categories():
    inc = alerts_to_incidents(_alerts([0, 1, 2, 3], [1, 2, 1, 2]), gap="10min", by=None)
    assert inc["n_alerts"].tolist() == [4]


def test_unsorted_input_and_index_do_not_matter():
    alerts = _alerts([30, 0, 5, 100], [1, 1, 1, 1], index=["d", "a", "b", "c"])
    inc = alerts_to_incidents(alerts, gap="10min")
    assert inc["alert_ids"].tolist() == [("oref-2", "oref-3"), ("oref-1",), ("oref-4",)]
    assert inc["incident_id"].tolist() == ["inc-oref-2", "inc-oref-1", "inc-oref-4"]


def test_canonical_columns():
    inc = alerts_to_incidents(_alerts([0, 1], [2, 2]))
    row = inc.iloc[0]
    assert (row["unit"], row["quantity"], row["weapon"]) == ("incident", 1, "drone")
    assert row["time_precision"] == "minute"
    assert row["source_url"] == "https://example.invalid/synthetic"
    assert row["gap"] == pd.Timedelta("10min")
    assert str(inc["start"].dt.tz) == "Asia/Jerusalem"


def test_every_alert_in_exactly_one_incident_random():
    rng = np.random.default_rng(20241012)
    minutes = np.sort(rng.exponential(7.0, size=500).cumsum()).round()
    categories = rng.choice([1, 2, 10], size=500).tolist()
    alerts = _alerts(minutes, categories)
    for gap in ("0min", "3min", "10min", "1h"):
        inc = alerts_to_incidents(alerts, gap=gap)
        ids = [a for ids in inc["alert_ids"] for a in ids]
        assert sorted(ids) == sorted(alerts["incident_id"])
        assert inc["n_alerts"].sum() == len(alerts)
        assert (inc["alert_ids"].map(len) == inc["n_alerts"]).all()


def test_incidents_satisfy_the_gap_rule_random():
    # within an incident consecutive alerts are <= gap apart; consecutive incidents of a
    # category are > gap apart (checked against a plain loop, the definition itself)
    rng = np.random.default_rng(7)
    minutes = rng.integers(0, 2_000, size=300)
    categories = rng.choice([1, 2], size=300).tolist()
    alerts = _alerts(minutes, categories)
    inc = alerts_to_incidents(alerts, gap="15min")
    expected = 0
    for _, times in alerts.groupby("category")["start"]:
        last = None
        for t in times.sort_values():
            if last is None or t - last > pd.Timedelta("15min"):
                expected += 1
            last = t
    assert len(inc) == expected
    for _, group in inc.groupby("category"):
        group = group.sort_values("start")
        assert (
            group["start"].to_numpy()[1:] - group["end"].to_numpy()[:-1] > np.timedelta64(15, "m")
        ).all()


def test_count_decreases_as_gap_grows():
    alerts = _alerts([0, 5, 12, 30, 6], [1, 1, 1, 1, 2])
    counts = [len(alerts_to_incidents(alerts, gap=g)) for g in ("1min", "5min", "10min", "30min")]
    assert counts == [5, 4, 3, 2]


def test_localities_and_areas_from_a_match():
    tables = load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    alerts = _alerts(
        [0, 1, 2, 60],
        [1, 1, 1, 1],
        data=["אילת", "שדרות, איבים, נתיבות", "אילת, כפר בדוי", "מטולה"],
    )
    match = match_localities(alerts, tables)
    inc = alerts_to_incidents(alerts, match=match)
    first = inc.iloc[0]
    assert first["n_localities"] == 4  # אילת, שדרות איבים, נתיבות, unmatched כפר בדוי
    assert first["areas"] == ("אילת", "עוטף עזה", "מערב הנגב")
    assert first["areas_en"] == ("Eilat", "Gaza Envelope", "West Negev")
    assert inc.iloc[1]["areas"] == ("קו העימות",)
    joined = alerts.join(match.to_frame())
    assert alerts_to_incidents(joined)["n_localities"].tolist() == [4, 1]


def test_without_locality_tables_counts_are_missing_not_zero(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "no-cache"))
    inc = alerts_to_incidents(_alerts([0], [1]))
    assert pd.isna(inc.loc[0, "n_localities"])
    assert inc.loc[0, "areas"] == ()


def test_match_for_other_table_is_refused():
    tables = load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    alerts = _alerts([0, 1], [1, 1])
    match = match_localities(alerts.iloc[:1], tables)
    with pytest.raises(ValueError, match="index differs"):
        alerts_to_incidents(alerts, match=match)


def test_missing_time_is_an_error():
    alerts = _alerts([0, 1], [1, 1])
    alerts.loc[1, "start"] = pd.NaT
    with pytest.raises(DataError, match="missing alert time"):
        alerts_to_incidents(alerts)


def test_missing_column_is_an_error():
    with pytest.raises(DataError, match="column 'category'"):
        alerts_to_incidents(_alerts([0], [1]).drop(columns="category"))


def test_empty_table_gives_empty_incidents():
    inc = alerts_to_incidents(_alerts([], []))
    assert len(inc) == 0
    assert "n_alerts" in inc.columns


@needs_shared
def test_shared_history_incidents_in_the_war_year():
    alerts = load_oref_alerts(SHARED_ALERTS)
    inc = alerts_to_incidents(alerts, gap="10min")
    assert inc["n_alerts"].sum() == len(alerts) == 42_002
    window = (inc["start"] >= pd.Timestamp("2023-10-07", tz="Asia/Jerusalem")) & (
        inc["start"] < pd.Timestamp("2024-10-13", tz="Asia/Jerusalem")
    )
    counts = inc.loc[window, "weapon"].value_counts()
    # the values measured when this module was written (see its docstring)
    assert counts["drone"] == 465
    assert counts["rocket"] == 2_441
    by_gap = [
        (inc_g := alerts_to_incidents(alerts, gap=g))
        .loc[inc_g["start"] >= pd.Timestamp("2023-10-07", tz="Asia/Jerusalem")]
        .shape[0]
        for g in ("1min", "10min", "30min")
    ]
    assert by_gap[0] > by_gap[1] > by_gap[2]


def test_empty_table_keeps_the_time_zone_of_start_and_end():
    inc = alerts_to_incidents(_alerts([0], [1]).iloc[:0])
    assert str(inc["start"].dtype) == str(inc["end"].dtype) == str(_alerts([0], [1])["start"].dtype)


def test_without_data_names_counts_are_missing_not_zero():
    inc = alerts_to_incidents(_alerts([0], [1]).drop(columns="data"))
    assert pd.isna(inc.loc[0, "n_localities"]) and inc.loc[0, "areas"] == ()


@needs_shared
def test_without_a_match_the_default_locality_tables_are_used():
    alerts = _alerts([0, 1], [1, 1], data=["אילת", "אילת, מטולה"])
    inc = alerts_to_incidents(alerts)
    assert inc.loc[0, "n_localities"] == 2
    assert inc.loc[0, "areas_en"] == ("Eilat", "Confrontation Line")
