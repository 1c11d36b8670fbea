"""Rolling-origin forecast checks: scores against closed forms, PIT, baselines, errors.

Every series here is SIMULATED, not real data.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis as it
from analysis.trend import BacktestResult, backtest, fit_trend
from analysis.trend._backtest import crps_sample, randomised_pit
from analysis.trend._interval import interval_bounds
from analysis.validation import PROCESSES, simulate_counts
from tests.trend.conftest import days, simulate


def poisson_crps(mu: float, y: int) -> float:
    """Closed form for a discrete predictive: sum over k of (F(k) - 1{y <= k})**2."""
    k = np.arange(0, int(mu + 50 * math.sqrt(mu) + y + 50))
    return float(np.sum((stats.poisson.cdf(k, mu) - (y <= k)) ** 2))


# ---------------------------------------------------------------------- CRPS
@pytest.mark.parametrize("y", [0, 2, 4, 9])
def test_crps_estimator_matches_the_poisson_closed_form(y):
    # 400 replicates of 2000 draws: the mean estimate is within 4 Monte Carlo s.e.
    mu, reps, m = 4.3, 400, 2000
    draws = np.random.default_rng(y).poisson(mu, size=(reps, m))
    est = crps_sample(draws, np.full(reps, y))
    se = est.std(ddof=1) / math.sqrt(reps)
    assert abs(est.mean() - poisson_crps(mu, y)) < 4 * se + 1e-12
    assert se < 0.01  # the check is tight, not vacuous


def test_crps_estimator_is_unbiased_with_few_draws():
    # with m = 10 the V-statistic (m**2 denominator) is biased by E|X-X'| / (2m) ~ 0.12;
    # the fair estimator is not: its mean over 20000 replicates is within 4 s.e.
    mu, y, reps, m = 4.3, 3, 20000, 10
    draws = np.random.default_rng(1).poisson(mu, size=(reps, m))
    est = crps_sample(draws, np.full(reps, y))
    se = est.std(ddof=1) / math.sqrt(reps)
    truth = poisson_crps(mu, y)
    assert abs(est.mean() - truth) < 4 * se
    x = np.sort(draws, axis=1)
    v_stat = np.abs(x - y).mean(axis=1) - 0.5 * np.abs(x[:, :, None] - x[:, None, :]).mean(
        axis=(1, 2)
    )
    assert v_stat.mean() - truth > 8 * se  # the biased form would fail this test


def test_crps_of_a_point_forecast_is_the_absolute_error():
    assert crps_sample(np.full((3, 5), 2), np.array([2, 0, 7])).tolist() == [0.0, 2.0, 5.0]
    with pytest.raises(ValueError, match="at least 2"):
        crps_sample(np.ones((2, 1)), np.array([1, 1]))


# ---------------------------------------------------------------------- PIT
def test_conditional_pit_is_uniform_for_the_true_distribution_and_needs_the_truncation():
    # Poisson(1.2): 30% zeros. Given Y >= 1 the renormalised randomised PIT is uniform;
    # the plain PIT restricted to y >= 1 is uniform on (F(0), 1), not on (0, 1).
    rng = np.random.default_rng(7)
    mu = 1.2
    y = rng.poisson(mu, 20000)
    below, at = stats.poisson.cdf(y - 1, mu), stats.poisson.cdf(y, mu)
    zero = np.full(len(y), stats.poisson.cdf(0, mu))
    u = randomised_pit(below, at, zero, y, rng)
    assert np.isnan(u[y == 0]).all()
    kept = u[y >= 1]
    assert stats.kstest(kept, "uniform").pvalue > 0.01
    plain = below[y >= 1] + rng.uniform(size=len(kept)) * (at - below)[y >= 1]
    assert plain.min() >= stats.poisson.cdf(0, mu) - 1e-12
    assert stats.kstest(plain, "uniform").pvalue < 1e-6


def test_pit_is_one_when_the_predictive_rules_out_any_event():
    rng = np.random.default_rng(0)
    u = randomised_pit(np.ones(1), np.ones(1), np.ones(1), np.array([3]), rng)
    assert u.tolist() == [1.0]


def _pooled_pit(process: str, family: str, reps: int, first: int = 0, **kw) -> np.ndarray:
    pits = []
    for r in range(first, first + reps):
        sim = simulate_counts(
            PROCESSES[process], 400, 5.0, np.random.default_rng(100 + r), slope=0.001
        )
        bt = backtest(sim.counts, origins=8, family=family, seed=r, **kw)
        s = bt.scores
        pits.append(s.loc[s["model"] == "model", "pit"].dropna().to_numpy())
    return np.concatenate(pits)


def test_pit_of_a_correct_poisson_model_is_uniform():
    # 10 SIMULATED Poisson series with a log-linear trend, 8 origins x 14 days each:
    # about 1,100 PIT values (measured KS p 0.42)
    pit = _pooled_pit("poisson", "poisson", 10, weekly=False)
    assert len(pit) > 1000
    assert stats.kstest(pit, "uniform").pvalue > 0.01


def test_pit_of_a_poisson_model_on_overdispersed_counts_is_u_shaped():
    # NB size 2 fitted as Poisson with independent periods (the model's own standard
    # errors, no latent process): too narrow, so too many PIT values near 0 and 1
    pit = _pooled_pit("nb2", "poisson", 10, weekly=False, cov_type="nonrobust")
    assert stats.kstest(pit, "uniform").pvalue < 1e-6
    tails = np.mean((pit < 0.1) | (pit > 0.9))
    assert tails > 0.2 + 4 * math.sqrt(0.2 * 0.8 / len(pit))


def _tail_share(process: str, family: str, reps: int, **kw) -> tuple[float, float]:
    """Share of PIT values in the outer 20%, and its s.e. from the spread between series."""
    shares = []
    for r in range(reps):
        pit = _pooled_pit(process, family, 1, first=r, **kw)
        shares.append(np.mean((pit < 0.1) | (pit > 0.9)))
    return float(np.mean(shares)), float(np.std(shares, ddof=1) / math.sqrt(reps))


def test_pit_under_dependence_flags_an_overconfident_model_only():
    # SIMULATED NB size 5 with a latent AR(1) log-rate (phi 0.8), 10 series x 8 origins.
    # The default fit (negbin, latent dependence) is not overconfident: the share of PIT
    # values in the outer 20% is not above 0.2 (measured 0.185, s.e. 0.009 by series);
    # a Poisson fit with the model's own standard errors is (measured 0.43).
    share, se = _tail_share("nb5+ar0.8", "auto", 10)
    assert share < 0.2 + 3 * se
    share, se = _tail_share("nb5+ar0.8", "poisson", 10, cov_type="nonrobust")
    assert share > 0.2 + 4 * se


# ---------------------------------------------------------------------- backtest
@pytest.fixture(scope="module")
def two_years() -> pd.Series:
    """SIMULATED: 730 days of NB2 counts (alpha 0.3) with a trend and a weekly cycle."""
    return simulate(np.random.default_rng(11), n=730, slope=0.002, base=4.0)[0]


@pytest.fixture(scope="module")
def bt(two_years) -> BacktestResult:
    return backtest(two_years, baseline="seasonal_naive")


def test_defaults_run_well_under_30_seconds_on_two_years(two_years):
    import time

    start = time.perf_counter()
    backtest(two_years)
    assert time.perf_counter() - start < 30  # measured about 1 s


def test_default_origins_end_at_the_data_and_are_step_apart(two_years, bt):
    assert bt.n_origins == 8 and bt.horizon == 14 and bt.level == 0.9
    o = bt.origins
    assert o[-1] == two_years.index[-15]
    assert (np.diff(o) == pd.Timedelta(days=28)).all()
    s = bt.scores
    assert list(s.columns) == ["origin", "step", "model", "crps", "log_score", "covered", "pit"]
    assert len(s) == 8 * 14 * 2
    assert sorted(s["model"].unique()) == ["baseline", "model"]
    assert s["step"].between(1, 14).all()
    assert len(bt.totals) == 16
    # observed totals are the sums of the counts after each origin
    t = bt.totals[bt.totals["model"] == "model"]
    pos = two_years.index.get_indexer(t["origin"])
    assert t["observed"].tolist() == [int(two_years.iloc[p + 1 : p + 15].sum()) for p in pos]


def test_model_beats_seasonal_naive_on_a_trending_series(bt):
    assert bt.crps_skill > 0.2
    table = bt.table()
    assert table.loc["model", "crps"] < table.loc["baseline", "crps"]
    assert table.loc["model", "log_score"] < table.loc["baseline", "log_score"]


def test_model_scores_equal_the_forecast_it_made(two_years):
    # the last origin's scores are those of fit_trend(...).forecast with the same stream
    res = backtest(two_years, origins=1, horizon=7, n_sim=1000, seed=5)
    fit = fit_trend(two_years.iloc[:-7])
    fc = fit.forecast(7, level=0.9, n_sim=1000, seed=np.random.default_rng(5))
    y = two_years.iloc[-7:].to_numpy()
    s = res.scores[res.scores["model"] == "model"]
    np.testing.assert_allclose(s["crps"], crps_sample(fc.draws, y))
    covered = (fc.pi_low.to_numpy() <= y) & (y <= fc.pi_high.to_numpy())
    assert s["covered"].tolist() == covered.tolist()
    p = stats.poisson.pmf(y[:, None], fc.draw_rates).mean(axis=1)
    np.testing.assert_allclose(s["log_score"], -np.log(np.maximum(p, 0.5 / 1000)))


@pytest.mark.filterwarnings("ignore:Perfect separation")  # a noiseless series
def test_seasonal_naive_is_exact_on_a_weekly_periodic_series():
    week = [3, 5, 4, 6, 2, 1, 1]
    y = days(np.tile(week, 20))
    res = backtest(y, origins=2, step=7, baseline="seasonal_naive", family="poisson")
    base = res.scores[res.scores["model"] == "baseline"]
    assert (base["crps"] == 0).all() and base["covered"].all()
    assert res.crps_skill == -math.inf  # nothing beats a perfect forecast
    assert json.loads(json.dumps(res.to_dict()))["crps_skill"] is None


def test_bootstrap_baseline_draws_from_the_last_four_weeks():
    # the last 28 days before the only origin are all 9: the baseline says 9 surely
    y = days(np.r_[np.random.default_rng(0).poisson(3, 100), np.full(28, 9), [9, 2]])
    res = backtest(y, origins=1, horizon=2, family="poisson", weekly=False)
    base = res.scores[res.scores["model"] == "baseline"]
    assert base["crps"].tolist() == [0.0, 7.0]
    assert base["log_score"].iloc[1] == pytest.approx(math.log(2 * 500))  # the floor
    assert base["covered"].tolist() == [True, False]


def test_origins_as_dates_and_fit_arguments(two_years):
    origins = [two_years.index[400], str(two_years.index[500].date())]
    exposure = pd.Series(2.0, index=two_years.index)
    res = backtest(
        two_years,
        origins=origins,
        horizon=7,
        exposure=exposure,
        breaks=[two_years.index[450]],
        family="negbin",
    )
    assert list(res.origins) == [two_years.index[400], two_years.index[500]]
    assert res.to_dict()["settings"]["fit_kwargs"] == {
        "exposure": "Series",
        "breaks": "list",
        "family": "negbin",
    }


def test_events_and_breaks_after_an_origin_are_left_out_of_its_fit():
    # an event on the last day and a break late in the series: fit_trend itself would
    # refuse a break or event after the end of the data it is given
    y = simulate(np.random.default_rng(11), n=300)[0]
    events = pd.DataFrame({"date": [y.index[100], y.index[-1]], "name": ["early", "late"]})
    with pytest.raises(ValueError):
        fit_trend(y.iloc[:200], breaks=[y.index[250]])
    res = backtest(y, origins=3, events=events, breaks=[y.index[250]])
    assert res.n_origins == 3


def test_tz_aware_series_keeps_its_zone():
    y = simulate(np.random.default_rng(2), n=200, tz="Asia/Jerusalem")[0]
    res = backtest(y, origins=2, family="poisson")
    assert str(res.origins.tz) == "Asia/Jerusalem"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": 0}, "horizon must be a whole number >= 1"),
        ({"horizon": 2.5}, "horizon must be a whole number >= 1"),
        ({"step": 0}, "step must be a whole number >= 1"),
        ({"origins": 0}, "origins must be a whole number >= 1"),
        ({"n_sim": 50}, "n_sim must be a whole number >= 100"),
        ({"level": 1.5}, "level must be between 0 and 1"),
        ({"baseline": "naive"}, "baseline must be one of"),
        (
            {"origins": 8, "step": 28},
            r"need at least 56 \(a series of 200 periods allows origins=5",
        ),
        ({"origins": ["2023-01-01"]}, "origins: 2023-01-01 is not a period of the counts"),
        ({"origins": ["2024-01-20"]}, "leaves 20 periods to fit; need at least 56"),
        ({"origins": ["2024-07-15"]}, "fewer than horizon=14 periods before the end"),
    ],
)
def test_bad_inputs_say_which_parameter(kwargs, message):
    y = simulate(np.random.default_rng(3), n=200)[0]
    with pytest.raises(ValueError, match=message):
        backtest(y, **kwargs)


def test_seasonal_naive_needs_daily_counts_and_more_history_for_long_horizons():
    weekly = days(np.random.default_rng(0).poisson(20, 150), freq="W-MON")
    with pytest.raises(ValueError, match="seasonal_naive' needs daily counts"):
        backtest(weekly, baseline="seasonal_naive", weekly=False)
    y = simulate(np.random.default_rng(3), n=120)[0]
    with pytest.raises(ValueError, match="need at least 77"):  # 28 + 7 * ceil(45 / 7)
        backtest(y, origins=1, horizon=45, baseline="seasonal_naive")
    with pytest.raises(TypeError, match="origins must be a number of origins or a list"):
        backtest(y, origins="2024-03-01")


def test_fit_errors_name_the_origin():
    y = days(np.r_[np.zeros(60, dtype=int), np.random.default_rng(0).poisson(3, 40)])
    with pytest.raises(it.errors.DataError) as info:
        backtest(y, origins=[y.index[59]], horizon=7)
    assert "while fitting the 60 periods up to 2024-02-29" in "".join(info.value.__notes__)


def test_non_daily_series_with_the_bootstrap_baseline():
    weekly = days(np.random.default_rng(0).poisson(20, 150), freq="W-MON")
    res = backtest(weekly, origins=3, horizon=4, step=4, weekly=False)
    assert res.n_origins == 3 and "(W-MON)" in res.summary()


# ---------------------------------------------------------------------- output
def test_summary_table_and_json_round_trip(bt):
    text = bt.summary()
    assert "8 origins" in text and "skill" in text and "binomial s.e." in text
    assert "<pre>" in bt._repr_html_()
    t = bt.table()
    n = t.loc["model", "n_periods"]
    c = t.loc["model", "coverage"]
    assert t.loc["model", "coverage_se"] == pytest.approx(math.sqrt(c * (1 - c) / n))
    d = bt.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert len(d["scores"]) == len(bt.scores) and d["crps_skill"] == pytest.approx(bt.crps_skill)
    assert d["scores"][0]["pit"] is None or 0 <= d["scores"][0]["pit"] <= 1
    pd.testing.assert_frame_equal(bt.to_frame(), bt.scores)


def test_plot_draws_pit_histograms_and_crps_by_step(bt):
    import matplotlib.pyplot as plt

    fig = bt.plot()
    assert len(fig.axes) == 2
    assert fig.axes[1].get_xlabel() == "horizon step"
    assert len(fig.axes[1].lines) == 2
    plt.close(fig)
    fig, axes = plt.subplots(1, 2)
    assert bt.plot(ax=axes) is fig
    with pytest.raises(ValueError, match="two Axes"):
        bt.plot(ax=[axes[0]])
    plt.close(fig)


def test_reproducible_with_a_seed(two_years):
    a = backtest(two_years, origins=2, seed=3).scores
    b = backtest(two_years, origins=2, seed=3).scores
    pd.testing.assert_frame_equal(a, b)


def test_public_api():
    assert it.backtest is backtest


# ---------------------------------------------------------------------- forecast draws
def test_forecast_keeps_its_draws_and_their_rates(nb_counts):
    fc = fit_trend(nb_counts).forecast(10, n_sim=2000, seed=1)
    d, r = fc.draws, fc.draw_rates
    assert d.shape == r.shape == (10, 2000)
    assert d.dtype.kind == "i" and (d >= 0).all() and (r > 0).all()
    # the bounds are the closest-to-90% intervals of the draws' predictive pmf
    lo, hi = interval_bounds(d, r, 0.9)
    assert lo.tolist() == fc.pi_low.tolist() and hi.tolist() == fc.pi_high.tolist()
    (tlo,), (thi,) = interval_bounds(d.sum(axis=0), r.sum(axis=0), 0.9)
    assert (tlo, thi) == fc.total[1:]
    # draws are Poisson given the rates: E(draw - rate) = 0 within 4 s.e.
    diff = (d - r).mean(axis=0)
    assert abs(diff.mean()) < 4 * diff.std(ddof=1) / math.sqrt(2000)
    d[:] = -1
    assert (fc.draws >= 0).all()  # a copy
