"""The vectorised readers of analysis.curation._fast give the same answers from pyarrow's
buffers as from Python strings (the path they took before, still taken for other text)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.curation import _fast

pytestmark = pytest.mark.skipif(
    pd.array([], dtype="str").dtype.storage != "pyarrow", reason="needs pyarrow-backed text"
)

PIECES = [
    "2024-11-04",
    "T21:30:00",
    "+02:00",
    "Z",
    ".123456",
    "12",
    "-3",
    "https://",
    "HTTP://",
    "example.org",
    "/a?b#c",
    " ",
    "\t",
    "\u00a0",
    "שדרות",
    "é",
    "\x00",
    "\n",
    ",",
    "x" * 40,
    "",
]


def _values(rng: np.random.Generator, n: int) -> list[str | None]:
    out: list[str | None] = []
    for _ in range(n):
        if rng.random() < 0.05:
            out.append(None)
            continue
        k = int(rng.integers(1, 5))
        out.append("".join(PIECES[int(i)] for i in rng.integers(0, len(PIECES), k)))
    return out


def _both(values: list[str | None]) -> tuple[pd.Series, pd.Series]:
    arrow = pd.Series(values, dtype="str")
    python = pd.Series(values, dtype=pd.StringDtype("python", na_value=np.nan))
    assert _fast._utf8(arrow) is not None and _fast._utf8(python) is None
    return arrow, python


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("width", [19, 32])
def test_byte_matrix_is_the_same_from_arrow_buffers(seed, width):
    rng = np.random.default_rng(seed)
    arrow, python = _both(_values(rng, 3000))
    for a, b in zip(_fast._bytes(arrow, width), _fast._bytes(python, width), strict=True):
        np.testing.assert_array_equal(a, b)
    # a sliced column (an offset into the arrow buffers) too
    for a, b in zip(
        _fast._bytes(arrow.iloc[1234:2345], width),
        _fast._bytes(python.iloc[1234:2345], width),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("seed", [4, 5])
@pytest.mark.parametrize("reader", ["iso_times", "whole_numbers", "web_addresses"])
def test_readers_give_the_same_answers_from_arrow_buffers(seed, reader):
    rng = np.random.default_rng(seed)
    values = _values(rng, 4000)
    # SIMULATED well-formed cells as well, so that most values are certified
    values += [f"2024-{m:02d}-{d:02d}T0{d % 10}:15:00+0{m % 10}:00" for m in range(1, 13)
               for d in range(1, 29)]  # fmt: skip
    values += [str(v) for v in rng.integers(-50, 10**6, 500)]
    values += [f"https://example.org/sim/{i}" for i in range(500)]
    order = rng.permutation(len(values))
    for without_breaks in (False, True):
        chosen = [values[i] for i in order]
        if without_breaks:  # web_addresses reads the buffers only when no value holds one
            chosen = [None if v is None else v.replace("\n", "") for v in chosen]
        arrow, python = _both(chosen)
        got, want = getattr(_fast, reader)(arrow), getattr(_fast, reader)(python)
        assert got.keys() == want.keys()
        for key in want:
            np.testing.assert_array_equal(got[key], want[key], err_msg=key)
        assert want["certain"].sum() > 300  # the certified forms are well represented


def test_factorised_map_is_the_distinct_value_map():
    rng = np.random.default_rng(6)
    values = pd.Series(
        np.array(["drone", "UAV", "rocket", None], dtype=object)[rng.integers(0, 4, 5000)],
        dtype="str",
    )
    seen: list[object] = []

    def fn(v: object) -> object:
        seen.append(v)
        return None if not isinstance(v, str) else v.upper()

    got = _fast.exact_map(values, fn, by_value=True)
    assert len(seen) == 4  # once per distinct value, missing included
    want = [None if not isinstance(v, str) else v.upper() for v in values.tolist()]
    assert got.tolist() == want and got.index.equals(values.index) and got.dtype == object
