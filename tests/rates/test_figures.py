"""estimate_rates_from_figures: closed forms, input errors, outputs, and a simulation study.

Every simulated series is SIMULATED (analysis.validation simulators), never real data.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import analysis as it
from analysis.rates import FigureRates, estimate_rates_from_figures
from analysis.validation import PROCESSES, simulate_counts, simulate_piecewise


def table(rows, **extra):
    """Figures from (start, end, value, qualifier[, source]) tuples."""
    out = pd.DataFrame(
        [
            {
                "figure_id": f"f{i}",
                "period_start": r[0],
                "period_end": r[1],
                "value": r[2],
                "qualifier": r[3],
                "source_name": r[4] if len(r) > 4 else "A",
            }
            for i, r in enumerate(rows)
        ]
    )
    for k, v in extra.items():
        out[k] = v
    return out


def lr_interval(k, days, q):
    """Likelihood-ratio interval of a Poisson rate from one count (closed-form deviance)."""

    def dev(mu):
        return 2 * ((k * math.log(k / mu) if k > 0 else 0.0) - (k - mu))

    lo = 0.0 if dev(1e-12) < q else optimize.brentq(lambda m: dev(m) - q, 1e-12, k)
    hi = optimize.brentq(lambda m: dev(m) - q, max(k, 1e-9), 10 * k + 50)
    return lo / days, hi / days


# ----------------------------------------------------------------- closed forms


def test_one_exact_figure_is_the_poisson_likelihood_ratio_interval():
    fit = estimate_rates_from_figures(table([("2024-09-01", "2024-09-30", 35, "exact")]))
    seg = fit.to_frame().iloc[0]
    assert seg["rate"] == pytest.approx(35 / 30, rel=1e-6)
    lo, hi = lr_interval(35, 30, stats.chi2.ppf(0.95, 1))
    assert seg["ci_low"] == pytest.approx(lo, rel=1e-5)
    assert seg["ci_high"] == pytest.approx(hi, rel=1e-5)
    # no residual degrees of freedom: Poisson, and the notes say so
    assert fit.dispersion == 1.0 and fit.df_resid == 0
    assert any("cannot be estimated" in n for n in fit.notes)


def test_disjoint_exact_figures_give_count_over_days_per_segment():
    fit = estimate_rates_from_figures(
        table(
            [("2024-07-01", "2024-07-31", 13, "exact"), ("2024-08-01", "2024-08-31", 62, "exact")]
        ),
        breaks=["2024-08-01"],
    )
    assert fit.to_frame()["rate"].tolist() == pytest.approx([13 / 31, 62 / 31], rel=1e-6)


def test_a_zero_count_segment_has_the_likelihood_ratio_upper_limit():
    fit = estimate_rates_from_figures(
        table(
            [("2024-01-01", "2024-01-31", 0, "exact"), ("2024-02-01", "2024-02-29", 10, "exact")]
        ),
        breaks=["2024-02-01"],
    )
    seg = fit.to_frame().iloc[0]
    # k = 0: deviance 2 mu, so the upper limit is chi2_{0.95}(1) / 2 events in 31 days
    assert seg["rate"] == 0 and seg["ci_low"] == 0
    assert seg["ci_high"] == pytest.approx(stats.chi2.ppf(0.95, 1) / 2 / 31, rel=1e-4)
    assert not fit.check(0.5, ("2024-01-01", "2024-01-31")).consistent


def test_nested_figures_saturated_model_and_the_shared_days():
    # first week and the whole month, a change after the week: the fit reproduces both
    fit = estimate_rates_from_figures(
        table(
            [("2024-09-01", "2024-09-07", 20, "exact"), ("2024-09-01", "2024-09-30", 50, "exact")]
        ),
        breaks=["2024-09-08"],
    )
    rates = fit.to_frame()["rate"].tolist()
    assert rates == pytest.approx([20 / 7, 30 / 23], rel=1e-5)
    # the month holds the week: with the shared days counted once (the sandwich), the
    # interval of the last 23 days is that of the 30 events outside the week
    lo, hi = lr_interval(30, 23, stats.chi2.ppf(0.95, 1))
    seg = fit.to_frame().iloc[1]
    assert seg["ci_low"] == pytest.approx(lo, rel=0.06)
    assert seg["ci_high"] == pytest.approx(hi, rel=0.06)


def test_censored_and_interval_censored_likelihood_matches_scipy():
    rows = [
        ("2024-10-01", "2024-10-10", 30, "exact"),
        ("2024-10-01", "2024-10-31", 120, "at_least"),
        ("2024-10-11", "2024-10-20", 40, "about"),
    ]
    fit = estimate_rates_from_figures(table(rows), breaks=None, about_tolerance=0.2)

    def negll(log_rate):
        r = math.exp(log_rate[0])
        return -(
            stats.poisson.logpmf(30, 10 * r)
            + stats.poisson.logsf(119, 31 * r)
            + math.log(stats.poisson.cdf(48, 10 * r) - stats.poisson.cdf(31, 10 * r))
        )

    ref = optimize.minimize(negll, [0.0], method="Nelder-Mead", options={"xatol": 1e-10})
    assert fit.to_frame()["rate"].iloc[0] == pytest.approx(math.exp(ref.x[0]), rel=1e-4)
    assert fit.loglik == pytest.approx(-ref.fun, abs=1e-6)


def test_a_lower_bound_alone_leaves_the_rate_unbounded():
    fit = estimate_rates_from_figures(
        table(
            [
                ("2024-09-01", "2024-09-30", 30, "exact"),
                ("2024-10-01", "2024-10-31", 47, "at_least"),
            ]
        ),
        breaks=["2024-10-01"],
    )
    seg = fit.to_frame()
    assert math.isinf(seg["rate"].iloc[1]) and math.isinf(seg["ci_high"].iloc[1])
    assert seg["ci_low"].iloc[1] > 1.0  # 47 or more in 31 days: the lower limit is informative
    assert any("lower bounds" in n for n in fit.notes)


def test_optimum_is_global_from_any_start():
    rows = [
        ("2024-07-01", "2024-07-31", 13, "exact"),
        ("2024-07-01", "2024-09-30", 60, "exact"),
        ("2024-09-01", "2024-09-30", 35, "exact", "B"),
        ("2024-08-15", "2024-09-15", 20, "at_least"),
    ]
    fit = estimate_rates_from_figures(table(rows), breaks=["2024-08-01", "2024-09-01"])
    model = fit._model
    for start in ([0.01, 0.01, 0.01], [50.0, 1.0, 0.1], [0.1, 30.0, 3.0]):
        lam, ll = model.fit(np.array(start))
        assert ll == pytest.approx(fit.loglik, abs=1e-7)
        np.testing.assert_allclose(lam, fit._lam, rtol=1e-4)


def test_check_p_value_is_the_likelihood_ratio_test():
    fit = estimate_rates_from_figures(table([("2024-10-29", "2024-11-04", 41, "exact")]))
    out = fit.check(5, ("2024-10-29", "2024-11-04"))
    k, mu0 = 41, 35.0
    dev = 2 * (k * math.log(k / mu0) - (k - mu0))
    assert out.p_value == pytest.approx(stats.chi2.sf(dev, 1), rel=1e-5)
    assert out.consistent and "consistent" in out.verdict and "5 per day" in out.verdict
    far = fit.check(1, "2024-10-29/2024-11-04")
    assert not far.consistent and "above" not in far.verdict and "below the interval" in far.verdict


def test_disagreeing_sources_widen_the_intervals():
    rows = [
        ("2024-07-01", "2024-07-31", 13, "exact"),
        ("2024-08-01", "2024-08-31", 12, "exact"),
        ("2024-09-01", "2024-09-30", 35, "exact", "A"),
        ("2024-09-01", "2024-09-30", 18, "exact", "B"),
    ]
    auto = estimate_rates_from_figures(table(rows), breaks=["2024-09-01"])
    pois = estimate_rates_from_figures(table(rows), breaks=["2024-09-01"], dispersion="poisson")
    assert auto.dispersion > 1.5 and auto.source_error > 0.1
    width = lambda f: (f.to_frame()["ci_high"] - f.to_frame()["ci_low"]).to_numpy()  # noqa: E731
    # the two sources for September disagree: its rate's interval widens (by more than
    # half); July and August agree with one rate (residuals +-0.1): their reporting is not
    # in question and their days are not overdispersed, so their interval stays Poisson
    assert width(auto)[1] > 1.5 * width(pois)[1]
    assert auto.overdispersion == 0.0
    assert width(auto)[0] == pytest.approx(width(pois)[0], rel=1e-6)
    d = auto.disagreement.iloc[0]
    assert d["values"] == "35, 18" and d["df"] == 1
    assert d["chi2"] == pytest.approx(((35 - 26.5) ** 2 + (18 - 26.5) ** 2) / 26.5)
    res = auto.figures.set_index("figure_id")["pearson_residual"]
    assert res["f2"] > 1 and res["f3"] < -1


# ----------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("column", "values"),
    [
        ("unit", ["claim", "launch"]),
        ("actor", ["Islamic Resistance in Iraq", "Hezbollah"]),
        ("target", ["Israel", "US forces"]),
    ],
)
def test_mixed_units_actors_targets_are_refused_naming_the_column(column, values):
    figs = table(
        [("2024-09-01", "2024-09-30", 35, "exact"), ("2024-10-01", "2024-10-31", 9, "exact")]
    )
    figs[column] = values
    with pytest.raises(ValueError, match=f"column '{column}'"):
        estimate_rates_from_figures(figs)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"period_start": "Sept 2024?"}, "period_start"),
        ({"period_end": "not a date"}, "period_end"),
        ({"qualifier": "roughly"}, "qualifier"),
        ({"value": -3}, "value"),
        ({"value": 2.5}, "value"),
        ({"period_end": "2024-08-01"}, "period_end"),
    ],
)
def test_bad_figures_are_refused_naming_the_column(change, match):
    figs = table([("2024-09-01", "2024-09-30", 35, "exact")])
    for k, v in change.items():
        figs[k] = figs[k].astype(object)
        figs.loc[0, k] = v
    with pytest.raises(ValueError, match=match):
        estimate_rates_from_figures(figs)


def test_other_bad_arguments():
    figs = table([("2024-09-01", "2024-09-30", 35, "exact")])
    with pytest.raises(TypeError, match="figures"):
        estimate_rates_from_figures([1, 2])
    with pytest.raises(ValueError, match="figures is empty"):
        estimate_rates_from_figures(figs.iloc[:0])
    with pytest.raises(ValueError, match="'measure'"):
        estimate_rates_from_figures(figs.assign(measure="rate_per_day"))
    with pytest.raises(ValueError, match="about_tolerance"):
        estimate_rates_from_figures(figs, about_tolerance=1.5)
    with pytest.raises(ValueError, match="level"):
        estimate_rates_from_figures(figs, level=95)
    with pytest.raises(ValueError, match="breaks"):
        estimate_rates_from_figures(figs, breaks=["2025-01-01"])
    with pytest.raises(ValueError, match="dispersion"):
        estimate_rates_from_figures(figs, dispersion=0.5)
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    many = table([(d, d, 3, "exact") for d in days])
    with pytest.raises(ValueError, match="max_segments"):
        estimate_rates_from_figures(many, max_segments=5)
    fit = estimate_rates_from_figures(figs)
    with pytest.raises(ValueError, match="outside the days"):
        fit.rate_on(("2024-10-01", "2024-10-07"))
    with pytest.raises(ValueError, match="period"):
        fit.rate_on("first week")
    with pytest.raises(ValueError, match="claimed_rate"):
        fit.check("five", "2024-09-01/2024-09-07")


# ----------------------------------------------------------------- outputs


def test_outputs_repr_html_dict_and_plot(plt):
    figs = table(
        [
            ("2024-09-01", "2024-09-30", 35, "exact", "<b>Washington</b> & co"),
            ("2024-10-01", "2024-10-31", 47, "at_least"),
            ("2024-10-15", "2024-10-21", 30, "exact"),
            ("2024-09-01", "2024-09-30", 40, "about"),
        ]
    )
    fit = it.estimate_rates_from_figures(figs, breaks=["2024-10-01"])
    assert isinstance(fit, FigureRates)
    frame = fit.to_frame()
    assert list(frame.columns) == ["start", "end", "days", "rate", "ci_low", "ci_high"]
    assert (frame["ci_low"] <= frame["rate"]).all() and (frame["rate"] <= frame["ci_high"]).all()
    assert "<b>Washington" not in fit._repr_html_() and "&lt;b&gt;Washington" in fit._repr_html_()
    assert "2024-10-01..2024-10-31" in repr(fit)
    json.dumps(fit.to_dict())
    week = fit.rate_on(pd.Period("2024-10-15", freq="W-MON"))
    json.dumps(week.to_dict())
    ax = fit.plot()
    from matplotlib.collections import LineCollection

    bars = [c for c in ax.collections if isinstance(c, LineCollection)]
    dashed = [c for c in bars if c.get_linestyle()[0][1] is not None]
    assert len(bars) == 4 and len(dashed) == 1  # the one lower bound is drawn dashed
    assert ax.get_ylabel() == "events per day"
    assert fit.check(4, ("2024-10-15", "2024-10-21")).plot() is not None


# ----------------------------------------------------------------- real curated figures


def test_real_iri_claims_against_israel():
    f = it.load_reported_figures()
    iri = f[(f["actor"] == "Islamic Resistance in Iraq") & (f["unit"] == "claim")]
    with pytest.raises(ValueError, match="'target'"):
        it.estimate_rates_from_figures(iri)  # all targets, Israel, US sites: refused
    # claims of every weapon (drone-only tallies are another series), totals only
    israel = iri[
        (iri["target"] == "Israel") & (iri["weapon"] == "unknown") & (iri["measure"] == "count")
    ]
    fit = it.estimate_rates_from_figures(israel)
    seg = fit.to_frame()
    assert seg["start"].iloc[0] == israel["period_start"].min()
    assert seg["end"].iloc[-1] == israel["period_end"].max()
    assert (
        int(seg["days"].sum())
        == (israel["period_end"].max() - israel["period_start"].min()).days + 1
    )
    # the two September tallies (Washington Institute 35, Alma 18) are reported as a disagreement
    assert "35, 18" in set(fit.disagreement["values"])
    week = fit.rate_on(("2024-10-29", "2024-11-04"))
    assert week.ci_low < 41 / 7 < week.ci_high
    assert "consistent" in fit.check(5, ("2024-10-29", "2024-11-04")).verdict


# ----------------------------------------------------------------- simulation study

START = pd.Timestamp("2024-07-01")  # 120 days, to 2024-10-28
RATES = (3.0, 8.0)
CHANGE = 62  # 2024-09-01


def _day(t):
    return START + pd.Timedelta(days=t)


def simulated_figures(counts, rng, miscount=0.15):
    """Published figures from SIMULATED daily counts: monthly totals, an 'about' two-month
    total, a second source for September that miscounts, a 'so far this month' lower bound
    and a peak week."""
    c = counts.to_numpy()

    def tot(a, b):
        return int(c[a : b + 1].sum())

    rows = [
        (_day(0), _day(30), tot(0, 30), "exact"),
        (_day(31), _day(61), tot(31, 61), "exact"),
        (_day(0), _day(61), int(round(tot(0, 61), -1)), "about"),
        (_day(62), _day(91), tot(62, 91), "exact"),
        (_day(62), _day(91), round(tot(62, 91) * math.exp(rng.normal(0, miscount))), "exact", "B"),
        (_day(92), _day(119), tot(92, 111), "at_least"),  # counted to Oct 20, period the month
        (_day(106), _day(112), tot(106, 112), "exact"),
    ]
    return table(rows)


def coverage(process, n_sim, seed):
    rng = np.random.default_rng(seed)
    straddle = (3 * RATES[0] + 4 * RATES[1]) / 7  # 2024-08-29..2024-09-04
    hits = np.zeros(4)
    for _ in range(n_sim):
        sim = simulate_piecewise(PROCESSES[process], 120, RATES, (CHANGE,), rng, start=START)
        fit = estimate_rates_from_figures(simulated_figures(sim.counts, rng), breaks=[_day(CHANGE)])
        seg = fit.to_frame()
        hits[0] += seg["ci_low"][0] <= RATES[0] <= seg["ci_high"][0]
        hits[1] += seg["ci_low"][1] <= RATES[1] <= seg["ci_high"][1]
        w = fit.rate_on((_day(106), _day(112)))
        hits[2] += w.ci_low <= RATES[1] <= w.ci_high
        w = fit.rate_on((_day(59), _day(65)))
        hits[3] += w.ci_low <= straddle <= w.ci_high
    return hits / n_sim


N_SIM = 200
SE = math.sqrt(0.95 * 0.05 / N_SIM)  # Monte Carlo s.e. of a 95% coverage: 0.0154


@pytest.mark.slow
@pytest.mark.parametrize("process", ["poisson", "nb5"])
def test_coverage_of_segment_and_week_rates(process):
    # the target is 93-97%; measured (seed 20261201, 200 runs each, s.e. 0.015),
    # segment 1, segment 2, peak week, week across the change:
    #   poisson 0.965 0.975 0.975 0.960, nb5 0.940 0.935 0.935 0.930
    # (with one pooled Pearson dispersion and F(1, df): poisson 0.935 0.955 0.955 0.940,
    # nb5 0.945 0.920 0.920 0.935, segment 2 0.915 +- 0.014 in 400 runs). Intervals
    # without the overlap (sandwich) adjustment covered 0.875 for segment 2 under Poisson
    # and fail the lower bound.
    cov = coverage(process, N_SIM, seed=20261201)
    assert (cov >= 0.95 - 3 * SE).all(), cov
    # not conservative beyond the target either: the mean of the four (correlated)
    # coverages, whose s.e. is at most SE, may exceed the target's upper end 0.97 by 0.01
    assert cov.mean() <= 0.98, cov


@pytest.mark.slow
def test_coverage_under_strong_dependence_falls_short_as_documented():
    # latent AR(1) log-rate (phi 0.8): the design effect of a total grows with its length,
    # which the variance of totals alone does not follow (it follows the rate); measured in
    # 400 runs from this seed 0.872 0.840 0.840 0.852 (s.e. 0.017), lower than with one
    # pooled dispersion and F(1, 3) (0.920 0.890 0.890 0.885 in 200 runs), whose wider
    # quantile happened to cover more here. This pins the known shortfall.
    cov = coverage("ar0.8", N_SIM, seed=20261201)
    assert (cov >= 0.85).all(), cov


@pytest.mark.slow
def test_auto_search_finds_the_change_month():
    rng = np.random.default_rng(7)
    found = 0
    n = 30
    for _ in range(n):
        sim = simulate_piecewise(PROCESSES["poisson"], 120, RATES, (CHANGE,), rng, start=START)
        fit = estimate_rates_from_figures(simulated_figures(sim.counts, rng, miscount=0.05))
        found += _day(CHANGE) in set(fit.to_frame()["start"])
    assert found / n >= 0.8


@pytest.mark.slow
def test_auto_search_false_changes_under_a_constant_rate():
    # measured with these seeds: 0.13 for Poisson days (60 runs, s.e. 0.04); 0.43 for
    # negative-binomial days (size 5), where the few exact figures cannot estimate the
    # dispersion before the search: a documented shortfall (give breaks= there)
    rng = np.random.default_rng(12)
    n = 60
    extra = 0
    for _ in range(n):
        sim = simulate_counts(PROCESSES["poisson"], 120, 5.0, rng, start=START)
        fit = estimate_rates_from_figures(simulated_figures(sim.counts, rng, miscount=0.05))
        extra += len(fit.to_frame()) > 1
    assert extra / n <= 0.25


def test_progress_shows_the_search_and_changes_nothing(capsys):
    # hand-made figures: a month, its two halves and a week (not real reports)
    rows = [
        ("2024-09-01", "2024-09-30", 60, "exact"),
        ("2024-09-01", "2024-09-15", 15, "exact"),
        ("2024-09-16", "2024-09-30", 45, "exact"),
        ("2024-09-20", "2024-09-26", 22, "at_least"),
    ]
    quiet = estimate_rates_from_figures(table(rows))
    assert capsys.readouterr().err == ""
    import analysis._progress as progress_module

    delay = progress_module.PROGRESS_DELAY
    progress_module.PROGRESS_DELAY = 0.0  # show the bar at once
    try:
        shown = estimate_rates_from_figures(table(rows), progress=True)
    finally:
        progress_module.PROGRESS_DELAY = delay
    assert "sets of changes" in capsys.readouterr().err
    pd.testing.assert_frame_equal(quiet.to_frame(), shown.to_frame())
