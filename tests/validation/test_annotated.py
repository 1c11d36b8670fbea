"""The TCPD annotated-series benchmark: metrics by hand, loader, missing-cache error, R default.

Every series written here is SIMULATED (tiny hand-made JSON files in ``tmp_path``);
the real TCPD data are never needed by these tests.
"""

from __future__ import annotations

import itertools
import json
from functools import cache

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import shared_data_dir
from analysis.errors import DataNotFoundError
from analysis.validation import _annotated as ann

# --- F1 (van den Burg & Williams 2020, Section 4), hand-computed -----------------


def test_f1_one_annotator_exact_hit():
    # T = {0, 50}, X = {0, 50}: P = 2/2, R = 2/2
    assert ann.precision_recall({"a": [50]}, [50]) == (1.0, 1.0)
    assert ann.f1_score({"a": [50]}, [50]) == 1.0


def test_f1_two_annotators_and_a_false_alarm():
    # T1 = {0, 50}, T2 = {0, 52}, G = {0, 50, 52}, X = {0, 51, 80}.
    # TP(G, X): 0-0, 50-51 (52 cannot reuse 51) -> 2; P = 2/3.
    # TP(T1, X) = 2 of 2, TP(T2, X) = 2 of 2 -> R = 1.  F1 = 2 (2/3) / (5/3) = 0.8.
    p, r = ann.precision_recall({"a": [50], "b": [52]}, [51, 80])
    assert p == pytest.approx(2 / 3) and r == 1.0
    assert ann.f1_score({"a": [50], "b": [52]}, [51, 80]) == pytest.approx(0.8)


def test_f1_margin_is_inclusive_and_each_prediction_used_once():
    # |55 - 50| = 5 counts (margin 5), |56 - 50| = 6 does not
    assert ann.f1_score({"a": [50]}, [55]) == 1.0
    p, r = ann.precision_recall({"a": [50]}, [56])
    # X = {0, 56}: only 0 matches; P = 1/2, R = 1/2
    assert (p, r) == (0.5, 0.5)
    # two true changes 2 apart, one prediction between them: it matches only one
    p, r = ann.precision_recall({"a": [50, 52]}, [51])
    # T = {0, 50, 52}, X = {0, 51}: TP = 2; P = 2/2, R = 2/3
    assert p == 1.0 and r == pytest.approx(2 / 3)


def test_f1_no_change_predicted_and_annotators_disagree():
    # X = {0}. T1 = {0}, T2 = {0, 30}: P = 1/1; R = (1/1 + 1/2) / 2 = 0.75; F1 = 6/7
    assert ann.f1_score({"a": [], "b": [30]}, []) == pytest.approx(2 * 0.75 / 1.75)
    assert ann.f1_score({"a": [], "b": []}, []) == 1.0


def test_f1_matching_is_maximal_not_greedy_nearest():
    # T = {0, 10, 12}, X = {0, 8, 11}, margin 2. Giving 10 its nearest prediction (11)
    # would leave 12 unmatched; the maximum matching pairs 10-8 and 12-11: TP = 3.
    p, r = ann.precision_recall({"a": [10, 12]}, [8, 11], margin=2)
    assert (p, r) == (1.0, 1.0)


