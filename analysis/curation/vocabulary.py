"""Controlled vocabularies for ``weapon`` and ``unit``, shipped in ``data/vocabulary/``.

Each vocabulary is a CSV file with the columns ``term`` (the canonical
value), ``synonyms`` (accepted spellings, separated by ``|``) and
``definition``. A value is compared after folding: case, surrounding spaces,
runs of spaces, hyphens and underscores do not matter, so ``Drone``, ``UAV``
and ``drone`` are all the weapon ``drone``. A value that is neither a term
nor a synonym is unknown: validation reports it by file, row and column and
never makes it a group of its own. To accept a new word, add it to the file
as a synonym (or as a new term with its definition).

The ``unit`` vocabulary has exactly the units of
:data:`analysis.curation.schema.UNITS`: claim, launch, interception, alert
and incident, which are never mixed (a rate of claims is not a rate of
launches). Words such as "attack" are deliberately absent: they could be a
claim or an incident, and the curator has to say which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.datasets import data_dir
from analysis.errors import DataError, DataNotFoundError, Problem

__all__ = ["VOCABULARIES", "Vocabulary", "fold_term", "load_vocabulary", "vocabulary_path"]

VOCABULARIES: tuple[str, ...] = ("weapon", "unit")
"""Names of the shipped vocabularies (``data/vocabulary/<name>.csv``)."""

_SPACES = re.compile(r"[\s_-]+")


def fold_term(value: str) -> str:
    """Fold a vocabulary value for comparison: case, spaces, hyphens, underscores.

    Examples
    --------
    >>> fold_term("  One-way_attack  DRONE ")
    'one way attack drone'
    """
    return _SPACES.sub(" ", value.strip().casefold()).strip()


@dataclass(frozen=True)
class Vocabulary:
    """A controlled vocabulary: canonical terms, their synonyms and definitions.

    Attributes
    ----------
    name : str
        ``"weapon"`` or ``"unit"`` (or the name given to a user's file).
    file : str
        Where it was read from.
    terms : tuple of str
        The canonical terms, in file order.
    definitions : dict
        Term -> definition.
    lookup : dict
        Folded term or synonym -> term.
    """

    name: str
    file: str
    terms: tuple[str, ...]
    definitions: dict[str, str] = field(repr=False)
    lookup: dict[str, str] = field(repr=False)

    def normalise(self, value: Any) -> str | None:
        """The canonical term for ``value``, or None when it is unknown (or not text).

        Examples
        --------
        >>> weapons = load_vocabulary("weapon")
        >>> weapons.normalise("UAV"), weapons.normalise("Drone"), weapons.normalise("balloon")
        ('drone', 'drone', None)
        """
        if not isinstance(value, str):
            return None
        return self.lookup.get(fold_term(value))

    def __contains__(self, value: object) -> bool:
        return self.normalise(value) is not None


def vocabulary_path(name: str) -> Path:
    """Path of a shipped vocabulary, ``data/vocabulary/<name>.csv``.

    Examples
    --------
    >>> vocabulary_path("unit").name
    'unit.csv'
    """
    if name not in VOCABULARIES:
        raise ValueError(f"vocabulary must be one of {', '.join(VOCABULARIES)}, not {name!r}")
    return data_dir() / "vocabulary" / f"{name}.csv"


def load_vocabulary(name: str, path: str | Path | None = None) -> Vocabulary:
    """Read and check a vocabulary file.

    Parameters
    ----------
    name : str
        ``"weapon"`` or ``"unit"`` for the shipped files, or any name when
        ``path`` is given.
    path : str or Path, optional
        A CSV file with ``term, synonyms, definition``; default the shipped
        ``data/vocabulary/<name>.csv`` (read once and cached).

    Returns
    -------
    Vocabulary

    Raises
    ------
    DataError
        A column is missing, a term or definition is empty, or one spelling
        (after folding) belongs to two terms; every problem with its row.
    DataNotFoundError
        The file does not exist.

    Examples
    --------
    >>> load_vocabulary("unit").terms
    ('claim', 'launch', 'interception', 'alert', 'incident')
    """
    if path is None:
        return _shipped(name)
    return _read(name, Path(path).expanduser())


@cache
def _shipped(name: str) -> Vocabulary:
    return _read(name, vocabulary_path(name))


def _read(name: str, path: Path) -> Vocabulary:
    if not path.is_file():
        raise DataNotFoundError(f"vocabulary file not found: {path}")
    file = str(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in ("term", "synonyms", "definition") if c not in frame.columns]
    if missing:
        raise DataError(
            [Problem(file, 1, c, None, "required column is missing") for c in missing],
            header=f"{file}: not a vocabulary (term, synonyms, definition)",
        )
    problems: list[Problem] = []
    terms: list[str] = []
    definitions: dict[str, str] = {}
    lookup: dict[str, str] = {}
    where: dict[str, int] = {}
    for pos, (term, synonyms, definition) in enumerate(
        zip(frame["term"], frame["synonyms"], frame["definition"], strict=True)
    ):
        row = pos + 2
        term = term.strip()
        if not term:
            problems.append(Problem(file, row, "term", None, "empty term"))
            continue
        if not definition.strip():
            problems.append(Problem(file, row, "definition", term, "a term needs a definition"))
        terms.append(term)
        definitions[term] = definition.strip()
        spellings = [("term", term)] + [
            ("synonyms", s.strip()) for s in synonyms.split("|") if s.strip()
        ]
        for column, spelling in spellings:
            key = fold_term(spelling)
            other = lookup.get(key)
            if other is not None and other != term:
                problems.append(
                    Problem(
                        file,
                        row,
                        column,
                        spelling,
                        f"'{spelling}' already means '{other}' (row {where[key]}): "
                        "one spelling, one term",
                    )
                )
                continue
            lookup[key] = term
            where.setdefault(key, row)
    if problems:
        raise DataError(problems, header=f"{file}: {len(problems)} problem(s) in the vocabulary")
    return Vocabulary(name, file, tuple(terms), definitions, lookup)
