"""Shared behaviour of result objects: repr, HTML repr, summary plumbing.

Every result object in the package (rates, trend fits, change points) derives
from :class:`Result` and implements ``summary()`` (plain text), ``to_dict()``
and ``plot(ax=None)``. This base class turns those into a readable ``repr``
and an HTML representation for notebooks in which every string is escaped.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["Result"]


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
