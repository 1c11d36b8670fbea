"""The faster loader, matcher and clustering (issue 10) give exactly the old outputs.

The reference is a frozen copy of the three modules before the speed-ups
(``tests/fixtures/oref/legacy``). Tables, rejects, locality matches and
incidents are compared with every column, dtype, index and value, on the
shared real alert history and on SIMULATED alert files.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.curation.clustering import alerts_to_incidents, incident_count_sensitivity
from analysis.curation.localities import match_localities
from analysis.datasets import shared_data_dir
from analysis.io import oref as oref_module
from analysis.io.oref import load_oref_alerts, load_oref_localities
from analysis.validation import PROCESSES, simulate_counts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oref"
SHARED_ALERTS = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_shared = pytest.mark.skipif(
    not shared_data_dir().is_dir(),
    reason=f"{shared_data_dir()} absent (holds {SHARED_ALERTS.name})",
)

_spec = importlib.util.spec_from_file_location("oref_legacy", FIXTURES / "legacy" / "__init__.py")
assert _spec is not None and _spec.loader is not None
_legacy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_legacy)
OLD_OREF, OLD_LOC, OLD_CLUSTER = _legacy.load()

_HEADER = "data,date,time,alertDate,category,category_desc,matrix_id,rid\n"
_DESC = {1: "ירי רקטות וטילים", 2: "חדירת כלי טיס עוין", 15: "תרגיל ירי רקטות וטילים"}


def _fixture_tables():
    return load_oref_localities(
        FIXTURES / "localities.csv", FIXTURES / "aliases.csv", FIXTURES / "old_zones.csv"
    )


def simulated_alert_file(
    path: Path, process: str, seed: int, days: int = 120, *, damaged: bool = True
) -> Path:
    """A SIMULATED alert history: daily totals from ``simulate_counts``, names from the fixtures.

    Each alert gets a random second of its day (Israel local time, days spanning the 2024
    clock changes), a category, a ``data`` string of one to three names (known, folded,
    old-zone and unknown spellings, in fixture order), and a running ``rid``. A few rows
    are damaged (``damaged=True``) so that rejects are produced too.
    """
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2024-03-10") if seed % 2 else pd.Timestamp("2024-10-10")
    sim = simulate_counts(PROCESSES[process], days, 40.0, rng, start=start)
    names = [
        *_fixture_tables().localities["name"].astype(str).tolist(),
        "אשדוד -א,ב,ד,ה",
        "באר שבע 289",
        "חיפה והקריות 78",
        "'ביר הדאג,ביר הדאג'",
        "כפר לא ידוע",
        "",
    ]
    lines = []
    rid = 1000
    for day, total in zip(sim.counts.index, sim.counts.to_numpy(), strict=True):
        seconds = np.sort(rng.integers(0, 86_400, int(total)))
        for s in seconds:
            wall = day + pd.Timedelta(seconds=int(s))
            minute = wall.round("min")
            picked = rng.choice(len(names), size=int(rng.integers(1, 4)), replace=False)
            data = ",".join(names[i] for i in sorted(picked))
            data = f'"{data}"' if "," in data or '"' in data else data
            category = int(rng.choice([1, 1, 2, 15]))
            rid += 1
            lines.append(
                f"{data},{wall:%d.%m.%Y},{wall:%H:%M:%S},{minute:%Y-%m-%dT%H:%M:%S},"
                f"{category},{_DESC[category]},{category},{rid}\n"
            )
    bad = rng.choice(len(lines), size=min(6, len(lines)) if damaged else 0, replace=False)
    for k, i in enumerate(bad):
        fields = lines[i].rstrip("\n").rsplit(",", 5)
        if k == 0:
            lines[i] = lines[i].replace("T", "X", 1) if "T" in lines[i] else lines[i]
        elif k == 1:
            lines[i] = ",".join(fields[:-1]) + "\n"  # too few fields
        elif k == 2:
            lines[i] = lines[i - 1 if i else i + 1]  # repeated rid
        elif k == 3:
            lines[i] = ",".join([fields[0], "", *fields[2:]]) + "\n"  # missing category
    path.write_text(_HEADER + "".join(lines), encoding="utf-8", newline="")
    return path


def _load_both(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new = load_oref_alerts(path, return_rejects=True)
        old = OLD_OREF.load_oref_alerts(path, return_rejects=True)
    return new, old


def _assert_identical(new: pd.DataFrame, old: pd.DataFrame) -> None:
    assert list(new.columns) == list(old.columns)
    assert new.dtypes.astype(str).tolist() == old.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(new, old, check_exact=True, check_dtype=True)


def _assert_same_match(new, old) -> None:
    _assert_identical(new.rows, old.rows)
    _assert_identical(new.names, old.names)
    if old.by_year is None:
        assert new.by_year is None
    else:
        _assert_identical(new.by_year, old.by_year)
    assert new.summary() == old.summary()
    assert new.to_dict() == old.to_dict()


def _assert_same_incidents(alerts, new_match, old_match, **kwargs) -> None:
    for within in ("region", "country"):
        for gap in ("0min", "5min", "10min", "30min"):
            got = alerts_to_incidents(alerts, gap=gap, within=within, match=new_match, **kwargs)
            want = OLD_CLUSTER.alerts_to_incidents(
                alerts, gap=gap, within=within, match=old_match, **kwargs
            )
            _assert_identical(got, want)


@pytest.mark.parametrize(
    ("process", "seed", "damaged"),
    [("poisson", 1, True), ("nb5+ar0.8", 2, True), ("ar0.8+weekly", 3, True), ("nb5", 4, False)],
)
def test_simulated_alerts_give_identical_outputs(tmp_path, process, seed, damaged):
    """SIMULATED alert files, independent and dependent daily totals, both clock changes.

    A damaged file is read line by line; a clean one by the pandas fast path.
    """
    path = simulated_alert_file(tmp_path / "alerts.csv", process, seed, damaged=damaged)
    assert (oref_module._fast_frame(path) is None) == damaged  # both readers are exercised
    (table, rejects), (old_table, old_rejects) = _load_both(path)
    assert len(table) > 1000 and (len(rejects) > 0) == damaged  # the comparison is not vacuous
    _assert_identical(table, old_table)
    _assert_identical(rejects, old_rejects)
    tables = _fixture_tables()
    new_match = match_localities(table, tables)
    old_match = OLD_LOC.match_localities(table, tables)
    _assert_same_match(new_match, old_match)
    assert new_match.match_rate["rows"] < 1  # unmatched names are exercised
    regions = pd.DataFrame(
        {"area_he": ["עוטף עזה", "לכיש", "קו העימות", "מערב הנגב", "אילת", "חיפה"]}
    ).assign(region=lambda t: np.where(t["area_he"] == "לכיש", "עוטף עזה", t["area_he"]))
    regions = regions.drop_duplicates("area_he")
    areas = {a for row in new_match.rows["areas_he"] for a in row}
    regions = pd.concat(
        [regions, pd.DataFrame({"area_he": sorted(areas - set(regions["area_he"]))})]
    ).assign(region=lambda t: t["region"].fillna(t["area_he"]))
    _assert_same_incidents(table, new_match, old_match, regions=regions)
    # locality columns joined to the alerts instead of match=
    joined = table.join(new_match.to_frame())
    got = alerts_to_incidents(joined, regions=regions)
    _assert_identical(got, OLD_CLUSTER.alerts_to_incidents(joined, regions=regions))


def test_simulated_fixture_samples_give_identical_outputs(tmp_path):
    """The hand-made bad-row and daylight-saving samples (synthetic)."""
    spec = importlib.util.spec_from_file_location("oref_samples", FIXTURES / "samples.py")
    assert spec is not None and spec.loader is not None
    samples = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(samples)
    folder = samples.write_samples()
    for name in samples.SAMPLES:
        (table, rejects), (old_table, old_rejects) = _load_both(folder / name)
        _assert_identical(table, old_table)
        _assert_identical(rejects, old_rejects)
        tables = _fixture_tables()
        _assert_same_match(match_localities(table, tables), OLD_LOC.match_localities(table, tables))


@pytest.mark.parametrize(
    "line",
    [
        'ab"c"d,07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,7',  # quotes inside a field
        '"a"b,07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,7',  # text after a closing quote
        '"a,""b""",07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,7',  # doubled quotes
        '"a",07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,7,',  # one field too many
        "a,07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1",  # one field too few
        " ,07.10.2023,06:29:40,2023-10-07T06:30:00,1, x ,1, 7 ",  # spaces kept or stripped
        '"a\nb",07.10.2023,06:29:40,2023-10-07T06:30:00,1,x,1,7',  # a quoted line break
    ],
)
def test_odd_lines_give_identical_outputs(tmp_path, line):
    """Made-up lines that the pandas reader and the csv module may split differently."""
    good = "שדרות,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,1\n"
    path = tmp_path / "alerts.csv"
    path.write_text(_HEADER + good + line + "\n" + good.replace(",1\n", ",2\n"), "utf-8")
    (table, rejects), (old_table, old_rejects) = _load_both(path)
    _assert_identical(table, old_table)
    _assert_identical(rejects, old_rejects)


