"""Simulators of SIMULATED daily count series for the validation study.

Nothing here is real data. Each simulator takes a :class:`numpy.random.Generator`
(so a study is reproducible from its seeds) and returns a :class:`Simulated`:
the simulated counts as a pandas Series on a daily DatetimeIndex, together with
the truth the study compares estimates with (the process rate of every day, the
change dates and the segment rates).

The processes (:class:`Process`) combine, multiplicatively on the daily mean:

* a deterministic rate path: constant, piecewise constant (changes), or
  log-linear (a trend);
* a weekly cycle: day-of-week factors with mean 1 (:data:`WEEKLY_FACTORS`);
* a latent AR(1) log-rate: ``log mu_t = log(mu) - s**2 / 2 + z_t`` with
  ``z_t = phi z_{t-1} + e_t``, stationary sd ``s`` (``z_0`` drawn from the
  stationary law), so ``E exp(z_t - s**2/2) = 1`` and the process mean rate is
  ``mu``;
* the count given the daily mean: Poisson, or negative binomial (NB2, gamma-
  Poisson) with ``size`` k: variance ``m + m**2 / k``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "PROCESSES",
    "START",
    "WEEKLY_FACTORS",
    "Process",
    "Simulated",
    "simulate_counts",
    "simulate_piecewise",
]

#: Day-of-week factors (Monday first) of the simulated weekly cycle; their mean is 1,
#: so a whole number of weeks has the process mean rate.
WEEKLY_FACTORS: tuple[float, ...] = (1.2, 1.1, 1.0, 1.0, 1.0, 0.8, 0.9)

#: First day of every simulated series (a Monday).
START = pd.Timestamp("2023-01-02")


@dataclass(frozen=True)
class Process:
    """A stationary SIMULATED count process (before any change or trend).

    Parameters
    ----------
    name : str
        Short name used in the study's tables (e.g. ``"nb5+ar0.8"``).
    size : float, optional
        Negative-binomial size k (variance ``m + m**2 / k``); None for Poisson.
    phi : float, optional
        Autocorrelation of the latent AR(1) log-rate; None for none.
    sd : float, default 0.3
        Stationary sd ``s`` of the latent log-rate (used only with ``phi``).
    weekly : bool, default False
        Multiply the daily mean by :data:`WEEKLY_FACTORS`.

    Examples
    --------
    >>> p = Process("ar0.8", phi=0.8)
    >>> round(p.variance(5.0) / p.mean(5.0), 2)  # variance-to-mean ratio
    1.47
    """

    name: str
    size: float | None = None
    phi: float | None = None
    sd: float = 0.3
    weekly: bool = False

    def __post_init__(self) -> None:
        if self.size is not None and not self.size > 0:
            raise ValueError(f"size must be > 0 (got {self.size})")
        if self.phi is not None and not -1 < self.phi < 1:
            raise ValueError(f"phi must be strictly between -1 and 1 (got {self.phi})")
        if not self.sd >= 0:
            raise ValueError(f"sd must be >= 0 (got {self.sd})")

    @property
    def description(self) -> str:
        """The process in words, labelled as simulated."""
        parts = [
            "Poisson" if self.size is None else f"negative binomial (size {self.size:g})",
        ]
        if self.phi is not None:
            parts.append(f"latent AR(1) log-rate (phi {self.phi:g}, sd {self.sd:g})")
        if self.weekly:
            parts.append("weekly cycle")
        return "simulated " + " + ".join(parts)

    def mean(self, rate: float) -> float:
        """Mean count per day of the stationary process at mean rate ``rate``."""
        return float(rate)

    def variance(self, rate: float) -> float:
        """Variance of one day's count (closed form; not defined with a weekly cycle).

        ``Var = mu + mu**2 exp(s**2) / k + mu**2 (exp(s**2) - 1)``, with the
        terms for k or s dropped when absent.
        """
        if self.weekly:
            raise ValueError("the one-day variance of a weekly cycle depends on the weekday")
        mu = float(rate)
        s2 = self.sd**2 if self.phi is not None else 0.0
        nb = 0.0 if self.size is None else mu**2 * math.exp(s2) / self.size
        return mu + nb + mu**2 * math.expm1(s2)

    def lag1_autocorrelation(self, rate: float) -> float:
        """Lag-1 autocorrelation of the counts: ``mu**2 (exp(phi s**2) - 1) / Var``."""
        if self.phi is None:
            return 0.0
        mu = float(rate)
        return mu**2 * math.expm1(self.phi * self.sd**2) / self.variance(rate)


#: The stationary processes of the study (all simulated).
PROCESSES: dict[str, Process] = {
    p.name: p
    for p in (
        Process("poisson"),
        Process("nb2", size=2),
        Process("nb5", size=5),
        Process("nb20", size=20),
        Process("ar0.5", phi=0.5),
        Process("ar0.8", phi=0.8),
        Process("weekly", weekly=True),
        Process("nb5+weekly", size=5, weekly=True),
        Process("nb5+ar0.8", size=5, phi=0.8),
        Process("ar0.8+weekly", phi=0.8, weekly=True),
    )
}


@dataclass(frozen=True)
class Simulated:
    """A SIMULATED count series and its truth.

    Attributes
    ----------
    counts : pandas.Series
        Simulated counts per day (int64) on a daily DatetimeIndex from :data:`START`.
    rate : pandas.Series
        The process rate of each day (expected count per day given the
        deterministic parts: rate path and weekly cycle; averaged over the
        latent AR factor and the count noise).
    mean_rate : float
        The process mean rate per day of a stationary series (with a weekly
        cycle: over whole weeks); for a piecewise or trending series the mean
        of ``rate``.
    change_dates : pandas.DatetimeIndex
        First day of each new segment.
    change_positions : tuple of int
        0-based positions of those days.
    segment_rates : tuple of float
        Process mean rate per day of each segment (before the weekly cycle).
    slope : float
        Trend of the log rate per day (0 without a trend).
    process : Process
        The process that generated the series.
    """

    counts: pd.Series
    rate: pd.Series
    mean_rate: float
    process: Process
    change_dates: pd.DatetimeIndex = field(default_factory=lambda: pd.DatetimeIndex([]))
    change_positions: tuple[int, ...] = ()
    segment_rates: tuple[float, ...] = ()
    slope: float = 0.0


def _latent_ar(rng: np.random.Generator, n: int, phi: float, sd: float) -> np.ndarray:
    """A stationary AR(1) path with marginal sd ``sd`` (z_0 from the stationary law)."""
    from scipy.signal import lfilter

    e = rng.normal(0.0, sd * math.sqrt(1.0 - phi**2), n)
    e[0] = rng.normal(0.0, sd)
    # z_t = phi z_{t-1} + e_t with z_0 = e_0: a first-order recursive filter
    return np.asarray(lfilter([1.0], [1.0, -phi], e))


def _draw(
    process: Process, path: np.ndarray, rng: np.random.Generator, start: pd.Timestamp
) -> tuple[pd.Series, pd.Series]:
    """Counts and the process rate for a deterministic rate path (per day)."""
    n = len(path)
    index = pd.date_range(start, periods=n, freq="D")
    expected = np.asarray(path, dtype=float)
    if process.weekly:
        expected = expected * np.asarray(WEEKLY_FACTORS)[index.day_of_week]
    mean = expected
    if process.phi is not None:
        z = _latent_ar(rng, n, process.phi, process.sd)
        mean = expected * np.exp(z - process.sd**2 / 2)
    if process.size is not None:
        mean = rng.gamma(process.size, mean / process.size)
    counts = pd.Series(rng.poisson(mean).astype(np.int64), index=index, name="simulated")
    return counts, pd.Series(expected, index=index, name="process rate")


def _check(n: int, rate: float) -> None:
    if int(n) != n or n < 1:
        raise ValueError(f"n must be a whole number >= 1 (got {n})")
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a number > 0 (got {rate})")


def simulate_counts(
    process: Process,
    n: int,
    rate: float,
    rng: np.random.Generator,
    *,
    slope: float = 0.0,
    start: pd.Timestamp = START,
) -> Simulated:
    """Simulate ``n`` days of a stationary (or log-linear trending) SIMULATED count series.

    Parameters
    ----------
    process : Process
        The count process.
    n : int
        Number of days.
    rate : float
        Process mean rate per day (with ``slope``: the rate on the first day).
    rng : numpy.random.Generator
        Source of randomness.
    slope : float, default 0.0
        Trend of the log rate per day: the rate on day t is ``rate * exp(slope * t)``.
    start : pandas.Timestamp
        First day.

    Returns
    -------
    Simulated

    Examples
    --------
    >>> import numpy as np
    >>> sim = simulate_counts(PROCESSES["nb5"], 7, 5.0, np.random.default_rng(1))
    >>> len(sim.counts), sim.mean_rate
    (7, 5.0)
    """
    _check(n, rate)
    path = rate * np.exp(slope * np.arange(int(n)))
    counts, expected = _draw(process, path, rng, start)
    mean_rate = float(rate) if slope == 0 else float(np.mean(path))
    return Simulated(counts, expected, mean_rate, process, slope=float(slope))


def simulate_piecewise(
    process: Process,
    n: int,
    segment_rates: tuple[float, ...] | list[float],
    change_at: tuple[int, ...] | list[int],
    rng: np.random.Generator,
    *,
    start: pd.Timestamp = START,
) -> Simulated:
    """Simulate a SIMULATED count series whose process rate is piecewise constant.

    Parameters
    ----------
    process : Process
        The count process within segments.
    n : int
        Number of days.
    segment_rates : sequence of float
        Process mean rate per day of each segment.
    change_at : sequence of int
        0-based position of the first day of each new segment (increasing,
        inside ``1 .. n - 1``); one fewer than ``segment_rates``.
    rng : numpy.random.Generator
        Source of randomness.
    start : pandas.Timestamp
        First day.

    Returns
    -------
    Simulated
        With ``change_dates``, ``change_positions`` and ``segment_rates``.

    Examples
    --------
    >>> import numpy as np
    >>> sim = simulate_piecewise(PROCESSES["poisson"], 365, (3.0, 6.0), (182,),
    ...                          np.random.default_rng(2))
    >>> str(sim.change_dates[0].date()), sim.segment_rates
    ('2023-07-03', (3.0, 6.0))
    """
    rates = tuple(float(r) for r in segment_rates)
    at = tuple(int(a) for a in change_at)
    if len(rates) != len(at) + 1:
        raise ValueError(
            f"segment_rates needs one more value than change_at ({len(rates)} vs {len(at)})"
        )
    for r in rates:
        _check(n, r)
    if any(b <= a for a, b in zip((0, *at), (*at, int(n)), strict=True)):
        raise ValueError(f"change_at must increase strictly inside 1..{int(n) - 1} (got {at})")
    path = np.repeat(rates, np.diff((0, *at, int(n))))
    counts, expected = _draw(process, path, rng, start)
    return Simulated(
        counts,
        expected,
        float(np.mean(path)),
        process,
        change_dates=pd.DatetimeIndex(counts.index[list(at)]),
        change_positions=at,
        segment_rates=rates,
    )
