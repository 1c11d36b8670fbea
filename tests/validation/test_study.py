"""The harness of the validation study: estimates, Monte Carlo errors, errors and undefined
replicates, unreadable answers. These tests check the harness, not whether the package meets
the study's targets (that is what the study measures). All data simulated."""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis
from analysis.validation import _study as study


def test_proportion_estimate_has_the_binomial_standard_error():
    p, se = study.proportion_estimate(30, 400)
    assert p == 0.075
    assert se == pytest.approx(math.sqrt(0.075 * 0.925 / 400))


def test_mean_estimate_has_the_standard_error_of_a_mean():
    x = np.array([0.8, 0.9, 1.0, 0.95, 0.85])
    mean, se = study.mean_estimate(x)
    assert mean == pytest.approx(x.mean())
    assert se == pytest.approx(x.std(ddof=1) / math.sqrt(5))


def test_estimates_of_no_replicate_are_nan():
    assert all(math.isnan(v) for v in (*study.proportion_estimate(0, 0), *study.mean_estimate([])))


def test_replicate_counts_every_failure_and_keeps_the_first_message():
    def one(rng):
        u = rng.uniform()
        if u < 0.3:
            raise ValueError(f"bad draw {u:.2f}")
        return u

    values, errors, undefined, first = study.replicate(one, 200, seed=1)
    assert len(values) + errors == 200 and undefined == 0
    assert 30 < errors < 90
    assert first is not None and first.startswith("ValueError: bad draw")


def test_replicate_is_reproducible_from_its_seed():
    a = study.replicate(lambda rng: rng.uniform(), 20, seed=5)[0]
    b = study.replicate(lambda rng: rng.uniform(), 20, seed=5)[0]
    c = study.replicate(lambda rng: rng.uniform(), 20, seed=6)[0]
    assert a == b != c


def test_replicate_lets_not_measurable_through():
    def one(rng):
        raise study.NotMeasurable("no interval")

    with pytest.raises(study.NotMeasurable, match="no interval"):
        study.replicate(one, 5, seed=0)


def _fake_claim(threshold):
    """A check_claim stand-in that rejects when the window total exceeds ``threshold``."""

    def check_claim(counts=None, *, total=None, exposure=None, claimed_rate=None, **_):
        events = int(counts.sum()) if counts is not None else int(total)
        return SimpleNamespace(consistent=events <= threshold)

    return check_claim


def test_claim_cell_estimates_a_known_rejection_rate(monkeypatch):
    # with the fake, a rejection is "Poisson(35) total > 45": a closed-form probability
    monkeypatch.setattr(analysis, "check_claim", _fake_claim(45), raising=False)
    row = study.claim_false_rejection(
        R=400, seed=3, process="poisson", window=7, rate=5.0, data="total"
    )
    truth = stats.poisson.sf(45, 35)
    assert row["n_used"] == 400 and row["errors"] == 0
    assert abs(row["estimate"] - truth) < 4 * math.sqrt(truth * (1 - truth) / 400)
    assert row["mc_se"] == pytest.approx(math.sqrt(row["estimate"] * (1 - row["estimate"]) / 400))


def test_cell_row_records_its_settings_seed_and_process(monkeypatch):
    monkeypatch.setattr(analysis, "check_claim", _fake_claim(45), raising=False)
    row = study.claim_false_rejection(R=5, seed=8, process="nb5", window=7, rate=5.0, data="daily")
    assert row["seed"] == 8 and row["R"] == 5 and row["process"] == "nb5"
    assert row["settings"] == {"window": 7, "rate": 5.0, "data": "daily"}
    assert row["function"] == "check_claim" and row["kind"] == "proportion"


def test_unreadable_answer_makes_the_cell_not_measurable(monkeypatch):
    monkeypatch.setattr(analysis, "check_claim", lambda *a, **k: SimpleNamespace(), raising=False)
    row = study.claim_false_rejection(
        R=5, seed=0, process="poisson", window=7, rate=5.0, data="daily"
    )
    assert row["estimate"] is None
    assert "no attribute 'consistent'" in row["not_measurable"]


