"""reconcile: the triangulation ledger of one front, every unit side by side, never summed.

For one front (an actor, optionally an origin) and one frequency (a day, a
week, a month), :func:`reconcile` lines up what each kind of source says:

* **claims** (unit ``claim``: attacks the group says it made), **launches**
  and **interceptions** (an army's counts) from the day-level table
  (:func:`analysis.load_iri_claims_daily`), from published figures whose
  period lies inside one ledger period (:func:`analysis.load_reported_figures`)
  and from canonical incident tables;
* **alert incidents** (unit ``alert_incident``: alerts chained into incidents
  by :func:`analysis.alerts_to_incidents`, or their counts from
  :func:`analysis.count_alert_incidents`) when the user passes them.

Each cell keeps its sources; units are never added together. A period with
no report of a unit is **unknown**: the ledger says ``"no report"`` (numbers
``NaN``), never 0. Alert incidents come from a complete feed, so within the
days the alert input covers a period without an alert incident is a real 0
(``"0 (alert feed)"``) and outside them ``"not covered"``.

Ratios between units (:class:`UnitRatio`) are computed over the periods
where both units have a count (an exact report; a lower bound alone is not
a count). Where several exact reports of one unit disagree for a period,
``conflict`` chooses: ``"max"`` (default: the largest, on the assumption
that a source misses events more often than it invents them), ``"min"``, or
``"agree"`` (use only periods whose exact reports agree). The interval is
an exact conditional binomial interval (Clopper-Pearson), widened
quasi-likelihood style by the Pearson dispersion of the per-period splits
when it exceeds 1 (see :class:`UnitRatio`). Written by hand (scipy's beta
quantiles) because statsmodels' ``proportion_confint`` takes whole counts,
and the widened interval uses counts divided by the dispersion.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis._dependence import MIN_PERIODS_FOR_DEPENDENCE, mean_long_run_variance
from analysis._draw import concise_dates, get_ax
from analysis._format import fmt_short, jsonable, records, unit_plural
from analysis._results import Result

__all__ = ["NESTED_UNITS", "Ledger", "UnitRatio", "reconcile"]

#: Pairs (part, whole) where the first unit is a subset of the second: the
#: ratio is a proportion (interceptions per launch), its interval binomial in the whole.
NESTED_UNITS: frozenset[tuple[str, str]] = frozenset({("interception", "launch")})

UNITS_ORDER = ("claim", "launch", "interception", "alert_incident", "alert", "incident")
_CONFLICT = ("max", "min", "agree")

DEFAULT_RATIOS: tuple[tuple[str, str], ...] = (
    ("interception", "launch"),
    ("claim", "alert_incident"),
    ("claim", "launch"),
)


# --------------------------------------------------------------------------- ratio


def _beta_interval(x: float, n: float, level: float) -> tuple[float, float]:
    """Clopper-Pearson interval of a binomial proportion (x of n, not necessarily whole)."""
    from scipy import stats

    a = (1 - level) / 2
    lo = 0.0 if x <= 0 else float(stats.beta.ppf(a, x, n - x + 1))
    hi = 1.0 if x >= n else float(stats.beta.ppf(1 - a, x + 1, n - x))
    return lo, hi


@dataclass(frozen=True, repr=False)
class UnitRatio(Result):
    """The ratio of two units over the periods where both are counted.

    What the interval is for: for a nested pair (``interception`` of
    ``launch``) the probability that a launch is intercepted (interceptions
    per launch, a proportion); otherwise the ratio of the two underlying
    rates (e.g. claims per alert incident) over those periods, under counts
    that are Poisson given a common, possibly time-varying, level (the
    conditional binomial split of each period then has one probability, even
    when the level moves in waves). The interval is Clopper-Pearson on the
    totals (``numerator`` of ``numerator + denominator``, or of the whole for
    a nested pair), exact when the dispersion is 1. When the split itself
    varies between periods, both counts are divided first by the dispersion
    ``phi`` (quasi-likelihood): the larger of 1, the Pearson dispersion of the
    per-period splits about the pooled proportion and, with 30 or more
    periods in time order, their long-run (HAC) dispersion with the fixed-b
    critical value folded in (:func:`analysis._dependence.mean_long_run_variance`),
    so that a split that wanders slowly (reports of one kind fading for weeks)
    widens the interval too.

    Coverage (``tests/curation/test_reconcile.py``; SIMULATED: 60 days, the
    total of both units from the package's simulators, split binomially with
    probability 0.6; 1000 runs each, Monte Carlo s.e. 0.005-0.012): 0.95-0.97
    with a constant split under poisson, nb5, ar0.8 and nb5+ar0.8 totals (the
    exact interval is conservative); 0.95-0.97 when the split's logit varies
    independently between days (sd 0.5); but 0.84-0.875 when it follows an
    AR(1) of persistence 0.8 (sd 0.5): 60 days hold few independent pieces of
    such a split, as with the package's rate intervals of a short window.

    Attributes
    ----------
    numerator, denominator : str
        The units (e.g. ``"interception"`` and ``"launch"``).
    nested : bool
        True when the numerator is a part of the denominator.
    ratio : float
        Total numerator over total denominator (per one denominator event).
    ci_low, ci_high : float
        The interval of the ratio.
    level : float
        Confidence level.
    total_numerator, total_denominator : float
        The totals over the periods used.
    n_periods : int
        Periods with both counts.
    dispersion : float
        Pearson dispersion of the splits (>= 1), on ``n_periods - 1`` df.
    periods : pandas.DataFrame
        The periods used with both counts and the source of each.
    method : str
        The interval in words.
    notes : tuple of str
        Caveats.
    """

    numerator: str
    denominator: str
    nested: bool
    ratio: float
    ci_low: float
    ci_high: float
    level: float
    total_numerator: float
    total_denominator: float
    n_periods: int
    dispersion: float
    periods: pd.DataFrame
    method: str
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One paragraph: the ratio, its interval and what it is an interval for."""
        per = f"{unit_plural(self.numerator)} per {self.denominator}"
        if self.n_periods == 0:
            return f"{per}: no period has a count of both units; no ratio."
        text = (
            f"{per}: {fmt_short(self.ratio)} ({self.level:.0%} CI {fmt_short(self.ci_low)}-"
            f"{fmt_short(self.ci_high)}) from {self.total_numerator:g} "
            f"{unit_plural(self.numerator)} and {self.total_denominator:g} "
            f"{unit_plural(self.denominator)} over {self.n_periods} "
            "periods with "
            f"both; {self.method}"
        )
        return "\n".join([text, *self.notes])

    def to_dict(self) -> dict[str, Any]:
        """The ratio, interval, totals and periods as JSON-friendly values."""
        return {
            "numerator": self.numerator,
            "denominator": self.denominator,
            "nested": self.nested,
            "ratio": jsonable(self.ratio),
            "ci_low": jsonable(self.ci_low),
            "ci_high": jsonable(self.ci_high),
            "level": self.level,
            "total_numerator": jsonable(self.total_numerator),
            "total_denominator": jsonable(self.total_denominator),
            "n_periods": self.n_periods,
            "dispersion": jsonable(self.dispersion),
            "method": self.method,
            "periods": records(self.periods),
            "notes": list(self.notes),
        }

    def plot(self, ax: Any = None) -> Any:
        """Per-period ratios (points) and the pooled ratio with its band; returns the Axes."""
        ax = get_ax(ax)
        p = self.periods
        if len(p):
            with np.errstate(divide="ignore", invalid="ignore"):
                y = p["numerator"] / p["denominator"]
            ax.plot(p["period"], y, "o", color="C1", ms=4, label="per period")
            ax.axhline(self.ratio, color="C0", label="pooled")
            ax.axhspan(self.ci_low, self.ci_high, color="C0", alpha=0.2, lw=0)
            ax.legend(loc="best", fontsize="small")
        ax.set_ylabel(f"{unit_plural(self.numerator)} per {self.denominator}")
        return concise_dates(ax)


