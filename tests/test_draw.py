"""analysis._draw: the house style (opt-in, restored) and the source line under a chart."""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
import pytest

import analysis as it
from analysis._draw import OKABE_ITO, SOURCE_LINE_GID


def test_house_style_is_confined_to_its_block():
    before = dict(mpl.rcParams)
    with it.house_style():
        assert mpl.rcParams["date.converter"] == "concise"
        colours = [c.upper().lstrip("#") for c in mpl.rcParams["axes.prop_cycle"].by_key()["color"]]
        assert colours == [c.lstrip("#") for c in OKABE_ITO]
    assert mpl.rcParams["date.converter"] == before["date.converter"]
    assert mpl.rcParams["axes.prop_cycle"] == before["axes.prop_cycle"]


def test_use_house_style_changes_the_session_only_when_called():
    with mpl.rc_context():
        it.use_house_style()
        assert mpl.rcParams["axes.spines.top"] is False
    assert mpl.rcParams["axes.spines.top"] == mpl.rcParamsDefault["axes.spines.top"]


def test_okabe_ito_palette_is_the_published_one():
    # Okabe & Ito (2008): the eight colours, as hex
    assert set(OKABE_ITO) == {
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"
    }  # fmt: skip


def test_source_line_sits_under_everything_and_is_replaced_not_stacked():
    fig, ax = plt.subplots()
    s = pd.Series([1, 3, 2], index=pd.date_range("2024-01-01", periods=3))  # SIMULATED
    ax.bar(s.index, s.to_numpy())
    ax.set_xlabel("day")
    line = it.add_source_line(ax, "Source: simulated")
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    text_box = line.get_window_extent(renderer)
    axes_box = ax.get_tightbbox(renderer)
    assert text_box.y1 <= axes_box.y0 + 1e-6  # below the tick labels and the x label
    it.add_source_line(fig, "Source: replaced")
    lines = [t for t in fig.texts if t.get_gid() == SOURCE_LINE_GID]
    assert [t.get_text() for t in lines] == ["Source: replaced"]
    plt.close(fig)


def test_long_source_lines_wrap_and_dollars_stay_plain():
    fig, ax = plt.subplots(figsize=(4, 3))
    line = it.add_source_line(ax, "Source: " + "a very long attribution $5 " * 12)
    assert "\n" in line.get_text()
    assert line.get_parse_math() is False
    plt.close(fig)


def test_source_line_errors_name_the_parameter():
    fig, ax = plt.subplots()
    with pytest.raises(TypeError, match="fig_or_ax"):
        it.add_source_line("not a figure", "x")
    with pytest.raises(TypeError, match="text"):
        it.add_source_line(ax, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="text"):
        it.add_source_line(ax, "  ")
    plt.close(fig)
