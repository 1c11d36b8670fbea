"""Tests of analysis.curation.events: the known-events table and the country outlines."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import analysis as it
from analysis.curation.events import KNOWN_EVENT_COLUMNS, OUTLINE_COLUMNS
from analysis.errors import DataError, DataNotFoundError

HEADER = ",".join(KNOWN_EVENT_COLUMNS)


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_schema_of_the_shipped_table():
    events = it.load_known_events()
    assert tuple(events.columns[: len(KNOWN_EVENT_COLUMNS)]) == KNOWN_EVENT_COLUMNS
    assert pd.api.types.is_datetime64_any_dtype(events["date"])
    assert pd.api.types.is_datetime64_any_dtype(events["end_date"])
    assert events["checked"].dtype == bool
    assert (events["end_date"] >= events["date"]).all()
    assert events["date"].is_monotonic_increasing
    for url in events["source_url"]:
        assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]{2,}/\S*", url), url
    assert (events["source_name"].str.len() > 0).all()


def test_the_events_the_issue_names_are_there():
    events = it.load_known_events()
    days = {
        (d.strftime("%Y-%m-%d"), e.strftime("%Y-%m-%d"))
        for d, e in zip(events["date"], events["end_date"], strict=True)
    }
    assert ("2024-04-13", "2024-04-14") in days
    assert any(d == "2024-09-23" for d, _ in days)


def test_checked_rows_cite_the_source_list():
    """A row marked checked must have its address in ../shared/sources (when present)."""
    from analysis.datasets import shared_data_dir

    sources = shared_data_dir().parent / "sources"
    if not sources.is_dir():
        pytest.skip("../shared/sources is absent")
    text = "".join(p.read_text(encoding="utf-8") for p in sources.glob("*.md"))
    events = it.load_known_events()
    for url in events.loc[events["checked"], "source_url"]:
        bare = re.sub(r"^https://(www\.)?", "", url).rstrip("/")
        assert bare in text, url


def test_bad_rows_are_all_reported_with_row_and_column(tmp_path):
    path = _write(
        tmp_path,
        "2024-04-13,2024-04-12,ok,src,https://example.org/a,true,",
        "13/04/2024,2024-04-14,ok,src,https://example.org/b,false,",
        "2024-04-13,2024-04-14,,src,http://example.org/c,maybe,",
    )
    with pytest.raises(DataError) as info:
        it.load_known_events(path)
    where = {(p.row, p.column) for p in info.value.problems}
    assert where == {
        (2, "end_date"),
        (3, "date"),
        (4, "event"),
        (4, "source_url"),
        (4, "checked"),
    }


def test_missing_column_and_file(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("date,event\n2024-01-01,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="source_url"):
        it.load_known_events(path)
    with pytest.raises(DataNotFoundError):
        it.load_known_events(tmp_path / "nope.csv")
    with pytest.raises(TypeError, match="path"):
        it.load_known_events(3)  # type: ignore[arg-type]


def test_country_outlines():
    outlines = it.load_country_outlines()
    assert tuple(outlines.columns) == OUTLINE_COLUMNS
    assert {"ISR", "LBN", "SYR", "JOR", "EGY", "PSE", "IRQ", "IRN", "YEM"} <= set(
        outlines["iso_a3"]
    )
    # every ring is closed: its last vertex repeats the first
    for _, ring in outlines.groupby(["iso_a3", "polygon", "ring"]):
        assert ring["lon"].iloc[0] == ring["lon"].iloc[-1]
        assert ring["lat"].iloc[0] == ring["lat"].iloc[-1]
    israel = outlines[outlines["iso_a3"] == "ISR"]
    assert 34 < israel["lon"].mean() < 36 and 30 < israel["lat"].mean() < 33


def test_country_outlines_refuse_bad_coordinates(tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(
        "iso_a3,name,polygon,ring,vertex,lon,lat\nISR,Israel,0,0,0,200,31\nISR,Israel,0,0,x,35,31\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        it.load_country_outlines(path)
    assert {(p.row, p.column) for p in info.value.problems} == {(2, "lon"), (3, "vertex")}
