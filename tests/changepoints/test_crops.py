"""changepoint_path: CROPS finds every optimal segmentation over a penalty range."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.changepoints import PoissonCost, changepoint_path, detect_changepoints
from analysis.changepoints.search._dispatch import solve as _solve


@pytest.fixture
def counts():
    """SIMULATED counts with four changes of different sizes."""
    rng = np.random.default_rng(40)
    return np.concatenate([rng.poisson(r, 120) for r in (3, 4.5, 9, 5, 2)])


def test_path_matches_direct_solves_across_the_range(counts):
    path = changepoint_path(counts, cost="poisson", penalties=(2.0, 200.0))
    frame = path.to_frame()
    assert frame["n_changes"].is_monotonic_decreasing
    assert frame["cost"].is_monotonic_increasing
    cost = PoissonCost().fit(counts)
    # at penalties spread over the range, the exact solution has the path's count
    for beta in np.geomspace(2.0, 200.0, 40):
        row = frame[(frame["penalty_low"] <= beta) & (beta <= frame["penalty_high"])].iloc[0]
        assert len(_solve(cost, float(beta), "fpop", 2)[0]) == row["n_changes"]


def test_path_segmentation_equals_detect_at_that_penalty(counts):
    path = changepoint_path(counts, cost="poisson", penalties=(2.0, 200.0))
    direct = detect_changepoints(counts, cost="poisson", penalty=15.0)
    assert list(path.segmentation(15.0).indices) == list(direct.indices)
    row = path.to_frame().query("penalty_low <= 15.0 <= penalty_high").iloc[0]
    assert row["cost"] == pytest.approx(direct.cost)


def test_path_summary_dict_and_plot(counts):
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path = changepoint_path(counts, cost="poisson", penalties=("bic", "mbic"))
    assert "Penalty path" in path.summary()
    json.dumps(path.to_dict())
    fig, ax = plt.subplots()
    assert path.plot(ax=ax) is ax
    plt.close(fig)


def test_path_needs_an_exact_method(counts):
    with pytest.raises(ValueError, match="exact"):
        changepoint_path(counts, method="binseg")
    with pytest.raises(ValueError, match="low < high"):
        changepoint_path(counts, penalties=(10, 5))


def test_path_stops_at_max_segmentations_and_says_so(counts):
    path = changepoint_path(counts, cost="poisson", penalties=(0.5, 200.0), max_segmentations=5)
    assert not path.complete
    assert len(path.to_frame()) <= 6
    assert "INCOMPLETE" in path.summary()
    full = changepoint_path(counts, cost="poisson", penalties=(2.0, 200.0))
    assert full.complete
