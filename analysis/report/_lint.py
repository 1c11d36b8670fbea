"""The output lint: an executed notebook must show no stray reprs.

A cell that ends with ``ax.set_title(...)`` shows ``Text(0.5, 1.0, '...')``
above its chart; one that ends with ``ax.plot(...)`` shows
``[<matplotlib.lines.Line2D at 0x...>]``; an object without a ``_repr_html_``
or a useful ``__repr__`` shows ``<analysis.x.Y object at 0x...>``. These are
plain-text outputs with no richer representation beside them (a figure's
``<Figure size ...>`` text next to its PNG is fine: the PNG is shown).
"""

from __future__ import annotations

import re
from typing import Any

from analysis.report._common import ReportError, first_line

#: What a stray output begins with or contains, and what it is, for the message.
STRAY_OUTPUTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bText\("), "a matplotlib Text repr (end the line with ';')"),
    (re.compile(r"<Axes\b"), "a matplotlib Axes repr"),
    (re.compile(r"<Figure\b"), "a matplotlib Figure repr without its image"),
    (re.compile(r"\[<matplotlib\.lines\.Line2D"), "a list of Line2D reprs"),
    (re.compile(r"<matplotlib\."), "a matplotlib object repr"),
    (re.compile(r"<[A-Za-z_][\w.]*(?: object)? at 0x[0-9a-fA-F]+>"), "an unformatted object repr"),
)
#: Patterns also looked for in printed text (a ``print(obj)`` of an object without ``__str__``).
_STREAM_PATTERNS = (STRAY_OUTPUTS[-1],)
_RICHER = ("text/html", "image/png", "image/svg+xml", "image/jpeg", "text/markdown", "text/latex")


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def stray_outputs(nb: Any) -> list[dict[str, Any]]:
    """The stray outputs of an executed notebook, one dict each.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    list of dict
        ``cell`` (1-based position among all cells, as stored, without the
        injected parameters cell), ``first_line`` of the cell, ``what`` it is
        and ``text`` (the offending output, shortened).

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("ax.set_title('x')")
    >>> cell.outputs = [nbformat.v4.new_output(
    ...     "execute_result", data={"text/plain": "Text(0.5, 1.0, 'x')"}, execution_count=1)]
    >>> nb.cells = [cell]
    >>> [(s["cell"], s["what"]) for s in stray_outputs(nb)]
    [(1, "a matplotlib Text repr (end the line with ';')")]
    """
    found: list[dict[str, Any]] = []
    seen: set[tuple[int, str, str]] = set()
    position = 0
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        position += 1
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            if kind in ("execute_result", "display_data"):
                data = output.get("data", {})
                if "text/plain" not in data or any(m in data for m in _RICHER):
                    continue
                text, patterns = _text(data["text/plain"]), STRAY_OUTPUTS
            elif kind == "stream":
                text, patterns = _text(output.get("text", "")), _STREAM_PATTERNS
            else:
                continue
            for pattern, what in patterns:
                match = pattern.search(text)
                if match:
                    start = max(0, match.start() - 10)
                    snippet = text[start : start + 70].strip()
                    if (position, what, snippet) not in seen:  # a result shown twice: once
                        seen.add((position, what, snippet))
                        found.append(
                            {
                                "cell": position,
                                "first_line": first_line(_text(cell.get("source", ""))),
                                "what": what,
                                "text": snippet,
                            }
                        )
                    break
    return found


def check_outputs(nb: Any, name: str) -> None:
    """Raise :class:`ReportError` listing every stray output of ``nb`` (see :func:`stray_outputs`).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.
    name : str
        Its file name, for the message.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("ax.plot(x)")
    >>> cell.outputs = [nbformat.v4.new_output("execute_result", execution_count=1,
    ...     data={"text/plain": "[<matplotlib.lines.Line2D at 0x7f0>]"})]
    >>> nb.cells = [cell]
    >>> try:
    ...     check_outputs(nb, "02-alerts.ipynb")
    ... except ReportError as exc:
    ...     print(exc)
    02-alerts.ipynb: 1 stray output(s) would appear in the report:
      cell 1 (ax.plot(x)): a list of Line2D reprs: '[<matplotlib.lines.Line2D at 0x7f0>]'
    """
    problems = stray_outputs(nb)
    if problems:
        lines = [
            f"  cell {p['cell']} ({p['first_line']}): {p['what']}: {p['text']!r}" for p in problems
        ]
        raise ReportError(
            f"{name}: {len(problems)} stray output(s) would appear in the report:\n"
            + "\n".join(lines)
        )
