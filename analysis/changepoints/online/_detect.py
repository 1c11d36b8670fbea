"""The public online detector: checks the settings, runs the recursion, applies the rule."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from numbers import Real

import numpy as np
import pandas as pd

from analysis.changepoints.online._kernel import run
from analysis.changepoints.online._model import (
    check_prior,
    default_prior,
    overdispersion_note,
    resolve_family,
    validate,
)
from analysis.changepoints.online._result import OnlineChangepoints, OnlineFit

__all__ = ["declare_changes", "online_changepoints"]


def declare_changes(
    change_prob: np.ndarray, map_start: np.ndarray, observed: np.ndarray, lag: int, threshold: float
) -> tuple[list[int], list[int]]:
    """Apply the documented detection rule; return (change positions, detection positions).

    Examples
    --------
    >>> cp = np.array([0.0, 0.1, 0.95, 0.97])
    >>> declare_changes(cp, np.array([0, 0, 2, 2]), np.ones(4, bool), 3, 0.9)
    ([2], [2])
    """
    first = int(np.flatnonzero(observed)[0])
    last: int | None = None  # the previous declared change; none yet
    changes: list[int] = []
    detected: list[int] = []
    steps = np.flatnonzero(observed & (change_prob >= threshold))
    for t in steps:
        s = int(map_start[t])
        if s > first and t - s + 1 <= lag and (last is None or s >= last + lag):
            changes.append(s)
            detected.append(int(t))
            last = s
    return changes, detected


def online_changepoints(
    y: pd.Series | np.ndarray | Sequence[float],
    *,
    hazard: float = 1 / 250,
    family: str = "poisson",
    prior: Sequence[float] | None = None,
    lag: int = 30,
    threshold: float = 0.9,
    prune_threshold: float = 1e-10,
    max_run_lengths: int | None = 500,
    model: str | None = None,
) -> OnlineChangepoints:
    """Monitor a series for changes as it arrives (Bayesian online change points).

    Implements the run-length recursion of Adams and MacKay (2007): after each
    observation the posterior over "when did the current segment start" is
    updated in one pass, using only the data seen so far. Each segment has its
    own parameter drawn from a conjugate prior.

    Parameters
    ----------
    y : pandas.Series or array-like
        The series, in time order (for example incidents per day). The index
        of a Series is kept; it must be sorted and unique, and a date index
        regular (one value per day, week, month, ...: reindex with NaN to mark
        a missing period). NaN means "not observed": the step does not update
        the posterior (see Notes). Counts must be whole, non-negative and
        below 2**53; values finite and at most 1e150 in size.
    hazard : float, default 1/250
        Prior probability that a new segment starts at any observed step,
        in (0, 1); ``1 / hazard`` is the expected segment length in steps.
    family : {"poisson", "normal"}, default "poisson"
        ``"poisson"``: counts, Poisson with a Gamma(shape, rate) prior on
        the rate (per step); the predictive is negative binomial.
        ``"normal"``: measurements, Normal with unknown mean and variance,
        Normal-Inverse-Gamma prior; the predictive is Student-t.
        (``"poisson_gamma"`` is the deprecated old name of ``"poisson"``.)
    prior : tuple of float, optional
        ``(shape, rate)`` for poisson; ``(mu0, kappa0, alpha0, beta0)``
        for normal (mean | variance ~ N(mu0, variance / kappa0), variance ~
        InvGamma(alpha0, beta0)). The default is set from the data scale:
        poisson ``(1, 1 / mean(y))``, an exponential prior whose mean is
        the average count per step and whose weight is one pseudo-event;
        normal ``(median(y), min(1, s**2 / var(y)), 1, s**2)`` where ``s`` is
        the noise scale estimated robustly to level shifts (MAD of the first
        differences divided by sqrt(2); for a constant series 1). The
        default looks at the whole series to set the scale; for strict
        streaming, pass a prior.
    lag : int, default 30
        Window of the change probability, in steps (see Returns).
    threshold : float, default 0.9
        Change probability at which a change is declared.
    prune_threshold : float, default 1e-10
        Run-length hypotheses whose posterior probability falls below this are
        dropped (the rest renormalised). 0 disables this pruning.
    max_run_lengths : int or None, default 500
        Keep at most this many hypotheses (the most probable) after each step,
        so the cost is O(n * max_run_lengths). When the cap is exceeded, the
        least probable are dropped down to 7/8 of it, so the selection runs
        only once every ``max_run_lengths / 8`` steps or so. None keeps every hypothesis
        above ``prune_threshold`` (exact when ``prune_threshold=0``, but
        quadratic in n on long stationary stretches).
    model : str, optional
        Deprecated old name of ``family`` (warns).

    Returns
    -------
    OnlineChangepoints
        ``change_probability``: at step t, the posterior probability, given
        y[0..t], that a change (a new segment, not the initial one) started
        within the last ``lag`` steps, i.e. P(run length <= lag).
        ``run_length``: the most probable (MAP) run length in steps.
        ``changepoints``: the first index label of each detected new segment,
        with ``detection_times`` (when it was declared).

    Raises
    ------
    analysis.errors.DataError
        For bad values (every one, with its row) or an index that is not
        sorted and unique, or a date index with gaps or duplicates.
    TypeError
        For a DataFrame or an input that is not one-dimensional.
    ValueError
        For a setting out of range (the message names the parameter), or,
        for the normal family with the default prior, a noise scale too small
        to square in floating point (below 1.5e-154: rescale the series).

    Notes
    -----
    *Why not P(run length = 0)?* With a constant hazard, the probability that
    a segment starts exactly at the newest step is (almost) the hazard itself
    whatever the data say, because one observation carries little evidence.
    Summing over the last ``lag`` steps lets the evidence accumulate.

    *Detection rule.* At an observed step t a change is declared when the
    change probability is at least ``threshold``, the MAP hypothesis is a
    change within the last ``lag`` steps (its segment start s satisfies
    t - s + 1 <= lag), and s is at least ``lag`` steps after the previous
    declared change. The change point is s and the detection time t; changes
    closer than ``lag`` steps merge into one. A change in the first ``lag``
    steps is declared like any other (the initial segment never counts as a
    change): on the Nile flow (100 years) the normal family finds 1899, 28
    steps in; on 300 simulated stationary series of 100 steps per case
    (Poisson 0.5, 3, 10; normal), at most 1% had any alarm.
    With the defaults, on simulated stationary Poisson series (rates 0.5 to
    10 per step, 200,000 steps each) false alarms occurred at 0.09 to 0.17
    per 1,000 steps; the tests check at most 0.3. A 3 -> 9 rate change is
    found within 5 steps of where it happened, about 2 steps after it.

    *Pruning.* The posterior mass dropped at each step is recorded
    (``pruned_mass`` in ``to_frame()``; the largest in ``summary()``). On a
    long stationary stretch every past step keeps a small posterior mass
    (about hazard times a Bayes factor), so without a cap the number of
    hypotheses grows with n; the cap keeps the cost linear. Threshold pruning
    alone changes the change probability by less than 1e-6 in the tests; with
    the default cap, on a simulated 3,000-step series with a 2,300-step
    stationary stretch, the change probability differs from the exact
    recursion by 0.005 to 0.012 (absolute, three seeds) and the detected
    changes are the same. A larger cap shrinks the error (about 0.002 at
    1,000, 3e-4 at 2,000) at a cost proportional to the cap (about 0.5 s per
    100,000 steps at 500).

    *Overdispersed counts.* The Poisson family assumes Poisson counts
    within a segment; counts that vary more (bursts) look like changes. After
    the run the counts between detected changes are tested for
    overdispersion (neighbour-pair test, p < 0.001); if it rejects, a
    ``UserWarning`` is raised and the summary and ``to_dict()["note"]`` say
    so. On simulated Poisson series (rates 0.5 to 100, 500 steps, 200 each)
    it never warned; on negative-binomial counts with mean 5 and size 2 it
    always did, and on the Nile flow too.

    *Missing values.* A NaN step is skipped: the posterior over segment starts
    is carried forward unchanged and no hazard is applied, so a gap of any
    length has the prior change probability of one step. Run lengths keep
    counting steps (NaN steps included), so the change probability decays
    during a gap. Leading NaN steps have NaN outputs.

    *Extreme magnitudes.* The recursion keeps its precision at any accepted
    magnitude (see :mod:`analysis.changepoints.online._kernel`): a constant
    series gives no change, whether its value is 5, 1e15 or 2**53 - 1
    (counts) or 1e100 (values), and one step from 0 to 1e20 (values) gives
    one change.

    References
    ----------
    R. P. Adams and D. J. C. MacKay (2007), "Bayesian online changepoint
    detection", arXiv:0710.3742.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> y = np.concatenate([rng.poisson(3, 300), rng.poisson(9, 200)])  # simulated
    >>> res = online_changepoints(y)
    >>> [int(i) for i in res.indices]  # the rate changed at 300
    [298]
    >>> bool(res.change_probability.iloc[310] > 0.5)
    True
    """
    family = resolve_family(family, model)
    if not (isinstance(hazard, Real) and 0 < float(hazard) < 1):
        raise ValueError(f"hazard must be a probability in (0, 1), got {hazard!r}.")
    if not (isinstance(lag, int | np.integer) and not isinstance(lag, bool) and lag >= 1):
        raise ValueError(f"lag must be an integer >= 1, got {lag!r}.")
    if not (isinstance(threshold, Real) and 0 < threshold < 1):
        raise ValueError(f"threshold must be in (0, 1), got {threshold!r}.")
    if not (isinstance(prune_threshold, Real) and 0 <= prune_threshold < 1):
        raise ValueError(f"prune_threshold must be in [0, 1), got {prune_threshold!r}.")
    if max_run_lengths is not None and not (
        isinstance(max_run_lengths, int | np.integer)
        and not isinstance(max_run_lengths, bool)
        and max_run_lengths >= 1
    ):
        raise ValueError(
            f"max_run_lengths must be an integer >= 1 or None, got {max_run_lengths!r}."
        )
    series = validate(y, family)
    values = series.values
    observed = ~series.missing
    chosen = default_prior(family, values[observed]) if prior is None else prior
    prior_values = check_prior(family, chosen)
    change_prob, map_start, n_live, pruned = run(
        values, family, prior_values, float(hazard), int(lag), prune_threshold, max_run_lengths
    )
    changes, detected = declare_changes(change_prob, map_start, observed, int(lag), threshold)
    run_length = np.where(map_start >= 0, np.arange(len(values)) - map_start + 1, np.nan)
    note = overdispersion_note(values, observed, changes) if family == "poisson" else ""
    if note:
        warnings.warn(note, UserWarning, stacklevel=2)
    name = y.name if isinstance(y, pd.Series) else None
    return OnlineChangepoints(
        OnlineFit(
            # the input's own index labels the result (CountSeries reads periods as dates)
            data=pd.Series(
                values, index=y.index if isinstance(y, pd.Series) else series.index, name=name
            ),
            change_probability=change_prob,
            run_length=run_length,
            n_hypotheses=n_live,
            pruned_mass=pruned,
            indices=np.asarray(changes, dtype=np.int64),
            detection_indices=np.asarray(detected, dtype=np.int64),
            hazard=float(hazard),
            family=family,
            prior=prior_values,
            prior_is_default=prior is None,
            lag=int(lag),
            threshold=float(threshold),
            prune_threshold=float(prune_threshold),
            max_run_lengths=None if max_run_lengths is None else int(max_run_lengths),
            note=note,
        )
    )
