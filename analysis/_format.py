"""Text and JSON forms of results, written once for every result object.

Labels of index values, p-values, numbers in sentences and the conversion of
statistics to JSON-friendly values all live here, at the bottom of the
package, so that rates, trend models and change points print the same value
the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "date_label",
    "fmt_count",
    "fmt_days",
    "fmt_num",
    "fmt_short",
    "jsonable",
    "p_text",
    "pct",
    "records",
]


def jsonable(value: Any) -> Any:
    """A JSON-friendly form of a statistic, a label or a nest of them.

    Numbers become plain ``int``/``float`` (``None`` for NaN and infinities,
    which JSON cannot hold), time stamps ISO text, other index labels
    (periods, durations, dates) their text; dicts, lists and tuples are
    converted item by item.

    Examples
    --------
    >>> jsonable({"rate": np.float64(5.857), "low": float("nan"), "n": np.int64(7)})
    {'rate': 5.857, 'low': None, 'n': 7}
    >>> jsonable(pd.Timestamp("2024-04-13"))
    '2024-04-13T00:00:00'
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if value is pd.NaT:
        return None
    return str(value)  # Period, Timedelta, datetime.date and other labels: their text


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of a table as JSON-friendly dictionaries (see :func:`jsonable`).

    Examples
    --------
    >>> records(pd.DataFrame({"a": [1, 2], "b": [0.5, float("nan")]}))
    [{'a': 1, 'b': 0.5}, {'a': 2, 'b': None}]
    """
    return [jsonable(row) for row in frame.to_dict(orient="records")]


def date_label(value: Any) -> str:
    """An index label for text: ``2024-04-13`` for a midnight, the full time otherwise.

    Examples
    --------
    >>> date_label(pd.Timestamp("2024-04-13"))
    '2024-04-13'
    >>> date_label(pd.Timestamp("2024-04-13 21:40", tz="Asia/Jerusalem"))
    '2024-04-13 21:40:00+03:00'
    >>> date_label(17)
    '17'
    """
    if isinstance(value, pd.Timestamp) and value is not pd.NaT:
        return str(value.date()) if value == value.normalize() else str(value)
    return str(value)


def p_text(p: float) -> str:
    """A p-value for a sentence: ``p < 0.001``, ``p = 0.012``, ``p = 0.35``.

    Examples
    --------
    >>> p_text(0.0004), p_text(0.0123), p_text(0.351)
    ('p < 0.001', 'p = 0.012', 'p = 0.35')
    """
    if not math.isfinite(p):
        return "p undefined"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def fmt_num(x: float, ref: float | None = None) -> str:
    """A number with 2 decimals, more when ``ref`` (or ``x``) is below 1.

    Examples
    --------
    >>> fmt_num(5.857), fmt_num(0.0123)
    ('5.86', '0.0123')
    """
    if not math.isfinite(x):
        return "infinite" if x > 0 else "undefined"
    scale = abs(ref if ref is not None else x)
    decimals = 2
    if 0 < scale < 1:
        decimals = min(6, 1 - math.floor(math.log10(scale)) + 1)
    return f"{x:.{decimals}f}"


def fmt_short(x: float) -> str:
    """A number for a sentence: 1 decimal from 1 up, 2 significant digits below.

    Examples
    --------
    >>> fmt_short(5.0), fmt_short(5.86), fmt_short(0.0123)
    ('5', '5.9', '0.012')
    """
    if not math.isfinite(x):
        return "infinite"
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:.1f}".removesuffix(".0") if float(x).is_integer() else f"{x:.1f}"
    return f"{x:.2g}"


def fmt_days(x: float) -> str:
    """``1 day``, ``7 days``, ``30.5 days``."""
    return f"{x:g} day" + ("" if x == 1 else "s")


def fmt_count(n: int, plural: str) -> str:
    """``41 claims``, ``1 claim``."""
    return f"{n} {plural.removesuffix('s') if n == 1 else plural}"


def pct(x: float) -> str:
    """A relative change as a percentage: ``0.123`` -> ``12%``, ``0.0123`` -> ``1.2%``."""
    v = 100 * x
    return f"{v:.1f}%" if abs(v) < 10 else f"{v:.0f}%"
