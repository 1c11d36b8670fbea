"""The faster candidate steps of FPOP change nothing but its speed.

``_fpop_reference.py`` beside this file is the search as it was before them
(a test-only copy of commit 61b337f). On SIMULATED series of every kind
(stationary, dependent, many changes, long zero runs, huge counts, a handful of
values) the package's search must return the same last-change array, hence the
same change points, and the same optimal objective to the last bit, for the
Poisson, negative-binomial and normal costs.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from analysis.changepoints import NegBinCost, NormalCost, PoissonCost
from analysis.changepoints.search._dispatch import solve
from analysis.changepoints.search._fpop import fpop
from analysis.validation import PROCESSES, simulate_counts


def _reference():
    path = Path(__file__).with_name("_fpop_reference.py")
    spec = importlib.util.spec_from_file_location("_fpop_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REF = _reference()
MISSED: list[tuple[str, int, float, int, float]] = []  # where only the reference was wrong


def _same(cost, y: np.ndarray, beta: float, m: int) -> None:
    # identical to the reference; or, where the reference itself missed the optimum
    # (its tolerance of 1e-10 of the cost exceeded the penalty: huge counts with a
    # small penalty), at PELT's optimum while the reference is above it
    form = cost.fit(np.asarray(y, dtype=float)).functional_form()
    last, fn, _ = fpop(form, beta, m)
    ref_last, ref_fn, _ = REF.fpop(form, beta, m)
    if fn == ref_fn and np.array_equal(last, ref_last):
        return
    changes, q = solve(cost, beta, "pelt", m)
    best = q + beta * len(changes)
    assert fn == pytest.approx(best, rel=1e-15, abs=1e-9), (cost.name, beta, m, fn, best)
    assert ref_fn > best + 1e-4 * beta, (cost.name, beta, m, fn, ref_fn, best)
    MISSED.append((cost.name, y.size, beta, m, ref_fn - best))


def _piecewise(rng: np.random.Generator, n: int, lo: int, hi: int, rates) -> np.ndarray:
    # SIMULATED Poisson counts with segments of lo..hi values at rates drawn from ``rates``
    out, total = [], 0
    while total < n:
        length = int(rng.integers(lo, hi + 1))
        out.append(rng.poisson(rates(rng), length))
        total += length
    return np.concatenate(out)[:n].astype(float)


def _series() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261201)
    out = {
        "stationary": rng.poisson(5.0, 20_000).astype(float),
        "benchmark-like": np.repeat([3.0, 6.0, 2.0, 8.0, 4.0], 20_000),
        "many changes": _piecewise(rng, 8_000, 8, 60, lambda r: r.gamma(2.0, 3.0)),
        "long zero runs": np.r_[
            np.zeros(3_000),
            rng.poisson(0.02, 4_000),
            rng.poisson(4.0, 500),
            np.zeros(2_000),
            rng.poisson(0.5, 1_000),
        ].astype(float),
        "huge counts": _piecewise(rng, 6_000, 200, 2_000, lambda r: r.uniform(1e5, 1e7)),
        "sparse changes of zeros": _piecewise(
            rng, 6_000, 20, 400, lambda r: 0.0 if r.random() < 0.4 else r.uniform(0.1, 3)
        ),
    }
    out["benchmark-like"] = rng.poisson(out["benchmark-like"]).astype(float)
    # dependent and overdispersed: every simulator of the validation study
    for name, process in PROCESSES.items():
        out[name] = simulate_counts(process, 6_000, 4.0, rng).counts.to_numpy(dtype=float)
    return out


SERIES = _series()


@pytest.mark.parametrize("name", sorted(SERIES))
def test_poisson_search_is_unchanged(name):
    y = SERIES[name]
    for beta, m in ((3.0 * math.log(y.size), 2), (0.5, 1), (60.0, 5)):
        _same(PoissonCost(), y, beta, m)


NEGBIN_SERIES = ["stationary", "many changes", "nb2", "nb5+ar0.8", "long zero runs"]


@pytest.mark.parametrize("name", NEGBIN_SERIES)
@pytest.mark.parametrize("size", [0.7, 4.0, 40.0])
def test_negbin_search_is_unchanged(name, size):
    y = SERIES[name]
    _same(NegBinCost(size=size), y, 3.0 * math.log(y.size), 2)


@pytest.mark.parametrize("name", ["stationary", "many changes", "huge counts"])
def test_normal_search_is_unchanged(name):
    y = SERIES[name]
    _same(NormalCost(), np.log1p(y), 3.0 * math.log(y.size), 2)


def test_a_handful_of_values_every_minimum_length():
    rng = np.random.default_rng(7)
    for n in range(1, 41):
        y = rng.poisson(rng.choice([0.0, 0.3, 3.0, 50.0], n)).astype(float)
        for m in range(1, 5):
            if n < 2 * m and n > 1:
                continue
            for beta in (0.1, 2.0, 3.0 * math.log(max(n, 2)), 100.0):
                _same(PoissonCost(), y, beta, m)
                _same(NegBinCost(size=2.0), y, beta, m)


def test_the_candidates_outgrow_their_first_array():
    # a steady trend with a large penalty keeps about 90 candidates alive per step:
    # more than the first state array holds (64), which must grow
    rng = np.random.default_rng(8)
    y = rng.poisson(np.linspace(1, 1000, 20_000)).astype(float)
    form = PoissonCost().fit(y).functional_form()
    assert fpop(form, 5e5, 1)[2] > 64
    _same(PoissonCost(), y, 5e5, 1)
    _same(NegBinCost(size=10.0), y, 5e5, 1)


def test_where_the_reference_missed_the_optimum_the_search_does_not():
    # huge counts (costs about 1e12) with a penalty of 0.5: the reference's
    # tolerance (1e-10 of the cost, 100) exceeded the penalty
    rng = np.random.default_rng(9)
    y = _piecewise(rng, 3_000, 200, 1_000, lambda r: r.uniform(1e5, 1e7))
    cost = PoissonCost().fit(y)
    form = cost.functional_form()
    ref_fn = REF.fpop(form, 0.5, 1)[1]
    changes, q = solve(cost, 0.5, "pelt", 1)
    assert ref_fn > q + 0.5 * len(changes) + 1.0  # the reference is off by more than the penalty
    _same(PoissonCost(), y, 0.5, 1)
    assert fpop(form, 0.5, 1)[1] == pytest.approx(q + 0.5 * len(changes), rel=1e-15)
