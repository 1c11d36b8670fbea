"""Every numbered notebook: stored clean, parameterised, paired with its script, executes cleanly.

The notebooks are found by the pattern ``notebooks/[0-9][0-9]-*.ipynb``, so a
new notebook joins every test here by being added.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import nbformat
import pytest

from analysis.datasets import PROJECT_ROOT

NOTEBOOK_DIR = PROJECT_ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]-*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]
ALERTS_NOTEBOOK = NOTEBOOK_DIR / "02-alerts.ipynb"
CLAIM_NOTEBOOK = NOTEBOOK_DIR / "03-claim-check.ipynb"
EXTERNAL = re.compile(r"<(script|link|img)\b[^>]*(src|href)=[\"']?(https?:)?//", re.I)
# reprs that mean a cell leaked an object instead of showing it
STRAY = re.compile(
    r"^\s*(Text\(|<Axes|<Figure|<matplotlib\.|\[<matplotlib|<[A-Za-z_.]+ object at 0x)", re.M
)


def _shared_alerts_present() -> bool:
    from analysis.datasets import dataset_path
    from analysis.errors import DataNotFoundError

    try:
        dataset_path("oref_alerts")
    except DataNotFoundError:
        return False
    return True


def _text_outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    """(cell index, output type, text) of every output that is shown as text."""
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                out.append((i, f"stream {o.name}", o.text))
            elif o.output_type in ("execute_result", "display_data"):
                data = o.get("data", {})
                if "image/png" in data or "text/html" in data:
                    continue  # an image or a table; its text/plain twin is never shown
                out.append((i, o.output_type, str(data.get("text/plain", ""))))
    return out


def stray_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Every output that is an unformatted object repr (``Text(...)``, ``<Axes ...>``, ...)."""
    return [
        f"cell {i} ({kind}): {text[:80]!r}" for i, kind, text in _text_outputs(nb) if STRAY.search(text)
    ]


_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S | re.I)


def truncated_cells(nb: nbformat.NotebookNode) -> list[str]:
    """Table cells of HTML outputs cut short by pandas (``'An average of five a da...'``).

    pandas' own HTML of a DataFrame cuts text at ``display.max_colwidth`` (50 characters)
    with "..."; a report shows text in full (``format_table``).
    """
    out = []
    for i, cell in enumerate(nb.cells):
        for o in cell.get("outputs", []):
            html = str(o.get("data", {}).get("text/html", ""))
            for text in _CELL.findall(html):
                if text.strip().endswith("..."):
                    out.append(f"cell {i}: {text.strip()[-60:]!r}")
    return out


def errors_of(nb: nbformat.NotebookNode) -> list[str]:
    return [
        f"cell {i}: {o.ename}: {o.evalue}"
        for i, c in enumerate(nb.cells)
        for o in c.get("outputs", [])
        if o.output_type == "error"
    ]


def all_text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.output_type == "stream":
                parts.append(o.text)
            elif o.output_type in ("execute_result", "display_data"):
                data = o.get("data", {})
                parts.append(str(data.get("text/html", data.get("text/plain", ""))))
    return "\n".join(parts)


def images_of(nb: nbformat.NotebookNode) -> int:
    return sum(
        "image/png" in o.get("data", {})
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type in ("execute_result", "display_data")
    )


def test_the_four_notebooks_of_issue_12_exist_and_the_old_one_is_gone():
    stems = set(IDS)
    assert {"01-overview", "02-alerts", "03-claim-check", "04-methods"} <= stems
    assert not (NOTEBOOK_DIR / "attack-frequency.ipynb").exists()


def test_the_stray_output_check_can_fail():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("ax.set_title('x')")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/plain": "Text(0.5, 1.0, 'x')"}),
        nbformat.v4.new_output("execute_result", data={"text/plain": "<Axes: >"}),
        nbformat.v4.new_output(
            "display_data", data={"text/plain": "<Figure size 640x480 with 1 Axes>", "image/png": ""}
        ),
    ]
    nb.cells = [cell]
    assert len(stray_outputs(nb)) == 2  # the figure with its image is fine


