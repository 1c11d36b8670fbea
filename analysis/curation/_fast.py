"""Whole-column versions of the schema's cell parsers, with the same answers.

:mod:`analysis.curation.schema` defines what a valid cell is by one function
per kind (:func:`~analysis.curation.schema.parse_timestamp`,
:func:`~analysis.curation.schema.parse_whole_number`, ...), applied to one
value at a time. Applied to two million rows that costs minutes. The
functions here answer the same question for a whole column at once, with
numpy on the bytes of the values, but only for values whose form they can
certify (``2024-11-04T21:30:00+02:00``, ``12``): every other value is
passed to the one-value function, so the answer is always the same as the
one-value function's. No library offers such a reader: pandas'
``to_datetime(format="ISO8601")`` and Python's ``datetime.fromisoformat``
accept different sets of text, and the schema's definition is the latter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["exact_map", "is_text", "iso_times", "web_addresses", "whole_numbers"]

_ZERO = ord("0")
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def is_text(values: pd.Series) -> bool:
    """True for a column of the string dtype (every present value is a ``str``)."""
    return isinstance(values.dtype, pd.StringDtype)


def exact_map(values: pd.Series, fn: Callable[[Any], Any], *, by_value: bool) -> pd.Series:
    """``fn`` of each value; called once per distinct value when ``by_value`` (text only).

    Examples
    --------
    >>> exact_map(pd.Series(["a", "b", "a"], dtype="str"), str.upper, by_value=True).tolist()
    ['A', 'B', 'A']
    """
    if not len(values):
        return pd.Series([], index=values.index, dtype=object)
    if by_value and is_text(values):  # one hash pass (pyarrow's dictionary encoding)
        codes, uniques = pd.factorize(values, use_na_sentinel=False)
        table = np.empty(len(uniques), dtype=object)
        table[:] = [fn(v) for v in uniques]
        return pd.Series(table[codes], index=values.index, dtype=object)
    if by_value:
        distinct = pd.unique(values)
        answers = [fn(v) for v in distinct]
        codes = pd.Index(distinct).get_indexer(pd.Index(values))
        out = np.empty(len(distinct), dtype=object)
        out[:] = answers
        return pd.Series(out[codes], index=values.index, dtype=object)
    return pd.Series([fn(v) for v in values], index=values.index, dtype=object)


_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # the ASCII characters str.strip removes


def _utf8(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The UTF-8 bytes of a text column held by pyarrow, and where each value starts and ends.

    Returns ``(data, offsets)``: value ``i`` is ``data[offsets[i]:offsets[i + 1]]``
    (a missing value is empty; ``offsets[0]`` is 0). None when the column is not
    held by pyarrow (then the values are read as Python strings). Reading the
    arrow buffers spares turning every value into a Python string and back.
    """
    if not is_text(values) or getattr(values.dtype, "storage", None) != "pyarrow":
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow storage implies pyarrow
        return None
    arrow = values.array.__arrow_array__()
    if isinstance(arrow, pa.ChunkedArray):
        arrow = arrow.combine_chunks()
    arrow = pc.fill_null(arrow, "")
    if pa.types.is_large_string(arrow.type):
        kind: type[np.signedinteger[Any]] = np.int64
    elif pa.types.is_string(arrow.type):
        kind = np.int32
    else:  # pragma: no cover - pandas' text is string or large_string
        return None
    _, offset_buffer, data_buffer = arrow.buffers()
    n = len(arrow)
    offsets = np.frombuffer(offset_buffer, dtype=kind)[arrow.offset : arrow.offset + n + 1]
    offsets = offsets.astype(np.int64)
    if data_buffer is None or not n:
        return np.zeros(0, dtype=np.uint8), np.zeros(n + 1, dtype=np.int64)
    data = np.frombuffer(data_buffer, dtype=np.uint8)[offsets[0] : offsets[-1]]
    return data, offsets - offsets[0]