def test_f1_points_outside_the_series_are_dropped():
    assert ann.f1_score({"a": [50, 500]}, [50], n=100) == 1.0


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [({"margin": -1}, "margin"), ({"margin": 1.5}, "margin"), ({"margin": True}, "margin")],
)
def test_f1_bad_margin_names_the_parameter(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ann.f1_score({"a": [5]}, [5], **kwargs)


def test_f1_bad_input_is_refused():
    with pytest.raises(ValueError, match="annotations"):
        ann.f1_score({}, [5])
    with pytest.raises(ValueError, match="whole numbers"):
        ann.f1_score({"a": [5]}, [5.5])


# --- covering, hand-computed --------------------------------------------------


def test_covering_hand_cases():
    # truth [0,5) [5,10); prediction [0,10): J = 5/10 each -> (5 * .5 + 5 * .5) / 10
    assert ann.covering({"a": [5]}, [], 10) == 0.5
    # identical partitions
    assert ann.covering({"a": [3, 7]}, [3, 7], 10) == 1.0
    # truth [0,4) [4,10), prediction [0,5) [5,10):
    # A=[0,4): best J with [0,5) = 4/5; A=[4,10): best with [5,10) = 5/6
    # C = (4 * 4/5 + 6 * 5/6) / 10 = (3.2 + 5) / 10 = 0.82
    assert ann.covering({"a": [4]}, [5], 10) == pytest.approx(0.82)
    # truth is one segment, prediction splits it at 6: J = 6/10 -> C = 0.6
    assert ann.covering({"a": []}, [6], 10) == pytest.approx(0.6)


def test_covering_averages_over_annotators():
    # 1.0 for the annotator who marked 5, 0.5 for the one who marked nothing
    assert ann.covering({"a": [5], "b": []}, [5], 10) == pytest.approx(0.75)


def test_covering_bad_n_names_the_parameter():
    with pytest.raises(ValueError, match="n must be"):
        ann.covering({"a": [5]}, [5], 0)


def test_covering_equals_a_brute_force_jaccard_on_random_partitions():
    rng = np.random.default_rng(20261201)
    for _ in range(50):
        n = int(rng.integers(5, 40))
        t = sorted(set(rng.integers(1, n, size=int(rng.integers(0, 4))).tolist()))
        x = sorted(set(rng.integers(1, n, size=int(rng.integers(0, 4))).tolist()))

        def segs(cps, n=n):
            b = [0, *cps, n]
            return [set(range(a, c)) for a, c in itertools.pairwise(b)]

        brute = sum(len(a) * max(len(a & b) / len(a | b) for b in segs(x)) for a in segs(t)) / n
        assert ann.covering({"a": t}, x, n) == pytest.approx(brute)


# --- loader on SIMULATED files ----------------------------------------------------


def _write(tmp_path, name, raw, typ="float", n_dim=1, nested=False):
    doc = {
        "name": name,
        "longname": f"simulated {name}",
        "n_obs": len(raw),
        "n_dim": n_dim,
        "time": {"index": list(range(len(raw)))},
        "series": [{"label": "v", "type": typ, "raw": raw}],
    }
    folder = tmp_path / "datasets" / name if nested else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(doc))


def test_loader_reads_simulated_series_and_annotations(tmp_path):
    annotations = {
        "sim_int": {"6": [3], "7": []},
        "sim_float": {"6": [2]},
        "sim_nested": {"1": [1]},
        "sim_multi": {"1": []},
        "sim_missing": {"1": []},
    }
    (tmp_path / "annotations.json").write_text(json.dumps(annotations))
    _write(tmp_path, "sim_int", [1, 1, 1, 4, 4, 4], typ="int")
    _write(tmp_path, "sim_float", [0.5, None, 2.5, 2.0], typ="float")
    _write(tmp_path, "sim_nested", [1.0, 2.0, 3.0], nested=True)
    _write(tmp_path, "sim_multi", [1.0, 2.0], n_dim=2)
    names = ["sim_int", "sim_float", "sim_nested", "sim_multi", "sim_missing", "not_annotated"]
    series, skipped = ann.load_tcpd(names, folder=tmp_path, download=False)
    by = {s.name: s for s in series}
    assert sorted(by) == ["sim_float", "sim_int", "sim_nested"]
    assert by["sim_int"].values.dtype == np.int64  # the file says int and they are whole
    assert by["sim_int"].annotations == {"6": [3], "7": []}
    assert np.isnan(by["sim_float"].values.iloc[1])  # null -> NaN
    assert by["sim_nested"].n == 3  # a TCPD checkout layout works too
    assert "dimensions" in skipped["sim_multi"]
    assert "not in the cache" in skipped["sim_missing"]
    assert skipped["not_annotated"] == "no annotations"


def test_loader_keeps_non_whole_int_typed_values_as_floats(tmp_path):
    # TCPD's shanghai_license is typed "int" and holds 10269.5
    (tmp_path / "annotations.json").write_text(json.dumps({"sim": {"1": []}}))
    _write(tmp_path, "sim", [1, 2, 10269.5], typ="int")
    series, _ = ann.load_tcpd(["sim"], folder=tmp_path, download=False)
    assert series[0].values.dtype == np.float64
    assert series[0].values.iloc[2] == 10269.5


def test_loader_refuses_a_wrong_n_obs(tmp_path):
    (tmp_path / "annotations.json").write_text(json.dumps({"sim": {"1": []}}))
    doc = {"name": "sim", "n_obs": 5, "n_dim": 1, "series": [{"raw": [1.0, 2.0]}]}
    (tmp_path / "sim.json").write_text(json.dumps(doc))
    with pytest.raises(DataNotFoundError, match="n_obs is 5"):
        ann.load_tcpd(["sim"], folder=tmp_path, download=False)


