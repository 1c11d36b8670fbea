"""The design matrix of a trend model, reproducible for any future dates.

A :class:`DesignSpec` holds everything needed to build the columns for any
period starts (the observed ones for fitting, later ones for forecasts):
the time origin, the period length, the trend basis with its knots, the
weekday dummies, the break dates and the events. Time ``t`` is counted in
calendar days from the first period start, on wall-clock dates, so a
daylight-saving change does not make a day 23 or 25 hours "long".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.tseries.offsets import BaseOffset

from analysis._format import date_label
from analysis.trend._validate import Event

TRENDS = ("none", "linear", "spline", "piecewise")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DAYS_PER_KNOT = 42
MAX_KNOTS = 10


def default_knots(n_days: float) -> int:
    """Number of interior spline knots: one per 42 days (six weeks), between 1 and 10.

    Examples
    --------
    >>> default_knots(200), default_knots(30), default_knots(2000)
    (4, 1, 10)
    """
    return int(min(MAX_KNOTS, max(1, n_days // DAYS_PER_KNOT)))


def natural_spline_basis(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Natural cubic spline basis (without the constant) at ``x`` for sorted ``knots``.

    Uses the truncated-power form of a natural cubic spline (Hastie,
    Tibshirani and Friedman, *The Elements of Statistical Learning*, 2nd ed.,
    eq. 5.4-5.5): columns ``x`` and ``d_k(x) - d_{K-1}(x)`` for
    ``k = 1..K-2`` with ``d_k(x) = ((x - xi_k)_+^3 - (x - xi_K)_+^3) /
    (xi_K - xi_k)``. The first and last knots are the boundary knots; ``K``
    knots give ``K - 1`` columns. Written by hand because the basis must be
    evaluated beyond the data for forecasts, where a natural spline is
    linear by construction, and patsy's ``cr()`` refuses values outside its
    boundary knots while statsmodels has no natural-spline basis of its own.
    Callers should scale ``x`` to about [0, 1] for a well-conditioned basis.

    Examples
    --------
    >>> b = natural_spline_basis(np.linspace(0, 2, 5), np.array([0.0, 0.5, 1.0]))
    >>> b.shape
    (5, 2)
    >>> bool(np.allclose(np.diff(b[2:, 1], 2), 0))  # linear beyond the last knot
    True
    """
    x = np.asarray(x, dtype=float)
    k = np.asarray(knots, dtype=float)
    last = k[-1]

    def d(j: int) -> np.ndarray:
        return (np.clip(x - k[j], 0, None) ** 3 - np.clip(x - last, 0, None) ** 3) / (last - k[j])

    cols = [x]
    d_penultimate = d(len(k) - 2)
    cols += [d(j) - d_penultimate for j in range(len(k) - 2)]
    return np.column_stack(cols)


@dataclass(frozen=True)
class DesignSpec:
    """How to build the model's columns for any period starts (wall-clock dates)."""

    origin: pd.Timestamp
    offset: BaseOffset
    trend: str
    weekly: bool
    breaks: tuple[pd.Timestamp, ...] = ()
    events: tuple[Event, ...] = ()
    knots: tuple[float, ...] = ()  # spline knots in days since origin, boundaries included
    scale: float = 1.0  # days; spline x = t / scale
    columns: tuple[str, ...] = field(default=(), compare=False)

    def days(self, starts: pd.DatetimeIndex) -> np.ndarray:
        """Calendar days from the origin to each period start."""
        return np.asarray((starts - self.origin) / pd.Timedelta(days=1), dtype=float)

    def matrix(self, starts: pd.DatetimeIndex) -> pd.DataFrame:
        """The design matrix at the given period starts (one row per period)."""
        t = self.days(starts)
        ends = starts + self.offset
        cols: dict[str, np.ndarray] = {"intercept": np.ones(len(t))}
        if self.trend in ("linear", "piecewise"):
            cols["trend"] = t
        elif self.trend == "spline":
            basis = natural_spline_basis(t / self.scale, np.asarray(self.knots) / self.scale)
            for j in range(basis.shape[1]):
                cols[f"spline[{j + 1}]"] = basis[:, j]
        if self.weekly:
            dow = starts.day_of_week
            for j in range(1, 7):
                cols[f"weekday[{WEEKDAYS[j]}]"] = (dow == j).astype(float)
        for b in self.breaks:
            label = date_label(b)
            cols[f"shift[{label}]"] = (ends > b).astype(float)
            if self.trend == "piecewise":
                at = self.days(pd.DatetimeIndex([b]))[0]
                cols[f"slope_change[{label}]"] = np.clip(t - at, 0, None)
        for ev in self.events:
            if ev.kind == "step":
                cols[f"step[{ev.name}]"] = (ends > ev.start).astype(float)
            else:
                stop = ev.start + pd.Timedelta(days=ev.duration)
                cols[f"pulse[{ev.name}]"] = ((starts < stop) & (ends > ev.start)).astype(float)
        return pd.DataFrame(cols, index=starts)