def _fixed_width(values: pd.Series, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """``values`` as numpy's ``S{size}`` would hold them, as an ``(n, size)`` byte matrix.

    The same matrix as ``values.to_numpy(dtype=object, na_value="").astype(f"S{size}")``
    viewed as bytes, with the values that are not ASCII left as zeros, and which values
    are ASCII; read from the arrow buffers (:func:`_utf8`), or None.
    """
    found = _utf8(values)
    if found is None:
        return None
    data, offsets = found
    n = len(offsets) - 1
    wide = data >= 128
    if wide.any():  # which values hold a byte outside ASCII
        high = np.concatenate(([0], np.cumsum(wide, dtype=np.int64)))
        ascii_ = high[offsets[1:]] == high[offsets[:-1]]
    else:
        ascii_ = np.ones(n, dtype=bool)
    take = np.where(ascii_, np.minimum(np.diff(offsets), size), 0)
    padded = np.concatenate((data, np.zeros(size, dtype=np.uint8)))
    starts = offsets[:-1]
    matrix = np.zeros((n, size), dtype=np.uint8)
    for k in range(size):  # column by column: a gather of n bytes each
        inside = take > k
        if not inside.any():
            break
        matrix[:, k] = np.where(inside, padded[starts + k], 0)
    return matrix, ascii_


def _bytes(values: pd.Series, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stripped ASCII values as an ``(n, width + 1)`` byte matrix, their lengths, which fit.

    Values that are missing, not ASCII, hold a NUL or are longer than
    ``width`` do not fit (they are never certified).
    """
    n = len(values)
    size = width + 1
    fast = _fixed_width(values, size)
    if fast is not None:
        matrix, ascii_ = fast
    else:
        plain = values.to_numpy(dtype=object, na_value="")
        ascii_ = np.ones(n, dtype=bool)
        try:
            fixed = plain.astype(f"S{size}")
        except (UnicodeEncodeError, ValueError, TypeError):  # not ASCII: not certified
            ascii_ = np.array([isinstance(v, str) and v.isascii() for v in plain], dtype=bool)
            fixed = np.where(ascii_, plain, "").astype(f"S{size}")
        matrix = fixed.view(np.uint8).reshape(n, size)
    length = (matrix != 0).sum(axis=1)
    rows = np.arange(n)
    padded = _SPACE[matrix[:, 0]] | _SPACE[matrix[rows, np.maximum(length - 1, 0)]]
    for pos in np.flatnonzero(padded & ascii_):  # blank space around the value: strip it
        text = str(values.iat[int(pos)]).strip()
        matrix[pos] = 0
        if len(text) < size:
            matrix[pos, : len(text)] = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        ascii_[pos] = len(text) < size
    if padded.any():
        length = (matrix != 0).sum(axis=1)
    first_zero = np.argmin(matrix != 0, axis=1)  # a NUL inside a value: not certified
    fits = (length <= width) & (first_zero == length) & ascii_
    return matrix, length, fits


def _digits(b: np.ndarray, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
    part = b[:, start:stop].astype(np.int64) - _ZERO
    ok = np.asarray(((part >= 0) & (part <= 9)).all(axis=1), dtype=bool)
    value = np.zeros(len(b), dtype=np.int64)
    for k in range(stop - start):
        value = value * 10 + part[:, k]
    return ok, value


_CHUNK = 1 << 17  # rows read at a time: the byte matrices stay a few megabytes


def _chunked(
    read: Callable[[pd.Series], dict[str, np.ndarray]],
) -> Callable[[pd.Series], dict[str, np.ndarray]]:
    """``read`` applied to slices of a column, the results joined (bounded temporaries)."""

    def run(values: pd.Series) -> dict[str, np.ndarray]:
        if len(values) <= _CHUNK:
            return read(values)
        parts = [read(values.iloc[i : i + _CHUNK]) for i in range(0, len(values), _CHUNK)]
        return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}

    run.__doc__ = read.__doc__
    run.__name__ = read.__name__
    return run


@_chunked
def iso_times(values: pd.Series) -> dict[str, np.ndarray]:
    """Read ISO 8601 text exactly as ``datetime.fromisoformat`` does, where its form is certain.

    Certified forms (after stripping blank space): ``YYYY-MM-DD``, then
    optionally ``T`` or a space and ``hh:mm``, ``:ss``, ``.f`` (1 to 6
    digits), then optionally ``Z`` or ``+hh:mm``/``-hh:mm``, every field in
    its range (days in the month, leap years). Other values are not certified
    (``certain`` is False) and must be read by
    :func:`analysis.curation.schema.parse_timestamp`.

    Returns
    -------
    dict of numpy arrays
        ``certain`` (bool), ``local`` (``datetime64[us]``, the time as
        written, without its offset), ``year``, ``has_offset`` (bool) and
        ``offset_us`` (the offset in microseconds, 0 without one).

    Examples
    --------
    >>> out = iso_times(pd.Series(["2024-11-04T21:30:00+02:00", "2024-02-30", "04/11/2024"]))
    >>> out["certain"].tolist(), str(out["local"][0]), int(out["offset_us"][0] // 60_000_000)
    ([True, False, False], '2024-11-04T21:30:00.000000', 120)
    """
    n = len(values)
    b, length, ok = _bytes(values, 32)
    ok &= length >= 10
    dash = (b[:, 4] == ord("-")) & (b[:, 7] == ord("-"))
    ok_y, year = _digits(b, 0, 4)
    ok_m, month = _digits(b, 5, 7)
    ok_d, day = _digits(b, 8, 10)
    ok &= dash & ok_y & ok_m & ok_d & (year >= 1) & (month >= 1) & (month <= 12)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    dim = _DAYS_IN_MONTH[np.clip(month, 0, 12)] + ((month == 2) & leap)
    ok &= (day >= 1) & (day <= dim)
    # time of day
    has_time = length > 10
    sep = (b[:, 10] == ord("T")) | (b[:, 10] == ord(" "))
    ok_h, hour = _digits(b, 11, 13)
    ok_mi, minute = _digits(b, 14, 16)
    time_ok = sep & ok_h & ok_mi & (b[:, 13] == ord(":")) & (hour <= 23) & (minute <= 59)
    ok &= ~has_time | (time_ok & (length >= 16))
    pos = np.where(has_time, 16, 10)
    has_sec = has_time & (length > 16) & (b[:, 16] == ord(":"))
    ok_s, second = _digits(b, 17, 19)
    ok &= ~has_sec | (ok_s & (second <= 59))
    second = np.where(has_sec, second, 0)
    pos = np.where(has_sec, 19, pos)
    rows = np.arange(n)
    at = b[rows, np.minimum(pos, 32)]
    has_frac = has_sec & (at == ord("."))
    frac = np.zeros(n, dtype=np.int64)
    n_frac = np.zeros(n, dtype=np.int64)
    still = has_frac.copy()
    for k in range(6):  # up to 6 digits after the point
        c = b[rows, np.minimum(20 + k, 32)].astype(np.int64) - _ZERO
        digit = still & (c >= 0) & (c <= 9)
        frac = np.where(digit, frac * 10 + c, frac)
        n_frac += digit
        still &= digit
    ok &= ~has_frac | (n_frac >= 1)
    frac_us = frac * 10 ** (6 - n_frac)
    pos = np.where(has_frac, 20 + n_frac, pos)
    # offset
    at = b[rows, np.minimum(pos, 32)]
    zulu = (at == ord("Z")) & (length == pos + 1)
    signed = ((at == ord("+")) | (at == ord("-"))) & (length == pos + 6)
    oh = np.zeros(n, dtype=np.int64)
    om = np.zeros(n, dtype=np.int64)
    ok_oh = np.zeros(n, dtype=bool)
    colon = np.zeros(n, dtype=bool)
    for p in (10, 16, 19, *range(21, 27)):  # the offset's digits sit at pos + 1 .. pos + 5
        here = pos == p
        if not here.any():
            continue
        d_ok, d_h = _digits(b, min(p + 1, 31), min(p + 3, 32))
        m_ok, d_m = _digits(b, min(p + 4, 31), min(p + 6, 32))
        oh = np.where(here, d_h, oh)
        om = np.where(here, d_m, om)
        ok_oh = np.where(here, d_ok & m_ok, ok_oh)
        colon = np.where(here, b[:, min(p + 3, 32)] == ord(":"), colon)
    signed &= ok_oh & colon & (oh <= 23) & (om <= 59) & has_time
    ok &= (length == pos) | zulu | signed
    sign = np.where(at == ord("-"), -1, 1)
    offset_us = np.where(signed, sign * (oh * 60 + om) * 60_000_000, 0)
    local = np.zeros(n, dtype="datetime64[us]")
    if ok.any():
        months = (year[ok] - 1970) * 12 + (month[ok] - 1)
        days = months.astype("datetime64[M]").astype("datetime64[D]") + (day[ok] - 1)
        micro = ((hour[ok] * 60 + minute[ok]) * 60 + second[ok]) * 1_000_000 + frac_us[ok]
        local[ok] = days.astype("datetime64[us]") + micro.astype("timedelta64[us]")
        local[ok & ~has_time] = days[~has_time[ok]].astype("datetime64[us]")
    return {
        "certain": ok,
        "local": local,
        "year": year,
        "has_offset": ok & (zulu | signed),
        "offset_us": offset_us,
    }


@_chunked
def whole_numbers(values: pd.Series) -> dict[str, np.ndarray]:
    """Read whole numbers written as digits (``12``, ``+3``, ``-0``), where the form is certain.

    Certified: an optional sign and 1 to 18 digits, after stripping blank
    space (so the value fits in int64). Others must be read by
    :func:`analysis.curation.schema.parse_whole_number`.

    Returns
    -------
    dict of numpy arrays
        ``certain`` (bool) and ``value`` (int64, 0 where not certain).

    Examples
    --------
    >>> out = whole_numbers(pd.Series(["12", " -3", "2.5", "x"]))
    >>> out["certain"].tolist(), out["value"].tolist()
    ([True, True, False, False], [12, -3, 0, 0])
    """
    n = len(values)
    b, length, ok = _bytes(values, 19)
    sign = (b[:, 0] == ord("+")) | (b[:, 0] == ord("-"))
    start = sign.astype(np.int64)
    ok &= (length - start >= 1) & (length - start <= 18)
    value = np.zeros(n, dtype=np.int64)
    valid = ok.copy()
    for k in range(19):
        c = b[:, k].astype(np.int64) - _ZERO
        inside = (k >= start) & (k < length)
        digit = (c >= 0) & (c <= 9)
        valid &= ~inside | digit
        value = np.where(inside & digit, value * 10 + c, value)
    value = np.where(b[:, 0] == ord("-"), -value, value)
    return {"certain": valid, "value": np.where(valid, value, 0)}


_WHITE = np.zeros(256, dtype=bool)
_WHITE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # ASCII characters matched by ``\s``
_DELIMITER = np.zeros(256, dtype=bool)
_DELIMITER[[ord("/"), ord("?"), ord("#")]] = True


@_chunked
def web_addresses(values: pd.Series) -> dict[str, np.ndarray]:
    r"""Whether each value is a web address (``https?://host.tld...``), where that is certain.

    The same answer as ``schema._URL.fullmatch(value.strip())``
    (``https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?``, case-insensitive) for every value
    that is ASCII and holds no white space (then stripping changes nothing); such a
    value matches exactly when it starts with ``http://`` or ``https://`` (any case),
    its host (the characters up to the first ``/``, ``?`` or ``#``, or the end) has a
    ``.`` with at least one character before and after it, and, as it has no white
    space, whatever follows the host is allowed. Other values (non-ASCII, where case
    folding goes beyond ASCII, or with white space or a line break) are not certain.
    Hand-written with numpy on the bytes of the values joined by line breaks: the
    regular expression, applied value by value, took seconds on two million rows.

    Returns
    -------
    dict of numpy arrays
        ``certain`` and ``ok`` (bool).

    Examples
    --------
    >>> out = web_addresses(pd.Series(["https://x.org/a b", "HTTP://a.b?q", "http://ab/", "é"]))
    >>> out["certain"].tolist(), out["ok"].tolist()
    ([False, True, True, False], [False, True, False, False])
    """
    n = len(values)
    if n == 0:
        return {"certain": np.zeros(0, dtype=bool), "ok": np.zeros(0, dtype=bool)}
    certain = np.ones(n, dtype=bool)
    raw = _joined_lines(values)
    if raw is not None:
        ends = np.flatnonzero(raw == 10)
    else:
        texts = values.to_numpy(dtype=object, na_value="").tolist()
        joined = "\n".join(texts) + "\n"
        raw = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        ends = np.flatnonzero(raw == 10)
    if len(ends) != n:  # a value holds a line break: those values are left out of the join
        certain = np.fromiter(("\n" not in v for v in texts), dtype=bool, count=n)
        texts = [v if ok else "" for v, ok in zip(texts, certain.tolist(), strict=True)]
        raw = np.frombuffer(("\n".join(texts) + "\n").encode("utf-8", "surrogatepass"), np.uint8)
        ends = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    # values holding white space or a byte outside ASCII are not certain
    odd = np.flatnonzero((_WHITE[raw] & (raw != 10)) | (raw >= 128))
    certain &= np.searchsorted(odd, ends) == np.searchsorted(odd, starts)
    padded = np.concatenate((raw, np.zeros(8, dtype=np.uint8)))

    def at(offset: int) -> np.ndarray:  # the byte at this offset, ASCII letters in lower case
        return padded[starts + offset] | 0x20

    def raw_at(offset: int) -> np.ndarray:
        return padded[starts + offset]

    length = ends - starts
    http = (at(0) == ord("h")) & (at(1) == ord("t")) & (at(2) == ord("t")) & (at(3) == ord("p"))
    plain_scheme = (raw_at(4) == ord(":")) & (raw_at(5) == ord("/")) & (raw_at(6) == ord("/"))
    secure = (at(4) == ord("s")) & (raw_at(5) == ord(":")) & (raw_at(6) == ord("/"))
    secure &= raw_at(7) == ord("/")
    host = np.where(secure, starts + 8, starts + 7)
    ok = http & (plain_scheme | secure) & (length >= 7)
    stop = np.minimum(_next_at_or_after(np.flatnonzero(_DELIMITER[raw]), host, ends), ends)
    dot = _next_at_or_after(np.flatnonzero(raw == ord(".")), host + 1, ends)
    ok &= (host < ends) & (dot <= stop - 2)
    return {"certain": certain, "ok": ok & certain}


def _joined_lines(values: pd.Series) -> np.ndarray | None:
    """The UTF-8 bytes of the values, each followed by a line break (missing values empty).

    None when the column is not held by pyarrow or a value holds a line break.
    """
    found = _utf8(values)
    if found is None:
        return None
    data, offsets = found
    if (data == 10).any():
        return None
    return np.insert(data, offsets[1:], 10)  # a line break after each value


def _next_at_or_after(positions: np.ndarray, start: np.ndarray, default: np.ndarray) -> np.ndarray:
    """The first of the sorted ``positions`` at or after each ``start``; ``default`` if none."""
    if not len(positions):
        return default.copy()
    nxt = np.searchsorted(positions, start)
    return np.where(nxt < len(positions), positions[np.minimum(nxt, len(positions) - 1)], default)
