"""count_incidents and time_precision (issue 11, section 2): records of week, month or
year precision are never silently counted on their first day. All records SIMULATED."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis.counts import CountDataError, ImpreciseDatesWarning, count_incidents
from analysis.errors import RejectedRowsWarning


def _table(rows):
    return pd.DataFrame(rows, columns=["start", "time_precision"])


def test_the_precision_words_are_the_loaders():
    from analysis.counts import _PRECISIONS
    from analysis.io._events import PRECISIONS

    assert _PRECISIONS == PRECISIONS


def test_a_table_without_time_precision_is_counted_as_before():
    t = pd.DataFrame({"start": ["2024-11-01", "2024-11-01", "2024-11-04"]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for precision in ("exclude", "spread", "ignore"):
            got = count_incidents(t, precision=precision)
            assert got.tolist() == [2, 0, 0, 1]
            assert got.dtype == np.int64 and got.name == "count"
            assert set(got.attrs) == {"window_start", "window_end"}


def test_day_counts_leave_out_week_month_and_year_records_and_say_so():
    t = _table(
        [
            ("2024-11-01 10:00", "minute"),
            ("2024-11-02", "day"),
            ("2024-11-02", "week"),
            ("2024-11-15", "month"),
            ("2024-11-15", "month"),
            ("2024-01-01", "year"),
        ]
    )
    with pytest.warns(RejectedRowsWarning, match=r"freq='D'.*left out 4.*month") as rec:
        got = count_incidents(t, start="2024-11-01", end="2024-11-30")
    assert len(rec) == 1
    assert got.sum() == 2 and got.iloc[0] == 1 and got.iloc[1] == 1
    assert got.attrs["left_out"] == {"week": 1, "month": 2, "year": 1}
    assert got.dtype == np.int64


def test_a_coarser_period_uses_records_that_lie_inside_one_period():
    t = _table(
        [
            ("2024-11-04", "week"),  # Monday: its week is one 'W' period, inside November
            ("2024-11-06", "week"),  # Wednesday: two weeks; inside November
            ("2024-11-27", "week"),  # 27 Nov - 3 Dec: two months
            ("2024-11-20", "month"),
            ("2024-06-01", "year"),
            ("2024-11-05", "day"),
        ]
    )
    kw = dict(start="2024-01-01", end="2024-12-31")
    with pytest.warns(RejectedRowsWarning):
        weekly = count_incidents(t, freq="W", **kw)
    assert weekly.sum() == 2 and weekly["2024-11-04"] == 2
    assert weekly.attrs["left_out"] == {"week": 2, "month": 1, "year": 1}
    with pytest.warns(RejectedRowsWarning):
        monthly = count_incidents(t, freq="MS", **kw)
    assert monthly["2024-11-01"] == 4 and monthly.sum() == 4
    assert monthly.attrs["left_out"] == {"week": 1, "year": 1}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yearly = count_incidents(t, freq="YS", **kw)
    assert yearly.tolist() == [6] and "left_out" not in yearly.attrs


def test_a_month_record_is_left_out_of_a_window_that_ends_inside_its_month():
    t = _table([("2024-11-20", "month"), ("2024-11-02", "day")])
    with pytest.warns(RejectedRowsWarning):
        got = count_incidents(t, freq="MS", end="2024-11-25")
    assert got.tolist() == [1] and got.attrs["left_out"] == {"month": 1}


def test_hourly_counts_use_only_hour_minute_and_second_records():
    t = _table([("2024-11-01 10:20", "minute"), ("2024-11-01 10:00", "hour"),
                ("2024-11-01", "day")])  # fmt: skip
    with pytest.warns(RejectedRowsWarning, match="day precision"):
        got = count_incidents(t, freq="h")
    assert got.sum() == 2 and got.attrs["left_out"] == {"day": 1}
    with pytest.raises(ValueError, match=r"precision='spread'.*shorter than a day"):
        count_incidents(t, freq="h", precision="spread")


def test_spread_gives_expected_counts_over_the_possible_days():
    t = _table(
        [
            ("2024-11-06", "week"),  # 6-12 Nov
            ("2024-11-20", "month"),  # November: 30 days
            ("2024-07-01", "year"),  # 2024: 366 days
            ("2024-11-05 08:00", "minute"),
        ]
    )
    got = count_incidents(t, precision="spread", start="2024-01-01", end="2024-12-31")
    assert got.name == "expected_count" and got.dtype == np.float64
    assert got.attrs["expected_counts"] is True
    assert got.attrs["spread"] == {"week": 1, "month": 1, "year": 1}
    want = pd.Series(1 / 366, index=got.index)
    want["2024-11"] += 1 / 30
    want["2024-11-06":"2024-11-12"] += 1 / 7
    want["2024-11-05"] += 1
    np.testing.assert_allclose(got.to_numpy(), want.to_numpy(), rtol=1e-12, atol=1e-15)
    assert got.sum() == pytest.approx(4.0, abs=1e-12)
    # a window holds only the part of each record inside it
    part = count_incidents(t, precision="spread", start="2024-11-01", end="2024-11-08")
    assert part.sum() == pytest.approx(8 / 366 + 8 / 30 + 3 / 7 + 1, abs=1e-12)
    monthly = count_incidents(
        t, precision="spread", freq="MS", start="2024-11-01", end="2024-11-30"
    )
    assert monthly.name == "expected_count"
    assert monthly.iloc[0] == pytest.approx(30 / 366 + 1 + 1 + 1, abs=1e-12)


def test_spread_by_group_and_weight():
    t = _table([("2024-11-20", "month"), ("2024-11-02", "day"), ("2024-11-03", "week")])
    t["weapon"] = ["drone", "rocket", "drone"]
    t["quantity"] = [30, 2, 7]
    got = count_incidents(t, by="weapon", weight="quantity", precision="spread",
                          start="2024-11-01", end="2024-11-30")  # fmt: skip
    assert got.attrs["expected_counts"] is True
    assert got["drone"].sum() == pytest.approx(37.0, abs=1e-9)
    assert got["drone"]["2024-11-01"] == pytest.approx(1.0)
    assert got["drone"]["2024-11-03"] == pytest.approx(2.0)
    assert got["rocket"].tolist() == [0.0, 2.0] + [0.0] * 28


def test_ignore_keeps_the_old_count_with_a_warning():
    t = _table([("2024-11-20", "month"), ("2024-11-20", "day")])
    with pytest.warns(ImpreciseDatesWarning, match="1 of month precision counted on their start"):
        got = count_incidents(t, precision="ignore")
    assert got.tolist() == [2] and got.dtype == np.int64
    assert "left_out" not in got.attrs and "expected_counts" not in got.attrs


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(precision="spreed"), "precision must be one of"),
        (dict(precision=None), "precision must be one of"),
    ],
)
def test_bad_precision_argument_names_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        count_incidents(_table([("2024-11-20", "day")]), **kwargs)


def test_an_unknown_or_missing_precision_names_the_rows():
    t = _table([("2024-11-20", "day"), ("2024-11-21", "fortnight"), ("2024-11-22", None)])
    with pytest.raises(CountDataError, match="time_precision") as exc:
        count_incidents(t)
    assert [p.row for p in exc.value.problems] == [3, 4]
    # words are read case- and space-insensitively
    t = _table([("2024-11-20", " Day "), ("2024-11-21", "MONTH")])
    with pytest.warns(RejectedRowsWarning):
        assert count_incidents(t).sum() == 1


def _degraded(process, seed, days=364, rate=4.0, share=0.3):
    """SIMULATED records from simulate_counts' daily totals; a share made month-precise.

    A degraded record's start is the first day of its true month (as a source that
    gives only "November" is often coded), so counting it on its start day piles
    every degraded record of the month on the 1st.
    """
    from analysis.validation import PROCESSES, simulate_counts

    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES[process], days, rate, rng, start=pd.Timestamp("2023-01-02"))
    per_day = sim.counts.to_numpy()
    day = sim.counts.index[np.repeat(np.arange(days), per_day)]
    coarse = rng.random(len(day)) < share
    start = pd.Series(day)
    month = start.dt.to_period("M")
    start[coarse] = month[coarse].dt.start_time
    table = pd.DataFrame({"start": start, "time_precision": np.where(coarse, "month", "day")})
    return table, sim.counts


@pytest.mark.parametrize("process", ["poisson", "ar0.8", "nb5+weekly"])
def test_spread_monthly_totals_are_the_true_totals_and_exclude_loses_the_share(process):
    """Closed form: spread keeps each month's total; exclude keeps 1 - share on average."""
    table, truth = _degraded(process, seed=11)
    kw = dict(start="2023-02-01", end="2023-12-31")  # whole months only
    spread = count_incidents(table, precision="spread", **kw)
    true_monthly = truth["2023-02-01":"2023-12-31"].resample("MS").sum()
    np.testing.assert_allclose(
        spread.resample("MS").sum().to_numpy(), true_monthly.to_numpy(), rtol=1e-12
    )
    with pytest.warns(RejectedRowsWarning):
        excluded = count_incidents(table, **kw)
    kept = excluded.sum() / truth["2023-02-01":"2023-12-31"].sum()
    n = truth["2023-02-01":"2023-12-31"].sum()
    se = np.sqrt(0.3 * 0.7 / n)  # binomial thinning, whatever the dependence of the days
    assert abs(kept - 0.7) < 4 * se


