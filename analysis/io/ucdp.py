"""UCDP Georeferenced Event Dataset (GED) and UCDP Candidate Events CSV files.

Both have the same 49 columns (:data:`UCDP_COLUMNS`): one row per event of
organised violence with at least one death, with its dates
(``date_start``, ``date_end`` and their precision ``date_prec``) and its
deaths (``best``, ``low``, ``high`` estimates). :func:`load_ucdp_ged` reads
either into the canonical incident table (``ARCHITECTURE.md``), keeping
every source column. Some releases were published without the header row;
a file whose first line has the 49 fields and no ``id`` header is read with
these names.

UCDP data may not be redistributed here: the tests write their own tiny
files with invented values.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal, overload

import pandas as pd

from analysis.io._events import (
    Reasons,
    check_raw,
    decode,
    duplicates,
    finish,
    parse_counts,
    parse_event_dates,
    parse_numbers,
    read_bytes,
    read_table_text,
    refuse_binary,
    shown,
    text_column,
)

__all__ = ["REQUIRED_COLUMNS", "UCDP_COLUMNS", "UCDP_PRECISION", "load_ucdp_ged"]

UCDP_COLUMNS: tuple[str, ...] = tuple(
    (
        "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,"
        "conflict_name,dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,"
        "side_b_dset_id,side_b_new_id,side_b,number_of_sources,source_article,source_office,"
        "source_date,source_headline,source_original,where_prec,where_coordinates,"
        "where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,"
        "country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,"
        "deaths_civilians,deaths_unknown,best,high,low,gwnoa,gwnob"
    ).split(",")
)
"""The 49 columns of UCDP GED and Candidate CSV files, in file order."""

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "country",
    "date_prec",
    "date_start",
    "date_end",
    "best",
    "high",
    "low",
)
"""Columns without which a file is refused."""

UCDP_PRECISION: dict[int, str] = {1: "day", 2: "week", 3: "week", 4: "month", 5: "year"}
"""``date_prec`` -> canonical ``time_precision``.