def unit_ratio(
    numerator: np.ndarray,
    denominator: np.ndarray,
    *,
    nested: bool,
    level: float = 0.95,
    names: tuple[str, str] = ("numerator", "denominator"),
    periods: pd.DataFrame | None = None,
    order: np.ndarray | None = None,
) -> UnitRatio:
    """Ratio of two per-period counts with its conditional binomial interval.

    Parameters
    ----------
    numerator, denominator : array of float
        Counts per period (same periods, same front).
    nested : bool
        The numerator is a part of the denominator (interceptions of launches).
    level : float
        Confidence level.
    names : tuple of str
        Unit names for the text.
    periods : pandas.DataFrame, optional
        The periods, kept in the result.
    order : array of int, optional
        Position of each period in time (0, 1, 2, ...; gaps where a period
        has no count of both). Given, the dispersion also allows for serial
        dependence of the split (long-run variance); omitted, the periods are
        taken as independent.

    Returns
    -------
    UnitRatio

    Examples
    --------
    >>> r = unit_ratio(np.array([2, 3, 1]), np.array([3, 4, 2]), nested=True,
    ...                names=("interception", "launch"))
    >>> round(r.ratio, 3), round(r.ci_low, 3), round(r.ci_high, 3)
    (0.667, 0.299, 0.925)
    """
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    notes: list[str] = []
    A, B = float(a.sum()), float(b.sum())
    n_tot = b if nested else a + b
    use = n_tot > 0
    N = float(n_tot.sum())
    if periods is None:
        periods = pd.DataFrame({"numerator": a, "denominator": b})
    if N == 0 or (nested and B == 0) or len(a) == 0:
        return UnitRatio(
            names[0],
            names[1],
            nested,
            math.nan,
            math.nan,
            math.nan,
            level,
            A,
            B,
            len(a),
            math.nan,
            periods,
            "no events in the periods with both counts",
            tuple(notes),
        )
    p_hat = A / N
    d = int(use.sum())
    phi = 1.0
    if d >= 2 and 0 < p_hat < 1:
        x2 = float(
            (((a[use] - n_tot[use] * p_hat) ** 2) / (n_tot[use] * p_hat * (1 - p_hat))).sum()
        )
        phi = max(1.0, x2 / (d - 1))
        if order is not None and d >= MIN_PERIODS_FOR_DEPENDENCE:
            # serially dependent splits: the long-run variance of the split residuals in
            # time order (a period without both counts contributes a zero residual and
            # zero binomial variance), with the fixed-b critical value of Kiefer &
            # Vogelsang (2005) folded in (analysis._dependence.mean_long_run_variance)
            size = int(order.max()) + 1
            resid = np.zeros(size)
            binvar = np.zeros(size)
            resid[order] = a - n_tot * p_hat
            binvar[order] = n_tot * p_hat * (1 - p_hat)
            hac = mean_long_run_variance(resid + 1.0, level)
            phi = max(
                phi, hac.long_run_variance * (hac.critical_value / hac.z) ** 2 / binvar.mean()
            )
    elif d < 2:
        notes.append(
            "One period only: whether the split varies between periods cannot be checked "
            "(dispersion taken as 1)."
        )
    lo_p, hi_p = _beta_interval(A / phi, N / phi, level)
    if nested:
        ratio, lo, hi = p_hat, lo_p, hi_p
        what = (
            f"interval for the share of {unit_plural(names[1])} that are {unit_plural(names[0])} "
            "(a proportion)"
        )
    else:
        ratio = A / B if B > 0 else math.inf
        lo = lo_p / (1 - lo_p) if lo_p < 1 else math.inf
        hi = hi_p / (1 - hi_p) if hi_p < 1 else math.inf
        what = f"interval for the ratio of the {names[0]} rate to the {names[1]} rate"
    how = (
        "exact conditional binomial (Clopper-Pearson)"
        if phi == 1.0
        else f"Clopper-Pearson on the counts divided by the dispersion {phi:.2f} (quasi-likelihood)"
    )
    return UnitRatio(
        names[0],
        names[1],
        nested,
        ratio,
        lo,
        hi,
        level,
        A,
        B,
        len(a),
        phi,
        periods,
        f"{what}; {how}.",
        tuple(notes),
    )