@pytest.mark.parametrize("process", ["poisson", "ar0.8"])
def test_spread_daily_expected_counts_are_unbiased_by_simulation(process):
    """Mean over 200 simulated series of spread day counts, 10-28 February = the rate (4).

    For a day, E[spread count] = E[precise] + E[month total of degraded] / days in
    month = 4 (stationary processes, true days uniform in the month). Counting the
    degraded records on their start (the 1st, ``precision="ignore"``) gives 0.7 * 4
    = 2.8 on these days, far outside the tolerance. The Monte Carlo error is the
    standard deviation of the 200 per-replicate means over sqrt(200) (independent
    replicates; measured: spread 3.929 +- 0.027 (poisson; the true counts of these
    days average 3.937 in the same replicates) and 4.032 +- 0.057 (ar0.8), ignore 2.76
    and 2.84); the tolerance is 4 of it.
    """
    means, ignored = [], []
    for seed in range(200):
        table, _ = _degraded(process, seed=1000 + seed, days=120)
        kw = dict(start="2023-02-01", end="2023-02-28")
        got = count_incidents(table, precision="spread", **kw)
        means.append(got["2023-02-10":].mean())
        with pytest.warns(ImpreciseDatesWarning):
            ignored.append(count_incidents(table, precision="ignore", **kw)["2023-02-10":].mean())
    means = np.asarray(means)
    mc = means.std(ddof=1) / np.sqrt(len(means))
    assert abs(means.mean() - 4.0) < 4 * mc
    assert abs(np.mean(ignored) - 2.8) < 4 * np.std(ignored, ddof=1) / np.sqrt(len(ignored))


