"""The change-point cells added for issue 8: power with location intervals, per-day coverage.

The detector is replaced by stand-ins with known answers, so each estimand is
checked exactly (no Monte Carlo error).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd

import analysis
from analysis.validation import _run
from analysis.validation import _study as study

SETTINGS = {"n": 365, "rate": 3.0, "ratio": 2.0, "at": "mid"}  # true change at day 182


def _fake(positions, low, high, ci=(0.0, 1e9)):
    def detect(counts, **_):
        idx = np.asarray(positions, dtype=int)
        bounds = [0, *positions, len(counts)]
        seg = pd.DataFrame(
            {
                "start": [counts.index[a] for a in bounds[:-1]],
                "end": [counts.index[b - 1] for b in bounds[1:]],
                "rate": [counts.iloc[a:b].mean() for a, b in itertools.pairwise(bounds)],
                "ci_low": ci[0],
                "ci_high": ci[1],
            }
        )
        iv = pd.DataFrame({"index_low": idx + low, "index_high": idx + high})
        return SimpleNamespace(indices=idx, n_changes=idx.size, intervals=iv, segments=seg)

    return detect


def test_power_counts_a_change_whose_location_interval_holds_the_true_day(monkeypatch):
    # reported 20 days late, interval from 25 days before to 2 after: the +-5-day rule
    # misses it, issue 8's power finds it
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([202], -25, 2), raising=False)
    assert study.cp_power(R=3, seed=0, **SETTINGS)["estimate"] == 0.0
    row = study.cp_power_interval(R=3, seed=0, **SETTINGS)
    assert row["estimate"] == 1.0 and row["found_within_days"] == 0.0
    assert "location interval contains the true day" in row["estimand"]


def test_power_needs_the_interval_or_five_days(monkeypatch):
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([202], -19, 2), raising=False)
    assert study.cp_power_interval(R=3, seed=0, **SETTINGS)["estimate"] == 0.0
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([187], 0, 0), raising=False)
    assert study.cp_power_interval(R=3, seed=0, **SETTINGS)["estimate"] == 1.0
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([], 0, 0), raising=False)
    assert study.cp_power_interval(R=3, seed=0, **SETTINGS)["estimate"] == 0.0


def test_a_missed_change_covers_its_segment_mean_but_not_each_day(monkeypatch):
    # one segment over the whole series; an interval around the mean rate 4.5 only
    mean = (182 * 3.0 + 183 * 6.0) / 365
    fake = _fake([], 0, 0, ci=(mean - 1e-9, mean + 1e-9))
    monkeypatch.setattr(analysis, "detect_changepoints", fake, raising=False)
    assert study.cp_segment_coverage(R=2, seed=0, **SETTINGS)["estimate"] == 1.0
    assert study.cp_segment_day_coverage(R=2, seed=0, **SETTINGS)["estimate"] == 0.0
    # an interval from 3 to 4.5 holds the 182 days at 3 a day, not the 183 at 6
    monkeypatch.setattr(analysis, "detect_changepoints", _fake([], 0, 0, (3.0, 4.5)), raising=False)
    day = study.cp_segment_day_coverage(R=2, seed=0, **SETTINGS)
    assert day["estimate"] == 182 / 365


def test_the_segment_estimand_is_stated_precisely():
    row = study.cp_segment_coverage(R=1, seed=0, **SETTINGS)
    assert "mean true rate over the days of the estimated segment" in row["estimand"]
    assert "given the segmentation chosen from the same data" in row["estimand"]


def test_targets_of_the_change_cells():
    cells = [c for c in _run.build_cells("full") if "ratio" in c.settings]
    by_name: dict[str, set[str]] = {}
    for c in cells:
        by_name.setdefault(c.func.__name__, set()).add(c.target.text)
    assert by_name["cp_power"] == {_run.NO_TARGET.text}  # location accuracy, reported
    assert by_name["cp_segment_day_coverage"] == {_run.NO_TARGET.text}
    mid = {c.target.text for c in cells if c.func is study.cp_power_interval and "mid" in c.key}
    assert mid == {_run.POWER.text}
    procs = {c.settings.get("process", "poisson") for c in cells}
    assert {"poisson", "nb5", "ar0.8"} <= procs