# --------------------------------------------------------------------------- ledger


@dataclass(frozen=True, repr=False)
class Ledger(Result):
    """The triangulation ledger (see :func:`reconcile`).

    Attributes
    ----------
    ledger : pandas.DataFrame
        One row per period (index ``period``, the first day): per unit a text
        column (``claim``: e.g. ``"4-6 (3 sources)"``, ``"no report"``) and
        numbers ``<unit>_min``, ``<unit>_max`` (of the exact reports),
        ``<unit>_at_least`` (the largest lower bound), ``<unit>_sources`` (how
        many sources) and ``<unit>_reports`` (each source with its value).
        NaN means no report, never zero.
    entries : pandas.DataFrame
        Every report placed in the ledger: ``period``, ``unit``, ``value``,
        ``qualifier``, ``source_name``, ``source_url``, ``source_ref``,
        ``record_id``, ``origin_table``.
    ratios : dict of str to UnitRatio
        ``"interception/launch"`` etc.
    period_totals : pandas.DataFrame
        Published figures of the front whose period does not fit in one ledger
        period: listed, not spread over days.
    freq : str
        The ledger period.
    notes : tuple of str
        What was left out and why.
    """

    ledger: pd.DataFrame
    entries: pd.DataFrame
    ratios: dict[str, UnitRatio]
    period_totals: pd.DataFrame
    freq: str
    actor: str | None
    units: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The ledger: one row per period, units side by side."""
        return self.ledger.copy()

    def to_dict(self) -> dict[str, Any]:
        """Ledger, entries, ratios and notes as JSON-friendly values."""
        led = self.ledger.reset_index()
        return {
            "freq": self.freq,
            "actor": self.actor,
            "units": list(self.units),
            "ledger": records(led),
            "entries": records(self.entries),
            "ratios": {k: v.to_dict() for k, v in self.ratios.items()},
            "period_totals": records(self.period_totals),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Periods, what each unit has, the ratios, in words."""
        n = len(self.ledger)
        lines = [
            f"Ledger of {self.actor or 'all actors'}: {n} periods ({self.freq}), units "
            f"{', '.join(self.units)} side by side, never summed; 'no report' is unknown, not 0"
        ]
        for u in self.units:
            have = int(self.ledger[f"{u}_sources"].gt(0).sum())
            lines.append(f"  {u}: reported in {have} of {n} periods")
        for r in self.ratios.values():
            lines.append("  " + r.summary().replace("\n", "\n  "))
        if len(self.period_totals):
            lines.append(
                f"  {len(self.period_totals)} published totals span several periods (see "
                ".period_totals)"
            )
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        cols = list(self.units)
        return f"<pre>{html.escape(self.summary())}</pre>" + self.ledger[cols].to_html(escape=True)

    def plot(self, ax: Any = None) -> Any:
        """Each unit's reports per period (range of exact reports, lower bounds as carets).

        A period with no report has no mark (unknown, not 0). Returns the Axes.
        """
        ax = get_ax(ax)
        x = self.ledger.index
        for k, u in enumerate(self.units):
            lo, hi = self.ledger[f"{u}_min"], self.ledger[f"{u}_max"]
            ok = lo.notna()
            ax.vlines(x[ok], lo[ok], hi[ok], color=f"C{k}", lw=2)
            ax.plot(x[ok], hi[ok], "o", color=f"C{k}", ms=3, label=u)
            al = self.ledger[f"{u}_at_least"]
            ok2 = al.notna() & ~ok
            ax.plot(x[ok2], al[ok2], "^", color=f"C{k}", ms=4, mfc="none")
        ax.set_ylabel("count per period (each unit its own)")
        ax.set_ylim(bottom=0)
        ax.legend(loc="best", fontsize="small")
        return concise_dates(ax)


