"""``incident-trends report``: execute the analysis notebook and render HTML."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    from analysis.report import MAIN_NOTEBOOK

    p = sub.add_parser(
        "report",
        help="execute the analysis notebook and render a self-contained HTML report",
        description="Execute a notebook with papermill and render it to offline HTML.",
    )
    p.add_argument("--output", "-o", default="reports/index.html", help="HTML file to write")
    p.add_argument("--notebook", default=str(MAIN_NOTEBOOK), help="notebook to execute")
    p.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="notebook parameter (value read as JSON when it parses); repeatable",
    )
    p.add_argument("--show-code", action="store_true", help="include code cells in the HTML")
    p.add_argument("--timeout", type=int, default=900, help="seconds allowed per cell")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from analysis.report import build_report, parse_parameters

    built = build_report(
        Path(args.output),
        notebook=Path(args.notebook),
        parameters=parse_parameters(args.parameter),
        show_code=args.show_code,
        timeout=args.timeout,
    )
    size_kb = built.html.stat().st_size / 1024
    print(f"wrote {built.html} ({size_kb:.0f} KiB); executed notebook: {built.executed}")
    return 0