def test_rates_refuse_expected_counts():
    t = _table([("2024-11-20", "month")] + [(f"2024-11-{d:02d}", "day") for d in range(1, 31)])
    spread = count_incidents(t, precision="spread", end="2024-11-30")
    for call in (
        lambda: it.estimate_rate(spread),
        lambda: it.rolling_rate(spread, window="7D"),
        lambda: it.compare_rates(spread["2024-11-16":], spread[:"2024-11-15"]),
        lambda: it.check_claim(spread, claimed_rate=1.0),
    ):
        with pytest.raises(ValueError, match=r"expected counts.*precision='exclude'"):
            call()
    with pytest.warns(RejectedRowsWarning):
        plain = count_incidents(t, end="2024-11-30")
    assert it.estimate_rate(plain).rate == pytest.approx(1.0)


duckdb = pytest.importorskip("duckdb")


def _parquet(frame, path):
    con = duckdb.connect()
    con.register("frame", frame)
    con.execute(f"COPY (SELECT * FROM frame) TO '{path}' (FORMAT parquet)")
    con.close()
    return str(path)


def _mixed(seed=5, days=200):
    """SIMULATED records of mixed precision (nb5+ar0.8 daily totals), weapon and quantity."""
    from analysis.validation import PROCESSES, simulate_counts

    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES["nb5+ar0.8"], days, 5.0, rng, start=pd.Timestamp("2024-01-03"))
    day = sim.counts.index[np.repeat(np.arange(days), sim.counts.to_numpy())]
    n = len(day)
    start = day + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")
    precision = np.array(["second", "minute", "hour", "day", "week", "month", "year"])[
        rng.choice(7, n, p=[0.1, 0.3, 0.1, 0.2, 0.1, 0.15, 0.05])
    ]
    return pd.DataFrame(
        {
            "start": start,
            "time_precision": precision,
            "weapon": np.array(["drone", "rocket"])[rng.integers(0, 2, n)],
            "actor": np.array(["a", "b", "c"])[rng.integers(0, 3, n)],
            "quantity": rng.integers(0, 5, n),
        }
    )


@pytest.mark.parametrize("precision", ["exclude", "spread", "ignore"])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"freq": "W", "by": "weapon"},
        {"freq": "MS", "weight": "quantity", "start": "2024-02-01", "end": "2024-06-30"},
        {"freq": "h", "start": "2024-03-01", "end": "2024-03-03"},
        {"freq": "2D", "by": "weapon", "weight": "quantity"},
        {"freq": "MS", "by": ["weapon", "actor"], "end": "2024-08-31"},
    ],
)
@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_files_give_exactly_the_in_memory_counts_for_each_precision(
    tmp_path, precision, kwargs, kind
):
    table = _mixed()
    if kind == "parquet":
        path = _parquet(table, tmp_path / "part.parquet")
    else:
        path = str(tmp_path / "part.csv")
        table.assign(start=table["start"].dt.strftime("%Y-%m-%d %H:%M:%S")).to_csv(
            path, index=False
        )
    if precision == "spread" and kwargs.get("freq") == "h":
        for source in (table, path):
            with pytest.raises(ValueError, match="shorter than a day"):
                count_incidents(source, precision=precision, **kwargs)
        return
    with warnings.catch_warnings(record=True) as mem_w:
        warnings.simplefilter("always")
        want = count_incidents(table, precision=precision, **kwargs)
    with warnings.catch_warnings(record=True) as file_w:
        warnings.simplefilter("always")
        got = count_incidents(path, precision=precision, **kwargs)
    pd.testing.assert_frame_equal(pd.DataFrame(got), pd.DataFrame(want), check_exact=True)
    assert got.attrs == want.attrs
    assert [str(w.message) for w in file_w] == [str(w.message) for w in mem_w]
    if precision == "exclude":
        assert sum(got.attrs["left_out"].values()) > 0
