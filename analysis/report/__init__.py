"""Reports: execute the notebooks with parameters and render them to a self-contained site.

:func:`build_site` executes every ``notebooks/NN-*.ipynb`` with papermill
(each gets only the parameters its ``parameters`` cell declares), checks the
outputs for stray reprs (:func:`stray_outputs`), renders one page per notebook
with nbconvert and an offline variant of the "lab" template
(``analysis/templates/offline``) and writes an index page with the run date,
the package version and the provenance of every data source
(:func:`data_sources`). It builds in a temporary folder and swaps the result in
only when every notebook succeeded. :func:`build_report` renders one notebook.

Pages are offline: images are embedded as data URIs and no script, style
sheet or font is fetched from the network, so the report can be mailed,
archived or opened without a connection; a page that would load one is refused.

Nothing is hand-written that papermill or nbconvert already do; this package
only chooses their settings and checks the output.

Tables in the notebooks: :func:`format_table` (dates as dates, intervals as
"5.9 (4.2-7.9)", sources as links, every string escaped), with
:func:`format_interval` and :func:`format_source`, re-exported here from the
package's bottom layer so that a notebook never imports a private module.

Escaping: nbconvert escapes plain-text outputs, pandas escapes strings in
``DataFrame.to_html`` by default, and :func:`analysis._format.format_table`
escapes every cell. Notebooks must not build HTML or Markdown out of data
strings without :func:`escape`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analysis._format import format_interval, format_source, format_table
from analysis.report._common import (
    MAIN_NOTEBOOK,
    NOTEBOOK_DIR,
    NOTEBOOK_GLOB,
    TEMPLATE_DIR,
    ReportError,
    escape,
)
from analysis.report._execute import declared_parameters, execute_notebook
from analysis.report._lint import STRAY_OUTPUTS, check_outputs, stray_outputs
from analysis.report._provenance import DataSource, data_sources
from analysis.report._render import notebook_title, outside_resources, render_html
from analysis.report._site import (
    PageBuild,
    ReportBuild,
    SiteBuild,
    build_report,
    build_site,
    find_notebooks,
)

__all__ = [
    "MAIN_NOTEBOOK",
    "NOTEBOOK_DIR",
    "NOTEBOOK_GLOB",
    "STRAY_OUTPUTS",
    "TEMPLATE_DIR",
    "DataSource",
    "PageBuild",
    "ReportBuild",
    "ReportError",
    "SiteBuild",
    "build_report",
    "build_site",
    "check_outputs",
    "data_sources",
    "declared_parameters",
    "escape",
    "execute_notebook",
    "find_notebooks",
    "format_interval",
    "format_source",
    "format_table",
    "notebook_title",
    "outside_resources",
    "parse_parameters",
    "render_html",
    "stray_outputs",
]


def parse_parameters(items: Sequence[str]) -> dict[str, Any]:
    """Parse ``key=value`` strings; values are read as JSON when they parse, else as text.

    Examples
    --------
    >>> parse_parameters(["gap='15min'", "window=14", "alerts_path=null"])
    {'gap': "'15min'", 'window': 14, 'alerts_path': None}
    """
    import json

    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.isidentifier():
            raise ReportError(f"parameter {item!r} is not of the form name=value")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out