@needs_shared
def test_real_alert_history_gives_identical_outputs():
    """The shared 2014-2024 history (42,002 rows), with the default locality tables."""
    (table, rejects), (old_table, old_rejects) = _load_both(SHARED_ALERTS)
    assert len(table) + len(rejects) == 42_002
    assert oref_module._fast_frame(SHARED_ALERTS) is not None  # read by the fast path
    _assert_identical(table, old_table)
    _assert_identical(rejects, old_rejects)
    new_match = match_localities(table)
    old_match = OLD_LOC.match_localities(table)
    _assert_same_match(new_match, old_match)
    _assert_same_incidents(table, new_match, old_match)
    # the default match (no match= given), and the sensitivity table
    _assert_identical(alerts_to_incidents(table), OLD_CLUSTER.alerts_to_incidents(table))
    window = {"start": "2023-10-07", "end": "2024-10-12"}
    _assert_identical(
        incident_count_sensitivity(table, match=new_match, **window),
        OLD_CLUSTER.incident_count_sensitivity(table, match=old_match, **window),
    )


@pytest.mark.parametrize(
    "values",
    [
        ["1", "007", "123456789012345678"],
        ["1", ""],
        ["1", "1.0"],
        ["1", "-1"],
        ["1", "1_0"],
        ["1", "٣"],
        ["1", "99999999999999999999"],
        [],
    ],
)
def test_fast_number_conversion_is_to_numeric(values):
    """The digit-string shortcut gives exactly ``pandas.to_numeric(errors="coerce")``."""
    text = pd.Series(values, dtype=object)
    pd.testing.assert_series_equal(
        oref_module._to_number(text), pd.to_numeric(text, errors="coerce"), check_exact=True
    )


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_tables_give_identical_matches(n):
    """Made-up tables of zero to two rows, with and without alert times."""
    t0 = pd.Timestamp("2024-01-01 08:00", tz="Asia/Jerusalem")
    alerts = pd.DataFrame(
        {
            "data": ["שדרות, איבים,כפר", "באר שבע 289"][:n],
            "start": pd.Series([t0, pd.NaT][:n], dtype="datetime64[ns, Asia/Jerusalem]"),
        },
        index=[7, 3][:n],
    )
    tables = _fixture_tables()
    for table in (alerts, alerts["data"]):
        _assert_same_match(match_localities(table, tables), OLD_LOC.match_localities(table, tables))


