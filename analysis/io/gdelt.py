"""GDELT event files, versions 1.0 and 2.0 (tab-separated, no header).

A GDELT 1.0 events file has 57 fields per line (the historical back files)
or 58 (daily files since April 2013, which add ``SOURCEURL``); a GDELT 2.0
events file has 61 (``Actor*Geo_ADM2Code`` added, ``DATEADDED`` to the
second). :func:`load_gdelt` detects the version from the field counts,
rejects every line with another count, and reads the rest into the
canonical incident table (``ARCHITECTURE.md``), keeping every source field
under its codebook name. A ``.zip`` holding one events file is read as it
is.

GDELT records are machine-coded from news reports: one row is one coded
event (several rows may describe one real incident).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from analysis.errors import DataError, Problem
from analysis.io._events import (
    Reasons,
    duplicates,
    finish,
    parse_counts,
    parse_numbers,
    read_bytes,
    text_column,
)

__all__ = ["GDELT1_COLUMNS", "GDELT2_COLUMNS", "load_gdelt"]

_ACTOR = (
    "Code",
    "Name",
    "CountryCode",
    "KnownGroupCode",
    "EthnicCode",
    "Religion1Code",
    "Religion2Code",
    "Type1Code",
    "Type2Code",
    "Type3Code",
)
_EVENT = (
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
)


def _geo(prefix: str, adm2: bool) -> tuple[str, ...]:
    names = ["Type", "FullName", "CountryCode", "ADM1Code"]
    names += ["ADM2Code"] if adm2 else []
    names += ["Lat", "Long", "FeatureID"]
    return tuple(f"{prefix}Geo_{n}" for n in names)


def _columns(adm2: bool) -> tuple[str, ...]:
    head = ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate")
    actors = tuple(f"Actor1{n}" for n in _ACTOR) + tuple(f"Actor2{n}" for n in _ACTOR)
    geos = _geo("Actor1", adm2) + _geo("Actor2", adm2) + _geo("Action", adm2)
    return (*head, *actors, *_EVENT, *geos, "DATEADDED", "SOURCEURL")


GDELT1_COLUMNS: tuple[str, ...] = _columns(adm2=False)
"""The 58 fields of a GDELT 1.0 events line (the 57-field back files lack ``SOURCEURL``)."""
GDELT2_COLUMNS: tuple[str, ...] = _columns(adm2=True)
"""The 61 fields of a GDELT 2.0 events line."""

_VERSIONS: dict[int, str] = {57: "1.0", 58: "1.0", 61: "2.0"}
"""Field count -> GDELT version."""
_COUNTS = ("NumMentions", "NumSources", "NumArticles")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)


@overload
def load_gdelt(
    path: str | Path,
    *,
    version: Literal["auto", "1.0", "2.0"] = ...,
    return_rejects: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_gdelt(
    path: str | Path,
    *,
    version: Literal["auto", "1.0", "2.0"] = ...,
    return_rejects: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_gdelt(
    path: str | Path,
    *,
    version: Literal["auto", "1.0", "2.0"] = "auto",
    return_rejects: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Load a GDELT 1.0 or 2.0 events file as a canonical incident table.

    Parameters
    ----------
    path : str or Path
        The events file (``*.export.CSV``, tab-separated, UTF-8, no header),
        or a ``.zip`` holding exactly one such file.
    version : {"auto", "1.0", "2.0"}
        ``"auto"`` (default): the version of the file's most common field
        count among 57, 58 (1.0) and 61 (2.0); the first such line breaks a
        tie. Give it to insist on one version.
    return_rejects : bool
        Also return the rejected lines (else a
        :class:`~analysis.io.oref.RejectedRowsWarning` reports them).

    Returns
    -------
    table : pandas.DataFrame
        One row per event line, in file order: ``row`` (the line number),
        the source fields under their codebook names (``GLOBALEVENTID``,
        ``NumMentions``, ``NumSources``, ``NumArticles``, ``IsRootEvent``,
        ``QuadClass`` ``int64``; ``GoldsteinScale``, ``AvgTone`` and the
        coordinates ``float64``; ``SQLDATE`` as read; the rest text), an
        added ``gdelt_version`` ("1.0" or "2.0"), ``country`` (the
        ``ActionGeo_CountryCode``, a FIPS 10-4 code) and ``event_type`` (the
        CAMEO ``EventCode``), and the canonical columns: ``incident_id``
        (``"gdelt-<GLOBALEVENTID>"``), ``start`` (``SQLDATE``, a day),
        ``time_precision`` (``"day"``), ``actor`` (``Actor1Name``),
        ``origin`` (``Actor1CountryCode``), ``target`` (``Actor2Name``: CAMEO
        codes Actor1 acting on Actor2), ``weapon`` (``"unknown"``),
        ``quantity`` (1 coded event), ``unit`` (``"incident"``),
        ``source_name`` ("GDELT 1.0 events" / "GDELT 2.0 events"),
        ``source_url`` (the line's ``SOURCEURL`` when it is a web address),
        ``source_ref`` (``"GLOBALEVENTID <id>"``, plus ``SOURCEURL`` when it
        is not an address), ``notes`` (empty).
    rejects : pandas.DataFrame
        Only with ``return_rejects=True``: ``file, row, column, reason`` and
        the line as read (``raw``); ``len(table) + len(rejects)`` is the
        number of non-blank lines (a first line of column names, if any, is
        not a record).

    Raises
    ------
    DataError
        The file is empty, no line has 57, 58 or 61 tab-separated fields
        (not a GDELT events file: the message says which delimiter it seems
        to use), or (without ``return_rejects``) no line is usable.
    DataNotFoundError
        The file does not exist.
    ValueError
        ``version`` is not one of the choices.

    Notes
    -----
    Rejected lines: the wrong number of fields; bytes that are not UTF-8;
    an empty or non-numeric or repeated ``GLOBALEVENTID``; a ``SQLDATE``
    that is not a real ``YYYYMMDD`` date in 1900-2100; ``NumMentions``,
    ``NumSources`` or ``NumArticles`` that is not a whole number >= 0;
    ``GoldsteinScale``, ``AvgTone`` or a coordinate that is not a number.

    Examples
    --------
    >>> import tempfile, os
    >>> def line(i, day):  # SIMULATED values, not GDELT data
    ...     v = dict.fromkeys(GDELT2_COLUMNS, "")
    ...     v.update(GLOBALEVENTID=str(i), SQLDATE=day, Actor1Name="TEST ACTOR A",
    ...         EventCode="190", NumMentions="2", NumSources="1", NumArticles="2",
    ...         SOURCEURL="https://example.org/simulated")
    ...     return "\t".join(v[c] for c in GDELT2_COLUMNS)
    >>> text = "\n".join([line(1, "20241104"), line(2, "20241105"), "1\t2\t3"]) + "\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "events.tsv")
    ...     _ = open(p, "w", encoding="utf-8").write(text)
    ...     table, rejects = load_gdelt(p, return_rejects=True)
    >>> table[["incident_id", "gdelt_version"]].to_dict("list")
    {'incident_id': ['gdelt-1', 'gdelt-2'], 'gdelt_version': ['2.0', '2.0']}
    >>> rejects["reason"].iloc[0]
    'expected 61 tab-separated fields (GDELT 2.0), found 3'
    """
    if version not in ("auto", "1.0", "2.0"):
        raise ValueError(f"version must be 'auto', '1.0' or '2.0', not {version!r}")
    file, data = read_bytes(path, "a GDELT events file")
    name = str(file)
    data = _unzipped(data, name)
    if not data.strip():
        raise DataError(
            Problem(name, None, None, None, "the file is empty"), header=f"cannot read {name}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise DataError(
            Problem(
                name,
                None,
                None,
                None,
                "not UTF-8 text: the file looks like UTF-16 (or is not text); GDELT files are "
                "UTF-8, re-save it as UTF-8",
            ),
            header=f"cannot read {name}",
        )
    lines = re.split(rb"\r\n|\n|\r", data)
    if lines and lines[-1] == b"":
        lines.pop()
    records: list[tuple[int, list[str], str]] = []  # line, fields, reason
    bad_field: dict[int, int] = {}  # line -> field holding a byte that is not UTF-8
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            shown = raw.decode("utf-8", errors="replace")
            bad_field[number] = raw[: exc.start].count(b"\t")
            records.append(
                (
                    number,
                    shown.split("\t"),
                    f"not UTF-8: byte 0x{raw[exc.start : exc.start + 1].hex().upper()} at "
                    f"column {exc.start + 1}; re-save the file as UTF-8",
                )
            )
            continue
        if number == 1 and text.lstrip("\ufeff").startswith("GLOBALEVENTID"):
            continue  # a line of column names is not a record
        records.append((number, text.lstrip("\ufeff").split("\t"), ""))
    counts = [len(f) for _, f, _ in records]
    width = _width(counts, version, name, records)
    label = _VERSIONS[width]
    columns = GDELT1_COLUMNS if label == "1.0" else GDELT2_COLUMNS
    allowed = {57, 58} if label == "1.0" else {61}

    good = [(n, f, why) for n, f, why in records if len(f) in allowed and not why]
    bad = [(n, f, why) for n, f, why in records if not (len(f) in allowed and not why)]
    index = pd.Index([n for n, _, _ in good], dtype="int64", name="row")
    cells = {c: [f[i] if i < len(f) else "" for _, f, _ in good] for i, c in enumerate(columns)}
    read = pd.DataFrame(cells, index=index, dtype=object)  # a 57-field line has no SOURCEURL
    read = read.apply(lambda s: s.str.strip().where(s.str.strip() != "", None))
    malformed = pd.DataFrame(
        {
            "row": [n for n, _, _ in bad],
            "raw": ["\t".join(f) for _, f, _ in bad],
            "reason": [
                why
                or f"expected {'57 or 58' if label == '1.0' else '61'} tab-separated fields "
                f"(GDELT {label}), found {len(f)}"
                for _, f, why in bad
            ],
        }
    )
    malformed["column"] = [_bad_column(n, f, bad_field, columns, allowed) for n, f, _ in bad]
    reasons = Reasons(read.index)
    frame = read.copy()

    ids = read["GLOBALEVENTID"]
    numeric_id = ids.astype("string").str.fullmatch(r"\d+").fillna(False).to_numpy(dtype=bool)
    reasons.add(ids.isna().to_numpy(), "GLOBALEVENTID", "empty GLOBALEVENTID")
    reasons.add(
        ~numeric_id & ids.notna().to_numpy(),
        "GLOBALEVENTID",
        [f"not a whole number ({v})" for v in ids.astype(str).tolist()],
    )
    day_text = read["SQLDATE"].astype("string")
    day = pd.to_datetime(day_text, format="%Y%m%d", errors="coerce")
    exact = day_text.str.fullmatch(r"\d{8}").fillna(False).to_numpy(dtype=bool)
    day = day.where(exact)
    years = day.dt.year
    far = ((years < 1900) | (years > 2100)).fillna(False).to_numpy(dtype=bool)
    reasons.add(
        day.isna().to_numpy() | far,
        "SQLDATE",
        [f"not a YYYYMMDD date in 1900-2100 ({v})" for v in day_text.fillna("").tolist()],
    )
    day = day.where(~far)
    for column in _COUNTS:
        frame[column] = parse_counts(read[column], column=column, reasons=reasons)
    for column in ("IsRootEvent", "QuadClass"):
        numbers = parse_numbers(read[column], column=column, reasons=reasons)
        whole = numbers.isna() | (numbers == numbers.round())
        reasons.add(~whole.to_numpy(dtype=bool), column, "not a whole number")
        frame[column] = numbers.where(whole).round().astype("Int64")
    numeric = ["GoldsteinScale", "AvgTone", "FractionDate"]
    numeric += [c for c in columns if c.endswith(("_Lat", "_Long"))]
    for column in numeric:
        frame[column] = parse_numbers(read[column], column=column, reasons=reasons)
    id_numbers = pd.Series(
        [int(v) if ok else None for v, ok in zip(ids.tolist(), numeric_id, strict=True)],
        index=read.index,
        dtype="Int64",
    )
    duplicates(id_numbers, reasons.ok, "GLOBALEVENTID", reasons)
    ok = reasons.ok
    frame["GLOBALEVENTID"] = id_numbers
    frame.loc[ok, "GLOBALEVENTID"] = id_numbers[ok]
    for column in _COUNTS:
        frame[column] = frame[column].where(ok, 0).astype("int64")
    frame["GLOBALEVENTID"] = id_numbers.where(ok, 0).astype("int64")
    frame["gdelt_version"] = label
    frame["country"] = text_column(read["ActionGeo_CountryCode"])
    frame["event_type"] = text_column(read["EventCode"])
    url = text_column(read["SOURCEURL"])
    is_url = url.astype("string").str.fullmatch(_URL.pattern, case=False).fillna(False)
    ref = "GLOBALEVENTID " + ids.astype(str)
    ref = ref.where(is_url | url.isna(), ref + ", " + url.astype(str))
    canonical = {
        "incident_id": "gdelt-" + ids.astype(str),
        "start": day,
        "time_precision": "day",
        "actor": text_column(read["Actor1Name"]),
        "origin": text_column(read["Actor1CountryCode"]),
        "target": text_column(read["Actor2Name"]),
        "weapon": "unknown",
        "quantity": 1,
        "outcome": None,
        "unit": "incident",
        "source_name": f"GDELT {label} events",
        "source_url": url.where(is_url.to_numpy(dtype=bool), None),
        "source_ref": ref,
        "notes": None,
    }
    return finish(
        file=name,
        frame=frame,
        canonical=canonical,
        reasons=reasons,
        malformed=malformed,
        return_rejects=return_rejects,
        read=read,
        what=f"GDELT {label} events file",
    )


