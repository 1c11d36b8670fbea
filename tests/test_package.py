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

# The layers of ../shared/ARCHITECTURE.md, bottom first:
# shared base -> io -> curation -> counts -> rates | trend | changepoints -> plots -> report -> cli
# A module may import a module of a lower rank or of its own group (its own package);
# rates, trend and changepoints share a rank but are separate groups, so none of them
# may import another.
LAYERS: list[tuple[str, int]] = [
    ("analysis.errors", 0),
    ("analysis._numba", 0),
    ("analysis._git", 0),
    ("analysis._progress", 0),
    ("analysis._format", 1),
    ("analysis._draw", 1),
    ("analysis._dependence", 1),
    ("analysis._dates", 2),
    ("analysis._results", 2),
    ("analysis._series", 3),
    ("analysis.datasets", 4),
    ("analysis.io", 5),
    ("analysis.curation", 6),
    ("analysis.counts", 7),
    ("analysis.rates", 8),
    ("analysis.trend", 8),
    ("analysis.changepoints", 8),
    ("analysis.plots", 9),
    ("analysis.validation", 9),
    ("analysis.report", 10),
    ("analysis.batch", 11),
    ("analysis.cli", 11),
]
SAME_GROUP: dict[str, str] = {}  # packages that are one group although their names differ


def _layer(module: str) -> tuple[int, str] | None:
    for prefix, rank in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return rank, SAME_GROUP.get(prefix, prefix)
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Absolute names of the analysis modules a file imports (relative imports resolved)."""
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            if base == "analysis":  # `from analysis import __version__` etc.
                out += [(f"analysis.{a.name}", node.lineno) for a in node.names]
            else:
                out.append((base, node.lineno))
                out += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return out


def _package_modules() -> list[Path]:
    return [p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE]


def _module_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports (packages' __init__ excluded as targets)."""
    names = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in names}
    for me, path in names.items():
        for target, _ in _imports(path):
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target and target != me and names[target].name != "__init__.py":
                graph[me].add(target)
    return graph


def test_every_module_belongs_to_a_layer():
    unplaced = [_module_name(p) for p in _package_modules() if _layer(_module_name(p)) is None]
    assert not unplaced, f"add these modules to LAYERS in this test: {unplaced}"


def test_lower_layers_never_import_higher_ones_or_siblings():
    bad = []
    for path in _package_modules():
        me = _module_name(path)
        mine = _layer(me)
        for target, line in _imports(path):
            theirs = _layer(target)
            if mine is None or theirs is None or theirs[1] == mine[1]:
                continue
            if theirs[0] >= mine[0]:
                bad.append(f"{me} (line {line}) imports {target}")
    assert not bad, "layering violated:\n" + "\n".join(sorted(set(bad)))


def test_no_import_circle():
    graph = _module_graph()

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph[todo.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    circles = sorted(m for m in graph if m in reach(m))
    assert not circles, f"modules in an import circle: {circles}"


def test_the_circle_check_sees_a_circle(tmp_path, monkeypatch):
    pkg = tmp_path / "analysis"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from analysis.b import x\n")
    (pkg / "b.py").write_text("from . import a\nx = 1\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", pkg)
    graph = _module_graph()
    assert graph["analysis.a"] == {"analysis.b"} and graph["analysis.b"] == {"analysis.a"}


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
