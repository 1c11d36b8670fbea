"""``incident-trends report``: execute the notebooks and render the self-contained report."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="execute the analysis notebooks and render the self-contained HTML report",
        description=(
            "Execute every notebooks/NN-*.ipynb with papermill (each gets the parameters its "
            "parameters cell declares) and render one offline HTML page each, with an index "
            "page (run date, version, data vintage and provenance) as the entry. The report is "
            "built aside and swapped in only when every notebook succeeded. With --notebook, "
            "one notebook is rendered to one page."
        ),
    )
    p.add_argument(
        "--output",
        "-o",
        default="reports/index.html",
        help="the entry page: reports/index.html (default) or a folder; with --notebook, "
        "the HTML file to write",
    )
    p.add_argument(
        "--notebook", default=None, help="render only this notebook, to the --output file"
    )
    p.add_argument(
        "--notebooks",
        default=None,
        metavar="DIR",
        help="folder of the NN-*.ipynb notebooks (default: the project's notebooks/)",
    )
    p.add_argument(
        "--incidents",
        default=None,
        metavar="PATH",
        help="a canonical incidents file of your own, passed to the notebooks as incidents_path",
    )
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


def _site_folder(output: str) -> Path:
    from analysis.report import ReportError

    path = Path(output)
    if path.suffix.lower() in (".html", ".htm"):
        if path.name != "index.html":
            raise ReportError(
                f"--output: the report's entry page is index.html (got {path.name}); "
                "give a folder, a path ending in index.html, or use --notebook for one page"
            )
        return path.parent
    return path


def run(args: argparse.Namespace) -> int:
    from analysis.report import ReportError, build_report, build_site, parse_parameters

    parameters = parse_parameters(args.parameter)
    if args.incidents is not None:
        incidents = Path(args.incidents).expanduser()
        if not incidents.is_file():
            raise ReportError(f"--incidents: no such file {incidents}")
    if args.notebook is not None:
        if args.incidents is not None:
            parameters["incidents_path"] = str(incidents.resolve())
        built = build_report(
            Path(args.output),
            notebook=Path(args.notebook),
            parameters=parameters,
            show_code=args.show_code,
            timeout=args.timeout,
        )
        size_kb = built.html.stat().st_size / 1024
        print(
            f"wrote {built.html} ({size_kb:.0f} KiB) in {built.seconds:.0f} s; "
            f"executed notebook: {built.executed}"
        )
        return 0
    site = build_site(
        _site_folder(args.output),
        args.notebooks,
        parameters,
        incidents_path=args.incidents,
        show_code=args.show_code,
        timeout=args.timeout,
        progress=lambda line: print(line, flush=True),
    )
    for page in site.pages:
        print(f"  {page.html}: {page.title}")
    print(site.summary())
    return 0
