"""Seasonal adjustment before segmentation (``detect_changepoints(..., seasonal=7)``).

The cycle's effect is estimated by ratio (counts) or difference (measurements)
to a centred moving average over one cycle, as in classical decomposition:
the moving average follows the level, so a change of level moves the
estimate only through the few periods within half a cycle of it (robust to
the changes, no first segmentation needed). The phase of a value is its
position in the input (missing values included) modulo the period, which for
a regular daily index is the weekday.

* **Counts:** the factor of phase ``w`` is the total of the counts at that
  phase over the total of the moving average at the same periods (a ratio of
  sums, so zero counts are fine), normalised to mean 1 over the cycle. The
  counts are not divided: the Poisson cost gets the factors as known
  multipliers (:class:`~analysis.changepoints.costs.poisson_weighted.WeightedPoissonCost`,
  rate MLE ``sum(y) / sum(f)``).
* **Measurements:** the effect of phase ``w`` is the mean of ``y - moving
  average`` at that phase, centred to sum 0; it is subtracted before
  segmenting, and segment means are of the adjusted series.

Written by hand: ``statsmodels.tsa.seasonal.seasonal_decompose`` has the same
moving average but refuses zeros in its multiplicative form and takes no
positions for series with missing values.
"""

from __future__ import annotations

import numpy as np

__all__ = ["additive_effects", "check_seasonal", "ratio_factors"]

#: fewest full cycles from which a seasonal pattern is estimated
MIN_CYCLES = 4


def check_seasonal(seasonal: object) -> int | None:
    """The period of ``seasonal`` (None, ``"weekly"`` or an integer >= 2), else ValueError.

    Examples
    --------
    >>> check_seasonal("weekly"), check_seasonal(None), check_seasonal(12)
    (7, None, 12)
    """
    if seasonal is None:
        return None
    if isinstance(seasonal, str) and seasonal.lower() == "weekly":
        return 7
    if isinstance(seasonal, bool) or not isinstance(seasonal, int | np.integer) or seasonal < 2:
        raise ValueError(
            f"seasonal must be None, 'weekly' or an integer period >= 2, got {seasonal!r}"
        )
    return int(seasonal)


def _moving_average(x: np.ndarray, p: int) -> tuple[np.ndarray, slice]:
    # centred moving average over one cycle (2 x p for an even period); valid slice
    w = np.ones(p + 1 - p % 2)
    if p % 2 == 0:
        w[0] = w[-1] = 0.5
    w /= p
    ma = np.convolve(x, w, mode="valid")
    h = (w.size - 1) // 2
    return ma, slice(h, h + ma.size)


def _check_length(n: int, p: int) -> None:
    if n < MIN_CYCLES * p:
        raise ValueError(
            f"seasonal={p} needs at least {MIN_CYCLES} full cycles ({MIN_CYCLES * p} values), "
            f"got {n}"
        )


def ratio_factors(x: np.ndarray, pos: np.ndarray, p: int) -> np.ndarray:
    """Multiplicative seasonal factor of every value (mean 1 over the cycle).

    Examples
    --------
    >>> x = np.tile([2.0, 6.0], 20)
    >>> ratio_factors(x, np.arange(40), 2)[:2].round(2).tolist()
    [0.5, 1.5]
    """
    _check_length(x.size, p)
    ma, ok = _moving_average(x, p)
    phase = pos[ok] % p
    num = np.bincount(phase, weights=x[ok], minlength=p)
    den = np.bincount(phase, weights=ma, minlength=p)
    if not np.all(den > 0):
        raise ValueError(f"seasonal={p}: the counts are all zero at some phase of the cycle")
    f = num / den
    f = f / f.mean()
    if not np.all(f > 0):
        raise ValueError(
            f"seasonal={p}: no count at some phase of the cycle, so its factor would be 0"
        )
    return np.asarray(f[pos % p], dtype=float)


def additive_effects(x: np.ndarray, pos: np.ndarray, p: int) -> np.ndarray:
    """Additive seasonal effect of every value (sum 0 over the cycle).

    Examples
    --------
    >>> x = np.tile([2.0, 6.0], 20)
    >>> additive_effects(x, np.arange(40), 2)[:2].tolist()
    [-2.0, 2.0]
    """
    _check_length(x.size, p)
    ma, ok = _moving_average(x, p)
    phase = pos[ok] % p
    total = np.bincount(phase, weights=x[ok] - ma, minlength=p)
    count = np.bincount(phase, minlength=p)
    e = total / np.maximum(count, 1)
    e = e - e.mean()
    return np.asarray(e[pos % p], dtype=float)
