"""run_many: engines give the same tables, errors are collected, work goes in chunks."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from analysis.batch import run_many
from analysis.batch._run import DASK_HINT
from analysis.errors import DataError


def total(group: pd.DataFrame) -> dict:
    """A pure module-level per-series function (picklable)."""
    if group["area"].iloc[0] == "a03" and group["kind"].iloc[0] == "y":
        raise ValueError("a bad series")
    return {"total": int(group["n"].sum()), "days": len(group)}


def rows(group: pd.DataFrame) -> pd.DataFrame:
    """Several rows per series, one with the key column repeated."""
    return pd.DataFrame({"area": group["area"].iloc[:2].to_numpy(), "first": group["n"].iloc[:2]})


def named_rows(group: pd.DataFrame) -> pd.DataFrame:
    """A named index becomes a column."""
    return group.set_index("day")[["n"]].iloc[:2].rename(columns={"n": "first"})


def test_results_are_tidy_ordered_and_errors_collected(table):
    res = run_many(
        table.sample(frac=1.0, random_state=1), total, by=["area", "kind"], time_col="day", n_jobs=1
    )
    assert list(res.results.columns) == ["area", "kind", "total", "days"]
    keys = list(zip(res.results["area"], res.results["kind"], strict=True))
    assert keys == sorted(keys) and len(keys) == 11
    expect = table.groupby(["area", "kind"])["n"].sum().drop(("a03", "y"))
    assert res.results["total"].tolist() == expect.tolist()
    err = res.errors
    assert err[["area", "kind", "error_type"]].values.tolist() == [["a03", "y", "ValueError"]]
    assert err["message"].iloc[0] == "a bad series"
    assert "1 series with errors" in res.summary() and "a bad series" in res.summary()
    assert "<pre>" in res._repr_html_() and res.to_dict()["n_series"] == 12


def test_dataframe_output_drops_repeated_keys(table):
    res = run_many(table, rows, by="area", time_col="day", n_jobs=1)
    assert list(res.results.columns) == ["area", "first"]
    assert len(res.results) == 12
    named = run_many(table, named_rows, by="area", time_col="day", n_jobs=1)
    assert list(named.results.columns) == ["area", "day", "first"]


@pytest.mark.parametrize("chunk_size", [None, 1, 5, 100])
def test_local_processes_equal_in_process(table, chunk_size):
    one = run_many(table, total, by=["area", "kind"], time_col="day", n_jobs=1)
    two = run_many(
        table, total, by=["area", "kind"], time_col="day", n_jobs=2, chunk_size=chunk_size
    )
    pd.testing.assert_frame_equal(one.results, two.results)
    pd.testing.assert_frame_equal(one.errors, two.errors)


def test_chunks_are_counted(table):
    # 12 series, 2 workers: 4 chunks per worker of ceil(12 / 8) = 2 series -> 6 tasks
    assert run_many(table, total, by=["area", "kind"], time_col="day", n_jobs=2).n_tasks == 6
    assert (
        run_many(table, total, by=["area", "kind"], time_col="day", n_jobs=2, chunk_size=5).n_tasks
        == 3
    )
    many = pd.DataFrame({"g": np.arange(10_000), "start": pd.Timestamp("2024-01-01"), "n": 1})
    res = run_many(many, len, by="g", n_jobs=1)
    assert res.n_tasks == 4 and res.chunk_size == 2500 and len(res.results) == 10_000


def test_dask_equals_local(table):
    distributed = pytest.importorskip("distributed")
    local = run_many(table, total, by=["area", "kind"], time_col="day", n_jobs=1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_many(
            table, total, by=["area", "kind"], time_col="day", engine="dask", client=client
        )
        by_address = run_many(
            table,
            total,
            by=["area", "kind"],
            time_col="day",
            engine="dask",
            client=cluster.scheduler_address,
            chunk_size=3,
        )
    assert on_dask.n_tasks == 6 and by_address.n_tasks == 4
    for res in (on_dask, by_address):
        pd.testing.assert_frame_equal(local.results, res.results)
        pd.testing.assert_frame_equal(local.errors, res.errors)


def test_dask_missing_says_how_to_install(table, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed now fails
    with pytest.raises(ImportError, match=r'pip install "incident-trends\[dask\]"'):
        run_many(table, total, by="area", time_col="day", engine="dask")
    assert "incident-trends[dask]" in DASK_HINT


def test_bad_arguments_are_named(table):
    with pytest.raises(ValueError, match="by names column"):
        run_many(table, total, by="nope", time_col="day")
    with pytest.raises(ValueError, match="engine"):
        run_many(table, total, by="area", time_col="day", engine="spark")
    with pytest.raises(ValueError, match="n_jobs"):
        run_many(table, total, by="area", time_col="day", n_jobs=0)
    with pytest.raises(ValueError, match="chunk_size"):
        run_many(table, total, by="area", time_col="day", chunk_size=0)
    with pytest.raises(ValueError, match="time_col"):
        run_many(table, total, by="area")
    with pytest.raises(TypeError, match="picklable"):
        run_many(table, lambda g: 1, by="area", time_col="day", n_jobs=2)
    with pytest.raises(TypeError, match="frame must be"):
        run_many(table.to_numpy(), total, by="area", time_col="day")
    bad = table.copy()
    bad.loc[3, "area"] = None
    with pytest.raises(DataError, match="missing group value"):
        run_many(bad, total, by="area", time_col="day", n_jobs=1)


def test_progress_bar_runs(table, capsys):
    res = run_many(table, total, by="area", time_col="day", n_jobs=1, progress=True)
    assert res.n_series == 6
    assert "series" in capsys.readouterr().err
