"""deduplicate: records of one incident from several sources, merged into one, every source kept.

Canonical incident tables from different loaders or sources (``load_acled``,
``load_ucdp_ged``, ``load_table``, the curated incidents), concatenated, hold
one record per (incident, source). :func:`deduplicate` groups the records of
one incident into a cluster and returns one row per cluster that lists every
member's id and source, with a review table (one row per input record: its
cluster, its source and why it was matched) that a curator can override with
a file of decisions (``data/curated/dedupe_overrides.csv``).

Matching rules (all must hold for two records to be one incident):

* the same ``unit``, always (a claim never merges with a launch, an alert
  with an interception), and equal values of every key in ``keys`` that the
  table has (``actor``, ``weapon``, ``target``, ``origin``, a place column:
  compared ignoring case and repeated spaces). A key stated on one record
  and not on the other (empty or ``unknown``) blocks the match
  (``missing="block"``, the default: nothing shows that the two are one
  incident) or is ignored (``missing="ignore"``); a key stated on neither
  is not compared;
* different sources (``source_name``): two records of one source are two
  incidents of that source (a source does not report one incident twice;
  ACLED's revisions of one event are resolved by the loader);
* dates within ``tolerance`` of each other, with **date precision
  respected**: only records of day precision or finer are ever merged
  automatically (their days, or their times when both are finer than a day,
  within the tolerance). A record of week, month or year precision cannot be
  placed on a day, so a tolerance in days cannot match it: it is never merged
  automatically. When its possible span (a week from its date, its calendar
  month or year, as :func:`analysis.count_incidents` reads it) comes within
  the tolerance of a record with the same unit and keys from another source,
  the pair is listed in the review table as a *candidate* (``status``
  ``"candidate"``, the reason says why) and kept apart; a curator who knows
  they are one incident writes a ``force_merge`` override.

Clustering is complete-linkage and greedy, written by hand because no
library clusters under these constraints (pandas and scipy cluster on
distances, not on "one record per source" and "never across units"):
within each block of equal unit and keys the records are taken in date order
(then input order); a record joins the earliest-dated open cluster all of
whose members it matches (and none of whose sources it shares), else opens
a new one. Complete linkage prevents chaining: three reports on three
consecutive days with a 1-day tolerance are not one incident merely because
each is a day from the next.

Overrides (a CSV file or a DataFrame): one row per decision about a pair of
records, ``action`` (``keep_apart`` or ``force_merge``), ``record_a``,
``record_b`` (record ids), ``reason``, ``curator``, ``decided`` (a date).
``keep_apart`` forbids the two ever being in one cluster; ``force_merge``
joins their clusters after the automatic pass. A bad row (unknown action,
missing id or reason, the same record twice, a pair decided both ways, a
force-merge across units or one that would join a kept-apart pair) raises a
:class:`~analysis.errors.DataError` naming the file, row and column. A
decision whose records are not in the table is reported in
``.unused_overrides`` (the overrides file serves every table).
"""

from __future__ import annotations

import html
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis._format import records
from analysis._results import Result
from analysis.errors import DataError, Problem

__all__ = [
    "DEFAULT_KEYS",
    "OVERRIDE_ACTIONS",
    "OVERRIDE_COLUMNS",
    "Deduplication",
    "deduplicate",
    "read_dedupe_overrides",
]

#: Keys compared by default (those the table has): who, with what, at whom, from where.
DEFAULT_KEYS: tuple[str, ...] = ("actor", "weapon", "target", "origin")

#: What a curator may decide about a pair of records.
OVERRIDE_ACTIONS: tuple[str, ...] = ("keep_apart", "force_merge")

#: Columns of an overrides file, in order.
OVERRIDE_COLUMNS: tuple[str, ...] = (
    "action",
    "record_a",
    "record_b",
    "reason",
    "curator",
    "decided",
)