@pytest.mark.parametrize(
    ("dates", "times"),
    [
        (["12.10.2024", "29.02.2024"], ["02:13:07", "23:59:59"]),
        (["31.02.2024", "31.04.2023"], ["00:00:00", "12:00:00"]),  # past the month's end
        (["12.10.2024", "1.10.2024"], ["02:13:07", "02:13:07"]),  # one-digit day
        (["12.10.2024", "12.10.2024"], ["24:00:00", "23:60:00"]),  # out of range
        (["12.10.2024", "12.10.2024"], ["23:59:60", "2:13:07"]),
        (["00.10.2024", "12.00.2024"], ["02:13:07", "02:13:07"]),
        (["12.10.0000", "12.10.9999"], ["02:13:07", "02:13:07"]),
        (["12.10.2024", "12/10/2024"], ["02:13:07", "02:13:07"]),
        ([" 12.10.2024", "12.10.2024 "], [" 02:13:07", "02:13:07"]),
        (["١٢.10.2024", "12.10.2024"], ["02:13:07", "02:13:07"]),  # non-ASCII digits
        ([], []),
    ],
)
def test_fast_wall_time_parse_is_strptime(dates, times):
    """The ISO shortcut for ``date`` + ``time`` gives exactly the strptime parse (made up)."""
    date, time = pd.Series(dates, dtype=object), pd.Series(times, dtype=object)
    want = pd.to_datetime(
        pd.Series(
            [d.strip() + " " + t.strip() for d, t in zip(dates, times, strict=True)],
            dtype=object,
        ),
        format="%d.%m.%Y %H:%M:%S",
        errors="coerce",
    )
    pd.testing.assert_series_equal(oref_module._wall_times(date, time), want, check_exact=True)


