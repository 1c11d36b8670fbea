"""The tables shipped in data/ against data/datapackage.json and their source list."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter
from typing import Any

import pytest

from analysis.datasets import PROJECT_ROOT, shared_data_dir

DATA = PROJECT_ROOT / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
SOURCE_LIST = shared_data_dir().parent / "sources" / "campaign-figures.md"
# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_source_list = pytest.mark.skipif(
    not SOURCE_LIST.parent.parent.is_dir(), reason="../shared absent"
)


def read_rows(resource: dict[str, Any]) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows of a resource, as the exact strings in the file (strict UTF-8)."""
    text = (DATA / resource["path"]).read_bytes().decode("utf-8")
    reader = csv.DictReader(text.splitlines(), strict=True)
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def parse(value: str, field: dict[str, Any]) -> Any:
    """Parse one non-empty cell by its Table Schema type; raise ValueError if it does not parse."""
    kind = field["type"]
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            raise ValueError(f"not an integer: {value!r}")
        return int(value)
    if kind == "number":
        return float(value)
    if kind == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"not YYYY-MM-DD: {value!r}")
        return dt.date.fromisoformat(value)
    if kind == "string":
        return value
    raise AssertionError(f"type {kind!r} not handled by this test")


def schema_problems(resource: dict[str, Any]) -> list[str]:
    """Every way the file departs from its schema, as readable strings."""
    schema = resource["schema"]
    fields = schema["fields"]
    header, rows = read_rows(resource)
    names = [f["name"] for f in fields]
    if header != names:
        return [f"header {header} != schema {names}"]
    missing = set(schema.get("missingValues", [""]))
    problems = []
    for line, row in enumerate(rows, start=2):
        if None in row or None in row.values():
            problems.append(f"row {line}: wrong number of fields")
            continue
        for field in fields:
            name, value = field["name"], row[field["name"]]
            cons = field.get("constraints", {})
            where = f"row {line}, column {name!r}, value {value!r}"
            if value in missing:
                if cons.get("required"):
                    problems.append(f"{where}: required")
                continue
            try:
                parsed = parse(value, field)
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            if "enum" in cons and value not in cons["enum"]:
                problems.append(f"{where}: not in {cons['enum']}")
            if "pattern" in cons and not re.fullmatch(cons["pattern"], value):
                problems.append(f"{where}: does not match {cons['pattern']}")
            if "minimum" in cons and parsed < cons["minimum"]:
                problems.append(f"{where}: below {cons['minimum']}")
            if "maximum" in cons and parsed > cons["maximum"]:
                problems.append(f"{where}: above {cons['maximum']}")
    keys = schema.get("primaryKey", [])
    unique_sets = [keys] + [[f["name"]] for f in fields if f.get("constraints", {}).get("unique")]
    for columns in unique_sets:
        seen: dict[tuple[str, ...], int] = {}
        for line, row in enumerate(rows, start=2):
            key = tuple(row[c] for c in columns)
            if key in seen:
                problems.append(f"row {line}: {columns}={key} repeats row {seen[key]}")
            seen.setdefault(key, line)
    return problems


@pytest.fixture(scope="module")
def figures() -> list[dict[str, str]]:
    return read_rows(RESOURCES["reported_figures"])[1]


@pytest.fixture(scope="module")
def incidents() -> list[dict[str, str]]:
    return read_rows(RESOURCES["incidents"])[1]


# --- the package describes every table ------------------------------------------------------


def test_every_csv_in_data_has_a_resource():
    on_disk = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*.csv")}
    described = {r["path"] for r in PACKAGE["resources"]}
    assert on_disk == described


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_resource_metadata_is_complete(name):
    resource = RESOURCES[name]
    for key in ("name", "path", "format", "encoding", "schema", "licenses", "sources"):
        assert resource.get(key), f"{name}: {key} missing"
    assert resource["format"] == "csv" and resource["encoding"] == "utf-8"
    assert resource["schema"]["primaryKey"]
    for field in resource["schema"]["fields"]:
        assert field.get("description"), f"{name}.{field['name']}: no description"


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_csv_matches_its_schema(name):
    assert schema_problems(RESOURCES[name]) == []


