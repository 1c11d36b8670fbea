"""Negative-binomial dispersion from within-segment neighbour pairs, and a test.

For two independent counts ``y0, y1`` with the same mean ``mu`` and NB2
variance ``mu + mu^2 / r``::

    E[(y1 - y0)^2 / 2 - (y1 + y0) / 2] = mu^2 / r      and      E[y0 y1] = mu^2,

so ``1 / r = sum d / sum y0 y1`` over neighbour pairs inside segments (pairs
that straddle a change are left out), with ``d = ((y1 - y0)^2 - (y1 + y0)) / 2``.
Because only neighbours are compared, slow drifts and the changes themselves
do not inflate the estimate, unlike the variance of the raw series. Under the
Poisson model ``E[d] = 0``; the one-sided test of overdispersion uses
``z = sum d / sqrt(sum d_t^2 + 2 sum d_t d_{t+1})`` (the lag-one term because
neighbouring pairs share a count), which is asymptotically standard normal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: the NB2 size used when no overdispersion is seen (the cost is then Poisson)
SIZE_POISSON = 1e8


@dataclass(frozen=True)
class Dispersion:
    """Estimate of ``1 / r`` with its one-sided z test of ``1 / r = 0``."""

    inv_size: float
    z: float
    p_value: float
    n_pairs: int

    @property
    def size(self) -> float:
        """NB2 size ``r`` (:data:`SIZE_POISSON` when not overdispersed)."""
        if self.inv_size <= 1.0 / SIZE_POISSON:
            return SIZE_POISSON
        return 1.0 / self.inv_size


def within_segment_dispersion(y: np.ndarray, changes: Sequence[int] = ()) -> Dispersion:
    """Estimate ``1 / r`` from pairs ``(y[t-1], y[t])`` not straddling a change.

    ``changes`` are 0-based positions of the first point of each new segment.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.negative_binomial(5, 5 / (5 + 4.0), 20000).astype(float)
    >>> round(1 / within_segment_dispersion(y).inv_size, 1)
    5.0
    """
    y = np.asarray(y, dtype=float)
    if y.size < 3:
        return Dispersion(0.0, 0.0, 1.0, 0)
    keep = np.ones(y.size - 1, dtype=bool)  # pair t is (y[t], y[t+1])
    for c in changes:
        if 1 <= c <= y.size - 1:
            keep[c - 1] = False
    y0, y1 = y[:-1], y[1:]
    d = ((y1 - y0) ** 2 - (y1 + y0)) / 2.0
    dk = np.where(keep, d, 0.0)
    prod = float(np.sum((y0 * y1)[keep]))
    total = float(dk.sum())
    var = float(np.sum(dk**2) + 2.0 * np.sum(dk[:-1] * dk[1:]))
    if var <= 0:
        var = float(np.sum(dk**2))
    z = total / math.sqrt(var) if var > 0 else 0.0
    p = 0.5 * math.erfc(z / math.sqrt(2.0))
    inv = total / prod if prod > 0 else 0.0
    return Dispersion(max(inv, 0.0), z, p, int(keep.sum()))
