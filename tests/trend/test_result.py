"""TrendResult: its tables, slope, words, JSON, summary and plots (SIMULATED data)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.trend import TrendResult, fit_trend
from tests.trend.conftest import simulate


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


def test_fitted_band_contains_rate_and_keeps_index(nb_counts):
    res = fit_trend(nb_counts)
    f = res.fitted
    assert list(f.columns) == ["count", "rate", "ci_low", "ci_high"]
    assert f.index.equals(nb_counts.index)
    assert (f["ci_low"] < f["rate"]).all() and (f["rate"] < f["ci_high"]).all()
    assert_allclose(f["rate"], res.glm_result.fittedvalues)


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


def test_plot_with_a_forecast_returns_axes(nb_counts):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    ax = fit_trend(nb_counts).plot(forecast=28)
    assert isinstance(ax, Axes) and len(ax.lines) >= 3
    plt.close("all")


def test_forecast_plot_draws_on_the_given_axes(nb_counts):
    import matplotlib.pyplot as plt

    _, given = plt.subplots()
    assert fit_trend(nb_counts).forecast(7).plot(ax=given) is given
    plt.close("all")


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


def test_dependence_is_the_package_estimate_about_the_fitted_rate(nb_counts):
    from analysis._dependence import estimate_dependence

    res = fit_trend(nb_counts)
    direct = estimate_dependence(nb_counts.to_numpy(), res.fitted["rate"].to_numpy())
    assert res.dependence.dispersion == direct.dispersion
    assert res.dependence.long_run_dispersion == direct.long_run_dispersion
    assert "About the fit: dispersion" in res.summary()
    assert json.loads(json.dumps(res.to_dict()))["dependence"]["lag1"] == direct.lag1


def test_dependence_about_a_fitting_poisson_model_is_about_one(rng):
    # SIMULATED Poisson counts, 2000 days: the variance ratio has sd about
    # sqrt(2 / n) = 0.03 at this size; allowed 4 sd
    y, _ = simulate(rng, n=2000, slope=0.0004, alpha=0.0)
    dep = fit_trend(y, family="poisson").dependence
    assert abs(dep.dispersion - 1) < 4 * math.sqrt(2 / 2000)
    assert abs(dep.lag1) < 4 / math.sqrt(2000)