def test_schema_check_catches_a_bad_value(tmp_path):
    """The checker above can fail: a bad enum, date and duplicate key are all reported."""
    resource = json.loads(json.dumps(RESOURCES["incidents"]))
    header, rows = read_rows(resource)
    bad = dict(rows[0], unit="projectile", start="2024-13-01")
    path = tmp_path / "incidents.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows([rows[0], bad])
    resource["path"] = str(path)
    found = "\n".join(schema_problems(resource))
    assert "column 'unit'" in found
    assert "column 'start'" in found
    assert "repeats row 2" in found


@pytest.mark.parametrize("field", ["qualifier", "unit", "measure"])
def test_figure_vocabularies_are_enumerated(field):
    fields = {f["name"]: f for f in RESOURCES["reported_figures"]["schema"]["fields"]}
    assert fields[field]["constraints"]["enum"]


# --- reported figures ------------------------------------------------------------------------


def test_figure_ids_are_unique(figures):
    ids = [r["figure_id"] for r in figures]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("resource", ["reported_figures", "incidents"])
def test_source_urls_are_https(resource):
    for row in read_rows(RESOURCES[resource])[1]:
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?", row["source_url"]), row


def test_periods_are_ordered(figures):
    for row in figures:
        assert row["period_start"] <= row["period_end"], row["figure_id"]


def test_figures_are_not_published_before_their_period_ends(figures):
    for row in figures:
        if row["published"]:
            assert row["period_end"] <= row["published"], row["figure_id"]


def test_inferred_bounds_are_explained(figures):
    """Rows whose period is not fully given in the source say so in their notes."""
    inferred = [r for r in figures if re.search(r"assumed|inferred|convention", r["notes"])]
    assert len(inferred) >= 8
    for row in figures:
        if row["period_start"] == "2023-10-07":
            assert re.search(r"assumed|first-year", row["notes"]), row["figure_id"]


def figure(figures, figure_id):
    (row,) = [r for r in figures if r["figure_id"] == figure_id]
    return row


def test_weekly_iri_claims_row(figures):
    row = figure(figures, "iri-claims-2024-10-29-to-2024-11-04")
    assert (row["period_start"], row["period_end"], row["value"]) == (
        "2024-10-29",
        "2024-11-04",
        "41",
    )
    assert (row["qualifier"], row["unit"], row["measure"]) == ("exact", "claim", "count")
    assert row["actor"] == "Islamic Resistance in Iraq" and row["target"] == "Israel"


def test_five_a_day_row(figures):
    row = figure(figures, "jns-iri-drone-rate-recent-weeks")
    assert (row["value"], row["measure"], row["unit"]) == ("5", "rate_per_day", "launch")
    assert (row["actor"], row["weapon"], row["published"]) == (
        "Islamic Resistance in Iraq",
        "drone",
        "2024-11-04",
    )


def test_eight_in_24_hours_row(figures):
    row = figure(figures, "jns-iri-drone-max-24h")
    assert (row["value"], row["measure"], row["unit"]) == ("8", "max_per_day", "launch")
    assert row["period_end"] < row["published"]


def test_conflicting_figures_are_both_kept(figures):
    feb = {
        r["value"] for r in figures if r["figure_id"].startswith("shinbet-north-rockets-2024-02")
    }
    assert feb == {"533", "534"}
    houthi = {
        (r["weapon"], r["value"])
        for r in figures
        if r["actor"] == "Houthis (Ansar Allah)"
        and r["unit"] == "launch"
        and r["origin"] == "Yemen"
    }
    assert {("missile", "40"), ("drone", "320"), ("missile", "200"), ("drone", "170")} <= houthi


