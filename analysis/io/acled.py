"""ACLED CSV exports (Armed Conflict Location & Event Data).

An export has 31 columns: ``event_id_cnty, event_date, year,
time_precision, disorder_type, event_type, sub_event_type, actor1,
assoc_actor_1, inter1, actor2, assoc_actor_2, inter2, interaction,
civilian_targeting, iso, region, country, admin1, admin2, admin3, location,
latitude, longitude, geo_precision, source, source_scale, notes,
fatalities, tags, timestamp``. :func:`load_acled` reads it into the
canonical incident table (``ARCHITECTURE.md``), keeping every source column.

ACLED data may not be redistributed: the tests write their own tiny files
with invented values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, overload

import numpy as np
import pandas as pd

from analysis.io._events import (
    Reasons,
    duplicates,
    finish,
    parse_counts,
    parse_event_dates,
    parse_numbers,
    read_source_csv,
    shown,
    text_column,
)

__all__ = ["ACLED_COLUMNS", "ACLED_PRECISION", "REQUIRED_COLUMNS", "load_acled"]

ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
"""The 31 columns of an ACLED export, in export order."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "actor1",
    "country",
    "fatalities",
)
"""Columns without which a file is refused (``timestamp`` is used when present)."""

ACLED_PRECISION: dict[int, str] = {1: "day", 2: "week", 3: "month"}
"""ACLED ``time_precision`` code -> the word written in the canonical ``time_precision``."""

SOURCE_NAME = "ACLED (Armed Conflict Location & Event Data)"


