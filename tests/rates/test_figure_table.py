"""figure_rate_table: closed-form and simulated coverage (SIMULATED series), labels, errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis as it
from analysis.validation import PROCESSES, simulate_counts


def _figures(values, qualifier="exact", days=1, source="S"):
    n = len(values)
    start = pd.Timestamp("2024-01-01")
    return pd.DataFrame(
        {
            "period_start": [start] * n,
            "period_end": [start + pd.Timedelta(days=days - 1)] * n,
            "value": list(values),
            "qualifier": [qualifier] * n,
            "unit": ["claim"] * n,
            "source_name": [source] * n,
        }
    )


@pytest.mark.parametrize("mu", [0.3, 1.0, 2.5, 5.0, 12.0, 40.0, 150.0])
def test_exact_intervals_cover_at_least_the_level_closed_form(mu):
    """Garwood: sum over k of P(N = k) [L(k) <= mu <= U(k)] >= 0.95, computed exactly."""
    k = np.arange(0, int(mu + 12 * math.sqrt(mu) + 30))
    table = it.figure_rate_table(_figures(k))
    covered = (table["ci_low"] <= mu) & (mu <= table["ci_high"])
    coverage = float((stats.poisson.pmf(k, mu) * covered.to_numpy()).sum())
    assert coverage >= 0.95 - 1e-9
    assert coverage < 0.999  # not vacuous


@pytest.mark.parametrize("mu", [1.0, 5.0, 40.0])
def test_lower_bounds_are_one_sided_and_cover_even_at_the_true_count(mu):
    """'At least N' with N the true count is the worst case: P(L(N) <= mu) >= 0.95 exactly."""
    k = np.arange(0, int(mu + 12 * math.sqrt(mu) + 30))
    table = it.figure_rate_table(_figures(k, qualifier="at_least"))
    assert np.isinf(table["ci_high"]).all() and table["lower_bound"].all()
    coverage = float((stats.poisson.pmf(k, mu) * (table["ci_low"] <= mu).to_numpy()).sum())
    assert 0.95 - 1e-9 <= coverage < 0.99
    # a smaller stated bound gives a smaller lower limit (monotone), so a partial count still covers
    assert table["ci_low"].is_monotonic_increasing


def test_about_figures_cover_when_rounded_to_ten():
    """SIMULATED: N ~ Poisson(30 days x 5 per day), published as 'about' N rounded to 10."""
    rng = np.random.default_rng(20261201)
    R, days, rate = 4000, 30, 5.0
    n = rng.poisson(rate * days, size=R)
    about = np.round(n, -1)
    table = it.figure_rate_table(_figures(about, qualifier="about", days=days))
    covered = ((table["ci_low"] <= rate) & (rate <= table["ci_high"])).mean()
    se = math.sqrt(0.95 * 0.05 / R)  # 0.0034
    assert covered >= 0.95 - 3 * se
    # and it is wider than the exact interval of the same count
    exact = it.figure_rate_table(_figures(about, days=days))
    assert (table["ci_high"] - table["ci_low"] > exact["ci_high"] - exact["ci_low"]).all()


def _window_totals(process: str, R: int, days: int, rate: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array(
        [int(simulate_counts(PROCESSES[process], days, rate, rng).counts.sum()) for _ in range(R)]
    )


@pytest.mark.parametrize("process", ["poisson", "nb5+ar0.8"])
def test_coverage_under_independent_and_dependent_days(process):
    """SIMULATED 30-day totals at 5 per day (process mean rate), 1,500 replicates each.

    With independent Poisson days the default (design effect 1) covers at least 95%.
    Under negative-binomial days with a latent AR(1) of persistence 0.8 it does not:
    the default covers far less; with the true design effect of the total (its variance
    over its mean, from 3,000 further SIMULATED totals) it is back near 95%.
    Monte Carlo s.e. of a coverage near 0.95: sqrt(0.95 * 0.05 / 1500) = 0.0056.
    """
    R, days, rate = 1500, 30, 5.0
    totals = _window_totals(process, R, days, rate, seed=7)
    se = math.sqrt(0.95 * 0.05 / R)
    table = it.figure_rate_table(_figures(totals, days=days))
    cover_1 = float(((table["ci_low"] <= rate) & (rate <= table["ci_high"])).mean())
    if process == "poisson":
        assert cover_1 >= 0.95 - 3 * se
        return
    reference = _window_totals(process, 3000, days, rate, seed=8)
    de = float(reference.var(ddof=1) / reference.mean())
    assert de > 3  # strongly dependent: the case the default cannot see
    assert cover_1 < 0.80
    widened = it.figure_rate_table(_figures(totals, days=days), design_effect=de)
    cover_de = float(((widened["ci_low"] <= rate) & (rate <= widened["ci_high"])).mean())
    assert abs(cover_de - 0.95) <= 0.02 + 3 * se


def test_real_table_keeps_units_apart_and_labels_every_figure():
    table = it.figure_rate_table(it.load_reported_figures())
    assert table.attrs["left_out"] == 2  # the stated rate and the stated maximum per day
    assert set(table["unit"]) <= {"claim", "launch", "interception", "incident", "alert"}
    for _, group in table.groupby(["unit", "front"]):  # plots show "front: label"
        assert group["label"].is_unique
    sept = table[(table["unit"] == "claim") & (table["period_start"] == "2024-09-01")]
    assert sept["label"].str.contains("Washington Institute").any()
    assert sept["label"].str.contains("Alma").any()
    week = table[table["figure_id"] == "iri-claims-2024-10-29-to-2024-11-04"].iloc[0]
    assert week["days"] == 7 and week["rate"] == pytest.approx(41 / 7)
    low, high = stats.chi2.ppf([0.025, 0.975], [82, 84]) / 2 / 7
    assert (week["ci_low"], week["ci_high"]) == pytest.approx((low, high))


def test_bad_input_names_the_parameter():
    good = _figures([3])
    with pytest.raises(ValueError, match="design_effect"):
        it.figure_rate_table(good, design_effect=0.5)
    with pytest.raises(TypeError, match="design_effect"):
        it.figure_rate_table(good, design_effect="2")
    with pytest.raises(ValueError, match="level"):
        it.figure_rate_table(good, level=1.5)
    with pytest.raises(ValueError, match="qualifier"):
        it.figure_rate_table(good.assign(qualifier="roughly"))
    with pytest.raises(ValueError, match="unit"):
        it.figure_rate_table(good.drop(columns="unit"))
    with pytest.raises(ValueError, match="value"):
        it.figure_rate_table(good.assign(value=-1))
    with pytest.raises(TypeError, match="figures"):
        it.figure_rate_table([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize("process", ["poisson", "nb5+ar0.8"])
def test_lower_bounds_reject_a_true_rate_rarely_at_the_right_design_effect(process):
    """SIMULATED 14-day totals at 5 per day given as 'at least' (every day counted: the worst case).

    The one-sided lower limit rejects the true rate in at most 5% of windows for Poisson days
    (0.043 measured); with negative-binomial days and a latent AR(1) of persistence 0.8 it
    rejects far more often at design effect 1 (0.20 measured), and about 5% again at the
    true design effect (0.044). 2,000 windows: Monte Carlo s.e. about 0.005 at 0.05.
    """
    R, days, rate = 2000, 14, 5.0
    totals = _window_totals(process, R, days, rate, seed=11)
    se = math.sqrt(0.05 * 0.95 / R)
    plain = it.figure_rate_table(_figures(totals, qualifier="at_least", days=days))
    reject = float((plain["ci_low"] > rate).mean())
    if process == "poisson":
        assert reject <= 0.05 + 3 * se
        return
    assert reject > 0.12  # the default cannot see the dependence (0.20 measured)
    reference = _window_totals(process, 3000, days, rate, seed=12)
    de = float(reference.var(ddof=1) / reference.mean())
    widened = it.figure_rate_table(
        _figures(totals, qualifier="at_least", days=days), design_effect=de
    )
    assert float((widened["ci_low"] > rate).mean()) <= 0.05 + 3 * se
