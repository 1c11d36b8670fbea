"""What every part of the report shares: paths, the error, escaping, the report extra."""

from __future__ import annotations

import html
from pathlib import Path

from analysis.datasets import PROJECT_ROOT
from analysis.errors import IncidentTrendsError

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
#: The first page of the report (the overview); ``--notebook`` renders one page.
MAIN_NOTEBOOK = NOTEBOOK_DIR / "01-overview.ipynb"
#: The notebooks of the report: ``NN-name.ipynb``, in name order.
NOTEBOOK_GLOB = "[0-9][0-9]-*.ipynb"
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"


class ReportError(IncidentTrendsError):
    """A notebook failed to execute, left stray output or could not be rendered.

    The message names the notebook and, where there is one, the cell (its
    number and first line).
    """


def escape(text: object) -> str:
    """Escape a data-derived string for inclusion in HTML or Markdown output.

    Examples
    --------
    >>> escape("<b>Hezbollah & co</b>")
    '&lt;b&gt;Hezbollah &amp; co&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


def require_report_extra() -> None:
    """Raise :class:`ReportError` naming the extra when papermill or nbconvert is missing."""
    try:
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ReportError(
            "Rendering reports needs the 'report' extra: pip install 'incident-trends[report]' "
            f"(missing: {exc.name})."
        ) from exc


def first_line(source: str) -> str:
    r"""The first non-empty line of a cell's source, shortened to 80 characters.

    Examples
    --------
    >>> first_line("\n  counts = it.count_incidents(incidents)\nmore")
    'counts = it.count_incidents(incidents)'
    """
    for line in source.splitlines():
        if line.strip():
            text = line.strip()
            return text if len(text) <= 80 else text[:77] + "..."
    return "(empty cell)"
