"""Change-point defaults on REAL, human-annotated series: the Turing Change Point Dataset.

The benchmark of issue 8's target "on real annotated series of many kinds, the
defaults clearly beat predicting no change, and beat R ``changepoint``'s own
defaults". The series and annotations are those of the Turing Change Point
Dataset (TCPD; van den Burg & Williams 2020, "An evaluation of change point
detection algorithms", arXiv:2003.06222; github.com/alan-turing-institute/TCPD):
one JSON file per series (``datasets/<name>/<name>.json``) and
``annotations.json``, with the change points marked by five annotators per series.

Data are never committed to this project (the series carry their own, varying
licences; see each series' README in the TCPD repository). They are read from a
cache folder: ``INCIDENT_TRENDS_TCPD`` when set, else ``tcpd/`` in the download
cache (:func:`analysis.datasets.cache_dir`). A file missing there is downloaded
with pooch from the GitHub raw address, checked against the md5 that TCPD
publishes in its ``checksums.json``. Series that TCPD builds with a script from
their original source (``apple``, ``bitcoin``, ``measles``, ...) cannot be
downloaded from TCPD directly: build them with TCPD's own ``make`` and copy
the JSON files into the cache folder, and they are used too. Without a cache
and without a network the benchmark stops with a message saying so; it never
substitutes made-up data.

Only univariate series (``n_dim == 1``) are used. For each series and method
the table records F1 (margin 5), the segmentation covering, the number of
changes and any error (an error counts as predicting no change, and is listed).

``python -m analysis.validation._annotated --out reports/validation`` (or
``make benchmark-annotated``) writes ``annotated.json`` and ``annotated.md``.
The benchmark imports :mod:`analysis`, so it measures whichever checkout is on
the path.

Metrics
-------
Both metrics are written here by hand from the definitions in Section 4 of van
den Burg & Williams (2020); no code is taken from their benchmark. As in the
paper, the first index (0) counts as a change point in every annotation and in
every prediction.

* F1 (:func:`f1_score`): with ``T_k`` the points of annotator ``k``, ``G`` their
  union and ``X`` the prediction, precision is ``|TP(G, X)| / |X|`` and recall
  ``(1/K) sum_k |TP(T_k, X)| / |T_k|``, where ``TP(T, X)`` are the points of
  ``T`` within ``margin`` of a point of ``X``, each point of ``X`` used at most
  once. Here the one-to-one matching is the maximum matching (greedy over
  sorted points, which is optimal when every point has a window of the same
  width); the paper's own code matches each true point to its nearest unused
  prediction in annotation order, which can give fewer matches in rare
  crowded cases.
* Positions: a change point is the 0-based index of the first point of the new
  segment (``detect_changepoints(...).indices``, R's ``cpts()``). TCPDBench
  reports R's ``cpts() - 1`` (the last point of the old segment); the shift of
  one point is inside the F1 margin and moves a covering boundary by one point.
* Covering (:func:`covering`): for an annotator's partition ``S`` and the
  predicted ``S'`` of ``n`` points, ``C(S', S) = (1/n) sum_{A in S} |A|
  max_{A' in S'} |A & A'| / |A | A'|``; the benchmark reports its mean over the
  annotators.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import DataNotFoundError

__all__ = [
    "MARGIN",
    "METHODS",
    "TCPD_FILES",
    "TCPD_MULTIVARIATE",
    "TCPDSeries",
    "covering",
    "f1_score",
    "load_tcpd",
    "main",
    "precision_recall",
    "run_benchmark",
    "tcpd_dir",
    "to_markdown",
]

#: Margin (in points) of the F1 score, as in the paper.
MARGIN = 5

RAW_URL = "https://raw.githubusercontent.com/alan-turing-institute/TCPD/master"

#: The univariate series that TCPD stores as JSON (downloadable), with the md5
#: TCPD publishes in ``checksums.json``. ``run_log`` (two dimensions) is left out.
TCPD_FILES: dict[str, str] = {
    "bank": "5207135ea53fc6fa2a8119908da73abf",
    "brent_spot": "79892116ef8a0aa16e2450123655b31d",
    "businv": "d2ab178da17b2e659a10a102a4b9f332",
    "centralia": "addb9b70ac1294eba6da958f3ab26595",
    "children_per_woman": "826e0a2328b8a8a085050115768eef98",
    "co2_canada": "de8d2cac911d2a8e3ce5addacbaed8e0",
    "construction": "fb0347dc9fd353b11b35e99f7d531f13",
    "debt_ireland": "a5a9e752c338d2ffcceb614bb2064cc9",
    "gdp_argentina": "694212b5682ebd808d740ffd83d4bc16",
    "gdp_croatia": "4f902ba68bf710fa245e5eb0ab35fea7",
    "gdp_iran": "889e9fc6292125189fd3188396167431",
    "gdp_japan": "17026e80ab363d9f668d69900824d9ae",
    "global_co2": "7c8edd8887f51a6f841cc9d806ab4e56",
    "homeruns": "987bbab63e2c72acba1c07325303720c",
    "jfk_passengers": "9655295214078f2a45a4c18e6c4e6d0d",
    "lga_passengers": "3e7bf55fac17f59b400f8a558d3f0337",
    "nile": "5b08800e3ec692bfa5385b978658199b",
    "ozone": "348b1f85c3ec3da3b8989afe04c33b80",
    "quality_control_1": "fcfd5b0323a0dbd499c22b32c77f6a43",
    "quality_control_2": "919a55440bd00d635db80fe83e921c7d",
    "quality_control_3": "94f55ddedd03197bc3e660f6e1d840ee",
    "quality_control_4": "1efedb9a52cd0b9a9250cf9781c5f7ef",
    "quality_control_5": "2ebb10acafae18ebabf0217218717970",
    "rail_lines": "fa7d19c61264f0d6b9d74cd145a50012",
    "seatbelts": "976ef4318e7b6381ff37dd4ac8029718",
    "shanghai_license": "b4ac173eb6c0a1a4d10268abc109eda1",
    "uk_coal_employ": "a7c72746e46d6e09f516bd87e0e68bef",
    "unemployment_nl": "26d8c0359de7f733a6fb51d4d60b5af6",
    "us_population": "77037fc5ff0338516a56ae686aa4dcba",
    "usd_isk": "5cac2807a0e280c8ffd7321662e339ac",
    "well_log": "7c80d2cbd5864b923e6a653aad115de6",
}

#: TCPD series with more than one dimension (left out: the benchmark is univariate).
TCPD_MULTIVARIATE = ("apple", "bee_waggle_6", "occupancy", "run_log")

ENV_VAR = "INCIDENT_TRENDS_TCPD"


# --- metrics -----------------------------------------------------------------
def _points(points: Iterable[Any], n: int | None, start: bool) -> np.ndarray:
    """Sorted unique integer change points in ``[0, n)``, with 0 when ``start``."""
    arr = np.asarray(list(points), dtype=float)
    if arr.size and not np.all(np.isfinite(arr) & (arr == np.round(arr))):
        raise ValueError(f"change points must be whole numbers, got {arr.tolist()!r}")
    ints = arr.astype(np.int64)
    if n is not None:
        ints = ints[(ints >= 0) & (ints < n)]
    if start:
        ints = np.r_[0, ints]
    return np.unique(ints)


def _annotators(annotations: Mapping[str, Sequence[int]] | Sequence[Sequence[int]]) -> list[Any]:
    sets = list(annotations.values()) if isinstance(annotations, Mapping) else list(annotations)
    if not sets:
        raise ValueError("annotations must hold at least one annotator's change points")
    return sets


def _n_matched(truth: np.ndarray, pred: np.ndarray, margin: int) -> int:
    """Maximum number of one-to-one pairs ``(t, x)`` with ``|t - x| <= margin``.

    Greedy over sorted points: each true point, in increasing order, takes the
    smallest unused prediction at or above ``t - margin``, if it is within
    ``t + margin``. All windows have the same width, so their ends are in the
    order of their starts, and this greedy choice is a maximum matching.
    """
    j = 0
    matched = 0
    for t in truth:
        while j < pred.size and pred[j] < t - margin:
            j += 1
        if j < pred.size and pred[j] <= t + margin:
            matched += 1
            j += 1
    return matched


def _check_margin(margin: Any) -> int:
    if isinstance(margin, bool) or not isinstance(margin, int | np.integer) or margin < 0:
        raise ValueError(f"margin must be an integer >= 0, got {margin!r}")
    return int(margin)


def precision_recall(
    annotations: Mapping[str, Sequence[int]] | Sequence[Sequence[int]],
    predictions: Sequence[int],
    *,
    margin: int = MARGIN,
    n: int | None = None,
) -> tuple[float, float]:
    """Precision against the union of the annotators, recall averaged over them.

    Parameters
    ----------
    annotations : mapping or sequence of sequences of int
        Each annotator's change points (0-based positions). The start point 0
        is added to every annotator's set, as in van den Burg & Williams (2020).
    predictions : sequence of int
        Predicted change points (0 is added).
    margin : int
        A prediction within ``margin`` points of a true change is a hit; each
        prediction counts for at most one true change.
    n : int, optional
        Series length: points outside ``[0, n)`` are dropped.

    Returns
    -------
    (float, float)
        ``precision = |TP(G, X)| / |X|`` with ``G`` the union of the
        annotations, and ``recall = mean_k |TP(T_k, X)| / |T_k|``.

    Examples
    --------
    >>> precision_recall({"a": [50], "b": [52]}, [51, 80])
    (0.6666666666666666, 1.0)
    """
    m = _check_margin(margin)
    sets = [_points(a, n, True) for a in _annotators(annotations)]
    x = _points(predictions, n, True)
    union = np.unique(np.concatenate(sets))
    precision = _n_matched(union, x, m) / x.size
    recall = float(np.mean([_n_matched(t, x, m) / t.size for t in sets]))
    return precision, recall


def f1_score(
    annotations: Mapping[str, Sequence[int]] | Sequence[Sequence[int]],
    predictions: Sequence[int],
    *,
    margin: int = MARGIN,
    n: int | None = None,
) -> float:
    """F1 of predicted change points against several annotators (TCPD's definition).

    ``2 P R / (P + R)`` with ``P, R`` from :func:`precision_recall` (written
    by hand from the definition in van den Burg & Williams 2020, Section 4).

    Examples
    --------
    >>> round(f1_score({"a": [50], "b": [52]}, [51, 80]), 4)
    0.8
    >>> f1_score({"a": [], "b": []}, [])   # no change marked, none predicted
    1.0
    """
    p, r = precision_recall(annotations, predictions, margin=margin, n=n)
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def _bounds(points: np.ndarray, n: int) -> np.ndarray:
    inner = points[(points > 0) & (points < n)]
    return np.unique(np.r_[0, inner, n])


def _cover_one(truth: np.ndarray, pred: np.ndarray, n: int) -> float:
    """``C(S', S)``: ``truth`` and ``pred`` are segment boundaries ``0 < ... < n``."""
    total = 0.0
    for a0, a1 in itertools.pairwise(truth):
        best = 0.0
        for b0, b1 in itertools.pairwise(pred):
            inter = min(a1, b1) - max(a0, b0)
            if inter > 0:
                best = max(best, inter / (max(a1, b1) - min(a0, b0)))
        total += (a1 - a0) * best
    return total / n


def covering(
    annotations: Mapping[str, Sequence[int]] | Sequence[Sequence[int]],
    predictions: Sequence[int],
    n: int,
) -> float:
    """Segmentation covering of a prediction, averaged over the annotators.

    For each annotator's partition ``S`` of the ``n`` points,
    ``C(S', S) = (1/n) sum_{A in S} |A| max_{A' in S'} J(A, A')`` with ``J``
    the Jaccard index of two segments and ``S'`` the predicted partition
    (written by hand from van den Burg & Williams 2020, Section 4).

    Parameters
    ----------
    annotations : mapping or sequence of sequences of int
        Each annotator's change points: the first index of each new segment.
    predictions : sequence of int
        Predicted change points, same convention.
    n : int
        Series length.

    Returns
    -------
    float
        Mean covering over the annotators, in ``[0, 1]``.

    Examples
    --------
    >>> covering({"a": [5]}, [], 10)     # (5 * 0.5 + 5 * 0.5) / 10
    0.5
    >>> covering({"a": [5], "b": []}, [5], 10)
    0.75
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")
    pred = _bounds(_points(predictions, n, True), n)
    values = [
        _cover_one(_bounds(_points(a, n, True), n), pred, n) for a in _annotators(annotations)
    ]
    return float(np.mean(values))


# --- data --------------------------------------------------------------------
@dataclass(frozen=True)
class TCPDSeries:
    """One TCPD series: its values (positions 0..n-1) and the annotators' change points."""

    name: str
    longname: str
    values: pd.Series
    annotations: dict[str, list[int]]
    time_format: str | None = None
    licence_note: str = "see the series' README in the TCPD repository"
    md5: str | None = None

    @property
    def n(self) -> int:
        """Number of observations."""
        return int(self.values.size)


def tcpd_dir(folder: str | os.PathLike[str] | None = None) -> Path:
    """The TCPD folder: ``folder``, else ``$INCIDENT_TRENDS_TCPD``, else the cache's ``tcpd/``.

    Examples
    --------
    >>> tcpd_dir("/tmp/x").as_posix()
    '/tmp/x'
    """
    if folder is not None:
        return Path(folder).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from analysis.datasets import cache_dir

    return cache_dir() / "tcpd"


def _find(folder: Path, fname: str, name: str | None) -> Path | None:
    # the flat cache layout, or a TCPD checkout (datasets/<name>/<name>.json)
    for cand in [folder / fname] + ([folder / "datasets" / name / fname] if name else []):
        if cand.is_file():
            return cand
    return None


def _fetch(folder: Path, name: str | None, download: bool) -> Path:
    """Path of ``annotations.json`` (``name=None``) or ``<name>.json``; download if allowed."""
    fname = "annotations.json" if name is None else f"{name}.json"
    found = _find(folder, fname, name)
    if found is not None:
        return found
    how = (
        f"put TCPD's {fname} into {folder} (set {ENV_VAR} to another folder), "
        f"or run with network access to download it from {RAW_URL}"
    )
    if not download:
        raise DataNotFoundError(f"TCPD file {fname} is not in the cache {folder}: {how}")
    if name is not None and name not in TCPD_FILES:
        raise DataNotFoundError(
            f"TCPD series {name!r} is not in the cache {folder} and TCPD does not store it as a "
            "file (it builds it from its source with a script): build TCPD and copy the file there"
        )
    url = f"{RAW_URL}/annotations.json" if name is None else f"{RAW_URL}/datasets/{name}/{fname}"
    known = None if name is None else f"md5:{TCPD_FILES[name]}"
    try:
        import pooch

        folder.mkdir(parents=True, exist_ok=True)
        return Path(pooch.retrieve(url, known_hash=known, fname=fname, path=folder))
    except Exception as exc:  # network, proxy, checksum: all mean "not available here"
        raise DataNotFoundError(
            f"TCPD file {fname} is not in the cache {folder} and could not be downloaded "
            f"({type(exc).__name__}: {exc}): {how}"
        ) from exc


def _read_series(path: Path, annotations: dict[str, list[int]]) -> TCPDSeries:
    data = path.read_bytes()
    digest = hashlib.md5(data).hexdigest()  # TCPD publishes md5 checksums
    doc = json.loads(data.decode("utf-8"))
    for key in ("name", "n_obs", "n_dim", "series"):
        if key not in doc:
            raise ValueError(f"{path}: not a TCPD series file (no {key!r})")
    if doc["n_dim"] != 1 or len(doc["series"]) != 1:
        raise ValueError(f"{path}: {doc['name']} has {doc['n_dim']} dimensions, not 1")
    spec = doc["series"][0]
    raw = [math.nan if v is None else v for v in spec["raw"]]
    arr = np.asarray(raw, dtype=float)
    if arr.size != doc["n_obs"]:
        raise ValueError(f"{path}: n_obs is {doc['n_obs']} but the series has {arr.size} values")
    values = pd.Series(arr, name=str(spec.get("label", doc["name"])))
    # the file's own type decides the dtype, as an analyst's reader would, but only
    # when every value is whole (shanghai_license is "int" and holds 10269.5)
    if (
        spec.get("type") == "int"
        and not np.isnan(arr).any()
        and np.array_equal(arr, np.round(arr))
        and np.abs(arr).max() < 2**53
    ):
        values = values.astype(np.int64)
    time_spec = doc.get("time") or {}
    return TCPDSeries(
        name=str(doc["name"]),
        longname=str(doc.get("longname", doc["name"])),
        values=values,
        annotations={str(k): [int(p) for p in v] for k, v in annotations.items()},
        time_format=time_spec.get("format"),
        md5=digest,
    )


def load_tcpd(
    names: Sequence[str] | None = None,
    *,
    folder: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> tuple[list[TCPDSeries], dict[str, str]]:
    """Read TCPD series with their annotations from the cache (downloading when allowed).

    Parameters
    ----------
    names : sequence of str, optional
        Series to read; default every annotated series whose file is in the
        cache or can be downloaded (:data:`TCPD_FILES`).
    folder : path, optional
        Cache folder (default :func:`tcpd_dir`).
    download : bool
        Download missing files with pooch (needs network access).

    Returns
    -------
    (list of TCPDSeries, dict)
        The univariate series read, and for every series left out the reason
        (not available, more than one dimension).

    Raises
    ------
    analysis.errors.DataNotFoundError
        When ``annotations.json`` is neither in the cache nor downloadable, or
        when no series at all could be read; the message says where to put the
        files.

    Examples
    --------
    >>> import json, pathlib, tempfile   # a SIMULATED two-series file set, not TCPD data
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "annotations.json").write_text(json.dumps({"toy": {"1": [3], "2": []}}))
    >>> doc = {"name": "toy", "n_obs": 6, "n_dim": 1,
    ...        "series": [{"label": "v", "type": "int", "raw": [1, 1, 1, 5, 5, 5]}]}
    >>> _ = (d / "toy.json").write_text(json.dumps(doc))
    >>> series, skipped = load_tcpd(folder=d, download=False)
    >>> series[0].name, series[0].values.tolist(), series[0].annotations, skipped
    ('toy', [1, 1, 1, 5, 5, 5], {'1': [3], '2': []}, {})
    """
    root = tcpd_dir(folder)
    ann_path = _fetch(root, None, download)
    try:
        all_ann = json.loads(ann_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataNotFoundError(f"{ann_path}: not a readable annotations.json ({exc})") from exc
    if names is None:
        wanted = [
            n
            for n in all_ann
            if n not in TCPD_MULTIVARIATE
            and (n in TCPD_FILES or _find(root, f"{n}.json", n) is not None)
        ]
    else:
        wanted = list(names)
    series: list[TCPDSeries] = []
    skipped: dict[str, str] = {}
    for name in wanted:
        if name not in all_ann:
            skipped[name] = "no annotations"
            continue
        try:
            path = _fetch(root, name, download)
            series.append(_read_series(path, all_ann[name]))
        except DataNotFoundError as exc:
            skipped[name] = f"not available: {exc}"
        except ValueError as exc:
            skipped[name] = str(exc)
    for name in all_ann:
        if name not in wanted and names is None:
            skipped[name] = (
                "multivariate in TCPD (the benchmark is univariate)"
                if name in TCPD_MULTIVARIATE
                else "TCPD builds it from its source with a script (no file to download); "
                "not in the cache"
            )
    if not series:
        raise DataNotFoundError(
            f"no TCPD series could be read from {root}: put the JSON files there "
            f"(set {ENV_VAR} to another folder) or run with network access to download them "
            f"from {RAW_URL}; reasons: "
            + "; ".join(f"{k}: {v}" for k, v in list(skipped.items())[:5])
        )
    return series, skipped


# --- methods -----------------------------------------------------------------
def _zero(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
    return [], {}


def _detect(**kwargs: Any) -> Callable[[TCPDSeries], tuple[list[int], dict[str, Any]]]:
    def run(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
        from analysis import detect_changepoints

        res = detect_changepoints(s.values, **kwargs)
        info = {"cost": res.cost_name, "method": res.method, "reason": res.reason}
        return [int(i) for i in res.indices], info

    return run


def _r_default(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
    # R: cpt.mean(x, method="PELT") = Normal mean, variance 1 on the raw scale,
    # penalty "MBIC", minseglen 1 (R's defaults); NaN refused by R, skipped here
    from analysis.changepoints import NormalCost, detect_changepoints

    x = s.values.astype(float)
    res = detect_changepoints(x, cost=NormalCost(sd=1.0), penalty="mbic", method="pelt", min_size=1)
    return [int(i) for i in res.indices], {"cost": res.cost_name, "method": res.method}


def _r_default_scaled(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
    # R's default on the standardised series, as TCPDBench feeds R (its load.dataset
    # applies R's scale(): mean 0, sample sd 1), so variance 1 is the series' variance
    from analysis.changepoints import NormalCost, detect_changepoints

    x = s.values.astype(float)
    sd = float(np.nanstd(x.to_numpy(), ddof=1))
    if not (math.isfinite(sd) and sd > 0):
        raise ValueError(f"{s.name}: constant series, no scale")
    z = (x - float(np.nanmean(x.to_numpy()))) / sd
    res = detect_changepoints(z, cost=NormalCost(sd=1.0), penalty="mbic", method="pelt", min_size=1)
    return [int(i) for i in res.indices], {"cost": res.cost_name, "method": res.method}


def _default_float(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
    floats = TCPDSeries(s.name, s.longname, s.values.astype(float), s.annotations)
    return _detect()(floats)


def _seasonal_default(s: TCPDSeries) -> tuple[list[int], dict[str, Any]]:
    period = {"%Y-%m": 12, "%Y-%m-%d": 7}.get(s.time_format or "")
    if period is None or s.n < 4 * period + 4:
        return _detect()(s)  # no known cycle: the default itself
    return _detect(seasonal=period)(s)


#: Methods compared: name -> (description, function of a series returning change points).
METHODS: dict[str, tuple[str, Callable[[TCPDSeries], tuple[list[int], dict[str, Any]]]]] = {
    "zero": ("no change predicted", _zero),
    "r_default": (
        "R changepoint's default, exactly: cpt.mean(x, method='PELT') (Normal mean, variance 1 "
        "on the raw values, MBIC, minseglen 1) = detect_changepoints(x, cost=NormalCost(sd=1), "
        "penalty='mbic', method='pelt', min_size=1)",
        _r_default,
    ),
    "r_default_scaled": (
        "R changepoint's default on the standardised series (x - mean) / sd, as TCPDBench "
        "runs R (its loader applies R's scale())",
        _r_default_scaled,
    ),
    "normal_mbic": (
        "detect_changepoints(x, cost='normal', penalty='mbic', method='pelt'): R's MBIC "
        "objective on x / sd, sd estimated by the package (min_size 2)",
        _detect(cost="normal", penalty="mbic", method="pelt"),
    ),
    "default": ("detect_changepoints(x): the package default (cost='auto')", _detect()),
    "default_float": (
        "detect_changepoints(x.astype(float)): the default when the values are given as "
        "measurements (floats), so that an integer dtype cannot make them counts",
        _default_float,
    ),
    "linear": ("detect_changepoints(x, cost='linear')", _detect(cost="linear")),
    "seasonal": (
        "detect_changepoints(x, seasonal=12) for monthly series (7 for daily), else the default",
        _seasonal_default,
    ),
}


# --- run ---------------------------------------------------------------------
@dataclass
class _Row:
    series: str
    n: int
    n_annotators: int
    method: str
    f1: float
    cover: float
    n_changes: int
    error: str | None
    seconds: float
    info: dict[str, Any] = field(default_factory=dict)
    changepoints: list[int] = field(default_factory=list)


def _evaluate(s: TCPDSeries, method: str) -> _Row:
    _, fn = METHODS[method]
    t0 = time.perf_counter()
    error: str | None = None
    info: dict[str, Any] = {}
    try:
        cps, info = fn(s)
    except Exception as exc:  # an error counts as no change, and is listed
        cps, error = [], f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    seconds = time.perf_counter() - t0
    return _Row(
        series=s.name,
        n=s.n,
        n_annotators=len(s.annotations),
        method=method,
        f1=f1_score(s.annotations, cps, n=s.n),
        cover=covering(s.annotations, cps, s.n),
        n_changes=len(cps),
        error=error,
        seconds=round(seconds, 4),
        info=info,
        changepoints=cps,
    )


def _paired(a: np.ndarray, b: np.ndarray) -> dict[str, Any]:
    d = a - b
    m = d.size
    se = float(d.std(ddof=1) / math.sqrt(m)) if m > 1 else math.nan
    return {
        "wins": int((d > 1e-12).sum()),
        "ties": int((np.abs(d) <= 1e-12).sum()),
        "losses": int((d < -1e-12).sum()),
        "mean_difference": float(d.mean()),
        "se": se,
    }


def _checkout() -> dict[str, Any]:
    import analysis

    root = Path(analysis.__file__).resolve().parents[1]
    out: dict[str, Any] = {"package": str(root)}
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        out["commit"] = commit
    except (OSError, subprocess.SubprocessError):
        out["commit"] = None
    return out


def run_benchmark(
    series: Sequence[TCPDSeries],
    methods: Sequence[str] = tuple(METHODS),
    *,
    skipped: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Every method on every series: per-series rows, means, wins and paired differences.

    Parameters
    ----------
    series : sequence of TCPDSeries
        From :func:`load_tcpd` (or simulated ones, for a test).
    methods : sequence of str
        Names in :data:`METHODS`; ``"zero"``, ``"r_default"`` and ``"default"``
        are the comparisons of issue 8.
    skipped : mapping, optional
        Series left out and why (recorded in the result).

    Returns
    -------
    dict
        ``rows`` (one per series and method), ``means`` (F1, covering, number
        of changes and errors per method), ``paired`` (for each method against
        ``zero`` and ``r_default``: wins, ties, losses per series and the mean
        paired difference with its standard error over series), ``methods``,
        ``skipped`` and ``meta``.

    Examples
    --------
    >>> import pandas as pd   # SIMULATED: a step series with one annotated change
    >>> s = TCPDSeries("toy", "toy", pd.Series([0.0] * 20 + [5.0] * 20), {"1": [20], "2": [20]})
    >>> res = run_benchmark([s], ["zero", "r_default"])
    >>> [(r["method"], r["changepoints"], round(r["f1"], 3)) for r in res["rows"]]
    [('zero', [], 0.667), ('r_default', [20], 1.0)]
    """
    unknown = [m for m in methods if m not in METHODS]
    if unknown:
        raise ValueError(f"methods: unknown {unknown}; use some of {list(METHODS)}")
    if not series:
        raise ValueError("series: no series to run on")
    rows = [_evaluate(s, m) for s in series for m in methods]
    frame = pd.DataFrame([r.__dict__ for r in rows])
    means: dict[str, Any] = {}
    for m in methods:
        sub = frame[frame["method"] == m]
        means[m] = {
            "f1": float(sub["f1"].mean()),
            "f1_se": float(sub["f1"].std(ddof=1) / math.sqrt(len(sub))) if len(sub) > 1 else None,
            "cover": float(sub["cover"].mean()),
            "cover_se": (
                float(sub["cover"].std(ddof=1) / math.sqrt(len(sub))) if len(sub) > 1 else None
            ),
            "n_changes_median": float(sub["n_changes"].median()),
            "n_changes_mean": float(sub["n_changes"].mean()),
            "errors": int(sub["error"].notna().sum()),
            "seconds": float(sub["seconds"].sum()),
        }
    paired: dict[str, Any] = {}
    for base in ("zero", "r_default", "r_default_scaled"):
        if base not in methods:
            continue
        b = frame[frame["method"] == base].set_index("series")
        for m in methods:
            if m == base:
                continue
            a = frame[frame["method"] == m].set_index("series").loc[b.index]
            paired[f"{m} vs {base}"] = {
                metric: _paired(a[metric].to_numpy(float), b[metric].to_numpy(float))
                for metric in ("f1", "cover")
            }
    files = {
        s.name: {
            "md5": s.md5,
            "tcpd_md5_matches": (s.md5 == TCPD_FILES[s.name]) if s.name in TCPD_FILES else None,
        }
        for s in series
    }
    return {
        "meta": {
            "benchmark": "TCPD (van den Burg & Williams 2020), univariate series, real data",
            "files": files,
            "margin": MARGIN,
            "n_series": len(series),
            "checkout": _checkout(),
            "python": sys.version.split()[0],
            "date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "note": "an error counts as predicting no change; the start point 0 counts as a "
            "change in annotations and predictions (as in the paper); se = standard error "
            "over series (descriptive: the series are a fixed benchmark, not a random sample)",
        },
        "methods": {m: METHODS[m][0] for m in methods},
        "rows": [r.__dict__ for r in rows],
        "means": means,
        "paired": paired,
        "skipped": dict(skipped or {}),
    }


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def to_markdown(result: Mapping[str, Any]) -> str:
    """The benchmark as Markdown: means, wins, per-series table, errors, left-out series.

    Examples
    --------
    >>> import pandas as pd   # SIMULATED series
    >>> s = TCPDSeries("toy", "toy", pd.Series([0.0] * 20 + [5.0] * 20), {"1": [20]})
    >>> md = to_markdown(run_benchmark([s], ["zero", "default"]))
    >>> md.splitlines()[0]
    '# Change points on real annotated series (TCPD)'
    """
    methods = list(result["methods"])
    lines = [
        "# Change points on real annotated series (TCPD)",
        "",
        f"{result['meta']['n_series']} univariate series of the Turing Change Point Dataset "
        f"(van den Burg & Williams 2020), 5 annotators each (a few have 4 to 6); F1 with a "
        f"margin of {result['meta']['margin']} points, covering averaged over annotators. "
        f"Checkout: `{result['meta']['checkout'].get('commit')}`; run {result['meta']['date']}.",
        "",
        "Real data, not simulated; the data are not part of this project (their licences "
        "vary: see each series' README in github.com/alan-turing-institute/TCPD). Files whose "
        "md5 equals TCPD's checksums.json: "
        f"{sum(bool(v['tcpd_md5_matches']) for v in result['meta']['files'].values())} of "
        f"{len(result['meta']['files'])}.",
        "",
        "## Methods",
        "",
    ]
    lines += [f"- `{m}`: {d}" for m, d in result["methods"].items()]
    lines += [
        "",
        "## Means over series (± standard error over series)",
        "",
        "| method | F1 | cover | changes (median) | changes (mean) | errors |",
        "|---|---|---|---|---|---|",
    ]
    for m in methods:
        v = result["means"][m]
        lines.append(
            f"| {m} | {_fmt(v['f1'])} ± {_fmt(v['f1_se'])} | {_fmt(v['cover'])} ± "
            f"{_fmt(v['cover_se'])} | {_fmt(v['n_changes_median'], 1)} | "
            f"{_fmt(v['n_changes_mean'], 1)} | {v['errors']} |"
        )
    lines += [
        "",
        "## Wins / ties / losses per series, and the mean paired difference (± s.e.)",
        "",
        "| comparison | F1 w/t/l | F1 difference | cover w/t/l | cover difference |",
        "|---|---|---|---|---|",
    ]
    for key, v in result["paired"].items():
        f, c = v["f1"], v["cover"]
        lines.append(
            f"| {key} | {f['wins']}/{f['ties']}/{f['losses']} | {f['mean_difference']:+.3f} ± "
            f"{_fmt(f['se'])} | {c['wins']}/{c['ties']}/{c['losses']} | "
            f"{c['mean_difference']:+.3f} ± {_fmt(c['se'])} |"
        )
    frame = pd.DataFrame(result["rows"])
    lines += ["", "## Per series: F1 / cover / number of changes", ""]
    lines.append("| series | n | " + " | ".join(methods) + " |")
    lines.append("|---|---|" + "---|" * len(methods))
    for name, sub in frame.groupby("series", sort=True):
        by = sub.set_index("method")
        cells = [
            f"{by.loc[m, 'f1']:.2f} / {by.loc[m, 'cover']:.2f} / {by.loc[m, 'n_changes']}"
            + (" (error)" if by.loc[m, "error"] is not None else "")
            for m in methods
        ]
        lines.append(f"| {name} | {int(sub['n'].iloc[0])} | " + " | ".join(cells) + " |")
    if "default" in methods and "zero" in methods:
        d = frame[frame["method"] == "default"].set_index("series")
        z = frame[frame["method"] == "zero"].set_index("series").loc[d.index]
        gap = (d["f1"] - z["f1"]).sort_values()
        lines += [
            "",
            "## Where the default does worst (F1 of the default minus F1 of no change)",
            "",
            "| series | F1 difference | cover difference | changes | cost chosen |",
            "|---|---|---|---|---|",
        ]
        for name in gap.index[:8]:
            cover_gap = float(d.loc[name, "cover"] - z.loc[name, "cover"])
            lines.append(
                f"| {name} | {gap[name]:+.2f} | {cover_gap:+.2f} | "
                f"{d.loc[name, 'n_changes']} | {d.loc[name, 'info'].get('cost', '?')} |"
            )
    errors = frame[frame["error"].notna()]
    lines += ["", "## Errors (counted as no change)", ""]
    if errors.empty:
        lines.append("None.")
    else:
        lines += [f"- {r.series}, {r.method}: {r.error}" for r in errors.itertuples()]
    if "default" in methods:
        d = frame[frame["method"] == "default"].set_index("series")
        lines += ["", "## Cost chosen by the default", ""]
        lines += [
            f"- {name}: {info.get('cost', '?')}" for name, info in d["info"].sort_index().items()
        ]
    lines += ["", "## Series left out", ""]
    skipped = result.get("skipped") or {}
    lines += [f"- {k}: {v}" for k, v in skipped.items()] if skipped else ["None."]
    lines += ["", result["meta"]["note"] + ".", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: run the benchmark and write ``annotated.json`` and ``annotated.md``."""
    parser = argparse.ArgumentParser(
        prog="python -m analysis.validation._annotated",
        description="Change-point defaults on the real annotated series of TCPD.",
    )
    parser.add_argument("--out", default="reports/validation", help="folder for the tables")
    parser.add_argument("--data", default=None, help=f"TCPD cache folder (default ${ENV_VAR})")
    parser.add_argument("--offline", action="store_true", help="never download")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated")
    args = parser.parse_args(argv)
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    try:
        series, skipped = load_tcpd(folder=args.data, download=not args.offline)
    except DataNotFoundError as exc:
        print(
            "benchmark-annotated: the TCPD data are neither in the cache nor downloadable "
            f"here (CI has no network; an analyst's machine downloads them once).\n{exc}",
            file=sys.stderr,
        )
        return 2
    try:
        result = run_benchmark(series, methods, skipped=skipped)
    except ValueError as exc:
        parser.error(str(exc))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "annotated.json").write_text(
        json.dumps(result, indent=1, default=str) + "\n", encoding="utf-8"
    )
    md = to_markdown(result)
    (out / "annotated.md").write_text(md, encoding="utf-8")
    print(md.split("## Per series")[0])
    print(f"wrote {out / 'annotated.json'} and {out / 'annotated.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
