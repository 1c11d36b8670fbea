"""The rate functions refuse expected counts (count_incidents(..., precision="spread"))."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis as it


def _series(expected):
    s = pd.Series([1.0, 2.0, 0.0, 3.0] * 7, index=pd.date_range("2024-11-01", periods=28))
    if expected:
        s.attrs["expected_counts"] = True
    return s


@pytest.mark.parametrize(
    "call",
    [
        lambda s: it.estimate_rate(s),
        lambda s: it.rolling_rate(s, window="7D"),
        lambda s: it.compare_rates(s["2024-11-15":], s[:"2024-11-14"]),
        lambda s: it.compare_rates(s["2024-11-15":], s[:"2024-11-14"], reference=s),
        lambda s: it.check_claim(s, claimed_rate=1.5),
        lambda s: it.estimate_rate(pd.Series(s.to_numpy().astype("int64"), s.index), reference=s),
    ],
)
def test_expected_counts_are_refused_with_what_to_do(call):
    s = _series(expected=True)
    with pytest.raises(ValueError, match=r"expected counts.*precision='exclude'.*coarser freq"):
        call(s)
    # the same whole-number values without the mark are counts, and accepted
    call(_series(expected=False).astype("int64"))
