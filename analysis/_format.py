"""Text and JSON forms of results, written once for every result object.

Labels of index values, p-values, numbers in sentences and the conversion of
statistics to JSON-friendly values all live here, at the bottom of the
package, so that rates, trend models and change points print the same value
the same way.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "date_label",
    "fmt_count",
    "fmt_days",
    "fmt_num",
    "fmt_short",
    "format_interval",
    "format_source",
    "format_table",
    "jsonable",
    "p_text",
    "pct",
    "records",
    "unit_plural",
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


def unit_plural(unit: object) -> str:
    """The plural noun of a unit ("launch" -> "launches", "alert_incident" -> "alert incidents").

    The units of the controlled vocabulary (``data/vocabulary/unit.csv``) and
    two-word units, with ``_`` read as a space; used wherever a summary or a
    label names what was counted.

    Examples
    --------
    >>> unit_plural("launch"), unit_plural("claim"), unit_plural("alert_incident")
    ('launches', 'claims', 'alert incidents')
    """
    words = str(unit).strip().replace("_", " ")
    if not words:
        return "events"
    if words.endswith(("ch", "sh", "s", "x")):
        return words + "es"
    return words + "s"


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


# ---------------------------------------------------------------------------
# Tables, intervals and sources for notebooks and the report (HTML, escaped)
# ---------------------------------------------------------------------------

#: Column-name pairs read as the bounds of an interval, with the estimate's
#: possible names (``{p}`` is the shared prefix, e.g. ``rate_`` in ``rate_low``).
_BOUND_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ci_low", "ci_high"),
    ("pi_low", "pi_high"),
    ("low", "high"),
    ("lo", "hi"),
    ("lower", "upper"),
)
_ESTIMATE_NAMES: tuple[str, ...] = (
    "rate",
    "estimate",
    "mean",
    "forecast",
    "predicted",
    "expected",
    "ratio",
    "value",
    "changepoint",
)
_P_VALUE_NAMES = frozenset({"p", "p_value", "pvalue", "p-value"})
_URL_SCHEMES = ("http://", "https://")


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # arrays and other containers are not "missing"
        return False


def _interval_decimals(values: list[float]) -> int:
    """Decimals that show the largest value and the interval's width to 2 significant digits."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    if not finite or max(finite) == 0:
        return 1
    decimals = 1 - math.floor(math.log10(max(finite)))
    lows_highs = [v for v in values[1:] if math.isfinite(v)]
    width = float("nan")
    if len(lows_highs) == 2:
        width = lows_highs[1] - lows_highs[0]
    elif len(lows_highs) == 1 and math.isfinite(values[0]):
        # a one-sided interval (a lower bound's "-∞"): twice the estimate's distance to its
        # finite bound stands for the width, so that "25 (25-∞)" keeps its digits
        width = 2 * abs(values[0] - lows_highs[0])
    if width > 0:
        decimals = max(decimals, 1 - math.floor(math.log10(width)))
    return int(min(6, max(0, decimals)))


def _number(x: float, decimals: int) -> str:
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.{decimals}f}"


