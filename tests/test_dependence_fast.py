"""The fast autocovariance paths give the numbers of a direct O(n * lags) computation.

Issue 10 made the rate functions compute only the lags they use (dot
products, then one FFT of a fast size) and, for a window of a longer
series, the Bartlett sum over all lags from window sums. Nothing about the
statistics changed; these tests hold every number to a direct computation,
one dot product per lag, on SIMULATED series of several lengths (short ones
included) and processes (independent, overdispersed and dependent), to
1e-12 relative (autocovariances to 1e-12 of the variance: a near-zero lag
has no relative precision to keep).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis._dependence import (
    MIN_PERIODS_FOR_DEPENDENCE,
    _andrews_bandwidth,
    _latent_ar_bandwidth,
    _whole_bartlett,
    estimate_dependence,
    mean_long_run_variance,
)
from analysis._series import CountSeries
from analysis.rates._dependent import design_effect
from analysis.validation import PROCESSES, simulate_counts

RTOL = 1e-12
LENGTHS = [2, 3, 5, 29, 30, 31, 64, 97, 365, 1000, 3000]
KINDS = ["poisson", "nb2", "ar0.8", "nb5+ar0.8", "ar0.8+weekly"]


def simulated(kind: str, n: int, seed: int = 0) -> np.ndarray:
    """SIMULATED daily counts of one of the validation processes, mean about 5."""
    sim = simulate_counts(PROCESSES[kind], n, 5.0, np.random.default_rng(seed))
    return np.asarray(sim.counts, dtype=float)


def direct_autocovariance(x: np.ndarray, fitted=None, max_lag: int | None = None) -> np.ndarray:
    """``sum_t r_t r_{t+k} / n`` over the pairs present, one dot product per lag."""
    mu = np.full(x.shape, np.nanmean(x)) if fitted is None else np.broadcast_to(fitted, x.shape)
    ok = ~np.isnan(x)
    r = np.where(ok, x - mu, 0.0)
    n = int(ok.sum())
    top = max(1, n // 3) if max_lag is None else max_lag
    return np.array([r[k:] @ r[: r.size - k] if k < r.size else 0.0 for k in range(top + 1)]) / n


def direct_dependence(x: np.ndarray, fitted=None) -> dict[str, float]:
    """The numbers of estimate_dependence from direct autocovariances."""
    mu = np.full(x.shape, np.nanmean(x)) if fitted is None else np.broadcast_to(fitted, x.shape)
    ok = ~np.isnan(x)
    n = int(ok.sum())
    mean = float(np.mean(mu[ok]))
    g = direct_autocovariance(x, fitted)
    max_lag = max(1, n // 3)
    b = _andrews_bandwidth(g, n, max_lag)
    k = np.arange(1, b + 1)
    lrv = g[0] + 2.0 * np.sum((1.0 - k / (b + 1)) * g[k])
    return {"gamma": g, "mean": mean, "bandwidth": b, "lrd": max(lrv, 0.0) / mean}


def close(a: float, b: float, scale: float | None = None) -> bool:
    return abs(a - b) <= RTOL * (abs(b) if scale is None else scale) + 1e-300


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", LENGTHS)
def test_estimate_dependence_matches_direct_lags(kind, n):
    x = simulated(kind, n)
    if np.nanmean(x) <= 0:
        pytest.skip("no events")
    dep, ref = estimate_dependence(x), direct_dependence(x)
    g = ref["gamma"]
    assert dep.autocovariance.size == (g.size if n >= MIN_PERIODS_FOR_DEPENDENCE else 1)
    np.testing.assert_allclose(
        dep.autocovariance, g[: dep.autocovariance.size], rtol=0, atol=RTOL * g[0]
    )
    assert close(dep.dispersion, g[0] / ref["mean"])
    if n >= MIN_PERIODS_FOR_DEPENDENCE:
        assert dep.bandwidth == ref["bandwidth"]
        assert close(dep.long_run_dispersion, ref["lrd"], scale=g[0] / ref["mean"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [30, 31, 64, 97, 365, 1000, 3000])
def test_first_lags_give_the_full_estimate(kind, n):
    """``lags=``: the same design effects (demeaning correction included) as every lag."""
    x = simulated(kind, n, seed=1)
    full = estimate_dependence(x)
    for lags in (1, 6, 30):
        quick = estimate_dependence(x, lags=lags)
        if lags < n // 3:
            assert quick.all_lags == n // 3 + 1  # the quick path ran (whole counts)
            assert quick.autocovariance.size <= max(lags, quick.bandwidth) + 1
        scale = full.autocovariance[0] / full.mean
        assert close(quick.dispersion, full.dispersion)
        assert close(quick.lag1, full.lag1, scale=1.0)
        assert quick.bandwidth == full.bandwidth
        assert close(quick.long_run_dispersion, full.long_run_dispersion, scale=scale)
        assert close(
            quick._mean_bias_long_run_variance(),
            full._mean_bias_long_run_variance(),
            scale=full.autocovariance[0],
        )
        for m in (2, 3.5, 7, lags + 1):
            if math.ceil(m) <= lags + 1:
                assert close(quick.design_effect(m), full.design_effect(m), scale=scale)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", [30, 97, 1000, 3000])
def test_window_sums_give_the_bartlett_sum_over_every_lag(kind, n):
    x = simulated(kind, n, seed=2)
    size = n // 3 + 1
    g = direct_autocovariance(x, max_lag=size - 1)
    k = np.arange(1, size)
    direct = g[0] + 2.0 * np.sum((1.0 - k / size) * g[k])
    fast = _whole_bartlett(x, size, float(np.nanmean(x)))
    assert fast is not None
    assert close(fast, direct, scale=g[0])


def test_window_sums_refuse_what_they_cannot_sum_exactly():
    x = np.array([1.0, 2.5, 3.0] * 20)  # not whole numbers
    assert _whole_bartlett(x, 20, float(x.mean())) is None
    big = np.full(60, 2.0**52)  # a total beyond 2**53
    assert _whole_bartlett(big, 20, float(big.mean())) is None


def test_missing_values_and_fitted_means_fall_back_to_every_lag():
    rng = np.random.default_rng(5)  # simulated negative binomial counts with gaps
    x = rng.negative_binomial(2, 2 / 7, 400).astype(float)
    x[rng.choice(400, 40, replace=False)] = np.nan
    fitted = np.linspace(3.0, 7.0, 400)
    for f in (None, fitted):
        ref = direct_dependence(x, f)
        for lags in (None, 6):
            dep = estimate_dependence(x, f, lags=lags)
            assert dep.all_lags == 0  # NaN or fitted values: the FFT path, every lag
            np.testing.assert_allclose(
                dep.autocovariance, ref["gamma"], rtol=0, atol=RTOL * ref["gamma"][0]
            )
            assert close(dep.long_run_dispersion, ref["lrd"], scale=ref["gamma"][0])


def test_first_lags_refuse_a_longer_window_and_bad_lags():
    x = simulated("nb2", 365)
    quick = estimate_dependence(x, lags=6)
    with pytest.raises(ValueError, match="lags="):
        quick.design_effect(60)
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="lags"):
            estimate_dependence(x, lags=bad)


def direct_mean_long_run_variance(x: np.ndarray) -> tuple[float, float]:
    """Bandwidth and Bartlett long-run variance from all n - 1 direct autocovariances."""
    n = x.size
    g = direct_autocovariance(x, max_lag=n - 1)
    bandwidth = _latent_ar_bandwidth(g, n)
    k = np.arange(1, math.ceil(bandwidth))
    return bandwidth, max(float(g[0] + 2.0 * np.sum((1.0 - k / bandwidth) * g[k])), 0.0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n", LENGTHS)
def test_mean_long_run_variance_matches_every_direct_lag(kind, n):
    x = simulated(kind, n, seed=3)
    if x.mean() <= 0:
        pytest.skip("no events")
    h = mean_long_run_variance(x)
    bandwidth, lrv = direct_mean_long_run_variance(x)
    assert h.bandwidth == pytest.approx(bandwidth, rel=RTOL)
    assert close(h.long_run_variance, lrv, scale=float(np.var(x)))


def test_mean_long_run_variance_reaches_past_the_first_lags():
    """A slowly varying rate needs a bandwidth beyond the 32 dot-product lags: the FFT part."""
    x = simulated("ar0.8", 3000, seed=4)
    h = mean_long_run_variance(x)
    assert h.bandwidth > 40
    bandwidth, lrv = direct_mean_long_run_variance(x)
    assert h.bandwidth == pytest.approx(bandwidth, rel=RTOL)
    assert close(h.long_run_variance, lrv, scale=float(np.var(x)))


@pytest.mark.parametrize("kind", KINDS)
def test_rate_design_effect_is_the_full_estimate(kind):
    """rates.design_effect (which asks for few lags) gives the full estimate's value."""
    import pandas as pd

    x = simulated(kind, 2000, seed=6)
    s = pd.Series(x, index=pd.date_range("2020-01-01", periods=x.size))
    full = CountSeries.from_pandas(s)
    for m in (1, 7, 28):
        de = design_effect(full.take(np.arange(full.n) < m), full, 0.95)
        assert de.method == "reference"
        assert close(de.estimated, estimate_dependence(x).design_effect(m), scale=1.0)
