"""Figures that combine several results, and the opt-in house style.

Result objects draw themselves (``result.plot(ax=None)``); this package holds
what spans results: count panels with a rolling rate, claim-rate tables as
interval plots, published figures as rates per day by unit, alert incidents
by region with their size, the alert map, known events on a time axis, and
change points with trends for several regions. Single-panel functions take
``ax=None`` and return the Axes; multi-panel ones return the Figure. Nothing
here calls ``plt.show()`` or changes global matplotlib state.
"""

from __future__ import annotations

from analysis.plots._alerts import ALERT_SOURCE, mark_events, plot_alert_map, plot_region_incidents
from analysis.plots._basic import STYLE_FILE, label_chart, plot_counts, plot_rate_table, style
from analysis.plots._figures import plot_figure_rates
from analysis.plots._regions import RegionFits, fit_regions

__all__ = [
    "ALERT_SOURCE",
    "STYLE_FILE",
    "RegionFits",
    "fit_regions",
    "label_chart",
    "mark_events",
    "plot_alert_map",
    "plot_counts",
    "plot_figure_rates",
    "plot_rate_table",
    "plot_region_incidents",
    "style",
]
