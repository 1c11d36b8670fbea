"""Trend-specific wording of relative changes and rate ratios."""

from __future__ import annotations

from analysis.trend._words import pct_words, rr_words


def test_a_rise_gets_a_plus_sign_and_a_fall_a_minus():
    assert pct_words(0.12, 0.08, 0.16, 0.95, "per week").startswith("+12% per week")
    assert pct_words(-0.12, -0.16, -0.08, 0.95, "per week").startswith("-12% per week")


def test_no_change_has_no_sign():
    assert pct_words(0.0, -0.01, 0.01, 0.9, "per week") == ("0.0% per week (90% CI -1.0% to 1.0%)")


def test_rate_ratios_from_two_on_are_read_as_times():
    assert rr_words(2.0, 1.5, 2.7, 0.95) == "2.0 times the rate (95% CI 1.5 to 2.7 times)"
    assert rr_words(1.99, 1.5, 2.7, 0.95).startswith("+99% in the rate")
