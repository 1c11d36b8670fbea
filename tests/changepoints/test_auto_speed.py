"""The faster default for measurements returns exactly what the straightforward path returns.

The default on real-valued series (issue 10) keeps binary segmentation's
splits between its passes (``search._binseg.SplitCache``, made by
``_auto._split_cache``), refits the final cost without a second median
(``NormalCost.with_sd``) and takes residuals and the variogram with fewer
temporaries. Here each of those is replaced by the plain computation it stands
for, and every part of the result must be equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

from analysis.changepoints import _auto, detect_changepoints
from analysis.changepoints.costs import NormalCost

N_LONG = _auto.FPOP_MAX_N + 10_000  # binary segmentation


def _series(kind: str, n: int, seed: int) -> np.ndarray:
    # SIMULATED measurement series of the kinds the defaults must handle
    rng = np.random.default_rng(seed)
    steps = np.repeat([0.0, 1.0, -0.5, 0.5, 0.0], -(-n // 5))[:n]
    if kind == "shifts":
        return rng.normal(0, 1, n) + 2 * steps
    if kind == "ar0.5+shifts":
        return lfilter([1.0], [1.0, -0.5], rng.normal(0, 1, n)) + 2 * steps
    if kind == "ar0.8":
        return lfilter([1.0], [1.0, -0.8], rng.normal(0, 1, n))
    if kind == "weekly":
        return np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 1, n) + steps
    if kind == "ties":
        return np.round(rng.normal(0, 2, n) + 3 * steps)
    if kind == "walk":
        return np.cumsum(rng.normal(0, 0.05, n)) + rng.normal(0, 1, n)
    raise AssertionError(kind)


def _plain(monkeypatch: pytest.MonkeyPatch) -> None:
    # the computations the fast path stands for
    monkeypatch.setattr(_auto, "_split_cache", lambda *a: None)
    monkeypatch.setattr(NormalCost, "with_sd", lambda self, sd: NormalCost(sd=sd).fit(self.signal_))
    monkeypatch.setattr(_auto, "_residuals", lambda x, ch: x - _auto._segment_means(x, ch))
    floor = _auto.variogram_noise_floor
    monkeypatch.setattr(
        _auto, "variogram_noise_floor", lambda v, *a, overwrite=False: floor(v.copy(), *a)
    )


def _parts(res):
    return (
        res.indices.tolist(),
        res.segments,
        res.intervals,
        res.cost,
        res.penalty,
        res.reason,
    )


@pytest.mark.parametrize(
    ("kind", "n"),
    [
        ("shifts", N_LONG),
        ("ar0.5+shifts", N_LONG),
        ("ar0.8", N_LONG),
        ("weekly", N_LONG),
        ("ties", N_LONG),
        ("walk", N_LONG),
        ("ar0.5+shifts", 5_000),
        ("ties", 1_000),
        ("shifts", 25),
    ],
)
def test_the_default_on_measurements_is_unchanged(kind, n, monkeypatch):
    x = _series(kind, n, seed=len(kind) + n)
    fast = _parts(detect_changepoints(x))
    with monkeypatch.context() as m:
        _plain(m)
        plain = _parts(detect_changepoints(x))
    assert fast[0] == plain[0]
    pd.testing.assert_frame_equal(fast[1], plain[1], check_exact=True)
    pd.testing.assert_frame_equal(fast[2], plain[2], check_exact=True)
    assert fast[3:] == plain[3:]


def test_the_fast_pieces_are_the_plain_ones():
    rng = np.random.default_rng(5)  # SIMULATED
    x = rng.normal(0, 1, 10_000)
    ch = [1_000, 4_321, 9_000]
    np.testing.assert_array_equal(_auto._residuals(x, ch), x - _auto._segment_means(x, ch))
    r = x - _auto._segment_means(x, ch)
    copy = r.copy()
    assert _auto.variogram_noise_floor(r, overwrite=True) == _auto.variogram_noise_floor(copy)
