"""The README's "Many series" section runs as written; its Spark recipe where pyspark is."""

from __future__ import annotations

import re

import matplotlib
import pandas as pd
import pytest

from analysis.datasets import PROJECT_ROOT

matplotlib.use("Agg")


def _section() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Many series\n(.*?)^## ", text, flags=re.S | re.M)
    assert match, "the README has no 'Many series' section"
    return match.group(1)


def _blocks(fence: str) -> list[str]:
    return re.findall(rf"```{fence}\n(.*?)```", _section(), flags=re.S)


@pytest.fixture(scope="module")
def namespace() -> dict:
    import matplotlib.pyplot as plt

    ns: dict = {}
    try:
        for block in _blocks("python"):
            exec(compile(block, "README.md", "exec"), ns)
    finally:
        plt.close("all")
    return ns


def test_many_series_example_runs_and_finds_the_common_change(namespace):
    many, common = namespace["many"], namespace["common"]
    assert set(many.results["area"]) == {"area0", "area1", "area2"} and many.errors.empty
    assert common.n_changes == 1
    assert {"area0", "area1", "area2"} <= set(common.changes["affected"].iloc[0])
    assert abs(int(common.changes["index"].iloc[0]) - 200) <= 5


def test_dask_block_names_a_scheduler_address():
    (dask_block,) = [b for b in _blocks("py") if 'engine="dask"' in b]
    assert 'client="tcp://' in dask_block


def test_spark_recipe(namespace):
    pytest.importorskip(
        "pyspark", reason="pyspark is not a dependency: the recipe runs where it is installed"
    )
    (recipe,) = [b for b in _blocks("py") if "applyInPandas" in b]
    ns = {"table": namespace["table"]}
    exec(compile(recipe, "README.md", "exec"), ns)
    try:
        from analysis.batch import detect_many

        ref = detect_many(
            namespace["table"], by="area", time_col="date", value_col="count", n_jobs=1
        )
        got = ns["changes"]
        assert got["area"].tolist() == ref.results["area"].tolist()
        assert pd.DatetimeIndex(got["changepoint"]).equals(
            pd.DatetimeIndex(ref.results["changepoint"])
        )
    finally:
        ns["spark"].stop()
