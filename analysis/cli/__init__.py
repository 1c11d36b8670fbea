"""Command-line interface: ``incident-trends SUBCOMMAND ...``.

Thin by design: each subcommand lives in ``analysis/cli/<name>.py`` with a
``register(subparsers)`` function that adds its parser and sets ``func``;
``func(args)`` calls the library and returns an exit code. The subcommands
are imported and registered explicitly (:data:`SUBCOMMANDS`): a subcommand
that fails to import is an error, never a command silently missing from
``--help``. Errors raised on purpose
(:class:`~analysis.errors.IncidentTrendsError`) are printed as plain
messages, never as tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

# plain `import ... as` statements, so that a failing import raises its own error
import analysis.cli.changepoints as changepoints
import analysis.cli.data as data
import analysis.cli.rates as rates
import analysis.cli.report as report
import analysis.cli.trend as trend
import analysis.cli.validate as validate
from analysis.errors import IncidentTrendsError

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

# the subcommand modules, in the order shown by --help
SUBCOMMANDS: tuple[ModuleType, ...] = (validate, data, rates, changepoints, trend, report)


def build_parser() -> argparse.ArgumentParser:
    """Build the top-level parser with every subcommand.

    Examples
    --------
    >>> parser = build_parser()
    >>> parser.parse_args(["rates", "counts.csv", "--json"]).json
    True
    """
    parser = argparse.ArgumentParser(
        prog="incident-trends",
        description="Rates, trends and change points for incident data.",
    )
    from analysis import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return the exit code (0 ok, 1 bad data or failed check, 2 usage).

    Examples
    --------
    >>> main(["rates", "no-such-file.csv"])
    1
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except IncidentTrendsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        print(f"error: {exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # pragma: no cover
        return 130
