"""The public detect_changepoints and changepoint_path: input, search, results."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis._series import CountSeries
from analysis.changepoints._auto import choose
from analysis.changepoints._longrun import interval_inflation
from analysis.changepoints._result import ChangepointPath, ChangepointResult, _Fit
from analysis.changepoints.costs import Cost, PoissonCost
from analysis.changepoints.intervals import (
    BOOTSTRAP_DRAWS,
    change_strength,
    design_effect_draws,
    draws_interval_scale,
    location_intervals,
)
from analysis.changepoints.penalties import penalty_value
from analysis.changepoints.search._dispatch import EXACT, as_tuple, segment, solve
from analysis.errors import DataError, Problem

# --- input -------------------------------------------------------------------
#: the costs whose input must be counts (whole numbers >= 0 below 2**53)
COUNT_COSTS = ("poisson", "negbin")


def _shape_check(y: Any) -> None:
    # a table or an array of the wrong shape is a data problem of this input
    if isinstance(y, pd.DataFrame) and y.shape[1] != 1:
        raise DataError(
            Problem("<input>", None, None, None, f"expected one column, got {y.shape[1]}")
        )
    if not isinstance(y, pd.Series | pd.DataFrame):
        arr = np.asarray(y)
        if arr.ndim != 1:
            message = f"expected a 1-D series, got shape {arr.shape}"
            raise DataError(Problem("<input>", None, None, None, message))


def stated_counts(y: Any) -> bool:
    """Does the input say it holds counts? An integer (or boolean) dtype does.

    Whole numbers stored as floats are measurements unless the caller names a
    count cost (see :mod:`analysis.changepoints._auto`).
    """
    dtype = y.dtypes.iloc[0] if isinstance(y, pd.DataFrame) else getattr(y, "dtype", None)
    if dtype is None:
        dtype = np.asarray(y).dtype
    return bool(pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))


def _prepare(
    y: Any, min_size: int, cost: Any = "auto", source: str = "<series>"
) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """Return ``(series, non-missing values, their positions)``; raise on bad input.

    The input is validated once by :class:`analysis._series.CountSeries`
    (sorted, unique, regular dates; finite values; counts for the count
    costs), with missing values (NaN) allowed: they are skipped.
    """
    _shape_check(y)
    if isinstance(y, list | tuple):
        y = np.asarray(y)
    kind: Any = "counts" if isinstance(cost, str) and cost in COUNT_COSTS else "values"
    try:
        cs = CountSeries.from_pandas(
            y,
            kind=kind,
            what="y",
            source=source,
            allow_missing=True,
            require_dates=False,
            accept_arrays=True,
        )
    except DataError as exc:
        if kind != "counts":
            raise
        raise DataError(
            exc.problems,
            header=f"{len(exc.problems)} value(s) unsuitable for the {cost} cost, which needs "
            "counts (whole numbers >= 0 below 2**53); use cost='normal_meanvar' for measurements",
        ) from None
    values = cs.values
    column = cs.name
    if np.isnan(values.sum()):  # values are finite or NaN: the sum is NaN iff one is missing
        pos = np.flatnonzero(~np.isnan(values))
        x = values[pos]
    else:  # no missing value: skip the index arrays' copies
        pos = np.arange(values.size)
        x = values
    if pos.size == 0:
        raise DataError(Problem(source, None, column, None, "every value is missing (NaN)"))
    if pos.size < 2 * min_size:
        raise DataError(
            Problem(
                source,
                None,
                column,
                None,
                f"too short: {pos.size} non-missing values, a change needs at least "
                f"2 * min_size = {2 * min_size}",
            )
        )
    # the input's own index labels the result (CountSeries reads periods as dates)
    index = y.index if isinstance(y, pd.Series | pd.DataFrame) else cs.index
    name = y.name if isinstance(y, pd.Series) else None
    data = pd.Series(values, index=index, name=name, copy=False)
    return data, x, pos


def _check_args(min_size: Any, max_changes: Any, level: Any) -> None:
    if isinstance(min_size, bool) or not isinstance(min_size, int | np.integer) or min_size < 1:
        raise ValueError(f"min_size must be an integer >= 1, got {min_size!r}")
    if max_changes is not None and (
        isinstance(max_changes, bool)
        or not isinstance(max_changes, int | np.integer)
        or max_changes < 0
    ):
        raise ValueError(f"max_changes must be None or an integer >= 0, got {max_changes!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")


def _selective_counts(
    cost: Cost,
    bounds: np.ndarray,
    beta: float,
    penalty: str | float,
    level: float,
    interval_scale: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Selection-adjusted rates and intervals of a Poisson segmentation, or None.

    For the Poisson costs (plain and seasonal, with their scale) and a penalty
    per change without per-segment terms (not ``"mbic"``); see
    :mod:`analysis.changepoints._selective`. ``interval_scale`` is the scale
    of the counts in the intervals (the design effect widened for its
    sampling error); without a change, the Garwood interval on that scale.
    """
    from analysis.changepoints.costs.poisson_weighted import WeightedPoissonCost

    if type(cost) not in (PoissonCost, WeightedPoissonCost):
        return None
    from analysis.changepoints._selective import selective_rates

    if bounds.size > 2 and isinstance(penalty, str) and penalty.lower() == "mbic":
        return None
    pc: Any = cost
    s = np.diff(pc.cs1_[bounds])
    e = np.diff(pc.cs2_[bounds]) if type(cost) is WeightedPoissonCost else np.diff(bounds)
    d = float(getattr(cost, "scale_", 1.0))
    adj, lo, hi, _ = selective_rates(s, e.astype(float), d, beta / d, level, interval_scale)
    return adj, lo, hi


