"""Validation of the rate functions' arguments: counts, totals, exposures, levels, units.

A count series is read once, by :meth:`analysis._series.CountSeries.from_pandas`
(the one rule for every analysis entry point), and restricted to
``start``/``end`` with :meth:`~analysis._series.CountSeries.window`; dates go
through :func:`analysis._dates.to_day`, which refuses numbers.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from analysis._dates import to_day
from analysis._series import CountSeries

__all__ = [
    "FAMILIES",
    "PER_DAYS",
    "check_family",
    "check_level",
    "check_total",
    "covered_days",
    "optional_day",
    "parse_per",
    "read_counts",
    "read_reference",
    "refuse_expected_counts",
]

#: Length in days of each named ``per`` unit. A month is the mean Gregorian
#: month (365.2425 / 12 = 30.436875 days), a year the mean Gregorian year.
PER_DAYS: dict[str, float] = {"day": 1.0, "week": 7.0, "month": 30.436875, "year": 365.2425}

#: Count distributions a rate can assume (``family=``).
FAMILIES = ("auto", "quasipoisson", "poisson", "negbin")


def check_level(level: float) -> float:
    """``level`` as a float strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < float(level) < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), not {level!r}")
    return float(level)


def check_family(
    family: str, method: str | None, allowed: tuple[str, ...], where: str, stacklevel: int = 3
) -> str:
    """The count distribution asked for, accepting the deprecated ``method=`` alias.

    ``allowed[0]`` is the function's default family, which ``method=`` may replace.

    Raises
    ------
    ValueError
        For an unknown family, or ``family=`` and ``method=`` that disagree.
    """
    if method is not None:
        warnings.warn(
            f"{where}(method=...) is deprecated for the count distribution: use "
            f"family={method!r} (method= is kept for algorithms)",
            DeprecationWarning,
            stacklevel=stacklevel,
        )
        if family != allowed[0] and family != method:
            raise ValueError(
                f"family={family!r} and the deprecated method={method!r} disagree; "
                "give only family="
            )
        family = method
    if family not in allowed:
        raise ValueError(f"unknown family={family!r} for {where}: use one of {allowed}")
    return family


def parse_per(per: str | float) -> tuple[str, float]:
    """Return (label, days) of a ``per`` argument."""
    if isinstance(per, str):
        if per not in PER_DAYS:
            raise ValueError(
                f"unknown per={per!r}: use one of {sorted(PER_DAYS)} or a number of days"
            )
        return per, PER_DAYS[per]
    if isinstance(per, bool) or not isinstance(per, int | float | np.number):
        raise ValueError(f"per must be 'day', 'week', 'month', 'year' or days, not {per!r}")
    days = float(per)
    if not math.isfinite(days) or days <= 0:
        raise ValueError(f"per must be a positive number of days, not {per!r}")
    return f"{days:g} days", days


def optional_day(value: Any, name: str, tz: Any = None) -> pd.Timestamp | None:
    """``None``, or a ``start``/``end`` date as a naive local midnight (numbers refused)."""
    return None if value is None else to_day(value, name, tz)


def refuse_expected_counts(counts: Any, what: str = "counts") -> None:
    """Refuse expected counts (imprecise records spread over their days) given as counts.

    ``count_incidents(..., precision="spread")`` marks its result with
    ``attrs["expected_counts"] = True``: fractions of records whose day is not
    known. Their sum is not a Poisson (or overdispersed) count, and the rate
    functions do not yet carry the uncertainty of where each record fell, so an
    interval computed from them would look more precise than it is. This is an
    honest refusal, the partial answer to issue 11 section 2 for now.

    Raises
    ------
    ValueError
        When ``counts`` carries ``attrs["expected_counts"]``.

    Examples
    --------
    >>> s = pd.Series([0.5, 1.5], index=pd.date_range("2024-11-01", periods=2))
    >>> s.attrs["expected_counts"] = True
    >>> refuse_expected_counts(s)
    Traceback (most recent call last):
    ...
    ValueError: counts are expected counts ...
    """
    attrs = getattr(counts, "attrs", None)
    if isinstance(attrs, dict) and attrs.get("expected_counts"):
        raise ValueError(
            f"{what} are expected counts (count_incidents(..., precision='spread') spread "
            "records of week, month or year precision over their possible days): they are "
            "not counts, and the rate functions do not yet carry the uncertainty of where "
            "those records fell; count with the default precision='exclude' (only records "
            "precise enough for the period, the rest left out and reported), or count at a "
            "coarser freq (e.g. freq='MS') at which the imprecise records are precise enough"
        )


