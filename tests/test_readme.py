"""The README's tour runs as written (it uses the shared alert history)."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import pytest

from analysis.datasets import PROJECT_ROOT, dataset_path
from analysis.errors import DataNotFoundError


def _alerts_present() -> bool:
    try:
        dataset_path("oref_alerts")
    except DataNotFoundError:
        return False
    return True


@pytest.fixture(scope="module")
def tour() -> dict:
    """The namespace left by running the README's python blocks as written."""
    text = Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no python block"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict = {}
    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), namespace)
    finally:
        plt.close("all")
    return namespace


needs_alerts = pytest.mark.skipif(
    not _alerts_present(), reason="the alert history (untracked, in ../shared) is not available"
)


@pytest.mark.slow
@needs_alerts
def test_tour_reads_every_alert_row(tour):
    # the comment in the tour: "42,002 rows = table + rejects"
    assert len(tour["alerts"]) + len(tour["rejects"]) == 42_002


@pytest.mark.slow
@needs_alerts
def test_tour_counts_cover_the_stated_window(tour):
    counts = tour["counts"]
    assert str(counts.index[0].date()) == "2023-10-07"
    assert str(counts.index[-1].date()) == "2024-10-12"
    assert {"drone", "rocket"} <= set(counts.columns)


@pytest.mark.slow
@needs_alerts
def test_tour_results_are_what_it_says(tour):
    from analysis.changepoints import ChangepointResult

    assert isinstance(tour["cp"], ChangepointResult)
    assert len(tour["fit"].forecast(28).to_frame()) == 28


def test_readme_shows_the_two_commands():
    text = Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
