"""Command line of the validation study: ``python -m analysis.validation --help``."""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run the study and write its tables; return the exit code."""
    from analysis.validation._run import SIZES, run

    parser = argparse.ArgumentParser(
        prog="python -m analysis.validation",
        description="Validation study of the package's defaults on simulated series.",
    )
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--out", default="reports/validation", help="folder for the tables")
    parser.add_argument("--select", default=None, help="only cells whose key contains this")
    parser.add_argument("--workers", type=int, default=None, help="processes (default 2)")
    args = parser.parse_args(argv)
    try:
        run(args.size, args.out, select=args.select, workers=args.workers)
    except ValueError as exc:
        parser.error(str(exc))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
