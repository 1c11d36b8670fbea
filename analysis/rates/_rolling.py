"""rolling_rate and RollingRateResult: trailing-window rates with a band."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset, Day, Tick

from analysis._dates import to_timedelta
from analysis._draw import concise_dates, get_ax
from analysis._format import fmt_num, jsonable
from analysis._series import ProvisionalTail, no_tail
from analysis.rates._base import RateResultBase
from analysis.rates._dependent import design_effect, quasi_jeffreys
from analysis.rates._format import FAMILY_NAMES
from analysis.rates._inputs import (
    check_family,
    check_level,
    parse_per,
    read_counts,
    read_reference,
)
from analysis.rates._numerics import garwood, negbin_interval


@dataclass(frozen=True, repr=False)
class RollingRateResult(RateResultBase):
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
    level, per, family
        As passed (``family`` is the count model of the band).
    design_effect : float or None
        The design effect of a window's total used by "quasipoisson".
    vintage_tail : ProvisionalTail or None
        The provisional newest days before the data vintage (``vintage=``):
        with ``tail="exclude"`` the frame ends before them, with ``"flag"``
        they are kept (and shaded by :meth:`plot`); None without a vintage.
    """

    frame: pd.DataFrame
    counts: pd.Series
    window: str
    periods: int
    level: float
    per: str
    family: str
    design_effect: float | None = None
    vintage_tail: ProvisionalTail | None = None

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table of rates (one row per period)."""
        return self.frame.copy()

    def summary(self) -> str:
        """Latest and highest windowed rate."""
        full = self.frame.dropna(subset=["rate"])
        head = (
            f"Trailing {self.window} rate per {self.per} ({self.level:.0%} band, "
            f"{FAMILY_NAMES[self.family]}"
            + ("" if self.design_effect is None else f" {self.design_effect:.2f}")
            + f"), {len(full)} full windows"
        )
        tail = "" if self.vintage_tail is None else f" {self.vintage_tail.summary()}"
        if full.empty:
            return head + " (the series is shorter than the window)." + tail
        top_pos = int(np.argmax(full["rate"].to_numpy()))
        last, top = full.iloc[-1], full.iloc[top_pos]
        dates = pd.DatetimeIndex(full.index)
        return (
            f"{head}; latest ({dates[-1].date()}): {_triple(last)}; "
            f"highest ({dates[top_pos].date()}): {_triple(top)}.{tail}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Window settings and the rows as lists (dates as ISO strings, NaN as None)."""
        return {
            "window": self.window,
            "periods": self.periods,
            "level": self.level,
            "per": self.per,
            "family": self.family,
            "design_effect": jsonable(self.design_effect),
            **(no_tail() if self.vintage_tail is None else self.vintage_tail.to_dict()),
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
        index = pd.DatetimeIndex(self.frame.index)
        x = index.tz_localize(None) if index.tz is not None else index
        if show_counts and self.counts is not None:
            ax.plot(
                x, self.counts.to_numpy(), ".", color="0.55", ms=3, label=f"count per {self.per}"
            )
        (line,) = ax.plot(
            x,
            self.frame["rate"],
            color=color,
            lw=1.6,
            label=f"trailing {_window_words(self.window)} rate per {self.per}",
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
        tail = self.vintage_tail
        if tail is not None and tail.tail == "flag" and tail.days:
            stop = tail.dates[-1] + pd.Timedelta(days=1)
            ax.axvspan(tail.dates[0], stop, color="0.85", lw=0, label="provisional")
        ax.set_ylim(bottom=0)
        ax.legend(loc="upper left")
        concise_dates(ax)
        return ax


def _triple(row: pd.Series) -> str:
    """``rate (low-high)`` with the decimals the rate needs."""
    ref = row["rate"] if row["rate"] > 0 else row["ci_high"]
    return (
        f"{fmt_num(row['rate'], ref)} "
        f"({fmt_num(row['ci_low'], ref)}-{fmt_num(row['ci_high'], ref)})"
    )


def _scaled_band(events: np.ndarray, de: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Limits of the window totals (events, not per day) scaled by ``de``.

    The quantiles are computed once per distinct total and looked up, so a
    long series costs one pass plus as many quantiles as there are
    distinct totals.
    """
    finite = np.isfinite(events)
    low = np.full(events.shape, np.nan)
    high = np.full(events.shape, np.nan)
    first = int(np.argmax(finite))
    if finite[first:].all():  # NaN only before the first full window: no masks (speed)
        distinct, where = _distinct(events[first:])
        lo, hi = quasi_jeffreys(distinct, 1.0, de, level)
        np.take(lo, where, out=low[first:])
        np.take(hi, where, out=high[first:])
    elif finite.any():
        distinct, where = _distinct(events[finite])
        lo, hi = quasi_jeffreys(distinct, 1.0, de, level)
        low[finite], high[finite] = lo[where], hi[where]
    return low, high


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)``, in O(n) for whole numbers in a short range.

    Window totals of counts are whole numbers spanning far fewer values
    than there are windows: a table over their range replaces the sort
    (speed only; the same result).
    """
    low, high = float(values.min()), float(values.max())
    if high - low <= 4 * values.size + 1024 and np.array_equal(values, np.floor(values)):
        offsets = (values - low).astype(np.int64)
        present = np.bincount(offsets, minlength=int(high - low) + 1) > 0
        distinct = np.flatnonzero(present) + low
        return distinct, (np.cumsum(present) - 1)[offsets]
    distinct, where = np.unique(values, return_inverse=True)
    return distinct, where.reshape(-1)


def _trailing_sum(values: np.ndarray, periods: int, out: np.ndarray | None = None) -> np.ndarray:
    """``pd.Series(values).rolling(periods, min_periods=periods).sum()`` as an array.

    Whole numbers (counts, whole-day exposures) are summed exactly from a
    cumulative sum (exact below 2**53), which is what pandas' compensated
    rolling sum gives for them, at a fraction of the cost (speed); other
    values go through pandas. Written into ``out`` when given.
    """
    n = values.size
    out = np.empty(n) if out is None else out
    out[: periods - 1] = np.nan
    if n < periods:
        out[:] = np.nan
        return out
    first = float(values[0])
    if first.is_integer() and values.min() == values.max() and abs(first) * periods < 2.0**53:
        out[periods - 1 :] = first * periods  # whole periods of one length (days of days)
        return out
    if np.array_equal(values, np.floor(values)) and float(np.sum(np.abs(values))) < 2.0**53:
        c = np.zeros(n + 1)
        np.cumsum(values, out=c[1:])  # exact: whole numbers, every partial sum below 2**53
        np.subtract(c[periods:], c[: n - periods + 1], out=out[periods - 1 :])
        return out
    out[:] = pd.Series(values).rolling(periods, min_periods=periods).sum().to_numpy()
    return out


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
        width = to_timedelta(window, "window")
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
    family: str = "auto",
    reference: pd.Series | None = None,
    vintage: Any = None,
    provisional: Any = "3D",
    tail: str = "exclude",
    method: str | None = None,
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
    family : {"auto", "quasipoisson", "poisson", "negbin"}, default "auto"
        The count model of the band. ``"auto"`` (= ``"quasipoisson"``): the
        Jeffreys band of every window scaled by one design effect for a
        window of this length, estimated from the whole series (or
        ``reference``): it carries overdispersion and serial dependence and
        covers about ``level`` on average (see :func:`estimate_rate`).
        ``"poisson"``: exact Garwood band per window (independent Poisson
        periods). ``"negbin"``: the overdispersion-robust interval of
        :func:`estimate_rate` in every window, with the dispersion estimated
        from the window's counts alone (noisy for short windows; independent
        periods assumed).
    reference : pandas.Series, optional
        A longer count series of the same kind to estimate the design effect
        from (default: ``counts``).
    vintage : str or Timestamp, optional
        The date the data were drawn (a date; numbers are refused); periods
        after it are dropped (events there are an error). See
        :func:`estimate_rate`.
    provisional : str, Timedelta or 0, default "3D"
        With ``vintage``: the provisional time ending with the vintage day.
    tail : {"exclude", "flag"}, default "exclude"
        With ``vintage``: ``"exclude"`` ends the rates before the provisional
        periods (no window includes them, and the design effect is estimated
        without them); ``"flag"`` keeps them and the summary warns.
    method : str, optional
        Deprecated name of ``family`` (warns).

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
    >>> rr = rolling_rate(s, window="7D", vintage="2024-01-08", provisional="1D")
    >>> rr.to_frame()["events"].tolist()[-1], rr.provisional_days
    (33.0, 1)
    """
    level = check_level(level)
    per_label, per_days = parse_per(per)
    family = check_family(
        family, method, ("auto", "quasipoisson", "poisson", "negbin"), "rolling_rate"
    )
    c, tail_info = read_counts(counts).with_vintage(vintage, provisional, tail)
    assert c.offset is not None  # read_counts requires dates
    periods = _window_periods(window, c.offset)
    # the frame's five columns are rows of one float block, filled in place: no
    # consolidation copy when the DataFrame is built (speed)
    block = np.empty((5, c.n))
    rate, low, high, events, days = block
    _trailing_sum(c.values, periods, out=events)
    _trailing_sum(c.exposure, periods, out=days)
    scale = per_days / days
    used_de: float | None = None
    if family in ("auto", "quasipoisson"):
        ref = c if reference is None else read_reference(reference, c, periods)
        de = design_effect(c.take(slice(0, periods)), ref, level).value
        used_de = de
        lo, hi = _scaled_band(events, de, level)
        np.multiply(events, scale, out=rate)
        np.multiply(lo, scale, out=low)
        np.multiply(hi, scale, out=high)
        family = "quasipoisson"
    elif family == "poisson":
        lo, hi = garwood(events, level)
        np.multiply(events, scale, out=rate)
        np.multiply(lo, scale, out=low)
        np.multiply(hi, scale, out=high)
    else:
        block[:3] = np.nan
        if c.n >= periods:
            windows = np.lib.stride_tricks.sliding_window_view(c.values, periods)
            mean, lo, hi, _ = negbin_interval(windows, level)
            per_period = per_days / (days[periods - 1 :] / periods)
            rate[periods - 1 :] = mean * per_period
            low[periods - 1 :] = lo * per_period
            high[periods - 1 :] = hi * per_period
    frame = pd.DataFrame(
        block.T,
        index=c.index,
        columns=["rate", "ci_low", "ci_high", "events", "exposure"],
        copy=False,
    )
    label = window if isinstance(window, str) else f"{periods}-period"
    return RollingRateResult(
        frame=frame,
        counts=counts if tail_info is None else counts.iloc[: c.n],
        window=label,
        periods=periods,
        level=level,
        per=per_label,
        family=family,
        design_effect=used_de,
        vintage_tail=tail_info,
    )


def _window_words(window: object) -> str:
    """A rolling window for a legend: ``"7D"`` -> ``"7-day"``, ``28`` -> ``"28-period"``."""
    text = str(window)
    if text.isdigit():
        return f"{text}-period"
    if text.endswith("D") and text[:-1].isdigit():
        return f"{text[:-1]}-day"
    return text
