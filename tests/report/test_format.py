"""analysis._format table helpers: dates, numbers, intervals, lists, sources; all escaped."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from analysis._format import format_interval, format_source, format_table


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((5.857, 4.2, 7.94), {}, "5.9 (4.2-7.9)"),
        ((58.57, 42.0, 79.4), {}, "59 (42-79)"),
        ((0.351, 0.21, 0.5), {}, "0.35 (0.21-0.50)"),
        ((1234.0, 1100.0, 1400.0), {}, "1,234 (1,100-1,400)"),
        ((5.86, 5.84, 5.88), {}, "5.860 (5.840-5.880)"),  # the width keeps two digits
        ((3.26, 1, 6), {}, "3.3 (1-6)"),  # whole-number prediction bounds stay whole
        ((-0.3, -0.52, 0.1), {"digits": 2}, "-0.30 (-0.52 to 0.10)"),
        ((5.9, 4.2, math.inf), {}, "5.9 (4.2-∞)"),
        ((25.496, 24.97, math.inf), {}, "25.5 (25.0-∞)"),  # one-sided: not "25 (25-∞)"
        ((0.4457, 0.3755, math.inf), {}, "0.45 (0.38-∞)"),
        ((12.0, math.nan, math.nan), {}, "12 (no interval)"),
        ((None, 4.2, 7.9), {}, "4.2-7.9"),
        ((math.nan, math.nan, math.nan), {}, "-"),
        ((np.float64(5.857), np.float64(4.2), np.float64(7.94)), {"digits": 0}, "6 (4-8)"),
    ],
)
def test_format_interval(args, kwargs, expected):
    assert format_interval(*args, **kwargs) == expected


def test_format_interval_of_dates_uses_words_not_hyphens():
    d = pd.Timestamp
    text = format_interval(d("2024-04-13"), d("2024-04-10"), d("2024-04-15 00:00"))
    assert text == "2024-04-13 (2024-04-10 to 2024-04-15)"


@pytest.mark.parametrize("bad", [-1, 1.5, "2"])
def test_format_interval_refuses_bad_digits_naming_them(bad):
    with pytest.raises(ValueError, match="digits"):
        format_interval(1.0, 0.5, 2.0, digits=bad)


def test_format_interval_refuses_text_naming_the_arguments():
    with pytest.raises(ValueError, match="est, lo and hi"):
        format_interval("five", 4, 6)


def test_format_source_escapes_and_only_links_web_addresses():
    assert format_source("https://www.jns.org/a?x=1&y=2") == (
        '<a href="https://www.jns.org/a?x=1&amp;y=2" title="https://www.jns.org/a?x=1&amp;y=2">'
        "jns.org</a>"
    )
    hostile = format_source('https://x.org/"><script>alert(1)</script>', name="<b>X</b>")
    assert "<script>" not in hostile and "<b>" not in hostile
    assert hostile.count("<a ") == 1 and "&quot;&gt;&lt;script&gt;" in hostile
    assert format_source("javascript:alert(1)", "bad") == "bad (javascript:alert(1))"
    assert format_source(" ", "IRI (Telegram), post 4512") == "IRI (Telegram), post 4512"
    assert format_source(float("nan")) == ""


def _cells(styler) -> pd.DataFrame:
    return styler.data


def test_format_table_dates_without_times_and_offsets():
    days = pd.date_range("2023-10-18", periods=3, freq="D", tz="Asia/Jerusalem")
    html = format_table(pd.DataFrame({"day": days, "n": [1, 2, 3]})).to_html()
    assert "2023-10-18" in html and "00:00" not in html and "+03:00" not in html


def test_format_table_keeps_times_that_matter_and_names_the_zone():
    t = pd.to_datetime(["2024-04-13 21:40", "2024-04-14 02:05"]).tz_localize("Asia/Jerusalem")
    cells = _cells(format_table(pd.DataFrame({"start": t})))
    assert list(cells.columns) == ["start (Asia/Jerusalem)"]
    assert list(cells.iloc[:, 0]) == ["2024-04-13 21:40", "2024-04-14 02:05"]


def test_format_table_date_index_is_shown_as_dates():
    frame = pd.DataFrame({"rate": [1.25, 2.5]}, index=pd.date_range("2024-01-01", periods=2))
    html = format_table(frame).to_html()
    assert "2024-01-01" in html and "00:00:00" not in html


def test_format_table_merges_intervals_and_reads_the_level():
    frame = pd.DataFrame(
        {"rate": [5.857, 12.3], "ci_low": [4.2, 9.81], "ci_high": [7.94, 15.2], "level": 0.95}
    )
    cells = _cells(format_table(frame))
    assert list(cells.columns) == ["rate (95% CI)"]
    # the second interval's width (5.4) keeps its two digits
    assert list(cells.iloc[:, 0]) == ["5.9 (4.2-7.9)", "12.3 (9.8-15.2)"]
    prefixed = pd.DataFrame({"ratio": [1.7], "ratio_low": [1.2], "ratio_high": [2.4]})
    assert _cells(format_table(prefixed)).iloc[0, 0] == "1.7 (1.2-2.4)"
    forecast = pd.DataFrame({"mean": [3.26], "pi_low": [1], "pi_high": [6]})
    assert list(_cells(format_table(forecast, level=0.9)).columns) == ["mean (90% PI)"]


def test_format_table_date_intervals_pair_dates_with_dates():
    frame = pd.DataFrame(
        {
            "changepoint": pd.to_datetime(["2024-04-13"]),
            "low": pd.to_datetime(["2024-04-10"]),
            "high": pd.to_datetime(["2024-04-15"]),
            "ratio": [3.1],
        }
    )
    cells = _cells(format_table(frame))
    assert cells.iloc[0, 0] == "2024-04-13 (2024-04-10 to 2024-04-15)"
    assert cells.iloc[0, 1] == "3.1"  # the ratio is not mistaken for the estimate


def test_format_table_numbers_integers_and_p_values():
    frame = pd.DataFrame(
        {"n": [42002, 7], "x": [1234.5, 3.2], "y": [0.0123, 0.5], "p_value": [0.0004, 0.35]}
    )
    cells = _cells(format_table(frame))
    assert list(cells["n"]) == ["42,002", "7"]
    assert list(cells["x"]) == ["1,234.5", "3.2"]  # no value loses its second digit
    assert list(cells["y"]) == ["0.012", "0.500"]
    assert list(cells["p_value"]) == ["&lt; 0.001", "0.35"]
    assert list(_cells(format_table(frame, digits=1))["y"]) == ["0.0", "0.5"]


def test_format_table_durations_read_as_durations():
    gaps = pd.to_timedelta(["7D", "1D", "10min", "150min"])
    cells = _cells(format_table(pd.DataFrame({"gap": gaps})))
    assert list(cells["gap"]) == ["7 days", "1 day", "10 min", "2 h 30 min"]


def test_format_table_bounds_without_an_estimate_are_an_interval_column():
    cells = _cells(format_table(pd.DataFrame({"pi_low": [1], "pi_high": [6]}), level=0.95))
    assert list(cells.columns) == ["95% PI"] and cells.iloc[0, 0] == "1-6"


def test_format_table_lists_of_dates_are_shown_in_full():
    dates = list(pd.date_range("2023-10-07", periods=12, freq="14D"))
    cells = _cells(format_table(pd.DataFrame({"changes": [dates]})))
    assert cells.iloc[0, 0] == ", ".join(str(d.date()) for d in dates)


def test_format_table_escapes_every_string_and_links_sources():
    frame = pd.DataFrame(
        {
            "note": ['<script>alert("x")</script> & <b>co</b>'],
            "source_name": ["A <news> site"],
            "source_url": ["https://example.org/a?b=<c>"],
            "<th>": ["label"],
        }
    )
    html = format_table(frame).to_html()
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;" in html and "&lt;b&gt;co&lt;/b&gt;" in html
    assert ">&lt;th&gt;</th>" in html  # a column label is escaped too
    assert '<a href="https://example.org/a?b=&lt;c&gt;"' in html
    assert ">A &lt;news&gt; site</a>" in html
    assert 'class="it-table"' in html


def test_format_table_links_every_address_column():
    frame = pd.DataFrame(
        {"evidence_url": ["https://www.shafaq.com/en/x"], "source_url": [None]}
    ).assign(source_name=["IRI"])
    cells = _cells(format_table(frame))
    assert list(cells.columns) == ["evidence", "source"]
    assert cells.iloc[0, 0].endswith(">shafaq.com</a>") and cells.iloc[0, 1] == "IRI"


def test_format_table_marks_numeric_and_long_text_cells_for_the_style_sheet():
    frame = pd.DataFrame({"rate": [5.9], "note": ["a long note " * 6]})
    html = format_table(frame).to_html()
    assert re.search(r'class="[^"]*it-num[^"]*"\s*>5.9<', html)
    assert re.search(r'class="[^"]*it-text[^"]*"', html)


def test_format_table_keeps_numbers_joined_as_text_on_one_line():
    frame = pd.DataFrame(
        {
            "by_segment": ["2.85 (2.03-4.21) -> 5.73 (3.70-7.70) -> 16.67 (6.09-28.70)", "1.5"],
            "change_dates": ["2024-01-07, 2024-02-11, 2024-03-03, 2024-04-14, 2024-05-05", "none"],
            "note": ["a long note with 3 numbers in 2 places " * 2, "x"],
        }
    )
    html = format_table(frame).to_html()
    assert re.search(r'class="[^"]*it-num[^"]*"\s*>2.85 \(2.03-4.21\) -&gt; 5.73', html)
    assert re.search(r'class="[^"]*it-num[^"]*"\s*>2024-01-07, 2024-02-11', html)
    assert re.search(r'class="[^"]*it-text[^"]*"\s*>a long note', html)


def test_format_table_refuses_bad_input_naming_the_parameter():
    with pytest.raises(TypeError, match="frame must be a pandas DataFrame"):
        format_table([[1, 2]])
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        format_table(pd.DataFrame({"a": [1]}), level=95)
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValueError, match="frame has duplicate column names"):
        format_table(dup)


def test_format_table_finds_the_estimate_of_prefixed_bounds():
    # two intervals whose estimate columns have other names (SIMULATED numbers)
    t = pd.DataFrame(
        {
            "rate_before": [3.1],
            "before_low": [2.5],
            "before_high": [3.7],
            "rate_after": [0.9],
            "after_low": [0.7],
            "after_high": [1.2],
        }
    )
    shown = format_table(t).data.columns.tolist()
    assert "rate_before (interval)" in shown and "rate_after (interval)" in shown
    assert "before_low" not in shown and "rate_before" not in shown


def test_format_table_labels_bounds_with_no_estimate_at_all_by_their_prefix():
    t = pd.DataFrame({"a_low": [1.0], "a_high": [2.0], "b_low": [1.0], "b_high": [3.0]})
    assert format_table(t).data.columns.tolist() == ["a (interval)", "b (interval)"]


def test_format_table_digits_apply_after_a_numeric_text_column():
    frame = pd.DataFrame({"by_segment": ["2.85 (2.03-4.21) -> 5.73"], "rate": [1.23456]})
    assert _cells(format_table(frame, digits=2)).iloc[0, 1] == "1.23"
