"""The change-point cells added for issue 8: power with location intervals, per-day coverage.

The detector is replaced by stand-ins with known answers, so each estimand is
checked exactly (no Monte Carlo error).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

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


# --- the oracle one-change tests (true long-run variance; no package estimator) ------------


def test_the_true_long_run_variance_matches_the_variance_of_simulated_totals():
    # latent AR(1) log-rate, phi 0.8, sd 0.3, 3 a day: Var(total of n days) / n -> LRV.
    # 1000 SIMULATED series of 1000 days: the variance of their totals has a relative
    # s.e. of sqrt(2 / 1000) = 4.5% (near-normal totals); the bound is 3 s.e. The
    # finite-n bias (2 / n) sum h gamma_h is 0.2% here. Measured: 9.97 for 10.46 (ratio 0.953).
    proc = study.PROCESSES["ar0.8"]
    lrv = study._change_true_lrv("ar0.8", 3.0)
    rng = np.random.default_rng(50)
    totals = [study.simulate_counts(proc, 1000, 3.0, rng).counts.sum() for _ in range(1000)]
    assert np.var(totals, ddof=1) / 1000 == pytest.approx(lrv, rel=0.135)
    # Poisson: the mean; NB size 5: mu + mu^2 / 5
    assert study._change_true_lrv("poisson", 3.0) == pytest.approx(3.0)
    assert study._change_true_lrv("nb5", 3.0) == pytest.approx(3.0 + 9.0 / 5)


def test_the_oracle_statistic_is_the_standardised_bridge_at_its_maximum():
    x = np.r_[np.zeros(50), np.ones(50)]
    z, k = study._change_oracle_statistic(x, 0.25, "lr", 2)
    # at k = 50: |S_50 - 50 * 50 / 100| / sqrt(0.25 * 50 * 50 / 100) = 25 / 2.5
    assert k == 50 and z == pytest.approx(10.0)
    z, k = study._change_oracle_statistic(x, 0.25, "cusum", 2)
    assert k == 50 and z == pytest.approx(25.0 / 5.0)
    with pytest.raises(ValueError, match="statistic"):
        study._change_oracle_statistic(x, 1.0, "other", 2)


def test_the_oracle_cell_calibrates_on_null_series_and_reads_the_change_series():
    row = study.cp_oracle_power(R=20, seed=7, **SETTINGS, process="poisson", statistic="lr")
    assert row["n_used"] == 20 and row["null_series"] == 200
    assert row["null_false_alarm"] <= 0.05  # the 95% quantile of the null maxima
    assert row["estimate"] == 1.0  # a x2 change mid-series at 3 a day is never missed
    lo, hi = row["power_band"]
    assert lo <= row["estimate"] <= hi
