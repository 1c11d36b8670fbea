"""The result of :func:`online_changepoints`: per-step change probability and run length."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analysis._draw import concise_dates, get_ax, plot_x, require_matplotlib
from analysis._format import date_label, jsonable
from analysis._results import Result
from analysis.changepoints.online._model import prior_names

__all__ = ["OnlineChangepoints", "OnlineFit"]

_PANELS = ("data", "change_probability", "run_length")


@dataclass(frozen=True)
class OnlineFit:
    """Everything one run of the detector produced (internal, frozen)."""

    data: pd.Series
    change_probability: np.ndarray
    run_length: np.ndarray
    n_hypotheses: np.ndarray
    pruned_mass: np.ndarray
    indices: np.ndarray
    detection_indices: np.ndarray
    hazard: float
    family: str
    prior: tuple[float, ...]
    prior_is_default: bool
    lag: int
    threshold: float
    prune_threshold: float
    max_run_lengths: int | None
    note: str = ""


class OnlineChangepoints(Result):
    """Result of :func:`online_changepoints`: per-step change probability and MAP run length.

    All attributes are read-only. Series share the index of the input.
    """

    def __init__(self, fit: OnlineFit):
        self._fit = fit

    @property
    def data(self) -> pd.Series:
        """The input series (with its index)."""
        return self._fit.data

    @property
    def index(self) -> pd.Index:
        """The index of the input."""
        return self._fit.data.index

    @property
    def change_probability(self) -> pd.Series:
        """P(a change started within the last ``lag`` steps | data so far), per step."""
        return pd.Series(self._fit.change_probability, index=self.index, name="change_probability")

    @property
    def run_length(self) -> pd.Series:
        """Most probable (MAP) run length in steps, per step (NaN before the first value)."""
        return pd.Series(self._fit.run_length, index=self.index, name="run_length")

    @property
    def changepoints(self) -> pd.Index:
        """Index label of the first step of each detected new segment."""
        return self.index[self._fit.indices]

    @property
    def indices(self) -> np.ndarray:
        """0-based positions of the detected change points."""
        return self._fit.indices.copy()

    @property
    def detection_times(self) -> pd.Index:
        """Index label of the step at which each change was declared."""
        return self.index[self._fit.detection_indices]

    @property
    def detection_delays(self) -> np.ndarray:
        """Steps between each change point and its detection (0 = declared at once)."""
        return self._fit.detection_indices - self._fit.indices

    @property
    def hazard(self) -> float:
        """Prior probability of a new segment at each observed step."""
        return self._fit.hazard

    @property
    def family(self) -> str:
        """Observation family: ``"poisson"`` (counts) or ``"normal"`` (measurements)."""
        return self._fit.family

    @property
    def model(self) -> str:
        """Deprecated name of :attr:`family`."""
        warnings.warn(
            "OnlineChangepoints.model is deprecated; use .family", DeprecationWarning, stacklevel=2
        )
        return self._fit.family

    @property
    def prior(self) -> tuple[float, ...]:
        """Prior parameters used: (shape, rate) or (mu0, kappa0, alpha0, beta0)."""
        return self._fit.prior

    @property
    def lag(self) -> int:
        """Window of the change probability, in steps."""
        return self._fit.lag

    @property
    def threshold(self) -> float:
        """Change probability at which a change is declared."""
        return self._fit.threshold

    @property
    def max_pruned_mass(self) -> float:
        """Largest posterior mass dropped by pruning at any one step."""
        return float(self._fit.pruned_mass.max(initial=0.0))

    def to_frame(self) -> pd.DataFrame:
        """Per-step table: value, change probability, MAP run length, detections, pruning."""
        is_detection = np.zeros(len(self.index), dtype=bool)
        is_detection[self._fit.detection_indices] = True
        return pd.DataFrame(
            {
                "y": self.data.to_numpy(),
                "change_probability": self._fit.change_probability,
                "run_length": self._fit.run_length,
                "detection": is_detection,
                "n_hypotheses": self._fit.n_hypotheses,
                "pruned_mass": self._fit.pruned_mass,
            },
            index=self.index,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly summary: settings, change points and detection times."""
        return jsonable(
            {
                "family": self.family,
                "prior": list(self.prior),
                "prior_is_default": self._fit.prior_is_default,
                "hazard": self.hazard,
                "lag": self.lag,
                "threshold": self.threshold,
                "prune_threshold": self._fit.prune_threshold,
                "max_run_lengths": self._fit.max_run_lengths,
                "n": len(self.index),
                "n_missing": int(self.data.isna().sum()),
                "changepoints": list(self.changepoints),
                "indices": self._fit.indices,
                "detection_times": list(self.detection_times),
                "detection_delays": self.detection_delays,
                "max_pruned_mass": self.max_pruned_mass,
                "note": self._fit.note or None,
            }
        )

    def summary(self) -> str:
        """Plain-text summary."""
        names = prior_names(self.family)
        prior = ", ".join(f"{k}={v:.4g}" for k, v in zip(names, self.prior, strict=True))
        origin = "default, from the data scale" if self._fit.prior_is_default else "given"
        what = (
            "Poisson counts, Gamma prior on the rate per step"
            if self.family == "poisson"
            else "Normal values, Normal-Inverse-Gamma prior on mean and variance"
        )
        lines = [
            "Bayesian online change points (Adams and MacKay 2007)",
            f"family: {self.family} ({what}); prior ({origin}): {prior}",
            f"hazard: {self.hazard:.4g} (expected segment length {1 / self.hazard:.0f} steps)",
            f"change probability: P(change within the last {self.lag} steps); "
            f"threshold {self.threshold:g}",
            f"steps: {len(self.index)} ({int(self.data.isna().sum())} missing)",
            f"largest posterior mass pruned in one step: {self.max_pruned_mass:.2g}",
            f"changes detected: {len(self._fit.indices)}",
        ]
        for cp, det, delay in zip(
            self.changepoints, self.detection_times, self.detection_delays, strict=True
        ):
            lines.append(
                f"  new segment from {date_label(cp)} (declared at {date_label(det)}, "
                f"{delay} steps later)"
            )
        if self._fit.note:
            lines.append(f"Note: {self._fit.note}")
        return "\n".join(lines)

    def plot(self, ax: Any = None, *, panel: str | None = None) -> Any:
        """Plot the data with the detected changes and the change probability.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Draw one panel on this Axes and return it.
        panel : {"data", "change_probability", "run_length"}, optional
            Which panel to draw on a single Axes. Default: ``"data"`` when
            ``ax`` is given; with neither, a two-panel figure.

        Returns
        -------
        matplotlib.figure.Figure or matplotlib.axes.Axes
            The Figure (data above, change probability below) when neither
            ``ax`` nor ``panel`` is given, otherwise the Axes drawn on.

        Examples
        --------
        >>> import numpy as np
        >>> from analysis.changepoints.online import online_changepoints
        >>> rng = np.random.default_rng(1)
        >>> res = online_changepoints(np.r_[rng.poisson(3, 100), rng.poisson(9, 100)])
        >>> len(res.plot().axes)  # simulated counts
        2
        """
        if panel is not None and panel not in _PANELS:
            raise ValueError(f"panel must be one of {_PANELS}, got {panel!r}.")
        if ax is None and panel is None:
            plt = require_matplotlib()
            fig, (top, bottom) = plt.subplots(
                2, 1, figsize=(9, 5), sharex=True, height_ratios=(2, 1)
            )
            self._draw(top, "data")
            self._draw(bottom, "change_probability")
            return fig
        ax = get_ax(ax)
        self._draw(ax, panel or "data")
        return ax

    def _draw(self, ax: Any, panel: str) -> None:
        x = plot_x(self.index)
        if panel == "data":
            ax.plot(x, self.data.to_numpy(dtype=float, na_value=np.nan), lw=0.8, color="0.3")
            ax.set_ylabel(str(self.data.name) if self.data.name is not None else "value")
        elif panel == "change_probability":
            ax.plot(x, self._fit.change_probability, lw=0.9, color="C0")
            ax.axhline(self.threshold, ls="--", lw=0.8, color="0.5")
            ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel(f"P(change in last {self.lag})")
        else:
            ax.plot(x, self._fit.run_length, lw=0.9, color="C0")
            ax.set_ylabel("MAP run length (steps)")
        for i, cp in enumerate(x[self._fit.indices]):
            ax.axvline(cp, color="C3", lw=1.0, ls="-", label="detected change" if i == 0 else None)
        if panel == "data" and len(self.changepoints):
            ax.legend(loc="upper left", frameon=False)
        if isinstance(self.index, pd.TimedeltaIndex):
            ax.set_xlabel("days")
        if isinstance(x, pd.DatetimeIndex):
            concise_dates(ax)
