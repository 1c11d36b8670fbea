"""The automatic choice of cost, penalty scale and method of :func:`detect_changepoints`.

``cost="auto"`` decides first what the data are, then how dependent they are.

**Counts or measurements.** Counts are a statement: ``cost="poisson"`` or
``"negbin"`` says so. With ``"auto"``, a series is read as counts when its
dtype is an integer type and every value is >= 0 (what
:func:`analysis.counts.count_incidents` returns); whole numbers stored as
floats (river flows, prices in cents) are measurements, and the reason says
which rule applied and how to override it.

**Dependence-aware defaults** (Lavielle and Moulines 2000: segment with a
penalty scaled by the long-run variance of the noise). Daily incident counts
are overdispersed and autocorrelated; treated as independent, a slowly varying
rate looks like many changes. So, for counts, the Poisson cost is used with its
penalty multiplied by the *long-run design effect* ``D`` (the long-run variance
of the residuals about the segment means over their mean, from an AR(p) fitted
by Yule-Walker with the order chosen by AIC: :mod:`analysis.changepoints._longrun`,
which says why not the shared Bartlett estimate of :mod:`analysis._dependence`,
biased down at a year of days under strong persistence), equivalently the Poisson log-
likelihood divided by ``D`` (a quasi-likelihood, which also widens the location
and rate intervals by the same factor). ``D`` starts from a change-robust guess
(the long-run variance from the variogram of the counts,
:func:`analysis._dependence.difference_dispersion`), is re-estimated about the
segment means found until it settles (at most six passes). ``D`` is floored at 1
(never less than Poisson).

**Measurements** use the exact Gaussian mean search, whose noise variance is
the same AR(p) long-run variance, of the residuals about the segment means
(:func:`analysis.changepoints._longrun.ar_noise_scale`), never below a
change-robust floor from the variogram
(:func:`analysis.changepoints._longrun.variogram_noise_floor`: the largest
variance per value of a window sum of up to 12 values, with ``gamma_0`` averaged
over lags 12-24, so that a cycle of period up to 12 stays in the scale where a
single-lag variogram estimate collapses to 0), computed about a pilot
segmentation whose segments are at least 24 values long (so that several level
shifts do not inflate it). The iteration starts at the floor and is monotone:
the sd is only ever raised to the long-run sd about the new segments, so a
segmentation that absorbs a cycle or slow dependence (which lowers the residual
estimate) cannot pull the scale down and add changes. Unlike the MAD of first
differences it does not collapse under trends, random-walk-like noise,
seasonality or ties. SIMULATED (validation study, 200 series a cell): false
alarms 0-0.005 (s.e. <= 0.005) on Gaussian AR(1) noise with phi 0, 0.5, 0.8 at
365 and 1,000 values, and 0 with a cycle of period 12 or 7 and amplitude 2 sd;
a mean shift of 2 sd in AR(0.5) noise is found within +-5 values in 0.90 (s.e.
0.018; 0.895 with the true long-run sd), of 1 sd in 0.50 (s.e. 0.029; 0.535
with the true sd). Several nearby shifts in strongly dependent noise are found
less often than with the true sd (five shifts of 2 sd, 61 values apart, in
AR(0.5) noise: 0.42 of them against 0.84).

Why this route (and not AR(1)-robust segmentation or DeCAFS): it needs no model
of the dependence beyond a stationary long-run variance, keeps the exact FPOP
search (the scaling is a constant penalty), and is one estimate shared with the
rate intervals (:mod:`analysis._dependence`). A series of fewer than 30 values
cannot support an estimate of dependence: ``D`` is then the dispersion about
the overall mean (the conservative side), and the reason says so. When the
residual lag-1 autocorrelation stays above 0.3 after segmentation, the reason
warns that the changes may be dependence rather than regime shifts.

**Power under strong persistence, and what bounds it** (issue 8's x1.5 target;
SIMULATED: latent AR(1) log-rate, phi 0.8, sd 0.3, 3 then 4.5 a day, 365 days,
change at day 182, the validation study's 300 series; binomial s.e. in
brackets). The default finds 0.543 (0.029) of the changes and detects 0.577, at
0.02 false alarms on that process. Oracle tests of one change at 5% false alarms
(:func:`analysis.validation._study.cp_oracle_bound`, 1,500 series) find 0.803
(0.010) knowing the long-run variance (likelihood ratio, every location alike,
as the penalised likelihood here), 0.748 (0.011) knowing the whole covariance
(GLS), and 0.701 (0.012) with the dependence estimated as here (AR(p) about the
best split); only the unweighted CUSUM with the true long-run variance reaches
0.875 (0.009), by weighing the middle of the series (it finds 0.196 of the same
change 30 days from the end, the likelihood ratio 0.423). So 0.85 is out of
reach for a detector of this kind that estimates the dependence from the same
year of days. Where the default's power goes: not to ``D`` estimated about one
mean when the change is missed (about the best split, the same penalty detects
0.580 of these 300 series; about the true segments 0.51), and 0.034 to
detections whose location interval misses; the rest
is the penalty, which keeps false alarms at 0.00-0.04 over the study's
stationary processes because ``D`` is under-estimated in some series: lowered by
15% it finds 0.667 (0.027) but gives 0.070 (0.018) false alarms on NB5 counts
with that latent rate at 5 a day and 0.060 (0.017) with a weekly cycle, so it
stays as it is.

``method="auto"``: FPOP for the one-parameter costs up to :data:`FPOP_MAX_N`
values and binary segmentation above; PELT up to :data:`PELT_MAX_N` values and
seeded binary segmentation above for the other costs (a user's cost included).
Whole numbers too large for the count costs to resolve the penalty in float64
(:func:`counts_precise`) are refused by ``"poisson"`` and ``"negbin"``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from analysis._dependence import (
    MIN_PERIODS_FOR_DEPENDENCE,
    Dependence,
    difference_dispersion,
    estimate_dependence,
    long_run_dependence,
)
from analysis.changepoints._longrun import (
    FLOOR_LAGS,
    NoiseScale,
    ar_long_run_dependence,
    ar_noise_scale,
    design_effect_df,
    variogram_noise_floor,
)
from analysis.changepoints.costs import (
    Cost,
    LinearCost,
    MeanVarCost,
    NegBinCost,
    NormalCost,
    PoissonCost,
)
from analysis.changepoints.costs.linear import line_fit, second_difference_sd
from analysis.changepoints.costs.poisson import is_counts
from analysis.changepoints.costs.poisson_weighted import WeightedPoissonCost
from analysis.changepoints.penalties import penalty_value
from analysis.changepoints.search._dispatch import check_method, segment
from analysis.errors import DataError, Problem

if TYPE_CHECKING:
    from analysis.changepoints.search._binseg import SplitCache

COSTS: dict[str, type[Cost]] = {
    "poisson": PoissonCost,
    "negbin": NegBinCost,
    "normal": NormalCost,
    "normal_meanvar": MeanVarCost,
    "linear": LinearCost,
}
#: above this length the mean-and-variance cost uses seeded binary segmentation
PELT_MAX_N = 10_000
#: above this length the one-parameter costs use binary segmentation
FPOP_MAX_N = 200_000


@dataclass(frozen=True)
class Choice:
    """A fitted cost, why it was chosen, the method, the penalty and (if run) the changes."""

    cost: Cost
    reason: str
    method: str
    penalty: float
    changes: list[int] | None


def pick_method(method: str, cost: Cost, n: int) -> str:
    """``method``, checked against the cost; ``"auto"`` resolved by the length ``n``."""
    check_method(method, cost)
    if method != "auto":
        return method
    if cost.functional_form() is not None:
        return "fpop" if n <= FPOP_MAX_N else "binseg"
    return "pelt" if n <= PELT_MAX_N else "seeded_binseg"


def check_counts(x: np.ndarray, pos: np.ndarray, cost: str, source: str, col: str | None) -> None:
    """Refuse values that are not counts, naming each row, for a count cost."""
    if is_counts(x):  # the usual case, in one pass
        return
    bad_neg = x < 0
    bad_int = (x != np.round(x)) & ~bad_neg
    problems = [
        Problem(source, int(pos[i]) + 2, col, repr(float(x[i])), f"{cost} cost needs counts >= 0")
        for i in np.flatnonzero(bad_neg)
    ] + [
        Problem(
            source,
            int(pos[i]) + 2,
            col,
            repr(float(x[i])),
            f"{cost} cost needs whole numbers (counts); use cost='normal_meanvar' for measurements",
        )
        for i in np.flatnonzero(bad_int)
    ]
    if problems:
        raise DataError(problems, header=f"{len(problems)} value(s) unsuitable for the {cost} cost")


#: a count cost's rounding error, relative to ``2 S (1 + |log mean|)``, that
#: must stay below the penalty (about 450 float64 epsilons: sums, logarithms
#: and the differences the searches take)
_ROUNDING = 1e-13


def counts_precise(x: np.ndarray, beta: float) -> bool:
    """Can the count costs on ``x`` resolve a penalty of ``beta`` in float64?

    A segment cost is of order ``2 S (1 + |log mean|)`` (``S`` the segment's
    sum), and two segmentations are compared by the difference of such sums;
    for very large counts its rounding error exceeds the penalty and every
    comparison is noise (a constant series of 1e15 a day then gets dozens of
    changes). True when the error bound is below ``beta``.

    Examples
    --------
    >>> counts_precise(np.full(100, 5.0), 13.8), counts_precise(np.full(100, 1e15), 13.8)
    (True, False)
    """
    total = float(x.sum())
    if total <= 0:
        return True
    scale = 2.0 * total * (1.0 + abs(math.log(total / x.size)))
    return scale * _ROUNDING < beta


def _precision_problem(
    x: np.ndarray, beta: float, cost: str, source: str, column: str | None
) -> DataError:
    total = float(x.sum())
    return DataError(
        Problem(
            source,
            None,
            column,
            None,
            f"counts too large for the {cost} cost: they sum to {total:.4g}, and float64 "
            f"rounding of the cost would exceed the penalty ({beta:.3g}), so changes would be "
            "noise; use cost='normal' or 'normal_meanvar' (or divide the counts)",
        )
    )


def _pen(penalty: str | float, n: int, cost: Cost) -> float:
    return penalty_value(penalty, n, cost.params_per_segment)


def choose(
    cost: str | Cost,
    x: np.ndarray,
    pos: np.ndarray,
    penalty: str | float,
    method: str,
    m: int,
    level: float,
    source: str,
    column: str | None,
    counts_stated: bool = True,
    seasonal: int | None = None,
) -> Choice:
    """Fit the cost named by ``cost`` (or chosen for ``"auto"``) to ``x`` and pick the method.

    ``seasonal`` (a period, see :mod:`analysis.changepoints._seasonal`): counts
    get the Poisson cost with the estimated seasonal factors as known
    multipliers, measurements are segmented after subtracting the seasonal
    effects.
    """
    n = x.size
    if seasonal is not None:
        return _seasonal_choice(
            cost, x, pos, penalty, method, m, level, source, column, counts_stated, seasonal
        )
    if isinstance(cost, Cost):
        c = cost.fit(x)
        meth = pick_method(method, c, n)
        return Choice(c, "cost object given by the caller", meth, _pen(penalty, n, c), None)
    if isinstance(cost, type) and issubclass(cost, Cost):
        raise TypeError(
            f"cost must be a Cost object, not the class {cost.__name__}: use {cost.__name__}()"
        )
    if not isinstance(cost, str) or (cost != "auto" and cost not in COSTS):
        raise ValueError(f"unknown cost {cost!r}: use 'auto', one of {', '.join(COSTS)} or a Cost")
    if cost in ("poisson", "negbin"):
        check_counts(x, pos, cost, source, column)
    if cost in ("poisson", "negbin"):
        beta = penalty_value(penalty, n, COSTS[cost].params_per_segment)
        if not counts_precise(x, beta):
            raise _precision_problem(x, beta, cost, source, column)
    if cost == "linear":
        c, why, beta, changes = _dependent_lines(x, penalty, method, m)
        return Choice(c, why, pick_method(method, c, n), beta, changes)
    if cost in ("normal", "normal_meanvar", "poisson"):
        c = COSTS[cost]().fit(x)
        return Choice(
            c, f"cost={cost!r} given", pick_method(method, c, n), _pen(penalty, n, c), None
        )
    why_values = "not an integer dtype; pass cost='poisson' for counts"
    if cost == "auto" and counts_stated and not is_counts(x):
        counts_stated, why_values = False, "an integer dtype with negative values"
    if cost == "auto" and counts_stated and not counts_precise(x, penalty_value(penalty, n, 1)):
        counts_stated = False
        why_values = (
            "whole numbers too large for a count cost in float64 (they sum to "
            f"{float(x.sum()):.4g})"
        )
    if cost == "auto" and not counts_stated:
        c, why, beta, changes = _dependent_values(x, penalty, method, m, why_values)
        return Choice(c, why, pick_method(method, c, n), beta, changes)
    if cost == "negbin":
        return _negbin(x, penalty, method, m)
    # counts: Poisson with the penalty scaled by the long-run design effect
    c, why, beta, changes = _dependent_counts(x, penalty, method, m)
    return Choice(c, why, pick_method(method, c, n), beta, changes)


def _negbin(x: np.ndarray, penalty: str | float, method: str, m: int) -> Choice:
    """``cost="negbin"``: a Poisson first pass, then the within-segment dispersion.

    Independent periods are assumed (the negative binomial describes
    overdispersion, not serial dependence; ``cost="auto"`` handles both).
    """
    from analysis.changepoints._dispersion import within_segment_dispersion

    pc = PoissonCost().fit(x)
    meth = pick_method(method, pc, x.size)
    beta = _pen(penalty, x.size, pc)
    first, _ = segment(pc, beta, meth, m, None)
    disp = within_segment_dispersion(x, first)
    nb = NegBinCost(size=disp.size).fit(x)
    second, _ = segment(nb, beta, meth, m, None)
    disp2 = within_segment_dispersion(x, second)
    done: list[int] | None = second
    if abs(math.log(disp2.size / disp.size)) > 0.02:  # else keep r and its segmentation
        nb = NegBinCost(size=disp2.size).fit(x)
        done = None
    why = (
        f"within-segment neighbour-pair dispersion 1/r = {1.0 / nb.par_:.3g} "
        f"(test of Poisson z = {disp.z:.2f}, p = {disp.p_value:.3g}); independent periods assumed"
    )
    return Choice(nb, why, meth, beta, done)


#: passes of the design-effect iteration at most
MAX_PASSES = 6
#: residual lag-1 autocorrelation above which the reason warns
HIGH_LAG1 = 0.3


def _segment_means(x: np.ndarray, changes: list[int]) -> np.ndarray:
    bounds = [0, *changes, x.size]
    out = np.empty(x.size)
    for a, b in itertools.pairwise(bounds):
        out[a:b] = x[a:b].mean()
    return out


def _residuals(x: np.ndarray, changes: list[int]) -> np.ndarray:
    """``x - _segment_means(x, changes)`` (the same numbers) in one new array."""
    out = np.empty_like(x)
    for a, b in itertools.pairwise([0, *changes, x.size]):
        np.subtract(x[a:b], x[a:b].mean(), out=out[a:b])
    return out


def _iterate(
    cost: Cost,
    x: np.ndarray,
    beta0: float,
    method: str,
    m: int,
    start: float,
    scale: Callable[[np.ndarray], tuple[float, Dependence]],
    fitted: Callable[[list[int]], np.ndarray] | None = None,
) -> tuple[float, list[int], Dependence, int]:
    """Penalty factor by iteration from ``start`` (conservative): (factor, changes, dep, passes)."""
    meth = pick_method(method, cost, x.size)
    if fitted is None:
        fitted = lambda ch: _segment_means(x, ch)  # noqa: E731
    factor = start
    changes, _ = segment(cost, beta0 * factor, meth, m, None)
    passes = 1
    new, dep = scale(fitted(changes))
    while passes < MAX_PASSES and abs(new - factor) > 0.01 * factor:
        factor = new
        previous = changes
        changes, _ = segment(cost, beta0 * factor, meth, m, None)
        passes += 1
        if changes == previous:  # the same segments give the same factor: settled
            break
        new, dep = scale(fitted(changes))
    return factor, changes, dep, passes


def _dependence_words(dep: Dependence, passes: int) -> str:
    text = dep.note
    if passes >= MAX_PASSES:
        text += f"; the iteration stopped after {MAX_PASSES} passes"
    if dep.lag1 > HIGH_LAG1:
        text += (
            f". Warning: the residuals about the segments are still autocorrelated "
            f"(lag 1: {dep.lag1:.2f}): some changes may be dependence, not regime shifts"
        )
    return text


def _dependent_counts(
    x: np.ndarray,
    penalty: str | float,
    method: str,
    m: int,
    multipliers: np.ndarray | None = None,
) -> tuple[Cost, str, float, list[int]]:
    pc: Cost
    if multipliers is None:
        pc = PoissonCost().fit(x)
        fitted: Callable[[list[int]], np.ndarray] = lambda ch: _segment_means(x, ch)  # noqa: E731
        flat = x
    else:
        wc = WeightedPoissonCost(multipliers).fit(x)
        pc = wc
        fitted = lambda ch: wc.fitted(np.array([0, *ch, x.size]))  # noqa: E731
        flat = x / multipliers
    beta0 = _pen(penalty, x.size, pc)
    if x.size < MIN_PERIODS_FOR_DEPENDENCE:  # too short: the conservative side, no iteration
        d = max(1.0, estimate_dependence(x, fitted([])).dispersion)
        pc.scale_ = d
        pc.scale_df_ = float(max(x.size - 1, 1))  # type: ignore[attr-defined]
        changes, _ = segment(pc, beta0 * d, pick_method(method, pc, x.size), m, None)
        why = (
            f"counts; Poisson cost with the penalty times the dispersion about the overall mean "
            f"({d:.2f}): {x.size} values cannot support an estimate of serial dependence"
        )
        return pc, why, beta0 * d, changes

    def scale(fitted: np.ndarray) -> tuple[float, Dependence]:
        # segments: the runs of a constant rate (fitted over the known multipliers)
        level = fitted if multipliers is None else fitted / multipliers
        k = 1 + int(np.count_nonzero(~np.isclose(level[1:], level[:-1], rtol=1e-9, atol=0)))
        dep = ar_long_run_dependence(x, fitted, n_means=k)
        return max(1.0, dep.long_run_dispersion), dep

    start = max(1.0, difference_dispersion(flat))
    d, changes, dep, passes = _iterate(pc, x, beta0, method, m, start, scale, fitted)
    pc.scale_ = d
    df = design_effect_df(dep)
    pc.scale_df_ = df  # type: ignore[attr-defined]
    why = (
        f"counts; Poisson cost with the penalty times the long-run design effect {d:.4g} "
        f"(overdispersion and autocorrelation of the residuals about the fitted segments: "
        f"{_dependence_words(dep, passes)}); the intervals allow for its sampling error "
        f"({df:.0f} degrees of freedom)"
    )
    if dep.lag1 > HIGH_LAG1 and d > 1.0:
        why += _unscaled_note(pc, x, beta0, method, m, changes)
    return pc, why, beta0 * d, changes


def _unscaled_note(
    cost: Cost, x: np.ndarray, beta0: float, method: str, m: int, changes: list[int]
) -> str:
    """Say what the unscaled penalty finds when the residuals stay autocorrelated.

    Strong residual autocorrelation is what a slowly varying rate leaves, and
    also what a change the scaled penalty missed leaves (the design effect is
    then estimated about too few segments, which inflates it). The data cannot
    tell the two apart from the residuals alone, so the default stays on the
    conservative side; the note says how many changes independent days would
    give, so that a reader sees the alternative reading.
    """
    liberal, _ = segment(cost, beta0, pick_method(method, cost, x.size), m, None)
    if sorted(liberal) == sorted(changes):
        return ""
    return (
        f". With the penalty unscaled (independent days) {len(liberal)} change(s) would be "
        f"found instead of {len(changes)} (cost='poisson' shows them): the extra ones may be "
        f"real changes whose size the dependence estimate has absorbed, or slow variation"
    )


def _dependent_values(
    x: np.ndarray, penalty: str | float, method: str, m: int, why_values: str
) -> tuple[Cost, str, float, list[int]]:
    """Measurements: the exact Gaussian mean search with a dependence-aware noise sd.

    The noise variance is the AR(p) long-run variance of the residuals about
    the segment means (:func:`analysis.changepoints._longrun.ar_noise_scale`,
    the estimate the count path uses), never below the change-robust floor
    from the variogram (:func:`analysis.changepoints._longrun.variogram_noise_floor`,
    which keeps a cycle's variance in the scale). The iteration starts at the
    floor and is monotone: each pass sets ``sd = max(sd, long-run sd about the
    new segments)``. A segmentation that absorbs a cycle or slow dependence
    lowers the residual estimate, and a lower noise sd would add changes, so
    the sd is never lowered: it rises, the number of changes can only fall
    (the optimal number of changes does not grow with the penalty), and it stops
    when the new estimate is at most 1% above the sd, or after
    :data:`MAX_PASSES` passes. The floor is computed about a pilot segmentation
    (:func:`_piloted_floor`).
    """
    n = x.size
    # the pilot's variogram first: its temporaries are freed before the cost's arrays
    # are made (fewer page faults at a million values); the same numbers in any order
    pilot = None
    if n >= MIN_PERIODS_FOR_DEPENDENCE:
        pilot = variogram_noise_floor(x, FLOOR_LAGS, FLOOR_LAGS // 2)
    scale = float(np.std(x))
    if not scale > 0:  # a constant series: any positive scale gives no change
        scale = 1.0
    # one fitted cost for every pass: the cost with sd s and penalty beta equals the cost
    # with sd `scale` and penalty beta (s / scale)^2
    unit = NormalCost(sd=scale)
    unit.fit(x)
    beta0 = _pen(penalty, n, unit)
    meth = pick_method(method, unit, n)
    if n < MIN_PERIODS_FOR_DEPENDENCE:
        floor = variogram_noise_floor(x)
        sd0 = math.sqrt(floor.variance) if floor.variance > 0 else scale
        nc = unit.with_sd(sd0)
        changes, _ = segment(nc, beta0, meth, m, None)
        why = (
            f"measurements ({why_values}); Gaussian mean cost with the noise sd of the series "
            f"({sd0:.4g}): {n} values cannot support an estimate of serial dependence"
        )
        return nc, why, beta0, changes

    # binary segmentation (long series) keeps the best splits of every pass: they do not
    # depend on the penalty, and the pilot's (segments of 24) serve the final pass's
    cache = _split_cache(unit, m) if meth == "binseg" else None

    def run(sd: float, min_size: int) -> list[int]:
        if cache is not None:  # the same changes as ``segment`` (tested)
            from analysis.changepoints.search._binseg import binseg

            return binseg(unit, beta0 * (sd / scale) ** 2, min_size, None, cache)
        return segment(unit, beta0 * (sd / scale) ** 2, meth, min_size, None)[0]

    floor = _piloted_floor(x, run, m, pilot)
    sd0 = math.sqrt(floor.variance) if floor.variance > 0 else scale
    sd, passes, source = sd0, 0, floor.note
    while True:
        changes = run(sd, m)
        passes += 1
        est = ar_noise_scale(_residuals(x, changes), n_means=len(changes) + 1)
        new = math.sqrt(max(est.variance, 0.0))
        if passes >= MAX_PASSES or new <= 1.01 * sd:
            break
        sd, source = new, est.note
    why = (
        f"measurements ({why_values}); Gaussian mean cost with the long-run noise sd "
        f"{sd:.4g} ({source}; never below the change-robust floor {sd0:.4g}: the iteration "
        "only raises it)"
    ) + _lag1_note(est.lag1, passes)
    return unit.with_sd(sd), why, beta0, changes


def _split_cache(cost: Cost, m: int) -> SplitCache:
    """Binary segmentation's split cache for ``cost``.

    Imported here, not at start-up: the binary segmentation module's compiled
    functions add to a first call's time.
    """
    from analysis.changepoints.search._binseg import SplitCache

    return SplitCache(cost, base_m=m)


def _piloted_floor(
    x: np.ndarray,
    run: Callable[[float, int], list[int]],
    m: int,
    pilot: NoiseScale | None = None,
) -> NoiseScale:
    """The change-robust floor of the measurement noise variance, about a pilot segmentation.

    The variogram floor (:func:`analysis.changepoints._longrun.variogram_noise_floor`)
    is robust to a few level shifts but is inflated by many (each adds to every
    ``v(k)``), and an inflated floor hides them all. So it is computed about a
    pilot segmentation whose segments are at least ``2 FLOOR_LAGS`` long (24:
    two periods of a monthly cycle, so a segment mean cannot absorb a cycle) and
    whose noise sd is the floor over windows of at most ``FLOOR_LAGS // 2``
    values (which keeps the largest window variance of a cycle of period up to
    12 while being less inflated by level shifts). On a series of fewer than
    ``4 FLOOR_LAGS`` values: the variogram floor of the series itself. ``pilot``:
    the pilot's floor when the caller has computed it already.
    """
    if pilot is None:
        pilot = variogram_noise_floor(x, FLOOR_LAGS, FLOOR_LAGS // 2)
    if x.size < 4 * FLOOR_LAGS or not pilot.variance > 0:
        return variogram_noise_floor(x)
    ch = run(math.sqrt(pilot.variance), max(m, 2 * FLOOR_LAGS))
    return variogram_noise_floor(_residuals(x, ch), overwrite=True)


def _lag1_note(lag1: float, passes: int) -> str:
    """What a reason adds after the iteration: a stop at the cap, residual autocorrelation."""
    text = f" (the iteration stopped after {MAX_PASSES} passes)" if passes >= MAX_PASSES else ""
    if lag1 > HIGH_LAG1:
        text += (
            f". Warning: the residuals are still autocorrelated (lag 1: {lag1:.2f}): "
            "some changes may be dependence, not regime shifts"
        )
    return text


def _settle_sd(
    x: np.ndarray,
    make: Callable[[float], Cost],
    fitted: Callable[[Cost, list[int]], np.ndarray],
    sd: float,
    floor: float,
    beta0: float,
    method: str,
    m: int,
) -> tuple[Cost, float, list[int], int]:
    """Iterate a Gaussian cost's noise sd to the residuals' long-run sd about its fit.

    Each pass segments with ``make(sd)`` and re-estimates the sd about
    ``fitted(cost, changes)`` (never below ``floor``) until it moves by at most
    1% or :data:`MAX_PASSES` passes are done: ``(cost, sd, changes, passes)``.
    """
    passes = 0
    while True:
        cost = make(sd)
        changes, _ = segment(cost, beta0, pick_method(method, cost, x.size), m, None)
        passes += 1
        new = max(_long_run_sd(x, fitted(cost, changes)), floor)
        if passes >= MAX_PASSES or abs(new - sd) <= 0.01 * sd:
            return cost, sd, changes, passes
        sd = new


def _residual_note(resid: np.ndarray, passes: int) -> str:
    """What a reason adds after the iteration: a stop at the cap, residual autocorrelation."""
    dep = long_run_dependence(resid + 1.0, np.ones(resid.size))
    text = f" (the iteration stopped after {MAX_PASSES} passes)" if passes >= MAX_PASSES else ""
    if dep.lag1 > HIGH_LAG1:
        text += (
            f". Warning: the residuals are still autocorrelated (lag 1: {dep.lag1:.2f}): "
            "some changes may be dependence, not regime shifts"
        )
    return text


def _long_run_sd(x: np.ndarray, fitted: np.ndarray) -> float:
    """Square root of the residuals' long-run variance (Bartlett, Andrews bandwidth)."""
    r = x - fitted
    # estimate_dependence works in units of a mean count; give it a mean of 1
    dep = long_run_dependence(r + 1.0, np.ones(r.size))
    return float(np.sqrt(max(dep.long_run_dispersion, 0.0)))


def _dependent_lines(
    x: np.ndarray, penalty: str | float, method: str, m: int
) -> tuple[Cost, str, float, list[int]]:
    """``cost="linear"``: the noise sd iterated as for the mean cost, about segment lines.

    Start: the long-run sd of the residuals about one straight line (curvature
    inflates it: the conservative side); floor: the i.i.d. sd from second
    differences; then the long-run sd of the residuals about the fitted
    segment lines until it settles (at most :data:`MAX_PASSES` passes).
    """
    floor = second_difference_sd(x)
    if x.size < MIN_PERIODS_FOR_DEPENDENCE:
        lc = LinearCost(sd=floor).fit(x)
        beta0 = _pen(penalty, x.size, lc)
        changes, _ = segment(lc, beta0, pick_method(method, lc, x.size), m, None)
        why = (
            f"piecewise-linear cost with the second-difference noise sd ({floor:.4g}): "
            f"{x.size} values cannot support an estimate of serial dependence"
        )
        return lc, why, beta0, changes
    sd = max(_long_run_sd(x, line_fit(x)[2]), floor)
    beta0 = _pen(penalty, x.size, LinearCost(sd=sd).fit(x))

    def lines(cost: Cost, changes: list[int]) -> np.ndarray:
        assert isinstance(cost, LinearCost)
        return cost.fitted(np.array([0, *changes, x.size]))

    fitted_cost, sd, changes, passes = _settle_sd(
        x, lambda v: LinearCost(sd=v).fit(x), lines, sd, floor, beta0, method, m
    )
    why = (
        f"piecewise-linear cost (a least-squares line per segment) with the long-run noise sd "
        f"{sd:.4g} of the residuals about the segment lines"
    ) + _residual_note(x - lines(fitted_cost, changes), passes)
    return fitted_cost, why, beta0, changes


def _seasonal_choice(
    cost: str | Cost,
    x: np.ndarray,
    pos: np.ndarray,
    penalty: str | float,
    method: str,
    m: int,
    level: float,
    source: str,
    column: str | None,
    counts_stated: bool,
    period: int,
) -> Choice:
    """:func:`choose` with seasonal adjustment (see :mod:`analysis.changepoints._seasonal`)."""
    from analysis.changepoints._seasonal import additive_effects, ratio_factors

    allowed = ("auto", "poisson", "normal", "normal_meanvar", "linear")
    if not isinstance(cost, str) or cost not in allowed:
        raise ValueError(
            f"seasonal= works with cost {', '.join(repr(c) for c in allowed)}, not {cost!r}"
        )
    n = x.size
    counts = cost == "poisson" or (
        cost == "auto"
        and counts_stated
        and is_counts(x)
        and counts_precise(x, penalty_value(penalty, n, 1))
    )
    if counts:
        if cost == "poisson":
            check_counts(x, pos, cost, source, column)
        f = ratio_factors(x, pos, period)
        words = (
            f"seasonal factors of period {period} (ratio to a centred moving average: "
            f"{f.min():.3g} to {f.max():.3g}) as known multipliers of the Poisson rate"
        )
        if cost == "poisson":
            c: Cost = WeightedPoissonCost(f).fit(x)
            return Choice(
                c,
                f"cost='poisson' given; {words}",
                pick_method(method, c, n),
                _pen(penalty, n, c),
                None,
            )
        c, why, beta, changes = _dependent_counts(x, penalty, method, m, f)
        return Choice(c, f"{why}; {words}", pick_method(method, c, n), beta, changes)
    e = additive_effects(x, pos, period)
    inner = choose(cost, x - e, pos, penalty, method, m, level, source, column, False)
    words = (
        f"; seasonal effects of period {period} subtracted first (difference to a centred "
        f"moving average: {e.min():.3g} to {e.max():.3g}); segment means are of the adjusted series"
    )
    return Choice(inner.cost, inner.reason + words, inner.method, inner.penalty, inner.changes)
