"""Tests of analysis.curation.vocabulary (the shipped files and small made-up ones)."""

from __future__ import annotations

import pytest

from analysis.curation.schema import UNITS
from analysis.curation.vocabulary import (
    VOCABULARIES,
    fold_term,
    load_vocabulary,
    vocabulary_path,
)
from analysis.errors import DataError, DataNotFoundError


def write(tmp_path, text: str):
    path = tmp_path / "vocabulary.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_vocabularies_are_tracked_files():
    for name in VOCABULARIES:
        assert vocabulary_path(name).is_file(), f"tracked file {vocabulary_path(name)} missing"


def test_unit_terms_are_the_canonical_units():
    assert load_vocabulary("unit").terms == UNITS


@pytest.mark.parametrize(
    "spelling", ["drone", "Drone", "DRONE", "UAV", "uav", " UAVs ", "one-way attack drone"]
)
def test_drone_spellings_are_one_weapon(spelling):
    assert load_vocabulary("weapon").normalise(spelling) == "drone"


def test_unknown_and_non_text_values_are_none():
    weapons = load_vocabulary("weapon")
    assert weapons.normalise("balloon") is None
    assert weapons.normalise(None) is None
    assert weapons.normalise(3) is None
    assert "balloon" not in weapons and "Rocket" in weapons


def test_attack_is_not_a_unit():
    assert load_vocabulary("unit").normalise("attack") is None


def test_every_term_has_a_definition():
    for name in VOCABULARIES:
        vocabulary = load_vocabulary(name)
        assert all(vocabulary.definitions[t] for t in vocabulary.terms)


def test_fold_ignores_case_spaces_hyphens_and_underscores():
    assert fold_term(" Hostile_Aircraft  -intrusion ") == "hostile aircraft intrusion"


def test_a_user_file_is_read(tmp_path):
    path = write(tmp_path, "term,synonyms,definition\nkite,kites|Kite balloon,a kite\n")
    vocabulary = load_vocabulary("toys", path)
    assert vocabulary.terms == ("kite",) and vocabulary.normalise("kite-balloon") == "kite"


def test_one_spelling_for_two_terms_is_refused(tmp_path):
    text = "term,synonyms,definition\ndrone,UAV,a drone\nmissile,uav,a missile\n"
    with pytest.raises(DataError) as info:
        load_vocabulary("weapon", write(tmp_path, text))
    [problem] = info.value.problems
    assert (problem.row, problem.column, problem.value) == (3, "synonyms", "uav")
    assert "already means 'drone' (row 2)" in problem.message


def test_a_term_without_definition_is_refused(tmp_path):
    with pytest.raises(DataError) as info:
        load_vocabulary("weapon", write(tmp_path, "term,synonyms,definition\ndrone,,\n"))
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "definition")]


def test_an_empty_term_is_refused(tmp_path):
    with pytest.raises(DataError) as info:
        load_vocabulary("weapon", write(tmp_path, "term,synonyms,definition\n,UAV,a drone\n"))
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "term")]


def test_a_missing_column_is_refused(tmp_path):
    with pytest.raises(DataError, match="required column is missing"):
        load_vocabulary("weapon", write(tmp_path, "term,definition\ndrone,a drone\n"))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_vocabulary("weapon", tmp_path / "absent.csv")


def test_an_unknown_shipped_name_is_refused():
    with pytest.raises(ValueError, match="weapon, unit"):
        load_vocabulary("colour")


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("analysis.curation.vocabulary")
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_no_spelling_is_both_a_weapon_and_a_unit():
    """A value in the wrong column ('drones' as a unit) is never silently accepted."""
    weapons, units = load_vocabulary("weapon"), load_vocabulary("unit")
    assert set(weapons.lookup) & set(units.lookup) == set()
