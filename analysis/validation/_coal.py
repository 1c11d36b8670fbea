"""The coal-mining disasters change point against the literature.

The British coal-mining disasters of 1851-1962 (Jarrett 1979) are the classic
test of Poisson change-point methods: the literature places one change in the
rate around 1890-1891, from about 3 to about 1 disaster a year (Raftery and
Akman 1986, who analysed Jarrett's corrected series; see also
:mod:`analysis.io.reference`). :func:`coal_changepoint` runs the package's
default detector on the yearly counts and says whether its answer agrees:
the literature's years inside the 95% location interval, and the literature's
rates inside the segment-rate intervals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis._results import Result

__all__ = ["COAL_LITERATURE", "CoalCheck", "coal_changepoint"]

#: What the literature reports about the coal-mining series (one row per source).
COAL_LITERATURE = pd.DataFrame(
    {
        "source": [
            "Raftery, A. E. and Akman, V. E. (1986). Bayesian analysis of a Poisson process "
            "with a change-point. Biometrika 73(1), 85-89",
        ],
        "data": ["Jarrett (1979), Biometrika 66(1), 191-193: the corrected disaster dates"],
        "reports": [
            "one change in the rate of disasters around 1890-1891, from about 3 to about 1 a year"
        ],
        "change_from_year": [1890],
        "change_to_year": [1891],
        "rate_before_per_year": [3.0],
        "rate_after_per_year": [1.0],
    }
)


@dataclass(frozen=True, repr=False)
class CoalCheck(Result):
    """The detected change in the coal-mining series beside the literature's.

    Attributes
    ----------
    result : ChangepointResult
        :func:`analysis.detect_changepoints` on the yearly counts.
    literature : pandas.DataFrame
        :data:`COAL_LITERATURE`.
    table : pandas.DataFrame
        One row per literature source: the detected first year of the new
        segment, its location interval, the segment rates with intervals,
        and whether the literature's years and rates fall inside them.
    """

    result: Any
    literature: pd.DataFrame
    table: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The comparison table (a copy)."""
        return self.table.copy()

    def to_dict(self) -> dict[str, Any]:
        """The comparison as records."""
        from analysis._format import records

        return {"comparison": records(self.table)}

    def summary(self) -> str:
        """The detected change, the literature's, and whether they agree, in words."""
        lines = []
        r: Any
        for r in self.table.itertuples():
            lines.append(
                f"Detected: {r.changes} change(s); the new rate starts in {r.detected_year} "
                f"(95% location interval {r.interval_from_year}-{r.interval_to_year}); "
                f"{r.rate_before:.2f} disasters a year before "
                f"({r.before_low:.2f}-{r.before_high:.2f}), "
                f"{r.rate_after:.2f} after ({r.after_low:.2f}-{r.after_high:.2f})."
            )
            lines.append(f"{r.source} reports {r.reports}.")
            lines.append(
                "The literature's change years are "
                + ("inside" if r.years_agree else "outside")
                + " the location interval; its rates are "
                + ("inside" if r.rates_agree else "not both inside")
                + " the segment-rate intervals."
            )
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """The yearly counts, the detected segments, and the literature's change years shaded."""
        from analysis._draw import add_source_line

        ax = self.result.plot(ax=ax)
        r: Any
        for r in self.literature.itertuples():
            ax.axvspan(
                pd.Timestamp(f"{r.change_from_year}-01-01"),
                pd.Timestamp(f"{r.change_to_year}-12-31"),
                color="0.2",
                alpha=0.15,
                label=f"literature: {r.change_from_year}-{r.change_to_year}",
            )
        ax.legend(loc="upper right", fontsize="small")
        for loc in ("left", "center", "right"):
            ax.set_title("", loc=loc)  # the change-point plot's own title gives way
        ax.set_ylabel("disasters per year")
        ax.set_xlabel("year")
        ax.set_title(
            "British coal-mining disasters per year, 1851-1962: the detected change "
            "and the change years in the literature",
            loc="left",
        )
        add_source_line(
            ax,
            "Source: Jarrett (1979), Biometrika 66:191-193, via R's boot::coal "
            "(data/reference/coal_mining_disasters.csv)",
        )
        return ax


def coal_changepoint(level: float = 0.95) -> CoalCheck:
    """Detect the change in the coal-mining disasters and compare it with the literature.

    Parameters
    ----------
    level : float, default 0.95
        Level of the location and segment-rate intervals.

    Returns
    -------
    CoalCheck

    Examples
    --------
    >>> check = coal_changepoint()
    >>> bool(check.table["years_agree"].iloc[0]), int(check.table["changes"].iloc[0])
    (True, 1)
    """
    from analysis.changepoints import detect_changepoints
    from analysis.io.reference import load_coal_mining_disasters

    counts = load_coal_mining_disasters(as_counts=True)
    result = detect_changepoints(counts, level=level)
    rows = []
    r: Any
    for r in COAL_LITERATURE.itertuples():
        if result.n_changes == 0:
            rows.append(
                {
                    "source": r.source,
                    "reports": r.reports,
                    "changes": 0,
                    "years_agree": False,
                    "rates_agree": False,
                }
            )
            continue
        k = (
            0
            if result.n_changes == 1
            else int(
                abs(
                    pd.Series(pd.DatetimeIndex(result.changepoints).year) - r.change_to_year
                ).idxmin()
            )
        )
        iv = result.intervals.iloc[k]
        seg = result.segments
        before, after = seg.iloc[k], seg.iloc[k + 1]
        # the change year is the first year of the new segment; a change "in 1890-1891"
        # means the new rate starts in 1891 or 1892
        first_new = (r.change_from_year + 1, r.change_to_year + 1)
        lo_y, hi_y = int(iv["low"].year), int(iv["high"].year)
        rows.append(
            {
                "source": r.source,
                "reports": r.reports,
                "changes": int(result.n_changes),
                "detected_year": int(iv["changepoint"].year),
                "interval_from_year": lo_y,
                "interval_to_year": hi_y,
                "rate_before": float(before["rate"]),
                "before_low": float(before["ci_low"]),
                "before_high": float(before["ci_high"]),
                "rate_after": float(after["rate"]),
                "after_low": float(after["ci_low"]),
                "after_high": float(after["ci_high"]),
                "years_agree": bool(lo_y <= first_new[1] and first_new[0] <= hi_y),
                "rates_agree": bool(
                    before["ci_low"] <= r.rate_before_per_year <= before["ci_high"]
                    and after["ci_low"] <= r.rate_after_per_year <= after["ci_high"]
                ),
            }
        )
    return CoalCheck(result, COAL_LITERATURE.copy(), pd.DataFrame(rows))
