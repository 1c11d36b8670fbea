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


@pytest.mark.slow
@pytest.mark.skipif(not _alerts_present(), reason="the alert history is not available")
def test_readme_tour_runs():
    text = Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "the README has no python block"
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    try:
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    finally:
        plt.close("all")


def test_readme_shows_the_two_commands():
    text = Path(PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "make report" in text and "make test" in text
