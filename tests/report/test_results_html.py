"""The rich HTML of result objects (analysis._results): estimates with intervals, method, warnings.

Every series here is SIMULATED (analysis.validation.simulate_counts, fixed seeds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import analysis as it
from analysis._results import HTML_MAX_ROWS, Result
from analysis.validation import PROCESSES, simulate_counts

HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def _counts(process: str = "poisson", n: int = 120, seed: int = 3) -> pd.Series:
    return simulate_counts(PROCESSES[process], n, 3.0, np.random.default_rng(seed)).counts


@dataclass
class _Hostile(Result):
    """A result whose every string is hostile."""

    def summary(self) -> str:
        return f"Headline {HOSTILE}\nnote: {HOSTILE}"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"name": [HOSTILE], "rate": [5.857], "ci_low": [4.2], "ci_high": [7.94]}
        )

    @property
    def reason(self) -> str:
        return f"method {HOSTILE}"

    @property
    def notes(self) -> list[str]:
        return [f"warning {HOSTILE}"]


def test_hostile_strings_in_a_result_appear_escaped():
    html = _Hostile()._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4  # every place
    assert "5.9 (4.2-7.9)" in html


def test_a_hostile_value_in_a_real_result_appears_escaped():
    table = pd.DataFrame(
        {
            "incident_id": ["a"],
            "start": ["2024-11-04"],
            "weapon": [HOSTILE],
            "quantity": [2],
            "unit": ["launch"],
            "source_url": ["https://x.org/a"],
        }
    )
    report = it.validate_incidents(table)
    assert not report.ok
    html = report._repr_html_()
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_rate_html_is_a_table_with_the_interval_the_method_and_no_script():
    r = it.estimate_rate(_counts())
    html = r._repr_html_()
    assert "<script" not in html.lower()
    assert "rate (95% CI)" in html
    interval = re.search(r"rate \(95% CI\)</th><td[^>]*>([^<]+)<", html).group(1)
    low, high = (float(x) for x in re.search(r"\(([\d.]+)-([\d.]+)\)", interval).groups())
    assert low == pytest.approx(r.ci_low, abs=0.01) and high == pytest.approx(r.ci_high, abs=0.01)
    assert "Jeffreys" in html  # the method in words (its reason)
    assert "it-result-warnings" not in html  # nothing to warn about
    assert "<pre>" in html and "<details>" in html  # the text summary, folded away


def test_warnings_are_highlighted():
    c = _counts()
    r = it.estimate_rate(c, vintage=c.index[-1])  # the last 3 days are provisional
    html = r._repr_html_()
    box = re.search(r'<div class="it-result-warnings" role="note"[^>]*>(.*?)</div>', html).group(1)
    assert "provisional" in box


def test_long_tables_are_cut_and_say_so():
    fit = it.fit_trend(_counts("nb5", 200))
    html = fit._repr_html_()
    assert html.count("<tr>") <= HTML_MAX_ROWS + 1
    assert f"and {200 - HTML_MAX_ROWS:,} more rows" in html


def test_changepoint_html_shows_segments_with_intervals():
    c = _counts("nb5+ar0.8", 200, seed=5)
    cp = it.detect_changepoints(pd.concat([c[:100], c[100:] * 4]))
    html = cp._repr_html_()
    assert "rate (95% CI)" in html and "Change points:" in html
    assert "<script" not in html


def test_subclasses_with_their_own_html_keep_it():
    from analysis.rates._figures import FigureRates
    from analysis.validation._results import ValidationResults

    assert FigureRates._repr_html_ is not Result._repr_html_
    assert ValidationResults._repr_html_ is not Result._repr_html_