def format_interval(est: Any, lo: Any, hi: Any, digits: int | None = None) -> str:
    """An estimate with its interval: ``5.9 (4.2-7.9)``.

    Parameters
    ----------
    est : float or date-like, optional
        The estimate (``None`` or NaN: only the interval is shown).
    lo, hi : float or date-like
        The bounds. Missing bounds read "no interval".
    digits : int, optional
        Decimals; by default enough to show the largest value and the width of
        the interval to two significant digits. Bounds are joined by "-",
        or by " to " when a number is negative or the values are dates (whose
        own hyphens would make "-" ambiguous).

    Returns
    -------
    str
        Plain text (no markup; escape it before putting it into HTML).

    Examples
    --------
    >>> format_interval(5.857, 4.2, 7.94)
    '5.9 (4.2-7.9)'
    >>> format_interval(0.351, 0.21, 0.5)
    '0.35 (0.21-0.50)'
    >>> format_interval(-0.3, -0.52, 0.1, digits=2)
    '-0.30 (-0.52 to 0.10)'
    >>> day = pd.Timestamp
    >>> format_interval(day("2024-04-13"), day("2024-04-10"), day("2024-04-15"))
    '2024-04-13 (2024-04-10 to 2024-04-15)'
    >>> format_interval(12.0, float("nan"), float("nan"))
    '12 (no interval)'
    >>> format_interval(25.5, 24.97, float("inf"))  # a lower bound: one-sided interval
    '25.5 (25.0-∞)'
    """
    if digits is not None and (not isinstance(digits, int | np.integer) or digits < 0):
        raise ValueError(f"digits must be a non-negative integer or None, got {digits!r}")
    parts = [est, lo, hi]
    if any(isinstance(v, pd.Timestamp | np.datetime64 | pd.Period) for v in parts):
        text = [
            ""
            if _is_missing(v)
            else date_label(pd.Timestamp(v) if not isinstance(v, pd.Period) else v)
            for v in parts
        ]
        if not text[1] and not text[2]:
            return text[0] or "-"
        bounds = f"{text[1] or '?'} to {text[2] or '?'}"
        return f"{text[0]} ({bounds})" if text[0] else bounds
    try:
        nums = [float("nan") if _is_missing(v) else float(v) for v in parts]
    except (TypeError, ValueError):
        raise ValueError(
            f"est, lo and hi must be numbers or dates, got {est!r}, {lo!r}, {hi!r}"
        ) from None
    if all(math.isnan(v) for v in nums):
        return "-"
    d = _interval_decimals(nums) if digits is None else int(digits)
    # whole-number bounds (prediction bounds of counts) are shown as whole numbers
    e, low, high = (
        _number(v, 0 if isinstance(raw, int | np.integer) else d)
        for v, raw in zip(nums, parts, strict=True)
    )
    if math.isnan(nums[1]) and math.isnan(nums[2]):
        return f"{e} (no interval)"
    sep = " to " if any(v < 0 for v in nums if math.isfinite(v)) else "-"
    bounds = f"{low}{sep}{high}"
    return bounds if math.isnan(nums[0]) else f"{e} ({bounds})"


def _readable_source_name(url: str) -> str:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def format_source(url: Any, name: Any = None) -> str:
    """A source address as an HTML link with a readable name, every part escaped.

    Parameters
    ----------
    url : str
        The address. Only ``http://`` and ``https://`` addresses become links;
        anything else (a ``javascript:`` address, a channel name) is shown as
        escaped text, never as a link.
    name : str, optional
        The text of the link (default: the address's host without ``www.``);
        the full address is in the link's title.

    Returns
    -------
    str
        HTML.

    Examples
    --------
    >>> format_source("https://www.jns.org/idf-downs-two-drones/")
    '<a href="https://www.jns.org/idf-downs-two-drones/" title="...">jns.org</a>'
    >>> format_source("https://x.org/?a=1&b=<2>", name="X & Y")
    '<a href="https://x.org/?a=1&amp;b=&lt;2&gt;" title="...">X &amp; Y</a>'
    >>> format_source("javascript:alert(1)", name="bad")
    'bad (javascript:alert(1))'
    >>> format_source(None, name="Telegram channel, post 123")
    'Telegram channel, post 123'
    """
    import html

    has_name = not _is_missing(name) and str(name).strip() != ""
    if _is_missing(url) or str(url).strip() == "":
        return html.escape(str(name), quote=True) if has_name else ""
    address = str(url).strip()
    if not address.lower().startswith(_URL_SCHEMES):
        shown = f"{name} ({address})" if has_name else address
        return html.escape(shown, quote=True)
    text = str(name) if has_name else _readable_source_name(address)
    href = html.escape(address, quote=True)
    return f'<a href="{href}" title="{href}">{html.escape(text, quote=True)}</a>'


def _date_column_formatter(values: pd.Series) -> tuple[Any, str]:
    """A formatter for a datetime column and a suffix for its label (the zone when times matter)."""
    s = pd.Series(values)
    valid = s.dropna()
    tz = getattr(s.dt, "tz", None)
    has_times = bool(len(valid)) and bool((valid != valid.dt.normalize()).any())
    if not has_times:
        return (lambda v: "" if _is_missing(v) else str(pd.Timestamp(v).date())), ""
    seconds = bool((valid.dt.second != 0).any())
    fmt = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return (lambda v: "" if _is_missing(v) else pd.Timestamp(v).strftime(fmt)), (
        f" ({tz})" if tz is not None else ""
    )