def test_exceptions_of_the_api_are_counted_not_dropped(monkeypatch):
    calls = {"n": 0}

    def estimate_rate(counts, **kwargs):
        calls["n"] += 1
        if calls["n"] % 4 == 0:
            raise ValueError("every fourth call fails")
        return SimpleNamespace(ci_low=0.0, ci_high=100.0, method="fake")

    monkeypatch.setattr(analysis, "estimate_rate", estimate_rate, raising=False)
    row = study.rate_coverage(
        R=20, seed=0, process="poisson", window=7, rate=5.0, placement="alone"
    )
    assert row["errors"] == 5 and row["n_used"] == 15
    assert row["estimate"] == 1.0
    assert row["first_error"] == "ValueError: every fourth call fails"


def test_window_inside_a_series_is_passed_as_start_and_end(monkeypatch):
    seen = []

    def estimate_rate(counts, **kwargs):
        seen.append((len(counts), kwargs))
        return SimpleNamespace(ci_low=0.0, ci_high=100.0, method="fake")

    monkeypatch.setattr(analysis, "estimate_rate", estimate_rate, raising=False)
    study.rate_coverage(R=1, seed=0, process="poisson", window=28, rate=5.0, placement="inside")
    ((n, kwargs),) = seen
    assert n == study.INSIDE_LENGTH
    assert (kwargs["end"] - kwargs["start"]) == pd.Timedelta(days=27)


def _fake_detect(positions, low=-2, high=2):
    """A detect_changepoints stand-in reporting changes at fixed positions."""

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


def test_power_cell_finds_a_change_only_within_five_days(monkeypatch):
    settings = {"n": 365, "rate": 3.0, "ratio": 2.0, "at": "mid"}
    monkeypatch.setattr(analysis, "detect_changepoints", _fake_detect([182 + 5]), raising=False)
    assert study.cp_power(R=3, seed=0, **settings)["estimate"] == 1.0
    monkeypatch.setattr(analysis, "detect_changepoints", _fake_detect([182 + 6]), raising=False)
    assert study.cp_power(R=3, seed=0, **settings)["estimate"] == 0.0


def test_location_coverage_uses_the_nearest_change_and_skips_series_without_one(monkeypatch):
    settings = {"n": 365, "rate": 3.0, "ratio": 2.0, "at": "end-30"}
    monkeypatch.setattr(analysis, "detect_changepoints", _fake_detect([100, 336]), raising=False)
    assert study.cp_location_coverage(R=3, seed=0, **settings)["estimate"] == 1.0
    monkeypatch.setattr(analysis, "detect_changepoints", _fake_detect([]), raising=False)
    row = study.cp_location_coverage(R=3, seed=0, **settings)
    assert row["n_undefined"] == 3 and row["n_used"] == 0 and math.isnan(row["estimate"])


def test_segment_truth_is_the_mean_process_rate_over_the_segment(monkeypatch):
    # a detected change 10 days late: the first segment straddles the true change, and
    # an interval exactly around the straddled mean rate covers it
    def detect(counts, **_):
        seg = pd.DataFrame(
            {
                "start": [counts.index[0], counts.index[192]],
                "end": [counts.index[191], counts.index[-1]],
                "rate": [1.0, 2.0],
                "ci_low": [(182 * 3 + 10 * 6) / 192 - 1e-9, 6.0 - 1e-9],
                "ci_high": [(182 * 3 + 10 * 6) / 192 + 1e-9, 6.0 + 1e-9],
            }
        )
        iv = pd.DataFrame({"index_low": [190], "index_high": [194]})
        return SimpleNamespace(indices=np.array([192]), intervals=iv, segments=seg)

    monkeypatch.setattr(analysis, "detect_changepoints", detect, raising=False)
    row = study.cp_segment_coverage(R=2, seed=0, n=365, rate=3.0, ratio=2.0, at="mid")
    assert row["estimate"] == 1.0 and row["segments"] == 4


