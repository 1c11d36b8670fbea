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


def test_the_log_pmf_is_scipys_to_the_last_bit():
    # the cost's full likelihood does not import scipy.stats (its import time is
    # most of the first negbin call): its own log-pmf must give scipy's numbers
    import numpy as np

    from analysis.changepoints.costs.negbin import nbinom_logpmf

    rng = np.random.default_rng(8)  # SIMULATED
    k = np.r_[0, 1, 2, rng.negative_binomial(2, 0.1, 500), 10**6]
    for r, p in ((0.3, 0.02), (3.0, 0.4), (50.0, 0.999), (1e6, 0.5)):
        expected = stats.nbinom.logpmf(k, r, p)
        np.testing.assert_array_equal(nbinom_logpmf(k, r, p), expected)
        np.testing.assert_array_equal(nbinom_logpmf(k.astype(float), r, p), expected)


def test_the_full_likelihood_matches_scipy_on_long_and_short_segments():
    import numpy as np

    rng = np.random.default_rng(9)  # SIMULATED; long segments take the value-count path
    y = np.r_[rng.negative_binomial(3, 0.5, 3000), rng.negative_binomial(3, 0.2, 40)]
    nb = NegBinCost(size=3.0).fit(y.astype(float))
    bounds = np.array([0, 3000, y.size])
    expected = sum(
        -2 * stats.nbinom.logpmf(part, 3.0, 3.0 / (3.0 + part.mean())).sum()
        for part in (y[:3000], y[3000:])
    )
    assert nb.neg2_loglik(bounds) == pytest.approx(expected, rel=1e-13)


def test_a_negbin_detection_does_not_import_scipy_stats():
    # importing scipy.stats was most of the first negbin call of a fresh process (issue 10)
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, numpy as np, pandas as pd, analysis\n"
        "y = pd.Series(np.random.default_rng(0).poisson(4, 500),"  # SIMULATED
        " index=pd.date_range('2024-01-01', periods=500))\n"
        "analysis.detect_changepoints(y, cost='negbin')\n"
        "print('scipy.stats' in sys.modules)\n"
    )
    root = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "False"