UCDP: 1 the exact day is known; 2 the event happened within 2-6 days; 3
within a week; 4 within a month (8-30 days); 5 within a year (or a longer
span). The window itself is ``date_start`` .. ``date_end``, which the table
keeps; ``week`` is the nearest word that claims no more than the source
for 2 and 3.
"""

VIOLENCE_TYPES: dict[int, str] = {
    1: "state-based conflict",
    2: "non-state conflict",
    3: "one-sided violence",
}
"""``type_of_violence`` -> the ``event_type`` column added to the table."""

_DATASETS = {
    "ged": "UCDP Georeferenced Event Dataset (GED)",
    "candidate": "UCDP Candidate Events Dataset",
}
_DEATH_COLUMNS = ("deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown")
_INT_COLUMNS = (
    "year",
    "active_year",
    "conflict_dset_id",
    "conflict_new_id",
    "dyad_dset_id",
    "dyad_new_id",
    "side_a_dset_id",
    "side_a_new_id",
    "side_b_dset_id",
    "side_b_new_id",
    "number_of_sources",
    "where_prec",
    "priogrid_gid",
    "country_id",
    "event_clarity",
)


@overload
def load_ucdp_ged(
    path: str | Path,
    *,
    dataset: Literal["ged", "candidate"] = ...,
    encoding: str = ...,
    return_rejects: Literal[False] = ...,
) -> pd.DataFrame: ...
@overload
def load_ucdp_ged(
    path: str | Path,
    *,
    dataset: Literal["ged", "candidate"] = ...,
    encoding: str = ...,
    return_rejects: Literal[True],
) -> tuple[pd.DataFrame, pd.DataFrame]: ...
def load_ucdp_ged(
    path: str | Path,
    *,
    dataset: Literal["ged", "candidate"] = "ged",
    encoding: str = "utf-8",
    return_rejects: bool = False,
) -> pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]:
    r"""Load a UCDP GED or UCDP Candidate CSV file as a canonical incident table.

    Parameters
    ----------
    path : str or Path
        The CSV file (with or without the header row).
    dataset : {"ged", "candidate"}
        Which data set the file is: it names the source (``source_name``)
        and the id prefix (``ucdp-ged-<id>`` or ``ucdp-candidate-<id>``).
    encoding : str
        The file's text encoding (default UTF-8).
    return_rejects : bool
        Also return the rejected rows (else a
        :class:`~analysis.io.oref.RejectedRowsWarning` reports them).

    Returns
    -------
    table : pandas.DataFrame
        One row per event, in file order: ``row`` (file line), every source
        column (``date_start``/``date_end`` as ``datetime64``; ``best``,
        ``low``, ``high``, ``deaths_*``, ``date_prec``, ``type_of_violence``
        ``int64``; ids and codes ``Int64`` (see Notes); ``latitude``/``longitude``
        ``float64``; the rest text), an added ``event_type`` (the words of
        ``type_of_violence``: "state-based conflict", "non-state conflict",
        "one-sided violence"), and the canonical columns: ``incident_id``,
        ``start`` (``date_start``: for an imprecise record the start of
        UCDP's own window, which ``date_end`` closes), ``time_precision``
        (:data:`UCDP_PRECISION`), ``actor`` (``side_a``), ``target``
        (``side_b``), ``weapon`` (``"unknown"``: UCDP does not record it),
        ``quantity`` (1 event; deaths stay in ``best``/``low``/``high``),
        ``unit`` (``"incident"``), ``source_name``, ``source_ref``
        (``"id <id>"``), ``source_url`` (empty; never invented), ``notes``
        (empty).
    rejects : pandas.DataFrame
        Only with ``return_rejects=True``: ``file, row, column, reason`` and
        the source columns as read; ``len(table) + len(rejects)`` is the
        number of data records read.

    Raises
    ------
    DataError
        The file is empty, not comma-separated, truncated inside a quoted
        field, lacks a required column (:data:`REQUIRED_COLUMNS`), or
        (without ``return_rejects``) has no usable row.
    DataNotFoundError
        The file does not exist.
    ValueError
        ``dataset`` is not "ged" or "candidate".

    Notes
    -----
    Rejected rows: an empty or repeated ``id``; an empty, unparseable or
    out-of-range (1900-2100) ``date_start`` or ``date_end``, or
    ``date_end`` before ``date_start``; a ``date_prec`` other than 1-5;
    a ``type_of_violence`` other than 1-3; ``best``, ``low``, ``high`` or a
    ``deaths_*`` column that is not a whole number >= 0, or ``low <= best
    <= high`` not holding; records with the wrong number of fields. The id
    and code columns (``year``, ``*_dset_id``, ``priogrid_gid``, ...) are
    ``Int64`` when every row has a whole number there, else text as written:
    they never reject a row.

    Examples
    --------
    >>> import tempfile, os
    >>> def row(i, start, end, prec, best):  # SIMULATED values, not UCDP data
    ...     v = dict.fromkeys(UCDP_COLUMNS, "")
    ...     v.update(id=str(i), year=start[:4], type_of_violence="3", side_a="Test actor A",
    ...         side_b="Civilians", country="Testland", date_prec=prec, date_start=start,
    ...         date_end=end, best=best, low=best, high=best)
    ...     return ",".join(v[c] for c in UCDP_COLUMNS)
    >>> text = "\n".join([",".join(UCDP_COLUMNS), row(1, "2024-11-04", "2024-11-04", "1", "2"),
    ...     row(2, "2024-10-01", "2024-10-31", "4", "-1")]) + "\n"
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "ged.csv")
    ...     _ = open(p, "w", encoding="utf-8").write(text)
    ...     table, rejects = load_ucdp_ged(p, return_rejects=True)
    >>> table[["incident_id", "time_precision", "best"]].to_dict("list")
    {'incident_id': ['ucdp-ged-1'], 'time_precision': ['day'], 'best': [2]}
    >>> table["event_type"].tolist()
    ['one-sided violence']
    >>> rejects[["row", "column"]].to_dict("list")
    {'row': [3], 'column': ['best, low, high']}
    """
    if dataset not in _DATASETS:
        raise ValueError(f"dataset must be 'ged' or 'candidate', not {dataset!r}")
    file, data = read_bytes(path, "a UCDP CSV file")
    refuse_binary(data, str(file), "a UCDP CSV file")
    text = decode(data, encoding, str(file))
    as_text = text if isinstance(text, str) else text.decode("utf-8", errors="replace")
    first = next((line for line in as_text.splitlines() if line.strip()), "")
    headerless = (
        first.count(",") == len(UCDP_COLUMNS) - 1
        and not first.lstrip("\ufeff").startswith(("id,", '"id",'))
        and "date_prec" not in first
    )
    if headerless:
        prefix = ",".join(UCDP_COLUMNS) + "\n"
        text = prefix.encode("utf-8") + text if isinstance(text, bytes) else prefix + text
    raw = read_table_text(text, file=str(file), required=REQUIRED_COLUMNS, expected=UCDP_COLUMNS)
    if headerless:  # line numbers of the file itself, which has no header line
        raw = dataclasses.replace(
            raw,
            frame=raw.frame.set_axis(raw.frame.index - 1, axis=0).rename_axis("row"),
            malformed=raw.malformed.assign(row=raw.malformed["row"] - 1),
            problems=tuple(
                dataclasses.replace(p, row=None if p.row is None else p.row - 1)
                for p in raw.problems
            ),
        )
    reasons = check_raw(raw, required=REQUIRED_COLUMNS, what="a UCDP CSV file")
    read = raw.frame
    frame = read.copy()

    ids = text_column(read["id"])
    reasons.add(ids.isna().to_numpy(), "id", "empty id")
    for column in ("side_a", "side_b", "country"):
        reasons.add(text_column(read[column]).isna().to_numpy(), column, f"empty {column}")
    start = parse_event_dates(read["date_start"], column="date_start", reasons=reasons)
    end = parse_event_dates(read["date_end"], column="date_end", reasons=reasons)
    reversed_ = (start.notna() & end.notna() & (end < start)).to_numpy(dtype=bool)
    reasons.add(reversed_, "date_end", "date_end is before date_start")

    quiet = Reasons(read.index)
    prec = parse_counts(read["date_prec"], column="date_prec", reasons=quiet)
    bad = ~prec.isin(list(UCDP_PRECISION)).fillna(False).to_numpy(dtype=bool)
    reasons.add(bad, "date_prec", [f"not 1-5 ({v})" for v in shown(read["date_prec"])])
    violence = parse_counts(read["type_of_violence"], column="type_of_violence", reasons=quiet)
    bad = ~violence.isin(list(VIOLENCE_TYPES)).fillna(False).to_numpy(dtype=bool)
    reasons.add(
        bad, "type_of_violence", [f"not 1, 2 or 3 ({v})" for v in shown(read["type_of_violence"])]
    )
    deaths = {c: parse_counts(read[c], column=c, reasons=reasons) for c in ("best", "low", "high")}
    for column in _DEATH_COLUMNS:
        if column in read:
            frame[column] = parse_counts(
                read[column], column=column, reasons=reasons, required=False
            )
    low, best, high = deaths["low"], deaths["best"], deaths["high"]
    disorder = low.notna() & best.notna() & high.notna() & ((low > best) | (best > high))
    reasons.add(
        disorder.fillna(False).to_numpy(dtype=bool),
        "best",
        "the death estimates are not ordered low <= best <= high",
    )
    for column in _INT_COLUMNS:  # codes: whole numbers when every row has one, else text
        if column in read:
            frame[column] = _codes(read[column])
    for column in ("latitude", "longitude"):
        if column in read:
            frame[column] = parse_numbers(read[column], column=column, reasons=reasons)
    duplicates(ids, reasons.ok, "id", reasons)

    ok = reasons.ok
    frame["date_start"] = start
    frame["date_end"] = end
    frame["date_prec"] = prec.where(ok, 0).astype("int64")
    frame["type_of_violence"] = violence.where(ok, 0).astype("int64")
    for column, values in deaths.items():
        frame[column] = values.where(ok, 0).astype("int64")
    frame["event_type"] = violence.map(VIOLENCE_TYPES).astype(object)
    canonical = {
        "incident_id": f"ucdp-{dataset}-" + ids.astype(str),
        "start": start,
        "time_precision": prec.map(UCDP_PRECISION).astype(object),
        "actor": text_column(read["side_a"]),
        "origin": None,
        "target": text_column(read["side_b"]),
        "weapon": "unknown",
        "quantity": 1,
        "outcome": None,
        "unit": "incident",
        "source_name": _DATASETS[dataset],
        "source_url": None,
        "source_ref": "id " + ids.astype(str),
        "notes": None,
    }
    return finish(
        file=raw.file,
        frame=frame,
        canonical=canonical,
        reasons=reasons,
        malformed=raw.malformed,
        return_rejects=return_rejects,
        read=read,
        what=f"UCDP {dataset} file",
    )


def _codes(values: pd.Series) -> pd.Series:
    """``Int64`` when every present value is a whole number, else the text as written.

    These id and code columns are carried, not used: a value that is not a
    number changes the column's type, never rejects the event.
    """
    numbers = pd.to_numeric(values, errors="coerce")
    present = values.notna().to_numpy(dtype=bool)
    whole = numbers.notna().to_numpy(dtype=bool) & (numbers == numbers.round()).to_numpy(bool)
    if (whole | ~present).all():
        return numbers.round().astype("Int64")
    return values
