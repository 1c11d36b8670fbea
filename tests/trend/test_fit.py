"""fit_trend against statsmodels, closed forms and the design contract (SIMULATED data)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.discrete.discrete_model import NegativeBinomial

from analysis.trend import ForecastResult, TrendResult, fit_trend
from analysis.trend._design import default_knots, natural_spline_basis
from tests.trend.conftest import simulate


def _independent_design(y: pd.Series) -> pd.DataFrame:
    """The linear + weekday design written out independently of analysis.trend."""
    t = np.arange(len(y), dtype=float)
    dow = pd.get_dummies(y.index.day_name(), dtype=float)
    cols = {"const": np.ones(len(y)), "t": t}
    for day in ("Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        cols[day] = dow[day].to_numpy()
    return pd.DataFrame(cols, index=y.index)


def test_negbin_matches_direct_statsmodels_fit(nb_counts):
    res = fit_trend(nb_counts, family="negbin")
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
    res = fit_trend(poisson_counts, family="poisson")
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
    res = fit_trend(y, family="poisson", trend="none", weekly=False)
    row = res.params.loc["intercept"]
    assert_allclose(row["rr"], y.mean(), rtol=1e-8)
    assert_allclose(row["se"], 1 / math.sqrt(y.sum()), rtol=1e-6)
    assert_allclose(row["rr_low"], y.mean() * math.exp(-1.959964 / math.sqrt(y.sum())), rtol=1e-6)
    assert res.slope is None and res.slope_ci is None


def test_params_table_has_the_contract_columns(nb_counts):
    p = fit_trend(nb_counts).params
    assert list(p.columns) == [
        "estimate", "se", "ci_low", "ci_high", "p_value", "rr", "rr_low", "rr_high"
    ]  # fmt: skip
    assert_allclose(p["rr"], np.exp(p["estimate"]))
    assert_allclose(p["rr_high"], np.exp(p["ci_high"]))
    assert list(p.index[:2]) == ["intercept", "trend"]


def test_slope_is_the_trend_coefficient_with_its_interval(nb_counts):
    res = fit_trend(nb_counts, level=0.9)
    p = res.params.loc["trend"]
    assert res.slope == p["estimate"]
    assert_allclose(res.slope_ci, (p["ci_low"], p["ci_high"]))
    assert res.level == 0.9


def test_slope_text_is_percent_per_week(nb_counts):
    res = fit_trend(nb_counts)
    pct = 100 * math.expm1(7 * res.slope)
    lo, hi = (100 * math.expm1(7 * v) for v in res.slope_ci)
    assert res.slope_text == f"+{pct:.1f}% per week (95% CI {lo:.1f}% to {hi:.1f}%)"


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


def test_dispersion_test_matches_hand_computation(poisson_counts):
    res = fit_trend(poisson_counts, family="poisson")
    g = res.glm_result
    y = poisson_counts.to_numpy()
    mu = g.fittedvalues.to_numpy()
    h = g.get_hat_matrix_diag()
    z = np.sum((y - mu) ** 2 - y + h * mu) / np.sqrt(2 * np.sum(mu**2))
    assert_allclose(res.dispersion_test.statistic, z, rtol=1e-10)


def test_fitted_band_contains_rate_and_keeps_index(nb_counts):
    res = fit_trend(nb_counts)
    f = res.fitted
    assert list(f.columns) == ["count", "rate", "ci_low", "ci_high"]
    assert f.index.equals(nb_counts.index)
    assert (f["ci_low"] < f["rate"]).all() and (f["rate"] < f["ci_high"]).all()
    assert_allclose(f["rate"], res.glm_result.fittedvalues)


# ---------------------------------------------------------------- breaks and events


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


def test_break_column_is_a_step_from_its_date(nb_counts):
    d = fit_trend(nb_counts, breaks=["2024-02-01"]).design["shift[2024-02-01]"]
    assert (d[:"2024-01-31"] == 0).all() and (d["2024-02-01":] == 1).all()


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


def test_piecewise_needs_breaks(nb_counts):
    with pytest.raises(ValueError, match="piecewise"):
        fit_trend(nb_counts, trend="piecewise")


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


def test_break_and_step_event_on_same_date_are_collinear(nb_counts):
    events = pd.DataFrame({"date": ["2024-03-01"], "name": ["x"], "kind": ["step"]})
    with pytest.raises(ValueError, match="collinear"):
        fit_trend(nb_counts, breaks=["2024-03-01"], events=events)


def test_break_outside_the_data_is_an_error(nb_counts):
    with pytest.raises(ValueError, match="do not vary"):
        fit_trend(nb_counts, breaks=["2030-01-01"])
    with pytest.raises(ValueError, match="do not vary"):
        fit_trend(nb_counts, breaks=[nb_counts.index[0]])


# ---------------------------------------------------------------- exposure


def test_exposure_is_an_offset(rng):
    y, _ = simulate(rng, alpha=0.0)
    exposure = pd.Series(np.where(np.arange(len(y)) % 2 == 0, 1.0, 2.0), index=y.index)
    res = fit_trend(y, family="poisson", exposure=exposure)
    x = _independent_design(y)
    glm = sm.GLM(y.to_numpy(), x, family=sm.families.Poisson(), offset=np.log(exposure)).fit()
    assert_allclose(res.params["estimate"].to_numpy(), glm.params.to_numpy(), rtol=1e-6)
    fc = res.forecast(3)
    assert any("exposure" in n for n in fc.notes)


def test_exposure_must_be_positive_and_aligned(nb_counts):
    bad = pd.Series(1.0, index=nb_counts.index)
    bad.iloc[5] = 0.0
    with pytest.raises(Exception, match="positive"):
        fit_trend(nb_counts, exposure=bad)
    with pytest.raises(Exception, match="index differs"):
        fit_trend(nb_counts, exposure=bad.iloc[1:])


# ---------------------------------------------------------------- forecast


def test_forecast_frame_continues_index_and_weekly_cycle(nb_counts):
    res = fit_trend(nb_counts, family="negbin")
    fc = res.forecast(14)
    assert isinstance(fc, ForecastResult)
    f = fc.to_frame()
    assert list(f.columns) == ["mean", "pi_low", "pi_high"]
    expected = pd.date_range(nb_counts.index[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    assert f.index.equals(expected)
    # the mean follows exp(x'beta): Sunday over Saturday of the same week is the weekday RR ratio
    rr = res.params["rr"]
    sat, sun = f.index[f.index.day_of_week == 5][0], f.index[f.index.day_of_week == 6][0]
    ratio = f.loc[sun, "mean"] / f.loc[sat, "mean"]
    assert_allclose(ratio, rr["weekday[Sun]"] / rr["weekday[Sat]"] * math.exp(res.slope))
    assert (f["pi_low"] <= f["mean"]).all() and (f["mean"] <= f["pi_high"]).all()


def test_forecast_keeps_steps_and_ends_pulses(nb_counts):
    events = pd.DataFrame(
        {"date": ["2024-05-01", "2024-07-15"], "name": ["a", "b"], "kind": ["step", "pulse"],
         "duration": [None, 10]}
    )  # fmt: skip
    res = fit_trend(nb_counts, events=events, breaks=["2024-03-01"])
    future = res._f.spec.matrix(pd.date_range("2024-07-19", periods=5, freq="D"))
    assert (future["step[a]"] == 1).all() and (future["shift[2024-03-01]"] == 1).all()
    # the pulse of 10 days from 2024-07-15 runs to 2024-07-24 inclusive
    assert future["pulse[b]"].tolist() == [1, 1, 1, 1, 1]
    later = res._f.spec.matrix(pd.date_range("2024-07-25", periods=3, freq="D"))
    assert (later["pulse[b]"] == 0).all()


def test_forecast_is_reproducible_with_a_seed(nb_counts):
    res = fit_trend(nb_counts)
    a = res.forecast(7, seed=3).to_frame()
    b = res.forecast(7, seed=3).to_frame()
    pd.testing.assert_frame_equal(a, b)


def test_forecast_interval_widens_with_parameter_uncertainty(rng):
    # a short series has uncertain parameters: its 90% interval is wider than the
    # plug-in NB quantiles at the same mean
    y, _ = simulate(rng, n=40, alpha=0.2)
    res = fit_trend(y, family="negbin")
    fc = res.forecast(28, n_sim=20000).to_frame()
    from scipy import stats

    alpha = res.dispersion
    mean = fc["mean"].to_numpy()
    size = 1 / alpha
    plug_hi = stats.nbinom.ppf(0.95, size, size / (size + mean))
    assert np.mean(fc["pi_high"].to_numpy() >= plug_hi) > 0.9
    assert np.mean(fc["pi_high"].to_numpy() > plug_hi) > 0.5


def test_forecast_total_is_consistent(nb_counts):
    fc = fit_trend(nb_counts).forecast(28)
    total, lo, hi = fc.total
    assert_allclose(total, fc.mean.sum())
    assert lo < total < hi
    assert hi < fc.pi_high.sum()  # sums of daily bounds overstate the total's interval


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


def test_natural_spline_basis_is_linear_outside_the_boundary_knots():
    knots = np.array([0.0, 0.3, 0.6, 1.0])
    x = np.linspace(1.0, 3.0, 9)
    b = natural_spline_basis(x, knots)
    assert_allclose(np.diff(b, 2, axis=0), 0, atol=1e-12)
    x_left = np.linspace(-2.0, 0.0, 9)
    assert_allclose(np.diff(natural_spline_basis(x_left, knots), 2, axis=0), 0, atol=1e-12)


def test_default_knot_rule():
    assert [default_knots(d) for d in (30, 84, 200, 365, 5000)] == [1, 2, 4, 8, 10]


# ---------------------------------------------------------------- outputs


def test_to_dict_is_json_and_has_the_contract(nb_counts):
    res = fit_trend(nb_counts, breaks=["2024-03-01"])
    d = json.loads(json.dumps(res.to_dict()))
    for key in ("family", "slope", "slope_ci", "dispersion", "params", "dispersion_test", "notes"):
        assert key in d
    assert d["params"]["trend"]["rr"] == pytest.approx(math.exp(res.slope))
    json.dumps(res.forecast(7).to_dict())


def test_summary_names_family_slope_and_effects(nb_counts):
    res = fit_trend(nb_counts, breaks=["2024-03-01"])
    text = res.summary()
    assert "negbin" in text and res.slope_text in text and "level shift from 2024-03-01" in text
    assert "Ljung-Box" in text
    assert isinstance(res, TrendResult) and "<TrendResult>" in repr(res)


def test_result_attributes_are_read_only(nb_counts):
    res = fit_trend(nb_counts)
    with pytest.raises(AttributeError):
        res.slope = 0.0  # type: ignore[misc]
    table = res.params
    table.loc["trend", "estimate"] = 99.0
    assert res.params.loc["trend", "estimate"] != 99.0


def test_plots_return_axes_and_figures(nb_counts):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    res = fit_trend(nb_counts)
    ax = res.plot(forecast=28)
    assert isinstance(ax, Axes) and len(ax.lines) >= 3
    _, given = plt.subplots()
    assert res.forecast(7).plot(ax=given) is given
    assert isinstance(res.plot_diagnostics(), Figure)
    plt.close("all")


def test_autocorrelated_residuals_get_a_plain_note(rng):
    # SIMULATED: a slowly wandering log rate (AR(1), phi 0.9) the model does not know about
    eps = np.zeros(200)
    for t in range(1, 200):
        eps[t] = 0.9 * eps[t - 1] + rng.normal(0, 0.2)
    y, _ = simulate(rng, alpha=0.0, extra_log=eps)
    res = fit_trend(y)
    assert res.autocorrelated
    assert any("too narrow" in n and "cov_type='HAC'" in n for n in res.notes)
    assert res.forecast(7).notes and "Note:" in res.summary()
    hac = fit_trend(y, cov_type="HAC")
    assert any("HAC standard errors in use" in n for n in hac.notes)
    assert len(res.acf) == 28


def test_slope_words_use_the_period_of_monthly_and_yearly_series():
    from analysis.io.reference import load_coal_mining_disasters

    # published coal-mining disaster counts per year: the rate falls about 1.8% a year
    res = fit_trend(load_coal_mining_disasters(as_counts=True), weekly=False)
    assert res.slope_text.endswith("per year (95% CI -2.3% to -1.3%)")
    assert res.slope_text.startswith("-1.8%")
    assert "per year" in res.effects["trend"]
    # SIMULATED monthly counts rising 2% a month
    days = pd.date_range("2021-01-01", periods=36, freq="MS")
    y = pd.Series(np.random.default_rng(0).poisson(30 * np.exp(0.02 * np.arange(36))), index=days)
    assert "per month" in fit_trend(y, weekly=False).slope_text
