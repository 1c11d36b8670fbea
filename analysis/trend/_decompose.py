"""STL decomposition of counts on a variance-stabilised scale."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import concise_dates, plot_x, require_matplotlib
from analysis._format import jsonable
from analysis._results import Result
from analysis.trend._design import WEEKDAYS
from analysis.trend._validate import read_counts


def anscombe(y: np.ndarray) -> np.ndarray:
    """Anscombe transform ``2 sqrt(y + 3/8)``: Poisson counts get variance about 1.

    Examples
    --------
    >>> anscombe(np.array([0, 6]))
    array([1.22474487, 5.04975247])
    """
    return 2.0 * np.sqrt(np.asarray(y, dtype=float) + 0.375)


def inverse_anscombe(z: np.ndarray) -> np.ndarray:
    """Approximate count scale of an Anscombe value: ``(z / 2)^2 - 1/8``, floored at 0.

    The plain algebraic inverse ``(z / 2)^2 - 3/8`` is biased low for a mean
    of transformed values; ``- 1/8`` is the asymptotically unbiased inverse
    (Anscombe 1948), adequate for rates above about 1 per period.
    """
    return np.clip((np.asarray(z, dtype=float) / 2.0) ** 2 - 0.125, 0.0, None)


def decompose(
    counts: pd.Series,
    *,
    period: int | Sequence[int] = 7,
    robust: bool = True,
) -> DecompositionResult:
    """Split counts into trend, seasonal cycle(s) and remainder with STL.

    STL (Cleveland et al. 1990; :class:`statsmodels.tsa.seasonal.STL`) assumes
    additive components with constant noise variance. Counts have variance
    growing with their mean, so the decomposition is done on the Anscombe
    scale ``z = 2 sqrt(y + 3/8)``, where Poisson noise has variance about 1
    whatever the rate. All components are on that scale; ``trend_rate``
    gives the trend back as an approximate count per period.

    Parameters
    ----------
    counts : pandas.Series
        Counts on a regular DatetimeIndex (usually daily; tz kept).
    period : int or sequence of int, default 7
        Seasonal period(s) in periods of the series: 7 for the weekly cycle of
        daily counts, 365 for a yearly one, ``(7, 365)`` for both (MSTL,
        :class:`statsmodels.tsa.seasonal.MSTL`). Each period needs at least
        three full cycles of data: STL smooths each cycle-subseries (e.g. all
        Mondays) with a local line, which goes through two or three points
        exactly, so with two cycles plus a few days the seasonal component
        took up the noise (simulated stationary Poisson, period 7, 15 days:
        remainder sd 0.05 instead of about 0.85).
    robust : bool, default True
        Robust STL fitting (down-weights outlying days such as a mass attack).

    Returns
    -------
    DecompositionResult
        ``trend``, ``seasonal``, ``resid`` (Series on the original index),
        ``seasonals`` (one column per period), ``weekly_profile``,
        ``trend_rate``, ``plot()``.

    Examples
    --------
    Simulated counts (not real incidents) with fewer events at weekends:

    >>> import numpy as np, pandas as pd
    >>> days = pd.date_range("2024-01-01", periods=84, freq="D")
    >>> mu = np.where(days.day_of_week >= 5, 2.0, 6.0)
    >>> y = pd.Series(np.random.default_rng(0).poisson(mu), index=days)
    >>> dec = decompose(y)
    >>> bool(dec.weekly_profile["Sat"] < 0 < dec.weekly_profile["Mon"])
    True
    """
    series = read_counts(counts)
    periods = [int(period)] if isinstance(period, (int, np.integer)) else [int(p) for p in period]
    if not periods or any(p < 2 for p in periods) or len(set(periods)) != len(periods):
        raise ValueError(f"period must be one or more distinct integers >= 2 (got {period!r})")
    periods.sort()
    if series.total == 0:
        raise series.problem(
            f"every count is zero ({series.n} period(s)): there is nothing to decompose "
            "(and the Anscombe scale would report a trend of 0.25 per period)",
            "0",
        )
    n = len(series.values)
    if n < 3 * periods[-1]:
        raise series.problem(
            f"too short for period {periods[-1]}: {n} periods, need at least "
            f"{3 * periods[-1]} (three full cycles; with two, the seasonal smoother "
            "follows the noise and the remainder is about zero)"
        )
    z = pd.Series(anscombe(series.values), index=series.local)
    if len(periods) == 1:
        from statsmodels.tsa.seasonal import STL

        res = STL(z, period=periods[0], robust=robust).fit()
        seasonals = pd.DataFrame({f"seasonal_{periods[0]}": np.asarray(res.seasonal)})
    else:
        from statsmodels.tsa.seasonal import MSTL

        res = MSTL(z, periods=periods, stl_kwargs={"robust": robust}).fit()
        seasonals = pd.DataFrame(
            np.asarray(res.seasonal), columns=[f"seasonal_{p}" for p in periods]
        )
    seasonals.index = series.index
    return DecompositionResult(
        Components(
            observed=pd.Series(z.to_numpy(), index=series.index, name="observed"),
            trend=pd.Series(np.asarray(res.trend), index=series.index, name="trend"),
            seasonals=seasonals,
            resid=pd.Series(np.asarray(res.resid), index=series.index, name="resid"),
            periods=tuple(periods),
            robust=robust,
            daily=series.daily,
        )
    )


@dataclass(frozen=True)
class Components:
    """The STL output held by a DecompositionResult (internal)."""

    observed: pd.Series
    trend: pd.Series
    seasonals: pd.DataFrame
    resid: pd.Series
    periods: tuple[int, ...]
    robust: bool
    daily: bool


class DecompositionResult(Result):
    """STL components of a count series on the Anscombe scale ``2 sqrt(y + 3/8)``."""

    def __init__(self, parts: Components):
        self._p = parts

    @property
    def observed(self) -> pd.Series:
        """The transformed counts ``2 sqrt(y + 3/8)``."""
        return self._p.observed.copy()

    @property
    def trend(self) -> pd.Series:
        """Trend component (Anscombe scale)."""
        return self._p.trend.copy()

    @property
    def seasonal(self) -> pd.Series:
        """Sum of the seasonal components (Anscombe scale)."""
        return self._p.seasonals.sum(axis=1).rename("seasonal")

    @property
    def seasonals(self) -> pd.DataFrame:
        """One seasonal component per period (columns ``seasonal_<period>``)."""
        return self._p.seasonals.copy()

    @property
    def resid(self) -> pd.Series:
        """Remainder (Anscombe scale; about unit variance for Poisson counts)."""
        return self._p.resid.copy()

    @property
    def periods(self) -> tuple[int, ...]:
        """The seasonal periods used."""
        return self._p.periods

    @property
    def trend_rate(self) -> pd.Series:
        """Trend back on the count scale (approximate expected count per period)."""
        return pd.Series(
            inverse_anscombe(self._p.trend.to_numpy()), index=self._p.trend.index, name="trend_rate"
        )

    @property
    def weekly_profile(self) -> pd.Series | None:
        """Mean weekly seasonal effect per weekday, Mon..Sun (Anscombe scale).

        An effect of ``d`` at a rate ``mu`` is roughly ``d * sqrt(mu)`` counts.
        None unless the series is daily with a period-7 component.
        """
        if not self._p.daily or 7 not in self._p.periods:
            return None
        s = self._p.seasonals["seasonal_7"]
        days = pd.DatetimeIndex(s.index).day_of_week
        prof = s.groupby(days).mean()
        return pd.Series(
            [prof.get(d, np.nan) for d in range(7)],
            index=pd.Index(WEEKDAYS, name="weekday"),
            name="weekly_effect",
        )

    def to_frame(self) -> pd.DataFrame:
        """Columns ``observed, trend, seasonal_<p>..., resid`` on the original index."""
        return pd.concat(
            [self._p.observed, self._p.trend, self._p.seasonals, self._p.resid], axis=1
        )

    def summary(self) -> str:
        """Plain-text summary: periods, spread of each component, weekly profile."""
        lines = [
            f"STL decomposition ({'robust, ' if self._p.robust else ''}periods "
            f"{', '.join(map(str, self._p.periods))}) of {len(self._p.trend)} periods on the "
            "Anscombe scale 2*sqrt(y + 3/8)",
            f"trend from {self._p.trend.iloc[0]:.2f} to {self._p.trend.iloc[-1]:.2f} "
            f"(about {self.trend_rate.iloc[0]:.2f} to {self.trend_rate.iloc[-1]:.2f} per period)",
        ]
        for col in self._p.seasonals:
            lines.append(f"{col}: standard deviation {self._p.seasonals[col].std():.3f}")
        lines.append(f"remainder: standard deviation {self._p.resid.std():.3f}")
        prof = self.weekly_profile
        if prof is not None:
            lines.append("weekly profile: " + ", ".join(f"{d} {v:+.2f}" for d, v in prof.items()))
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary (components as date -> value)."""
        prof = self.weekly_profile
        return jsonable(
            {
                "periods": list(self._p.periods),
                "robust": self._p.robust,
                "scale": "anscombe 2*sqrt(y+3/8)",
                "weekly_profile": None if prof is None else {k: float(v) for k, v in prof.items()},
                "components": {
                    col: {str(k): float(v) for k, v in s.items()}
                    for col, s in self.to_frame().items()
                },
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Plot the decomposition.

        Without ``ax``: one panel per component (observed, trend, each
        seasonal cycle, remainder) in a new Figure, which is returned. With
        ``ax``: the observed values, the trend and trend plus seasonal cycles
        on that Axes (Anscombe scale), which is returned.
        """
        p = self._p
        x = plot_x(p.observed.index)
        if ax is not None:
            ax.plot(x, p.observed.to_numpy(), lw=0.6, color="0.6", label="observed")
            fitted = p.trend + p.seasonals.sum(axis=1)
            ax.plot(x, fitted.to_numpy(), lw=0.8, color="C2", label="trend + seasonal")
            ax.plot(x, p.trend.to_numpy(), lw=1.6, color="C0", label="trend")
            ax.set_ylabel("2 sqrt(y + 3/8)")
            ax.set_title("STL decomposition on the Anscombe scale")
            ax.legend(loc="best", fontsize="small")
            return concise_dates(ax)
        require_matplotlib()
        from matplotlib.figure import Figure

        fig = Figure(figsize=(9, 8), layout="constrained")
        axes = fig.subplots(3 + len(p.periods), 1, sharex=True)
        axes[0].plot(x, p.observed.to_numpy(), lw=0.8, color="0.3")
        axes[0].set_ylabel("2 sqrt(y + 3/8)")
        axes[0].set_title("STL decomposition on the Anscombe scale")
        axes[1].plot(x, p.trend.to_numpy(), color="C0")
        axes[1].set_ylabel("trend")
        for k, col in enumerate(p.seasonals, start=2):
            axes[k].plot(x, p.seasonals[col].to_numpy(), lw=0.8, color="C2")
            axes[k].set_ylabel(str(col).replace("_", " "))
        axes[-1].plot(x, p.resid.to_numpy(), ".", ms=2, color="C3")
        axes[-1].axhline(0, color="grey", lw=0.8)
        axes[-1].set_ylabel("remainder")
        concise_dates(axes[-1])
        return fig
