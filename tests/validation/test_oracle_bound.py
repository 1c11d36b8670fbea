"""The oracle bound of issue 8's power target (``analysis.validation._study.cp_oracle_bound``).

What any detector can reach on a process is measured by oracle tests that know
the dependence (its long-run variance or the whole covariance of the counts)
or only their own null distribution. These tests pin the pieces to closed
forms and to statsmodels, and check by simulation (SIMULATED series, fixed
seeds) that the critical values give 5% false alarms on fresh stationary
series, independent and autocorrelated.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.changepoints import PoissonCost
from analysis.validation import _study as study
from analysis.validation._simulate import PROCESSES, simulate_counts


def test_the_true_covariance_has_the_closed_form_variance_and_lag_one_correlation():
    cov = study._change_true_covariance("ar0.8", np.full(5, 3.0))
    proc = PROCESSES["ar0.8"]
    assert np.allclose(np.diag(cov), proc.variance(3.0))
    assert cov[0, 1] / cov[0, 0] == pytest.approx(proc.lag1_autocorrelation(3.0))
    assert np.allclose(cov, cov.T)
    # a change in rate scales the latent part by the product of the two rates
    two = study._change_true_covariance("ar0.8", np.array([3.0, 4.5]))
    assert two[0, 1] == pytest.approx(3.0 * 4.5 * math.expm1(0.3**2 * 0.8))
    assert np.allclose(study._change_true_covariance("poisson", np.full(3, 2.0)), 2.0 * np.eye(3))
    with pytest.raises(ValueError, match="weekly"):
        study._change_true_covariance("weekly", np.full(3, 2.0))


def test_the_true_covariance_matches_simulated_autocovariances():
    # SIMULATED: 6000 short latent-AR(1) series at 3 a day (nb5 noise on top)
    rng = np.random.default_rng(81)
    for name in ("ar0.8", "nb5+ar0.8"):
        y = np.array(
            [
                simulate_counts(PROCESSES[name], 4, 3.0, rng).counts.to_numpy(float)
                for _ in range(6000)
            ]
        )
        truth = study._change_true_covariance(name, np.full(4, 3.0))
        r = y - 3.0  # the process mean is known
        for lag in (0, 1, 3):
            prod = r[:, 0] * r[:, lag]
            se = prod.std(ddof=1) / math.sqrt(prod.size)
            assert abs(prod.mean() - truth[0, lag]) < 4 * se, (name, lag)


def test_the_vectorised_gls_statistic_is_statsmodels_gls_at_every_location():
    import statsmodels.api as sm

    n = 40
    rates = np.r_[np.full(20, 3.0), np.full(20, 4.5)]
    cov = study._change_true_covariance("ar0.8", rates)
    gls = study._GLSChange(cov, 2)
    y = np.random.default_rng(5).poisson(rates).astype(float)
    t = gls.statistics(y)[0]
    assert gls.taus[0] == 2 and gls.taus[-1] == n - 2
    for tau in (2, 11, 20, 38):
        X = np.column_stack([np.ones(n), (np.arange(n) >= tau).astype(float)])
        fit = sm.GLS(y, X, sigma=cov).fit()
        # statsmodels scales by the residual variance; with a known covariance the
        # t statistic is the coefficient over its known standard error
        se = math.sqrt(np.linalg.inv(X.T @ np.linalg.solve(cov, X))[1, 1])
        assert t[tau - 2] == pytest.approx(fit.params[1] / se, rel=1e-9)


def test_the_profiles_are_the_oracle_statistic_and_the_poisson_gain():
    x = np.r_[np.zeros(50), np.ones(50)]
    z2, k = study._bound_profile(x, "lr", 0.25, None, 2)
    z, at = study._change_oracle_statistic(x, 0.25, "lr", 2)
    assert math.sqrt(z2.max()) == pytest.approx(z) and k[np.argmax(z2)] == at
    z2, k = study._bound_profile(x, "cusum", 0.25, None, 2)
    assert math.sqrt(z2.max()) == pytest.approx(
        study._change_oracle_statistic(x, 0.25, "cusum", 2)[0]
    )
    # the Poisson gain is the drop in the Poisson cost from one segment to two
    y = np.random.default_rng(3).poisson(np.r_[np.full(60, 2.0), np.full(60, 5.0)]).astype(float)
    g, k = study._poisson_split_gains(y, 2)
    pc = PoissonCost().fit(y)
    for i in (0, 40, 57, k.size - 1):
        drop = pc.error(0, y.size) - pc.error(0, int(k[i])) - pc.error(int(k[i]), y.size)
        assert g[i] == pytest.approx(drop, rel=1e-9, abs=1e-9)
    # the plug-in statistic divides by a design effect of at least 1
    gp, _ = study._bound_profile(y, "plugin_ar", math.nan, None, 2)
    assert np.all(gp <= g + 1e-12) and gp.max() > 0
    with pytest.raises(ValueError, match="statistic"):
        study._bound_profile(y, "other", 1.0, None, 2)


@pytest.mark.parametrize("statistic", study.BOUND_STATISTICS)
def test_a_strong_change_is_always_found_by_every_oracle(statistic):
    row = study.cp_oracle_bound(
        R=20, seed=11, n=365, rate=3.0, ratio=2.0, at="mid", process="poisson", statistic=statistic
    )
    assert row["n_used"] == 20 and row["errors"] == 0
    assert row["null_series"] == 200 and row["calibration_series"] == 60
    assert row["null_false_alarm"] <= 0.05  # the 95% quantile of the null maxima
    assert row["detection_power"] == 1.0
    # found: within +-5 days, or inside an interval calibrated to cover 95% of detections
    assert row["estimate"] >= 0.9 and row["found_within_days"] <= row["estimate"]
    assert row["coverage_given_detection"] >= 0.8  # calibrated to 0.95 on 60 series
    if statistic == "gls":
        assert row["known_location_power"] == 1.0


@pytest.mark.parametrize(
    ("process", "statistic"), [("poisson", "lr"), ("ar0.8", "gls"), ("ar0.8", "plugin_ar")]
)
def test_the_critical_value_gives_five_percent_false_alarms_on_fresh_stationary_series(
    process, statistic
):
    # ratio 1: the "change" series are stationary series the calibration never saw
    R = 400
    row = study.cp_oracle_bound(
        R=R,
        seed=29,
        n=365,
        rate=3.0,
        ratio=1.0,
        at="mid",
        process=process,
        statistic=statistic,
        calibration_factor=1,
    )
    # binomial error of 400 series plus the error of the 95% quantile of 4000 null maxima
    # (0.043: a critical value at the 90% quantile, 10% false alarms, fails)
    tol = 3 * math.sqrt(0.05 * 0.95 / R) + 3 * math.sqrt(0.05 * 0.95 / (10 * R))
    assert abs(row["detection_power"] - 0.05) <= tol, row["detection_power"]


def test_bad_arguments_name_the_parameter():
    common = {"R": 2, "seed": 1, "n": 100, "rate": 3.0, "ratio": 2.0, "at": "mid"}
    with pytest.raises(ValueError, match="statistic"):
        study.cp_oracle_bound(**common, statistic="bayes")
    with pytest.raises(ValueError, match="null_factor"):
        study.cp_oracle_bound(**common, null_factor=0)
    with pytest.raises(ValueError, match="calibration_factor"):
        study.cp_oracle_bound(**common, calibration_factor=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="weekly"):
        study.cp_oracle_bound(**common, process="weekly", statistic="gls")
