"""Package-wide contracts: the layering, lazy imports, and the flat public API."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import analysis

PACKAGE = Path(analysis.__file__).resolve().parent

# The layers of ../shared/ARCHITECTURE.md:
# io -> curation -> counts -> rates/trend/changepoints -> plots -> report
LAYERS: list[tuple[str, int]] = [
    ("analysis.errors", 0),
    ("analysis._results", 0),
    ("analysis.datasets", 0),
    ("analysis.io", 1),
    ("analysis.curation", 2),
    ("analysis.counts", 3),
    ("analysis.rates", 4),
    ("analysis._rates", 4),
    ("analysis.trend", 4),
    ("analysis.changepoints", 4),
    ("analysis.plots", 5),
    ("analysis.report", 6),
    ("analysis.batch", 7),
    ("analysis.cli", 7),
    ("analysis._cli", 7),
]


def _rank(module: str) -> int | None:
    for prefix, rank in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "analysis":  # `from analysis import __version__` etc.
                out += [(f"analysis.{a.name}", node.lineno) for a in node.names]
            else:
                out.append((node.module, node.lineno))
    return out


def _package_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE]


def test_every_module_belongs_to_a_layer():
    unplaced = [_module_name(p) for p in _package_modules() if _rank(_module_name(p)) is None]
    assert not unplaced, f"add these modules to LAYERS in this test: {unplaced}"


def test_lower_layers_never_import_higher_ones():
    bad = []
    for path in _package_modules():
        me = _module_name(path)
        my_rank = _rank(me)
        for target, line in _imports(path):
            if not target.startswith("analysis.") or target == "analysis.__version__":
                continue
            rank = _rank(target)
            if rank is not None and my_rank is not None and rank > my_rank:
                bad.append(f"{me} (line {line}) imports {target}")
    assert not bad, "layering violated:\n" + "\n".join(bad)


def test_import_analysis_is_light():
    code = (
        "import sys, analysis; "
        "heavy = [m for m in ('statsmodels', 'matplotlib', 'numba', 'scipy', 'pandera', "
        "'nbconvert', 'papermill', 'duckdb', 'dask') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import analysis pulled in: {out.stdout.strip()}"


@pytest.mark.parametrize("name", analysis.__all__)
def test_public_name_resolves(name):
    module = importlib.import_module(analysis._EXPORTS[name])
    assert getattr(analysis, name) is getattr(module, name)


def test_unknown_public_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_name"):
        analysis.no_such_name  # noqa: B018