def test_missing_interval_columns_make_location_coverage_not_measurable(monkeypatch):
    def detect(counts, **_):
        res = _fake_detect([182])(counts)
        return SimpleNamespace(**{**vars(res), "intervals": pd.DataFrame({"low": [1]})})

    monkeypatch.setattr(analysis, "detect_changepoints", detect, raising=False)
    row = study.cp_location_coverage(R=2, seed=0, n=365, rate=3.0, ratio=2.0, at="mid")
    assert "index_low" in row["not_measurable"]


def test_rolling_cell_is_the_mean_share_of_covered_days(monkeypatch):
    def rolling_rate(counts, window):
        frame = pd.DataFrame(
            {"ci_low": [np.nan, 0.0, 0.0, 9.0], "ci_high": [np.nan, 10.0, 10.0, 10.0]}
        )
        return SimpleNamespace(to_frame=lambda: frame)

    monkeypatch.setattr(analysis, "rolling_rate", rolling_rate, raising=False)
    row = study.rolling_coverage(R=4, seed=0, process="poisson", rate=5.0)
    assert row["estimate"] == pytest.approx(2 / 3) and row["mc_se"] == 0.0


def test_width_ratio_of_the_exact_poisson_interval_is_one(monkeypatch):
    def estimate_rate(counts, **_):
        k, days = int(counts.sum()), len(counts)
        low = 0.0 if k == 0 else stats.chi2.ppf(0.025, 2 * k) / 2 / days
        return SimpleNamespace(ci_low=low, ci_high=stats.chi2.ppf(0.975, 2 * k + 2) / 2 / days)

    monkeypatch.setattr(analysis, "estimate_rate", estimate_rate, raising=False)
    row = study.rate_width_ratio(R=10, seed=0, window=7, rate=1.0)
    assert row["estimate"] == pytest.approx(1.0)


def test_forecast_total_that_is_not_a_triple_is_not_measurable(monkeypatch):
    fit = SimpleNamespace(forecast=lambda h: SimpleNamespace(total=None))
    monkeypatch.setattr(analysis, "fit_trend", lambda counts, **_: fit, raising=False)
    row = study.forecast_coverage(R=2, seed=0, process="poisson", horizon="14")
    assert "ForecastResult.total" in row["not_measurable"]


def test_the_three_cells_of_one_change_setting_analyse_each_series_once(monkeypatch):
    calls = []
    fake = _fake_detect([182])

    def detect(counts, **kw):
        calls.append(1)
        return fake(counts, **kw)

    monkeypatch.setattr(analysis, "detect_changepoints", detect, raising=False)
    s = {"R": 4, "seed": 12, "n": 365, "rate": 3.0, "ratio": 2.0, "at": "mid"}
    rows = [study.cp_power(**s), study.cp_location_coverage(**s), study.cp_segment_coverage(**s)]
    assert len(calls) == 4
    assert [r["n_used"] for r in rows] == [4, 4, 4]


def test_claim_cell_counts_only_the_decision_inconsistent_as_a_rejection(monkeypatch):
    # a stand-in whose decision is "cannot tell" on every window (consistent False):
    # not a rejection; one that says "inconsistent" on every window: always one
    def fake(decision):
        return lambda *a, **k: SimpleNamespace(consistent=False, decision=decision)

    monkeypatch.setattr(analysis, "check_claim", fake("cannot tell"), raising=False)
    row = study.claim_false_rejection(
        R=20, seed=1, process="poisson", window=7, rate=5.0, data="daily"
    )
    assert row["estimate"] == 0.0
    monkeypatch.setattr(analysis, "check_claim", fake("inconsistent"), raising=False)
    row = study.claim_power(
        R=20, seed=1, process="poisson", window=7, rate=5.0, data="daily", factor=1.5
    )
    assert row["estimate"] == 1.0 and row["settings"]["factor"] == 1.5
    assert "power against a claim of 1.5 x the rate" in row["estimand"]
