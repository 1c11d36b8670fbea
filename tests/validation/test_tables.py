"""validation_tables / validation_results / validation_note and the coal-mining check."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.validation import load_results


def _file(tmp_path: Path) -> Path:
    cells = [
        {"function": "detect_changepoints", "estimand": "false alarm rate (share with >= 1 change)",
         "process": "ar0.8", "settings": {"n": 365}, "estimate": 0.04, "mc_se": 0.014,
         "n_used": 200, "target": "<= 0.05", "status": "pass"},
        {"function": "detect_changepoints", "estimand": "power (true change found)",
         "process": "poisson", "settings": {"n": 365}, "estimate": 0.9, "mc_se": 0.02,
         "n_used": 300, "target": ">= 0.8", "status": "pass"},
        {"function": "estimate_rate", "estimand": "coverage of the process mean rate",
         "process": "nb5", "settings": {"window": 28}, "estimate": 0.95, "mc_se": 0.011,
         "n_used": 400, "target": "0.93-0.97", "status": "pass"},
        {"function": "oracle", "estimand": "power of an oracle lr test (no target)",
         "process": "poisson", "settings": {}, "estimate": 0.7, "mc_se": 0.03,
         "n_used": 300, "target": None, "status": "n/a"},
        {"function": "estimate_rate", "estimand": "interval width / exact Poisson width",
         "process": "poisson", "settings": {}, "estimate": 1.1, "mc_se": 0.01,
         "n_used": 400, "target": None, "status": "n/a"},
    ]  # fmt: skip
    path = tmp_path / "validation.json"
    meta = {"size": "full", "written": "2026-12-01 15:27 UTC"}
    path.write_text(json.dumps({"meta": meta, "cells": cells}), encoding="utf-8")
    return path


def test_tables_split_by_what_they_measure(tmp_path):
    tables = it.validation_tables(load_results(_file(tmp_path)))
    assert tables["false alarms"]["process"].tolist() == ["ar0.8"]
    assert tables["power"]["estimate"].tolist() == [0.9]  # the oracle is not the package's power
    assert tables["coverage"]["mc_se"].tolist() == [0.011]
    assert {"estimate", "mc_se", "target", "status"} <= set(tables["coverage"].columns)
    with pytest.raises(TypeError, match="results"):
        it.validation_tables(pd.DataFrame())  # type: ignore[arg-type]


def test_note_says_where_the_numbers_come_from(tmp_path):
    res = it.validation_results(_file(tmp_path))
    note = it.validation_note(res)
    assert note.startswith("These are the numbers of `make validate`") and "full" in note
    with pytest.raises(FileNotFoundError):
        it.validation_results(tmp_path / "missing.json")


@pytest.mark.slow
def test_quick_run_says_it_is_one():
    from analysis.validation._tables import quick_validation

    key = "rates.rate_coverage[process=poisson, window=28, rate=5, placement=inside]"
    res = quick_validation([key])
    assert res.meta["quick"] is True and len(res.cells) == 1
    assert it.validation_note(res).startswith("These are quick-run numbers: 1 cells")
    row = it.validation_tables(res)["coverage"].iloc[0]
    assert 0 <= row["estimate"] <= 1 and row["mc_se"] >= 0 and row["n_used"] == 20
    with pytest.raises(ValueError, match="cells"):
        quick_validation(["no.such.cell"])


def test_coal_change_agrees_with_the_literature():
    check = it.coal_changepoint()
    row = check.table.iloc[0]
    assert row["changes"] == 1
    assert row["interval_from_year"] <= 1892 <= row["interval_to_year"]
    assert row["years_agree"] and row["rates_agree"]
    # the yearly rates of the data itself (data/README.md: 125 in 1851-1890, 66 in 1891-1962)
    assert 2.5 < row["rate_before"] < 3.5 and 0.7 < row["rate_after"] < 1.1
    assert "inside the location interval" in check.summary()


def test_coal_comparison_can_disagree(monkeypatch):
    from analysis.validation import _coal

    wrong = _coal.COAL_LITERATURE.assign(change_from_year=1930, change_to_year=1931)
    monkeypatch.setattr(_coal, "COAL_LITERATURE", wrong)
    row = _coal.coal_changepoint().table.iloc[0]
    assert not row["years_agree"]