def _period_start(days: pd.Series, freq: str) -> pd.Series:
    return days.dt.to_period(freq).dt.start_time


def _entries_from_daily(daily: pd.DataFrame) -> pd.DataFrame:
    need = ["date", "value", "qualifier", "unit", "source_name"]
    missing = [c for c in need if c not in daily.columns]
    if missing:
        raise ValueError(f"daily needs the columns {missing} (as load_iri_claims_daily gives)")
    out = pd.DataFrame(
        {
            "day": pd.to_datetime(daily["date"]).dt.normalize(),
            "unit": daily["unit"].astype(str),
            "value": pd.to_numeric(daily["value"], errors="coerce").astype(float),
            "qualifier": daily["qualifier"].astype(str),
            "actor": daily.get("actor", pd.Series(None, index=daily.index)),
            "origin": daily.get("origin", pd.Series(None, index=daily.index)),
            "source_name": daily["source_name"],
            "source_url": daily.get("source_url", pd.Series(None, index=daily.index)),
            "source_ref": daily.get("source_ref", pd.Series(None, index=daily.index)),
            "record_id": daily.get("row_id", pd.Series(daily.index.astype(str), index=daily.index)),
            "origin_table": "day-level rows",
        }
    )
    return out


def _entries_from_incidents(incidents: pd.DataFrame) -> pd.DataFrame:
    need = ["start", "unit", "source_name"]
    missing = [c for c in need if c not in incidents.columns]
    if missing:
        raise ValueError(f"incidents needs the columns {missing} (the canonical incident table)")
    if "time_precision" in incidents.columns:
        coarse = ~incidents["time_precision"].astype(str).isin(["second", "minute", "hour", "day"])
        if coarse.any():
            raise ValueError(
                "incidents: column 'time_precision' has records coarser than a day; a ledger "
                "by day cannot place them: filter_incidents(table, precise_to='day') first"
            )
    q = (
        pd.to_numeric(incidents["quantity"], errors="coerce").astype(float)
        if "quantity" in incidents.columns
        else pd.Series(1.0, index=incidents.index)
    )
    start = pd.to_datetime(incidents["start"])
    if start.dt.tz is not None:
        start = start.dt.tz_localize(None)
    return pd.DataFrame(
        {
            "day": start.dt.normalize(),
            "unit": incidents["unit"].astype(str),
            "value": q,
            "qualifier": "exact",
            "actor": incidents.get("actor", pd.Series(None, index=incidents.index)),
            "origin": incidents.get("origin", pd.Series(None, index=incidents.index)),
            "source_name": incidents["source_name"],
            "source_url": incidents.get("source_url", pd.Series(None, index=incidents.index)),
            "source_ref": incidents.get("source_ref", pd.Series(None, index=incidents.index)),
            "record_id": incidents.get(
                "incident_id", pd.Series(incidents.index.astype(str), index=incidents.index)
            ),
            "origin_table": "incidents",
        }
    )


