r"""Change points shared by several series of a panel, each change affecting only some of them.

**The statistic.** For series ``j`` and a candidate change at ``t`` inside a
segment ``[s, e)``, the saving of its Poisson cost
(:class:`analysis.changepoints.PoissonCost`, ``-2 log L``) divided by its
long-run design effect ``D_j``,

.. math:: q_j(t) = [C_j(s, e) - C_j(s, t) - C_j(t, e)] / D_j,

is its quasi-likelihood ratio statistic for one change (about chi-square with
one degree of freedom at a fixed ``t`` on a stationary series, whatever its
overdispersion and autocorrelation, because ``D_j`` is the design effect of a
total). The panel statistic sums the evidence of the series that beat a
per-series penalty ``a`` (the sparse-change idea of mvcapa, Fisch, Eckley and
Fearnhead 2022, and of sparsified binary segmentation, Cho and Fryzlewicz 2015):

.. math:: T(t) = \sum_j \max(0, q_j(t) - a),

and a change is declared at the ``t`` maximising ``T`` when ``T(t) > b``, the
panel penalty; the series affected are those with ``q_j(t) > a``, and the
change is *common* when they are at least ``min_affected`` (default 2; the
others are listed apart). Requiring two series inside the search instead
would be wrong: a strong change in one series then pulls the location to
wherever some other series passes ``a`` by chance, and declares it, often
several times (SIMULATED, one of 10 Poisson series doubling: a "common" change
in 0.90 of 50 panels). For a
subset of ``k`` series this is the penalty ``b + k a``. The search is binary
segmentation over ``T`` (each accepted change splits its segment, and both
halves are searched again), ``min_size`` days at least per segment.

Each ``q_j`` is first put on the chi-square(1) scale allowing for the
sampling error of ``D_j`` (:func:`chi2_equivalent`: ``saving / D_j`` with
``D_j`` estimated on ``df_j`` degrees of freedom is an ``F(1, df_j)``, mapped
to the chi-square(1) value of equal tail; ``df_j`` from
:func:`analysis._dependence.design_effect_df`, the degrees of freedom the
single-series intervals use). Written by hand: the costs, design effects and
degrees of freedom are the package's, the sum over series and the binary
segmentation are a few lines of numpy that no library provides for a
quasi-likelihood Poisson cost.

**The penalties** come from theory, not from the tests. ``b = 3 log n`` is the
single-series default per change (:mod:`analysis.changepoints.penalties`:
``(p + 2) log n`` with one parameter per segment), the price of choosing the
location; ``a = 2 log p`` is the price of choosing which of ``p`` series a
change affects (the sparse regime of Fisch et al.). With one series ``a = 0``,
``min_affected`` is 1 and the rule is the single-series default.

**Calibration** (SIMULATED; stationary panels of 10 independent series of 365
days at 3 a day; seeds 101-103, 7, 11, 12 and 21, none of them the tests'
seeds). With the plain AR(p) design effect the 95% quantile of ``max T`` (``a
= 2 log 10``) was 19-22 under a latent AR(1) log-rate (phi 0.8, with and
without NB(5) noise; 100 panels each), above ``b = 17.7``: a false-alarm rate
of 0.08-0.10. With the conservative ``D_j`` below it fell to 15-16 (8-11 under
Poisson and NB(5)). With the F correction as well, 200 panels per process
(seed 11), the rate of panels with any declared change was 0.000, 0.010,
0.030 and 0.045 (s.e. 0.000-0.015) under Poisson, NB(5), latent AR(1) and
NB(5) + latent AR(1), and of panels with a *common* change 0.000, 0.005,
0.010 and 0.000: under dependence the false alarms are single series whose
``D_j`` came out low (the 5% quantile of ``D_j`` under NB(5) + latent AR(1)
was 1.9, where the true design effect is 4.1). Power, for a change on day 182
in 3 of the 10 series (100 panels, seed 12; a common change found within 10
days), with that of :func:`analysis.detect_changepoints` on the summed series
in brackets: x2, 1.00 (1.00), 1.00 (0.97), 0.91 (0.86), 0.88 (0.79); x1.5,
0.98 (0.85), 0.90 (0.63), 0.34 (0.41), 0.29 (0.30), in the same order of
processes (s.e. at most 0.05). The three series were exactly the affected ones
in 0.94, 0.87, 0.73 and 0.64 of the panels at x2 and 0.85, 0.70, 0.15 and
0.12 at x1.5: a series passes ``a`` by chance with probability about
``P(chi2_1 > 2 log p)`` (0.03 at ``p = 10``), so one change in one series is
listed with a chance companion in about a quarter of panels of 10 (0.18 of 50
Poisson panels with one series doubling), and then counts as common.

**Dependence and dispersion.** ``D_j`` is the package's default for counts
(:func:`analysis.changepoints._auto.choose`, ``cost="auto"``: the AR(p)
long-run design effect of the residuals about the series' own segmentation,
iterated), raised to the latent AR(1)-plus-noise moment estimate where that is
larger (:func:`analysis.changepoints.intervals.latent_long_run_variance`: the
conservative value the interval bootstrap starts from, because a year of days
says little about strong persistence and a sum over series adds up the series
whose ``D`` came out low), never below 1. After a first pass, ``D_j`` is
estimated again about the union of the series' own changes and the panel
changes that affect it (so a change that the series alone missed does not
inflate its noise scale), and the search is run once more. The price of the
conservative ``D_j``: on independent Poisson series the moment estimate is
sometimes well above 1 by chance (up to 5 in a panel of 6), which lowers
that series' evidence.

**Against the summed series.** Summing the series into a total can hide a
change (a rise in some series offset by a fall in others, or a change
diluted by unchanged series) or create an apparent one; the result runs
:func:`analysis.detect_changepoints` on the summed series as well and lists
which changes each answer finds.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from analysis._format import date_label, records
from analysis._results import Result
from analysis.errors import DataError, Problem

__all__ = [
    "MATCH_DAYS",
    "CommonChanges",
    "chi2_equivalent",
    "detect_common_changes",
    "panel_penalties",
]

#: a panel change and a change of the summed series this close (days) are the same change
MATCH_DAYS = 7


def panel_penalties(n: int, p: int) -> tuple[float, float]:
    """Default ``(penalty, series_penalty)`` for ``p`` series of ``n`` days: ``3 log n, 2 log p``.

    Examples
    --------
    >>> [round(v, 2) for v in panel_penalties(365, 10)]
    [17.7, 4.61]
    """
    return 3.0 * math.log(n), 2.0 * math.log(p) if p > 1 else 0.0


def _check_panel(panel: Any) -> tuple[pd.DataFrame, np.ndarray]:
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(
            "panel must be a DataFrame (a column per series, a row per day), "
            f"not {type(panel).__name__}"
        )
    if panel.shape[1] < 1 or panel.shape[0] < 4:
        raise ValueError(f"panel needs at least one series and 4 days, got shape {panel.shape}")
    if not isinstance(panel.index, pd.DatetimeIndex):
        raise TypeError(
            "panel needs a DatetimeIndex of days (e.g. from count_incidents(..., by=...)), "
            f"not {type(panel.index).__name__}"
        )
    if panel.columns.has_duplicates:
        raise ValueError("panel has repeated column names: each series needs its own")
    problems = []
    for col in panel.columns:
        v = panel[col]
        if not (pd.api.types.is_integer_dtype(v.dtype) or pd.api.types.is_float_dtype(v.dtype)):
            problems.append(Problem("panel", None, str(col), None, f"not numbers ({v.dtype})"))
            continue
        x = v.to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(x) | (x < 0) | (x != np.round(x)))
        problems += [
            Problem("panel", int(i) + 2, str(col), repr(x[i]), "not a count (whole number >= 0)")
            for i in bad[:10]
        ]
    if problems:
        raise DataError(
            problems, header="panel must hold daily counts (whole numbers >= 0, no NaN)"
        )
    return panel, panel.to_numpy(dtype=float).T.copy()


def _design_effect(x: np.ndarray, changes: list[int]) -> tuple[float, float]:
    """The conservative long-run design effect of counts about their segments, and its df.

    ``(D, df)``: ``D`` as in the module; ``df`` the delta-method degrees of
    freedom of the AR(p) estimate (:func:`analysis._dependence.design_effect_df`).
    """
    from analysis._dependence import (
        MIN_PERIODS_FOR_DEPENDENCE,
        ar_long_run_dependence,
        design_effect_df,
    )
    from analysis.changepoints._auto import _segment_means
    from analysis.changepoints.intervals import latent_long_run_variance

    mean = float(x.mean())
    if not mean > 0:
        return 1.0, math.inf
    fitted = _segment_means(x, changes)
    k = len(changes) + 1
    dep = ar_long_run_dependence(x, fitted, n_means=k)
    d = dep.long_run_dispersion
    if x.size >= MIN_PERIODS_FOR_DEPENDENCE:
        d = max(d, latent_long_run_variance(x - fitted, k) / mean)
    return max(1.0, float(d)), float(design_effect_df(dep))


def _own_fit(x: np.ndarray, m: int, level: float, column: str) -> tuple[float, float, list[int]]:
    """The default count fit of one series: its conservative design effect, df and changes.

    The AR(p) design effect and its degrees of freedom are those the default
    fit settled on (``scale_``, ``scale_df_`` of its cost); the latent
    moment estimate is taken about the same segments.
    """
    from analysis._dependence import MIN_PERIODS_FOR_DEPENDENCE
    from analysis.changepoints._auto import _segment_means, choose
    from analysis.changepoints.intervals import latent_long_run_variance

    if not x.sum() > 0:
        return 1.0, math.inf, []
    ch = choose("auto", x, np.arange(x.size), "auto", "auto", m, level, "panel", column, True)
    changes = list(ch.changes) if ch.changes is not None else []
    d = max(1.0, float(getattr(ch.cost, "scale_", 1.0)))
    df = float(getattr(ch.cost, "scale_df_", math.inf))
    if x.size >= MIN_PERIODS_FOR_DEPENDENCE:
        resid = x - _segment_means(x, changes)
        d = max(d, latent_long_run_variance(resid, len(changes) + 1) / float(x.mean()))
    return d, df, changes


def chi2_equivalent(q: np.ndarray, df: float) -> np.ndarray:
    """A statistic ``F(1, df)``-distributed under the null, as the chi-square(1) of equal tail.

    ``q = saving / D`` with ``D`` estimated on ``df`` degrees of freedom has
    a heavier tail than chi-square(1) (an ``F(1, df)``, as a t statistic has
    a heavier tail than a z). Mapping each value through the ``F`` tail
    probability to the chi-square(1) quantile puts every series on one
    scale before the penalties apply; never above ``q`` (where the tail
    probability underflows, ``q`` itself).

    Examples
    --------
    >>> float(chi2_equivalent(np.array([3.84]), math.inf)[0])
    3.84
    >>> bool(chi2_equivalent(np.array([3.84]), 20.0)[0] < 3.84)
    True
    """
    if not math.isfinite(df):
        return q
    from scipy import special

    tail = special.fdtrc(1.0, max(df, 1.0), np.maximum(q, 0.0))
    with np.errstate(divide="ignore", over="ignore"):
        eq = np.where(tail > 0, special.chdtri(1.0, np.clip(tail, 1e-300, 1.0)), q)
    return np.minimum(eq, q)


class _Savings:
    """Each series' Poisson cost forward and reversed: scaled savings of a split, vectorised."""

    def __init__(self, X: np.ndarray, D: np.ndarray, df: np.ndarray):
        from analysis.changepoints.costs import PoissonCost

        self.n = X.shape[1]
        self.fwd = [PoissonCost().fit(x) for x in X]
        self.rev = [PoissonCost().fit(x[::-1]) for x in X]
        self.D = D
        self.df = df

    def matrix(self, s: int, e: int, m: int, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        """Candidate starts ``t`` in ``[s + m, e - m]`` and ``q_j(t)`` (series x candidates).

        :func:`chi2_equivalent` is applied where ``q_j(t) > alpha`` only: it
        never raises a value, so the others contribute nothing either way
        (and the search is several times faster). :meth:`at` gives every
        series' transformed value at one ``t``.
        """
        ts = np.arange(s + m, e - m + 1, dtype=np.int64)
        out = np.empty((len(self.fwd), ts.size))
        for j in range(len(self.fwd)):
            q = self._raw(j, s, e, ts)
            big = q > alpha
            if big.any():
                q[big] = chi2_equivalent(q[big], float(self.df[j]))
            out[j] = q
        return ts, out

    def _raw(self, j: int, s: int, e: int, ts: np.ndarray) -> np.ndarray:
        f, r = self.fwd[j], self.rev[j]
        # C(t, e) for every t from the forward cost, C(s, t) from the reversed one
        right = f.errors(ts, e)
        left = r.errors(self.n - ts, self.n - s)
        return np.maximum((f.error(s, e) - left - right) / self.D[j], 0.0)

    def at(self, s: int, e: int, t: int) -> np.ndarray:
        """Every series' chi-square-equivalent ``q_j(t)`` for a split of ``[s, e)`` at ``t``."""
        ts = np.array([t], dtype=np.int64)
        return np.array(
            [
                chi2_equivalent(self._raw(j, s, e, ts), float(self.df[j]))[0]
                for j in range(len(self.fwd))
            ]
        )


def _search(
    sav: _Savings, alpha: float, beta: float, m: int, max_changes: int | None
) -> list[tuple[int, float, np.ndarray]]:
    """Binary segmentation over ``T``: ``(t, T(t), q(t))`` of each accepted change, by position."""
    found: list[tuple[int, float, np.ndarray]] = []
    todo = [(0, sav.n)]
    while todo:
        s, e = todo.pop()
        if e - s < 2 * m:
            continue
        ts, q = sav.matrix(s, e, m, alpha)
        total = np.maximum(q - alpha, 0.0).sum(axis=0)
        i = int(np.argmax(total))
        if not total[i] > beta:
            continue
        found.append((int(ts[i]), float(total[i]), sav.at(s, e, int(ts[i]))))
        if max_changes is not None and len(found) >= max_changes:
            break
        todo += [(s, int(ts[i])), (int(ts[i]), e)]
    return sorted(found, key=lambda f: f[0])


class CommonChanges(Result):
    """Change points shared by series of a panel (:func:`detect_common_changes`).

    Read-only attributes: ``changes`` (one row per common change, one that
    affects at least ``min_affected`` series: ``changepoint``, ``index``,
    ``statistic`` (the panel statistic ``T``), ``n_affected``, ``affected``,
    the list of series), ``other_changes`` (those the search declared in
    fewer series), ``all_changes`` (both, with ``common``), ``evidence``
    (every declared change x series: each series' scaled saving ``q_j`` at
    the change), ``affected`` (the same, booleans), ``design_effects`` (per series),
    ``penalty``, ``series_penalty``, ``summed`` (the
    :class:`~analysis.changepoints.ChangepointResult` of the summed series)
    and ``comparison`` (every change of either answer and which found it).
    """

    def __init__(
        self,
        panel: pd.DataFrame,
        found: list[tuple[int, float, np.ndarray]],
        D: np.ndarray,
        own: list[list[int]],
        penalty: float,
        series_penalty: float,
        summed: Any,
        level: float,
        min_affected: int = 2,
    ):
        self._panel = panel
        self._D = pd.Series(D, index=panel.columns, name="design_effect")
        idx = panel.index
        cols = list(panel.columns)
        q = np.array([f[2] for f in found]).reshape(len(found), len(cols))
        hit = q > series_penalty
        when = idx[[f[0] for f in found]] if found else idx[:0]
        self._evidence = pd.DataFrame(q, index=when, columns=panel.columns)
        self._evidence.index.name = "changepoint"
        self._affected = pd.DataFrame(hit, index=when, columns=panel.columns)
        n_hit = hit.sum(axis=1).astype(np.int64)
        self._all = pd.DataFrame(
            {
                "changepoint": when,
                "index": np.array([f[0] for f in found], dtype=np.int64),
                "statistic": [f[1] for f in found],
                "n_affected": n_hit,
                "affected": [[c for c, h in zip(cols, row, strict=True) if h] for row in hit],
                "common": n_hit >= min_affected,
            }
        )
        self._min_affected = min_affected
        self._changes = self._all[self._all["common"]].drop(columns="common")
        self._changes = self._changes.reset_index(drop=True)
        self._own = own
        self._penalty = penalty
        self._series_penalty = series_penalty
        self._summed = summed
        self._level = level
        self._comparison = self._compare()

    def _compare(self) -> pd.DataFrame:
        """Every change of either answer; a panel change matches a summed one near it.

        Near: inside the summed change's location interval, or within
        :data:`MATCH_DAYS` of it.
        """
        iv = self._summed.intervals
        near = pd.Timedelta(days=MATCH_DAYS)
        rows = []
        used = set()
        for t in self._all["changepoint"]:
            match = None
            for i in range(len(iv)):
                inside = iv["low"].iloc[i] <= t <= iv["high"].iloc[i]
                close = abs(t - iv["changepoint"].iloc[i]) <= near
                if (inside or close) and i not in used:
                    match = i
                    break
            if match is not None:
                used.add(match)
            rows.append(
                (
                    t,
                    iv["changepoint"].iloc[match] if match is not None else pd.NaT,
                    True,
                    match is not None,
                )
            )
        for i in range(len(iv)):
            if i not in used:
                rows.append((pd.NaT, iv["changepoint"].iloc[i], False, True))
        frame = pd.DataFrame(rows, columns=["panel", "summed", "in_panel", "in_summed"])
        return frame

    @property
    def changes(self) -> pd.DataFrame:
        """One row per common change, with the series it affects."""
        return self._changes.copy()

    @property
    def all_changes(self) -> pd.DataFrame:
        """Every change the panel search declared, with ``common`` (``n_affected >= min_affected``).

        The rows of :attr:`evidence` and :attr:`affected`.
        """
        return self._all.copy()

    @property
    def other_changes(self) -> pd.DataFrame:
        """Changes the panel search declared in fewer than ``min_affected`` series."""
        rest = self._all[~self._all["common"]].drop(columns="common")
        return rest.reset_index(drop=True)

    @property
    def min_affected(self) -> int:
        """The fewest series a common change affects."""
        return self._min_affected

    @property
    def changepoints(self) -> pd.Index:
        """First day of each new common segment."""
        return pd.Index(self._changes["changepoint"])

    @property
    def n_changes(self) -> int:
        """Number of common changes."""
        return len(self._changes)

    @property
    def evidence(self) -> pd.DataFrame:
        """Each series' scaled cost saving ``q_j`` at each change (rows: changes)."""
        return self._evidence.copy()

    @property
    def affected(self) -> pd.DataFrame:
        """Booleans, change x series: ``q_j`` above the per-series penalty."""
        return self._affected.copy()

    @property
    def design_effects(self) -> pd.Series:
        """The conservative long-run design effect of each series (its noise scale)."""
        return self._D.copy()

    @property
    def penalty(self) -> float:
        """Panel penalty ``b`` per change (quasi-likelihood ``-2 log L`` units)."""
        return self._penalty

    @property
    def series_penalty(self) -> float:
        """Per-series penalty ``a`` for each series a change affects."""
        return self._series_penalty

    @property
    def summed(self) -> Any:
        """:func:`analysis.detect_changepoints` on the summed series."""
        return self._summed

    @property
    def comparison(self) -> pd.DataFrame:
        """Which answer found each change: ``panel``, ``summed``, ``in_panel``, ``in_summed``.

        A panel change and a summed change are the same when the panel change
        lies in the summed change's location interval or within
        :data:`MATCH_DAYS` days of it.
        """
        return self._comparison.copy()

    def summary(self) -> str:
        """Plain text: the common changes with their series, and the summed series' answer."""
        n, p = self._panel.shape
        lines = [
            f"Common change points: {self.n_changes} in {p} series of {n} days, "
            f"{len(self._all) - self.n_changes} other change(s) "
            f"(penalty {self._penalty:.3g} per change plus {self._series_penalty:.3g} per series "
            "affected, on each series' quasi-likelihood scale)",
            f"design effects of the series: {self._D.min():.3g} to {self._D.max():.3g}",
        ]
        for row in self._all.itertuples(index=False):
            affected: list[Any] = row.affected  # type: ignore[assignment]
            names = ", ".join(str(c) for c in affected)
            kind = "" if row.common else f" [fewer than {self._min_affected} series: not common]"
            lines.append(
                f"  change at {date_label(row.changepoint)}: {row.n_affected} of {p} series "
                f"({names}); statistic {row.statistic:.3g}{kind}"
            )
        s = self._summed
        lines.append(
            f"summed series (detect_changepoints on the total): {s.n_changes} change(s)"
            + (": " + ", ".join(date_label(c) for c in s.changepoints) if s.n_changes else "")
        )
        cmp_ = self._comparison
        both = int((cmp_["in_panel"] & cmp_["in_summed"]).sum())
        only_panel = cmp_[cmp_["in_panel"] & ~cmp_["in_summed"]]["panel"]
        only_sum = cmp_[~cmp_["in_panel"] & cmp_["in_summed"]]["summed"]
        lines.append(f"  found by both: {both}")
        if len(only_panel):
            lines.append(
                "  only in the panel (hidden or diluted in the total): "
                + ", ".join(date_label(t) for t in only_panel)
            )
        if len(only_sum):
            lines.append(
                "  only in the total (no subset of series carries it past the panel penalty): "
                + ", ".join(date_label(t) for t in only_sum)
            )
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The changes table."""
        return self.changes

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary."""
        ch = self._all.copy()
        ch["affected"] = [[str(c) for c in a] for a in ch["affected"]]
        return {
            "changes": records(ch),
            "min_affected": self._min_affected,
            "design_effects": {str(k): float(v) for k, v in self._D.items()},
            "penalty": self._penalty,
            "series_penalty": self._series_penalty,
            "summed": self._summed.to_dict(),
            "comparison": records(self._comparison),
        }

    def plot(self, ax: Any = None, *, window: int = 7) -> Any:
        """Heat-map of the series' rates with each common change marked on the series it affects.

        The summed series' changes are dashed vertical lines.
        """
        from analysis.batch._many import draw_heatmap

        marks = [
            (t, j)
            for t, row in zip(self._all["changepoint"], self._affected.to_numpy(), strict=True)
            for j in np.flatnonzero(row).tolist()
        ]
        ax = draw_heatmap(ax, self._panel, marks, window, "common change (affected series)")
        import matplotlib.dates as mdates

        for i, t in enumerate(self._summed.changepoints):
            ax.axvline(
                mdates.date2num(t),
                color="C3",
                ls="--",
                lw=1,
                label="summed series" if i == 0 else None,
            )
        if self._summed.n_changes or marks:
            ax.legend(loc="upper right", fontsize="small")
        ax.set_title(f"{self.n_changes} common change(s) in {self._panel.shape[1]} series")
        return ax


def detect_common_changes(
    panel: pd.DataFrame,
    *,
    penalty: float | None = None,
    series_penalty: float | None = None,
    min_affected: int = 2,
    min_size: int = 2,
    max_changes: int | None = None,
    level: float = 0.95,
) -> CommonChanges:
    """Change points shared by several series of a panel, each affecting a subset of them.

    Parameters
    ----------
    panel : pandas.DataFrame
        Daily counts: a column per series (areas of a front, actors of a
        country), a row per day, whole numbers >= 0 without missing values
        (e.g. :func:`analysis.count_incidents` with ``by``).
    penalty : float, optional
        Panel penalty ``b`` per change; default ``3 log n`` (the single-series
        default per change), see the module.
    series_penalty : float, optional
        Per-series penalty ``a``; default ``2 log p`` (0 for one series).
    min_affected : int, default 2
        A common change affects at least this many series (at most the
        number of series). The search declares changes in any number of
        series; those in fewer are listed apart (``other_changes``): a change
        in one series alone is :func:`analysis.detect_changepoints`'s (or
        :func:`detect_many`'s) question, and on stationary dependent panels it
        is where false alarms come from (see the module).
    min_size : int, default 2
        Shortest segment, in days.
    max_changes : int, optional
        Stop after this many common changes.
    level : float, default 0.95
        Level of the single-series fits (dispersion test, intervals of the
        summed series).

    Returns
    -------
    CommonChanges
        ``changes`` (date, statistic, the series affected), ``evidence``,
        ``design_effects``, ``summed`` (the summed series' own answer) and
        ``comparison``; ``summary()`` says how the two answers differ.

    Notes
    -----
    SIMULATED calibration (module docstring; ``tests/batch/test_common_calibration.py``
    checks it on other seeds): on stationary panels of 10 independent series
    of 365 days at 3 a day, panels with any declared change 0.000-0.045 (s.e.
    at most 0.015) under Poisson, NB(5), latent AR(1) (phi 0.8) and NB(5)
    with latent AR(1) noise, with a common change 0.000-0.010; power for a
    x2 change in 3 of the 10 series 0.88-1.00, for x1.5 0.29-0.98 (lowest
    under strong dependence, where the summed series does as well or
    better).

    Examples
    --------
    >>> rng = np.random.default_rng(5)  # SIMULATED: 3 of 6 series double on day 120
    >>> rates = np.ones((240, 6)) * 3.0
    >>> rates[120:, :3] = 6.0
    >>> panel = pd.DataFrame(rng.poisson(rates), columns=list("abcdef"),
    ...                      index=pd.date_range("2024-01-01", periods=240))
    >>> res = detect_common_changes(panel)
    >>> [(str(t.date()), a) for t, a in zip(res.changes["changepoint"], res.changes["affected"])]
    [('2024-04-30', ['a', 'b', 'c'])]
    """
    from analysis.changepoints import detect_changepoints

    frame, X = _check_panel(panel)
    if isinstance(min_size, bool) or not isinstance(min_size, int | np.integer) or min_size < 1:
        raise ValueError(f"min_size must be an integer >= 1, got {min_size!r}")
    if max_changes is not None and (
        isinstance(max_changes, bool)
        or not isinstance(max_changes, int | np.integer)
        or max_changes < 1
    ):
        raise ValueError(f"max_changes must be None or an integer >= 1, got {max_changes!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    p, n = X.shape
    if (
        isinstance(min_affected, bool)
        or not isinstance(min_affected, int | np.integer)
        or min_affected < 1
    ):
        raise ValueError(f"min_affected must be an integer >= 1, got {min_affected!r}")
    k_min = min(int(min_affected), p)
    m = int(min_size)
    if n < 2 * m:
        raise ValueError(f"panel too short: {n} days, a change needs 2 * min_size = {2 * m}")
    b0, a0 = panel_penalties(n, p)
    beta = b0 if penalty is None else _nonneg("penalty", penalty)
    alpha = a0 if series_penalty is None else _nonneg("series_penalty", series_penalty)
    fits = [_own_fit(X[j], m, level, str(c)) for j, c in enumerate(frame.columns)]
    D = np.array([f[0] for f in fits])
    df = np.array([f[1] for f in fits])
    own = [f[2] for f in fits]
    found = _search(_Savings(X, D, df), alpha, beta, m, max_changes)
    if found:  # once more, each D about its own changes and the common changes it carries
        again = [
            _design_effect(X[j], sorted(set(own[j]) | {t for t, _, q in found if q[j] > alpha}))
            for j in range(p)
        ]
        D = np.array([g[0] for g in again])
        df = np.array([g[1] for g in again])
        found = _search(_Savings(X, D, df), alpha, beta, m, max_changes)
    total = frame.sum(axis=1).astype(np.int64)
    total.name = "total"
    summed = detect_changepoints(total, min_size=m, level=level)
    return CommonChanges(frame, found, D, own, beta, alpha, summed, level, k_min)


def _nonneg(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    v = float(value)
    if not (math.isfinite(v) and v >= 0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return v
