"""Tests of analysis.rates._estimate (estimate_rate, RateResult): closed forms, published
values, exposure, families and result objects. All data are simulated or hand-made.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis.counts import count_incidents
from analysis.rates import (
    PER_DAYS,
    RateResult,
    estimate_rate,
)
from tests.rates.conftest import daily, overdispersed

# Exact (Garwood 1936) 95% limits for a Poisson mean, as tabulated to four
# decimals in the literature (e.g. Ulm K., Am J Epidemiol 1990;131:373-375);
# x = 5 -> 1.6235, 11.6683 is also the value quoted in the project's issue 2.
PUBLISHED_95 = {
    0: (0.0, 3.6889),
    1: (0.0253, 5.5716),
    2: (0.2422, 7.2247),
    3: (0.6187, 8.7673),
    5: (1.6235, 11.6683),
    10: (4.7954, 18.3904),
}


@pytest.mark.parametrize("x", [0, 1, 5, 41])
@pytest.mark.parametrize("level", [0.95, 0.90, 0.99])
def test_poisson_limits_equal_the_chi2_formulas(x, level):
    r = estimate_rate(total=x, exposure=1, family="poisson", level=level)
    a = 1 - level
    low = stats.chi2.ppf(a / 2, 2 * x) / 2 if x > 0 else 0.0
    high = stats.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    assert r.ci_low == pytest.approx(low, rel=1e-12, abs=1e-15)
    assert r.ci_high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize("x", [1, 5, 41])
def test_poisson_limits_equal_the_gamma_quantile_form(x):
    r = estimate_rate(total=x, exposure=1, family="poisson")
    assert r.ci_low == pytest.approx(stats.gamma.ppf(0.025, x), rel=1e-10)
    assert r.ci_high == pytest.approx(stats.gamma.ppf(0.975, x + 1), rel=1e-10)


@pytest.mark.parametrize(("x", "limits"), sorted(PUBLISHED_95.items()))
def test_poisson_limits_match_published_table(x, limits):
    r = estimate_rate(total=x, exposure=1)
    assert r.ci_low == pytest.approx(limits[0], abs=6e-5)
    assert r.ci_high == pytest.approx(limits[1], abs=6e-5)


def test_zero_events_have_lower_limit_zero_and_upper_minus_log_alpha():
    r = estimate_rate(total=0, exposure=7)
    assert r.rate == 0 and r.ci_low == 0
    assert r.ci_high == pytest.approx(-math.log(0.025) / 7, rel=1e-12)


def test_41_events_in_7_days_is_5_857_a_day():
    r = estimate_rate(total=41, exposure=7)
    assert r.rate == pytest.approx(41 / 7)
    assert round(r.rate, 3) == 5.857
    assert r.ci_low == pytest.approx(stats.chi2.ppf(0.025, 82) / 14)
    assert r.ci_high == pytest.approx(stats.chi2.ppf(0.975, 84) / 14)


def test_summary_of_41_in_7_days():
    assert (
        estimate_rate(total=41, exposure=7).summary()
        == "5.86 per day (95% CI 4.20-7.95), 41 events in 7 days, exact Poisson"
    )


@pytest.mark.parametrize(("per", "days"), [*PER_DAYS.items(), (14, 14.0), (0.5, 0.5)])
def test_per_scales_rate_and_interval(per, days):
    day = estimate_rate(total=41, exposure=7)
    r = estimate_rate(total=41, exposure=7, per=per)
    assert r.per_days == days
    for name in ("rate", "ci_low", "ci_high"):
        assert getattr(r, name) == pytest.approx(getattr(day, name) * days)


def test_month_and_year_lengths_are_gregorian_means():
    assert PER_DAYS["month"] == 30.436875 == 365.2425 / 12
    assert PER_DAYS["year"] == 365.2425


def test_daily_series_of_seven_days_covers_seven_days():
    r = estimate_rate(daily([5, 7, 4, 8, 6, 5, 6]), family="poisson")
    assert (r.events, r.exposure) == (41, 7.0)
    assert r.rate == pytest.approx(41 / 7)
    assert r.start == pd.Timestamp("2024-01-01") and r.end == pd.Timestamp("2024-01-07")


def test_series_and_total_give_the_same_poisson_result():
    a = estimate_rate(daily([5, 7, 4, 8, 6, 5, 6]), family="poisson")
    b = estimate_rate(total=41, exposure=7, family="poisson")
    assert (a.rate, a.ci_low, a.ci_high) == pytest.approx((b.rate, b.ci_low, b.ci_high))


def test_weekly_series_uses_seven_days_per_period():
    s = pd.Series([3, 4, 5], index=pd.date_range("2024-01-01", periods=3, freq="W-MON"))
    r = estimate_rate(s, family="poisson")
    assert r.exposure == 21.0
    assert r.end == pd.Timestamp("2024-01-21")


def test_monthly_series_uses_actual_month_lengths():
    s = pd.Series([10, 10, 10], index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    r = estimate_rate(s, family="poisson")
    assert r.exposure == 31 + 29 + 31


def test_daily_series_across_dst_counts_one_day_per_day():
    s = daily([1, 2, 3, 4], start="2024-03-28", tz="Asia/Jerusalem")
    r = estimate_rate(s, family="poisson")
    assert r.exposure == 4.0
    assert r.start == pd.Timestamp("2024-03-28") and r.end == pd.Timestamp("2024-03-31")


def test_partial_edge_periods_of_daily_counts_are_clipped_to_their_window():
    t = pd.DataFrame({"start": ["2024-01-03", "2024-01-10"]})
    weekly = count_incidents(t, freq="W", start="2024-01-03", end="2024-01-10")
    r = estimate_rate(weekly, family="poisson")
    assert r.exposure == 8.0  # 3..10 January inclusive, not two full weeks
    assert r.events == 2


def test_auto_with_a_total_is_poisson_and_says_dispersion_cannot_be_checked():
    r = estimate_rate(total=41, exposure=7)
    assert r.family == "poisson"
    assert r.dispersion is None
    assert "cannot be checked" in r.reason


def test_negbin_needs_counts():
    with pytest.raises(ValueError, match="total cannot show overdispersion"):
        estimate_rate(total=41, exposure=7, family="negbin")


def test_auto_scales_the_jeffreys_interval_by_the_design_effect():
    s = overdispersed()
    r = estimate_rate(s)
    assert r.family == "quasipoisson" and r.design_effect > 1
    shape = r.events / r.design_effect + 0.5
    low, high = stats.gamma.ppf([0.025, 0.975], shape)
    assert r.ci_low == pytest.approx(r.design_effect * low / r.exposure)
    assert r.ci_high == pytest.approx(r.design_effect * high / r.exposure)
    assert "design effect" in r.reason


def test_auto_is_not_floored_at_exact_poisson_and_says_which_interval():
    # the floor at DE = 1 is gone on purpose (it made the default over-cover):
    # a series alone of 5000 Poisson days (beyond the latent AR fit, so HAC with
    # fixed-b) with a low estimated long-run variance gets a design effect below
    # 1, and the reason names the method
    s = daily(np.random.default_rng(0).poisson(5, 5000))
    r = estimate_rate(s)
    exact = estimate_rate(s, family="poisson")
    assert r.design_effect < 1
    assert r.ci_high - r.ci_low < exact.ci_high - exact.ci_low
    assert "on average" in r.reason and "fixed-b" in r.reason
    assert "at least 95%" in exact.reason


def test_a_window_of_a_longer_series_is_not_floored_at_exact_poisson_either():
    # 400 SIMULATED Poisson days: the design effect that a two-week window borrows
    # from the whole series can be below 1 (no floor at exact Poisson), and the
    # reason says where it came from
    s = daily(np.random.default_rng(5).poisson(5, 400))
    r = estimate_rate(s, start=s.index[100], end=s.index[113])
    exact = estimate_rate(s.iloc[100:114], family="poisson")
    assert r.design_effect < 1
    assert r.ci_high - r.ci_low < exact.ci_high - exact.ci_low
    assert "whole series" in r.reason


def test_a_series_alone_gets_the_latent_ar_design_effect_floored_by_poisson_noise():
    # 60 SIMULATED Poisson days alone: the spectral fit keeps the noise at least
    # the mean (any mixed Poisson count has that much independent variance), so
    # the design effect is at least 1; the reason names the method and its limit on phi
    s = daily(np.random.default_rng(3).poisson(5, 60))
    r = estimate_rate(s)
    assert r.design_effect >= 1
    assert "latent AR(1)" in r.reason and "at most 0.74" in r.reason


def test_window_borrows_the_design_effect_of_the_whole_series():
    s = overdispersed(seed=4, n=200)
    r = estimate_rate(s, start=s.index[10], end=s.index[16])
    alone = estimate_rate(s.iloc[10:17])
    assert r.events == alone.events and r.exposure == 7
    assert "from 200 periods of the whole series" in r.reason
    assert "serial dependence not checked" in alone.reason


def test_reference_series_gives_the_design_effect():
    s = overdispersed(seed=5, n=200)
    r = estimate_rate(s.iloc[:7], reference=s)
    assert "200 periods" in r.reason


def test_realised_estimand_has_no_sampling_error():
    r = estimate_rate(daily([3, 5, 4]), estimand="realised")
    assert r.ci_low == r.ci_high == r.rate == 4.0
    assert "realised" in repr(r)


def test_process_estimand_is_said_in_words():
    assert "rate of the process that generated the window" in repr(estimate_rate(daily([3, 5])))


def test_unknown_estimand_is_refused():
    with pytest.raises(ValueError, match="estimand"):
        estimate_rate(daily([3, 5]), estimand="window")


def test_negbin_point_estimate_is_the_mean_for_equal_periods():
    s = overdispersed(seed=1)
    r = estimate_rate(s, family="negbin")
    assert r.rate == pytest.approx(s.mean(), rel=1e-6)


def test_negbin_dispersion_is_the_nb2_maximum_likelihood_estimate():
    # independent check: root of the profile score in r = 1/alpha with mean = ybar
    s = overdispersed(seed=2, n=80, mean=4, alpha=0.6)
    y, n = s.to_numpy(float), len(s)

    def score(log_r):
        r = math.exp(log_r)
        return float(
            np.sum(special.digamma(y + r) - special.digamma(r)) + n * math.log(r / (r + y.mean()))
        )

    from scipy.optimize import brentq

    alpha = math.exp(-brentq(score, -10, 10))
    assert estimate_rate(s, family="negbin").dispersion == pytest.approx(alpha, rel=1e-3)


def test_negbin_interval_is_log_wald_with_moment_dispersion_and_t_quantile():
    s = overdispersed(seed=5, n=20)
    y, n = s.to_numpy(float), len(s)
    se = y.std(ddof=1) / math.sqrt(n) / y.mean()
    q = stats.t.ppf(0.975, n - 1)
    r = estimate_rate(s, family="negbin")
    assert r.ci_low == pytest.approx(y.mean() * math.exp(-q * se), rel=1e-6)
    assert r.ci_high == pytest.approx(y.mean() * math.exp(q * se), rel=1e-6)
    assert r.dispersion_moment == pytest.approx((y.var(ddof=1) - y.mean()) / y.mean() ** 2)


def test_negbin_interval_is_wider_than_poisson_on_overdispersed_counts():
    s = overdispersed()
    nb, po = estimate_rate(s, family="negbin"), estimate_rate(s, family="poisson")
    assert nb.ci_high - nb.ci_low > po.ci_high - po.ci_low


@pytest.mark.parametrize("values", [[0, 0, 0, 1, 0, 0, 0, 0], [5, 5, 5, 5, 6, 4], [0, 9, 0, 0]])
def test_negbin_interval_is_never_narrower_than_exact_poisson(values):
    s = daily(values)
    nb, po = estimate_rate(s, family="negbin"), estimate_rate(s, family="poisson")
    assert nb.ci_low <= po.ci_low + 1e-12
    assert nb.ci_high >= po.ci_high - 1e-12


def test_negbin_with_one_event_takes_the_exact_poisson_lower_limit():
    # the log-Wald lower limit (0.012 a day) would claim more certainty than exact Poisson
    s = daily([0, 0, 0, 1, 0, 0, 0, 0])
    nb, po = estimate_rate(s, family="negbin"), estimate_rate(s, family="poisson")
    assert nb.ci_low == pytest.approx(po.ci_low)
    assert nb.ci_high > po.ci_high


def test_negbin_without_events_falls_back_to_poisson_and_says_why():
    r = estimate_rate(daily([0, 0, 0]), family="negbin")
    assert r.family == "poisson"
    assert "at least two periods" in r.reason
    assert r.ci_low == 0


def test_monthly_negbin_uses_month_lengths_as_exposure():
    index = pd.date_range("2023-01-01", periods=24, freq="MS")
    days = np.asarray((index + pd.offsets.MonthBegin()) - index, dtype="timedelta64[D]").astype(
        float
    )
    rng = np.random.default_rng(8)
    s = pd.Series(rng.poisson(rng.gamma(2, 2.5, 24) * days), index=index)
    r = estimate_rate(s, family="negbin")
    assert r.exposure == days.sum()
    assert r.ci_low < s.sum() / days.sum() < r.ci_high


def test_rate_result_attributes_are_read_only():
    r = estimate_rate(total=41, exposure=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.rate = 1.0  # type: ignore[misc]


def test_rate_result_to_dict_is_strict_json():
    r = estimate_rate(overdispersed())
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["start"] == "2024-01-01"
    assert set(d) >= {"rate", "ci_low", "ci_high", "events", "exposure", "per", "family", "level"}
    assert set(d) >= {"reason", "dispersion", "start", "end"}


def test_repr_and_html_show_the_summary():
    r = estimate_rate(total=41, exposure=7)
    assert r.summary() in repr(r)
    assert "<pre>" in r._repr_html_()


def test_rate_plot_returns_the_axes(plt):
    _, ax = plt.subplots()
    assert estimate_rate(total=41, exposure=7).plot(ax=ax) is ax
    assert len(ax.lines) >= 1


def test_small_rates_are_printed_with_enough_digits():
    text = estimate_rate(total=1, exposure=365).summary()
    assert text.startswith("0.00274 per day (95% CI 0.00007-0.01526), 1 event in 365 days")


def test_rate_result_is_a_result():
    from analysis._results import Result

    assert issubclass(RateResult, Result)


def test_summary_noun_is_events_unless_the_series_name_is_a_plural_word():
    assert "41 events" in estimate_rate(daily([5, 7, 4, 8, 6, 5, 6], name="drone")).summary()
    assert "41 claims" in estimate_rate(daily([5, 7, 4, 8, 6, 5, 6], name="claims")).summary()


def test_hourly_counts_of_one_day_have_an_exposure_of_exactly_one_day():
    table = pd.DataFrame({"start": ["2024-01-03 01:00", "2024-01-03 05:00"]})
    r = estimate_rate(count_incidents(table, freq="h"), family="poisson")
    assert r.exposure == 1.0 and r.rate == 2.0
    assert "2 events in 1 day " in r.summary()


def test_partial_edge_periods_give_the_window_as_start_and_end():
    t = pd.DataFrame({"start": ["2024-01-03", "2024-01-10"]})
    r = estimate_rate(count_incidents(t, freq="W", start="2024-01-03", end="2024-01-10"))
    assert (r.start, r.end) == (pd.Timestamp("2024-01-03"), pd.Timestamp("2024-01-10"))


def test_one_period_clipped_on_both_sides_has_unknown_start_and_end():
    t = pd.DataFrame({"start": ["2024-01-03"]})
    r = estimate_rate(count_incidents(t, freq="W", start="2024-01-03", end="2024-01-05"))
    assert r.exposure == 3.0
    assert (r.start, r.end) == (None, None)


def test_hourly_counts_end_on_the_day_of_their_last_hour():
    t = pd.DataFrame({"start": ["2024-01-03 01:00", "2024-01-03 05:00"]})
    r = estimate_rate(count_incidents(t, freq="h", start="2024-01-03", end="2024-01-03"))
    assert (r.start, r.end) == (pd.Timestamp("2024-01-03"), pd.Timestamp("2024-01-03"))


def test_monthly_periods_use_actual_month_lengths():
    s = pd.Series([3, 4, 5], index=pd.period_range("2024-01", periods=3, freq="M"))
    r = estimate_rate(s, family="poisson")
    assert r.exposure == 31 + 29 + 31
    assert (r.start, r.end) == (pd.Timestamp("2024-01-01"), pd.Timestamp("2024-03-31"))


def test_daily_periods_are_days():
    s = pd.Series([3, 4, 5], index=pd.period_range("2024-01-01", periods=3, freq="D"))
    r = estimate_rate(s, family="poisson")
    assert (r.events, r.exposure, r.end) == (12, 3.0, pd.Timestamp("2024-01-03"))
