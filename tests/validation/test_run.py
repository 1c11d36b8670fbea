"""run(), the cell list, targets and the command line of the validation study."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from analysis.datasets import PROJECT_ROOT
from analysis.validation import _run
from analysis.validation.__main__ import main

TINY = "claims.claim_false_rejection[process=poisson, window=7"


def test_small_run_writes_json_and_markdown(tmp_path):
    res = _run.run("small", out=tmp_path, select=TINY, workers=1, echo=False)
    data = json.loads((tmp_path / "validation.json").read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(res, default=str))
    assert [c["cell"] for c in data["cells"]] == [c["cell"] for c in res["cells"]]
    for cell in data["cells"]:
        for key in ("estimate", "mc_se", "R", "n_used", "errors", "seed", "target", "status"):
            assert key in cell
    md = (tmp_path / "validation.md").read_text(encoding="utf-8").splitlines()
    header = [line for line in md if line.startswith("| cell |")]
    rows = [line for line in md if line.startswith("| check_claim")]
    assert len(header) == 1 and len(rows) == len(data["cells"]) == 3
    assert all(row.count("|") == header[0].count("|") for row in rows)


def test_results_do_not_depend_on_the_number_of_workers():
    specs = [s for s in _run.build_cells("small") if s.key.startswith(TINY)]
    one = _run.run_cells(specs, workers=1)
    two = _run.run_cells(specs, workers=2)
    strip = [{k: v for k, v in row.items() if k != "seconds"} for row in one]
    assert strip == [{k: v for k, v in row.items() if k != "seconds"} for row in two]


def test_cell_keys_are_unique():
    keys = [s.key for s in _run.build_cells("full")]
    assert len(keys) == len(set(keys))


def test_power_and_coverage_cells_of_one_change_share_their_series():
    specs = _run.build_cells("full")
    change = [s for s in specs if s.func.__name__.startswith("cp_") and "ratio" in s.settings]
    oracle = [s for s in change if s.func.__name__ == "cp_oracle_power"]
    change = [s for s in change if s not in oracle]
    by_seed = Counter(s.seed for s in change)
    assert set(by_seed.values()) == {5}
    # the oracle tests (LR and CUSUM) read the series of one change setting each
    assert len(oracle) == 6 and all(by_seed[s.seed] == 5 for s in oracle)
    assert set(Counter(s.seed for s in oracle).values()) == {2}
    others = [s.seed for s in specs if s not in change and s not in oracle]
    assert len(others) == len(set(others))


def test_every_stationary_process_gets_false_alarm_cells_at_both_lengths():
    specs = [s for s in _run.build_cells("full") if s.func.__name__ == "cp_false_alarm"]
    seen = {(s.settings["process"], s.settings["n"]) for s in specs}
    assert seen == {(p, n) for p in _run.PROCESSES for n in (365, 1000)}


def test_target_check_passes_fails_and_flags_the_unsettled():
    t = _run.Target(0.93, 0.97, "0.93-0.97")
    assert t.check(0.95, 0.005) == "pass"
    assert t.check(0.90, 0.005) == "fail"
    assert t.check(0.925, 0.005) == "fail (within 2 s.e.)"
    # a share of 0 from 20 replicates cannot show a rate below 5%
    assert _run.Target(None, 0.05, "").check(0.0, 0.0, m=20) == "pass (within 2 s.e.)"


def test_unknown_size_is_refused():
    with pytest.raises(ValueError, match="size"):
        _run.build_cells("huge")


def test_command_line_refuses_a_selection_without_cells(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["--size", "small", "--out", str(tmp_path), "--select", "no such cell"])
    assert "no such cell" in capsys.readouterr().err


def test_make_validate_runs_the_module_into_reports():
    text = (PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nvalidate: venv\n\t$(PY) -m analysis.validation --out reports/validation\n" in text


def test_markdown_keeps_each_cell_on_one_line_with_pipes_escaped():
    row = {
        "function": "f",
        "estimand": "e",
        "process": "poisson",
        "settings": {"n": 7},
        "estimate": 0.5,
        "mc_se": 0.1,
        "R": 3,
        "n_used": 2,
        "errors": 1,
        "first_error": "DataError: 1 problem(s):\n  row 3 | column 'x'",
        "target": "<= 0.05",
        "status": "fail",
        "not_measurable": None,
    }
    meta = {
        "size": "small",
        "cells": 1,
        "seconds": 1.0,
        "workers": 1,
        "version": "0",
        "summary": "",
    }
    lines = _run.to_markdown([row], meta).splitlines()
    (table_row,) = [line for line in lines if line.startswith("| f: e")]
    assert "row 3 \\| column" in table_row
    assert table_row.count(" | ") == 9
