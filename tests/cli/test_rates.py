"""Tests of ``incident-trends rates`` (files written by the tests; data simulated)."""

from __future__ import annotations

import json

import pytest

from analysis.cli import main

WEEK = "date,count\n" + "\n".join(
    f"2024-{d},{n}"
    for d, n in zip(
        ["10-29", "10-30", "10-31", "11-01", "11-02", "11-03", "11-04"],
        [5, 7, 4, 8, 6, 5, 6],
        strict=True,
    )
)


@pytest.fixture
def counts_csv(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(WEEK + "\n", encoding="utf-8")
    return path


def test_prints_the_summary_of_a_counts_csv(counts_csv, capsys):
    assert main(["rates", str(counts_csv), "--method", "poisson"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("5.86 per day (95% CI 4.20-7.95), 41 events in 7 days")


def test_json_output(counts_csv, capsys):
    assert main(["rates", str(counts_csv), "--json", "--per", "week"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["events"] == 41 and data["exposure"] == 7.0
    assert data["rate"] == pytest.approx(41.0)
    assert data["per"] == "week" and data["file"] == str(counts_csv)
    assert data["start"] == "2024-10-29" and data["end"] == "2024-11-04"


def test_start_end_and_numeric_per(counts_csv, capsys):
    args = ["rates", str(counts_csv), "--start", "2024-10-30", "--end", "2024-10-31"]
    assert main([*args, "--per", "2", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["events"], data["exposure"]) == (11, 2.0)
    assert data["rate"] == pytest.approx(11.0)


@pytest.fixture
def two_columns(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("date,drone,rocket\n2024-01-01,1,0\n2024-01-02,3,2\n", encoding="utf-8")
    return path


def test_several_columns_need_column_option(two_columns, capsys):
    assert main(["rates", str(two_columns)]) == 1
    assert "--column" in capsys.readouterr().err


def test_column_is_chosen_with_column(two_columns, capsys):
    assert main(["rates", str(two_columns), "--column", "rocket", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["events"] == 2


@pytest.fixture
def incidents_csv(tmp_path):
    path = tmp_path / "incidents.csv"
    path.write_text(
        "incident_id,start,quantity\n1,2024-11-04 08:00,2\n2,2024-11-04 09:00,2\n"
        "3,2024-11-06 10:00,1\n",
        encoding="utf-8",
    )
    return path


def test_incident_table_is_counted_per_day(incidents_csv, capsys):
    assert main(["rates", str(incidents_csv), "--json", "--method", "poisson"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["events"], data["exposure"]) == (3, 3.0)


def test_incident_table_weight_and_end(incidents_csv, capsys):
    args = ["rates", str(incidents_csv), "--weight", "quantity", "--end", "2024-11-10", "--json"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["events"], data["exposure"]) == (5, 7.0)


def test_bad_counts_are_reported_with_file_row_and_column(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("date,count\n2024-01-01,1\n2024-01-02,-2\n2024-01-03,1.5\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 3, column 'count'" in err and "negative" in err
    assert f"{path}, row 4, column 'count'" in err
    assert "Traceback" not in err


def test_bad_dates_are_reported(tmp_path, capsys):
    path = tmp_path / "dates.csv"
    path.write_text("date,count\n2024-01-01,1\nyesterday,2\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    assert f"{path}, row 3, column 'date': not a date" in capsys.readouterr().err


def test_bad_incident_time_is_reported_with_the_file(tmp_path, capsys):
    path = tmp_path / "inc.csv"
    path.write_text("incident_id,start\n1,2024-01-01\n2,never\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    assert f"{path}, row 3, column 'start'" in capsys.readouterr().err


def test_gaps_in_dates_are_an_error(tmp_path, capsys):
    path = tmp_path / "gaps.csv"
    path.write_text("date,count\n2024-01-01,1\n2024-01-02,1\n2024-01-05,1\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    err = capsys.readouterr().err
    assert "missing period (a gap)" in err and "2024-01-03" in err and "2024-01-04" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"), (b"date,count\n2024-01-01,\xff\n", "UTF-8"), (b"date\n2024-01-01\n", "first")],
)
def test_unreadable_files_are_reported(tmp_path, capsys, content, message):
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    assert main(["rates", str(path)]) == 1
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(("option", "value"), [("--per", "fortnight"), ("--level", "95")])
def test_bad_options_are_reported(counts_csv, capsys, option, value):
    assert main(["rates", str(counts_csv), option, value]) == 1
    assert option[2:] in capsys.readouterr().err


def test_missing_file(tmp_path, capsys):
    assert main(["rates", str(tmp_path / "nope.csv")]) == 1
    assert "nope.csv" in capsys.readouterr().err


def test_dst_offsets_in_a_counts_csv_keep_local_dates(tmp_path, capsys):
    path = tmp_path / "tz.csv"
    path.write_text(
        "date,count\n2024-03-29 00:00:00+02:00,1\n2024-03-30 00:00:00+03:00,2\n", encoding="utf-8"
    )
    assert main(["rates", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["events"], data["exposure"], data["start"]) == (3, 2.0, "2024-03-29")


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ("", [], "no events: give start and end"),
        ("1,2024-01-01\n", ["--start", "2024-02-01", "--end", "2024-01-01"], "is after end"),
        ("1,2024-01-01\n", ["--start", "not-a-date"], "is not a date"),
    ],
)
def test_bad_incident_table_windows_are_reported_without_traceback(
    tmp_path, capsys, rows, args, message
):
    path = tmp_path / "inc.csv"
    path.write_text("incident_id,start\n" + rows, encoding="utf-8")
    assert main(["rates", str(path), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and str(path) in err and "Traceback" not in err


def test_empty_incident_table_with_a_window_is_a_zero_rate(tmp_path, capsys):
    path = tmp_path / "inc.csv"
    path.write_text("incident_id,start\n", encoding="utf-8")
    assert main(["rates", str(path), "--start", "2024-01-01", "--end", "2024-01-03"]) == 0
    assert "0 events in 3 days" in capsys.readouterr().out


def test_dates_that_read_day_or_month_first_are_refused_naming_the_options(tmp_path, capsys):
    path = tmp_path / "slashes.csv"
    path.write_text("date,count\n04/11/2024,1\n05/11/2024,2\n", encoding="utf-8")
    assert main(["rates", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"{path}, row 2, column 'date'" in err and "pass --dayfirst or --monthfirst" in err
    assert "Traceback" not in err


def test_dayfirst_option_reads_numeric_dates_day_first(tmp_path, capsys):
    path = tmp_path / "slashes.csv"
    path.write_text("date,count\n04/11/2024,1\n05/11/2024,2\n", encoding="utf-8")
    assert main(["rates", str(path), "--dayfirst", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["start"] == "2024-11-04"


def test_the_column_named_count_is_the_default_among_several(tmp_path, capsys):
    path = tmp_path / "three.csv"
    path.write_text("date,drone,count\n2024-01-01,1,4\n2024-01-02,3,5\n", encoding="utf-8")
    assert main(["rates", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["column"], data["events"]) == ("count", 9)


def test_vintage_leaves_the_provisional_newest_days_out(counts_csv, capsys):
    args = ["rates", str(counts_csv), "--json", "--vintage", "2024-11-04", "--provisional", "2D"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exposure"] == 5.0 and data["events"] == 41 - 5 - 6
    assert data["end"] == "2024-11-02"


def test_vintage_with_tail_flag_keeps_the_days(counts_csv, capsys):
    args = ["rates", str(counts_csv), "--json", "--vintage", "2024-11-04", "--tail", "flag"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["exposure"] == 7.0 and data["events"] == 41


def test_estimand_realised_is_passed_to_the_library(counts_csv, capsys):
    assert main(["rates", str(counts_csv), "--json", "--estimand", "realised"]) == 0
    assert json.loads(capsys.readouterr().out)["estimand"] == "realised"


def test_family_quasipoisson_is_accepted(counts_csv, capsys):
    assert main(["rates", str(counts_csv), "--json", "--family", "quasipoisson"]) == 0
    assert json.loads(capsys.readouterr().out)["family"] == "quasipoisson"
