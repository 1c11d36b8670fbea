"""Shared behaviour of result objects: repr, HTML repr, summary plumbing.

Every result object in the package (rates, trend fits, change points) derives
from :class:`Result` and implements ``summary()`` (plain text), ``to_dict()``
and ``plot(ax=None)``. This base class turns those into a readable ``repr``
and an HTML representation for notebooks in which every string is escaped.
"""

from __future__ import annotations

import html
from typing import Any


class Result:
    """Base class of result objects.

    Subclasses implement :meth:`summary` (text), :meth:`to_dict` and ``plot``.
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
        """HTML for notebooks: the summary in a <pre> block, escaped."""
        return f"<pre>{html.escape(self.summary())}</pre>"


def format_rate_ci(value: float, low: float, high: float, *, digits: int = 2) -> str:
    """Format ``value (low-high)`` with a fixed number of significant decimals.

    Examples
    --------
    >>> format_rate_ci(5.857, 4.2, 7.95)
    '5.86 (4.20-7.95)'
    """
    return f"{value:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def require_matplotlib() -> Any:
    """Import and return ``matplotlib.pyplot`` with a clear message when missing."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency
        raise ImportError(
            "Plotting needs matplotlib: pip install 'incident-trends' (it is a core dependency)."
        ) from exc
    return plt


def get_ax(ax: Any = None) -> Any:
    """Return ``ax`` or a new Axes on a new figure (never touches global state otherwise)."""
    if ax is not None:
        return ax
    plt = require_matplotlib()
    _, new_ax = plt.subplots(figsize=(9, 3.5))
    return new_ax
