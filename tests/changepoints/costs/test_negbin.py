"""The negative-binomial cost against scipy's likelihoods."""

from __future__ import annotations

import pytest
from scipy import stats

from analysis.changepoints import NegBinCost


def test_cost_differences_are_minus_two_log_likelihood_ratios(y):
    k = 17
    nb = NegBinCost(size=3.0).fit(y)
    ll = [
        stats.nbinom.logpmf(part, 3.0, 3.0 / (3.0 + part.mean())).sum()
        for part in (y[:k], y[k:], y)
    ]
    assert nb.error(0, k) + nb.error(k, 40) - nb.error(0, 40) == pytest.approx(
        -2 * (ll[0] + ll[1] - ll[2])
    )


@pytest.mark.parametrize("size", [0.0, -1.0, float("nan"), float("inf")])
def test_a_bad_size_is_refused(size):
    with pytest.raises(ValueError, match="size must be a finite number > 0"):
        NegBinCost(size=size)