def test_percentages_have_both_counts(figures):
    """'41 of 167 intercepted (24%)' is a claim row and an interception row, % in notes."""
    claims = figure(figures, "alma-iri-claims-2023-11-to-2024-09")
    caught = figure(figures, "alma-iri-interceptions-2023-11-to-2024-09")
    assert (claims["unit"], claims["value"]) == ("claim", "167")
    assert (caught["unit"], caught["value"]) == ("interception", "41")
    assert "24%" in caught["notes"]


# --- every figure of the source list is in the table ---------------------------------------

_NOT_FIGURES = [
    r"\d{4}-\d{2}-\d{2}",  # dates
    r"\S*\.(?:com|org|net|cn|lb|uk)\b\S*",  # addresses (some end in digits)
    r"\d+(?:\.\d+)?%",  # percentages
    r"\b\d+x\b",  # ratios ("4x")
    r"\d+-\d+ km",  # distances
    r"\b(?:19|20)\d{2}\b",  # years (figures of 1,000 or more are written with commas)
]


def numbers_in(text: str) -> Counter[int]:
    """The figures in a piece of the source list, with their multiplicity."""
    for pattern in _NOT_FIGURES:
        text = re.sub(pattern, " ", text)
    return Counter(int(n.replace(",", "")) for n in re.findall(r"\d{1,3}(?:,\d{3})+|\d+", text))


def source_list_figures(markdown: str) -> Counter[int]:
    """Numbers in the 'figure' column of every table and in the all-fronts paragraph."""
    values: Counter[int] = Counter()
    column = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            column = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if "figure" in cells:
            column = cells.index("figure")
        elif column is not None and not set(cells[0]) <= set("-: "):
            values += numbers_in(cells[column])
    section = re.search(r"^## All fronts.*?\n(.*?)(?=^## )", markdown, flags=re.M | re.S)
    assert section, "all-fronts section not found"
    values += numbers_in(section.group(1))
    return values


def test_number_extraction_on_a_sample():
    sample = (
        "Jan 334, Feb 534 (533 in one copy), May 1,000; 94.3% within 0-5 km; 16, the most of 2024"
    )
    assert numbers_in(sample) == Counter([334, 534, 533, 1000, 16])
    assert numbers_in("2024-11-02: 4 (a.com); 2024-11-10: 4 (menafn.com/1108872440)") == {4: 2}


@needs_source_list
def test_every_figure_of_the_source_list_is_a_row(figures):
    """Each number appears in at least as many rows as it is written in the list."""
    wanted = source_list_figures(SOURCE_LIST.read_text(encoding="utf-8"))
    assert wanted.total() > 40  # the parser found the tables
    have = Counter(int(r["value"]) for r in figures)
    assert sorted((wanted - have).elements()) == []


# --- incidents -------------------------------------------------------------------------------


def test_incident_dates_are_days(incidents):
    assert {r["time_precision"] for r in incidents} == {"day"}


def test_2024_11_04_drones_from_iraq_and_lebanon(incidents):
    day = [r for r in incidents if r["start"] == "2024-11-04"]
    got = sorted((r["origin"], r["quantity"], r["unit"], r["outcome"], r["weapon"]) for r in day)
    assert got == [
        ("Iraq", "2", "launch", "intercepted", "drone"),
        ("Lebanon", "2", "launch", "intercepted", "drone"),
    ]


def test_xinhua_record_flags_date_and_possible_duplicate(incidents):
    (row,) = [r for r in incidents if r["source_name"] == "Xinhua"]
    assert row["start"] in {"2024-11-04", "2024-11-05"}
    assert "uncertain" in row["notes"] and "duplicate" in row["notes"]
    assert "jns-2024-11-04-iraq-drones" in row["notes"]


