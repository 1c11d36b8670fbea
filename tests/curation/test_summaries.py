"""analysis.curation.summaries and incident_data: counts never shown without their size."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis as it


def _incidents():
    start = pd.to_datetime(
        ["2024-01-01 10:00", "2024-01-01 12:00", "2024-01-03 09:00", "2024-01-03 23:30"]
    ).tz_localize("Asia/Jerusalem")
    return pd.DataFrame(  # SIMULATED incidents in the shape of alerts_to_incidents
        {
            "start": start,
            "weapon": ["drone", "rocket", "rocket", "rocket"],
            "regions": [("עוטף עזה",), ("עוטף עזה", "דן"), ("דן",), ("אילת",)],
            "alert_rows": [1, 696, 3, 2],
            "n_localities": [1, 250, 2, 1],
        }
    )


def test_incident_sizes_show_the_salvo():
    table = it.incident_sizes(_incidents(), by="weapon")
    assert table.loc["rocket", "incidents"] == 3
    assert table.loc["rocket", "alert_rows"] == 701
    assert table.loc["rocket", "largest_incident_alert_rows"] == 696
    assert table["days"].iloc[0] == 3  # 2024-01-01..2024-01-03


def test_multi_region_incidents_count_in_each_region_with_english_names():
    table = it.incident_sizes(_incidents())
    assert set(table.index) == {"Gaza Envelope", "Dan", "Eilat"}
    assert table.loc["Gaza Envelope", "incidents"] == 2 and table.loc["Dan", "incidents"] == 2
    assert table["incidents"].sum() == 5 > len(_incidents())  # said in the note
    assert "counts once in each" in table.attrs["note"]


def test_daily_sizes_are_zero_filled_by_local_day():
    d = it.daily_incident_sizes(_incidents())
    assert list(d.index.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-02", "2024-01-03"]
    assert d["incidents"].tolist() == [2, 0, 2]
    assert d["alert_rows"].tolist() == [697, 0, 5]
    by = it.daily_incident_sizes(_incidents(), by="region", groups=["Dan", "Tel Aviv (none)"])
    assert list(by.columns.get_level_values(0).unique()) == ["Dan", "Tel Aviv (none)"]
    assert by[("Dan", "incidents")].tolist() == [1, 0, 1]
    assert by[("Tel Aviv (none)", "incidents")].sum() == 0  # asked for, kept, zero


def test_sizes_not_recorded_are_na_not_zero():
    canonical = _incidents().drop(columns=["alert_rows", "n_localities", "regions"])
    d = it.daily_incident_sizes(canonical)
    assert d["incidents"].tolist() == [2, 0, 2]
    assert d["alert_rows"].isna().all() and d.attrs["sizes_recorded"] is False
    assert it.incident_sizes(canonical, by="weapon")["alert_rows"].isna().all()


def test_windows_and_errors():
    t = it.incident_sizes(_incidents(), by="weapon", start="2024-01-02", end="2024-01-03")
    assert t["incidents"].sum() == 2 and t["days"].iloc[0] == 2
    with pytest.raises(ValueError, match="end"):
        it.incident_sizes(_incidents(), start="2024-01-03", end="2024-01-01")
    with pytest.raises(ValueError, match="by"):
        it.incident_sizes(_incidents(), by="colour")
    with pytest.raises(TypeError, match="incidents"):
        it.incident_sizes([1, 2])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="groups"):
        it.daily_incident_sizes(_incidents(), by="weapon", groups="drone")  # type: ignore[arg-type]


def test_alert_locality_counts_from_a_match():
    class Match:  # the two attributes alert_locality_counts reads, SIMULATED
        names = pd.DataFrame(
            {
                "name": ["a", "a2", "b", "zzz"],
                "locality": ["A", "A", "B", None],
                "area_en": ["Dan", "Dan", "Eilat", None],
                "lat": [32.0, 32.0, 29.55, None],
                "lng": [34.8, 34.8, 34.95, None],
                "n_occurrences": [5, 2, 1, 4],
            }
        )

    out = it.alert_locality_counts(Match())
    assert out["locality"].tolist() == ["A", "B"] and out["alert_rows"].tolist() == [7, 1]
    assert out.attrs["unplaced"] == 4
    with pytest.raises(TypeError, match="match"):
        it.alert_locality_counts(object())


def test_load_incident_data_says_when_the_alert_history_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "none"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "empty"))
    data = it.load_incident_data(start="2024-01-01", end="2024-01-31")
    assert not data.available and data.kind == "none"
    assert "The alert history is not available on this machine" in data.message
    assert "incident-trends data fetch oref" in data.message


def test_load_incident_data_reads_a_user_file_instead():
    data = it.load_incident_data(incidents_path="data/curated/incidents.csv", weapons=None)
    assert data.kind == "incidents file" and data.default_by == "unit"
    assert len(data.incidents) == 6 and data.alerts is None and data.vintage is None
    with pytest.raises(TypeError, match="weapons"):
        it.load_incident_data(incidents_path="data/curated/incidents.csv", weapons="drone")


def test_select_figures():
    figures = it.load_reported_figures()
    pooled = it.select_figures(
        figures, actor="Islamic Resistance in Iraq", unit="claim", target="Israel",
        weapon=["unknown", "mixed"], pool_weapons=True,
    )  # fmt: skip
    assert len(pooled) > 5 and set(pooled["weapon"]) == {"unknown or mixed"}
    assert set(pooled["measure"]) == {"count"}
    two = it.select_figures(
        figures, figure_ids=["jns-iri-drone-max-24h", "jns-iri-drone-rate-recent-weeks"],
        measure=None,
    )  # fmt: skip
    assert two["figure_id"].tolist() == ["jns-iri-drone-max-24h", "jns-iri-drone-rate-recent-weeks"]
    with pytest.raises(ValueError, match="figure_ids"):
        it.select_figures(figures, figure_ids=["no-such-figure"])
    with pytest.raises(TypeError, match="actor"):
        it.select_figures(figures, actor=3)  # type: ignore[arg-type]
