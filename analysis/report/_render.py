"""Render an executed notebook to one self-contained HTML page (nbconvert, offline template)."""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from analysis.report._common import TEMPLATE_DIR, ReportError, require_report_extra

# A reference to an outside resource the browser would load by itself: an element's
# src/href, a CSS url() or @import of a network address.
_EXTERNAL_LOAD = re.compile(
    r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*\b(?:src|href|data)\s*=\s*"
    r"[\"']?(?:https?:)?//"
    r"|url\(\s*[\"']?(?:https?:)?//"
    r"|@import\s+(?:url\()?\s*[\"']?(?:https?:)?//",
    re.IGNORECASE,
)

# The header Python's warnings module prints, ``path:line: Category: message``, and the
# indented source line it echoes below it. In a notebook the path is the kernel's temporary
# cell file (``/tmp/ipykernel_1234/5678.py``), which means nothing to a reader of the page.
_WARNING_HEADER = re.compile(
    r"^(?P<where>[^\n:]+\.py):\d+: (?P<category>[A-Z]\w*(?:Warning|Error)): ", re.MULTILINE
)


def outside_resources(html_text: str) -> list[str]:
    """The outside resources an HTML text would make a browser load (empty when none).

    Examples
    --------
    >>> outside_resources('<img src="data:image/png;base64,AAAA">')
    []
    >>> outside_resources('<script src="https://cdn.example.org/x.js"></script>')
    ['<script src="https://']
    >>> outside_resources("<style>@import url(//fonts.example.org/a.css);</style>")
    ['@import url(//']
    """
    return [m.group(0) for m in _EXTERNAL_LOAD.finditer(html_text)]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file beside it (never half a file).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     write_atomically(Path(d) / "a" / "index.html", "<p>ok</p>").read_text()
    '<p>ok</p>'
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is meant to be read
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def tidy_warnings(nb: Any) -> Any:
    r"""A copy of ``nb`` whose printed warnings read ``Category: message``.

    Python prints a warning as ``path:line: Category: message`` followed by
    the source line that raised it; in an executed notebook the path is the
    kernel's temporary cell file. The page keeps the category and the whole
    message and drops the location and the echoed line. Only ``stderr``
    streams are touched; the stored notebook is not changed.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    nbformat.NotebookNode
        A tidied deep copy.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("counts = it.count_incidents(events)")
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text=(
    ...     "/tmp/ipykernel_81/2203.py:1: RejectedRowsWarning: 2 of 9 rows rejected\n"
    ...     "  counts = it.count_incidents(events)\n"))]
    >>> nb.cells = [cell]
    >>> tidy_warnings(nb).cells[0].outputs[0]["text"]
    'RejectedRowsWarning: 2 of 9 rows rejected\n'
    """
    import copy

    tidied = copy.deepcopy(nb)
    for cell in tidied.cells:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") != "stream" or output.get("name") != "stderr":
                continue
            text = output.get("text", "")
            text = "".join(text) if isinstance(text, list) else str(text)
            if _WARNING_HEADER.search(text):
                output["text"] = _tidy_warning_text(text)
    return tidied


def _tidy_warning_text(text: str) -> str:
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    after_header = False
    for line in lines:
        if after_header and line.startswith("  "):  # the echoed source line
            after_header = False
            continue
        match = _WARNING_HEADER.match(line)
        after_header = match is not None
        kept.append(line[match.start("category") :] if match else line)
    return "".join(kept)


def render_html(
    nb: Any,
    output: str | Path,
    *,
    show_code: bool = False,
    title: str | None = None,
    index_href: str | None = None,
) -> Path:
    """Render an executed notebook to one self-contained HTML file.

    Images are embedded as data URIs and no script, style sheet or font is
    fetched from the network; a page that would load one is refused.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    output : str or Path
        The HTML file to write (folders are created; written atomically).
    show_code : bool
        Include the code cells (default: only text, tables and figures).
    title : str, optional
        The page title (default: the notebook's first heading).
    index_href : str, optional
        Address of the report's index page; the page then links back to it.

    Returns
    -------
    Path
        The file written.

    Examples
    --------
    >>> import nbformat, tempfile
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# Drone incidents <b>per day</b>")]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     page = render_html(nb, Path(d) / "page.html", index_href="../index.html")
    ...     text = page.read_text(encoding="utf-8")
    >>> "<title>Drone incidents &lt;b&gt;per day&lt;/b&gt;</title>" in text, outside_resources(text)
    (True, [])
    """
    require_report_extra()
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
        "it_index_href": index_href,
        "metadata": {"name": title or notebook_title(nb, "report")},
    }
    body, _ = exporter.from_notebook_node(tidy_warnings(nb), resources=resources)
    external = outside_resources(body)
    if external:
        raise ReportError(f"the rendered report would load outside resources: {external[:3]}")
    return write_atomically(Path(output), body)


_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


def notebook_title(nb: Any, default: str) -> str:
    r"""The text of a notebook's first Markdown heading (``default`` when it has none).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> nb.cells = [nbformat.v4.new_markdown_cell("Intro\n\n## Alerts by *region*")]
    >>> notebook_title(nb, "02-alerts")
    'Alerts by region'
    >>> nb.cells = [nbformat.v4.new_markdown_cell("# The [HFC](https://oref.org.il) alerts")]
    >>> notebook_title(nb, "02-alerts")
    'The HFC alerts'
    """
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        match = _HEADING.search("".join(cell.get("source", "")))
        if match:
            # keep a link's text, drop emphasis and code marks; the title is escaped where shown
            text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", match.group(1))
            return re.sub(r"[*_`]", "", text).strip() or default
    return default
