"""Tests of ``incident-trends validate``: one line per problem, exit codes, no tracebacks."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from analysis.cli import main
from analysis.datasets import PROJECT_ROOT, dataset_path

HEADER = "incident_id,start,weapon,quantity,unit,source_url"
GOOD = HEADER + "\na,2024-11-04,drone,2,launch,https://example.org/a\n"

# malformed files: name -> (bytes, the (row, column) text expected in the output)
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "missing_column": (
        b"incident_id,start,quantity,unit,source_url\na,2024-11-04,2,launch,https://x.org/a\n",
        "row 1, column 'weapon': required column is missing",
    ),
    "bad_date": (
        (HEADER + "\na,2024-11-31,drone,2,launch,https://x.org/a\n").encode(),
        "row 2, column 'start'",
    ),
    "negative": (
        (HEADER + "\na,2024-11-04,drone,-2,launch,https://x.org/a\n").encode(),
        "row 2, column 'quantity'",
    ),
    "fraction": (
        (HEADER + "\na,2024-11-04,drone,2.5,launch,https://x.org/a\n").encode(),
        "row 2, column 'quantity'",
    ),
    "duplicate": (
        (GOOD + "a,2024-11-05,drone,1,launch,https://x.org/b\n").encode(),
        "row 3, column 'incident_id'",
    ),
    "unit": (
        (HEADER + "\na,2024-11-04,drone,2,drones,https://x.org/a\n").encode(),
        "row 2, column 'unit'",
    ),
    "empty": (b"", "row 1: the file is empty"),
    "header_only": ((HEADER + "\n").encode(), "no data rows"),
    "semicolon": (GOOD.replace(",", ";").encode(), "row 1, column 'incident_id;start;"),
    "tab": (GOOD.replace(",", "\t").encode(), "row 1, column 'incident_id\\tstart"),
    "latin1": (
        (HEADER + "\na,2024-11-04,dr\u00f4ne,2,launch,https://x.org/a\n").encode("latin-1"),
        "row 2, column 'weapon': the file is not UTF-8",
    ),
    "broken_quote": (
        (HEADER + '\na,2024-11-04,"drone,2,launch,https://x.org/a\n').encode(),
        "row 2, column 'weapon': broken quote",
    ),
    "field_count": (
        (GOOD + "b,2024-11-05,drone\n").encode(),
        "row 3, column 'quantity': expected 6 fields",
    ),
}


def write(tmp_path, data: bytes, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_valid_file_exits_0(tmp_path, capsys):
    path = write(tmp_path, GOOD.encode())
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 1 rows")


def test_bom_file_is_valid(tmp_path, capsys):
    path = write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode())
    assert main(["validate", str(path)]) == 0
    assert "OK" in capsys.readouterr().out


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_exits_1_naming_where(tmp_path, capsys, name):
    data, where = BAD_FILES[name]
    path = write(tmp_path, data, f"{name}.csv")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert any(line.startswith(f"{path}, ") or line.startswith(f"{path}:") for line in lines)
    assert where in captured.out
    assert "problem" in lines[-1]
    assert "Traceback" not in captured.err


def test_every_problem_printed_one_per_line_with_count(tmp_path, capsys):
    rows = [
        "a,2024-11-04,drone,2,launch,https://x.org/a",
        "a,2024-13-04,drone,-1,launch,https://x.org/b",
        "c,2024-11-05,drone,2,drones,https://x.org/c",
    ]
    path = write(tmp_path, ("\n".join([HEADER, *rows]) + "\n").encode())
    assert main(["validate", str(path)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:-1] == [
        f"{path}, row 2, column 'incident_id': duplicate incident_id: the same id is used "
        "again on row(s) 3 (value 'a')",
        f"{path}, row 3, column 'incident_id': duplicate incident_id: the same id is first "
        "used on row 2 (value 'a')",
        f"{path}, row 3, column 'start': not an ISO 8601 date or date-time (write e.g. "
        "2024-11-04 or 2024-11-04T21:30:00+02:00) (value '2024-13-04')",
        f"{path}, row 3, column 'quantity': 'quantity' must not be negative (value '-1')",
        f"{path}, row 4, column 'unit': unknown unit; allowed: claim, launch, interception, "
        "alert, incident (value 'drones')",
    ]
    assert lines[-1] == f"5 problems in {path}: 3 of 3 rows rejected"


def test_json_output(tmp_path, capsys):
    data, _ = BAD_FILES["negative"]
    path = write(tmp_path, data)
    assert main(["validate", "--json", str(path)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and report["n_rows"] == 1
    assert report["problems"][0]["row"] == 2
    assert report["problems"][0]["column"] == "quantity"


def test_unknown_table_kind_is_reported(tmp_path, capsys):
    path = write(tmp_path, b"name,count\nx,1\n")
    assert main(["validate", str(path)]) == 1
    assert "cannot tell" in capsys.readouterr().out


def test_kind_option(tmp_path, capsys):
    path = write(tmp_path, b"name,count\nx,1\n")
    assert main(["validate", "--kind", "figures", str(path)]) == 1
    assert "column 'figure_id': required column is missing" in capsys.readouterr().out


def test_missing_file_exits_1(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "absent.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_directory_exits_1(tmp_path, capsys):
    assert main(["validate", str(tmp_path)]) == 1
    assert "directory" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["incidents", "reported_figures"])
def test_shipped_curated_files_validate(capsys, name):
    path = dataset_path(name)  # tracked in data/curated: a missing file is a failure
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analysis.cli", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )


def test_subprocess_exit_codes_and_no_traceback(tmp_path):
    bad = write(tmp_path, BAD_FILES["broken_quote"][0], "bad.csv")
    good = write(tmp_path, GOOD.encode(), "good.csv")
    latin = write(tmp_path, BAD_FILES["latin1"][0], "latin.csv")
    for path, code in [
        (bad, 1),
        (latin, 1),
        (good, 0),
        (tmp_path / "absent.csv", 1),
        (tmp_path, 1),
    ]:
        proc = run_cli("validate", str(path))
        assert proc.returncode == code, (path, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    assert "broken quote" in run_cli("validate", str(bad)).stdout


# the malformed files the issue lists: each message names a row, and a column where one exists
ISSUE_CASES = [
    "missing_column",
    "bad_date",
    "negative",
    "fraction",
    "duplicate",
    "unit",
    "semicolon",
    "tab",
    "latin1",
    "broken_quote",
]


@pytest.mark.parametrize("name", ISSUE_CASES)
def test_issue_bad_files_name_a_row_and_a_column(tmp_path, capsys, name):
    path = write(tmp_path, BAD_FILES[name][0], f"{name}.csv")
    assert main(["validate", str(path)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert re.match(rf"{re.escape(str(path))}, row \d+, column '[^']+': ", first), first


def test_empty_file_names_row_1(tmp_path, capsys):
    path = write(tmp_path, b"", "empty.csv")
    assert main(["validate", str(path)]) == 1
    assert capsys.readouterr().out.startswith(f"{path}, row 1: the file is empty")
