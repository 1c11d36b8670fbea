"""Observation families of the online detector: input rules, priors, dispersion check.

Two conjugate families: ``"poisson"`` (counts, Poisson with a Gamma prior on
the rate per step; the predictive is negative binomial) and ``"normal"``
(measurements, Normal with unknown mean and variance, Normal-Inverse-Gamma
prior; the predictive is Student-t). The input is validated once by
:class:`analysis._series.CountSeries`, with the rules every analysis
function uses.
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis._format import p_text
from analysis._series import CountSeries

__all__ = [
    "FAMILIES",
    "OVERDISPERSION_P",
    "check_prior",
    "default_prior",
    "overdispersion_note",
    "prior_names",
    "resolve_family",
    "validate",
]

#: observation families, the first the default
FAMILIES = ("poisson", "normal")
#: older names of the families, accepted with a deprecation warning
_OLD_NAMES = {"poisson_gamma": "poisson"}
#: p-value below which the poisson family warns that the counts are overdispersed
OVERDISPERSION_P = 1e-3


def resolve_family(family: str, model: str | None) -> str:
    """The family asked for, from ``family=`` or the deprecated ``model=``.

    Examples
    --------
    >>> resolve_family("normal", None)
    'normal'
    """
    if model is not None:
        if family != FAMILIES[0]:
            raise TypeError("give family= only (model= is its deprecated old name)")
        warnings.warn(
            "online_changepoints(model=...) is deprecated; use family=... "
            "(family='poisson' or 'normal')",
            DeprecationWarning,
            stacklevel=3,
        )
        family = model
    if isinstance(family, str) and family in _OLD_NAMES:
        new = _OLD_NAMES[family]
        warnings.warn(
            f"family={family!r} is deprecated; use family={new!r}", DeprecationWarning, stacklevel=3
        )
        return new
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    return family


def validate(y: Any, family: str) -> CountSeries:
    """The input as a :class:`CountSeries` (NaN allowed: steps without an observation).

    Counts for ``"poisson"`` (whole, non-negative, below 2**53), finite
    values for ``"normal"``; the index sorted and unique, a date index
    regular. Every bad value is reported at once.
    """
    if isinstance(y, pd.DataFrame):
        raise TypeError("online_changepoints needs one series; pass a column, e.g. df['count'].")
    series = CountSeries.from_pandas(
        y,
        kind="counts" if family == "poisson" else "values",
        what="y",
        allow_missing=True,
        require_dates=False,
        accept_arrays=True,
    )
    if series.missing.all():
        raise series.problem("no observed values (all NaN)")
    return series


def prior_names(family: str) -> tuple[str, ...]:
    """Names of the prior parameters of a family."""
    return ("shape", "rate") if family == "poisson" else ("mu0", "kappa0", "alpha0", "beta0")


def _robust_sd(x: np.ndarray) -> float:
    """Noise scale robust to level shifts: MAD of first differences / sqrt(2).

    Falls back on the standard deviation about the median when most
    differences are zero, and on 1 for a constant series.
    """
    diffs = np.diff(x)
    if diffs.size:
        mad = float(np.median(np.abs(diffs - np.median(diffs)))) * 1.4826 / math.sqrt(2.0)
        if mad > 0:
            return mad
    sd = float(np.std(x - np.median(x))) if x.size > 1 else 0.0
    return sd if sd > 0 else 1.0


def default_prior(family: str, x: np.ndarray) -> tuple[float, ...]:
    """The documented weakly-informative default prior (see online_changepoints).

    Examples
    --------
    >>> default_prior("poisson", np.array([2.0, 4, 6, 4]))
    (1.0, 0.25)
    """
    if family == "poisson":
        mean = float(np.mean(x))
        return (1.0, 1.0 / mean if mean > 0 else 1.0)
    sd = _robust_sd(x)
    if not sys.float_info.min <= sd**2 < math.inf:
        raise ValueError(
            f"the noise scale of y ({sd:.3g}) is too small to square in floating point "
            "(below 1.5e-154); "
            "rescale the series (multiply it by a power of ten) or pass a prior"
        )
    # about the median: a constant series has variance exactly 0 at any magnitude
    var = float(np.var(x - np.median(x)))
    kappa0 = min(1.0, sd**2 / var) if var > 0 else 1.0
    return (float(np.median(x)), max(kappa0, 1e-3), 1.0, sd**2)


def check_prior(family: str, prior: Sequence[float]) -> tuple[float, ...]:
    """The prior as a tuple of floats; a clear ValueError naming ``prior`` otherwise."""
    try:
        values = tuple(float(v) for v in prior)
    except (TypeError, ValueError):
        raise ValueError(f"prior must be a sequence of numbers, got {prior!r}.") from None
    if family == "poisson":
        if len(values) != 2 or not all(math.isfinite(v) and v > 0 for v in values):
            raise ValueError(
                f"poisson prior must be (shape, rate), both > 0 and finite; got {prior!r}."
            )
    elif len(values) != 4 or not all(math.isfinite(v) for v in values) or min(values[1:]) <= 0:
        raise ValueError(
            "normal prior must be (mu0, kappa0, alpha0, beta0) with kappa0, alpha0, beta0 > 0 "
            f"and finite; got {prior!r}."
        )
    return values


def overdispersion_note(values: np.ndarray, observed: np.ndarray, indices: Any) -> str:
    """A warning text when counts vary more than Poisson within the detected segments.

    Uses the neighbour-pair test of :mod:`analysis.changepoints._dispersion`,
    which the changes themselves do not inflate. Overdispersed counts make the
    Poisson-Gamma model see a change in every burst.
    """
    from analysis.changepoints._dispersion import within_segment_dispersion

    pos = np.flatnonzero(observed)
    cuts = np.searchsorted(pos, np.asarray(indices, dtype=np.int64))
    disp = within_segment_dispersion(values[pos], cuts.tolist())
    if disp.p_value >= OVERDISPERSION_P:
        return ""
    return (
        f"the counts are overdispersed within segments (neighbour-pair test z = {disp.z:.1f}, "
        f"{p_text(disp.p_value)}, negative-binomial 1/r = {disp.inv_size:.3g}): the Poisson "
        "family takes bursts for changes, so some reported changes may be spurious; compare "
        "with detect_changepoints (negbin cost) or use family='normal'"
    )
