"""data/curated/iri_claims_daily.csv and corrections.csv against their source list.

Extends tests/data/test_curated_data.py (which checks every CSV in data/ against
datapackage.json, including these two): here every row of the markdown source
list ../shared/sources/iri-claims-daily.md is looked for in the curated table,
units are checked never to be mixed, corrections to be applied, every row to
cite a source, and the loader to report bad rows with file, row and column.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pandas as pd
import pytest

from analysis.curation.iri import (
    IRI_KINDS,
    IRI_UNITS,
    load_iri_claims_daily,
    validate_iri_claims_daily,
)
from analysis.datasets import PROJECT_ROOT, shared_data_dir
from analysis.errors import DataError, DataNotFoundError

DATA = PROJECT_ROOT / "data"
TABLE = DATA / "curated" / "iri_claims_daily.csv"
CORRECTIONS = DATA / "curated" / "corrections.csv"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
SOURCE = shared_data_dir().parent / "sources" / "iri-claims-daily.md"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_source = pytest.mark.skipif(not SOURCE.parent.parent.is_dir(), reason="../shared absent")

MD_COLUMNS = [
    "date",
    "claimed_attacks",
    "weapons",
    "targets",
    "kind",
    "unit",
    "publisher",
    "published",
    "url",
    "note",
]


def rows_of(path: Path) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    return list(csv.DictReader(text.splitlines(), strict=True))


def markdown_table(markdown: str, heading: str) -> list[dict[str, str]]:
    """The rows of the first table under ``## heading``, as dicts of stripped cells."""
    section = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    assert section, f"section {heading!r} not found"
    lines = [line for line in section.group(1).splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip().strip("|").split("|")]
    out = []
    for line in lines[2:]:  # after the header and the |---| line
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        assert len(cells) == len(header), line
        out.append(dict(zip(header, cells, strict=True)))
    return out


def expected_value(written: str, kind: str) -> tuple[int, str]:
    """The (value, qualifier) the curation rules give a claimed_attacks cell."""
    if re.fullmatch(r"\d+", written):
        return int(written), "at_least" if kind == "single claim" else "exact"
    if written == "several":
        return 2, "at_least"
    if m := re.fullmatch(r"several \((\d+) named\)", written):
        return int(m.group(1)), "at_least"
    if m := re.fullmatch(r"at least (\d+)", written):
        return int(m.group(1)), "at_least"
    raise AssertionError(f"claimed_attacks cell not covered by the curation rules: {written!r}")


@pytest.fixture(scope="module")
def table() -> list[dict[str, str]]:
    return rows_of(TABLE)


@pytest.fixture(scope="module")
def daily_md() -> list[dict[str, str]]:
    return markdown_table(SOURCE.read_text(encoding="utf-8"), "Daily rows")


# --- every row of the source list, none dropped, none invented ---------------------------------


@needs_source
def test_markdown_parser_finds_the_daily_rows(daily_md):
    assert list(daily_md[0]) == MD_COLUMNS
    assert len(daily_md) == 219  # the number the source list and the issue state


@needs_source
def test_every_markdown_row_is_a_row_with_the_same_facts(table, daily_md):
    """Row by row, in order: date, number, unit, kind, publisher, address, note as in the list."""
    assert len(table) == len(daily_md)
    for row, md in zip(table, daily_md, strict=True):
        where = (row["row_id"], md["date"], md["publisher"])
        assert row["date"] == md["date"], where
        assert row["value_as_written"] == md["claimed_attacks"], where
        assert (int(row["value"]), row["qualifier"]) == expected_value(
            md["claimed_attacks"], md["kind"]
        ), where
        assert row["unit"] == md["unit"], where
        assert row["kind"] == md["kind"].split(" (")[0].replace(" ", "_"), where
        assert row["source_name"] == md["publisher"], where
        if md["url"].startswith("http"):
            assert row["source_url"] == md["url"], where
        else:  # the one row without an address is cited by name and reference
            assert md["url"] == "(address not recorded)"
            assert row["source_url"] == "" and row["source_ref"], where
        assert row["source_note"] == md["note"], where
        assert md["published"].startswith(row["published"]), where
        for column in ("weapons", "targets"):
            assert row[column] == ("" if md[column] == "-" else md[column]), where


@needs_source
def test_no_row_is_invented_or_merged(table, daily_md):
    def key(r: dict[str, str], url: str, name: str) -> tuple[str, ...]:
        return (r["date"], r[url], r["unit"], r[name])

    curated = Counter(key(r, "source_url", "source_name") for r in table)
    listed = Counter(
        key(dict(r, url="" if not r["url"].startswith("http") else r["url"]), "url", "publisher")
        for r in daily_md
    )
    assert curated == listed


