"""Validate incident and reported-figure tables, in memory or as CSV files.

:func:`validate_file` reads a CSV file strictly
(:func:`analysis.io.csv.read_csv_checked`), recognises which canonical table
it holds, checks it against the pandera schema
(:mod:`analysis.curation.schema`) and returns a :class:`ValidationReport`
with every problem at once. :func:`validate_incidents` and
:func:`validate_figures` do the same for a DataFrame.

Nothing is dropped: every data row is either in ``report.valid`` (parsed to
typed columns, ``weapon`` and ``unit`` as canonical vocabulary terms) or in
``report.rejects`` with its file line and the reasons (an unknown weapon or
unit, a row without a citable source, ...).
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import analysis.io.csv as io_csv
from analysis._draw import get_ax
from analysis._results import Result
from analysis.curation.schema import (
    FIGURES,
    INCIDENTS,
    TableSpec,
    _check_table,
    _duplicate_problems,
    _parse_table,
    check_table,
    id_hashes,
)
from analysis.errors import DataError, DataNotFoundError, Problem
from analysis.io.csv import NotChunkable, RawTable, csv_chunks, read_csv_text

__all__ = [
    "ValidationReport",
    "detect_kind",
    "validate_figures",
    "validate_file",
    "validate_incidents",
]

_SPECS: dict[str, TableSpec] = {"incidents": INCIDENTS, "figures": FIGURES}
_KIND_ALIASES = {
    "incidents": "incidents",
    "incident": "incidents",
    "figures": "figures",
    "reported_figures": "figures",
}
# columns that only one of the two tables has: they tell the tables apart
_MARKERS = {
    "incidents": ("incident_id", "start", "quantity", "time_precision", "outcome"),
    "figures": ("figure_id", "period_start", "period_end", "value", "qualifier", "published"),
}


class ValidationReport(Result):
    """Outcome of validating one table: problems, valid rows and rejects.

    Attributes
    ----------
    file : str
        The file (or ``"<table>"``) validated.
    kind : str or None
        ``"incidents"`` or ``"figures"``; None when it could not be told.
    ok : bool
        True when no problem was found.
    problems : list of Problem
        Every problem, whole-file problems first, then by row.
    n_rows : int
        Data rows read (``len(valid) + len(rejects) == n_rows`` always). Zero
        when the file could not be split into rows at all (empty, wrong
        delimiter, broken quote, a header that is not UTF-8). Rows with bytes
        that are not UTF-8 are rejected one by one; the others are checked.
    valid : pandas.DataFrame
        The rows without problems, with parsed types (see
        :func:`analysis.curation.schema.parse_table`); extra columns kept.
        Index: the file line of each row (name ``"row"``) for a file, the
        input index for a DataFrame.
    rejects : pandas.DataFrame
        The rows with problems, as read: columns ``row`` (file line),
        ``reason`` (every problem of the row), then the input columns (and
        ``raw`` for records that could not be split into the columns).
    file_problems : list of Problem
        The problems that concern the whole file or its header rather than
        individual rows (row ``None`` or the header line).

    Examples
    --------
    >>> df = pd.DataFrame({"incident_id": ["a", "b"], "start": ["2024-11-04", "2024-11-05"],
    ...     "weapon": ["drone", "drone"], "quantity": ["2", "-2"], "unit": ["launch", "launch"],
    ...     "source_url": ["https://example.org/a", "https://example.org/b"]})
    >>> report = validate_incidents(df, file="t.csv")
    >>> report.ok, report.n_rows, len(report.valid), len(report.rejects)
    (False, 2, 1, 1)
    >>> report.rejects[["row", "reason"]].to_dict("records")
    [{'row': 3, 'reason': "quantity: 'quantity' must not be negative"}]
    """

    def __init__(
        self,
        *,
        file: str,
        kind: str | None,
        problems: Sequence[Problem],
        n_rows: int,
        valid: pd.DataFrame,
        rejects: pd.DataFrame,
        header_row: int | None = 1,
    ) -> None:
        if len(valid) + len(rejects) != n_rows:  # pragma: no cover - internal invariant
            raise AssertionError("valid and rejected rows must add up to the rows read")
        self._file = file
        self._kind = kind
        self._problems = tuple(problems)
        self._n_rows = int(n_rows)
        self._valid = valid
        self._rejects = rejects
        self._header_row = header_row

    @property
    def file(self) -> str:
        """The file (or ``"<table>"``) validated."""
        return self._file

    @property
    def kind(self) -> str | None:
        """``"incidents"``, ``"figures"`` or None when unknown."""
        return self._kind

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self._problems

    @property
    def problems(self) -> list[Problem]:
        """Every problem found (a new list each time)."""
        return list(self._problems)

    @property
    def file_problems(self) -> list[Problem]:
        """Problems about the whole file or its header, not about one row."""
        return [p for p in self._problems if p.row is None or p.row == self._header_row]

    @property
    def n_rows(self) -> int:
        """Number of data rows read."""
        return self._n_rows

    @property
    def valid(self) -> pd.DataFrame:
        """Rows without problems, typed (a copy)."""
        return self._valid.copy()

    @property
    def rejects(self) -> pd.DataFrame:
        """Rows with problems, as read, with ``row`` and ``reason`` (a copy)."""
        return self._rejects.copy()

    def summary(self) -> str:
        """Plain-text summary: counts, then up to 20 problems."""
        what = f"{self._kind} table" if self._kind else "table of unknown kind"
        lines = [
            f"Validation of {self._file} ({what})",
            f"rows: {self._n_rows} read, {len(self._valid)} valid, {len(self._rejects)} rejected",
        ]
        if self.ok:
            lines.append("problems: none")
            return "\n".join(lines)
        lines.append(f"problems: {len(self._problems)}")
        lines.extend(f"  {p}" for p in self._problems[:20])
        if len(self._problems) > 20:
            lines.append(f"  ... and {len(self._problems) - 20} more (see to_frame())")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dictionary: counts and every problem."""
        return {
            "file": self._file,
            "kind": self._kind,
            "ok": self.ok,
            "n_rows": self._n_rows,
            "n_valid": len(self._valid),
            "n_rejected": len(self._rejects),
            "n_problems": len(self._problems),
            "problems": [
                {
                    "file": p.file,
                    "row": p.row,
                    "column": p.column,
                    "value": p.value,
                    "message": p.message,
                }
                for p in self._problems
            ],
        }

    def to_frame(self) -> pd.DataFrame:
        """The problems as a table: ``file, row, column, value, message``."""
        records = self.to_dict()["problems"]
        frame = pd.DataFrame.from_records(
            records, columns=["file", "row", "column", "value", "message"]
        )
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def raise_if_invalid(self) -> ValidationReport:
        """Raise :class:`~analysis.errors.DataError` listing every problem; else return self."""
        if self._problems:
            raise DataError(
                list(self._problems),
                header=(
                    f"{self._file}: {len(self._problems)} problem(s); "
                    f"{len(self._rejects)} of {self._n_rows} rows rejected"
                ),
            )
        return self

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bar chart of the number of problems per column.

        Problems about a whole row or the whole file are shown as
        ``(row)`` and ``(file)``. Returns the Axes.
        """
        ax = get_ax(ax)
        counts: dict[str, int] = defaultdict(int)
        for p in self._problems:
            label = p.column if p.column is not None else ("(file)" if p.row is None else "(row)")
            counts[label] += 1
        if counts:
            labels = sorted(counts, key=lambda k: (-counts[k], k))
            ax.barh(labels[::-1], [counts[k] for k in labels[::-1]], color="#0072B2")
            ax.set_xlabel("problems")
        else:
            ax.text(0.5, 0.5, "no problems", ha="center", va="center", transform=ax.transAxes)
        ax.set_title(f"{Path(self._file).name}: {len(self._problems)} problem(s)")
        return ax


def _spec(kind: str) -> TableSpec:
    try:
        return _SPECS[_KIND_ALIASES[kind]]
    except KeyError:
        raise ValueError(f"kind must be 'auto', 'incidents' or 'figures', not {kind!r}") from None


def detect_kind(columns: Sequence[str]) -> str | None:
    """Tell from its columns which canonical table a header belongs to.

    Returns ``"incidents"``, ``"figures"`` or None when the columns do not
    say (neither table's distinctive columns, or as many of each).

    Examples
    --------
    >>> detect_kind(["incident_id", "start", "weapon"]), detect_kind(["figure_id", "value"])
    ('incidents', 'figures')
    >>> detect_kind(["a", "b"]) is None
    True
    """
    names = set(columns)
    scores = {kind: len(names & set(marks)) for kind, marks in _MARKERS.items()}
    if scores["incidents"] == scores["figures"]:
        return None
    return max(scores, key=lambda k: scores[k])


def _reasons(problems: Sequence[Problem]) -> str:
    return "; ".join(
        p.message if p.column is None else f"{p.column}: {p.message}" for p in problems
    )


def _assemble(
    frame: pd.DataFrame,
    rows: list[int],
    spec: TableSpec | None,
    problems: list[Problem],
    *,
    file: str,
    kind: str | None,
    malformed: pd.DataFrame | None = None,
    header_row: int | None = 1,
    blanks: bool = True,
    known: dict[str, dict[str, dict[str, np.ndarray]]] | None = None,
) -> ValidationReport:
    """Split ``frame`` into valid and rejected rows given the problems found.

    ``blanks=False``: no cell of ``frame`` is blank (see ``schema._check_table``).
    ``known``: the checks' vectorised reads of ``frame``'s columns (row-aligned), reused
    to parse the valid rows.
    """
    by_row: dict[int, list[Problem]] = defaultdict(list)
    whole: list[Problem] = []
    for p in problems:
        if p.row is None or p.row == header_row:
            whole.append(p)
        else:
            by_row[p.row].append(p)
    if whole:
        bad = np.ones(len(rows), dtype=bool)
    else:
        bad = np.isin(np.asarray(rows, dtype=np.int64), np.fromiter(by_row, dtype=np.int64))
    good_mask = ~bad
    if spec is not None and not whole:
        kept = None
        if known:
            kept = {c: {k: {a: v[good_mask] for a, v in r.items()} for k, r in d.items()}
                    for c, d in known.items()}  # fmt: skip
        valid = _parse_table(frame[good_mask], spec, blanks=blanks, known=kept)
    else:
        valid = frame[good_mask]
    rejected = frame[bad]
    lines = [rows[i] for i in np.flatnonzero(bad).tolist()]
    reasons = [_reasons(whole + by_row.get(r, [])) for r in lines]
    rejects = rejected.copy()
    for name in ("row", "reason"):
        if name in rejects.columns:  # an input column with this name is kept, renamed
            rejects = rejects.rename(columns={name: f"{name}_input"})
    rejects.insert(0, "reason", pd.Series(reasons, index=rejects.index, dtype="str"))
    rejects.insert(0, "row", pd.Series(lines, index=rejects.index, dtype="int64"))
    n_malformed = 0
    if malformed is not None and len(malformed):
        n_malformed = len(malformed)
        rejects = rejects.reset_index(drop=True)
        rejects = pd.concat([rejects, malformed], ignore_index=True)
        rejects = rejects.sort_values("row", kind="stable").reset_index(drop=True)
    elif rejected.index.name == "row":  # from a file: the line is already a column
        rejects = rejects.reset_index(drop=True)
    return ValidationReport(
        file=file,
        kind=kind,
        problems=problems,
        n_rows=len(frame) + n_malformed,
        valid=valid,
        rejects=rejects,
        header_row=header_row,
    )


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: -1 if p.row is None else p.row)


def validate_incidents(
    df: pd.DataFrame, *, file: str = "<table>", rows: Sequence[int] | None = None
) -> ValidationReport:
    """Validate a canonical incident table held in a DataFrame.

    Parameters
    ----------
    df : pandas.DataFrame
        The table: strings as read from CSV, or typed columns (datetimes,
        integers). Extra columns are kept.
    file : str
        Name used in problems.
    rows : sequence of int, optional
        The file line of each row; default: position + 2 (the line the row
        would have in a CSV file written with a header).

    Returns
    -------
    ValidationReport
        Every problem at once; ``valid`` keeps ``df``'s index.

    See Also
    --------
    validate_file : the same for a CSV file.

    Examples
    --------
    >>> df = pd.DataFrame({"incident_id": ["a"], "start": ["2024-11-04"], "weapon": ["drone"],
    ...                    "quantity": [2], "unit": ["launch"], "source_url": ["https://x.org/a"]})
    >>> report = validate_incidents(df)
    >>> report.ok, str(report.valid["start"].dtype)
    (True, 'datetime64[us]')
    """
    return _validate_frame(df, INCIDENTS, file=file, rows=rows)


def validate_figures(
    df: pd.DataFrame, *, file: str = "<table>", rows: Sequence[int] | None = None
) -> ValidationReport:
    """Validate a reported-figures table held in a DataFrame.

    Same parameters and result as :func:`validate_incidents`, for the table
    ``figure_id, period_start, period_end, value, qualifier, unit, ...``.

    Examples
    --------
    >>> df = pd.DataFrame({"figure_id": ["f"], "period_start": ["2024-11-05"],
    ...     "period_end": ["2024-11-04"], "value": ["41"], "qualifier": ["exact"],
    ...     "unit": ["claim"], "source_url": ["https://x.org/a"]})
    >>> print(validate_figures(df).problems[0])
    <table>, row 2, column 'period_start': period_start is after period_end (2024-11-04) (value '2024-11-05')
    """  # noqa: E501
    return _validate_frame(df, FIGURES, file=file, rows=rows)


def _validate_frame(
    df: pd.DataFrame, spec: TableSpec, *, file: str, rows: Sequence[int] | None
) -> ValidationReport:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(df).__name__}")
    lines = list(range(2, len(df) + 2)) if rows is None else [int(r) for r in rows]
    problems = _sorted(check_table(df, spec, file=file, rows=lines))
    return _assemble(df, lines, spec, problems, file=file, kind=spec.name, header_row=None)


def validate_file(path: str | Path, *, kind: str = "auto") -> ValidationReport:
    r"""Validate a CSV file holding an incident or a reported-figures table.

    Parameters
    ----------
    path : str or Path
        A comma-separated UTF-8 file (a byte-order mark is fine).
    kind : {"auto", "incidents", "figures"}
        Which table the file holds; ``"auto"`` tells it from the header
        (``incident_id``, ``start``, ``quantity`` ... versus ``figure_id``,
        ``period_start``, ``value`` ...) and reports a problem when it cannot.

    Returns
    -------
    ValidationReport
        Every problem in the file at once: problems of the file itself (empty,
        not UTF-8, wrong delimiter, broken quote, wrong number of fields) and
        of its content (missing required columns, bad dates, numbers, units,
        duplicate ids ...). Rows are numbered as file lines, the header being
        line 1.

    Raises
    ------
    DataNotFoundError
        When the file does not exist.
    DataError
        When ``path`` is a directory.
    ValueError
        When ``kind`` is not one of the allowed values.

    Notes
    -----
    A large file (more than twice :data:`analysis.io.csv.CHUNK_LINES` lines)
    is read and checked in chunks of that many lines, so that only one
    chunk's strings are in memory besides the result (two million rows: about
    0.8 GB at peak instead of 2 GB); ids are checked for uniqueness over the
    whole file. A chunk of plain lines (no quote, blank cell or malformed row)
    is split by pyarrow straight into the reader's string columns (the same
    cells; see :func:`_plain_frame`): two million such rows are validated in
    about 1.3-1.7 times a ``pandas.read_csv`` of the file. The report is the
    same as for the file read whole (tested); a file with a problem about the
    file itself (not UTF-8, a broken quote, a missing column, ...) is read
    whole, which names it.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "incidents.csv")
    ...     with open(p, "w", encoding="utf-8") as f:
    ...         _ = f.write("incident_id,start,weapon,quantity,unit,source_url\n"
    ...                     "a,2024-11-04,drone,2,launch,https://example.org/a\n"
    ...                     "a,2024-11-05,drone,two,launch,https://example.org/b\n")
    ...     report = validate_file(p)
    >>> report.kind, report.n_rows, len(report.rejects)
    ('incidents', 2, 2)
    >>> [(p.row, p.column) for p in report.problems]
    [(2, 'incident_id'), (3, 'incident_id'), (3, 'quantity')]
    """
    spec = None if kind == "auto" else _spec(kind)
    name = str(path)
    expected = sorted({c for s in _SPECS.values() for c in s.names})
    source = Path(path)
    if source.is_dir():
        raise DataError(
            Problem(name, None, None, None, "is a directory, not a CSV file"),
            header=f"cannot read {name}",
        )
    if not source.exists():
        raise DataNotFoundError(f"{name}: no such file")
    data = source.read_bytes()
    try:
        return _validate_chunks(data, spec, file=name, expected=expected)
    except NotChunkable:
        pass
    raw = read_csv_text(data, file=name, expected=expected)
    del data
    return _validate_raw(raw, spec, file=name)


def _validate_raw(raw: RawTable, spec: TableSpec | None, *, file: str) -> ValidationReport:
    """The report of a whole file read by :func:`~analysis.io.csv.read_csv_text`."""
    name = file
    if raw.fatal:
        return _from_raw(raw, None, list(raw.problems), kind=None if spec is None else spec.name)
    if spec is None:
        detected = detect_kind(raw.columns)
        if detected is None:
            problem = Problem(
                name,
                raw.header_row,
                None,
                None,
                "cannot tell whether this is an incident table (incident_id, start, quantity, ...) "
                "or a reported-figures table (figure_id, period_start, period_end, value, ...); "
                "say which with kind='incidents' or kind='figures' (--kind on the command line)",
            )
            return _from_raw(raw, None, [problem, *raw.problems], kind=None)
        spec = _SPECS[detected]
    rows = [int(r) for r in raw.frame.index]
    # whole-column problems (a missing required column) belong to the header line
    checked = [
        replace(p, row=raw.header_row) if p.row is None else p
        for p in check_table(raw.frame, spec, file=name, rows=rows)
    ]
    # one problem per cell: a cell the reader already reported (bytes that are not UTF-8)
    # is not reported again for the value those bytes decode to
    reported = {(p.row, p.column) for p in raw.problems if p.row is not None and p.column}
    checked = [p for p in checked if (p.row, p.column) not in reported]
    problems = list(raw.problems) + checked
    return _from_raw(raw, spec, _sorted(problems), kind=spec.name)


def _validate_chunks(
    data: bytes, spec: TableSpec | None, *, file: str, expected: Sequence[str]
) -> ValidationReport:
    """The report of :func:`_validate_raw` on the whole file, computed chunk by chunk.

    Each chunk (:func:`~analysis.io.csv.csv_chunks`) is checked and split into
    valid and rejected rows, and its strings are dropped, so peak memory is a
    chunk's strings plus the result. Every check is of one row except the
    uniqueness of ids: that is checked over the whole file at the end, and the
    chunks holding a duplicated id are read and split again with those
    problems. Raises :class:`~analysis.io.csv.NotChunkable` for a file whose
    problems are not all about rows (it is then validated whole, which gives
    the messages about the file); the answer is the same either way (tested).
    """
    parts: list[ValidationReport] = []
    ids: list[pd.Series] = []
    hashes: list[np.ndarray | None] = []
    lines: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []  # first and last line of each chunk
    header_row = 1
    for number, raw in enumerate(_chunks(data, file=file, expected=expected)):
        if number == 0:
            header_row = raw.header_row
            if spec is None:
                detected = detect_kind(raw.columns)
                if detected is None:
                    raise NotChunkable("the kind of table is not known")
                spec = _SPECS[detected]
        assert spec is not None
        if spec.id_column not in raw.frame:
            raise NotChunkable("no id column")
        reads: dict[str, dict[str, dict[str, np.ndarray]]] = {}
        checked = _check_table(
            raw.frame,
            spec,
            file=file,
            rows=raw.frame.index.to_numpy(),
            unique=False,
            blanks=False,
            keep=reads,
        )
        if any(p.row is None or p.row == header_row for p in checked):
            raise NotChunkable("a problem about a whole column")
        ids.append(raw.frame[spec.id_column])
        hashes.append(id_hashes(ids[-1]))  # hashed chunk by chunk: small temporaries
        lines.append(raw.frame.index.to_numpy())
        at = np.concatenate([raw.frame.index.to_numpy(), raw.malformed["row"].to_numpy()])
        spans.append((int(at.min()), int(at.max())))
        problems = _sorted(list(raw.problems) + checked)
        parts.append(_from_raw(raw, spec, problems, kind=spec.name, blanks=False, known=reads))
        del reads
    assert spec is not None
    if not parts:  # pragma: no cover - csv_chunks yields at least three chunks
        raise NotChunkable("no chunks")
    all_ids = pd.concat(ids, ignore_index=True) if ids else pd.Series([], dtype="str")
    all_lines = np.concatenate(lines)
    known: np.ndarray | None = None
    if all(h is not None for h in hashes):
        known = np.concatenate([h for h in hashes if h is not None])
    del hashes
    dups = _duplicate_problems(all_ids, all_lines, spec.id_column, file, blanks=False, hashes=known)
    del all_ids, ids, lines, known
    if dups:
        redo: dict[int, list[Problem]] = defaultdict(list)
        starts = [lo for lo, _ in spans]
        for p in dups:
            assert p.row is not None
            redo[int(np.searchsorted(starts, p.row, side="right")) - 1].append(p)
        again = csv_chunks(data, file=file, expected=expected, only=redo, header_row=header_row)
        for number, raw in zip(sorted(redo), again, strict=True):
            checked = _check_table(
                raw.frame,
                spec,
                file=file,
                rows=raw.frame.index.to_numpy(),
                unique=False,
                extra=redo[number],
                blanks=False,
            )
            problems = _sorted(list(raw.problems) + checked)
            parts[number] = _from_raw(raw, spec, problems, kind=spec.name, blanks=False)
    return _joined(parts, file=file, kind=spec.name, header_row=header_row)


def _shape(frame: pd.DataFrame) -> tuple[tuple[str, str], ...]:
    return tuple((str(c), str(t)) for c, t in frame.dtypes.items())


def _with_utc(valid: pd.DataFrame, parts: list[ValidationReport]) -> pd.DataFrame:
    """``valid`` with the ``<time>_utc`` columns that other chunks have (``NaT``: no offset).

    :func:`~analysis.curation.schema.parse_table` adds ``start_utc`` when some
    time in the table has a UTC offset; a chunk without one lacks the column
    that the whole file has. Other differences are left for :func:`_joined`.
    """
    template = max((p._valid for p in parts), key=lambda v: len(v.columns))
    missing = [c for c in template.columns if c not in valid.columns]
    if not missing or not all(
        c.endswith("_utc") and isinstance(template[c].dtype, pd.DatetimeTZDtype) for c in missing
    ):
        return valid
    out = valid.copy()
    for c in missing:
        out[c] = pd.Series(pd.NaT, index=out.index, dtype=template[c].dtype)
    if list(out.columns) != [c for c in template.columns if c in out.columns]:
        out = out[[c for c in template.columns if c in out.columns]]
    return out


def _joined(
    parts: list[ValidationReport], *, file: str, kind: str, header_row: int
) -> ValidationReport:
    """One report from the reports of successive chunks of a file (rows in file order)."""
    valid = [_with_utc(p._valid, parts) for p in parts]
    columns = [list(v.columns) for v in valid]
    dtypes = [list(v.dtypes) for v in valid]
    if any(c != columns[0] for c in columns) or any(d != dtypes[0] for d in dtypes):
        raise NotChunkable("chunks parsed to different columns or types")
    kept = [v for v in valid if len(v)] or valid[:1]
    rejects = [p._rejects for p in parts if len(p._rejects)]
    shapes = {_shape(r) for r in rejects}
    if len(shapes) > 1:  # only some chunks have malformed records, with a last column ``raw``
        widest = max(shapes, key=len)
        if widest[-1] != ("raw", "str") or {s for s in shapes if s != widest} != {widest[:-1]}:
            raise NotChunkable("chunks rejected rows with different columns or types")
        joined = pd.concat(rejects, ignore_index=True)
        if _shape(joined) != widest:  # pragma: no cover - concat keeps the types
            raise NotChunkable("chunks rejected rows with different columns or types")
        rejects = [joined]
    problems = [q for p in parts for q in p._problems]
    return ValidationReport(
        file=file,
        kind=kind,
        problems=problems,
        n_rows=sum(p.n_rows for p in parts),
        valid=pd.concat(kept) if len(kept) > 1 else kept[0],
        rejects=(
            pd.concat(rejects, ignore_index=True)
            if len(rejects) > 1
            else rejects[0]
            if rejects
            else parts[0]._rejects
        ),
        header_row=header_row,
    )


def _from_raw(
    raw: RawTable,
    spec: TableSpec | None,
    problems: list[Problem],
    *,
    kind: str | None,
    blanks: bool = True,
    known: dict[str, dict[str, dict[str, np.ndarray]]] | None = None,
) -> ValidationReport:
    return _assemble(
        raw.frame,
        raw.frame.index.tolist(),
        spec,
        problems,
        file=raw.file,
        kind=kind,
        malformed=raw.malformed,
        header_row=raw.header_row,
        blanks=blanks,
        known=known,
    )


# --------------------------------------------------------------------------- reading plain chunks


def _text_dtype() -> Any:
    """The dtype of the reader's text columns when it is pyarrow's string type, else None."""
    dtype = pd.array([], dtype="str").dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return dtype
    return None


_EDGE = np.zeros(256, dtype=bool)  # as io.csv._EDGE: bytes that may need str.strip() at an edge
_EDGE[[9, 11, 12, 28, 29, 30, 31, 32]] = True
_EDGE[0x80:] = True


def _plain_lines(body: bytes, width: int) -> int | None:
    """The number of lines of ``body`` if each has ``width`` fields and no cell needs cleaning.

    No cell may be empty or have, next to a comma or line break or at either end of
    ``body``, a byte of ``io.csv._EDGE`` (the answer of ``io.csv._needs_cleaning``,
    tested equal, found from the positions of the commas and line breaks rather than
    from every byte), and no line may be longer than ``io.csv.MAX_FIELD_CHARS`` bytes.
    None otherwise.
    """
    view = np.frombuffer(body, dtype=np.uint8)
    size = len(view)
    if not size or _EDGE[view[0]] or _EDGE[view[-1]]:
        return None
    newline = view == 10
    at = np.flatnonzero(newline | (view == 44))  # every comma and line break, in order
    del newline
    n_bounds = len(at)
    if (n_bounds + 1) % width:
        return None
    n = (n_bounds + 1) // width
    if n_bounds:
        if at[0] == 0 or at[-1] == size - 1 or bool((np.diff(at) == 1).any()):
            return None  # an empty cell
        if _EDGE[view[at - 1]].any() or _EDGE[view[at + 1]].any():
            return None  # blank space (or a non-ASCII character) at the edge of a cell
        # the line breaks must be exactly every width-th boundary
        kinds = np.append(view[at] == 10, True).reshape(n, width)
        if kinds[:, :-1].any() or not kinds[:, -1].all():
            return None
        ends = np.append(at[width - 1 :: width], size)
    else:
        ends = np.array([size])
    lengths = np.diff(ends, prepend=-1) - 1
    if int(lengths.max()) > io_csv.MAX_FIELD_CHARS:
        return None
    return n


def _plain_frame(chunk: bytes, header: tuple[str, ...], first_line: int) -> pd.DataFrame | None:
    """The frame :func:`~analysis.io.csv.read_csv_text` reads from a chunk's lines, if plain.

    A chunk is plain when, once its final line break is set aside, it has no
    double quote, carriage return or NUL, no line longer than
    :data:`~analysis.io.csv.MAX_FIELD_CHARS` bytes, no empty cell and no cell
    with blank space at an edge (``io.csv._needs_cleaning``, the reader's own
    test), and every line has as many fields as ``header``. The reader then
    splits every line at its commas and keeps the cells as they are
    (``io.csv._plain_records``); here pyarrow's CSV reader does that split
    straight into the string arrays of the reader's frame, without the round
    trip through Python strings that costs the reader most of its time (two
    million rows: about 5 s of 7). Written by hand because the reader's other
    rules (quotes, blank cells, malformed rows, problems) are not needed for
    such text: every other chunk is read by the reader itself. None when the
    chunk is not plain, the text is not valid UTF-8, or pyarrow is missing.
    """
    dtype = _text_dtype()
    if dtype is None:
        return None
    body = chunk[:-1] if chunk.endswith(b"\n") else chunk
    width = len(header)
    if not body or width < 1 or b'"' in body or b"\r" in body or b"\x00" in body:
        return None
    if not body.isascii():
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return None
    n = _plain_lines(body, width)
    if n is None:
        return None
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pandas' pyarrow strings imply pyarrow
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pcsv.read_csv(
            io.BytesIO(body),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pcsv.ParseOptions(
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowException, ValueError):  # pragma: no cover - the checks above pass it
        return None
    if table.num_rows != n:  # pragma: no cover - one line, one row
        return None
    mapper = {pa.string(): dtype, pa.large_string(): dtype}.get
    frame = pd.DataFrame(
        {h: table.column(i).to_pandas(types_mapper=mapper) for i, h in enumerate(header)},
        columns=list(header),
    )
    frame.index = pd.Index(np.arange(first_line, first_line + n, dtype=np.int64), name="row")
    return frame


_HEAD_LINES = 16  # lines read by the reader to find the header of a plain first chunk


def _plain_head(data: bytes, hi: int, *, file: str, expected: Sequence[str]) -> RawTable | None:
    """The first chunk (``data[:hi]``) as the reader reads it, when its data lines are plain.

    The header is read by the reader from the first lines alone; the lines after it
    are then read by :func:`_plain_frame`. None when that does not apply (a problem
    in the first lines, a header running past them, data lines that are not plain):
    the chunk is then read whole by the reader.
    """
    stop = 0
    for _ in range(_HEAD_LINES):
        found = data.find(b"\n", stop, hi)
        if found < 0:
            return None
        stop = found + 1
    try:
        text = data[:stop].decode("utf-8")
    except UnicodeDecodeError:
        return None
    with io_csv._fields_of_any_length():
        head = io_csv._read_text(text, file=file, required=None, expected=expected)
    if head.fatal or head.header_row >= _HEAD_LINES - 1:
        return None
    start = io_csv._after_lines(data, head.header_row)
    frame = _plain_frame(data[start:hi], head.columns, head.header_row + 1)
    if frame is None:
        return None
    return RawTable(
        file,
        head.columns,
        frame,
        io_csv._no_malformed(),
        (),
        fatal=False,
        header_row=head.header_row,
    )


def _chunks(data: bytes, *, file: str, expected: Sequence[str]) -> Iterator[RawTable]:
    """:func:`~analysis.io.csv.csv_chunks` of ``data``, plain chunks read by :func:`_plain_frame`.

    The same chunks (``io.csv._chunk_bounds``), the same first chunk and the same
    tables; a chunk that is not plain is read as :func:`~analysis.io.csv.csv_chunks`
    reads it (the same steps, with the reader's own functions). Raises
    :class:`~analysis.io.csv.NotChunkable` where it does. Tested equal to it.
    """
    step = io_csv.CHUNK_LINES
    if _text_dtype() is None or b"\x00" in data or data.count(b"\n") < 2 * step:
        yield from csv_chunks(data, file=file, expected=expected)
        return
    bounds = io_csv._chunk_bounds(data, step)
    if bounds is None or len(bounds) < 3:
        yield from csv_chunks(data, file=file, expected=expected)
        return
    header_lines = 0
    prefix = b""
    columns: tuple[str, ...] = ()
    next_line = 1
    for number, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        first_line = next_line
        next_line += data.count(b"\n", lo, hi)
        if number == 0 and (head := _plain_head(data, hi, file=file, expected=expected)):
            header_lines = head.header_row
            prefix = data[: io_csv._after_lines(data, header_lines)]
            columns = head.columns
            yield head
            continue
        if number:
            frame = _plain_frame(data[lo:hi], columns, first_line)
            if frame is not None:
                yield RawTable(
                    file,
                    columns,
                    frame,
                    io_csv._no_malformed(),
                    (),
                    fatal=False,
                    header_row=header_lines,
                )
                continue
        try:
            text = ((prefix if number else b"") + data[lo:hi]).decode("utf-8")
        except UnicodeDecodeError:
            raise NotChunkable("not UTF-8") from None
        with io_csv._fields_of_any_length():
            table = io_csv._read_text(text, file=file, required=None, expected=expected)
        if table.fatal or any(p.row is None or " on line " in p.message for p in table.problems):
            raise NotChunkable("a problem about the file")
        if number == 0:
            header_lines = table.header_row
            prefix = data[: io_csv._after_lines(data, header_lines)]
            columns = table.columns
            yield table
            continue
        if any(p.row is not None and p.row <= header_lines for p in table.problems):
            raise NotChunkable("a problem at the header")  # pragma: no cover
        yield io_csv._shifted(table, first_line - header_lines - 1)