def test_fast_alert_date_parse_is_to_datetime_on_every_day_of_three_centuries():
    """Every date 1900-2199 (day 1 to 31 of each month, so invalid days too) and odd times."""
    years, months, days = np.meshgrid(
        np.arange(1900, 2200), np.arange(1, 13), np.arange(1, 32), indexing="ij"
    )
    clock = ["00:00:00", "23:59:59", "12:34:56"]
    text = [
        f"{y:04d}-{m:02d}-{d:02d}T{clock[(y + d) % 3]}"
        for y, m, d in zip(years.ravel(), months.ravel(), days.ravel(), strict=True)
    ]
    values = pd.Series(text, dtype=object, index=np.arange(len(text)) * 2)
    got = oref_module._fast_iso(values)
    want = pd.to_datetime(values, format="%Y-%m-%dT%H:%M:%S", errors="coerce")
    assert got is not None and int(want.isna().sum()) > 0  # invalid days are exercised
    pd.testing.assert_series_equal(got, want, check_exact=True)


@pytest.mark.parametrize(
    "values",
    [
        ["2024-10-12T02:13:00", " 2024-10-12T02:13:00"],  # white space: pandas decides
        ["2024-10-12T02:13:00", "2024-10-12 02:13:00"],
        ["2024-10-12T24:00:00"],
        ["1899-12-31T00:00:00"],
        ["2024-10-12T02:13:00", "٢٠٢٤-10-12T02:13:00"],
        ["2024-10-12T02:13:00\x00"],
        [],
    ],
)
def test_fast_alert_date_parse_declines_what_it_cannot_certify(values):
    assert oref_module._fast_iso(pd.Series(values, dtype=object)) is None


@pytest.mark.parametrize(
    "values",
    [
        ["1", "007", "123456789012345678", "0"],
        ["12", "3"],
        ["1", ""],
        ["1", " 2"],
        ["1", "1.0"],
        ["1", "٣"],
        ["1", "1234567890123456789"],
        ["1\x002", "3"],
        ["5"],
    ],
)
def test_digit_columns_are_to_numeric_of_the_stripped_text(values):
    """The byte-level digit reader gives exactly to_numeric, or declines (made-up values)."""
    text = pd.Series(values, dtype=object, index=np.arange(len(values)) + 10)
    got = oref_module._digit_column(text)
    want = pd.to_numeric(text.str.strip(), errors="coerce")
    if got is None:
        assert any(not v.isascii() or not v.isdigit() or len(v) > 18 for v in values)
    else:
        pd.testing.assert_series_equal(got[0], want, check_exact=True)
        assert got[1] == all(v == str(int(v)) for v in values)


def test_alert_ids_are_the_prefixed_rids_with_or_without_leading_zeros():
    for values in (["7", "10", "0"], ["007", "10"]):
        text = pd.Series(values, dtype=object)
        digits = oref_module._digit_column(text)
        assert digits is not None
        keep = np.array([True] * len(values))
        keep[0] = False
        got = oref_module._alert_ids(text, digits[1], digits[0][keep], keep)
        assert got == ("oref-" + digits[0][keep].astype(str)).tolist()


def test_strip_shortcut_is_str_strip():
    for values in (["a", "b c"], [" a", "b"], ["a\u3000"], ["x\x1c"], []):
        column = pd.Series(values, dtype=object)
        got = oref_module._strip(column)
        pd.testing.assert_series_equal(got, pd.Series([v.strip() for v in values], dtype=object))


def test_drill_and_weapon_by_distinct_category_are_the_row_by_row_answer():
    category = pd.Series([1, 2, 10, 4, 15, 28, 29, 99, 1, 3], index=range(100, 110))
    description = pd.Series(
        ["x", "תרגיל", " תרגיל ירי", None, "x", "x", "x", np.nan, "x", "תרגילים"],
        index=category.index,
        dtype=object,
    )
    got = oref_module.weapon_for_category(category, description)
    legacy = OLD_OREF.weapon_for_category(category, description)
    pd.testing.assert_series_equal(got, legacy, check_exact=True)
    as_float = oref_module.weapon_for_category(category.astype(float), description)
    pd.testing.assert_series_equal(as_float, legacy, check_exact=True)