@needs_source
def test_the_markdown_check_can_fail(table, daily_md):
    """The row-by-row check above notices a changed number, a changed date and a lost row."""
    for change in ({"value_as_written": "7", "value": "7"}, {"date": "2024-11-10"}):
        edited = [dict(table[200], **change), *table[201:]]
        with pytest.raises(AssertionError):
            test_every_markdown_row_is_a_row_with_the_same_facts(table[:200] + edited, daily_md)
    with pytest.raises(AssertionError):
        test_no_row_is_invented_or_merged(table[:-1], daily_md)


@needs_source
def test_per_day_view_of_the_source_list_is_reproduced(table):
    """The list's own per-day summary (Sep-Nov 2024) follows from the curated rows.

    Claim rows per date, the smallest and largest number among them and the largest
    Israeli launch and interception figures, as the source list derives them (a
    single claim counts 1; 'several' is not a number and is left out of min..max).
    """
    derived = markdown_table(
        SOURCE.read_text(encoding="utf-8"),
        "Derived per-day view, Sep-Nov 2024 (our arithmetic, not a source figure)",
    )

    def numeric(r: dict[str, str]) -> bool:  # 'at least 1' is a number there, 'several' is not
        return bool(re.fullmatch(r"(?:at least )?\d+", r["value_as_written"]))

    by_day: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in table:
        by_day[r["date"]].append(r)
    assert len(derived) > 40
    for d in derived:
        rows = by_day[d["date"]]
        claims = [r for r in rows if r["unit"] == "claim"]
        numbers = [int(r["value"]) for r in claims if numeric(r)]
        span = f"{min(numbers)}..{max(numbers)}" if numbers else "-"

        def top(unit: str, rows: list[dict[str, str]] = rows) -> str:
            values = [int(r["value"]) for r in rows if r["unit"] == unit and numeric(r)]
            return str(max(values)) if values else "-"

        got = (str(len(claims)), span, top("launch"), top("interception"))
        want = (
            d["claim rows"],
            d["claims min..max"],
            d["launches (max)"],
            d["interceptions (max)"],
        )
        assert got == want, d["date"]


@needs_source
def test_days_without_a_row_are_the_listed_unknown_days(table):
    """Sep-Nov 2024: the days with no row are exactly the list's 'no report found' days."""
    text = SOURCE.read_text(encoding="utf-8")
    listed = re.search(r"Days with no report found \(not zero-claim days\): (.*?)\.\n", text)
    assert listed
    unknown = set(listed.group(1).split(", "))
    days = {d.strftime("%Y-%m-%d") for d in pd.date_range("2024-09-01", "2024-11-30")}
    with_rows = {r["date"] for r in table}
    assert days - with_rows == unknown
    assert len(days & with_rows) == 52


# --- schema, units, kinds ----------------------------------------------------------------------


