"""Tests of analysis.curation.clustering (synthetic alerts unless marked shared)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.counts import count_incidents
from analysis.curation.clustering import (
    INCIDENT_SIZE_COLUMNS,
    alerts_to_incidents,
    incident_count_sensitivity,
)
from analysis.curation.localities import match_localities
from analysis.datasets import shared_data_dir
from analysis.errors import DataError
from analysis.io.oref import load_oref_alerts, load_oref_localities

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
SHARED_ALERTS = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_shared = pytest.mark.skipif(not shared_data_dir().is_dir(), reason="../shared absent")
T0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")


AREA_EN = {"אילת": "Eilat", "קו העימות": "Confrontation Line", "עוטף עזה": "Gaza Envelope"}


@pytest.fixture(scope="module")
def shared_alerts():
    """The shared alert history and its locality match (read once for the module)."""
    alerts = load_oref_alerts(SHARED_ALERTS)
    return alerts, match_localities(alerts)


def _alerts(minutes, categories, data=None, index=None) -> pd.DataFrame:
    """Synthetic alert table (made up for the tests), with only the source column ``data``."""
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


def _placed(minutes, categories, areas=None, index=None) -> pd.DataFrame:
    """Synthetic alerts with their locality columns joined (one locality per area, made up)."""
    alerts = _alerts(minutes, categories, index=index)
    areas = areas if areas is not None else [("אילת",)] * len(alerts)
    areas = [(a,) if isinstance(a, str) else tuple(a) for a in areas]
    alerts["localities"] = [tuple(f"place in {x}" for x in a) for a in areas]
    alerts["unmatched_names"] = [()] * len(alerts)
    alerts["areas_he"] = areas
    alerts["areas_en"] = [tuple(AREA_EN.get(x, x) for x in a) for a in areas]
    return alerts


def test_chaining_within_gap_makes_one_incident():
    inc = alerts_to_incidents(_placed([0, 8, 16, 24], [1, 1, 1, 1]), gap="10min")
    assert len(inc) == 1
    assert inc.loc[0, "start"] == T0
    assert inc.loc[0, "end"] == T0 + pd.Timedelta(minutes=24)
    assert inc.loc[0, "alert_rows"] == 4


def test_gap_is_inclusive_and_larger_gap_splits():
    inc = alerts_to_incidents(_placed([0, 10, 21], [1, 1, 1]), gap="10min")
    assert inc["alert_rows"].tolist() == [2, 1]


def test_categories_are_clustered_separately():
    inc = alerts_to_incidents(_placed([0, 1, 2, 3], [1, 2, 1, 2]), gap="10min")
    assert sorted(zip(inc["weapon"], inc["alert_rows"], strict=True)) == [
        ("drone", 2),
        ("rocket", 2),
    ]


def test_by_none_merges_categories():
    inc = alerts_to_incidents(_placed([0, 1, 2, 3], [1, 2, 1, 2]), gap="10min", by=None)
    assert inc["alert_rows"].tolist() == [4]


def test_unsorted_input_and_index_do_not_matter():
    alerts = _placed([30, 0, 5, 100], [1, 1, 1, 1], index=["d", "a", "b", "c"])
    inc = alerts_to_incidents(alerts, gap="10min")
    assert inc["alert_ids"].tolist() == [("oref-2", "oref-3"), ("oref-1",), ("oref-4",)]
    assert inc["incident_id"].tolist() == ["inc-oref-2", "inc-oref-1", "inc-oref-4"]


def test_canonical_columns():
    inc = alerts_to_incidents(_placed([0, 1], [2, 2]))
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
    alerts = _placed(minutes, categories)
    for gap in ("0min", "3min", "10min", "1h"):
        inc = alerts_to_incidents(alerts, gap=gap)
        ids = [a for ids in inc["alert_ids"] for a in ids]
        assert sorted(ids) == sorted(alerts["incident_id"])
        assert inc["alert_rows"].sum() == len(alerts)
        assert (inc["alert_ids"].map(len) == inc["alert_rows"]).all()


def test_incidents_satisfy_the_gap_rule_random():
    # within an incident consecutive alerts are <= gap apart; consecutive incidents of a
    # category are > gap apart (checked against a plain loop, the definition itself)
    rng = np.random.default_rng(7)
    minutes = rng.integers(0, 2_000, size=300)
    categories = rng.choice([1, 2], size=300).tolist()
    alerts = _placed(minutes, categories)
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
    alerts = _placed([0, 5, 12, 30, 6], [1, 1, 1, 1, 2])
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
    inc = alerts_to_incidents(alerts, match=match, within="country")
    first = inc.iloc[0]
    assert first["n_localities"] == 4  # אילת, שדרות איבים, נתיבות, unmatched כפר בדוי
    assert first["areas"] == ("אילת", "עוטף עזה", "מערב הנגב")
    assert first["areas_en"] == ("Eilat", "Gaza Envelope", "West Negev")
    assert inc.iloc[1]["areas"] == ("קו העימות",)
    joined = alerts.join(match.to_frame())
    assert alerts_to_incidents(joined, within="country")["n_localities"].tolist() == [4, 1]


def test_regions_from_a_match_link_an_alert_of_two_areas():
    tables = load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    data = ["אילת", "שדרות, איבים, נתיבות", "אילת", "מטולה"]
    alerts = _alerts([0, 1, 2, 60], [1, 1, 1, 1], data=data)
    inc = alerts_to_incidents(alerts, match=match_localities(alerts, tables))
    assert inc["alert_ids"].tolist() == [("oref-1", "oref-3"), ("oref-2",), ("oref-4",)]
    assert inc["region"].tolist() == ["אילת", "עוטף עזה | מערב הנגב", "קו העימות"]
    assert inc.loc[1, "n_areas"] == 2


def test_without_locality_tables_counts_are_missing_not_zero(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "no-cache"))
    inc = alerts_to_incidents(_alerts([0], [1]), within="country")
    assert pd.isna(inc.loc[0, "n_localities"]) and pd.isna(inc.loc[0, "n_areas"])
    assert inc.loc[0, "areas"] == ()


def test_regions_without_locality_tables_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "no-cache"))
    with pytest.raises(DataError, match="within='country'"):
        alerts_to_incidents(_alerts([0], [1]))


def test_match_for_other_table_is_refused():
    tables = load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )
    alerts = _alerts([0, 1], [1, 1])
    match = match_localities(alerts.iloc[:1], tables)
    with pytest.raises(ValueError, match="index differs"):
        alerts_to_incidents(alerts, match=match)


def test_missing_time_is_an_error():
    alerts = _placed([0, 1], [1, 1])
    alerts.loc[1, "start"] = pd.NaT
    with pytest.raises(DataError, match="missing alert time"):
        alerts_to_incidents(alerts)


def test_missing_column_is_an_error():
    with pytest.raises(DataError, match="column 'category'"):
        alerts_to_incidents(_placed([0], [1]).drop(columns="category"))


def test_empty_table_gives_empty_incidents():
    inc = alerts_to_incidents(_placed([], []))
    assert len(inc) == 0
    assert {"alert_rows", *INCIDENT_SIZE_COLUMNS} <= set(inc.columns)


@needs_shared
def test_shared_history_incidents_in_the_war_year(shared_alerts):
    alerts, match = shared_alerts
    inc = alerts_to_incidents(alerts, gap="10min", within="country", match=match)
    assert inc["alert_rows"].sum() == len(alerts) == 42_002
    window = (inc["start"] >= pd.Timestamp("2023-10-07", tz="Asia/Jerusalem")) & (
        inc["start"] < pd.Timestamp("2024-10-13", tz="Asia/Jerusalem")
    )
    counts = inc.loc[window, "weapon"].value_counts()
    # the values measured when this module was written (see its docstring)
    assert counts["drone"] == 465
    assert counts["rocket"] == 2_441
    by_gap = [
        (inc_g := alerts_to_incidents(alerts, gap=g, within="country", match=match))
        .loc[inc_g["start"] >= pd.Timestamp("2023-10-07", tz="Asia/Jerusalem")]
        .shape[0]
        for g in ("1min", "10min", "30min")
    ]
    assert by_gap[0] > by_gap[1] > by_gap[2]


def test_empty_table_keeps_the_time_zone_of_start_and_end():
    inc = alerts_to_incidents(_alerts([0], [1]).iloc[:0])
    assert str(inc["start"].dtype) == str(inc["end"].dtype) == str(_alerts([0], [1])["start"].dtype)


def test_without_data_names_counts_are_missing_not_zero():
    inc = alerts_to_incidents(_alerts([0], [1]).drop(columns="data"), within="country")
    assert pd.isna(inc.loc[0, "n_localities"]) and inc.loc[0, "areas"] == ()


@needs_shared
def test_without_a_match_the_default_locality_tables_are_used():
    alerts = _alerts([0, 1], [1, 1], data=["אילת", "אילת, מטולה"])
    inc = alerts_to_incidents(alerts)
    assert inc.loc[0, "n_localities"] == 2
    assert inc.loc[0, "areas_en"] == ("Eilat", "Confrontation Line")


# --- regions -----------------------------------------------------------------------------


def test_simultaneous_alerts_in_two_regions_are_two_incidents():
    alerts = _placed([0, 1, 2, 3], [1, 1, 1, 1], areas=["אילת", "קו העימות", "אילת", "קו העימות"])
    inc = alerts_to_incidents(alerts)
    assert sorted(zip(inc["region"], inc["alert_rows"], strict=True)) == [
        ("אילת", 2),
        ("קו העימות", 2),
    ]


def test_within_country_chains_alerts_far_apart():
    alerts = _placed([0, 1, 2, 3], [1, 1, 1, 1], areas=["אילת", "קו העימות", "אילת", "קו העימות"])
    inc = alerts_to_incidents(alerts, within="country")
    assert inc["alert_rows"].tolist() == [4]
    assert inc.loc[0, "region"] == "country"
    assert inc.loc[0, "regions"] == ("אילת", "קו העימות")


def test_an_alert_in_two_regions_links_their_chains():
    areas = ["אילת", ("אילת", "קו העימות"), "קו העימות", "קו העימות"]
    inc = alerts_to_incidents(_placed([0, 1, 8, 30], [1, 1, 1, 1], areas=areas))
    assert inc["alert_ids"].tolist() == [("oref-1", "oref-2", "oref-3"), ("oref-4",)]
    assert inc.loc[0, "region"] == "אילת | קו העימות"
    assert inc["alert_rows"].sum() == 4


def test_alerts_without_a_known_area_are_chained_together():
    alerts = _placed([0, 1, 2], [1, 1, 1], areas=[(), (), "אילת"])
    inc = alerts_to_incidents(alerts)
    assert sorted(zip(inc["region"], inc["alert_rows"], strict=True)) == [
        ("(no known area)", 2),
        ("אילת", 1),
    ]


def test_an_area_missing_from_the_region_table_is_refused():
    alerts = _placed([0], [1], areas=["אזור שאין"])
    with pytest.raises(DataError) as info:
        alerts_to_incidents(alerts)
    [problem] = info.value.problems
    assert (problem.column, problem.value) == ("area_he", "אזור שאין")


def test_country_wide_clustering_also_needs_every_area_in_the_table():
    alerts = _placed([0], [1], areas=["אזור שאין"])
    with pytest.raises(DataError, match="area-to-region table"):
        alerts_to_incidents(alerts, within="country")


def test_alerts_must_be_a_frame():
    with pytest.raises(TypeError, match="alerts must be a pandas DataFrame"):
        alerts_to_incidents([1, 2])  # type: ignore[arg-type]


def test_a_custom_region_table_groups_areas():
    regions = pd.DataFrame({"area_he": ["אילת", "קו העימות"], "region": ["all", "all"]})
    alerts = _placed([0, 1], [1, 1], areas=["אילת", "קו העימות"])
    inc = alerts_to_incidents(alerts, regions=regions)
    assert inc["alert_rows"].tolist() == [2]
    assert inc.loc[0, "region"] == "all"


def test_within_must_be_region_or_country():
    with pytest.raises(ValueError, match="within"):
        alerts_to_incidents(_placed([0], [1]), within="nation")  # type: ignore[arg-type]


# --- size ----------------------------------------------------------------------------------


def test_incident_keeps_its_size():
    areas = ["עוטף עזה", ("עוטף עזה", "אילת"), "עוטף עזה"]
    alerts = _placed([0, 3, 15], [1, 1, 1], areas=areas)
    alerts.at[2, "localities"] = ("place in עוטף עזה",)
    inc = alerts_to_incidents(alerts, gap="15min")
    row = inc.iloc[0]
    assert (row["alert_rows"], row["n_localities"], row["n_areas"]) == (3, 2, 2)
    assert row["duration"] == pd.Timedelta(minutes=15)
    assert row["duration_min"] == 15
    assert row["quantity"] == 1


def test_a_single_alert_lasts_zero_minutes():
    inc = alerts_to_incidents(_placed([0], [1]))
    assert inc.loc[0, "duration_min"] == 0 and inc["duration_min"].dtype == "int64"


@pytest.mark.parametrize(
    ("weight", "total"),
    [("alert_rows", 5), ("n_localities", 2), ("n_areas", 2), ("duration_min", 3)],
)
def test_counts_can_be_weighted_by_each_size_column(weight, total):
    alerts = _placed([0, 1, 2, 600, 601], [1, 1, 1, 1, 1])
    counts = count_incidents(alerts_to_incidents(alerts), weight=weight)
    assert counts.sum() == total


def test_size_columns_are_the_documented_ones():
    assert INCIDENT_SIZE_COLUMNS == ("alert_rows", "n_localities", "n_areas", "duration_min")


# --- sensitivity ---------------------------------------------------------------------------


def test_sensitivity_counts_by_gap_and_grouping():
    alerts = _placed([0, 8, 30], [1, 1, 1], areas=["אילת", "קו העימות", "אילת"])
    table = incident_count_sensitivity(alerts, gaps=("5min", "10min", "30min"))
    assert table[("rocket", "region")].tolist() == [3, 3, 2]
    assert table[("rocket", "country")].tolist() == [3, 2, 1]
    assert table.index.name == "gap" and table.index[0] == pd.Timedelta("5min")


def test_sensitivity_counts_only_the_window():
    alerts = _placed([0, 60 * 24], [1, 1])
    table = incident_count_sensitivity(
        alerts, gaps=("10min",), start="2024-01-02", end="2024-01-02"
    )
    assert table[("rocket", "region")].tolist() == [1]


def test_sensitivity_refuses_a_number_as_a_date():
    with pytest.raises(ValueError, match="start=20240101 is a number"):
        incident_count_sensitivity(_placed([0], [1]), start=20240101)


def test_a_number_as_a_gap_is_refused():
    with pytest.raises(ValueError, match="gap=10 is a number without a unit"):
        alerts_to_incidents(_placed([0], [1]), gap=10)  # type: ignore[arg-type]


@needs_shared
def test_shared_history_counts_by_gap_and_grouping(shared_alerts):
    """The table in the module docstring, on the shared 2014-2024 history."""
    alerts, match = shared_alerts
    table = incident_count_sensitivity(alerts, match=match, start="2023-10-07", end="2024-10-12")
    assert table["drone"].to_dict("list") == {
        "region": [599, 563, 512],
        "country": [492, 465, 416],
    }
    assert table["rocket"].to_dict("list") == {
        "region": [3_843, 3_527, 2_935],
        "country": [2_734, 2_441, 1_827],
    }


@needs_shared
def test_shared_history_salvo_of_13_14_april_2024_keeps_its_size(shared_alerts):
    alerts, _ = shared_alerts
    night = (alerts["start"] >= pd.Timestamp("2024-04-13 18:00", tz="Asia/Jerusalem")) & (
        alerts["start"] < pd.Timestamp("2024-04-14 06:00", tz="Asia/Jerusalem")
    )
    inc = alerts_to_incidents(alerts.loc[night], within="country")
    assert len(alerts.loc[night]) == inc["alert_rows"].sum() == 696
    largest = inc.loc[inc["alert_rows"].idxmax()]
    assert (largest["alert_rows"], largest["n_localities"], largest["n_areas"]) == (688, 164, 10)
    assert largest["duration_min"] == 15
    assert len(alerts_to_incidents(alerts.loc[night])) == 16


def test_incident_table_is_a_valid_canonical_incident_table():
    from analysis.curation.validate import validate_incidents

    inc = alerts_to_incidents(_placed([0, 1, 30], [1, 2, 1]))
    report = validate_incidents(inc)
    assert report.ok, report.summary()


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text column as Python objects: the path the arrow shortcuts replaced."""
    out = frame.copy()
    for name in out.columns:
        if isinstance(out[name].dtype, pd.StringDtype):
            out[name] = out[name].astype(object)
    return out


