"""CLI tests of ``incident-trends data fetch|list|verify`` (offline: 127.0.0.1 only).

The served file is a tiny synthetic alert CSV written here (not real alerts).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.cli import main

_HELPER = Path(__file__).resolve().parents[1] / "fixtures" / "oref" / "local_http.py"
_spec = importlib.util.spec_from_file_location("oref_local_http", _HELPER)
assert _spec is not None and _spec.loader is not None
local_http = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(local_http)

SYNTHETIC = (
    "data,date,time,alertDate,category,category_desc,matrix_id,rid\n"
    "שדרות,07.10.2023,06:29:40,2023-10-07T06:30:00,1,ירי רקטות וטילים,1,1\n"
).encode()
SHA = hashlib.sha256(SYNTHETIC).hexdigest()


@pytest.fixture
def server(tmp_path) -> Iterator[str]:
    root = tmp_path / "www"
    root.mkdir()
    (root / "israel-alerts.csv").write_bytes(SYNTHETIC)
    with local_http.serve_directory(root) as base:
        yield base


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    local_http.isolate(monkeypatch, tmp_path)


def _cache(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "oref" / "israel-alerts.csv"


def test_fetch_oref_from_mirror_url(server, tmp_path, capsys):
    assert main(["data", "fetch", "oref", "--mirror", server]) == 0
    out = capsys.readouterr().out
    assert "downloaded" in out and SHA in out and "1 rows" in out
    assert _cache(tmp_path).read_bytes() == SYNTHETIC


def test_fetch_mirror_from_environment(server, monkeypatch, capsys):
    monkeypatch.setenv("INCIDENT_TRENDS_MIRROR", server)
    assert main(["data", "fetch", "oref"]) == 0
    assert server in capsys.readouterr().out


def test_fetch_mirror_directory(tmp_path, capsys):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "israel-alerts.csv").write_bytes(SYNTHETIC)
    assert main(["data", "fetch", "oref", "--mirror", str(mirror)]) == 0
    assert _cache(tmp_path).read_bytes() == SYNTHETIC


def test_fetch_404_exits_1_without_traceback(server, tmp_path, capsys):
    assert main(["data", "fetch", "oref", "--mirror", server + "/missing"]) == 1
    err = capsys.readouterr().err
    assert "HTTP 404" in err and "Traceback" not in err
    assert not _cache(tmp_path).exists()
    assert list(_cache(tmp_path).parent.iterdir()) == []


def test_fetch_checksum_mismatch_exits_1(server, tmp_path, capsys):
    assert main(["data", "fetch", "oref", "--mirror", server, "--sha256", "f" * 64]) == 1
    assert "checksum mismatch" in capsys.readouterr().err
    assert not _cache(tmp_path).exists()


def test_fetch_force_and_up_to_date(server, capsys):
    assert main(["data", "fetch", "oref", "--mirror", server]) == 0
    assert main(["data", "fetch", "oref", "--mirror", server]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["data", "fetch", "oref", "--mirror", server, "--force"]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_list_shows_location_and_checksum(server, capsys):
    main(["data", "fetch", "oref", "--mirror", server])
    capsys.readouterr()
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "oref_alerts" in out and "cache" in out and SHA in out
    assert "oref_localities" in out and "not found" in out


def test_list_json(server, capsys):
    main(["data", "fetch", "oref", "--mirror", server])
    capsys.readouterr()
    assert main(["data", "list", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["oref_alerts"]["sha256"] == SHA


def test_verify_ok_then_mismatch(server, tmp_path, capsys):
    main(["data", "fetch", "oref", "--mirror", server])
    capsys.readouterr()
    assert main(["data", "verify"]) == 0
    assert "ok" in capsys.readouterr().out
    _cache(tmp_path).write_bytes(b"changed")
    assert main(["data", "verify"]) == 1
    assert "MISMATCH" in capsys.readouterr().out


def test_verify_with_nothing_to_check(capsys):
    assert main(["data", "verify"]) == 0
    assert "nothing to verify" in capsys.readouterr().out


def test_data_without_action_prints_help(capsys):
    assert main(["data"]) == 2
    assert "fetch" in capsys.readouterr().out


DATED = "israel-alerts_2014-07-24_to_2024-10-12.csv"


def test_fetch_from_a_served_copy_of_the_shared_folder_by_the_file_address(tmp_path, capsys):
    root = tmp_path / "shared-copy"
    root.mkdir()
    (root / DATED).write_bytes(SYNTHETIC)
    with local_http.serve_directory(root) as base:
        assert main(["data", "fetch", "oref", "--mirror", f"{base}/{DATED}"]) == 0
    assert DATED in capsys.readouterr().out
    assert _cache(tmp_path).read_bytes() == SYNTHETIC


def test_fetch_never_takes_a_dated_copy_for_the_upstream_name(tmp_path, capsys):
    root = tmp_path / "shared-copy"
    root.mkdir()
    (root / DATED).write_bytes(SYNTHETIC)
    with local_http.serve_directory(root) as base:
        assert main(["data", "fetch", "oref", "--mirror", base]) == 1
    assert "HTTP 404" in capsys.readouterr().err
    assert not _cache(tmp_path).exists()