def _design_effect_draws(
    cost: Cost, bounds: np.ndarray, bootstrap: bool = True
) -> np.ndarray | None:
    """Draws of the estimated design effect for the intervals, or None (see below).

    For the count costs whose scale was estimated from the series (the
    default ``cost="auto"`` on counts: :class:`PoissonCost` and its seasonal
    form with ``scale_df_``), :func:`analysis.changepoints.intervals.design_effect_draws`
    about the final segments; None for a scale given or not estimated (a cost
    named by the caller, fewer than 30 values), which keep the single scale
    For a series without a change (``bootstrap=False``) the draws are the
    delta-method chi-square about the conservative value: the bootstrap costs a
    few times the search, and no location interval needs it.
    """
    from analysis.changepoints.costs.poisson_weighted import WeightedPoissonCost

    if type(cost) not in (PoissonCost, WeightedPoissonCost) or not hasattr(cost, "scale_df_"):
        return None
    pc: Any = cost
    x = np.asarray(pc.signal_, dtype=float)
    if type(cost) is WeightedPoissonCost:
        fitted = np.asarray(pc.fitted(bounds), dtype=float)
    else:
        fitted = np.repeat(np.diff(pc.cs1_[bounds]) / np.diff(bounds), np.diff(bounds))
    return design_effect_draws(
        x, bounds, fitted, float(pc.scale_), float(pc.scale_df_), BOOTSTRAP_DRAWS, bootstrap
    )


def _build(
    data: pd.Series,
    pos: np.ndarray,
    cost: Cost,
    changes: list[int],
    beta: float,
    penalty: str | float,
    method: str,
    reason: str,
    m: int,
    level: float,
) -> ChangepointResult:
    n = cost.signal_.size
    bounds = np.array([0, *changes, n], dtype=np.int64)
    idx = data.index
    seg = cost.segment_rows(bounds, level)
    ratio = ratio_adj = np.full(len(changes), np.nan)
    # the intervals' scale: the design effect, widened for its sampling error where estimated
    d_int = float(getattr(cost, "scale_", 1.0)) * interval_inflation(
        float(getattr(cost, "scale_df_", math.inf)), level
    )
    draws = _design_effect_draws(cost, bounds, bootstrap=bool(changes))
    d_loc: float | np.ndarray = d_int
    if draws is not None:
        d_loc, d_int = draws, draws_interval_scale(draws, level)
    selective = _selective_counts(cost, bounds, beta, penalty, level, d_int)
    if selective is not None:
        adj, lo, hi = selective
        seg["ci_low"], seg["ci_high"] = lo, hi
    if selective is not None and len(changes):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = seg["rate"].to_numpy()[1:] / seg["rate"].to_numpy()[:-1]
            ratio_adj = adj[1:] / adj[:-1]
    seg.insert(0, "n", np.diff(bounds))
    seg.insert(0, "end", idx[pos[bounds[1:] - 1]])
    seg.insert(0, "start", idx[pos[bounds[:-1]]])
    iv = location_intervals(cost, changes, m, level, d_loc)
    lo_pos = np.array([pos[k - 1] + 1 for k in iv[:, 0]], dtype=np.int64)
    hi_pos = np.array([pos[k] for k in iv[:, 1]], dtype=np.int64)
    ch_pos = pos[np.array(changes, dtype=np.int64)] if changes else np.empty(0, np.int64)
    intervals = pd.DataFrame(
        {
            "changepoint": idx[ch_pos],
            "low": idx[lo_pos],
            "high": idx[hi_pos],
            "index": ch_pos,
            "index_low": lo_pos,
            "index_high": hi_pos,
            "ratio": ratio,
            "ratio_adjusted": ratio_adj,
        }
    )
    return ChangepointResult(
        _Fit(
            data=data,
            indices=ch_pos,
            segments=seg,
            intervals=intervals,
            cost=cost.neg2_loglik(bounds),
            penalty=beta,
            penalty_name=penalty if isinstance(penalty, str) else "value",
            cost_name=cost.name,
            cost_detail=cost.describe(),
            method=method,
            reason=reason,
            n_missing=int(data.isna().sum()),
            level=level,
            min_size=m,
            strength=change_strength(cost, changes, m),
            scaled_penalty=beta / float(getattr(cost, "scale_", 1.0)),
        )
    )


