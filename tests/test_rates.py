"""Tests of analysis.rates: closed forms, published values, behaviour and bad input.

The simulation studies (coverage, false-alarm rate, power, test size) are in
tests/rates/test_rates_simulation.py. All data here are simulated or hand-made.
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from analysis.counts import CountDataError, daily_counts
from analysis.errors import DataError
from analysis.rates import (
    PER_DAYS,
    ClaimCheck,
    RateComparison,
    RateResult,
    RollingRateResult,
    check_claim,
    compare_rates,
    estimate_rate,
    rolling_rate,
)

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


def _daily(values, start="2024-01-01", name="count", tz=None):
    index = pd.date_range(start, periods=len(values), freq="D", tz=tz)
    return pd.Series(values, index=index, name=name)


def _overdispersed(seed=0, n=60, mean=5.0, alpha=0.5):
    """Simulated negative-binomial daily counts (gamma-Poisson mixture)."""
    rng = np.random.default_rng(seed)
    lam = rng.gamma(1 / alpha, mean * alpha, size=n)
    return _daily(rng.poisson(lam))


@pytest.fixture
def plt():
    pyplot = pytest.importorskip("matplotlib.pyplot")
    yield pyplot
    pyplot.close("all")


# ---------------------------------------------------------------- closed forms


@pytest.mark.parametrize("x", [0, 1, 5, 41])
@pytest.mark.parametrize("level", [0.95, 0.90, 0.99])
def test_poisson_limits_equal_the_chi2_formulas(x, level):
    r = estimate_rate(total=x, exposure=1, method="poisson", level=level)
    a = 1 - level
    low = stats.chi2.ppf(a / 2, 2 * x) / 2 if x > 0 else 0.0
    high = stats.chi2.ppf(1 - a / 2, 2 * x + 2) / 2
    assert r.ci_low == pytest.approx(low, rel=1e-12, abs=1e-15)
    assert r.ci_high == pytest.approx(high, rel=1e-12)


@pytest.mark.parametrize("x", [1, 5, 41])
def test_poisson_limits_equal_the_gamma_quantile_form(x):
    r = estimate_rate(total=x, exposure=1, method="poisson")
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


# ---------------------------------------------------------------- exposure from counts


def test_daily_series_of_seven_days_covers_seven_days():
    r = estimate_rate(_daily([5, 7, 4, 8, 6, 5, 6]), method="poisson")
    assert (r.events, r.exposure) == (41, 7.0)
    assert r.rate == pytest.approx(41 / 7)
    assert r.start == pd.Timestamp("2024-01-01") and r.end == pd.Timestamp("2024-01-07")


def test_series_and_total_give_the_same_poisson_result():
    a = estimate_rate(_daily([5, 7, 4, 8, 6, 5, 6]), method="poisson")
    b = estimate_rate(total=41, exposure=7, method="poisson")
    assert (a.rate, a.ci_low, a.ci_high) == pytest.approx((b.rate, b.ci_low, b.ci_high))


def test_weekly_series_uses_seven_days_per_period():
    s = pd.Series([3, 4, 5], index=pd.date_range("2024-01-01", periods=3, freq="W-MON"))
    r = estimate_rate(s, method="poisson")
    assert r.exposure == 21.0
    assert r.end == pd.Timestamp("2024-01-21")


def test_monthly_series_uses_actual_month_lengths():
    s = pd.Series([10, 10, 10], index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    r = estimate_rate(s, method="poisson")
    assert r.exposure == 31 + 29 + 31


def test_daily_series_across_dst_counts_one_day_per_day():
    s = _daily([1, 2, 3, 4], start="2024-03-28", tz="Asia/Jerusalem")
    r = estimate_rate(s, method="poisson")
    assert r.exposure == 4.0
    assert r.start == pd.Timestamp("2024-03-28") and r.end == pd.Timestamp("2024-03-31")


def test_partial_edge_periods_of_daily_counts_are_clipped_to_their_window():
    t = pd.DataFrame({"start": ["2024-01-03", "2024-01-10"]})
    weekly = daily_counts(t, freq="W", start="2024-01-03", end="2024-01-10")
    r = estimate_rate(weekly, method="poisson")
    assert r.exposure == 8.0  # 3..10 January inclusive, not two full weeks
    assert r.events == 2


def test_start_and_end_restrict_the_counts_inclusively():
    s = _daily([9, 1, 2, 3, 9])
    r = estimate_rate(s, start="2024-01-02", end="2024-01-04", method="poisson")
    assert (r.events, r.exposure) == (6, 3.0)


def test_window_without_periods_is_an_error():
    with pytest.raises(ValueError, match="no periods"):
        estimate_rate(_daily([1, 2]), start="2025-01-01")


def test_total_with_start_and_end_derives_exposure():
    r = estimate_rate(total=41, start="2024-10-29", end="2024-11-04")
    assert r.exposure == 7.0
    assert r.start == pd.Timestamp("2024-10-29")


def test_total_with_inconsistent_exposure_and_dates_is_an_error():
    with pytest.raises(ValueError, match="disagrees"):
        estimate_rate(total=41, exposure=6, start="2024-10-29", end="2024-11-04")


# ---------------------------------------------------------------- methods


def test_auto_with_a_total_is_poisson_and_says_dispersion_cannot_be_checked():
    r = estimate_rate(total=41, exposure=7)
    assert r.method == "poisson"
    assert r.dispersion is None
    assert "cannot be checked" in r.reason


def test_negbin_needs_counts():
    with pytest.raises(ValueError, match="total cannot show overdispersion"):
        estimate_rate(total=41, exposure=7, method="negbin")


def test_auto_chooses_negbin_for_overdispersed_counts_and_gives_the_statistic():
    r = estimate_rate(_overdispersed())
    assert r.method == "negbin"
    assert "overdispersed" in r.reason and "p " in r.reason and "df" in r.reason
    assert r.dispersion is not None and r.dispersion > 0


def test_auto_chooses_poisson_when_counts_are_not_overdispersed():
    s = _daily(np.random.default_rng(3).poisson(5, 60))
    r = estimate_rate(s)
    assert r.method == "poisson"
    assert r.dispersion is None
    assert "No evidence of overdispersion" in r.reason


def test_auto_reason_p_value_is_the_pearson_chi2_test():
    s = _overdispersed(seed=4, n=30, mean=3, alpha=0.3)
    y = s.to_numpy(float)
    stat = np.sum((y - y.mean()) ** 2) / y.mean()
    p = stats.chi2.sf(stat, len(y) - 1)
    r = estimate_rate(s)
    assert f"{stat:.1f} on {len(y) - 1} df" in r.reason
    assert r.method == ("negbin" if p < 0.05 else "poisson")


def test_negbin_point_estimate_is_the_mean_for_equal_periods():
    s = _overdispersed(seed=1)
    r = estimate_rate(s, method="negbin")
    assert r.rate == pytest.approx(s.mean(), rel=1e-6)


def test_negbin_dispersion_is_the_nb2_maximum_likelihood_estimate():
    # independent check: root of the profile score in r = 1/alpha with mean = ybar
    s = _overdispersed(seed=2, n=80, mean=4, alpha=0.6)
    y, n = s.to_numpy(float), len(s)

    def score(log_r):
        r = math.exp(log_r)
        return float(
            np.sum(special.digamma(y + r) - special.digamma(r)) + n * math.log(r / (r + y.mean()))
        )

    from scipy.optimize import brentq

    alpha = math.exp(-brentq(score, -10, 10))
    assert estimate_rate(s, method="negbin").dispersion == pytest.approx(alpha, rel=1e-3)


def test_negbin_interval_is_log_wald_with_moment_dispersion_and_t_quantile():
    s = _overdispersed(seed=5, n=20)
    y, n = s.to_numpy(float), len(s)
    se = y.std(ddof=1) / math.sqrt(n) / y.mean()
    q = stats.t.ppf(0.975, n - 1)
    r = estimate_rate(s, method="negbin")
    assert r.ci_low == pytest.approx(y.mean() * math.exp(-q * se), rel=1e-6)
    assert r.ci_high == pytest.approx(y.mean() * math.exp(q * se), rel=1e-6)
    assert r.dispersion_moment == pytest.approx((y.var(ddof=1) - y.mean()) / y.mean() ** 2)


def test_negbin_interval_is_wider_than_poisson_on_overdispersed_counts():
    s = _overdispersed()
    nb, po = estimate_rate(s, method="negbin"), estimate_rate(s, method="poisson")
    assert nb.ci_high - nb.ci_low > po.ci_high - po.ci_low


@pytest.mark.parametrize("values", [[0, 0, 0, 1, 0, 0, 0, 0], [5, 5, 5, 5, 6, 4], [0, 9, 0, 0]])
def test_negbin_interval_is_never_narrower_than_exact_poisson(values):
    s = _daily(values)
    nb, po = estimate_rate(s, method="negbin"), estimate_rate(s, method="poisson")
    assert nb.ci_low <= po.ci_low + 1e-12
    assert nb.ci_high >= po.ci_high - 1e-12


def test_negbin_with_one_event_takes_the_exact_poisson_lower_limit():
    # the log-Wald lower limit (0.012 a day) would claim more certainty than exact Poisson
    s = _daily([0, 0, 0, 1, 0, 0, 0, 0])
    nb, po = estimate_rate(s, method="negbin"), estimate_rate(s, method="poisson")
    assert nb.ci_low == pytest.approx(po.ci_low)
    assert nb.ci_high > po.ci_high


def test_negbin_without_events_falls_back_to_poisson_and_says_why():
    r = estimate_rate(_daily([0, 0, 0]), method="negbin")
    assert r.method == "poisson"
    assert "at least two periods" in r.reason
    assert r.ci_low == 0


def test_monthly_negbin_uses_month_lengths_as_exposure():
    index = pd.date_range("2023-01-01", periods=24, freq="MS")
    days = np.asarray((index + pd.offsets.MonthBegin()) - index, dtype="timedelta64[D]").astype(
        float
    )
    rng = np.random.default_rng(8)
    s = pd.Series(rng.poisson(rng.gamma(2, 2.5, 24) * days), index=index)
    r = estimate_rate(s, method="negbin")
    assert r.exposure == days.sum()
    assert r.ci_low < s.sum() / days.sum() < r.ci_high


# ---------------------------------------------------------------- result objects


def test_rate_result_attributes_are_read_only():
    r = estimate_rate(total=41, exposure=7)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.rate = 1.0  # type: ignore[misc]


def test_rate_result_to_dict_is_strict_json():
    r = estimate_rate(_overdispersed())
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert json.loads(text)["start"] == "2024-01-01"
    assert set(d) >= {"rate", "ci_low", "ci_high", "events", "exposure", "per", "method", "level"}
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


# ---------------------------------------------------------------- rolling


def test_rolling_rate_uses_trailing_window_sums():
    s = _daily([3, 5, 4, 6, 2, 5, 8, 9, 0, 1])
    frame = rolling_rate(s, window="7D").to_frame()
    assert list(frame.columns) == ["rate", "ci_low", "ci_high", "events", "exposure"]
    expected = s.rolling(7).sum()
    pd.testing.assert_series_equal(frame["events"], expected, check_names=False)
    assert frame["rate"].iloc[6] == pytest.approx(33 / 7)
    assert frame.index.equals(s.index)


def test_rolling_rate_first_window_minus_one_days_are_nan():
    frame = rolling_rate(_daily(range(10)), window="7D").to_frame()
    assert frame.iloc[:6].isna().all().all()
    assert frame.iloc[6:].notna().all().all()


def test_rolling_band_is_the_garwood_interval_of_each_window():
    s = _daily([0, 0, 1, 0, 0, 0, 0, 2, 5])
    frame = rolling_rate(s, window=7).to_frame()
    for day in frame.index[6:]:
        single = estimate_rate(total=int(frame.loc[day, "events"]), exposure=7)
        assert frame.loc[day, "ci_low"] == pytest.approx(single.ci_low)
        assert frame.loc[day, "ci_high"] == pytest.approx(single.ci_high)


def test_rolling_rate_per_week():
    frame = rolling_rate(_daily([1] * 14), window="7D", per="week").to_frame()
    assert frame["rate"].iloc[-1] == pytest.approx(7.0)


def test_rolling_negbin_band_matches_estimate_rate_per_window():
    s = _overdispersed(seed=6, n=40)
    frame = rolling_rate(s, window="14D", method="negbin").to_frame()
    last = estimate_rate(s.iloc[-14:], method="negbin")
    assert frame["ci_low"].iloc[-1] == pytest.approx(last.ci_low, rel=1e-6)
    assert frame["ci_high"].iloc[-1] == pytest.approx(last.ci_high, rel=1e-6)


@pytest.mark.parametrize("window", ["36h", "0D", "soon", 0])
def test_rolling_window_must_be_whole_periods(window):
    with pytest.raises(ValueError):
        rolling_rate(_daily(range(10)), window=window)


def test_rolling_needs_fixed_periods():
    s = pd.Series([1, 2, 3], index=pd.date_range("2024-01-01", periods=3, freq="MS"))
    with pytest.raises(ValueError, match="fixed period"):
        rolling_rate(s, window=2)


def test_rolling_summary_to_dict_and_plot(plt):
    rr = rolling_rate(_daily([3, 5, 4, 6, 2, 5, 8, 9]), window="7D")
    assert isinstance(rr, RollingRateResult)
    assert "latest (2024-01-08)" in rr.summary()
    d = json.loads(json.dumps(rr.to_dict(), allow_nan=False))
    assert d["rate"][0] is None and d["events"][-1] == 39.0
    _, ax = plt.subplots()
    assert rr.plot(ax=ax) is ax
    assert len(ax.collections) >= 1  # the band


def test_rolling_plot_of_tz_aware_counts(plt):
    rr = rolling_rate(_daily(range(10), tz="Asia/Jerusalem"))
    ax = rr.plot()
    assert ax.get_xlim()[0] < ax.get_xlim()[1]


# ---------------------------------------------------------------- compare


def test_compare_ratio_p_value_and_interval_are_the_conditional_binomial():
    a, b = estimate_rate(total=30, exposure=10), estimate_rate(total=20, exposure=14)
    cmp = compare_rates(a, b)
    assert cmp.ratio == pytest.approx((30 / 10) / (20 / 14))
    p0 = 10 / 24
    assert cmp.p_value == pytest.approx(stats.binomtest(30, 50, p0).pvalue)
    # Clopper-Pearson limits via beta quantiles, mapped to the ratio
    pl, pu = stats.beta.ppf(0.025, 30, 21), stats.beta.ppf(0.975, 31, 20)
    assert cmp.ci_low == pytest.approx(pl / (1 - pl) * 14 / 10, rel=1e-8)
    assert cmp.ci_high == pytest.approx(pu / (1 - pu) * 14 / 10, rel=1e-8)


def test_compare_accepts_count_series():
    a, b = _daily([2, 3, 4, 5]), _daily([1, 1, 1, 1, 1, 1, 1, 1])
    cmp = compare_rates(a, b, names=("first", "second"))
    assert cmp.ratio == pytest.approx((14 / 4) / (8 / 8))
    assert cmp.a.exposure == 4 and cmp.b.exposure == 8
    assert cmp.summary().startswith("first is 3.50x second")


def test_compare_with_no_events_in_a_gives_ratio_zero():
    cmp = compare_rates(estimate_rate(total=0, exposure=7), estimate_rate(total=9, exposure=7))
    assert cmp.ratio == 0 and cmp.ci_low == 0
    assert 0 < cmp.ci_high < math.inf


def test_compare_with_no_events_in_b_gives_infinite_ratio():
    cmp = compare_rates(estimate_rate(total=9, exposure=7), estimate_rate(total=0, exposure=7))
    assert cmp.ratio == math.inf and cmp.ci_high == math.inf
    assert 0 < cmp.ci_low < math.inf
    d = json.loads(json.dumps(cmp.to_dict(), allow_nan=False))
    assert d["ratio"] is None and d["ci_high"] is None
    assert "infinite" in cmp.summary()


def test_compare_with_no_events_at_all_is_undefined_with_p_one():
    cmp = compare_rates(estimate_rate(total=0, exposure=7), estimate_rate(total=0, exposure=3))
    assert math.isnan(cmp.ratio) and cmp.p_value == 1.0
    assert "undefined" in cmp.summary()


def test_compare_warns_about_overdispersed_counts():
    cmp = compare_rates(_overdispersed(), _daily(np.ones(60, int) * 5))
    assert "overdispersed" in cmp.summary()


def test_compare_plot_shows_ratio_in_title(plt):
    cmp = compare_rates(estimate_rate(total=30, exposure=10), estimate_rate(total=20, exposure=14))
    assert isinstance(cmp, RateComparison)
    ax = cmp.plot()
    assert ax.get_title().startswith("ratio 2.10")


def test_compare_plot_puts_both_rates_in_the_same_unit(plt):
    a = estimate_rate(total=14, exposure=7)  # 2 a day
    b = estimate_rate(total=7, exposure=7, per="week")  # 7 a week = 1 a day
    ax = compare_rates(a, b).plot()
    heights = [c.lines[0].get_ydata()[0] for c in ax.containers]
    assert heights == pytest.approx([2.0, 1.0])


def test_compare_rejects_other_inputs():
    with pytest.raises(TypeError):
        compare_rates([1, 2], estimate_rate(total=1, exposure=1))  # type: ignore[arg-type]


# ---------------------------------------------------------------- claims


def test_41_claims_in_7_days_are_consistent_with_five_a_day():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, label="claims")
    assert chk.consistent is True
    assert chk.p_value > 0.05
    assert chk.verdict == (
        "Consistent: 41 claims in 7 days is 5.9 a day (95% CI 4.2-7.9); "
        "the claimed 5 a day is inside the interval."
    )


def test_41_claims_in_7_days_are_inconsistent_with_ten_a_day():
    chk = check_claim(total=41, exposure=7, claimed_rate=10)
    assert chk.consistent is False
    assert chk.p_value < 0.05
    assert chk.verdict.startswith("Inconsistent") and "above the interval" in chk.verdict


def test_claim_p_value_is_the_doubled_exact_poisson_tail():
    chk = check_claim(total=41, exposure=7, claimed_rate=5)
    expected = 2 * stats.poisson.sf(40, 35)
    assert chk.p_value == pytest.approx(expected)


@pytest.mark.parametrize("claimed", np.linspace(3.0, 9.0, 61))
def test_claim_consistency_agrees_with_the_p_value(claimed):
    chk = check_claim(total=41, exposure=7, claimed_rate=claimed)
    assert chk.consistent == (chk.p_value >= 0.05)


def test_claim_per_week():
    chk = check_claim(total=41, exposure=7, claimed_rate=35, per="week")
    assert chk.consistent and "35 per week" in chk.verdict


def test_max_in_a_day_with_a_total_cannot_be_checked_but_gets_a_probability():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8)
    assert chk.observed_max is None
    assert "cannot be checked from a total" in chk.max_note
    assert chk.max_probability == pytest.approx(1 - stats.poisson.cdf(7, 41 / 7) ** 7)


def test_max_in_a_day_with_daily_counts_is_compared_with_the_busiest_day():
    s = _daily([5, 7, 4, 8, 6, 5, 6])
    chk = check_claim(s, claimed_rate=5, max_in_a_day=8)
    assert chk.observed_max == 8
    assert "busiest day had 8" in chk.max_note
    assert chk.estimate.method == "poisson"


def test_claim_on_overdispersed_counts_uses_negbin_and_says_so():
    chk = check_claim(_overdispersed(), claimed_rate=5)
    assert chk.estimate.method == "negbin"
    assert "overdispersed" in chk.verdict
    assert chk.consistent == (chk.p_value >= 0.05)


def test_claim_result_dict_summary_and_plot(plt):
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8)
    assert isinstance(chk, ClaimCheck)
    d = json.loads(json.dumps(chk.to_dict(), allow_nan=False))
    assert d["consistent"] is True and d["estimate"]["events"] == 41
    assert chk.verdict in chk.summary() and chk.max_note in chk.summary()
    ax = chk.plot()
    assert any(abs(line.get_ydata()[0] - 5) < 1e-12 for line in ax.lines)


@pytest.mark.parametrize("claimed", [-1, float("nan"), "five", True])
def test_bad_claimed_rate(claimed):
    with pytest.raises(ValueError):
        check_claim(total=41, exposure=7, claimed_rate=claimed)


def test_bad_max_in_a_day():
    with pytest.raises(ValueError):
        check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=2.5)  # type: ignore[arg-type]


# ---------------------------------------------------------------- bad input


def test_negative_counts_are_reported_with_row_and_date():
    with pytest.raises(DataError, match="negative count on 2024-01-02") as info:
        estimate_rate(_daily([1, -2, 3]))
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "count")]


def test_non_integer_counts_are_reported():
    with pytest.raises(DataError, match="whole number"):
        estimate_rate(_daily([1.0, 2.5, 3.0]))


def test_missing_counts_are_reported_not_dropped():
    with pytest.raises(DataError, match="missing"):
        estimate_rate(_daily([1.0, np.nan, 3.0]))


def test_all_bad_counts_are_reported_at_once():
    with pytest.raises(DataError) as info:
        estimate_rate(_daily([-1.0, 0.5, np.nan]))
    assert len(info.value.problems) == 3


def test_series_without_datetime_index_is_an_error():
    with pytest.raises(CountDataError, match="DatetimeIndex"):
        estimate_rate(pd.Series([1, 2, 3]))


def test_irregular_dates_are_an_error_not_a_silent_gap():
    s = pd.Series([1, 2, 3], index=pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"]))
    with pytest.raises(DataError, match="not regular"):
        estimate_rate(s)


def test_dataframe_of_groups_is_refused_with_advice():
    with pytest.raises(TypeError, match="one column"):
        estimate_rate(pd.DataFrame({"a": _daily([1, 2])}))  # type: ignore[arg-type]


@pytest.mark.parametrize("exposure", [0, -7, float("nan"), float("inf"), "7"])
def test_exposure_must_be_positive(exposure):
    with pytest.raises(ValueError, match="exposure"):
        estimate_rate(total=41, exposure=exposure)


@pytest.mark.parametrize("total", [-1, 2.5, float("nan"), "41"])
def test_total_must_be_a_whole_number(total):
    with pytest.raises(ValueError, match="total"):
        estimate_rate(total=total, exposure=7)


def test_total_needs_exposure():
    with pytest.raises(ValueError, match="exposure"):
        estimate_rate(total=41)


def test_counts_and_total_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        estimate_rate(_daily([1, 2]), total=3, exposure=2)


def test_nothing_given_is_an_error():
    with pytest.raises(ValueError, match="give counts"):
        estimate_rate()


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, 95])
def test_level_outside_zero_one_is_an_error(level):
    with pytest.raises(ValueError, match="level"):
        estimate_rate(total=41, exposure=7, level=level)
    with pytest.raises(ValueError, match="level"):
        compare_rates(
            estimate_rate(total=1, exposure=1), estimate_rate(total=1, exposure=1), level=level
        )


@pytest.mark.parametrize("per", ["fortnight", "days", 0, -1, float("nan")])
def test_unknown_per_is_an_error(per):
    with pytest.raises(ValueError, match="per"):
        estimate_rate(total=41, exposure=7, per=per)


def test_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="method"):
        estimate_rate(total=41, exposure=7, method="bayes")


def test_start_after_end_is_an_error():
    with pytest.raises(ValueError, match="after"):
        estimate_rate(_daily([1, 2, 3]), start="2024-01-03", end="2024-01-01")


def test_rate_result_is_a_result():
    from analysis._results import Result

    assert issubclass(RateResult, Result)


def test_summary_noun_is_events_unless_the_series_name_is_a_plural_word():
    assert "41 events" in estimate_rate(_daily([5, 7, 4, 8, 6, 5, 6], name="drone")).summary()
    assert "41 claims" in estimate_rate(_daily([5, 7, 4, 8, 6, 5, 6], name="claims")).summary()


@pytest.mark.parametrize("values", [None, [0, 0, 0, 0, 3, 0, 0, 0, 0, 0]])
def test_negbin_claim_consistency_agrees_with_the_p_value(values):
    # the second series is one burst: few events, where the Poisson limits bind
    s = _overdispersed(seed=9, n=21) if values is None else _daily(values)
    est = estimate_rate(s)
    assert est.method == "negbin"
    for claimed in np.linspace(est.ci_low * 0.5, est.ci_high * 1.5, 41):
        chk = check_claim(s, claimed_rate=float(claimed))
        assert chk.consistent == (chk.p_value >= 0.05), claimed


# ---------------------------------------------------------------- review regressions


def test_hourly_counts_of_one_day_have_an_exposure_of_exactly_one_day():
    table = pd.DataFrame({"start": ["2024-01-03 01:00", "2024-01-03 05:00"]})
    r = estimate_rate(daily_counts(table, freq="h"), method="poisson")
    assert r.exposure == 1.0 and r.rate == 2.0
    assert "2 events in 1 day " in r.summary()


def test_window_outside_the_counts_says_where_the_counts_are():
    with pytest.raises(ValueError, match=r"on or after 2025-01-01: the counts run from 2024-01-01"):
        estimate_rate(_daily([1, 2]), start="2025-01-01")


def test_compare_with_no_events_in_b_reads_as_a_sentence():
    cmp = compare_rates(estimate_rate(total=9, exposure=7), estimate_rate(total=0, exposure=7))
    assert cmp.summary().startswith("b has no events, so the ratio a/b is infinite (95% CI ")
    assert "infinitex" not in cmp.summary()


def test_max_in_a_day_may_be_a_whole_float():
    chk = check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8.0)  # type: ignore[arg-type]
    assert chk.max_in_a_day == 8
    assert (
        chk.max_probability
        == check_claim(total=41, exposure=7, claimed_rate=5, max_in_a_day=8).max_probability
    )


def test_tz_aware_start_is_taken_in_the_time_zone_of_the_counts():
    counts = _daily([1, 2, 3], tz="Asia/Jerusalem")
    # 22:30 UTC on 1 January is 00:30 on 2 January in Israel (+02:00)
    r = estimate_rate(counts, start=pd.Timestamp("2024-01-01 22:30", tz="UTC"), method="poisson")
    assert (r.events, r.exposure, str(r.start.date())) == (5, 2.0, "2024-01-02")


def test_window_reaching_beyond_the_counts_warns_and_uses_the_covered_days():
    with pytest.warns(UserWarning, match=r"the counts cover 2024-01-01 to 2024-01-03"):
        r = estimate_rate(_daily([1, 2, 3]), start="2023-12-30", end="2024-01-02")
    assert (r.events, r.exposure) == (3, 2.0)


def test_window_inside_the_counts_does_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate_rate(_daily([1, 2, 3]), start="2024-01-02", end="2024-01-03")
