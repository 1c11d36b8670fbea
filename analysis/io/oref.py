"""Israel Home Front Command (Pikud HaOref) alert history and locality tables.

The alert history is the file ``israel-alerts.csv`` collected by
github.com/dleshem/israel-alerts-data (Apache-2.0). One row is one alert for
one locality, or a short comma-separated list of localities, at one minute;
it is not one projectile. The header is
``data,date,time,alertDate,category,category_desc,matrix_id,rid``.

:func:`load_oref_alerts` reads it, keeps every source column and adds the
canonical incident columns of ``ARCHITECTURE.md`` (``incident_id``, ``start``,
``time_precision``, ``weapon``, ``unit``, ``quantity``, ``source_name``,
``source_url``, ``notes``). Every data row ends in the table or in the rejects
table with its reason.

Times
-----
``alertDate`` is Israel local wall-clock time at minute resolution (the
source rounds ``date`` + ``time``, which carry seconds, to the nearest
minute). ``start`` is that minute as a tz-aware ``Asia/Jerusalem`` timestamp,
so days are counted by the Israel-local date. Daylight saving time:

* **Fall-back (ambiguous) hour.** When clocks go back (02:00 summer time to
  01:00 standard time) the minutes 01:00-01:59 occur twice. ``rid`` is a
  running id that increases with time, so the alerts of that night are put in
  ``rid`` order and their wall-clock times (``date`` + ``time``, seconds) are
  followed: once a wall-clock time is more than two minutes *earlier* than the
  latest one seen before it that night, the clock has gone back, and this and
  every later alert in the repeated hour is the second occurrence (standard
  time). Alerts before that point are the first occurrence (summer time). The
  two-minute tolerance absorbs the collector's small ordering jitter (at most
  53 s in the 2014-2024 file). When nothing in the row order shows the clock
  going back, the first occurrence is assumed, and ``notes`` says so.
* **Spring-forward (nonexistent) minute.** The minutes 02:00-02:59 on the
  spring-forward night do not exist. An ``alertDate`` of 02:00 made by
  rounding a ``time`` of 01:59:30 or later is moved to 03:00 summer time,
  which is exactly that instant rounded to the minute; ``notes`` says so. A
  row whose own ``date`` + ``time`` falls in the gap is rejected.

The 2014-2024 shared file has no row in either case; the rules matter for the
newer upstream file, which spans more changes of clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from analysis.datasets import dataset_path
from analysis.errors import DataError, DataNotFoundError, Problem, RejectedRowsWarning
from analysis.io.csv import (
    MAX_FIELD_CHARS,
    _damaged,
    _fields_of_any_length,
    _preview,
    implausible_years,
    year_message,
)

SOURCE_COLUMNS: tuple[str, ...] = (
    "data",
    "date",
    "time",
    "alertDate",
    "category",
    "category_desc",
    "matrix_id",
    "rid",
)
CANONICAL_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "start",
    "time_precision",
    "weapon",
    "unit",
    "quantity",
    "source_name",
    "source_url",
    "notes",
)
TIMEZONE = "Asia/Jerusalem"
SOURCE_NAME = "Israel Home Front Command alert history (dleshem/israel-alerts-data)"
SOURCE_URL = "https://github.com/dleshem/israel-alerts-data"

#: ``category`` -> ``weapon`` for the categories with a fixed meaning.
WEAPON_BY_CATEGORY: dict[int, str] = {
    1: "rocket",  # ירי רקטות וטילים: rockets and missiles
    2: "drone",  # חדירת כלי טיס עוין: hostile aircraft intrusion (drones, UAVs)
    10: "infiltration",  # חדירת מחבלים: terrorist infiltration
    4: "warning",  # אזהרה: warning
}
#: Drill categories (rockets 15, earthquake 21, hazardous materials 26, ...); a
#: ``category_desc`` starting with the word for drill (תרגיל) is a drill too.
DRILL_CATEGORIES = range(15, 29)
_DRILL_WORD = "תרגיל"

_ALERT_FORMAT = "%Y-%m-%dT%H:%M:%S"
_WALL_FORMAT = "%d.%m.%Y %H:%M:%S"
_JITTER = pd.Timedelta(minutes=2)


class IncompleteLocalitiesWarning(UserWarning):
    """A locality lookup table is unavailable, so some alert names cannot match."""


def weapon_for_category(category: pd.Series, description: pd.Series | None = None) -> pd.Series:
    """Map alert categories to the canonical ``weapon`` vocabulary.

    Parameters
    ----------
    category : pandas.Series of int
        The source ``category`` column.
    description : pandas.Series of str, optional
        The source ``category_desc``; a description starting with "תרגיל"
        (drill) marks a drill whatever its number.

    Returns
    -------
    pandas.Series of str
        ``"rocket"`` (1, rockets and missiles), ``"drone"`` (2, hostile
        aircraft intrusion), ``"infiltration"`` (10), ``"warning"`` (4),
        ``"drill"`` (15-28 or a drill description), else ``"other"``; the raw
        category stays in the ``category`` column.

    Examples
    --------
    >>> weapon_for_category(pd.Series([1, 2, 10, 4, 15, 99])).tolist()
    ['rocket', 'drone', 'infiltration', 'warning', 'drill', 'other']
    """
    cat = pd.to_numeric(category, errors="coerce")
    if cat.dtype.kind in "iu":  # whole numbers: each distinct category is looked up once
        return _weapon_of_codes(cat, description)
    out = cat.map(WEAPON_BY_CATEGORY).astype(object)
    drill = cat.isin(list(DRILL_CATEGORIES))
    if description is not None:
        drill |= pd.Series(_drill_descriptions(description), index=description.index)
    out[drill & out.isna()] = "drill"
    return out.fillna("other").astype(str)


def _drill_descriptions(description: pd.Series) -> np.ndarray:
    """Rows whose description starts with the word for drill, each distinct one tested once.

    Missing descriptions (factorize code -1) read as ``"nan"``, ``"None"`` or ``"<NA>"``
    under ``astype(str)``: none of them is a drill.
    """
    codes, distinct = pd.factorize(description, use_na_sentinel=True)
    is_drill = [str(v).strip().startswith(_DRILL_WORD) for v in distinct]
    return np.append(np.asarray(is_drill, dtype=bool), False)[codes]


def _weapon_of_codes(cat: pd.Series, description: pd.Series | None) -> pd.Series:
    """:func:`weapon_for_category` of an integer column: the same labels, by distinct value."""
    codes, distinct = pd.factorize(cat)
    fixed = [WEAPON_BY_CATEGORY.get(int(v), "") for v in distinct]
    labels = np.asarray([*fixed, ""], dtype=object)[codes]
    drill = np.asarray([int(v) in DRILL_CATEGORIES for v in distinct] + [False])[codes]
    if description is not None:
        drill |= _drill_descriptions(description)
    unmapped = labels == ""
    labels[unmapped & drill] = "drill"
    labels[unmapped & ~drill] = "other"
    return pd.Series(labels, index=cat.index, dtype="str")


def _decode(path: Path, raw: bytes | None = None) -> str:
    raw = path.read_bytes() if raw is None else raw
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.start + 8]
        raise DataError(
            Problem(
                str(path),
                line,
                None,
                repr(bad),
                f"not UTF-8 (byte {exc.start}); re-save the file as UTF-8",
            ),
            header=f"cannot read {path}",
        ) from None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _read_records(path: Path) -> tuple[list[str], list[list[str]], list[int], list[str]]:
    """Split the file into header, records, 1-based lines and a reason per broken record.

    The alert history has one record per line (no field spans lines), so each
    line is split on its own by the csv module. A line with an unbalanced
    double quote cannot be split reliably: it becomes a record of its own with
    a reason, and the lines after it are read as usual, so one broken quote
    rejects one row, not the rest of the file.
    """
    text = _decode(path)
    physical = _LINE_BREAK.split(text)
    if physical and physical[-1] == "":
        physical.pop()  # the final line break does not start a line
    number = 0
    header: list[str] = []
    while number < len(physical) and not header:
        header = _split(physical[number]) or []
        number += 1
    if not any(h.strip() for h in header):
        raise DataError(
            Problem(str(path), None, None, None, "empty file: no header row"),
            header=f"cannot read {path}",
        )
    records: list[list[str]] = []
    lines: list[int] = []
    broken: list[str] = []
    for line_no, line in enumerate(physical[number:], start=number + 1):
        if not line:  # a blank line holds no data row
            continue
        plain = '"' not in line and "\x00" not in line and len(line) <= MAX_FIELD_CHARS
        fields = line.split(",") if plain else _split(line)  # no quote: the csv module's split
        lines.append(line_no)
        if fields is None:
            records.append([line])
            broken.append(
                "unbalanced double quote (unterminated quoted field?); the row cannot be "
                "split into fields"
            )
        elif len(line) > MAX_FIELD_CHARS or "\x00" in line:  # rare: look at each field
            damage = [
                f"{header[i] if i < len(header) else f'field {i + 1}'} {why}"
                for i, f in enumerate(fields)
                if (why := _damaged(f))
            ]
            records.append([_preview(f) for f in fields] if damage else fields)
            broken.append("; ".join(damage))
        else:
            records.append(fields)
            broken.append("")
    return [h.strip() for h in header], records, lines, broken


def _fast_frame(path: Path) -> tuple[pd.DataFrame, pd.Series] | None:
    """:func:`_read_records` + :func:`_to_frame` by the pandas C parser, when that is exact.

    Used only for a file where every line is a well-formed record: no carriage
    return, NUL, blank line or overlong line, every quote-free line with exactly
    one comma fewer than the header has fields, and every line with a quote split
    by the csv module (the careful path's splitter) into the same fields as pandas
    split it. Then records and line numbers are those of the careful path, which
    is checked, not assumed; any other file returns None and is read line by
    line. The checks are vectorised over the file's bytes. Bytes that are not
    UTF-8 make the C parser fail (strict decoding), and the careful path then names
    their line. Hand-written because no reader offers the careful path's
    one-broken-line-one-reject rule.
    """
    import io

    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw or not raw.endswith(b"\n") or b"\r" in raw or b"\x00" in raw:
        return None
    b = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(b == 10)  # one per line: the file ends in a line break
    begins = np.concatenate(([0], ends[:-1] + 1))
    if ((ends - begins) == 0).any() or (ends - begins).max() > MAX_FIELD_CHARS:
        return None  # a blank line, or a line that may be too long for the csv module
    commas = np.searchsorted(np.flatnonzero(b == 44), ends)  # commas before each line's end
    n_commas = np.diff(commas, prepend=0)
    has_quote = np.diff(np.searchsorted(np.flatnonzero(b == 34), ends), prepend=0) > 0
    try:  # bytes that are not UTF-8 are left to the careful path, which names their line
        header = _split(raw[: int(ends[0])].decode("utf-8"))
    except UnicodeDecodeError:
        return None
    if not header or has_quote[0] or len(ends) < 2:
        return None
    width = len(header)
    if (n_commas[1:][~has_quote[1:]] != width - 1).any():
        return None
    stripped = [h.strip() for h in header]
    if any(c not in stripped for c in SOURCE_COLUMNS) or len(set(stripped)) != width:
        return None  # the careful path names the missing columns
    try:
        with warnings.catch_warnings():  # a line pandas splits differently falls back below
            warnings.simplefilter("ignore")
            read = pd.read_csv(  # bytes: the C parser decodes them faster than a StringIO
                io.BytesIO(raw),
                header=None,
                skiprows=1,
                names=list(range(width)),
                index_col=False,
                dtype=object,
                na_filter=False,
                keep_default_na=False,
                skip_blank_lines=False,
                engine="c",
            )
    except (ValueError, pd.errors.ParserError):  # UnicodeDecodeError is a ValueError
        return None
    if len(read) != len(ends) - 1:
        return None
    quoted = np.flatnonzero(has_quote[1:])
    if len(quoted):
        # the careful path splits each quoted line on its own (_split): it refuses a line
        # with an odd number of quotes, and csv.reader over the list of lines gives one
        # record per line exactly when no line ends inside a quoted field (else the next
        # line would continue the record, and there would be fewer records than lines)
        n_quotes = np.diff(np.searchsorted(np.flatnonzero(b == 34), ends), prepend=0)
        if (n_quotes[1:][quoted] % 2).any():
            return None
        quoted_lines = [raw[begins[i + 1] : ends[i + 1]].decode("utf-8") for i in quoted.tolist()]
        try:
            split = list(csv.reader(quoted_lines))
        except csv.Error:
            return None
        if len(split) != len(quoted_lines):
            return None
        if split != read.take(quoted).to_numpy(dtype=object).tolist():
            return None
    read.columns = stripped
    read.insert(0, "line", np.arange(2, len(ends) + 1, dtype=np.int64))
    return read, pd.Series([""] * len(read), index=read.index, dtype=object)


def _split(line: str) -> list[str] | None:
    """One line split into fields; None when its quotes do not balance."""
    if line.count('"') % 2:
        return None
    try:
        if len(line) > MAX_FIELD_CHARS:  # a field may be longer than the csv module allows
            with _fields_of_any_length():
                return next(csv.reader([line]), [])
        return next(csv.reader([line]), [])
    except csv.Error:
        return None


def _to_frame(
    path: Path, header: list[str], records: list[list[str]], lines: list[int], broken: list[str]
) -> tuple[pd.DataFrame, pd.Series]:
    """Records as a DataFrame of strings plus a reason per badly shaped row."""
    missing = [c for c in SOURCE_COLUMNS if c not in header]
    if missing:
        hint = ""
        if len(header) == 1 and any(d in header[0] for d in ";\t|"):
            hint = " (the header has one field: is the delimiter not a comma?)"
        raise DataError(
            [Problem(str(path), 1, c, None, f"required column is missing{hint}") for c in missing],
            header=f"{path} is not an alert history file (header: {','.join(header)[:80]})",
        )
    width = len(header)
    shape_reason = [
        why or ("" if len(r) == width else f"expected {width} fields, found {len(r)}")
        for r, why in zip(records, broken, strict=True)
    ]
    fixed = [r if len(r) == width else (r + [""] * width)[:width] for r in records]
    frame = pd.DataFrame(fixed, columns=header, dtype=object)
    frame.insert(0, "line", np.asarray(lines, dtype=np.int64))
    return frame, pd.Series(shape_reason, index=frame.index, dtype=object)


def plausible_years() -> tuple[int, int]:
    """Years an alert can have: 2000 (the history starts in 2014) to next year.

    A year outside them (0001, 9999, 2204) is a placeholder or a typing
    error; the row is rejected with that reason.

    Examples
    --------
    >>> earliest, latest = plausible_years()
    >>> earliest, latest >= 2025
    (2000, True)
    """
    return 2000, dt.datetime.now(dt.UTC).year + 1


def _reject_far_years(
    times: pd.Series, column: str, reasons: pd.Series, ok_shape: pd.Series
) -> pd.Series:
    """Give rows whose year is not plausible a reason; return ``times`` with them as NaT.

    They are never localized (year 9999 would overflow), and their rows are rejected.
    """
    earliest, latest = plausible_years()
    far = implausible_years(times, earliest=earliest, latest=latest)
    years = times.dt.year.to_numpy()
    for year in sorted({int(y) for y in years[far & ok_shape.to_numpy()]}):
        hit = far & ok_shape.to_numpy() & (years == year)
        _add_reason(reasons, hit, year_message(column, year, earliest, latest))
    return times.where(~far)


def _add_reason(reasons: pd.Series, mask: pd.Series | np.ndarray, text: str) -> None:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    current = reasons[mask]
    reasons[mask] = np.where(current == "", text, current + "; " + text)


def _fall_back_is_dst(
    naive: pd.Series, wall: pd.Series, rid: pd.Series, ambiguous: pd.Series
) -> tuple[np.ndarray, pd.Series]:
    """Decide summer (True) or standard time for rows in a repeated hour.

    Returns the boolean array for ``tz_localize(ambiguous=...)`` and a note per
    row (empty where the time was not ambiguous). See the module docstring.
    """
    is_dst = np.ones(len(naive), dtype=bool)
    notes = pd.Series("", index=naive.index, dtype=object)
    if not ambiguous.any():
        return is_dst, notes
    position = pd.Series(np.arange(len(naive)), index=naive.index)
    for night in naive[ambiguous].dt.normalize().unique():
        same_night = (wall >= night) & (wall < night + pd.Timedelta(hours=4))
        same_night |= ambiguous & (naive.dt.normalize() == night)
        order = rid[same_night].sort_values(kind="stable").index
        clock = wall[order].fillna(naive[order])
        back = clock < clock.cummax().shift(1, fill_value=clock.iloc[0]) - _JITTER
        wrapped = back.cummax()
        seen_wrap = bool(wrapped.any())
        for idx in order[ambiguous[order].to_numpy()]:
            if wrapped[idx]:
                is_dst[position[idx]] = False
                notes[idx] = "repeated DST hour: second occurrence (clock went back in rid order)"
            elif seen_wrap:
                notes[idx] = "repeated DST hour: first occurrence (before the clock went back)"
            else:
                notes[idx] = (
                    "repeated DST hour: first occurrence assumed (no evidence in rid order)"
                )
    return is_dst, notes


_NUL = "\x00"
_SPACE = re.compile(r"\s")


def _joined(values: list[object]) -> str | None:
    """The values joined by NUL characters; None when one of them is not a ``str``."""
    try:
        return _NUL.join(values)  # type: ignore[arg-type]
    except TypeError:
        return None


def _strip(column: pd.Series) -> pd.Series:
    r"""``column.str.strip()`` for a column of Python strings, in one list pass (faster).

    When no value holds white space at all (one regular-expression scan of the values
    joined by NUL; ``\s`` is exactly the set ``str.strip`` removes), the column is
    returned as it is, as a Series of the same strings.
    """
    values = column.tolist()
    joined = _joined(values)
    if joined is not None and _SPACE.search(joined) is None:
        return pd.Series(values, index=column.index, dtype=object)
    return pd.Series([v.strip() for v in values], index=column.index, dtype=object)


def _fixed_digits(values: list[object], template: str) -> np.ndarray | None:
    """The bytes of fixed-width ASCII values minus 48, as an ``(n, width)`` matrix, if all fit.

    ``template`` has a ``9`` where a value must hold an ASCII digit and the character
    itself elsewhere (``"99.99.9999"``; no NUL, no white space). Every value must have
    exactly that form, else None. The check is exact and vectorised: the values are
    joined by NUL and encoded as ASCII (a non-ASCII value fails), the total length must
    be ``n * (width + 1) - 1`` and every ``width + 1``-th byte a NUL, while the template
    allows no NUL elsewhere (so each value is exactly ``width`` characters); then every
    byte is compared with the range its template position allows.
    """
    joined = _joined(values)
    n, width = len(values), len(template)
    if not n or joined is None or len(joined) != n * (width + 1) - 1:
        return None
    try:
        raw = (joined + _NUL).encode("ascii")
    except UnicodeEncodeError:
        return None
    codes = np.frombuffer(raw, dtype=np.uint8).reshape(n, width + 1)
    allowed = [(48, 57) if c == "9" else (ord(c), ord(c)) for c in [*template, _NUL]]
    low = np.array([lo for lo, _ in allowed], dtype=np.uint8)
    high = np.array([hi for _, hi in allowed], dtype=np.uint8)
    if not ((codes >= low) & (codes <= high)).all():
        return None
    return codes[:, :width].astype(np.int64) - 48


def _digit_column(column: pd.Series) -> tuple[pd.Series, bool] | None:
    """``_to_number(_strip(column))`` when every value is 1 to 18 ASCII digits, else None.

    Returned with a flag: True when every value is the decimal form of its number
    (no leading zero), so that ``str(number)`` is the value itself.

    Such values have no white space to strip, none is empty, and each is exactly the
    int64 that ``to_numeric`` gives. Checked and converted with numpy on the bytes of
    the values joined by NUL (hand-written: numpy's and pandas' string-to-int
    conversions go through one Python string at a time): the join must encode as
    ASCII, hold exactly ``n - 1`` NULs (so no value holds one), digits elsewhere, and
    1 to 18 bytes between NULs; each number is the sum of its digits times powers of
    ten (below 10**18, so int64 is exact).
    """
    values = column.tolist()
    joined = _joined(values)
    if not values or joined is None:
        return None
    try:
        raw = joined.encode("ascii")
    except UnicodeEncodeError:
        return None
    codes = np.frombuffer(raw, dtype=np.uint8)
    cuts = np.flatnonzero(codes == 0)
    if len(cuts) != len(values) - 1:
        return None
    digits = codes.astype(np.int64) - 48
    digits[cuts] = 0
    if ((digits < 0) | (digits > 9)).any():
        return None
    ends = np.append(cuts, len(codes))  # one past each value's last byte
    starts = np.concatenate(([0], cuts + 1))
    lengths = ends - starts
    if (lengths < 1).any() or (lengths > 18).any():
        return None
    power = np.repeat(ends, np.append(lengths[:1], np.diff(ends))) - 1 - np.arange(len(codes))
    power[cuts] = 0
    numbers = np.add.reduceat(digits * (10 ** np.minimum(power, 17)), starts)
    canonical = not ((codes[starts] == 48) & (lengths > 1)).any()
    return pd.Series(numbers.astype(np.int64), index=column.index), canonical


def _alert_ids(text: pd.Series, canonical: bool, rid: pd.Series, keep: np.ndarray) -> list[str]:
    """``("oref-" + rid.astype(str)).tolist()`` of the kept rows: the same text, faster.

    When every ``text`` value is the decimal form of its rid (``canonical``, from
    :func:`_digit_column`: digits, no leading zero, no NUL), the ids are the texts with
    the prefix, made by one join and one split in C; else one f-string per rid.
    """
    if canonical:
        joined = _NUL.join(text.tolist())
        ids = ("oref-" + joined.replace(_NUL, _NUL + "oref-")).split(_NUL)
        return ids if keep.all() else np.asarray(ids, dtype=object)[keep].tolist()
    return [f"oref-{v}" for v in rid.tolist()]


def _to_number(text: pd.Series) -> pd.Series:
    """``pandas.to_numeric(text, errors="coerce")`` of stripped strings, faster when all are digits.

    A column of ASCII digit strings (1 to 18 digits, so within int64; checked by one
    regular-expression scan) converts exactly to the int64 values ``to_numeric`` gives;
    any other column goes to ``to_numeric``.
    """
    values = text.tolist()
    joined = _joined(values)
    if joined is not None and _DIGITS.fullmatch(joined) is not None:
        return pd.Series(np.array(values, dtype=np.int64), index=text.index)
    return pd.to_numeric(text, errors="coerce")


_DIGITS = re.compile(r"[0-9]{1,18}(?:\x00[0-9]{1,18})*")


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _compose_times(
    year: np.ndarray,
    month: np.ndarray,
    day: np.ndarray,
    seconds: np.ndarray,
    index: pd.Index,
    sample: Callable[[int], str],
    format: str,
) -> pd.Series | None:
    """Naive times from calendar fields in range (a day past its month's end is NaT).

    The resolution is the one pandas gives: ``sample(i)`` is the text of row ``i``, and
    the first row with a real date is parsed by pandas to learn it. None when no row
    has one (the caller then lets pandas parse the column).
    """
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    real = day <= _DAYS_IN_MONTH[month] + (leap & (month == 2))
    if not real.any():
        return None
    probe = pd.Series([sample(int(np.argmax(real)))], dtype=object)
    unit = np.datetime_data(pd.to_datetime(probe, format=format, errors="coerce").to_numpy().dtype)[
        0
    ]
    # days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil)
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    days = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    values = (days * 86_400 + seconds).astype("datetime64[s]")
    values = values.astype(f"datetime64[{unit}]")
    values[~real] = np.datetime64("NaT")
    return pd.Series(values, index=index)


def _fast_iso(column: pd.Series) -> pd.Series | None:
    """``pandas.to_datetime(column, format=_ALERT_FORMAT, errors="coerce")``, when certain.

    For a column whose every value is ``YYYY-MM-DDTHH:MM:SS`` in ASCII digits with the
    year 1900-2199 and every field in range, the times are built from the digits
    (numpy); a day past the month's end is NaT as with ``strptime``. Any other column
    returns None (and is parsed by pandas). Hand-written: pandas has no exact
    vectorised fixed-format parser that is this fast on object columns.
    """
    d = _fixed_digits(column.tolist(), "9999-99-99T99:99:99")
    if d is None:
        return None
    year = d[:, 0] * 1000 + d[:, 1] * 100 + d[:, 2] * 10 + d[:, 3]
    month, day = d[:, 5] * 10 + d[:, 6], d[:, 8] * 10 + d[:, 9]
    hour, minute = d[:, 11] * 10 + d[:, 12], d[:, 14] * 10 + d[:, 15]
    second = d[:, 17] * 10 + d[:, 18]
    if not _in_range(year, month, day, hour, minute, second):
        return None
    return _compose_times(
        year,
        month,
        day,
        hour * 3600 + minute * 60 + second,
        column.index,
        column.iloc.__getitem__,
        _ALERT_FORMAT,
    )


def _in_range(*fields: np.ndarray) -> bool:
    year, month, day, hour, minute, second = fields
    return bool(
        ((day >= 1) & (day <= 31) & (month >= 1) & (month <= 12)).all()
        and ((year >= 1900) & (year <= 2199)).all()
        and ((hour < 24) & (minute < 60) & (second < 60)).all()
    )


def _wall_times(date: pd.Series, time: pd.Series) -> pd.Series:
    """``date`` + ``time`` (``12.10.2024``, ``02:13:07``) parsed as naive times, NaT if not.

    Exactly ``pandas.to_datetime(..., format=_WALL_FORMAT, errors="coerce")`` of the
    stripped strings. When every ``date`` is ``dd.mm.yyyy`` and every ``time``
    ``HH:MM:SS`` in ASCII digits (no white space, so stripping changes nothing), with the
    year 1900-2199 and every field in range, the times are built from the digits by
    numpy (:func:`_compose_times`; a day past the month's end is NaT, as with
    ``strptime``). Else, when the stripped strings have that form, they are rearranged
    into ISO order, which pandas parses several times faster; otherwise ``strptime``
    parses them.
    """
    dates = _fixed_digits(date.tolist(), "99.99.9999")
    clock = _fixed_digits(time.tolist(), "99:99:99") if len(date) else None
    if dates is not None and clock is not None:  # no white space: strip changes nothing
        day, month = dates[:, 0] * 10 + dates[:, 1], dates[:, 3] * 10 + dates[:, 4]
        year = dates[:, 6] * 1000 + dates[:, 7] * 100 + dates[:, 8] * 10 + dates[:, 9]
        hour, minute = clock[:, 0] * 10 + clock[:, 1], clock[:, 3] * 10 + clock[:, 4]
        second = clock[:, 6] * 10 + clock[:, 7]
        if _in_range(year, month, day, hour, minute, second):
            built = _compose_times(
                year,
                month,
                day,
                hour * 3600 + minute * 60 + second,
                date.index,
                lambda i: f"{date.iloc[i]} {time.iloc[i]}",
                _WALL_FORMAT,
            )
            if built is not None:
                return built
    text = [d.strip() + " " + t.strip() for d, t in zip(date.tolist(), time.tolist(), strict=True)]
    wall = pd.Series(text, index=date.index, dtype=object)
    if text and all(len(v) == 19 for v in text):
        codes = np.array(text, dtype="U19").view(np.uint32).reshape(len(text), 19)
        digit_at = [0, 1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 15, 17, 18]
        digits = codes[:, digit_at].astype(np.int64) - 48
        separators = codes[:, [2, 5, 10, 13, 16]]
        if ((digits >= 0) & (digits <= 9)).all() and (
            separators == np.array([ord(c) for c in ".. ::"], dtype=np.uint32)
        ).all():
            day, month = digits[:, 0] * 10 + digits[:, 1], digits[:, 2] * 10 + digits[:, 3]
            year = digits[:, 4:8] @ np.array([1000, 100, 10, 1])
            hour, minute = digits[:, 8] * 10 + digits[:, 9], digits[:, 10] * 10 + digits[:, 11]
            second = digits[:, 12] * 10 + digits[:, 13]
            if (
                ((day >= 1) & (day <= 31) & (month >= 1) & (month <= 12)).all()
                and ((year >= 1900) & (year <= 2199)).all()
                and ((hour < 24) & (minute < 60) & (second < 60)).all()
            ):
                iso = [f"{v[6:10]}-{v[3:5]}-{v[0:2]}T{v[11:]}" for v in text]
                return pd.to_datetime(
                    pd.Series(iso, index=date.index, dtype=object),
                    format="%Y-%m-%dT%H:%M:%S",
                    errors="coerce",
                )
    return pd.to_datetime(wall, format=_WALL_FORMAT, errors="coerce")


def _parse(frame: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Validate and convert the source columns; add canonical columns."""
    ok_shape = reasons == ""
    # a column of digit strings converts directly, and then no value is missing or fractional
    rid_digits = _digit_column(frame["rid"])
    canonical = rid_digits is not None and rid_digits[1]
    if rid_digits is not None:
        rid = rid_digits[0]
    else:
        rid = _to_number(_strip(frame["rid"]))
        bad_rid = rid.isna() | (rid != rid.round())
        _add_reason(reasons, ok_shape & bad_rid, "rid missing or not an integer")

    category_digits = _digit_column(frame["category"])
    if category_digits is not None:
        category = category_digits[0]
    else:
        cat_text = _strip(frame["category"])
        category = _to_number(cat_text)
        _add_reason(reasons, ok_shape & (cat_text == ""), "missing category")
        bad_cat = (cat_text != "") & (category.isna() | (category != category.round()))
        _add_reason(reasons, ok_shape & bad_cat, "category not an integer")
    matrix_digits = _digit_column(frame["matrix_id"])
    if matrix_digits is not None:
        matrix = matrix_digits[0]
    else:
        matrix_text = _strip(frame["matrix_id"])
        matrix = _to_number(matrix_text)
        bad_matrix = (matrix_text != "") & (matrix.isna() | (matrix != matrix.round()))
        _add_reason(reasons, ok_shape & bad_matrix, "matrix_id not an integer")

    naive = _fast_iso(frame["alertDate"])
    if naive is None:
        naive = pd.to_datetime(_strip(frame["alertDate"]), format=_ALERT_FORMAT, errors="coerce")
    _add_reason(
        reasons, ok_shape & naive.isna(), "unparseable alertDate (expected 2024-10-12T02:13:00)"
    )
    wall = _wall_times(frame["date"], frame["time"])
    _add_reason(
        reasons, ok_shape & wall.isna(), "unparseable date/time (expected 12.10.2024, 02:13:07)"
    )
    naive = _reject_far_years(naive, "alertDate", reasons, ok_shape)
    wall = _reject_far_years(wall, "date", reasons, ok_shape)

    # daylight saving time (see the module docstring)
    strict = naive.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT")
    as_summer = naive.dt.tz_localize(
        TIMEZONE, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="NaT"
    )
    nonexistent = naive.notna() & as_summer.isna()
    ambiguous = naive.notna() & strict.isna() & ~nonexistent
    wall_ok = wall.dt.tz_localize(TIMEZONE, ambiguous="NaT", nonexistent="NaT").notna()
    wall_in_gap = nonexistent & wall.notna() & ~wall_ok
    _add_reason(
        reasons,
        ok_shape & wall_in_gap,
        "nonexistent local time (in the spring-forward daylight-saving gap)",
    )
    is_dst, notes = _fall_back_is_dst(naive, wall, rid, ambiguous)
    notes[nonexistent & ~wall_in_gap] = (
        "alertDate rounded into the spring-forward gap; moved to the first minute after it"
    )

    valid = reasons == ""
    dup = valid & rid.where(valid).duplicated(keep="first") & rid.notna()
    if dup.any():
        kept = valid & ~dup
        first_line = frame.loc[kept, "line"].groupby(rid[kept]).first()
        where = rid[dup].map(first_line).astype("Int64").astype(str)
        reasons[dup] = "duplicate rid (first at line " + where + ")"

    keep = (reasons == "").to_numpy()
    table = frame.copy(deep=False) if keep.all() else frame.loc[keep].copy()
    table["category"] = category[keep].astype("int64")
    table["matrix_id"] = matrix[keep].astype("Int64")
    table["rid"] = rid[keep].astype("int64")
    start = naive[keep].dt.tz_localize(
        TIMEZONE, ambiguous=is_dst[keep], nonexistent="shift_forward"
    )
    table["incident_id"] = pd.Series(
        _alert_ids(frame["rid"], canonical, table["rid"], keep), index=table.index, dtype="str"
    )
    table["start"] = start
    table["time_precision"] = "minute"
    table["weapon"] = weapon_for_category(table["category"], table["category_desc"])
    table["unit"] = "alert"
    table["quantity"] = np.int64(1)
    table["source_name"] = SOURCE_NAME
    table["source_url"] = SOURCE_URL
    table["notes"] = notes[keep]
    for column in ("data", "date", "time", "alertDate", "category_desc", "notes"):
        table[column] = table[column].astype(str)
    return table.reset_index(drop=True)


@overload
def load_oref_alerts(
    path: str | Path | None = ..., *, return_rejects: Literal[False] = ...
) -> pd.DataFrame: ...
@overload
def load_oref_alerts(
    path: str | Path | None = ..., *, return_rejects: Literal[True]
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_oref_alerts(
    path: str | Path | None = None, *, return_rejects: bool = False
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Load the Home Front Command alert history as a canonical alert table.

    Parameters
    ----------
    path : str or Path, optional
        The ``israel-alerts.csv`` file. By default the registered data set
        ``oref_alerts``: the shared copy, else the user's download cache
        (``incident-trends data fetch oref``).
    return_rejects : bool
        Also return the rejected rows. Without it, rejected rows are reported
        by a :class:`RejectedRowsWarning` with their count and reasons.

    Returns
    -------
    table : pandas.DataFrame
        One row per accepted alert, in file order: ``line`` (1-based line in
        the file, header = 1), the source columns (``category``,
        ``matrix_id`` and ``rid`` as integers, the others as read), and the
        canonical columns ``incident_id`` (``"oref-<rid>"``), ``start``
        (tz-aware ``Asia/Jerusalem``, minute resolution), ``time_precision``
        (``"minute"``), ``weapon`` (see :func:`weapon_for_category`),
        ``unit`` (``"alert"``), ``quantity`` (1 alert), ``source_name``,
        ``source_url`` and ``notes`` (daylight-saving decisions, else empty).
    rejects : pandas.DataFrame
        Only with ``return_rejects=True``: ``line``, the source columns as
        read, and ``reason``. ``len(table) + len(rejects)`` equals the number
        of data rows in the file (blank lines are not rows).

    Raises
    ------
    DataError
        The file is not UTF-8, is empty, lacks a required column, or (without
        ``return_rejects``) no row at all could be read; the message names the
        file, line and column. With ``return_rejects=True`` a file whose rows
        are all rejected gives an empty table and the rejects.
    DataNotFoundError
        No path given and the data set is neither shared nor downloaded.

    Notes
    -----
    Rejected: an unparseable ``alertDate`` or ``date``/``time``, a year
    outside :func:`plausible_years` (2000 to next year), a missing or
    non-integer ``category`` or ``rid``, a non-integer ``matrix_id`` (an empty
    one is kept as ``<NA>``), a row with the wrong number of fields or an
    unbalanced double quote (the rows after it are read as usual),
    a local time inside the spring-forward gap, and a repeated ``rid`` (the
    first row is kept). Daylight-saving rules are in the module docstring.

    Examples
    --------
    >>> import tempfile, os
    >>> text = (
    ...     "data,date,time,alertDate,category,category_desc,matrix_id,rid\n"
    ...     "שדרות,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,101\n"
    ...     "מטולה,08.10.2023,12:00:10,2023-10-08T12:00:00,2,חדירת כלי טיס עוין,6,102\n"
    ... )  # synthetic rows, for illustration
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "alerts.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(text)
    ...     table, rejects = load_oref_alerts(p, return_rejects=True)
    >>> table[["incident_id", "weapon"]].to_dict("list")
    {'incident_id': ['oref-101', 'oref-102'], 'weapon': ['rocket', 'drone']}
    >>> str(table["start"].iloc[0])
    '2023-10-07 06:30:00+03:00'
    >>> len(rejects)
    0
    """
    file = Path(path).expanduser() if path is not None else dataset_path("oref_alerts")
    fast = _fast_frame(file)
    if fast is not None:
        frame, reasons = fast
    else:
        header, records, lines, broken = _read_records(file)
        frame, reasons = _to_frame(file, header, records, lines, broken)
    table = _parse(frame, reasons)
    rejected = (reasons != "").to_numpy()
    rejects = frame.loc[rejected].copy()
    rejects["reason"] = reasons[rejected]
    rejects = rejects.reset_index(drop=True)
    if len(rejects) and len(table) == 0 and not return_rejects:
        problems = [
            Problem(str(file), int(line), None, None, str(reason))
            for line, reason in zip(
                rejects["line"].tolist(), rejects["reason"].tolist(), strict=True
            )
        ]
        raise DataError(problems, header=f"no usable row in {file}")
    if return_rejects:
        return table, rejects
    if len(rejects):
        counts = rejects["reason"].value_counts()
        detail = "; ".join(f"{n} x {reason}" for reason, n in counts.items())
        warnings.warn(
            f"{len(rejects)} of {len(table) + len(rejects)} rows of {file} rejected ({detail}); "
            "pass return_rejects=True to get them",
            RejectedRowsWarning,
            stacklevel=2,
        )
    return table


@dataclass(frozen=True)
class OrefLocalities:
    """The locality lookup tables used to match alert names.

    Attributes
    ----------
    localities : pandas.DataFrame
        ``oref_localities_merged.csv``: ``name, name_en, area_he, area_en,
        countdown_s, lat, lng, oref_id, in_primary, ...`` (``in_primary`` 0 for
        names later dropped or renamed).
    aliases : pandas.DataFrame
        ``alert_name, table_name, note``: hand-made spelling aliases.
    old_zones : pandas.DataFrame
        ``code, zone_he, zone_aliases, modern_area_majority, lat_mean,
        lng_mean, ...``: numbered zones used 2014-2019.
    paths : dict of str to Path
        Where each table was read from.
    """

    localities: pd.DataFrame
    aliases: pd.DataFrame
    old_zones: pd.DataFrame
    paths: dict[str, Path] = field(default_factory=dict)


_LOCALITY_COLUMNS = ("name", "name_en", "area_he", "area_en", "lat", "lng", "in_primary")
_ALIAS_COLUMNS = ("alert_name", "table_name")
_ZONE_COLUMNS = ("code", "zone_he", "zone_aliases", "modern_area_majority", "lat_mean", "lng_mean")


_LOOKUPS: dict[tuple[str, int, int, tuple[str, ...]], pd.DataFrame] = {}


def _read_lookup(
    path: Path, required: tuple[str, ...], text_columns: tuple[str, ...]
) -> pd.DataFrame:
    """Read a lookup table; a file read before (same path, size and mtime) is not read again.

    The caller gets a copy, so changing it never changes what the next call returns.
    """
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, text_columns)
    if key not in _LOOKUPS:
        frame = _read_lookup_file(path, required, text_columns)
        if len(_LOOKUPS) > 16:
            _LOOKUPS.clear()
        _LOOKUPS[key] = frame
    return _LOOKUPS[key].copy()


def _read_lookup_file(
    path: Path, required: tuple[str, ...], text_columns: tuple[str, ...]
) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=dict.fromkeys(text_columns, str), encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(
            Problem(str(path), None, None, None, f"not UTF-8: {exc}"),
            header=f"cannot read {path}",
        ) from None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(str(path), 1, c, None, "required column is missing") for c in missing],
            header=f"{path} is not the expected locality table",
        )
    return frame


def _read_cities_json(path: Path) -> pd.DataFrame:
    """The eladnava ``cities.json`` list as a locality table (current names only)."""
    import json

    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        frame = pd.DataFrame(items)
        frame = frame[frame.get("value", pd.Series("", index=frame.index)) != "all"]
        out = pd.DataFrame(
            {
                "name": frame["name"].astype(str),
                "name_en": frame["name_en"],
                "area_he": frame["zone"].replace("", None),
                "area_en": frame["zone_en"].replace("", None),
                "countdown_s": frame["countdown"],
                "lat": pd.to_numeric(frame["lat"], errors="coerce").replace(0, np.nan),
                "lng": pd.to_numeric(frame["lng"], errors="coerce").replace(0, np.nan),
                "oref_id": frame["id"],
                "in_primary": 1,
            }
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(
            Problem(str(path), None, None, None, f"not a cities.json locality list: {exc}"),
            header=f"cannot read {path}",
        ) from None
    return out.reset_index(drop=True)


def _optional(name: str, path: str | Path | None) -> Path | None:
    if path:
        return Path(path)
    try:
        return dataset_path(name)
    except DataNotFoundError:
        return None


def _locality_path(localities: str | Path | None) -> Path:
    """The locality table to read: the one given, the merged table, or ``cities.json``."""
    loc_path = _optional("oref_localities", localities)
    if loc_path is None:
        cities = dataset_path("oref_cities", must_exist=False)
        if not cities.is_file():
            raise DataNotFoundError(
                "no locality table: neither the merged table (oref_localities) nor a downloaded "
                f"cities.json ({cities}); get the current list with: "
                "incident-trends data fetch oref-cities"
            )
        loc_path = cities
    return loc_path


def default_locality_paths() -> dict[str, Path | None]:
    """The files :func:`load_oref_localities` reads by default, without reading them.

    Returns ``{"localities": ..., "aliases": ..., "old_zones": ...}`` (None for a table
    that is not available), as ``OrefLocalities.paths`` names them; lets a caller keep
    what it built from the default tables until one of these files changes.

    Raises
    ------
    DataNotFoundError
        No locality table is available.

    Examples
    --------
    >>> sorted(default_locality_paths())  # doctest: +SKIP
    ['aliases', 'localities', 'old_zones']
    """
    return {
        "localities": _locality_path(None),
        "aliases": _optional("oref_name_aliases", None),
        "old_zones": _optional("oref_old_zones", None),
    }


def load_oref_localities(
    localities: str | Path | None = None,
    aliases: str | Path | None = None,
    old_zones: str | Path | None = None,
) -> OrefLocalities:
    """Load the locality tables that map alert names to areas and coordinates.

    Parameters
    ----------
    localities, aliases, old_zones : str or Path, optional
        The three files; by default the registered data sets
        ``oref_localities``, ``oref_name_aliases`` and ``oref_old_zones``
        (shared copy first, then the download cache). ``localities`` may also
        be an eladnava ``cities.json`` list; when the merged table is not
        available, the downloaded ``cities.json`` (``incident-trends data
        fetch oref-cities``) is used instead.

    Returns
    -------
    OrefLocalities
        The three tables and where they came from. A missing alias or zone
        table is replaced by an empty one, with an :class:`IncompleteLocalitiesWarning`
        saying which names cannot match (the pre-2019 numbered zones).

    Raises
    ------
    DataNotFoundError
        No locality table is given or available.
    DataError
        A table lacks a required column or is not UTF-8.

    Examples
    --------
    >>> tables = load_oref_localities()  # doctest: +SKIP
    >>> tables.localities[["name", "area_en"]].head(1)  # doctest: +SKIP
    """
    loc_path = _locality_path(localities)
    if loc_path.suffix.lower() == ".json":
        loc = _read_cities_json(loc_path)
    else:
        loc = _read_lookup(loc_path, _LOCALITY_COLUMNS, ("name", "name_en", "area_he", "area_en"))
        loc["in_primary"] = pd.to_numeric(loc["in_primary"], errors="coerce").fillna(0).astype(int)
    paths = {"localities": loc_path}

    ali_path = _optional("oref_name_aliases", aliases)
    zone_path = _optional("oref_old_zones", old_zones)
    missing = []
    if ali_path is None:
        ali = pd.DataFrame({c: pd.Series(dtype=object) for c in _ALIAS_COLUMNS})
        missing.append("spelling aliases")
    else:
        ali = _read_lookup(ali_path, _ALIAS_COLUMNS, ("alert_name", "table_name"))
        paths["aliases"] = ali_path
    if zone_path is None:
        zones = pd.DataFrame({c: pd.Series(dtype=object) for c in _ZONE_COLUMNS})
        zones["code"] = zones["code"].astype("int64")
        missing.append("old numbered zones (names used before 2019 will not match)")
    else:
        zones = _read_lookup(
            zone_path, _ZONE_COLUMNS, ("zone_he", "zone_aliases", "modern_area_majority")
        )
        paths["old_zones"] = zone_path
    if missing:
        warnings.warn(
            "locality tables not available: " + "; ".join(missing),
            IncompleteLocalitiesWarning,
            stacklevel=2,
        )
    return OrefLocalities(localities=loc, aliases=ali, old_zones=zones, paths=paths)