@overload
def load_acled(
    path: str | Path,
    *,
    dayfirst: bool | None = ...,
    encoding: str = ...,
    return_rejects: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_acled(
    path: str | Path,
    *,
    dayfirst: bool | None = ...,
    encoding: str = ...,
    return_rejects: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_acled(
    path: str | Path,
    *,
    dayfirst: bool | None = None,
    encoding: str = "utf-8",
    return_rejects: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Load an ACLED CSV export as a canonical incident table.

    Parameters
    ----------
    path : str or Path
        The export (comma-separated, with the header row).
    dayfirst : bool, optional
        How to read numeric dates such as ``04/11/2024`` (some re-saved
        exports have them). ISO dates (``2024-11-04``) and dates with the
        month's name (``04 November 2024``) need no option. Without it a
        numeric date is read only when the file settles the order (a day
        above 12 somewhere, and no row contradicting it); otherwise its row
        is rejected as ambiguous.
    encoding : str
        The file's text encoding (default UTF-8: bytes that are not UTF-8
        reject their row, naming the byte).
    return_rejects : bool
        Also return the rejected rows. Without it, rejected rows are reported
        by a :class:`~analysis.io.oref.RejectedRowsWarning`.

    Returns
    -------
    table : pandas.DataFrame
        One row per ACLED event (the newest version of each
        ``event_id_cnty``), in file order: ``row`` (the file line, header =
        1), every source column (``fatalities`` ``int64``; ``year``,
        ``iso``, ``geo_precision`` and ``timestamp`` ``Int64``;
        ``latitude``/``longitude`` ``float64``; the rest, ``inter1``,
        ``inter2`` and ``interaction`` included, text as written), the ACLED precision code moved to
        ``acled_time_precision`` (1, 2, 3), and the canonical columns:
        ``incident_id`` (``"acled-<event_id_cnty>"``), ``start`` (the
        ``event_date`` as given, midnight, no time zone), ``time_precision``
        (``"day"``, ``"week"`` or ``"month"`` from the code 1/2/3),
        ``actor`` (``actor1``), ``target`` (empty: ACLED's ``actor1`` and
        ``actor2`` do not say who acted on whom), ``weapon`` (``"unknown"``:
        ACLED does not record it; its words are in ``sub_event_type`` and
        ``notes``, searched by
        :func:`~analysis.curation.filters.filter_incidents`), ``quantity``
        (1 event), ``unit`` (``"incident"``), ``source_name`` (ACLED),
        ``source_ref`` (``"event_id_cnty <id>, timestamp <t>"``),
        ``source_url`` (empty: ACLED gives no address per event; never an
        invented one) and ``notes`` (ACLED's own ``notes``).
    rejects : pandas.DataFrame
        Only with ``return_rejects=True``: ``file``, ``row``, ``column`` (the
        column(s) at fault), ``reason``, then the source columns as read
        (``raw`` for a record with the wrong number of fields).
        ``len(table) + len(rejects)`` is the number of data records read.

    Raises
    ------
    DataError
        The file is empty, not comma-separated, has a quote left open (a
        truncated file), lacks a required column (:data:`REQUIRED_COLUMNS`),
        or (without ``return_rejects``) has no usable row; every problem
        names the file, line and column.
    DataNotFoundError
        The file does not exist.

    Notes
    -----
    *Precision.* An event of week or month precision (``time_precision`` 2
    or 3) keeps the date ACLED gives, with ``time_precision`` ``"week"`` or
    ``"month"``; it is never moved to the first day of its period. ``week``
    is not yet a value of the curated schema's ``time_precision``.

    *Versions.* ACLED revises events in place: two rows with one
    ``event_id_cnty`` are two versions, and the one with the larger
    ``timestamp`` (last update, Unix seconds) is kept; the other is rejected
    with the reason "superseded by a newer version". Only usable versions
    compete: when the newest version is itself rejected (a negative
    ``fatalities``, say), the newest usable one is kept, so that the event is
    still counted, and the broken version is in the rejects. Two versions with the
    same (or no) ``timestamp`` cannot be told apart: the first is kept and
    the second rejected as a duplicate id.

    Rejected rows: an empty, unparseable or ambiguous ``event_date``, a
    year outside 1900-2100, a ``year`` that is not the year of
    ``event_date``, a ``time_precision`` other than 1, 2, 3, an empty
    ``event_id_cnty``, ``event_type`` or ``actor1``, ``fatalities`` that is
    not a whole number >= 0, a ``timestamp``, ``year``, ``iso`` or
    ``geo_precision`` that is not a whole number, a ``latitude`` or
    ``longitude`` that is not a number (a sign of a shifted row), and
    records with the wrong number of fields.

    Examples
    --------
    >>> import tempfile, os
    >>> header = ",".join(ACLED_COLUMNS)
    >>> def row(i, date, prec, ts):  # SIMULATED values, not ACLED data
    ...     values = dict.fromkeys(ACLED_COLUMNS, "")
    ...     values.update(event_id_cnty=f"TST{i}", event_date=date, year=date[-4:],
    ...         time_precision=prec, event_type="Explosions/Remote violence",
    ...         sub_event_type="Air/drone strike", actor1="Test actor A",
    ...         country="Testland", fatalities="0", timestamp=ts, notes="SIMULATED")
    ...     return ",".join(values[c] for c in ACLED_COLUMNS)
    >>> text = "\n".join([header, row(1, "04 November 2024", "1", "1730000000"),
    ...     row(2, "15 October 2024", "3", "1730000000"),
    ...     row(1, "04 November 2024", "1", "1730900000")]) + "\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "acled.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(text)
    ...     table, rejects = load_acled(p, return_rejects=True)
    >>> table[["incident_id", "time_precision", "row"]].to_dict("list")
    {'incident_id': ['acled-TST2', 'acled-TST1'], 'time_precision': ['month', 'day'], 'row': [3, 4]}
    >>> rejects[["row", "reason"]].to_dict("list")
    {'row': [2], 'reason': ['event_id_cnty: superseded by a newer version (row 4)']}
    """
    raw, reasons = read_source_csv(
        path,
        required=REQUIRED_COLUMNS,
        expected=ACLED_COLUMNS,
        what="an ACLED export",
        encoding=encoding,
    )
    read = raw.frame
    frame = read.copy()
    for column in ("event_id_cnty", "event_type", "actor1", "country"):
        empty = text_column(read[column]).isna().to_numpy()
        reasons.add(empty, column, f"empty {column}")
    dates = parse_event_dates(
        read["event_date"], column="event_date", reasons=reasons, dayfirst=dayfirst
    )
    code = parse_counts(
        read["time_precision"], column="time_precision", reasons=Reasons(read.index)
    )
    bad_code = ~code.isin(list(ACLED_PRECISION)).fillna(False).to_numpy(dtype=bool)
    reasons.add(
        bad_code,
        "time_precision",
        [f"not 1, 2 or 3 ({v})" for v in shown(read["time_precision"])],
    )
    fatalities = parse_counts(read["fatalities"], column="fatalities", reasons=reasons)
    ints: dict[str, pd.Series] = {}
    # inter1, inter2 and interaction stay text: ACLED has written them as numeric codes
    # and as words ("State forces") in different releases
    for column in ("year", "iso", "geo_precision", "timestamp"):
        if column in read:
            numbers = parse_numbers(read[column], column=column, reasons=reasons)
            whole = numbers.isna() | (numbers == numbers.round())
            reasons.add(~whole.to_numpy(dtype=bool), column, "not a whole number")
            ints[column] = numbers.where(whole).round().astype("Int64")
    for column in ("latitude", "longitude"):
        if column in read:
            frame[column] = parse_numbers(read[column], column=column, reasons=reasons)
    if "year" in ints:
        year = ints["year"]
        clash = (year.notna() & dates.notna() & (year != dates.dt.year)).to_numpy(dtype=bool)
        reasons.add(
            clash,
            "year",
            [f"{y} is not the year of event_date" for y in year.astype(str).tolist()],
        )

    ids = text_column(read["event_id_cnty"])
    _resolve_versions(ids, ints.get("timestamp"), reasons)
    duplicates(ids, reasons.ok, "event_id_cnty", reasons)

    for column, values in ints.items():
        frame[column] = values
    ok = reasons.ok
    frame["fatalities"] = fatalities.where(ok, 0).astype("int64")
    frame["acled_time_precision"] = code.astype("Int64")
    del frame["time_precision"]
    stamp = ints.get("timestamp")
    ref = "event_id_cnty " + ids.astype(str)
    if stamp is not None:
        ref = ref + np.where(stamp.notna(), ", timestamp " + stamp.astype(str), "")
    canonical = {
        "incident_id": "acled-" + ids.astype(str),
        "start": dates,
        "time_precision": code.map(ACLED_PRECISION).astype(object),
        "actor": text_column(read["actor1"]),
        "origin": None,
        "target": None,
        "weapon": "unknown",
        "quantity": 1,
        "outcome": None,
        "unit": "incident",
        "source_name": SOURCE_NAME,
        "source_url": None,
        "source_ref": ref,
        "notes": text_column(read["notes"]) if "notes" in read else None,
    }
    if "notes" in frame:
        del frame["notes"]  # the canonical notes are ACLED's own notes
    return finish(
        file=raw.file,
        frame=frame,
        canonical=canonical,
        reasons=reasons,
        malformed=raw.malformed,
        return_rejects=return_rejects,
        read=read,
        what="ACLED export",
    )


def _resolve_versions(ids: pd.Series, stamp: pd.Series | None, reasons: Reasons) -> None:
    """Reject every version of an ``event_id_cnty`` older than its newest usable version."""
    if stamp is None:
        return
    ok = reasons.ok
    work = pd.DataFrame({"id": ids, "stamp": stamp.astype("Float64")})
    work = work[ok & ids.notna().to_numpy() & stamp.notna().to_numpy()]
    if work.empty or not work["id"].duplicated().any():
        return
    newest = work.groupby("id")["stamp"].transform("max")
    # the first row holding the newest timestamp of its id is the kept version
    keeper = work[work["stamp"] == newest].groupby("id").head(1)
    keep_row = dict(zip(keeper["id"], keeper.index, strict=True))
    for row, ident, value, top in zip(work.index, work["id"], work["stamp"], newest, strict=True):
        if value < top:
            reasons.add_row(
                row, "event_id_cnty", f"superseded by a newer version (row {keep_row[ident]})"
            )
