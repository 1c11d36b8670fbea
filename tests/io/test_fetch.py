"""Tests of analysis.io.fetch: offline, against a local HTTP server on 127.0.0.1 only.

The served file is a tiny synthetic alert CSV written by the tests (not real alerts).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.datasets import REGISTRY, shared_data_dir
from analysis.io import fetch as fetch_module
from analysis.io.fetch import (
    MIRROR_ENV,
    SOURCES,
    STALE_PART_SECONDS,
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


def synthetic(n: int) -> bytes:
    """A synthetic alert history of ``n`` rows (made-up alerts, one a minute)."""
    rows = [
        f"שדרות,07.10.2023,{6 + i // 60:02d}:{i % 60:02d}:10,"
        f"2023-10-07T{6 + i // 60:02d}:{i % 60:02d}:00,1,ירי רקטות וטילים,1,{i + 1}"
        for i in range(n)
    ]
    return (HEADER + "\n" + "\n".join(rows) + "\n").encode()


FULL = synthetic(20)


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


def test_mirror_url_of_the_file_itself(served):
    base, _ = served
    result = fetch("oref", mirror=f"{base}/israel-alerts.csv")
    assert result.record["source_url"] == f"{base}/israel-alerts.csv"
    assert result.record["rows"] == 2


DATED = "israel-alerts_2014-07-24_to_2024-10-12.csv"


def _mirror(tmp_path, files: dict[str, bytes]) -> Path:
    mirror = tmp_path / "mirror"
    mirror.mkdir(exist_ok=True)
    for name, data in files.items():
        (mirror / name).write_bytes(data)
    return mirror


def _cache_listing(tmp_path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "cache" / "oref").iterdir())


def _with_full_cache(tmp_path) -> Path:
    """Fetch the 20-row synthetic history into the cache from a mirror directory."""
    fetch("oref", mirror=_mirror(tmp_path, {"israel-alerts.csv": FULL}))
    return _cached(tmp_path)


# --- a mirror gives the file asked for, by name


def test_mirror_directory_picks_the_upstream_name_not_a_sample_or_dated_copy(tmp_path):
    sample = synthetic(2)
    mirror = _mirror(
        tmp_path,
        {"israel-alerts.csv": FULL, "israel-alerts_sample.csv": sample, DATED: synthetic(3)},
    )
    result = fetch("oref", mirror=mirror)
    assert result.record["source_url"] == str(mirror / "israel-alerts.csv")
    assert result.path.read_bytes() == FULL


def test_mirror_directory_without_the_upstream_name_uses_no_look_alike(tmp_path):
    mirror = _mirror(tmp_path, {"israel-alerts_sample.csv": synthetic(2), DATED: FULL})
    with pytest.raises(FetchError, match="by that name only") as info:
        fetch("oref", mirror=mirror)
    assert f"{DATED}, israel-alerts_sample.csv" in str(info.value)
    assert _cache_listing(tmp_path) == []


def test_mirror_path_of_a_dated_file_itself(tmp_path):
    mirror = _mirror(tmp_path, {DATED: FULL, "israel-alerts_sample.csv": synthetic(2)})
    result = fetch("oref", mirror=mirror / DATED)
    assert result.record["source_url"] == str(mirror / DATED)
    assert result.path.read_bytes() == FULL


def test_http_mirror_without_the_upstream_name_is_refused(tmp_path):
    root = tmp_path / "www-dated"
    root.mkdir()
    (root / DATED).write_bytes(FULL)
    with local_http.serve_directory(root) as base, pytest.raises(FetchError, match="HTTP 404"):
        fetch("oref", mirror=base)
    assert _cache_listing(tmp_path) == []


def test_http_mirror_address_of_a_dated_file(tmp_path):
    root = tmp_path / "www-dated"
    root.mkdir()
    (root / DATED).write_bytes(FULL)
    with local_http.serve_directory(root) as base:
        result = fetch("oref", mirror=f"{base}/{DATED}")
    assert result.record["source_url"] == f"{base}/{DATED}"
    assert result.path.read_bytes() == FULL


# --- a bad download never replaces a good cached file


def test_truncated_download_keeps_the_cached_copy(tmp_path):
    cached = _with_full_cache(tmp_path)
    newer = synthetic(30)
    with (
        local_http.misbehaving_server(newer, announce=len(newer), send=len(newer) // 2) as base,
        pytest.raises(FetchError, match="truncated download"),
    ):
        fetch("oref", mirror=f"{base}/israel-alerts.csv")
    assert cached.read_bytes() == FULL
    assert _cache_listing(tmp_path) == ["israel-alerts.csv", "israel-alerts.csv.json"]


def test_truncated_download_without_a_cache_saves_nothing(tmp_path):
    body = synthetic(30)
    with (
        local_http.misbehaving_server(body, announce=len(body), send=100) as base,
        pytest.raises(FetchError, match=f"100 of the {len(body):,} bytes"),
    ):
        fetch("oref", mirror=base)
    assert _cache_listing(tmp_path) == []


def test_cut_download_without_a_length_is_refused_by_its_row_count(tmp_path):
    cached = _with_full_cache(tmp_path)
    cut = synthetic(10)  # as if the connection dropped after 10 rows, with no length announced
    with (
        local_http.misbehaving_server(cut, announce=None) as base,
        pytest.raises(FetchError, match="10 data rows, fewer than 90% of the 20 rows"),
    ):
        fetch("oref", mirror=base, force=True)
    assert cached.read_bytes() == FULL


def test_sample_in_place_of_the_file_is_refused_by_its_row_count(tmp_path):
    cached = _with_full_cache(tmp_path)
    (tmp_path / "other").mkdir()
    sample = tmp_path / "other" / "israel-alerts.csv"
    sample.write_bytes(synthetic(17))  # 85% of the cached rows
    with pytest.raises(FetchError, match="not plausibly a newer version"):
        fetch("oref", mirror=sample.parent)
    assert cached.read_bytes() == FULL


def test_plausible_row_count_is_at_least_the_documented_fraction(tmp_path):
    _with_full_cache(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "israel-alerts.csv").write_bytes(synthetic(18))  # exactly 90%
    assert fetch("oref", mirror=tmp_path / "other").record["rows"] == 18


def test_min_row_fraction_zero_accepts_a_shorter_file(tmp_path):
    _with_full_cache(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "israel-alerts.csv").write_bytes(synthetic(2))
    result = fetch("oref", mirror=tmp_path / "other", min_row_fraction=0)
    assert result.record["rows"] == 2


def test_download_that_is_not_a_readable_alert_history_is_refused(tmp_path):
    cached = _with_full_cache(tmp_path)
    (tmp_path / "other").mkdir()
    bad = FULL + "\xff\xfe broken bytes,,,,,,,\n".encode("latin-1")
    (tmp_path / "other" / "israel-alerts.csv").write_bytes(bad)
    with pytest.raises(FetchError, match="not a readable alert history"):
        fetch("oref", mirror=tmp_path / "other")
    assert cached.read_bytes() == FULL


def test_download_of_rows_that_are_all_rejected_is_refused(tmp_path):
    (tmp_path / "other").mkdir()
    junk = HEADER + "\n" + "x,y,z,not-a-date,,,,\n" * 3
    (tmp_path / "other" / "israel-alerts.csv").write_text(junk, encoding="utf-8")
    with pytest.raises(FetchError, match="none of the 3 rows"):
        fetch("oref", mirror=tmp_path / "other")
    assert _cache_listing(tmp_path) == []


def test_sidecar_counts_the_rows_the_loader_rejects(tmp_path):
    (tmp_path / "other").mkdir()
    text = FULL.decode() + "x,y,z,not-a-date,,,,\n"
    (tmp_path / "other" / "israel-alerts.csv").write_text(text, encoding="utf-8")
    record = fetch("oref", mirror=tmp_path / "other").record
    assert (record["rows"], record["rejected_rows"]) == (21, 1)


# --- deadline and size cap


def test_deadline_ends_a_slow_download(tmp_path):
    body = synthetic(450)  # about 40 KB, sent at about 10 KB/s: it would take 4 s
    sent: list[int] = []
    with (
        local_http.misbehaving_server(
            body, announce=len(body), chunk=100, pause=0.01, log=sent
        ) as base,
        pytest.raises(FetchError, match=r"deadline of 0\.5 s"),
    ):
        # one read waits for 64 KiB or the end of the body: the per-read timeout never
        # fires, only the overall deadline can end the download early
        fetch("oref", mirror=base, deadline=0.5, timeout=30)
    # the client hung up at the deadline, long before the server had sent the body
    assert sum(sent) < len(body) / 2
    assert _cache_listing(tmp_path) == []


def test_size_cap_refuses_a_larger_announced_file(served, tmp_path):
    base, _ = served
    with pytest.raises(FetchError, match=r"announces .* more than the size cap of 100 bytes"):
        fetch("oref", mirror=base, max_bytes=100)
    assert _cache_listing(tmp_path) == []


def test_size_cap_stops_a_stream_of_unannounced_length(tmp_path):
    body = synthetic(2000)
    with (
        local_http.misbehaving_server(body, announce=None, chunk=1000) as base,
        pytest.raises(FetchError, match="passed the size cap of 5,000 bytes"),
    ):
        fetch("oref", mirror=base, max_bytes=5000)
    assert _cache_listing(tmp_path) == []


def test_size_cap_applies_to_a_mirror_directory(tmp_path):
    with pytest.raises(FetchError, match="size cap"):
        fetch("oref", mirror=_mirror(tmp_path, {"israel-alerts.csv": FULL}), max_bytes=100)
    assert _cache_listing(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("deadline", 0), ("timeout", -1), ("max_bytes", 0), ("min_row_fraction", 1.5)],
)
def test_limits_must_be_sensible(name, value):
    with pytest.raises(ValueError, match=name):
        fetch("oref", mirror="/nowhere", **{name: value})


# --- no leftover partial files


def test_interrupted_download_leaves_no_partial_file(served, tmp_path, monkeypatch):
    base, root = served
    fetch("oref", mirror=base)
    (root / "israel-alerts.csv").write_bytes(synthetic(5000))  # several chunks
    real_write = fetch_module._Budget.write
    calls = []

    def interrupt_after_one_chunk(self, chunk):
        calls.append(len(chunk))
        if len(calls) > 1:
            raise KeyboardInterrupt  # as if the user pressed Ctrl-C mid-download
        return real_write(self, chunk)

    monkeypatch.setattr(fetch_module._Budget, "write", interrupt_after_one_chunk)
    with pytest.raises(KeyboardInterrupt):
        fetch("oref", mirror=base, force=True)
    assert _cache_listing(tmp_path) == ["israel-alerts.csv", "israel-alerts.csv.json"]
    assert _cached(tmp_path).read_bytes() == SYNTHETIC


def test_partial_file_left_by_a_killed_fetch_is_removed_by_the_next(served, tmp_path):
    base, _ = served
    folder = tmp_path / "cache" / "oref"
    folder.mkdir(parents=True)
    stale = folder / ".israel-alerts.csv.k1ll3d.part"
    stale.write_bytes(b"half a file")
    old = time.time() - STALE_PART_SECONDS - 60
    os.utime(stale, (old, old))
    fetch("oref", mirror=base)
    assert _cache_listing(tmp_path) == ["israel-alerts.csv", "israel-alerts.csv.json"]


def test_recent_partial_file_of_another_fetch_is_left_alone(served, tmp_path):
    base, _ = served
    folder = tmp_path / "cache" / "oref"
    folder.mkdir(parents=True)
    running = folder / ".israel-alerts.csv.running.part"
    running.write_bytes(b"being written")
    fetch("oref", mirror=base)
    assert running.is_file()


# --- progress


def test_progress_bar_on_stderr_when_asked(served, capsys, monkeypatch):
    base, _ = served
    monkeypatch.setattr(fetch_module, "_PROGRESS_DELAY", 0)
    fetch("oref", mirror=base, progress=True)
    assert "israel-alerts.csv:" in capsys.readouterr().err


def test_no_progress_bar_when_not_asked(served, capsys, monkeypatch):
    base, _ = served
    monkeypatch.setattr(fetch_module, "_PROGRESS_DELAY", 0)
    fetch("oref", mirror=base, progress=False)
    assert capsys.readouterr().err == ""


def test_redirected_download_is_received_whole(served, tmp_path):
    base, _ = served
    with local_http.redirecting_server(base) as front:
        result = fetch("oref", mirror=front, deadline=30)
    assert result.record["source_url"] == f"{front}/israel-alerts.csv"
    assert result.path.read_bytes() == SYNTHETIC


@pytest.mark.parametrize(("key", "name"), [("oref", "oref_alerts"), ("oref-cities", "oref_cities")])
def test_each_source_is_fetched_to_where_its_data_set_is_looked_for(key, name):
    assert SOURCES[key].cache == REGISTRY[name].cache


def test_file_url_mirror_is_read_by_name(tmp_path):
    mirror = _mirror(tmp_path, {"israel-alerts.csv": FULL, "israel-alerts_sample.csv": b"x\n"})
    result = fetch("oref", mirror=mirror.as_uri())
    assert result.record["source_url"] == f"{mirror.as_uri()}/israel-alerts.csv"
    assert result.path.read_bytes() == FULL
