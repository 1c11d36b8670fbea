"""The Poisson cost against closed forms and scipy's likelihoods."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.changepoints import PoissonCost


def test_cost_differences_are_minus_two_log_likelihood_ratios(y):
    # splitting at k changes the cost by -2 log LR computed with scipy
    k = 17
    pc = PoissonCost().fit(y)
    ll = [stats.poisson.logpmf(part, part.mean()).sum() for part in (y[:k], y[k:], y)]
    assert pc.error(0, k) + pc.error(k, 40) - pc.error(0, 40) == pytest.approx(
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
