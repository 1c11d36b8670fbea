"""The ``incident-trends`` entry point: every subcommand registered, import failures loud."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tomllib

from analysis.cli import SUBCOMMANDS, build_parser, main
from analysis.datasets import PROJECT_ROOT

EXPECTED = ["validate", "data", "rates", "changepoints", "trend", "report"]


def _subcommands(parser: argparse.ArgumentParser) -> list[str]:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return list(actions[0].choices)


def test_every_subcommand_is_registered_in_help_order():
    assert _subcommands(build_parser()) == EXPECTED


def test_the_registry_lists_one_module_per_subcommand():
    assert [m.__name__ for m in SUBCOMMANDS] == [f"analysis.cli.{n}" for n in EXPECTED]


def test_console_script_points_at_main():
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    module, _, name = scripts["project"]["scripts"]["incident-trends"].partition(":")
    assert getattr(importlib.import_module(module), name) is main


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out


# a subcommand module that cannot be found (as if its file were missing)
_HIDE_TREND = """
import importlib.abc, sys

class Hide(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname == "analysis.cli.trend":
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None

sys.meta_path.insert(0, Hide())
from analysis.cli import main
sys.exit(main(["--help"]))
"""


def test_a_subcommand_that_fails_to_import_is_an_error_not_a_missing_command():
    proc = subprocess.run(
        [sys.executable, "-c", _HIDE_TREND],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0, proc.stdout
    assert "No module named 'analysis.cli.trend'" in proc.stderr
    assert "changepoints" not in proc.stdout  # no help printed without the trend command


def test_help_loads_no_heavy_library():
    code = (
        "import sys; from analysis.cli import build_parser; build_parser(); "
        "print(','.join(m for m in ('pandas', 'scipy', 'statsmodels', 'matplotlib', 'numba') "
        "if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert proc.stdout.strip() == ""
