"""Cost objects against closed forms and scipy's likelihoods."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.changepoints import MeanVarCost, NegBinCost, NormalCost, PoissonCost


@pytest.fixture
def y():
    """SIMULATED counts."""
    return np.random.default_rng(50).poisson(4, 40).astype(float)


def test_error_and_vectorised_errors_agree(y):
    for cost in (PoissonCost(), NegBinCost(size=3.0), NormalCost(), MeanVarCost()):
        cost.fit(y)
        starts = np.arange(0, 30, 3)
        assert cost.errors(starts, 35) == pytest.approx([cost.error(s, 35) for s in starts])


def test_cost_differences_are_minus_two_log_likelihood_ratios(y):
    # splitting at k changes the cost by -2 log LR computed with scipy
    k = 17
    pc = PoissonCost().fit(y)
    ll = [stats.poisson.logpmf(part, part.mean()).sum() for part in (y[:k], y[k:], y)]
    assert pc.error(0, k) + pc.error(k, 40) - pc.error(0, 40) == pytest.approx(
        -2 * (ll[0] + ll[1] - ll[2])
    )
    nb = NegBinCost(size=3.0).fit(y)
    ll = [
        stats.nbinom.logpmf(part, 3.0, 3.0 / (3.0 + part.mean())).sum()
        for part in (y[:k], y[k:], y)
    ]
    assert nb.error(0, k) + nb.error(k, 40) - nb.error(0, 40) == pytest.approx(
        -2 * (ll[0] + ll[1] - ll[2])
    )


def test_full_minus_two_log_likelihood(y):
    pc = PoissonCost().fit(y)
    b = np.array([0, 17, 40])
    expected = -2 * sum(
        stats.poisson.logpmf(y[a:c], y[a:c].mean()).sum() for a, c in [(0, 17), (17, 40)]
    )
    assert pc.neg2_loglik(b) == pytest.approx(expected)


def test_poisson_interval_is_the_exact_garwood_interval(y):
    rows = PoissonCost().fit(y).segment_rows(np.array([0, 40]), 0.95)
    s = y.sum()
    assert rows["ci_low"].iloc[0] == pytest.approx(stats.chi2.ppf(0.025, 2 * s) / 2 / 40)
    assert rows["ci_high"].iloc[0] == pytest.approx(stats.chi2.ppf(0.975, 2 * s + 2) / 2 / 40)


def test_robust_sd_ignores_changes_in_mean():
    rng = np.random.default_rng(51)
    z = np.r_[rng.normal(0, 2, 500), rng.normal(50, 2, 500)]
    cost = NormalCost().fit(z)
    assert cost.sd_ == pytest.approx(2.0, rel=0.1)
    assert np.std(z) > 10


def test_meanvar_cost_is_finite_on_constant_stretches():
    cost = MeanVarCost().fit(np.r_[np.zeros(10), np.arange(10.0)])
    assert np.isfinite(cost.error(0, 10))
