"""The provenance table (analysis.report.data_sources) on data folders written here."""

from __future__ import annotations

import hashlib
import json

import pytest

from analysis.report import data_sources


@pytest.fixture
def folders(tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "curated").mkdir(parents=True)
    (data / "curated" / "figures.csv").write_text(
        "figure_id,period_start,period_end,value,published\n"
        "a,2024-01-01,2024-01-31,35,2024-02-02\n"
        "b,2024-03-01,2024-03-31,18,2024-04-05\n",
        encoding="utf-8",
    )
    (data / "extra.csv").write_text("x,date\n1,2020-05-01\n2,2021-06-30\n3,\n", encoding="utf-8")
    package = {
        "licenses": [{"name": "CC-BY-4.0"}],
        "resources": [
            {
                "name": "figures",
                "path": "curated/figures.csv",
                "title": "SIMULATED figures",
                "schema": {
                    "fields": [
                        {"name": "period_start", "type": "date"},
                        {"name": "period_end", "type": "date"},
                    ]
                },
            }
        ],
    }
    (data / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    shared = tmp_path / "shared"
    alerts = shared / "oref-alerts"
    alerts.mkdir(parents=True)
    (alerts / "israel-alerts_2014-07-24_to_2024-10-12.csv").write_text(
        "data,date,alertDate,category\n"
        "x,13.04.2024,2024-04-13T23:10:00,2\n"
        "y,14.04.2024,2024-04-14T01:00:00,2\n",
        encoding="utf-8",
    )
    (alerts / "SOURCE.md").write_text(
        "SIMULATED copy, version of 2024-10-11 23:43 UTC, commit abc.\nLicence: Apache-2.0 (x).\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("INCIDENT_TRENDS_DATA", str(data))
    monkeypatch.setenv("INCIDENT_TRENDS_SHARED", str(shared))
    monkeypatch.setenv("INCIDENT_TRENDS_CACHE", str(tmp_path / "cache"))
    return tmp_path


def test_package_resources_carry_licence_checksum_rows_dates_and_vintage(folders):
    rows = {s.name: s for s in data_sources(root=folders)}
    fig = rows["figures"]
    path = folders / "data" / "curated" / "figures.csv"
    assert fig.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (fig.licence, fig.rows) == ("CC-BY-4.0", 2)
    assert (fig.first, fig.last) == ("2024-01-01", "2024-03-31")
    assert fig.vintage == "figures published up to 2024-04-05"
    assert fig.origin == "project" and fig.path == "data/curated/figures.csv"


def test_files_outside_the_package_are_listed_with_an_undeclared_licence(folders):
    extra = {s.name: s for s in data_sources(root=folders)}["extra"]
    assert extra.licence == "not declared in data/datapackage.json"
    assert (extra.rows, extra.first, extra.last) == (3, "2020-05-01", "2021-06-30")


def test_shared_files_take_licence_and_vintage_from_their_source_note(folders):
    rows = {s.name: s for s in data_sources(root=folders)}
    alerts = rows["oref_alerts"]
    assert alerts.origin == "shared" and alerts.licence == "Apache-2.0"
    assert alerts.vintage == "version of 2024-10-11 23:43 UTC (SOURCE.md)"
    # ISO timestamps only: the day-first "date" column is not read as dates
    assert (alerts.rows, alerts.first, alerts.last) == (2, "2024-04-13", "2024-04-14")
    assert alerts.path.endswith("oref-alerts/israel-alerts_2014-07-24_to_2024-10-12.csv")


def test_missing_data_sets_are_listed_as_missing_with_how_to_get_them(folders):
    cities = {s.name: s for s in data_sources(root=folders)}["oref_cities"]
    assert cities.origin == "missing" and cities.sha256 is None
    assert "not found on this machine" in cities.vintage
    assert "incident-trends data fetch oref-cities" in cities.vintage


def test_a_user_file_comes_first(folders, tmp_path):
    user = tmp_path / "mine.csv"
    user.write_text("incident_id,start\na,2024-05-01\nb,2024-05-03\n", encoding="utf-8")
    first = data_sources(incidents_path=user, root=folders)[0]
    assert first.name == "incidents (user-supplied)" and first.origin == "user"
    assert (first.rows, first.first, first.last) == (2, "2024-05-01", "2024-05-03")
