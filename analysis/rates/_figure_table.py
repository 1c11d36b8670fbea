"""figure_rate_table: each published total as a rate per day with its interval.

One row per published figure ("35 claims in September", "more than 9,000
launches since October", "about 13,200 launches in the first year"), read
through its qualifier:

* ``exact`` ``k`` over ``d`` days: the exact (Garwood) Poisson interval of
  ``k``, divided by ``d``: at least ``level`` coverage when the days are
  independent Poisson with a constant rate;
* ``at_least`` ``k``: the count is ``N >= k``, so the rate is a *lower bound*:
  ``rate`` is ``k / d`` (marked ``lower_bound``), the interval is one-sided,
  ``[L, inf)`` with ``L`` the one-sided ``level`` Garwood lower limit of
  ``k``: since ``L`` increases with the count and ``k <= N``, its coverage is
  at least that of ``L(N)``, i.e. at least ``level``;
* ``about`` ``k``: the count is known to lie in ``lo..hi`` (``lo = ceil(k (1 -
  tol))``, ``hi = floor(k (1 + tol))``, as in
  :func:`analysis.estimate_rates_from_figures`); the interval runs from the
  Garwood lower limit of ``lo`` to the upper limit of ``hi``, which covers at
  least as often as the exact interval of the true count when that count is
  in the range.

From a total alone the day-to-day variation cannot be seen. ``design_effect``
(the variance of the total over its Poisson variance, >= 1) widens every
interval quasi-Poisson style: the Garwood limits of ``k / DE`` times ``DE``
(as ``check_claim``'s ``sensitivity`` does). With the default 1 the intervals
assume independent Poisson days and are too narrow for real, overdispersed
and persistent counts (measured in ``tests/rates/test_figure_table.py``).

Written by hand on scipy's chi-square quantiles (via ``_numerics.garwood``):
statsmodels has no interval for censored or interval-censored Poisson totals,
and its exact Poisson interval is the same Garwood formula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis.rates._inputs import check_level
from analysis.rates._numerics import garwood

__all__ = ["FIGURE_RATE_COLUMNS", "figure_rate_table"]

#: Columns of :func:`figure_rate_table`, in order.
FIGURE_RATE_COLUMNS: tuple[str, ...] = (
    "figure_id",
    "front",
    "actor",
    "unit",
    "weapon",
    "target",
    "period_start",
    "period_end",
    "days",
    "value",
    "qualifier",
    "rate",
    "ci_low",
    "ci_high",
    "lower_bound",
    "label",
    "source_name",
    "source_url",
)

_REQUIRED = ("period_start", "period_end", "value", "qualifier", "unit")
_QUALIFIERS = ("exact", "at_least", "about")


def _one_sided_lower(k: np.ndarray, level: float) -> np.ndarray:
    from scipy.stats import chi2

    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, chi2.ppf(1.0 - level, 2 * np.where(k > 0, k, 1)) / 2, 0.0)
    return np.asarray(low, dtype=float)


def _check_design_effect(design_effect: Any) -> float:
    if isinstance(design_effect, bool) or not isinstance(design_effect, int | float | np.number):
        raise TypeError(f"design_effect must be a number >= 1, not {design_effect!r}")
    de = float(design_effect)
    if not (math.isfinite(de) and de >= 1.0):
        raise ValueError(f"design_effect must be a finite number >= 1, not {design_effect!r}")
    return de


def figure_rate_table(
    figures: pd.DataFrame,
    *,
    level: float = 0.95,
    design_effect: float = 1.0,
    about_tolerance: float = 0.10,
    fronts: list[str] | None = None,
    units: list[str] | None = None,
) -> pd.DataFrame:
    """Each published total as a rate per day with an interval; lower bounds marked.

    Parameters
    ----------
    figures : pandas.DataFrame
        Published figures as :func:`analysis.load_reported_figures` returns
        them (``period_start``, ``period_end``, ``value``, ``qualifier``,
        ``unit``; optional ``figure_id``, ``origin``, ``actor``, ``weapon``,
        ``target``, ``source_name``, ``source_url``, ``measure``). Rows whose
        ``measure`` is not ``count`` (a stated rate or maximum per day) are
        left out and counted in ``attrs["left_out"]``.
    level : float, default 0.95
        Confidence level (two-sided for exact and about figures, one-sided
        lower for lower bounds).
    design_effect : float, default 1.0
        Assumed variance of a total over its Poisson variance (>= 1); 1 is
        independent Poisson days. A total alone cannot estimate it.
    about_tolerance : float, default 0.10
        Relative tolerance of ``about`` figures ("about 40" is 36..44).
    fronts, units : list of str, optional
        Keep only figures of these fronts (``origin``: Iraq, Lebanon, Yemen,
        Iran, ...) and units (claim, launch, interception, alert, incident).

    Returns
    -------
    pandas.DataFrame
        One row per figure, columns :data:`FIGURE_RATE_COLUMNS`: ``front``
        (the origin: Iraq, Lebanon, Yemen, Iran, Gaza, ...), ``days`` (both
        end days counted), ``rate`` (``value / days``, in ``unit`` per day;
        for a lower bound the bound itself), ``ci_low``, ``ci_high``
        (``inf`` for a lower bound), ``lower_bound``, and ``label``: the period
        and the source, so that two figures for one period from different
        sources are told apart (with the target when it is not Israel, the
        weapon when the figure counts one weapon only, and the ``figure_id``
        when that is still not enough). Sorted by unit, front, period. ``attrs``:
        ``level``, ``design_effect``, ``left_out``, ``note``.

    Raises
    ------
    TypeError, ValueError
        A parameter of the wrong type or out of range, a missing column, a
        qualifier that is not ``exact``, ``at_least`` or ``about``, a
        negative value or a period that ends before it starts; the message
        names the parameter or column.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"period_start": ["2024-09-01", "2024-09-01"],
    ...                   "period_end": ["2024-09-30", "2024-09-30"],
    ...                   "value": [35, 18], "qualifier": ["exact", "at_least"],
    ...                   "unit": ["claim", "claim"], "source_name": ["A", "B"]})
    >>> t = figure_rate_table(f)
    >>> t[["label", "rate", "ci_low", "ci_high", "lower_bound"]].round(3)
                          label   rate  ci_low  ci_high  lower_bound
    0  2024-09-01..2024-09-30 (A)  1.167   0.813    1.623        False
    1  2024-09-01..2024-09-30 (B)  0.600   0.388      inf         True
    """
    if not isinstance(figures, pd.DataFrame):
        raise TypeError(f"figures must be a DataFrame, not {type(figures).__name__}")
    level = check_level(level)
    de = _check_design_effect(design_effect)
    if isinstance(about_tolerance, bool) or not isinstance(about_tolerance, int | float):
        raise TypeError(f"about_tolerance must be a number in [0, 1), not {about_tolerance!r}")
    if not 0.0 <= float(about_tolerance) < 1.0:
        raise ValueError(f"about_tolerance must be in [0, 1), not {about_tolerance!r}")
    missing = [c for c in _REQUIRED if c not in figures.columns]
    if missing:
        raise ValueError(f"figures lacks the column(s) {', '.join(missing)}")
    frame = figures
    left_out = 0
    if "measure" in frame.columns:
        is_count = frame["measure"].fillna("count").astype(str) == "count"
        left_out = int((~is_count).sum())
        frame = frame[is_count]
    for name, keep, column in (("fronts", fronts, "origin"), ("units", units, "unit")):
        if keep is None:
            continue
        if isinstance(keep, str) or not all(isinstance(k, str) for k in keep):
            raise TypeError(f"{name} must be a list of strings, not {keep!r}")
        if column not in frame.columns:
            raise ValueError(f"{name}: figures has no column {column!r}")
        frame = frame[frame[column].isin(list(keep))]
    qual = frame["qualifier"].astype(str)
    bad = sorted(set(qual) - set(_QUALIFIERS))
    if bad:
        raise ValueError(f"qualifier must be one of {_QUALIFIERS}; found {bad}")
    start = pd.to_datetime(frame["period_start"], format="ISO8601").dt.normalize()
    end = pd.to_datetime(frame["period_end"], format="ISO8601").dt.normalize()
    days = (end - start).dt.days + 1
    if (days < 1).any():
        raise ValueError("period_end is before period_start in some rows of figures")
    value = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    if np.isnan(value).any() or (value < 0).any():
        raise ValueError("value must be a count >= 0 in every row of figures")
    d = days.to_numpy(dtype=float)
    tol = float(about_tolerance)
    lo_n = np.where(qual == "about", np.ceil(value * (1 - tol) - 1e-9), value)
    hi_n = np.where(qual == "about", np.floor(value * (1 + tol) + 1e-9), value)
    low_two, _ = garwood(lo_n / de, level)
    _, high_two = garwood(hi_n / de, level)
    low_one = _one_sided_lower(value / de, level)
    at_least = (qual == "at_least").to_numpy()
    ci_low = np.where(at_least, low_one, low_two) * de / d
    ci_high = np.where(at_least, np.inf, high_two * de / d)

    def col(name: str) -> pd.Series:
        if name in frame.columns:
            return frame[name].astype("string")
        return pd.Series(pd.NA, index=frame.index, dtype="string")

    source = col("source_name").fillna("source not named")
    label = (
        start.dt.strftime("%Y-%m-%d")
        + ".."
        + end.dt.strftime("%Y-%m-%d")
        + " ("
        + source.astype(str)
        + ")"
    )
    # what else tells figures of one period and source apart: target, weapon, then the id
    target = col("target")
    weapon = col("weapon")
    extra_target = target.notna() & ~target.isin(["Israel"])
    extra_weapon = weapon.notna() & ~weapon.isin(["unknown", "mixed"])
    label = label.where(~extra_target, label + ", target " + target.astype(str))
    label = label.where(~extra_weapon, label + ", " + weapon.astype(str) + " only")
    key = {"u": frame["unit"].astype(str), "f": col("origin").astype(str), "l": label}
    repeated = pd.DataFrame(key).duplicated(keep=False)
    if repeated.any():
        ids = col("figure_id").fillna(pd.Series(frame.index.astype(str), index=frame.index))
        label = label.where(~repeated, label + " [" + ids.astype(str) + "]")
    out = pd.DataFrame(
        {
            "figure_id": col("figure_id"),
            "front": col("origin").fillna("not stated"),
            "actor": col("actor"),
            "unit": frame["unit"].astype("string"),
            "weapon": col("weapon"),
            "target": col("target"),
            "period_start": start,
            "period_end": end,
            "days": days.astype("int64"),
            "value": value,
            "qualifier": qual,
            "rate": value / d,
            "ci_low": ci_low,
            "ci_high": ci_high,
            "lower_bound": at_least,
            "label": label,
            "source_name": col("source_name"),
            "source_url": col("source_url"),
        }
    )
    out = out.sort_values(["unit", "front", "period_start", "period_end"], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(
        {
            "level": level,
            "design_effect": de,
            "left_out": left_out,
            "per": "day",
            "note": (
                f"Rates per day from published totals; {level:.0%} exact Poisson (Garwood) "
                f"intervals at a design effect of {de:g}"
                + (
                    " (independent Poisson days: too narrow for overdispersed or persistent counts)"
                    if de == 1.0
                    else ""
                )
                + "; 'at least' figures give lower bounds (one-sided interval, no upper end); "
                f"'about' figures are read as ±{tol:.0%}. Units differ: never compare a claim "
                "rate with a launch rate."
            ),
        }
    )
    return out