def test_the_truncated_cell_check_can_fail():
    import pandas as pd

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("frame")
    long = pd.DataFrame({"notes": ["x" * 80], "n": [1]})
    with pd.option_context("display.max_colwidth", 50):
        cut = long._repr_html_()
    cell.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": cut})]
    nb.cells = [cell]
    assert len(truncated_cells(nb)) == 1
    cell.outputs = [
        nbformat.v4.new_output("execute_result", data={"text/html": long.to_html()}),
        nbformat.v4.new_output("execute_result", data={"text/html": "<td>0.45 (0.38-∞)</td>"}),
    ]
    assert truncated_cells(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_stored_without_outputs_and_with_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    tagged = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    assert nb.metadata.get("kernelspec", {}).get("name"), "a kernelspec, for papermill"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_paired_script_is_in_sync(path):
    """The percent-format script holds the same cells as the notebook (jupytext pairing)."""
    import jupytext

    script = path.with_suffix(".py")
    assert script.is_file(), f"{script.name} missing: run jupytext --sync {path.name}"
    nb = jupytext.read(path)
    py = jupytext.read(script)
    as_cells = [(c.cell_type, c.source.strip()) for c in nb.cells]
    py_cells = [(c.cell_type, c.source.strip()) for c in py.cells]
    assert as_cells == py_cells, f"{path.name} and {script.name} differ: run jupytext --sync"
    assert "ipynb,py:percent" in str(nb.metadata.get("jupytext", {}).get("formats", "")) or (
        NOTEBOOK_DIR / "jupytext.toml"
    ).is_file()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_calls_no_private_module(path):
    """Notebooks are clients of the public API: no `analysis._x` or `from analysis.x._y`."""
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert not re.search(r"analysis(\.\w+)*\._\w+", source)
    assert not re.search(r"^\s*(for|while)\s", source, re.M), "no loops: use a package function"


MINE = [p for p in NOTEBOOKS if p.name[:2] in {"01", "02", "03", "04"}]


@pytest.mark.parametrize("path", MINE, ids=[p.stem for p in MINE])
def test_no_figure_choreography(path):
    """The notebooks of issue 12 draw with package functions only (no plt.subplots)."""
    nb = nbformat.read(path, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "plt." not in source and "matplotlib" not in source


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_executes_without_errors_or_stray_outputs_and_reads_on_a_phone(
    path, executed, phone_browser
):
    """Executed once (shared with the other tests), linted, rendered, then opened at 400 px.

    The page checks are those of tests/report/test_browser.py (every image loads, no console
    error, no script, no number split across lines, no horizontal overflow at 400 px), here
    on the real notebooks and data rather than the fixture site. Where Chromium is missing
    they are left out with a warning; the rest of the test still runs.
    """
    from tests.report._browser import browser_missing, open_page, page_problems

    run = executed(path)
    nb = run.notebook
    assert errors_of(nb) == []
    assert stray_outputs(nb) == []
    assert truncated_cells(nb) == []
    html = run.html.read_text(encoding="utf-8")
    assert not EXTERNAL.search(html)
    assert "ipykernel_" not in html, "a warning on the page names the kernel's temporary file"
    if phone_browser is None:
        warnings.warn(f"page checks of {path.name} left out: {browser_missing()}", stacklevel=1)
        return
    state = open_page(phone_browser, run.html, 400)
    assert page_problems(state, 400) == [], path.name
    assert len(state["images"]) == images_of(nb), "every figure of the notebook is on the page"


@pytest.mark.slow
@pytest.mark.skipif(not _shared_alerts_present(), reason="the alert history is not available")
def test_alert_and_claim_notebooks_render_every_section_with_the_alert_history(executed):
    # the notebooks with their default parameters: the executions shared with the test above
    alerts = executed(ALERTS_NOTEBOOK).notebook
    claim = executed(CLAIM_NOTEBOOK).notebook
    assert errors_of(alerts) == [] and errors_of(claim) == []
    text = all_text(alerts)
    for needle in ["42,002 alerts read", "change(s):", "trend within segments", "alert_rows",
                   "largest_incident_alert_rows"]:
        assert needle in text, needle
    assert images_of(alerts) >= 3  # incidents with their size, the map, change points by region
    claim_text = all_text(claim)
    assert "41 claims in 7 days" in claim_text
    assert "consistent with the claimed 5 launches per day" in claim_text
    assert "the alert history ends 2024-10-12" in claim_text


@pytest.mark.slow
def test_alerts_notebook_says_when_the_alert_history_is_missing(tmp_path, monkeypatch):
    from analysis.report import execute_notebook

    # The kernel inherits this environment: no shared folder, an empty cache.
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(tmp_path / "no-shared"))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "empty-cache"))
    nb = execute_notebook(ALERTS_NOTEBOOK, output=tmp_path / "a.ipynb", timeout=300)
    assert errors_of(nb) == []
    text = all_text(nb)
    assert "The alert history is not available on this machine" in text
    assert "incident-trends data fetch oref" in text
    assert "change(s):" not in text and images_of(nb) == 0
    assert "Hamas-led attack" in text  # the known-events table still renders
    claim = execute_notebook(CLAIM_NOTEBOOK, output=tmp_path / "c.ipynb", timeout=300)
    assert errors_of(claim) == []
    claim_text = all_text(claim)
    assert "The alert history is not available on this machine" in claim_text
    assert "41 claims in 7 days" in claim_text  # the sections from the curated tables render


@pytest.mark.slow
def test_alerts_notebook_on_a_user_incident_file(tmp_path):
    """incidents_path (as `incident-trends report --incidents` passes it) replaces the alerts."""
    from analysis.report import execute_notebook

    fixture = PROJECT_ROOT / "data" / "curated" / "incidents.csv"
    nb = execute_notebook(
        ALERTS_NOTEBOOK,
        parameters={"incidents_path": str(fixture), "weapons": None, "start": None, "end": None},
        output=tmp_path / "a.ipynb",
        timeout=300,
    )
    assert errors_of(nb) == [] and stray_outputs(nb) == []
    text = all_text(nb)
    assert "Incidents from the file" in text and "6 records read" in text
    assert "alerts read" not in text
    assert images_of(nb) >= 1