def _number_decimals(values: pd.Series) -> int:
    """Decimals for a float column: two significant digits of its smallest value, at most 6."""
    finite = values[np.isfinite(values.to_numpy(dtype=float, na_value=np.nan))]
    if not len(finite):
        return 2
    if bool((finite == np.round(finite)).all()):
        return 0
    # the smallest non-zero magnitude decides, so that no value loses its second digit
    typical = float(np.min(np.abs(finite[finite != 0]))) if bool((finite != 0).any()) else 1.0
    if typical >= 100:
        return 0
    if typical >= 10:
        return 1
    return int(min(6, max(1, 1 - math.floor(math.log10(typical)))))


def _duration(value: Any) -> str:
    """A duration for a table: ``7 days``, ``1 day``, ``10 min``, ``2 h 30 min``."""
    if _is_missing(value):
        return ""
    td = pd.Timedelta(value)
    if td == td.floor("D"):
        return fmt_days(td.days)
    minutes = int(td.total_seconds() // 60)
    if td.total_seconds() % 60 or minutes == 0:
        return str(td)
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if hours and rest else (f"{hours} h" if hours else f"{rest} min")


def _item(value: Any) -> Any:
    """A numpy scalar as the matching Python scalar (whole numbers stay whole numbers)."""
    return value.item() if isinstance(value, np.integer | np.floating) else value


def _p_cell(p: float) -> str:
    """A p-value for a table cell: ``< 0.001``, ``0.012``, ``0.35``."""
    return p_text(p).removeprefix("p ").removeprefix("= ")


#: Text made only of numbers, dates, intervals and their separators (and at least one digit).
_NUMERIC_TEXT = re.compile(r"^(?=.*\d)[\s\d.,:;()%+\-\u2212\u2013\u2009\u00a0<>=\u221e]+$")
_HAS_DIGIT = re.compile(r"\d")


def _cell_text(value: Any) -> str:
    """Plain text of one cell: dates as dates, lists in full, everything else ``str``."""
    if _is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return date_label(value)
    if isinstance(value, list | tuple | set | np.ndarray | pd.Index | pd.Series):
        return ", ".join(_cell_text(v) for v in value)
    if isinstance(value, float | np.floating):
        return fmt_short(float(value))
    return str(value)


def _find_intervals(frame: pd.DataFrame) -> list[tuple[str | None, str, str, str]]:
    """``(estimate, low, high, kind)`` column triples found by name (kind ``CI``/``PI``/``""``)."""
    cols = [str(c) for c in frame.columns]
    found: list[tuple[str | None, str, str, str]] = []
    used: set[str] = set()
    for lo_suffix, hi_suffix in _BOUND_SUFFIXES:
        for col in cols:
            if col in used or not col.endswith(lo_suffix):
                continue
            prefix = col[: -len(lo_suffix)]
            if prefix and not prefix.endswith("_"):
                continue
            hi = prefix + hi_suffix
            if hi not in cols or hi in used:
                continue
            stem = prefix.rstrip("_")
            # the estimate of ``before_low`` may be ``before``, ``rate_before`` or ``before_rate``
            candidates = [stem, f"rate_{stem}", f"{stem}_rate"] if stem else list(_ESTIMATE_NAMES)
            dates = pd.api.types.is_datetime64_any_dtype(frame[col])
            est = next(
                (
                    c
                    for c in candidates
                    if c in cols
                    and c not in used
                    and pd.api.types.is_datetime64_any_dtype(frame[c]) == dates
                ),
                None,
            )
            kind = "CI" if "ci" in lo_suffix else "PI" if "pi" in lo_suffix else ""
            found.append((est, col, hi, kind))
            used.update({col, hi} | ({est} if est else set()))
    return found


def _format_cells(
    frame: pd.DataFrame,
    *,
    intervals: bool = True,
    digits: int | None = None,
    index: bool | None = None,
    level: float | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, bool]:
    """The cells of :func:`format_table` as escaped HTML, their classes, and if the index shows."""
    import html

    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if digits is not None and (not isinstance(digits, int | np.integer) or digits < 0):
        raise ValueError(f"digits must be a non-negative integer or None, got {digits!r}")
    out = frame.copy()
    out.columns = [str(c) for c in out.columns]
    if len(set(out.columns)) != len(out.columns):
        raise ValueError("frame has duplicate column names; format_table needs unique columns")
    texts: dict[str, list[str]] = {}  # column -> cell HTML, already escaped
    classes: dict[str, str] = {}
    labels: dict[str, str] = {}

    # intervals first: they consume their columns
    if level is not None and not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level!r}")
    if intervals:
        drop_level = False
        if "level" in out.columns and out["level"].nunique(dropna=True) == 1:
            level, drop_level = float(out["level"].dropna().iloc[0]), True
        for est, lo, hi, kind in _find_intervals(out):
            lows, highs = out[lo], out[hi]
            ests = out[est] if est else pd.Series([None] * len(out), index=out.index)
            if est is not None and not (
                pd.api.types.is_numeric_dtype(ests) or pd.api.types.is_datetime64_any_dtype(ests)
            ):
                continue
            col_digits = digits
            cells = [
                html.escape(format_interval(_item(e), _item(a), _item(b), digits=col_digits))
                for e, a, b in zip(ests, lows, highs, strict=True)
            ]
            what = f"{level:.0%} {kind}" if (kind and level is not None) else (kind or "interval")
            target = est or lo
            texts[target] = cells
            if est:
                labels[target] = f"{est} ({what})"
            else:  # bounds with no estimate column: named by their prefix (``before_low``)
                stem = next(
                    (lo[: -len(a)].rstrip("_") for a, _ in _BOUND_SUFFIXES if lo.endswith(a)), ""
                )
                labels[target] = f"{stem} ({what})" if stem else what
            classes[target] = "it-num"
            out = out.drop(columns=[c for c in (lo, hi) if c != target])
        if drop_level and labels:
            out = out.drop(columns=["level"])

    # addresses: links, named by the matching name column (source_url <- source_name)
    for url_col in [c for c in out.columns if c == "url" or c.endswith("_url")]:
        column = out[url_col]
        if url_col in texts or not (
            pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)
        ):
            continue
        stem = url_col.removesuffix("url").removesuffix("_") or "source"
        name_col = f"{stem}_name" if f"{stem}_name" in out.columns else None
        names = out[name_col] if name_col else pd.Series([None] * len(out), index=out.index)
        texts[url_col] = [format_source(u, n) for u, n in zip(out[url_col], names, strict=True)]
        labels[url_col] = stem
        classes[url_col] = "it-text"
        if name_col:
            out = out.drop(columns=[name_col])

    for col in out.columns:
        if col in texts:
            continue
        values = out[col]
        if pd.api.types.is_datetime64_any_dtype(values):
            fmt, suffix = _date_column_formatter(values)
            texts[col] = [html.escape(fmt(v)) for v in values]
            labels[col] = col + suffix
            classes[col] = "it-num"
        elif pd.api.types.is_timedelta64_dtype(values):
            texts[col] = [html.escape(_duration(v)) for v in values]
            classes[col] = "it-num"
        elif pd.api.types.is_bool_dtype(values):
            texts[col] = ["" if _is_missing(v) else ("yes" if v else "no") for v in values]
        elif pd.api.types.is_integer_dtype(values):
            texts[col] = ["" if _is_missing(v) else f"{int(v):,}" for v in values]
            classes[col] = "it-num"
        elif pd.api.types.is_float_dtype(values):
            if col.lower() in _P_VALUE_NAMES:
                texts[col] = [
                    ""
                    if _is_missing(v)
                    else html.escape(p_text(float(v)).removeprefix("p ").removeprefix("= "))
                    for v in values
                ]
            else:
                d = digits if digits is not None else _number_decimals(values.astype(float))
                texts[col] = ["" if _is_missing(v) else _number(float(v), d) for v in values]
            classes[col] = "it-num"
        else:
            cells = [_cell_text(v) for v in values]
            texts[col] = [html.escape(c, quote=True) for c in cells]
            longest = max((len(c) for c in cells), default=0)
            with_digits = [c for c in cells if _HAS_DIGIT.search(c)]
            if with_digits and all(_NUMERIC_TEXT.match(c) for c in with_digits):
                classes[col] = "it-num"  # numbers joined as text ("2.9 (2.0-4.2) -> 5.7"): one line
            else:
                classes[col] = "it-text" if longest > 40 else ""

    shown = pd.DataFrame(
        {i: pd.Series(texts[c], index=out.index, dtype=object) for i, c in enumerate(out.columns)},
        index=out.index,
    )
    shown.columns = pd.Index([labels.get(c, c) for c in out.columns])
    class_frame = pd.DataFrame(
        [[classes.get(c, "") for c in out.columns]] * len(out),
        index=shown.index,
        columns=shown.columns,
    )
    if isinstance(shown.index, pd.DatetimeIndex):
        fmt, suffix = _date_column_formatter(pd.Series(shown.index))
        index_name = f"{shown.index.name}{suffix}" if shown.index.name else None
        shown.index = class_frame.index = pd.Index([fmt(v) for v in shown.index], name=index_name)
    show_index = index if index is not None else not isinstance(out.index, pd.RangeIndex)
    return shown, class_frame, show_index