# --- public ------------------------------------------------------------------
def detect_changepoints(
    y: Any,
    *,
    cost: str | Cost = "auto",
    penalty: str | float = "auto",
    method: str = "auto",
    min_size: int = 2,
    max_changes: int | None = None,
    level: float = 0.95,
    source: str = "<series>",
    seasonal: int | str | None = None,
) -> ChangepointResult:
    """Find the points where the level of a series changes.

    Parameters
    ----------
    y : pandas.Series or 1-D array-like
        Counts per period (e.g. incidents per day) or any measurements. The
        index labels the change points; it must be sorted and unique, and a
        date index must be regular (one value per day, week, ...): fill a
        gap with zero counts (:func:`analysis.counts.count_incidents`) or
        with NaN (skipped, see Notes). Positions label a plain array.
    cost : {"auto", "poisson", "negbin", "normal", "normal_meanvar", "linear"} or Cost
        Segment model. ``"auto"``: for non-negative whole numbers, ``poisson``
        unless the counts are overdispersed within segments (a one-sided
        test at ``1 - level`` on neighbouring pairs, after a first Poisson
        pass; see :mod:`analysis.changepoints._dispersion`), then ``negbin``
        with that dispersion; ``normal_meanvar`` otherwise (also for whole
        numbers too large for a count cost in float64). ``normal`` uses a
        common sd estimated robustly from first differences. ``linear``: a
        least-squares straight line per segment (changes of slope and level,
        two parameters per segment; not with ``fpop``), Gaussian errors with
        the residuals' long-run sd about the segment lines (see
        :mod:`analysis.changepoints.costs.linear`); segments then report
        ``intercept`` (at the segment start), ``slope`` per period and its
        interval ``slope_ci_low, slope_ci_high``. A
        :class:`~analysis.changepoints.Cost` object (your own subclass)
        works with every method but ``fpop``, through its ``error``.
    penalty : {"auto", "mbic", "bic", "aic"} or float
        Penalty per change in ``-2 log-likelihood`` units (see
        :mod:`analysis.changepoints.penalties`). ``"auto"``: ``(p + 2) log n``
        per change (``p`` parameters per segment), times the long-run design
        effect for counts (see ``cost``): R ``changepoint``'s MBIC penalty per
        change without its per-segment ``log(length)`` term, so that the
        exact FPOP search applies. ``"mbic"``: exactly R ``changepoint``'s
        MBIC objective, ``sum of (segment cost + log(length))`` (R leaves
        the term out for a Poisson segment whose sum is 0) ``+ (p + 2) log n``
        per change, solved exactly by PELT with a pruning bound loosened by
        ``log(n / 4)`` (R's own PELT prunes as if the term were absent and can
        miss the optimum; ours finds an equal or lower objective).
    method : {"auto", "fpop", "pelt", "op", "binseg", "seeded_binseg"}
        ``fpop`` (functional pruning, exact, near-linear), ``pelt`` (exact,
        any cost), ``op`` (exact O(n^2) reference), ``binseg`` and
        ``seeded_binseg`` (approximate, refined locally; for very long
        series). ``"auto"``: for the one-parameter costs ``fpop`` (exact) up
        to 200 000 values and ``binseg`` above (FPOP takes about 0.3 s at a
        million values, binary segmentation about 0.1 s; it can miss a short
        burst whose two changes are only worth detecting together, so ask for
        ``method="fpop"`` when exactness matters); for ``normal_meanvar``,
        ``pelt`` up to 10 000 values and ``seeded_binseg`` above (the same
        for a user's cost).
    min_size : int
        Minimum number of (non-missing) observations per segment.
    max_changes : int, optional
        At most this many changes. When the unconstrained answer has more,
        exact methods return the segmentation minimising cost + penalty among
        those with at most ``max_changes`` changes: exactly (segment
        neighbourhood) when ``n * max_changes <= 50 000``, otherwise the
        better of the penalty path's richest answer within the limit and
        binary segmentation's ``max_changes`` splits. Binary segmentations
        stop after ``max_changes`` splits.
    level : float
        Confidence level of the segment levels' confidence intervals and
        coverage level of the location intervals (and ``1 - level`` is the
        size of the overdispersion test).
    source : str
        Name used in error messages (a file name when called from the CLI).
    seasonal : {None, "weekly"} or int
        Seasonal adjustment before segmentation, for a cycle of this many
        periods (``"weekly"`` is 7, for daily data). Counts keep a count
        likelihood: the Poisson cost gets the estimated factors (ratio of each
        phase's counts to a centred moving average, mean 1) as known
        multipliers of the rate, and segment rates are per period of an
        average phase (``sum(y) / sum(f)``). Measurements have the estimated
        seasonal effects subtracted first. With ``cost`` ``"auto"``,
        ``"poisson"``, ``"normal"``, ``"normal_meanvar"`` or ``"linear"``; needs
        four full cycles. See :mod:`analysis.changepoints._seasonal`.

    Raises
    ------
    analysis.errors.DataError
        For bad values or a bad index (every problem, by row): non-numbers,
        infinities, a date index that is not a regular time line, too few
        values; for ``poisson`` and ``negbin`` also values that are not
        counts (whole, >= 0, below 2**53) or counts too large for float64.
    ValueError, TypeError
        For a bad argument (``TypeError``: ``method="fpop"`` with a cost that
        has no natural one-parameter form, naming the methods that work).

    Returns
    -------
    ChangepointResult

    Notes
    -----
    Missing values (NaN) are skipped: the search runs on the non-missing
    values in order and positions are mapped back to the input, so a gap
    never creates a change by itself; a change found right after a gap is
    dated at the first observation after it, and its location interval
    starts just after the last observation before the gap. ``n_missing``
    reports how many were skipped.

    Segment-rate intervals of the Poisson costs (the default for counts)
    allow for the selection of the changes: each is conditional on the
    neighbouring segments' totals and on every adjacent change having passed
    the penalty (see :mod:`analysis.changepoints._selective`); ``intervals``
    gives each change's rate ratio and its selection-adjusted value. Their
    estimand is the mean rate over the days of the estimated segment, given
    the segmentation chosen from the same data.

    With ``cost="auto"`` on counts the design effect ``D`` is estimated from
    the series, and the location and segment-rate intervals allow for its
    uncertainty (see :mod:`analysis.changepoints.intervals`): ``D`` is the
    larger of the AR(p) estimate and a latent AR(1)-plus-noise estimate, and
    its sampling error comes from a parametric bootstrap of the AR estimator
    (16 replicates, fixed seed, up to 20 000 values; the delta-method
    chi-square above that and for a series without a change). A location
    interval averages the profile-likelihood weights over the draws of ``D``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)  # simulated counts, not real incidents
    >>> y = pd.Series(np.r_[rng.poisson(2, 150), rng.poisson(6, 150)],
    ...               index=pd.date_range("2024-01-01", periods=300, freq="D"))
    >>> res = detect_changepoints(y, cost="poisson")
    >>> [str(d.date()) for d in res.changepoints]
    ['2024-05-30']
    >>> res.segments["rate"].round(1).tolist()
    [1.9, 6.1]
    """
    _check_args(min_size, max_changes, level)
    from analysis.changepoints._seasonal import check_seasonal

    period = check_seasonal(seasonal)
    data, x, pos = _prepare(y, int(min_size), cost, source)
    column = None if data.name is None else str(data.name)
    mbic = isinstance(penalty, str) and penalty.lower() == "mbic"
    if mbic and method not in ("auto", "pelt"):
        raise ValueError(
            f"penalty='mbic' (R changepoint's MBIC objective, with a log-length term per "
            f"segment) is solved exactly by method='pelt' (or 'auto'), not {method!r}"
        )
    ch = choose(
        cost,
        x,
        pos,
        penalty,
        method,
        int(min_size),
        level,
        source,
        column,
        stated_counts(y),
        period,
    )
    meth = ch.method
    if mbic:
        meth = "pelt"
        weight = float(getattr(ch.cost, "scale_", 1.0))
        zero_rule = type(ch.cost) is PoissonCost  # R: a zero-sum Poisson segment costs 0
        changes, _ = segment(
            ch.cost, ch.penalty, meth, int(min_size), max_changes, (weight, zero_rule)
        )
    elif ch.changes is not None and (max_changes is None or len(ch.changes) <= max_changes):
        changes = ch.changes
    else:
        changes, _ = segment(ch.cost, ch.penalty, ch.method, int(min_size), max_changes)
    return _build(
        data, pos, ch.cost, changes, ch.penalty, penalty, meth, ch.reason, int(min_size), level
    )