def build_spec(
    local: pd.DatetimeIndex,
    offset: BaseOffset,
    *,
    trend: str,
    weekly: bool,
    breaks: list[pd.Timestamp],
    events: list[Event],
    knots: int | None,
) -> DesignSpec:
    """Check the options against the data and return the design specification."""
    if trend not in TRENDS:
        raise ValueError(f"trend must be one of {TRENDS} (got {trend!r})")
    if trend == "piecewise" and not breaks:
        raise ValueError("trend='piecewise' needs breaks (dates or a change-point result)")
    origin = local[0]
    span = float((local[-1] - origin) / pd.Timedelta(days=1))
    knot_days: tuple[float, ...] = ()
    if trend == "spline":
        n_int = default_knots(span + 1) if knots is None else int(knots)
        if n_int < 1:
            raise ValueError(f"knots must be >= 1 (got {knots})")
        days = np.asarray((local - origin) / pd.Timedelta(days=1), dtype=float)
        interior = np.quantile(days, np.linspace(0, 1, n_int + 2)[1:-1])
        knot_days = (0.0, *map(float, interior), span)
        if len(set(knot_days)) != len(knot_days):
            raise ValueError(f"{n_int} interior knots is too many for {len(local)} periods")
    return DesignSpec(
        origin=origin,
        offset=offset,
        trend=trend,
        weekly=weekly,
        breaks=tuple(breaks),
        events=tuple(events),
        knots=knot_days,
        scale=max(span, 1.0),
    )


def check_columns(design: pd.DataFrame) -> None:
    """Raise a ValueError for a break or event that does not vary within the data.

    Such a term (a break before the second period or after the last one, a
    pulse outside the data) has no data on one side, so its effect cannot be
    estimated.
    """
    first, last = date_label(design.index[0]), date_label(design.index[-1])
    bad = []
    for name in design.columns:
        if name.split("[")[0] in ("shift", "step", "pulse", "slope_change"):
            col = design[name].to_numpy()
            if np.all(col == col[0]):
                bad.append(name)
    if bad:
        raise ValueError(
            f"these terms do not vary within the data ({first} to {last}), so their "
            f"effects cannot be estimated: {bad}; a break or step needs periods before and "
            "after it, a pulse needs periods inside and outside it"
        )
    check_rank(design)


def check_rank(design: pd.DataFrame) -> None:
    """Raise a ValueError naming the columns that repeat information of earlier ones."""
    x = design.to_numpy()
    if np.linalg.matrix_rank(x) == x.shape[1]:
        return
    redundant = []
    kept: list[int] = []
    for j in range(x.shape[1]):
        if np.linalg.matrix_rank(x[:, [*kept, j]]) == len(kept) + 1:
            kept.append(j)
        else:
            redundant.append(design.columns[j])
    raise ValueError(
        "the model cannot separate these terms from earlier ones (collinear design): "
        f"{redundant}; remove a break or event at the same date, or one that covers "
        "no weekday variation"
    )
