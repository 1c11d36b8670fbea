"""The faster ``alerts_to_incidents`` (issue 10) gives exactly the frozen legacy output.

SIMULATED alert tables (daily totals from ``analysis.validation.simulate_counts``,
independent and dependent) with the hard cases: alerts in the same minute (ties),
duplicated rows (the same alert twice, also with the same id), names no table knows,
empty and missing ``data``, alerts of several areas, times in several time zones and
naive, an empty table; with the default locality tables (the cached per-string records)
and with a match of the fixture tables. Every column, dtype, index and value is compared
with the copy of the code before the speed-ups (``tests/fixtures/oref/legacy``).
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.curation import localities as localities_module
from analysis.curation.clustering import _stable_order, alerts_to_incidents
from analysis.curation.localities import match_localities
from analysis.errors import DataNotFoundError
from analysis.io.oref import load_oref_localities
from analysis.validation import PROCESSES, simulate_counts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
_spec = importlib.util.spec_from_file_location(
    "oref_legacy_for_clustering", FIXTURES / "legacy" / "__init__.py"
)
assert _spec is not None and _spec.loader is not None
_legacy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_legacy)
_, OLD_LOC, OLD_CLUSTER = _legacy.load()


def _default_tables():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_oref_localities()
    except DataNotFoundError:
        return None


DEFAULT = _default_tables()
needs_default_tables = pytest.mark.skipif(
    DEFAULT is None, reason="the default locality tables are not available here"
)


def _fixture_tables():
    return load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )


def simulated_alerts(
    names: list[str], process: str, seed: int, *, tz: str | None, days: int = 40
) -> pd.DataFrame:
    """A SIMULATED alert table with ties, duplicated rows and unknown or missing names.

    Daily totals come from ``simulate_counts`` (mean 25 a day); each alert gets a minute
    of its day (so several alerts share a minute), one to three names from ``names``
    plus made-up unknown ones, a category and an id. Some rows are repeated, half of
    them with the same id; a few ``data`` cells are empty or missing. Rows are shuffled
    and the index is not 0..n-1.
    """
    rng = np.random.default_rng(seed)
    sim = simulate_counts(PROCESSES[process], days, 25.0, rng, start=pd.Timestamp("2024-03-20"))
    pool = [*names, "כפר לא ידוע", "מקום מומצא 999"]
    minutes, data, categories = [], [], []
    for day, total in enumerate(sim.counts.to_numpy()):
        for minute in np.sort(rng.integers(0, 24 * 60, int(total))):
            minutes.append(day * 24 * 60 + int(minute))
            picked = rng.choice(len(pool), size=int(rng.integers(1, 4)), replace=False)
            data.append(",".join(pool[i] for i in picked))
            categories.append(int(rng.choice([1, 1, 2, 15])))
    n = len(minutes)
    start = pd.Timestamp("2024-03-20") + pd.to_timedelta(minutes, unit="min")
    table = pd.DataFrame(
        {
            "incident_id": pd.array([f"oref-{i}" for i in range(n)], dtype="str"),
            "start": start,
            "category": np.asarray(categories, dtype=np.int64),
            "weapon": pd.array(
                [{1: "rocket", 2: "drone"}.get(c, "other") for c in categories], dtype="str"
            ),
            "time_precision": "minute",
            "source_name": "SIMULATED",
            "source_url": "https://example.invalid/simulated",
            "data": pd.array(data, dtype="str"),
        }
    )
    blank = rng.choice(n, size=4, replace=False)
    table.loc[blank[:2], "data"] = ""
    table.loc[blank[2:], "data"] = np.nan
    again = rng.choice(n, size=max(2, n // 50), replace=False)
    copies = table.iloc[again].copy()
    copies.iloc[::2, copies.columns.get_loc("incident_id")] = [
        f"copy-{i}" for i in range(len(copies.iloc[::2]))
    ]
    table = pd.concat([table, copies], ignore_index=True)
    table = table.iloc[rng.permutation(len(table))]
    table.index = pd.Index(rng.permutation(len(table)) * 3 + 7)
    if tz is not None:
        table["start"] = table["start"].dt.tz_localize("UTC").dt.tz_convert(tz)
    return table


def _assert_identical(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert new.dtypes.astype(str).tolist() == old.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(new, old, check_exact=True, check_dtype=True)


def _both(alerts: pd.DataFrame, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return (
            alerts_to_incidents(alerts, **kwargs),
            OLD_CLUSTER.alerts_to_incidents(alerts, **kwargs),
        )


@needs_default_tables
@pytest.mark.parametrize(
    ("process", "seed", "tz"),
    [
        ("poisson", 11, "Asia/Jerusalem"),
        ("nb5+ar0.8", 12, "UTC"),
        ("ar0.8+weekly", 13, None),
        ("nb5", 14, "America/New_York"),
    ],
)
def test_default_tables_give_the_legacy_incidents(process, seed, tz):
    """No match given: the cached per-string records of the default tables."""
    assert DEFAULT is not None
    names = DEFAULT.localities["name"].astype(str).sample(60, random_state=seed).tolist()
    alerts = simulated_alerts(names, process, seed, tz=tz)
    assert alerts["start"].duplicated().sum() > 20  # ties are exercised
    assert alerts.duplicated(subset=["incident_id", "start", "data"]).any()
    for within in ("region", "country"):
        for gap in ("0min", "10min", "45min"):
            for by in ("category", None, ["category", "weapon"]):
                got, want = _both(alerts, gap=gap, within=within, by=by)
                assert len(got) > 50
                _assert_identical(got, want)
    # a later call sees new strings and strings of earlier calls: the same answers
    other = simulated_alerts(names[::2], process, seed + 100, tz=tz, days=10)
    _assert_identical(*_both(other))
    _assert_identical(*_both(pd.concat([alerts.head(200), other])))


@needs_default_tables
def test_default_records_start_afresh_beyond_their_limit(monkeypatch):
    """The per-string record table is bounded: past its limit it is rebuilt, same answers."""
    assert DEFAULT is not None
    names = DEFAULT.localities["name"].astype(str).head(40).tolist()
    alerts = simulated_alerts(names, "nb5", 21, tz="Asia/Jerusalem", days=15)
    monkeypatch.setattr(localities_module._CodedResults, "LIMIT", 50)
    matcher = localities_module._current_default_matcher()
    for part in (alerts.iloc[:300], alerts.iloc[300:], alerts):
        _assert_identical(*_both(part))
        assert len(matcher.coded.index) <= max(50, part["data"].nunique())


@needs_default_tables
def test_default_tables_empty_and_object_columns():
    """An empty table, and ``data``/ids held as Python objects instead of pyarrow text."""
    assert DEFAULT is not None
    names = DEFAULT.localities["name"].astype(str).head(30).tolist()
    alerts = simulated_alerts(names, "poisson", 31, tz="Asia/Jerusalem", days=8)
    objects = alerts.astype({"data": object, "incident_id": object})
    _assert_identical(*_both(objects))
    for within in ("region", "country"):
        _assert_identical(*_both(alerts.iloc[:0], within=within))


@pytest.mark.parametrize(
    ("process", "seed", "tz"),
    [("poisson", 41, "Asia/Jerusalem"), ("nb5+weekly", 42, "UTC"), ("ar0.8", 43, None)],
)
def test_a_match_of_other_tables_gives_the_legacy_incidents(process, seed, tz):
    """A match of the fixture tables (and its columns joined): the coded-tuple path."""
    tables = _fixture_tables()
    names = tables.localities["name"].astype(str).tolist()
    alerts = simulated_alerts(names, process, seed, tz=tz)
    new_match = match_localities(alerts, tables)
    old_match = OLD_LOC.match_localities(alerts, tables)
    assert new_match.match_rate["rows"] < 1  # unknown names are exercised
    areas = sorted({a for row in new_match.rows["areas_he"] for a in row})
    # two areas share a region: alerts of both are chained together
    regions = pd.DataFrame({"area_he": areas, "region": [areas[0], *areas[:-1]]})
    for within in ("region", "country"):
        for gap in ("0min", "10min"):
            got = alerts_to_incidents(
                alerts, gap=gap, within=within, match=new_match, regions=regions
            )
            want = OLD_CLUSTER.alerts_to_incidents(
                alerts, gap=gap, within=within, match=old_match, regions=regions
            )
            _assert_identical(got, want)
    joined = alerts.join(new_match.to_frame())
    _assert_identical(*_both(joined, regions=regions))
    _assert_identical(*_both(joined.iloc[:0], regions=regions))


@pytest.mark.parametrize("top", [0, 1, 2**16 - 1, 2**16, 2**33 + 5, 2**50])
def test_stable_order_is_numpys_stable_argsort(top):
    """The 16-bit radix passes give ``np.argsort(kind="stable")`` exactly (ties kept)."""
    rng = np.random.default_rng(top % 1000)
    key = rng.integers(0, top + 1, 5000, dtype=np.int64)
    key[::7] = key[0]  # many ties
    np.testing.assert_array_equal(_stable_order(key), np.argsort(key, kind="stable"))


@needs_default_tables
def test_each_distinct_string_is_matched_once(monkeypatch):
    """A second call on the same alerts looks no string up again (cached records).

    The matcher's own caches would still be asked for each distinct string; the records
    of :func:`~analysis.curation.localities.default_coded_matches` are not.
    """
    assert DEFAULT is not None
    names = DEFAULT.localities["name"].astype(str).head(25).tolist()
    alerts = simulated_alerts(names, "nb20", 51, tz="Asia/Jerusalem", days=6)
    first = alerts_to_incidents(alerts)

    def refuse(self, *args):
        raise AssertionError("a known string was matched again")

    for method in ("split", "resolve", "split_cached", "resolve_cached", "row_cached"):
        monkeypatch.setattr(localities_module._Matcher, method, refuse)
    _assert_identical(alerts_to_incidents(alerts), first)
    _assert_identical(
        alerts_to_incidents(alerts.iloc[::3]), OLD_CLUSTER.alerts_to_incidents(alerts.iloc[::3])
    )


def test_english_areas_follow_from_hebrew_areas_only_when_they_do():
    """The shortcut for ``areas_en`` is taken only when every record agrees with it."""
    from analysis.curation.clustering import _en_of_he
    from analysis.curation.localities import CodedTuples

    he = CodedTuples.from_tuples([("א", "ב"), ("ב",), (), ("א", "ג")])
    en = CodedTuples.from_tuples([("A", "B"), ("B",), (), ("A",)])  # ג has no English name
    f = _en_of_he(he, en)
    assert f is not None and [en.vocab[c] if c >= 0 else None for c in f] == ["A", "B", None]
    two_names = CodedTuples.from_tuples([("A", "B"), ("C",), (), ("A",)])  # ב is B and C
    assert _en_of_he(he, two_names) is None
    shifted = CodedTuples.from_tuples([("B", "A"), ("B",), (), ("A",)])  # not by position
    assert _en_of_he(he, shifted) is None
    extra = CodedTuples.from_tuples([("A", "B"), ("B",), ("X",), ("A",)])  # English, no Hebrew
    assert _en_of_he(he, extra) is None
