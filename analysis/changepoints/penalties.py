"""Penalties per change, in the units of the costs (``-2 log L``).

With ``p`` parameters per segment a change adds ``p + 1`` parameters (the
location and the new segment's parameters), so

* ``"bic"``: ``(p + 1) log n`` (Schwarz; R's ``changepoint`` uses the same);
* ``"mbic"``: ``(p + 2) log n``, the part of Zhang and Siegmund's (2007)
  modified BIC that is linear in the number of changes. Their criterion also
  adds ``sum_i log(n_i / n)`` over segment lengths ``n_i``; that term is never
  positive, so dropping it makes ours slightly more conservative, and keeps
  the penalty linear so that exact pruned searches and the CROPS path apply;
* ``"aic"``: ``2 (p + 1)`` (Akaike; for exploration only, it over-segments);
* a non-negative number, used as is.

``"auto"`` is ``"mbic"``. Why: over ``n`` candidate locations the maximum of
the likelihood-ratio statistic for one change grows like ``2 log log n`` plus
terms of order ``log n`` for each added segment parameter; BIC's ``2 log n``
(for one parameter) leaves a false-alarm rate of several percent on stationary
series of a few hundred to thousands of points, while ``3 log n`` keeps it
near or below 1% for all lengths and still detects changes whose
likelihood-ratio statistic exceeds ``3 log n`` (about 21 at n = 1000), i.e.
moderate changes lasting weeks in daily counts. It is the default of R's
``changepoint`` package for the same reason.
"""

from __future__ import annotations

import math
from numbers import Real

PENALTY_NAMES = ("auto", "bic", "mbic", "aic")


def penalty_value(penalty: str | float, n: int, params_per_segment: int) -> float:
    """Penalty per change for ``n`` observations.

    Examples
    --------
    >>> round(penalty_value("mbic", 1000, 1), 3)
    20.723
    >>> penalty_value(5, 1000, 1)
    5.0
    """
    p = params_per_segment
    if isinstance(penalty, str):
        name = penalty.lower()
        if name in ("auto", "mbic"):
            return (p + 2) * math.log(n)
        if name == "bic":
            return (p + 1) * math.log(n)
        if name == "aic":
            return 2.0 * (p + 1)
        raise ValueError(
            f"unknown penalty {penalty!r}: use one of {', '.join(PENALTY_NAMES)} or a number"
        )
    if isinstance(penalty, bool) or not isinstance(penalty, Real):
        raise TypeError(f"penalty must be a name or a number, not {type(penalty).__name__}")
    value = float(penalty)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"penalty must be a finite number >= 0, got {penalty!r}")
    return value
