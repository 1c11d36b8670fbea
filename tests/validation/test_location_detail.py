"""``cp_location_coverage_detail``: why a location interval misses (near or far, early or late).

The detector is replaced by stand-ins with known answers (no Monte Carlo error).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.validation import _study as study

SETTINGS = {"n": 365, "rate": 3.0, "ratio": 2.0, "at": "mid"}  # true change at day 182


def _fake(positions, low, high):
    def detect(counts, **_):
        idx = np.asarray(positions, dtype=int)
        bounds = [0, *positions, len(counts)]
        seg = pd.DataFrame(
            {
                "start": [counts.index[a] for a in bounds[:-1]],
                "end": [counts.index[b - 1] for b in bounds[1:]],
                "rate": [counts.iloc[a:b].mean() for a, b in itertools.pairwise(bounds)],
                "ci_low": 0.0,
                "ci_high": 1e9,
            }
        )
        iv = pd.DataFrame({"index_low": idx + low, "index_high": idx + high})
        return SimpleNamespace(indices=idx, n_changes=idx.size, intervals=iv, segments=seg)

    return detect


@pytest.mark.parametrize(
    ("positions", "low", "high", "near", "far", "covered", "early"),
    [
        ([182], -3, 3, 3, 0, 1.0, None),  # covers
        ([175], -10, 6, 3, 0, 0.0, 1.0),  # near, ends the day before the change: early
        ([190], -5, 4, 3, 0, 0.0, 0.0),  # near, starts after it: late
        ([50, 300], -5, 5, 0, 3, 0.0, 0.0),  # nearest is 118 days late: far
    ],
)
def test_the_split_reads_each_detection(
    monkeypatch, positions, low, high, near, far, covered, early
):
    monkeypatch.setattr(analysis, "detect_changepoints", _fake(positions, low, high), raising=False)
    row = study.cp_location_coverage_detail(R=3, seed=0, **SETTINGS)
    assert row["estimate"] == covered and row["n_used"] == 3
    assert (row["near"], row["far"]) == (near, far)
    group = "near" if near else "far"
    assert row[f"{group}_coverage"] == covered
    assert row["miss_early_share"] == early
    # the same series and estimate as the coverage cell itself
    assert study.cp_location_coverage(R=3, seed=0, **SETTINGS)["estimate"] == covered


def test_no_detection_leaves_the_split_undefined(monkeypatch):
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([], 0, 0), raising=False)
    row = study.cp_location_coverage_detail(R=2, seed=0, **SETTINGS)
    assert row["n_used"] == 0 and row["n_undefined"] == 2
    assert np.isnan(row["estimate"]) and "near" not in row