def test_resources_describe_the_files(table):
    for name, path in (("iri_claims_daily", TABLE), ("corrections", CORRECTIONS)):
        resource = RESOURCES[name]
        header = next(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        assert header == [f["name"] for f in resource["schema"]["fields"]], name
        assert resource["licenses"][0]["name"] == "CC-BY-4.0"
        assert any("iri-claims-daily.md" in s["path"] for s in resource["sources"])


def test_units_are_never_mixed(table):
    """A claim row is a daily tally or a single claim; an Israeli count is another unit."""
    assert {r["unit"] for r in table} == set(IRI_UNITS)
    assert {r["kind"] for r in table} == set(IRI_KINDS)
    for r in table:
        is_claim = r["kind"] in {"daily_tally", "single_claim"}
        assert is_claim == (r["unit"] == "claim"), r["row_id"]
    counts = Counter(r["unit"] for r in table)
    assert counts == {"claim": 168, "interception": 37, "launch": 14}


def test_qualifiers_follow_the_kind(table):
    for r in table:
        if r["kind"] == "single_claim" or not re.fullmatch(r"\d+", r["value_as_written"]):
            assert r["qualifier"] == "at_least", r["row_id"]
        else:
            assert r["qualifier"] == "exact", r["row_id"]
    several = [r for r in table if r["value_as_written"] == "several"]
    assert len(several) == 5 and {r["value"] for r in several} == {"2"}
    assert all("at least 2" in r["notes"] for r in several)


def test_zero_is_only_a_reported_pause(table):
    zeros = [r for r in table if r["value"] == "0"]
    assert [r["date"] for r in zeros] == ["2024-11-22", "2024-11-23"]
    assert all(r["kind"] == "daily_tally" and "reported pause" in r["notes"] for r in zeros)


@needs_source
def test_inferred_dates_are_marked(table, daily_md):
    """date_inferred is true exactly where the list's published or note cell marks an inference."""
    marks = re.compile(r"inferred|by us|our inference|our date|approx", re.I)
    for r, md in zip(table, daily_md, strict=True):
        flagged = bool(marks.search(md["published"]) or marks.search(md["note"]))
        assert (r["date_inferred"] == "true") == flagged, r["row_id"]
    assert sum(r["date_inferred"] == "true" for r in table) == 30


def test_actor_is_inferred_only_from_a_stated_origin(table):
    for r in table:
        if r["unit"] == "claim":
            assert (r["actor"], r["origin"]) == ("Islamic Resistance in Iraq", "Iraq")
        elif r["origin"] == "Iraq":
            assert "Iraq" in r["targets"] + r["source_note"] + r["weapons"], r["row_id"]
            assert "actor inferred" in r["notes"].lower(), r["row_id"]
        else:
            assert r["actor"] == "", r["row_id"]


def test_every_row_cites_a_source(table):
    uncited = [r["row_id"] for r in table if not (r["source_url"] or r["source_ref"])]
    assert uncited == []
    assert all(re.fullmatch(r"https?://\S+", r["source_url"]) for r in table if r["source_url"])


def test_readme_says_a_day_without_a_row_is_unknown():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    assert "A day with no row is unknown, not zero." in readme
    assert "several" in readme and "at least 2" in readme


# --- corrections -------------------------------------------------------------------------------

_KEYS = {"reported_figures": "figure_id", "incidents": "incident_id", "iri_claims_daily": "row_id"}


def test_every_correction_is_applied():
    corrections = rows_of(CORRECTIONS)
    assert corrections
    for c in corrections:
        rows = rows_of(DATA / "curated" / f"{c['table']}.csv")
        (row,) = [r for r in rows if r[_KEYS[c["table"]]] == c["row_id"]]
        assert row[c["field"]] == c["new"] != c["old"], c
        assert c["reason"] and c["evidence_url"].startswith("https://")


def test_shafaq_four_claims_are_dated_2024_11_11(table):
    """The correction the issue asks for: the Shafaq 4 of 2024-11-10 is the 2024-11-11 article."""
    article = "https://www.shafaq.com/en/Iraq/IRI-claims-four-drone-attacks-on-Israel"
    (day_row,) = [r for r in table if r["source_url"] == article]
    assert (day_row["date"], day_row["value"], day_row["source_name"]) == (
        "2024-11-11",
        "4",
        "Shafaq News",
    )
    figures = rows_of(DATA / "curated" / "reported_figures.csv")
    incidents = rows_of(DATA / "curated" / "incidents.csv")
    (fig,) = [f for f in figures if f["figure_id"] == "iri-claims-2024-11-10"]
    (inc,) = [i for i in incidents if i["incident_id"] == "iri-claims-2024-11-10"]
    assert (fig["period_start"], fig["period_end"], fig["value"]) == ("2024-11-11",) * 2 + ("4",)
    assert (inc["start"], inc["quantity"]) == ("2024-11-11", "4")
    assert fig["source_url"] == inc["source_url"] == article
    assert not [f for f in figures if "2024-11-10" in (f["period_start"], f["period_end"])]
    corrections = {(c["table"], c["field"]): c for c in rows_of(CORRECTIONS)}
    for key in (("reported_figures", "period_start"), ("incidents", "start")):
        assert (corrections[key]["old"], corrections[key]["new"]) == ("2024-11-10", "2024-11-11")
        assert corrections[key]["evidence_url"] == article


def test_single_day_claim_figures_agree_with_the_day_level_rows(table):
    """Every single-day claim figure is one day-level row: same day, number and address."""
    figures = rows_of(DATA / "curated" / "reported_figures.csv")
    days = [f for f in figures if f["period_start"] == f["period_end"] and f["unit"] == "claim"]
    assert len(days) == 3
    for f in days:
        match = [
            r
            for r in table
            if r["date"] == f["period_start"]
            and r["unit"] == "claim"
            and r["value"] == f["value"]
            and r["source_url"].split("/")[2].removeprefix("www.")
            == f["source_url"].split("/")[2].removeprefix("www.")
        ]
        assert match, f["figure_id"]


# --- period totals appended to reported_figures.csv -------------------------------------------


@needs_source
def test_new_figures_come_from_the_period_totals():
    """Each figure taken from iri-claims-daily.md cites one of its period totals and its number."""
    totals = markdown_table(SOURCE.read_text(encoding="utf-8"), "Period totals")
    by_url: dict[str, list[str]] = defaultdict(list)
    for t in totals:
        by_url[t["url"]].append(t["figure"])
    figures = rows_of(DATA / "curated" / "reported_figures.csv")
    new = [f for f in figures if "From the period totals of iri-claims-daily.md" in f["notes"]]
    assert len(new) == 11
    for f in new:
        cells = by_url.get(f["source_url"])
        assert cells, f["figure_id"]
        numbers = {n for cell in cells for n in re.findall(r"\d+", cell)}
        assert f["value"] in numbers, f["figure_id"]
        assert (
            re.search(r"assumed|inferred|convention", f["notes"]) or f["period_start"][8:] == "01"
        )


def test_vague_totals_are_left_out_and_listed():
    figures = rows_of(DATA / "curated" / "reported_figures.csv")
    assert not [f for f in figures if "israelnationalnews.com/news/399407" in f["source_url"]]
    assert not [f for f in figures if "purnawarta.com" in f["source_url"]]
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for left_out in ('"hundreds"', "180 drones", "within a month", "as many as 90", "Ida2at"):
        assert left_out in readme, left_out


# --- the loader --------------------------------------------------------------------------------


def test_loader_types_and_counts():
    days = load_iri_claims_daily()
    assert len(days) == 219 and list(days.index) == list(range(219))
    assert str(days["value"].dtype) == "Int64" and days["date_inferred"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(days["date"])
    assert set(days["unit"]) == set(IRI_UNITS)
    import analysis as it

    assert it.load_iri_claims_daily is load_iri_claims_daily


def _write(tmp_path: Path, rows: list[dict[str, str]], name: str = "t.csv") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_loader_rejects_bad_rows_naming_row_and_column(table, tmp_path):
    good = table[:3]
    single = [r for r in table if r["kind"] == "single_claim"]
    official = next(r for r in table if r["kind"] == "official_count")
    bad = [
        dict(single[0], row_id="x-1", unit="launch"),  # a claim kind with another unit
        dict(official, row_id="x-2", unit="alert"),  # not a unit of this table
        dict(single[1], row_id="x-3", qualifier="exact"),  # a single claim is a lower bound
        dict(table[6], row_id="x-4", published="2024-01 (early)"),
        dict(table[7], row_id="x-5", source_url="", source_ref=""),  # no source
        dict(table[8], row_id="x-6", value="-1"),
        dict(table[9], row_id="x-7", kind="period_total"),
    ]
    path = _write(tmp_path, good + bad)
    kept, rejects = load_iri_claims_daily(path, return_rejects=True)
    assert len(kept) == 3 and len(kept) + len(rejects) == len(good + bad)
    got = dict(zip(rejects["row_id"], rejects["reason"], strict=True))
    assert got["x-1"].startswith("kind: a single_claim row needs unit claim")
    assert got["x-2"].startswith("unit: this table counts only claim, launch, interception")
    assert got["x-3"].startswith("qualifier: a single_claim is a lower bound")
    assert got["x-4"].startswith("published: write the publication date")
    assert got["x-5"].startswith("source_ref: source_name without an identifier or address")
    assert got["x-6"].startswith("value: 'value' must not be negative")
    assert got["x-7"].startswith("kind: unknown kind")
    assert list(rejects["row"]) == list(range(5, 12))
    with pytest.raises(DataError, match=r"t\.csv, row 5, column 'kind'"):
        load_iri_claims_daily(path)


def test_loader_file_problems_raise_even_with_rejects(table, tmp_path):
    rows = [{k: v for k, v in r.items() if k != "unit"} for r in table[:2]]
    path = _write(tmp_path, rows)
    with pytest.raises(DataError, match="unit"):
        load_iri_claims_daily(path, return_rejects=True)
    with pytest.raises(DataNotFoundError):
        load_iri_claims_daily(tmp_path / "absent.csv")


def test_loader_argument_errors_name_the_parameter():
    with pytest.raises(TypeError, match="path must be a file path"):
        load_iri_claims_daily(123)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="return_rejects"):
        load_iri_claims_daily(return_rejects="yes")  # type: ignore[call-overload]


def test_validation_report_of_the_shipped_table():
    report = validate_iri_claims_daily()
    assert report.ok and report.n_rows == 219 and report.kind == "iri_claims_daily"
