"""Tests of the observation families (analysis/changepoints/online/_model.py).

All series here are simulated (fixed seeds) or tiny hand-made examples.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints.online import online_changepoints
from analysis.changepoints.online._model import check_prior, default_prior, resolve_family
from analysis.errors import DataError


def test_default_poisson_prior_is_from_the_data_mean():
    res = online_changepoints(np.array([2, 4, 6, 4]))
    assert res.prior == (1.0, 0.25)


def test_default_normal_prior_of_a_constant_large_series_has_unit_scale():
    # the variance about the median is exactly 0 (about the mean it was 1e266 at 1e149)
    assert default_prior("normal", np.full(50, 1e149)) == (1e149, 1.0, 1.0, 1.0)


def test_values_whose_noise_scale_underflows_when_squared_are_refused():
    rng = np.random.default_rng(2)  # simulated
    with pytest.raises(ValueError, match="rescale"):
        online_changepoints(rng.normal(0, 1e-170, 50), family="normal")


def test_tiny_values_find_the_step():
    rng = np.random.default_rng(2)  # simulated: N(0, 1) then N(4, 1), times 1e-150
    y = np.r_[rng.normal(0, 1, 100), rng.normal(4, 1, 100)] * 1e-150
    res = online_changepoints(y, family="normal")
    assert list(res.indices) == [100]


def test_model_keyword_is_a_deprecated_alias_of_family():
    y = np.r_[np.zeros(20), np.full(20, 5.0)]
    with pytest.warns(DeprecationWarning, match="family"):
        old = online_changepoints(y, model="normal")
    new = online_changepoints(y, family="normal")
    np.testing.assert_array_equal(old.change_probability, new.change_probability)


def test_old_family_name_poisson_gamma_warns_and_means_poisson():
    with pytest.warns(DeprecationWarning, match="'poisson'"):
        assert resolve_family("poisson_gamma", None) == "poisson"


def test_family_and_model_together_are_refused():
    with pytest.raises(TypeError, match="family"):
        online_changepoints([1, 2, 3], family="normal", model="normal")


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="family"):
        online_changepoints([1, 2, 3], family="gaussian")


@pytest.mark.parametrize(
    ("family", "prior"),
    [("poisson", (1.0, -1.0)), ("poisson", (1.0,)), ("normal", (0.0, 1.0, 1.0, 0.0)),
     ("normal", (0.0, 1.0, 1.0, float("inf"))), ("poisson", "ab")],
)  # fmt: skip
def test_bad_prior_is_refused_naming_prior(family, prior):
    with pytest.raises(ValueError, match="prior"):
        check_prior(family, prior)


@pytest.mark.parametrize("bad", [[1, 2, -1, 3], [1, 2, 2.5, 4], [1, 2, np.inf, 3]])
def test_bad_counts_raise_data_error_naming_the_row_and_column(bad):
    with pytest.raises(DataError, match=r"row 4, column 'alerts'"):
        online_changepoints(pd.Series(bad, name="alerts"))


def test_all_bad_values_are_reported_at_once():
    with pytest.raises(DataError) as info:
        online_changepoints([1, -2, 3, -4])
    assert len(info.value.problems) == 2


def test_counts_at_2_to_the_53_are_refused():
    with pytest.raises(DataError, match="too large"):
        online_changepoints(np.array([1.0, 2.0**53, 3.0]))


def test_values_beyond_1e150_are_refused_for_the_normal_family():
    with pytest.raises(DataError, match="too large"):
        online_changepoints(np.array([1.0, 1e151, 3.0]), family="normal")


def test_duplicate_dates_are_refused():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"])
    with pytest.raises(DataError, match="duplicate date"):
        online_changepoints(pd.Series([1, 2, 3, 4], index=idx))


def test_unsorted_dates_are_refused():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-04"])
    with pytest.raises(DataError, match="sort"):
        online_changepoints(pd.Series([1, 2, 3, 4], index=idx))


def test_gappy_dates_are_refused_with_the_missing_day():
    idx = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05"])
    with pytest.raises(DataError, match=r"missing period.*'2024-01-03'"):
        online_changepoints(pd.Series([1, 2, 3, 4], index=idx))


def test_unsorted_position_index_is_refused():
    with pytest.raises(DataError, match="not sorted"):
        online_changepoints(pd.Series([1, 2, 3, 4], index=[0, 2, 1, 3]))


def test_all_nan_input_is_refused():
    with pytest.raises(DataError, match="no observed values"):
        online_changepoints([np.nan, np.nan])


def test_dataframe_input_is_refused():
    with pytest.raises(TypeError, match="one series"):
        online_changepoints(pd.DataFrame({"a": [1, 2]}))


def test_overdispersed_counts_warn():
    # simulated negative-binomial counts (mean 5, size 2): the Poisson family sees bursts
    rng = np.random.default_rng(13)
    with pytest.warns(UserWarning, match="overdispersed"):
        res = online_changepoints(rng.negative_binomial(2, 2 / 7, 500))
    assert "overdispersed" in res.summary() and res.to_dict()["note"]


def test_poisson_counts_do_not_warn():
    rng = np.random.default_rng(13)
    rng.negative_binomial(2, 2 / 7, 500)  # the same stream as the test above
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = online_changepoints(np.r_[rng.poisson(3, 300), rng.poisson(9, 300)])
    assert quiet.to_dict()["note"] is None