def format_table(
    frame: pd.DataFrame,
    *,
    intervals: bool = True,
    digits: int | None = None,
    index: bool | None = None,
    caption: str | None = None,
    level: float | None = None,
) -> Any:
    """A table ready to show in a notebook or the report: a pandas ``Styler``, every string escaped.

    Dates are shown as dates (``2024-04-13``; a column whose values have times
    of day keeps them, without the UTC offset, and names its zone in the
    label), integers with thousands separators, floats with a precision
    chosen per column (two significant digits of its smallest non-zero value; p-value
    columns as ``< 0.001``), lists (of change dates, say) in full, intervals
    as ``5.9 (4.2-7.9)`` and source addresses as links with readable names.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table (not modified). A Series is accepted as a one-column table.
    intervals : bool
        Merge an estimate and its bounds into one column (default True):
        ``rate, ci_low, ci_high`` -> ``rate (95% CI)`` (the level is read from a
        ``level`` column with one value), ``X, X_low, X_high`` -> ``X (interval)``,
        ``pi_low, pi_high`` -> prediction intervals.
    digits : int, optional
        Decimals of every float column and interval, instead of the per-column choice.
    index : bool, optional
        Show the index (default: unless it is a plain 0..n-1 range).
    caption : str, optional
        A caption above the table (escaped).
    level : float, optional
        The level of the intervals, for their label (``rate (95% CI)``), when
        the table has no ``level`` column.

    Returns
    -------
    pandas.io.formats.style.Styler
        Renders as HTML in Jupyter and nbconvert (``.to_html()``). Its table
        has the class ``it-table``; numeric and date cells have the class
        ``it-num`` (no line breaks inside a number), long text ``it-text``.

    Notes
    -----
    Written here rather than with ``DataFrame.style.format(precision=...)``
    alone because pandas has no rule for dates without times, intervals,
    links or lists; the rendering itself is pandas' ``Styler``. A column
    ``source_url`` (any ``X_url``, or ``url``) is shown as links, using
    ``source_name`` (``X_name``) as the text when the table has it (the name
    column is then dropped); its label is ``source`` (``X``).

    Examples
    --------
    >>> t = pd.DataFrame({
    ...     "start": pd.to_datetime(["2024-04-13", "2024-09-23"]),
    ...     "rate": [5.857, 12.3], "ci_low": [4.2, 9.81], "ci_high": [7.94, 15.2],
    ...     "n": [41, 1200], "note": ["<b>bold</b>", "ok"],
    ... })
    >>> html_text = format_table(t).to_html()
    >>> "5.9 (4.2-7.9)" in html_text and "1,200" in html_text
    True
    >>> "&lt;b&gt;bold&lt;/b&gt;" in html_text and "<b>bold" not in html_text
    True
    >>> "2024-04-13" in html_text and "00:00" not in html_text
    True
    """
    import html

    shown, class_frame, show_index = _format_cells(
        frame, intervals=intervals, digits=digits, index=index, level=level
    )
    # every cell is escaped HTML already: the Styler must not escape it again (links stay links)
    styler = shown.style.format_index(escape="html", axis=0).format_index(escape="html", axis=1)
    if not show_index:
        styler = styler.hide(axis="index")
    styler = styler.set_td_classes(class_frame).set_table_attributes('class="it-table"')
    if caption:
        styler = styler.set_caption(html.escape(caption))
    return styler
