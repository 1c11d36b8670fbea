"""Result objects of the change-point search (analysis/changepoints/_result.py)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.changepoints import Cost, detect_changepoints


def test_attributes_are_read_only(daily):
    res = detect_changepoints(daily)
    with pytest.raises(AttributeError):
        res.changepoints = []  # type: ignore[misc]
    seg = res.segments
    seg.loc[0, "rate"] = -1.0  # a copy: the result is unchanged
    assert res.segments.loc[0, "rate"] > 0


def test_summary_repr_and_json(daily):
    res = detect_changepoints(daily)
    text = res.summary()
    day = res.changepoints[0]
    assert day.strftime("%Y-%m-%d") in text and "rate" in text
    assert repr(res).startswith("<ChangepointResult>")
    payload = json.loads(json.dumps(res.to_dict()))
    assert payload["changepoints"] == [day.isoformat()]
    assert payload["segments"][1]["n"] == 240 - res.indices[0]


def test_plot_returns_axes(daily):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert detect_changepoints(daily).plot(ax=ax) is ax
    plt.close(fig)


def test_plot_legend_names_the_change_and_both_bands_once(daily):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    res = detect_changepoints(daily)
    assert res.n_changes >= 1
    labels = [t.get_text() for t in res.plot(ax=ax).get_legend().get_texts()]
    plt.close(fig)
    assert labels == [
        "data",
        "rate",
        "95% interval of the rate",
        "change (first day of the new segment)",
        "95% location interval",
    ]


@pytest.mark.parametrize(
    "index",
    [
        pd.period_range("2020-01", periods=200, freq="M"),
        pd.timedelta_range(0, periods=200, freq="h"),
    ],
    ids=["period", "timedelta"],
)
def test_period_and_timedelta_indexes_give_json_and_a_plot(index):
    import json

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(1)  # simulated counts: rate 2 then 7
    y = pd.Series(np.r_[rng.poisson(2, 100), rng.poisson(7, 100)], index=index)
    res = detect_changepoints(y)
    assert abs(int(res.indices[0]) - 100) <= 5
    assert res.changepoints[0] == index[res.indices[0]]
    json.dumps(res.to_dict())
    ax = res.plot()
    assert ax.lines
    plt.close("all")


class _L1(Cost):
    name = "l1"

    def error(self, start: int, end: int) -> float:
        seg = self.signal_[start:end]
        return float(np.abs(seg - np.median(seg)).sum())


def test_a_user_cost_result_has_segment_means_and_no_interval():
    y = np.r_[np.zeros(30), np.full(30, 5.0)] + np.tile([0.0, 0.5, -0.5], 20)
    res = detect_changepoints(y, cost=_L1(), penalty=3.0)
    assert list(res.segments.columns) == ["start", "end", "n", "mean"]
    assert "segments (mean):" in res.summary()
    json.dumps(res.to_dict())
