"""``incident-trends changepoints``: output, JSON, and errors without tracebacks."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main


@pytest.fixture
def counts_csv(tmp_path):
    """SIMULATED daily counts with one change and a gap of empty cells."""
    rng = np.random.default_rng(60)
    y = pd.Series(
        np.r_[rng.poisson(2, 100), rng.poisson(8, 100)].astype(float),
        index=pd.date_range("2024-01-01", periods=200, freq="D"),
        name="alerts",
    )
    y.iloc[40:50] = np.nan
    path = tmp_path / "counts.csv"
    y.to_csv(path, index_label="date")
    return path


def test_prints_summary(counts_csv, capsys):
    assert main(["changepoints", str(counts_csv)]) == 0
    out = capsys.readouterr().out
    assert "Change points: 1 in 190 observations (10 missing, skipped)" in out
    assert "2024-04-" in out


def test_json_output(counts_csv, capsys):
    assert main(["changepoints", str(counts_csv), "--json", "--cost", "negbin"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["cost_name"] == "negbin"
    assert len(payload["changepoints"]) == 1
    assert payload["n_missing"] == 10


def test_penalty_and_method_options(counts_csv, capsys):
    args = ["changepoints", str(counts_csv), "--penalty", "1000", "--method", "pelt", "--json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["changepoints"] == []


def test_bad_cell_names_row_and_column(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,count\n2024-01-01,1\n2024-01-02,two\n2024-01-03,3\n")
    assert main(["changepoints", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 3, column 'count'" in err and "Traceback" not in err


@pytest.fixture
def two_columns(tmp_path):
    path = tmp_path / "two.csv"
    rows = "".join(f"{i},{i % 3},{i % 5}\n" for i in range(30))
    path.write_text("t,a,b\n" + rows)
    return path


def test_several_columns_need_column_option(two_columns, capsys):
    assert main(["changepoints", str(two_columns)]) == 1
    assert "--column" in capsys.readouterr().err


def test_column_option_chooses_the_series(two_columns):
    assert main(["changepoints", str(two_columns), "--column", "b", "--cost", "poisson"]) == 0


def test_negative_counts_with_poisson_cost_is_an_error(tmp_path, capsys):
    path = tmp_path / "neg.csv"
    path.write_text("t,count\n" + "".join(f"{i},{-1 if i == 7 else 2}\n" for i in range(20)))
    assert main(["changepoints", str(path), "--cost", "poisson"]) == 1
    assert "row 9" in capsys.readouterr().err


def test_missing_file_is_an_error(tmp_path, capsys):
    assert main(["changepoints", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv" in capsys.readouterr().err


def test_bad_penalty_is_a_usage_error(counts_csv, capsys):
    assert main(["changepoints", str(counts_csv), "--penalty", "huge"]) == 2
    assert "unknown penalty" in capsys.readouterr().err


def test_dates_written_across_a_dst_change_parse_as_dates(tmp_path, capsys):
    # daily_counts of tz-aware times writes +03:00 in summer and +02:00 in winter
    index = pd.date_range("2024-10-01", periods=60, freq="D", tz="Asia/Jerusalem")
    rng = np.random.default_rng(3)  # simulated counts: rate 2 then 9 a day
    values = np.r_[rng.poisson(2, 30), rng.poisson(9, 30)]
    path = tmp_path / "dst.csv"
    pd.Series(values, index=index, name="count").rename_axis("date").to_csv(path)
    assert main(["changepoints", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert any(str(c).startswith("2024-10-31") for c in out["changepoints"])


@pytest.fixture
def nile() -> pd.DataFrame:
    import statsmodels.datasets.nile as nile

    data = nile.load_pandas().data  # published Nile flow, one change in 1899
    data["year"] = data["year"].astype(int)
    return data


def test_year_labels_stay_years(nile, tmp_path, capsys):
    path = tmp_path / "nile.csv"
    nile.to_csv(path, index=False)
    assert main(["changepoints", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changepoints"] == [1899]


def test_one_column_is_values_labelled_by_position(nile, tmp_path, capsys):
    only = tmp_path / "values.csv"
    nile[["volume"]].to_csv(only, index=False)
    assert main(["changepoints", str(only), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changepoints"] == [28]


@pytest.fixture
def slashed_dates(tmp_path):
    path = tmp_path / "us.csv"
    rows = "".join(f"01/{d:02d}/2024,{2 if d < 6 else 9}\n" for d in range(1, 11))
    path.write_text("date,count\n" + rows)
    return path


def test_dates_that_read_day_or_month_first_are_refused(slashed_dates, capsys):
    assert main(["changepoints", str(slashed_dates)]) == 1
    assert "--monthfirst" in capsys.readouterr().err


def test_monthfirst_option_reads_numeric_dates_month_first(slashed_dates, capsys):
    assert main(["changepoints", str(slashed_dates), "--monthfirst", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changepoints"][0].startswith("2024-01-06")
