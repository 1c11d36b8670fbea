"""Trend models for count series: GLMs with weekly cycles, breaks, events and forecasts.

``fit_trend`` fits a Poisson or negative-binomial regression and returns a
:class:`TrendResult`; ``decompose`` splits a series into trend, weekly (and
yearly) cycle and remainder with STL on a variance-stabilised scale.
"""

from analysis.trend._backtest import BacktestResult, backtest
from analysis.trend._decompose import DecompositionResult, decompose
from analysis.trend._dispersion import DispersionTest
from analysis.trend._fit import fit_trend
from analysis.trend._forecast import ForecastResult
from analysis.trend._result import TrendResult

__all__ = [
    "BacktestResult",
    "DecompositionResult",
    "DispersionTest",
    "ForecastResult",
    "TrendResult",
    "backtest",
    "decompose",
    "fit_trend",
]
