"""The speed-ups of ``alerts_to_incidents`` (issue 10) leave its output unchanged.

Compared frame-for-frame (``pd.testing.assert_frame_equal``, dtypes included) with the
frozen legacy copy (``tests/fixtures/oref/legacy``, the code before the speed-ups), on
SIMULATED alerts (ties, time zones, gaps at the boundary, duplicate alerts, missing
localities; independent and dependent daily totals) and on the real alert file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.clustering import alerts_to_incidents
from tests.curation.test_clustering_identical import DEFAULT, OLD_CLUSTER, simulated_alerts

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def _assert_same(alerts: pd.DataFrame, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = alerts_to_incidents(alerts, **kwargs)
        want = OLD_CLUSTER.alerts_to_incidents(alerts, **kwargs)
    assert list(got.columns) == list(want.columns)
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=True)
    return got


def _boundary(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts exactly 10 minutes apart (the gap is inclusive) and 10 min + 1 microsecond apart."""
    extra = alerts.head(6).copy()
    t0 = alerts["start"].iloc[0]
    extra["start"] = t0 + pd.to_timedelta([0, 10, 20, 30, 40, 40], unit="min")
    extra.iloc[4, extra.columns.get_loc("start")] += pd.Timedelta(1, "us")
    extra["incident_id"] = [f"edge-{i}" for i in range(len(extra))]
    extra["category"] = 1
    extra["data"] = extra["data"].iloc[0]
    return pd.concat([alerts, extra])


@pytest.mark.skipif(DEFAULT is None, reason="the default locality tables are not available here")
def test_alerts_at_exactly_the_gap_give_the_reference_incidents():
    """The gap is inclusive: 10 min apart chains, 10 min + 1 microsecond does not.

    The processes, time zones, gaps, ``within`` and ``by`` are compared in
    ``test_clustering_identical``; this adds alerts on the gap's boundary.
    """
    assert DEFAULT is not None
    names = DEFAULT.localities["name"].astype(str).sample(60, random_state=31).tolist()
    alerts = _boundary(simulated_alerts(names, "poisson", 31, tz="Asia/Jerusalem"))
    for gap in ("10min", "45min"):
        assert len(_assert_same(alerts, gap=gap)) > 50


@pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"the real alert file is not here: {SHARED} is absent"
)
def test_real_alerts_give_the_reference_incidents():
    from analysis.datasets import dataset_path

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alerts = it.load_oref_alerts(dataset_path("oref_alerts"))
    for gap in ("0min", "10min"):
        got = _assert_same(alerts, gap=gap)
        assert int(got["alert_rows"].sum()) == len(alerts)
    _assert_same(alerts, within="country")
