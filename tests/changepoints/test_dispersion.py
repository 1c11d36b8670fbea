"""Negative-binomial dispersion from within-segment neighbour pairs, and its test."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import NegBinCost, detect_changepoints
from analysis.changepoints._dispersion import SIZE_POISSON, within_segment_dispersion


@pytest.mark.parametrize("size", [2.0, 5.0, 20.0])
def test_size_estimated_near_truth_on_series_with_changes(size, simulate_counts):
    # the raw series' variance is inflated by the changes; the estimate is not
    rng = np.random.default_rng(20)
    est = []
    for _ in range(60):
        y, _ = simulate_counts(rng, n=600, size=size)
        res = detect_changepoints(y, cost="negbin")
        est.append(float(res.reason.split("1/r = ")[1].split(" ")[0]))
    inv = np.array(est)
    # 60 series: relative standard error of the mean of 1/r is about 5%
    assert inv.mean() == pytest.approx(1 / size, rel=0.15)


def test_naive_variance_would_be_inflated_by_the_changes(simulate_counts):
    rng = np.random.default_rng(21)
    y, cps = simulate_counts(rng, n=600, size=20.0)
    m, v = y.mean(), y.var()
    naive_inv = (v - m) / m**2
    good = within_segment_dispersion(y.astype(float), cps).inv_size
    assert naive_inv > 3 * good
    assert good == pytest.approx(1 / 20, abs=0.03)


def test_overdispersion_test_has_its_size_under_poisson():
    rng = np.random.default_rng(22)
    p = np.array([within_segment_dispersion(rng.poisson(3.0, 500)).p_value for _ in range(400)])
    # 400 runs at a true 5%: binomial sd 1.1%, allow 3 sd
    assert abs(np.mean(p < 0.05) - 0.05) < 0.033


def test_overdispersion_test_has_power():
    rng = np.random.default_rng(23)
    p = [
        within_segment_dispersion(rng.negative_binomial(5, 5 / 10, 500)).p_value for _ in range(50)
    ]
    assert np.mean(np.array(p) < 0.05) > 0.9


def test_no_overdispersion_gives_the_poisson_limit():
    d = within_segment_dispersion(np.array([3.0, 3.0, 3.0, 3.0, 3.0]))
    assert d.size == SIZE_POISSON
    cost = NegBinCost(size=SIZE_POISSON).fit([0.0, 3.0, 5.0, 2.0])
    from analysis.changepoints import PoissonCost

    pc = PoissonCost().fit([0.0, 3.0, 5.0, 2.0])
    # the NB cost tends to the Poisson cost (up to the dropped constant S log r)
    assert cost.error(0, 4) - cost.error(0, 2) == pytest.approx(
        pc.error(0, 4) - pc.error(0, 2), abs=1e-5
    )