def changepoint_path(
    y: Any,
    *,
    penalties: tuple[str | float, str | float] | None = None,
    cost: str | Cost = "auto",
    method: str = "auto",
    min_size: int = 2,
    level: float = 0.95,
    max_segmentations: int = 200,
) -> ChangepointPath:
    """Every optimal segmentation for penalties in a range (CROPS).

    Parameters
    ----------
    y : pandas.Series or 1-D array-like
        As for :func:`detect_changepoints` (same NaN rule).
    penalties : (low, high), optional
        Penalty range per change (numbers or names such as ``"bic"``);
        default from half of ``"bic"`` to 4 times ``"mbic"``, which brackets
        the usual choices. Very low penalties on long series have thousands
        of optimal segmentations.
    cost, method, min_size, level
        As for :func:`detect_changepoints`; the method must be exact
        (``"auto"`` is ``"fpop"``, or ``"pelt"``; ``"op"`` is O(n^2)).
    max_segmentations : int
        Stop after this many segmentations (``complete`` is then False and
        the summary says so): each costs two exact solves.

    Returns
    -------
    ChangepointPath
        ``to_frame()`` lists each segmentation's number of changes, cost and
        penalty range; ``segmentation(penalty)`` gives its full result.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)  # simulated counts
    >>> y = np.r_[rng.poisson(3, 200), rng.poisson(9, 100), rng.poisson(3, 200)]
    >>> path = changepoint_path(y, cost="poisson", penalties=(5, 100))
    >>> 2 in path.n_changes
    True
    """
    from analysis.changepoints._crops import crops

    _check_args(min_size, None, level)
    data, x, pos = _prepare(y, int(min_size), cost)
    m = int(min_size)
    column = None if data.name is None else str(data.name)
    choice = choose(cost, x, pos, "mbic", method, m, level, "<series>", column, stated_counts(y))
    c, reason, meth = choice.cost, choice.reason, choice.method
    if method == "auto":
        meth = "fpop" if c.functional_form() is not None else "pelt"
    if meth not in EXACT:
        raise ValueError(f"the penalty path needs an exact method (fpop, pelt, op), not {meth!r}")
    n = x.size
    p = c.params_per_segment
    if penalties is None:
        lo, hi = penalty_value("bic", n, p) / 2, 4 * penalty_value("mbic", n, p)
    else:
        lo, hi = (penalty_value(v, n, p) for v in penalties)
    if not lo < hi:
        raise ValueError(f"penalties must be (low, high) with low < high, got {penalties!r}")
    found, complete = crops(lambda b: as_tuple(solve(c, b, meth, m)), lo, hi, max_segmentations)
    offset = None
    rows = []
    ks = sorted(found, reverse=True)
    for i, k in enumerate(ks):
        ch, q = found[k]
        if offset is None:
            offset = c.neg2_loglik(np.array([0, *ch, n])) - q
        p_lo = lo if i == 0 else (found[k][1] - found[ks[i - 1]][1]) / (ks[i - 1] - k)
        p_hi = hi if i == len(ks) - 1 else (found[ks[i + 1]][1] - q) / (k - ks[i + 1])
        rows.append((k, q + offset, max(p_lo, lo), min(p_hi, hi), list(data.index[pos[list(ch)]])))
    frame = pd.DataFrame(
        rows, columns=["n_changes", "cost", "penalty_low", "penalty_high", "changepoints"]
    )

    def refit(beta: float) -> ChangepointResult:
        changes, _ = solve(c, beta, meth, m)
        return _build(data, pos, c, changes, beta, beta, meth, reason, m, level)

    return ChangepointPath(frame, (lo, hi), c.name, meth, refit, complete)


__all__ = ["changepoint_path", "detect_changepoints"]
