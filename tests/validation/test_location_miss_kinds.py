"""``cp_location_coverage_detail`` counts three kinds of miss: narrow, far, truncated at the end.

The detector is replaced by stand-ins with known answers (no Monte Carlo error).
"""

from __future__ import annotations

import pytest

import analysis
from analysis.validation import _study as study
from tests.validation.test_location_detail import _fake


@pytest.mark.parametrize(
    ("at", "positions", "low", "high", "kinds"),
    [
        ("mid", [182], -3, 3, (0, 0, 0)),  # covers: no miss
        ("mid", [175], -10, 6, (3, 0, 0)),  # the change itself, interval too narrow
        ("mid", [50, 300], -5, 5, (0, 3, 0)),  # a detection 118 days away: far
        ("end-30", [350], -5, 13, (0, 0, 3)),  # true day 335; interval 345..363 = n - min_size
        ("end-30", [350], -5, 12, (3, 0, 0)),  # ends at 362, one short of the end: narrow
    ],
)
def test_each_miss_is_counted_once_in_its_kind(monkeypatch, at, positions, low, high, kinds):
    monkeypatch.setattr(analysis, "detect_changepoints", _fake(positions, low, high), raising=False)
    row = study.cp_location_coverage_detail(R=3, seed=0, n=365, rate=3.0, ratio=2.0, at=at)
    assert (row["miss_narrow"], row["miss_far"], row["miss_truncated_end"]) == kinds
    assert sum(kinds) == round(3 * (1 - row["estimate"]))
