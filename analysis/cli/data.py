"""``incident-trends data``: fetch, list and verify third-party data files."""

from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    from analysis.io.fetch import MIRROR_ENV, SOURCES

    p = sub.add_parser(
        "data",
        help="download, list and verify data files (alert history, localities)",
        description="Manage the data files that are not shipped with the project.",
    )
    actions = p.add_subparsers(dest="data_command", metavar="ACTION")

    f = actions.add_parser(
        "fetch",
        help="download the newest upstream file into the user cache",
        description=(
            "Download the newest upstream file into the download cache, atomically, and record "
            "its sha256, size, rows, address and UTC time in a JSON sidecar."
        ),
    )
    f.add_argument("source", choices=sorted(SOURCES), help="what to download")
    f.add_argument(
        "--mirror",
        metavar="DIR|URL",
        help=f"local directory or base URL replacing the upstream base (also ${MIRROR_ENV})",
    )
    f.add_argument("--force", action="store_true", help="download even if the cache is current")
    f.add_argument("--sha256", metavar="HEX", help="refuse the download unless it has this sha256")
    f.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the server")
    f.set_defaults(func=run_fetch)

    ls = actions.add_parser(
        "list",
        help="show each registered data set, where it was found, and sha256 of cached files",
    )
    ls.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ls.set_defaults(func=run_list)

    v = actions.add_parser("verify", help="recheck the sha256 of downloaded (and shared) files")
    v.add_argument("--json", action="store_true", help="print JSON instead of text")
    v.set_defaults(func=run_verify)
    p.set_defaults(func=lambda args: _usage(p))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 2


def run_fetch(args: argparse.Namespace) -> int:
    from analysis.io.fetch import fetch

    result = fetch(
        args.source,
        mirror=args.mirror,
        force=args.force,
        expected_sha256=args.sha256,
        timeout=args.timeout,
    )
    print(result.summary())
    print(f"recorded in {result.path}.json")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from analysis.io.fetch import list_datasets

    rows = list_datasets()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        where = r["location"]
        line = f"{r['name']:<{width}}  {where:<7}  "
        if r["path"]:
            line += f"{r['path']} ({r['size']:,} bytes)"
        else:
            line += "not found" + (f"; get it with: {r['fetch']}" if r["fetch"] else "")
        if r["sha256"]:
            line += f"\n{'':<{width}}  {'':<7}  sha256 {r['sha256']}"
        print(line)
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from analysis.io.fetch import verify_cache

    results = verify_cache()
    if args.json:
        print(json.dumps(results, indent=2))
    elif not results:
        print(
            "nothing to verify: no downloaded file with a sidecar, no shared file with a checksum"
        )
    else:
        for r in results:
            if r["ok"]:
                print(f"ok        {r['path']} (sha256 {r['actual']})")
            else:
                print(
                    f"MISMATCH  {r['path']}: expected sha256 {r['expected']}, got {r['actual']}; "
                    "fetch it again with --force"
                )
    return 0 if all(r["ok"] for r in results) else 1
