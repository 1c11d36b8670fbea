"""rolling_rate's fast paths give what pandas and numpy give (issue 10: speed only).

The trailing sums, the distinct window totals and the band lookup were
rewritten for speed; each is held here to the straightforward computation
it replaced (pandas' rolling sum, ``np.unique``, the masked lookup), and
the whole frame to a reference built that way, on SIMULATED series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis.rates._dependent import quasi_jeffreys
from analysis.rates._rolling import _distinct, _scaled_band, _trailing_sum
from analysis.validation import PROCESSES, simulate_counts


def pandas_sum(values: np.ndarray, periods: int) -> np.ndarray:
    return pd.Series(values).rolling(periods, min_periods=periods).sum().to_numpy()


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).poisson(5, 1000).astype(float),  # simulated counts
        np.ones(400),
        np.full(400, 7.0),
        np.full(300, 1 / 24),  # hourly periods: not whole, through pandas
        np.r_[0.25, np.ones(50), 0.5],  # clipped edge periods
        np.r_[np.ones(20), np.nan, np.ones(20)],
        np.array([3.0, 1.0]),  # shorter than the window
        np.full(30, 2.0**52),  # sums beyond 2**53: through pandas
    ],
)
@pytest.mark.parametrize("periods", [1, 3, 7, 28])
def test_trailing_sum_is_the_pandas_rolling_sum(values, periods):
    fast, ref = _trailing_sum(values, periods), pandas_sum(values, periods)
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(ref))
    np.testing.assert_allclose(fast, ref, rtol=1e-12, atol=0)


def test_trailing_sum_of_whole_counts_is_exact():
    rng = np.random.default_rng(1)  # simulated overdispersed counts
    x = rng.negative_binomial(1, 0.001, 5000).astype(float)
    got = _trailing_sum(x, 7)[6:]
    exact = np.convolve(x.astype(np.int64), np.ones(7, dtype=np.int64), "valid")
    np.testing.assert_array_equal(got, exact.astype(float))


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(2).poisson(35, 10_000).astype(float),
        np.array([0.0, 0.0, 0.0]),
        np.array([5.0, 1e12, 5.0, 3.0]),  # a range far wider than the count: np.unique
        np.array([0.5, 1.5, 0.5, 2.25]),  # not whole: np.unique
    ],
)
def test_distinct_is_numpy_unique(values):
    distinct, where = _distinct(values)
    ref, ref_where = np.unique(values, return_inverse=True)
    np.testing.assert_array_equal(distinct, ref)
    np.testing.assert_array_equal(where, ref_where.reshape(-1))
    np.testing.assert_array_equal(distinct[where], values)


@pytest.mark.parametrize("nan_at", [[0, 1, 2], [0, 1, 2, 50], [], list(range(60))])
def test_scaled_band_is_the_masked_lookup(nan_at):
    rng = np.random.default_rng(3)  # simulated window totals
    events = rng.poisson(30, 60).astype(float)
    events[nan_at] = np.nan
    low, high = _scaled_band(events, 1.7, 0.9)
    finite = np.isfinite(events)
    ref_low, ref_high = np.full(60, np.nan), np.full(60, np.nan)
    if finite.any():
        lo, hi = quasi_jeffreys(events[finite], 1.0, 1.7, 0.9)
        ref_low[finite], ref_high[finite] = lo, hi
    np.testing.assert_array_equal(low, ref_low)
    np.testing.assert_array_equal(high, ref_high)


def reference_frame(counts: pd.Series, periods: int, de: float, level: float) -> np.ndarray:
    """The rolling table computed the plain way: pandas sums, one quantile per window."""
    values = counts.to_numpy(dtype=float)
    days = pandas_sum(np.ones(values.size), periods)
    events = pandas_sum(values, periods)
    finite = np.isfinite(events)
    low, high = np.full(values.size, np.nan), np.full(values.size, np.nan)
    low[finite], high[finite] = quasi_jeffreys(events[finite], 1.0, de, level)
    scale = 1.0 / days
    return np.column_stack([events * scale, low * scale, high * scale, events, days])


@pytest.mark.parametrize("kind", ["poisson", "nb2", "ar0.8", "nb5+ar0.8"])
@pytest.mark.parametrize("n", [6, 7, 40, 2000])
def test_rolling_frame_is_the_plain_computation(kind, n):
    sim = simulate_counts(PROCESSES[kind], n, 5.0, np.random.default_rng(n))
    s = pd.Series(np.asarray(sim.counts), index=pd.date_range("2020-01-01", periods=n))
    rr = it.rolling_rate(s, window="7D", level=0.9)
    got = rr.to_frame()
    assert list(got.columns) == ["rate", "ci_low", "ci_high", "events", "exposure"]
    assert got.index.equals(s.index)
    ref = reference_frame(s, 7, rr.design_effect, 0.9)
    np.testing.assert_array_equal(np.isnan(got.to_numpy()), np.isnan(ref))
    np.testing.assert_allclose(got.to_numpy(), ref, rtol=1e-12, atol=0)


def test_rolling_frame_of_hourly_counts_sums_fractional_days():
    rng = np.random.default_rng(7)  # simulated hourly counts
    s = pd.Series(
        rng.poisson(0.3, 24 * 20), index=pd.date_range("2024-03-01", periods=480, freq="h")
    )
    got = it.rolling_rate(s, window="1D", family="poisson").to_frame()
    np.testing.assert_allclose(got["exposure"].dropna().to_numpy(), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(
        got["events"].to_numpy(), s.astype(float).rolling(24, min_periods=24).sum().to_numpy()
    )
