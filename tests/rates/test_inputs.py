"""Tests of analysis.rates._inputs: bad counts, totals, exposures, levels, units and windows.

All data are hand-made.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.errors import DataError
from analysis.rates import (
    compare_rates,
    estimate_rate,
    rolling_rate,
)
from tests.rates.conftest import daily


def test_start_and_end_restrict_the_counts_inclusively():
    s = daily([9, 1, 2, 3, 9])
    r = estimate_rate(s, start="2024-01-02", end="2024-01-04", family="poisson")
    assert (r.events, r.exposure) == (6, 3.0)


def test_window_without_periods_is_an_error():
    with pytest.raises(ValueError, match="no periods"):
        estimate_rate(daily([1, 2]), start="2025-01-01")


def test_total_with_start_and_end_derives_exposure():
    r = estimate_rate(total=41, start="2024-10-29", end="2024-11-04")
    assert r.exposure == 7.0
    assert r.start == pd.Timestamp("2024-10-29")


def test_total_with_inconsistent_exposure_and_dates_is_an_error():
    with pytest.raises(ValueError, match="disagrees"):
        estimate_rate(total=41, exposure=6, start="2024-10-29", end="2024-11-04")


def test_negative_counts_are_reported_with_row_and_date():
    with pytest.raises(DataError, match="negative count on 2024-01-02") as info:
        estimate_rate(daily([1, -2, 3]))
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "count")]


def test_non_integer_counts_are_reported():
    with pytest.raises(DataError, match="whole number"):
        estimate_rate(daily([1.0, 2.5, 3.0]))


def test_missing_counts_are_reported_not_dropped():
    with pytest.raises(DataError, match="missing"):
        estimate_rate(daily([1.0, np.nan, 3.0]))


def test_all_bad_counts_are_reported_at_once():
    with pytest.raises(DataError) as info:
        estimate_rate(daily([-1.0, 0.5, np.nan]))
    assert len(info.value.problems) == 3


def test_series_without_datetime_index_is_an_error():
    with pytest.raises(TypeError, match=r"DatetimeIndex.*or give total= and exposure="):
        estimate_rate(pd.Series([1, 2, 3]))


def test_irregular_dates_are_an_error_not_a_silent_gap():
    s = pd.Series([1, 2, 3], index=pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-05"]))
    with pytest.raises(DataError, match="not a regular series") as info:
        estimate_rate(s)
    assert [p.value for p in info.value.problems] == ["2024-01-03", "2024-01-04"]


def test_dataframe_of_groups_is_refused_with_advice():
    with pytest.raises(TypeError, match="one column"):
        estimate_rate(pd.DataFrame({"a": daily([1, 2])}))  # type: ignore[arg-type]


@pytest.mark.parametrize("exposure", [0, -7, float("nan"), float("inf"), "7"])
def test_exposure_must_be_positive(exposure):
    with pytest.raises(ValueError, match="exposure"):
        estimate_rate(total=41, exposure=exposure)


@pytest.mark.parametrize("total", [-1, 2.5, float("nan"), "41"])
def test_total_must_be_a_whole_number(total):
    with pytest.raises(ValueError, match="total"):
        estimate_rate(total=total, exposure=7)


def test_total_needs_exposure():
    with pytest.raises(ValueError, match="exposure"):
        estimate_rate(total=41)


def test_counts_and_total_together_are_refused():
    with pytest.raises(ValueError, match="not both"):
        estimate_rate(daily([1, 2]), total=3, exposure=2)


def test_nothing_given_is_an_error():
    with pytest.raises(ValueError, match="give counts"):
        estimate_rate()


@pytest.mark.parametrize("level", [0, 1, 1.5, -0.1, 95])
def test_level_outside_zero_one_is_an_error(level):
    with pytest.raises(ValueError, match="level"):
        estimate_rate(total=41, exposure=7, level=level)
    with pytest.raises(ValueError, match="level"):
        compare_rates(
            estimate_rate(total=1, exposure=1), estimate_rate(total=1, exposure=1), level=level
        )


@pytest.mark.parametrize("per", ["fortnight", "days", 0, -1, float("nan")])
def test_unknown_per_is_an_error(per):
    with pytest.raises(ValueError, match="per"):
        estimate_rate(total=41, exposure=7, per=per)


def test_unknown_family_is_an_error():
    with pytest.raises(ValueError, match="family='bayes'"):
        estimate_rate(total=41, exposure=7, family="bayes")


def test_method_is_a_deprecated_alias_of_family():
    with pytest.warns(DeprecationWarning, match="family='poisson'"):
        r = estimate_rate(daily([5, 7, 4]), method="poisson")
    assert r.family == "poisson"


def test_family_and_a_disagreeing_method_are_refused():
    with (
        pytest.warns(DeprecationWarning),
        pytest.raises(ValueError, match="disagree"),
    ):
        estimate_rate(daily([5, 7, 4]), family="negbin", method="poisson")


def test_rolling_rate_method_is_a_deprecated_alias_of_family():
    with pytest.warns(DeprecationWarning, match="rolling_rate"):
        rr = rolling_rate(daily(range(10)), method="negbin")
    assert rr.family == "negbin"


def test_result_method_attribute_is_a_deprecated_alias_of_family():
    r = estimate_rate(total=41, exposure=7)
    with pytest.warns(DeprecationWarning, match="RateResult.family"):
        assert r.method == "poisson"


def test_start_after_end_is_an_error():
    with pytest.raises(ValueError, match="after"):
        estimate_rate(daily([1, 2, 3]), start="2024-01-03", end="2024-01-01")


def test_window_outside_the_counts_says_where_the_counts_are():
    with pytest.raises(ValueError, match=r"between 2025-01-01 and \.\.\.: it runs from 2024-01-01"):
        estimate_rate(daily([1, 2]), start="2025-01-01")


def test_tz_aware_start_is_taken_in_the_time_zone_of_the_counts():
    counts = daily([1, 2, 3], tz="Asia/Jerusalem")
    # 22:30 UTC on 1 January is 00:30 on 2 January in Israel (+02:00)
    r = estimate_rate(counts, start=pd.Timestamp("2024-01-01 22:30", tz="UTC"), family="poisson")
    assert (r.events, r.exposure, str(r.start.date())) == (5, 2.0, "2024-01-02")


def test_window_reaching_beyond_the_counts_warns_and_uses_the_covered_days():
    with pytest.warns(UserWarning, match=r"the counts cover 2024-01-01 to 2024-01-03"):
        r = estimate_rate(daily([1, 2, 3]), start="2023-12-30", end="2024-01-02")
    assert (r.events, r.exposure) == (3, 2.0)


def test_window_inside_the_counts_does_not_warn():

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate_rate(daily([1, 2, 3]), start="2024-01-02", end="2024-01-03")


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_counts_are_refused_with_row_and_date(value):
    with pytest.raises(DataError, match="infinite value on 2024-01-02") as info:
        estimate_rate(daily([1.0, value, 3.0]))
    assert [(p.row, p.column) for p in info.value.problems] == [(3, "count")]


def test_counts_of_2_to_the_53_are_refused():
    with pytest.raises(DataError, match="too large"):
        estimate_rate(daily([1.0, 2.0**53]))


@pytest.mark.parametrize("name", ["start", "end"])
def test_a_number_as_start_or_end_is_refused_naming_the_parameter(name):
    with pytest.raises(ValueError, match=f"{name}=2024 is a number, not a date"):
        estimate_rate(daily([1, 2, 3]), **{name: 2024})


def test_a_number_as_start_of_a_total_is_refused():
    with pytest.raises(ValueError, match="start=2024 is a number"):
        estimate_rate(total=3, start=2024, end="2024-01-03")


def test_a_total_of_2_to_the_53_is_refused():
    with pytest.raises(ValueError, match="total"):
        estimate_rate(total=2**53, exposure=7)


def test_an_infinite_count_in_a_file_is_refused_by_the_cli(tmp_path, capsys):
    from analysis.cli import main

    path = tmp_path / "counts.csv"
    path.write_text("date,count\n2024-01-01,1\n2024-01-02,inf\n2024-01-03,1\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 3, column 'count'" in err and "infinite" in err


def _days(n: int, start: str = "2024-01-01") -> pd.Series:
    return pd.Series(np.arange(n) % 5, index=pd.date_range(start, periods=n))


def test_a_weekly_reference_for_daily_counts_is_refused_naming_both_periods():
    weeks = pd.Series([9, 8, 12, 10], index=pd.date_range("2023-01-01", periods=4, freq="W"))
    with pytest.raises(ValueError, match="per 'W-SUN' period, the counts per 'D'"):
        estimate_rate(_days(30), reference=weeks)


def test_a_reference_shorter_than_the_window_is_refused():
    with pytest.raises(ValueError, match="reference= has 10 period"):
        estimate_rate(_days(30), reference=_days(10, "2024-03-01"))


def test_a_rolling_reference_needs_only_the_window_length():
    band = rolling_rate(_days(60), window="7D", reference=_days(20, "2023-01-01"))
    assert band.to_frame()["rate"].notna().sum() == 54
    with pytest.raises(ValueError, match="fewer than the 7"):
        rolling_rate(_days(60), window="7D", reference=_days(5, "2023-01-01"))


def test_a_longer_reference_at_the_same_period_is_used():
    rng = np.random.default_rng(5)  # SIMULATED Poisson days
    longer = pd.Series(rng.poisson(3, 400), index=pd.date_range("2023-01-01", periods=400))
    res = estimate_rate(_days(30), reference=longer)
    assert "estimated from 400 periods of the whole series" in repr(res)


def test_check_claim_refuses_a_weekly_reference_for_a_total_in_days():
    from analysis.rates import check_claim

    weeks = pd.Series(np.arange(40) % 7, index=pd.date_range("2023-01-01", periods=40, freq="W"))
    with pytest.raises(ValueError, match="a total's exposure is in days per 'D' period"):
        check_claim(total=41, exposure=7, claimed_rate=5, reference=weeks)


def test_check_claim_refuses_a_reference_shorter_than_its_window():
    from analysis.rates import check_claim

    with pytest.raises(ValueError, match="reference= has 10 period"):
        check_claim(_days(30), claimed_rate=2, reference=_days(10, "2023-01-01"))
