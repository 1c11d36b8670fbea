"""Helpers for the online detector's tests: brute-force posteriors and a hang guard."""

from __future__ import annotations

import itertools
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.special import gammaln

import analysis

# ---------------------------------------------------------------------------
# brute force: enumerate every placement of change points directly
# ---------------------------------------------------------------------------


def _log_marginal_poisson(seg: np.ndarray, prior: tuple[float, ...]) -> float:
    a0, b0 = prior
    s, n = seg.sum(), len(seg)
    return float(
        a0 * math.log(b0)
        - gammaln(a0)
        + gammaln(a0 + s)
        - (a0 + s) * math.log(b0 + n)
        - gammaln(seg + 1).sum()
    )


def _log_marginal_normal(seg: np.ndarray, prior: tuple[float, ...]) -> float:
    mu0, k0, a0, b0 = prior
    n, mean = len(seg), seg.mean()
    kn, an = k0 + n, a0 + n / 2
    bn = b0 + 0.5 * ((seg - mean) ** 2).sum() + k0 * n * (mean - mu0) ** 2 / (2 * kn)
    return float(
        gammaln(an)
        - gammaln(a0)
        + a0 * math.log(b0)
        - an * math.log(bn)
        + 0.5 * (math.log(k0) - math.log(kn))
        - 0.5 * n * math.log(2 * math.pi)
    )


def brute_force_starts(
    y: np.ndarray, family: str, prior: tuple[float, ...], hazard: float
) -> np.ndarray:
    """P(current segment starts at s | y[0..t]) for every t, by direct enumeration.

    Every subset of {1..t} is a placement of change points; its prior is
    H^k (1-H)^(t-k) and its likelihood the product of the segments' marginals.
    """
    marginal = _log_marginal_poisson if family == "poisson" else _log_marginal_normal
    n = len(y)
    post = np.zeros((n, n))
    for t in range(n):
        logw = np.full(t + 1, -np.inf)
        for flags in itertools.product((0, 1), repeat=t):
            starts = [0] + [j + 1 for j, f in enumerate(flags) if f]
            bounds = [*starts, t + 1]
            k = len(starts) - 1
            lw = k * math.log(hazard) + (t - k) * math.log1p(-hazard)
            lw += sum(marginal(y[a:b], prior) for a, b in itertools.pairwise(bounds))
            logw[starts[-1]] = np.logaddexp(logw[starts[-1]], lw)
        post[t, : t + 1] = np.exp(logw - np.logaddexp.reduce(logw))
    return post


@pytest.fixture
def brute_force():
    """The :func:`brute_force_starts` enumeration."""
    return brute_force_starts


@pytest.fixture
def poisson_y() -> np.ndarray:
    """Ten hand-made counts with a burst in the middle."""
    return np.array([2.0, 1, 3, 9, 7, 11, 8, 2, 1, 3])


@pytest.fixture
def normal_y() -> np.ndarray:
    """Ten hand-made values with a raised stretch in the middle."""
    return np.array([0.1, -0.4, 0.3, 2.2, 1.9, 2.5, 2.1, -0.2, 0.4, 0.0])


# ---------------------------------------------------------------------------
# hang guard: compiled code cannot be interrupted by a Python signal handler,
# so code that might not terminate runs in a child process with a timeout
# ---------------------------------------------------------------------------

HANG_TIMEOUT_S = 240


def run_isolated(code: str, timeout: float = HANG_TIMEOUT_S) -> object:
    """Run ``code`` in a fresh interpreter; it must print one JSON value as its last line.

    A run longer than ``timeout`` seconds fails the calling test (a hang).
    """
    root = str(Path(analysis.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root, "OPENBLAS_NUM_THREADS": "1"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"did not finish within {timeout} s (a hang):\n{code}")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def isolated():
    """The :func:`run_isolated` hang guard."""
    return run_isolated
