"""The Gaussian change-in-mean cost: its robust scale."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import NormalCost


def test_robust_sd_ignores_changes_in_mean():
    rng = np.random.default_rng(51)
    z = np.r_[rng.normal(0, 2, 500), rng.normal(50, 2, 500)]
    cost = NormalCost().fit(z)
    assert cost.sd_ == pytest.approx(2.0, rel=0.1)
    assert np.std(z) > 10


def test_with_sd_is_a_fresh_fit_to_the_last_bit():
    import numpy as np

    from analysis.changepoints.costs import NormalCost

    rng = np.random.default_rng(11)  # SIMULATED, odd and even lengths, ties
    for y in (rng.normal(3, 2, 5001), np.round(rng.normal(0, 1, 6000), 1)):
        a = NormalCost(sd=float(np.std(y))).fit(y)
        b, c = a.with_sd(0.7), NormalCost(sd=0.7).fit(y)
        np.testing.assert_array_equal(b.cs1_, c.cs1_)
        assert (b.center_, b.sd_) == (c.center_, c.sd_)
        z = (y - c.center_) / c.sd_
        assert b.functional_form().vmin == z.min() and b.functional_form().vmax == z.max()
    # a centre is only reused for the very signal it came from
    other = NormalCost(sd=1.0)
    other._known_center = (np.zeros(3), 99.0)
    assert other.fit(np.array([1.0, 2.0, 3.0])).center_ == 2.0
