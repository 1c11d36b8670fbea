"""The validation cells of the measurement defaults (analysis/validation/_study.py). SIMULATED."""

from __future__ import annotations

import numpy as np

from analysis.validation import _run
from analysis.validation import _study as study


def test_the_value_cells_run_and_report_their_monte_carlo_error():
    row = study.cp_value_false_alarm(R=4, seed=1, phi=0.5, n=365, period=12, amplitude=2.0)
    assert row["n_used"] == 4 and row["errors"] == 0 and row["mc_se"] is not None
    assert "cycle 12" in row["process"] and "measurements" in row["estimand"]
    power = study.cp_value_power(R=4, seed=2, phi=0.0, n=365, shift=4.0)
    assert power["estimate"] == 1.0  # a shift of 4 sd in i.i.d. noise: found in every series
    assert power["location_coverage_when_found"] is not None


def test_the_simulated_values_have_the_stated_noise_and_shift():
    # marginal sd 1 (AR(1) phi 0.8, 200,000 values: s.e. of the sd about 0.005) and the shift
    y = study.simulate_values(np.random.default_rng(3), 200_000, 0.8, shift=2.0, at=100_000)
    assert y.dtype.kind == "f"
    assert abs(float(y.iloc[:100_000].std()) - 1.0) < 0.03
    assert abs(float(y.iloc[100_000:].mean() - y.iloc[:100_000].mean()) - 2.0) < 0.05


def test_the_study_has_value_cells_with_the_false_alarm_target():
    specs = [s for s in _run.build_cells("full") if s.func is study.cp_value_false_alarm]
    assert {(s.settings["phi"], s.settings["n"]) for s in specs} >= {
        (phi, n) for phi in (0.0, 0.5, 0.8) for n in (365, 1000)
    }
    assert {s.settings.get("period", 0) for s in specs} == {0, 7, 12}
    assert all(s.target is _run.FALSE_ALARMS for s in specs)