def _alert_counts(alerts: Any, alert_source: str) -> pd.Series:
    """Alert incidents per day over the days the alert input covers (zeros real)."""
    if isinstance(alerts, pd.DataFrame) and "start" in alerts.columns:
        start = pd.to_datetime(alerts["start"])
        if start.dt.tz is not None:
            start = start.dt.tz_localize(None)
        days = start.dt.normalize()
        if len(days) == 0:
            raise ValueError("alerts: the table of alert incidents is empty")
        idx = pd.date_range(days.min(), days.max(), freq="D")
        return days.value_counts().reindex(idx, fill_value=0).astype(float)
    if isinstance(alerts, pd.DataFrame):
        if alerts.shape[1] != 1:
            raise ValueError(
                "alerts: a table of counts must have one column (select one, e.g. "
                "counts['drone']), or pass the alert incidents with a 'start' column"
            )
        alerts = alerts.iloc[:, 0]
    if isinstance(alerts, pd.Series):
        if not isinstance(alerts.index, pd.DatetimeIndex):
            raise ValueError("alerts: a count series needs a DatetimeIndex of days")
        index = pd.DatetimeIndex(alerts.index)
        if index.tz is not None:
            index = index.tz_localize(None)
        s = pd.Series(alerts.to_numpy(dtype=float), index=index.normalize())
        s = s.groupby(level=0).sum()
        idx = pd.date_range(s.index.min(), s.index.max(), freq="D")
        return s.reindex(idx, fill_value=0.0)
    raise TypeError(
        "alerts must be alert incidents (a DataFrame with 'start', from alerts_to_incidents) "
        f"or their daily counts (a Series, from count_alert_incidents), not {type(alerts).__name__}"
    )


def _fold(name: Any) -> str:
    return " ".join(str(name).casefold().split()) if isinstance(name, str) else ""


