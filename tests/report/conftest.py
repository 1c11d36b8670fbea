"""Shared fixtures of the report tests: one site built from the fixture notebooks (SIMULATED)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.datasets import PROJECT_ROOT

FIXTURE_NOTEBOOKS = PROJECT_ROOT / "tests" / "fixtures" / "notebooks"
INCIDENTS_CSV = PROJECT_ROOT / "tests" / "fixtures" / "report" / "incidents_simulated.csv"


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> object:
    """The report of the fixture notebooks 01-figures and 02-incidents, on the SIMULATED incidents.

    Built once per session (about 20 s): executing notebooks is the slow part.
    """
    from analysis.report import build_site

    out = Path(tmp_path_factory.mktemp("site")) / "reports"
    return build_site(out, FIXTURE_NOTEBOOKS, {"label": "L-42"}, incidents_path=INCIDENTS_CSV)
