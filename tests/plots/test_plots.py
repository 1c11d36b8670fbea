"""analysis.plots: published figures by unit, alert incidents with their size, the map, events."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis._draw import SOURCE_LINE_GID


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _figs():
    return pd.DataFrame(  # SIMULATED figures
        {
            "period_start": ["2024-09-01", "2024-09-01", "2024-09-01", "2024-01-01"],
            "period_end": ["2024-09-30", "2024-09-30", "2024-09-30", "2024-12-31"],
            "value": [35, 18, 40, 400],
            "qualifier": ["exact", "exact", "at_least", "about"],
            "unit": ["claim", "claim", "launch", "launch"],
            "source_name": ["A", "B", "C", "D"],
            "origin": ["Iraq", "Iraq", "Lebanon", "Iran"],
        }
    )


def test_figure_rates_one_panel_per_unit_and_lower_bounds_drawn_open():
    table = it.figure_rate_table(_figs())
    fig = it.plot_figure_rates(table)
    assert len(fig.axes) == 2
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles == ["Claims per day", "Launches per day"]
    launches = fig.axes[1]
    open_marks = [
        line for line in launches.lines
        if line.get_marker() == ">" and line.get_markerfacecolor() == "white"
    ]  # fmt: skip
    assert len(open_marks) == 1  # the one "at least" figure
    arrows = [t for t in launches.texts if getattr(t, "arrow_patch", None) is not None]
    assert len(arrows) == 1  # an arrow: the true rate is at or above the mark
    assert any(t.get_gid() == SOURCE_LINE_GID for t in fig.texts)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert any("(A)" in x for x in labels) and any("(B)" in x for x in labels)  # sources told apart


def test_figure_rates_refuses_a_table_it_cannot_read():
    with pytest.raises(ValueError, match="figure_rate_table"):
        it.plot_figure_rates(pd.DataFrame({"rate": [1.0]}))
    with pytest.raises(ValueError, match="units"):
        it.plot_figure_rates(it.figure_rate_table(_figs()), units=["alert"])


def _daily(sizes=True):
    idx = pd.date_range("2024-04-10", periods=8, tz="Asia/Jerusalem")
    d = pd.DataFrame(  # SIMULATED
        {
            "incidents": [0, 1, 2, 6, 1, 0, 0, 3],
            "alert_rows": [0, 1, 3, 696, 2, 0, 0, 4],
            "localities": [0, 1, 2, 250, 2, 0, 0, 3],
        },
        index=idx,
    )
    if not sizes:
        d[["alert_rows", "localities"]] = pd.NA
    return d


def test_region_incidents_show_the_size_beside_the_count():
    fig = it.plot_region_incidents(_daily(), events=it.load_known_events())
    left, right = fig.axes
    assert "6 incidents" not in right.get_title(loc="left")
    assert "largest day 696" in right.get_title(loc="left")
    # the 13-14 April 2024 event is shaded and dated in the window
    assert any("13" in t.get_text() and "Apr" in t.get_text() for t in left.texts)


def test_region_incidents_without_sizes_say_so():
    fig = it.plot_region_incidents(_daily(sizes=False))
    assert any("not recorded" in t.get_text() for t in fig.axes[1].texts)


def test_mark_events_only_inside_the_window():
    s = pd.Series([1, 2, 3], index=pd.date_range("2024-09-22", periods=3))  # SIMULATED
    ax = it.plots.plot_counts(s)
    n_before = len(ax.patches)
    it.mark_events(ax, it.load_known_events())
    spans = len(ax.patches) - n_before
    events = it.load_known_events()
    lo, hi = pd.Timestamp("2024-09-22"), pd.Timestamp("2024-09-24")
    expected = int(
        ((events["end_date"] >= lo - pd.Timedelta(days=1)) & (events["date"] <= hi)).sum()
    )
    assert 1 <= spans <= expected
    with pytest.raises(ValueError, match="events"):
        it.mark_events(ax, pd.DataFrame({"date": []}))


def test_alert_map_draws_bundled_outlines_and_scales_dots_by_counts():
    loc = pd.DataFrame({"lat": [31.25, 33.2], "lng": [34.79, 35.57], "alert_rows": [10, 400]})
    ax = it.plot_alert_map(loc)
    outlines = it.load_country_outlines()
    rings = outlines.groupby(["iso_a3", "polygon", "ring"]).ngroups
    assert len(ax.lines) == rings
    dots = ax.collections[0]
    sizes = dots.get_sizes()
    assert sizes.max() / sizes.min() == pytest.approx(40)  # area proportional to alert rows
    assert ax.get_xlabel() == "longitude (degrees east)"
    with pytest.raises(ValueError, match="alert_locality_counts"):
        it.plot_alert_map(pd.DataFrame({"lat": [1.0]}))


def test_fit_regions_finds_a_simulated_change_and_skips_short_series():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=200)
    counts = pd.DataFrame(  # SIMULATED: a x4 change on day 100 in A, none in B
        {"A": np.r_[rng.poisson(2, 100), rng.poisson(8, 100)], "B": rng.poisson(3, 200)},
        index=idx,
    )
    fits = it.fit_regions(counts)
    table = fits.to_frame()
    assert table.loc["A", "changes"] == 1
    change = pd.Timestamp(table.loc["A", "change_dates"])
    assert abs((change - idx[100]).days) <= 5
    assert table.loc["B", "changes"] == 0
    fig = fits.plot(events=it.load_known_events(), source="Source: SIMULATED")
    assert len(fig.axes) == 2
    short = it.fit_regions(counts.iloc[:10])
    assert short.to_frame().empty and "fewer than 28" in short.summary()
    assert len(short.plot().axes) == 1
    with pytest.raises(TypeError, match="counts"):
        it.fit_regions(counts["A"])  # type: ignore[arg-type]


def test_fit_regions_shows_each_segment_rate_with_its_interval():
    rng = np.random.default_rng(3)
    idx = pd.date_range("2024-01-01", periods=200)
    counts = pd.DataFrame(  # SIMULATED: a x4 change on day 100
        {"A": np.r_[rng.poisson(2, 100), rng.poisson(8, 100)]}, index=idx
    )
    fits = it.fit_regions(counts)
    seg = fits.changepoints["A"].segments
    shown = fits.to_frame().loc["A", "incidents_per_day_by_segment"]
    want = " -> ".join(f"{r.rate:.2f} ({r.ci_low:.2f}-{r.ci_high:.2f})" for r in seg.itertuples())
    assert shown == want
    assert "95% intervals, conditional on the detected change dates" in fits.summary()


def test_label_chart_sets_everything_a_chart_needs():
    fig, ax = plt.subplots()
    it.label_chart(ax, title="T", xlabel="day", ylabel="incidents per day", source="Source: S")
    assert ax.get_xlabel() == "day" and ax.get_ylabel() == "incidents per day"
    assert any(t.get_text() == "Source: S" for t in fig.texts)
    with pytest.raises(ValueError, match="source"):
        it.label_chart(ax, title="T", source="")
