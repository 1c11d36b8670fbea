"""Shared behaviour of result objects: repr, HTML repr, summary plumbing.

Every result object in the package (rates, trend fits, change points) derives
from :class:`Result` and implements ``summary()`` (plain text), ``to_dict()``
and ``plot(ax=None)``. This base class turns those into a readable ``repr``
and an HTML representation for notebooks in which every string is escaped.
"""

from __future__ import annotations

import html
import warnings
from typing import Any

import pandas as pd

from analysis._format import _format_cells

__all__ = ["Result"]

#: Rows of ``to_frame()`` shown in the HTML form before it says how many more there are.
HTML_MAX_ROWS = 12

#: Attributes that say in words how a result was obtained, in the order looked for.
_METHOD_ATTRIBUTES = ("method_text", "reason", "estimand_text", "breaks_rule")

#: Inline styles, so that the HTML reads the same in JupyterLab, VS Code and the report.
_WARN_STYLE = (
    "border-left:4px solid #b35900;background:#fff4e5;color:#3d1f00;"
    "padding:0.3em 0.8em;margin:0.4em 0"
)


def _text_attribute(obj: Any, name: str) -> str | None:
    """``obj.name`` when it is a non-empty string; deprecated names never warn here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = getattr(obj, name, None)
        except (AttributeError, NotImplementedError, TypeError, ValueError):
            return None
    return value if isinstance(value, str) and value.strip() else None


def _warnings_of(result: Any, summary: str) -> list[str]:
    """The warnings of a result: ``notes``, ``warnings``, its provisional tail, "note:" lines."""
    found: list[str] = []
    for name in ("warnings", "notes"):
        value = getattr(result, name, None)
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list | tuple):
            found += [str(v) for v in value if str(v).strip()]
    for name in ("max_note",):
        text = _text_attribute(result, name)
        if text:
            found.append(text)
    tail = getattr(result, "vintage_tail", None)
    if tail is not None and callable(getattr(tail, "summary", None)):
        found.append(str(tail.summary()))
    for line in summary.splitlines():
        stripped = line.strip()
        if stripped.lower().startswith(("note:", "warning:", "caution:")):
            found.append(stripped.split(":", 1)[1].strip())
    seen: set[str] = set()
    return [w for w in found if not (w in seen or seen.add(w))]  # type: ignore[func-returns-value]


def _estimates_frame(result: Any) -> tuple[pd.DataFrame | None, bool]:
    """The table to show: ``to_frame()``, else the scalar statistics of ``to_dict()``.

    Returns the frame and whether it came from ``to_dict()`` (then it is one row
    and is shown transposed, one statistic a line).
    """
    to_frame = getattr(result, "to_frame", None)
    if callable(to_frame):
        try:
            frame = to_frame()
        except (NotImplementedError, TypeError, ValueError, KeyError, AttributeError):
            frame = None
        if isinstance(frame, pd.Series):
            frame = frame.to_frame()
        if isinstance(frame, pd.DataFrame):
            return frame, False
    try:
        data = result.to_dict()
    except (NotImplementedError, TypeError, ValueError, KeyError, AttributeError):
        return None, False
    if not isinstance(data, dict):
        return None, False
    scalars = {
        str(k): v
        for k, v in data.items()
        if v is not None
        and (isinstance(v, int | float | bool) or (isinstance(v, str) and 0 < len(v) <= 40))
    }
    return (pd.DataFrame([scalars]) if scalars else None), True


def result_html(result: Any) -> str:
    r"""The generic HTML form of a result: headline, estimates, method in words, warnings.

    Every string is escaped; the HTML has no script and no style sheet (inline
    styles only), so it renders the same in any notebook front end and in the
    offline report.

    Parameters
    ----------
    result : Result
        Any result object (``summary()``, and ``to_frame()`` or ``to_dict()``).

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> class Demo(Result):
    ...     def summary(self):
    ...         return "5.9 per day <b>41 claims</b>\nnote: a total alone"
    ...     def to_dict(self):
    ...         return {"rate": 5.857, "ci_low": 4.2, "ci_high": 7.94, "level": 0.95}
    >>> html_text = result_html(Demo())
    >>> "5.9 (4.2-7.9)" in html_text, "&lt;b&gt;41 claims" in html_text
    (True, True)
    >>> 'class="it-result-warnings"' in html_text
    True
    """
    summary = str(result.summary())
    lines = [line for line in summary.splitlines() if line.strip()]
    head = lines[0] if lines else type(result).__name__
    parts = [
        '<div class="it-result">',
        f'<p class="it-result-head"><strong>{html.escape(head)}</strong></p>',
    ]
    frame, from_dict = _estimates_frame(result)
    if frame is not None and len(frame.columns):
        frame = frame.dropna(how="all")  # e.g. the first days of a rolling rate: nothing to show
        more = max(0, len(frame) - HTML_MAX_ROWS)
        level = getattr(result, "level", None)
        level = float(level) if isinstance(level, float) and 0 < level < 1 else None
        shown, classes, show_index = _format_cells(frame.head(HTML_MAX_ROWS), level=level)
        if from_dict:
            shown, classes, show_index = shown.T, classes.T, True
            shown.columns = classes.columns = pd.Index([""] * len(shown.columns))
        parts.append(_table_html(shown, classes, show_index=show_index, header=not from_dict))
        if more:
            parts.append(
                f'<p class="it-result-more">... and {more:,} more rows (<code>to_frame()</code> '
                "has them all).</p>"
            )
    method = []
    for name in _METHOD_ATTRIBUTES:
        text = _text_attribute(result, name)
        if text and name == "estimand_text":  # "the rate of the process that ..."
            text = f"Estimates {text}."
        if text:
            method.append(text)
    if method:
        parts.append(
            '<p class="it-result-method">' + " ".join(html.escape(m) for m in method) + "</p>"
        )
    notes = _warnings_of(result, summary)
    if notes:
        items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
        parts.append(
            f'<div class="it-result-warnings" role="note" style="{_WARN_STYLE}">'
            f"<strong>Warning{'s' if len(notes) > 1 else ''}</strong><ul>{items}</ul></div>"
        )
    parts.append(
        f"<details><summary>Text summary</summary><pre>{html.escape(summary)}</pre></details></div>"
    )
    return "".join(parts)


def _table_html(
    cells: pd.DataFrame, classes: pd.DataFrame, *, show_index: bool, header: bool
) -> str:
    """A plain HTML table of cells that are escaped HTML already (labels are escaped here)."""
    rows = []
    if header:
        ths = "".join(f"<th>{html.escape(str(c))}</th>" for c in cells.columns)
        rows.append(f"<thead><tr>{'<th></th>' if show_index else ''}{ths}</tr></thead>")
    body = []
    for (label, row), (_, cls) in zip(cells.iterrows(), classes.iterrows(), strict=True):
        tds = "".join(
            f'<td class="{html.escape(str(k))}">{v}</td>' if k else f"<td>{v}</td>"
            for v, k in zip(row, cls, strict=True)
        )
        th = f"<th>{html.escape(str(label))}</th>" if show_index else ""
        body.append(f"<tr>{th}{tds}</tr>")
    rows.append(f"<tbody>{''.join(body)}</tbody>")
    return f'<table class="it-table it-result-table">{"".join(rows)}</table>'


class Result:
    """Base class of result objects.

    Subclasses implement :meth:`summary` (text), :meth:`to_dict` and ``plot``;
    ``to_frame()`` where the result is a table.
    """

    def summary(self) -> str:  # pragma: no cover - abstract
        """Return a plain-text summary."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - abstract
        """Return the statistics as a JSON-friendly dictionary."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>\n{self.summary()}"

    def _repr_html_(self) -> str:
        """HTML for notebooks: a compact table of the estimates with their intervals
        (from ``to_frame()``, else the statistics of ``to_dict()``), the method in
        words, the warnings highlighted, and the text summary folded away; every
        string escaped, no script.
        """
        return result_html(self)
