"""Tests of the compiled recursion (analysis/changepoints/online/_kernel.py).

All series here are simulated (fixed seeds) or tiny hand-made examples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numba.core.registry import CPUDispatcher
from scipy.stats import nbinom

from analysis.changepoints.online import _kernel
from analysis.changepoints.online._kernel import log_nb_predictive, run


@pytest.mark.parametrize(
    ("family", "data", "prior"),
    [
        ("poisson", "poisson_y", (1.5, 0.4)),
        ("normal", "normal_y", (0.5, 0.3, 1.5, 0.8)),
    ],
)
def test_exact_posterior_matches_brute_force(family, data, prior, brute_force, request):
    y = request.getfixturevalue(data)
    hazard = 0.2
    full = np.zeros((len(y), len(y)))
    run(y, family, prior, hazard, 3, 0.0, None, full)
    expected = brute_force(y, family, prior, hazard)
    np.testing.assert_allclose(full, expected, rtol=1e-10, atol=1e-13)


def test_exact_posterior_matches_brute_force_for_counts_above_the_product_range(brute_force):
    # counts of 25 to 60 take the lgamma branch of the predictive, not the product
    y = np.array([31.0, 27, 33, 58, 52, 60, 55, 29, 26, 30])
    prior, hazard = (2.0, 0.05), 0.2
    full = np.zeros((len(y), len(y)))
    run(y, "poisson", prior, hazard, 3, 0.0, None, full)
    expected = brute_force(y, "poisson", prior, hazard)
    np.testing.assert_allclose(full, expected, rtol=1e-10, atol=1e-13)


def test_nan_step_carries_posterior_forward(poisson_y, brute_force):
    prior, hazard = (1.5, 0.4), 0.2
    y = poisson_y
    y_gap = np.insert(y, [4, 4, 7], np.nan)  # NaN at positions 4, 5 and 9
    observed = np.flatnonzero(~np.isnan(y_gap))
    full = np.zeros((len(y_gap), len(y_gap)))
    run(y_gap, "poisson", prior, hazard, 3, 0.0, None, full)
    expected = brute_force(y, "poisson", prior, hazard)
    # at observed steps: the posterior of the series without its NaNs, starts mapped back
    np.testing.assert_allclose(full[np.ix_(observed, observed)], expected, rtol=1e-10)
    # at a NaN step: unchanged from the step before
    np.testing.assert_array_equal(full[4], full[3])
    np.testing.assert_array_equal(full[5], full[3])


def _predictive(a: float, b: float, x: float) -> float:
    serr = _kernel._stirlerr(x) if x > 0 else 0.0
    return log_nb_predictive(a, b, math.log(b), math.log1p(b), x, math.lgamma(x + 1), serr)


@pytest.mark.parametrize(
    ("a", "b", "x"),
    [(1.5, 0.4, 0), (1.5, 0.4, 7), (1.5, 0.4, 30), (50.0, 3.0, 17), (1e4, 7.0, 1500),
     (3.2, 0.01, 400), (0.3, 2.0, 24), (0.3, 2.0, 25)],
)  # fmt: skip
def test_predictive_is_the_negative_binomial(a, b, x):
    # scipy's log pmf (lgamma sums) is accurate to about 1e-12 at these sizes
    expected = nbinom.logpmf(x, a, b / (b + 1))
    assert _predictive(a, b, x) == pytest.approx(expected, rel=1e-11, abs=1e-11)


@pytest.mark.parametrize(("a", "b", "x"), [(2e6, 5e4, 45), (1e6, 0.5, 3e6), (5e6, 1e3, 0)])
def test_saddle_point_branch_is_the_negative_binomial(a, b, x):
    # above a + x = 1e6; scipy's lgamma sums are good to about 1e-8 here
    expected = nbinom.logpmf(x, a, b / (b + 1))
    assert _predictive(a, b, x) == pytest.approx(expected, abs=5e-8)


def test_predictive_keeps_its_precision_at_counts_near_1e15():
    # exact ratio of neighbouring probabilities: P(x+1) / P(x) = (x + a) / ((x + 1) (b + 1));
    # the lgamma form is off by about 1 in log at this size
    a, b, x0 = 1e17 + 1.0, 100.0, 1e15
    steps = np.arange(0.0, 2000.0, 97.0)
    got = np.array([_predictive(a, b, x0 + k) for k in steps]) - _predictive(a, b, x0)
    expected = np.array(
        [sum(math.log((x0 + j + a) / (x0 + j + 1)) - math.log1p(b) for j in range(int(k)))
         for k in steps]
    )  # fmt: skip
    np.testing.assert_allclose(got, expected, atol=1e-7)


def test_predictive_sums_to_one_at_counts_near_1e15():
    a, b = 1e17 + 1.0, 100.0
    mean, sd = a / b, math.sqrt(a / b * (1 + 1 / b))
    grid = np.floor(mean + np.linspace(-10, 10, 4001) * sd)
    total = (grid[1] - grid[0]) * sum(math.exp(_predictive(a, b, v)) for v in grid)
    assert total == pytest.approx(1.0, abs=1e-4)  # a Riemann sum with 4,001 nodes


def test_kernel_terminates_on_counts_beyond_the_int64_range(isolated):
    # before: int(1e20) wrapped to -2**63 in compiled code and a product loop
    # over range(1, -2**63) ran for ever
    out = isolated(
        "import json, numpy as np\n"
        "from analysis.changepoints.online._kernel import run\n"
        "cp, start, live, lost = run(np.full(50, 1e20), 'poisson', (1.0, 1e-20), 0.01, 5,"
        " 1e-10, 500)\n"
        "print(json.dumps([int(s) for s in start]))"
    )
    assert out == [0] * 50  # one segment from the start


def test_normal_posterior_does_not_depend_on_the_unit(normal_y):
    # the values are divided by a power of two inside run(); 2**-40 and 2**40 change nothing
    prior, hazard = (0.5, 0.3, 1.5, 0.8), 0.2
    ref = np.zeros((10, 10))
    run(normal_y, "normal", prior, hazard, 3, 0.0, None, ref)
    for k in (-40, 40):
        s = 2.0**k
        full = np.zeros((10, 10))
        run(normal_y * s, "normal", (0.5 * s, 0.3, 1.5, 0.8 * s * s), hazard, 3, 0.0, None, full)
        np.testing.assert_allclose(full, ref, rtol=1e-12, atol=1e-15)


def test_normal_prior_mean_far_beyond_the_data_is_refused(normal_y):
    # its square would overflow, and inf - inf would make the posterior NaN
    with pytest.raises(ValueError, match="mu0"):
        run(normal_y, "normal", (1e200, 1.0, 1.0, 1.0), 0.2, 3, 0.0, None)


def test_normal_prior_variance_that_overflows_in_data_units_is_refused(normal_y):
    with pytest.raises(ValueError, match="beta0"):
        run(normal_y * 1e-200, "normal", (0.0, 1.0, 1.0, 1e300), 0.2, 3, 0.0, None)


def test_unknown_family_is_refused(poisson_y):
    with pytest.raises(ValueError, match="family"):
        run(poisson_y, "gaussian", (1.0, 1.0), 0.2, 3, 0.0, None)


def test_cached_kernels_call_only_jitted_functions_of_this_file():
    # numba's cache key is the source file of the cached function: a cached kernel
    # calling a jitted function of another file would run stale code after an edit
    dispatchers = {n: v for n, v in vars(_kernel).items() if isinstance(v, CPUDispatcher)}
    assert "_bocpd" in dispatchers
    for name, disp in dispatchers.items():
        for used in disp.py_func.__code__.co_names:
            callee = disp.py_func.__globals__.get(used)
            if isinstance(callee, CPUDispatcher):
                assert callee.py_func.__module__ == _kernel.__name__, (name, used)
