"""Tests of analysis.io.fetch: offline, against a local HTTP server on 127.0.0.1 only.

The served file is a tiny synthetic alert CSV written by the tests (not real alerts).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.datasets import shared_data_dir
from analysis.io.fetch import (
    MIRROR_ENV,
    SOURCES,
    FetchError,
    fetch,
    list_datasets,
    read_sidecar,
    resolve_location,
    verify_cache,
)
from analysis.io.oref import load_oref_alerts

HEADER = "data,date,time,alertDate,category,category_desc,matrix_id,rid"
_HELPER = Path(__file__).resolve().parents[1] / "fixtures" / "oref" / "local_http.py"
_spec = importlib.util.spec_from_file_location("oref_local_http", _HELPER)
assert _spec is not None and _spec.loader is not None
local_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(local_http)

SYNTHETIC = (
    HEADER
    + "\n"
    + "שדרות,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,1\n"
    + "מטולה,08.10.2023,12:00:10,2023-10-08T12:00:00,2,חדירת כלי טיס עוין,6,2\n"
).encode()


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[str, Path]]:
    """A local HTTP server on 127.0.0.1 (port chosen by the OS) serving a temp directory."""
    root = tmp_path / "www"
    root.mkdir()
    (root / "israel-alerts.csv").write_bytes(SYNTHETIC)
    with local_http.serve_directory(root) as base:
        yield base, root


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    local_http.isolate(monkeypatch, tmp_path)


def _cached(tmp_path) -> Path:
    return tmp_path / "cache" / "oref" / "israel-alerts.csv"


def test_fetch_from_local_http_server(served, tmp_path):
    base, _ = served
    result = fetch("oref", mirror=base)
    assert result.status == "downloaded"
    assert result.path == _cached(tmp_path)
    assert result.path.read_bytes() == SYNTHETIC


def test_sidecar_records_checksum_size_rows_url_time(served, tmp_path):
    base, _ = served
    fetch("oref", mirror=base)
    record = json.loads((_cached(tmp_path).parent / "israel-alerts.csv.json").read_text())
    assert record["sha256"] == hashlib.sha256(SYNTHETIC).hexdigest()
    assert record["size"] == len(SYNTHETIC)
    assert record["rows"] == 2
    assert record["source_url"] == f"{base}/israel-alerts.csv"
    assert record["downloaded_utc"].endswith("Z")


def test_fetched_file_is_what_the_loader_reads_by_default(served, tmp_path):
    base, _ = served
    fetch("oref", mirror=base)
    table = load_oref_alerts()
    assert table["rid"].tolist() == [1, 2]


def test_mirror_from_environment_variable(served, monkeypatch):
    base, _ = served
    monkeypatch.setenv(MIRROR_ENV, base + "/")
    assert fetch("oref").record["source_url"] == f"{base}/israel-alerts.csv"


def test_mirror_directory(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "israel-alerts.csv").write_bytes(SYNTHETIC)
    result = fetch("oref", mirror=mirror)
    assert result.path.read_bytes() == SYNTHETIC
    assert result.record["rows"] == 2


def test_mirror_directory_without_the_file(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(FetchError, match="no such file in the mirror"):
        fetch("oref", mirror=tmp_path / "empty")


def test_404_is_clear_and_leaves_no_file(served, tmp_path):
    base, _ = served
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch("oref", mirror=base + "/nowhere")
    cache = tmp_path / "cache" / "oref"
    assert list(cache.iterdir()) == []


def test_checksum_mismatch_keeps_nothing(served, tmp_path):
    base, _ = served
    with pytest.raises(FetchError, match="checksum mismatch"):
        fetch("oref", mirror=base, expected_sha256="0" * 64)
    assert list((tmp_path / "cache" / "oref").iterdir()) == []


def test_expected_checksum_accepted(served):
    base, _ = served
    good = hashlib.sha256(SYNTHETIC).hexdigest()
    assert fetch("oref", mirror=base, expected_sha256=good.upper()).status == "downloaded"


def test_failed_download_keeps_the_previous_copy(served, tmp_path):
    base, _ = served
    fetch("oref", mirror=base)
    with pytest.raises(FetchError):
        fetch("oref", mirror=base, force=True, expected_sha256="0" * 64)
    assert _cached(tmp_path).read_bytes() == SYNTHETIC
    assert sorted(p.name for p in _cached(tmp_path).parent.iterdir()) == [
        "israel-alerts.csv",
        "israel-alerts.csv.json",
    ]


def test_not_an_alert_file_is_refused(served, tmp_path):
    base, root = served
    (root / "israel-alerts.csv").write_text("<html>rate limited</html>", encoding="utf-8")
    with pytest.raises(FetchError, match="does not start with"):
        fetch("oref", mirror=base)
    assert list((tmp_path / "cache" / "oref").iterdir()) == []


def test_second_fetch_is_conditional_then_force_downloads(served):
    base, _ = served
    fetch("oref", mirror=base)
    assert fetch("oref", mirror=base).status == "up to date"
    assert fetch("oref", mirror=base, force=True).status == "unchanged"


def test_newer_upstream_replaces_the_cache(served, tmp_path):
    base, root = served
    fetch("oref", mirror=base)
    newer = SYNTHETIC + "אילת,09.10.2023,10:00:00,2023-10-09T10:00:00,2,x,6,3\n".encode()
    (root / "israel-alerts.csv").write_bytes(newer)
    result = fetch("oref", mirror=base, force=True)
    assert result.status == "downloaded"
    assert result.record["rows"] == 3
    assert read_sidecar(_cached(tmp_path))["sha256"] == hashlib.sha256(newer).hexdigest()


def test_unknown_source():
    with pytest.raises(FetchError, match="unknown source"):
        fetch("nope")


def test_upstream_location_is_the_raw_default_branch_file():
    url = resolve_location(SOURCES["oref"])
    assert (
        url == "https://raw.githubusercontent.com/dleshem/israel-alerts-data/HEAD/israel-alerts.csv"
    )


def test_list_shows_cached_file_with_checksum(served):
    base, _ = served
    fetch("oref", mirror=base)
    rows = {r["name"]: r for r in list_datasets()}
    assert rows["oref_alerts"]["location"] == "cache"
    assert rows["oref_alerts"]["sha256"] == hashlib.sha256(SYNTHETIC).hexdigest()
    assert rows["oref_localities"]["location"] == "missing"


def test_verify_detects_a_changed_file(served, tmp_path):
    base, _ = served
    fetch("oref", mirror=base)
    assert [r["ok"] for r in verify_cache()] == [True]
    _cached(tmp_path).write_bytes(SYNTHETIC + b"tampered\n")
    assert [r["ok"] for r in verify_cache()] == [False]


def test_fetch_locality_list_json(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    source = Path(__file__).resolve().parents[1] / "fixtures" / "oref" / "cities.json"
    (mirror / "cities.json").write_bytes(source.read_bytes())
    result = fetch("oref-cities", mirror=mirror)
    assert result.path == tmp_path / "cache" / "oref-localities" / "cities.json"
    assert result.record["rows"] == 3


def test_verify_checks_the_shared_file_against_its_published_checksum(monkeypatch):
    monkeypatch.delenv("INCIDENT_TRENDS_SHARED")
    shared = shared_data_dir() / "oref-alerts" / "israel-alerts_2014-07-24_to_2024-10-12.csv"
    if not shared.is_file():
        pytest.skip("shared alert history absent")
    results = {r["path"]: r for r in verify_cache()}
    assert results[str(shared)]["ok"]


DATED = "israel-alerts_2014-07-24_to_2024-10-12.csv"


def test_mirror_directory_with_a_dated_file_name(tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / DATED).write_bytes(SYNTHETIC)
    (mirror / "israel-alerts_2014-07-24_to_2023-01-01.csv").write_bytes(b"older\n")
    (mirror / "daily-rows.csv").write_bytes(b"x\n")
    result = fetch("oref", mirror=mirror)
    assert result.record["source_url"] == str(mirror / DATED)
    assert result.path.read_bytes() == SYNTHETIC


def test_http_mirror_with_a_dated_file_name(tmp_path):
    root = tmp_path / "www-dated"
    root.mkdir()
    (root / DATED).write_bytes(SYNTHETIC)
    with local_http.serve_directory(root) as base:
        result = fetch("oref", mirror=base)
    assert result.record["source_url"] == f"{base}/{DATED}"
    assert result.path.read_bytes() == SYNTHETIC


def test_mirror_url_of_the_file_itself(served):
    base, _ = served
    result = fetch("oref", mirror=f"{base}/israel-alerts.csv")
    assert result.record["source_url"] == f"{base}/israel-alerts.csv"
    assert result.record["rows"] == 2
