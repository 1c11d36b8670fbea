"""numba's on-disk cache can follow every edit: the rule, checked over every kernel.

numba keys a cached kernel by its own source file only. A cached kernel that
calls a compiled function of another module (by a global name, or passed in
as an argument) would keep stale machine code after that module is edited.
So a kernel is cached only when every compiled function it calls lives in its
own file; the searches, which take a cost's kernel as an argument, are not
cached.
"""

from __future__ import annotations

import importlib
import types as pytypes
from pathlib import Path

import numpy as np
import pytest
from numba.core import types
from numba.core.caching import NullCache
from numba.core.dispatcher import Dispatcher

import analysis
from analysis.changepoints import (
    MeanVarCost,
    NegBinCost,
    NormalCost,
    PoissonCost,
    detect_changepoints,
)

PACKAGE = Path(analysis.__file__).resolve().parent


def _modules_with_kernels() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "numba" not in path.read_text(encoding="utf-8"):
            continue
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out


def _dispatchers() -> list[tuple[str, str, Dispatcher]]:
    found = []
    for name in _modules_with_kernels():
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, Dispatcher) and value.py_func.__module__ == name:
                found.append((name, attr, value))
    return found


def _names(code: pytypes.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, pytypes.CodeType):
            names |= _names(const)
    return names


def _cached(disp: Dispatcher) -> bool:
    return not isinstance(disp._cache, NullCache)


def _exercise() -> None:
    # compile every kernel a search uses, for every built-in cost
    rng = np.random.default_rng(0)  # simulated counts
    y = np.r_[rng.poisson(2, 40), rng.poisson(7, 40)].astype(float)
    for cost, methods in [
        (PoissonCost, ("fpop", "pelt", "op", "binseg", "seeded_binseg")),
        (lambda: NegBinCost(size=4.0), ("fpop", "pelt")),
        (NormalCost, ("fpop", "pelt")),
        (MeanVarCost, ("pelt", "seeded_binseg")),
    ]:
        for method in methods:
            detect_changepoints(y, cost=cost(), method=method, max_changes=1)


def test_the_package_has_kernels_to_check():
    names = {f"{m}.{a}" for m, a, _ in _dispatchers()}
    assert "analysis.changepoints.costs.poisson._segment_kernel" in names
    assert "analysis.changepoints.search._fpop._fpop_convex" in names


@pytest.mark.parametrize(
    ("module", "attr", "disp"),
    [pytest.param(m, a, d, id=f"{m}.{a}") for m, a, d in _dispatchers()],
)
def test_a_cached_kernel_calls_only_kernels_of_its_own_file(module, attr, disp):
    if not _cached(disp):
        return
    glob = disp.py_func.__globals__
    foreign = [
        f"{n} (from {glob[n].py_func.__module__})"
        for n in sorted(_names(disp.py_func.__code__))
        if isinstance(glob.get(n), Dispatcher) and glob[n].py_func.__module__ != module
    ]
    assert not foreign, f"{module}.{attr} is cached but calls {foreign}: use cache=False"


def test_no_cached_kernel_takes_a_compiled_function_as_argument():
    _exercise()
    bad = [
        f"{m}.{a}"
        for m, a, d in _dispatchers()
        if _cached(d)
        and any(
            isinstance(t, types.Dispatcher | types.FunctionType)
            for sig in d.signatures
            for t in sig
        )
    ]
    assert not bad, f"cached kernels whose compiled callee is an argument: {bad}"


def test_the_searches_are_compiled_per_process():
    from analysis.changepoints.search import _binseg, _brute, _fpop, _pelt

    for kernel in (_pelt._pelt, _brute._op, _binseg._best_split, _fpop._fpop_convex):
        assert not _cached(kernel)
