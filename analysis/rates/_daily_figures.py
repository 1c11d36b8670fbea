"""figures_from_daily: day-level rows as figure observations, beside the period totals.

The day-level table of claims (:func:`analysis.load_iri_claims_daily`) has
one row per (date, source). For the published-figures model
(:func:`analysis.rates.estimate_rates_from_figures`) each row of one unit is
an observation of that day's count:

* a daily tally (``qualifier`` ``exact``) is the count of its day;
* a single claim, or "at least N" (``qualifier`` ``at_least``), is a lower
  bound for its day (right-censored);
* conflicting sources for one day stay separate observations (the model's
  overlap adjustment and dispersion account for them sharing the day);
* a day with no row contributes nothing: it is unknown, never a zero.

With ``totals=`` (period totals of the same unit, as
:func:`analysis.load_reported_figures` returns them) the period totals and
the day-level observations come back as one table, ready for
:func:`~analysis.rates.estimate_rates_from_figures`. A single-day total
that is the same report as a day-level row (same day, same unit, same
value, one publisher's name the start of the other's) is kept once, as the
day-level row, and listed in ``attrs["duplicates"]``: the same report
counted twice would count its events twice.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "daily_design_effect",
    "estimate_rates_from_daily",
    "figures_from_daily",
    "latent_ar_from_days",
]

#: Columns of the returned table, in the reported-figures order (ARCHITECTURE.md).
FIGURE_COLUMNS = (
    "figure_id",
    "period_start",
    "period_end",
    "value",
    "qualifier",
    "unit",
    "actor",
    "origin",
    "target",
    "weapon",
    "source_name",
    "source_url",
    "source_ref",
    "published",
    "measure",
    "notes",
)

_NEED = ("date", "value", "qualifier", "unit", "source_name")


def _single(frame: pd.DataFrame, column: str, given: Any, what: str) -> Any:
    """The one value of ``column`` in ``frame`` (or ``given``); refuse several, naming it."""
    if given is not None:
        return given
    if column not in frame.columns:
        return None
    values = sorted({str(v) for v in frame[column].dropna()})
    if len(values) > 1:
        raise ValueError(
            f"{what} has several values in column {column!r}: {values}; the figures of one "
            f"fit are for one {column}: select one first, or pass {column}="
        )
    return values[0] if values else None


def _select_totals(totals: pd.DataFrame, **wanted: Any) -> tuple[pd.DataFrame, dict[str, int]]:
    """The totals of the wanted unit (and actor, target, weapon when given), counts only."""
    dropped: dict[str, int] = {}
    keep = pd.Series(True, index=totals.index)
    if "measure" in totals.columns:
        other = totals["measure"].notna() & (totals["measure"].astype("object") != "count")
        if other.any():
            dropped["measure"] = int(other.sum())
        keep &= ~other
    for column, value in wanted.items():
        if value is None or column not in totals.columns:
            continue
        other = keep & (totals[column].astype("object") != value)
        if other.any():
            dropped[column] = int(other.sum())
        keep &= ~other
    if not keep.any():
        raise ValueError(
            f"totals: no total of unit {wanted['unit']!r} with the actor, target and weapon asked "
            f"for (left out by column: {dropped}); a fit is for one unit: claims and launches "
            "are different units"
        )
    return totals[keep], dropped


def _fold(name: Any) -> str:
    return " ".join(str(name).casefold().split()) if isinstance(name, str) else ""


def figures_from_daily(
    daily: pd.DataFrame,
    *,
    unit: str = "claim",
    totals: pd.DataFrame | None = None,
    actor: str | None = None,
    target: str | None = None,
    weapon: str | None = None,
) -> pd.DataFrame:
    """Turn the day-level rows of one unit into figure observations (and add the period totals).

    Parameters
    ----------
    daily : pandas.DataFrame
        Day-level rows as :func:`analysis.load_iri_claims_daily` returns them:
        ``date``, ``value``, ``qualifier`` (``exact`` or ``at_least``),
        ``unit``, ``source_name``; optional ``row_id``, ``kind``, ``actor``,
        ``origin``, ``source_url``, ``source_ref``, ``published``.
    unit : str, default "claim"
        The unit to keep (``claim``, ``launch``, ``interception``, ...). Rows
        of other units are left out (never mixed), counted in
        ``attrs["other_units"]``.
    totals : pandas.DataFrame, optional
        Period totals (the reported-figures shape, e.g. the whole of
        :func:`analysis.load_reported_figures`): those of ``unit`` (and of
        ``actor``, ``target``, ``weapon`` when given) with ``measure``
        ``count`` are returned with the day-level observations, a single-day
        total that repeats a day-level report kept once (see the module
        docstring); the others are left out, counted by column in
        ``attrs["totals_left_out"]``.
    actor : str, optional
        Keep only rows of this actor (a row with no actor is left out: it is
        not attributed). Default: the one actor of the totals, else of the
        rows; several are refused, naming the column.
    target, weapon : str, optional
        Written into the day-level observations (the day-level table has free
        text ``targets`` and ``weapons``). Default: the one value of the
        totals' column, else empty.

    Returns
    -------
    pandas.DataFrame
        One row per observation, in the reported-figures columns
        (``figure_id, period_start, period_end, value, qualifier, unit,
        actor, origin, target, weapon, source_name, source_url, source_ref,
        published, measure, notes``): for a day-level row ``period_start ==
        period_end`` is its day, ``figure_id`` its ``row_id``. ``attrs``:
        ``left_out`` (reason -> rows), ``other_units`` (unit -> rows),
        ``duplicates`` (figure ids of totals kept as their day-level row),
        ``totals_left_out`` (column -> totals of another value).

    Raises
    ------
    TypeError
        When ``daily`` or ``totals`` is not a DataFrame.
    ValueError
        When a column is missing (named), ``unit`` has no row, a qualifier is
        not ``exact`` or ``at_least``, the totals are of another unit, or the
        actor, target or weapon is ambiguous (the column is named).

    See Also
    --------
    estimate_rates_from_figures : fits the returned observations.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.DataFrame({  # hand-made rows, not real reports
    ...     "row_id": ["d1", "d2", "d3"],
    ...     "date": pd.to_datetime(["2024-11-01", "2024-11-01", "2024-11-03"]),
    ...     "value": [6, 4, 1], "qualifier": ["exact", "exact", "at_least"],
    ...     "unit": "claim", "source_name": ["A", "B", "C"]})
    >>> obs = figures_from_daily(days)
    >>> print(obs[["figure_id", "period_start", "value", "qualifier"]].to_string(index=False))
    figure_id period_start  value qualifier
           d1   2024-11-01    6.0     exact
           d2   2024-11-01    4.0     exact
           d3   2024-11-03    1.0  at_least

    Two sources for 1 Nov are two observations of that day's claims; 2 Nov
    has no row and is unknown: it contributes nothing.
    """
    if not isinstance(daily, pd.DataFrame):
        raise TypeError(
            f"daily must be a pandas DataFrame of day-level rows, not {type(daily).__name__}"
        )
    missing = [c for c in _NEED if c not in daily.columns]
    if missing:
        raise ValueError(
            f"daily needs the columns {missing} (as load_iri_claims_daily returns them)"
        )
    if not isinstance(unit, str) or not unit:
        raise ValueError(f"unit must be a unit word such as 'claim', not {unit!r}")
    units = daily["unit"].astype("object")
    mine = daily[units == unit]
    others = units[(units != unit) & units.notna()].value_counts()
    if len(mine) == 0:
        raise ValueError(
            f"unit: no day-level row has unit {unit!r} (the rows have {sorted(others.index)})"
        )
    if totals is not None:
        if not isinstance(totals, pd.DataFrame):
            raise TypeError(
                f"totals must be a pandas DataFrame of figures, not {type(totals).__name__}"
            )
        totals, dropped = _select_totals(
            totals, unit=unit, actor=actor, target=target, weapon=weapon
        )
    else:
        dropped = {}
    ref = totals if totals is not None else None
    actor = _single(
        ref if ref is not None else mine, "actor", actor, "totals" if ref is not None else "daily"
    )
    target = _single(ref, "target", target, "totals") if ref is not None else target
    weapon = _single(ref, "weapon", weapon, "totals") if ref is not None else weapon

    left: dict[str, int] = {}
    rows = mine
    if actor is not None and "actor" in rows.columns:
        no_actor = rows["actor"].isna()
        other = rows["actor"].notna() & (rows["actor"].astype("object") != actor)
        if no_actor.any():
            left["no actor (not attributed)"] = int(no_actor.sum())
        if other.any():
            left[f"another actor than {actor!r}"] = int(other.sum())
        rows = rows[~no_actor & ~other]
    value = pd.to_numeric(rows["value"], errors="coerce")
    if value.isna().any():
        left["no number"] = int(value.isna().sum())
        rows, value = rows[value.notna()], value[value.notna()]
    qual = rows["qualifier"].astype("object")
    bad_q = ~qual.isin(["exact", "at_least"])
    if bad_q.any():
        first = rows.index[bad_q.to_numpy()][0]
        raise ValueError(
            f"column 'qualifier': row {first} has {qual[first]!r}; a day-level row is "
            "'exact' (a tally) or 'at_least' (a lower bound)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a bad date is reported below
        dates = pd.to_datetime(rows["date"], errors="coerce")
    if dates.isna().any():
        first = rows.index[dates.isna().to_numpy()][0]
        raise ValueError(f"column 'date': row {first} has {rows['date'][first]!r}, not a date")
    dates = dates.dt.normalize()

    def col(name: str) -> pd.Series:
        if name in rows.columns:
            return rows[name].astype("object").where(rows[name].notna(), None)
        return pd.Series([None] * len(rows), index=rows.index, dtype="object")

    ids = col("row_id").where(col("row_id").notna(), [f"daily-{i}" for i in rows.index])
    kind = col("kind")
    notes = [
        f"day-level row ({k or 'kind not given'}): "
        + ("the count for the day" if q == "exact" else "a lower bound for the day")
        for k, q in zip(kind, qual, strict=True)
    ]
    obs = pd.DataFrame(
        {
            "figure_id": ids.astype(str).to_numpy(),
            "period_start": dates.to_numpy(),
            "period_end": dates.to_numpy(),
            "value": value.astype(float).to_numpy(),
            "qualifier": qual.to_numpy(),
            "unit": unit,
            "actor": actor,
            "origin": col("origin").to_numpy(),
            "target": target,
            "weapon": weapon,
            "source_name": col("source_name").to_numpy(),
            "source_url": col("source_url").to_numpy(),
            "source_ref": col("source_ref").to_numpy(),
            "published": col("published").to_numpy(),
            "measure": "count",
            "notes": notes,
        },
        columns=list(FIGURE_COLUMNS),
    )
    duplicates: list[str] = []
    if totals is not None:
        tot = totals.copy()
        for c in FIGURE_COLUMNS:
            if c not in tot.columns:
                tot[c] = None
        start = pd.to_datetime(tot["period_start"]).dt.normalize()
        end = pd.to_datetime(tot["period_end"]).dt.normalize()
        keep = []
        for i in range(len(tot)):
            same = obs[
                (obs["period_start"] == start.iloc[i])
                & (start.iloc[i] == end.iloc[i])
                & (obs["value"] == float(tot["value"].iloc[i]))
            ]
            name = _fold(tot["source_name"].iloc[i])
            dup = bool(name) and any(
                _fold(s).startswith(name) or name.startswith(_fold(s))
                for s in same["source_name"]
                if _fold(s)
            )
            if dup:
                duplicates.append(str(tot["figure_id"].iloc[i]))
            keep.append(not dup)
        tot = tot.loc[keep, list(FIGURE_COLUMNS)]
        tot["period_start"] = start[keep].to_numpy()
        tot["period_end"] = end[keep].to_numpy()
        obs = pd.concat([tot.astype({"value": float}), obs], ignore_index=True)
    obs = obs.reset_index(drop=True)
    obs.attrs["left_out"] = left
    obs.attrs["other_units"] = {str(k): int(v) for k, v in others.items()}
    obs.attrs["duplicates"] = duplicates
    obs.attrs["totals_left_out"] = dropped
    return obs


def daily_design_effect(fit: Any, observations: pd.DataFrame, level: float = 0.95) -> float:
    """Design effect of the day-level counts about a fit: overdispersion and serial dependence.

    The Pearson dispersion of :func:`estimate_rates_from_figures` pools the
    exact figures one by one; when most of them are single days it measures
    how variable one day is, not how variable a total over many days is when
    the days are autocorrelated (campaigns come in waves), and the intervals
    of a rate over weeks come out too narrow. Here the exact day-level
    observations give a series of Pearson residuals about the fitted rate
    (the mean over a day's exact sources), observed on some days only. Its
    autocovariances at lags ``0..M-1`` are averaged over the pairs of days
    both observed (the usual estimate for a series with gaps), summed with
    Bartlett weights ``1 - k/M`` (``M = ceil(sqrt(n))`` for ``n`` days from
    the first to the last observed), and multiplied by the square of the
    fixed-b critical value over the normal one (Kiefer & Vogelsang 2005;
    :func:`analysis._dependence.fixed_b_critical_value` at ``b = M/n``),
    which allows for the bias and noise of that estimate. The result is the
    design effect of a total of many days, all days counted (as a period
    total counts them). Written by hand because statsmodels' HAC estimators
    take regular series without gaps.

    Parameters
    ----------
    fit : FigureRates
        A fit of ``observations``.
    observations : pandas.DataFrame
        The observations fitted (from :func:`figures_from_daily`).
    level : float
        Level of the intervals the critical value is for.

    Returns
    -------
    float
        The design effect (>= 1); 1 with fewer than 30 days of exact rows.
    """
    from scipy.stats import norm

    from analysis._dependence import fixed_b_critical_value

    one_day = observations["period_start"] == observations["period_end"]
    exact = observations[one_day & (observations["qualifier"] == "exact")]
    if exact.empty or fit._grid_start is None or fit._lam is None:
        return 1.0
    day = (pd.to_datetime(exact["period_start"]) - fit._grid_start).dt.days.to_numpy()
    per_day = pd.Series(exact["value"].to_numpy(dtype=float)).groupby(day).mean()
    if len(per_day) < 30:
        return 1.0
    edges = np.asarray(fit._seg_edges)
    seg = np.searchsorted(edges, per_day.index.to_numpy(), side="right") - 1
    rate = np.asarray(fit._lam)[np.clip(seg, 0, len(edges) - 2)]
    ok = rate > 0
    t = per_day.index.to_numpy()[ok]
    z = (per_day.to_numpy()[ok] - rate[ok]) / np.sqrt(rate[ok])
    if len(t) < 30:
        return 1.0
    first = int(t.min())
    n = int(t.max()) - first + 1
    series = np.full(n, np.nan)
    series[t - first] = z
    seen = ~np.isnan(series)
    filled = np.where(seen, series, 0.0)
    m = math.ceil(math.sqrt(n))
    total = 0.0
    for k in range(m):
        pairs = int((seen[k:] & seen[: n - k]).sum())
        if pairs == 0:
            continue
        gamma = float(filled[k:] @ filled[: n - k]) / pairs
        total += (1.0 if k == 0 else 2.0 * (1.0 - k / m)) * gamma
    zq = float(norm.ppf(0.5 + level / 2))
    cv = fixed_b_critical_value(m / n, level)
    return float(max(1.0, total * (cv / zq) ** 2))


def estimate_rates_from_daily(
    daily: pd.DataFrame,
    *,
    totals: pd.DataFrame | None = None,
    unit: str = "claim",
    actor: str | None = None,
    target: str | None = None,
    weapon: str | None = None,
    breaks: Any = None,
    dependence: bool = True,
    level: float = 0.95,
    **kwargs: Any,
) -> Any:
    """The daily rate implied by day-level rows and period totals together, with intervals.

    :func:`figures_from_daily` turns the day-level rows of ``unit`` into
    observations (a tally is the day's count, a single claim a lower bound, a
    day with no row nothing) beside the period totals, and
    :func:`estimate_rates_from_figures` fits them all, with a variance that
    follows the rate (one day's count has variance ``rate + kappa
    rate**2``; sources that disagree on a day or period carry a reporting
    error). With ``dependence`` (default) the fit is repeated with a latent
    AR(1) rate estimated from the day-level rows
    (:func:`latent_ar_from_days`) in the covariance of every pair of
    figures: a total of many autocorrelated days varies more than its days
    do one by one, and the more so the longer and busier it is.

    Parameters
    ----------
    daily : pandas.DataFrame
        Day-level rows (:func:`analysis.load_iri_claims_daily`).
    totals : pandas.DataFrame, optional
        Period totals of the same unit, actor, target and weapon.
    unit, actor, target, weapon : str, optional
        As in :func:`figures_from_daily`.
    breaks : None, "auto" or sequence of dates, default None
        As in :func:`estimate_rates_from_figures` (``"auto"`` searches every
        day a row starts or ends: slow with many day-level rows).
    dependence : bool, default True
        Estimate a latent AR(1) rate from the day-level rows and allow for
        it (see above); False: independent days.
    level : float, default 0.95
        Confidence level.
    **kwargs
        Passed to :func:`estimate_rates_from_figures` (``max_segments``,
        ``about_tolerance``).

    Returns
    -------
    FigureRates
        Rates per day of ``unit`` (e.g. claims per day); ``.notes`` gives the
        design effect used.

    Notes
    -----
    Validation (``tests/rates/test_daily_figures.py``; SIMULATED daily counts
    over 120 days, rates 3 then 8 per day from 2024-09-01; day-level rows on a
    random 40% of the days, 30% of them lower bounds (a partial count), a
    second source miscounting by about 15% on 30% of them; totals: two
    monthly totals, an "about" two-month total, a third monthly total, a "so
    far this month" lower bound and a peak week; coverage of the two segment
    rates, a week in the second and a week across the change, 200 runs, Monte
    Carlo s.e. about 0.015): 0.955-0.975 for Poisson days and 0.96-0.975
    for negative-binomial days (size 5), within the 93-97% target; under a
    latent AR(1) log-rate 0.92-0.945 for persistence 0.5 (0.89-0.91 with
    one pooled design effect) and 0.80-0.905 for 0.8 (0.80-0.855): the
    persistence is underestimated from day rows on 40% of 120 days (0.34
    on average for 0.5, 0.58 for 0.8), so the variance of long totals is
    too small. On the curated IRI claims the latent part comes out large
    (relative variance 0.86, persistence 0.88, the cap): the seed week's
    interval is 0.55-20 claims per day (1.4-13.9 with one pooled design
    effect, 2.3-10.8 with ``dependence=False``). The rows here are
    observed on days chosen at random; real reports are not (a day with
    many claims is more likely to be reported), which biases the day-level
    rows upwards and inflates their design effect: the period totals anchor
    the level.

    Examples
    --------
    >>> import analysis as it
    >>> days = it.load_iri_claims_daily()
    >>> f = it.load_reported_figures()
    >>> totals = f[(f["actor"] == "Islamic Resistance in Iraq") & (f["unit"] == "claim")
    ...            & (f["target"] == "Israel") & (f["weapon"] == "unknown")
    ...            & (f["measure"] == "count")]
    >>> fit = estimate_rates_from_daily(days, totals=totals, breaks=["2024-10-29", "2024-11-05"])
    >>> week = fit.rate_on(("2024-10-29", "2024-11-04"))
    >>> week.ci_low < 41 / 7 < week.ci_high  # claims per day
    True
    """
    from analysis.rates._figures import estimate_rates_from_figures

    if not isinstance(dependence, bool):
        raise TypeError(f"dependence must be True or False, not {dependence!r}")
    obs = figures_from_daily(
        daily, unit=unit, totals=totals, actor=actor, target=target, weapon=weapon
    )
    fit = estimate_rates_from_figures(obs, breaks=breaks, level=level, **kwargs)
    if not dependence or "dispersion" in kwargs:
        return fit
    latent, rho = latent_ar_from_days(fit, obs)
    if latent <= 0:
        return fit
    refit = estimate_rates_from_figures(
        obs, breaks=breaks, level=level, latent_ar=(latent, rho), **kwargs
    )
    note = (
        f"Serial dependence of the day-level rows: a latent AR(1) rate of relative variance "
        f"{latent:.3f} and persistence {rho:.2f} (moments of the lagged residuals; "
        "latent_ar_from_days) enters the covariance of every pair of figures, so the variance "
        "of a total grows with its rate and its length; its own sampling error is not allowed "
        "for."
    )
    return dataclasses.replace(refit, notes=(*refit.notes, note))


#: Largest lag of the day-level residual products fitted by :func:`latent_ar_from_days`.
MAX_LAG = 14


def latent_ar_from_days(fit: Any, observations: pd.DataFrame) -> tuple[float, float]:
    """Latent AR(1) rate of the day-level rows about a fit: ``(variance, persistence)``.

    Working model: the count of day ``t`` is Poisson given a rate
    ``lam_t exp(z_t)`` (``lam_t`` the fitted segment rate), and the relative
    deviations ``exp(z_t) - 1`` are stationary with autocovariance
    ``latent * rho**k`` at lag ``k``. The relative residuals ``u_t = (y_t -
    lam_t) / lam_t`` of the days with exact rows (the mean over a day's
    sources) then have ``E[u_s u_t] = latent rho**|s - t|`` for ``s != t``,
    less ``latent * v(rho)`` because the segment means were fitted (``v`` the
    variance of a segment's mean of a unit AR(1), averaged over the
    segments). The products at lags ``1..14`` are averaged over the pairs of
    days both observed and ``latent * (rho**k - v(rho))`` is fitted by least
    squares weighted by the pairs (``latent >= 0``, ``rho`` on a grid in
    ``[0.05, min(0.95, 1 - 2 / sqrt(days))]``, the cap of
    :func:`analysis._dependence.latent_ar_design_effect`: a window cannot
    tell slower dependence from a change of level), ``latent`` constrained
    to at most the excess of the
    mean of ``u_t**2`` over its Poisson value ``1 / lam_t`` for each
    ``rho`` (a weak, noisy autocorrelation otherwise lets the least squares
    trade a tiny ``rho`` for a huge ``latent``). Lag 0 is left out of the
    fit: it holds the Poisson and any day-to-day overdispersion, which the
    fit of the figures estimates itself. Written by
    hand because the days are observed with gaps (no library estimator of an
    autocovariance takes them).

    Parameters
    ----------
    fit : FigureRates
        A fit of ``observations``.
    observations : pandas.DataFrame
        The observations fitted (from :func:`figures_from_daily`).

    Returns
    -------
    tuple of float
        ``(latent, rho)``; ``(0.0, 0.0)`` with fewer than 30 days of exact rows
        or no positive dependence.

    Examples
    --------
    >>> import numpy as np
    >>> import analysis as it
    >>> from analysis.validation import PROCESSES, simulate_counts
    >>> c = simulate_counts(PROCESSES["poisson"], 200, 5.0, np.random.default_rng(3)).counts
    >>> rows = pd.DataFrame({"date": c.index, "value": c.to_numpy(), "qualifier": "exact",
    ...                      "unit": "claim", "source_name": "SIMULATED"})
    >>> obs = figures_from_daily(rows)
    >>> latent, rho = latent_ar_from_days(it.estimate_rates_from_figures(obs, breaks=None), obs)
    >>> latent < 0.02  # independent days: little or no latent variance
    True
    """
    from analysis._dependence import _latent_total_variance

    one_day = observations["period_start"] == observations["period_end"]
    exact = observations[one_day & (observations["qualifier"] == "exact")]
    if exact.empty or fit._grid_start is None or fit._lam is None:
        return 0.0, 0.0
    day = (pd.to_datetime(exact["period_start"]) - fit._grid_start).dt.days.to_numpy()
    per_day = pd.Series(exact["value"].to_numpy(dtype=float)).groupby(day).mean()
    edges = np.asarray(fit._seg_edges)
    seg = np.clip(np.searchsorted(edges, per_day.index.to_numpy(), side="right") - 1, 0, None)
    seg = np.minimum(seg, len(edges) - 2)
    rate = np.asarray(fit._lam, dtype=float)[seg]
    ok = (rate > 0) & np.isfinite(rate)
    if int(ok.sum()) < 30:
        return 0.0, 0.0
    t = per_day.index.to_numpy()[ok]
    u = (per_day.to_numpy()[ok] - rate[ok]) / rate[ok]
    n = int(edges[-1])
    series = np.zeros(n)
    seen = np.zeros(n, dtype=bool)
    series[t] = u
    seen[t] = True
    lags = np.arange(1, MAX_LAG + 1)
    gamma = np.zeros(MAX_LAG)
    pairs = np.zeros(MAX_LAG)
    for i, k in enumerate(lags):
        both = seen[k:] & seen[:-k]
        pairs[i] = both.sum()
        if pairs[i]:
            gamma[i] = float(series[k:][both] @ series[:-k][both]) / pairs[i]
    if pairs.sum() == 0:
        return 0.0, 0.0
    lengths = np.diff(edges)
    used = np.bincount(seg[ok], minlength=len(lengths)).astype(float)
    # the latent part of one day's variance cannot exceed the excess of the observed one
    excess = max(float(np.mean(u**2 - 1.0 / rate[ok])), 0.0)
    best = (math.inf, 0.0, 0.0)
    # persistence capped as for a series alone (analysis._dependence): 1 - 2 / sqrt(days)
    top = min(0.95, 1.0 - 2.0 / math.sqrt(int(t.max()) - int(t.min()) + 1))
    for rho in np.arange(0.05, top + 1e-9, 0.01):
        v = (
            sum(
                used[j]
                * _latent_total_variance(int(lengths[j]), 0.0, 1.0, float(rho))
                / lengths[j] ** 2
                for j in range(len(lengths))
                if used[j] > 0
            )
            / used.sum()
        )
        x = rho**lags - v
        denom = float(pairs @ (x * x))
        if denom <= 0:
            continue
        latent = min(max(0.0, float(pairs @ (x * gamma)) / denom), excess)
        sse = float(pairs @ (gamma - latent * x) ** 2)
        if sse < best[0]:
            best = (sse, latent, float(rho))
    _, latent, rho = best
    if latent <= 0 or rho <= 0:
        return 0.0, 0.0
    return float(latent), float(rho)