def _drop_repeats(figs: pd.DataFrame, days: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Single-day figures that repeat a day-level row (one publisher's name starts the other's)."""
    keep, dups = [], []
    for _, r in figs.iterrows():
        same = days[
            (days["day"] == r["day"]) & (days["unit"] == r["unit"]) & (days["value"] == r["value"])
        ]
        name = _fold(r["source_name"])
        dup = bool(name) and any(
            _fold(s).startswith(name) or name.startswith(_fold(s))
            for s in same["source_name"]
            if _fold(s)
        )
        keep.append(not dup)
        if dup:
            dups.append(str(r["record_id"]))
    return figs[keep], dups


def _text(exact: list[float], least: list[float], n_src: int) -> str:
    if not exact and not least:
        return "no report"
    if exact:
        lo, hi = min(exact), max(exact)
        t = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        if least and max(least) > hi:
            t += f", >={max(least):g}"
    else:
        t = f">={max(least):g}"
    return t + (f" ({n_src} sources)" if n_src > 1 else "")


def reconcile(
    *,
    daily: pd.DataFrame | None = None,
    figures: pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    alerts: Any = None,
    actor: str | None = None,
    target: str | None = None,
    freq: str = "D",
    start: Any = None,
    end: Any = None,
    ratios: tuple[tuple[str, str], ...] | list[tuple[str, str]] | None = None,
    conflict: str = "max",
    alert_source: str = "Home Front Command alerts",
    level: float = 0.95,
) -> Ledger:
    """The triangulation ledger of one front: claims, launches, interceptions, alerts side by side.

    Parameters
    ----------
    daily : pandas.DataFrame, optional
        Day-level rows (:func:`analysis.load_iri_claims_daily`).
    figures : pandas.DataFrame, optional
        Published figures (:func:`analysis.load_reported_figures`); those with
        ``measure`` ``count`` whose period lies inside one ledger period are
        entries, the others are listed in ``.period_totals``.
    incidents : pandas.DataFrame, optional
        Canonical incident records of day precision (``quantity`` is the value).
    alerts : DataFrame or Series, optional
        Alert incidents (a table with ``start``, e.g. from
        :func:`analysis.alerts_to_incidents`, already selected for the front)
        or their daily counts (:func:`analysis.count_alert_incidents`). Taken
        to cover every day from its first to its last (a table) or its index
        (a series): zeros there are real.
    actor : str, optional
        The front: keep rows of this actor only. A row with no actor (an army
        count "from the east") is left out, said in ``.notes``: it is not of
        one front.
    target : str, optional
        Keep published figures and incident records of this ``target`` only
        (``"Israel"``; claims against US forces are another front's). The
        day-level table has no ``target`` column and is not filtered.
    freq : str, default "D"
        Ledger period: ``"D"``, ``"W"`` (weeks ending Sunday), ``"M"``.
    start, end : date, optional
        First and last day of the ledger (default: the days the inputs cover).
    ratios : sequence of (str, str), optional
        Unit pairs (numerator, denominator); default interception/launch,
        claim/alert_incident and claim/launch, those whose units are present.
    conflict : {"max", "min", "agree"}, default "max"
        The count of a unit in a period when its exact reports disagree (for
        ratios only; the ledger shows them all).
    alert_source : str
        Source name of the alert entries.
    level : float, default 0.95
        Confidence level of the ratio intervals.

    Returns
    -------
    Ledger
        ``.to_frame()`` (one row per period), ``.entries``, ``.ratios``,
        ``.summary()``, ``.plot()``.

    Raises
    ------
    ValueError
        When no input is given, a required column is missing, ``freq``,
        ``conflict``, ``level`` or a ratio's unit is bad (each names it).
    TypeError
        When ``alerts`` is neither a table nor a series.

    Examples
    --------
    >>> import pandas as pd
    >>> days = pd.DataFrame({  # hand-made rows, not real reports
    ...     "date": pd.to_datetime(["2024-11-01", "2024-11-01", "2024-11-01", "2024-11-03"]),
    ...     "value": [6, 4, 3, 1], "qualifier": ["exact", "exact", "exact", "at_least"],
    ...     "unit": ["claim", "claim", "launch", "claim"], "source_name": ["A", "B", "IDF", "C"]})
    >>> led = reconcile(daily=days)
    >>> led.to_frame()[["claim", "launch"]]
                        claim     launch
    period
    2024-11-01  4-6 (2 sources)          3
    2024-11-02        no report  no report
    2024-11-03             >=1  no report
    """
    if isinstance(level, bool) or not isinstance(level, int | float) or not 0 < level < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, not {level!r}")
    level = float(level)
    if conflict not in _CONFLICT:
        raise ValueError(f"conflict must be one of {list(_CONFLICT)}, not {conflict!r}")
    if daily is None and figures is None and incidents is None and alerts is None:
        raise ValueError("give at least one of daily=, figures=, incidents=, alerts=")
    freq_map = {"D": "D", "W": "W", "M": "M"}
    if freq not in freq_map:
        raise ValueError(f"freq must be 'D', 'W' or 'M', not {freq!r}")
    notes: list[str] = []
    parts = []
    if daily is not None:
        parts.append(_entries_from_daily(daily))
    if incidents is not None:
        inc = incidents
        if target is not None and "target" in inc.columns:
            inc = inc[inc["target"] == target]
        parts.append(_entries_from_incidents(inc))
    totals_rows = []
    from_figures = False
    if figures is not None:
        need = ["period_start", "period_end", "value", "qualifier", "unit"]
        missing = [c for c in need if c not in figures.columns]
        if missing:
            raise ValueError(
                f"figures needs the columns {missing} (as load_reported_figures gives)"
            )
        f = figures
        if "measure" in f.columns:
            f = f[f["measure"].fillna("count") == "count"]
        if actor is not None and "actor" in f.columns:
            f = f[f["actor"] == actor]
        if target is not None and "target" in f.columns:
            f = f[f["target"] == target]
        a = pd.to_datetime(f["period_start"]).dt.normalize()
        b = pd.to_datetime(f["period_end"]).dt.normalize()
        one = _period_start(a, freq) == _period_start(b, freq)
        if freq != "D":
            # a figure fits a period only when it covers the whole period
            full = (a == _period_start(a, freq)) & (
                b == (a.dt.to_period(freq).dt.end_time.dt.normalize())
            )
            one = one & full
        else:
            one = one & (a == b)
        fit_in = f[one.to_numpy()]
        from_figures = len(fit_in) > 0
        totals_rows.append(f[~one.to_numpy()])
        if len(fit_in):
            parts.append(
                pd.DataFrame(
                    {
                        "day": pd.to_datetime(fit_in["period_start"]).dt.normalize(),
                        "unit": fit_in["unit"].astype(str),
                        "value": fit_in["value"].astype(float),
                        "qualifier": fit_in["qualifier"].astype(str),
                        "actor": fit_in.get("actor"),
                        "origin": fit_in.get("origin"),
                        "source_name": fit_in.get("source_name"),
                        "source_url": fit_in.get("source_url"),
                        "source_ref": fit_in.get("source_ref"),
                        "record_id": fit_in.get("figure_id"),
                        "origin_table": "published figures",
                        "whole_period": True,
                    }
                )
            )
    if daily is not None and from_figures:
        parts[-1], dups = _drop_repeats(parts[-1], parts[0])
        if dups:
            notes.append(
                f"{len(dups)} single-day published figures repeat a day-level row (same day, "
                f"unit, value and publisher) and are shown once: {', '.join(dups)}."
            )
    entries = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame(columns=["day", "unit", "value", "qualifier", "actor", "source_name"])
    )
    if actor is not None and len(entries):
        no_actor = entries["actor"].isna()
        other = entries["actor"].notna() & (entries["actor"].astype("object") != actor)
        if no_actor.any():
            by_unit = entries.loc[no_actor, "unit"].value_counts()
            notes.append(
                "Left out, no actor (not attributed to one front): "
                + ", ".join(f"{int(v)} {k} rows" for k, v in by_unit.items())
                + "."
            )
        entries = entries[~no_actor & ~other]
    entries = entries[entries["value"].notna()] if len(entries) else entries
    if "whole_period" not in entries.columns:
        entries["whole_period"] = False
    alert_days = None
    if alerts is not None:
        alert_days = _alert_counts(alerts, alert_source)
    # the ledger's days
    firsts = [entries["day"].min()] if len(entries) else []
    lasts = [entries["day"].max()] if len(entries) else []
    if alert_days is not None:
        firsts.append(alert_days.index.min())
        lasts.append(alert_days.index.max())
    first = pd.Timestamp(start).normalize() if start is not None else min(firsts)
    last = pd.Timestamp(end).normalize() if end is not None else max(lasts)
    if last < first:
        raise ValueError(f"end ({last.date()}) is before start ({first.date()})")
    if len(entries):
        entries = entries[(entries["day"] >= first) & (entries["day"] <= last)].copy()
        entries["period"] = _period_start(entries["day"], freq)
    periods = pd.period_range(first, last, freq=freq).start_time
    units_present = [u for u in UNITS_ORDER if len(entries) and (entries["unit"] == u).any()]
    units_present += sorted(set(entries["unit"]) - set(UNITS_ORDER)) if len(entries) else []
    if alert_days is not None:
        units_present.append("alert_incident")

    # per (period, unit, source): one value; a source's days within a period are summed
    led = pd.DataFrame(index=pd.Index(periods, name="period"))
    counts_for_ratio: dict[str, pd.Series] = {}
    # the whole calendar period counts: a week cut by start= or end= is not complete
    n_days = pd.Series(
        [(pd.Period(p, freq=freq).end_time.normalize() - p).days + 1 for p in periods],
        index=periods,
    )
    for u in units_present:
        if u == "alert_incident":
            assert alert_days is not None
            cov = alert_days[(alert_days.index >= first) & (alert_days.index <= last)]
            per = cov.groupby(_period_start(cov.index.to_series(), freq)).agg(["sum", "size"])
            full = per["size"] == n_days.reindex(per.index)
            texts, mins, srcs = [], [], []
            for p in periods:
                if p in per.index and bool(full.get(p, False)):
                    v = float(per["sum"].loc[p])
                    texts.append(f"{v:g} (alert feed)")
                    mins.append(v)
                    srcs.append(1)
                elif p in per.index:
                    texts.append(f">={float(per['sum'].loc[p]):g} (alert feed covers part)")
                    mins.append(math.nan)
                    srcs.append(1)
                else:
                    texts.append("not covered")
                    mins.append(math.nan)
                    srcs.append(0)
            led[u] = texts
            led[f"{u}_min"] = mins
            led[f"{u}_max"] = mins
            led[f"{u}_at_least"] = math.nan
            led[f"{u}_sources"] = srcs
            led[f"{u}_reports"] = [
                f"{alert_source} {t}" if s else "" for t, s in zip(texts, srcs, strict=True)
            ]
            counts_for_ratio[u] = pd.Series(mins, index=periods).dropna()
            continue
        e = entries[entries["unit"] == u]
        rows = []
        ratio_vals = {}
        for p in periods:
            ep = e[e["period"] == p]
            exact, least, reports = [], [], []
            for src, g in ep.groupby(ep["source_name"].astype(str), sort=True):
                whole = g[g["whole_period"].fillna(False).astype(bool)]
                if len(whole):
                    # a figure for the whole period is that source's count (its day rows are in it)
                    g = whole.sort_values("qualifier").head(1)
                total = float(g["value"].sum())
                complete = (g["qualifier"] == "exact").all() and (
                    freq == "D" or len(whole) > 0 or g["day"].nunique() == int(n_days.get(p, 0))
                )
                if complete:
                    exact.append(total)
                    reports.append(f"{src} {total:g}")
                else:
                    least.append(total)
                    reports.append(f"{src} >={total:g}")
            rows.append(
                {
                    u: _text(exact, least, len(reports)),
                    f"{u}_min": min(exact) if exact else math.nan,
                    f"{u}_max": max(exact) if exact else math.nan,
                    f"{u}_at_least": max(least) if least else math.nan,
                    f"{u}_sources": len(reports),
                    f"{u}_reports": "; ".join(reports),
                }
            )
            if exact:
                if conflict == "max":
                    ratio_vals[p] = max(exact)
                elif conflict == "min":
                    ratio_vals[p] = min(exact)
                elif min(exact) == max(exact):
                    ratio_vals[p] = exact[0]
        block = pd.DataFrame(rows, index=led.index)
        for c in block.columns:
            led[c] = block[c]
        counts_for_ratio[u] = pd.Series(ratio_vals, dtype=float)

    pairs = (
        list(ratios)
        if ratios is not None
        else [r for r in DEFAULT_RATIOS if r[0] in units_present and r[1] in units_present]
    )
    out_ratios: dict[str, UnitRatio] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(
                f"ratios: each item is (numerator unit, denominator unit), not {pair!r}"
            )
        num, den = str(pair[0]), str(pair[1])
        for unit_name in (num, den):
            if unit_name not in units_present:
                raise ValueError(
                    f"ratios: unit {unit_name!r} has no report here (units present: "
                    f"{units_present})"
                )
        a, b = counts_for_ratio[num], counts_for_ratio[den]
        common = a.index.intersection(b.index).sort_values()
        nested = (num, den) in NESTED_UNITS
        av, bv = a[common].to_numpy(), b[common].to_numpy()
        extra: list[str] = []
        if nested:
            bad = av > bv
            if bad.any():
                extra.append(
                    f"{int(bad.sum())} periods with more {unit_plural(num)} than "
                    f"{unit_plural(den)} "
                    "left out "
                    "(the reports cannot both be complete)"
                )
                common, av, bv = common[~bad], av[~bad], bv[~bad]
        per = pd.DataFrame({"period": common, "numerator": av, "denominator": bv})
        where = pd.Index(periods).get_indexer(pd.DatetimeIndex(common))
        r = unit_ratio(
            av, bv, nested=nested, level=level, names=(num, den), periods=per, order=where
        )
        rule = {
            "max": "the largest exact report where sources disagree",
            "min": "the smallest exact report where sources disagree",
            "agree": "only periods whose exact reports agree",
        }[conflict]
        extra.append(f"Counts per period: {rule}; lower bounds alone are not counts.")
        out_ratios[f"{num}/{den}"] = UnitRatio(**{**r.__dict__, "notes": (*r.notes, *extra)})
    period_totals = pd.concat(totals_rows, ignore_index=True) if totals_rows else pd.DataFrame()
    keep_cols = [
        "period",
        "day",
        "unit",
        "value",
        "qualifier",
        "source_name",
        "source_url",
        "source_ref",
        "record_id",
        "origin_table",
    ]
    ent = entries[[c for c in keep_cols if c in entries.columns]].reset_index(drop=True)
    return Ledger(
        ledger=led,
        entries=ent,
        ratios=out_ratios,
        period_totals=period_totals,
        freq=freq,
        actor=actor,
        units=tuple(units_present),
        notes=tuple(notes),
    )
