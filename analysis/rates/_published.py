"""check_published_claim: a published claim checked against every curated source that covers it.

The seed quote of the project ("an average of five a day and eight drones
launched over a 24-hour period in the past week", JNS 2024-11-04) is two
rows of ``data/curated/reported_figures.csv``: a ``rate_per_day`` figure and a
``max_per_day`` figure. This module checks both against

1. each published total of the same actor whose period overlaps the claim's
   (claims and launches, each in its own unit): the rate per day of
   :func:`figure_rate_table` with its interval, and for exact totals
   :func:`check_claim` (p-value; probability of a day with the claimed
   maximum or more);
2. the daily rate implied by all the actor's published claim totals at once
   (:func:`estimate_rates_from_figures`), over the claim's period;
3. the day-level claims (:func:`analysis.load_iri_claims_daily`): the largest
   tally reported for each day is a lower bound for that day, so their sum
   is a lower bound for the period (days without a row are unknown, not
   zero): the claim is refuted only if it is below the one-sided lower
   confidence limit of that bound;
4. alert incidents, where the alert history overlaps the claim's period.

Every row names its unit: a claim (what a group says it did) is not a launch
(what a military counted) and neither is an alert incident.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import add_source_line, get_ax
from analysis._format import unit_plural
from analysis._results import Result

__all__ = ["ClaimEvidence", "check_published_claim"]

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "evidence",
    "figure_id",
    "unit",
    "period_start",
    "period_end",
    "days",
    "observed",
    "qualifier",
    "rate",
    "ci_low",
    "ci_high",
    "rate_verdict",
    "largest_day",
    "max_verdict",
    "critical_design_effect",
    "source_name",
    "source_url",
)


def _verdict(claimed: float, low: float, high: float, lower_bound: bool) -> str:
    if lower_bound:
        return "consistent (lower bound only)" if claimed >= low else "inconsistent"
    return "consistent" if low <= claimed <= high else "inconsistent"


@dataclass(frozen=True, repr=False)
class ClaimEvidence(Result):
    """A published claim and the evidence of each curated source on it.

    Attributes
    ----------
    claim : dict
        The claim as curated: ``rate_figure`` and ``max_figure`` ids,
        ``claimed_rate`` (per day), ``claimed_max`` (in one day), ``unit``,
        ``actor``, ``period_start``, ``period_end``, ``source_name``, ``source_url``.
    table : pandas.DataFrame
        One row per piece of evidence, columns :data:`EVIDENCE_COLUMNS`:
        rates per day in the row's ``unit``, ``rate_verdict`` on the claimed
        average and ``max_verdict`` on the claimed daily maximum.
    implied : Any
        The :class:`~analysis.rates._figures.FigureClaimCheck` of the rate
        implied by all the actor's claim totals (None when not computed).
    level : float
        Confidence level.
    notes : tuple of str
        Caveats in words.
    """

    claim: dict[str, Any]
    table: pd.DataFrame
    implied: Any
    level: float
    notes: tuple[str, ...]
    checks: dict[str, Any] = field(default_factory=dict)

    def check_for(self, figure_id: str) -> Any:
        """The :func:`check_claim` result of the claim against one exact published total.

        Parameters
        ----------
        figure_id : str
            The ``figure_id`` of an exact total in :attr:`table` (column ``figure_id``).

        Returns
        -------
        ClaimCheck
            With its ``verdict``, ``sensitivity`` (the verdict at larger design
            effects) and the daily-maximum fields.

        Raises
        ------
        KeyError
            When the figure is not an exact total of the evidence.
        """
        if figure_id not in self.checks:
            raise KeyError(
                f"figure_id {figure_id!r} is not an exact total of this evidence; "
                f"these are: {sorted(self.checks)}"
            )
        return self.checks[figure_id]

    def to_frame(self) -> pd.DataFrame:
        """The evidence table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """The claim and the evidence as JSON-friendly values."""
        from analysis._format import jsonable, records

        return {
            "claim": jsonable(self.claim),
            "evidence": records(self.table),
            "level": self.level,
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """One sentence per piece of evidence, each naming its unit."""
        c = self.claim
        unit = unit_plural(c["unit"])
        most = (
            "" if math.isnan(c["claimed_max"]) else f" and {c['claimed_max']:g} {unit} in one day"
        )
        lines = [
            f"Claim: an average of {c['claimed_rate']:g} {unit} per day{most}, "
            f"{c['period_start']:%Y-%m-%d} to {c['period_end']:%Y-%m-%d} ({c['source_name']})."
        ]
        r: Any
        for r in self.table.itertuples():
            period = (
                f"{r.period_start:%Y-%m-%d}"
                if r.period_start == r.period_end
                else f"{r.period_start:%Y-%m-%d} to {r.period_end:%Y-%m-%d}"
            )
            if not math.isfinite(r.rate):
                lines.append(f"{unit_plural(r.unit).capitalize()}: {r.rate_verdict}.")
                continue
            high = "no upper limit" if not math.isfinite(r.ci_high) else f"{r.ci_high:.2f}"
            words = unit_plural(r.unit)
            days = f"{r.days} day" + ("" if r.days == 1 else "s")
            seen = f"{r.observed:g} {words} in {days}" if math.isfinite(r.observed) else days
            lines.append(
                f"{r.evidence}: {seen} ({period}), {r.rate:.2f} {words} per day "
                f"({self.level:.0%} interval {r.ci_low:.2f} to "
                f"{high}): {r.rate_verdict} with the claimed {c['claimed_rate']:g} {unit} per day; "
                f"daily maximum: {r.max_verdict}."
            )
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        frame = self.table.copy()
        for col in ("period_start", "period_end"):
            frame[col] = frame[col].dt.strftime("%Y-%m-%d")
        body = frame.drop(columns=["source_url"]).to_html(
            index=False, escape=True, float_format=lambda x: f"{x:.2f}", na_rep=""
        )
        notes = "".join(f"<p>{html.escape(n)}</p>" for n in self.notes)
        return f"<pre>{html.escape(self.summary().splitlines()[0])}</pre>{body}{notes}"

    def plot(self, ax: Any = None) -> Any:
        """Rates per day with intervals, one row per evidence, and the claimed rate as a line."""
        ax = get_ax(ax, figsize=(9, 0.45 * len(self.table) + 1.6))
        rows = self.table[np.isfinite(self.table["rate"].to_numpy(dtype=float))]
        y = np.arange(len(rows))[::-1]
        r: Any
        for yi, r in zip(y, rows.itertuples(), strict=True):
            bound = not math.isfinite(r.ci_high)
            colour = {"claim": "C0", "launch": "C1", "alert incident": "C2"}.get(r.unit, "C4")
            right = r.ci_high if not bound else max(r.rate, r.ci_low) * 1.8
            ax.plot([r.ci_low, right], [yi, yi], color=colour, lw=1.3, ls="--" if bound else "-")
            if bound:
                ax.annotate(
                    "",
                    xy=(right, yi),
                    xytext=(r.ci_low, yi),
                    arrowprops={"arrowstyle": "->", "color": colour},
                )
            ax.plot(
                [r.rate],
                [yi],
                marker=">" if bound else "o",
                color=colour,
                mfc="white" if bound else colour,
                ls="none",
                ms=7,
            )
        ax.set_yticks(y)
        ax.set_yticklabels([f"{r.evidence} [{unit_plural(r.unit)}]" for r in rows.itertuples()])
        ax.axvline(
            self.claim["claimed_rate"],
            color="0.2",
            ls=":",
            lw=1.2,
            label=f"claimed: {self.claim['claimed_rate']:g} per day",
        )
        ax.set_xlabel("events per day, in each row's unit (claims, launches, alert incidents)")
        ax.set_xlim(left=0)
        ax.legend(loc="lower right", fontsize="small")
        ax.set_title(
            f"'{self.claim['claimed_rate']:g} a day' against each source "
            f"({self.level:.0%} intervals; "
            "open triangle: lower bound)",
            loc="left",
        )
        add_source_line(
            ax,
            "Sources: data/curated/reported_figures.csv and iri_claims_daily.csv "
            "(each row names its source)",
        )
        return ax


def _critical_de(row: dict[str, Any], claimed: float, level: float) -> float:
    """Smallest design effect at which an 'inconsistent' total would be consistent (NaN if none).

    The interval of a total ``k`` at design effect ``DE`` is the Garwood interval of
    ``k / DE`` times ``DE`` (:func:`figure_rate_table`); it widens as ``DE`` grows, so
    the verdict turns at one value, found by bisection on [1, 1000].
    """
    from analysis.rates._figure_table import figure_rate_table

    if not str(row["rate_verdict"]).startswith("inconsistent"):
        return math.nan
    if row["qualifier"] not in ("exact", "at_least", "about") or not math.isfinite(row["observed"]):
        return math.nan

    def consistent(de: float) -> bool:
        one = pd.DataFrame(
            {
                "period_start": [row["period_start"]],
                "period_end": [row["period_end"]],
                "value": [row["observed"]],
                "qualifier": [row["qualifier"]],
                "unit": [row["unit"]],
            }
        )
        r = figure_rate_table(one, level=level, design_effect=de).iloc[0]
        return bool(r["ci_low"] <= claimed <= r["ci_high"])

    lo, hi = 1.0, 1000.0
    if not consistent(hi):
        return math.inf
    for _ in range(50):
        mid = math.sqrt(lo * hi)
        lo, hi = (lo, mid) if consistent(mid) else (mid, hi)
    return hi


def _row_by_id(figures: pd.DataFrame, figure_id: str, name: str) -> pd.Series:
    if not isinstance(figure_id, str):
        raise TypeError(f"{name} must be a figure_id string, not {type(figure_id).__name__}")
    hit = figures[figures["figure_id"] == figure_id]
    if len(hit) != 1:
        raise ValueError(f"{name}={figure_id!r} is not a figure_id of figures ({len(hit)} rows)")
    return hit.iloc[0]


def check_published_claim(
    figures: pd.DataFrame,
    daily: pd.DataFrame | None = None,
    *,
    rate_figure: str = "jns-iri-drone-rate-recent-weeks",
    max_figure: str | None = "jns-iri-drone-max-24h",
    alert_counts: pd.Series | None = None,
    implied: bool = True,
    design_effect: float = 1.0,
    level: float = 0.95,
    progress: bool = False,
) -> ClaimEvidence:
    """Check a published average (and daily maximum) against every curated source on it.

    Parameters
    ----------
    figures : pandas.DataFrame
        :func:`analysis.load_reported_figures`.
    daily : pandas.DataFrame, optional
        :func:`analysis.load_iri_claims_daily` (the day-level claims).
    rate_figure : str
        ``figure_id`` of the claimed average (``measure`` ``rate_per_day``).
    max_figure : str or None
        ``figure_id`` of the claimed daily maximum (``measure`` ``max_per_day``).
    alert_counts : pandas.Series, optional
        Daily alert-incident counts (e.g. drone incidents); used where they
        overlap the claim's period, and said when they do not.
    implied : bool, default True
        Also fit the rate implied by all the actor's claim totals (a few seconds).
    design_effect : float, default 1.0
        Assumed variance of a total over its Poisson variance (>= 1), for the
        intervals of the published totals and of the day-level lower bound
        (:func:`figure_rate_table`). A total cannot estimate it. At 1 a lower
        bound rejects a true rate too often when the days are overdispersed
        or persistent (measured on SIMULATED 14-day windows at 5 a day, every
        day reported exactly, 2,000 each, s.e. at most 0.009: false rejection
        0.043 for Poisson days, 0.12 for negative-binomial size-5 days, 0.20
        with a latent AR(1) of persistence 0.8 as well; at the true design
        effect, 1.9 and 4.9, 0.048 and 0.044). ``critical_design_effect``
        says how large it must be for a verdict to turn.
    level : float, default 0.95
        Confidence level.
    progress : bool, default False
        Show a progress bar over the fits of the published-figures model
        (:func:`analysis.estimate_rates_from_figures`; after two seconds).

    Returns
    -------
    ClaimEvidence

    Raises
    ------
    TypeError, ValueError
        An unknown figure id, a figure of the wrong measure, or bad types;
        the message names the parameter.

    Examples
    --------
    >>> import analysis as it
    >>> ev = check_published_claim(it.load_reported_figures(), implied=False)
    >>> ev.claim["claimed_rate"], ev.claim["claimed_max"]
    (5.0, 8.0)
    >>> "2024-10-29..2024-11-04 (Washington Institute)" in set(ev.table["evidence"])
    True
    """
    from analysis.rates._claim import check_claim
    from analysis.rates._figure_table import figure_rate_table
    from analysis.rates._figures import estimate_rates_from_figures
    from analysis.rates._inputs import check_level

    level = check_level(level)
    if not isinstance(figures, pd.DataFrame):
        raise TypeError(f"figures must be a DataFrame, not {type(figures).__name__}")
    rate_row = _row_by_id(figures, rate_figure, "rate_figure")
    if rate_row.get("measure") != "rate_per_day":
        raise ValueError(f"rate_figure={rate_figure!r} is not a rate_per_day figure")
    claimed = float(rate_row["value"])
    claimed_max = math.nan
    if max_figure is not None:
        max_row = _row_by_id(figures, max_figure, "max_figure")
        if max_row.get("measure") != "max_per_day":
            raise ValueError(f"max_figure={max_figure!r} is not a max_per_day figure")
        claimed_max = float(max_row["value"])
    a, b = pd.Timestamp(rate_row["period_start"]), pd.Timestamp(rate_row["period_end"])
    actor = rate_row["actor"]
    kmax = None if math.isnan(claimed_max) else int(claimed_max)
    claim = {
        "rate_figure": rate_figure,
        "max_figure": max_figure,
        "claimed_rate": claimed,
        "claimed_max": claimed_max,
        "unit": str(rate_row["unit"]),
        "actor": actor,
        "period_start": a,
        "period_end": b,
        "source_name": rate_row["source_name"],
        "source_url": rate_row["source_url"],
    }
    rows: list[dict[str, Any]] = []
    notes: list[str] = []

    # 1. every published total of the actor whose period overlaps the claim's
    mine = figures[
        (figures["actor"] == actor)
        & (figures["measure"] == "count")
        & (figures["unit"].isin(["claim", "launch"]))
        & (figures["target"] == rate_row["target"])
        & (figures["period_start"] <= b)
        & (figures["period_end"] >= a)
    ]
    table = figure_rate_table(mine, level=level, design_effect=design_effect)
    checks: dict[str, Any] = {}
    r: Any
    for r in table.itertuples():
        max_verdict = "cannot be checked from a total"
        if r.qualifier == "exact" and kmax is not None:
            chk = check_claim(
                total=int(r.value),
                exposure=int(r.days),
                claimed_rate=claimed,
                max_in_a_day=kmax,
                level=level,
                label=unit_plural(str(r.unit)),
            )
            checks[str(r.figure_id)] = chk
            if chk.max_probability is not None:
                max_verdict = (
                    f"not checkable from a total; at the estimated rate a day with {kmax} or "
                    f"more in {r.days} days has probability {chk.max_probability:.2f} "
                    "(independent Poisson days)"
                )
        rows.append(
            {
                "evidence": str(r.label),
                "figure_id": r.figure_id,
                "unit": str(r.unit),
                "period_start": r.period_start,
                "period_end": r.period_end,
                "days": int(r.days),
                "observed": float(r.value),
                "qualifier": str(r.qualifier),
                "rate": float(r.rate),
                "ci_low": float(r.ci_low),
                "ci_high": float(r.ci_high),
                "rate_verdict": _verdict(claimed, r.ci_low, r.ci_high, bool(r.lower_bound)),
                "largest_day": math.nan,
                "max_verdict": max_verdict,
                "source_name": r.source_name,
                "source_url": r.source_url,
            }
        )

    # 2. the rate implied by all the actor's claim totals, over the claim's period
    fit_check = None
    if implied:
        pool = figures[
            (figures["actor"] == actor)
            & (figures["unit"] == "claim")
            & (figures["measure"] == "count")
            & (figures["target"] == rate_row["target"])
            & (figures["weapon"].isin(["unknown", "mixed"]))
        ].drop(columns=["weapon"])
        fit = estimate_rates_from_figures(pool, level=level, progress=progress)
        fit_check = fit.check(claimed, (a, b))
        p = fit_check.implied
        rows.append(
            {
                "evidence": f"rate implied by {len(pool)} claim totals (all weapons)",
                "unit": "claim",
                "period_start": p.start,
                "period_end": p.end,
                "days": int(p.days),
                "observed": math.nan,
                "qualifier": "model",
                "rate": float(p.rate),
                "ci_low": float(p.ci_low),
                "ci_high": float(p.ci_high),
                "rate_verdict": "consistent" if fit_check.consistent else "inconsistent",
                "largest_day": math.nan,
                "max_verdict": "not addressed by totals",
                "source_name": "estimate_rates_from_figures",
                "source_url": pd.NA,
            }
        )

    # 3. the day-level claims: a lower bound for the period
    if daily is not None:
        days_in = (daily["date"] >= a) & (daily["date"] <= b) & (daily["unit"] == "claim")
        if "actor" in daily.columns:
            days_in &= daily["actor"] == actor
        sub = daily[days_in].dropna(subset=["value"])
        n_days = (b - a).days + 1
        if len(sub):
            per_day = sub.groupby("date")["value"].max().astype(int)
            exact = sub[sub["qualifier"] == "exact"]
            largest = int(exact["value"].max()) if len(exact) else int(per_day.max())
            largest_day: Any = (
                pd.Timestamp(exact["date"].to_numpy()[int(exact["value"].to_numpy().argmax())])
                if len(exact)
                else per_day.idxmax()
            )
            total = int(per_day.sum())
            bound = figure_rate_table(
                pd.DataFrame(
                    {
                        "period_start": [a],
                        "period_end": [b],
                        "value": [total],
                        "qualifier": ["at_least"],
                        "unit": ["claim"],
                    }
                ),
                level=level,
                design_effect=design_effect,
            ).iloc[0]
            if kmax is None:
                max_verdict = "no maximum claimed"
            elif largest >= kmax:
                max_verdict = f"a day with {largest} claims is recorded ({largest_day:%Y-%m-%d})"
            else:
                max_verdict = (
                    f"no curated day reaches {kmax}: the largest tally is {largest} claims "
                    f"({largest_day:%Y-%m-%d}); {n_days - len(per_day)} of the {n_days} days have "
                    "no row (unknown), so this cannot refute it"
                )
            rows.append(
                {
                    "evidence": "day-level claims: largest tally of each of "
                    f"{len(per_day)} days with a row",
                    "unit": "claim",
                    "period_start": a,
                    "period_end": b,
                    "days": n_days,
                    "observed": float(total),
                    "qualifier": "at_least",
                    "rate": total / n_days,
                    "ci_low": float(bound["ci_low"]),
                    "ci_high": math.inf,
                    "rate_verdict": _verdict(claimed, float(bound["ci_low"]), math.inf, True),
                    "largest_day": float(largest),
                    "max_verdict": max_verdict,
                    "source_name": "data/curated/iri_claims_daily.csv",
                    "source_url": pd.NA,
                }
            )
            notes.append(
                "Day-level claims: the sources' tallies of one day conflict and are never summed; "
                "the largest of each day is taken as a lower bound for that day, and a day with no "
                "row is unknown, not zero."
            )

    # 4. alert incidents where the alert history overlaps the claim's period
    if alert_counts is not None:
        idx = pd.DatetimeIndex(alert_counts.index)
        naive = idx.tz_localize(None) if idx.tz is not None else idx
        inside = (naive >= a) & (naive <= b)
        last = naive.max()
        if inside.sum() == 0:
            rows.append(
                {
                    "evidence": f"alert incidents: the alert history ends {last:%Y-%m-%d}, "
                    f"before the claim's period",
                    "unit": "alert incident",
                    "period_start": a,
                    "period_end": b,
                    "days": 0,
                    "observed": math.nan,
                    "qualifier": "none",
                    "rate": math.nan,
                    "ci_low": math.nan,
                    "ci_high": math.nan,
                    "rate_verdict": (
                        f"no overlap: the alert history ends {last:%Y-%m-%d}, the claim covers "
                        f"{a:%Y-%m-%d} to {b:%Y-%m-%d}"
                    ),
                    "largest_day": math.nan,
                    "max_verdict": "no overlap",
                    "source_name": "Israel Home Front Command alert history",
                    "source_url": "https://github.com/dleshem/israel-alerts-data",
                }
            )
        else:
            window = alert_counts[inside]
            chk = check_claim(
                alert_counts,
                start=window.index[0],
                end=window.index[-1],
                claimed_rate=claimed,
                max_in_a_day=kmax,
                level=level,
                label="alert incidents",
            )
            est = chk.estimate
            rows.append(
                {
                    "evidence": f"alert incidents, {len(window)} days of overlap",
                    "unit": "alert incident",
                    "period_start": pd.Timestamp(window.index[0]).tz_localize(None),
                    "period_end": pd.Timestamp(window.index[-1]).tz_localize(None),
                    "days": len(window),
                    "observed": float(window.sum()),
                    "qualifier": "exact",
                    "rate": float(est.rate),
                    "ci_low": float(est.ci_low),
                    "ci_high": float(est.ci_high),
                    "rate_verdict": chk.decision
                    or ("consistent" if chk.consistent else "inconsistent"),
                    "largest_day": float(window.max()),
                    "max_verdict": chk.max_note or "",
                    "source_name": "Israel Home Front Command alert history",
                    "source_url": "https://github.com/dleshem/israel-alerts-data",
                }
            )
            notes.append(
                "Alert incidents are sirens clustered in time and area: a drone shot down outside "
                "Israel sets off none, one drone can set off many; they are not launches."
            )
    notes.append(
        f"Units: the claim is of {unit_plural(claim['unit'])} "
        f"({claim['source_name']}); published claims are what the group says it did, launches "
        "what a military counted. The check asks whether the numbers agree if one claim is about "
        "one launch."
    )
    notes.append(
        f"Intervals from a total alone assume a design effect of {design_effect:g}"
        + (" (independent Poisson days)" if design_effect == 1 else "")
        + "; real counts come in waves, so at 1 they are too narrow and an 'inconsistent' from "
        "a total is weaker than it looks: critical_design_effect is the design effect at which "
        "it would turn."
    )
    for row in rows:
        row["critical_design_effect"] = _critical_de(row, claimed, level)
    frame = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
    return ClaimEvidence(claim, frame, fit_check, level, tuple(notes), checks)
