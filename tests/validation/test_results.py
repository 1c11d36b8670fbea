"""Tests of reading the validation tables back (files written by the tests)."""

from __future__ import annotations

import json

import matplotlib
import pytest

from analysis.validation import ValidationResults, load_results, run

matplotlib.use("Agg")


def _cell(function: str, status: str, estimate: float = 0.95) -> dict:
    return {
        "function": function,
        "estimand": "coverage",
        "process": "poisson",
        "settings": {"window": 7, "rate": 5.0},
        "estimate": estimate,
        "mc_se": 0.01,
        "n_used": 400,
        "target": "0.93-0.97",
        "status": status,
    }


@pytest.fixture
def results_file(tmp_path):
    cells = [
        _cell("estimate_rate", "pass"),
        _cell("estimate_rate", "fail (within 2 s.e.)", 0.975),
        _cell("check_claim", "fail", 0.12),
        _cell("fit_trend", "n/a"),
    ]
    path = tmp_path / "validation.json"
    path.write_text(json.dumps({"meta": {"size": "small", "cells": 4}, "cells": cells}))
    return path


def test_status_counts_read_the_status_word(results_file):
    assert load_results(results_file).status_counts() == {"pass": 1, "fail": 2, "n/a": 1}


def test_failures_lists_every_failing_cell_with_its_estimate(results_file):
    failures = load_results(results_file).failures()
    assert list(failures["function"]) == ["estimate_rate", "check_claim"]
    assert list(failures["estimate"]) == [0.975, 0.12]


def test_by_function_counts_cells_per_status(results_file):
    table = load_results(results_file).by_function()
    assert table.loc["estimate_rate", "fail"] == 1 and table.loc["estimate_rate", "pass"] == 1
    assert table.loc["check_claim", "fail"] == 1


def test_settings_become_text(results_file):
    assert load_results(results_file).to_frame()["settings"].iloc[0] == "window=7, rate=5.0"


def test_summary_says_simulated_and_names_the_file(results_file):
    text = load_results(results_file).summary()
    assert "SIMULATED" in text and str(results_file) in text and "2 fail" in text


def test_html_escapes_strings_from_the_file(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(
        json.dumps({"meta": {"size": "<b>x</b>"}, "cells": [_cell("<i>f</i>", "pass")]})
    )
    out = load_results(path)._repr_html_()
    assert "<b>x</b>" not in out and "<i>f</i>" not in out and "&lt;i&gt;f&lt;/i&gt;" in out


def test_missing_file_says_how_to_make_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="make validate"):
        load_results(tmp_path / "none.json")


def test_a_file_that_is_not_the_study_is_refused_naming_it(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"cells": [{"function": "f"}]}))
    with pytest.raises(ValueError, match=r"v\.json: cell 0 lacks estimand, status"):
        load_results(path)


def test_plot_draws_one_bar_per_function_and_status(results_file):
    ax = load_results(results_file).plot()
    assert len(ax.patches) == 3 * 3  # 3 functions x 3 statuses


def test_reads_what_the_study_writes(tmp_path):
    run(
        "small",
        out=tmp_path,
        select="claims.claim_false_rejection[process=poisson, window=7",
        workers=1,
        echo=False,
    )
    res = load_results(tmp_path / "validation.json")
    assert isinstance(res, ValidationResults) and len(res.cells) == 3
    assert res.meta["written"].endswith("UTC") and res.meta["size"] == "small"