_DAY_OR_FINER = {"second", "minute", "hour", "day"}
_COARSE = ("week", "month", "year")
_PRECISIONS = ("second", "minute", "hour", "day", "week", "month", "year")
_MISSING_WORDS = {"", "unknown", "nan", "none", "<na>"}


# --------------------------------------------------------------------------- overrides


def read_dedupe_overrides(overrides: str | os.PathLike[str] | pd.DataFrame) -> pd.DataFrame:
    """Read and check a file (or table) of curator decisions about pairs of records.

    Parameters
    ----------
    overrides : str, Path or pandas.DataFrame
        A CSV file with the columns of :data:`OVERRIDE_COLUMNS` (the project's
        is ``data/curated/dedupe_overrides.csv``), or a DataFrame with them.

    Returns
    -------
    pandas.DataFrame
        The decisions, with ``row`` (the file line, header = 1) and ``file``.

    Raises
    ------
    DataError
        Naming the file, row and column of every bad cell: a missing column,
        an unknown ``action``, an empty ``record_a``, ``record_b``,
        ``reason`` or ``curator``, a record paired with itself, a pair decided
        twice, a ``decided`` that is not a date.
    TypeError
        When ``overrides`` is neither a path nor a DataFrame.

    Examples
    --------
    >>> table = read_dedupe_overrides("data/curated/dedupe_overrides.csv")
    >>> list(table.columns)[:6], len(table)
    (['action', 'record_a', 'record_b', 'reason', 'curator', 'decided'], 0)
    """
    if isinstance(overrides, pd.DataFrame):
        frame = overrides.copy()
        name = "<overrides table>"
        lines = [i + 2 for i in range(len(frame))]
    elif isinstance(overrides, str | os.PathLike):
        path = Path(overrides)
        name = str(path)
        if not path.is_file():
            raise DataError(Problem(name, None, None, None, "no such overrides file"))
        try:
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
        except UnicodeDecodeError:
            raise DataError(
                Problem(name, None, None, None, "not UTF-8 text: save the file as UTF-8")
            ) from None
        except pd.errors.ParserError as exc:
            raise DataError(Problem(name, None, None, None, f"not a readable CSV: {exc}")) from None
        lines = [i + 2 for i in range(len(frame))]
    else:
        raise TypeError(
            f"overrides must be a path to a CSV file or a DataFrame, not {type(overrides).__name__}"
        )
    missing = [c for c in OVERRIDE_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(name, 1, c, None, "required column missing from the header") for c in missing]
        )
    frame = frame.astype("object").where(frame.notna(), "")
    for c in OVERRIDE_COLUMNS:
        frame[c] = frame[c].astype(str).str.strip()
    problems: list[Problem] = []
    seen: dict[frozenset[str], tuple[int, str]] = {}
    for line, row in zip(lines, frame.to_dict(orient="records"), strict=True):
        if row["action"] not in OVERRIDE_ACTIONS:
            problems.append(
                Problem(name, line, "action", row["action"], f"use one of {list(OVERRIDE_ACTIONS)}")
            )
        for c in ("record_a", "record_b", "reason", "curator"):
            if not row[c]:
                what = "a record id" if c.startswith("record") else f"the {c}"
                problems.append(Problem(name, line, c, "", f"required: give {what}"))
        if row["record_a"] and row["record_a"] == row["record_b"]:
            problems.append(
                Problem(name, line, "record_b", row["record_b"], "a record is paired with itself")
            )
        if row["decided"]:
            try:
                pd.Timestamp(row["decided"])
            except (ValueError, TypeError):
                problems.append(
                    Problem(name, line, "decided", row["decided"], "not a date (use YYYY-MM-DD)")
                )
        pair = frozenset((row["record_a"], row["record_b"]))
        if row["record_a"] and row["record_b"]:
            if pair in seen:
                first, action = seen[pair]
                problems.append(
                    Problem(
                        name,
                        line,
                        "record_b",
                        row["record_b"],
                        f"this pair is already decided ({action}) on row {first}: one decision "
                        "per pair",
                    )
                )
            else:
                seen[pair] = (line, row["action"])
    if problems:
        raise DataError(problems, header=f"{name}: bad dedupe overrides")
    out = frame[list(OVERRIDE_COLUMNS)].copy()
    out["row"] = lines
    out["file"] = name
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- inputs