def test_missing_cache_gives_a_clear_error(tmp_path, monkeypatch):
    empty = tmp_path / "nothing-here"
    with pytest.raises(DataNotFoundError) as info:
        ann.load_tcpd(folder=empty, download=False)
    message = str(info.value)
    assert "annotations.json" in message and str(empty) in message
    assert ann.ENV_VAR in message
    # the environment variable names the folder when none is given
    monkeypatch.setenv(ann.ENV_VAR, str(empty))
    assert ann.tcpd_dir() == empty


def test_no_network_gives_a_clear_error(tmp_path, monkeypatch):
    # pooch cannot reach the address: the error says where to put the files
    import pooch

    def offline(*args, **kwargs):
        raise ConnectionError("no network (simulated)")

    monkeypatch.setattr(pooch, "retrieve", offline)
    with pytest.raises(DataNotFoundError, match="could not be downloaded"):
        ann.load_tcpd(folder=tmp_path / "empty", download=True)


def test_command_line_exits_with_a_message_when_the_data_are_missing(tmp_path, capsys):
    code = ann.main(["--data", str(tmp_path / "none"), "--offline", "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert "neither in the cache nor downloadable" in err
    assert not (tmp_path / "annotated.json").exists()


# --- the runner on SIMULATED series --------------------------------------------------


def test_run_benchmark_and_markdown_on_simulated_series(tmp_path):
    rng = np.random.default_rng(7)
    step = pd.Series(np.r_[rng.normal(0, 1, 60), rng.normal(4, 1, 60)])
    flat = pd.Series(rng.normal(10, 1, 80))
    series = [
        ann.TCPDSeries("sim_step", "sim", step, {"1": [60], "2": [61]}),
        ann.TCPDSeries("sim_flat", "sim", flat, {"1": [], "2": []}),
    ]
    res = ann.run_benchmark(series, ["zero", "r_default_scaled", "default"])
    rows = {(r["series"], r["method"]): r for r in res["rows"]}
    assert rows[("sim_step", "zero")]["f1"] == pytest.approx(2 / 3)
    assert rows[("sim_flat", "zero")]["f1"] == 1.0
    assert abs(rows[("sim_step", "r_default_scaled")]["changepoints"][0] - 60) <= 2
    assert rows[("sim_step", "default")]["error"] is None
    assert res["paired"]["default vs zero"]["f1"]["wins"] >= 1
    md = ann.to_markdown(res)
    assert "| sim_step | 120 |" in md and "Where the default does worst" in md
    with pytest.raises(ValueError, match="methods"):
        ann.run_benchmark(series, ["nonsense"])


def test_an_error_counts_as_no_change_and_is_listed(monkeypatch):
    def broken(s):
        raise RuntimeError("simulated failure")

    monkeypatch.setitem(ann.METHODS, "broken", ("always fails", broken))
    s = ann.TCPDSeries("sim", "sim", pd.Series([0.0] * 10 + [5.0] * 10), {"1": [10]})
    res = ann.run_benchmark([s], ["zero", "broken"])
    row = next(r for r in res["rows"] if r["method"] == "broken")
    zero = next(r for r in res["rows"] if r["method"] == "zero")
    assert row["error"].startswith("RuntimeError") and row["changepoints"] == []
    assert (row["f1"], row["cover"]) == (zero["f1"], zero["cover"])
    assert res["means"]["broken"]["errors"] == 1
    assert "simulated failure" in ann.to_markdown(res)


# --- r_default is R changepoint's cpt.mean(x, method="PELT") -------------------------

REFERENCE = shared_data_dir().parent / "reference" / "r-changepoint"
needs_reference = pytest.mark.skipif(
    not (REFERENCE / "r_results.json").is_file(),
    reason="../shared (untracked reference outputs of R) is absent",
)


@cache
def _reference():
    series = {s["id"]: s for s in json.loads((REFERENCE / "series.json").read_text())}
    return series, json.loads((REFERENCE / "r_results.json").read_text())


@needs_reference
@pytest.mark.parametrize("sid", ["gauss_001", "gauss_003", "gauss_007", "gauss_010", "gauss_039"])
def test_r_default_is_the_exact_optimum_of_r_cpt_mean_pelt(sid):
    # R: cpt.mean(x, method="PELT", penalty="MBIC", minseglen=1) -- R's defaults but
    # method; where R's PELT is not exact (gauss_007, gauss_039) ours is the optimum
    series, results = _reference()
    rec = results[sid]["pelt_mbic_m1"]
    s = ann.TCPDSeries(sid, sid, pd.Series(series[sid]["values"], dtype=float), {"1": []})
    cps, _ = ann.METHODS["r_default"][1](s)
    assert cps == rec["exact_starts"]
    if rec["r_is_optimal"]:
        assert cps == rec["cpts_r"]
