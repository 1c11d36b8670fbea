"""incident-trends: rates, trends and change points for incident counts.

The public API is flat: ``from analysis import count_incidents, estimate_rate``.
Names are resolved lazily so that ``import analysis`` costs about what pandas
costs; statsmodels, matplotlib and numba load only when a function needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # data registry and io
    "dataset_path": "analysis.datasets",
    "load_reported_figures": "analysis.curation.tables",
    "load_curated_incidents": "analysis.curation.tables",
    "load_coal_mining_disasters": "analysis.io.reference",
    "read_count_csv": "analysis.io.counts_csv",
    "load_oref_alerts": "analysis.io.oref",
    "load_oref_localities": "analysis.io.oref",
    # curation
    "validate_incidents": "analysis.curation.validate",
    "validate_file": "analysis.curation.validate",
    "validate_figures": "analysis.curation.validate",
    "figure_exposure_days": "analysis.curation.tables",
    "ValidationReport": "analysis.curation.validate",
    "match_localities": "analysis.curation.localities",
    "alerts_to_incidents": "analysis.curation.clustering",
    "incident_count_sensitivity": "analysis.curation.clustering",
    # counts
    "count_alert_incidents": "analysis.counts",
    "count_incidents": "analysis.counts",
    "daily_counts": "analysis.counts",  # deprecated name of count_incidents
    # rates
    "estimate_rate": "analysis.rates",
    "rolling_rate": "analysis.rates",
    "compare_rates": "analysis.rates",
    "check_claim": "analysis.rates",
    # trend models
    "fit_trend": "analysis.trend",
    "decompose": "analysis.trend",
    "backtest": "analysis.trend",
    # change points
    "detect_changepoints": "analysis.changepoints",
    "changepoint_path": "analysis.changepoints",
    "online_changepoints": "analysis.changepoints",
    # event-data loaders and filters
    "load_acled": "analysis.io.acled",
    "load_ucdp_ged": "analysis.io.ucdp",
    "load_gdelt": "analysis.io.gdelt",
    "load_table": "analysis.io.table",
    "filter_incidents": "analysis.curation.filters",
    # day-level claims of the Islamic Resistance in Iraq
    "load_iri_claims_daily": "analysis.curation.iri",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'analysis' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.changepoints import (
        changepoint_path,
        detect_changepoints,
        online_changepoints,
    )
    from analysis.counts import count_alert_incidents, count_incidents, daily_counts
    from analysis.curation.clustering import alerts_to_incidents, incident_count_sensitivity
    from analysis.curation.filters import filter_incidents
    from analysis.curation.iri import load_iri_claims_daily
    from analysis.curation.localities import match_localities
    from analysis.curation.tables import (
        figure_exposure_days,
        load_curated_incidents,
        load_reported_figures,
    )
    from analysis.curation.validate import (
        ValidationReport,
        validate_figures,
        validate_file,
        validate_incidents,
    )
    from analysis.datasets import dataset_path
    from analysis.io.acled import load_acled
    from analysis.io.counts_csv import read_count_csv
    from analysis.io.gdelt import load_gdelt
    from analysis.io.oref import load_oref_alerts, load_oref_localities
    from analysis.io.reference import load_coal_mining_disasters
    from analysis.io.table import load_table
    from analysis.io.ucdp import load_ucdp_ged
    from analysis.rates import check_claim, compare_rates, estimate_rate, rolling_rate
    from analysis.trend import backtest, decompose, fit_trend

# rates implied by published totals (issue 11, section 4)
_EXPORTS["estimate_rates_from_figures"] = "analysis.rates"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.rates import estimate_rates_from_figures

# known events and country outlines for plots, figure-rate and alert tables (issue 12)
_EXPORTS["load_known_events"] = "analysis.curation.events"
_EXPORTS["load_country_outlines"] = "analysis.curation.events"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.curation.events import load_country_outlines, load_known_events
_EXPORTS["figure_rate_table"] = "analysis.rates._figure_table"
_EXPORTS["incident_sizes"] = "analysis.curation.summaries"
_EXPORTS["daily_incident_sizes"] = "analysis.curation.summaries"
_EXPORTS["alert_locality_counts"] = "analysis.curation.summaries"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.curation.summaries import (
        alert_locality_counts,
        daily_incident_sizes,
        incident_sizes,
    )
    from analysis.rates._figure_table import figure_rate_table
_EXPORTS["house_style"] = "analysis._draw"
_EXPORTS["use_house_style"] = "analysis._draw"
_EXPORTS["add_source_line"] = "analysis._draw"
_EXPORTS["label_chart"] = "analysis.plots"
_EXPORTS["mark_events"] = "analysis.plots"
_EXPORTS["plot_alert_map"] = "analysis.plots"
_EXPORTS["plot_figure_rates"] = "analysis.plots"
_EXPORTS["plot_region_incidents"] = "analysis.plots"
_EXPORTS["fit_regions"] = "analysis.plots"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis._draw import add_source_line, house_style, use_house_style
    from analysis.plots import (
        fit_regions,
        label_chart,
        mark_events,
        plot_alert_map,
        plot_figure_rates,
        plot_region_incidents,
    )
_EXPORTS["check_published_claim"] = "analysis.rates._published"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.rates._published import check_published_claim
_EXPORTS["validation_results"] = "analysis.validation._tables"
_EXPORTS["validation_tables"] = "analysis.validation._tables"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.validation._tables import validation_results, validation_tables
_EXPORTS["coal_changepoint"] = "analysis.validation._coal"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.validation._coal import coal_changepoint
_EXPORTS["load_incident_data"] = "analysis.curation.incident_data"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.curation.incident_data import load_incident_data
_EXPORTS["select_figures"] = "analysis.curation.figure_select"
_EXPORTS["validation_note"] = "analysis.validation._tables"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.curation.figure_select import select_figures
    from analysis.validation._tables import validation_note

# curation across sources and day-level figures (issue 11, sections 3 and 5)
_EXPORTS["deduplicate"] = "analysis.curation.dedupe"
_EXPORTS["read_dedupe_overrides"] = "analysis.curation.dedupe"
_EXPORTS["reconcile"] = "analysis.curation.reconcile"
_EXPORTS["figures_from_daily"] = "analysis.rates._daily_figures"
_EXPORTS["estimate_rates_from_daily"] = "analysis.rates._daily_figures"
_EXPORTS["daily_design_effect"] = "analysis.rates._daily_figures"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.curation.dedupe import deduplicate, read_dedupe_overrides
    from analysis.curation.reconcile import reconcile
    from analysis.rates._daily_figures import (
        daily_design_effect,
        estimate_rates_from_daily,
        figures_from_daily,
    )

# many series at once: local processes or Dask, and changes common to a panel (issue 13)
_EXPORTS["run_many"] = "analysis.batch"
_EXPORTS["detect_many"] = "analysis.batch"
_EXPORTS["fit_many"] = "analysis.batch"
_EXPORTS["detect_common_changes"] = "analysis.batch"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis.batch import detect_common_changes, detect_many, fit_many, run_many

# tables ready to show in a notebook or the report (issue 12)
_EXPORTS["format_table"] = "analysis._format"
_EXPORTS["format_interval"] = "analysis._format"
_EXPORTS["format_source"] = "analysis._format"
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from analysis._format import format_interval, format_source, format_table