def _bad_column(
    line: int,
    fields: list[str],
    bad_field: dict[int, int],
    columns: tuple[str, ...],
    allowed: set[int],
) -> str:
    """The column a malformed line is reported at: the bad byte's, or where the line ends."""
    if line in bad_field:
        at = bad_field[line]
        return columns[at] if at < len(columns) else ""
    if len(fields) < min(allowed):
        return columns[len(fields)]  # the first field missing
    return columns[-1] if len(fields) > max(allowed) else ""


def _width(
    counts: list[int], version: str, file: str, records: list[tuple[int, list[str], str]]
) -> int:
    """The field count that decides the version (see :func:`load_gdelt`)."""
    if version == "1.0":
        return 58
    if version == "2.0":
        return 61
    tally = {w: counts.count(w) for w in (57, 58, 61)}
    best = max(tally.values()) if tally else 0
    if best == 0:
        first = records[0][1] if records else []
        joined = "\t".join(first)
        hint = ""
        for delim, label in ((",", "commas"), (";", "semicolons"), ("|", "vertical bars")):
            if joined.count(delim) >= 50:
                hint = f"; the lines seem to be separated by {label}, not tabs"
                break
        raise DataError(
            Problem(
                file,
                records[0][0] if records else None,
                None,
                None,
                "no line has 57, 58 (GDELT 1.0) or 61 (GDELT 2.0) tab-separated fields "
                f"(the first has {len(first)}){hint}: is this a GDELT events file?",
            ),
            header=f"cannot read {file} as a GDELT events file",
        )
    tied = [w for w in (57, 58, 61) if tally[w] == best]
    if len(tied) == 1:
        return tied[0]
    return next(c for c in counts if c in tied)


def _unzipped(data: bytes, file: str) -> bytes:
    if not data.startswith(b"PK\x03\x04"):
        return data
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise DataError(
                    Problem(file, None, None, None, f"the zip holds {len(members)} files, not 1"),
                    header=f"cannot read {file}",
                )
            return archive.read(members[0])
    except zipfile.BadZipFile as exc:
        raise DataError(
            Problem(file, None, None, None, f"a damaged zip file ({exc}): download it again"),
            header=f"cannot read {file}",
        ) from None
