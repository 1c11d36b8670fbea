"""Residual diagnostics of a fitted trend model: Ljung-Box, ACF, notes and a figure.

The functions take the Pearson residuals (a Series on the counts' index)
and return tables or a matplotlib Figure; :class:`TrendResult` exposes them
as properties.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from analysis._draw import concise_dates, plot_x, require_matplotlib
from analysis._format import date_label, p_text
from analysis.trend._state import FitState

__all__ = [
    "LJUNG_BOX_LEVEL",
    "acf",
    "ljung_box",
    "notes",
    "plot_diagnostics",
    "primary_lag",
]

#: level at which the Ljung-Box test flags autocorrelated residuals
LJUNG_BOX_LEVEL = 0.05


def ljung_box(resid: pd.Series) -> pd.DataFrame:
    """Ljung-Box tests of the residuals at lags 7, 14 and 28 (those < n / 2).

    Columns ``statistic, p_value``, indexed by ``lag``.
    """
    from statsmodels.stats.diagnostic import acorr_ljungbox

    n = len(resid)
    lags = [lag for lag in (7, 14, 28) if lag < n / 2] or [max(1, n // 4)]
    lb = acorr_ljungbox(resid.to_numpy(), lags=lags, return_df=True)
    lb.columns = ["statistic", "p_value"]
    lb.index.name = "lag"
    return lb


def primary_lag(lb: pd.DataFrame) -> tuple[int, float]:
    """The lag that decides (14, or the largest tested) and its p-value."""
    lag = 14 if 14 in lb.index else int(lb.index[-1])
    return lag, float(lb["p_value"].loc[lag])


def acf(resid: pd.Series) -> pd.Series:
    """Autocorrelation of the residuals at lags 1..min(28, n - 2)."""
    from statsmodels.tsa.stattools import acf as sm_acf

    nlags = min(28, len(resid) - 2)
    values = sm_acf(resid.to_numpy(), nlags=nlags, fft=True)
    return pd.Series(values[1:], index=pd.RangeIndex(1, nlags + 1, name="lag"), name="acf")


def notes(fit: FitState, lb: pd.DataFrame) -> list[str]:
    """Plain warnings about the fit (autocorrelation, overdispersion under Poisson, coverage)."""
    out = []
    lag, p_lb = primary_lag(lb)
    if p_lb < LJUNG_BOX_LEVEL:
        remedy = (
            "the HAC standard errors in use allow for it in the coefficients' intervals, "
            "but forecast intervals still assume independent days"
            if fit.cov_type == "HAC"
            else "refit with cov_type='HAC' for standard errors that allow for it"
        )
        out.append(
            f"Pearson residuals are autocorrelated (Ljung-Box lag {lag}: "
            f"{p_text(p_lb)}): the model misses some structure, so standard errors, "
            f"confidence bands and forecast intervals are too narrow; {remedy}."
        )
    if fit.family == "poisson" and fit.dispersion_test.overdispersed:
        out.append(
            "The counts are overdispersed but a Poisson model was requested: "
            "intervals are too narrow; use family='negbin' or 'auto'."
        )
    partial = np.flatnonzero(fit.coverage < 1)
    if partial.size:
        where = ", ".join(date_label(fit.series.local[int(i)]) for i in partial)
        out.append(
            f"Partly covered period(s) from {where}: the counting window covers only part of "
            "them, so their expected counts are scaled by the part covered."
        )
    return out


def plot_diagnostics(resid: pd.Series, rate: pd.Series, lb: pd.DataFrame, ac: pd.Series) -> Any:
    """Figure of residuals over time, their ACF, residuals vs fit and Ljung-Box p-values."""
    require_matplotlib()
    from matplotlib.figure import Figure

    n = len(resid)
    fig = Figure(figsize=(10, 7), layout="constrained")
    axes = fig.subplots(2, 2)
    axes[0, 0].plot(plot_x(resid.index), resid.to_numpy(), lw=0.8)
    axes[0, 0].axhline(0, color="grey", lw=0.8)
    axes[0, 0].set_title("Pearson residuals")
    concise_dates(axes[0, 0])
    axes[0, 1].bar(ac.index, ac.to_numpy(), width=0.6)
    bound = stats.norm.ppf(0.975) / np.sqrt(n)
    axes[0, 1].axhline(bound, ls="--", color="grey", lw=0.8)
    axes[0, 1].axhline(-bound, ls="--", color="grey", lw=0.8)
    axes[0, 1].set_title("ACF of Pearson residuals (95% bounds for white noise)")
    axes[0, 1].set_xlabel("lag (periods)")
    axes[1, 0].scatter(rate.to_numpy(), resid.to_numpy(), s=6)
    axes[1, 0].axhline(0, color="grey", lw=0.8)
    axes[1, 0].set_xlabel("fitted rate (count per period)")
    axes[1, 0].set_title("Residuals vs fitted")
    axes[1, 1].bar([str(lag) for lag in lb.index], lb["p_value"].to_numpy())
    axes[1, 1].axhline(LJUNG_BOX_LEVEL, ls="--", color="grey", lw=0.8)
    axes[1, 1].set_ylim(0, 1)
    axes[1, 1].set_title("Ljung-Box p-values")
    axes[1, 1].set_xlabel("lag (periods)")
    return fig
