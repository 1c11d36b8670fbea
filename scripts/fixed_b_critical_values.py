"""Simulate the fixed-b critical values of the Bartlett-kernel t statistic of a mean.

Writes ``analysis/data/fixed_b_bartlett.csv``, read by
:func:`analysis._dependence.fixed_b_critical_value`. Run once, from the project
root (about half a minute on one core):

    OPENBLAS_NUM_THREADS=1 .venv/bin/python scripts/fixed_b_critical_values.py

What is simulated. Under fixed-b asymptotics (Kiefer & Vogelsang 2005) the
t statistic ``sqrt(T) (mean - mu) / sqrt(LRV_hat)`` with the Bartlett kernel
and bandwidth ``M = b T`` (weights ``1 - |k| / M`` for ``|k| < M``) converges
to ``W(1) / sqrt(Q(b))``, a functional of a Brownian motion and its bridge
that does not depend on the dependence of the data. Its quantiles are those
of the same statistic computed from ``T`` independent standard normal
values, for ``T`` large: here ``T = 1000`` (as in Kiefer & Vogelsang) and
``REPS = 160_000`` replicates with a fixed seed. The critical value of a
two-sided interval at level ``L`` is the ``L`` quantile of ``|t|``.

Monte Carlo error. The standard error of a sample quantile ``q_L`` of ``|t|``
is ``sqrt(L (1 - L) / REPS) / f(q_L)``; it is estimated here by the sectioning
method (the spread of the quantile over 40 independent batches, divided by
sqrt(40)) and written to the table (``se`` column). At level 0.95 it is at
most 0.010 for ``b <= 0.3`` and at most 0.014 for every ``b`` up to 1 (the
simulated b = 0 value, 1.969, is the normal 1.960 within 2 s.e.; the code
uses the ratio to it, whose error is smaller because the columns share their
draws). The discretisation error of ``T = 1000`` is of order ``1 / T``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

T = 1000
REPS = 160_000
BATCHES = 40
SEED = 20261201
B_GRID = np.round(
    np.r_[np.arange(0.0, 0.1, 0.01), np.arange(0.1, 0.3, 0.02), np.arange(0.3, 1.0001, 0.05)], 4
)
LEVELS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.975, 0.99, 0.995)
OUT = Path(__file__).resolve().parents[1] / "analysis" / "data" / "fixed_b_bartlett.csv"


def statistics(rng: np.random.Generator, reps: int) -> np.ndarray:
    """|t| for every b of the grid (columns), ``reps`` replicates (rows)."""
    x = rng.standard_normal((reps, T))
    mean = x.mean(axis=1)
    r = x - mean[:, None]
    size = 1 << (2 * T - 1).bit_length()
    fr = np.fft.rfft(r, size, axis=1)
    gamma = np.fft.irfft(fr * np.conj(fr), size, axis=1)[:, :T] / T  # lags 0..T-1
    out = np.empty((reps, B_GRID.size))
    for j, b in enumerate(B_GRID):
        m = b * T
        if m <= 1:  # b = 0: the variance alone (the normal limit)
            lrv = gamma[:, 0]
        else:
            k = np.arange(1, int(np.ceil(m)))
            lrv = gamma[:, 0] + 2.0 * gamma[:, k] @ (1.0 - k / m)
        out[:, j] = np.abs(np.sqrt(T) * mean) / np.sqrt(lrv)
    return out


def main() -> None:
    """Simulate, tabulate, write the CSV."""
    rng = np.random.default_rng(SEED)
    per = REPS // BATCHES
    batches = [statistics(rng, per) for _ in range(BATCHES)]
    stats = np.vstack(batches)
    rows = ["b,level,critical_value,se"]
    for j, b in enumerate(B_GRID):
        for level in LEVELS:
            q = float(np.quantile(stats[:, j], level))
            qs = [float(np.quantile(s[:, j], level)) for s in batches]
            se = float(np.std(qs, ddof=1) / np.sqrt(BATCHES))
            rows.append(f"{b:.2f},{level},{q:.4f},{se:.4f}")
    header = (
        "# Fixed-b critical values of the Bartlett-kernel t statistic of a mean (two-sided: the "
        "level quantile of |t|), bandwidth M = b T with weights 1 - |k|/M.\n"
        f"# SIMULATED by scripts/fixed_b_critical_values.py: T={T}, {REPS} replicates, seed "
        f"{SEED}; se = Monte Carlo standard error (sectioning, {BATCHES} batches).\n"
    )
    OUT.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(rows) - 1} rows)")


if __name__ == "__main__":
    main()
