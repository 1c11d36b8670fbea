"""rolling_rate and RollingRateResult: trailing-window rates with a band."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset, Day, Tick

from analysis._rates._estimate import METHOD_NAMES
from analysis._rates._format import concise_date_ticks, fmt_num, jsonable
from analysis._rates._inputs import check_level, naive_index, parse_per, validate_counts
from analysis._rates._numerics import garwood, negbin_interval
from analysis._results import Result, get_ax


@dataclass(frozen=True, repr=False)
class RollingRateResult(Result):
    """Trailing-window rates with their bands.

    Attributes
    ----------
    frame : pandas.DataFrame
        Columns ``rate, ci_low, ci_high`` (per ``per``), ``events``,
        ``exposure`` (days), indexed like the counts; NaN where the window is
        not yet full.
    counts : pandas.Series
        The counts the rates were computed from.
    window : str
        The window, e.g. "7D".
    periods : int
        Number of periods in a window.
    level, per, method
        As passed.
    """

    frame: pd.DataFrame
    counts: pd.Series
    window: str
    periods: int
    level: float
    per: str
    method: str

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table of rates (one row per period)."""
        return self.frame.copy()

    def summary(self) -> str:
        """Latest and highest windowed rate."""
        full = self.frame.dropna(subset=["rate"])
        head = (
            f"Trailing {self.window} rate per {self.per} ({self.level:.0%} band, "
            f"{METHOD_NAMES[self.method]}), {len(full)} full windows"
        )
        if full.empty:
            return head + " (the series is shorter than the window)."
        top_pos = int(np.argmax(full["rate"].to_numpy()))
        last, top = full.iloc[-1], full.iloc[top_pos]
        dates = pd.DatetimeIndex(full.index)
        return (
            f"{head}; latest ({dates[-1].date()}): {_triple(last)}; "
            f"highest ({dates[top_pos].date()}): {_triple(top)}."
        )

    def to_dict(self) -> dict[str, Any]:
        """Window settings and the rows as lists (dates as ISO strings, NaN as None)."""
        return {
            "window": self.window,
            "periods": self.periods,
            "level": self.level,
            "per": self.per,
            "method": self.method,
            "date": [ts.isoformat() for ts in self.frame.index],
            **{
                col: [jsonable(float(v)) for v in self.frame[col].to_numpy()]
                for col in self.frame.columns
            },
        }

    def plot(self, ax: Any = None, *, show_counts: bool = True, color: str | None = None) -> Any:
        """Draw counts as points, the rate line and its band; return the Axes.

        Counts are drawn only when ``per`` matches the period (a daily rate
        over daily counts); pass ``show_counts=False`` when bars are already
        drawn on ``ax``.
        """
        ax = get_ax(ax)
        x = naive_index(pd.DatetimeIndex(self.frame.index))
        if show_counts and self.counts is not None:
            ax.plot(x, self.counts.to_numpy(), ".", color="0.55", ms=3, label="count per period")
        (line,) = ax.plot(
            x, self.frame["rate"], color=color, lw=1.6, label=f"{self.window} rate per {self.per}"
        )
        ax.fill_between(
            x,
            self.frame["ci_low"],
            self.frame["ci_high"],
            color=line.get_color(),
            alpha=0.25,
            lw=0,
            label=f"{self.level:.0%} band",
        )
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
        concise_date_ticks(ax)
        return ax


def _triple(row: pd.Series) -> str:
    """``rate (low-high)`` with the decimals the rate needs."""
    ref = row["rate"] if row["rate"] > 0 else row["ci_high"]
    return (
        f"{fmt_num(row['rate'], ref)} "
        f"({fmt_num(row['ci_low'], ref)}-{fmt_num(row['ci_high'], ref)})"
    )


def _window_periods(window: str | int, offset: BaseOffset) -> int:
    if isinstance(offset, Day):
        step = pd.Timedelta(days=offset.n)
    elif isinstance(offset, Tick):
        step = pd.Timedelta(offset)
    else:
        raise ValueError(
            f"rolling_rate needs counts with a fixed period (daily or shorter), not {offset!r}"
        )
    if isinstance(window, int | np.integer) and not isinstance(window, bool):
        periods = int(window)
    else:
        try:
            width = pd.Timedelta(window)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"window={window!r} is not a duration such as '7D'") from exc
        ratio = width / step
        if ratio < 1 or not float(ratio).is_integer():
            raise ValueError(f"window={window!r} is not a whole number of {step} periods")
        periods = int(ratio)
    if periods < 1:
        raise ValueError(f"window must cover at least one period, not {window!r}")
    return periods


def rolling_rate(
    counts: pd.Series,
    *,
    window: str | int = "7D",
    level: float = 0.95,
    per: str | float = "day",
    method: str = "poisson",
) -> RollingRateResult:
    """Trailing-window rate with an interval band, one value per period.

    Parameters
    ----------
    counts : pandas.Series
        Regular counts with a fixed period (daily, or shorter), zeros included.
    window : str or int, default "7D"
        Window length as a duration (a whole number of periods) or a number of
        periods. The value at date t uses the periods t - window + 1 .. t.
    level : float, default 0.95
        Level of the band.
    per : str or float, default "day"
        Unit of the rate (see :func:`estimate_rate`).
    method : {"poisson", "negbin"}, default "poisson"
        ``"poisson"``: exact Garwood band per window. ``"negbin"``: the
        overdispersion-robust interval of :func:`estimate_rate` in every
        window (the dispersion is estimated from the window's counts alone,
        so it is noisy for short windows).

    Returns
    -------
    RollingRateResult
        ``to_frame()`` has columns ``rate, ci_low, ci_high, events,
        exposure``. The first ``window - 1`` periods are NaN: a partial
        window is a different, shorter measurement, not the same rate.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series([3, 5, 4, 6, 2, 5, 8, 9],
    ...               index=pd.date_range("2024-01-01", periods=8, freq="D"))  # simulated
    >>> rr = rolling_rate(s, window="7D")
    >>> rr.to_frame()["events"].tolist()[-2:]
    [33.0, 39.0]
    """
    level = check_level(level)
    per_label, per_days = parse_per(per)
    if method not in ("poisson", "negbin"):
        raise ValueError(f"rolling_rate method must be 'poisson' or 'negbin', not {method!r}")
    c = validate_counts(counts)
    periods = _window_periods(window, c.offset)
    values = pd.Series(c.values.astype(float), index=counts.index)
    events = values.rolling(periods, min_periods=periods).sum()
    days = pd.Series(c.period_days, index=counts.index).rolling(periods, min_periods=periods).sum()
    scale = per_days / days.to_numpy()
    if method == "poisson":
        low, high = garwood(events.to_numpy(), level)
        rate = events.to_numpy() * scale
        low, high = low * scale, high * scale
    else:
        rate = np.full(len(values), np.nan)
        low, high = rate.copy(), rate.copy()
        if len(values) >= periods:
            windows = np.lib.stride_tricks.sliding_window_view(c.values, periods)
            mean, lo, hi, _ = negbin_interval(windows, level)
            per_period = per_days / (days.to_numpy()[periods - 1 :] / periods)
            rate[periods - 1 :] = mean * per_period
            low[periods - 1 :] = lo * per_period
            high[periods - 1 :] = hi * per_period
    frame = pd.DataFrame(
        {"rate": rate, "ci_low": low, "ci_high": high, "events": events, "exposure": days},
        index=counts.index,
    )
    label = window if isinstance(window, str) else f"{periods}-period"
    return RollingRateResult(
        frame=frame,
        counts=counts,
        window=label,
        periods=periods,
        level=level,
        per=per_label,
        method=method,
    )
