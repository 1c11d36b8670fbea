"""``incident-trends validate FILE``: report every problem in a curated CSV file.

Prints one line per problem (``file, row N, column 'x': message (value
'v')``) and a final count; exits 1 when there is any problem, 0 with
``OK: N rows`` on a valid file. Bad data, a missing file or a directory give
a message and exit 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "validate",
        help="check an incidents or reported-figures CSV file and list every problem",
        description=(
            "Check a CSV file against the schema of the incident table or the "
            "reported-figures table and print every problem at once, with file, row "
            "(file line, header = 1), column and value. Exit status: 0 valid, 1 problems."
        ),
    )
    p.add_argument("file", help="CSV file to check")
    p.add_argument(
        "--kind",
        choices=("auto", "incidents", "figures"),
        default="auto",
        help="which table the file holds (default: tell from the header)",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.curation.validate import validate_file
    from analysis.errors import IncidentTrendsError

    path = Path(args.file)
    if not path.exists():
        print(f"error: {path}: no such file", file=sys.stderr)
        return 1
    if path.is_dir():
        print(f"error: {path}: is a directory, not a CSV file", file=sys.stderr)
        return 1
    try:
        report = validate_file(path, kind=args.kind)
    except IncidentTrendsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
        return 0 if report.ok else 1
    if report.ok:
        print(f"OK: {report.n_rows} rows ({report.kind}) in {report.file}")
        return 0
    for problem in report.problems:
        print(problem)
    n = len(report.problems)
    print(
        f"{n} problem{'s' if n != 1 else ''} in {report.file}: "
        f"{len(report.rejects)} of {report.n_rows} rows rejected"
    )
    return 1
