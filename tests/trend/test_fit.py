"""fit_trend: estimates against statsmodels and closed forms, options, time zones.

All data are SIMULATED (see conftest.simulate). The simulation studies are
marked slow; seeds are fixed and tolerances come from the binomial standard
error of the number of simulations (7 s for the slope study of 1000 fits on
one core).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.discrete.discrete_model import NegativeBinomial

from analysis import count_incidents
from analysis.errors import DataError
from analysis.trend import fit_trend
from analysis.trend._design import default_knots
from tests.trend.conftest import SLOPE, WEEKLY, days, simulate


def _independent_design(y: pd.Series) -> pd.DataFrame:
    """The linear + weekday design written out independently of analysis.trend."""
    t = np.arange(len(y), dtype=float)
    dow = pd.get_dummies(y.index.day_name(), dtype=float)
    cols = {"const": np.ones(len(y)), "t": t}
    for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        cols[day] = dow[day].to_numpy()
    return pd.DataFrame(cols, index=y.index)


def test_negbin_matches_direct_statsmodels_fit(nb_counts):
    res = fit_trend(nb_counts, family="negbin", cov_type="nonrobust")
    x = _independent_design(nb_counts)
    y = nb_counts.to_numpy()
    mle = NegativeBinomial(y, x, loglike_method="nb2").fit(method="bfgs", maxiter=1000, disp=0)
    assert_allclose(res.dispersion, mle.params["alpha"], rtol=1e-4)
    glm = sm.GLM(y, x, family=sm.families.NegativeBinomial(alpha=res.dispersion)).fit()
    assert_allclose(res.params["estimate"].to_numpy(), glm.params.to_numpy(), rtol=1e-6)
    assert_allclose(res.params["se"].to_numpy(), glm.bse.to_numpy(), rtol=1e-6)
    # joint-MLE coefficients equal the GLM ones at alpha_hat; SEs agree to a few percent
    assert_allclose(res.params["estimate"].to_numpy(), mle.params.to_numpy()[:-1], atol=1e-4)
    assert_allclose(res.params["se"].to_numpy(), mle.bse.to_numpy()[:-1], rtol=0.05)


def test_poisson_matches_direct_statsmodels_fit(poisson_counts):
    res = fit_trend(poisson_counts, family="poisson", cov_type="nonrobust")
    x = _independent_design(poisson_counts)
    glm = sm.GLM(poisson_counts.to_numpy(), x, family=sm.families.Poisson()).fit()
    assert_allclose(res.params["estimate"].to_numpy(), glm.params.to_numpy(), rtol=1e-6)
    assert_allclose(res.params["se"].to_numpy(), glm.bse.to_numpy(), rtol=1e-6)
    ci = glm.conf_int(alpha=0.05).to_numpy()
    assert_allclose(res.params[["ci_low", "ci_high"]].to_numpy(), ci, rtol=1e-6)
    assert_allclose(
        res.params["p_value"].to_numpy(), glm.pvalues.to_numpy(), rtol=1e-6, atol=1e-300
    )


def test_hac_matches_statsmodels_newey_west(poisson_counts):
    res = fit_trend(poisson_counts, family="poisson", cov_type="HAC", hac_maxlags=5)
    x = _independent_design(poisson_counts)
    glm = sm.GLM(poisson_counts.to_numpy(), x, family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": 5}
    )
    assert_allclose(res.params["se"].to_numpy(), glm.bse.to_numpy(), rtol=1e-6)
    assert res.cov_type == "HAC"


def test_intercept_only_poisson_is_the_closed_form_rate(rng):
    # MLE of a constant Poisson rate is the mean; se of its log is 1/sqrt(total)
    y, _ = simulate(rng, n=60, slope=0.0, alpha=0.0, weekly=np.zeros(7))
    res = fit_trend(y, family="poisson", trend="none", weekly=False, cov_type="nonrobust")
    row = res.params.loc["intercept"]
    assert_allclose(row["rr"], y.mean(), rtol=1e-8)
    assert_allclose(row["se"], 1 / math.sqrt(y.sum()), rtol=1e-6)
    assert_allclose(row["rr_low"], y.mean() * math.exp(-1.959964 / math.sqrt(y.sum())), rtol=1e-6)
    assert res.slope is None and res.slope_ci is None
    # the default (latent) se: with no persistent latent variance found, the lag-0
    # moment matched to its exact expectation about the fitted mean is the
    # quasi-Poisson one, so the se is the closed form times sqrt(max(1, s^2 / mean))
    latent = fit_trend(y, family="poisson", trend="none", weekly=False)
    assert latent._f.latent.rho1 == 0.0
    ratio = max(1.0, float(y.var(ddof=1) / y.mean()))
    assert_allclose(latent.params.loc["intercept", "se"], row["se"] * math.sqrt(ratio), rtol=1e-6)
    assert_allclose(latent.params.loc["intercept", "rr"], y.mean(), rtol=1e-8)


def test_auto_family_reports_its_reason(nb_counts, poisson_counts):
    over = fit_trend(nb_counts)
    assert over.family == "negbin" and over.dispersion > 0
    assert "overdispersed" in over.family_reason and over.dispersion_test.overdispersed
    plain = fit_trend(poisson_counts)
    assert plain.family == "poisson" and plain.dispersion is None
    assert "kept poisson" in plain.family_reason


def test_requested_poisson_on_overdispersed_data_warns_in_notes(nb_counts):
    res = fit_trend(nb_counts, family="poisson")
    assert res.family == "poisson"
    assert any("overdispersed" in n for n in res.notes)


class _FakeChangepoints:
    """Duck-typed stand-in for a change-point result: only `.changepoints`."""

    def __init__(self, dates):
        self.changepoints = pd.DatetimeIndex(dates)


def test_breaks_from_list_and_from_changepoint_result_agree(nb_counts):
    a = fit_trend(nb_counts, breaks=["2024-03-15"])
    b = fit_trend(nb_counts, breaks=_FakeChangepoints(["2024-03-15"]))
    assert "shift[2024-03-15]" in a.params.index
    pd.testing.assert_frame_equal(a.params, b.params)


def test_break_recovers_a_simulated_level_shift(rng):
    n = 240
    shift = np.where(np.arange(n) >= 120, math.log(2.0), 0.0)
    y, _ = simulate(rng, n=n, slope=0.0, alpha=0.1, extra_log=shift)
    res = fit_trend(y, breaks=[y.index[120]])
    row = res.params.loc[f"shift[{y.index[120].date()}]"]
    assert row["rr_low"] < 2.0 < row["rr_high"]
    assert row["p_value"] < 0.001
    words = res.effects[f"shift[{y.index[120].date()}]"]
    assert words.startswith(f"level shift from {y.index[120].date()}: ")
    assert ("times the rate" in words) == (row["rr"] >= 2)


def test_piecewise_slope_is_the_last_segment(rng):
    n = 240
    t = np.arange(n)
    extra = np.where(t >= 150, -0.01 * (t - 150), 0.0)
    y, _ = simulate(rng, n=n, slope=0.005, alpha=0.1, extra_log=extra)
    res = fit_trend(y, trend="piecewise", breaks=[y.index[150]])
    p = res.params["estimate"]
    label = str(y.index[150].date())
    assert_allclose(res.slope, p["trend"] + p[f"slope_change[{label}]"])
    lo, hi = res.slope_ci
    assert lo < -0.005 < hi
    seg = res.segment_slopes
    assert_allclose(seg["slope"], [p["trend"], res.slope])
    assert seg["start"].iloc[1] == y.index[150]


def test_pulse_event_covers_its_duration_and_is_estimated(rng):
    n = 200
    extra = np.zeros(n)
    extra[100:103] = math.log(4.0)
    y, _ = simulate(rng, n=n, alpha=0.05, extra_log=extra)
    events = pd.DataFrame({"date": [y.index[100]], "name": ["raid"], "duration": [3]})
    res = fit_trend(y, events=events)
    col = res.design["pulse[raid]"]
    assert col.sum() == 3 and (col.iloc[100:103] == 1).all()
    row = res.params.loc["pulse[raid]"]
    assert row["rr_low"] < 4.0 < row["rr_high"]


def test_step_event_is_a_level_shift(rng):
    n = 200
    extra = np.where(np.arange(n) >= 80, math.log(0.5), 0.0)
    y, _ = simulate(rng, n=n, slope=0.0, alpha=0.05, extra_log=extra)
    events = pd.DataFrame({"date": [y.index[80]], "name": ["truce"], "kind": ["step"]})
    res = fit_trend(y, events=events)
    row = res.params.loc["step[truce]"]
    assert row["rr_low"] < 0.5 < row["rr_high"]
    assert "after event 'truce'" in res.effects["step[truce]"]


def test_exposure_is_an_offset(rng):
    y, _ = simulate(rng, alpha=0.0)
    exposure = pd.Series(np.where(np.arange(len(y)) % 2 == 0, 1.0, 2.0), index=y.index)
    res = fit_trend(y, family="poisson", exposure=exposure)
    x = _independent_design(y)
    glm = sm.GLM(y.to_numpy(), x, family=sm.families.Poisson(), offset=np.log(exposure)).fit()
    assert_allclose(res.params["estimate"].to_numpy(), glm.params.to_numpy(), rtol=1e-6)
    fc = res.forecast(3)
    assert any("exposure" in n for n in fc.notes)


def test_timezone_is_kept_across_daylight_saving(rng):
    y, _ = simulate(rng, n=100, start="2024-01-01", tz="Europe/Berlin")
    res = fit_trend(y)
    assert res.fitted.index.tz is not None and res.fitted.index.equals(y.index)
    f = res.forecast(10).to_frame()
    assert str(f.index.tz) == "Europe/Berlin"
    # 2024-04-10 ... local midnights every day, through no DST change here; the
    # series itself crosses the 2024-03-31 change and time stays in whole days
    assert (f.index.hour == 0).all()
    assert_allclose(res.design["trend"].to_numpy(), np.arange(100))


def test_spline_trend_follows_a_curve_and_extrapolates_linearly(rng):
    n = 240
    t = np.arange(n)
    curve = 0.8 * np.sin(t / 40.0)
    y, _ = simulate(rng, n=n, slope=0.0, alpha=0.05, extra_log=curve)
    res = fit_trend(y, trend="spline", family="poisson")
    assert res.slope is None
    assert sum(c.startswith("spline[") for c in res.params.index) == default_knots(n) + 1
    log_rate = np.log(res.fitted["rate"].to_numpy())
    truth = np.log(8.0) + curve + np.array([0, 0.1, 0.2, 0.1, 0, -0.4, -0.6])[y.index.day_of_week]
    assert np.sqrt(np.mean((log_rate - truth) ** 2)) < 0.15
    linear = fit_trend(y, trend="linear", family="poisson")
    assert res.glm_result.deviance < linear.glm_result.deviance - 50
    future = res.forecast(60).to_frame()["mean"].to_numpy()
    same_weekday = np.log(future[::7])  # one weekday: a straight line beyond the data
    assert_allclose(np.diff(same_weekday, 2), 0, atol=1e-9)


def test_too_short_for_the_design(ok):
    with pytest.raises(DataError, match="too short: 12 periods"):
        fit_trend(ok.iloc[:12])
    # the same 12 days suffice for a model with fewer coefficients
    assert fit_trend(ok.iloc[:12], weekly=False, family="poisson").n == 12


def test_all_zero_counts_are_an_error():
    with pytest.raises(DataError, match="every count is zero"):
        fit_trend(days(np.zeros(60, dtype=int)))


@pytest.mark.parametrize(
    ("option", "value"),
    [("family", "gamma"), ("trend", "cubic"), ("cov_type", "HC0"), ("level", 95)],
)
def test_unknown_options_are_errors(ok, option, value):
    with pytest.raises(ValueError, match=option):
        fit_trend(ok, **{option: value})


def test_weekly_cycle_needs_count_incidents():
    weekly = days(np.random.default_rng(1).poisson(30, 40), freq="W-MON")
    with pytest.raises(ValueError, match="weekly=False"):
        fit_trend(weekly)


def test_weekly_counts_forecast_whole_weeks():
    weekly = days(np.random.default_rng(1).poisson(30, 40), freq="W-MON")
    res = fit_trend(weekly, weekly=False, family="poisson")
    assert res.forecast(2).to_frame().index[0] == weekly.index[-1] + pd.Timedelta(weeks=1)


def test_weekday_without_any_event_is_reported():
    # SIMULATED sparse counts with no event on any Sunday: the Sunday effect is -infinity
    days = pd.date_range("2024-01-01", periods=120, freq="D")
    y = pd.Series(np.random.default_rng(2).poisson(0.5, 120), index=days)
    y[days.day_of_week == 6] = 0
    with pytest.raises(DataError, match=r"weekday\[Sun\]: no events"):
        fit_trend(y)
    assert fit_trend(y, weekly=False).n == 120


N_SLOPE = 1000


@pytest.fixture(scope="module")
def slope_study() -> dict[str, np.ndarray]:
    """Fit 1000 SIMULATED NB2 series (n = 200 days, alpha = 0.3) with family='negbin'."""
    rng = np.random.default_rng(11)
    covered, weekly, alphas = [], [], []
    for _ in range(N_SLOPE):
        y, _ = simulate(rng)
        res = fit_trend(y, family="negbin")
        lo, hi = res.slope_ci
        covered.append(lo <= SLOPE <= hi)
        weekly.append(
            res.params.loc[
                [f"weekday[{d}]" for d in ("Tue", "Wed", "Thu", "Fri", "Sat", "Sun")], "estimate"
            ]
        )
        alphas.append(res.dispersion)
    return {"covered": np.array(covered), "weekly": np.array(weekly), "alpha": np.array(alphas)}


@pytest.mark.slow
def test_slope_interval_covers_truth_at_nominal_rate(slope_study):
    # 95% intervals; measured 0.945 with this seed (0.948 over 2000 series with
    # another seed). With 1000 simulations the standard error of a 95% rate is
    # 0.7 points, so the contract (>= 93%) sits 2 standard errors below.
    coverage = slope_study["covered"].mean()
    assert coverage >= 0.93
    assert coverage <= 0.95 + 3 * math.sqrt(0.95 * 0.05 / N_SLOPE)  # not wastefully wide


@pytest.mark.slow
def test_weekly_pattern_is_recovered(slope_study):
    # The mean estimate of each weekday effect is within 4 Monte-Carlo standard
    # errors (sd 0.16-0.18 per fit / sqrt(1000) = 0.005) plus 0.01 of the truth
    # (measured biases 0.002 to 0.006), and single fits have sd below 0.2.
    est = slope_study["weekly"]
    mc_se = est.std(axis=0, ddof=1) / math.sqrt(len(est))
    np.testing.assert_array_less(np.abs(est.mean(axis=0) - WEEKLY[1:]), 4 * mc_se + 0.01)
    assert np.all(est.std(axis=0) < 0.2)


@pytest.mark.slow
def test_dispersion_estimate_is_close_to_truth(slope_study):
    # The NB2 alpha MLE is biased down in small samples: measured mean 0.283 for
    # a true 0.3 (1000 series of 200 days); allowed 0.03.
    assert abs(np.mean(slope_study["alpha"]) - 0.3) < 0.03


@pytest.mark.slow
def test_poisson_slope_interval_covers_truth():
    """Coverage of the Poisson fit on 300 SIMULATED Poisson series: measured 0.957; >= 93%."""
    rng = np.random.default_rng(15)
    hits = []
    for _ in range(300):
        res = fit_trend(simulate(rng, alpha=0.0)[0], family="poisson")
        lo, hi = res.slope_ci
        hits.append(lo <= SLOPE <= hi)
    assert np.mean(hits) >= 0.93


@pytest.mark.slow
def test_hac_restores_coverage_under_autocorrelation():
    """SIMULATED counts whose log rate has an AR(1) component (phi 0.8, sd 0.25).

    Model-based intervals are too narrow there; HAC (Newey-West) standard
    errors widen them. Measured over 200 series: nonrobust coverage 0.67,
    HAC 0.78 (still short of 95%: with strong persistence and n = 200 the
    default Newey-West bandwidth of 4 lags is too short).
    """
    rng = np.random.default_rng(16)
    hits_plain, hits_hac = [], []
    for _ in range(200):
        eps = np.zeros(200)
        shocks = rng.normal(0, 0.25 * math.sqrt(1 - 0.8**2), 200)
        for t in range(1, 200):
            eps[t] = 0.8 * eps[t - 1] + shocks[t]
        y, _ = simulate(rng, alpha=0.0, extra_log=eps)
        for cov, hits in (("nonrobust", hits_plain), ("HAC", hits_hac)):
            lo, hi = fit_trend(y, family="negbin", cov_type=cov).slope_ci
            hits.append(lo <= SLOPE <= hi)
    assert np.mean(hits_hac) > np.mean(hits_plain) + 0.05
    assert np.mean(hits_plain) < 0.9


# ---------------------------------------------------------------- the package's own counts


def _incidents(first: str, last: str, tz: str | None, seed: int = 0) -> pd.DataFrame:
    """SIMULATED incident table: Poisson(4) incidents a day between 01:30 and 23:00 local."""
    rng = np.random.default_rng(seed)
    local_days = pd.date_range(first, last, freq="D")
    per_day = rng.poisson(4, len(local_days))
    minutes = rng.integers(90, 1380, per_day.sum())
    times = np.repeat(local_days, per_day) + pd.to_timedelta(minutes, unit="min")
    start = pd.DatetimeIndex(times)
    return pd.DataFrame({"start": start if tz is None else start.tz_localize(tz)})


@pytest.mark.parametrize(
    ("tz", "first", "last", "change", "hour"),
    [
        # clocks forward at midnight on 2024-03-31: that day starts at 01:00
        ("Asia/Beirut", "2024-02-01", "2024-05-10", "2024-03-31", 1),
        # clocks forward at midnight on 1998-03-20
        ("Asia/Jerusalem", "1998-02-01", "1998-05-10", "1998-03-20", 1),
        # clocks back at 01:00 on 2000-10-06: midnight occurs twice, the day starts at the first
        ("Asia/Jerusalem", "2000-09-01", "2000-12-08", "2000-10-06", 0),
    ],
)
def test_daily_counts_across_a_midnight_clock_change(tz, first, last, change, hour):
    counts = count_incidents(_incidents(first, last, tz), start=first, end=last)
    assert counts.index[counts.index.strftime("%Y-%m-%d") == change].hour.tolist() == [hour]
    res = fit_trend(counts)
    n = len(pd.date_range(first, last, freq="D"))
    assert res.n == n and res.fitted.index.equals(counts.index)
    assert_allclose(res.design["trend"].to_numpy(), np.arange(n))
    assert res.counts.sum() == counts.sum()


def test_empty_series_is_an_error():
    empty = pd.Series([], index=pd.DatetimeIndex([]), dtype=int, name="n")
    with pytest.raises(DataError, match="counts is empty"):
        fit_trend(empty)


def test_one_value_is_an_error():
    with pytest.raises(DataError, match=r"too short: 1 period\(s\)"):
        fit_trend(days([4]), trend="none", weekly=False)


def test_one_zero_is_an_error():
    with pytest.raises(DataError, match="every count is zero"):
        fit_trend(days([0]))


def test_partly_covered_first_week_is_scaled_by_its_coverage():
    # SIMULATED weekly counts from a window that starts on a Wednesday: the first
    # week (from Monday 2024-01-01) covers 5 of its 7 days. The closed form of the
    # intercept-only Poisson rate per week is total / (weeks covered).
    table = _incidents("2024-01-03", "2024-06-30", None, seed=1)
    counts = count_incidents(table, freq="W-MON", start="2024-01-03", end="2024-06-30")
    res = fit_trend(counts, trend="none", weekly=False, family="poisson")
    weeks = len(counts) - 2 / 7
    assert_allclose(res.params.loc["intercept", "rr"], counts.sum() / weeks, rtol=1e-8)
    assert any("Partly covered period(s) from 2024-01-01" in n for n in res.notes)


def test_latent_standard_errors_are_never_below_the_model_ones(nb_counts):
    latent = fit_trend(nb_counts, family="negbin")
    model = fit_trend(nb_counts, family="negbin", cov_type="nonrobust")
    assert latent.cov_type == "latent"
    assert_allclose(latent.params["estimate"], model.params["estimate"], rtol=1e-9)
    assert (latent.params["se"].to_numpy() >= model.params["se"].to_numpy() - 1e-12).all()


def test_latent_standard_errors_widen_under_a_simulated_latent_ar_process():
    from analysis.validation import simulate_counts
    from analysis.validation._simulate import PROCESSES

    rng = np.random.default_rng(5)
    counts = simulate_counts(PROCESSES["ar0.8"], 730, 5.0, rng).counts
    latent = fit_trend(counts, family="poisson", weekly=False)
    model = fit_trend(counts, family="poisson", weekly=False, cov_type="nonrobust")
    # closed form of the variance ratio of a slow regressor: the long-run variance ratio
    # (1 + mu (e^{s^2} - 1) (1 + 2 sum phi^k)) is about 5 here; require a clear inflation
    ratio = (latent.params["se"] / model.params["se"]).loc["trend"] ** 2
    assert 2.0 < ratio < 10.0
