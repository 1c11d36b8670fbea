"""The three notebooks of issue 11 execute, quickly, without stray reprs of plot objects.

notebooks/11-acled-export (the SIMULATED ACLED fixture), 12-spreadsheet-mapping (the
SIMULATED spreadsheet and mapping) and 13-published-figures (the curated claims tables).
"""

from __future__ import annotations

import json
import re
import time

import pytest

from analysis.datasets import PROJECT_ROOT

NOTEBOOKS = PROJECT_ROOT / "notebooks"
NAMES = ["11-acled-export", "12-spreadsheet-mapping", "13-published-figures"]
STRAY = re.compile(r"^(Text\(|<Axes|<matplotlib\.|\[<matplotlib)")


@pytest.mark.parametrize("name", NAMES)
def test_stored_without_outputs_with_parameters_and_paired(name):
    nb = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert sum("parameters" in c["metadata"].get("tags", []) for c in code) == 1
    assert (NOTEBOOKS / f"{name}.py").is_file()  # the jupytext pair
    text = "".join("".join(c["source"]) for c in nb["cells"])
    assert "analysis._" not in text  # no private modules


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_executes_in_under_20_seconds_without_stray_outputs(name, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    began = time.perf_counter()
    client.execute()
    took = time.perf_counter() - began
    stray = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            texts = [out.get("text", "")]
            texts.append(out.get("data", {}).get("text/plain", ""))
            for t in texts:
                t = "".join(t) if isinstance(t, list) else t
                stray += [line for line in t.splitlines() if STRAY.match(line.strip())]
            assert out.get("output_type") != "error", out
    assert stray == []
    # each notebook runs in under 20 s, the kernel start included (measured 5-10 s)
    print(f"{name}: {took:.1f} s")
    assert took < 20, f"{name} took {took:.0f} s"
