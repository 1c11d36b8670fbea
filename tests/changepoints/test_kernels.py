"""numba's on-disk cache follows every edit, and a warmed cache leaves nothing to compile.

numba keys a cached function by its own source file only. The searches' cached
entry points (``ENTRIES`` of ``search/_pelt.py`` and its siblings) call
compiled functions of other files (the costs' kernels), so the package stores every cache in
a folder keyed on the hash of all its compiled sources (``analysis/_numba.py``).
The rule checked here: every cached function caches into that folder, every
compiled callee or frozen constant of a cached function comes from a hashed
file, and an edit to a callee in another file is never served stale (checked
end to end in fresh processes).
"""

from __future__ import annotations

import ast
import functools
import importlib
import json
import os
import shutil
import subprocess
import sys
import types as pytypes
from pathlib import Path

import numpy as np
import pytest
from numba.core import types
from numba.core.caching import NullCache
from numba.core.dispatcher import Dispatcher

import analysis
from analysis import _numba
from analysis.changepoints import (
    Cost,
    MeanVarCost,
    NegBinCost,
    NormalCost,
    PoissonCost,
    detect_changepoints,
)
from analysis.changepoints.costs._base import PrefixSumCost, SegmentKernel

PACKAGE = Path(analysis.__file__).resolve().parent


def _modules_with_kernels() -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in path.parts or "numba" not in path.read_text(encoding="utf-8"):
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


def _hashed() -> set[Path]:
    return {p.resolve() for p in _numba.jitted_sources()}


def _file_of(module_name: str) -> Path | None:
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    f = getattr(module, "__file__", None)
    return Path(f).resolve() if f else None


