"""deduplicate: merging records of one incident from several sources, review table, overrides.

Every record here is SIMULATED or hand-made (the loaders' fixtures are the project's own
SIMULATED files), never a real report.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis.curation.dedupe import Deduplication, _spans, deduplicate, read_dedupe_overrides
from analysis.datasets import PROJECT_ROOT
from analysis.errors import DataError


@pytest.fixture
def plt():
    pyplot = pytest.importorskip("matplotlib.pyplot")
    yield pyplot
    pyplot.close("all")


OVERRIDES = PROJECT_ROOT / "data" / "curated" / "dedupe_overrides.csv"


def recs(rows, **extra):
    """Records from (id, start, source[, unit[, precision]]) tuples; actor 'A' unless given."""
    out = pd.DataFrame(
        [
            {
                "incident_id": r[0],
                "start": pd.Timestamp(r[1]),
                "source_name": r[2],
                "unit": r[3] if len(r) > 3 else "launch",
                "time_precision": r[4] if len(r) > 4 else "day",
                "actor": "A",
            }
            for r in rows
        ]
    )
    for k, v in extra.items():
        out[k] = v
    return out


def cluster_of(result, rid):
    review = result.review.set_index("incident_id")
    return review.loc[rid, "cluster_id"]


def assert_every_record_maps_once(table, result):
    review = result.review
    assert len(review) == len(table)
    assert list(review["incident_id"]) == list(table["incident_id"].astype(str))
    assert set(review["cluster_id"]) == set(result.merged["cluster_id"])
    assert int(result.merged["n_records"].sum()) == len(table)
    listed = [i for ids in result.merged["record_ids"] for i in ids.split(" | ")]
    assert sorted(listed) == sorted(table["incident_id"].astype(str))


# ----------------------------------------------------------------- matching rules


def test_two_sources_one_day_apart_merge_and_keep_both_sources():
    t = recs([("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-05", "sheet")])
    r = deduplicate(t)
    assert_every_record_maps_once(t, r)
    assert r.n_incidents == 1
    row = r.to_frame().iloc[0]
    assert row["record_ids"] == "a1 | b1" and row["sources"] == "ACLED | sheet"
    assert row["start"] == pd.Timestamp("2024-11-04")
    assert set(r.review["status"]) == {"merged"}
    assert "1 days apart" in r.review.set_index("incident_id").loc["b1", "reason"]


def test_tolerance_bounds_the_gap():
    t = recs([("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-06", "sheet")])
    assert deduplicate(t, tolerance="1D").n_incidents == 2
    assert deduplicate(t, tolerance="2D").n_incidents == 1
    assert deduplicate(t, tolerance="0D").n_incidents == 2


def test_never_across_units():
    t = recs([("a1", "2024-11-04", "ACLED", "claim"), ("b1", "2024-11-04", "sheet", "launch")])
    r = deduplicate(t, tolerance="30D")
    assert r.n_incidents == 2
    assert all(len(set(g["unit"])) == 1 for _, g in r.review.groupby("cluster_id"))


def test_one_source_never_merges_with_itself():
    t = recs([("a1", "2024-11-04", "ACLED"), ("a2", "2024-11-04", "ACLED")])
    assert deduplicate(t).n_incidents == 2


def test_complete_linkage_does_not_chain():
    t = recs([("a", "2024-11-01", "S1"), ("b", "2024-11-02", "S2"), ("c", "2024-11-03", "S3")])
    r = deduplicate(t, tolerance="1D")
    assert cluster_of(r, "a") == cluster_of(r, "b") != cluster_of(r, "c")


def test_keys_must_agree_and_missing_blocks_by_default():
    t = recs([("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-04", "sheet")])
    t.loc[1, "actor"] = "B"
    assert deduplicate(t).n_incidents == 2
    t.loc[1, "actor"] = " a "  # case and spaces are ignored
    assert deduplicate(t).n_incidents == 1
    t.loc[1, "actor"] = None
    assert deduplicate(t).n_incidents == 2
    assert deduplicate(t, missing="ignore").n_incidents == 1
    t["weapon"] = ["drone", "rocket"]
    assert deduplicate(t, missing="ignore").n_incidents == 2
    assert deduplicate(t, missing="ignore", keys=["actor"]).n_incidents == 1


def test_place_key():
    t = recs([("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-04", "sheet")])
    t["location"] = ["Eilat", "Golan"]
    assert deduplicate(t).n_incidents == 1  # not a default key
    assert deduplicate(t, keys=["actor", "location"]).n_incidents == 2


def test_sub_day_records_compare_times():
    t = recs(
        [
            ("a1", "2024-11-04 23:00", "S1", "alert", "minute"),
            ("b1", "2024-11-05 01:00", "S2", "alert", "minute"),
        ]
    )
    assert deduplicate(t, tolerance="3h").n_incidents == 1
    assert deduplicate(t, tolerance="1h").n_incidents == 2
    t.loc[1, "start"] = pd.Timestamp("2024-11-05 23:30")
    assert deduplicate(t, tolerance="1D").n_incidents == 2  # 24.5 hours apart


def test_a_month_record_is_never_merged_by_tolerance_but_is_a_candidate():
    t = recs(
        [
            ("ucdp-1", "2024-11-01", "UCDP", "launch", "month"),
            ("acled-1", "2024-11-20", "ACLED", "launch", "day"),
            ("acled-2", "2024-12-20", "ACLED", "launch", "day"),
        ]
    )
    r = deduplicate(t, tolerance="1D")
    assert r.n_incidents == 3
    assert_every_record_maps_once(t, r)
    assert list(r.candidates[["record_a", "record_b"]].itertuples(index=False, name=None)) == [
        ("ucdp-1", "acled-1")
    ]
    status = r.review.set_index("incident_id")["status"]
    assert status["ucdp-1"] == "candidate" and status["acled-1"] == "candidate"
    assert status["acled-2"] == "single"
    assert "month precision" in r.review.set_index("incident_id").loc["ucdp-1", "reason"]


def test_week_span_is_seven_days_from_start_as_count_incidents_reads_it():
    from analysis.counts import _possible_days

    start = pd.Series(pd.to_datetime(["2024-10-30", "2024-10-15", "2024-02-10", "2024-11-04"]))
    prec = np.array(["week", "month", "year", "day"], dtype=object)
    lo, hi = _spans(start, prec)
    days = start.to_numpy().astype("datetime64[D]").astype(np.int64)
    lo2, hi2 = _possible_days(days, np.array([4, 5, 6, 3]))
    assert (lo == lo2).all() and (hi == hi2).all()


# ----------------------------------------------------------------- overrides


def write(tmp_path, rows, header="action,record_a,record_b,reason,curator,decided"):
    path = tmp_path / "overrides.csv"
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_project_overrides_file_is_empty_with_its_header():
    table = read_dedupe_overrides(OVERRIDES)
    assert len(table) == 0
    assert (
        OVERRIDES.read_text(encoding="utf-8") == "action,record_a,record_b,reason,curator,decided\n"
    )
    package = json.loads((PROJECT_ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    res = {r["name"]: r for r in package["resources"]}["dedupe_overrides"]
    assert [f["name"] for f in res["schema"]["fields"]] == list(table.columns[:6])


def test_keep_apart_and_force_merge(tmp_path):
    t = recs(
        [("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-04", "sheet"), ("c1", "2024-11-09", "UCDP")]
    )
    assert deduplicate(t).n_incidents == 2
    path = write(
        tmp_path,
        [
            "keep_apart,a1,b1,two attacks that day (the sheet's notes),curator X,2026-12-01",
            "force_merge,b1,c1,same strike dated late by UCDP,curator X,2026-12-01",
            "force_merge,zz9,c1,a record of another table,curator Y,",
        ],
    )
    r = deduplicate(t, overrides=path)
    assert_every_record_maps_once(t, r)
    assert cluster_of(r, "a1") != cluster_of(r, "b1") == cluster_of(r, "c1")
    status = r.review.set_index("incident_id")["status"]
    assert status["b1"] == "forced" and status["c1"] == "forced"
    assert "curator X" in r.review.set_index("incident_id").loc["c1", "reason"]
    assert len(r.overrides_applied) == 2 and list(r.unused_overrides["record_a"]) == ["zz9"]
    assert "not in this table" in r.summary()
    # the same decisions as a DataFrame
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    r2 = deduplicate(t, overrides=frame)
    assert list(r2.review["cluster_id"]) == list(r.review["cluster_id"])


@pytest.mark.parametrize(
    "row, column, words",
    [
        ("merge,a1,b1,why,me,", "action", "use one of"),
        ("keep_apart,a1,,why,me,", "record_b", "record id"),
        ("keep_apart,a1,b1,,me,", "reason", "reason"),
        ("keep_apart,a1,b1,why,,", "curator", "curator"),
        ("keep_apart,a1,a1,why,me,", "record_b", "itself"),
        ("keep_apart,a1,b1,why,me,yesterday", "decided", "not a date"),
    ],
)
def test_bad_override_rows_name_file_row_and_column(tmp_path, row, column, words):
    path = write(tmp_path, ["keep_apart,x1,x2,fine,me,2026-12-01", row])
    with pytest.raises(DataError) as info:
        read_dedupe_overrides(path)
    text = str(info.value)
    assert str(path) in text and "row 3" in text and repr(column) in text and words in text


def test_pair_decided_twice_and_missing_column(tmp_path):
    path = write(tmp_path, ["keep_apart,a1,b1,x,me,", "force_merge,b1,a1,y,me,"])
    with pytest.raises(DataError, match=r"row 3.*already decided"):
        read_dedupe_overrides(path)
    path = write(tmp_path, ["keep_apart,a1,b1,x"], header="action,record_a,record_b,reason")
    with pytest.raises(DataError, match="'curator'"):
        read_dedupe_overrides(path)
    with pytest.raises(DataError, match="no such overrides file"):
        read_dedupe_overrides(tmp_path / "absent.csv")
    with pytest.raises(TypeError, match="overrides must be"):
        read_dedupe_overrides(3)


def test_force_merge_across_units_and_against_keep_apart_are_refused(tmp_path):
    t = recs(
        [
            ("a1", "2024-11-04", "S1", "claim"),
            ("b1", "2024-11-04", "S2", "launch"),
            ("c1", "2024-11-04", "S3", "launch"),
        ]
    )
    path = write(tmp_path, ["force_merge,a1,b1,looks alike,me,"])
    with pytest.raises(DataError, match=r"row 2, column 'record_b'.*across units"):
        deduplicate(t, overrides=path)
    t2 = recs([("a1", "2024-11-04", "S1"), ("b1", "2024-11-20", "S2"), ("c1", "2024-11-30", "S3")])
    path = write(
        tmp_path,
        ["force_merge,a1,b1,one,me,", "force_merge,b1,c1,two,me,", "keep_apart,a1,c1,three,me,"],
    )
    with pytest.raises(DataError, match="keep_apart"):
        deduplicate(t2, overrides=path)


# ----------------------------------------------------------------- the loaders' tables


def test_loaded_tables_of_several_formats_concatenated():
    fx = PROJECT_ROOT / "tests" / "fixtures"
    acled = it.load_acled(fx / "acled" / "acled_simulated.csv", return_rejects=True)[0]
    sheet = it.load_table(
        fx / "table" / "claims_simulated.csv",
        mapping=fx / "table" / "mapping.toml",
        return_rejects=True,
    )[0]
    ged = it.load_ucdp_ged(fx / "ucdp" / "ged_simulated.csv", return_rejects=True)[0]
    sheet = sheet.assign(
        incident_id="sheet-" + sheet["incident_id"].astype(str), source_name="sheet"
    )
    table = pd.concat([acled, sheet, ged], ignore_index=True)
    r = deduplicate(table, tolerance="1D")
    assert_every_record_maps_once(table, r)
    # claims (the sheet) never join incidents (ACLED, UCDP)
    for _, g in r.review.groupby("cluster_id"):
        assert g["unit"].nunique() == 1
        assert g["source_name"].nunique() == len(g)
    # coarse records are never merged automatically
    coarse = r.review[~r.review["time_precision"].isin(["day", "hour", "minute", "second"])]
    assert (coarse["status"] != "merged").all()
    assert set(r.review.columns) >= set(acled.columns)  # the sources' own columns are kept


# ----------------------------------------------------------------- outputs and errors


def test_outputs(plt):
    t = recs([("a1", "2024-11-04", "A<b>"), ("b1", "2024-11-05", "sheet")], quantity=[2, 3])
    r = deduplicate(t)
    assert isinstance(r, Deduplication)
    assert r.to_frame().loc[0, "quantity"] == 3 and r.to_frame().loc[0, "quantities"] == "2 | 3"
    assert "2 records -> 1 incidents" in r.summary()
    assert repr(r).startswith("<Deduplication>")
    assert "A&lt;b&gt;" in r._repr_html_() and "<b>" not in r._repr_html_()
    json.dumps(r.to_dict())
    assert r.plot() is not None


@pytest.mark.parametrize(
    "change, kwargs, error, match",
    [
        (lambda t: t.drop(columns="unit"), {}, ValueError, r"\['unit'\]"),
        (lambda t: t.assign(incident_id="x"), {}, ValueError, "'incident_id'.*repeat"),
        (lambda t: t.assign(start="not a date"), {}, ValueError, "'start'"),
        (lambda t: t.assign(time_precision="fortnight"), {}, ValueError, "'time_precision'"),
        (lambda t: t, {"tolerance": "soon"}, ValueError, "tolerance"),
        (lambda t: t, {"tolerance": "-1D"}, ValueError, "tolerance"),
        (lambda t: t, {"keys": "actor"}, ValueError, "keys"),
        (lambda t: t, {"keys": ["place"]}, ValueError, "keys.*place"),
        (lambda t: t, {"missing": "skip"}, ValueError, "missing"),
        (lambda t: t.values, {}, TypeError, "table must be"),
    ],
)
def test_bad_input_names_the_parameter(change, kwargs, error, match):
    t = recs([("a1", "2024-11-04", "ACLED"), ("b1", "2024-11-05", "sheet")])
    with pytest.raises(error, match=match):
        deduplicate(change(t), **kwargs)


def test_public_api():
    assert it.deduplicate is deduplicate
    assert it.read_dedupe_overrides is read_dedupe_overrides
