"""Tests of analysis.rates._compare (compare_rates). All data are simulated or hand-made."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from analysis.rates import (
    RateComparison,
    compare_rates,
    estimate_rate,
)
from tests.rates.conftest import daily, overdispersed


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
    a, b = daily([2, 3, 4, 5]), daily([1, 1, 1, 1, 1, 1, 1, 1])
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


def test_compare_overdispersed_counts_scales_the_conditional_test_and_says_so():
    a, b = overdispersed(), daily(np.ones(60, int) * 5)
    cmp = compare_rates(a, b)
    exact = compare_rates(estimate_rate(a, family="poisson"), estimate_rate(b, family="poisson"))
    assert cmp.design_effect is not None and cmp.design_effect > 1
    assert "scaled by the design effect" in cmp.summary()
    assert cmp.ci_low < exact.ci_low and cmp.ci_high > exact.ci_high


def test_compare_negbin_rates_warn_that_the_exact_test_is_optimistic():
    a, b = overdispersed(), daily(np.ones(60, int) * 5)
    cmp = compare_rates(estimate_rate(a, family="negbin"), estimate_rate(b, family="poisson"))
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


def test_compare_with_no_events_in_b_reads_as_a_sentence():
    cmp = compare_rates(estimate_rate(total=9, exposure=7), estimate_rate(total=0, exposure=7))
    assert cmp.summary().startswith("b has no events, so the ratio a/b is infinite (95% CI ")
    assert "infinitex" not in cmp.summary()


@pytest.mark.parametrize(
    ("x", "n", "ta", "tb"), [(41, 61, 7.0, 7.0), (3, 20, 10.0, 14.0), (0, 5, 7, 7)]
)
def test_exact_comparison_of_totals_is_the_clopper_pearson_interval(x, n, ta, tb):
    cmp = compare_rates(
        estimate_rate(total=x, exposure=ta), estimate_rate(total=n - x, exposure=tb)
    )
    # closed form: Clopper-Pearson limits of the share x / n, as beta quantiles
    p_low = 0.0 if x == 0 else stats.beta.ppf(0.025, x, n - x + 1)
    p_high = 1.0 if x == n else stats.beta.ppf(0.975, x + 1, n - x)

    def ratio(p):
        return math.inf if p >= 1 else p / (1 - p) * tb / ta

    assert cmp.ci_low == pytest.approx(ratio(p_low), abs=1e-12)
    assert cmp.ci_high == pytest.approx(ratio(p_high), rel=1e-9)
