"""Tests of ``incident-trends trend`` (files written by the tests; data SIMULATED)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.cli import main
from analysis.trend import fit_trend


@pytest.fixture
def series() -> pd.Series:
    """SIMULATED: 120 days of Poisson counts, rate 5 rising 0.5% a day."""
    rng = np.random.default_rng(4)
    days = pd.date_range("2024-01-01", periods=120, freq="D", name="date")
    return pd.Series(rng.poisson(5 * np.exp(0.005 * np.arange(120))), index=days, name="count")


@pytest.fixture
def counts_csv(tmp_path, series):
    path = tmp_path / "counts.csv"
    series.to_csv(path)
    return path


def test_json_output_matches_the_library(counts_csv, series, capsys):
    assert main(["trend", str(counts_csv), "--json", "--forecast", "14"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = fit_trend(series)
    assert data["fit"]["family"] == expected.family
    assert data["fit"]["slope"] == pytest.approx(expected.slope, rel=1e-9)
    assert len(data["forecast"]["forecast"]) == 14
    assert data["forecast"]["forecast"][0]["date"] == "2024-04-30 00:00:00"
    assert data["file"] == str(counts_csv) and data["column"] == "count"


def test_text_output_has_summary_and_forecast(counts_csv, capsys):
    assert main(["trend", str(counts_csv), "--family", "poisson", "--breaks", "2024-03-01"]) == 0
    out = capsys.readouterr().out
    assert "Count trend model: poisson" in out and "level shift from 2024-03-01" in out
    assert "Forecast of 28 periods from 2024-04-30" in out


def test_incident_table_is_counted_per_day(tmp_path, capsys):
    # SIMULATED incident table: one row per incident, 60 days
    rng = np.random.default_rng(9)
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    starts = np.repeat(days, rng.poisson(4, 60))
    table = pd.DataFrame(
        {"incident_id": range(len(starts)), "start": starts.strftime("%Y-%m-%d %H:%M")}
    )
    path = tmp_path / "incidents.csv"
    table.to_csv(path, index=False)
    assert main(["trend", str(path), "--json", "--forecast", "0", "--no-weekly"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["forecast"] is None
    assert data["fit"]["n"] == (days[-1] - pd.Timestamp(starts[0])).days + 1


def test_events_file(counts_csv, tmp_path, capsys):
    events = tmp_path / "events.csv"
    events.write_text("date,name,kind\n2024-02-10,raid,pulse\n2024-03-20,truce,step\n")
    assert main(["trend", str(counts_csv), "--events", str(events), "--json"]) == 0
    params = json.loads(capsys.readouterr().out)["fit"]["params"]
    assert "pulse[raid]" in params and "step[truce]" in params


def test_negative_count_names_file_row_and_column(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    lines = ["date,count"] + [f"2024-01-{d:02d},{3 if d != 5 else -2}" for d in range(1, 31)]
    path.write_text("\n".join(lines) + "\n")
    assert main(["trend", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 6, column 'count': negative count on 2024-01-05" in err


def test_gap_is_an_error_naming_the_missing_day(tmp_path, capsys):
    path = tmp_path / "gap.csv"
    days = [d for d in range(1, 31) if d != 12]
    path.write_text("date,count\n" + "\n".join(f"2024-01-{d:02d},3" for d in days) + "\n")
    assert main(["trend", str(path)]) == 1
    assert "2024-01-12" in capsys.readouterr().err


def test_bad_option_value_is_a_plain_error(counts_csv, capsys):
    assert main(["trend", str(counts_csv), "--breaks", "2030-01-01"]) == 1
    assert "do not vary within the data" in capsys.readouterr().err


def test_bad_events_row_names_the_events_file(counts_csv, tmp_path, capsys):
    events = tmp_path / "events.csv"
    events.write_text("date,name,kind\n2024-02-10,raid,pulse\n2024-03-20,truce,spike\n")
    assert main(["trend", str(counts_csv), "--events", str(events)]) == 1
    err = capsys.readouterr().err
    assert f"{events}, row 3, column 'kind': kind must be pulse or step" in err
    assert f"{counts_csv}, row 3" not in err


@pytest.fixture
def monthly_csv(tmp_path):
    # SIMULATED monthly counts
    days = pd.date_range("2021-01-01", periods=36, freq="MS", name="month")
    path = tmp_path / "monthly.csv"
    pd.Series(np.random.default_rng(1).poisson(30, 36), index=days, name="n").to_csv(path)
    return path


def test_weekly_on_non_daily_counts_names_the_cli_flag(monthly_csv, capsys):
    assert main(["trend", str(monthly_csv)]) == 1
    assert "pass --no-weekly" in capsys.readouterr().err


def test_no_weekly_fits_non_daily_counts(monthly_csv):
    assert main(["trend", str(monthly_csv), "--no-weekly", "--forecast", "3"]) == 0


def test_unreadable_events_file_is_a_message(counts_csv, tmp_path, capsys):
    events = tmp_path / "events.csv"
    events.write_bytes(b"date,name\n2024-02-10,r\xffd\n")  # Latin-1 byte, not UTF-8
    assert main(["trend", str(counts_csv), "--events", str(events)]) == 1
    err = capsys.readouterr().err
    assert str(events) in err and "UTF-8" in err and "Traceback" not in err


def test_default_cov_type_is_the_library_default(counts_csv, series, capsys):
    assert main(["trend", str(counts_csv), "--json", "--forecast", "0"]) == 0
    data = json.loads(capsys.readouterr().out)
    expected = fit_trend(series)
    assert data["fit"]["cov_type"] == expected.cov_type == "latent"
    assert data["fit"]["slope_ci"] == pytest.approx(list(expected.slope_ci), rel=1e-9)


def test_cov_type_option_is_passed_to_the_library(counts_csv, capsys):
    assert (
        main(["trend", str(counts_csv), "--json", "--forecast", "0", "--cov-type", "nonrobust"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["fit"]["cov_type"] == "nonrobust"


def test_vintage_leaves_the_provisional_days_out_of_the_fit(counts_csv, series, capsys):
    last = series.index[-1].strftime("%Y-%m-%d")
    assert main(["trend", str(counts_csv), "--json", "--forecast", "0", "--vintage", last]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["fit"]["provisional_days"] == 3
    assert data["fit"]["n"] == len(series) - 3
