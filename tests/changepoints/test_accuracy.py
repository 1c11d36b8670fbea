"""Accuracy of the defaults: simulation studies (fixed seeds) and published data sets.

Tolerances: rates are compared with the issue's targets over 200 series; the
false-alarm limit of 5% is checked as "at most 16 of 200" (the 95% upper
binomial quantile of 200 runs at a true rate of 5% is 16).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints import detect_changepoints

REF = json.loads(
    (Path(__file__).parents[1] / "results" / "changepoints_reference.json").read_text()
)


def _hit_rate(simulate, size: float | None, cost: str, seed: int, runs: int = 200) -> float:
    rng = np.random.default_rng(seed)
    hits = total = 0
    for _ in range(runs):
        y, cps = simulate(rng, size=size)
        found = detect_changepoints(y, cost=cost).indices
        for c in cps:
            total += 1
            hits += bool(np.any(np.abs(found - c) <= 5))
    return hits / total


@pytest.mark.slow
def test_poisson_changes_found_within_five_days(simulate_counts):
    assert _hit_rate(simulate_counts, None, "auto", seed=123) >= 0.97


@pytest.mark.slow
def test_negbin_changes_found_within_five_days_with_negbin_cost(simulate_counts):
    # NB2 size 20 (variance 1.5x Poisson at 10 a day). At size 5 the same
    # study finds 91%: the noise, not the search, limits the location then
    # (BIC and MBIC give the same rate).
    assert _hit_rate(simulate_counts, 20.0, "negbin", seed=124) >= 0.97


@pytest.mark.slow
@pytest.mark.parametrize(
    "name,draw",
    [
        ("poisson 0.5", lambda r: r.poisson(0.5, 1000)),
        ("poisson 2", lambda r: r.poisson(2, 1000)),
        ("poisson 10", lambda r: r.poisson(10, 1000)),
        ("negbin mean 5 size 2", lambda r: r.negative_binomial(2, 2 / 7, 1000)),
    ],
)
def test_defaults_rarely_report_changes_in_stationary_series(name, draw):
    rng = np.random.default_rng(7)
    alarms = sum(detect_changepoints(draw(rng)).n_changes > 0 for _ in range(200))
    assert alarms <= 16, f"{name}: {alarms} of 200 stationary series had a change"


def test_coal_mining_disasters_one_change_around_1891():
    from analysis.io.reference import load_coal_mining_disasters

    ref = REF["coal_mining_disasters"]
    counts = load_coal_mining_disasters(as_counts=True)
    res = detect_changepoints(counts)
    assert res.n_changes == 1
    lo, hi = ref["first_year_of_new_segment"]
    assert lo <= res.changepoints[0].year <= hi
    rates = res.segments["rate"].to_numpy()
    tol = ref["rate_tolerance"]
    assert rates == pytest.approx([ref["rate_before"], ref["rate_after"]], abs=tol)


def test_nile_one_change_in_1899():
    import statsmodels.datasets.nile as nile

    ref = REF["nile"]
    data = nile.load_pandas().data
    flow = pd.Series(data["volume"].to_numpy(), index=data["year"].astype(int), name="flow")
    res = detect_changepoints(flow)
    assert res.n_changes == 1
    lo, hi = ref["first_year_of_new_segment"]
    assert lo <= res.changepoints[0] <= hi
    means = res.segments.iloc[:, 3].to_numpy()
    assert means == pytest.approx([ref["mean_before"], ref["mean_after"]], rel=1e-9)


def test_nile_same_answer_with_gaussian_costs():
    import statsmodels.datasets.nile as nile

    data = nile.load_pandas().data
    flow = pd.Series(data["volume"].to_numpy(), index=data["year"].astype(int))
    for cost in ("normal", "normal_meanvar"):
        assert list(detect_changepoints(flow, cost=cost).changepoints) == [1899]


@pytest.mark.slow
def test_mean_and_variance_cost_finds_a_change_in_variance_of_measurements():
    # SIMULATED Gaussian data, sd 1 then 2 (means equal). The default for measurements
    # looks for changes in mean; a change in variance is asked for by naming the cost.
    rng = np.random.default_rng(10)
    hits = 0
    for _ in range(100):
        y = np.r_[rng.normal(0, 1, 250), rng.normal(0, 2, 250)]
        res = detect_changepoints(y, cost="normal_meanvar")
        hits += res.n_changes == 1 and abs(res.indices[0] - 250) <= 15
    assert hits >= 90  # measured 96 of 100


@pytest.mark.slow
def test_defaults_rarely_report_changes_in_gaussian_noise():
    rng = np.random.default_rng(9)
    alarms = sum(detect_changepoints(rng.normal(0, 1, 1000)).n_changes > 0 for _ in range(200))
    assert alarms <= 16


@pytest.mark.slow
@pytest.mark.parametrize(("n", "limit"), [(20, 0.16), (50, 0.06)])
def test_defaults_rarely_report_changes_in_short_gaussian_noise(n, limit):
    # SIMULATED N(0, 1) series, 400 each: measured 12.3% at n = 20 and 4.0% at
    # n = 50 (with the earlier variance floor 1e-3: 17.8% and 5.0%, which these
    # limits reject at n = 20); limits are about 2 SE above the measured rates
    rng = np.random.default_rng(11)
    alarms = sum(detect_changepoints(rng.normal(0, 1, n)).n_changes > 0 for _ in range(400))
    assert alarms / 400 <= limit
