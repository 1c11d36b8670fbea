"""Tests of the online result object (analysis/changepoints/online/_result.py).

All series here are simulated (fixed seeds).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints.online import OnlineChangepoints, online_changepoints


def test_keeps_datetime_index():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=400, freq="D")
    y = pd.Series(np.concatenate([rng.poisson(2, 250), rng.poisson(8, 150)]), index=idx)
    res = online_changepoints(y)
    assert res.change_probability.index.equals(idx)
    assert res.run_length.index.equals(idx)
    assert res.to_frame().index.equals(idx)
    assert len(res.changepoints) == 1
    assert abs((res.changepoints[0] - idx[250]).days) <= 5


@pytest.fixture(scope="module")
def dated_result():
    idx = pd.date_range("2024-01-01", periods=300, freq="D")
    rng = np.random.default_rng(4)
    y = pd.Series(np.concatenate([rng.poisson(1, 150), rng.poisson(6, 150)]), index=idx)
    return online_changepoints(y)


def test_to_dict_is_json_friendly(dated_result):
    d = json.loads(json.dumps(dated_result.to_dict()))
    assert d["family"] == "poisson"
    assert d["changepoints"][0].startswith("2024-")


def test_summary_names_changes_as_dates(dated_result):
    assert "new segment from 2024-" in dated_result.summary()
    assert "00:00:00" not in dated_result.summary()


def test_repr_is_the_summary(dated_result):
    assert isinstance(dated_result, OnlineChangepoints)
    assert "hazard" in repr(dated_result)


def test_model_attribute_is_a_deprecated_alias_of_family(dated_result):
    with pytest.warns(DeprecationWarning, match="family"):
        assert dated_result.model == dated_result.family == "poisson"


def test_plot_returns_figure_or_axes():
    plt = pytest.importorskip("matplotlib.pyplot")
    rng = np.random.default_rng(8)
    res = online_changepoints(np.concatenate([rng.poisson(2, 100), rng.poisson(7, 100)]))
    fig = res.plot()
    assert len(fig.axes) == 2
    _, ax = plt.subplots()
    assert res.plot(ax=ax, panel="run_length") is ax
    plt.close("all")


def test_unknown_panel_is_refused(dated_result):
    with pytest.raises(ValueError, match="panel"):
        dated_result.plot(panel="everything")


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2000-01", periods=200, freq="M"),
        pd.timedelta_range(0, periods=200, freq="h"),
    ],
)
def test_period_and_timedelta_index_give_json_and_plots(index):
    import matplotlib.pyplot as plt

    # simulated: rate 3 then 9 from step 100
    rng = np.random.default_rng(4)
    y = pd.Series(np.r_[rng.poisson(3, 100), rng.poisson(9, 100)], index=index)
    res = online_changepoints(y)
    assert len(res.indices) == 1
    data = json.loads(json.dumps(res.to_dict()))
    assert data["changepoints"] == [str(res.changepoints[0])]
    fig = res.plot()
    assert len(fig.axes) == 2
    plt.close(fig)