def _fold(value: Any) -> str | None:
    """A key value compared ignoring case and repeated spaces; None when not stated."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    text = " ".join(str(value).casefold().split())
    return None if text in _MISSING_WORDS else text


def _spans(start: pd.Series, precision: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and (exclusive) last day number each record can have fallen on.

    The same reading as :func:`analysis.count_incidents`: a week is the 7 days
    from ``start``, a month the calendar month of ``start``, a year its year;
    a day or finer is its day.
    """
    d = start.dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    lo, hi = d.copy(), d + 1
    week = precision == "week"
    hi[week] = d[week] + 7
    for word, unit in (("month", "M"), ("year", "Y")):
        sel = precision == word
        if sel.any():
            period = d[sel].astype("datetime64[D]").astype(f"datetime64[{unit}]")
            lo[sel] = period.astype("datetime64[D]").astype(np.int64)
            hi[sel] = (period + 1).astype("datetime64[D]").astype(np.int64)
    return lo, hi


def _check_table(table: Any, id_col: str) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"table must be a pandas DataFrame of incident records, not {type(table).__name__}"
        )
    if not isinstance(id_col, str):
        raise TypeError(f"id_col must be a column name, not {id_col!r}")
    need = [id_col, "start", "unit", "source_name"]
    missing = [c for c in need if c not in table.columns]
    if missing:
        raise ValueError(
            f"table needs the columns {missing} (the canonical incident table: "
            f"{id_col}, start, unit, source_name, ...)"
        )
    ids = table[id_col].astype("object")
    if ids.isna().any():
        raise ValueError(f"column {id_col!r}: {int(ids.isna().sum())} records have no id")
    dup = ids.astype(str).duplicated(keep=False)
    if dup.any():
        shown = sorted(set(ids[dup].astype(str)))[:5]
        raise ValueError(
            f"column {id_col!r}: ids repeat across records ({shown}); every record needs its own "
            "id: prefix each source's ids before concatenating (e.g. 'acled-', 'sheet-')"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a bad date is reported below
        start = pd.to_datetime(table["start"], errors="coerce")
    if start.isna().any():
        i = int(np.flatnonzero(start.isna().to_numpy())[0])
        raise ValueError(
            f"column 'start': record {ids.iloc[i]!r} has {table['start'].iloc[i]!r}, not a date"
        )
    if table["unit"].isna().any():
        i = int(np.flatnonzero(table["unit"].isna().to_numpy())[0])
        raise ValueError(f"column 'unit': record {ids.iloc[i]!r} has no unit")
    if "time_precision" in table.columns:
        prec = table["time_precision"].astype("object").fillna("").astype(str).str.lower()
        bad = ~prec.isin(_PRECISIONS)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"column 'time_precision': record {ids.iloc[i]!r} has "
                f"{table['time_precision'].iloc[i]!r}; use one of {list(_PRECISIONS)}"
            )
    return table


