"""figures_from_daily / estimate_rates_from_daily: day-level rows with period totals.

Closed forms on hand-made rows, the curated IRI tables, and a simulation study on
SIMULATED daily counts (analysis.validation), never real data.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import analysis as it
from analysis.rates import estimate_rates_from_figures
from analysis.rates._daily_figures import (
    daily_design_effect,
    estimate_rates_from_daily,
    figures_from_daily,
)
from analysis.validation import PROCESSES, simulate_counts, simulate_piecewise

IRI = "Islamic Resistance in Iraq"


def days(rows, **extra):
    """Day-level rows from (date, value, qualifier[, source[, unit]]) tuples."""
    out = pd.DataFrame(
        [
            {
                "row_id": f"d{i}",
                "date": pd.Timestamp(r[0]),
                "value": r[1],
                "qualifier": r[2],
                "source_name": r[3] if len(r) > 3 else "A",
                "unit": r[4] if len(r) > 4 else "claim",
                "actor": IRI,
            }
            for i, r in enumerate(rows)
        ]
    )
    for k, v in extra.items():
        out[k] = v
    return out


def iri_totals():
    f = it.load_reported_figures()
    return f[
        (f["actor"] == IRI)
        & (f["unit"] == "claim")
        & (f["target"] == "Israel")
        & (f["weapon"] == "unknown")
        & (f["measure"] == "count")
    ]


# ----------------------------------------------------------------- the conversion


def test_rows_become_day_observations_and_other_units_are_left_out():
    d = days(
        [
            ("2024-11-01", 6, "exact", "A"),
            ("2024-11-01", 4, "exact", "B"),
            ("2024-11-03", 1, "at_least", "C"),
            ("2024-11-01", 3, "exact", "IDF", "launch"),
        ]
    )
    obs = figures_from_daily(d)
    assert list(obs["figure_id"]) == ["d0", "d1", "d2"]
    assert (obs["period_start"] == obs["period_end"]).all()
    assert list(obs["qualifier"]) == ["exact", "exact", "at_least"]
    assert set(obs["unit"]) == {"claim"} and set(obs["measure"]) == {"count"}
    assert pd.Timestamp("2024-11-02") not in set(obs["period_start"])  # no row: unknown
    assert obs.attrs["other_units"] == {"launch": 1}
    launches = figures_from_daily(d, unit="launch")
    assert list(launches["value"]) == [3.0]


def test_unattributed_rows_and_rows_without_a_number_are_left_out_and_counted():
    d = days(
        [("2024-11-01", 2, "exact"), ("2024-11-02", 1, "exact"), ("2024-11-03", None, "at_least")]
    )
    d.loc[1, "actor"] = None
    obs = figures_from_daily(d, actor=IRI)
    assert list(obs["figure_id"]) == ["d0"]
    assert obs.attrs["left_out"] == {"no actor (not attributed)": 1, "no number": 1}


def test_a_single_day_total_that_repeats_a_day_level_report_is_kept_once():
    totals = iri_totals()
    obs = figures_from_daily(it.load_iri_claims_daily(), totals=totals)
    assert obs.attrs["duplicates"] == [
        "iri-claims-2024-11-02",
        "iri-claims-2024-11-10",
        "iri-claims-2024-11-11",
    ]
    assert len(obs) == len(totals) - 3 + 168  # 168 claim rows in the day-level table
    assert obs["figure_id"].is_unique
    assert set(obs["target"]) == {"Israel"} and set(obs["weapon"]) == {"unknown"}


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda d: figures_from_daily(d.drop(columns="qualifier")), ValueError, "'qualifier'"),
        (lambda d: figures_from_daily(d, unit="launch"), ValueError, "unit"),
        (lambda d: figures_from_daily(d.assign(qualifier="about")), ValueError, "'qualifier'"),
        (lambda d: figures_from_daily(d.assign(date="soon")), ValueError, "'date'"),
        (lambda d: figures_from_daily(d.assign(actor=["X", "Y"])), ValueError, "'actor'"),
        (lambda d: figures_from_daily(d.values), TypeError, "daily must be"),
        (lambda d: figures_from_daily(d, totals="x"), TypeError, "totals must be"),
        (
            lambda d: figures_from_daily(d, totals=pd.DataFrame({"unit": ["launch"]})),
            ValueError,
            "claims and launches are different units",
        ),
        (lambda d: estimate_rates_from_daily(d, dependence="yes"), TypeError, "dependence"),
    ],
)
def test_bad_input_names_the_column_or_parameter(call, error, match):
    with pytest.raises(error, match=match):
        call(days([("2024-11-01", 2, "exact"), ("2024-11-02", 1, "exact")]))


# ----------------------------------------------------------------- closed forms


def test_one_tally_is_the_poisson_likelihood_ratio_interval_of_that_day():
    fit = estimate_rates_from_figures(figures_from_daily(days([("2024-11-01", 6, "exact")])))
    seg = fit.to_frame().iloc[0]
    q = stats.chi2.ppf(0.95, 1)

    def dev(mu):
        return 2 * (6 * math.log(6 / mu) - (6 - mu))

    assert seg["rate"] == pytest.approx(6, rel=1e-6)
    assert seg["ci_low"] == pytest.approx(optimize.brentq(lambda m: dev(m) - q, 1e-9, 6), rel=1e-5)
    assert seg["ci_high"] == pytest.approx(optimize.brentq(lambda m: dev(m) - q, 6, 60), rel=1e-5)


def test_two_sources_for_one_day_are_two_observations_of_its_count():
    obs = figures_from_daily(
        days([("2024-11-01", 6, "exact", "A"), ("2024-11-01", 4, "exact", "B")])
    )
    fit = estimate_rates_from_figures(obs, dispersion="poisson")
    assert fit.to_frame()["rate"].iloc[0] == pytest.approx(5, rel=1e-6)
    assert len(fit.disagreement) == 1 and fit.disagreement["values"].iloc[0] == "6, 4"
    # the two share the day: the overlap adjustment makes the interval that of one day's
    # count, not of two independent days
    alone = estimate_rates_from_figures(figures_from_daily(days([("2024-11-01", 5, "exact")])))
    w2 = fit.to_frame()["ci_high"].iloc[0] - fit.to_frame()["ci_low"].iloc[0]
    w1 = alone.to_frame()["ci_high"].iloc[0] - alone.to_frame()["ci_low"].iloc[0]
    assert w2 == pytest.approx(w1, rel=0.1)


def test_a_single_claim_is_a_lower_bound_for_its_day():
    obs = figures_from_daily(days([("2024-11-01", 2, "exact"), ("2024-11-02", 1, "at_least")]))
    fit = estimate_rates_from_figures(obs, dispersion="poisson")
    # P(N1 = 2) P(N2 >= 1) with one rate: maximise 2 log(l) - l + log(1 - exp(-l))
    f = lambda lam: -(2 * math.log(lam) - lam + math.log(-math.expm1(-lam)))  # noqa: E731
    lam = optimize.minimize_scalar(f, bounds=(1e-6, 50), method="bounded").x
    assert fit.to_frame()["rate"].iloc[0] == pytest.approx(lam, rel=1e-4)


def test_design_effect_is_about_one_for_poisson_days_and_grows_with_dependence():
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2024-07-01")
    out = {}
    for name in ("poisson", "ar0.8"):
        des = []
        for _ in range(20):
            c = simulate_counts(PROCESSES[name], 120, 6.0, rng, start=start).counts
            seen = rng.random(120) < 0.5
            d = days([(c.index[t], int(c.iloc[t]), "exact") for t in np.flatnonzero(seen)])
            obs = figures_from_daily(d)
            des.append(daily_design_effect(estimate_rates_from_figures(obs, breaks=None), obs))
        out[name] = float(np.mean(des))
    # SIMULATED: latent AR(1) log-rate, phi 0.8, sd 0.3 at 6 a day: long-run design effect
    # 1 + 36 (exp(0.09) - 1) (1 + 2 * 0.8 / 0.2 approx.) / 6 ~ 5; estimated lower (60 days)
    assert out["poisson"] < 1.35
    assert out["ar0.8"] > 2.0


# ----------------------------------------------------------------- the campaign


def test_the_seed_week_from_day_level_rows_and_totals_in_claims():
    daily, totals = it.load_iri_claims_daily(), iri_totals()
    breaks = ["2024-07-01", "2024-09-01", "2024-10-01", "2024-10-29", "2024-11-05"]
    fit = estimate_rates_from_daily(daily, totals=totals, breaks=breaks)
    week = fit.rate_on(("2024-10-29", "2024-11-04"))
    # claims per day; the Washington Institute's 41 claims that week is 5.9 a day
    assert week.ci_low < 41 / 7 < week.ci_high
    assert 3.0 < week.rate < 8.0
    assert "consistent" in fit.check(5, ("2024-10-29", "2024-11-04")).verdict
    seg = fit.to_frame()
    assert seg["start"].iloc[0] == pd.Timestamp("2023-10-07")
    assert seg["end"].iloc[-1] == daily.loc[daily["unit"] == "claim", "date"].max()
    # launches are another unit: refused beside claim totals
    with pytest.raises(ValueError, match="different units"):
        figures_from_daily(daily, unit="launch", totals=totals)


# ----------------------------------------------------------------- simulation study

START = pd.Timestamp("2024-07-01")  # 120 days
RATES = (3.0, 8.0)
CHANGE = 62  # 2024-09-01


def _day(t):
    return START + pd.Timedelta(days=t)


def simulated_rows(counts, rng, p_day=0.4, p_exact=0.7, p_second=0.3, miscount=0.15):
    """Day-level rows and period totals from SIMULATED daily counts.

    Rows on a random 40% of the days: a tally (the day's count) or, for 30% of them, a
    lower bound (a partial count, half the day's claims on average); on 30% of them a
    second source miscounting by about 15%. Totals: two monthly totals, an 'about'
    two-month total, a third monthly total, a 'so far this month' lower bound and a week.
    """
    c = counts.to_numpy()
    rows = []
    for t in np.flatnonzero(rng.random(len(c)) < p_day):
        n = int(c[t])
        if rng.random() < p_exact:
            rows.append((_day(t), n, "exact", "A"))
        else:
            rows.append((_day(t), int(rng.binomial(n, 0.5)), "at_least", "A"))
        if rng.random() < p_second:
            rows.append((_day(t), round(n * math.exp(rng.normal(0, miscount))), "exact", "B"))
    d = days(rows)

    def tot(a, b):
        return int(c[a : b + 1].sum())

    spans = [
        (0, 30, tot(0, 30), "exact"),
        (31, 61, tot(31, 61), "exact"),
        (0, 61, int(round(tot(0, 61), -1)), "about"),
        (62, 91, tot(62, 91), "exact"),
        (92, 119, tot(92, 111), "at_least"),
        (106, 112, tot(106, 112), "exact"),
    ]
    totals = pd.DataFrame(
        [
            {
                "figure_id": f"t{i}",
                "period_start": _day(a),
                "period_end": _day(b),
                "value": v,
                "qualifier": q,
                "unit": "claim",
                "actor": IRI,
                "source_name": "T",
            }
            for i, (a, b, v, q) in enumerate(spans)
        ]
    )
    return d, totals


def coverage(process, n_sim, seed, dependence=True):
    rng = np.random.default_rng(seed)
    straddle = (3 * RATES[0] + 4 * RATES[1]) / 7  # 2024-08-29..2024-09-04
    hits = np.zeros(4)
    for _ in range(n_sim):
        sim = simulate_piecewise(PROCESSES[process], 120, RATES, (CHANGE,), rng, start=START)
        d, totals = simulated_rows(sim.counts, rng)
        fit = estimate_rates_from_daily(
            d, totals=totals, breaks=[_day(CHANGE)], dependence=dependence
        )
        seg = fit.to_frame()
        hits[0] += seg["ci_low"][0] <= RATES[0] <= seg["ci_high"][0]
        hits[1] += seg["ci_low"][1] <= RATES[1] <= seg["ci_high"][1]
        w = fit.rate_on((_day(100), _day(106)))
        hits[2] += w.ci_low <= RATES[1] <= w.ci_high
        w = fit.rate_on((_day(59), _day(65)))
        hits[3] += w.ci_low <= straddle <= w.ci_high
    return hits / n_sim


N_SIM = 200
SE = math.sqrt(0.95 * 0.05 / N_SIM)  # Monte Carlo s.e. of a 95% coverage: 0.0154


@pytest.mark.slow
@pytest.mark.parametrize("process", ["poisson", "nb5"])
def test_coverage_meets_the_target_for_independent_days(process):
    # the target is 93-97%; measured (seed 20261201, 200 runs, s.e. 0.015), for
    # segment 1, segment 2, a week in segment 2, a week across the change:
    #   poisson 0.975 0.955 0.955 0.960; nb5 0.960 0.965 0.965 0.975 (variance following
    # the rate, latent AR(1) part from the day-level rows); with one pooled design effect
    # poisson 0.955 0.965 0.965 0.965, nb5 0.940 0.955 0.955 0.955.
    cov = coverage(process, N_SIM, seed=20261201)
    assert (cov >= 0.95 - 3 * SE).all(), cov
    assert cov.mean() <= 0.98, cov


@pytest.mark.slow
def test_coverage_under_dependence_falls_short_as_documented():
    # latent AR(1) log-rate (phi 0.5): measured 0.945 0.920 0.920 0.925 (s.e. 0.015) with
    # the latent AR(1) covariance estimated from the day-level rows (latent_ar_from_days);
    # with one pooled design effect it was 0.910 0.890 0.890 0.900, with the Pearson
    # dispersion alone 0.865 0.845 0.845 0.875. Under phi 0.8 (not run here): see
    # estimate_rates_from_daily. The persistence is underestimated (0.34 on average for
    # 0.5: 40% of the days seen, 120 days), so a small shortfall remains; this pins it.
    cov = coverage("ar0.5", N_SIM, seed=20261201)
    assert (cov >= 0.95 - 3 * SE).all(), cov