def _imported_from(module_name: str) -> dict[str, str]:
    # name -> module it is imported from, at the top level of a module's source
    tree = ast.parse(Path(_file_of(module_name) or "").read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                out[alias.asname or alias.name] = node.module
    return out


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
    assert "analysis.changepoints.search._pelt._pelt_poisson" in names


def test_the_hash_covers_every_file_with_a_compiled_function():
    hashed = _hashed()
    files = {Path(d.py_func.__code__.co_filename).resolve() for _, _, d in _dispatchers()}
    assert files <= hashed, sorted(str(f) for f in files - hashed)


@pytest.mark.parametrize(
    ("module", "attr", "disp"),
    [pytest.param(m, a, d, id=f"{m}.{a}") for m, a, d in _dispatchers() if _cached(d)],
)
def test_a_cached_kernel_caches_into_the_folder_of_the_source_hash(module, attr, disp):
    root = _numba.cache_dir()
    assert root is not None and root.name == _numba.source_hash()
    assert Path(disp._cache._cache_path).resolve().is_relative_to(root.resolve())


@pytest.mark.parametrize(
    ("module", "attr", "disp"),
    [pytest.param(m, a, d, id=f"{m}.{a}") for m, a, d in _dispatchers() if _cached(d)],
)
def test_a_cached_kernel_uses_only_compiled_code_and_constants_of_hashed_files(module, attr, disp):
    # numba freezes the compiled callees and global constants into the cached
    # machine code; the hash must change when any of them does
    hashed = _hashed()
    glob = disp.py_func.__globals__
    origin = _imported_from(module)
    bad = []
    for n in sorted(_names(disp.py_func.__code__)):
        if n not in glob:
            continue  # a builtin, an attribute or a local
        v = glob[n]
        if isinstance(v, Dispatcher):
            f = Path(v.py_func.__code__.co_filename).resolve()
            if f not in hashed:
                bad.append(f"{n} (compiled in {f})")
        elif isinstance(v, pytypes.ModuleType):
            if v.__name__.startswith("analysis"):
                f = _file_of(v.__name__)
                if f not in hashed:
                    bad.append(f"module {v.__name__}")
        elif not callable(v):  # a constant, frozen at compile time
            source = origin.get(n)
            if source is not None and source.startswith("analysis"):
                if _file_of(source) not in hashed:
                    bad.append(f"constant {n} (from {source})")
    assert not bad, f"{module}.{attr} is cached but depends on unhashed files: {bad}"


def test_the_source_hash_follows_every_compiled_file_and_only_those(tmp_path):
    copy = tmp_path / "analysis"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    digest = functools.partial(_numba.source_hash.__wrapped__, copy)
    before = digest()
    assert before == _numba.source_hash()  # same sources, same folder
    with (copy / "_format.py").open("a") as fh:  # no compiled code there
        fh.write("\n# an edit\n")
    assert digest() == before
    with (copy / "changepoints" / "costs" / "poisson.py").open("a") as fh:
        fh.write("\n# an edit\n")
    assert digest() != before


_CHILD = r"""
import json
import numpy as np
from analysis import _numba
from analysis.changepoints.costs import PoissonCost, poisson
from analysis.changepoints.search import _pelt as module
from analysis.changepoints.search._pelt import _pelt, pelt
y = np.r_[np.full(20, 2.0), np.full(20, 9.0), np.full(20, 4.0)]  # SIMULATED
cost = PoissonCost().fit(y)
last, f = pelt(cost, 5.0, 2)  # through the cached entry point
e = module._pelt_poisson
# the same body compiled here and now, with the kernel as it is on disk now
_, ref = _pelt(poisson._segment_kernel, cost.cs1_, cost.cs2_, 1.0, y.size, 5.0, 2, 0.0, False)
print(json.dumps({
    "f": f, "ref": float(ref), "dir": str(_numba.cache_dir()),
    "hits": sum(e.stats.cache_hits.values()), "misses": sum(e.stats.cache_misses.values()),
}))
"""


def _child(pkg: Path, cache: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUMBA_", "PYTHONPATH"))}
    env.update(PYTHONPATH=str(pkg), NUMBA_CACHE_DIR=str(cache), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env=env,
        cwd=pkg,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_edit_to_a_kernel_in_another_file_is_never_served_from_a_stale_cache(tmp_path):
    # the entry point _pelt_poisson (in search/_pelt.py) calls the Poisson kernel of
    # costs/poisson.py: with numba's own cache key, an edit of that kernel would
    # leave the entry point's old machine code in use
    pkg, cache = tmp_path / "pkg", tmp_path / "cache"
    shutil.copytree(PACKAGE, pkg / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    first = _child(pkg, cache)
    assert (first["misses"], first["hits"]) == (1, 0)
    assert first["f"] == pytest.approx(first["ref"], rel=1e-12)
    again = _child(pkg, cache)
    assert (again["misses"], again["hits"]) == (0, 1)  # the cache works
    assert again["f"] == first["f"]
    kernel = pkg / "analysis" / "changepoints" / "costs" / "poisson.py"
    text = kernel.read_text(encoding="utf-8")
    old = "    return 2.0 * (s - s * math.log(s / n))\n"
    assert text.count(old) == 1
    kernel.write_text(text.replace(old, "    return 4.0 * (s - s * math.log(s / n))\n"))
    edited = _child(pkg, cache)
    assert edited["misses"] == 1 and edited["dir"] != first["dir"]
    assert edited["f"] == pytest.approx(edited["ref"], rel=1e-12)  # the edited kernel runs
    assert edited["f"] != pytest.approx(first["f"], rel=1e-6)


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


def test_the_search_bodies_taking_a_kernel_are_not_cached():
    from analysis.changepoints import intervals
    from analysis.changepoints.search import _binseg, _brute, _fpop, _pelt

    for body in (
        _pelt._pelt,
        _brute._op,
        _binseg._best_split,
        _binseg._all_splits,
        intervals._profile,
        _fpop._fpop_convex,
        _fpop._fpop_quadratic,
    ):
        assert not _cached(body)


def _builtin_costs() -> list[type]:
    found = []
    for name in _modules_with_kernels():
        if not name.startswith("analysis.changepoints.costs."):
            continue
        for value in vars(importlib.import_module(name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, PrefixSumCost)
                and "_segment_kernel" in value.__dict__
                and value.__module__ == name
            ):
                found.append(value)
    return found


def test_every_builtin_cost_has_a_cached_entry_point_for_every_search():
    from analysis.changepoints import intervals
    from analysis.changepoints.search import _fpop
    from analysis.changepoints.search._binseg import _all_splits
    from analysis.changepoints.search._brute import _op
    from analysis.changepoints.search._common import compiled
    from analysis.changepoints.search._pelt import _pelt

    classes = _builtin_costs()
    assert len(classes) == 6
    for klass in classes:
        for body in (_pelt, _op, _all_splits, intervals._profile):
            entry = compiled(body, klass.__dict__["_segment_kernel"])
            assert isinstance(entry, Dispatcher) and _cached(entry), (klass, body)
        form = klass.__dict__.get("_form")
        if form is not None:
            quadratic = klass.__dict__.get("_quadratic")
            body = _fpop._fpop_quadratic if quadratic else _fpop._fpop_convex
            assert _cached(_fpop.FORM_ENTRIES[(body, *form)]), klass


def _fitted(klass: type, y: np.ndarray) -> PrefixSumCost:
    if klass.__name__ == "WeightedPoissonCost":
        return klass(np.tile([1.25, 0.75], y.size // 2)).fit(y)
    if klass.__name__ == "NegBinCost":
        return klass(size=4.0).fit(y)
    return klass().fit(y)


@pytest.mark.parametrize("klass", _builtin_costs(), ids=lambda k: k.__name__)
def test_an_entry_point_computes_what_its_body_computes_with_the_kernel(klass):
    from analysis.changepoints import intervals
    from analysis.changepoints.search._binseg import _all_splits
    from analysis.changepoints.search._brute import _op
    from analysis.changepoints.search._common import compiled
    from analysis.changepoints.search._pelt import _pelt

    rng = np.random.default_rng(3)  # SIMULATED counts with two changes
    y = np.r_[rng.poisson(2, 30), rng.poisson(8, 30), rng.poisson(4, 30)].astype(float)
    k = _fitted(klass, y).kernel()
    assert k is not None
    iv = np.array([[0, 45], [30, 90], [0, 90]], dtype=np.int64)
    for body, args in [
        (_pelt, (k.n, 6.0, 2, 0.0, False)),
        (_op, (k.n, 6.0, 2)),
        (_all_splits, (iv, 2)),
        (intervals._profile, (10, 70, 2)),
    ]:
        got = compiled(body, k.cost)(k.cs1, k.cs2, k.par, *args)
        # the body run as Python around the compiled kernel: independent of any cache
        want = body.py_func(k.cost, k.cs1, k.cs2, k.par, *args)
        for a, b in zip(got, want, strict=True) if isinstance(got, tuple) else [(got, want)]:
            np.testing.assert_allclose(a, b, rtol=1e-12)


@functools.cache
def _user_kernel():
    from analysis._numba import njit

    @njit(error_model="numpy")
    def kernel(cs1, cs2, par, a, b):
        s = cs1[b] - cs1[a]
        if s <= 0.0:
            return 0.0
        return 2.0 * (s - s * np.log(s / (b - a)))

    return kernel


class CompiledPoisson(Cost):
    """A user's cost with its own compiled kernel (the Poisson cost, written again)."""

    name = "my-poisson"

    def fit(self, signal):
        super().fit(signal)
        self.cs1_ = np.concatenate(([0.0], np.cumsum(self.signal_)))
        return self

    def error(self, start, end):
        return float(_user_kernel()(self.cs1_, self.cs1_, 1.0, start, end))

    def kernel(self):
        return SegmentKernel(_user_kernel(), self.cs1_, np.zeros(1), 1.0)


def test_a_users_compiled_kernel_runs_the_body_compiled_in_its_process():
    from analysis.changepoints.search._common import compiled
    from analysis.changepoints.search._pelt import _pelt

    assert isinstance(compiled(_pelt, _user_kernel()), functools.partial)
    rng = np.random.default_rng(5)  # SIMULATED counts with one change
    y = np.r_[rng.poisson(2, 50), rng.poisson(7, 50)].astype(float)
    for method in ("pelt", "op", "binseg", "seeded_binseg"):
        mine = detect_changepoints(y, cost=CompiledPoisson(), method=method, penalty=10.0)
        ref = detect_changepoints(y, cost="poisson", method=method, penalty=10.0)
        assert mine.indices.tolist() == ref.indices.tolist(), method
        assert mine.indices.size >= 1


def test_the_warm_up_leaves_no_cached_function_of_the_package_out_of_the_cache():
    from analysis.changepoints import _warm

    _warm.warm()
    loaded = {m for m, _ in (n.rsplit(".", 1) for n, _ in _warm.cached_dispatchers())}
    assert {m for m, _, d in _dispatchers() if _cached(d)} <= loaded
    assert _warm.uncompiled() == []


_FIRST_CALLS = r"""
import json
from numba.core import event
import numpy as np, pandas as pd
import analysis
compiled = []
class Listener(event.Listener):
    def on_start(self, ev):
        d = ev.data["dispatcher"]
        compiled.append(d.py_func.__module__ + "." + d.py_func.__qualname__)
    def on_end(self, ev):
        pass
event.register("numba:compile", Listener())
rng = np.random.default_rng(0)  # SIMULATED
counts = pd.Series(rng.poisson(4, 300), index=pd.date_range("2024-01-01", periods=300))
counts.iloc[150:] += rng.poisson(6, 150)
values = counts.astype(float) + rng.normal(0, 1, 300)
analysis.detect_changepoints(counts)
analysis.detect_changepoints(values)
for cost in ("poisson", "negbin"):
    analysis.detect_changepoints(counts, cost=cost)
for cost in ("normal", "normal_meanvar", "linear"):
    analysis.detect_changepoints(values, cost=cost)
analysis.online_changepoints(counts)
analysis.online_changepoints(values, family="normal")
print(json.dumps(sorted(set(c for c in compiled if c.startswith("analysis")))))
"""


def test_a_fresh_process_after_the_warm_up_compiles_nothing_of_the_package():
    # what keeps the first call fast: every compiled function a default call
    # needs is loaded from the cache (a missing entry point, or an argument
    # type the warm-up did not use, would compile here)
    from analysis.changepoints import _warm

    _warm.warm()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(PACKAGE.parent), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALLS],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