def test_single_day_claims(incidents):
    # Shafaq's 4 is dated 2024-11-11 (corrected from 2024-11-10, see data/curated/corrections.csv):
    # that day has two records from different sources, so they are compared with their source
    claims = sorted(
        (r["start"], r["quantity"], r["source_name"]) for r in incidents if r["unit"] == "claim"
    )
    assert claims == [
        ("2024-11-02", "4", "The Hans India"),
        ("2024-11-11", "4", "Shafaq News"),
        ("2024-11-11", "6", "MENAFN"),
    ]
    assert {r["outcome"] for r in incidents if r["unit"] == "claim"} == {"claimed"}


def test_day_figures_agree_with_incidents(figures, incidents):
    """Single-day reported figures and incident records give the same numbers."""
    for r in figures:
        if r["period_start"] == r["period_end"] and r["unit"] in {"claim", "launch"}:
            origin_rows = [
                i for i in incidents if i["start"] == r["period_start"] and i["unit"] == r["unit"]
            ]
            if r["origin"] not in {"", "multiple"}:
                origin_rows = [i for i in origin_rows if i["origin"] == r["origin"]]
            # conflicting sources of one day are separate records (2024-11-11: Shafaq 4, MENAFN 6)
            origin_rows = [i for i in origin_rows if i["source_name"] == r["source_name"]]
            assert sum(int(i["quantity"]) for i in origin_rows) == int(r["value"]), r["figure_id"]


def test_readme_documents_every_vocabulary():
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    for resource in RESOURCES.values():
        for field in resource["schema"]["fields"]:
            for value in field.get("constraints", {}).get("enum", []):
                if value:
                    assert f"`{value}`" in readme, f"{field['name']}={value} not documented"


def test_large_alert_files_are_not_in_data():
    assert not list(DATA.rglob("*oref*")) and not list(DATA.rglob("*alerts*"))


def test_files_end_with_newline_and_have_no_bom():
    for resource in RESOURCES.values():
        raw = (DATA / resource["path"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\n")
        assert b"\r\n" not in raw


# --- provenance, vocabularies, regions -------------------------------------------------------


@pytest.mark.parametrize("name", ["incidents", "reported_figures"])
def test_every_curated_row_cites_a_source(name):
    _, rows = read_rows(RESOURCES[name])
    uncited = [
        line
        for line, row in enumerate(rows, start=2)
        if not row["source_url"] and not (row["source_name"] and row["source_ref"])
    ]
    assert uncited == []


@pytest.mark.parametrize("name", ["incidents", "reported_figures"])
def test_curated_weapon_and_unit_are_canonical_terms(name):
    from analysis.curation.vocabulary import load_vocabulary

    _, rows = read_rows(RESOURCES[name])
    for column in ("weapon", "unit"):
        terms = set(load_vocabulary(column).terms)
        assert {row[column] for row in rows if row[column]} <= terms, column


@pytest.mark.parametrize("name", ["incidents", "reported_figures"])
def test_package_enums_of_weapon_and_unit_are_vocabulary_terms(name):
    from analysis.curation.vocabulary import load_vocabulary

    fields = {f["name"]: f for f in RESOURCES[name]["schema"]["fields"]}
    for column in ("weapon", "unit"):
        enum = fields[column].get("constraints", {}).get("enum", [])
        assert set(enum) - {""} <= set(load_vocabulary(column).terms), column


# untracked shared data: skip only when ../shared itself is absent; a missing file inside it fails
needs_shared = pytest.mark.skipif(not shared_data_dir().is_dir(), reason="../shared absent")


@needs_shared
def test_region_table_lists_exactly_the_areas_of_the_locality_table():
    path = shared_data_dir() / "oref-localities" / "oref_localities_merged.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        localities = list(csv.DictReader(fh))
    areas = Counter(row["area_he"] for row in localities if row["area_he"])
    _, rows = read_rows(RESOURCES["hfc_area_regions"])
    assert {row["area_he"]: int(row["n_localities"]) for row in rows} == dict(areas)
    modern = {row["area_he"] for row in localities if row["area_in_modern_30"] == "1"}
    assert {row["area_he"] for row in rows if row["in_modern_30"] == "1"} == modern
