"""The design matrix: breaks, events, spline basis and knots (SIMULATED data)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from analysis.trend import fit_trend
from analysis.trend._design import default_knots, natural_spline_basis


def test_break_column_is_a_step_from_its_date(nb_counts):
    d = fit_trend(nb_counts, breaks=["2024-02-01"]).design["shift[2024-02-01]"]
    assert (d[:"2024-01-31"] == 0).all() and (d["2024-02-01":] == 1).all()


def test_piecewise_needs_breaks(nb_counts):
    with pytest.raises(ValueError, match="piecewise"):
        fit_trend(nb_counts, trend="piecewise")


def test_break_and_step_event_on_same_date_are_collinear(nb_counts):
    events = pd.DataFrame({"date": ["2024-03-01"], "name": ["x"], "kind": ["step"]})
    with pytest.raises(ValueError, match="collinear"):
        fit_trend(nb_counts, breaks=["2024-03-01"], events=events)


def test_break_outside_the_data_is_an_error(nb_counts):
    with pytest.raises(ValueError, match="do not vary"):
        fit_trend(nb_counts, breaks=["2030-01-01"])
    with pytest.raises(ValueError, match="do not vary"):
        fit_trend(nb_counts, breaks=[nb_counts.index[0]])


def test_event_outside_the_data_is_an_error(ok):
    events = pd.DataFrame({"date": ["2025-01-10"], "name": ["later"]})
    with pytest.raises(ValueError, match=r"pulse\[later\]"):
        fit_trend(ok, events=events)


def test_forecast_keeps_steps_and_ends_pulses(nb_counts):
    events = pd.DataFrame(
        {"date": ["2024-05-01", "2024-07-15"], "name": ["a", "b"], "kind": ["step", "pulse"],
         "duration": [None, 10]}
    )  # fmt: skip
    res = fit_trend(nb_counts, events=events, breaks=["2024-03-01"])
    future = res._f.spec.matrix(pd.date_range("2024-07-19", periods=5, freq="D"))
    assert (future["step[a]"] == 1).all() and (future["shift[2024-03-01]"] == 1).all()
    # the pulse of 10 days from 2024-07-15 runs to 2024-07-24 inclusive
    assert future["pulse[b]"].tolist() == [1, 1, 1, 1, 1]
    later = res._f.spec.matrix(pd.date_range("2024-07-25", periods=3, freq="D"))
    assert (later["pulse[b]"] == 0).all()


def test_natural_spline_basis_is_linear_outside_the_boundary_knots():
    knots = np.array([0.0, 0.3, 0.6, 1.0])
    x = np.linspace(1.0, 3.0, 9)
    b = natural_spline_basis(x, knots)
    assert_allclose(np.diff(b, 2, axis=0), 0, atol=1e-12)
    x_left = np.linspace(-2.0, 0.0, 9)
    assert_allclose(np.diff(natural_spline_basis(x_left, knots), 2, axis=0), 0, atol=1e-12)


def test_default_knot_rule():
    assert [default_knots(d) for d in (30, 84, 200, 365, 5000)] == [1, 2, 4, 8, 10]
