"""Exceptions that speak to the user: what is wrong, where, and what to do.

The CLI catches :class:`IncidentTrendsError` and prints its message without a
traceback; library users get the same message from ``str(exc)``.
"""

from __future__ import annotations

from dataclasses import dataclass


class IncidentTrendsError(Exception):
    """Base class of every error the package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Parameters
    ----------
    file : str
        Path of the file (or ``"<table>"`` for an in-memory table).
    row : int or None
        1-based line number in the file, counting the header as line 1, so a
        user can jump to it in an editor. ``None`` when the problem concerns
        the whole file.
    column : str or None
        Column name, or ``None`` for a whole-row or whole-file problem.
    value : str or None
        The offending value as read (truncated for display).
    message : str
        What is wrong and, where useful, what to do.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        value = "" if self.value is None else f" (value {_short(self.value)!r})"
        return f"{where}: {self.message}{value}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DataError(IncidentTrendsError):
    """Bad input data; carries every :class:`Problem` found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem, *, header: str | None = None):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else problems
        lines = [str(p) for p in self.problems[:50]]
        if len(self.problems) > 50:
            lines.append(f"... and {len(self.problems) - 50} more problems")
        head = header or f"{len(self.problems)} problem(s) in the input"
        super().__init__(head + ":\n  " + "\n  ".join(lines))


class DataNotFoundError(IncidentTrendsError, FileNotFoundError):
    """A data set is not available locally; the message says how to get it."""


class RejectedRowsWarning(UserWarning):
    """Some rows of an input were rejected or left out (``return_rejects=True`` gives them).

    One class for every loader and for counting (``analysis.io.oref``,
    ``analysis.io`` loaders, :func:`analysis.count_incidents`).
    """
