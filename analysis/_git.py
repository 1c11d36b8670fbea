"""One git query for the package's own checkout (provenance of reports and validation tables).

Plain :mod:`subprocess` because no dependency of the package reads git metadata; outside
a git checkout, or without git, every query answers None.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path


def git_output(args: Sequence[str], cwd: str | Path) -> str | None:
    """The stripped output of ``git *args`` run in ``cwd``, or None when git fails or is absent.

    Examples
    --------
    >>> git_output(["--version"], ".") is None or git_output(["--version"], ".").startswith("git")
    True
    """
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
