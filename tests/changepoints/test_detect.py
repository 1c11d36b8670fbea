"""detect_changepoints: the result object, NaN rule, constraints and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints import ChangepointResult, detect_changepoints
from analysis.errors import DataError


def test_result_attributes(daily):
    res = detect_changepoints(daily)
    assert isinstance(res, ChangepointResult)
    assert res.cost_name == "poisson"
    assert res.method == "fpop"
    (k,) = res.indices
    assert abs(k - 120) <= 3
    assert list(res.changepoints) == [daily.index[k]]
    seg = res.segments
    assert list(seg.columns) == ["start", "end", "n", "rate", "ci_low", "ci_high"]
    assert seg["n"].tolist() == [k, 240 - k]
    assert seg["rate"].tolist() == pytest.approx([daily.iloc[:k].mean(), daily.iloc[k:].mean()])
    assert (seg["ci_low"] < seg["rate"]).all() and (seg["rate"] < seg["ci_high"]).all()
    assert seg["end"].iloc[0] == daily.index[k - 1]
    iv = res.intervals
    assert iv["low"].iloc[0] <= res.changepoints[0] <= iv["high"].iloc[0]
    d = float(res.reason.split("design effect ")[1].split(" ")[0])
    assert res.penalty == pytest.approx(d * 3 * np.log(240), rel=1e-3)
    assert 1.0 <= d < 1.5  # simulated Poisson counts: close to 1
    assert res.n_missing == 0
    assert "overdispersion and autocorrelation" in res.reason


def test_plain_array_input_uses_positions():
    rng = np.random.default_rng(4)
    y = np.r_[rng.normal(0, 1, 100), rng.normal(3, 1, 100)]
    res = detect_changepoints(y)
    assert res.cost_name == "normal"
    assert list(res.changepoints) == list(res.indices) == [100]
    assert {"mean", "sd"} <= set(res.segments.columns)


def test_gap_of_missing_values_creates_no_change():
    rng = np.random.default_rng(5)
    y = pd.Series(rng.poisson(4, 400).astype(float))
    y.iloc[150:220] = np.nan
    res = detect_changepoints(y)
    assert res.n_changes == 0
    assert res.n_missing == 70
    assert res.segments["n"].tolist() == [330]


def test_change_after_a_gap_is_dated_at_the_first_observation_after_it():
    rng = np.random.default_rng(6)
    y = pd.Series(np.r_[rng.poisson(2, 100), rng.poisson(9, 100)].astype(float))
    y.iloc[95:110] = np.nan
    res = detect_changepoints(y)
    assert list(res.indices) == [110]
    iv = res.intervals
    assert iv["index_low"].iloc[0] <= 95  # the change may lie anywhere in the gap
    assert iv["index_high"].iloc[0] >= 110


def test_min_size_is_respected():
    rng = np.random.default_rng(8)
    y = np.r_[rng.poisson(3, 50), rng.poisson(30, 3), rng.poisson(3, 50)]
    assert detect_changepoints(y, cost="poisson", min_size=1).n_changes == 2
    res = detect_changepoints(y, cost="poisson", min_size=10)
    bounds = [0, *res.indices, y.size]
    assert min(np.diff(bounds)) >= 10


@pytest.mark.parametrize("method", ["fpop", "pelt", "binseg", "seeded_binseg"])
def test_max_changes_is_respected(method):
    rng = np.random.default_rng(9)
    y = np.concatenate([rng.poisson(r, 60) for r in (2, 8, 3, 10, 4, 12)])
    assert detect_changepoints(y, cost="poisson", method=method).n_changes == 5
    res = detect_changepoints(y, cost="poisson", method=method, max_changes=2)
    assert res.n_changes == 2


def test_max_changes_exact_keeps_the_best_segmentation_on_the_path():
    rng = np.random.default_rng(10)
    y = np.concatenate([rng.poisson(r, 80) for r in (2, 9, 3, 10)])
    res = detect_changepoints(y, cost="poisson", max_changes=1)
    assert res.n_changes == 1
    # with one change the best single split is found by the profile
    from analysis.changepoints import PoissonCost

    c = PoissonCost().fit(y)
    best = min(range(2, y.size - 1), key=lambda k: c.error(0, k) + c.error(k, y.size))
    assert list(res.indices) == [best]


@pytest.mark.parametrize("method", ["binseg", "seeded_binseg"])
def test_binary_segmentations_find_clear_changes(method):
    rng = np.random.default_rng(11)
    y = np.concatenate([rng.poisson(r, 300) for r in (3, 9, 4)])
    res = detect_changepoints(y, cost="poisson", method=method)
    assert res.n_changes == 2
    assert np.all(np.abs(res.indices - np.array([300, 600])) <= 5)


def test_binseg_locations_are_refined_to_the_exact_answer():
    rng = np.random.default_rng(16)
    y = np.concatenate([rng.poisson(r, 400) for r in (3, 5, 2.5, 6, 4)])
    fast = detect_changepoints(y, cost="poisson", method="binseg")
    exact = detect_changepoints(y, cost="poisson", method="fpop")
    assert list(fast.indices) == list(exact.indices)


def test_negative_values_rejected_by_poisson_cost():
    y = pd.Series([1, 2, -1, 3, 4, 5], name="count")
    with pytest.raises(DataError, match=r"row 4, column 'count': negative count"):
        detect_changepoints(y, cost="poisson")


def test_non_integers_rejected_by_count_costs():
    for cost in ("poisson", "negbin"):
        with pytest.raises(DataError, match="whole numbers"):
            detect_changepoints([1.0, 2.5, 3.0, 4.0, 5.0], cost=cost)


@pytest.mark.parametrize(
    "y,message",
    [
        ([1.0, 2.0, 3.0], "too short"),
        ([np.nan] * 10, "every value is missing"),
        (np.ones((5, 2)), "1-D"),
        ([1.0, np.inf, 2.0, 3.0, 4.0], "infinite"),
        (["a", "b", "c", "d"], "not a number"),
    ],
)
def test_bad_input_is_a_clear_error(y, message):
    with pytest.raises(DataError, match=message):
        detect_changepoints(y)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cost": "gamma"},
        {"method": "dynp"},
        {"penalty": "hq"},
        {"penalty": -1},
        {"min_size": 0},
        {"max_changes": -1},
        {"level": 1.5},
        {"cost": "normal_meanvar", "method": "fpop"},
    ],
)
def test_bad_arguments_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        detect_changepoints(np.arange(20) % 3, **kwargs)


def test_text_values_are_named_by_row():
    with pytest.raises(DataError) as info:
        detect_changepoints(pd.Series(["1", "2", "a", "4", "5", "x", "7", "8"], name="count"))
    text = str(info.value)
    assert "row 4, column 'count': not a number (value 'a')" in text
    assert "row 7, column 'count'" in text


# --- input through CountSeries: the index, empty and degenerate series --------
_DAYS = pd.date_range("2024-01-01", periods=12, freq="D")


@pytest.mark.parametrize(
    ("index", "message"),
    [
        (_DAYS[[0, 1, 2, 2, 4, 5, 6, 7, 8, 9, 10, 11]], "duplicate date"),
        (_DAYS[[0, 1, 3, 2, 4, 5, 6, 7, 8, 9, 10, 11]], "earlier than the row above"),
        (_DAYS[::-1], "earlier than the row above"),
    ],
    ids=["duplicate", "unsorted", "descending"],
)
def test_dates_that_are_not_a_time_line_are_refused(index, message):
    with pytest.raises(DataError, match=message):
        detect_changepoints(pd.Series(np.arange(12), index=index))


def test_a_gap_in_the_dates_is_refused_saying_how_to_fill_it():
    y = pd.Series(np.arange(11), index=_DAYS.delete(4))
    with pytest.raises(DataError, match=r"missing period.*reindex measurements with NaN"):
        detect_changepoints(y)


def test_a_gap_filled_with_nan_is_skipped_and_reported():
    y = pd.Series(np.arange(11.0), index=_DAYS.delete(4)).reindex(_DAYS)
    assert detect_changepoints(y, cost="normal").n_missing == 1


def test_an_empty_series_is_refused():
    with pytest.raises(DataError, match="empty"):
        detect_changepoints(pd.Series([], dtype=float))


def test_a_single_value_is_too_short():
    with pytest.raises(DataError, match="too short: 1 non-missing"):
        detect_changepoints(pd.Series([3.0]))


@pytest.mark.parametrize("cost", ["auto", "poisson", "negbin", "normal", "normal_meanvar"])
def test_an_all_zero_series_has_no_change(cost):
    res = detect_changepoints(np.zeros(100), cost=cost)
    assert res.n_changes == 0


def test_an_all_zero_series_has_rate_zero():
    seg = detect_changepoints(np.zeros(100, dtype=np.int64)).segments
    assert seg["rate"].tolist() == [0.0]
    assert seg["ci_low"].tolist() == [0.0]


# --- extreme magnitudes ----------------------------------------------------------
def test_one_step_of_1e20_is_one_change():
    y = np.r_[np.zeros(50), np.full(50, 1e20)]
    assert detect_changepoints(y).indices.tolist() == [50]


@pytest.mark.parametrize("cost", ["auto", "normal", "normal_meanvar"])
def test_a_constant_series_of_1e20_has_no_change(cost):
    assert detect_changepoints(np.full(100, 1e20), cost=cost).n_changes == 0


@pytest.mark.parametrize("cost", ["poisson", "negbin"])
def test_counts_of_2_to_the_53_are_refused_by_the_input_type(cost):
    with pytest.raises(DataError, match=r"count too large \(at most 2\*\*53"):
        detect_changepoints(np.full(100, 2.0**53), cost=cost)


@pytest.mark.parametrize("cost", ["poisson", "negbin"])
def test_counts_near_2_to_the_53_are_refused_as_beyond_float64_precision(cost):
    with pytest.raises(DataError, match=r"counts too large for the .* cost"):
        detect_changepoints(np.full(100, 2.0**53 - 1), cost=cost)


def test_measurements_above_1e150_are_refused():
    with pytest.raises(DataError, match="value too large"):
        detect_changepoints(np.r_[np.zeros(50), np.full(50, 1e200)])
