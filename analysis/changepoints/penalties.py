"""Penalties per change, in the units of the costs (``-2 log L``).

With ``p`` parameters per segment a change adds ``p + 1`` parameters (the
location and the new segment's parameters), so

* ``"bic"``: ``(p + 1) log n`` (Schwarz; R's ``changepoint`` uses the same);
* ``"mbic"``: ``(p + 2) log n`` per change, and :func:`detect_changepoints`
  adds R ``changepoint``'s per-segment ``log(length)`` term (none for a
  Poisson segment whose sum is 0, as R does): exactly the objective R's
  ``penalty="MBIC"`` minimises, after Zhang and Siegmund (2007). That term
  is not a constant per change, so this penalty is solved by PELT (with a
  loosened, still exact, pruning bound); R's own PELT prunes as if the term
  were absent and misses the optimum on some series, where ours finds a
  lower objective (``tests/changepoints/test_r_reference.py`` checks both
  against the R outputs in ``../shared/reference/r-changepoint``);
* ``"aic"``: ``2 (p + 1)`` (Akaike; for exploration only, it over-segments);
* a non-negative number, used as is.

``"auto"`` is ``(p + 2) log n`` per change, R's MBIC penalty per change
without the per-segment term (so that it stays linear and the exact FPOP
search and the CROPS path apply), and the automatic choice of
:func:`detect_changepoints` multiplies it by the long-run design effect of
counts. Why ``(p + 2) log n``: over ``n`` candidate locations the maximum of
the likelihood-ratio statistic for one change grows like ``2 log log n``
plus terms of order ``log n`` for each added segment parameter; BIC's ``2
log n`` (for one parameter) leaves a false-alarm rate of several percent on
stationary series of a few hundred to thousands of points, while ``3 log n``
keeps it near or below 1% for all lengths.
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
