"""Simulated forecasts of a fitted trend model: the ForecastResult object."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analysis._results import Result, get_ax
from analysis.trend._output import date_label, draw_history, jsonable, line_and_band


class ForecastResult(Result):
    """Forecast of future counts with simulated prediction intervals.

    ``mean`` is the expected count per period at the estimated parameters;
    ``ci_low, ci_high`` bound a prediction interval for the count itself
    (parameter and count uncertainty). ``total`` is the sum over the horizon
    with its interval from the same simulated paths.
    """

    def __init__(
        self,
        *,
        index: pd.DatetimeIndex,
        mean: np.ndarray,
        ci_low: np.ndarray,
        ci_high: np.ndarray,
        total: tuple[float, float, float],
        level: float,
        n_sim: int,
        notes: list[str],
        history: pd.DataFrame,
    ):
        self._frame = pd.DataFrame(
            {"mean": mean, "ci_low": ci_low, "ci_high": ci_high},
            index=pd.DatetimeIndex(index, name=history.index.name),
        )
        self._total = total
        self._level = level
        self._n_sim = n_sim
        self._notes = list(notes)
        self._history = history

    @property
    def mean(self) -> pd.Series:
        """Expected count per future period."""
        return self._frame["mean"].copy()

    @property
    def ci_low(self) -> pd.Series:
        """Lower prediction bound per future period."""
        return self._frame["ci_low"].copy()

    @property
    def ci_high(self) -> pd.Series:
        """Upper prediction bound per future period."""
        return self._frame["ci_high"].copy()

    @property
    def total(self) -> tuple[float, float, float]:
        """Expected total over the horizon and its prediction interval."""
        return self._total

    @property
    def level(self) -> float:
        """Coverage of the prediction intervals."""
        return self._level

    @property
    def n_sim(self) -> int:
        """Number of simulated paths."""
        return self._n_sim

    @property
    def notes(self) -> list[str]:
        """Caveats (e.g. autocorrelated residuals make the intervals too narrow)."""
        return list(self._notes)

    def to_frame(self) -> pd.DataFrame:
        """Columns ``mean, ci_low, ci_high`` per future period."""
        return self._frame.copy()

    def summary(self) -> str:
        """Plain-text forecast table and total."""
        f = self._frame
        total, lo, hi = self._total
        lines = [
            f"Forecast of {len(f)} periods from {date_label(f.index[0])} "
            f"({self._level:.0%} prediction intervals, {self._n_sim} simulations)",
            f"Total: {total:.1f} expected ({lo:.0f} to {hi:.0f})",
            f.to_string(float_format=lambda v: f"{v:.1f}"),
        ]
        lines += [f"Note: {n}" for n in self._notes]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary."""
        total, lo, hi = self._total
        return jsonable(
            {
                "level": self._level,
                "n_sim": self._n_sim,
                "total": {"mean": total, "ci_low": lo, "ci_high": hi},
                "forecast": [
                    {
                        "date": str(d),
                        "mean": r["mean"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                    }
                    for d, r in self._frame.iterrows()
                ],
                "notes": self._notes,
            }
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw the data, the fit and the forecast with its interval; returns the Axes."""
        ax = get_ax(ax)
        draw_history(ax, self._history, self._history.attrs.get("level"))
        draw_forecast(ax, self)
        ax.legend(loc="upper left", fontsize="small")
        return ax


def draw_forecast(ax: Any, fc: ForecastResult) -> None:
    labels = ("forecast", f"{fc.level:.0%} prediction interval")
    line_and_band(ax, fc.to_frame(), "mean", "C1", labels)