def _simulated_alerts(seed: int, process: str) -> pd.DataFrame:
    """SIMULATED alerts: daily totals from simulate_counts, areas and names from a small list,
    some missing weapons, sources and localities, two alerts sharing a minute and an area."""
    from analysis.validation import PROCESSES, simulate_counts

    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES[process], 60, 25.0, rng, start=pd.Timestamp("2024-03-20"))
    day = np.repeat(np.arange(60), sim.counts.to_numpy())
    n = len(day)
    minutes = day * 1440 + rng.integers(0, 1440, n)
    areas = list(AREA_EN)
    k = rng.integers(0, 3, n)
    weapon = np.array(["rocket", "drone", None], dtype=object)[rng.integers(0, 3, n)]
    return pd.DataFrame(
        {
            "incident_id": [f"sim-{i}" for i in range(n)],
            "start": pd.Timestamp("2024-03-20", tz="Asia/Jerusalem")
            + pd.to_timedelta(minutes, unit="min"),
            "category": rng.choice([1, 2, 2, 13], n),
            "weapon": pd.Series(weapon, dtype="str"),
            "source_name": pd.Series(np.where(rng.random(n) < 0.1, None, "HFC"), dtype="str"),
            "localities": [() if j == 2 else (f"loc-{j}-{i % 7}",) for i, j in enumerate(k)],
            "unmatched_names": [("?",) if j == 1 else () for j in k],
            "areas_he": [() if j == 2 else (areas[j],) for j in k],
            "areas_en": [() if j == 2 else (AREA_EN[areas[j]],) for j in k],
        }
    )


@pytest.mark.parametrize(("seed", "process"), [(1, "poisson"), (2, "nb5+ar0.8")])
def test_text_held_by_pyarrow_gives_the_incidents_of_python_strings(seed, process):
    alerts = _simulated_alerts(seed, process)
    assert len(alerts) > 1000 and alerts["weapon"].hasnans
    for within in ("region", "country"):
        for gap in ("0min", "10min", "45min"):
            got = alerts_to_incidents(alerts, gap=gap, within=within)
            want = alerts_to_incidents(_as_objects(alerts), gap=gap, within=within)
            assert got["alert_rows"].sum() == len(alerts)
            pd.testing.assert_frame_equal(got, want, check_exact=True)


@needs_shared
def test_default_locality_matching_of_arrow_text_is_that_of_python_strings(shared_alerts):
    alerts = shared_alerts[0]
    part = alerts.iloc[::5].copy()
    part.loc[part.index[:40], "data"] = None  # missing localities read as ""
    for within in ("region", "country"):
        got = alerts_to_incidents(part, within=within)
        want = alerts_to_incidents(_as_objects(part), within=within)
        pd.testing.assert_frame_equal(got, want, check_exact=True)
