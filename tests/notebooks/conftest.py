"""One execution of each notebook per test session, shared by the notebook tests.

Executing a notebook is the slow part of these tests (3-20 s each on the real data); the
tests that read a notebook with its default parameters ask :func:`executed` for it, so
each is executed (and rendered) once. Under pytest-xdist the cache is per worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Executed:
    """A notebook executed with its default parameters, and its rendered page."""

    notebook: Any  # nbformat.NotebookNode
    html: Path


@pytest.fixture(scope="session")
def executed(tmp_path_factory) -> Callable[[Path], Executed]:
    """``executed(path)``: the notebook at ``path`` executed once (default parameters), rendered."""
    from analysis.report import execute_notebook, render_html

    folder = Path(tmp_path_factory.mktemp("executed-notebooks"))
    cache: dict[Path, Executed] = {}

    def run(path: Path) -> Executed:
        key = Path(path).resolve()
        if key not in cache:
            nb = execute_notebook(key, output=folder / "executed" / key.name, timeout=300)
            html = render_html(nb, folder / f"{key.stem}.html", index_href="../index.html")
            cache[key] = Executed(nb, html)
        return cache[key]

    return run


@pytest.fixture(scope="module")
def phone_browser():
    """A headless Chromium for the page checks, or ``None`` where it cannot run (and why)."""
    from tests.report._browser import browser_missing, start_browser

    if browser_missing() is not None:
        yield None
        return
    driver = start_browser()
    yield driver
    driver.quit()
