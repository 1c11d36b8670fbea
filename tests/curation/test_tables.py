"""Tests of the curated-table loaders and figure_exposure_days."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.curation.tables import (
    figure_exposure_days,
    load_curated_incidents,
    load_reported_figures,
)
from analysis.curation.validate import validate_file
from analysis.datasets import dataset_path
from analysis.errors import DataError, DataNotFoundError

INCIDENTS = (
    "incident_id,start,weapon,quantity,unit,source_url,notes\n"
    "a,2024-11-04,drone,2,launch,https://example.org/a,\n"
    "b,2024-11-05,drone,-2,launch,https://example.org/b,typo\n"
    "c,2024-11-06,rocket,1,alert,https://example.org/c,\n"
)
FIGURES = (
    "figure_id,period_start,period_end,value,qualifier,unit,source_url,published,measure\n"
    "f1,2024-10-29,2024-11-04,41,exact,claim,https://example.org/f,2024-11-20,\n"
    "f2,2024-10-21,2024-11-03,5,about,launch,https://example.org/g,,rate_per_day\n"
)


def write(tmp_path, text: str, name: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def shipped(name: str):
    """Path of a tracked data file: a missing one is a failure, never a skip."""
    path = dataset_path(name, must_exist=False)
    assert path.is_file(), f"tracked data file {path} is missing"
    return path


def test_load_incidents_raises_with_every_problem(tmp_path):
    path = write(tmp_path, INCIDENTS, "incidents.csv")
    with pytest.raises(DataError) as info:
        load_curated_incidents(path)
    [problem] = info.value.problems
    assert (problem.row, problem.column) == (3, "quantity")
    assert "row 3, column 'quantity'" in str(info.value)


def test_load_incidents_with_rejects_accounts_for_every_row(tmp_path):
    path = write(tmp_path, INCIDENTS, "incidents.csv")
    table, rejects = load_curated_incidents(path, return_rejects=True)
    assert len(table) + len(rejects) == 3
    assert table["incident_id"].tolist() == ["a", "c"]
    assert rejects["row"].tolist() == [3]
    assert "must not be negative" in rejects.loc[0, "reason"]
    assert table.index.tolist() == [0, 1]


def test_load_incidents_types(tmp_path):
    path = write(tmp_path, INCIDENTS.replace("-2", "2"), "incidents.csv")
    table = load_curated_incidents(path)
    assert pd.api.types.is_datetime64_any_dtype(table["start"])
    assert table["quantity"].dtype == "int64"
    assert table["quantity"].sum() == 5
    assert table["notes"].isna().tolist() == [True, False, True]


def test_whole_file_problems_raise_even_with_rejects(tmp_path):
    path = write(tmp_path, INCIDENTS.replace(",weapon", ",arm"), "incidents.csv")
    with pytest.raises(DataError, match="column 'weapon': required column is missing"):
        load_curated_incidents(path, return_rejects=True)
    empty = write(tmp_path, "", "empty.csv")
    with pytest.raises(DataError, match="empty"):
        load_curated_incidents(empty, return_rejects=True)


def test_loading_figures_as_incidents_is_an_error(tmp_path):
    path = write(tmp_path, FIGURES, "figures.csv")
    with pytest.raises(DataError, match="required column is missing"):
        load_curated_incidents(path)


def test_load_figures_types_and_defaults(tmp_path):
    table = load_reported_figures(write(tmp_path, FIGURES, "figures.csv"))
    assert table["value"].tolist() == [41.0, 5.0]
    assert table["measure"].tolist() == ["count", "rate_per_day"]
    assert table["period_start"].iloc[0] == pd.Timestamp("2024-10-29")
    assert pd.isna(table["published"].iloc[1])
    assert pd.api.types.is_datetime64_dtype(table["published"])


def test_load_figures_with_rejects(tmp_path):
    text = FIGURES.replace("2024-10-21,2024-11-03", "2024-11-21,2024-11-03")
    table, rejects = load_reported_figures(write(tmp_path, text, "f.csv"), return_rejects=True)
    assert table["figure_id"].tolist() == ["f1"]
    assert rejects["row"].tolist() == [3]
    assert "period_start is after period_end" in rejects.loc[0, "reason"]


def test_loader_normalises_weapon_and_unit_synonyms(tmp_path):
    text = INCIDENTS.replace("a,2024-11-04,drone,2,launch", "a,2024-11-04,UAV,2,Launches")
    table = load_curated_incidents(write(tmp_path, text.replace("-2", "2"), "incidents.csv"))
    assert table["weapon"].tolist() == ["drone", "drone", "rocket"]
    assert table["unit"].tolist() == ["launch", "launch", "alert"]


def test_loader_rejects_an_unknown_weapon_with_its_row_and_column(tmp_path):
    text = INCIDENTS.replace("-2", "2").replace("c,2024-11-06,rocket", "c,2024-11-06,balloon")
    table, rejects = load_curated_incidents(write(tmp_path, text, "i.csv"), return_rejects=True)
    assert table["incident_id"].tolist() == ["a", "b"]
    assert rejects["row"].tolist() == [4]
    assert rejects.loc[0, "reason"].startswith("weapon: unknown weapon; allowed: drone")


def test_loader_accepts_a_source_cited_by_name_and_identifier(tmp_path):
    text = (
        "incident_id,start,weapon,quantity,unit,source_name,source_ref,source_url\n"
        "a,2024-11-04,drone,2,claim,Islamic Resistance in Iraq (Telegram),post 4512,\n"
        "b,2024-11-04,drone,2,claim,Islamic Resistance in Iraq (Telegram),,\n"
    )
    table, rejects = load_curated_incidents(write(tmp_path, text, "i.csv"), return_rejects=True)
    assert table["source_ref"].tolist() == ["post 4512"]
    assert rejects["row"].tolist() == [3]
    assert "source_ref: source_name without an identifier" in rejects.loc[0, "reason"]


def test_missing_file(tmp_path):
    with pytest.raises(DataNotFoundError):
        load_reported_figures(tmp_path / "absent.csv")


def test_figure_exposure_days_counts_both_end_days():
    figures = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2024-10-29", "2024-11-04", "2024-02-01"]),
            "period_end": pd.to_datetime(["2024-11-04", "2024-11-04", "2024-02-29"]),
        },
        index=["week", "day", "leap-february"],
    )
    days = figure_exposure_days(figures)
    assert days.to_dict() == {"week": 7, "day": 1, "leap-february": 29}
    assert days.name == "exposure_days" and days.dtype == "int64"


def test_figure_exposure_days_ignores_time_of_day_and_handles_missing():
    figures = pd.DataFrame(
        {
            "period_start": ["2024-11-01 23:00", None],
            "period_end": ["2024-11-02 01:00", "2024-11-02"],
        }
    )
    days = figure_exposure_days(figures)
    assert days.iloc[0] == 2
    assert pd.isna(days.iloc[1])


def test_figure_exposure_days_needs_period_columns():
    with pytest.raises(KeyError, match="period_end"):
        figure_exposure_days(pd.DataFrame({"period_start": ["2024-11-01"]}))


def test_shipped_incidents_validate():
    report = validate_file(shipped("incidents"))
    assert report.ok, report.summary()
    assert report.kind == "incidents"
    table = load_curated_incidents()
    assert len(table) == report.n_rows > 0
    assert table["incident_id"].is_unique


def test_shipped_reported_figures_validate():
    report = validate_file(shipped("reported_figures"))
    assert report.ok, report.summary()
    assert report.kind == "figures"
    table = load_reported_figures()
    assert len(table) == report.n_rows > 0
    assert (figure_exposure_days(table) >= 1).all()


def test_docstring_examples_run():
    import doctest
    import importlib

    module = importlib.import_module("analysis.curation.tables")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