def _tolerance(tolerance: Any) -> pd.Timedelta:
    try:
        tol = pd.Timedelta(tolerance)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"tolerance must be a duration such as '1D', not {tolerance!r}") from exc
    if tol is pd.NaT or tol < pd.Timedelta(0):
        raise ValueError(f"tolerance must be a duration >= 0 such as '1D', not {tolerance!r}")
    return tol


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, repr=False)
class Deduplication(Result):
    """Records merged into incidents, with the review table (see :func:`deduplicate`).

    Attributes
    ----------
    merged : pandas.DataFrame
        One row per incident (cluster): ``cluster_id``, ``n_records``,
        ``record_ids``, ``sources`` (every member's ``source_name``, `` | ``
        separated, in member order), ``source_urls``, ``start`` (the earliest
        start among the most precise members), ``time_precision`` (the finest),
        ``unit``, the keys (the first stated value), ``quantity`` (the largest
        member's, when the table has it) and ``quantities`` (every member's).
    review : pandas.DataFrame
        One row per input record, in input order: ``cluster_id``, the record
        id, ``source_name``, ``start``, ``time_precision``, ``unit``, the keys,
        ``status`` (``single``, ``merged``, ``forced``, ``candidate``) and
        ``reason`` (why it is in its cluster, or why it was kept apart).
    candidates : pandas.DataFrame
        Pairs that may be one incident but were not merged (a record coarser
        than a day): ``record_a``, ``record_b``, ``reason``.
    overrides_applied : pandas.DataFrame
        The curator's decisions that concerned records of the table.
    unused_overrides : pandas.DataFrame
        Decisions whose records are not (all) in the table.
    tolerance : pandas.Timedelta
        Largest gap between two dates of one incident.
    keys : tuple of str
        The keys compared (those the table has).
    id_col : str
        The record id column.
    """

    merged: pd.DataFrame
    review: pd.DataFrame
    candidates: pd.DataFrame
    overrides_applied: pd.DataFrame
    unused_overrides: pd.DataFrame
    tolerance: pd.Timedelta
    keys: tuple[str, ...]
    id_col: str
    notes: tuple[str, ...] = field(default=())

    @property
    def n_records(self) -> int:
        """Records read."""
        return len(self.review)

    @property
    def n_incidents(self) -> int:
        """Incidents (clusters) after merging."""
        return len(self.merged)

    def to_frame(self) -> pd.DataFrame:
        """The merged table: one row per incident, every member's id and source listed."""
        return self.merged.copy()

    def to_dict(self) -> dict[str, Any]:
        """Merged table, review table and decisions as JSON-friendly values."""
        return {
            "n_records": self.n_records,
            "n_incidents": self.n_incidents,
            "tolerance": str(self.tolerance),
            "keys": list(self.keys),
            "merged": records(self.merged),
            "review": records(self.review),
            "candidates": records(self.candidates),
            "overrides_applied": records(self.overrides_applied),
            "unused_overrides": records(self.unused_overrides),
            "notes": list(self.notes),
        }

    def summary(self) -> str:
        """Records in, incidents out, merges and candidates in words."""
        status = self.review["status"].value_counts()
        multi = self.merged[self.merged["n_records"] > 1]
        lines = [
            f"{self.n_records} records -> {self.n_incidents} incidents "
            f"(same unit always; keys {', '.join(self.keys) or 'none'}; dates within "
            f"{_duration(self.tolerance)}; one record per source in an incident)",
            f"  {len(multi)} incidents merge records of several sources "
            f"({int(status.get('merged', 0))} records matched, "
            f"{int(status.get('forced', 0))} by a curator's force_merge)",
            f"  {len(self.candidates)} candidate pairs kept apart for review "
            "(a record coarser than a day cannot be matched to a day by tolerance)",
        ]
        if len(self.overrides_applied):
            lines.append(f"  {len(self.overrides_applied)} curator decisions applied")
        if len(self.unused_overrides):
            lines.append(
                f"  {len(self.unused_overrides)} curator decisions concern records not in "
                "this table (see .unused_overrides)"
            )
        for _, r in multi.head(10).iterrows():
            lines.append(
                f"  {r['cluster_id']}: {r['start'].date()} {r['unit']}: {r['record_ids']} "
                f"[{r['sources']}]"
            )
        if len(multi) > 10:
            lines.append(f"  ... {len(multi) - 10} more (see .review)")
        lines.extend(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        multi = self.merged[self.merged["n_records"] > 1]
        cols = ["cluster_id", "start", "unit", "n_records", "record_ids", "sources"]
        return f"<pre>{html.escape(self.summary())}</pre>" + multi[cols].to_html(
            index=False, escape=True
        )

    def plot(self, ax: Any = None) -> Any:
        """Records per incident over time (one point per incident); returns the Axes."""
        from analysis._draw import concise_dates, get_ax

        ax = get_ax(ax)
        ax.plot(self.merged["start"], self.merged["n_records"], "o", color="C0", ms=4)
        ax.set_ylabel("records (sources) per incident")
        ax.set_ylim(bottom=0)
        return concise_dates(ax)


# --------------------------------------------------------------------------- algorithm


def _duration(tol: pd.Timedelta) -> str:
    """A tolerance in words: '1 day', '3 days', else pandas' text ('0 days 03:00:00')."""
    days = tol / pd.Timedelta(days=1)
    if days == int(days):
        return f"{int(days)} day" + ("" if int(days) == 1 else "s")
    return str(tol)


def _join(values: list[Any]) -> str:
    return " | ".join(
        "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v) for v in values
    )


def deduplicate(
    table: pd.DataFrame,
    *,
    tolerance: str | pd.Timedelta = "1D",
    keys: tuple[str, ...] | list[str] | None = None,
    missing: str = "block",
    overrides: str | os.PathLike[str] | pd.DataFrame | None = None,
    id_col: str = "incident_id",
) -> Deduplication:
    """Merge the records of one incident from several sources into one, keeping every source.

    Parameters
    ----------
    table : pandas.DataFrame
        Canonical incident records of several sources, concatenated: needs
        ``id_col`` (unique), ``start``, ``unit`` and ``source_name``;
        ``time_precision`` (default day), the keys and ``quantity`` are used
        when present; every other column is kept in ``.review``.
    tolerance : str or pandas.Timedelta, default "1D"
        Largest gap between the dates of two records of one incident: two
        day-precision records match when their days differ by at most this
        (times are compared when both records are finer than a day).
    keys : sequence of str, optional
        Columns that must agree (ignoring case and spaces); default
        :data:`DEFAULT_KEYS` (``actor, weapon, target, origin``), those the
        table has. Give a place column (``location``, ``admin1``) to match on
        place too. ``unit`` is always compared.
    missing : {"block", "ignore"}, default "block"
        A key not stated on a record (empty, ``unknown``): ``"block"`` keeps
        the record apart from records that state it; ``"ignore"`` compares
        that key only where both records state it.
    overrides : str, Path or pandas.DataFrame, optional
        Curator decisions (:func:`read_dedupe_overrides`), e.g.
        ``"data/curated/dedupe_overrides.csv"``.
    id_col : str, default "incident_id"
        The record id column.

    Returns
    -------
    Deduplication
        ``.to_frame()`` (one row per incident), ``.review`` (one row per input
        record with its ``cluster_id``: every record maps to exactly one
        incident), ``.candidates``, ``.summary()``.

    Raises
    ------
    TypeError
        When ``table`` is not a DataFrame or ``overrides`` not a path or table.
    ValueError
        When a required column is missing, ids repeat, a date or unit is
        missing, ``time_precision`` is unknown, ``tolerance``, ``keys`` or
        ``missing`` is bad (each names the column or parameter).
    DataError
        When an override row is bad, names records of different units in a
        ``force_merge``, or joins a pair another row keeps apart (file, row,
        column).

    Examples
    --------
    >>> import pandas as pd
    >>> records = pd.DataFrame({  # SIMULATED records, not real reports
    ...     "incident_id": ["acled-1", "sheet-7", "sheet-8", "ucdp-3"],
    ...     "start": pd.to_datetime(["2024-11-04", "2024-11-05", "2024-11-05", "2024-11-01"]),
    ...     "time_precision": ["day", "day", "day", "month"],
    ...     "unit": ["incident", "incident", "claim", "incident"],
    ...     "actor": "Test actor A",
    ...     "source_name": ["ACLED", "sheet", "sheet", "UCDP"]})
    >>> result = deduplicate(records)
    >>> print(result.review[["incident_id", "cluster_id", "status"]].to_string(index=False))
    incident_id cluster_id    status
        acled-1      c0001    merged
        sheet-7      c0001    merged
        sheet-8      c0002    single
         ucdp-3      c0003 candidate
    >>> result.to_frame().loc[0, "sources"]
    'ACLED | sheet'

    The claim (``sheet-8``) never merges with an incident; the month-precision
    UCDP record is a candidate for a curator, not merged by tolerance.
    """
    table = _check_table(table, id_col)
    tol = _tolerance(tolerance)
    if missing not in ("block", "ignore"):
        raise ValueError(f"missing must be 'block' or 'ignore', not {missing!r}")
    if keys is None:
        use_keys = tuple(k for k in DEFAULT_KEYS if k in table.columns)
    else:
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"keys must be a list of column names, not {keys!r}")
        absent = [k for k in keys if k not in table.columns]
        if absent:
            raise ValueError(
                f"keys: the table has no column {absent} (it has {list(table.columns)})"
            )
        use_keys = tuple(k for k in keys if k != "unit")
    n = len(table)
    ids = table[id_col].astype(str).to_numpy()
    pos = {r: i for i, r in enumerate(ids)}
    start = pd.to_datetime(table["start"]).reset_index(drop=True)
    if start.dt.tz is not None:
        start = start.dt.tz_localize(None)
    prec = (
        table["time_precision"].astype("object").fillna("day").astype(str).str.lower().to_numpy()
        if "time_precision" in table.columns
        else np.full(n, "day", dtype=object)
    )
    unit = np.array([_fold(u) or "" for u in table["unit"]], dtype=object)
    source = np.array([_fold(s) or "" for s in table["source_name"]], dtype=object)
    keyvals = {k: [_fold(v) for v in table[k]] for k in use_keys}
    lo, hi = _spans(start, prec)
    ns = start.to_numpy().astype("datetime64[ns]").astype(np.int64)
    tol_days = tol / pd.Timedelta(days=1)

    # curator decisions
    apart: set[frozenset[int]] = set()
    forced: list[tuple[int, int, dict[str, Any]]] = []
    applied_rows: list[dict[str, Any]] = []
    unused_rows: list[dict[str, Any]] = []
    decisions = read_dedupe_overrides(overrides) if overrides is not None else None
    if decisions is not None:
        problems = []
        for raw in decisions.to_dict(orient="records"):
            d = {str(k): v for k, v in raw.items()}
            a, b = pos.get(d["record_a"]), pos.get(d["record_b"])
            if a is None or b is None:
                unused_rows.append(d)
                continue
            applied_rows.append(d)
            if d["action"] == "keep_apart":
                apart.add(frozenset((a, b)))
            else:
                if unit[a] != unit[b]:
                    problems.append(
                        Problem(
                            d["file"],
                            d["row"],
                            "record_b",
                            d["record_b"],
                            f"force_merge across units ({unit[a]} and {unit[b]}): a "
                            f"{unit[a]} is never the same record as a {unit[b]}",
                        )
                    )
                forced.append((a, b, d))
        if problems:
            raise DataError(problems, header=f"{decisions['file'].iloc[0]}: bad dedupe overrides")

    def keys_match(i: int, j: int) -> tuple[bool, list[str]]:
        said = []
        for k in use_keys:
            a, b = keyvals[k][i], keyvals[k][j]
            if a is None or b is None:
                if missing == "block" and not (a is None and b is None):
                    return False, []
                if missing == "block":
                    said.append(f"{k} not stated on either")
                continue
            if a != b:
                return False, []
            said.append(f"{k} {a!r}")
        return True, said

    def gap(i: int, j: int) -> float:
        """Days between two day-or-finer records (times when both are finer than a day)."""
        if prec[i] != "day" and prec[j] != "day":
            return abs(int(ns[i]) - int(ns[j])) / 86_400e9
        return float(abs(int(lo[i]) - int(lo[j])))

    def span_gap(i: int, j: int) -> float:
        """Days between the possible spans of two records (0 when they overlap)."""
        return float(max(0, int(lo[j]) - int(hi[i]) + 1, int(lo[i]) - int(hi[j]) + 1))

    precise = np.array([p in _DAY_OR_FINER for p in prec])
    cluster = np.full(n, -1, dtype=np.int64)
    reason: list[str] = [""] * n
    members: list[list[int]] = []
    block_key = [
        (unit[i], *(keyvals[k][i] or "" for k in use_keys)) if missing == "block" else (unit[i],)
        for i in range(n)
    ]
    order = sorted(range(n), key=lambda i: (block_key[i], int(lo[i]), i))
    open_by_block: dict[tuple[Any, ...], list[int]] = {}
    for i in order:
        if not precise[i]:
            cluster[i] = len(members)
            members.append([i])
            continue
        best = None
        # records come in date order: a cluster whose last day is further back than the
        # tolerance (plus a day, for times) can take no later record
        still = [
            c
            for c in open_by_block.get(block_key[i], [])
            if int(lo[i]) - max(int(lo[j]) for j in members[c]) <= tol_days + 1
        ]
        open_by_block[block_key[i]] = still
        for c in still:
            ok = True
            for j in members[c]:
                if (
                    source[j] == source[i]
                    or frozenset((i, j)) in apart
                    or gap(i, j) > tol_days
                    or not keys_match(i, j)[0]
                ):
                    ok = False
                    break
            if ok:
                best = c
                break
        if best is None:
            cluster[i] = len(members)
            members.append([i])
            open_by_block.setdefault(block_key[i], []).append(cluster[i])
        else:
            cluster[i] = best
            first = members[best][0]
            said = keys_match(i, first)[1]
            reason[i] = (
                f"matched {ids[first]}: unit {unit[i]!r}"
                + (f", {', '.join(said)}" if said else "")
                + f", {gap(i, first):g} days apart (tolerance {_duration(tol)}), another source"
            )
            members[best].append(i)
    status = np.array(["single"] * n, dtype=object)
    for m in members:
        if len(m) > 1:
            status[m] = "merged"
            reason[m[0]] = f"first of {len(m)} records of one incident"

    # force-merges: join the two clusters
    parent = list(range(len(members)))

    def root(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for a, b, d in forced:
        ra, rb = root(int(cluster[a])), root(int(cluster[b]))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
        for x in (a, b):
            status[x] = "forced"
            reason[x] = (
                f"force_merge of {d['record_a']} and {d['record_b']} by {d['curator']} "
                f"({d['reason']}; {d['file']} row {d['row']})"
            )
    final = np.array([root(int(c)) for c in cluster])
    if forced:
        problems = []
        for pair in apart:
            a, b = tuple(pair)
            if final[a] == final[b]:
                problems.append(
                    Problem(
                        decisions["file"].iloc[0] if decisions is not None else "<overrides>",
                        None,
                        "action",
                        None,
                        f"the force_merge decisions join {ids[a]} and {ids[b]}, which a "
                        "keep_apart decision keeps apart: change one of them",
                    )
                )
        if problems:
            raise DataError(problems, header="conflicting dedupe overrides")
    for pair in apart:
        for x in pair:
            if status[x] == "single" and not reason[x]:
                other = (set(pair) - {x}).pop()
                reason[x] = f"kept apart from {ids[other]} by a curator's keep_apart"

    # candidates: a coarse record whose span comes within the tolerance of another record
    cand_rows = []
    for i in (int(k) for k in np.flatnonzero(~precise)):
        for j in range(n):
            if j == i or unit[j] != unit[i] or source[j] == source[i] or final[j] == final[i]:
                continue
            if not precise[j] and j < i:
                continue  # each pair of coarse records once
            if span_gap(i, j) > tol_days or not keys_match(int(i), j)[0]:
                continue
            first_day = pd.Timestamp(int(lo[i]), unit="D").date()
            last_day = pd.Timestamp(int(hi[i]) - 1, unit="D").date()
            other_day = pd.Timestamp(int(lo[j]), unit="D").date()
            why = (
                f"{ids[i]} is of {prec[i]} precision; its possible days {first_day}..{last_day} "
                f"come within {_duration(tol)} of {ids[j]} ({prec[j]} {other_day}); the same "
                "unit and keys, another source: kept apart, a curator may force_merge"
            )
            cand_rows.append({"record_a": ids[i], "record_b": ids[j], "reason": why})
            for x in (int(i), j):
                if status[x] == "single":
                    status[x] = "candidate"
                    reason[x] = why
    for i in range(n):
        if not reason[i]:
            reason[i] = (
                "no other source's record of this unit and keys within the tolerance"
                if precise[i]
                else f"{prec[i]} precision: never merged by tolerance, no candidate found"
            )

    # number clusters in order of their first record in the input
    first_pos: dict[int, int] = {}
    for i in range(n):
        first_pos.setdefault(int(final[i]), i)
    numbering = {c: k + 1 for k, c in enumerate(sorted(first_pos, key=first_pos.__getitem__))}
    width = max(4, len(str(len(numbering))))
    cid = [f"c{numbering[int(final[i])]:0{width}d}" for i in range(n)]

    review = table.reset_index(drop=True).copy()
    front = pd.DataFrame(
        {
            "cluster_id": cid,
            id_col: ids,
            "source_name": table["source_name"].to_numpy(),
            "start": start.to_numpy(),
            "time_precision": prec,
            "unit": table["unit"].to_numpy(),
            "status": status,
            "reason": reason,
        }
    )
    rest = [c for c in review.columns if c not in front.columns]
    review = pd.concat([front, review[rest]], axis=1)

    merged_rows = []
    rank = {p: k for k, p in enumerate(_PRECISIONS)}
    by_cluster: dict[int, list[int]] = {}
    for i in range(n):
        by_cluster.setdefault(int(final[i]), []).append(i)
    for c in sorted(numbering, key=numbering.__getitem__):
        m = by_cluster[c]
        finest = min(rank[prec[i]] for i in m)
        best_i = min((i for i in m if rank[prec[i]] == finest), key=lambda i: (ns[i], i))
        row: dict[str, Any] = {
            "cluster_id": cid[m[0]],
            "n_records": len(m),
            "record_ids": _join([ids[i] for i in m]),
            "sources": _join([table["source_name"].iloc[i] for i in m]),
            "source_urls": _join(
                [table["source_url"].iloc[i] for i in m] if "source_url" in table else []
            ),
            "start": start.iloc[best_i],
            "time_precision": prec[best_i],
            "unit": table["unit"].iloc[m[0]],
        }
        for k in use_keys:
            stated = [table[k].iloc[i] for i in m if keyvals[k][i] is not None]
            row[k] = stated[0] if stated else table[k].iloc[m[0]]
        if "quantity" in table.columns:
            q = pd.to_numeric(table["quantity"].iloc[m], errors="coerce")
            row["quantity"] = q.max()
            row["quantities"] = _join(list(table["quantity"].iloc[m]))
        merged_rows.append(row)
    merged = pd.DataFrame(merged_rows)
    applied = pd.DataFrame(applied_rows, columns=[*OVERRIDE_COLUMNS, "row", "file"])
    unused = pd.DataFrame(unused_rows, columns=[*OVERRIDE_COLUMNS, "row", "file"])
    notes = []
    if len(unused):
        notes.append(
            f"{len(unused)} override rows name records not in this table; they were not applied."
        )
    return Deduplication(
        merged=merged,
        review=review,
        candidates=pd.DataFrame(cand_rows, columns=["record_a", "record_b", "reason"]),
        overrides_applied=applied,
        unused_overrides=unused,
        tolerance=tol,
        keys=use_keys,
        id_col=id_col,
        notes=tuple(notes),
    )