def read_counts(
    counts: Any, *, start: Any = None, end: Any = None, what: str = "counts"
) -> CountSeries:
    """Validate a count series and keep the periods that start in ``[start, end]``.

    Raises
    ------
    TypeError
        For something other than a Series, or a Series without dates.
    analysis.errors.DataError
        For bad counts (negative, fractional, missing, infinite, too large)
        or an irregular index, with every problem at once.
    ValueError
        For a bad ``start``/``end`` or a window without periods, or for expected
        counts (``counts.attrs["expected_counts"]``, from
        ``count_incidents(..., precision="spread")``): their variance is not that of
        counts, and the extra uncertainty of where imprecise records fell is not yet
        carried into an interval, so they are refused rather than treated as
        Poisson counts (see :func:`refuse_expected_counts`).
    """
    refuse_expected_counts(counts, what)
    try:
        series = CountSeries.from_pandas(counts, kind="counts", what=what)
    except TypeError as exc:
        if isinstance(counts, pd.Series):  # a Series without dates: there is another way
            raise TypeError(f"{exc}; or give total= and exposure= instead") from exc
        raise
    series = series.window(start, end)
    if series.total_exposure <= 0:
        raise ValueError("the counts cover no time (exposure 0 days)")
    return series


def read_reference(
    reference: Any, like: CountSeries | None, periods: int | None = None
) -> CountSeries:
    """Validate ``reference=``: a count series with the period of ``like``, and no shorter.

    A design effect is the variance of a total of *m* periods over its
    Poisson value, so one estimated from weekly counts is not that of a total
    of *m* days; and a reference shorter than the counts it serves holds less
    information about their dispersion than those counts themselves. Both are
    refused rather than used.

    Parameters
    ----------
    reference : pandas.Series
        The longer series the design effect is estimated from.
    like : CountSeries or None
        The counts the design effect is for (their period is required);
        ``None`` for a reported total, whose exposure is in days: the
        reference must then count days.
    periods : int, optional
        Periods of the total (default: those of ``like`` with exposure).

    Raises
    ------
    ValueError
        For a reference at another period, or with fewer periods than the total.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.Series([1, 2], index=pd.date_range("2024-01-01", periods=2))
    >>> weeks = pd.Series([9, 8, 12], index=pd.date_range("2023-01-01", periods=3, freq="W"))
    >>> read_reference(weeks, CountSeries.from_pandas(days))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: reference= counts per 'W-SUN' period, the counts per 'D' period: ...
    """
    ref = read_counts(reference, what="reference")
    want = to_offset("D") if like is None else like.offset
    if want is not None and ref.offset != want:
        theirs = ref.offset.freqstr if ref.offset is not None else "irregular"
        whose = "a total's exposure is in days" if like is None else "the counts"
        raise ValueError(
            f"reference= counts per {theirs!r} period, {whose} per {want.freqstr!r} period: "
            "a design effect holds for totals of one period; give a reference with that period"
        )
    if periods is not None:
        need = int(periods)
    elif like is not None:
        need = int(np.sum(like.exposure > 0))
    else:
        raise ValueError("read_reference needs periods= when like is None")
    have = int(np.sum(ref.exposure > 0))
    if have < need:
        raise ValueError(
            f"reference= has {have} period(s), fewer than the {need} of the total it is for: "
            "a reference is the longer series the counts come from (leave it out to let the "
            "counts be their own reference)"
        )
    return ref


def covered_days(series: CountSeries) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """First and last local day covered (inclusive, naive), or None where unknown."""
    return series.first_day, series.last_day


def check_total(total: Any, exposure: Any, start: Any, end: Any) -> tuple[int, float]:
    """Validate a reported total and its exposure in days (or start/end dates)."""
    if isinstance(total, bool) or not isinstance(total, int | float | np.number):
        raise ValueError(f"total must be a whole number of events, not {total!r}")
    value = float(total)
    if not math.isfinite(value) or value < 0 or not value.is_integer() or value >= 2.0**53:
        raise ValueError(
            f"total must be a whole number of events >= 0 (below 2**53), not {total!r}"
        )
    first, last = optional_day(start, "start"), optional_day(end, "end")
    span = None
    if first is not None and last is not None:
        if first > last:
            raise ValueError(f"start {first.date()} is after end {last.date()}")
        span = float((last - first).days + 1)
    if exposure is None:
        if span is None:
            raise ValueError("give exposure= (days) or both start= and end= with total=")
        exposure = span
    if isinstance(exposure, bool) or not isinstance(exposure, int | float | np.number):
        raise ValueError(f"exposure must be a number of days, not {exposure!r}")
    if not math.isfinite(float(exposure)) or float(exposure) <= 0:
        raise ValueError(f"exposure must be a positive number of days, not {exposure!r}")
    if span is not None and not math.isclose(float(exposure), span):
        raise ValueError(
            f"exposure={exposure} days disagrees with start..end ({span:g} days inclusive)"
        )
    return int(value), float(exposure)
