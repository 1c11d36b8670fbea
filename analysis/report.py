"""Reports: execute notebooks with parameters and render them to self-contained HTML.

Execution uses papermill (parameters are injected after the cell tagged
``parameters``) and rendering uses nbconvert with an offline variant of the
"lab" template (``analysis/templates/offline``): images are embedded as data
URIs and no script or stylesheet is fetched from the network, so the HTML file
can be mailed, archived or opened without a connection.

Nothing here is hand-written that papermill or nbconvert already do; this
module only chooses their settings and checks the output.

Escaping: nbconvert escapes plain-text outputs, and pandas escapes strings in
``DataFrame.to_html`` by default. Notebooks must not build HTML or Markdown
out of data strings without :func:`escape`.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import html
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.datasets import PROJECT_ROOT
from analysis.errors import IncidentTrendsError

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
MAIN_NOTEBOOK = NOTEBOOK_DIR / "attack-frequency.ipynb"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

# A reference to an outside resource the browser would load by itself.
_EXTERNAL_LOAD = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE
)


class ReportError(IncidentTrendsError):
    """A notebook failed to execute or render; the message names the notebook and cell."""


def escape(text: object) -> str:
    """Escape a data-derived string for inclusion in HTML or Markdown output.

    Examples
    --------
    >>> escape("<b>Hezbollah & co</b>")
    '&lt;b&gt;Hezbollah &amp; co&lt;/b&gt;'
    """
    return html.escape(str(text), quote=True)


def _require_report_extra() -> None:
    try:
        import nbconvert  # noqa: F401
        import papermill  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ReportError(
            "Rendering reports needs the 'report' extra: pip install 'incident-trends[report]' "
            f"(missing: {exc.name})."
        ) from exc


@contextlib.contextmanager
def _inline_figures() -> Iterator[None]:
    """Make the kernel draw figures inline even when ``MPLBACKEND`` says otherwise.

    Test runs set ``MPLBACKEND=Agg``; a kernel that inherits it would render no
    image. The kernel inherits this process's environment, so the variable is
    set for the duration of the execution and restored afterwards.
    """
    old = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = old


def execute_notebook(
    notebook: str | Path,
    *,
    parameters: Mapping[str, Any] | None = None,
    output: str | Path | None = None,
    timeout: int = 900,
) -> Any:
    """Execute a notebook with papermill and return the executed notebook node.

    Parameters
    ----------
    notebook : str or Path
        The notebook to run. It is executed with its own folder as the working
        directory, so relative paths in it behave as in Jupyter.
    parameters : mapping, optional
        Values injected after the cell tagged ``parameters``.
    output : str or Path, optional
        Where to write the executed notebook (default: beside the HTML, in
        ``reports/executed/``).
    timeout : int
        Seconds allowed for one cell.

    Returns
    -------
    nbformat.NotebookNode
        The executed notebook with its outputs.
    """
    _require_report_extra()
    import nbformat
    import papermill as pm

    notebook = Path(notebook)
    if not notebook.is_file():
        raise ReportError(f"notebook not found: {notebook}")
    out = Path(output) if output else PROJECT_ROOT / "reports" / "executed" / notebook.name
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with _inline_figures():
            pm.execute_notebook(
                str(notebook),
                str(out),
                parameters=dict(parameters or {}),
                cwd=str(notebook.parent),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                log_output=False,
            )
    except pm.PapermillExecutionError as exc:
        raise ReportError(
            f"{notebook.name}: cell {exc.exec_count} failed with {exc.ename}: {exc.evalue}\n"
            f"The partly executed notebook is at {out}."
        ) from None
    return nbformat.read(out, as_version=4)


def render_html(nb: Any, output: str | Path, *, show_code: bool = False) -> Path:
    """Render an executed notebook to one self-contained HTML file.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    output : str or Path
        The HTML file to write (folders are created).
    show_code : bool
        Include the code cells (default: only text, tables and figures).

    Returns
    -------
    Path
        The file written.
    """
    _require_report_extra()
    from nbconvert import HTMLExporter

    from analysis import __version__

    exporter = HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    resources = {
        "it_version": __version__,
        "it_rendered": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    external = _EXTERNAL_LOAD.findall(body)
    if external:
        raise ReportError(f"the rendered report would load outside resources: {external[:3]}")
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output


@dataclass(frozen=True)
class ReportBuild:
    """What :func:`build_report` produced."""

    html: Path
    executed: Path
    notebook: Path
    parameters: dict[str, Any] = field(default_factory=dict)


def build_report(
    output: str | Path = PROJECT_ROOT / "reports" / "index.html",
    *,
    notebook: str | Path = MAIN_NOTEBOOK,
    parameters: Mapping[str, Any] | None = None,
    show_code: bool = False,
    timeout: int = 900,
) -> ReportBuild:
    """Execute the main analysis notebook and render it to HTML.

    Parameters
    ----------
    output : str or Path
        The HTML file (default ``reports/index.html``).
    notebook : str or Path
        The notebook to run (default ``notebooks/attack-frequency.ipynb``).
    parameters : mapping, optional
        Values for the notebook's ``parameters`` cell.
    show_code : bool
        Include code cells in the HTML.
    timeout : int
        Seconds allowed for one cell.

    Returns
    -------
    ReportBuild
        Paths of the HTML and the executed notebook.
    """
    output = Path(output)
    executed = output.parent / "executed" / Path(notebook).name
    nb = execute_notebook(notebook, parameters=parameters, output=executed, timeout=timeout)
    html_path = render_html(nb, output, show_code=show_code)
    return ReportBuild(html_path, executed, Path(notebook), dict(parameters or {}))


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
