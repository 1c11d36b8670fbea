"""detect_many and fit_many: events vs daily values, engines, errors, the heat-map."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from analysis import count_incidents, detect_changepoints
from analysis.batch import detect_many, detect_one, fit_many
from analysis.errors import DataError

matplotlib.use("Agg")


def events_of(table: pd.DataFrame) -> pd.DataFrame:
    """One row per event from daily counts (the same SIMULATED series)."""
    rep = table.loc[table.index.repeat(table["n"])]
    return rep[["area", "kind", "day"]].rename(columns={"day": "start"}).reset_index(drop=True)


def test_values_equal_the_single_series_function(table):
    res = detect_many(table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)
    g = table[(table.area == "a00") & (table.kind == "x")]
    one = detect_changepoints(
        pd.Series(g["n"].to_numpy(), index=pd.DatetimeIndex(g["day"])).asfreq("D")
    )
    mine = res.results[(res.results.area == "a00") & (res.results.kind == "x")]
    assert list(mine["changepoint"]) == list(one.changepoints)
    assert mine["after"].to_numpy() == pytest.approx(one.segments["rate"].to_numpy()[1:])
    # each changing series (every other one) has its change found, near day 100
    assert set(res.results["kind"]) == {"x"} and len(res.results) == 6
    assert (abs((res.results["changepoint"] - pd.Timestamp("2024-04-10")).dt.days) <= 5).all()
    assert list(res.panel.columns) == sorted(res.panel.columns) and res.panel.shape == (200, 12)


def test_events_are_counted_over_one_common_window(table):
    ev = events_of(table)
    # a series with events only in the last month: zero-filled from the first event of the table
    late = pd.DataFrame(
        {"area": "late", "kind": "x", "start": pd.date_range("2024-06-20", periods=29)}
    )
    ev = pd.concat([ev, late], ignore_index=True)
    res = detect_many(ev, by=["area", "kind"], n_jobs=1)
    counts = count_incidents(ev, by=["area", "kind"])
    assert res.panel.shape == counts.shape
    assert (res.panel[("late", "x")].iloc[:150] == 0).all()
    vals = detect_many(table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)
    same = res.results[res.results.area != "late"].reset_index(drop=True)
    dates = ["changepoint", "low", "high"]  # counted days are ns, given days us: the same dates
    pd.testing.assert_frame_equal(
        same.astype({c: "datetime64[ns]" for c in dates}),
        vals.results.astype({c: "datetime64[ns]" for c in dates}),
    )
    assert ("late", "x") in res.keys and res.errors.empty


def test_engines_give_identical_frames(table):
    distributed = pytest.importorskip("distributed")
    one = detect_many(table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)
    two = detect_many(
        table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=2, chunk_size=2
    )
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as c,
        distributed.Client(c) as client,
    ):
        dask = detect_many(
            table, by=["area", "kind"], time_col="day", value_col="n", engine="dask", client=client
        )
    for other in (two, dask):
        pd.testing.assert_frame_equal(one.results, other.results)
        pd.testing.assert_frame_equal(one.errors, other.errors)


def test_repeated_day_is_an_error_naming_the_series(table):
    bad = pd.concat([table, table.iloc[[5]]], ignore_index=True)
    with pytest.raises(DataError, match="area='a00'"):
        detect_many(bad, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)


def test_bad_series_go_to_errors(table):
    bad = table.copy()
    bad = bad[
        ~((bad.area == "a01") & (bad.kind == "y") & (bad.day == "2024-02-01"))
    ]  # a missing day
    res = detect_many(bad, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)
    assert res.errors[["area", "kind"]].values.tolist() == [["a01", "y"]]
    assert "day(s) missing" in res.errors["message"].iloc[0]
    assert len(res.results) == 6


def test_detect_kwargs_are_passed(table):
    res = detect_many(
        table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1, cost="poisson"
    )
    assert set(res.results["cost"]) == {"poisson"}
    assert set(res.results["ratio_adjusted"].notna()) == {True}


def test_fit_many_rows_per_coefficient(table):
    res = fit_many(
        table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1, weekly=False
    )
    assert res.results.groupby(["area", "kind"]).size().tolist() == [2] * 12
    assert set(res.results["term"]) == {"intercept", "trend"}
    # series with a rise: a positive trend estimate
    rising = res.results[(res.results.term == "trend") & (res.results.kind == "x")]
    assert (rising["estimate"] > 0).all()
    assert "trend coefficients of 12 series" in res.summary()


def test_plot_heatmap(table):
    import matplotlib.pyplot as plt

    res = detect_many(table, by=["area", "kind"], time_col="day", value_col="n", n_jobs=1)
    ax = res.plot()
    try:
        assert len(ax.images) == 1
        image = ax.images[0]
        assert image.get_array().shape == (12, 200)
        assert type(image.norm).__name__ == "LogNorm"
        marks = ax.collections[0].get_offsets()
        assert len(marks) == 6
        assert "12 series" in ax.get_title()
    finally:
        plt.close("all")
    assert "change points: 6 in 6 of 12 series" in res.summary()


def test_detect_one_without_change_is_empty():
    rng = np.random.default_rng(3)  # SIMULATED
    g = pd.DataFrame(
        {"date": pd.date_range("2024-01-01", periods=200), "count": rng.poisson(3, 200)}
    )
    out = detect_one(g)
    assert out.empty and list(out.columns)[:3] == ["changepoint", "low", "high"]
